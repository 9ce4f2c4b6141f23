-- Baton schema, version 93: a source may leave out the rows that are not
-- records of its entity, by a rule of its mapping, counted as skipped.
--
-- Zendesk's users export lists the account's own agents and admins beside
-- its customers' people.  They have no organization and an e-mail at the
-- account's own domain, so each was rejected as finding no customer, on
-- every page that listed them: the rejects file and the rejected count of a
-- scheduled import were never clean, and a real reject hid among them.
-- A mapping now says which rows are its entity's, by lists of rules:
--   "only": [{"path": [...], "values": [...]}, ...]  the rows whose value is one of these;
--   "skip": [{"path": [...], "values": [...]}, ...]  not the rows whose value is one of these.
-- A row is imported when it meets every only rule and no skip rule.
-- A value is compared as a map's source values are (092): in lower case
-- without the spaces around it; a missing or blank value is "", a number
-- or true/false its JSON text.  A line left out is read and counted as
-- skipped, neither imported nor rejected.  A record whose newest line in
-- the file is left out is left alone, as one missing from the file, also
-- when older lines of it are not left out.

ALTER TABLE import_run ADD COLUMN skipped integer NOT NULL DEFAULT 0;

-- 010's, with the rules' shape checked.
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
                              OR EXISTS (SELECT 1 FROM jsonb_array_elements(u -> 'path') e
                                         WHERE jsonb_typeof(e) <> 'string')
                              OR EXISTS (SELECT 1 FROM jsonb_array_elements(u -> 'values') e
                                         WHERE jsonb_typeof(e) <> 'string')) THEN
            RAISE EXCEPTION 'the rules "%" are a list of rules, each with a path and a list of values, all strings',
                v_rule USING ERRCODE = 'invalid_parameter_value';
        END IF;
    END LOOP;
END $$;

-- The lines of pg_temp.baton_import_rows the rules leave out, into
-- pg_temp.baton_import_ruled_out (empty without rules); how many.  One plain
-- comparison of each line's value a rule (no statement is built from the
-- mapping).  The stage below types them with the others, so that a
-- record's newest line is chosen among all its lines (071): a record whose
-- newest line is left out is left as it is, whatever its older lines say.
CREATE FUNCTION baton_import_leave_out(p_spec jsonb) RETURNS integer
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    u record;
    v_n integer;
BEGIN
    DROP TABLE IF EXISTS pg_temp.baton_import_ruled_out;
    CREATE TEMP TABLE baton_import_ruled_out (line bigint PRIMARY KEY) ON COMMIT DROP;
    FOR u IN SELECT k.kind = 'skip' AS skip,
                    ARRAY(SELECT jsonb_array_elements_text(x -> 'path')) AS path,
                    ARRAY(SELECT lower(btrim(v)) FROM jsonb_array_elements_text(x -> 'values') v) AS vals
             FROM (VALUES ('only'), ('skip')) k(kind),
                  jsonb_array_elements(CASE WHEN p_spec ? k.kind THEN p_spec -> k.kind ELSE '[]' END) x LOOP
        INSERT INTO baton_import_ruled_out
        SELECT r.line FROM baton_import_rows r
        WHERE (coalesce(lower(btrim(r.rec #>> u.path)), '') = ANY (u.vals)) = u.skip
        ON CONFLICT DO NOTHING;
    END LOOP;
    SELECT count(*) INTO v_n FROM baton_import_ruled_out;
    RETURN v_n;
END $$;

-- 071's, with the lines the rules leave out.
CREATE OR REPLACE FUNCTION baton_import_stage(p_spec jsonb, p_entity text) RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp SET enable_mergejoin = off
SET work_mem = '64MB' AS $$
DECLARE
    f record;
    v_def jsonb;
    v_path text[];
    v_get text;
    v_raw text := '';
    v_ext text := '';
    v_typed text := '';
    v_obj text := '';
    v_bad text := 'CASE WHEN w.r_source_id IS NULL THEN ''source_id:missing key'''
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
        v_path := baton_import_path(p_spec, f.field);
        -- Each field is read out of the record once (e), then blank is
        -- missing, then the default (w).
        v_ext := v_ext || format(', r.rec #>> %L::text[] AS %I', v_path, 'e_' || f.field);
        v_get := format('e.%I', 'e_' || f.field);
        v_raw := v_raw || format(', coalesce(CASE WHEN btrim(%1$s) <> '''' THEN %1$s END, %2$L) AS %3$I,'
                                 ' e.rec #> %4$L::text[] AS %5$I',
                                 v_get, v_def ->> 'default', 'r_' || f.field, v_path, 'j_' || f.field);
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
                    format('r.rec #>> %L::text[]', baton_import_path(p_spec, 'source_id')),
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


-- 039's, with the rows the rules leave out counted apart: read, then
-- skipped, and unchanged what is neither written, rejected nor skipped.
DROP FUNCTION baton_import_apply(uuid, jsonb, text[], integer);
CREATE FUNCTION baton_import_apply(p_run uuid, p_spec jsonb, p_shared text[],
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

-- 068's, without the lines the rules left out: nothing of them is stored,
-- so the summary would name them on every run.  (The table of them is
-- there once baton_import_apply has run, empty without rules.)
CREATE OR REPLACE FUNCTION baton_import_replaced() RETURNS TABLE (line bigint, n integer)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM baton_import_check();
    IF to_regclass('pg_temp.baton_import_replaced') IS NULL OR to_regclass('pg_temp.baton_import_rows') IS NULL THEN
        RETURN;
    END IF;
    RETURN QUERY
    SELECT p.line, p.n FROM pg_temp.baton_import_replaced p
    WHERE EXISTS (SELECT 1 FROM pg_temp.baton_import_rows r WHERE r.line = p.line)
      AND NOT EXISTS (SELECT 1 FROM pg_temp.baton_import_reject j WHERE j.line = p.line)
      AND NOT EXISTS (SELECT 1 FROM pg_temp.baton_import_ruled_out o WHERE o.line = p.line)
    ORDER BY p.line;
END $$;

REVOKE ALL ON FUNCTION baton_import_apply(uuid, jsonb, text[], integer),
    baton_import_leave_out(jsonb) FROM PUBLIC;
-- Staff may call it, to be refused in words (010).
GRANT EXECUTE ON FUNCTION baton_import_apply(uuid, jsonb, text[], integer)
    TO baton_importer, baton_staff, baton_admin;
