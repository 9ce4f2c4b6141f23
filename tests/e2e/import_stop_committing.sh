#!/bin/sh
# A stop (SIGTERM) that comes while a file commits waits until the file is
# in and said: the file is reported imported, and the next file, which the
# stop then meets before it begins, is "not tried", not "interrupted".
# The COMMIT is held on purpose: the server waits for a synchronous standby
# that does not exist (synchronous_standby_names), for the import's session
# alone (synchronous_commit on in it; the test server commits
# asynchronously otherwise), until the test empties the setting again.
. "$BATON_ROOT/tests/lib/e2e.sh"
. "$BATON_ROOT/tests/lib/import.sh"

cli_files import_stop_committing
db=$(newdb baton_schema) || { echo "FAIL import_stop_committing: cannot create a test database"; exit 1; }
importer_role "$db"
standby() { # VALUE: the server's synchronous_standby_names ('' resets it)
	if [ -n "$1" ]; then _set="ALTER SYSTEM SET synchronous_standby_names = '$1'"
	else _set="ALTER SYSTEM RESET synchronous_standby_names"; fi
	psql -X -q -d postgres -c "$_set" -c "SELECT pg_reload_conf()" >/dev/null
}
# Whatever happens, the other tests get a server that commits.
trap 'standby ""' EXIT
trap 'exit 1' INT TERM HUP
cat >"$T/csv.cfg" <<'CFG'
import: { sources = (
  { name = "crm"; entity = "customers"; format = "csv"; system = "crm";
    fields = { source_id = "id"; name = "name"; domains = "domain"; }; }
); };
CFG
printf 'id,name,domain\n1,Acme,acme.example\n' >"$T/first.csv"
printf 'id,name,domain\n2,Bolt,bolt.example\n' >"$T/second.csv"

standby baton_test_nobody
PGOPTIONS="-c synchronous_commit=on" "$BATON_BIN" -c "$T/csv.cfg" -d "dbname=$db user=importer" \
	import --source crm --format json "$T/first.csv" "$T/second.csv" >"$T/stop.json" 2>"$T/stop.err" &
pid=$!
committing() {
	[ "$(sql "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
	          AND usename = 'importer' AND wait_event = 'SyncRep'")" = 1 ]
}
check commit_waits_for_the_standby wait_true 15 committing
kill -TERM "$pid" 2>/dev/null
sleep 1
check stop_waits_while_the_file_commits kill -0 "$pid"
standby ""
wait "$pid"
rc=$?
check stopped_run_dies_of_the_signal [ "$rc" -eq 143 ]
check file_committing_is_reported_imported_and_the_next_not_tried python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
assert [x["file"].rsplit("/", 1)[-1] for x in r] == ["first.csv", "second.csv"], r
assert r[0].get("error") is None and r[0]["inserted"] == 1, r
assert r[1].get("error") == "not tried (interrupted)", r
' "$T/stop.json"
check stderr_says_the_next_file_was_not_tried grep -qx "baton: $T/second.csv: not tried (interrupted)" "$T/stop.err"
check stderr_says_no_file_was_interrupted sh -c '! grep -q ": interrupted" "$1"' _ "$T/stop.err"
check first_file_is_in [ "$(sql "SELECT string_agg(name, ' ' ORDER BY name) FROM customer")" = "Acme" ]
