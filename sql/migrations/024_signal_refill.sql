-- Baton schema, version 24: a change of the signal rules commits at once.
--
-- Until now a change of a signal_* setting computed every customer's
-- signals of the kinds that read it again in the administrator's
-- transaction (009's baton_signal_rules_changed -> baton_signal_refill):
-- 5 to 27 s at 100,000 customers, longer than a client's statement
-- timeout, holding the refill's lock while it ran.  Now the change only
-- counts a generation and the cache catches up in bounded batches:
--
--   signal_rule_gen        one row per kind: the generation of the rules
--                          when that kind's last changed; row '*': the
--                          latest generation (every change adds one).
--   customer_signal.rules_gen, customer_signal_state.rules_gen
--                          the generation a row, a customer, was computed
--                          under (a conservative one for the customer: read
--                          before its computation, so never newer than the
--                          rules it read).
--
-- A cached row of kind K is current when its rules_gen is at least K's
-- generation; a customer is behind when its rules_gen is below '*'.  So:
--
--   the writer (baton_setting_set, or any UPDATE of baton_setting) counts
--       the generation in its transaction, O(1), and notifies the consoles
--       (payload 'signals:rules'): it commits at once;
--   one customer's reads (the customer screen, baton show, the finder's
--       and queue's marks, an acknowledgement) treat a customer behind as
--       stale: computed again before it is read, as after a write;
--   the lists over everyone (the signals and sends screens, baton signals)
--       never show a row of a kind whose rules changed since it was
--       computed (the rows of the other kinds stay), and say how many
--       customers are still behind (baton_signal_counts: a row of kind
--       'recomputing'; baton_signal_pending()): until that is 0 a list may
--       miss signals that the new rules raise, and says so;
--   the catching up (baton_signal_catch_up) takes the customers behind a
--       batch at a time, FOR UPDATE SKIP LOCKED as every refresh does, and
--       computes only the kinds whose rules changed since (the other kinds'
--       branches are not run: a complaint rule costs a fifth of all kinds),
--       each batch committed by its caller: `baton settings set` runs
--       batches after its change has committed, `baton signals` before it
--       reads, and every list read on the primary spends about 40 ms on it.
--       The last batch notifies the consoles again.
--
-- A write racing the catching up is never lost: a batch leaves the marks
-- alone (a marked customer is stale for every reader, which computes all
-- its kinds as baton_signal_refresh always has: marks read after the lock,
-- deleted by sequence number), and a change of the rules racing a batch
-- leaves that batch's customers behind (the batch stamps the generation it
-- read before computing).  baton_signal_refill (a fill of
-- everyone in one transaction: generate.sql, migrations) stamps the
-- generation too.
--
-- The data written by this migration: two columns with a constant default
-- (no rewrite) and one index on customer_signal_state.  Nothing is computed
-- again: the cache is current for generation 0.

CREATE TABLE signal_rule_gen (
    kind  text PRIMARY KEY,
    gen   bigint NOT NULL
);
INSERT INTO signal_rule_gen (kind, gen) VALUES
    ('*', 0), ('campaign-during-complaint', 0), ('outreach-during-escalation', 0),
    ('on-track-but-burning', 0), ('dropped-baton', 0), ('repeating-themselves', 0),
    ('voice-falling', 0);
ALTER TABLE signal_rule_gen ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON signal_rule_gen FROM PUBLIC;
-- Read by the computation, which runs with the reader's rights when a
-- reader computes for itself (baton_signal_live).
GRANT SELECT ON signal_rule_gen TO baton_staff;
CREATE POLICY staff_read ON signal_rule_gen FOR SELECT TO baton_staff USING (true);

-- The latest generation of the rules.
CREATE FUNCTION baton_signal_gen() RETURNS bigint
LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
    SELECT g.gen FROM signal_rule_gen g WHERE g.kind = '*'
$$;

ALTER TABLE customer_signal ADD COLUMN rules_gen bigint NOT NULL DEFAULT 0;
ALTER TABLE customer_signal_state ADD COLUMN rules_gen bigint NOT NULL DEFAULT 0;
-- A new customer has nothing to signal under the rules of its time.
ALTER TABLE customer_signal_state ALTER COLUMN rules_gen SET DEFAULT baton_signal_gen();
-- The customers behind, in the order they are caught up.
CREATE INDEX customer_signal_state_gen_idx ON customer_signal_state (rules_gen, customer_id);

-- 013's compute, with the generation of the rules it read (the same
-- snapshot as the rules: one statement).
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
    JOIN customer c ON c.id = g.customer_id
    LEFT JOIN LATERAL (SELECT s.actor, s.at, s.comment FROM signal_ack s
                       WHERE s.customer_id = g.customer_id AND s.kind = g.kind
                         AND s.fingerprint = g.fingerprint
                       ORDER BY s.at DESC LIMIT 1) a ON true
$$;

-- The writer: the generation counted, nothing computed (see the top).
CREATE OR REPLACE FUNCTION baton_signal_rules_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_changed text[];
    v_kinds text[];
    v_gen bigint;
BEGIN
    SELECT array_agg(n.key) INTO v_changed FROM new_rows n JOIN old_rows o ON o.key = n.key
    WHERE n.key LIKE 'signal\_%' AND n.value IS DISTINCT FROM o.value;
    IF v_changed IS NULL THEN
        RETURN NULL;
    END IF;
    -- Any key that names no kinds: all of them.
    IF NOT EXISTS (SELECT 1 FROM unnest(v_changed) k WHERE baton_signal_rule_kinds(k) IS NULL) THEN
        SELECT array_agg(DISTINCT x) INTO v_kinds FROM unnest(v_changed) k, unnest(baton_signal_rule_kinds(k)) x;
    END IF;
    -- The row lock orders concurrent changes: each gets the next number.
    UPDATE signal_rule_gen g SET gen = g.gen + 1 WHERE g.kind = '*' RETURNING g.gen INTO v_gen;
    UPDATE signal_rule_gen g SET gen = v_gen
    WHERE g.kind <> '*' AND (v_kinds IS NULL OR g.kind = ANY (v_kinds));
    PERFORM pg_notify('baton', 'signals:rules');
    RETURN NULL;
END $$;

-- Which of customers p_ids are stale: a mark, their time has come, or
-- computed under older rules.
CREATE OR REPLACE FUNCTION baton_signal_stale(p_ids bigint[]) RETURNS bigint[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT coalesce(array_agg(DISTINCT x.id), '{}') FROM unnest(p_ids) x(id)
    WHERE EXISTS (SELECT 1 FROM signal_dirty d WHERE d.customer_id = x.id)
       OR NOT EXISTS (SELECT 1 FROM customer_signal_state st WHERE st.customer_id = x.id
                        AND (st.valid_until IS NULL OR st.valid_until >= now())
                        AND st.rules_gen >= baton_signal_gen())
$$;

-- Compute customers p_stale again, those no other transaction holds (009's
-- "Concurrency": locked FOR UPDATE SKIP LOCKED, their marks read after the
-- lock and deleted by number).  Returns those it did not compute, for the
-- caller to compute live: all of them when it may not write (read-only,
-- not read committed, or a refill under way).
CREATE FUNCTION baton_signal_refresh_set(p_stale bigint[]) RETURNS bigint[]
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET TimeZone FROM CURRENT
SET plan_cache_mode = force_generic_plan AS $$
DECLARE
    v_mine bigint[];
    v_marks bigint[];
    v_gen bigint;
BEGIN
    IF p_stale IS NULL OR cardinality(p_stale) = 0 THEN
        RETURN '{}';
    END IF;
    IF current_setting('transaction_read_only')::boolean
       OR current_setting('transaction_isolation') <> 'read committed'
       OR NOT pg_try_advisory_xact_lock_shared(9009) THEN
        RETURN p_stale;
    END IF;
    -- Customers loaded without triggers have no state yet; marks of
    -- customers deleted since have no customer.
    INSERT INTO customer_signal_state (customer_id, valid_until)
    SELECT c.id, '-infinity' FROM customer c
    WHERE c.id = ANY (p_stale)
      AND NOT EXISTS (SELECT 1 FROM customer_signal_state st WHERE st.customer_id = c.id)
    ON CONFLICT DO NOTHING;
    DELETE FROM signal_dirty d
    WHERE d.customer_id = ANY (p_stale) AND NOT EXISTS (SELECT 1 FROM customer c WHERE c.id = d.customer_id);

    SELECT array_agg(l.customer_id) INTO v_mine
    FROM (SELECT st.customer_id FROM customer_signal_state st
          WHERE st.customer_id = ANY (p_stale) FOR UPDATE SKIP LOCKED) l;
    IF v_mine IS NOT NULL THEN
        -- Read before the computation: a change of the rules committed
        -- meanwhile leaves these customers behind, never ahead.
        v_gen := baton_signal_gen();
        SELECT array_agg(d.seq) INTO v_marks FROM signal_dirty d WHERE d.customer_id = ANY (v_mine);
        DELETE FROM customer_signal s WHERE s.customer_id = ANY (v_mine);
        INSERT INTO customer_signal SELECT * FROM baton_signal_compute(v_mine, false);
        UPDATE customer_signal_state st
        SET valid_until = u.valid_until, computed_at = now(), rules_gen = v_gen
        FROM baton_signal_valid_until(v_mine, false) u
        WHERE st.customer_id = u.customer_id;
        DELETE FROM signal_dirty d WHERE d.seq = ANY (v_marks);
    END IF;
    RETURN ARRAY(SELECT unnest(p_stale) EXCEPT SELECT unnest(v_mine));
END $$;

-- 009's refresh: customer p_customer (stale also when it is behind the
-- rules), or with p_all the customers marked or whose time came.  The
-- customers only behind the rules are the catching up's (a list reads
-- their current rows and says how many are left), not computed here: after
-- a change that is everyone.
CREATE OR REPLACE FUNCTION baton_signal_refresh(p_customer bigint, p_all boolean) RETURNS bigint[]
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET TimeZone FROM CURRENT
SET plan_cache_mode = force_generic_plan AS $$
DECLARE
    v_stale bigint[];
BEGIN
    IF p_all THEN
        SELECT array_agg(DISTINCT x.id) INTO v_stale
        FROM (SELECT d.customer_id AS id FROM signal_dirty d
              UNION ALL
              SELECT st.customer_id FROM customer_signal_state st WHERE st.valid_until < now()) x;
    ELSIF EXISTS (SELECT 1 FROM signal_dirty d WHERE d.customer_id = p_customer)
          OR NOT EXISTS (SELECT 1 FROM customer_signal_state st
                         WHERE st.customer_id = p_customer
                           AND (st.valid_until IS NULL OR st.valid_until >= now())
                           AND st.rules_gen >= baton_signal_gen()) THEN
        v_stale := ARRAY[p_customer];
    END IF;
    IF v_stale IS NULL THEN
        RETURN '{}';
    END IF;
    RETURN baton_signal_refresh_set(v_stale);
END $$;

-- How many customers are behind the rules (0: every list is complete).
CREATE FUNCTION baton_signal_pending() RETURNS bigint
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT count(*) FROM customer_signal_state st WHERE st.rules_gen < baton_signal_gen()
$$;

-- The kinds' generations when a customer is behind (for the lists' filter),
-- NULL when none is: then every cached row is current.
CREATE FUNCTION baton_signal_kind_gens() RETURNS jsonb
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT CASE WHEN EXISTS (SELECT 1 FROM customer_signal_state st
                             WHERE st.rules_gen < baton_signal_gen())
                THEN (SELECT jsonb_object_agg(g.kind, g.gen) FROM signal_rule_gen g WHERE g.kind <> '*') END
$$;

-- Compute again the kinds p_kinds of customers p_ids, which the caller has
-- locked (baton_signal_catch_up), and stamp them with generation p_gen: the
-- caller's, read before.  Their marks are left for the next reader, which
-- computes every kind of a marked customer.
-- Custom plans: a generic one, blind to the batch's size, reads the
-- tickets of everyone (six times slower for the repeats).
CREATE FUNCTION baton_signal_refresh_kinds(p_ids bigint[], p_kinds text[], p_gen bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET TimeZone FROM CURRENT
SET plan_cache_mode = force_custom_plan AS $$
BEGIN
    DELETE FROM customer_signal s WHERE s.customer_id = ANY (p_ids) AND s.kind = ANY (p_kinds);
    -- The kinds' branches that are not asked for are not run.
    INSERT INTO customer_signal
    SELECT * FROM baton_signal_compute(p_ids, false) c WHERE c.kind = ANY (p_kinds);
    UPDATE customer_signal_state st
    SET valid_until = u.valid_until, computed_at = now(), rules_gen = p_gen
    FROM baton_signal_valid_until(p_ids, false) u
    WHERE st.customer_id = u.customer_id;
END $$;

-- Catch up: compute again customers behind the rules, p_batch at a time,
-- only the kinds whose rules changed since each was computed, until none
-- is left or p_ms have passed (0: one batch).  Customers another
-- transaction holds are left to it.  Returns how many are still behind;
-- the batch that leaves none tells the consoles.  The caller commits: one
-- call per transaction keeps each one short.
CREATE FUNCTION baton_signal_catch_up(p_batch integer, p_ms integer DEFAULT 0) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET TimeZone FROM CURRENT AS $$
DECLARE
    v_t0 timestamptz := clock_timestamp();
    v_gen bigint;
    v_from bigint;
    v_kinds text[];
    v_ids bigint[];
    v_left bigint;
    v_did boolean := false;
BEGIN
    -- Not when it may not write, nor during a refill (which computes
    -- everyone itself).
    IF current_setting('transaction_read_only')::boolean
       OR current_setting('transaction_isolation') <> 'read committed'
       OR NOT pg_try_advisory_xact_lock_shared(9009) THEN
        RETURN baton_signal_pending();
    END IF;
    LOOP
        -- The generation first: the kinds read after it are at least the
        -- ones it counts, so a customer is never stamped ahead of its rows.
        v_gen := baton_signal_gen();
        SELECT min(st.rules_gen) INTO v_from FROM customer_signal_state st WHERE st.rules_gen < v_gen;
        EXIT WHEN v_from IS NULL;
        SELECT array_agg(g.kind) INTO v_kinds FROM signal_rule_gen g WHERE g.kind <> '*' AND g.gen > v_from;
        SELECT array_agg(l.customer_id) INTO v_ids
        FROM (SELECT st.customer_id FROM customer_signal_state st
              WHERE st.rules_gen = v_from
              ORDER BY st.customer_id
              LIMIT greatest(p_batch, 1) FOR UPDATE SKIP LOCKED) l;
        -- Held by others, who are computing them.
        EXIT WHEN v_ids IS NULL;
        PERFORM baton_signal_refresh_kinds(v_ids, v_kinds, v_gen);
        v_did := true;
        EXIT WHEN extract(epoch FROM clock_timestamp() - v_t0) * 1000 >= p_ms;
    END LOOP;
    v_left := baton_signal_pending();
    IF v_did AND v_left = 0 THEN
        PERFORM pg_notify('baton', 'signals:rules');
    END IF;
    RETURN v_left;
END $$;

-- 009's (012's) refill: stamps the generation it read before computing.
CREATE OR REPLACE FUNCTION baton_signal_refill(p_kinds text[] DEFAULT NULL) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET TimeZone FROM CURRENT
SET work_mem = '256MB' AS $$
DECLARE
    v_marks bigint[];
    v_n bigint;
    v_gen bigint;
BEGIN
    PERFORM pg_advisory_xact_lock(9009);
    v_gen := baton_signal_gen();
    -- Only a complete refill clears the marks: the other kinds of a marked
    -- customer are still to compute.
    IF p_kinds IS NULL THEN
        SELECT coalesce(array_agg(d.seq), '{}') INTO v_marks FROM signal_dirty d;
    END IF;
    DELETE FROM customer_signal s WHERE p_kinds IS NULL OR s.kind = ANY (p_kinds);
    INSERT INTO customer_signal
    SELECT * FROM baton_signal_compute(NULL, true) c WHERE p_kinds IS NULL OR c.kind = ANY (p_kinds);
    GET DIAGNOSTICS v_n = ROW_COUNT;
    -- Written only where it changed: a rule of one kind moves few of them.
    -- Only a complete refill brings a customer up to the rules.
    INSERT INTO customer_signal_state AS st (customer_id, valid_until, rules_gen)
    SELECT u.customer_id, u.valid_until, v_gen FROM baton_signal_valid_until(NULL, true) u
    ON CONFLICT (customer_id) DO UPDATE
    SET valid_until = excluded.valid_until, computed_at = now(),
        rules_gen = CASE WHEN p_kinds IS NULL THEN excluded.rules_gen ELSE st.rules_gen END
    WHERE st.valid_until IS DISTINCT FROM excluded.valid_until
       OR (p_kinds IS NULL AND st.rules_gen < excluded.rules_gen);
    DELETE FROM signal_dirty d WHERE d.seq = ANY (v_marks);
    RETURN v_n;
END $$;

-- The finder's and queue's marks (013's): the stale customers of the list
-- computed in one set, not one by one.
CREATE OR REPLACE FUNCTION baton_signal_markers(p_ids bigint[])
RETURNS TABLE (customer_id bigint, kind text, signals integer)
LANGUAGE plpgsql SET search_path = public, pg_temp SET plan_cache_mode = force_generic_plan AS $$
#variable_conflict use_column
DECLARE
    v_live bigint[] := baton_signal_refresh_set(baton_signal_stale(p_ids));
BEGIN
    RETURN QUERY
    SELECT DISTINCT ON (e.customer_id) e.customer_id, e.kind,
           (count(*) OVER (PARTITION BY e.customer_id))::integer
    FROM (SELECT * FROM customer_signal c
          WHERE c.customer_id = ANY (p_ids) AND NOT c.customer_id = ANY (v_live)
          UNION ALL
          SELECT * FROM baton_signal_live(v_live) WHERE cardinality(v_live) > 0) e
    WHERE e.acked_at IS NULL
    ORDER BY e.customer_id, e.severity_rank DESC, e.kind;
END $$;

-- The lists' reads ---------------------------------------------------------------------
-- 013's entries, listed and sends gain p_gens (baton_signal_kind_gens()):
-- a cached row of a kind whose rules changed since it was computed is not
-- read.  NULL: every row is current (the plans then have no such filter).
DROP FUNCTION baton_suppression_page(integer);
DROP FUNCTION baton_suppression_count();
DROP FUNCTION baton_suppression_sends(bigint[], boolean);
DROP FUNCTION baton_signal_counts(text, text, name);
DROP FUNCTION baton_signal_page(text, text, text, name, integer);
DROP FUNCTION baton_signal_list(text, text, text, name, bigint, boolean);
DROP FUNCTION baton_signal_listed(text, text, text, name, bigint, boolean, bigint[]);
DROP FUNCTION baton_signal_entries(bigint, boolean, bigint[]);

CREATE FUNCTION baton_signal_entries(p_customer bigint, p_all boolean, p_live bigint[], p_gens jsonb)
RETURNS SETOF customer_signal
LANGUAGE sql STABLE AS $$
    SELECT e.customer_id, e.kind, e.severity_rank, e.since, e.refs, e.line, e.clock, e.clock_unit,
           e.more, e.teams, e.fingerprint, e.until, e.acked_by, e.acked_at, e.ack_comment,
           e.customer, e.segment, e.owner, e.rules_gen
    FROM (SELECT c.*, true AS cached FROM customer_signal c
          UNION ALL
          SELECT l.*, false FROM baton_signal_live(p_live) l WHERE cardinality(p_live) > 0) e
    WHERE (p_all OR e.customer_id = p_customer)
      AND (NOT e.cached OR cardinality(p_live) = 0 OR NOT e.customer_id = ANY (p_live))
      AND (p_gens IS NULL OR NOT e.cached OR e.rules_gen >= coalesce((p_gens ->> e.kind)::bigint, 0))
$$;

CREATE FUNCTION baton_signal_listed(p_kind text, p_team text, p_segment text, p_owner name,
                                    p_customer bigint, p_include_acked boolean, p_live bigint[],
                                    p_gens jsonb)
RETURNS TABLE (customer_id bigint, customer text, segment text, owner name, kind text,
               title text, severity text, since timestamptz, explanation text, refs text[],
               teams text[], fingerprint text, acked_by name, acked_at timestamptz,
               ack_comment text, severity_rank integer)
LANGUAGE sql STABLE AS $$
    SELECT s.customer_id, s.customer, s.segment, s.owner, s.kind, baton_signal_title(s.kind),
           (ARRAY['low', 'medium', 'high'])[s.severity_rank], s.since,
           baton_signal_say(s.line, s.clock, s.clock_unit, s.more), s.refs, s.teams,
           s.fingerprint, s.acked_by, s.acked_at, s.ack_comment, s.severity_rank
    FROM baton_signal_entries(p_customer, p_customer IS NULL, p_live, p_gens) s
    WHERE (p_kind IS NULL OR s.kind = p_kind)
      AND (p_team IS NULL OR p_team = ANY (s.teams))
      AND (p_segment IS NULL OR s.segment = p_segment)
      AND (p_owner IS NULL OR s.owner = p_owner)
      AND (p_include_acked OR s.acked_at IS NULL)
$$;

-- A list read over everyone: the customers marked or whose time came
-- computed (009's refresh), then up to p_ms of catching up on the primary.
-- Returns the customers to compute live; *gens as baton_signal_kind_gens().
CREATE FUNCTION baton_signal_refresh_all(p_ms integer, OUT live bigint[], OUT gens jsonb)
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    live := baton_signal_refresh(NULL, true);
    gens := baton_signal_kind_gens();
    IF gens IS NOT NULL AND p_ms > 0 AND baton_signal_catch_up(50, p_ms) = 0 THEN
        gens := NULL;
    END IF;
END $$;

-- How long a list read over everyone spends catching up after a change of
-- the rules: a person waits on it.
CREATE FUNCTION baton_signal_list_catch_up_ms() RETURNS integer
LANGUAGE sql IMMUTABLE AS $$ SELECT 40 $$;

-- What a read brings up to date first, and what it then reads by: for one
-- customer (p_customer) that customer, computed if stale; for a list of
-- everyone (NULL) the customers marked or whose time came, and a share of
-- the catching up after a change of the rules.  live: the customers to
-- compute live (held by another transaction); gens: the kinds'
-- generations while some customer is behind the rules (NULL otherwise,
-- and for one customer, whose read computes it under the rules of now).
CREATE FUNCTION baton_signal_refreshed(p_customer bigint, OUT live bigint[], OUT gens jsonb)
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    IF p_customer IS NULL THEN
        SELECT r.live, r.gens INTO live, gens FROM baton_signal_refresh_all(baton_signal_list_catch_up_ms()) r;
    ELSE
        live := baton_signal_refresh(p_customer, false);
    END IF;
END $$;

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
    v_live bigint[];
    v_gens jsonb;
BEGIN
    SELECT r.live, r.gens INTO v_live, v_gens FROM baton_signal_refreshed(p_customer) r;
    RETURN QUERY
    SELECT l.customer_id, l.customer, l.segment, l.owner, l.kind, l.title, l.severity, l.since,
           l.explanation, l.refs, l.teams, l.fingerprint, l.acked_by, l.acked_at, l.ack_comment
    FROM baton_signal_listed(p_kind, p_team, p_segment, p_owner, p_customer, p_include_acked, v_live, v_gens) l
    ORDER BY l.severity_rank DESC, l.since, l.customer, l.customer_id, l.kind;
END $$;

CREATE FUNCTION baton_signal_page(p_kind text, p_team text, p_segment text, p_owner name,
                                  p_limit integer)
RETURNS TABLE (customer_id bigint, customer text, segment text, owner name, kind text,
               title text, severity text, since timestamptz, explanation text, refs text[],
               teams text[], fingerprint text, acked_by name, acked_at timestamptz,
               ack_comment text)
LANGUAGE plpgsql SET search_path = public, pg_temp SET plan_cache_mode = force_custom_plan AS $$
#variable_conflict use_column
DECLARE
    v_live bigint[];
    v_gens jsonb;
BEGIN
    SELECT r.live, r.gens INTO v_live, v_gens FROM baton_signal_refreshed(NULL) r;
    RETURN QUERY
    SELECT l.customer_id, l.customer, l.segment, l.owner, l.kind, l.title, l.severity, l.since,
           l.explanation, l.refs, l.teams, l.fingerprint, l.acked_by, l.acked_at, l.ack_comment
    FROM baton_signal_listed(p_kind, p_team, p_segment, p_owner, NULL, false, v_live, v_gens) l
    ORDER BY l.severity_rank DESC, l.since, l.customer, l.customer_id, l.kind
    LIMIT greatest(p_limit, 0);
END $$;

-- 013's counts, and while customers are behind the rules a row of kind
-- 'recomputing': how many (customers; signals 0).  A client that does not
-- know that kind passes it by.
CREATE FUNCTION baton_signal_counts(p_team text, p_segment text, p_owner name)
RETURNS TABLE (kind text, signals bigint, customers bigint)
LANGUAGE plpgsql SET search_path = public, pg_temp SET plan_cache_mode = force_custom_plan
SET work_mem = '64MB' AS $$
#variable_conflict use_column
DECLARE
    v_live bigint[];
    v_gens jsonb;
BEGIN
    SELECT r.live, r.gens INTO v_live, v_gens FROM baton_signal_refreshed(NULL) r;
    RETURN QUERY
    SELECT NULL::text, sum(x.n)::bigint, count(*)
    FROM (SELECT l.customer_id, count(*) AS n
          FROM baton_signal_listed(NULL, p_team, p_segment, p_owner, NULL, false, v_live, v_gens) l
          GROUP BY l.customer_id) x
    UNION ALL
    SELECT * FROM (SELECT l.kind, count(*), count(*)
                   FROM baton_signal_listed(NULL, p_team, p_segment, p_owner, NULL, false, v_live, v_gens) l
                   GROUP BY l.kind ORDER BY l.kind) k
    UNION ALL
    SELECT 'recomputing', 0::bigint, p.n FROM (SELECT baton_signal_pending() AS n) p
    WHERE v_gens IS NOT NULL AND p.n > 0;
END $$;

CREATE FUNCTION baton_suppression_sends(p_live bigint[], p_probe boolean, p_gens jsonb)
RETURNS SETOF marketing_event
LANGUAGE sql STABLE AS $$
    SELECT m.* FROM marketing_event m
    WHERE m.status = 'scheduled'
      AND (m.held_by IS NOT NULL
           OR (p_probe AND EXISTS (SELECT 1 FROM baton_signal_entries(m.customer_id, false, p_live, p_gens) e
                                   WHERE e.acked_at IS NULL))
           OR (NOT p_probe AND m.customer_id IN (SELECT e.customer_id
                                                 FROM baton_signal_entries(NULL, true, p_live, p_gens) e
                                                 WHERE e.acked_at IS NULL)))
$$;

CREATE FUNCTION baton_suppression_page(p_limit integer)
RETURNS TABLE (event_id bigint, customer_id bigint, customer text, campaign text, kind text,
               channel text, scheduled_at timestamptz, held boolean, held_by name,
               held_at timestamptz, hold_comment text, signal_kinds text[], reasons text)
LANGUAGE plpgsql SET search_path = public, pg_temp SET plan_cache_mode = force_custom_plan AS $$
#variable_conflict use_column
DECLARE
    v_live bigint[];
    v_gens jsonb;
BEGIN
    SELECT r.live, r.gens INTO v_live, v_gens FROM baton_signal_refreshed(NULL) r;
    RETURN QUERY
    SELECT m.id, m.customer_id, c.name, m.campaign, m.kind, m.channel, m.scheduled_at,
           m.held_by IS NOT NULL, h.actor, h.at, h.comment, s.kinds, s.reasons
    FROM (SELECT * FROM baton_suppression_sends(v_live, true, v_gens) m0
          ORDER BY m0.scheduled_at, m0.id LIMIT greatest(p_limit, 0)) m
    JOIN customer c ON c.id = m.customer_id
    LEFT JOIN campaign_hold h ON h.id = m.held_by
    LEFT JOIN LATERAL (
        SELECT array_agg(g.kind ORDER BY g.severity_rank DESC, g.kind) AS kinds,
               string_agg(baton_signal_title(g.kind) || ': '
                          || baton_signal_say(g.line, g.clock, g.clock_unit, g.more), '; '
                          ORDER BY g.severity_rank DESC, g.kind) AS reasons
        FROM baton_signal_entries(m.customer_id, false, v_live, v_gens) g
        WHERE g.acked_at IS NULL) s ON true
    ORDER BY m.scheduled_at, m.id;
END $$;

-- 013's count, and how many customers are behind the rules (0: the list is
-- complete).
CREATE FUNCTION baton_suppression_count() RETURNS TABLE (sends bigint, held bigint, recomputing bigint)
LANGUAGE plpgsql SET search_path = public, pg_temp SET plan_cache_mode = force_custom_plan
SET work_mem = '64MB' AS $$
DECLARE
    v_live bigint[];
    v_gens jsonb;
BEGIN
    SELECT r.live, r.gens INTO v_live, v_gens FROM baton_signal_refreshed(NULL) r;
    RETURN QUERY SELECT count(*), count(*) FILTER (WHERE m.held_by IS NOT NULL),
                        CASE WHEN v_gens IS NULL THEN 0 ELSE baton_signal_pending() END
    FROM baton_suppression_sends(v_live, false, v_gens) m;
END $$;

-- 009's (012's) rows: baton_signals(NULL), everyone's, reads as the lists
-- do; one customer's as before (its refresh brings it up to the rules).
CREATE OR REPLACE FUNCTION baton_signal_rows(p_customer bigint, p_all boolean)
RETURNS SETOF baton_signal
LANGUAGE plpgsql SET search_path = public, pg_temp SET plan_cache_mode = force_generic_plan AS $$
DECLARE
    v_live bigint[];
    v_gens jsonb;
BEGIN
    -- Constants, so that the one customer's plan is an index lookup.
    IF p_all THEN
        SELECT r.live, r.gens INTO v_live, v_gens FROM baton_signal_refreshed(NULL) r;
        RETURN QUERY
        SELECT s.customer_id, s.kind, baton_signal_title(s.kind),
               (ARRAY['low', 'medium', 'high'])[s.severity_rank], s.severity_rank, s.since, s.refs,
               baton_signal_say(s.line, s.clock, s.clock_unit, s.more), s.teams, s.fingerprint,
               s.acked_by, s.acked_at, s.ack_comment
        FROM baton_signal_entries(NULL, true, v_live, v_gens) s;
    ELSE
        v_live := baton_signal_refresh(p_customer, false);
        RETURN QUERY SELECT * FROM baton_signal_read(p_customer, false, v_live);
    END IF;
END $$;

CREATE OR REPLACE FUNCTION baton_suppression(p_customer bigint DEFAULT NULL)
RETURNS TABLE (event_id bigint, customer_id bigint, customer text, campaign text, kind text,
               channel text, scheduled_at timestamptz, held boolean, held_by name,
               held_at timestamptz, hold_comment text, signal_kinds text[], reasons text)
LANGUAGE plpgsql SET search_path = public, pg_temp SET plan_cache_mode = force_custom_plan
SET work_mem = '64MB' AS $$
#variable_conflict use_column
DECLARE
    v_live bigint[];
    v_gens jsonb;
BEGIN
    SELECT r.live, r.gens INTO v_live, v_gens FROM baton_signal_refreshed(p_customer) r;
    RETURN QUERY
    SELECT m.id, m.customer_id, c.name, m.campaign, m.kind, m.channel, m.scheduled_at,
           m.held_by IS NOT NULL, h.actor, h.at, h.comment, s.kinds, s.reasons
    FROM marketing_event m
    JOIN customer c ON c.id = m.customer_id
    LEFT JOIN campaign_hold h ON h.id = m.held_by
    LEFT JOIN (SELECT g.customer_id, array_agg(g.kind ORDER BY g.severity_rank DESC, g.kind) AS kinds,
                      string_agg(baton_signal_title(g.kind) || ': '
                                 || baton_signal_say(g.line, g.clock, g.clock_unit, g.more), '; '
                                 ORDER BY g.severity_rank DESC, g.kind) AS reasons
               FROM baton_signal_entries(p_customer, p_customer IS NULL, v_live, v_gens) g
               WHERE g.acked_at IS NULL
               GROUP BY g.customer_id) s ON s.customer_id = m.customer_id
    WHERE m.status = 'scheduled' AND (m.held_by IS NOT NULL OR s.customer_id IS NOT NULL)
      AND (p_customer IS NULL OR m.customer_id = p_customer)
    ORDER BY m.scheduled_at, m.id;
END $$;

REVOKE ALL ON FUNCTION baton_signal_refresh_kinds(bigint[], text[], bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION baton_signal_refresh_set(bigint[]), baton_signal_pending(),
    baton_signal_kind_gens(), baton_signal_catch_up(integer, integer),
    baton_signal_refresh_all(integer), baton_signal_refreshed(bigint), baton_signal_list(text, text, text, name, bigint, boolean),
    baton_signal_page(text, text, text, name, integer), baton_signal_counts(text, text, name),
    baton_suppression_page(integer), baton_suppression_count() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION baton_signal_refresh_set(bigint[]), baton_signal_pending(),
    baton_signal_kind_gens(), baton_signal_catch_up(integer, integer),
    baton_signal_refresh_all(integer), baton_signal_refreshed(bigint), baton_signal_list(text, text, text, name, bigint, boolean),
    baton_signal_page(text, text, text, name, integer), baton_signal_counts(text, text, name),
    baton_suppression_page(integer), baton_suppression_count() TO baton_staff;
-- Whoever changes the rules catches up after them (`baton settings set`),
-- whether or not on the staff.
GRANT EXECUTE ON FUNCTION baton_signal_pending(), baton_signal_catch_up(integer, integer) TO baton_admin;
