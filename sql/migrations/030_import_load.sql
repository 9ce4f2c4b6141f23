-- Baton schema, version 30: a first import writes its rows with less work
-- per row, and an unchanged JSON line is set aside before it is parsed.
--
-- Measured on 100,000 imported tickets (EXPLAIN ANALYZE through
-- auto_explain, scale 10000 of tests/bench/import.sh), the first import's
-- time went to: converting the values (4.4 s), the INSERT into ticket (4.4 s:
-- its audit 1.7, three foreign key checks a row 2.3), the INSERT into
-- import_record (2.9 s: two foreign key checks a row, 2.2), and two UPDATEs
-- of the staged rows (problem, then new ids: 1.0 s).  Here:
--
-- 1. import_record's two foreign keys (customer, run) are checked once a
--    statement instead of once a row: a foreign key runs a query and locks
--    the row it finds for each row written, 6-10 us each (1.3-2.2 s of
--    100,000 records; the statement's check takes 0.18 s).  The statement
--    triggers below lock each customer and run a statement refers to once,
--    FOR KEY SHARE as the foreign key did (a concurrent delete waits, or
--    is seen), and refuse the statement when one is missing; an UPDATE
--    checks only the references it changed.  Deleting (or renumbering, or
--    truncating) a customer or run that import records name is refused,
--    or cascades on TRUNCATE ... CASCADE, as before; a delete or renumber
--    is refused outright under REPEATABLE READ or SERIALIZABLE, whose
--    snapshot would miss an import committed meanwhile (a foreign key
--    checks against what is committed by then).  Only
--    the import's functions write import_record (010 grants no writes).
--    The errors keep the foreign key's SQLSTATE (23503).
-- 2. The staged rows' problems and new ids are computed in the statement
--    that links them (baton_import_link), not by two UPDATEs rewriting
--    every row.  The rows rejected and the ids given are the same.
-- 3. An ISO 8601 time that is plainly valid (day 01-28, hours and minutes
--    in range: one regular expression says so) is converted at once; the
--    checks of 015 run only for the others: 100,000 values in 0.75 s
--    instead of 1.1 s.
-- 4. Staging builds each record's values without the 'line' placeholder
--    015 added and removed (two fewer passes over each record's JSON); the
--    values, and so their digests, are the same.
-- 5. The audit trigger reads a one-column key as that column (every
--    audited table's key but customer_external_id's and ack_sla_team's),
--    rather than through an array per row.  The audit rows are the same.
-- 6. An unchanged re-import of JSON Lines sets each line the source has
--    with the same text aside before it is parsed (baton_import_skip):
--    100,000 unchanged tickets in 1.0 s of apply instead of 1.8.

-- 1. import_record's references, a statement at a time ------------------------------
ALTER TABLE import_record DROP CONSTRAINT import_record_customer_id_fkey,
    DROP CONSTRAINT import_record_run_id_fkey;

CREATE FUNCTION baton_import_record_refs() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_cust bigint[];
    v_runs uuid[];
    v_bad text;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        -- Only the references an UPDATE changed, as a foreign key checks
        -- (a renewed digest keeps them: no lock on its customer).
        SELECT array_agg(DISTINCT n.customer_id) FILTER (WHERE o.customer_id IS DISTINCT FROM n.customer_id),
               array_agg(DISTINCT n.run_id) FILTER (WHERE o.run_id IS DISTINCT FROM n.run_id)
        INTO v_cust, v_runs
        FROM new_rows n LEFT JOIN old_rows o ON o.source = n.source AND o.source_id = n.source_id;
    ELSE
        SELECT array_agg(DISTINCT n.customer_id), array_agg(DISTINCT n.run_id) INTO v_cust, v_runs
        FROM new_rows n;
    END IF;
    -- Locked as a foreign key locks them, once each.
    PERFORM 1 FROM customer c WHERE c.id = ANY (v_cust) FOR KEY SHARE OF c;
    PERFORM 1 FROM import_run r WHERE r.id = ANY (v_runs) FOR KEY SHARE OF r;
    SELECT x::text INTO v_bad FROM unnest(v_cust) x
    WHERE NOT EXISTS (SELECT 1 FROM customer c WHERE c.id = x) LIMIT 1;
    IF v_bad IS NOT NULL THEN
        RAISE EXCEPTION 'insert or update on table "import_record" violates its reference to customer'
            USING ERRCODE = 'foreign_key_violation',
                  DETAIL = format('Key (customer_id)=(%s) is not present in table "customer".', v_bad);
    END IF;
    SELECT x::text INTO v_bad FROM unnest(v_runs) x
    WHERE NOT EXISTS (SELECT 1 FROM import_run r WHERE r.id = x) LIMIT 1;
    IF v_bad IS NOT NULL THEN
        RAISE EXCEPTION 'insert or update on table "import_record" violates its reference to import_run'
            USING ERRCODE = 'foreign_key_violation',
                  DETAIL = format('Key (run_id)=(%s) is not present in table "import_run".', v_bad);
    END IF;
    RETURN NULL;
END $$;

-- A customer or run that import records name stays (TG_ARGV[0]: the
-- column of import_record that names it).
CREATE FUNCTION baton_import_record_referenced() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_id text;
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        -- Only TRUNCATE ... CASCADE gets here (other tables refer to both).
        TRUNCATE import_record;
        RETURN NULL;
    END IF;
    -- A foreign key checks a delete against what is committed by then;
    -- these triggers read the transaction's snapshot, which under
    -- REPEATABLE READ or SERIALIZABLE misses an import committed since.
    IF current_setting('transaction_isolation') <> 'read committed'
       AND EXISTS (SELECT 1 FROM old_rows) THEN
        RAISE EXCEPTION 'delete customers and import runs in a READ COMMITTED transaction'
            USING ERRCODE = 'serialization_failure',
                  HINT = 'Under REPEATABLE READ or SERIALIZABLE an import committed meanwhile would not be seen.';
    END IF;
    IF TG_ARGV[0] = 'customer_id' THEN
        SELECT o.id::text INTO v_id FROM old_rows o
        WHERE EXISTS (SELECT 1 FROM import_record r WHERE r.customer_id = o.id)
        LIMIT 1;
    ELSE
        SELECT o.id::text INTO v_id FROM old_rows o
        WHERE EXISTS (SELECT 1 FROM import_record r WHERE r.run_id = o.id)
        LIMIT 1;
    END IF;
    IF v_id IS NOT NULL THEN
        RAISE EXCEPTION 'update or delete on table "%" violates the reference from table "import_record"',
            TG_TABLE_NAME USING ERRCODE = 'foreign_key_violation',
            DETAIL = format('Key (id)=(%s) is still referenced from table "import_record".', v_id);
    END IF;
    RETURN NULL;
END $$;

-- An UPDATE of a customer's or run's id (nothing does it) is checked a
-- row at a time; other UPDATEs of those tables skip it (the WHEN).
CREATE FUNCTION baton_import_record_renumbered() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_hit boolean;
BEGIN
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'renumber customers and import runs in a READ COMMITTED transaction'
            USING ERRCODE = 'serialization_failure',
                  HINT = 'Under REPEATABLE READ or SERIALIZABLE an import committed meanwhile would not be seen.';
    END IF;
    IF TG_ARGV[0] = 'customer_id' THEN
        v_hit := EXISTS (SELECT 1 FROM import_record r WHERE r.customer_id = OLD.id);
    ELSE
        v_hit := EXISTS (SELECT 1 FROM import_record r WHERE r.run_id = OLD.id);
    END IF;
    IF v_hit THEN
        RAISE EXCEPTION 'update or delete on table "%" violates the reference from table "import_record"',
            TG_TABLE_NAME USING ERRCODE = 'foreign_key_violation',
            DETAIL = format('Key (id)=(%s) is still referenced from table "import_record".', OLD.id);
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER import_record_refs_ins AFTER INSERT ON import_record
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION baton_import_record_refs();
CREATE TRIGGER import_record_refs_upd AFTER UPDATE ON import_record
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION baton_import_record_refs();
CREATE TRIGGER customer_import_record_del AFTER DELETE ON customer
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
    EXECUTE FUNCTION baton_import_record_referenced('customer_id');
CREATE TRIGGER customer_import_record_id BEFORE UPDATE OF id ON customer
    FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id)
    EXECUTE FUNCTION baton_import_record_renumbered('customer_id');
CREATE TRIGGER customer_import_record_truncate AFTER TRUNCATE ON customer
    FOR EACH STATEMENT EXECUTE FUNCTION baton_import_record_referenced('customer_id');
CREATE TRIGGER import_run_import_record_del AFTER DELETE ON import_run
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
    EXECUTE FUNCTION baton_import_record_referenced('run_id');
CREATE TRIGGER import_run_import_record_id BEFORE UPDATE OF id ON import_run
    FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id)
    EXECUTE FUNCTION baton_import_record_renumbered('run_id');
CREATE TRIGGER import_run_import_record_truncate AFTER TRUNCATE ON import_run
    FOR EACH STATEMENT EXECUTE FUNCTION baton_import_record_referenced('run_id');
REVOKE ALL ON FUNCTION baton_import_record_refs(), baton_import_record_referenced(),
    baton_import_record_renumbered() FROM PUBLIC;

-- 2. Problems and new ids as the rows are linked -------------------------------------
-- 010's baton_import_link, and its caller's two UPDATEs folded into it: a
-- row's "field:reason" (its reference missing, else the entity's problem
-- when it is not unchanged) and, for a row that will be inserted, its id.
CREATE OR REPLACE FUNCTION baton_import_link(p_src text, p_entity text, p_spec jsonb, p_shared text[])
RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    v_csrc text := p_spec ->> 'customer_source';
    v_ksrc text := p_spec ->> 'contact_source';
    -- Notes get theirs as they are written (baton_import_notes).
    v_seq text := CASE p_entity WHEN 'contacts' THEN pg_get_serial_sequence('contact', 'id')
        WHEN 'tickets' THEN pg_get_serial_sequence('ticket', 'id')
        WHEN 'milestones' THEN pg_get_serial_sequence('milestone', 'id')
        WHEN 'marketing' THEN pg_get_serial_sequence('marketing_event', 'id')
        WHEN 'surveys' THEN pg_get_serial_sequence('survey_response', 'id') END;
BEGIN
    CREATE TEMP TABLE baton_import_c ON COMMIT DROP AS
    SELECT y.line, y.v, y.digest, y.sid, y.cid, y.parent, y.contact_id,
        CASE WHEN y.state = 'new' AND y.bad IS NULL AND v_seq IS NOT NULL THEN nextval(v_seq)
             ELSE y.target END AS target,
        y.state, y.bad
    FROM (SELECT x.line, x.v, x.digest, x.sid, x.cid, x.parent, x.contact_id, x.target, x.state,
            CASE WHEN x.cid IS NOT NULL THEN
                     CASE WHEN x.state <> 'unchanged' THEN baton_import_problem(p_entity, x.v) END
                 WHEN x.v ? 'customer' THEN format('customer:unknown customer reference "%s" (no %s record)',
                                                   x.v ->> 'customer', v_csrc)
                 WHEN x.v ? 'contact' THEN format('contact:unknown contact reference "%s" (no %s record)',
                                                  x.v ->> 'contact', v_ksrc)
                 WHEN x.v ? 'email' THEN format('email:no contact has the address "%s" and no customer its domain',
                                                x.v ->> 'email')
                 ELSE 'customer:missing customer reference' END AS bad
        FROM (SELECT s.line, s.v, s.digest, s.v ->> 'source_id' AS sid,
                coalesce(cr.customer_id, kr.customer_id, ke.customer_id, kd.id) AS cid,
                CASE WHEN cr.customer_id IS NOT NULL THEN v_csrc || ':' || (s.v ->> 'customer') END AS parent,
                kr.target_id AS contact_id, r.target_id AS target,
                CASE WHEN r.source_id IS NULL THEN 'new'
                     WHEN r.digest = s.digest
                       OR (s.v ->> 'updated_at')::timestamptz < r.source_updated_at THEN 'unchanged'
                     ELSE 'updated' END AS state
            FROM baton_import_s s
            LEFT JOIN import_record cr ON cr.source = v_csrc AND cr.source_id = s.v ->> 'customer'
            LEFT JOIN import_record kr ON kr.source = v_ksrc AND kr.source_id = s.v ->> 'contact'
            LEFT JOIN LATERAL (SELECT t.customer_id FROM contact t
                               WHERE lower(t.email) = lower(s.v ->> 'email') AND t.email IS NOT NULL
                               ORDER BY t.id LIMIT 1) ke ON s.v ? 'email'
            LEFT JOIN LATERAL (SELECT c.id FROM customer c
                               WHERE lower(c.domain) = baton_norm_domain(s.v ->> 'email')
                                 AND c.merged_into IS NULL
                                 AND NOT baton_norm_domain(s.v ->> 'email') = ANY (coalesce(p_shared, '{}'))
                                 AND NOT EXISTS (SELECT 1 FROM baton_shared_domain d
                                                 WHERE d.domain = baton_norm_domain(s.v ->> 'email'))) kd
                ON s.v ? 'email'
            LEFT JOIN import_record r ON r.source = p_src AND r.source_id = s.v ->> 'source_id'
            OFFSET 0) x
        OFFSET 0) y;
END $$;

CREATE OR REPLACE FUNCTION baton_import_rows_of(p_run uuid, p_src text, p_entity text, p_spec jsonb,
                                                p_shared text[], OUT inserted integer, OUT updated integer,
                                                OUT merged integer)
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM baton_import_link(p_src, p_entity, p_spec, p_shared);
    INSERT INTO baton_import_reject (line, field, reason)
    SELECT line, split_part(bad, ':', 1), substr(bad, strpos(bad, ':') + 1)
    FROM baton_import_c WHERE bad IS NOT NULL;
    DELETE FROM baton_import_c WHERE bad IS NOT NULL OR state = 'unchanged';
    ANALYZE baton_import_c;
    CASE p_entity
    WHEN 'contacts' THEN PERFORM baton_import_contacts();
    WHEN 'tickets' THEN PERFORM baton_import_tickets();
    WHEN 'milestones' THEN PERFORM baton_import_milestones();
    WHEN 'notes' THEN PERFORM baton_import_notes();
    WHEN 'marketing' THEN PERFORM baton_import_marketing();
    WHEN 'surveys' THEN PERFORM baton_import_surveys();
    END CASE;
    INSERT INTO import_record AS r (source, source_id, entity, target_id, customer_id, digest,
                                    source_updated_at, run_id, parent)
    SELECT p_src, sid, p_entity, target, cid, digest, (v ->> 'updated_at')::timestamptz, p_run, parent
    FROM baton_import_c WHERE target IS NOT NULL
    ON CONFLICT (source, source_id) DO UPDATE SET target_id = EXCLUDED.target_id,
        customer_id = EXCLUDED.customer_id, digest = EXCLUDED.digest,
        source_updated_at = EXCLUDED.source_updated_at, run_id = EXCLUDED.run_id,
        parent = EXCLUDED.parent;
    SELECT count(*) FILTER (WHERE state = 'new'), count(*) FILTER (WHERE state = 'updated')
        INTO inserted, updated FROM baton_import_c;
    merged := 0;
    IF p_entity = 'contacts' THEN
        -- Contacts' addresses and domains are their customers' identifiers.
        CREATE TEMP TABLE baton_import_node ON COMMIT DROP AS
        SELECT DISTINCT 'c:' || cid AS node, cid FROM baton_import_c WHERE v ? 'email';
        CREATE TEMP TABLE baton_import_claim ON COMMIT DROP AS
        SELECT DISTINCT 'c:' || cid AS node, k.kind, k.value FROM baton_import_c,
            LATERAL (VALUES ('email', lower(v ->> 'email')), ('domain', baton_norm_domain(v ->> 'email'))) k(kind, value)
        WHERE v ? 'email';
        ANALYZE baton_import_node;
        ANALYZE baton_import_claim;
        PERFORM baton_import_resolve(p_shared);
        merged := baton_import_absorb_all(p_run);
    END IF;
END $$;

-- 3. A plainly valid ISO 8601 time at once ------------------------------------------
-- What the first expression accepts, 015's checks accept too (a year other
-- than 0000, a month, a day every month has, hours and minutes and seconds
-- in range), so the value is the same; anything else goes through them.
CREATE OR REPLACE FUNCTION baton_import_iso_sql(p_expr text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT format($f$CASE
        WHEN %1$s ~ '^(?!0000)[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])([T ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?)?( ?(Z|UTC|[+-][0-9]{2}(:?[0-9]{2})?))?$' THEN %1$s::timestamptz
        WHEN NOT %1$s ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?)?( ?(Z|UTC|[+-][0-9]{2}(:?[0-9]{2})?))?$' THEN NULL
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

-- 4. Staging: 019's baton_import_stage, the values' object built at once -------------
CREATE OR REPLACE FUNCTION baton_import_stage(p_spec jsonb, p_entity text) RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
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
    v_seed bigint := ('x' || left(md5(p_spec::text), 16))::bit(64)::bigint;
    v_key text;
    v_jsonl boolean := p_spec ->> 'format' = 'jsonl';
    -- The record as it came: a JSON line's text (030), else its JSON.
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
    IF v_jsonl THEN
        v_dg := 'lpad(to_hex(hashtextextended(q.raw, $1)), 16, ''0'')';
    ELSIF v_src IS NOT NULL AND EXISTS (SELECT 1 FROM import_record i WHERE i.source = v_src) THEN
        -- Each line's key and digest once (the inner layer), lines whose
        -- key is in the file once (the window), then the records the source
        -- has with that digest.
        EXECUTE format('DELETE FROM pg_temp.baton_import_rows r USING ('
            'SELECT k.line FROM (SELECT s.line, s.sid, s.dg, count(*) OVER (PARTITION BY s.sid) AS n'
            ' FROM (SELECT r.line, %s AS sid, lpad(to_hex(jsonb_hash_extended(r.rec, $2)), 16, ''0'') AS dg'
            ' FROM pg_temp.baton_import_rows r OFFSET 0) s) k'
            ' JOIN import_record i ON i.source = $1 AND i.source_id = k.sid AND substr(i.digest, 33) = k.dg'
            ' WHERE k.n = 1) d WHERE r.line = d.line', v_key) USING v_src, v_seed;
    END IF;
    -- OFFSET 0 keeps each layer a layer: its columns are computed once a row
    -- rather than copied into every expression that reads them.
    EXECUTE 'CREATE TEMP TABLE baton_import_s ON COMMIT DROP AS'
        ' SELECT line, v, md5(v::text) || raw_digest AS digest, bad FROM (SELECT w.line, w.raw_digest,'
        ' jsonb_strip_nulls(jsonb_build_object(' || substr(v_obj, 3) || ')) AS v,'
        ' coalesce(' || v_bad || ') AS bad'
        ' FROM (SELECT r.line, r.rec, ' || v_dg || ' AS raw_digest' || v_raw
        || ' FROM pg_temp.baton_import_rows r'
        || CASE WHEN v_jsonl THEN ' JOIN pg_temp.baton_import_raw q ON q.line = r.line' ELSE '' END
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

-- 5. The audit: 021's baton_audit_statement, a one-column key read as it is ----------
CREATE OR REPLACE FUNCTION baton_audit_statement() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_keys text[] := string_to_array(TG_ARGV[0], ',');
    v_one text := CASE WHEN cardinality(v_keys) = 1 THEN v_keys[1] END;
    v_cust text := CASE WHEN TG_TABLE_NAME = 'customer' THEN 'id' ELSE 'customer_id' END;
BEGIN
    IF TG_OP = 'INSERT' THEN
        -- A handoff's events concern the handoff's customer.
        INSERT INTO baton_audit (action, entity, entity_id, customer_id, change)
        SELECT 'insert', TG_TABLE_NAME,
               CASE WHEN v_one IS NOT NULL THEN coalesce(n.j ->> v_one, '')
                    ELSE array_to_string(ARRAY(SELECT n.j ->> k FROM unnest(v_keys) k), ',') END,
               coalesce((n.j ->> v_cust)::bigint,
                        (SELECT h.customer_id FROM handoff h
                         WHERE h.id = (n.j ->> 'handoff_id')::uuid)),
               n.j
        FROM (SELECT to_jsonb(x) j FROM new_rows x OFFSET 0) n;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO baton_audit (action, entity, entity_id, customer_id, change)
        SELECT 'delete', TG_TABLE_NAME,
               CASE WHEN v_one IS NOT NULL THEN coalesce(o.j ->> v_one, '')
                    ELSE array_to_string(ARRAY(SELECT o.j ->> k FROM unnest(v_keys) k), ',') END,
               (o.j ->> v_cust)::bigint, o.j
        FROM (SELECT to_jsonb(x) j FROM old_rows x OFFSET 0) o;
    ELSE
        -- Old and new rows pair up by their key (keys are not updated).
        INSERT INTO baton_audit (action, entity, entity_id, customer_id, change)
        SELECT 'update', TG_TABLE_NAME, n.key, (n.j ->> v_cust)::bigint,
               baton_audit_diff(o.j, n.j)
        FROM (SELECT y.j, CASE WHEN v_one IS NOT NULL THEN coalesce(y.j ->> v_one, '')
                          ELSE array_to_string(ARRAY(SELECT y.j ->> k FROM unnest(v_keys) k), ',') END key
              FROM (SELECT to_jsonb(x) j FROM new_rows x OFFSET 0) y) n
        JOIN (SELECT y.j, CASE WHEN v_one IS NOT NULL THEN coalesce(y.j ->> v_one, '')
                          ELSE array_to_string(ARRAY(SELECT y.j ->> k FROM unnest(v_keys) k), ',') END key
              FROM (SELECT to_jsonb(x) j FROM old_rows x OFFSET 0) y) o USING (key)
        WHERE o.j IS DISTINCT FROM n.j;
    END IF;
    RETURN NULL;
END $$;

-- 6. An unchanged JSON line skipped before it is parsed -----------------------------
-- An unchanged re-import of 100,000 tickets parsed every line into jsonb
-- (0.5 s) and then took each line's key and hash out of the JSON to find
-- the records the source has as they are (0.7 s).  A JSON line's digest
-- (its second half, the record as it came under its mapping) is now the
-- hash of its text, seeded by the mapping as 019's was: the lines the source
-- has with that text are set aside before anything is parsed, with the key
-- of the record they matched (a key whose last line is one of them is
-- unchanged, whatever its earlier lines say, as 015 decided).  Records
-- imported before keep their digests until their next file, which finds
-- them unchanged by their values and renews them (019's path); the runs
-- after it skip them early.  CSV and JSON documents are as they were.
-- (A hash's distinct values are unknown to the planner, which then sorts
-- the file and the records to merge them: 0.8 s where a hash join takes
-- a fraction of that.)
CREATE FUNCTION baton_import_skip(p_spec jsonb) RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp SET enable_mergejoin = off AS $$
DECLARE
    v_src text := (SELECT c.source FROM pg_temp.baton_import_ctx c);
    v_seed bigint := ('x' || left(md5(p_spec::text), 16))::bit(64)::bigint;
BEGIN
    DROP TABLE IF EXISTS pg_temp.baton_import_skipped;
    CREATE TEMP TABLE baton_import_skipped (line bigint, sid text) ON COMMIT DROP;
    IF p_spec ->> 'format' IS DISTINCT FROM 'jsonl'
       OR NOT EXISTS (SELECT 1 FROM import_record i WHERE i.source = v_src) THEN
        RETURN;
    END IF;
    ANALYZE pg_temp.baton_import_raw;
    WITH d AS (
        DELETE FROM pg_temp.baton_import_raw w
        USING (SELECT i.source_id, substr(i.digest, 33) AS dg FROM import_record i
               WHERE i.source = v_src) i
        WHERE lpad(to_hex(hashtextextended(w.raw, v_seed)), 16, '0') = i.dg
        RETURNING w.line, i.source_id)
    INSERT INTO baton_import_skipped (line, sid) SELECT d.line, d.source_id FROM d;
    ANALYZE pg_temp.baton_import_raw;
END $$;
REVOKE ALL ON FUNCTION baton_import_skip(jsonb) FROM PUBLIC;

CREATE OR REPLACE FUNCTION baton_import_apply(p_run uuid, p_spec jsonb, p_shared text[],
                                   p_client_rejected integer)
RETURNS TABLE (entity text, read_rows integer, inserted integer, updated integer,
               unchanged integer, rejected integer, merged integer, unused text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_run import_run%ROWTYPE;
    v_read integer;
    v_rej integer;
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
    -- (a first import fills empty tables).
    ANALYZE customer;
    ANALYZE contact;
    ANALYZE import_record;
    ANALYZE customer_external_id;
    IF v_run.entity = 'notes' AND NOT baton_me_bypasses() AND NOT baton_me_active() THEN
        RAISE EXCEPTION 'notes are written by people: role % must be an active staff member to import them',
            session_user USING ERRCODE = 'insufficient_privilege';
    END IF;
    PERFORM baton_import_skip(p_spec);
    PERFORM baton_import_records(p_spec ->> 'format', p_spec ->> 'array');
    SELECT count(*) INTO v_read FROM baton_import_rows;
    v_read := v_read + (SELECT count(*) FROM pg_temp.baton_import_skipped);
    v_read := v_read + (SELECT count(*) FROM baton_import_reject) + coalesce(p_client_rejected, 0);
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
        unchanged = greatest(v_read - x.inserted - x.updated - v_rej, 0), rejected = v_rej,
        merged = x.merged, unused = v_unused
    WHERE r.id = p_run;
    RETURN QUERY SELECT r.entity, r.read_rows, r.inserted, r.updated, r.unchanged, r.rejected,
        r.merged, r.unused FROM import_run r WHERE r.id = p_run;
END $$;
