-- Baton schema, version 51: the rows an import adds are written customer
-- by customer.
--
-- 036's baton_import_link numbered a file's new rows (their ids, from the
-- table's sequence) in the file's order, and the entity's INSERT wrote them
-- in that order.  An export is ordered by its own ids or times, not by
-- customer, so consecutive rows belong to different customers, and every
-- row's entries in the indexes that lead with the customer (a ticket's
-- four: open, solved, by topic, reopened) and its foreign-key check of the
-- customer landed on a page of its own, in no order.
-- Now the rows are numbered customer by customer (then in the file's
-- order), and written in that order, since the entity's INSERT reads
-- baton_import_c as it was written: the customer's index pages are filled
-- one after the other, each new id still goes at the end of the primary
-- key, and a customer's imported rows lie together in the table, where its
-- screen reads them (the ten tickets of a customer of `make bench`'s import
-- are on one or two pages, were on ten).
-- Measured: the 1,000,000 tickets of `make bench`'s import, onto a copy of
-- one database holding its organisations and contacts, in four alternating
-- rounds: 88-109 s before, 79-85 s numbered by customer.  The same
-- 1,000,000 tickets inserted again and rolled back: 41 and 55 s in the
-- file's order, 29 and 39 s customer by customer.  The numbering sorts the
-- rows (an external sort of 384 MB at the default work_mem), which adds
-- about 3 s to the link.
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
        ORDER BY x.cid, x.line) y;
END $$;
