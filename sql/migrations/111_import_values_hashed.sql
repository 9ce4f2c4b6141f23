-- Baton schema, version 111: a record's values are hashed by
-- hashtextextended, and a file's records are linked with work_mem
-- (#12, the first import's time).
--
-- A record's digest begins with a hash of its values, by which a record
-- whose line changed but whose values did not is known as unchanged.  It
-- was md5 of the values' JSON text: writing the text and hashing it took
-- about 1.3 us a record, 1.2 s of the staging statement at 1,000,000
-- tickets.  It is now two 64-bit hashes of that text under two seeds
-- (the text written once: 0.6 us a record in all), written as the same
-- 32 hexadecimal digits, so that the line's hash stays at 33-48
-- (import_record.raw_hash).  Not jsonb_hash_extended of the jsonb, at
-- 0.12 us: it folds a value's items by rotating one bit and XOR-ing, so
-- that two items 32 apart (the 1st and 33rd domains of a customer) trade
-- places unseen, and a change would be taken for none.  A
-- digest written before is still read: a record whose values hash
-- differs is compared with the md5 of its values too, in the stage (the
-- same values under another text) and in linking (a record imported
-- without its contact, whose digest begins with "?"), so that an upgrade
-- rewrites nothing (the stage renews the digest of such a record).  The
-- stage looks for a key both staged and set aside only when something is
-- staged (113 analyzes the lines set aside only then).
--
-- baton_import_link sorts a file's records by customer, with their
-- values, and hashes the contact and customer records: at 1,000,000
-- tickets, 380 MB sorted on disk and the contacts' hash in four batches,
-- with 4 MB of work_mem.  With 64 MB, as the stage has, the statement
-- took 3.2-3.9 s instead of 3.8-6.5 s (three rounds each).
--
-- Linking tested the references of a record after the shared domains'
-- lookup that a record without them needs (the planner's order of a
-- lateral query's conditions): a contacts file looked up the domain of
-- every contact, 0.73 s at 300,000 (auto_explain).  A CASE keeps the
-- order.
--
-- Otherwise 110's baton_import_stage and 108's baton_import_link unchanged.

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
    v_obj text := '';
    -- A key is one value: a list or an object ({} or [1, 2]) is none.
    v_bad text := 'CASE WHEN w.r_source_id IS NULL THEN ''source_id:missing key'''
                  ' WHEN jsonb_typeof(w.j_source_id) IN (''object'', ''array'')'
                  ' THEN ''source_id:a list or an object is no key'''
                  ' WHEN length(w.r_source_id) > 200 THEN ''source_id:longer than 200 characters'' END';
    v_sql record;
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
        v_raw := v_raw || format(', coalesce(CASE WHEN btrim(%1$s) <> '''' THEN %1$s END, %2$L) AS %3$I,'
                                 ' %4$s AS %5$I',
                                 v_get, v_def ->> 'default', 'r_' || f.field,
                                 baton_import_read_sql('e.rec', p_spec, f.field, true), 'j_' || f.field);
        v_sql := baton_import_field_sql(f.field, f.kind, f.allowed, v_def);
        v_typed := v_typed || format(', %s AS %I', v_sql.val, 'v_' || f.field);
        IF (p_spec -> 'fields') ? f.field THEN
            v_obj := v_obj || format(', %L, t.%I', f.field, 'v_' || f.field);
        END IF;
        IF v_sql.chk IS NOT NULL THEN
            v_bad := v_bad || ', ' || v_sql.chk;
        END IF;
    END LOOP;
    -- A digest is two: a hash of the values (128 bits: hashtextextended of
    -- their text under two seeds, 111; md5 of it before, which took 1.2 s
    -- of the stage at 1,000,000 tickets where these take 0.6) and the hash
    -- of the record as it came under this mapping.  A record the source already has with
    -- the same text is unchanged: skipped here, before any conversion (not
    -- when its key is in the file twice: its newest line counts, 071).
    v_key := format('coalesce(CASE WHEN btrim(%1$s) <> '''' THEN %1$s END, %2$L)',
                    baton_import_read_sql('r.rec', p_spec, 'source_id', false),
                    p_spec -> 'fields' -> 'source_id' ->> 'default');
    -- (A source's first file has nothing to skip; JSON Lines were skipped
    -- by their text before they were parsed: baton_import_skip.)
    IF p_spec ->> 'format' IN ('jsonl', 'csv') THEN
        -- Each line hashed as it was read (110).
        v_dg := 'r.raw_digest';
    ELSIF v_src IS NOT NULL AND EXISTS (SELECT 1 FROM import_record i WHERE i.source = v_src) THEN
        PERFORM baton_import_same_lines(v_src, v_key, v_seed);
    END IF;
    -- OFFSET 0 keeps each layer a layer: its columns are computed once a row
    -- rather than copied into every expression that reads them (x's too:
    -- the values, v, are read twice above it; e's, as w reads each field
    -- twice).
    EXECUTE 'CREATE TEMP TABLE baton_import_s ON COMMIT DROP AS'
        ' SELECT line, v, lpad(to_hex(hashtextextended(vt, 111)), 16, ''0'')'
        ' || lpad(to_hex(hashtextextended(vt, 1111)), 16, ''0'') || raw_digest AS digest, bad, left_out'
        ' FROM (SELECT x.*, x.v::text AS vt FROM'
        ' (SELECT w.line, w.raw_digest, w.left_out,'
        ' jsonb_strip_nulls(jsonb_build_object(' || substr(v_obj, 3) || ')) AS v,'
        ' coalesce(' || v_bad || ') AS bad'
        ' FROM (SELECT e.line, e.raw_digest, e.left_out' || v_raw
        || ' FROM (SELECT r.line, r.rec, ' || v_dg || ' AS raw_digest, '
        || CASE WHEN v_left THEN 'r.line IN (SELECT l.line FROM pg_temp.baton_import_ruled_out l)' ELSE 'false' END
        || ' AS left_out' || v_ext
        || ' FROM pg_temp.baton_import_rows r'
        || ' OFFSET 0) e OFFSET 0) w,'
        ' LATERAL (SELECT 1 AS one' || v_typed || ' OFFSET 0) t OFFSET 0) x OFFSET 0) y' USING v_seed;
    INSERT INTO baton_import_reject (line, field, reason)
    SELECT line, split_part(bad, ':', 1), substr(bad, strpos(bad, ':') + 1)
    FROM baton_import_s WHERE bad IS NOT NULL AND NOT left_out;
    DELETE FROM baton_import_s WHERE bad IS NOT NULL AND (NOT left_out OR v ->> 'source_id' IS NULL);
    -- The same record twice in one file: its newest line counts, by
    -- updated_at (a line without one is older than any with one), and of
    -- lines as new, the last (071).  Most files have each record once,
    -- which a count by key says in half the time of the self-join that
    -- finds the other lines.  (A line is not compared with itself: the
    -- times are read only for the pairs of two lines.)
    IF EXISTS (SELECT 1 FROM baton_import_s GROUP BY v ->> 'source_id' HAVING count(*) > 1) THEN
        DELETE FROM baton_import_s a USING baton_import_s b
        WHERE a.v ->> 'source_id' = b.v ->> 'source_id' AND a.line <> b.line
          AND (coalesce((a.v ->> 'updated_at')::timestamptz, '-infinity'), a.line)
            < (coalesce((b.v ->> 'updated_at')::timestamptz, '-infinity'), b.line);
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
    -- and the join read them all, 36 ms at a million.)
    IF EXISTS (SELECT 1 FROM baton_import_s)
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
    WITH d AS (DELETE FROM baton_import_s s USING import_record i
               WHERE i.source = v_src AND i.source_id = s.v ->> 'source_id'
                 AND (left(i.digest, 32) = left(s.digest, 32) OR left(i.digest, 32) = md5(s.v::text))
               RETURNING s.v ->> 'source_id' AS sid, s.digest)
    UPDATE import_record i SET digest = d.digest FROM d
    WHERE i.source = v_src AND i.source_id = d.sid AND i.digest <> d.digest;
    ANALYZE baton_import_s;
END $$;

CREATE OR REPLACE FUNCTION baton_import_link(p_src text, p_entity text, p_spec jsonb, p_shared text[])
RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp SET work_mem = '64MB' AS $$
DECLARE
    v_csrc text := p_spec ->> 'customer_source';
    v_ksrc text := p_spec ->> 'contact_source';
    -- The entities whose rows keep a contact (a ticket's requester, a
    -- survey answer's respondent).
    v_keeps boolean := p_entity IN ('tickets', 'surveys');
    -- Whether any record may have an e-mail address to be found by: only
    -- when the mapping has one.
    v_emails boolean := (p_spec -> 'fields') ? 'email';
    -- Notes get theirs as they are written (baton_import_notes).
    v_seq text := CASE p_entity WHEN 'contacts' THEN pg_get_serial_sequence('contact', 'id')
        WHEN 'tickets' THEN pg_get_serial_sequence('ticket', 'id')
        WHEN 'milestones' THEN pg_get_serial_sequence('milestone', 'id')
        WHEN 'marketing' THEN pg_get_serial_sequence('marketing_event', 'id')
        WHEN 'surveys' THEN pg_get_serial_sequence('survey_response', 'id') END;
BEGIN
    -- wanting: a contact reference that names no record yet, of a record
    -- that keeps a contact and found its customer otherwise ("field:what").
    -- Each such record (none, mostly) says so in baton.import_wanting as it
    -- is linked, so the notes below are looked for only then: a pass over
    -- a million linked records for none took 1.4 s.
    PERFORM set_config('baton.import_wanting', '', true);
    CREATE TEMP TABLE baton_import_c ON COMMIT DROP AS
    SELECT y.line, y.v, CASE WHEN y.wanting IS NOT NULL THEN '?' || y.digest ELSE y.digest END AS digest,
        y.sid, y.cid, y.parent, y.contact_id,
        CASE WHEN y.state = 'new' AND y.bad IS NULL AND v_seq IS NOT NULL THEN nextval(v_seq)
             ELSE y.target END AS target,
        y.state, y.bad,
        CASE WHEN y.wanting IS NOT NULL AND y.bad IS NULL
                  AND set_config('baton.import_wanting', 'yes', true) = 'yes' THEN y.wanting END AS wanting
    FROM (SELECT x.line, x.v, x.digest, x.sid, x.cid, x.parent, x.target, x.state,
            coalesce(x.contact_id,
                     -- The contact by e-mail: the one contact of the
                     -- customer with the address.
                     CASE WHEN v_keeps AND x.cid IS NOT NULL AND x.v ? 'email' AND NOT x.v ? 'contact' THEN
                         (SELECT CASE WHEN count(*) = 1 THEN min(t.id) END FROM contact t
                          WHERE lower(t.email) = lower(btrim(x.v ->> 'email')) AND t.customer_id = x.cid)
                     END) AS contact_id,
            CASE WHEN x.cid IS NOT NULL THEN
                     CASE WHEN x.state <> 'unchanged' THEN baton_import_problem(p_entity, x.v) END
                 WHEN x.v ? 'customer' AND x.v ->> 'customer' ~ ';' THEN
                     format('customer:customer reference "%s" lists several ids (no %s record has that id):'
                            ' a record has one customer, so map a field that holds one',
                            x.v ->> 'customer', v_csrc)
                 WHEN x.v ? 'customer' THEN format('customer:unknown customer reference "%s" (no %s record)',
                                                   x.v ->> 'customer', v_csrc)
                 WHEN x.v ? 'contact' THEN format('contact:unknown contact reference "%s" (no %s record)',
                                                  x.v ->> 'contact', v_ksrc)
                 WHEN cardinality(x.others) > 1 THEN
                     format('email:no contact has the address "%s", and its domain %s is a domain of more than one customer (%s)',
                            x.v ->> 'email', baton_norm_domain(x.v ->> 'email'),
                            (SELECT string_agg('#' || i, ', ' ORDER BY i) FROM unnest(x.others) i))
                 WHEN x.v ? 'email' THEN format('email:no contact has the address "%s" and no customer its domain',
                                                x.v ->> 'email')
                 ELSE 'customer:missing customer reference' END AS bad,
            CASE WHEN v_keeps AND x.cid IS NOT NULL AND x.v ? 'contact' AND x.contact_id IS NULL THEN
                format('contact:imported without its contact: no %s record "%s" yet'
                       ' (an import of this record after that one links it)',
                       v_ksrc, x.v ->> 'contact') END AS wanting
        FROM (SELECT s.line, s.v, s.digest, s.v ->> 'source_id' AS sid,
                CASE WHEN s.v ? 'customer' THEN cr.customer_id
                     WHEN s.v ? 'contact' THEN kr.customer_id
                     ELSE coalesce(ke.customer_id, kd.id, CASE WHEN cardinality(ko.ids) = 1 THEN ko.ids[1] END)
                END AS cid,
                ko.ids AS others,
                CASE WHEN cr.customer_id IS NOT NULL THEN v_csrc || ':' || (s.v ->> 'customer') END AS parent,
                kr.target_id AS contact_id, r.target_id AS target,
                CASE WHEN r.source_id IS NULL THEN 'new'
                     WHEN r.digest = s.digest
                       OR (s.v ->> 'updated_at')::timestamptz < r.source_updated_at THEN 'unchanged'
                     -- Imported without its contact, which is still not there.
                     WHEN r.digest LIKE '?%' AND kr.target_id IS NULL
                          AND (r.digest = '?' || s.digest
                               -- Written before 111: the md5 of the values' text.
                               OR r.digest = '?' || md5(s.v::text) || substr(s.digest, 33)) THEN 'unchanged'
                     ELSE 'updated' END AS state
            FROM baton_import_s s
            LEFT JOIN import_record cr ON cr.source = v_csrc AND cr.source_id = s.v ->> 'customer'
            LEFT JOIN import_record kr ON kr.source = v_ksrc AND kr.source_id = s.v ->> 'contact'
            -- The e-mail and its domain: only for a record without a
            -- reference.
            LEFT JOIN LATERAL (SELECT t.customer_id FROM contact t
                               WHERE NOT s.v ? 'customer' AND NOT s.v ? 'contact'
                                 AND lower(t.email) = lower(btrim(s.v ->> 'email')) AND t.email IS NOT NULL
                               ORDER BY t.id LIMIT 1) ke ON v_emails AND s.v ? 'email'
            LEFT JOIN LATERAL (SELECT coalesce(c.merged_into, c.id) AS id FROM customer c
                               WHERE NOT s.v ? 'customer' AND NOT s.v ? 'contact'
                                 AND ke.customer_id IS NULL
                                 AND lower(c.domain) = baton_norm_domain(s.v ->> 'email')
                                 AND NOT baton_norm_domain(s.v ->> 'email') = ANY (coalesce(p_shared, '{}'))
                                 AND NOT EXISTS (SELECT 1 FROM baton_shared_domain d
                                                 WHERE d.domain = baton_norm_domain(s.v ->> 'email'))
                               OFFSET 0) kd
                ON v_emails AND s.v ? 'email'
            -- Only for what would be rejected otherwise: a record found
            -- another way never reads the other domains, nor one at a
            -- shared domain (an end user at gmail.com: 30 us a lookup).
            -- (In that order: the planner put the shared domains' lookup,
            -- a cheap parameter to it, before the tests of references, and
            -- ran it for every contact of a contacts file: 0.73 s at
            -- 300,000.)
            LEFT JOIN LATERAL (SELECT baton_domain_customers(baton_norm_domain(s.v ->> 'email')) AS ids
                               WHERE CASE WHEN NOT s.v ? 'customer' AND NOT s.v ? 'contact'
                                               AND ke.customer_id IS NULL AND kd.id IS NULL
                                          THEN NOT baton_norm_domain(s.v ->> 'email') = ANY (coalesce(p_shared, '{}'))
                                               AND NOT EXISTS (SELECT 1 FROM baton_shared_domain d
                                                               WHERE d.domain = baton_norm_domain(s.v ->> 'email'))
                                          ELSE false END
                               OFFSET 0) ko
                ON v_emails AND s.v ? 'email'
            LEFT JOIN import_record r ON r.source = p_src AND r.source_id = s.v ->> 'source_id'
            OFFSET 0) x
        ORDER BY x.cid, x.line) y;
    -- The records imported without their contact, for the summary: not
    -- rejected (a reject's table is counted as such).  Made for every file
    -- linked, which the client reads with the rejects.
    DROP TABLE IF EXISTS pg_temp.baton_import_note;
    CREATE TEMP TABLE baton_import_note (line bigint, field text, reason text) ON COMMIT DROP;
    EXECUTE format('GRANT SELECT ON pg_temp.baton_import_note TO %I', session_user);
    IF current_setting('baton.import_wanting', true) = 'yes' THEN
        INSERT INTO baton_import_note (line, field, reason)
        SELECT line, split_part(wanting, ':', 1), substr(wanting, strpos(wanting, ':') + 1)
        FROM baton_import_c WHERE wanting IS NOT NULL;
    END IF;
END $$;
