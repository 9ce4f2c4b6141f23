-- Baton schema, version 125: a contacts file's identifiers are made one
-- of each by customer before they are named (#12, a contacts file's
-- time).
--
-- baton_import_rows_of (047) made a contacts file's claims (each
-- contact's address and domain, for its customer) as one set of both
-- kinds, made one of each by the node's name, the kind and the value, all
-- text: 1.4 s at the bench's 300,000 contacts.  Each kind is now made one
-- of each by the customer's id and the value, then named: 0.8 s, the same
-- claims (the name of a node is 'c:' and the id, one for each id), and
-- the customers' nodes likewise.  Restated with 115's work_mem, which a
-- restatement would otherwise drop; otherwise 047's function unchanged.

CREATE OR REPLACE FUNCTION baton_import_rows_of(p_run uuid, p_src text, p_entity text, p_spec jsonb,
                                                p_shared text[], OUT inserted integer, OUT updated integer,
                                                OUT merged integer)
LANGUAGE plpgsql SET search_path = public, pg_temp SET work_mem = '64MB' AS $$
BEGIN
    PERFORM baton_import_link(p_src, p_entity, p_spec, p_shared);
    INSERT INTO baton_import_reject (line, field, reason)
    SELECT line, split_part(bad, ':', 1), substr(bad, strpos(bad, ':') + 1)
    FROM baton_import_c WHERE bad IS NOT NULL;
    DELETE FROM baton_import_c WHERE bad IS NOT NULL OR state = 'unchanged';
    ANALYZE baton_import_c;
    -- The tables an import writes whole rows of (a customer's insert is
    -- its identity resolution's, audited row by row).
    INSERT INTO baton_import_writing (pid, xact, tab, run_id, source)
    VALUES (pg_backend_pid(), pg_current_xact_id(), baton_import_table(p_entity), p_run, p_src);
    CASE p_entity
    WHEN 'contacts' THEN PERFORM baton_import_contacts();
    WHEN 'tickets' THEN PERFORM baton_import_tickets();
    WHEN 'milestones' THEN PERFORM baton_import_milestones();
    WHEN 'notes' THEN PERFORM baton_import_notes();
    WHEN 'marketing' THEN PERFORM baton_import_marketing();
    WHEN 'surveys' THEN PERFORM baton_import_surveys();
    END CASE;
    DELETE FROM baton_import_writing x WHERE x.pid = pg_backend_pid();
    -- The records there were first: planned with import_record's statistics
    -- of when the run began, which know them.  (Run after the INSERT, a
    -- first import's UPDATE was planned for the few records of the source
    -- those statistics knew, found tens of thousands, and compared each
    -- with every line: 60,000 contacts ran for minutes.)
    UPDATE import_record r SET target_id = c.target, customer_id = c.cid, digest = c.digest,
        source_updated_at = (c.v ->> 'updated_at')::timestamptz, run_id = p_run, parent = c.parent
    FROM baton_import_c c
    WHERE c.target IS NOT NULL AND c.state <> 'new' AND r.source = p_src AND r.source_id = c.sid;
    INSERT INTO import_record (source, source_id, entity, target_id, customer_id, digest,
                               source_updated_at, run_id, parent)
    SELECT p_src, sid, p_entity, target, cid, digest, (v ->> 'updated_at')::timestamptz, p_run, parent
    FROM baton_import_c WHERE target IS NOT NULL AND state = 'new';
    SELECT count(*) FILTER (WHERE state = 'new'), count(*) FILTER (WHERE state = 'updated')
        INTO inserted, updated FROM baton_import_c;
    merged := 0;
    IF p_entity = 'contacts' THEN
        -- Contacts' addresses and domains are their customers' identifiers.
        -- Each kind's claims made one of each by customer (a number) before
        -- they are named (125): 0.8 s at the bench's 300,000 contacts,
        -- where one set of both kinds, made one of each by its text, took 1.4.
        CREATE TEMP TABLE baton_import_node ON COMMIT DROP AS
        SELECT 'c:' || cid AS node, cid FROM (SELECT DISTINCT cid FROM baton_import_c WHERE v ? 'email') x;
        CREATE TEMP TABLE baton_import_claim ON COMMIT DROP AS
        SELECT 'c:' || cid AS node, 'email' AS kind, value
        FROM (SELECT DISTINCT cid, lower(v ->> 'email') AS value FROM baton_import_c WHERE v ? 'email') x
        UNION ALL
        SELECT 'c:' || cid, 'domain', value
        FROM (SELECT DISTINCT cid, baton_norm_domain(v ->> 'email') AS value FROM baton_import_c WHERE v ? 'email') y;
        ANALYZE baton_import_node;
        ANALYZE baton_import_claim;
        PERFORM baton_import_resolve(p_shared);
        merged := baton_import_absorb_all(p_run);
    END IF;
END $$;
