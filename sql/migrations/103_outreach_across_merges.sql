-- Baton schema, version 103: a send during an escalation is seen across a
-- merge.
--
-- A merge (010's baton_import_absorb) moves the absorbed customer's
-- tickets, sends, surveys and milestones to the survivor, so the signals
-- that cross those find them together.  Handoffs stay where they were
-- written (063 shows them on the survivor's screen), and
-- "outreach-during-escalation" joined a send only to handoffs of its own
-- customer: the helpdesk's record escalated to Success, the CRM's record
-- of the same company scheduled a renewal e-mail, the two records were
-- made one, and the survivor's screen showed both with no signal.  Now:
--   - the send is crossed with the handoffs of its customer and of the
--     customers absorbed into it;
--   - a handoff's write marks its customer's survivor for a new look too,
--     not only its own customer;
--   - a merge or a split (merged_into changed) marks the survivor it had
--     and the one it has, so the signal comes and goes with it.
-- What the other kinds read moves with the merge, and was already found.

-- 009's, a send crossed with the handoffs of the customers absorbed into
-- its customer as well.
CREATE OR REPLACE FUNCTION baton_signal_outreach(p_customers bigint[], p_all boolean)
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
    CROSS JOIN LATERAL (SELECT m.customer_id AS id
                        UNION ALL
                        SELECT a.id FROM customer a WHERE a.merged_into = m.customer_id) w
    JOIN handoff h ON h.customer_id = w.id
    WHERE ((m.status = 'scheduled' AND m.held_by IS NULL)
           OR (m.status = 'sent' AND m.sent_at >= now() - make_interval(days => r.sent_days)))
      AND h.state IN ('open', 'acknowledged') AND h.reason = ANY (r.escalation_reasons)
      AND (p_all OR m.customer_id = ANY (p_customers))
$$;

-- 009's, and a handoff's customer's survivor marked with it.  A statement
-- names only the transition tables its trigger has (an INSERT's new_rows,
-- a DELETE's old_rows, an UPDATE's both): the customers are gathered once.
CREATE OR REPLACE FUNCTION baton_signal_mark() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_ids bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        v_ids := ARRAY(SELECT DISTINCT n.customer_id FROM new_rows n);
    ELSIF TG_OP = 'DELETE' THEN
        v_ids := ARRAY(SELECT DISTINCT o.customer_id FROM old_rows o);
    ELSE
        v_ids := ARRAY(SELECT n.customer_id FROM new_rows n UNION SELECT o.customer_id FROM old_rows o);
    END IF;
    INSERT INTO signal_dirty (customer_id) SELECT unnest(v_ids)
    UNION ALL
    SELECT DISTINCT c.merged_into FROM customer c
    WHERE TG_TABLE_NAME = 'handoff' AND c.id = ANY (v_ids) AND c.merged_into IS NOT NULL;
    RETURN NULL;
END $$;

-- 037's, and the survivors a merge or a split leaves and gives.
CREATE OR REPLACE FUNCTION baton_signal_mark_customer() RETURNS trigger
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
        SELECT x.id FROM (SELECT n.id, n.onboarding_health FROM new_rows n
                          EXCEPT SELECT o.id, o.onboarding_health FROM old_rows o) x
        UNION
        SELECT s.id FROM (SELECT n.id, n.merged_into FROM new_rows n
                          EXCEPT SELECT o.id, o.merged_into FROM old_rows o) x
        JOIN old_rows o ON o.id = x.id
        CROSS JOIN LATERAL (VALUES (x.merged_into), (o.merged_into)) s(id)
        WHERE s.id IS NOT NULL;
    END IF;
    RETURN NULL;
END $$;

-- The survivors whose absorbed customers have an escalation open now.
INSERT INTO signal_dirty (customer_id)
SELECT DISTINCT a.merged_into FROM customer a
WHERE a.merged_into IS NOT NULL
  AND EXISTS (SELECT 1 FROM handoff h WHERE h.customer_id = a.id AND h.state IN ('open', 'acknowledged'));
