-- Baton schema, version 117: a JSON Lines file's records are read where
-- they are staged, not written to a table of their own first (#12, the
-- first import's time).
--
-- baton_import_records parsed every line of a JSON Lines file into
-- baton_import_rows (line, record as jsonb, the line's hash), which the
-- stage then read once.  At the bench's 1,000,000 tickets that table is
-- 340 MB, written through the session's 8 MB of temporary buffers and
-- read back: 2.3-4.7 s for the statement (pg_stat_statements, five runs),
-- where parsing and hashing the same lines without writing them took
-- 1.8 s.  When no rule reads the records before the stage (a rule's
-- "only" or "skip" does, in baton_import_leave_out), there is now no such
-- table: the stage parses and hashes each line in the statement that
-- converts it.
-- - A line that is no JSON object begins with something else than {
--   (JSON's blanks aside): those few are parsed at once and rejected, as
--   before.
-- - A line whose text jsonb refuses (no JSON, a \u0000, a number beyond
--   numeric, nesting too deep) fails the stage's statement with one of
--   jsonb's input errors (any other error is the statement's own, and
--   stops the file).  Then the lines are read one by one into
--   baton_import_rows (baton_import_rows_made: the bad ones
--   rejected, with the reasons of 068's slow path), and the statement is
--   made again, as a file with such a line was read before, plus the
--   failed statement.
-- The counts, rejects and digests are the same.
-- Measured, the bench's 1,000,000 tickets onto copies of one database
-- holding its organisations and contacts, ten runs each way: the
-- records' INSERT (2.3-2.5 s) is gone, the stage's statement went from
-- 9.3-9.6 s to 11.7-12.3 s (the parsing is there now), and linking, which
-- follows it, from 4.8-8.4 s to 3.4-4.6 s; the file, median 38.6 s, now
-- 38.3 s.  In the whole bench, after the organisations and contacts:
-- tickets 39.6 and 40.0 s before, 36.7-38.9 s (three runs) after.
-- The SQL of a line's hash is spelled once, baton_import_hash_sql, for
-- baton_import_records, the stage and baton_import_rows_made (it was
-- baton_import_records' own, with the seed as each statement's $1).
-- Otherwise 110's baton_import_records and baton_import_apply, and 111's
-- baton_import_stage, unchanged.

-- A line read as a record: a JSON text that is an object, one beginning
-- with { after JSON's blanks; or no text at all (NULL: a record of
-- nothing, rejected as one without a key, as it was before 117).
CREATE FUNCTION baton_import_object_line(p text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT p IS NULL OR ltrim(p, E' \t\r\n') LIKE '{%'
$$;
REVOKE ALL ON FUNCTION baton_import_object_line(text) FROM PUBLIC;

-- The SQL of a line's hash (p_text, the SQL of its text over the line q,
-- baton_import_staged_hash's), the seed written in: a record's digest
-- ends with it, however the line was read.
CREATE FUNCTION baton_import_hash_sql(p_text text, p_seed bigint) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN p_text IS NOT NULL
                THEN 'lpad(to_hex(hashtextextended(' || p_text || ', ' || p_seed || ')), 16, ''0'')'
                ELSE 'NULL::text' END
$$;
REVOKE ALL ON FUNCTION baton_import_hash_sql(text, bigint) FROM PUBLIC;

DROP FUNCTION baton_import_records(text, text, text, bigint);
CREATE FUNCTION baton_import_records(p_format text, p_array text, p_text text, p_seed bigint,
                                     p_lazy boolean) RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    v_names text[];
    v_cols text;
    v_doc jsonb;
    v_mark text;
    v_slow boolean := false;
    -- The hash of each line's text (p_text, the SQL of it over the line q,
    -- seeded by p_seed; baton_import_staged_hash), for the record's digest:
    -- computed as the line is read, where baton_import_stage joined the
    -- lines again to hash them (110).  None for a JSON document's records.
    -- (The SQL of it, the seed written in: baton_import_hash_sql, as the
    -- stage and baton_import_rows_made hash the lines, 117.)
    v_dg text := baton_import_hash_sql(p_text, p_seed);
BEGIN
    -- Made by the slow paths that replace (none: nothing was).
    DROP TABLE IF EXISTS pg_temp.baton_import_replaced;
    IF p_format = 'jsonl' AND p_lazy THEN
        -- Nothing reads a JSON Lines file's records before the stage (no
        -- rule leaves lines out): the stage reads them from the lines, and
        -- there is no baton_import_rows (117).  The few lines that are no
        -- object are read here, and rejected; should one of them be no
        -- JSON, the lines are read as below.
        BEGIN
            INSERT INTO baton_import_reject (line, field, reason)
            SELECT q.line, '', 'not a JSON object' FROM pg_temp.baton_import_raw q
            WHERE NOT baton_import_object_line(q.raw) AND jsonb_typeof(q.raw::jsonb) IS NOT NULL;
            RETURN;
        EXCEPTION WHEN OTHERS THEN
            NULL;
        END;
    END IF;
    CREATE TEMP TABLE baton_import_rows (line bigint, rec jsonb, raw_digest text) ON COMMIT DROP;
    IF p_format = 'csv' THEN
        SELECT string_agg('c' || i, ', ' ORDER BY i) INTO v_cols
        FROM generate_series(1, (SELECT count(*)::integer - 1 FROM pg_attribute a
            WHERE a.attrelid = 'pg_temp.baton_import_raw'::regclass AND a.attnum > 0
              AND NOT a.attisdropped)) i;
        EXECUTE 'SELECT ARRAY[' || v_cols || '] FROM pg_temp.baton_import_raw WHERE line = 0'
            INTO v_names;
        CREATE TEMP TABLE baton_import_header ON COMMIT DROP AS
        SELECT u.i, coalesce(u.n, '') AS name FROM unnest(v_names) WITH ORDINALITY u(n, i);
        IF v_names IS NULL THEN
            RETURN;
        END IF;
        EXECUTE 'INSERT INTO baton_import_rows SELECT q.line, jsonb_object($1, ARRAY[' || v_cols
            || ']), ' || v_dg || ' FROM pg_temp.baton_import_raw q WHERE q.line > 0'
            USING (SELECT array_agg(coalesce(n, '') ORDER BY i) FROM unnest(v_names) WITH ORDINALITY u(n, i));
    ELSIF p_format = 'jsonl' THEN
        BEGIN
            EXECUTE 'INSERT INTO baton_import_rows SELECT q.line, q.raw::jsonb, ' || v_dg
                || ' FROM pg_temp.baton_import_raw q';
        EXCEPTION WHEN OTHERS THEN
            -- One bad line: each line on its own, the bad ones rejected;
            -- then the hashes of those read.
            PERFORM baton_import_jsonl_slowly();
            EXECUTE 'UPDATE baton_import_rows r SET raw_digest = ' || v_dg
                || ' FROM pg_temp.baton_import_raw q WHERE q.line = r.line';
        END;
    ELSE
        -- Line 0: the character the client wrote for each byte that is
        -- not UTF-8 (none: the document is UTF-8).
        SELECT w.raw INTO v_mark FROM pg_temp.baton_import_raw w WHERE w.line = 0;
        IF v_mark IS NOT NULL AND (length(v_mark) <> 1 OR ascii(v_mark) NOT BETWEEN 64976 AND 65007) THEN
            RAISE EXCEPTION 'line 0 of a JSON document is one character from U+FDD0 to U+FDEF'
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        BEGIN
            SELECT w.raw::jsonb INTO v_doc FROM pg_temp.baton_import_raw w WHERE w.line = 1;
        EXCEPTION WHEN OTHERS THEN
            -- A character jsonb cannot hold, or no JSON: record by record.
            PERFORM baton_import_json_slowly(p_array, v_mark);
            v_slow := true;
        END;
        IF NOT v_slow THEN
            IF coalesce(p_array, '') <> '' THEN
                v_doc := v_doc -> p_array;
            END IF;
            IF jsonb_typeof(v_doc) IS DISTINCT FROM 'array' THEN
                RAISE EXCEPTION 'the JSON document has no array under "%"', coalesce(p_array, '')
                    USING ERRCODE = 'invalid_parameter_value';
            END IF;
            INSERT INTO baton_import_rows SELECT i, e FROM jsonb_array_elements(v_doc) WITH ORDINALITY a(e, i);
        END IF;
        IF v_mark IS NOT NULL THEN
            WITH bad AS (
                DELETE FROM baton_import_rows r WHERE strpos(r.rec::text, v_mark) > 0 RETURNING r.line, r.rec)
            INSERT INTO baton_import_reject (line, field, reason, raw)
            SELECT b.line, '', 'not valid UTF-8 text', replace(b.rec::text, v_mark, U&'\FFFD') FROM bad b;
            UPDATE baton_import_reject j SET reason = 'not valid UTF-8 text',
                raw = replace(j.raw, v_mark, U&'\FFFD') WHERE strpos(j.raw, v_mark) > 0;
        END IF;
    END IF;
    INSERT INTO baton_import_reject (line, field, reason)
    SELECT line, '', 'not a JSON object' FROM baton_import_rows WHERE jsonb_typeof(rec) <> 'object';
    DELETE FROM baton_import_rows WHERE jsonb_typeof(rec) <> 'object';
    ANALYZE baton_import_rows;
END $$;
REVOKE ALL ON FUNCTION baton_import_records(text, text, text, bigint, boolean) FROM PUBLIC;

-- A JSON Lines file's records read one by one into baton_import_rows, the
-- bad ones rejected, when the stage, reading them from the lines, met a
-- line jsonb refuses (117); each hashed as baton_import_records does.
CREATE FUNCTION baton_import_rows_made(p_text text, p_seed bigint) RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    r record;
BEGIN
    CREATE TEMP TABLE baton_import_rows (line bigint, rec jsonb, raw_digest text) ON COMMIT DROP;
    CREATE TEMP TABLE IF NOT EXISTS baton_import_replaced (line bigint, n integer) ON COMMIT DROP;
    FOR r IN SELECT q.line, q.raw FROM pg_temp.baton_import_raw q
             WHERE baton_import_object_line(q.raw) ORDER BY q.line LOOP
        PERFORM baton_import_record_text(r.line, r.raw, 'not valid JSON: ', NULL);
    END LOOP;
    EXECUTE 'UPDATE baton_import_rows r SET raw_digest = ' || baton_import_hash_sql(p_text, p_seed)
        || ' FROM pg_temp.baton_import_raw q WHERE q.line = r.line';
    ANALYZE baton_import_rows;
END $$;
REVOKE ALL ON FUNCTION baton_import_rows_made(text, bigint) FROM PUBLIC;

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
    v_text text;
    v_seed bigint;
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
    -- Each line's hash as it is read (110).
    SELECT h.text_sql, h.seed INTO v_text, v_seed FROM baton_import_staged_hash(p_spec, 'q') h;
    -- A JSON Lines file's records are read in the stage, unless a rule
    -- reads them first (117): then its lines that are objects are its
    -- records.
    PERFORM baton_import_records(p_spec ->> 'format', p_spec ->> 'array', v_text, v_seed,
                                 NOT (p_spec ? 'only' OR p_spec ? 'skip'));
    IF to_regclass('pg_temp.baton_import_rows') IS NULL THEN
        SELECT count(*) INTO v_read FROM pg_temp.baton_import_raw q WHERE baton_import_object_line(q.raw);
    ELSE
        SELECT count(*) INTO v_read FROM baton_import_rows;
    END IF;
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
    v_make text;
    v_lazy boolean;
    v_from text := 'pg_temp.baton_import_rows';
    v_text text;
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
    -- A digest is two: a hash of the values (128 bits: hashtextextended of
    -- their text under two seeds, 111; md5 of it before, which took 1.2 s
    -- of the stage at 1,000,000 tickets where these take 0.6) and the hash
    -- of the record as it came under this mapping.  A record the source already has with
    -- the same text is unchanged: skipped here, before any conversion (not
    -- when its key is in the file twice: its newest line counts, 071).
    v_key := format('coalesce(CASE WHEN btrim(%1$s) <> '''' THEN %1$s END, %2$L)',
                    baton_import_read_sql('r.rec', p_spec, 'source_id', false),
                    p_spec -> 'fields' -> 'source_id' ->> 'default');
    -- (A source's first file has nothing to skip; JSON Lines were skipped
    -- by their text before they were parsed: baton_import_skip.)
    IF p_spec ->> 'format' IN ('jsonl', 'csv') THEN
        -- Each line hashed as it was read (110).
        v_dg := 'r.raw_digest';
    ELSIF v_src IS NOT NULL AND EXISTS (SELECT 1 FROM import_record i WHERE i.source = v_src) THEN
        PERFORM baton_import_same_lines(v_src, v_key, v_seed);
    END IF;
    -- OFFSET 0 keeps each layer a layer: its columns are computed once a row
    -- rather than copied into every expression that reads them (x's too:
    -- the values, v, are read twice above it; e's, as w reads each field
    -- twice).
    -- The records: a JSON Lines file's read here from its lines when
    -- nothing read them before (117; baton_import_records), each line
    -- hashed as baton_import_records does.  A line jsonb refuses fails the
    -- statement: then they are read one by one (baton_import_rows_made),
    -- the bad ones rejected, and the statement is made again.
    v_lazy := p_spec ->> 'format' = 'jsonl' AND to_regclass('pg_temp.baton_import_rows') IS NULL;
    IF v_lazy THEN
        SELECT h.text_sql, h.seed INTO v_text, v_hseed FROM baton_import_staged_hash(p_spec, 'q') h;
        v_from := '(SELECT q.line, q.raw::jsonb AS rec, ' || baton_import_hash_sql(v_text, v_hseed)
                  || ' AS raw_digest FROM pg_temp.baton_import_raw q'
                  || ' WHERE baton_import_object_line(q.raw) OFFSET 0)';
    END IF;
    v_make := 'CREATE TEMP TABLE baton_import_s ON COMMIT DROP AS'
        ' SELECT line, v, lpad(to_hex(hashtextextended(vt, 111)), 16, ''0'')'
        ' || lpad(to_hex(hashtextextended(vt, 1111)), 16, ''0'') || raw_digest AS digest, bad, left_out'
        ' FROM (SELECT x.*, x.v::text AS vt FROM'
        ' (SELECT w.line, w.raw_digest, w.left_out,'
        ' jsonb_strip_nulls(jsonb_build_object(' || substr(v_obj, 3) || ')) AS v,'
        ' coalesce(' || v_bad || ') AS bad'
        ' FROM (SELECT e.line, e.raw_digest, e.left_out' || v_raw
        || ' FROM (SELECT r.line, r.rec, ' || v_dg || ' AS raw_digest, '
        || CASE WHEN v_left THEN 'r.line IN (SELECT l.line FROM pg_temp.baton_import_ruled_out l)' ELSE 'false' END
        || ' AS left_out' || v_ext
        || ' FROM ' || v_from || ' r'
        || ' OFFSET 0) e OFFSET 0) w,'
        ' LATERAL (SELECT 1 AS one' || v_typed || ' OFFSET 0) t OFFSET 0) x OFFSET 0) y';
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
    WITH d AS (DELETE FROM baton_import_s s USING import_record i
               WHERE i.source = v_src AND i.source_id = s.v ->> 'source_id'
                 AND (left(i.digest, 32) = left(s.digest, 32) OR left(i.digest, 32) = md5(s.v::text))
               RETURNING s.v ->> 'source_id' AS sid, s.digest)
    UPDATE import_record i SET digest = d.digest FROM d
    WHERE i.source = v_src AND i.source_id = d.sid AND i.digest <> d.digest;
    ANALYZE baton_import_s;
END $$;
