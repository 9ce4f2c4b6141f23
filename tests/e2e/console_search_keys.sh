#!/bin/sh
# Searching a customer screen: n writes a note there (documented, kept), so
# F3 steps to the next match, as in most programs, and N to the previous;
# the line under the screen says which match is selected and those keys,
# and the help lists F3 for the next match.
. "$BATON_ROOT/tests/lib/e2e.sh"

db=$(newdb baton_demo) || { echo "FAIL search_keys: cannot create a test database"; exit 1; }
trap stop EXIT

selected() { screen | grep -F "›"; }

start search_keys 100 30 "$BATON_BIN" -d "'dbname=$db user=ana'"
wait_state live 15
type_text "nwh"
wait_for "Northwind Health" 10
keys Enter
wait_for "Handoffs ·" 10

keys /
wait_for "/" 5
type_text "migration"
keys Enter
check "/migration: a match is selected, and the bottom line says which and the keys" \
	wait_for "/migration: match 1 of" 5
check "...naming F3 for the next match and N for the previous" on_screen "F3 next  N previous"
first=$(selected)
keys F3
check "F3 selects the next match" wait_true 5 '[ -n "$(selected)" ] && [ "$(selected)" != "$first" ]'
check "...and says it is the second" wait_for "/migration: match 2 of" 5
keys N
check "N goes back to the previous match" wait_true 5 '[ "$(selected)" = "$first" ]'

keys n
check "n still writes a success note here" wait_row 1 "New success note" 5
keys Escape
wait_gone "New success note" 5

keys '?'
wait_row 1 "Help" 5
check "the help lists F3 for the next match" \
	wait_true 5 'screen | grep -qE "^ +F3 +next match"'
keys q
wait_for "Handoffs ·" 5
keys C-c
check "quits with exit status 0" exit_status_is 0 10
check "no sanitizer report" no_sanitizer_report
stop
