-- Baton schema, version 53: an import writes a file's notes as one set, and
-- a newer export of a note corrects it.
--
-- 010's baton_import_notes wrote a file's notes one at a time.  After each
-- note it updated the staged row by its line, which has no index, so every
-- note read the whole staged file again: 20,000 notes took 49.6 s, and the
-- time grew with the square of the file (100,000 notes, about 20 minutes).
-- And it wrote a note for every record it was given, also for a record the
-- source had changed (a newer export): the changed text became a second
-- note beside the first, both current on the customer's screen.
--
-- Now:
-- 1. A file's notes take their ids as the other entities' rows do (051): in
--    one pass, customer by customer and in the file's order, and then one
--    INSERT writes them.  A success note still gets its id from the server
--    alone: 006's stamp accepts an id that is not the sequence's last value
--    only while the import's marker (047's baton_import_writing, which no
--    role can write) says that this backend's import is writing notes.
--    The notes a file inserts are so audited as one row per customer and
--    file, like every other entity's (047), no longer one per note.
--    20,000 notes now take 2.5 s, and 100,000 take 13 s (two customers,
--    CSV, on the 2-core machine of make bench).
-- 2. A newer export of a note corrects it, as a correction written in the
--    console does (007): a new note that supersedes the note as it reads
--    now, which is the last correction of the record's note, whoever wrote
--    it.  The record then names the new note.  A record whose note already
--    reads as the export says (customer, kind, body) writes no note and
--    counts as unchanged.  A note of a customer merged into the record's
--    is the record's customer's: its correction is written on the note's
--    own customer, beside it (a split leaves the two together).  A record
--    that moved to another customer has its correction written there, and
--    the note it supersedes stays in the first customer's timeline.
-- 3. A correction by staff and one by an import of the same note at once:
--    the import locks the notes it corrects, waits for a correction begun
--    before, and corrects that one; a correction begun after waits for the
--    import and is refused as any correction of a corrected note is
--    ("note N was already corrected by note M: correct that one"), which
--    012's baton_note_add now also says when two people race, instead of
--    the unique index's error.

-- Whether this backend's import is writing rows of p_tab now (047's marker).
-- SECURITY DEFINER: no role can read the marker; anyone may ask this.
CREATE FUNCTION baton_import_writes(p_tab name) RETURNS boolean
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT EXISTS (SELECT 1 FROM baton_import_writing x
                   WHERE x.pid = pg_backend_pid() AND x.xact = pg_current_xact_id() AND x.tab = p_tab)
$$;

-- 006's baton_stamp_server; an import's note keeps the id the import took
-- for it from the sequence.
CREATE OR REPLACE FUNCTION baton_stamp_server() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    v_given bigint;
BEGIN
    IF TG_TABLE_NAME = 'success_note' THEN
        BEGIN
            v_given := currval(pg_get_serial_sequence('success_note', 'id'));
        EXCEPTION WHEN object_not_in_prerequisite_state THEN
            v_given := NULL;
        END;
        IF v_given IS DISTINCT FROM NEW.id AND NOT baton_import_writes('success_note') THEN
            RAISE EXCEPTION 'a success note gets its id from the server'
                USING ERRCODE = 'generated_always';
        END IF;
        NEW.created_at := now();
    ELSIF TG_TABLE_NAME = 'handoff_event' THEN
        NEW.at := now();
    END IF;
    RETURN NEW;
END $$;

-- 010's baton_import_notes, for the staged rows baton_import_rows_of keeps
-- (new and updated, none rejected), under its marker.
CREATE OR REPLACE FUNCTION baton_import_notes() RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    -- The note each changed record's note reads as now: the end of its
    -- chain of corrections (a note is corrected at most once: 007's unique
    -- supersedes; a correction is newer than the note it corrects).  Each
    -- is locked as a correction's foreign key would not allow (FOR UPDATE
    -- against its KEY SHARE): a correction someone writes meanwhile is
    -- waited for, and the chains are then read again; one begun later
    -- waits for this import, and is then told the note was corrected.
    LOOP
        CREATE TEMP TABLE baton_import_note_now ON COMMIT DROP AS
        WITH RECURSIVE chain (line, id, depth) AS (
            SELECT c.line, c.target, 0 FROM baton_import_c c WHERE c.state = 'updated' AND c.target IS NOT NULL
            UNION ALL
            SELECT ch.line, n.id, ch.depth + 1 FROM chain ch JOIN success_note n ON n.supersedes = ch.id)
        SELECT DISTINCT ON (ch.line) ch.line, n.id, n.customer_id, coalesce(k.merged_into, k.id) AS grp,
            n.kind, n.body
        FROM chain ch JOIN success_note n ON n.id = ch.id JOIN customer k ON k.id = n.customer_id
        ORDER BY ch.line, ch.depth DESC;
        PERFORM 1 FROM success_note n WHERE n.id IN (SELECT w.id FROM baton_import_note_now w)
        ORDER BY n.id FOR UPDATE OF n;
        EXIT WHEN NOT EXISTS (SELECT 1 FROM baton_import_note_now w JOIN success_note x ON x.supersedes = w.id);
        DROP TABLE baton_import_note_now;
    END LOOP;
    -- Ids in one pass over the rows sorted by customer, then line (051's
    -- order: nextval runs over the sorted subquery, which is not flattened).
    CREATE TEMP TABLE baton_import_note_w ON COMMIT DROP AS
    SELECT y.line, y.cid, y.kind, y.body, y.now_id, y.same,
        CASE WHEN y.same THEN y.now_id ELSE nextval(pg_get_serial_sequence('success_note', 'id')) END AS id
    FROM (SELECT c.line, CASE WHEN w.grp = c.cid THEN w.customer_id ELSE c.cid END AS cid,
                 coalesce(c.v ->> 'kind', w.kind, 'note') AS kind, c.v ->> 'body' AS body, w.id AS now_id,
                 coalesce(w.grp = c.cid AND w.kind = coalesce(c.v ->> 'kind', w.kind)
                          AND w.body = c.v ->> 'body', false) AS same
          FROM baton_import_c c LEFT JOIN baton_import_note_now w ON w.line = c.line
          ORDER BY c.cid, c.line) y;
    INSERT INTO success_note (id, customer_id, kind, body, supersedes) OVERRIDING SYSTEM VALUE
    SELECT w.id, w.cid, w.kind, w.body, w.now_id FROM baton_import_note_w w WHERE NOT w.same ORDER BY w.id;
    -- A record whose note already reads so changed nothing anyone sees: it
    -- counts as unchanged (its record still takes the new digest).
    UPDATE baton_import_c c SET target = w.id, state = CASE WHEN w.same THEN 'unchanged' ELSE c.state END
    FROM baton_import_note_w w WHERE w.line = c.line;
END $$;

-- 012's baton_note_add.  Two corrections of one note at once: the one
-- that waited for the other (a person's, or an import's, 053) is told the
-- note was corrected, as when it was corrected before, not the unique
-- index's error nor a deadlock.
CREATE OR REPLACE FUNCTION baton_note_add(
    p_id uuid, p_customer bigint, p_kind text, p_body text,
    p_ticket bigint DEFAULT NULL, p_handoff uuid DEFAULT NULL, p_supersedes bigint DEFAULT NULL)
RETURNS TABLE (created boolean, note_id bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_row success_note%ROWTYPE;
    v_by bigint;
    v_constraint text;
BEGIN
    IF p_id IS NULL THEN
        RAISE EXCEPTION 'a note needs its client id' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT * INTO v_row FROM success_note n WHERE n.client_id = p_id;
    IF FOUND THEN
        RETURN QUERY SELECT false, baton_note_same(v_row, p_customer, p_kind, p_body, p_ticket,
                                                   p_handoff, p_supersedes);
        RETURN;
    END IF;
    PERFORM baton_my_team();
    -- The same words for a customer out of scope as for none: a scope
    -- does not reveal what it hides.
    IF p_customer IS NULL OR NOT baton_me_sees_customer(p_customer) THEN
        RAISE EXCEPTION 'unknown customer %', p_customer USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF p_kind IS NULL OR p_kind NOT IN ('note', 'call', 'meeting', 'qbr', 'email') THEN
        RAISE EXCEPTION 'unknown kind "%": use note, call, meeting, qbr or email', p_kind
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM baton_require_note('note', p_body);
    IF p_ticket IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM ticket t WHERE t.id = p_ticket AND t.customer_id = p_customer) THEN
        RAISE EXCEPTION 'ticket % is not one of this customer''s tickets', p_ticket
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF p_handoff IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM handoff h WHERE h.id = p_handoff AND h.customer_id = p_customer) THEN
        RAISE EXCEPTION 'handoff % is not one of this customer''s handoffs', p_handoff
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF p_supersedes IS NOT NULL THEN
        IF NOT EXISTS (SELECT 1 FROM success_note n
                       WHERE n.id = p_supersedes AND n.customer_id = p_customer) THEN
            RAISE EXCEPTION 'note % is not one of this customer''s notes', p_supersedes
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        -- The note is locked as an import locks the notes it corrects,
        -- before anything of the correction is written: whoever comes
        -- second waits, then finds the note corrected (were the lock taken
        -- only by the correction's foreign key, after its unique index
        -- entry, each could wait for the other).
        PERFORM 1 FROM success_note n WHERE n.id = p_supersedes FOR UPDATE;
        SELECT n.id INTO v_by FROM success_note n WHERE n.supersedes = p_supersedes;
        IF FOUND THEN
            RAISE EXCEPTION 'note % was already corrected by note %: correct that one', p_supersedes, v_by
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
    END IF;
    BEGIN
        INSERT INTO success_note (customer_id, kind, body, client_id, ticket_id, handoff_id, supersedes)
        VALUES (p_customer, p_kind, p_body, p_id, p_ticket, p_handoff, p_supersedes)
        ON CONFLICT (client_id) DO NOTHING
        RETURNING * INTO v_row;
    EXCEPTION WHEN unique_violation THEN
        GET STACKED DIAGNOSTICS v_constraint = CONSTRAINT_NAME;
        IF v_constraint IS DISTINCT FROM 'success_note_supersedes_key' THEN
            RAISE;
        END IF;
        SELECT n.id INTO v_by FROM success_note n WHERE n.supersedes = p_supersedes;
        RAISE EXCEPTION 'note % was already corrected by note %: correct that one', p_supersedes, v_by
            USING ERRCODE = 'invalid_parameter_value';
    END;
    IF v_row.id IS NULL THEN
        -- A concurrent retry of the same note won the race.
        SELECT * INTO v_row FROM success_note n WHERE n.client_id = p_id;
        RETURN QUERY SELECT false, baton_note_same(v_row, p_customer, p_kind, p_body, p_ticket,
                                                   p_handoff, p_supersedes);
        RETURN;
    END IF;
    RETURN QUERY SELECT true, v_row.id;
END $$;
