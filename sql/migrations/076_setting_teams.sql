-- Baton schema, version 76: a setting that names teams names teams that
-- exist.
--
-- What was wrong: onboarding_team and campaign_hold_teams were checked for
-- the form of a team id only.  `baton settings set onboarding_team
-- onbaording` was accepted, and from then on the server refused every
-- milestone change of the whole onboarding team ("only the onbaording team
-- ... can"); `campaign_hold_teams marketting` left nobody able to hold a
-- send.  The mistake showed only where it hurt, to someone else.
--
-- What now: baton_setting_set (006's, restated whole) refuses a value of
-- either setting that names a team there is none of, naming the unknown
-- ones, the teams there are and `baton team list`.  The form is checked
-- first, as before (the constraint's "takes ..." message).  A value that
-- does not change is still no change, whatever it names: the built-in
-- defaults (onboarding, marketing) name teams an administrator may not
-- have added yet, and they take effect when a team with that id is added.
--
-- A team's id never changes (`baton team set` renames it: the name only),
-- and Baton removes no team.  So that a setting cannot be left naming a
-- team that is gone by other means (psql, as the owner), a trigger on team
-- refuses to delete a team, or change its id, while a setting names it.

-- The teams p_value of setting p_key names that do not exist, quoted and
-- comma-separated in the order given; NULL if none (or p_key names no
-- teams).
CREATE FUNCTION baton_setting_unknown_teams(p_key text, p_value text) RETURNS text
LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
    SELECT string_agg(format('"%s"', x.t), ', ' ORDER BY x.n)
    FROM unnest(string_to_array(p_value, ',')) WITH ORDINALITY AS x(t, n)
    WHERE p_key IN ('onboarding_team', 'campaign_hold_teams') AND x.t <> '*'
      AND NOT EXISTS (SELECT 1 FROM team tm WHERE tm.id = x.t)
$$;
REVOKE ALL ON FUNCTION baton_setting_unknown_teams(text, text) FROM PUBLIC;

-- 006's, with the teams checked.
CREATE OR REPLACE FUNCTION baton_setting_set(p_key text, p_value text) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_row baton_setting%ROWTYPE;
    v_unknown text;
BEGIN
    PERFORM baton_require_admin();
    SELECT * INTO v_row FROM baton_setting s WHERE s.key = p_key FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'unknown setting "%": the settings are %', p_key,
            (SELECT string_agg(s.key, ', ' ORDER BY s.key) FROM baton_setting s)
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
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

-- A team a setting names keeps its id and stays.
CREATE FUNCTION baton_team_named_by_setting() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_key text;
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.id = OLD.id THEN
        RETURN NEW;
    END IF;
    SELECT s.key INTO v_key FROM baton_setting s
    WHERE s.key IN ('onboarding_team', 'campaign_hold_teams')
      AND OLD.id = ANY (string_to_array(s.value, ','))
    ORDER BY s.key LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'team % is named by the setting %: change the setting first (baton settings set %)',
            OLD.id, v_key, v_key USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
END $$;
REVOKE ALL ON FUNCTION baton_team_named_by_setting() FROM PUBLIC;

CREATE TRIGGER team_named_by_setting BEFORE DELETE OR UPDATE OF id ON team
    FOR EACH ROW EXECUTE FUNCTION baton_team_named_by_setting();
