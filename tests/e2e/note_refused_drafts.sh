#!/bin/sh
# A note the server refuses after its form has closed is resumed in the
# same session: ana and ben correct the same note of Lee's; ana's is
# written first, so ben's is refused ("already corrected").  At 80 columns
# ben's message line says, before the server's reason, that the draft is
# kept and that D opens it; D lists it with the reason in full, Enter
# reopens the correction with his text.  F4 there lists it as open in a
# form, and Enter does not open it twice.
. "$BATON_ROOT/tests/lib/e2e.sh"

db=$(newdb baton_demo) || { echo "FAIL note_refused_drafts: cannot create a test database"; exit 1; }
trap 'E2E_SESSION=nrd_ana; stop; E2E_SESSION=nrd_ben; stop' EXIT
old="Kestrel: renewal call moved to Friday."
out=$(echo "$old" | "$BATON_BIN" -d "dbname=$db user=lee" note add --customer nwh.example 2>&1)
check "lee writes a note on Northwind Health ($out)" test -n "$out"

# correct SESSION ROLE: a console as ROLE, Northwind Health, Lee's note
# selected in the Success notes panel, n: the correction form, its text
# offered for editing.
correct() {
	mkdir -p "$BATON_TEST_TMP/$1"
	start "$1" 80 24 env XDG_STATE_HOME="$BATON_TEST_TMP/$1" "$BATON_BIN" -d "'dbname=$db user=$2'"
	wait_state live 15
	type_text "nwh"
	wait_for "nwh.example" 10
	keys Enter
	wait_for "Success notes" 10
	press_until Tab 8 'screen | grep -F "›"' 'screen | grep -F "›" | grep -qF "Lee: Kestrel"' ||
		fail "$2: Lee's note could not be selected"
	keys n
	wait_for "Correct note" 5
}

correct nrd_ana ana
type_text "Ana's fix. "
correct nrd_ben ben
type_text "Ben's fix, refused. "
check "ben's correction is typed" wait_for "Ben's fix, refused." 5

E2E_SESSION=nrd_ana
keys C-x
check "ana sends hers first: written" wait_for "written" 15

E2E_SESSION=nrd_ben
keys C-x
check "ben's is refused; at 80 columns the line says, first, that the draft is kept and D opens it" \
	wait_row 24 "note not sent, draft kept (D opens it): " 15
check "... then the server's reason, as much as fits" row 24 | grep -qF "already corrected"
keys D
check "D opens the saved drafts in the same session" wait_for "Saved drafts" 5
check "ben's correction is listed: a draft, Northwind Health, a correction" \
	eval 'screen | grep -F " draft " | grep -F "Northwind Health" | grep -qF correction'
check "the server's reason is shown in full under the list" \
	eval 'on_screen "refused: note " && on_screen "already corrected by note"'
keys Enter
check "Enter reopens the correction with ben's text" \
	eval 'wait_row 1 "Correct note" 5 && wait_for "Ben'"'"'s fix, refused." 5'
keys F4
check "F4 in the form lists the drafts again: this one is open in a form" \
	eval 'wait_for "Saved drafts" 5 && screen | grep -F "IN FORM" | grep -qF "Northwind Health"'
keys Enter
check "Enter does not open it twice: 'it is open in a form: q goes back to it'" \
	wait_for "it is open in a form: q goes back to it" 5
keys q
check "q goes back to the form, the text still there" \
	eval 'wait_row 1 "Correct note" 5 && on_screen "Ben'"'"'s fix, refused."'
keys Escape
wait_for "Discard this note draft?" 5
keys y
check "Esc, y discards it" wait_for "draft discarded" 5
check "no draft left" test "$(find "$BATON_TEST_TMP/nrd_ben" -name '*.draft' | wc -l)" = 0
keys Q
check "Q quits with exit status 0" exit_status_is 0 10
check "no sanitizer report" no_sanitizer_report
E2E_SESSION=nrd_ana
keys Q
check "ana's Q quits with exit status 0" exit_status_is 0 10
check "no sanitizer report (ana)" no_sanitizer_report
