-- Baton schema, version 98: a path with a choice reads a list's element by
-- its number, and a choice matches a number or true/false as written.
--
-- 094 read a path with a choice as SQL/JSON path, every name a member:
-- "pages.0.answers[type=rating].value" read member "0" of a list, which
-- strict mode has not, so the field was missing whatever the record held
-- (a path of names only is read by #>>, where "0" is a list's first
-- element).  A name of digits is now a list's element there too ("-1" the
-- last, as #>> has it); an object's key of digits is not read in a path
-- with a choice.
--
-- A choice compared its field with a string only: Zendesk tickets'
-- custom_fields are [{"id": 360001, "value": "..."}], and
-- "custom_fields[id=360001].value" matched nothing.  A choice's value that
-- is a number (360001, -2, 4.5) or true/false now also matches that JSON
-- number or boolean, as a skip or only rule's value does.

-- One name of a path as SQL/JSON path: a member, or a list's element.
CREATE FUNCTION baton_import_jsonpath_step(p_name jsonb) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN p_name #>> '{}' ~ '^-?[0-9]{1,9}$' AND (p_name #>> '{}')::integer >= 0
                THEN '[' || abs((p_name #>> '{}')::integer) || ']'
                WHEN p_name #>> '{}' ~ '^-[0-9]{1,9}$'
                THEN '[last - ' || (-(p_name #>> '{}')::integer - 1) || ']'
                ELSE '.' || p_name::text END
$$;

-- 094's, with a name of digits a list's element and a choice matching
-- numbers and booleans as written.
CREATE OR REPLACE FUNCTION baton_import_jsonpath(p_path jsonb) RETURNS jsonpath
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN jsonb_typeof(p_path) = 'array'
                 AND EXISTS (SELECT 1 FROM jsonb_array_elements(p_path) e WHERE jsonb_typeof(e) = 'object') THEN
        ('strict $' || (SELECT string_agg(
            CASE WHEN jsonb_typeof(e) = 'string' THEN baton_import_jsonpath_step(e)
                 ELSE '[*] ? (' || c.f || ' == ' || (e -> 'is')::text
                      || CASE WHEN e ->> 'is' ~ '^-?(0|[1-9][0-9]{0,14})(\.[0-9]{1,15})?$'
                                OR e ->> 'is' IN ('true', 'false')
                              THEN ' || ' || c.f || ' == ' || (e ->> 'is') ELSE '' END || ')' END,
            '' ORDER BY n)
         FROM jsonb_array_elements(p_path) WITH ORDINALITY p(e, n)
         LEFT JOIN LATERAL (SELECT '@' || string_agg(baton_import_jsonpath_step(w), '' ORDER BY i)
                            FROM jsonb_array_elements(e -> 'where') WITH ORDINALITY x(w, i)
                            WHERE jsonb_typeof(e) = 'object') c (f) ON true))::jsonpath END
$$;
