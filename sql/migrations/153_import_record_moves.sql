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

-- Before the graph: a customers file's records that joined their customer
-- and whose domains are all new are resolved as new records are (their
-- node without its customer), and their own id is no tie to it unless
-- they joined by it.
CREATE FUNCTION baton_import_loosen() RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    v_src text := (SELECT c.source FROM pg_temp.baton_import_ctx c);
BEGIN
    CREATE TEMP TABLE baton_import_loose (node text PRIMARY KEY, sid text, cid bigint, own text,
                                          by_own boolean) ON COMMIT DROP;
    IF (SELECT r.entity FROM import_run r JOIN pg_temp.baton_import_ctx c ON c.run = r.id) <> 'customers' THEN
        RETURN;
    END IF;
    INSERT INTO baton_import_loose
    SELECT 'r:' || c.sid, c.sid, c.cid, r.external,
        r.external IS NOT NULL AND EXISTS (
            SELECT 1 FROM customer_merge m
            WHERE m.joined_source = v_src AND m.joined_source_id = c.sid
              AND ('ext:' || r.external) = ANY (m.keys)
              AND NOT EXISTS (SELECT 1 FROM customer_split s WHERE s.merge_id = m.id))
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
-- customers only moves to it.
CREATE FUNCTION baton_import_settle() RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    CREATE TEMP TABLE baton_import_moving ON COMMIT DROP AS
    SELECT x.node, x.sid, x.cid AS from_cid, l.l AS comp FROM baton_import_loose x
    JOIN baton_import_lab l ON l.n = x.node JOIN baton_import_comp k ON k.comp = l.l
    WHERE k.survivor IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM baton_import_lab y LEFT JOIN baton_import_node n ON n.node = y.n
                      WHERE y.l = l.l
                        AND coalesce(n.cid, CASE WHEN y.n LIKE 'c:%' THEN substr(y.n, 3)::bigint END) = x.cid);
    IF NOT EXISTS (SELECT 1 FROM baton_import_loose) THEN
        RETURN;
    END IF;
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
-- (the record is its customer's again); the others are made: the
-- record's id, its children, the contacts' tickets and answers, and the
-- fields it gave the customer it leaves, as a split takes them (143, 091),
-- and the move is written down.
CREATE FUNCTION baton_import_move_all() RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    v_run uuid := (SELECT c.run FROM pg_temp.baton_import_ctx c);
    v_src text := (SELECT c.source FROM pg_temp.baton_import_ctx c);
    v record;
    v_key text;
    v_ents text[];
    v_targets bigint[];
    v_srcs text[];
    v_sids text[];
    v_entity text;
    v_contacts bigint[];
    v_back text[];
    r import_record%ROWTYPE;
BEGIN
    IF to_regclass('pg_temp.baton_import_moving') IS NULL OR NOT EXISTS (SELECT 1 FROM baton_import_moving) THEN
        RETURN;
    END IF;
    PERFORM baton_import_unloosen(ARRAY(SELECT m.node FROM baton_import_moving m
                                        JOIN baton_import_lab l ON l.n = m.node
                                        JOIN baton_import_comp k ON k.comp = l.l
                                        WHERE k.survivor IS NULL));
    DELETE FROM baton_import_moving m USING baton_import_node n WHERE n.node = m.node AND n.cid IS NOT NULL;
    FOR v IN SELECT m.sid, m.from_cid, k.survivor AS to_cid FROM baton_import_moving m
             JOIN baton_import_lab l ON l.n = m.node JOIN baton_import_comp k ON k.comp = l.l
             ORDER BY m.sid LOOP
        SELECT * INTO STRICT r FROM import_record x WHERE x.source = v_src AND x.source_id = v.sid;
        v_key := v_src || ':' || v.sid;
        IF r.external IS NOT NULL THEN
            UPDATE customer_external_id e SET customer_id = v.to_cid
            WHERE e.system = split_part(r.external, ':', 1) AND e.external_id = v.sid
              AND e.customer_id = v.from_cid;
        END IF;
        -- The records whose parent it is, among its customer's (143).
        SELECT coalesce(array_agg(x.entity), '{}'), coalesce(array_agg(x.target_id), '{}'),
               coalesce(array_agg(x.source), '{}'), coalesce(array_agg(x.source_id), '{}')
        INTO v_ents, v_targets, v_srcs, v_sids
        FROM import_record x WHERE x.customer_id = v.from_cid AND x.parent = v_key AND x.entity <> 'notes';
        FOR v_entity IN SELECT DISTINCT e FROM unnest(v_ents) e LOOP
            EXECUTE format('UPDATE %I t SET customer_id = $1 FROM unnest($2::text[], $3::bigint[]) k (entity, id)'
                           ' WHERE k.entity = $4 AND t.id = k.id AND t.customer_id = $5',
                           baton_import_table(v_entity))
                USING v.to_cid, v_ents, v_targets, v_entity, v.from_cid;
        END LOOP;
        UPDATE import_record x SET customer_id = v.to_cid FROM unnest(v_srcs, v_sids) k (source, source_id)
        WHERE x.source = k.source AND x.source_id = k.source_id;
        -- What reached the customer through the contacts that went (096):
        -- a ticket or answer that names its requester and no organization.
        v_contacts := ARRAY(SELECT k.id FROM unnest(v_ents, v_targets) k (entity, id) WHERE k.entity = 'contacts');
        IF cardinality(v_contacts) > 0 THEN
            WITH moved AS (
                UPDATE ticket t SET customer_id = v.to_cid FROM import_record x
                WHERE t.customer_id = v.from_cid AND t.requester_id = ANY (v_contacts)
                  AND x.customer_id = v.from_cid AND x.entity = 'tickets' AND x.target_id = t.id
                  AND x.parent IS NULL
                RETURNING t.id)
            UPDATE import_record x SET customer_id = v.to_cid FROM moved
            WHERE x.customer_id = v.from_cid AND x.entity = 'tickets' AND x.target_id = moved.id;
            WITH moved AS (
                UPDATE survey_response t SET customer_id = v.to_cid FROM import_record x
                WHERE t.customer_id = v.from_cid AND t.contact_id = ANY (v_contacts)
                  AND x.customer_id = v.from_cid AND x.entity = 'surveys' AND x.target_id = t.id
                  AND x.parent IS NULL
                RETURNING t.id)
            UPDATE import_record x SET customer_id = v.to_cid FROM moved
            WHERE x.customer_id = v.from_cid AND x.entity = 'surveys' AND x.target_id = moved.id;
        END IF;
        -- The fields it gave the customer it leaves, back to their
        -- defaults, as a split's (091): only while the customer has the
        -- record's value and no other record that joined it maps the field.
        SELECT coalesce(array_agg(d.k), '{}') INTO v_back
        FROM (VALUES ('plan', 'starter'), ('segment', 'smb'), ('lifecycle', 'onboarding'),
                     ('owner', NULL), ('renewal_date', NULL)) d (k, dflt),
             customer c
        WHERE c.id = v.from_cid AND to_jsonb(c) ->> d.k = r.vals ->> d.k
          AND (r.vals ->> d.k) IS DISTINCT FROM d.dflt
          AND (SELECT bool_and(x.fields IS NOT NULL) AND NOT bool_or(d.k = ANY (x.fields))
               FROM import_record x WHERE x.customer_id = v.from_cid AND x.entity = 'customers' AND x.owns)
          AND NOT EXISTS (SELECT 1 FROM import_record x
                          WHERE x.customer_id = v.from_cid AND x.entity = 'customers' AND NOT x.owns
                            AND (x.source, x.source_id) <> (v_src, v.sid)
                            AND (x.fields IS NULL OR d.k = ANY (x.fields)));
        UPDATE customer u SET
            plan = CASE WHEN 'plan' = ANY (v_back) THEN 'starter' ELSE u.plan END,
            segment = CASE WHEN 'segment' = ANY (v_back) THEN 'smb' ELSE u.segment END,
            lifecycle = CASE WHEN 'lifecycle' = ANY (v_back) THEN 'onboarding' ELSE u.lifecycle END,
            owner = CASE WHEN 'owner' = ANY (v_back) THEN NULL ELSE u.owner END,
            renewal_date = CASE WHEN 'renewal_date' = ANY (v_back) THEN NULL ELSE u.renewal_date END,
            updated_at = now()
        WHERE u.id = v.from_cid AND cardinality(v_back) > 0;
        INSERT INTO import_record_move (run_id, source, source_id, label, from_customer, customer_id,
                                        merge_id, identifiers)
        SELECT v_run, v_src, v.sid, r.label, v.from_cid, v.to_cid,
            (SELECT m.id FROM customer_merge m JOIN customer c ON c.id = m.customer_id
             WHERE m.joined_source = v_src AND m.joined_source_id = v.sid
               AND coalesce(c.merged_into, c.id) = v.from_cid
               AND NOT EXISTS (SELECT 1 FROM customer_split s WHERE s.merge_id = m.id)
               AND NOT EXISTS (SELECT 1 FROM import_record_move o WHERE o.merge_id = m.id)
             ORDER BY m.at DESC LIMIT 1),
            coalesce(baton_import_why('r:' || v.sid, NULL), '');
    END LOOP;
    -- The customers a record left: their screens list it (the one it joins
    -- is told by its merge).  Once each, whatever moved (a transaction's
    -- notifications are told once).
    PERFORM count(pg_notify('baton', 'customer:' || x.c))
    FROM (SELECT DISTINCT m.from_cid AS c FROM baton_import_moving m) x;
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

REVOKE ALL ON FUNCTION baton_import_loosen(), baton_import_settle(), baton_import_unloosen(text[]),
    baton_import_move_all() FROM PUBLIC;
