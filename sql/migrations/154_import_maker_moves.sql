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
-- record stays with its customer (one of another file, or of this file
-- that does not move): the customer it leaves is then that record's.  The
-- record that joined it first makes it from then on (import_record.owns):
-- the customer takes its name and its fields as if it had made it (a
-- field only the record that left mapped comes from the records that
-- stay, else its default).  The merge that brought that record in (its
-- join, or the absorption of its customer) is then no merge to undo:
-- baton split refuses it, split --run leaves it, baton merges marks it.
-- A record that is its customer's only one, or whose customer's other
-- records leave too, still merges the two, as before: the customer and
-- the record say the same thing, and a merge keeps its screens, notes and
-- handoffs.
--
-- And what a superuser's migration made (134's absorption, 153's moves)
-- is handed to the role owning Baton's functions, as 139 does (end).

-- 153's, with a record that made its customer loosened too when its
-- customer has another record (whether that one stays is known after the
-- graph: baton_import_hand_over).
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
    -- A maker that is its customer's only record stays its customer's
    -- (and says what it says, as before).  (Whether another stays with it
    -- is known once the others' moves are: baton_import_hand_over.)
    DELETE FROM baton_import_loose x
    WHERE x.maker
      AND NOT EXISTS (SELECT 1 FROM import_record o
                      WHERE o.customer_id = x.cid AND o.entity = 'customers'
                        AND (o.source, o.source_id) <> (v_src, x.sid));
    IF NOT EXISTS (SELECT 1 FROM baton_import_loose) THEN
        RETURN;
    END IF;
    ANALYZE baton_import_loose;
    UPDATE baton_import_node n SET cid = NULL FROM baton_import_loose x WHERE x.node = n.node;
    DELETE FROM baton_import_claim c USING baton_import_loose x
    WHERE c.node = x.node AND c.kind = 'ext' AND c.value = x.own AND NOT x.by_own;
END $$;

-- Before the moves (153's baton_import_move_all): the customer a moving
-- maker leaves goes to the record that joined it first (by key where no
-- merge says when), which makes it from then on, in this file too: the
-- customer takes its name and its fields (below).
CREATE FUNCTION baton_import_hand_over() RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    v_src text := (SELECT c.source FROM pg_temp.baton_import_ctx c);
BEGIN
    IF NOT EXISTS (SELECT 1 FROM baton_import_moving) THEN
        RETURN;
    END IF;
    -- The moves that will be made, as baton_import_move_all finds them
    -- (which does the same again, finding nothing more).
    PERFORM baton_import_unloosen(ARRAY(SELECT m.node FROM baton_import_moving m
                                        JOIN baton_import_lab l ON l.n = m.node
                                        JOIN baton_import_comp k ON k.comp = l.l
                                        WHERE k.survivor IS NULL));
    DELETE FROM baton_import_moving m USING baton_import_node n WHERE n.node = m.node AND n.cid IS NOT NULL;
    -- A maker whose customer keeps no record (the others move too) stays
    -- its customer's, and the two are merged, as before 154: the oldest
    -- of them survives.
    CREATE TEMP TABLE baton_import_alone ON COMMIT DROP AS
    SELECT m.node, m.from_cid FROM baton_import_moving m
    JOIN import_record r ON r.source = v_src AND r.source_id = m.sid AND r.owns
    WHERE NOT EXISTS (SELECT 1 FROM import_record x
                      WHERE x.customer_id = m.from_cid AND x.entity = 'customers'
                        AND NOT EXISTS (SELECT 1 FROM baton_import_moving o
                                        WHERE (x.source, x.source_id) = (v_src, o.sid)));
    IF EXISTS (SELECT 1 FROM baton_import_alone) THEN
        -- (and the records leaving its customer for the group it is in:
        -- they go with their customer, no move)
        INSERT INTO baton_import_alone
        SELECT m.node, m.from_cid FROM baton_import_moving m JOIN baton_import_lab l ON l.n = m.node
        WHERE NOT EXISTS (SELECT 1 FROM baton_import_alone a WHERE a.node = m.node)
          AND EXISTS (SELECT 1 FROM baton_import_alone a JOIN baton_import_lab la ON la.n = a.node
                      WHERE a.from_cid = m.from_cid AND la.l = l.l);
        UPDATE baton_import_node n SET cid = a.from_cid FROM baton_import_alone a WHERE a.node = n.node;
        UPDATE baton_import_comp k SET survivor = least(k.survivor, s.cid)
        FROM (SELECT l.l, min(a.from_cid) AS cid FROM baton_import_alone a
              JOIN baton_import_lab l ON l.n = a.node GROUP BY l.l) s
        WHERE k.comp = s.l;
        DELETE FROM baton_import_moving m USING baton_import_alone a WHERE a.node = m.node;
    END IF;
    -- (Fields: those its record maps, as last imported; where that is not
    -- known, written before 065, those it gave a value.)
    CREATE TEMP TABLE baton_import_heir ON COMMIT DROP AS
    SELECT DISTINCT ON (m.from_cid) m.from_cid AS cid, m.sid AS maker, x.source, x.source_id,
        coalesce(x.name, x.domains[1]) AS name, coalesce(x.vals, '{}') AS vals,
        coalesce(x.fields, ARRAY(SELECT jsonb_object_keys(coalesce(x.vals, '{}')))) AS fields,
        coalesce(r.fields, ARRAY(SELECT jsonb_object_keys(coalesce(r.vals, '{}')))) AS maker_fields
    FROM baton_import_moving m
    JOIN import_record r ON r.source = v_src AND r.source_id = m.sid AND r.owns
    JOIN import_record x ON x.customer_id = m.from_cid AND x.entity = 'customers' AND NOT x.owns
    WHERE NOT EXISTS (SELECT 1 FROM baton_import_moving o WHERE (x.source, x.source_id) = (v_src, o.sid))
    ORDER BY m.from_cid,
        -- (its join to this customer or one merged into it, not one it
        -- moved on from or that was split)
        (SELECT min(j.at) FROM customer_merge j JOIN customer jc ON jc.id = j.customer_id
         WHERE j.joined_source = x.source AND j.joined_source_id = x.source_id
           AND coalesce(jc.merged_into, jc.id) = m.from_cid
           AND NOT EXISTS (SELECT 1 FROM customer_split s WHERE s.merge_id = j.id)
           AND NOT EXISTS (SELECT 1 FROM import_record_move o WHERE o.merge_id = j.id)) NULLS LAST,
        x.source, x.source_id;
    IF NOT EXISTS (SELECT 1 FROM baton_import_heir) THEN
        RETURN;
    END IF;
    UPDATE import_record x SET owns = false FROM baton_import_heir h
    WHERE x.source = v_src AND x.source_id = h.maker;
    UPDATE import_record x SET owns = true FROM baton_import_heir h
    WHERE x.source = h.source AND x.source_id = h.source_id;
    UPDATE pg_temp.baton_import_c c SET owns = true FROM baton_import_heir h
    WHERE h.source = v_src AND c.sid = h.source_id;
    -- Its name, and each field as if it had made the customer: its value
    -- where it maps the field (the default where it has none and the
    -- maker mapped it); where only the maker mapped it, what the records
    -- that stay give (of several, the newest), else the default; the
    -- rest as they are.  (153's moves then find nothing more to give back.)
    UPDATE customer u SET name = coalesce(h.name, u.name),
        plan = f.v ->> 'plan', segment = f.v ->> 'segment', lifecycle = f.v ->> 'lifecycle',
        owner = (f.v ->> 'owner')::name, renewal_date = (f.v ->> 'renewal_date')::date, updated_at = now()
    FROM baton_import_heir h
    CROSS JOIN LATERAL (
        SELECT jsonb_object_agg(d.k, CASE
                   WHEN d.k = ANY (h.fields)
                       THEN coalesce(h.vals -> d.k, CASE WHEN d.k = ANY (h.maker_fields) THEN d.dflt
                                                         ELSE to_jsonb(c) -> d.k END)
                   WHEN d.k = ANY (h.maker_fields) THEN coalesce(o.v -> d.k, d.dflt)
                   ELSE to_jsonb(c) -> d.k END) AS v
        FROM (VALUES ('plan', '"starter"'::jsonb), ('segment', '"smb"'), ('lifecycle', '"onboarding"'),
                     ('owner', 'null'), ('renewal_date', 'null')) d (k, dflt)
        CROSS JOIN customer c
        CROSS JOIN (SELECT jsonb_object_agg(e.key, e.value ORDER BY y.source_updated_at NULLS FIRST,
                                            y.source, y.source_id) AS v
                    FROM import_record y, jsonb_each(coalesce(y.vals, '{}')) e
                    WHERE y.customer_id = h.cid AND y.entity = 'customers' AND NOT y.owns
                      AND NOT EXISTS (SELECT 1 FROM baton_import_moving mo
                                      WHERE (y.source, y.source_id) = (v_src, mo.sid))) o
        WHERE c.id = h.cid) f
    WHERE u.id = h.cid;
END $$;
REVOKE ALL ON FUNCTION baton_import_hand_over() FROM PUBLIC;

-- 153's entry, with the makers' customers handed over before the moves.
CREATE OR REPLACE FUNCTION baton_import_resolve(p_shared text[]) RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_temp.baton_import_claim) OR EXISTS (SELECT 1 FROM pg_temp.baton_import_node) THEN
        PERFORM baton_import_loosen();
        PERFORM baton_import_resolve_graph(p_shared);
        PERFORM baton_import_settle();
        PERFORM baton_import_cap();
        PERFORM baton_import_hand_over();
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

-- A merge that brought in the record that makes the customer now (it was
-- handed the customer when the record it joined moved on): its join, or
-- the absorption that brought it with its customer.  The customer and
-- the record ("Zendesk org 360001"), else NULLs.  There is nothing to
-- split: the customer is the record's, as a customer is its maker's, and
-- splitting it off would leave the customer empty or without a record to
-- make it.  Merges of the records that joined it since split as before.
CREATE FUNCTION baton_merge_maker_now(p_merge uuid, OUT customer_id bigint, OUT record text)
LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
    SELECT r.customer_id, coalesce(r.label, r.source) || ' ' || r.source_id
    FROM customer_merge m
    JOIN customer c ON c.id = m.customer_id
    JOIN import_record r ON r.customer_id = coalesce(c.merged_into, c.id) AND r.entity = 'customers' AND r.owns
    WHERE m.id = p_merge
      -- (a merge whose record moved on joins nothing: 153)
      AND NOT EXISTS (SELECT 1 FROM import_record_move o WHERE o.merge_id = m.id)
      AND ((m.absorbed IS NULL AND r.source = m.joined_source AND r.source_id = m.joined_source_id)
           OR (m.absorbed IS NOT NULL
               AND m.moved -> 'import_record' @> jsonb_build_array(jsonb_build_array(r.source, r.source_id))))
    LIMIT 1
$$;

-- 140's baton_split, refusing a merge whose record makes its customer now.
CREATE OR REPLACE FUNCTION baton_split(p_merge uuid) RETURNS TABLE (customer_id bigint, apart bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_of uuid;
    v_makes record;
BEGIN
    PERFORM baton_may_split();
    PERFORM baton_import_lock();
    v_of := baton_merge_repeated(p_merge);
    IF v_of IS NOT NULL AND NOT EXISTS (SELECT 1 FROM customer_split s WHERE s.merge_id = p_merge) THEN
        RAISE EXCEPTION 'merge % repeats merge %, the absorption that brought its record with its customer (both were written before schema version 140): split that one',
            p_merge, v_of USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT * INTO v_makes FROM baton_merge_maker_now(p_merge);
    IF v_makes.customer_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM customer_split s WHERE s.merge_id = p_merge) THEN
        RAISE EXCEPTION '% makes customer % now (the record it joined moved to another customer): nothing to split; split the merges of the records that joined it',
            v_makes.record, v_makes.customer_id USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN QUERY SELECT x.customer_id, x.apart FROM baton_split_one(p_merge) x;
END $$;

-- 142's baton_split_one, leaving such a merge as it is (split --run of
-- the run that made it splits the others).
CREATE OR REPLACE FUNCTION baton_split_one(p_merge uuid) RETURNS TABLE (customer_id bigint, apart bigint, repeats integer)
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    v record;
    v_home bigint;
    v_absorbs boolean;
BEGIN
    IF (SELECT x.customer_id FROM baton_merge_maker_now(p_merge) x) IS NOT NULL THEN
        RETURN;
    END IF;
    -- The customer it parts, where it is now (as baton_split_merge finds it).
    SELECT coalesce(c.merged_into, c.id), m.absorbed IS NOT NULL INTO v_home, v_absorbs
    FROM customer_merge m JOIN customer c ON c.id = m.customer_id WHERE m.id = p_merge;
    SELECT * INTO STRICT v FROM baton_split_merge(p_merge);
    customer_id := v.customer_id;
    apart := v.apart;
    -- After: they take the split's row.
    repeats := CASE WHEN v_absorbs THEN baton_split_repeats(p_merge) ELSE 0 END;
    PERFORM baton_split_rehome(v_home, v.apart);
    RETURN NEXT;
END $$;
REVOKE ALL ON FUNCTION baton_merge_maker_now(uuid) FROM PUBLIC;

-- 153's "also:" line, without the evidence of a merge whose record makes
-- the customer now: Northwind's said "same domain nwh.example" of the
-- organization's join after the record it joined had gone.
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
          -- nor one whose record makes the customer now (154)
          AND NOT EXISTS (SELECT 1 FROM import_record r
                          WHERE m.absorbed IS NULL AND r.source = m.joined_source
                            AND r.source_id = m.joined_source_id AND r.entity = 'customers' AND r.owns
                            AND r.customer_id = p_customer)
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

-- What a superuser's migrations made belongs to whoever owns the rest (a
-- superuser may run baton migrate on a schema another role owns, as 120
-- allows): the import's functions run as that role, and call these and
-- write import_record_move.  134's baton_import_absorb and 153's moves
-- were the superuser's, not theirs to run: in that setup a file that
-- merged or moved customers failed ("permission denied").
DO $$
DECLARE
    v_fn text := (SELECT pg_get_userbyid(p.proowner) FROM pg_proc p
                  WHERE p.oid = 'public.baton_import_begin(uuid, text, text, text, integer)'::regprocedure);
    v_tab text := (SELECT pg_get_userbyid(c.relowner) FROM pg_class c WHERE c.oid = 'public.import_record'::regclass);
BEGIN
    EXECUTE format('ALTER FUNCTION baton_import_absorb(uuid, bigint, bigint, text, text, text[], text[]) OWNER TO %I', v_fn);
    EXECUTE format('ALTER FUNCTION baton_import_loosen() OWNER TO %I', v_fn);
    EXECUTE format('ALTER FUNCTION baton_import_settle() OWNER TO %I', v_fn);
    EXECUTE format('ALTER FUNCTION baton_import_unloosen(text[]) OWNER TO %I', v_fn);
    EXECUTE format('ALTER FUNCTION baton_import_move_all() OWNER TO %I', v_fn);
    EXECUTE format('ALTER FUNCTION baton_import_hand_over() OWNER TO %I', v_fn);
    EXECUTE format('ALTER TABLE import_record_move OWNER TO %I', v_tab);
    -- (as the one-merge split, which runs it: 140)
    EXECUTE format('ALTER FUNCTION baton_merge_maker_now(uuid) OWNER TO %I',
                   (SELECT pg_get_userbyid(p.proowner) FROM pg_proc p
                    WHERE p.oid = 'public.baton_split(uuid)'::regprocedure));
END $$;
