-- Baton schema, version 3: the finder ignores accents as well as case, so
-- "lumiere" finds Café Lumière, "muller" a Müller and "sao paulo" São Paulo
-- Saúde, as people type names on keyboards without those letters.

CREATE EXTENSION IF NOT EXISTS unaccent;

-- baton_fold: a name as the finder compares it (accents removed, lower
-- case).  unaccent() is only STABLE because it looks its dictionary up on
-- the search_path; an index needs an IMMUTABLE expression that cannot
-- change with a session's settings, so this wrapper names the function and
-- the dictionary with the schema the extension lives in (public here, but
-- a database may have had it installed elsewhere before Baton came).
DO $do$
DECLARE
    v_schema name;
BEGIN
    SELECT n.nspname INTO STRICT v_schema
    FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
    WHERE e.extname = 'unaccent';
    EXECUTE format(
        'CREATE FUNCTION baton_fold(text) RETURNS text'
        ' LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT'
        ' AS $f$ SELECT lower(%I.unaccent(%L::regdictionary, $1)) $f$',
        v_schema, quote_ident(v_schema) || '.unaccent');
    -- The wrapper runs with its caller's rights: staff must reach it.
    IF v_schema <> 'public' THEN
        EXECUTE format('GRANT USAGE ON SCHEMA %I TO baton_staff', v_schema);
    END IF;
END
$do$;

-- The LIKE pattern that matches text literally.  The finder escapes after
-- folding, in the database, because folding itself can produce the
-- metacharacters: unaccent turns the full-width ％ ＿ ＼ into % _ \.
CREATE FUNCTION baton_like_escape(text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$ SELECT regexp_replace($1, '([\\%_])', '\\\1', 'g') $$;

-- The folded name is stored (computed on every write of the name), so that
-- matching, rechecking and ranking read it instead of folding every
-- candidate again.  The finder's name indexes are on it: by its start (in
-- order, for the prefix branch's ORDER BY ... LIMIT) and anywhere
-- (trigrams).  The indexes on the name itself stay: `baton show NAME`
-- resolves exact and partial names with them.
ALTER TABLE customer ADD COLUMN name_folded text NOT NULL
    GENERATED ALWAYS AS (baton_fold(name)) STORED;
CREATE INDEX customer_name_fold_prefix_idx ON customer (name_folded text_pattern_ops);
CREATE INDEX customer_name_fold_trgm ON customer USING gin (name_folded gin_trgm_ops);
