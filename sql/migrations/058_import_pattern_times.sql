-- Baton schema, version 58: a time read by a source's pattern is the time
-- its text says, or a bad value.
--
-- 010's baton_import_pattern gave to_timestamp() the text and kept what
-- came back.  to_timestamp() reads what it can: under "DD/MM/YYYY HH24:MI"
-- the text "15/04/27 10:30" is the year 27, and seconds or a zone after the
-- pattern's end ("15/04/2027 10:30:15", "... 10:30 CET") are dropped.  So a
-- tracker's export with two-digit years was stored, without a word, as
-- campaigns of the first century.  Now the time must say its text back
-- through the same pattern (letter case, runs of spaces and leading zeros
-- aside, so "5/4/2027 9:05" is still 05/04/2027 09:05) and lie in the years
-- 1900 to 2199; otherwise the record is rejected as any bad time is ("... is
-- not a date and time (DD/MM/YYYY HH24:MI)").  A pattern that reads a zone
-- or an offset (TZ, TZH, TZM, OF) is held to the years alone: its text's
-- offset is not the session's, which is what the time says back in.

-- The text of a time as compared: lower case, one space for each run, no
-- leading zeros in a number.
CREATE FUNCTION baton_import_pattern_text(p text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT regexp_replace(regexp_replace(lower(btrim(p)), '\s+', ' ', 'g'), '(^|[^0-9])0+([0-9])', '\1\2', 'g')
$$;

CREATE OR REPLACE FUNCTION baton_import_pattern(p text, p_fmt text) RETURNS timestamptz
LANGUAGE plpgsql STABLE AS $$
DECLARE
    v timestamptz;
BEGIN
    v := to_timestamp(btrim(p), p_fmt);
    IF extract(year FROM v) NOT BETWEEN 1900 AND 2199
       OR (p_fmt !~* 'TZ|OF'
           AND baton_import_pattern_text(to_char(v, p_fmt)) <> baton_import_pattern_text(p)) THEN
        RETURN NULL;
    END IF;
    RETURN v;
EXCEPTION WHEN OTHERS THEN
    RETURN NULL;
END $$;
