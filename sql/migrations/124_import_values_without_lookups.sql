-- Baton schema, version 124: a record's values are made into JSON without
-- looking up their types again for each record (#12, a file's stage).
--
-- The stage (120) made each record's values (v, whose text the digest
-- hashes) with jsonb_build_object, which looks up how to write each
-- argument's type, key and value, for every record: at the bench's
-- 1,000,000 tickets, nine fields, 2.7 s of the stage's 12 s of work (one
-- process; it runs on two).  Values that are text are now given to
-- jsonb_object as two arrays, keys and values, which writes strings
-- without a lookup (1.8 s); a time or a date as to_jsonb writes it (the
-- text jsonb_build_object wrote: the same function makes it); a whole
-- number, a list of domains and a staff member still by
-- jsonb_build_object, joined to the others.  jsonb keeps an object's keys
-- in one order whatever order they came in, so the values, their text
-- and their digests are those of 120: a record imported before is still
-- unchanged (test_import stages one file of each kind of field under 123
-- and under this, and compares).
-- baton_import_values_sql makes that expression; 120's baton_import_stage
-- is restated to call it, otherwise unchanged.

-- The values v of a record as JSON, from its typed values t.v_<field>:
-- the fields p_fields, of the kinds p_kinds (import_field.kind).  Text
-- made of text, as baton_import_field_sql's: anyone may call it (the
-- stage runs as baton_import_apply's owner, which need not own this).
CREATE FUNCTION baton_import_values_sql(p_fields text[], p_kinds text[]) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN s.keys IS NULL THEN 'jsonb_build_object(' || coalesce(o.args, '') || ')'
                ELSE format('jsonb_object(%L::text[], ARRAY[%s]::text[])', s.keys, s.vals)
                     || coalesce(' || jsonb_build_object(' || o.args || ')', '') END
    FROM (SELECT array_agg(f ORDER BY i)::text AS keys,
                 string_agg(CASE WHEN k IN ('time', 'date') THEN format('to_jsonb(t.%I) #>> ''{}''', 'v_' || f)
                                 ELSE format('t.%I', 'v_' || f) END, ', ' ORDER BY i) AS vals
          FROM unnest(p_fields, p_kinds) WITH ORDINALITY x(f, k, i)
          WHERE k NOT IN ('int', 'domains', 'staff')) s,
         (SELECT string_agg(format('%L, t.%I', f, 'v_' || f), ', ' ORDER BY i) AS args
          FROM unnest(p_fields, p_kinds) WITH ORDINALITY x(f, k, i)
          WHERE k IN ('int', 'domains', 'staff')) o
$$;

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
    -- The fields written into the values, and their kinds (124).
    v_fields text[] := '{}';
    v_kinds text[] := '{}';
    v_values text;
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
    -- transaction (119).  It is made in baton_import_work, the schema of
    -- the stage's role (baton_import_apply's owner), where no one else may
    -- create tables (120); the name is the session's.  Not when that role
    -- may not (baton_import_work_unusable), nor when no worker can ever
    -- start.
    v_parallel boolean := CASE WHEN current_setting('max_parallel_workers_per_gather')::integer > 0
                                AND current_setting('max_parallel_workers')::integer > 0
                                AND baton_import_work_unusable(current_user) IS NULL
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
            v_fields := v_fields || f.field;
            v_kinds := v_kinds || f.kind;
            v_all := v_all || format(' AND t.%I IS NOT NULL', 'v_' || f.field);
        END IF;
        IF v_sql.chk IS NOT NULL THEN
            v_bad := v_bad || ', ' || v_sql.chk;
        END IF;
    END LOOP;
    v_values := baton_import_values_sql(v_fields, v_kinds);
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
        v_par := format('baton_import_work.%I', 'baton_import_par_' || pg_backend_pid());
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
        ' CASE WHEN ' || v_all || ' THEN ' || v_values || ' ELSE jsonb_strip_nulls(' || v_values || ') END AS v,'
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
