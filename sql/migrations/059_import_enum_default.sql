-- Baton schema, version 59: a field's default is Baton's value, also where a
-- map translates the source's values.
--
-- A mapping's default (the configuration checks it is one of Baton's
-- values) stood in for the source's value where a record had none, and then
-- went through the map.  The shipped hubspot-email-sends mapping has
-- kind = { from = "Email Type"; default = "newsletter"; map = (["Newsletter",
-- "newsletter"], ...) }: every send without an Email Type was rejected with
-- 'value "newsletter" is not in the map'.  Tickets' category (kind 'first')
-- already applied its default after the map.  Now an enum's map also takes
-- its default to itself, unless the source has a value of that name (which
-- keeps its mapping), for every client: the server builds the statement.
--
-- 015's baton_import_field_sql, with that in its enum branch.
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
        x := CASE WHEN m IS NULL THEN r ELSE format('(%L::jsonb ->> %s)', m, r) END;
        val := format('CASE WHEN %1$s ~ ''^-?[0-9]{1,9}$'' THEN %1$s::integer END', x);
        chk := format('CASE WHEN %1$s IS NOT NULL AND NOT coalesce(%2$s, %1$s) ~ ''^-?[0-9]{1,9}$'''
                      ' THEN %3$L || '':"'' || %1$s || %4$L END', r,
                      CASE WHEN m IS NULL THEN 'NULL' ELSE format('(%L::jsonb ->> %s)', m, r) END,
                      p_field, CASE WHEN m IS NULL THEN '" is not a whole number' ELSE '" is not in the map' END);
    WHEN 'date', 'time' THEN
        val := baton_import_time_sql(r, fmt) || CASE WHEN p_kind = 'date' THEN '::date' ELSE '' END;
        chk := format('CASE WHEN %s IS NOT NULL AND %s IS NULL THEN format(%L, %1$s) END', r, t,
                      p_field || ':"%s" is not a date and time (' || replace(coalesce(fmt, 'iso'), '%', '%%') || ')');
    WHEN 'domains' THEN
        val := format('baton_import_domains(%s)', j);
    WHEN 'email' THEN
        val := r;
        chk := format('CASE WHEN baton_norm_domain(%1$s) IS NULL THEN %2$L || '':"'' || %1$s'
                      ' || ''" is not an e-mail address or a domain'' END', r, p_field);
    WHEN 'staff' THEN
        -- A person by the map, or by their role name; someone unknown is no one.
        val := format('(SELECT s.role_name FROM staff s WHERE s.role_name::text = coalesce(%s, %s))',
                      CASE WHEN m IS NULL THEN 'NULL' ELSE format('%L::jsonb ->> %s', m, r) END, r);
    ELSE
        val := r;
    END CASE;
END $$;

