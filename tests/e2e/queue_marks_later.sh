#!/bin/sh
# The lead's queue shows its rows without waiting for the customers' signal
# marks, which it asks for apart, after the rows: while the signals cache
# is locked (as a long refresh would hold it), the rows are on the screen,
# unmarked; when it is free, Northwind Health's row gets its TB (the signal its screen lists first) by itself.
# `baton queue` keeps rows and marks in one answer.
. "$BATON_ROOT/tests/lib/e2e.sh"

db=$(newdb baton_demo) || { echo "FAIL queue_marks_later: cannot create a test database"; exit 1; }
locker=""
# The lock's holder: its backend first, then its psql, ours by its PID.
unlock() {
	sql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
	     WHERE datname = current_database() AND application_name = 'queue_marks_lock'" >/dev/null
	[ -n "$locker" ] && wait "$locker" 2>/dev/null
	locker=""
}
trap 'unlock; stop' EXIT

qrow() { screen | grep -F -- "$1" | head -n 1; }

# Marks are read fresh (an up-to-date cache) before the lock.
check "baton queue: Northwind Health's rows carry its signal in the same answer" \
	eval '"$BATON_BIN" -d "dbname=$db user=lee" queue --format json | grep -F "Northwind Health" |
	      grep -qF "\"signal\":\"on-track-but-burning\""'

PGAPPNAME=queue_marks_lock psql -X -q -d "$db" \
	-c "BEGIN; LOCK TABLE customer_signal IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(60)" >/dev/null 2>&1 &
locker=$!
check "the signals cache is locked" \
	wait_true 10 '[ "$(sql "SELECT count(*) FROM pg_locks WHERE relation = '"'customer_signal'"'::regclass
	                        AND mode = '"'AccessExclusiveLock'"' AND granted")" = 1 ]'

start queue_marks_later 120 30 "$BATON_BIN" -d "'dbname=$db user=lee'"
wait_state live 15
check "the rows are shown while the marks wait" wait_true 10 'qrow "Northwind Health" | grep -q .'
check "Northwind Health's row has no mark yet" eval '! qrow "Northwind Health" | grep -qE " TB(\+[0-9]+)?( |$)"'
unlock
check "then its mark arrives by itself" \
	wait_true 10 'qrow "Northwind Health" | grep -qE " TB(\+[0-9]+)?( |$)"'
keys q
wait_for "Find:" 5
keys Escape q
check "q, Esc, q quits with exit status 0" exit_status_is 0 10
check "no sanitizer report" no_sanitizer_report
