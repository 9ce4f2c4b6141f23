-- Baton schema, version 145: a merge made after a raise of import_max_merge
-- names the file's records that made it (#12, a merge's evidence).
--
-- A file's records that would have joined more companies than
-- import_max_merge are written each with its own customer, their domains
-- stored with them (139); a raise marks them to be taken again, and the
-- next import of the file merges them.  Those merges named no record
-- ("same domain a.example", without "from zendesk-organizations 2"):
-- 134's via leaves out a record whose own customer holds the identifier,
-- as where the identifier is, not what brought it, and the customer of a
-- record kept apart held them by what its write apart gave it: the
-- record's stored domains, its domain (136, to a customer that had none),
-- its ids in other systems.  Now a record taken again (139's mark still
-- on its digest when its merges are made: a customers file's records are
-- written after their merges) is named as a new record is: always, where
-- an edge ends at it.  (One that held the identifier before it was kept
-- apart is named too, where a first import would not name it: its
-- customer's earlier holdings and those its write apart made are not told
-- apart.  Named is the lesser error: it is a record of the file that
-- carries the identifier.)
-- 134's function, with that condition.
CREATE OR REPLACE FUNCTION baton_import_absorb_all(p_run uuid) RETURNS integer
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    r record;
    v_n integer := 0;
    v_why text;
    v_recs text[];
    v_src text := (SELECT i.source FROM import_run i WHERE i.id = p_run);
    v_keys text[];
    v_into text[];
    v_new boolean := to_regclass('pg_temp.baton_import_new') IS NOT NULL;
BEGIN
    FOR r IN SELECT DISTINCT c.comp, c.survivor, x.cid
             FROM baton_import_comp c
             JOIN (SELECT l.l, coalesce(n.cid, CASE WHEN l.n LIKE 'c:%' THEN substr(l.n, 3)::bigint END) AS cid
                   FROM baton_import_lab l LEFT JOIN baton_import_node n ON n.node = l.n) x ON x.l = c.comp
             WHERE x.cid IS NOT NULL AND x.cid <> c.survivor
             ORDER BY c.survivor, x.cid LOOP
        IF v_n = 0 THEN
            -- Once for all merges: the ends of edges that are the file's
            -- records (r:ID), and the file's contacts at an identifier an
            -- edge joins, of a customer at an end of one (c:ID; few beside
            -- the file's), without those whose customer holds it.
            DROP TABLE IF EXISTS pg_temp.baton_import_via;
            CREATE TEMP TABLE baton_import_via ON COMMIT DROP AS
            SELECT y.node, y.kind, y.value, y.sid FROM (
                SELECT e.node, e.kind, e.value, substr(e.node, 3) AS sid
                FROM (SELECT x.a AS node, x.kind, x.value FROM baton_import_edge x
                      UNION SELECT x.b, x.kind, x.value FROM baton_import_edge x) e
                WHERE e.node LIKE 'r:%' AND e.kind <> 'self'
                UNION ALL
                SELECT 'c:' || c.cid, x.kind, x.value, c.sid
                FROM baton_import_c c
                CROSS JOIN LATERAL (VALUES ('email', lower(c.v ->> 'email')),
                                           ('domain', baton_norm_domain(c.v ->> 'email'))) x (kind, value)
                WHERE c.v ? 'email'
                  AND 'c:' || c.cid IN (SELECT e.a FROM baton_import_edge e WHERE e.kind IN ('email', 'domain')
                                        UNION SELECT e.b FROM baton_import_edge e WHERE e.kind IN ('email', 'domain'))
                  AND (x.kind, x.value) IN (SELECT e.kind, e.value FROM baton_import_edge e)) y
            LEFT JOIN baton_import_node n ON n.node = y.node
            -- The file's records a raise of import_max_merge marked to be
            -- taken again (145), found as updated.
            LEFT JOIN (SELECT 'r:' || c.sid AS node FROM baton_import_c c
                       JOIN import_record i ON i.source = v_src AND i.source_id = c.sid
                       WHERE v_new AND c.state = 'updated' AND i.digest LIKE 'v139:%') g ON g.node = y.node
            WHERE g.node IS NOT NULL
               OR NOT EXISTS (SELECT 1 FROM baton_import_found f
                              WHERE f.kind = y.kind AND f.value = y.value AND f.how <= 3
                                AND (f.cid = n.cid OR y.node = 'c:' || f.cid));
            CREATE INDEX ON baton_import_via (node);
            ANALYZE baton_import_via;
        END IF;
        -- Some edge reaches the customer's own nodes: that is how it is in
        -- the component.
        SELECT string_agg(DISTINCT baton_import_evidence_text(x.kind, x.value), ', '),
               array_agg(DISTINCT w.sid ORDER BY w.sid) FILTER (WHERE w.sid IS NOT NULL),
               coalesce(array_agg(DISTINCT x.kind || ':' || x.value ORDER BY x.kind || ':' || x.value)
                        FILTER (WHERE x.value IS NOT NULL), '{}')
        INTO v_why, v_recs, v_keys
        FROM (SELECT 'c:' || r.cid UNION SELECT n.node FROM baton_import_node n WHERE n.cid = r.cid) o (node)
        CROSS JOIN LATERAL (SELECT e.kind, e.value, e.a, e.b FROM baton_import_edge e WHERE e.a = o.node
                            UNION ALL SELECT e.kind, e.value, e.a, e.b FROM baton_import_edge e WHERE e.b = o.node) x
        CROSS JOIN LATERAL (VALUES (x.a), (x.b)) y (node)
        LEFT JOIN baton_import_via w ON w.node = y.node AND w.kind = x.kind AND w.value = x.value
        WHERE x.kind <> 'self';
        -- The merge's keys, as 097's trigger would fill them (keys: the
        -- identifiers of those edges; into_keys: those at the survivor's
        -- nodes, and at the record that made it in this file), written
        -- with it: the trigger's UPDATE of each merge left one dead entry
        -- in customer_merge_unkeyed_idx for every merge before it in the
        -- transaction, which the next merge's lookups read (0.7-1.4 ms a
        -- lookup, five a merge, at 3,000 merges).
        SELECT coalesce(array_agg(DISTINCT x.kind || ':' || x.value ORDER BY x.kind || ':' || x.value), '{}')
        INTO v_into
        FROM (SELECT 'c:' || r.survivor UNION SELECT n.node FROM baton_import_node n WHERE n.cid = r.survivor) o (node)
        CROSS JOIN LATERAL (SELECT e.kind, e.value FROM baton_import_edge e WHERE e.a = o.node
                            UNION ALL SELECT e.kind, e.value FROM baton_import_edge e WHERE e.b = o.node) x
        WHERE x.kind <> 'self' AND x.value IS NOT NULL;
        IF v_new THEN
            SELECT coalesce(array_agg(DISTINCT k ORDER BY k), '{}') INTO v_into
            FROM (SELECT unnest(v_into) UNION
                  SELECT x.kind || ':' || x.value
                  FROM pg_temp.baton_import_new w
                  CROSS JOIN LATERAL (SELECT e.kind, e.value FROM baton_import_edge e WHERE e.a = 'r:' || w.sid
                                      UNION ALL SELECT e.kind, e.value FROM baton_import_edge e
                                      WHERE e.b = 'r:' || w.sid) x
                  WHERE w.id = r.survivor AND x.kind <> 'self' AND x.value IS NOT NULL) y (k);
        END IF;
        PERFORM baton_import_absorb(p_run, r.survivor, r.cid, v_why,
            CASE WHEN cardinality(v_recs) > 0 THEN
                (SELECT string_agg(v_src || ' ' || u.s, ', ' ORDER BY u.o)
                 FROM unnest(v_recs[1:10]) WITH ORDINALITY u (s, o))
                || CASE WHEN cardinality(v_recs) > 10 THEN format(' and %s more', cardinality(v_recs) - 10)
                        ELSE '' END
            END, v_keys, v_into);
        v_n := v_n + 1;
    END LOOP;
    RETURN v_n;
END $$;
