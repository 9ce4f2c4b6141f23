-- Baton schema, version 82: a ticket has the number its helpdesk gave it.
--
-- A ticket imported from Zendesk was shown by Baton's own id (#1, #2:
-- the ticket sequence), on the screen, in `baton show`, in the signals'
-- lines; and `--ticket 4812`, the number the agent knows it by, found
-- nothing, or Baton's ticket 4812, which may be another customer's or
-- another ticket of this one (black-box review).  The demo gives its
-- tickets ids equal to their numbers, which hid it.
--
-- Now a ticket has a number: its source record's id (import_record's
-- source_id; NULL for a ticket written without one, as the demo's are).
-- Whatever shows a ticket to a person shows its number, else its id;
-- writes still name it by its id (handoff.ticket_id, success_note's).
-- baton_ticket_ref finds a customer's ticket from what a person typed:
-- the ticket of that number, else the one of that id, or refuses when
-- two of the customer's tickets have the number (two sources); id:N is
-- Baton's ticket N, whatever numbers say.
--
-- Tickets imported before get their number here, from their records.  The
-- number is what the record already says, not a change of the ticket: it
-- is written without the audit's row per ticket or a notice to every open
-- screen; the signals of the customers it concerns are marked for
-- computing again, since their lines now say the number.
ALTER TABLE ticket ADD COLUMN number text CHECK (length(number) BETWEEN 1 AND 200);

ALTER TABLE ticket DISABLE TRIGGER ticket_audit_upd, DISABLE TRIGGER ticket_notify_upd;
UPDATE ticket t SET number = r.source_id
FROM (SELECT DISTINCT ON (i.target_id) i.target_id, i.source_id FROM import_record i
      WHERE i.entity = 'tickets' ORDER BY i.target_id, i.source, i.source_id) r
WHERE t.id = r.target_id AND t.number IS DISTINCT FROM r.source_id;
ALTER TABLE ticket ENABLE TRIGGER ticket_audit_upd, ENABLE TRIGGER ticket_notify_upd;

-- A customer's ticket by its number (baton_ticket_ref).
CREATE INDEX ticket_customer_number_idx ON ticket (customer_id, number) WHERE number IS NOT NULL;

-- 010's baton_import_tickets: a ticket's number is its record's id.
CREATE OR REPLACE FUNCTION baton_import_tickets() RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    INSERT INTO ticket (id, customer_id, subject, body, status, priority, category, requester_id,
                        opened_at, updated_at, solved_at, number)
    SELECT target, cid, coalesce(v ->> 'subject', '(no subject)'), coalesce(v ->> 'body', ''),
        coalesce(v ->> 'status', 'new'), coalesce(v ->> 'priority', 'normal'),
        coalesce(v ->> 'category', 'question'), contact_id,
        coalesce((v ->> 'opened_at')::timestamptz, now()),
        coalesce((v ->> 'updated_at')::timestamptz, (v ->> 'opened_at')::timestamptz, now()),
        CASE WHEN v ->> 'status' IN ('solved', 'closed') THEN coalesce((v ->> 'solved_at')::timestamptz,
            (v ->> 'updated_at')::timestamptz, (v ->> 'opened_at')::timestamptz, now()) END,
        sid
    FROM baton_import_c WHERE state = 'new';
    UPDATE ticket t SET customer_id = c.cid, subject = coalesce(c.v ->> 'subject', t.subject),
        body = coalesce(c.v ->> 'body', t.body), status = coalesce(c.v ->> 'status', t.status),
        priority = coalesce(c.v ->> 'priority', t.priority),
        category = coalesce(c.v ->> 'category', t.category),
        requester_id = coalesce(c.contact_id, t.requester_id),
        opened_at = coalesce((c.v ->> 'opened_at')::timestamptz, t.opened_at),
        updated_at = coalesce((c.v ->> 'updated_at')::timestamptz, now()),
        solved_at = CASE WHEN coalesce(c.v ->> 'status', t.status) IN ('solved', 'closed') THEN
            coalesce((c.v ->> 'solved_at')::timestamptz, t.solved_at, (c.v ->> 'updated_at')::timestamptz, now()) END,
        number = c.sid
    FROM baton_import_c c WHERE c.state = 'updated' AND t.id = c.target;
END $$;

-- The ticket of customer p_customer that p_ref names, as a person types
-- it (4812, #4812): the one with that number, else the one with that id
-- (baton_note_add and baton_handoff_create say when it is not the
-- customer's); id:N is the ticket of id N.  Two tickets of that number:
-- refused, naming them.  With the caller's rights: a ticket the caller
-- may not see is not found.
CREATE FUNCTION baton_ticket_ref(p_customer bigint, p_ref text) RETURNS bigint
LANGUAGE plpgsql STABLE STRICT SET search_path = public, pg_temp AS $$
DECLARE
    v_ref text := btrim(p_ref);
    v_ids bigint[];
    v_which text;
BEGIN
    IF v_ref ~* '^id:[0-9]{1,18}$' THEN
        RETURN substr(v_ref, 4)::bigint;
    END IF;
    v_ref := regexp_replace(v_ref, '^#', '');
    SELECT array_agg(t.id ORDER BY t.id),
           string_agg('id:' || t.id || ' ' || baton_quote(t.subject), ', ' ORDER BY t.id)
        INTO v_ids, v_which
    FROM ticket t WHERE t.customer_id = p_customer AND t.number = v_ref;
    IF cardinality(v_ids) > 1 THEN
        RAISE EXCEPTION 'ticket % is ambiguous: % of this customer''s tickets have that number (%)',
            v_ref, cardinality(v_ids), v_which USING ERRCODE = 'invalid_parameter_value',
            HINT = format('name one by its Baton id, as id:%s', v_ids[1]);
    ELSIF v_ids IS NOT NULL THEN
        RETURN v_ids[1];
    ELSIF v_ref ~ '^[0-9]{1,18}$' THEN
        RETURN v_ref::bigint;
    END IF;
    RAISE EXCEPTION 'ticket % is not one of this customer''s tickets', v_ref
        USING ERRCODE = 'invalid_parameter_value';
END $$;
REVOKE ALL ON FUNCTION baton_ticket_ref(bigint, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION baton_ticket_ref(bigint, text) TO baton_staff;

-- 009's signals that name a ticket, naming it by its number.
-- 1 Campaign during a complaint: a scheduled (or recently sent) campaign
-- while an urgent/high ticket or a complaint is open (a send of yesterday
-- counts when the complaint came today: the customer has both in hand),
-- or sent while a complaint was open, or within signal_complaint_days
-- after it was solved.  An outreach campaign (upsell, renewal) or an
-- urgent ticket makes it high.
CREATE OR REPLACE FUNCTION baton_signal_complaint(p_customers bigint[], p_all boolean)
RETURNS SETOF baton_signal_instance
LANGUAGE sql STABLE AS $$
    SELECT e.customer_id, 'campaign-during-complaint',
           CASE WHEN e.kind = ANY (r.outreach_kinds) OR t.priority = 'urgent' THEN 3 ELSE 2 END,
           greatest(t.at, e.sent_at),
           ARRAY['campaign:' || e.id, 'ticket:' || t.id],
           baton_send_words(e.kind, e.campaign, e.status, e.at)
           || CASE WHEN t.open
                   THEN ' while ' || t.label || ' #' || t.no || ' ' || baton_quote(t.subject) || ' is open'
                   WHEN e.at < t.at
                   THEN ' while ' || t.label || ' #' || t.no || ' ' || baton_quote(t.subject) || ' was open'
                   ELSE ' — ' || (e.at::date - t.at::date) || ' days after ' || t.label || ' #' || t.no
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
        SELECT k.id, coalesce(k.number, k.id::text) AS no, k.customer_id, k.subject, k.priority,
               k.opened_at, true AS open, k.opened_at AS at, k.category, r2.complaint_words
        FROM baton_signal_rules() r2
        JOIN ticket k ON k.status NOT IN ('solved', 'closed')
                     AND (k.priority IN ('urgent', 'high') OR k.category = ANY (r2.complaint_categories)
                          OR coalesce(k.subject ~* r2.complaint_words, false))
        WHERE p_all OR k.customer_id = ANY (p_customers)
        UNION ALL
        SELECT k.id, coalesce(k.number, k.id::text) AS no, k.customer_id, k.subject, k.priority,
               k.opened_at, false, k.solved_at, k.category, r2.complaint_words
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

-- 3 "On track" but burning: onboarding says on track while onboarding,
-- migration or data tickets are open, or a milestone is overdue.
CREATE OR REPLACE FUNCTION baton_signal_burning(p_customers bigint[], p_all boolean)
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
               t.category || ' #' || coalesce(t.number, t.id::text) || ' ' || baton_quote(t.subject)
               || ' (' || t.priority || ') is open' AS what,
               NULL::timestamptz AS clock, NULL::text AS clock_unit
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
CREATE OR REPLACE FUNCTION baton_signal_repeating(p_customers bigint[], p_all boolean)
RETURNS SETOF baton_signal_instance
LANGUAGE sql STABLE AS $$
    WITH r AS MATERIALIZED (
        SELECT x.repeat_days, x.repeat_similarity, x.repeat_tickets,
               now() - make_interval(days => x.repeat_days) AS after
        FROM baton_signal_rules() x),
    fresh AS MATERIALIZED (
        SELECT t.id, coalesce(t.number, t.id::text) AS no, t.customer_id, t.category, t.subject, t.priority,
               t.opened_at
        FROM r JOIN ticket t ON t.status NOT IN ('solved', 'closed') AND t.opened_at >= r.after
        WHERE p_all OR t.customer_id = ANY (p_customers)),
    topic AS MATERIALIZED (
        SELECT t.id, coalesce(t.number, t.id::text) AS no, t.customer_id, t.category, t.subject,
               t.opened_at, t.solved_at, t.status NOT IN ('solved', 'closed') AS open
        FROM r JOIN ticket t ON t.opened_at >= r.after
                             OR (t.status IN ('solved', 'closed')
                                 AND t.solved_at >= r.after - make_interval(days => r.repeat_days))
        WHERE (p_all OR t.customer_id = ANY (p_customers))
          AND (t.customer_id, t.category) IN (SELECT f.customer_id, f.category FROM fresh f))
    SELECT t.customer_id, 'repeating-themselves',
           CASE WHEN t.priority IN ('urgent', 'high') THEN 3 ELSE 2 END,
           t.reopened_at, ARRAY['ticket:' || t.id],
           '#' || coalesce(t.number, t.id::text) || ' ' || baton_quote(t.subject) || ' reopened '
           || to_char(t.reopened_at, 'Mon DD')
           || CASE WHEN t.reopens > 1 THEN ' (' || t.reopens || ' times)' ELSE '' END,
           'support', NULL::timestamptz, NULL::text, NULL::timestamptz
    FROM ticket t
    WHERE t.reopened_at IS NOT NULL AND t.status NOT IN ('solved', 'closed')
      AND (p_all OR t.customer_id = ANY (p_customers))
    UNION ALL
    SELECT t.customer_id, 'repeating-themselves',
           CASE WHEN t.priority IN ('urgent', 'high') THEN 3 ELSE 2 END,
           t.opened_at, ARRAY['ticket:' || t.id, 'ticket:' || s.id],
           '#' || t.no || ' ' || baton_quote(t.subject) || ' opened ' || to_char(t.opened_at, 'Mon DD')
           || ', ' || (t.opened_at::date - s.solved_at::date) || ' days after the same problem #' || s.no
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
           count(*) || ' tickets like #' || t.no || ' ' || baton_quote(t.subject) || ' in '
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
    GROUP BY t.customer_id, t.id, t.no, t.subject, r.repeat_days, r.repeat_tickets
    HAVING count(*) >= r.repeat_tickets
$$;
