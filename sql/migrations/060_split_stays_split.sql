-- Baton schema, version 60: a split stays split, whatever joins the two
-- customers later, and a merge can be split after its customer was
-- absorbed in turn; a shared domain is not followed however many files its
-- holders came in; an absorption's evidence is its own.
--
-- 1. A split pair was kept apart only edge by edge.  022's resolve dropped
-- an identifier's edge between the two customers of a split (010's
-- baton_split_apart), but components are transitive: a new record sharing
-- a domain with both (a third HubSpot company at acme.example, after
-- Zendesk's Acme and HubSpot's Acme Consulting were split) had an edge to
-- each, and absorbed one into the other again.  Now the components are
-- labelled as before; then each component that holds two customers kept
-- apart (rare: splits are few) is built again edge by edge, and an edge
-- that would join two such customers is not followed.  Edges are taken in
-- a fixed order: a record's tie to its own customer first, then by how the
-- customer holds the identifier, strongest first (an id; its own domain; a
-- record's; a contact's domain; an address), then the oldest customer
-- first, as every merge keeps the oldest.  So a record at beta.example
-- joins Beta, split off Alpha, and not Alpha, one of whose contacts is at
-- beta.example.  The edges not followed are dropped, so the merge's
-- evidence names only what joined it.
--
-- 2. A pair is two customers as they are now.  customer_split names the
-- customers of the merge; once one of them was absorbed into a third (an
-- import merges the profile, and absorbing flattens: every absorbed row
-- points at the survivor), baton_split_apart compared ids that no
-- identifier leads to any more.  A pair now stands for the profiles the
-- two belong to (their merged_into, or themselves), once per import in a
-- table, not once per edge in a function.
--
-- 3. 048's baton_split_merge moved back what was on the merge's customer.
-- After that customer was absorbed (B into A, then A into Z), what came
-- with B is on Z: the split moved nothing, said "separate customers",
-- recorded itself, and could never be undone.  A record's join was refused
-- as "no longer with customer A".  It now looks where the merge's customer
-- is now (Z), and an absorbed customer that is no longer in that profile
-- is refused instead of recorded.
--
-- A record split off made a customer with the record's name and domain,
-- and defaults for the rest; the record was "unchanged" at every later
-- import, so a HubSpot "Customer" stayed an onboarding starter.  The split
-- now forgets the record's digest: its next import writes its fields.
--
-- 4. import_max_join counted the customers holding an identifier as they
-- are now.  Five companies at reseller.example in one file were five
-- holders, and none was joined by it; the same five in five files (daily
-- incremental exports) were never more than two, the customer the earlier
-- ones had become and the new one, and all five became one customer.
-- Records of one source are now so many holders, merged or not; records of
-- several sources may be one company (Acme in the helpdesk, the CRM and
-- billing), so a domain counts the most records any one source has at it,
-- and any other holder (a customer's own domain, its contacts') by its
-- customer.  The first three join; the fourth and the fifth are reported,
-- as they would be in one file, and a fourth system's Acme still joins.
--
-- 5. A profile's merges are those of every customer in it: 028's
-- baton_customer_also (the screen's "also:" line) named the identifiers of
-- the survivor's own merges only, so the domain that joined a record to A
-- was missing from Z's screen.
--
-- 7. Free-mail and shared domains never joined customers, but an address
-- at one did: a freelance bookkeeper's bo.keeper@gmail.com, a contact of
-- two companies, made them one ("same e-mail").  An address at a company
-- domain brings that domain along anyway, so an address joined customers
-- by itself only where the guard should hold.  Now neither does.
-- (6. is with baton_import_absorb_all, below.)

DROP FUNCTION baton_split_apart(bigint, bigint);

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
    -- contacts file has hundreds of thousands of addresses.
    DELETE FROM baton_import_claim c
    USING (SELECT d.domain FROM baton_shared_domain d UNION SELECT unnest(coalesce(p_shared, '{}'))) s
    WHERE c.kind = 'email' AND s.domain = rtrim(CASE WHEN split_part(btrim(c.value), '@', -1) LIKE 'www.%'
                                                     THEN substr(split_part(btrim(c.value), '@', -1), 5)
                                                     ELSE split_part(btrim(c.value), '@', -1) END, '.');
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
    CREATE TEMP TABLE baton_import_unused ON COMMIT DROP AS
    SELECT kind, value, sum(n)::bigint AS n FROM (
        SELECT 'domain' AS kind, value, max(n) AS n FROM (
            SELECT value, source, count(*) AS n FROM (
                SELECT h.value, h.source, h.sid FROM baton_import_held h
                UNION SELECT c.value, v_src, substr(c.node, 3) FROM baton_import_claim c
                WHERE c.kind = 'domain' AND c.node LIKE 'r:%') r
            GROUP BY value, source) s
        GROUP BY value
        UNION ALL
        SELECT kind, value, count(*) FROM (
            SELECT f.kind, f.value, 'c:' || f.cid AS who FROM baton_import_found f
            WHERE NOT EXISTS (SELECT 1 FROM baton_import_held h
                              WHERE f.kind = 'domain' AND h.value = f.value AND h.cid = f.cid)
            UNION SELECT c.kind, c.value, coalesce('c:' || n.cid, c.node)
            FROM baton_import_claim c JOIN baton_import_node n USING (node)
            WHERE NOT (c.kind = 'domain' AND c.node LIKE 'r:%')
              AND NOT EXISTS (SELECT 1 FROM baton_import_held h
                              WHERE c.kind = 'domain' AND h.value = c.value AND h.cid = n.cid)) o
        GROUP BY kind, value) x
    GROUP BY kind, value HAVING sum(n) > v_max;
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

CREATE OR REPLACE FUNCTION baton_split_merge(p_merge uuid) RETURNS TABLE (customer_id bigint, apart bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    m customer_merge%ROWTYPE;
    r import_record%ROWTYPE;
    v_key text;
    v_apart bigint;
    v_home bigint;
    v_entity text;
    v_ents text[];
    v_targets bigint[];
    v_srcs text[];
    v_sids text[];
BEGIN
    IF NOT pg_has_role(session_user, 'baton_importer', 'MEMBER')
            AND NOT pg_has_role(session_user, 'baton_admin', 'MEMBER') AND NOT baton_me_bypasses() THEN
        RAISE EXCEPTION 'role % may not split customers: that takes baton_importer or baton_admin', session_user
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    SELECT * INTO m FROM customer_merge x WHERE x.id = p_merge FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no merge %', p_merge USING ERRCODE = 'no_data_found';
    END IF;
    IF EXISTS (SELECT 1 FROM customer_split s WHERE s.merge_id = p_merge) THEN
        RAISE EXCEPTION 'merge % was already split', p_merge USING ERRCODE = 'unique_violation';
    END IF;
    -- Where the merge's customer is now: itself, or the customer it was
    -- absorbed into since (merges are flattened: never further than one).
    SELECT coalesce(c.merged_into, c.id) INTO v_home FROM customer c WHERE c.id = m.customer_id;
    IF m.absorbed IS NOT NULL THEN
        v_apart := m.absorbed;
        IF (SELECT c.merged_into FROM customer c WHERE c.id = v_apart) IS DISTINCT FROM v_home THEN
            RAISE EXCEPTION 'customer % is no longer part of customer %: nothing to split', v_apart, v_home
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        UPDATE contact t SET customer_id = v_apart WHERE t.customer_id = v_home
            AND t.id IN (SELECT jsonb_array_elements_text(m.moved -> 'contact')::bigint);
        UPDATE ticket t SET customer_id = v_apart WHERE t.customer_id = v_home
            AND t.id IN (SELECT jsonb_array_elements_text(m.moved -> 'ticket')::bigint);
        UPDATE marketing_event t SET customer_id = v_apart WHERE t.customer_id = v_home
            AND t.id IN (SELECT jsonb_array_elements_text(m.moved -> 'marketing_event')::bigint);
        UPDATE survey_response t SET customer_id = v_apart WHERE t.customer_id = v_home
            AND t.id IN (SELECT jsonb_array_elements_text(m.moved -> 'survey_response')::bigint);
        UPDATE milestone t SET customer_id = v_apart, position = (e ->> 1)::integer
        FROM jsonb_array_elements(m.moved -> 'milestone') e
        WHERE t.id = (e ->> 0)::bigint AND t.customer_id = v_home;
        UPDATE customer_external_id t SET customer_id = v_apart
        FROM jsonb_array_elements(m.moved -> 'customer_external_id') e
        WHERE (t.system, t.external_id) = (e ->> 0, e ->> 1) AND t.customer_id = v_home;
        UPDATE import_record t SET customer_id = v_apart,
            target_id = CASE WHEN t.entity = 'customers' THEN v_apart ELSE t.target_id END,
            owns = (e ->> 2)::boolean
        FROM jsonb_array_elements(m.moved -> 'import_record') e
        WHERE (t.source, t.source_id) = (e ->> 0, e ->> 1) AND t.customer_id = v_home;
        UPDATE customer c SET merged_into = CASE WHEN c.id = v_apart THEN NULL ELSE v_apart END
        WHERE c.id IN (SELECT jsonb_array_elements_text(m.moved -> 'customer')::bigint)
          AND c.merged_into = v_home;
    ELSE
        SELECT * INTO r FROM import_record x WHERE x.source = m.joined_source
            AND x.source_id = m.joined_source_id;
        IF NOT FOUND OR r.customer_id <> v_home THEN
            RAISE EXCEPTION '% % is no longer with customer %', m.joined_source, m.joined_source_id,
                v_home USING ERRCODE = 'invalid_parameter_value';
        END IF;
        v_key := r.source || ':' || r.source_id;
        INSERT INTO customer (name, domain)
        VALUES (coalesce(r.name, r.source_id),
                (SELECT d FROM unnest(r.domains) WITH ORDINALITY u(d, i)
                 WHERE NOT EXISTS (SELECT 1 FROM customer c WHERE lower(c.domain) = d)
                   AND NOT EXISTS (SELECT 1 FROM baton_shared_domain s WHERE s.domain = d)
                 ORDER BY i LIMIT 1))
        RETURNING id INTO v_apart;
        -- The new customer has the record's name and domain; its other
        -- fields (plan, lifecycle, owner...) are the record's from the next
        -- import of its source on: no export has this digest.
        UPDATE import_record x SET customer_id = v_apart, target_id = v_apart, owns = true, digest = ''
        WHERE x.source = r.source AND x.source_id = r.source_id;
        UPDATE customer_external_id e SET customer_id = v_apart
        WHERE r.external IS NOT NULL AND e.system = split_part(r.external, ':', 1)
          AND e.external_id = r.source_id;
        -- What reached its customer through the record goes with it, with
        -- whichever customer it is now: the records whose parent the record
        -- is, found in one pass over import_record, then each by its key in
        -- its entity's table.
        SELECT coalesce(array_agg(x.entity), '{}'), coalesce(array_agg(x.target_id), '{}'),
               coalesce(array_agg(x.source), '{}'), coalesce(array_agg(x.source_id), '{}')
        INTO v_ents, v_targets, v_srcs, v_sids
        FROM import_record x WHERE x.parent = v_key AND x.entity <> 'notes';
        FOR v_entity IN SELECT DISTINCT e FROM unnest(v_ents) e LOOP
            EXECUTE format('UPDATE %I t SET customer_id = $1 FROM unnest($2::text[], $3::bigint[]) k (entity, id)'
                           ' WHERE k.entity = $4 AND t.id = k.id', baton_import_table(v_entity))
                USING v_apart, v_ents, v_targets, v_entity;
        END LOOP;
        UPDATE import_record x SET customer_id = v_apart FROM unnest(v_srcs, v_sids) k (source, source_id)
        WHERE x.source = k.source AND x.source_id = k.source_id;
    END IF;
    INSERT INTO customer_split (merge_id, customer_id, apart) VALUES (p_merge, m.customer_id, v_apart);
    RETURN QUERY SELECT m.customer_id, v_apart;
END $$;

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
         WHERE m.customer_id = ANY (ARRAY(SELECT p_customer UNION ALL
                                          SELECT c.id FROM customer c WHERE c.merged_into = p_customer))
           AND i <> ''
           AND NOT EXISTS (SELECT 1 FROM customer_split s WHERE s.merge_id = m.id))), '');
END
$$;

-- 6. An absorption's evidence is what tied that customer in.  010's
-- baton_import_absorb_all gave every customer absorbed into a component
-- the identifiers of the whole component: users of Alpha at beta.example
-- and at gamma.example made both Beta's and Gamma's merge read "same
-- domain beta.example, same domain gamma.example".  It now names the
-- identifiers of the edges that reach the absorbed customer's own nodes
-- (its customer node and its records'); there is always one, as that is
-- how the customer is in the component.  The edges not followed (1.) are
-- gone by then.  (baton_import_why still reads one node's edges for a
-- record's join; its component branch has no caller since.)
CREATE OR REPLACE FUNCTION baton_import_absorb_all(p_run uuid) RETURNS integer
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    r record;
    v_n integer := 0;
    v_why text;
BEGIN
    FOR r IN SELECT DISTINCT c.comp, c.survivor, x.cid
             FROM baton_import_comp c
             JOIN (SELECT l.l, coalesce(n.cid, CASE WHEN l.n LIKE 'c:%' THEN substr(l.n, 3)::bigint END) AS cid
                   FROM baton_import_lab l LEFT JOIN baton_import_node n ON n.node = l.n) x ON x.l = c.comp
             WHERE x.cid IS NOT NULL AND x.cid <> c.survivor
             ORDER BY c.survivor, x.cid LOOP
        -- Some edge reaches the customer's own nodes: that is how it is in
        -- the component.
        SELECT string_agg(DISTINCT baton_import_evidence_text(e.kind, e.value), ', ') INTO v_why
        FROM (SELECT 'c:' || r.cid UNION SELECT n.node FROM baton_import_node n WHERE n.cid = r.cid) o (node)
        CROSS JOIN LATERAL (SELECT e.kind, e.value FROM baton_import_edge e WHERE e.a = o.node
                            UNION ALL SELECT e.kind, e.value FROM baton_import_edge e WHERE e.b = o.node) e
        WHERE e.kind <> 'self';
        PERFORM baton_import_absorb(p_run, r.survivor, r.cid, v_why);
        v_n := v_n + 1;
    END LOOP;
    RETURN v_n;
END $$;
