-- Baton schema, version 134: a merge of two customers names the records of
-- the file that joined them (#12, a merge's evidence).
--
-- When a file's record holds an identifier of another customer than its
-- own (a Zendesk user of organisation Umbrella Labs, with an address at
-- globex.example), the two customers become one: Umbrella Labs is absorbed
-- into Globex.  The merge said "same domain globex.example", and its
-- evidence listed the two organisations' records, neither of which has
-- that domain: nothing named user 9104, whose address made the merge, so a
-- person judging whether to split it had to search the source for it.
-- Now customer_merge.via names the file's records at either end of the
-- edges that reach the absorbed customer (those its identifiers came
-- from), "zendesk-users 9104" (source and id, the first ten, and how many
-- more), and baton merges shows it: "— same domain globex.example, from
-- zendesk-users 9104".  A record that joins a customer itself is that
-- merge's joined record already (joined_source/_id): via stays empty.
-- Merges made before have none.
ALTER TABLE customer_merge ADD COLUMN via text;

-- 010's baton_import_absorb, with the records it came through.  Otherwise
-- unchanged.
DROP FUNCTION baton_import_absorb(uuid, bigint, bigint, text);
CREATE FUNCTION baton_import_absorb(p_run uuid, p_into bigint, p_from bigint, p_why text,
                                    p_via text DEFAULT NULL, p_keys text[] DEFAULT NULL,
                                    p_into_keys text[] DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    v_moved jsonb := '{}';
    v_part jsonb;
    v_top integer;
BEGIN
    v_moved := v_moved || jsonb_build_object('evidence', baton_import_records_of(ARRAY[p_into, p_from]));
    WITH u AS (UPDATE contact SET customer_id = p_into WHERE customer_id = p_from RETURNING id)
    SELECT coalesce(jsonb_agg(id), '[]') INTO v_part FROM u;
    v_moved := v_moved || jsonb_build_object('contact', v_part);
    WITH u AS (UPDATE ticket SET customer_id = p_into WHERE customer_id = p_from RETURNING id)
    SELECT coalesce(jsonb_agg(id), '[]') INTO v_part FROM u;
    v_moved := v_moved || jsonb_build_object('ticket', v_part);
    WITH u AS (UPDATE marketing_event SET customer_id = p_into WHERE customer_id = p_from RETURNING id)
    SELECT coalesce(jsonb_agg(id), '[]') INTO v_part FROM u;
    v_moved := v_moved || jsonb_build_object('marketing_event', v_part);
    WITH u AS (UPDATE survey_response SET customer_id = p_into WHERE customer_id = p_from RETURNING id)
    SELECT coalesce(jsonb_agg(id), '[]') INTO v_part FROM u;
    v_moved := v_moved || jsonb_build_object('survey_response', v_part);
    WITH u AS (UPDATE customer_external_id SET customer_id = p_into WHERE customer_id = p_from
               RETURNING system, external_id)
    SELECT coalesce(jsonb_agg(jsonb_build_array(system, external_id)), '[]') INTO v_part FROM u;
    v_moved := v_moved || jsonb_build_object('customer_external_id', v_part);
    WITH o AS (SELECT source, source_id, owns FROM import_record WHERE customer_id = p_from),
         u AS (UPDATE import_record r SET customer_id = p_into, owns = false FROM o
               WHERE r.source = o.source AND r.source_id = o.source_id
               RETURNING o.source, o.source_id, o.owns)
    SELECT coalesce(jsonb_agg(jsonb_build_array(source, source_id, owns)), '[]') INTO v_part FROM u;
    v_moved := v_moved || jsonb_build_object('import_record', v_part);
    -- Milestones go after the survivor's own (positions are unique).
    SELECT coalesce(max(position), 0) INTO v_top FROM milestone WHERE customer_id = p_into;
    WITH o AS (SELECT id, position FROM milestone WHERE customer_id = p_from),
         u AS (UPDATE milestone m SET customer_id = p_into, position = o.position + v_top
               FROM o WHERE m.id = o.id RETURNING m.id, o.position)
    SELECT coalesce(jsonb_agg(jsonb_build_array(id, position)), '[]') INTO v_part FROM u;
    v_moved := v_moved || jsonb_build_object('milestone', v_part);
    WITH u AS (UPDATE customer SET merged_into = p_into WHERE id = p_from OR merged_into = p_from
               RETURNING id)
    SELECT coalesce(jsonb_agg(id), '[]') INTO v_part FROM u;
    v_moved := v_moved || jsonb_build_object('customer', v_part);
    -- With its keys when the caller has them (absorb_all): else 097's
    -- statement trigger fills them.
    INSERT INTO customer_merge (run_id, customer_id, absorbed, identifiers, evidence, moved, via, keys,
                                into_keys)
    VALUES (p_run, p_into, p_from, coalesce(p_why, ''), v_moved -> 'evidence', v_moved - 'evidence', p_via,
            CASE WHEN p_into_keys IS NOT NULL THEN p_keys END, CASE WHEN p_keys IS NOT NULL THEN p_into_keys END);
END $$;
REVOKE ALL ON FUNCTION baton_import_absorb(uuid, bigint, bigint, text, text, text[], text[]) FROM PUBLIC;

-- 060's baton_import_absorb_all: the same edges give the identifiers and
-- the file's records they came from.  An edge's end is a record of the file
-- (r:ID: a customers file's) or a customer whose contacts in the file claim
-- the identifier (c:ID: a contacts file's claims are made by customer, 125):
-- then those contacts, found once for all merges (baton_import_via).  A
-- record whose own customer holds the identifier by its id, its own domain
-- or a customer record's (baton_import_found's how 1-3, not by its
-- contacts, which the file's are among) is where the identifier is, not
-- what brought it, and is left out.  Otherwise unchanged.
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
            WHERE NOT EXISTS (SELECT 1 FROM baton_import_found f
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
