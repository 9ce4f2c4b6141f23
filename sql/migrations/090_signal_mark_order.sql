-- Baton schema, version 90: the finder's and the queue's signal mark names
-- the signal the customer screen lists first.
--
-- The screen (and `baton show`) lists a customer's signals by severity,
-- then oldest first; 024's baton_signal_markers picked, of the most severe,
-- the first kind by name.  A customer with an upsell sent after a refund
-- (campaign during complaint, high, since 20 days) and a high handoff not
-- acknowledged for 30 days (dropped baton) showed "⚑CC+1" in the finder and
-- led with the dropped baton on its screen.  The mark now takes the oldest
-- of the most severe, by kind only between signals as old; 024's otherwise.
CREATE OR REPLACE FUNCTION baton_signal_markers(p_ids bigint[])
RETURNS TABLE (customer_id bigint, kind text, signals integer)
LANGUAGE plpgsql SET search_path = public, pg_temp SET plan_cache_mode = force_generic_plan AS $$
#variable_conflict use_column
DECLARE
    v_live bigint[] := baton_signal_refresh_set(baton_signal_stale(p_ids));
BEGIN
    RETURN QUERY
    SELECT DISTINCT ON (e.customer_id) e.customer_id, e.kind,
           (count(*) OVER (PARTITION BY e.customer_id))::integer
    FROM (SELECT * FROM customer_signal c
          WHERE c.customer_id = ANY (p_ids) AND NOT c.customer_id = ANY (v_live)
          UNION ALL
          SELECT * FROM baton_signal_live(v_live) WHERE cardinality(v_live) > 0) e
    WHERE e.acked_at IS NULL
    ORDER BY e.customer_id, e.severity_rank DESC, e.since, e.kind;
END $$;
