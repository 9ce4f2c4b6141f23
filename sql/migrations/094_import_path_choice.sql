-- Baton schema, version 94: a JSON path may choose one element of a list
-- by a field of it.
--
-- Zendesk's updated CSAT lists a survey response's answers in a list, one
-- an answer, each saying its type: the rating is the answer whose question
-- is the customer satisfaction one, the comment the open-ended answer, in
-- whatever place of the list.  A path of names could only say "the first
-- answer" (answers.0.rating), which is the rating only while the survey
-- asks it first.  A path's element may now be a choice,
--   {"where": ["question", "sub_type"], "is": "customer_satisfaction"}
-- (answers[question.sub_type=customer_satisfaction].rating in the
-- configuration): of the list it is applied to, the first element whose
-- field (a path of names in it) is that string.  Such a path is read by
-- SQL/JSON path (strict, errors silent: what is not there is missing, as
-- with #>>); a path of names only is read by #>> as before, so existing
-- mappings read and hash their records as they did.

-- A path's shape: a list of names, and for a JSON format choices; one
-- name for CSV (a header).
CREATE FUNCTION baton_import_path_ok(p_path jsonb, p_format text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT jsonb_typeof(p_path) = 'array' AND jsonb_array_length(p_path) > 0
       AND (p_format <> 'csv' OR jsonb_array_length(p_path) = 1)
       AND jsonb_typeof(p_path -> 0) = 'string'
       AND NOT EXISTS (
           SELECT 1 FROM jsonb_array_elements(p_path) e
           WHERE NOT (jsonb_typeof(e) = 'string'
                      OR (jsonb_typeof(e) = 'object' AND p_format <> 'csv'
                          AND (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(e) k) = '{is,where}'
                          AND jsonb_typeof(e -> 'is') = 'string'
                          AND jsonb_typeof(e -> 'where') = 'array' AND jsonb_array_length(e -> 'where') > 0
                          AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(e -> 'where') w
                                          WHERE jsonb_typeof(w) <> 'string'))))
$$;

-- A path with a choice as SQL/JSON path: strict $."answers"[*] ? (@."type"
-- == "open_ended")."value" (names and the string as JSON strings, which
-- are SQL/JSON path strings too).  NULL for a path of names only.
CREATE FUNCTION baton_import_jsonpath(p_path jsonb) RETURNS jsonpath
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN jsonb_typeof(p_path) = 'array'
                 AND EXISTS (SELECT 1 FROM jsonb_array_elements(p_path) e WHERE jsonb_typeof(e) = 'object') THEN
        ('strict $' || (SELECT string_agg(CASE WHEN jsonb_typeof(e) = 'string' THEN '.' || e::text
                                             ELSE '[*] ? (@' || (SELECT string_agg('.' || w::text, '' ORDER BY i)
                                                                 FROM jsonb_array_elements(e -> 'where')
                                                                      WITH ORDINALITY x(w, i))
                                                  || ' == ' || (e -> 'is')::text || ')' END, '' ORDER BY n)
                        FROM jsonb_array_elements(p_path) WITH ORDINALITY p(e, n)))::jsonpath END
$$;

-- The SQL that reads field p_field of the record p_rec: its text, or with
-- p_json its JSON.
CREATE FUNCTION baton_import_read_sql(p_rec text, p_spec jsonb, p_field text, p_json boolean) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN baton_import_jsonpath(p_spec -> 'fields' -> p_field -> 'path') IS NULL
                THEN format('%s %s %L::text[]', p_rec, CASE WHEN p_json THEN '#>' ELSE '#>>' END,
                            baton_import_path(p_spec, p_field))
                ELSE format('jsonb_path_query_first(%s, %L::jsonpath, ''{}'', true)%s', p_rec,
                            baton_import_jsonpath(p_spec -> 'fields' -> p_field -> 'path'),
                            CASE WHEN p_json THEN '' ELSE ' #>> ''{}''' END) END
$$;

-- 093's, with every path's shape checked, the fields' too.
CREATE OR REPLACE FUNCTION baton_import_spec_check(p_entity text, p_spec jsonb) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
DECLARE
    v_bad text;
    v_rule text;
BEGIN
    IF coalesce(p_spec ->> 'format', '') NOT IN ('csv', 'jsonl', 'json') THEN
        RAISE EXCEPTION 'unknown format "%": csv, jsonl or json', p_spec ->> 'format'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT string_agg(k, ', ') INTO v_bad FROM jsonb_object_keys(coalesce(p_spec -> 'fields', '{}')) k
    WHERE NOT EXISTS (SELECT 1 FROM import_field f WHERE f.entity = p_entity AND f.field = k);
    IF v_bad IS NOT NULL THEN
        RAISE EXCEPTION 'unknown field % for %', v_bad, p_entity USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF NOT (p_spec -> 'fields') ? 'source_id' THEN
        RAISE EXCEPTION 'the mapping has no source_id' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT format('the map of %s gives "%s", which is not one of %s', f.field, m.value,
                  array_to_string(f.allowed, ', '))
    INTO v_bad FROM import_field f, jsonb_each_text(p_spec -> 'fields' -> f.field -> 'map') m
    WHERE f.entity = p_entity AND f.allowed IS NOT NULL AND NOT m.value = ANY (f.allowed) LIMIT 1;
    IF v_bad IS NOT NULL THEN
        RAISE EXCEPTION '%', v_bad USING ERRCODE = 'invalid_parameter_value';
    END IF;
    FOREACH v_rule IN ARRAY ARRAY['only', 'skip'] LOOP
        CONTINUE WHEN NOT p_spec ? v_rule;
        IF jsonb_typeof(p_spec -> v_rule) IS DISTINCT FROM 'array' OR jsonb_array_length(p_spec -> v_rule) = 0
                OR EXISTS (SELECT 1 FROM jsonb_array_elements(p_spec -> v_rule) u
                           WHERE jsonb_typeof(u -> 'path') IS DISTINCT FROM 'array'
                              OR jsonb_array_length(u -> 'path') = 0
                              OR jsonb_typeof(u -> 'values') IS DISTINCT FROM 'array'
                              OR jsonb_array_length(u -> 'values') = 0
                              OR NOT baton_import_path_ok(u -> 'path', p_spec ->> 'format')
                              OR EXISTS (SELECT 1 FROM jsonb_array_elements(u -> 'values') e
                                         WHERE jsonb_typeof(e) <> 'string')) THEN
            RAISE EXCEPTION 'the rules "%" are a list of rules, each with a path and a list of values, all strings',
                v_rule USING ERRCODE = 'invalid_parameter_value';
        END IF;
    END LOOP;
    SELECT string_agg(k.key, ', ' ORDER BY k.key) INTO v_bad
    FROM jsonb_each(coalesce(p_spec -> 'fields', '{}')) k
    WHERE jsonb_typeof(k.value -> 'path') IS DISTINCT FROM 'null'
      AND NOT baton_import_path_ok(k.value -> 'path', p_spec ->> 'format');
    IF v_bad IS NOT NULL THEN
        RAISE EXCEPTION 'the path of % is not a list of names and choices by a field', v_bad
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
END $$;

-- 093's, a rule's path read as the stage reads a field's.
CREATE OR REPLACE FUNCTION baton_import_leave_out(p_spec jsonb) RETURNS integer
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    u record;
    v_n integer;
BEGIN
    DROP TABLE IF EXISTS pg_temp.baton_import_ruled_out;
    CREATE TEMP TABLE baton_import_ruled_out (line bigint PRIMARY KEY) ON COMMIT DROP;
    FOR u IN SELECT k.kind = 'skip' AS skip,
                    ARRAY(SELECT jsonb_array_elements_text(x -> 'path')) AS path,
                    baton_import_jsonpath(x -> 'path') AS jp,
                    ARRAY(SELECT lower(btrim(v)) FROM jsonb_array_elements_text(x -> 'values') v) AS vals
             FROM (VALUES ('only'), ('skip')) k(kind),
                  jsonb_array_elements(CASE WHEN p_spec ? k.kind THEN p_spec -> k.kind ELSE '[]' END) x LOOP
        INSERT INTO baton_import_ruled_out
        SELECT r.line FROM baton_import_rows r
        WHERE (coalesce(lower(btrim(CASE WHEN u.jp IS NULL THEN r.rec #>> u.path
                                         ELSE jsonb_path_query_first(r.rec, u.jp, '{}', true) #>> '{}' END)),
                        '') = ANY (u.vals)) = u.skip
        ON CONFLICT DO NOTHING;
    END LOOP;
    SELECT count(*) INTO v_n FROM baton_import_ruled_out;
    RETURN v_n;
END $$;

-- 093's, each field read by baton_import_read_sql, and a key that is a
-- list or an object rejected (it was imported as its JSON text).
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
    v_obj text := '';
    -- A key is one value: a list or an object ({} or [1, 2]) is none.
    v_bad text := 'CASE WHEN w.r_source_id IS NULL THEN ''source_id:missing key'''
                  ' WHEN jsonb_typeof(w.j_source_id) IN (''object'', ''array'')'
                  ' THEN ''source_id:a list or an object is no key'''
                  ' WHEN length(w.r_source_id) > 200 THEN ''source_id:longer than 200 characters'' END';
    v_sql record;
    v_src text := (SELECT c.source FROM pg_temp.baton_import_ctx c);
    -- The record as it came, under this mapping (another one converts
    -- anew): a 64-bit hash of its JSON seeded by the mapping, 0.6 us a
    -- record where md5 of its text took 3.2.
    v_seed bigint := baton_import_line_seed(p_spec, NULL);
    v_key text;
    v_text text;
    -- The record as it came: a JSON line's text (030), a CSV row's fields
    -- written out again (045), a JSON document's record as JSON.
    v_dg text := 'lpad(to_hex(jsonb_hash_extended(r.rec, $1)), 16, ''0'')';
    -- The lines a rule leaves out (093): typed like the others, so that a
    -- key's newest line is found among all its lines; never rejected;
    -- gone, with the lines they outdate, before anything is written.
    v_left boolean := EXISTS (SELECT 1 FROM pg_temp.baton_import_ruled_out);
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
        v_raw := v_raw || format(', coalesce(CASE WHEN btrim(%1$s) <> '''' THEN %1$s END, %2$L) AS %3$I,'
                                 ' %4$s AS %5$I',
                                 v_get, v_def ->> 'default', 'r_' || f.field,
                                 baton_import_read_sql('e.rec', p_spec, f.field, true), 'j_' || f.field);
        v_sql := baton_import_field_sql(f.field, f.kind, f.allowed, v_def);
        v_typed := v_typed || format(', %s AS %I', v_sql.val, 'v_' || f.field);
        IF (p_spec -> 'fields') ? f.field THEN
            v_obj := v_obj || format(', %L, t.%I', f.field, 'v_' || f.field);
        END IF;
        IF v_sql.chk IS NOT NULL THEN
            v_bad := v_bad || ', ' || v_sql.chk;
        END IF;
    END LOOP;
    -- A digest is two: md5 of the values (as 010's) and the hash of the
    -- record as it came under this mapping.  A record the source already has with
    -- the same text is unchanged: skipped here, before any conversion (not
    -- when its key is in the file twice: its newest line counts, 071).
    v_key := format('coalesce(CASE WHEN btrim(%1$s) <> '''' THEN %1$s END, %2$L)',
                    baton_import_read_sql('r.rec', p_spec, 'source_id', false),
                    p_spec -> 'fields' -> 'source_id' ->> 'default');
    -- (A source's first file has nothing to skip; JSON Lines were skipped
    -- by their text before they were parsed: baton_import_skip.)
    SELECT h.text_sql, coalesce(h.seed, v_seed) INTO v_text, v_seed
    FROM baton_import_staged_hash(p_spec, 'q') h;
    IF v_text IS NOT NULL THEN
        v_dg := 'lpad(to_hex(hashtextextended(' || v_text || ', $1)), 16, ''0'')';
    ELSIF v_src IS NOT NULL AND EXISTS (SELECT 1 FROM import_record i WHERE i.source = v_src) THEN
        PERFORM baton_import_same_lines(v_src, v_key, v_seed);
    END IF;
    -- OFFSET 0 keeps each layer a layer: its columns are computed once a row
    -- rather than copied into every expression that reads them (x's too:
    -- the values, v, are read twice above it; e's, as w reads each field
    -- twice).
    EXECUTE 'CREATE TEMP TABLE baton_import_s ON COMMIT DROP AS'
        ' SELECT line, v, md5(v::text) || raw_digest AS digest, bad, left_out FROM (SELECT w.line, w.raw_digest, w.left_out,'
        ' jsonb_strip_nulls(jsonb_build_object(' || substr(v_obj, 3) || ')) AS v,'
        ' coalesce(' || v_bad || ') AS bad'
        ' FROM (SELECT e.line, e.raw_digest, e.left_out' || v_raw
        || ' FROM (SELECT r.line, r.rec, ' || v_dg || ' AS raw_digest, '
        || CASE WHEN v_left THEN 'r.line IN (SELECT l.line FROM pg_temp.baton_import_ruled_out l)' ELSE 'false' END
        || ' AS left_out' || v_ext
        || ' FROM pg_temp.baton_import_rows r'
        || CASE WHEN v_text IS NOT NULL THEN ' JOIN pg_temp.baton_import_raw q ON q.line = r.line' ELSE '' END
        || ' OFFSET 0) e OFFSET 0) w,'
        ' LATERAL (SELECT 1 AS one' || v_typed || ' OFFSET 0) t OFFSET 0) x' USING v_seed;
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
    -- every file with lines skipped one compiled by JIT.
    IF EXISTS (SELECT 1 FROM baton_import_s a
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
    -- the digest renewed so that the next run skips the record early.
    WITH d AS (DELETE FROM baton_import_s s USING import_record i
               WHERE i.source = v_src AND i.source_id = s.v ->> 'source_id'
                 AND left(i.digest, 32) = left(s.digest, 32)
               RETURNING s.v ->> 'source_id' AS sid, s.digest)
    UPDATE import_record i SET digest = d.digest FROM d
    WHERE i.source = v_src AND i.source_id = d.sid AND i.digest <> d.digest;
    ANALYZE baton_import_s;
END $$;
