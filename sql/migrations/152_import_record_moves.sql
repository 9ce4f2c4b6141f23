-- Baton schema, version 152: a customer record that joined a customer and
-- now names another customer's domain, and none of its own customer's,
-- moves to that customer instead of merging the two (#12, a review).
--
-- A HubSpot company joined Northwind Health by nwh.example (Northwind's
-- Zendesk organization's domain).  A newer export of it names
-- initech.example, the domain of Initech Global, another Zendesk
-- organization's customer, and no longer nwh.example.  The record stayed
-- with the customer it had joined, and its new domain was a second
-- identifier of that customer: the import merged Northwind and Initech,
-- two helpdesk organizations that nothing joins but a record that no longer
-- says it is Northwind.  Over the records as they are now, the record and
-- Initech's organization share a domain, and Northwind's organization
-- shares nothing with either: two customers, the record with Initech.
--
-- Now such a record is split off the customer it joined first, as
-- `baton split` of its join does (the fields it gave that customer go
-- back, what came through it goes with it, the two are kept apart), and is
-- then resolved as any record: it joins the customer that has its domain
-- (the one split off is absorbed into it, recorded as a merge by that
-- domain).  It moves only when all of these hold:
--   * it changed in this file, and it joined its customer (a merge of this
--     source's record, not split since): a record that made its customer
--     keeps it (its customer is its own; it merges as before);
--   * none of the domains it names now is its customer's through anything
--     but itself: the customer's own domain, another customer record's,
--     a contact's (a shared domain names no one);
--   * one of them is another customer's.
-- A record that only drops its domain, or names a domain no one has (a
-- company's new domain), stays where it is.  The import says which
-- records moved (a notice, SQLSTATE BI003, which the client shows).

-- The changed records of a customers file that joined a customer they did
-- not make and now name only other customers' domains: split off, each
-- by its join's merge (baton_split_one, 140), before the graph is made.
CREATE FUNCTION baton_import_moves(p_shared text[]) RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    v_src text := (SELECT c.source FROM pg_temp.baton_import_ctx c);
    v record;
    v_apart bigint;
    v_said text[] := '{}';
BEGIN
    -- The domains such records name now (few: a record's domain changes
    -- seldom, and only a changed record that joined its customer is
    -- looked at).
    CREATE TEMP TABLE baton_import_mv ON COMMIT DROP AS
    SELECT c.sid, c.cid, k.value AS domain
    FROM baton_import_c c JOIN baton_import_claim k ON k.node = 'r:' || c.sid AND k.kind = 'domain'
    WHERE c.state = 'updated' AND NOT coalesce(c.owns, true) AND c.cid IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM baton_shared_domain s WHERE s.domain = k.value)
      AND NOT k.value = ANY (coalesce(p_shared, '{}'));
    ANALYZE baton_import_mv;
    FOR v IN
        WITH r AS (SELECT sid, cid, array_agg(DISTINCT domain) AS domains FROM baton_import_mv GROUP BY sid, cid)
        SELECT r.sid, r.cid, j.id AS merge, y.name AS cname,
               (SELECT x.label FROM import_record x WHERE x.source = v_src AND x.source_id = r.sid) AS label,
               (SELECT string_agg(d.d, ', ' ORDER BY d.d) FROM unnest(r.domains) d(d)) AS said
        FROM r
        JOIN customer y ON y.id = r.cid
        -- The merge that joined it to its customer (or to one absorbed
        -- into it since), not split; not a repeat of an absorption (140).
        CROSS JOIN LATERAL (
            SELECT m.id FROM customer_merge m
            WHERE m.customer_id IN (SELECT r.cid UNION ALL SELECT z.id FROM customer z WHERE z.merged_into = r.cid)
              AND m.joined_source = v_src AND m.joined_source_id = r.sid
              AND NOT EXISTS (SELECT 1 FROM customer_split s WHERE s.merge_id = m.id)
              AND baton_merge_repeated(m.id) IS NULL
            ORDER BY m.at DESC LIMIT 1) j
        -- None of its domains is its customer's but through itself ...
        WHERE NOT EXISTS (
            SELECT 1 FROM unnest(r.domains) d(d)
            WHERE EXISTS (SELECT 1 FROM customer z WHERE lower(z.domain) = d.d
                            AND coalesce(z.merged_into, z.id) = r.cid)
               OR EXISTS (SELECT 1 FROM import_record x WHERE x.entity = 'customers'
                            AND x.domains @> ARRAY[d.d] AND x.customer_id = r.cid
                            AND (x.source, x.source_id) <> (v_src, r.sid))
               OR EXISTS (SELECT 1 FROM contact t WHERE baton_norm_domain(t.email) = d.d
                            AND t.customer_id = r.cid))
          -- ... and one is another customer's.
          AND EXISTS (
            SELECT 1 FROM unnest(r.domains) d(d)
            WHERE EXISTS (SELECT 1 FROM customer z WHERE lower(z.domain) = d.d
                            AND coalesce(z.merged_into, z.id) <> r.cid)
               OR EXISTS (SELECT 1 FROM import_record x WHERE x.entity = 'customers'
                            AND x.domains @> ARRAY[d.d] AND x.customer_id <> r.cid)
               OR EXISTS (SELECT 1 FROM contact t WHERE baton_norm_domain(t.email) = d.d
                            AND t.customer_id <> r.cid))
        ORDER BY r.sid
    LOOP
        SELECT s.apart INTO v_apart FROM baton_split_one(v.merge) s;
        -- From here on it is the record of the customer the split made.
        UPDATE baton_import_c c SET cid = v_apart, owns = true WHERE c.sid = v.sid;
        UPDATE baton_import_node n SET cid = v_apart WHERE n.node = 'r:' || v.sid;
        v_said := v_said || format('%s %s (from #%s %s, now naming %s)', coalesce(v.label, v_src), v.sid,
                                   v.cid, v.cname, v.said);
    END LOOP;
    DROP TABLE baton_import_mv;
    IF cardinality(v_said) > 0 THEN
        RAISE NOTICE USING ERRCODE = 'BI003', MESSAGE = format(
            '%s record%s left the customer %s had joined, none of %s domains being that customer''s any'
            ' longer and another customer having one: %s; split off as baton split does, then'
            ' imported as a new record (baton merges --customer lists it)',
            cardinality(v_said), CASE WHEN cardinality(v_said) = 1 THEN '' ELSE 's' END,
            CASE WHEN cardinality(v_said) = 1 THEN 'it' ELSE 'they' END,
            CASE WHEN cardinality(v_said) = 1 THEN 'its' ELSE 'their' END,
            baton_import_some(v_said, 10, '; ', ' and %s more'));
    END IF;
END $$;
REVOKE ALL ON FUNCTION baton_import_moves(text[]) FROM PUBLIC;

-- 139's entry, which first moves such records (a customers file's: its
-- nodes are its records, 'r:').
CREATE OR REPLACE FUNCTION baton_import_resolve(p_shared text[]) RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_temp.baton_import_node n WHERE n.node LIKE 'r:%' AND n.cid IS NOT NULL) THEN
        PERFORM baton_import_moves(p_shared);
    END IF;
    IF EXISTS (SELECT 1 FROM pg_temp.baton_import_claim) OR EXISTS (SELECT 1 FROM pg_temp.baton_import_node) THEN
        PERFORM baton_import_resolve_graph(p_shared);
        PERFORM baton_import_cap();
        RETURN;
    END IF;
    CREATE TEMP TABLE baton_import_found (kind text, value text, cid bigint) ON COMMIT DROP;
    CREATE TEMP TABLE baton_import_unused (kind text, value text, n bigint) ON COMMIT DROP;
    CREATE TEMP TABLE baton_import_edge (a text, b text, kind text, value text) ON COMMIT DROP;
    CREATE TEMP TABLE baton_import_lab (n text PRIMARY KEY, l text) ON COMMIT DROP;
    CREATE TEMP TABLE baton_import_e2 (a text, b text) ON COMMIT DROP;
    CREATE TEMP TABLE baton_import_comp (comp text, survivor bigint) ON COMMIT DROP;
END $$;

-- Owned as the entry it is called by (a superuser may migrate a schema
-- another role owns, 120).
DO $$
BEGIN
    EXECUTE format('ALTER FUNCTION baton_import_moves(text[]) OWNER TO %I',
                   (SELECT pg_get_userbyid(p.proowner) FROM pg_proc p
                    WHERE p.oid = 'public.baton_import_resolve(text[])'::regprocedure));
END $$;
