-- Hundreds of people at once: live updates that cost in proportion to what
-- changed, a customer lookup that reads indexes only, and presence.
--
-- 1. Notifications say what changed.  Every write about a customer still
--    sends 'customer:ID' on channel baton (002's trigger, unchanged).  A
--    handoff's writes also say whom it concerns:
--        handoff:CUSTOMER:TO_TEAM:TO_STAFF
--        handoff:CUSTOMER:TO_TEAM:TO_STAFF:PREV_TEAM:PREV_STAFF  (reassigned)
--    (TO_STAFF empty for a whole team), so that a console re-reads its
--    waiting list or queue only when a handoff for that person or team
--    changed.  Triggers send them, whoever writes (the handoff functions of
--    any version, an import, psql): the functions themselves are not
--    redefined here.
-- 2. baton_resolve: `baton show NAME|DOMAIN|ID` tries one exact, indexed
--    lookup after another and stops at the first kind that finds something.
-- 3. Presence: who else has a customer open, tied to the database sessions
--    themselves, so that a console that dies disappears with its backend.

-- 1. Notifications ---------------------------------------------------------------
-- One notification per distinct (customer, team, person) a statement
-- touched: a bulk write (an import, a bulk acknowledge) sends each once, and
-- the server drops identical payloads of one transaction anyway.
CREATE FUNCTION baton_notify_handoff() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF TG_TABLE_NAME = 'handoff_event' THEN
        -- A comment changes no handoff row; the other steps do, and their
        -- update says so below.
        PERFORM pg_notify('baton', format('handoff:%s:%s:%s', h.customer_id, h.to_team,
                                          coalesce(h.to_staff, '')))
        FROM (SELECT DISTINCT e.handoff_id FROM new_rows e WHERE e.kind = 'commented') e
        JOIN handoff h ON h.id = e.handoff_id;
    ELSIF TG_OP = 'INSERT' THEN
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
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION baton_notify_handoff() FROM PUBLIC;

CREATE TRIGGER handoff_notify_insert AFTER INSERT ON handoff
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION baton_notify_handoff();
CREATE TRIGGER handoff_notify_update AFTER UPDATE ON handoff
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION baton_notify_handoff();
CREATE TRIGGER handoff_event_notify AFTER INSERT ON handoff_event
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION baton_notify_handoff();

-- The waiting list ("handoffs waiting for me and my team", src/finder.c)
-- reads, per state, the oldest handoffs for one team and for one person:
-- each branch is a range of one of these indexes, in order, cut at its
-- LIMIT, instead of a sort of every active handoff of the team.  Covering
-- (id, and customer_id for the row-level policy): index-only, and cheaper
-- to the planner than a wider index filtered on the team.
CREATE INDEX handoff_waiting_team_idx ON handoff (to_team, state, created_at)
    INCLUDE (id, customer_id) WHERE state IN ('open', 'acknowledged');
CREATE INDEX handoff_waiting_staff_idx ON handoff (to_staff, state, created_at)
    INCLUDE (id, customer_id) WHERE state IN ('open', 'acknowledged') AND to_staff IS NOT NULL;

-- 2. The customer lookup -----------------------------------------------------------
-- Exact matches, one kind after another, stopping at the first kind that
-- finds any: the id ("42" or "#42"), an external id (any system, or
-- "system:id"), a domain, a contact's e-mail, the whole name folded as the
-- finder folds it (case and accents).  Each is an equality on an index.
-- Like baton_find (005) it runs as its owner, because under row-level
-- security no index on an expression (lower(), baton_fold()) could serve
-- the comparison, and limits itself to what the session user may see; the
-- caller joins the ids to customer under its policy again.  how: the kind
-- that matched, 1 to 5.
CREATE FUNCTION baton_resolve(p_text text)
RETURNS TABLE (cid bigint, how integer)
LANGUAGE plpgsql STABLE SECURITY DEFINER ROWS 2 SET search_path = public, pg_temp AS $f$
DECLARE
    v_scope text[] := baton_me_scope();  -- NULL: every segment (or not staff)
    v_lower text := lower(p_text);
BEGIN
    -- Importers (010) read every customer, as their policy does.
    IF NOT (baton_me_active() OR baton_me_bypasses()
            OR pg_has_role(session_user, 'baton_importer', 'MEMBER')) THEN
        RETURN;
    END IF;
    IF p_text ~ '^#?[0-9]{1,18}$' THEN
        RETURN QUERY SELECT c.id, 1 FROM customer c
            WHERE c.id = ltrim(p_text, '#')::bigint
              AND (v_scope IS NULL OR c.segment = ANY (v_scope));
        IF FOUND THEN
            RETURN;
        END IF;
    END IF;
    RETURN QUERY SELECT DISTINCT x.customer_id, 2 FROM customer_external_id x
        JOIN customer c ON c.id = x.customer_id
        WHERE (lower(x.external_id) = v_lower
               OR (x.system = split_part(p_text, ':', 1)
                   AND x.external_id = substr(p_text, strpos(p_text, ':') + 1)))
          AND (v_scope IS NULL OR c.segment = ANY (v_scope));
    IF FOUND THEN
        RETURN;
    END IF;
    RETURN QUERY SELECT c.id, 3 FROM customer c
        WHERE lower(c.domain) = v_lower AND (v_scope IS NULL OR c.segment = ANY (v_scope));
    IF FOUND THEN
        RETURN;
    END IF;
    RETURN QUERY SELECT DISTINCT x.customer_id, 4 FROM contact x
        JOIN customer c ON c.id = x.customer_id
        WHERE lower(x.email) = v_lower AND (v_scope IS NULL OR c.segment = ANY (v_scope));
    IF FOUND THEN
        RETURN;
    END IF;
    RETURN QUERY SELECT c.id, 5 FROM customer c
        WHERE c.name_folded = baton_fold(p_text) AND (v_scope IS NULL OR c.segment = ANY (v_scope))
        LIMIT 50;
END $f$;
REVOKE ALL ON FUNCTION baton_resolve(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION baton_resolve(text) TO baton_staff, baton_importer;
-- The name fallback after it (which shows an importer nothing: baton_find
-- is for staff) must not end in "permission denied".
GRANT EXECUTE ON FUNCTION baton_find(text, boolean) TO baton_importer;

-- 3. Presence ----------------------------------------------------------------------
-- Who has which customer open: one row per database session (backend) that
-- shows a customer, written by the console when its screen changes.  A row
-- counts only while its backend is alive (pg_stat_activity), so a console
-- that is killed or loses its network disappears with its backend, without
-- a heartbeat.  Unlogged: it is state, not history (a crash ends every
-- session, and the rows go with them), and it is not audited: opening a
-- screen is not a write anyone reviews.
CREATE UNLOGGED TABLE baton_presence (
    pid          integer PRIMARY KEY,     -- the backend
    started      timestamptz,             -- its backend_start, where visible:
                                          -- a reused pid is not the same session
    role_name    name NOT NULL,
    customer_id  bigint NOT NULL REFERENCES customer (id) ON DELETE CASCADE,
    since        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX baton_presence_customer_idx ON baton_presence (customer_id);
REVOKE ALL ON baton_presence FROM PUBLIC, baton_staff;
ALTER TABLE baton_presence ENABLE ROW LEVEL SECURITY;
CREATE POLICY staff_read ON baton_presence FOR SELECT TO baton_staff
    USING ((SELECT baton_me_sees_all())
           OR ((SELECT baton_me_active()) AND baton_me_sees_customer(customer_id)));

-- The rows whose backend is still there: same pid, same user, same
-- database and (where the owner may see it) the same start.  Everyone may
-- see pid, user and database of every session; backend_start only the
-- sessions of roles the owner belongs to (all of them for a superuser).
CREATE FUNCTION baton_presence_live() RETURNS SETOF baton_presence
LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
    SELECT p.* FROM baton_presence p
    JOIN pg_stat_activity a ON a.pid = p.pid AND a.usename = p.role_name
        AND a.datname = current_database()
    WHERE p.started IS NOT DISTINCT FROM a.backend_start
$$;
REVOKE ALL ON FUNCTION baton_presence_live() FROM PUBLIC;

-- The others who have p_customer open: one row per person (not the caller),
-- with their team's name.
CREATE FUNCTION baton_presence_here(p_customer bigint)
RETURNS TABLE (role_name name, display_name text, team_name text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT DISTINCT s.role_name, s.display_name, t.name
    FROM baton_presence_live() p
    JOIN staff s ON s.role_name = p.role_name AND s.active
    JOIN team t ON t.id = s.team_id
    WHERE p.customer_id = p_customer AND p.role_name <> session_user
      AND baton_me_sees_customer(p_customer)
    ORDER BY s.role_name
$$;

-- The session now shows p_customer (NULL: none); returns who else is here.
-- Idempotent: the row is keyed by the backend, so a repeated call changes
-- nothing and tells nobody.  Every change sends 'presence:ID' for the
-- customer left and the one opened, and rows of backends that are gone are
-- removed (and their customers told) on the way.  TCP keepalives for this
-- session: over the network, a console whose link died is noticed by the
-- server within about a minute instead of the system's two hours, and its
-- presence ends with its backend (nothing to do over a Unix socket).
CREATE FUNCTION baton_presence_set(p_customer bigint)
RETURNS TABLE (role_name name, display_name text, team_name text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_old bigint;
    v_gone bigint;
BEGIN
    IF NOT baton_me_active() THEN
        RAISE EXCEPTION 'role % is not an active staff member', session_user
            USING ERRCODE = 'insufficient_privilege';
    END IF;
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

REVOKE ALL ON FUNCTION baton_presence_here(bigint), baton_presence_set(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION baton_presence_here(bigint), baton_presence_set(bigint) TO baton_staff;
