-- Baton schema, version 32: the read policies ask about the session user
-- themselves, and the marketing panel reads only the sends it shows.
--
-- Every read policy asked (SELECT baton_me_sees_all()) and most also
-- (SELECT baton_me_active()): two InitPlans per table a statement reads,
-- each a PL/pgSQL call (018 made them that to keep their plans).  The
-- customer screen's seven statements make about twenty such calls, a
-- statement's fixed cost beside its rows: at 100,000 customers, warm, for
-- a key account the seven statements took about 2.8 ms one after another
-- (medians of 500, a person who sees every segment), the milestones
-- 0.107 ms of which for 7 rows.  Written as the sub-selects themselves, the
-- checks become part of each statement's plan, kept with the prepared
-- statement: 2.40 ms, the milestones 0.062 ms.  Same rows, same meaning: the
-- functions were not SECURITY DEFINER (they read staff with the caller's
-- rights, as the policies now do), and a policy's expression is stored
-- with its operators resolved, so no search_path is consulted when it runs.
-- A scoped person's per-row check stays baton_me_sees_customer (one
-- primary-key lookup, as the owner).  The functions stay for the code
-- that calls them.

-- The marketing panel's two branches (the next 20 scheduled, the last 30
-- sent) each read every send of the customer and sorted them: a key
-- account's 83 sends, 88 pages, twice.  In the branches' own orders (the
-- ties by id, 028) each reads what it shows: warm 0.437 -> 0.355 ms for a
-- key account, 176 -> 91 pages in all (the sends shown and the holds'
-- index), fewer to bring in when it was not in memory.
CREATE INDEX marketing_event_customer_ahead_idx ON marketing_event (customer_id, scheduled_at, id)
    WHERE status = 'scheduled';
CREATE INDEX marketing_event_customer_past_idx
    ON marketing_event (customer_id, (coalesce(sent_at, scheduled_at)) DESC NULLS LAST, id DESC)
    WHERE status <> 'scheduled';

-- The policies last: ALTER POLICY locks its table until the migration
-- commits, so nothing slow follows them.
ALTER POLICY staff_read ON customer
    USING (EXISTS (SELECT 1 FROM public.staff me
                   WHERE me.role_name = session_user AND me.active AND me.scope IS NULL)
           OR segment = ANY ((SELECT me.scope FROM public.staff me
                              WHERE me.role_name = session_user AND me.active)::text[]));

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['customer_external_id', 'contact', 'milestone', 'ticket',
                             'success_note', 'marketing_event', 'survey_response', 'handoff',
                             'milestone_event', 'onboarding_health_event', 'campaign_hold',
                             'signal_ack', 'customer_signal', 'import_record', 'customer_merge',
                             'customer_split', 'baton_presence']
    LOOP
        EXECUTE format('ALTER POLICY staff_read ON %I'
                       ' USING (EXISTS (SELECT 1 FROM public.staff me WHERE me.role_name = session_user'
                       '                AND me.active AND me.scope IS NULL)'
                       '        OR (EXISTS (SELECT 1 FROM public.staff me WHERE me.role_name = session_user'
                       '                    AND me.active)'
                       '            AND baton_me_sees_customer(customer_id)))', t);
    END LOOP;
END $$;

ALTER POLICY staff_read ON handoff_event
    USING (EXISTS (SELECT 1 FROM public.staff me
                   WHERE me.role_name = session_user AND me.active AND me.scope IS NULL)
           OR (EXISTS (SELECT 1 FROM public.staff me WHERE me.role_name = session_user AND me.active)
               AND baton_me_sees_handoff(handoff_id)));
