-- Baton schema, version 26: keep the handoffs' pages all-visible and their
-- statistics current.
--
-- The queue reads the open handoffs from indexes alone (014, 016:
-- handoff_open_within_idx, handoff_open_severity_idx, the covering indexes
-- of the waiting list), and the queue list the latest event of each
-- (handoff_event_latest_idx).  An index-only scan still fetches the row
-- from the table when its page is not marked all-visible, and the pages
-- that are not are exactly those of the handoffs written since the table's
-- last vacuum: the recent ones, which are the open ones the queue shows.
-- With the default thresholds autovacuum waits for 20% of the table to be
-- new or changed (200,000 handoffs at 1M), so a busy queue fetched nearly
-- every row it read: at full scale the list's branch of handoffs within
-- their deadline made 37,656 heap fetches and took 50 ms; after a VACUUM
-- (0.2 s: it reads only the pages not all-visible) 55 fetches and 11 ms.
--
-- So autovacuum visits these two tables after a fixed number of new or
-- changed rows, whatever their size.  Each visit reads only the pages
-- changed since the last (the visibility map), and skips the indexes when
-- few rows died (PostgreSQL 14 and later), so it stays cheap.
--
-- And it analyzes handoff after a fixed number too: the queue's plans
-- depend on how many open handoffs are still within their deadline, a
-- range of deadlines that moves with the clock, past what the statistics
-- saw (default: after 10% of the table).  At full scale, with statistics
-- from a few hours before, the planner expected 939 of the 43,384 and
-- probed a customer for each (segment=smb: 111 ms); after an ANALYZE it
-- reads the open handoffs in creation order and stops at the 100 it shows
-- (10-12 ms).
ALTER TABLE handoff SET (autovacuum_vacuum_insert_threshold = 1000, autovacuum_vacuum_insert_scale_factor = 0,
                         autovacuum_vacuum_threshold = 1000, autovacuum_vacuum_scale_factor = 0,
                         autovacuum_analyze_threshold = 5000, autovacuum_analyze_scale_factor = 0);
ALTER TABLE handoff_event SET (autovacuum_vacuum_insert_threshold = 2000, autovacuum_vacuum_insert_scale_factor = 0);
