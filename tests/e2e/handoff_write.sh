#!/bin/sh
# Writing a handoff in the console at 80x24, as ana: find "nwh", open
# Northwind Health, h; choose Success and Ben with Left/Right, Tab field by
# field to the note, type two lines with non-ASCII characters (Enter is a
# newline in the note), Ctrl-X.  The Handoffs panel shows it, the database
# has exactly that row, written by ana, and the draft file is gone.
. "$BATON_ROOT/tests/lib/e2e.sh"

db=$(newdb baton_demo) || { echo "FAIL handoff_write: cannot create a test database"; exit 1; }
state="$BATON_TEST_TMP/handoff_write.state"
drafts="$state/baton/drafts"
mkdir -p "$state"
trap stop EXIT

ndrafts() { find "$drafts" -name '*.draft' 2>/dev/null | wc -l | tr -d ' '; }
t0=$(sql "SELECT now()") # handoffs created after this are the test's

# choose ROW LABEL: Right on the focused choice until line ROW shows [LABEL
choose() {
	_ch_row=$1 _ch_label=$2
	press_until Right 8 'row "$_ch_row"' 'row "$_ch_row" | grep -qF -- "[$_ch_label"'
}

start handoff_write 80 24 env XDG_STATE_HOME="$state" "$BATON_BIN" -d "'dbname=$db user=ana'"
wait_state live 15
type_text "nwh"
wait_for "Northwind Health" 10
keys Enter
check "Enter on 'nwh' opens Northwind Health" wait_row 1 "Baton · Northwind Health" 10
check "the Handoffs panel starts with one open handoff" wait_for "Handoffs · 1 open" 10

keys h
check "h opens the form 'New handoff · Northwind Health'" wait_row 1 "New handoff · Northwind Health" 5
check "the form: To team (choose), Person anyone, Reason, Priority normal, Ticket none" \
	eval 'wait_for "[(choose)" 5 && on_screen "[anyone" && on_screen "Reason:" && on_screen "[normal" && on_screen "[none"'

check "Right on 'To team' cycles the teams until Success" choose 3 "Success"
check "from the first change on, one draft file is kept (mode 0600, to-team: success)" \
	eval '[ "$(ndrafts)" = 1 ] && [ "$(stat -c %a "$drafts"/*.draft)" = 600 ] && grep -qx "to-team: success" "$drafts"/*.draft'
keys Left
check "Left goes back to the team before it (Onboarding)" wait_row 3 "[Onboarding" 5
check "Right again: Success" choose 3 "Success"

# Tab moves field by field: team, person, reason, priority, ticket, note.
keys Tab
check "Tab: Person; Right picks the first person of Success, Ben Okafor" choose 3 "Ben Okafor"
keys Tab Tab Tab
check "after Tab to reason, priority and ticket the keys still change choices" \
	wait_row 23 "Left/Right/Space change the choice" 5
keys Tab
check "the fifth Tab reaches the note" wait_row 23 "typing goes to the note" 5

type_text "Sponsor wants a call before Friday."
keys Enter
type_text "Müller from IT joins — café at 10."
check "the note shows both lines, one under the other" \
	eval 'wait_row 7 "│Sponsor wants a call before Friday." 5 && wait_row 8 "│Müller from IT joins — café at 10." 5'
check "each change is saved to the draft ('draft saved', note in the file)" \
	eval 'wait_for "draft saved" 5 && grep -qF "Müller from IT joins — café at 10." "$drafts"/*.draft'

keys C-x
check "Ctrl-X: back on the customer screen, 'handoff sent to success'" \
	eval 'wait_for "handoff sent to success" 10 && on_screen "Baton · Northwind Health"'
check "the Handoffs panel shows the new handoff and its note" \
	eval 'wait_for "Handoffs · 2 open" 10 && wait_for "\"Sponsor wants a call before Friday. Müller from IT" 5'
check "the database has exactly one new handoff, by ana, to success:ben" \
	test "$(sql "SELECT count(*) || '|' || min(author) || '|' || min(to_team) || '|' || min(to_staff) || '|' || min(from_team)
	             FROM handoff WHERE created_at > '$t0'")" = "1|ana|success|ben|support"
check "the note arrived byte for byte, with its newline" \
	test "$(sql "SELECT count(*) FROM handoff WHERE note = E'Sponsor wants a call before Friday.\\nMüller from IT joins — café at 10.'")" = 1
check "one 'created' event by ana" \
	test "$(sql "SELECT string_agg(e.kind || ':' || e.actor, ',') FROM handoff_event e JOIN handoff h ON h.id = e.handoff_id
	             WHERE h.created_at > '$t0'")" = "created:ana"
check "the draft file is gone once the database has the handoff" eval '[ "$(ndrafts)" = 0 ]'

# Ctrl-X on an empty form is refused with a reason, and nothing is sent.
keys h
wait_row 1 "New handoff" 5
keys C-x
check "Ctrl-X without a team: 'choose the receiving team', the form stays" \
	eval 'wait_for "choose the receiving team" 5 && on_screen "New handoff"'
keys Escape
check "Esc on an empty note leaves without asking and keeps no draft" \
	eval 'wait_for "Handoffs · 2 open" 5 && [ "$(ndrafts)" = 0 ]'
check "still exactly one new handoff" \
	test "$(sql "SELECT count(*) FROM handoff WHERE created_at > '$t0'")" = 1

keys q
wait_for "Find:" 5
keys C-c
check "q, Ctrl-C quits with exit status 0" exit_status_is 0 10
check "no sanitizer report" no_sanitizer_report
stop
