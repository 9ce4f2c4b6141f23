-- Baton schema, version 146: a change of a setting that waits for another
-- session's change of it says so (#12; session 56's review, LOW).
--
-- What was wrong: `baton settings set import_max_merge N` while another
-- raise ran (one waiting for an import, or one large enough to mark many
-- records: 139) printed nothing.  It waited on the setting's row, before
-- 139's trigger reaches the import lock and 144 says what holds it; the
-- administrator saw a command that hung, then, at the statement timeout,
-- "took longer than the statement timeout".  The same for any setting an
-- open transaction (psql, as the owner) had changed or locked.
--
-- What now: baton_setting_set (076's, restated whole) tries the row first
-- (SKIP LOCKED: no subtransaction of its own).  Taken by another session,
-- it says, as BI001 (shown by `baton settings` as the import lock's waits
-- are), "import_max_merge is being changed by another session (role R,
-- since T): waiting for it to finish", and waits as before, under the
-- statement timeout.
--
-- Who: the row's xmax does not say.  A change by baton_setting_set locks
-- the row, then updates it in a block of its own, which leaves a MultiXact
-- there, not its transaction's id.  So each change by baton_setting_set,
-- once it has the row, marks it as 144's holders mark theirs: a
-- transaction-level advisory lock (9146, the key's hash), which pg_locks
-- shows to every role; tried, never waited for (any role may take an
-- advisory lock).  The waiter names the one session with that mark (a
-- shared lock: one holding it exclusively is not a change); else the
-- one whose transaction id is the row's xmax (an UPDATE in psql); else the
-- one session with a row lock on baton_setting (its table lock), when
-- there is one only.  Otherwise (a mark someone else holds too, or
-- keeps from the change) no one is named: never the oldest change of
-- another setting.
-- Found none, the holder has just ended: the row is tried again, and a
-- change that no longer waits says nothing; up to three times, as quick
-- changes one after another may each end before they are found.  Since
-- when is left out where not known (a schema owner that may not read
-- others' pg_stat_activity).
CREATE OR REPLACE FUNCTION baton_setting_set(p_key text, p_value text) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_row baton_setting%ROWTYPE;
    v_unknown text;
    v_who text;
    v_since timestamptz;
    -- The mark's second key: the key's hash, as pg_locks shows it (an oid).
    v_mark integer := hashtext(p_key) & 2147483647;
BEGIN
    PERFORM baton_require_admin();
    SELECT * INTO v_row FROM baton_setting s WHERE s.key = p_key FOR UPDATE SKIP LOCKED;
    IF NOT FOUND AND EXISTS (SELECT 1 FROM baton_setting s WHERE s.key = p_key) THEN
        -- Looked for up to three times: a holder that has just ended may
        -- have made way for the next (quick changes one after another).
        FOR i IN 1..3 LOOP
            SELECT h.usename, h.xact_start INTO v_who, v_since
            FROM (SELECT g.*, count(*) FILTER (WHERE g.marked) OVER () AS marks, count(*) OVER () AS holders
                  FROM (SELECT a.usename, a.xact_start, bool_or(k.pid IS NOT NULL) AS marked,
                         bool_or(t.pid IS NOT NULL) AS owns_xmax
                  FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                  LEFT JOIN pg_locks k ON k.pid = l.pid AND k.locktype = 'advisory' AND k.granted
                       AND k.mode = 'ShareLock' AND k.classid = 9146 AND k.objid = v_mark AND k.objsubid = 2
                       AND k.database = l.database
                  LEFT JOIN pg_locks t ON t.pid = l.pid AND t.locktype = 'transactionid'
                       AND t.mode = 'ExclusiveLock' AND t.granted
                       AND t.transactionid = (SELECT s.xmax FROM baton_setting s WHERE s.key = p_key)
                  WHERE l.locktype = 'relation' AND l.relation = 'baton_setting'::regclass AND l.granted
                    AND l.mode IN ('RowShareLock', 'RowExclusiveLock') AND l.pid <> pg_backend_pid()
                    AND l.database = (SELECT d.oid FROM pg_database d WHERE d.datname = current_database())
                  GROUP BY a.pid, a.usename, a.xact_start) g) h
            WHERE (h.marked AND h.marks = 1) OR h.owns_xmax OR h.holders = 1
            ORDER BY h.marked DESC, h.owns_xmax DESC LIMIT 1;
            EXIT WHEN FOUND;
            SELECT * INTO v_row FROM baton_setting s WHERE s.key = p_key FOR UPDATE SKIP LOCKED;
            EXIT WHEN FOUND;
            -- pg_stat_activity is read once a transaction unless cleared.
            PERFORM pg_stat_clear_snapshot();
        END LOOP;
        IF v_row.key IS NULL THEN
            RAISE NOTICE USING ERRCODE = 'BI001',
                MESSAGE = format('%s is being changed by another session%s: waiting for it to finish', p_key,
                                 ' (' || nullif(concat_ws(', ', 'role ' || v_who,
                                                          'since ' || to_char(v_since, 'YYYY-MM-DD HH24:MI:SS')),
                                                '') || ')');
            SELECT * INTO v_row FROM baton_setting s WHERE s.key = p_key FOR UPDATE;
        END IF;
    END IF;
    IF v_row.key IS NULL THEN
        RAISE EXCEPTION 'unknown setting "%": the settings are %', p_key,
            (SELECT string_agg(s.key, ', ' ORDER BY s.key) FROM baton_setting s)
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- This change holds the row: marked, for one that waits for it.
    PERFORM pg_try_advisory_xact_lock_shared(9146, v_mark);
    IF v_row.value = p_value THEN
        RETURN false;
    END IF;
    BEGIN
        UPDATE baton_setting s SET value = p_value WHERE s.key = p_key;
    EXCEPTION WHEN check_violation OR not_null_violation THEN
        RAISE EXCEPTION '% takes %, not "%"', p_key, v_row.accepts, p_value
            USING ERRCODE = 'invalid_parameter_value';
    END;
    -- The form is right: each team it names must exist (the raise undoes
    -- the update).
    v_unknown := baton_setting_unknown_teams(p_key, p_value);
    IF v_unknown IS NOT NULL THEN
        RAISE EXCEPTION 'unknown team% % for %',
            CASE WHEN v_unknown LIKE '%,%' THEN 's' ELSE '' END, v_unknown, p_key
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = coalesce('the teams are: ' || (SELECT string_agg(t.id, ', ' ORDER BY t.id) FROM team t)
                                  || '; baton team list shows them',
                                  'there is no team yet: an administrator adds one with baton team add ID --name NAME');
    END IF;
    RETURN true;
END $$;
