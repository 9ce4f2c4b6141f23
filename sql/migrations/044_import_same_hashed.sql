-- Baton schema, version 44: a CSV file's lines the source has as they are
-- are matched with their records by a hash join, planned on the keys that
-- appear once as they are, not guessed.
--
-- 040 found the keys that appear once in a file with GROUP BY ... HAVING
-- count(*) = 1 inside the join with import_record.  The planner guesses
-- such a filter keeps 0.5% of the groups (1,500 of 300,000 contacts) and
-- chose a nested loop of index probes: 300,000 of them, 2.1 s of an
-- unchanged re-import of contacts that took 3.2 s in all.  The keys that
-- appear once are now a table of their own, analyzed before the join.
-- Its size, and the number of lines, are the statements' own row counts
-- instead of a count of each table read again.  The function is 040's
-- but for those statements (CREATE OR REPLACE takes the whole body).
CREATE OR REPLACE FUNCTION baton_import_stage(p_spec jsonb, p_entity text) RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp SET enable_mergejoin = off
SET work_mem = '64MB' AS $$
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
    -- The record as it came, under this mapping (another one converts
    -- anew): a 64-bit hash of its JSON seeded by the mapping, 0.6 us a
    -- record where md5 of its text took 3.2.
    v_seed bigint := ('x' || left(md5(p_spec::text), 16))::bit(64)::bigint;
    v_key text;
    v_jsonl boolean := p_spec ->> 'format' = 'jsonl';
    -- The record as it came: a JSON line's text (030), else its JSON.
    v_dg text := 'lpad(to_hex(jsonb_hash_extended(r.rec, $1)), 16, ''0'')';
    v_lines bigint;
    v_same bigint;
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
    -- A digest is two: md5 of the values (as 010's) and the hash of the
    -- record as it came under this mapping.  A record the source already has with
    -- the same text is unchanged: skipped here, before any conversion (not
    -- when its key is in the file twice: its last line counts).
    v_key := format('coalesce(CASE WHEN btrim(%1$s) <> '''' THEN %1$s END, %2$L)',
                    format('r.rec #>> %L::text[]', baton_import_path(p_spec, 'source_id')),
                    p_spec -> 'fields' -> 'source_id' ->> 'default');
    -- (A source's first file has nothing to skip; JSON Lines were skipped
    -- by their text before they were parsed: baton_import_skip.)
    IF v_jsonl THEN
        v_dg := 'lpad(to_hex(hashtextextended(q.raw, $1)), 16, ''0'')';
    ELSIF v_src IS NOT NULL AND EXISTS (SELECT 1 FROM import_record i WHERE i.source = v_src) THEN
        -- Each line's key and hash once, in a narrow table; then the lines
        -- whose key is in the file once and whose record the source has
        -- with that hash (040: by the number, in the index).  The lines
        -- left become the staging table (none: it is emptied), as 040's
        -- baton_import_skip does with JSON Lines: deleting nearly every
        -- line of a file was most of an unchanged re-import of contacts.
        DROP TABLE IF EXISTS pg_temp.baton_import_lines, pg_temp.baton_import_once,
                             pg_temp.baton_import_same, pg_temp.baton_import_left;
        EXECUTE format('CREATE TEMP TABLE baton_import_lines ON COMMIT DROP AS'
            ' SELECT r.line, %s AS sid, jsonb_hash_extended(r.rec, $1) AS h'
            ' FROM pg_temp.baton_import_rows r', v_key) USING v_seed;
        GET DIAGNOSTICS v_lines = ROW_COUNT;
        -- Keys once in the file by grouping, not by joining the lines
        -- with themselves: planned for a table not yet analyzed, that
        -- join was a nested loop (an unchanged re-import of 300,000
        -- contacts into a database just filled ran for minutes).  Then
        -- analyzed (044): how many there are is what the join is planned on.
        ANALYZE pg_temp.baton_import_lines;
        CREATE TEMP TABLE baton_import_once ON COMMIT DROP AS
        SELECT l.sid, min(l.line) AS line, min(l.h) AS h
        FROM pg_temp.baton_import_lines l
        GROUP BY l.sid HAVING count(*) = 1;
        ANALYZE pg_temp.baton_import_once;
        CREATE TEMP TABLE baton_import_same ON COMMIT DROP AS
        SELECT u.line FROM pg_temp.baton_import_once u
        JOIN import_record i ON i.source = v_src AND i.raw_hash = u.h AND i.source_id = u.sid;
        GET DIAGNOSTICS v_same = ROW_COUNT;
        IF v_same = v_lines THEN
            TRUNCATE pg_temp.baton_import_rows;
        ELSIF v_same > 0 THEN
            CREATE TEMP TABLE baton_import_left ON COMMIT DROP AS
            SELECT r.line, r.rec FROM pg_temp.baton_import_rows r
            WHERE NOT EXISTS (SELECT 1 FROM pg_temp.baton_import_same s WHERE s.line = r.line);
            DROP TABLE pg_temp.baton_import_rows;
            ALTER TABLE pg_temp.baton_import_left RENAME TO baton_import_rows;
        END IF;
    END IF;
    -- OFFSET 0 keeps each layer a layer: its columns are computed once a row
    -- rather than copied into every expression that reads them.
    EXECUTE 'CREATE TEMP TABLE baton_import_s ON COMMIT DROP AS'
        ' SELECT line, v, md5(v::text) || raw_digest AS digest, bad FROM (SELECT w.line, w.raw_digest,'
        ' jsonb_strip_nulls(jsonb_build_object(' || substr(v_obj, 3) || ')) AS v,'
        ' coalesce(' || v_bad || ') AS bad'
        ' FROM (SELECT r.line, r.rec, ' || v_dg || ' AS raw_digest' || v_raw
        || ' FROM pg_temp.baton_import_rows r'
        || CASE WHEN v_jsonl THEN ' JOIN pg_temp.baton_import_raw q ON q.line = r.line' ELSE '' END
        || ' OFFSET 0) w,'
        ' LATERAL (SELECT 1 AS one' || v_typed || ' OFFSET 0) t) x' USING v_seed;
    INSERT INTO baton_import_reject (line, field, reason)
    SELECT line, split_part(bad, ':', 1), substr(bad, strpos(bad, ':') + 1)
    FROM baton_import_s WHERE bad IS NOT NULL;
    DELETE FROM baton_import_s WHERE bad IS NOT NULL;
    -- The same record twice in one file: its last line counts.
    DELETE FROM baton_import_s a USING baton_import_s b
    WHERE a.v ->> 'source_id' = b.v ->> 'source_id' AND a.line < b.line;
    -- ... also when its last line was skipped as the source has it.
    DELETE FROM baton_import_s a USING pg_temp.baton_import_skipped k
    WHERE k.sid = a.v ->> 'source_id' AND a.line < k.line;
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
