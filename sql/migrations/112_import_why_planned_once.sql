-- Baton schema, version 112: why a record joined a customer is looked up
-- by a plan made once (#12, the first import's time).
--
-- baton_import_why reads the edges of a node (a record that joined a
-- customer: twice for each such merge) or of a whole component (an
-- absorbed customer).  Its one query had both: `e.a = node OR e.b = node
-- OR (comp IS NOT NULL AND e.a IN (the component's nodes))`.  PL/pgSQL's
-- cached plan for it stayed a custom one, made again at every call,
-- because only a plan for known values can drop the component's arm and
-- read the two edge indexes: about 30 us a call.  At 100,000
-- organisations (10,000 merges) the INSERT INTO customer_merge took
-- 1.45-1.98 s; with a query of its own for a node, whose generic plan
-- reads the indexes, 1.01-1.37 s (two rounds each).  The same edges, the
-- same text.  Otherwise 010's function unchanged.

CREATE OR REPLACE FUNCTION baton_import_why(p_node text, p_comp text) RETURNS text
LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
BEGIN
    IF p_comp IS NULL THEN
        RETURN (SELECT string_agg(DISTINCT baton_import_evidence_text(e.kind, e.value), ', ')
        FROM baton_import_edge e
        WHERE e.kind <> 'self' AND (e.a = p_node OR e.b = p_node));
    END IF;
    RETURN (SELECT string_agg(DISTINCT baton_import_evidence_text(e.kind, e.value), ', ')
    FROM baton_import_edge e
    WHERE e.kind <> 'self' AND (e.a = p_node OR e.b = p_node
          OR e.a IN (SELECT l.n FROM baton_import_lab l WHERE l.l = p_comp)));
END $$;
