-- Baton schema, version 128: a small file's identity resolution reads the
-- customer records holding its domains, not every customer record (#12,
-- incremental files; "cost in proportion to change").
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
    v_probe boolean;
    v_hash text := current_setting('enable_hashjoin');
    v_merge text := current_setting('enable_mergejoin');
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
    v_probe := (SELECT count(*) FROM baton_import_claim) * 9
               < (SELECT max(c.reltuples) FROM pg_class c WHERE c.oid IN ('contact'::regclass, 'customer'::regclass));
    IF v_probe THEN
        PERFORM set_config('enable_hashjoin', 'off', true), set_config('enable_mergejoin', 'off', true);
    END IF;
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
    IF v_probe THEN
        PERFORM set_config('enable_hashjoin', v_hash, true), set_config('enable_mergejoin', v_merge, true);
    END IF;
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
    -- than a tenth of what they know (039's rule; 128: not for a page).
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
    -- a CSV header, line 0, is no record).
    EXECUTE 'CREATE TEMP TABLE baton_import_skipped ON COMMIT DROP AS'
        ' SELECT w.line, i.source_id AS sid'
        ' FROM (SELECT r.line, CASE WHEN r.line > 0 THEN hashtextextended(' || v_text || ', $1) END AS h'
        '       FROM pg_temp.baton_import_raw r OFFSET 0) w'
        ' LEFT JOIN import_record i ON i.source = $2 AND i.raw_hash = w.h' USING v_seed, v_src;
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
