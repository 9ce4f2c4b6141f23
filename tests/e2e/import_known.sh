#!/bin/sh
# Records the source already has stay home (migration 045): the client
# sends each JSON line's or CSV row's hash first, the server answers which
# it has, and only the others are sent.  What a user sees must not change:
# the counts, the changed records and only they, the rejects and their
# line numbers, a key whose later line changed, quoting and line ends
# inside CSV fields, a CSV header in another order (another record); a
# pipe (read once) imports as a file does; a file that changes between
# its two readings, or while its run waits for another import, imports
# nothing and says so; a carriage return outside quotes is refused by COPY
# as before, even in a row the source has.
. "$BATON_ROOT/tests/lib/e2e.sh"
. "$BATON_ROOT/tests/lib/import.sh"

cli_files import_known
db=$(newdb baton_schema) || { echo "FAIL import_known: cannot create a test database"; exit 1; }
importer_role "$db"
cat >"$T/known.cfg" <<'EOF'
import: { sources = (
  { name = "k-orgs"; entity = "customers"; format = "csv"; system = "crm"; label = "K org";
    fields = { source_id = "id"; name = "name"; domains = "domain"; }; },
  { name = "k-tickets"; entity = "tickets"; format = "jsonl"; customer_source = "k-orgs";
    fields = { source_id = "id"; customer = "org"; subject = "subject"; status = "status";
      updated_at = "updated_at"; }; }
); };
EOF
imp() { "$BATON_BIN" -c "$T/known.cfg" -d "dbname=$db user=importer" "$@"; }
printf 'id,name,domain\n1,One,one.example\n' >"$T/orgs.csv"
run imp import --source k-orgs "$T/orgs.csv"
expect orgs_imported sh -c '[ "$1" -eq 0 ] && grep -q "1 read, 1 inserted" "$2"' _ "$rc" "$OUT"

ticket() { # ID SUBJECT STATUS
	printf '{"id": %s, "org": 1, "subject": "%s", "status": "%s", "updated_at": "2026-03-01T08:00:00Z"}\n' "$1" "$2" "$3"
}
# Twelve tickets, a blank line after the sixth, one line ending in CRLF.
{
	for i in 1 2 3 4 5 6; do ticket "$i" "Ticket $i" open; done
	echo
	for i in 7 8 9 10 11; do ticket "$i" "Ticket $i" open; done
	ticket 12 "Ticket 12" open | sed 's/$/\r/'
} >"$T/first.jsonl"
run imp import --source k-tickets "$T/first.jsonl"
expect first_import sh -c '[ "$1" -eq 0 ] && grep -q "12 read, 12 inserted, 0 updated, 0 unchanged, 0 rejected" "$2"' \
	_ "$rc" "$OUT"
run imp import --source k-tickets "$T/first.jsonl"
expect same_file_unchanged \
	sh -c '[ "$1" -eq 0 ] && grep -q "12 read, 0 inserted, 0 updated, 12 unchanged, 0 rejected" "$2"' _ "$rc" "$OUT"

# The next export: ticket 3 solved, ticket 9 renamed, ticket 5 twice (its
# last line changed), a line that is not UTF-8 (line 9), ticket 13 new.
{
	for i in 1 2; do ticket "$i" "Ticket $i" open; done
	ticket 3 "Ticket 3" solved
	ticket 4 "Ticket 4" open
	ticket 5 "Ticket 5" open
	ticket 6 "Ticket 6" open
	echo
	ticket 7 "Ticket 7" open
	printf '{"id": 99, "subject": "\377"}\n'
	ticket 8 "Ticket 8" open
	ticket 9 "Ticket nine" open
	for i in 10 11; do ticket "$i" "Ticket $i" open; done
	ticket 5 "Ticket 5" pending
	ticket 12 "Ticket 12" open | sed 's/$/\r/'
	ticket 13 "Ticket 13" new
} >"$T/next.jsonl"
audit_before=$(sql "SELECT count(*) FROM baton_audit WHERE entity = 'ticket'")
run imp import --source k-tickets --rejects "$T/rejects.csv" "$T/next.jsonl"
expect next_counts \
	sh -c '[ "$1" -eq 0 ] && grep -q "15 read, 1 inserted, 3 updated, 10 unchanged, 1 rejected" "$2"' _ "$rc" "$OUT"
check next_changed_tickets [ "$(sql "SELECT string_agg(subject || ':' || status, ' ' ORDER BY subject COLLATE \"C\")
	FROM ticket WHERE status <> 'open' OR subject !~ '^Ticket [0-9]+$'")" = \
	"Ticket 13:new Ticket 3:solved Ticket 5:pending Ticket nine:open" ]
check next_audits_the_changes_only \
	[ "$(sql "SELECT count(*) FROM baton_audit WHERE entity = 'ticket'")" = $((audit_before + 4)) ]
check reject_names_its_line sh -c 'grep -qF ",9,,not valid UTF-8 text," "$1" && [ "$(wc -l <"$1")" -eq 2 ]' _ "$T/rejects.csv"

run imp import --source k-tickets "$T/next.jsonl"
expect next_again_unchanged \
	sh -c '[ "$1" -eq 0 ] && grep -q "15 read, 0 inserted, 0 updated, 14 unchanged, 1 rejected" "$2"' _ "$rc" "$OUT"
# A pipe is read once: every line goes, and the answer is the same.
cat "$T/next.jsonl" | imp import --source k-tickets - >"$OUT" 2>"$ERR"
rc=$?
expect pipe_same_answer \
	sh -c '[ "$1" -eq 0 ] && grep -q "15 read, 0 inserted, 0 updated, 14 unchanged, 1 rejected" "$2"' _ "$rc" "$OUT"

# A file that changes after its first reading: the run stops and nothing
# of it stays.  The first reading starts after import_record is locked by
# a session the test holds open (the lines are matched against it); the
# file is changed while the run waits, then the lock is released.
hold() { # [CONNINFO [SQL]]: a session that runs SQL (default: locks
	# import_record) in a transaction that lasts until release
	# The last holder's "holding" must not answer for this one: the shell
	# truncates hold.out only once psql's side of the FIFO is open.
	rm -f "$T/hold" "$T/hold.out"
	mkfifo "$T/hold"
	psql -X -q -At -d "${1:-$db}" <"$T/hold" >"$T/hold.out" 2>&1 &
	holder=$!
	exec 4>"$T/hold"
	echo "BEGIN; ${2:-LOCK TABLE import_record IN ACCESS EXCLUSIVE MODE;} SELECT 'holding';" >&4
	wait_true 30 'grep -q holding "$T/hold.out"'
}
release() {
	echo "ROLLBACK;" >&4
	exec 4>&-
	wait "$holder"
}
waiting() { # EVENT: the run waits for a lock (relation: import_record; transactionid:
	# an import's, the row of baton_import_gate)
	[ "$(sql "SELECT count(*) FROM pg_stat_activity WHERE usename = 'importer'
	          AND wait_event_type = 'Lock' AND wait_event = '$1'")" = 1 ]
}
held_run() { # NAME EVENT SOURCE FILE: an import that waits behind the held session
	imp import --source "$3" "$4" >"$OUT" 2>"$ERR" &
	pid=$!
	check "$1" wait_true 30 "waiting $2"
}
refused() { # NAME: release the held session; the waiting run refuses its file
	release
	wait "$pid"
	rc=$?
	expect "$1" \
		sh -c '[ "$1" -ne 0 ] && grep -q "the file changed while it was read$" "$2" &&
		       [ "$(grep -c "nothing of it was imported" "$2")" -eq 1 ]' _ "$rc" "$ERR"
}
check holder_holds hold
ticket 14 "Ticket 14" new >>"$T/next.jsonl"
held_run run_waits_for_the_records relation k-tickets "$T/next.jsonl"
ticket 15 "Ticket 15" new >>"$T/next.jsonl"
refused changed_file_refused
check changed_file_left_nothing [ "$(sql "SELECT count(*) FROM ticket")" = 13 ]
run imp import --source k-tickets "$T/next.jsonl"
expect unchanged_file_then_imports \
	sh -c '[ "$1" -eq 0 ] && grep -q "17 read, 2 inserted, 0 updated, 14 unchanged, 1 rejected" "$2"' _ "$rc" "$OUT"

# CSV rows too, by their fields as the server reads them (quotes, commas
# and line ends inside quotes), under their header: the same row under
# another header is another record.
cat >"$T/orgs2.csv" <<'CSV'
id,name,domain
1,One,one.example
2,"Two, ""the second""",two.example
3,"Three
on two lines",three.example
4,Four,four.example
CSV
run imp import --source k-orgs "$T/orgs2.csv"
expect csv_first sh -c '[ "$1" -eq 0 ] && grep -q "4 read, 3 inserted, 0 updated, 1 unchanged, 0 rejected" "$2"' \
	_ "$rc" "$OUT"
run imp import --source k-orgs "$T/orgs2.csv"
expect csv_same_file_unchanged \
	sh -c '[ "$1" -eq 0 ] && grep -q "4 read, 0 inserted, 0 updated, 4 unchanged, 0 rejected" "$2"' _ "$rc" "$OUT"
# Quoted otherwise, the same fields: unchanged; a field changed inside
# quotes, a row with a field too many (its first line, 6), a new row.
cat >"$T/orgs3.csv" <<'CSV'
"id","name","domain"
1,"One","one.example"
2,"Two, ""the 2nd""",two.example
3,"Three
on two lines","three.example"
4,Four,four.example,extra
5,Five,five.example
CSV
audit_before=$(sql "SELECT count(*) FROM baton_audit WHERE entity = 'customer'")
run imp import --source k-orgs --rejects "$T/orgs3.rej" "$T/orgs3.csv"
expect csv_changes_counted \
	sh -c '[ "$1" -eq 0 ] && grep -q "5 read, 1 inserted, 1 updated, 2 unchanged, 1 rejected" "$2"' _ "$rc" "$OUT"
check csv_changed_field [ "$(sql "SELECT name FROM customer WHERE domain = 'two.example'")" = 'Two, "the 2nd"' ]
check csv_reject_names_its_line grep -qF ',6,,"4 fields, the header has 3","4,Four,four.example,extra"' "$T/orgs3.rej"
check csv_audits_the_changes_only \
	[ "$(sql "SELECT count(*) FROM baton_audit WHERE entity = 'customer'")" -le $((audit_before + 3)) ]
# The same text under a header in another order: the names and domains
# swap, and the rows are not taken for the ones the source has.
printf 'id,domain,name\n1,One,one.example\n' >"$T/swapped.csv"
run imp import --source k-orgs "$T/swapped.csv"
expect csv_other_header_updates \
	sh -c '[ "$1" -eq 0 ] && grep -q "1 read, 0 inserted, 1 updated, 0 unchanged" "$2"' _ "$rc" "$OUT"
# A CSV file changed while it is read is refused as well.
check csv_holder_holds hold
held_run csv_run_waits_for_the_records relation k-orgs "$T/orgs3.csv"
printf '6,Six,six.example\n' >>"$T/orgs3.csv"
refused csv_changed_file_refused
check csv_changed_file_left_nothing [ "$(sql "SELECT count(*) FROM customer WHERE name = 'Six'")" = 0 ]
# A file changed while its run waits for another import (before the run
# has read more than its header): refused as well.
printf 'id,name,domain\n7,Seven,seven.example\n8,Eight,eight.example\n' >"$T/orgs4.csv"
run imp import --source k-orgs "$T/orgs4.csv"
expect csv_orgs4_imported sh -c '[ "$1" -eq 0 ] && grep -q "2 read, 2 inserted" "$2"' _ "$rc" "$OUT"
check import_holder_holds hold "dbname=$db user=importer" \
	"SELECT baton_import_begin(gen_random_uuid(), 'held', 'customers', 'held.csv', 3);"
held_run run_waits_for_the_import transactionid k-orgs "$T/orgs4.csv"
# Rewritten in place, the same size: a row changed, a row the source has.
printf 'id,name,domain\n7,Sevex,seven.example\n8,Eight,eight.example\n' >"$T/orgs4.csv"
refused waited_file_changed_refused
check waited_file_left_nothing [ "$(sql "SELECT count(*) FROM customer WHERE name = 'Sevex'")" = 0 ]

# A carriage return outside quotes rejects its row (COPY would refuse the
# whole file), also a row whose fields are those of a record the source
# has: never taken for it.
printf 'id,name,domain\n9,"Nine\rNine",nine.example\n' >"$T/cr.csv"
run imp import --source k-orgs "$T/cr.csv"
expect quoted_cr_imported sh -c '[ "$1" -eq 0 ] && grep -q "1 read, 1 inserted" "$2"' _ "$rc" "$OUT"
printf 'id,name,domain\n9,Nine\rNine,nine.example\n' >"$T/cr.csv"
run imp import --source k-orgs "$T/cr.csv"
expect unquoted_cr_rejected_not_known \
	sh -c '[ "$1" -eq 1 ] && grep -q "1 read, 0 inserted, 0 updated, 0 unchanged, 1 rejected" "$2"' _ "$rc" "$OUT"
