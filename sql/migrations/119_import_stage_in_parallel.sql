-- Baton schema, version 119: a large file is staged by parallel workers
-- (#12, the first import's time).
--
-- The stage's statement parses, checks and converts each line on one
-- core: 13.3-14.0 s for the bench's 1,000,000 tickets on a 2-core machine
-- whose second core idles meanwhile.  PostgreSQL runs a scan and the
-- expressions above it in parallel workers when nothing in the plan
-- forbids it; three things did:
-- - the lines (a JSON Lines file's, 117) or the records read before the
--   stage (a CSV file's, a JSON document's, any file a rule reads) are in
--   a temporary table, which only its session reads: past the size at
--   which PostgreSQL scans a table in parallel
--   (min_parallel_table_scan_size), they are copied into an unlogged
--   table made and dropped in the import's transaction (0.6 s at
--   1,000,000 lines), with whether a rule leaves each record out (those
--   lines are in a temporary table too); no other session sees it, and a
--   transaction that fails takes it away;
-- - each layer of the statement ended in OFFSET 0, so that the planner
--   computes it once a row rather than merging it into the expressions
--   above: a plan with a LIMIT or OFFSET below its top runs in the
--   leader alone.  A volatile column (clock_timestamp()) keeps a layer a
--   layer as well, and can run in a worker;
-- - the typed values were a LATERAL subquery for each row of w, and the
--   first value of a list that maps (a ticket's category from its tags) a
--   subquery of its own when the list is longer than three: both are
--   parameters from the row, which PostgreSQL 15 does not give workers.
--   The typed values are now a layer over w, and in a statement for
--   workers a long list is read by baton_import_first_mapped (elsewhere
--   by the subquery still, 3 us a row cheaper).
-- Measured on the bench's 1,000,000 tickets, the statement alone in
-- psql, twice each way: 13.5 and 14.0 s as 118 spells it, 13.5 and 13.9 s
-- without OFFSET 0 on one core, 7.6 and 7.0 s with two workers; in the
-- import, 6.95 s.  The tickets file onto a copy of one database holding
-- the organisations and contacts: 42.3-44.6 s before, 36.7-38.8 s after.
-- The organisations' and contacts' stages (CSV, 100,000 and 300,000
-- records) are parallel too: 1.11 s to 0.73 s, 3.05 s to 1.91 s (the
-- function, with its copy).  The whole bench, three rounds alternating
-- with 118 on one machine: 64.4-68.1 s against 74.3-76.1 s.
-- The same staged rows; smaller files are staged as before, without a
-- copy; a plan PostgreSQL keeps in the leader (a field read through a
-- function not marked parallel safe, a staff member looked up) stages as
-- before after the copy (0.6 s at 1,000,000 lines, then spent for
-- nothing).
-- 092's baton_import_map_sql now takes its folded map from
-- baton_import_map_folded; 118's baton_import_field_sql is restated with a
-- parameter more (dropped and made again), and its baton_import_stage;
-- otherwise as they were.

-- A map's keys folded (lower case, trimmed), each to the value its
-- spellings agree on (092's, now a function of its own).
CREATE FUNCTION baton_import_map_folded(p_map jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(jsonb_object_agg(f.k, f.v), '{}')
    FROM (SELECT lower(btrim(e.key)) AS k, min(e.value) AS v FROM jsonb_each_text(p_map) e
          GROUP BY 1 HAVING count(DISTINCT e.value) = 1) f
$$;
REVOKE ALL ON FUNCTION baton_import_map_folded(jsonb) FROM PUBLIC;

CREATE OR REPLACE FUNCTION baton_import_map_sql(p_raw text, p_map jsonb) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT format('coalesce(%L::jsonb ->> %s, %L::jsonb ->> lower(btrim(%2$s)))', p_map, p_raw,
                  baton_import_map_folded(p_map))
$$;

-- The first value of a list (a JSON array, or a string of values between
-- commas, semicolons and blanks) that maps: by p_exact as it is written,
-- else by p_folded lowered and trimmed.  An enum's value with a map is
-- coalesce(map ->> v, folded ->> lower(btrim(v))) (baton_import_map_sql);
-- without one, Baton's values that are their own lower case as written,
-- else any of them lowered and trimmed (baton_import_enum_sql): the same
-- two lookups, which baton_import_field_sql passes.
CREATE FUNCTION baton_import_first_mapped(p_list jsonb, p_exact jsonb, p_folded jsonb) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(p_exact ->> a.e, p_folded ->> lower(btrim(a.e)))
    FROM jsonb_array_elements_text(CASE jsonb_typeof(p_list) WHEN 'array' THEN p_list
             WHEN 'string' THEN to_jsonb(regexp_split_to_array(p_list #>> '{}', '[,;[:space:]]+')) END)
         WITH ORDINALITY a(e, i)
    WHERE coalesce(p_exact ->> a.e, p_folded ->> lower(btrim(a.e))) IS NOT NULL
    ORDER BY a.i LIMIT 1
$$;
REVOKE ALL ON FUNCTION baton_import_first_mapped(jsonb, jsonb, jsonb) FROM PUBLIC;

-- 118's, restated whole for the first value of a list that maps (kind
-- "first"), with p_parallel: for a statement that parallel workers are to
-- run, a list of more than three values is read by
-- baton_import_first_mapped, not by a subquery of its own, which only the
-- leader runs.  Otherwise by the subquery, as before: the function, a SQL
-- function's executor a call, costs 3 us a row more (a review's
-- measure: 200,000 lists of five tags, 1.03 s against 0.45 s).  Otherwise
-- as it was.
DROP FUNCTION baton_import_field_sql(text, text, text[], jsonb);
CREATE FUNCTION baton_import_field_sql(p_field text, p_kind text, p_allowed text[], p_def jsonb,
                                       p_parallel boolean DEFAULT false, OUT val text, OUT chk text)
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
        -- A longer one, or a string of tags, as a set; in a statement for
        -- parallel workers by baton_import_first_mapped (119), whose maps
        -- are the enum's: the map as given and folded, or Baton's values
        -- as it writes them and all of them.
        val := format('coalesce(CASE WHEN CASE WHEN jsonb_typeof(%1$s) = ''array'''
                      ' THEN jsonb_array_length(%1$s) <= 3 ELSE false END THEN coalesce(%3$s, %4$s, %5$s)'
                      ' ELSE %6$s END, %2$L)',
                      j, p_def ->> 'default',
                      baton_import_enum_sql(format('(%s ->> 0)', j), m, p_allowed),
                      baton_import_enum_sql(format('(%s ->> 1)', j), m, p_allowed),
                      baton_import_enum_sql(format('(%s ->> 2)', j), m, p_allowed),
                      CASE WHEN p_parallel THEN
                          format('baton_import_first_mapped(%s, %L::jsonb, %L::jsonb)', j,
                                 CASE WHEN m IS NOT NULL THEN m
                                      ELSE (SELECT jsonb_object_agg(a, a) FROM unnest(p_allowed) a
                                            WHERE a = lower(btrim(a))) END,
                                 CASE WHEN m IS NOT NULL THEN baton_import_map_folded(m)
                                      ELSE (SELECT jsonb_object_agg(a, a) FROM unnest(p_allowed) a
                                            WHERE a IS NOT NULL) END)
                      ELSE format('(SELECT %1$s FROM jsonb_array_elements_text(CASE jsonb_typeof(%2$s)'
                                  ' WHEN ''array'' THEN %2$s WHEN ''string'' THEN'
                                  ' to_jsonb(regexp_split_to_array(%2$s #>> ''{}'', ''[,;[:space:]]+'')) END)'
                                  ' WITH ORDINALITY a(e, i) WHERE %1$s IS NOT NULL ORDER BY a.i LIMIT 1)',
                                  baton_import_enum_sql('a.e', m, p_allowed), j) END);
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

-- 118's, restated: its layers kept by a volatile column, its typed values
-- a layer, a large file's lines copied where parallel workers read them.
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
    -- The typed values as the layer t shows them (119).
    v_tcols text := '';
    -- Whether a rule leaves the record r out (119: once, for the copy
    -- too).
    v_out text := CASE WHEN v_left THEN 'r.line IN (SELECT l.line FROM pg_temp.baton_import_ruled_out l)'
                       ELSE 'false' END;
    -- The records: a JSON Lines file's read here from its lines when
    -- nothing read them before (117; baton_import_records), each line
    -- hashed as baton_import_records does.  A line jsonb refuses fails the
    -- statement: then they are read one by one (baton_import_rows_made),
    -- the bad ones rejected, and the statement is made again.
    v_lazy boolean := p_spec ->> 'format' = 'jsonl' AND to_regclass('pg_temp.baton_import_rows') IS NULL;
    -- Parallel workers cannot read a temporary table: lines or records
    -- past the size at which PostgreSQL scans a table in parallel are
    -- copied into a table of this transaction, unlogged, which no other
    -- session sees, and which is dropped after the statement or with the
    -- transaction (119).  (The stage runs as baton_import_apply's owner,
    -- who may create tables; the name is the session's.)
    v_parallel boolean := CASE WHEN current_setting('max_parallel_workers_per_gather')::integer > 0
        THEN pg_relation_size(CASE WHEN v_lazy THEN 'pg_temp.baton_import_raw'
                                   ELSE 'pg_temp.baton_import_rows' END::regclass)
             >= pg_size_bytes(current_setting('min_parallel_table_scan_size')) ELSE false END;
    v_par text;
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
        v_sql := baton_import_field_sql(f.field, f.kind, f.allowed, v_def, v_parallel);
        v_typed := v_typed || format(', %s AS %I', v_sql.val, 'v_' || f.field);
        v_tcols := v_tcols || format(', w.%1$I AS %1$I', 'v_' || f.field);
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
    -- The copy: a JSON Lines file's lines, or the records read before,
    -- with whether a rule leaves each out (the rule's lines are in a
    -- temporary table too), which the stage then reads from it.
    IF v_parallel THEN
        v_par := format('public.%I', 'baton_import_par_' || pg_backend_pid());
        EXECUTE format('CREATE UNLOGGED TABLE %s AS SELECT %s', v_par,
                       CASE WHEN v_lazy THEN 'r.line, r.raw FROM pg_temp.baton_import_raw r'
                            ELSE 'r.*, ' || v_out || ' AS left_out FROM pg_temp.baton_import_rows r' END);
        IF NOT v_lazy THEN
            v_out := 'r.left_out';
        END IF;
    END IF;
    IF v_lazy THEN
        SELECT h.text_sql, h.seed INTO v_text, v_hseed FROM baton_import_staged_hash(p_spec, 'q') h;
        v_from := '(SELECT clock_timestamp() AS f_r, q.line, q.raw::jsonb AS rec, '
                  || baton_import_hash_sql(v_text, v_hseed)
                  || ' AS raw_digest FROM ' || coalesce(v_par, 'pg_temp.baton_import_raw') || ' q'
                  || ' WHERE baton_import_object_line(q.raw))';
    ELSIF v_par IS NOT NULL THEN
        v_from := v_par;
    END IF;
    -- Each layer's columns are computed once a row rather than copied
    -- into every expression that reads them (x's too: the values, v, are
    -- read twice above it; e's, as w reads each field twice): a volatile
    -- column keeps the planner from merging a layer into the one above
    -- (OFFSET 0 did, 052, but a plan with a LIMIT or OFFSET below the top
    -- cannot run in parallel workers; clock_timestamp() can, 119).  The
    -- typed values (t) are a layer over w, not a subquery joined to it for
    -- each row (a LATERAL's reference to w is a parameter, which workers
    -- are not given); t itself only names w's typed columns.
    v_make := 'CREATE TEMP TABLE baton_import_s ON COMMIT DROP AS'
        ' SELECT line, v, lpad(to_hex(hashtextextended(vt, 111)), 16, ''0'')'
        ' || lpad(to_hex(hashtextextended(vt, 1111)), 16, ''0'') || raw_digest AS digest, bad, left_out'
        ' FROM (SELECT clock_timestamp() AS f_y, x.*, x.v::text AS vt FROM'
        ' (SELECT clock_timestamp() AS f_x, w.line, w.raw_digest, w.left_out,'
        -- A record whose every field has a value has no null to strip
        -- (the values are scalars and lists, no objects): 0.2-0.35 s at
        -- 1,000,000 tickets (118).
        ' CASE WHEN ' || v_all || ' THEN jsonb_build_object(' || substr(v_obj, 3) || ')'
        ' ELSE jsonb_strip_nulls(jsonb_build_object(' || substr(v_obj, 3) || ')) END AS v,'
        ' coalesce(' || v_bad || ') AS bad'
        ' FROM (SELECT clock_timestamp() AS f_t, w.*' || v_typed
        || ' FROM (SELECT clock_timestamp() AS f_w, e.line, e.raw_digest, e.left_out' || v_raw
        || ' FROM (SELECT clock_timestamp() AS f_e, r.line, r.rec, ' || v_dg || ' AS raw_digest, '
        || v_out || ' AS left_out' || v_ext
        || ' FROM ' || v_from || ' r'
        || ') e) w) w,'
        ' LATERAL (SELECT 1 AS one' || v_tcols || ') t) x) y';
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
    IF v_par IS NOT NULL THEN
        EXECUTE 'DROP TABLE ' || v_par;
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

