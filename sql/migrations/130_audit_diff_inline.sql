-- Baton schema, version 130: an update's audit row says what changed
-- without a function call per row (#12, a newer export's time).
--
-- 004's baton_audit_diff is SQL that PostgreSQL cannot inline (it
-- aggregates), so each updated row ran it through the SQL function
-- executor.  A newer export of 100,000 tickets spent 1.1 s there, of 2.7 s
-- in its audit and 11.7 s in all.  The same expression now stands in the
-- statement as a sub-select over jsonb_each (which hands over each new
-- value as it walks the keys; jsonb_object_keys looked each one up again),
-- and the old and new rows are paired by a hash join instead of sorting
-- both (enable_mergejoin off, as 037 turned nested loops off).  The change
-- written is the same jsonb: the keys of the new row whose values differ,
-- each with [old, new] (the bench's newer tenth wrote byte for byte the
-- same 110,001 rows).  Measured on that file, three times each way,
-- alternating: 11.2-12.0 s before, 10.7-11.7 s after.  047's function
-- otherwise unchanged; the function nothing calls any more is dropped.
CREATE OR REPLACE FUNCTION baton_audit_statement() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET enable_nestloop = off
SET enable_mergejoin = off AS $$
DECLARE
    v_keys text[] := string_to_array(TG_ARGV[0], ',');
    v_one text := CASE WHEN cardinality(v_keys) = 1 THEN v_keys[1] END;
    v_cust text := CASE WHEN TG_TABLE_NAME = 'customer' THEN 'id' ELSE 'customer_id' END;
    w baton_import_writing%ROWTYPE;
BEGIN
    IF TG_OP = 'INSERT' AND v_one IS NOT NULL AND pg_trigger_depth() = 1 THEN
        SELECT * INTO w FROM baton_import_writing x
        WHERE x.pid = pg_backend_pid() AND x.xact = pg_current_xact_id() AND x.tab = TG_TABLE_NAME;
        IF FOUND THEN
            EXECUTE format('INSERT INTO baton_audit (action, entity, entity_id, customer_id, change)
                SELECT ''import'', %L, NULL, x.%I,
                       jsonb_build_object(''run'', %L::uuid, ''source'', %L,
                                          ''ids'', jsonb_agg(x.%I ORDER BY x.%I))
                FROM new_rows x GROUP BY x.%I', TG_TABLE_NAME, v_cust, w.run_id, w.source,
                v_one, v_one, v_cust);
            RETURN NULL;
        END IF;
    END IF;
    IF TG_OP = 'INSERT' THEN
        -- A handoff's events concern the handoff's customer.
        INSERT INTO baton_audit (action, entity, entity_id, customer_id, change)
        SELECT 'insert', TG_TABLE_NAME,
               CASE WHEN v_one IS NOT NULL THEN coalesce(n.j ->> v_one, '')
                    ELSE array_to_string(ARRAY(SELECT n.j ->> k FROM unnest(v_keys) k), ',') END,
               coalesce((n.j ->> v_cust)::bigint,
                        (SELECT h.customer_id FROM handoff h
                         WHERE h.id = (n.j ->> 'handoff_id')::uuid)),
               n.j
        FROM (SELECT to_jsonb(x) j FROM new_rows x OFFSET 0) n;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO baton_audit (action, entity, entity_id, customer_id, change)
        SELECT 'delete', TG_TABLE_NAME,
               CASE WHEN v_one IS NOT NULL THEN coalesce(o.j ->> v_one, '')
                    ELSE array_to_string(ARRAY(SELECT o.j ->> k FROM unnest(v_keys) k), ',') END,
               (o.j ->> v_cust)::bigint, o.j
        FROM (SELECT to_jsonb(x) j FROM old_rows x OFFSET 0) o;
    ELSE
        -- Old and new rows pair up by their key (keys are not updated).
        INSERT INTO baton_audit (action, entity, entity_id, customer_id, change)
        SELECT 'update', TG_TABLE_NAME, n.key, (n.j ->> v_cust)::bigint,
               (SELECT coalesce(jsonb_object_agg(e.key, jsonb_build_array(o.j -> e.key, e.value)),
                                '{}'::jsonb)
                FROM jsonb_each(n.j) e WHERE (o.j -> e.key) IS DISTINCT FROM e.value)
        FROM (SELECT y.j, CASE WHEN v_one IS NOT NULL THEN coalesce(y.j ->> v_one, '')
                          ELSE array_to_string(ARRAY(SELECT y.j ->> k FROM unnest(v_keys) k), ',') END key
              FROM (SELECT to_jsonb(x) j FROM new_rows x OFFSET 0) y) n
        JOIN (SELECT y.j, CASE WHEN v_one IS NOT NULL THEN coalesce(y.j ->> v_one, '')
                          ELSE array_to_string(ARRAY(SELECT y.j ->> k FROM unnest(v_keys) k), ',') END key
              FROM (SELECT to_jsonb(x) j FROM old_rows x OFFSET 0) y) o USING (key)
        WHERE o.j IS DISTINCT FROM n.j;
    END IF;
    RETURN NULL;
END $$;

DROP FUNCTION baton_audit_diff(jsonb, jsonb);
