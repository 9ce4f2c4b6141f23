-- Baton schema, version 91: a record split off its customer makes a
-- customer with the fields the record gave, not the defaults.
--
-- 060's split of a record that joined a customer made the record a customer
-- of its own from what import_record kept of it: its name and domains.  Its
-- plan, segment, lifecycle, owner and renewal date were the table's
-- defaults ("starter", "smb", "onboarding") until its source's next file
-- that held it: a HubSpot company at lifecycle "Customer" split off a
-- Zendesk organization showed as onboarding, a story nobody told.
--
-- Now each customer record keeps the values its mapping gave those five
-- fields (import_record.vals, written with the record, only what the
-- mapping maps), and the split makes the customer with them.  An owner who
-- is no longer staff is left out (customer.owner is a staff reference).
-- The customer it leaves gets back the defaults of the fields whose values
-- that record gave it (065's fill of what its makers' sources do not map):
-- a wrong merge's lifecycle stage no longer stays on the customer it
-- joined.  A field another record that joined it maps (an absorbed
-- customer's too) stays as it is: whose its value is, is not known.
--
-- A record last written before this version has no values until its
-- source sends it changed (an unchanged record is not written again), and
-- they cannot be recovered from the customer: a record that joined one
-- (the kind a split is for) gave only the fields its makers do not map, and
-- maybe another joiner gave them since.  Without values it splits off as
-- before, its fields from its source's next file.

ALTER TABLE import_record ADD COLUMN vals jsonb;

-- 065's baton_import_customers, restated whole: the values written with
-- each record.
CREATE OR REPLACE FUNCTION baton_import_customers(p_run uuid, p_src text, p_spec jsonb, p_shared text[],
                                       OUT inserted integer, OUT updated integer, OUT merged integer)
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    v_sys text := p_spec ->> 'system';
    v_ids boolean := (p_spec -> 'fields') ?| ARRAY(SELECT x || '_id' FROM baton_import_id_systems() x);
    v_fields text[] := ARRAY(SELECT k FROM jsonb_object_keys(p_spec -> 'fields') k ORDER BY k);
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
    -- (the first record to name it, when new customers share one).
    CREATE TEMP TABLE baton_import_dom ON COMMIT DROP AS
    SELECT DISTINCT ON (n.id) n.id, x.d AS domain, n.line
    FROM baton_import_new n, jsonb_array_elements_text(n.v -> 'domains') WITH ORDINALITY x(d, i)
    WHERE NOT EXISTS (SELECT 1 FROM baton_shared_domain s WHERE s.domain = x.d)
      AND NOT x.d = ANY (coalesce(p_shared, '{}'))
      AND NOT EXISTS (SELECT 1 FROM baton_import_unused u WHERE u.kind = 'domain' AND u.value = x.d)
      AND NOT EXISTS (SELECT 1 FROM customer c WHERE lower(c.domain) = x.d)
    ORDER BY n.id, x.i;
    ANALYZE baton_import_dom;
    INSERT INTO customer (id, name, domain, plan, segment, lifecycle, owner, renewal_date)
    SELECT n.id, coalesce(n.v ->> 'name', n.v -> 'domains' ->> 0),
        CASE WHEN row_number() OVER (PARTITION BY d.domain ORDER BY n.line) = 1 THEN d.domain END,
        coalesce(n.v ->> 'plan', 'starter'), coalesce(n.v ->> 'segment', 'smb'),
        coalesce(n.v ->> 'lifecycle', 'onboarding'), (n.v ->> 'owner')::name,
        (n.v ->> 'renewal_date')::date
    FROM baton_import_new n LEFT JOIN baton_import_dom d ON d.id = n.id;
    IF FOUND THEN
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
      AND NOT EXISTS (SELECT 1 FROM baton_import_new n WHERE n.sid = c.sid);
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

-- 060's baton_split_merge, restated whole: the customer split off has its
-- record's values, and the customer it leaves the defaults back of the
-- fields only that record filled.
CREATE OR REPLACE FUNCTION baton_split_merge(p_merge uuid) RETURNS TABLE (customer_id bigint, apart bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    m customer_merge%ROWTYPE;
    r import_record%ROWTYPE;
    v_key text;
    v_apart bigint;
    v_home bigint;
    v_entity text;
    v_ents text[];
    v_targets bigint[];
    v_srcs text[];
    v_sids text[];
    v_back text[];
BEGIN
    IF NOT pg_has_role(session_user, 'baton_importer', 'MEMBER')
            AND NOT pg_has_role(session_user, 'baton_admin', 'MEMBER') AND NOT baton_me_bypasses() THEN
        RAISE EXCEPTION 'role % may not split customers: that takes baton_importer or baton_admin', session_user
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    SELECT * INTO m FROM customer_merge x WHERE x.id = p_merge FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no merge %', p_merge USING ERRCODE = 'no_data_found';
    END IF;
    IF EXISTS (SELECT 1 FROM customer_split s WHERE s.merge_id = p_merge) THEN
        RAISE EXCEPTION 'merge % was already split', p_merge USING ERRCODE = 'unique_violation';
    END IF;
    -- Where the merge's customer is now: itself, or the customer it was
    -- absorbed into since (merges are flattened: never further than one).
    SELECT coalesce(c.merged_into, c.id) INTO v_home FROM customer c WHERE c.id = m.customer_id;
    IF m.absorbed IS NOT NULL THEN
        v_apart := m.absorbed;
        IF (SELECT c.merged_into FROM customer c WHERE c.id = v_apart) IS DISTINCT FROM v_home THEN
            RAISE EXCEPTION 'customer % is no longer part of customer %: nothing to split', v_apart, v_home
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        UPDATE contact t SET customer_id = v_apart WHERE t.customer_id = v_home
            AND t.id IN (SELECT jsonb_array_elements_text(m.moved -> 'contact')::bigint);
        UPDATE ticket t SET customer_id = v_apart WHERE t.customer_id = v_home
            AND t.id IN (SELECT jsonb_array_elements_text(m.moved -> 'ticket')::bigint);
        UPDATE marketing_event t SET customer_id = v_apart WHERE t.customer_id = v_home
            AND t.id IN (SELECT jsonb_array_elements_text(m.moved -> 'marketing_event')::bigint);
        UPDATE survey_response t SET customer_id = v_apart WHERE t.customer_id = v_home
            AND t.id IN (SELECT jsonb_array_elements_text(m.moved -> 'survey_response')::bigint);
        UPDATE milestone t SET customer_id = v_apart, position = (e ->> 1)::integer
        FROM jsonb_array_elements(m.moved -> 'milestone') e
        WHERE t.id = (e ->> 0)::bigint AND t.customer_id = v_home;
        UPDATE customer_external_id t SET customer_id = v_apart
        FROM jsonb_array_elements(m.moved -> 'customer_external_id') e
        WHERE (t.system, t.external_id) = (e ->> 0, e ->> 1) AND t.customer_id = v_home;
        UPDATE import_record t SET customer_id = v_apart,
            target_id = CASE WHEN t.entity = 'customers' THEN v_apart ELSE t.target_id END,
            owns = (e ->> 2)::boolean
        FROM jsonb_array_elements(m.moved -> 'import_record') e
        WHERE (t.source, t.source_id) = (e ->> 0, e ->> 1) AND t.customer_id = v_home;
        UPDATE customer c SET merged_into = CASE WHEN c.id = v_apart THEN NULL ELSE v_apart END
        WHERE c.id IN (SELECT jsonb_array_elements_text(m.moved -> 'customer')::bigint)
          AND c.merged_into = v_home;
    ELSE
        SELECT * INTO r FROM import_record x WHERE x.source = m.joined_source
            AND x.source_id = m.joined_source_id;
        IF NOT FOUND OR r.customer_id <> v_home THEN
            RAISE EXCEPTION '% % is no longer with customer %', m.joined_source, m.joined_source_id,
                v_home USING ERRCODE = 'invalid_parameter_value';
        END IF;
        v_key := r.source || ':' || r.source_id;
        INSERT INTO customer (name, domain, plan, segment, lifecycle, owner, renewal_date)
        VALUES (coalesce(r.name, r.source_id),
                (SELECT d FROM unnest(r.domains) WITH ORDINALITY u(d, i)
                 WHERE NOT EXISTS (SELECT 1 FROM customer c WHERE lower(c.domain) = d)
                   AND NOT EXISTS (SELECT 1 FROM baton_shared_domain s WHERE s.domain = d)
                 ORDER BY i LIMIT 1),
                coalesce(r.vals ->> 'plan', 'starter'), coalesce(r.vals ->> 'segment', 'smb'),
                coalesce(r.vals ->> 'lifecycle', 'onboarding'),
                (SELECT s.role_name FROM staff s WHERE s.role_name = (r.vals ->> 'owner')::name),
                (r.vals ->> 'renewal_date')::date)
        RETURNING id INTO v_apart;
        -- The new customer has the record's name, domain and the values its
        -- last import gave (vals, 091; a record written before has none: the
        -- defaults).  The next import of its source writes them again: no
        -- export has this digest.
        UPDATE import_record x SET customer_id = v_apart, target_id = v_apart, owns = true, digest = ''
        WHERE x.source = r.source AND x.source_id = r.source_id;
        UPDATE customer_external_id e SET customer_id = v_apart
        WHERE r.external IS NOT NULL AND e.system = split_part(r.external, ':', 1)
          AND e.external_id = r.source_id;
        -- What reached its customer through the record goes with it, with
        -- whichever customer it is now: the records whose parent the record
        -- is, found in one pass over import_record, then each by its key in
        -- its entity's table.
        SELECT coalesce(array_agg(x.entity), '{}'), coalesce(array_agg(x.target_id), '{}'),
               coalesce(array_agg(x.source), '{}'), coalesce(array_agg(x.source_id), '{}')
        INTO v_ents, v_targets, v_srcs, v_sids
        FROM import_record x WHERE x.parent = v_key AND x.entity <> 'notes';
        FOR v_entity IN SELECT DISTINCT e FROM unnest(v_ents) e LOOP
            EXECUTE format('UPDATE %I t SET customer_id = $1 FROM unnest($2::text[], $3::bigint[]) k (entity, id)'
                           ' WHERE k.entity = $4 AND t.id = k.id', baton_import_table(v_entity))
                USING v_apart, v_ents, v_targets, v_entity;
        END LOOP;
        UPDATE import_record x SET customer_id = v_apart FROM unnest(v_srcs, v_sids) k (source, source_id)
        WHERE x.source = k.source AND x.source_id = k.source_id;
        -- The customer it leaves: a field whose value the record gave it
        -- (065's fill of what no source of its makers maps, where all their
        -- mappings are known) is back to the default it had before the
        -- record joined; only while the customer still has the record's
        -- value, and no other record that joined it (an absorbed customer's
        -- included) maps the field or may (its mapping unknown): whose the
        -- value is then is not known, and it stays.
        -- The customer's value and the record's compared as JSON text (a
        -- date is ISO there); a field already at its default is left out,
        -- so that nothing is written when nothing changes.
        SELECT coalesce(array_agg(d.k), '{}') INTO v_back
        FROM (VALUES ('plan', 'starter'), ('segment', 'smb'), ('lifecycle', 'onboarding'),
                     ('owner', NULL), ('renewal_date', NULL)) d (k, dflt),
             customer c
        WHERE c.id = v_home AND to_jsonb(c) ->> d.k = r.vals ->> d.k
          AND (r.vals ->> d.k) IS DISTINCT FROM d.dflt
          AND (SELECT bool_and(x.fields IS NOT NULL) AND NOT bool_or(d.k = ANY (x.fields))
               FROM import_record x WHERE x.customer_id = v_home AND x.entity = 'customers' AND x.owns)
          AND NOT EXISTS (SELECT 1 FROM import_record x
                          WHERE x.customer_id = v_home AND x.entity = 'customers' AND NOT x.owns
                            AND (x.fields IS NULL OR d.k = ANY (x.fields)));
        UPDATE customer u SET
            plan = CASE WHEN 'plan' = ANY (v_back) THEN 'starter' ELSE u.plan END,
            segment = CASE WHEN 'segment' = ANY (v_back) THEN 'smb' ELSE u.segment END,
            lifecycle = CASE WHEN 'lifecycle' = ANY (v_back) THEN 'onboarding' ELSE u.lifecycle END,
            owner = CASE WHEN 'owner' = ANY (v_back) THEN NULL ELSE u.owner END,
            renewal_date = CASE WHEN 'renewal_date' = ANY (v_back) THEN NULL ELSE u.renewal_date END,
            updated_at = now()
        WHERE u.id = v_home AND cardinality(v_back) > 0;
    END IF;
    INSERT INTO customer_split (merge_id, customer_id, apart) VALUES (p_merge, m.customer_id, v_apart);
    RETURN QUERY SELECT m.customer_id, v_apart;
END $$;
