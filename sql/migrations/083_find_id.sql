-- Baton schema, version 83: the finder finds a customer by its id.
--
-- The customer screen shows a customer's id ("Northwind Health
-- (nwh.example)  #1") and `baton show 1` or `baton show '#1'` opens it
-- (baton_resolve, 011), but the finder compared the text with names,
-- domains, e-mails and external ids alone: typing 1 or #1 in the console's
-- Find field, or `baton find 1`, said "No customer matches" (or listed
-- customers whose external id starts with 1, and not customer 1).
--
-- * baton_find (069's, restated): a number of up to 18 digits, with or
--   without the "#" the screens show, lists the customer with that id,
--   how -2: before any other match, since the id is the customer's own
--   key; src/finder.c shows -2 as "id".  An absorbed customer's id lists
--   its survivor, as `baton show` opens it.  Within the person's scope,
--   as every branch; one primary-key probe, and none for any other text.
CREATE OR REPLACE FUNCTION baton_find(p_text text, p_contains boolean)
RETURNS TABLE (cid bigint, how integer)
LANGUAGE plpgsql STABLE SECURITY DEFINER ROWS 100 SET search_path = public, pg_temp AS $f$
DECLARE
    v_scope text[];  -- NULL: every segment
    v_id bigint;     -- the id typed, if the text is one
BEGIN
    IF baton_me_active() THEN
        v_scope := baton_me_scope();
    ELSIF NOT baton_me_bypasses() THEN
        RETURN;
    END IF;
    IF p_text ~ '^#?[0-9]{1,18}$' THEN
        v_id := ltrim(p_text, '#')::bigint;
    END IF;
    RETURN QUERY EXECUTE $q$
        (SELECT s.id, -2 FROM customer s
          WHERE s.id = (SELECT coalesce(c.merged_into, c.id) FROM customer c WHERE c.id = $6)
            AND ($3 IS NULL OR s.segment = ANY ($3)) AND s.merged_into IS NULL)
        UNION ALL (SELECT id, -1 FROM customer
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
              baton_external_customers(p_text), v_id;
END $f$;
