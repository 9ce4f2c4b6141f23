-- Baton schema, version 64: teams are made by administrators, with the
-- command line (`baton team add|set|list`), not only by psql.
--
-- A database made by `baton migrate` had no team, and nothing in Baton
-- made one: the README's first `baton staff add ana --team support`
-- failed, and with PL/pgSQL's "RAISE statement option cannot be null",
-- because 005's hint listed the teams with string_agg over none.  A team
-- is a row the whole staff shares (handoffs go to it, its leads review its
-- queue), so it is changed by the server's functions, by an administrator,
-- and audited like every other row of `team` (004's trigger).  Nothing
-- is told: the forms and the queue read the teams when they open.

-- 005's lookup, restated whole: its hint says what to do when there is no
-- team at all.
CREATE OR REPLACE FUNCTION baton_staff_team(p_team text) RETURNS text
LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
DECLARE
    v_team text;
BEGIN
    SELECT t.id INTO v_team FROM team t WHERE t.id = lower(p_team) OR lower(t.name) = lower(p_team);
    IF v_team IS NULL THEN
        RAISE EXCEPTION 'unknown team "%"', p_team USING ERRCODE = 'invalid_parameter_value',
            HINT = coalesce('the teams are: ' || (SELECT string_agg(id, ', ' ORDER BY id) FROM team),
                            'there is no team yet: an administrator adds one with baton team add ID --name NAME');
    END IF;
    RETURN v_team;
END $$;

-- Refuse unless the session user is an administrator.
CREATE FUNCTION baton_team_admin_check() RETURNS void
LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
BEGIN
    IF NOT pg_has_role(session_user, 'baton_admin', 'MEMBER') THEN
        RAISE EXCEPTION 'only an administrator (a role granted baton_admin) can change teams; % is not one',
            session_user USING ERRCODE = 'insufficient_privilege';
    END IF;
END $$;

CREATE FUNCTION baton_team_name_check(p_name text) RETURNS text
LANGUAGE plpgsql IMMUTABLE SET search_path = public, pg_temp AS $$
BEGIN
    IF p_name IS NULL OR btrim(p_name) = '' OR length(btrim(p_name)) > 80 OR btrim(p_name) ~ '[[:cntrl:]]' THEN
        RAISE EXCEPTION 'a team''s name has 1 to 80 characters, no control characters'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN btrim(p_name);
END $$;

-- Names are told apart without case (the staff commands find a team by
-- its id or its name): none other than p_id's may have it.
CREATE FUNCTION baton_team_name_free(p_id text, p_name text) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
DECLARE
    v_other team%ROWTYPE;
BEGIN
    SELECT * INTO v_other FROM team t
    WHERE (lower(t.name) = lower(p_name) OR t.id = lower(p_name)) AND t.id <> p_id LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'team % is already called "%"', v_other.id, v_other.name USING ERRCODE = 'unique_violation';
    END IF;
END $$;

-- A new team: its id (what handoffs and staff entries name; never changes)
-- and its name (what screens show).
CREATE FUNCTION baton_team_add(p_id text, p_name text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_name text;
BEGIN
    PERFORM baton_team_admin_check();
    IF p_id IS NULL OR p_id !~ '^[a-z][a-z0-9_-]{0,31}$' THEN
        RAISE EXCEPTION 'team id "%" is not usable: a lower-case letter, then lower-case letters, digits, _ and -, at most 32',
            p_id USING ERRCODE = 'invalid_parameter_value';
    END IF;
    v_name := baton_team_name_check(p_name);
    IF EXISTS (SELECT 1 FROM team t WHERE t.id = p_id) THEN
        RAISE EXCEPTION 'team % already exists', p_id USING ERRCODE = 'unique_violation',
            HINT = 'rename it with baton team set ' || p_id || ' --name NAME';
    END IF;
    PERFORM baton_team_name_free(p_id, v_name);
    INSERT INTO team (id, name) VALUES (p_id, v_name);
END $$;

-- A team's new name; the team found as the staff commands find it (by its
-- id or its name), with their message when there is none.
CREATE FUNCTION baton_team_set(p_id text, p_name text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_name text;
    v_id text;
BEGIN
    PERFORM baton_team_admin_check();
    v_id := baton_staff_team(p_id);
    v_name := baton_team_name_check(p_name);
    PERFORM baton_team_name_free(v_id, v_name);
    UPDATE team t SET name = v_name WHERE t.id = v_id;
END $$;

REVOKE ALL ON FUNCTION baton_team_admin_check(), baton_team_name_check(text), baton_team_name_free(text, text),
    baton_team_add(text, text), baton_team_set(text, text) FROM PUBLIC;
-- Granted to the staff as well, so that a person who tries is told by the
-- function's own check that it takes an administrator.
GRANT EXECUTE ON FUNCTION baton_team_add(text, text), baton_team_set(text, text) TO baton_staff, baton_admin;
