-- Baton schema, version 115: a file's rows are written with work_mem
-- (#12, an incremental file's time).
--
-- baton_import_rows_of writes the rows of a file linked to their
-- customers: the entity's INSERT and UPDATE (baton_import_tickets and the
-- others), the records' UPDATE and INSERT, a contacts file's identity
-- resolution, and the triggers those statements fire.  With 4 MB of
-- work_mem, a newer export of 100,000 of the bench's 1,000,000 tickets
-- (each record updated: a daily export) hashed the tickets and records
-- it updates in eight batches through temporary files, and the audit
-- trigger sorted the old and new rows of the tickets, 42 MB each, on
-- disk.  With 64 MB, as the stage and linking have: that file took
-- 10.8-11.7 s instead of 12.5-13.1 s (two rounds each; the tickets'
-- UPDATE 4.4-4.5 s instead of 5.3-5.5, the records' 1.5-1.8 s instead of
-- 2.0-2.2).  The statements are the same.

ALTER FUNCTION baton_import_rows_of(uuid, text, text, jsonb, text[]) SET work_mem = '64MB';
