#!/bin/sh
# baton import of success notes (etc/baton-import.cfg's success-notes): the
# notes land on their customers' screens, written by whoever ran the import
# and audited as one row per customer and file; the same file again writes
# nothing; a newer export of a note corrects it (the old text stays in the
# timeline, superseded), also when someone corrected it in the console
# meanwhile; a record whose note already reads so writes no note; thousands
# of notes in one file keep the file's order, customer by customer.
. "$BATON_ROOT/tests/lib/e2e.sh"
. "$BATON_ROOT/tests/lib/import.sh"

db=$(newdb baton_demo) || { echo "FAIL import_notes: cannot create a test database"; exit 1; }
cli_files import_notes
importer_role "$db"
# A note's author is whoever writes it: the importer needs a staff entry.
sql "INSERT INTO staff (role_name, display_name, team_id) VALUES ('importer', 'Import', 'success')" >/dev/null
CFG="$BATON_ROOT/etc/baton-import.cfg"
imp() { "$BATON_BIN" -c "$CFG" -d "dbname=$db user=importer" "$@"; }
# The imported notes of a customer (by domain) that are current (no note
# corrects them), newest first as the screen lists them: "kind body|...".
current() {
	sql "SELECT string_agg(n.kind || ' ' || n.body, '|' ORDER BY n.created_at DESC, n.id DESC)
	     FROM success_note n JOIN customer c ON c.id = n.customer_id
	     WHERE c.domain = '$1' AND n.author = 'importer'
	       AND NOT EXISTS (SELECT 1 FROM success_note x WHERE x.supersedes = n.id)"
}
note_of() { sql "SELECT target_id FROM import_record WHERE source = 'success-notes' AND source_id = '$1'"; }

cat >"$T/notes1.csv" <<'EOF'
id,customer_domain,kind,text
sn1,nwh.example,call,Kickoff call went well
sn2,nwh.example,,Wants SSO before go-live
sn3,cafe-lumiere.example,qbr,QBR: renewal likely
EOF
run imp import --source success-notes "$T/notes1.csv"
expect notes_imported sh -c '[ "$1" -eq 0 ] && grep -q "3 read, 3 inserted, 0 updated, 0 unchanged, 0 rejected" "$2"' \
	_ "$rc" "$OUT"
check notes_on_their_customers_last_line_first \
	[ "$(current nwh.example)" = "note Wants SSO before go-live|call Kickoff call went well" ]
check notes_written_by_the_importer_now \
	[ "$(sql "SELECT count(*) FROM success_note WHERE author = 'importer' AND created_at > now() - interval '10 minutes'
	          AND id IN (SELECT target_id FROM import_record WHERE source = 'success-notes')")" = 3 ]
check notes_audited_once_per_customer \
	[ "$(sql "SELECT string_agg(a.action || ':' || jsonb_array_length(a.change -> 'ids'), ',' ORDER BY a.customer_id)
	          FROM baton_audit a WHERE a.entity = 'success_note' AND a.actor = 'importer'")" = "import:2,import:1" ]
run as ana show nwh.example
expect notes_shown_by_baton_show \
	sh -c '[ "$1" -eq 0 ] && grep -q "Import (call): Kickoff call went well" "$2"' _ "$rc" "$OUT"

run imp import --source success-notes "$T/notes1.csv"
expect same_file_again_writes_nothing \
	sh -c '[ "$1" -eq 0 ] && grep -q "0 inserted, 0 updated, 3 unchanged, 0 rejected.*(no changes)" "$2"' _ "$rc" "$OUT"
check same_file_again_no_new_note \
	[ "$(sql "SELECT count(*) FROM success_note WHERE author = 'importer'")" = 3 ]

# A newer export: sn1's text changed; sn3 lost its kind (the note keeps
# it, and so already reads as the export says: unchanged).
first=$(note_of sn1)
sn3=$(note_of sn3)
cat >"$T/notes2.csv" <<'EOF'
id,customer_domain,kind,text
sn1,nwh.example,call,Kickoff call went well; SSO asked for
sn2,nwh.example,,Wants SSO before go-live
sn3,cafe-lumiere.example,,QBR: renewal likely
EOF
run imp import --source success-notes "$T/notes2.csv"
expect newer_export_updates_one_the_other_reads_so \
	sh -c '[ "$1" -eq 0 ] && grep -q "3 read, 0 inserted, 1 updated, 2 unchanged, 0 rejected" "$2"' _ "$rc" "$OUT"
check changed_note_corrected_not_doubled \
	[ "$(current nwh.example)" = "call Kickoff call went well; SSO asked for|note Wants SSO before go-live" ]
check correction_supersedes_the_first_note \
	[ "$(sql "SELECT supersedes FROM success_note WHERE id = $(note_of sn1)")" = "$first" ]
check first_text_kept_superseded \
	[ "$(sql "SELECT body FROM success_note WHERE id = $first")" = "Kickoff call went well" ]
check note_that_reads_so_not_written_again \
	sh -c '[ "$1" = "$2" ] && [ "$(psql -X -At -d "$3" -c "SELECT count(*) FROM success_note
	          WHERE author = '"'importer'"' AND customer_id = (SELECT id FROM customer WHERE domain = '"'cafe-lumiere.example'"')")" = 1 ]' \
	_ "$(note_of sn3)" "$sn3" "$db"
check kind_kept_when_the_export_has_none [ "$(current cafe-lumiere.example)" = "qbr QBR: renewal likely" ]
run as ana show nwh.example
expect baton_show_has_the_corrected_text_only \
	sh -c '[ "$1" -eq 0 ] && grep -q "Kickoff call went well; SSO asked for" "$2" &&
	       ! grep -q "Kickoff call went well$" "$2"' _ "$rc" "$OUT"

# Someone corrects the imported note in the console; the source's next
# export corrects the note as it reads now (the chain's last).
run as ana note add --customer nwh.example --supersedes "$(note_of sn1)" \
	--message "Kickoff call went well; SSO and SCIM asked for"
expect console_correction_written \
	sh -c '[ "$1" -eq 0 ] && [ "$(psql -X -At -d "$2" -c "SELECT count(*) FROM success_note
	       WHERE author = '"'ana'"' AND supersedes = $3")" = 1 ]' _ "$rc" "$db" "$(note_of sn1)"
sed 's/SSO asked for/SSO asked for; SCIM later/' "$T/notes2.csv" >"$T/notes3.csv"
run imp import --source success-notes "$T/notes3.csv"
expect export_after_console_correction_updates_one \
	sh -c '[ "$1" -eq 0 ] && grep -q "0 inserted, 1 updated, 2 unchanged" "$2"' _ "$rc" "$OUT"
check import_corrects_the_console_correction \
	[ "$(sql "SELECT p.author FROM success_note n JOIN success_note p ON p.id = n.supersedes
	          WHERE n.id = $(note_of sn1)")" = "ana" ]
check one_current_note_for_the_record \
	[ "$(sql "SELECT string_agg(n.body, '|') FROM success_note n JOIN customer c ON c.id = n.customer_id
	          WHERE c.domain = 'nwh.example' AND n.body LIKE 'Kickoff call%'
	            AND NOT EXISTS (SELECT 1 FROM success_note x WHERE x.supersedes = n.id)")" = \
	  "Kickoff call went well; SSO asked for; SCIM later" ]

# The note a record's note reads as now: the last of its corrections.
chain_end() {
	sql "WITH RECURSIVE c (id) AS (SELECT target_id FROM import_record
	       WHERE source = 'success-notes' AND source_id = '$1'
	     UNION ALL SELECT n.id FROM c JOIN success_note n ON n.supersedes = c.id)
	     SELECT max(id) FROM c"
}
# ana corrects a record's note as it reads now in a transaction held open
# through a FIFO until release: correcting TEXT [RECORD, sn1].
correcting() {
	last=$(chain_end "${2:-sn1}")
	rm -f "$T/hold" "$T/hold.out"
	mkfifo "$T/hold"
	psql -X -q -At -d "dbname=$db user=ana" <"$T/hold" >"$T/hold.out" 2>&1 &
	holder=$!
	exec 4>"$T/hold"
	echo "BEGIN; SELECT note_id FROM baton_note_add(gen_random_uuid(),
	        (SELECT id FROM customer WHERE domain = 'nwh.example'), 'call', '$1', NULL, NULL, $last);
	      SELECT 'holding';" >&4
	check ana_holds_her_correction_open wait_true 30 'grep -q holding "$T/hold.out"'
}
release() {
	echo "COMMIT;" >&4
	exec 4>&-
	wait "$holder"
}
lock_waits() { # ROLE: a session of ROLE waits for a lock
	[ "$(sql "SELECT count(*) FROM pg_stat_activity WHERE usename = '$1' AND wait_event_type = 'Lock'")" = 1 ]
}

# A correction in the console while an import corrects the same note: the
# import waits for it, then corrects it (053; it used to fail the file on
# the unique index).
correcting "Kickoff: the console was first"
sed 's/SCIM later/SCIM in May/' "$T/notes3.csv" >"$T/notes4.csv"
imp import --source success-notes "$T/notes4.csv" >"$T/race.out" 2>"$T/race.err" &
importer=$!
check import_waits_for_the_console_correction wait_true 30 'lock_waits importer'
release
wait "$importer"
rc=$?
check import_after_the_race_succeeds sh -c '[ "$1" -eq 0 ] && grep -q "0 inserted, 1 updated, 2 unchanged" "$2"' _ "$rc" "$T/race.out"
check import_corrects_the_correction_it_waited_for \
	[ "$(sql "SELECT p.body || ' > ' || n.body FROM success_note n JOIN success_note p ON p.id = n.supersedes
	          WHERE n.id = $(note_of sn1)")" = "Kickoff: the console was first > Kickoff call went well; SSO asked for; SCIM in May" ]
# The other way round, two people at once: the one who waited is told the
# note was corrected, not the unique index's error.
correcting "First of two"
as ben note add --customer nwh.example --supersedes "$last" --message "Second of two" >"$T/ben.out" 2>"$T/ben.err" &
second=$!
wait_true 30 'lock_waits ben'
release
wait "$second"
rc=$?
check second_correction_told_the_note_was_corrected \
	sh -c '[ "$1" -ne 0 ] && grep -q "note $2 was already corrected by note [0-9]*: correct that one" "$3" &&
	       ! grep -qi "duplicate key" "$3"' _ "$rc" "$last" "$T/ben.err"
# A person corrects a note an import has locked (sn2's, the import's own
# first note, which it locks first) while the import waits for another
# (sn1's last correction, newer, which ana holds): the person waits for the
# import, then is told the note was corrected; nobody deadlocks (053's
# baton_note_add locks the note first, as the import does).
correcting "Kickoff: ana once more" sn1
sed 's/^sn1,\(.*\)May$/sn1,\1June/; s/^sn2,nwh.example,,.*/sn2,nwh.example,,Wants SSO and SCIM before go-live/' \
	"$T/notes4.csv" >"$T/notes5.csv"
imp import --source success-notes "$T/notes5.csv" >"$T/race5.out" 2>"$T/race5.err" &
importer=$!
check import_waits_for_ana wait_true 30 'lock_waits importer'
sn2_now=$(chain_end sn2)
as ben note add --customer nwh.example --supersedes "$sn2_now" --message "Ben on SSO" >"$T/ben5.out" 2>"$T/ben5.err" &
second=$!
check ben_waits_for_the_import wait_true 30 'lock_waits ben'
release
wait "$importer"
rc=$?
check import_with_a_waiting_person_succeeds \
	sh -c '[ "$1" -eq 0 ] && grep -q "0 inserted, 2 updated, 1 unchanged" "$2"' _ "$rc" "$T/race5.out"
wait "$second"
rc=$?
check person_after_the_import_told_the_note_was_corrected \
	sh -c '[ "$1" -ne 0 ] && grep -q "note $2 was already corrected by note [0-9]*: correct that one" "$3" &&
	       ! grep -qi "deadlock" "$3"' _ "$rc" "$sn2_now" "$T/ben5.err"

# Thousands of notes in one file, two customers' lines interleaved: each
# customer's notes in the file's order (the last line first on screen).
awk 'BEGIN { print "id,customer_domain,kind,text"
	for (i = 1; i <= 3000; i++) printf "bulk%d,%s,note,Bulk note %d\n", i, (i % 2 ? "bluefjord.example" : "nwh.example"), i }' \
	>"$T/bulk.csv"
run imp import --source success-notes "$T/bulk.csv"
expect bulk_notes_imported sh -c '[ "$1" -eq 0 ] && grep -q "3000 read, 3000 inserted" "$2"' _ "$rc" "$OUT"
check bulk_notes_in_the_file_order_per_customer \
	[ "$(sql "SELECT string_agg(x, ',') FROM (SELECT substr(n.body, 11) x FROM success_note n
	          JOIN customer c ON c.id = n.customer_id WHERE c.domain = 'bluefjord.example' AND n.body LIKE 'Bulk note %'
	          ORDER BY n.created_at DESC, n.id DESC LIMIT 3) y")" = "2999,2997,2995" ]
check bulk_records_name_their_notes \
	[ "$(sql "SELECT count(*) FROM import_record r JOIN success_note n ON n.id = r.target_id
	          WHERE r.source = 'success-notes' AND r.source_id LIKE 'bulk%' AND n.body = 'Bulk note ' || substr(r.source_id, 5)")" = 3000 ]
# ... numbered customer by customer (051's order), so that a customer's
# notes lie together: each customer's 1,500 take 1,500 ids in a row.
check bulk_notes_numbered_customer_by_customer \
	[ "$(sql "SELECT string_agg(s::text, ',') FROM (SELECT max(n.id) - min(n.id) + 1 s FROM success_note n
	          WHERE n.body LIKE 'Bulk note %' GROUP BY n.customer_id) x")" = "1500,1500" ]

# A merge: notes found by the domain of a customer that another absorbed
# go to the survivor (migration 054), and a note of the absorbed customer
# is corrected where it is, on the absorbed customer (it goes back with it
# on a split).
cat >"$T/orgs.json" <<'EOF2'
{"organizations": [
  {"id": 880001, "name": "Keel Survivor", "domain_names": ["keel-one.example"], "updated_at": "2026-03-01T10:00:00Z"},
  {"id": 880002, "name": "Keel Absorbed", "domain_names": ["keel-two.example"], "updated_at": "2026-03-01T10:00:00Z"}
], "end_of_stream": true}
EOF2
run imp import --source zendesk-organizations "$T/orgs.json"
expect keel_customers_imported sh -c '[ "$1" -eq 0 ] && grep -q "2 read, 2 inserted" "$2"' _ "$rc" "$OUT"
printf 'id,customer_domain,kind,text\nk1,keel-two.example,call,About the second Keel\n' >"$T/keel1.csv"
run imp import --source success-notes "$T/keel1.csv"
expect keel_note_imported sh -c '[ "$1" -eq 0 ] && grep -q "1 read, 1 inserted" "$2"' _ "$rc" "$OUT"
cat >"$T/users.json" <<'EOF2'
{"users": [{"id": 9901, "name": "Kim", "email": "kim@keel-two.example", "organization_id": 880001,
            "updated_at": "2026-03-01T10:00:00Z"}], "end_of_stream": true}
EOF2
run imp import --source zendesk-users "$T/users.json"
expect keel_merged sh -c '[ "$1" -eq 0 ] && grep -q "1 customer merged" "$2"' _ "$rc" "$OUT"
printf 'id,customer_domain,kind,text\nk1,keel-two.example,meeting,About the second Keel\nk2,keel-two.example,note,After the merge\n' \
	>"$T/keel2.csv"
run imp import --source success-notes --rejects "$T/keel2.rej" "$T/keel2.csv"
expect absorbed_domain_finds_the_survivor \
	sh -c '[ "$1" -eq 0 ] && grep -q "2 read, 1 inserted, 1 updated, 0 unchanged, 0 rejected" "$2"' _ "$rc" "$OUT"
check note_by_absorbed_domain_on_the_survivor \
	[ "$(sql "SELECT c.name FROM success_note n JOIN customer c ON c.id = n.customer_id
	          WHERE n.body = 'After the merge'")" = "Keel Survivor" ]
check absorbed_customers_note_corrected_where_it_is \
	[ "$(sql "SELECT c.name || ' ' || n.kind || ' ' || (n.supersedes IS NOT NULL)::text FROM success_note n
	          JOIN customer c ON c.id = n.customer_id WHERE n.id = $(note_of k1)")" = "Keel Absorbed meeting true" ]
