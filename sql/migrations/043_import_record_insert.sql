-- Baton schema, version 43: the records of new lines are inserted, not
-- upserted.
--
-- 030's baton_import_rows_of wrote every record of a file with INSERT ...
-- ON CONFLICT DO UPDATE.  Each row then takes PostgreSQL's speculative
-- insertion: the key is looked up, a token taken, the index entry
-- inserted and confirmed.  Measured on a million records inserted into
-- an empty copy of import_record: 15.4-16.9 s as a plain INSERT, 19.1-20.0 s
-- with ON CONFLICT, about 3.5 microseconds a record; a first import at bench
-- scale writes 1,300,000 of them this way (contacts and tickets).
--
-- Since 042, a file's lines are linked with their records while the import
-- lock is held, taken when the run began: a line found without a record
-- ('new') cannot have gained one since, so its record is inserted; the
-- records of the other lines are updated by their key.  Should anything
-- else ever insert one meanwhile, the primary key refuses it and the file
-- rolls back: nothing is lost or doubled.
CREATE OR REPLACE FUNCTION baton_import_rows_of(p_run uuid, p_src text, p_entity text, p_spec jsonb,
                                                p_shared text[], OUT inserted integer, OUT updated integer,
                                                OUT merged integer)
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM baton_import_link(p_src, p_entity, p_spec, p_shared);
    INSERT INTO baton_import_reject (line, field, reason)
    SELECT line, split_part(bad, ':', 1), substr(bad, strpos(bad, ':') + 1)
    FROM baton_import_c WHERE bad IS NOT NULL;
    DELETE FROM baton_import_c WHERE bad IS NOT NULL OR state = 'unchanged';
    ANALYZE baton_import_c;
    CASE p_entity
    WHEN 'contacts' THEN PERFORM baton_import_contacts();
    WHEN 'tickets' THEN PERFORM baton_import_tickets();
    WHEN 'milestones' THEN PERFORM baton_import_milestones();
    WHEN 'notes' THEN PERFORM baton_import_notes();
    WHEN 'marketing' THEN PERFORM baton_import_marketing();
    WHEN 'surveys' THEN PERFORM baton_import_surveys();
    END CASE;
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
        CREATE TEMP TABLE baton_import_node ON COMMIT DROP AS
        SELECT DISTINCT 'c:' || cid AS node, cid FROM baton_import_c WHERE v ? 'email';
        CREATE TEMP TABLE baton_import_claim ON COMMIT DROP AS
        SELECT DISTINCT 'c:' || cid AS node, k.kind, k.value FROM baton_import_c,
            LATERAL (VALUES ('email', lower(v ->> 'email')), ('domain', baton_norm_domain(v ->> 'email'))) k(kind, value)
        WHERE v ? 'email';
        ANALYZE baton_import_node;
        ANALYZE baton_import_claim;
        PERFORM baton_import_resolve(p_shared);
        merged := baton_import_absorb_all(p_run);
    END IF;
END $$;
