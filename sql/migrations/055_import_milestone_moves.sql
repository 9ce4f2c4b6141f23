-- Baton schema, version 55: a newer export of a milestone that names
-- another customer moves the milestone to it.
--
-- 010's baton_import_milestones updated a milestone's title, status,
-- owner, dates and reason from a newer export, but not its customer: when
-- an onboarding tracker's row was corrected to another customer (its
-- customer_domain, say), the import record named the new customer and the
-- milestone stayed on the old one's plan, for good.  Tickets, contacts,
-- sends and survey answers move with their record; now milestones do too,
-- after the new customer's own milestones (a customer's positions are
-- unique), in the file's order.  Its history (milestone_event) stays where
-- it happened.  And an update by an import now counts as a change of the
-- milestone (its version), as a change in the console does: a screen that
-- read it before is told it changed meanwhile instead of overwriting it.
--
-- 010's baton_import_milestones, with that UPDATE.
CREATE OR REPLACE FUNCTION baton_import_milestones() RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    UPDATE baton_import_c c SET v = c.v || jsonb_build_object('position', p.position)
    FROM (SELECT x.line, coalesce((SELECT max(m.position) FROM milestone m WHERE m.customer_id = x.cid), 0)
                 + row_number() OVER (PARTITION BY x.cid ORDER BY x.line) AS position
          FROM baton_import_c x WHERE x.state = 'new' AND NOT x.v ? 'position') p
    WHERE p.line = c.line;
    UPDATE baton_import_c c SET bad = format('position:position %s is taken by another milestone of the customer',
                                             c.v ->> 'position')
    WHERE c.state = 'new' AND (EXISTS (SELECT 1 FROM milestone m WHERE m.customer_id = c.cid
                                       AND m.position = (c.v ->> 'position')::integer)
        OR EXISTS (SELECT 1 FROM baton_import_c o WHERE o.cid = c.cid AND o.line < c.line
                   AND o.v ->> 'position' = c.v ->> 'position'));
    INSERT INTO baton_import_reject (line, field, reason)
    SELECT line, split_part(bad, ':', 1), substr(bad, strpos(bad, ':') + 1)
    FROM baton_import_c WHERE bad IS NOT NULL;
    DELETE FROM baton_import_c WHERE bad IS NOT NULL;
    INSERT INTO milestone (id, customer_id, position, title, status, owner, due_date, completed_at,
                           blocked_reason)
    SELECT target, cid, (v ->> 'position')::integer, v ->> 'title', coalesce(v ->> 'status', 'pending'),
        (v ->> 'owner')::name, (v ->> 'due_date')::date,
        CASE WHEN v ->> 'status' = 'done' THEN coalesce((v ->> 'completed_at')::timestamptz,
            (v ->> 'updated_at')::timestamptz, now()) END,
        v ->> 'blocked_reason'
    FROM baton_import_c WHERE state = 'new';
    -- A record that now names another customer moves its milestone there,
    -- after that customer's own (positions are unique), in the file's order.
    UPDATE milestone t SET customer_id = c.cid, position = coalesce(m.position, t.position),
        title = c.v ->> 'title', status = coalesce(c.v ->> 'status', t.status),
        owner = coalesce((c.v ->> 'owner')::name, t.owner),
        due_date = coalesce((c.v ->> 'due_date')::date, t.due_date),
        completed_at = CASE WHEN coalesce(c.v ->> 'status', t.status) = 'done' THEN
            coalesce((c.v ->> 'completed_at')::timestamptz, t.completed_at, now()) END,
        blocked_reason = c.v ->> 'blocked_reason', version = t.version + 1
    FROM baton_import_c c
    LEFT JOIN (SELECT x.line, coalesce((SELECT max(n.position) FROM milestone n WHERE n.customer_id = x.cid), 0)
                   + row_number() OVER (PARTITION BY x.cid ORDER BY x.line) AS position
               FROM baton_import_c x JOIN milestone o ON o.id = x.target
               WHERE x.state = 'updated' AND o.customer_id <> x.cid) m ON m.line = c.line
    WHERE c.state = 'updated' AND t.id = c.target;
END $$;
