-- Baton schema, version 49: a key account's screen reads the rows it shows,
-- not every row its customer has.
--
-- The customer screen's statements run as prepared statements, on generic
-- plans, which expect the average customer's ten handoffs and ten sends.  For
-- those the planner reads every row of the customer (a bitmap heap scan) and
-- sorts them, and for a key account that means every one of its hundred
-- handoffs and hundred sends, each on a page of its own: at 100,000
-- customers, with customers nobody had opened since the server started,
-- 101 heap pages for the 50 handoffs shown and 103 for the 30 past sends
-- shown (about 10 us a page from the kernel's cache).  Measured on 200 key
-- accounts as a member of staff (row security on), the statement alone,
-- prepared, with the server restarted before each of three alternating
-- rounds: the marketing panel 0.78-0.86 ms -> 0.22-0.33 ms median, the
-- handoffs panel 1.47-1.64 ms -> 0.67-1.08 ms.  `make bench` (100,000
-- customers) measured a key account's whole screen on the console's path at
-- 2.59 ms median and 3.39 ms p95, against 3.42 and 4.55 ms earlier that day.
--
-- 1. The marketing panel from its indexes alone -------------------------------
-- The panel's two branches (the scheduled sends, soonest first; the others,
-- newest first) each have their index since 032.  Those now carry every
-- column the panel shows, so that both branches are index-only scans, walked
-- in order and stopped at their LIMIT: a key account's panel reads two or
-- three index pages instead of 116 heap pages.  A send is a narrow row (a campaign
-- name, three words, two times), so the wider index is about the size of the
-- table (107 MB at 1,000,000 sends, was 35 MB).
-- Built beside 032's, which the screens keep reading meanwhile, and put in
-- their place at the end (a dropped index locks its table until commit).
CREATE INDEX marketing_event_customer_ahead_cover ON marketing_event (customer_id, scheduled_at, id)
	INCLUDE (campaign, kind, channel, status, held_by) WHERE status = 'scheduled';
CREATE INDEX marketing_event_customer_past_cover
	ON marketing_event (customer_id, coalesce(sent_at, scheduled_at) DESC NULLS LAST, id DESC)
	INCLUDE (campaign, kind, channel, status, scheduled_at, sent_at, held_by) WHERE status <> 'scheduled';
-- An index-only scan reads the heap for every page not marked all-visible,
-- and the sends a panel shows first are the newest.  As 026 did for handoffs,
-- autovacuum visits the table after a fixed number of new or changed rows
-- instead of a fifth of it (200,000 at a million sends).
ALTER TABLE marketing_event SET (autovacuum_vacuum_insert_threshold = 1000, autovacuum_vacuum_insert_scale_factor = 0,
                                 autovacuum_vacuum_threshold = 1000, autovacuum_vacuum_scale_factor = 0);

-- 2. The handoffs panel in two ordered walks ---------------------------------
-- The panel shows the active handoffs, oldest first, then the most recently
-- created closed ones, 50 in all (001's handoff_customer_idx, on
-- (customer_id, created_at DESC), serves neither order whole).  The active
-- ones are few and have their own index; the closed ones are walked newest
-- first, member by member of the customer's group, and each walk stops at 50
-- (ties of one moment by id, as the panel orders them).  A key account reads
-- 48 heap pages instead of 90-100.
-- A handoff already moves between partial indexes when its state changes
-- (002's are by state), so a change of state is no costlier.
CREATE INDEX handoff_customer_active_idx ON handoff (customer_id, created_at, id)
	WHERE state IN ('open', 'acknowledged');
CREATE INDEX handoff_customer_closed_idx ON handoff (customer_id, created_at DESC, id)
	WHERE state NOT IN ('open', 'acknowledged');

-- 3. The marketing panel's indexes in place of 032's -------------------------
DROP INDEX marketing_event_customer_ahead_idx;
ALTER INDEX marketing_event_customer_ahead_cover RENAME TO marketing_event_customer_ahead_idx;
DROP INDEX marketing_event_customer_past_idx;
ALTER INDEX marketing_event_customer_past_cover RENAME TO marketing_event_customer_past_idx;
