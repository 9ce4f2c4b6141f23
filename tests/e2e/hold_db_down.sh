#!/bin/sh
# A hold typed while the database is down is not lost: mia holds Café
# Lumière's upsell from her start screen while the server is stopped; the
# console says it goes when the database is back, reconnects by itself,
# sends it and it is recorded exactly once (the id made before the first
# attempt).  The server is ALWAYS started again, even when a check fails.
. "$BATON_ROOT/tests/lib/e2e.sh"

server_guard hold_db_down
db=$(newdb baton_demo) || { echo "FAIL hold_db_down: cannot create a test database"; exit 1; }
selected() { screen | grep -F "›"; }

start hold_db_down 100 30 "$BATON_BIN" -d "'dbname=$db user=mia application_name=hold_db_down_$$'"
wait_state live 15
wait_row 1 "Sends to customers in trouble" 10
keys /
type_text "Lumi"
keys Enter
wait_true 5 'selected | grep -qF "Café Lumière"'

server_stop
check "server stopped: the console says OFFLINE" wait_state OFFLINE 20
keys h
wait_for 'Why hold upsell "Upgrade to Pro"' 5
type_text "Refund pending; hold it"
keys Enter
check "offline: it is sent when the database is back" \
	wait_for "database unreachable: it is sent when the database is back" 5
server_start
check "back: the console reconnects and the send is held" \
	eval 'wait_state live 30 && wait_true 15 "selected | grep -qF HELD"'
check "recorded exactly once, by mia" \
	test "$(sql "SELECT count(*) || ':' || min(actor) || ':' || min(comment) FROM campaign_hold")" = "1:mia:Refund pending; hold it"
check "the send points at that hold" \
	test "$(sql "SELECT count(*) FROM marketing_event m JOIN campaign_hold h ON h.id = m.held_by WHERE m.customer_id = 2")" = 1
keys C-c
check "Ctrl-C quits with exit status 0" exit_status_is 0 10
check "no sanitizer report" no_sanitizer_report
