-- Baton schema, version 149: a record imported without its contact has its
-- raw row in the rejects file, and says why its contact is missing (#12,
-- rejects; a review).
--
-- A ticket, survey answer or other record whose contact is not imported
-- yet is imported without it and listed with the rejects ("imported
-- without its contact: ..."), so that it can be imported again once the
-- contact is.  Its raw row was empty: the person fixing the contacts had
-- the line number and the contact's id, but not the row to hand back.
-- baton_import_raw_rows makes the raw rows of the rejects, from which
-- apply fills them, as it did inline (139), or, called by the client when
-- it writes a rejects file, of the notes, in baton_import_raw_row, which
-- the client reads beside the notes.
-- The raw row is what it was (acad529, README): the line as it came (JSON
-- Lines), the record as PostgreSQL writes it (JSON), the row made CSV
-- again (CSV).
--
-- And a contact that its source's rules leave out (the Zendesk users
-- mapping skips agents: a ticket an agent opened names one) was said to be
-- "not imported yet", to be linked by a later import, on every run, which
-- never came.  The records a rule leaves out are kept by their key
-- (import_left_out; a later import that takes one drops it), and a note or
-- a reject about such a contact says so.

CREATE TABLE import_left_out (
    source      text NOT NULL,
    source_id   text NOT NULL,
    run_id      uuid NOT NULL REFERENCES import_run (id) ON DELETE CASCADE,
    PRIMARY KEY (source, source_id)
);
REVOKE ALL ON import_left_out FROM PUBLIC;

-- The raw rows of the rejects (apply), or of the records imported without
-- their contact (p_notes: the client, when a rejects file is written: a
-- file of a million tickets whose requesters are not imported yet would
-- otherwise make and send each row for nothing).
CREATE FUNCTION baton_import_raw_rows(p_spec jsonb, p_notes boolean) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM baton_import_check();
    IF to_regclass('pg_temp.baton_import_raw') IS NULL THEN
        RAISE EXCEPTION 'no import in this transaction: baton_import_begin() first'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    DROP TABLE IF EXISTS pg_temp.baton_import_raw_row;
    CREATE TEMP TABLE baton_import_raw_row (line bigint PRIMARY KEY, raw text) ON COMMIT DROP;
    EXECUTE format('GRANT SELECT ON pg_temp.baton_import_raw_row TO %I', session_user);
    IF NOT p_notes THEN
        INSERT INTO baton_import_raw_row (line)
        SELECT DISTINCT line FROM baton_import_reject WHERE line IS NOT NULL;
    ELSIF to_regclass('pg_temp.baton_import_note') IS NOT NULL THEN
        -- A file of records that link to a customer (not customers).
        INSERT INTO baton_import_raw_row (line)
        SELECT DISTINCT line FROM pg_temp.baton_import_note WHERE line IS NOT NULL;
    END IF;
    IF p_spec ->> 'format' = 'jsonl' THEN
        UPDATE baton_import_raw_row j SET raw = w.raw FROM pg_temp.baton_import_raw w WHERE w.line = j.line;
    ELSIF p_spec ->> 'format' = 'json' THEN
        UPDATE baton_import_raw_row j SET raw = r.rec::text FROM baton_import_rows r WHERE r.line = j.line;
    ELSE
        UPDATE baton_import_raw_row j SET raw = (
            SELECT string_agg(CASE WHEN t ~ ('["\r\n' || coalesce(p_spec ->> 'delimiter', ',') || ']')
                                   THEN '"' || replace(t, '"', '""') || '"' ELSE t END,
                              coalesce(p_spec ->> 'delimiter', ',') ORDER BY h.i)
            FROM pg_temp.baton_import_header h, LATERAL (SELECT coalesce(r.rec ->> h.name, '') AS t) y)
        FROM baton_import_rows r WHERE r.line = j.line;
    END IF;
END $$;
REVOKE ALL ON FUNCTION baton_import_raw_rows(jsonb, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION baton_import_raw_rows(jsonb, boolean) TO baton_importer, baton_staff, baton_admin;

-- 139's function, the raw rows made by baton_import_raw_rows.  The same
-- result type: replaced in place, its grants kept.
CREATE OR REPLACE FUNCTION baton_import_apply(p_run uuid, p_spec jsonb, p_shared text[],
                                   p_client_rejected integer)
RETURNS TABLE (entity text, read_rows integer, inserted integer, updated integer,
               unchanged integer, rejected integer, merged integer, unused text, skipped integer,
               unmerged text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET random_page_cost = 1.1 AS $$
DECLARE
    v_run import_run%ROWTYPE;
    v_read integer;
    v_rej integer;
    v_skipped integer;
    x record;
    v_unused text;
    v_unmerged text;
    v_text text;
    v_seed bigint;
BEGIN
    PERFORM baton_import_check();
    -- The configuration's shared domains as identifiers are (095): as
    -- written, "Group-Mail.Example" or "www.holding.example" matched no
    -- address, and joined the customers of everyone there.
    p_shared := ARRAY(SELECT DISTINCT baton_norm_domain(d) FROM unnest(p_shared) d
                      WHERE baton_norm_domain(d) <> '');
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
    -- Each line's hash as it is read (110).
    SELECT h.text_sql, h.seed INTO v_text, v_seed FROM baton_import_staged_hash(p_spec, 'q') h;
    -- A JSON Lines file's records are read in the stage, unless a rule
    -- reads them first (117): then its lines that are objects are its
    -- records.
    PERFORM baton_import_records(p_spec ->> 'format', p_spec ->> 'array', v_text, v_seed,
                                 NOT (p_spec ? 'only' OR p_spec ? 'skip'));
    IF to_regclass('pg_temp.baton_import_rows') IS NULL THEN
        SELECT count(*) INTO v_read FROM pg_temp.baton_import_raw q WHERE baton_import_object_line(q.raw);
    ELSE
        SELECT count(*) INTO v_read FROM baton_import_rows;
    END IF;
    v_read := v_read + (SELECT count(*) FROM pg_temp.baton_import_skipped);
    v_read := v_read + (SELECT count(*) FROM baton_import_reject) + coalesce(p_client_rejected, 0);
    v_skipped := baton_import_leave_out(p_spec);
    -- The records a rule left out, by their key as the stage reads it
    -- (baton_import_read_sql) (149): a record that names one is told so.
    IF v_skipped > 0 THEN
        EXECUTE format('INSERT INTO import_left_out (source, source_id, run_id)
            SELECT DISTINCT $1, lo.key, $2
            FROM (SELECT %s AS key FROM pg_temp.baton_import_ruled_out o
                  JOIN baton_import_rows r ON r.line = o.line) lo
            WHERE length(lo.key) BETWEEN 1 AND 200
            ON CONFLICT (source, source_id) DO UPDATE SET run_id = EXCLUDED.run_id',
            baton_import_read_sql('r.rec', p_spec, 'source_id', false))
        USING v_run.source, p_run;
    END IF;
    PERFORM baton_import_stage(p_spec, v_run.entity);
    -- A record of the file is left out no more.
    IF EXISTS (SELECT 1 FROM import_left_out o WHERE o.source = v_run.source AND o.run_id <> p_run) THEN
        DELETE FROM import_left_out o USING baton_import_s s
        WHERE o.source = v_run.source AND o.source_id = s.v ->> 'source_id';
    END IF;
    IF v_run.entity = 'customers' THEN
        SELECT * INTO x FROM baton_import_customers(p_run, v_run.source, p_spec, p_shared);
    ELSE
        SELECT * INTO x FROM baton_import_rows_of(p_run, v_run.source, v_run.entity, p_spec, p_shared);
    END IF;
    -- A contact its source's rules leave out will not be imported: said as
    -- that, not as one to come (149).
    IF p_spec ? 'contact_source' AND to_regclass('pg_temp.baton_import_note') IS NOT NULL
       AND EXISTS (SELECT 1 FROM import_left_out o WHERE o.source = p_spec ->> 'contact_source') THEN
        UPDATE baton_import_note n
        SET reason = format('imported without its contact: the %s record "%s" is one that source''s rules'
                            ' (skip, only) leave out', o.source, o.source_id)
        FROM baton_import_s s
        JOIN import_left_out o ON o.source = p_spec ->> 'contact_source' AND o.source_id = s.v ->> 'contact'
        WHERE s.line = n.line AND n.field = 'contact';
        UPDATE baton_import_reject j
        SET reason = format('no customer reference, and its contact, the %s record "%s", is one that'
                            ' source''s rules (skip, only) leave out', o.source, o.source_id)
        FROM baton_import_s s
        JOIN import_left_out o ON o.source = p_spec ->> 'contact_source' AND o.source_id = s.v ->> 'contact'
        WHERE s.line = j.line AND j.field = 'contact' AND NOT s.v ? 'customer';
    END IF;
    -- The raw row of each reject (149; those of the records imported
    -- without their contact the client asks for, for a rejects file).
    PERFORM baton_import_raw_rows(p_spec, false);
    -- A reject that has its raw row already keeps it (the client's, a JSON
    -- document's record with bytes that are not UTF-8: not a record here).
    UPDATE baton_import_reject j SET raw = coalesce(w.raw, j.raw) FROM baton_import_raw_row w
    WHERE w.line = j.line;
    SELECT count(*) INTO v_rej FROM baton_import_reject;
    IF to_regclass('pg_temp.baton_import_unused') IS NOT NULL THEN
        SELECT string_agg(format('%s %s (joins %s)', u.kind, u.value, u.n), ', ' ORDER BY u.n DESC, u.value)
        INTO v_unused FROM baton_import_unused u;
    END IF;
    -- The groups not merged, and what they kept apart (139).
    v_unmerged := baton_import_kept_apart(p_run, v_run.source, v_run.entity);
    v_rej := v_rej + coalesce(p_client_rejected, 0);
    UPDATE import_run r SET read_rows = v_read, inserted = x.inserted, updated = x.updated,
        unchanged = greatest(v_read - x.inserted - x.updated - v_rej - v_skipped, 0), rejected = v_rej,
        merged = x.merged, unused = v_unused, skipped = v_skipped, unmerged = v_unmerged
    WHERE r.id = p_run;
    RETURN QUERY SELECT r.entity, r.read_rows, r.inserted, r.updated, r.unchanged, r.rejected,
        r.merged, r.unused, r.skipped, r.unmerged FROM import_run r WHERE r.id = p_run;
END $$;

-- Owned as 139 made apply's owner: baton_import_raw_rows reads the
-- temporary tables baton_import_begin made.
DO $$
DECLARE
    v_fn text := (SELECT pg_get_userbyid(p.proowner) FROM pg_proc p
                  WHERE p.oid = 'public.baton_import_apply(uuid, jsonb, text[], integer)'::regprocedure);
BEGIN
    EXECUTE format('ALTER FUNCTION baton_import_raw_rows(jsonb, boolean) OWNER TO %I', v_fn);
    EXECUTE format('ALTER TABLE import_left_out OWNER TO %I',
                   (SELECT pg_get_userbyid(c.relowner) FROM pg_class c WHERE c.oid = 'public.import_record'::regclass));
END $$;
