-- Baton schema, version 10: data from the source systems (`baton import`)
-- and one profile per customer (identity resolution).
--
-- Import runs as a role granted baton_importer (not ordinary staff).  The
-- client streams a file with COPY into a temporary staging table that
-- baton_import_begin() creates for it, then baton_import_apply() parses
-- (jsonb, the COPY's CSV), checks and merges the rows with set-based SQL:
-- the client never writes a table of its own.  Both are SECURITY DEFINER and
-- validate everything (the source's mapping, every value), so psql is held
-- to the same rules as baton.  One transaction per file: a file interrupted
-- half way leaves nothing.
--
-- Source-keyed records: a mapping table, import_record (source, source_id)
-- -> the row it became, rather than source columns on every table.  Why:
-- the tables the screens read stay as they are (no reader changes, no index
-- widened on the hot tables); one source can feed an entity that another
-- source also feeds without their ids colliding; and the digest that makes
-- a repeated file change nothing lives in one place.  A customer record
-- also keeps the normalised domains it names (identity resolution reads
-- them) and its label ("Zendesk org") for "also: ..." on the screen.
--
-- Identity resolution: a customer record's identifiers are its id in its
-- system (customer_external_id, which the finder already searches), its
-- normalised domains, and its contacts' e-mail domains and addresses.
-- Records sharing an identifier are one customer: connected components
-- over the graph of records, customers and identifiers, in SQL.  Shared
-- and free-mail domains (baton_shared_domain, plus the configuration's)
-- never join; an identifier that would join more customers than the
-- setting import_max_join is not used and is reported.  The oldest
-- customer survives (its id, screens, handoffs and notes stay); another
-- customer that turns out to be the same is absorbed: its contacts,
-- tickets, milestones, campaigns, surveys and external ids move to the
-- survivor and it keeps a pointer (merged_into).  Its handoffs and notes
-- do not move (005 lets only staff write handoffs; notes are append-only):
-- they stay on the absorbed customer, whose screen says where it went.
-- Every merge is a row of customer_merge with its evidence; baton split
-- undoes one with a row of customer_split, which later imports obey.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'baton_importer') THEN
        CREATE ROLE baton_importer NOLOGIN;
    END IF;
END $$;

-- The setting ---------------------------------------------------------------------
-- 006's check names the keys it knows and refuses any other.  Later
-- migrations (of other features too) add keys: the check is widened for
-- ours, whatever it has become since, and ours get a check of their own.
DO $$
DECLARE
    v_def text;
BEGIN
    SELECT pg_get_constraintdef(c.oid) INTO v_def FROM pg_constraint c
    WHERE c.conrelid = 'baton_setting'::regclass AND c.conname = 'baton_setting_value';
    IF v_def IS NOT NULL AND v_def LIKE 'CHECK %' THEN
        ALTER TABLE baton_setting DROP CONSTRAINT baton_setting_value;
        EXECUTE 'ALTER TABLE baton_setting ADD CONSTRAINT baton_setting_value CHECK ('
             || 'key = ''import_max_join'' OR ' || substr(v_def, 7) || ')';
    END IF;
END $$;
ALTER TABLE baton_setting ADD CONSTRAINT baton_setting_import CHECK (key <> 'import_max_join'
    OR CASE WHEN value ~ '^[0-9]{1,4}$' THEN value::integer BETWEEN 2 AND 1000 ELSE false END);
-- A built-in default, like 006's: written without an audit row (an audit
-- row of baton_setting means an administrator changed it).
ALTER TABLE baton_setting DISABLE TRIGGER baton_setting_audit_ins;
INSERT INTO baton_setting (key, value, accepts, about) VALUES
    ('import_max_join', '3', 'a number from 2 to 1000',
     'an identifier (domain, e-mail address, id) shared by more customers than this is not used to merge them: baton import reports it instead');
ALTER TABLE baton_setting ENABLE TRIGGER baton_setting_audit_ins;

-- Domains that never say who a customer is: free-mail providers and the
-- like.  The configuration's import.shared_domains adds to them per run.
CREATE TABLE baton_shared_domain (
    domain  text PRIMARY KEY CHECK (domain = lower(domain) AND domain ~ '^[^[:space:]/@]+$')
);
INSERT INTO baton_shared_domain (domain) VALUES
    ('gmail.com'), ('googlemail.com'), ('yahoo.com'), ('yahoo.co.uk'), ('yahoo.fr'),
    ('ymail.com'), ('hotmail.com'), ('hotmail.co.uk'), ('hotmail.fr'), ('outlook.com'),
    ('live.com'), ('msn.com'), ('icloud.com'), ('me.com'), ('mac.com'), ('aol.com'),
    ('gmx.de'), ('gmx.net'), ('gmx.com'), ('web.de'), ('mail.com'), ('proton.me'),
    ('protonmail.com'), ('pm.me'), ('yandex.ru'), ('yandex.com'), ('mail.ru'), ('qq.com'),
    ('163.com'), ('126.com'), ('zoho.com'), ('fastmail.com'), ('hey.com'), ('tutanota.com'),
    ('t-online.de'), ('orange.fr'), ('free.fr'), ('laposte.net'), ('libero.it'),
    ('btinternet.com'), ('comcast.net'), ('verizon.net'), ('att.net'), ('seznam.cz'),
    ('wp.pl'), ('o2.pl'), ('naver.com'), ('rediffmail.com');

-- Customers absorbed by a merge point at the customer they became.
ALTER TABLE customer ADD COLUMN merged_into bigint REFERENCES customer (id);
CREATE INDEX customer_merged_into_idx ON customer (merged_into) WHERE merged_into IS NOT NULL;

-- Runs, records, merges -----------------------------------------------------------
-- One row per file imported (dry runs roll back and leave none).  The id is
-- the client's: a run retried after a lost COMMIT is recognised.
CREATE TABLE import_run (
    id           uuid PRIMARY KEY,
    source       text NOT NULL CHECK (source ~ '^[a-z0-9][a-z0-9_.-]{0,62}$'),
    entity       text NOT NULL,
    file         text NOT NULL CHECK (length(file) BETWEEN 1 AND 4096),
    imported_by  name NOT NULL DEFAULT session_user,
    started_at   timestamptz NOT NULL DEFAULT now(),
    read_rows    integer NOT NULL DEFAULT 0,
    inserted     integer NOT NULL DEFAULT 0,
    updated      integer NOT NULL DEFAULT 0,
    unchanged    integer NOT NULL DEFAULT 0,
    rejected     integer NOT NULL DEFAULT 0,
    merged       integer NOT NULL DEFAULT 0,
    unused       text    -- identifiers not followed: "domain x.example (joins 7)"
);
CREATE INDEX import_run_started_idx ON import_run (started_at);

-- What each source record became.  entity 'customers': target_id is the
-- customer; owns: the record created it (its fields follow the record).
-- Other entities: parent is the customer record it reached its customer
-- through ("source:id"), so that a split takes it along.
CREATE TABLE import_record (
    source       text NOT NULL,
    source_id    text NOT NULL CHECK (length(source_id) BETWEEN 1 AND 200),
    entity       text NOT NULL,
    target_id    bigint NOT NULL,
    customer_id  bigint NOT NULL REFERENCES customer (id),
    digest       text NOT NULL,
    source_updated_at timestamptz,
    run_id       uuid NOT NULL REFERENCES import_run (id),
    owns         boolean NOT NULL DEFAULT false,
    parent       text,
    label        text,
    name         text,
    domains      text[],
    external     text,   -- customers: its customer_external_id, "system:id"
    PRIMARY KEY (source, source_id)
);
CREATE INDEX import_record_customer_idx ON import_record (customer_id, entity);
CREATE INDEX import_record_parent_idx ON import_record (parent) WHERE parent IS NOT NULL;
CREATE INDEX import_record_domains_idx ON import_record USING gin (domains)
    WHERE entity = 'customers';

-- A merge: a record joined an existing customer (joined_source/_id), or a
-- customer was absorbed (absorbed).  evidence: the identifiers and the
-- records they joined; moved: what moved, for a split.  Append-only.
CREATE TABLE customer_merge (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    at             timestamptz NOT NULL DEFAULT now(),
    by_role        name NOT NULL DEFAULT session_user,
    run_id         uuid REFERENCES import_run (id),
    customer_id    bigint NOT NULL REFERENCES customer (id),
    absorbed       bigint REFERENCES customer (id),
    joined_source  text,
    joined_source_id text,
    identifiers    text NOT NULL,
    evidence       jsonb NOT NULL,
    moved          jsonb,
    CHECK ((absorbed IS NULL) <> (joined_source IS NULL))
);
CREATE INDEX customer_merge_customer_idx ON customer_merge (customer_id, at);

-- A merge undone.  customer_id: the survivor; apart: the customer that is
-- separate again (the absorbed one, or the one made for the record).  The
-- pair is never joined again by an import.
CREATE TABLE customer_split (
    merge_id     uuid PRIMARY KEY REFERENCES customer_merge (id),
    at           timestamptz NOT NULL DEFAULT now(),
    by_role      name NOT NULL DEFAULT session_user,
    customer_id  bigint NOT NULL REFERENCES customer (id),
    apart        bigint NOT NULL REFERENCES customer (id)
);
CREATE INDEX customer_split_pair_idx ON customer_split (customer_id, apart);
CREATE INDEX customer_split_apart_idx ON customer_split (apart, customer_id);

CREATE TRIGGER customer_merge_append_only BEFORE UPDATE OR DELETE ON customer_merge
    FOR EACH ROW EXECUTE FUNCTION baton_forbid_change();
CREATE TRIGGER customer_split_append_only BEFORE UPDATE OR DELETE ON customer_split
    FOR EACH ROW EXECUTE FUNCTION baton_forbid_change();
CREATE TRIGGER customer_merge_notify AFTER INSERT ON customer_merge
    FOR EACH ROW EXECUTE FUNCTION baton_notify_customer();
CREATE TRIGGER customer_split_notify AFTER INSERT ON customer_split
    FOR EACH ROW EXECUTE FUNCTION baton_notify_customer();

-- import_record is bookkeeping of rows that are audited themselves (a
-- million tickets should not cost two million audit rows).
SELECT baton_audit_attach(tab, keycols) FROM (VALUES
    ('import_run', 'id'), ('customer_merge', 'id'), ('customer_split', 'merge_id'),
    ('baton_shared_domain', 'domain')) AS x(tab, keycols);

-- Contacts' e-mail domains are identifiers: found by index.
CREATE FUNCTION baton_norm_domain(p text) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE STRICT AS $$
DECLARE
    d text := regexp_replace(regexp_replace(regexp_replace(regexp_replace(lower(btrim(p)),
        '^[a-z][a-z0-9+.-]*://', ''),  -- a URL's scheme
        '[/?#].*$', ''),                 -- its path, query, fragment
        '^.*@|:[0-9]*$', '', 'g'),       -- user (or an address's mailbox), port
        '^www\.|\.+$', '', 'g');         -- www., trailing dot
BEGIN
    RETURN CASE WHEN d ~ '^[^[:space:]./@:]+(\.[^[:space:]./@:]+)+$' THEN d END;
END $$;
CREATE INDEX contact_email_domain_idx ON contact (baton_norm_domain(email)) WHERE email IS NOT NULL;
CREATE INDEX contact_email_lower_idx ON contact (lower(email)) WHERE email IS NOT NULL;

-- Values of a source record ---------------------------------------------------------
-- The text at a path of a record (a CSV row is an object keyed by its
-- header); blank is missing.
CREATE FUNCTION baton_import_str(p_rec jsonb, p_path text[]) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    v text := p_rec #>> p_path;
BEGIN
    RETURN CASE WHEN btrim(v) <> '' THEN v END;
END $$;

-- An allowed value, through the map when there is one; NULL: not one.
CREATE FUNCTION baton_import_enum(p_raw text, p_map jsonb, p_allowed text[]) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
    RETURN CASE WHEN p_raw IS NULL THEN NULL
                WHEN p_map IS NOT NULL THEN p_map ->> p_raw
                WHEN lower(btrim(p_raw)) = ANY (p_allowed) THEN lower(btrim(p_raw)) END;
END $$;

-- The elements of a list value: a JSON array, or text separated by commas,
-- semicolons or spaces (a CSV cell), in order.
CREATE FUNCTION baton_import_list(p jsonb) RETURNS TABLE (e text, i bigint)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT a.e, a.i FROM jsonb_array_elements_text(CASE jsonb_typeof(p) WHEN 'array' THEN p END)
        WITH ORDINALITY a(e, i)
    UNION ALL
    SELECT b.e, b.i FROM regexp_split_to_table(
            CASE WHEN jsonb_typeof(p) IN ('string', 'number') THEN p #>> '{}' END,
            '[,;[:space:]]+') WITH ORDINALITY b(e, i)
    WHERE b.e <> ''
$$;

-- The first element of a list that is an allowed value (tags -> category).
-- One expression (with a subquery), so that the planner inlines it.
CREATE FUNCTION baton_import_first(p jsonb, p_map jsonb, p_allowed text[]) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT (SELECT baton_import_enum(a.e, p_map, p_allowed)
            FROM jsonb_array_elements_text(CASE jsonb_typeof(p) WHEN 'array' THEN p
                     WHEN 'string' THEN to_jsonb(regexp_split_to_array(p #>> '{}', '[,;[:space:]]+')) END)
                 WITH ORDINALITY a(e, i)
            WHERE baton_import_enum(a.e, p_map, p_allowed) IS NOT NULL ORDER BY a.i LIMIT 1)
$$;

-- Normalised domains of a list value, first seen first, invalid ones left out.
CREATE FUNCTION baton_import_domain_list(p jsonb) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(d ORDER BY i), '{}') FROM (
        SELECT baton_norm_domain(l.e) AS d, min(l.i) AS i FROM baton_import_list(p) l
        WHERE baton_norm_domain(l.e) IS NOT NULL GROUP BY 1) x
$$;
-- One plain domain (most rows) without the list's query.  The helpers of
-- a row's values are PL/pgSQL: a SQL function whose argument is used more
-- than once is not inlined, and then costs a query per call.
CREATE FUNCTION baton_import_domains(p jsonb) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
    RETURN CASE WHEN p IS NULL OR jsonb_typeof(p) = 'null' THEN '{}'::text[]
                WHEN jsonb_typeof(p) = 'string' AND (p #>> '{}') !~ '[,;[:space:]]'
                THEN array_remove(ARRAY[baton_norm_domain(p #>> '{}')], NULL)
                ELSE baton_import_domain_list(p) END;
END $$;

-- A time as ISO 8601 ("2024-03-05", "2024-03-05T14:22:01Z", "2024-03-05
-- 14:22+01:00"); NULL when it is not one or not a real date.  Checked
-- before the cast, so that one bad value does not stop the file (CASE
-- branches are taken in order; AND gives no such promise).
CREATE FUNCTION baton_import_iso(p text) RETURNS timestamptz
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
    -- A match without captures runs on PostgreSQL's fast path; the parts are
    -- then at fixed places.
BEGIN
    RETURN CASE
        WHEN NOT btrim(p) ~ ('^[0-9]{4}-[0-9]{2}-[0-9]{2}'
                '([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?)?'
                '( ?(Z|UTC|[+-][0-9]{2}(:?[0-9]{2})?))?$') THEN NULL
        WHEN substr(btrim(p), 1, 4)::integer < 1 OR substr(btrim(p), 6, 2)::integer NOT BETWEEN 1 AND 12 THEN NULL
        WHEN substr(btrim(p), 9, 2)::integer NOT BETWEEN 1 AND extract(day FROM
                make_date(substr(btrim(p), 1, 4)::integer, substr(btrim(p), 6, 2)::integer, 1)
                + interval '1 month - 1 day')::integer THEN NULL
        WHEN CASE WHEN substr(btrim(p), 14, 1) = ':' THEN substr(btrim(p), 12, 2)::integer > 23
                  OR substr(btrim(p), 15, 2)::integer > 59 ELSE false END THEN NULL
        WHEN CASE WHEN substr(btrim(p), 17, 1) = ':' THEN substr(btrim(p), 18, 2)::integer > 59
                  ELSE false END THEN NULL
        ELSE btrim(p)::timestamptz END;
END $$;

-- A time by the source's format: 'iso' (the default), 'epoch' (seconds, or
-- milliseconds), or a to_timestamp() pattern ('DD/MM/YYYY HH24:MI').
CREATE FUNCTION baton_import_pattern(p text, p_fmt text) RETURNS timestamptz
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN to_timestamp(btrim(p), p_fmt);
EXCEPTION WHEN OTHERS THEN
    RETURN NULL;
END $$;

CREATE FUNCTION baton_import_time(p text, p_fmt text) RETURNS timestamptz
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
    RETURN CASE
        WHEN p IS NULL THEN NULL
        WHEN coalesce(p_fmt, 'iso') = 'iso' THEN baton_import_iso(p)
        WHEN p_fmt = 'epoch' THEN CASE
            WHEN btrim(p) ~ '^[0-9]{1,10}(\.[0-9]+)?$' THEN to_timestamp(btrim(p)::numeric)
            WHEN btrim(p) ~ '^[0-9]{11,13}$' THEN to_timestamp(btrim(p)::numeric / 1000) END
        ELSE baton_import_pattern(p, p_fmt) END;
END $$;

-- The path of a Baton field in the mapping (NULL: not mapped).
CREATE FUNCTION baton_import_path(p_spec jsonb, p_field text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN jsonb_typeof(p_spec -> 'fields' -> p_field -> 'path') = 'array' THEN
        ARRAY(SELECT jsonb_array_elements_text(p_spec -> 'fields' -> p_field -> 'path')) END
$$;

-- A problem of a value as "field:reason" for the rejects (NULL: none).
CREATE FUNCTION baton_import_bad_enum(p_field text, p_raw text, p_map jsonb, p_allowed text[])
RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
    RETURN CASE WHEN p_raw IS NULL OR baton_import_enum(p_raw, p_map, p_allowed) IS NOT NULL THEN NULL
        WHEN p_map IS NOT NULL THEN format('%s:value "%s" is not in the map', p_field, p_raw)
        ELSE format('%s:"%s" is not one of %s', p_field, p_raw, array_to_string(p_allowed, ', ')) END;
END $$;

CREATE FUNCTION baton_import_bad_time(p_field text, p_raw text, p_fmt text) RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
    RETURN CASE WHEN p_raw IS NOT NULL AND baton_import_time(p_raw, p_fmt) IS NULL THEN
        format('%s:"%s" is not a date and time (%s)', p_field, p_raw, coalesce(p_fmt, 'iso')) END;
END $$;

-- Fields and values Baton knows, by entity: what a mapping may name.
-- src/config_import.c holds the same catalogue to check a configuration
-- without a database; test_import compares them.
CREATE TABLE import_field (
    entity   text NOT NULL,
    field    text NOT NULL,
    kind     text NOT NULL CHECK (kind IN ('key', 'text', 'enum', 'first', 'int', 'date',
                                           'time', 'domains', 'email', 'ref', 'staff')),
    allowed  text[],
    PRIMARY KEY (entity, field)
);
INSERT INTO import_field (entity, field, kind, allowed) VALUES
    ('customers', 'source_id', 'key', NULL), ('customers', 'name', 'text', NULL),
    ('customers', 'domains', 'domains', NULL),
    ('customers', 'plan', 'enum', '{free,starter,growth,pro,enterprise}'),
    ('customers', 'segment', 'enum', '{smb,mid-market,enterprise,strategic}'),
    ('customers', 'lifecycle', 'enum',
     '{prospect,onboarding,adopting,established,renewing,at-risk,churned}'),
    ('customers', 'owner', 'staff', NULL), ('customers', 'renewal_date', 'date', NULL),
    ('customers', 'updated_at', 'time', NULL),
    ('contacts', 'source_id', 'key', NULL), ('contacts', 'customer', 'ref', NULL),
    ('contacts', 'name', 'text', NULL), ('contacts', 'first_name', 'text', NULL),
    ('contacts', 'last_name', 'text', NULL), ('contacts', 'email', 'email', NULL),
    ('contacts', 'title', 'text', NULL), ('contacts', 'updated_at', 'time', NULL),
    ('tickets', 'source_id', 'key', NULL), ('tickets', 'customer', 'ref', NULL),
    ('tickets', 'contact', 'ref', NULL), ('tickets', 'email', 'email', NULL),
    ('tickets', 'subject', 'text', NULL), ('tickets', 'body', 'text', NULL),
    ('tickets', 'status', 'enum', '{new,open,pending,on_hold,solved,closed}'),
    ('tickets', 'priority', 'enum', '{urgent,high,normal,low}'),
    ('tickets', 'category', 'first', '{question,bug,billing,migration,onboarding,complaint,feature_request,other}'),
    ('tickets', 'opened_at', 'time', NULL), ('tickets', 'updated_at', 'time', NULL),
    ('tickets', 'solved_at', 'time', NULL),
    ('milestones', 'source_id', 'key', NULL), ('milestones', 'customer', 'ref', NULL),
    ('milestones', 'email', 'email', NULL),
    ('milestones', 'position', 'int', NULL), ('milestones', 'title', 'text', NULL),
    ('milestones', 'status', 'enum', '{pending,in_progress,blocked,done,skipped}'),
    ('milestones', 'owner', 'staff', NULL), ('milestones', 'due_date', 'date', NULL),
    ('milestones', 'completed_at', 'time', NULL), ('milestones', 'blocked_reason', 'text', NULL),
    ('milestones', 'updated_at', 'time', NULL),
    ('notes', 'source_id', 'key', NULL), ('notes', 'customer', 'ref', NULL),
    ('notes', 'email', 'email', NULL),
    ('notes', 'kind', 'enum', '{note,call,meeting,qbr,email}'), ('notes', 'body', 'text', NULL),
    ('marketing', 'source_id', 'key', NULL), ('marketing', 'customer', 'ref', NULL),
    ('marketing', 'contact', 'ref', NULL), ('marketing', 'email', 'email', NULL),
    ('marketing', 'campaign', 'text', NULL),
    ('marketing', 'kind', 'enum', '{upsell,renewal,newsletter,webinar,nurture,announcement,survey}'),
    ('marketing', 'channel', 'enum', '{email,webinar,event,in_app,sms}'),
    ('marketing', 'status', 'enum', '{scheduled,sent,cancelled}'),
    ('marketing', 'scheduled_at', 'time', NULL), ('marketing', 'sent_at', 'time', NULL),
    ('marketing', 'updated_at', 'time', NULL),
    ('surveys', 'source_id', 'key', NULL), ('surveys', 'customer', 'ref', NULL),
    ('surveys', 'contact', 'ref', NULL), ('surveys', 'email', 'email', NULL),
    ('surveys', 'kind', 'enum', '{nps,csat,ces}'), ('surveys', 'score', 'int', NULL),
    ('surveys', 'comment', 'text', NULL), ('surveys', 'responded_at', 'time', NULL),
    ('surveys', 'updated_at', 'time', NULL);

-- Who may import: members of baton_importer, and roles that bypass
-- row-level security anyway (the owner, superusers).
CREATE FUNCTION baton_import_check() RETURNS void
LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
BEGIN
    IF NOT pg_has_role(session_user, 'baton_importer', 'MEMBER') AND NOT baton_me_bypasses() THEN
        RAISE EXCEPTION 'role % may not import: importing takes a role granted baton_importer', session_user
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'an administrator can run GRANT baton_importer TO ' || session_user;
    END IF;
END $$;

-- Start importing one file, in the caller's transaction: record the run and
-- make the staging table the client COPYs the file into, with p_columns
-- text columns c1..cN for a CSV file (its header is line 0) or one, raw,
-- for JSON.  The table belongs to this function's owner and lives until
-- the end of the transaction; the session user may only insert into it.
CREATE FUNCTION baton_import_begin(p_run uuid, p_source text, p_entity text, p_file text,
                                   p_columns integer)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_cols text;
BEGIN
    PERFORM baton_import_check();
    IF NOT EXISTS (SELECT 1 FROM import_field f WHERE f.entity = p_entity) THEN
        RAISE EXCEPTION 'unknown entity "%": the entities are %', p_entity,
            (SELECT string_agg(DISTINCT f.entity, ', ') FROM import_field f)
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF p_columns IS NULL OR p_columns NOT BETWEEN 0 AND 1000 THEN
        RAISE EXCEPTION 'a file has from 1 to 1000 columns' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF EXISTS (SELECT 1 FROM import_run r WHERE r.id = p_run) THEN
        RAISE EXCEPTION 'import run % was already recorded', p_run USING ERRCODE = 'unique_violation';
    END IF;
    INSERT INTO import_run (id, source, entity, file) VALUES (p_run, p_source, p_entity, p_file);
    DROP TABLE IF EXISTS pg_temp.baton_import_raw, pg_temp.baton_import_reject;
    SELECT coalesce(string_agg(format(', c%s text', i), '' ORDER BY i), ', raw text')
        INTO v_cols FROM generate_series(1, p_columns) i;
    EXECUTE 'CREATE TEMP TABLE baton_import_raw (line bigint NOT NULL' || v_cols || ') ON COMMIT DROP';
    CREATE TEMP TABLE baton_import_reject (line bigint, field text, reason text, raw text)
        ON COMMIT DROP;
    EXECUTE format('GRANT INSERT ON pg_temp.baton_import_raw TO %I', session_user);
    EXECUTE format('GRANT SELECT ON pg_temp.baton_import_reject TO %I', session_user);
END $$;

-- The staged file as records: baton_import_rows (line, rec jsonb), with
-- what cannot be a record rejected.  CSV: an object keyed by the header.
-- JSON Lines: each line through jsonb.  JSON: the array under p_array of
-- one document (the whole document when it is an array), numbered from 1.
CREATE FUNCTION baton_import_records(p_format text, p_array text) RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    v_names text[];
    v_cols text;
    v_doc jsonb;
BEGIN
    CREATE TEMP TABLE baton_import_rows (line bigint, rec jsonb) ON COMMIT DROP;
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
        BEGIN
            SELECT raw::jsonb INTO v_doc FROM pg_temp.baton_import_raw;
        EXCEPTION WHEN OTHERS THEN
            RAISE EXCEPTION 'the file is not a JSON document: %', SQLERRM
                USING ERRCODE = 'invalid_parameter_value';
        END;
        IF coalesce(p_array, '') <> '' THEN
            v_doc := v_doc -> p_array;
        END IF;
        IF jsonb_typeof(v_doc) IS DISTINCT FROM 'array' THEN
            RAISE EXCEPTION 'the JSON document has no array under "%"', coalesce(p_array, '')
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        INSERT INTO baton_import_rows SELECT i, e FROM jsonb_array_elements(v_doc) WITH ORDINALITY a(e, i);
    END IF;
    INSERT INTO baton_import_reject (line, field, reason)
    SELECT line, '', 'not a JSON object' FROM baton_import_rows WHERE jsonb_typeof(rec) <> 'object';
    DELETE FROM baton_import_rows WHERE jsonb_typeof(rec) <> 'object';
    ANALYZE baton_import_rows;
END $$;

CREATE FUNCTION baton_import_jsonl_slowly() RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT line, raw FROM pg_temp.baton_import_raw ORDER BY line LOOP
        BEGIN
            INSERT INTO baton_import_rows VALUES (r.line, r.raw::jsonb);
        EXCEPTION WHEN OTHERS THEN
            INSERT INTO baton_import_reject (line, field, reason)
            VALUES (r.line, '', 'not valid JSON: ' || SQLERRM);
        END;
    END LOOP;
END $$;

-- The typed values of every record: baton_import_s (line, v jsonb,
-- digest), v holding each mapped field's value; rows with a bad value
-- rejected (the first bad field of a row names it).  One statement over
-- the file, made from the catalogue: field names come from import_field,
-- the mapping is its parameter.
CREATE FUNCTION baton_import_stage(p_spec jsonb, p_entity text) RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    f record;
    v_obj text := '';
    v_bad text := 'CASE WHEN baton_import_str(r.rec, baton_import_path($1, ''source_id'')) IS NULL'
                  ' THEN ''source_id:missing key'''
                  ' WHEN length(r.rec #>> baton_import_path($1, ''source_id'')) > 200'
                  ' THEN ''source_id:longer than 200 characters'' END';
    v_raw text;
    v_map text;
    v_fmt text;
    v_val text;
    v_chk text;
BEGIN
    FOR f IN SELECT i.field, i.kind, i.allowed FROM import_field i
             WHERE i.entity = p_entity AND (p_spec -> 'fields') ? i.field ORDER BY i.field LOOP
        v_raw := format('coalesce(baton_import_str(r.rec, baton_import_path($1, %L)),'
                        ' $1 -> ''fields'' -> %L ->> ''default'')', f.field, f.field);
        v_map := format('($1 -> ''fields'' -> %L -> ''map'')', f.field);
        v_fmt := format('($1 -> ''fields'' -> %L ->> ''format'')', f.field);
        v_chk := NULL;
        CASE f.kind
        WHEN 'enum' THEN
            v_val := format('baton_import_enum(%s, %s, %L)', v_raw, v_map, f.allowed);
            v_chk := format('baton_import_bad_enum(%L, %s, %s, %L)', f.field, v_raw, v_map, f.allowed);
        WHEN 'first' THEN
            v_val := format('coalesce(baton_import_first(r.rec #> baton_import_path($1, %L), %s, %L),'
                            ' $1 -> ''fields'' -> %L ->> ''default'')',
                            f.field, v_map, f.allowed, f.field);
        WHEN 'int' THEN
            v_val := format('(SELECT CASE WHEN x ~ ''^-?[0-9]{1,9}$'' THEN x::integer END FROM'
                            ' (SELECT CASE WHEN %s IS NULL THEN %s ELSE %s ->> %s END AS x) y)',
                            v_map, v_raw, v_map, v_raw);
            v_chk := format('(SELECT CASE WHEN x IS NOT NULL AND NOT coalesce(m ->> x, x) ~ ''^-?[0-9]{1,9}$'''
                            ' THEN %L || '':"'' || x || CASE WHEN m IS NULL THEN ''" is not a whole number'''
                            ' ELSE ''" is not in the map'' END END FROM (SELECT %s AS x, %s AS m) y)',
                            f.field, v_raw, v_map);
        WHEN 'date' THEN
            v_val := format('baton_import_time(%s, %s)::date', v_raw, v_fmt);
            v_chk := format('baton_import_bad_time(%L, %s, %s)', f.field, v_raw, v_fmt);
        WHEN 'time' THEN
            v_val := format('baton_import_time(%s, %s)', v_raw, v_fmt);
            v_chk := format('baton_import_bad_time(%L, %s, %s)', f.field, v_raw, v_fmt);
        WHEN 'domains' THEN
            v_val := format('baton_import_domains(r.rec #> baton_import_path($1, %L))', f.field);
        WHEN 'email' THEN
            v_val := v_raw;
            v_chk := format('CASE WHEN baton_norm_domain(%s) IS NULL THEN %L || '':"'' || %s'
                            ' || ''" is not an e-mail address or a domain'' END', v_raw, f.field, v_raw);
        WHEN 'staff' THEN
            -- A person by the map, or by their role name; someone unknown is no one.
            v_val := format('(SELECT s.role_name FROM staff s WHERE s.role_name::text ='
                            ' coalesce(%s ->> %s, %s))', v_map, v_raw, v_raw);
        ELSE
            v_val := v_raw;
        END CASE;
        v_obj := v_obj || format(', %L, %s', f.field, v_val);
        IF v_chk IS NOT NULL THEN
            v_bad := v_bad || ', ' || v_chk;
        END IF;
    END LOOP;
    EXECUTE 'CREATE TEMP TABLE baton_import_s ON COMMIT DROP AS'
        ' SELECT line, v, md5(v::text) AS digest, bad FROM (SELECT r.line,'
        ' jsonb_strip_nulls(jsonb_build_object(''line'', 0' || v_obj || ')) - ''line'' AS v,'
        ' coalesce(' || v_bad || ') AS bad FROM pg_temp.baton_import_rows r) x'
        USING p_spec;
    INSERT INTO baton_import_reject (line, field, reason)
    SELECT line, split_part(bad, ':', 1), substr(bad, strpos(bad, ':') + 1)
    FROM baton_import_s WHERE bad IS NOT NULL;
    DELETE FROM baton_import_s WHERE bad IS NOT NULL;
    -- The same record twice in one file: its last line counts.
    DELETE FROM baton_import_s a USING baton_import_s b
    WHERE a.v ->> 'source_id' = b.v ->> 'source_id' AND a.line < b.line;
    ANALYZE baton_import_s;
END $$;

-- Identity resolution -----------------------------------------------------------------
CREATE FUNCTION baton_split_apart(a bigint, b bigint) RETURNS boolean
LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
    SELECT a IS NOT NULL AND b IS NOT NULL AND EXISTS (SELECT 1 FROM customer_split s
        WHERE (s.customer_id = a AND s.apart = b) OR (s.customer_id = b AND s.apart = a))
$$;

CREATE FUNCTION baton_import_evidence_text(p_kind text, p_value text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE p_kind WHEN 'domain' THEN 'same domain ' WHEN 'email' THEN 'same e-mail '
                       ELSE 'same id ' END || p_value
$$;

-- Over baton_import_node (node, cid: its customer, if any) and
-- baton_import_claim (node, kind, value: an identifier it has), made by the
-- caller: the customers already holding each identifier, the identifiers
-- not to follow (shared domains; more holders than import_max_join), the
-- edges, and the connected components: baton_import_lab (n, l: the
-- component) and baton_import_comp (comp, survivor: its oldest customer,
-- NULL when it has none yet).
CREATE FUNCTION baton_import_resolve(p_shared text[]) RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    v_max integer := baton_setting_value('import_max_join')::integer;
    v_n integer;
BEGIN
    DELETE FROM baton_import_claim c WHERE c.value IS NULL OR (c.kind = 'domain'
        AND (c.value = ANY (coalesce(p_shared, '{}'))
             OR EXISTS (SELECT 1 FROM baton_shared_domain d WHERE d.domain = c.value)));
    CREATE TEMP TABLE baton_import_found ON COMMIT DROP AS
    SELECT DISTINCT k.kind, k.value, x.cid FROM (SELECT DISTINCT kind, value FROM baton_import_claim) k
    CROSS JOIN LATERAL (
        SELECT e.customer_id FROM customer_external_id e
        WHERE k.kind = 'ext' AND e.system = split_part(k.value, ':', 1)
          AND e.external_id = substr(k.value, strpos(k.value, ':') + 1)
        UNION ALL SELECT c.id FROM customer c
        WHERE k.kind = 'domain' AND lower(c.domain) = k.value AND c.merged_into IS NULL
        UNION ALL SELECT r.customer_id FROM import_record r
        WHERE k.kind = 'domain' AND r.entity = 'customers' AND r.domains @> ARRAY[k.value]
        UNION ALL SELECT t.customer_id FROM contact t
        WHERE k.kind = 'domain' AND t.email IS NOT NULL AND baton_norm_domain(t.email) = k.value
        UNION ALL SELECT t.customer_id FROM contact t
        WHERE k.kind = 'email' AND t.email IS NOT NULL AND lower(t.email) = k.value) x(cid);
    ANALYZE baton_import_found;

    CREATE TEMP TABLE baton_import_unused ON COMMIT DROP AS
    SELECT kind, value, count(*) AS n FROM (
        SELECT f.kind, f.value, 'c:' || f.cid AS who FROM baton_import_found f
        UNION SELECT c.kind, c.value, coalesce('c:' || n.cid, c.node)
        FROM baton_import_claim c JOIN baton_import_node n USING (node)) x
    GROUP BY kind, value HAVING count(*) > v_max;
    DELETE FROM baton_import_claim c USING baton_import_unused u
    WHERE u.kind = c.kind AND u.value = c.value;

    CREATE TEMP TABLE baton_import_edge (a text, b text, kind text, value text) ON COMMIT DROP;
    INSERT INTO baton_import_edge
    SELECT c.node, 'c:' || f.cid, c.kind, c.value
    FROM baton_import_claim c JOIN baton_import_node n USING (node)
    JOIN baton_import_found f USING (kind, value)
    WHERE f.cid IS DISTINCT FROM n.cid AND c.node <> 'c:' || f.cid
      AND NOT baton_split_apart(n.cid, f.cid);
    INSERT INTO baton_import_edge
    SELECT c.node, m.node, c.kind, c.value
    FROM baton_import_claim c
    JOIN (SELECT kind, value, min(node) AS node FROM baton_import_claim GROUP BY 1, 2) m USING (kind, value)
    JOIN baton_import_node n1 ON n1.node = c.node JOIN baton_import_node n2 ON n2.node = m.node
    WHERE c.node <> m.node AND NOT baton_split_apart(n1.cid, n2.cid);
    INSERT INTO baton_import_edge
    SELECT node, 'c:' || cid, 'self', NULL FROM baton_import_node
    WHERE cid IS NOT NULL AND node <> 'c:' || cid;
    ANALYZE baton_import_edge;

    -- Components: each node takes the smallest label among its
    -- neighbours' until none changes (a few rounds: chains are short).
    CREATE TEMP TABLE baton_import_lab (n text PRIMARY KEY, l text) ON COMMIT DROP;
    INSERT INTO baton_import_lab SELECT n, n FROM (SELECT node FROM baton_import_node
        UNION SELECT b FROM baton_import_edge) x(n);
    CREATE TEMP TABLE baton_import_e2 ON COMMIT DROP AS
    SELECT a, b FROM baton_import_edge UNION SELECT b, a FROM baton_import_edge;
    ANALYZE baton_import_lab;
    ANALYZE baton_import_e2;
    LOOP
        UPDATE baton_import_lab x SET l = m.l
        FROM (SELECT e.a AS n, min(y.l) AS l FROM baton_import_e2 e
              JOIN baton_import_lab y ON y.n = e.b GROUP BY e.a) m
        WHERE x.n = m.n AND m.l < x.l;
        GET DIAGNOSTICS v_n = ROW_COUNT;
        EXIT WHEN v_n = 0;
    END LOOP;
    CREATE TEMP TABLE baton_import_comp ON COMMIT DROP AS
    SELECT l.l AS comp, min(coalesce(n.cid, CASE WHEN l.n LIKE 'c:%' THEN substr(l.n, 3)::bigint END))
           AS survivor
    FROM baton_import_lab l LEFT JOIN baton_import_node n ON n.node = l.n GROUP BY l.l;
    ANALYZE baton_import_comp;
END $$;

-- The identifiers that tied a node (or a whole component) in.
CREATE FUNCTION baton_import_why(p_node text, p_comp text) RETURNS text
LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
BEGIN
    RETURN (SELECT string_agg(DISTINCT baton_import_evidence_text(e.kind, e.value), ', ')
    FROM baton_import_edge e
    WHERE e.kind <> 'self' AND (e.a = p_node OR e.b = p_node
          OR (p_comp IS NOT NULL AND e.a IN (SELECT l.n FROM baton_import_lab l WHERE l.l = p_comp))));
END $$;

-- The customer records of some customers, for evidence.
CREATE FUNCTION baton_import_records_of(p_customers bigint[]) RETURNS jsonb
LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
    SELECT coalesce(jsonb_agg(jsonb_build_object('source', r.source, 'id', r.source_id,
        'label', r.label, 'customer', r.customer_id) ORDER BY r.source, r.source_id), '[]')
    FROM import_record r WHERE r.entity = 'customers' AND r.customer_id = ANY (p_customers)
$$;

-- Customer p_from is p_into: what moves, moves; p_from points at p_into.
CREATE FUNCTION baton_import_absorb(p_run uuid, p_into bigint, p_from bigint, p_why text)
RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    v_moved jsonb := '{}';
    v_part jsonb;
    v_top integer;
BEGIN
    v_moved := v_moved || jsonb_build_object('evidence', baton_import_records_of(ARRAY[p_into, p_from]));
    WITH u AS (UPDATE contact SET customer_id = p_into WHERE customer_id = p_from RETURNING id)
    SELECT coalesce(jsonb_agg(id), '[]') INTO v_part FROM u;
    v_moved := v_moved || jsonb_build_object('contact', v_part);
    WITH u AS (UPDATE ticket SET customer_id = p_into WHERE customer_id = p_from RETURNING id)
    SELECT coalesce(jsonb_agg(id), '[]') INTO v_part FROM u;
    v_moved := v_moved || jsonb_build_object('ticket', v_part);
    WITH u AS (UPDATE marketing_event SET customer_id = p_into WHERE customer_id = p_from RETURNING id)
    SELECT coalesce(jsonb_agg(id), '[]') INTO v_part FROM u;
    v_moved := v_moved || jsonb_build_object('marketing_event', v_part);
    WITH u AS (UPDATE survey_response SET customer_id = p_into WHERE customer_id = p_from RETURNING id)
    SELECT coalesce(jsonb_agg(id), '[]') INTO v_part FROM u;
    v_moved := v_moved || jsonb_build_object('survey_response', v_part);
    WITH u AS (UPDATE customer_external_id SET customer_id = p_into WHERE customer_id = p_from
               RETURNING system, external_id)
    SELECT coalesce(jsonb_agg(jsonb_build_array(system, external_id)), '[]') INTO v_part FROM u;
    v_moved := v_moved || jsonb_build_object('customer_external_id', v_part);
    WITH o AS (SELECT source, source_id, owns FROM import_record WHERE customer_id = p_from),
         u AS (UPDATE import_record r SET customer_id = p_into, owns = false FROM o
               WHERE r.source = o.source AND r.source_id = o.source_id
               RETURNING o.source, o.source_id, o.owns)
    SELECT coalesce(jsonb_agg(jsonb_build_array(source, source_id, owns)), '[]') INTO v_part FROM u;
    v_moved := v_moved || jsonb_build_object('import_record', v_part);
    -- Milestones go after the survivor's own (positions are unique).
    SELECT coalesce(max(position), 0) INTO v_top FROM milestone WHERE customer_id = p_into;
    WITH o AS (SELECT id, position FROM milestone WHERE customer_id = p_from),
         u AS (UPDATE milestone m SET customer_id = p_into, position = o.position + v_top
               FROM o WHERE m.id = o.id RETURNING m.id, o.position)
    SELECT coalesce(jsonb_agg(jsonb_build_array(id, position)), '[]') INTO v_part FROM u;
    v_moved := v_moved || jsonb_build_object('milestone', v_part);
    WITH u AS (UPDATE customer SET merged_into = p_into WHERE id = p_from OR merged_into = p_from
               RETURNING id)
    SELECT coalesce(jsonb_agg(id), '[]') INTO v_part FROM u;
    v_moved := v_moved || jsonb_build_object('customer', v_part);
    INSERT INTO customer_merge (run_id, customer_id, absorbed, identifiers, evidence, moved)
    VALUES (p_run, p_into, p_from, coalesce(p_why, ''), v_moved -> 'evidence', v_moved - 'evidence');
END $$;

-- Absorb every other customer of each component into its survivor.
CREATE FUNCTION baton_import_absorb_all(p_run uuid) RETURNS integer
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    r record;
    v_n integer := 0;
BEGIN
    FOR r IN SELECT DISTINCT c.comp, c.survivor, x.cid
             FROM baton_import_comp c
             JOIN (SELECT l.l, coalesce(n.cid, CASE WHEN l.n LIKE 'c:%' THEN substr(l.n, 3)::bigint END) AS cid
                   FROM baton_import_lab l LEFT JOIN baton_import_node n ON n.node = l.n) x ON x.l = c.comp
             WHERE x.cid IS NOT NULL AND x.cid <> c.survivor
             ORDER BY c.survivor, x.cid LOOP
        PERFORM baton_import_absorb(p_run, r.survivor, r.cid, baton_import_why(NULL, r.comp));
        v_n := v_n + 1;
    END LOOP;
    RETURN v_n;
END $$;

-- Entities ----------------------------------------------------------------------------
-- Customers: the file's organisations or companies.
CREATE FUNCTION baton_import_customers(p_run uuid, p_src text, p_spec jsonb, p_shared text[],
                                       OUT inserted integer, OUT updated integer, OUT merged integer)
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    v_sys text := p_spec ->> 'system';
BEGIN
    INSERT INTO baton_import_reject (line, field, reason)
    SELECT line, 'name', CASE WHEN v ? 'name' THEN 'longer than 200 characters' ELSE 'missing name' END
    FROM baton_import_s WHERE length(coalesce(v ->> 'name', v -> 'domains' ->> 0, '')) NOT BETWEEN 1 AND 200;
    DELETE FROM baton_import_s
    WHERE length(coalesce(v ->> 'name', v -> 'domains' ->> 0, '')) NOT BETWEEN 1 AND 200;

    CREATE TEMP TABLE baton_import_c ON COMMIT DROP AS
    SELECT s.line, s.v, s.digest, s.v ->> 'source_id' AS sid, r.customer_id AS cid, r.owns,
        CASE WHEN r.source_id IS NULL THEN 'new'
             WHEN r.digest = s.digest
               OR (s.v ->> 'updated_at')::timestamptz < r.source_updated_at THEN 'unchanged'
             ELSE 'updated' END AS state
    FROM baton_import_s s
    LEFT JOIN import_record r ON r.source = p_src AND r.source_id = s.v ->> 'source_id';
    DELETE FROM baton_import_c WHERE state = 'unchanged';
    ANALYZE baton_import_c;

    CREATE TEMP TABLE baton_import_node ON COMMIT DROP AS
    SELECT 'r:' || sid AS node, cid FROM baton_import_c;
    CREATE TEMP TABLE baton_import_claim ON COMMIT DROP AS
    SELECT 'r:' || sid AS node, 'ext' AS kind, v_sys || ':' || sid AS value
    FROM baton_import_c WHERE v_sys IS NOT NULL
    UNION ALL
    SELECT 'r:' || sid, 'domain', d FROM baton_import_c, jsonb_array_elements_text(v -> 'domains') d;
    ANALYZE baton_import_node;
    ANALYZE baton_import_claim;
    PERFORM baton_import_resolve(p_shared);

    -- A component with no customer yet gets one, made from its first record.
    CREATE TEMP TABLE baton_import_new ON COMMIT DROP AS
    SELECT x.*, nextval(pg_get_serial_sequence('customer', 'id')) AS id FROM (
        SELECT DISTINCT ON (l.l) l.l AS comp, c.sid, c.v, c.line
        FROM baton_import_c c JOIN baton_import_lab l ON l.n = 'r:' || c.sid
        JOIN baton_import_comp k ON k.comp = l.l
        WHERE k.survivor IS NULL ORDER BY l.l, c.line) x;
    ANALYZE baton_import_new;
    -- Its domain: the first that no customer has and that says who it is
    -- (the first record to name it, when new customers share one).
    CREATE TEMP TABLE baton_import_dom ON COMMIT DROP AS
    SELECT DISTINCT ON (n.id) n.id, x.d AS domain, n.line
    FROM baton_import_new n, jsonb_array_elements_text(n.v -> 'domains') WITH ORDINALITY x(d, i)
    WHERE NOT EXISTS (SELECT 1 FROM baton_shared_domain s WHERE s.domain = x.d)
      AND NOT x.d = ANY (coalesce(p_shared, '{}'))
      AND NOT EXISTS (SELECT 1 FROM baton_import_unused u WHERE u.kind = 'domain' AND u.value = x.d)
      AND NOT EXISTS (SELECT 1 FROM customer c WHERE lower(c.domain) = x.d)
    ORDER BY n.id, x.i;
    ANALYZE baton_import_dom;
    INSERT INTO customer (id, name, domain, plan, segment, lifecycle, owner, renewal_date)
    SELECT n.id, coalesce(n.v ->> 'name', n.v -> 'domains' ->> 0),
        CASE WHEN row_number() OVER (PARTITION BY d.domain ORDER BY n.line) = 1 THEN d.domain END,
        coalesce(n.v ->> 'plan', 'starter'), coalesce(n.v ->> 'segment', 'smb'),
        coalesce(n.v ->> 'lifecycle', 'onboarding'), (n.v ->> 'owner')::name,
        (n.v ->> 'renewal_date')::date
    FROM baton_import_new n LEFT JOIN baton_import_dom d ON d.id = n.id;
    IF FOUND THEN
        ANALYZE customer;
    END IF;
    UPDATE baton_import_comp k SET survivor = n.id FROM baton_import_new n WHERE n.comp = k.comp;

    merged := baton_import_absorb_all(p_run);

    -- Records that joined a customer they did not make: recorded with why.
    INSERT INTO customer_merge (run_id, customer_id, joined_source, joined_source_id, identifiers, evidence)
    SELECT p_run, k.survivor, p_src, c.sid, coalesce(baton_import_why('r:' || c.sid, NULL), ''),
        jsonb_build_object('identifiers', coalesce(baton_import_why('r:' || c.sid, NULL), ''),
                           'records', baton_import_records_of(ARRAY[k.survivor]),
                           'record', jsonb_build_object('source', p_src, 'id', c.sid,
                                                        'label', p_spec ->> 'label'))
    FROM baton_import_c c JOIN baton_import_lab l ON l.n = 'r:' || c.sid
    JOIN baton_import_comp k ON k.comp = l.l
    WHERE c.cid IS DISTINCT FROM k.survivor
      AND NOT EXISTS (SELECT 1 FROM baton_import_new n WHERE n.sid = c.sid);
    GET DIAGNOSTICS inserted = ROW_COUNT;
    merged := merged + inserted;

    -- Fields follow the record that made the customer; others fill gaps.
    CREATE TEMP TABLE baton_import_own ON COMMIT DROP AS
    SELECT c.cid, c.v FROM baton_import_c c JOIN baton_import_lab l ON l.n = 'r:' || c.sid
    JOIN baton_import_comp k ON k.comp = l.l
    WHERE c.state = 'updated' AND c.owns AND c.cid = k.survivor;
    ANALYZE baton_import_own;
    UPDATE customer u SET name = coalesce(c.v ->> 'name', u.name),
        plan = coalesce(c.v ->> 'plan', u.plan), segment = coalesce(c.v ->> 'segment', u.segment),
        lifecycle = coalesce(c.v ->> 'lifecycle', u.lifecycle),
        owner = coalesce((c.v ->> 'owner')::name, u.owner),
        renewal_date = coalesce((c.v ->> 'renewal_date')::date, u.renewal_date), updated_at = now()
    FROM baton_import_own c
    WHERE u.id = c.cid
      AND (u.name, u.plan, u.segment, u.lifecycle, u.owner, u.renewal_date) IS DISTINCT FROM
          (coalesce(c.v ->> 'name', u.name), coalesce(c.v ->> 'plan', u.plan),
           coalesce(c.v ->> 'segment', u.segment), coalesce(c.v ->> 'lifecycle', u.lifecycle),
           coalesce((c.v ->> 'owner')::name, u.owner),
           coalesce((c.v ->> 'renewal_date')::date, u.renewal_date));

    IF v_sys IS NOT NULL THEN
        INSERT INTO customer_external_id (system, external_id, customer_id)
        SELECT v_sys, c.sid, k.survivor
        FROM baton_import_c c JOIN baton_import_lab l ON l.n = 'r:' || c.sid
        JOIN baton_import_comp k ON k.comp = l.l
        ON CONFLICT (system, external_id) DO NOTHING;
    END IF;

    INSERT INTO import_record AS r (source, source_id, entity, target_id, customer_id, digest,
        source_updated_at, run_id, owns, label, name, domains, external)
    SELECT p_src, c.sid, 'customers', k.survivor, k.survivor, c.digest,
        (c.v ->> 'updated_at')::timestamptz, p_run,
        EXISTS (SELECT 1 FROM baton_import_new n WHERE n.sid = c.sid)
            OR (coalesce(c.owns, false) AND c.cid = k.survivor),
        p_spec ->> 'label', c.v ->> 'name',
        ARRAY(SELECT jsonb_array_elements_text(c.v -> 'domains')), v_sys || ':' || c.sid
    FROM baton_import_c c JOIN baton_import_lab l ON l.n = 'r:' || c.sid
    JOIN baton_import_comp k ON k.comp = l.l
    ON CONFLICT (source, source_id) DO UPDATE SET target_id = EXCLUDED.target_id,
        customer_id = EXCLUDED.customer_id, digest = EXCLUDED.digest,
        source_updated_at = EXCLUDED.source_updated_at, run_id = EXCLUDED.run_id,
        owns = EXCLUDED.owns, label = EXCLUDED.label, name = EXCLUDED.name,
        domains = EXCLUDED.domains, external = EXCLUDED.external;
    SELECT count(*) FILTER (WHERE state = 'new'), count(*) FILTER (WHERE state = 'updated')
        INTO inserted, updated FROM baton_import_c;
END $$;

-- Rows that belong to a customer: baton_import_c with the customer (by the
-- customer record the row names, its contact, or an e-mail address: the
-- contact that has it, else the customer that has its domain), the row it
-- was before (target) and its state; rows without a customer rejected.
CREATE FUNCTION baton_import_link(p_src text, p_entity text, p_spec jsonb, p_shared text[])
RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    v_csrc text := p_spec ->> 'customer_source';
    v_ksrc text := p_spec ->> 'contact_source';
BEGIN
    CREATE TEMP TABLE baton_import_c ON COMMIT DROP AS
    SELECT s.line, s.v, s.digest, s.v ->> 'source_id' AS sid,
        coalesce(cr.customer_id, kr.customer_id, ke.customer_id, kd.id) AS cid,
        CASE WHEN cr.customer_id IS NOT NULL THEN v_csrc || ':' || (s.v ->> 'customer') END AS parent,
        kr.target_id AS contact_id, r.target_id AS target,
        CASE WHEN r.source_id IS NULL THEN 'new'
             WHEN r.digest = s.digest
               OR (s.v ->> 'updated_at')::timestamptz < r.source_updated_at THEN 'unchanged'
             ELSE 'updated' END AS state,
        NULL::text AS bad
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
    LEFT JOIN import_record r ON r.source = p_src AND r.source_id = s.v ->> 'source_id';
    INSERT INTO baton_import_reject (line, field, reason)
    SELECT line, CASE WHEN v ? 'customer' THEN 'customer' WHEN v ? 'contact' THEN 'contact'
                      WHEN v ? 'email' THEN 'email' ELSE 'customer' END,
        CASE WHEN v ? 'customer' THEN format('unknown customer reference "%s" (no %s record)',
                                             v ->> 'customer', v_csrc)
             WHEN v ? 'contact' THEN format('unknown contact reference "%s" (no %s record)',
                                            v ->> 'contact', v_ksrc)
             WHEN v ? 'email' THEN format('no contact has the address "%s" and no customer its domain',
                                          v ->> 'email')
             ELSE 'missing customer reference' END
    FROM baton_import_c WHERE cid IS NULL;
    DELETE FROM baton_import_c WHERE cid IS NULL;
    ANALYZE baton_import_c;
END $$;

-- What an entity's rows must also be (NULL: fine), as "field:reason".
CREATE FUNCTION baton_import_problem(p_entity text, v jsonb) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE p_entity
    WHEN 'contacts' THEN CASE
        WHEN v ->> 'email' NOT LIKE '%_@_%' THEN format('email:"%s" is not an e-mail address', v ->> 'email')
        WHEN coalesce(v ->> 'name', nullif(concat_ws(' ', v ->> 'first_name', v ->> 'last_name'), ''),
                      v ->> 'email') IS NULL THEN 'name:missing name'
        WHEN length(coalesce(v ->> 'name', concat_ws(' ', v ->> 'first_name', v ->> 'last_name'))) > 200
            THEN 'name:longer than 200 characters' END
    WHEN 'tickets' THEN CASE WHEN length(v ->> 'subject') > 500 THEN 'subject:longer than 500 characters' END
    WHEN 'milestones' THEN CASE
        WHEN v ->> 'title' IS NULL THEN 'title:missing title'
        WHEN length(v ->> 'title') > 200 THEN 'title:longer than 200 characters'
        WHEN (v ->> 'position')::integer < 1 THEN 'position:must be 1 or more' END
    WHEN 'notes' THEN CASE
        WHEN v ->> 'body' IS NULL THEN 'body:missing text'
        WHEN length(v ->> 'body') > 65536 THEN 'body:longer than 65536 characters' END
    WHEN 'marketing' THEN CASE
        WHEN v ->> 'campaign' IS NULL THEN 'campaign:missing campaign'
        WHEN length(v ->> 'campaign') > 200 THEN 'campaign:longer than 200 characters'
        WHEN v ->> 'status' IS NULL THEN 'status:missing status (map it, or give it a default)'
        WHEN v ->> 'status' = 'sent' AND coalesce(v ->> 'sent_at', v ->> 'scheduled_at') IS NULL
            THEN 'sent_at:sent, but when is missing'
        WHEN v ->> 'status' = 'scheduled' AND v ->> 'scheduled_at' IS NULL
            THEN 'scheduled_at:scheduled, but when is missing' END
    WHEN 'surveys' THEN CASE
        WHEN v ->> 'kind' IS NULL THEN 'kind:missing kind (nps, csat or ces)'
        WHEN v ->> 'score' IS NULL THEN 'score:missing score'
        WHEN NOT CASE v ->> 'kind' WHEN 'nps' THEN (v ->> 'score')::integer BETWEEN 0 AND 10
                                   WHEN 'csat' THEN (v ->> 'score')::integer BETWEEN 1 AND 5
                                   ELSE (v ->> 'score')::integer BETWEEN 1 AND 7 END
            THEN format('score:%s is not a %s score', v ->> 'score', v ->> 'kind') END
    END
$$;

-- The rows of every entity but customers.  New rows get their ids first
-- (the sequence), so that the record can name them.
CREATE FUNCTION baton_import_rows_of(p_run uuid, p_src text, p_entity text, p_spec jsonb,
                                     p_shared text[], OUT inserted integer, OUT updated integer,
                                     OUT merged integer)
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    v_table text := CASE p_entity WHEN 'contacts' THEN 'contact' WHEN 'tickets' THEN 'ticket'
        WHEN 'milestones' THEN 'milestone' WHEN 'notes' THEN 'success_note'
        WHEN 'marketing' THEN 'marketing_event' WHEN 'surveys' THEN 'survey_response' END;
BEGIN
    PERFORM baton_import_link(p_src, p_entity, p_spec, p_shared);
    UPDATE baton_import_c SET bad = baton_import_problem(p_entity, v) WHERE state <> 'unchanged';
    INSERT INTO baton_import_reject (line, field, reason)
    SELECT line, split_part(bad, ':', 1), substr(bad, strpos(bad, ':') + 1)
    FROM baton_import_c WHERE bad IS NOT NULL;
    DELETE FROM baton_import_c WHERE bad IS NOT NULL OR state = 'unchanged';
    IF p_entity <> 'notes' THEN
        UPDATE baton_import_c SET target = nextval(pg_get_serial_sequence(v_table, 'id'))
        WHERE state = 'new';
    END IF;
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

CREATE FUNCTION baton_import_contacts() RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    INSERT INTO contact (id, customer_id, name, email, title)
    SELECT target, cid, coalesce(v ->> 'name', nullif(concat_ws(' ', v ->> 'first_name', v ->> 'last_name'), ''),
                                 v ->> 'email'), v ->> 'email', v ->> 'title'
    FROM baton_import_c WHERE state = 'new';
    UPDATE contact t SET customer_id = c.cid,
        name = coalesce(c.v ->> 'name', nullif(concat_ws(' ', c.v ->> 'first_name', c.v ->> 'last_name'), ''),
                        c.v ->> 'email'),
        email = c.v ->> 'email', title = c.v ->> 'title'
    FROM baton_import_c c WHERE c.state = 'updated' AND t.id = c.target;
END $$;

-- A ticket solved or closed has a time it was solved (the table insists).
CREATE FUNCTION baton_import_tickets() RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    INSERT INTO ticket (id, customer_id, subject, body, status, priority, category, requester_id,
                        opened_at, updated_at, solved_at)
    SELECT target, cid, coalesce(v ->> 'subject', '(no subject)'), coalesce(v ->> 'body', ''),
        coalesce(v ->> 'status', 'new'), coalesce(v ->> 'priority', 'normal'),
        coalesce(v ->> 'category', 'question'), contact_id,
        coalesce((v ->> 'opened_at')::timestamptz, now()),
        coalesce((v ->> 'updated_at')::timestamptz, (v ->> 'opened_at')::timestamptz, now()),
        CASE WHEN v ->> 'status' IN ('solved', 'closed') THEN coalesce((v ->> 'solved_at')::timestamptz,
            (v ->> 'updated_at')::timestamptz, (v ->> 'opened_at')::timestamptz, now()) END
    FROM baton_import_c WHERE state = 'new';
    UPDATE ticket t SET customer_id = c.cid, subject = coalesce(c.v ->> 'subject', t.subject),
        body = coalesce(c.v ->> 'body', t.body), status = coalesce(c.v ->> 'status', t.status),
        priority = coalesce(c.v ->> 'priority', t.priority),
        category = coalesce(c.v ->> 'category', t.category),
        requester_id = coalesce(c.contact_id, t.requester_id),
        opened_at = coalesce((c.v ->> 'opened_at')::timestamptz, t.opened_at),
        updated_at = coalesce((c.v ->> 'updated_at')::timestamptz, now()),
        solved_at = CASE WHEN coalesce(c.v ->> 'status', t.status) IN ('solved', 'closed') THEN
            coalesce((c.v ->> 'solved_at')::timestamptz, t.solved_at, (c.v ->> 'updated_at')::timestamptz, now()) END
    FROM baton_import_c c WHERE c.state = 'updated' AND t.id = c.target;
END $$;

-- A milestone without a position comes after the customer's others; one
-- whose position is taken is rejected.
CREATE FUNCTION baton_import_milestones() RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
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
    INSERT INTO baton_import_reject (line, field, reason)
    SELECT line, split_part(bad, ':', 1), substr(bad, strpos(bad, ':') + 1)
    FROM baton_import_c WHERE bad IS NOT NULL;
    DELETE FROM baton_import_c WHERE bad IS NOT NULL;
    INSERT INTO milestone (id, customer_id, position, title, status, owner, due_date, completed_at,
                           blocked_reason)
    SELECT target, cid, (v ->> 'position')::integer, v ->> 'title', coalesce(v ->> 'status', 'pending'),
        (v ->> 'owner')::name, (v ->> 'due_date')::date,
        CASE WHEN v ->> 'status' = 'done' THEN coalesce((v ->> 'completed_at')::timestamptz,
            (v ->> 'updated_at')::timestamptz, now()) END,
        v ->> 'blocked_reason'
    FROM baton_import_c WHERE state = 'new';
    UPDATE milestone t SET title = c.v ->> 'title', status = coalesce(c.v ->> 'status', t.status),
        owner = coalesce((c.v ->> 'owner')::name, t.owner),
        due_date = coalesce((c.v ->> 'due_date')::date, t.due_date),
        completed_at = CASE WHEN coalesce(c.v ->> 'status', t.status) = 'done' THEN
            coalesce((c.v ->> 'completed_at')::timestamptz, t.completed_at, now()) END,
        blocked_reason = c.v ->> 'blocked_reason'
    FROM baton_import_c c WHERE c.state = 'updated' AND t.id = c.target;
END $$;

-- Notes are append-only, their author the one who writes them: a changed
-- note in the source is a new note.  One at a time: the server numbers them.
CREATE FUNCTION baton_import_notes() RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    r record;
    v_id bigint;
BEGIN
    FOR r IN SELECT line, cid, v FROM baton_import_c ORDER BY line LOOP
        INSERT INTO success_note (customer_id, kind, body)
        VALUES (r.cid, coalesce(r.v ->> 'kind', 'note'), r.v ->> 'body') RETURNING id INTO v_id;
        UPDATE baton_import_c SET target = v_id WHERE line = r.line;
    END LOOP;
END $$;

CREATE FUNCTION baton_import_marketing() RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    INSERT INTO marketing_event (id, customer_id, campaign, kind, channel, status, scheduled_at, sent_at)
    SELECT target, cid, v ->> 'campaign', coalesce(v ->> 'kind', 'newsletter'),
        coalesce(v ->> 'channel', 'email'), v ->> 'status', (v ->> 'scheduled_at')::timestamptz,
        CASE WHEN v ->> 'status' = 'sent' THEN coalesce((v ->> 'sent_at')::timestamptz,
                                                         (v ->> 'scheduled_at')::timestamptz)
             ELSE (v ->> 'sent_at')::timestamptz END
    FROM baton_import_c WHERE state = 'new';
    UPDATE marketing_event t SET customer_id = c.cid, campaign = c.v ->> 'campaign',
        kind = coalesce(c.v ->> 'kind', t.kind), channel = coalesce(c.v ->> 'channel', t.channel),
        status = c.v ->> 'status', scheduled_at = (c.v ->> 'scheduled_at')::timestamptz,
        sent_at = CASE WHEN c.v ->> 'status' = 'sent' THEN coalesce((c.v ->> 'sent_at')::timestamptz,
                                                                    (c.v ->> 'scheduled_at')::timestamptz)
                       ELSE (c.v ->> 'sent_at')::timestamptz END
    FROM baton_import_c c WHERE c.state = 'updated' AND t.id = c.target;
END $$;

CREATE FUNCTION baton_import_surveys() RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    INSERT INTO survey_response (id, customer_id, contact_id, kind, score, comment, responded_at)
    SELECT target, cid, contact_id, v ->> 'kind', (v ->> 'score')::smallint, v ->> 'comment',
        coalesce((v ->> 'responded_at')::timestamptz, now())
    FROM baton_import_c WHERE state = 'new';
    UPDATE survey_response t SET customer_id = c.cid, contact_id = coalesce(c.contact_id, t.contact_id),
        kind = c.v ->> 'kind', score = (c.v ->> 'score')::smallint, comment = c.v ->> 'comment',
        responded_at = coalesce((c.v ->> 'responded_at')::timestamptz, t.responded_at)
    FROM baton_import_c c WHERE c.state = 'updated' AND t.id = c.target;
END $$;

-- Applying a staged file ----------------------------------------------------------------
-- The mapping (p_spec, from the configuration): {"format": "csv" | "jsonl"
-- | "json", "array": key, "delimiter": ",", "system", "label",
-- "customer_source", "contact_source", "fields": {FIELD: {"path": [...],
-- "map": {source value: Baton value}, "default": value, "format": time
-- format}}}.  p_shared: more shared domains.  p_client_rejected: lines the
-- client rejected before staging (not UTF-8, wrong number of fields).
CREATE FUNCTION baton_import_spec_check(p_entity text, p_spec jsonb) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
DECLARE
    v_bad text;
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
END $$;

CREATE FUNCTION baton_import_apply(p_run uuid, p_spec jsonb, p_shared text[],
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
    PERFORM baton_import_records(p_spec ->> 'format', p_spec ->> 'array');
    SELECT count(*) INTO v_read FROM baton_import_rows;
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

-- Splitting a merge -----------------------------------------------------------------------
CREATE FUNCTION baton_split(p_merge uuid) RETURNS TABLE (customer_id bigint, apart bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    m customer_merge%ROWTYPE;
    r import_record%ROWTYPE;
    v_key text;
    v_apart bigint;
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
        -- What reached its customer through the record goes with it.
        UPDATE contact t SET customer_id = v_apart FROM import_record x
        WHERE x.parent = v_key AND x.entity = 'contacts' AND t.id = x.target_id;
        UPDATE ticket t SET customer_id = v_apart FROM import_record x
        WHERE x.parent = v_key AND x.entity = 'tickets' AND t.id = x.target_id;
        UPDATE milestone t SET customer_id = v_apart FROM import_record x
        WHERE x.parent = v_key AND x.entity = 'milestones' AND t.id = x.target_id;
        UPDATE marketing_event t SET customer_id = v_apart FROM import_record x
        WHERE x.parent = v_key AND x.entity = 'marketing' AND t.id = x.target_id;
        UPDATE survey_response t SET customer_id = v_apart FROM import_record x
        WHERE x.parent = v_key AND x.entity = 'surveys' AND t.id = x.target_id;
        UPDATE import_record x SET customer_id = v_apart
        WHERE x.parent = v_key AND x.entity <> 'notes';
    END IF;
    INSERT INTO customer_split (merge_id, customer_id, apart) VALUES (p_merge, m.customer_id, v_apart);
    RETURN QUERY SELECT m.customer_id, v_apart;
END $$;

-- "Zendesk org 360001, HubSpot 9876 — same domain nwh.example": the
-- records that are this customer, and why (merges not split); for an
-- absorbed customer, where it went.  Runs with the reader's rights.
CREATE FUNCTION baton_customer_also(p_customer bigint) RETURNS text
LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
    SELECT nullif(concat_ws(' — ',
        (SELECT 'merged into #' || c.merged_into FROM customer c WHERE c.id = p_customer
         AND c.merged_into IS NOT NULL),
        (SELECT string_agg(x, ', ') FROM (
            SELECT coalesce(r.label, r.source) || ' ' || r.source_id AS x FROM import_record r
            WHERE r.customer_id = p_customer AND r.entity = 'customers'
            UNION ALL SELECT '#' || c.id || ' ' || c.name FROM customer c WHERE c.merged_into = p_customer
            ORDER BY 1) y),
        (SELECT string_agg(DISTINCT i, ', ') FROM customer_merge m,
             regexp_split_to_table(m.identifiers, ', ') i
         WHERE m.customer_id = p_customer AND i <> ''
           AND NOT EXISTS (SELECT 1 FROM customer_split s WHERE s.merge_id = m.id))), '')
$$;

-- Rights --------------------------------------------------------------------------------
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['import_record', 'customer_merge', 'customer_split'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY staff_read ON %I FOR SELECT TO baton_staff'
                       ' USING ((SELECT baton_me_sees_all())'
                       '        OR ((SELECT baton_me_active()) AND baton_me_sees_customer(customer_id)))', t);
    END LOOP;
    -- Importers see what they import (baton merges, baton show).
    FOREACH t IN ARRAY ARRAY['customer', 'import_record', 'customer_merge', 'customer_split',
                             'customer_external_id', 'contact'] LOOP
        EXECUTE format('CREATE POLICY importer_read ON %I FOR SELECT TO baton_importer USING (true)', t);
    END LOOP;
END $$;

REVOKE ALL ON import_run, import_record, customer_merge, customer_split, baton_shared_domain,
    import_field FROM PUBLIC;
GRANT SELECT ON import_record, customer_merge, customer_split, baton_shared_domain, import_field
    TO baton_staff, baton_admin, baton_importer;
GRANT SELECT ON import_run TO baton_admin, baton_importer;
GRANT SELECT ON customer, import_record, customer_merge, customer_split, customer_external_id,
    contact, staff, team, baton_setting, baton_schema_migrations TO baton_importer;
GRANT USAGE ON SCHEMA public TO baton_importer;

REVOKE ALL ON FUNCTION baton_import_begin(uuid, text, text, text, integer),
    baton_import_apply(uuid, jsonb, text[], integer), baton_split(uuid),
    baton_import_absorb(uuid, bigint, bigint, text), baton_import_absorb_all(uuid),
    baton_import_customers(uuid, text, jsonb, text[]),
    baton_import_rows_of(uuid, text, text, jsonb, text[]), baton_import_resolve(text[]),
    baton_import_records(text, text), baton_import_stage(jsonb, text),
    baton_import_link(text, text, jsonb, text[]), baton_import_contacts(), baton_import_tickets(),
    baton_import_milestones(), baton_import_notes(), baton_import_marketing(),
    baton_import_surveys(), baton_import_jsonl_slowly() FROM PUBLIC;
-- Staff may call them, to be refused in words.
GRANT EXECUTE ON FUNCTION baton_import_begin(uuid, text, text, text, integer),
    baton_import_apply(uuid, jsonb, text[], integer), baton_split(uuid)
    TO baton_importer, baton_staff, baton_admin;
