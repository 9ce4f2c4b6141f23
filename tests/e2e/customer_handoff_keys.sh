#!/bin/sh
# a, r and c on the customer screen act on the handoff selected in the
# Handoffs panel and on no other: with the cursor in Tickets or on a
# milestone they say where to go and change nothing (they used to ask
# "Acknowledge; comment (optional):" and acknowledge some handoff the
# person had not chosen).  The prompt names the handoff it acts on.  On a
# handoff's own page (Enter on it) the same keys act on that handoff.
. "$BATON_ROOT/tests/lib/e2e.sh"

db=$(newdb baton_demo) || { echo "FAIL customer_handoff_keys: cannot create a test database"; exit 1; }
state="$BATON_TEST_TMP/customer_handoff_keys.state"
mkdir -p "$state"
trap stop EXIT
escalation=6293c178-ae4a-339c-418f-a402dd44efe3

# Northwind has the demo's escalation to Success (ben); ana adds a second.
renewal=$(printf 'Dana asks about the renewal terms.' |
	"$BATON_BIN" -d "dbname=$db user=ana" handoff new --customer "Northwind Health" --to-team success \
		--reason "renewal risk" --priority high)
# states: "state:version" of the escalation, then of the renewal risk
states() {
	sql "SELECT string_agg(state || ':' || version, ' ' ORDER BY id <> '$escalation')
	     FROM handoff WHERE id IN ('$escalation', '$renewal')"
}
check "two open handoffs to Success for Northwind, the escalation and ana's renewal risk" \
	test "$(states)" = "open:1 open:1"

start chk 80 24 env XDG_STATE_HOME="$state" "$BATON_BIN" -d "'dbname=$db user=ben'"
wait_state live 15
type_text "nwh"
wait_for "Northwind Health" 10
keys Enter
check "ben opens Northwind Health: 'Handoffs · 2 open'" wait_for "Handoffs · 2 open" 10

# The cursor in Tickets: no handoff is selected.
keys Tab
check "Tab: the cursor is on ticket 4812 in the Tickets panel" \
	wait_true 5 'screen | grep -F "›" | grep -qF "4812"'
for k in a r c; do
	keys $k
	check "$k in Tickets: 'select a handoff first: Tab to Handoffs', no prompt" \
		eval 'wait_row 24 "select a handoff first: Tab to Handoffs" 5 && off_screen "comment"'
	# Shift-Tab, Tab: back on 4812, the message gone (a panel change clears
	# it), so that the next key's message is seen to be its own.
	keys BTab Tab
	wait_true 5 'row 24 | grep -qF "Tab panel" && screen | grep -F "›" | grep -qF "4812"'
done
keys Enter
check "Enter then opens the ticket, as in Tickets it does" wait_row 1 "Ticket 4812" 5
check "the database: no handoff changed (both open, version 1)" test "$(states)" = "open:1 open:1"
keys q
wait_for "Handoffs · 2 open" 5

# The cursor on a milestone: the same.
keys BTab
check "Shift-Tab: the cursor is on a milestone" \
	wait_true 5 'screen | grep -F "›" | grep -qF "Kickoff"'
keys a
check "a on a milestone: 'select a handoff first: Tab to Handoffs', no prompt" \
	eval 'wait_row 24 "select a handoff first: Tab to Handoffs" 5 && off_screen "comment"'
check "the database: still no handoff changed" test "$(states)" = "open:1 open:1"

# In the Handoffs panel, on the second handoff: a names it, and acts on it.
press_until Tab 6 screen 'screen | grep -F "›" | grep -qF "Support → Success"'
check "Tab to the Handoffs panel, Down to the renewal risk" select_row "renewal risk" 4
keys a
check "a names it: 'Acknowledge renewal risk from Support (Northwind Health)? comment:'" \
	wait_row 24 "Acknowledge renewal risk from Support (Northwind Health)? comment:" 5
type_text "calling Dana today"
keys Enter
check "Enter: 'handoff acknowledged'" wait_for "handoff acknowledged" 10
check "the database: the renewal risk acknowledged by ben (version 2), the escalation still open" \
	eval 'test "$(states)" = "open:1 acknowledged:2" &&
	      test "$(sql "SELECT acknowledged_by FROM handoff WHERE id = '"'$renewal'"'")" = ben'

# A handoff's page: the keys act on that handoff.
# (acknowledged, the renewal risk went below the open escalation)
press_until Up 4 'screen | grep -F "›"' 'screen | grep -F "›" | grep -qF "escalation"'
keys Enter
check "Enter on the escalation opens its page, whose hint line offers 'a ack  r resolve  c cancel'" \
	eval 'wait_row 1 "Handoff 6293c178" 5 && wait_row 24 "a ack  r resolve  c cancel" 5'
keys c
check "c on the page names it: 'Cancel escalation from Support (Northwind Health)? comment:'" \
	wait_row 24 "Cancel escalation from Support (Northwind Health)? comment:" 5
keys Enter
check "Enter: the server says who may: 'not cancelled: only its author (ana) can cancel it'" \
	wait_for "not cancelled: only its author (ana) can cancel it" 10
keys a
check "a on the page: 'Acknowledge escalation from Support (Northwind Health)? comment:'" \
	wait_row 24 "Acknowledge escalation from Support (Northwind Health)? comment:" 5
keys Enter
check "Enter: 'handoff acknowledged', and the page's history says so" \
	eval 'wait_for "handoff acknowledged" 10 && wait_for "acknowledged by ben" 10'
check "the database: the escalation acknowledged by ben (version 2), the renewal risk as it was" \
	eval 'test "$(states)" = "acknowledged:2 acknowledged:2" &&
	      test "$(sql "SELECT acknowledged_by FROM handoff WHERE id = '"'$escalation'"'")" = ben'
keys '?'
check "the page's help lists a, r and c" \
	eval 'wait_for "Keys on this screen" 5 && on_screen "acknowledge the selected handoff" && on_screen "cancel the selected handoff"'
keys q
wait_row 1 "Handoff 6293c178" 5

keys q
wait_for "Handoffs ·" 5
keys C-c
check "Ctrl-C quits with exit status 0" exit_status_is 0 10
check "no sanitizer report" no_sanitizer_report
stop
