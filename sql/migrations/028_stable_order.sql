-- Baton schema, version 28: orders that do not depend on the plan.
--
-- Rows that tie on a time came out in whatever order the plan read them:
-- surveys answered the same day, notes or tickets of one import (one
-- transaction, one now()).  The console and the CLI order those by id
-- too (src/customer.c); here, the two functions that chose by such an
-- order:
--
-- * "Voice of the customer falling" took a customer's latest and previous
--   answer of a kind from a window ordered by the time alone: with two
--   answers at the same time, which one was "latest" could change with an
--   unrelated update of either row (the signal came and went, and with its
--   refs its fingerprint, so an acknowledged signal came back).  Now by
--   time, then id, as the customer screen's header picks the latest.
-- * The header's "also:" line aggregated a sorted subquery, which
--   PostgreSQL does not promise to keep; the aggregate sorts now.
-- * The finder's prefix branches (names, e-mails, external ids) cut at 50
--   in the order of the text alone: of customers with the same name (or
--   contacts with the same address) which came in depended on the scan.
--   Now the text, then the id (an incremental sort of the ties, +15 us).
--   The branch of names that contain the text still takes the first 100
--   matches the trigram index gives, in no order: ranking every match by
--   similarity first costs 8-40 ms for a fragment that 2,000-3,000 names
--   contain (measured at 100,000 customers), a nearest-neighbour GiST
--   index 17-600 ms; the finder ranks those 100 by similarity.
--
-- The voice-falling signals computed before are recomputed: the rules'
-- generation is counted as a change of the rules does (migration 024), so
-- the cache catches up in its batches and lists say "recomputing" meanwhile.

CREATE OR REPLACE FUNCTION baton_signal_voice(p_customers bigint[], p_all boolean)
RETURNS SETOF baton_signal_instance
LANGUAGE sql STABLE AS $$
    WITH r AS MATERIALIZED (
        SELECT x.nps_drop, x.csat_drop, x.ces_drop, x.detractor_nps, x.voice_days,
               now() - make_interval(days => x.voice_days) AS after
        FROM baton_signal_rules() x),
    latest AS MATERIALIZED (
        SELECT a.* FROM (
            SELECT s.id, s.customer_id, s.kind, s.score, s.comment, s.responded_at,
                   lag(s.id) OVER w AS p_id, lag(s.score) OVER w AS p_score,
                   lag(s.responded_at) OVER w AS p_at, lead(s.id) OVER w IS NULL AS last
            FROM survey_response s
            WHERE (p_all OR s.customer_id = ANY (p_customers))
              AND (s.customer_id, s.kind) IN (
                      SELECT x.customer_id, x.kind FROM r JOIN survey_response x ON x.responded_at >= r.after
                      WHERE p_all OR x.customer_id = ANY (p_customers))
            WINDOW w AS (PARTITION BY s.customer_id, s.kind ORDER BY s.responded_at, s.id)) a
        WHERE a.last)
    SELECT l.customer_id, 'voice-falling', 2, l.responded_at,
           ARRAY['survey:' || l.id, 'survey:' || l.p_id],
           upper(l.kind) || ' fell from ' || l.p_score || ' to ' || l.score || ' on '
           || to_char(l.responded_at, 'Mon DD') || ' (previous answer '
           || to_char(l.p_at, 'Mon DD') || ')'
           || coalesce(': ' || baton_quote(l.comment), ''),
           'success', NULL::timestamptz, NULL::text, l.responded_at + make_interval(days => r.voice_days)
    FROM r
    JOIN latest l ON l.responded_at >= r.after
    WHERE l.p_score - l.score >= CASE l.kind WHEN 'nps' THEN r.nps_drop WHEN 'csat' THEN r.csat_drop
                                             ELSE r.ces_drop END
    UNION ALL
    SELECT l.customer_id, 'voice-falling', 2, l.responded_at,
           ARRAY['survey:' || l.id, 'campaign:' || m.id],
           'NPS ' || l.score || ' on ' || to_char(l.responded_at, 'Mon DD') || ' while '
           || baton_send_words(m.kind, m.campaign, m.status, m.scheduled_at),
           'marketing', NULL::timestamptz, NULL::text, l.responded_at + make_interval(days => r.voice_days)
    FROM r
    JOIN latest l ON l.kind = 'nps' AND l.score <= r.detractor_nps AND l.responded_at >= r.after
    JOIN marketing_event m ON m.customer_id = l.customer_id AND m.status = 'scheduled'
                          AND m.held_by IS NULL
$$;

CREATE OR REPLACE FUNCTION baton_customer_also(p_customer bigint) RETURNS text
LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
BEGIN
    RETURN nullif(concat_ws(' — ',
        (SELECT 'merged into #' || c.merged_into FROM customer c WHERE c.id = p_customer
         AND c.merged_into IS NOT NULL),
        (SELECT string_agg(x, ', ' ORDER BY x) FROM (
            SELECT coalesce(r.label, r.source) || ' ' || r.source_id AS x FROM import_record r
            WHERE r.customer_id = p_customer AND r.entity = 'customers'
            UNION ALL SELECT '#' || c.id || ' ' || c.name FROM customer c WHERE c.merged_into = p_customer) y),
        (SELECT string_agg(DISTINCT i, ', ') FROM customer_merge m,
             regexp_split_to_table(m.identifiers, ', ') i
         WHERE m.customer_id = p_customer AND i <> ''
           AND NOT EXISTS (SELECT 1 FROM customer_split s WHERE s.merge_id = m.id))), '');
END
$$;

CREATE OR REPLACE FUNCTION baton_find(p_text text, p_contains boolean)
RETURNS TABLE (cid bigint, how integer)
LANGUAGE plpgsql STABLE SECURITY DEFINER ROWS 100 SET search_path = public, pg_temp AS $f$
DECLARE
    v_scope text[];  -- NULL: every segment
BEGIN
    IF baton_me_active() THEN
        v_scope := baton_me_scope();
    ELSIF NOT baton_me_bypasses() THEN
        RETURN;
    END IF;
    RETURN QUERY EXECUTE $q$
        (SELECT id, CASE WHEN $2 THEN 0 ELSE 1 END FROM customer
          WHERE name_folded LIKE baton_like_escape(baton_fold($1)) || '%'
            AND ($3 IS NULL OR segment = ANY ($3)) AND merged_into IS NULL
          ORDER BY name_folded USING ~<~, id LIMIT 50)
        UNION ALL (SELECT id, 1 FROM customer
          WHERE $2 AND name_folded LIKE '%' || baton_like_escape(baton_fold($1)) || '%'
            AND ($3 IS NULL OR segment = ANY ($3)) AND merged_into IS NULL
          LIMIT 100)
        UNION ALL (SELECT id, 2 FROM customer
          WHERE lower(domain) LIKE baton_like_escape(lower($1)) || '%'
            AND ($3 IS NULL OR segment = ANY ($3)) AND merged_into IS NULL
          ORDER BY lower(domain) USING ~<~ LIMIT 50)
        UNION ALL (SELECT x.customer_id, 3 FROM contact x
          WHERE lower(x.email) LIKE baton_like_escape(lower($1)) || '%'
            AND ($3 IS NULL OR EXISTS (SELECT 1 FROM customer c
                 WHERE c.id = x.customer_id AND c.segment = ANY ($3)))
          ORDER BY lower(x.email) USING ~<~, x.customer_id LIMIT 50)
        UNION ALL (SELECT x.customer_id, 4 FROM customer_external_id x
          WHERE lower(x.external_id) LIKE baton_like_escape(lower($1)) || '%'
            AND ($3 IS NULL OR EXISTS (SELECT 1 FROM customer c
                 WHERE c.id = x.customer_id AND c.segment = ANY ($3)))
          ORDER BY lower(x.external_id) USING ~<~, x.customer_id LIMIT 50)
    $q$ USING p_text, p_contains, v_scope;
END $f$;

CREATE OR REPLACE FUNCTION baton_find_names(p_text text)
RETURNS TABLE (cid bigint, how integer)
LANGUAGE plpgsql STABLE SECURITY DEFINER ROWS 100 SET search_path = public, pg_temp AS $f$
DECLARE
    v_scope text[];  -- NULL: every segment
BEGIN
    IF baton_me_active() THEN
        v_scope := baton_me_scope();
    ELSIF NOT baton_me_bypasses() THEN
        RETURN;
    END IF;
    RETURN QUERY EXECUTE $q$
        (SELECT id, 0 FROM customer
          WHERE name_folded LIKE baton_like_escape(baton_fold($1)) || '%'
            AND ($2 IS NULL OR segment = ANY ($2)) AND merged_into IS NULL
          ORDER BY name_folded USING ~<~, id LIMIT 50)
        UNION ALL (SELECT id, 1 FROM customer
          WHERE name_folded LIKE '%' || baton_like_escape(baton_fold($1)) || '%'
            AND ($2 IS NULL OR segment = ANY ($2)) AND merged_into IS NULL
          LIMIT 100)
    $q$ USING p_text, v_scope;
END $f$;

DO $$
DECLARE
    v_gen bigint;
BEGIN
    UPDATE signal_rule_gen g SET gen = g.gen + 1 WHERE g.kind = '*' RETURNING g.gen INTO v_gen;
    UPDATE signal_rule_gen g SET gen = v_gen WHERE g.kind = 'voice-falling';
    -- As a change of the rules says it (024): open lists reload and say
    -- "recomputing" while the cache catches up.
    PERFORM pg_notify('baton', 'signals:rules');
END $$;
