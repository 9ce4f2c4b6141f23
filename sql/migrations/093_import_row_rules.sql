-- Baton schema, version 93: a source may leave out the rows that are not
-- records of its entity, by a rule of its mapping, counted as skipped.
--
-- Zendesk's users export lists the account's own agents and admins beside
-- its customers' people.  They have no organization and an e-mail at the
-- account's own domain, so each was rejected as finding no customer, on
-- every page that listed them: the rejects file and the rejected count of a
-- scheduled import were never clean, and a real reject hid among them.
-- A mapping now says which rows are its entity's, by lists of rules:
--   "only": [{"path": [...], "values": [...]}, ...]  the rows whose value is one of these;
--   "skip": [{"path": [...], "values": [...]}, ...]  not the rows whose value is one of these.
-- A row is imported when it meets every only rule and no skip rule.
-- A value is compared as a map's source values are (092): in lower case
-- without the spaces around it; a missing or blank value is "".  A row
-- left out is read and counted as skipped, neither imported nor rejected;
-- a record imported before is left alone, as one missing from the file.

ALTER TABLE import_run ADD COLUMN skipped integer NOT NULL DEFAULT 0;

-- 010's, with the rules' shape checked.
CREATE OR REPLACE FUNCTION baton_import_spec_check(p_entity text, p_spec jsonb) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
DECLARE
    v_bad text;
    v_rule text;
BEGIN
    IF coalesce(p_spec ->> 'format', '') NOT IN ('csv', 'jsonl', 'json') THEN
        RAISE EXCEPTION 'unknown format "%": csv, jsonl or json', p_spec ->> 'format'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT string_agg(k, ', ') INTO v_bad FROM jsonb_object_keys(coalesce(p_spec -> 'fields', '{}')) k
    WHERE NOT EXISTS (SELECT 1 FROM import_field f WHERE f.entity = p_entity AND f.field = k);
    IF v_bad IS NOT NULL THEN
        RAISE EXCEPTION 'unknown field % for %', v_bad, p_entity USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF NOT (p_spec -> 'fields') ? 'source_id' THEN
        RAISE EXCEPTION 'the mapping has no source_id' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT format('the map of %s gives "%s", which is not one of %s', f.field, m.value,
                  array_to_string(f.allowed, ', '))
    INTO v_bad FROM import_field f, jsonb_each_text(p_spec -> 'fields' -> f.field -> 'map') m
    WHERE f.entity = p_entity AND f.allowed IS NOT NULL AND NOT m.value = ANY (f.allowed) LIMIT 1;
    IF v_bad IS NOT NULL THEN
        RAISE EXCEPTION '%', v_bad USING ERRCODE = 'invalid_parameter_value';
    END IF;
    FOREACH v_rule IN ARRAY ARRAY['only', 'skip'] LOOP
        CONTINUE WHEN NOT p_spec ? v_rule;
        IF jsonb_typeof(p_spec -> v_rule) IS DISTINCT FROM 'array' OR jsonb_array_length(p_spec -> v_rule) = 0
                OR EXISTS (SELECT 1 FROM jsonb_array_elements(p_spec -> v_rule) u
                           WHERE jsonb_typeof(u -> 'path') IS DISTINCT FROM 'array'
                              OR jsonb_array_length(u -> 'path') = 0
                              OR jsonb_typeof(u -> 'values') IS DISTINCT FROM 'array'
                              OR jsonb_array_length(u -> 'values') = 0
                              OR EXISTS (SELECT 1 FROM jsonb_array_elements(u -> 'path') e
                                         WHERE jsonb_typeof(e) <> 'string')
                              OR EXISTS (SELECT 1 FROM jsonb_array_elements(u -> 'values') e
                                         WHERE jsonb_typeof(e) <> 'string')) THEN
            RAISE EXCEPTION 'the rules "%" are a list of rules, each with a path and a list of values, all strings',
                v_rule USING ERRCODE = 'invalid_parameter_value';
        END IF;
    END LOOP;
END $$;

-- The rows of pg_temp.baton_import_rows the rules leave out, deleted;
-- how many.  One plain comparison of each row's value a rule (no
-- statement is built from the mapping).
CREATE FUNCTION baton_import_leave_out(p_spec jsonb) RETURNS integer
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    u record;
    v_n integer;
    v_all integer := 0;
BEGIN
    FOR u IN SELECT k.kind = 'skip' AS skip,
                    ARRAY(SELECT jsonb_array_elements_text(x -> 'path')) AS path,
                    ARRAY(SELECT lower(btrim(v)) FROM jsonb_array_elements_text(x -> 'values') v) AS vals
             FROM (VALUES ('only'), ('skip')) k(kind),
                  jsonb_array_elements(CASE WHEN p_spec ? k.kind THEN p_spec -> k.kind ELSE '[]' END) x LOOP
        DELETE FROM baton_import_rows r
        WHERE (coalesce(lower(btrim(r.rec #>> u.path)), '') = ANY (u.vals)) = u.skip;
        GET DIAGNOSTICS v_n = ROW_COUNT;
        v_all := v_all + v_n;
    END LOOP;
    IF v_all > 0 THEN
        ANALYZE baton_import_rows;
    END IF;
    RETURN v_all;
END $$;

-- 039's, with the rows the rules leave out counted apart: read, then
-- skipped, and unchanged what is neither written, rejected nor skipped.
DROP FUNCTION baton_import_apply(uuid, jsonb, text[], integer);
CREATE FUNCTION baton_import_apply(p_run uuid, p_spec jsonb, p_shared text[],
                                   p_client_rejected integer)
RETURNS TABLE (entity text, read_rows integer, inserted integer, updated integer,
               unchanged integer, rejected integer, merged integer, unused text, skipped integer)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_run import_run%ROWTYPE;
    v_read integer;
    v_rej integer;
    v_skipped integer;
    x record;
    v_unused text;
BEGIN
    PERFORM baton_import_check();
    SELECT * INTO v_run FROM import_run r WHERE r.id = p_run AND r.imported_by = session_user;
    IF NOT FOUND OR to_regclass('pg_temp.baton_import_raw') IS NULL THEN
        RAISE EXCEPTION 'no import run % in this transaction: baton_import_begin() first', p_run
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM baton_import_spec_check(v_run.entity, p_spec);
    -- Plans for a file's worth of rows need the tables' sizes as they are
    -- (a first import fills empty tables): those that grew or shrank.
    PERFORM baton_import_analyze();
    IF v_run.entity = 'notes' AND NOT baton_me_bypasses() AND NOT baton_me_active() THEN
        RAISE EXCEPTION 'notes are written by people: role % must be an active staff member to import them',
            session_user USING ERRCODE = 'insufficient_privilege';
    END IF;
    PERFORM baton_import_skip(p_spec);
    PERFORM baton_import_records(p_spec ->> 'format', p_spec ->> 'array');
    SELECT count(*) INTO v_read FROM baton_import_rows;
    v_read := v_read + (SELECT count(*) FROM pg_temp.baton_import_skipped);
    v_read := v_read + (SELECT count(*) FROM baton_import_reject) + coalesce(p_client_rejected, 0);
    v_skipped := baton_import_leave_out(p_spec);
    PERFORM baton_import_stage(p_spec, v_run.entity);
    IF v_run.entity = 'customers' THEN
        SELECT * INTO x FROM baton_import_customers(p_run, v_run.source, p_spec, p_shared);
    ELSE
        SELECT * INTO x FROM baton_import_rows_of(p_run, v_run.source, v_run.entity, p_spec, p_shared);
    END IF;
    -- The raw row of each reject: the line as it came (JSON Lines), the
    -- record (JSON), the row made CSV again (CSV).
    IF p_spec ->> 'format' = 'jsonl' THEN
        UPDATE baton_import_reject j SET raw = w.raw FROM pg_temp.baton_import_raw w WHERE w.line = j.line;
    ELSIF p_spec ->> 'format' = 'json' THEN
        UPDATE baton_import_reject j SET raw = r.rec::text FROM baton_import_rows r WHERE r.line = j.line;
    ELSE
        UPDATE baton_import_reject j SET raw = (
            SELECT string_agg(CASE WHEN t ~ ('["\r\n' || coalesce(p_spec ->> 'delimiter', ',') || ']')
                                   THEN '"' || replace(t, '"', '""') || '"' ELSE t END,
                              coalesce(p_spec ->> 'delimiter', ',') ORDER BY h.i)
            FROM pg_temp.baton_import_header h, LATERAL (SELECT coalesce(r.rec ->> h.name, '') AS t) y)
        FROM baton_import_rows r WHERE r.line = j.line;
    END IF;
    SELECT count(*) INTO v_rej FROM baton_import_reject;
    IF to_regclass('pg_temp.baton_import_unused') IS NOT NULL THEN
        SELECT string_agg(format('%s %s (joins %s)', u.kind, u.value, u.n), ', ' ORDER BY u.n DESC, u.value)
        INTO v_unused FROM baton_import_unused u;
    END IF;
    v_rej := v_rej + coalesce(p_client_rejected, 0);
    UPDATE import_run r SET read_rows = v_read, inserted = x.inserted, updated = x.updated,
        unchanged = greatest(v_read - x.inserted - x.updated - v_rej - v_skipped, 0), rejected = v_rej,
        merged = x.merged, unused = v_unused, skipped = v_skipped
    WHERE r.id = p_run;
    RETURN QUERY SELECT r.entity, r.read_rows, r.inserted, r.updated, r.unchanged, r.rejected,
        r.merged, r.unused, r.skipped FROM import_run r WHERE r.id = p_run;
END $$;

REVOKE ALL ON FUNCTION baton_import_apply(uuid, jsonb, text[], integer),
    baton_import_leave_out(jsonb) FROM PUBLIC;
-- Staff may call it, to be refused in words (010).
GRANT EXECUTE ON FUNCTION baton_import_apply(uuid, jsonb, text[], integer)
    TO baton_importer, baton_staff, baton_admin;
