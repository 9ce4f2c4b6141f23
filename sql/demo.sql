-- Baton demo world.
--
-- Loaded by `make demo` into a fresh database that already has the schema
-- (sql/migrations/) applied, as a superuser, in one transaction:
--
--     psql -v ON_ERROR_STOP=1 -q -1 -f sql/demo.sql
--
-- Everything here is deterministic: "random" choices come from md5() of a
-- label, never from random(), so every load tells the same stories.  Every
-- timestamp is relative to now() (the start of the transaction), so the
-- stories stay true whenever the demo is loaded.
--
-- The login roles are cluster-wide and may already exist (a second demo
-- database in the same cluster): they are created only when missing.
--
-- Authors are never faked: handoffs, handoff events and success notes are
-- written under SET SESSION AUTHORIZATION as the staff member who wrote them,
-- so the schema's author triggers stamp the right person, and every
-- constraint, foreign key and privilege check stays active.
--
-- The stories (customer ids are fixed; see also PRODUCT.md "Demo world"):
--   1 Northwind Health      onboarding "on track" while three migration tickets
--                          are open; Support -> Success escalation waiting
--                          unacknowledged for two days (handoff md5('handoff-1')).
--   2 Café Lumière         refunded a duplicate charge three days ago, fresh
--                          complaint, "Upgrade to Pro" upsell scheduled in 6 days.
--   3 Blue Fjord AB        onboarding blocker: urgent SSO ticket, Onboarding ->
--                          Support handoff 9 hours old, not acknowledged.
--   4 North Star Logistics renewing, no open tickets.
--   5 Nordic Pharma Oy     adopting, one open ticket.
--   6 Müller & Söhne GmbH  escalation (urgent ticket open) while a renewal
--                          e-mail went out yesterday.
--   7 Łódź Logistics, 8 São Paulo Saúde (same problem raised again),
--   9 東京デザイン株式会社: more handoffs waiting for ana and for Support.
--   10..300                generated customers.

SET client_min_messages = warning;

-- Staff login roles ---------------------------------------------------------
DO $$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['ana', 'sam', 'jose', 'jurgen', 'yuki', 'priya', 'bjorn',
                             'ben', 'lee', 'lukasz', 'ingrid', 'chloe',
                             'olu', 'maja', 'ahmet', 'wei',
                             'mia', 'siobhan', 'rafael',
                             'zoe', 'dmitri']
    LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
            EXECUTE format('CREATE ROLE %I LOGIN', r);
        END IF;
        IF NOT EXISTS (SELECT 1
                         FROM pg_auth_members m
                         JOIN pg_roles g ON g.oid = m.roleid
                         JOIN pg_roles u ON u.oid = m.member
                        WHERE g.rolname = 'baton_staff' AND u.rolname = r) THEN
            EXECUTE format('GRANT baton_staff TO %I', r);
        END IF;
    END LOOP;
END $$;

-- Deterministic helpers (session-local, gone when psql exits) ----------------
-- h(label): a stable pseudo-random number in [0, 2^48) derived from the label.
CREATE FUNCTION pg_temp.h(text) RETURNS bigint
LANGUAGE sql IMMUTABLE STRICT
AS $$ SELECT ('x' || substr(md5($1), 1, 12))::bit(48)::bigint $$;

-- pick(list, label): one element of the list, chosen by the label.
CREATE FUNCTION pg_temp.pick(text[], text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT
AS $$ SELECT $1[1 + (pg_temp.h($2) % cardinality($1))::int] $$;

-- slug('Malmö Dental'): 'malmo-dental', for domains and e-mail addresses.
CREATE FUNCTION pg_temp.slug(text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT
AS $$
    SELECT trim(BOTH '-' FROM regexp_replace(
        translate(replace(replace(replace(lower($1), 'ß', 'ss'), 'æ', 'ae'), 'œ', 'oe'),
                  'àáâãäåāăąầçćčďèéêëēęěễğìíîïıłñńňòóôõöøőōřśšşţùúûüůűūýÿźżž',
                  'aaaaaaaaaacccdeeeeeeeegiiiiilnnnoooooooorssstuuuuuuuyyzzz'),
        '[^a-z0-9]+', '-', 'g'))
$$;

-- Teams and staff -------------------------------------------------------------
INSERT INTO team (id, name) VALUES
    ('support',    'Support'),
    ('success',    'Success'),
    ('onboarding', 'Onboarding'),
    ('marketing',  'Marketing'),
    ('billing',    'Billing');

INSERT INTO staff (role_name, display_name, team_id, is_lead, email, active) VALUES
    ('ana',     'Ana Lima',             'support',    false, 'ana@baton.example',     true),
    ('sam',     'Sam Rivera',           'support',    true,  'sam@baton.example',     true),
    ('jose',    'José Muñoz',           'support',    false, 'jose@baton.example',    true),
    ('jurgen',  'Jürgen Groß',          'support',    false, 'jurgen@baton.example',  true),
    ('yuki',    '佐藤 由紀',            'support',    false, 'yuki@baton.example',    true),
    ('priya',   'Priya Nair',           'support',    false, 'priya@baton.example',   true),
    ('bjorn',   'Björn Ekström',        'support',    false, 'bjorn@baton.example',   false),
    ('ben',     'Ben Okafor',           'success',    false, 'ben@baton.example',     true),
    ('lee',     'Lee Chen',             'success',    true,  'lee@baton.example',     true),
    ('lukasz',  'Łukasz Wiśniewski',    'success',    false, 'lukasz@baton.example',  true),
    ('ingrid',  'Ingrid Sørensen',      'success',    false, 'ingrid@baton.example',  true),
    ('chloe',   'Chloé Dubois',         'success',    false, 'chloe@baton.example',   true),
    ('olu',     'Olúwaseun Adé',        'onboarding', false, 'olu@baton.example',     true),
    ('maja',    'Maja Kowalczyk',       'onboarding', true,  'maja@baton.example',    true),
    ('ahmet',   'Ahmet Yılmaz',         'onboarding', false, 'ahmet@baton.example',   true),
    ('wei',     '王伟',                 'onboarding', false, 'wei@baton.example',     true),
    ('mia',     'Mia Jørgensen',        'marketing',  false, 'mia@baton.example',     true),
    ('siobhan', 'Siobhán O''Brien',     'marketing',  true,  'siobhan@baton.example', true),
    ('rafael',  'Rafael Gonçalves',     'marketing',  false, 'rafael@baton.example',  true),
    ('zoe',     'Zoë Papadopoulou',     'billing',    true,  'zoe@baton.example',     true),
    ('dmitri',  'Дмитрий Иванов',       'billing',    false, 'dmitri@baton.example',  true);

-- Active staff of each team, for the generated data.
CREATE TEMP TABLE demo_team_staff ON COMMIT DROP AS
SELECT team_id, array_agg(role_name::text ORDER BY role_name) AS members
  FROM staff WHERE active GROUP BY team_id;

-- Story customers (ids 1..9) ------------------------------------------------------
INSERT INTO customer (id, name, domain, plan, segment, lifecycle, onboarding_health,
                      owner, renewal_date, created_at, updated_at) VALUES
    (1, 'Northwind Health', 'nwh.example', 'growth', 'mid-market', 'onboarding', 'on_track',
        'ben', (current_date + interval '4 months')::date,
        now() - interval '55 days', now() - interval '1 day'),
    (2, 'Café Lumière', 'cafe-lumiere.example', 'starter', 'smb', 'established', 'done',
        'chloe', (current_date + interval '7 months')::date,
        now() - interval '430 days', now() - interval '3 days'),
    (3, 'Blue Fjord AB', 'bluefjord.example', 'pro', 'mid-market', 'onboarding', 'at_risk',
        'lukasz', (current_date + interval '11 months')::date,
        now() - interval '21 days', now() - interval '9 hours'),
    (4, 'North Star Logistics', 'nsl.example', 'enterprise', 'enterprise', 'renewing', 'done',
        'lee', current_date + 45,
        now() - interval '1050 days', now() - interval '2 days'),
    (5, 'Nordic Pharma Oy', 'nordicph.example', 'pro', 'mid-market', 'adopting', 'done',
        'ingrid', (current_date + interval '8 months')::date,
        now() - interval '150 days', now() - interval '1 day'),
    (6, 'Müller & Söhne GmbH', 'mueller-soehne.example', 'enterprise', 'enterprise', 'renewing', 'done',
        'lee', current_date + 50,
        now() - interval '1400 days', now() - interval '17 hours'),
    (7, 'Łódź Logistics', 'lodz-logistics.example', 'starter', 'smb', 'established', 'done',
        'lukasz', (current_date + interval '5 months')::date,
        now() - interval '620 days', now() - interval '26 hours'),
    (8, 'São Paulo Saúde', 'saopaulo-saude.example', 'growth', 'mid-market', 'established', 'done',
        'chloe', (current_date + interval '9 months')::date,
        now() - interval '510 days', now() - interval '1 day'),
    (9, '東京デザイン株式会社', 'tokyo-design.example', 'starter', 'smb', 'adopting', 'done',
        'ingrid', (current_date + interval '10 months')::date,
        now() - interval '120 days', now() - interval '4 days');

-- Generated customers (ids 10..300) ---------------------------------------------
-- Names are distinct pairs of a place/brand word and a trade, shuffled by md5;
-- a few ids get names in other scripts.
CREATE TEMP TABLE demo_name ON COMMIT DROP AS
SELECT (row_number() OVER (ORDER BY md5(a || '|' || b)) + 9)::bigint AS id,
       a || ' ' || b AS base
  FROM unnest(ARRAY['Alpine', 'Amber', 'Atlas', 'Baltic', 'Bergen', 'Birch', 'Cedar',
                    'Coral', 'Córdoba', 'Crescent', 'Delta', 'Ember', 'Evergreen', 'Falcon',
                    'Gdańsk', 'Göteborg', 'Granite', 'Harbor', 'Helix', 'Juniper', 'Kraków',
                    'Kyōto', 'Lakeside', 'Lyon', 'Malmö', 'Maple', 'Meridian', 'Orchid',
                    'Pioneer', 'Porto', 'Quantum', 'Redwood', 'Reykjavík', 'Sevilla',
                    'Silverline', 'Summit', 'Tromsø', 'Zürich', 'Ålborg', 'Vértice']) AS a,
       unnest(ARRAY['Analytics', 'Architects', 'Bakery', 'Biotech', 'Brewing', 'Clinic',
                    'Consulting', 'Dental', 'Design', 'Energy', 'Foods', 'Freight', 'Health',
                    'Insurance', 'Labs', 'Legal', 'Logistics', 'Media', 'Motors', 'Optics',
                    'Partners', 'Pharma', 'Robotics', 'Seafood', 'Software', 'Solar',
                    'Studios', 'Textiles', 'Travel', 'Ventures']) AS b;

INSERT INTO customer (id, name, domain, plan, segment, lifecycle, onboarding_health,
                      owner, renewal_date, created_at, updated_at)
SELECT n, name, domain, plan, segment, lifecycle,
       CASE WHEN lifecycle = 'prospect' THEN NULL
            WHEN lifecycle <> 'onboarding' THEN 'done'
            WHEN pg_temp.h('health-' || n) % 100 < 60 THEN 'on_track'
            WHEN pg_temp.h('health-' || n) % 100 < 85 THEN 'at_risk'
            ELSE 'off_track' END,
       CASE WHEN lifecycle <> 'prospect'
            THEN pg_temp.pick(ARRAY['ben', 'ben', 'lee', 'lukasz', 'lukasz', 'ingrid', 'chloe', 'chloe'],
                              'owner-' || n) END,
       CASE WHEN lifecycle IN ('prospect', 'churned') THEN NULL
            WHEN lifecycle = 'renewing' THEN current_date + (5 + pg_temp.h('renew-' || n) % 55)::int
            ELSE current_date + (60 + pg_temp.h('renew-' || n) % 330)::int END,
       created_at,
       greatest(created_at, now() - (pg_temp.h('upd-' || n) % (30 * 24 * 60)) * interval '1 minute')
  FROM (SELECT n,
               coalesce(fixed.name, nm.base || pg_temp.pick(ARRAY['', '', '', ' AB', ' GmbH', ' Oy',
                        ' Ltd', ' Inc.', ' S.A.', ' B.V.', ' AS', ' SARL', ' Sp. z o.o.', ' ApS',
                        ' S.r.l.', ' LLC'], 'suffix-' || n)) AS name,
               coalesce(fixed.domain, pg_temp.slug(nm.base) || '.example') AS domain,
               plan,
               CASE plan WHEN 'enterprise' THEN CASE WHEN pg_temp.h('seg-' || n) % 3 = 0
                                                     THEN 'strategic' ELSE 'enterprise' END
                         WHEN 'pro' THEN CASE WHEN pg_temp.h('seg-' || n) % 4 = 0
                                              THEN 'enterprise' ELSE 'mid-market' END
                         WHEN 'growth' THEN CASE WHEN pg_temp.h('seg-' || n) % 2 = 0
                                                 THEN 'mid-market' ELSE 'smb' END
                         ELSE 'smb' END AS segment,
               lifecycle,
               now() - (CASE lifecycle WHEN 'prospect' THEN 1 + pg_temp.h('age-' || n) % 30
                                       WHEN 'onboarding' THEN 10 + pg_temp.h('age-' || n) % 80
                                       WHEN 'adopting' THEN 90 + pg_temp.h('age-' || n) % 180
                                       ELSE 300 + pg_temp.h('age-' || n) % 1300 END) * interval '1 day'
                     - (pg_temp.h('agem-' || n) % 1440) * interval '1 minute' AS created_at
          FROM generate_series(10, 300) AS n
          JOIN demo_name nm ON nm.id = n
          LEFT JOIN (VALUES (10, 'Ålesund Sjømat AS', 'alesund-sjomat.example'),
                            (11, '上海数据科技有限公司', 'shanghai-data.example'),
                            (12, 'Αθηνά Ταξίδια', 'athina-travel.example'),
                            (13, 'Hoàng Gia Foods', 'hoang-gia.example'),
                            (14, 'Smørrebrød & Co.', 'smorrebrod.example'),
                            (15, '서울 헬스케어', 'seoul-health.example'))
                    AS fixed (id, name, domain) ON fixed.id = n
          CROSS JOIN LATERAL (
              SELECT CASE WHEN pg_temp.h('plan-' || n) % 100 < 4 THEN 'free'
                          WHEN pg_temp.h('plan-' || n) % 100 < 40 THEN 'starter'
                          WHEN pg_temp.h('plan-' || n) % 100 < 68 THEN 'growth'
                          WHEN pg_temp.h('plan-' || n) % 100 < 88 THEN 'pro'
                          ELSE 'enterprise' END AS plan,
                     CASE WHEN pg_temp.h('life-' || n) % 100 < 3 THEN 'prospect'
                          WHEN pg_temp.h('life-' || n) % 100 < 18 THEN 'onboarding'
                          WHEN pg_temp.h('life-' || n) % 100 < 38 THEN 'adopting'
                          WHEN pg_temp.h('life-' || n) % 100 < 73 THEN 'established'
                          WHEN pg_temp.h('life-' || n) % 100 < 85 THEN 'renewing'
                          WHEN pg_temp.h('life-' || n) % 100 < 95 THEN 'at-risk'
                          ELSE 'churned' END AS lifecycle) AS choice) AS c;

-- External ids: the same customer as each source system knows it -----------------
INSERT INTO customer_external_id (system, external_id, customer_id) VALUES
    ('crm', 'CRM-00123', 1), ('helpdesk', 'HD-4417', 1), ('helpdesk', 'HD-9020', 1),
    ('billing', 'cus_NwH8x2kLq9Tz', 1), ('onboarding', 'ONB-0417', 1), ('marketing', 'MKT-88121', 1),
    ('crm', 'CRM-00188', 2), ('helpdesk', 'HD-5120', 2), ('billing', 'cus_CafeLum13r3Fr', 2),
    ('marketing', 'MKT-77310', 2),
    ('crm', 'CRM-00201', 3), ('helpdesk', 'HD-5233', 3), ('billing', 'cus_BlueFj0rdAB9', 3),
    ('onboarding', 'ONB-0452', 3),
    ('crm', 'CRM-00097', 4), ('helpdesk', 'HD-3981', 4), ('billing', 'cus_NStar77Lgx4q', 4),
    ('crm', 'CRM-00154', 5), ('helpdesk', 'HD-4850', 5), ('billing', 'cus_N0rdPh4rma7x', 5),
    ('crm', 'CRM-00042', 6), ('helpdesk', 'HD-2210', 6), ('billing', 'cus_MuellerS0hne', 6),
    ('marketing', 'MKT-70042', 6),
    ('crm', 'CRM-00230', 7), ('helpdesk', 'HD-5301', 7), ('billing', 'cus_L0dzLog1st1c', 7),
    ('crm', 'CRM-00176', 8), ('helpdesk', 'HD-5007', 8), ('billing', 'cus_SPSaude0Br2k', 8),
    ('crm', 'CRM-00219', 9), ('helpdesk', 'HD-5288', 9), ('billing', 'cus_T0ky0Dsgn5Jp', 9);

INSERT INTO customer_external_id (system, external_id, customer_id)
SELECT e.system, e.external_id, c.id
  FROM customer c
 CROSS JOIN LATERAL (VALUES
        ('crm', 'CRM-' || lpad((1000 + c.id)::text, 5, '0'), true),
        ('helpdesk', 'HD-' || (6000 + 7 * c.id), c.lifecycle <> 'prospect'),
        ('billing', 'cus_' || left(md5('cus-' || c.id), 14), c.lifecycle <> 'prospect'),
        ('onboarding', 'ONB-' || lpad((500 + c.id)::text, 4, '0'), c.lifecycle = 'onboarding'),
        ('marketing', 'MKT-' || (80000 + 3 * c.id), pg_temp.h('mkt-' || c.id) % 2 = 0))
        AS e (system, external_id, wanted)
 WHERE c.id >= 10 AND e.wanted;

-- Contacts --------------------------------------------------------------------------
INSERT INTO contact (customer_id, name, email, title, is_primary) VALUES
    (1, 'Dana Whitfield', 'dana.whitfield@nwh.example', 'VP Clinical Operations', true),
    (1, 'Tomás Ortega', 'tomas.ortega@nwh.example', 'IT Lead', false),
    (1, 'Rachel Kim', 'rachel.kim@nwh.example', 'Data Analyst', false),
    (2, 'Amélie Rousseau', 'amelie.rousseau@cafe-lumiere.example', 'Gérante', true),
    (2, 'Hugo Bernard', 'compta@cafe-lumiere.example', 'Comptabilité', false),
    (3, 'Erik Lindqvist', 'erik.lindqvist@bluefjord.example', 'IT Manager', true),
    (3, 'Åsa Berg', 'asa.berg@bluefjord.example', 'COO', false),
    (4, 'Grace Mensah', 'grace.mensah@nsl.example', 'Head of Operations', true),
    (4, 'Paul Whitaker', 'procurement@nsl.example', 'Procurement', false),
    (5, 'Aino Virtanen', 'aino.virtanen@nordicph.example', 'QA Director', true),
    (5, 'Mikko Häkkinen', 'mikko.hakkinen@nordicph.example', 'IT Specialist', false),
    (6, 'Klaus Müller', 'k.mueller@mueller-soehne.example', 'CTO', true),
    (6, 'Jürgen Weiß', 'einkauf@mueller-soehne.example', 'Einkauf', false),
    (7, 'Agnieszka Nowak', 'agnieszka.nowak@lodz-logistics.example', 'Office Manager', true),
    (8, 'Beatriz Conceição', 'beatriz.conceicao@saopaulo-saude.example', 'Diretora de TI', true),
    (8, 'Rafael Araújo', 'rafael.araujo@saopaulo-saude.example', 'Analista', false),
    (9, '山田 花子', 'hanako.yamada@tokyo-design.example', '代表取締役', true),
    (9, '鈴木 一郎', 'ichiro.suzuki@tokyo-design.example', 'デザイナー', false);

INSERT INTO contact (customer_id, name, email, title, is_primary)
SELECT c.id, first || ' ' || last,
       replace(pg_temp.slug(first), '-', '') || '.' || replace(pg_temp.slug(last), '-', '')
           || '@' || c.domain,
       pg_temp.pick(ARRAY['CEO', 'CTO', 'Head of Operations', 'IT Manager', 'Finance Manager',
                          'Office Manager', 'Product Owner', 'Data Analyst',
                          'Customer Service Lead', 'Procurement'], 'title-' || c.id || '-' || i),
       i = 1
  FROM customer c
 CROSS JOIN LATERAL generate_series(1, 1 + (pg_temp.h('contacts-' || c.id) % 3)::int) AS i
 CROSS JOIN LATERAL (SELECT
        pg_temp.pick(ARRAY['Anna', 'Björn', 'Carlos', 'Chiara', 'Daniel', 'Elif', 'Émilie',
                           'Fatima', 'Freya', 'Giorgos', 'Hannah', 'Hiroshi', 'Inês', 'Jakub',
                           'Jörg', 'José', 'Kaja', 'Lars', 'Łucja', 'Mateus', 'Mei', 'Nikolai',
                           'Noémie', 'Oskar', 'Paula', 'Rania', 'Sebastián', 'Siri', 'Søren',
                           'Tomasz', 'Umar', 'Valentina', 'Wojciech', 'Xiu', 'Yara', 'Zoë'],
                     'first-' || c.id || '-' || i) AS first,
        pg_temp.pick(ARRAY['Andersen', 'Bianchi', 'Costa', 'Dubois', 'Eriksson', 'Fernández',
                           'García', 'Hansen', 'Ito', 'Jansen', 'Kowalski', 'Larsen', 'Lindqvist',
                           'Moreau', 'Müller', 'Nakamura', 'Novák', 'O''Connor', 'Østergaard',
                           'Peña', 'Quintero', 'Rossi', 'Schmidt', 'Sato', 'Takahashi',
                           'Virtanen', 'Wójcik', 'Yamamoto', 'Zieliński', 'Nguyễn'],
                     'last-' || c.id || '-' || i) AS last) AS nm
 WHERE c.id >= 10;

-- Onboarding milestones -------------------------------------------------------------
INSERT INTO milestone (customer_id, position, title, status, owner, due_date, completed_at,
                       blocked_reason) VALUES
    (1, 1, 'Kickoff', 'done', 'maja', current_date - 53, now() - interval '52 days', NULL),
    (1, 2, 'SSO configured', 'done', 'olu', current_date - 40, now() - interval '41 days', NULL),
    (1, 3, 'Data migration', 'in_progress', 'olu', current_date - 4, NULL, NULL),
    (1, 4, 'Training', 'pending', 'olu', current_date + 7, NULL, NULL),
    (1, 5, 'Integrations (HL7 feed)', 'pending', 'olu', current_date + 14, NULL, NULL),
    (1, 6, 'Go-live', 'pending', 'maja', current_date + 21, NULL, NULL),
    (1, 7, 'Handover to Success', 'pending', 'maja', current_date + 30, NULL, NULL),
    (3, 1, 'Kickoff', 'done', 'olu', current_date - 20, now() - interval '20 days', NULL),
    (3, 2, 'SSO configured', 'blocked', 'olu', current_date - 1, NULL,
        'IdP certificate rotation broke SAML login; see ticket 4820'),
    (3, 3, 'Data import', 'pending', 'olu', current_date + 4, NULL, NULL),
    (3, 4, 'Admin training', 'pending', 'ahmet', current_date + 7, NULL, NULL),
    (3, 5, 'Go-live', 'pending', 'maja', current_date + 10, NULL, NULL);

-- Generated customers in onboarding: progress follows their age; "at risk" ones
-- are one milestone behind (overdue), "off track" ones two behind and blocked.
INSERT INTO milestone (customer_id, position, title, status, owner, due_date, completed_at,
                       blocked_reason)
SELECT c.id, t.pos, t.title,
       CASE WHEN t.pos <= p.done THEN 'done'
            WHEN t.pos = p.done + 1 AND c.onboarding_health = 'off_track' THEN 'blocked'
            WHEN t.pos = p.done + 1 THEN 'in_progress'
            ELSE 'pending' END,
       p.owner,
       c.created_at::date + 12 * t.pos,
       CASE WHEN t.pos <= p.done
            THEN least(now() - interval '1 hour',
                       c.created_at + (12 * t.pos - 2) * interval '1 day'
                       + (pg_temp.h('ms-' || c.id || '-' || t.pos) % 1440) * interval '1 minute') END,
       CASE WHEN t.pos = p.done + 1 AND c.onboarding_health = 'off_track'
            THEN pg_temp.pick(ARRAY['Waiting for IdP metadata from the customer''s IT',
                                    'Source system export keeps failing',
                                    'Customer sponsor on leave; no decisions until return',
                                    'Security review pending on the customer''s side'],
                              'blocked-' || c.id) END
  FROM customer c
 CROSS JOIN LATERAL (SELECT
        greatest(0, least(6, floor(extract(epoch FROM now() - c.created_at) / 86400 / 12)::int
                             - CASE c.onboarding_health WHEN 'at_risk' THEN 1
                                                        WHEN 'off_track' THEN 2 ELSE 0 END)) AS done,
        pg_temp.pick(ARRAY['olu', 'maja', 'ahmet', 'wei'], 'msowner-' || c.id) AS owner) AS p
 CROSS JOIN (VALUES (1, 'Kickoff'), (2, 'SSO configured'), (3, 'Data migration'),
                    (4, 'Integrations connected'), (5, 'Admin training'), (6, 'Go-live'),
                    (7, 'Handover to Success')) AS t (pos, title)
 WHERE c.id >= 10 AND c.lifecycle = 'onboarding';

-- Tickets (ids are the helpdesk's ticket numbers) -----------------------------------
-- Written here, not imported, they have no number of their own (ticket.number,
-- migration 082, is an import's): they are shown, and --ticket finds them,
-- by their id.
INSERT INTO ticket (id, customer_id, subject, body, status, priority, category, assignee,
                    requester_id, opened_at, updated_at, sla_due_at, solved_at)
SELECT t.id, t.customer_id, t.subject, t.body, t.status, t.priority, t.category, t.assignee,
       (SELECT id FROM contact WHERE email = t.requester), t.opened_at,
       coalesce(t.solved_at, t.updated_at), t.sla_due_at, t.solved_at
  FROM (VALUES
    -- 1 Northwind Health: three open migration tickets, one solved billing ticket.
    (4790, 1, 'Please update the invoice address to the new HQ',
        E'Our headquarters moved. Please send future invoices to:\nNorthwind Health, Attn. Finance, 400 Harbour Street.',
        'solved', 'low', 'billing', 'jose', 'dana.whitfield@nwh.example',
        now() - interval '24 days', now() - interval '22 days', NULL::timestamptz,
        now() - interval '22 days'),
    (4809, 1, 'Import fails at 20k rows',
        E'The patient import stops with "row 20001: unexpected end of data" every time.\nWe attached the first 25,000 rows (anonymised).',
        'pending', 'high', 'migration', 'ana', 'tomas.ortega@nwh.example',
        now() - interval '3 days', now() - interval '6 hours', now() + interval '20 hours', NULL),
    (4812, 1, 'Patient data missing after migration',
        E'Since the migration last week about 1,200 patient records from the March import are missing.\nClinicians cannot see allergy information for these patients. This is urgent.',
        'open', 'urgent', 'migration', 'ana', 'dana.whitfield@nwh.example',
        now() - interval '2 days 3 hours', now() - interval '2 hours',
        now() - interval '2 days 3 hours' + interval '8 hours', NULL),
    (4815, 1, 'Date fields shifted by one day after import',
        'Dates of birth imported from the old system are one day earlier than in the source.',
        'new', 'normal', 'migration', NULL, 'rachel.kim@nwh.example',
        now() - interval '1 day', now() - interval '1 day',
        now() - interval '1 day' + interval '3 days', NULL),
    -- 2 Café Lumière: refunded duplicate charge, then a complaint.
    (4801, 2, 'Duplicate charge on November invoice',
        E'Bonjour, we were charged twice (2 × €49.00) for the November invoice. Please refund one of them.\n\n— Support: refund of €49.00 issued to the card ending 4417; it shows on the statement within 5–10 business days.',
        'solved', 'normal', 'billing', 'ana', 'compta@cafe-lumiere.example',
        now() - interval '6 days', now() - interval '3 days', NULL, now() - interval '3 days'),
    (4805, 2, 'Charged twice and no answer for two days',
        E'We wrote three e-mails about the double charge before anyone answered.\nThis is not the service we pay for.',
        'pending', 'normal', 'complaint', 'sam', 'amelie.rousseau@cafe-lumiere.example',
        now() - interval '4 days', now() - interval '1 day', now() + interval '1 day', NULL),
    -- 3 Blue Fjord AB: go-live blocked.
    (4798, 3, 'How do we invite users in bulk?',
        'We have 140 users to invite. Is there a CSV upload?',
        'solved', 'low', 'onboarding', 'yuki', 'asa.berg@bluefjord.example',
        now() - interval '12 days', now() - interval '11 days', NULL, now() - interval '11 days'),
    (4820, 3, 'SSO login fails for all users after certificate rotation',
        E'After we rotated the IdP signing certificate nobody can log in: "SAML response signature invalid".\nGo-live is blocked.',
        'open', 'urgent', 'onboarding', 'sam', 'erik.lindqvist@bluefjord.example',
        now() - interval '10 hours', now() - interval '8 hours',
        now() - interval '10 hours' + interval '8 hours', NULL),
    -- 4 North Star Logistics: renewing, nothing open.
    (4731, 4, 'Map view slow with 5,000 stops',
        'The route map takes 40 seconds to load for our largest depot.',
        'closed', 'normal', 'bug', 'jurgen', 'grace.mensah@nsl.example',
        now() - interval '60 days', now() - interval '55 days', NULL, now() - interval '55 days'),
    (4760, 4, 'Custom report for on-time delivery',
        'Can we get on-time delivery per depot as a scheduled report?',
        'solved', 'low', 'question', 'priya', 'grace.mensah@nsl.example',
        now() - interval '30 days', now() - interval '29 days', NULL, now() - interval '29 days'),
    -- 5 Nordic Pharma Oy: one open ticket.
    (4702, 5, 'Password policy for GxP users',
        'Can we enforce 90-day password rotation for validated users?',
        'solved', 'normal', 'question', 'ana', 'aino.virtanen@nordicph.example',
        now() - interval '70 days', now() - interval '68 days', NULL, now() - interval '68 days'),
    (4818, 5, 'Audit log export for GxP validation',
        'Our validation team needs the audit log as a signed export. Does it include read access?',
        'open', 'normal', 'question', 'ana', 'mikko.hakkinen@nordicph.example',
        now() - interval '1 day', now() - interval '40 minutes',
        now() - interval '1 day' + interval '3 days', NULL),
    -- 6 Müller & Söhne GmbH: escalation.
    (4650, 6, 'Webhook retries not documented',
        'Wie oft werden Webhooks wiederholt? How often are webhooks retried?',
        'closed', 'low', 'question', 'jurgen', 'k.mueller@mueller-soehne.example',
        now() - interval '120 days', now() - interval '118 days', NULL, now() - interval '118 days'),
    (4816, 6, 'Order sync API returns HTTP 500 for every request',
        E'Since 06:00 every call to /v2/orders/sync fails with HTTP 500.\nOur warehouse cannot ship. Production is down.',
        'open', 'urgent', 'bug', 'sam', 'k.mueller@mueller-soehne.example',
        now() - interval '20 hours', now() - interval '1 hour',
        now() - interval '20 hours' + interval '8 hours', NULL),
    -- 7 Łódź Logistics.
    (4740, 7, 'Need a second admin account',
        'Agnieszka is going on leave; we need a second administrator.',
        'solved', 'low', 'question', 'jose', 'agnieszka.nowak@lodz-logistics.example',
        now() - interval '40 days', now() - interval '39 days', NULL, now() - interval '39 days'),
    -- 8 São Paulo Saúde: the same problem raised again.
    (4744, 8, 'Login loop after SSO change',
        'Users are sent back to the login page after signing in with SSO.',
        'solved', 'high', 'bug', 'jurgen', 'beatriz.conceicao@saopaulo-saude.example',
        now() - interval '26 days', now() - interval '25 days', NULL, now() - interval '25 days'),
    (4817, 8, 'Login loop after SSO change — again',
        E'The login loop is back, same as ticket 4744.\nWe already explained everything last month.',
        'open', 'high', 'bug', 'ana', 'beatriz.conceicao@saopaulo-saude.example',
        now() - interval '26 hours', now() - interval '20 hours',
        now() - interval '26 hours' + interval '24 hours', NULL),
    -- 9 東京デザイン株式会社.
    (4770, 9, '日本語の請求書は発行できますか？ (Japanese-language invoices?)',
        '請求書を日本語で発行していただくことは可能でしょうか。',
        'closed', 'low', 'feature_request', 'yuki', 'hanako.yamada@tokyo-design.example',
        now() - interval '20 days', now() - interval '18 days', NULL, now() - interval '18 days')
  ) AS t (id, customer_id, subject, body, status, priority, category, assignee, requester,
          opened_at, updated_at, sla_due_at, solved_at);

-- Generated tickets: mostly solved, some open (with an SLA, some breached).
INSERT INTO ticket (id, customer_id, subject, body, status, priority, category, assignee,
                    requester_id, opened_at, updated_at, sla_due_at, solved_at)
SELECT 3000 + row_number() OVER (ORDER BY g.opened_at, g.customer_id, g.i),
       g.customer_id, g.subject, g.body, g.status, g.priority, g.category,
       CASE WHEN g.status = 'new' THEN NULL
            WHEN g.category = 'billing' THEN pg_temp.pick(ARRAY['zoe', 'dmitri'], 'asg-' || g.seed)
            ELSE pg_temp.pick(ARRAY['ana', 'sam', 'jose', 'jurgen', 'yuki', 'priya'], 'asg-' || g.seed)
       END,
       g.requester_id, g.opened_at,
       CASE WHEN g.is_open
            THEN g.opened_at + (now() - g.opened_at) * ((pg_temp.h('upd-' || g.seed) % 90) / 100.0)
            ELSE g.solved_at END,
       -- SLA: opened_at + the policy for the priority; the clock stops while a
       -- ticket waits on the customer (pending, on hold), which moves the due time.
       CASE WHEN NOT g.is_open THEN NULL
            WHEN g.opened_at + g.policy > now() OR g.status IN ('new', 'open')
            THEN g.opened_at + g.policy
            ELSE now() + g.policy * ((10 + pg_temp.h('sla-' || g.seed) % 80) / 100.0) END,
       g.solved_at
  FROM (SELECT s.*,
               CASE s.priority WHEN 'urgent' THEN interval '8 hours'
                               WHEN 'high' THEN interval '24 hours'
                               WHEN 'normal' THEN interval '3 days'
                               ELSE interval '7 days' END AS policy,
               CASE WHEN s.is_open THEN NULL
                    ELSE least(now() - interval '10 minutes',
                               s.opened_at + (30 + pg_temp.h('solve-' || s.seed) % (5 * 24 * 60))
                                             * interval '1 minute') END AS solved_at,
               CASE WHEN s.is_open
                    THEN pg_temp.pick(ARRAY['new', 'open', 'open', 'pending', 'on_hold'], 'st-' || s.seed)
                    WHEN pg_temp.h('st-' || s.seed) % 10 < 7 THEN 'solved'
                    ELSE 'closed' END AS status,
               s.subject_line AS subject,
               pg_temp.pick(ARRAY[
                   'Hello, see the subject. This affects several users on our side.',
                   E'Hi team,\nthis started after yesterday''s update. Screenshots attached.\nThanks!',
                   'Could you please look into this? Not urgent, but it blocks one of our workflows.',
                   'Bonjour, we still have this problem. Merci de nous tenir au courant.',
                   'Hej! Same issue as my colleague reported last month.',
                   E'Hallo,\nwir haben das gleiche Problem wieder. Bitte um Rückmeldung.\nDanke'],
                   'body-' || s.seed) AS body
          FROM (SELECT c.id AS customer_id, i,
                       c.id || '-' || i AS seed,
                       q.is_open, q.priority, q.category,
                       (SELECT ct.id FROM contact ct
                         WHERE ct.customer_id = c.id AND ct.is_primary LIMIT 1) AS requester_id,
                       CASE WHEN q.is_open
                            THEN greatest(c.created_at + interval '1 hour',
                                          now() - interval '30 minutes'
                                          - interval '12 days'
                                            * ((pg_temp.h('op-' || c.id || '-' || i) % 1000) / 1000.0)
                                            * ((pg_temp.h('op2-' || c.id || '-' || i) % 1000) / 1000.0))
                            ELSE now() - interval '2 days'
                                 - (now() - interval '2 days' - c.created_at)
                                   * ((pg_temp.h('op-' || c.id || '-' || i) % 1000) / 1000.0) END
                           AS opened_at,
                       CASE q.category
                         WHEN 'question' THEN pg_temp.pick(ARRAY['How do I export reports to CSV?',
                             'Can we change the time zone for the whole account?',
                             'Where do I find the API key?', 'How do user roles work?',
                             'Question about data retention', 'Can we rename a workspace?'], 'sub-' || c.id || '-' || i)
                         WHEN 'bug' THEN pg_temp.pick(ARRAY['Dashboard shows an empty chart',
                             'Search ignores names with accents', 'Export times out for large date ranges',
                             'Mobile app crashes on login', 'Notifications arrive twice',
                             'PDF report cuts off the last column'], 'sub-' || c.id || '-' || i)
                         WHEN 'billing' THEN pg_temp.pick(ARRAY['Invoice shows the wrong VAT number',
                             'Card declined on renewal', 'Please send a copy of last month''s invoice',
                             'Change of billing address', 'Charged for seats we removed'], 'sub-' || c.id || '-' || i)
                         WHEN 'migration' THEN pg_temp.pick(ARRAY['CSV import rejects the date format',
                             'Historical data missing after import', 'Import stops at row 10,000',
                             'Duplicate records after migration'], 'sub-' || c.id || '-' || i)
                         WHEN 'onboarding' THEN pg_temp.pick(ARRAY['Need help configuring SSO',
                             'Please reschedule the admin training', 'How do we invite users in bulk?',
                             'Sandbox account for testing'], 'sub-' || c.id || '-' || i)
                         WHEN 'complaint' THEN pg_temp.pick(ARRAY['Nobody answered for three days',
                             'Unhappy with last week''s outage',
                             'Support keeps asking for the same information'], 'sub-' || c.id || '-' || i)
                         WHEN 'feature_request' THEN pg_temp.pick(ARRAY['Request: dark mode',
                             'Request: Slack integration', 'Request: export to Excel with formulas',
                             'Request: audit log for admins'], 'sub-' || c.id || '-' || i)
                         ELSE pg_temp.pick(ARRAY['Change of primary contact',
                             'Please delete a former employee''s account',
                             'Security questionnaire for our vendor review'], 'sub-' || c.id || '-' || i)
                       END AS subject_line
                  FROM customer c
                 CROSS JOIN LATERAL generate_series(1, (pg_temp.h('tickets-' || c.id) % 7)::int) AS i
                 CROSS JOIN LATERAL (SELECT
                        c.lifecycle <> 'churned'
                            AND pg_temp.h('open-' || c.id || '-' || i) % 100 < 14 AS is_open,
                        CASE WHEN pg_temp.h('pri-' || c.id || '-' || i) % 100 < 3 THEN 'urgent'
                             WHEN pg_temp.h('pri-' || c.id || '-' || i) % 100 < 18 THEN 'high'
                             WHEN pg_temp.h('pri-' || c.id || '-' || i) % 100 < 80 THEN 'normal'
                             ELSE 'low' END AS priority,
                        CASE WHEN c.lifecycle = 'onboarding'
                             THEN pg_temp.pick(ARRAY['onboarding', 'migration', 'question', 'bug'],
                                               'cat-' || c.id || '-' || i)
                             ELSE pg_temp.pick(ARRAY['question', 'question', 'question', 'bug', 'bug',
                                                     'billing', 'billing', 'feature_request',
                                                     'complaint', 'other'],
                                               'cat-' || c.id || '-' || i) END AS category) AS q
                 WHERE c.id >= 10 AND c.lifecycle <> 'prospect') AS s) AS g;

-- Marketing activity ----------------------------------------------------------------
INSERT INTO marketing_event (customer_id, campaign, kind, channel, status, scheduled_at, sent_at)
VALUES
    (1, 'Welcome series', 'nurture', 'email', 'sent',
        now() - interval '54 days', now() - interval '54 days'),
    (1, 'Analytics webinar', 'webinar', 'email', 'sent',
        now() - interval '14 days', now() - interval '14 days'),
    (1, 'Newsletter · ' || to_char(now() + interval '9 days', 'FMMonth YYYY'), 'newsletter', 'email',
        'scheduled', now() + interval '9 days', NULL),
    (2, 'Newsletter · ' || to_char(now() - interval '21 days', 'FMMonth YYYY'), 'newsletter', 'email',
        'sent', now() - interval '21 days', now() - interval '21 days'),
    (2, 'Analytics webinar', 'webinar', 'email', 'sent',
        now() - interval '14 days', now() - interval '14 days'),
    (2, 'Upgrade to Pro', 'upsell', 'email', 'scheduled', now() + interval '6 days', NULL),
    (3, 'Welcome series', 'nurture', 'email', 'sent',
        now() - interval '19 days', now() - interval '19 days'),
    (4, 'Renewal reminder', 'renewal', 'email', 'sent',
        now() - interval '10 days', now() - interval '10 days'),
    (5, 'Product update: Workflows 2.0', 'announcement', 'in_app', 'sent',
        now() - interval '35 days', now() - interval '35 days'),
    (6, 'Analytics webinar', 'webinar', 'email', 'sent',
        now() - interval '14 days', now() - interval '14 days'),
    (6, 'Renewal reminder', 'renewal', 'email', 'sent',
        now() - interval '1 day', now() - interval '1 day'),
    (9, 'Analytics webinar', 'webinar', 'email', 'sent',
        now() - interval '14 days', now() - interval '14 days');

-- Generated customers: each campaign goes to an audience chosen by lifecycle and
-- plan, and to a deterministic share of it.
INSERT INTO marketing_event (customer_id, campaign, kind, channel, status, scheduled_at, sent_at)
SELECT c.id, k.campaign, k.kind, k.channel, k.status,
       k.at + (pg_temp.h('mk-' || k.campaign || c.id) % 120) * interval '1 minute',
       CASE WHEN k.status = 'sent'
            THEN k.at + (pg_temp.h('mk-' || k.campaign || c.id) % 120) * interval '1 minute' END
  FROM customer c
 CROSS JOIN LATERAL (VALUES
        ('Newsletter · ' || to_char(now() - interval '21 days', 'FMMonth YYYY'), 'newsletter', 'email',
            'sent', interval '-21 days',
            c.lifecycle NOT IN ('churned') AND c.created_at < now() - interval '21 days', 80),
        ('Analytics webinar', 'webinar', 'email', 'sent', interval '-14 days',
            c.lifecycle NOT IN ('churned', 'prospect') AND c.created_at < now() - interval '14 days', 40),
        ('Product update: Workflows 2.0', 'announcement', 'in_app', 'sent', interval '-35 days',
            c.lifecycle NOT IN ('churned', 'prospect') AND c.created_at < now() - interval '35 days', 70),
        ('Customer survey', 'survey', 'email', 'sent', interval '-9 days',
            c.lifecycle IN ('adopting', 'established', 'renewing', 'at-risk'), 50),
        ('Welcome series', 'nurture', 'email', 'sent', NULL::interval,
            c.lifecycle = 'onboarding', 100),
        ('Renewal reminder', 'renewal', 'email', 'sent',
            -(1 + pg_temp.h('rr-' || c.id) % 20) * interval '1 day',
            c.lifecycle = 'renewing', 90),
        ('Upgrade to Pro', 'upsell', 'email', 'scheduled', interval '6 days',
            c.plan IN ('starter', 'growth') AND c.lifecycle IN ('adopting', 'established'), 30),
        ('Newsletter · ' || to_char(now() + interval '9 days', 'FMMonth YYYY'), 'newsletter', 'email',
            'scheduled', interval '9 days', c.lifecycle NOT IN ('churned'), 60),
        ('Customer roadshow', 'announcement', 'event', 'scheduled', interval '16 days',
            c.segment IN ('enterprise', 'strategic') AND c.lifecycle <> 'churned', 60),
        ('Customer roadshow', 'announcement', 'event', 'cancelled', interval '16 days',
            c.segment IN ('mid-market') AND c.lifecycle = 'at-risk', 50),
        ('We miss you', 'nurture', 'sms', 'cancelled', interval '3 days',
            c.lifecycle = 'churned', 50))
        AS k0 (campaign, kind, channel, status, offset_at, wanted, share)
 CROSS JOIN LATERAL (SELECT k0.campaign, k0.kind, k0.channel, k0.status,
                            CASE WHEN k0.campaign = 'Welcome series' THEN c.created_at + interval '1 day'
                                 ELSE now() + k0.offset_at END AS at) AS k
 WHERE c.id >= 10
   AND k0.wanted
   AND pg_temp.h('aud-' || k0.campaign || '-' || k0.status || '-' || c.id) % 100 < k0.share;

-- Survey responses --------------------------------------------------------------------
INSERT INTO survey_response (customer_id, contact_id, kind, score, comment, responded_at)
SELECT s.customer_id, (SELECT id FROM contact WHERE email = s.email), s.kind, s.score,
       s.comment, s.responded_at
  FROM (VALUES
    (1, 'dana.whitfield@nwh.example', 'nps', 6, 'Good product; the migration is stressful.',
        now() - interval '21 days'),
    (1, 'dana.whitfield@nwh.example', 'csat', 3, 'Slow answers on the import problem.',
        now() - interval '5 days'),
    (1, 'tomas.ortega@nwh.example', 'ces', 5, NULL, now() - interval '5 days'),
    (2, 'amelie.rousseau@cafe-lumiere.example', 'nps', 8, NULL, now() - interval '60 days'),
    (2, 'compta@cafe-lumiere.example', 'csat', 2, 'The refund took three e-mails. Not great.',
        now() - interval '2 days'),
    (3, 'asa.berg@bluefjord.example', 'csat', 4, NULL, now() - interval '11 days'),
    (4, 'grace.mensah@nsl.example', 'nps', 9, 'Reliable, and the team knows our business.',
        now() - interval '30 days'),
    (4, 'grace.mensah@nsl.example', 'csat', 5, NULL, now() - interval '29 days'),
    (5, 'aino.virtanen@nordicph.example', 'nps', 8, NULL, now() - interval '45 days'),
    (6, 'k.mueller@mueller-soehne.example', 'nps', 7, NULL, now() - interval '90 days'),
    (6, 'k.mueller@mueller-soehne.example', 'csat', 1,
        'Production down and no update for three hours.', now() - interval '10 hours'),
    (8, 'beatriz.conceicao@saopaulo-saude.example', 'csat', 4, NULL, now() - interval '24 days'),
    (9, 'hanako.yamada@tokyo-design.example', 'nps', 10, 'とても使いやすいです。',
        now() - interval '50 days')
  ) AS s (customer_id, email, kind, score, comment, responded_at);

INSERT INTO survey_response (customer_id, contact_id, kind, score, comment, responded_at)
SELECT c.id,
       (SELECT ct.id FROM contact ct WHERE ct.customer_id = c.id AND ct.is_primary LIMIT 1),
       k.kind,
       CASE k.kind
         WHEN 'nps' THEN CASE WHEN c.lifecycle IN ('at-risk', 'churned')
                              THEN (pg_temp.h('sc-nps-' || c.id) % 7)::int
                              ELSE (ARRAY[10, 10, 9, 9, 9, 8, 8, 7, 7, 6, 5, 3])
                                   [1 + (pg_temp.h('sc-nps-' || c.id) % 12)::int] END
         WHEN 'csat' THEN (ARRAY[5, 5, 5, 4, 4, 4, 3, 2, 1])[1 + (pg_temp.h('sc-csat-' || c.id) % 9)::int]
         ELSE (ARRAY[7, 6, 6, 5, 5, 4, 3, 2])[1 + (pg_temp.h('sc-ces-' || c.id) % 8)::int] END,
       CASE WHEN pg_temp.h('cm-' || k.kind || c.id) % 5 = 0
            THEN pg_temp.pick(ARRAY['Great support team!', 'The new reports save us hours.',
                                    'Too expensive for what we use.', 'Setup was harder than expected.',
                                    'Très bon produit.', 'Sehr zufrieden.',
                                    'Would like more integrations.'], 'cm-' || k.kind || c.id) END,
       greatest(c.created_at + interval '1 day',
                now() - (60 + pg_temp.h('rs-' || k.kind || c.id) % (k.days * 24 * 60)) * interval '1 minute')
  FROM customer c
 CROSS JOIN (VALUES ('nps', 60, 120), ('csat', 50, 60), ('ces', 35, 60)) AS k (kind, share, days)
 WHERE c.id >= 10
   AND c.lifecycle <> 'prospect'
   AND c.created_at < now() - interval '2 days'
   AND pg_temp.h('sv-' || k.kind || c.id) % 100 < k.share;

-- Success notes, handoffs and their history: staged, then written by their authors
CREATE TEMP TABLE demo_note (
    customer_id bigint, kind text, author text, body text, created_at timestamptz
) ON COMMIT DROP;

INSERT INTO demo_note VALUES
    (1, 'meeting', 'ben', E'Kickoff with Dana Whitfield (sponsor) and Tomás Ortega (IT).\nGo-live target: before their external audit.',
        now() - interval '52 days'),
    (1, 'note', 'ben', 'QBR moved to next month at the sponsor''s request.', now() - interval '11 days'),
    (1, 'call', 'ben', E'Sponsor worried about the migration timeline.\nAsked for a weekly status call until go-live; agreed.',
        now() - interval '4 days'),
    (1, 'note', 'maja', 'Onboarding plan still on track from our side; the migration issues are with Support.',
        now() - interval '1 day'),
    (2, 'qbr', 'chloe', 'Annual check-in: happy with the product, price-sensitive. Starter plan is enough for now.',
        now() - interval '60 days'),
    (2, 'call', 'chloe', E'Amélie annoyed about the double charge — refund confirmed by Support.\nNot the moment for an upsell.',
        now() - interval '2 days'),
    (3, 'meeting', 'lukasz', 'Kickoff done. Go-live planned in three weeks; SSO is a hard requirement.',
        now() - interval '20 days'),
    (4, 'meeting', 'lee', 'Renewal meeting: 3-year renewal on the table, Grace wants a quote by the end of the month.',
        now() - interval '14 days'),
    (5, 'call', 'ingrid', 'Validation team needs audit-log exports for their GxP documentation.',
        now() - interval '30 days'),
    (6, 'qbr', 'lee', 'QBR: order volume up 30%; renewal expected, budget approved.', now() - interval '80 days'),
    (6, 'call', 'lee', E'Called Klaus Müller (CTO): promised hourly updates until the order sync works.\nRenewal conversation paused.',
        now() - interval '17 hours'),
    (8, 'note', 'chloe', 'SSO login loop is back — second time in a month. Customer losing patience.',
        now() - interval '1 day'),
    (9, 'email', 'ingrid', '山田さん asked for Japanese invoices again; passed on to Marketing and Support.',
        now() - interval '4 days');

INSERT INTO demo_note
SELECT c.id, n.kind,
       CASE WHEN c.lifecycle = 'onboarding' AND pg_temp.h('na-' || c.id || '-' || i) % 4 = 0
            THEN pg_temp.pick(ARRAY['olu', 'maja', 'ahmet', 'wei'], 'nap-' || c.id || '-' || i)
            ELSE c.owner END,
       n.body,
       greatest(c.created_at + interval '2 hours',
                now() - (60 + pg_temp.h('nt-' || c.id || '-' || i) % (150 * 24 * 60)) * interval '1 minute')
  FROM customer c
 CROSS JOIN LATERAL generate_series(1, (pg_temp.h('notes-' || c.id) % 4)::int) AS i
 JOIN (VALUES
        (0, 'call', 'Check-in call: team is happy with the new dashboards; asked about API limits.'),
        (1, 'call', 'Called the admin about low logins; they roll out to two more departments next month.'),
        (2, 'meeting', 'Business review: usage up 18%, two open feature requests, renewal looks safe.'),
        (3, 'qbr', 'QBR: sponsor changed roles; the new sponsor is the Head of Operations. Re-introduce the product.'),
        (4, 'email', 'Sent the adoption report and the training recording.'),
        (5, 'note', 'Champion leaves the company at the end of the month — find a new contact.'),
        (6, 'note', 'Budget freeze announced for next quarter; expect pushback on the renewal price.'),
        (7, 'note', 'Wants SSO and audit logs — candidate for the Pro plan once the rollout is done.'),
        (8, 'meeting', 'Workshop with the finance team: set up the monthly export to their ERP.'),
        (9, 'call', 'Complained about slow ticket answers last week; promised to follow up with Support.'),
        (10, 'email', 'Asked for our DPA and the sub-processor list; sent both.'),
        (11, 'note', E'Renewal notes:\n- decision by procurement\n- decision in 6 weeks\n- competitor trial running'))
        AS n (k, kind, body) ON n.k = pg_temp.h('nk-' || c.id || '-' || i) % 12
 WHERE c.id >= 10 AND c.owner IS NOT NULL;

CREATE TEMP TABLE demo_handoff (
    n integer PRIMARY KEY,
    customer_id bigint, from_team text, to_team text, to_staff text, reason text,
    priority text, ticket_id bigint, note text, state text, author text,
    created_at timestamptz, acknowledged_at timestamptz, acknowledged_by text,
    closed_at timestamptz, closed_by text,
    first_to_staff text   -- to_staff when created, if it was reassigned since
) ON COMMIT DROP;

INSERT INTO demo_handoff (n, customer_id, from_team, to_team, to_staff, reason, priority,
                          ticket_id, note, state, author, created_at, acknowledged_at,
                          acknowledged_by, closed_at, closed_by)
VALUES
    (1, 1, 'support', 'success', 'ben', 'escalation', 'high', 4812,
        E'Missing patient records since the migration; sponsor asks for a call before Friday.\nSupport restored two batches from the March export; about 1,200 records are still missing.\nTicket 4812 has the import logs.',
        'open', 'ana', now() - interval '2 days', NULL, NULL, NULL, NULL),
    (2, 2, 'marketing', 'support', 'ana', 'billing', 'normal', NULL,
        E'Customer replied to campaign asking about the refund.\nAmélie answered our "Analytics webinar" invitation: has the duplicate charge on the November invoice been refunded? Please confirm and reply to her directly.',
        'open', 'mia', now() - interval '5 hours', NULL, NULL, NULL, NULL),
    (3, 3, 'onboarding', 'support', NULL, 'onboarding blocker', 'urgent', 4820,
        E'Go-live blocked: SSO login fails for every user since their IdP certificate rotation.\nErik Lindqvist (IT) is available today until 17:00 CET.',
        'open', 'olu', now() - interval '9 hours', NULL, NULL, NULL, NULL),
    (4, 2, 'support', 'success', 'chloe', 'renewal risk', 'normal', 4801,
        E'Refunded a duplicate charge (2 × €49) on the November invoice; customer is annoyed and filed a complaint.\nPlease hold any upsell outreach until this is settled — "Upgrade to Pro" is scheduled to go out next week.',
        'acknowledged', 'sam', now() - interval '3 hours', now() - interval '1 hour', 'chloe', NULL, NULL),
    (5, 6, 'support', 'success', 'lee', 'escalation', 'urgent', 4816,
        'Production order sync down since this morning (HTTP 500 on every call). CTO Klaus Müller is escalating and mentions the renewal.',
        'acknowledged', 'sam', now() - interval '19 hours', now() - interval '18 hours 30 minutes',
        'lee', NULL, NULL),
    (6, 5, 'success', 'support', 'ana', 'question', 'normal', 4818,
        'Validation team asks whether the audit-log export includes read access. Can Support answer on ticket 4818?',
        'open', 'ingrid', now() - interval '40 minutes', NULL, NULL, NULL, NULL),
    (7, 7, 'success', 'support', 'ana', 'question', 'normal', NULL,
        'Can Support set up a second admin account for Łódź Logistics? Agnieszka Nowak goes on leave next week.',
        'open', 'lukasz', now() - interval '26 hours', NULL, NULL, NULL, NULL),
    (8, 8, 'success', 'support', 'ana', 'escalation', 'high', 4817,
        'The SSO login loop is back (ticket 4817) — second time this month. Customer asks why the first fix (ticket 4744) did not hold.',
        'acknowledged', 'chloe', now() - interval '1 day', now() - interval '20 hours', 'ana', NULL, NULL),
    (9, 9, 'marketing', 'support', NULL, 'feature request', 'low', NULL,
        E'Customer asked in the webinar chat for Japanese-language invoices (日本語の請求書).\nPlease log it as a feature request and reply to 山田さん.',
        'open', 'rafael', now() - interval '4 days', NULL, NULL, NULL, NULL),
    (10, 4, 'success', 'billing', 'zoe', 'billing', 'normal', NULL,
        'North Star wants a 3-year renewal quote with annual payment; renewal in six weeks.',
        'acknowledged', 'lee', now() - interval '2 days', now() - interval '1 day', 'zoe', NULL, NULL),
    (11, 1, 'onboarding', 'support', NULL, 'question', 'normal', NULL,
        'SSO goes live on Monday; expect login questions from Northwind''s clinicians.',
        'resolved', 'maja', now() - interval '41 days', now() - interval '40 days 23 hours', 'sam',
        now() - interval '38 days', 'sam');

-- Handoff 8 went to the Support team first; Sam reassigned it to Ana.
UPDATE demo_handoff SET first_to_staff = NULL WHERE n = 8;
UPDATE demo_handoff SET first_to_staff = to_staff WHERE n <> 8;

-- Generated handoffs 101..160 between plausible pairs of teams.
INSERT INTO demo_handoff
SELECT g.n, g.customer_id, g.from_team, g.to_team, g.to_staff, g.reason, g.priority,
       CASE WHEN g.reason IN ('escalation', 'onboarding blocker', 'billing')
            THEN (SELECT max(t.id) FROM ticket t
                   WHERE t.customer_id = g.customer_id AND t.opened_at < g.created_at
                     AND (t.solved_at IS NULL OR t.solved_at > g.created_at)) END,
       g.note, g.state, g.author, g.created_at, g.acknowledged_at,
       CASE WHEN g.acknowledged_at IS NOT NULL
            THEN coalesce(g.to_staff, pg_temp.pick(ts.members, 'hack-' || g.n)) END,
       g.closed_at,
       CASE g.state WHEN 'resolved' THEN coalesce(g.to_staff, pg_temp.pick(ts.members, 'hack-' || g.n))
                    WHEN 'cancelled' THEN g.author END,
       g.to_staff
  FROM (SELECT s.*,
               CASE WHEN s.state IN ('acknowledged', 'resolved')
                         OR (s.state = 'cancelled' AND pg_temp.h('cack-' || s.n) % 2 = 0)
                    THEN s.created_at + (now() - s.created_at) * ((2 + pg_temp.h('fack-' || s.n) % 40) / 100.0)
               END AS acknowledged_at,
               CASE WHEN s.state IN ('resolved', 'cancelled')
                    THEN s.created_at + (now() - s.created_at) * ((45 + pg_temp.h('fcl-' || s.n) % 50) / 100.0)
               END AS closed_at
          FROM (SELECT r.*,
                       CASE WHEN r.created_at > now() - interval '7 days'
                            THEN CASE WHEN pg_temp.h('state-' || r.n) % 100 < 45 THEN 'open'
                                      WHEN pg_temp.h('state-' || r.n) % 100 < 80 THEN 'acknowledged'
                                      WHEN pg_temp.h('state-' || r.n) % 100 < 95 THEN 'resolved'
                                      ELSE 'cancelled' END
                            ELSE CASE WHEN pg_temp.h('state-' || r.n) % 100 < 4 THEN 'open'
                                      WHEN pg_temp.h('state-' || r.n) % 100 < 85 THEN 'resolved'
                                      ELSE 'cancelled' END END AS state
                  FROM (SELECT p.n, c.id AS customer_id, p.from_team, p.to_team, p.reason,
                               CASE WHEN pg_temp.h('pri-h-' || p.n) % 100 < 5 THEN 'urgent'
                                    WHEN pg_temp.h('pri-h-' || p.n) % 100 < 25 THEN 'high'
                                    WHEN pg_temp.h('pri-h-' || p.n) % 100 < 80 THEN 'normal'
                                    ELSE 'low' END AS priority,
                               pg_temp.pick(fs.members, 'author-' || p.n) AS author,
                               CASE WHEN pg_temp.h('tostaff-' || p.n) % 2 = 0
                                    THEN pg_temp.pick(tt.members, 'tostaffp-' || p.n) END AS to_staff,
                               CASE p.reason
                                 WHEN 'escalation' THEN pg_temp.pick(ARRAY[
                                     'Customer is escalating: three tickets in two weeks about the same export error. Please call the sponsor.',
                                     'Outage on their side blamed on us; the CTO wants a written incident summary by tomorrow.'], 'note-' || p.n)
                                 WHEN 'renewal risk' THEN pg_temp.pick(ARRAY[
                                     'Usage dropped 40% since the champion left; renewal is coming up. Please plan a rescue call.',
                                     'Procurement asks for a 30% discount or they will run a tender.'], 'note-' || p.n)
                                 WHEN 'onboarding blocker' THEN pg_temp.pick(ARRAY[
                                     'Data import blocked: their CSV uses semicolons and Windows-1252. Need Support to run the converter.',
                                     'SSO set-up blocked waiting for IdP metadata from their IT.'], 'note-' || p.n)
                                 WHEN 'billing' THEN pg_temp.pick(ARRAY[
                                     'Customer asks for invoices in EUR instead of SEK from the next period.',
                                     E'Card expired; two invoices overdue.\nPlease reach out before dunning starts.'], 'note-' || p.n)
                                 WHEN 'feature request' THEN pg_temp.pick(ARRAY[
                                     'They need a Slack integration for ticket updates; important for the renewal.',
                                     'Asked for Japanese-language e-mails to their end users.'], 'note-' || p.n)
                                 ELSE pg_temp.pick(ARRAY[
                                     'Can someone confirm whether the API rate limit applies per user or per account?',
                                     'Customer asks who their new contact is after the reorganisation.'], 'note-' || p.n)
                               END AS note,
                               greatest(c.created_at + interval '1 hour',
                                        now() - CASE WHEN pg_temp.h('age-h-' || p.n) % 100 < 30
                                                     THEN (20 + pg_temp.h('agem-h-' || p.n) % (7 * 24 * 60 - 20))
                                                     ELSE (7 * 24 * 60 + pg_temp.h('agem-h-' || p.n) % (83 * 24 * 60))
                                                END * interval '1 minute') AS created_at
                          FROM (SELECT n, rt.from_team, rt.to_team, rt.reason
                                  FROM generate_series(101, 160) AS n
                                  JOIN (VALUES (0, 'support', 'success', 'escalation'),
                                               (1, 'support', 'success', 'renewal risk'),
                                               (2, 'support', 'billing', 'billing'),
                                               (3, 'support', 'onboarding', 'onboarding blocker'),
                                               (4, 'support', 'success', 'feature request'),
                                               (5, 'success', 'support', 'question'),
                                               (6, 'success', 'support', 'escalation'),
                                               (7, 'success', 'billing', 'billing'),
                                               (8, 'success', 'marketing', 'question'),
                                               (9, 'onboarding', 'support', 'onboarding blocker'),
                                               (10, 'onboarding', 'success', 'question'),
                                               (11, 'marketing', 'support', 'question'),
                                               (12, 'marketing', 'success', 'renewal risk'),
                                               (13, 'billing', 'success', 'renewal risk'),
                                               (14, 'billing', 'support', 'billing'))
                                       AS rt (k, from_team, to_team, reason)
                                    ON rt.k = pg_temp.h('route-' || n) % 15) AS p
                          JOIN customer c ON c.id = 10 + pg_temp.h('hcust-' || p.n) % 291
                          JOIN demo_team_staff fs ON fs.team_id = p.from_team
                          JOIN demo_team_staff tt ON tt.team_id = p.to_team) AS r) AS s) AS g
  JOIN demo_team_staff ts ON ts.team_id = g.to_team;

-- Success's queue tells one story: Northwind's escalation is the oldest
-- handoff nobody in Success has acknowledged.  Older generated ones to
-- Success were picked up.
UPDATE demo_handoff g
   SET state = 'acknowledged',
       acknowledged_at = g.created_at + (now() - g.created_at) * 0.1,
       acknowledged_by = coalesce(g.to_staff, 'chloe')
 WHERE g.n >= 101 AND g.to_team = 'success' AND g.state = 'open'
   AND g.created_at <= (SELECT created_at FROM demo_handoff WHERE n = 1);

-- The history of every handoff: created, then the steps that match its state.
CREATE TEMP TABLE demo_event ON COMMIT DROP AS
SELECT md5('handoff-event-' || h.n || '-' || e.kind)::uuid AS id,
       md5('handoff-' || h.n)::uuid AS handoff_id,
       e.kind, e.actor, e.at, e.comment, e.to_team, e.to_staff
  FROM demo_handoff h
 CROSS JOIN LATERAL (VALUES
        ('created', h.author, h.created_at, NULL::text, h.to_team, h.first_to_staff, true),
        ('acknowledged', h.acknowledged_by, h.acknowledged_at, NULL, NULL, NULL,
            h.acknowledged_at IS NOT NULL),
        ('resolved', h.closed_by, h.closed_at, NULL, NULL, NULL, h.state = 'resolved'),
        ('cancelled', h.closed_by, h.closed_at, 'No longer needed; handled in the weekly call.',
            NULL, NULL, h.state = 'cancelled'))
        AS e (kind, actor, at, comment, to_team, to_staff, wanted)
 WHERE e.wanted;

INSERT INTO demo_event VALUES
    (md5('handoff-event-8-reassigned')::uuid, md5('handoff-8')::uuid, 'reassigned', 'sam',
        now() - interval '23 hours', 'Ana had the first ticket; she knows the history.', 'support', 'ana'),
    (md5('handoff-event-5-commented')::uuid, md5('handoff-5')::uuid, 'commented', 'lee',
        now() - interval '17 hours', 'Called the CTO; hourly updates until the sync works.', NULL, NULL);

-- Handoffs are normally written only through baton_handoff_create/step
-- (migration 002); the demo's history, with its past timestamps, is written
-- directly, with the right lent to staff for this transaction only; so are
-- the notes, written through baton_note_add since migration 007.
GRANT INSERT ON handoff, handoff_event, success_note TO baton_staff;
-- Their times too: the server stamps now() on append-only tables
-- (migration 006); the owner lifts that for this transaction only.
ALTER TABLE success_note DISABLE TRIGGER success_note_server_stamp;
ALTER TABLE handoff_event DISABLE TRIGGER handoff_event_server_stamp;

DO $$
DECLARE
    r record;
    who text := NULL;
BEGIN
    -- Write each row as its author, so the author triggers stamp the truth.
    FOR r IN SELECT * FROM demo_note ORDER BY created_at, customer_id LOOP
        IF who IS DISTINCT FROM r.author THEN
            EXECUTE format('SET SESSION AUTHORIZATION %I', r.author);
            who := r.author;
        END IF;
        INSERT INTO success_note (customer_id, kind, body, created_at)
        VALUES (r.customer_id, r.kind, r.body, r.created_at);
    END LOOP;

    -- The staging tables are the superuser's: read them as the superuser.
    RESET SESSION AUTHORIZATION;
    who := NULL;
    FOR r IN SELECT h.*,
                    1 + (h.acknowledged_at IS NOT NULL)::int + (h.closed_at IS NOT NULL)::int
                      + (h.first_to_staff IS DISTINCT FROM h.to_staff)::int AS version
               FROM demo_handoff h ORDER BY h.created_at LOOP
        IF who IS DISTINCT FROM r.author THEN
            EXECUTE format('SET SESSION AUTHORIZATION %I', r.author);
            who := r.author;
        END IF;
        INSERT INTO handoff (id, customer_id, from_team, to_team, to_staff, reason, priority,
                             ticket_id, note, state, created_at, ack_due_at, acknowledged_at,
                             acknowledged_by, closed_at, closed_by, version)
        VALUES (md5('handoff-' || r.n)::uuid, r.customer_id, r.from_team, r.to_team, r.to_staff,
                r.reason, r.priority, r.ticket_id, r.note, r.state, r.created_at,
                r.created_at + CASE r.priority WHEN 'urgent' THEN interval '1 hour'
                                               WHEN 'high' THEN interval '4 hours'
                                               WHEN 'normal' THEN interval '24 hours'
                                               ELSE interval '72 hours' END,
                r.acknowledged_at, r.acknowledged_by, r.closed_at, r.closed_by, r.version);
    END LOOP;

    -- The staging tables are the superuser's: read them as the superuser.
    RESET SESSION AUTHORIZATION;
    who := NULL;
    FOR r IN SELECT * FROM demo_event ORDER BY at, kind LOOP
        IF who IS DISTINCT FROM r.actor THEN
            EXECUTE format('SET SESSION AUTHORIZATION %I', r.actor);
            who := r.actor;
        END IF;
        INSERT INTO handoff_event (id, handoff_id, kind, at, comment, to_team, to_staff)
        VALUES (r.id, r.handoff_id, r.kind, r.at, r.comment, r.to_team, r.to_staff);
    END LOOP;

    RESET SESSION AUTHORIZATION;
END $$;

REVOKE INSERT ON handoff, handoff_event, success_note FROM baton_staff;
ALTER TABLE success_note ENABLE TRIGGER success_note_server_stamp;
ALTER TABLE handoff_event ENABLE TRIGGER handoff_event_server_stamp;

-- Identity columns given explicit ids: continue after the demo's ids.
DO $$
BEGIN
    PERFORM setval(pg_get_serial_sequence('customer', 'id'), (SELECT max(id) FROM customer));
    PERFORM setval(pg_get_serial_sequence('ticket', 'id'), (SELECT max(id) FROM ticket));
END $$;

ANALYZE;

-- Onboarding history (migration 008; the onboarding block) ---------------------------
-- The health each customer has was set by someone, with a reason, some days
-- ago: an onboarding health nobody has set again for 14 days (the setting
-- onboarding_health_stale_days) shows as stale.  Northwind Health was set
-- "on track" six days ago, by Olú, while three migration tickets are open
-- and its data migration is four days overdue: on track, but burning.
-- Blue Fjord's SSO milestone was marked blocked yesterday, and its health
-- moved to "at risk" with it.  Written as the superuser with past times;
-- the functions of 008 write now() and the session user.
INSERT INTO onboarding_health_event (id, customer_id, health, reason, actor, at) VALUES
    (md5('health-1a')::uuid, 1, 'on_track', 'Kickoff done, sponsor engaged, plan agreed',
        'maja', now() - interval '45 days'),
    (md5('health-1b')::uuid, 1, 'on_track',
        'SSO is live; the data migration is under way and the go-live date holds',
        'olu', now() - interval '6 days'),
    (md5('health-3a')::uuid, 3, 'on_track', 'Kickoff done; SSO next', 'olu', now() - interval '19 days'),
    (md5('health-3b')::uuid, 3, 'at_risk',
        'SSO blocked by the IdP certificate rotation (ticket 4820); go-live at risk',
        'olu', now() - interval '20 hours');

INSERT INTO milestone_event (id, milestone_id, customer_id, status, due_date, owner, reason, actor, at)
SELECT md5('milestone-3-2')::uuid, m.id, m.customer_id, m.status, m.due_date, m.owner,
       m.blocked_reason, 'olu', now() - interval '21 hours'
  FROM milestone m WHERE m.customer_id = 3 AND m.position = 2;

-- Every other customer with a health: set once, by the owner of its first
-- milestone (else someone in Onboarding), 1 to 24 days ago while it onboards.
INSERT INTO onboarding_health_event (id, customer_id, health, reason, actor, at)
SELECT md5('health-' || c.id)::uuid, c.id, c.onboarding_health,
       CASE c.onboarding_health
            WHEN 'on_track' THEN 'Milestones on plan; the customer''s sponsor is engaged'
            WHEN 'at_risk' THEN 'One milestone behind; waiting on the customer''s IT'
            WHEN 'off_track' THEN 'Two milestones behind and one blocked; raised with the sponsor'
            ELSE 'Onboarding complete; handed over to Success' END,
       coalesce((SELECT m.owner FROM milestone m WHERE m.customer_id = c.id AND m.owner IS NOT NULL
                  ORDER BY m.position LIMIT 1),
                pg_temp.pick(ARRAY['olu', 'maja', 'ahmet', 'wei'], 'healthby-' || c.id)),
       CASE WHEN c.onboarding_health = 'done'
            THEN least(now() - interval '1 day', c.created_at + interval '84 days')
            ELSE greatest(c.created_at, now() - (1 + pg_temp.h('healthage-' || c.id) % 24) * interval '1 day') END
  FROM customer c
 WHERE c.onboarding_health IS NOT NULL AND c.id NOT IN (1, 3);
-- Signals (migration 009) -------------------------------------------------------------
-- The stories above raise their signals by themselves: Café Lumière's refund
-- and complaint with "Upgrade to Pro" scheduled, Northwind's "on track" with
-- three migration tickets and its escalation past the SLA, São Paulo's login
-- loop again.  One more: Nordic Pharma's NPS falls from 8 to 4 since the
-- validation export is still missing.
INSERT INTO survey_response (customer_id, contact_id, kind, score, comment, responded_at)
SELECT 5, (SELECT id FROM contact WHERE email = 'aino.virtanen@nordicph.example'), 'nps', 4,
       'Still no signed audit log export; we are looking at alternatives.', now() - interval '2 days';
