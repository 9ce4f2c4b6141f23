-- Baton schema, version 99: a customer absorbed by a merge has its
-- survivor's segment, for who may see it and for the lead's queue.
--
-- A merge (010, an import's or one by hand) leaves the absorbed customer's
-- row and everything written about it in place, and the survivor's screen
-- shows them all as one profile.  Their segment was still each row's own:
-- - a person scoped to the survivor's segment did not see the absorbed
--   customer's tickets, notes and handoffs on the survivor's screen (nor
--   "also: #B" in its header), while a person scoped to the absorbed
--   customer's own segment read them in the queue, `baton show #B` and the
--   CSV exports, beside a profile they may not see;
-- - the queue's segment= filter and its counts put a handoff written about
--   an absorbed customer under that customer's old segment: a lead looking
--   at enterprise did not see a handoff on an enterprise account whose
--   record had come in as smb.
-- Now the segment of a customer is its survivor's (merged_into is never a
-- chain: a merge into an absorbed customer goes to its survivor, 010), in
-- baton_me_sees_customer, the customers' read policy and the totals of the
-- queue (014, 016, 025), which move when a customer is absorbed or split
-- off (merged_into changes) as they move when a segment changes.  A split
-- gives the customer its own segment back.

-- Writers wait until this migration commits: one that wrote a handoff of
-- an absorbed customer under the old rule after the counts below were
-- moved would leave it counted under the absorbed customer's own segment.
-- Readers go on.
LOCK TABLE handoff, customer IN SHARE ROW EXCLUSIVE MODE;

-- 018's, through the survivor.  089's generic plan is kept: CREATE OR
-- REPLACE sets a function's settings to the ones it names.
CREATE OR REPLACE FUNCTION baton_me_sees_customer(p_customer bigint) RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = public, pg_temp SET plan_cache_mode = force_generic_plan AS $$
BEGIN
    RETURN EXISTS (SELECT 1 FROM customer a JOIN customer c ON c.id = coalesce(a.merged_into, a.id)
                   JOIN staff s ON s.role_name = session_user
                   WHERE a.id = p_customer AND s.active
                     AND (s.scope IS NULL OR c.segment = ANY (s.scope)));
END
$$;

-- The segment of a customer whose row has merged_into and segment: its
-- survivor's.  A body of the standard's form, its names resolved now.
CREATE FUNCTION baton_customer_segment(p_merged_into bigint, p_segment text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
RETURN CASE WHEN p_merged_into IS NULL THEN p_segment
            ELSE (SELECT s.segment FROM public.customer s WHERE s.id = p_merged_into) END;

-- 025's (037's), a handoff counted under its customer's survivor's
-- segment: a customer's change of segment moves the counts of its own
-- handoffs and of those of the customers absorbed into it; a change of
-- merged_into moves its own handoffs' from the segment they had to the
-- new survivor's.
-- - A survivor's segment is read after locking its row FOR SHARE (the
--   survivors of the customers changed, of the handoffs written): a merge
--   into it, or a handoff of a customer absorbed into it, and a change of
--   its segment in another transaction then come one after the other, and
--   the later one counts under the segment the earlier one left.  (A
--   customer's own segment and its handoffs are not locked so, as before
--   099: every handoff's write would lock its customer's row.)
-- - A deleted survivor takes the counts of the customers absorbed into it
--   with its own (a statement may delete both; deleting it alone is
--   refused by merged_into's foreign key at the statement's end); an
--   absorbed customer deleted after its survivor in the same statement has
--   none left to take.
CREATE OR REPLACE FUNCTION baton_queue_totals_write() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v text[];
    v_seg text;
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
        v_seg := baton_customer_segment(OLD.merged_into, OLD.segment);
        IF v_seg IS NULL THEN
            RETURN OLD; -- its survivor, deleted before it, took its counts
        END IF;
        v := baton_queue_totals_sql(
            'SELECT -1 AS s, h.*, $2::text AS seg FROM handoff h WHERE h.customer_id = $1'
            ' UNION ALL SELECT -1, h.*, $2 FROM customer a JOIN handoff h ON h.customer_id = a.id'
            ' WHERE a.merged_into = $1');
        EXECUTE v[1] USING OLD.id, v_seg;
        EXECUTE v[2] USING OLD.id, v_seg;
        EXECUTE v[5] USING OLD.id, v_seg;
        RETURN OLD;
    END IF;
    IF TG_TABLE_NAME = 'customer' AND TG_OP = 'UPDATE' THEN
        -- Nested: the statement names columns and tables only an UPDATE of
        -- customers has.
        IF NOT EXISTS (SELECT 1 FROM (SELECT n.id, n.segment, n.merged_into FROM new_rows n
                                      EXCEPT SELECT o.id, o.segment, o.merged_into FROM old_rows o) x) THEN
            RETURN NULL; -- no segment and no merge changed: no count moves
        END IF;
        PERFORM FROM customer s WHERE s.id IN (SELECT n.merged_into FROM new_rows n
                                               WHERE n.merged_into IS NOT NULL)
        ORDER BY s.id FOR SHARE OF s;
    ELSIF TG_TABLE_NAME = 'handoff' AND TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM FROM customer s WHERE s.id IN (SELECT c.merged_into FROM new_rows x
                                               JOIN customer c ON c.id = x.customer_id
                                               WHERE c.merged_into IS NOT NULL)
        ORDER BY s.id FOR SHARE OF s;
    END IF;
    v := baton_queue_totals_sql(CASE
        -- ch: the customers whose segment or survivor changed; f: they and
        -- the customers absorbed into them, each with the segment its
        -- handoffs were counted under (its survivor's before the
        -- statement: a changed row's old values, any other's as they
        -- stand) and the one they are counted under now.
        WHEN TG_TABLE_NAME = 'customer' THEN
            'WITH ch AS MATERIALIZED (SELECT o.id, o.segment, o.merged_into'
            '           FROM old_rows o JOIN new_rows n ON n.id = o.id'
            '           WHERE (n.segment, n.merged_into) IS DISTINCT FROM (o.segment, o.merged_into)),'
            ' f AS MATERIALIZED (SELECT id FROM ch UNION SELECT a.id FROM ch JOIN customer a ON a.merged_into = ch.id),'
            ' m AS MATERIALIZED (SELECT f.id, CASE WHEN was.id IS NOT NULL THEN was.segment ELSE wc.segment END AS o_seg,'
            '                          nc.segment AS n_seg'
            '           FROM f JOIN customer a ON a.id = f.id'
            '           JOIN customer nc ON nc.id = coalesce(a.merged_into, a.id)'
            '           LEFT JOIN ch fo ON fo.id = f.id'
            '           CROSS JOIN LATERAL (SELECT CASE WHEN fo.id IS NOT NULL THEN coalesce(fo.merged_into, f.id)'
            '                                       ELSE coalesce(a.merged_into, f.id) END AS id) w'
            '           LEFT JOIN ch was ON was.id = w.id'
            '           LEFT JOIN customer wc ON wc.id = w.id'
            '           WHERE CASE WHEN was.id IS NOT NULL THEN was.segment ELSE wc.segment END'
            '                 IS DISTINCT FROM nc.segment)'
            ' SELECT -1 AS s, h.*, m.o_seg AS seg FROM m JOIN handoff h ON h.customer_id = m.id'
            ' UNION ALL SELECT 1, h.*, m.n_seg FROM m JOIN handoff h ON h.customer_id = m.id'
        WHEN TG_OP = 'INSERT' THEN
            'SELECT 1 AS s, x.*, baton_customer_segment(c.merged_into, c.segment) AS seg'
            ' FROM new_rows x JOIN customer c ON c.id = x.customer_id'
        WHEN TG_OP = 'DELETE' THEN
            'SELECT -1 AS s, x.*, baton_customer_segment(c.merged_into, c.segment) AS seg'
            ' FROM old_rows x JOIN customer c ON c.id = x.customer_id'
        ELSE
            'SELECT 1 AS s, x.*, baton_customer_segment(c.merged_into, c.segment) AS seg'
            ' FROM new_rows x JOIN customer c ON c.id = x.customer_id'
            ' UNION ALL SELECT -1, x.*, baton_customer_segment(c.merged_into, c.segment)'
            ' FROM old_rows x JOIN customer c ON c.id = x.customer_id'
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

-- 025's, the deadlines of this hour by the survivor's segment.
CREATE OR REPLACE FUNCTION baton_queue_counts(p_team text, p_person text, p_reason text, p_priority text,
                                              p_segment text, p_mine boolean)
RETURNS TABLE (to_team text, active bigint, unack bigint, breached bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    WITH me AS (SELECT (SELECT s.team_id FROM staff s WHERE s.role_name = session_user) AS team),
    -- Each once: a generic plan guesses one row of each and would
    -- otherwise compute b and r again for every team of t.
    t AS MATERIALIZED (SELECT q.to_team, sum(q.n) AS active, sum(q.n) FILTER (WHERE q.state = 'open') AS unack
          FROM queue_total q, me
          WHERE (p_team = '' OR q.to_team = p_team) AND (p_person = '' OR q.to_staff = p_person)
            AND (p_reason = '' OR q.reason = p_reason) AND (p_priority = '' OR q.priority = p_priority)
            AND (p_segment = '' OR q.segment = p_segment)
            AND (NOT p_mine OR q.to_staff = session_user OR q.to_team = me.team)
          GROUP BY q.to_team HAVING sum(q.n) > 0),
    b AS MATERIALIZED (SELECT q.to_team, sum(q.n) AS n
          FROM queue_due q, me
          WHERE q.due_hour < baton_due_hour(now())
            AND (p_team = '' OR q.to_team = p_team) AND (p_person = '' OR q.to_staff = p_person)
            AND (p_reason = '' OR q.reason = p_reason) AND (p_priority = '' OR q.priority = p_priority)
            AND (p_segment = '' OR q.segment = p_segment)
            AND (NOT p_mine OR q.to_staff = session_user OR q.to_team = me.team)
          GROUP BY q.to_team),
    r AS MATERIALIZED (SELECT h.to_team, count(*) AS n
          FROM handoff h, me
          WHERE h.state = 'open' AND h.ack_due_at >= baton_due_hour(now()) AND h.ack_due_at < now()
            AND (p_team = '' OR h.to_team = p_team) AND (p_person = '' OR h.to_staff = p_person)
            AND (p_reason = '' OR h.reason = p_reason) AND (p_priority = '' OR h.priority = p_priority)
            AND (p_segment = '' OR EXISTS (SELECT 1 FROM customer c
                                           WHERE c.id = h.customer_id
                                             AND baton_customer_segment(c.merged_into, c.segment) = p_segment))
            AND (NOT p_mine OR h.to_staff = session_user OR h.to_team = me.team)
          GROUP BY h.to_team)
    SELECT t.to_team, t.active::bigint, coalesce(t.unack, 0)::bigint,
           (coalesce(b.n, 0) + coalesce(r.n, 0))::bigint
    FROM t LEFT JOIN b ON b.to_team = t.to_team LEFT JOIN r ON r.to_team = t.to_team
    WHERE baton_me_sees_totals()
    ORDER BY 1;
END $$;

-- The handoffs of customers absorbed before this migration, counted under
-- their own segment, move to their survivor's (few rows: the absorbed
-- customers whose segment differs from their survivor's, by
-- customer_merged_into_idx).
DO $$
DECLARE
    v text[] := baton_queue_totals_sql(
        'WITH m AS MATERIALIZED (SELECT a.id, a.segment AS o_seg, c.segment AS n_seg'
        '           FROM customer a JOIN customer c ON c.id = a.merged_into'
        '           WHERE a.merged_into IS NOT NULL AND a.segment IS DISTINCT FROM c.segment)'
        ' SELECT -1 AS s, h.*, m.o_seg AS seg FROM m JOIN handoff h ON h.customer_id = m.id'
        ' UNION ALL SELECT 1, h.*, m.n_seg FROM m JOIN handoff h ON h.customer_id = m.id');
BEGIN
    EXECUTE v[1];
    EXECUTE v[2];
    EXECUTE v[5];
END $$;

-- The policy last: ALTER POLICY locks its table until the migration
-- commits.  032's, an absorbed customer seen as its survivor is.
ALTER POLICY staff_read ON customer
    USING (EXISTS (SELECT 1 FROM public.staff me
                   WHERE me.role_name = session_user AND me.active AND me.scope IS NULL)
           OR (merged_into IS NULL
               AND segment = ANY ((SELECT me.scope FROM public.staff me
                                   WHERE me.role_name = session_user AND me.active)::text[]))
           OR (merged_into IS NOT NULL AND baton_me_sees_customer(merged_into)));
