-- Baton schema, version 148: a customers file of 400,000 new records is
-- imported in under a minute, not hours (#12, speed; a review found it).
--
-- Two statements of baton_import_customers grew with the file times the
-- database, past a size the bench (100,000 organisations) never reached:
-- - whether each record made its customer ("owns": EXISTS of its id in the
--   file's new customers, a subquery in the records' INSERT).  PostgreSQL
--   runs it from a hash table when that fits in work_mem, else scans the
--   new customers again for each record.  The function ran with the
--   server's 4 MB: up to about 250,000 new customers in a file the hash
--   fitted (200,000: 21 s); 400,000 (a CRM's first export) had not ended
--   after 13 minutes, holding the import lock.  With 64 MB, as the stage,
--   the linking and baton_import_rows_of (115) have, it stays hashed past
--   3,000,000.
-- - each new customer's domain, the first no customer has: see below.
-- 140's function, with work_mem and that statement.
CREATE OR REPLACE FUNCTION baton_import_customers(p_run uuid, p_src text, p_spec jsonb, p_shared text[],
                                       OUT inserted integer, OUT updated integer, OUT merged integer)
LANGUAGE plpgsql SET search_path = public, pg_temp SET work_mem = '64MB' AS $$
DECLARE
    v_sys text := p_spec ->> 'system';
    v_ids boolean := (p_spec -> 'fields') ?| ARRAY(SELECT x || '_id' FROM baton_import_id_systems() x);
    v_fields text[] := ARRAY(SELECT k FROM jsonb_object_keys(p_spec -> 'fields') k ORDER BY k);
    v_made bigint;
BEGIN
    INSERT INTO baton_import_reject (line, field, reason)
    SELECT line, 'name', CASE WHEN v ? 'name' THEN 'longer than 200 characters' ELSE 'missing name' END
    FROM baton_import_s WHERE length(coalesce(v ->> 'name', v -> 'domains' ->> 0, '')) NOT BETWEEN 1 AND 200;
    DELETE FROM baton_import_s
    WHERE length(coalesce(v ->> 'name', v -> 'domains' ->> 0, '')) NOT BETWEEN 1 AND 200;
    -- An id in another system is at most 200 characters, as
    -- customer_external_id holds them; blank is none.
    IF v_ids THEN
        INSERT INTO baton_import_reject (line, field, reason)
        SELECT DISTINCT ON (s.line) s.line, x.sys || '_id', 'longer than 200 characters'
        FROM baton_import_s s, baton_import_id_systems() x(sys)
        WHERE length(btrim(s.v ->> (x.sys || '_id'))) > 200 ORDER BY s.line, x.sys;
        DELETE FROM baton_import_s s WHERE EXISTS (SELECT 1 FROM baton_import_id_systems() x(sys)
            WHERE length(btrim(s.v ->> (x.sys || '_id'))) > 200);
    END IF;

    CREATE TEMP TABLE baton_import_c ON COMMIT DROP AS
    SELECT s.line, s.v, s.digest, s.v ->> 'source_id' AS sid, r.customer_id AS cid, r.owns,
        CASE WHEN r.source_id IS NULL THEN 'new'
             WHEN r.digest = s.digest
               OR (s.v ->> 'updated_at')::timestamptz < r.source_updated_at THEN 'unchanged'
             ELSE 'updated' END AS state,
        NULL::bigint AS survivor
    FROM baton_import_s s
    LEFT JOIN import_record r ON r.source = p_src AND r.source_id = s.v ->> 'source_id';
    DELETE FROM baton_import_c WHERE state = 'unchanged';
    ANALYZE baton_import_c;

    CREATE TEMP TABLE baton_import_node ON COMMIT DROP AS
    SELECT 'r:' || sid AS node, cid FROM baton_import_c;
    CREATE TEMP TABLE baton_import_claim ON COMMIT DROP AS
    SELECT 'r:' || sid AS node, 'ext' AS kind, v_sys || ':' || sid AS value
    FROM baton_import_c WHERE v_sys IS NOT NULL
    UNION ALL
    SELECT 'r:' || sid, 'domain', d FROM baton_import_c, jsonb_array_elements_text(v -> 'domains') d
    UNION ALL
    SELECT 'r:' || c.sid, 'ext', i.value FROM baton_import_c c, baton_import_ids_of(c.v) i WHERE v_ids;
    ANALYZE baton_import_node;
    ANALYZE baton_import_claim;
    PERFORM baton_import_resolve(p_shared);

    -- A component with no customer yet gets one, made from its first record.
    CREATE TEMP TABLE baton_import_new ON COMMIT DROP AS
    SELECT x.*, nextval(pg_get_serial_sequence('customer', 'id')) AS id FROM (
        SELECT DISTINCT ON (l.l) l.l AS comp, c.sid, c.v, c.line
        FROM baton_import_c c JOIN baton_import_lab l ON l.n = 'r:' || c.sid
        JOIN baton_import_comp k ON k.comp = l.l
        WHERE k.survivor IS NULL ORDER BY l.l, c.line) x;
    ANALYZE baton_import_new;
    -- Its domain: the first that no customer has and that says who it is
    -- (the first record to name it, when new customers share one).  The
    -- new customers' domains in a table of their own, with its statistics
    -- (148): read from the records in the statement, they were 100 a
    -- record of 200 distinct to the planner, all of them among the 353
    -- shared domains, so none left; it then tested each against every
    -- customer's domain in a nested loop, and 400,000 new customers into a
    -- database of 95,000 had not ended after 10 minutes (0.4 s now).
    CREATE TEMP TABLE baton_import_newdom ON COMMIT DROP AS
    SELECT n.id, x.d, x.i, n.line
    FROM baton_import_new n, jsonb_array_elements_text(n.v -> 'domains') WITH ORDINALITY x(d, i);
    ANALYZE baton_import_newdom;
    CREATE TEMP TABLE baton_import_dom ON COMMIT DROP AS
    SELECT DISTINCT ON (n.id) n.id, n.d AS domain, n.line
    FROM baton_import_newdom n
    WHERE NOT EXISTS (SELECT 1 FROM baton_shared_domain s WHERE s.domain = n.d)
      AND NOT n.d = ANY (coalesce(p_shared, '{}'))
      AND NOT EXISTS (SELECT 1 FROM baton_import_unused u WHERE u.kind = 'domain' AND u.value = n.d)
      AND NOT EXISTS (SELECT 1 FROM customer c WHERE lower(c.domain) = n.d)
    ORDER BY n.id, n.i;
    ANALYZE baton_import_dom;
    INSERT INTO customer (id, name, domain, plan, segment, lifecycle, owner, renewal_date)
    SELECT n.id, coalesce(n.v ->> 'name', n.v -> 'domains' ->> 0),
        CASE WHEN row_number() OVER (PARTITION BY d.domain ORDER BY n.line) = 1 THEN d.domain END,
        coalesce(n.v ->> 'plan', 'starter'), coalesce(n.v ->> 'segment', 'smb'),
        coalesce(n.v ->> 'lifecycle', 'onboarding'), (n.v ->> 'owner')::name,
        (n.v ->> 'renewal_date')::date
    FROM baton_import_new n LEFT JOIN baton_import_dom d ON d.id = n.id;
    -- Statistics for the statements below when the new customers are more
    -- than a tenth of the rows the statistics know (128: not for a page;
    -- 039 analyzes the table before a file when its pages have grown by
    -- a tenth since, as a run of pages makes them).
    GET DIAGNOSTICS v_made = ROW_COUNT;
    IF v_made > 0 AND (SELECT c.reltuples < 0 OR v_made > c.reltuples / 10
                       FROM pg_class c WHERE c.oid = 'customer'::regclass) THEN
        ANALYZE customer;
    END IF;
    UPDATE baton_import_comp k SET survivor = n.id FROM baton_import_new n WHERE n.comp = k.comp;
    -- Every record's customer from here on: its component's survivor.
    UPDATE baton_import_c c SET survivor = k.survivor
    FROM baton_import_lab l JOIN baton_import_comp k ON k.comp = l.l WHERE l.n = 'r:' || c.sid;

    merged := baton_import_absorb_all(p_run);

    -- Records that joined a customer they did not make: recorded with why.
    INSERT INTO customer_merge (run_id, customer_id, joined_source, joined_source_id, identifiers, evidence)
    SELECT p_run, c.survivor, p_src, c.sid, coalesce(baton_import_why('r:' || c.sid, NULL), ''),
        jsonb_build_object('identifiers', coalesce(baton_import_why('r:' || c.sid, NULL), ''),
                           'records', baton_import_records_of(ARRAY[c.survivor]),
                           'record', jsonb_build_object('source', p_src, 'id', c.sid,
                                                        'label', p_spec ->> 'label'))
    FROM baton_import_c c
    WHERE c.cid IS DISTINCT FROM c.survivor
      AND NOT EXISTS (SELECT 1 FROM baton_import_new n WHERE n.sid = c.sid)
      -- Its customer absorbed by this run: that merge says it (140).
      AND NOT EXISTS (SELECT 1 FROM customer_merge x WHERE x.run_id = p_run AND x.absorbed = c.cid);
    GET DIAGNOSTICS inserted = ROW_COUNT;
    merged := merged + inserted;

    -- Fields follow the record that made the customer; others fill gaps:
    -- a record that joined a customer it did not make gives the fields that
    -- no source of the customer's makers maps (a Zendesk organization has
    -- no lifecycle stage; the HubSpot company that joined it has one).
    -- Where a maker's mapping is not known (its record last written before
    -- version 65), nothing is filled, as before.  Of several such records
    -- of one customer in a file, the newest gives them.
    CREATE TEMP TABLE baton_import_fill ON COMMIT DROP AS
    SELECT DISTINCT ON (c.survivor) c.survivor AS cid, c.v, o.taken
    FROM baton_import_c c
    CROSS JOIN LATERAL (SELECT bool_and(r.fields IS NOT NULL) AS known,
                               array_agg(DISTINCT f.f) FILTER (WHERE f.f IS NOT NULL) AS taken
                        FROM import_record r LEFT JOIN LATERAL unnest(r.fields) f(f) ON true
                        WHERE r.customer_id = c.survivor AND r.entity = 'customers' AND r.owns
                          AND r.source <> p_src) o
    WHERE c.state IN ('new', 'updated') AND c.survivor IS NOT NULL AND o.known
      AND NOT (coalesce(c.owns, false) AND c.cid = c.survivor)
      AND NOT EXISTS (SELECT 1 FROM baton_import_new n WHERE n.sid = c.sid)
    ORDER BY c.survivor, (c.v ->> 'updated_at')::timestamptz DESC NULLS LAST, c.line DESC;
    UPDATE customer u SET
        plan = CASE WHEN 'plan' = ANY (coalesce(f.taken, '{}')) THEN u.plan ELSE coalesce(f.v ->> 'plan', u.plan) END,
        segment = CASE WHEN 'segment' = ANY (coalesce(f.taken, '{}')) THEN u.segment
                       ELSE coalesce(f.v ->> 'segment', u.segment) END,
        lifecycle = CASE WHEN 'lifecycle' = ANY (coalesce(f.taken, '{}')) THEN u.lifecycle
                         ELSE coalesce(f.v ->> 'lifecycle', u.lifecycle) END,
        owner = CASE WHEN 'owner' = ANY (coalesce(f.taken, '{}')) THEN u.owner
                     ELSE coalesce((f.v ->> 'owner')::name, u.owner) END,
        renewal_date = CASE WHEN 'renewal_date' = ANY (coalesce(f.taken, '{}')) THEN u.renewal_date
                            ELSE coalesce((f.v ->> 'renewal_date')::date, u.renewal_date) END,
        updated_at = now()
    FROM baton_import_fill f
    WHERE u.id = f.cid
      AND (u.plan, u.segment, u.lifecycle, u.owner, u.renewal_date) IS DISTINCT FROM
          (CASE WHEN 'plan' = ANY (coalesce(f.taken, '{}')) THEN u.plan ELSE coalesce(f.v ->> 'plan', u.plan) END,
           CASE WHEN 'segment' = ANY (coalesce(f.taken, '{}')) THEN u.segment
                ELSE coalesce(f.v ->> 'segment', u.segment) END,
           CASE WHEN 'lifecycle' = ANY (coalesce(f.taken, '{}')) THEN u.lifecycle
                ELSE coalesce(f.v ->> 'lifecycle', u.lifecycle) END,
           CASE WHEN 'owner' = ANY (coalesce(f.taken, '{}')) THEN u.owner
                ELSE coalesce((f.v ->> 'owner')::name, u.owner) END,
           CASE WHEN 'renewal_date' = ANY (coalesce(f.taken, '{}')) THEN u.renewal_date
                ELSE coalesce((f.v ->> 'renewal_date')::date, u.renewal_date) END);

    CREATE TEMP TABLE baton_import_own ON COMMIT DROP AS
    SELECT c.cid, c.v FROM baton_import_c c
    WHERE c.state = 'updated' AND c.owns AND c.cid = c.survivor;
    ANALYZE baton_import_own;
    UPDATE customer u SET name = coalesce(c.v ->> 'name', u.name),
        plan = coalesce(c.v ->> 'plan', u.plan), segment = coalesce(c.v ->> 'segment', u.segment),
        lifecycle = coalesce(c.v ->> 'lifecycle', u.lifecycle),
        owner = coalesce((c.v ->> 'owner')::name, u.owner),
        renewal_date = coalesce((c.v ->> 'renewal_date')::date, u.renewal_date), updated_at = now()
    FROM baton_import_own c
    WHERE u.id = c.cid
      AND (u.name, u.plan, u.segment, u.lifecycle, u.owner, u.renewal_date) IS DISTINCT FROM
          (coalesce(c.v ->> 'name', u.name), coalesce(c.v ->> 'plan', u.plan),
           coalesce(c.v ->> 'segment', u.segment), coalesce(c.v ->> 'lifecycle', u.lifecycle),
           coalesce((c.v ->> 'owner')::name, u.owner),
           coalesce((c.v ->> 'renewal_date')::date, u.renewal_date));

    IF v_sys IS NOT NULL THEN
        INSERT INTO customer_external_id (system, external_id, customer_id)
        SELECT v_sys, c.sid, c.survivor FROM baton_import_c c
        ON CONFLICT (system, external_id) DO NOTHING;
    END IF;
    -- Its ids in other systems: the customer's too (the finder's and
    -- `baton show`'s), unless a customer already has one of them.
    IF v_ids THEN
        INSERT INTO customer_external_id (system, external_id, customer_id)
        SELECT DISTINCT ON (i.sys, i.id) i.sys, i.id, c.survivor
        FROM baton_import_c c, baton_import_ids_of(c.v) i ORDER BY i.sys, i.id, c.line
        ON CONFLICT (system, external_id) DO NOTHING;
    END IF;

    INSERT INTO import_record AS r (source, source_id, entity, target_id, customer_id, digest,
        source_updated_at, run_id, owns, label, name, domains, external, fields, vals)
    SELECT p_src, c.sid, 'customers', c.survivor, c.survivor, c.digest,
        (c.v ->> 'updated_at')::timestamptz, p_run,
        EXISTS (SELECT 1 FROM baton_import_new n WHERE n.sid = c.sid)
            OR (coalesce(c.owns, false) AND c.cid = c.survivor),
        p_spec ->> 'label', c.v ->> 'name',
        ARRAY(SELECT jsonb_array_elements_text(c.v -> 'domains')), v_sys || ':' || c.sid, v_fields,
        jsonb_strip_nulls(jsonb_build_object('plan', c.v -> 'plan', 'segment', c.v -> 'segment',
            'lifecycle', c.v -> 'lifecycle', 'owner', c.v -> 'owner', 'renewal_date', c.v -> 'renewal_date'))
    FROM baton_import_c c
    ON CONFLICT (source, source_id) DO UPDATE SET target_id = EXCLUDED.target_id,
        customer_id = EXCLUDED.customer_id, digest = EXCLUDED.digest,
        source_updated_at = EXCLUDED.source_updated_at, run_id = EXCLUDED.run_id,
        owns = EXCLUDED.owns, label = EXCLUDED.label, name = EXCLUDED.name,
        domains = EXCLUDED.domains, external = EXCLUDED.external, fields = EXCLUDED.fields,
        vals = EXCLUDED.vals;
    SELECT count(*) FILTER (WHERE state = 'new'), count(*) FILTER (WHERE state = 'updated')
        INTO inserted, updated FROM baton_import_c;
END $$;
