-- Baton schema, version 36: an imported row whose reference resolves is not
-- also looked up by its e-mail address.
--
-- A row's customer is the first of: its customer reference, its contact
-- reference, the contact with its e-mail address, the customer with its
-- address's domain (010's baton_import_link).  All four were looked up for
-- every row, the last two whenever the row had an address: for 100,000
-- contacts, each with its customer's reference, 100,000 index lookups of
-- the address (0.57 s) and a hash join on the address's normalised domain,
-- baton_norm_domain computed three times a row (1.7 s), results that the
-- first reference made unused.  The last two are now read only when the
-- ones before them found nothing, inside their LATERAL subqueries (a
-- condition there on the outer row stops the lookup before it starts; in
-- the ON clause it would filter its result; OFFSET 0 keeps the planner
-- from folding the domain's subquery into a join, which computes its key
-- for every row).  The customers found, and so the rows linked, rejected
-- and imported, are the same.
CREATE OR REPLACE FUNCTION baton_import_link(p_src text, p_entity text, p_spec jsonb, p_shared text[])
RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    v_csrc text := p_spec ->> 'customer_source';
    v_ksrc text := p_spec ->> 'contact_source';
    -- Notes get theirs as they are written (baton_import_notes).
    v_seq text := CASE p_entity WHEN 'contacts' THEN pg_get_serial_sequence('contact', 'id')
        WHEN 'tickets' THEN pg_get_serial_sequence('ticket', 'id')
        WHEN 'milestones' THEN pg_get_serial_sequence('milestone', 'id')
        WHEN 'marketing' THEN pg_get_serial_sequence('marketing_event', 'id')
        WHEN 'surveys' THEN pg_get_serial_sequence('survey_response', 'id') END;
BEGIN
    CREATE TEMP TABLE baton_import_c ON COMMIT DROP AS
    SELECT y.line, y.v, y.digest, y.sid, y.cid, y.parent, y.contact_id,
        CASE WHEN y.state = 'new' AND y.bad IS NULL AND v_seq IS NOT NULL THEN nextval(v_seq)
             ELSE y.target END AS target,
        y.state, y.bad
    FROM (SELECT x.line, x.v, x.digest, x.sid, x.cid, x.parent, x.contact_id, x.target, x.state,
            CASE WHEN x.cid IS NOT NULL THEN
                     CASE WHEN x.state <> 'unchanged' THEN baton_import_problem(p_entity, x.v) END
                 WHEN x.v ? 'customer' THEN format('customer:unknown customer reference "%s" (no %s record)',
                                                   x.v ->> 'customer', v_csrc)
                 WHEN x.v ? 'contact' THEN format('contact:unknown contact reference "%s" (no %s record)',
                                                  x.v ->> 'contact', v_ksrc)
                 WHEN x.v ? 'email' THEN format('email:no contact has the address "%s" and no customer its domain',
                                                x.v ->> 'email')
                 ELSE 'customer:missing customer reference' END AS bad
        FROM (SELECT s.line, s.v, s.digest, s.v ->> 'source_id' AS sid,
                coalesce(cr.customer_id, kr.customer_id, ke.customer_id, kd.id) AS cid,
                CASE WHEN cr.customer_id IS NOT NULL THEN v_csrc || ':' || (s.v ->> 'customer') END AS parent,
                kr.target_id AS contact_id, r.target_id AS target,
                CASE WHEN r.source_id IS NULL THEN 'new'
                     WHEN r.digest = s.digest
                       OR (s.v ->> 'updated_at')::timestamptz < r.source_updated_at THEN 'unchanged'
                     ELSE 'updated' END AS state
            FROM baton_import_s s
            LEFT JOIN import_record cr ON cr.source = v_csrc AND cr.source_id = s.v ->> 'customer'
            LEFT JOIN import_record kr ON kr.source = v_ksrc AND kr.source_id = s.v ->> 'contact'
            LEFT JOIN LATERAL (SELECT t.customer_id FROM contact t
                               WHERE cr.customer_id IS NULL AND kr.customer_id IS NULL
                                 AND lower(t.email) = lower(s.v ->> 'email') AND t.email IS NOT NULL
                               ORDER BY t.id LIMIT 1) ke ON s.v ? 'email'
            LEFT JOIN LATERAL (SELECT c.id FROM customer c
                               WHERE cr.customer_id IS NULL AND kr.customer_id IS NULL
                                 AND ke.customer_id IS NULL
                                 AND lower(c.domain) = baton_norm_domain(s.v ->> 'email')
                                 AND c.merged_into IS NULL
                                 AND NOT baton_norm_domain(s.v ->> 'email') = ANY (coalesce(p_shared, '{}'))
                                 AND NOT EXISTS (SELECT 1 FROM baton_shared_domain d
                                                 WHERE d.domain = baton_norm_domain(s.v ->> 'email'))
                               OFFSET 0) kd
                ON s.v ? 'email'
            LEFT JOIN import_record r ON r.source = p_src AND r.source_id = s.v ->> 'source_id'
            OFFSET 0) x
        OFFSET 0) y;
END $$;
