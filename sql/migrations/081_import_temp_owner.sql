-- Baton schema, version 81: the import functions read only temporary
-- tables they made themselves, and nobody but them holds the import lock.
--
-- The import functions run as the schema's owner (SECURITY DEFINER) and
-- keep a file's state in temporary tables of the importing session.  A
-- session may make its own temporary objects under the same names first:
-- a view baton_import_ctx over a function of its own, read by
-- baton_import_lines_known (which did not even check the import
-- privilege), ran that function as the owner for any member of
-- baton_staff; baton_import_unused, which baton_import_apply reads when it
-- exists and only a customers' file makes, did the same for an importer
-- (security review: both reproduced, the audit emptied and baton_admin
-- granted).  Now every import function first refuses a session holding a
-- baton_import_* relation that is not a table, index or sequence of the
-- owner's: the tables the functions make are the owner's, and the session
-- may only insert into them (no trigger, rule or policy of its own).
--
-- The import lock was advisory lock 9010, which any role may take and
-- hold, so that every import and split waited for ever (security review).
-- It is now a row of baton_import_gate, which only the owner may lock.
--
-- And a schema public where everyone may create objects lets anyone place
-- a function that a SECURITY DEFINER function then calls as the owner (a
-- better match for its arguments than the built-in one, CVE-2018-1058):
-- PostgreSQL 15 no longer allows it in new databases, but one upgraded from
-- an older release still does.  The migration takes that right away, or
-- stops saying who can.

DO $$
BEGIN
    IF has_schema_privilege('public', 'public', 'CREATE') THEN
        BEGIN
            REVOKE CREATE ON SCHEMA public FROM PUBLIC;
        EXCEPTION WHEN insufficient_privilege THEN
            RAISE EXCEPTION 'every role may create objects in schema public, where Baton''s functions run as its owner'
                USING ERRCODE = 'insufficient_privilege',
                      HINT = format('the schema''s owner (%s) can run REVOKE CREATE ON SCHEMA public FROM PUBLIC, then migrate again',
                                    (SELECT n.nspowner::regrole FROM pg_namespace n WHERE n.nspname = 'public'));
        END;
        IF has_schema_privilege('public', 'public', 'CREATE') THEN
            RAISE EXCEPTION 'every role may still create objects in schema public (a grant of another role stays)'
                USING ERRCODE = 'insufficient_privilege',
                      HINT = 'the schema''s owner can run REVOKE CREATE ON SCHEMA public FROM PUBLIC, then migrate again';
        END IF;
    END IF;
END $$;

-- Refuses a baton_import_* relation in the session's temporary schema
-- that the current role (the owner, inside the import functions) did not
-- make, or that is not a plain table, index or sequence.
CREATE FUNCTION baton_import_temp_check() RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    v_name text;
    v_kind "char";
BEGIN
    SELECT c.relname, c.relkind INTO v_name, v_kind
    FROM pg_class c
    WHERE c.relnamespace = pg_my_temp_schema() AND c.relname LIKE 'baton\_import\_%'
      AND (c.relowner <> (SELECT r.oid FROM pg_roles r WHERE r.rolname = current_user)
           OR c.relkind NOT IN ('r', 'i', 'S'))
    ORDER BY c.relname LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'this session has a temporary % named % that Baton did not make: import refused',
            CASE v_kind WHEN 'r' THEN 'table' WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view'
                        WHEN 'c' THEN 'type' WHEN 'f' THEN 'foreign table' WHEN 'p' THEN 'table'
                        ELSE 'relation' END, v_name
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'import with baton import, in a session of its own';
    END IF;
END $$;
REVOKE ALL ON FUNCTION baton_import_temp_check() FROM PUBLIC;

-- 010's check, and then the session's temporary relations.  Every import
-- function that reads them calls it first.
CREATE OR REPLACE FUNCTION baton_import_check() RETURNS void
LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
BEGIN
    IF NOT pg_has_role(session_user, 'baton_importer', 'MEMBER') AND NOT baton_me_bypasses() THEN
        RAISE EXCEPTION 'role % may not import: importing takes a role granted baton_importer', session_user
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'an administrator can run GRANT baton_importer TO ' || session_user;
    END IF;
    PERFORM baton_import_temp_check();
END $$;

-- 045's, checking first, as the other import functions do.
CREATE OR REPLACE FUNCTION baton_import_lines_known() RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp SET enable_mergejoin = off SET enable_hashjoin = on SET enable_nestloop = on AS $$
BEGIN
    PERFORM baton_import_check();
    -- (The three settings are this function's: SET LOCAL ends with it.)
    IF to_regclass('pg_temp.baton_import_hashes') IS NOT NULL AND to_regclass('pg_temp.baton_import_ctx') IS NOT NULL
       AND baton_import_lines_merge((SELECT c.source FROM pg_temp.baton_import_ctx c),
                                    (SELECT count(*) FROM pg_temp.baton_import_hashes)) THEN
        SET LOCAL enable_mergejoin = on;
        SET LOCAL enable_hashjoin = off;
        SET LOCAL enable_nestloop = off;
    END IF;
    RETURN baton_import_lines_matched();
END $$;

-- One import or split at a time: the lock is this row's, which takes the
-- UPDATE right nobody but the owner has.
CREATE TABLE baton_import_gate (one boolean PRIMARY KEY DEFAULT true CHECK (one));
INSERT INTO baton_import_gate VALUES (true);
REVOKE ALL ON baton_import_gate FROM PUBLIC;

-- 042's, on the row.  Who holds it: a session with ROW SHARE on the table
-- (every row lock takes it) that waits for nothing (those that wait for
-- the row hold it too).
CREATE OR REPLACE FUNCTION baton_import_lock() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_who text;
    v_since timestamptz;
BEGIN
    BEGIN
        PERFORM 1 FROM baton_import_gate FOR UPDATE NOWAIT;
        RETURN;
    EXCEPTION WHEN lock_not_available THEN
        NULL;
    END;
    SELECT a.usename, a.xact_start INTO v_who, v_since
    FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
    WHERE l.locktype = 'relation' AND l.relation = 'baton_import_gate'::regclass AND l.granted
      AND l.mode = 'RowShareLock' AND l.pid <> pg_backend_pid()
      AND l.database = (SELECT d.oid FROM pg_database d WHERE d.datname = current_database())
      AND NOT EXISTS (SELECT 1 FROM pg_locks w WHERE w.pid = l.pid AND NOT w.granted)
    ORDER BY a.xact_start LIMIT 1;
    RAISE NOTICE USING ERRCODE = 'BI001',
        MESSAGE = format('another import is running (%s): waiting for it to finish',
                         concat_ws(', ', 'role ' || v_who, 'since ' || to_char(v_since, 'YYYY-MM-DD HH24:MI:SS')));
    PERFORM 1 FROM baton_import_gate FOR UPDATE;
END $$;
REVOKE ALL ON FUNCTION baton_import_lock() FROM PUBLIC;
