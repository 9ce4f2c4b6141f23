-- Baton schema, version 143: a record's split finds what came through it
-- among its customer's records (#12, `baton split` at scale), and the
-- customer it makes takes no domain the customer it leaves lists.
--
-- A record's split (096) looked for the records whose customer reference
-- names the record split off in all of import_record, by a sequential scan
-- (import_record has no index on parent: one cost the import of 1,000,000
-- tickets 5.3 s).  At the bench's 1,400,000 records a split took 0.4 s,
-- 0.35 s of it that scan; `baton split --run` of a file's 10,000 merges,
-- an hour.  A record and what came through it are with one customer
-- (moved together by every merge and split; a newer export naming another
-- customer names another parent), the one the split parts, whose records
-- the customer's index finds, as the absorption's branch already looked.
--
-- And the customer a record split off makes takes as its domain the first
-- of the record's that no customer has and no other record of the customer
-- it leaves lists.  One that the customer it leaves lists too (Alder's organization
-- at alder.example and alder.io; the CRM's Alder Inc at alder.io joined
-- it) was free as no customer's own: Alder Inc took alder.io, and then
-- the contacts and sends that had found Alder at alder.io before Alder Inc
-- was imported went to Alder Inc (142 looks at them as an import would,
-- and a customer's own domain finds it first).  Such a domain is both
-- records', no one's own, as an import leaves it.  (Only the records of
-- the customer it leaves: two records that joined it at one domain, both
-- split off, each kept the other from taking it, and the domain was no
-- one's while what came by it stayed with the customer they left.)
-- 096's function, with those two conditions.
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
    v_contacts bigint[];
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
        -- What its records brought in since the merge (096): the records
        -- whose customer reference names one of them.
        SELECT coalesce(array_agg(x.entity), '{}'), coalesce(array_agg(x.target_id), '{}'),
               coalesce(array_agg(x.source), '{}'), coalesce(array_agg(x.source_id), '{}')
        INTO v_ents, v_targets, v_srcs, v_sids
        FROM import_record x
        WHERE x.customer_id = v_home AND x.entity NOT IN ('notes', 'customers')
          AND x.parent IN (SELECT k.source || ':' || k.source_id FROM import_record k
                           WHERE k.customer_id = v_apart AND k.entity = 'customers');
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
                   -- Nor one another record of the customer it leaves
                   -- lists (143).
                   AND NOT EXISTS (SELECT 1 FROM import_record x WHERE x.entity = 'customers'
                                     AND x.domains @> ARRAY[d] AND x.customer_id = v_home
                                     AND (x.source, x.source_id) <> (r.source, r.source_id))
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
        -- What reached its customer through the record goes with it: the
        -- records whose parent the record is, among its customer's (143;
        -- moved below).
        SELECT coalesce(array_agg(x.entity), '{}'), coalesce(array_agg(x.target_id), '{}'),
               coalesce(array_agg(x.source), '{}'), coalesce(array_agg(x.source_id), '{}')
        INTO v_ents, v_targets, v_srcs, v_sids
        FROM import_record x WHERE x.customer_id = v_home AND x.parent = v_key AND x.entity <> 'notes';
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
    -- The records found above go, each by its key in its entity's table.
    FOR v_entity IN SELECT DISTINCT e FROM unnest(v_ents) e LOOP
        EXECUTE format('UPDATE %I t SET customer_id = $1 FROM unnest($2::text[], $3::bigint[]) k (entity, id)'
                       ' WHERE k.entity = $4 AND t.id = k.id', baton_import_table(v_entity))
            USING v_apart, v_ents, v_targets, v_entity;
    END LOOP;
    UPDATE import_record x SET customer_id = v_apart FROM unnest(v_srcs, v_sids) k (source, source_id)
    WHERE x.source = k.source AND x.source_id = k.source_id;
    -- ... and what reached the customer through one of the contacts
    -- that went (096): a ticket or survey answer that names its
    -- requester and no organization has no parent record; its contact
    -- said its customer.
    v_contacts := ARRAY(SELECT t.id FROM contact t WHERE t.customer_id = v_apart);
    IF cardinality(v_contacts) > 0 THEN
        WITH moved AS (
            UPDATE ticket t SET customer_id = v_apart FROM import_record x
            WHERE t.customer_id = v_home AND t.requester_id = ANY (v_contacts)
              AND x.customer_id = v_home AND x.entity = 'tickets' AND x.target_id = t.id
              AND x.parent IS NULL
            RETURNING t.id)
        UPDATE import_record x SET customer_id = v_apart FROM moved
        WHERE x.customer_id = v_home AND x.entity = 'tickets' AND x.target_id = moved.id;
        WITH moved AS (
            UPDATE survey_response t SET customer_id = v_apart FROM import_record x
            WHERE t.customer_id = v_home AND t.contact_id = ANY (v_contacts)
              AND x.customer_id = v_home AND x.entity = 'surveys' AND x.target_id = t.id
              AND x.parent IS NULL
            RETURNING t.id)
        UPDATE import_record x SET customer_id = v_apart FROM moved
        WHERE x.customer_id = v_home AND x.entity = 'surveys' AND x.target_id = moved.id;
    END IF;
    INSERT INTO customer_split (merge_id, customer_id, apart) VALUES (p_merge, m.customer_id, v_apart);
    RETURN QUERY SELECT m.customer_id, v_apart;
END $$;
