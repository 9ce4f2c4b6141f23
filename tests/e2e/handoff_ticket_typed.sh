#!/bin/sh
# The handoff form's Ticket field as typed (ana, Northwind Health, whose
# open tickets are #4812, #4809 and #4815; 80x24): a number that starts
# no open ticket links none, whatever was chosen before (the ticket
# selected on the customer screen, one picked by typing), and the bottom
# line says so; a number that starts one links it.  A draft taken up
# again after a restart offers the same tickets.  What was sent is read
# back from the database.
#
# A word goes on while keys come within the type-ahead pause: "4812" and
# then "999" typed at once are one word, "4812999".  Here each new word
# starts in the field afresh (Tab away and Shift-Tab back), which needs
# no pause.
. "$BATON_ROOT/tests/lib/e2e.sh"

db=$(newdb baton_demo) || { echo "FAIL handoff_ticket_typed: cannot create a test database"; exit 1; }
state="$BATON_TEST_TMP/handoff_ticket_typed.state"
mkdir -p "$state"
trap 'E2E_SESSION=hatype1; stop; E2E_SESSION=hatype2; stop' EXIT

# ticket_of NOTE: the ticket the handoff with that note links, or none
ticket_of() { sql "SELECT coalesce(ticket_id::text, 'none') FROM handoff WHERE note = '$1'"; }

# to_ticket: in a form just opened on 'To team', choose Success and Tab
# to the Ticket field
to_ticket() {
	press_until Right 8 'row 3' 'row 3 | grep -qF "[Success"' ||
		fail "the team Success could not be chosen"
	keys Tab Tab Tab Tab
}

# new_word: leave the Ticket field and come back: typing starts a new word
new_word() { keys Tab BTab; }

# send_note TEXT: Tab to the note, type TEXT, Ctrl-X
send_note() {
	keys Tab
	wait_row 23 "typing goes to the note" 5
	type_text "$1"
	keys C-x
}

# console NAME: a console as ana in a new tmux session NAME (the first
# stays: ending tmux's only session ends its server, under the next start)
console() {
	start "$1" 80 24 env XDG_STATE_HOME="$state" "$BATON_BIN" -d "'dbname=$db user=ana'"
	wait_state live 15
}

console hatype1
type_text "nwh"
wait_for "Northwind Health" 10
keys Enter
wait_for "Handoffs ·" 10

# 1. The ticket selected on the customer screen, then a number of none.
keys Tab
wait_row 6 "›!! 4812" 5
keys h
check "h with #4812 selected in the Tickets panel: the form links #4812" \
	eval 'wait_row 1 "New handoff · Northwind Health" 5 && wait_row 5 "[#4812" 5'
to_ticket
type_text "999"
check "'999' starts no open ticket: the form links none" \
	eval 'wait_row 5 "Ticket:    [none" 5 && ! row 5 | grep -qF "Patient data missing"'
check "the bottom line says so" wait_row 24 'no open ticket starts with "999": no ticket linked' 5
send_note "Typed a ticket that is not there."
check "sent: back on Northwind Health" \
	eval 'wait_for "handoff sent to success" 10 && on_screen "Baton · Northwind Health"'
check "the handoff in the database links no ticket" test "$(ticket_of "Typed a ticket that is not there.")" = none

# 2. A ticket picked by typing, then a number of none, then one of #4815.
keys h
wait_row 1 "New handoff · Northwind Health" 5
to_ticket
type_text "4812"
check "'4812' picks #4812" eval 'wait_row 5 "[#4812" 5 && row 5 | grep -qF "Patient data missing"'
new_word
type_text "48129"
check "'48129' starts no open ticket: none, and said" \
	eval 'wait_row 5 "Ticket:    [none" 5 && wait_row 24 "no open ticket starts with \"48129\": no ticket linked" 5'
new_word
type_text "4815"
check "'4815' picks #4815" eval 'wait_row 5 "[#4815" 5 && row 5 | grep -qF "Date fields shifted"'
send_note "Typed ticket 4815."
wait_for "handoff sent to success" 10
check "the handoff in the database links ticket 4815" test "$(ticket_of "Typed ticket 4815.")" = 4815

# 3. A draft taken up again: its form reads the customer's open tickets.
keys h
wait_row 1 "New handoff · Northwind Health" 5
to_ticket
type_text "4812"
wait_row 5 "[#4812" 5
keys Tab
type_text "Left for later."
wait_for "draft saved" 5
keys C-c
exit_status_is 0 10
console hatype2
check "at the next start the draft is offered" wait_for "Saved drafts" 10
keys Enter
check "Enter: its form, its ticket shown by number with its subject" \
	eval 'wait_row 1 "New handoff · Northwind Health" 5 && wait_row 5 "[#4812" 5 &&
	      row 5 | grep -qF "Patient data missing"'
keys BTab
type_text "4809"
check "'4809' picks #4809 in the draft's form" eval 'wait_row 5 "[#4809" 5 && row 5 | grep -qF "Import fails"'
new_word
type_text "999"
check "'999' links none in the draft's form, and says so" \
	eval 'wait_row 5 "Ticket:    [none" 5 && wait_row 24 "no open ticket starts with \"999\": no ticket linked" 5'
new_word
type_text "4809"
wait_row 5 "[#4809" 5
keys C-x
check "sent: 'handoff sent to success', over Northwind Health's screen" \
	eval 'wait_for "handoff sent to success" 10 && wait_row 1 "Baton · Northwind Health" 10'
check "the draft's handoff in the database links ticket 4809" test "$(ticket_of "Left for later.")" = 4809

keys q
wait_for "Find:" 5
keys C-c
check "q, Ctrl-C quits with exit status 0" exit_status_is 0 10
check "no sanitizer report" no_sanitizer_report
stop
