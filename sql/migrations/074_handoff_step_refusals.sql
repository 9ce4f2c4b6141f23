-- Baton schema, version 74: a handoff step's refusals say what is wrong.
--
-- Found by a review, from the command line:
--   - a version the handoff never had (--version 99 of one at version 1)
--     was answered "changed meanwhile: created by ana at ...", as if a
--     colleague had stepped in: it now says the handoff has no such
--     version and which it is at;
--   - someone outside the receiving team resolving an open handoff was
--     told to acknowledge it first, which they may not either: who may
--     resolve it is said first, as for acknowledging.
--
-- 006's baton_step_refusal and baton_handoff_step, with those.
CREATE OR REPLACE FUNCTION baton_step_refusal(v_row handoff, p_kind text, p_comment text,
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
        WHEN p_kind = 'resolved' AND v_row.state NOT IN ('open', 'acknowledged') THEN v_done
        WHEN p_kind = 'resolved' AND NOT v_receiver THEN
            format('only %s (the receiving team) can resolve it', v_row.to_team)
        WHEN p_kind = 'resolved' AND v_row.state = 'open' THEN 'acknowledge it before resolving it'
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
