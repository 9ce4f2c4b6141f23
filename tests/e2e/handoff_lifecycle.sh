#!/bin/sh
# A handoff's life across people: ana writes one for ben with
# `baton handoff new`; ben sees it waiting on his start screen, acknowledges
# it there (a, Enter at the comment prompt), then resolves it from the
# customer screen's Handoffs panel (r, a comment, Enter).  Each step is
# stamped with who did it, and leaves one event.
. "$BATON_ROOT/tests/lib/e2e.sh"

db=$(newdb baton_demo) || { echo "FAIL handoff_lifecycle: cannot create a test database"; exit 1; }
state="$BATON_TEST_TMP/handoff_lifecycle.state"
mkdir -p "$state"
trap stop EXIT



id=$(printf 'Renewal call went badly; Dana wants a discount.\nPlease call her this week.' |
	"$BATON_BIN" -d "dbname=$db user=ana" handoff new --customer "Northwind Health" --to-team success \
		--to ben --reason "renewal risk" --priority urgent)
rc=$?
hsql() { sql "SELECT $1 FROM handoff WHERE id = '$id'"; }
check "baton handoff new as ana: exit 0, prints the id of an open handoff by ana for ben" \
	test "$rc|$(hsql "author || '|' || state || '|' || to_staff")" = "0|ana|open|ben"

start handoff_lifecycle 80 24 env XDG_STATE_HOME="$state" "$BATON_BIN" -d "'dbname=$db user=ben'"
check "ben's start screen: live, 'Waiting for you and Success'" \
	eval 'wait_state live 15 && wait_for "Waiting for you and Success" 10'
check "the new handoff waits for him: Northwind Health, !! (urgent), 'support → you', NEW, its note" \
	eval 'wait_for "\"Renewal call went" 10 && screen | grep -F "Renewal call went" | grep -F "!! Northwind Health" | grep -F "support → you" | grep -qF "NEW"'

keys Tab
check "Tab to the waiting list: its first row, the new urgent handoff, is selected" \
	wait_true 5 'screen | grep -F "›" | grep -qF "Renewal call went"'
keys a
check "a asks 'Acknowledge renewal risk from Support (Northwind Health)? comment:' on the bottom line" \
	wait_row 24 "Acknowledge renewal risk from Support (Northwind Health)? comment:" 5
keys Enter
check "Enter: 'handoff acknowledged'" wait_for "handoff acknowledged" 10
check "the database: acknowledged by ben, version 2" \
	test "$(hsql "state || '|' || acknowledged_by || '|' || (acknowledged_at IS NOT NULL) || '|' || version")" = "acknowledged|ben|true|2"
check "the waiting list now shows it as ACK" \
	wait_true 10 'screen | grep -F "Renewal call went" | grep -qF "ACK"'

select_row "Renewal call went" >/dev/null
keys Enter
check "Enter on it opens Northwind Health" wait_row 1 "Baton · Northwind Health" 10
wait_for "Handoffs ·" 10
keys Tab Tab Tab Tab
# (The cursor on a handoff, "Support → Success": the four Tabs were taken.)
check "Tab to the Handoffs panel and select the renewal risk handoff (acknowledged)" \
	eval 'wait_true 5 "screen | grep -F \"›\" | grep -qF \"→\"" &&
	      select_row "renewal risk" 8 && screen | grep -F "›" | grep -qF "acknowledged"'
keys r
check "r asks 'Resolve renewal risk from Support (Northwind Health)? comment:'" \
	wait_row 24 "Resolve renewal risk from Support (Northwind Health)? comment:" 5
type_text "Called Dana: 10% on a 2-year term, she is happy."
keys Enter
check "Enter: 'handoff resolved', and the panel says resolved" \
	eval 'wait_for "handoff resolved" 10 && wait_for "resolved  for Ben Okafor" 10'
check "the database: resolved, closed by ben, version 3" \
	test "$(hsql "state || '|' || closed_by || '|' || (closed_at IS NOT NULL) || '|' || version")" = "resolved|ben|true|3"
check "the history: created by ana, acknowledged by ben, resolved by ben with the comment" \
	test "$(sql "SELECT string_agg(kind || ':' || actor || ':' || coalesce(comment, ''), ',' ORDER BY at, kind)
	             FROM handoff_event WHERE handoff_id = '$id'")" = \
	     "created:ana:,acknowledged:ben:,resolved:ben:Called Dana: 10% on a 2-year term, she is happy."

# Resolving it again from the console is refused by the database, which
# says who did it; nothing changes.
keys r
wait_row 24 "Resolve renewal risk from Support (Northwind Health)? comment:" 5
keys Enter
check "r again: 'not resolved: it was already resolved by ben'" \
	wait_for "not resolved: it was already resolved by ben" 10
check "still three events" test "$(sql "SELECT count(*) FROM handoff_event WHERE handoff_id = '$id'")" = 3

keys q
wait_for "Find:" 5
keys C-c
check "q, Ctrl-C quits with exit status 0" exit_status_is 0 10
check "no sanitizer report" no_sanitizer_report
stop
