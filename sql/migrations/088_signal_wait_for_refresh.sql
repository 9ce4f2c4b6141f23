-- Baton schema, version 88: a reader that finds a customer's signals being
-- computed by another session waits for that computation, briefly, instead
-- of computing the same signals again for itself.
--
-- A write marks its customer's signals stale (signal_dirty), and every
-- console showing that customer is told at once and re-reads its screen.
-- The first reader computes the customer into the cache, holding its
-- customer_signal_state row; 024's baton_signal_refresh_set had every
-- other reader skip that row (SKIP LOCKED) and compute the signals once
-- more, for its own read alone (baton_signal_live).  With ten consoles on
-- a customer, one write cost ten computations.  Measured with the bench's
-- load phase (100,000 customers, 5 writes/s for 30 s): at 500 consoles the
-- consoles' backends spent 360 ms of server CPU per write, 94% of the two
-- CPUs, and the p99 from a write to every affected console having
-- re-read was 8.7 s; at 100 consoles, baton_signal_live took 2.8 s of the
-- 11.6 s of server CPU (70 calls, 40 ms each: the computation and, in a
-- console's backend that had never computed one, its planning).
--
-- Now a reader of one customer whose row another session holds waits for
-- it (FOR SHARE) for at most 2 s, then looks again with a fresh snapshot:
-- when the customer is computed and current, it reads the cache; when not
-- (the holder rolled back, the rules changed meanwhile, the wait ran out:
-- a slow batch of the catching up holds it), it computes for its own read,
-- as before.  It keeps no lock: the share lock is taken in a block that is
-- undone at once, so a batch of the catching up that comes as the holder
-- commits does not find the customer held by its readers and leave it for
-- later (a first version kept it, and a waiter that found the customer
-- still stale computed it into the cache: the batch skipped it, and no
-- console was told that the catching up had ended; seen in the
-- signals_screen test).  Reads of many customers (lists, the catching up)
-- still skip what is held, as a wait there could be long and the order of
-- the rows would have to be one.
--
-- Why 2 s: waiting costs the server nothing and computing costs it the
-- most.  With 500 ms, a run at 500 consoles went well (51% CPU, p99 0.64
-- s) and the next collapsed: on the busy CPUs computations took longer
-- than the wait, every waiter then computed for itself, which made the
-- computations slower still (94% CPU, 615 computations of their own, p99
-- 11.8 s).  A holder that keeps its transaction open (a psql session
-- between statements) costs a reader of that customer 2 s a read.
CREATE FUNCTION baton_signal_wait_computed(p_customer bigint) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET lock_timeout = '2s' AS $$
BEGIN
    BEGIN
        PERFORM 1 FROM customer_signal_state st WHERE st.customer_id = p_customer FOR SHARE;
        -- Waited: the block is undone, and its lock with it.
        RAISE SQLSTATE 'BTW01';
    EXCEPTION
        WHEN SQLSTATE 'BTW01' THEN
            NULL;
        -- (A transaction that computed another customer first and waits
        -- here for one whose holder waits for that one: the deadlock is
        -- broken on this side, which computes for itself.)
        WHEN lock_not_available OR deadlock_detected THEN
            RETURN false;
    END;
    -- A statement of its own: a snapshot taken after the holder committed.
    RETURN NOT EXISTS (SELECT 1 FROM signal_dirty d WHERE d.customer_id = p_customer)
       AND EXISTS (SELECT 1 FROM customer_signal_state st
                   WHERE st.customer_id = p_customer
                     AND (st.valid_until IS NULL OR st.valid_until >= now())
                     AND st.rules_gen >= baton_signal_gen());
END $$;
REVOKE ALL ON FUNCTION baton_signal_wait_computed(bigint) FROM PUBLIC;

-- 024's, with the wait above when one customer is asked for and held.
CREATE OR REPLACE FUNCTION baton_signal_refresh_set(p_stale bigint[]) RETURNS bigint[]
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
    -- One customer, held: most likely another reader computing it.
    -- Computed meanwhile: the cache has it.
    IF v_mine IS NULL AND cardinality(p_stale) = 1
       AND EXISTS (SELECT 1 FROM customer c WHERE c.id = p_stale[1])
       AND baton_signal_wait_computed(p_stale[1]) THEN
        RETURN '{}';
    END IF;
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
