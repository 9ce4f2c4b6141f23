#!/bin/sh
# The handoff form's choices follow what is typed (ana, Northwind Health,
# 80x24): the first choice whose label starts with the typed letters, any
# case, accents ignored; a short pause starts a new word; Backspace edits
# the word.  Priorities cycle low, normal, high, urgent.  A ticket is found
# by its number or its subject.
. "$BATON_ROOT/tests/lib/e2e.sh"

db=$(newdb baton_demo) || { echo "FAIL handoff_typeahead: cannot create a test database"; exit 1; }
state="$BATON_TEST_TMP/handoff_typeahead.state"
mkdir -p "$state"
trap stop EXIT

# pause: longer than the form's type-ahead pause (1 s), so that the next
# letters start a new word
pause() { sleep 1.3; }

start handoff_typeahead 80 24 env XDG_STATE_HOME="$state" "$BATON_BIN" -d "'dbname=$db user=ana'"
wait_state live 15
type_text "nwh"
wait_for "Northwind Health" 10
keys Enter
wait_for "Handoffs ·" 10
keys h
check "h opens the form on 'To team' (choose)" \
	eval 'wait_row 1 "New handoff · Northwind Health" 5 && wait_row 3 "[(choose)" 5'
# The teams come after the form ("loading teams…" above them meanwhile):
# typed before they came, a name picks nothing.
wait_gone "loading teams…" 10

type_text "su"
check "team: 'su' picks the first team starting so, Success" wait_row 3 "[Success" 5
check "the hint line shows the word typed" wait_row 23 '"su"' 5
# The word goes on within a second: typed at once (the console still
# reads it a key at a time), so that a slow check between keys cannot
# let the second pass and start a new word.
pause
type_text "sup"
check "team: 'sup' picks Support" wait_row 3 "[Support" 5
pause
type_text "o"
check "after a pause 'o' is a new word: Onboarding" wait_row 3 "[Onboarding" 5
pause
type_text "SUC"
check "team: 'SUC' (any case) picks Success" wait_row 3 "[Success" 5

keys Tab
type_text "lu"
check "person: 'lu' picks Łukasz Wiśniewski (accents ignored)" wait_row 3 "[Łukasz Wiśniewski" 5
pause
type_text "chl"
check "person: 'chl' picks Chloé Dubois" wait_row 3 "[Chloé Dubois" 5
pause
type_text "x"
check "no person starts with 'x': said, the choice stays" \
	eval 'wait_row 24 "no person starts with \"x\"" 5 && row 3 | grep -qF "[Chloé Dubois"'

keys Tab
# One word: f (feature request), x (no reason: stays), Backspace, e: "fe".
keys f x BSpace e
check "reason: 'f', 'x', Backspace, 'e' is the word 'fe': feature request" \
	eval 'wait_row 4 "[feature" 5 && wait_row 23 "\"fe\"" 5'

keys Tab
check "priority starts at normal" wait_row 4 "[normal" 5
keys Right
check "Right: high" wait_row 4 "[high" 5
keys Right
check "Right: urgent" wait_row 4 "[urgent" 5
keys Right
check "Right: low (the order goes round)" wait_row 4 "[low" 5
keys Left Left
check "Left, Left: high" wait_row 4 "[high" 5
pause
type_text "l"
check "priority: 'l' picks low" wait_row 4 "[low" 5

keys Tab
type_text "date"
check "ticket: 'date' picks the ticket of that subject, #4815" \
	eval 'wait_row 5 "[#4815" 5 && row 5 | grep -qF "Date fields shifted"'
pause
type_text "4812"
check "ticket: '4812' picks #4812" eval 'wait_row 5 "[#4812" 5 && row 5 | grep -qF "Patient data missing"'

check "the draft on disk has every choice" \
	eval 'd=$(ls "$state"/baton/drafts/*.draft) && grep -qx "to-team: success" "$d" && grep -qx "to: chloe" "$d" &&
	      grep -qx "reason: feature request" "$d" && grep -qx "priority: low" "$d" && grep -qx "ticket: 4812" "$d"'

keys Escape
check "Esc on an empty note leaves the form" wait_for "Handoffs ·" 5
keys q
wait_for "Find:" 5
keys C-c
check "q, Ctrl-C quits with exit status 0" exit_status_is 0 10
check "no sanitizer report" no_sanitizer_report
stop
