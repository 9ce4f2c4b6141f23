#!/bin/sh
# The queue keeps the cursor and the marks on their handoffs when a live
# reload reorders the rows: lee marks the second row of 'my teams' (Space
# moves on to the third); ben acknowledges the first (Northwind's breached
# escalation) from the command line, which moves it down among the
# acknowledged ones; lee's queue updates by itself and the cursor and the
# mark are still on the same customers, now one row higher.
. "$BATON_ROOT/tests/lib/e2e.sh"

H=6293c178-ae4a-339c-418f-a402dd44efe3 # Northwind Health, support -> success:ben
db=$(newdb baton_demo) || { echo "FAIL queue_follow: cannot create a test database"; exit 1; }
state="$BATON_TEST_TMP/queue_follow.state"
mkdir -p "$state"
trap stop EXIT

selected() { screen | grep -F "›"; }
marked() { screen | grep -E '^.\*'; }

start queue_follow 80 24 env XDG_STATE_HOME="$state" "$BATON_BIN" -d "'dbname=$db user=lee'"
wait_state live 15
# A lead's console opens on the queue (start_screen.sh).
check "lee's queue: Northwind Health first and selected" \
	eval 'wait_row 1 "Handoff queue · my teams" 10 && wait_row 6 "Northwind Health" 10 && row 6 | grep -qE "^›"'
second=$(row 7 | cut -c 10-25 | sed 's/ *$//; s/…$//')
third=$(row 8 | cut -c 10-25 | sed 's/ *$//; s/…$//')
check "rows 2 and 3 are two other customers ('$second', '$third')" \
	eval '[ -n "$second" ] && [ -n "$third" ] && [ "$second" != "$third" ] && ! echo "$second$third" | grep -qF Northwind'
keys Down
wait_true 5 'row 7 | grep -qE "^›"'
keys Space
check "Space marks '$second' and moves to '$third'" \
	eval 'wait_true 5 "row 8 | grep -qE \"^›\"" && row 7 | grep -qE "^.\*" && row 8 | grep -qF "$third"'

out=$("$BATON_BIN" -d "dbname=$db user=ben" handoff ack "$H" 2>&1)
rc=$?
check "ben acknowledges Northwind from the command line ($out)" test "$rc" = 0
check "lee's queue re-reads by itself: Northwind leaves the first row" \
	eval 'wait_true 10 "row 6 | grep -qE \"^.{3} [0-9]+(m|h|d|w|mo|y) \" && ! row 6 | grep -qF \"Northwind Health\""'
check "Northwind is listed further down, acknowledged (ACK)" \
	wait_true 5 'screen | grep -F "Northwind Health" | grep -qE " ACK( |\$)"'
check "the cursor is still on '$third' (now the second row)" \
	eval 'selected | grep -qF "$third" && row 7 | grep -qE "^›"'
check "the mark is still on '$second' (now the first row), on no other row" \
	eval 'marked | grep -qF "$second" && [ "$(marked | wc -l)" = 1 ] && row 6 | grep -qE "^.\*"'

keys q
wait_for "Find:" 5
keys Escape q
check "q, Esc, q quits with exit status 0" exit_status_is 0 10
check "no sanitizer report" no_sanitizer_report
stop
