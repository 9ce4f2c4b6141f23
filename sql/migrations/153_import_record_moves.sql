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
-- node's customer again, and a component that has no customer is its
-- customer's.  (Its tie, the graph's 'self' edge, is not written back: the
-- components are made, and what reads the edges after leaves ties out.)
CREATE FUNCTION baton_import_unloosen(p_nodes text[]) RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    IF cardinality(p_nodes) = 0 THEN
        RETURN;
    END IF;
    UPDATE baton_import_node n SET cid = x.cid FROM baton_import_loose x
    WHERE x.node = n.node AND x.node = ANY (p_nodes);
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
                            AND (x.fields IS NULL OR d.k = ANY (x.fields))
                            -- (nor one that leaves with it: still its, until written)
                            AND NOT EXISTS (SELECT 1 FROM baton_import_mv o
                                            WHERE o.from_cid = w.from_cid AND (x.source, x.source_id) = (v_src, o.sid)));
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
        -- A merge takes tens of milliseconds beside 400,000 records:
        -- thousands take minutes, said every ten seconds (BI002, which
        -- the client shows as it shows BI001's wait).
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
    v_moved integer;
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
    -- A record that moved (153) joined its customer, a merge of its own to
    -- undo, but merged no customers: the run counts it as moved.
    WITH j AS (
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
          AND NOT EXISTS (SELECT 1 FROM customer_merge x WHERE x.run_id = p_run AND x.absorbed = c.cid)
        RETURNING joined_source_id)
    SELECT count(*), count(*) FILTER (WHERE j.joined_source_id IN (SELECT m.sid FROM pg_temp.baton_import_moving m))
    INTO inserted, v_moved FROM j;
    merged := merged + inserted - v_moved;

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

-- 137's baton_import_resolve_graph, with the merges naming the file's
-- identifiers found by a lookup each and their keys matched by a join (see
-- baton_import_vkeys), a merge whose record moved on left out; otherwise
-- unchanged.
CREATE OR REPLACE FUNCTION baton_import_resolve_graph(p_shared text[]) RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    v_max integer := baton_setting_value('import_max_join')::integer;
    v_src text := (SELECT c.source FROM pg_temp.baton_import_ctx c);
    v_n integer;
    v_comps text[];
    v_edge record;
    v_ra text;
    v_rb text;
    v_keys text[];
    v_joins text[];
BEGIN
    -- Neither a shared domain nor an address at one (7.) is anyone's.
    DELETE FROM baton_import_claim c WHERE c.value IS NULL OR (c.kind = 'domain'
        AND (c.value = ANY (coalesce(p_shared, '{}'))
             OR EXISTS (SELECT 1 FROM baton_shared_domain d WHERE d.domain = c.value)));
    -- An address's domain as baton_norm_domain has it: 116 wrote its rule
    -- for a plain address again here, to skip the function's regular
    -- expressions; the function takes a plain one inline since 121.
    DELETE FROM baton_import_claim c
    USING (SELECT d.domain FROM baton_shared_domain d UNION SELECT unnest(coalesce(p_shared, '{}'))) s
    WHERE c.kind = 'email' AND s.domain = baton_norm_domain(c.value);
    -- The customers kept apart, as they are now: both ways round.
    CREATE TEMP TABLE baton_import_apart (a bigint, b bigint, PRIMARY KEY (a, b)) ON COMMIT DROP;
    INSERT INTO baton_import_apart
    SELECT DISTINCT p.a, p.b FROM customer_split s
    JOIN customer x ON x.id = s.customer_id JOIN customer y ON y.id = s.apart
    CROSS JOIN LATERAL (VALUES (coalesce(x.merged_into, x.id), coalesce(y.merged_into, y.id)),
                               (coalesce(y.merged_into, y.id), coalesce(x.merged_into, x.id))) p (a, b)
    WHERE p.a <> p.b;
    ANALYZE baton_import_apart;
    -- The customer records holding each domain, and their customers: a
    -- lookup in the domains' GIN index each (128).
    CREATE TEMP TABLE baton_import_held ON COMMIT DROP AS
    WITH k AS MATERIALIZED (SELECT DISTINCT value FROM baton_import_claim WHERE kind = 'domain')
    SELECT k.value, r.customer_id AS cid, r.source, r.source_id AS sid FROM k
    CROSS JOIN LATERAL (SELECT r.customer_id, r.source, r.source_id FROM import_record r, unnest(r.domains) d(d)
          WHERE r.entity = 'customers' AND r.domains @> ARRAY[k.value] AND d.d = k.value) r;
    ANALYZE baton_import_held;
    -- One join per kind of identifier, which the planner may hash: a
    -- lateral query per identifier cost 010 most of a contacts file.  How
    -- a customer holds it, strongest first: an id (1), its own domain (2),
    -- a record's (3), a contact's domain (4) or address (5).
    -- A file with fewer identifiers than a ninth of the contacts or the
    -- customers has each looked up in their indexes (128): for a page of
    -- 10,000 contacts the planner hashed all 320,000 contacts' addresses
    -- and 90,000 customers' domains (180 and 55 ms), where the lookups
    -- take a fraction of that.  A lookup costs about what nine rows
    -- hashed do (measured: 3.8 and 0.42 microseconds).
    v_joins := baton_import_lookups(baton_import_few('pg_temp.baton_import_claim',
        (SELECT max(c.reltuples) FROM pg_class c WHERE c.oid IN ('contact'::regclass, 'customer'::regclass))::numeric));
    CREATE TEMP TABLE baton_import_found ON COMMIT DROP AS
    -- Each kind's identifiers apart (116): one set of all three, filtered
    -- by kind, was estimated at 0.5% of its rows for each (a CTE has no
    -- statistics), and the 240,000 addresses of a contacts file were
    -- sorted to be merge-joined with every contact.
    WITH kx AS MATERIALIZED (SELECT DISTINCT value FROM baton_import_claim WHERE kind = 'ext'),
         kd AS MATERIALIZED (SELECT DISTINCT value FROM baton_import_claim WHERE kind = 'domain'),
         ke AS MATERIALIZED (SELECT DISTINCT value FROM baton_import_claim WHERE kind = 'email')
    SELECT x.kind, x.value, x.cid, min(x.how) AS how FROM (
        SELECT 'ext' AS kind, k.value, e.customer_id AS cid, 1 AS how FROM kx k JOIN customer_external_id e
            ON e.system = split_part(k.value, ':', 1) AND e.external_id = substr(k.value, strpos(k.value, ':') + 1)
        UNION ALL SELECT 'domain', k.value, c.id, 2 FROM kd k JOIN customer c ON lower(c.domain) = k.value
        WHERE c.merged_into IS NULL
        UNION ALL SELECT 'domain', h.value, h.cid, 3 FROM baton_import_held h
        UNION ALL SELECT 'domain', k.value, t.customer_id, 4 FROM kd k JOIN contact t
            ON baton_norm_domain(t.email) = k.value AND t.email IS NOT NULL
        UNION ALL SELECT 'email', k.value, t.customer_id, 5 FROM ke k JOIN contact t
            ON lower(t.email) = k.value AND t.email IS NOT NULL) x
    GROUP BY x.kind, x.value, x.cid;
    PERFORM baton_import_lookups_end(v_joins);
    ANALYZE baton_import_found;
    -- Only an identifier that two customers or nodes hold, or two nodes
    -- claim, can join anything, count against the limit or be evidence
    -- (122): one that only its claimant holds (a contact's own address, a
    -- new company's domain no one else has) makes no edge below, and is
    -- no candidate.  The others' claims and holders are set aside here,
    -- before the statements below read each of them several times.
    CREATE TEMP TABLE baton_import_contested ON COMMIT DROP AS
    SELECT x.kind, x.value FROM (
        SELECT c.kind, c.value, n.cid, true AS claim FROM baton_import_claim c
        LEFT JOIN baton_import_node n USING (node)
        UNION ALL SELECT f.kind, f.value, f.cid, false FROM baton_import_found f) x
    GROUP BY x.kind, x.value
    HAVING count(*) FILTER (WHERE x.claim) > 1 OR bool_or(x.claim AND x.cid IS NULL) AND NOT bool_and(x.claim)
        OR min(x.cid) <> max(x.cid);
    ANALYZE baton_import_contested;
    -- Kept by copying the few contested ones (137): deleting the others
    -- deleted nearly every row (1.3 s of a file of 300,000 contacts none
    -- of whose identifiers is contested).
    CREATE TEMP TABLE baton_import_claim_kept ON COMMIT DROP AS
    SELECT c.* FROM baton_import_claim c
    WHERE EXISTS (SELECT 1 FROM baton_import_contested k WHERE k.kind = c.kind AND k.value = c.value);
    DROP TABLE baton_import_claim;
    ALTER TABLE baton_import_claim_kept RENAME TO baton_import_claim;
    CREATE TEMP TABLE baton_import_found_kept ON COMMIT DROP AS
    SELECT f.* FROM baton_import_found f
    WHERE EXISTS (SELECT 1 FROM baton_import_contested k WHERE k.kind = f.kind AND k.value = f.value);
    DROP TABLE baton_import_found;
    ALTER TABLE baton_import_found_kept RENAME TO baton_import_found;
    ANALYZE baton_import_claim;
    ANALYZE baton_import_found;

    -- The holders of each identifier.  Records of one source are so many
    -- companies, merged or not (three HubSpot companies at
    -- reseller.example, merged by it, are three for the fourth, whichever
    -- file each came in); records of different sources may be one (Acme in
    -- the helpdesk, the CRM and billing is one), so a domain counts the most
    -- records one source has at it, this file's included.  The others (a
    -- customer's own domain, its contacts', an id; this file's nodes) are
    -- each a customer or a node.
    CREATE TEMP TABLE baton_import_rec ON COMMIT DROP AS
    SELECT value, max(n) AS n FROM (
        SELECT value, source, count(*) AS n FROM (
            SELECT h.value, h.source, h.sid FROM baton_import_held h
            UNION SELECT c.value, v_src, substr(c.node, 3) FROM baton_import_claim c
            WHERE c.kind = 'domain' AND c.node LIKE 'r:%') r
        GROUP BY value, source) s
    GROUP BY value;
    CREATE TEMP TABLE baton_import_oth ON COMMIT DROP AS
    SELECT f.kind, f.value, 'c:' || f.cid AS who FROM baton_import_found f
    WHERE NOT EXISTS (SELECT 1 FROM baton_import_held h
                      WHERE f.kind = 'domain' AND h.value = f.value AND h.cid = f.cid)
    UNION SELECT c.kind, c.value, coalesce('c:' || n.cid, c.node)
    FROM baton_import_claim c JOIN baton_import_node n USING (node)
    WHERE NOT (c.kind = 'domain' AND c.node LIKE 'r:%')
      AND NOT EXISTS (SELECT 1 FROM baton_import_held h
                      WHERE c.kind = 'domain' AND h.value = c.value AND h.cid = n.cid);
    ANALYZE baton_import_oth;
    -- The identifiers that join something: held by two customers or nodes
    -- or more.  Only these are counted against the limit (and reported):
    -- one that only one customer holds joins nothing, however many
    -- customers it made that one of.
    CREATE TEMP TABLE baton_import_cand ON COMMIT DROP AS
    SELECT kind, value FROM (
        SELECT o.kind, o.value, o.who FROM baton_import_oth o
        UNION SELECT 'domain', h.value, 'c:' || h.cid FROM baton_import_held h
        UNION SELECT 'domain', c.value, coalesce('c:' || n.cid, c.node)
        FROM baton_import_claim c JOIN baton_import_node n USING (node)
        WHERE c.kind = 'domain' AND c.node LIKE 'r:%') x
    GROUP BY kind, value HAVING count(*) >= 2;
    SELECT ARRAY(SELECT kind || ':' || value FROM baton_import_cand) INTO v_keys;

    -- What each customer holding such an identifier is, in companies that
    -- identifier made it of (097): the merges into its profile that named
    -- it, not split since, the most of one source's files (one company in
    -- several systems: its helpdesk organization, billing customer and
    -- mailing list joined by their contacts at its domain); and one more
    -- when a customer they merged into held it itself, or nothing was
    -- merged by it.  A record joined to the customer that its own customer
    -- was absorbed into, in the same file, is that absorption.  The merges
    -- are read by their keys' index when the identifiers are few (a page
    -- of organizations), else all of them (a contacts file that joins
    -- thousands of customers).
    -- v_keys as a table, joined by hash (153): tested with = ANY, each
    -- merge's keys were compared with every one of them, and a customer
    -- whose joins each carry its 2,000 domains as into_keys made a file of
    -- 2,000 records joining or leaving it take minutes, more each time.
    CREATE TEMP TABLE baton_import_vkeys ON COMMIT DROP AS SELECT DISTINCT k AS key FROM unnest(v_keys) k;
    ANALYZE baton_import_vkeys;
    CREATE TEMP TABLE baton_import_mw ON COMMIT DROP AS
    WITH m AS MATERIALIZED (
        SELECT m.id, m.customer_id, m.run_id, m.keys, m.into_keys, m.joined_source, m.joined_source_id
        FROM customer_merge m
        WHERE cardinality(v_keys) > 0
          -- the merges naming one of them, each looked up in the keys'
          -- index (153): && tested every merge's keys against every one
          -- of them (279 s for 2,000 identifiers and 10,000 merges of
          -- 2,000 keys each)
          AND (cardinality(v_keys) > 2000
               OR m.id = ANY (ARRAY(SELECT x.id FROM baton_import_vkeys v
                                    JOIN customer_merge x ON (x.keys || x.into_keys) @> ARRAY[v.key])))
          AND NOT EXISTS (SELECT 1 FROM customer_split s WHERE s.merge_id = m.id)
          -- nor a merge whose record moved on (153): it holds nothing now
          AND NOT EXISTS (SELECT 1 FROM import_record_move o WHERE o.merge_id = m.id)
          AND NOT (m.joined_source IS NOT NULL AND EXISTS (
                SELECT 1 FROM customer_merge a
                WHERE a.customer_id = m.customer_id AND a.run_id = m.run_id AND a.absorbed IS NOT NULL
                  AND a.moved -> 'import_record'
                      @> jsonb_build_array(jsonb_build_array(m.joined_source, m.joined_source_id)))))
    SELECT x.cid, split_part(x.key, ':', 1) AS kind, substr(x.key, strpos(x.key, ':') + 1) AS value,
           max(x.n) + CASE WHEN bool_or(x.held) OR max(x.n) = 0 THEN 1 ELSE 0 END AS n FROM (
        SELECT coalesce(c.merged_into, c.id) AS cid, u.key,
               r.source,
               count(*) FILTER (WHERE u.named) AS n,
               bool_or(NOT u.named) AS held
        FROM m JOIN customer c ON c.id = m.customer_id
        JOIN import_run r ON r.id = m.run_id
        -- each key once a merge as named (keys), once as held (into_keys)
        CROSS JOIN LATERAL (SELECT k, true FROM unnest(m.keys) k
                            UNION SELECT k, false FROM unnest(m.into_keys) k) u (key, named)
        JOIN baton_import_vkeys v ON v.key = u.key
        GROUP BY 1, 2, 3) x
    GROUP BY x.cid, x.key;
    ANALYZE baton_import_mw;

    -- How many companies would an identifier join: the records (060), a
    -- customer holding it by records counting too what it merged into it
    -- beyond them (a consultancy that is a CRM company, and the clients its
    -- contacts joined), and the others as what it made them.
    CREATE TEMP TABLE baton_import_unused ON COMMIT DROP AS
    SELECT x.kind, x.value, sum(x.n)::bigint AS n FROM (
        SELECT 'domain' AS kind, r.value, r.n FROM baton_import_rec r
        UNION ALL
        SELECT 'domain', h.value, greatest(0, w.n - h.recs)
        FROM (SELECT value, cid, max(n) AS recs
              FROM (SELECT value, cid, source, count(*) AS n FROM baton_import_held GROUP BY 1, 2, 3) s
              GROUP BY 1, 2) h
        JOIN baton_import_mw w ON w.cid = h.cid AND w.kind = 'domain' AND w.value = h.value
        UNION ALL
        SELECT o.kind, o.value, coalesce(w.n, 1) FROM baton_import_oth o
        LEFT JOIN baton_import_mw w
            ON w.cid = CASE WHEN o.who LIKE 'c:%' THEN substr(o.who, 3)::bigint END
           AND w.kind = o.kind AND w.value = o.value) x
    JOIN baton_import_cand k ON k.kind = x.kind AND k.value = x.value
    GROUP BY x.kind, x.value HAVING sum(x.n) > v_max;
    -- (Mostly none: then the claims are not sorted for nothing, 116.)
    IF EXISTS (SELECT 1 FROM baton_import_unused) THEN
        DELETE FROM baton_import_claim c USING baton_import_unused u
        WHERE u.kind = c.kind AND u.value = c.value;
    END IF;

    CREATE TEMP TABLE baton_import_edge (a text, b text, kind text, value text, how integer) ON COMMIT DROP;
    INSERT INTO baton_import_edge
    SELECT c.node, 'c:' || f.cid, c.kind, c.value, f.how
    FROM baton_import_claim c JOIN baton_import_node n USING (node)
    JOIN baton_import_found f USING (kind, value)
    WHERE f.cid IS DISTINCT FROM n.cid AND c.node <> 'c:' || f.cid
      AND NOT EXISTS (SELECT 1 FROM baton_import_apart p WHERE p.a = n.cid AND p.b = f.cid);
    INSERT INTO baton_import_edge
    SELECT c.node, m.node, c.kind, c.value, CASE c.kind WHEN 'ext' THEN 1 WHEN 'domain' THEN 3 ELSE 5 END
    FROM baton_import_claim c
    JOIN (SELECT kind, value, min(node) AS node FROM baton_import_claim GROUP BY 1, 2) m USING (kind, value)
    JOIN baton_import_node n1 ON n1.node = c.node JOIN baton_import_node n2 ON n2.node = m.node
    WHERE c.node <> m.node
      AND NOT EXISTS (SELECT 1 FROM baton_import_apart p WHERE p.a = n1.cid AND p.b = n2.cid);
    INSERT INTO baton_import_edge
    SELECT node, 'c:' || cid, 'self', NULL, 0 FROM baton_import_node
    WHERE cid IS NOT NULL AND node <> 'c:' || cid;
    -- baton_import_why reads a node's edges, once per merge.
    CREATE INDEX ON baton_import_edge (a);
    CREATE INDEX ON baton_import_edge (b);
    ANALYZE baton_import_edge;
    -- baton_import_absorb_all reads an absorbed customer's nodes.
    CREATE INDEX ON baton_import_node (cid);
    ANALYZE baton_import_node;

    -- Components: each node takes the smallest label among its
    -- neighbours' until none changes (a few rounds: chains are short).
    CREATE TEMP TABLE baton_import_lab (n text PRIMARY KEY, l text) ON COMMIT DROP;
    INSERT INTO baton_import_lab SELECT n, n FROM (SELECT node FROM baton_import_node
        UNION SELECT b FROM baton_import_edge) x(n);
    CREATE TEMP TABLE baton_import_e2 ON COMMIT DROP AS
    SELECT a, b FROM baton_import_edge UNION SELECT b, a FROM baton_import_edge;
    ANALYZE baton_import_lab;
    ANALYZE baton_import_e2;
    LOOP
        UPDATE baton_import_lab x SET l = m.l
        FROM (SELECT e.a AS n, min(y.l) AS l FROM baton_import_e2 e
              JOIN baton_import_lab y ON y.n = e.b GROUP BY e.a) m
        WHERE x.n = m.n AND m.l < x.l;
        GET DIAGNOSTICS v_n = ROW_COUNT;
        EXIT WHEN v_n = 0;
        -- and then its label's label, until none changes (137): a label
        -- went one edge a round, and a chain of records each naming the
        -- next took a round per record (800 of them: 1,601 rounds, 103 s).
        -- Each such round halves what is left of the way.
        LOOP
            UPDATE baton_import_lab x SET l = y.l FROM baton_import_lab y
            WHERE y.n = x.l AND y.l < x.l;
            GET DIAGNOSTICS v_n = ROW_COUNT;
            EXIT WHEN v_n = 0;
        END LOOP;
    END LOOP;
    -- and a component's nodes, once per absorbed customer.
    CREATE INDEX ON baton_import_lab (l);
    ANALYZE baton_import_lab;

    -- Components holding two customers kept apart are built again, one
    -- edge at a time, following no edge that would join such two.  Each
    -- node's group (r) is named by its smallest node, as labels are.
    IF EXISTS (SELECT 1 FROM baton_import_apart) THEN
        CREATE TEMP TABLE baton_import_uf ON COMMIT DROP AS
        SELECT l.n, l.n AS r, l.l AS comp,
               coalesce(n.cid, CASE WHEN l.n LIKE 'c:%' THEN substr(l.n, 3)::bigint END) AS cid
        FROM baton_import_lab l LEFT JOIN baton_import_node n ON n.node = l.n;
        CREATE INDEX ON baton_import_uf (cid);
        ANALYZE baton_import_uf;
        SELECT array_agg(DISTINCT x.comp) INTO v_comps FROM baton_import_apart p
        JOIN baton_import_uf x ON x.cid = p.a JOIN baton_import_uf y ON y.cid = p.b AND y.comp = x.comp;
        IF v_comps IS NOT NULL THEN
            DELETE FROM baton_import_uf u WHERE u.comp <> ALL (v_comps);
            CREATE UNIQUE INDEX ON baton_import_uf (n);
            CREATE INDEX ON baton_import_uf (r);
            ANALYZE baton_import_uf;
            FOR v_edge IN SELECT x.a, x.b FROM baton_import_edge x
                     JOIN baton_import_uf ua ON ua.n = x.a JOIN baton_import_uf ub ON ub.n = x.b
                     ORDER BY x.how, least(ua.cid, ub.cid) NULLS LAST, x.a, x.b LOOP
                SELECT u.r INTO v_ra FROM baton_import_uf u WHERE u.n = v_edge.a;
                SELECT u.r INTO v_rb FROM baton_import_uf u WHERE u.n = v_edge.b;
                CONTINUE WHEN v_ra = v_rb OR EXISTS (
                    SELECT 1 FROM baton_import_uf x JOIN baton_import_apart p ON p.a = x.cid
                    JOIN baton_import_uf y ON y.cid = p.b
                    WHERE x.r = v_ra AND y.r = v_rb);
                UPDATE baton_import_uf SET r = least(v_ra, v_rb) WHERE r IN (v_ra, v_rb);
            END LOOP;
            UPDATE baton_import_lab l SET l = u.r FROM baton_import_uf u WHERE u.n = l.n;
            -- The edges not followed are no evidence of anything.
            DELETE FROM baton_import_edge x USING baton_import_uf ua, baton_import_uf ub
            WHERE ua.n = x.a AND ub.n = x.b AND ua.r <> ub.r;
            ANALYZE baton_import_lab;
        END IF;
    END IF;

    CREATE TEMP TABLE baton_import_comp ON COMMIT DROP AS
    SELECT l.l AS comp, min(coalesce(n.cid, CASE WHEN l.n LIKE 'c:%' THEN substr(l.n, 3)::bigint END))
           AS survivor
    FROM baton_import_lab l LEFT JOIN baton_import_node n ON n.node = l.n GROUP BY l.l;
    ANALYZE baton_import_comp;
END $$;

REVOKE ALL ON FUNCTION baton_import_loosen(), baton_import_settle(), baton_import_unloosen(text[]),
    baton_import_move_all() FROM PUBLIC;
