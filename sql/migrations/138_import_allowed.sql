-- Baton schema, version 138: whether the session may import, asked once
-- before a run's first file (#12, a review's finding).
--
-- `baton import` learnt that a role may not import from each file's first
-- call (081's baton_import_check): the refusal was said once a file, two
-- lines each (200 for a run of 100 pages), after the run had made its
-- rejects file anew, emptying the last run's.  The client now asks this
-- first, before it makes the rejects file.  The rule and the message are
-- 081's, which every import function still checks: this only says it
-- sooner.  (081's function also checks the session's temporary tables, and
-- its helper for them is no one's to call.)
CREATE FUNCTION baton_import_allowed() RETURNS void
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF NOT pg_has_role(session_user, 'baton_importer', 'MEMBER') AND NOT baton_me_bypasses() THEN
        RAISE EXCEPTION 'role % may not import: importing takes a role granted baton_importer', session_user
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'an administrator can run GRANT baton_importer TO ' || session_user;
    END IF;
END $$;

-- 081's check asks the same rule through it: one rule, one message.
CREATE OR REPLACE FUNCTION baton_import_check() RETURNS void
LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM baton_import_allowed();
    PERFORM baton_import_temp_check();
END $$;
