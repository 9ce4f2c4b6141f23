#!/bin/sh
# Impatient keys: R pressed several times in a row (each one supersedes the
# request before it), on the customer screen and in the timeline, then
# leaving those screens.  The data stays right, and every screen is freed
# (the ASan build's leak check sees screens that a superseded request kept).
. "$BATON_ROOT/tests/lib/e2e.sh"

db=$(newdb baton_demo) || { echo "FAIL refresh: cannot create a test database"; exit 1; }
trap stop EXIT

start refresh 80 24 "$BATON_BIN" -d "'dbname=$db user=ana'"
wait_state live 15
type_text "north"
wait_for "North Star Logistics" 10
keys Enter
wait_for "Handoffs" 10

psql -X -q -d "$db" -c "UPDATE ticket SET subject = 'Patient data still missing (refreshed)' WHERE id = 4812" ||
	echo "FAIL refresh: could not update ticket 4812"
keys R R R R R
check "R R R R R: the customer screen shows the changed subject" \
	wait_for "4812 Patient data still" 10
check "R R R R R: layout intact, still live" \
	eval 'on_screen "Success notes" && on_screen "Handoffs" && wait_state live 5'

keys t
wait_row 1 "Timeline" 5
wait_for "ticket opened" 10
keys R R R R R
sleep 0.5
keys /
type_text "(refreshed)"
keys Enter
check "timeline: R R R R R, then '/(refreshed)' finds the changed ticket" \
	wait_true 10 'screen | grep "^›" | grep -qF "#4812"'
keys q
wait_for "Success notes" 5
keys q
check "q, q: back on the start screen" wait_row 2 "Find: north" 5
# (The Find field has the focus there: q would be typed.)
keys C-c
check "quits with exit status 0" exit_status_is 0 15
check "no sanitizer report (no screen leaked by superseded requests)" no_sanitizer_report
stop
