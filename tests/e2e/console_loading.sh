#!/bin/sh
# Before the server has answered, what is not known is not shown as zero.
# The start screen's waiting list says "connecting…" while the connection
# is made and "loading…" until its first answer, never "Nothing is
# waiting." or a count of 0; the leads' queue shows no counts ("open 0 ·
# not ack 0 · breached 0") until they have come.  Each state is held, not
# timed: a server that never answers, a table locked by another session
# (with no statement timeout, so the console waits as long as the lock).
. "$BATON_ROOT/tests/lib/e2e.sh"

db=$(newdb baton_demo) || { echo "FAIL console_loading: cannot create a test database"; exit 1; }
T="$BATON_TEST_TMP/console_loading"
mkdir -p "$T"
printf 'database: { statement_timeout_ms = 0; };\n' >"$T/no_timeout.cfg"
silent=""
locker=""
# The lock's holder: its backend first, then its psql, ours by its PID.
unlock() {
	sql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
	     WHERE datname = current_database() AND application_name = 'console_loading_lock'" >/dev/null
	[ -n "$locker" ] && wait "$locker" 2>/dev/null
	locker=""
}
cleanup() {
	unlock
	[ -n "$silent" ] && kill "$silent" 2>/dev/null
	stop
}
trap cleanup EXIT

# lock TABLE: held by another session until unlock
lock() {
	PGAPPNAME=console_loading_lock psql -X -q -d "$db" \
		-c "BEGIN; LOCK TABLE $1 IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(600)" >/dev/null 2>&1 &
	locker=$!
	wait_true 10 '[ "$(sql "SELECT count(*) FROM pg_locks WHERE relation = '"'$1'"'::regclass
	                        AND mode = '"'AccessExclusiveLock'"' AND granted")" = 1 ]'
}
# waits_for_lock APP: a backend of application_name APP waits for a lock
waits_for_lock() {
	[ "$(sql "SELECT count(*) FROM pg_stat_activity WHERE application_name = '$1'
	          AND wait_event_type = 'Lock'")" -ge 1 ]
}
# waiting_area: the lines below the waiting list's title
waiting_area() { screen | sed -n '/Waiting for you/,$p' | sed '1d;$d'; }

# --- connecting: a server socket that takes the connection and never answers
mkdir -p "$T/silent"
python3 -c 'import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
s.listen(5)
time.sleep(600)' "$T/silent/.s.PGSQL.5432" &
silent=$!
wait_true 10 '[ -S "$T/silent/.s.PGSQL.5432" ]'
start loading_connecting 80 24 "$BATON_BIN" -d "'host=$T/silent port=5432 dbname=x user=ana'"
check "connecting: the top line says so" wait_state connecting 10
check "connecting: the waiting list says connecting…, not 'Nothing is waiting.'" \
	eval 'wait_true 5 "waiting_area | grep -qF connecting…" && off_screen "Nothing is waiting"'
check "connecting: the waiting list's title has no count" \
	eval 'on_screen "Waiting for you and your team" && ! on_screen "(0)"'
keys C-c
check "connecting: Ctrl-C quits" exit_status_is 0 10
stop
kill "$silent" 2>/dev/null
silent=""

# --- live, the waiting list's read held by a lock on the handoffs -----------
check "the handoffs are locked by another session" lock handoff
start loading_waiting 80 24 env BATON_CONFIG="$T/no_timeout.cfg" \
	"$BATON_BIN" -d "'dbname=$db user=ana application_name=loading_waiting_${E2E_ID}'"
check "live while the handoffs are locked" wait_state live 15
check "the console's read of the waiting list waits for the lock" \
	wait_true 10 "waits_for_lock loading_waiting_${E2E_ID}"
check "before its answer: 'loading…', not 'Nothing is waiting.'" \
	eval 'wait_true 5 "waiting_area | grep -qF loading…" && off_screen "Nothing is waiting"'
check "before its answer: the title names the team, without a count" \
	eval 'on_screen "Waiting for you and Support " && ! on_screen "Support (0)"'
# The read fails (cancelled in the server): still not known, and F5 (R in the lists) reads again.
sql "SELECT pg_cancel_backend(pid) FROM pg_stat_activity
     WHERE application_name = 'loading_waiting_${E2E_ID}' AND wait_event_type = 'Lock'" >/dev/null
check "a failed read: 'not read: F5 reads it again', not 'Nothing is waiting.'" \
	eval 'wait_true 10 "waiting_area | grep -qF \"not read: F5 reads it again\"" && off_screen "Nothing is waiting" &&
	      ! on_screen "Support (0)"'
unlock
keys F5
check "F5: the title counts 10, the rows are shown" \
	eval 'wait_for "Waiting for you and Support (10)" 10 && wait_for "Café Lumière" 5 && ! waiting_area | grep -qF "not read:"'
keys Escape q
check "Esc, q quits, status 0" exit_status_is 0 10
check "no sanitizer report" no_sanitizer_report
stop

# --- the leads' queue: rows come, counts are held by a lock on their totals --
check "the queue's totals are locked by another session" lock queue_total
start loading_queue 120 30 env BATON_CONFIG="$T/no_timeout.cfg" \
	"$BATON_BIN" -d "'dbname=$db user=lee application_name=loading_queue_${E2E_ID}'"
check "lee's queue is shown" wait_row 1 "Handoff queue" 15
check "its rows come" wait_for "Northwind Health" 10
check "the counts' read waits for the lock" wait_true 10 "waits_for_lock loading_queue_${E2E_ID}"
check "no counts shown before they come (no 'open 0 · not ack 0 · breached 0')" \
	eval '! row 2 | grep -qE "open|not ack|breached" && off_screen "median time"'
unlock
check "then the counts come" wait_true 10 'row 2 | grep -qE "open [1-9][0-9]* · not ack [0-9]+ · breached [0-9]+"'
# Another view's counts are not these: none until its own have come.
check "the totals are locked again" lock queue_total
keys 2
check "another view (2, breached) is shown" wait_row 1 "Handoff queue · breached" 5
check "its counts' read waits for the lock" wait_true 10 "waits_for_lock loading_queue_${E2E_ID}"
check "the first view's counts are not shown for it" \
	eval '! row 2 | grep -qE "open|not ack|breached" && off_screen "median time"'
unlock
check "then its own come" wait_true 10 'row 2 | grep -qE "open [0-9]+ · not ack [0-9]+ · breached [1-9]"'
keys q
wait_for "Find:" 5
keys Escape q
check "q, Esc, q quits with exit status 0" exit_status_is 0 10
check "no sanitizer report" no_sanitizer_report
