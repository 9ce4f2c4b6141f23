-- Shared rules live in the shared database, and writes cannot lie.
--
-- Every client must obey the same rules, so they cannot come from one
-- client's configuration file: the handoff reasons, the acknowledgement
-- SLAs per priority and per team, the largest note, who may reassign and
-- who may comment.  Staff read them; only administrators (members of
-- baton_admin, migration 004) change them, through the functions below;
-- the audit triggers of 004 record every change.  The handoff functions
-- of 002 are replaced by ones that check every write against these tables
-- and compute the acknowledgement deadline themselves: the client no
-- longer sends one.

-- The rules --------------------------------------------------------------------
CREATE TABLE baton_setting (
    key      text PRIMARY KEY,
    value    text NOT NULL,
    accepts  text NOT NULL,   -- the values it takes, for people
    about    text NOT NULL,
    -- CASE, not AND: the cast runs only on digits.
    CONSTRAINT baton_setting_value CHECK (CASE key
        WHEN 'max_note_bytes' THEN
            CASE WHEN value ~ '^[0-9]{1,6}$' THEN value::integer BETWEEN 64 AND 65536 ELSE false END
        WHEN 'reassign_by' THEN value IN ('leads', 'leads-and-receivers')
        WHEN 'comment_by' THEN value IN ('staff', 'teams')
        ELSE false END)
);

-- Offered in this order when writing a handoff.
CREATE TABLE handoff_reason (
    name      text PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9_ -]{0,39}$'),
    position  integer NOT NULL
);

-- A priority is known when it has an SLA.
CREATE TABLE ack_sla (
    priority  text PRIMARY KEY CHECK (priority IN ('urgent', 'high', 'normal', 'low')),
    minutes   integer NOT NULL CHECK (minutes BETWEEN 1 AND 525600)
);

-- Teams that promise something else for a priority.
CREATE TABLE ack_sla_team (
    team_id   text NOT NULL REFERENCES team (id) ON DELETE CASCADE,
    priority  text NOT NULL REFERENCES ack_sla (priority),
    minutes   integer NOT NULL CHECK (minutes BETWEEN 1 AND 525600),
    PRIMARY KEY (team_id, priority)
);

-- The built-in defaults, written before the audit triggers exist: an
-- audit row for a table means an administrator (or `baton migrate`
-- importing an old configuration) has changed it.
INSERT INTO baton_setting (key, value, accepts, about) VALUES
    ('max_note_bytes', '16384', 'a number of bytes from 64 to 65536',
     'the largest handoff note or comment'),
    ('reassign_by', 'leads', 'leads or leads-and-receivers',
     'who may reassign a handoff: leads of the sending or receiving team (and, with leads-and-receivers, the receiving team)'),
    ('comment_by', 'staff', 'staff or teams',
     'who may comment on a handoff: any active staff, or the sending and receiving teams');
INSERT INTO handoff_reason (name, position) VALUES
    ('escalation', 1), ('renewal risk', 2), ('onboarding blocker', 3), ('billing', 4),
    ('feature request', 5), ('question', 6);
INSERT INTO ack_sla (priority, minutes) VALUES
    ('urgent', 60), ('high', 240), ('normal', 1440), ('low', 4320);

SELECT baton_audit_attach(tab, keycols) FROM (VALUES
    ('baton_setting', 'key'), ('handoff_reason', 'name'), ('ack_sla', 'priority'),
    ('ack_sla_team', 'team_id,priority')) AS x(tab, keycols);

REVOKE ALL ON baton_setting, handoff_reason, ack_sla, ack_sla_team FROM PUBLIC;
GRANT SELECT ON baton_setting, handoff_reason, ack_sla, ack_sla_team TO baton_staff, baton_admin;
-- An administrator need not be on the staff: Baton checks the schema
-- version before anything else.
GRANT SELECT ON baton_schema_migrations TO baton_admin;

-- Reading them -----------------------------------------------------------------
CREATE FUNCTION baton_setting_value(p_key text) RETURNS text
LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
    SELECT value FROM baton_setting WHERE key = p_key
$$;

-- When a handoff to p_team with p_priority must be acknowledged: the
-- team's own promise, else the priority's.
CREATE FUNCTION baton_ack_due(p_team text, p_priority text) RETURNS timestamptz
LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
    SELECT now() + make_interval(mins => coalesce(
        (SELECT t.minutes FROM ack_sla_team t WHERE t.team_id = p_team AND t.priority = p_priority),
        (SELECT s.minutes FROM ack_sla s WHERE s.priority = p_priority)))
$$;

-- Changing them: administrators only -------------------------------------------
CREATE FUNCTION baton_require_admin() RETURNS void
LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
BEGIN
    IF NOT pg_has_role(session_user, 'baton_admin', 'member') THEN
        RAISE EXCEPTION 'only an administrator can change the settings: role % is not a member of baton_admin',
            session_user USING ERRCODE = 'insufficient_privilege';
    END IF;
END $$;

-- Returns whether anything changed.
CREATE FUNCTION baton_setting_set(p_key text, p_value text) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_row baton_setting%ROWTYPE;
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
    RETURN true;
END $$;

CREATE FUNCTION baton_reason_add(p_name text) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM baton_require_admin();
    IF p_name IS NULL OR p_name !~ '^[a-z][a-z0-9_ -]{0,39}$' THEN
        RAISE EXCEPTION 'a reason is 1-40 lower-case letters, digits, spaces, ''-'' or ''_'', starting with a letter, not "%"',
            p_name USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF EXISTS (SELECT 1 FROM handoff_reason r WHERE r.name = p_name) THEN
        RETURN false;
    END IF;
    INSERT INTO handoff_reason (name, position)
    SELECT p_name, coalesce(max(r.position), 0) + 1 FROM handoff_reason r;
    RETURN true;
END $$;

-- Handoffs that have the reason keep it; new ones cannot use it.
CREATE FUNCTION baton_reason_remove(p_name text) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM baton_require_admin();
    PERFORM 1 FROM handoff_reason r FOR UPDATE;
    IF NOT EXISTS (SELECT 1 FROM handoff_reason r WHERE r.name = p_name) THEN
        RETURN false;
    END IF;
    IF (SELECT count(*) FROM handoff_reason) = 1 THEN
        RAISE EXCEPTION '"%" is the only reason left: add another before removing it', p_name
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    DELETE FROM handoff_reason r WHERE r.name = p_name;
    RETURN true;
END $$;

-- p_minutes NULL with a team: the team follows the priority's SLA again.
CREATE FUNCTION baton_sla_set(p_priority text, p_minutes integer, p_team text DEFAULT NULL)
RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_n integer;
BEGIN
    PERFORM baton_require_admin();
    IF NOT EXISTS (SELECT 1 FROM ack_sla s WHERE s.priority = p_priority) THEN
        RAISE EXCEPTION 'unknown priority "%": use urgent, high, normal or low', p_priority
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF p_team IS NOT NULL AND NOT EXISTS (SELECT 1 FROM team t WHERE t.id = p_team) THEN
        RAISE EXCEPTION 'unknown team "%"', p_team USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF (p_minutes IS NULL AND p_team IS NULL) OR p_minutes NOT BETWEEN 1 AND 525600 THEN
        RAISE EXCEPTION 'an acknowledgement SLA is from 1 minute to 365 days'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF p_team IS NULL THEN
        UPDATE ack_sla s SET minutes = p_minutes
        WHERE s.priority = p_priority AND s.minutes <> p_minutes;
    ELSIF p_minutes IS NULL THEN
        DELETE FROM ack_sla_team t WHERE t.team_id = p_team AND t.priority = p_priority;
    ELSE
        INSERT INTO ack_sla_team AS t (team_id, priority, minutes)
        VALUES (p_team, p_priority, p_minutes)
        ON CONFLICT (team_id, priority) DO UPDATE SET minutes = EXCLUDED.minutes
        WHERE t.minutes <> EXCLUDED.minutes;
    END IF;
    GET DIAGNOSTICS v_n = ROW_COUNT;
    RETURN v_n > 0;
END $$;

REVOKE ALL ON FUNCTION baton_setting_set(text, text), baton_reason_add(text),
    baton_reason_remove(text), baton_sla_set(text, integer, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION baton_setting_set(text, text), baton_reason_add(text),
    baton_reason_remove(text), baton_sla_set(text, integer, text) TO baton_staff, baton_admin;

-- Writes checked against them --------------------------------------------------
-- The functions of 002 took the acknowledgement deadline from the client
-- (p_ack_minutes): gone, so no client can send one.
DROP FUNCTION baton_handoff_create(uuid, uuid, bigint, text, name, text, text, bigint, text, integer);
DROP FUNCTION baton_handoff_step(uuid, uuid, text, text, integer, text, name, integer);

-- What a note or comment must be; NULL if it may be written.
CREATE FUNCTION baton_note_problem(p_what text, p_text text) RETURNS text
LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
    SELECT CASE
        WHEN coalesce(p_text, '') !~ '[^[:space:]]' THEN format('the %s is empty', p_what)
        WHEN octet_length(p_text) > baton_setting_value('max_note_bytes')::integer THEN
            format('the %s is %s bytes, more than the largest of %s bytes', p_what,
                   octet_length(p_text), baton_setting_value('max_note_bytes'))
        END
$$;

-- Create a handoff.  Retrying with the same id returns created = false and
-- changes nothing (the same author only), so a client that lost its
-- connection (even during COMMIT) can simply send it again.
CREATE FUNCTION baton_handoff_create(
    p_id uuid, p_event uuid, p_customer bigint, p_to_team text, p_to_staff name,
    p_reason text, p_priority text, p_ticket bigint, p_note text)
RETURNS TABLE (created boolean, state text, version integer)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_team text;
    v_row handoff%ROWTYPE;
    v_new uuid;
    v_problem text;
BEGIN
    SELECT * INTO v_row FROM handoff h WHERE h.id = p_id;
    IF FOUND THEN
        IF v_row.author <> session_user THEN
            RAISE EXCEPTION 'handoff % already exists and was written by someone else', p_id
                USING ERRCODE = 'unique_violation';
        END IF;
        RETURN QUERY SELECT false, v_row.state, v_row.version;
        RETURN;
    END IF;
    SELECT s.team_id INTO v_team FROM staff s WHERE s.role_name = session_user AND s.active;
    IF v_team IS NULL THEN
        RAISE EXCEPTION 'role % is not an active staff member', session_user
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'ask an administrator to add you to the staff table';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM handoff_reason r WHERE r.name = p_reason) THEN
        RAISE EXCEPTION 'unknown reason "%": the reasons are %', p_reason,
            (SELECT string_agg(r.name, ', ' ORDER BY r.position) FROM handoff_reason r)
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM ack_sla s WHERE s.priority = p_priority) THEN
        RAISE EXCEPTION 'unknown priority "%": use urgent, high, normal or low', p_priority
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    v_problem := baton_note_problem('note', p_note);
    IF v_problem IS NOT NULL THEN
        RAISE EXCEPTION '%', v_problem USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM customer c WHERE c.id = p_customer) THEN
        RAISE EXCEPTION 'unknown customer %', p_customer USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM team t WHERE t.id = p_to_team) THEN
        RAISE EXCEPTION 'unknown team "%"', p_to_team USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF p_to_staff IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM staff s WHERE s.role_name = p_to_staff AND s.team_id = p_to_team AND s.active) THEN
        RAISE EXCEPTION '"%" is not an active member of team %', p_to_staff, p_to_team
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF p_ticket IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM ticket t WHERE t.id = p_ticket AND t.customer_id = p_customer) THEN
        RAISE EXCEPTION 'ticket % is not one of this customer''s tickets', p_ticket
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    INSERT INTO handoff (id, customer_id, from_team, to_team, to_staff, reason, priority,
                         ticket_id, note, ack_due_at)
    VALUES (p_id, p_customer, v_team, p_to_team, p_to_staff, p_reason, p_priority,
            p_ticket, p_note, baton_ack_due(p_to_team, p_priority))
    ON CONFLICT (id) DO NOTHING
    RETURNING handoff.id INTO v_new;
    IF v_new IS NULL THEN
        -- A concurrent retry of the same handoff won the race.
        SELECT * INTO v_row FROM handoff h WHERE h.id = p_id;
        IF v_row.author <> session_user THEN
            RAISE EXCEPTION 'handoff % already exists and was written by someone else', p_id
                USING ERRCODE = 'unique_violation';
        END IF;
        RETURN QUERY SELECT false, v_row.state, v_row.version;
        RETURN;
    END IF;
    INSERT INTO handoff_event (id, handoff_id, kind) VALUES (p_event, p_id, 'created');
    PERFORM pg_notify('baton', 'customer:' || p_customer);
    RETURN QUERY SELECT true, 'open'::text, 1;
END $$;

-- Why session_user may not take step p_kind on v_row (NULL: it may), by
-- the handoff's state and the rules.
CREATE FUNCTION baton_step_refusal(v_row handoff, p_kind text, p_comment text,
                                   p_to_team text, p_to_staff name)
RETURNS text
LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
DECLARE
    v_team text;
    v_lead boolean;
    v_receiver boolean;
    v_lead_here boolean;
    v_last handoff_event%ROWTYPE;
    v_done text;
BEGIN
    SELECT s.team_id, s.is_lead INTO v_team, v_lead
        FROM staff s WHERE s.role_name = session_user AND s.active;
    v_receiver := v_row.to_staff IS NOT DISTINCT FROM session_user OR v_row.to_team = v_team;
    v_lead_here := v_lead AND v_team IN (v_row.from_team, v_row.to_team);
    SELECT * INTO v_last FROM handoff_event e WHERE e.handoff_id = v_row.id
        ORDER BY e.at DESC, e.id DESC LIMIT 1;
    v_done := format('it was already %s by %s at %s', v_row.state, v_last.actor,
                     to_char(v_last.at, 'YYYY-MM-DD HH24:MI'));
    RETURN CASE
        WHEN p_kind = 'acknowledged' AND v_row.state <> 'open' THEN v_done
        WHEN p_kind = 'acknowledged' AND NOT v_receiver THEN
            format('only %s (the receiving team) can acknowledge it', v_row.to_team)
        WHEN p_kind = 'resolved' AND v_row.state <> 'acknowledged' THEN
            CASE WHEN v_row.state = 'open' THEN 'acknowledge it before resolving it'
                 ELSE v_done END
        WHEN p_kind = 'resolved' AND NOT v_receiver THEN
            format('only %s (the receiving team) can resolve it', v_row.to_team)
        WHEN p_kind = 'cancelled' AND v_row.state NOT IN ('open', 'acknowledged') THEN v_done
        WHEN p_kind = 'cancelled' AND v_row.author <> session_user THEN
            format('only its author (%s) can cancel it', v_row.author)
        WHEN p_kind = 'reassigned' AND v_row.state NOT IN ('open', 'acknowledged') THEN v_done
        WHEN p_kind = 'reassigned' AND baton_setting_value('reassign_by') = 'leads'
                AND NOT v_lead_here THEN
            format('only a lead of the sending or receiving team (%s, %s) can reassign it',
                   v_row.from_team, v_row.to_team)
        WHEN p_kind = 'reassigned' AND NOT (v_lead_here OR v_receiver) THEN
            format('only a lead of the sending or receiving team (%s, %s) or the receiving team can reassign it',
                   v_row.from_team, v_row.to_team)
        WHEN p_kind = 'reassigned' AND (p_to_team IS NULL OR NOT EXISTS (
                SELECT 1 FROM team t WHERE t.id = p_to_team)) THEN
            format('unknown team "%s"', coalesce(p_to_team, ''))
        WHEN p_kind = 'reassigned' AND p_to_staff IS NOT NULL AND NOT EXISTS (
                SELECT 1 FROM staff s WHERE s.role_name = p_to_staff AND s.team_id = p_to_team
                AND s.active) THEN
            format('"%s" is not an active member of team %s', p_to_staff, p_to_team)
        WHEN p_kind = 'reassigned' AND p_to_team = v_row.to_team
                AND p_to_staff IS NOT DISTINCT FROM v_row.to_staff THEN
            'it is already assigned there'
        WHEN p_kind = 'commented' AND coalesce(p_comment, '') = '' THEN 'the comment is empty'
        WHEN p_kind = 'commented' AND baton_setting_value('comment_by') = 'teams'
                AND NOT (v_team IN (v_row.from_team, v_row.to_team) OR v_row.author = session_user
                         OR v_row.to_staff IS NOT DISTINCT FROM session_user) THEN
            format('only the sending or receiving team (%s, %s) can comment on it',
                   v_row.from_team, v_row.to_team)
        WHEN p_kind NOT IN ('acknowledged', 'resolved', 'cancelled', 'reassigned', 'commented') THEN
            format('unknown step "%s"', p_kind)
        WHEN coalesce(p_comment, '') <> '' THEN baton_note_problem('comment', p_comment)
        END;
END $$;

-- One step of a handoff's life: acknowledged, resolved, cancelled,
-- reassigned or commented.  p_event is the client-generated event id: a
-- retried step whose event already exists (written by the same person, on
-- the same handoff) reports done = true, already = true; anyone else's is
-- refused.  p_version, when given, must match the row's version
-- (optimistic concurrency): two people racing, one wins and the other is
-- refused with the fresh state.  A comment neither checks nor changes the
-- version: it does not invalidate what another person is acting on.
-- Refusals are answers (done = false, message), not errors.
CREATE FUNCTION baton_handoff_step(
    p_id uuid, p_event uuid, p_kind text, p_comment text, p_version integer,
    p_to_team text DEFAULT NULL, p_to_staff name DEFAULT NULL)
RETURNS TABLE (done boolean, already boolean, state text, version integer, message text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_row handoff%ROWTYPE;
    v_prev handoff_event%ROWTYPE;
    v_last handoff_event%ROWTYPE;
    v_msg text;
BEGIN
    SELECT * INTO v_prev FROM handoff_event e WHERE e.id = p_event;
    IF FOUND THEN
        IF v_prev.actor <> session_user OR v_prev.handoff_id <> p_id THEN
            RAISE EXCEPTION 'event % already exists and was recorded by someone else', p_event
                USING ERRCODE = 'unique_violation';
        END IF;
        RETURN QUERY SELECT true, true, h.state, h.version, 'already recorded'::text
            FROM handoff h WHERE h.id = p_id;
        RETURN;
    END IF;
    SELECT * INTO v_row FROM handoff h WHERE h.id = p_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no handoff %', p_id USING ERRCODE = 'no_data_found';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM staff s WHERE s.role_name = session_user AND s.active) THEN
        RAISE EXCEPTION 'role % is not an active staff member', session_user
            USING ERRCODE = 'insufficient_privilege';
    END IF;

    IF p_version IS NOT NULL AND p_version <> v_row.version AND p_kind <> 'commented' THEN
        SELECT * INTO v_last FROM handoff_event e WHERE e.handoff_id = p_id AND e.kind <> 'commented'
            ORDER BY e.at DESC, e.id DESC LIMIT 1;
        RETURN QUERY SELECT false, false, v_row.state, v_row.version,
            format('changed meanwhile: %s by %s at %s; it is now %s',
                   v_last.kind, v_last.actor, to_char(v_last.at, 'YYYY-MM-DD HH24:MI:SS'),
                   v_row.state);
        RETURN;
    END IF;

    v_msg := baton_step_refusal(v_row, p_kind, p_comment, p_to_team, p_to_staff);
    IF v_msg IS NOT NULL THEN
        RETURN QUERY SELECT false, false, v_row.state, v_row.version, v_msg;
        RETURN;
    END IF;

    IF p_kind = 'acknowledged' THEN
        UPDATE handoff h SET state = 'acknowledged', acknowledged_at = now(),
            acknowledged_by = session_user, version = h.version + 1 WHERE h.id = p_id;
    ELSIF p_kind IN ('resolved', 'cancelled') THEN
        UPDATE handoff h SET state = p_kind, closed_at = now(), closed_by = session_user,
            version = h.version + 1 WHERE h.id = p_id;
    ELSIF p_kind = 'reassigned' THEN
        -- The new receiver owns it now and must acknowledge it afresh, by
        -- the SLA of its team for the handoff's priority.
        UPDATE handoff h SET to_team = p_to_team, to_staff = p_to_staff, state = 'open',
            acknowledged_at = NULL, acknowledged_by = NULL,
            ack_due_at = baton_ack_due(p_to_team, h.priority),
            version = h.version + 1 WHERE h.id = p_id;
    END IF;
    INSERT INTO handoff_event (id, handoff_id, kind, comment, to_team, to_staff)
    VALUES (p_event, p_id, p_kind, nullif(p_comment, ''),
            CASE WHEN p_kind = 'reassigned' THEN p_to_team END,
            CASE WHEN p_kind = 'reassigned' THEN p_to_staff END);
    PERFORM pg_notify('baton', 'customer:' || v_row.customer_id);
    RETURN QUERY SELECT true, false, h.state, h.version, 'done'::text FROM handoff h WHERE h.id = p_id;
END $$;

REVOKE ALL ON FUNCTION baton_handoff_create(uuid, uuid, bigint, text, name, text, text, bigint, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION baton_handoff_step(uuid, uuid, text, text, integer, text, name) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION baton_handoff_create(uuid, uuid, bigint, text, name, text, text, bigint, text) TO baton_staff;
GRANT EXECUTE ON FUNCTION baton_handoff_step(uuid, uuid, text, text, integer, text, name) TO baton_staff;

-- Append-only tables: ids and times from the server ----------------------------
-- A success note's id comes from its sequence and its time from the
-- server's clock, whatever the client sends.  GENERATED ALWAYS refuses an
-- id, but OVERRIDING SYSTEM VALUE needs no privilege: the trigger also
-- refuses an id that is not the one the sequence just gave this session.
ALTER TABLE success_note ALTER COLUMN id SET GENERATED ALWAYS;

CREATE FUNCTION baton_stamp_server() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    v_given bigint;
BEGIN
    IF TG_TABLE_NAME = 'success_note' THEN
        BEGIN
            v_given := currval(pg_get_serial_sequence('success_note', 'id'));
        EXCEPTION WHEN object_not_in_prerequisite_state THEN
            v_given := NULL;
        END;
        IF v_given IS DISTINCT FROM NEW.id THEN
            RAISE EXCEPTION 'a success note gets its id from the server'
                USING ERRCODE = 'generated_always';
        END IF;
        NEW.created_at := now();
    ELSIF TG_TABLE_NAME = 'handoff_event' THEN
        NEW.at := now();
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER success_note_server_stamp BEFORE INSERT ON success_note
    FOR EACH ROW EXECUTE FUNCTION baton_stamp_server();
CREATE TRIGGER handoff_event_server_stamp BEFORE INSERT ON handoff_event
    FOR EACH ROW EXECUTE FUNCTION baton_stamp_server();
