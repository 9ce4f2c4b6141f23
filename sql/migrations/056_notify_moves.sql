-- Baton schema, version 56: a write tells every customer whose screen it
-- changes, the one a row left as well as the one it joined.
--
-- 020's baton_notify_customers said "customer:ID" for the rows a statement
-- wrote as they are now (its NEW TABLE), on insert and update.  So:
--   - a ticket, milestone or campaign moved to another customer (an import's
--     corrected record, 055; a merge) told the new customer only, and a
--     console showing the old one kept showing the row it no longer has;
--   - contacts told nobody: a contacts file imported, or a contact moved by a
--     merge, left a screen's contacts (read with its header) as they were;
--   - a survey answer updated by a newer export (the header's NPS, CSAT and
--     CES) told nobody;
--   - a deleted row told nobody.
-- Now an update says the customers of the rows before and after it (OLD and
-- NEW TABLE), a delete those before it, and contacts and survey answers are
-- said as the other tables are.  Still once per statement and customer, and a
-- transaction's repeats are folded by PostgreSQL, so an import says each
-- customer at most once per file.  The customer row's own triggers are as
-- they were: its id does not change.

CREATE OR REPLACE FUNCTION baton_notify_customers() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    IF TG_TABLE_NAME = 'customer' THEN
        PERFORM count(pg_notify('baton', 'customer:' || c)) FROM (SELECT DISTINCT id AS c FROM new_rows) x;
    ELSIF TG_OP = 'INSERT' THEN
        PERFORM count(pg_notify('baton', 'customer:' || c))
        FROM (SELECT DISTINCT customer_id AS c FROM new_rows WHERE customer_id IS NOT NULL) x;
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM count(pg_notify('baton', 'customer:' || c))
        FROM (SELECT customer_id AS c FROM new_rows WHERE customer_id IS NOT NULL
              UNION SELECT customer_id FROM old_rows WHERE customer_id IS NOT NULL) x;
    ELSE
        PERFORM count(pg_notify('baton', 'customer:' || c))
        FROM (SELECT DISTINCT customer_id AS c FROM old_rows WHERE customer_id IS NOT NULL) x;
    END IF;
    RETURN NULL;
END $$;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['ticket', 'milestone', 'marketing_event', 'contact', 'survey_response'] LOOP
        EXECUTE format('DROP TRIGGER IF EXISTS %I ON %I', t || '_notify_upd', t);
        EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I'
                       ' REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows'
                       ' FOR EACH STATEMENT EXECUTE FUNCTION baton_notify_customers()', t || '_notify_upd', t);
        EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I REFERENCING OLD TABLE AS old_rows'
                       ' FOR EACH STATEMENT EXECUTE FUNCTION baton_notify_customers()', t || '_notify_del', t);
    END LOOP;
    EXECUTE 'CREATE TRIGGER contact_notify_ins AFTER INSERT ON contact REFERENCING NEW TABLE AS new_rows'
            ' FOR EACH STATEMENT EXECUTE FUNCTION baton_notify_customers()';
END $$;
