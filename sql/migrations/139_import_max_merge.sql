-- Baton schema, version 139: a file merges no group of more companies
-- than import_max_merge (#12, a review's HIGH finding).
--
-- Records sharing an identifier are one customer, and so are their
-- chains: connected components.  A mapping's mistake (an organization's
-- external_id naming the next HubSpot company, as an export with shifted
-- columns has it; a holding's overlapping domains) made one customer of
-- any number of companies, 1,600 in the review, each identifier under
-- import_max_join, which counts one identifier's holders and so never
-- saw it.  Undoing it takes a `baton split` per merge.
--
-- Now a component that would make one customer of more companies of one
-- source than the setting import_max_merge (10) merges nothing: each of
-- its records stays with its customer, a new one makes its own, and the
-- run reports it (import_run.unmerged, baton_import_apply's column of
-- that name), like an identifier over import_max_join.  Companies are
-- counted as a source has them: the records of the source that has most
-- in the group (Acme in the helpdesk, the CRM and billing is one company;
-- forty HubSpot companies are forty), the records a customer already
-- holds included (a customer a chain made before counts as all it holds,
-- so the chain does not grow by one record a file); a customer without
-- records (made by hand) counts as one.  Only groups that merge anything
-- are counted.

-- The setting, as 010 added its own: 006's check knows its keys.
DO $$
DECLARE
    v_def text;
BEGIN
    SELECT pg_get_constraintdef(c.oid) INTO v_def FROM pg_constraint c
    WHERE c.conrelid = 'baton_setting'::regclass AND c.conname = 'baton_setting_value';
    IF v_def IS NOT NULL AND v_def LIKE 'CHECK %' THEN
        ALTER TABLE baton_setting DROP CONSTRAINT baton_setting_value;
        EXECUTE 'ALTER TABLE baton_setting ADD CONSTRAINT baton_setting_value CHECK ('
             || 'key = ''import_max_merge'' OR ' || substr(v_def, 7) || ')';
    END IF;
END $$;
ALTER TABLE baton_setting ADD CONSTRAINT baton_setting_import_merge CHECK (key <> 'import_max_merge'
    OR CASE WHEN value ~ '^[1-9][0-9]{0,5}$' THEN value::integer BETWEEN 2 AND 100000 ELSE false END);
-- A built-in default, written without an audit row (010).
ALTER TABLE baton_setting DISABLE TRIGGER baton_setting_audit_ins;
INSERT INTO baton_setting (key, value, accepts, about) VALUES
    ('import_max_merge', '10', 'a number from 2 to 100000',
     'a file whose identifiers would make one customer of more companies of one source than this (a chain of records, each naming the next) merges none of them: baton import reports it instead');
ALTER TABLE baton_setting ENABLE TRIGGER baton_setting_audit_ins;

ALTER TABLE import_run ADD COLUMN unmerged text;

-- The records a group over the limit kept apart, and how many companies
-- it had, to be taken again when an administrator raises the limit to
-- that or more: the next import of a file holding them counts them once
-- as updated (as 102 had records taken again) and merges them if the
-- group is under the limit now.  Unchanged records are not resolved
-- again, so without this the same file imported after the raise would
-- merge nothing.  A record written again in no such group leaves it.
CREATE TABLE import_unmerged (
    source      text NOT NULL,
    source_id   text NOT NULL,
    companies   bigint NOT NULL,
    PRIMARY KEY (source, source_id)
);
REVOKE ALL ON import_unmerged FROM PUBLIC;

-- The raise waits for a running import (its lock, 042): one that counted
-- its groups under the old limit writes the records it kept apart when
-- it commits, which a raise before that would not see.
CREATE FUNCTION baton_import_merge_raised() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_to integer := (SELECT n.value::integer FROM new_rows n JOIN old_rows o ON o.key = n.key
                     WHERE n.key = 'import_max_merge' AND n.value::integer > o.value::integer);
BEGIN
    IF v_to IS NOT NULL THEN
        PERFORM baton_import_lock();
        UPDATE import_record r SET digest = 'v139:' || r.digest FROM import_unmerged w
        WHERE r.source = w.source AND r.source_id = w.source_id AND w.companies <= v_to
          AND r.digest NOT LIKE 'v139:%';
        DELETE FROM import_unmerged w WHERE w.companies <= v_to;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER baton_setting_import_merge AFTER UPDATE ON baton_setting
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION baton_import_merge_raised();

-- The first p_first of p_items joined by p_sep, then p_more said of how
-- many more there are ('a, b, c and 7 more'); NULL for none.
CREATE FUNCTION baton_import_some(p_items text[], p_first integer, p_sep text, p_more text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT array_to_string(p_items[1:p_first], p_sep)
        || CASE WHEN cardinality(p_items) > p_first THEN format(p_more, cardinality(p_items) - p_first) ELSE '' END
$$;

-- After the components are made (baton_import_resolve_graph), those over
-- the limit are taken apart again: each node goes back to its customer
-- (c:ID), a record new in this file stands alone, and the edges between
-- them are no evidence of anything (as the components holding two
-- customers kept apart, 060).  baton_import_unmerged says which, for the
-- run's summary.
CREATE FUNCTION baton_import_cap() RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    v_cap integer := baton_setting_value('import_max_merge')::integer;
    v_src text := (SELECT c.source FROM pg_temp.baton_import_ctx c);
BEGIN
    CREATE TEMP TABLE baton_import_unmerged (comp text, n bigint, said text) ON COMMIT DROP;
    -- The components that merge something: two customers, or a record new
    -- here with a customer or another new record.  (Mostly none or few: a
    -- file's records are mostly each alone, or with their own customer.)
    CREATE TEMP TABLE baton_import_member ON COMMIT DROP AS
    WITH x AS MATERIALIZED (
        SELECT l.l AS comp, l.n, coalesce(n.cid, CASE WHEN l.n LIKE 'c:%' THEN substr(l.n, 3)::bigint END) AS cid
        FROM baton_import_lab l LEFT JOIN baton_import_node n ON n.node = l.n
        WHERE l.l IN (SELECT y.l FROM baton_import_lab y GROUP BY y.l HAVING count(*) > 1))
    SELECT x.* FROM x WHERE x.comp IN (
        SELECT x.comp FROM x GROUP BY x.comp
        HAVING count(DISTINCT x.cid) + count(*) FILTER (WHERE x.cid IS NULL) > 1);
    ANALYZE baton_import_member;
    -- Each one's companies of each source: its customers' records (one of
    -- no source for a customer without any) and this file's new ones.
    CREATE TEMP TABLE baton_import_size ON COMMIT DROP AS
    SELECT s.comp, s.source, count(*) AS n FROM (
        SELECT c.comp, coalesce(r.source, '') AS source, coalesce(r.source_id, c.cid::text) AS sid
        FROM (SELECT DISTINCT m.comp, m.cid FROM baton_import_member m WHERE m.cid IS NOT NULL) c
        LEFT JOIN import_record r ON r.customer_id = c.cid AND r.entity = 'customers'
        UNION
        SELECT m.comp, v_src, substr(m.n, 3) FROM baton_import_member m WHERE m.cid IS NULL AND m.n LIKE 'r:%') s
    GROUP BY s.comp, s.source;
    INSERT INTO baton_import_unmerged
    SELECT DISTINCT ON (s.comp) s.comp, s.n,
        format('%s companies of %s', s.n, coalesce(nullif(s.source, ''), 'no source (made by hand)'))
    FROM baton_import_size s
    WHERE s.comp IN (SELECT z.comp FROM baton_import_size z GROUP BY z.comp HAVING max(z.n) > v_cap)
    ORDER BY s.comp, s.n DESC, s.source;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    ANALYZE baton_import_unmerged;
    -- Named by this file's records in it, then by its customers, the
    -- first few of each.
    UPDATE baton_import_unmerged u SET said = u.said || ': ' || concat_ws(', ',
        (SELECT 'records ' || baton_import_some(array_agg(substr(m.n, 3) ORDER BY length(m.n), m.n), 3, ', ',
                                                ' and %s more') || ' of this file'
         FROM baton_import_member m WHERE m.comp = u.comp AND m.n LIKE 'r:%'),
        (SELECT 'customers ' || baton_import_some(array_agg('#' || d.cid ORDER BY d.cid), 3, ', ', ' and %s more')
         FROM (SELECT DISTINCT m.cid FROM baton_import_member m WHERE m.comp = u.comp AND m.cid IS NOT NULL) d));
    -- What joined them, before those edges go: the contacts of a contacts
    -- file kept apart are those at these identifiers, not every contact
    -- of the group's customers.
    CREATE TEMP TABLE baton_import_unmerged_by ON COMMIT DROP AS
    SELECT DISTINCT m.comp, x.kind, x.value FROM baton_import_edge x
    JOIN baton_import_member m ON m.n = x.a JOIN baton_import_unmerged u ON u.comp = m.comp
    WHERE x.kind IN ('email', 'domain');
    -- Each node back to its customer, a new record alone.
    UPDATE baton_import_lab l SET l = CASE WHEN m.cid IS NULL THEN l.n ELSE 'c:' || m.cid END
    FROM baton_import_member m JOIN baton_import_unmerged u ON u.comp = m.comp
    WHERE m.n = l.n;
    DELETE FROM baton_import_edge x USING baton_import_lab la, baton_import_lab lb
    WHERE la.n = x.a AND lb.n = x.b AND la.l <> lb.l;
    DELETE FROM baton_import_comp k USING baton_import_unmerged u WHERE k.comp = u.comp;
    INSERT INTO baton_import_comp
    SELECT l.l, min(m.cid) FROM baton_import_member m JOIN baton_import_unmerged u ON u.comp = m.comp
    JOIN baton_import_lab l ON l.n = m.n GROUP BY l.l;
    ANALYZE baton_import_lab;
    ANALYZE baton_import_edge;
    ANALYZE baton_import_comp;
END $$;
REVOKE ALL ON FUNCTION baton_import_cap() FROM PUBLIC;

-- 045's entry, which now caps what the graph made.
CREATE OR REPLACE FUNCTION baton_import_resolve(p_shared text[]) RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_temp.baton_import_claim) OR EXISTS (SELECT 1 FROM pg_temp.baton_import_node) THEN
        PERFORM baton_import_resolve_graph(p_shared);
        PERFORM baton_import_cap();
        RETURN;
    END IF;
    CREATE TEMP TABLE baton_import_found (kind text, value text, cid bigint) ON COMMIT DROP;
    CREATE TEMP TABLE baton_import_unused (kind text, value text, n bigint) ON COMMIT DROP;
    CREATE TEMP TABLE baton_import_edge (a text, b text, kind text, value text) ON COMMIT DROP;
    CREATE TEMP TABLE baton_import_lab (n text PRIMARY KEY, l text) ON COMMIT DROP;
    CREATE TEMP TABLE baton_import_e2 (a text, b text) ON COMMIT DROP;
    CREATE TEMP TABLE baton_import_comp (comp text, survivor bigint) ON COMMIT DROP;
END $$;

-- After a file's records are written: the records of the groups over the
-- limit, to be taken again when it is raised (import_unmerged), and what
-- the run's summary says of the groups, the largest first (NULL for none).
-- The file's records were written with this run: those in no such group
-- now no longer wait.  A customers file keeps apart its records in the
-- groups; a contacts file its contacts at an identifier that joined one
-- (not every contact of the group's customers).  Joined, not looked up a
-- record at a time: 40,000 of them took 78 s so.
CREATE FUNCTION baton_import_kept_apart(p_run uuid, p_source text, p_entity text) RETURNS text
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    IF to_regclass('pg_temp.baton_import_unmerged') IS NULL THEN
        RETURN NULL;
    END IF;
    DELETE FROM import_unmerged w WHERE w.source = p_source
      AND EXISTS (SELECT 1 FROM import_record r
                  WHERE r.source = w.source AND r.source_id = w.source_id AND r.run_id = p_run);
    IF NOT EXISTS (SELECT 1 FROM baton_import_unmerged) THEN
        RETURN NULL;
    END IF;
    IF p_entity = 'customers' THEN
        INSERT INTO import_unmerged (source, source_id, companies)
        SELECT p_source, substr(m.n, 3), max(u.n)
        FROM baton_import_member m JOIN baton_import_unmerged u ON u.comp = m.comp
        WHERE m.n LIKE 'r:%' GROUP BY 2
        ON CONFLICT (source, source_id) DO UPDATE SET companies = EXCLUDED.companies;
    ELSE
        -- A contact's identifiers, as 134's merges read them.
        INSERT INTO import_unmerged (source, source_id, companies)
        SELECT p_source, c.sid, max(u.n) FROM baton_import_c c
        CROSS JOIN LATERAL (VALUES ('email', lower(c.v ->> 'email')),
                                   ('domain', baton_norm_domain(c.v ->> 'email'))) x (kind, value)
        JOIN baton_import_member m ON m.cid = c.cid JOIN baton_import_unmerged u ON u.comp = m.comp
        JOIN baton_import_unmerged_by k ON k.comp = m.comp AND k.kind = x.kind AND k.value = x.value
        GROUP BY c.sid
        ON CONFLICT (source, source_id) DO UPDATE SET companies = EXCLUDED.companies;
    END IF;
    -- The ten largest groups, and how many more (300 chains made one
    -- line of 27 kB).
    RETURN (SELECT baton_import_some(array_agg(u.said ORDER BY u.n DESC, u.comp), 10, '; ', '; and %s more groups')
            FROM baton_import_unmerged u);
END $$;
REVOKE ALL ON FUNCTION baton_import_kept_apart(uuid, text, text) FROM PUBLIC;

-- The run's summary says the groups not merged: 117's function with one
-- more column, unmerged (a new result type: dropped and made again, with
-- 093's grants and 126's planner setting).
DROP FUNCTION baton_import_apply(uuid, jsonb, text[], integer);
CREATE FUNCTION baton_import_apply(p_run uuid, p_spec jsonb, p_shared text[],
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

REVOKE ALL ON FUNCTION baton_import_apply(uuid, jsonb, text[], integer) FROM PUBLIC;
-- Staff may call it, to be refused in words (010).
GRANT EXECUTE ON FUNCTION baton_import_apply(uuid, jsonb, text[], integer)
    TO baton_importer, baton_staff, baton_admin;

-- What this migration made belongs to whoever owns the rest (a superuser
-- may run baton migrate on a schema another role owns, as 120 allows):
-- baton_import_apply reads the temporary tables baton_import_begin made,
-- and refuses those its owner did not make (081); it writes
-- import_unmerged beside import_record.
DO $$
DECLARE
    v_fn text := (SELECT pg_get_userbyid(p.proowner) FROM pg_proc p
                  WHERE p.oid = 'public.baton_import_begin(uuid, text, text, text, integer)'::regprocedure);
    v_tab text := (SELECT pg_get_userbyid(c.relowner) FROM pg_class c WHERE c.oid = 'public.import_record'::regclass);
BEGIN
    EXECUTE format('ALTER FUNCTION baton_import_apply(uuid, jsonb, text[], integer) OWNER TO %I', v_fn);
    EXECUTE format('ALTER FUNCTION baton_import_cap() OWNER TO %I', v_fn);
    EXECUTE format('ALTER FUNCTION baton_import_kept_apart(uuid, text, text) OWNER TO %I', v_fn);
    EXECUTE format('ALTER FUNCTION baton_import_some(text[], integer, text, text) OWNER TO %I', v_fn);
    EXECUTE format('ALTER FUNCTION baton_import_merge_raised() OWNER TO %I', v_tab);
    EXECUTE format('ALTER TABLE import_unmerged OWNER TO %I', v_tab);
END $$;
