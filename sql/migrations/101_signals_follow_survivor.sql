-- Baton schema, version 101: the signals of a customer absorbed by a merge
-- are listed under its survivor's name, segment and owner.
--
-- A signal is about one customer row (its tickets, handoffs, sends), and
-- the list keeps that customer's name, segment and owner beside it
-- (customer_signal, 013).  For a customer absorbed by a merge those were
-- its own: the lead's list said "dropped baton · Big Corp (billing)",
-- under smb, for a handoff that the survivor's screen (enterprise) shows,
-- and `signals segment=enterprise` left it out while the queue (099) lists
-- it there.  They are now the survivor's: when the signal is computed,
-- when the customer is absorbed or split off, and when the survivor's
-- name, segment or owner changes.  The signal keeps its customer id (it
-- opens the survivor, as the queue's rows do); what a signal finds is
-- still each record's own (a complaint on one record and a send to the
-- other are not put together).

-- 024's, with the survivor's name, segment and owner (joined on a CASE:
-- see src/queue.c).
CREATE OR REPLACE FUNCTION baton_signal_compute(p_customers bigint[], p_all boolean)
RETURNS SETOF customer_signal
LANGUAGE sql STABLE AS $$
    SELECT g.customer_id, g.kind, g.rank, g.since, g.refs, (g.top).line, (g.top).clock,
           (g.top).clock_unit, g.n - 1, g.teams, g.fingerprint, g.until, a.actor, a.at, a.comment,
           c.name, c.segment, c.owner, (SELECT r.gen FROM signal_rule_gen r WHERE r.kind = '*')
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
    JOIN customer ab ON ab.id = g.customer_id
    JOIN customer c ON c.id = CASE WHEN ab.merged_into IS NULL THEN ab.id ELSE ab.merged_into END
    LEFT JOIN LATERAL (SELECT s.actor, s.at, s.comment FROM signal_ack s
                       WHERE s.customer_id = g.customer_id AND s.kind = g.kind
                         AND s.fingerprint = g.fingerprint
                       ORDER BY s.at DESC LIMIT 1) a ON true
$$;

-- 037's, following merges: the signals of the customers changed and of
-- those absorbed into them take their survivor's name, segment and owner
-- (a change of merged_into counts as a change).
CREATE OR REPLACE FUNCTION baton_signal_customer_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    WITH ch AS MATERIALIZED (SELECT x.id FROM (SELECT n.id, n.name, n.segment, n.owner, n.merged_into FROM new_rows n
                                               EXCEPT SELECT o.id, o.name, o.segment, o.owner, o.merged_into
                                               FROM old_rows o) x),
    f AS MATERIALIZED (SELECT id FROM ch UNION SELECT a.id FROM ch JOIN customer a ON a.merged_into = ch.id)
    UPDATE customer_signal s SET customer = v.name, segment = v.segment, owner = v.owner
    FROM (SELECT f.id, c.name, c.segment, c.owner FROM f JOIN customer a ON a.id = f.id
          JOIN customer c ON c.id = CASE WHEN a.merged_into IS NULL THEN a.id ELSE a.merged_into END) v
    WHERE s.customer_id = v.id
      AND (s.customer, s.segment, s.owner) IS DISTINCT FROM (v.name, v.segment, v.owner);
    RETURN NULL;
END $$;

-- The signals of customers absorbed before this migration.
UPDATE customer_signal s SET customer = c.name, segment = c.segment, owner = c.owner
FROM customer a JOIN customer c ON c.id = a.merged_into
WHERE a.merged_into IS NOT NULL AND s.customer_id = a.id
  AND (s.customer, s.segment, s.owner) IS DISTINCT FROM (c.name, c.segment, c.owner);
