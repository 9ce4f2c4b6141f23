-- Baton schema, version 69: the finder finds a customer by SYSTEM:ID, as
-- `baton show` does, and both read SYSTEM:ID the same way.
--
-- README says a customer's ids in other systems are found by "the finder
-- and `baton show crm:9876`", and etc/baton-import.cfg that the finder
-- finds a Zendesk organization "as helpdesk:ID"; the screen lists them so
-- ("External ids: crm:9876 helpdesk:360001").  baton_resolve (`baton show`)
-- took that form, but baton_find compared the whole text with the ids
-- alone: `baton find crm:9876`, `baton find helpdesk:360001` and the
-- console's finder said "No customer matches", and only a bare 9876 was
-- found.
--
-- And what SYSTEM:ID names could differ from the customer record that is
-- it.  A record's ids in other systems (057: a Zendesk organization's
-- external_id, as crm_id) are its customer's in customer_external_id like
-- the record's own "system:id"; when an organization saying crm_id 77 had
-- been absorbed into a customer that HubSpot's record 77 then joined by
-- that id, splitting the absorption gave crm:77 back to the organization's
-- customer while HubSpot's record 77 stayed where it was: `baton show
-- crm:77` opened the organization, not the company that is record 77.
-- An import keeps a record with its own customer rather than following
-- another's claim to its id (060: a record's tie to its own customer comes
-- first), and so does the lookup now: SYSTEM:ID is
--   1. the customer of the customer record of that system with that id (a
--      source's "system" setting: import_record.external, "system:id"), any
--      source's;
--   2. else the customer holding the id in customer_external_id (another
--      record's claim, or an id written by hand, as the demo's);
-- the system and the id as the screen shows them (case matters: the
-- systems are lower case), the text split at its first colon, and an
-- absorbed holder is its survivor.  baton_external_customers(text) is that
-- rule, in one place, for:
-- * baton_resolve (062's, restated): its external-id step takes
--   baton_external_customers' customers, with the ids of any system equal
--   to the whole text, case aside, as before.
-- * baton_find (062's, restated): a branch lists them, how -1: before any
--   other match, the name's (0 and up), since the text is the exact key of
--   the record; src/finder.c shows -1 as "external id".  Only the whole
--   id: a prefix within one system ("crm:98") has no index to stay cheap
--   on; a bare prefix ("98") still finds ids of every system.
-- A text without a colon costs the finder and `baton show` a function call
-- (5-15 us); one with a colon, two index probes (30-150 us at 100,000
-- customers with 200,000 customer records, on a busy 2-core machine).
-- import_record_external_idx serves the first: one entry per customer
-- record of a source with a system (5 MB per 100,000 records; an unchanged
-- re-import leaves it as it is).
CREATE INDEX import_record_external_idx ON import_record (external)
    WHERE entity = 'customers' AND external IS NOT NULL;

CREATE FUNCTION baton_external_customers(p_text text) RETURNS bigint[]
LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
DECLARE
    v_ids bigint[];
BEGIN
    -- "crm:", ":77" and "77" name no system's id.
    IF strpos(p_text, ':') < 2 OR strpos(p_text, ':') = length(p_text) THEN
        RETURN '{}';
    END IF;
    -- PL/pgSQL, not SQL: a SQL function that cannot be inlined (its SET)
    -- plans its statements at every call; these keep their plans.
    v_ids := ARRAY(SELECT DISTINCT coalesce(c.merged_into, c.id)
                   FROM import_record r JOIN customer c ON c.id = r.customer_id
                   WHERE r.entity = 'customers' AND r.external = p_text
                   ORDER BY 1 LIMIT 21);
    IF cardinality(v_ids) > 0 THEN
        RETURN v_ids;
    END IF;
    RETURN ARRAY(SELECT coalesce(c.merged_into, c.id)
                 FROM customer_external_id x JOIN customer c ON c.id = x.customer_id
                 WHERE x.system = split_part(p_text, ':', 1)
                   AND x.external_id = substr(p_text, strpos(p_text, ':') + 1));
END $$;
REVOKE ALL ON FUNCTION baton_external_customers(text) FROM PUBLIC;

-- 062's baton_resolve, with SYSTEM:ID as baton_external_customers says.
CREATE OR REPLACE FUNCTION baton_resolve(p_text text)
RETURNS TABLE (cid bigint, how integer)
LANGUAGE plpgsql STABLE SECURITY DEFINER ROWS 2 SET search_path = public, pg_temp AS $f$
DECLARE
    v_scope text[] := baton_me_scope();  -- NULL: every segment (or not staff)
    v_lower text := lower(p_text);
    v_others bigint[];
    v_ext bigint[];
    v_found boolean := false;
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
    -- An external id: SYSTEM:ID's customers, and those with an id of any
    -- system equal to the whole text, case aside.  Two statements: one
    -- with both kept a custom plan, planned again at every call (+0.2 ms).
    -- Into a variable first, as v_others below.
    v_ext := baton_external_customers(p_text);
    IF cardinality(v_ext) > 0 THEN
        RETURN QUERY SELECT c.id, 2 FROM customer c
            WHERE c.id = ANY (v_ext) AND (v_scope IS NULL OR c.segment = ANY (v_scope));
        v_found := FOUND;
    END IF;
    RETURN QUERY SELECT DISTINCT x.customer_id, 2 FROM customer_external_id x
        JOIN customer c ON c.id = x.customer_id
        WHERE lower(x.external_id) = v_lower AND (v_scope IS NULL OR c.segment = ANY (v_scope))
          AND NOT x.customer_id = ANY (v_ext);
    IF FOUND OR v_found THEN
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

-- 062's baton_find, with a branch for SYSTEM:ID (how -1).
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
        (SELECT id, -1 FROM customer
          WHERE id = ANY ($5) AND ($3 IS NULL OR segment = ANY ($3)) AND merged_into IS NULL)
        UNION ALL (SELECT id, CASE WHEN $2 THEN 0 ELSE 1 END FROM customer
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
    $q$ USING p_text, p_contains, v_scope, baton_domain_customers(lower(p_text)),
              baton_external_customers(p_text);
END $f$;
