-- Baton schema, version 140: one event, one merge (#12).
--
-- A record that had made its own customer and joins another by a newer
-- export (an organization whose domain list now names another's domain)
-- wrote two merges: the customer's absorption (134: '#1 Alpha <- #2 Alpha
-- Two, from zendesk-organizations 2', which moves the record with the rest
-- of #2) and the record's own ('#1 Alpha <- Zendesk org 2').  The run
-- counted both: "2 customers merged" for two customers made one, "117"
-- for 79 made one.  The second was worse after a split: `baton split` of
-- the absorption gave #2 its record back, and `baton merges` still said
-- the record had joined #1, unsplit.
--
-- Now a record whose customer this run absorbed writes no merge of its
-- own: the absorption is the event.  A record that had no customer (new)
-- or joins one without its own being absorbed is recorded as before.
-- 128's function otherwise unchanged.
--
-- Merges written twice by earlier runs stay (customer_merge is written
-- once, 010), but a split treats the two as one, as 097's join counts
-- already do (baton_import_mw): splitting the absorption marks its repeat
-- split with it; splitting the repeat alone, which made a third customer
-- of the record and left the absorption standing, is refused, naming the
-- absorption; and repeats of absorptions split before now are marked so.
-- A run's merges are found by its id (here, and by 141).
CREATE INDEX customer_merge_run_idx ON customer_merge (run_id, absorbed);

-- Who may split: 010's rule, said once for baton_split and baton_split_run
-- (141) before anything is looked at.
CREATE FUNCTION baton_may_split() RETURNS void
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF NOT pg_has_role(session_user, 'baton_importer', 'MEMBER')
            AND NOT pg_has_role(session_user, 'baton_admin', 'MEMBER') AND NOT baton_me_bypasses() THEN
        RAISE EXCEPTION 'role % may not split customers: that takes baton_importer or baton_admin', session_user
            USING ERRCODE = 'insufficient_privilege';
    END IF;
END $$;

-- The absorption a record's join repeats: the same run's, into the same
-- customer, which moved the record (both have the run's time, so the
-- customer's index finds them); NULL for any other merge.
CREATE FUNCTION baton_merge_repeated(p_merge uuid) RETURNS uuid
LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
    SELECT a.id FROM customer_merge j
    JOIN customer_merge a ON a.customer_id = j.customer_id AND a.at = j.at AND a.run_id = j.run_id
    WHERE j.id = p_merge AND j.joined_source IS NOT NULL AND a.absorbed IS NOT NULL
      AND a.moved -> 'import_record' @> jsonb_build_array(jsonb_build_array(j.joined_source, j.joined_source_id))
    ORDER BY a.id LIMIT 1
$$;

-- An absorption split: its repeats are split with it, by the same person
-- at the same time (the candidates, the joins into its customer written
-- with it, found by the customer's index).  How many.
CREATE FUNCTION baton_split_repeats(p_merge uuid) RETURNS integer
LANGUAGE sql SET search_path = public, pg_temp AS $$
    WITH i AS (
    INSERT INTO customer_split (merge_id, at, by_role, customer_id, apart)
    SELECT j.id, s.at, s.by_role, s.customer_id, s.apart
    FROM customer_merge a JOIN customer_split s ON s.merge_id = a.id
    JOIN customer_merge j ON j.customer_id = a.customer_id AND j.at = a.at AND j.joined_source IS NOT NULL
    WHERE a.id = p_merge AND baton_merge_repeated(j.id) = a.id
      AND NOT EXISTS (SELECT 1 FROM customer_split x WHERE x.merge_id = j.id)
    RETURNING 1)
    SELECT count(*)::integer FROM i
$$;

-- One merge split (096's baton_split_merge) with its repeats, for
-- baton_split and baton_split_run (141).
CREATE FUNCTION baton_split_one(p_merge uuid) RETURNS TABLE (customer_id bigint, apart bigint, repeats integer)
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    v record;
BEGIN
    SELECT * INTO STRICT v FROM baton_split_merge(p_merge);
    customer_id := v.customer_id;
    apart := v.apart;
    repeats := baton_split_repeats(p_merge);  -- after: they take the split's row
    RETURN NEXT;
END $$;

-- 042's baton_split, for a repeat: refused, naming the absorption; an
-- absorption's repeats split with it.
CREATE OR REPLACE FUNCTION baton_split(p_merge uuid) RETURNS TABLE (customer_id bigint, apart bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_of uuid;
BEGIN
    PERFORM baton_may_split();
    PERFORM baton_import_lock();
    v_of := baton_merge_repeated(p_merge);
    IF v_of IS NOT NULL AND NOT EXISTS (SELECT 1 FROM customer_split s WHERE s.merge_id = p_merge) THEN
        RAISE EXCEPTION 'merge % repeats merge %, the absorption that brought its record with its customer (both were written before schema version 140): split that one',
            p_merge, v_of USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN QUERY SELECT x.customer_id, x.apart FROM baton_split_one(p_merge) x;
END $$;

-- Repeats of absorptions split before now.
SELECT baton_split_repeats(s.merge_id) FROM customer_split s
JOIN customer_merge a ON a.id = s.merge_id WHERE a.absorbed IS NOT NULL;

REVOKE ALL ON FUNCTION baton_may_split() FROM PUBLIC;
REVOKE ALL ON FUNCTION baton_merge_repeated(uuid) FROM PUBLIC;
REVOKE ALL ON FUNCTION baton_split_repeats(uuid) FROM PUBLIC;
REVOKE ALL ON FUNCTION baton_split_one(uuid) FROM PUBLIC;
-- Owned as the one-merge split (a superuser may migrate a schema another
-- role owns, 120): baton_split runs them.
DO $$
DECLARE
    v_owner text := (SELECT pg_get_userbyid(p.proowner) FROM pg_proc p
                     WHERE p.oid = 'public.baton_split(uuid)'::regprocedure);
BEGIN
    EXECUTE format('ALTER FUNCTION baton_may_split() OWNER TO %I', v_owner);
    EXECUTE format('ALTER FUNCTION baton_merge_repeated(uuid) OWNER TO %I', v_owner);
    EXECUTE format('ALTER FUNCTION baton_split_repeats(uuid) OWNER TO %I', v_owner);
    EXECUTE format('ALTER FUNCTION baton_split_one(uuid) OWNER TO %I', v_owner);
END $$;

CREATE OR REPLACE FUNCTION baton_import_customers(p_run uuid, p_src text, p_spec jsonb, p_shared text[],
                                       OUT inserted integer, OUT updated integer, OUT merged integer)
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
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
