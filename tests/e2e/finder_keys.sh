#!/bin/sh
# The start screen's keys do what its help says: the Find field takes every
# printable key as text (names start with Q, L or R too), the single-letter
# actions work in the lists, and the help says so where it opens.  Names
# are found typed without their accents.
. "$BATON_ROOT/tests/lib/e2e.sh"

db=$(newdb baton_demo) || { echo "FAIL finder_keys: cannot create a test database"; exit 1; }
trap stop EXIT

start finder_keys 80 24 "$BATON_BIN" -d "'dbname=$db user=ana'"
wait_state live 15
wait_for "Waiting for you and Support" 10

# still_running: the console has not exited
still_running() { ! exited; }
# field_empty: the Find field holds nothing
field_empty() { row 2 | grep -qE '^ *Find: *$'; }

type_text "Q"
check "field: Q is typed into the Find field, Baton keeps running" \
	eval 'wait_row 2 "Find: Q" 5 && still_running'
type_text "L"
check "field: L is typed too ('Find: QL'), no queue opens" \
	eval 'wait_row 2 "Find: QL" 5 && ! on_screen "Handoff queue"'
type_text "a"
check "field: a is typed too ('Find: QLa'), no acknowledgement is asked" \
	eval 'wait_row 2 "Find: QLa" 5 && ! on_screen "Acknowledge"'
check "hint line: the letters are offered for the lists" \
	wait_row 24 "Tab/Down lists (a ack  L queue  q quit)" 5

keys '?'
check "field: ? opens the help, which says at once that the field takes letters as text" \
	eval 'wait_row 2 "Keys on this screen" 5 && on_screen "The Find field takes every printable key as text"'
check "help: names the keys that act in the field and how to reach the lists" \
	eval 'on_screen "there only Enter, Tab, Down, Esc" && on_screen "move to the lists, where every key below"'
keys q
check "q closes the help; the field still holds 'QLa'" \
	eval 'wait_gone "Keys on this screen" 5 && wait_row 2 "Find: QLa" 5'

# Ctrl-U empties the field; names are found without their accents.
keys C-u
wait_true 5 field_empty
type_text "lumiere"
# (Café Lumière is in the waiting list too: the first match is on row 3.)
check "find: 'lumiere' lists Café Lumière first" wait_row 3 "Café Lumière" 10
keys C-u
type_text "sao paulo"
check "find: 'sao paulo' lists São Paulo Saúde first" wait_row 3 "São Paulo Saúde" 10
keys C-u
type_text "muller"
check "find: 'muller' lists Müller & Söhne GmbH first" wait_row 3 "Müller & Söhne GmbH" 10

# Esc clears the field, Esc again moves to the waiting list: the letters act.
keys Escape
wait_true 5 field_empty
keys Escape
check "lists: Esc on an empty field puts the marker on the waiting list" \
	eval 'wait_true 5 "screen | grep -q \"^ › \""'
keys a
check "lists: a asks to acknowledge the selected handoff, naming it" \
	wait_true 5 'row 24 | grep -qE "^ Acknowledge .+ from [A-Z].*\? comment:"'
keys Escape
wait_gone "? comment:" 5
keys L
check "lists: L opens the handoff queue" wait_row 1 "Handoff queue" 5
keys q
check "q: back on the start screen" wait_for "Waiting for you and Support" 5
keys f
type_text "Q"
check "f goes back to the field, where Q is text again" eval 'wait_row 2 "Find: Q" 5 && still_running'
keys C-u Escape
wait_true 5 'screen | grep -q "^ › "'
keys Q
check "lists: Q quits with exit status 0" exit_status_is 0 10
check "no sanitizer report" no_sanitizer_report
stop
