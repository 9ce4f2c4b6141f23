-- Baton schema, version 135: a customer's merge that moves no handoff
-- leaves the queue totals alone without computing what would move (#12,
-- merges made by an import).
--
-- An import that finds two customers one (a contact of one at the
-- other's domain) absorbs the newer into the older: an UPDATE of the
-- customer's merged_into, whose statement trigger keeps the lead queues'
-- totals by segment (099: the handoffs of the customer and of those
-- absorbed into it move to the survivor's segment).  It built and ran six
-- statements of dynamic SQL, and folded the deltas, for every merge: 11 ms
-- on the bench's database, where the customers an import merges mostly
-- have no handoff at all.  10,000 merges of a contacts file took 190 s, of
-- which 60 s in this trigger.  Now one lookup in handoff's index by
-- customer says first whether any handoff is there to move (the rows the
-- statement changed and the customers absorbed into them; no statement
-- below counts others), and the trigger stops when none is.  What it
-- counts when one is, is unchanged.  099's function otherwise unchanged.
CREATE OR REPLACE FUNCTION baton_queue_totals_write() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v text[];
    v_seg text;
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        DELETE FROM queue_total;
        DELETE FROM queue_ack_hist;
        DELETE FROM queue_due;
        RETURN NULL;
    END IF;
    IF TG_TABLE_NAME = 'customer' AND TG_OP = 'DELETE' THEN
        -- Before the delete cascades to the handoffs, whose own trigger
        -- will no longer find the customer.
        v_seg := baton_customer_segment(OLD.merged_into, OLD.segment);
        IF v_seg IS NULL THEN
            RETURN OLD; -- its survivor, deleted before it, took its counts
        END IF;
        v := baton_queue_totals_sql(
            'SELECT -1 AS s, h.*, $2::text AS seg FROM handoff h WHERE h.customer_id = $1'
            ' UNION ALL SELECT -1, h.*, $2 FROM customer a JOIN handoff h ON h.customer_id = a.id'
            ' WHERE a.merged_into = $1');
        EXECUTE v[1] USING OLD.id, v_seg;
        EXECUTE v[2] USING OLD.id, v_seg;
        EXECUTE v[5] USING OLD.id, v_seg;
        RETURN OLD;
    END IF;
    IF TG_TABLE_NAME = 'customer' AND TG_OP = 'UPDATE' THEN
        -- Nested: the statement names columns and tables only an UPDATE of
        -- customers has.
        IF NOT EXISTS (SELECT 1 FROM (SELECT n.id, n.segment, n.merged_into FROM new_rows n
                                      EXCEPT SELECT o.id, o.segment, o.merged_into FROM old_rows o) x) THEN
            RETURN NULL; -- no segment and no merge changed: no count moves
        END IF;
        PERFORM FROM customer s WHERE s.id IN (SELECT n.merged_into FROM new_rows n
                                               WHERE n.merged_into IS NOT NULL)
        ORDER BY s.id FOR SHARE OF s;
        -- No handoff to move (135): the statements below count only the
        -- handoffs of these customers and of those absorbed into them.
        IF NOT EXISTS (SELECT 1 FROM handoff h
                       WHERE h.customer_id IN (SELECT n.id FROM new_rows n
                                               UNION SELECT a.id FROM new_rows n
                                               JOIN customer a ON a.merged_into = n.id)) THEN
            RETURN NULL;
        END IF;
    ELSIF TG_TABLE_NAME = 'handoff' AND TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM FROM customer s WHERE s.id IN (SELECT c.merged_into FROM new_rows x
                                               JOIN customer c ON c.id = x.customer_id
                                               WHERE c.merged_into IS NOT NULL)
        ORDER BY s.id FOR SHARE OF s;
    END IF;
    v := baton_queue_totals_sql(CASE
        -- ch: the customers whose segment or survivor changed; f: they and
        -- the customers absorbed into them, each with the segment its
        -- handoffs were counted under (its survivor's before the
        -- statement: a changed row's old values, any other's as they
        -- stand) and the one they are counted under now.
        WHEN TG_TABLE_NAME = 'customer' THEN
            'WITH ch AS MATERIALIZED (SELECT o.id, o.segment, o.merged_into'
            '           FROM old_rows o JOIN new_rows n ON n.id = o.id'
            '           WHERE (n.segment, n.merged_into) IS DISTINCT FROM (o.segment, o.merged_into)),'
            ' f AS MATERIALIZED (SELECT id FROM ch UNION SELECT a.id FROM ch JOIN customer a ON a.merged_into = ch.id),'
            ' m AS MATERIALIZED (SELECT f.id, CASE WHEN was.id IS NOT NULL THEN was.segment ELSE wc.segment END AS o_seg,'
            '                          nc.segment AS n_seg'
            '           FROM f JOIN customer a ON a.id = f.id'
            '           JOIN customer nc ON nc.id = coalesce(a.merged_into, a.id)'
            '           LEFT JOIN ch fo ON fo.id = f.id'
            '           CROSS JOIN LATERAL (SELECT CASE WHEN fo.id IS NOT NULL THEN coalesce(fo.merged_into, f.id)'
            '                                       ELSE coalesce(a.merged_into, f.id) END AS id) w'
            '           LEFT JOIN ch was ON was.id = w.id'
            '           LEFT JOIN customer wc ON wc.id = w.id'
            '           WHERE CASE WHEN was.id IS NOT NULL THEN was.segment ELSE wc.segment END'
            '                 IS DISTINCT FROM nc.segment)'
            ' SELECT -1 AS s, h.*, m.o_seg AS seg FROM m JOIN handoff h ON h.customer_id = m.id'
            ' UNION ALL SELECT 1, h.*, m.n_seg FROM m JOIN handoff h ON h.customer_id = m.id'
        WHEN TG_OP = 'INSERT' THEN
            'SELECT 1 AS s, x.*, baton_customer_segment(c.merged_into, c.segment) AS seg'
            ' FROM new_rows x JOIN customer c ON c.id = x.customer_id'
        WHEN TG_OP = 'DELETE' THEN
            'SELECT -1 AS s, x.*, baton_customer_segment(c.merged_into, c.segment) AS seg'
            ' FROM old_rows x JOIN customer c ON c.id = x.customer_id'
        ELSE
            'SELECT 1 AS s, x.*, baton_customer_segment(c.merged_into, c.segment) AS seg'
            ' FROM new_rows x JOIN customer c ON c.id = x.customer_id'
            ' UNION ALL SELECT -1, x.*, baton_customer_segment(c.merged_into, c.segment)'
            ' FROM old_rows x JOIN customer c ON c.id = x.customer_id'
        END);
    EXECUTE v[1];
    EXECUTE v[2];
    EXECUTE v[5];
    IF current_setting('transaction_isolation') = 'read committed'
       AND pg_try_advisory_xact_lock(hashtext('baton_queue_totals')) THEN
        EXECUTE v[3];
        EXECUTE v[4];
        EXECUTE v[6];
        PERFORM baton_queue_due_fold();
    END IF;
    RETURN NULL;
END $$;
