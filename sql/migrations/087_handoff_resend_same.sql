-- Baton schema, version 87: a handoff sent again under its id is a resend
-- only when it is the same handoff.
--
-- baton_handoff_create (006) took any second call with an id it had for a
-- resend after a lost connection: created = false, whatever it carried,
-- and the console said "already delivered" and removed its draft.  The
-- same person with two consoles on one home directory (two SSH sessions
-- on a jump host) sees the same drafts in both: one console sent a draft
-- the other was still typing, the other's send with the text typed since
-- was taken for a resend, and that text was lost.  The consoles now keep
-- a draft in use to one of them (src/draft_lock.c); an older console does
-- not, and two sends can still cross.
--
-- Now a second call is a resend only when it carries what the first one
-- wrote: the customer, reason, priority and note, the ticket (unless it
-- was deleted since), and the team and person (unless a reassignment
-- changed them).  Otherwise it is refused, as a success note sent again
-- with another text is (007's baton_note_same): "handoff ID was already
-- sent with a different text or choices".  A console keeps its text as a
-- new draft then (src/draft.c, draft_sent_otherwise, which knows these
-- words), an older one as a refused draft: neither loses it.

-- Refuses p_* as a resend of v_row, the handoff of that id written by the
-- session user, when it is another handoff.
CREATE FUNCTION baton_handoff_same(v_row handoff, p_customer bigint, p_to_team text, p_to_staff name,
                                   p_reason text, p_priority text, p_ticket bigint, p_note text)
RETURNS void
LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
BEGIN
    IF (v_row.customer_id, v_row.reason, v_row.priority, v_row.note)
            IS DISTINCT FROM (p_customer, p_reason, p_priority, p_note)
       OR (v_row.ticket_id IS NOT NULL AND v_row.ticket_id IS DISTINCT FROM p_ticket)
       OR ((v_row.to_team, v_row.to_staff) IS DISTINCT FROM (p_to_team, p_to_staff)
           AND NOT EXISTS (SELECT 1 FROM handoff_event e
                           WHERE e.handoff_id = v_row.id AND e.kind = 'reassigned')) THEN
        RAISE EXCEPTION 'handoff % was already sent with a different text or choices: this one was not sent',
            v_row.id USING ERRCODE = 'unique_violation';
    END IF;
END $$;

-- 006's, but a second call with the id must be the same handoff.
CREATE OR REPLACE FUNCTION baton_handoff_create(
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
        PERFORM baton_handoff_same(v_row, p_customer, p_to_team, p_to_staff, p_reason, p_priority,
                                   p_ticket, p_note);
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
        PERFORM baton_handoff_same(v_row, p_customer, p_to_team, p_to_staff, p_reason, p_priority,
                                   p_ticket, p_note);
        RETURN QUERY SELECT false, v_row.state, v_row.version;
        RETURN;
    END IF;
    INSERT INTO handoff_event (id, handoff_id, kind) VALUES (p_event, p_id, 'created');
    PERFORM pg_notify('baton', 'customer:' || p_customer);
    RETURN QUERY SELECT true, 'open'::text, 1;
END $$;

REVOKE ALL ON FUNCTION baton_handoff_same(handoff, bigint, text, name, text, text, bigint, text) FROM PUBLIC;
