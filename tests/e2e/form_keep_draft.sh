#!/bin/sh
# Esc in a handoff or note form with text asks "Discard this … draft?
# k keeps it for later (y/k/n)": k leaves the form and keeps the draft (D
# lists it, Enter takes it up again with its text), y discards it, n (or
# Esc) stays.  Before, leaving meant discarding or staying.
. "$BATON_ROOT/tests/lib/e2e.sh"

db=$(newdb baton_demo) || { echo "FAIL form_keep_draft: cannot create a test database"; exit 1; }
state="$BATON_TEST_TMP/form_keep_draft.state"
drafts="$state/baton/drafts"
mkdir -p "$state"
trap stop EXIT
ndrafts() { find "$drafts" -name '*.draft' 2>/dev/null | wc -l | tr -d ' '; }

start keep 80 24 env XDG_STATE_HOME="$state" "$BATON_BIN" -d "'dbname=$db user=ana'"
form_to_success
type_text "Kept for later: ask Dana first."
wait_for "draft saved" 5
keys Escape
check "Esc asks, offering k: 'Discard this handoff draft? k keeps it for later (y/k/n)'" \
	wait_row 24 "Discard this handoff draft? k keeps it for later (y/k/n)" 5
keys n
check "n stays in the form, the text as it was" \
	eval 'wait_gone "(y/k/n)" 5 && on_screen "New handoff · Northwind Health" && on_screen "Kept for later: ask Dana first."'
keys Escape
wait_row 24 "(y/k/n)" 5
keys k
check "k: back on Northwind Health, 'draft kept: D (or F4) lists it'" \
	eval 'wait_row 1 "Baton · Northwind Health" 5 && wait_for "draft kept: D (or F4) lists it" 5'
check "the draft is on disk with the note" \
	eval '[ "$(ndrafts)" = 1 ] && grep -qxF "Kept for later: ask Dana first." "$drafts"/*.draft'
check "nothing was sent" test "$(sql "SELECT count(*) FROM handoff WHERE note LIKE 'Kept for later%'")" = 0
keys D
check "D lists it" eval 'wait_for "Saved drafts" 5 && on_screen "Kept for later"'
keys Enter
check "Enter takes it up again, with its text" \
	eval 'wait_row 1 "New handoff · Northwind Health" 5 && on_screen "Kept for later: ask Dana first."'
keys Escape
wait_row 24 "(y/k/n)" 5
keys y
check "y discards it: 'draft discarded', no file left" \
	eval 'wait_for "draft discarded" 5 && [ "$(ndrafts)" = 0 ]'
keys q
wait_for "Find:" 5
keys C-c
check "quits with exit status 0" exit_status_is 0 10
check "no sanitizer report" no_sanitizer_report
