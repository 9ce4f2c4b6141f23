-- Baton schema, version 5: people and roles, and reads enforced by the server.
--
-- Staff are administered with `baton staff` through the functions below,
-- which only roles granted baton_admin (migration 004) may use: they create
-- (or adopt) the person's PostgreSQL login role, write the staff row and
-- grant baton_staff in one transaction, and never handle a password (set one
-- with psql's \password, or use peer or certificate authentication).
--
-- REQUIREMENT: these functions are SECURITY DEFINER, so CREATE ROLE and
-- ALTER ROLE run with the rights of whoever ran `baton migrate` (their
-- owner).  That role must be a superuser or have CREATEROLE; otherwise
-- `baton staff add|disable|enable` refuse with a message saying so.
--
-- Every table holding customer data is protected by row-level security:
-- a member of baton_staff reads a row only while they have an active staff
-- row (disabling someone takes effect on their sessions' next query, from
-- psql as from Baton) and, if an administrator gave them a scope, only
-- about customers of those segments.  The check of the session user is
-- written as an uncorrelated subquery, (SELECT baton_me_sees_all()), which
-- PostgreSQL evaluates once per query (an InitPlan), not once per row; a
-- row's customer is looked up (by primary key) only for a person limited
-- by a scope.  Owners and superusers bypass row-level security:
-- migrations, imports and the demo load run as them.

-- Scope: the customer segments a person may see; NULL: all of them.
ALTER TABLE staff ADD COLUMN scope text[]
    CHECK (scope IS NULL OR (cardinality(scope) > 0
           AND scope <@ ARRAY['smb', 'mid-market', 'enterprise', 'strategic']));

-- Who am I, for the policies.  SQL-standard bodies: parsed here, once, so
-- that no search_path can change what they mean, and simple enough for the
-- planner to inline; they read the staff table, which every staff member
-- may read.  In a policy each is written (SELECT f()): an InitPlan,
-- evaluated once per query (and only when needed), not once per row.
CREATE FUNCTION baton_me_active() RETURNS boolean
LANGUAGE sql STABLE
RETURN EXISTS (SELECT 1 FROM public.staff s WHERE s.role_name = session_user AND s.active);

-- Active and not limited by a scope: everything is visible.
CREATE FUNCTION baton_me_sees_all() RETURNS boolean
LANGUAGE sql STABLE
RETURN EXISTS (SELECT 1 FROM public.staff s
               WHERE s.role_name = session_user AND s.active AND s.scope IS NULL);

-- The segments an active person may see (NULL: all, or not active).
CREATE FUNCTION baton_me_scope() RETURNS text[]
LANGUAGE sql STABLE
RETURN (SELECT s.scope FROM public.staff s WHERE s.role_name = session_user AND s.active);

-- Whether the session user may see one customer (or one handoff's): for a
-- scoped person's rows, one primary-key lookup each, and for the checks of
-- single writes (the handoff functions run as their owner, past the
-- policies).
CREATE FUNCTION baton_me_sees_customer(p_customer bigint) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT EXISTS (SELECT 1 FROM customer c JOIN staff s ON s.role_name = session_user
                   WHERE c.id = p_customer AND s.active
                     AND (s.scope IS NULL OR c.segment = ANY (s.scope)))
$$;

CREATE FUNCTION baton_me_sees_handoff(p_handoff uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT baton_me_sees_customer((SELECT h.customer_id FROM handoff h WHERE h.id = p_handoff))
$$;

-- Roles that bypass row-level security anyway (superusers, BYPASSRLS, the
-- owner of the tables): their writes are not checked against a staff row.
CREATE FUNCTION baton_me_bypasses() RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT r.rolsuper OR r.rolbypassrls
           OR pg_has_role(session_user, (SELECT relowner FROM pg_class
                                         WHERE oid = 'public.customer'::regclass), 'MEMBER')
    FROM pg_roles r WHERE r.rolname = session_user
$$;

REVOKE ALL ON FUNCTION baton_me_active(), baton_me_sees_all(), baton_me_scope(),
    baton_me_sees_customer(bigint), baton_me_sees_handoff(uuid), baton_me_bypasses() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION baton_me_active(), baton_me_sees_all(), baton_me_scope(),
    baton_me_sees_customer(bigint), baton_me_sees_handoff(uuid), baton_me_bypasses()
    TO baton_staff, baton_admin;

-- Read policies ----------------------------------------------------------------
ALTER TABLE customer ENABLE ROW LEVEL SECURITY;
CREATE POLICY staff_read ON customer FOR SELECT TO baton_staff
    USING ((SELECT baton_me_sees_all()) OR segment = ANY ((SELECT baton_me_scope())::text[]));

-- The tables that belong to a customer: visible with their customer.  Only
-- for a scoped person is the customer looked up, by its primary key: OR and
-- AND stop as soon as they know.
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['customer_external_id', 'contact', 'milestone', 'ticket',
                             'success_note', 'marketing_event', 'survey_response', 'handoff']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY staff_read ON %I FOR SELECT TO baton_staff'
                       ' USING ((SELECT baton_me_sees_all())'
                       '        OR ((SELECT baton_me_active()) AND baton_me_sees_customer(customer_id)))', t);
    END LOOP;
END $$;

ALTER TABLE handoff_event ENABLE ROW LEVEL SECURITY;
CREATE POLICY staff_read ON handoff_event FOR SELECT TO baton_staff
    USING ((SELECT baton_me_sees_all())
           OR ((SELECT baton_me_active()) AND baton_me_sees_handoff(handoff_id)));

-- The finder's candidates.  Row-level security orders the policies' checks
-- before any condition of the query that is not leakproof, and LIKE, lower()
-- and the trigram operators are not: under the policies no index could
-- serve a search (every search would read the whole tables).  So the
-- index-backed branches run here, as the owner, each limited to what the
-- session user may see (the same functions as the policies) before its
-- LIMIT; the caller joins the ids to customer, under its policy again.
-- p_contains: names also match anywhere (three characters or more), and a
-- match at the start ranks 0.  Names are compared folded (customer.
-- name_folded, migration 003); domains, e-mails and external ids by their
-- start (text_pattern_ops indexes, whose order USING ~<~ follows).  The
-- patterns are made from the text in the statement, which EXECUTE plans
-- with the values given, so that they are constants and the indexes apply;
-- folding comes before escaping because it can produce LIKE metacharacters.
-- ROWS: what it returns is at most 300 ids, usually fewer; an estimate of
-- that size lets the caller join them to customer by its primary key
-- instead of reading the whole table.
CREATE FUNCTION baton_find(p_text text, p_contains boolean)
RETURNS TABLE (cid bigint, how integer)
LANGUAGE plpgsql STABLE SECURITY DEFINER ROWS 100 SET search_path = public, pg_temp AS $f$
DECLARE
    v_scope text[];  -- NULL: every segment
BEGIN
    IF baton_me_active() THEN
        v_scope := baton_me_scope();
    ELSIF NOT baton_me_bypasses() THEN
        RETURN;
    END IF;
    RETURN QUERY EXECUTE $q$
        (SELECT id, CASE WHEN $2 THEN 0 ELSE 1 END FROM customer
          WHERE name_folded LIKE baton_like_escape(baton_fold($1)) || '%'
            AND ($3 IS NULL OR segment = ANY ($3))
          ORDER BY name_folded USING ~<~ LIMIT 50)
        UNION ALL (SELECT id, 1 FROM customer
          WHERE $2 AND name_folded LIKE '%' || baton_like_escape(baton_fold($1)) || '%'
            AND ($3 IS NULL OR segment = ANY ($3))
          LIMIT 100)
        UNION ALL (SELECT id, 2 FROM customer
          WHERE lower(domain) LIKE baton_like_escape(lower($1)) || '%'
            AND ($3 IS NULL OR segment = ANY ($3))
          ORDER BY lower(domain) USING ~<~ LIMIT 50)
        UNION ALL (SELECT x.customer_id, 3 FROM contact x
          WHERE lower(x.email) LIKE baton_like_escape(lower($1)) || '%'
            AND ($3 IS NULL OR EXISTS (SELECT 1 FROM customer c
                 WHERE c.id = x.customer_id AND c.segment = ANY ($3)))
          ORDER BY lower(x.email) USING ~<~ LIMIT 50)
        UNION ALL (SELECT x.customer_id, 4 FROM customer_external_id x
          WHERE lower(x.external_id) LIKE baton_like_escape(lower($1)) || '%'
            AND ($3 IS NULL OR EXISTS (SELECT 1 FROM customer c
                 WHERE c.id = x.customer_id AND c.segment = ANY ($3)))
          ORDER BY lower(x.external_id) USING ~<~ LIMIT 50)
    $q$ USING p_text, p_contains, v_scope;
END $f$;
REVOKE ALL ON FUNCTION baton_find(text, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION baton_find(text, boolean) TO baton_staff;

-- Write policies: staff write only about customers they see, and only while
-- active.  Notes are inserted directly; handoffs and their events go
-- through the functions of migration 002 (the demo's history is written
-- directly, with a right lent for that load only).
CREATE POLICY staff_write ON success_note FOR INSERT TO baton_staff
    WITH CHECK (baton_me_sees_customer(customer_id));
CREATE POLICY staff_write ON handoff FOR INSERT TO baton_staff
    WITH CHECK (baton_me_sees_customer(customer_id));
CREATE POLICY staff_write ON handoff_event FOR INSERT TO baton_staff
    WITH CHECK (baton_me_sees_handoff(handoff_id));

-- The handoff functions run as their owner, past the policies: a trigger
-- holds every write of a handoff or its events to the same rule, whichever
-- function (of this version or a later one) makes it.  The same words as
-- for a customer that does not exist: a scope does not reveal what it hides.
CREATE FUNCTION baton_check_reach() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_customer bigint;
BEGIN
    IF baton_me_bypasses() THEN
        RETURN NEW;
    END IF;
    IF NOT baton_me_active() THEN
        RAISE EXCEPTION 'role % is not an active staff member', session_user
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'ask an administrator (baton staff add or enable)';
    END IF;
    IF TG_TABLE_NAME = 'handoff_event' THEN
        SELECT h.customer_id INTO v_customer FROM handoff h WHERE h.id = NEW.handoff_id;
    ELSE
        v_customer := NEW.customer_id;
    END IF;
    IF NOT baton_me_sees_customer(v_customer) THEN
        RAISE EXCEPTION 'unknown customer %', v_customer USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION baton_check_reach() FROM PUBLIC;

CREATE TRIGGER handoff_reach BEFORE INSERT OR UPDATE ON handoff
    FOR EACH ROW EXECUTE FUNCTION baton_check_reach();
CREATE TRIGGER handoff_event_reach BEFORE INSERT ON handoff_event
    FOR EACH ROW EXECUTE FUNCTION baton_check_reach();
CREATE TRIGGER success_note_reach BEFORE INSERT ON success_note
    FOR EACH ROW EXECUTE FUNCTION baton_check_reach();

-- Administration ---------------------------------------------------------------
-- Refuse unless the session user (never the function's owner) is an admin.
-- Runs with its caller's rights, so that current_user is the owner of the
-- function about to create or alter a role.
CREATE FUNCTION baton_staff_admin_check(p_role name, p_needs_createrole boolean)
RETURNS void
LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
BEGIN
    IF NOT pg_has_role(session_user, 'baton_admin', 'MEMBER') THEN
        RAISE EXCEPTION 'only an administrator (a role granted baton_admin) can change staff; % is not one',
            session_user USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF p_role IS NULL OR p_role !~ '^[a-z_][a-z0-9_.@-]{0,62}$' OR p_role ~ '^pg_'
            OR p_role IN ('baton_staff', 'baton_admin', 'public') THEN
        RAISE EXCEPTION 'role name "%" is not usable for a person: lower-case letters, digits and _ . @ -, at most 63, not pg_...',
            p_role USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF p_needs_createrole AND NOT EXISTS (SELECT 1 FROM pg_roles
            WHERE rolname = current_user AND (rolsuper OR rolcreaterole)) THEN
        RAISE EXCEPTION 'Baton''s functions belong to role %, which may not create or alter roles',
            current_user USING ERRCODE = 'insufficient_privilege',
            HINT = 'run baton migrate as a superuser or a role with CREATEROLE, or grant it CREATEROLE';
    END IF;
END $$;

-- The team by its id or name, or an error.
CREATE FUNCTION baton_staff_team(p_team text) RETURNS text
LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
DECLARE
    v_team text;
BEGIN
    SELECT t.id INTO v_team FROM team t WHERE t.id = lower(p_team) OR lower(t.name) = lower(p_team);
    IF v_team IS NULL THEN
        RAISE EXCEPTION 'unknown team "%"', p_team USING ERRCODE = 'invalid_parameter_value',
            HINT = 'the teams are: ' || (SELECT string_agg(id, ', ' ORDER BY id) FROM team);
    END IF;
    RETURN v_team;
END $$;

-- Add a person.  Returns true when the login role was created, false when an
-- existing role was adopted (it keeps its password and settings).
CREATE FUNCTION baton_staff_add(p_role name, p_name text, p_team text, p_lead boolean,
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

-- Disable or enable a person: the staff row and the login together.  The
-- person's open sessions keep their connection but read nothing more (the
-- policies) and write nothing more (the functions' and policies' checks).
CREATE FUNCTION baton_staff_set_active(p_role name, p_active boolean) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM baton_staff_admin_check(p_role, true);
    IF NOT p_active AND p_role = session_user THEN
        RAISE EXCEPTION 'you cannot disable yourself' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    UPDATE staff s SET active = p_active WHERE s.role_name = p_role;
    IF NOT FOUND THEN
        RAISE EXCEPTION '% is not on the staff', p_role USING ERRCODE = 'no_data_found';
    END IF;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = p_role) THEN
        EXECUTE format('ALTER ROLE %I %s', p_role, CASE WHEN p_active THEN 'LOGIN' ELSE 'NOLOGIN' END);
    END IF;
    -- Open consoles re-check who they are.
    PERFORM pg_notify('baton', 'staff:' || p_role);
END $$;

-- Change what is given (NULL: unchanged).  p_email '' removes the address;
-- p_scope '{}' removes the scope (every segment).
CREATE FUNCTION baton_staff_set(p_role name, p_team text, p_lead boolean, p_name text,
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
        display_name = coalesce(p_name, s.display_name),
        email = CASE WHEN p_email IS NULL THEN s.email ELSE nullif(p_email, '') END,
        scope = CASE WHEN p_scope IS NULL THEN s.scope
                     ELSE nullif(ARRAY(SELECT DISTINCT x FROM unnest(p_scope) x ORDER BY x), '{}') END
    WHERE s.role_name = p_role;
    IF NOT FOUND THEN
        RAISE EXCEPTION '% is not on the staff', p_role USING ERRCODE = 'no_data_found';
    END IF;
    PERFORM pg_notify('baton', 'staff:' || p_role);
END $$;

REVOKE ALL ON FUNCTION baton_staff_admin_check(name, boolean), baton_staff_team(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION baton_staff_add(name, text, text, boolean, text),
    baton_staff_set_active(name, boolean), baton_staff_set(name, text, boolean, text, text, text[])
    FROM PUBLIC;
-- Staff may call them, to be refused in words by the check above.
GRANT EXECUTE ON FUNCTION baton_staff_add(name, text, text, boolean, text),
    baton_staff_set_active(name, boolean), baton_staff_set(name, text, boolean, text, text, text[])
    TO baton_staff, baton_admin;

-- An administrator need not be on the staff: they read the staff list and
-- the schema version (baton staff list, the version check of every command).
GRANT USAGE ON SCHEMA public TO baton_admin;
GRANT SELECT ON staff, team, baton_schema_migrations TO baton_admin;
