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
