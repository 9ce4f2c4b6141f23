#!/bin/sh
# A hold typed while the database is down is not lost:
#  1. mia holds Café Lumière's upsell from her start screen while the
#     server is stopped; the console says the hold is saved (a queued draft
#     on disk) and sent when the database is back, reconnects by itself,
#     sends it and it is recorded exactly once (the id made before the
#     first attempt); the draft is removed.
#  2. she holds Evergreen Partners' upsell while offline and quits: Q does
#     not ask, the hold is on disk; nothing is held behind her back, and
#     started again the console offers it, s sends it, once.
# The server is ALWAYS started again, even when a check fails.
. "$BATON_ROOT/tests/lib/e2e.sh"

server_guard hold_db_down
db=$(newdb baton_demo) || { echo "FAIL hold_db_down: cannot create a test database"; exit 1; }
selected() { screen | grep -F "›"; }
ndrafts() { find "$1" -name '*.draft' 2>/dev/null | wc -l | tr -d ' '; }
holds_with() { sql "SELECT count(*) || ':' || coalesce(min(actor), '') FROM campaign_hold WHERE comment = '$1'"; }
state="$BATON_TEST_TMP/hold_db_down.state"
mkdir -p "$state"

# sends SESSION CUSTOMER: mia's console on her start screen, the first
# send to CUSTOMER (a search) selected
sends() {
	start "$1" 100 30 env XDG_STATE_HOME="$state" "$BATON_BIN" -d "'dbname=$db user=mia application_name=hold_db_down_${E2E_ID}'"
	wait_state live 15
	wait_row 1 "Sends to customers in trouble" 10
	# (The rows come after the title: searched before, nothing is found.)
	wait_row 4 "›" 10
	keys /
	type_text "$2"
	keys Enter
	wait_true 5 'selected | grep -qF "$2"'
}

# --- 1. held while offline, sent when the database is back ----------------------
sends hold_db_down "Café Lumière"

server_stop
check "server stopped: the console says OFFLINE" wait_state OFFLINE 20
keys h
wait_for 'Why hold upsell "Upgrade to Pro"' 5
type_text "Refund pending; hold it"
keys Enter
check "offline: 'database unreachable: the hold is saved and sent when it is back'" \
	wait_for "database unreachable: the hold is saved and sent when it is back" 5
check "the hold is on disk, queued, with the comment" \
	eval '[ "$(ndrafts "$state")" = 1 ] && grep -qx "kind: signal" "$state"/baton/drafts/*.draft &&
	      grep -qx "write: hold" "$state"/baton/drafts/*.draft && grep -qx "state: queued" "$state"/baton/drafts/*.draft &&
	      grep -qxF "Refund pending; hold it" "$state"/baton/drafts/*.draft'
server_start
check "back: the console reconnects and the send is held" \
	eval 'wait_state live 30 && wait_true 15 "selected | grep -qF HELD"'
check "recorded exactly once, by mia" \
	test "$(sql "SELECT count(*) || ':' || min(actor) || ':' || min(comment) FROM campaign_hold")" = "1:mia:Refund pending; hold it"
check "the send points at that hold" \
	test "$(sql "SELECT count(*) FROM marketing_event m JOIN campaign_hold h ON h.id = m.held_by WHERE m.customer_id = 2")" = 1
check "the draft is removed" wait_true 10 '[ "$(ndrafts "$state")" = 0 ]'
keys C-c
check "Ctrl-C quits with exit status 0" exit_status_is 0 10
check "no sanitizer report" no_sanitizer_report
stop

# --- 2. held while offline, quit, sent from the drafts at the next start -------------
why2="Evergreen asked for a pause"
sends hold_db_down2 "Evergreen"
server_stop
check "offline again" wait_state OFFLINE 20
keys h
wait_for 'Why hold upsell "Upgrade to Pro"' 5
type_text "$why2"
keys Enter
check "the hold is saved" wait_for "database unreachable: the hold is saved and sent when it is back" 5
keys Q
check "Q quits at once: the hold is on disk, nothing to lose" exit_status_is 0 10
check "no sanitizer report" no_sanitizer_report
stop
check "the queued hold survives the console" test "$(ndrafts "$state")" = 1
server_start
check "nothing was held behind mia's back" test "$(holds_with "$why2")" = "0:"
start hold_db_down3 100 30 env XDG_STATE_HOME="$state" "$BATON_BIN" -d "'dbname=$db user=mia application_name=hold_db_down_${E2E_ID}'"
check "started again: the saved drafts are offered, the hold QUEUED with its comment" \
	eval 'wait_for "Saved drafts" 15 &&
	      screen | grep -F QUEUED | grep -F "hold send" | grep -F Evergreen | grep -qF "\"$why2\""'
keys s
check "s sends it: 'held: upsell \"Upgrade to Pro\" to Evergreen…'" wait_for 'held: upsell "Upgrade to Pro" to Evergreen' 15
check "recorded exactly once, by mia" wait_true 10 '[ "$(holds_with "$why2")" = "1:mia" ]'
check "the draft is removed" wait_true 10 '[ "$(ndrafts "$state")" = 0 ]'
keys C-c
check "Ctrl-C quits with exit status 0" exit_status_is 0 10
check "no sanitizer report" no_sanitizer_report
