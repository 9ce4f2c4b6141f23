-- Baton schema, version 105: a first import's staging joins each record
-- to its line's hash, not to the line (#12, the first import's time).
--
-- baton_import_stage hashes each JSON line's text (a CSV row's fields
-- written out again) so that an unchanged line is known next time.  It
-- joined the parsed records to the raw lines to do so: a hash join whose
-- table held every record's JSON.  At 300,000 tickets that table (100 MB)
-- fit in the stage's work_mem; at 1,000,000 (333 MB) it went in four
-- batches through temporary files, and the join took 5.6 s of the
-- statement's 16.4 s (EXPLAIN ANALYZE, the bench's tickets file) where
-- a third of the lines took 0.56 s.
--
-- Now the lines' hashes are computed first, in one pass over the lines,
-- into a narrow table (line, hash: 40 bytes a line), which the records
-- join, analyzed so that the join hashes it (without statistics its
-- lines look like few values repeated, and the planner hashed the records
-- again).  The hashes, and so every digest, are the same.  094's function
-- otherwise unchanged.

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
        -- The lines' hashes first, into a narrow table that the records
        -- then join (105): the join's hash table holds 40 bytes a line
        -- instead of a record's JSON, and fits in work_mem.
        EXECUTE 'CREATE TEMP TABLE baton_import_raw_digest ON COMMIT DROP AS SELECT q.line,'
            ' lpad(to_hex(hashtextextended(' || v_text || ', $1)), 16, ''0'') AS raw_digest'
            ' FROM pg_temp.baton_import_raw q' USING v_seed;
        -- Its lines are known unique: the join hashes it, not the records.
        ANALYZE pg_temp.baton_import_raw_digest;
        v_dg := 'q.raw_digest';
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
        || CASE WHEN v_text IS NOT NULL THEN ' JOIN pg_temp.baton_import_raw_digest q ON q.line = r.line' ELSE '' END
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

