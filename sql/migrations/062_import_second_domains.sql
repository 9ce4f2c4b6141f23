-- Baton schema, version 62: a customer's other domains find it, as its
-- first one does.
--
-- A customer record may name several domains (a Zendesk organization's
-- domain_names ["acme.example", "acme.io"]; 010 keeps them, normalised, in
-- import_record.domains).  Identity resolution (022) takes every one of
-- them as the customer's identifier: a HubSpot company at acme.io joins
-- that customer.  But the lookups by domain read customer.domain alone,
-- the first: a Zendesk user ivo@acme.io without an organization, or a
-- milestone whose customer_domain is acme.io, was rejected ("no contact
-- has the address ... and no customer its domain"), `baton show acme.io`
-- said "no customer matches", and the finder did not list the customer.
--
-- baton_domain_customers(domain) is the rule, in one place: the customers
-- whose current customer records list the domain (a record absorbed by a
-- merge is its survivor's: 010's baton_import_absorb moves the record's
-- customer_id; merged_into is followed as well), none for a shared or
-- free-mail domain (baton_shared_domain), which says nothing about who a
-- customer is.  One GIN lookup of 010's import_record_domains_idx (which
-- holds the customer records alone) and a primary-key read per record:
-- 0.1 ms at 100,000 customers, so the lookups people wait on stay within
-- issue 13's 5 ms.
--
-- That index now takes its entries at once (fastupdate off).  With the
-- default, a first import of 100,000 customer records left 33,000-46,000
-- of them in the index's pending list, which every lookup reads whole
-- until a vacuum or autovacuum's analyze moves them (the import's own
-- ANALYZE does not): 11 ms a lookup meanwhile, and 0.1 ms after.  Entries
-- written at once cost about 0.4 s more per 100,000 records of two
-- domains (1.4 s to 1.8 s of index writes, within a 26-35 s import on a
-- busy 2-core machine).  The entries pending when this runs are moved now.
--
-- * baton_import_link (054's, restated): a record found by the domain of
--   its e-mail, when no customer has that domain as customer.domain, goes
--   to the customer whose other domain it is, only when it is exactly one
--   customer's; a domain of two customers or more stays rejected, naming
--   them, as is one of the run's import.shared_domains.  Only a record
--   that would be rejected otherwise pays for it: 30-40 us a line (3-4 s
--   for 100,000 users at domains that no customer has).
-- * baton_resolve (011's, restated): after customer.domain, a customer's
--   other domains (how 3 still: "domain").  A domain of several customers
--   finds them all, and `baton show` lists them ("matches 2 customers; name
--   one by id") rather than opening one.
-- * baton_find (028's, restated): the finder lists the customers whose
--   other domain is the whole text typed, as a domain match.  Only the whole
--   domain: an array's GIN index has no prefixes.
ALTER INDEX import_record_domains_idx SET (fastupdate = off);
SELECT gin_clean_pending_list('import_record_domains_idx');

CREATE FUNCTION baton_domain_customers(p_domain text) RETURNS bigint[]
LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
BEGIN
    -- PL/pgSQL, not SQL: a SQL function that cannot be inlined (its SET)
    -- plans its statement at every call, 0.4 ms; this one keeps its plan.
    -- 21: the most `baton show` lists ("more than 20").
    RETURN (SELECT coalesce(array_agg(x.id ORDER BY x.id), '{}') FROM (
        SELECT DISTINCT coalesce(c.merged_into, c.id) AS id
        FROM import_record r JOIN customer c ON c.id = r.customer_id
        WHERE r.entity = 'customers' AND r.domains @> ARRAY[p_domain]
          AND NOT EXISTS (SELECT 1 FROM baton_shared_domain d WHERE d.domain = p_domain)
        ORDER BY 1 LIMIT 21) x);
END $$;
REVOKE ALL ON FUNCTION baton_domain_customers(text) FROM PUBLIC;

-- 054's baton_import_link, with the other domains (ko) after customer.domain
-- (kd), and the reason when they name several customers.
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
                 WHEN cardinality(x.others) > 1 THEN
                     format('email:no contact has the address "%s", and its domain %s is a domain of more than one customer (%s)',
                            x.v ->> 'email', baton_norm_domain(x.v ->> 'email'),
                            (SELECT string_agg('#' || i, ', ' ORDER BY i) FROM unnest(x.others) i))
                 WHEN x.v ? 'email' THEN format('email:no contact has the address "%s" and no customer its domain',
                                                x.v ->> 'email')
                 ELSE 'customer:missing customer reference' END AS bad
        FROM (SELECT s.line, s.v, s.digest, s.v ->> 'source_id' AS sid,
                coalesce(cr.customer_id, kr.customer_id, ke.customer_id, kd.id,
                         CASE WHEN cardinality(ko.ids) = 1 THEN ko.ids[1] END) AS cid,
                ko.ids AS others,
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
            -- Only for what would be rejected otherwise: a record found
            -- another way never reads the other domains, nor one at a
            -- shared domain (an end user at gmail.com: 30 us a lookup).
            LEFT JOIN LATERAL (SELECT baton_domain_customers(baton_norm_domain(s.v ->> 'email')) AS ids
                               WHERE cr.customer_id IS NULL AND kr.customer_id IS NULL
                                 AND ke.customer_id IS NULL AND kd.id IS NULL
                                 AND NOT baton_norm_domain(s.v ->> 'email') = ANY (coalesce(p_shared, '{}'))
                                 AND NOT EXISTS (SELECT 1 FROM baton_shared_domain d
                                                 WHERE d.domain = baton_norm_domain(s.v ->> 'email'))
                               OFFSET 0) ko
                ON s.v ? 'email'
            LEFT JOIN import_record r ON r.source = p_src AND r.source_id = s.v ->> 'source_id'
            OFFSET 0) x
        ORDER BY x.cid, x.line) y;
END $$;

-- 011's baton_resolve, with the other domains after customer.domain.
CREATE OR REPLACE FUNCTION baton_resolve(p_text text)
RETURNS TABLE (cid bigint, how integer)
LANGUAGE plpgsql STABLE SECURITY DEFINER ROWS 2 SET search_path = public, pg_temp AS $f$
DECLARE
    v_scope text[] := baton_me_scope();  -- NULL: every segment (or not staff)
    v_lower text := lower(p_text);
    v_others bigint[];
BEGIN
    -- Importers (010) read every customer, as their policy does.
    IF NOT (baton_me_active() OR baton_me_bypasses()
            OR pg_has_role(session_user, 'baton_importer', 'MEMBER')) THEN
        RETURN;
    END IF;
    IF p_text ~ '^#?[0-9]{1,18}$' THEN
        RETURN QUERY SELECT c.id, 1 FROM customer c
            WHERE c.id = ltrim(p_text, '#')::bigint
              AND (v_scope IS NULL OR c.segment = ANY (v_scope));
        IF FOUND THEN
            RETURN;
        END IF;
    END IF;
    RETURN QUERY SELECT DISTINCT x.customer_id, 2 FROM customer_external_id x
        JOIN customer c ON c.id = x.customer_id
        WHERE (lower(x.external_id) = v_lower
               OR (x.system = split_part(p_text, ':', 1)
                   AND x.external_id = substr(p_text, strpos(p_text, ':') + 1)))
          AND (v_scope IS NULL OR c.segment = ANY (v_scope));
    IF FOUND THEN
        RETURN;
    END IF;
    RETURN QUERY SELECT c.id, 3 FROM customer c
        WHERE lower(c.domain) = v_lower AND (v_scope IS NULL OR c.segment = ANY (v_scope));
    IF FOUND THEN
        RETURN;
    END IF;
    -- Into a variable first: as a stable function's call in the query,
    -- the planner ran it too, to estimate the rows.
    v_others := baton_domain_customers(v_lower);
    RETURN QUERY SELECT c.id, 3 FROM customer c
        WHERE c.id = ANY (v_others) AND (v_scope IS NULL OR c.segment = ANY (v_scope));
    IF FOUND THEN
        RETURN;
    END IF;
    RETURN QUERY SELECT DISTINCT x.customer_id, 4 FROM contact x
        JOIN customer c ON c.id = x.customer_id
        WHERE lower(x.email) = v_lower AND (v_scope IS NULL OR c.segment = ANY (v_scope));
    IF FOUND THEN
        RETURN;
    END IF;
    RETURN QUERY SELECT c.id, 5 FROM customer c
        WHERE c.name_folded = baton_fold(p_text) AND (v_scope IS NULL OR c.segment = ANY (v_scope))
        LIMIT 50;
END $f$;

-- 028's baton_find, with a branch for the other domains.
CREATE OR REPLACE FUNCTION baton_find(p_text text, p_contains boolean)
RETURNS TABLE (cid bigint, how integer)
LANGUAGE plpgsql STABLE SECURITY DEFINER ROWS 100 SET search_path = public, pg_temp AS $f$
DECLARE
    v_scope text[];  -- NULL: every segment
BEGIN
    IF baton_me_active() THEN
        v_scope := baton_me_scope();
    ELSIF NOT baton_me_bypasses() THEN
        RETURN;
    END IF;
    RETURN QUERY EXECUTE $q$
        (SELECT id, CASE WHEN $2 THEN 0 ELSE 1 END FROM customer
          WHERE name_folded LIKE baton_like_escape(baton_fold($1)) || '%'
            AND ($3 IS NULL OR segment = ANY ($3)) AND merged_into IS NULL
          ORDER BY name_folded USING ~<~, id LIMIT 50)
        UNION ALL (SELECT id, 1 FROM customer
          WHERE $2 AND name_folded LIKE '%' || baton_like_escape(baton_fold($1)) || '%'
            AND ($3 IS NULL OR segment = ANY ($3)) AND merged_into IS NULL
          LIMIT 100)
        UNION ALL (SELECT id, 2 FROM customer
          WHERE lower(domain) LIKE baton_like_escape(lower($1)) || '%'
            AND ($3 IS NULL OR segment = ANY ($3)) AND merged_into IS NULL
          ORDER BY lower(domain) USING ~<~ LIMIT 50)
        UNION ALL (SELECT id, 2 FROM customer
          WHERE id = ANY ($4) AND ($3 IS NULL OR segment = ANY ($3)) AND merged_into IS NULL)
        UNION ALL (SELECT x.customer_id, 3 FROM contact x
          WHERE lower(x.email) LIKE baton_like_escape(lower($1)) || '%'
            AND ($3 IS NULL OR EXISTS (SELECT 1 FROM customer c
                 WHERE c.id = x.customer_id AND c.segment = ANY ($3)))
          ORDER BY lower(x.email) USING ~<~, x.customer_id LIMIT 50)
        UNION ALL (SELECT x.customer_id, 4 FROM customer_external_id x
          WHERE lower(x.external_id) LIKE baton_like_escape(lower($1)) || '%'
            AND ($3 IS NULL OR EXISTS (SELECT 1 FROM customer c
                 WHERE c.id = x.customer_id AND c.segment = ANY ($3)))
          ORDER BY lower(x.external_id) USING ~<~, x.customer_id LIMIT 50)
    $q$ USING p_text, p_contains, v_scope, baton_domain_customers(lower(p_text));
END $f$;
