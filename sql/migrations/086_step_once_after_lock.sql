-- Baton schema, version 86: a step sent twice is recorded once, also when
-- the second waited for the first.
--
-- baton_handoff_step (074's, restated) answers a step whose event id it
-- already has with "already recorded", but looked for it before locking
-- the handoff's row.  A second send of the same step that arrived while
-- the first was still waiting for that lock (`baton handoff ack --id U`
-- run again by a script after a timeout, while the first run's statement
-- still waited behind a long transaction; one person's two consoles
-- sending one queued step) found no such event, waited, and then met the
-- first send's new version: refused as "changed meanwhile: acknowledged
-- by ana", naming the person's own step as someone else's.  It now looks
-- again once it holds the row.
CREATE OR REPLACE FUNCTION baton_handoff_step(
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
    -- The same step again, which waited for the row behind the first
    -- (a script's retry while its first run was still waiting for a lock;
    -- one person's two consoles sending one queued step): recorded by
    -- now, and answered as above, not as a colleague's step.
    SELECT * INTO v_prev FROM handoff_event e WHERE e.id = p_event;
    IF FOUND THEN
        IF v_prev.actor <> session_user OR v_prev.handoff_id <> p_id THEN
            RAISE EXCEPTION 'event % already exists and was recorded by someone else', p_event
                USING ERRCODE = 'unique_violation';
        END IF;
        RETURN QUERY SELECT true, true, v_row.state, v_row.version, 'already recorded'::text;
        RETURN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM staff s WHERE s.role_name = session_user AND s.active) THEN
        RAISE EXCEPTION 'role % is not an active staff member', session_user
            USING ERRCODE = 'insufficient_privilege';
    END IF;

    -- A version the handoff never had is a mistake, not a colleague's step.
    IF p_version IS NOT NULL AND p_version > v_row.version AND p_kind <> 'commented' THEN
        RETURN QUERY SELECT false, false, v_row.state, v_row.version,
            format('it has no version %s: it is %s at version %s', p_version, v_row.state, v_row.version);
        RETURN;
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
