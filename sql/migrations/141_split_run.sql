-- Baton schema, version 141: a run's merges undone at once (#12).
--
-- A file read with a wrong mapping (a column of account managers' domains
-- read as the companies', an export whose external_id names the wrong
-- system) merges many customers in one run; 139 caps a chain, not many
-- small wrong merges.  Undoing them took a `baton split` per merge, each
-- found in `baton merges`.  Now `baton import` names each file's run,
-- `baton merges --run RUN` lists its merges and `baton split --run RUN`
-- undoes every one of them not split yet, in one transaction: all of
-- them or, when one cannot be split, none, with why.  Each is split as
-- `baton split` splits it (baton_split_merge, 060 to 096), so later
-- imports keep every pair apart.  The records' own joins are split first,
-- then the customers' absorptions: a run's absorptions are each into the
-- component's survivor (134), so no order among them matters.  A record's
-- join that repeats its customer's absorption (before 140) is split with
-- the absorption (140's baton_split_one).

CREATE FUNCTION baton_split_run(p_run uuid)
RETURNS TABLE (merge_id uuid, customer_id bigint, apart bigint, repeats integer)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_merges uuid[];
    v_merge uuid;
    v_done integer := 0;
    v_said timestamptz := clock_timestamp();
BEGIN
    -- Refused in words before anything is looked at: whether a run exists
    -- is not everyone's to know.
    PERFORM baton_may_split();
    PERFORM baton_import_lock();
    IF NOT EXISTS (SELECT 1 FROM import_run r WHERE r.id = p_run) THEN
        RAISE EXCEPTION 'no import run %', p_run USING ERRCODE = 'no_data_found';
    END IF;
    SELECT coalesce(array_agg(m.id ORDER BY m.absorbed IS NOT NULL, m.id), '{}') INTO v_merges
    FROM customer_merge m
    WHERE m.run_id = p_run AND NOT EXISTS (SELECT 1 FROM customer_split s WHERE s.merge_id = m.id)
      AND baton_merge_repeated(m.id) IS NULL;
    FOREACH v_merge IN ARRAY v_merges LOOP
        -- A row a merge, with how many pre-140 repeats went with it.
        RETURN QUERY SELECT v_merge, x.customer_id, x.apart, x.repeats FROM baton_split_one(v_merge) x;
        v_done := v_done + 1;
        -- A merge takes tens of milliseconds beside 400,000 records:
        -- thousands take minutes, said every ten seconds (BI002, which
        -- the client shows as it shows BI001's wait).
        IF clock_timestamp() - v_said > interval '10 seconds' AND v_done < cardinality(v_merges) THEN
            RAISE NOTICE USING ERRCODE = 'BI002',
                MESSAGE = format('run %s: %s of %s merges split so far', p_run, v_done, cardinality(v_merges));
            v_said := clock_timestamp();
        END IF;
    END LOOP;
END $$;
REVOKE ALL ON FUNCTION baton_split_run(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION baton_split_run(uuid) TO baton_importer, baton_staff, baton_admin;

-- Owned as the one-merge split is (a superuser may migrate a schema
-- another role owns, 120): it runs baton_split_merge, which only its
-- owner may.
DO $$
DECLARE
    v_owner text := (SELECT pg_get_userbyid(p.proowner) FROM pg_proc p
                     WHERE p.oid = 'public.baton_split(uuid)'::regprocedure);
BEGIN
    EXECUTE format('ALTER FUNCTION baton_split_run(uuid) OWNER TO %I', v_owner);
END $$;
