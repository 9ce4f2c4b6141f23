#!/bin/sh
# A note draft taken up again at the next start is the note it was (ana,
# Northwind Health, 80x24): ana writes a note about ticket #4812 (selected
# in the Tickets panel) and the console ends.  At the next start the
# drafts are offered over the start screen; Enter opens the note on
# Northwind Health's screen, about "ticket #4812 Patient data missing
# after migration" as it was written (not "ticket id:4812"), which
# Left/Right can choose again; Ctrl-X sends it and shows Northwind
# Health, with the note, and q goes back to the start screen.  A draft
# resumed with D on Northwind's own screen puts no second one under it.
. "$BATON_ROOT/tests/lib/e2e.sh"

db=$(newdb baton_demo) || { echo "FAIL drafts_resume_note: cannot create a test database"; exit 1; }
state="$BATON_TEST_TMP/drafts_resume_note.state"
mkdir -p "$state"
trap 'for E2E_SESSION in drnote1 drnote2 drnote3; do stop; done' EXIT
about="About:  [ticket #4812 Patient data missing after migration"

# console NAME: a console as ana in a new tmux session NAME (the first
# stays: ending tmux's only session ends its server, under the next start)
console() {
	start "$1" 80 24 env XDG_STATE_HOME="$state" "$BATON_BIN" -d "'dbname=$db user=ana'"
	wait_state live 15
}

console drnote1
type_text "nwh"
wait_for "Northwind Health" 10
keys Enter
wait_for "Handoffs ·" 10
keys Tab
wait_row 6 "›!! 4812" 5
keys n
check "n with #4812 selected: a note about it" eval 'wait_row 1 "New success note · Northwind Health" 5 && wait_for "$about" 5'
type_text "Import logs checked."
wait_for "draft saved" 5
keys C-c
check "Ctrl-C: the console ends, the draft kept" exit_status_is 0 10

console drnote2
check "at the next start the drafts are offered" wait_for "Saved drafts" 10
keys Enter
check "Enter: the note, about ticket #4812 with its subject, as written" \
	eval 'wait_row 1 "New success note · Northwind Health" 5 && wait_for "$about" 5 && on_screen "Import logs checked."'
keys BTab Right
check "Right in About: the next thing it may be about" wait_row 4 "About:  [ticket #4809 Import fails" 5
keys Left
check "Left: ticket #4812 again" wait_for "$about" 5
keys C-x
check "Ctrl-X: the note is written, shown on Northwind Health's screen" \
	eval 'wait_for "written" 10 && wait_row 1 "Baton · Northwind Health" 10 && wait_for "Ana: Import logs chec" 10'
check "the database has the note about ticket 4812" \
	test "$(sql "SELECT ticket_id FROM success_note WHERE body = 'Import logs checked.'")" = 4812
keys q
check "q: back on the start screen" wait_row 2 "Find:" 5

# D on the customer's own screen: the draft resumed over it, no second
# Northwind Health below.
type_text "nwh"
wait_for "Northwind Health" 10
keys Enter
wait_for "Handoffs ·" 10
keys n
wait_row 1 "New success note" 5
type_text "Second thoughts."
wait_for "draft saved" 5
keys C-c
exit_status_is 0 10
console drnote3
wait_for "Saved drafts" 10
keys q
type_text "nwh"
wait_for "Northwind Health" 10
keys Enter
wait_for "Handoffs ·" 10
keys F4
wait_for "Saved drafts" 5
keys Enter
check "F4, Enter on Northwind Health: the note draft resumed" \
	eval 'wait_row 1 "New success note · Northwind Health" 5 && on_screen "Second thoughts."'
keys C-x
check "Ctrl-X: written, Northwind Health's screen" eval 'wait_for "written" 10 && wait_row 1 "Baton · Northwind Health" 10'
keys q
check "q: the start screen, no second Northwind Health below" wait_row 2 "Find:" 5

keys C-c
check "Ctrl-C quits with exit status 0" exit_status_is 0 10
check "no sanitizer report" no_sanitizer_report
stop
