-- Baton schema, version 48: cheaper first imports.  A plain ISO time is
-- taken without a regular expression (and a time with an impossible offset
-- is a rejected value, not a failed file), and fewer index entries are
-- written per row: three indexes no query reads are dropped, two of the
-- open tickets' are made one, the assignee index holds only tickets that
-- have one, and import records are no longer indexed by their parent.
--
-- 1. Plain times at once ------------------------------------------------------
-- 030's check of an ISO 8601 time is a structured regular expression, and
-- PostgreSQL 15 spends 3-5 us a value on one (a class-only pattern costs
-- 0.2 us): about 9 s of staging 1,000,000 tickets, whose two times each
-- pass it.  The shapes exports write (2026-03-01, 2026-03-01 10:00,
-- 2026-03-01 10:00:00, 2026-03-01T10:00:00, 2026-03-01T10:00, and with a Z)
-- are now recognised by LIKE, which costs next to nothing:
-- - the shape's own pattern fixes the length and where its separators are;
-- - a class-only expression says every character is a digit or one of
--   "-T: Z";
-- - NOT LIKE says no separator shows more often than the shape has it, so
--   the other places hold digits;
-- - the fields are compared as text (COLLATE "C": bytes), within the same
--   ranges as 030's fast expression (a day up to 28; 29 to 31 go the long way).
-- 1.6 us a value instead of 5 on 1,000,000 of them.  What it accepts, 030's
-- first expression accepts too, with the same value (the text has nothing to
-- trim); everything else (other shapes, fractions, offsets, blanks around,
-- the 29th to the 31st) goes through 030's expression as before.

-- 030's expression cast what its pattern let through, and two kinds of
-- text it let through made the cast fail, and with it the whole file: an
-- offset beyond what PostgreSQL takes (16 hours or more, minutes past 59:
-- "2026-03-01T10:00-57" is "time zone displacement out of range"), and a
-- date with a negative offset straight after it ("2026-03-01-05").  Both are
-- now a bad value of their row, rejected like any other.  Otherwise the same
-- as 030's.
CREATE OR REPLACE FUNCTION baton_import_iso_sql(p_expr text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT format($f$CASE
        WHEN %1$s ~ '^(?!0000)[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])([T ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?( ?(Z|UTC|[+-](0[0-9]|1[0-5])(:?[0-5][0-9])?))?| ?(Z|UTC|[+](0[0-9]|1[0-5])(:?[0-5][0-9])?)| -(0[0-9]|1[0-5])(:?[0-5][0-9])?)?$' THEN %1$s::timestamptz
        WHEN NOT %1$s ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?( ?(Z|UTC|[+-](0[0-9]|1[0-5])(:?[0-5][0-9])?))?| ?(Z|UTC|[+](0[0-9]|1[0-5])(:?[0-5][0-9])?)| -(0[0-9]|1[0-5])(:?[0-5][0-9])?)?$' THEN NULL
        WHEN substr(%1$s, 1, 4)::integer < 1 OR substr(%1$s, 6, 2)::integer NOT BETWEEN 1 AND 12 THEN NULL
        WHEN substr(%1$s, 9, 2)::integer NOT BETWEEN 1 AND extract(day FROM
                make_date(substr(%1$s, 1, 4)::integer, substr(%1$s, 6, 2)::integer, 1)
                + interval '1 month - 1 day')::integer THEN NULL
        WHEN CASE WHEN substr(%1$s, 14, 1) = ':' THEN substr(%1$s, 12, 2)::integer > 23
                  OR substr(%1$s, 15, 2)::integer > 59 ELSE false END THEN NULL
        WHEN CASE WHEN substr(%1$s, 17, 1) = ':' THEN substr(%1$s, 18, 2)::integer > 59
                  ELSE false END THEN NULL
        ELSE %1$s::timestamptz END$f$, p_expr)
$$;

-- 010's baton_import_iso (no import calls it now; a script may) is that
-- expression, written out once here, so that there is one answer to "is
-- this a time".
DO $$
BEGIN
    EXECUTE format('CREATE OR REPLACE FUNCTION baton_import_iso(p text) RETURNS timestamptz'
                   ' LANGUAGE sql STABLE PARALLEL SAFE AS %L', 'SELECT ' || baton_import_iso_sql('btrim(p)'));
END $$;

-- A condition over the untrimmed text %1$s: true when it is one of the plain
-- shapes above and its fields are in range.
CREATE FUNCTION baton_import_iso_plain_sql(p_expr text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT format('(%1$s ~ ''^[-0-9T: Z]+$'' AND (', p_expr)
        || (SELECT string_agg(format('%s LIKE %L', p_expr, s.shape)
                              || (SELECT string_agg(format(' AND %s NOT LIKE %L', p_expr,
                                          '%' || repeat(c.sep || '%',
                                              length(s.shape) - length(replace(s.shape, c.sep, '')) + 1)), ''
                                                    ORDER BY c.k)
                                  FROM unnest(ARRAY['-', 'T', ':', ' ', 'Z']) WITH ORDINALITY c(sep, k)),
                              ' OR ' ORDER BY s.k)
            FROM unnest(ARRAY['____-__-__', '____-__-__ __:__', '____-__-__T__:__',
                              '____-__-__ __:__:__', '____-__-__T__:__:__', '____-__-__T__:__:__Z'])
                 WITH ORDINALITY s(shape, k))
        || format(') AND substr(%1$s, 1, 4) <> ''0000'''
                  ' AND substr(%1$s, 6, 2) COLLATE "C" BETWEEN ''01'' AND ''12'''
                  ' AND substr(%1$s, 9, 2) COLLATE "C" BETWEEN ''01'' AND ''28'''
                  ' AND (length(%1$s) = 10 OR substr(%1$s, 12, 2) COLLATE "C" <= ''23'''
                  ' AND substr(%1$s, 15, 2) COLLATE "C" <= ''59'')'
                  ' AND (length(%1$s) < 19 OR substr(%1$s, 18, 2) COLLATE "C" <= ''59''))', p_expr)
$$;

-- 015's baton_import_time_sql, an ISO time's plain shapes taken at once.
CREATE OR REPLACE FUNCTION baton_import_time_sql(p_raw text, p_fmt text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN coalesce(p_fmt, 'iso') = 'iso' THEN
            format('CASE WHEN %s THEN %s::timestamptz ELSE %s END', baton_import_iso_plain_sql(p_raw),
                   p_raw, baton_import_iso_sql(format('btrim(%s)', p_raw)))
        WHEN p_fmt = 'epoch' THEN format($f$CASE
            WHEN btrim(%1$s) ~ '^[0-9]{1,10}(\.[0-9]+)?$' THEN to_timestamp(btrim(%1$s)::numeric)
            WHEN btrim(%1$s) ~ '^[0-9]{11,13}$' THEN to_timestamp(btrim(%1$s)::numeric / 1000) END$f$, p_raw)
        ELSE format('baton_import_pattern(%s, %L)', p_raw, p_fmt) END
$$;

-- 2. Indexes no query reads ---------------------------------------------------
-- Every query of a customer's name goes by its folded name (003): the
-- finder, baton_resolve and baton_find_names.  001's trigram and prefix
-- indexes on the name itself were still written on every customer inserted
-- or renamed (a GIN entry per trigram): 100,000 of each in a first import.
DROP INDEX IF EXISTS customer_name_trgm;
DROP INDEX IF EXISTS customer_name_prefix_idx;
-- lower(email) = ... is served by contact_email_prefix_idx (the same
-- expression; text_pattern_ops has =): 300,000 entries fewer in a first
-- import of contacts.
DROP INDEX IF EXISTS contact_email_lower_idx;

-- 3. Two indexes of a customer's open tickets made one ----------------------
-- 001's (customer_id, opened_at DESC) and 009's (customer_id) INCLUDE
-- (priority, category, opened_at) cover the same rows, led by the same
-- column: one index with the first's key and the rest included serves both
-- (the tickets panel in order, the counts as index-only scans).  667,000
-- entries fewer in a first import of 1,000,000 tickets.
CREATE INDEX ticket_open_idx ON ticket (customer_id, opened_at DESC) INCLUDE (priority, category)
    WHERE status NOT IN ('solved', 'closed');
DROP INDEX IF EXISTS ticket_customer_open_idx;
DROP INDEX IF EXISTS ticket_open_cover_idx;
-- 001's index of open tickets by assignee held an entry for every open
-- ticket, with or without one (imported tickets have none), and no query
-- reads it.  Tickets that have one are what removing or renaming a staff
-- member checks (the foreign key), open or not.
DROP INDEX IF EXISTS ticket_assignee_open_idx;
CREATE INDEX ticket_assignee_idx ON ticket (assignee) WHERE assignee IS NOT NULL;

-- 4. The records' parent index ------------------------------------------------
-- 010's import_record_parent_idx held an entry for every contact, ticket,
-- milestone, marketing event and survey record that came through a customer
-- record: 1,300,000 at bench scale, written in random order, 20-25% of
-- inserting a first import's records.  Only splitting a merge read it (six
-- lookups, to move what came through the record split off).  042's
-- baton_split_merge now finds those records in one pass over import_record
-- (0.2-0.5 s at 1,400,000 records; a split is rare, and runs one at a time)
-- and moves each by its key; otherwise the same.  Not by its customer: what
-- came through the record may be with another customer than the merge's
-- (imported while that one was absorbed into an older one, whose split
-- left it there), and it goes with the record all the same.
CREATE OR REPLACE FUNCTION baton_split_merge(p_merge uuid) RETURNS TABLE (customer_id bigint, apart bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    m customer_merge%ROWTYPE;
    r import_record%ROWTYPE;
    v_key text;
    v_apart bigint;
    v_entity text;
    v_ents text[];
    v_targets bigint[];
    v_srcs text[];
    v_sids text[];
BEGIN
    IF NOT pg_has_role(session_user, 'baton_importer', 'MEMBER')
            AND NOT pg_has_role(session_user, 'baton_admin', 'MEMBER') AND NOT baton_me_bypasses() THEN
        RAISE EXCEPTION 'role % may not split customers: that takes baton_importer or baton_admin', session_user
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    SELECT * INTO m FROM customer_merge x WHERE x.id = p_merge FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no merge %', p_merge USING ERRCODE = 'no_data_found';
    END IF;
    IF EXISTS (SELECT 1 FROM customer_split s WHERE s.merge_id = p_merge) THEN
        RAISE EXCEPTION 'merge % was already split', p_merge USING ERRCODE = 'unique_violation';
    END IF;
    IF m.absorbed IS NOT NULL THEN
        v_apart := m.absorbed;
        UPDATE contact t SET customer_id = v_apart WHERE t.customer_id = m.customer_id
            AND t.id IN (SELECT jsonb_array_elements_text(m.moved -> 'contact')::bigint);
        UPDATE ticket t SET customer_id = v_apart WHERE t.customer_id = m.customer_id
            AND t.id IN (SELECT jsonb_array_elements_text(m.moved -> 'ticket')::bigint);
        UPDATE marketing_event t SET customer_id = v_apart WHERE t.customer_id = m.customer_id
            AND t.id IN (SELECT jsonb_array_elements_text(m.moved -> 'marketing_event')::bigint);
        UPDATE survey_response t SET customer_id = v_apart WHERE t.customer_id = m.customer_id
            AND t.id IN (SELECT jsonb_array_elements_text(m.moved -> 'survey_response')::bigint);
        UPDATE milestone t SET customer_id = v_apart, position = (e ->> 1)::integer
        FROM jsonb_array_elements(m.moved -> 'milestone') e
        WHERE t.id = (e ->> 0)::bigint AND t.customer_id = m.customer_id;
        UPDATE customer_external_id t SET customer_id = v_apart
        FROM jsonb_array_elements(m.moved -> 'customer_external_id') e
        WHERE (t.system, t.external_id) = (e ->> 0, e ->> 1) AND t.customer_id = m.customer_id;
        UPDATE import_record t SET customer_id = v_apart,
            target_id = CASE WHEN t.entity = 'customers' THEN v_apart ELSE t.target_id END,
            owns = (e ->> 2)::boolean
        FROM jsonb_array_elements(m.moved -> 'import_record') e
        WHERE (t.source, t.source_id) = (e ->> 0, e ->> 1) AND t.customer_id = m.customer_id;
        UPDATE customer c SET merged_into = CASE WHEN c.id = v_apart THEN NULL ELSE v_apart END
        WHERE c.id IN (SELECT jsonb_array_elements_text(m.moved -> 'customer')::bigint)
          AND c.merged_into = m.customer_id;
    ELSE
        SELECT * INTO r FROM import_record x WHERE x.source = m.joined_source
            AND x.source_id = m.joined_source_id;
        IF NOT FOUND OR r.customer_id <> m.customer_id THEN
            RAISE EXCEPTION '% % is no longer with customer %', m.joined_source, m.joined_source_id,
                m.customer_id USING ERRCODE = 'invalid_parameter_value';
        END IF;
        v_key := r.source || ':' || r.source_id;
        INSERT INTO customer (name, domain)
        VALUES (coalesce(r.name, r.source_id),
                (SELECT d FROM unnest(r.domains) WITH ORDINALITY u(d, i)
                 WHERE NOT EXISTS (SELECT 1 FROM customer c WHERE lower(c.domain) = d)
                   AND NOT EXISTS (SELECT 1 FROM baton_shared_domain s WHERE s.domain = d)
                 ORDER BY i LIMIT 1))
        RETURNING id INTO v_apart;
        UPDATE import_record x SET customer_id = v_apart, target_id = v_apart, owns = true
        WHERE x.source = r.source AND x.source_id = r.source_id;
        UPDATE customer_external_id e SET customer_id = v_apart
        WHERE r.external IS NOT NULL AND e.system = split_part(r.external, ':', 1)
          AND e.external_id = r.source_id;
        -- What reached its customer through the record goes with it, with
        -- whichever customer it is now: the records whose parent the record
        -- is, found in one pass over import_record, then each by its key in
        -- its entity's table.
        SELECT coalesce(array_agg(x.entity), '{}'), coalesce(array_agg(x.target_id), '{}'),
               coalesce(array_agg(x.source), '{}'), coalesce(array_agg(x.source_id), '{}')
        INTO v_ents, v_targets, v_srcs, v_sids
        FROM import_record x WHERE x.parent = v_key AND x.entity <> 'notes';
        FOR v_entity IN SELECT DISTINCT e FROM unnest(v_ents) e LOOP
            EXECUTE format('UPDATE %I t SET customer_id = $1 FROM unnest($2::text[], $3::bigint[]) k (entity, id)'
                           ' WHERE k.entity = $4 AND t.id = k.id', baton_import_table(v_entity))
                USING v_apart, v_ents, v_targets, v_entity;
        END LOOP;
        UPDATE import_record x SET customer_id = v_apart FROM unnest(v_srcs, v_sids) k (source, source_id)
        WHERE x.source = k.source AND x.source_id = k.source_id;
    END IF;
    INSERT INTO customer_split (merge_id, customer_id, apart) VALUES (p_merge, m.customer_id, v_apart);
    RETURN QUERY SELECT m.customer_id, v_apart;
END $$;

DROP INDEX IF EXISTS import_record_parent_idx;
