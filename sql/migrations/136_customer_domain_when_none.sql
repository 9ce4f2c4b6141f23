-- Baton schema, version 136: a customer made without a domain takes one
-- when a newer export of its record brings it (#12, a review finding).
--
-- A Zendesk organisation exported first with "domain_names": [] made a
-- customer without a domain; its next export with ["initech.example"]
-- updated the record, whose domain then found the customer (the finder,
-- contacts, identity resolution), but the customer itself kept none: the
-- finder's list, baton show's header and the JSON said nothing.  Now,
-- when a customer record's domains change and its customer (not absorbed)
-- has no domain, the customer takes the first of them, in the record's
-- order, that no other customer has as its own and no other customer's
-- record lists, and that is not a shared domain: what a new customer gets
-- when it is made (128), without a domain that says who someone else is.
-- A customer that has a domain keeps it (132: the screen names the
-- records' others).  The customer's UPDATE is audited as every other.
-- A row trigger, on the records whose domains an UPDATE sets and changes
-- (the WHEN and the column list are tested by the server before any call:
-- a newer tenth of the tickets, 100,000 records updated, never calls it,
-- where a statement trigger reading them cost 0.15-0.38 s of 10.1-10.5).
CREATE FUNCTION baton_customer_domain_fill() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    UPDATE customer u SET domain = f.d, updated_at = now()
    FROM (SELECT x.d FROM unnest(NEW.domains) WITH ORDINALITY x (d, i)
          WHERE x.d <> ''
            AND NOT EXISTS (SELECT 1 FROM baton_shared_domain s WHERE s.domain = x.d)
            AND NOT EXISTS (SELECT 1 FROM customer o WHERE lower(o.domain) = lower(x.d))
            AND NOT EXISTS (SELECT 1 FROM import_record r
                            WHERE r.entity = 'customers' AND r.domains @> ARRAY[x.d]
                              AND r.customer_id <> NEW.customer_id)
          ORDER BY x.i LIMIT 1) f
    WHERE u.id = NEW.customer_id AND u.domain IS NULL AND u.merged_into IS NULL;
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION baton_customer_domain_fill() FROM PUBLIC;
CREATE TRIGGER import_record_customer_domain AFTER UPDATE OF domains ON import_record
    FOR EACH ROW WHEN (NEW.entity = 'customers' AND cardinality(NEW.domains) > 0
                       AND NEW.domains IS DISTINCT FROM OLD.domains)
    EXECUTE FUNCTION baton_customer_domain_fill();
