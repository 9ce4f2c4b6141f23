-- Baton schema, version 33: the queue filtered on a priority reads that
-- priority's open handoffs within their deadline, not every one.
--
-- The queue's branch of open handoffs within their deadline walks
-- handoff_open_created_cover_idx in creation order from the longest span
-- any was given (027) and stops at the rows it shows.  Filtered on a
-- priority it filtered as it walked: when that priority had few or none
-- left within their deadline (urgent ones breach first), it read all of
-- them, 43,000 at full scale: priority=urgent 24.2 ms median, support +
-- high 25.9 ms, over the 20 ms budget.  The list is planned for each
-- fetch with its values (src/queue.c; the console and `baton queue` do not
-- prepare it), so "($5 = '' OR h.priority = $5)" is folded to the priority
-- alone, and with the priority first this index gives that priority's
-- range in creation order (make bench, list medians): priority=urgent
-- 24.2 -> 4.7 ms, support + high 25.9 -> 5.3 ms.
CREATE INDEX handoff_open_priority_created_idx ON handoff (priority, created_at)
    INCLUDE (id, ack_due_at, to_team, to_staff, reason, customer_id) WHERE state = 'open';
