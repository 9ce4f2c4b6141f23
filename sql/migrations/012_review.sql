-- Baton schema, version 12: what changed in 007-011 after they were
-- released.  A database at version 11 never runs those files again, so the
-- changes made to them in place (the review of the write functions, the
-- signal cache's speed) are here, and 007-011 are again as released.  A
-- new database runs 007-011 as released and then this: both end with the
-- same schema (tests/integration/test_migrate.c compares them).
--
--   007  the shared checks of every write: baton_require_note (a note or a
--        comment; was 009's baton_require_comment) and baton_entry_recorded
--        (a client id replaying its own write); baton_my_team (009's, the
--        same) now also for notes and presence;
--   008  onboarding's writes use them;
--   009  settings declared as 008's baton_setting_declare does (one check,
--        an undeclared key refused: 009 and 010 had widened it to let any
--        key through); a customer's open milestones by due date; spans in
--        PL/pgSQL; the customer screen's read planned once per session; a
--        refill writes valid_until only where it changed;
--   010  an imported record's survivor joined for once, not four times;
--   011  presence uses baton_my_team.
--
-- Functions are replaced whole (CREATE OR REPLACE keeps their owner and
-- grants).  The data read: milestone once, for its new index, and
-- baton_setting's rows against the one check.  No signal is computed
-- again: what the cache holds reads the same.

-- 007: the checks shared by the writes --------------------------------------------
-- A note or comment (p_what) that may be written, or an error saying why not.
CREATE OR REPLACE FUNCTION baton_require_note(p_what text, p_text text) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
DECLARE
    v_problem text := baton_note_problem(p_what, p_text);
BEGIN
    IF v_problem IS NOT NULL THEN
        RAISE EXCEPTION '%', v_problem USING ERRCODE = 'invalid_parameter_value';
    END IF;
END $$;

-- Whether an entry of an append-only table (p_entry, as to_jsonb of its
-- row; NULL: there is none) is the one a write with its client-generated
-- id already recorded: true when it is the session user's and about the
-- same thing (p_same: the columns it must have), false when there is none,
-- an error otherwise.  A client that lost its connection, even during
-- COMMIT, sends the same write again and nothing happens twice; nobody
-- replays anyone else's.
CREATE OR REPLACE FUNCTION baton_entry_recorded(p_entry jsonb, p_same jsonb) RETURNS boolean
LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF p_entry IS NULL THEN
        RETURN false;
    END IF;
    IF NOT p_entry @> (p_same || jsonb_build_object('actor', session_user)) THEN
        RAISE EXCEPTION 'entry % already exists and was recorded by someone else or for something else',
            p_entry ->> 'id' USING ERRCODE = 'unique_violation';
    END IF;
    RETURN true;
END $$;

REVOKE ALL ON FUNCTION baton_require_note(text, text), baton_entry_recorded(jsonb, jsonb) FROM PUBLIC;
-- 009's, which baton_require_note replaces.
DROP FUNCTION IF EXISTS baton_require_comment(text);

-- 007: notes ----------------------------------------------------------------------
-- Write a success note, or a correction of one (p_supersedes).  Any active
-- staff member may, about a customer they may see (005's scope).  p_id is
-- the client's id: sending the same note again returns created = false and
-- its id; the same id with another note is refused, so that a client bug
-- cannot pass a different text off as delivered.
CREATE OR REPLACE FUNCTION baton_note_add(
    p_id uuid, p_customer bigint, p_kind text, p_body text,
    p_ticket bigint DEFAULT NULL, p_handoff uuid DEFAULT NULL, p_supersedes bigint DEFAULT NULL)
RETURNS TABLE (created boolean, note_id bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_row success_note%ROWTYPE;
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
    PERFORM baton_my_team();
    -- The same words for a customer out of scope as for none: a scope
    -- does not reveal what it hides.
    IF p_customer IS NULL OR NOT baton_me_sees_customer(p_customer) THEN
        RAISE EXCEPTION 'unknown customer %', p_customer USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF p_kind IS NULL OR p_kind NOT IN ('note', 'call', 'meeting', 'qbr', 'email') THEN
        RAISE EXCEPTION 'unknown kind "%": use note, call, meeting, qbr or email', p_kind
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM baton_require_note('note', p_body);
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

-- 008: onboarding -----------------------------------------------------------------
-- Why the session user may not change a customer's onboarding (NULL: they
-- may): the onboarding team may; else, for a milestone, its owner
-- (p_owner), and for the health (p_owner NULL), whoever owns one of the
-- customer's milestones.  Someone not on the staff is an error.
CREATE OR REPLACE FUNCTION baton_onboarding_refusal(p_customer bigint, p_owner name) RETURNS text
LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
DECLARE
    v_team text := baton_my_team();
    v_onb text := baton_setting_value('onboarding_team');
    v_name text;
BEGIN
    IF v_team = v_onb OR p_owner = session_user OR (p_owner IS NULL AND EXISTS (
            SELECT 1 FROM milestone m WHERE m.customer_id = p_customer AND m.owner = session_user)) THEN
        RETURN NULL;
    END IF;
    v_name := coalesce((SELECT t.name FROM team t WHERE t.id = v_onb), v_onb);
    IF p_owner IS NULL THEN
        RETURN format('only the %s team or the owner of one of the customer''s milestones can set its onboarding health; %s is in %s',
                      v_name, session_user, v_team);
    END IF;
    RETURN format('only the %s team or the milestone''s owner (%s) can change it; %s is in %s',
                  v_name, p_owner, session_user, v_team);
END $$;

-- Set a milestone to exactly this: status (pending, in_progress, blocked
-- with a reason, done), due date and owner (NULL: none).  p_id is the
-- change's client-generated id: sent again by the same person it reports
-- done and already = true; anyone else's is refused.  p_expected_version,
-- when given, must be the milestone's version: otherwise nothing changes
-- and the answer says who changed it meanwhile, with the fresh version.
-- Refusals of who and what are errors; a stale version is an answer.
CREATE OR REPLACE FUNCTION baton_milestone_set(p_id uuid, p_milestone bigint, p_status text, p_due date,
                                    p_owner name, p_reason text,
                                    p_expected_version integer DEFAULT NULL)
RETURNS TABLE (done boolean, already boolean, status text, version integer, message text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_row milestone%ROWTYPE;
    v_prev milestone_event%ROWTYPE;
    v_reason text := nullif(btrim(p_reason), '');
    v_problem text;
BEGIN
    -- The row lock first: a concurrent retry of the same change waits
    -- here, then finds it recorded below.
    SELECT * INTO v_row FROM milestone m WHERE m.id = p_milestone FOR UPDATE;
    IF NOT FOUND OR NOT (baton_me_sees_customer(v_row.customer_id) OR baton_me_bypasses()) THEN
        RAISE EXCEPTION 'no milestone %', p_milestone USING ERRCODE = 'no_data_found';
    END IF;
    IF baton_entry_recorded((SELECT to_jsonb(e) FROM milestone_event e WHERE e.id = p_id),
                            jsonb_build_object('milestone_id', p_milestone)) THEN
        RETURN QUERY SELECT true, true, v_row.status, v_row.version, 'already recorded'::text;
        RETURN;
    END IF;
    v_problem := baton_onboarding_refusal(v_row.customer_id, v_row.owner);
    IF v_problem IS NOT NULL THEN
        RAISE EXCEPTION '%', v_problem USING ERRCODE = 'insufficient_privilege';
    END IF;
    v_problem := CASE
        WHEN p_id IS NULL THEN 'a change needs its id'
        WHEN p_status IS NULL OR p_status NOT IN ('pending', 'in_progress', 'blocked', 'done') THEN
            format('unknown status "%s": pending (not started), in_progress, blocked or done',
                   coalesce(p_status, ''))
        WHEN p_status = 'blocked' AND v_reason IS NULL THEN 'a blocked milestone needs a reason'
        WHEN p_owner IS NOT NULL AND NOT EXISTS (
                SELECT 1 FROM staff s WHERE s.role_name = p_owner AND s.active) THEN
            format('"%s" is not an active staff member', p_owner)
        ELSE baton_onboarding_reason_problem(v_reason) END;
    IF v_problem IS NOT NULL THEN
        RAISE EXCEPTION '%', v_problem USING ERRCODE = 'invalid_parameter_value';
    END IF;

    IF p_expected_version IS NOT NULL AND p_expected_version <> v_row.version THEN
        SELECT * INTO v_prev FROM milestone_event e WHERE e.milestone_id = p_milestone
            ORDER BY e.at DESC, e.id DESC LIMIT 1;
        RETURN QUERY SELECT false, false, v_row.status, v_row.version,
            format('changed meanwhile%s; it is now %s (version %s)',
                   CASE WHEN v_prev.id IS NOT NULL THEN format(' by %s at %s', v_prev.actor,
                        to_char(v_prev.at, 'YYYY-MM-DD HH24:MI')) ELSE '' END,
                   v_row.status, v_row.version);
        RETURN;
    END IF;
    IF (v_row.status, v_row.due_date, v_row.owner, v_row.blocked_reason)
            IS NOT DISTINCT FROM (p_status, p_due, p_owner,
                                  CASE WHEN p_status = 'blocked' THEN v_reason END) THEN
        RETURN QUERY SELECT true, false, v_row.status, v_row.version, 'unchanged'::text;
        RETURN;
    END IF;

    UPDATE milestone m SET status = p_status, due_date = p_due, owner = p_owner,
        blocked_reason = CASE WHEN p_status = 'blocked' THEN v_reason END,
        completed_at = CASE WHEN p_status <> 'done' THEN NULL
                            WHEN m.status = 'done' THEN m.completed_at ELSE now() END,
        version = m.version + 1
    WHERE m.id = p_milestone;
    INSERT INTO milestone_event (id, milestone_id, customer_id, status, due_date, owner, reason,
                                 actor, at)
    VALUES (p_id, p_milestone, v_row.customer_id, p_status, p_due, p_owner, v_reason,
            session_user, now());
    RETURN QUERY SELECT true, false, p_status, v_row.version + 1, 'done'::text;
END $$;

-- Set a customer's onboarding health (on_track, at_risk, off_track, done)
-- with a reason; setting the same health again says it is still true (and
-- no longer stale).  Idempotent on p_id like baton_milestone_set.
CREATE OR REPLACE FUNCTION baton_health_set(p_id uuid, p_customer bigint, p_health text, p_reason text)
RETURNS TABLE (done boolean, already boolean, health text, message text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_reason text := nullif(btrim(p_reason), '');
    v_problem text;
BEGIN
    PERFORM 1 FROM customer c WHERE c.id = p_customer FOR UPDATE;
    IF NOT FOUND OR NOT (baton_me_sees_customer(p_customer) OR baton_me_bypasses()) THEN
        RAISE EXCEPTION 'unknown customer %', p_customer USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF baton_entry_recorded((SELECT to_jsonb(e) FROM onboarding_health_event e WHERE e.id = p_id),
                            jsonb_build_object('customer_id', p_customer)) THEN
        RETURN QUERY SELECT true, true, c.onboarding_health, 'already recorded'::text
            FROM customer c WHERE c.id = p_customer;
        RETURN;
    END IF;
    v_problem := baton_onboarding_refusal(p_customer, NULL);
    IF v_problem IS NOT NULL THEN
        RAISE EXCEPTION '%', v_problem USING ERRCODE = 'insufficient_privilege';
    END IF;
    v_problem := CASE
        WHEN p_id IS NULL THEN 'a change needs its id'
        WHEN p_health IS NULL OR p_health NOT IN ('on_track', 'at_risk', 'off_track', 'done') THEN
            format('unknown health "%s": on_track, at_risk, off_track or done', coalesce(p_health, ''))
        WHEN v_reason IS NULL THEN 'the onboarding health needs a reason'
        ELSE baton_onboarding_reason_problem(v_reason) END;
    IF v_problem IS NOT NULL THEN
        RAISE EXCEPTION '%', v_problem USING ERRCODE = 'invalid_parameter_value';
    END IF;
    INSERT INTO onboarding_health_event (id, customer_id, health, reason, actor, at)
    VALUES (p_id, p_customer, p_health, v_reason, session_user, now());
    UPDATE customer c SET onboarding_health = p_health, updated_at = now() WHERE c.id = p_customer;
    RETURN QUERY SELECT true, false, p_health, 'done'::text;
END $$;

-- 009, 010: settings -------------------------------------------------------------
-- One check for every key, as 006 made it and 008's baton_setting_declare
-- extends it (the same keys, in the order they were declared), instead of
-- 009's and 010's own constraints beside a check that let any key through.
-- The rows (values, defaults, texts) are unchanged.
ALTER TABLE baton_setting
    DROP CONSTRAINT IF EXISTS baton_setting_signals,
    DROP CONSTRAINT IF EXISTS baton_setting_import,
    DROP CONSTRAINT baton_setting_value,
    ADD CONSTRAINT baton_setting_value CHECK (CASE key
        WHEN 'max_note_bytes' THEN
            CASE WHEN value ~ '^[0-9]{1,6}$' THEN value::integer BETWEEN 64 AND 65536 ELSE false END
        WHEN 'reassign_by' THEN value IN ('leads', 'leads-and-receivers')
        WHEN 'comment_by' THEN value IN ('staff', 'teams')
        WHEN 'onboarding_team' THEN (value ~ '^[a-z][a-z0-9_-]{0,31}$')
        WHEN 'onboarding_health_stale_days' THEN
            (CASE WHEN value ~ '^[0-9]{1,3}$' THEN value::integer BETWEEN 1 AND 365 ELSE false END)
        WHEN 'campaign_hold_teams' THEN (value ~ '^(\*|[a-z][a-z0-9_-]{0,31}(,[a-z][a-z0-9_-]{0,31})*)$')
        WHEN 'signal_complaint_days' THEN
            (CASE WHEN value ~ '^[0-9]{1,3}$' THEN value::integer BETWEEN 1 AND 365 ELSE false END)
        WHEN 'signal_complaint_keywords' THEN
            (value ~ '^([a-z0-9][a-z0-9 ]{0,39}(,[a-z0-9][a-z0-9 ]{0,39})*)?$')
        WHEN 'signal_complaint_categories' THEN (value ~ '^([a-z_]{1,40}(,[a-z_]{1,40})*)?$')
        WHEN 'signal_sent_days' THEN
            (CASE WHEN value ~ '^[0-9]{1,3}$' THEN value::integer BETWEEN 0 AND 365 ELSE false END)
        WHEN 'signal_outreach_kinds' THEN (value ~ '^([a-z_]{1,40}(,[a-z_]{1,40})*)?$')
        WHEN 'signal_escalation_reasons' THEN
            (value ~ '^([a-z][a-z0-9_ -]{0,39}(,[a-z][a-z0-9_ -]{0,39})*)?$')
        WHEN 'signal_burning_categories' THEN (value ~ '^([a-z_]{1,40}(,[a-z_]{1,40})*)?$')
        WHEN 'signal_burning_keywords' THEN
            (value ~ '^([a-z0-9][a-z0-9 ]{0,39}(,[a-z0-9][a-z0-9 ]{0,39})*)?$')
        WHEN 'signal_repeat_days' THEN
            (CASE WHEN value ~ '^[0-9]{1,3}$' THEN value::integer BETWEEN 1 AND 365 ELSE false END)
        WHEN 'signal_repeat_similarity' THEN
            (CASE WHEN value ~ '^(0\.[0-9]{1,2}|1|1\.0)$' THEN value::real BETWEEN 0.1 AND 1 ELSE false END)
        WHEN 'signal_repeat_tickets' THEN
            (CASE WHEN value ~ '^[0-9]{1,2}$' THEN value::integer BETWEEN 2 AND 99 ELSE false END)
        WHEN 'signal_voice_days' THEN
            (CASE WHEN value ~ '^[0-9]{1,3}$' THEN value::integer BETWEEN 1 AND 365 ELSE false END)
        WHEN 'signal_nps_drop' THEN
            (CASE WHEN value ~ '^[0-9]{1,2}$' THEN value::integer BETWEEN 1 AND 10 ELSE false END)
        WHEN 'signal_csat_drop' THEN
            (CASE WHEN value ~ '^[0-9]{1,2}$' THEN value::integer BETWEEN 1 AND 10 ELSE false END)
        WHEN 'signal_ces_drop' THEN
            (CASE WHEN value ~ '^[0-9]{1,2}$' THEN value::integer BETWEEN 1 AND 10 ELSE false END)
        WHEN 'signal_detractor_nps' THEN
            (CASE WHEN value ~ '^[0-9]{1,2}$' THEN value::integer BETWEEN 0 AND 10 ELSE false END)
        WHEN 'import_max_join' THEN
            (CASE WHEN value ~ '^[0-9]{1,4}$' THEN value::integer BETWEEN 2 AND 1000 ELSE false END)
        ELSE false END);

-- 009: signals --------------------------------------------------------------------
-- A customer's open milestones by due date: overdue ones (kind 3) and the
-- next to fall due (when its cached signals expire).
CREATE INDEX IF NOT EXISTS milestone_customer_open_due_idx ON milestone (customer_id, due_date)
    WHERE status NOT IN ('done', 'skipped');

-- "2d 3h", "5h 10m", "40m".  PL/pgSQL: said for every late handoff of a
-- list, where a SQL body that names its argument many times is not
-- inlined and costs several times more per row.
CREATE OR REPLACE FUNCTION baton_span(p interval) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    s bigint := extract(epoch FROM p)::bigint;
BEGIN
    IF s >= 86400 THEN
        RETURN (s / 86400) || 'd' || CASE WHEN s % 86400 >= 3600 THEN ' ' || (s % 86400 / 3600) || 'h' ELSE '' END;
    ELSIF s >= 3600 THEN
        RETURN (s / 3600) || 'h' || CASE WHEN s % 3600 >= 60 THEN ' ' || (s % 3600 / 60) || 'm' ELSE '' END;
    END IF;
    RETURN greatest(s / 60, 0) || 'm';
END $$;

-- An explanation as of now: the cached line, the part that time changes,
-- and how many more instances there are.
CREATE OR REPLACE FUNCTION baton_signal_say(p_line text, p_clock timestamptz, p_unit text, p_more integer)
RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT p_line || CASE p_unit
               WHEN 'sla' THEN baton_span(now() - p_clock) || ' past its SLA'
               WHEN 'overdue' THEN 1 + extract(epoch FROM now() - p_clock)::bigint / 86400
                                   || ' days overdue'
               ELSE '' END
           || CASE WHEN p_more > 0 THEN ' (+' || p_more || ' more)' ELSE '' END
$$;

-- Every customer computed again, set-based: 009's fill, data loaded
-- without triggers (sql/bench/generate.sql: SELECT baton_signal_refill()),
-- a change of the rules (only the kinds p_kinds that read it; NULL: all).
-- Returns how many signals of those kinds there are.
CREATE OR REPLACE FUNCTION baton_signal_refill(p_kinds text[] DEFAULT NULL) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET TimeZone FROM CURRENT
SET work_mem = '256MB' AS $$
DECLARE
    v_marks bigint[];
    v_n bigint;
BEGIN
    PERFORM pg_advisory_xact_lock(9009);
    -- Only a complete refill clears the marks: the other kinds of a marked
    -- customer are still to compute.
    IF p_kinds IS NULL THEN
        SELECT coalesce(array_agg(d.seq), '{}') INTO v_marks FROM signal_dirty d;
    END IF;
    DELETE FROM customer_signal s WHERE p_kinds IS NULL OR s.kind = ANY (p_kinds);
    INSERT INTO customer_signal
    SELECT * FROM baton_signal_compute(NULL, true) c WHERE p_kinds IS NULL OR c.kind = ANY (p_kinds);
    GET DIAGNOSTICS v_n = ROW_COUNT;
    -- Written only where it changed: a rule of one kind moves few of them.
    INSERT INTO customer_signal_state AS st (customer_id, valid_until)
    SELECT u.customer_id, u.valid_until FROM baton_signal_valid_until(NULL, true) u
    ON CONFLICT (customer_id) DO UPDATE SET valid_until = excluded.valid_until, computed_at = now()
    WHERE st.valid_until IS DISTINCT FROM excluded.valid_until;
    DELETE FROM signal_dirty d WHERE d.seq = ANY (v_marks);
    RETURN v_n;
END $$;

-- One row per customer and kind (the customer screen calls it with a
-- constant false: one index lookup when the customer is up to date).
-- Generic plans, made once per session: planning would cost more than
-- the lookup.
CREATE OR REPLACE FUNCTION baton_signal_rows(p_customer bigint, p_all boolean)
RETURNS SETOF baton_signal
LANGUAGE plpgsql SET search_path = public, pg_temp SET plan_cache_mode = force_generic_plan AS $$
DECLARE
    v_live bigint[];
BEGIN
    v_live := baton_signal_refresh(p_customer, p_all);
    -- Constants, so that the one customer's plan is an index lookup.
    IF p_all THEN
        RETURN QUERY SELECT * FROM baton_signal_read(NULL, true, v_live);
    ELSE
        RETURN QUERY SELECT * FROM baton_signal_read(p_customer, false, v_live);
    END IF;
END $$;

-- Hold or release (p_action) one scheduled send, with a comment.  p_id is
-- the client-generated id of the entry: a retry with it (same person,
-- send and action) answers done, already; anyone else's is refused.
-- Allowed for the teams of campaign_hold_teams ('*': anyone on the staff).
-- Refusals about the send's state are answers (done = false, message).
CREATE OR REPLACE FUNCTION baton_campaign_hold(p_id uuid, p_event bigint, p_action text, p_comment text)
RETURNS TABLE (done boolean, already boolean, held boolean, message text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_same constant jsonb := jsonb_build_object('event_id', p_event, 'action', p_action);
    v_event marketing_event%ROWTYPE;
    v_cur campaign_hold%ROWTYPE;
    v_team text;
    v_teams text := baton_setting_value('campaign_hold_teams');
BEGIN
    IF NOT baton_entry_recorded((SELECT to_jsonb(h) FROM campaign_hold h WHERE h.id = p_id), v_same) THEN
        v_team := baton_my_team();
        IF p_action IS NULL OR p_action NOT IN ('hold', 'release') THEN
            RAISE EXCEPTION 'unknown action "%": hold or release', p_action
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        PERFORM baton_require_note('comment', p_comment);
        SELECT * INTO v_event FROM marketing_event m WHERE m.id = p_event FOR UPDATE;
        -- The same words for a send of a customer out of scope.
        IF NOT FOUND OR NOT baton_me_sees_customer(v_event.customer_id) THEN
            RAISE EXCEPTION 'no campaign send %', p_event USING ERRCODE = 'no_data_found';
        END IF;
        IF v_teams <> '*' AND NOT v_team = ANY (string_to_array(v_teams, ',')) THEN
            RAISE EXCEPTION 'only % may hold or release a campaign send, not % (team %)',
                replace(v_teams, ',', ', '), session_user, v_team
                USING ERRCODE = 'insufficient_privilege',
                      HINT = 'an administrator can allow more: baton settings set campaign_hold_teams';
        END IF;
        SELECT * INTO v_cur FROM campaign_hold h WHERE h.id = v_event.held_by;
        IF p_action = 'hold' AND v_event.status <> 'scheduled' THEN
            RETURN QUERY SELECT false, false, v_event.held_by IS NOT NULL,
                format('only a scheduled send can be held: this one is %s', v_event.status);
            RETURN;
        ELSIF p_action = 'hold' AND v_event.held_by IS NOT NULL THEN
            RETURN QUERY SELECT false, false, true,
                format('it is already held, by %s at %s: %s', v_cur.actor,
                       to_char(v_cur.at, 'YYYY-MM-DD HH24:MI'), v_cur.comment);
            RETURN;
        ELSIF p_action = 'release' AND v_event.held_by IS NULL THEN
            RETURN QUERY SELECT false, false, false, 'it is not held'::text;
            RETURN;
        END IF;
        INSERT INTO campaign_hold (id, event_id, customer_id, action, comment)
        VALUES (p_id, p_event, v_event.customer_id, p_action, p_comment)
        ON CONFLICT (id) DO NOTHING;
        IF FOUND THEN
            UPDATE marketing_event m SET held_by = CASE WHEN p_action = 'hold' THEN p_id END
            WHERE m.id = p_event;
            RETURN QUERY SELECT true, false, p_action = 'hold', 'done'::text;
            RETURN;
        END IF;
        -- A concurrent retry of the same entry won the race.
        PERFORM baton_entry_recorded((SELECT to_jsonb(h) FROM campaign_hold h WHERE h.id = p_id), v_same);
    END IF;
    RETURN QUERY SELECT true, true, m.held_by IS NOT NULL, 'already recorded'::text
        FROM marketing_event m WHERE m.id = p_event;
END $$;

-- Acknowledge a customer's signal of p_kind as it is now (its records'
-- fingerprint; p_fingerprint, when given, must be the one the person saw).
-- It leaves the lists until its records change.  Idempotent on p_id like
-- the hold; refusals are answers.
CREATE OR REPLACE FUNCTION baton_signal_ack(p_id uuid, p_customer bigint, p_kind text, p_comment text,
                                 p_fingerprint text DEFAULT NULL)
RETURNS TABLE (done boolean, already boolean, fingerprint text, message text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_sig record;
BEGIN
    IF baton_entry_recorded((SELECT to_jsonb(a) FROM signal_ack a WHERE a.id = p_id),
                            jsonb_build_object('customer_id', p_customer, 'kind', p_kind)) THEN
        RETURN QUERY SELECT true, true, a.fingerprint, 'already recorded'::text
            FROM signal_ack a WHERE a.id = p_id;
        RETURN;
    END IF;
    PERFORM baton_my_team();
    IF baton_signal_title(p_kind) IS NULL THEN
        RAISE EXCEPTION 'unknown kind of signal "%": %', p_kind,
            'campaign-during-complaint, outreach-during-escalation, on-track-but-burning, '
            'dropped-baton, repeating-themselves, voice-falling'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM baton_require_note('comment', p_comment);
    IF NOT baton_me_sees_customer(p_customer) THEN
        RAISE EXCEPTION 'unknown customer %', p_customer USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT * INTO v_sig FROM baton_signals(p_customer) s WHERE s.kind = p_kind;
    IF NOT FOUND THEN
        RETURN QUERY SELECT false, false, NULL::text,
            format('customer %s has no "%s" signal now', p_customer, baton_signal_title(p_kind));
    ELSIF p_fingerprint IS NOT NULL AND p_fingerprint <> v_sig.fingerprint THEN
        RETURN QUERY SELECT false, false, v_sig.fingerprint,
            format('the signal changed meanwhile; it is now: %s', v_sig.explanation);
    ELSIF v_sig.acked_at IS NOT NULL THEN
        RETURN QUERY SELECT false, false, v_sig.fingerprint,
            format('it was already acknowledged by %s at %s: %s', v_sig.acked_by,
                   to_char(v_sig.acked_at, 'YYYY-MM-DD HH24:MI'), v_sig.ack_comment);
    ELSE
        INSERT INTO signal_ack (id, customer_id, kind, fingerprint, refs, comment)
        VALUES (p_id, p_customer, p_kind, v_sig.fingerprint, v_sig.refs, p_comment);
        RETURN QUERY SELECT true, false, v_sig.fingerprint, 'done'::text;
    END IF;
END $$;

-- 010: import ---------------------------------------------------------------------
-- Customers: the file's organisations or companies.
CREATE OR REPLACE FUNCTION baton_import_customers(p_run uuid, p_src text, p_spec jsonb, p_shared text[],
                                       OUT inserted integer, OUT updated integer, OUT merged integer)
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    v_sys text := p_spec ->> 'system';
BEGIN
    INSERT INTO baton_import_reject (line, field, reason)
    SELECT line, 'name', CASE WHEN v ? 'name' THEN 'longer than 200 characters' ELSE 'missing name' END
    FROM baton_import_s WHERE length(coalesce(v ->> 'name', v -> 'domains' ->> 0, '')) NOT BETWEEN 1 AND 200;
    DELETE FROM baton_import_s
    WHERE length(coalesce(v ->> 'name', v -> 'domains' ->> 0, '')) NOT BETWEEN 1 AND 200;

    CREATE TEMP TABLE baton_import_c ON COMMIT DROP AS
    SELECT s.line, s.v, s.digest, s.v ->> 'source_id' AS sid, r.customer_id AS cid, r.owns,
        CASE WHEN r.source_id IS NULL THEN 'new'
             WHEN r.digest = s.digest
               OR (s.v ->> 'updated_at')::timestamptz < r.source_updated_at THEN 'unchanged'
             ELSE 'updated' END AS state,
        NULL::bigint AS survivor
    FROM baton_import_s s
    LEFT JOIN import_record r ON r.source = p_src AND r.source_id = s.v ->> 'source_id';
    DELETE FROM baton_import_c WHERE state = 'unchanged';
    ANALYZE baton_import_c;

    CREATE TEMP TABLE baton_import_node ON COMMIT DROP AS
    SELECT 'r:' || sid AS node, cid FROM baton_import_c;
    CREATE TEMP TABLE baton_import_claim ON COMMIT DROP AS
    SELECT 'r:' || sid AS node, 'ext' AS kind, v_sys || ':' || sid AS value
    FROM baton_import_c WHERE v_sys IS NOT NULL
    UNION ALL
    SELECT 'r:' || sid, 'domain', d FROM baton_import_c, jsonb_array_elements_text(v -> 'domains') d;
    ANALYZE baton_import_node;
    ANALYZE baton_import_claim;
    PERFORM baton_import_resolve(p_shared);

    -- A component with no customer yet gets one, made from its first record.
    CREATE TEMP TABLE baton_import_new ON COMMIT DROP AS
    SELECT x.*, nextval(pg_get_serial_sequence('customer', 'id')) AS id FROM (
        SELECT DISTINCT ON (l.l) l.l AS comp, c.sid, c.v, c.line
        FROM baton_import_c c JOIN baton_import_lab l ON l.n = 'r:' || c.sid
        JOIN baton_import_comp k ON k.comp = l.l
        WHERE k.survivor IS NULL ORDER BY l.l, c.line) x;
    ANALYZE baton_import_new;
    -- Its domain: the first that no customer has and that says who it is
    -- (the first record to name it, when new customers share one).
    CREATE TEMP TABLE baton_import_dom ON COMMIT DROP AS
    SELECT DISTINCT ON (n.id) n.id, x.d AS domain, n.line
    FROM baton_import_new n, jsonb_array_elements_text(n.v -> 'domains') WITH ORDINALITY x(d, i)
    WHERE NOT EXISTS (SELECT 1 FROM baton_shared_domain s WHERE s.domain = x.d)
      AND NOT x.d = ANY (coalesce(p_shared, '{}'))
      AND NOT EXISTS (SELECT 1 FROM baton_import_unused u WHERE u.kind = 'domain' AND u.value = x.d)
      AND NOT EXISTS (SELECT 1 FROM customer c WHERE lower(c.domain) = x.d)
    ORDER BY n.id, x.i;
    ANALYZE baton_import_dom;
    INSERT INTO customer (id, name, domain, plan, segment, lifecycle, owner, renewal_date)
    SELECT n.id, coalesce(n.v ->> 'name', n.v -> 'domains' ->> 0),
        CASE WHEN row_number() OVER (PARTITION BY d.domain ORDER BY n.line) = 1 THEN d.domain END,
        coalesce(n.v ->> 'plan', 'starter'), coalesce(n.v ->> 'segment', 'smb'),
        coalesce(n.v ->> 'lifecycle', 'onboarding'), (n.v ->> 'owner')::name,
        (n.v ->> 'renewal_date')::date
    FROM baton_import_new n LEFT JOIN baton_import_dom d ON d.id = n.id;
    IF FOUND THEN
        ANALYZE customer;
    END IF;
    UPDATE baton_import_comp k SET survivor = n.id FROM baton_import_new n WHERE n.comp = k.comp;
    -- Every record's customer from here on: its component's survivor.
    UPDATE baton_import_c c SET survivor = k.survivor
    FROM baton_import_lab l JOIN baton_import_comp k ON k.comp = l.l WHERE l.n = 'r:' || c.sid;

    merged := baton_import_absorb_all(p_run);

    -- Records that joined a customer they did not make: recorded with why.
    INSERT INTO customer_merge (run_id, customer_id, joined_source, joined_source_id, identifiers, evidence)
    SELECT p_run, c.survivor, p_src, c.sid, coalesce(baton_import_why('r:' || c.sid, NULL), ''),
        jsonb_build_object('identifiers', coalesce(baton_import_why('r:' || c.sid, NULL), ''),
                           'records', baton_import_records_of(ARRAY[c.survivor]),
                           'record', jsonb_build_object('source', p_src, 'id', c.sid,
                                                        'label', p_spec ->> 'label'))
    FROM baton_import_c c
    WHERE c.cid IS DISTINCT FROM c.survivor
      AND NOT EXISTS (SELECT 1 FROM baton_import_new n WHERE n.sid = c.sid);
    GET DIAGNOSTICS inserted = ROW_COUNT;
    merged := merged + inserted;

    -- Fields follow the record that made the customer; others fill gaps.
    CREATE TEMP TABLE baton_import_own ON COMMIT DROP AS
    SELECT c.cid, c.v FROM baton_import_c c
    WHERE c.state = 'updated' AND c.owns AND c.cid = c.survivor;
    ANALYZE baton_import_own;
    UPDATE customer u SET name = coalesce(c.v ->> 'name', u.name),
        plan = coalesce(c.v ->> 'plan', u.plan), segment = coalesce(c.v ->> 'segment', u.segment),
        lifecycle = coalesce(c.v ->> 'lifecycle', u.lifecycle),
        owner = coalesce((c.v ->> 'owner')::name, u.owner),
        renewal_date = coalesce((c.v ->> 'renewal_date')::date, u.renewal_date), updated_at = now()
    FROM baton_import_own c
    WHERE u.id = c.cid
      AND (u.name, u.plan, u.segment, u.lifecycle, u.owner, u.renewal_date) IS DISTINCT FROM
          (coalesce(c.v ->> 'name', u.name), coalesce(c.v ->> 'plan', u.plan),
           coalesce(c.v ->> 'segment', u.segment), coalesce(c.v ->> 'lifecycle', u.lifecycle),
           coalesce((c.v ->> 'owner')::name, u.owner),
           coalesce((c.v ->> 'renewal_date')::date, u.renewal_date));

    IF v_sys IS NOT NULL THEN
        INSERT INTO customer_external_id (system, external_id, customer_id)
        SELECT v_sys, c.sid, c.survivor FROM baton_import_c c
        ON CONFLICT (system, external_id) DO NOTHING;
    END IF;

    INSERT INTO import_record AS r (source, source_id, entity, target_id, customer_id, digest,
        source_updated_at, run_id, owns, label, name, domains, external)
    SELECT p_src, c.sid, 'customers', c.survivor, c.survivor, c.digest,
        (c.v ->> 'updated_at')::timestamptz, p_run,
        EXISTS (SELECT 1 FROM baton_import_new n WHERE n.sid = c.sid)
            OR (coalesce(c.owns, false) AND c.cid = c.survivor),
        p_spec ->> 'label', c.v ->> 'name',
        ARRAY(SELECT jsonb_array_elements_text(c.v -> 'domains')), v_sys || ':' || c.sid
    FROM baton_import_c c
    ON CONFLICT (source, source_id) DO UPDATE SET target_id = EXCLUDED.target_id,
        customer_id = EXCLUDED.customer_id, digest = EXCLUDED.digest,
        source_updated_at = EXCLUDED.source_updated_at, run_id = EXCLUDED.run_id,
        owns = EXCLUDED.owns, label = EXCLUDED.label, name = EXCLUDED.name,
        domains = EXCLUDED.domains, external = EXCLUDED.external;
    SELECT count(*) FILTER (WHERE state = 'new'), count(*) FILTER (WHERE state = 'updated')
        INTO inserted, updated FROM baton_import_c;
END $$;

-- 011: presence -------------------------------------------------------------------
-- The session now shows p_customer (NULL: none); returns who else is here.
-- Idempotent: the row is keyed by the backend, so a repeated call changes
-- nothing and tells nobody.  Every change sends 'presence:ID' for the
-- customer left and the one opened, and rows of backends that are gone are
-- removed (and their customers told) on the way.  TCP keepalives for this
-- session: over the network, a console whose link died is noticed by the
-- server within about a minute instead of the system's two hours, and its
-- presence ends with its backend (nothing to do over a Unix socket).
CREATE OR REPLACE FUNCTION baton_presence_set(p_customer bigint)
RETURNS TABLE (role_name name, display_name text, team_name text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_old bigint;
    v_gone bigint;
BEGIN
    PERFORM baton_my_team();
    IF p_customer IS NOT NULL AND NOT baton_me_sees_customer(p_customer) THEN
        RAISE EXCEPTION 'unknown customer %', p_customer USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM set_config('tcp_keepalives_idle', '30', false),
            set_config('tcp_keepalives_interval', '10', false),
            set_config('tcp_keepalives_count', '3', false);
    FOR v_gone IN
        DELETE FROM baton_presence p
        WHERE p.pid <> pg_backend_pid() AND p.pid NOT IN (SELECT l.pid FROM baton_presence_live() l)
        RETURNING p.customer_id
    LOOP
        PERFORM pg_notify('baton', 'presence:' || v_gone);
    END LOOP;
    SELECT p.customer_id INTO v_old FROM baton_presence p WHERE p.pid = pg_backend_pid();
    IF p_customer IS NULL THEN
        DELETE FROM baton_presence p WHERE p.pid = pg_backend_pid();
    ELSIF v_old IS DISTINCT FROM p_customer THEN
        INSERT INTO baton_presence AS p (pid, started, role_name, customer_id)
        SELECT pg_backend_pid(), a.backend_start, session_user, p_customer
        FROM pg_stat_activity a WHERE a.pid = pg_backend_pid()
        ON CONFLICT (pid) DO UPDATE SET started = EXCLUDED.started,
            role_name = EXCLUDED.role_name, customer_id = EXCLUDED.customer_id, since = now();
    END IF;
    IF v_old IS DISTINCT FROM p_customer THEN
        PERFORM pg_notify('baton', 'presence:' || x) FROM unnest(ARRAY[v_old, p_customer]) x
        WHERE x IS NOT NULL;
    END IF;
    IF p_customer IS NOT NULL THEN
        RETURN QUERY SELECT * FROM baton_presence_here(p_customer);
    END IF;
END $$;
