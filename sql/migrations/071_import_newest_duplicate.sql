-- Baton schema, version 71: of the lines of one record in one file, the
-- newest counts, not the last.
--
-- A file can hold a record twice (an incremental export lists a ticket
-- again that changed while it was paged; pages are concatenated), and its
-- lines need not come in the order of their updated_at.  052's
-- baton_import_stage kept a key's last line: when the newer version came
-- first, the older one was imported (the ticket ended with the older
-- subject and status), though across files an older export never
-- overwrites a newer one (the stored source_updated_at is compared).
-- Now a key's lines are ranked by updated_at, then by line: the line with
-- the latest updated_at is kept, of equal ones the last, as before; a line
-- without updated_at (blank, or a mapping that reads none: the tracker's
-- and campaigns' CSV) ranks below any line with one, so that a mapping
-- without updated_at keeps the last line, as before.  (Across files an
-- undated line still updates: a file is newer than the files before it.)
-- The same ranking between a line staged and a line of the same key that
-- baton_import_skip set aside (JSON Lines and CSV the source has as they
-- are, including the lines the client kept home, 045): the one set aside
-- is the record as stored, so its updated_at is the record's
-- source_updated_at.  Before, a staged line before it was dropped whatever
-- its updated_at: an unchanged line after a newer one undid the update.
-- The lines not kept count as before: read, neither inserted nor updated
-- (unchanged, in the summary).
-- Only the two DELETEs change: the self-join still runs only when a key is
-- twice in the file (the count by key), and the record's updated_at is
-- read only when a key was both set aside and staged (a join finds out
-- first); the staging statement is 052's.
-- Measured (CPU time of the import's backend, on 2 shared cores whose wall
-- times were 3-5x that): `make bench`'s 1,000,000 tickets, a first import,
-- alternating: baton_import_stage 34.2, 30.0, 29.3 s at 052; 31.0, 30.3,
-- 32.6 s here (its staging statement, the same SQL: 31.7, 27.8, 27.8 and
-- 28.7, 28.0, 29.6 s).  100,000 tickets each twice, newer first: the
-- self-join 0.44-0.62 s at 052, 0.92-0.98 s here (replayed alone, six
-- rounds each: 0.78 and 1.11 s).  A re-import of the million with a tenth
-- newer (no key both set aside and staged): 052's DELETE 0.58 s, the join
-- here 0.45 s (replayed); one statement with the reads cost as much but
-- was planned at 1.2 M, which JIT-compiled it (0.25 s more).  The million
-- with a tenth twice, the newer line before the one set aside: 052 kept
-- none of the 100,000 newer lines (0 updated); here 100,000 updated, the
-- join and DELETE 1.7 s against 052's 0.7 s (replayed).
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
        ' SELECT line, v, md5(v::text) || raw_digest AS digest, bad FROM (SELECT w.line, w.raw_digest,'
        ' jsonb_strip_nulls(jsonb_build_object(' || substr(v_obj, 3) || ')) AS v,'
        ' coalesce(' || v_bad || ') AS bad'
        ' FROM (SELECT e.line, e.raw_digest' || v_raw
        || ' FROM (SELECT r.line, r.rec, ' || v_dg || ' AS raw_digest' || v_ext
        || ' FROM pg_temp.baton_import_rows r'
        || CASE WHEN v_text IS NOT NULL THEN ' JOIN pg_temp.baton_import_raw q ON q.line = r.line' ELSE '' END
        || ' OFFSET 0) e OFFSET 0) w,'
        ' LATERAL (SELECT 1 AS one' || v_typed || ' OFFSET 0) t OFFSET 0) x' USING v_seed;
    INSERT INTO baton_import_reject (line, field, reason)
    SELECT line, split_part(bad, ':', 1), substr(bad, strpos(bad, ':') + 1)
    FROM baton_import_s WHERE bad IS NOT NULL;
    DELETE FROM baton_import_s WHERE bad IS NOT NULL;
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
