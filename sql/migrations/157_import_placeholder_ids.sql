-- Baton schema, version 157: two more findings of the reviews of #12.
--
-- 1. An id in another system with no letter or digit in it ("-", "#", a
--    CRM's placeholder for none) is no id: two Zendesk organizations whose
--    external_id was "-" merged, "same id crm:-".  Blank was none already.
--
-- 2. A survey answer's score out of its kind's range said
--    `-1 is not a nps score`: in the rejects file, cleaned for
--    spreadsheets, a reason beginning with "-" took a quote before it.
--    It now says the range first: `an NPS score is 0 to 10, not -1`.

-- 057's, with an id that has no letter or digit none (1.).
CREATE OR REPLACE FUNCTION baton_import_ids_of(p_v jsonb, OUT sys text, OUT id text, OUT value text)
RETURNS SETOF record LANGUAGE sql IMMUTABLE AS $$
    SELECT x.sys, btrim(p_v ->> (x.sys || '_id')), x.sys || ':' || btrim(p_v ->> (x.sys || '_id'))
    FROM baton_import_id_systems() x(sys)
    WHERE btrim(p_v ->> (x.sys || '_id')) ~ '[[:alnum:]]'
$$;

-- 123's, with the score's range said first (2.).
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
            THEN format('score:%s score is %s, not %s',
                        CASE v ->> 'kind' WHEN 'nps' THEN 'an NPS' WHEN 'csat' THEN 'a CSAT' ELSE 'a CES' END,
                        CASE v ->> 'kind' WHEN 'nps' THEN '0 to 10' WHEN 'csat' THEN '1 to 5' ELSE '1 to 7' END,
                        v ->> 'score') END
    END
$$;
