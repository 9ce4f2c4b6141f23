-- Baton schema, version 13: the signal lists a person waits on read a page.
--
-- 009's lists returned every active signal (111,831 rows at 100,000
-- customers) joined to the customer for its name, segment and owner, and
-- the suppression list aggregated every customer's reasons on every read:
-- over a second each, most of it formatting rows nobody looks at.  Now:
--
--   customer_signal carries the customer's name, segment and owner (kept
--       by a trigger on customer), so that the list's order and its filters
--       are indexes on the cache alone;
--   baton_signal_page(kind, team, segment, owner, limit)
--       the first p_limit active signals in the list's order: the signals
--       screen reads a window, grown a page at a time as the person
--       scrolls (a live re-read reads the same window again);
--   baton_signal_counts(team, segment, owner)
--       signals and customers per kind (kind NULL: all kinds), for the
--       screen's header: counted on the cache's indexes, never formatted;
--   baton_suppression_page(limit) / baton_suppression_count()
--       the first p_limit scheduled sends to customers in trouble, soonest
--       first, their reasons said for those rows alone; how many, and held.
--
-- Both lists are brought up to date first (baton_signal_refresh), as 009's
-- are: a page never shows a stale signal as current.  baton_signal_list
-- and baton_suppression (the CLI, scripts) keep their answers; the list
-- reads the cache's own columns instead of joining the customer.

ALTER TABLE customer_signal ADD COLUMN customer text, ADD COLUMN segment text,
                            ADD COLUMN owner name;

UPDATE customer_signal s SET customer = c.name, segment = c.segment, owner = c.owner
FROM customer c WHERE c.id = s.customer_id;

-- The list's order (most severe, oldest, by name) for the active signals,
-- alone and after each filter that narrows it a lot.  A team is one of a
-- few per kind: the order index with the team as a filter.
CREATE INDEX customer_signal_order_idx ON customer_signal
    (severity_rank DESC, since, customer, customer_id, kind) WHERE acked_at IS NULL;
CREATE INDEX customer_signal_kind_order_idx ON customer_signal
    (kind, severity_rank DESC, since, customer, customer_id) WHERE acked_at IS NULL;
CREATE INDEX customer_signal_owner_order_idx ON customer_signal
    (owner, severity_rank DESC, since, customer, customer_id, kind) WHERE acked_at IS NULL;
CREATE INDEX customer_signal_segment_order_idx ON customer_signal
    (segment, severity_rank DESC, since, customer, customer_id, kind) WHERE acked_at IS NULL;
-- A scheduled send's "has its customer an active signal": one probe.
CREATE INDEX customer_signal_active_idx ON customer_signal (customer_id) WHERE acked_at IS NULL;
-- The sends screen's order.
CREATE INDEX marketing_event_scheduled_order_idx ON marketing_event (scheduled_at, id)
    INCLUDE (customer_id, held_by) WHERE status = 'scheduled';
ANALYZE customer_signal;

-- 009's compute, with the customer's columns at the end (customer_signal's
-- row type gained them).
CREATE OR REPLACE FUNCTION baton_signal_compute(p_customers bigint[], p_all boolean)
RETURNS SETOF customer_signal
LANGUAGE sql STABLE AS $$
    SELECT g.customer_id, g.kind, g.rank, g.since, g.refs, (g.top).line, (g.top).clock,
           (g.top).clock_unit, g.n - 1, g.teams, g.fingerprint, g.until, a.actor, a.at, a.comment,
           c.name, c.segment, c.owner
    FROM (SELECT i.customer_id, i.kind, max(i.rank) AS rank, min(i.since) AS since,
                 (array_agg(i ORDER BY i.rank DESC, i.since, i.line))[1] AS top,
                 count(*)::integer AS n, array_agg(DISTINCT i.team ORDER BY i.team) AS teams,
                 min(i.until) AS until,
                 -- refs hold no spaces ('ticket:4805', 'handoff:UUID')
                 ARRAY(SELECT DISTINCT x FROM unnest(string_to_array(
                           string_agg(array_to_string(i.refs, ' '), ' '), ' ')) x ORDER BY 1) AS refs
          FROM baton_signal_instances(p_customers, p_all) i
          GROUP BY i.customer_id, i.kind) g0
    CROSS JOIN LATERAL (SELECT g0.*, md5(array_to_string(g0.refs, ' ')) AS fingerprint) g
    JOIN customer c ON c.id = g.customer_id
    LEFT JOIN LATERAL (SELECT s.actor, s.at, s.comment FROM signal_ack s
                       WHERE s.customer_id = g.customer_id AND s.kind = g.kind
                         AND s.fingerprint = g.fingerprint
                       ORDER BY s.at DESC LIMIT 1) a ON true
$$;

-- A renamed, moved or reassigned customer: its cached rows follow.
CREATE FUNCTION baton_signal_customer_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    UPDATE customer_signal s SET customer = n.name, segment = n.segment, owner = n.owner
    FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE s.customer_id = n.id
      AND (n.name, n.segment, n.owner) IS DISTINCT FROM (o.name, o.segment, o.owner);
    RETURN NULL;
END $$;
CREATE TRIGGER customer_signal_names AFTER UPDATE ON customer
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION baton_signal_customer_changed();

-- The cache's rows of customer p_customer (p_all: everyone's), those of
-- the customers p_live computed for this read.  Plain SQL with the reader's
-- rights, inlined: the readers' filters and order reach the indexes (the
-- cache's branch has no condition of its own, so that the planner merges
-- it into the reader's query; "cached" tells its rows apart).
CREATE FUNCTION baton_signal_entries(p_customer bigint, p_all boolean, p_live bigint[])
RETURNS SETOF customer_signal
LANGUAGE sql STABLE AS $$
    SELECT e.customer_id, e.kind, e.severity_rank, e.since, e.refs, e.line, e.clock, e.clock_unit,
           e.more, e.teams, e.fingerprint, e.until, e.acked_by, e.acked_at, e.ack_comment,
           e.customer, e.segment, e.owner
    FROM (SELECT c.*, true AS cached FROM customer_signal c
          UNION ALL
          SELECT l.*, false FROM baton_signal_live(p_live) l WHERE cardinality(p_live) > 0) e
    WHERE (p_all OR e.customer_id = p_customer)
      AND (NOT e.cached OR cardinality(p_live) = 0 OR NOT e.customer_id = ANY (p_live))
$$;

-- The list's rows, filtered as 009's list is (NULL: any), said as of now,
-- with severity_rank for the order.  Plain SQL, inlined: a caller's ORDER
-- BY ... LIMIT reads the indexes and says only the rows it returns.
CREATE FUNCTION baton_signal_listed(p_kind text, p_team text, p_segment text, p_owner name,
                                    p_customer bigint, p_include_acked boolean, p_live bigint[])
RETURNS TABLE (customer_id bigint, customer text, segment text, owner name, kind text,
               title text, severity text, since timestamptz, explanation text, refs text[],
               teams text[], fingerprint text, acked_by name, acked_at timestamptz,
               ack_comment text, severity_rank integer)
LANGUAGE sql STABLE AS $$
    SELECT s.customer_id, s.customer, s.segment, s.owner, s.kind, baton_signal_title(s.kind),
           (ARRAY['low', 'medium', 'high'])[s.severity_rank], s.since,
           baton_signal_say(s.line, s.clock, s.clock_unit, s.more), s.refs, s.teams,
           s.fingerprint, s.acked_by, s.acked_at, s.ack_comment, s.severity_rank
    FROM baton_signal_entries(p_customer, p_customer IS NULL, p_live) s
    WHERE (p_kind IS NULL OR s.kind = p_kind)
      AND (p_team IS NULL OR p_team = ANY (s.teams))
      AND (p_segment IS NULL OR s.segment = p_segment)
      AND (p_owner IS NULL OR s.owner = p_owner)
      AND (p_include_acked OR s.acked_at IS NULL)
$$;

-- 009's list, from the cache's columns.
CREATE OR REPLACE FUNCTION baton_signal_list(p_kind text, p_team text, p_segment text, p_owner name,
                                             p_customer bigint, p_include_acked boolean)
RETURNS TABLE (customer_id bigint, customer text, segment text, owner name, kind text,
               title text, severity text, since timestamptz, explanation text, refs text[],
               teams text[], fingerprint text, acked_by name, acked_at timestamptz,
               ack_comment text)
LANGUAGE plpgsql SET search_path = public, pg_temp SET plan_cache_mode = force_custom_plan
SET work_mem = '64MB' AS $$
#variable_conflict use_column
DECLARE
    v_live bigint[] := baton_signal_refresh(p_customer, p_customer IS NULL);
BEGIN
    RETURN QUERY
    SELECT l.customer_id, l.customer, l.segment, l.owner, l.kind, l.title, l.severity, l.since,
           l.explanation, l.refs, l.teams, l.fingerprint, l.acked_by, l.acked_at, l.ack_comment
    FROM baton_signal_listed(p_kind, p_team, p_segment, p_owner, p_customer, p_include_acked, v_live) l
    ORDER BY l.severity_rank DESC, l.since, l.customer, l.customer_id, l.kind;
END $$;

-- The first p_limit active signals of the list, filtered as it is: what
-- the signals screen shows (custom plans: each filter's own index).
CREATE FUNCTION baton_signal_page(p_kind text, p_team text, p_segment text, p_owner name,
                                  p_limit integer)
RETURNS TABLE (customer_id bigint, customer text, segment text, owner name, kind text,
               title text, severity text, since timestamptz, explanation text, refs text[],
               teams text[], fingerprint text, acked_by name, acked_at timestamptz,
               ack_comment text)
LANGUAGE plpgsql SET search_path = public, pg_temp SET plan_cache_mode = force_custom_plan AS $$
#variable_conflict use_column
DECLARE
    v_live bigint[] := baton_signal_refresh(NULL, true);
BEGIN
    RETURN QUERY
    SELECT l.customer_id, l.customer, l.segment, l.owner, l.kind, l.title, l.severity, l.since,
           l.explanation, l.refs, l.teams, l.fingerprint, l.acked_by, l.acked_at, l.ack_comment
    FROM baton_signal_listed(p_kind, p_team, p_segment, p_owner, NULL, false, v_live) l
    ORDER BY l.severity_rank DESC, l.since, l.customer, l.customer_id, l.kind
    LIMIT greatest(p_limit, 0);
END $$;

-- Active signals and customers per kind for the other filters, and for
-- all kinds (kind NULL).  Counted, not formatted.
CREATE FUNCTION baton_signal_counts(p_team text, p_segment text, p_owner name)
RETURNS TABLE (kind text, signals bigint, customers bigint)
LANGUAGE plpgsql SET search_path = public, pg_temp SET plan_cache_mode = force_custom_plan
SET work_mem = '64MB' AS $$
#variable_conflict use_column
DECLARE
    v_live bigint[] := baton_signal_refresh(NULL, true);
BEGIN
    RETURN QUERY
    -- One row per customer and kind: a kind's signals are its customers.
    -- All kinds' customers by the customer index's order, without a sort.
    SELECT NULL::text, sum(x.n)::bigint, count(*)
    FROM (SELECT l.customer_id, count(*) AS n
          FROM baton_signal_listed(NULL, p_team, p_segment, p_owner, NULL, false, v_live) l
          GROUP BY l.customer_id) x
    UNION ALL
    SELECT * FROM (SELECT l.kind, count(*), count(*)
                   FROM baton_signal_listed(NULL, p_team, p_segment, p_owner, NULL, false, v_live) l
                   GROUP BY l.kind ORDER BY l.kind) k;
END $$;

-- The scheduled sends the sends screen shows: held, or to a customer with
-- an active signal (of those the reader may see).  p_probe: a page's form,
-- one index probe per send in date order until the page is full; else the
-- count's, one pass over the active signals joined to every scheduled send.
CREATE FUNCTION baton_suppression_sends(p_live bigint[], p_probe boolean)
RETURNS SETOF marketing_event
LANGUAGE sql STABLE AS $$
    SELECT m.* FROM marketing_event m
    WHERE m.status = 'scheduled'
      AND (m.held_by IS NOT NULL
           OR (p_probe AND EXISTS (SELECT 1 FROM baton_signal_entries(m.customer_id, false, p_live) e
                                   WHERE e.acked_at IS NULL))
           OR (NOT p_probe AND m.customer_id IN (SELECT e.customer_id
                                                 FROM baton_signal_entries(NULL, true, p_live) e
                                                 WHERE e.acked_at IS NULL)))
$$;

-- The first p_limit of baton_suppression's rows, soonest first; the
-- reasons are said for these rows alone.
CREATE FUNCTION baton_suppression_page(p_limit integer)
RETURNS TABLE (event_id bigint, customer_id bigint, customer text, campaign text, kind text,
               channel text, scheduled_at timestamptz, held boolean, held_by name,
               held_at timestamptz, hold_comment text, signal_kinds text[], reasons text)
LANGUAGE plpgsql SET search_path = public, pg_temp SET plan_cache_mode = force_custom_plan AS $$
#variable_conflict use_column
DECLARE
    v_live bigint[] := baton_signal_refresh(NULL, true);
BEGIN
    RETURN QUERY
    SELECT m.id, m.customer_id, c.name, m.campaign, m.kind, m.channel, m.scheduled_at,
           m.held_by IS NOT NULL, h.actor, h.at, h.comment, s.kinds, s.reasons
    FROM (SELECT * FROM baton_suppression_sends(v_live, true) m0
          ORDER BY m0.scheduled_at, m0.id LIMIT greatest(p_limit, 0)) m
    JOIN customer c ON c.id = m.customer_id
    LEFT JOIN campaign_hold h ON h.id = m.held_by
    LEFT JOIN LATERAL (
        SELECT array_agg(g.kind ORDER BY g.severity_rank DESC, g.kind) AS kinds,
               string_agg(baton_signal_title(g.kind) || ': '
                          || baton_signal_say(g.line, g.clock, g.clock_unit, g.more), '; '
                          ORDER BY g.severity_rank DESC, g.kind) AS reasons
        FROM baton_signal_entries(m.customer_id, false, v_live) g
        WHERE g.acked_at IS NULL) s ON true
    ORDER BY m.scheduled_at, m.id;
END $$;

-- How many sends baton_suppression_page would list, and how many are held.
CREATE FUNCTION baton_suppression_count() RETURNS TABLE (sends bigint, held bigint)
LANGUAGE plpgsql SET search_path = public, pg_temp SET plan_cache_mode = force_custom_plan
SET work_mem = '64MB' AS $$
DECLARE
    v_live bigint[] := baton_signal_refresh(NULL, true);
BEGIN
    RETURN QUERY SELECT count(*), count(*) FILTER (WHERE m.held_by IS NOT NULL)
    FROM baton_suppression_sends(v_live, false) m;
END $$;

-- Markers for other lists (the finder's rows, the queue's) ---------------------------
-- Which of customers p_ids are stale (a mark, or their time has come): the
-- cache's own tables are not for clients, so this says only that.
CREATE FUNCTION baton_signal_stale(p_ids bigint[]) RETURNS bigint[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT coalesce(array_agg(DISTINCT x.id), '{}') FROM unnest(p_ids) x(id)
    WHERE EXISTS (SELECT 1 FROM signal_dirty d WHERE d.customer_id = x.id)
       OR NOT EXISTS (SELECT 1 FROM customer_signal_state st WHERE st.customer_id = x.id
                        AND (st.valid_until IS NULL OR st.valid_until >= now()))
$$;

-- Per customer of p_ids with an active signal: the most severe one's kind
-- and how many there are, up to date (the stale ones computed first, as
-- every reader does).  One call for a whole list: a handful of index
-- probes when the cache is current.
CREATE FUNCTION baton_signal_markers(p_ids bigint[])
RETURNS TABLE (customer_id bigint, kind text, signals integer)
LANGUAGE plpgsql SET search_path = public, pg_temp SET plan_cache_mode = force_generic_plan AS $$
#variable_conflict use_column
DECLARE
    v_live bigint[] := '{}';
    v_id bigint;
BEGIN
    FOREACH v_id IN ARRAY baton_signal_stale(p_ids) LOOP
        v_live := v_live || baton_signal_refresh(v_id, false);
    END LOOP;
    RETURN QUERY
    SELECT DISTINCT ON (e.customer_id) e.customer_id, e.kind,
           (count(*) OVER (PARTITION BY e.customer_id))::integer
    FROM (SELECT * FROM customer_signal c
          WHERE c.customer_id = ANY (p_ids) AND NOT c.customer_id = ANY (v_live)
          UNION ALL
          SELECT * FROM baton_signal_live(v_live) WHERE cardinality(v_live) > 0) e
    WHERE e.acked_at IS NULL
    ORDER BY e.customer_id, e.severity_rank DESC, e.kind;
END $$;
