#!/bin/sh
# A source's rules (only, skip) leave out the rows that are not its entity's
# records: Zendesk's users export lists the account's agents and admins,
# which etc/baton-import.cfg skips, counted and not rejected (one with a
# bad address and time, and a character replaced, said nothing of); a user who
# becomes an agent keeps the contact imported before; its satisfaction
# pages list surveys offered and not answered, skipped too.  A CSV source that
# imports only some types and skips by two other rules: values compared in
# any case, a blank value as "", a header without a rule's column refused,
# --dry-run and --format json counting the same.
. "$BATON_ROOT/tests/lib/e2e.sh"
. "$BATON_ROOT/tests/lib/import.sh"

cli_files import_rules
db=$(newdb baton_schema) || { echo "FAIL import_rules: cannot create a test database"; exit 1; }
importer_role "$db"
CFG="$BATON_ROOT/etc/baton-import.cfg"
imp() { "$BATON_BIN" -c "$CFG" -d "dbname=$db user=importer" "$@"; }

cat >"$T/orgs.json" <<'EOF'
{"organizations": [
  {"id": 1, "name": "Northwind Health", "domain_names": ["nwh.example"], "updated_at": "2026-03-01T10:00:00Z"}
], "end_of_stream": true}
EOF
imported orgs_imported zendesk-organizations "$T/orgs.json" "1 read, 1 inserted"

# --- the shipped Zendesk users mapping: agents and admins skipped ------------------
cat >"$T/users.json" <<'EOF'
{"users": [
  {"id": 11, "name": "Dana Whitfield", "email": "dana@nwh.example", "organization_id": 1, "role": "end-user",
   "updated_at": "2026-03-01T10:00:00Z"},
  {"id": 21, "name": "Sam Agent", "email": "sam@nwh.example", "organization_id": 1, "role": "agent",
   "updated_at": "2026-03-01T10:00:00Z"},
  {"id": 12, "name": "Lee Park", "email": "lee@nwh.example", "organization_id": null, "role": "end-user",
   "updated_at": "2026-03-01T10:00:00Z"},
  {"id": 22, "name": "Ada Admin", "email": "ada@nwh.example", "organization_id": null, "role": " Admin ",
   "updated_at": "2026-03-01T10:00:00Z"},
  {"id": 13, "name": "No Role", "email": "norole@nwh.example", "organization_id": 1,
   "updated_at": "2026-03-01T10:00:00Z"},
  {"id": 14, "name": "Lost", "email": "lost@nowhere.example", "organization_id": 99, "role": "end-user",
   "updated_at": "2026-03-01T10:00:00Z"},
  {"id": 23, "name": "Half \ud800 Agent", "email": "not an address", "organization_id": 1, "role": "agent",
   "updated_at": "yesterday"}
], "end_of_stream": true}
EOF
run imp import --source zendesk-users --rejects "$T/users.rej" "$T/users.json"
expect agents_skipped_not_rejected \
	sh -c '[ "$1" -eq 0 ] && grep -qF "users.json: contacts: 7 read, 3 inserted, 0 updated, 0 unchanged, 3 skipped, 1 rejected," "$2" &&
	       ! grep -q "replaced by U+FFFD" "$2"' _ "$rc" "$OUT"
expect rejects_file_has_the_real_reject_alone \
	sh -c '[ "$(grep -c "users.json,[0-9]" "$1")" -eq 1 ] && grep -q "users.json,6,customer," "$1" && ! grep -q "Agent\|Admin" "$1"' \
	_ "$T/users.rej"
expect agents_are_no_contacts \
	test "$(sql "SELECT string_agg(email, ' ' ORDER BY email) FROM contact")" = \
	"dana@nwh.example lee@nwh.example norole@nwh.example"

run imp import --source zendesk-users --format json "$T/users.json"
expect json_counts_skipped \
	sh -c '[ "$1" -eq 0 ] && grep -qF "\"read\":7,\"inserted\":0,\"updated\":0,\"unchanged\":3,\"skipped\":3,\"rejected\":1," "$2"' \
	_ "$rc" "$OUT"
expect run_recorded_with_skipped \
	test "$(sql "SELECT string_agg(read_rows || '/' || skipped || '/' || unchanged, ' ' ORDER BY started_at)
	             FROM import_run WHERE source = 'zendesk-users'")" = "7/3/0 7/3/3"

# A newer page: Dana became an agent; her contact stays as it was.
cat >"$T/users2.json" <<'EOF'
{"users": [
  {"id": 11, "name": "Dana W. (agent)", "email": "dana@nwh.example", "organization_id": 1,
   "role": "agent", "updated_at": "2026-04-01T10:00:00Z"}
], "end_of_stream": true}
EOF
imported promoted_user_skipped zendesk-users "$T/users2.json" "1 read, 0 inserted, 0 updated, 0 unchanged, 1 skipped, 0 rejected"
expect promoted_user_keeps_contact \
	test "$(sql "SELECT name FROM contact WHERE email = 'dana@nwh.example'")" = "Dana Whitfield"
# Lee became an agent and nothing else changed: skipped each time, never
# taken for the record as stored (its digest is not renewed by the line).
cat >"$T/users3.json" <<'EOF'
{"users": [
  {"id": 12, "name": "Lee Park", "email": "lee@nwh.example", "organization_id": null, "role": "agent",
   "updated_at": "2026-03-01T10:00:00Z"}
], "end_of_stream": true}
EOF
digest=$(sql "SELECT digest FROM import_record WHERE source = 'zendesk-users' AND source_id = '12'")
imported same_values_agent_skipped zendesk-users "$T/users3.json" "1 read, 0 inserted, 0 updated, 0 unchanged, 1 skipped"
imported same_values_agent_skipped_again zendesk-users "$T/users3.json" "1 read, 0 inserted, 0 updated, 0 unchanged, 1 skipped"
expect same_values_agent_digest_kept \
	sh -c '[ -n "$1" ] && [ "$2" = "$1" ]' _ "$digest" \
	"$(sql "SELECT digest FROM import_record WHERE source = 'zendesk-users' AND source_id = '12'")"

# --- the shipped satisfaction mapping: a survey offered and not answered is no answer
cat >"$T/ratings.json" <<'EOF'
{"satisfaction_ratings": [
  {"id": 901, "score": "good", "requester_id": 11, "updated_at": "2026-03-03T12:00:00Z"},
  {"id": 902, "score": "offered", "requester_id": 12, "updated_at": "2026-03-03T12:00:00Z"},
  {"id": 903, "score": "unoffered", "requester_id": 13, "updated_at": "2026-03-03T12:00:00Z"},
  {"id": 904, "score": "bad", "requester_id": 12, "updated_at": "2026-03-04T12:00:00Z"}
], "next_page": null}
EOF
imported unanswered_surveys_skipped zendesk-satisfaction "$T/ratings.json" \
	"4 read, 2 inserted, 0 updated, 0 unchanged, 2 skipped, 0 rejected"
expect answers_imported \
	test "$(sql "SELECT string_agg(kind || score, ' ' ORDER BY responded_at) FROM survey_response")" = "csat5 csat1"

# --- a CSV source of its own: only some types ---------------------------------------
cat >"$T/rules.cfg" <<'EOF'
import: {
  sources = (
    {
      name = "crm";
      entity = "customers";
      format = "csv";
      only = { from = "Company Type"; values = ["Customer", ""]; };
      skip = ( { from = "Status"; values = ["archived"]; },
               { from = "Name"; values = ["Test Co"]; } );
      fields = { source_id = "Id"; name = "Name"; domains = "Domain"; };
    },
    {
      name = "people";
      entity = "contacts";
      format = "jsonl";
      customer_source = "crm";
      skip = { from = "who.role"; values = ["agent"]; };
      fields = { source_id = "id"; customer = "org"; name = "name"; email = "email"; updated_at = "at"; };
    }
  );
};
EOF
cat >"$T/companies.csv" <<'EOF'
Id,Name,Company Type,Domain,Status
501,Acme Corp,Customer,acme.example,active
502,Partner Co,Partner,partner.example,active
503,Globex, customer ,globex.example,
504,Untyped Inc,,untyped.example,active
505,Vendor Ltd,VENDOR,vendor.example,active
506,Gone Ltd,Customer,gone.example,ARCHIVED
507,test co,Customer,test.example,active
EOF
run "$BATON_BIN" -c "$T/rules.cfg" -d "dbname=$db user=importer" import --source crm --dry-run "$T/companies.csv"
expect dry_run_counts_skipped \
	sh -c '[ "$1" -eq 0 ] && grep -qF "would import $3: customers: 7 read, 3 inserted, 0 updated, 0 unchanged, 4 skipped, 0 rejected," "$2"' \
	_ "$rc" "$OUT" "$T/companies.csv"
imported_with "$T/rules.cfg" rules_import_their_rows crm "$T/companies.csv" \
	"7 read, 3 inserted, 0 updated, 0 unchanged, 4 skipped, 0 rejected,"
expect rules_customers \
	test "$(sql "SELECT string_agg(r.source_id, ' ' ORDER BY r.source_id) FROM import_record r WHERE r.source = 'crm'")" = \
	"501 503 504"

printf 'Id,Name,Domain,Status\n508,Typeless Co,typeless.example,active\n' >"$T/notype.csv"
run "$BATON_BIN" -c "$T/rules.cfg" -d "dbname=$db user=importer" import --source crm "$T/notype.csv"
expect header_without_rule_column_refused \
	sh -c '[ "$1" -eq 1 ] && grep -qF "notype.csv: the header has no column \"Company Type\", which an only rule reads" "$2" &&
	       [ "$(psql -X -At -d "$3" -c "SELECT count(*) FROM import_record WHERE source_id = '"'"'508'"'"'")" = 0 ]' \
	_ "$rc" "$ERR" "$db"

printf 'Id,Name,Company Type,Domain,Status,Company Type\n509,Twice Co,Customer,twice.example,active,Partner\n' >"$T/twice.csv"
run "$BATON_BIN" -c "$T/rules.cfg" -d "dbname=$db user=importer" import --source crm "$T/twice.csv"
expect header_with_rule_column_twice_refused \
	sh -c '[ "$1" -eq 1 ] && grep -qF "twice.csv: the header has more than one column \"Company Type\", which an only rule reads" "$2"' \
	_ "$rc" "$ERR"

# --- JSON Lines, a rule on a nested field; a record's newest line decides ----------
cat >"$T/people1.jsonl" <<'EOF'
{"id": "p1", "org": "501", "name": "Pat Old", "email": "pat@acme.example", "who": {"role": "end-user"}, "at": "2026-03-01T00:00:00Z"}
{"id": "p2", "org": "501", "name": "Kim Agent", "email": "kim@acme.example", "who": {"role": "Agent"}, "at": "2026-03-01T00:00:00Z"}
EOF
imported_with "$T/rules.cfg" nested_rule_skips people "$T/people1.jsonl" \
	"2 read, 1 inserted, 0 updated, 0 unchanged, 1 skipped, 0 rejected,"
# Pat became an agent, and a new person's newest line says agent too: their
# older lines, later in the file, are not imported in their place.
cat >"$T/people2.jsonl" <<'EOF'
{"id": "p1", "org": "501", "name": "Pat Agent", "email": "pat@acme.example", "who": {"role": "agent"}, "at": "2026-04-01T00:00:00Z"}
{"id": "p1", "org": "501", "name": "Pat Older", "email": "pat@acme.example", "who": {"role": "end-user"}, "at": "2026-03-15T00:00:00Z"}
{"id": "p3", "org": "501", "name": "New Agent", "email": "new@acme.example", "who": {"role": "agent"}, "at": "2026-04-01T00:00:00Z"}
{"id": "p3", "org": "501", "name": "New Older", "email": "new@acme.example", "who": {"role": "end-user"}, "at": "2026-03-01T00:00:00Z"}
EOF
imported_with "$T/rules.cfg" newest_line_left_out_leaves_record people "$T/people2.jsonl" \
	"4 read, 0 inserted, 0 updated, 2 unchanged, 2 skipped, 0 rejected,"
expect newest_line_left_out_contacts \
	test "$(sql "SELECT string_agg(name, ', ' ORDER BY name) FROM contact WHERE email LIKE '%@acme.example'")" = "Pat Old"
