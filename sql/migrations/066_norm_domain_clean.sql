-- Baton schema, version 66: a domain is made of DNS labels, and an
-- address in angle brackets is its address.
--
-- 010's baton_norm_domain (a domain, URL or e-mail address to a bare
-- lower-case domain: records sharing one are a customer) accepted anything
-- without spaces, dots, slashes, @ and colons between its dots.  An address
-- as mail clients and CRMs export it, "Ann Lee" <ann@acme.example> or
-- Ann Lee <ann@acme.example>, gave acme.example> and never joined
-- acme.example; a value with a control character, a quote, a comma or a
-- bracket in it was an identifier as well.  Now:
--   - one address in angle brackets at the end of the value (Name <addr>,
--     <addr>, "a@b.example" <addr>) is that address (two of them, a list,
--     are no domain);
--   - what is left is taken only when it is made of DNS labels, two or
--     more: letters (non-ASCII ones as the database's character
--     classification has them, the same that lower() uses, with the
--     combining marks of the scripts that need them: Indic vowel signs and
--     viramas, Hebrew and Arabic points, Thai, Tibetan, decomposed Latin),
--     digits and hyphens, a hyphen neither first nor last in its label;
--     anything else is no domain (NULL), as garbage was.  No underscore:
--     no host or mail domain has one.  In a database whose character
--     classification knows ASCII only (LC_CTYPE C or POSIX), where lower()
--     leaves non-ASCII letters alone as well, a non-ASCII character is
--     taken as a letter, as before: internationalised domains keep working
--     there, and ASCII punctuation and control characters are refused all
--     the same;
--   - non-ASCII text is NFKC-normalised first in a UTF8 database, as IDNA
--     maps it: a decomposed ü is the composed one, a full-width letter or @
--     the ASCII one, a no-break space a space;
--   - whitespace around the value (a tab, a line end) does not matter, and
--     www. is taken off as often as it is there (www.www.acme.example), so
--     that a result normalises to itself.
-- Everything else is as it was: a URL's scheme, path, query, fragment and
-- port, a user or mailbox (after the last @), www., trailing dots, case.
--
-- Cheaper than 010's: the steps for URLs run only for a value with a colon,
-- slash, ? or #, and the mailbox, trailing dots and www. go without regular
-- expressions; one expression checks the result.  300,000 addresses
-- (count(baton_norm_domain('c' || i || '@org' || i || '.example')), the
-- two functions' runs interleaved, 7 each, on a busy 2-core machine): 010's
-- best 1.51 s, this 1.16 s, 0.10 s of it the query itself: about 3.5 us a
-- call, from 4.7 us (medians 3.8 us and 5.9 us).  An address in brackets,
-- which is rare, costs a regular expression more than 010 spent on it.

-- What its results are stored in is made again:
--   - contact_email_domain_idx (010), an index on baton_norm_domain(email);
--   - import_record.domains, a customer record's normalised domains, which
--     an import does not compute again for a record whose source has not
--     changed: each is normalised again, a value ending in > as the
--     address in brackets it came from (Ann <ann@acme.example> was stored
--     as acme.example>), those that are no domain dropped, duplicates
--     after the first dropped;
--   - customer.domain, taken from a record's normalised domains: a value
--     that normalises to another domain (acme.example> to acme.example)
--     becomes it, unless another customer has that domain (they share it,
--     and identity resolution joins them as it would have).  A value that
--     is no domain stays as it is: it is shown on its customer's screen,
--     and no normalised domain is ever equal to it.
-- Running the statements again changes nothing.
--
-- baton_import_resolve_graph (060's, restated) reads the domain of a
-- contact's address without the function, for the addresses at a shared
-- or free-mail domain, which join no one: "Bo" <bo@gmail.com> was at
-- gmail.com>, and two contacts of two companies with that address joined
-- them.  It now asks baton_norm_domain for an address ending in >.
-- The other readers of addresses and domains call baton_norm_domain
-- (claims, links, checks of an import's values, the index), or compare a
-- domain typed or configured as it is (062's baton_domain_customers,
-- baton_resolve, baton_find, import.shared_domains).

CREATE OR REPLACE FUNCTION baton_norm_domain(p text) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE STRICT AS $$
DECLARE
    -- Compatibility forms as the characters they stand for (IDNA's
    -- mapping does so too): a full-width letter or @, a no-break space.
    d text := btrim(CASE WHEN octet_length(p) <> length(p) AND getdatabaseencoding() = 'UTF8'
                         THEN normalize(p, NFKC) ELSE p END, E' \t\n\r\f\v');
BEGIN
    -- One address in angle brackets, at the end: that address.
    IF d LIKE '%>' THEN
        d := btrim(substring(d FROM '^[^>]*<([^<>]*)>$'), E' \t\n\r\f\v');
    END IF;
    -- A URL's scheme, path, query and fragment, and a port.
    IF d ~ '[:/?#]' THEN
        d := regexp_replace(regexp_replace(regexp_replace(d,
            '^[A-Za-z][A-Za-z0-9+.-]*://', ''), '[/?#].*$', ''), ':[0-9]*$', '');
    END IF;
    -- The user or mailbox (up to the last @), trailing dots, www.
    d := lower(rtrim(split_part(d, '@', -1), '.'));
    IF d LIKE 'www.%' THEN
        d := regexp_replace(d, '^(www\.)+', '');
    END IF;
    -- Labels of letters, marks and digits, with hyphens inside.  The
    -- second branch, where the database's character classification knows
    -- no letter beyond ASCII (a constant: chr(233) is é), takes any
    -- non-ASCII character but a C1 control or a no-break space (bytes, in
    -- SQL_ASCII).
    RETURN CASE
        WHEN d ~ '^[[:alnum:]\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0711\u0730-\u074a\u07a6-\u07b0\u0900-\u0dff\u0e00-\u0eff\u0f00-\u0fff\u1000-\u109f\u1780-\u17ff\u1ab0-\u1aff\u1dc0-\u1dff\u302a-\u302f\u3099\u309a\ufe20-\ufe2f](?:[-[:alnum:]\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0711\u0730-\u074a\u07a6-\u07b0\u0900-\u0dff\u0e00-\u0eff\u0f00-\u0fff\u1000-\u109f\u1780-\u17ff\u1ab0-\u1aff\u1dc0-\u1dff\u302a-\u302f\u3099\u309a\ufe20-\ufe2f]*[[:alnum:]\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0711\u0730-\u074a\u07a6-\u07b0\u0900-\u0dff\u0e00-\u0eff\u0f00-\u0fff\u1000-\u109f\u1780-\u17ff\u1ab0-\u1aff\u1dc0-\u1dff\u302a-\u302f\u3099\u309a\ufe20-\ufe2f])?(?:\.[[:alnum:]\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0711\u0730-\u074a\u07a6-\u07b0\u0900-\u0dff\u0e00-\u0eff\u0f00-\u0fff\u1000-\u109f\u1780-\u17ff\u1ab0-\u1aff\u1dc0-\u1dff\u302a-\u302f\u3099\u309a\ufe20-\ufe2f](?:[-[:alnum:]\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0711\u0730-\u074a\u07a6-\u07b0\u0900-\u0dff\u0e00-\u0eff\u0f00-\u0fff\u1000-\u109f\u1780-\u17ff\u1ab0-\u1aff\u1dc0-\u1dff\u302a-\u302f\u3099\u309a\ufe20-\ufe2f]*[[:alnum:]\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0711\u0730-\u074a\u07a6-\u07b0\u0900-\u0dff\u0e00-\u0eff\u0f00-\u0fff\u1000-\u109f\u1780-\u17ff\u1ab0-\u1aff\u1dc0-\u1dff\u302a-\u302f\u3099\u309a\ufe20-\ufe2f])?)+$'
        THEN d
        WHEN NOT chr(233) ~ '^[[:alpha:]]$'
             AND (d !~ '[\u0080-\u00a0]' OR getdatabaseencoding() <> 'UTF8')
             AND d ~ '^[a-z0-9\u0080-\U0010ffff](?:[-a-z0-9\u0080-\U0010ffff]*[a-z0-9\u0080-\U0010ffff])?(?:\.[a-z0-9\u0080-\U0010ffff](?:[-a-z0-9\u0080-\U0010ffff]*[a-z0-9\u0080-\U0010ffff])?)+$'
        THEN d END;
END $$;

REINDEX INDEX contact_email_domain_idx;

-- A customer record's domains, normalised again (first seen first).
UPDATE import_record r SET domains = n.domains
FROM (SELECT k.source, k.source_id,
             ARRAY(SELECT x.d FROM (
                       SELECT baton_norm_domain(CASE WHEN u.e LIKE '%>' THEN '<' || u.e ELSE u.e END) AS d,
                              min(u.i) AS i
                       FROM unnest(k.domains) WITH ORDINALITY u(e, i) GROUP BY 1) x
                   WHERE x.d IS NOT NULL ORDER BY x.i) AS domains
      FROM import_record k
      WHERE k.entity = 'customers' AND k.domains <> '{}'
        AND EXISTS (SELECT 1 FROM unnest(k.domains) u(e)
                    WHERE baton_norm_domain(CASE WHEN u.e LIKE '%>' THEN '<' || u.e ELSE u.e END)
                          IS DISTINCT FROM u.e)) n
WHERE (r.source, r.source_id) = (n.source, n.source_id) AND r.domains IS DISTINCT FROM n.domains;

-- A customer's own domain, when it stands for another one that no other
-- customer has (one customer per domain: the first, by id, when several
-- stand for the same).
UPDATE customer c SET domain = n.d, updated_at = now()
FROM (SELECT DISTINCT ON (x.d) x.id, x.d FROM (
          SELECT k.id, baton_norm_domain(CASE WHEN k.domain LIKE '%>' THEN '<' || k.domain
                                              ELSE k.domain END) AS d
          FROM customer k WHERE k.domain IS NOT NULL) x
      WHERE x.d IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM customer o WHERE lower(o.domain) = x.d)
      ORDER BY x.d, x.id) n
WHERE c.id = n.id;

-- 060's baton_import_resolve_graph; only the second DELETE is new.
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
