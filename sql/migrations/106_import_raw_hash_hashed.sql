-- Baton schema, version 106: import records' line hashes in a hash index
-- (#12, the first import's time).
--
-- 041's index on import_record (source, raw_hash) INCLUDE (source_id) is
-- written once a record, at a place its hash (random) chooses: inserting
-- 1,000,000 records into a table with that index alone took 2.9 s more
-- than into the bare table, a third of the tickets' INSERT INTO
-- import_record (11.0-11.6 s, pg_stat_statements, `make bench`'s
-- 1,000,000 tickets).  A hash index on raw_hash takes 0.85 s for the same
-- records: measured, the tickets' INSERT INTO import_record went to 8.8 s
-- and the tickets' first import from 43.5-49.2 s to 37.3-39.0 s.
--
-- What reads it: matching a file's lines with the records that have their
-- text (baton_import_skip, baton_import_lines_known, baton_import_same_lines;
-- an unchanged re-import).  A small file is matched line by line in the
-- index as before (1,000 lines of 1,000,000 records: 2 ms); a big one by
-- a hash join with the source's records read in order, as the planner
-- chooses.  So the merge join of 050, which walked the old index in hash
-- order, is gone: it needed pages vacuum had marked all-visible, and right
-- after a first import it read the table in no order.  An unchanged
-- re-import of the 1,000,000 tickets: 1.9-2.0 s straight after their first
-- import (was 2.6 s), 1.6-1.7 s once vacuumed (was 1.4 s).
-- A hash index holds one column: a lookup reads the record to check its
-- source (the old index had the source and key in it), and the lines of
-- two sources with the same mapping and the same text meet each other's
-- records there before that check.

DROP INDEX import_record_raw_hash_idx;
CREATE INDEX import_record_raw_hash_idx ON import_record USING hash (raw_hash);

-- 081's, without 050's choice of a merge join: the planner's, with hash
-- joins and nested loops, as for a file too small for a merge before.
-- With no choice left to make, 081's function and the match it called
-- (045's, renamed by 050) are one again.
CREATE OR REPLACE FUNCTION baton_import_lines_known() RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp SET enable_mergejoin = off SET enable_hashjoin = on SET enable_nestloop = on
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
    SELECT w.line, i.source_id AS sid, w.h
    FROM pg_temp.baton_import_hashes w
    JOIN import_record i ON i.source = v_src AND i.raw_hash = w.h;
    GET DIAGNOSTICS v_n = ROW_COUNT;
    DROP TABLE pg_temp.baton_import_hashes;
    EXECUTE format('GRANT SELECT ON pg_temp.baton_import_known TO %I', session_user);
    RETURN v_n;
END $$;
DROP FUNCTION baton_import_lines_matched();
DROP FUNCTION baton_import_lines_merge(text, bigint);
