-- Baton schema, version 158: a record found by its address, at a
-- free-mail or shared domain, that no contact has, says so (#12, a
-- review's finding).
--
-- A Zendesk user without an organization at gmail.com (most helpdesks
-- have thousands) was rejected as "no contact has the address
-- "nog@yahoo.es" and no customer its domain": true, and no help, since no
-- customer ever will have that domain.  It now says "..., and its domain
-- yahoo.es is a free-mail or shared domain, which names no customer (map
-- the record's organization or company)".  Only the reason changes.

-- 147's, with that reason; otherwise unchanged.
CREATE OR REPLACE FUNCTION baton_import_link(p_src text, p_entity text, p_spec jsonb, p_shared text[])
RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp SET work_mem = '64MB' AS $$
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
    v_joins text[];
BEGIN
    -- wanting: a contact reference that names no record yet, of a record
    -- that keeps a contact and found its customer otherwise ("field:what").
    -- Each such record (none, mostly) says so in baton.import_wanting as it
    -- is linked, so the notes below are looked for only then: a pass over
    -- a million linked records for none took 1.4 s.
    PERFORM set_config('baton.import_wanting', '', true);
    -- Each line's records looked up in the primary key when the lines are
    -- few beside the source's records (128).
    v_joins := baton_import_lookups(baton_import_few_lines('pg_temp.baton_import_s', p_src));
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
                 WHEN x.holders IS NOT NULL THEN
                     format('email:the address "%s" is a contact''s at more than one customer (%s)',
                            x.v ->> 'email',
                            (SELECT string_agg('#' || i, ', ' ORDER BY i) FROM unnest(x.holders) i))
                 WHEN cardinality(x.others) > 1 THEN
                     format('email:no contact has the address "%s", and its domain %s is a domain of more than one customer (%s)',
                            x.v ->> 'email', baton_norm_domain(x.v ->> 'email'),
                            (SELECT string_agg('#' || i, ', ' ORDER BY i) FROM unnest(x.others) i))
                 WHEN x.v ? 'email' AND (baton_norm_domain(x.v ->> 'email') = ANY (coalesce(p_shared, '{}'))
                                         OR EXISTS (SELECT 1 FROM baton_shared_domain d
                                                    WHERE d.domain = baton_norm_domain(x.v ->> 'email'))) THEN
                     format('email:no contact has the address "%s", and its domain %s is a free-mail or shared'
                            ' domain, which names no customer (map the record''s organization or company)',
                            x.v ->> 'email', baton_norm_domain(x.v ->> 'email'))
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
                ko.ids AS others, ke.many AS holders,
                CASE WHEN cr.customer_id IS NOT NULL THEN v_csrc || ':' || (s.v ->> 'customer') END AS parent,
                kr.target_id AS contact_id, r.target_id AS target,
                CASE WHEN r.source_id IS NULL THEN 'new'
                     WHEN r.digest = s.digest
                       OR (s.v ->> 'updated_at')::timestamptz < r.source_updated_at THEN 'unchanged'
                     -- Imported without its contact, which is still not there.
                     WHEN r.digest LIKE '?%' AND kr.target_id IS NULL
                          AND (r.digest = '?' || s.digest
                               -- Written before 111: the md5 of the values' text.
                               OR r.digest = '?' || md5(s.v::text) || substr(s.digest, 33)) THEN 'unchanged'
                     ELSE 'updated' END AS state
            FROM baton_import_s s
            LEFT JOIN import_record cr ON cr.source = v_csrc AND cr.source_id = s.v ->> 'customer'
            LEFT JOIN import_record kr ON kr.source = v_ksrc AND kr.source_id = s.v ->> 'contact'
            -- The e-mail and its domain: only for a record without a
            -- reference.
            -- The customer of the contacts with the address, when they
            -- are one customer's; contacts of two or more name none
            -- (many: which), and the record is rejected, naming them
            -- (147; before, the first contact's customer took it).
            LEFT JOIN LATERAL (SELECT CASE WHEN min(t.customer_id) = max(t.customer_id)
                                           THEN min(t.customer_id) END AS customer_id,
                                      CASE WHEN min(t.customer_id) <> max(t.customer_id)
                                           THEN array_agg(DISTINCT t.customer_id) END AS many
                               FROM contact t
                               WHERE NOT s.v ? 'customer' AND NOT s.v ? 'contact'
                                 AND lower(t.email) = lower(btrim(s.v ->> 'email')) AND t.email IS NOT NULL
                              ) ke ON v_emails AND s.v ? 'email'
            LEFT JOIN LATERAL (SELECT coalesce(c.merged_into, c.id) AS id FROM customer c
                               WHERE NOT s.v ? 'customer' AND NOT s.v ? 'contact'
                                 AND ke.customer_id IS NULL AND ke.many IS NULL
                                 AND lower(c.domain) = baton_norm_domain(s.v ->> 'email')
                                 AND NOT baton_norm_domain(s.v ->> 'email') = ANY (coalesce(p_shared, '{}'))
                                 AND NOT EXISTS (SELECT 1 FROM baton_shared_domain d
                                                 WHERE d.domain = baton_norm_domain(s.v ->> 'email'))
                               OFFSET 0) kd
                ON v_emails AND s.v ? 'email'
            -- Only for what would be rejected otherwise: a record found
            -- another way never reads the other domains, nor one at a
            -- shared domain (an end user at gmail.com: 30 us a lookup).
            -- (In that order: the planner put the shared domains' lookup,
            -- a cheap parameter to it, before the tests of references, and
            -- ran it for every contact of a contacts file: 0.73 s at
            -- 300,000.)
            LEFT JOIN LATERAL (SELECT baton_domain_customers(baton_norm_domain(s.v ->> 'email')) AS ids
                               WHERE CASE WHEN NOT s.v ? 'customer' AND NOT s.v ? 'contact'
                                               AND ke.customer_id IS NULL AND ke.many IS NULL AND kd.id IS NULL
                                          THEN NOT baton_norm_domain(s.v ->> 'email') = ANY (coalesce(p_shared, '{}'))
                                               AND NOT EXISTS (SELECT 1 FROM baton_shared_domain d
                                                               WHERE d.domain = baton_norm_domain(s.v ->> 'email'))
                                          ELSE false END
                               OFFSET 0) ko
                ON v_emails AND s.v ? 'email'
            LEFT JOIN import_record r ON r.source = p_src AND r.source_id = s.v ->> 'source_id'
            OFFSET 0) x
        ORDER BY x.cid, x.line) y;
    PERFORM baton_import_lookups_end(v_joins);
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
