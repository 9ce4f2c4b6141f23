-- Baton schema, version 92: a value map's source values match whatever
-- their case and the blanks around them.
--
-- An enum field without a map took "Done", "done" and " done " alike
-- (015), but a map matched only the value exactly as written: a tracker
-- whose status column said "Done" or "done " (a cell typed by hand), or a
-- HubSpot export that wrote the lifecycle stage as its internal value
-- "customer" instead of its label "Customer", had the record rejected as
-- "not in the map".  Now a value the map does not hold as written is looked
-- up again in lower case without the blanks around it.  The value as
-- written comes first, so a map that tells "Done" from "done" still does;
-- source values that only differ in case or blanks and map to different
-- Baton values are matched only as written (which of them a third spelling
-- meant is not known).  Enum fields, a list's first value that maps
-- (tags), whole numbers (a survey's "good"/"bad") and staff maps alike.
-- The blanks are spaces, as for a field without a map.
--
-- A whole number the map has not (a score of "4" beside "good" and "bad")
-- passed the check but was typed as no value, and the record was rejected
-- as missing its score; it is now that number (rejected when it is no
-- score of its kind, saying so).

-- The value of the raw text expression p_raw through p_map, as an
-- expression: as written, else folded.
CREATE FUNCTION baton_import_map_sql(p_raw text, p_map jsonb) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT format('coalesce(%L::jsonb ->> %s, %L::jsonb ->> lower(btrim(%2$s)))', p_map, p_raw,
                  (SELECT coalesce(jsonb_object_agg(f.k, f.v), '{}')
                   FROM (SELECT lower(btrim(e.key)) AS k, min(e.value) AS v FROM jsonb_each_text(p_map) e
                         GROUP BY 1 HAVING count(DISTINCT e.value) = 1) f))
$$;

-- 015's, with the map's lookup folded.
CREATE OR REPLACE FUNCTION baton_import_enum_sql(p_raw text, p_map jsonb, p_allowed text[]) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN p_map IS NOT NULL THEN baton_import_map_sql(p_raw, p_map)
        ELSE format('CASE WHEN lower(btrim(%1$s)) = ANY (%2$L::text[]) THEN lower(btrim(%1$s)) END',
                    p_raw, p_allowed) END
$$;

-- 073's baton_import_field_sql, restated whole: its whole-number and staff
-- maps folded too.
CREATE OR REPLACE FUNCTION baton_import_field_sql(p_field text, p_kind text, p_allowed text[], p_def jsonb,
                                       OUT val text, OUT chk text)
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    r text := format('w.%I', 'r_' || p_field);
    j text := format('w.%I', 'j_' || p_field);
    t text := format('t.%I', 'v_' || p_field);
    m jsonb := p_def -> 'map';
    fmt text := p_def ->> 'format';
    x text;
BEGIN
    CASE p_kind
    WHEN 'enum' THEN
        -- The default stands where the record has none, before the map: the
        -- map takes it to itself unless the source has a value of that name.
        IF m IS NOT NULL AND p_def ? 'default' AND NOT m ? (p_def ->> 'default') THEN
            m := m || jsonb_build_object(p_def ->> 'default', p_def ->> 'default');
        END IF;
        val := baton_import_enum_sql(r, m, p_allowed);
        chk := format('CASE WHEN w.%I IS NOT NULL AND %s IS NULL THEN %s END', 'r_' || p_field, t,
            CASE WHEN m IS NOT NULL THEN format('format(%L, w.%I)', p_field || ':value "%s" is not in the map',
                                                'r_' || p_field)
                 ELSE format('format(%L, w.%I)', p_field || ':"%s" is not one of '
                             || replace(array_to_string(p_allowed, ', '), '%', '%%'), 'r_' || p_field) END);
    WHEN 'first' THEN
        val := format('coalesce((SELECT %s FROM jsonb_array_elements_text(CASE jsonb_typeof(%2$s)'
                      ' WHEN ''array'' THEN %2$s WHEN ''string'' THEN'
                      ' to_jsonb(regexp_split_to_array(%2$s #>> ''{}'', ''[,;[:space:]]+'')) END)'
                      ' WITH ORDINALITY a(e, i) WHERE %1$s IS NOT NULL ORDER BY a.i LIMIT 1), %3$L)',
                      baton_import_enum_sql('a.e', m, p_allowed), j, p_def ->> 'default');
    WHEN 'int' THEN
        -- A number the map has not is that number, as the check held.
        x := CASE WHEN m IS NULL THEN r ELSE format('coalesce(%s, %s)', baton_import_map_sql(r, m), r) END;
        val := format('CASE WHEN %1$s ~ ''^-?[0-9]{1,9}$'' THEN %1$s::integer END', x);
        chk := format('CASE WHEN %1$s IS NOT NULL AND NOT %2$s ~ ''^-?[0-9]{1,9}$'''
                      ' THEN %3$L || '':"'' || %1$s || %4$L END', r, x,
                      p_field, CASE WHEN m IS NULL THEN '" is not a whole number' ELSE '" is not in the map' END);
    WHEN 'date', 'time' THEN
        val := baton_import_time_sql(r, fmt) || CASE WHEN p_kind = 'date' THEN '::date' ELSE '' END;
        chk := format('CASE WHEN %s IS NOT NULL AND %s IS NULL THEN format(%L, %1$s) END', r, t,
                      p_field || ':"%s" is not a date and time (' || replace(coalesce(fmt, 'iso'), '%', '%%') || ')');
    WHEN 'domains' THEN
        val := format('baton_import_domains(%s)', j);
    WHEN 'email' THEN
        val := format('baton_import_addr(%s)', r);
        chk := format('CASE WHEN baton_norm_domain(%1$s) IS NULL THEN %2$L || '':"'' || %1$s'
                      ' || ''" is not an e-mail address or a domain'' END', r, p_field);
    WHEN 'staff' THEN
        -- A person by the map, or by their role name; someone unknown is no one.
        val := format('(SELECT s.role_name FROM staff s WHERE s.role_name::text = coalesce(%s, %s))',
                      CASE WHEN m IS NULL THEN 'NULL' ELSE baton_import_map_sql(r, m) END, r);
    ELSE
        val := r;
    END CASE;
END $$;
