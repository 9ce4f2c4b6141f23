-- Baton schema, version 15: `baton import` at full scale, and absorbed
-- customers out of sight.
--
-- 1. Typed values without a function call per row.  010 staged a file with
--    one statement, but every value went through PL/pgSQL helpers (text at
--    a path, maps, ISO times, checks: about fifteen calls a row) and SQL
--    helpers that are not inlined because an argument appears twice (a
--    full query per call): most of an import's time.  baton_import_stage
--    now writes the conversion out as plain expressions, with the mapping's
--    paths, maps and defaults as literals (from the configuration, quoted
--    with %L; never the file's text), in three layers so that nothing is
--    computed twice: the raw text of each field, its typed value, then the
--    record and the first bad field.  The values and digests are the ones
--    010 made, so that files imported before stay unchanged.
-- 2. baton_import_problem becomes PL/pgSQL: one expression, evaluated
--    without a query per row.
-- 3. The customers holding an identifier are found with joins (one per
--    kind of identifier) instead of a lateral query per identifier.
-- 4. Absorbed customers (merged_into) are not customers of their own any
--    more: baton_find leaves them out.

-- 1. Staging ----------------------------------------------------------------------
-- The ISO 8601 check of 010's baton_import_iso as an expression over %1$s
-- (a trimmed text): NULL when it is not a real date and time.
CREATE FUNCTION baton_import_iso_sql(p_expr text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT format($f$CASE
        WHEN NOT %1$s ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?)?( ?(Z|UTC|[+-][0-9]{2}(:?[0-9]{2})?))?$' THEN NULL
        WHEN substr(%1$s, 1, 4)::integer < 1 OR substr(%1$s, 6, 2)::integer NOT BETWEEN 1 AND 12 THEN NULL
        WHEN substr(%1$s, 9, 2)::integer NOT BETWEEN 1 AND extract(day FROM
                make_date(substr(%1$s, 1, 4)::integer, substr(%1$s, 6, 2)::integer, 1)
                + interval '1 month - 1 day')::integer THEN NULL
        WHEN CASE WHEN substr(%1$s, 14, 1) = ':' THEN substr(%1$s, 12, 2)::integer > 23
                  OR substr(%1$s, 15, 2)::integer > 59 ELSE false END THEN NULL
        WHEN CASE WHEN substr(%1$s, 17, 1) = ':' THEN substr(%1$s, 18, 2)::integer > 59
                  ELSE false END THEN NULL
        ELSE %1$s::timestamptz END$f$, p_expr)
$$;

-- A time by the source's format over the raw text %s, as an expression.
CREATE FUNCTION baton_import_time_sql(p_raw text, p_fmt text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN coalesce(p_fmt, 'iso') = 'iso' THEN baton_import_iso_sql(format('btrim(%s)', p_raw))
        WHEN p_fmt = 'epoch' THEN format($f$CASE
            WHEN btrim(%1$s) ~ '^[0-9]{1,10}(\.[0-9]+)?$' THEN to_timestamp(btrim(%1$s)::numeric)
            WHEN btrim(%1$s) ~ '^[0-9]{11,13}$' THEN to_timestamp(btrim(%1$s)::numeric / 1000) END$f$, p_raw)
        ELSE format('baton_import_pattern(%s, %L)', p_raw, p_fmt) END
$$;

-- An allowed value of raw text %s, through the map when there is one.
CREATE FUNCTION baton_import_enum_sql(p_raw text, p_map jsonb, p_allowed text[]) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN p_map IS NOT NULL THEN format('(%L::jsonb ->> %s)', p_map, p_raw)
        ELSE format('CASE WHEN lower(btrim(%1$s)) = ANY (%2$L::text[]) THEN lower(btrim(%1$s)) END',
                    p_raw, p_allowed) END
$$;

-- The value and the check of one field, as expressions: the value over the
-- raw text w.r_FIELD (or the raw JSON w.j_FIELD), the check over the raw
-- text and t.v_FIELD, the typed value.
CREATE FUNCTION baton_import_field_sql(p_field text, p_kind text, p_allowed text[], p_def jsonb,
                                       OUT val text, OUT chk text)
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    r text := format('w.%I', 'r_' || p_field);
    j text := format('w.%I', 'j_' || p_field);
    t text := format('t.%I', 'v_' || p_field);
    m jsonb := p_def -> 'map';
    fmt text := p_def ->> 'format';
    x text;
BEGIN
    CASE p_kind
    WHEN 'enum' THEN
        val := baton_import_enum_sql(r, m, p_allowed);
        chk := format('CASE WHEN w.%I IS NOT NULL AND %s IS NULL THEN %s END', 'r_' || p_field, t,
            CASE WHEN m IS NOT NULL THEN format('format(%L, w.%I)', p_field || ':value "%s" is not in the map',
                                                'r_' || p_field)
                 ELSE format('format(%L, w.%I)', p_field || ':"%s" is not one of '
                             || replace(array_to_string(p_allowed, ', '), '%', '%%'), 'r_' || p_field) END);
    WHEN 'first' THEN
        val := format('coalesce((SELECT %s FROM jsonb_array_elements_text(CASE jsonb_typeof(%2$s)'
                      ' WHEN ''array'' THEN %2$s WHEN ''string'' THEN'
                      ' to_jsonb(regexp_split_to_array(%2$s #>> ''{}'', ''[,;[:space:]]+'')) END)'
                      ' WITH ORDINALITY a(e, i) WHERE %1$s IS NOT NULL ORDER BY a.i LIMIT 1), %3$L)',
                      baton_import_enum_sql('a.e', m, p_allowed), j, p_def ->> 'default');
    WHEN 'int' THEN
        x := CASE WHEN m IS NULL THEN r ELSE format('(%L::jsonb ->> %s)', m, r) END;
        val := format('CASE WHEN %1$s ~ ''^-?[0-9]{1,9}$'' THEN %1$s::integer END', x);
        chk := format('CASE WHEN %1$s IS NOT NULL AND NOT coalesce(%2$s, %1$s) ~ ''^-?[0-9]{1,9}$'''
                      ' THEN %3$L || '':"'' || %1$s || %4$L END', r,
                      CASE WHEN m IS NULL THEN 'NULL' ELSE format('(%L::jsonb ->> %s)', m, r) END,
                      p_field, CASE WHEN m IS NULL THEN '" is not a whole number' ELSE '" is not in the map' END);
    WHEN 'date', 'time' THEN
        val := baton_import_time_sql(r, fmt) || CASE WHEN p_kind = 'date' THEN '::date' ELSE '' END;
        chk := format('CASE WHEN %s IS NOT NULL AND %s IS NULL THEN format(%L, %1$s) END', r, t,
                      p_field || ':"%s" is not a date and time (' || replace(coalesce(fmt, 'iso'), '%', '%%') || ')');
    WHEN 'domains' THEN
        val := format('baton_import_domains(%s)', j);
    WHEN 'email' THEN
        val := r;
        chk := format('CASE WHEN baton_norm_domain(%1$s) IS NULL THEN %2$L || '':"'' || %1$s'
                      ' || ''" is not an e-mail address or a domain'' END', r, p_field);
    WHEN 'staff' THEN
        -- A person by the map, or by their role name; someone unknown is no one.
        val := format('(SELECT s.role_name FROM staff s WHERE s.role_name::text = coalesce(%s, %s))',
                      CASE WHEN m IS NULL THEN 'NULL' ELSE format('%L::jsonb ->> %s', m, r) END, r);
    ELSE
        val := r;
    END CASE;
END $$;

-- 010's baton_import_begin, which also notes the run's source for the
-- stage (baton_import_ctx).
CREATE OR REPLACE FUNCTION baton_import_begin(p_run uuid, p_source text, p_entity text, p_file text,
                                   p_columns integer)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_cols text;
BEGIN
    PERFORM baton_import_check();
    IF NOT EXISTS (SELECT 1 FROM import_field f WHERE f.entity = p_entity) THEN
        RAISE EXCEPTION 'unknown entity "%": the entities are %', p_entity,
            (SELECT string_agg(DISTINCT f.entity, ', ') FROM import_field f)
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF p_columns IS NULL OR p_columns NOT BETWEEN 0 AND 1000 THEN
        RAISE EXCEPTION 'a file has from 1 to 1000 columns' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF EXISTS (SELECT 1 FROM import_run r WHERE r.id = p_run) THEN
        RAISE EXCEPTION 'import run % was already recorded', p_run USING ERRCODE = 'unique_violation';
    END IF;
    INSERT INTO import_run (id, source, entity, file) VALUES (p_run, p_source, p_entity, p_file);
    DROP TABLE IF EXISTS pg_temp.baton_import_raw, pg_temp.baton_import_reject, pg_temp.baton_import_ctx;
    SELECT coalesce(string_agg(format(', c%s text', i), '' ORDER BY i), ', raw text')
        INTO v_cols FROM generate_series(1, p_columns) i;
    EXECUTE 'CREATE TEMP TABLE baton_import_raw (line bigint NOT NULL' || v_cols || ') ON COMMIT DROP';
    CREATE TEMP TABLE baton_import_reject (line bigint, field text, reason text, raw text)
        ON COMMIT DROP;
    -- Which source the staged file is of: baton_import_stage skips the
    -- records that source already has as they are.
    CREATE TEMP TABLE baton_import_ctx ON COMMIT DROP AS SELECT p_run AS run, p_source AS source;
    EXECUTE format('GRANT INSERT ON pg_temp.baton_import_raw TO %I', session_user);
    EXECUTE format('GRANT SELECT ON pg_temp.baton_import_reject TO %I', session_user);
END $$;

-- The typed values of every record: baton_import_s (line, v jsonb,
-- digest), v holding each mapped field's value; rows with a bad value
-- rejected (the first bad field of a row names it).  Field names come from
-- import_field; paths, maps, defaults and formats from the mapping, as
-- literals.
CREATE OR REPLACE FUNCTION baton_import_stage(p_spec jsonb, p_entity text) RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    f record;
    v_def jsonb;
    v_get text;
    v_raw text := '';
    v_typed text := '';
    v_obj text := '';
    v_bad text := 'CASE WHEN w.r_source_id IS NULL THEN ''source_id:missing key'''
                  ' WHEN length(w.r_source_id) > 200 THEN ''source_id:longer than 200 characters'' END';
    v_sql record;
    v_src text := (SELECT c.source FROM pg_temp.baton_import_ctx c);
    v_fp text := md5(p_spec::text);  -- the mapping: another one converts anew
    v_key text;
BEGIN
    FOR f IN SELECT i.field, i.kind, i.allowed FROM import_field i
             WHERE i.entity = p_entity AND ((p_spec -> 'fields') ? i.field OR i.kind = 'key')
             ORDER BY i.field LOOP
        v_def := coalesce(p_spec -> 'fields' -> f.field, '{}');
        v_get := format('r.rec #>> %L::text[]', baton_import_path(p_spec, f.field));
        -- Blank is missing; then the default.
        v_raw := v_raw || format(', coalesce(CASE WHEN btrim(%1$s) <> '''' THEN %1$s END, %2$L) AS %3$I,'
                                 ' r.rec #> %4$L::text[] AS %5$I',
                                 v_get, v_def ->> 'default', 'r_' || f.field,
                                 baton_import_path(p_spec, f.field), 'j_' || f.field);
        v_sql := baton_import_field_sql(f.field, f.kind, f.allowed, v_def);
        v_typed := v_typed || format(', %s AS %I', v_sql.val, 'v_' || f.field);
        IF (p_spec -> 'fields') ? f.field THEN
            v_obj := v_obj || format(', %L, t.%I', f.field, 'v_' || f.field);
        END IF;
        IF v_sql.chk IS NOT NULL THEN
            v_bad := v_bad || ', ' || v_sql.chk;
        END IF;
    END LOOP;
    -- A digest is two: md5 of the values (as 010's) and md5 of the record
    -- as it came under this mapping.  A record the source already has with
    -- the same text is unchanged: skipped here, before any conversion (not
    -- when its key is in the file twice: its last line counts).
    v_key := format('coalesce(CASE WHEN btrim(%1$s) <> '''' THEN %1$s END, %2$L)',
                    format('r.rec #>> %L::text[]', baton_import_path(p_spec, 'source_id')),
                    p_spec -> 'fields' -> 'source_id' ->> 'default');
    IF v_src IS NOT NULL THEN
        EXECUTE format('DELETE FROM pg_temp.baton_import_rows r USING import_record i'
            ' WHERE i.source = $1 AND i.source_id = %s AND substr(i.digest, 33) = md5($2 || r.rec::text)'
            ' AND NOT EXISTS (SELECT 1 FROM pg_temp.baton_import_rows o WHERE %s = %1$s AND o.line <> r.line)',
            v_key, replace(v_key, 'r.rec', 'o.rec')) USING v_src, v_fp;
    END IF;
    -- OFFSET 0 keeps each layer a layer: its columns are computed once a row
    -- rather than copied into every expression that reads them.
    EXECUTE 'CREATE TEMP TABLE baton_import_s ON COMMIT DROP AS'
        ' SELECT line, v, md5(v::text) || raw_digest AS digest, bad FROM (SELECT w.line,'
        ' md5($1 || w.rec::text) AS raw_digest,'
        ' jsonb_strip_nulls(jsonb_build_object(''line'', 0' || v_obj || ')) - ''line'' AS v,'
        ' coalesce(' || v_bad || ') AS bad'
        ' FROM (SELECT r.line, r.rec' || v_raw || ' FROM pg_temp.baton_import_rows r OFFSET 0) w,'
        ' LATERAL (SELECT 1 AS one' || v_typed || ' OFFSET 0) t) x' USING v_fp;
    INSERT INTO baton_import_reject (line, field, reason)
    SELECT line, split_part(bad, ':', 1), substr(bad, strpos(bad, ':') + 1)
    FROM baton_import_s WHERE bad IS NOT NULL;
    DELETE FROM baton_import_s WHERE bad IS NOT NULL;
    -- The same record twice in one file: its last line counts.
    DELETE FROM baton_import_s a USING baton_import_s b
    WHERE a.v ->> 'source_id' = b.v ->> 'source_id' AND a.line < b.line;
    -- The same values under another text (a field not mapped changed, or
    -- the digest is 010's, of the values alone): unchanged as well, and
    -- the digest renewed so that the next run skips the record early.
    WITH d AS (DELETE FROM baton_import_s s USING import_record i
               WHERE i.source = v_src AND i.source_id = s.v ->> 'source_id'
                 AND left(i.digest, 32) = left(s.digest, 32)
               RETURNING s.v ->> 'source_id' AS sid, s.digest)
    UPDATE import_record i SET digest = d.digest FROM d
    WHERE i.source = v_src AND i.source_id = d.sid AND i.digest <> d.digest;
    ANALYZE baton_import_s;
END $$;

-- 2. What an entity's rows must also be: 010's expression, in PL/pgSQL so
-- that a row costs an expression, not a query (v appears many times: the
-- SQL function was never inlined).
CREATE OR REPLACE FUNCTION baton_import_problem(p_entity text, v jsonb) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    RETURN CASE p_entity
    WHEN 'contacts' THEN CASE
        WHEN v ->> 'email' NOT LIKE '%_@_%' THEN format('email:"%s" is not an e-mail address', v ->> 'email')
        WHEN coalesce(v ->> 'name', nullif(concat_ws(' ', v ->> 'first_name', v ->> 'last_name'), ''),
                      v ->> 'email') IS NULL THEN 'name:missing name'
        WHEN length(coalesce(v ->> 'name', concat_ws(' ', v ->> 'first_name', v ->> 'last_name'))) > 200
            THEN 'name:longer than 200 characters' END
    WHEN 'tickets' THEN CASE WHEN length(v ->> 'subject') > 500 THEN 'subject:longer than 500 characters' END
    WHEN 'milestones' THEN CASE
        WHEN v ->> 'title' IS NULL THEN 'title:missing title'
        WHEN length(v ->> 'title') > 200 THEN 'title:longer than 200 characters'
        WHEN (v ->> 'position')::integer < 1 THEN 'position:must be 1 or more' END
    WHEN 'notes' THEN CASE
        WHEN v ->> 'body' IS NULL THEN 'body:missing text'
        WHEN length(v ->> 'body') > 65536 THEN 'body:longer than 65536 characters' END
    WHEN 'marketing' THEN CASE
        WHEN v ->> 'campaign' IS NULL THEN 'campaign:missing campaign'
        WHEN length(v ->> 'campaign') > 200 THEN 'campaign:longer than 200 characters'
        WHEN v ->> 'status' IS NULL THEN 'status:missing status (map it, or give it a default)'
        WHEN v ->> 'status' = 'sent' AND coalesce(v ->> 'sent_at', v ->> 'scheduled_at') IS NULL
            THEN 'sent_at:sent, but when is missing'
        WHEN v ->> 'status' = 'scheduled' AND v ->> 'scheduled_at' IS NULL
            THEN 'scheduled_at:scheduled, but when is missing' END
    WHEN 'surveys' THEN CASE
        WHEN v ->> 'kind' IS NULL THEN 'kind:missing kind (nps, csat or ces)'
        WHEN v ->> 'score' IS NULL THEN 'score:missing score'
        WHEN NOT CASE v ->> 'kind' WHEN 'nps' THEN (v ->> 'score')::integer BETWEEN 0 AND 10
                                   WHEN 'csat' THEN (v ->> 'score')::integer BETWEEN 1 AND 5
                                   ELSE (v ->> 'score')::integer BETWEEN 1 AND 7 END
            THEN format('score:%s is not a %s score', v ->> 'score', v ->> 'kind') END
    END;
END $$;

-- 3. Identity resolution: 010's baton_import_resolve, with the customers
-- that hold an identifier found by joins.
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
    CREATE TEMP TABLE baton_import_comp ON COMMIT DROP AS
    SELECT l.l AS comp, min(coalesce(n.cid, CASE WHEN l.n LIKE 'c:%' THEN substr(l.n, 3)::bigint END))
           AS survivor
    FROM baton_import_lab l LEFT JOIN baton_import_node n ON n.node = l.n GROUP BY l.l;
    ANALYZE baton_import_comp;
END $$;
-- 4. The finder: 005's baton_find, without absorbed customers (their
-- contacts and external ids moved to the survivor, which the finder finds
-- by them; `baton show` of an absorbed id or domain opens the survivor).
CREATE OR REPLACE FUNCTION baton_find(p_text text, p_contains boolean)
RETURNS TABLE (cid bigint, how integer)
LANGUAGE plpgsql STABLE SECURITY DEFINER ROWS 100 SET search_path = public, pg_temp AS $f$
DECLARE
    v_scope text[];  -- NULL: every segment
BEGIN
    IF baton_me_active() THEN
        v_scope := baton_me_scope();
    ELSIF NOT baton_me_bypasses() THEN
        RETURN;
    END IF;
    RETURN QUERY EXECUTE $q$
        (SELECT id, CASE WHEN $2 THEN 0 ELSE 1 END FROM customer
          WHERE name_folded LIKE baton_like_escape(baton_fold($1)) || '%'
            AND ($3 IS NULL OR segment = ANY ($3)) AND merged_into IS NULL
          ORDER BY name_folded USING ~<~ LIMIT 50)
        UNION ALL (SELECT id, 1 FROM customer
          WHERE $2 AND name_folded LIKE '%' || baton_like_escape(baton_fold($1)) || '%'
            AND ($3 IS NULL OR segment = ANY ($3)) AND merged_into IS NULL
          LIMIT 100)
        UNION ALL (SELECT id, 2 FROM customer
          WHERE lower(domain) LIKE baton_like_escape(lower($1)) || '%'
            AND ($3 IS NULL OR segment = ANY ($3)) AND merged_into IS NULL
          ORDER BY lower(domain) USING ~<~ LIMIT 50)
        UNION ALL (SELECT x.customer_id, 3 FROM contact x
          WHERE lower(x.email) LIKE baton_like_escape(lower($1)) || '%'
            AND ($3 IS NULL OR EXISTS (SELECT 1 FROM customer c
                 WHERE c.id = x.customer_id AND c.segment = ANY ($3)))
          ORDER BY lower(x.email) USING ~<~ LIMIT 50)
        UNION ALL (SELECT x.customer_id, 4 FROM customer_external_id x
          WHERE lower(x.external_id) LIKE baton_like_escape(lower($1)) || '%'
            AND ($3 IS NULL OR EXISTS (SELECT 1 FROM customer c
                 WHERE c.id = x.customer_id AND c.segment = ANY ($3)))
          ORDER BY lower(x.external_id) USING ~<~ LIMIT 50)
    $q$ USING p_text, p_contains, v_scope;
END $f$;
