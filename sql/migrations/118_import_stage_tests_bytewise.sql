-- Baton schema, version 118: the stage tests each value without the text
-- functions that walk it character by character, reads a key by its name
-- and a short list by place (#12, the first import's time).
--
-- In a UTF-8 database, PostgreSQL 15's ltrim and btrim first list every
-- character of the text, substr walks it from its start, and lower()
-- converts it to wide characters under the collation; a LIKE of literal
-- characters, _ and a final % compares bytes, and stops at the first that
-- differs.  perf over the stage's statement for the bench's 1,000,000
-- tickets: a tenth of it in counting UTF-8 characters (pg_utf_mblen and
-- its kin).  Each test below now costs that only where it must, with the
-- same answers:
-- - A line read as a record (117's baton_import_object_line) begins with
--   { after JSON's blanks: a line that begins with { is one, untrimmed;
--   the others are trimmed as before.  Trimming read each line whole:
--   a pass over 1,000,000 lines took 0.64 s where the scan alone takes
--   0.14 s, and now 0.11 s; a JSON Lines file read in the stage passes
--   three times (the stage, the count of its records, its rejects).
-- - A field's text is missing when blank, nothing but spaces
--   (baton_import_given_sql): a text that is not empty and does not begin
--   with a space is not blank; only the others are trimmed.  Nine fields a
--   ticket: 0.4 s at 1,000,000.  (A key read out of a JSON document's
--   record, to skip the records the source has, is trimmed as before.)
-- - A plain ISO time's fields in range (048's baton_import_iso_plain_sql):
--   the shape, checked first, puts a digit in each place that is no
--   separator, so a month 01 to 12 is "place 6 is 0 and place 7 is not 0,
--   or place 6 is 1 and place 7 is 0, 1 or 2", each place a LIKE
--   (baton_import_place_sql), where substr() cut the digits out and
--   compared them: 0.5 us a time, two a ticket.
-- - An enum field without a map (092's baton_import_enum_sql) takes a
--   value written as Baton writes it at once; only the others are lowered
--   and trimmed (a ticket's priority).
-- - A path of one key is read by the key (->>), not as a path (#>>), and
--   the first value of a short list that maps (a ticket's category from its
--   tags) by place, not as a set (a subplan a row).
-- - A record whose every field has a value is not stripped of nulls.
-- Measured: the stage's statement over the bench's 1,000,000 tickets,
-- twice each way in alternation, 12.5 and 12.8 s before, 10.8 and 11.2 s
-- with the tests by bytes, 10.2 and 10.0 s with the keys and the tags too;
-- then 0.2-0.35 s less without stripping (9.4 against 9.1-9.2 s in a
-- later pair of rounds); the same staged rows (values, digests, rejects)
-- each time.
-- 117's baton_import_stage is restated for its blank test (both of its
-- spellings) and its nulls, 092's baton_import_field_sql for the tags;
-- otherwise as they were.

-- 117's: a line that begins with { is taken as it is.
CREATE OR REPLACE FUNCTION baton_import_object_line(p text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT p IS NULL OR p LIKE '{%' OR ltrim(p, E' \t\r\n') LIKE '{%'
$$;

-- The expression p_expr as a field's text: blank (nothing but spaces) is
-- missing, and then p_default is.  A column's value (p_column) is trimmed
-- only when empty or beginning with a space (otherwise it is not blank);
-- any other expression (a read out of a record) is trimmed, as it was, so
-- that it is read twice and not four times.
CREATE FUNCTION baton_import_given_sql(p_expr text, p_default text, p_column boolean) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN p_column
                THEN format('coalesce(CASE WHEN %1$s <> '''' AND (%1$s NOT LIKE '' %%'' OR btrim(%1$s) <> '''')'
                            ' THEN %1$s END, %2$L)', p_expr, p_default)
                ELSE format('coalesce(CASE WHEN btrim(%1$s) <> '''' THEN %1$s END, %2$L)', p_expr, p_default) END
$$;
REVOKE ALL ON FUNCTION baton_import_given_sql(text, text, boolean) FROM PUBLIC;

-- A condition over the text p_expr: its character at p_place (from 1) is
-- one of p_digits.
CREATE FUNCTION baton_import_place_sql(p_expr text, p_place integer, p_digits text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT '(' || string_agg(format('%s LIKE %L', p_expr, repeat('_', p_place - 1) || d || '%'), ' OR '
                             ORDER BY d) || ')'
    FROM regexp_split_to_table(p_digits, '') d
$$;
REVOKE ALL ON FUNCTION baton_import_place_sql(text, integer, text) FROM PUBLIC;

-- 048's, its ranges by place.  What the shapes leave out (a separator
-- more, a character that is no digit in a digit's place) is as before.
CREATE OR REPLACE FUNCTION baton_import_iso_plain_sql(p_expr text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT format('(%1$s ~ ''^[-0-9T: Z]+$'' AND (', p_expr)
        || (SELECT string_agg(format('%s LIKE %L', p_expr, s.shape)
                              || (SELECT string_agg(format(' AND %s NOT LIKE %L', p_expr,
                                          '%' || repeat(c.sep || '%',
                                              length(s.shape) - length(replace(s.shape, c.sep, '')) + 1)), ''
                                                    ORDER BY c.k)
                                  FROM unnest(ARRAY['-', 'T', ':', ' ', 'Z']) WITH ORDINALITY c(sep, k)),
                              ' OR ' ORDER BY s.k)
            FROM unnest(ARRAY['____-__-__', '____-__-__ __:__', '____-__-__T__:__',
                              '____-__-__ __:__:__', '____-__-__T__:__:__', '____-__-__T__:__:__Z'])
                 WITH ORDINALITY s(shape, k))
        -- The year not 0000; the month 01 to 12; the day 01 to 28.
        || format(') AND %s NOT LIKE ''0000%%''', p_expr)
        || format(' AND (%s AND NOT %s OR %s AND %s)',
                  baton_import_place_sql(p_expr, 6, '0'), baton_import_place_sql(p_expr, 7, '0'),
                  baton_import_place_sql(p_expr, 6, '1'), baton_import_place_sql(p_expr, 7, '012'))
        || format(' AND (%s AND NOT %s OR %s OR %s AND NOT %s)',
                  baton_import_place_sql(p_expr, 9, '0'), baton_import_place_sql(p_expr, 10, '0'),
                  baton_import_place_sql(p_expr, 9, '1'),
                  baton_import_place_sql(p_expr, 9, '2'), baton_import_place_sql(p_expr, 10, '9'))
        -- A date alone is ten characters; a time's hour is 00 to 23, its
        -- minute 00 to 59, and its second, when it has one (19
        -- characters or more), 00 to 59.
        || format(' AND (%s LIKE ''__________'' OR (%s OR %s AND %s) AND %s)', p_expr,
                  baton_import_place_sql(p_expr, 12, '01'), baton_import_place_sql(p_expr, 12, '2'),
                  baton_import_place_sql(p_expr, 13, '0123'), baton_import_place_sql(p_expr, 15, '012345'))
        || format(' AND (%s NOT LIKE ''___________________%%'' OR %s))', p_expr,
                  baton_import_place_sql(p_expr, 18, '012345'))
$$;

-- 092's: a value as Baton writes it (one of p_allowed that is its own
-- lower case, untrimmed) is taken at once.
CREATE OR REPLACE FUNCTION baton_import_enum_sql(p_raw text, p_map jsonb, p_allowed text[]) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN p_map IS NOT NULL THEN baton_import_map_sql(p_raw, p_map)
        ELSE format('CASE WHEN %1$s = ANY (%3$L::text[]) THEN %1$s'
                    ' WHEN lower(btrim(%1$s)) = ANY (%2$L::text[]) THEN lower(btrim(%1$s)) END',
                    p_raw, p_allowed, ARRAY(SELECT a FROM unnest(p_allowed) a WHERE a = lower(btrim(a)))) END
$$;

-- 094's: a path of one key is read by it (->>, ->), not as a path
-- (#>>, #>, which take the path's array apart for each record): 0.2 s of
-- the stage at 1,000,000 tickets, nine fields each.  A record is an object.
CREATE OR REPLACE FUNCTION baton_import_read_sql(p_rec text, p_spec jsonb, p_field text, p_json boolean)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN baton_import_jsonpath(p_spec -> 'fields' -> p_field -> 'path') IS NOT NULL
                THEN format('jsonb_path_query_first(%s, %L::jsonpath, ''{}'', true)%s', p_rec,
                            baton_import_jsonpath(p_spec -> 'fields' -> p_field -> 'path'),
                            CASE WHEN p_json THEN '' ELSE ' #>> ''{}''' END)
                WHEN cardinality(baton_import_path(p_spec, p_field)) = 1
                THEN format('%s %s %L', p_rec, CASE WHEN p_json THEN '->' ELSE '->>' END,
                            (baton_import_path(p_spec, p_field))[1])
                ELSE format('%s %s %L::text[]', p_rec, CASE WHEN p_json THEN '#>' ELSE '#>>' END,
                            baton_import_path(p_spec, p_field)) END
$$;

-- 092's, restated whole for the first value of a list that maps (kind
-- "first": a ticket's category from its tags): a list of three values or
-- fewer is read by place, 0.4-0.8 s of the stage at 1,000,000 tickets.
-- Otherwise as it was.
CREATE OR REPLACE FUNCTION baton_import_field_sql(p_field text, p_kind text, p_allowed text[], p_def jsonb,
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
        -- The default stands where the record has none, before the map: the
        -- map takes it to itself unless the source has a value of that name.
        IF m IS NOT NULL AND p_def ? 'default' AND NOT m ? (p_def ->> 'default') THEN
            m := m || jsonb_build_object(p_def ->> 'default', p_def ->> 'default');
        END IF;
        val := baton_import_enum_sql(r, m, p_allowed);
        chk := format('CASE WHEN w.%I IS NOT NULL AND %s IS NULL THEN %s END', 'r_' || p_field, t,
            CASE WHEN m IS NOT NULL THEN format('format(%L, w.%I)', p_field || ':value "%s" is not in the map',
                                                'r_' || p_field)
                 ELSE format('format(%L, w.%I)', p_field || ':"%s" is not one of '
                             || replace(array_to_string(p_allowed, ', '), '%', '%%'), 'r_' || p_field) END);
    WHEN 'first' THEN
        -- A list of three values or fewer (a ticket's tags, mostly) is read
        -- by place (118): a list's values as a set cost a subplan a row.
        val := format('coalesce(CASE WHEN CASE WHEN jsonb_typeof(%2$s) = ''array'''
                      ' THEN jsonb_array_length(%2$s) <= 3 ELSE false END THEN coalesce(%4$s, %5$s, %6$s)'
                      ' ELSE (SELECT %1$s FROM jsonb_array_elements_text(CASE jsonb_typeof(%2$s)'
                      ' WHEN ''array'' THEN %2$s WHEN ''string'' THEN'
                      ' to_jsonb(regexp_split_to_array(%2$s #>> ''{}'', ''[,;[:space:]]+'')) END)'
                      ' WITH ORDINALITY a(e, i) WHERE %1$s IS NOT NULL ORDER BY a.i LIMIT 1) END, %3$L)',
                      baton_import_enum_sql('a.e', m, p_allowed), j, p_def ->> 'default',
                      baton_import_enum_sql(format('(%s ->> 0)', j), m, p_allowed),
                      baton_import_enum_sql(format('(%s ->> 1)', j), m, p_allowed),
                      baton_import_enum_sql(format('(%s ->> 2)', j), m, p_allowed));
    WHEN 'int' THEN
        -- A number the map has not is that number, as the check held.
        x := CASE WHEN m IS NULL THEN r ELSE format('coalesce(%s, %s)', baton_import_map_sql(r, m), r) END;
        val := format('CASE WHEN %1$s ~ ''^-?[0-9]{1,9}$'' THEN %1$s::integer END', x);
        chk := format('CASE WHEN %1$s IS NOT NULL AND NOT %2$s ~ ''^-?[0-9]{1,9}$'''
                      ' THEN %3$L || '':"'' || %1$s || %4$L END', r, x,
                      p_field, CASE WHEN m IS NULL THEN '" is not a whole number' ELSE '" is not in the map' END);
    WHEN 'date', 'time' THEN
        val := baton_import_time_sql(r, fmt) || CASE WHEN p_kind = 'date' THEN '::date' ELSE '' END;
        chk := format('CASE WHEN %s IS NOT NULL AND %s IS NULL THEN format(%L, %1$s) END', r, t,
                      p_field || ':"%s" is not a date and time (' || replace(coalesce(fmt, 'iso'), '%', '%%') || ')');
    WHEN 'domains' THEN
        val := format('baton_import_domains(%s)', j);
    WHEN 'email' THEN
        val := format('baton_import_addr(%s)', r);
        chk := format('CASE WHEN baton_norm_domain(%1$s) IS NULL THEN %2$L || '':"'' || %1$s'
                      ' || ''" is not an e-mail address or a domain'' END', r, p_field);
    WHEN 'staff' THEN
        -- A person by the map, or by their role name; someone unknown is no one.
        val := format('(SELECT s.role_name FROM staff s WHERE s.role_name::text = coalesce(%s, %s))',
                      CASE WHEN m IS NULL THEN 'NULL' ELSE baton_import_map_sql(r, m) END, r);
    ELSE
        val := r;
    END CASE;
END $$;


-- 117's, its blank test baton_import_given_sql's.
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
    -- Whether every field mapped has a value (118).
    v_all text := 'true';
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
        v_raw := v_raw || format(', %s AS %I, %s AS %I',
                                 baton_import_given_sql(v_get, v_def ->> 'default', true), 'r_' || f.field,
                                 baton_import_read_sql('e.rec', p_spec, f.field, true), 'j_' || f.field);
        v_sql := baton_import_field_sql(f.field, f.kind, f.allowed, v_def);
        v_typed := v_typed || format(', %s AS %I', v_sql.val, 'v_' || f.field);
        IF (p_spec -> 'fields') ? f.field THEN
            v_obj := v_obj || format(', %L, t.%I', f.field, 'v_' || f.field);
            v_all := v_all || format(' AND t.%I IS NOT NULL', 'v_' || f.field);
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
    v_key := baton_import_given_sql(baton_import_read_sql('r.rec', p_spec, 'source_id', false),
                                    p_spec -> 'fields' -> 'source_id' ->> 'default', false);
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
        -- A record whose every field has a value has no null to strip
        -- (the values are scalars and lists, no objects): 0.2-0.35 s at
        -- 1,000,000 tickets (118).
        ' CASE WHEN ' || v_all || ' THEN jsonb_build_object(' || substr(v_obj, 3) || ')'
        ' ELSE jsonb_strip_nulls(jsonb_build_object(' || substr(v_obj, 3) || ')) END AS v,'
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

