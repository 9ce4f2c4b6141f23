-- Baton schema, version 80: a team name that clashes says with what.
--
-- A team's name may not be another team's name (case aside) nor another
-- team's id, since the staff commands find a team by either.  064 said
-- 'team support is already called "Customer Support"' for both: for
-- `team add sales --name support`, where no team was called support (it
-- is the id of the team called Customer Support), that read as nonsense
-- (README review).  Now a name clash says whose name it is, and an id
-- clash says it is that team's id.
--
-- 064's baton_team_name_free, with the two messages.
CREATE OR REPLACE FUNCTION baton_team_name_free(p_id text, p_name text) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
DECLARE
    v_other team%ROWTYPE;
BEGIN
    SELECT * INTO v_other FROM team t
    WHERE lower(t.name) = lower(p_name) AND t.id <> p_id LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'team % is already called "%"', v_other.id, v_other.name USING ERRCODE = 'unique_violation';
    END IF;
    SELECT * INTO v_other FROM team t WHERE t.id = lower(p_name) AND t.id <> p_id LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'the name "%" is the id of team % ("%"): a name may not be another team''s id',
            btrim(p_name), v_other.id, v_other.name USING ERRCODE = 'unique_violation',
            HINT = 'the staff commands find a team by its id or its name';
    END IF;
END $$;
