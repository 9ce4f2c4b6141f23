-- Baton schema, version 25: the queue's "breached" count from totals too.
--
-- 014 counted breached handoffs as the open ones with a deadline (from
-- queue_total) minus those still within it, read from the handoffs by
-- deadline, on the guess that those are few.  They are not: at the
-- bench's full scale 31,850 open handoffs are within their deadline, and
-- counting them is 35 of the 40 ms of a view's counts (heap fetches: the
-- pages of recent handoffs are rarely all-visible), more with a segment.
--
-- Now the open handoffs with a deadline are also counted per key and hour
-- of the deadline (queue_due).  An hour that has passed is breached as a
-- whole, so a view's breached count is the sum of its keys' rows before the
-- current hour, plus the open handoffs whose deadline passed within the
-- current hour, read from handoff_open_within_idx (a range of at most an
-- hour of deadlines: 186 at full scale).  Rows of the hours past are
-- folded into one row per key (due_hour '-infinity') as writes go: a
-- reader sums at most a row per key and the hours not yet folded.
--
-- The hours are UTC (baton_due_hour), whatever a session's time zone.
-- Like queue_total: rows of change added by the writers' statement
-- triggers (baton_queue_totals_sql [5]), folded by one transaction at a
-- time, never waited for (baton_queue_totals_write).  Summing rows is
-- right however they are folded: a -1 for an hour folded since is summed
-- with the fold's row until the next fold takes both.

-- No writer may commit between the count below and this migration's
-- commit: it would run the triggers' old function and be missed.
LOCK TABLE handoff, customer IN SHARE MODE;

-- The hour a deadline falls in, UTC.
CREATE FUNCTION baton_due_hour(p_due timestamptz) RETURNS timestamptz
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN date_bin('1 hour', p_due, timestamptz '2000-01-01 00:00:00+00');

CREATE TABLE queue_due (
    to_team   text NOT NULL,
    to_staff  name NOT NULL,      -- '' for the whole team
    reason    text NOT NULL,
    priority  text NOT NULL,
    segment   text NOT NULL,
    due_hour  timestamptz NOT NULL,  -- baton_due_hour of ack_due_at; '-infinity': hours past, folded
    n         bigint NOT NULL
);
CREATE INDEX queue_due_hour_idx ON queue_due (due_hour);
CREATE INDEX queue_due_key_idx ON queue_due (to_team, to_staff, reason, priority, segment, due_hour);
ALTER TABLE queue_due ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON queue_due FROM PUBLIC;

-- 016's statements, and [5]: the open handoffs with a deadline, per key
-- and hour of the deadline, into queue_due; [6]: the future hours of the
-- keys just changed folded into one row each (the hours past are folded by
-- baton_queue_due_fold).
CREATE OR REPLACE FUNCTION baton_queue_totals_sql(p_rows text) RETURNS text[]
LANGUAGE sql IMMUTABLE
RETURN ARRAY[format($q$
        INSERT INTO queue_total (to_team, to_staff, reason, priority, segment, state, dated, n)
        SELECT d.to_team, coalesce(d.to_staff, ''), d.reason, d.priority, d.seg, d.state,
               d.ack_due_at IS NOT NULL, sum(d.s)
        FROM (%s) d
        WHERE d.state IN ('open', 'acknowledged')
        GROUP BY 1, 2, 3, 4, 5, 6, 7 HAVING sum(d.s) <> 0
    $q$, p_rows), format($q$
        INSERT INTO queue_ack_hist (dim, val, val2, team, day, bucket, n)
        SELECT k.dim, k.val, k.val2, k.team, (d.acknowledged_at AT TIME ZONE 'UTC')::date,
               baton_age_bucket(baton_ack_seconds(d.created_at, d.acknowledged_at)), sum(d.s)
        FROM (%s) d
        CROSS JOIN LATERAL baton_queue_ack_keys(d.to_team, d.to_staff::text, d.reason, d.priority, d.seg) k
        WHERE d.acknowledged_at >= now() - interval '31 days'
        GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(d.s) <> 0
    $q$, p_rows), format($q$
        WITH k AS (SELECT DISTINCT d.to_team, coalesce(d.to_staff, '') AS to_staff, d.reason,
                          d.priority, d.seg, d.state, d.ack_due_at IS NOT NULL AS dated
                   FROM (%s) d WHERE d.state IN ('open', 'acknowledged')),
        gone AS (DELETE FROM queue_total q USING k
                 WHERE (q.to_team, q.to_staff, q.reason, q.priority, q.segment, q.state, q.dated)
                       = (k.to_team, k.to_staff, k.reason, k.priority, k.seg, k.state, k.dated)
                 RETURNING q.*)
        INSERT INTO queue_total (to_team, to_staff, reason, priority, segment, state, dated, n)
        SELECT to_team, to_staff, reason, priority, segment, state, dated, sum(n)
        FROM gone GROUP BY 1, 2, 3, 4, 5, 6, 7 HAVING sum(n) <> 0
    $q$, p_rows), format($q$
        WITH k AS (SELECT DISTINCT k.dim, k.val, k.val2, k.team,
                          (d.acknowledged_at AT TIME ZONE 'UTC')::date AS day,
                          baton_age_bucket(baton_ack_seconds(d.created_at, d.acknowledged_at)) AS bucket
                   FROM (%s) d
                   CROSS JOIN LATERAL baton_queue_ack_keys(d.to_team, d.to_staff::text, d.reason,
                                                           d.priority, d.seg) k
                   WHERE d.acknowledged_at >= now() - interval '31 days'),
        gone AS (DELETE FROM queue_ack_hist q USING k
                 WHERE (q.dim, q.val, q.val2, q.day, q.team, q.bucket)
                       = (k.dim, k.val, k.val2, k.day, k.team, k.bucket)
                 RETURNING q.*)
        INSERT INTO queue_ack_hist (dim, val, val2, team, day, bucket, n)
        SELECT dim, val, val2, team, day, bucket, sum(n)
        FROM gone GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(n) <> 0
    $q$, p_rows), format($q$
        INSERT INTO queue_due (to_team, to_staff, reason, priority, segment, due_hour, n)
        SELECT d.to_team, coalesce(d.to_staff, ''), d.reason, d.priority, d.seg,
               baton_due_hour(d.ack_due_at), sum(d.s)
        FROM (%s) d
        WHERE d.state = 'open' AND d.ack_due_at IS NOT NULL
        GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(d.s) <> 0
    $q$, p_rows), format($q$
        WITH k AS (SELECT DISTINCT d.to_team, coalesce(d.to_staff, '') AS to_staff, d.reason,
                          d.priority, d.seg, baton_due_hour(d.ack_due_at) AS due_hour
                   FROM (%s) d
                   WHERE d.state = 'open' AND d.ack_due_at >= baton_due_hour(now())),
        gone AS (DELETE FROM queue_due q USING k
                 WHERE (q.to_team, q.to_staff, q.reason, q.priority, q.segment, q.due_hour)
                       = (k.to_team, k.to_staff, k.reason, k.priority, k.seg, k.due_hour)
                 RETURNING q.*)
        INSERT INTO queue_due (to_team, to_staff, reason, priority, segment, due_hour, n)
        SELECT to_team, to_staff, reason, priority, segment, due_hour, sum(n)
        FROM gone GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(n) <> 0
    $q$, p_rows)];

-- The hours past, each key's into one row ('-infinity'): the keys with a
-- row of an hour past not folded yet (a deadline passed since the last
-- fold, or a handoff changed after its deadline), found by the range of
-- queue_due_hour_idx between '-infinity' and the current hour (empty most
-- of the time).  Run by a transaction holding the fold's lock.
CREATE FUNCTION baton_queue_due_fold() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_hour timestamptz := baton_due_hour(now());
BEGIN
    -- Most writes find nothing to fold: one probe of the index.
    IF NOT EXISTS (SELECT 1 FROM queue_due WHERE due_hour > '-infinity' AND due_hour < v_hour) THEN
        RETURN;
    END IF;
    WITH k AS (SELECT DISTINCT to_team, to_staff, reason, priority, segment FROM queue_due
               WHERE due_hour > '-infinity' AND due_hour < v_hour),
    gone AS (DELETE FROM queue_due q USING k
             WHERE (q.to_team, q.to_staff, q.reason, q.priority, q.segment)
                   = (k.to_team, k.to_staff, k.reason, k.priority, k.segment)
               AND q.due_hour < v_hour
             RETURNING q.*)
    INSERT INTO queue_due (to_team, to_staff, reason, priority, segment, due_hour, n)
    SELECT to_team, to_staff, reason, priority, segment, '-infinity', sum(n)
    FROM gone GROUP BY 1, 2, 3, 4, 5 HAVING sum(n) <> 0;
END $$;
REVOKE ALL ON FUNCTION baton_queue_due_fold() FROM PUBLIC;

-- 014's, with queue_due: [5] beside [1] and [2], [6] and the hours past
-- folded beside [3] and [4], emptied on TRUNCATE.
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

-- The counts as they stand, then the hours past folded.
SET LOCAL statement_timeout = 0;
SET LOCAL jit = off;
DO $$
BEGIN
    EXECUTE (baton_queue_totals_sql(
        'SELECT 1 AS s, h.*, c.segment AS seg FROM handoff h JOIN customer c ON c.id = h.customer_id'
        ' WHERE h.state = ''open'' AND h.ack_due_at IS NOT NULL'))[5];
    PERFORM baton_queue_due_fold();
END $$;

-- 014's, breached from queue_due: the hours past (b), and the deadlines
-- passed within the current hour (r, from handoff_open_within_idx).
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
                                           WHERE c.id = h.customer_id AND c.segment = p_segment))
            AND (NOT p_mine OR h.to_staff = session_user OR h.to_team = me.team)
          GROUP BY h.to_team)
    SELECT t.to_team, t.active::bigint, coalesce(t.unack, 0)::bigint,
           (coalesce(b.n, 0) + coalesce(r.n, 0))::bigint
    FROM t LEFT JOIN b ON b.to_team = t.to_team LEFT JOIN r ON r.to_team = t.to_team
    WHERE baton_me_sees_totals()
    ORDER BY 1;
END $$;
