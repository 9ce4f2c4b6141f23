#!/bin/sh
# A success note written in the console, seen at once by everyone: ben has
# Northwind Health open; ana opens it too, presses n, types a note (the
# form saves a note draft from the first key), Ctrl-X.  The database has
# exactly that note, by ana; ben's screen shows it without a key press
# (the server's notification); ana's draft file is gone.  Then ana
# corrects it (n on the selected note, the text offered for editing):
# the panel shows the correction, the timeline keeps both.
. "$BATON_ROOT/tests/lib/e2e.sh"

db=$(newdb baton_demo) || { echo "FAIL note_write: cannot create a test database"; exit 1; }
state="$BATON_TEST_TMP/note_write.state"
drafts="$state/baton/drafts"
mkdir -p "$state"
ndrafts() { find "$drafts" -name '*.draft' 2>/dev/null | wc -l | tr -d ' '; }
trap 'E2E_SESSION=note_ben; stop; E2E_SESSION=note_ana; stop' EXIT

# open_northwind: in the current session, find and open Northwind Health
open_northwind() {
	wait_state live 15
	type_text "nwh"
	wait_for "nwh.example" 10
	keys Enter
	wait_for "Handoffs ·" 10
}

start note_ben 80 24 "$BATON_BIN" -d "'dbname=$db user=ben'"
open_northwind
check "ben has Northwind Health open, without ana's note" \
	eval 'on_screen "Baton · Northwind Health" && off_screen "Kestrel call booked"'

start note_ana 80 24 env XDG_STATE_HOME="$state" "$BATON_BIN" -d "'dbname=$db user=ana'"
open_northwind
keys n
check "n opens 'New success note · Northwind Health', typing in the note" \
	eval 'wait_row 1 "New success note · Northwind Health" 5 && wait_for "typing goes to the note" 5'
check "the kind starts as note, about nothing" eval 'on_screen "Kind:   [note" && on_screen "About:  [none"'
keys BTab BTab Right
check "Shift-Tab twice to Kind, Right: call" wait_for "Kind:   [call" 5
keys Tab Tab
type_text "Kestrel call booked with Dana — Thursday."
check "the text shows in the editor and a note draft is saved with it" \
	eval 'wait_for "Kestrel call booked with Dana — Thursday." 5 && wait_for "draft saved" 5 &&
	      [ "$(ndrafts)" = 1 ] && grep -qx "kind: note" "$drafts"/*.draft && grep -qx "note-kind: call" "$drafts"/*.draft'
keys C-x
check "Ctrl-X: back on the customer screen, 'note N written'" \
	eval 'wait_for "written" 10 && on_screen "Baton · Northwind Health"'
check "the database has exactly that note, a call, by ana" \
	test "$(sql "SELECT count(*) || '|' || min(author) || '|' || min(kind) FROM success_note
	             WHERE body = 'Kestrel call booked with Dana — Thursday.'")" = "1|ana|call"
check "the draft file is gone once the database has the note" eval '[ "$(ndrafts)" = 0 ]'

E2E_SESSION=note_ben
check "ben's open screen shows ana's note without a key press" wait_true 10 'on_screen "Ana: Kestrel call"'

# --- a correction --------------------------------------------------------------
E2E_SESSION=note_ana
wait_for "Ana: Kestrel call" 5
keys Tab Tab g
check "Tab, Tab, g: the Success notes panel, its newest note (ana's) selected" \
	wait_true 5 'screen | grep -qE "›[^│]*Ana: Kestrel call"'
keys n
check "n on a note: 'Correct note N', its text offered" \
	eval 'wait_row 1 "Correct note" 5 && wait_for "Kestrel call booked with Dana — Thursday." 5'
i=0
while [ $i -lt 45 ]; do keys BSpace; i=$((i + 1)); done
type_text "Kestrel: Friday."
keys C-x
check "the panel shows the correction, not the old text" \
	wait_true 10 'on_screen "Ana: Kestrel: Friday." && off_screen "Kestrel call booked"'
check "the database keeps both: the correction names the old note" \
	test "$(sql "SELECT count(*) FILTER (WHERE supersedes IS NULL) || '|' || count(*) FILTER (WHERE supersedes =
	             (SELECT id FROM success_note WHERE body LIKE 'Kestrel%Thursday.'))
	             FROM success_note WHERE body LIKE 'Kestrel%'")" = "1|1"
E2E_SESSION=note_ben
check "ben's screen follows: the correction replaces the old note" \
	wait_true 10 'on_screen "Ana: Kestrel: Friday." && off_screen "Kestrel call booked"'
keys t
check "the timeline keeps both, the correction marked" \
	eval 'wait_for "note corrected" 10 && on_screen "(replaces note" && on_screen "Kestrel call booked"'
keys q q C-c
check "ben quits with status 0" exit_status_is 0 10
check "no sanitizer report (ben)" no_sanitizer_report
E2E_SESSION=note_ana
keys q C-c
check "ana quits with status 0" exit_status_is 0 10
check "no sanitizer report (ana)" no_sanitizer_report
