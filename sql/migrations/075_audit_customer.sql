-- Baton schema, version 75: an administrator finds the customer of
-- `baton audit --customer C` without a staff entry.
--
-- What was wrong: README says administrators "read `baton audit`; they
-- need no staff entry of their own" and shows `baton audit --customer
-- nwh.example --since 7d`.  But the customer was resolved as `baton show`
-- resolves it, reading customer (and baton_resolve, baton_find_names) as
-- the session user: an administrator who is not on the staff may not read
-- customer at all ("permission denied for table customer", exit 4), and
-- the two functions found nothing for anyone without an active staff row.
--
-- What now: baton_audit_customers(text) resolves the text as cv_resolve
-- does (the exact kinds of baton_resolve first, else a partial name by
-- baton_find_names; an absorbed customer's id names its survivor; at most
-- 21, ordered the same way) and returns each one's id, name and domain, for
-- the audit only.  It runs as its owner and refuses anyone who is not an
-- administrator (a member of baton_admin), in the words `baton audit`
-- uses.  baton_resolve and baton_find_names (069's and 028's, restated
-- whole) let an administrator through their gate as they let importers
-- through: every segment, unless the administrator is also a scoped staff
-- member, whose scope still applies (as before, when such a person's
-- lookup ran under the policies).  Neither is granted to baton_admin: an
-- administrator reaches them only through baton_audit_customers.

-- 069's, with administrators admitted.
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
    -- Importers (010) read every customer, as their policy does, and so
    -- do administrators (075: the customer of `baton audit --customer`,
    -- through baton_audit_customers, the only way they call this).
    IF NOT (baton_me_active() OR baton_me_bypasses()
            OR pg_has_role(session_user, 'baton_importer', 'MEMBER')
            OR pg_has_role(session_user, 'baton_admin', 'MEMBER')) THEN
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

-- 028's, with administrators admitted (as baton_resolve above).
CREATE OR REPLACE FUNCTION baton_find_names(p_text text)
RETURNS TABLE (cid bigint, how integer)
LANGUAGE plpgsql STABLE SECURITY DEFINER ROWS 100 SET search_path = public, pg_temp AS $f$
DECLARE
    v_scope text[];  -- NULL: every segment
BEGIN
    IF baton_me_active() THEN
        v_scope := baton_me_scope();
    ELSIF NOT (baton_me_bypasses() OR pg_has_role(session_user, 'baton_admin', 'MEMBER')) THEN
        RETURN;
    END IF;
    RETURN QUERY EXECUTE $q$
        (SELECT id, 0 FROM customer
          WHERE name_folded LIKE baton_like_escape(baton_fold($1)) || '%'
            AND ($2 IS NULL OR segment = ANY ($2)) AND merged_into IS NULL
          ORDER BY name_folded USING ~<~, id LIMIT 50)
        UNION ALL (SELECT id, 1 FROM customer
          WHERE name_folded LIKE '%' || baton_like_escape(baton_fold($1)) || '%'
            AND ($2 IS NULL OR segment = ANY ($2)) AND merged_into IS NULL
          LIMIT 100)
    $q$ USING p_text, v_scope;
END $f$;

-- The customers p_text names, for `baton audit --customer`: as cv_resolve
-- (src/customer.c) finds them, with the same two statements.
CREATE FUNCTION baton_audit_customers(p_text text)
RETURNS TABLE (cid bigint, cname text, cdomain text)
LANGUAGE plpgsql STABLE SECURITY DEFINER ROWS 2 SET search_path = public, pg_temp AS $f$
BEGIN
    IF NOT pg_has_role(session_user, 'baton_admin', 'MEMBER') THEN
        RAISE EXCEPTION 'baton audit needs the baton_admin role (GRANT baton_admin TO %)', session_user
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN QUERY SELECT s.id, s.name, coalesce(s.domain, '') FROM customer s
        WHERE s.id = ANY (ARRAY(SELECT coalesce(c.merged_into, c.id)
                                FROM customer c JOIN baton_resolve(p_text) r ON r.cid = c.id))
        ORDER BY s.id LIMIT 21;
    IF FOUND THEN
        RETURN;
    END IF;
    RETURN QUERY SELECT DISTINCT c.id, c.name, coalesce(c.domain, '')
        FROM customer c JOIN baton_find_names(p_text) f ON f.cid = c.id
        ORDER BY c.name, c.id LIMIT 21;
END $f$;
REVOKE ALL ON FUNCTION baton_audit_customers(text) FROM PUBLIC;
-- Staff too, to be refused in words by the check above.
GRANT EXECUTE ON FUNCTION baton_audit_customers(text) TO baton_staff, baton_admin;
