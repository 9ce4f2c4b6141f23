-- Live updates that patch instead of re-reading (issue 13).
--
-- With 011's notifications ('handoff:CUSTOMER:TO_TEAM:TO_STAFF') a console
-- knew that some handoff for its team changed, not which one nor how, so
-- every console of the team re-read its whole waiting list on every write
-- for the team: at 500 consoles, 93 re-reads and 320 ms of server CPU per
-- write.  A handoff's notification now names the handoff and says what it
-- is now, so that a console can tell whether its list changes at all (a
-- new handoff behind a full list of older ones does not), drop a row that
-- left it, and read only the handoffs that entered or changed, by their
-- primary key (src/waiting.c):
--
--     handoff:CUSTOMER:TO_TEAM:TO_STAFF:PREV_TEAM:PREV_STAFF:ID:STATE:CREATED_US:WHAT
--
-- PREV_TEAM and PREV_STAFF whom it was for before a reassignment (else
-- empty), CREATED_US its created_at in microseconds since 1970, the
-- waiting list's order (src/finder.c reads the same expression), WHAT
-- 'row' when the handoff row was inserted or updated, 'comment' for an
-- event that changes no row.  At most about 300 bytes, far below the 8000
-- a payload may have.
--
-- A handoff removed (with its customer, ON DELETE CASCADE) says so too,
-- as state 'deleted': before, nothing told a console, and a list that is
-- now patched instead of re-read would keep showing it.
--
-- A statement that writes more than 100 handoffs (an import, a bulk
-- write in psql) sends 011's payloads instead, one per (customer, team,
-- person): thousands of notifications to each of hundreds of consoles cost
-- more than one re-read each, and a payload without an id makes the
-- console re-read.  Identical payloads of one transaction are still sent
-- once by the server; distinct ones arrive in the order they were sent, so
-- the last one about a handoff says what it is at commit.
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
            PERFORM pg_notify('baton', format('handoff:%s:%s:%s:::%s:%s:%s:comment',
                                              h.customer_id, h.to_team, coalesce(h.to_staff, ''),
                                              h.id, h.state,
                                              (extract(epoch FROM h.created_at) * 1000000)::bigint))
            FROM (SELECT DISTINCT e.handoff_id FROM new_rows e WHERE e.kind = 'commented') e
            JOIN handoff h ON h.id = e.handoff_id;
        END IF;
    ELSIF TG_OP = 'DELETE' THEN
        IF (SELECT count(*) FROM old_rows) > v_each THEN
            PERFORM pg_notify('baton', format('handoff:%s:%s:%s', o.customer_id, o.to_team,
                                              coalesce(o.to_staff, '')))
            FROM (SELECT DISTINCT customer_id, to_team, to_staff FROM old_rows) o;
        ELSE
            PERFORM pg_notify('baton', format('handoff:%s:%s:%s:::%s:deleted:%s:row', o.customer_id,
                                              o.to_team, coalesce(o.to_staff, ''), o.id,
                                              (extract(epoch FROM o.created_at) * 1000000)::bigint))
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
        PERFORM pg_notify('baton', format('handoff:%s:%s:%s:::%s:%s:%s:row', n.customer_id,
                                          n.to_team, coalesce(n.to_staff, ''), n.id, n.state,
                                          (extract(epoch FROM n.created_at) * 1000000)::bigint))
        FROM new_rows n;
    ELSE
        PERFORM pg_notify('baton', format('handoff:%s:%s:%s:%s:%s:%s:%s:%s:row', n.customer_id,
                                          n.to_team, coalesce(n.to_staff, ''),
                                          CASE WHEN moved THEN o.to_team ELSE '' END,
                                          CASE WHEN moved THEN coalesce(o.to_staff, '') ELSE '' END,
                                          n.id, n.state,
                                          (extract(epoch FROM n.created_at) * 1000000)::bigint))
        FROM new_rows n JOIN old_rows o ON o.id = n.id,
             LATERAL (SELECT (o.to_team, o.to_staff) IS DISTINCT FROM (n.to_team, n.to_staff)
                      AS moved) m;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER handoff_notify_delete AFTER DELETE ON handoff
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION baton_notify_handoff();
