-- Baton schema, version 128: a file small beside what its source has reads
-- what it concerns, not every record (#12, incremental files and export
-- pages; "cost in proportion to change").  In order below: the customer
-- records holding a file's domains, and who holds its identifiers; the
-- customer table analyzed only when a file grows it by a tenth; whether
-- a source has records; and the statements that match a file's lines
-- with its source's records (by hash, by key, by reference), each looked
-- up in an index when the lines are fewer than a ninth of the records.
--
-- baton_import_resolve_graph (122) found the customer records holding the
-- domains a file claims by unnesting the domains of every customer record
-- and hash-joining them with the file's: a page of 1,000 contacts or
-- organisations after the bench's 100,000 organisations spent 190-215 ms
-- there, 40% of the contacts page, and it grows with the customers.
-- Now each claimed domain is looked up in import_record's GIN index on
-- domains (010, import_record_domains_idx), one probe a domain: 1,000
-- domains take 10-50 ms however many records there are, and 100,000 (a
-- first contacts file) take what the join took (550 against 590 ms).
-- One probe per domain, not one probe of them all: an overlap (&&) with
-- an array of 10,000 domains cost GIN 0.7 s, of 100,000 160 s (each
-- record found is checked against every one of them).  A record is
-- found once for each of its domains that is claimed, as the join found
-- it.
-- Then who holds each identifier (baton_import_found): a file with fewer
-- identifiers than a ninth of the contacts or customers has each looked
-- up in their indexes, with the planner's hash and merge joins off for
-- that statement.  It hashed every contact's address for a page of
-- 10,000 contacts, as its costs told it (180 ms, and 55 ms for the
-- customers' domains), where the lookups take a fraction of that.  A
-- bigger file is planned as before.  Otherwise 122's function unchanged.
-- A statement's joins as lookups (128): hash and merge joins off until
-- baton_import_lookups_end, when p_on; what they were, to give back.
-- (Set for the transaction, as SET LOCAL is: the end gives them back.)
CREATE FUNCTION baton_import_lookups(p_on boolean) RETURNS text[]
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    v_was text[] := ARRAY[current_setting('enable_hashjoin'), current_setting('enable_mergejoin')];
BEGIN
    IF p_on THEN
        PERFORM set_config('enable_hashjoin', 'off', true), set_config('enable_mergejoin', 'off', true);
    END IF;
    RETURN v_was;
END $$;
CREATE FUNCTION baton_import_lookups_end(p_was text[]) RETURNS void
LANGUAGE sql SET search_path = public, pg_temp AS $$
    SELECT FROM set_config('enable_hashjoin', p_was[1], true) h, set_config('enable_mergejoin', p_was[2], true) m
$$;
-- Whether a table's rows are few beside ROWS others they are matched
-- with: fewer than a ninth of them.  A row's lookup in an index costs
-- about what nine rows hashed do (3.8 and 0.42 microseconds, measured);
-- the planner prices the lookup at 25 of them, and hashed a source of
-- 310,000 records for a page of 10,000 lines.  The rows are counted only
-- up to that ninth.
CREATE FUNCTION baton_import_few(p_rows regclass, p_beside numeric) RETURNS boolean
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    v_few boolean;
BEGIN
    EXECUTE format('SELECT NOT EXISTS (SELECT 1 FROM %s OFFSET $1)', p_rows) INTO v_few
        USING floor(greatest(p_beside, 0) / 9)::bigint;
    RETURN v_few;
END $$;
-- A file's lines beside its source's records, as many as the planner puts
-- the source at (the estimate its plans use).
CREATE FUNCTION baton_import_few_lines(p_lines regclass, p_src text) RETURNS boolean
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    v_plan json;
BEGIN
    EXECUTE format('EXPLAIN (FORMAT JSON) SELECT 1 FROM import_record WHERE source = %L', p_src) INTO v_plan;
    RETURN baton_import_few(p_lines, (v_plan -> 0 -> 'Plan' ->> 'Plan Rows')::numeric);
END $$;

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
    DELETE FROM baton_import_claim c WHERE NOT EXISTS (
        SELECT 1 FROM baton_import_contested k WHERE k.kind = c.kind AND k.value = c.value);
    DELETE FROM baton_import_found f WHERE NOT EXISTS (
        SELECT 1 FROM baton_import_contested k WHERE k.kind = f.kind AND k.value = f.value);
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

-- A file's new customers had the customer table analyzed before the
-- statements that read them (091's baton_import_customers): 230 ms of a
-- page of 1,000 organisations after 91,000 customers, for statistics that
-- a tenth more rows would hardly move.  Now only when the new customers
-- are more than a tenth of what the statistics know, 039's rule for a
-- file's first statements (baton_import_analyze).  091's function
-- otherwise unchanged.
CREATE OR REPLACE FUNCTION baton_import_customers(p_run uuid, p_src text, p_spec jsonb, p_shared text[],
                                       OUT inserted integer, OUT updated integer, OUT merged integer)
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    v_sys text := p_spec ->> 'system';
    v_ids boolean := (p_spec -> 'fields') ?| ARRAY(SELECT x || '_id' FROM baton_import_id_systems() x);
    v_fields text[] := ARRAY(SELECT k FROM jsonb_object_keys(p_spec -> 'fields') k ORDER BY k);
    v_made bigint;
BEGIN
    INSERT INTO baton_import_reject (line, field, reason)
    SELECT line, 'name', CASE WHEN v ? 'name' THEN 'longer than 200 characters' ELSE 'missing name' END
    FROM baton_import_s WHERE length(coalesce(v ->> 'name', v -> 'domains' ->> 0, '')) NOT BETWEEN 1 AND 200;
    DELETE FROM baton_import_s
    WHERE length(coalesce(v ->> 'name', v -> 'domains' ->> 0, '')) NOT BETWEEN 1 AND 200;
    -- An id in another system is at most 200 characters, as
    -- customer_external_id holds them; blank is none.
    IF v_ids THEN
        INSERT INTO baton_import_reject (line, field, reason)
        SELECT DISTINCT ON (s.line) s.line, x.sys || '_id', 'longer than 200 characters'
        FROM baton_import_s s, baton_import_id_systems() x(sys)
        WHERE length(btrim(s.v ->> (x.sys || '_id'))) > 200 ORDER BY s.line, x.sys;
        DELETE FROM baton_import_s s WHERE EXISTS (SELECT 1 FROM baton_import_id_systems() x(sys)
            WHERE length(btrim(s.v ->> (x.sys || '_id'))) > 200);
    END IF;

    CREATE TEMP TABLE baton_import_c ON COMMIT DROP AS
    SELECT s.line, s.v, s.digest, s.v ->> 'source_id' AS sid, r.customer_id AS cid, r.owns,
        CASE WHEN r.source_id IS NULL THEN 'new'
             WHEN r.digest = s.digest
               OR (s.v ->> 'updated_at')::timestamptz < r.source_updated_at THEN 'unchanged'
             ELSE 'updated' END AS state,
        NULL::bigint AS survivor
    FROM baton_import_s s
    LEFT JOIN import_record r ON r.source = p_src AND r.source_id = s.v ->> 'source_id';
    DELETE FROM baton_import_c WHERE state = 'unchanged';
    ANALYZE baton_import_c;

    CREATE TEMP TABLE baton_import_node ON COMMIT DROP AS
    SELECT 'r:' || sid AS node, cid FROM baton_import_c;
    CREATE TEMP TABLE baton_import_claim ON COMMIT DROP AS
    SELECT 'r:' || sid AS node, 'ext' AS kind, v_sys || ':' || sid AS value
    FROM baton_import_c WHERE v_sys IS NOT NULL
    UNION ALL
    SELECT 'r:' || sid, 'domain', d FROM baton_import_c, jsonb_array_elements_text(v -> 'domains') d
    UNION ALL
    SELECT 'r:' || c.sid, 'ext', i.value FROM baton_import_c c, baton_import_ids_of(c.v) i WHERE v_ids;
    ANALYZE baton_import_node;
    ANALYZE baton_import_claim;
    PERFORM baton_import_resolve(p_shared);

    -- A component with no customer yet gets one, made from its first record.
    CREATE TEMP TABLE baton_import_new ON COMMIT DROP AS
    SELECT x.*, nextval(pg_get_serial_sequence('customer', 'id')) AS id FROM (
        SELECT DISTINCT ON (l.l) l.l AS comp, c.sid, c.v, c.line
        FROM baton_import_c c JOIN baton_import_lab l ON l.n = 'r:' || c.sid
        JOIN baton_import_comp k ON k.comp = l.l
        WHERE k.survivor IS NULL ORDER BY l.l, c.line) x;
    ANALYZE baton_import_new;
    -- Its domain: the first that no customer has and that says who it is
    -- (the first record to name it, when new customers share one).
    CREATE TEMP TABLE baton_import_dom ON COMMIT DROP AS
    SELECT DISTINCT ON (n.id) n.id, x.d AS domain, n.line
    FROM baton_import_new n, jsonb_array_elements_text(n.v -> 'domains') WITH ORDINALITY x(d, i)
    WHERE NOT EXISTS (SELECT 1 FROM baton_shared_domain s WHERE s.domain = x.d)
      AND NOT x.d = ANY (coalesce(p_shared, '{}'))
      AND NOT EXISTS (SELECT 1 FROM baton_import_unused u WHERE u.kind = 'domain' AND u.value = x.d)
      AND NOT EXISTS (SELECT 1 FROM customer c WHERE lower(c.domain) = x.d)
    ORDER BY n.id, x.i;
    ANALYZE baton_import_dom;
    INSERT INTO customer (id, name, domain, plan, segment, lifecycle, owner, renewal_date)
    SELECT n.id, coalesce(n.v ->> 'name', n.v -> 'domains' ->> 0),
        CASE WHEN row_number() OVER (PARTITION BY d.domain ORDER BY n.line) = 1 THEN d.domain END,
        coalesce(n.v ->> 'plan', 'starter'), coalesce(n.v ->> 'segment', 'smb'),
        coalesce(n.v ->> 'lifecycle', 'onboarding'), (n.v ->> 'owner')::name,
        (n.v ->> 'renewal_date')::date
    FROM baton_import_new n LEFT JOIN baton_import_dom d ON d.id = n.id;
    -- Statistics for the statements below when the new customers are more
    -- than a tenth of the rows the statistics know (128: not for a page;
    -- 039 analyzes the table before a file when its pages have grown by
    -- a tenth since, as a run of pages makes them).
    GET DIAGNOSTICS v_made = ROW_COUNT;
    IF v_made > 0 AND (SELECT c.reltuples < 0 OR v_made > c.reltuples / 10
                       FROM pg_class c WHERE c.oid = 'customer'::regclass) THEN
        ANALYZE customer;
    END IF;
    UPDATE baton_import_comp k SET survivor = n.id FROM baton_import_new n WHERE n.comp = k.comp;
    -- Every record's customer from here on: its component's survivor.
    UPDATE baton_import_c c SET survivor = k.survivor
    FROM baton_import_lab l JOIN baton_import_comp k ON k.comp = l.l WHERE l.n = 'r:' || c.sid;

    merged := baton_import_absorb_all(p_run);

    -- Records that joined a customer they did not make: recorded with why.
    INSERT INTO customer_merge (run_id, customer_id, joined_source, joined_source_id, identifiers, evidence)
    SELECT p_run, c.survivor, p_src, c.sid, coalesce(baton_import_why('r:' || c.sid, NULL), ''),
        jsonb_build_object('identifiers', coalesce(baton_import_why('r:' || c.sid, NULL), ''),
                           'records', baton_import_records_of(ARRAY[c.survivor]),
                           'record', jsonb_build_object('source', p_src, 'id', c.sid,
                                                        'label', p_spec ->> 'label'))
    FROM baton_import_c c
    WHERE c.cid IS DISTINCT FROM c.survivor
      AND NOT EXISTS (SELECT 1 FROM baton_import_new n WHERE n.sid = c.sid);
    GET DIAGNOSTICS inserted = ROW_COUNT;
    merged := merged + inserted;

    -- Fields follow the record that made the customer; others fill gaps:
    -- a record that joined a customer it did not make gives the fields that
    -- no source of the customer's makers maps (a Zendesk organization has
    -- no lifecycle stage; the HubSpot company that joined it has one).
    -- Where a maker's mapping is not known (its record last written before
    -- version 65), nothing is filled, as before.  Of several such records
    -- of one customer in a file, the newest gives them.
    CREATE TEMP TABLE baton_import_fill ON COMMIT DROP AS
    SELECT DISTINCT ON (c.survivor) c.survivor AS cid, c.v, o.taken
    FROM baton_import_c c
    CROSS JOIN LATERAL (SELECT bool_and(r.fields IS NOT NULL) AS known,
                               array_agg(DISTINCT f.f) FILTER (WHERE f.f IS NOT NULL) AS taken
                        FROM import_record r LEFT JOIN LATERAL unnest(r.fields) f(f) ON true
                        WHERE r.customer_id = c.survivor AND r.entity = 'customers' AND r.owns
                          AND r.source <> p_src) o
    WHERE c.state IN ('new', 'updated') AND c.survivor IS NOT NULL AND o.known
      AND NOT (coalesce(c.owns, false) AND c.cid = c.survivor)
      AND NOT EXISTS (SELECT 1 FROM baton_import_new n WHERE n.sid = c.sid)
    ORDER BY c.survivor, (c.v ->> 'updated_at')::timestamptz DESC NULLS LAST, c.line DESC;
    UPDATE customer u SET
        plan = CASE WHEN 'plan' = ANY (coalesce(f.taken, '{}')) THEN u.plan ELSE coalesce(f.v ->> 'plan', u.plan) END,
        segment = CASE WHEN 'segment' = ANY (coalesce(f.taken, '{}')) THEN u.segment
                       ELSE coalesce(f.v ->> 'segment', u.segment) END,
        lifecycle = CASE WHEN 'lifecycle' = ANY (coalesce(f.taken, '{}')) THEN u.lifecycle
                         ELSE coalesce(f.v ->> 'lifecycle', u.lifecycle) END,
        owner = CASE WHEN 'owner' = ANY (coalesce(f.taken, '{}')) THEN u.owner
                     ELSE coalesce((f.v ->> 'owner')::name, u.owner) END,
        renewal_date = CASE WHEN 'renewal_date' = ANY (coalesce(f.taken, '{}')) THEN u.renewal_date
                            ELSE coalesce((f.v ->> 'renewal_date')::date, u.renewal_date) END,
        updated_at = now()
    FROM baton_import_fill f
    WHERE u.id = f.cid
      AND (u.plan, u.segment, u.lifecycle, u.owner, u.renewal_date) IS DISTINCT FROM
          (CASE WHEN 'plan' = ANY (coalesce(f.taken, '{}')) THEN u.plan ELSE coalesce(f.v ->> 'plan', u.plan) END,
           CASE WHEN 'segment' = ANY (coalesce(f.taken, '{}')) THEN u.segment
                ELSE coalesce(f.v ->> 'segment', u.segment) END,
           CASE WHEN 'lifecycle' = ANY (coalesce(f.taken, '{}')) THEN u.lifecycle
                ELSE coalesce(f.v ->> 'lifecycle', u.lifecycle) END,
           CASE WHEN 'owner' = ANY (coalesce(f.taken, '{}')) THEN u.owner
                ELSE coalesce((f.v ->> 'owner')::name, u.owner) END,
           CASE WHEN 'renewal_date' = ANY (coalesce(f.taken, '{}')) THEN u.renewal_date
                ELSE coalesce((f.v ->> 'renewal_date')::date, u.renewal_date) END);

    CREATE TEMP TABLE baton_import_own ON COMMIT DROP AS
    SELECT c.cid, c.v FROM baton_import_c c
    WHERE c.state = 'updated' AND c.owns AND c.cid = c.survivor;
    ANALYZE baton_import_own;
    UPDATE customer u SET name = coalesce(c.v ->> 'name', u.name),
        plan = coalesce(c.v ->> 'plan', u.plan), segment = coalesce(c.v ->> 'segment', u.segment),
        lifecycle = coalesce(c.v ->> 'lifecycle', u.lifecycle),
        owner = coalesce((c.v ->> 'owner')::name, u.owner),
        renewal_date = coalesce((c.v ->> 'renewal_date')::date, u.renewal_date), updated_at = now()
    FROM baton_import_own c
    WHERE u.id = c.cid
      AND (u.name, u.plan, u.segment, u.lifecycle, u.owner, u.renewal_date) IS DISTINCT FROM
          (coalesce(c.v ->> 'name', u.name), coalesce(c.v ->> 'plan', u.plan),
           coalesce(c.v ->> 'segment', u.segment), coalesce(c.v ->> 'lifecycle', u.lifecycle),
           coalesce((c.v ->> 'owner')::name, u.owner),
           coalesce((c.v ->> 'renewal_date')::date, u.renewal_date));

    IF v_sys IS NOT NULL THEN
        INSERT INTO customer_external_id (system, external_id, customer_id)
        SELECT v_sys, c.sid, c.survivor FROM baton_import_c c
        ON CONFLICT (system, external_id) DO NOTHING;
    END IF;
    -- Its ids in other systems: the customer's too (the finder's and
    -- `baton show`'s), unless a customer already has one of them.
    IF v_ids THEN
        INSERT INTO customer_external_id (system, external_id, customer_id)
        SELECT DISTINCT ON (i.sys, i.id) i.sys, i.id, c.survivor
        FROM baton_import_c c, baton_import_ids_of(c.v) i ORDER BY i.sys, i.id, c.line
        ON CONFLICT (system, external_id) DO NOTHING;
    END IF;

    INSERT INTO import_record AS r (source, source_id, entity, target_id, customer_id, digest,
        source_updated_at, run_id, owns, label, name, domains, external, fields, vals)
    SELECT p_src, c.sid, 'customers', c.survivor, c.survivor, c.digest,
        (c.v ->> 'updated_at')::timestamptz, p_run,
        EXISTS (SELECT 1 FROM baton_import_new n WHERE n.sid = c.sid)
            OR (coalesce(c.owns, false) AND c.cid = c.survivor),
        p_spec ->> 'label', c.v ->> 'name',
        ARRAY(SELECT jsonb_array_elements_text(c.v -> 'domains')), v_sys || ':' || c.sid, v_fields,
        jsonb_strip_nulls(jsonb_build_object('plan', c.v -> 'plan', 'segment', c.v -> 'segment',
            'lifecycle', c.v -> 'lifecycle', 'owner', c.v -> 'owner', 'renewal_date', c.v -> 'renewal_date'))
    FROM baton_import_c c
    ON CONFLICT (source, source_id) DO UPDATE SET target_id = EXCLUDED.target_id,
        customer_id = EXCLUDED.customer_id, digest = EXCLUDED.digest,
        source_updated_at = EXCLUDED.source_updated_at, run_id = EXCLUDED.run_id,
        owns = EXCLUDED.owns, label = EXCLUDED.label, name = EXCLUDED.name,
        domains = EXCLUDED.domains, external = EXCLUDED.external, fields = EXCLUDED.fields,
        vals = EXCLUDED.vals;
    SELECT count(*) FILTER (WHERE state = 'new'), count(*) FILTER (WHERE state = 'updated')
        INTO inserted, updated FROM baton_import_c;
END $$;

-- Whether a source has records yet (045's baton_import_hashes_begin and
-- 113's baton_import_skip ask, for every file): the planner answered it
-- with a sequential scan, as a source is most of import_record, and found
-- the source's first record only where the table's pages have it: past
-- 400,000 organisations' and contacts' records for a page of tickets, 60
-- ms.  Now the first record in the primary key, a few index pages
-- whatever the table's size.  Both functions otherwise unchanged.
CREATE FUNCTION baton_import_source_has_records(p_src text) RETURNS boolean
LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
    SELECT (SELECT i.source_id FROM import_record i WHERE i.source = p_src
            ORDER BY i.source, i.source_id LIMIT 1) IS NOT NULL
$$;
-- (Not revoked from PUBLIC: it is no SECURITY DEFINER, so a caller needs
-- import_record's rights, and the functions that call it are not always
-- of the role that made it, when a superuser ran a later migration.)

CREATE OR REPLACE FUNCTION baton_import_hashes_begin(p_spec jsonb, p_header text, p_probes text[])
RETURNS TABLE (seed bigint, probes bigint[])
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_src text;
    v_seed bigint := baton_import_line_seed(p_spec, CASE WHEN p_spec ->> 'format' = 'csv'
                                                         THEN coalesce(p_header, '') END);
BEGIN
    PERFORM baton_import_check();
    IF to_regclass('pg_temp.baton_import_ctx') IS NULL THEN
        RAISE EXCEPTION 'no import run in this transaction: baton_import_begin() first'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    v_src := (SELECT c.source FROM pg_temp.baton_import_ctx c);
    IF p_spec ->> 'format' NOT IN ('jsonl', 'csv') OR current_setting('server_encoding') <> 'UTF8'
       OR NOT baton_import_source_has_records(v_src) THEN
        RETURN;
    END IF;
    DROP TABLE IF EXISTS pg_temp.baton_import_hashes, pg_temp.baton_import_known;
    CREATE TEMP TABLE baton_import_hashes (line bigint NOT NULL, h bigint NOT NULL) ON COMMIT DROP;
    EXECUTE format('GRANT INSERT ON pg_temp.baton_import_hashes TO %I', session_user);
    RETURN QUERY SELECT v_seed, ARRAY(SELECT hashtextextended(p.t, v_seed)
                                      FROM unnest(p_probes) WITH ORDINALITY p (t, n) ORDER BY p.n);
END $$;

CREATE OR REPLACE FUNCTION baton_import_skip(p_spec jsonb) RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp SET enable_mergejoin = off
SET work_mem = '64MB' AS $$
DECLARE
    v_src text := (SELECT c.source FROM pg_temp.baton_import_ctx c);
    v_seed bigint;
    v_text text;
    v_joins text[];
BEGIN
    DROP TABLE IF EXISTS pg_temp.baton_import_skipped, pg_temp.baton_import_kept;
    IF p_spec ->> 'format' NOT IN ('jsonl', 'csv')
       OR NOT baton_import_source_has_records(v_src) THEN
        CREATE TEMP TABLE baton_import_skipped (line bigint, sid text) ON COMMIT DROP;
        RETURN;
    END IF;
    SELECT h.text_sql, h.seed INTO v_text, v_seed FROM baton_import_staged_hash(p_spec, 'r') h;
    -- A line sent is judged by its text, also if its hash was sent too
    -- (a record rewritten between the client's two readings).
    IF to_regclass('pg_temp.baton_import_known') IS NOT NULL
       AND EXISTS (SELECT 1 FROM pg_temp.baton_import_raw r WHERE r.line > 0) THEN
        DELETE FROM pg_temp.baton_import_known k USING pg_temp.baton_import_raw r WHERE r.line = k.line;
    END IF;
    -- Every line, with the key of the record that has its text (NULL: none;
    -- a CSV header, line 0, is no record); each looked up in the index
    -- when they are few beside the source's records (128).
    v_joins := baton_import_lookups(baton_import_few_lines('pg_temp.baton_import_raw', v_src));
    EXECUTE 'CREATE TEMP TABLE baton_import_skipped ON COMMIT DROP AS'
        ' SELECT w.line, i.source_id AS sid'
        ' FROM (SELECT r.line, CASE WHEN r.line > 0 THEN hashtextextended(' || v_text || ', $1) END AS h'
        '       FROM pg_temp.baton_import_raw r OFFSET 0) w'
        ' LEFT JOIN import_record i ON i.source = $2 AND i.raw_hash = w.h' USING v_seed, v_src;
    PERFORM baton_import_lookups_end(v_joins);
    IF NOT EXISTS (SELECT 1 FROM pg_temp.baton_import_skipped k WHERE k.sid IS NULL) THEN
        TRUNCATE pg_temp.baton_import_raw;
    ELSE
        CREATE TEMP TABLE baton_import_kept ON COMMIT DROP AS
        SELECT r.* FROM pg_temp.baton_import_raw r
        JOIN pg_temp.baton_import_skipped k ON k.line = r.line AND k.sid IS NULL;
        DROP TABLE pg_temp.baton_import_raw;
        ALTER TABLE pg_temp.baton_import_kept RENAME TO baton_import_raw;
        DELETE FROM pg_temp.baton_import_skipped k WHERE k.sid IS NULL;
    END IF;
    -- The lines the client kept home: the source has them (045).  When
    -- it sent none of the others, they are all there is.  (Only the table
    -- baton_import_lines_known made: not one the session made itself.)
    IF to_regclass('pg_temp.baton_import_known') IS NULL
       OR (SELECT c.relowner FROM pg_class c WHERE c.oid = to_regclass('pg_temp.baton_import_known'))
          <> (SELECT r.oid FROM pg_roles r WHERE r.rolname = current_user) THEN
        NULL;
    ELSIF NOT EXISTS (SELECT 1 FROM pg_temp.baton_import_skipped) THEN
        DROP TABLE pg_temp.baton_import_skipped;
        ALTER TABLE pg_temp.baton_import_known RENAME TO baton_import_skipped;
    ELSE
        INSERT INTO pg_temp.baton_import_skipped (line, sid)
        SELECT k.line, k.sid FROM pg_temp.baton_import_known k;
        DROP TABLE pg_temp.baton_import_known;
    END IF;
    -- Planned on only with the lines left to read (113): when the source
    -- has every line, nothing reads them but a count.
    IF EXISTS (SELECT 1 FROM pg_temp.baton_import_raw r WHERE r.line > 0) THEN
        ANALYZE pg_temp.baton_import_skipped;
        ANALYZE pg_temp.baton_import_raw;
    END IF;
END $$;
REVOKE ALL ON FUNCTION baton_import_skip(jsonb) FROM PUBLIC;

-- 114's baton_import_lines_known, the same way: the hashes of a file's
-- lines each looked up in import_record's index on them when they are
-- few beside the source's records (a page of 10,000 tickets beside
-- 200,000 hashed them all: 320 ms).  Otherwise unchanged.
CREATE OR REPLACE FUNCTION baton_import_lines_known() RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp SET enable_mergejoin = off SET enable_hashjoin = on SET enable_nestloop = on
SET work_mem = '64MB' AS $$
DECLARE
    v_src text;
    v_n bigint;
    v_joins text[];
BEGIN
    PERFORM baton_import_check();
    IF to_regclass('pg_temp.baton_import_hashes') IS NULL THEN
        RAISE EXCEPTION 'no line hashes in this transaction: baton_import_hashes_begin() first'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    v_src := (SELECT c.source FROM pg_temp.baton_import_ctx c);
    -- Not analyzed: its size, all the plan needs, is known from its pages
    -- (which still hold the lines deleted below until the transaction
    -- ends: for a file mostly new, a size too large, planned as a hash
    -- join rather than a loop, and one pass over them, 30-50 ms a million).
    -- Every line sent, with the key of the record that has its text: a
    -- line no record has is counted (the lines to send) and goes.
    -- Each looked up in the index when they are few beside the source's
    -- records (128).
    v_joins := baton_import_lookups(baton_import_few_lines('pg_temp.baton_import_hashes', v_src));
    CREATE TEMP TABLE baton_import_known ON COMMIT DROP AS
    SELECT w.line, i.source_id AS sid, w.h
    FROM pg_temp.baton_import_hashes w
    LEFT JOIN import_record i ON i.source = v_src AND i.raw_hash = w.h;
    PERFORM baton_import_lookups_end(v_joins);
    DELETE FROM pg_temp.baton_import_known k WHERE k.sid IS NULL;
    GET DIAGNOSTICS v_n = ROW_COUNT;
    DROP TABLE pg_temp.baton_import_hashes;
    EXECUTE format('GRANT SELECT ON pg_temp.baton_import_known TO %I', session_user);
    RETURN v_n;
END $$;

-- 124's baton_import_stage, the same way for its last statement: the
-- staged lines whose values a record has under another text, each looked
-- up in the primary key when they are few beside the source's records (a
-- page of 10,000 contacts beside 310,000 hashed them all: 130 ms).
-- Otherwise unchanged.
CREATE OR REPLACE FUNCTION baton_import_stage(p_spec jsonb, p_entity text) RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp SET enable_mergejoin = off
SET work_mem = '64MB' AS $$
DECLARE
    f record;
    v_def jsonb;
    v_get text;
    v_raw text := '';
    v_ext text := '';
    v_typed text := '';
    -- The fields written into the values, and their kinds (124).
    v_fields text[] := '{}';
    v_kinds text[] := '{}';
    v_values text;
    -- Whether every field mapped has a value (118).
    v_all text := 'true';
    -- A key is one value: a list or an object ({} or [1, 2]) is none.
    v_bad text := 'CASE WHEN w.r_source_id IS NULL THEN ''source_id:missing key'''
                  ' WHEN jsonb_typeof(w.j_source_id) IN (''object'', ''array'')'
                  ' THEN ''source_id:a list or an object is no key'''
                  ' WHEN length(w.r_source_id) > 200 THEN ''source_id:longer than 200 characters'' END';
    v_sql record;
    v_make text;
    v_from text := 'pg_temp.baton_import_rows';
    v_text text;
    v_joins text[];
    v_hseed bigint;
    v_src text := (SELECT c.source FROM pg_temp.baton_import_ctx c);
    -- The record as it came, under this mapping (another one converts
    -- anew): a 64-bit hash of its JSON seeded by the mapping, 0.6 us a
    -- record where md5 of its text took 3.2.
    v_seed bigint := baton_import_line_seed(p_spec, NULL);
    v_key text;
    -- The record as it came: a JSON line's text (030), a CSV row's fields
    -- written out again (045), a JSON document's record as JSON.
    v_dg text := 'lpad(to_hex(jsonb_hash_extended(r.rec, $1)), 16, ''0'')';
    -- The lines a rule leaves out (093): typed like the others, so that a
    -- key's newest line is found among all its lines; never rejected;
    -- gone, with the lines they outdate, before anything is written.
    v_left boolean := EXISTS (SELECT 1 FROM pg_temp.baton_import_ruled_out);
    -- The typed values as the layer t shows them (119).
    v_tcols text := '';
    -- Whether a rule leaves the record r out (119: once, for the copy
    -- too).
    v_out text := CASE WHEN v_left THEN 'r.line IN (SELECT l.line FROM pg_temp.baton_import_ruled_out l)'
                       ELSE 'false' END;
    -- The records: a JSON Lines file's read here from its lines when
    -- nothing read them before (117; baton_import_records), each line
    -- hashed as baton_import_records does.  A line jsonb refuses fails the
    -- statement: then they are read one by one (baton_import_rows_made),
    -- the bad ones rejected, and the statement is made again.
    v_lazy boolean := p_spec ->> 'format' = 'jsonl' AND to_regclass('pg_temp.baton_import_rows') IS NULL;
    -- Parallel workers cannot read a temporary table: lines or records
    -- past the size at which PostgreSQL scans a table in parallel are
    -- copied into a table of this transaction, unlogged, which no other
    -- session sees, and which is dropped after the statement or with the
    -- transaction (119).  It is made in baton_import_work, the schema of
    -- the stage's role (baton_import_apply's owner), where no one else may
    -- create tables (120); the name is the session's.  Not when that role
    -- may not (baton_import_work_unusable), nor when no worker can ever
    -- start.
    v_parallel boolean := CASE WHEN current_setting('max_parallel_workers_per_gather')::integer > 0
                                AND current_setting('max_parallel_workers')::integer > 0
                                AND baton_import_work_unusable(current_user) IS NULL
        THEN pg_relation_size(CASE WHEN v_lazy THEN 'pg_temp.baton_import_raw'
                                   ELSE 'pg_temp.baton_import_rows' END::regclass)
             >= pg_size_bytes(current_setting('min_parallel_table_scan_size')) ELSE false END;
    v_par text;
BEGIN
    FOR f IN SELECT i.field, i.kind, i.allowed FROM import_field i
             WHERE i.entity = p_entity AND ((p_spec -> 'fields') ? i.field OR i.kind = 'key')
             ORDER BY i.field LOOP
        v_def := coalesce(p_spec -> 'fields' -> f.field, '{}');
        -- Each field is read out of the record once (e), then blank is
        -- missing, then the default (w).
        v_ext := v_ext || format(', %s AS %I', baton_import_read_sql('r.rec', p_spec, f.field, false),
                                 'e_' || f.field);
        v_get := format('e.%I', 'e_' || f.field);
        v_raw := v_raw || format(', %s AS %I, %s AS %I',
                                 baton_import_given_sql(v_get, v_def ->> 'default', true), 'r_' || f.field,
                                 baton_import_read_sql('e.rec', p_spec, f.field, true), 'j_' || f.field);
        v_sql := baton_import_field_sql(f.field, f.kind, f.allowed, v_def, v_parallel);
        v_typed := v_typed || format(', %s AS %I', v_sql.val, 'v_' || f.field);
        v_tcols := v_tcols || format(', w.%1$I AS %1$I', 'v_' || f.field);
        IF (p_spec -> 'fields') ? f.field THEN
            v_fields := v_fields || f.field;
            v_kinds := v_kinds || f.kind;
            v_all := v_all || format(' AND t.%I IS NOT NULL', 'v_' || f.field);
        END IF;
        IF v_sql.chk IS NOT NULL THEN
            v_bad := v_bad || ', ' || v_sql.chk;
        END IF;
    END LOOP;
    v_values := baton_import_values_sql(v_fields, v_kinds);
    -- A digest is two: a hash of the values (128 bits: hashtextextended of
    -- their text under two seeds, 111; md5 of it before, which took 1.2 s
    -- of the stage at 1,000,000 tickets where these take 0.6) and the hash
    -- of the record as it came under this mapping.  A record the source already has with
    -- the same text is unchanged: skipped here, before any conversion (not
    -- when its key is in the file twice: its newest line counts, 071).
    v_key := baton_import_given_sql(baton_import_read_sql('r.rec', p_spec, 'source_id', false),
                                    p_spec -> 'fields' -> 'source_id' ->> 'default', false);
    -- (A source's first file has nothing to skip; JSON Lines were skipped
    -- by their text before they were parsed: baton_import_skip.)
    IF p_spec ->> 'format' IN ('jsonl', 'csv') THEN
        -- Each line hashed as it was read (110).
        v_dg := 'r.raw_digest';
    ELSIF v_src IS NOT NULL AND EXISTS (SELECT 1 FROM import_record i WHERE i.source = v_src) THEN
        PERFORM baton_import_same_lines(v_src, v_key, v_seed);
    END IF;
    -- The copy: a JSON Lines file's lines, or the records read before,
    -- with whether a rule leaves each out (the rule's lines are in a
    -- temporary table too), which the stage then reads from it.
    IF v_parallel THEN
        v_par := format('baton_import_work.%I', 'baton_import_par_' || pg_backend_pid());
        EXECUTE format('CREATE UNLOGGED TABLE %s AS SELECT %s', v_par,
                       CASE WHEN v_lazy THEN 'r.line, r.raw FROM pg_temp.baton_import_raw r'
                            ELSE 'r.*, ' || v_out || ' AS left_out FROM pg_temp.baton_import_rows r' END);
        IF NOT v_lazy THEN
            v_out := 'r.left_out';
        END IF;
    END IF;
    IF v_lazy THEN
        SELECT h.text_sql, h.seed INTO v_text, v_hseed FROM baton_import_staged_hash(p_spec, 'q') h;
        v_from := '(SELECT clock_timestamp() AS f_r, q.line, q.raw::jsonb AS rec, '
                  || baton_import_hash_sql(v_text, v_hseed)
                  || ' AS raw_digest FROM ' || coalesce(v_par, 'pg_temp.baton_import_raw') || ' q'
                  || ' WHERE baton_import_object_line(q.raw))';
    ELSIF v_par IS NOT NULL THEN
        v_from := v_par;
    END IF;
    -- Each layer's columns are computed once a row rather than copied
    -- into every expression that reads them (x's too: the values, v, are
    -- read twice above it; e's, as w reads each field twice): a volatile
    -- column keeps the planner from merging a layer into the one above
    -- (OFFSET 0 did, 052, but a plan with a LIMIT or OFFSET below the top
    -- cannot run in parallel workers; clock_timestamp() can, 119).  The
    -- typed values (t) are a layer over w, not a subquery joined to it for
    -- each row (a LATERAL's reference to w is a parameter, which workers
    -- are not given); t itself only names w's typed columns.
    v_make := 'CREATE TEMP TABLE baton_import_s ON COMMIT DROP AS'
        ' SELECT line, v, lpad(to_hex(hashtextextended(vt, 111)), 16, ''0'')'
        ' || lpad(to_hex(hashtextextended(vt, 1111)), 16, ''0'') || raw_digest AS digest, bad, left_out'
        ' FROM (SELECT clock_timestamp() AS f_y, x.*, x.v::text AS vt FROM'
        ' (SELECT clock_timestamp() AS f_x, w.line, w.raw_digest, w.left_out,'
        -- A record whose every field has a value has no null to strip
        -- (the values are scalars and lists, no objects): 0.2-0.35 s at
        -- 1,000,000 tickets (118).
        ' CASE WHEN ' || v_all || ' THEN ' || v_values || ' ELSE jsonb_strip_nulls(' || v_values || ') END AS v,'
        ' coalesce(' || v_bad || ') AS bad'
        ' FROM (SELECT clock_timestamp() AS f_t, w.*' || v_typed
        || ' FROM (SELECT clock_timestamp() AS f_w, e.line, e.raw_digest, e.left_out' || v_raw
        || ' FROM (SELECT clock_timestamp() AS f_e, r.line, r.rec, ' || v_dg || ' AS raw_digest, '
        || v_out || ' AS left_out' || v_ext
        || ' FROM ' || v_from || ' r'
        || ') e) w) w,'
        ' LATERAL (SELECT 1 AS one' || v_tcols || ') t) x) y';
    IF v_lazy THEN
        BEGIN
            EXECUTE v_make USING v_seed;
        -- What jsonb's input refuses, and nothing else: bad syntax or
        -- escapes, a NUL, a number beyond numeric, a string or nesting
        -- past its limits.  Any other error is the statement's own.
        EXCEPTION WHEN invalid_text_representation OR untranslatable_character
                       OR numeric_value_out_of_range OR program_limit_exceeded
                       OR statement_too_complex THEN
            PERFORM baton_import_rows_made(v_text, v_hseed);
            EXECUTE replace(v_make, v_from, 'pg_temp.baton_import_rows') USING v_seed;
        END;
    ELSE
        EXECUTE v_make USING v_seed;
    END IF;
    IF v_par IS NOT NULL THEN
        EXECUTE 'DROP TABLE ' || v_par;
    END IF;
    INSERT INTO baton_import_reject (line, field, reason)
    SELECT line, split_part(bad, ':', 1), substr(bad, strpos(bad, ':') + 1)
    FROM baton_import_s WHERE bad IS NOT NULL AND NOT left_out;
    DELETE FROM baton_import_s WHERE bad IS NOT NULL AND (NOT left_out OR v ->> 'source_id' IS NULL);
    -- The same record twice in one file: its newest line counts, by
    -- updated_at (a line without one is older than any with one), and of
    -- lines as new, the last (071).  Most files have each record once,
    -- which a count by key says in half the time of the self-join that
    -- finds the other lines.  (A line is not compared with itself: the
    -- times are read only for the pairs of two lines.)
    IF EXISTS (SELECT 1 FROM baton_import_s GROUP BY v ->> 'source_id' HAVING count(*) > 1) THEN
        DELETE FROM baton_import_s a USING baton_import_s b
        WHERE a.v ->> 'source_id' = b.v ->> 'source_id' AND a.line <> b.line
          AND (coalesce((a.v ->> 'updated_at')::timestamptz, '-infinity'), a.line)
            < (coalesce((b.v ->> 'updated_at')::timestamptz, '-infinity'), b.line);
    END IF;
    -- ... also when a line of it was skipped as the source has it: that
    -- line is the record as stored, its updated_at the record's.  Most
    -- files have no key both skipped and staged, which a join says first
    -- (as fast as 052's DELETE, which deleted nothing then); only then is
    -- the record read, for each such pair (a scalar subquery: a subplan,
    -- where an EXISTS would be a join planned with the others).  In the
    -- same statement as the join, the cost of the reads made the plan of
    -- every file with lines skipped one compiled by JIT.  (Nothing staged,
    -- nothing to look for: the lines set aside are not analyzed then, 113,
    -- and the join read them all, 36 ms at a million.)
    IF EXISTS (SELECT 1 FROM baton_import_s)
       AND EXISTS (SELECT 1 FROM baton_import_s a
                   JOIN pg_temp.baton_import_skipped k ON k.sid = a.v ->> 'source_id') THEN
        DELETE FROM baton_import_s a USING pg_temp.baton_import_skipped k
        WHERE k.sid = a.v ->> 'source_id'
          AND (coalesce((SELECT i.source_updated_at FROM import_record i
                         WHERE i.source = v_src AND i.source_id = k.sid), '-infinity'), k.line)
            > (coalesce((a.v ->> 'updated_at')::timestamptz, '-infinity'), a.line);
    END IF;
    -- A key whose newest line a rule leaves out is left as it is.
    IF v_left THEN
        DELETE FROM baton_import_s WHERE left_out;
    END IF;
    -- The same values under another text (a field not mapped changed, or
    -- the digest is 010's, of the values alone): unchanged as well, and
    -- the digest renewed so that the next run skips the record early.  A
    -- digest written before 111 has the md5 of the values' text, read only
    -- for a record whose hash differs (one changed, or one of those).
    -- Each looked up in the primary key when they are few beside the
    -- source's records (128).
    v_joins := baton_import_lookups(baton_import_few_lines('pg_temp.baton_import_s', v_src));
    WITH d AS (DELETE FROM baton_import_s s USING import_record i
               WHERE i.source = v_src AND i.source_id = s.v ->> 'source_id'
                 AND (left(i.digest, 32) = left(s.digest, 32) OR left(i.digest, 32) = md5(s.v::text))
               RETURNING s.v ->> 'source_id' AS sid, s.digest)
    UPDATE import_record i SET digest = d.digest FROM d
    WHERE i.source = v_src AND i.source_id = d.sid AND i.digest <> d.digest;
    PERFORM baton_import_lookups_end(v_joins);
    ANALYZE baton_import_s;
END $$;


-- 111's baton_import_link, the same way for the statement that finds
-- each staged line's record, its customer's and its contact's: looked up
-- in the primary key when the lines are few beside the source's records
-- (a page of 10,000 tickets beside 1,000,000 hashed the records of the
-- organisations and contacts: 340 ms).  Otherwise unchanged.
CREATE OR REPLACE FUNCTION baton_import_link(p_src text, p_entity text, p_spec jsonb, p_shared text[])
RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp SET work_mem = '64MB' AS $$
DECLARE
    v_csrc text := p_spec ->> 'customer_source';
    v_ksrc text := p_spec ->> 'contact_source';
    -- The entities whose rows keep a contact (a ticket's requester, a
    -- survey answer's respondent).
    v_keeps boolean := p_entity IN ('tickets', 'surveys');
    -- Whether any record may have an e-mail address to be found by: only
    -- when the mapping has one.
    v_emails boolean := (p_spec -> 'fields') ? 'email';
    -- Notes get theirs as they are written (baton_import_notes).
    v_seq text := CASE p_entity WHEN 'contacts' THEN pg_get_serial_sequence('contact', 'id')
        WHEN 'tickets' THEN pg_get_serial_sequence('ticket', 'id')
        WHEN 'milestones' THEN pg_get_serial_sequence('milestone', 'id')
        WHEN 'marketing' THEN pg_get_serial_sequence('marketing_event', 'id')
        WHEN 'surveys' THEN pg_get_serial_sequence('survey_response', 'id') END;
    v_joins text[];
BEGIN
    -- wanting: a contact reference that names no record yet, of a record
    -- that keeps a contact and found its customer otherwise ("field:what").
    -- Each such record (none, mostly) says so in baton.import_wanting as it
    -- is linked, so the notes below are looked for only then: a pass over
    -- a million linked records for none took 1.4 s.
    PERFORM set_config('baton.import_wanting', '', true);
    -- Each line's records looked up in the primary key when the lines are
    -- few beside the source's records (128).
    v_joins := baton_import_lookups(baton_import_few_lines('pg_temp.baton_import_s', p_src));
    CREATE TEMP TABLE baton_import_c ON COMMIT DROP AS
    SELECT y.line, y.v, CASE WHEN y.wanting IS NOT NULL THEN '?' || y.digest ELSE y.digest END AS digest,
        y.sid, y.cid, y.parent, y.contact_id,
        CASE WHEN y.state = 'new' AND y.bad IS NULL AND v_seq IS NOT NULL THEN nextval(v_seq)
             ELSE y.target END AS target,
        y.state, y.bad,
        CASE WHEN y.wanting IS NOT NULL AND y.bad IS NULL
                  AND set_config('baton.import_wanting', 'yes', true) = 'yes' THEN y.wanting END AS wanting
    FROM (SELECT x.line, x.v, x.digest, x.sid, x.cid, x.parent, x.target, x.state,
            coalesce(x.contact_id,
                     -- The contact by e-mail: the one contact of the
                     -- customer with the address.
                     CASE WHEN v_keeps AND x.cid IS NOT NULL AND x.v ? 'email' AND NOT x.v ? 'contact' THEN
                         (SELECT CASE WHEN count(*) = 1 THEN min(t.id) END FROM contact t
                          WHERE lower(t.email) = lower(btrim(x.v ->> 'email')) AND t.customer_id = x.cid)
                     END) AS contact_id,
            CASE WHEN x.cid IS NOT NULL THEN
                     CASE WHEN x.state <> 'unchanged' THEN baton_import_problem(p_entity, x.v) END
                 WHEN x.v ? 'customer' AND x.v ->> 'customer' ~ ';' THEN
                     format('customer:customer reference "%s" lists several ids (no %s record has that id):'
                            ' a record has one customer, so map a field that holds one',
                            x.v ->> 'customer', v_csrc)
                 WHEN x.v ? 'customer' THEN format('customer:unknown customer reference "%s" (no %s record)',
                                                   x.v ->> 'customer', v_csrc)
                 WHEN x.v ? 'contact' THEN format('contact:unknown contact reference "%s" (no %s record)',
                                                  x.v ->> 'contact', v_ksrc)
                 WHEN cardinality(x.others) > 1 THEN
                     format('email:no contact has the address "%s", and its domain %s is a domain of more than one customer (%s)',
                            x.v ->> 'email', baton_norm_domain(x.v ->> 'email'),
                            (SELECT string_agg('#' || i, ', ' ORDER BY i) FROM unnest(x.others) i))
                 WHEN x.v ? 'email' THEN format('email:no contact has the address "%s" and no customer its domain',
                                                x.v ->> 'email')
                 ELSE 'customer:missing customer reference' END AS bad,
            CASE WHEN v_keeps AND x.cid IS NOT NULL AND x.v ? 'contact' AND x.contact_id IS NULL THEN
                format('contact:imported without its contact: no %s record "%s" yet'
                       ' (an import of this record after that one links it)',
                       v_ksrc, x.v ->> 'contact') END AS wanting
        FROM (SELECT s.line, s.v, s.digest, s.v ->> 'source_id' AS sid,
                CASE WHEN s.v ? 'customer' THEN cr.customer_id
                     WHEN s.v ? 'contact' THEN kr.customer_id
                     ELSE coalesce(ke.customer_id, kd.id, CASE WHEN cardinality(ko.ids) = 1 THEN ko.ids[1] END)
                END AS cid,
                ko.ids AS others,
                CASE WHEN cr.customer_id IS NOT NULL THEN v_csrc || ':' || (s.v ->> 'customer') END AS parent,
                kr.target_id AS contact_id, r.target_id AS target,
                CASE WHEN r.source_id IS NULL THEN 'new'
                     WHEN r.digest = s.digest
                       OR (s.v ->> 'updated_at')::timestamptz < r.source_updated_at THEN 'unchanged'
                     -- Imported without its contact, which is still not there.
                     WHEN r.digest LIKE '?%' AND kr.target_id IS NULL
                          AND (r.digest = '?' || s.digest
                               -- Written before 111: the md5 of the values' text.
                               OR r.digest = '?' || md5(s.v::text) || substr(s.digest, 33)) THEN 'unchanged'
                     ELSE 'updated' END AS state
            FROM baton_import_s s
            LEFT JOIN import_record cr ON cr.source = v_csrc AND cr.source_id = s.v ->> 'customer'
            LEFT JOIN import_record kr ON kr.source = v_ksrc AND kr.source_id = s.v ->> 'contact'
            -- The e-mail and its domain: only for a record without a
            -- reference.
            LEFT JOIN LATERAL (SELECT t.customer_id FROM contact t
                               WHERE NOT s.v ? 'customer' AND NOT s.v ? 'contact'
                                 AND lower(t.email) = lower(btrim(s.v ->> 'email')) AND t.email IS NOT NULL
                               ORDER BY t.id LIMIT 1) ke ON v_emails AND s.v ? 'email'
            LEFT JOIN LATERAL (SELECT coalesce(c.merged_into, c.id) AS id FROM customer c
                               WHERE NOT s.v ? 'customer' AND NOT s.v ? 'contact'
                                 AND ke.customer_id IS NULL
                                 AND lower(c.domain) = baton_norm_domain(s.v ->> 'email')
                                 AND NOT baton_norm_domain(s.v ->> 'email') = ANY (coalesce(p_shared, '{}'))
                                 AND NOT EXISTS (SELECT 1 FROM baton_shared_domain d
                                                 WHERE d.domain = baton_norm_domain(s.v ->> 'email'))
                               OFFSET 0) kd
                ON v_emails AND s.v ? 'email'
            -- Only for what would be rejected otherwise: a record found
            -- another way never reads the other domains, nor one at a
            -- shared domain (an end user at gmail.com: 30 us a lookup).
            -- (In that order: the planner put the shared domains' lookup,
            -- a cheap parameter to it, before the tests of references, and
            -- ran it for every contact of a contacts file: 0.73 s at
            -- 300,000.)
            LEFT JOIN LATERAL (SELECT baton_domain_customers(baton_norm_domain(s.v ->> 'email')) AS ids
                               WHERE CASE WHEN NOT s.v ? 'customer' AND NOT s.v ? 'contact'
                                               AND ke.customer_id IS NULL AND kd.id IS NULL
                                          THEN NOT baton_norm_domain(s.v ->> 'email') = ANY (coalesce(p_shared, '{}'))
                                               AND NOT EXISTS (SELECT 1 FROM baton_shared_domain d
                                                               WHERE d.domain = baton_norm_domain(s.v ->> 'email'))
                                          ELSE false END
                               OFFSET 0) ko
                ON v_emails AND s.v ? 'email'
            LEFT JOIN import_record r ON r.source = p_src AND r.source_id = s.v ->> 'source_id'
            OFFSET 0) x
        ORDER BY x.cid, x.line) y;
    PERFORM baton_import_lookups_end(v_joins);
    -- The records imported without their contact, for the summary: not
    -- rejected (a reject's table is counted as such).  Made for every file
    -- linked, which the client reads with the rejects.
    DROP TABLE IF EXISTS pg_temp.baton_import_note;
    CREATE TEMP TABLE baton_import_note (line bigint, field text, reason text) ON COMMIT DROP;
    EXECUTE format('GRANT SELECT ON pg_temp.baton_import_note TO %I', session_user);
    IF current_setting('baton.import_wanting', true) = 'yes' THEN
        INSERT INTO baton_import_note (line, field, reason)
        SELECT line, split_part(wanting, ':', 1), substr(wanting, strpos(wanting, ':') + 1)
        FROM baton_import_c WHERE wanting IS NOT NULL;
    END IF;
END $$;
