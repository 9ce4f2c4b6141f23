-- Baton schema, version 107: the statement triggers that check a bulk
-- write's references gather them with the import's work_mem (#12).
--
-- 104's baton_ticket_refs and baton_contact_refs, and 030's (035's)
-- baton_import_record_refs, collect the customers, contacts and runs a
-- statement names, once each, from its transition table.  With the
-- session's work_mem (4 MB by default) the distinct values of 1,000,000
-- rows spilled to disk: auto_explain's trigger times for the bench's
-- 1,000,000 tickets, 1.18 s for ticket_refs_ins and 0.52 s for
-- import_record_refs_ins; with 64 MB (the import functions' own, 094),
-- 0.74 s and 0.27 s.  A small write (a console's) uses what it needs, as
-- before.  (A function restated later keeps this only if it says it
-- again: CREATE OR REPLACE sets its settings anew.)

ALTER FUNCTION baton_ticket_refs() SET work_mem = '64MB';
ALTER FUNCTION baton_contact_refs() SET work_mem = '64MB';
ALTER FUNCTION baton_import_record_refs() SET work_mem = '64MB';
