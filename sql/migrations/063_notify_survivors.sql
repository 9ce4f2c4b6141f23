-- Baton schema, version 63: a write about an absorbed customer also tells
-- its survivor, whose screen shows it.
--
-- A merge (010) moves tickets, contacts, milestones and campaigns to the
-- survivor, but handoffs, success notes, handoff events, milestone events
-- and health events stay on the absorbed customer's row (merged_into
-- points at the survivor, flattened: always the final one), and the
-- survivor's screen reads them through its group (CV_GROUP, src/customer.c).
-- The console re-reads a customer's screen when a notification names that
-- customer (ui/session.c), and writes named only the row's own customer:
--   - a handoff of an absorbed customer acknowledged, commented on or
--     reassigned (from the queue, the command line, psql), or a note added
--     or corrected there, left the survivor's open screen as it was;
--   - a merge by hand (UPDATE customer SET merged_into = A WHERE id = B)
--     said "customer:B" only (the customer table's update trigger read its
--     NEW TABLE, ids only), so A's screen did not show what it had gained;
--     an un-merge (merged_into = NULL) did not tell A that it lost B.
-- Now:
--   - every "customer:ID" that baton_notify_customers says for an absorbed
--     customer also says "customer:SURVIVOR", looked up by primary key:
--     one index probe per customer of the statement, and nothing more;
--   - the customer table says, for the rows a statement wrote, the id and
--     merged_into before and after (its update trigger now has the OLD
--     TABLE too); no lookup: merges are flattened;
--   - handoffs (insert, update, delete) and handoff comments say
--     "customer:SURVIVOR" for their customers that are absorbed, from a
--     trigger of their own: baton_notify_handoff and its payloads, which
--     older consoles parse (src/notify.c), are unchanged.  As there, an
--     event other than a comment goes with an update of its handoff, which
--     says it, so only comments are looked up (the handoff, then its
--     customer, by primary key).
-- Still once per statement and customer, and PostgreSQL folds a
-- transaction's identical payloads.  A customer deleted (by hand: an
-- admin's cleanup) told nobody, not even its own open screen; the customer
-- table now says a deleted row's id and its survivor's.
--
-- The lookup is a LATERAL subquery with LIMIT 1, which the planner keeps
-- as it is: an index probe per customer whatever the size of the statement
-- the plan was first made for (PL/pgSQL keeps it for the session).  The
-- ids as an array parameter instead had every single-row write planned
-- again: 130-340 us in the trigger instead of 15-25.  An update's
-- customers are one DISTINCT over both transition tables, not a UNION: a
-- UNION is estimated at every row of both (200,000 for 100,000 tickets),
-- so many probes that the plan cost passed jit_above_cost, and a psql
-- session (JIT on; Baton's own are off) spent 200 ms compiling it.
CREATE OR REPLACE FUNCTION baton_notify_customers() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    v_said bigint;
BEGIN
    IF TG_TABLE_NAME = 'customer' AND TG_OP = 'UPDATE' THEN
        PERFORM count(pg_notify('baton', 'customer:' || c))
        FROM (SELECT id AS c FROM new_rows
              UNION SELECT merged_into FROM new_rows WHERE merged_into IS NOT NULL
              UNION SELECT merged_into FROM old_rows WHERE merged_into IS NOT NULL) x;
    ELSIF TG_TABLE_NAME = 'customer' AND TG_OP = 'DELETE' THEN
        PERFORM count(pg_notify('baton', 'customer:' || c))
        FROM (SELECT id AS c FROM old_rows
              UNION SELECT merged_into FROM old_rows WHERE merged_into IS NOT NULL) x;
    ELSIF TG_TABLE_NAME = 'customer' THEN
        PERFORM count(pg_notify('baton', 'customer:' || c))
        FROM (SELECT id AS c FROM new_rows
              UNION SELECT merged_into FROM new_rows WHERE merged_into IS NOT NULL) x;
    ELSIF TG_OP = 'INSERT' THEN
        WITH n AS (SELECT DISTINCT customer_id AS c FROM new_rows WHERE customer_id IS NOT NULL)
        SELECT count(pg_notify('baton', 'customer:' || c)) INTO v_said FROM
            (SELECT c FROM n UNION SELECT k.c FROM n, LATERAL (SELECT merged_into AS c FROM customer
                 WHERE id = n.c AND merged_into IS NOT NULL LIMIT 1) k) x;
    ELSIF TG_OP = 'UPDATE' THEN
        WITH n AS (SELECT DISTINCT c FROM (SELECT customer_id AS c FROM new_rows
                                           UNION ALL SELECT customer_id FROM old_rows) b
                   WHERE c IS NOT NULL)
        SELECT count(pg_notify('baton', 'customer:' || c)) INTO v_said FROM
            (SELECT c FROM n UNION SELECT k.c FROM n, LATERAL (SELECT merged_into AS c FROM customer
                 WHERE id = n.c AND merged_into IS NOT NULL LIMIT 1) k) x;
    ELSE
        WITH n AS (SELECT DISTINCT customer_id AS c FROM old_rows WHERE customer_id IS NOT NULL)
        SELECT count(pg_notify('baton', 'customer:' || c)) INTO v_said FROM
            (SELECT c FROM n UNION SELECT k.c FROM n, LATERAL (SELECT merged_into AS c FROM customer
                 WHERE id = n.c AND merged_into IS NOT NULL LIMIT 1) k) x;
    END IF;
    RETURN NULL;
END $$;

DROP TRIGGER customer_notify_upd ON customer;
CREATE TRIGGER customer_notify_upd AFTER UPDATE ON customer
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION baton_notify_customers();
CREATE TRIGGER customer_notify_del AFTER DELETE ON customer
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION baton_notify_customers();

-- SECURITY DEFINER as baton_notify_handoff: the customer row is read
-- whoever writes, whatever segments they see.
CREATE FUNCTION baton_notify_handoff_survivors() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF TG_TABLE_NAME = 'handoff_event' THEN
        PERFORM count(pg_notify('baton', 'customer:' || c))
        FROM (SELECT DISTINCT k.c
              FROM (SELECT DISTINCT handoff_id FROM new_rows WHERE kind = 'commented') e,
                   LATERAL (SELECT b.merged_into AS c FROM handoff h JOIN customer b ON b.id = h.customer_id
                            WHERE h.id = e.handoff_id AND b.merged_into IS NOT NULL LIMIT 1) k) x;
    ELSIF TG_OP = 'INSERT' THEN
        PERFORM count(pg_notify('baton', 'customer:' || c))
        FROM (SELECT DISTINCT k.c FROM (SELECT DISTINCT customer_id FROM new_rows) n,
                   LATERAL (SELECT merged_into AS c FROM customer
                            WHERE id = n.customer_id AND merged_into IS NOT NULL LIMIT 1) k) x;
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM count(pg_notify('baton', 'customer:' || c))
        FROM (SELECT DISTINCT k.c
              FROM (SELECT DISTINCT customer_id
                    FROM (SELECT customer_id FROM new_rows UNION ALL SELECT customer_id FROM old_rows) b) n,
                   LATERAL (SELECT merged_into AS c FROM customer
                            WHERE id = n.customer_id AND merged_into IS NOT NULL LIMIT 1) k) x;
    ELSE
        PERFORM count(pg_notify('baton', 'customer:' || c))
        FROM (SELECT DISTINCT k.c FROM (SELECT DISTINCT customer_id FROM old_rows) n,
                   LATERAL (SELECT merged_into AS c FROM customer
                            WHERE id = n.customer_id AND merged_into IS NOT NULL LIMIT 1) k) x;
    END IF;
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION baton_notify_handoff_survivors() FROM PUBLIC;

CREATE TRIGGER handoff_notify_survivor_ins AFTER INSERT ON handoff
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION baton_notify_handoff_survivors();
CREATE TRIGGER handoff_notify_survivor_upd AFTER UPDATE ON handoff
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION baton_notify_handoff_survivors();
CREATE TRIGGER handoff_notify_survivor_del AFTER DELETE ON handoff
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION baton_notify_handoff_survivors();
CREATE TRIGGER handoff_event_notify_survivor AFTER INSERT ON handoff_event
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION baton_notify_handoff_survivors();
