#!/bin/sh
# The queue's prompts say how many handoffs they act on and name them by
# customer, as many as fit the prompt's columns (each cut with its mark,
# the rest counted: "+1 more"), a reason beside a name two of them share;
# at 60 columns, the count alone.  They said "Acknowledge the marked
# handoffs" and "Reassign to team[:person]:", naming none.
. "$BATON_ROOT/tests/lib/e2e.sh"

db=$(newdb baton_demo) || { echo "FAIL queue_bulk_prompts: cannot create a test database"; exit 1; }
state="$BATON_TEST_TMP/queue_bulk_prompts.state"
mkdir -p "$state"
trap stop EXIT
events() { sql "SELECT count(*) FROM handoff_event WHERE kind IN ('acknowledged', 'reassigned')"; }
before=$(events)
marked() { screen | grep -E "^.\*"; }
# mark N: mark the selected row and the N-1 below it, each waited for
mark() {
	_m=0
	while [ "$_m" -lt "$1" ]; do
		_was=$(marked | wc -l)
		keys Space
		wait_true 5 '[ "$(marked | wc -l)" -gt "$_was" ]' || return 1
		_m=$((_m + 1))
	done
}

start bulk80 80 24 env XDG_STATE_HOME="$state" "$BATON_BIN" -d "'dbname=$db user=lee'"
wait_state live 15
check "lee's queue, Northwind Health on top" \
	eval 'wait_row 1 "Handoff queue · my teams" 10 && wait_row 6 "Northwind Health" 10'
keys r
check "80: r on one row: 'Reassign 1 handoff (Northwind Health) to team[:person]:'" \
	wait_row 24 "Reassign 1 handoff (Northwind Health) to team[:person]:" 5
keys Escape
wait_gone "to team[:person]:" 5

check "three rows marked" mark 3
keys A
# Names as fit the prompt's 66 columns: the second (Redwood Travel Co) and
# third would be cut to less than 12 columns; they are counted.
check "80: A: 'Acknowledge 3 handoffs (Northwind Health, +2 more)? comment:'" \
	wait_row 24 "Acknowledge 3 handoffs (Northwind Health, +2 more)? comment:" 5
keys Escape
wait_gone "? comment:" 5
keys r
check "80: r with three marked: 'Reassign 3 handoffs (Northwind Health, +2 more) to team[:person]:'" \
	wait_row 24 "Reassign 3 handoffs (Northwind Health, +2 more) to team[:person]:" 5
keys Escape
wait_gone "to team[:person]:" 5
keys q
wait_for "Find:" 5
keys Escape q
check "q quits, status 0" exit_status_is 0 10
check "no sanitizer report" no_sanitizer_report
stop

# Two handoffs of one customer: each named with its reason (at 120 columns).
sql "UPDATE handoff SET customer_id = (SELECT customer_id FROM handoff WHERE id = '6293c178-ae4a-339c-418f-a402dd44efe3')
     WHERE id = (SELECT h.id FROM handoff h WHERE h.state = 'open' AND h.to_team = 'success'
                 AND h.id <> '6293c178-ae4a-339c-418f-a402dd44efe3' ORDER BY h.created_at LIMIT 1)" >/dev/null
start bulk_twins 120 24 env XDG_STATE_HOME="$state" "$BATON_BIN" -d "'dbname=$db user=lee'"
wait_state live 15
wait_row 1 "Handoff queue · my teams" 10
check "its first two rows: Northwind Health, the first selected" \
	eval 'wait_row 6 "Northwind Health" 10 && wait_row 7 "Northwind Health" 10 && row 6 | grep -qE "^›"'
check "both marked" mark 2
keys A
check "twins: 'Acknowledge 2 handoffs (Northwind Health · escalation, Northwind Health · renewal risk)? comment:'" \
	wait_row 24 "Acknowledge 2 handoffs (Northwind Health · escalation, Northwind Health · renewal risk)? comment:" 5
keys Escape
stop

# --- 60x16: the count, whole -------------------------------------------------------
start bulk60 60 16 env XDG_STATE_HOME="$state" "$BATON_BIN" -d "'dbname=$db user=lee'"
wait_state live 15
wait_row 1 "Handoff queue" 10
# (Its rows come after its title: a Space before them marks nothing.)
wait_row 6 "Northwind Health" 10
check "60: three rows marked" mark 3
keys A
check "60: A: 'Acknowledge 3 handoffs? comment:' (no room for names), whole" \
	wait_row 16 "Acknowledge 3 handoffs? comment:" 5
keys Escape
wait_gone "? comment:" 5
keys r
check "60: r: 'Reassign 3 handoffs to team[:person]:', whole" \
	wait_row 16 "Reassign 3 handoffs to team[:person]:" 5
keys Escape
stop
check "the database: nothing acknowledged or reassigned" test "$(events)" = "$before"
