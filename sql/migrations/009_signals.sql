-- Baton schema, version 9: campaign holds and crossed signals, computed by
-- the database so that the console, the command line and any other client
-- (a marketing tool pulling the suppression list) agree.
--
-- Writes: baton_campaign_hold() and baton_signal_ack(), SECURITY DEFINER,
-- idempotent on a client-generated uuid, author = session_user, into
-- append-only tables (audited, notified as customer:ID, row-level security
-- like 005).
--
-- Reads (invoker's rights: row-level security applies, so a scoped person
-- sees the signals of the customers they may see, and nothing else):
--
--   baton_signals(p_customer bigint DEFAULT NULL)
--       One row per customer and kind of signal: customer_id, kind, title,
--       severity ('high', 'medium', 'low'), severity_rank (3..1), since,
--       refs (text[]: 'ticket:4805', 'campaign:12', 'handoff:UUID',
--       'milestone:7', 'survey:3', sorted), explanation (one line: what,
--       since when, the records), teams (text[]: who must act),
--       fingerprint (of refs) and, when that fingerprint was acknowledged,
--       acked_by, acked_at, ack_comment.  NULL: every customer.  The
--       customer screen reads its customer's; lists filter and order.
--   baton_signal_list(p_kind, p_team, p_segment, p_owner, p_customer,
--                     p_include_acked)
--       The list for leads and scripts: the active (unacknowledged)
--       signals, filtered (NULL: any), most severe first, then oldest, with
--       the customer's name, segment and owner.
--   baton_suppression(p_customer bigint DEFAULT NULL)
--       "Scheduled sends to customers in trouble": every scheduled send
--       that is held, or whose customer has an active signal, with the
--       hold (who, when, why) and the reasons (the signals' explanations).
--       What a marketing tool reads before a send.
--
-- The rules (thresholds, keywords, who may hold) are settings of 006's
-- baton_setting, shown and changed with `baton settings`.

-- Settings ---------------------------------------------------------------------
-- 006's check names its keys and refuses any other.  Each later migration
-- checks its own keys with a constraint of its own, so 006's (or whatever
-- a migration before this one made of it) keeps its rules for the keys it
-- names and lets the others through to theirs.  New keys come only from
-- migrations: baton_setting_set() changes existing keys only.
DO $$
DECLARE
    v_def text;
BEGIN
    SELECT pg_get_constraintdef(oid) INTO v_def FROM pg_constraint
    WHERE conrelid = 'baton_setting'::regclass AND conname = 'baton_setting_value';
    IF v_def ~ 'ELSE false\s+END\)$' THEN
        EXECUTE 'ALTER TABLE baton_setting DROP CONSTRAINT baton_setting_value, ADD CONSTRAINT'
                ' baton_setting_value ' || regexp_replace(v_def, 'ELSE false\s+END\)$', 'ELSE true END)');
    END IF;
END $$;

-- Lists are comma-separated: teams and categories are identifiers, keywords
-- lower-case words (letters, digits, spaces: they become a regular
-- expression, so nothing in them can mean more than the word).
ALTER TABLE baton_setting ADD CONSTRAINT baton_setting_signals CHECK (CASE
    WHEN key = 'campaign_hold_teams' THEN value ~ '^(\*|[a-z][a-z0-9_-]{0,31}(,[a-z][a-z0-9_-]{0,31})*)$'
    WHEN key IN ('signal_complaint_days', 'signal_repeat_days', 'signal_voice_days') THEN
        CASE WHEN value ~ '^[0-9]{1,3}$' THEN value::integer BETWEEN 1 AND 365 ELSE false END
    WHEN key = 'signal_sent_days' THEN
        CASE WHEN value ~ '^[0-9]{1,3}$' THEN value::integer BETWEEN 0 AND 365 ELSE false END
    WHEN key IN ('signal_repeat_tickets') THEN
        CASE WHEN value ~ '^[0-9]{1,2}$' THEN value::integer BETWEEN 2 AND 99 ELSE false END
    WHEN key IN ('signal_nps_drop', 'signal_csat_drop', 'signal_ces_drop') THEN
        CASE WHEN value ~ '^[0-9]{1,2}$' THEN value::integer BETWEEN 1 AND 10 ELSE false END
    WHEN key = 'signal_detractor_nps' THEN
        CASE WHEN value ~ '^[0-9]{1,2}$' THEN value::integer BETWEEN 0 AND 10 ELSE false END
    WHEN key = 'signal_repeat_similarity' THEN
        CASE WHEN value ~ '^(0\.[0-9]{1,2}|1|1\.0)$' THEN value::real BETWEEN 0.1 AND 1 ELSE false END
    WHEN key IN ('signal_complaint_keywords', 'signal_burning_keywords') THEN
        value ~ '^([a-z0-9][a-z0-9 ]{0,39}(,[a-z0-9][a-z0-9 ]{0,39})*)?$'
    WHEN key IN ('signal_complaint_categories', 'signal_burning_categories',
                 'signal_outreach_kinds') THEN
        value ~ '^([a-z_]{1,40}(,[a-z_]{1,40})*)?$'
    WHEN key = 'signal_escalation_reasons' THEN
        value ~ '^([a-z][a-z0-9_ -]{0,39}(,[a-z][a-z0-9_ -]{0,39})*)?$'
    ELSE true END);

-- Built-in defaults, like 006's, are no change by anyone: an audit row of
-- baton_setting means an administrator changed it (settings_import relies
-- on that), so the audit trigger 006 attached is off for these rows.
ALTER TABLE baton_setting DISABLE TRIGGER baton_setting_audit_ins;
INSERT INTO baton_setting (key, value, accepts, about) VALUES
    ('campaign_hold_teams', 'marketing', '* (anyone on the staff) or team ids, comma-separated',
     'who may hold or release a scheduled marketing send'),
    ('signal_complaint_days', '30', 'a number of days from 1 to 365',
     'a campaign within this many days after a refund, complaint or cancellation ticket is a crossed signal'),
    ('signal_complaint_keywords', 'refund,chargeback,cancel,charged twice,duplicate charge',
     'lower-case words, comma-separated (matched at the start of a word of the subject)',
     'ticket subjects that make a ticket a refund, complaint or cancellation'),
    ('signal_complaint_categories', 'complaint', 'ticket categories, comma-separated',
     'ticket categories that make a ticket a complaint'),
    ('signal_sent_days', '7', 'a number of days from 0 to 365',
     'a send is still news for this many days (scheduled sends always are)'),
    ('signal_outreach_kinds', 'upsell,renewal', 'campaign kinds, comma-separated',
     'the campaigns that are outreach (renewal, upsell): worse during a complaint or escalation'),
    ('signal_escalation_reasons', 'escalation,renewal risk', 'handoff reasons, comma-separated',
     'handoffs that are escalations while open or acknowledged'),
    ('signal_burning_categories', 'onboarding,migration', 'ticket categories, comma-separated',
     'open tickets of these categories contradict an onboarding "on track"'),
    ('signal_burning_keywords', 'data,import,migrat', 'lower-case words, comma-separated',
     'open tickets with these words in the subject contradict an onboarding "on track"'),
    ('signal_repeat_days', '30', 'a number of days from 1 to 365',
     'a new ticket like one solved within this many days, or several alike within it, is a repeat'),
    ('signal_repeat_similarity', '0.6', 'a number from 0.1 to 1 (pg_trgm similarity)',
     'how alike two subjects (of the same category) must be to be the same problem'),
    ('signal_repeat_tickets', '3', 'a number from 2 to 99',
     'this many tickets alike within signal_repeat_days is a repeat'),
    ('signal_voice_days', '90', 'a number of days from 1 to 365',
     'survey answers of this many days count for the voice of the customer'),
    ('signal_nps_drop', '3', 'a number of points from 1 to 10', 'an NPS fall this large is a signal'),
    ('signal_csat_drop', '2', 'a number of points from 1 to 10', 'a CSAT fall this large is a signal'),
    ('signal_ces_drop', '2', 'a number of points from 1 to 10', 'a CES fall this large is a signal'),
    ('signal_detractor_nps', '6', 'a score from 0 to 10',
     'an NPS at or below this while a campaign is scheduled is a signal');
ALTER TABLE baton_setting ENABLE TRIGGER baton_setting_audit_ins;

-- Campaign holds ------------------------------------------------------------------
-- The history: every hold and release, never changed.  customer_id is the
-- event's, kept here for row-level security, the audit and notifications.
CREATE TABLE campaign_hold (
    id           uuid PRIMARY KEY,
    event_id     bigint NOT NULL REFERENCES marketing_event (id) ON DELETE CASCADE,
    customer_id  bigint NOT NULL REFERENCES customer (id) ON DELETE CASCADE,
    action       text NOT NULL CHECK (action IN ('hold', 'release')),
    comment      text NOT NULL CHECK (length(comment) BETWEEN 1 AND 65536),
    actor        name NOT NULL DEFAULT session_user,
    at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX campaign_hold_event_idx ON campaign_hold (event_id, at DESC);
CREATE INDEX campaign_hold_customer_idx ON campaign_hold (customer_id, at DESC);

-- The current state, cheap to read: the hold in force, set only by
-- baton_campaign_hold().
ALTER TABLE marketing_event ADD COLUMN held_by uuid REFERENCES campaign_hold (id);
CREATE INDEX marketing_event_held_idx ON marketing_event (customer_id) WHERE held_by IS NOT NULL;

-- Acknowledged signals --------------------------------------------------------------
-- "Marketing informed, send paused": who, when, why, and the records the
-- signal was about (fingerprint): a signal whose records change (a new
-- ticket, a new send) is a new one.
CREATE TABLE signal_ack (
    id           uuid PRIMARY KEY,
    customer_id  bigint NOT NULL REFERENCES customer (id) ON DELETE CASCADE,
    kind         text NOT NULL,
    fingerprint  text NOT NULL CHECK (fingerprint ~ '^[0-9a-f]{32}$'),
    refs         text[] NOT NULL,
    comment      text NOT NULL CHECK (length(comment) BETWEEN 1 AND 65536),
    actor        name NOT NULL DEFAULT session_user,
    at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX signal_ack_customer_idx ON signal_ack (customer_id, kind, fingerprint, at DESC);

CREATE TRIGGER campaign_hold_append_only BEFORE UPDATE OR DELETE ON campaign_hold
    FOR EACH ROW EXECUTE FUNCTION baton_forbid_change();
CREATE TRIGGER signal_ack_append_only BEFORE UPDATE OR DELETE ON signal_ack
    FOR EACH ROW EXECUTE FUNCTION baton_forbid_change();
CREATE TRIGGER campaign_hold_notify AFTER INSERT ON campaign_hold
    FOR EACH ROW EXECUTE FUNCTION baton_notify_customer();
CREATE TRIGGER signal_ack_notify AFTER INSERT ON signal_ack
    FOR EACH ROW EXECUTE FUNCTION baton_notify_customer();
SELECT baton_audit_attach(tab, 'id') FROM (VALUES ('campaign_hold'), ('signal_ack')) AS x(tab);

ALTER TABLE campaign_hold ENABLE ROW LEVEL SECURITY;
ALTER TABLE signal_ack ENABLE ROW LEVEL SECURITY;
CREATE POLICY staff_read ON campaign_hold FOR SELECT TO baton_staff
    USING ((SELECT baton_me_sees_all())
           OR ((SELECT baton_me_active()) AND baton_me_sees_customer(customer_id)));
CREATE POLICY staff_read ON signal_ack FOR SELECT TO baton_staff
    USING ((SELECT baton_me_sees_all())
           OR ((SELECT baton_me_active()) AND baton_me_sees_customer(customer_id)));
REVOKE ALL ON campaign_hold, signal_ack FROM PUBLIC;
GRANT SELECT ON campaign_hold, signal_ack TO baton_staff;

-- Reopened tickets --------------------------------------------------------------------
-- A ticket solved and then opened again is the customer repeating
-- themselves: the helpdesk import (or anyone) changing its status back is
-- counted here, whoever writes it.
ALTER TABLE ticket ADD COLUMN reopened_at timestamptz,
                   ADD COLUMN reopens integer NOT NULL DEFAULT 0 CHECK (reopens >= 0);

CREATE FUNCTION baton_ticket_reopen() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    IF OLD.status IN ('solved', 'closed') AND NEW.status NOT IN ('solved', 'closed') THEN
        NEW.reopened_at := now();
        NEW.reopens := OLD.reopens + 1;
    ELSE
        NEW.reopened_at := OLD.reopened_at;
        NEW.reopens := OLD.reopens;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER ticket_reopen BEFORE UPDATE ON ticket
    FOR EACH ROW EXECUTE FUNCTION baton_ticket_reopen();

-- Indexes of the all-customers forms: each kind starts from a small,
-- index-backed set (open handoffs past due, scheduled and recent sends,
-- recent tickets and answers), then looks at the customer's other rows
-- by the customer indexes of 001/002.
CREATE INDEX ticket_reopened_open_idx ON ticket (customer_id)
    WHERE reopened_at IS NOT NULL AND status NOT IN ('solved', 'closed');
CREATE INDEX ticket_solved_at_idx ON ticket (solved_at) INCLUDE (customer_id)
    WHERE status IN ('solved', 'closed');
CREATE INDEX ticket_open_cover_idx ON ticket (customer_id)
    INCLUDE (priority, category, opened_at)
    WHERE status NOT IN ('solved', 'closed');
CREATE INDEX marketing_event_sent_idx ON marketing_event (sent_at) INCLUDE (customer_id)
    WHERE status = 'sent';
CREATE INDEX marketing_event_scheduled_cover_idx ON marketing_event (customer_id)
    INCLUDE (scheduled_at, kind) WHERE status = 'scheduled' AND held_by IS NULL;
CREATE INDEX survey_response_at_idx ON survey_response (responded_at) INCLUDE (customer_id, kind);
CREATE INDEX customer_on_track_idx ON customer (id) WHERE onboarding_health = 'on_track';
CREATE INDEX ticket_customer_topic_idx ON ticket (customer_id, category, opened_at);
CREATE INDEX milestone_open_due_idx ON milestone (due_date) INCLUDE (customer_id)
    WHERE status NOT IN ('done', 'skipped');

-- Reading the rules ---------------------------------------------------------------
-- Lists become arrays; keywords a regular expression matching at the start
-- of a word (NULL when there are none: then nothing matches).
-- Every rule of the signals, one row, in one read of baton_setting: the
-- queries join it once per kind.  Plain SQL, so that it is inlined.
CREATE FUNCTION baton_signal_rules()
RETURNS TABLE (complaint_days integer, complaint_words text, complaint_categories text[],
    sent_days integer, outreach_kinds text[], escalation_reasons text[],
    burning_categories text[], burning_words text, repeat_days integer,
    repeat_similarity real, repeat_tickets integer, voice_days integer,
    nps_drop integer, csat_drop integer, ces_drop integer, detractor_nps integer)
LANGUAGE sql STABLE ROWS 1 AS $$
    SELECT max(value) FILTER (WHERE key = 'signal_complaint_days')::integer,
           max(CASE WHEN value <> '' THEN '\m(' || replace(value, ',', '|') || ')' END)
               FILTER (WHERE key = 'signal_complaint_keywords'),
           string_to_array(max(value) FILTER (WHERE key = 'signal_complaint_categories'), ','),
           max(value) FILTER (WHERE key = 'signal_sent_days')::integer,
           string_to_array(max(value) FILTER (WHERE key = 'signal_outreach_kinds'), ','),
           string_to_array(max(value) FILTER (WHERE key = 'signal_escalation_reasons'), ','),
           string_to_array(max(value) FILTER (WHERE key = 'signal_burning_categories'), ','),
           max(CASE WHEN value <> '' THEN '\m(' || replace(value, ',', '|') || ')' END)
               FILTER (WHERE key = 'signal_burning_keywords'),
           max(value) FILTER (WHERE key = 'signal_repeat_days')::integer,
           max(value) FILTER (WHERE key = 'signal_repeat_similarity')::real,
           max(value) FILTER (WHERE key = 'signal_repeat_tickets')::integer,
           max(value) FILTER (WHERE key = 'signal_voice_days')::integer,
           max(value) FILTER (WHERE key = 'signal_nps_drop')::integer,
           max(value) FILTER (WHERE key = 'signal_csat_drop')::integer,
           max(value) FILTER (WHERE key = 'signal_ces_drop')::integer,
           max(value) FILTER (WHERE key = 'signal_detractor_nps')::integer
    FROM public.baton_setting WHERE key LIKE 'signal\_%'
$$;

-- The kinds that read a rule: a change of it computes those again (see
-- baton_signal_refill).  A kind made to read another rule must be named
-- here, or the cache would keep what the old value said; a key not listed
-- computes every kind.
CREATE FUNCTION baton_signal_rule_kinds(p_key text) RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN p_key IN ('signal_complaint_days', 'signal_complaint_keywords',
                       'signal_complaint_categories')
            THEN ARRAY['campaign-during-complaint']
        WHEN p_key IN ('signal_sent_days', 'signal_outreach_kinds')
            THEN ARRAY['campaign-during-complaint', 'outreach-during-escalation']
        WHEN p_key = 'signal_escalation_reasons' THEN ARRAY['outreach-during-escalation']
        WHEN p_key IN ('signal_burning_categories', 'signal_burning_keywords')
            THEN ARRAY['on-track-but-burning']
        WHEN p_key IN ('signal_repeat_days', 'signal_repeat_similarity', 'signal_repeat_tickets')
            THEN ARRAY['repeating-themselves']
        WHEN p_key IN ('signal_voice_days', 'signal_nps_drop', 'signal_csat_drop',
                       'signal_ces_drop', 'signal_detractor_nps')
            THEN ARRAY['voice-falling'] END
$$;

-- Words for the explanations ------------------------------------------------------
-- "2d 3h", "5h 10m", "40m".
CREATE FUNCTION baton_span(p interval) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN s >= 86400 THEN (s / 86400) || 'd' || CASE WHEN s % 86400 >= 3600
                                                        THEN ' ' || (s % 86400 / 3600) || 'h' ELSE '' END
        WHEN s >= 3600 THEN (s / 3600) || 'h' || CASE WHEN s % 3600 >= 60
                                                      THEN ' ' || (s % 3600 / 60) || 'm' ELSE '' END
        ELSE greatest(s / 60, 0) || 'm' END
    FROM (SELECT extract(epoch FROM p)::bigint AS s) x
$$;

-- A quoted subject or campaign, at most 60 characters.
CREATE FUNCTION baton_quote(p text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT '"' || CASE WHEN length(p) > 60 THEN left(p, 59) || '…' ELSE p END || '"'
$$;

-- 'upsell "Upgrade to Pro" scheduled Dec 08'
CREATE FUNCTION baton_send_words(p_kind text, p_campaign text, p_status text, p_at timestamptz)
RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT p_kind || ' ' || baton_quote(p_campaign) || ' ' || p_status || ' ' || to_char(p_at, 'Mon DD')
$$;

-- The signals, kind by kind ----------------------------------------------------------
-- Each returns instances: (customer_id, kind, rank 3 high .. 1 low, since,
-- refs, line, team, clock, clock_unit, until) of the customers p_customers or,
-- with p_all, of every customer.  Plain SQL functions, inlined into the
-- caller: the cache's refresh (below) runs them for the few customers that
-- changed, by the customer indexes ("false OR x = ANY ($1)" folds to
-- "x = ANY ($1)" in a generic plan too), and its fill for everyone.
-- A line says what does not change with time; a part that does ("1h 30m
-- past its SLA", "3 days overdue") is said when the signal is read, from
-- clock and clock_unit (baton_signal_say), so that a cached line never
-- goes stale.  A held send is no crossed signal: it is in the suppression
-- list as held.  until: the last moment the instance holds by time alone
-- (a send is news for signal_sent_days...), NULL when only a write can end
-- it; the cache recomputes a customer once that moment has passed.

CREATE TYPE baton_signal_instance AS (customer_id bigint, kind text, rank integer,
                                      since timestamptz, refs text[], line text, team text,
                                      clock timestamptz, clock_unit text, until timestamptz);

-- 1 Campaign during a complaint: a scheduled (or recently sent) campaign
-- while an urgent/high ticket or a complaint is open (a send of yesterday
-- counts when the complaint came today: the customer has both in hand),
-- or sent while a complaint was open, or within signal_complaint_days
-- after it was solved.  An outreach campaign (upsell, renewal) or an
-- urgent ticket makes it high.
CREATE FUNCTION baton_signal_complaint(p_customers bigint[], p_all boolean)
RETURNS SETOF baton_signal_instance
LANGUAGE sql STABLE AS $$
    SELECT e.customer_id, 'campaign-during-complaint',
           CASE WHEN e.kind = ANY (r.outreach_kinds) OR t.priority = 'urgent' THEN 3 ELSE 2 END,
           greatest(t.at, e.sent_at),
           ARRAY['campaign:' || e.id, 'ticket:' || t.id],
           baton_send_words(e.kind, e.campaign, e.status, e.at)
           || CASE WHEN t.open
                   THEN ' while ' || t.label || ' #' || t.id || ' ' || baton_quote(t.subject) || ' is open'
                   WHEN e.at < t.at
                   THEN ' while ' || t.label || ' #' || t.id || ' ' || baton_quote(t.subject) || ' was open'
                   ELSE ' — ' || (e.at::date - t.at::date) || ' days after ' || t.label || ' #' || t.id
                        || ' ' || baton_quote(t.subject) END,
           'marketing', NULL::timestamptz, NULL::text,
           least(e.sent_at + make_interval(days => r.sent_days),
                 CASE WHEN NOT t.open THEN t.at + make_interval(days => r.complaint_days + r.sent_days) END)
    FROM baton_signal_rules() r
    CROSS JOIN LATERAL (
        SELECT m.id, m.customer_id, m.kind, m.campaign, m.status, m.sent_at,
               coalesce(m.sent_at, m.scheduled_at) AS at
        FROM marketing_event m
        WHERE ((m.status = 'scheduled' AND m.held_by IS NULL)
               OR (m.status = 'sent' AND m.sent_at >= now() - make_interval(days => r.sent_days)))
          AND (p_all OR m.customer_id = ANY (p_customers))) e
    -- The complaints first, each read once (by the customer indexes, or
    -- for everyone by the open tickets and those solved lately), then the
    -- sends they cross.
    JOIN (
        SELECT k.id, k.customer_id, k.subject, k.priority, k.opened_at, true AS open,
               k.opened_at AS at, k.category, r2.complaint_words
        FROM baton_signal_rules() r2
        JOIN ticket k ON k.status NOT IN ('solved', 'closed')
                     AND (k.priority IN ('urgent', 'high') OR k.category = ANY (r2.complaint_categories)
                          OR coalesce(k.subject ~* r2.complaint_words, false))
        WHERE p_all OR k.customer_id = ANY (p_customers)
        UNION ALL
        SELECT k.id, k.customer_id, k.subject, k.priority, k.opened_at, false, k.solved_at,
               k.category, r2.complaint_words
        FROM baton_signal_rules() r2
        JOIN ticket k ON k.status IN ('solved', 'closed')
                     AND k.solved_at >= now() - make_interval(days => r2.complaint_days + r2.sent_days)
                     AND (k.category = ANY (r2.complaint_categories)
                          OR coalesce(k.subject ~* r2.complaint_words, false))
        WHERE p_all OR k.customer_id = ANY (p_customers)
    ) t0 ON t0.customer_id = e.customer_id
        AND (t0.open OR (t0.at >= e.at - make_interval(days => r.complaint_days) AND t0.opened_at <= e.at))
    CROSS JOIN LATERAL (SELECT t0.*,
        CASE WHEN t0.category = ANY (r.complaint_categories) THEN t0.category
             WHEN t0.open AND t0.priority IN ('urgent', 'high') THEN t0.priority
             ELSE coalesce(lower(substring(t0.subject FROM '(?i)' || t0.complaint_words)), t0.category)
        END AS label) t
$$;

-- 2 Outreach during escalation: an upsell or renewal scheduled (or just
-- sent) while an escalation handoff is open or acknowledged.  (The ticket
-- forms of the issue, an urgent ticket or a refund, are kind 1 with its
-- outreach severity: one fact, one signal.)
CREATE FUNCTION baton_signal_outreach(p_customers bigint[], p_all boolean)
RETURNS SETOF baton_signal_instance
LANGUAGE sql STABLE AS $$
    SELECT m.customer_id, 'outreach-during-escalation', 3, greatest(h.created_at, m.sent_at),
           ARRAY['campaign:' || m.id, 'handoff:' || h.id],
           baton_send_words(m.kind, m.campaign, m.status, coalesce(m.sent_at, m.scheduled_at))
           || ' while ' || h.reason || ' handoff ' || h.from_team || ' → ' || h.to_team
           || ' (' || h.priority || ') is ' || CASE h.state WHEN 'open' THEN 'open' ELSE 'unresolved' END
           || ' since ' || to_char(h.created_at, 'Mon DD'),
           'marketing', NULL::timestamptz, NULL::text,
           CASE WHEN m.status = 'sent' THEN m.sent_at + make_interval(days => r.sent_days) END
    FROM baton_signal_rules() r
    JOIN marketing_event m ON m.kind = ANY (r.outreach_kinds)
    JOIN handoff h ON h.customer_id = m.customer_id
    WHERE ((m.status = 'scheduled' AND m.held_by IS NULL)
           OR (m.status = 'sent' AND m.sent_at >= now() - make_interval(days => r.sent_days)))
      AND h.state IN ('open', 'acknowledged') AND h.reason = ANY (r.escalation_reasons)
      AND (p_all OR m.customer_id = ANY (p_customers))
$$;

-- 3 "On track" but burning: onboarding says on track while onboarding,
-- migration or data tickets are open, or a milestone is overdue.
CREATE FUNCTION baton_signal_burning(p_customers bigint[], p_all boolean)
RETURNS SETOF baton_signal_instance
LANGUAGE sql STABLE AS $$
    SELECT c.id, 'on-track-but-burning', x.rank, x.since, ARRAY[x.ref],
           'onboarding "on track" while ' || x.what, 'onboarding', x.clock, x.clock_unit,
           NULL::timestamptz
    FROM baton_signal_rules() r
    JOIN customer c ON c.onboarding_health = 'on_track'
    CROSS JOIN LATERAL (
        SELECT CASE WHEN t.priority IN ('urgent', 'high') THEN 3 ELSE 2 END AS rank,
               t.opened_at AS since, 'ticket:' || t.id AS ref,
               t.category || ' #' || t.id || ' ' || baton_quote(t.subject) || ' (' || t.priority
               || ') is open' AS what, NULL::timestamptz AS clock, NULL::text AS clock_unit
        FROM ticket t
        WHERE t.customer_id = c.id AND t.status NOT IN ('solved', 'closed')
          AND (t.category = ANY (r.burning_categories) OR coalesce(t.subject ~* r.burning_words, false))
        UNION ALL
        -- Overdue from the first day after it was due: "1 days overdue".
        SELECT 3, m.due_date::timestamptz, 'milestone:' || m.id,
               'milestone ' || baton_quote(m.title) || ' is ', (m.due_date + 1)::timestamptz, 'overdue'
        FROM milestone m
        WHERE m.customer_id = c.id AND m.status NOT IN ('done', 'skipped') AND m.due_date < current_date
    ) x
    WHERE p_all OR c.id = ANY (p_customers)
$$;

-- 4 Dropped baton: a handoff not acknowledged within its SLA; the
-- receiving team must act.
CREATE FUNCTION baton_signal_dropped(p_customers bigint[], p_all boolean)
RETURNS SETOF baton_signal_instance
LANGUAGE sql STABLE AS $$
    SELECT h.customer_id, 'dropped-baton',
           CASE h.priority WHEN 'urgent' THEN 3 WHEN 'high' THEN 3 WHEN 'normal' THEN 2 ELSE 1 END,
           h.ack_due_at, ARRAY['handoff:' || h.id],
           'handoff ' || h.from_team || ' → ' || h.to_team || coalesce(' (' || h.to_staff || ')', '')
           || ' "' || h.reason || '" (' || h.priority || ') not acknowledged, ',
           h.to_team, h.ack_due_at, 'sla', NULL::timestamptz
    FROM handoff h
    WHERE h.state = 'open' AND h.ack_due_at < now()
      AND (p_all OR h.customer_id = ANY (p_customers))
$$;

-- What time alone will raise, for the cache: kinds 3 and 4 are the only
-- ones that a passing moment raises (every other condition of time ends an
-- instance: its until).  The last moment before an open handoff is late,
-- and before an open milestone of an "on track" customer is overdue.
CREATE FUNCTION baton_signal_upcoming(p_customers bigint[], p_all boolean)
RETURNS TABLE (customer_id bigint, until timestamptz)
LANGUAGE sql STABLE AS $$
    SELECT h.customer_id, h.ack_due_at
    FROM handoff h
    WHERE h.state = 'open' AND h.ack_due_at >= now()
      AND (p_all OR h.customer_id = ANY (p_customers))
    UNION ALL
    SELECT m.customer_id, (m.due_date + 1)::timestamptz - interval '1 microsecond'
    FROM milestone m
    JOIN customer c ON c.id = m.customer_id AND c.onboarding_health = 'on_track'
    WHERE m.status NOT IN ('done', 'skipped') AND m.due_date >= current_date
      AND (p_all OR m.customer_id = ANY (p_customers))
$$;

-- 5 Repeating themselves: an open ticket that was reopened; a new open
-- ticket (of the last signal_repeat_days) like one solved in the
-- signal_repeat_days before it was opened; or
-- signal_repeat_tickets tickets alike opened within those days.  Alike:
-- the same category and subjects at least signal_repeat_similarity alike
-- (pg_trgm): a category alone is too coarse (two billing questions are not
-- one problem), and comparing only within a category keeps it cheap.  The
-- tickets compared are read once (fresh: the new open ones; topic: those of
-- their customer and category that are recent enough to be the same
-- problem), then compared pairwise within a topic only: for everyone, hash
-- joins on (customer, category) instead of an index probe per ticket.
CREATE FUNCTION baton_signal_repeating(p_customers bigint[], p_all boolean)
RETURNS SETOF baton_signal_instance
LANGUAGE sql STABLE AS $$
    WITH r AS MATERIALIZED (
        SELECT x.repeat_days, x.repeat_similarity, x.repeat_tickets,
               now() - make_interval(days => x.repeat_days) AS after
        FROM baton_signal_rules() x),
    fresh AS MATERIALIZED (
        SELECT t.id, t.customer_id, t.category, t.subject, t.priority, t.opened_at
        FROM r JOIN ticket t ON t.status NOT IN ('solved', 'closed') AND t.opened_at >= r.after
        WHERE p_all OR t.customer_id = ANY (p_customers)),
    topic AS MATERIALIZED (
        SELECT t.id, t.customer_id, t.category, t.subject, t.opened_at, t.solved_at,
               t.status NOT IN ('solved', 'closed') AS open
        FROM r JOIN ticket t ON t.opened_at >= r.after
                             OR (t.status IN ('solved', 'closed')
                                 AND t.solved_at >= r.after - make_interval(days => r.repeat_days))
        WHERE (p_all OR t.customer_id = ANY (p_customers))
          AND (t.customer_id, t.category) IN (SELECT f.customer_id, f.category FROM fresh f))
    SELECT t.customer_id, 'repeating-themselves',
           CASE WHEN t.priority IN ('urgent', 'high') THEN 3 ELSE 2 END,
           t.reopened_at, ARRAY['ticket:' || t.id],
           '#' || t.id || ' ' || baton_quote(t.subject) || ' reopened ' || to_char(t.reopened_at, 'Mon DD')
           || CASE WHEN t.reopens > 1 THEN ' (' || t.reopens || ' times)' ELSE '' END,
           'support', NULL::timestamptz, NULL::text, NULL::timestamptz
    FROM ticket t
    WHERE t.reopened_at IS NOT NULL AND t.status NOT IN ('solved', 'closed')
      AND (p_all OR t.customer_id = ANY (p_customers))
    UNION ALL
    SELECT t.customer_id, 'repeating-themselves',
           CASE WHEN t.priority IN ('urgent', 'high') THEN 3 ELSE 2 END,
           t.opened_at, ARRAY['ticket:' || t.id, 'ticket:' || s.id],
           '#' || t.id || ' ' || baton_quote(t.subject) || ' opened ' || to_char(t.opened_at, 'Mon DD')
           || ', ' || (t.opened_at::date - s.solved_at::date) || ' days after the same problem #' || s.id
           || ' was solved',
           'support', NULL::timestamptz, NULL::text, t.opened_at + make_interval(days => r.repeat_days)
    FROM r
    CROSS JOIN fresh t
    JOIN topic s ON s.customer_id = t.customer_id AND s.category = t.category AND NOT s.open
                AND s.solved_at <= t.opened_at
                AND s.solved_at >= t.opened_at - make_interval(days => r.repeat_days)
    WHERE similarity(s.subject, t.subject) >= r.repeat_similarity
    UNION ALL
    SELECT t.customer_id, 'repeating-themselves', 2, min(o.opened_at),
           array_agg('ticket:' || o.id ORDER BY o.id),
           count(*) || ' tickets like #' || t.id || ' ' || baton_quote(t.subject) || ' in '
           || r.repeat_days || ' days',
           'support', NULL::timestamptz, NULL::text, min(o.opened_at) + make_interval(days => r.repeat_days)
    FROM r
    CROSS JOIN fresh t
    JOIN topic o ON o.customer_id = t.customer_id AND o.category = t.category
                AND o.opened_at >= r.after AND o.opened_at <= t.opened_at
    WHERE similarity(o.subject, t.subject) >= r.repeat_similarity
      -- The newest of them stands for the topic.
      AND NOT EXISTS (SELECT 1 FROM fresh n
                      WHERE n.customer_id = t.customer_id AND n.category = t.category
                        AND n.opened_at > t.opened_at
                        AND similarity(n.subject, t.subject) >= r.repeat_similarity)
    GROUP BY t.customer_id, t.id, t.subject, r.repeat_days, r.repeat_tickets
    HAVING count(*) >= r.repeat_tickets
$$;

-- 6 Voice of the customer falling: the latest NPS, CSAT or CES answer (of
-- the last signal_voice_days) fell by the setting's points or more since
-- the previous answer of its kind; or a detractor NPS while a campaign is
-- scheduled.  latest: each customer's last answer of each kind that has
-- one in those days, with the answer before it (one pass over the
-- answers of those customers and kinds).
CREATE FUNCTION baton_signal_voice(p_customers bigint[], p_all boolean)
RETURNS SETOF baton_signal_instance
LANGUAGE sql STABLE AS $$
    WITH r AS MATERIALIZED (
        SELECT x.nps_drop, x.csat_drop, x.ces_drop, x.detractor_nps, x.voice_days,
               now() - make_interval(days => x.voice_days) AS after
        FROM baton_signal_rules() x),
    latest AS MATERIALIZED (
        SELECT a.* FROM (
            SELECT s.id, s.customer_id, s.kind, s.score, s.comment, s.responded_at,
                   lag(s.id) OVER w AS p_id, lag(s.score) OVER w AS p_score,
                   lag(s.responded_at) OVER w AS p_at, lead(s.id) OVER w IS NULL AS last
            FROM survey_response s
            WHERE (p_all OR s.customer_id = ANY (p_customers))
              AND (s.customer_id, s.kind) IN (
                      SELECT x.customer_id, x.kind FROM r JOIN survey_response x ON x.responded_at >= r.after
                      WHERE p_all OR x.customer_id = ANY (p_customers))
            WINDOW w AS (PARTITION BY s.customer_id, s.kind ORDER BY s.responded_at)) a
        WHERE a.last)
    SELECT l.customer_id, 'voice-falling', 2, l.responded_at,
           ARRAY['survey:' || l.id, 'survey:' || l.p_id],
           upper(l.kind) || ' fell from ' || l.p_score || ' to ' || l.score || ' on '
           || to_char(l.responded_at, 'Mon DD') || ' (previous answer '
           || to_char(l.p_at, 'Mon DD') || ')'
           || coalesce(': ' || baton_quote(l.comment), ''),
           'success', NULL::timestamptz, NULL::text, l.responded_at + make_interval(days => r.voice_days)
    FROM r
    JOIN latest l ON l.responded_at >= r.after
    WHERE l.p_score - l.score >= CASE l.kind WHEN 'nps' THEN r.nps_drop WHEN 'csat' THEN r.csat_drop
                                             ELSE r.ces_drop END
    UNION ALL
    SELECT l.customer_id, 'voice-falling', 2, l.responded_at,
           ARRAY['survey:' || l.id, 'campaign:' || m.id],
           'NPS ' || l.score || ' on ' || to_char(l.responded_at, 'Mon DD') || ' while '
           || baton_send_words(m.kind, m.campaign, m.status, m.scheduled_at),
           'marketing', NULL::timestamptz, NULL::text, l.responded_at + make_interval(days => r.voice_days)
    FROM r
    JOIN latest l ON l.kind = 'nps' AND l.score <= r.detractor_nps AND l.responded_at >= r.after
    JOIN marketing_event m ON m.customer_id = l.customer_id AND m.status = 'scheduled'
                          AND m.held_by IS NULL
$$;

CREATE FUNCTION baton_signal_instances(p_customers bigint[], p_all boolean)
RETURNS SETOF baton_signal_instance
LANGUAGE sql STABLE AS $$
    SELECT * FROM baton_signal_complaint(p_customers, p_all)
    UNION ALL SELECT * FROM baton_signal_outreach(p_customers, p_all)
    UNION ALL SELECT * FROM baton_signal_burning(p_customers, p_all)
    UNION ALL SELECT * FROM baton_signal_dropped(p_customers, p_all)
    UNION ALL SELECT * FROM baton_signal_repeating(p_customers, p_all)
    UNION ALL SELECT * FROM baton_signal_voice(p_customers, p_all)
$$;

-- What each kind is called, for people.
CREATE FUNCTION baton_signal_title(p_kind text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE p_kind
        WHEN 'campaign-during-complaint' THEN 'campaign during complaint'
        WHEN 'outreach-during-escalation' THEN 'outreach during escalation'
        WHEN 'on-track-but-burning' THEN 'on track but burning'
        WHEN 'dropped-baton' THEN 'dropped baton'
        WHEN 'repeating-themselves' THEN 'repeating themselves'
        WHEN 'voice-falling' THEN 'voice falling' END
$$;

CREATE TYPE baton_signal AS (customer_id bigint, kind text, title text, severity text,
                             severity_rank integer, since timestamptz, refs text[],
                             explanation text, teams text[], fingerprint text, acked_by name,
                             acked_at timestamptz, ack_comment text);

-- The cache --------------------------------------------------------------------------
-- Computing every kind for 100,000 customers takes seconds; a customer
-- screen has a millisecond or two.  So the signals are kept, one row per
-- customer and kind, and computed again only for the customers whose facts
-- changed or whose time came:
--
--   customer_signal        the signals as last computed (baton_signal_
--                          compute) with the acknowledgement of their facts;
--                          read under row-level security like every
--                          customer table.  The part of a line that time
--                          changes is said when it is read (baton_signal_say).
--   customer_signal_state  per customer, valid_until: the last moment the
--                          cached signals hold by time alone (the earliest
--                          until of their instances, the next SLA to pass,
--                          the next milestone to fall due; NULL: no clock
--                          runs).  Only a write changes them before then.
--   signal_dirty           marks, "customer N changed": every write to a
--                          table that a signal reads (ticket, marketing_event,
--                          handoff, milestone, survey_response, signal_ack,
--                          a customer's onboarding health) adds one, by
--                          statement-level triggers that see the whole
--                          statement (an import's thousand rows: one
--                          INSERT ... SELECT DISTINCT).  A change of a
--                          signal_* setting computes everyone again at once,
--                          in the administrator's transaction
--                          (baton_signal_refill).
--
-- Readers (baton_signals, baton_signal_rows, baton_signal_list,
-- baton_suppression) first call baton_signal_refresh, which computes again
-- the stale customers among those they read (a mark, or valid_until
-- passed): bounded work, only those, inside the reader's transaction.  Then
-- they read the cache with the reader's rights, so that row-level security
-- decides what each person sees.
--
-- Concurrency.  Writers only ever insert marks (a new seq each time): a
-- write never waits for a reader.  A refresh
--   1. locks the state rows of its stale customers FOR UPDATE SKIP LOCKED:
--      two readers never compute the same customer at once and neither
--      waits for the other.  A customer that another transaction holds is
--      computed for this read alone, from the same definitions, and left to
--      its holder; so is every stale customer when the refresh may not
--      write (a read-only or repeatable-read transaction, or a refill
--      under way).
--   2. reads the marks of the customers it locked (a snapshot taken after
--      the lock), then computes them (a later snapshot, which sees every
--      write whose mark it saw: a mark commits with its write);
--   3. replaces their rows and valid_until, and deletes exactly the marks it
--      saw.  A write that commits meanwhile leaves a mark of its own for
--      the next reader, whatever the order of commits (marks are never
--      compared by number: sequence order is not commit order).
-- A refill takes the advisory lock 9009 exclusively; a refresh takes it
-- shared without waiting (and computes live when it cannot), so that a
-- refill and a refresh never write the same rows.  Lines are written in the
-- time zone of the session that ran this migration (SET TimeZone FROM
-- CURRENT), whoever computes them: a cached date does not depend on which
-- reader happened to refresh it.

-- No foreign keys: a refill writes 100,000 rows, and a check per row would
-- cost more than the rest; a customer's rows go with it by a trigger.
CREATE TABLE customer_signal (
    customer_id    bigint NOT NULL,
    kind           text NOT NULL,
    severity_rank  integer NOT NULL,
    since          timestamptz,
    refs           text[] NOT NULL,
    line           text NOT NULL,
    clock          timestamptz,
    clock_unit     text,
    more           integer NOT NULL,   -- other instances of the kind: "(+2 more)"
    teams          text[] NOT NULL,
    fingerprint    text NOT NULL,
    until          timestamptz,
    acked_by       name,
    acked_at       timestamptz,
    ack_comment    text,
    PRIMARY KEY (customer_id, kind)
);

CREATE TABLE customer_signal_state (
    customer_id  bigint PRIMARY KEY,
    valid_until  timestamptz,
    computed_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX customer_signal_state_until_idx ON customer_signal_state (valid_until)
    WHERE valid_until IS NOT NULL;

-- A mark left by the cascade of deleting a customer is dropped by the
-- next refresh.
CREATE TABLE signal_dirty (
    seq          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id  bigint NOT NULL
);
CREATE INDEX signal_dirty_customer_idx ON signal_dirty (customer_id);

ALTER TABLE customer_signal ENABLE ROW LEVEL SECURITY;
ALTER TABLE customer_signal_state ENABLE ROW LEVEL SECURITY;
ALTER TABLE signal_dirty ENABLE ROW LEVEL SECURITY;
CREATE POLICY staff_read ON customer_signal FOR SELECT TO baton_staff
    USING ((SELECT baton_me_sees_all())
           OR ((SELECT baton_me_active()) AND baton_me_sees_customer(customer_id)));
REVOKE ALL ON customer_signal, customer_signal_state, signal_dirty FROM PUBLIC;
GRANT SELECT ON customer_signal TO baton_staff;

-- One row per customer and kind: the most severe instance explains it
-- (more: how many others there are), the records of all of them are its
-- refs, and their fingerprint says whether someone acknowledged exactly
-- these facts.
CREATE FUNCTION baton_signal_compute(p_customers bigint[], p_all boolean)
RETURNS SETOF customer_signal
LANGUAGE sql STABLE AS $$
    SELECT g.customer_id, g.kind, g.rank, g.since, g.refs, (g.top).line, (g.top).clock,
           (g.top).clock_unit, g.n - 1, g.teams, g.fingerprint, g.until, a.actor, a.at, a.comment
    FROM (SELECT i.customer_id, i.kind, max(i.rank) AS rank, min(i.since) AS since,
                 (array_agg(i ORDER BY i.rank DESC, i.since, i.line))[1] AS top,
                 count(*)::integer AS n, array_agg(DISTINCT i.team ORDER BY i.team) AS teams,
                 min(i.until) AS until,
                 -- refs hold no spaces ('ticket:4805', 'handoff:UUID')
                 ARRAY(SELECT DISTINCT x FROM unnest(string_to_array(
                           string_agg(array_to_string(i.refs, ' '), ' '), ' ')) x ORDER BY 1) AS refs
          FROM baton_signal_instances(p_customers, p_all) i
          GROUP BY i.customer_id, i.kind) g0
    CROSS JOIN LATERAL (SELECT g0.*, md5(array_to_string(g0.refs, ' ')) AS fingerprint) g
    LEFT JOIN LATERAL (SELECT s.actor, s.at, s.comment FROM signal_ack s
                       WHERE s.customer_id = g.customer_id AND s.kind = g.kind
                         AND s.fingerprint = g.fingerprint
                       ORDER BY s.at DESC LIMIT 1) a ON true
$$;

-- valid_until of each customer, from its cached rows and what time will
-- raise (NULL: nothing).
CREATE FUNCTION baton_signal_valid_until(p_customers bigint[], p_all boolean)
RETURNS TABLE (customer_id bigint, valid_until timestamptz)
LANGUAGE sql STABLE AS $$
    SELECT c.id, min(x.until)
    FROM customer c
    LEFT JOIN (SELECT s.customer_id, s.until FROM customer_signal s
               WHERE p_all OR s.customer_id = ANY (p_customers)
               UNION ALL
               SELECT * FROM baton_signal_upcoming(p_customers, p_all)) x ON x.customer_id = c.id
    WHERE p_all OR c.id = ANY (p_customers)
    GROUP BY c.id
$$;

-- An explanation as of now: the cached line, the part that time changes,
-- and how many more instances there are.
CREATE FUNCTION baton_signal_say(p_line text, p_clock timestamptz, p_unit text, p_more integer)
RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT p_line || CASE p_unit
               WHEN 'sla' THEN baton_span(now() - p_clock) || ' past its SLA'
               WHEN 'overdue' THEN (1 + floor(extract(epoch FROM now() - p_clock) / 86400))::bigint
                                   || ' days overdue'
               ELSE '' END
           || CASE WHEN p_more > 0 THEN ' (+' || p_more || ' more)' ELSE '' END
$$;

-- Every customer computed again, set-based: the fill below, data loaded
-- without triggers (sql/bench/generate.sql: SELECT baton_signal_refill()),
-- a change of the rules (only the kinds p_kinds that read it; NULL: all).
-- Returns how many signals of those kinds there are.
CREATE FUNCTION baton_signal_refill(p_kinds text[] DEFAULT NULL) RETURNS bigint
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
    -- (A customer added meanwhile brings its own state: ON CONFLICT.)
    DELETE FROM customer_signal_state;
    INSERT INTO customer_signal_state (customer_id, valid_until)
    SELECT u.customer_id, u.valid_until FROM baton_signal_valid_until(NULL, true) u
    ON CONFLICT (customer_id) DO UPDATE SET valid_until = excluded.valid_until, computed_at = now();
    DELETE FROM signal_dirty d WHERE d.seq = ANY (v_marks);
    RETURN v_n;
END $$;

-- Bring the cache up to date for customer p_customer or, with p_all, for
-- everyone (see "Concurrency" above).  Returns the stale customers it did
-- not compute, for the caller to compute live.  Generic plans: the
-- statements are planned once per session, not at every refresh.
CREATE FUNCTION baton_signal_refresh(p_customer bigint, p_all boolean) RETURNS bigint[]
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET TimeZone FROM CURRENT
SET plan_cache_mode = force_generic_plan AS $$
DECLARE
    v_stale bigint[];
    v_mine bigint[];
    v_marks bigint[];
BEGIN
    IF p_all THEN
        SELECT array_agg(DISTINCT x.id) INTO v_stale
        FROM (SELECT d.customer_id AS id FROM signal_dirty d
              UNION ALL
              SELECT st.customer_id FROM customer_signal_state st WHERE st.valid_until < now()) x;
    ELSIF EXISTS (SELECT 1 FROM signal_dirty d WHERE d.customer_id = p_customer)
          OR NOT EXISTS (SELECT 1 FROM customer_signal_state st
                         WHERE st.customer_id = p_customer
                           AND (st.valid_until IS NULL OR st.valid_until >= now())) THEN
        v_stale := ARRAY[p_customer];
    END IF;
    IF v_stale IS NULL THEN
        RETURN '{}';
    END IF;
    IF current_setting('transaction_read_only')::boolean
       OR current_setting('transaction_isolation') <> 'read committed'
       OR NOT pg_try_advisory_xact_lock_shared(9009) THEN
        RETURN v_stale;
    END IF;
    -- Customers loaded without triggers have no state yet; marks of
    -- customers deleted since have no customer.
    INSERT INTO customer_signal_state (customer_id, valid_until)
    SELECT c.id, '-infinity' FROM customer c
    WHERE c.id = ANY (v_stale)
      AND NOT EXISTS (SELECT 1 FROM customer_signal_state st WHERE st.customer_id = c.id)
    ON CONFLICT DO NOTHING;
    DELETE FROM signal_dirty d
    WHERE d.customer_id = ANY (v_stale) AND NOT EXISTS (SELECT 1 FROM customer c WHERE c.id = d.customer_id);

    SELECT array_agg(l.customer_id) INTO v_mine
    FROM (SELECT st.customer_id FROM customer_signal_state st
          WHERE st.customer_id = ANY (v_stale) FOR UPDATE SKIP LOCKED) l;
    IF v_mine IS NOT NULL THEN
        SELECT array_agg(d.seq) INTO v_marks FROM signal_dirty d WHERE d.customer_id = ANY (v_mine);
        DELETE FROM customer_signal s WHERE s.customer_id = ANY (v_mine);
        INSERT INTO customer_signal SELECT * FROM baton_signal_compute(v_mine, false);
        UPDATE customer_signal_state st SET valid_until = u.valid_until, computed_at = now()
        FROM baton_signal_valid_until(v_mine, false) u
        WHERE st.customer_id = u.customer_id;
        DELETE FROM signal_dirty d WHERE d.seq = ANY (v_marks);
    END IF;
    RETURN ARRAY(SELECT unnest(v_stale) EXCEPT SELECT unnest(v_mine));
END $$;

-- The signals of customers p_customers computed for this read alone, with
-- the reader's rights (row-level security), in the cache's time zone.
-- PL/pgSQL, so that the definitions are planned only when someone needs them.
CREATE FUNCTION baton_signal_live(p_customers bigint[]) RETURNS SETOF customer_signal
LANGUAGE plpgsql STABLE SET search_path = public, pg_temp SET TimeZone FROM CURRENT AS $$
BEGIN
    RETURN QUERY SELECT * FROM baton_signal_compute(p_customers, false);
END $$;

-- The signals of customer p_customer (or, with p_all, everyone's) as the
-- cache holds them, said as of now, with those of the customers p_live
-- computed for this read.  Plain SQL with the reader's rights: inlined
-- into the reader's query, under row-level security.
CREATE FUNCTION baton_signal_read(p_customer bigint, p_all boolean, p_live bigint[])
RETURNS SETOF baton_signal
LANGUAGE sql STABLE AS $$
    SELECT s.customer_id, s.kind, baton_signal_title(s.kind),
           (ARRAY['low', 'medium', 'high'])[s.severity_rank], s.severity_rank, s.since, s.refs,
           baton_signal_say(s.line, s.clock, s.clock_unit, s.more), s.teams, s.fingerprint,
           s.acked_by, s.acked_at, s.ack_comment
    FROM (SELECT * FROM customer_signal c
          WHERE (p_all OR c.customer_id = p_customer) AND NOT c.customer_id = ANY (p_live)
          UNION ALL
          SELECT * FROM baton_signal_live(p_live) WHERE cardinality(p_live) > 0) s
$$;

-- One row per customer and kind (the customer screen calls it with a
-- constant false: one index lookup when the customer is up to date).
CREATE FUNCTION baton_signal_rows(p_customer bigint, p_all boolean)
RETURNS SETOF baton_signal
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
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

-- NULL: every customer.
CREATE FUNCTION baton_signals(p_customer bigint DEFAULT NULL)
RETURNS SETOF baton_signal
LANGUAGE sql AS $$
    SELECT * FROM baton_signal_rows(p_customer, p_customer IS NULL)
$$;

-- The list for leads and scripts: active signals (acknowledged ones too
-- with p_include_acked), filtered by kind, team that must act, segment,
-- owner and customer (NULL: any), most severe first, then the oldest.
-- Planned for the filters given (custom plans); work_mem for a whole list
-- sorted in memory.
CREATE FUNCTION baton_signal_list(p_kind text, p_team text, p_segment text, p_owner name,
                                  p_customer bigint, p_include_acked boolean)
RETURNS TABLE (customer_id bigint, customer text, segment text, owner name, kind text,
               title text, severity text, since timestamptz, explanation text, refs text[],
               teams text[], fingerprint text, acked_by name, acked_at timestamptz,
               ack_comment text)
LANGUAGE plpgsql SET search_path = public, pg_temp SET plan_cache_mode = force_custom_plan
SET work_mem = '64MB' AS $$
#variable_conflict use_column
DECLARE
    v_live bigint[] := baton_signal_refresh(p_customer, p_customer IS NULL);
BEGIN
    RETURN QUERY
    SELECT s.customer_id, c.name, c.segment, c.owner, s.kind, s.title, s.severity, s.since,
           s.explanation, s.refs, s.teams, s.fingerprint, s.acked_by, s.acked_at, s.ack_comment
    FROM baton_signal_read(p_customer, p_customer IS NULL, v_live) s
    JOIN customer c ON c.id = s.customer_id
    WHERE (p_kind IS NULL OR s.kind = p_kind)
      AND (p_team IS NULL OR p_team = ANY (s.teams))
      AND (p_segment IS NULL OR c.segment = p_segment)
      AND (p_owner IS NULL OR c.owner = p_owner)
      AND (p_include_acked OR s.acked_at IS NULL)
    ORDER BY s.severity_rank DESC, s.since, c.name, c.id, s.kind;
END $$;

-- Scheduled sends to customers in trouble: held, or to a customer with an
-- active signal; with the hold and the reasons.  Soonest first.
CREATE FUNCTION baton_suppression(p_customer bigint DEFAULT NULL)
RETURNS TABLE (event_id bigint, customer_id bigint, customer text, campaign text, kind text,
               channel text, scheduled_at timestamptz, held boolean, held_by name,
               held_at timestamptz, hold_comment text, signal_kinds text[], reasons text)
LANGUAGE plpgsql SET search_path = public, pg_temp SET plan_cache_mode = force_custom_plan
SET work_mem = '64MB' AS $$
#variable_conflict use_column
DECLARE
    v_live bigint[] := baton_signal_refresh(p_customer, p_customer IS NULL);
BEGIN
    RETURN QUERY
    SELECT m.id, m.customer_id, c.name, m.campaign, m.kind, m.channel, m.scheduled_at,
           m.held_by IS NOT NULL, h.actor, h.at, h.comment, s.kinds, s.reasons
    FROM marketing_event m
    JOIN customer c ON c.id = m.customer_id
    LEFT JOIN campaign_hold h ON h.id = m.held_by
    LEFT JOIN (SELECT g.customer_id, array_agg(g.kind ORDER BY g.severity_rank DESC, g.kind) AS kinds,
                      string_agg(g.title || ': ' || g.explanation, '; '
                                 ORDER BY g.severity_rank DESC, g.kind) AS reasons
               FROM baton_signal_read(p_customer, p_customer IS NULL, v_live) g
               WHERE g.acked_at IS NULL
               GROUP BY g.customer_id) s ON s.customer_id = m.customer_id
    WHERE m.status = 'scheduled' AND (m.held_by IS NOT NULL OR s.customer_id IS NOT NULL)
      AND (p_customer IS NULL OR m.customer_id = p_customer)
    ORDER BY m.scheduled_at, m.id;
END $$;

-- Keeping the cache: marks and the fill ------------------------------------------------
-- The customers a statement changed (see "The cache").  Owner's rights:
-- whoever writes, the marks table is nobody else's.
CREATE FUNCTION baton_signal_mark() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO signal_dirty (customer_id) SELECT DISTINCT n.customer_id FROM new_rows n;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO signal_dirty (customer_id) SELECT DISTINCT o.customer_id FROM old_rows o;
    ELSE
        INSERT INTO signal_dirty (customer_id)
        SELECT n.customer_id FROM new_rows n UNION SELECT o.customer_id FROM old_rows o;
    END IF;
    RETURN NULL;
END $$;

-- A new customer has nothing to signal yet: its state says so.  Of a
-- customer's own columns, only its onboarding health is read by a signal.
-- A deleted customer's state goes first: a refresh that holds it has
-- committed its rows by the time they are deleted.
CREATE FUNCTION baton_signal_mark_customer() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO customer_signal_state (customer_id) SELECT n.id FROM new_rows n
        ON CONFLICT DO NOTHING;
    ELSIF TG_OP = 'DELETE' THEN
        DELETE FROM customer_signal_state st WHERE st.customer_id IN (SELECT o.id FROM old_rows o);
        DELETE FROM customer_signal s WHERE s.customer_id IN (SELECT o.id FROM old_rows o);
    ELSE
        INSERT INTO signal_dirty (customer_id)
        SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE n.onboarding_health IS DISTINCT FROM o.onboarding_health;
    END IF;
    RETURN NULL;
END $$;

DO $$
DECLARE
    t text;
    op text;
BEGIN
    FOREACH t IN ARRAY ARRAY['ticket', 'marketing_event', 'handoff', 'milestone', 'survey_response',
                             'signal_ack', 'customer']
    LOOP
        FOREACH op IN ARRAY ARRAY['insert', 'update', 'delete'] LOOP
            CONTINUE WHEN t = 'signal_ack' AND op <> 'insert';
            EXECUTE format('CREATE TRIGGER %I AFTER %s ON %I REFERENCING %s FOR EACH STATEMENT'
                           ' EXECUTE FUNCTION %I()', t || '_signal_' || op, op, t,
                           CASE op WHEN 'insert' THEN 'NEW TABLE AS new_rows'
                                   WHEN 'delete' THEN 'OLD TABLE AS old_rows'
                                   ELSE 'OLD TABLE AS old_rows NEW TABLE AS new_rows' END,
                           CASE t WHEN 'customer' THEN 'baton_signal_mark_customer'
                                  ELSE 'baton_signal_mark' END);
        END LOOP;
    END LOOP;
END $$;

-- The rules changed: everyone's signals of the kinds that read them change
-- with them, in the administrator's transaction (seconds at 100,000
-- customers, while everyone else reads the cache as it was).
CREATE FUNCTION baton_signal_rules_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_changed text[];
    v_kinds text[];
BEGIN
    SELECT array_agg(n.key) INTO v_changed FROM new_rows n JOIN old_rows o ON o.key = n.key
    WHERE n.key LIKE 'signal\_%' AND n.value IS DISTINCT FROM o.value;
    IF v_changed IS NOT NULL THEN
        -- Any key that names no kinds: all of them.
        IF NOT EXISTS (SELECT 1 FROM unnest(v_changed) k WHERE baton_signal_rule_kinds(k) IS NULL) THEN
            SELECT array_agg(DISTINCT x) INTO v_kinds FROM unnest(v_changed) k, unnest(baton_signal_rule_kinds(k)) x;
        END IF;
        PERFORM baton_signal_refill(v_kinds);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER baton_setting_signals AFTER UPDATE ON baton_setting
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION baton_signal_rules_changed();

-- The customers already there: at 100,000 customers this takes longer than
-- a client's statement timeout, which a migration need not keep.
SET LOCAL statement_timeout = 0;
SELECT baton_signal_refill();

-- Writes -----------------------------------------------------------------------------
-- The caller's team, or an error if they are not active staff.
CREATE FUNCTION baton_my_team() RETURNS text
LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
DECLARE
    v_team text;
BEGIN
    SELECT s.team_id INTO v_team FROM staff s WHERE s.role_name = session_user AND s.active;
    IF v_team IS NULL THEN
        RAISE EXCEPTION 'role % is not an active staff member', session_user
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'ask an administrator to add you to the staff table';
    END IF;
    RETURN v_team;
END $$;

-- A comment that may be written, or an error saying why not.
CREATE FUNCTION baton_require_comment(p_comment text) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
DECLARE
    v_problem text := baton_note_problem('comment', p_comment);
BEGIN
    IF v_problem IS NOT NULL THEN
        RAISE EXCEPTION '%', v_problem USING ERRCODE = 'invalid_parameter_value';
    END IF;
END $$;

-- Hold or release (p_action) one scheduled send, with a comment.  p_id is
-- the client-generated id of the entry: a retry with it (same person,
-- send and action) answers done, already; anyone else's is refused.
-- Allowed for the teams of campaign_hold_teams ('*': anyone on the staff).
-- Refusals about the send's state are answers (done = false, message).
CREATE FUNCTION baton_campaign_hold(p_id uuid, p_event bigint, p_action text, p_comment text)
RETURNS TABLE (done boolean, already boolean, held boolean, message text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_prev campaign_hold%ROWTYPE;
    v_event marketing_event%ROWTYPE;
    v_cur campaign_hold%ROWTYPE;
    v_team text;
    v_teams text := baton_setting_value('campaign_hold_teams');
BEGIN
    SELECT * INTO v_prev FROM campaign_hold h WHERE h.id = p_id;
    IF NOT FOUND THEN
        v_team := baton_my_team();
        IF p_action IS NULL OR p_action NOT IN ('hold', 'release') THEN
            RAISE EXCEPTION 'unknown action "%": hold or release', p_action
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        PERFORM baton_require_comment(p_comment);
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
        SELECT * INTO v_prev FROM campaign_hold h WHERE h.id = p_id;
    END IF;
    IF v_prev.actor <> session_user OR v_prev.event_id <> p_event OR v_prev.action <> p_action THEN
        RAISE EXCEPTION 'entry % already exists and was recorded by someone else or for another send',
            p_id USING ERRCODE = 'unique_violation';
    END IF;
    RETURN QUERY SELECT true, true, m.held_by IS NOT NULL, 'already recorded'::text
        FROM marketing_event m WHERE m.id = p_event;
END $$;

-- Acknowledge a customer's signal of p_kind as it is now (its records'
-- fingerprint; p_fingerprint, when given, must be the one the person saw).
-- It leaves the lists until its records change.  Idempotent on p_id like
-- the hold; refusals are answers.
CREATE FUNCTION baton_signal_ack(p_id uuid, p_customer bigint, p_kind text, p_comment text,
                                 p_fingerprint text DEFAULT NULL)
RETURNS TABLE (done boolean, already boolean, fingerprint text, message text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_prev signal_ack%ROWTYPE;
    v_sig record;
BEGIN
    SELECT * INTO v_prev FROM signal_ack a WHERE a.id = p_id;
    IF FOUND THEN
        IF v_prev.actor <> session_user OR v_prev.customer_id <> p_customer OR v_prev.kind <> p_kind THEN
            RAISE EXCEPTION 'entry % already exists and was recorded by someone else or for another signal',
                p_id USING ERRCODE = 'unique_violation';
        END IF;
        RETURN QUERY SELECT true, true, v_prev.fingerprint, 'already recorded'::text;
        RETURN;
    END IF;
    PERFORM baton_my_team();
    IF baton_signal_title(p_kind) IS NULL THEN
        RAISE EXCEPTION 'unknown kind of signal "%": %', p_kind,
            'campaign-during-complaint, outreach-during-escalation, on-track-but-burning, '
            'dropped-baton, repeating-themselves, voice-falling'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM baton_require_comment(p_comment);
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

REVOKE ALL ON FUNCTION baton_campaign_hold(uuid, bigint, text, text),
    baton_signal_ack(uuid, bigint, text, text, text), baton_my_team(), baton_require_comment(text),
    baton_signals(bigint), baton_signal_rows(bigint, boolean), baton_signal_list(text, text, text, name, bigint, boolean),
    baton_suppression(bigint), baton_signal_refresh(bigint, boolean), baton_signal_refill(text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION baton_campaign_hold(uuid, bigint, text, text),
    baton_signal_ack(uuid, bigint, text, text, text),
    baton_signals(bigint), baton_signal_rows(bigint, boolean), baton_signal_list(text, text, text, name, bigint, boolean),
    baton_suppression(bigint), baton_signal_refresh(bigint, boolean) TO baton_staff;
