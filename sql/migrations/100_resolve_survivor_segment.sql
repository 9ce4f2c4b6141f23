-- Baton schema, version 100: `baton show` and the console's lookup find an
-- absorbed customer by the segment 099 gives it, its survivor's.
--
-- baton_resolve checked a scoped person's segments against each found
-- row's own segment.  Since 099 a customer absorbed by a merge is in its
-- survivor's segment, so `baton show #B` (B absorbed into an enterprise
-- account, itself an smb record) was "no customer" for a person scoped to
-- enterprise, who sees all of B on the survivor's screen; for a person
-- scoped to smb it found B and then read nothing (the policies hide it).
-- Each branch now checks the survivor's segment.  A person who sees every
-- segment is not affected (v_scope is NULL).

-- 075's, the scope checked against baton_customer_segment (099).
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
              AND (v_scope IS NULL OR baton_customer_segment(c.merged_into, c.segment) = ANY (v_scope));
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
            WHERE c.id = ANY (v_ext) AND (v_scope IS NULL OR baton_customer_segment(c.merged_into, c.segment) = ANY (v_scope));
        v_found := FOUND;
    END IF;
    RETURN QUERY SELECT DISTINCT x.customer_id, 2 FROM customer_external_id x
        JOIN customer c ON c.id = x.customer_id
        WHERE lower(x.external_id) = v_lower AND (v_scope IS NULL OR baton_customer_segment(c.merged_into, c.segment) = ANY (v_scope))
          AND NOT x.customer_id = ANY (v_ext);
    IF FOUND OR v_found THEN
        RETURN;
    END IF;
    RETURN QUERY SELECT c.id, 3 FROM customer c
        WHERE lower(c.domain) = v_lower AND (v_scope IS NULL OR baton_customer_segment(c.merged_into, c.segment) = ANY (v_scope));
    IF FOUND THEN
        RETURN;
    END IF;
    -- Into a variable first: as a stable function's call in the query,
    -- the planner ran it too, to estimate the rows.
    v_others := baton_domain_customers(v_lower);
    RETURN QUERY SELECT c.id, 3 FROM customer c
        WHERE c.id = ANY (v_others) AND (v_scope IS NULL OR baton_customer_segment(c.merged_into, c.segment) = ANY (v_scope));
    IF FOUND THEN
        RETURN;
    END IF;
    RETURN QUERY SELECT DISTINCT x.customer_id, 4 FROM contact x
        JOIN customer c ON c.id = x.customer_id
        WHERE lower(x.email) = v_lower AND (v_scope IS NULL OR baton_customer_segment(c.merged_into, c.segment) = ANY (v_scope));
    IF FOUND THEN
        RETURN;
    END IF;
    RETURN QUERY SELECT c.id, 5 FROM customer c
        WHERE c.name_folded = baton_fold(p_text) AND (v_scope IS NULL OR baton_customer_segment(c.merged_into, c.segment) = ANY (v_scope))
        LIMIT 50;
END $f$;
