#!/bin/sh
# baton import of every shape etc/baton-import.cfg has a mapping for, with
# small files made here: the rows land where the screens read them; a bad
# row goes to the rejects file with its line, field and reason and does not
# stop the file; the same file again changes nothing and says so; a newer
# export updates, an older one does not, a record missing from a file is
# left alone; --dry-run changes nothing; imported escape sequences never
# reach the terminal; a wrong mapping is a configuration error naming the
# file and line.
. "$BATON_ROOT/tests/lib/e2e.sh"
. "$BATON_ROOT/tests/lib/import.sh"

cli_files import_files
db=$(newdb baton_schema) || { echo "FAIL import_files: cannot create a test database"; exit 1; }
importer_role "$db"
CFG="$BATON_ROOT/etc/baton-import.cfg"
imp() { "$BATON_BIN" -c "$CFG" -d "dbname=$db user=importer" "$@"; }

esc=$(printf '\033]0;owned\007\033[2J')
cat >"$T/orgs.json" <<EOF
{"organizations": [
  {"id": 1, "name": "Northwind Health", "domain_names": ["nwh.example"], "updated_at": "2026-03-01T10:00:00Z"},
  {"id": 2, "name": "Hostile \u001b]0;owned\u0007\u001b[2J Ltd", "domain_names": ["hostile.example"],
   "updated_at": "2026-03-01T10:00:00Z"}
], "end_of_stream": true}
EOF
run imp import --source zendesk-organizations "$T/orgs.json"
expect orgs_imported sh -c '[ "$1" -eq 0 ] && grep -q "2 read, 2 inserted" "$2"' _ "$rc" "$OUT"

# --- JSON Lines would do as well, but Zendesk pages are documents: users and
# tickets, one bad row each kind ------------------------------------------------------
cat >"$T/users.json" <<'EOF'
{"users": [
  {"id": 11, "name": "Dana Whitfield", "email": "dana@nwh.example", "organization_id": 1},
  {"id": 12, "name": "No Org", "email": "someone@nwh.example", "organization_id": null},
  {"id": 13, "name": "Lost", "email": "lost@nowhere.example", "organization_id": 99}
], "end_of_stream": true}
EOF
run imp import --source zendesk-users --rejects "$T/users.rej" "$T/users.json"
expect users_imported_one_rejected \
	sh -c '[ "$1" -eq 0 ] && grep -q "3 read, 2 inserted, 0 updated, 0 unchanged, 1 rejected" "$2"' _ "$rc" "$OUT"
expect users_reject_names_record_and_reason \
	grep -q '^.*users.json,3,customer,"unknown customer reference ""99"" (no zendesk-organizations record)",' "$T/users.rej"

cat >"$T/tickets.json" <<'EOF'
{"tickets": [
  {"id": 4812, "subject": "Patient data missing", "description": "since the migration", "status": "open",
   "priority": "urgent", "requester_id": 11, "organization_id": 1, "created_at": "2026-03-01T08:00:00Z",
   "updated_at": "2026-03-02T08:00:00Z", "tags": ["vip", "migration"]},
  {"id": 4813, "subject": "Invoice", "status": "hold", "priority": null, "requester_id": 12,
   "organization_id": null, "created_at": "2026-03-01T08:00:00Z", "updated_at": "2026-03-01T09:00:00Z",
   "tags": []},
  {"id": 4814, "subject": "Bad date", "status": "open", "priority": "high", "organization_id": 1,
   "created_at": "2026-02-30T08:00:00Z", "updated_at": "2026-03-01T09:00:00Z", "tags": []},
  {"id": 4815, "subject": "Bad status", "status": "escalated", "organization_id": 1,
   "created_at": "2026-03-01T08:00:00Z", "updated_at": "2026-03-01T09:00:00Z", "tags": []},
  {"subject": "No id", "status": "open", "organization_id": 1}
], "end_of_stream": true}
EOF
run imp import --source zendesk-tickets --rejects "$T/tickets.rej" "$T/tickets.json"
expect tickets_imported_three_rejected \
	sh -c '[ "$1" -eq 0 ] && grep -q "5 read, 2 inserted, 0 updated, 0 unchanged, 3 rejected" "$2"' _ "$rc" "$OUT"
expect tickets_rejects_name_record_field_reason \
	sh -c 'grep -qF ",3,opened_at,\"\"\"2026-02-30T08:00:00Z\"\" is not a date and time (iso)\"," "$1" &&
	       grep -qF ",4,status,\"value \"\"escalated\"\" is not in the map\"," "$1" &&
	       grep -qF ",5,source_id,missing key," "$1" && [ "$(wc -l <"$1")" -eq 4 ]' _ "$T/tickets.rej"
check ticket_mapped_status_priority_category_requester \
	[ "$(sql "SELECT t.status || ' ' || t.priority || ' ' || t.category || ' ' || c.email FROM ticket t
	          JOIN contact c ON c.id = t.requester_id WHERE t.subject = 'Patient data missing'")" = \
	  "open urgent migration dana@nwh.example" ]
# The import's inserts are audited as one row per customer (migration 047):
# the run (and through it who ran it), the source and the rows' ids.
check tickets_audited_once_per_customer_by_run \
	[ "$(sql "SELECT string_agg(a.action || ' ' || (a.change ->> 'source') || ' '
	            || (a.change -> 'ids' = (SELECT jsonb_agg(i.target_id ORDER BY i.target_id) FROM import_record i
	                                     WHERE i.source = 'zendesk-tickets'))::text
	            || ' ' || (r.imported_by = a.actor)::text || ' ' || (a.customer_id = t.customer_id)::text, ',')
	          FROM baton_audit a JOIN import_run r ON r.id = (a.change ->> 'run')::uuid
	          JOIN ticket t ON t.subject = 'Patient data missing'
	          WHERE a.entity = 'ticket'")" = "import zendesk-tickets true true true" ]
# `baton audit` says how many rows such a row stands for, not every id (a
# key account's run has thousands); JSON keeps the ids.
run "$BATON_BIN" -d "dbname=$db" audit --customer nwh.example
expect audit_text_counts_the_imported_rows \
	sh -c '[ "$1" -eq 0 ] && grep "import ticket" "$2" | grep -q "\"rows\": 2, \"source\": \"zendesk-tickets\"" &&
	       ! grep -q "\"ids\"" "$2"' _ "$rc" "$OUT"
run "$BATON_BIN" -d "dbname=$db" audit --customer nwh.example --format json
expect audit_json_keeps_the_ids sh -c '[ "$1" -eq 0 ] && grep -q "\"ids\": \[" "$2"' _ "$rc" "$OUT"
run "$BATON_BIN" -d "dbname=$db" audit --customer nwh.example --format csv
expect audit_csv_keeps_the_ids sh -c '[ "$1" -eq 0 ] && grep "^[0-9]*,.*,import,ticket," "$2" | grep -q "\"\"ids\"\": \["' \
	_ "$rc" "$OUT"
audit_tickets=$(sql "SELECT count(*) FROM baton_audit WHERE entity = 'ticket'")
# Only the import's functions write the mark that makes an insert audited
# so: no role can, an importer or a staff member, to hide its own writes.
for role in importer ana; do
	check "no_import_mark_written_by_$role" eval '! psql -X -q -d "dbname=$db user=$role" -v ON_ERROR_STOP=1 \
		-c "INSERT INTO baton_import_writing VALUES (pg_backend_pid(), pg_current_xact_id(), '"'ticket'"', gen_random_uuid(), '"'x'"')" \
		2>"$ERR" && grep -q "permission denied" "$ERR"'
done
check no_import_mark_left [ "$(sql "SELECT count(*) FROM baton_import_writing")" = 0 ]
check ticket_customer_through_requester \
	[ "$(sql "SELECT c.name || ' ' || t.status FROM ticket t JOIN customer c ON c.id = t.customer_id
	          WHERE t.subject = 'Invoice'")" = "Northwind Health on_hold" ]

# --- the same file again: nothing changes, and it says so --------------------------
run imp import --source zendesk-tickets "$T/tickets.json"
expect repeated_file_reports_no_changes \
	sh -c '[ "$1" -eq 0 ] && grep -q "5 read, 0 inserted, 0 updated, 2 unchanged, 3 rejected, 0 customers merged (no changes)" "$2"' \
	_ "$rc" "$OUT"
check repeated_file_changes_no_row \
	[ "$(sql "SELECT count(*) FROM baton_audit WHERE entity = 'ticket'")" = "$audit_tickets" ]
# The same record twice in one file, both lines as new (updated_at): its
# last line counts, also when that line is the record as Baton has it and
# an earlier one changes it.  (Of lines not as new, the newest counts:
# import_duplicates.)
cat >"$T/tickets-twice.json" <<'EOF'
{"tickets": [
  {"id": 4812, "subject": "Patient data missing", "status": "solved", "priority": "urgent",
   "requester_id": 11, "organization_id": 1, "created_at": "2026-03-01T08:00:00Z",
   "updated_at": "2026-03-02T08:00:00Z", "tags": ["vip", "migration"]},
  {"id": 4812, "subject": "Patient data missing", "description": "since the migration", "status": "open",
   "priority": "urgent", "requester_id": 11, "organization_id": 1, "created_at": "2026-03-01T08:00:00Z",
   "updated_at": "2026-03-02T08:00:00Z", "tags": ["vip", "migration"]}
], "end_of_stream": true}
EOF
run imp import --source zendesk-tickets "$T/tickets-twice.json"
expect same_record_twice_last_line_counts \
	sh -c '[ "$1" -eq 0 ] && grep -q "2 read, 0 inserted, 0 updated" "$2"' _ "$rc" "$OUT"
check same_record_twice_kept_as_it_was \
	[ "$(sql "SELECT status FROM ticket WHERE subject = 'Patient data missing'")" = open ]
# A field the mapping does not read changed: the record is unchanged, and
# stays so on the next run (then skipped before conversion).
sed 's|"id": 4812,|"id": 4812, "url": "https://desk.example/4812",|' "$T/tickets.json" >"$T/tickets-url.json"
run imp import --source zendesk-tickets "$T/tickets-url.json"
expect unmapped_field_changes_nothing \
	sh -c '[ "$1" -eq 0 ] && grep -q "5 read, 0 inserted, 0 updated, 2 unchanged, 3 rejected" "$2"' _ "$rc" "$OUT"
run imp import --source zendesk-tickets "$T/tickets-url.json"
expect unmapped_field_file_again_no_changes \
	sh -c '[ "$1" -eq 0 ] && grep -q "5 read, 0 inserted, 0 updated, 2 unchanged, 3 rejected" "$2"' _ "$rc" "$OUT"
check unmapped_field_changes_no_row \
	[ "$(sql "SELECT count(*) FROM baton_audit WHERE entity = 'ticket'")" = "$audit_tickets" ]

# Records whose digests an older Baton wrote (the record's half of another
# form): unchanged by their values, and their digests renewed.
sql "UPDATE import_record SET digest = left(digest, 32) || md5('older') WHERE source = 'zendesk-tickets'" >/dev/null
run imp import --source zendesk-tickets "$T/tickets-url.json"
expect older_digests_unchanged \
	sh -c '[ "$1" -eq 0 ] && grep -q "5 read, 0 inserted, 0 updated, 2 unchanged, 3 rejected" "$2"' _ "$rc" "$OUT"
check older_digests_renewed \
	[ "$(sql "SELECT count(*) FROM import_record WHERE source = 'zendesk-tickets' AND digest LIKE '%' || md5('older')")" = 0 ]

# --- a newer export updates, an older one does not, a missing record stays ------------
cat >"$T/tickets-newer.json" <<'EOF'
{"tickets": [{"id": 4812, "subject": "Patient data missing", "status": "solved", "priority": "urgent",
  "organization_id": 1, "created_at": "2026-03-01T08:00:00Z", "updated_at": "2026-03-04T08:00:00Z",
  "tags": ["migration"]}], "end_of_stream": true}
EOF
sed 's/"solved"/"pending"/; s/2026-03-04/2026-03-01/' "$T/tickets-newer.json" >"$T/tickets-older.json"
run imp import --source zendesk-tickets "$T/tickets-newer.json"
expect newer_export_updates sh -c '[ "$1" -eq 0 ] && grep -q "1 read, 0 inserted, 1 updated" "$2"' _ "$rc" "$OUT"
run imp import --source zendesk-tickets "$T/tickets-newer.json"
expect newer_export_again_changes_nothing \
	sh -c '[ "$1" -eq 0 ] && grep -q "1 read, 0 inserted, 0 updated, 1 unchanged" "$2"' _ "$rc" "$OUT"
run imp import --source zendesk-tickets "$T/tickets-older.json"
expect older_export_changes_nothing sh -c '[ "$1" -eq 0 ] && grep -q "0 updated, 1 unchanged" "$2"' _ "$rc" "$OUT"
check newer_state_kept_missing_record_left_alone \
	[ "$(sql "SELECT string_agg(status || (solved_at IS NOT NULL)::text, ' ' ORDER BY subject) FROM ticket")" = \
	  "on_holdfalse solvedtrue" ]

# --- --dry-run: says what would change, changes nothing --------------------------------
sed 's/"solved"/"closed"/; s/2026-03-04/2026-03-06/' "$T/tickets-newer.json" >"$T/tickets-dry.json"
run imp import --dry-run --source zendesk-tickets "$T/tickets-dry.json"
expect dry_run_says_what_would_change \
	sh -c '[ "$1" -eq 0 ] && grep -q "^would import .*tickets-dry.json: tickets: 1 read, 0 inserted, 1 updated" "$2"' \
	_ "$rc" "$OUT"
check dry_run_changes_nothing [ "$(sql "SELECT status FROM ticket WHERE subject = 'Patient data missing'")" = solved ]
# A ticket deleted in Zendesk comes in the incremental export as "deleted":
# closed, not rejected and left open for good.
cat >"$T/tickets-deleted.json" <<'EOF'
{"tickets": [{"id": 4813, "subject": "Deleted in Zendesk", "status": "deleted", "priority": "low",
  "requester_id": 11, "organization_id": 1, "created_at": "2026-03-01T09:00:00Z",
  "updated_at": "2026-03-06T09:00:00Z"}], "end_of_stream": true}
EOF
run imp import --source zendesk-tickets "$T/tickets-deleted.json"
expect deleted_ticket_imported sh -c '[ "$1" -eq 0 ] && grep -q "0 rejected" "$2"' _ "$rc" "$OUT"
check deleted_ticket_closed [ "$(sql "SELECT status FROM ticket WHERE subject = 'Deleted in Zendesk'")" = closed ]
# The first tag the map has, whatever its case and the spaces around it.
cat >"$T/tagged.json" <<'EOF2'
{"tickets": [{"id": 4830, "subject": "Tagged by hand", "status": "Open", "organization_id": 1,
  "created_at": "2026-03-01T08:00:00Z", "updated_at": "2026-03-01T09:00:00Z", "tags": ["VIP", " Billing "]}],
 "end_of_stream": true}
EOF2
imported tagged_ticket_imported zendesk-tickets "$T/tagged.json" "1 read, 1 inserted, 0 updated, 0 unchanged, 0 rejected"
check tag_map_folds [ "$(sql "SELECT status || ' ' || category FROM ticket WHERE subject = 'Tagged by hand'")" = "open billing" ]

# --- the other ready mappings: satisfaction, HubSpot sends, milestones, campaigns ------
cat >"$T/ratings.json" <<'EOF'
{"satisfaction_ratings": [{"id": 901, "score": "bad", "comment": "slow", "requester_id": 11,
  "ticket_id": 4812, "updated_at": "2026-03-03T12:00:00Z"}], "next_page": null}
EOF
run imp import --source zendesk-satisfaction "$T/ratings.json"
expect satisfaction_as_csat sh -c '[ "$1" -eq 0 ] && [ "$(psql -X -At -d "$2" -c "SELECT kind || score FROM survey_response")" = csat1 ]' \
	_ "$rc" "$db"
# A score's map takes any case and the spaces around it; a whole number it
# has not is that number, and a number that is no such score is rejected.
cat >"$T/ratings2.json" <<'EOF2'
{"satisfaction_ratings": [
  {"id": 902, "score": " GOOD ", "requester_id": 11, "updated_at": "2026-03-04T12:00:00Z"},
  {"id": 903, "score": "4", "requester_id": 11, "updated_at": "2026-03-05T12:00:00Z"},
  {"id": 904, "score": "7", "requester_id": 11, "updated_at": "2026-03-06T12:00:00Z"}], "next_page": null}
EOF2
run imp import --source zendesk-satisfaction --rejects "$T/ratings2.rej" "$T/ratings2.json"
expect score_map_folds_and_numbers sh -c '[ "$1" -eq 0 ] && grep -q "3 read, 2 inserted, 0 updated, 0 unchanged, 1 rejected" "$2" &&
	grep -qF ",3,score,\"a CSAT score is 1 to 5, not 7\"," "$3"' _ "$rc" "$OUT" "$T/ratings2.rej"
check score_map_values [ "$(sql "SELECT string_agg(score::text, ' ' ORDER BY responded_at) FROM survey_response
	WHERE responded_at > '2026-03-03T12:00:00Z'")" = "5 4" ]
printf 'Event ID,Recipient,Email Name,Email Type,Sent At\n1,dana@nwh.example,March newsletter,Newsletter,2026-03-03 09:00\n2,x@unknown.example,Lost,Newsletter,2026-03-03 09:00\n3,new.person@nwh.example,By domain,Newsletter,2026-03-03 09:00\n' \
	>"$T/sends.csv"
run imp import --source hubspot-email-sends --rejects "$T/sends.rej" "$T/sends.csv"
expect email_sends_by_recipient sh -c '[ "$1" -eq 0 ] && grep -q "3 read, 2 inserted, 0 updated, 0 unchanged, 1 rejected" "$2" &&
	grep -qF ",3,email,\"no contact has the address" "$3"' _ "$rc" "$OUT" "$T/sends.rej"
# An address no contact has, at a customer's domain: that customer's.
check email_send_by_domain [ "$(sql "SELECT count(*) FROM marketing_event m JOIN customer c ON c.id = m.customer_id
	WHERE m.campaign = 'By domain' AND lower(c.domain) = 'nwh.example'")" = 1 ]
# A send without an Email Type is the default's kind (newsletter), although
# the map's source values are HubSpot's ("Newsletter").
printf 'Event ID,Recipient,Email Name,Email Type,Sent At\n4,dana@nwh.example,Untyped send,,2026-03-04 09:00\n' \
	>"$T/sends2.csv"
run imp import --source hubspot-email-sends "$T/sends2.csv"
expect email_send_without_type_is_the_default \
	sh -c '[ "$1" -eq 0 ] && grep -q "1 read, 1 inserted, 0 updated, 0 unchanged, 0 rejected" "$2"' _ "$rc" "$OUT"
check email_send_without_type_kind \
	[ "$(sql "SELECT kind FROM marketing_event WHERE campaign = 'Untyped send'")" = newsletter ]
printf 'id,customer_domain,step,title,status,due,completed\nm1,nwh.example,1,Kickoff,done,2026-02-01,2026-02-02\nm2,https://www.nwh.example,2,"Data\nmigration",doing,2026-04-01,\n' \
	>"$T/milestones.csv"
run imp import --source onboarding-milestones "$T/milestones.csv"
expect milestones_by_domain sh -c '[ "$1" -eq 0 ] && grep -q "2 read, 2 inserted" "$2"' _ "$rc" "$OUT"
check milestone_quoted_newline_and_states \
	[ "$(sql "SELECT string_agg(position || status, ' ' ORDER BY position) FROM milestone")" = "1done 2in_progress" ]
# A map's source values match whatever their case and the blanks around
# them, as a field's values without a map do (migration 092): statuses
# typed by hand ("Done", " doing "); a value the map has not is rejected.
printf 'id,customer_domain,step,title,status,due,completed\nm3,nwh.example,3,Training,Done,2026-05-01,2026-05-02\nm4,nwh.example,4,Go-live, doing ,2026-06-01,\nm5,nwh.example,5,Review,finished,2026-07-01,\n' \
	>"$T/milestones-typed.csv"
run imp import --source onboarding-milestones --rejects "$T/typed.rej" "$T/milestones-typed.csv"
expect map_takes_any_case_and_blanks \
	sh -c '[ "$1" -eq 0 ] && grep -q "3 read, 2 inserted, 0 updated, 0 unchanged, 1 rejected" "$2" &&
	       grep -qF ",4,status,\"value \"\"finished\"\" is not in the map\"," "$3"' _ "$rc" "$OUT" "$T/typed.rej"
check map_folded_statuses \
	[ "$(sql "SELECT string_agg(position || status, ' ' ORDER BY position) FROM milestone WHERE position > 2")" = \
	  "3done 4in_progress" ]
printf 'id;recipient;campaign;kind;scheduled\nc1;dana@nwh.example;Upgrade to Pro;upsell;15/04/2026 10:30\n' >"$T/scheduled.csv"
run imp import --source scheduled-campaigns "$T/scheduled.csv"
check scheduled_campaign_with_pattern_time \
	[ "$(sql "SELECT status || ' ' || kind || ' ' || to_char(scheduled_at, 'YYYY-MM-DD HH24:MI') FROM marketing_event
	          WHERE campaign = 'Upgrade to Pro'")" = "scheduled upsell 2026-04-15 10:30" ]

# --- rejects from the client: not UTF-8 (a NUL byte is not text either), a short row,
# a quote never closed ------------------------------------------------------------------
{
	printf 'Record ID,Company name,Company Domain Name,Lifecycle Stage,Last Modified Date\n'
	printf '1,Good,good.example,Lead,\n'
	printf '2,Bad \377 bytes,bad.example,Lead,\n'
	printf '5,Nul \000 byte,nul.example,Lead,\n'
	printf '3,Short\n'
	printf '4,"Open quote,x.example,Lead,\n'
} >"$T/broken.csv"
run imp import --source hubspot-companies --rejects "$T/broken.rej" "$T/broken.csv"
expect broken_rows_rejected_good_row_kept \
	sh -c '[ "$1" -eq 0 ] && grep -q "5 read, 1 inserted, 0 updated, 0 unchanged, 4 rejected" "$2"' _ "$rc" "$OUT"
expect broken_rows_named_by_line_in_order \
	sh -c 'sed -n 2p "$1" | grep -qF "broken.csv,3,,not valid UTF-8 text," &&
	       sed -n 3p "$1" | grep -qF "broken.csv,4,,\"a NUL byte, which PostgreSQL text cannot hold\",\"5,Nul ␀ byte," &&
	       sed -n 4p "$1" | grep -qF "broken.csv,5,,\"2 fields, the header has 5\"," &&
	       sed -n 5p "$1" | grep -qF "broken.csv,6,,a quoted field is not closed before the end of the file,"' \
	_ "$T/broken.rej"

# The owner line etc/baton-import.cfg leaves commented out, once taken in:
# a HubSpot name onto a staff member's role, whatever its case; a name the
# map has not as a role name, and no owner when no staff member has it; a
# stage by its internal name ("customer").
sed 's|#   owner = |owner = |' "$CFG" >"$T/owner.cfg"
sql "INSERT INTO team (id, name) VALUES ('owners', 'Owners') ON CONFLICT DO NOTHING;
     INSERT INTO staff (role_name, display_name, team_id) VALUES ('priya', 'Priya Nair', 'owners')" >/dev/null
printf 'Record ID,Company name,Company Domain Name,Lifecycle Stage,Last Modified Date,Company owner\n71,Owned Co,owned.example,customer,,priya nair\n72,Unowned Co,unowned.example,Lead,,Someone Else\n73,Role Owned Co,role.example,Lead,,priya\n' \
	>"$T/owned.csv"
imported_with "$T/owner.cfg" owner_example_imports hubspot-companies "$T/owned.csv" \
	"3 read, 3 inserted, 0 updated, 0 unchanged, 0 rejected"
check owner_example_maps_names \
	[ "$(sql "SELECT string_agg(name || ' ' || lifecycle || ' ' || coalesce(owner::text, '-'), ', ' ORDER BY name)
	          FROM customer WHERE name LIKE '%wned Co'")" = "Owned Co established priya, Role Owned Co prospect priya, Unowned Co prospect -" ]
# An owner set in Baton stays when a newer export names someone who is not staff.
sql "UPDATE customer SET owner = 'priya' WHERE name = 'Unowned Co'" >/dev/null
printf 'Record ID,Company name,Company Domain Name,Lifecycle Stage,Last Modified Date,Company owner\n72,Unowned Co,unowned.example,Lead,2026-03-05 09:00,Someone Else\n' \
	>"$T/owned2.csv"
imported_with "$T/owner.cfg" owner_example_newer_export hubspot-companies "$T/owned2.csv" "1 read, 0 inserted, 1 updated"
check owner_set_in_baton_stays [ "$(sql "SELECT owner FROM customer WHERE name = 'Unowned Co'")" = priya ]

# A time PostgreSQL cannot take (an offset of 57 hours; a negative one
# straight after a date) is a bad value of its record, not a failed file
# (migration 048); a plain time beside it is taken.
cat >"$T/offsets.json" <<'EOF'
{"tickets": [
  {"id": 4901, "subject": "Far east", "status": "open", "organization_id": 1,
   "created_at": "2026-03-01T08:00-57", "updated_at": "2026-03-01T09:00:00Z"},
  {"id": 4902, "subject": "Date and offset", "status": "open", "organization_id": 1,
   "created_at": "2026-03-01-05", "updated_at": "2026-03-01T09:00:00Z"},
  {"id": 4903, "subject": "Plain time", "status": "open", "organization_id": 1,
   "created_at": "2026-03-01 08:00", "updated_at": "2026-03-01T09:00:00+15:59"}
], "end_of_stream": true}
EOF
run imp import --source zendesk-tickets --rejects "$T/offsets.rej" "$T/offsets.json"
expect impossible_offsets_rejected_not_fatal \
	sh -c '[ "$1" -eq 0 ] && grep -q "3 read, 1 inserted, 0 updated, 0 unchanged, 2 rejected" "$2" &&
	       grep -qF ",1,opened_at,\"\"\"2026-03-01T08:00-57\"\" is not a date and time (iso)\"," "$3" &&
	       grep -qF ",2,opened_at,\"\"\"2026-03-01-05\"\" is not a date and time (iso)\"," "$3"' \
	_ "$rc" "$OUT" "$T/offsets.rej"
check plain_and_offset_times_taken \
	[ "$(sql "SELECT to_char(opened_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') || ' '
	          || to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') FROM ticket WHERE subject = 'Plain time'")" = \
	  "2026-03-01 08:00 2026-02-28 17:01" ]

# --- imported escape sequences never reach the terminal -------------------------------
run "$BATON_BIN" -d "dbname=$db" show hostile.example
expect show_cleans_imported_escapes sh -c '[ "$1" -eq 0 ] && grep -q "Hostile ␛]0;owned␇␛\[2J Ltd" "$2"' _ "$rc" "$OUT"
check show_no_controls no_controls "$OUT"
run "$BATON_BIN" -d "dbname=$db" merges --format json
check merges_no_controls no_controls "$OUT"
[ -n "$esc" ]

# --- a byte order mark (a file saved as "CSV UTF-8") is not text of the file ------
printf '\357\273\277Record ID,Company name,Company Domain Name,Lifecycle Stage,Last Modified Date\r\n' >"$T/bom.csv"
printf '9901,Bom Works,bom.example,Customer,2026-03-02 09:00\r\n' >>"$T/bom.csv"
run imp import --source hubspot-companies "$T/bom.csv"
expect csv_with_byte_order_mark_imported \
	sh -c '[ "$1" -eq 0 ] && grep -q "1 read, 1 inserted, 0 updated, 0 unchanged, 0 rejected" "$2"' _ "$rc" "$OUT"
check byte_order_mark_not_in_the_record \
	[ "$(sql "SELECT c.name || ' ' || r.source_id FROM import_record r JOIN customer c ON c.id = r.target_id
	          WHERE r.source = 'hubspot-companies' AND r.source_id LIKE '%9901'")" = "Bom Works 9901" ]
run imp import --source hubspot-companies "$T/bom.csv"
expect csv_with_byte_order_mark_again_no_changes \
	sh -c '[ "$1" -eq 0 ] && grep -q "0 inserted, 0 updated, 1 unchanged, 0 rejected.*(no changes)" "$2"' _ "$rc" "$OUT"
printf '\357\273\277{"organizations": [{"id": 77, "name": "Bom Org", "domain_names": ["bom-org.example"]}]}\n' \
	>"$T/bom.json"
run imp import --source zendesk-organizations "$T/bom.json"
expect json_with_byte_order_mark_imported \
	sh -c '[ "$1" -eq 0 ] && grep -q "1 read, 1 inserted, 0 updated, 0 unchanged, 0 rejected" "$2"' _ "$rc" "$OUT"

# --- a CSV header without the key's column is refused; a mapped column it
# lacks is named in the summary ------------------------------------------------------
printf 'Id,Company name,Company Domain Name\n9950,No Key Ltd,nokey.example\n' >"$T/nokey.csv"
run imp import --source hubspot-companies "$T/nokey.csv"
expect header_without_key_column_refused \
	sh -c '[ "$1" -eq 1 ] && grep -q "nokey.csv: the header has no column \"Record ID\", which the key (source_id) is read from" "$2" &&
	       grep -q "nokey.csv: nothing of it was imported" "$2" && [ ! -s "$3" ]' _ "$rc" "$ERR" "$OUT"
printf '"Record ID","Company name","Lifecycle Stage"\n9951,"Renamed Domain Co",Customer\n' >"$T/renamed.csv"
run imp import --source hubspot-companies "$T/renamed.csv"
expect header_missing_columns_named \
	sh -c '[ "$1" -eq 0 ] && grep -q "1 read, 1 inserted" "$2" &&
	       grep -qx "  not in the header, so read as absent: \"Company Domain Name\" (domains), \"Last Modified Date\" (updated_at)" "$2"' \
	_ "$rc" "$OUT"
run imp import --format json --source hubspot-companies "$T/renamed.csv"
expect header_missing_columns_in_json \
	sh -c '[ "$1" -eq 0 ] && grep -qF "\"missing_columns\":[\"Company Domain Name\",\"Last Modified Date\"]" "$2"' _ "$rc" "$OUT"
# A column the header has in another case, or with spaces around it (the
# export of another version, a spreadsheet's edit), is the one read; the
# column in the mapping's own spelling wins over one in another case; two
# that differ from the mapping's only so are refused (which one would be a
# guess).
printf '"record id","COMPANY NAME"," company domain name ",Lifecycle stage,Company name\n' >"$T/cased.csv"
printf '9952,Shouted Ltd,cased.example,Customer,Cased Ltd\n' >>"$T/cased.csv"
run imp import --source hubspot-companies "$T/cased.csv"
expect header_in_another_case_read \
	sh -c '[ "$1" -eq 0 ] && grep -q "1 read, 1 inserted, 0 updated, 0 unchanged, 0 rejected" "$2" &&
	       grep -qx "  not in the header, so read as absent: \"Last Modified Date\" (updated_at)" "$2"' \
	_ "$rc" "$OUT"
check header_in_another_case_values \
	[ "$(sql "SELECT r.source_id || ' ' || c.name || ' ' || c.domain || ' ' || c.lifecycle FROM import_record r
	          JOIN customer c ON c.id = r.target_id WHERE r.source = 'hubspot-companies' AND r.source_id = '9952'")" \
	  = "9952 Cased Ltd cased.example established" ]
run imp import --source hubspot-companies "$T/cased.csv"
expect header_in_another_case_again_no_changes \
	sh -c '[ "$1" -eq 0 ] && grep -q "0 inserted, 0 updated, 1 unchanged, 0 rejected.*(no changes)" "$2"' _ "$rc" "$OUT"
# The same row under the mapping's own spelling is the same record, unchanged.
printf 'Record ID,Company name,Company Domain Name,Lifecycle Stage\n9952,Cased Ltd,cased.example,Customer\n' >"$T/uncased.csv"
run imp import --source hubspot-companies "$T/uncased.csv"
expect header_as_mapped_same_row_no_changes \
	sh -c '[ "$1" -eq 0 ] && grep -q "0 inserted, 0 updated, 1 unchanged, 0 rejected.*(no changes)" "$2"' _ "$rc" "$OUT"
printf 'Record ID,Company name,company domain name,COMPANY DOMAIN NAME\n9953,Two Ways Ltd,a.example,b.example\n' \
	>"$T/twocase.csv"
run imp import --source hubspot-companies "$T/twocase.csv"
expect header_two_in_another_case_refused \
	sh -c '[ "$1" -eq 1 ] && grep -qF "twocase.csv: the header has no column \"Company Domain Name\", which field domains reads, but 2 that differ from it only in case or in spaces (\"company domain name\", \"COMPANY DOMAIN NAME\")" "$2" &&
	       grep -q "twocase.csv: nothing of it was imported" "$2"' _ "$rc" "$ERR"
check header_two_in_another_case_nothing_imported \
	[ "$(sql "SELECT count(*) FROM import_record WHERE source = 'hubspot-companies' AND source_id = '9953'")" = 0 ]
# --format json names every file given, also one refused or not there, so
# that a script reading standard output alone learns of it.
# json_elements EXPR: EXPR of each element e of the JSON array in $OUT, in
# order, joined by " | " (the server's JSON parser reads it).
json_elements() {
	psql -X -At -d "$db" -v j="$(cat "$OUT")" <<SQL
SELECT string_agg($1, ' | ' ORDER BY n) FROM jsonb_array_elements(:'j'::jsonb) WITH ORDINALITY AS a(e, n);
SQL
}
printf '"Company name","Lifecycle Stage"\nNo Key Co,Customer\n' >"$T/nokey.csv"
run imp import --format json --source hubspot-companies "$T/bom.csv" "$T/nokey.csv" "$T/absent.csv"
json_files=$(json_elements "coalesce(e->>'entity', '-') || ' ' || coalesce(e->>'error', '-')")
expect json_names_the_files_not_imported sh -c '[ "$1" -eq 1 ] && case "$2" in
	"customers - | - "*"Record ID"*" | - cannot open: No such file or directory") true ;; *) false ;; esac' \
	_ "$rc" "$json_files"
# No server to import into: each file is named, not tried, and why.
run "$BATON_BIN" -c "$CFG" -d "host=$T/no-server dbname=$db user=importer" import --format json \
	--source hubspot-companies "$T/bom.csv" "$T/nokey.csv"
json_files=$(json_elements "e->>'file' || ' ' || (e->>'error' LIKE 'not tried: cannot connect to the database: %')")
expect json_names_the_files_without_a_server sh -c '[ "$1" -eq 4 ] && [ "$2" = "$3/bom.csv true | $3/nokey.csv true" ]' \
	_ "$rc" "$json_files" "$T"
run imp import --source hubspot-companies "$T/bom.csv"
expect header_with_every_column_names_none sh -c '[ "$1" -eq 0 ] && ! grep -q "not in the header" "$2"' _ "$rc" "$OUT"

# --- the rejects file, on a shared host: never through a link, never someone
# else's file or a FIFO; a new one is the user's alone --------------------------------
echo "precious" >"$T/victim"
ln -s "$T/victim" "$T/link.rej"
run imp import --source zendesk-tickets --rejects "$T/link.rej" "$T/tickets.json"
expect rejects_symlink_refused \
	sh -c '[ "$1" -eq 1 ] && grep -q "link.rej: cannot write the rejects file: it is a symbolic link" "$2" &&
	       [ "$(cat "$3")" = precious ]' _ "$rc" "$ERR" "$T/victim"
# --format json names each file as not tried, and why, on standard output.
run imp import --format json --source zendesk-tickets --rejects "$T/link.rej" "$T/tickets.json"
json_files=$(json_elements "coalesce(e->>'file', '-') || ' ' || coalesce(e->>'error', '-')")
expect rejects_symlink_refused_in_json sh -c '[ "$1" -eq 1 ] && [ "$(cat "$3")" = precious ] && case "$2" in
	*"/tickets.json not tried: "*"link.rej: cannot write the rejects file: it is a symbolic link"*) true ;; *) false ;; esac' \
	_ "$rc" "$json_files" "$T/victim"
mkfifo "$T/fifo.rej"
run timeout 20 "$BATON_BIN" -c "$CFG" -d "dbname=$db user=importer" import --source zendesk-tickets \
	--rejects "$T/fifo.rej" "$T/tickets.json"
expect rejects_fifo_refused_without_waiting \
	sh -c '[ "$1" -eq 1 ] && grep -q "fifo.rej: cannot write the rejects file: it is not a regular file" "$2"' \
	_ "$rc" "$ERR"
: >"$T/theirs.rej"
chown nobody "$T/theirs.rej"
run imp import --source zendesk-tickets --rejects "$T/theirs.rej" "$T/tickets.json"
expect rejects_file_of_another_user_refused \
	sh -c '[ "$1" -eq 1 ] && grep -q "theirs.rej: cannot write the rejects file: it belongs to another user" "$2" &&
	       [ ! -s "$3" ]' _ "$rc" "$ERR" "$T/theirs.rej"
run imp import --source zendesk-tickets --rejects "$T/new.rej" "$T/tickets.json"
expect new_rejects_file_private \
	sh -c '[ "$1" -eq 0 ] && [ "$(stat -c %a "$2")" = 600 ] && grep -q ",3,opened_at," "$2"' _ "$rc" "$T/new.rej"
# An export named as the rejects file too (a cron job's dir/*.csv): refused
# before anything of it is touched, also as standard input.
cp "$T/tickets.json" "$T/tickets-copy.json"
run imp import --source zendesk-tickets --rejects "$T/tickets-copy.json" "$T/new.rej" "$T/tickets-copy.json"
expect rejects_file_that_is_an_input_refused \
	sh -c '[ "$1" -eq 1 ] && grep -q "tickets-copy.json: cannot write the rejects file: it is one of the files to import" "$2" &&
	       cmp -s "$3" "$4"' _ "$rc" "$ERR" "$T/tickets.json" "$T/tickets-copy.json"
run sh -c '"$1" -c "$2" -d "dbname=$3 user=importer" import --source zendesk-tickets --rejects "$4" - <"$4"' \
	_ "$BATON_BIN" "$CFG" "$db" "$T/tickets-copy.json"
expect rejects_file_that_is_standard_input_refused \
	sh -c '[ "$1" -eq 1 ] && grep -q "it is one of the files to import" "$2" && cmp -s "$3" "$4"' \
	_ "$rc" "$ERR" "$T/tickets.json" "$T/tickets-copy.json"
# "-" is standard input for FILE, and standard output has the summary: as
# the rejects file it is a usage error, as an empty name is, and no file
# named "-" is made.
for r in - ""; do
	run sh -c 'cd "$1" && "$2" -c "$3" -d "dbname=$4 user=importer" import --source zendesk-tickets --rejects "$5" "$6"' \
		_ "$T" "$BATON_BIN" "$CFG" "$db" "$r" "$T/tickets.json"
	expect "rejects_named_${r:-empty}_is_a_usage_error" \
		sh -c '[ "$1" -eq 2 ] && [ ! -s "$2" ] && grep -q "^baton: --rejects names a file to write the rejected rows to" "$3" &&
		       [ ! -e "$4/-" ]' _ "$rc" "$OUT" "$ERR" "$T"
done
# An option the command does not know: said by "baton import", as every
# other message.
run imp import --bogus
expect unknown_import_option_said_by_baton_import \
	sh -c '[ "$1" -eq 2 ] && grep -qx "baton import: unrecognized option .--bogus." "$2" &&
	       grep -q "baton import --help" "$2"' _ "$rc" "$ERR"
echo "an old line" >"$T/new.rej"
chmod 644 "$T/new.rej"
run imp import --source zendesk-tickets --rejects "$T/new.rej" "$T/tickets.json"
expect own_rejects_file_rewritten_and_made_private \
	sh -c '[ "$1" -eq 0 ] && ! grep -q "an old line" "$2" && [ "$(wc -l <"$2")" -eq 4 ] &&
	       [ "$(stat -c %a "$2")" = 600 ]' _ "$rc" "$T/new.rej"
echo "mine" >"$T/mine"
ln "$T/mine" "$T/hard.rej"
run imp import --source zendesk-tickets --rejects "$T/hard.rej" "$T/tickets.json"
expect rejects_hard_link_refused \
	sh -c '[ "$1" -eq 1 ] && grep -q "hard.rej: cannot write the rejects file: it has other names" "$2" &&
	       [ "$(cat "$3")" = mine ]' _ "$rc" "$ERR" "$T/mine"
run imp import --source zendesk-tickets --rejects /dev/null "$T/tickets.json"
expect rejects_to_dev_null sh -c '[ "$1" -eq 0 ] && [ ! -s "$2" ]' _ "$rc" "$ERR"

# --- a file that cannot be read says why --------------------------------------------
mkdir "$T/adir.csv"
run imp import --source hubspot-companies "$T/adir.csv"
expect unreadable_file_says_why \
	sh -c '[ "$1" -eq 1 ] && grep -q "adir.csv: cannot read the file: Is a directory" "$2"' _ "$rc" "$ERR"

# A named pipe (planted where a job reads its export) is refused at once,
# never waited on; a pipe handed over as /dev/stdin is read.
mkfifo "$T/planted.csv"
run timeout 20 "$BATON_BIN" -c "$CFG" -d "dbname=$db user=importer" import --source hubspot-companies \
	"$T/planted.csv"
expect named_pipe_refused_without_waiting \
	sh -c '[ "$1" -eq 1 ] && grep -q "planted.csv: cannot open: it is a named pipe (FIFO), which is not read" "$2"' \
	_ "$rc" "$ERR"
printf 'Record ID,Company name,Company Domain Name\n53001,Piped Co,piped.example\n' >"$T/piped.csv"
run sh -c 'cat "$1" | "$2" -c "$3" -d "$4" import --source hubspot-companies /dev/stdin' _ \
	"$T/piped.csv" "$BATON_BIN" "$CFG" "dbname=$db user=importer"
expect pipe_as_dev_stdin_read sh -c '[ "$1" -eq 0 ] && grep -q "1 read, 1 inserted" "$2"' _ "$rc" "$OUT"

# A rejects file that cannot be written (a full disk) stops the run before
# any file: no file goes in whose rejected rows would be lost.
printf 'Record ID,Company name,Company Domain Name\n53101,Full Co,full.example\n' >"$T/full1.csv"
run imp import --source hubspot-companies --rejects /dev/full "$T/full1.csv" "$T/piped.csv"
expect rejects_file_full_stops_the_run \
	sh -c '[ "$1" -eq 1 ] && [ "$(grep -c "cannot write the rejects file: No space left on device" "$2")" = 1 ] &&
	       grep -q "full1.csv: not tried (the rejects file cannot be written)" "$2" &&
	       grep -q "piped.csv: not tried (the rejects file cannot be written)" "$2" && [ ! -s "$3" ]' \
	_ "$rc" "$ERR" "$OUT"
check rejects_file_full_nothing_imported [ "$(sql "SELECT count(*) FROM customer WHERE name = 'Full Co'")" = 0 ]

# A header that is not what the mapping reads says what to mend: fields
# separated by semicolons (a European spreadsheet's CSV), a blank first
# line, UTF-16 text (a spreadsheet's "Unicode text"), a spreadsheet's own
# code page (Windows-1252's é in a column the mapping does not read: the
# rows' text would be rejected one by one after it), a quote not closed.
printf 'Record ID;Company name;Company Domain Name\n53201;Semi Co;semi.example\n' >"$T/semi.csv"
printf '\nRecord ID,Company name\n53202,Blank Co\n' >"$T/blank.csv"
printf 'Record ID,Company name\n53203,Wide Co\n' | iconv -f UTF-8 -t UTF-16 >"$T/wide.csv"
printf 'Record ID,Company name,Pr\351nom\n53204,Latin Co,Ren\351\n' >"$T/latin.csv"
printf 'Record ID,"Company name\n53205,Quote Co\n' >"$T/quote.csv"
run imp import --source hubspot-companies "$T/semi.csv" "$T/blank.csv" "$T/wide.csv" "$T/latin.csv" "$T/quote.csv"
expect header_hints_say_what_to_mend \
	sh -c '[ "$1" -eq 1 ] && grep -q "semi.csv: the header has no column \"Record ID\", which the key (source_id) is read from (the header.s fields are separated by \";\": set the source.s delimiter)" "$2" &&
	       grep -q "blank.csv: .*(the first line is blank: a CSV file starts with its header row)" "$2" &&
	       grep -q "wide.csv: the file is UTF-16 text" "$2" &&
	       grep -qF "latin.csv: the header row is not valid UTF-8 text (byte 26 of it, 0xE9): convert the file to UTF-8 first (a spreadsheet'"'"'s CSV: iconv -f WINDOWS-1252 -t UTF-8 FILE), or save it as CSV UTF-8" "$2" &&
	       grep -qF "quote.csv: a quote in the header row is not closed: the rest of the file would be one column'"'"'s name" "$2"' _ "$rc" "$ERR"

# --- configuration errors name the file and the line ----------------------------------
cat >"$T/bad.cfg" <<'EOF'
import: {
  sources = (
    { name = "x"; entity = "tickets"; format = "csv";
      fields = {
        source_id = "id";
        status = { from = "s"; map = ( ["hold", "onhold"] ); };
      };
    }
  );
};
EOF
run "$BATON_BIN" -c "$T/bad.cfg" -d "dbname=$db" import --source x "$T/tickets.json"
expect config_value_not_baton_names_file_line \
	sh -c '[ "$1" -eq 3 ] && grep -q "bad.cfg:6: the map of status gives .onhold., which is not one of new,open" "$2"' \
	_ "$rc" "$ERR"
sed 's/status = {/stature = {/' "$T/bad.cfg" >"$T/bad2.cfg"
run "$BATON_BIN" -c "$T/bad2.cfg" -d "dbname=$db" import --source x "$T/tickets.json"
expect config_unknown_field_names_file_line \
	sh -c '[ "$1" -eq 3 ] && grep -q "bad2.cfg:6: unknown field .stature. for tickets" "$2"' _ "$rc" "$ERR"
sed 's/"tickets"/"invoices"/' "$T/bad.cfg" >"$T/bad3.cfg"
run "$BATON_BIN" -c "$T/bad3.cfg" -d "dbname=$db" import --source x "$T/tickets.json"
expect config_unknown_entity_names_file_line \
	sh -c '[ "$1" -eq 3 ] && grep -q "bad3.cfg:3: unknown entity .invoices." "$2"' _ "$rc" "$ERR"
run imp import --source nosuch "$T/tickets.json"
expect unknown_source_is_config_error \
	sh -c '[ "$1" -eq 3 ] && grep -q "no import source .nosuch." "$2"' _ "$rc" "$ERR"
# No configuration file read at all (no -c, none in the usual places: the
# tests' HOME has none, and baton is not installed on the machine that
# runs them): said so, not as a source missing from one.
run "$BATON_BIN" -d "dbname=$db user=importer" import --source hubspot-companies "$T/piped.csv"
expect no_configuration_read_is_said \
	sh -c '[ "$1" -eq 3 ] && grep -q "no import source .hubspot-companies.: no configuration file was read (-c FILE" "$2"' \
	_ "$rc" "$ERR"

# --- standard descriptors closed (cron, a script's ">&-") ----------------------------
# A closed standard output is not the database's socket (the summary written
# into the connection failed the next file: "server closed the connection"):
# both files go in, and the run fails on the summary it could not write.
for n in 1 2; do
	printf '{"organizations": [{"id": 37000%s, "name": "Closed Fd %s", "domain_names": ["closedfd%s.example"],
	  "updated_at": "2026-03-01T10:00:00Z"}], "end_of_stream": true}\n' "$n" "$n" "$n" >"$T/closed$n.json"
done
run sh -c '"$@" >&-' _ "$BATON_BIN" -c "$CFG" -d "dbname=$db user=importer" import --source zendesk-organizations \
	"$T/closed1.json" "$T/closed2.json"
expect closed_stdout_is_a_failure_not_the_connection \
	sh -c '[ "$1" -eq 1 ] && [ "$(cat "$2")" = "baton: cannot write to standard output: Bad file descriptor" ]' _ "$rc" "$ERR"
check closed_stdout_both_files_imported \
	[ "$(sql "SELECT string_agg(name, ',' ORDER BY name) FROM customer WHERE name LIKE 'Closed Fd %'")" = \
	  "Closed Fd 1,Closed Fd 2" ]
# A closed standard input read as "-" is a file that cannot be read.
run sh -c '"$@" <&-' _ "$BATON_BIN" -c "$CFG" -d "dbname=$db user=importer" import --source zendesk-organizations -
expect closed_stdin_cannot_be_read \
	sh -c '[ "$1" -eq 1 ] && grep -qx "baton: -: cannot read the file: Bad file descriptor" "$2"' _ "$rc" "$ERR"
