-- Baton schema, version 77: `baton staff add` refuses a role with
-- CREATEROLE, as it refuses a superuser or BYPASSRLS role.
--
-- What was wrong: 005's baton_staff_add refused to adopt a role that
-- bypasses row-level security, "because it would see past every rule",
-- but adopted one with CREATEROLE.  Such a role may GRANT baton_admin to
-- itself (PostgreSQL 15 lets CREATEROLE grant any role that is not a
-- superuser's), and then change staff, settings and read the audit; on 15
-- it may also change other roles' passwords and attributes, staff's
-- included.  A person's role on the staff could make itself anything.
--
-- What now: baton_staff_add (005's, restated whole) refuses an existing
-- role with CREATEROLE, saying so and how to make it a plain login role
-- (nothing is created, granted or written).  A role Baton creates never
-- has it.

CREATE OR REPLACE FUNCTION baton_staff_add(p_role name, p_name text, p_team text, p_lead boolean,
                                           p_email text)
RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_role pg_roles%ROWTYPE;
    v_team text;
    v_create boolean;
BEGIN
    PERFORM baton_staff_admin_check(p_role, true);
    v_team := baton_staff_team(p_team);
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
    IF v_create THEN
        EXECUTE format('CREATE ROLE %I LOGIN', p_role);
    ELSIF NOT v_role.rolcanlogin THEN
        EXECUTE format('ALTER ROLE %I LOGIN', p_role);
    END IF;
    INSERT INTO staff (role_name, display_name, team_id, is_lead, email)
    VALUES (p_role, p_name, v_team, coalesce(p_lead, false), nullif(p_email, ''));
    EXECUTE format('GRANT baton_staff TO %I', p_role);
    RETURN v_create;
END $$;
