-- Baton schema, version 73: a contact's e-mail address is stored as an
-- address.
--
-- An export that writes addresses as mail clients do, "Ann Lee"
-- <ann@acme.example> or Ann Lee <ann@acme.example> (066 made such a value
-- count for its domain), stored the whole value as the contact's e-mail:
-- the screen showed it so, and a ticket that names its requester by
-- ann@acme.example (070 finds the contact by its address) did not find
-- her.  Now an e-mail field's value is its address: the one in angle
-- brackets at the end when there is one, else the value without the
-- blanks around it.  A list of addresses, or brackets that hold no
-- address, stay as written (baton_norm_domain finds no domain in them,
-- which rejects the record as before).
--
-- Contacts imported before are mended once, here, the same way (each
-- change audited, as the session user running the migration).
--
-- 059's baton_import_field_sql, with that in its email branch.
CREATE OR REPLACE FUNCTION baton_import_addr(p text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
    SELECT coalesce(substring(btrim(p, E' \t\n\r\f\v') FROM '^[^<>]*<([^<>@[:space:]]+@[^<>[:space:]]+)>$'),
                    btrim(p, E' \t\n\r\f\v'))
$$;

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
        val := format('baton_import_addr(%s)', r);
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

UPDATE contact SET email = baton_import_addr(email)
WHERE email IS DISTINCT FROM baton_import_addr(email);
