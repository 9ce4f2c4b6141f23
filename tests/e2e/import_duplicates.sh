#!/bin/sh
# baton import: a file that holds a record twice (an incremental export
# lists a ticket again that changed while it was paged; pages are
# concatenated) keeps its newest line, by updated_at, wherever it stands in
# the file (migration 071): newer first, newer last, three copies; of lines
# as new, the last; a line without updated_at is older than one with it,
# and a mapping that reads no updated_at keeps the last line.  The lines
# not kept are read and counted unchanged.  The same in a JSON document, JSON Lines and CSV, and
# when one of the lines is the record as the source already has it (set
# aside before it is sent, or by the server when piped): a newer line
# before it still updates the record.
. "$BATON_ROOT/tests/lib/e2e.sh"
. "$BATON_ROOT/tests/lib/import.sh"

cli_files import_duplicates
db=$(newdb baton_schema) || { echo "FAIL import_duplicates: cannot create a test database"; exit 1; }
importer_role "$db"
CFG="$BATON_ROOT/etc/baton-import.cfg"
# subject SOURCE ID: the subject and status of the ticket a record was imported into
subject() {
	sql "SELECT t.subject || '|' || t.status FROM ticket t
	     JOIN import_record r ON r.target_id = t.id AND r.source = '$1' AND r.source_id = '$2'"
}

# --- a JSON document (zendesk-tickets) ---------------------------------------------
cat >"$T/orgs.json" <<'EOF'
{"organizations": [
  {"id": 360001, "name": "Acme Corp", "domain_names": ["acme.example"], "updated_at": "2026-03-01T10:00:00Z"}
], "end_of_stream": true}
EOF
imported orgs_imported zendesk-organizations "$T/orgs.json" "1 read, 1 inserted"
# tk ID UPDATED_AT SUBJECT STATUS: a ticket record (UPDATED_AT "-": none)
tk() {
	_u=", \"updated_at\": \"$2\""
	[ "$2" = - ] && _u=""
	printf '{"id": %s, "created_at": "2026-03-01T08:00:00Z"%s, "subject": "%s", "status": "%s", "organization_id": 360001, "tags": []}' \
		"$1" "$_u" "$3" "$4"
}
{
	echo '{"tickets": ['
	tk 200 2026-03-05T08:00:00Z "200 newer" solved; echo ,
	tk 200 2026-03-04T08:00:00Z "200 older" open; echo ,
	tk 201 2026-03-04T08:00:00Z "201 older" open; echo ,
	tk 201 2026-03-05T08:00:00Z "201 newer" pending; echo ,
	tk 202 2026-03-04T08:00:00Z "202 middle" open; echo ,
	tk 202 2026-03-06T08:00:00Z "202 newest" solved; echo ,
	tk 202 2026-03-03T08:00:00Z "202 oldest" new; echo ,
	tk 203 2026-03-05T08:00:00Z "203 first" open; echo ,
	tk 203 2026-03-05T08:00:00Z "203 second" pending; echo ,
	tk 204 2026-03-05T08:00:00Z "204 dated" solved; echo ,
	tk 204 - "204 undated" open; echo ,
	tk 205 "" "205 first" open; echo ,
	tk 205 - "205 second" pending; echo ,
	tk 206 2026-03-05T08:00:00Z "206" open
	echo '], "end_of_stream": true}'
} >"$T/dup1.json"
imported json_duplicates_counted zendesk-tickets "$T/dup1.json" \
	"14 read, 7 inserted, 0 updated, 7 unchanged, 0 rejected"
check json_newer_first_wins [ "$(subject zendesk-tickets 200)" = "200 newer|solved" ]
check json_newer_last_wins [ "$(subject zendesk-tickets 201)" = "201 newer|pending" ]
check json_newest_of_three_wins [ "$(subject zendesk-tickets 202)" = "202 newest|solved" ]
check json_equal_times_last_wins [ "$(subject zendesk-tickets 203)" = "203 second|pending" ]
check json_dated_beats_undated [ "$(subject zendesk-tickets 204)" = "204 dated|solved" ]
check json_undated_last_wins [ "$(subject zendesk-tickets 205)" = "205 second|pending" ]
check json_ticket_time_is_the_newest \
	[ "$(sql "SELECT to_char(t.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') FROM ticket t
	          JOIN import_record r ON r.target_id = t.id AND r.source = 'zendesk-tickets' AND r.source_id = '202'")" = \
	  "2026-03-06 08:00" ]
check json_record_time_is_the_newest \
	[ "$(sql "SELECT to_char(source_updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') FROM import_record
	          WHERE source = 'zendesk-tickets' AND source_id = '200'")" = "2026-03-05 08:00" ]
check json_one_ticket_each [ "$(sql "SELECT count(*) FROM ticket")" = 7 ]
# The next page: ticket 206 changed, then its record as imported.
{
	echo '{"tickets": ['
	tk 206 2026-03-07T08:00:00Z "206 newest" solved; echo ,
	tk 206 2026-03-05T08:00:00Z "206" open
	echo '], "end_of_stream": true}'
} >"$T/dup2.json"
imported json_newer_before_the_known_updates zendesk-tickets "$T/dup2.json" \
	"2 read, 0 inserted, 1 updated, 1 unchanged, 0 rejected"
check json_newer_before_the_known_wins [ "$(subject zendesk-tickets 206)" = "206 newest|solved" ]

# --- JSON Lines and CSV ------------------------------------------------------------
cat >"$T/dup.cfg" <<'EOF'
import: { sources = (
  { name = "d-orgs"; entity = "customers"; format = "csv"; system = "crm"; label = "D org";
    fields = { source_id = "id"; name = "name"; domains = "domain"; updated_at = "updated"; }; },
  { name = "d-tickets"; entity = "tickets"; format = "jsonl"; customer_source = "d-orgs";
    fields = { source_id = "id"; customer = "org"; subject = "subject"; status = "status";
      updated_at = "updated_at"; }; }
); };
EOF
dimp() { "$BATON_BIN" -c "$T/dup.cfg" -d "dbname=$db user=importer" "$@"; }
# dimported NAME SOURCE FILE SUMMARY: as imported, with dup.cfg
dimported() {
	run dimp import --source "$2" "$3"
	expect "$1" sh -c '[ "$1" -eq 0 ] && grep -q "$2" "$3"' _ "$rc" "$4" "$OUT"
}
# org ID: the name of the customer a d-orgs record was imported into
org() {
	sql "SELECT c.name FROM customer c
	     JOIN import_record r ON r.customer_id = c.id AND r.source = 'd-orgs' AND r.source_id = '$1'"
}
cat >"$T/orgs1.csv" <<'EOF'
id,name,domain,updated
1,One Newer,one.example,2026-03-05 10:00
1,One Older,one.example,2026-03-04 10:00
2,Two,two.example,2026-03-01 10:00
EOF
dimported csv_duplicates_counted d-orgs "$T/orgs1.csv" "3 read, 2 inserted, 0 updated, 1 unchanged, 0 rejected"
check csv_newer_first_wins [ "$(org 1)" = "One Newer" ]
# The next export: record 2 renamed, then its row as imported (which the
# client keeps home: the source has it).
cat >"$T/orgs2.csv" <<'EOF'
id,name,domain,updated
2,Two Newer,two.example,2026-03-06 10:00
2,Two,two.example,2026-03-01 10:00
EOF
dimported csv_newer_before_the_known_updates d-orgs "$T/orgs2.csv" \
	"2 read, 0 inserted, 1 updated, 1 unchanged, 0 rejected"
check csv_newer_before_the_known_wins [ "$(org 2)" = "Two Newer" ]

# dl ID UPDATED_AT SUBJECT STATUS: a JSON line (UPDATED_AT "-": none)
dl() {
	_u=", \"updated_at\": \"$2\""
	[ "$2" = - ] && _u=""
	printf '{"id": "%s", "org": 1, "subject": "%s", "status": "%s"%s}\n' "$1" "$3" "$4" "$_u"
}
{
	dl j1 2026-03-05T08:00:00Z "j1 newer" solved
	dl j1 2026-03-04T08:00:00Z "j1 older" open
	dl j2 2026-03-05T08:00:00Z "j2 dated" solved
	dl j2 - "j2 undated" open
	dl j3 2026-03-04T08:00:00Z "j3 older" open
	dl j3 2026-03-06T08:00:00Z "j3 newest" pending
	dl j3 2026-03-05T08:00:00Z "j3 newer" solved
	dl j4 2026-03-05T08:00:00Z "j4" open
	dl j5 2026-03-05T08:00:00Z "j5" open
	dl j6 2026-03-05T08:00:00Z "j6" open
} >"$T/lines1.jsonl"
dimported jsonl_duplicates_counted d-tickets "$T/lines1.jsonl" "10 read, 6 inserted, 0 updated, 4 unchanged, 0 rejected"
check jsonl_newer_first_wins [ "$(subject d-tickets j1)" = "j1 newer|solved" ]
check jsonl_dated_beats_undated [ "$(subject d-tickets j2)" = "j2 dated|solved" ]
check jsonl_newest_of_three_wins [ "$(subject d-tickets j3)" = "j3 newest|pending" ]
# The next export: j5 changed, then its line as imported (kept home by the
# client); j6's line as imported, then an older one (still unchanged).
{
	dl j5 2026-03-07T08:00:00Z "j5 newest" pending
	dl j5 2026-03-05T08:00:00Z "j5" open
	dl j6 2026-03-05T08:00:00Z "j6" open
	dl j6 2026-03-03T08:00:00Z "j6 stale" new
} >"$T/lines2.jsonl"
dimported jsonl_newer_before_the_known_updates d-tickets "$T/lines2.jsonl" \
	"4 read, 0 inserted, 1 updated, 3 unchanged, 0 rejected"
check jsonl_newer_before_the_known_wins [ "$(subject d-tickets j5)" = "j5 newest|pending" ]
check jsonl_older_after_the_known_loses [ "$(subject d-tickets j6)" = "j6|open" ]
# The same through a pipe (read once, sent whole: the server sets the
# known line aside).
{
	dl j4 2026-03-07T08:00:00Z "j4 newest" solved
	dl j4 2026-03-05T08:00:00Z "j4" open
} >"$T/lines3.jsonl"
dimp import --source d-tickets - <"$T/lines3.jsonl" >"$OUT" 2>"$ERR"
rc=$?
expect jsonl_piped_newer_before_the_known_updates \
	sh -c '[ "$1" -eq 0 ] && grep -q "2 read, 0 inserted, 1 updated, 1 unchanged, 0 rejected" "$2"' _ "$rc" "$OUT"
check jsonl_piped_newer_before_the_known_wins [ "$(subject d-tickets j4)" = "j4 newest|solved" ]

# --- no updated_at in the mapping (scheduled-campaigns): the last line counts -------
cat >"$T/campaigns1.csv" <<'EOF'
id;recipient;campaign;kind;scheduled
c1;dana@acme.example;Upgrade to Pro;upsell;15/04/2026 10:30
c1;dana@acme.example;Upgrade to Pro (moved);upsell;22/04/2026 10:30
EOF
imported undated_mapping_duplicates_counted scheduled-campaigns "$T/campaigns1.csv" \
	"2 read, 1 inserted, 0 updated, 1 unchanged, 0 rejected"
check undated_mapping_last_wins [ "$(sql "SELECT string_agg(campaign, ',') FROM marketing_event")" = "Upgrade to Pro (moved)" ]
# Its line as imported last: nothing changes, whatever comes before it.
cat >"$T/campaigns2.csv" <<'EOF'
id;recipient;campaign;kind;scheduled
c1;dana@acme.example;Upgrade to Pro (again);upsell;29/04/2026 10:30
c1;dana@acme.example;Upgrade to Pro (moved);upsell;22/04/2026 10:30
EOF
imported undated_mapping_known_last_unchanged scheduled-campaigns "$T/campaigns2.csv" \
	"2 read, 0 inserted, 0 updated, 2 unchanged, 0 rejected"
check undated_mapping_known_last_wins \
	[ "$(sql "SELECT string_agg(campaign, ',') FROM marketing_event")" = "Upgrade to Pro (moved)" ]

# The newest line is the record's, bad or not (migration 156): a newest line
# with a status not in the map is rejected and the record stays as it was,
# its older line not imported, as when the newest names an unknown
# organization; a line whose updated_at is no date is older than the others
# and still rejected, never dropped unsaid.
cat >"$T/badnewest.json" <<'EOF2'
{"tickets": [
  {"id": 7001, "subject": "7001 older", "status": "open", "organization_id": 360001,
   "created_at": "2026-03-01T08:00:00Z", "updated_at": "2026-03-05T08:00:00Z"},
  {"id": 7001, "subject": "7001 newer", "status": "weird", "organization_id": 360001,
   "created_at": "2026-03-01T08:00:00Z", "updated_at": "2026-03-06T08:00:00Z"},
  {"id": 7002, "subject": "7002 older", "status": "open", "organization_id": 360001,
   "created_at": "2026-03-01T08:00:00Z", "updated_at": "2026-03-06T08:00:00Z"},
  {"id": 7002, "subject": "7002 newer", "status": "open", "organization_id": 4242,
   "created_at": "2026-03-01T08:00:00Z", "updated_at": "2026-03-07T08:00:00Z"},
  {"id": 7003, "subject": "7003 dated", "status": "open", "organization_id": 360001,
   "created_at": "2026-03-01T08:00:00Z", "updated_at": "2026-03-05T08:00:00Z"},
  {"id": 7003, "subject": "7003 no date", "status": "open", "organization_id": 360001,
   "created_at": "2026-03-01T08:00:00Z", "updated_at": "yesterday"}
], "end_of_stream": true}
EOF2
run "$BATON_BIN" -c "$CFG" -d "dbname=$db user=importer" import --source zendesk-tickets \
	--rejects "$T/badnewest.rej" "$T/badnewest.json"
expect bad_newest_lines_rejected sh -c '[ "$1" -eq 0 ] && grep -q "6 read, 1 inserted, 0 updated, 2 unchanged, 3 rejected" "$2" &&
	grep -q ",2,status," "$3" && grep -q ",4,customer," "$3" && grep -q ",6,updated_at," "$3"' _ "$rc" "$OUT" "$T/badnewest.rej"
check bad_newest_older_line_not_imported \
	[ "$(sql "SELECT string_agg(subject, ',' ORDER BY subject) FROM ticket WHERE number IN ('7001', '7002', '7003')")" = "7003 dated" ]
