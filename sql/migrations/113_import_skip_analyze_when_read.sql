-- Baton schema, version 113: the lines the source has are not analyzed
-- when no other line is left (#12, an unchanged re-import's time).
--
-- baton_import_skip sets aside the lines of a file whose text the source
-- has, in baton_import_skipped, and analyzed that table and the lines
-- left for the statements that join them.  When every line is set aside
-- (an unchanged file), nothing joins them: the lines left are none, and
-- the set-aside ones are only counted.  The ANALYZE of a million lines
-- took 66-71 ms of an unchanged re-import of the bench's tickets (1.8-2.0
-- s), and 28-58 ms of its organisations and contacts.  Otherwise 045's
-- function unchanged.

CREATE OR REPLACE FUNCTION baton_import_skip(p_spec jsonb) RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp SET enable_mergejoin = off
SET work_mem = '64MB' AS $$
DECLARE
    v_src text := (SELECT c.source FROM pg_temp.baton_import_ctx c);
    v_seed bigint;
    v_text text;
BEGIN
    DROP TABLE IF EXISTS pg_temp.baton_import_skipped, pg_temp.baton_import_kept;
    IF p_spec ->> 'format' NOT IN ('jsonl', 'csv')
       OR NOT EXISTS (SELECT 1 FROM import_record i WHERE i.source = v_src) THEN
        CREATE TEMP TABLE baton_import_skipped (line bigint, sid text) ON COMMIT DROP;
        RETURN;
    END IF;
    SELECT h.text_sql, h.seed INTO v_text, v_seed FROM baton_import_staged_hash(p_spec, 'r') h;
    -- A line sent is judged by its text, also if its hash was sent too
    -- (a record rewritten between the client's two readings).
    IF to_regclass('pg_temp.baton_import_known') IS NOT NULL
       AND EXISTS (SELECT 1 FROM pg_temp.baton_import_raw r WHERE r.line > 0) THEN
        DELETE FROM pg_temp.baton_import_known k USING pg_temp.baton_import_raw r WHERE r.line = k.line;
    END IF;
    -- Every line, with the key of the record that has its text (NULL: none;
    -- a CSV header, line 0, is no record).
    EXECUTE 'CREATE TEMP TABLE baton_import_skipped ON COMMIT DROP AS'
        ' SELECT w.line, i.source_id AS sid'
        ' FROM (SELECT r.line, CASE WHEN r.line > 0 THEN hashtextextended(' || v_text || ', $1) END AS h'
        '       FROM pg_temp.baton_import_raw r OFFSET 0) w'
        ' LEFT JOIN import_record i ON i.source = $2 AND i.raw_hash = w.h' USING v_seed, v_src;
    IF NOT EXISTS (SELECT 1 FROM pg_temp.baton_import_skipped k WHERE k.sid IS NULL) THEN
        TRUNCATE pg_temp.baton_import_raw;
    ELSE
        CREATE TEMP TABLE baton_import_kept ON COMMIT DROP AS
        SELECT r.* FROM pg_temp.baton_import_raw r
        JOIN pg_temp.baton_import_skipped k ON k.line = r.line AND k.sid IS NULL;
        DROP TABLE pg_temp.baton_import_raw;
        ALTER TABLE pg_temp.baton_import_kept RENAME TO baton_import_raw;
        DELETE FROM pg_temp.baton_import_skipped k WHERE k.sid IS NULL;
    END IF;
    -- The lines the client kept home: the source has them (045).  When
    -- it sent none of the others, they are all there is.  (Only the table
    -- baton_import_lines_known made: not one the session made itself.)
    IF to_regclass('pg_temp.baton_import_known') IS NULL
       OR (SELECT c.relowner FROM pg_class c WHERE c.oid = to_regclass('pg_temp.baton_import_known'))
          <> (SELECT r.oid FROM pg_roles r WHERE r.rolname = current_user) THEN
        NULL;
    ELSIF NOT EXISTS (SELECT 1 FROM pg_temp.baton_import_skipped) THEN
        DROP TABLE pg_temp.baton_import_skipped;
        ALTER TABLE pg_temp.baton_import_known RENAME TO baton_import_skipped;
    ELSE
        INSERT INTO pg_temp.baton_import_skipped (line, sid)
        SELECT k.line, k.sid FROM pg_temp.baton_import_known k;
        DROP TABLE pg_temp.baton_import_known;
    END IF;
    -- Planned on only with the lines left to read (113): when the source
    -- has every line, nothing reads them but a count.
    IF EXISTS (SELECT 1 FROM pg_temp.baton_import_raw r WHERE r.line > 0) THEN
        ANALYZE pg_temp.baton_import_skipped;
        ANALYZE pg_temp.baton_import_raw;
    END IF;
END $$;
REVOKE ALL ON FUNCTION baton_import_skip(jsonb) FROM PUBLIC;
