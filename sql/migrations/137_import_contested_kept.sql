-- Baton schema, version 137: resolution's cost follows what is contested,
-- and a chain of records makes one customer in seconds, not in minutes
-- (#12, a contacts file's time; a review's finding).
--
-- 1. The identifiers no other customer or record holds are set aside by
-- keeping the contested ones, not by deleting the rest.  122's resolution
-- deleted from the file's claims and their holders every identifier that
-- only its claimant holds (a contact's own address, a domain only its
-- company has): nearly every row of a big file.  For the bench's 300,000
-- contacts, none of whose identifiers is contested, the two DELETEs took
-- 0.65 s each (pg_stat_statements, 320,000 rows each).  Now the rows of
-- the contested identifiers are copied into new tables, which take the
-- old ones' names: 2-3 ms each for the same file.  The rows kept are the
-- same.
--
-- 2. Components: a label went one edge a round, so a chain of records
-- each naming the next (an organization whose external_id names the next
-- HubSpot company: a mapping's mistake; a holding's overlapping domains)
-- took a round per record.  A page of 800 such organizations (3,000
-- customers there) took 124 s, 103 s of them in 1,601 rounds; 1,500 ran
-- for over 11 minutes, holding the import lock.  Now after each round
-- every node takes its label's label until none changes (pointer
-- jumping): the labels are the same, the smallest node of each component.
--
-- 3. The records a merge's evidence names: at most 25 (below).
--
-- With 2 and 3, the 800-organization chain takes 10.6 s and 1,600 take
-- 32 s.  128's resolution otherwise unchanged.
CREATE OR REPLACE FUNCTION baton_import_resolve_graph(p_shared text[]) RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    v_max integer := baton_setting_value('import_max_join')::integer;
    v_src text := (SELECT c.source FROM pg_temp.baton_import_ctx c);
    v_n integer;
    v_comps text[];
    v_edge record;
    v_ra text;
    v_rb text;
    v_keys text[];
    v_joins text[];
BEGIN
    -- Neither a shared domain nor an address at one (7.) is anyone's.
    DELETE FROM baton_import_claim c WHERE c.value IS NULL OR (c.kind = 'domain'
        AND (c.value = ANY (coalesce(p_shared, '{}'))
             OR EXISTS (SELECT 1 FROM baton_shared_domain d WHERE d.domain = c.value)));
    -- An address's domain as baton_norm_domain has it: 116 wrote its rule
    -- for a plain address again here, to skip the function's regular
    -- expressions; the function takes a plain one inline since 121.
    DELETE FROM baton_import_claim c
    USING (SELECT d.domain FROM baton_shared_domain d UNION SELECT unnest(coalesce(p_shared, '{}'))) s
    WHERE c.kind = 'email' AND s.domain = baton_norm_domain(c.value);
    -- The customers kept apart, as they are now: both ways round.
    CREATE TEMP TABLE baton_import_apart (a bigint, b bigint, PRIMARY KEY (a, b)) ON COMMIT DROP;
    INSERT INTO baton_import_apart
    SELECT DISTINCT p.a, p.b FROM customer_split s
    JOIN customer x ON x.id = s.customer_id JOIN customer y ON y.id = s.apart
    CROSS JOIN LATERAL (VALUES (coalesce(x.merged_into, x.id), coalesce(y.merged_into, y.id)),
                               (coalesce(y.merged_into, y.id), coalesce(x.merged_into, x.id))) p (a, b)
    WHERE p.a <> p.b;
    ANALYZE baton_import_apart;
    -- The customer records holding each domain, and their customers: a
    -- lookup in the domains' GIN index each (128).
    CREATE TEMP TABLE baton_import_held ON COMMIT DROP AS
    WITH k AS MATERIALIZED (SELECT DISTINCT value FROM baton_import_claim WHERE kind = 'domain')
    SELECT k.value, r.customer_id AS cid, r.source, r.source_id AS sid FROM k
    CROSS JOIN LATERAL (SELECT r.customer_id, r.source, r.source_id FROM import_record r, unnest(r.domains) d(d)
          WHERE r.entity = 'customers' AND r.domains @> ARRAY[k.value] AND d.d = k.value) r;
    ANALYZE baton_import_held;
    -- One join per kind of identifier, which the planner may hash: a
    -- lateral query per identifier cost 010 most of a contacts file.  How
    -- a customer holds it, strongest first: an id (1), its own domain (2),
    -- a record's (3), a contact's domain (4) or address (5).
    -- A file with fewer identifiers than a ninth of the contacts or the
    -- customers has each looked up in their indexes (128): for a page of
    -- 10,000 contacts the planner hashed all 320,000 contacts' addresses
    -- and 90,000 customers' domains (180 and 55 ms), where the lookups
    -- take a fraction of that.  A lookup costs about what nine rows
    -- hashed do (measured: 3.8 and 0.42 microseconds).
    v_joins := baton_import_lookups(baton_import_few('pg_temp.baton_import_claim',
        (SELECT max(c.reltuples) FROM pg_class c WHERE c.oid IN ('contact'::regclass, 'customer'::regclass))::numeric));
    CREATE TEMP TABLE baton_import_found ON COMMIT DROP AS
    -- Each kind's identifiers apart (116): one set of all three, filtered
    -- by kind, was estimated at 0.5% of its rows for each (a CTE has no
    -- statistics), and the 240,000 addresses of a contacts file were
    -- sorted to be merge-joined with every contact.
    WITH kx AS MATERIALIZED (SELECT DISTINCT value FROM baton_import_claim WHERE kind = 'ext'),
         kd AS MATERIALIZED (SELECT DISTINCT value FROM baton_import_claim WHERE kind = 'domain'),
         ke AS MATERIALIZED (SELECT DISTINCT value FROM baton_import_claim WHERE kind = 'email')
    SELECT x.kind, x.value, x.cid, min(x.how) AS how FROM (
        SELECT 'ext' AS kind, k.value, e.customer_id AS cid, 1 AS how FROM kx k JOIN customer_external_id e
            ON e.system = split_part(k.value, ':', 1) AND e.external_id = substr(k.value, strpos(k.value, ':') + 1)
        UNION ALL SELECT 'domain', k.value, c.id, 2 FROM kd k JOIN customer c ON lower(c.domain) = k.value
        WHERE c.merged_into IS NULL
        UNION ALL SELECT 'domain', h.value, h.cid, 3 FROM baton_import_held h
        UNION ALL SELECT 'domain', k.value, t.customer_id, 4 FROM kd k JOIN contact t
            ON baton_norm_domain(t.email) = k.value AND t.email IS NOT NULL
        UNION ALL SELECT 'email', k.value, t.customer_id, 5 FROM ke k JOIN contact t
            ON lower(t.email) = k.value AND t.email IS NOT NULL) x
    GROUP BY x.kind, x.value, x.cid;
    PERFORM baton_import_lookups_end(v_joins);
    ANALYZE baton_import_found;
    -- Only an identifier that two customers or nodes hold, or two nodes
    -- claim, can join anything, count against the limit or be evidence
    -- (122): one that only its claimant holds (a contact's own address, a
    -- new company's domain no one else has) makes no edge below, and is
    -- no candidate.  The others' claims and holders are set aside here,
    -- before the statements below read each of them several times.
    CREATE TEMP TABLE baton_import_contested ON COMMIT DROP AS
    SELECT x.kind, x.value FROM (
        SELECT c.kind, c.value, n.cid, true AS claim FROM baton_import_claim c
        LEFT JOIN baton_import_node n USING (node)
        UNION ALL SELECT f.kind, f.value, f.cid, false FROM baton_import_found f) x
    GROUP BY x.kind, x.value
    HAVING count(*) FILTER (WHERE x.claim) > 1 OR bool_or(x.claim AND x.cid IS NULL) AND NOT bool_and(x.claim)
        OR min(x.cid) <> max(x.cid);
    ANALYZE baton_import_contested;
    -- Kept by copying the few contested ones (137): deleting the others
    -- deleted nearly every row (1.3 s of a file of 300,000 contacts none
    -- of whose identifiers is contested).
    CREATE TEMP TABLE baton_import_claim_kept ON COMMIT DROP AS
    SELECT c.* FROM baton_import_claim c
    WHERE EXISTS (SELECT 1 FROM baton_import_contested k WHERE k.kind = c.kind AND k.value = c.value);
    DROP TABLE baton_import_claim;
    ALTER TABLE baton_import_claim_kept RENAME TO baton_import_claim;
    CREATE TEMP TABLE baton_import_found_kept ON COMMIT DROP AS
    SELECT f.* FROM baton_import_found f
    WHERE EXISTS (SELECT 1 FROM baton_import_contested k WHERE k.kind = f.kind AND k.value = f.value);
    DROP TABLE baton_import_found;
    ALTER TABLE baton_import_found_kept RENAME TO baton_import_found;
    ANALYZE baton_import_claim;
    ANALYZE baton_import_found;

    -- The holders of each identifier.  Records of one source are so many
    -- companies, merged or not (three HubSpot companies at
    -- reseller.example, merged by it, are three for the fourth, whichever
    -- file each came in); records of different sources may be one (Acme in
    -- the helpdesk, the CRM and billing is one), so a domain counts the most
    -- records one source has at it, this file's included.  The others (a
    -- customer's own domain, its contacts', an id; this file's nodes) are
    -- each a customer or a node.
    CREATE TEMP TABLE baton_import_rec ON COMMIT DROP AS
    SELECT value, max(n) AS n FROM (
        SELECT value, source, count(*) AS n FROM (
            SELECT h.value, h.source, h.sid FROM baton_import_held h
            UNION SELECT c.value, v_src, substr(c.node, 3) FROM baton_import_claim c
            WHERE c.kind = 'domain' AND c.node LIKE 'r:%') r
        GROUP BY value, source) s
    GROUP BY value;
    CREATE TEMP TABLE baton_import_oth ON COMMIT DROP AS
    SELECT f.kind, f.value, 'c:' || f.cid AS who FROM baton_import_found f
    WHERE NOT EXISTS (SELECT 1 FROM baton_import_held h
                      WHERE f.kind = 'domain' AND h.value = f.value AND h.cid = f.cid)
    UNION SELECT c.kind, c.value, coalesce('c:' || n.cid, c.node)
    FROM baton_import_claim c JOIN baton_import_node n USING (node)
    WHERE NOT (c.kind = 'domain' AND c.node LIKE 'r:%')
      AND NOT EXISTS (SELECT 1 FROM baton_import_held h
                      WHERE c.kind = 'domain' AND h.value = c.value AND h.cid = n.cid);
    ANALYZE baton_import_oth;
    -- The identifiers that join something: held by two customers or nodes
    -- or more.  Only these are counted against the limit (and reported):
    -- one that only one customer holds joins nothing, however many
    -- customers it made that one of.
    CREATE TEMP TABLE baton_import_cand ON COMMIT DROP AS
    SELECT kind, value FROM (
        SELECT o.kind, o.value, o.who FROM baton_import_oth o
        UNION SELECT 'domain', h.value, 'c:' || h.cid FROM baton_import_held h
        UNION SELECT 'domain', c.value, coalesce('c:' || n.cid, c.node)
        FROM baton_import_claim c JOIN baton_import_node n USING (node)
        WHERE c.kind = 'domain' AND c.node LIKE 'r:%') x
    GROUP BY kind, value HAVING count(*) >= 2;
    SELECT ARRAY(SELECT kind || ':' || value FROM baton_import_cand) INTO v_keys;

    -- What each customer holding such an identifier is, in companies that
    -- identifier made it of (097): the merges into its profile that named
    -- it, not split since, the most of one source's files (one company in
    -- several systems: its helpdesk organization, billing customer and
    -- mailing list joined by their contacts at its domain); and one more
    -- when a customer they merged into held it itself, or nothing was
    -- merged by it.  A record joined to the customer that its own customer
    -- was absorbed into, in the same file, is that absorption.  The merges
    -- are read by their keys' index when the identifiers are few (a page
    -- of organizations), else all of them (a contacts file that joins
    -- thousands of customers).
    CREATE TEMP TABLE baton_import_mw ON COMMIT DROP AS
    WITH m AS MATERIALIZED (
        SELECT m.id, m.customer_id, m.run_id, m.keys, m.into_keys, m.joined_source, m.joined_source_id
        FROM customer_merge m
        WHERE cardinality(v_keys) > 0
          AND (cardinality(v_keys) > 2000 OR (m.keys || m.into_keys) && v_keys)
          AND NOT EXISTS (SELECT 1 FROM customer_split s WHERE s.merge_id = m.id)
          AND NOT (m.joined_source IS NOT NULL AND EXISTS (
                SELECT 1 FROM customer_merge a
                WHERE a.customer_id = m.customer_id AND a.run_id = m.run_id AND a.absorbed IS NOT NULL
                  AND a.moved -> 'import_record'
                      @> jsonb_build_array(jsonb_build_array(m.joined_source, m.joined_source_id)))))
    SELECT x.cid, split_part(x.key, ':', 1) AS kind, substr(x.key, strpos(x.key, ':') + 1) AS value,
           max(x.n) + CASE WHEN bool_or(x.held) OR max(x.n) = 0 THEN 1 ELSE 0 END AS n FROM (
        SELECT coalesce(c.merged_into, c.id) AS cid, u.key,
               r.source,
               count(*) FILTER (WHERE u.key = ANY (m.keys)) AS n,
               bool_or(u.key = ANY (m.into_keys)) AS held
        FROM m JOIN customer c ON c.id = m.customer_id
        JOIN import_run r ON r.id = m.run_id
        CROSS JOIN LATERAL (SELECT unnest(m.keys) UNION SELECT unnest(m.into_keys)) u (key)
        WHERE u.key = ANY (v_keys)
        GROUP BY 1, 2, 3) x
    GROUP BY x.cid, x.key;
    ANALYZE baton_import_mw;

    -- How many companies would an identifier join: the records (060), a
    -- customer holding it by records counting too what it merged into it
    -- beyond them (a consultancy that is a CRM company, and the clients its
    -- contacts joined), and the others as what it made them.
    CREATE TEMP TABLE baton_import_unused ON COMMIT DROP AS
    SELECT x.kind, x.value, sum(x.n)::bigint AS n FROM (
        SELECT 'domain' AS kind, r.value, r.n FROM baton_import_rec r
        UNION ALL
        SELECT 'domain', h.value, greatest(0, w.n - h.recs)
        FROM (SELECT value, cid, max(n) AS recs
              FROM (SELECT value, cid, source, count(*) AS n FROM baton_import_held GROUP BY 1, 2, 3) s
              GROUP BY 1, 2) h
        JOIN baton_import_mw w ON w.cid = h.cid AND w.kind = 'domain' AND w.value = h.value
        UNION ALL
        SELECT o.kind, o.value, coalesce(w.n, 1) FROM baton_import_oth o
        LEFT JOIN baton_import_mw w
            ON w.cid = CASE WHEN o.who LIKE 'c:%' THEN substr(o.who, 3)::bigint END
           AND w.kind = o.kind AND w.value = o.value) x
    JOIN baton_import_cand k ON k.kind = x.kind AND k.value = x.value
    GROUP BY x.kind, x.value HAVING sum(x.n) > v_max;
    -- (Mostly none: then the claims are not sorted for nothing, 116.)
    IF EXISTS (SELECT 1 FROM baton_import_unused) THEN
        DELETE FROM baton_import_claim c USING baton_import_unused u
        WHERE u.kind = c.kind AND u.value = c.value;
    END IF;

    CREATE TEMP TABLE baton_import_edge (a text, b text, kind text, value text, how integer) ON COMMIT DROP;
    INSERT INTO baton_import_edge
    SELECT c.node, 'c:' || f.cid, c.kind, c.value, f.how
    FROM baton_import_claim c JOIN baton_import_node n USING (node)
    JOIN baton_import_found f USING (kind, value)
    WHERE f.cid IS DISTINCT FROM n.cid AND c.node <> 'c:' || f.cid
      AND NOT EXISTS (SELECT 1 FROM baton_import_apart p WHERE p.a = n.cid AND p.b = f.cid);
    INSERT INTO baton_import_edge
    SELECT c.node, m.node, c.kind, c.value, CASE c.kind WHEN 'ext' THEN 1 WHEN 'domain' THEN 3 ELSE 5 END
    FROM baton_import_claim c
    JOIN (SELECT kind, value, min(node) AS node FROM baton_import_claim GROUP BY 1, 2) m USING (kind, value)
    JOIN baton_import_node n1 ON n1.node = c.node JOIN baton_import_node n2 ON n2.node = m.node
    WHERE c.node <> m.node
      AND NOT EXISTS (SELECT 1 FROM baton_import_apart p WHERE p.a = n1.cid AND p.b = n2.cid);
    INSERT INTO baton_import_edge
    SELECT node, 'c:' || cid, 'self', NULL, 0 FROM baton_import_node
    WHERE cid IS NOT NULL AND node <> 'c:' || cid;
    -- baton_import_why reads a node's edges, once per merge.
    CREATE INDEX ON baton_import_edge (a);
    CREATE INDEX ON baton_import_edge (b);
    ANALYZE baton_import_edge;
    -- baton_import_absorb_all reads an absorbed customer's nodes.
    CREATE INDEX ON baton_import_node (cid);
    ANALYZE baton_import_node;

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
        -- and then its label's label, until none changes (137): a label
        -- went one edge a round, and a chain of records each naming the
        -- next took a round per record (800 of them: 1,601 rounds, 103 s).
        -- Each such round halves what is left of the way.
        LOOP
            UPDATE baton_import_lab x SET l = y.l FROM baton_import_lab y
            WHERE y.n = x.l AND y.l < x.l;
            GET DIAGNOSTICS v_n = ROW_COUNT;
            EXIT WHEN v_n = 0;
        END LOOP;
    END LOOP;
    -- and a component's nodes, once per absorbed customer.
    CREATE INDEX ON baton_import_lab (l);
    ANALYZE baton_import_lab;

    -- Components holding two customers kept apart are built again, one
    -- edge at a time, following no edge that would join such two.  Each
    -- node's group (r) is named by its smallest node, as labels are.
    IF EXISTS (SELECT 1 FROM baton_import_apart) THEN
        CREATE TEMP TABLE baton_import_uf ON COMMIT DROP AS
        SELECT l.n, l.n AS r, l.l AS comp,
               coalesce(n.cid, CASE WHEN l.n LIKE 'c:%' THEN substr(l.n, 3)::bigint END) AS cid
        FROM baton_import_lab l LEFT JOIN baton_import_node n ON n.node = l.n;
        CREATE INDEX ON baton_import_uf (cid);
        ANALYZE baton_import_uf;
        SELECT array_agg(DISTINCT x.comp) INTO v_comps FROM baton_import_apart p
        JOIN baton_import_uf x ON x.cid = p.a JOIN baton_import_uf y ON y.cid = p.b AND y.comp = x.comp;
        IF v_comps IS NOT NULL THEN
            DELETE FROM baton_import_uf u WHERE u.comp <> ALL (v_comps);
            CREATE UNIQUE INDEX ON baton_import_uf (n);
            CREATE INDEX ON baton_import_uf (r);
            ANALYZE baton_import_uf;
            FOR v_edge IN SELECT x.a, x.b FROM baton_import_edge x
                     JOIN baton_import_uf ua ON ua.n = x.a JOIN baton_import_uf ub ON ub.n = x.b
                     ORDER BY x.how, least(ua.cid, ub.cid) NULLS LAST, x.a, x.b LOOP
                SELECT u.r INTO v_ra FROM baton_import_uf u WHERE u.n = v_edge.a;
                SELECT u.r INTO v_rb FROM baton_import_uf u WHERE u.n = v_edge.b;
                CONTINUE WHEN v_ra = v_rb OR EXISTS (
                    SELECT 1 FROM baton_import_uf x JOIN baton_import_apart p ON p.a = x.cid
                    JOIN baton_import_uf y ON y.cid = p.b
                    WHERE x.r = v_ra AND y.r = v_rb);
                UPDATE baton_import_uf SET r = least(v_ra, v_rb) WHERE r IN (v_ra, v_rb);
            END LOOP;
            UPDATE baton_import_lab l SET l = u.r FROM baton_import_uf u WHERE u.n = l.n;
            -- The edges not followed are no evidence of anything.
            DELETE FROM baton_import_edge x USING baton_import_uf ua, baton_import_uf ub
            WHERE ua.n = x.a AND ub.n = x.b AND ua.r <> ub.r;
            ANALYZE baton_import_lab;
        END IF;
    END IF;

    CREATE TEMP TABLE baton_import_comp ON COMMIT DROP AS
    SELECT l.l AS comp, min(coalesce(n.cid, CASE WHEN l.n LIKE 'c:%' THEN substr(l.n, 3)::bigint END))
           AS survivor
    FROM baton_import_lab l LEFT JOIN baton_import_node n ON n.node = l.n GROUP BY l.l;
    ANALYZE baton_import_comp;
END $$;

-- The records a merge's evidence names (010): at most 25 of them, then
-- {"more": N}.  Every merge of a file named all the records of its
-- survivor, so a customer a chain of records made (each naming the next:
-- a mapping's mistake, a holding's overlapping domains) wrote the records
-- of every merge before it again with each one, quadratic in the chain.
-- What a screen or `baton merges` says of a customer's records is read
-- from the records themselves, not from here.
CREATE OR REPLACE FUNCTION baton_import_records_of(p_customers bigint[]) RETURNS jsonb
LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
    SELECT coalesce((SELECT jsonb_agg(x.j ORDER BY x.source, x.source_id)
                     FROM (SELECT jsonb_build_object('source', r.source, 'id', r.source_id,
                                                     'label', r.label, 'customer', r.customer_id) AS j,
                                  r.source, r.source_id
                           FROM import_record r
                           WHERE r.entity = 'customers' AND r.customer_id = ANY (p_customers)
                           ORDER BY r.source, r.source_id LIMIT 25) x), '[]')
        || CASE WHEN k.n > 25 THEN jsonb_build_array(jsonb_build_object('more', k.n - 25)) ELSE '[]' END
    FROM (SELECT count(*) AS n FROM import_record r
          WHERE r.entity = 'customers' AND r.customer_id = ANY (p_customers)) k
$$;
