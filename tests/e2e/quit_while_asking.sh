#!/bin/sh
# Quitting while the console's question "who am I, which schema" is
# unanswered (it asks again on a reconnect and when its staff entry
# changes): the question is dropped, and the exit is a normal one, not
# "baton: cancelled" with the database's exit status.
. "$BATON_ROOT/tests/lib/e2e.sh"

db=$(newdb baton_demo) || { echo "FAIL quit_while_asking: cannot create a test database"; exit 1; }
trap stop EXIT

start quit_ask 80 24 "$BATON_BIN" -d "'dbname=$db user=ana application_name=quit_ask_${E2E_ID}'"
check "the console is live" wait_state live 15

# The staff table held by another transaction: the console's next
# question about ana waits in the server.
psql -X -q -d "$db" -c "BEGIN; LOCK TABLE staff IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(30); COMMIT" \
	>/dev/null 2>&1 &
holder=$!
wait_true 10 'test "$(sql "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
                          WHERE c.relname = '\''staff'\'' AND l.mode = '\''AccessExclusiveLock'\'' AND l.granted")" = 1'
sql "SELECT pg_notify('baton', 'staff:ana')" >/dev/null
check "the console's question about ana waits for the staff table" \
	wait_true 10 'test "$(sql "SELECT count(*) FROM pg_stat_activity WHERE application_name = '\''quit_ask_${E2E_ID}'\''
	                             AND wait_event_type = '\''Lock'\''")" = 1'
keys C-c
check "Ctrl-C quits with exit status 0 (the unanswered question dropped)" exit_status_is 0 10
check "nothing said about it on the way out" eval '! grep -q "cancelled" "$BATON_TEST_TMP/quit_ask.err" 2>/dev/null'
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null
check "no sanitizer report" no_sanitizer_report
stop
