-- Baton schema, version 132: the customer screen's "also:" line names the
-- domains its records hold beyond the customer's own (#12, a rebrand).
--
-- A customer's domain is the one it was made with: an identifier, which
-- its contacts' addresses are matched against, and which a newer export
-- of the record does not change (a company that moves to a new domain
-- mostly keeps mail at the old one).  The record's new domains find the
-- customer too (import_record.domains: the finder, the link of contacts
-- and tickets, identity resolution), but the screen said nothing of them:
-- after Zendesk's organisation 360001 moved from nwh.example to
-- northwindcare.example, the screen still read "Northwind Care
-- (nwh.example)" and nothing else, as if the export had not arrived.  Now
-- the line ends "— domain northwindcare.example": every domain its
-- customer records list other than the customer's own and the shared ones
-- (free mail, which finds nobody), in order.  060's
-- function otherwise unchanged, its generic plan (089) kept.
CREATE OR REPLACE FUNCTION baton_customer_also(p_customer bigint) RETURNS text
LANGUAGE plpgsql STABLE SET search_path = public, pg_temp SET plan_cache_mode = force_generic_plan AS $$
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
         WHERE m.customer_id = ANY (ARRAY(SELECT p_customer UNION ALL
                                          SELECT c.id FROM customer c WHERE c.merged_into = p_customer))
           AND i <> ''
           AND NOT EXISTS (SELECT 1 FROM customer_split s WHERE s.merge_id = m.id)),
        (SELECT CASE WHEN count(*) = 1 THEN 'domain ' ELSE 'domains ' END
                || string_agg(d, ', ' ORDER BY d)
         FROM (SELECT DISTINCT d FROM import_record r, unnest(r.domains) d
               WHERE r.customer_id = p_customer AND r.entity = 'customers'
                 AND d IS DISTINCT FROM (SELECT lower(c.domain) FROM customer c WHERE c.id = p_customer)
                 AND NOT EXISTS (SELECT 1 FROM baton_shared_domain s WHERE s.domain = d)) z
         HAVING count(*) > 0)), '');
END
$$;
