#!/bin/sh
# The main path at 80x24: find a customer as you type, open it, read the
# five panels, open a ticket, go back twice and quit cleanly.
. "$BATON_ROOT/tests/lib/e2e.sh"

db=$(newdb baton_demo) || { echo "FAIL find_open: cannot create a test database"; exit 1; }
trap stop EXIT

start find_open 80 24 "$BATON_BIN" -d "'dbname=$db user=ana'"

check "start screen: connects and shows 'ana · Support  ● live'" \
	wait_state live 15
check "start screen: top right names the role and team" \
	wait_row 1 "ana · Support"
check "start screen: Find field and 'Waiting for you and Support'" \
	eval 'on_screen "Find:" && wait_for "Waiting for you and Support" 5'

# As you type: two characters already find by prefix.
type_text "no"
check "find as you type: 'no' (a two-character prefix) lists Northwind Health" \
	wait_for "Northwind Health" 5
check "find: the list of 'no' starts with Nordic Pharma Oy" \
	eval 'wait_for "Nordic Pharma Oy" 5 && screen | grep -n "Nordic Pharma Oy\|Northwind Health" | head -1 | grep -q "Nordic"'
# "rth" and Enter in one write: the console reads all four keys before the
# matches of "north" can have come, with the list of "no" on the screen.
keys rth Enter
check "Enter right after typing opens the best match of what was typed (Northwind Health), not the first row of the list on the screen" \
	wait_row 1 "Baton · Northwind Health (nwh.example)" 10
wait_for "Handoffs" 10
missing=""
for t in "Onboarding" "Tickets" "Success notes" "Marketing" "Handoffs"; do
	screen | grep -qE -- "[┌├] $t" || missing="$missing '$t'"
done
[ -z "$missing" ] || echo "missing panel titles:$missing"
check "customer screen: the five panel titles are drawn on box borders" test -z "$missing"
check "customer screen: ticket 4812 'Patient data missing' with !! and SLA!" \
	eval 'screen | grep -E "!! 4812 Patient data missing" | grep -qF "SLA!"'
check "customer screen: the open handoff says NOT ACKNOWLEDGED" \
	eval 'screen | grep -F "Support → Success" | grep -qF "NOT ACKNOWLEDGED"'
check "customer screen: flags campaign during complaint / on track but burning / dropped baton" \
	eval 'screen | grep -F "campaign during complaint" | grep -F "on track but burning" | grep -qF "dropped baton"'
check "customer screen: the key hints on the last line" \
	wait_row 24 "Tab panel"
# Only the selected row carries the reverse-video marker; the marker column
# of every other row is a plain blank (not a column of inverse blocks).
# (Nothing captured prints nothing, not a count of 0.)
inverse_blanks() { _s=$(screen_e) && printf '%s\n' "$_s" | grep -c "$(printf '\033')\[7m "; }
check "customer screen: no reverse-video blank in the marker column of unselected rows" \
	eval '[ "$(inverse_blanks)" = 0 ] || { echo "$(inverse_blanks) rows with an inverse blank cell"; false; }'

# Tab: from Onboarding to Tickets; the first ticket (4812, urgent) is selected.
keys Tab
check "Tab moves the selection marker to ticket 4812 in the Tickets panel" \
	wait_true 5 'screen | grep -F "4812" | grep -qF "›"'
keys Enter
check "Enter opens the detail page 'Ticket 4812'" \
	wait_row 1 "Ticket 4812" 5
check "ticket detail: subject, priority and body" \
	eval 'on_screen "#4812 Patient data missing after migration" && on_screen "Priority:  urgent" && on_screen "Clinicians cannot see allergy information"'

keys q
check "q returns from the ticket to the customer screen" \
	eval 'wait_gone "Ticket 4812" 5 && wait_for "Success notes" 5 && on_screen "Patient data missing"'
keys q
check "q returns from the customer screen to the finder, the matches of 'north' kept" \
	eval 'wait_row 2 "Find: north" 5 && wait_row 3 "Northwind Health" 5 && on_screen "North Star Logistics"'
# Enter, then another key before the matches came: the person went on
# (here to the help), and the matches, when they come, open nothing.
# Back from a customer the Find field has the focus; Ctrl-U empties it.
keys C-u
wait_for "Waiting for you and Support" 5
type_text "no"
wait_for "Nordic Pharma Oy" 5
keys rth Enter ?
check "Enter then '?' before the matches came: the help opens, and no customer over it" \
	eval 'wait_for "Keys on this screen" 5 && sleep 1 && on_screen "Keys on this screen"'
keys q
check "q from that help is back on the finder, nothing opened behind it" \
	eval 'wait_row 2 "Find: north" 5 && wait_row 3 "Northwind Health" 5'
# Still in the Find field: Ctrl-U empties it, Esc goes to the lists.
keys C-u
keys Escape
keys q
check "q on the finder list quits with exit status 0" exit_status_is 0 10
check "after quitting, the terminal is back on the normal screen" alternate_off
check "no sanitizer report" no_sanitizer_report
stop
