#!/bin/sh
# The start screen's waiting list, its read stopped in the server, says so
# on the bottom line, not "unknown database error": its first read is a
# Prepare and an Execute in one pipeline, the Prepare waits for the lock on
# the handoffs, and the Execute after it only says the pipeline was aborted.
#  - the statement timeout stops it: "took too long: F5 reads it again"
#    (80x24 and 60x16), and F5 once the lock is gone reads it;
#  - pg_cancel_backend stops it: "stopped in the server";
#  - a read the console itself replaced (F5 while it waits) is silent.
# Each state is held by the lock, not timed.
. "$BATON_ROOT/tests/lib/e2e.sh"

db=$(newdb baton_demo) || { echo "FAIL waiting_cancelled: cannot create a test database"; exit 1; }
T="$BATON_TEST_TMP/waiting_cancelled"
mkdir -p "$T"
printf 'database: { statement_timeout_ms = 0; };\n' >"$T/no_timeout.cfg"
printf 'database: { statement_timeout_ms = 500; };\n' >"$T/short_timeout.cfg"
locker=""
unlock() {
	sql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
	     WHERE datname = current_database() AND application_name = 'waiting_cancelled_lock'" >/dev/null
	[ -n "$locker" ] && wait "$locker" 2>/dev/null
	locker=""
}
trap 'unlock; stop' EXIT
lock() {
	PGAPPNAME=waiting_cancelled_lock psql -X -q -d "$db" \
		-c "BEGIN; LOCK TABLE $1 IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(600)" >/dev/null 2>&1 &
	locker=$!
	wait_true 10 '[ "$(sql "SELECT count(*) FROM pg_locks WHERE relation = '"'$1'"'::regclass
	                        AND mode = '"'AccessExclusiveLock'"' AND granted")" = 1 ]'
}
# lock_waiters APP: how many backends of application_name APP wait for a lock
lock_waiters() {
	sql "SELECT count(*) FROM pg_stat_activity WHERE application_name = '$1' AND wait_event_type = 'Lock'"
}
# cancel_waiting APP: cancel APP's statement waiting for the lock
cancel_waiting() {
	sql "SELECT pg_cancel_backend(pid) FROM pg_stat_activity
	     WHERE application_name = '$1' AND wait_event_type = 'Lock'" >/dev/null
}
# waiter_start APP: when the statement of APP waiting for a lock started
waiter_start() {
	sql "SELECT query_start FROM pg_stat_activity WHERE application_name = '$1'
	     AND wait_event_type = 'Lock'"
}
# bottom: the last line of the screen
bottom() { screen | tail -n 1; }

# --- the statement timeout, at 80x24 and 60x16 ------------------------------
check "the handoffs are locked by another session" lock handoff
for size in "80 24" "60 16"; do
	set -- $size
	start "wc_timeout_$1" "$1" "$2" env BATON_CONFIG="$T/short_timeout.cfg" \
		"$BATON_BIN" -d "'dbname=$db user=ana'"
	check "$1x$2: live while the handoffs are locked" wait_state live 15
	check "$1x$2: the statement timeout stops the read: the list says 'not read: F5 reads it again'" \
		wait_for "not read: F5 reads it again" 15
	check "$1x$2: the bottom line says 'the waiting list took too long: F5 reads it again'" \
		eval 'bottom | grep -qF "the waiting list took too long: F5 reads it again"'
	check "$1x$2: no 'unknown database error'" off_screen "unknown database error"
	stop
done
# The lock gone, F5 reads it.
start wc_timeout_f5 80 24 env BATON_CONFIG="$T/short_timeout.cfg" "$BATON_BIN" -d "'dbname=$db user=ana'"
check "again: not read" wait_for "not read: F5 reads it again" 15
unlock
keys F5
check "the lock gone, F5 reads the list: Support (10), its rows" \
	eval 'wait_for "Waiting for you and Support (10)" 10 && wait_for "Café Lumière" 5'
keys Escape q
check "Esc, q quits, status 0" exit_status_is 0 10
check "no sanitizer report" no_sanitizer_report
stop

# --- cancelled in the server (pg_cancel_backend) ---------------------------
app="wc_cancel_${E2E_ID}"
check "the handoffs are locked again" lock handoff
start wc_cancel 80 24 env BATON_CONFIG="$T/no_timeout.cfg" \
	"$BATON_BIN" -d "'dbname=$db user=ana application_name=$app'"
check "live while the handoffs are locked" wait_state live 15
check "the waiting list's read waits for the lock" wait_true 10 '[ "$(lock_waiters "$app")" -ge 1 ]'
# Replaced by the console's own newer read: the first one's end is silent.
# F5, then a letter: once the letter shows, F5 was taken.
first=$(waiter_start "$app")
keys F5
type_text x
check "F5 and x taken" wait_row 2 "Find: x" 10
cancel_waiting "$app"
check "the newer read (F5) waits for the lock in its turn" \
	wait_true 10 '[ -n "$(waiter_start "$app")" ] && [ "$(waiter_start "$app")" != "$first" ]'
check "the replaced read's end is silent: no message, the list still 'loading…'" \
	eval 'off_screen "stopped in the server" && off_screen "database error" && on_screen "loading…"'
cancel_waiting "$app"
check "pg_cancel_backend stops the read: the list says 'not read: F5 reads it again'" \
	wait_for "not read: F5 reads it again" 10
check "the bottom line says 'the waiting list was stopped in the server: F5 reads it again'" \
	eval 'bottom | grep -qF "the waiting list was stopped in the server: F5 reads it again"'
check "no 'unknown database error'" off_screen "unknown database error"
unlock
keys F5
check "F5 reads it: Support (10)" wait_for "Waiting for you and Support (10)" 10
keys Escape Escape q
check "Esc, q quits, status 0" exit_status_is 0 10
check "no sanitizer report" no_sanitizer_report
