#!/bin/sh
# Ctrl-E in the handoff form runs $VISUAL on the note, like git and mutt:
# here a small script that appends a line to the file it is given.  Back in
# the form the note has the added line, the draft too, and Ctrl-X sends the
# edited note.  An editor that fails leaves the note unchanged.
. "$BATON_ROOT/tests/lib/e2e.sh"

db=$(newdb baton_demo) || { echo "FAIL handoff_editor: cannot create a test database"; exit 1; }
state="$BATON_TEST_TMP/handoff_editor.state"
drafts="$state/baton/drafts"
mkdir -p "$state"
trap stop EXIT

# The "editor": appends a line and records what it was called with.
ed="$BATON_TEST_TMP/handoff_editor.visual.sh"
cat >"$ed" <<EOF
#!/bin/sh
printf '%s\n' "\$#" "\$1" >"$BATON_TEST_TMP/handoff_editor.args"
printf '\nAdded in the editor: Überprüfung ✓' >>"\$1"
EOF
chmod +x "$ed"
bad="$BATON_TEST_TMP/ed-fail" # short: the message names it
printf '#!/bin/sh\nprintf "garbage" >>"$1"\nexit 3\n' >"$bad"
chmod +x "$bad"

ndrafts() { find "$drafts" -name '*.draft' 2>/dev/null | wc -l | tr -d ' '; }

# open_form SESSION VISUAL: ana's form for Northwind, team Success, on the note
open_form() {
	start "$1" 80 24 env XDG_STATE_HOME="$state" VISUAL="$2" EDITOR=false "$BATON_BIN" -d "'dbname=$db user=ana'"
	form_to_success
}

open_form editor1 "$ed"
type_text "Typed in the form first."
wait_row 7 "Typed in the form first." 5
keys C-e
check "Ctrl-E runs \$VISUAL; the note shows the line it added" \
	eval 'wait_row 8 "Added in the editor: Überprüfung ✓" 10 && wait_row 7 "│Typed in the form first." 5'
check "the editor got one argument: a file in the private drafts directory" \
	eval '[ "$(sed -n 1p "$BATON_TEST_TMP/handoff_editor.args")" = 1 ] &&
	      case "$(sed -n 2p "$BATON_TEST_TMP/handoff_editor.args")" in "$drafts"/*) true ;; *) false ;; esac'
check "the editor's file is removed afterwards" \
	eval 'f=$(sed -n 2p "$BATON_TEST_TMP/handoff_editor.args") && [ -n "$f" ] && [ ! -e "$f" ]'
check "the form is redrawn whole after the editor (header, fields, hints)" \
	eval 'on_screen "New handoff · Northwind Health" && on_screen "[Success" && wait_row 24 "Ctrl-X send" 5'
check "the draft has the edited note" \
	eval '[ "$(ndrafts)" = 1 ] && grep -qxF "Added in the editor: Überprüfung ✓" "$drafts"/*.draft'
type_text " More."
check "typing goes on at the end of the edited note" wait_row 8 "Überprüfung ✓ More." 5
keys C-x
check "Ctrl-X sends it" wait_for "handoff sent to success" 10
check "the database has the edited note, byte for byte" \
	test "$(sql "SELECT count(*) FROM handoff WHERE note = E'Typed in the form first.\\nAdded in the editor: Überprüfung ✓ More.'")" = 1
check "no draft left" test "$(ndrafts)" = 0
keys q
wait_for "Find:" 5
keys C-c
check "q, Ctrl-C quits with exit status 0" exit_status_is 0 10
check "no sanitizer report" no_sanitizer_report

# An editor that writes more than the largest note (16384 bytes): the note
# takes its beginning, the box says how much was not taken, and the whole
# text is kept beside the drafts, named in the message (it used to be
# refused and its file removed: everything written in the editor lost).
long="$BATON_TEST_TMP/ed-long"
cat >"$long" <<'EOF'
#!/bin/sh
awk 'BEGIN { for (i = 0; i < 1700; i++) printf "line %04d.\n", i; printf "THE END" }' >>"$1"
EOF
chmod +x "$long"
open_form editor3 "$long"
type_text "Start."
wait_row 7 "Start." 5
keys C-e
check "an editor's text over the maximum: the box says how many bytes were not taken" \
	wait_for "bytes not taken: the note's maximum is 16384 bytes" 10
whole=$(find "$drafts" -name '*.whole.txt' | head -n 1)
check "the whole text is kept in the drafts directory, ending as written" \
	eval '[ -n "$whole" ] && [ "$(tail -c 7 "$whole")" = "THE END" ] &&
	      [ "$(wc -c <"$whole" | tr -d " ")" = $((6 + 1700 * 11 + 7)) ]'
check "the bottom line says where: 'whole text kept in …'" on_screen "whole text kept in $drafts/"
check "the draft holds the first 16384 bytes" \
	eval 'sed "1,/^\$/d" "$drafts"/*.draft | grep -q "^line 1487\.\$" &&
	      ! grep -q "line 1489" "$drafts"/*.draft && ! grep -q "THE END" "$drafts"/*.draft'
keys Escape
wait_row 24 "Discard" 5
keys y
wait_for "draft discarded" 5
keys q
wait_for "Find:" 5
keys C-c
check "quits with exit status 0" exit_status_is 0 10

# An editor that exits with an error: the note stays as it was.
open_form editor2 "$bad"
type_text "Keep me as I am."
wait_row 7 "Keep me as I am." 5
keys C-e
check "a failing editor: 'the editor (…) failed; the note is unchanged'" \
	wait_for "failed; the note is unchanged" 10
check "the note on screen is unchanged" \
	eval 'wait_row 7 "│Keep me as I am." 5 && ! on_screen "garbage"'
check "the draft is unchanged" \
	eval '[ "$(ndrafts)" = 1 ] && [ "$(sed "1,/^\$/d" "$drafts"/*.draft)" = "Keep me as I am." ]'
keys Escape
wait_row 24 "Discard" 5
keys y
wait_for "draft discarded" 5
keys q
wait_for "Find:" 5
keys C-c
check "quits with exit status 0" exit_status_is 0 10
check "no sanitizer report" no_sanitizer_report
stop
