#!/bin/sh
# Back on the start screen from a customer, what is typed goes to the Find
# field, as the hint line says: the next customer's name finds it, and no
# letter of it acts as a command of the lists (q quits, M opens the sends,
# n is the next match).  The old text is selected: typing starts a new
# search, Backspace edits it, Down goes back to the matches.
. "$BATON_ROOT/tests/lib/e2e.sh"

db=$(newdb baton_demo) || { echo "FAIL finder_back: cannot create a test database"; exit 1; }
trap stop EXIT

still_running() { ! exited; }
# field_is TEXT: the Find field holds exactly TEXT
field_is() { row 2 | grep -qxE -- " *Find: $1 *"; }
# open_and_back NAME: Enter on the best match, which is NAME, then q
open_and_back() {
	keys Enter
	wait_row 1 "Baton · $1" 10 || fail "Enter did not open $1"
	wait_for "Handoffs ·" 10
	keys q
	wait_for "Find:" 5
	wait_gone "Handoffs ·" 5
}

start finder_back 80 24 "$BATON_BIN" -d "'dbname=$db user=ana'"
wait_state live 15
wait_for "Waiting for you and Support" 10

type_text "north"
wait_row 3 "Northwind Health" 10
open_and_back "Northwind Health"
check "back from Northwind Health: the field keeps 'north', the hint says type to find" \
	eval 'wait_true 5 "field_is north" && row 24 | grep -qF "type to find"'
type_text "nordic"
check "typing 'nordic' starts a new search: the field says 'nordic', not 'ordic'" \
	eval 'wait_true 5 "field_is nordic" && wait_row 3 "Nordic Pharma Oy" 10'

open_and_back "Nordic Pharma Oy"
type_text "Meridian"
check "typing 'Meridian': found, and the Marketing sends screen (M) is not opened" \
	eval 'wait_true 5 "field_is Meridian" && wait_row 3 "Meridian" 10 && row 1 | grep -qvF "sends"'

open_and_back "Meridian Media"
type_text "quantum"
check "typing 'quantum': found, and Baton (q) keeps running" \
	eval 'wait_true 5 "field_is quantum" && wait_row 3 "Quantum" 10 && still_running'

open_and_back "Quantum Media"
keys BSpace
check "Backspace edits the kept text: 'quantu'" wait_true 5 "field_is quantu"
keys Down
check "Down goes back to the matches: a row is selected" wait_true 5 'screen | grep -q "^ › "'

# From the waiting list too: the field has the focus when back.
keys / C-u
wait_true 5 'field_is ""'
keys Escape
wait_true 5 'screen | grep -q "^ › "'
keys Enter
check "Enter in the waiting list opens its customer" wait_for "Handoffs ·" 10
keys q
wait_gone "Handoffs ·" 5
type_text "north"
check "back from a customer opened in the waiting list: 'north' is typed into the field" \
	eval 'wait_true 5 "field_is north" && wait_row 3 "Northwind Health" 10 && still_running'

keys C-c
check "quits with exit status 0" exit_status_is 0 10
check "no sanitizer report" no_sanitizer_report
stop
