#!/bin/sh
# A note written in a short terminal scrolls its box; when the terminal
# grows (or text is deleted) the box shows the note from its first line
# again instead of staying scrolled with empty rows below (failure review:
# the note's first line stayed hidden, and Ctrl-L did not bring it back).
. "$BATON_ROOT/tests/lib/e2e.sh"

db=$(newdb baton_demo) || { echo "FAIL handoff_note_resize: cannot create a test database"; exit 1; }
state="$BATON_TEST_TMP/handoff_note_resize.state"
mkdir -p "$state"
trap stop EXIT

start note_resize 80 24 env XDG_STATE_HOME="$state" "$BATON_BIN" -d "'dbname=$db user=ana'"
form_to_success
tm resize-window -t note_resize -x 80 -y 16
wait_for "New handoff" 5
i=1
while [ $i -le 14 ]; do
	type_text "RESIZE line $i of the note."
	keys Enter
	i=$((i + 1))
done
type_text "RESIZE last line."
check "80x16: the box has scrolled to the cursor: the last line shows, the first does not" \
	eval 'wait_for "RESIZE last line." 5 && ! on_screen "RESIZE line 1 of the note."'
tm resize-window -t note_resize -x 80 -y 40
check "80x40: the whole note shows again, from its first line" \
	eval 'wait_for "RESIZE line 1 of the note." 5 && on_screen "RESIZE last line."'
check "its first line is the box's first row" \
	eval 'screen | grep -A1 "┌ Note" | tail -n 1 | grep -qF "RESIZE line 1 of the note."'
keys Escape
wait_row 40 "Discard" 5
keys y
wait_for "draft discarded" 5
keys q
wait_for "Find:" 5
keys C-c
check "quits with exit status 0" exit_status_is 0 10
check "no sanitizer report" no_sanitizer_report
