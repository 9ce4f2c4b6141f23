-- The lead's queue list and the medians of views combining two filters.
--
-- 1. The list's second branch (open handoffs still within their deadline,
--    oldest first) read every open handoff of handoff_open_severity_idx,
--    whose first column is the priority: the condition on the deadline
--    could not bound the scan (at 1M handoffs 50,000 entries for the 8,500
--    within their SLA).  handoff_open_within_idx (014) is ordered by the
--    deadline but did not hold the id and creation time the branch returns
--    and sorts by, so it was not used.  It now holds them: the branch reads
--    only the open handoffs within their deadline, from the index alone,
--    and sorts those it keeps.  The counts (014's w) read the same range.
-- 2. The list's first branch (breached, by severity) reads
--    handoff_open_severity_idx in its order and stops at the rows it
--    shows, but the index did not hold the priority a filter may name:
--    every entry was fetched from the table, so for a filter the planner
--    preferred bitmaps of the team's and every open handoff's entries
--    (BitmapAnd), which grow with the table.  The index now holds it: the
--    branch reads it alone; with priority= it reads that priority's range
--    (src/queue.c says so with the rank, which the index is ordered by).
-- 3. segment= filters on the customer's segment: customer_segment_idx
--    gives a segment's customers from the index alone (a hash of them for
--    a rare segment, a probe per handoff for a common one) instead of
--    reading every customer.
-- 4. Medians of a view combining two filters (team=support priority=high,
--    mine and a reason, ...) from the buckets of migration 014 instead of
--    every acknowledgement of the last 30 days.  queue_ack_hist gains
--    val2, and each acknowledgement is also counted once per pair of the
--    dimensions a view filters on (the list in baton_queue_ack_keys).  A
--    team and a person need no pair: a person's rows ('s') already carry
--    the handoff's team.  "mine" is my team or handed to me, so mine and
--    one other filter is one or two ranges of the pairs with team or person
--    (baton_queue_medians).  The median stays exact: the lower middle
--    value of the buckets, which print as the values do (014).  Views with
--    three or more filters still read the handoffs directly (src/queue.c).
--    Row-level security as in 014: only people who see every customer read
--    the buckets; a scoped person's medians are computed under the policies.
-- 5. Those computed medians (three filters and more, or a scoped person's
--    view) read handoff_acknowledged_at_idx, which did not hold the
--    customer the policies and segment= look at: every acknowledgement of
--    30 days was fetched from the table.  It now holds it (index-only: a
--    quarter of the time at 20,000 customers).

-- 1.-3. The list -------------------------------------------------------------------
DROP INDEX handoff_open_within_idx;
CREATE INDEX handoff_open_within_idx ON handoff (ack_due_at)
    INCLUDE (id, created_at, to_team, to_staff, reason, priority, customer_id) WHERE state = 'open';
DROP INDEX handoff_open_severity_idx;
CREATE INDEX handoff_open_severity_idx ON handoff (baton_priority_rank(priority), ack_due_at)
    INCLUDE (id, created_at, to_team, to_staff, reason, priority, customer_id) WHERE state = 'open';
CREATE INDEX customer_segment_idx ON customer (segment, id);

-- 4. Medians of two filters ------------------------------------------------------------
-- No writer may change a handoff or a customer between the pairs' first
-- count below and the triggers counting them (the lock waits for writers
-- in progress and holds new ones until this migration commits).
LOCK TABLE handoff, customer IN SHARE ROW EXCLUSIVE MODE;

ALTER TABLE queue_ack_hist ADD COLUMN val2 text NOT NULL DEFAULT '';
DROP INDEX queue_ack_hist_key_idx;
CREATE INDEX queue_ack_hist_key_idx ON queue_ack_hist (dim, val, val2, day, team, bucket);

-- The keys an acknowledgement is counted under: (dim, val, val2, team).
--   '*' all; t team; s person (team: the handoff's); r reason; p priority;
--   g segment (the customer's);
--   pairs, val and val2 in this order:
--   a team, reason;  b team, priority;  c team, segment;
--   d person, reason;  e person, priority;  f person, segment (team: the
--   handoff's, as for s);
--   h reason, priority;  i reason, segment;  j priority, segment.
-- A key with an unknown value (no person, no segment) is left out.
CREATE FUNCTION baton_queue_ack_keys(p_team text, p_staff text, p_reason text, p_priority text,
                                     p_segment text)
RETURNS TABLE (dim "char", val text, val2 text, team text)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT k.dim, k.val, k.val2, k.team
    FROM (VALUES ('*'::"char", ''::text, ''::text, ''::text), ('t', p_team, '', ''),
                 ('s', p_staff, '', p_team), ('r', p_reason, '', ''), ('p', p_priority, '', ''),
                 ('g', p_segment, '', ''),
                 ('a', p_team, p_reason, ''), ('b', p_team, p_priority, ''), ('c', p_team, p_segment, ''),
                 ('d', p_staff, p_reason, p_team), ('e', p_staff, p_priority, p_team),
                 ('f', p_staff, p_segment, p_team),
                 ('h', p_reason, p_priority, ''), ('i', p_reason, p_segment, ''),
                 ('j', p_priority, p_segment, '')) AS k (dim, val, val2, team)
    WHERE k.val IS NOT NULL AND k.val2 IS NOT NULL
$$;

-- As 014's, with the keys of baton_queue_ack_keys and val2 in them.
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
    $q$, p_rows)];

-- The pairs of the acknowledgements as they stand (the single keys were
-- counted by 014 and since).  Once; as 014's first count, longer than a
-- session's statement_timeout may allow at full scale.
SET LOCAL statement_timeout = 0;
SET LOCAL jit = off;
INSERT INTO queue_ack_hist (dim, val, val2, team, day, bucket, n)
SELECT k.dim, k.val, k.val2, k.team, (h.acknowledged_at AT TIME ZONE 'UTC')::date,
       baton_age_bucket(baton_ack_seconds(h.created_at, h.acknowledged_at)), count(*)
FROM handoff h JOIN customer c ON c.id = h.customer_id
CROSS JOIN LATERAL baton_queue_ack_keys(h.to_team, h.to_staff::text, h.reason, h.priority, c.segment) k
WHERE h.acknowledged_at >= now() - interval '31 days' AND k.dim NOT IN ('*', 't', 's', 'r', 'p', 'g')
GROUP BY 1, 2, 3, 4, 5, 6;

-- The medians of a view come from the buckets when the person sees every
-- customer and the view has at most two filters of team, person, reason,
-- priority, segment and mine.
CREATE OR REPLACE FUNCTION baton_queue_medians_fast(p_team text, p_person text, p_reason text,
                                                    p_priority text, p_segment text, p_mine boolean)
RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
RETURN baton_me_sees_totals()
       AND (p_team <> '')::int + (p_person <> '')::int + (p_reason <> '')::int
           + (p_priority <> '')::int + (p_segment <> '')::int + p_mine::int <= 2;

-- A view's median times to acknowledge over the last 7 and 30 days, as
-- baton_age_bucket values; no row unless baton_queue_medians_fast.  The
-- view is one or two ranges of keys (dim, val, val2), each of every team
-- or only of the rows whose team is (or is not) a given one.
CREATE OR REPLACE FUNCTION baton_queue_medians(p_team text, p_person text, p_reason text, p_priority text,
                                               p_segment text, p_mine boolean)
RETURNS TABLE (median_7d bigint, median_30d bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    today date := (now() AT TIME ZONE 'UTC')::date;
    me text := session_user;
    v_team text := (SELECT s.team_id FROM staff s WHERE s.role_name = session_user);
    f text[] := ARRAY[p_team, p_person, p_reason, p_priority, p_segment];
    i1 int;
    i2 int;
    -- The ranges, each a key (d, a, b) and which of its teams: tm 0 any,
    -- 1 team = tv, 2 team IS DISTINCT FROM tv.  d2 NULL: one range.
    -- Scalars, not arrays: the cached plan is two index ranges.
    d1 "char";
    a1 text;
    b1 text := '';
    tm1 int := 0;
    tv1 text;
    d2 "char";
    a2 text;
    b2 text := '';
    tm2 int := 0;
    tv2 text;
BEGIN
    IF NOT baton_queue_medians_fast(p_team, p_person, p_reason, p_priority, p_segment, p_mine) THEN
        RETURN;
    END IF;
    FOR i IN 1 .. 5 LOOP
        IF f[i] <> '' THEN
            IF i1 IS NULL THEN
                i1 := i;
            ELSE
                i2 := i;
            END IF;
        END IF;
    END LOOP;
    IF p_mine AND i1 IS NULL THEN
        -- My team's, and what was handed to me on another team.
        d1 := 't'; a1 := coalesce(v_team, '');
        d2 := 's'; a2 := me; tm2 := 2; tv2 := v_team;
    ELSIF p_mine AND i1 = 1 THEN
        -- Team T and mine: all of T when it is my team, else what T has
        -- handed to me.
        IF p_team IS NOT DISTINCT FROM v_team THEN
            d1 := 't'; a1 := p_team;
        ELSE
            d1 := 's'; a1 := me; tm1 := 1; tv1 := p_team;
        END IF;
    ELSIF p_mine AND i1 = 2 THEN
        -- Person P and mine: all of P's when P is me, else P's on my team.
        d1 := 's'; a1 := p_person;
        IF p_person <> me THEN
            tm1 := 1; tv1 := v_team;
        END IF;
    ELSIF p_mine THEN
        -- Reason, priority or segment x and mine: my team's with x, and
        -- those with x handed to me on another team.
        d1 := (ARRAY['a', 'b', 'c'])[i1 - 2]; a1 := coalesce(v_team, ''); b1 := f[i1];
        d2 := (ARRAY['d', 'e', 'f'])[i1 - 2]; a2 := me; b2 := f[i1]; tm2 := 2; tv2 := v_team;
    ELSIF i1 IS NULL THEN
        d1 := '*'; a1 := '';
    ELSIF i2 IS NULL THEN
        d1 := (ARRAY['t', 's', 'r', 'p', 'g'])[i1]; a1 := f[i1];
    ELSIF i1 = 1 AND i2 = 2 THEN
        -- Team and person: the person's rows of that team.
        d1 := 's'; a1 := p_person; tm1 := 1; tv1 := p_team;
    ELSE
        d1 := CASE i1 * 10 + i2 WHEN 13 THEN 'a' WHEN 14 THEN 'b' WHEN 15 THEN 'c'
                                WHEN 23 THEN 'd' WHEN 24 THEN 'e' WHEN 25 THEN 'f'
                                WHEN 34 THEN 'h' WHEN 35 THEN 'i' WHEN 45 THEN 'j' END;
        a1 := f[i1]; b1 := f[i2];
    END IF;
    RETURN QUERY
    WITH v AS (
        SELECT q.day, q.bucket, q.n
        FROM queue_ack_hist q
        WHERE q.dim = d1 AND q.val = a1 AND q.val2 = b1 AND q.day >= today - 29
          AND (tm1 = 0 OR (tm1 = 1 AND q.team = tv1) OR (tm1 = 2 AND q.team IS DISTINCT FROM tv1))
        UNION ALL
        SELECT q.day, q.bucket, q.n
        FROM queue_ack_hist q
        WHERE d2 IS NOT NULL AND q.dim = d2 AND q.val = a2 AND q.val2 = b2 AND q.day >= today - 29
          AND (tm2 = 0 OR (tm2 = 1 AND q.team = tv2) OR (tm2 = 2 AND q.team IS DISTINCT FROM tv2))),
    w AS (SELECT 7 AS win, v.bucket, v.n FROM v WHERE v.day >= today - 6
          UNION ALL
          SELECT 30, v.bucket, v.n FROM v),
    -- The lower middle value: the first bucket holding half of them.
    c AS (SELECT w.win, w.bucket, sum(sum(w.n)) OVER (PARTITION BY w.win ORDER BY w.bucket) AS cum,
                 sum(sum(w.n)) OVER (PARTITION BY w.win) AS total
          FROM w GROUP BY w.win, w.bucket)
    SELECT (SELECT min(c.bucket) FROM c WHERE c.win = 7 AND c.total > 0 AND c.cum * 2 >= c.total),
           (SELECT min(c.bucket) FROM c WHERE c.win = 30 AND c.total > 0 AND c.cum * 2 >= c.total);
END $$;

-- 5. The medians computed directly --------------------------------------------------
DROP INDEX handoff_acknowledged_at_idx;
CREATE INDEX handoff_acknowledged_at_idx ON handoff (acknowledged_at)
    INCLUDE (created_at, to_team, to_staff, reason, priority, customer_id)
    WHERE acknowledged_at IS NOT NULL;
