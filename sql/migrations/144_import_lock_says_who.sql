-- Baton schema, version 144: a session waiting for the import lock is told
-- what holds it (#12).
--
-- One import, split or raise of import_max_merge at a time (042, 081, 139):
-- whoever waited was told "another import is running", a split waiting for
-- an import as well, and an import waiting for a split of a run's thousand
-- merges was told of an import nobody had started.  Now the holder marks its
-- kind, once it has the lock, with a transaction-level advisory lock of the
-- pair (9144, kind), which pg_locks shows to every role (the gate's row
-- lock says who, not what): 1 an import (baton_import_begin), 2 a split
-- (baton_split, baton_split_run: its statement names it), 3 a raise of
-- import_max_merge (139's trigger).  The one waiting reads the mark of the
-- session holding the gate: "a split is running (role importer, since
-- ...)", "another import is running" to an import as before.  The mark is
-- tried, never waited for: any role may take an advisory lock, and one
-- that held (9144, 1) exclusively would otherwise keep the holder, and
-- everyone behind it, waiting (081 left 042's advisory lock for that).
-- Without its mark (taken by someone else, or a holder caught between the
-- gate and its mark) the holder is "an import, a split or a raise".
CREATE OR REPLACE FUNCTION baton_import_lock() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_me integer := CASE WHEN pg_trigger_depth() > 0 THEN 3
                         WHEN position('baton_split' IN current_query()) > 0 THEN 2
                         ELSE 1 END;
    v_who text;
    v_since timestamptz;
    v_kind integer;
BEGIN
    BEGIN
        PERFORM 1 FROM baton_import_gate FOR UPDATE NOWAIT;
        PERFORM pg_try_advisory_xact_lock_shared(9144, v_me);
        RETURN;
    EXCEPTION WHEN lock_not_available THEN
        NULL;
    END;
    -- The holder: the session with the gate's table lock (every row lock
    -- takes it, waiting or not) and a mark, taken only with the row.  One
    -- caught between the two (or a holder from before 144) is found as 081
    -- found it, unmarked: one that waits for nothing.
    SELECT a.usename, a.xact_start, k.objid::integer INTO v_who, v_since, v_kind
    FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
    LEFT JOIN pg_locks k ON k.pid = l.pid AND k.locktype = 'advisory' AND k.granted
         AND k.classid = 9144 AND k.objsubid = 2 AND k.objid BETWEEN 1 AND 3
         AND k.database = l.database
    WHERE l.locktype = 'relation' AND l.relation = 'baton_import_gate'::regclass AND l.granted
      AND l.mode = 'RowShareLock' AND l.pid <> pg_backend_pid()
      AND l.database = (SELECT d.oid FROM pg_database d WHERE d.datname = current_database())
      AND (k.pid IS NOT NULL OR NOT EXISTS (SELECT 1 FROM pg_locks w WHERE w.pid = l.pid AND NOT w.granted))
    ORDER BY k.pid IS NULL, a.xact_start LIMIT 1;
    RAISE NOTICE USING ERRCODE = 'BI001',
        MESSAGE = format('%s%s: waiting for it to finish',
                         CASE v_kind WHEN 1 THEN CASE WHEN v_me = 1 THEN 'another import is running'
                                                      ELSE 'an import is running' END
                                     WHEN 2 THEN CASE WHEN v_me = 2 THEN 'another split is running'
                                                      ELSE 'a split is running' END
                                     WHEN 3 THEN 'import_max_merge is being raised'
                                     ELSE 'an import, a split or a raise of import_max_merge is running' END,
                         -- Who and since when, as far as known (a holder
                         -- gone in between is neither).
                         ' (' || nullif(concat_ws(', ', 'role ' || v_who,
                                                  'since ' || to_char(v_since, 'YYYY-MM-DD HH24:MI:SS')), '') || ')');
    PERFORM 1 FROM baton_import_gate FOR UPDATE;
    PERFORM pg_try_advisory_xact_lock_shared(9144, v_me);
END $$;
