-- Baton schema, version 22: recording merges costs in proportion to them.
--
-- Each merge an import records names its evidence with baton_import_why,
-- which reads the edges of one node of the identifier graph (and, for an
-- absorbed customer, the nodes of one component).  Those temporary tables
-- had no index, so every call read the whole graph: with 30,000
-- organisations (3,000 merges) recording the merges took 6.2 s of an 18 s
-- import, and the time grew with the square of the file (100,000
-- organisations: 184 s, against 5.5 s for 10,000).  015's
-- baton_import_resolve, with indexes on the edges' ends and on the
-- components' labels once they are final; nothing else changes.

CREATE OR REPLACE FUNCTION baton_import_resolve(p_shared text[]) RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    v_max integer := baton_setting_value('import_max_join')::integer;
    v_n integer;
BEGIN
    DELETE FROM baton_import_claim c WHERE c.value IS NULL OR (c.kind = 'domain'
        AND (c.value = ANY (coalesce(p_shared, '{}'))
             OR EXISTS (SELECT 1 FROM baton_shared_domain d WHERE d.domain = c.value)));
    -- One join per kind of identifier, which the planner may hash: a
    -- lateral query per identifier cost 010 most of a contacts file.
    CREATE TEMP TABLE baton_import_found ON COMMIT DROP AS
    WITH k AS MATERIALIZED (SELECT DISTINCT kind, value FROM baton_import_claim)
    SELECT DISTINCT x.kind, x.value, x.cid FROM (
        SELECT k.kind, k.value, e.customer_id AS cid FROM k JOIN customer_external_id e
            ON e.system = split_part(k.value, ':', 1) AND e.external_id = substr(k.value, strpos(k.value, ':') + 1)
        WHERE k.kind = 'ext'
        UNION ALL SELECT k.kind, k.value, c.id FROM k JOIN customer c ON lower(c.domain) = k.value
        WHERE k.kind = 'domain' AND c.merged_into IS NULL
        UNION ALL SELECT k.kind, k.value, r.customer_id FROM k
            JOIN (SELECT r.customer_id, d.d FROM import_record r, unnest(r.domains) d(d)
                  WHERE r.entity = 'customers' AND r.domains <> '{}') r ON r.d = k.value
        WHERE k.kind = 'domain'
        UNION ALL SELECT k.kind, k.value, t.customer_id FROM k JOIN contact t
            ON baton_norm_domain(t.email) = k.value AND t.email IS NOT NULL
        WHERE k.kind = 'domain'
        UNION ALL SELECT k.kind, k.value, t.customer_id FROM k JOIN contact t
            ON lower(t.email) = k.value AND t.email IS NOT NULL
        WHERE k.kind = 'email') x;
    ANALYZE baton_import_found;

    CREATE TEMP TABLE baton_import_unused ON COMMIT DROP AS
    SELECT kind, value, count(*) AS n FROM (
        SELECT f.kind, f.value, 'c:' || f.cid AS who FROM baton_import_found f
        UNION SELECT c.kind, c.value, coalesce('c:' || n.cid, c.node)
        FROM baton_import_claim c JOIN baton_import_node n USING (node)) x
    GROUP BY kind, value HAVING count(*) > v_max;
    DELETE FROM baton_import_claim c USING baton_import_unused u
    WHERE u.kind = c.kind AND u.value = c.value;

    CREATE TEMP TABLE baton_import_edge (a text, b text, kind text, value text) ON COMMIT DROP;
    INSERT INTO baton_import_edge
    SELECT c.node, 'c:' || f.cid, c.kind, c.value
    FROM baton_import_claim c JOIN baton_import_node n USING (node)
    JOIN baton_import_found f USING (kind, value)
    WHERE f.cid IS DISTINCT FROM n.cid AND c.node <> 'c:' || f.cid
      AND NOT baton_split_apart(n.cid, f.cid);
    INSERT INTO baton_import_edge
    SELECT c.node, m.node, c.kind, c.value
    FROM baton_import_claim c
    JOIN (SELECT kind, value, min(node) AS node FROM baton_import_claim GROUP BY 1, 2) m USING (kind, value)
    JOIN baton_import_node n1 ON n1.node = c.node JOIN baton_import_node n2 ON n2.node = m.node
    WHERE c.node <> m.node AND NOT baton_split_apart(n1.cid, n2.cid);
    INSERT INTO baton_import_edge
    SELECT node, 'c:' || cid, 'self', NULL FROM baton_import_node
    WHERE cid IS NOT NULL AND node <> 'c:' || cid;
    -- baton_import_why reads a node's edges, once per merge.
    CREATE INDEX ON baton_import_edge (a);
    CREATE INDEX ON baton_import_edge (b);
    ANALYZE baton_import_edge;

    -- Components: each node takes the smallest label among its
    -- neighbours' until none changes (a few rounds: chains are short).
    CREATE TEMP TABLE baton_import_lab (n text PRIMARY KEY, l text) ON COMMIT DROP;
    INSERT INTO baton_import_lab SELECT n, n FROM (SELECT node FROM baton_import_node
        UNION SELECT b FROM baton_import_edge) x(n);
    CREATE TEMP TABLE baton_import_e2 ON COMMIT DROP AS
    SELECT a, b FROM baton_import_edge UNION SELECT b, a FROM baton_import_edge;
    ANALYZE baton_import_lab;
    ANALYZE baton_import_e2;
    LOOP
        UPDATE baton_import_lab x SET l = m.l
        FROM (SELECT e.a AS n, min(y.l) AS l FROM baton_import_e2 e
              JOIN baton_import_lab y ON y.n = e.b GROUP BY e.a) m
        WHERE x.n = m.n AND m.l < x.l;
        GET DIAGNOSTICS v_n = ROW_COUNT;
        EXIT WHEN v_n = 0;
    END LOOP;
    -- and a component's nodes, once per absorbed customer.
    CREATE INDEX ON baton_import_lab (l);
    ANALYZE baton_import_lab;
    CREATE TEMP TABLE baton_import_comp ON COMMIT DROP AS
    SELECT l.l AS comp, min(coalesce(n.cid, CASE WHEN l.n LIKE 'c:%' THEN substr(l.n, 3)::bigint END))
           AS survivor
    FROM baton_import_lab l LEFT JOIN baton_import_node n ON n.node = l.n GROUP BY l.l;
    ANALYZE baton_import_comp;
END $$;
