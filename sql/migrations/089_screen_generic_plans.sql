-- Baton schema, version 89: the customer screen's two PL/pgSQL helpers
-- plan their one-key statements once per session, not at each of a
-- session's first five calls.
--
-- baton_customer_also (the header's "also:" line) and
-- baton_me_sees_customer (who may see a customer: the policies and the
-- writes ask it) run statements keyed by one customer id.  PL/pgSQL plans
-- such a statement for the values of each of its first five calls (custom
-- plans) before it settles on the generic plan, which for a lookup by key
-- is the same plan.  Measured in a fresh session on the bench's 100,000
-- customers (key account 101, as bench_staff_01): baton_customer_also
-- took 2.4, 1.4, 1.3, 1.0 and 0.9 ms for its second to sixth calls, then
-- 0.2-0.3 ms; with the generic plan from the first call, 0.5 ms and then
-- 0.25 ms.  Warm, 2,000 calls cost the same either way (76-89 ms: the SET
-- clause costs nothing measurable).  Every console pays those first calls
-- on the first screens it opens; the bench's load phase, whose consoles
-- are fresh sessions, too.
ALTER FUNCTION baton_customer_also(bigint) SET plan_cache_mode = force_generic_plan;
ALTER FUNCTION baton_me_sees_customer(bigint) SET plan_cache_mode = force_generic_plan;
