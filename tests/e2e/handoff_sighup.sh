#!/bin/sh
# A dropped SSH session in the middle of a note: the console gets SIGHUP
# while ana types in the handoff form.  It exits, the draft is on disk with
# every character typed, and the next start offers it under "Saved handoff
# drafts"; Enter resumes the form with the text, over Northwind Health's
# screen; Esc asks "Discard", n keeps it, y discards it.
. "$BATON_ROOT/tests/lib/e2e.sh"

db=$(newdb baton_demo) || { echo "FAIL handoff_sighup: cannot create a test database"; exit 1; }
state="$BATON_TEST_TMP/handoff_sighup.state"
drafts="$state/baton/drafts"
mkdir -p "$state"
tag="handoff_sighup_${E2E_ID}"
trap stop EXIT

ndrafts() { find "$drafts" -name '*.draft' 2>/dev/null | wc -l | tr -d ' '; }
# the note of the one draft file: everything after the first blank line
draft_note() { sed '1,/^$/d' "$drafts"/*.draft; }


console() {
	start "$1" 80 24 env XDG_STATE_HOME="$state" "$BATON_BIN" -d "'dbname=$db user=ana application_name=$tag'"
}

console sighup1
northwind_handoff_form
keys Tab Tab Tab Tab Tab
wait_row 23 "typing goes to the note" 5
type_text "Half-written when the SSH session dropped."
keys Enter
type_text "Zweite Zeile: Größe und Maße"
check "the note is on screen" wait_row 8 "Zweite Zeile: Größe und Maße" 5

pid=$(console_pid "$tag")
check "the console is running (pgrep on its -d string)" test -n "$pid"
[ -n "$pid" ] && kill -HUP "$pid"
check "SIGHUP: it exits with status 129 and restores the terminal" \
	eval 'exit_status_is 129 10 && alternate_off'
check "no sanitizer report" no_sanitizer_report
check "one draft file, 'state: editing'" \
	eval '[ "$(ndrafts)" = 1 ] && grep -qx "state: editing" "$drafts"/*.draft'
check "the draft holds the note exactly as typed" \
	test "$(draft_note)" = "$(printf 'Half-written when the SSH session dropped.\nZweite Zeile: Größe und Maße')"
check "nothing was sent" \
	test "$(psql -X -At -d "$db" -c "SELECT count(*) FROM handoff WHERE note LIKE 'Half-written%'")" = 0

console sighup2
check "the next start shows 'Saved drafts'" wait_for "Saved drafts" 15
check "…with the draft: Northwind Health and the start of its note" \
	eval 'screen | grep -F "draft" | grep -F "Northwind Health" | grep -qF "\"Half-written when the SSH"'
keys Enter
check "Enter resumes the form for Northwind Health" wait_row 1 "New handoff · Northwind Health" 5
check "…with both lines of the note" \
	eval 'wait_row 7 "Half-written when the SSH session dropped." 5 && wait_row 8 "Zweite Zeile: Größe und Maße" 5'
# No team was chosen yet, so the form starts on 'To team': Tab to the note.
keys Tab Tab Tab Tab Tab
wait_row 23 "typing goes to the note" 5
type_text " (resumed)"
check "Tab to the note: typing continues where the note ended" \
	wait_row 8 "Zweite Zeile: Größe und Maße (resumed)" 5

keys Escape
check "Esc asks 'Discard this handoff draft? k keeps it for later (y/k/n)'" wait_row 24 "Discard this handoff draft? k keeps it for later (y/k/n)" 5
keys n
check "n keeps the form and the text" \
	eval 'wait_gone "Discard this handoff draft?" 5 && on_screen "New handoff · Northwind Health" && on_screen "Größe und Maße (resumed)"'
check "…and the draft file, with the new text" \
	eval '[ "$(ndrafts)" = 1 ] && draft_note | grep -qF "Größe und Maße (resumed)"'

keys Escape
wait_row 24 "Discard this handoff draft?" 5
keys y
check "Esc, y discards: 'draft discarded', the form is gone, Northwind Health's screen under it" \
	eval 'wait_for "draft discarded" 5 && ! on_screen "New handoff" && wait_row 1 "Baton · Northwind Health" 5'
check "…and so is the draft file" test "$(ndrafts)" = 0
check "nothing was sent" \
	test "$(psql -X -At -d "$db" -c "SELECT count(*) FROM handoff WHERE note LIKE 'Half-written%'")" = 0
keys q
wait_row 2 "Find:" 5
keys Escape q
check "Esc, q quits with exit status 0" exit_status_is 0 10
check "no sanitizer report" no_sanitizer_report

console sighup3
wait_state live 15
# The drafts are offered when the identity is read, before the waiting
# list arrives: once the list is on screen, no drafts screen came.
waiting_loaded() { screen | grep -qE 'Waiting for you and Support \([1-9]'; }
check "the start after that offers no drafts" \
	eval 'wait_true 10 waiting_loaded && ! on_screen "Saved drafts"'
keys Escape q
exit_status_is 0 10 >/dev/null
stop
