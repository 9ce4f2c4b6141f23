-- Baton schema, version 45: the records of a JSON Lines or CSV file that
-- the source already has are not sent; their hashes are.
--
-- An unchanged JSON line is one whose hash (hashtextextended of its text,
-- seeded by the mapping: 030, 040) a record of the source has.  Until now
-- the client sent every line and the server hashed each to find that out:
-- an unchanged re-import of 1,000,000 tickets (290 MB) spent about 2.4 s
-- in the COPY and 1.8 s reading the staged lines again to hash them, to
-- keep none of them.  CSV rows were parsed into JSON, keyed, hashed as
-- JSON and matched by key and hash (044): 300,000 unchanged contacts took
-- 2.6 s, 7x the time to COPY the file.
--
-- A client that computes the same hash (src/import_hash.c) now sends each
-- record's line number and hash first, into a table
-- baton_import_hashes_begin() makes (two numbers a record).
-- baton_import_lines_known() matches them with the source's records and
-- keeps the matches for baton_import_skip(); the client reads their line
-- numbers and then streams only the other records, as before.  The server
-- stays the judge of what is unchanged: a record sent is hashed here as
-- before, and a client whose hashes differ from the server's (the probes
-- show it) sends every record.  A JSON line set aside is one
-- baton_import_skip() would have set aside, with the same key, so the
-- counts, the last line of a key, and the rejects are as they were; a
-- record whose text the client reads otherwise the second time is sent.
--
-- A CSV row is now hashed as JSON lines are, by text: its fields as the
-- server read them, written out again in one way (baton_import_csv_text_sql;
-- the client writes the same text from the row it read), with the header
-- in the seed, and set aside by baton_import_skip() as JSON lines are (by
-- its hash alone, where 044 matched CSV rows by key and hash and only for
-- keys once in the file: the stage's last-line rule gives the same
-- records).  A source's CSV records keep their JSON hashes until their
-- next file, which converts every row, finds them unchanged by their
-- values and renews them (019's path); the runs after it set them aside
-- before they are sent.

-- A CSV row's fields written out again, each quoted (quotes doubled), an
-- empty unquoted field (COPY's NULL) as nothing, joined by commas: the
-- text a CSV row is hashed by, the same whatever quoting and delimiter
-- its file used (src/import_hash.c writes it the same way).  SQL over the
-- staging table's columns c1..cN, for a table aliased p_alias.
CREATE FUNCTION baton_import_csv_text_sql(p_columns integer, p_alias text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT string_agg(format('coalesce(''"'' || replace(%I.%I, ''"'', ''""'') || ''"'', '''')',
                             p_alias, 'c' || i), ' || '','' || ' ORDER BY i)
    FROM generate_series(1, p_columns) i
$$;

-- The columns of the CSV file staged.
CREATE FUNCTION baton_import_csv_columns() RETURNS integer
LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
    SELECT count(*)::integer - 1 FROM pg_attribute a
    WHERE a.attrelid = to_regclass('pg_temp.baton_import_raw') AND a.attnum > 0 AND NOT a.attisdropped
$$;

-- The seed of a mapping's line hashes: the mapping, and for CSV the header
-- written out as its rows are (the same row under another header is
-- another record).  JSON Lines keep 030's seed.
CREATE FUNCTION baton_import_line_seed(p_spec jsonb, p_header text) RETURNS bigint
LANGUAGE sql IMMUTABLE AS $$
    SELECT ('x' || left(md5(CASE WHEN p_header IS NULL THEN p_spec::text
                                 ELSE p_spec::text || E'\n' || p_header END), 16))::bit(64)::bigint
$$;

-- What a staged record is hashed by, the one definition baton_import_skip
-- and baton_import_stage share: the SQL of its text over the staging
-- table aliased p_alias (a JSON line's text; a CSV row's fields written
-- out again) and the seed (a CSV file's with its header, line 0).  NULL
-- text for a JSON document, whose records are hashed as JSON.
CREATE FUNCTION baton_import_staged_hash(p_spec jsonb, p_alias text, OUT text_sql text, OUT seed bigint)
LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
DECLARE
    v_header text;
BEGIN
    seed := baton_import_line_seed(p_spec, NULL);
    IF p_spec ->> 'format' = 'jsonl' THEN
        text_sql := format('%I.raw', p_alias);
    ELSIF p_spec ->> 'format' = 'csv' THEN
        text_sql := baton_import_csv_text_sql(baton_import_csv_columns(), p_alias);
        EXECUTE 'SELECT ' || baton_import_csv_text_sql(baton_import_csv_columns(), 'h')
                || ' FROM pg_temp.baton_import_raw h WHERE h.line = 0' INTO v_header;
        seed := baton_import_line_seed(p_spec, coalesce(v_header, ''));
    END IF;
END $$;

REVOKE ALL ON FUNCTION baton_import_csv_text_sql(integer, text), baton_import_csv_columns(),
    baton_import_line_seed(jsonb, text), baton_import_staged_hash(jsonb, text) FROM PUBLIC;

-- The seed of this mapping's line hashes and the server's hashes of the
-- client's probes; no row when there is nothing to match (a JSON document,
-- a source with no records yet: every record is new; or a database not in
-- UTF-8, whose text the client's hashes are not of).  Makes the table the
-- client COPYs (line, hash) into.
CREATE FUNCTION baton_import_hashes_begin(p_spec jsonb, p_header text, p_probes text[])
RETURNS TABLE (seed bigint, probes bigint[])
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_src text;
    v_seed bigint := baton_import_line_seed(p_spec, CASE WHEN p_spec ->> 'format' = 'csv'
                                                         THEN coalesce(p_header, '') END);
BEGIN
    PERFORM baton_import_check();
    IF to_regclass('pg_temp.baton_import_ctx') IS NULL THEN
        RAISE EXCEPTION 'no import run in this transaction: baton_import_begin() first'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    v_src := (SELECT c.source FROM pg_temp.baton_import_ctx c);
    IF p_spec ->> 'format' NOT IN ('jsonl', 'csv') OR current_setting('server_encoding') <> 'UTF8'
       OR NOT EXISTS (SELECT 1 FROM import_record i WHERE i.source = v_src) THEN
        RETURN;
    END IF;
    DROP TABLE IF EXISTS pg_temp.baton_import_hashes, pg_temp.baton_import_known;
    CREATE TEMP TABLE baton_import_hashes (line bigint NOT NULL, h bigint NOT NULL) ON COMMIT DROP;
    EXECUTE format('GRANT INSERT ON pg_temp.baton_import_hashes TO %I', session_user);
    RETURN QUERY SELECT v_seed, ARRAY(SELECT hashtextextended(p.t, v_seed)
                                      FROM unnest(p_probes) WITH ORDINALITY p (t, n) ORDER BY p.n);
END $$;

-- The lines whose hash a record of the source has, kept with the record's
-- key for baton_import_skip(): their number and hash, which the client
-- reads from baton_import_known (COPY, in no order: a sort of a million
-- lines cost more than the match) to keep home each record that hashes the
-- same when it reads it again.
CREATE FUNCTION baton_import_lines_known() RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET enable_mergejoin = off
SET work_mem = '64MB' AS $$
DECLARE
    v_src text;
    v_n bigint;
BEGIN
    PERFORM baton_import_check();
    IF to_regclass('pg_temp.baton_import_hashes') IS NULL THEN
        RAISE EXCEPTION 'no line hashes in this transaction: baton_import_hashes_begin() first'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    v_src := (SELECT c.source FROM pg_temp.baton_import_ctx c);
    -- Not analyzed: its size, all the plan needs, is known from its pages.
    CREATE TEMP TABLE baton_import_known ON COMMIT DROP AS
    SELECT w.line, i.source_id AS sid, w.h
    FROM pg_temp.baton_import_hashes w
    JOIN import_record i ON i.source = v_src AND i.raw_hash = w.h;
    GET DIAGNOSTICS v_n = ROW_COUNT;
    DROP TABLE pg_temp.baton_import_hashes;
    EXECUTE format('GRANT SELECT ON pg_temp.baton_import_known TO %I', session_user);
    RETURN v_n;
END $$;

REVOKE ALL ON FUNCTION baton_import_hashes_begin(jsonb, text, text[]), baton_import_lines_known() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION baton_import_hashes_begin(jsonb, text, text[]), baton_import_lines_known()
    TO baton_importer, baton_staff, baton_admin;

-- 040's baton_import_skip, which also takes the lines the client did not
-- send (the two statements on baton_import_known are new), and CSV rows,
-- by their fields written out again (the header, line 0, is kept).
CREATE OR REPLACE FUNCTION baton_import_skip(p_spec jsonb) RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp SET enable_mergejoin = off
SET work_mem = '64MB' AS $$
DECLARE
    v_src text := (SELECT c.source FROM pg_temp.baton_import_ctx c);
    v_seed bigint;
    v_text text;
BEGIN
    DROP TABLE IF EXISTS pg_temp.baton_import_skipped, pg_temp.baton_import_kept;
    IF p_spec ->> 'format' NOT IN ('jsonl', 'csv')
       OR NOT EXISTS (SELECT 1 FROM import_record i WHERE i.source = v_src) THEN
        CREATE TEMP TABLE baton_import_skipped (line bigint, sid text) ON COMMIT DROP;
        RETURN;
    END IF;
    SELECT h.text_sql, h.seed INTO v_text, v_seed FROM baton_import_staged_hash(p_spec, 'r') h;
    -- A line sent is judged by its text, also if its hash was sent too
    -- (a record rewritten between the client's two readings).
    IF to_regclass('pg_temp.baton_import_known') IS NOT NULL
       AND EXISTS (SELECT 1 FROM pg_temp.baton_import_raw r WHERE r.line > 0) THEN
        DELETE FROM pg_temp.baton_import_known k USING pg_temp.baton_import_raw r WHERE r.line = k.line;
    END IF;
    -- Every line, with the key of the record that has its text (NULL: none;
    -- a CSV header, line 0, is no record).
    EXECUTE 'CREATE TEMP TABLE baton_import_skipped ON COMMIT DROP AS'
        ' SELECT w.line, i.source_id AS sid'
        ' FROM (SELECT r.line, CASE WHEN r.line > 0 THEN hashtextextended(' || v_text || ', $1) END AS h'
        '       FROM pg_temp.baton_import_raw r OFFSET 0) w'
        ' LEFT JOIN import_record i ON i.source = $2 AND i.raw_hash = w.h' USING v_seed, v_src;
    IF NOT EXISTS (SELECT 1 FROM pg_temp.baton_import_skipped k WHERE k.sid IS NULL) THEN
        TRUNCATE pg_temp.baton_import_raw;
    ELSE
        CREATE TEMP TABLE baton_import_kept ON COMMIT DROP AS
        SELECT r.* FROM pg_temp.baton_import_raw r
        JOIN pg_temp.baton_import_skipped k ON k.line = r.line AND k.sid IS NULL;
        DROP TABLE pg_temp.baton_import_raw;
        ALTER TABLE pg_temp.baton_import_kept RENAME TO baton_import_raw;
        DELETE FROM pg_temp.baton_import_skipped k WHERE k.sid IS NULL;
    END IF;
    -- The lines the client kept home: the source has them (045).  When
    -- it sent none of the others, they are all there is.  (Only the table
    -- baton_import_lines_known made: not one the session made itself.)
    IF to_regclass('pg_temp.baton_import_known') IS NULL
       OR (SELECT c.relowner FROM pg_class c WHERE c.oid = to_regclass('pg_temp.baton_import_known'))
          <> (SELECT r.oid FROM pg_roles r WHERE r.rolname = current_user) THEN
        NULL;
    ELSIF NOT EXISTS (SELECT 1 FROM pg_temp.baton_import_skipped) THEN
        DROP TABLE pg_temp.baton_import_skipped;
        ALTER TABLE pg_temp.baton_import_known RENAME TO baton_import_skipped;
    ELSE
        INSERT INTO pg_temp.baton_import_skipped (line, sid)
        SELECT k.line, k.sid FROM pg_temp.baton_import_known k;
        DROP TABLE pg_temp.baton_import_known;
    END IF;
    ANALYZE pg_temp.baton_import_skipped;
    ANALYZE pg_temp.baton_import_raw;
END $$;
REVOKE ALL ON FUNCTION baton_import_skip(jsonb) FROM PUBLIC;

-- The records of a JSON document the source has as they are (040, 044),
-- set aside before they are converted: the statements were
-- baton_import_stage's, and are a function of their own so that a plan
-- fixed here does not restate the stage.  p_key: the SQL of a record's key.
CREATE FUNCTION baton_import_same_lines(p_src text, p_key text, p_seed bigint) RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp SET enable_mergejoin = off
SET work_mem = '64MB' AS $$
DECLARE
    v_lines bigint;
    v_same bigint;
BEGIN
    -- Each line's key and hash once, in a narrow table; then the lines
    -- whose key is in the file once and whose record the source has
    -- with that hash (040: by the number, in the index).  The lines
    -- left become the staging table (none: it is emptied), as 040's
    -- baton_import_skip does with JSON Lines: deleting nearly every
    -- line of a file was most of an unchanged re-import of contacts.
    DROP TABLE IF EXISTS pg_temp.baton_import_lines, pg_temp.baton_import_once,
                         pg_temp.baton_import_same, pg_temp.baton_import_left;
    EXECUTE format('CREATE TEMP TABLE baton_import_lines ON COMMIT DROP AS'
        ' SELECT r.line, %s AS sid, jsonb_hash_extended(r.rec, $1) AS h'
        ' FROM pg_temp.baton_import_rows r', p_key) USING p_seed;
    GET DIAGNOSTICS v_lines = ROW_COUNT;
    -- Keys once in the file by grouping, not by joining the lines
    -- with themselves: planned for a table not yet analyzed, that
    -- join was a nested loop (an unchanged re-import of 300,000
    -- contacts into a database just filled ran for minutes).  Then
    -- analyzed (044): how many there are is what the join is planned on.
    ANALYZE pg_temp.baton_import_lines;
    CREATE TEMP TABLE baton_import_once ON COMMIT DROP AS
    SELECT l.sid, min(l.line) AS line, min(l.h) AS h
    FROM pg_temp.baton_import_lines l
    GROUP BY l.sid HAVING count(*) = 1;
    ANALYZE pg_temp.baton_import_once;
    CREATE TEMP TABLE baton_import_same ON COMMIT DROP AS
    SELECT u.line FROM pg_temp.baton_import_once u
    JOIN import_record i ON i.source = p_src AND i.raw_hash = u.h AND i.source_id = u.sid;
    GET DIAGNOSTICS v_same = ROW_COUNT;
    IF v_same = v_lines THEN
        TRUNCATE pg_temp.baton_import_rows;
    ELSIF v_same > 0 THEN
        CREATE TEMP TABLE baton_import_left ON COMMIT DROP AS
        SELECT r.line, r.rec FROM pg_temp.baton_import_rows r
        WHERE NOT EXISTS (SELECT 1 FROM pg_temp.baton_import_same s WHERE s.line = r.line);
        DROP TABLE pg_temp.baton_import_rows;
        ALTER TABLE pg_temp.baton_import_left RENAME TO baton_import_rows;
    END IF;
END $$;
REVOKE ALL ON FUNCTION baton_import_same_lines(text, text, bigint) FROM PUBLIC;

-- 044's baton_import_stage, with a CSV row's digest the hash of its fields
-- written out again, as baton_import_skip matches it (baton_import_staged_hash
-- says what a record's text is and its seed, for both), and
-- the keys-once match of JSON documents moved to baton_import_same_lines.
CREATE OR REPLACE FUNCTION baton_import_stage(p_spec jsonb, p_entity text) RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp SET enable_mergejoin = off
SET work_mem = '64MB' AS $$
DECLARE
    f record;
    v_def jsonb;
    v_get text;
    v_raw text := '';
    v_typed text := '';
    v_obj text := '';
    v_bad text := 'CASE WHEN w.r_source_id IS NULL THEN ''source_id:missing key'''
                  ' WHEN length(w.r_source_id) > 200 THEN ''source_id:longer than 200 characters'' END';
    v_sql record;
    v_src text := (SELECT c.source FROM pg_temp.baton_import_ctx c);
    -- The record as it came, under this mapping (another one converts
    -- anew): a 64-bit hash of its JSON seeded by the mapping, 0.6 us a
    -- record where md5 of its text took 3.2.
    v_seed bigint := baton_import_line_seed(p_spec, NULL);
    v_key text;
    v_text text;
    -- The record as it came: a JSON line's text (030), a CSV row's fields
    -- written out again (045), a JSON document's record as JSON.
    v_dg text := 'lpad(to_hex(jsonb_hash_extended(r.rec, $1)), 16, ''0'')';
BEGIN
    FOR f IN SELECT i.field, i.kind, i.allowed FROM import_field i
             WHERE i.entity = p_entity AND ((p_spec -> 'fields') ? i.field OR i.kind = 'key')
             ORDER BY i.field LOOP
        v_def := coalesce(p_spec -> 'fields' -> f.field, '{}');
        v_get := format('r.rec #>> %L::text[]', baton_import_path(p_spec, f.field));
        -- Blank is missing; then the default.
        v_raw := v_raw || format(', coalesce(CASE WHEN btrim(%1$s) <> '''' THEN %1$s END, %2$L) AS %3$I,'
                                 ' r.rec #> %4$L::text[] AS %5$I',
                                 v_get, v_def ->> 'default', 'r_' || f.field,
                                 baton_import_path(p_spec, f.field), 'j_' || f.field);
        v_sql := baton_import_field_sql(f.field, f.kind, f.allowed, v_def);
        v_typed := v_typed || format(', %s AS %I', v_sql.val, 'v_' || f.field);
        IF (p_spec -> 'fields') ? f.field THEN
            v_obj := v_obj || format(', %L, t.%I', f.field, 'v_' || f.field);
        END IF;
        IF v_sql.chk IS NOT NULL THEN
            v_bad := v_bad || ', ' || v_sql.chk;
        END IF;
    END LOOP;
    -- A digest is two: md5 of the values (as 010's) and the hash of the
    -- record as it came under this mapping.  A record the source already has with
    -- the same text is unchanged: skipped here, before any conversion (not
    -- when its key is in the file twice: its last line counts).
    v_key := format('coalesce(CASE WHEN btrim(%1$s) <> '''' THEN %1$s END, %2$L)',
                    format('r.rec #>> %L::text[]', baton_import_path(p_spec, 'source_id')),
                    p_spec -> 'fields' -> 'source_id' ->> 'default');
    -- (A source's first file has nothing to skip; JSON Lines were skipped
    -- by their text before they were parsed: baton_import_skip.)
    SELECT h.text_sql, coalesce(h.seed, v_seed) INTO v_text, v_seed
    FROM baton_import_staged_hash(p_spec, 'q') h;
    IF v_text IS NOT NULL THEN
        v_dg := 'lpad(to_hex(hashtextextended(' || v_text || ', $1)), 16, ''0'')';
    ELSIF v_src IS NOT NULL AND EXISTS (SELECT 1 FROM import_record i WHERE i.source = v_src) THEN
        PERFORM baton_import_same_lines(v_src, v_key, v_seed);
    END IF;
    -- OFFSET 0 keeps each layer a layer: its columns are computed once a row
    -- rather than copied into every expression that reads them.
    EXECUTE 'CREATE TEMP TABLE baton_import_s ON COMMIT DROP AS'
        ' SELECT line, v, md5(v::text) || raw_digest AS digest, bad FROM (SELECT w.line, w.raw_digest,'
        ' jsonb_strip_nulls(jsonb_build_object(' || substr(v_obj, 3) || ')) AS v,'
        ' coalesce(' || v_bad || ') AS bad'
        ' FROM (SELECT r.line, r.rec, ' || v_dg || ' AS raw_digest' || v_raw
        || ' FROM pg_temp.baton_import_rows r'
        || CASE WHEN v_text IS NOT NULL THEN ' JOIN pg_temp.baton_import_raw q ON q.line = r.line' ELSE '' END
        || ' OFFSET 0) w,'
        ' LATERAL (SELECT 1 AS one' || v_typed || ' OFFSET 0) t) x' USING v_seed;
    INSERT INTO baton_import_reject (line, field, reason)
    SELECT line, split_part(bad, ':', 1), substr(bad, strpos(bad, ':') + 1)
    FROM baton_import_s WHERE bad IS NOT NULL;
    DELETE FROM baton_import_s WHERE bad IS NOT NULL;
    -- The same record twice in one file: its last line counts.
    DELETE FROM baton_import_s a USING baton_import_s b
    WHERE a.v ->> 'source_id' = b.v ->> 'source_id' AND a.line < b.line;
    -- ... also when its last line was skipped as the source has it.
    DELETE FROM baton_import_s a USING pg_temp.baton_import_skipped k
    WHERE k.sid = a.v ->> 'source_id' AND a.line < k.line;
    -- The same values under another text (a field not mapped changed, or
    -- the digest is 010's, of the values alone): unchanged as well, and
    -- the digest renewed so that the next run skips the record early.
    WITH d AS (DELETE FROM baton_import_s s USING import_record i
               WHERE i.source = v_src AND i.source_id = s.v ->> 'source_id'
                 AND left(i.digest, 32) = left(s.digest, 32)
               RETURNING s.v ->> 'source_id' AS sid, s.digest)
    UPDATE import_record i SET digest = d.digest FROM d
    WHERE i.source = v_src AND i.source_id = d.sid AND i.digest <> d.digest;
    ANALYZE baton_import_s;
END $$;

-- Nothing to resolve, nothing read: a file whose records the source has
-- as they are leaves no node and no identifier to resolve, but 022's
-- baton_import_resolve still looked its (no) identifiers up, and the plan
-- for that read every customer's import record to unnest its domains:
-- 0.2 s of each unchanged CSV file of customers or contacts.  It now runs
-- only when there is a node or an identifier; otherwise its tables are
-- made empty, as it would have left them.
ALTER FUNCTION baton_import_resolve(text[]) RENAME TO baton_import_resolve_graph;
CREATE FUNCTION baton_import_resolve(p_shared text[]) RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_temp.baton_import_claim) OR EXISTS (SELECT 1 FROM pg_temp.baton_import_node) THEN
        PERFORM baton_import_resolve_graph(p_shared);
        RETURN;
    END IF;
    CREATE TEMP TABLE baton_import_found (kind text, value text, cid bigint) ON COMMIT DROP;
    CREATE TEMP TABLE baton_import_unused (kind text, value text, n bigint) ON COMMIT DROP;
    CREATE TEMP TABLE baton_import_edge (a text, b text, kind text, value text) ON COMMIT DROP;
    CREATE TEMP TABLE baton_import_lab (n text PRIMARY KEY, l text) ON COMMIT DROP;
    CREATE TEMP TABLE baton_import_e2 (a text, b text) ON COMMIT DROP;
    CREATE TEMP TABLE baton_import_comp (comp text, survivor bigint) ON COMMIT DROP;
END $$;
REVOKE ALL ON FUNCTION baton_import_resolve(text[]) FROM PUBLIC;
