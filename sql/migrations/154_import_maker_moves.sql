-- Baton schema, version 154: a CRM record that made its customer moves, as
-- one that joined it does (153), when a newer export corrects its domain
-- to another customer's and its customer keeps other records (#12, the
-- import-order variant of H1).
--
-- The CRM's export went in first: HubSpot company 9876 made Northwind
-- (#1) with nwh.example, and Zendesk organization 360001 joined it by that
-- domain.  A newer export says 9876's domain is initech.example, Initech's
-- (#2).  153 moved only records that joined their customer, so 9876
-- stayed #1's and its new domain merged #1 and #2.
--
-- Now such a record moves too, as 153 says of a joined one, when another
-- record of another file (or one of this file whose domains did not change
-- wholly) stays with its customer: the customer it leaves is then that
-- record's.  The record that stays longest with it (the first to have
-- joined it) makes it from then on (import_record.owns): the customer
-- takes its name and the fields it maps; the fields the record that left
-- gave it and no record there maps go back to their defaults, as a
-- joined record's do (153).  A record that is its customer's only one
-- still merges the two, as before: the customer and the record say the
-- same thing, and a merge keeps its screens, notes and handoffs.

-- 153's, with a record that made its customer loosened too when a record
-- of the customer outside the loosened ones stays with it.
CREATE OR REPLACE FUNCTION baton_import_loosen() RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    v_src text := (SELECT c.source FROM pg_temp.baton_import_ctx c);
BEGIN
    CREATE TEMP TABLE baton_import_loose (node text PRIMARY KEY, sid text, cid bigint, own text,
                                          by_own boolean, maker boolean) ON COMMIT DROP;
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
                         AND x.customer_id = c.cid AND (x.source, x.source_id) <> (v_src, c.sid))),
        coalesce(c.owns, false)
    FROM baton_import_c c
    JOIN import_record r ON r.source = v_src AND r.source_id = c.sid AND r.entity = 'customers'
    WHERE c.state = 'updated' AND c.cid IS NOT NULL
      AND cardinality(r.domains) > 0 AND jsonb_typeof(c.v -> 'domains') = 'array'
      AND jsonb_array_length(c.v -> 'domains') > 0
      AND NOT r.domains && ARRAY(SELECT jsonb_array_elements_text(c.v -> 'domains'));
    IF NOT FOUND THEN
        RETURN;
    END IF;
    -- A maker stays its customer's (and says what it says, as before)
    -- unless a record that is not loosened stays there too, to make it.
    DELETE FROM baton_import_loose x
    WHERE x.maker
      AND NOT EXISTS (SELECT 1 FROM import_record o
                      WHERE o.customer_id = x.cid AND o.entity = 'customers'
                        AND NOT EXISTS (SELECT 1 FROM baton_import_loose y
                                        WHERE o.source = v_src AND y.sid = o.source_id));
    IF NOT EXISTS (SELECT 1 FROM baton_import_loose) THEN
        RETURN;
    END IF;
    ANALYZE baton_import_loose;
    UPDATE baton_import_node n SET cid = NULL FROM baton_import_loose x WHERE x.node = n.node;
    DELETE FROM baton_import_claim c USING baton_import_loose x
    WHERE c.node = x.node AND c.kind = 'ext' AND c.value = x.own AND NOT x.by_own;
END $$;

-- 153's, with the customer a maker leaves handed to the record that stays
-- longest with it, before the fields the maker gave are given back.
CREATE OR REPLACE FUNCTION baton_import_move_all() RETURNS void
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
    -- A maker's customer to the record that stays longest with it (the
    -- first to have joined it; by key where no merge says when): it makes
    -- it from here on, in this file too (its fields, below, and its name).
    CREATE TEMP TABLE baton_import_heir ON COMMIT DROP AS
    SELECT DISTINCT ON (v.from_cid) v.from_cid AS cid, v.sid AS maker, x.source, x.source_id,
        coalesce(x.name, x.domains[1]) AS name, x.vals
    FROM baton_import_mv v
    JOIN import_record r ON r.source = v_src AND r.source_id = v.sid AND r.owns
    JOIN import_record x ON x.customer_id = v.from_cid AND x.entity = 'customers' AND NOT x.owns
    WHERE NOT EXISTS (SELECT 1 FROM baton_import_mv o WHERE (x.source, x.source_id) = (v_src, o.sid))
    ORDER BY v.from_cid,
        (SELECT min(j.at) FROM customer_merge j
         WHERE j.joined_source = x.source AND j.joined_source_id = x.source_id) NULLS LAST,
        x.source, x.source_id;
    IF EXISTS (SELECT 1 FROM baton_import_heir) THEN
        UPDATE import_record x SET owns = false FROM baton_import_heir h
        WHERE x.source = v_src AND x.source_id = h.maker;
        UPDATE import_record x SET owns = true FROM baton_import_heir h
        WHERE x.source = h.source AND x.source_id = h.source_id;
        UPDATE pg_temp.baton_import_c c SET owns = true FROM baton_import_heir h
        WHERE h.source = v_src AND c.sid = h.source_id;
    END IF;
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
    -- no other record that joined it maps the field (a maker's heir above
    -- is no longer one that joined: its fields are its, as a maker's).
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
    -- The heir's name and the fields it maps, as a maker's are (its
    -- record as last imported; this file's newer line, if any, after).
    UPDATE customer u SET name = coalesce(h.name, u.name),
        plan = coalesce(h.vals ->> 'plan', u.plan), segment = coalesce(h.vals ->> 'segment', u.segment),
        lifecycle = coalesce(h.vals ->> 'lifecycle', u.lifecycle),
        owner = coalesce((h.vals ->> 'owner')::name, u.owner),
        renewal_date = coalesce((h.vals ->> 'renewal_date')::date, u.renewal_date), updated_at = now()
    FROM baton_import_heir h
    WHERE u.id = h.cid
      AND (u.name, u.plan, u.segment, u.lifecycle, u.owner, u.renewal_date) IS DISTINCT FROM
          (coalesce(h.name, u.name), coalesce(h.vals ->> 'plan', u.plan),
           coalesce(h.vals ->> 'segment', u.segment), coalesce(h.vals ->> 'lifecycle', u.lifecycle),
           coalesce((h.vals ->> 'owner')::name, u.owner),
           coalesce((h.vals ->> 'renewal_date')::date, u.renewal_date));
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
