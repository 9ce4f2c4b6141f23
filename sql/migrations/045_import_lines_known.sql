-- Baton schema, version 45: the lines of a JSON Lines file that the source
-- already has are not sent; their hashes are.
--
-- An unchanged JSON line is one whose hash (hashtextextended of its text,
-- seeded by the mapping: 030, 040) a record of the source has.  Until now
-- the client sent every line and the server hashed each to find that out:
-- an unchanged re-import of 1,000,000 tickets (290 MB) spent about 2.4 s
-- in the COPY and 1.8 s reading the staged lines again to hash them, to
-- keep none of them.
--
-- A client that computes the same hash (src/import_hash.c) now sends each
-- line's number and hash first, into a table baton_import_hashes_begin()
-- makes (16 bytes a line).  baton_import_lines_known() matches them with
-- the source's records and keeps the matches for baton_import_skip(); the
-- client reads their line numbers and then streams only the other lines,
-- as before.  The server stays
-- the judge of what is unchanged: a line sent is hashed here as before,
-- and a client whose hashes differ from the server's (the probes show
-- it) sends every line.  Nothing else changes: a line set aside is one
-- baton_import_skip() would have set aside, with the same key, so the
-- counts, the last line of a key, and the rejects are as they were.

-- The seed of this mapping's line hashes and the server's hashes of the
-- client's probes; no row when there is nothing to match (not JSON Lines,
-- or a source with no records yet: every line is new).  Makes the table
-- the client COPYs (line, hash) into.
CREATE FUNCTION baton_import_hashes_begin(p_spec jsonb, p_probes text[])
RETURNS TABLE (seed bigint, probes bigint[])
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_src text;
    v_seed bigint := ('x' || left(md5(p_spec::text), 16))::bit(64)::bigint;
BEGIN
    PERFORM baton_import_check();
    IF to_regclass('pg_temp.baton_import_ctx') IS NULL THEN
        RAISE EXCEPTION 'no import run in this transaction: baton_import_begin() first'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    v_src := (SELECT c.source FROM pg_temp.baton_import_ctx c);
    IF p_spec ->> 'format' IS DISTINCT FROM 'jsonl'
       OR NOT EXISTS (SELECT 1 FROM import_record i WHERE i.source = v_src) THEN
        RETURN;
    END IF;
    DROP TABLE IF EXISTS pg_temp.baton_import_hashes, pg_temp.baton_import_known;
    CREATE TEMP TABLE baton_import_hashes (line bigint NOT NULL, h bigint NOT NULL) ON COMMIT DROP;
    EXECUTE format('GRANT INSERT ON pg_temp.baton_import_hashes TO %I', session_user);
    RETURN QUERY SELECT v_seed, ARRAY(SELECT hashtextextended(p.t, v_seed)
                                      FROM unnest(p_probes) WITH ORDINALITY p (t, n) ORDER BY p.n);
END $$;

-- The lines whose hash a record of the source has, kept with the record's
-- key for baton_import_skip(): their number, which the client reads from
-- baton_import_known (COPY, in no order: a sort of a million lines cost
-- more than the match).
CREATE FUNCTION baton_import_lines_known() RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET enable_mergejoin = off
SET work_mem = '64MB' AS $$
DECLARE
    v_src text;
    v_n bigint;
BEGIN
    PERFORM baton_import_check();
    IF to_regclass('pg_temp.baton_import_hashes') IS NULL THEN
        RAISE EXCEPTION 'no line hashes in this transaction: baton_import_hashes_begin() first'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    v_src := (SELECT c.source FROM pg_temp.baton_import_ctx c);
    -- Not analyzed: its size, all the plan needs, is known from its pages.
    CREATE TEMP TABLE baton_import_known ON COMMIT DROP AS
    SELECT w.line, i.source_id AS sid
    FROM pg_temp.baton_import_hashes w
    JOIN import_record i ON i.source = v_src AND i.raw_hash = w.h;
    GET DIAGNOSTICS v_n = ROW_COUNT;
    DROP TABLE pg_temp.baton_import_hashes;
    EXECUTE format('GRANT SELECT ON pg_temp.baton_import_known TO %I', session_user);
    RETURN v_n;
END $$;

REVOKE ALL ON FUNCTION baton_import_hashes_begin(jsonb, text[]), baton_import_lines_known() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION baton_import_hashes_begin(jsonb, text[]), baton_import_lines_known()
    TO baton_importer, baton_staff, baton_admin;

-- 040's baton_import_skip, which also takes the lines the client did not
-- send (the two statements on baton_import_known are new).
CREATE OR REPLACE FUNCTION baton_import_skip(p_spec jsonb) RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp SET enable_mergejoin = off
SET work_mem = '64MB' AS $$
DECLARE
    v_src text := (SELECT c.source FROM pg_temp.baton_import_ctx c);
    v_seed bigint := ('x' || left(md5(p_spec::text), 16))::bit(64)::bigint;
BEGIN
    DROP TABLE IF EXISTS pg_temp.baton_import_skipped, pg_temp.baton_import_kept;
    IF p_spec ->> 'format' IS DISTINCT FROM 'jsonl'
       OR NOT EXISTS (SELECT 1 FROM import_record i WHERE i.source = v_src) THEN
        CREATE TEMP TABLE baton_import_skipped (line bigint, sid text) ON COMMIT DROP;
        RETURN;
    END IF;
    -- A line sent is judged by its text, also if its hash was sent too.
    IF to_regclass('pg_temp.baton_import_known') IS NOT NULL
       AND EXISTS (SELECT 1 FROM pg_temp.baton_import_raw) THEN
        DELETE FROM pg_temp.baton_import_known k USING pg_temp.baton_import_raw r WHERE r.line = k.line;
    END IF;
    -- Every line, with the key of the record that has its text (NULL: none).
    CREATE TEMP TABLE baton_import_skipped ON COMMIT DROP AS
    SELECT w.line, i.source_id AS sid
    FROM (SELECT r.line, hashtextextended(r.raw, v_seed) AS h
          FROM pg_temp.baton_import_raw r OFFSET 0) w
    LEFT JOIN import_record i ON i.source = v_src AND i.raw_hash = w.h;
    IF NOT EXISTS (SELECT 1 FROM pg_temp.baton_import_skipped k WHERE k.sid IS NULL) THEN
        TRUNCATE pg_temp.baton_import_raw;
    ELSE
        CREATE TEMP TABLE baton_import_kept ON COMMIT DROP AS
        SELECT r.line, r.raw FROM pg_temp.baton_import_raw r
        JOIN pg_temp.baton_import_skipped k ON k.line = r.line AND k.sid IS NULL;
        DROP TABLE pg_temp.baton_import_raw;
        ALTER TABLE pg_temp.baton_import_kept RENAME TO baton_import_raw;
        DELETE FROM pg_temp.baton_import_skipped k WHERE k.sid IS NULL;
    END IF;
    -- The lines the client kept home: the source has them (045).  When
    -- it sent none of the others, they are all there is.
    IF to_regclass('pg_temp.baton_import_known') IS NULL THEN
        NULL;
    ELSIF NOT EXISTS (SELECT 1 FROM pg_temp.baton_import_skipped) THEN
        DROP TABLE pg_temp.baton_import_skipped;
        ALTER TABLE pg_temp.baton_import_known RENAME TO baton_import_skipped;
    ELSE
        INSERT INTO pg_temp.baton_import_skipped (line, sid)
        SELECT k.line, k.sid FROM pg_temp.baton_import_known k;
        DROP TABLE pg_temp.baton_import_known;
    END IF;
    ANALYZE pg_temp.baton_import_skipped;
    ANALYZE pg_temp.baton_import_raw;
END $$;
REVOKE ALL ON FUNCTION baton_import_skip(jsonb) FROM PUBLIC;
