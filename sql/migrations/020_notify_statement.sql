-- Baton schema, version 20: "customer:ID" is said once per statement and
-- customer, not once per row.
--
-- 002's baton_notify_customer ran for every row written to the customer
-- tables (a PL/pgSQL call and two to_jsonb of the whole row each), and
-- PostgreSQL then dropped the repeats: an import of 30,000 tickets spent
-- 0.37-0.89 s in it (EXPLAIN ANALYZE, 12-30 us a row), 10-20% of the
-- INSERT.  Per statement, with the rows it wrote as a transition table,
-- each customer is said once, with the same payload, at the same moment
-- (after the statement) and on the same tables and events as before.

CREATE FUNCTION baton_notify_customers() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    -- The customer table names its own id; every other table its customer_id.
    EXECUTE format('SELECT count(pg_notify(''baton'', ''customer:'' || c))'
                   ' FROM (SELECT DISTINCT %I AS c FROM new_rows WHERE %1$I IS NOT NULL) x',
                   CASE WHEN TG_TABLE_NAME = 'customer' THEN 'id' ELSE 'customer_id' END);
    RETURN NULL;
END $$;

DO $$
DECLARE
    t record;
BEGIN
    FOR t IN SELECT c.relname AS tab, g.tgname AS name, (g.tgtype & 16) <> 0 AS on_update
             FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid
             WHERE g.tgfoid = 'baton_notify_customer()'::regprocedure AND NOT g.tgisinternal
             ORDER BY c.relname LOOP
        EXECUTE format('DROP TRIGGER %I ON %I', t.name, t.tab);
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows'
                       ' FOR EACH STATEMENT EXECUTE FUNCTION baton_notify_customers()',
                       t.tab || '_notify_ins', t.tab);
        IF t.on_update THEN
            EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING NEW TABLE AS new_rows'
                           ' FOR EACH STATEMENT EXECUTE FUNCTION baton_notify_customers()',
                           t.tab || '_notify_upd', t.tab);
        END IF;
    END LOOP;
END $$;

DROP FUNCTION baton_notify_customer();
