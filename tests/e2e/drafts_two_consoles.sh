#!/bin/sh
# The same person, two consoles, one home directory (two SSH sessions on a
# jump host): both see the same drafts.  Ana types a handoff in console A;
# console B's drafts list (F4) shows it IN FORM (other console), and s, d
# and Enter there say why not instead of sending it half typed.  A sends
# the whole text; B's list no longer has it.  A console killed with a form
# open frees its draft at once: the other opens it.  And when the database
# already has a draft's id with another text (sent by an older console,
# which does not hold drafts), A keeps its text as a new draft and says
# so, instead of "already delivered" and nothing kept.
. "$BATON_ROOT/tests/lib/e2e.sh"

db=$(newdb baton_demo) || { echo "FAIL drafts_two_consoles: cannot create a test database"; exit 1; }
state="$BATON_TEST_TMP/drafts_two_consoles.state"
drafts="$state/baton/drafts"
mkdir -p "$state"
trap 'E2E_SESSION=dtc_a; stop; E2E_SESSION=dtc_b; stop' EXIT

ndrafts() { find "$drafts" -name '*.draft' 2>/dev/null | wc -l | tr -d ' '; }
notes() { sql "SELECT note FROM handoff WHERE note LIKE '$1%' ORDER BY created_at"; }
console() {
	start "$1" 80 24 env XDG_STATE_HOME="$state" "$BATON_BIN" -d "'dbname=$db user=ana'"
	wait_state live 15
}

console dtc_b
console dtc_a
form_to_success
type_text "SAMEHOME first part."
# ("draft saved" shows from the team's choice on; the text on screen is saved.)
check "A types a handoff; its draft is saved" \
	eval 'wait_for "SAMEHOME first part." 5 && wait_for "draft saved" 5 && grep -qF "SAMEHOME first part." "$drafts"/*.draft'

E2E_SESSION=dtc_b
keys F4
check "B's drafts list (F4) shows it IN FORM (other console)" \
	eval 'wait_for "Saved drafts" 5 &&
		screen | grep -F "IN FORM" | grep -F "Northwind Health" | grep -qF "(other console)"'
keys s
check "B's s does not send it: open in a form in the other console" \
	wait_for "open in a form in your other console: send or close it there" 5
check "... nothing was sent" test -z "$(notes SAMEHOME)"
# relist: the list closed and opened again (q, F4), without the message of
# the key before: d and Enter say the same as s, and must be seen to say it.
relist() {
	keys q
	wait_gone "Saved drafts" 5
	keys F4
	wait_for "Saved drafts" 5 && wait_gone "open in a form in your other console" 5
}
relist
keys d
check "B's d does not discard it" \
	eval 'wait_for "open in a form in your other console" 5 && off_screen "Discard this draft"'
relist
keys Enter
check "B's Enter does not open it" \
	eval 'wait_for "open in a form in your other console" 5 && wait_row 1 "Saved drafts" 5'
check "the draft is still there" test "$(ndrafts)" = 1

E2E_SESSION=dtc_a
type_text " SECOND PART typed after B tried."
check "A goes on typing" wait_for "SECOND PART typed after B tried." 5
keys C-x
check "A sends it: 'handoff sent to success'" wait_for "handoff sent to success" 15
check "the database has the whole text, once" \
	test "$(notes SAMEHOME)" = "SAMEHOME first part. SECOND PART typed after B tried."
check "no draft left" test "$(ndrafts)" = 0

E2E_SESSION=dtc_b
keys F4
check "B's list, read again, no longer has it" wait_for "No drafts left." 10

# A console killed with its form open: the other may take the draft at once.
E2E_SESSION=dtc_a
keys h
wait_row 1 "New handoff" 5
press_until Right 8 'row 3' 'row 3 | grep -qF "[Success"'
keys Tab Tab Tab Tab Tab
type_text "KILLED typed before the console died."
# (On screen is on disk; "draft saved" shows from the team's choice on.)
wait_for "KILLED typed before the console died." 5
wait_for "draft saved" 5
E2E_SESSION=dtc_b
keys F4
check "B sees the new one IN FORM in the other console" \
	eval 'wait_for "KILLED" 5 && screen | grep -F "KILLED" | grep -qF "(other console)"'
# Both consoles have the same command line: A's is the one in A's pane.
apid=$(pane_console_pid dtc_a)
check "A's console is found" test -n "$apid"
kill -KILL "$apid"
# kill returns before the process is gone, and its lock on the draft with
# it: under AddressSanitizer, unmapping its shadow memory takes a while.
# Its pane's shell writes its exit status once it is gone.
E2E_SESSION=dtc_a
check "A's console is gone (killed: status 137)" exit_status_is 137 10
E2E_SESSION=dtc_b
keys F4
check "A killed: its draft is a plain draft in B's list at once" \
	wait_true 5 'screen | grep -F "KILLED" | grep -qF " draft "'
select_row "KILLED"
keys Enter
check "... and B opens it, with A's text" \
	eval 'wait_row 1 "New handoff" 5 && wait_for "KILLED typed before the console died." 5'
keys Escape
wait_for "Discard this handoff draft?" 5
keys y
check "B discards it" wait_for "draft discarded" 5
E2E_SESSION=dtc_a
stop

# An older console (no locks) sends the draft A is typing; then A sends.
console dtc_a
form_to_success
type_text "OLDCONSOLE first part."
wait_for "draft saved" 5
f=$(ls "$drafts"/*.draft)
id=$(sed -n 's/^id: //p' "$f")
customer=$(sed -n 's/^customer: //p' "$f")
reason=$(sed -n 's/^reason: //p' "$f")
priority=$(sed -n 's/^priority: //p' "$f")
out=$(psql -X -At -d "dbname=$db user=ana" -c "SELECT created FROM baton_handoff_create('$id', gen_random_uuid(),
	$customer, 'success', NULL, '$reason', '$priority', NULL, 'OLDCONSOLE first part.')" 2>&1)
check "the older console sent the first part under the draft's id ($out)" test "$out" = t
type_text " LATER PART typed in A."
wait_for "LATER PART typed in A." 5
keys C-x
check "A says it was already sent elsewhere with other text, and its text is kept as a new draft" \
	wait_row 24 "handoff already sent elsewhere, other text: yours kept as a new draft (D)" 15
check "the database has the older console's text only" test "$(notes OLDCONSOLE)" = "OLDCONSOLE first part."
check "one draft, under a new id, with A's whole text" \
	eval '[ "$(ndrafts)" = 1 ] && ! [ -e "$drafts/$id.draft" ] &&
		grep -qF "OLDCONSOLE first part. LATER PART typed in A." "$drafts"/*.draft'
keys D
check "D lists it, and says why it is there" \
	eval 'wait_for "Saved drafts" 5 && on_screen "\"OLDCONSOLE first part. LATE" &&
		on_screen "already sent from another console with other text"'
keys s
check "s sends it as another handoff" wait_for "handoff sent to success" 15
check "the database now has both texts" \
	test "$(notes OLDCONSOLE | wc -l)" = 2
check "no draft left" test "$(ndrafts)" = 0
keys Q
check "Q quits with exit status 0" exit_status_is 0 10
check "no sanitizer report (A)" no_sanitizer_report
E2E_SESSION=dtc_b
# B is on Northwind Health's screen, where the draft it took up was
# written (a draft opens over its customer's screen): Ctrl-C quits.
keys C-c
check "B quits with exit status 0" exit_status_is 0 10
check "no sanitizer report (B)" no_sanitizer_report
