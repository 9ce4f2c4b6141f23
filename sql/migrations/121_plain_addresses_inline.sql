-- Baton schema, version 121: a plain address or domain is normalised
-- without a function call (#12, a contacts file's time).
--
-- baton_norm_domain (102) is a PL/pgSQL function that runs every step a
-- pasted URL, an address in angle brackets, Unicode, Punycode or www.
-- need, for every value: about 2 us a call.  A contacts file of 300,000
-- rows called it 900,000 times (its check in the stage, its identifiers,
-- the index on contacts' domains), and baton_import_addr (102), a SQL
-- function that PostgreSQL could not inline (declared STRICT over a
-- coalesce), 300,000 times more, 2.2 us each: about 2.7 s of the 17 s the
-- bench's contacts took.
-- baton_norm_domain is now a SQL function the planner inlines into each
-- statement: a value that is plainly an address or a domain in ASCII
-- (a mailbox of letters, digits and ._+-, one @, lower-case labels of
-- letters and digits with hyphens inside, two labels or more, no
-- Punycode) is its part after the @, without a www. in front of two
-- labels or more; anything else (two www. too) is given to 102's
-- function, renamed baton_norm_domain_full, which has every rule.  For a
-- plain value that function returns exactly that (no blank, bracket, URL,
-- upper case, trailing dot or non-ASCII character for it to change; its
-- labels pass its final test), so no stored result changes; test_import
-- compares the two over 69,000 values on both sides of the line.  The
-- index on contacts' domains is made again on the new function (an index
-- names its function, and the renamed one is no longer what callers
-- call): the same keys, below.
-- baton_import_addr is the same expression, inlined: a value without >
-- has no address in angle brackets at its end, and is itself, trimmed.
-- Both now take a NULL to NULL through their expression, not by being
-- STRICT, which would keep PostgreSQL from inlining them.  Inlined, an
-- argument is read once for each time the expression names it: give them
-- columns (as Baton's statements do), not costly expressions.
ALTER FUNCTION baton_norm_domain(text) RENAME TO baton_norm_domain_full;

-- An address's or URL's domain, normalised (see baton_norm_domain_full),
-- or NULL when it is none.  (A dot in the pattern is [.], not \.: an
-- inlined body is read in the caller's session, where
-- standard_conforming_strings may be off.)
CREATE FUNCTION baton_norm_domain(p text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN p ~ '^(?:[-A-Za-z0-9._+]*@)?[a-z0-9]+(?:-+[a-z0-9]+)*(?:[.][a-z0-9]+(?:-+[a-z0-9]+)*)+$'
                     AND p NOT LIKE '%xn--%'
                THEN CASE WHEN split_part(p, '@', -1) NOT LIKE 'www.%' THEN split_part(p, '@', -1)
                          WHEN split_part(p, '@', -1) NOT LIKE 'www.www.%' AND split_part(p, '@', -1) LIKE 'www.%.%'
                          THEN substr(split_part(p, '@', -1), 5)
                          ELSE public.baton_norm_domain_full(p) END
                ELSE public.baton_norm_domain_full(p) END
$$;

-- 102's, calling the function above (it named 102's by its oid).
CREATE OR REPLACE FUNCTION baton_typed_domain(p text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
RETURN CASE WHEN lower(p) LIKE '%xn--%' AND p !~ '[@/:]'
            THEN coalesce(public.baton_norm_domain(p), lower(p)) ELSE lower(p) END;

-- 102's, inlined: the address in angle brackets at the end of a value,
-- else the value without the blanks around it.
CREATE OR REPLACE FUNCTION baton_import_addr(p text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE CALLED ON NULL INPUT AS $$
    SELECT CASE WHEN strpos(p, '>') = 0 THEN btrim(p, E' \t\n\r\f\x0b')
                ELSE coalesce(substring(btrim(p, E' \t\n\r\f\x0b') FROM '^[^<>]*<([^<>@[:space:]]+@[^<>[:space:]]+)>$'),
                              btrim(p, E' \t\n\r\f\x0b')) END
$$;

-- The full function names the functions it calls without their schema:
-- it now runs with Baton's search path, as PostgreSQL 17 builds indexes
-- with pg_catalog's alone (an address in Punycode failed there).
ALTER FUNCTION baton_norm_domain_full(text) SET search_path = public, pg_temp;

-- The index on contacts' domains, on the function callers call, and whole:
-- an inlined expression is not strict, so the planner could no longer
-- tell from baton_norm_domain(email) = 'x' alone that email is not null,
-- which a partial index needs.  Its statistics, which a new index has
-- none of, for the joins that read it.
DROP INDEX contact_email_domain_idx;
CREATE INDEX contact_email_domain_idx ON contact (baton_norm_domain(email));
ANALYZE contact;
