-- Baton schema, version 155: findings of two reviews of identity
-- resolution over several days of files (#12).
--
-- 1. A record's ids in other systems are identifiers as its domains are.
--    A Zendesk organization that joined Northwind by its external_id (the
--    HubSpot company 9001) and whose newer export names 9002, Contoso's,
--    merged Northwind and Contoso; corrected by its domains, it moved
--    (153, 154).  Now a record moves when its identifiers, its domains
--    and its ids in other systems together, change wholly, as 153 says:
--    none of the ones it had is among the ones it has.  (Its own id in its
--    system is who it is, not what it says it is: not among them.)
--
-- 2. An organization that moves takes its users with it (153).  One moved
--    from x.example to y.example with its user at x.example, then back:
--    the customer it had moved to held x.example by that user, and the
--    two customers merged.  The contacts of a record whose identifiers
--    changed wholly go where it goes: they hold nothing against it where
--    another customer holds the domain by its own domain or a record's
--    (held by contacts elsewhere too, they count as contacts do: a second
--    review saw an organization leave for a customer a split had kept
--    apart, which held its new domain by a consultant's address only).
--
-- 3. `baton split --run` of a run that merged three organizations at
--    franchise.example kept each apart from the first, and the same file
--    again merged the other two.  The records one run joined to one
--    customer, once split off, are kept apart from each other too.
--
-- 4. A user whose newer export files her under another organization went
--    to its customer, and her tickets that name no organization (they
--    reached the first customer through her) stayed behind, until the
--    helpdesk exported each again, and so did the sends found by her
--    address.  They go with her, as they do when her record is split off
--    (096, 142); and the sends go with the users of an organization that
--    moves, whose move (153) took their tickets and answers only.
--
-- 5. A record's ids in other systems are its customer's too (057), and
--    stayed with it when the record moved or stopped naming them: an
--    organization that named crm:9999 and then moved to Contoso left
--    crm:9999 with Northwind, and HubSpot 9999, a new company, merged
--    into Northwind by it.  An id that no record of the customer names
--    or is any more goes with the record that named it, or, when that
--    one names it no more either, is nobody's.
--
-- 6. `baton split` of a merge whose record has moved on since (153's
--    "[moved to #C]") split the record off the customer it is with now,
--    and left that customer's merge unsplit, which could no longer be
--    split.  It is refused, naming the record's merge where it is now.

-- 154's, with the ids in other systems among the identifiers (1.).
CREATE OR REPLACE FUNCTION baton_import_loosen() RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    v_src text := (SELECT c.source FROM pg_temp.baton_import_ctx c);
BEGIN
    CREATE TEMP TABLE baton_import_loose (node text PRIMARY KEY, sid text, cid bigint, own text,
                                          by_own boolean, maker boolean) ON COMMIT DROP;
    CREATE TEMP TABLE baton_import_moving (node text PRIMARY KEY, sid text, from_cid bigint) ON COMMIT DROP;
    IF (SELECT r.entity FROM import_run r JOIN pg_temp.baton_import_ctx c ON c.run = r.id) <> 'customers' THEN
        RETURN;
    END IF;
    INSERT INTO baton_import_loose
    SELECT 'r:' || c.sid, c.sid, c.cid, r.external,
        r.external IS NOT NULL AND (
            EXISTS (SELECT 1 FROM customer_merge m
                    WHERE m.joined_source = v_src AND m.joined_source_id = c.sid
                      AND ('ext:' || r.external) = ANY (m.keys)
                      AND NOT EXISTS (SELECT 1 FROM customer_split s WHERE s.merge_id = m.id))
            -- (by the ids' index: a lookup a record)
            OR EXISTS (SELECT 1 FROM import_record x
                       WHERE x.entity = 'customers' AND x.ids <> '{}' AND x.ids @> ARRAY[r.external]
                         AND x.customer_id = c.cid AND (x.source, x.source_id) <> (v_src, c.sid))),
        coalesce(c.owns, false)
    FROM baton_import_c c
    JOIN import_record r ON r.source = v_src AND r.source_id = c.sid AND r.entity = 'customers'
    CROSS JOIN LATERAL (SELECT ARRAY(SELECT 'domain:' || d FROM unnest(r.domains) d
                                     UNION ALL SELECT 'ext:' || i FROM unnest(coalesce(r.ids, '{}')) i) AS was,
                               ARRAY(SELECT 'domain:' || d
                                     FROM jsonb_array_elements_text(CASE WHEN jsonb_typeof(c.v -> 'domains') = 'array'
                                                                         THEN c.v -> 'domains' END) d
                                     UNION ALL SELECT 'ext:' || i.value FROM baton_import_ids_of(c.v) i) AS now) k
    WHERE c.state = 'updated' AND c.cid IS NOT NULL
      AND cardinality(k.was) > 0 AND cardinality(k.now) > 0 AND NOT k.was && k.now;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    -- A maker that is its customer's only record stays its customer's
    -- (and says what it says, as before).  (Whether another stays with it
    -- is known once the others' moves are: baton_import_hand_over.)
    DELETE FROM baton_import_loose x
    WHERE x.maker
      AND NOT EXISTS (SELECT 1 FROM import_record o
                      WHERE o.customer_id = x.cid AND o.entity = 'customers'
                        AND (o.source, o.source_id) <> (v_src, x.sid));
    IF NOT EXISTS (SELECT 1 FROM baton_import_loose) THEN
        RETURN;
    END IF;
    ANALYZE baton_import_loose;
    UPDATE baton_import_node n SET cid = NULL FROM baton_import_loose x WHERE x.node = n.node;
    DELETE FROM baton_import_claim c USING baton_import_loose x
    WHERE c.node = x.node AND c.kind = 'ext' AND c.value = x.own AND NOT x.by_own;
END $$;

-- 153's, with the contacts of the records loosened no holders (2.) and the
-- records split off one customer after one run kept apart (3.); otherwise
-- unchanged.
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
    -- And the records one run joined to one customer, split off it, from
    -- each other (155): three organizations at franchise.example merged by
    -- a run and split by `baton split --run` were kept apart from the
    -- first only, and the same file again merged the other two.
    INSERT INTO baton_import_apart
    SELECT DISTINCT p.a, p.b FROM customer_split s1
    JOIN customer_merge m1 ON m1.id = s1.merge_id
    JOIN customer_split s2 ON s2.customer_id = s1.customer_id AND s2.apart <> s1.apart
    JOIN customer_merge m2 ON m2.id = s2.merge_id AND m2.run_id = m1.run_id
    JOIN customer x ON x.id = s1.apart JOIN customer y ON y.id = s2.apart
    CROSS JOIN LATERAL (VALUES (coalesce(x.merged_into, x.id), coalesce(y.merged_into, y.id))) p (a, b)
    WHERE p.a <> p.b
    ON CONFLICT DO NOTHING;
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
    -- The contacts of a record whose identifiers changed wholly (154's
    -- loosened ones) go where it goes: they hold nothing against a
    -- customer that holds the identifier by its own domain or a record's,
    -- or by an id (155).  An organization moved back to x.example from the
    -- customer it had moved to with its user at x.example found that
    -- customer holding x.example by the user, and merged the two.  (Held
    -- by contacts elsewhere too, they count as contacts do: below.)
    CREATE TEMP TABLE baton_import_follow ON COMMIT DROP AS
    SELECT x.target_id AS id FROM baton_import_loose l
    JOIN import_record x ON x.customer_id = l.cid AND x.entity = 'contacts' AND x.parent = v_src || ':' || l.sid;
    ANALYZE baton_import_follow;
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
        WHERE NOT EXISTS (SELECT 1 FROM baton_import_follow w WHERE w.id = t.id)
        UNION ALL SELECT 'email', k.value, t.customer_id, 5 FROM ke k JOIN contact t
            ON lower(t.email) = k.value AND t.email IS NOT NULL
        WHERE NOT EXISTS (SELECT 1 FROM baton_import_follow w WHERE w.id = t.id)) x
    GROUP BY x.kind, x.value, x.cid;
    PERFORM baton_import_lookups_end(v_joins);
    IF EXISTS (SELECT 1 FROM baton_import_follow) THEN
        INSERT INTO baton_import_found (kind, value, cid, how)
        SELECT c.kind, c.value, t.customer_id, min(CASE c.kind WHEN 'domain' THEN 4 ELSE 5 END)
        FROM baton_import_follow w JOIN contact t ON t.id = w.id AND t.email IS NOT NULL
        JOIN (SELECT DISTINCT kind, value FROM baton_import_claim WHERE kind IN ('domain', 'email')) c
          ON (c.kind = 'domain' AND c.value = baton_norm_domain(t.email))
          OR (c.kind = 'email' AND c.value = lower(t.email))
        WHERE NOT EXISTS (SELECT 1 FROM baton_import_found f WHERE f.kind = c.kind AND f.value = c.value
                                                             AND (f.cid = t.customer_id OR f.how <= 3))
        GROUP BY c.kind, c.value, t.customer_id;
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
    -- v_keys as a table, joined by hash (153): tested with = ANY, each
    -- merge's keys were compared with every one of them, and a customer
    -- whose joins each carry its 2,000 domains as into_keys made a file of
    -- 2,000 records joining or leaving it take minutes, more each time.
    CREATE TEMP TABLE baton_import_vkeys ON COMMIT DROP AS SELECT DISTINCT k AS key FROM unnest(v_keys) k;
    ANALYZE baton_import_vkeys;
    CREATE TEMP TABLE baton_import_mw ON COMMIT DROP AS
    WITH m AS MATERIALIZED (
        SELECT m.id, m.customer_id, m.run_id, m.keys, m.into_keys, m.joined_source, m.joined_source_id
        FROM customer_merge m
        WHERE cardinality(v_keys) > 0
          -- the merges naming one of them, each looked up in the keys'
          -- index (153): && tested every merge's keys against every one
          -- of them (279 s for 2,000 identifiers and 10,000 merges of
          -- 2,000 keys each)
          AND (cardinality(v_keys) > 2000
               OR m.id = ANY (ARRAY(SELECT x.id FROM baton_import_vkeys v
                                    JOIN customer_merge x ON (x.keys || x.into_keys) @> ARRAY[v.key])))
          AND NOT EXISTS (SELECT 1 FROM customer_split s WHERE s.merge_id = m.id)
          -- nor a merge whose record moved on (153): it holds nothing now
          AND NOT EXISTS (SELECT 1 FROM import_record_move o WHERE o.merge_id = m.id)
          AND NOT (m.joined_source IS NOT NULL AND EXISTS (
                SELECT 1 FROM customer_merge a
                WHERE a.customer_id = m.customer_id AND a.run_id = m.run_id AND a.absorbed IS NOT NULL
                  AND a.moved -> 'import_record'
                      @> jsonb_build_array(jsonb_build_array(m.joined_source, m.joined_source_id)))))
    SELECT x.cid, split_part(x.key, ':', 1) AS kind, substr(x.key, strpos(x.key, ':') + 1) AS value,
           max(x.n) + CASE WHEN bool_or(x.held) OR max(x.n) = 0 THEN 1 ELSE 0 END AS n FROM (
        SELECT coalesce(c.merged_into, c.id) AS cid, u.key,
               r.source,
               count(*) FILTER (WHERE u.named) AS n,
               bool_or(NOT u.named) AS held
        FROM m JOIN customer c ON c.id = m.customer_id
        JOIN import_run r ON r.id = m.run_id
        -- each key once a merge as named (keys), once as held (into_keys)
        CROSS JOIN LATERAL (SELECT k, true FROM unnest(m.keys) k
                            UNION SELECT k, false FROM unnest(m.into_keys) k) u (key, named)
        JOIN baton_import_vkeys v ON v.key = u.key
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

-- What went with a contact to another customer (4.): the tickets and
-- survey answers that reached its customer through it (naming the contact
-- and no organization, 096), and what was found by its address (142's
-- via: a send to it, a rating by its address), but a milestone, whose
-- step is its customer's plan.  Each contact (p_ids) from p_from to p_to,
-- p_via its address as the records found it.  For a contact whose
-- record files it under another customer (baton_import_contacts) and for
-- the contacts of a record that moves (baton_import_move_all), which took
-- the first two only.
CREATE FUNCTION baton_import_contacts_went(p_ids bigint[], p_from bigint[], p_to bigint[], p_via text[])
RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    v_entity text;
BEGIN
    IF coalesce(cardinality(p_ids), 0) = 0 THEN
        RETURN;
    END IF;
    WITH k AS (SELECT * FROM unnest(p_ids, p_from, p_to) k (id, from_cid, to_cid)),
    moved AS (
        UPDATE ticket t SET customer_id = k.to_cid FROM k, import_record x
        WHERE t.requester_id = k.id AND t.customer_id = k.from_cid
          AND x.customer_id = k.from_cid AND x.entity = 'tickets' AND x.target_id = t.id AND x.parent IS NULL
        RETURNING t.id, k.from_cid, k.to_cid)
    UPDATE import_record x SET customer_id = moved.to_cid FROM moved
    WHERE x.customer_id = moved.from_cid AND x.entity = 'tickets' AND x.target_id = moved.id;
    WITH k AS (SELECT * FROM unnest(p_ids, p_from, p_to) k (id, from_cid, to_cid)),
    moved AS (
        UPDATE survey_response t SET customer_id = k.to_cid FROM k, import_record x
        WHERE t.contact_id = k.id AND t.customer_id = k.from_cid
          AND x.customer_id = k.from_cid AND x.entity = 'surveys' AND x.target_id = t.id AND x.parent IS NULL
        RETURNING t.id, k.from_cid, k.to_cid)
    UPDATE import_record x SET customer_id = moved.to_cid FROM moved
    WHERE x.customer_id = moved.from_cid AND x.entity = 'surveys' AND x.target_id = moved.id;
    FOR v_entity IN SELECT DISTINCT x.entity FROM unnest(p_from, p_via) k (from_cid, via)
                    JOIN import_record x ON x.customer_id = k.from_cid AND x.via = k.via
                    WHERE x.entity IN ('tickets', 'marketing', 'surveys') LOOP
        EXECUTE format('WITH moved AS (
                            UPDATE %I t SET customer_id = k.to_cid
                            FROM unnest($2, $3, $4) k (from_cid, to_cid, via), import_record x
                            WHERE x.customer_id = k.from_cid AND x.via = k.via AND x.entity = $1
                              AND t.id = x.target_id AND t.customer_id = k.from_cid
                            RETURNING t.id, k.from_cid, k.to_cid)
                        UPDATE import_record x SET customer_id = moved.to_cid FROM moved
                        WHERE x.customer_id = moved.from_cid AND x.entity = $1 AND x.target_id = moved.id',
                       baton_import_table(v_entity))
        USING v_entity, p_from, p_to, p_via;
    END LOOP;
END $$;
REVOKE ALL ON FUNCTION baton_import_contacts_went(bigint[], bigint[], bigint[], text[]) FROM PUBLIC;

-- 010's, with what went with a contact to another customer (4.).
CREATE OR REPLACE FUNCTION baton_import_contacts() RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    w record;
BEGIN
    INSERT INTO contact (id, customer_id, name, email, title)
    SELECT target, cid, coalesce(v ->> 'name', nullif(concat_ws(' ', v ->> 'first_name', v ->> 'last_name'), ''),
                                 v ->> 'email'), v ->> 'email', v ->> 'title'
    FROM baton_import_c WHERE state = 'new';
    -- (the ones changing customer, and their addresses, before the update)
    SELECT array_agg(c.target) AS ids, array_agg(t.customer_id) AS froms, array_agg(c.cid) AS tos,
           array_agg(lower(btrim(t.email))) AS vias INTO w
    FROM baton_import_c c JOIN contact t ON t.id = c.target
    WHERE c.state = 'updated' AND t.customer_id <> c.cid;
    UPDATE contact t SET customer_id = c.cid,
        name = coalesce(c.v ->> 'name', nullif(concat_ws(' ', c.v ->> 'first_name', c.v ->> 'last_name'), ''),
                        c.v ->> 'email'),
        email = c.v ->> 'email', title = c.v ->> 'title'
    FROM baton_import_c c WHERE c.state = 'updated' AND t.id = c.target;
    PERFORM baton_import_contacts_went(w.ids, w.froms, w.tos, w.vias);
END $$;

-- The ids a customer record named before its update and names no more,
-- or names still from another customer (5.): the customer it was with
-- keeps each only while another of its records names it or is it (or may
-- name it: written before 153, its ids are not known).  (Only updates that
-- change a record's ids: a file's first import and its unchanged records
-- do not come here.)
CREATE FUNCTION baton_import_ids_dropped() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    WITH g AS MATERIALIZED (
        SELECT split_part(x.id, ':', 1) AS sys, substr(x.id, strpos(x.id, ':') + 1) AS id,
               x.id = ANY (coalesce(NEW.ids, '{}')) AS moves
        FROM unnest(OLD.ids) x(id)
        WHERE NOT (x.id = ANY (coalesce(NEW.ids, '{}')) AND NEW.customer_id = OLD.customer_id)
          AND NOT EXISTS (SELECT 1 FROM import_record y
                          WHERE y.customer_id = OLD.customer_id AND y.entity = 'customers'
                            AND (y.source, y.source_id) <> (NEW.source, NEW.source_id)
                            AND (y.ids @> ARRAY[x.id] OR y.external = x.id
                                 OR (y.ids IS NULL AND y.fields @> ARRAY[split_part(x.id, ':', 1) || '_id'])))),
    moved AS (
        UPDATE customer_external_id e SET customer_id = NEW.customer_id FROM g
        WHERE g.moves AND (e.system, e.external_id) = (g.sys, g.id) AND e.customer_id = OLD.customer_id
        RETURNING e.system)
    DELETE FROM customer_external_id e USING g
    WHERE NOT g.moves AND (e.system, e.external_id) = (g.sys, g.id) AND e.customer_id = OLD.customer_id;
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION baton_import_ids_dropped() FROM PUBLIC;
CREATE TRIGGER import_record_ids_dropped AFTER UPDATE OF ids ON import_record
    FOR EACH ROW WHEN (NEW.entity = 'customers' AND cardinality(OLD.ids) > 0
                       AND (OLD.ids IS DISTINCT FROM NEW.ids OR OLD.customer_id <> NEW.customer_id))
    EXECUTE FUNCTION baton_import_ids_dropped();

-- 154's, refusing a merge whose record moved on (6.).
CREATE OR REPLACE FUNCTION baton_split(p_merge uuid) RETURNS TABLE (customer_id bigint, apart bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_of uuid;
    v_makes record;
    v_moved record;
BEGIN
    PERFORM baton_may_split();
    PERFORM baton_import_lock();
    v_of := baton_merge_repeated(p_merge);
    IF v_of IS NOT NULL AND NOT EXISTS (SELECT 1 FROM customer_split s WHERE s.merge_id = p_merge) THEN
        RAISE EXCEPTION 'merge % repeats merge %, the absorption that brought its record with its customer (both were written before schema version 140): split that one',
            p_merge, v_of USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT * INTO v_makes FROM baton_merge_maker_now(p_merge);
    IF v_makes.customer_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM customer_split s WHERE s.merge_id = p_merge) THEN
        RAISE EXCEPTION '% makes customer % now (the record it joined moved to another customer): nothing to split; split the merges of the records that joined it',
            v_makes.record, v_makes.customer_id USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT coalesce(o.label, o.source) || ' ' || o.source_id AS record, o.from_customer, r.customer_id AS now,
           (SELECT m.id FROM customer_merge m JOIN customer c ON c.id = m.customer_id
            WHERE m.joined_source = o.source AND m.joined_source_id = o.source_id
              AND coalesce(c.merged_into, c.id) = r.customer_id
              AND NOT EXISTS (SELECT 1 FROM customer_split s WHERE s.merge_id = m.id)
              AND NOT EXISTS (SELECT 1 FROM import_record_move x WHERE x.merge_id = m.id)
            ORDER BY m.at DESC LIMIT 1) AS live
    INTO v_moved
    FROM import_record_move o JOIN import_record r ON r.source = o.source AND r.source_id = o.source_id
    WHERE o.merge_id = p_merge
    ORDER BY o.at DESC LIMIT 1;
    IF FOUND AND NOT EXISTS (SELECT 1 FROM customer_split s WHERE s.merge_id = p_merge) THEN
        RAISE EXCEPTION '% left customer % since this merge (it is customer %''s now): nothing to split; %',
            v_moved.record, v_moved.from_customer, v_moved.now,
            CASE WHEN v_moved.live IS NOT NULL THEN format('its merge there is %s', v_moved.live)
                 ELSE format('baton merges --customer %s lists what joined it there', v_moved.now) END
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN QUERY SELECT x.customer_id, x.apart FROM baton_split_one(p_merge) x;
END $$;

-- 153's, with what went with the contacts of a record that moves
-- (baton_import_contacts_went: the sends found by their addresses too,
-- 4.); otherwise unchanged.
CREATE OR REPLACE FUNCTION baton_import_move_all() RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    v_run uuid := (SELECT c.run FROM pg_temp.baton_import_ctx c);
    v_src text := (SELECT c.source FROM pg_temp.baton_import_ctx c);
    w record;
    v_entity text;
    v_back text[];
BEGIN
    IF NOT EXISTS (SELECT 1 FROM baton_import_moving) THEN
        RETURN;
    END IF;
    PERFORM baton_import_unloosen(ARRAY(SELECT m.node FROM baton_import_moving m
                                        JOIN baton_import_lab l ON l.n = m.node
                                        JOIN baton_import_comp k ON k.comp = l.l
                                        WHERE k.survivor IS NULL));
    DELETE FROM baton_import_moving m USING baton_import_node n WHERE n.node = m.node AND n.cid IS NOT NULL;
    IF NOT EXISTS (SELECT 1 FROM baton_import_moving) THEN
        RETURN;
    END IF;
    CREATE TEMP TABLE baton_import_mv ON COMMIT DROP AS
    SELECT m.sid, m.from_cid, k.survivor AS to_cid, v_src || ':' || m.sid AS key, r.external, r.vals,
           r.label
    FROM baton_import_moving m JOIN baton_import_lab l ON l.n = m.node
    JOIN baton_import_comp k ON k.comp = l.l
    JOIN import_record r ON r.source = v_src AND r.source_id = m.sid;
    ANALYZE baton_import_mv;
    -- Its id, unless a record of the customer it leaves written before 153
    -- may name it (its ids not known: the id stays where it is).
    UPDATE customer_external_id e SET customer_id = v.to_cid FROM baton_import_mv v
    WHERE v.external IS NOT NULL AND e.system = split_part(v.external, ':', 1) AND e.external_id = v.sid
      AND e.customer_id = v.from_cid
      AND NOT EXISTS (SELECT 1 FROM import_record x
                      WHERE x.customer_id = v.from_cid AND x.entity = 'customers' AND x.ids IS NULL
                        AND x.fields @> ARRAY[split_part(v.external, ':', 1) || '_id']);
    -- The records whose parent it is, among its customer's (143): each
    -- customer's records read once.
    CREATE TEMP TABLE baton_import_mvkids ON COMMIT DROP AS
    SELECT x.entity, x.target_id, x.source, x.source_id, v.from_cid, v.to_cid
    FROM (SELECT DISTINCT v.from_cid FROM baton_import_mv v) f
    JOIN import_record x ON x.customer_id = f.from_cid
    JOIN baton_import_mv v ON v.from_cid = x.customer_id AND v.key = x.parent
    WHERE x.entity <> 'notes';
    ANALYZE baton_import_mvkids;
    FOR v_entity IN SELECT DISTINCT k.entity FROM baton_import_mvkids k LOOP
        EXECUTE format('UPDATE %I t SET customer_id = k.to_cid FROM pg_temp.baton_import_mvkids k'
                       ' WHERE k.entity = $1 AND t.id = k.target_id AND t.customer_id = k.from_cid',
                       baton_import_table(v_entity))
            USING v_entity;
    END LOOP;
    UPDATE import_record x SET customer_id = k.to_cid FROM baton_import_mvkids k
    WHERE x.source = k.source AND x.source_id = k.source_id;
    -- What went with the contacts that went (4.).
    PERFORM baton_import_contacts_went(array_agg(k.target_id), array_agg(k.from_cid), array_agg(k.to_cid),
                                       array_agg(lower(btrim(t.email))))
    FROM baton_import_mvkids k JOIN contact t ON t.id = k.target_id
    WHERE k.entity = 'contacts';
    -- The fields it gave the customer it leaves, back to their defaults, as
    -- a split's (091): only while the customer has the record's value and
    -- no other record that joined it maps the field.
    FOR w IN SELECT * FROM baton_import_mv m WHERE m.vals IS NOT NULL AND m.vals <> '{}' ORDER BY m.sid LOOP
        SELECT coalesce(array_agg(d.k), '{}') INTO v_back
        FROM (VALUES ('plan', 'starter'), ('segment', 'smb'), ('lifecycle', 'onboarding'),
                     ('owner', NULL), ('renewal_date', NULL)) d (k, dflt),
             customer c
        WHERE c.id = w.from_cid AND to_jsonb(c) ->> d.k = w.vals ->> d.k
          AND (w.vals ->> d.k) IS DISTINCT FROM d.dflt
          AND (SELECT bool_and(x.fields IS NOT NULL) AND NOT bool_or(d.k = ANY (x.fields))
               FROM import_record x WHERE x.customer_id = w.from_cid AND x.entity = 'customers' AND x.owns)
          AND NOT EXISTS (SELECT 1 FROM import_record x
                          WHERE x.customer_id = w.from_cid AND x.entity = 'customers' AND NOT x.owns
                            AND (x.fields IS NULL OR d.k = ANY (x.fields))
                            -- (nor one that leaves with it: still its, until written)
                            AND NOT EXISTS (SELECT 1 FROM baton_import_mv o
                                            WHERE o.from_cid = w.from_cid AND (x.source, x.source_id) = (v_src, o.sid)));
        UPDATE customer u SET
            plan = CASE WHEN 'plan' = ANY (v_back) THEN 'starter' ELSE u.plan END,
            segment = CASE WHEN 'segment' = ANY (v_back) THEN 'smb' ELSE u.segment END,
            lifecycle = CASE WHEN 'lifecycle' = ANY (v_back) THEN 'onboarding' ELSE u.lifecycle END,
            owner = CASE WHEN 'owner' = ANY (v_back) THEN NULL ELSE u.owner END,
            renewal_date = CASE WHEN 'renewal_date' = ANY (v_back) THEN NULL ELSE u.renewal_date END,
            updated_at = now()
        WHERE u.id = w.from_cid AND cardinality(v_back) > 0;
    END LOOP;
    INSERT INTO import_record_move (run_id, source, source_id, label, from_customer, customer_id,
                                    merge_id, identifiers)
    SELECT v_run, v_src, v.sid, v.label, v.from_cid, v.to_cid,
        (SELECT m.id FROM customer_merge m JOIN customer c ON c.id = m.customer_id
         WHERE m.joined_source = v_src AND m.joined_source_id = v.sid
           AND coalesce(c.merged_into, c.id) = v.from_cid
           AND NOT EXISTS (SELECT 1 FROM customer_split s WHERE s.merge_id = m.id)
           AND NOT EXISTS (SELECT 1 FROM import_record_move o WHERE o.merge_id = m.id)
         ORDER BY m.at DESC LIMIT 1),
        coalesce(baton_import_why('r:' || v.sid, NULL), '')
    FROM baton_import_mv v;
    -- The customers a record left: their screens list it (the one it joins
    -- is told by its merge).  Once each, whatever moved (a transaction's
    -- notifications are told once).
    PERFORM count(pg_notify('baton', 'customer:' || x.c))
    FROM (SELECT DISTINCT v.from_cid AS c FROM baton_import_mv v) x;
END $$;

-- The new functions are the import functions' owner's, as 154 hands
-- over what a superuser's migration makes.
DO $$
DECLARE
    v_fn text := (SELECT pg_get_userbyid(p.proowner) FROM pg_proc p
                  WHERE p.oid = 'public.baton_import_begin(uuid, text, text, text, integer)'::regprocedure);
BEGIN
    EXECUTE format('ALTER FUNCTION baton_import_ids_dropped() OWNER TO %I', v_fn);
    EXECUTE format('ALTER FUNCTION baton_import_contacts_went(bigint[], bigint[], bigint[], text[]) OWNER TO %I', v_fn);
END $$;

-- `baton merges` marks the merges 154's baton_merge_maker_now names
-- ("[makes #C now]"): the people who list merges run it, with their own
-- rights (it reads what they read), rather than a copy of its rule in the
-- client.
GRANT EXECUTE ON FUNCTION baton_merge_maker_now(uuid) TO baton_staff, baton_admin, baton_importer;
