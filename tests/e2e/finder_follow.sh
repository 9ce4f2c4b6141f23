#!/bin/sh
# The waiting list keeps the cursor on its handoff when a live reload
# reorders the list: ana has handoff B selected, sam (the Support lead)
# acknowledges A, listed just above it, from the command line; A moves down
# among the acknowledged ones, and the marker stays on B.
. "$BATON_ROOT/tests/lib/e2e.sh"

db=$(newdb baton_demo) || { echo "FAIL finder_follow: cannot create a test database"; exit 1; }
trap stop EXIT

# Two handoffs from ben (Success) to Support, told apart by their notes;
# both open, A older than B, so A is listed right above B.
new_handoff() {
	"$BATON_BIN" -d "dbname=$db user=ben" handoff new --customer nwh.example \
		--to-team support --reason question --priority normal --message "$1" >/dev/null
}
new_handoff "follow-test A: older" && new_handoff "follow-test B: newer"
handoff_id() { sql "SELECT id FROM handoff WHERE note = '$1'"; }
first=$(handoff_id "follow-test A: older")
second=$(handoff_id "follow-test B: newer")
check "ben hands two over to Support (A, then B)" eval '[ -n "$first" ] && [ -n "$second" ]'
note2="follow-test B"

start finder_follow 80 24 "$BATON_BIN" -d "'dbname=$db user=ana'"
wait_state live 15
wait_for "Waiting for you and Support" 10
title=$(screen | grep -n "Waiting for you and Support" | cut -d: -f1)

# marked: the screen line with the selection marker
marked() { screen | grep '^ › '; }
marked_line() { screen | grep -n '^ › ' | head -n 1 | cut -d: -f1; }

keys Escape
wait_true 5 '[ "$(marked_line)" = $((title + 1)) ]'
check "B is selected in the waiting list, A on the row above it" \
	eval 'select_row "follow-test B" 40 && screen | sed -n "$(($(marked_line) - 1))p" | grep -qF "follow-test A"'
line=$(marked_line)

"$BATON_BIN" -d "dbname=$db user=sam" handoff ack "$first" >/dev/null 2>"$BATON_TEST_TMP/follow_ack.err"
ack_rc=$?
check "sam acknowledges the first one from the command line" \
	eval '[ "$ack_rc" = 0 ] || { cat "$BATON_TEST_TMP/follow_ack.err"; false; }'
# The live reload moves A down among the acknowledged ones, B up a row.
check "ana's list is re-read: B moved up a row" \
	wait_true 10 'screen | sed -n "$((line - 1))p" | grep -qF "follow-test B"'
check "the marker followed B (not left on the row it was on)" \
	eval '[ "$(marked_line)" = $((line - 1)) ] && marked | grep -qF -- "$note2"'
keys a
check "a acts on the handoff under the marker: the acknowledgement prompt" \
	wait_true 5 'row 24 | grep -qE "^ Acknowledge .+\? comment:"'
keys Enter
second_state() { sql "SELECT state FROM handoff WHERE id = '$second'"; }
check "ana's acknowledgement is of that handoff (\"$note2\")" \
	wait_true 10 '[ "$(second_state)" = acknowledged ]'
keys C-c
check "Ctrl-C quits with exit status 0" exit_status_is 0 10
check "no sanitizer report" no_sanitizer_report
stop
