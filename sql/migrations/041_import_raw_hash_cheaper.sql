-- Baton schema, version 41: the record's raw hash, computed for a fraction
-- of what 040's expression cost on every write of import_record.
--
-- 040's generated column tested the digest with the pattern
-- '^[0-9a-f]{48}$'.  PostgreSQL's regular expressions make a counted
-- repetition into as many states: 2.6 microseconds a digest, where the
-- hex cast after it takes 0.3.  Every record an import writes pays it
-- (1,400,000 in a first import at bench scale), and so did every renewed
-- digest.  Measured on a million digests inserted into a table with only
-- this column computed: 3.9 s with 040's test, 1.6 s with this one, 0.4 s
-- without the column.
--
-- The test is the same: 48 characters, each a lower-case hex digit (no
-- character outside the class).  PostgreSQL 15 cannot change a generated
-- column's expression in place, so the column is dropped with its index
-- and added again: a rewrite of import_record (about 12 s at 1,400,000
-- records, as 040's was).
--
-- A column added anew has no statistics until the table is analyzed, and
-- autovacuum does not count a rewrite as a change: 040 left the first
-- re-imports after it without any.  The skip's join was then planned as
-- a nested loop of a million index probes, each expected to find 5,000
-- records: an unchanged re-import of 1,000,000 tickets took 8.9 s instead
-- of 4.8.  The table is analyzed here, in the migration's transaction.
-- (Its visibility map, emptied by the rewrite, fills at the next vacuum;
-- until then the index-only scans also read the table: 0.3 s more.)
ALTER TABLE import_record DROP COLUMN raw_hash;
ALTER TABLE import_record ADD COLUMN raw_hash bigint GENERATED ALWAYS AS (
    CASE WHEN length(digest) = 48 AND digest !~ '[^0-9a-f]' THEN ('x' || substr(digest, 33))::bit(64)::bigint END) STORED;
CREATE INDEX import_record_raw_hash_idx ON import_record (source, raw_hash) INCLUDE (source_id);
ANALYZE import_record;
