-- Baton schema, version 127: a source's records the statistics do not
-- know have import_record analyzed before the next file is planned (#12,
-- files of a paged export).
--
-- 039 analyzes import_record when its size has changed by more than a
-- tenth.  A source's first pages are less than that beside the records of
-- the other sources, so their records stayed unknown to the statistics:
-- importing 10,000-ticket pages after 100,000 organisations and 300,000
-- contacts, the second page took 8.3 s, the third 31 s, the fourth 47 s,
-- the fifth 65 s (the sixth, after the tenth had been passed and the
-- table analyzed, 1.1 s).  The statistics put the source at one record,
-- so the UPDATE of the records a file changes walked the source's
-- records (10,000, 20,000, ...) and read every line of the file for each:
-- no line was an update, so it found none, after 10,000 x 40,000
-- comparisons.  100 such pages took 242 s.
--
-- Now, besides 039's test, each source the planner puts at fewer than
-- 20,000 records is counted up to twice that and 1,000 more, in the
-- primary key; one that has more has the table analyzed, once.  The
-- sources are found in the primary key too, one step each (a handful of
-- sources: a few milliseconds a file).  Once analyzed, a source is known
-- to the statistics and the next pages plan with it: the analyses follow
-- a source's doubling, not its files.
CREATE OR REPLACE FUNCTION baton_import_analyze() RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    t regclass;
    v_src text;
    v_plan json;
    v_est bigint;
    v_done boolean := false;
BEGIN
    FOREACH t IN ARRAY ARRAY['customer', 'contact', 'import_record', 'customer_external_id']::regclass[] LOOP
        IF (SELECT c.reltuples < 0 OR abs(pg_relation_size(c.oid) / current_setting('block_size')::bigint
                                          - c.relpages) > c.relpages / 10
            FROM pg_class c WHERE c.oid = t) THEN
            EXECUTE format('ANALYZE %s', t);
            v_done := v_done OR t = 'import_record'::regclass;
        END IF;
    END LOOP;
    IF v_done THEN
        RETURN;
    END IF;
    FOR v_src IN
        WITH RECURSIVE s(src) AS (
            SELECT min(source) FROM import_record
            UNION ALL
            SELECT (SELECT min(i.source) FROM import_record i WHERE i.source > s.src)
            FROM s WHERE s.src IS NOT NULL)
        SELECT src FROM s WHERE src IS NOT NULL
    LOOP
        EXECUTE format('EXPLAIN (FORMAT JSON) SELECT 1 FROM import_record WHERE source = %L', v_src)
            INTO v_plan;
        v_est := (v_plan -> 0 -> 'Plan' ->> 'Plan Rows')::numeric;
        IF v_est < 20000 AND EXISTS (SELECT 1 FROM import_record i WHERE i.source = v_src
                                     OFFSET 2 * v_est + 1000) THEN
            ANALYZE import_record;
            RETURN;
        END IF;
    END LOOP;
END $$;
