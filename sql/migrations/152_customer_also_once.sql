-- Baton schema, version 152: the customer screen's "also:" line names a
-- domain once (#12, a review).
--
-- 132 ends the line with the domains the customer's records list beyond
-- its own ("— domain northwindcare.example", a rebrand).  A customer that
-- absorbed another by that one's domain (a person at acme.eu.example filed
-- under Acme Corp's organization) said it twice: "Also: #6 Acme Europe,
-- Zendesk org 360010, Zendesk org 360011 — same domain acme.eu.example —
-- domain acme.eu.example".  A domain the merges already name as their
-- evidence is now left out of the end.  132's function otherwise
-- unchanged, its generic plan (089) kept.
CREATE OR REPLACE FUNCTION baton_customer_also(p_customer bigint) RETURNS text
LANGUAGE plpgsql STABLE SET search_path = public, pg_temp SET plan_cache_mode = force_generic_plan AS $$
DECLARE
    -- The merges' evidence, as the line says it ("same domain x").
    v_why text[] := ARRAY(
        SELECT DISTINCT i FROM customer_merge m, regexp_split_to_table(m.identifiers, ', ') i
        WHERE m.customer_id = ANY (ARRAY(SELECT p_customer UNION ALL
                                         SELECT c.id FROM customer c WHERE c.merged_into = p_customer))
          AND i <> ''
          AND NOT EXISTS (SELECT 1 FROM customer_split s WHERE s.merge_id = m.id)
        ORDER BY i);
BEGIN
    RETURN nullif(concat_ws(' — ',
        (SELECT 'merged into #' || c.merged_into FROM customer c WHERE c.id = p_customer
         AND c.merged_into IS NOT NULL),
        (SELECT string_agg(x, ', ' ORDER BY x) FROM (
            SELECT coalesce(r.label, r.source) || ' ' || r.source_id AS x FROM import_record r
            WHERE r.customer_id = p_customer AND r.entity = 'customers'
            UNION ALL SELECT '#' || c.id || ' ' || c.name FROM customer c WHERE c.merged_into = p_customer) y),
        nullif(array_to_string(v_why, ', '), ''),
        (SELECT CASE WHEN count(*) = 1 THEN 'domain ' ELSE 'domains ' END
                || string_agg(d, ', ' ORDER BY d)
         FROM (SELECT DISTINCT d FROM import_record r, unnest(r.domains) d
               WHERE r.customer_id = p_customer AND r.entity = 'customers'
                 AND d IS DISTINCT FROM (SELECT lower(c.domain) FROM customer c WHERE c.id = p_customer)
                 AND NOT ('same domain ' || d) = ANY (v_why)
                 AND NOT EXISTS (SELECT 1 FROM baton_shared_domain s WHERE s.domain = d)) z
         HAVING count(*) > 0)), '');
END
$$;
