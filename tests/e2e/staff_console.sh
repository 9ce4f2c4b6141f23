#!/bin/sh
# A person is disabled while their console shows a customer: on its next
# query the console says access was withdrawn, what it had read goes from
# the screen, and it keeps running (no crash) until the person quits.
# Enabled again, a new console works.  The role is this test's own (login
# roles are cluster-wide).
. "$BATON_ROOT/tests/lib/e2e.sh"

trap 'stop' EXIT
db=$(newdb baton_demo) || { echo "FAIL staff_console: cannot create a test database"; exit 1; }
adm="sc_${E2E_ID}_admin"
who="sc_${E2E_ID}_ana"
psql -X -q -d "$db" -c "CREATE ROLE $adm LOGIN IN ROLE baton_admin" &&
	"$BATON_BIN" -d "dbname=$db user=$adm" staff add "$who" --name "Ana Again" --team support >/dev/null ||
	{ echo "FAIL staff_console: cannot add the person"; exit 1; }

start staff_console 80 24 "$BATON_BIN" -d "'dbname=$db user=$who application_name=staff_console_${E2E_ID}'"
check "console as the new person: live, signed in as them" \
	eval 'wait_state live 15 && row 1 | grep -qF "$who"'
type_text "nwh"
check "finder: Northwind Health found" wait_for "Northwind Health" 10
keys Enter
check "customer screen: Northwind's tickets shown" \
	eval 'wait_for "Handoffs ·" 10 && on_screen "4812 Patient data missing"'

"$BATON_BIN" -d "dbname=$db user=$adm" staff disable "$who" >/dev/null ||
	echo "FAIL staff_console: staff disable failed"
check "disabled: the console says access was withdrawn" wait_for "access withdrawn" 10
check "disabled: what was read is gone from the screen" \
	eval 'wait_gone "4812 Patient data missing" 10 && on_screen "no such customer"'
check "disabled: the console still runs" \
	eval 'console_pid "application_name=staff_console_${E2E_ID}" >/dev/null'
keys R
check "R re-reads nothing and does not crash" \
	eval 'sleep 0.5; console_pid "application_name=staff_console_${E2E_ID}" >/dev/null && on_screen "no such customer"'
keys Q
check "Q quits with exit status 0" exit_status_is 0 10
check "no sanitizer report" no_sanitizer_report
stop

"$BATON_BIN" -d "dbname=$db user=$adm" staff enable "$who" >/dev/null ||
	echo "FAIL staff_console: staff enable failed"
start staff_console 80 24 "$BATON_BIN" -d "'dbname=$db user=$who'"
type_text "nwh"
check "enabled again: a new console finds Northwind Health" \
	eval 'wait_state live 15 && wait_for "Northwind Health" 10'
keys C-c
check "enabled console quits with exit status 0" exit_status_is 0 10
stop
dropdb --if-exists "$db" >/dev/null 2>&1
