-- Baton schema, version 156: three findings of a review of the imports
-- of tickets and milestones over several days of files (#12).
--
-- 1. A ticket whose record has no opening time (a helpdesk's created_at
--    null, or a mapping without opened_at) was opened at the import: a
--    ticket solved in March, imported in December, was opened nine months
--    after it was solved, "0m" old on the screen and in the timeline's
--    day.  It is opened at the first time its record gives (its update or
--    its solving), and at the import only when it gives none.
--
-- 2. A milestone whose record moved it to another customer went after
--    that customer's last step whatever step the record named, and the
--    same file again called it unchanged, so the step was never taken.
--    It takes the step it names, as one that stays with its customer
--    does: the record is rejected when a milestone that is not in the
--    file keeps that step.
--
-- 3. A file holding a record twice whose newest line is bad (a status not
--    in the map) imported its older line, where a newest line naming an
--    unknown organization left the record as it was.  The newest line is
--    the record's, bad or not: when it is bad it is rejected and the
--    record stays as it is, its older lines outdated (unchanged), as
--    README says of a record's other lines.

-- 082's, with the first time the record gives when it gives no opening
-- time (1.).
CREATE OR REPLACE FUNCTION baton_import_tickets() RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    INSERT INTO ticket (id, customer_id, subject, body, status, priority, category, requester_id,
                        opened_at, updated_at, solved_at, number)
    SELECT target, cid, coalesce(v ->> 'subject', '(no subject)'), coalesce(v ->> 'body', ''),
        coalesce(v ->> 'status', 'new'), coalesce(v ->> 'priority', 'normal'),
        coalesce(v ->> 'category', 'question'), contact_id,
        coalesce((v ->> 'opened_at')::timestamptz,
                 least((v ->> 'updated_at')::timestamptz, (v ->> 'solved_at')::timestamptz), now()),
        coalesce((v ->> 'updated_at')::timestamptz, (v ->> 'opened_at')::timestamptz, now()),
        CASE WHEN v ->> 'status' IN ('solved', 'closed') THEN coalesce((v ->> 'solved_at')::timestamptz,
            (v ->> 'updated_at')::timestamptz, (v ->> 'opened_at')::timestamptz, now()) END,
        sid
    FROM baton_import_c WHERE state = 'new';
    UPDATE ticket t SET customer_id = c.cid, subject = coalesce(c.v ->> 'subject', t.subject),
        body = coalesce(c.v ->> 'body', t.body), status = coalesce(c.v ->> 'status', t.status),
        priority = coalesce(c.v ->> 'priority', t.priority),
        category = coalesce(c.v ->> 'category', t.category),
        requester_id = coalesce(c.contact_id, t.requester_id),
        opened_at = coalesce((c.v ->> 'opened_at')::timestamptz, t.opened_at),
        updated_at = coalesce((c.v ->> 'updated_at')::timestamptz, now()),
        solved_at = CASE WHEN coalesce(c.v ->> 'status', t.status) IN ('solved', 'closed') THEN
            coalesce((c.v ->> 'solved_at')::timestamptz, t.solved_at, (c.v ->> 'updated_at')::timestamptz, now()) END,
        number = c.sid
    FROM baton_import_c c WHERE c.state = 'updated' AND t.id = c.target;
END $$;

-- 061's, with a milestone moving to another customer on the step its
-- record names (2.).
CREATE OR REPLACE FUNCTION baton_import_milestones() RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    v_n integer;
BEGIN
    UPDATE baton_import_c c SET v = c.v || jsonb_build_object('position', p.position)
    FROM (SELECT x.line, coalesce((SELECT max(m.position) FROM milestone m WHERE m.customer_id = x.cid), 0)
                 + row_number() OVER (PARTITION BY x.cid ORDER BY x.line) AS position
          FROM baton_import_c x WHERE x.state = 'new' AND NOT x.v ? 'position') p
    WHERE p.line = c.line;
    UPDATE baton_import_c c SET bad = format('position:position %s is taken by another milestone of the customer',
                                             c.v ->> 'position')
    WHERE c.state = 'new' AND (EXISTS (SELECT 1 FROM milestone m WHERE m.customer_id = c.cid
                                       AND m.position = (c.v ->> 'position')::integer)
        OR EXISTS (SELECT 1 FROM baton_import_c o WHERE o.cid = c.cid AND o.line < c.line
                   AND o.v ->> 'position' = c.v ->> 'position'));

    -- Milestones staying with their customer at another step, and those
    -- moving to another customer that name their step there (156).
    CREATE TEMP TABLE baton_import_steps ON COMMIT DROP AS
    SELECT c.line, c.target, c.cid, (c.v ->> 'position')::integer AS position
    FROM baton_import_c c JOIN milestone t ON t.id = c.target
    WHERE c.state = 'updated' AND c.v ? 'position'
      AND ((c.v ->> 'position')::integer <> t.position OR t.customer_id <> c.cid);
    -- A step is free when every milestone on it moves away; a refusal may
    -- keep a milestone where another wanted to go: again until none is.
    LOOP
        UPDATE baton_import_c c SET bad = format('position:position %s is taken by another milestone of the customer',
                                                 s.position)
        FROM baton_import_steps s
        WHERE s.line = c.line AND c.bad IS NULL AND (
            EXISTS (SELECT 1 FROM milestone m WHERE m.customer_id = s.cid AND m.position = s.position
                    AND NOT EXISTS (SELECT 1 FROM baton_import_steps o JOIN baton_import_c oc ON oc.line = o.line
                                    WHERE o.target = m.id AND oc.bad IS NULL))
            OR EXISTS (SELECT 1 FROM baton_import_steps o JOIN baton_import_c oc ON oc.line = o.line
                       WHERE o.cid = s.cid AND o.position = s.position AND o.line < s.line AND oc.bad IS NULL)
            OR EXISTS (SELECT 1 FROM baton_import_c n WHERE n.state = 'new' AND n.bad IS NULL
                       AND n.cid = s.cid AND (n.v ->> 'position')::integer = s.position));
        GET DIAGNOSTICS v_n = ROW_COUNT;
        EXIT WHEN v_n = 0;
    END LOOP;

    INSERT INTO baton_import_reject (line, field, reason)
    SELECT line, split_part(bad, ':', 1), substr(bad, strpos(bad, ':') + 1)
    FROM baton_import_c WHERE bad IS NOT NULL;
    DELETE FROM baton_import_c WHERE bad IS NOT NULL;
    DELETE FROM baton_import_steps s WHERE NOT EXISTS (SELECT 1 FROM baton_import_c c WHERE c.line = s.line);
    INSERT INTO milestone (id, customer_id, position, title, status, owner, due_date, completed_at,
                           blocked_reason)
    SELECT target, cid, (v ->> 'position')::integer, v ->> 'title', coalesce(v ->> 'status', 'pending'),
        (v ->> 'owner')::name, (v ->> 'due_date')::date,
        CASE WHEN v ->> 'status' = 'done' THEN coalesce((v ->> 'completed_at')::timestamptz,
            (v ->> 'updated_at')::timestamptz, now()) END,
        v ->> 'blocked_reason'
    FROM baton_import_c WHERE state = 'new';
    -- Those changing step wait after their customer's last one, and after
    -- the last step the file gives them: no one waits where another goes.
    -- (Those moving wait at the customer they go to, below.)
    UPDATE milestone t SET position = p.position
    FROM (SELECT s.target, greatest((SELECT max(m.position) FROM milestone m WHERE m.customer_id = s.cid),
                                    max(s.position) OVER (PARTITION BY s.cid))
                 + row_number() OVER (PARTITION BY s.cid ORDER BY s.line) AS position
          FROM baton_import_steps s JOIN milestone o ON o.id = s.target AND o.customer_id = s.cid) p
    WHERE t.id = p.target;
    -- A record that now names another customer moves its milestone there,
    -- after that customer's own (positions are unique) and after the steps
    -- this file gives them, in the file's order; then to the step it
    -- names, if it names one (below).
    UPDATE milestone t SET customer_id = c.cid, position = coalesce(m.position, t.position),
        title = c.v ->> 'title', status = coalesce(c.v ->> 'status', t.status),
        owner = coalesce((c.v ->> 'owner')::name, t.owner),
        due_date = coalesce((c.v ->> 'due_date')::date, t.due_date),
        completed_at = CASE WHEN coalesce(c.v ->> 'status', t.status) = 'done' THEN
            coalesce((c.v ->> 'completed_at')::timestamptz, t.completed_at, now()) END,
        blocked_reason = c.v ->> 'blocked_reason', version = t.version + 1
    FROM baton_import_c c
    LEFT JOIN (SELECT x.line, greatest((SELECT max(n.position) FROM milestone n WHERE n.customer_id = x.cid),
                                       (SELECT max(s.position) FROM baton_import_steps s WHERE s.cid = x.cid), 0)
                   + row_number() OVER (PARTITION BY x.cid ORDER BY x.line) AS position
               FROM baton_import_c x JOIN milestone o ON o.id = x.target
               WHERE x.state = 'updated' AND o.customer_id <> x.cid) m ON m.line = c.line
    WHERE c.state = 'updated' AND t.id = c.target;
    -- Then each on its step, free by now.
    UPDATE milestone t SET position = s.position FROM baton_import_steps s WHERE t.id = s.target;
END $$;

-- 131's, with the newest line of a record found among its bad lines too
-- (3.); otherwise unchanged.
CREATE OR REPLACE FUNCTION baton_import_stage(p_spec jsonb, p_entity text) RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp SET enable_mergejoin = off
SET work_mem = '64MB' AS $$
DECLARE
    f record;
    v_def jsonb;
    v_get text;
    v_raw text := '';
    v_ext text := '';
    v_typed text := '';
    -- The fields written into the values, and their kinds (124).
    v_fields text[] := '{}';
    v_kinds text[] := '{}';
    v_values text;
    -- Whether every field mapped has a value (118).
    v_all text := 'true';
    -- A key is one value: a list or an object ({} or [1, 2]) is none.
    v_bad text := 'CASE WHEN w.r_source_id IS NULL THEN ''source_id:missing key'''
                  ' WHEN jsonb_typeof(w.j_source_id) IN (''object'', ''array'')'
                  ' THEN ''source_id:a list or an object is no key'''
                  ' WHEN length(w.r_source_id) > 200 THEN ''source_id:longer than 200 characters'' END';
    v_sql record;
    v_make text;
    v_from text := 'pg_temp.baton_import_rows';
    v_text text;
    v_joins text[];
    v_hseed bigint;
    v_src text := (SELECT c.source FROM pg_temp.baton_import_ctx c);
    -- The record as it came, under this mapping (another one converts
    -- anew): a 64-bit hash of its JSON seeded by the mapping, 0.6 us a
    -- record where md5 of its text took 3.2.
    v_seed bigint := baton_import_line_seed(p_spec, NULL);
    v_key text;
    -- The record as it came: a JSON line's text (030), a CSV row's fields
    -- written out again (045), a JSON document's record as JSON.
    v_dg text := 'lpad(to_hex(jsonb_hash_extended(r.rec, $1)), 16, ''0'')';
    -- The lines a rule leaves out (093): typed like the others, so that a
    -- key's newest line is found among all its lines; never rejected;
    -- gone, with the lines they outdate, before anything is written.
    v_left boolean := EXISTS (SELECT 1 FROM pg_temp.baton_import_ruled_out);
    -- The typed values as the layer t shows them (119).
    v_tcols text := '';
    -- Whether a rule leaves the record r out (119: once, for the copy
    -- too).
    v_out text := CASE WHEN v_left THEN 'r.line IN (SELECT l.line FROM pg_temp.baton_import_ruled_out l)'
                       ELSE 'false' END;
    -- The records: a JSON Lines file's read here from its lines when
    -- nothing read them before (117; baton_import_records), each line
    -- hashed as baton_import_records does.  A line jsonb refuses fails the
    -- statement: then they are read one by one (baton_import_rows_made),
    -- the bad ones rejected, and the statement is made again.
    v_lazy boolean := p_spec ->> 'format' = 'jsonl' AND to_regclass('pg_temp.baton_import_rows') IS NULL;
    -- Parallel workers cannot read a temporary table: lines or records
    -- past the size at which PostgreSQL scans a table in parallel are
    -- copied into a table of this transaction, unlogged, which no other
    -- session sees, and which is dropped after the statement or with the
    -- transaction (119).  It is made in baton_import_work, the schema of
    -- the stage's role (baton_import_apply's owner), where no one else may
    -- create tables (120); the name is the session's.  Not when that role
    -- may not (baton_import_work_unusable), nor when no worker can ever
    -- start.
    v_parallel boolean := CASE WHEN current_setting('max_parallel_workers_per_gather')::integer > 0
                                AND current_setting('max_parallel_workers')::integer > 0
                                AND baton_import_work_unusable(current_user) IS NULL
        THEN pg_relation_size(CASE WHEN v_lazy THEN 'pg_temp.baton_import_raw'
                                   ELSE 'pg_temp.baton_import_rows' END::regclass)
             >= pg_size_bytes(current_setting('min_parallel_table_scan_size')) ELSE false END;
    v_par text;
    -- Whether a staged line is bad, and whether a key may be there twice
    -- (131).
    v_any_bad boolean;
    v_twice boolean;
BEGIN
    FOR f IN SELECT i.field, i.kind, i.allowed FROM import_field i
             WHERE i.entity = p_entity AND ((p_spec -> 'fields') ? i.field OR i.kind = 'key')
             ORDER BY i.field LOOP
        v_def := coalesce(p_spec -> 'fields' -> f.field, '{}');
        -- Each field is read out of the record once (e), then blank is
        -- missing, then the default (w).
        v_ext := v_ext || format(', %s AS %I', baton_import_read_sql('r.rec', p_spec, f.field, false),
                                 'e_' || f.field);
        v_get := format('e.%I', 'e_' || f.field);
        v_raw := v_raw || format(', %s AS %I, %s AS %I',
                                 baton_import_given_sql(v_get, v_def ->> 'default', true), 'r_' || f.field,
                                 baton_import_read_sql('e.rec', p_spec, f.field, true), 'j_' || f.field);
        v_sql := baton_import_field_sql(f.field, f.kind, f.allowed, v_def, v_parallel);
        v_typed := v_typed || format(', %s AS %I', v_sql.val, 'v_' || f.field);
        v_tcols := v_tcols || format(', w.%1$I AS %1$I', 'v_' || f.field);
        IF (p_spec -> 'fields') ? f.field THEN
            v_fields := v_fields || f.field;
            v_kinds := v_kinds || f.kind;
            v_all := v_all || format(' AND t.%I IS NOT NULL', 'v_' || f.field);
        END IF;
        IF v_sql.chk IS NOT NULL THEN
            v_bad := v_bad || ', ' || v_sql.chk;
        END IF;
    END LOOP;
    v_values := baton_import_values_sql(v_fields, v_kinds);
    -- A digest is two: a hash of the values (128 bits: hashtextextended of
    -- their text under two seeds, 111; md5 of it before, which took 1.2 s
    -- of the stage at 1,000,000 tickets where these take 0.6) and the hash
    -- of the record as it came under this mapping.  A record the source already has with
    -- the same text is unchanged: skipped here, before any conversion (not
    -- when its key is in the file twice: its newest line counts, 071).
    v_key := baton_import_given_sql(baton_import_read_sql('r.rec', p_spec, 'source_id', false),
                                    p_spec -> 'fields' -> 'source_id' ->> 'default', false);
    -- (A source's first file has nothing to skip; JSON Lines were skipped
    -- by their text before they were parsed: baton_import_skip.)
    IF p_spec ->> 'format' IN ('jsonl', 'csv') THEN
        -- Each line hashed as it was read (110).
        v_dg := 'r.raw_digest';
    ELSIF v_src IS NOT NULL AND EXISTS (SELECT 1 FROM import_record i WHERE i.source = v_src) THEN
        PERFORM baton_import_same_lines(v_src, v_key, v_seed);
    END IF;
    -- The copy: a JSON Lines file's lines, or the records read before,
    -- with whether a rule leaves each out (the rule's lines are in a
    -- temporary table too), which the stage then reads from it.
    IF v_parallel THEN
        v_par := format('baton_import_work.%I', 'baton_import_par_' || pg_backend_pid());
        EXECUTE format('CREATE UNLOGGED TABLE %s AS SELECT %s', v_par,
                       CASE WHEN v_lazy THEN 'r.line, r.raw FROM pg_temp.baton_import_raw r'
                            ELSE 'r.*, ' || v_out || ' AS left_out FROM pg_temp.baton_import_rows r' END);
        IF NOT v_lazy THEN
            v_out := 'r.left_out';
        END IF;
    END IF;
    IF v_lazy THEN
        SELECT h.text_sql, h.seed INTO v_text, v_hseed FROM baton_import_staged_hash(p_spec, 'q') h;
        v_from := '(SELECT clock_timestamp() AS f_r, q.line, q.raw::jsonb AS rec, '
                  || baton_import_hash_sql(v_text, v_hseed)
                  || ' AS raw_digest FROM ' || coalesce(v_par, 'pg_temp.baton_import_raw') || ' q'
                  || ' WHERE baton_import_object_line(q.raw))';
    ELSIF v_par IS NOT NULL THEN
        v_from := v_par;
    END IF;
    -- Each layer's columns are computed once a row rather than copied
    -- into every expression that reads them (x's too: the values, v, are
    -- read twice above it; e's, as w reads each field twice): a volatile
    -- column keeps the planner from merging a layer into the one above
    -- (OFFSET 0 did, 052, but a plan with a LIMIT or OFFSET below the top
    -- cannot run in parallel workers; clock_timestamp() can, 119).  The
    -- typed values (t) are a layer over w, not a subquery joined to it for
    -- each row (a LATERAL's reference to w is a parameter, which workers
    -- are not given); t itself only names w's typed columns.
    v_make := 'CREATE TEMP TABLE baton_import_s ON COMMIT DROP AS'
        ' SELECT line, v, lpad(to_hex(hashtextextended(vt, 111)), 16, ''0'')'
        ' || lpad(to_hex(hashtextextended(vt, 1111)), 16, ''0'') || raw_digest AS digest, bad, left_out'
        ' FROM (SELECT clock_timestamp() AS f_y, x.*, x.v::text AS vt FROM'
        ' (SELECT clock_timestamp() AS f_x, w.line, w.raw_digest, w.left_out,'
        -- A record whose every field has a value has no null to strip
        -- (the values are scalars and lists, no objects): 0.2-0.35 s at
        -- 1,000,000 tickets (118).
        ' CASE WHEN ' || v_all || ' THEN ' || v_values || ' ELSE jsonb_strip_nulls(' || v_values || ') END AS v,'
        ' coalesce(' || v_bad || ') AS bad'
        ' FROM (SELECT clock_timestamp() AS f_t, w.*' || v_typed
        || ' FROM (SELECT clock_timestamp() AS f_w, e.line, e.raw_digest, e.left_out' || v_raw
        || ' FROM (SELECT clock_timestamp() AS f_e, r.line, r.rec, ' || v_dg || ' AS raw_digest, '
        || v_out || ' AS left_out' || v_ext
        || ' FROM ' || v_from || ' r'
        || ') e) w) w,'
        ' LATERAL (SELECT 1 AS one' || v_tcols || ') t) x) y';
    IF v_lazy THEN
        BEGIN
            EXECUTE v_make USING v_seed;
        -- What jsonb's input refuses, and nothing else: bad syntax or
        -- escapes, a NUL, a number beyond numeric, a string or nesting
        -- past its limits.  Any other error is the statement's own.
        EXCEPTION WHEN invalid_text_representation OR untranslatable_character
                       OR numeric_value_out_of_range OR program_limit_exceeded
                       OR statement_too_complex THEN
            PERFORM baton_import_rows_made(v_text, v_hseed);
            EXECUTE replace(v_make, v_from, 'pg_temp.baton_import_rows') USING v_seed;
        END;
    ELSE
        EXECUTE v_make USING v_seed;
    END IF;
    IF v_par IS NOT NULL THEN
        EXECUTE 'DROP TABLE ' || v_par;
    END IF;
    -- One read of the staged lines says whether any is bad and whether a
    -- key may be there twice (131): most files have neither, and each of
    -- the statements below read them all to find nothing.  Keys are
    -- counted by a 64-bit hash of each, sorted as numbers: 0.3 s at
    -- 1,000,000 tickets, where a count grouped by the keys' text took 0.8.
    -- Two keys of one hash are a key twice to this count (a false alarm,
    -- about one file in 30 million at a million keys): the count by text
    -- below then decides, as it did for every file before.
    SELECT count(*) FILTER (WHERE bad IS NOT NULL) > 0,
           count(DISTINCT hashtextextended(v ->> 'source_id', 0)) < count(v ->> 'source_id')
        INTO v_any_bad, v_twice FROM baton_import_s;
    -- The same record twice in one file: its newest line counts, by
    -- updated_at (a line without one is older than any with one), and of
    -- lines as new, the last (071); a bad one too, which is then rejected
    -- below and its record left as it is (156: a ticket's newest line
    -- with a status not in the map was rejected, and its older line
    -- imported).  A bad line is rejected whatever its age.  Most files have each record once,
    -- which a count by key says in half the time of the self-join that
    -- finds the other lines.  (A line is not compared with itself: the
    -- times are read only for the pairs of two lines.)
    IF v_twice AND EXISTS (SELECT 1 FROM baton_import_s GROUP BY v ->> 'source_id' HAVING count(*) > 1) THEN
        DELETE FROM baton_import_s a USING baton_import_s b
        WHERE a.v ->> 'source_id' = b.v ->> 'source_id' AND a.line <> b.line AND a.bad IS NULL
          AND (coalesce((a.v ->> 'updated_at')::timestamptz, '-infinity'), a.line)
            < (coalesce((b.v ->> 'updated_at')::timestamptz, '-infinity'), b.line);
    END IF;
    IF v_any_bad THEN
        INSERT INTO baton_import_reject (line, field, reason)
        SELECT line, split_part(bad, ':', 1), substr(bad, strpos(bad, ':') + 1)
        FROM baton_import_s WHERE bad IS NOT NULL AND NOT left_out;
        DELETE FROM baton_import_s WHERE bad IS NOT NULL AND (NOT left_out OR v ->> 'source_id' IS NULL);
    END IF;
    -- ... also when a line of it was skipped as the source has it: that
    -- line is the record as stored, its updated_at the record's.  Most
    -- files have no key both skipped and staged, which a join says first
    -- (as fast as 052's DELETE, which deleted nothing then); only then is
    -- the record read, for each such pair (a scalar subquery: a subplan,
    -- where an EXISTS would be a join planned with the others).  In the
    -- same statement as the join, the cost of the reads made the plan of
    -- every file with lines skipped one compiled by JIT.  (Nothing staged,
    -- nothing to look for: the lines set aside are not analyzed then, 113,
    -- and the join read them all, 36 ms at a million.  No line set aside,
    -- likewise: the join read every staged line, 0.13 s at a million, 131.)
    IF EXISTS (SELECT 1 FROM baton_import_s) AND EXISTS (SELECT 1 FROM pg_temp.baton_import_skipped)
       AND EXISTS (SELECT 1 FROM baton_import_s a
                   JOIN pg_temp.baton_import_skipped k ON k.sid = a.v ->> 'source_id') THEN
        DELETE FROM baton_import_s a USING pg_temp.baton_import_skipped k
        WHERE k.sid = a.v ->> 'source_id'
          AND (coalesce((SELECT i.source_updated_at FROM import_record i
                         WHERE i.source = v_src AND i.source_id = k.sid), '-infinity'), k.line)
            > (coalesce((a.v ->> 'updated_at')::timestamptz, '-infinity'), a.line);
    END IF;
    -- A key whose newest line a rule leaves out is left as it is.
    IF v_left THEN
        DELETE FROM baton_import_s WHERE left_out;
    END IF;
    -- The same values under another text (a field not mapped changed, or
    -- the digest is 010's, of the values alone): unchanged as well, and
    -- the digest renewed so that the next run skips the record early.  A
    -- digest written before 111 has the md5 of the values' text, read only
    -- for a record whose hash differs (one changed, or one of those).
    -- Each looked up in the primary key when they are few beside the
    -- source's records (128).
    v_joins := baton_import_lookups(baton_import_few_lines('pg_temp.baton_import_s', v_src));
    WITH d AS (DELETE FROM baton_import_s s USING import_record i
               WHERE i.source = v_src AND i.source_id = s.v ->> 'source_id'
                 AND (left(i.digest, 32) = left(s.digest, 32) OR left(i.digest, 32) = md5(s.v::text))
               RETURNING s.v ->> 'source_id' AS sid, s.digest)
    UPDATE import_record i SET digest = d.digest FROM d
    WHERE i.source = v_src AND i.source_id = d.sid AND i.digest <> d.digest;
    PERFORM baton_import_lookups_end(v_joins);
    ANALYZE baton_import_s;
END $$;
