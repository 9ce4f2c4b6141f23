-- Placeholder for migration 007, written by the notes branch in this wave.
-- It exists only so that this branch's migration 008 is applied in order
-- with no gap (the migration tests insist on that); the notes branch's
-- 007_notes.sql replaces this file when the branches are merged.
SELECT 1;
