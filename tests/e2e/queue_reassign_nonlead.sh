#!/bin/sh
# r in the queue, by someone who is not a lead: when the server would
# refuse the reassignment whatever the destination (reassign_by), it says
# so at once, in its own words, instead of asking for a team and a comment
# first; where the rule lets the receiving team reassign, the prompts come
# as before.
. "$BATON_ROOT/tests/lib/e2e.sh"

db=$(newdb baton_demo) || { echo "FAIL queue_reassign_nonlead: cannot create a test database"; exit 1; }
state="$BATON_TEST_TMP/queue_reassign_nonlead.state"
mkdir -p "$state"
trap stop EXIT
admin="t_admin_${E2E_ID}"
sql "CREATE ROLE $admin LOGIN; GRANT baton_admin TO $admin" >/dev/null
events() { sql "SELECT count(*) FROM handoff_event WHERE kind = 'reassigned'"; }
before=$(events)

start qnl 80 24 env XDG_STATE_HOME="$state" "$BATON_BIN" -d "'dbname=$db user=ana'"
check "ana (Support, not a lead) is live" wait_state live 15
wait_for "Waiting for you and Support" 10
keys Escape
keys L
check "L opens the queue, its first row to support" \
	eval 'wait_row 1 "Handoff queue" 10 && wait_row 6 "→ support" 10'

keys r
check "r: 'not reassigned: only a lead of the sending or receiving team', no prompt" \
	eval 'wait_row 24 "not reassigned: only a lead of the sending or receiving team (" 5 &&
	      off_screen "to team[:person]:"'
keys Space Space
wait_true 5 'screen | grep -F "›" | grep -qvF "Blue Fjord"'
keys r
check "two marked, r: 'reassigned 0, refused 2: only a lead …', no prompt" \
	eval 'wait_row 24 "reassigned 0, refused 2: only a lead of the sending or receiving team (" 5 &&
	      off_screen "to team[:person]:"'

# The receiving team may reassign too: then the prompts come.
"$BATON_BIN" -d "dbname=$db user=$admin" settings set reassign_by leads-and-receivers >/dev/null
keys r
check "with reassign_by leads-and-receivers, r asks 'Reassign 2 handoffs (…) to team[:person]:'" \
	wait_true 5 'row 24 | grep -qE "^ Reassign 2 handoffs \(.+\) to team\[:person\]:"'
keys Escape
wait_gone "to team[:person]:" 5
check "the database: nothing was reassigned" test "$(events)" = "$before"

keys q
wait_for "Find:" 5
keys C-c
check "Ctrl-C quits with exit status 0" exit_status_is 0 10
check "no sanitizer report" no_sanitizer_report
stop
