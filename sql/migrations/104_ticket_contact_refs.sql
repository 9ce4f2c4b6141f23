-- Baton schema, version 104: a ticket's customer and requester, and a
-- contact's customer, are checked once a statement instead of once a row
-- (#12, the first import's time), as 030 did for import_record's.
--
-- A first import of the bench's files (100,000 organisations, 300,000
-- contacts, 1,000,000 tickets) ran three foreign key checks a row it wrote:
-- ticket -> customer, ticket -> contact (the requester), contact ->
-- customer.  Each is a query and a row lock.  EXPLAIN ANALYZE of the
-- tickets' INSERT at 300,000 rows: 0.90 s and 0.91 s of the statement's
-- 4.0 s; the contacts' 0.26 s of 1.0 s at 90,000 rows.
--
-- The statement triggers below do what the foreign keys did:
-- - A statement that writes tickets or contacts locks every customer and
--   contact they name FOR KEY SHARE, once each, as the foreign keys locked
--   them (a concurrent delete waits, or is seen), and is refused with the
--   foreign key's SQLSTATE (23503) when one is missing.  An UPDATE checks
--   the new references of the rows whose reference it changed, as a
--   foreign key does: every one, also when another row of the statement
--   named it already (035's set difference, new rows' less old rows',
--   would not lock that one, and a delete that cascades, unlike 030's
--   refusal, would then miss the row moved onto it).  The rows are joined
--   by id in a statement planned anew each time (EXECUTE), so that its plan
--   suits the statement's size, never one made for a row (035's trap).
-- - Deleting a customer deletes its tickets and contacts (ON DELETE
--   CASCADE); deleting a contact leaves the tickets it asked for without a
--   requester (ON DELETE SET NULL).  Both run as the statement's last
--   step, after the row-level actions of the other tables' foreign keys.
-- - Renumbering a customer or contact that tickets or contacts name is
--   refused (ON UPDATE NO ACTION; nothing renumbers them).
-- - TRUNCATE customer CASCADE empties ticket and contact as before (by a
--   DELETE: the TRUNCATE holds the tables that refer to them);
--   TRUNCATE contact CASCADE (survey_response refers to it) leaves every
--   ticket without a requester, where it emptied ticket before.
-- - Under REPEATABLE READ or SERIALIZABLE a delete, a renumbering or a
--   TRUNCATE ... CASCADE of customers or contacts is refused (030's rule,
--   SQLSTATE 40001): the snapshot would miss a ticket or contact committed
--   meanwhile, which a foreign key checks.  (Contacts could be deleted so
--   before.)  A TRUNCATE deletes the tickets and contacts row by row, so
--   the audit logs each, where a truncated table logged none.
-- ticket.assignee's foreign key stays: imports never set it.

ALTER TABLE ticket DROP CONSTRAINT ticket_customer_id_fkey,
    DROP CONSTRAINT ticket_requester_id_fkey;
ALTER TABLE contact DROP CONSTRAINT contact_customer_id_fkey;

-- The customers (and contacts) a statement names: locked FOR KEY SHARE,
-- once each; the first one missing refuses it, naming p_table, the table written.
CREATE FUNCTION baton_refs_lock(p_table text, p_customers bigint[], p_contacts bigint[])
RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    v_bad text;
BEGIN
    IF cardinality(p_customers) > (SELECT count(*) FROM (SELECT 1 FROM customer c WHERE c.id = ANY (p_customers)
                                                          FOR KEY SHARE OF c) x) THEN
        SELECT x::text INTO v_bad FROM unnest(p_customers) x
        WHERE NOT EXISTS (SELECT 1 FROM customer c WHERE c.id = x) LIMIT 1;
        RAISE EXCEPTION 'insert or update on table "%" violates its reference to customer', p_table
            USING ERRCODE = 'foreign_key_violation',
                  DETAIL = format('Key (customer_id)=(%s) is not present in table "customer".', v_bad);
    END IF;
    IF cardinality(p_contacts) > (SELECT count(*) FROM (SELECT 1 FROM contact k WHERE k.id = ANY (p_contacts)
                                                         FOR KEY SHARE OF k) x) THEN
        SELECT x::text INTO v_bad FROM unnest(p_contacts) x
        WHERE NOT EXISTS (SELECT 1 FROM contact k WHERE k.id = x) LIMIT 1;
        RAISE EXCEPTION 'insert or update on table "%" violates its reference to contact', p_table
            USING ERRCODE = 'foreign_key_violation',
                  DETAIL = format('Key (requester_id)=(%s) is not present in table "contact".', v_bad);
    END IF;
END $$;

CREATE FUNCTION baton_ticket_refs() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_cust bigint[];
    v_cont bigint[];
BEGIN
    IF TG_OP = 'UPDATE' THEN
        EXECUTE 'SELECT array_agg(DISTINCT n.customer_id) FILTER (WHERE o.customer_id IS DISTINCT FROM n.customer_id),'
                ' array_agg(DISTINCT n.requester_id) FILTER (WHERE n.requester_id IS NOT NULL'
                '                                      AND o.requester_id IS DISTINCT FROM n.requester_id)'
                ' FROM new_rows n LEFT JOIN old_rows o ON o.id = n.id' INTO v_cust, v_cont;
    ELSE
        SELECT array_agg(x.customer_id) INTO v_cust FROM (SELECT DISTINCT n.customer_id FROM new_rows n) x;
        SELECT array_agg(x.requester_id) INTO v_cont
        FROM (SELECT DISTINCT n.requester_id FROM new_rows n WHERE n.requester_id IS NOT NULL) x;
    END IF;
    PERFORM baton_refs_lock('ticket', v_cust, v_cont);
    RETURN NULL;
END $$;

CREATE FUNCTION baton_contact_refs() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_cust bigint[];
BEGIN
    IF TG_OP = 'UPDATE' THEN
        EXECUTE 'SELECT array_agg(DISTINCT n.customer_id) FILTER (WHERE o.customer_id IS DISTINCT FROM n.customer_id)'
                ' FROM new_rows n LEFT JOIN old_rows o ON o.id = n.id' INTO v_cust;
    ELSE
        SELECT array_agg(x.customer_id) INTO v_cust FROM (SELECT DISTINCT n.customer_id FROM new_rows n) x;
    END IF;
    PERFORM baton_refs_lock('contact', v_cust, NULL);
    RETURN NULL;
END $$;

-- A foreign key checks a delete against what is committed by then; these
-- triggers read the transaction's snapshot, which under REPEATABLE READ or
-- SERIALIZABLE misses a ticket or contact committed since: refused there.
CREATE FUNCTION baton_refs_read_committed(p_what text, p_table text) RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION '% % in a READ COMMITTED transaction', p_what, p_table
            USING ERRCODE = 'serialization_failure',
                  HINT = 'Under REPEATABLE READ or SERIALIZABLE a ticket or contact committed meanwhile would not be seen.';
    END IF;
END $$;

-- A customer's or contact's delete, or TRUNCATE ... CASCADE: what the
-- foreign keys' ON DELETE did.
CREATE FUNCTION baton_refs_gone() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        PERFORM baton_refs_read_committed('truncate', TG_TABLE_NAME);
        -- Only TRUNCATE ... CASCADE gets here (other tables refer to both),
        -- which has emptied the tables that refer to tickets and contacts.
        -- Deleted, not truncated: the statement holds those tables.
        IF TG_TABLE_NAME = 'customer' THEN
            DELETE FROM ticket;
            DELETE FROM contact;
        ELSE
            UPDATE ticket SET requester_id = NULL WHERE requester_id IS NOT NULL;
        END IF;
        RETURN NULL;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM old_rows) THEN
        RETURN NULL;
    END IF;
    PERFORM baton_refs_read_committed('delete from', TG_TABLE_NAME);
    IF TG_TABLE_NAME = 'customer' THEN
        DELETE FROM ticket t WHERE t.customer_id IN (SELECT o.id FROM old_rows o);
        DELETE FROM contact t WHERE t.customer_id IN (SELECT o.id FROM old_rows o);
    ELSE
        UPDATE ticket t SET requester_id = NULL WHERE t.requester_id IN (SELECT o.id FROM old_rows o);
    END IF;
    RETURN NULL;
END $$;

-- Renumbering a customer or contact (nothing does) that is named.
CREATE FUNCTION baton_refs_renumbered() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_by text;
BEGIN
    PERFORM baton_refs_read_committed('renumber', TG_TABLE_NAME);
    IF TG_TABLE_NAME = 'customer' THEN
        v_by := CASE WHEN EXISTS (SELECT 1 FROM ticket t WHERE t.customer_id = OLD.id) THEN 'ticket'
                     WHEN EXISTS (SELECT 1 FROM contact t WHERE t.customer_id = OLD.id) THEN 'contact' END;
    ELSIF EXISTS (SELECT 1 FROM ticket t WHERE t.requester_id = OLD.id) THEN
        v_by := 'ticket';
    END IF;
    IF v_by IS NOT NULL THEN
        RAISE EXCEPTION 'update or delete on table "%" violates the reference from table "%"', TG_TABLE_NAME, v_by
            USING ERRCODE = 'foreign_key_violation',
                  DETAIL = format('Key (id)=(%s) is still referenced from table "%s".', OLD.id, v_by);
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER ticket_refs_ins AFTER INSERT ON ticket
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION baton_ticket_refs();
CREATE TRIGGER ticket_refs_upd AFTER UPDATE ON ticket
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION baton_ticket_refs();
CREATE TRIGGER contact_refs_ins AFTER INSERT ON contact
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION baton_contact_refs();
CREATE TRIGGER contact_refs_upd AFTER UPDATE ON contact
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION baton_contact_refs();
CREATE TRIGGER customer_refs_del AFTER DELETE ON customer
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION baton_refs_gone();
CREATE TRIGGER contact_refs_del AFTER DELETE ON contact
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION baton_refs_gone();
CREATE TRIGGER customer_refs_truncate AFTER TRUNCATE ON customer
    FOR EACH STATEMENT EXECUTE FUNCTION baton_refs_gone();
CREATE TRIGGER contact_refs_truncate AFTER TRUNCATE ON contact
    FOR EACH STATEMENT EXECUTE FUNCTION baton_refs_gone();
CREATE TRIGGER customer_refs_id BEFORE UPDATE OF id ON customer
    FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION baton_refs_renumbered();
CREATE TRIGGER contact_refs_id BEFORE UPDATE OF id ON contact
    FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION baton_refs_renumbered();
REVOKE ALL ON FUNCTION baton_refs_lock(text, bigint[], bigint[]), baton_ticket_refs(), baton_contact_refs(),
    baton_refs_read_committed(text, text), baton_refs_gone(), baton_refs_renumbered() FROM PUBLIC;
