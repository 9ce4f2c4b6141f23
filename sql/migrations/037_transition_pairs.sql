-- Baton schema, version 37: statement triggers pair a statement's old and
-- new rows at a cost in proportion to the rows, whatever ran before.
--
-- PL/pgSQL plans a statement once a session and keeps the plan.  A
-- trigger's statement reading the transition tables is planned with the
-- rows of its first firing: a statement that changed no row (an import's
-- digest renewal that found nothing, an UPDATE ... WHERE that matched
-- nothing) gets a plan for one row on each side, which joins old and new
-- rows in a nested loop.  Every later statement of the session reuses it:
-- measured at 100,000 customers, an UPDATE of 3,000 tickets after an UPDATE
-- of none in the same session took 71 s, the audit trigger comparing each
-- new row with every old one (to_jsonb of both for each pair); 035 met the
-- same plan in import_record's trigger (46 minutes for 100,000 tickets).
-- `baton import` imports its files in one session, and a console keeps
-- its session all day.
--
-- - The audit trigger pairs rows only with rows: no base table joins them,
--   so it plans without nested loops, and the pairing is hashed or merged
--   at any size.  (Its INSERT branch's look-up of a handoff is a sub-plan,
--   which enable_nestloop does not touch.)
-- - The customer triggers that only ask which rows changed ask it as a set
--   difference of (key, columns): EXCEPT treats NULLs as equal, as IS
--   DISTINCT FROM did, and keys are not updated (030 refuses renumbering
--   what import records name; nothing else renumbers customers).  The
--   customers changed then reach their signal rows by index, as before.
-- - The queue totals' trigger on customers returns at once when no
--   customer's segment changed (a set difference again).  It ran six
--   statements on every UPDATE of customers, each planned with the
--   statement's row counts and, for 20,000 customers renamed, sorting
--   every handoff to find none (1.2 s each, 7 s in all).
-- baton_notify_handoff also pairs old and new handoffs; it is left as it
-- is: its branch for many rows is planned by its first bulk statement, and
-- nothing writes many handoffs at once but a lead's bulk acknowledgement.
ALTER FUNCTION baton_audit_statement() SET enable_nestloop = off;

CREATE OR REPLACE FUNCTION baton_signal_mark_customer() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO customer_signal_state (customer_id) SELECT n.id FROM new_rows n
        ON CONFLICT DO NOTHING;
    ELSIF TG_OP = 'DELETE' THEN
        DELETE FROM customer_signal_state st WHERE st.customer_id IN (SELECT o.id FROM old_rows o);
        DELETE FROM customer_signal s WHERE s.customer_id IN (SELECT o.id FROM old_rows o);
    ELSE
        INSERT INTO signal_dirty (customer_id)
        SELECT x.id FROM (SELECT n.id, n.onboarding_health FROM new_rows n
                          EXCEPT SELECT o.id, o.onboarding_health FROM old_rows o) x;
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION baton_signal_customer_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    UPDATE customer_signal s SET customer = n.name, segment = n.segment, owner = n.owner
    FROM (SELECT x.id, x.name, x.segment, x.owner FROM new_rows x
          EXCEPT SELECT y.id, y.name, y.segment, y.owner FROM old_rows y) n
    WHERE s.customer_id = n.id;
    RETURN NULL;
END $$;

-- 025's, with the early return above.
CREATE OR REPLACE FUNCTION baton_queue_totals_write() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v text[];
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        DELETE FROM queue_total;
        DELETE FROM queue_ack_hist;
        DELETE FROM queue_due;
        RETURN NULL;
    END IF;
    IF TG_TABLE_NAME = 'customer' AND TG_OP = 'DELETE' THEN
        -- Before the delete cascades to the handoffs, whose own trigger
        -- will no longer find the customer.
        v := baton_queue_totals_sql(
            'SELECT -1 AS s, h.*, $2::text AS seg FROM handoff h WHERE h.customer_id = $1');
        EXECUTE v[1] USING OLD.id, OLD.segment;
        EXECUTE v[2] USING OLD.id, OLD.segment;
        EXECUTE v[5] USING OLD.id, OLD.segment;
        RETURN OLD;
    END IF;
    IF TG_TABLE_NAME = 'customer' AND TG_OP = 'UPDATE' THEN
        -- Nested: the statement names columns and tables only an UPDATE of
        -- customers has.
        IF NOT EXISTS (SELECT 1 FROM (SELECT n.id, n.segment FROM new_rows n
                                      EXCEPT SELECT o.id, o.segment FROM old_rows o) x) THEN
            RETURN NULL; -- no segment changed: no count moves
        END IF;
    END IF;
    v := baton_queue_totals_sql(CASE
        -- Only the customers whose segment changed are joined to their
        -- handoffs.
        WHEN TG_TABLE_NAME = 'customer' THEN
            'WITH m AS (SELECT o.id, o.segment AS o_seg, n.segment AS n_seg'
            '           FROM old_rows o JOIN new_rows n ON n.id = o.id'
            '           WHERE n.segment IS DISTINCT FROM o.segment)'
            ' SELECT -1 AS s, h.*, m.o_seg AS seg FROM m JOIN handoff h ON h.customer_id = m.id'
            ' UNION ALL SELECT 1, h.*, m.n_seg FROM m JOIN handoff h ON h.customer_id = m.id'
        WHEN TG_OP = 'INSERT' THEN
            'SELECT 1 AS s, x.*, c.segment AS seg FROM new_rows x JOIN customer c ON c.id = x.customer_id'
        WHEN TG_OP = 'DELETE' THEN
            'SELECT -1 AS s, x.*, c.segment AS seg FROM old_rows x JOIN customer c ON c.id = x.customer_id'
        ELSE
            'SELECT 1 AS s, x.*, c.segment AS seg FROM new_rows x JOIN customer c ON c.id = x.customer_id'
            ' UNION ALL SELECT -1, x.*, c.segment FROM old_rows x JOIN customer c ON c.id = x.customer_id'
        END);
    EXECUTE v[1];
    EXECUTE v[2];
    EXECUTE v[5];
    IF current_setting('transaction_isolation') = 'read committed'
       AND pg_try_advisory_xact_lock(hashtext('baton_queue_totals')) THEN
        EXECUTE v[3];
        EXECUTE v[4];
        EXECUTE v[6];
        PERFORM baton_queue_due_fold();
    END IF;
    RETURN NULL;
END $$;
