-- Baton schema, version 47: the rows an import inserts are audited as one
-- row per run and customer, not one per row.
--
-- A first import of 1,000,000 tickets wrote 1,000,000 audit rows, each the
-- whole ticket as jsonb (to_jsonb, the heap, four indexes): 14.5-22 s of a
-- 90-130 s run, for rows that say only "the importer inserted this".  Who
-- imported what is kept already: import_record names each record's row
-- (target_id), its source and key and its run; import_run says who ran it
-- and when.  The values a row was inserted with are the row's until someone
-- changes them, and a change is audited with the old values beside the new.
--
-- So while an import inserts the rows of its entity, the audit trigger
-- writes one row per customer: action 'import', the table, the customer,
-- and {"run": ..., "source": ..., "ids": [...]}.  Updates (a newer export)
-- and deletes are audited row by row with their differences, as before;
-- customers, whose insert is their identity resolution's, too.
--
-- The trigger knows an import's insert by a row in baton_import_writing,
-- which only the import's own functions (SECURITY DEFINER) write, for this
-- backend, this transaction and the entity's table, just before their
-- INSERT and deleted just after it: no role can write it, so no client can
-- make its own writes pass for an import's, and nothing else runs between
-- the two.  Only the import's own statement counts (trigger depth 1): a row
-- some other trigger inserts meanwhile is audited row by row.  Notes are
-- inserted one by one (010's baton_import_notes): one row each.
-- Only more values are allowed: the rows there need no check (NOT VALID), and
-- the audit is not locked while a large table would be read for one.
ALTER TABLE baton_audit DROP CONSTRAINT baton_audit_action_check,
    ADD CONSTRAINT baton_audit_action_check CHECK (action IN ('insert', 'update', 'delete', 'import')) NOT VALID;

CREATE TABLE baton_import_writing (
    pid integer PRIMARY KEY,
    xact xid8 NOT NULL,
    tab name NOT NULL,
    run_id uuid NOT NULL,
    source text NOT NULL
);
REVOKE ALL ON baton_import_writing FROM PUBLIC;

-- The table an entity's rows are written to (010's baton_import_rows_of and
-- 036's baton_import_link each spell it out; this is the one name for it).
CREATE FUNCTION baton_import_table(p_entity text) RETURNS name
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE p_entity WHEN 'customers' THEN 'customer' WHEN 'contacts' THEN 'contact'
        WHEN 'tickets' THEN 'ticket' WHEN 'milestones' THEN 'milestone' WHEN 'notes' THEN 'success_note'
        WHEN 'marketing' THEN 'marketing_event' WHEN 'surveys' THEN 'survey_response' END::name
$$;
REVOKE ALL ON FUNCTION baton_import_table(text) FROM PUBLIC;

-- 030's baton_audit_statement (with 037's SET), and the INSERT of an import.
CREATE OR REPLACE FUNCTION baton_audit_statement() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET enable_nestloop = off AS $$
DECLARE
    v_keys text[] := string_to_array(TG_ARGV[0], ',');
    v_one text := CASE WHEN cardinality(v_keys) = 1 THEN v_keys[1] END;
    v_cust text := CASE WHEN TG_TABLE_NAME = 'customer' THEN 'id' ELSE 'customer_id' END;
    w baton_import_writing%ROWTYPE;
BEGIN
    IF TG_OP = 'INSERT' AND v_one IS NOT NULL AND pg_trigger_depth() = 1 THEN
        SELECT * INTO w FROM baton_import_writing x
        WHERE x.pid = pg_backend_pid() AND x.xact = pg_current_xact_id() AND x.tab = TG_TABLE_NAME;
        IF FOUND THEN
            EXECUTE format('INSERT INTO baton_audit (action, entity, entity_id, customer_id, change)
                SELECT ''import'', %L, NULL, x.%I,
                       jsonb_build_object(''run'', %L::uuid, ''source'', %L,
                                          ''ids'', jsonb_agg(x.%I ORDER BY x.%I))
                FROM new_rows x GROUP BY x.%I', TG_TABLE_NAME, v_cust, w.run_id, w.source,
                v_one, v_one, v_cust);
            RETURN NULL;
        END IF;
    END IF;
    IF TG_OP = 'INSERT' THEN
        -- A handoff's events concern the handoff's customer.
        INSERT INTO baton_audit (action, entity, entity_id, customer_id, change)
        SELECT 'insert', TG_TABLE_NAME,
               CASE WHEN v_one IS NOT NULL THEN coalesce(n.j ->> v_one, '')
                    ELSE array_to_string(ARRAY(SELECT n.j ->> k FROM unnest(v_keys) k), ',') END,
               coalesce((n.j ->> v_cust)::bigint,
                        (SELECT h.customer_id FROM handoff h
                         WHERE h.id = (n.j ->> 'handoff_id')::uuid)),
               n.j
        FROM (SELECT to_jsonb(x) j FROM new_rows x OFFSET 0) n;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO baton_audit (action, entity, entity_id, customer_id, change)
        SELECT 'delete', TG_TABLE_NAME,
               CASE WHEN v_one IS NOT NULL THEN coalesce(o.j ->> v_one, '')
                    ELSE array_to_string(ARRAY(SELECT o.j ->> k FROM unnest(v_keys) k), ',') END,
               (o.j ->> v_cust)::bigint, o.j
        FROM (SELECT to_jsonb(x) j FROM old_rows x OFFSET 0) o;
    ELSE
        -- Old and new rows pair up by their key (keys are not updated).
        INSERT INTO baton_audit (action, entity, entity_id, customer_id, change)
        SELECT 'update', TG_TABLE_NAME, n.key, (n.j ->> v_cust)::bigint,
               baton_audit_diff(o.j, n.j)
        FROM (SELECT y.j, CASE WHEN v_one IS NOT NULL THEN coalesce(y.j ->> v_one, '')
                          ELSE array_to_string(ARRAY(SELECT y.j ->> k FROM unnest(v_keys) k), ',') END key
              FROM (SELECT to_jsonb(x) j FROM new_rows x OFFSET 0) y) n
        JOIN (SELECT y.j, CASE WHEN v_one IS NOT NULL THEN coalesce(y.j ->> v_one, '')
                          ELSE array_to_string(ARRAY(SELECT y.j ->> k FROM unnest(v_keys) k), ',') END key
              FROM (SELECT to_jsonb(x) j FROM old_rows x OFFSET 0) y) o USING (key)
        WHERE o.j IS DISTINCT FROM n.j;
    END IF;
    RETURN NULL;
END $$;

-- 043's baton_import_rows_of; the entity's rows are written under the mark.
CREATE OR REPLACE FUNCTION baton_import_rows_of(p_run uuid, p_src text, p_entity text, p_spec jsonb,
                                                p_shared text[], OUT inserted integer, OUT updated integer,
                                                OUT merged integer)
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM baton_import_link(p_src, p_entity, p_spec, p_shared);
    INSERT INTO baton_import_reject (line, field, reason)
    SELECT line, split_part(bad, ':', 1), substr(bad, strpos(bad, ':') + 1)
    FROM baton_import_c WHERE bad IS NOT NULL;
    DELETE FROM baton_import_c WHERE bad IS NOT NULL OR state = 'unchanged';
    ANALYZE baton_import_c;
    -- The tables an import writes whole rows of (a customer's insert is
    -- its identity resolution's, audited row by row).
    INSERT INTO baton_import_writing (pid, xact, tab, run_id, source)
    VALUES (pg_backend_pid(), pg_current_xact_id(), baton_import_table(p_entity), p_run, p_src);
    CASE p_entity
    WHEN 'contacts' THEN PERFORM baton_import_contacts();
    WHEN 'tickets' THEN PERFORM baton_import_tickets();
    WHEN 'milestones' THEN PERFORM baton_import_milestones();
    WHEN 'notes' THEN PERFORM baton_import_notes();
    WHEN 'marketing' THEN PERFORM baton_import_marketing();
    WHEN 'surveys' THEN PERFORM baton_import_surveys();
    END CASE;
    DELETE FROM baton_import_writing x WHERE x.pid = pg_backend_pid();
    -- The records there were first: planned with import_record's statistics
    -- of when the run began, which know them.  (Run after the INSERT, a
    -- first import's UPDATE was planned for the few records of the source
    -- those statistics knew, found tens of thousands, and compared each
    -- with every line: 60,000 contacts ran for minutes.)
    UPDATE import_record r SET target_id = c.target, customer_id = c.cid, digest = c.digest,
        source_updated_at = (c.v ->> 'updated_at')::timestamptz, run_id = p_run, parent = c.parent
    FROM baton_import_c c
    WHERE c.target IS NOT NULL AND c.state <> 'new' AND r.source = p_src AND r.source_id = c.sid;
    INSERT INTO import_record (source, source_id, entity, target_id, customer_id, digest,
                               source_updated_at, run_id, parent)
    SELECT p_src, sid, p_entity, target, cid, digest, (v ->> 'updated_at')::timestamptz, p_run, parent
    FROM baton_import_c WHERE target IS NOT NULL AND state = 'new';
    SELECT count(*) FILTER (WHERE state = 'new'), count(*) FILTER (WHERE state = 'updated')
        INTO inserted, updated FROM baton_import_c;
    merged := 0;
    IF p_entity = 'contacts' THEN
        -- Contacts' addresses and domains are their customers' identifiers.
        CREATE TEMP TABLE baton_import_node ON COMMIT DROP AS
        SELECT DISTINCT 'c:' || cid AS node, cid FROM baton_import_c WHERE v ? 'email';
        CREATE TEMP TABLE baton_import_claim ON COMMIT DROP AS
        SELECT DISTINCT 'c:' || cid AS node, k.kind, k.value FROM baton_import_c,
            LATERAL (VALUES ('email', lower(v ->> 'email')), ('domain', baton_norm_domain(v ->> 'email'))) k(kind, value)
        WHERE v ? 'email';
        ANALYZE baton_import_node;
        ANALYZE baton_import_claim;
        PERFORM baton_import_resolve(p_shared);
        merged := baton_import_absorb_all(p_run);
    END IF;
END $$;
