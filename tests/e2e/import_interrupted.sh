#!/bin/sh
# A file whose import is interrupted half way (the server stops while the
# file is streaming) leaves nothing: no customer, no record, no run.  The
# file comes through a FIFO, so the test decides when "half way" is: rows
# have been sent and the server is in the COPY.  baton exits 4 and says
# that nothing of the file was imported; imported again, the whole file is.
# The server is ALWAYS started again, even when a check fails.
. "$BATON_ROOT/tests/lib/e2e.sh"
. "$BATON_ROOT/tests/lib/import.sh"

server_guard import_interrupted
cli_files import_interrupted
db=$(newdb baton_schema) || { echo "FAIL import_interrupted: cannot create a test database"; exit 1; }
importer_role "$db"
CFG="$BATON_ROOT/etc/baton-import.cfg"

rows() { # FROM TO: company rows
	awk -v a="$1" -v b="$2" 'BEGIN { for (i = a; i <= b; i++)
		printf "%d,Company %d with a name long enough to fill the pipe,c%d.example,Customer,2026-03-01 10:00\n", i, i, i }'
}
mkfifo "$T/fifo"
# On standard input: a named pipe given as a FILE is refused (never waited
# on); one the shell opens for it is the pipe of a script's export.
"$BATON_BIN" -c "$CFG" -d "dbname=$db user=importer" import --source hubspot-companies - <"$T/fifo" \
	>"$OUT" 2>"$ERR" &
pid=$!
# Opening a FIFO blocks until its reader opens it: a baton that ended
# before (a schema it does not speak) would hold the test forever.
( sleep 30; kill -TERM $$ ) 2>/dev/null &
watchdog=$!
exec 3>"$T/fifo"
kill "$watchdog" 2>/dev/null
printf 'Record ID,Company name,Company Domain Name,Lifecycle Stage,Last Modified Date\n' >&3
rows 1 20000 >&3
copying() {
	[ "$(psql -X -At -d "$db" -c "SELECT count(*) FROM pg_stat_activity
		WHERE usename = 'importer' AND query LIKE 'COPY%'" 2>/dev/null)" = 1 ]
}
check import_is_streaming wait_true 20 copying
server_stop
rows 20001 20100 >&3 2>/dev/null
exec 3>&-
wait "$pid"
rc=$?
expect interrupted_import_exits_4_saying_nothing_imported \
	sh -c '[ "$1" -eq 4 ] && grep -q "^baton: -: nothing of it was imported" "$2"' _ "$rc" "$ERR"
server_start
check interrupted_import_left_nothing \
	[ "$(sql "SELECT (SELECT count(*) FROM customer) + (SELECT count(*) FROM import_record)
	          + (SELECT count(*) FROM import_run) + (SELECT count(*) FROM customer_external_id)")" = 0 ]

{ printf 'Record ID,Company name,Company Domain Name,Lifecycle Stage,Last Modified Date\n'; rows 1 20100; } >"$T/all.csv"
run "$BATON_BIN" -c "$CFG" -d "dbname=$db user=importer" import --source hubspot-companies "$T/all.csv"
expect whole_file_imported_afterwards \
	sh -c '[ "$1" -eq 0 ] && grep -q "20100 read, 20100 inserted" "$2"' _ "$rc" "$OUT"
