#!/bin/sh
# An item's page (Enter on a row of a customer screen) shows the item as it
# is now: a colleague's change shows at once (lee acknowledges the handoff
# ben reads: its State, not only its History, says so; maja starts the
# milestone ben reads), and R reads it again when no notification came (a
# change made with the notification triggers off).
. "$BATON_ROOT/tests/lib/e2e.sh"

db=$(newdb baton_demo) || { echo "FAIL item_pages: cannot create a test database"; exit 1; }
trap stop EXIT

# quiet SQL: a change as superuser with every trigger off, the
# notifications too, so that only a read (R) can show it
quiet() { psql -X -q -d "$db" -c "SET session_replication_role = replica; $1" >/dev/null; }

id=$(echo "page follows its handoff" | as ana handoff new --customer nwh.example --to-team success \
	--reason question)
ms=$(sql "SELECT id FROM milestone WHERE customer_id = 1 AND title = 'Integrations (HL7 feed)'")
[ -n "$id" ] && [ -n "$ms" ] || echo "FAIL item_pages: no handoff or milestone to read ($id, $ms)"

start item_pages 100 30 "$BATON_BIN" -d "'dbname=$db user=ben'"
wait_state live 15
type_text "nwh"
wait_for "Northwind Health" 10
keys Enter
wait_for "Handoffs · 2 open" 10
press_until Tab 6 screen 'on_screen "›● Support → Success"'
press_until Down 4 screen 'screen | grep -F "›" | grep -qF "Support → Success  question"'
keys Enter
check "Enter on the new handoff opens its page: State open, created by ana" \
	eval 'wait_row 1 "Handoff ${id%%-*}" 5 && wait_for "State:     open" 5 && wait_for "created by ana" 10'

as lee handoff ack "$id" --comment "lee has it" >/dev/null
check "lee acknowledges it: the page's State says acknowledged, under the History's line" \
	eval 'wait_for "acknowledged by lee: lee has it" 10 && wait_for "State:     acknowledged" 10'
check "...and the open state is gone" off_screen "State:     open"

quiet "UPDATE handoff SET priority = 'urgent' WHERE id = '$id'"
keys R
check "R reads the handoff again: Priority urgent (changed without a notification)" \
	wait_for "Priority:  urgent" 10

keys q
wait_for "Handoffs ·" 5
press_until Tab 6 screen 'screen | grep -F "›" | grep -qE "Kickoff|SSO|migration|Training|HL7|Go-live"'
press_until Down 8 screen 'screen | grep -F "›" | grep -qF "Integrations (HL7 feed)"'
keys Enter
check "Enter on the milestone opens its page: Status not started" \
	eval 'wait_row 1 "Milestone" 5 && wait_for "Status:    not started" 5'

as maja milestone set "$ms" --status in-progress --force >/dev/null
check "maja starts it: the page says in progress" wait_for "Status:    in progress" 10

quiet "UPDATE milestone SET title = 'Integrations (HL7 feed, phase 2)' WHERE id = $ms"
keys R
check "R reads the milestone again: its new title (changed without a notification)" \
	wait_for "Integrations (HL7 feed, phase 2)" 10

keys q
check "q goes back to the customer screen" wait_for "Handoffs ·" 5
keys C-c
check "quits with exit status 0" exit_status_is 0 10
check "no sanitizer report" no_sanitizer_report
stop
