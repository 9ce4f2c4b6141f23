-- Baton schema, version 18: the checks behind every read cost a plan once
-- per session, not once per statement.
--
-- Every policy asks (SELECT baton_me_sees_all()), and most also
-- (SELECT baton_me_active()): an InitPlan each, evaluated once per
-- statement.  005 wrote them as SQL-standard bodies expecting the planner to
-- inline them, but a body holding a sub-select is never inlined: each call
-- planned its EXISTS afresh, 54 microseconds (EXPLAIN ANALYZE, median of
-- 300), and the customer screen's seven statements make about twenty such
-- calls.  PL/pgSQL keeps each statement's plan for the session: 15
-- microseconds a call (21 with the SET below).
--
-- The same holds for baton_customer_also, called once by the screen's
-- header: its three sub-selects were planned on every call (0.45-0.75 ms,
-- most of the header's 1.1 ms for a key account); and for
-- baton_me_sees_customer / baton_me_sees_handoff, called once per row of a
-- scoped person's reads.
--
-- Meaning and privileges are unchanged.  What the SQL-standard bodies gave
-- (nothing the caller's search_path can change) comes from the fixed
-- search_path: pg_catalog is searched first, then public, so a person with
-- a schema of their own cannot put an operator = of theirs in front of the
-- comparisons (test_access checks that a scoped person stays scoped).

CREATE OR REPLACE FUNCTION baton_me_active() RETURNS boolean
LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
BEGIN
    RETURN EXISTS (SELECT 1 FROM public.staff s WHERE s.role_name = session_user AND s.active);
END
$$;

CREATE OR REPLACE FUNCTION baton_me_sees_all() RETURNS boolean
LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
BEGIN
    RETURN EXISTS (SELECT 1 FROM public.staff s
                   WHERE s.role_name = session_user AND s.active AND s.scope IS NULL);
END
$$;

CREATE OR REPLACE FUNCTION baton_me_scope() RETURNS text[]
LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
BEGIN
    RETURN (SELECT s.scope FROM public.staff s WHERE s.role_name = session_user AND s.active);
END
$$;

CREATE OR REPLACE FUNCTION baton_me_sees_customer(p_customer bigint) RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    RETURN EXISTS (SELECT 1 FROM customer c JOIN staff s ON s.role_name = session_user
                   WHERE c.id = p_customer AND s.active
                     AND (s.scope IS NULL OR c.segment = ANY (s.scope)));
END
$$;

CREATE OR REPLACE FUNCTION baton_me_sees_handoff(p_handoff uuid) RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    RETURN baton_me_sees_customer((SELECT h.customer_id FROM handoff h WHERE h.id = p_handoff));
END
$$;

CREATE OR REPLACE FUNCTION baton_customer_also(p_customer bigint) RETURNS text
LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
BEGIN
    RETURN nullif(concat_ws(' — ',
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
           AND NOT EXISTS (SELECT 1 FROM customer_split s WHERE s.merge_id = m.id))), '');
END
$$;
