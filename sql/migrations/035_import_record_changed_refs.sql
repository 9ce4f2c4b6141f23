-- Baton schema, version 35: an import that updates many records no longer
-- compares every updated record with every other.
--
-- 030's statement trigger on import_record finds the references an UPDATE
-- changed by joining the statement's old rows to its new rows.  PL/pgSQL
-- plans that join once a session, at the trigger's first firing: in an
-- import, the digest renewal's UPDATE, which mostly changes no row.  Planned
-- for one row on each side, it is a nested loop, which reads all the old
-- rows once for every new row, and the import's UPDATE of its records
-- reuses it.  A newer export of 100,000 tickets (every record updated)
-- spent 46 minutes in that join, 10 billion rows compared, at 100,000
-- customers; the rest of its import took 25 s.  (037 mends the same trap
-- in other triggers.)
--
-- What a foreign key does on an UPDATE is check and lock the referenced
-- rows the statement brings in.  Those are now the statement's new
-- customers and runs less its old ones: a set difference, hashed or sorted,
-- whatever the plan was made for.  A reference the statement moves onto a customer
-- that another of its old rows already named is not locked again; that
-- customer cannot go meanwhile, because a delete is refused while an import
-- record names it, and the old row does until this transaction commits,
-- the new one after (030's delete trigger).  An UPDATE that keeps its
-- references (a renewed digest) still locks nothing.  Inserts are as before.
CREATE OR REPLACE FUNCTION baton_import_record_refs() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_cust bigint[];
    v_runs uuid[];
    v_bad text;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        SELECT array_agg(x.customer_id) INTO v_cust
        FROM (SELECT n.customer_id FROM new_rows n EXCEPT SELECT o.customer_id FROM old_rows o) x;
        SELECT array_agg(x.run_id) INTO v_runs
        FROM (SELECT n.run_id FROM new_rows n EXCEPT SELECT o.run_id FROM old_rows o) x;
    ELSE
        SELECT array_agg(DISTINCT n.customer_id), array_agg(DISTINCT n.run_id) INTO v_cust, v_runs
        FROM new_rows n;
    END IF;
    -- Locked as a foreign key locks them, once each.
    PERFORM 1 FROM customer c WHERE c.id = ANY (v_cust) FOR KEY SHARE OF c;
    PERFORM 1 FROM import_run r WHERE r.id = ANY (v_runs) FOR KEY SHARE OF r;
    SELECT x::text INTO v_bad FROM unnest(v_cust) x
    WHERE NOT EXISTS (SELECT 1 FROM customer c WHERE c.id = x) LIMIT 1;
    IF v_bad IS NOT NULL THEN
        RAISE EXCEPTION 'insert or update on table "import_record" violates its reference to customer'
            USING ERRCODE = 'foreign_key_violation',
                  DETAIL = format('Key (customer_id)=(%s) is not present in table "customer".', v_bad);
    END IF;
    SELECT x::text INTO v_bad FROM unnest(v_runs) x
    WHERE NOT EXISTS (SELECT 1 FROM import_run r WHERE r.id = x) LIMIT 1;
    IF v_bad IS NOT NULL THEN
        RAISE EXCEPTION 'insert or update on table "import_record" violates its reference to import_run'
            USING ERRCODE = 'foreign_key_violation',
                  DETAIL = format('Key (run_id)=(%s) is not present in table "import_run".', v_bad);
    END IF;
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION baton_import_record_refs() FROM PUBLIC;
