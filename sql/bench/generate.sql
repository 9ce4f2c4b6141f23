-- Baton benchmark data generator.
--
--   psql -v ON_ERROR_STOP=1 -v scale=100000 -f sql/bench/generate.sql
--
-- Run as a superuser against a fresh database that has the schema
-- (sql/migrations/*.sql) applied and no customer data yet.  scale is the
-- number of customers (default 100000); everything else is proportional:
--
--   per customer   3 external ids (crm, helpdesk, billing), 2 contacts,
--                  ~20 tickets, ~5 success notes, ~10 marketing events,
--                  ~3 survey responses, ~10 handoffs with ~28 handoff events,
--                  7 onboarding milestones unless the customer is a prospect
--   once           4 teams, 40 staff (bench_staff_01 .. bench_staff_40) and,
--                  if missing, 40 login roles of the same names in baton_staff
--
-- The data is deterministic: every value is derived from the row number by
-- hashing (hashint8extended), so two runs at the same scale produce the same
-- rows; timestamps are relative to the moment the run starts (:t0).
-- Customers 1, 101, 201, ... are "key accounts" that get about ten times the
-- average share of tickets, handoffs, notes and campaigns: a worst case for
-- the customer screen.
--
-- Speed: set-based INSERT ... SELECT with explicit ids, triggers and foreign
-- key checks off (session_replication_role = replica; CHECK constraints are
-- still enforced), secondary indexes dropped during the load and rebuilt from
-- their saved definitions afterwards, then VACUUM ANALYZE.  No transaction
-- wraps the file (VACUUM cannot run in one).

\set ON_ERROR_STOP 1
\set QUIET on
\if :{?scale}
\else
\set scale 100000
\endif

\echo 'baton bench: generating data for' :scale 'customers'
SELECT set_config('baton_bench.n', (:'scale')::int::text, false) AS n_customers \gset
SELECT date_trunc('second', now()) AS t0 \gset

DO $$
DECLARE
    n int := current_setting('baton_bench.n')::int;
BEGIN
    IF n < 1 THEN
        RAISE EXCEPTION 'generate.sql: scale must be at least 1, not %', n;
    END IF;
    IF EXISTS (SELECT 1 FROM customer) OR EXISTS (SELECT 1 FROM handoff)
       OR EXISTS (SELECT 1 FROM ticket) THEN
        RAISE EXCEPTION 'generate.sql needs a database without customer data'
            USING HINT = 'Create a fresh database and apply sql/migrations first.';
    END IF;
END $$;

SET session_replication_role = replica;   -- no triggers, no FK checks
SET synchronous_commit = off;
SET maintenance_work_mem = '512MB';
SET work_mem = '128MB';
SET client_min_messages = warning;

-- Helpers (session-local) ------------------------------------------------------
-- All are simple IMMUTABLE SQL functions, which the planner inlines.

-- A pseudo-random integer in [0, m) for row k and stream salt.
CREATE FUNCTION pg_temp.h(k bigint, salt int, m int) RETURNS int
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT ((hashint8extended(k, salt) & 2147483647) % m)::int $$;

-- A pseudo-random double in [0, 1).
CREATE FUNCTION pg_temp.f(k bigint, salt int) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT (hashint8extended(k, salt) & 2147483647)::double precision / 2147483648.0 $$;

-- One element of a non-empty array.
CREATE FUNCTION pg_temp.pick(a text[], k bigint, salt int) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT a[1 + ((hashint8extended(k, salt) & 2147483647) % cardinality(a))::int] $$;

-- Zero-padded decimal, never truncated.
CREATE FUNCTION pg_temp.pad(i bigint, w int) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT CASE WHEN length(i::text) >= w THEN i::text ELSE lpad(i::text, w, '0') END $$;

-- ASCII slug of a name: "Société Lumière" -> "societelumiere".
CREATE FUNCTION pg_temp.slug(s text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT regexp_replace(lower(translate(s,
    'áàâäãåāçčćéèêëěíìîïłñńóòôöõøōřšśúùûüůýÿžźżæÁÀÂÄÃÅĀÇČĆÉÈÊËĚÍÌÎÏŁÑŃÓÒÔÖÕØŌŘŠŚÚÙÛÜŮÝŸŽŹŻÆ',
    'aaaaaaaccceeeeeiiiilnnooooooorssuuuuuyyzzzaaaaaaaaccceeeeeiiiilnnooooooorssuuuuuyyzzza')),
    '[^a-z0-9]', '', 'g') $$;

-- The customer that row k of a per-customer table belongs to: 10% go to the
-- key accounts (1, 101, 201, ...), the rest are spread evenly.
CREATE FUNCTION pg_temp.cust(k bigint, salt int, n int) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT CASE
    WHEN n >= 100 AND ((hashint8extended(k, salt) & 2147483647) % 100) < 10
    THEN 1 + 100 * ((hashint8extended(k, salt + 1) & 2147483647) % ((n - 1) / 100 + 1))
    ELSE 1 + ((hashint8extended(k, salt + 2) & 2147483647) % n) END $$;

-- Staff member k (any integer) of team number t (0 support, 1 success,
-- 2 onboarding, 3 marketing): bench_staff_01..10 are support, and so on.
CREATE FUNCTION pg_temp.staff(t int, k int) RETURNS name
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT ('bench_staff_' || lpad((t * 10 + abs(k) % 10 + 1)::text, 2, '0'))::name $$;

CREATE FUNCTION pg_temp.team(t int) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT (ARRAY['support', 'success', 'onboarding', 'marketing'])[t + 1] $$;

-- The first response / acknowledgement target of a priority.
CREATE FUNCTION pg_temp.sla(priority text) RETURNS interval
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT CASE priority WHEN 'urgent' THEN interval '1 hour' WHEN 'high' THEN interval '4 hours'
                           WHEN 'normal' THEN interval '1 day' ELSE interval '3 days' END $$;

-- Secondary indexes off during the load ------------------------------------------
-- Every index that backs no constraint is dropped and recreated at the end from
-- its own definition (pg_get_indexdef), so the schema comes back unchanged.
\echo 'baton bench: dropping secondary indexes for the load'
CREATE TEMP TABLE bench_saved_index AS
SELECT c.relname AS index_name, pg_get_indexdef(i.indexrelid) AS definition
FROM pg_index i
JOIN pg_class c ON c.oid = i.indexrelid
JOIN pg_class t ON t.oid = i.indrelid
JOIN pg_namespace ns ON ns.oid = t.relnamespace
WHERE ns.nspname = 'public'
  AND t.relname IN ('customer', 'customer_external_id', 'contact', 'milestone', 'ticket',
                    'success_note', 'marketing_event', 'survey_response', 'handoff',
                    'handoff_event')
  AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid);

SELECT format('DROP INDEX public.%I', index_name) FROM bench_saved_index \gexec

-- Teams and staff -------------------------------------------------------------------
\echo 'baton bench: teams and staff'
INSERT INTO team (id, name) VALUES
    ('support', 'Support'), ('success', 'Customer Success'),
    ('onboarding', 'Onboarding'), ('marketing', 'Marketing')
ON CONFLICT DO NOTHING;

INSERT INTO staff (role_name, display_name, team_id, is_lead, email, active)
SELECT pg_temp.staff(t, k),
       pg_temp.pick(ARRAY['Anna', 'Ben', 'Carla', 'David', 'Elena', 'Felix', 'Grace', 'Hiro',
                          'Ingrid', 'Jamal', 'Kateřina', 'Liam', 'María', 'Noah', 'Olivia',
                          'Pedro', 'Søren', 'Tomás', 'Zoë', 'Łukasz'], t * 10 + k, 1)
           || ' ' ||
       pg_temp.pick(ARRAY['Smith', 'García', 'Müller', 'Kowalski', 'Nakamura', 'O''Brien',
                          'Rossi', 'Dubois', 'Jensen', 'Novák', 'Okafor', 'Haddad'], t * 10 + k, 2),
       pg_temp.team(t), k = 0,
       pg_temp.staff(t, k) || '@baton.example', true
FROM generate_series(0, 3) AS t, generate_series(0, 9) AS k
ON CONFLICT DO NOTHING;

-- Login roles for the staff, so that benchmarks can connect as them.
DO $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT role_name FROM staff WHERE role_name LIKE 'bench\_staff\_%' LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r.role_name) THEN
            EXECUTE format('CREATE ROLE %I LOGIN IN ROLE baton_staff', r.role_name);
        END IF;
    END LOOP;
END $$;

-- Customers ---------------------------------------------------------------------------
\set QUIET off
\echo 'baton bench: customers'
INSERT INTO customer (id, name, domain, plan, segment, lifecycle, onboarding_health,
                      owner, renewal_date, created_at, updated_at)
SELECT i,
       w.brand || ' ' || w.industry || ' ' || pg_temp.pad(i, 5),
       pg_temp.slug(w.brand) || pg_temp.slug(w.industry) || i || '.example',
       p.plan,
       CASE WHEN p.plan IN ('free', 'starter') THEN 'smb'
            WHEN p.plan = 'growth' THEN (ARRAY['smb', 'mid-market'])[1 + pg_temp.h(i, 5, 2)]
            WHEN p.plan = 'pro' THEN 'mid-market'
            WHEN i % 100 = 1 THEN 'strategic'
            ELSE (ARRAY['enterprise', 'strategic'])[1 + pg_temp.h(i, 5, 2)] END,
       l.lifecycle,
       CASE l.lifecycle
            WHEN 'prospect' THEN NULL
            WHEN 'onboarding' THEN CASE WHEN pg_temp.h(i, 6, 100) < 55 THEN 'on_track'
                                        WHEN pg_temp.h(i, 6, 100) < 80 THEN 'at_risk'
                                        ELSE 'off_track' END
            ELSE 'done' END,
       CASE WHEN pg_temp.h(i, 7, 10) = 0 AND i % 100 <> 1 THEN NULL
            ELSE pg_temp.staff(1, pg_temp.h(i, 8, 10)) END,
       CASE l.lifecycle
            WHEN 'prospect' THEN NULL
            WHEN 'churned' THEN :'t0'::date - pg_temp.h(i, 9, 300)
            WHEN 'renewing' THEN :'t0'::date + pg_temp.h(i, 9, 60)
            WHEN 'at-risk' THEN :'t0'::date + pg_temp.h(i, 9, 120)
            ELSE :'t0'::date + 30 + pg_temp.h(i, 9, 335) END,
       l.created_at,
       l.created_at + (:'t0'::timestamptz - l.created_at) * pg_temp.f(i, 10)
FROM generate_series(1, :n_customers) AS i
CROSS JOIN LATERAL (SELECT
    pg_temp.pick(ARRAY['Northwind', 'Contoso', 'Fabrikam', 'Globex', 'Initech', 'Umbrella',
                       'Acme', 'Hooli', 'Vandelay', 'Tyrell', 'Cyberdyne', 'Soylent', 'Wonka',
                       'Sterling', 'Dunmore', 'Bluth', 'Prestige', 'Monarch', 'Aperture',
                       'Black Mesa', 'Zenith', 'Apex', 'Summit', 'Evergreen', 'Bluebird',
                       'Redwood', 'Silverline', 'Ironclad', 'Lakeside', 'Harbor', 'Pinnacle',
                       'Horizon', 'Keystone', 'Meridian', 'Orion', 'Polaris', 'Quantum',
                       'Riverside', 'Sunrise', 'Trident', 'Vertex', 'Westfield', 'Zürich',
                       'Müller & Söhne', 'Société Lumière', 'Łódź', 'São Paulo', 'Ōsaka'],
                 i, 1) AS brand,
    pg_temp.pick(ARRAY['Health', 'Logistics', 'Foods', 'Capital', 'Labs', 'Systems',
                       'Analytics', 'Energy', 'Media', 'Retail', 'Robotics', 'Bank',
                       'Insurance', 'Travel', 'Studios', 'Pharma', 'Motors', 'Telecom',
                       'Software', 'Consulting', 'Dynamics', 'Networks', 'Solutions',
                       'Industries', 'Partners', 'Ventures', 'Biotech', 'Airlines', 'Hotels',
                       'Education', 'Games', 'Security'],
                 i, 2) AS industry) AS w
CROSS JOIN LATERAL (SELECT
    CASE WHEN i % 100 = 1 THEN 'enterprise'
         WHEN pg_temp.h(i, 3, 100) < 10 THEN 'free'
         WHEN pg_temp.h(i, 3, 100) < 45 THEN 'starter'
         WHEN pg_temp.h(i, 3, 100) < 75 THEN 'growth'
         WHEN pg_temp.h(i, 3, 100) < 92 THEN 'pro'
         ELSE 'enterprise' END AS plan) AS p
CROSS JOIN LATERAL (SELECT x.lifecycle,
    :'t0'::timestamptz - make_interval(days => CASE x.lifecycle
            WHEN 'prospect'   THEN 1 + pg_temp.h(i, 11, 60)
            WHEN 'onboarding' THEN 5 + pg_temp.h(i, 11, 115)
            WHEN 'adopting'   THEN 120 + pg_temp.h(i, 11, 240)
            ELSE 365 + pg_temp.h(i, 11, 1400) END,
        secs => pg_temp.h(i, 12, 86400)) AS created_at
    FROM (SELECT CASE
            WHEN i % 100 = 1 THEN (ARRAY['established', 'renewing', 'at-risk'])[1 + pg_temp.h(i, 4, 3)]
            WHEN pg_temp.h(i, 4, 100) < 5  THEN 'prospect'
            WHEN pg_temp.h(i, 4, 100) < 25 THEN 'onboarding'
            WHEN pg_temp.h(i, 4, 100) < 40 THEN 'adopting'
            WHEN pg_temp.h(i, 4, 100) < 80 THEN 'established'
            WHEN pg_temp.h(i, 4, 100) < 88 THEN 'renewing'
            WHEN pg_temp.h(i, 4, 100) < 95 THEN 'at-risk'
            ELSE 'churned' END AS lifecycle) AS x) AS l;

\echo 'baton bench: external ids'
-- Each system's id is a bijection of the customer number, hence unique.
INSERT INTO customer_external_id (system, external_id, customer_id)
SELECT s.system,
       CASE s.system
            WHEN 'crm' THEN '001' || lpad(upper(to_hex((c.id * 48271) % 2147483647)), 8, '0')
                            || upper(substr(md5('crm' || c.id), 1, 4))
            WHEN 'helpdesk' THEN (360000000000 + (c.id * 16807) % 2147483647)::text
            ELSE 'cus_' || lpad(to_hex((c.id * 69621) % 2147483647), 8, '0')
                        || substr(md5('billing' || c.id), 1, 6) END,
       c.id
FROM customer c
CROSS JOIN (VALUES ('crm'), ('helpdesk'), ('billing')) AS s(system);

\echo 'baton bench: contacts'
-- Contact ids are (customer - 1) * 2 + 1 (primary) and + 2.
INSERT INTO contact (id, customer_id, name, email, title, is_primary)
SELECT (c.id - 1) * 2 + k, c.id, x.first || ' ' || x.last,
       pg_temp.slug(x.first) || '.' || pg_temp.slug(x.last) || '@' || c.domain,
       pg_temp.pick(ARRAY['CTO', 'Head of Operations', 'IT Manager', 'Office Manager',
                          'VP Customer Experience', 'Finance Director', 'Project Lead',
                          'Founder', 'Procurement Manager', 'Data Engineer'], c.id * 2 + k, 23),
       k = 1
FROM customer c
CROSS JOIN generate_series(1, 2) AS k
CROSS JOIN LATERAL (SELECT
    pg_temp.pick(ARRAY['Anna', 'Ben', 'Carla', 'David', 'Elena', 'Felix', 'Grace', 'Hiro',
                       'Ingrid', 'Jamal', 'Kateřina', 'Liam', 'María', 'Noah', 'Olivia',
                       'Pedro', 'Qiu', 'Rosa', 'Søren', 'Tomás', 'Uma', 'Victor', 'Wei',
                       'Ximena', 'Yusuf', 'Zoë', 'Aoife', 'Björn', 'Chloé', 'Dmitri', 'Emeka',
                       'Fatima', 'Giulia', 'Hannah', 'Isabel', 'José', 'Keiko', 'Łukasz',
                       'Mei', 'Nils'], c.id * 2 + k, 21) AS first,
    pg_temp.pick(ARRAY['Smith', 'García', 'Müller', 'Kowalski', 'Nakamura', 'O''Brien',
                       'Rossi', 'Dubois', 'Jensen', 'Novák', 'Silva', 'Kim', 'Nguyen', 'Patel',
                       'Johansson', 'Schmidt', 'Fernández', 'Ivanova', 'Okafor', 'Haddad',
                       'Brown', 'Wilson', 'Taylor', 'Martin', 'Lefèvre', 'Costa', 'Yilmaz',
                       'Andersson', 'Horvat', 'Papadopoulos', 'Chen', 'Singh', 'Murphy',
                       'Kelly', 'Cohen', 'Moreau', 'Novak', 'Wójcik', 'Ferreira', 'Larsen'],
                 c.id * 2 + k, 22) AS last) AS x;

-- Onboarding milestones -------------------------------------------------------------
-- Seven per customer that has started onboarding: customers in onboarding
-- are part-way through (health decides in_progress / blocked), everyone past
-- it has them done (a few skipped).  Ids are (customer - 1) * 7 + position.
\echo 'baton bench: milestones'
INSERT INTO milestone (id, customer_id, position, title, status, owner, due_date,
                       completed_at, blocked_reason)
SELECT (c.id - 1) * 7 + p, c.id, p,
       (ARRAY['Kickoff call', 'Technical setup', 'Data migration', 'Integrations',
              'Team training', 'Go-live', 'Handover to customer success'])[p],
       s.status,
       pg_temp.staff(2, pg_temp.h(c.id, 31, 10)),
       (c.created_at + make_interval(days => 10 * p))::date,
       CASE WHEN s.status = 'done'
            THEN least(:'t0'::timestamptz - interval '1 hour',
                       c.created_at + make_interval(days => 8 * p, hours => pg_temp.h(c.id * 7 + p, 32, 72)))
       END,
       CASE WHEN s.status = 'blocked'
            THEN pg_temp.pick(ARRAY['Waiting for customer API credentials',
                                    'Source data export is incomplete',
                                    'Customer IT has not approved SSO',
                                    'Key stakeholder on leave',
                                    'Contract amendment pending'], c.id, 33)
       END
FROM customer c
CROSS JOIN generate_series(1, 7) AS p
CROSS JOIN LATERAL (SELECT CASE
    WHEN c.lifecycle <> 'onboarding' THEN
        CASE WHEN p IN (4, 5) AND pg_temp.h(c.id * 7 + p, 34, 100) < 8 THEN 'skipped' ELSE 'done' END
    WHEN p <= pg_temp.h(c.id, 35, 7) THEN 'done'
    WHEN p = pg_temp.h(c.id, 35, 7) + 1 THEN
        CASE c.onboarding_health WHEN 'off_track' THEN 'blocked' ELSE 'in_progress' END
    ELSE 'pending' END AS status) AS s
WHERE c.lifecycle <> 'prospect';

-- Tickets -----------------------------------------------------------------------------
-- ~20 per customer (key accounts ~220), ~10% not yet solved and recent.
\echo 'baton bench: tickets'
INSERT INTO ticket (id, customer_id, subject, body, status, priority, category, assignee,
                    requester_id, opened_at, updated_at, sla_due_at, solved_at)
SELECT g.t, c.id,
       CASE x.category
            WHEN 'question' THEN pg_temp.pick(ARRAY['Question about', 'How to configure', 'Clarification on'], g.t, 101)
            WHEN 'bug' THEN pg_temp.pick(ARRAY['Error when saving', 'Crash in', 'Broken', 'Unexpected behaviour in', 'Timeouts in'], g.t, 101)
            WHEN 'billing' THEN pg_temp.pick(ARRAY['Duplicate charge for', 'Invoice question about', 'Refund request for'], g.t, 101)
            WHEN 'migration' THEN pg_temp.pick(ARRAY['Missing data after migrating', 'Import failed for', 'Migration of'], g.t, 101)
            WHEN 'onboarding' THEN pg_temp.pick(ARRAY['Setup help with', 'Training request for', 'Kickoff follow-up on'], g.t, 101)
            WHEN 'complaint' THEN pg_temp.pick(ARRAY['Unhappy with', 'Escalation about', 'Same problem again with'], g.t, 101)
            WHEN 'feature_request' THEN pg_temp.pick(ARRAY['Feature request:', 'Please add support for', 'Would like better'], g.t, 101)
            ELSE pg_temp.pick(ARRAY['Follow-up on', 'General enquiry about'], g.t, 101) END
       || ' ' ||
       pg_temp.pick(ARRAY['invoices', 'user accounts', 'the API', 'SSO login', 'CSV export',
                          'reports', 'dashboards', 'webhooks', 'permissions', 'notifications',
                          'the mobile app', 'integrations', 'contacts', 'the sync job',
                          'audit log', 'billing portal'], g.t, 102),
       'Reported via ' || pg_temp.pick(ARRAY['e-mail', 'chat', 'phone', 'the web form'], g.t, 103)
       || '. ' ||
       pg_temp.pick(ARRAY['The customer says it worked fine until last week.',
                          'Several users are affected, screenshots attached.',
                          'Happens only for some accounts, not reproducible yet.',
                          'They need this resolved before their month-end close.',
                          'Customer asked for a call back tomorrow morning.',
                          'Logs show intermittent 502 responses from the gateway.',
                          'Workaround provided; customer wants a permanent fix.',
                          'This is the second time they raise this.'], g.t, 104)
       || ' Ref #' || g.t || '.',
       x.status, x.priority, x.category,
       CASE WHEN x.status = 'new' AND pg_temp.h(g.t, 105, 2) = 0 THEN NULL
            ELSE pg_temp.staff(0, pg_temp.h(g.t, 106, 10)) END,
       (c.id - 1) * 2 + 1 + pg_temp.h(g.t, 107, 2),
       y.opened_at,
       coalesce(y.solved_at,
                y.opened_at + (:'t0'::timestamptz - y.opened_at) * pg_temp.f(g.t, 108)),
       y.opened_at + CASE x.priority WHEN 'urgent' THEN interval '4 hours'
                                     WHEN 'high' THEN interval '8 hours'
                                     WHEN 'normal' THEN interval '1 day'
                                     ELSE interval '3 days' END,
       y.solved_at
FROM (SELECT t, pg_temp.cust(t, 100, :n_customers) AS cid
      FROM generate_series(1, 20 * :n_customers::bigint) AS t) AS g
JOIN customer c ON c.id = g.cid
CROSS JOIN LATERAL (SELECT
    CASE WHEN pg_temp.h(g.t, 110, 100) < 10
         THEN (ARRAY['new', 'open', 'open', 'open', 'open', 'pending', 'pending', 'on_hold', 'open', 'new'])
              [1 + pg_temp.h(g.t, 111, 10)]
         WHEN pg_temp.h(g.t, 111, 10) < 3 THEN 'solved'
         ELSE 'closed' END AS status,
    CASE WHEN pg_temp.h(g.t, 112, 100) < 3 THEN 'urgent'
         WHEN pg_temp.h(g.t, 112, 100) < 15 THEN 'high'
         WHEN pg_temp.h(g.t, 112, 100) < 75 THEN 'normal'
         ELSE 'low' END AS priority,
    CASE WHEN c.lifecycle = 'onboarding' AND pg_temp.h(g.t, 113, 100) < 30
         THEN (ARRAY['migration', 'onboarding'])[1 + pg_temp.h(g.t, 114, 2)]
         ELSE (ARRAY['question', 'question', 'question', 'bug', 'bug', 'bug', 'billing',
                     'billing', 'feature_request', 'feature_request', 'complaint',
                     'migration', 'onboarding', 'other', 'question', 'bug'])
              [1 + pg_temp.h(g.t, 115, 16)] END AS category) AS x
CROSS JOIN LATERAL (SELECT z.opened_at,
    CASE WHEN x.status IN ('solved', 'closed')
         THEN least(:'t0'::timestamptz,
                    z.opened_at + make_interval(mins => 10 + pg_temp.h(g.t, 116, 20160)))
    END AS solved_at
    FROM (SELECT CASE
        WHEN x.status IN ('solved', 'closed') THEN
            :'t0'::timestamptz - least(interval '730 days', :'t0'::timestamptz - c.created_at)
                                 * pg_temp.f(g.t, 117)
        ELSE  -- unsolved tickets are recent, most of them very recent
            :'t0'::timestamptz - least(interval '60 days', :'t0'::timestamptz - c.created_at)
                                 * power(pg_temp.f(g.t, 117), 2)
        END AS opened_at) AS z) AS y;

-- Success notes, marketing, surveys ------------------------------------------------------
\echo 'baton bench: success notes'
INSERT INTO success_note (id, customer_id, kind, author, body, created_at) OVERRIDING SYSTEM VALUE
SELECT g.s, c.id,
       (ARRAY['note', 'note', 'note', 'note', 'call', 'call', 'call', 'meeting', 'meeting',
              'qbr', 'email', 'email'])[1 + pg_temp.h(g.s, 201, 12)],
       pg_temp.staff(CASE WHEN pg_temp.h(g.s, 202, 10) < 8 THEN 1 ELSE 2 END, pg_temp.h(g.s, 203, 10)),
       pg_temp.pick(ARRAY['Checked in with the primary contact.',
                          'Quarterly review: usage is up, the team is happy with reporting.',
                          'Customer mentioned budget pressure for next year.',
                          'Walked through the new dashboards; they want SSO next.',
                          'Champion is leaving the company; need a new sponsor.',
                          'Discussed renewal timeline and pricing concerns.',
                          'Escalated the open API issue to support leadership.',
                          'Agreed on a success plan with three goals for this quarter.',
                          'Low adoption in the finance team; offered a training session.',
                          'Customer wants to expand to two more departments.'], g.s, 204)
       || CASE WHEN pg_temp.h(g.s, 205, 3) = 0 THEN E'\n\nNext step: '
               || pg_temp.pick(ARRAY['follow up in two weeks.', 'send the recap by e-mail.',
                                     'book a call with their CTO.', 'loop in support on the ticket.',
                                     'share the onboarding checklist again.'], g.s, 206)
               ELSE '' END,
       :'t0'::timestamptz - least(interval '730 days', :'t0'::timestamptz - c.created_at)
                            * pg_temp.f(g.s, 207)
FROM (SELECT s, pg_temp.cust(s, 200, :n_customers) AS cid
      FROM generate_series(1, 5 * :n_customers::bigint) AS s) AS g
JOIN customer c ON c.id = g.cid;

\echo 'baton bench: marketing events'
-- ~85% sent, ~10% scheduled in the coming weeks, ~5% cancelled.
INSERT INTO marketing_event (id, customer_id, campaign, kind, channel, status, scheduled_at, sent_at)
SELECT g.m, c.id,
       (ARRAY['Monthly newsletter', 'Product update', 'Upgrade to Pro', 'Add more seats',
              'Renewal reminder', 'Your renewal is coming up', 'Webinar: automations 101',
              'Webinar: reporting deep dive', 'Getting started series', 'Best practices series',
              'Customer survey', 'Annual conference invitation'])[1 + x.cmp]
       || ' ' || to_char(coalesce(y.sent_at, y.scheduled_at) AT TIME ZONE 'UTC', 'YYYY-MM'),
       (ARRAY['newsletter', 'announcement', 'upsell', 'upsell', 'renewal', 'renewal',
              'webinar', 'webinar', 'nurture', 'nurture', 'survey', 'announcement'])[1 + x.cmp],
       CASE WHEN x.cmp IN (6, 7) THEN 'webinar'
            WHEN x.cmp = 11 THEN 'event'
            WHEN pg_temp.h(g.m, 302, 100) < 12 THEN 'in_app'
            WHEN pg_temp.h(g.m, 302, 100) < 15 THEN 'sms'
            ELSE 'email' END,
       x.status, y.scheduled_at, y.sent_at
FROM (SELECT m, pg_temp.cust(m, 300, :n_customers) AS cid
      FROM generate_series(1, 10 * :n_customers::bigint) AS m) AS g
JOIN customer c ON c.id = g.cid
CROSS JOIN LATERAL (SELECT pg_temp.h(g.m, 301, 12) AS cmp,
    CASE WHEN pg_temp.h(g.m, 303, 100) < 85 THEN 'sent'
         WHEN pg_temp.h(g.m, 303, 100) < 95 THEN 'scheduled'
         ELSE 'cancelled' END AS status) AS x
CROSS JOIN LATERAL (SELECT
    CASE WHEN x.status = 'sent' AND pg_temp.h(g.m, 304, 2) = 0 THEN NULL
         WHEN x.status = 'sent' THEN z.past - interval '5 minutes'
         ELSE z.future END AS scheduled_at,
    CASE WHEN x.status = 'sent' THEN z.past END AS sent_at
    FROM (SELECT
        :'t0'::timestamptz - least(interval '730 days', :'t0'::timestamptz - c.created_at)
                             * pg_temp.f(g.m, 305) AS past,
        :'t0'::timestamptz + make_interval(mins => 30 + pg_temp.h(g.m, 306, 64800)) AS future) AS z) AS y;

\echo 'baton bench: survey responses'
INSERT INTO survey_response (id, customer_id, contact_id, kind, score, comment, responded_at)
SELECT g.r, c.id,
       CASE WHEN pg_temp.h(g.r, 401, 10) = 0 THEN NULL
            ELSE (c.id - 1) * 2 + 1 + pg_temp.h(g.r, 402, 2) END,
       x.kind,
       CASE x.kind
            WHEN 'nps' THEN (ARRAY[0, 1, 2, 3, 4, 5, 6, 6, 7, 7, 8, 8, 8, 9, 9, 9, 9, 10, 10, 10])
                            [1 + pg_temp.h(g.r, 403, 20)]
            WHEN 'csat' THEN (ARRAY[1, 2, 3, 3, 4, 4, 4, 5, 5, 5])[1 + pg_temp.h(g.r, 403, 10)]
            ELSE 1 + pg_temp.h(g.r, 403, 7) END,
       CASE WHEN pg_temp.h(g.r, 404, 10) < 3
            THEN pg_temp.pick(ARRAY['Great support, thanks!', 'Too slow to get an answer.',
                                    'The new reports are very useful.',
                                    'I had to explain the problem three times.',
                                    'Onboarding took longer than promised.',
                                    'Love the product, pricing is steep.'], g.r, 405)
       END,
       :'t0'::timestamptz - least(interval '730 days', :'t0'::timestamptz - c.created_at)
                            * pg_temp.f(g.r, 406)
FROM (SELECT r, pg_temp.cust(r, 400, :n_customers) AS cid
      FROM generate_series(1, 3 * :n_customers::bigint) AS r) AS g
JOIN customer c ON c.id = g.cid
CROSS JOIN LATERAL (SELECT CASE WHEN pg_temp.h(g.r, 407, 100) < 50 THEN 'nps'
                                WHEN pg_temp.h(g.r, 407, 100) < 85 THEN 'csat'
                                ELSE 'ces' END AS kind) AS x;

-- Handoffs -------------------------------------------------------------------------------
-- 10 per customer: every fifth ticket was handed off (handoff number = ticket
-- id / 5, linked to the ticket, ~4 per customer), the other ~6 per customer
-- stand alone.  ~5% open, ~5% acknowledged, the rest resolved or cancelled.
-- Handoff k has id md5('baton-bench-handoff-' || k)::uuid.
\echo 'baton bench: handoffs'
INSERT INTO handoff (id, customer_id, from_team, to_team, to_staff, reason, priority,
                     ticket_id, note, state, author, created_at, ack_due_at,
                     acknowledged_at, acknowledged_by, closed_at, closed_by, version)
SELECT md5('baton-bench-handoff-' || b.hn)::uuid, b.customer_id,
       pg_temp.team(b.from_t), pg_temp.team(b.to_t), s.to_staff,
       CASE b.to_t
            WHEN 0 THEN pg_temp.pick(ARRAY['technical question', 'escalation', 'bug report'], b.hn, 501)
            WHEN 1 THEN pg_temp.pick(ARRAY['renewal risk', 'churn risk', 'upsell opportunity',
                                           'complaint', 'billing question'], b.hn, 501)
            WHEN 2 THEN pg_temp.pick(ARRAY['onboarding blocked', 'data migration', 'training needed'], b.hn, 501)
            ELSE pg_temp.pick(ARRAY['case study', 'campaign opt-out', 'event invitation',
                                    'reference request'], b.hn, 501) END,
       b.priority, b.ticket_id,
       pg_temp.pick(ARRAY['Customer called about this again, please take over.',
                          'They asked for someone who can decide on pricing.',
                          'Background is in the linked ticket; the customer is frustrated.',
                          'Handing over after the kickoff; notes from the call below.',
                          'Please reach out before the end of the week.',
                          'Contact prefers e-mail, not phone.',
                          'Not urgent, but they mentioned it twice.'], b.hn, 502)
       || CASE WHEN pg_temp.h(b.hn, 503, 4) = 0
               THEN E'\n\n- what they tried: ' || pg_temp.pick(ARRAY['re-import', 'new API key', 'browser cache',
                                                                  'another admin account'], b.hn, 504)
                    || E'\n- what they expect: a call back'
               ELSE '' END,
       b.state, s.author, b.created_at, b.created_at + pg_temp.sla(b.priority),
       a.acknowledged_at,
       CASE WHEN a.acknowledged_at IS NOT NULL THEN s.acker END,
       a.closed_at,
       CASE b.state WHEN 'resolved' THEN s.acker WHEN 'cancelled' THEN s.author END,
       1 + (a.acknowledged_at IS NOT NULL)::int + (a.closed_at IS NOT NULL)::int
FROM (
    -- The common attributes, from either source, then the dependent ones.
    SELECT src.*,
        CASE WHEN src.ticket_id IS NOT NULL THEN
                 least(:'t0'::timestamptz, src.anchor + make_interval(mins => 5 + pg_temp.h(src.hn, 510, 4320)))
             WHEN src.state IN ('open', 'acknowledged') AND pg_temp.h(src.hn, 511, 100) < 80 THEN
                 :'t0'::timestamptz - least(interval '30 days', :'t0'::timestamptz - src.anchor)
                                      * power(pg_temp.f(src.hn, 512), 2)
             WHEN src.state IN ('open', 'acknowledged') THEN
                 :'t0'::timestamptz - least(interval '180 days', :'t0'::timestamptz - src.anchor)
                                      * pg_temp.f(src.hn, 512)
             ELSE
                 :'t0'::timestamptz - least(interval '730 days', :'t0'::timestamptz - src.anchor)
                                      * pg_temp.f(src.hn, 512)
        END AS created_at
    FROM (
        -- Handed-off tickets; anchor = when the ticket was opened.
        SELECT t.id / 5 AS hn, t.customer_id, t.id AS ticket_id, t.priority, t.opened_at AS anchor,
               CASE WHEN pg_temp.h(t.id, 520, 100) < 85 THEN 0 ELSE 1 + pg_temp.h(t.id, 521, 2) END AS from_t,
               CASE WHEN t.category IN ('migration', 'onboarding') THEN 2 ELSE 1 END AS to_t0,
               CASE WHEN t.status IN ('solved', 'closed') THEN
                        CASE WHEN pg_temp.h(t.id, 522, 100) < 90 THEN 'resolved' ELSE 'cancelled' END
                    ELSE (ARRAY['open', 'open', 'open', 'open', 'open', 'open', 'open',
                                'acknowledged', 'acknowledged', 'acknowledged', 'acknowledged',
                                'acknowledged', 'acknowledged', 'acknowledged',
                                'resolved', 'resolved', 'resolved', 'resolved', 'cancelled',
                                'cancelled'])[1 + pg_temp.h(t.id, 522, 20)] END AS state
        FROM ticket t
        WHERE t.id % 5 = 0
        UNION ALL
        -- Stand-alone handoffs; anchor = when the customer was created.
        SELECT g.hn, c.id, NULL::bigint,
               CASE WHEN pg_temp.h(g.hn, 530, 100) < 5 THEN 'urgent'
                    WHEN pg_temp.h(g.hn, 530, 100) < 20 THEN 'high'
                    WHEN pg_temp.h(g.hn, 530, 100) < 85 THEN 'normal'
                    ELSE 'low' END,
               c.created_at,
               pg_temp.h(g.hn, 531, 4),
               -1,
               CASE WHEN pg_temp.h(g.hn, 532, 100) < 6 THEN 'open'
                    WHEN pg_temp.h(g.hn, 532, 100) < 12 THEN 'acknowledged'
                    WHEN pg_temp.h(g.hn, 532, 100) < 90 THEN 'resolved'
                    ELSE 'cancelled' END
        FROM (SELECT 4 * :n_customers::bigint + j AS hn
              FROM generate_series(1, 6 * :n_customers::bigint) AS j) AS g
        JOIN customer c ON c.id = pg_temp.cust(g.hn, 540, :n_customers)
    ) AS src
) AS b0
CROSS JOIN LATERAL (SELECT b0.*,
    -- to_t0 = -1: any team but the sender's; otherwise the ticket's team,
    -- unless that is the sender's own, then back to support.
    CASE WHEN b0.to_t0 < 0 THEN (b0.from_t + 1 + pg_temp.h(b0.hn, 533, 3)) % 4
         WHEN b0.to_t0 = b0.from_t THEN 0
         ELSE b0.to_t0 END AS to_t) AS b
CROSS JOIN LATERAL (SELECT
    CASE WHEN pg_temp.h(b.hn, 550, 100) < 35 THEN pg_temp.staff(b.to_t, pg_temp.h(b.hn, 551, 10)) END AS to_staff,
    pg_temp.staff(b.from_t, pg_temp.h(b.hn, 552, 10)) AS author,
    CASE WHEN pg_temp.h(b.hn, 550, 100) < 35 THEN pg_temp.staff(b.to_t, pg_temp.h(b.hn, 551, 10))
         ELSE pg_temp.staff(b.to_t, pg_temp.h(b.hn, 553, 10)) END AS acker) AS s
CROSS JOIN LATERAL (SELECT ack.acknowledged_at,
    CASE b.state
         WHEN 'resolved' THEN least(:'t0'::timestamptz,
                                    ack.acknowledged_at + make_interval(mins => 30 + pg_temp.h(b.hn, 560, 10080)))
         WHEN 'cancelled' THEN least(:'t0'::timestamptz,
                                     coalesce(ack.acknowledged_at, b.created_at)
                                     + make_interval(mins => 5 + pg_temp.h(b.hn, 561, 4320)))
    END AS closed_at
    FROM (SELECT CASE
        WHEN b.state = 'open' THEN NULL
        WHEN b.state = 'cancelled' AND pg_temp.h(b.hn, 562, 2) = 0 THEN NULL
        -- Mostly within the SLA; about one in five breached it.
        ELSE least(:'t0'::timestamptz,
                   b.created_at + pg_temp.sla(b.priority) * (0.05 + 1.5 * power(pg_temp.f(b.hn, 563), 2)))
        END AS acknowledged_at) AS ack) AS a;

\echo 'baton bench: handoff events'
-- The history of each handoff: created, then acknowledged, then resolved or
-- cancelled, each by the person stamped on the handoff.
INSERT INTO handoff_event (id, handoff_id, kind, actor, at, comment, to_team, to_staff)
SELECT md5(h.id::text || '/' || e.kind)::uuid, h.id, e.kind, e.actor, e.at, e.comment,
       e.to_team, e.to_staff
FROM handoff h
CROSS JOIN LATERAL (VALUES
    ('created', h.author, h.created_at, NULL::text, h.to_team, h.to_staff),
    ('acknowledged', h.acknowledged_by, h.acknowledged_at, NULL, NULL, NULL),
    (h.state, h.closed_by, h.closed_at,
     CASE h.state WHEN 'resolved' THEN
              (ARRAY['Called the customer, sorted.', 'Done, see ticket.', 'Customer confirmed.',
                     'Explained the options; they will decide next week.', NULL, NULL])
              [1 + (get_byte(uuid_send(h.id), 0) % 6)]
          ELSE (ARRAY['Duplicate of another handoff.', 'Customer sorted it out themselves.',
                      'Wrong team, handled directly.', NULL])
              [1 + (get_byte(uuid_send(h.id), 0) % 4)] END,
     NULL, NULL)
) AS e(kind, actor, at, comment, to_team, to_staff)
WHERE e.at IS NOT NULL;

-- Afterwards -------------------------------------------------------------------------------
\set QUIET on
\echo 'baton bench: identity sequences'
SELECT setval(pg_get_serial_sequence('public.' || tbl, 'id'), m)
FROM (VALUES ('customer', (SELECT max(id) FROM customer)),
             ('contact', (SELECT max(id) FROM contact)),
             ('milestone', (SELECT max(id) FROM milestone)),
             ('ticket', (SELECT max(id) FROM ticket)),
             ('success_note', (SELECT max(id) FROM success_note)),
             ('marketing_event', (SELECT max(id) FROM marketing_event)),
             ('survey_response', (SELECT max(id) FROM survey_response))) AS s(tbl, m)
WHERE m IS NOT NULL \g /dev/null

RESET session_replication_role;

\echo 'baton bench: rebuilding secondary indexes'
SELECT definition FROM bench_saved_index \gexec
DROP TABLE bench_saved_index;

\echo 'baton bench: vacuum analyze'
VACUUM (ANALYZE) team, staff, customer, customer_external_id, contact, milestone, ticket,
    success_note, marketing_event, survey_response, handoff, handoff_event;

-- The data went in without triggers: the signals' cache (migration 009)
-- knows nothing of it.  One set-based fill, timed for the report.
\echo 'baton bench: the signals cache (baton_signal_refill)'
SELECT clock_timestamp() AS fill_t0 \gset
SELECT baton_signal_refill() AS fill_signals \gset
SELECT round(extract(epoch FROM clock_timestamp() - :'fill_t0'::timestamptz)::numeric, 1) AS fill_s \gset
\echo 'baton bench: signals cache filled:' :fill_signals 'signals in' :fill_s 's'
VACUUM (ANALYZE) customer_signal, customer_signal_state;

-- Nor do the queue's totals (migrations 014, 025: the counts and the buckets of
-- the medians, kept by triggers): filled as 014 fills them, so that the
-- counts and medians read what they read on a real database, not empty
-- tables.
\echo 'baton bench: the queue totals (baton_queue_totals_sql)'
DO $$
BEGIN
    EXECUTE (baton_queue_totals_sql(
        'SELECT 1 AS s, h.*, c.segment AS seg FROM handoff h JOIN customer c ON c.id = h.customer_id'
        ' WHERE h.state IN (''open'', ''acknowledged'')'))[1];
    EXECUTE (baton_queue_totals_sql(
        'SELECT 1 AS s, h.*, c.segment AS seg FROM handoff h JOIN customer c ON c.id = h.customer_id'
        ' WHERE h.acknowledged_at >= now() - interval ''31 days'''))[2];
    -- The open ones with a deadline by hour of it (migration 025), the
    -- hours past folded.
    EXECUTE (baton_queue_totals_sql(
        'SELECT 1 AS s, h.*, c.segment AS seg FROM handoff h JOIN customer c ON c.id = h.customer_id'
        ' WHERE h.state = ''open'' AND h.ack_due_at IS NOT NULL'))[5];
    PERFORM baton_queue_due_fold();
END $$;
VACUUM (ANALYZE) queue_total, queue_ack_hist, queue_due;

\echo 'baton bench: done'
SELECT 'customer' AS "table", count(*) AS rows FROM customer
UNION ALL SELECT 'customer_external_id', count(*) FROM customer_external_id
UNION ALL SELECT 'contact', count(*) FROM contact
UNION ALL SELECT 'milestone', count(*) FROM milestone
UNION ALL SELECT 'ticket', count(*) FROM ticket
UNION ALL SELECT 'success_note', count(*) FROM success_note
UNION ALL SELECT 'marketing_event', count(*) FROM marketing_event
UNION ALL SELECT 'survey_response', count(*) FROM survey_response
UNION ALL SELECT 'handoff', count(*) FROM handoff
UNION ALL SELECT 'handoff_event', count(*) FROM handoff_event
UNION ALL SELECT 'staff', count(*) FROM staff
UNION ALL SELECT 'team', count(*) FROM team
ORDER BY 1;
SELECT pg_size_pretty(pg_database_size(current_database())) AS database_size;
