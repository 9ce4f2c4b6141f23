-- Baton schema, version 108: linking a file's records looks nobody up by
-- e-mail when the mapping has no e-mail address (#12, the first import's
-- time).
--
-- 070's baton_import_link finds the customer of a record without a
-- customer or contact reference by its e-mail address: three lateral
-- lookups (the contact with the address, the customer with its domain,
-- the customers at that domain), joined to every record.  Each record
-- without an address skipped their work, but not the joins themselves:
-- at 1,000,000 tickets (a mapping without "email", every record with
-- references) the three took 1.07 s (auto_explain) of doing nothing.  A
-- record has an address only when the mapping has the field, so the
-- lookups are now joined on that too, which the planner folds to a
-- constant: 0.38 s.  Otherwise 070's function unchanged.

CREATE OR REPLACE FUNCTION baton_import_link(p_src text, p_entity text, p_spec jsonb, p_shared text[])
RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    v_csrc text := p_spec ->> 'customer_source';
    v_ksrc text := p_spec ->> 'contact_source';
    -- The entities whose rows keep a contact (a ticket's requester, a
    -- survey answer's respondent).
    v_keeps boolean := p_entity IN ('tickets', 'surveys');
    -- Whether any record may have an e-mail address to be found by: only
    -- when the mapping has one.
    v_emails boolean := (p_spec -> 'fields') ? 'email';
    -- Notes get theirs as they are written (baton_import_notes).
    v_seq text := CASE p_entity WHEN 'contacts' THEN pg_get_serial_sequence('contact', 'id')
        WHEN 'tickets' THEN pg_get_serial_sequence('ticket', 'id')
        WHEN 'milestones' THEN pg_get_serial_sequence('milestone', 'id')
        WHEN 'marketing' THEN pg_get_serial_sequence('marketing_event', 'id')
        WHEN 'surveys' THEN pg_get_serial_sequence('survey_response', 'id') END;
BEGIN
    -- wanting: a contact reference that names no record yet, of a record
    -- that keeps a contact and found its customer otherwise ("field:what").
    -- Each such record (none, mostly) says so in baton.import_wanting as it
    -- is linked, so the notes below are looked for only then: a pass over
    -- a million linked records for none took 1.4 s.
    PERFORM set_config('baton.import_wanting', '', true);
    CREATE TEMP TABLE baton_import_c ON COMMIT DROP AS
    SELECT y.line, y.v, CASE WHEN y.wanting IS NOT NULL THEN '?' || y.digest ELSE y.digest END AS digest,
        y.sid, y.cid, y.parent, y.contact_id,
        CASE WHEN y.state = 'new' AND y.bad IS NULL AND v_seq IS NOT NULL THEN nextval(v_seq)
             ELSE y.target END AS target,
        y.state, y.bad,
        CASE WHEN y.wanting IS NOT NULL AND y.bad IS NULL
                  AND set_config('baton.import_wanting', 'yes', true) = 'yes' THEN y.wanting END AS wanting
    FROM (SELECT x.line, x.v, x.digest, x.sid, x.cid, x.parent, x.target, x.state,
            coalesce(x.contact_id,
                     -- The contact by e-mail: the one contact of the
                     -- customer with the address.
                     CASE WHEN v_keeps AND x.cid IS NOT NULL AND x.v ? 'email' AND NOT x.v ? 'contact' THEN
                         (SELECT CASE WHEN count(*) = 1 THEN min(t.id) END FROM contact t
                          WHERE lower(t.email) = lower(btrim(x.v ->> 'email')) AND t.customer_id = x.cid)
                     END) AS contact_id,
            CASE WHEN x.cid IS NOT NULL THEN
                     CASE WHEN x.state <> 'unchanged' THEN baton_import_problem(p_entity, x.v) END
                 WHEN x.v ? 'customer' AND x.v ->> 'customer' ~ ';' THEN
                     format('customer:customer reference "%s" lists several ids (no %s record has that id):'
                            ' a record has one customer, so map a field that holds one',
                            x.v ->> 'customer', v_csrc)
                 WHEN x.v ? 'customer' THEN format('customer:unknown customer reference "%s" (no %s record)',
                                                   x.v ->> 'customer', v_csrc)
                 WHEN x.v ? 'contact' THEN format('contact:unknown contact reference "%s" (no %s record)',
                                                  x.v ->> 'contact', v_ksrc)
                 WHEN cardinality(x.others) > 1 THEN
                     format('email:no contact has the address "%s", and its domain %s is a domain of more than one customer (%s)',
                            x.v ->> 'email', baton_norm_domain(x.v ->> 'email'),
                            (SELECT string_agg('#' || i, ', ' ORDER BY i) FROM unnest(x.others) i))
                 WHEN x.v ? 'email' THEN format('email:no contact has the address "%s" and no customer its domain',
                                                x.v ->> 'email')
                 ELSE 'customer:missing customer reference' END AS bad,
            CASE WHEN v_keeps AND x.cid IS NOT NULL AND x.v ? 'contact' AND x.contact_id IS NULL THEN
                format('contact:imported without its contact: no %s record "%s" yet'
                       ' (an import of this record after that one links it)',
                       v_ksrc, x.v ->> 'contact') END AS wanting
        FROM (SELECT s.line, s.v, s.digest, s.v ->> 'source_id' AS sid,
                CASE WHEN s.v ? 'customer' THEN cr.customer_id
                     WHEN s.v ? 'contact' THEN kr.customer_id
                     ELSE coalesce(ke.customer_id, kd.id, CASE WHEN cardinality(ko.ids) = 1 THEN ko.ids[1] END)
                END AS cid,
                ko.ids AS others,
                CASE WHEN cr.customer_id IS NOT NULL THEN v_csrc || ':' || (s.v ->> 'customer') END AS parent,
                kr.target_id AS contact_id, r.target_id AS target,
                CASE WHEN r.source_id IS NULL THEN 'new'
                     WHEN r.digest = s.digest
                       OR (s.v ->> 'updated_at')::timestamptz < r.source_updated_at THEN 'unchanged'
                     -- Imported without its contact, which is still not there.
                     WHEN r.digest = '?' || s.digest AND kr.target_id IS NULL THEN 'unchanged'
                     ELSE 'updated' END AS state
            FROM baton_import_s s
            LEFT JOIN import_record cr ON cr.source = v_csrc AND cr.source_id = s.v ->> 'customer'
            LEFT JOIN import_record kr ON kr.source = v_ksrc AND kr.source_id = s.v ->> 'contact'
            -- The e-mail and its domain: only for a record without a
            -- reference.
            LEFT JOIN LATERAL (SELECT t.customer_id FROM contact t
                               WHERE NOT s.v ? 'customer' AND NOT s.v ? 'contact'
                                 AND lower(t.email) = lower(btrim(s.v ->> 'email')) AND t.email IS NOT NULL
                               ORDER BY t.id LIMIT 1) ke ON v_emails AND s.v ? 'email'
            LEFT JOIN LATERAL (SELECT coalesce(c.merged_into, c.id) AS id FROM customer c
                               WHERE NOT s.v ? 'customer' AND NOT s.v ? 'contact'
                                 AND ke.customer_id IS NULL
                                 AND lower(c.domain) = baton_norm_domain(s.v ->> 'email')
                                 AND NOT baton_norm_domain(s.v ->> 'email') = ANY (coalesce(p_shared, '{}'))
                                 AND NOT EXISTS (SELECT 1 FROM baton_shared_domain d
                                                 WHERE d.domain = baton_norm_domain(s.v ->> 'email'))
                               OFFSET 0) kd
                ON v_emails AND s.v ? 'email'
            -- Only for what would be rejected otherwise: a record found
            -- another way never reads the other domains, nor one at a
            -- shared domain (an end user at gmail.com: 30 us a lookup).
            LEFT JOIN LATERAL (SELECT baton_domain_customers(baton_norm_domain(s.v ->> 'email')) AS ids
                               WHERE NOT s.v ? 'customer' AND NOT s.v ? 'contact'
                                 AND ke.customer_id IS NULL AND kd.id IS NULL
                                 AND NOT baton_norm_domain(s.v ->> 'email') = ANY (coalesce(p_shared, '{}'))
                                 AND NOT EXISTS (SELECT 1 FROM baton_shared_domain d
                                                 WHERE d.domain = baton_norm_domain(s.v ->> 'email'))
                               OFFSET 0) ko
                ON v_emails AND s.v ? 'email'
            LEFT JOIN import_record r ON r.source = p_src AND r.source_id = s.v ->> 'source_id'
            OFFSET 0) x
        ORDER BY x.cid, x.line) y;
    -- The records imported without their contact, for the summary: not
    -- rejected (a reject's table is counted as such).  Made for every file
    -- linked, which the client reads with the rejects.
    DROP TABLE IF EXISTS pg_temp.baton_import_note;
    CREATE TEMP TABLE baton_import_note (line bigint, field text, reason text) ON COMMIT DROP;
    EXECUTE format('GRANT SELECT ON pg_temp.baton_import_note TO %I', session_user);
    IF current_setting('baton.import_wanting', true) = 'yes' THEN
        INSERT INTO baton_import_note (line, field, reason)
        SELECT line, split_part(wanting, ':', 1), substr(wanting, strpos(wanting, ':') + 1)
        FROM baton_import_c WHERE wanting IS NOT NULL;
    END IF;
END $$;

