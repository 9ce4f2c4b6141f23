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
--    reads as the export says (customer, kind, body) writes no note.  A
--    customer merged into the record's counts as the record's: its note's
--    correction stays with it (and goes back with it on a split); a record
--    that moved to another customer has its correction written there.

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
    -- supersedes; a correction is newer than the note it corrects).
    CREATE TEMP TABLE baton_import_note_now ON COMMIT DROP AS
    WITH RECURSIVE chain (line, id, depth) AS (
        SELECT c.line, c.target, 0 FROM baton_import_c c WHERE c.state = 'updated' AND c.target IS NOT NULL
        UNION ALL
        SELECT ch.line, n.id, ch.depth + 1 FROM chain ch JOIN success_note n ON n.supersedes = ch.id)
    SELECT DISTINCT ON (ch.line) ch.line, n.id, n.customer_id, coalesce(k.merged_into, k.id) AS grp,
        n.kind, n.body
    FROM chain ch JOIN success_note n ON n.id = ch.id JOIN customer k ON k.id = n.customer_id
    ORDER BY ch.line, ch.depth DESC;
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
    UPDATE baton_import_c c SET target = w.id FROM baton_import_note_w w WHERE w.line = c.line;
END $$;
