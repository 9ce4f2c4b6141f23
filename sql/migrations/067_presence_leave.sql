-- Presence behind a pooler: who has a customer open ends with the console,
-- also where the server session outlives it.
--
-- 011 counted a presence row while its backend was alive (same pid, user,
-- database and start).  Behind pgbouncer in session mode, as README.md
-- recommends, the backend outlives the console: one that quit or was
-- killed stayed "also here" for as long as the pooler kept the server
-- connection (server_idle_timeout, 10 minutes by default), and the next
-- client given that connection inherited the row.  Now a row counts while
--   1. its session holds the presence lock, a session-level advisory lock
--      on (9011, its pid) that baton_presence_set takes.  The lock ends
--      with the backend, and behind a pooler with the client: pgbouncer's
--      server_reset_query (DISCARD ALL, its default) releases every
--      advisory lock when the client leaves, before anyone else gets the
--      connection (and drops its LISTENs and prepared statements too);
--   2. and it was said in the last 90 seconds: the console says it again
--      every 30 s (one call, no notification unless something changed),
--      so that a console the pooler has not noticed gone yet (its network
--      lost: pgbouncer's keepalive is the system's, two hours by default)
--      drops out within 90 s of its last word.
-- A console that quits says so (baton_presence_set(NULL), as when it
-- leaves a customer): the others are told at once.
--
-- backend_start is no longer read: the lock names the session (its pid,
-- in this database) and goes with it, so pg_stat_activity is not scanned;
-- pg_locks is, once per read.  Unlogged as before; the 30 s refresh
-- rewrites one row (a HOT update: `seen` is not indexed).
ALTER TABLE baton_presence DROP COLUMN started;
ALTER TABLE baton_presence ADD COLUMN seen timestamptz NOT NULL DEFAULT now();

-- The rows whose session is still there and still says so: the sessions
-- holding the presence lock are read once per statement (an InitPlan),
-- and each row is looked up in that list.  Without a SET clause, so that
-- its callers (SECURITY DEFINER, with their own search_path; nobody else
-- may run it) inline it into plans they keep; names qualified all the
-- same.  011's, planned again on every call, spent most of its time
-- planning.  Measured with 500 consoles present (pgbench sessions as
-- ana on customers 1-30, ben calling 1000 times, server CPU of ben's
-- backend, on a loaded 2-core machine): baton_presence_here 4.4-5.7 ms
-- per call before, 0.8-1.2 ms now; baton_presence_set 7.2-8.6 ms before,
-- 3.5-4.4 ms now.
CREATE OR REPLACE FUNCTION baton_presence_live() RETURNS SETOF baton_presence
LANGUAGE sql STABLE AS $$
    SELECT p.* FROM public.baton_presence p
    WHERE p.seen > pg_catalog.now() - interval '90 seconds'
      AND p.pid = ANY (ARRAY(
          SELECT l.pid FROM pg_catalog.pg_locks l
          WHERE l.locktype = 'advisory' AND l.classid = 9011 AND l.objsubid = 2 AND l.granted
            AND l.objid = l.pid::oid
            AND l.database = (SELECT d.oid FROM pg_catalog.pg_database d
                              WHERE d.datname = pg_catalog.current_database())))
$$;
REVOKE ALL ON FUNCTION baton_presence_live() FROM PUBLIC;

-- The others who have p_customer open: one row per person (not the
-- caller), with their team's name.  As 011's, in PL/pgSQL: its plan is
-- kept for the session.
CREATE OR REPLACE FUNCTION baton_presence_here(p_customer bigint)
RETURNS TABLE (role_name name, display_name text, team_name text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    RETURN QUERY
    SELECT DISTINCT s.role_name, s.display_name, t.name
    FROM baton_presence_live() p
    JOIN staff s ON s.role_name = p.role_name AND s.active
    JOIN team t ON t.id = s.team_id
    WHERE p.customer_id = p_customer AND p.role_name <> session_user
      AND baton_me_sees_customer(p_customer)
    ORDER BY s.role_name;
END $$;

-- The session now shows p_customer (NULL: none); returns who else is here.
-- Saying the same again changes nothing others see and tells nobody; it
-- keeps the row alive (`seen`).  Every change sends 'presence:ID' for the
-- customer left and the one opened (also when this session's row had
-- lapsed: it is back), and rows whose session is gone or silent are
-- removed (and their customers told) on the way.  TCP keepalives for this
-- session: over the network, a console whose link died is noticed by the
-- server within about a minute instead of the system's two hours, and its
-- presence ends with its backend (nothing to do over a Unix socket or
-- behind a pooler, where the refresh bounds it).
CREATE OR REPLACE FUNCTION baton_presence_set(p_customer bigint)
RETURNS TABLE (role_name name, display_name text, team_name text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_gone bigint[];
    v_was_live boolean;
    v_old bigint;
BEGIN
    PERFORM baton_my_team();
    IF p_customer IS NOT NULL AND NOT baton_me_sees_customer(p_customer) THEN
        RAISE EXCEPTION 'unknown customer %', p_customer USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM set_config('tcp_keepalives_idle', '30', false),
            set_config('tcp_keepalives_interval', '10', false),
            set_config('tcp_keepalives_count', '3', false);
    -- pg_locks once, in one statement (one snapshot: a row committed
    -- after the locks were read is not swept): rows whose session is gone
    -- or silent are removed, and whether this session's row counted.
    WITH live AS MATERIALIZED (SELECT l.pid FROM baton_presence_live() l),
    gone AS (
        DELETE FROM baton_presence p
        WHERE p.pid <> pg_backend_pid() AND p.pid NOT IN (SELECT live.pid FROM live)
        RETURNING p.customer_id)
    SELECT ARRAY(SELECT DISTINCT gone.customer_id FROM gone),
           EXISTS (SELECT 1 FROM live WHERE live.pid = pg_backend_pid())
        INTO v_gone, v_was_live;
    PERFORM pg_notify('baton', 'presence:' || x) FROM unnest(v_gone) x;
    SELECT p.customer_id INTO v_old FROM baton_presence p WHERE p.pid = pg_backend_pid();
    IF p_customer IS NULL THEN
        DELETE FROM baton_presence p WHERE p.pid = pg_backend_pid();
    ELSE
        -- A live row means the lock is held; otherwise take it unless this
        -- session holds it (taken twice, it would be held twice).
        IF NOT v_was_live AND NOT EXISTS (
               SELECT 1 FROM pg_locks l
               WHERE l.locktype = 'advisory' AND l.classid = 9011 AND l.objsubid = 2
                 AND l.objid = pg_backend_pid()::oid AND l.pid = pg_backend_pid()) THEN
            PERFORM pg_advisory_lock(9011, pg_backend_pid());
        END IF;
        INSERT INTO baton_presence AS p (pid, role_name, customer_id)
        VALUES (pg_backend_pid(), session_user, p_customer)
        ON CONFLICT (pid) DO UPDATE SET role_name = EXCLUDED.role_name,
            customer_id = EXCLUDED.customer_id, seen = now(),
            since = CASE WHEN p.customer_id = EXCLUDED.customer_id AND v_was_live
                         THEN p.since ELSE now() END;
    END IF;
    IF v_old IS DISTINCT FROM p_customer OR NOT v_was_live THEN
        PERFORM pg_notify('baton', 'presence:' || x) FROM unnest(ARRAY[v_old, p_customer]) x
        WHERE x IS NOT NULL;
    END IF;
    IF p_customer IS NOT NULL THEN
        RETURN QUERY SELECT * FROM baton_presence_here(p_customer);
    END IF;
END $$;
