#!/bin/sh
# The database goes away under an open customer screen and comes back: the
# status line says OFFLINE, the screen keeps working from what it has, the
# console reconnects by itself, and R re-reads.  Two consoles watch the same
# outage: one with stderr in a file (for sanitizer reports), one with stderr
# on its terminal as for a real user, where nothing may scribble on the
# screen.
#
# This stops the shared test server: it is restarted in every case (trap),
# and the last check makes sure it answers, since other tests run after.
. "$BATON_ROOT/tests/lib/e2e.sh"

pg_stopped=0
pg_start() {
	if [ "$pg_stopped" = 1 ]; then
		sh "$BATON_ROOT/tests/lib/pgctl.sh" start "$PGHOST" && pg_stopped=0
	fi
}
cleanup() {
	pg_start
	E2E_SESSION=dbdown_file
	stop
	E2E_SESSION=dbdown_tty
	stop
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

db=$(newdb baton_demo) || { echo "FAIL db_down: cannot create a test database"; exit 1; }

open_northwind() {
	wait_state live 15 || return 1
	type_text "north"
	wait_for "North Star Logistics" 10 || return 1
	keys Enter
	wait_for "Handoffs" 10
}

# header_intact: the customer screen has its header on row 1 and the key
# hints on the last row (nothing was written over it or scrolled it)
header_intact() {
	row 1 | grep -qF "Baton · Northwind Health" &&
		row 24 | grep -qF "Tab panel" &&
		! screen | grep -F "FATAL" &&
		row 5 | grep -qE "^┌ Onboarding"
}

E2E_STDERR=tty start dbdown_tty 80 24 "$BATON_BIN" -d "'dbname=$db user=ana application_name=dbdown_tty_${E2E_ID}'"
check "tty console: Northwind Health open" open_northwind
start dbdown_file 80 24 "$BATON_BIN" -d "'dbname=$db user=ana application_name=db_down_${E2E_ID}'"
check "console: Northwind Health open" open_northwind

# The outage.
pg_stopped=1
sh "$BATON_ROOT/tests/lib/pgctl.sh" stop "$PGHOST"

check "server stopped: the status line says OFFLINE" wait_state OFFLINE 15
check "offline: the customer screen is still shown" \
	eval 'on_screen "Success notes" && on_screen "4812 Patient data missing"'
keys Tab Enter
check "offline: a ticket still opens from what was read" \
	eval 'wait_row 1 "Ticket 4812" 5 && on_screen "Priority:  urgent"'
keys q
wait_for "Success notes" 5
keys R
check "offline: R does not crash, still OFFLINE, screen kept" \
	eval 'sleep 0.5; console_pid "application_name=db_down_${E2E_ID}" >/dev/null && wait_state OFFLINE 2 && on_screen "Success notes"'

E2E_SESSION=dbdown_tty
check "tty console: OFFLINE" wait_state OFFLINE 15
check "tty console: nothing written over the screen (no libpq 'FATAL' notice, header on row 1)" \
	header_intact

pg_start
if [ "$pg_stopped" = 1 ]; then
	echo "FAIL db_down: could not restart the server"
	exit 1
fi

check "tty console: live again by itself" wait_state live 30
check "tty console: screen intact after reconnecting" header_intact
keys Q
check "tty console: Q quits with exit status 0" exit_status_is 0 10

E2E_SESSION=dbdown_file
check "server back: live again by itself, without a key press" wait_state live 30
check "reconnected: the customer screen is still there" \
	eval 'on_screen "Success notes" && on_screen "NOT ACKNOWLEDGED"'

# What changed meanwhile shows after R.
psql -X -q -d "$db" -c "INSERT INTO ticket (id, customer_id, subject, status, priority, category, opened_at)
	VALUES (9902, 1, 'Fresh after the outage', 'open', 'urgent', 'bug', now() - interval '100 days')" ||
	echo "FAIL db_down: could not insert a ticket"
keys R
check "R refreshes the customer: the new ticket 9902 shows" \
	wait_for "9902 Fresh after the outage" 10
check "after R: 4 open tickets, still live" \
	eval 'on_screen "Tickets · 4 open" && wait_state live 5'
keys Q
check "Q quits with exit status 0" exit_status_is 0 10
check "no sanitizer report" no_sanitizer_report
stop

check "the shared test server answers again" \
	eval 'psql -X -q -At -d "$db" -c "SELECT 1" >/dev/null'
