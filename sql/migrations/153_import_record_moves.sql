-- Baton schema, version 153: a CRM record whose domain is corrected to
-- another customer's moves to that customer; it no longer merges the two
-- (#12, a review's HIGH finding, H1).
--
-- HubSpot company 9876 joined Northwind (#1) by nwh.example.  A newer
-- export says its domain is initech.example, Initech's (#2, its own
-- Zendesk organization).  The record stayed with #1 (a record's tie to its
-- customer, the graph's 'self' edge, held whatever it said) and its new
-- domain joined #2: #1 and #2 became one customer, two helpdesk
-- organizations on one screen, until someone ran `baton split`.
--
-- Now a record of a customers file that joined its customer (did not make
-- it) and whose domains changed wholly (none of those it had before; one
-- that adds a domain to those it had says it is both) is resolved as the
-- export has it now, by the identifiers it names, not by where it was:
-- - its identifiers still reach its customer (another of its domains is
--   the customer's or another record's there, its id in another system
--   is the customer's, it joined by its own id): it stays, and what it
--   names joins as before;
-- - they reach other customers and not its own: it moves, to the one the
--   graph makes of them, as a new record of the file would join it; the
--   customer it leaves stays as it is, without it;
-- - they reach no customer (a domain nobody has): it stays.
-- Its own id (crm:9876), which its first import gave the customer it
-- joined, is no tie unless it joined by that id; it goes with the record.
-- Nothing is kept apart by a move (a split is a person's word; a move
-- is the data's): an export that names the first customer's domain again
-- moves the record back.
--
-- What goes with the record: its id, the records whose parent it is
-- (a HubSpot company's contacts, a Zendesk organization's users and
-- tickets) and what reached the customer through the contacts that went
-- (a ticket naming its requester and no organization), as `baton split`
-- takes them (143); the fields it gave the customer it leaves go back to
-- their defaults as a split's do (091).  What came by address stays.  The
-- move is a row of import_record_move (and the consoles on the customer
-- it left are told), the merge that had joined it is
-- named there (baton merges says "moved"; split --run of its run leaves
-- it), and the run says it (baton import's summary).  A move a group over
-- import_max_merge would make is not made: the record stays.

CREATE TABLE import_record_move (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    at            timestamptz NOT NULL DEFAULT now(),
    by_role       name NOT NULL DEFAULT session_user,
    run_id        uuid NOT NULL REFERENCES import_run (id),
    source        text NOT NULL,
    source_id     text NOT NULL,
    label         text,
    from_customer bigint NOT NULL REFERENCES customer (id),
    customer_id   bigint NOT NULL REFERENCES customer (id),
    -- The merge that had joined the record to the customer it left.
    merge_id      uuid REFERENCES customer_merge (id),
    identifiers   text NOT NULL
);
-- A record's merges, found by its key: which merge had joined a record
-- that moves, and whether it joined by its own id (a scan of every merge
-- a record: 10,000 moves took 69 s, 1,000 took 2.9 s).
CREATE INDEX customer_merge_joined_idx ON customer_merge (joined_source, joined_source_id)
    WHERE joined_source IS NOT NULL;
CREATE INDEX import_record_move_run_idx ON import_record_move (run_id);
CREATE INDEX import_record_move_merge_idx ON import_record_move (merge_id) WHERE merge_id IS NOT NULL;
CREATE INDEX import_record_move_customer_idx ON import_record_move (customer_id);
CREATE INDEX import_record_move_from_idx ON import_record_move (from_customer);
CREATE TRIGGER import_record_move_append_only BEFORE UPDATE OR DELETE ON import_record_move
    FOR EACH ROW EXECUTE FUNCTION baton_forbid_change();
SELECT baton_audit_attach('import_record_move', 'id');
ALTER TABLE import_record_move ENABLE ROW LEVEL SECURITY;
-- Staff see a move as they see the customer it moved to (the one rule of
-- every table of customer data, 032).
CREATE POLICY staff_read ON import_record_move FOR SELECT TO baton_staff
    USING (EXISTS (SELECT 1 FROM public.staff me WHERE me.role_name = session_user
                   AND me.active AND me.scope IS NULL)
           OR (EXISTS (SELECT 1 FROM public.staff me WHERE me.role_name = session_user
                       AND me.active)
               AND baton_me_sees_customer(customer_id)));
CREATE POLICY importer_read ON import_record_move FOR SELECT TO baton_importer USING (true);
REVOKE ALL ON import_record_move FROM PUBLIC;
GRANT SELECT ON import_record_move TO baton_staff, baton_admin, baton_importer;

-- The ids in other systems a customers record names ("crm:9876", a Zendesk
-- organization's external_id), as its last import read them: a record's
-- own id is a tie to its customer when another record there names it.
-- NULL for records written before 153 (not known).  Indexed where there
-- are any (a file without such fields writes '{}', and nothing to index).
ALTER TABLE import_record ADD COLUMN ids text[];
CREATE INDEX import_record_ids_idx ON import_record USING gin (ids)
    WHERE entity = 'customers' AND ids <> '{}';

-- Before the graph: a customers file's records that joined their customer
-- and whose domains are all new are resolved as new records are (their
-- node without its customer), and their own id is no tie to it unless
-- they joined by it or another record of the customer names it.
CREATE FUNCTION baton_import_loosen() RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    v_src text := (SELECT c.source FROM pg_temp.baton_import_ctx c);
BEGIN
    CREATE TEMP TABLE baton_import_loose (node text PRIMARY KEY, sid text, cid bigint, own text,
                                          by_own boolean) ON COMMIT DROP;
    CREATE TEMP TABLE baton_import_moving (node text PRIMARY KEY, sid text, from_cid bigint) ON COMMIT DROP;
    IF (SELECT r.entity FROM import_run r JOIN pg_temp.baton_import_ctx c ON c.run = r.id) <> 'customers' THEN
        RETURN;
    END IF;
    INSERT INTO baton_import_loose
    SELECT 'r:' || c.sid, c.sid, c.cid, r.external,
        r.external IS NOT NULL AND (
            EXISTS (SELECT 1 FROM customer_merge m
                    WHERE m.joined_source = v_src AND m.joined_source_id = c.sid
                      AND ('ext:' || r.external) = ANY (m.keys)
                      AND NOT EXISTS (SELECT 1 FROM customer_split s WHERE s.merge_id = m.id))
            -- (by the ids' index: a lookup a record)
            OR EXISTS (SELECT 1 FROM import_record x
                       WHERE x.entity = 'customers' AND x.ids <> '{}' AND x.ids @> ARRAY[r.external]
                         AND x.customer_id = c.cid AND (x.source, x.source_id) <> (v_src, c.sid)))
    FROM baton_import_c c
    JOIN import_record r ON r.source = v_src AND r.source_id = c.sid AND r.entity = 'customers'
    WHERE c.state = 'updated' AND c.cid IS NOT NULL AND NOT coalesce(c.owns, false)
      AND cardinality(r.domains) > 0 AND jsonb_typeof(c.v -> 'domains') = 'array'
      AND jsonb_array_length(c.v -> 'domains') > 0
      AND NOT r.domains && ARRAY(SELECT jsonb_array_elements_text(c.v -> 'domains'));
    IF NOT FOUND THEN
        RETURN;
    END IF;
    ANALYZE baton_import_loose;
    UPDATE baton_import_node n SET cid = NULL FROM baton_import_loose x WHERE x.node = n.node;
    DELETE FROM baton_import_claim c USING baton_import_loose x
    WHERE c.node = x.node AND c.kind = 'ext' AND c.value = x.own AND NOT x.by_own;
END $$;

-- After the graph, before import_max_merge is counted: each such record
-- whose component holds its customer, or no customer, is its customer's
-- again (a component of no customer is its customer's: the file's new
-- records in it join it, as before); one whose component holds other
-- customers only moves to it.  Its component as the graph made it, before
-- customers kept apart were parted in it (137): a record whose
-- identifiers reach its customer and one kept apart from it stays with
-- its own, whichever of the two the parting gave it to.
CREATE FUNCTION baton_import_settle() RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM baton_import_loose) THEN
        RETURN;
    END IF;
    IF to_regclass('pg_temp.baton_import_uf') IS NOT NULL THEN
        -- Parted away from its customer: back to its customer's group (the
        -- label of a node of its customer there), without the edges that
        -- now cross groups.
        CREATE TEMP TABLE baton_import_rehomed ON COMMIT DROP AS
        SELECT x.node, (SELECT l.l FROM baton_import_uf y JOIN baton_import_lab l ON l.n = y.n
                        WHERE y.comp = u.comp AND y.cid = x.cid ORDER BY l.l LIMIT 1) AS l
        FROM baton_import_loose x JOIN baton_import_uf u ON u.n = x.node;
        DELETE FROM baton_import_rehomed h WHERE h.l IS NULL
            OR h.l = (SELECT l.l FROM baton_import_lab l WHERE l.n = h.node);
        IF EXISTS (SELECT 1 FROM baton_import_rehomed) THEN
            UPDATE baton_import_lab l SET l = h.l FROM baton_import_rehomed h WHERE l.n = h.node;
            DELETE FROM baton_import_edge e USING baton_import_lab la, baton_import_lab lb
            WHERE la.n = e.a AND lb.n = e.b AND la.l <> lb.l
              AND (e.a IN (SELECT h.node FROM baton_import_rehomed h)
                   OR e.b IN (SELECT h.node FROM baton_import_rehomed h));
        END IF;
    END IF;
    INSERT INTO baton_import_moving
    SELECT x.node, x.sid, x.cid FROM baton_import_loose x
    JOIN baton_import_lab l ON l.n = x.node JOIN baton_import_comp k ON k.comp = l.l
    WHERE k.survivor IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM baton_import_lab y LEFT JOIN baton_import_node n ON n.node = y.n
                      WHERE y.l = l.l
                        AND coalesce(n.cid, CASE WHEN y.n LIKE 'c:%' THEN substr(y.n, 3)::bigint END) = x.cid);
    PERFORM baton_import_unloosen(ARRAY(SELECT x.node FROM baton_import_loose x
                                        WHERE NOT EXISTS (SELECT 1 FROM baton_import_moving m
                                                          WHERE m.node = x.node)));
END $$;

-- Records back with their customers (p_nodes of baton_import_loose): the
-- node's customer and its tie again, and a component that has no customer
-- is its customer's.
CREATE FUNCTION baton_import_unloosen(p_nodes text[]) RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    IF cardinality(p_nodes) = 0 THEN
        RETURN;
    END IF;
    UPDATE baton_import_node n SET cid = x.cid FROM baton_import_loose x
    WHERE x.node = n.node AND x.node = ANY (p_nodes);
    INSERT INTO baton_import_edge (a, b, kind, value, how)
    SELECT x.node, 'c:' || x.cid, 'self', NULL, 0 FROM baton_import_loose x WHERE x.node = ANY (p_nodes);
    UPDATE baton_import_comp k SET survivor = s.cid
    FROM (SELECT l.l, min(x.cid) AS cid FROM baton_import_loose x JOIN baton_import_lab l ON l.n = x.node
          WHERE x.node = ANY (p_nodes) GROUP BY l.l) s
    WHERE k.comp = s.l AND k.survivor IS NULL;
END $$;

-- After import_max_merge: a move in a group it left unmerged is not made
-- (the record is its customer's again); the others are made, all at once
-- (the records of the customers they leave read once, not a move at a
-- time: a customer of 50,000 records took 10 ms a move so): the record's
-- id, its children, the contacts' tickets and answers, and the fields it
-- gave the customer it leaves, as a split takes them (143, 091); and the
-- moves are written down.
CREATE FUNCTION baton_import_move_all() RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    v_run uuid := (SELECT c.run FROM pg_temp.baton_import_ctx c);
    v_src text := (SELECT c.source FROM pg_temp.baton_import_ctx c);
    w record;
    v_entity text;
    v_back text[];
BEGIN
    IF NOT EXISTS (SELECT 1 FROM baton_import_moving) THEN
        RETURN;
    END IF;
    PERFORM baton_import_unloosen(ARRAY(SELECT m.node FROM baton_import_moving m
                                        JOIN baton_import_lab l ON l.n = m.node
                                        JOIN baton_import_comp k ON k.comp = l.l
                                        WHERE k.survivor IS NULL));
    DELETE FROM baton_import_moving m USING baton_import_node n WHERE n.node = m.node AND n.cid IS NOT NULL;
    IF NOT EXISTS (SELECT 1 FROM baton_import_moving) THEN
        RETURN;
    END IF;
    CREATE TEMP TABLE baton_import_mv ON COMMIT DROP AS
    SELECT m.sid, m.from_cid, k.survivor AS to_cid, v_src || ':' || m.sid AS key, r.external, r.vals,
           r.label
    FROM baton_import_moving m JOIN baton_import_lab l ON l.n = m.node
    JOIN baton_import_comp k ON k.comp = l.l
    JOIN import_record r ON r.source = v_src AND r.source_id = m.sid;
    ANALYZE baton_import_mv;
    -- Its id, unless a record of the customer it leaves written before 153
    -- may name it (its ids not known: the id stays where it is).
    UPDATE customer_external_id e SET customer_id = v.to_cid FROM baton_import_mv v
    WHERE v.external IS NOT NULL AND e.system = split_part(v.external, ':', 1) AND e.external_id = v.sid
      AND e.customer_id = v.from_cid
      AND NOT EXISTS (SELECT 1 FROM import_record x
                      WHERE x.customer_id = v.from_cid AND x.entity = 'customers' AND x.ids IS NULL
                        AND x.fields @> ARRAY[split_part(v.external, ':', 1) || '_id']);
    -- The records whose parent it is, among its customer's (143): each
    -- customer's records read once.
    CREATE TEMP TABLE baton_import_mvkids ON COMMIT DROP AS
    SELECT x.entity, x.target_id, x.source, x.source_id, v.from_cid, v.to_cid
    FROM (SELECT DISTINCT v.from_cid FROM baton_import_mv v) f
    JOIN import_record x ON x.customer_id = f.from_cid
    JOIN baton_import_mv v ON v.from_cid = x.customer_id AND v.key = x.parent
    WHERE x.entity <> 'notes';
    ANALYZE baton_import_mvkids;
    FOR v_entity IN SELECT DISTINCT k.entity FROM baton_import_mvkids k LOOP
        EXECUTE format('UPDATE %I t SET customer_id = k.to_cid FROM pg_temp.baton_import_mvkids k'
                       ' WHERE k.entity = $1 AND t.id = k.target_id AND t.customer_id = k.from_cid',
                       baton_import_table(v_entity))
            USING v_entity;
    END LOOP;
    UPDATE import_record x SET customer_id = k.to_cid FROM baton_import_mvkids k
    WHERE x.source = k.source AND x.source_id = k.source_id;
    -- What reached the customer through the contacts that went (096): a
    -- ticket or answer that names its requester and no organization.
    IF EXISTS (SELECT 1 FROM baton_import_mvkids k WHERE k.entity = 'contacts') THEN
        WITH moved AS (
            UPDATE ticket t SET customer_id = k.to_cid FROM baton_import_mvkids k, import_record x
            WHERE k.entity = 'contacts' AND t.requester_id = k.target_id AND t.customer_id = k.from_cid
              AND x.customer_id = k.from_cid AND x.entity = 'tickets' AND x.target_id = t.id
              AND x.parent IS NULL
            RETURNING t.id, k.from_cid, k.to_cid)
        UPDATE import_record x SET customer_id = moved.to_cid FROM moved
        WHERE x.customer_id = moved.from_cid AND x.entity = 'tickets' AND x.target_id = moved.id;
        WITH moved AS (
            UPDATE survey_response t SET customer_id = k.to_cid FROM baton_import_mvkids k, import_record x
            WHERE k.entity = 'contacts' AND t.contact_id = k.target_id AND t.customer_id = k.from_cid
              AND x.customer_id = k.from_cid AND x.entity = 'surveys' AND x.target_id = t.id
              AND x.parent IS NULL
            RETURNING t.id, k.from_cid, k.to_cid)
        UPDATE import_record x SET customer_id = moved.to_cid FROM moved
        WHERE x.customer_id = moved.from_cid AND x.entity = 'surveys' AND x.target_id = moved.id;
    END IF;
    -- The fields it gave the customer it leaves, back to their defaults, as
    -- a split's (091): only while the customer has the record's value and
    -- no other record that joined it maps the field.
    FOR w IN SELECT * FROM baton_import_mv m WHERE m.vals IS NOT NULL AND m.vals <> '{}' ORDER BY m.sid LOOP
        SELECT coalesce(array_agg(d.k), '{}') INTO v_back
        FROM (VALUES ('plan', 'starter'), ('segment', 'smb'), ('lifecycle', 'onboarding'),
                     ('owner', NULL), ('renewal_date', NULL)) d (k, dflt),
             customer c
        WHERE c.id = w.from_cid AND to_jsonb(c) ->> d.k = w.vals ->> d.k
          AND (w.vals ->> d.k) IS DISTINCT FROM d.dflt
          AND (SELECT bool_and(x.fields IS NOT NULL) AND NOT bool_or(d.k = ANY (x.fields))
               FROM import_record x WHERE x.customer_id = w.from_cid AND x.entity = 'customers' AND x.owns)
          AND NOT EXISTS (SELECT 1 FROM import_record x
                          WHERE x.customer_id = w.from_cid AND x.entity = 'customers' AND NOT x.owns
                            AND (x.source, x.source_id) <> (v_src, w.sid)
                            AND (x.fields IS NULL OR d.k = ANY (x.fields)));
        UPDATE customer u SET
            plan = CASE WHEN 'plan' = ANY (v_back) THEN 'starter' ELSE u.plan END,
            segment = CASE WHEN 'segment' = ANY (v_back) THEN 'smb' ELSE u.segment END,
            lifecycle = CASE WHEN 'lifecycle' = ANY (v_back) THEN 'onboarding' ELSE u.lifecycle END,
            owner = CASE WHEN 'owner' = ANY (v_back) THEN NULL ELSE u.owner END,
            renewal_date = CASE WHEN 'renewal_date' = ANY (v_back) THEN NULL ELSE u.renewal_date END,
            updated_at = now()
        WHERE u.id = w.from_cid AND cardinality(v_back) > 0;
    END LOOP;
    INSERT INTO import_record_move (run_id, source, source_id, label, from_customer, customer_id,
                                    merge_id, identifiers)
    SELECT v_run, v_src, v.sid, v.label, v.from_cid, v.to_cid,
        (SELECT m.id FROM customer_merge m JOIN customer c ON c.id = m.customer_id
         WHERE m.joined_source = v_src AND m.joined_source_id = v.sid
           AND coalesce(c.merged_into, c.id) = v.from_cid
           AND NOT EXISTS (SELECT 1 FROM customer_split s WHERE s.merge_id = m.id)
           AND NOT EXISTS (SELECT 1 FROM import_record_move o WHERE o.merge_id = m.id)
         ORDER BY m.at DESC LIMIT 1),
        coalesce(baton_import_why('r:' || v.sid, NULL), '')
    FROM baton_import_mv v;
    -- The customers a record left: their screens list it (the one it joins
    -- is told by its merge).  Once each, whatever moved (a transaction's
    -- notifications are told once).
    PERFORM count(pg_notify('baton', 'customer:' || x.c))
    FROM (SELECT DISTINCT v.from_cid AS c FROM baton_import_mv v) x;
END $$;

-- 139's entry, with the records whose domains changed resolved afresh.
CREATE OR REPLACE FUNCTION baton_import_resolve(p_shared text[]) RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_temp.baton_import_claim) OR EXISTS (SELECT 1 FROM pg_temp.baton_import_node) THEN
        PERFORM baton_import_loosen();
        PERFORM baton_import_resolve_graph(p_shared);
        PERFORM baton_import_settle();
        PERFORM baton_import_cap();
        PERFORM baton_import_move_all();
        RETURN;
    END IF;
    CREATE TEMP TABLE baton_import_found (kind text, value text, cid bigint) ON COMMIT DROP;
    CREATE TEMP TABLE baton_import_unused (kind text, value text, n bigint) ON COMMIT DROP;
    CREATE TEMP TABLE baton_import_edge (a text, b text, kind text, value text) ON COMMIT DROP;
    CREATE TEMP TABLE baton_import_lab (n text PRIMARY KEY, l text) ON COMMIT DROP;
    CREATE TEMP TABLE baton_import_e2 (a text, b text) ON COMMIT DROP;
    CREATE TEMP TABLE baton_import_comp (comp text, survivor bigint) ON COMMIT DROP;
    CREATE TEMP TABLE baton_import_moving (node text PRIMARY KEY, sid text, from_cid bigint) ON COMMIT DROP;
END $$;

-- A run's merges are split but for those whose record moved on since (a
-- split of one would find the record gone: "no longer with customer").
CREATE OR REPLACE FUNCTION baton_split_run(p_run uuid)
RETURNS TABLE (merge_id uuid, customer_id bigint, apart bigint, repeats integer)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_merges uuid[];
    v_merge uuid;
    v_done integer := 0;
    v_said timestamptz := clock_timestamp();
BEGIN
    -- Refused in words before anything is looked at: whether a run exists
    -- is not everyone's to know.
    PERFORM baton_may_split();
    PERFORM baton_import_lock();
    IF NOT EXISTS (SELECT 1 FROM import_run r WHERE r.id = p_run) THEN
        RAISE EXCEPTION 'no import run %', p_run USING ERRCODE = 'no_data_found';
    END IF;
    SELECT coalesce(array_agg(m.id ORDER BY m.absorbed IS NOT NULL, m.id), '{}') INTO v_merges
    FROM customer_merge m
    WHERE m.run_id = p_run AND NOT EXISTS (SELECT 1 FROM customer_split s WHERE s.merge_id = m.id)
      AND NOT EXISTS (SELECT 1 FROM import_record_move o WHERE o.merge_id = m.id)
      AND baton_merge_repeated(m.id) IS NULL;
    FOREACH v_merge IN ARRAY v_merges LOOP
        -- A row a merge, with how many pre-140 repeats went with it.
        RETURN QUERY SELECT v_merge, x.customer_id, x.apart, x.repeats FROM baton_split_one(v_merge) x;
        v_done := v_done + 1;
        IF clock_timestamp() - v_said > interval '10 seconds' AND v_done < cardinality(v_merges) THEN
            RAISE NOTICE USING ERRCODE = 'BI002',
                MESSAGE = format('run %s: %s of %s merges split so far', p_run, v_done, cardinality(v_merges));
            v_said := clock_timestamp();
        END IF;
    END LOOP;
END $$;


-- The customer screen's "also:" line (152) no longer gives as evidence the
-- merge of a record that moved on: Northwind's said "same domain
-- nwh.example" of HubSpot 9876 after it had gone to Initech.
CREATE OR REPLACE FUNCTION baton_customer_also(p_customer bigint) RETURNS text
LANGUAGE plpgsql STABLE SET search_path = public, pg_temp SET plan_cache_mode = force_generic_plan AS $$
DECLARE
    -- The merges' evidence, as the line says it ("same domain x").
    v_why text[] := ARRAY(
        SELECT DISTINCT i FROM customer_merge m, regexp_split_to_table(m.identifiers, ', ') i
        WHERE m.customer_id = ANY (ARRAY(SELECT p_customer UNION ALL
                                         SELECT c.id FROM customer c WHERE c.merged_into = p_customer))
          AND i <> ''
          AND NOT EXISTS (SELECT 1 FROM customer_split s WHERE s.merge_id = m.id)
          -- nor a merge whose record moved on (153)
          AND NOT EXISTS (SELECT 1 FROM import_record_move o WHERE o.merge_id = m.id)
        ORDER BY i);
BEGIN
    RETURN nullif(concat_ws(' — ',
        (SELECT 'merged into #' || c.merged_into FROM customer c WHERE c.id = p_customer
         AND c.merged_into IS NOT NULL),
        (SELECT string_agg(x, ', ' ORDER BY x) FROM (
            SELECT coalesce(r.label, r.source) || ' ' || r.source_id AS x FROM import_record r
            WHERE r.customer_id = p_customer AND r.entity = 'customers'
            UNION ALL SELECT '#' || c.id || ' ' || c.name FROM customer c WHERE c.merged_into = p_customer) y),
        nullif(array_to_string(v_why, ', '), ''),
        (SELECT CASE WHEN count(*) = 1 THEN 'domain ' ELSE 'domains ' END
                || string_agg(d, ', ' ORDER BY d)
         FROM (SELECT DISTINCT d FROM import_record r, unnest(r.domains) d
               WHERE r.customer_id = p_customer AND r.entity = 'customers'
                 AND d IS DISTINCT FROM (SELECT lower(c.domain) FROM customer c WHERE c.id = p_customer)
                 AND NOT ('same domain ' || d) = ANY (v_why)
                 AND NOT EXISTS (SELECT 1 FROM baton_shared_domain s WHERE s.domain = d)) z
         HAVING count(*) > 0)), '');
END
$$;

-- 148's baton_import_customers, with each record's ids in other systems
-- written (import_record.ids), and a record's join that is a move not
-- counted among the customers merged (the run counts it as moved).
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
    -- A record that moved (153) joined its customer, a merge of its own to
    -- undo, but merged no customers: the run counts it as moved.
    merged := merged + inserted - (SELECT count(*) FROM customer_merge x JOIN pg_temp.baton_import_moving m
                                   ON x.joined_source = p_src AND x.joined_source_id = m.sid
                                   WHERE x.run_id = p_run);

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
        source_updated_at, run_id, owns, label, name, domains, external, fields, vals, ids)
    SELECT p_src, c.sid, 'customers', c.survivor, c.survivor, c.digest,
        (c.v ->> 'updated_at')::timestamptz, p_run,
        EXISTS (SELECT 1 FROM baton_import_new n WHERE n.sid = c.sid)
            OR (coalesce(c.owns, false) AND c.cid = c.survivor),
        p_spec ->> 'label', c.v ->> 'name',
        ARRAY(SELECT jsonb_array_elements_text(c.v -> 'domains')), v_sys || ':' || c.sid, v_fields,
        jsonb_strip_nulls(jsonb_build_object('plan', c.v -> 'plan', 'segment', c.v -> 'segment',
            'lifecycle', c.v -> 'lifecycle', 'owner', c.v -> 'owner', 'renewal_date', c.v -> 'renewal_date')),
        CASE WHEN v_ids THEN ARRAY(SELECT i.value FROM baton_import_ids_of(c.v) i ORDER BY i.value)
             ELSE '{}' END
    FROM baton_import_c c
    ON CONFLICT (source, source_id) DO UPDATE SET target_id = EXCLUDED.target_id,
        customer_id = EXCLUDED.customer_id, digest = EXCLUDED.digest,
        source_updated_at = EXCLUDED.source_updated_at, run_id = EXCLUDED.run_id,
        owns = EXCLUDED.owns, label = EXCLUDED.label, name = EXCLUDED.name,
        domains = EXCLUDED.domains, external = EXCLUDED.external, fields = EXCLUDED.fields,
        vals = EXCLUDED.vals, ids = EXCLUDED.ids;
    SELECT count(*) FILTER (WHERE state = 'new'), count(*) FILTER (WHERE state = 'updated')
        INTO inserted, updated FROM baton_import_c;
END $$;

REVOKE ALL ON FUNCTION baton_import_loosen(), baton_import_settle(), baton_import_unloosen(text[]),
    baton_import_move_all() FROM PUBLIC;
