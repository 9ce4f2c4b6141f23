-- Baton schema, version 50: the lines of a file a source already has are
-- matched with its records by a merge join when the records' index can be
-- read alone, not by a hash join.
--
-- 045's baton_import_lines_known() joins the hashes the client sent (a line
-- number and a hash a record) with the source's records in the index
-- (source, raw_hash) INCLUDE (source_id), which an index-only scan reads in
-- the order of the hashes.  It ran with merge joins off, as the stage's
-- functions do, so the planner built a hash table of every record of the
-- source and probed it once a line: at 1,000,000 tickets, 1.18-1.28 s, most
-- of it in probes that miss the CPU's caches (a 55 MB table, probed in the
-- file's order).  Sorting the lines by hash and walking them beside the
-- index takes 0.86-0.92 s (work_mem stays 64 MB; the sort spills 25 MB).
-- An unchanged re-import of the three files of `make bench` (100,000
-- organisations, 300,000 contacts, 1,000,000 tickets; vacuumed), in four
-- alternating rounds on one database: 4.5-5.7 s hashed, 4.0-4.5 s as
-- chosen here (tickets 3.0-3.7 s -> 2.5-3.2 s), with psql's \copy of the
-- same files taking 2.0-2.3 s at the time.
-- A tenth of the file (100,000 lines) merges in 0.34 s, against 0.69 s
-- hashed.
--
-- But a walk in the index's order reads the table too for every page not
-- yet marked all-visible, in no order: right after a first import of the
-- tickets (before autovacuum has been through import_record) the merge took
-- 4.5 s where the hash join takes 1.3.  And a small file of a big source is
-- best matched line by line in the index (a nested loop), which a merge
-- would not do.  So the merge is chosen (hash joins and nested loops off)
-- only for a file that is much of what its source has, when:
-- - the statistics know the source, with 50,000 records or more (a source
--   they do not know yet would be planned as one record, and a nested loop
--   over it, with hash joins off, compared every record with every line:
--   20,000 lines of a new source took 22 s instead of 25 ms);
-- - the file has a tenth of that or more;
-- - the pages vacuum last marked all-visible are nine tenths of the table's
--   pages now (pg_class.relallvisible, against the table's size, which
--   counts the pages added since).
-- Otherwise the planner chooses as before (hash joins on, merge joins off).

-- Tried and left: the client sending its hashes already sorted.  The
-- server's sort then costs next to nothing (0.70 s for the match), but the
-- client's own sort of a million, and sending them only after the whole
-- file is read, cost it as much as that saved.

-- 045's function does the match under a name of its own, with whatever
-- join settings it is called with; baton_import_lines_known() chooses them.
ALTER FUNCTION baton_import_lines_known() RENAME TO baton_import_lines_matched;
ALTER FUNCTION baton_import_lines_matched() RESET enable_mergejoin;
REVOKE ALL ON FUNCTION baton_import_lines_matched() FROM PUBLIC, baton_importer, baton_staff, baton_admin;

-- Whether p_lines lines of a file of p_source are matched by a merge join.
CREATE FUNCTION baton_import_lines_merge(p_source text, p_lines bigint) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT coalesce(n.records >= 50000 AND p_lines >= n.records / 10
                    AND c.relallvisible >= 0.9 * pg_relation_size(c.oid) / current_setting('block_size')::integer,
                    false)
    FROM pg_class c
    LEFT JOIN LATERAL (
        SELECT s.most_common_freqs[array_position(s.most_common_vals::text::text[], p_source)] * c.reltuples
        FROM pg_stats s
        WHERE s.schemaname = 'public' AND s.tablename = 'import_record' AND s.attname = 'source') n (records) ON true
    WHERE c.oid = 'import_record'::regclass
$$;
REVOKE ALL ON FUNCTION baton_import_lines_merge(text, bigint) FROM PUBLIC;

CREATE FUNCTION baton_import_lines_known() RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
SET enable_mergejoin = off SET enable_hashjoin = on SET enable_nestloop = on AS $$
BEGIN
    -- (The three settings are this function's: SET LOCAL ends with it.)
    IF to_regclass('pg_temp.baton_import_hashes') IS NOT NULL AND to_regclass('pg_temp.baton_import_ctx') IS NOT NULL
       AND baton_import_lines_merge((SELECT c.source FROM pg_temp.baton_import_ctx c),
                                    (SELECT count(*) FROM pg_temp.baton_import_hashes)) THEN
        SET LOCAL enable_mergejoin = on;
        SET LOCAL enable_hashjoin = off;
        SET LOCAL enable_nestloop = off;
    END IF;
    RETURN baton_import_lines_matched();
END $$;
REVOKE ALL ON FUNCTION baton_import_lines_known() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION baton_import_lines_known() TO baton_importer, baton_staff, baton_admin;
