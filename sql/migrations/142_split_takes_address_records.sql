-- Baton schema, version 142: a split takes back what came by address (#12).
--
-- A record with no reference to its customer (a Zendesk user without an
-- organization, a HubSpot contact without a company, a marketing send, an
-- onboarding tracker's milestone) finds it by an address or a domain
-- (baton_import_link): the customer of the first contact with the
-- address, else the customer whose domain it is, else the one customer
-- whose records hold it.  While Birch was absorbed into Alder,
-- fi@birch.example found Alder: Birch's domain led there.  A split of that
-- absorption gave Birch back what it had brought and what came to it by
-- reference since (096); fi stayed with Alder, and so did her tickets and
-- the sends to her address, and an unchanged re-import left them there.
-- The same after a record's join: contacts at a domain only the record
-- held stayed with the customer it left.
--
-- Now such a record keeps what it was found by (via: the address or
-- domain as the file gave it, in lower case), and a split, of either kind,
-- looks again at each record that came so to the customer it parts, as an
-- import would find its customer now: one that would find the customer
-- split off goes to it.  Contacts first (a send finds its customer by a
-- contact's address), then the tickets and survey answers of the contacts
-- that went which name their contact and no organization (096's rule),
-- then the rest.  A record found by a reference, or that would now find a
-- third customer or none, stays.
--
-- Contacts imported before now are given their address (their record has
-- no parent: they were found by it).  Other records found by address
-- before now did not keep it and stay where they are.
ALTER TABLE import_record ADD COLUMN via text;
UPDATE import_record r SET via = lower(btrim(t.email)) FROM contact t
WHERE r.entity = 'contacts' AND r.parent IS NULL AND t.id = r.target_id AND t.email IS NOT NULL;

-- 131's baton_import_rows_of, with via written (a record with no
-- reference: the address or domain it found its customer by).  Otherwise
-- unchanged.
CREATE OR REPLACE FUNCTION baton_import_rows_of(p_run uuid, p_src text, p_entity text, p_spec jsonb,
                                                p_shared text[], OUT inserted integer, OUT updated integer,
                                                OUT merged integer)
LANGUAGE plpgsql SET search_path = public, pg_temp SET work_mem = '64MB' AS $$
BEGIN
    PERFORM baton_import_link(p_src, p_entity, p_spec, p_shared);
    -- Most files have no line bad or unchanged here; the first such line
    -- found says the two statements have work (131: each read every line,
    -- 0.17 and 0.2 s at 1,000,000 tickets, to find none).
    IF EXISTS (SELECT 1 FROM baton_import_c WHERE bad IS NOT NULL OR state = 'unchanged') THEN
        INSERT INTO baton_import_reject (line, field, reason)
        SELECT line, split_part(bad, ':', 1), substr(bad, strpos(bad, ':') + 1)
        FROM baton_import_c WHERE bad IS NOT NULL;
        DELETE FROM baton_import_c WHERE bad IS NOT NULL OR state = 'unchanged';
    END IF;
    ANALYZE baton_import_c;
    -- The tables an import writes whole rows of (a customer's insert is
    -- its identity resolution's, audited row by row).
    INSERT INTO baton_import_writing (pid, xact, tab, run_id, source)
    VALUES (pg_backend_pid(), pg_current_xact_id(), baton_import_table(p_entity), p_run, p_src);
    CASE p_entity
    WHEN 'contacts' THEN PERFORM baton_import_contacts();
    WHEN 'tickets' THEN PERFORM baton_import_tickets();
    WHEN 'milestones' THEN PERFORM baton_import_milestones();
    WHEN 'notes' THEN PERFORM baton_import_notes();
    WHEN 'marketing' THEN PERFORM baton_import_marketing();
    WHEN 'surveys' THEN PERFORM baton_import_surveys();
    END CASE;
    DELETE FROM baton_import_writing x WHERE x.pid = pg_backend_pid();
    -- The records there were first: planned with import_record's statistics
    -- of when the run began, which know them.  (Run after the INSERT, a
    -- first import's UPDATE was planned for the few records of the source
    -- those statistics knew, found tens of thousands, and compared each
    -- with every line: 60,000 contacts ran for minutes.)
    UPDATE import_record r SET target_id = c.target, customer_id = c.cid, digest = c.digest,
        source_updated_at = (c.v ->> 'updated_at')::timestamptz, run_id = p_run, parent = c.parent,
        via = CASE WHEN NOT c.v ? 'customer' AND NOT c.v ? 'contact' THEN lower(btrim(c.v ->> 'email')) END
    FROM baton_import_c c
    WHERE c.target IS NOT NULL AND c.state <> 'new' AND r.source = p_src AND r.source_id = c.sid;
    INSERT INTO import_record (source, source_id, entity, target_id, customer_id, digest,
                               source_updated_at, run_id, parent, via)
    SELECT p_src, sid, p_entity, target, cid, digest, (v ->> 'updated_at')::timestamptz, p_run, parent,
        CASE WHEN NOT v ? 'customer' AND NOT v ? 'contact' THEN lower(btrim(v ->> 'email')) END
    FROM baton_import_c WHERE target IS NOT NULL AND state = 'new';
    SELECT count(*) FILTER (WHERE state = 'new'), count(*) FILTER (WHERE state = 'updated')
        INTO inserted, updated FROM baton_import_c;
    merged := 0;
    IF p_entity = 'contacts' THEN
        -- Contacts' addresses and domains are their customers' identifiers.
        -- Each kind's claims made one of each by customer (a number) before
        -- they are named (125): 0.8 s at the bench's 300,000 contacts,
        -- where one set of both kinds, made one of each by its text, took 1.4.
        CREATE TEMP TABLE baton_import_node ON COMMIT DROP AS
        SELECT 'c:' || cid AS node, cid FROM (SELECT DISTINCT cid FROM baton_import_c WHERE v ? 'email') x;
        CREATE TEMP TABLE baton_import_claim ON COMMIT DROP AS
        SELECT 'c:' || cid AS node, 'email' AS kind, value
        FROM (SELECT DISTINCT cid, lower(v ->> 'email') AS value FROM baton_import_c WHERE v ? 'email') x
        UNION ALL
        SELECT 'c:' || cid, 'domain', value
        FROM (SELECT DISTINCT cid, baton_norm_domain(v ->> 'email') AS value FROM baton_import_c WHERE v ? 'email') y;
        ANALYZE baton_import_node;
        ANALYZE baton_import_claim;
        PERFORM baton_import_resolve(p_shared);
        merged := baton_import_absorb_all(p_run);
    END IF;
END $$;


-- Whose a domain is now, as baton_import_link finds a record's customer
-- by its address when no contact has the address: the customer whose
-- domain it is, else the one customer whose records hold it; NULL when
-- none, or when it is shared (a record found by one came by a contact).
CREATE FUNCTION baton_split_domain_home(p_domain text) RETURNS bigint
LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
DECLARE
    v_id bigint;
    v_ids bigint[];
BEGIN
    IF p_domain IS NULL OR EXISTS (SELECT 1 FROM baton_shared_domain d WHERE d.domain = p_domain) THEN
        RETURN NULL;
    END IF;
    SELECT coalesce(c.merged_into, c.id) INTO v_id FROM customer c WHERE lower(c.domain) = p_domain;
    IF FOUND THEN
        RETURN v_id;
    END IF;
    v_ids := baton_domain_customers(p_domain);
    RETURN CASE WHEN cardinality(v_ids) = 1 THEN v_ids[1] END;
END $$;

-- A split's last step: of what came by address to the customer it parts
-- (p_home), each record that would now find the customer split off
-- (p_apart) goes to it.  Only a record at a domain or an address that the
-- customer split off holds can (its own domain, its records', its
-- contacts' addresses): those are looked at, each by the address's index,
-- so that a split costs what it moves, not what the customer it parts has
-- (40,000 contacts at the survivor's own domain took 505 s when each was
-- looked at).
CREATE FUNCTION baton_split_rehome(p_home bigint, p_apart bigint) RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    v_doms text[];
    v_skip bigint[];
    v_ids bigint[];
    v_vias text[];
    v_contacts bigint[] := '{}';
    v_ents text[];
    v_targets bigint[];
    v_srcs text[];
    v_sids text[];
    v_entity text;
BEGIN
    -- The domains the customer split off holds: its own, its absorbed
    -- customers', its records'.
    v_doms := ARRAY(SELECT lower(c.domain) FROM customer c WHERE c.id = p_apart AND c.domain IS NOT NULL
                    UNION SELECT lower(c.domain) FROM customer c WHERE c.merged_into = p_apart AND c.domain IS NOT NULL
                    UNION SELECT d.d FROM import_record r, unnest(r.domains) d (d)
                          WHERE r.customer_id = p_apart AND r.entity = 'customers'
                    UNION SELECT d.d FROM customer c JOIN import_record r ON r.customer_id = c.id, unnest(r.domains) d (d)
                          WHERE c.merged_into = p_apart AND r.entity = 'customers');
    -- Contacts first: a send, a ticket, finds its customer by a contact.
    SELECT coalesce(array_agg(y.target_id), '{}'), coalesce(array_agg(y.via), '{}') INTO v_ids, v_vias
    FROM (SELECT r.target_id, r.via FROM import_record r
          WHERE r.customer_id = p_home AND r.entity = 'contacts' AND r.via IS NOT NULL
            AND (baton_norm_domain(r.via) = ANY (v_doms)
                 OR EXISTS (SELECT 1 FROM contact t WHERE lower(t.email) = r.via AND t.email IS NOT NULL
                            AND t.customer_id = p_apart))) y;
    IF cardinality(v_ids) > 0 THEN
        v_skip := ARRAY(SELECT r.target_id FROM import_record r
                        WHERE r.customer_id = p_home AND r.entity = 'contacts' AND r.via IS NOT NULL);
        -- Where each would find its customer now, as baton_import_link
        -- finds it: the customer of the first other contact with the
        -- address (by the address's index: in the order of contact ids,
        -- the planner walked the whole table for an address one contact
        -- has), not one of those looked at here (two with one address
        -- would each keep the other where it is); else its domain's.
        v_contacts := ARRAY(
            SELECT k.id FROM unnest(v_ids, v_vias) k (id, via)
            LEFT JOIN LATERAL (SELECT t.customer_id FROM contact t
                               WHERE lower(t.email) = k.via AND t.email IS NOT NULL AND t.id <> k.id
                                 AND (t.customer_id <> p_home OR NOT t.id = ANY (v_skip))
                               ORDER BY t.id + 0 LIMIT 1) e ON true
            LEFT JOIN (SELECT x.d, baton_split_domain_home(x.d) AS cid
                       FROM (SELECT DISTINCT baton_norm_domain(v.via) FROM unnest(v_vias) v (via)) x (d)) h
                ON h.d = baton_norm_domain(k.via)
            WHERE coalesce(e.customer_id, h.cid) = p_apart);
    END IF;
    IF cardinality(v_contacts) > 0 THEN
        UPDATE contact t SET customer_id = p_apart WHERE t.id = ANY (v_contacts) AND t.customer_id = p_home;
        UPDATE import_record x SET customer_id = p_apart
        WHERE x.customer_id = p_home AND x.entity = 'contacts' AND x.target_id = ANY (v_contacts);
        -- Their tickets and survey answers that name them and no
        -- organization (096's rule, for these contacts).
        WITH moved AS (
            UPDATE ticket t SET customer_id = p_apart FROM import_record x
            WHERE t.customer_id = p_home AND t.requester_id = ANY (v_contacts)
              AND x.customer_id = p_home AND x.entity = 'tickets' AND x.target_id = t.id
              AND x.parent IS NULL AND x.via IS NULL
            RETURNING t.id)
        UPDATE import_record x SET customer_id = p_apart FROM moved
        WHERE x.customer_id = p_home AND x.entity = 'tickets' AND x.target_id = moved.id;
        WITH moved AS (
            UPDATE survey_response t SET customer_id = p_apart FROM import_record x
            WHERE t.customer_id = p_home AND t.contact_id = ANY (v_contacts)
              AND x.customer_id = p_home AND x.entity = 'surveys' AND x.target_id = t.id
              AND x.parent IS NULL AND x.via IS NULL
            RETURNING t.id)
        UPDATE import_record x SET customer_id = p_apart FROM moved
        WHERE x.customer_id = p_home AND x.entity = 'surveys' AND x.target_id = moved.id;
    END IF;
    -- The rest that came by address (not notes: a note stays where it
    -- was written), with the contacts where they are now; each domain's
    -- customer found once.
    WITH y AS MATERIALIZED (
        SELECT x.entity, x.target_id, x.source, x.source_id, x.via, baton_norm_domain(x.via) AS d
        FROM import_record x
        WHERE x.customer_id = p_home AND x.via IS NOT NULL AND x.entity NOT IN ('contacts', 'customers', 'notes')
          AND (baton_norm_domain(x.via) = ANY (v_doms)
               OR EXISTS (SELECT 1 FROM contact t WHERE lower(t.email) = x.via AND t.email IS NOT NULL
                          AND t.customer_id = p_apart)))
    SELECT coalesce(array_agg(y.entity), '{}'), coalesce(array_agg(y.target_id), '{}'),
           coalesce(array_agg(y.source), '{}'), coalesce(array_agg(y.source_id), '{}')
    INTO v_ents, v_targets, v_srcs, v_sids
    FROM y
    LEFT JOIN LATERAL (SELECT t.customer_id FROM contact t WHERE lower(t.email) = y.via AND t.email IS NOT NULL
                       ORDER BY t.id + 0 LIMIT 1) e ON true
    LEFT JOIN (SELECT z.d, baton_split_domain_home(z.d) AS cid
               FROM (SELECT DISTINCT y.d FROM y WHERE y.d = ANY (v_doms)) z (d)) h ON h.d = y.d
    WHERE coalesce(e.customer_id, h.cid) = p_apart;
    FOR v_entity IN SELECT DISTINCT e FROM unnest(v_ents) e LOOP
        v_ids := ARRAY(SELECT k.id FROM unnest(v_ents, v_targets) k (entity, id) WHERE k.entity = v_entity);
        IF v_entity = 'milestones' THEN
            -- A step keeps its place where the customer has none there;
            -- one whose place is taken goes after the customer's own and
            -- those that keep theirs, in their order.
            UPDATE milestone t SET customer_id = p_apart,
                position = CASE WHEN o.taken THEN o.top + o.n ELSE t.position END
            FROM (SELECT m.id, m.taken, row_number() OVER (PARTITION BY m.taken ORDER BY m.position, m.id) AS n,
                         greatest((SELECT coalesce(max(b.position), 0) FROM milestone b WHERE b.customer_id = p_apart),
                                  max(m.position) FILTER (WHERE NOT m.taken) OVER ()) AS top
                  FROM (SELECT a.id, a.position,
                               EXISTS (SELECT 1 FROM milestone b WHERE b.customer_id = p_apart
                                         AND b.position = a.position) AS taken
                        FROM milestone a WHERE a.id = ANY (v_ids) AND a.customer_id = p_home) m) o
            WHERE t.id = o.id;
        ELSE
            EXECUTE format('UPDATE %I t SET customer_id = $1 WHERE t.id = ANY ($2) AND t.customer_id = $3',
                           baton_import_table(v_entity))
                USING p_apart, v_ids, p_home;
        END IF;
    END LOOP;
    UPDATE import_record x SET customer_id = p_apart FROM unnest(v_srcs, v_sids) k (source, source_id)
    WHERE x.source = k.source AND x.source_id = k.source_id;
END $$;

-- 140's baton_split_one, what came by address looked at again last; and
-- a record's join has no repeats to look for (only an absorption has:
-- 0.8 ms a merge, a tenth of split --run's).
CREATE OR REPLACE FUNCTION baton_split_one(p_merge uuid) RETURNS TABLE (customer_id bigint, apart bigint, repeats integer)
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    v record;
    v_home bigint;
    v_absorbs boolean;
BEGIN
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

REVOKE ALL ON FUNCTION baton_split_domain_home(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION baton_split_rehome(bigint, bigint) FROM PUBLIC;
-- Owned as the one-merge split, which runs them (140).
DO $$
DECLARE
    v_owner text := (SELECT pg_get_userbyid(p.proowner) FROM pg_proc p
                     WHERE p.oid = 'public.baton_split(uuid)'::regprocedure);
BEGIN
    EXECUTE format('ALTER FUNCTION baton_split_domain_home(text) OWNER TO %I', v_owner);
    EXECUTE format('ALTER FUNCTION baton_split_rehome(bigint, bigint) OWNER TO %I', v_owner);
END $$;
