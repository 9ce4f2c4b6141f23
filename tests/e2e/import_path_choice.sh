#!/bin/sh
# A JSON path may choose one element of a list by a field of it (094):
# Zendesk's updated CSAT lists a survey response's answers, each with its
# type, and etc/baton-import.cfg reads the rating as the answer to the
# customer satisfaction question and the comment as the open-ended answer,
# wherever the survey asks them; a response whose rating was skipped is
# left out.  A source of its own: a choice by a nested field in a rule and
# a field, a string with a quote and a backslash matched as written, and
# paths the configuration refuses, naming the file and line.
. "$BATON_ROOT/tests/lib/e2e.sh"
. "$BATON_ROOT/tests/lib/import.sh"

cli_files import_path_choice
db=$(newdb baton_schema) || { echo "FAIL import_path_choice: cannot create a test database"; exit 1; }
importer_role "$db"
CFG="$BATON_ROOT/etc/baton-import.cfg"

cat >"$T/orgs.json" <<'JSON'
{"organizations": [
  {"id": 1, "name": "Northwind Health", "domain_names": ["nwh.example"], "updated_at": "2026-03-01T10:00:00Z"}
], "end_of_stream": true}
JSON
imported orgs_imported zendesk-organizations "$T/orgs.json" "1 read, 1 inserted"
cat >"$T/users.json" <<'JSON'
{"users": [
  {"id": 11, "name": "Dana Whitfield", "email": "dana@nwh.example", "organization_id": 1, "role": "end-user",
   "updated_at": "2026-03-01T10:00:00Z"},
  {"id": 12, "name": "Lee Park", "email": "lee@nwh.example", "organization_id": 1, "role": "end-user",
   "updated_at": "2026-03-01T10:00:00Z"}
], "end_of_stream": true}
JSON
imported users_imported zendesk-users "$T/users.json" "2 read, 2 inserted"

# R1 asks the rating first; R2 asks the comment first and another rating
# (not the satisfaction one) before it; R3 skipped the rating; R4 has no
# comment and its responder as a string; R5's answers are no list.
cat >"$T/responses.json" <<'JSON'
{"survey_responses": [
  {"id": "01JR1", "responder_id": 11, "survey": {"id": "01JS", "version": 3},
   "subjects": [{"id": "99", "type": "ticket", "zrn": "zen:ticket:99"}],
   "answers": [
     {"type": "rating_scale", "rating": 4, "rating_category": "good",
      "question": {"id": "q1", "type": "rating_scale_numeric", "sub_type": "customer_satisfaction"},
      "created_at": "2026-03-02T09:00:00Z", "updated_at": "2026-03-02T09:05:00Z"},
     {"type": "closed_ended", "selections": [{"type": "predefined", "option_id": "o1"}],
      "question": {"id": "q2", "type": "closed_ended"},
      "created_at": "2026-03-02T09:00:00Z", "updated_at": "2026-03-02T09:00:00Z"},
     {"type": "open_ended", "value": "Quick and kind",
      "question": {"id": "q3", "type": "open_ended"},
      "created_at": "2026-03-02T09:00:00Z", "updated_at": "2026-03-02T09:00:00Z"}]},
  {"id": "01JR2", "responder_id": 12, "survey": {"id": "01JS", "version": 3},
   "answers": [
     {"type": "open_ended", "value": "Asked the same thing three times",
      "question": {"id": "q3", "type": "open_ended"},
      "created_at": "2026-03-03T09:00:00Z", "updated_at": "2026-03-03T09:00:00Z"},
     {"type": "rating_scale", "rating": 5, "rating_category": "good",
      "question": {"id": "q9", "type": "rating_scale_numeric", "sub_type": "other"},
      "created_at": "2026-03-03T09:00:00Z", "updated_at": "2026-03-03T09:00:00Z"},
     {"type": "rating_scale", "rating": 1, "rating_category": "bad",
      "question": {"id": "q1", "type": "rating_scale_numeric", "sub_type": "customer_satisfaction"},
      "created_at": "2026-03-03T09:00:00Z", "updated_at": "2026-03-03T09:10:00Z"}]},
  {"id": "01JR3", "responder_id": 11, "survey": {"id": "01JS", "version": 3},
   "answers": [
     {"type": "skipped", "question": {"id": "q1", "type": "rating_scale_numeric", "sub_type": "customer_satisfaction"},
      "created_at": "2026-03-04T09:00:00Z", "updated_at": "2026-03-04T09:00:00Z"},
     {"type": "open_ended", "value": "no rating, a comment",
      "question": {"id": "q3", "type": "open_ended"},
      "created_at": "2026-03-04T09:00:00Z", "updated_at": "2026-03-04T09:00:00Z"}]},
  {"id": "01JR4", "responder_id": "12", "survey": {"id": "01JS", "version": 3},
   "answers": [
     {"type": "rating_scale", "rating": 3, "rating_category": "neutral",
      "question": {"id": "q1", "type": "rating_scale_numeric", "sub_type": "customer_satisfaction"},
      "created_at": "2026-03-05T09:00:00Z", "updated_at": "2026-03-05T09:00:00Z"}]},
  {"id": "01JR5", "responder_id": 11, "answers": {"type": "rating_scale"}}
], "meta": {"has_more": false, "after_cursor": "MW", "before_cursor": "MQ"}}
JSON
answers() {
	sql "SELECT string_agg(i.source_id || ':' || s.score || ':' || coalesce(s.comment, '-') || ':'
	                       || to_char(s.responded_at AT TIME ZONE 'UTC', 'MM-DD HH24:MI') || ':' || t.email,
	                       ' ' ORDER BY i.source_id)
	     FROM import_record i JOIN survey_response s ON s.id = i.target_id
	     JOIN contact t ON t.id = s.contact_id
	     WHERE i.source = 'zendesk-survey-responses'"
}
imported responses_imported zendesk-survey-responses "$T/responses.json" \
	"5 read, 3 inserted, 0 updated, 0 unchanged, 2 skipped, 0 rejected"
expect rating_and_comment_chosen_wherever_asked test "$(answers)" = \
	"01JR1:5:Quick and kind:03-02 09:05:dana@nwh.example 01JR2:1:Asked the same thing three times:03-03 09:10:lee@nwh.example 01JR4:3:-:03-05 09:00:lee@nwh.example"
imported responses_unchanged zendesk-survey-responses "$T/responses.json" \
	"5 read, 0 inserted, 0 updated, 3 unchanged, 2 skipped, 0 rejected"

# --- a source of its own ---------------------------------------------------------
cat >"$T/own.cfg" <<'CFG'
import: { sources = (
  { name = "zendesk-organizations"; entity = "customers"; format = "json"; array = "organizations"; system = "helpdesk";
    fields = { source_id = "id"; name = "name"; domains = "domain_names"; }; },
  { name = "events"; entity = "marketing"; format = "jsonl"; customer_source = "zendesk-organizations";
    skip = { from = "steps[meta.kind=gate].state"; values = ["closed"]; };
    fields = { source_id = "id"; customer = "org"; campaign = "steps[meta.kind=send].campaign";
      kind = { default = "newsletter"; }; channel = { default = "email"; };
      status = { default = "sent"; }; sent_at = "steps[meta.kind=send].at";
      scheduled_at = "steps[label=a\"b\\c].at"; }; }
); };
CFG
cat >"$T/events.jsonl" <<'JSON'
{"id": "e1", "org": 1, "steps": [{"meta": {"kind": "gate"}, "state": "open"}, {"meta": {"kind": "send"}, "campaign": "Spring", "at": "2026-03-01T08:00:00Z"}]}
{"id": "e2", "org": 1, "steps": [{"meta": {"kind": "send"}, "campaign": "Summer", "at": "2026-06-01T08:00:00Z"}, {"meta": {"kind": "gate"}, "state": "closed"}]}
{"id": "e3", "org": 1, "steps": [{"meta": "none"}, 7, {"meta": {"kind": "send"}, "campaign": "Autumn", "at": "2026-09-01T08:00:00Z"}, {"label": "a\"b\\c", "at": "2026-08-20T08:00:00Z"}]}
JSON
imported_with "$T/own.cfg" nested_choices_in_rule_and_fields events "$T/events.jsonl" \
	"3 read, 2 inserted, 0 updated, 0 unchanged, 1 skipped, 0 rejected"
expect nested_choice_values test "$(sql "SELECT string_agg(campaign || ':' || to_char(sent_at AT TIME ZONE 'UTC', 'MM-DD')
	|| ':' || coalesce(to_char(scheduled_at AT TIME ZONE 'UTC', 'MM-DD'), '-'), ' ' ORDER BY campaign) FROM marketing_event")" = \
	"Autumn:09-01:08-20 Spring:03-01:-"

# Paths the configuration refuses, with the file and line of the source.
bad_path() { # NAME PATH MESSAGE
	sed "s|steps\\[meta.kind=send\\].campaign|$2|" "$T/own.cfg" >"$T/bad.cfg"
	run "$BATON_BIN" -c "$T/bad.cfg" -d "dbname=$db user=importer" import --source events "$T/events.jsonl"
	expect "$1" sh -c '[ "$1" -eq 3 ] && grep -qF "$2" "$3" && grep -qF "bad.cfg:4:" "$3"' _ "$rc" "$3" "$ERR"
}
bad_path path_unclosed_choice "steps[meta.kind=send.campaign" "field campaign's from = \"steps[meta.kind=send.campaign\" is no JSON path: a '[' is not closed"
bad_path path_choice_without_equals "steps[send].campaign" "a choice has no '=': [field=value]"
bad_path path_choice_first "[kind=send].campaign" "a choice [field=value] comes after a name"
bad_path path_choice_empty_field "steps[meta..kind=send].campaign" "a choice's field is no names between dots"
bad_path path_after_choice "steps[kind=send]campaign" "a choice is followed by neither '.', '[' nor the end"
expect refused_paths_import_nothing test "$(sql "SELECT count(*) FROM marketing_event")" = 2

# A key is one value: a list, an object as the id is rejected, not
# imported as its JSON text; true and a number are keys as written.
send='"steps": [{"meta": {"kind": "send"}, "campaign": "Keys", "at": "2026-10-01T08:00:00Z"}]'
printf '%s\n' "{\"id\": {}, \"org\": 1, $send}" "{\"id\": [1, 2], \"org\": 1, $send}" \
	"{\"id\": true, \"org\": 1, $send}" "{\"id\": 7, \"org\": 1, $send}" >"$T/keys.jsonl"
run "$BATON_BIN" -c "$T/own.cfg" -d "dbname=$db user=importer" import --source events --rejects "$T/keys.rej" "$T/keys.jsonl"
expect list_or_object_key_rejected \
	sh -c '[ "$1" -eq 0 ] && grep -qF "4 read, 2 inserted, 0 updated, 0 unchanged, 2 rejected," "$2" &&
	       [ "$(grep -c "source_id,a list or an object is no key" "$3")" -eq 2 ]' _ "$rc" "$OUT" "$T/keys.rej"
expect scalar_keys_kept test "$(sql "SELECT string_agg(source_id, ' ' ORDER BY source_id) FROM import_record WHERE source = 'events'")" = \
	"7 e1 e3 true"

# A choice matches a number or true/false as written, a string as well
# (Zendesk's custom_fields: [{"id": 360001, "value": ...}]), and a name of
# digits in a path with a choice is a list's element, -1 the last (098).
cat >"$T/num.cfg" <<'CFG'
import: { sources = (
  { name = "zendesk-organizations"; entity = "customers"; format = "json"; array = "organizations"; system = "helpdesk";
    fields = { source_id = "id"; name = "name"; domains = "domain_names"; }; },
  { name = "sends"; entity = "marketing"; format = "jsonl"; customer_source = "zendesk-organizations";
    fields = { source_id = "id"; customer = "org"; campaign = "custom_fields[id=360001].value";
      kind = { default = "newsletter"; }; channel = { default = "email"; }; status = { default = "sent"; };
      sent_at = "steps[kind=send].times.0"; scheduled_at = "pages.-1.plan[due=true].at"; }; }
); };
CFG
cat >"$T/sends.jsonl" <<'JSON'
{"id": "n1", "org": 1, "custom_fields": [{"id": 360002, "value": "Wrong"}, {"id": 360001, "value": "Numbers"}], "steps": [{"kind": "send", "times": ["2026-04-01T08:00:00Z", "2026-04-02T08:00:00Z"]}], "pages": [{"plan": [{"due": true, "at": "2026-01-01T08:00:00Z"}]}, {"plan": [{"due": false, "at": "2026-02-01T08:00:00Z"}, {"due": true, "at": "2026-03-20T08:00:00Z"}]}]}
{"id": "n2", "org": 1, "custom_fields": [{"id": "360001", "value": "Strings"}], "steps": [{"kind": "send", "times": ["2026-05-01T08:00:00Z"]}], "pages": []}
JSON
imported_with "$T/num.cfg" numbers_and_list_elements sends "$T/sends.jsonl" \
	"2 read, 2 inserted, 0 updated, 0 unchanged, 0 rejected"
expect numbers_and_list_elements_values test "$(sql "SELECT string_agg(e.campaign || ':' || to_char(e.sent_at AT TIME ZONE 'UTC', 'MM-DD')
	|| ':' || coalesce(to_char(e.scheduled_at AT TIME ZONE 'UTC', 'MM-DD'), '-'), ' ' ORDER BY e.campaign)
	FROM marketing_event e JOIN import_record i ON i.target_id = e.id AND i.entity = 'marketing' WHERE i.source = 'sends'")" = \
	"Numbers:04-01:03-20 Strings:05-01:-"
# A name of digits is read as #>> reads it: "-0" and "007" are 0 and 7,
# "-2" the last but one (of eight lists, each of one element chosen).
expect digits_as_list_elements test "$(sql "SELECT string_agg(
	(jsonb_path_query_first(d, baton_import_jsonpath(jsonb_build_array('a', n, jsonb_build_object('where', '[\"k\"]'::jsonb, 'is', 'v'), 'x')), '{}', true)
	 #>> '{}') || '=' || (d #>> ARRAY['a', n, '0', 'x']), ',' ORDER BY n)
	FROM (SELECT jsonb_build_object('a', jsonb_agg(jsonb_build_array(jsonb_build_object('k', 'v', 'x', i)) ORDER BY i)) AS d
	      FROM generate_series(0, 7) i) t, unnest(ARRAY['-0', '007', '-2']) n")" = "0=0,6=6,7=7"
