-- Baton schema, version 68: a JSON record with a character PostgreSQL
-- cannot store is imported with U+FFFD in its place, and a JSON document
-- loses only its records that are not UTF-8, not the whole page.
--
-- jsonb cannot hold the escape \u0000 (text holds no NUL) nor half of a
-- surrogate pair (\ud83d without the \udc00-\udfff that must follow it,
-- or that half alone: an emoji cut by a truncation), and its lexer refuses
-- them.  010's baton_import_records cast a JSON document whole, so one
-- such escape in one ticket's description (a log pasted into Zendesk)
-- failed the page ("the file is not a JSON document: unsupported Unicode
-- escape sequence", no record or position named) and every other ticket
-- of it was lost; a JSON line with one was rejected as "not valid JSON".
-- Such a character is now replaced by U+FFFD REPLACEMENT CHARACTER, the
-- record is imported, and baton_import_replaced() says which records had
-- how many (the summary says so).  Only when a cast fails: the common
-- path (every record cast at once) is what it was.
--
-- Which \u are escapes: JSON's escapes are \ followed by one character,
-- and \u by four hex digits, so a backslash before "u" may itself be
-- escaped ("\\u0000" is a backslash and the text u0000).  The record's
-- text is cut into tokens by one regular expression whose matches follow
-- each other from its first character to its last: a run of characters
-- and escapes jsonb takes (a character but a backslash; a backslash and a
-- character but "u"; \u and four hex digits that are not 0000, a
-- surrogate or FFFD; a surrogate pair; \u without four hex digits, which
-- is no JSON), else one \u and four hex digits (what the run stops at),
-- else a backslash that ends the text.  Each backslash in a run takes
-- what follows it, so an escaped one is never read as an escape, and
-- PostgreSQL takes the longest match where several begin, so a surrogate
-- pair is in a run rather than its high half alone.  A 6-character token
-- \u0000 or \ud800-\udfff is then exactly a NUL or a lone surrogate; the
-- tokens are joined again with those replaced (and the text is left as it
-- was unless the tokens are all of it).  Runs make the tokens a few per
-- replacement: a 2 MB page with 140,000 escapes is cut in 0.16 s, where a
-- token for each escape took 1.9 s.  JSON's escape is \u, lower case:
-- \U0000 is no escape, and such a record stays rejected as not valid JSON.
--
-- A JSON document whose cast fails is checked with PostgreSQL's json type,
-- which converts no escape: a document that is not JSON is refused as
-- before, now with PostgreSQL's detail and the line of the document
-- ("Token "x" is invalid (line 3: ...)").  Otherwise its text is fixed as
-- above (json's -> converts every string of the object it reads, so the
-- fix comes first), read as json, and the records of its array are cast
-- at once, each to its line; if jsonb still refuses one (a number beyond
-- numeric's range), one by one, that one rejected with the reason.  The
-- fix writes its replacements \uFFFD and an escape of U+FFFD the text has
-- \ufffd, so that the records that had replacements, and how many, are
-- found in their own text.
--
-- Bytes that are not UTF-8 in a JSON document: the client cannot send
-- them (PostgreSQL's text refuses them) and cannot tell to which record
-- they belong without parsing JSON.  It now sends each such byte as a
-- noncharacter the document does not have (U+FDD0 to U+FDEF, which
-- Unicode keeps for a program's own use), named on line 0 of the staging
-- table: the records that hold it are rejected as "not valid UTF-8 text",
-- as a JSON line or a CSV row is, and the rest of the page is imported.
-- Between values it leaves the page no JSON, refused as before (and the
-- client says where the byte is); in a string of the page that is no
-- record's (a next_page URL) it harms nothing.
--
-- baton_import_records and baton_import_jsonl_slowly are 010's (the last
-- versions) but for the above; their owner and grants stay.

-- The tokens of JSON text p, in order, which joined are p: a run of what
-- jsonb takes, or an escape \uXXXX not in one (a NUL, a lone surrogate,
-- U+FFFD's), or a backslash that ends p.
CREATE FUNCTION baton_import_json_tokens(p text) RETURNS TABLE (i bigint, tok text)
LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT x.i, x.m[1]
    FROM regexp_matches(p, '(?:[^\\]|\\[^u]|\\u(?!0000|[dD][89a-fA-F]|[fF][fF][fF][dD])[0-9a-fA-F]{4}'
                           '|\\u(?![0-9a-fA-F]{4})|\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2})+'
                           '|\\u[0-9a-fA-F]{4}|\\', 'g') WITH ORDINALITY x(m, i)
$$;

-- p's JSON text with every \u0000 and lone surrogate escape replaced by
-- \uFFFD, written so (upper case), and how many were.  An escape of U+FFFD
-- that p has is written \ufffd: the \uFFFD tokens of the result are the
-- replacements, which baton_import_json_replaced counts.  p unchanged if
-- its tokens are not all of it.
CREATE FUNCTION baton_import_json_fix(p text, OUT fixed text, OUT replaced integer)
LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT CASE WHEN whole THEN coalesce(f, '') ELSE p END, CASE WHEN whole THEN n ELSE 0 END
    FROM (SELECT coalesce(string_agg(t.tok, '' ORDER BY t.i), '') = p AS whole,
                 string_agg(CASE WHEN t.tok ~ '^\\u(0000|[dD][89a-fA-F][0-9a-fA-F]{2})$' THEN '\uFFFD'
                                 WHEN t.tok ~ '^\\u[fF][fF][fF][dD]$' THEN '\ufffd'
                                 ELSE t.tok END, '' ORDER BY t.i) AS f,
                 count(*) FILTER (WHERE t.tok ~ '^\\u(0000|[dD][89a-fA-F][0-9a-fA-F]{2})$')::integer AS n
          FROM baton_import_json_tokens(p) t) x
$$;

-- How many replacements baton_import_json_fix made in p, a part of its
-- result.
CREATE FUNCTION baton_import_json_replaced(p text) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT CASE WHEN strpos(p, '\uFFFD') = 0 THEN 0
                ELSE (SELECT count(*)::integer FROM baton_import_json_tokens(p) t WHERE t.tok = '\uFFFD') END
$$;

-- One record's text into baton_import_rows at p_line: as it is, else with
-- baton_import_json_fix's replacements (counted in baton_import_replaced),
-- else rejected: p_reason and PostgreSQL's words, p_raw its raw text (NULL:
-- the caller's, as baton_import_apply finds it).
CREATE FUNCTION baton_import_record_text(p_line bigint, p_text text, p_reason text, p_raw text)
RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    v_err text;
    v_detail text;
    v_fixed text;
    v_n integer;
BEGIN
    BEGIN
        INSERT INTO baton_import_rows VALUES (p_line, p_text::jsonb);
        RETURN;
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS v_err = MESSAGE_TEXT, v_detail = PG_EXCEPTION_DETAIL;
    END;
    SELECT f.fixed, f.replaced INTO v_fixed, v_n FROM baton_import_json_fix(p_text) f;
    IF v_n > 0 THEN
        BEGIN
            INSERT INTO baton_import_rows VALUES (p_line, v_fixed::jsonb);
            INSERT INTO baton_import_replaced VALUES (p_line, v_n);
            RETURN;
        EXCEPTION WHEN OTHERS THEN
            GET STACKED DIAGNOSTICS v_err = MESSAGE_TEXT, v_detail = PG_EXCEPTION_DETAIL;
        END;
    END IF;
    INSERT INTO baton_import_reject (line, field, reason, raw)
    VALUES (p_line, '', p_reason || v_err || coalesce(' (' || rtrim(nullif(v_detail, ''), '.') || ')', ''), p_raw);
END $$;

CREATE OR REPLACE FUNCTION baton_import_jsonl_slowly() RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    r record;
BEGIN
    CREATE TEMP TABLE IF NOT EXISTS baton_import_replaced (line bigint, n integer) ON COMMIT DROP;
    FOR r IN SELECT line, raw FROM pg_temp.baton_import_raw ORDER BY line LOOP
        PERFORM baton_import_record_text(r.line, r.raw, 'not valid JSON: ', NULL);
    END LOOP;
END $$;

-- A JSON document that jsonb refused as a whole.  Checked as json (which
-- converts no escape): not JSON, it is refused, saying where (p_mark, the
-- client's character for a byte that is not UTF-8, said as U+FFFD).  Then
-- fixed (baton_import_json_fix: json's -> converts every escape of the
-- object, so this comes first) and its records cast at once, or one by
-- one if jsonb refuses one still (a number beyond numeric's range).
CREATE FUNCTION baton_import_json_slowly(p_array text, p_mark text) RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    v_doc json;
    v_text text;
    v_detail text;
    v_where text;
    r record;
BEGIN
    SELECT w.raw INTO v_text FROM pg_temp.baton_import_raw w WHERE w.line = 1;
    BEGIN
        PERFORM v_text::json;
    EXCEPTION WHEN OTHERS THEN
        -- PostgreSQL's detail ("Token "x" is invalid") and where: the
        -- line of the document and its text up to there.
        GET STACKED DIAGNOSTICS v_detail = PG_EXCEPTION_DETAIL, v_where = PG_EXCEPTION_CONTEXT;
        RAISE EXCEPTION '%', replace('the file is not a JSON document: '
            || coalesce(rtrim(nullif(v_detail, ''), '.'), SQLERRM)
            || coalesce(' (' || substring(v_where FROM '^JSON data, (line [0-9]+: [^\n]*)') || ')', ''),
            coalesce(p_mark, ''), U&'\FFFD') USING ERRCODE = 'invalid_parameter_value';
    END;
    v_doc := (baton_import_json_fix(v_text)).fixed::json;
    v_text := NULL;
    IF coalesce(p_array, '') <> '' THEN
        v_doc := v_doc -> p_array;
    END IF;
    IF json_typeof(v_doc) IS DISTINCT FROM 'array' THEN
        RAISE EXCEPTION 'the JSON document has no array under "%"', coalesce(p_array, '')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    CREATE TEMP TABLE IF NOT EXISTS baton_import_replaced (line bigint, n integer) ON COMMIT DROP;
    CREATE TEMP TABLE baton_import_elements ON COMMIT DROP AS
    SELECT a.i AS line, a.e::text AS t FROM json_array_elements(v_doc) WITH ORDINALITY a(e, i);
    v_doc := NULL;
    BEGIN
        INSERT INTO baton_import_rows SELECT e.line, e.t::jsonb FROM pg_temp.baton_import_elements e;
    EXCEPTION WHEN OTHERS THEN
        FOR r IN SELECT e.line, e.t FROM pg_temp.baton_import_elements e ORDER BY e.line LOOP
            PERFORM baton_import_record_text(r.line, r.t, 'PostgreSQL cannot store it: ', r.t);
        END LOOP;
    END;
    INSERT INTO baton_import_replaced
    SELECT e.line, baton_import_json_replaced(e.t) FROM pg_temp.baton_import_elements e
    WHERE strpos(e.t, '\uFFFD') > 0 AND baton_import_json_replaced(e.t) > 0;
    DROP TABLE pg_temp.baton_import_elements;
END $$;

-- The staged file as records: baton_import_rows (line, rec jsonb), with
-- what cannot be a record rejected.  CSV: an object keyed by the header.
-- JSON Lines: each line through jsonb.  JSON: the array under p_array of
-- one document (the whole document when it is an array), numbered from 1.
-- baton_import_replaced (line, n), when a slow path made it: the records
-- whose n characters jsonb cannot hold were replaced by U+FFFD.
CREATE OR REPLACE FUNCTION baton_import_records(p_format text, p_array text) RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    v_names text[];
    v_cols text;
    v_doc jsonb;
    v_mark text;
    v_slow boolean := false;
BEGIN
    CREATE TEMP TABLE baton_import_rows (line bigint, rec jsonb) ON COMMIT DROP;
    -- Made by the slow paths that replace (none: nothing was).
    DROP TABLE IF EXISTS pg_temp.baton_import_replaced;
    IF p_format = 'csv' THEN
        SELECT string_agg('c' || i, ', ' ORDER BY i) INTO v_cols
        FROM generate_series(1, (SELECT count(*)::integer - 1 FROM pg_attribute a
            WHERE a.attrelid = 'pg_temp.baton_import_raw'::regclass AND a.attnum > 0
              AND NOT a.attisdropped)) i;
        EXECUTE 'SELECT ARRAY[' || v_cols || '] FROM pg_temp.baton_import_raw WHERE line = 0'
            INTO v_names;
        CREATE TEMP TABLE baton_import_header ON COMMIT DROP AS
        SELECT u.i, coalesce(u.n, '') AS name FROM unnest(v_names) WITH ORDINALITY u(n, i);
        IF v_names IS NULL THEN
            RETURN;
        END IF;
        EXECUTE 'INSERT INTO baton_import_rows SELECT line, jsonb_object($1, ARRAY[' || v_cols
            || ']) FROM pg_temp.baton_import_raw WHERE line > 0'
            USING (SELECT array_agg(coalesce(n, '') ORDER BY i) FROM unnest(v_names) WITH ORDINALITY u(n, i));
    ELSIF p_format = 'jsonl' THEN
        BEGIN
            INSERT INTO baton_import_rows SELECT line, raw::jsonb FROM pg_temp.baton_import_raw;
        EXCEPTION WHEN OTHERS THEN
            -- One bad line: each line on its own, the bad ones rejected.
            PERFORM baton_import_jsonl_slowly();
        END;
    ELSE
        -- Line 0: the character the client wrote for each byte that is
        -- not UTF-8 (none: the document is UTF-8).
        SELECT w.raw INTO v_mark FROM pg_temp.baton_import_raw w WHERE w.line = 0;
        IF v_mark IS NOT NULL AND (length(v_mark) <> 1 OR ascii(v_mark) NOT BETWEEN 64976 AND 65007) THEN
            RAISE EXCEPTION 'line 0 of a JSON document is one character from U+FDD0 to U+FDEF'
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        BEGIN
            SELECT w.raw::jsonb INTO v_doc FROM pg_temp.baton_import_raw w WHERE w.line = 1;
        EXCEPTION WHEN OTHERS THEN
            -- A character jsonb cannot hold, or no JSON: record by record.
            PERFORM baton_import_json_slowly(p_array, v_mark);
            v_slow := true;
        END;
        IF NOT v_slow THEN
            IF coalesce(p_array, '') <> '' THEN
                v_doc := v_doc -> p_array;
            END IF;
            IF jsonb_typeof(v_doc) IS DISTINCT FROM 'array' THEN
                RAISE EXCEPTION 'the JSON document has no array under "%"', coalesce(p_array, '')
                    USING ERRCODE = 'invalid_parameter_value';
            END IF;
            INSERT INTO baton_import_rows SELECT i, e FROM jsonb_array_elements(v_doc) WITH ORDINALITY a(e, i);
        END IF;
        IF v_mark IS NOT NULL THEN
            WITH bad AS (
                DELETE FROM baton_import_rows r WHERE strpos(r.rec::text, v_mark) > 0 RETURNING r.line, r.rec)
            INSERT INTO baton_import_reject (line, field, reason, raw)
            SELECT b.line, '', 'not valid UTF-8 text', replace(b.rec::text, v_mark, U&'\FFFD') FROM bad b;
            UPDATE baton_import_reject j SET reason = 'not valid UTF-8 text',
                raw = replace(j.raw, v_mark, U&'\FFFD') WHERE strpos(j.raw, v_mark) > 0;
        END IF;
    END IF;
    INSERT INTO baton_import_reject (line, field, reason)
    SELECT line, '', 'not a JSON object' FROM baton_import_rows WHERE jsonb_typeof(rec) <> 'object';
    DELETE FROM baton_import_rows WHERE jsonb_typeof(rec) <> 'object';
    ANALYZE baton_import_rows;
END $$;

-- After baton_import_apply: the records of the file (line, characters)
-- in which characters jsonb cannot hold were replaced by U+FFFD, and that
-- were neither rejected nor found as the source has them (a file imported
-- again says nothing of them again).
CREATE FUNCTION baton_import_replaced() RETURNS TABLE (line bigint, n integer)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM baton_import_check();
    IF to_regclass('pg_temp.baton_import_replaced') IS NULL OR to_regclass('pg_temp.baton_import_rows') IS NULL THEN
        RETURN;
    END IF;
    RETURN QUERY
    SELECT p.line, p.n FROM pg_temp.baton_import_replaced p
    WHERE EXISTS (SELECT 1 FROM pg_temp.baton_import_rows r WHERE r.line = p.line)
      AND NOT EXISTS (SELECT 1 FROM pg_temp.baton_import_reject j WHERE j.line = p.line)
    ORDER BY p.line;
END $$;

REVOKE ALL ON FUNCTION baton_import_json_tokens(text), baton_import_json_fix(text), baton_import_json_replaced(text),
    baton_import_record_text(bigint, text, text, text),
    baton_import_json_slowly(text, text), baton_import_replaced() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION baton_import_replaced() TO baton_importer, baton_staff, baton_admin;
