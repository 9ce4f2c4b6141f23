-- Onboarding writes back: milestones and the customer's onboarding health.
--
-- A milestone row is the current state; every change to it is a row of
-- milestone_event (append-only: who, when, what it was set to and why).
-- The customer's onboarding health is set explicitly with a reason, each
-- time a row of onboarding_health_event; customer.onboarding_health keeps
-- the current value for everything that already reads it.  Both are
-- written only through the SECURITY DEFINER functions below, which take
-- the author from the session user, check who may (the onboarding team,
-- named by a setting, or the milestone's owner), the customer's reach
-- (the access rules of 005) and the input, and are idempotent on the
-- client-generated id: a client that lost its connection, even during
-- COMMIT, sends the same change again and nothing happens twice.
--
-- A health nobody has set again for onboarding_health_stale_days is
-- stale: the customer fetch computes that on the server, so no client's
-- clock matters.

-- Settings --------------------------------------------------------------------
-- 006's value check names every key (CASE key ... ELSE false END).  A
-- later migration adds its own keys with this function, which puts the
-- key's check before the final ELSE of whatever the constraint is by then
-- (another migration's keys stay), and writes the default without an
-- audit row (as 006 wrote its own: an audit row for a setting means an
-- administrator changed it).  p_check: a boolean expression of value.
CREATE FUNCTION baton_setting_declare(p_key text, p_value text, p_accepts text, p_about text,
                                      p_check text)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    v_def text;
    v_tail constant text := 'ELSE false END';
    v_at integer;
BEGIN
    SELECT pg_get_constraintdef(c.oid) INTO v_def FROM pg_constraint c
     WHERE c.conrelid = 'baton_setting'::regclass AND c.conname = 'baton_setting_value';
    -- As PostgreSQL prints it, but on one line.
    v_def := regexp_replace(v_def, '\s+', ' ', 'g');
    v_at := length(v_def) - position(reverse(v_tail) IN reverse(coalesce(v_def, ''))) - length(v_tail) + 2;
    IF v_def IS NULL OR position(v_tail IN v_def) = 0 THEN
        RAISE EXCEPTION 'baton_setting_value is not a CASE key ... ELSE false END check: %', v_def;
    END IF;
    IF position(quote_literal(p_key) || '::text THEN' IN v_def) = 0 THEN
        v_def := substr(v_def, 1, v_at - 1) || format('WHEN %L::text THEN (%s) ', p_key, p_check)
                 || substr(v_def, v_at);
        ALTER TABLE baton_setting DROP CONSTRAINT baton_setting_value;
        EXECUTE 'ALTER TABLE baton_setting ADD CONSTRAINT baton_setting_value ' || v_def;
    END IF;
    ALTER TABLE baton_setting DISABLE TRIGGER baton_setting_audit_ins;
    INSERT INTO baton_setting (key, value, accepts, about)
    VALUES (p_key, p_value, p_accepts, p_about) ON CONFLICT (key) DO NOTHING;
    ALTER TABLE baton_setting ENABLE TRIGGER baton_setting_audit_ins;
END $$;
REVOKE ALL ON FUNCTION baton_setting_declare(text, text, text, text, text) FROM PUBLIC;

SELECT baton_setting_declare('onboarding_team', 'onboarding',
    'a team id (as baton staff list shows it)',
    'the team that changes onboarding milestones and health (besides each milestone''s owner)',
    $c$value ~ '^[a-z][a-z0-9_-]{0,31}$'$c$);
SELECT baton_setting_declare('onboarding_health_stale_days', '14',
    'a number of days from 1 to 365',
    'after how many days an onboarding health nobody has set again shows as stale',
    $c$CASE WHEN value ~ '^[0-9]{1,3}$' THEN value::integer BETWEEN 1 AND 365 ELSE false END$c$);

-- Tables ----------------------------------------------------------------------
-- Optimistic concurrency: a change made on what someone saw (its version)
-- is refused, with the fresh state, when another came first.
ALTER TABLE milestone ADD COLUMN version integer NOT NULL DEFAULT 1 CHECK (version > 0);

-- The milestone as each change left it, and why.
CREATE TABLE milestone_event (
    id            uuid PRIMARY KEY,
    milestone_id  bigint NOT NULL REFERENCES milestone (id) ON DELETE CASCADE,
    customer_id   bigint NOT NULL REFERENCES customer (id) ON DELETE CASCADE,
    status        text NOT NULL
                  CHECK (status IN ('pending', 'in_progress', 'blocked', 'done', 'skipped')),
    due_date      date,
    owner         name REFERENCES staff (role_name),
    reason        text CHECK (reason IS NULL OR length(reason) BETWEEN 1 AND 1000),
    actor         name NOT NULL DEFAULT session_user,
    at            timestamptz NOT NULL DEFAULT now(),
    CHECK (status <> 'blocked' OR reason IS NOT NULL)
);
CREATE INDEX milestone_event_milestone_idx ON milestone_event (milestone_id, at DESC);
CREATE INDEX milestone_event_customer_idx ON milestone_event (customer_id, at DESC);

CREATE TABLE onboarding_health_event (
    id           uuid PRIMARY KEY,
    customer_id  bigint NOT NULL REFERENCES customer (id) ON DELETE CASCADE,
    health       text NOT NULL CHECK (health IN ('on_track', 'at_risk', 'off_track', 'done')),
    reason       text NOT NULL CHECK (length(reason) BETWEEN 1 AND 1000),
    actor        name NOT NULL DEFAULT session_user,
    at           timestamptz NOT NULL DEFAULT now()
);
-- The customer fetch reads the latest of one customer's.
CREATE INDEX onboarding_health_event_customer_idx
    ON onboarding_health_event (customer_id, at DESC, id DESC);

CREATE TRIGGER milestone_event_append_only BEFORE UPDATE OR DELETE ON milestone_event
    FOR EACH ROW EXECUTE FUNCTION baton_forbid_change();
CREATE TRIGGER onboarding_health_event_append_only BEFORE UPDATE OR DELETE ON onboarding_health_event
    FOR EACH ROW EXECUTE FUNCTION baton_forbid_change();
CREATE TRIGGER milestone_event_notify AFTER INSERT ON milestone_event
    FOR EACH ROW EXECUTE FUNCTION baton_notify_customer();
CREATE TRIGGER onboarding_health_event_notify AFTER INSERT ON onboarding_health_event
    FOR EACH ROW EXECUTE FUNCTION baton_notify_customer();
-- The functions run as their owner, past the policies: the rule of 005
-- holds every write to these tables, whichever function makes it.
CREATE TRIGGER milestone_event_reach BEFORE INSERT ON milestone_event
    FOR EACH ROW EXECUTE FUNCTION baton_check_reach();
CREATE TRIGGER onboarding_health_event_reach BEFORE INSERT ON onboarding_health_event
    FOR EACH ROW EXECUTE FUNCTION baton_check_reach();
SELECT baton_audit_attach(tab, 'id')
  FROM unnest(ARRAY['milestone_event', 'onboarding_health_event']) AS tab;

-- Read with their customer (005).
ALTER TABLE milestone_event ENABLE ROW LEVEL SECURITY;
ALTER TABLE onboarding_health_event ENABLE ROW LEVEL SECURITY;
CREATE POLICY staff_read ON milestone_event FOR SELECT TO baton_staff
    USING ((SELECT baton_me_sees_all())
           OR ((SELECT baton_me_active()) AND baton_me_sees_customer(customer_id)));
CREATE POLICY staff_read ON onboarding_health_event FOR SELECT TO baton_staff
    USING ((SELECT baton_me_sees_all())
           OR ((SELECT baton_me_active()) AND baton_me_sees_customer(customer_id)));
REVOKE ALL ON milestone_event, onboarding_health_event FROM PUBLIC;
GRANT SELECT ON milestone_event, onboarding_health_event TO baton_staff;

-- Who may ----------------------------------------------------------------------
-- Why the session user may not change a customer's onboarding (NULL: they
-- may): the onboarding team may; else, for a milestone, its owner
-- (p_owner), and for the health (p_owner NULL), whoever owns one of the
-- customer's milestones.
CREATE FUNCTION baton_onboarding_refusal(p_customer bigint, p_owner name) RETURNS text
LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
DECLARE
    v_team text;
    v_onb text := baton_setting_value('onboarding_team');
    v_name text;
BEGIN
    SELECT s.team_id INTO v_team FROM staff s WHERE s.role_name = session_user AND s.active;
    IF v_team IS NULL THEN
        RETURN format('role %s is not an active staff member', session_user);
    END IF;
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
REVOKE ALL ON FUNCTION baton_onboarding_refusal(bigint, name) FROM PUBLIC;

-- What a reason must be; NULL if it may be written.
CREATE FUNCTION baton_onboarding_reason_problem(p_reason text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN length(p_reason) > 1000 THEN
            format('the reason is %s characters, more than the largest of 1000', length(p_reason))
        WHEN p_reason ~ '[[:cntrl:]]' THEN 'the reason is one line, without control characters'
        END
$$;

-- Milestones ---------------------------------------------------------------------
-- Set a milestone to exactly this: status (pending, in_progress, blocked
-- with a reason, done), due date and owner (NULL: none).  p_id is the
-- change's client-generated id: sent again by the same person it reports
-- done and already = true; anyone else's is refused.  p_expected_version,
-- when given, must be the milestone's version: otherwise nothing changes
-- and the answer says who changed it meanwhile, with the fresh version.
-- Refusals of who and what are errors; a stale version is an answer.
CREATE FUNCTION baton_milestone_set(p_id uuid, p_milestone bigint, p_status text, p_due date,
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
    SELECT * INTO v_prev FROM milestone_event e WHERE e.id = p_id;
    IF FOUND THEN
        IF v_prev.actor <> session_user OR v_prev.milestone_id <> p_milestone THEN
            RAISE EXCEPTION 'change % already exists and was recorded by someone else', p_id
                USING ERRCODE = 'unique_violation';
        END IF;
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

-- Onboarding health ----------------------------------------------------------------
-- Set a customer's onboarding health (on_track, at_risk, off_track, done)
-- with a reason; setting the same health again says it is still true (and
-- no longer stale).  Idempotent on p_id like baton_milestone_set.
CREATE FUNCTION baton_health_set(p_id uuid, p_customer bigint, p_health text, p_reason text)
RETURNS TABLE (done boolean, already boolean, health text, message text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_prev onboarding_health_event%ROWTYPE;
    v_reason text := nullif(btrim(p_reason), '');
    v_problem text;
BEGIN
    PERFORM 1 FROM customer c WHERE c.id = p_customer FOR UPDATE;
    IF NOT FOUND OR NOT (baton_me_sees_customer(p_customer) OR baton_me_bypasses()) THEN
        RAISE EXCEPTION 'unknown customer %', p_customer USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT * INTO v_prev FROM onboarding_health_event e WHERE e.id = p_id;
    IF FOUND THEN
        IF v_prev.actor <> session_user OR v_prev.customer_id <> p_customer THEN
            RAISE EXCEPTION 'change % already exists and was recorded by someone else', p_id
                USING ERRCODE = 'unique_violation';
        END IF;
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

REVOKE ALL ON FUNCTION baton_milestone_set(uuid, bigint, text, date, name, text, integer),
    baton_health_set(uuid, bigint, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION baton_milestone_set(uuid, bigint, text, date, name, text, integer),
    baton_health_set(uuid, bigint, text, text) TO baton_staff;
