-- Baton schema, version 42: one import at a time; a second waits for the
-- first to commit or roll back, and says so.
--
-- Nothing kept two imports apart.  Each finds the records its source
-- already has when it links its file, in its own snapshot: two runs of
-- the same file that overlap (a cron job slower than its interval, two
-- people importing the same export) both found every line new and both
-- inserted it.  Measured: 100,000 tickets imported twice at once made
-- 200,000 tickets, and import_record named one of each pair; the other
-- was a duplicate no later import would ever see.  Imports of different
-- sources meet as well: one's identity resolution reads customers and
-- merges that another is changing, and a split made while an import
-- resolves identities could be merged again by it.
--
-- An import takes a transaction-level advisory lock when it begins (after
-- its role is checked), as does a split; a second one waits for it,
-- after a notice (SQLSTATE BI001) that names the role holding it and
-- since when, which the client shows.  A run interrupted gives the lock
-- up with its transaction.  (An import is one transaction per file: a
-- file of another run can go between two files of one run.)
CREATE FUNCTION baton_import_lock() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_who text;
    v_since timestamptz;
BEGIN
    IF pg_try_advisory_xact_lock(9010) THEN
        RETURN;
    END IF;
    SELECT a.usename, a.xact_start INTO v_who, v_since
    FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
    WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 0 AND l.objid = 9010
      AND l.objsubid = 1 AND l.database = (SELECT d.oid FROM pg_database d WHERE d.datname = current_database())
    LIMIT 1;
    RAISE NOTICE USING ERRCODE = 'BI001',
        MESSAGE = format('another import is running (%s): waiting for it to finish',
                         concat_ws(', ', 'role ' || v_who, 'since ' || to_char(v_since, 'YYYY-MM-DD HH24:MI:SS')));
    PERFORM pg_advisory_xact_lock(9010);
END $$;
REVOKE ALL ON FUNCTION baton_import_lock() FROM PUBLIC;

-- 015's baton_import_begin, with the lock taken before the run is recorded.
CREATE OR REPLACE FUNCTION baton_import_begin(p_run uuid, p_source text, p_entity text, p_file text,
                                   p_columns integer)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_cols text;
BEGIN
    PERFORM baton_import_check();
    IF NOT EXISTS (SELECT 1 FROM import_field f WHERE f.entity = p_entity) THEN
        RAISE EXCEPTION 'unknown entity "%": the entities are %', p_entity,
            (SELECT string_agg(DISTINCT f.entity, ', ') FROM import_field f)
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF p_columns IS NULL OR p_columns NOT BETWEEN 0 AND 1000 THEN
        RAISE EXCEPTION 'a file has from 1 to 1000 columns' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM baton_import_lock();
    IF EXISTS (SELECT 1 FROM import_run r WHERE r.id = p_run) THEN
        RAISE EXCEPTION 'import run % was already recorded', p_run USING ERRCODE = 'unique_violation';
    END IF;
    INSERT INTO import_run (id, source, entity, file) VALUES (p_run, p_source, p_entity, p_file);
    DROP TABLE IF EXISTS pg_temp.baton_import_raw, pg_temp.baton_import_reject, pg_temp.baton_import_ctx;
    SELECT coalesce(string_agg(format(', c%s text', i), '' ORDER BY i), ', raw text')
        INTO v_cols FROM generate_series(1, p_columns) i;
    EXECUTE 'CREATE TEMP TABLE baton_import_raw (line bigint NOT NULL' || v_cols || ') ON COMMIT DROP';
    CREATE TEMP TABLE baton_import_reject (line bigint, field text, reason text, raw text)
        ON COMMIT DROP;
    -- Which source the staged file is of: baton_import_stage skips the
    -- records that source already has as they are.
    CREATE TEMP TABLE baton_import_ctx ON COMMIT DROP AS SELECT p_run AS run, p_source AS source;
    EXECUTE format('GRANT INSERT ON pg_temp.baton_import_raw TO %I', session_user);
    EXECUTE format('GRANT SELECT ON pg_temp.baton_import_reject TO %I', session_user);
END $$;

-- A split takes the same lock: 010's baton_split does the work, under a
-- name of its own that only this function calls.
ALTER FUNCTION baton_split(uuid) RENAME TO baton_split_merge;
REVOKE ALL ON FUNCTION baton_split_merge(uuid) FROM PUBLIC, baton_importer, baton_staff, baton_admin;
CREATE FUNCTION baton_split(p_merge uuid) RETURNS TABLE (customer_id bigint, apart bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM baton_import_lock();
    RETURN QUERY SELECT * FROM baton_split_merge(p_merge);
END $$;
REVOKE ALL ON FUNCTION baton_split(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION baton_split(uuid) TO baton_importer, baton_staff, baton_admin;
