-- Baton schema, version 23: the partial name of `baton show NAME` looks at
-- names only.
--
-- When no customer has exactly what was typed, cv_resolve takes the
-- customers whose name holds it: the name branches of baton_find (how 0
-- and 1).  baton_find planned and ran its domain, e-mail and external id
-- branches as well, for rows cv_resolve then left out: half the time of a
-- partial lookup.  baton_find_names is those two branches of 015's
-- baton_find, with the same scope, the same limits and the same order.
-- Like baton_find it runs as its owner (the trigram and prefix indexes
-- serve LIKE only past the policies) and applies the reader's scope itself.

CREATE FUNCTION baton_find_names(p_text text)
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
        (SELECT id, 0 FROM customer
          WHERE name_folded LIKE baton_like_escape(baton_fold($1)) || '%'
            AND ($2 IS NULL OR segment = ANY ($2)) AND merged_into IS NULL
          ORDER BY name_folded USING ~<~ LIMIT 50)
        UNION ALL (SELECT id, 1 FROM customer
          WHERE name_folded LIKE '%' || baton_like_escape(baton_fold($1)) || '%'
            AND ($2 IS NULL OR segment = ANY ($2)) AND merged_into IS NULL
          LIMIT 100)
    $q$ USING p_text, v_scope;
END $f$;

REVOKE ALL ON FUNCTION baton_find_names(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION baton_find_names(text) TO baton_staff, baton_importer;
