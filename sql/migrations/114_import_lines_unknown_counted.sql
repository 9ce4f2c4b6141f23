-- Baton schema, version 114: matching a file's line hashes says how many
-- lines the source does not have (#12, an unchanged re-import's time).
--
-- baton_import_lines_known matches the hashes of a file's lines (sent by
-- the client before the lines themselves) with the records that have
-- that text, and the client reads back the lines matched, to send the
-- others: a second reading of the file.  An unchanged file has no others,
-- but the client read back a million lines (0.15 s at the bench's
-- 1,000,000 tickets) and read the file again to send none (0.15 s).
-- The function now says how many lines sent have no record (it returned
-- how many it matched, which no one read): with none, and no line the
-- client passed over, the client reads neither.  Those lines are found
-- by the same join, left outer, and deleted from its table (a pass over
-- it: 40-60 ms at a million lines), which is otherwise the one it was.

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
    -- Not analyzed: its size, all the plan needs, is known from its pages
    -- (which still hold the lines deleted below until the transaction
    -- ends: for a file mostly new, a size too large, planned as a hash
    -- join rather than a loop, and one pass over them, 30-50 ms a million).
    -- Every line sent, with the key of the record that has its text: a
    -- line no record has is counted (the lines to send) and goes.
    CREATE TEMP TABLE baton_import_known ON COMMIT DROP AS
    SELECT w.line, i.source_id AS sid, w.h
    FROM pg_temp.baton_import_hashes w
    LEFT JOIN import_record i ON i.source = v_src AND i.raw_hash = w.h;
    DELETE FROM pg_temp.baton_import_known k WHERE k.sid IS NULL;
    GET DIAGNOSTICS v_n = ROW_COUNT;
    DROP TABLE pg_temp.baton_import_hashes;
    EXECUTE format('GRANT SELECT ON pg_temp.baton_import_known TO %I', session_user);
    RETURN v_n;
END $$;
