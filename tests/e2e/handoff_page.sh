#!/bin/sh
# A handoff's page (Enter on it): what the customer screen has of it shows
# at once, its history is read when the page opens (the customer screen no
# longer reads fifty histories it does not show), and read again when the
# handoff changes while the page is open.
. "$BATON_ROOT/tests/lib/e2e.sh"

db=$(newdb baton_demo) || { echo "FAIL handoff_page: cannot create a test database"; exit 1; }
trap stop EXIT
northwind=6293c178-ae4a-339c-418f-a402dd44efe3

# lee's console opens on the queue, Northwind's breached handoff on top.
start hpage 100 30 "$BATON_BIN" -d "'dbname=$db user=lee'"
check "lee's console is live" wait_state live 15
wait_row 1 "Handoff queue" 10
wait_for "Northwind Health" 10
keys Enter
check "Enter opens Northwind Health" wait_for "Handoffs · 1 open" 10
# Tab through the panels to Handoffs: its row gets the cursor.
press_until Tab 6 screen 'on_screen "›● Support → Success"'
check "Tab reaches the open handoff" wait_for "›● Support → Success" 5
keys Enter
check "Enter on the handoff opens its page" wait_row 1 "Baton · Handoff 6293c178" 5
check "the page has what the screen had: reason, priority, the note" \
	eval 'wait_for "Reason:" 5 && on_screen "Priority:" && on_screen "Missing patient records"'
check "and its history, read for the page: created by ana" \
	eval 'wait_for "History:" 5 && wait_for "created by ana" 5 && off_screen "loading…"'

# ben acknowledges it from the command line while lee reads the page.
"$BATON_BIN" -d "dbname=$db user=ben" handoff ack "$northwind" --comment "calling the sponsor" >/dev/null
check "the open page reads the history again: acknowledged by ben, with his comment" \
	wait_for "acknowledged by ben: calling the sponsor" 10
check "the earlier event is still there, above it" \
	eval '[ "$(screen | grep -n "created by ana" | cut -d: -f1)" -lt "$(screen | grep -n "acknowledged by ben" | cut -d: -f1)" ]'

keys q
check "q goes back to the customer screen" wait_for "Handoffs ·" 5
keys q
wait_row 1 "Handoff queue" 5
keys q
wait_for "Find:" 5
keys Escape q
check "lee quits with status 0" exit_status_is 0 10
check "no sanitizer report" no_sanitizer_report
