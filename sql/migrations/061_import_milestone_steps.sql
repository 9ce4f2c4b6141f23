-- Baton schema, version 61: a newer export of a milestone at another step
-- moves it to that step.
--
-- An onboarding tracker reorders its plan: Data migration becomes step 3
-- and Training step 2.  055's baton_import_milestones wrote the records'
-- titles, statuses and dates, counted them as updated and stored their
-- digests, but kept each milestone at its step: the position changed only
-- with a move to another customer.  The next import found the records
-- unchanged, so the tracker's order was lost for good.
--
-- A milestone staying with its customer now takes the step its record
-- names.  A customer's steps are unique (001's UNIQUE (customer_id,
-- position), not deferrable), so the milestones that change step are first
-- put after the customer's last step and after the last step the file
-- gives them, then each on its own: a swap, a rotation or a shift within
-- one file works, in any order of its lines.  A record whose step another milestone
-- keeps (one not in the file, or one the file refuses to move, or a new one
-- of the file) is rejected, as a new record at a taken step is, and its
-- milestone stays as it was; so is the second of two records naming one
-- step.  A milestone moving to another customer goes after that customer's
-- last step, now also after the steps the file gives its milestones.
--
-- 055's baton_import_milestones, with that.
CREATE OR REPLACE FUNCTION baton_import_milestones() RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    v_n integer;
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

    -- Milestones staying with their customer at another step.
    CREATE TEMP TABLE baton_import_steps ON COMMIT DROP AS
    SELECT c.line, c.target, c.cid, (c.v ->> 'position')::integer AS position
    FROM baton_import_c c JOIN milestone t ON t.id = c.target
    WHERE c.state = 'updated' AND t.customer_id = c.cid AND c.v ? 'position'
      AND (c.v ->> 'position')::integer <> t.position;
    -- A step is free when every milestone on it moves away; a refusal may
    -- keep a milestone where another wanted to go: again until none is.
    LOOP
        UPDATE baton_import_c c SET bad = format('position:position %s is taken by another milestone of the customer',
                                                 s.position)
        FROM baton_import_steps s
        WHERE s.line = c.line AND c.bad IS NULL AND (
            EXISTS (SELECT 1 FROM milestone m WHERE m.customer_id = s.cid AND m.position = s.position
                    AND NOT EXISTS (SELECT 1 FROM baton_import_steps o JOIN baton_import_c oc ON oc.line = o.line
                                    WHERE o.target = m.id AND oc.bad IS NULL))
            OR EXISTS (SELECT 1 FROM baton_import_steps o JOIN baton_import_c oc ON oc.line = o.line
                       WHERE o.cid = s.cid AND o.position = s.position AND o.line < s.line AND oc.bad IS NULL)
            OR EXISTS (SELECT 1 FROM baton_import_c n WHERE n.state = 'new' AND n.bad IS NULL
                       AND n.cid = s.cid AND (n.v ->> 'position')::integer = s.position));
        GET DIAGNOSTICS v_n = ROW_COUNT;
        EXIT WHEN v_n = 0;
    END LOOP;

    INSERT INTO baton_import_reject (line, field, reason)
    SELECT line, split_part(bad, ':', 1), substr(bad, strpos(bad, ':') + 1)
    FROM baton_import_c WHERE bad IS NOT NULL;
    DELETE FROM baton_import_c WHERE bad IS NOT NULL;
    DELETE FROM baton_import_steps s WHERE NOT EXISTS (SELECT 1 FROM baton_import_c c WHERE c.line = s.line);
    INSERT INTO milestone (id, customer_id, position, title, status, owner, due_date, completed_at,
                           blocked_reason)
    SELECT target, cid, (v ->> 'position')::integer, v ->> 'title', coalesce(v ->> 'status', 'pending'),
        (v ->> 'owner')::name, (v ->> 'due_date')::date,
        CASE WHEN v ->> 'status' = 'done' THEN coalesce((v ->> 'completed_at')::timestamptz,
            (v ->> 'updated_at')::timestamptz, now()) END,
        v ->> 'blocked_reason'
    FROM baton_import_c WHERE state = 'new';
    -- Those changing step wait after their customer's last one, and after
    -- the last step the file gives them: no one waits where another goes.
    UPDATE milestone t SET position = p.position
    FROM (SELECT s.target, greatest((SELECT max(m.position) FROM milestone m WHERE m.customer_id = s.cid),
                                    max(s.position) OVER (PARTITION BY s.cid))
                 + row_number() OVER (PARTITION BY s.cid ORDER BY s.line) AS position
          FROM baton_import_steps s) p
    WHERE t.id = p.target;
    -- A record that now names another customer moves its milestone there,
    -- after that customer's own (positions are unique) and after the steps
    -- this file gives them, in the file's order.
    UPDATE milestone t SET customer_id = c.cid, position = coalesce(m.position, t.position),
        title = c.v ->> 'title', status = coalesce(c.v ->> 'status', t.status),
        owner = coalesce((c.v ->> 'owner')::name, t.owner),
        due_date = coalesce((c.v ->> 'due_date')::date, t.due_date),
        completed_at = CASE WHEN coalesce(c.v ->> 'status', t.status) = 'done' THEN
            coalesce((c.v ->> 'completed_at')::timestamptz, t.completed_at, now()) END,
        blocked_reason = c.v ->> 'blocked_reason', version = t.version + 1
    FROM baton_import_c c
    LEFT JOIN (SELECT x.line, greatest((SELECT max(n.position) FROM milestone n WHERE n.customer_id = x.cid),
                                       (SELECT max(s.position) FROM baton_import_steps s WHERE s.cid = x.cid), 0)
                   + row_number() OVER (PARTITION BY x.cid ORDER BY x.line) AS position
               FROM baton_import_c x JOIN milestone o ON o.id = x.target
               WHERE x.state = 'updated' AND o.customer_id <> x.cid) m ON m.line = c.line
    WHERE c.state = 'updated' AND t.id = c.target;
    -- Then each on its step, free by now.
    UPDATE milestone t SET position = s.position FROM baton_import_steps s WHERE t.id = s.target;
END $$;
