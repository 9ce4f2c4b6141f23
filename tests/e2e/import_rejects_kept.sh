#!/bin/sh
# The rejects of each file are in the rejects file as soon as the file is
# done: a run of several files stopped in a later one (here killed while it
# waits for standard input) keeps those of the files it committed, once.
. "$BATON_ROOT/tests/lib/e2e.sh"
. "$BATON_ROOT/tests/lib/import.sh"

cli_files import_rejects_kept
db=$(newdb baton_schema) || { echo "FAIL import_rejects_kept: cannot create a test database"; exit 1; }
importer_role "$db"
cat >"$T/csv.cfg" <<'CFG'
import: { sources = (
  { name = "crm"; entity = "customers"; format = "csv"; system = "crm";
    fields = { source_id = "id"; name = "name"; domains = "domain"; }; }
); };
CFG
printf 'id,name,domain\n1,Acme 27" Displays,acme.example\n2,Bolt,bolt.example\n' >"$T/first.csv"
# The second file, standard input, sends its header and then waits (at
# most 20 s) for the flag the test sets when done.
{
	printf 'id,name,domain\n'
	i=0
	while [ ! -e "$T/flag" ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
} | "$BATON_BIN" -c "$T/csv.cfg" -d "dbname=$db user=importer" import --source crm --rejects "$T/rej.csv" \
	"$T/first.csv" - >"$OUT" 2>"$ERR" &
pid=$!
first_rejects_written() { grep -q "first.csv,2,,a quote inside a field" "$T/rej.csv" 2>/dev/null; }
check first_files_rejects_written_while_the_run_goes_on wait_true 15 first_rejects_written
kill -TERM "$pid" 2>/dev/null
touch "$T/flag"
wait
check rejects_kept_after_the_kill first_rejects_written
check rejects_header_once [ "$(grep -c '^file,line,field,reason,raw' "$T/rej.csv")" = 1 ]
check rejects_row_once [ "$(grep -c 'first.csv,2,' "$T/rej.csv")" = 1 ]
check first_file_committed [ "$(sql "SELECT string_agg(name, ' ') FROM customer")" = "Bolt" ]

# Killed in its first file: the rejects file has its header (it was left
# empty, which says nothing of what it is).
rm -f "$T/flag"
{
	printf 'id,name,domain\n'
	i=0
	while [ ! -e "$T/flag" ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
} | "$BATON_BIN" -c "$T/csv.cfg" -d "dbname=$db user=importer" import --source crm --rejects "$T/rej1.csv" - \
	>"$OUT" 2>"$ERR" &
pid=$!
header_written() { [ "$(tr -d "\r" 2>/dev/null <"$T/rej1.csv")" = "file,line,field,reason,raw" ]; }
check rejects_header_written_before_the_first_file wait_true 15 header_written
kill -TERM "$pid" 2>/dev/null
touch "$T/flag"
wait
check rejects_header_alone_after_a_kill_in_the_first_file header_written

# Stopped in its second file with --format json: standard output is still
# one JSON array, the first file's summary, the interrupted file and the one
# not tried, each with its error; standard error names the file; the status
# is the signal's.
rm -f "$T/flag"
printf 'id,name,domain\n3,Cog,cog.example\n' >"$T/third.csv"
{
	printf 'id,name,domain\n'
	i=0
	while [ ! -e "$T/flag" ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
} | "$BATON_BIN" -c "$T/csv.cfg" -d "dbname=$db user=importer" import --source crm --format json \
	"$T/first.csv" - "$T/third.csv" >"$T/stop.json" 2>"$T/stop.err" &
pid=$!
first_summary_out() { grep -q '"file":".*first.csv","dry_run":false' "$T/stop.json" 2>/dev/null; }
check json_first_summary_written_while_the_run_goes_on wait_true 15 first_summary_out
kill -TERM "$pid" 2>/dev/null
touch "$T/flag"
wait "$pid"
rc=$?
check json_stopped_run_dies_of_the_signal [ "$rc" -eq 143 ]
check json_stopped_run_is_still_one_array python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
assert [x.get("error") for x in r] == [None, "interrupted", "not tried (interrupted)"], r
assert [x["file"].rsplit("/", 1)[-1] for x in r] == ["first.csv", "-", "third.csv"], r
' "$T/stop.json"
check json_stopped_run_names_the_file_on_stderr grep -qx "baton: -: interrupted" "$T/stop.err"
check json_stopped_run_left_the_third_file_alone [ "$(sql "SELECT count(*) FROM customer WHERE name = 'Cog'")" = 0 ]
