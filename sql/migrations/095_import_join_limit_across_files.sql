-- Baton schema, version 95: the limit on how many customers an identifier
-- may join holds across files as within one, and the configuration's
-- shared domains are matched however they are written.

-- 066's, with a customer made of several records of one source counted as
-- that many when an identifier's holders are counted.
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
BEGIN
    -- Neither a shared domain nor an address at one (7.) is anyone's.
    DELETE FROM baton_import_claim c WHERE c.value IS NULL OR (c.kind = 'domain'
        AND (c.value = ANY (coalesce(p_shared, '{}'))
             OR EXISTS (SELECT 1 FROM baton_shared_domain d WHERE d.domain = c.value)));
    -- An address's domain as baton_norm_domain has it (after its last @,
    -- without www. and trailing dots), without its regular expressions: a
    -- contacts file has hundreds of thousands of addresses.  An address in
    -- angle brackets ("Bo Keeper" <bo.keeper@gmail.com>, 066) is rare and
    -- has its domain from baton_norm_domain.
    DELETE FROM baton_import_claim c
    USING (SELECT d.domain FROM baton_shared_domain d UNION SELECT unnest(coalesce(p_shared, '{}'))) s
    WHERE c.kind = 'email'
      AND s.domain = CASE WHEN c.value LIKE '%>' THEN baton_norm_domain(c.value)
                          ELSE rtrim(CASE WHEN split_part(btrim(c.value), '@', -1) LIKE 'www.%'
                                          THEN substr(split_part(btrim(c.value), '@', -1), 5)
                                          ELSE split_part(btrim(c.value), '@', -1) END, '.') END;
    -- The customers kept apart, as they are now: both ways round.
    CREATE TEMP TABLE baton_import_apart (a bigint, b bigint, PRIMARY KEY (a, b)) ON COMMIT DROP;
    INSERT INTO baton_import_apart
    SELECT DISTINCT p.a, p.b FROM customer_split s
    JOIN customer x ON x.id = s.customer_id JOIN customer y ON y.id = s.apart
    CROSS JOIN LATERAL (VALUES (coalesce(x.merged_into, x.id), coalesce(y.merged_into, y.id)),
                               (coalesce(y.merged_into, y.id), coalesce(x.merged_into, x.id))) p (a, b)
    WHERE p.a <> p.b;
    ANALYZE baton_import_apart;
    -- The customer records holding each domain, and their customers.
    CREATE TEMP TABLE baton_import_held ON COMMIT DROP AS
    WITH k AS MATERIALIZED (SELECT DISTINCT value FROM baton_import_claim WHERE kind = 'domain')
    SELECT k.value, r.customer_id AS cid, r.source, r.source_id AS sid FROM k
    JOIN (SELECT r.customer_id, r.source, r.source_id, d.d FROM import_record r, unnest(r.domains) d(d)
          WHERE r.entity = 'customers' AND r.domains <> '{}') r ON r.d = k.value;
    ANALYZE baton_import_held;
    -- One join per kind of identifier, which the planner may hash: a
    -- lateral query per identifier cost 010 most of a contacts file.  How
    -- a customer holds it, strongest first: an id (1), its own domain (2),
    -- a record's (3), a contact's domain (4) or address (5).
    CREATE TEMP TABLE baton_import_found ON COMMIT DROP AS
    WITH k AS MATERIALIZED (SELECT DISTINCT kind, value FROM baton_import_claim)
    SELECT x.kind, x.value, x.cid, min(x.how) AS how FROM (
        SELECT k.kind, k.value, e.customer_id AS cid, 1 AS how FROM k JOIN customer_external_id e
            ON e.system = split_part(k.value, ':', 1) AND e.external_id = substr(k.value, strpos(k.value, ':') + 1)
        WHERE k.kind = 'ext'
        UNION ALL SELECT k.kind, k.value, c.id, 2 FROM k JOIN customer c ON lower(c.domain) = k.value
        WHERE k.kind = 'domain' AND c.merged_into IS NULL
        UNION ALL SELECT 'domain', h.value, h.cid, 3 FROM baton_import_held h
        UNION ALL SELECT k.kind, k.value, t.customer_id, 4 FROM k JOIN contact t
            ON baton_norm_domain(t.email) = k.value AND t.email IS NOT NULL
        WHERE k.kind = 'domain'
        UNION ALL SELECT k.kind, k.value, t.customer_id, 5 FROM k JOIN contact t
            ON lower(t.email) = k.value AND t.email IS NOT NULL
        WHERE k.kind = 'email') x
    GROUP BY x.kind, x.value, x.cid;
    ANALYZE baton_import_found;

    -- How many customers hold an identifier.  Records of one source are
    -- so many companies, merged or not (three HubSpot companies at
    -- reseller.example, merged by it, are three for the fourth, whichever
    -- file each came in); records of different sources may be one (Acme in
    -- the helpdesk, the CRM and billing is one), so a domain counts the most
    -- records one source has at it, this file's included.  Holders without
    -- a record at it (a customer's own domain, its contacts') count by
    -- customer.
    -- A customer made of several records of one source counts as that many
    -- (095), as records' domains do above: records of one source are so
    -- many companies.  Counted by customer alone, a customer that earlier
    -- files had made of the companies at an identifier counted once, so the
    -- limit held within a file but not across files: a consultant's
    -- address domain, or a placeholder id ("0") in the CRM id field, at a
    -- company a file joined all of them, one file after another, where the
    -- same records in one file joined none.  An identifier only one
    -- customer holds joins nothing, whatever that customer is made of.
    -- (Only the customers of more than one record of a source are listed.)
    CREATE TEMP TABLE baton_import_weight ON COMMIT DROP AS
    SELECT x.cid, max(x.n) AS n FROM (
        SELECT i.customer_id AS cid, count(*) AS n FROM import_record i
        WHERE i.entity = 'customers'
          AND i.customer_id IN (SELECT f.cid FROM baton_import_found f
                                UNION SELECT n.cid FROM baton_import_node n)
        GROUP BY i.customer_id, i.source) x
    GROUP BY x.cid HAVING max(x.n) > 1;
    ANALYZE baton_import_weight;
    CREATE TEMP TABLE baton_import_unused ON COMMIT DROP AS
    SELECT kind, value, sum(n)::bigint AS n FROM (
        SELECT 'domain' AS kind, value, max(n) AS n, max(n) AS holders FROM (
            SELECT value, source, count(*) AS n FROM (
                SELECT h.value, h.source, h.sid FROM baton_import_held h
                UNION SELECT c.value, v_src, substr(c.node, 3) FROM baton_import_claim c
                WHERE c.kind = 'domain' AND c.node LIKE 'r:%') r
            GROUP BY value, source) s
        GROUP BY value
        UNION ALL
        SELECT o.kind, o.value, sum(coalesce(w.n, 1)), count(*) FROM (
            SELECT f.kind, f.value, 'c:' || f.cid AS who, f.cid FROM baton_import_found f
            WHERE NOT EXISTS (SELECT 1 FROM baton_import_held h
                              WHERE f.kind = 'domain' AND h.value = f.value AND h.cid = f.cid)
            UNION SELECT c.kind, c.value, coalesce('c:' || n.cid, c.node), n.cid
            FROM baton_import_claim c JOIN baton_import_node n USING (node)
            WHERE NOT (c.kind = 'domain' AND c.node LIKE 'r:%')
              AND NOT EXISTS (SELECT 1 FROM baton_import_held h
                              WHERE c.kind = 'domain' AND h.value = c.value AND h.cid = n.cid)) o
        LEFT JOIN baton_import_weight w ON w.cid = o.cid
        GROUP BY o.kind, o.value) x
    GROUP BY kind, value HAVING sum(n) > v_max AND sum(holders) > 1;
    DELETE FROM baton_import_claim c USING baton_import_unused u
    WHERE u.kind = c.kind AND u.value = c.value;

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

-- 093's, with the shared domains normalised.
CREATE OR REPLACE FUNCTION baton_import_apply(p_run uuid, p_spec jsonb, p_shared text[],
                                   p_client_rejected integer)
RETURNS TABLE (entity text, read_rows integer, inserted integer, updated integer,
               unchanged integer, rejected integer, merged integer, unused text, skipped integer)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_run import_run%ROWTYPE;
    v_read integer;
    v_rej integer;
    v_skipped integer;
    x record;
    v_unused text;
BEGIN
    PERFORM baton_import_check();
    -- The configuration's shared domains as identifiers are (095): as
    -- written, "Group-Mail.Example" or "www.holding.example" matched no
    -- address, and joined the customers of everyone there.
    p_shared := ARRAY(SELECT DISTINCT baton_norm_domain(d) FROM unnest(p_shared) d
                      WHERE baton_norm_domain(d) <> '');
    SELECT * INTO v_run FROM import_run r WHERE r.id = p_run AND r.imported_by = session_user;
    IF NOT FOUND OR to_regclass('pg_temp.baton_import_raw') IS NULL THEN
        RAISE EXCEPTION 'no import run % in this transaction: baton_import_begin() first', p_run
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM baton_import_spec_check(v_run.entity, p_spec);
    -- Plans for a file's worth of rows need the tables' sizes as they are
    -- (a first import fills empty tables): those that grew or shrank.
    PERFORM baton_import_analyze();
    IF v_run.entity = 'notes' AND NOT baton_me_bypasses() AND NOT baton_me_active() THEN
        RAISE EXCEPTION 'notes are written by people: role % must be an active staff member to import them',
            session_user USING ERRCODE = 'insufficient_privilege';
    END IF;
    PERFORM baton_import_skip(p_spec);
    PERFORM baton_import_records(p_spec ->> 'format', p_spec ->> 'array');
    SELECT count(*) INTO v_read FROM baton_import_rows;
    v_read := v_read + (SELECT count(*) FROM pg_temp.baton_import_skipped);
    v_read := v_read + (SELECT count(*) FROM baton_import_reject) + coalesce(p_client_rejected, 0);
    v_skipped := baton_import_leave_out(p_spec);
    PERFORM baton_import_stage(p_spec, v_run.entity);
    IF v_run.entity = 'customers' THEN
        SELECT * INTO x FROM baton_import_customers(p_run, v_run.source, p_spec, p_shared);
    ELSE
        SELECT * INTO x FROM baton_import_rows_of(p_run, v_run.source, v_run.entity, p_spec, p_shared);
    END IF;
    -- The raw row of each reject: the line as it came (JSON Lines), the
    -- record (JSON), the row made CSV again (CSV).
    IF p_spec ->> 'format' = 'jsonl' THEN
        UPDATE baton_import_reject j SET raw = w.raw FROM pg_temp.baton_import_raw w WHERE w.line = j.line;
    ELSIF p_spec ->> 'format' = 'json' THEN
        UPDATE baton_import_reject j SET raw = r.rec::text FROM baton_import_rows r WHERE r.line = j.line;
    ELSE
        UPDATE baton_import_reject j SET raw = (
            SELECT string_agg(CASE WHEN t ~ ('["\r\n' || coalesce(p_spec ->> 'delimiter', ',') || ']')
                                   THEN '"' || replace(t, '"', '""') || '"' ELSE t END,
                              coalesce(p_spec ->> 'delimiter', ',') ORDER BY h.i)
            FROM pg_temp.baton_import_header h, LATERAL (SELECT coalesce(r.rec ->> h.name, '') AS t) y)
        FROM baton_import_rows r WHERE r.line = j.line;
    END IF;
    SELECT count(*) INTO v_rej FROM baton_import_reject;
    IF to_regclass('pg_temp.baton_import_unused') IS NOT NULL THEN
        SELECT string_agg(format('%s %s (joins %s)', u.kind, u.value, u.n), ', ' ORDER BY u.n DESC, u.value)
        INTO v_unused FROM baton_import_unused u;
    END IF;
    v_rej := v_rej + coalesce(p_client_rejected, 0);
    UPDATE import_run r SET read_rows = v_read, inserted = x.inserted, updated = x.updated,
        unchanged = greatest(v_read - x.inserted - x.updated - v_rej - v_skipped, 0), rejected = v_rej,
        merged = x.merged, unused = v_unused, skipped = v_skipped
    WHERE r.id = p_run;
    RETURN QUERY SELECT r.entity, r.read_rows, r.inserted, r.updated, r.unchanged, r.rejected,
        r.merged, r.unused, r.skipped FROM import_run r WHERE r.id = p_run;
END $$;
