-- Baton schema, version 46: two indexes fewer to keep on every write of a
-- ticket or a handoff, each contained in another: the same key and the
-- same predicate, and the other's INCLUDE a superset, so that every query
-- the first served the second serves as an index-only scan.  The planner
-- had stopped choosing them (idx_scan 0 in pg_stat_user_indexes after full
-- make bench runs), but every row written still wrote an entry in both.
--
-- 002's ticket_customer_open_prio_idx, (customer_id) INCLUDE (priority) on
-- open tickets, in 009's ticket_open_cover_idx (ticket_open_cover_idx:
-- 56,821 scans): 667,000 entries in a first import of 1,000,000 tickets.
DROP INDEX IF EXISTS ticket_customer_open_prio_idx;
-- 001's handoff_state_created_idx, (state, created_at), in 002's
-- handoff_state_created_cover_idx (38 MB at 1,000,000 handoffs).
DROP INDEX IF EXISTS handoff_state_created_idx;
