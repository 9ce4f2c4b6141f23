-- Baton schema, version 52: an import builds each record's values once,
-- and reads each of its fields once.
--
-- baton_import_stage (045) stages a file's records with one statement:
--   SELECT line, v, md5(v::text) || raw_digest AS digest, bad
--   FROM (SELECT ..., jsonb_strip_nulls(jsonb_build_object(...)) AS v, ...
--         FROM (SELECT ..., coalesce(CASE WHEN btrim(r.rec #>> '{f}') <> ''
--                                    THEN r.rec #>> '{f}' END, ...) AS r_f
--               FROM pg_temp.baton_import_rows r ... OFFSET 0) w,
--              LATERAL (...) t) x
-- Its inner layers, w and t, end in OFFSET 0, which keeps the planner from
-- folding them into the statement above them; x did not, so x was folded
-- and its v copied into both places that read it: every record's values
-- were built (jsonb_build_object, then jsonb_strip_nulls) twice, once to be
-- stored and once to be hashed (EXPLAIN VERBOSE shows jsonb_build_object
-- twice in the top node's output).  x now ends in OFFSET 0 as well.
-- And w read a field out of the record twice when it was not blank: each
-- field is now read once, in a layer of its own (e) under w.
-- The search for a record's earlier lines in the same file (a self-join of
-- the staged records, 1.8-2.1 s a million) runs only when a count by key
-- (0.9 s) finds a key twice.
-- Nothing else changes: the same values, the same digests, the same
-- rejects, the same lines kept (staging the 1,000,000 tickets below with
-- 051's statement and with this one gives the same line, values, digest
-- and reject in every row: md5 of them all, in line order, alike).
-- Measured: the staging statement of `make bench`'s 1,000,000 tickets,
-- replayed alone in alternating rounds: 39.6, 35.1 and 36.8 s before,
-- 30.3, 31.0 and 26.4 s with x a layer; in another three rounds, 33.6,
-- 29.0 and 27.7 s with x a layer, 29.3, 26.8 and 26.1 s with e as well.
-- In `make bench`'s import (auto_explain), the statement took 30.8 s at
-- 051 and 25.7 s here.  The tickets file alone, onto copies of one
-- database holding the organisations and contacts, alternating: 104, 108
-- and 110 s at 051; 91, 89 and 83 s here.
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
    -- when its key is in the file twice: its last line counts).
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
    -- The same record twice in one file: its last line counts.  Most files
    -- have each record once, which a count by key says in half the time of
    -- the self-join that finds the earlier lines.
    IF EXISTS (SELECT 1 FROM baton_import_s GROUP BY v ->> 'source_id' HAVING count(*) > 1) THEN
        DELETE FROM baton_import_s a USING baton_import_s b
        WHERE a.v ->> 'source_id' = b.v ->> 'source_id' AND a.line < b.line;
    END IF;
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
