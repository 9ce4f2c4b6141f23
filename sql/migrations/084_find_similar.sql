-- Baton schema, version 84: when nothing matches, the finder offers close
-- names.
--
-- A name typed with a slip ("nortwind", "northwnd", "Northwind Healht")
-- matched nothing: the finder compares prefixes and parts of names, so
-- the console said "No customer matches." and `baton find` found nothing,
-- with Northwind Health one letter away.
--
-- baton_find_similar(text) lists the customers whose name holds something
-- close to the text (pg_trgm's word similarity, the text's trigrams
-- against the best-matching stretch of the name: "nortwind" is 0.58 of
-- "northwind health", "northwind healht" 0.82), at least 0.5, the closest
-- first, ten at most.  src/finder.c asks for them only when baton_find
-- found nothing, in the same statement, and marks them as close names, not
-- matches: they never push a real match away, and `baton find` says them
-- on stderr, not as its answer.  Only texts of four characters or more
-- with a letter in them: shorter ones are close to too much, and a number
-- is an id.  Within the person's scope and without absorbed customers, as
-- baton_find; it runs as its owner for the same reason (under row-level
-- security no index could serve the similarity operator), and 001's
-- pg_trgm and 003's customer_name_fold_trgm index serve it, so it needs
-- no new extension or index.  Executable by whoever may call baton_find
-- (005, 011), so that no finder statement ends in "permission denied".
CREATE FUNCTION baton_find_similar(p_text text)
RETURNS TABLE (cid bigint, sim real)
LANGUAGE plpgsql STABLE SECURITY DEFINER ROWS 10
SET search_path = public, pg_temp SET pg_trgm.word_similarity_threshold = 0.5
-- Under LIMIT 200 the planner may read the table in order and compare
-- every name until 200 pass (100,000 comparisons for a text close to
-- none, 300 ms): the trigram index, always.
SET enable_seqscan = off AS $f$
DECLARE
    v_scope text[];  -- NULL: every segment
    v_text text := baton_fold(p_text);
BEGIN
    IF baton_me_active() THEN
        v_scope := baton_me_scope();
    ELSIF NOT baton_me_bypasses() THEN
        RETURN;
    END IF;
    IF char_length(v_text) < 4 OR v_text !~ '[[:alpha:]]' THEN
        RETURN;
    END IF;
    -- The closest of the first 200 found: a text close to a common word
    -- ("nortwind", at 100,000 customers 2,000 "Northwind ..." names) would
    -- otherwise have every one of them read and compared (20-30 ms; capped,
    -- 6-9 ms, measured on a busy 2-core machine).
    RETURN QUERY SELECT x.id, word_similarity(v_text, x.name_folded) FROM (
        SELECT c.id, c.name_folded FROM customer c
        WHERE v_text <% c.name_folded
          AND (v_scope IS NULL OR c.segment = ANY (v_scope)) AND c.merged_into IS NULL
        LIMIT 200) x
        ORDER BY 2 DESC, x.name_folded, x.id LIMIT 10;
END $f$;
REVOKE ALL ON FUNCTION baton_find_similar(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION baton_find_similar(text) TO baton_staff, baton_importer;
