-- Handoffs are written only through these functions, which decide who may do
-- what from the database session user (never from anything the client
-- claims), make every write idempotent on its client-generated id, and keep
-- the history append-only.  Staff roles lose direct INSERT/UPDATE rights.

-- Create a handoff.  Retrying with the same id returns created = false and
-- changes nothing, so a client that lost its connection (even during COMMIT)
-- can simply send it again.
CREATE FUNCTION baton_handoff_create(
    p_id uuid, p_event uuid, p_customer bigint, p_to_team text, p_to_staff name,
    p_reason text, p_priority text, p_ticket bigint, p_note text, p_ack_minutes integer)
RETURNS TABLE (created boolean, state text, version integer)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_team text;
    v_row handoff%ROWTYPE;
    v_new uuid;
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
            p_ticket, p_note, now() + make_interval(mins => greatest(p_ack_minutes, 1)))
    ON CONFLICT (id) DO NOTHING
    RETURNING handoff.id INTO v_new;
    IF v_new IS NULL THEN
        -- A concurrent retry of the same handoff won the race.
        RETURN QUERY SELECT false, h.state, h.version FROM handoff h WHERE h.id = p_id;
        RETURN;
    END IF;
    INSERT INTO handoff_event (id, handoff_id, kind) VALUES (p_event, p_id, 'created');
    PERFORM pg_notify('baton', 'customer:' || p_customer);
    RETURN QUERY SELECT true, 'open'::text, 1;
END $$;

-- One step of a handoff's life: acknowledged, resolved, cancelled,
-- reassigned or commented.  p_event is the client-generated event id: a
-- retried step whose event already exists reports done = true, already =
-- true.  p_version, when given, must match the row's version (optimistic
-- concurrency): two people racing, one wins and the other is refused with
-- the fresh state.  Refusals are answers (done = false, message), not errors.
CREATE FUNCTION baton_handoff_step(
    p_id uuid, p_event uuid, p_kind text, p_comment text, p_version integer,
    p_to_team text DEFAULT NULL, p_to_staff name DEFAULT NULL, p_ack_minutes integer DEFAULT NULL)
RETURNS TABLE (done boolean, already boolean, state text, version integer, message text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_row handoff%ROWTYPE;
    v_team text;
    v_lead boolean;
    v_receiver boolean;
    v_last handoff_event%ROWTYPE;
    v_msg text;
    v_done text;
BEGIN
    IF EXISTS (SELECT 1 FROM handoff_event e WHERE e.id = p_event) THEN
        RETURN QUERY SELECT true, true, h.state, h.version, 'already recorded'::text
            FROM handoff h WHERE h.id = p_id;
        RETURN;
    END IF;
    SELECT * INTO v_row FROM handoff h WHERE h.id = p_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no handoff %', p_id USING ERRCODE = 'no_data_found';
    END IF;
    SELECT s.team_id, s.is_lead INTO v_team, v_lead
        FROM staff s WHERE s.role_name = session_user AND s.active;
    IF v_team IS NULL THEN
        RAISE EXCEPTION 'role % is not an active staff member', session_user
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    v_receiver := v_row.to_staff IS NOT DISTINCT FROM session_user OR v_row.to_team = v_team;
    SELECT * INTO v_last FROM handoff_event e WHERE e.handoff_id = p_id
        ORDER BY e.at DESC, e.id DESC LIMIT 1;
    v_done := format('it was already %s by %s at %s', v_row.state, v_last.actor,
                     to_char(v_last.at, 'YYYY-MM-DD HH24:MI'));

    IF p_version IS NOT NULL AND p_version <> v_row.version THEN
        RETURN QUERY SELECT false, false, v_row.state, v_row.version,
            format('changed meanwhile: %s by %s at %s; it is now %s',
                   v_last.kind, v_last.actor, to_char(v_last.at, 'YYYY-MM-DD HH24:MI:SS'),
                   v_row.state);
        RETURN;
    END IF;

    v_msg := CASE
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
        WHEN p_kind = 'reassigned' AND NOT (v_lead OR v_receiver) THEN
            'only a lead or the receiving team can reassign it'
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
        WHEN p_kind NOT IN ('acknowledged', 'resolved', 'cancelled', 'reassigned', 'commented') THEN
            format('unknown step "%s"', p_kind)
        END;
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
        -- The new receiver owns it now and must acknowledge it afresh.
        UPDATE handoff h SET to_team = p_to_team, to_staff = p_to_staff, state = 'open',
            acknowledged_at = NULL, acknowledged_by = NULL,
            ack_due_at = now() + make_interval(mins => greatest(coalesce(p_ack_minutes, 1440), 1)),
            version = h.version + 1 WHERE h.id = p_id;
    ELSE
        UPDATE handoff h SET version = h.version + 1 WHERE h.id = p_id;
    END IF;
    INSERT INTO handoff_event (id, handoff_id, kind, comment, to_team, to_staff)
    VALUES (p_event, p_id, p_kind, nullif(p_comment, ''),
            CASE WHEN p_kind = 'reassigned' THEN p_to_team END,
            CASE WHEN p_kind = 'reassigned' THEN p_to_staff END);
    PERFORM pg_notify('baton', 'customer:' || v_row.customer_id);
    RETURN QUERY SELECT true, false, h.state, h.version, 'done'::text FROM handoff h WHERE h.id = p_id;
END $$;

REVOKE ALL ON FUNCTION baton_handoff_create(uuid, uuid, bigint, text, name, text, text, bigint, text, integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION baton_handoff_step(uuid, uuid, text, text, integer, text, name, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION baton_handoff_create(uuid, uuid, bigint, text, name, text, text, bigint, text, integer) TO baton_staff;
GRANT EXECUTE ON FUNCTION baton_handoff_step(uuid, uuid, text, text, integer, text, name, integer) TO baton_staff;

-- Only through the functions above.
REVOKE INSERT, UPDATE ON handoff, handoff_event FROM baton_staff;

-- Notes are written directly (their author is stamped by a trigger): the
-- identity column's sequence must be usable.
GRANT USAGE ON SEQUENCE success_note_id_seq TO baton_staff;

-- The queue screen lists active handoffs by age across teams.
CREATE INDEX handoff_active_created_idx ON handoff (created_at)
    WHERE state IN ('open', 'acknowledged');
-- Queue: open handoffs still within their SLA, by deadline; acknowledgement
-- times for the median shown to leads.
CREATE INDEX handoff_open_due_idx ON handoff (ack_due_at) WHERE state = 'open';
CREATE INDEX handoff_acknowledged_at_idx ON handoff (acknowledged_at)
    INCLUDE (created_at, to_team, to_staff, reason, priority)
    WHERE acknowledged_at IS NOT NULL;

-- Continuous context: every write about a customer tells the consoles
-- showing it (LISTEN baton), whoever made it: the console, an import, psql.
CREATE FUNCTION baton_notify_customer() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- customer_id, or the customer's own id on the customer table.
    PERFORM pg_notify('baton', 'customer:' ||
        coalesce(to_jsonb(NEW) ->> 'customer_id', to_jsonb(NEW) ->> 'id'));
    RETURN NULL;
END $$;

CREATE TRIGGER customer_notify AFTER INSERT OR UPDATE ON customer
    FOR EACH ROW EXECUTE FUNCTION baton_notify_customer();
CREATE TRIGGER ticket_notify AFTER INSERT OR UPDATE ON ticket
    FOR EACH ROW EXECUTE FUNCTION baton_notify_customer();
CREATE TRIGGER success_note_notify AFTER INSERT ON success_note
    FOR EACH ROW EXECUTE FUNCTION baton_notify_customer();
CREATE TRIGGER marketing_event_notify AFTER INSERT OR UPDATE ON marketing_event
    FOR EACH ROW EXECUTE FUNCTION baton_notify_customer();
CREATE TRIGGER milestone_notify AFTER INSERT OR UPDATE ON milestone
    FOR EACH ROW EXECUTE FUNCTION baton_notify_customer();
CREATE TRIGGER survey_response_notify AFTER INSERT ON survey_response
    FOR EACH ROW EXECUTE FUNCTION baton_notify_customer();

-- The queue reads ids from covering partial indexes (index-only scans),
-- then fetches the rows it shows; the latest event of each from its own.
CREATE INDEX handoff_open_created_cover_idx ON handoff (created_at)
    INCLUDE (id, ack_due_at, to_team, to_staff, reason, priority, customer_id)
    WHERE state = 'open';
CREATE INDEX handoff_ack_created_cover_idx ON handoff (created_at)
    INCLUDE (id, to_team, to_staff, reason, priority, customer_id)
    WHERE state = 'acknowledged';
CREATE INDEX handoff_state_created_cover_idx ON handoff (state, created_at)
    INCLUDE (id, to_team, to_staff, reason, priority, customer_id);
CREATE INDEX handoff_active_cover_idx ON handoff (to_team, to_staff)
    INCLUDE (state, ack_due_at, reason, priority, customer_id)
    WHERE state IN ('open', 'acknowledged');
CREATE INDEX handoff_event_latest_idx ON handoff_event (handoff_id, at DESC, id DESC)
    INCLUDE (kind, actor);

-- The finder's counts per match: open tickets (and how hot), late handoffs.
CREATE INDEX ticket_customer_open_prio_idx ON ticket (customer_id) INCLUDE (priority)
    WHERE status NOT IN ('solved', 'closed');
CREATE INDEX handoff_customer_open_idx ON handoff (customer_id, ack_due_at)
    WHERE state = 'open';
