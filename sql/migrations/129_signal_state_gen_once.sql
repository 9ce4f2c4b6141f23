-- Baton schema, version 129: a statement's new customers read the rules'
-- generation once (#12, an organisations file's time).
--
-- A new customer's signal state has the latest generation of the rules
-- (024: column default baton_signal_gen()).  The default is evaluated for
-- each row, and the function is SQL that reads signal_rule_gen, which
-- PostgreSQL cannot inline: 100,000 organisations read it 90,000 times,
-- 0.25-0.3 s of the 0.6 s their states took.  Now the trigger that makes
-- the states reads it once, in a sub-select the planner runs once per
-- statement (the same snapshot: the same generation).  103's function
-- otherwise unchanged.
CREATE OR REPLACE FUNCTION baton_signal_mark_customer() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO customer_signal_state (customer_id, rules_gen)
        SELECT n.id, (SELECT baton_signal_gen()) FROM new_rows n
        ON CONFLICT DO NOTHING;
    ELSIF TG_OP = 'DELETE' THEN
        DELETE FROM customer_signal_state st WHERE st.customer_id IN (SELECT o.id FROM old_rows o);
        DELETE FROM customer_signal s WHERE s.customer_id IN (SELECT o.id FROM old_rows o);
    ELSE
        INSERT INTO signal_dirty (customer_id)
        SELECT x.id FROM (SELECT n.id, n.onboarding_health FROM new_rows n
                          EXCEPT SELECT o.id, o.onboarding_health FROM old_rows o) x
        UNION
        SELECT s.id FROM (SELECT n.id, n.merged_into FROM new_rows n
                          EXCEPT SELECT o.id, o.merged_into FROM old_rows o) x
        JOIN old_rows o ON o.id = x.id
        CROSS JOIN LATERAL (VALUES (x.merged_into), (o.merged_into)) s(id)
        WHERE s.id IS NOT NULL;
    END IF;
    RETURN NULL;
END $$;
