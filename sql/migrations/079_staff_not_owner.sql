-- Baton schema, version 79: baton staff add refuses the owner of the tables.
--
-- A review following the README set Baton up as the role that owns the
-- database (as the README says to), then ran baton staff add for that role,
-- as doctor suggested: it was adopted.  Row-level security does not apply
-- to a table's owner, so neither its scope nor baton staff disable limited
-- what it read in psql, while staff add refuses superusers and BYPASSRLS
-- roles because "it would see past every rule".  Now a role that owns
-- Baton's tables, or may act as their owner (a member of it), is refused
-- the same way.  A role adopted before stays as it is.
--
-- 078's baton_staff_add, with that check.
CREATE OR REPLACE FUNCTION baton_staff_add(p_role name, p_name text, p_team text, p_lead boolean,
                                           p_email text)
RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_role pg_roles%ROWTYPE;
    v_team text;
    v_create boolean;
    v_name text;
    v_email text;
BEGIN
    PERFORM baton_staff_admin_check(p_role, true);
    v_team := baton_staff_team(p_team);
    v_name := baton_staff_name_check(p_name);
    v_email := baton_staff_email_check(p_email);
    IF EXISTS (SELECT 1 FROM staff s WHERE s.role_name = p_role) THEN
        RAISE EXCEPTION '% is already on the staff', p_role USING ERRCODE = 'unique_violation',
            HINT = 'change it with baton staff set, or baton staff enable';
    END IF;
    SELECT * INTO v_role FROM pg_roles r WHERE r.rolname = p_role;
    v_create := NOT FOUND;
    IF NOT v_create AND (v_role.rolsuper OR v_role.rolbypassrls) THEN
        RAISE EXCEPTION 'role % bypasses row-level security (superuser or BYPASSRLS): use a plain login role for a person',
            p_role USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF NOT v_create AND v_role.rolcreaterole THEN
        RAISE EXCEPTION 'role % has CREATEROLE: it could grant itself baton_admin and change other roles, so it would see past every rule; use a plain login role for a person',
            p_role USING ERRCODE = 'invalid_parameter_value',
            HINT = format('ALTER ROLE %I NOCREATEROLE, then add it again', p_role);
    END IF;
    -- Row-level security does not apply to the owner of a table, nor to a
    -- role that may act as it (SET ROLE): it reads every customer whatever
    -- its scope or state.
    IF NOT v_create AND pg_has_role(p_role, (SELECT c.relowner FROM pg_class c
                                              WHERE c.oid = 'customer'::regclass), 'MEMBER') THEN
        RAISE EXCEPTION 'role % owns Baton''s tables (or may act as their owner): row-level security does not apply to an owner, so it would see past every rule; use a plain login role for a person',
            p_role USING ERRCODE = 'invalid_parameter_value',
            HINT = 'the owner runs baton migrate; a person, even its administrator, gets a login role of their own';
    END IF;
    -- Another administrator adding the same person at the same moment:
    -- this one waited for the other's role (or staff row) and finds it.
    BEGIN
        IF v_create THEN
            EXECUTE format('CREATE ROLE %I LOGIN', p_role);
        ELSIF NOT v_role.rolcanlogin THEN
            EXECUTE format('ALTER ROLE %I LOGIN', p_role);
        END IF;
        INSERT INTO staff (role_name, display_name, team_id, is_lead, email)
        VALUES (p_role, v_name, v_team, coalesce(p_lead, false), v_email);
    EXCEPTION WHEN unique_violation THEN
        RAISE EXCEPTION '% is already on the staff: another administrator added it just now', p_role
            USING ERRCODE = 'unique_violation', HINT = 'baton staff list shows it';
    END;
    EXECUTE format('GRANT baton_staff TO %I', p_role);
    RETURN v_create;
END $$;
