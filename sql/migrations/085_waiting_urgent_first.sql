-- Baton schema, version 85: urgent handoffs first in the waiting list.
--
-- The start screen's "Waiting for you and <team>" list showed open
-- handoffs oldest first, then acknowledged ones.  An urgent handoff that
-- came in an hour ago stood below every older one of the team: off the
-- screen for a team with a dozen open handoffs, and past the list's 100
-- rows (WAITING_LIMIT) for a team with more, while its "!!" mark was only
-- seen by someone who scrolled to it.  Now each state's urgent handoffs
-- come first, oldest first, then the rest as before (src/finder.c):
--
-- * two partial indexes, on the urgent active handoffs of a team and of a
--   person, in 011's order and covering as 011's: the list's two new
--   branches (urgent, per state, for my team and for me) are ranges of
--   them, cut at the list's length.  Their rows are few (the urgent ones
--   still open or acknowledged);
-- * baton_notify_handoff (017's, restated): a payload that names its
--   handoff also says its priority, as a tenth field,
--
--     handoff:CUSTOMER:TO_TEAM:TO_STAFF:PREV_TEAM:PREV_STAFF:ID:STATE:CREATED_US:WHAT:PRIORITY
--
--   so that a console still knows without reading whether a new handoff
--   comes after the last row of its full list (src/waiting.c): an urgent
--   one now may not.  A handoff's priority is set when it is created and
--   never changes.  A console that gets the 017 payload (nine fields)
--   takes the handoff for urgent, which only costs it a read by key.
CREATE INDEX handoff_waiting_team_urgent_idx ON handoff (to_team, state, created_at)
    INCLUDE (id, customer_id) WHERE state IN ('open', 'acknowledged') AND priority = 'urgent';
CREATE INDEX handoff_waiting_staff_urgent_idx ON handoff (to_staff, state, created_at)
    INCLUDE (id, customer_id)
    WHERE state IN ('open', 'acknowledged') AND to_staff IS NOT NULL AND priority = 'urgent';

CREATE OR REPLACE FUNCTION baton_notify_handoff() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    -- One by one up to this many handoffs per statement.
    v_each constant integer := 100;
BEGIN
    IF TG_TABLE_NAME = 'handoff_event' THEN
        -- A comment changes no handoff row; the other steps do, and their
        -- update says so below.
        IF (SELECT count(*) FROM new_rows e WHERE e.kind = 'commented') > v_each THEN
            PERFORM pg_notify('baton', format('handoff:%s:%s:%s', h.customer_id, h.to_team,
                                              coalesce(h.to_staff, '')))
            FROM (SELECT DISTINCT e.handoff_id FROM new_rows e WHERE e.kind = 'commented') e
            JOIN handoff h ON h.id = e.handoff_id;
        ELSE
            PERFORM pg_notify('baton', format('handoff:%s:%s:%s:::%s:%s:%s:comment:%s',
                                              h.customer_id, h.to_team, coalesce(h.to_staff, ''),
                                              h.id, h.state,
                                              (extract(epoch FROM h.created_at) * 1000000)::bigint,
                                              h.priority))
            FROM (SELECT DISTINCT e.handoff_id FROM new_rows e WHERE e.kind = 'commented') e
            JOIN handoff h ON h.id = e.handoff_id;
        END IF;
    ELSIF TG_OP = 'DELETE' THEN
        IF (SELECT count(*) FROM old_rows) > v_each THEN
            PERFORM pg_notify('baton', format('handoff:%s:%s:%s', o.customer_id, o.to_team,
                                              coalesce(o.to_staff, '')))
            FROM (SELECT DISTINCT customer_id, to_team, to_staff FROM old_rows) o;
        ELSE
            PERFORM pg_notify('baton', format('handoff:%s:%s:%s:::%s:deleted:%s:row:%s', o.customer_id,
                                              o.to_team, coalesce(o.to_staff, ''), o.id,
                                              (extract(epoch FROM o.created_at) * 1000000)::bigint,
                                              o.priority))
            FROM old_rows o;
        END IF;
    ELSIF (SELECT count(*) FROM new_rows) > v_each THEN
        IF TG_OP = 'INSERT' THEN
            PERFORM pg_notify('baton', format('handoff:%s:%s:%s', n.customer_id, n.to_team,
                                              coalesce(n.to_staff, '')))
            FROM (SELECT DISTINCT customer_id, to_team, to_staff FROM new_rows) n;
        ELSE
            PERFORM pg_notify('baton', format('handoff:%s:%s:%s', x.customer_id, x.to_team,
                                              coalesce(x.to_staff, '')) || x.prev)
            FROM (SELECT DISTINCT n.customer_id, n.to_team, n.to_staff,
                         CASE WHEN (o.to_team, o.to_staff) IS DISTINCT FROM (n.to_team, n.to_staff)
                              THEN format(':%s:%s', o.to_team, coalesce(o.to_staff, '')) ELSE '' END
                         AS prev
                  FROM new_rows n JOIN old_rows o ON o.id = n.id) x;
        END IF;
    ELSIF TG_OP = 'INSERT' THEN
        PERFORM pg_notify('baton', format('handoff:%s:%s:%s:::%s:%s:%s:row:%s', n.customer_id,
                                          n.to_team, coalesce(n.to_staff, ''), n.id, n.state,
                                          (extract(epoch FROM n.created_at) * 1000000)::bigint,
                                          n.priority))
        FROM new_rows n;
    ELSE
        PERFORM pg_notify('baton', format('handoff:%s:%s:%s:%s:%s:%s:%s:%s:row:%s', n.customer_id,
                                          n.to_team, coalesce(n.to_staff, ''),
                                          CASE WHEN moved THEN o.to_team ELSE '' END,
                                          CASE WHEN moved THEN coalesce(o.to_staff, '') ELSE '' END,
                                          n.id, n.state,
                                          (extract(epoch FROM n.created_at) * 1000000)::bigint,
                                          n.priority))
        FROM new_rows n JOIN old_rows o ON o.id = n.id,
             LATERAL (SELECT (o.to_team, o.to_staff) IS DISTINCT FROM (n.to_team, n.to_staff)
                      AS moved) m;
    END IF;
    RETURN NULL;
END $$;
