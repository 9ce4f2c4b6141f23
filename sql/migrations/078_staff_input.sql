-- Baton schema, version 78: a person's name and e-mail are checked by the
-- staff functions, in words, and two administrators adding the same person
-- at once are told so.
--
-- What was wrong:
-- * `baton staff set ROLE --email nope` and `--name ''` (and the same for
--   `staff add`) reached the table's checks and came back as PostgreSQL's
--   'new row ... violates check constraint "staff_email_check"' (or
--   "staff_display_name_check").
-- * A display name took control characters (ESC, BEL, CR, LF) that a
--   team's name refuses (064): a name is shown in every client's lists,
--   headers and CSV exports, and written by one administrator for all.
-- * Two administrators adding the same role at the same moment: the one
--   who waited got 'duplicate key value violates unique constraint
--   "pg_authid_rolname_index"' (or staff_pkey when the role existed).
--
-- What now: baton_staff_name_check and baton_staff_email_check say what
-- a name (1 to 120 characters once trimmed, no control characters: as
-- 064's team names) and an address (one @ with something on either side,
-- no spaces or control characters, at most 254) are, naming the value
-- refused.  baton_staff_add (077's) and baton_staff_set (005's), restated
-- whole, use them, and staff_add turns the loser's unique violation into
-- "ROLE is already on the staff" as when it came second.  Rows written
-- before are left as they are (the clients clean what they show).

-- The name to store, trimmed; refused in words.
CREATE FUNCTION baton_staff_name_check(p_name text) RETURNS text
LANGUAGE plpgsql IMMUTABLE SET search_path = public, pg_temp AS $$
BEGIN
    IF p_name IS NULL OR btrim(p_name) = '' OR length(btrim(p_name)) > 120
            OR btrim(p_name) ~ '[[:cntrl:]]' THEN
        RAISE EXCEPTION 'a person''s name has 1 to 120 characters, no control characters'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN btrim(p_name);
END $$;

-- The address to store ('' and NULL: none); refused in words.
CREATE FUNCTION baton_staff_email_check(p_email text) RETURNS text
LANGUAGE plpgsql IMMUTABLE SET search_path = public, pg_temp AS $$
BEGIN
    IF p_email IS NULL OR p_email = '' THEN
        RETURN NULL;
    END IF;
    IF p_email !~ '^[^@[:space:][:cntrl:]]+@[^@[:space:][:cntrl:]]+$' OR length(p_email) > 254 THEN
        RAISE EXCEPTION 'an e-mail address is like name@example.com (one @, no spaces), not "%"',
            regexp_replace(left(p_email, 80), '[[:cntrl:]]', '?', 'g')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN p_email;
END $$;
REVOKE ALL ON FUNCTION baton_staff_name_check(text), baton_staff_email_check(text) FROM PUBLIC;

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

-- Change what is given (NULL: unchanged).  p_email '' removes the address;
-- p_scope '{}' removes the scope (every segment).
CREATE OR REPLACE FUNCTION baton_staff_set(p_role name, p_team text, p_lead boolean, p_name text,
                                           p_email text, p_scope text[])
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_bad text;
BEGIN
    PERFORM baton_staff_admin_check(p_role, false);
    SELECT string_agg(x, ', ') INTO v_bad FROM unnest(p_scope) x
    WHERE x NOT IN ('smb', 'mid-market', 'enterprise', 'strategic');
    IF v_bad IS NOT NULL THEN
        RAISE EXCEPTION 'unknown segment %', v_bad USING ERRCODE = 'invalid_parameter_value',
            HINT = 'the segments are: smb, mid-market, enterprise, strategic';
    END IF;
    UPDATE staff s SET
        team_id = CASE WHEN p_team IS NULL THEN s.team_id ELSE baton_staff_team(p_team) END,
        is_lead = coalesce(p_lead, s.is_lead),
        display_name = CASE WHEN p_name IS NULL THEN s.display_name ELSE baton_staff_name_check(p_name) END,
        email = CASE WHEN p_email IS NULL THEN s.email ELSE baton_staff_email_check(p_email) END,
        scope = CASE WHEN p_scope IS NULL THEN s.scope
                     ELSE nullif(ARRAY(SELECT DISTINCT x FROM unnest(p_scope) x ORDER BY x), '{}') END
    WHERE s.role_name = p_role;
    IF NOT FOUND THEN
        RAISE EXCEPTION '% is not on the staff', p_role USING ERRCODE = 'no_data_found';
    END IF;
    PERFORM pg_notify('baton', 'staff:' || p_role);
END $$;
