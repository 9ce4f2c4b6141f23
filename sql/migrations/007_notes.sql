-- Success notes written back, and the lead queue's order of severity.
--
-- Every team writes about a customer from Baton, with the guarantees
-- handoffs have: a client-generated id (a retry after a lost connection
-- is recognised, not duplicated), one server function that validates the
-- write, the author is the session user, and history is append-only: a
-- correction is a new note that supersedes an older one, which stays.
-- Notes keep their bigint id (what people see and type); the client's id
-- is a column of its own.  The triggers of 001-006 still hold every note
-- (author, server id and time, reach, audit, notification).

-- Notes ------------------------------------------------------------------------
-- No ON DELETE actions: a note is never changed, so what it links to stays.
ALTER TABLE success_note
    ADD COLUMN client_id  uuid UNIQUE,
    ADD COLUMN ticket_id  bigint REFERENCES ticket (id),
    ADD COLUMN handoff_id uuid REFERENCES handoff (id),
    -- UNIQUE: a note is corrected once; a later correction corrects the
    -- correction, so the current note of a chain is always one.
    ADD COLUMN supersedes bigint UNIQUE REFERENCES success_note (id),
    ADD CONSTRAINT success_note_not_itself CHECK (supersedes <> id);

-- Write a success note, or a correction of one (p_supersedes).  Any active
-- staff member may, about a customer they may see (005's scope).  p_id is
-- the client's id: sending the same note again returns created = false and
-- its id; the same id with another note is refused, so that a client bug
-- cannot pass a different text off as delivered.
CREATE FUNCTION baton_note_add(
    p_id uuid, p_customer bigint, p_kind text, p_body text,
    p_ticket bigint DEFAULT NULL, p_handoff uuid DEFAULT NULL, p_supersedes bigint DEFAULT NULL)
RETURNS TABLE (created boolean, note_id bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_row success_note%ROWTYPE;
    v_problem text;
    v_by bigint;
BEGIN
    IF p_id IS NULL THEN
        RAISE EXCEPTION 'a note needs its client id' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT * INTO v_row FROM success_note n WHERE n.client_id = p_id;
    IF FOUND THEN
        RETURN QUERY SELECT false, baton_note_same(v_row, p_customer, p_kind, p_body, p_ticket,
                                                   p_handoff, p_supersedes);
        RETURN;
    END IF;
    IF NOT baton_me_active() THEN
        RAISE EXCEPTION 'role % is not an active staff member', session_user
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'ask an administrator to add you to the staff table';
    END IF;
    -- The same words for a customer out of scope as for none: a scope
    -- does not reveal what it hides.
    IF p_customer IS NULL OR NOT baton_me_sees_customer(p_customer) THEN
        RAISE EXCEPTION 'unknown customer %', p_customer USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF p_kind IS NULL OR p_kind NOT IN ('note', 'call', 'meeting', 'qbr', 'email') THEN
        RAISE EXCEPTION 'unknown kind "%": use note, call, meeting, qbr or email', p_kind
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    v_problem := baton_note_problem('note', p_body);
    IF v_problem IS NOT NULL THEN
        RAISE EXCEPTION '%', v_problem USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF p_ticket IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM ticket t WHERE t.id = p_ticket AND t.customer_id = p_customer) THEN
        RAISE EXCEPTION 'ticket % is not one of this customer''s tickets', p_ticket
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF p_handoff IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM handoff h WHERE h.id = p_handoff AND h.customer_id = p_customer) THEN
        RAISE EXCEPTION 'handoff % is not one of this customer''s handoffs', p_handoff
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF p_supersedes IS NOT NULL THEN
        IF NOT EXISTS (SELECT 1 FROM success_note n
                       WHERE n.id = p_supersedes AND n.customer_id = p_customer) THEN
            RAISE EXCEPTION 'note % is not one of this customer''s notes', p_supersedes
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        SELECT n.id INTO v_by FROM success_note n WHERE n.supersedes = p_supersedes;
        IF FOUND THEN
            RAISE EXCEPTION 'note % was already corrected by note %: correct that one', p_supersedes, v_by
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
    END IF;
    INSERT INTO success_note (customer_id, kind, body, client_id, ticket_id, handoff_id, supersedes)
    VALUES (p_customer, p_kind, p_body, p_id, p_ticket, p_handoff, p_supersedes)
    ON CONFLICT (client_id) DO NOTHING
    RETURNING * INTO v_row;
    IF v_row.id IS NULL THEN
        -- A concurrent retry of the same note won the race.
        SELECT * INTO v_row FROM success_note n WHERE n.client_id = p_id;
        RETURN QUERY SELECT false, baton_note_same(v_row, p_customer, p_kind, p_body, p_ticket,
                                                   p_handoff, p_supersedes);
        RETURN;
    END IF;
    RETURN QUERY SELECT true, v_row.id;
END $$;

-- A note already written with this client id: its id when the retry is
-- the same note by the same person, else an error.
CREATE FUNCTION baton_note_same(v_row success_note, p_customer bigint, p_kind text, p_body text,
                                p_ticket bigint, p_handoff uuid, p_supersedes bigint)
RETURNS bigint
LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
BEGIN
    IF v_row.author <> session_user THEN
        RAISE EXCEPTION 'note % already exists and was written by someone else', v_row.client_id
            USING ERRCODE = 'unique_violation';
    END IF;
    IF (v_row.customer_id, v_row.kind, v_row.body) IS DISTINCT FROM (p_customer, p_kind, p_body)
            OR (v_row.ticket_id, v_row.handoff_id, v_row.supersedes)
               IS DISTINCT FROM (p_ticket, p_handoff, p_supersedes) THEN
        RAISE EXCEPTION 'note % was already sent with a different text or link: write a new note',
            v_row.client_id USING ERRCODE = 'unique_violation';
    END IF;
    RETURN v_row.id;
END $$;

REVOKE ALL ON FUNCTION baton_note_add(uuid, bigint, text, text, bigint, uuid, bigint),
    baton_note_same(success_note, bigint, text, text, bigint, uuid, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION baton_note_add(uuid, bigint, text, text, bigint, uuid, bigint)
    TO baton_staff;

-- The function is the only way in for staff.  Imports and the demo write as
-- the tables' owner (or lend the right for one transaction).
REVOKE INSERT ON success_note FROM baton_staff;

-- The lead queue's severity ---------------------------------------------------------
-- Breached handoffs are ordered by severity: the most urgent priority
-- first, and within a priority the one furthest past its deadline first
-- (src/queue.c orders by this rank, then ack_due_at).  An urgent blocker
-- breached for hours comes before a low question breached for months.
CREATE FUNCTION baton_priority_rank(p_priority text) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE p_priority WHEN 'urgent' THEN 1 WHEN 'high' THEN 2 WHEN 'normal' THEN 3
                       WHEN 'low' THEN 4 END;

-- The breached branch reads its ids in that order, index-only.
CREATE INDEX handoff_open_severity_idx ON handoff (baton_priority_rank(priority), ack_due_at)
    INCLUDE (id, created_at, to_team, to_staff, reason, customer_id)
    WHERE state = 'open';
