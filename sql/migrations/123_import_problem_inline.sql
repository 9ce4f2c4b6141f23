-- Baton schema, version 123: a record's problems are read inline (#12, a
-- tickets file's time).
--
-- baton_import_link asks baton_import_problem (072) of every record: a
-- PL/pgSQL function, called once a row, 0.45 s of the bench's 1,000,000
-- tickets for one length test each.  It is now a SQL function of the same
-- expression, which the planner inlines into the statement: STABLE, as
-- format and concat_ws in it are (an IMMUTABLE function calling them is
-- not inlined).  The same problems, worded the same.  (Inlined into a
-- statement that gives it a constant record, the planner would compute
-- every branch's casts of it: it is given a column.)

CREATE OR REPLACE FUNCTION baton_import_problem(p_entity text, v jsonb) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT CASE p_entity
    WHEN 'contacts' THEN CASE
        WHEN v ->> 'email' NOT LIKE '%_@_%' THEN format('email:"%s" is not an e-mail address', v ->> 'email')
        WHEN coalesce(v ->> 'name', nullif(concat_ws(' ', v ->> 'first_name', v ->> 'last_name'), ''),
                      v ->> 'email') IS NULL THEN 'name:missing name'
        WHEN length(coalesce(v ->> 'name', concat_ws(' ', v ->> 'first_name', v ->> 'last_name'))) > 200
            THEN 'name:longer than 200 characters' END
    WHEN 'tickets' THEN CASE WHEN length(v ->> 'subject') > 500 THEN 'subject:longer than 500 characters' END
    WHEN 'milestones' THEN CASE
        WHEN v ->> 'title' IS NULL THEN 'title:missing title'
        WHEN length(v ->> 'title') > 200 THEN 'title:longer than 200 characters'
        WHEN (v ->> 'position')::integer < 1 THEN 'position:must be 1 or more' END
    WHEN 'notes' THEN CASE
        WHEN v ->> 'body' IS NULL THEN 'body:missing text'
        WHEN length(v ->> 'body') > 65536 THEN 'body:longer than 65536 characters' END
    WHEN 'marketing' THEN CASE
        WHEN v ->> 'campaign' IS NULL THEN 'campaign:missing campaign'
        WHEN length(v ->> 'campaign') > 200 THEN 'campaign:longer than 200 characters'
        WHEN v ->> 'status' IS NULL THEN 'status:missing status (map it, or give it a default)'
        WHEN v ->> 'status' = 'sent' AND coalesce(v ->> 'sent_at', v ->> 'scheduled_at') IS NULL
            THEN 'sent_at:sent, but when is missing'
        WHEN v ->> 'status' = 'scheduled' AND v ->> 'scheduled_at' IS NULL
            THEN 'scheduled_at:scheduled, but when is missing' END
    WHEN 'surveys' THEN CASE
        WHEN v ->> 'kind' IS NULL THEN 'kind:missing kind (nps, csat or ces)'
        WHEN v ->> 'score' IS NULL THEN 'score:missing score'
        WHEN v ->> 'responded_at' IS NULL
            THEN 'responded_at:missing date (an answer without one cannot say whether it is the latest)'
        WHEN NOT CASE v ->> 'kind' WHEN 'nps' THEN (v ->> 'score')::integer BETWEEN 0 AND 10
                                   WHEN 'csat' THEN (v ->> 'score')::integer BETWEEN 1 AND 5
                                   ELSE (v ->> 'score')::integer BETWEEN 1 AND 7 END
            THEN format('score:%s is not a %s score', v ->> 'score', v ->> 'kind') END
    END
$$;
