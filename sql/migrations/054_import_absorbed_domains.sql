-- Baton schema, version 54: a record found by a domain that a merge
-- absorbed goes to the customer that absorbed it.
--
-- A record without a customer reference finds its customer by the domain of
-- its e-mail (a milestone's customer_domain, a send's recipient, a note's,
-- a ticket's requester).  051's baton_import_link looked for the domain
-- among customers not merged into another only.  A merge keeps each
-- customer's domain on its own row, so once a contact had joined two
-- customers, every record at the absorbed one's domain was rejected ("no
-- contact has the address ... and no customer its domain"), although
-- `baton show` of that domain opens the survivor.  Now the domain's
-- customer is found merged or not, and the record goes to the customer it
-- was merged into (merges point at their survivor directly: 010's
-- baton_import_absorb), as its screen, handoffs and notes do.  After a
-- split the domain leads to its own customer again.  What came in this way
-- while the two were one stays with the survivor when the absorption is
-- split, as what came through the absorbed customer's own record meanwhile
-- does (048: a split gives back what the merge moved).
--
-- 051's baton_import_link, with that lookup changed (kd).
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
            LEFT JOIN LATERAL (SELECT coalesce(c.merged_into, c.id) AS id FROM customer c
                               WHERE cr.customer_id IS NULL AND kr.customer_id IS NULL
                                 AND ke.customer_id IS NULL
                                 AND lower(c.domain) = baton_norm_domain(s.v ->> 'email')
                                 AND NOT baton_norm_domain(s.v ->> 'email') = ANY (coalesce(p_shared, '{}'))
                                 AND NOT EXISTS (SELECT 1 FROM baton_shared_domain d
                                                 WHERE d.domain = baton_norm_domain(s.v ->> 'email'))
                               OFFSET 0) kd
                ON s.v ? 'email'
            LEFT JOIN import_record r ON r.source = p_src AND r.source_id = s.v ->> 'source_id'
            OFFSET 0) x
        ORDER BY x.cid, x.line) y;
END $$;
