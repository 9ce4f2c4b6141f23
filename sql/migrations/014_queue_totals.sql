-- The handoff queue's counts and medians from totals kept by triggers, so
-- that they cost the same whether there are a thousand handoffs or millions.
--
-- 1. queue_total: the active handoffs (open, acknowledged) counted per
--    receiving team, person, reason, priority, customer segment, state and
--    whether an acknowledgement deadline is set.  The counts a queue view
--    shows are a sum over its few rows.  "Breached" depends on the clock,
--    not on a write, so it is never stored: breached = open with a deadline
--    minus open still within it, and those still within their SLA are few
--    (an SLA is hours) and read directly from handoff_open_within_idx.
-- 2. queue_ack_hist: times to acknowledge, counted per UTC day of the
--    acknowledgement and per bucket of the time taken.  A bucket is what
--    the screen prints (fmt_age in src/fmt.c: minutes under an hour, hours
--    under a day, then days, weeks, months, years), so a median read from
--    the buckets prints exactly as the median of the values.  The median is
--    the lower middle value (percentile_disc).  The windows are whole UTC
--    days: "the last 7 days" is today and the 6 days before it, "the last
--    30 days" today and the 29 before (src/queue.c counts the same ones
--    directly).  Each acknowledgement is counted once per dimension a view
--    filters on (all, team, person, reason, priority, segment): a view with
--    one filter reads one range; views combining filters read the handoffs
--    directly.  Acknowledgements older than
--    31 days are not counted: no window reaches them.
--
-- Both are kept by statement-level triggers with transition tables, as rows
-- of change added per key (no writer waits for another: see
-- baton_queue_totals_sql), folded into one row per key as writes go.
-- Segment is the customer's: changing it moves the counts of its handoffs
-- (a trigger on customer), and deleting a customer takes its handoffs'
-- counts with it.
--
-- Row-level security: the totals count every customer, so they are read
-- only by people who see every customer (and roles that bypass the
-- policies); a person limited by a scope gets the counts and medians read
-- directly under the policies (src/queue.c sends both branches, the server
-- runs one).

-- What fmt_age prints, as the seconds it stands for (floored to its unit);
-- -1 for a negative time.  Keep in step with fmt_age (src/fmt.c).
CREATE FUNCTION baton_age_bucket(p_seconds bigint) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN p_seconds < 0 THEN -1
            WHEN p_seconds < 3600 THEN p_seconds / 60 * 60
            WHEN p_seconds < 86400 THEN p_seconds / 3600 * 3600
            WHEN p_seconds < 14 * 86400 THEN p_seconds / 86400 * 86400
            WHEN p_seconds < 60 * 86400 THEN p_seconds / (7 * 86400) * (7 * 86400)
            WHEN p_seconds < 730 * 86400 THEN p_seconds / (30 * 86400) * (30 * 86400)
            ELSE p_seconds / (365 * 86400) * (365 * 86400) END;

-- Seconds from creation to acknowledgement, floored.
CREATE FUNCTION baton_ack_seconds(p_created timestamptz, p_acknowledged timestamptz) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN floor(extract(epoch FROM p_acknowledged - p_created))::bigint;

CREATE TABLE queue_total (
    to_team   text NOT NULL,
    to_staff  name NOT NULL,      -- '' for the whole team
    reason    text NOT NULL,
    priority  text NOT NULL,
    segment   text NOT NULL,
    state     text NOT NULL,
    dated     boolean NOT NULL,   -- ack_due_at is set
    n         bigint NOT NULL
);
CREATE INDEX queue_total_key_idx ON queue_total (to_team, to_staff, reason, priority, segment, state, dated);

CREATE TABLE queue_ack_hist (
    dim     "char" NOT NULL,      -- '*' all, t team, s person, r reason, p priority, g segment
    val     text NOT NULL,        -- the team, person, ... ('' for '*')
    team    text NOT NULL,        -- for s: the handoff's team (the "mine" view); else ''
    day     date NOT NULL,        -- of the acknowledgement, UTC
    bucket  bigint NOT NULL,      -- baton_age_bucket of the time to acknowledge
    n       bigint NOT NULL
);
CREATE INDEX queue_ack_hist_key_idx ON queue_ack_hist (dim, val, day, team, bucket);

-- Read through the functions below only.
ALTER TABLE queue_total ENABLE ROW LEVEL SECURITY;
ALTER TABLE queue_ack_hist ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON queue_total, queue_ack_hist FROM PUBLIC;

-- The statements that apply signed rows (s = +1 or -1, a handoff's
-- columns, seg its customer's segment), given by a query text, to both
-- tables: [1] and [2] add one row of change per key, [3] and [4] fold the
-- rows of the keys just changed into one.  The query is one of the fixed
-- texts of the triggers below, never user text.  The trigger functions run
-- them themselves: transition tables are visible to their own statements
-- only, not to a function they call.
--
-- Why rows of change and not one row per key updated in place: a writer
-- would hold that row's lock until it commits, and two transactions that
-- each write twice (an import, a bulk acknowledge) could wait for each
-- other.  Adding rows locks nothing.  Folding deletes only rows others
-- committed (and the writer's own), and only one transaction folds at a
-- time (a transaction-level advisory lock, tried, never waited for: a
-- writer that does not get it leaves its rows for the next), so it never
-- waits either.  Readers sum whatever rows a key has.  A transaction that
-- is not READ COMMITTED does not fold: its snapshot could miss another
-- folder's committed deletes and fail to serialize.
CREATE FUNCTION baton_queue_totals_sql(p_rows text) RETURNS text[]
LANGUAGE sql IMMUTABLE
RETURN ARRAY[format($q$
        INSERT INTO queue_total (to_team, to_staff, reason, priority, segment, state, dated, n)
        SELECT d.to_team, coalesce(d.to_staff, ''), d.reason, d.priority, d.seg, d.state,
               d.ack_due_at IS NOT NULL, sum(d.s)
        FROM (%s) d
        WHERE d.state IN ('open', 'acknowledged')
        GROUP BY 1, 2, 3, 4, 5, 6, 7 HAVING sum(d.s) <> 0
    $q$, p_rows), format($q$
        INSERT INTO queue_ack_hist (dim, val, team, day, bucket, n)
        SELECT k.dim, k.val, k.team, (d.acknowledged_at AT TIME ZONE 'UTC')::date,
               baton_age_bucket(baton_ack_seconds(d.created_at, d.acknowledged_at)), sum(d.s)
        FROM (%s) d
        CROSS JOIN LATERAL (VALUES ('*'::"char", ''::text, ''::text), ('t', d.to_team, ''),
                                   ('s', d.to_staff::text, d.to_team), ('r', d.reason, ''),
                                   ('p', d.priority, ''), ('g', d.seg, '')) AS k (dim, val, team)
        WHERE d.acknowledged_at >= now() - interval '31 days' AND k.val IS NOT NULL
        GROUP BY 1, 2, 3, 4, 5 HAVING sum(d.s) <> 0
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
        WITH k AS (SELECT DISTINCT k.dim, k.val, k.team, (d.acknowledged_at AT TIME ZONE 'UTC')::date AS day,
                          baton_age_bucket(baton_ack_seconds(d.created_at, d.acknowledged_at)) AS bucket
                   FROM (%s) d
                   CROSS JOIN LATERAL (VALUES ('*'::"char", ''::text, ''::text), ('t', d.to_team, ''),
                                              ('s', d.to_staff::text, d.to_team), ('r', d.reason, ''),
                                              ('p', d.priority, ''), ('g', d.seg, '')) AS k (dim, val, team)
                   WHERE d.acknowledged_at >= now() - interval '31 days' AND k.val IS NOT NULL),
        gone AS (DELETE FROM queue_ack_hist q USING k
                 WHERE (q.dim, q.val, q.day, q.team, q.bucket) = (k.dim, k.val, k.day, k.team, k.bucket)
                 RETURNING q.*)
        INSERT INTO queue_ack_hist (dim, val, team, day, bucket, n)
        SELECT dim, val, team, day, bucket, sum(n)
        FROM gone GROUP BY 1, 2, 3, 4, 5 HAVING sum(n) <> 0
    $q$, p_rows)];
REVOKE ALL ON FUNCTION baton_queue_totals_sql(text) FROM PUBLIC;

-- Every write that changes a count: a handoff's (insert, update, delete,
-- truncate), and a customer's whose segment changes or who is deleted.  A
-- handoff whose customer is gone (deleted with it) joins nothing: its
-- counts left with the customer, before the delete cascaded.  One function
-- for all of them, as transition tables are visible to the trigger
-- function's own statements only.
CREATE FUNCTION baton_queue_totals_write() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v text[];
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        DELETE FROM queue_total;
        DELETE FROM queue_ack_hist;
        RETURN NULL;
    END IF;
    IF TG_TABLE_NAME = 'customer' AND TG_OP = 'DELETE' THEN
        -- Before the delete cascades to the handoffs, whose own trigger
        -- will no longer find the customer.
        v := baton_queue_totals_sql(
            'SELECT -1 AS s, h.*, $2::text AS seg FROM handoff h WHERE h.customer_id = $1');
        EXECUTE v[1] USING OLD.id, OLD.segment;
        EXECUTE v[2] USING OLD.id, OLD.segment;
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
    IF current_setting('transaction_isolation') = 'read committed'
       AND pg_try_advisory_xact_lock(hashtext('baton_queue_totals')) THEN
        EXECUTE v[3];
        EXECUTE v[4];
    END IF;
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION baton_queue_totals_write() FROM PUBLIC;

CREATE TRIGGER handoff_totals_insert AFTER INSERT ON handoff
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION baton_queue_totals_write();
CREATE TRIGGER handoff_totals_update AFTER UPDATE ON handoff
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION baton_queue_totals_write();
CREATE TRIGGER handoff_totals_delete AFTER DELETE ON handoff
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION baton_queue_totals_write();
CREATE TRIGGER handoff_totals_truncate AFTER TRUNCATE ON handoff
    FOR EACH STATEMENT EXECUTE FUNCTION baton_queue_totals_write();
CREATE TRIGGER customer_totals_segment AFTER UPDATE ON customer
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION baton_queue_totals_write();
CREATE TRIGGER customer_totals_delete BEFORE DELETE ON customer
    FOR EACH ROW EXECUTE FUNCTION baton_queue_totals_write();

-- The counts as they stand.  Creating the triggers locked handoff and
-- customer against writes until this migration commits: none is missed or
-- counted twice.
-- Each from its own index range: the active handoffs (a partial index),
-- the acknowledgements of the last 31 days (handoff_acknowledged_at_idx).
-- Once, on the data as it stands (at the bench's full scale, 100k active
-- handoffs and 215k acknowledgements in 31 days: seconds, more than a
-- session's statement_timeout allows on a busy machine).  JIT compiles
-- longer than this runs.
SET LOCAL statement_timeout = 0;
SET LOCAL jit = off;
DO $$
BEGIN
    EXECUTE (baton_queue_totals_sql(
        'SELECT 1 AS s, h.*, c.segment AS seg FROM handoff h JOIN customer c ON c.id = h.customer_id'
        ' WHERE h.state IN (''open'', ''acknowledged'')'))[1];
    EXECUTE (baton_queue_totals_sql(
        'SELECT 1 AS s, h.*, c.segment AS seg FROM handoff h JOIN customer c ON c.id = h.customer_id'
        ' WHERE h.acknowledged_at >= now() - interval ''31 days'''))[2];
END $$;

-- Reading --------------------------------------------------------------------------
-- The open handoffs still within their deadline, by deadline, with what a
-- view filters on: the range after now() is what is not breached yet.
CREATE INDEX handoff_open_within_idx ON handoff (ack_due_at)
    INCLUDE (to_team, to_staff, reason, priority, customer_id) WHERE state = 'open';

-- Whether the session user may read the totals: they count every customer.
CREATE FUNCTION baton_me_sees_totals() RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
RETURN baton_me_sees_all() OR coalesce(baton_me_bypasses(), false);

-- Whether the medians of a view come from the buckets: the person sees
-- everything and the view has at most one filter of team, person, reason,
-- priority, segment and mine.
CREATE FUNCTION baton_queue_medians_fast(p_team text, p_person text, p_reason text,
                                         p_priority text, p_segment text, p_mine boolean)
RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
RETURN baton_me_sees_totals()
       AND (p_team <> '')::int + (p_person <> '')::int + (p_reason <> '')::int
           + (p_priority <> '')::int + (p_segment <> '')::int + p_mine::int <= 1;

-- A view's counts per receiving team: active, open (not acknowledged),
-- breached (open past the deadline, now).  Empty for a person who may not
-- read the totals (src/queue.c then counts directly).
CREATE FUNCTION baton_queue_counts(p_team text, p_person text, p_reason text, p_priority text,
                                   p_segment text, p_mine boolean)
RETURNS TABLE (to_team text, active bigint, unack bigint, breached bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    WITH me AS (SELECT (SELECT s.team_id FROM staff s WHERE s.role_name = session_user) AS team),
    -- Each once: a generic plan guesses one row of each and would
    -- otherwise compute w again for every team of t.
    t AS MATERIALIZED (SELECT q.to_team, sum(q.n) AS active, sum(q.n) FILTER (WHERE q.state = 'open') AS unack,
                 sum(q.n) FILTER (WHERE q.state = 'open' AND q.dated) AS dated
          FROM queue_total q, me
          WHERE (p_team = '' OR q.to_team = p_team) AND (p_person = '' OR q.to_staff = p_person)
            AND (p_reason = '' OR q.reason = p_reason) AND (p_priority = '' OR q.priority = p_priority)
            AND (p_segment = '' OR q.segment = p_segment)
            AND (NOT p_mine OR q.to_staff = session_user OR q.to_team = me.team)
          GROUP BY q.to_team HAVING sum(q.n) > 0),
    -- Open and still within their deadline: the few not breached
    -- (handoff_open_within_idx).
    w AS MATERIALIZED (SELECT h.to_team, count(*) AS n
          FROM handoff h, me
          WHERE h.state = 'open' AND h.ack_due_at >= now()
            AND (p_team = '' OR h.to_team = p_team) AND (p_person = '' OR h.to_staff = p_person)
            AND (p_reason = '' OR h.reason = p_reason) AND (p_priority = '' OR h.priority = p_priority)
            AND (p_segment = '' OR EXISTS (SELECT 1 FROM customer c
                                           WHERE c.id = h.customer_id AND c.segment = p_segment))
            AND (NOT p_mine OR h.to_staff = session_user OR h.to_team = me.team)
          GROUP BY h.to_team)
    SELECT t.to_team, t.active::bigint, coalesce(t.unack, 0)::bigint,
           (coalesce(t.dated, 0) - coalesce(w.n, 0))::bigint
    FROM t LEFT JOIN w ON w.to_team = t.to_team
    WHERE baton_me_sees_totals()
    ORDER BY 1
$$;

-- A view's median times to acknowledge over the last 7 and 30 days, as
-- baton_age_bucket values; no row unless baton_queue_medians_fast.
CREATE FUNCTION baton_queue_medians(p_team text, p_person text, p_reason text, p_priority text,
                                    p_segment text, p_mine boolean)
RETURNS TABLE (median_7d bigint, median_30d bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    today date := (now() AT TIME ZONE 'UTC')::date;
    v_team text := (SELECT s.team_id FROM staff s WHERE s.role_name = session_user);
    v_dim "char" := '*';
    v_val text := '';
BEGIN
    IF NOT baton_queue_medians_fast(p_team, p_person, p_reason, p_priority, p_segment, p_mine) THEN
        RETURN;
    END IF;
    IF p_mine THEN
        v_dim := 't';
        v_val := coalesce(v_team, '');  -- no team: only what is handed to me
    ELSE
        SELECT x.d, x.v INTO v_dim, v_val
        FROM (VALUES ('t'::"char", p_team), ('s', p_person), ('r', p_reason), ('p', p_priority),
                     ('g', p_segment)) x (d, v)
        WHERE x.v <> '';
        v_dim := coalesce(v_dim, '*');
        v_val := coalesce(v_val, '');
    END IF;
    RETURN QUERY
    WITH v AS (
        SELECT q.day, q.bucket, q.n
        FROM queue_ack_hist q
        WHERE q.dim = v_dim AND q.val = v_val AND q.day >= today - 29
        UNION ALL
        -- "mine": also what was handed to me on another team than mine.
        SELECT q.day, q.bucket, q.n
        FROM queue_ack_hist q
        WHERE p_mine AND q.dim = 's' AND q.val = session_user AND q.day >= today - 29
          AND q.team IS DISTINCT FROM v_team),
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

REVOKE ALL ON FUNCTION baton_me_sees_totals(),
    baton_queue_medians_fast(text, text, text, text, text, boolean),
    baton_queue_counts(text, text, text, text, text, boolean),
    baton_queue_medians(text, text, text, text, text, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION baton_me_sees_totals(),
    baton_queue_medians_fast(text, text, text, text, text, boolean),
    baton_queue_counts(text, text, text, text, text, boolean),
    baton_queue_medians(text, text, text, text, text, boolean) TO baton_staff, baton_admin;
