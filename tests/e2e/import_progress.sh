#!/bin/sh
# baton import on a terminal says where a long file is: while the server
# merges a file of 12,000 lines (held here by a lock on the tickets), one
# line of standard error says so; when the file is done that line is gone
# and the summary stands alone.  Standard error that is not a terminal
# (cron's mail, a log) gets no such line.
. "$BATON_ROOT/tests/lib/e2e.sh"
. "$BATON_ROOT/tests/lib/import.sh"

cli_files import_progress
db=$(newdb baton_schema) || { echo "FAIL import_progress: cannot create a test database"; exit 1; }
importer_role "$db"
trap stop EXIT
cat >"$T/p.cfg" <<'EOF'
import: { sources = (
  { name = "p-orgs"; entity = "customers"; format = "csv"; system = "crm"; label = "P org";
    fields = { source_id = "id"; name = "name"; domains = "domain"; }; },
  { name = "p-tickets"; entity = "tickets"; format = "jsonl"; customer_source = "p-orgs";
    fields = { source_id = "id"; customer = "org"; subject = "subject"; status = "status"; }; }
); };
EOF
imp() { "$BATON_BIN" -c "$T/p.cfg" -d "dbname=$db user=importer" "$@"; }
printf 'id,name,domain\n1,Progress One,progress-one.example\n' >"$T/orgs.csv"
run imp import --source p-orgs "$T/orgs.csv"
expect org_imported sh -c '[ "$1" -eq 0 ] && grep -q "1 read, 1 inserted" "$2"' _ "$rc" "$OUT"
awk 'BEGIN { for (i = 1; i <= 12000; i++) printf "{\"id\": %d, \"org\": 1, \"subject\": \"P %d\", \"status\": \"open\"}\n", i, i }' \
	>"$T/tickets.jsonl"

# The tickets held: the import's INSERT waits, in its merge, until release.
mkfifo "$T/hold"
psql -X -q -At -d "$db" <"$T/hold" >"$T/hold.out" 2>&1 &
holder=$!
exec 4>"$T/hold"
echo "BEGIN; LOCK TABLE ticket IN EXCLUSIVE MODE; SELECT 'holding';" >&4
wait_true 30 'grep -q holding "$T/hold.out"'

# (The terminal must not hold the holder's FIFO open: 4>&-.)
E2E_STDERR=tty start progress 100 10 "$BATON_BIN" -c "$T/p.cfg" -d "'dbname=$db user=importer'" \
	import --source p-tickets "$T/tickets.jsonl" 4>&-
check merge_shown_while_it_runs wait_for "tickets.jsonl: merging in the server (12000 lines)" 30
check shown_on_one_line [ "$(screen | grep -c 'merging in the server')" = 1 ]
echo "COMMIT;" >&4
exec 4>&-
wait "$holder"
check summary_when_done wait_for "tickets: 12000 read, 12000 inserted" 60
check progress_erased_when_done off_screen "merging in the server"
check exits_0 exit_status_is 0 30

# Not a terminal: the summary alone, nothing rewritten in place.
awk 'BEGIN { for (i = 1; i <= 12000; i++) printf "{\"id\": %d, \"org\": 1, \"subject\": \"Q %d\", \"status\": \"open\"}\n", i, i }' \
	>"$T/again.jsonl"
run imp import --source p-tickets "$T/again.jsonl"
expect no_progress_when_not_a_terminal \
	sh -c '[ "$1" -eq 0 ] && grep -q "12000 read, 0 inserted, 12000 updated" "$2" && [ ! -s "$3" ] &&
	       [ "$(tr -dc "\r" <"$2" | wc -c)" -eq 0 ]' _ "$rc" "$OUT" "$ERR"

# Two files with --format json on a terminal: the first file's summary is
# on a line of its own, and the second file's progress line does not erase
# it.
for f in j1 j2; do
	awk -v f="$f" 'BEGIN { for (i = 1; i <= 12000; i++)
		printf "{\"id\": \"%s-%d\", \"org\": 1, \"subject\": \"%s\", \"status\": \"open\"}\n", f, i, f }' >"$T/$f.jsonl"
done
E2E_STDERR=tty start progress_json 200 12 "$BATON_BIN" -c "$T/p.cfg" -d "'dbname=$db user=importer'" \
	import --format json --source p-tickets "$T/j1.jsonl" "$T/j2.jsonl"
check json_exits_0 exit_status_is 0 120
check json_summaries_both_on_screen \
	sh -c 'printf "%s\n" "$1" | grep -q "j1.jsonl\",\"dry_run\":false,\"entity\":\"tickets\",\"read\":12000,\"inserted\":12000" &&
	       printf "%s\n" "$1" | grep -q "j2.jsonl\",\"dry_run\":false,\"entity\":\"tickets\",\"read\":12000,\"inserted\":12000"' _ "$(screen)"

# A file the source has, on a terminal: while the server matches its
# lines' hashes with the source's records (a second or two a million
# lines, after the file was read), the line says so instead of standing
# at "reading"; then the merge.  All that was written to the terminal, in
# order, as script(1) keeps it.
script -q -e -c "\"$BATON_BIN\" -c \"$T/p.cfg\" -d 'dbname=$db user=importer' import --source p-tickets \"$T/again.jsonl\"" \
	"$T/typescript" </dev/null >/dev/null 2>&1
rc=$?
at() { grep -aobF "$1" "$T/typescript" | head -n 1 | cut -d: -f1; }
m=$(at "again.jsonl: matching with the source's records (12000 lines)")
g=$(at "again.jsonl: merging in the server (12000 lines)")
u=$(at "12000 read, 0 inserted, 0 updated, 12000 unchanged")
check matching_said_before_the_merge sh -c '[ "$1" -eq 0 ] && [ -n "$2" ] && [ -n "$3" ] && [ -n "$4" ] &&
	[ "$2" -lt "$3" ] && [ "$3" -lt "$4" ]' _ "$rc" "$m" "$g" "$u"
