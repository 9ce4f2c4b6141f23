-- Baton schema, version 31: the signals screen's counts read the list once.
--
-- 024's counts called the list twice, once per customer and once per
-- kind: two scans of the cache with its rules check on every row (at
-- 100,000 customers, 112,000 signals: 97 + 69 ms as the superuser, 161 ms
-- median and 261 ms p99 in make bench for a lead).  The signals screen
-- waits for them to fill its header.  Now the list's (customer, kind) pairs
-- are read once into a CTE and counted twice from there (a lead, same
-- data: 140 -> 119 ms for every team, 136 -> 58 ms for one); the rows, and
-- so the counts and the 'recomputing' row, are the same
-- (test_signal_pages: test_counts_are_the_lists), except that no signals
-- at all count 0, not NULL.
CREATE OR REPLACE FUNCTION baton_signal_counts(p_team text, p_segment text, p_owner name)
RETURNS TABLE (kind text, signals bigint, customers bigint)
LANGUAGE plpgsql SET search_path = public, pg_temp SET plan_cache_mode = force_custom_plan
SET work_mem = '64MB' AS $$
#variable_conflict use_column
DECLARE
    v_live bigint[];
    v_gens jsonb;
BEGIN
    SELECT r.live, r.gens INTO v_live, v_gens FROM baton_signal_refreshed(NULL) r;
    RETURN QUERY
    WITH l AS MATERIALIZED (
        SELECT s.customer_id, s.kind
        FROM baton_signal_listed(NULL, p_team, p_segment, p_owner, NULL, false, v_live, v_gens) s)
    SELECT NULL::text, count(*), (SELECT count(*) FROM (SELECT DISTINCT l2.customer_id FROM l l2) d)
    FROM l
    UNION ALL
    SELECT * FROM (SELECT l.kind, count(*), count(*) FROM l GROUP BY l.kind ORDER BY l.kind) k
    UNION ALL
    SELECT 'recomputing', 0::bigint, p.n FROM (SELECT baton_signal_pending() AS n) p
    WHERE v_gens IS NOT NULL AND p.n > 0;
END $$;
