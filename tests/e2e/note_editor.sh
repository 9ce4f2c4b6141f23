#!/bin/sh
# The note editor of the success note form (n), as a writer meets it.
# Text wraps at spaces at every width (61, 70, 79 columns broke words:
# "aroun|d"), and Up goes to the row just above on screen, at the same
# column, not to the line before the paragraph.
. "$BATON_ROOT/tests/lib/e2e.sh"

db=$(newdb baton_demo) || { echo "FAIL note_editor: cannot create a test database"; exit 1; }
state="$BATON_TEST_TMP/note_editor.state"
mkdir -p "$state"
trap stop EXIT

# note_form SESSION COLS: ana's note form for Northwind Health, typing in the note
note_form() {
	mkdir -p "$state/$1"
	start "$1" "$2" 24 env XDG_STATE_HOME="$state/$1" "$BATON_BIN" -d "'dbname=$db user=ana'"
	wait_state live 15
	type_text "nwh"
	wait_for "nwh.example" 10
	keys Enter
	wait_for "Handoffs ·" 10
	keys n
	wait_for "typing goes to the note" 5
}

# --- word wrap at every width ---------------------------------------------------------
para="Kestrel called around noon about the renewal; the invoice export failed twice while the team reviewed the quarterly numbers and asked for a callback before Friday, around noon again."

# box_text: the note box's rows joined by one space, as words
box_text() {
	screen | sed -n '/┌ Note/,/└/p' | sed '1d;$d' | sed 's/^ *│//; s/│ *$//; s/ *$//' |
		grep -v '^$' | tr '\n' ' ' | tr -s ' ' | sed 's/ $//'
}

for cols in 61 70 79; do
	note_form wrap$cols "$cols"
	type_text "$para"
	wait_for "again." 10
	check "$cols columns: the note wraps at spaces, no word cut across rows" \
		eval '[ "$(box_text)" = "$para" ] || { echo "box: $(box_text)"; false; }'
	stop
done

# --- Up and Down by row on screen ---------------------------------------------------
# 80 columns: rows of ten "wordNN " words; the last of 25 words is on the
# paragraph's third row, at column 34; Up puts the cursor on the second
# row, column 34: the space after word15.
note_form updown 80
words=$(i=1; while [ $i -le 25 ]; do printf 'word%02d ' $i; i=$((i + 1)); done | sed 's/ $//')
type_text "first line"
keys Enter
type_text "$words"
wait_for "word25" 10
keys Up
type_text "#"
check "Up from the paragraph's last row goes to the row above, at the same column" \
	eval 'wait_for "word15# word16" 5 && ! on_screen "first line#"'
keys Down
type_text "%"
check "Down goes back to the row below" wait_for "word25%" 5
check "no sanitizer report" no_sanitizer_report
stop
