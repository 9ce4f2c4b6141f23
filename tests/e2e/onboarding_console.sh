#!/bin/sh
# Onboarding written back from the console, at 80x24, on Northwind Health:
#  1. maja (Onboarding lead) marks "Data migration" blocked with a reason
#     (m, type "b" for blocked, Tab to the reason, Ctrl-X); ben's console,
#     open on the same customer, shows it blocked with the reason without a
#     key press.  Then she sets the health "at risk" with a reason (o): ben's
#     panel shows it and the "on track but burning" flag goes.
#  2. ana (Support) tries the same on another milestone: the server refuses
#     her, the form stays with what she typed and says why.
#  3. maja saves a change while the database is down: the form waits,
#     says so, and when the server is back the change arrives exactly once.
#  4. the server stops while her change is in it, waiting for a row lock:
#     when it is back, the console sends it again; it is applied once.
# The server is ALWAYS started again, even when a check fails.
. "$BATON_ROOT/tests/lib/e2e.sh"

server_guard onboarding_console
db=$(newdb baton_demo) || { echo "FAIL onboarding_console: cannot create a test database"; exit 1; }
events() { sql "SELECT count(*) FROM milestone_event e JOIN milestone m ON m.id = e.milestone_id
                WHERE m.customer_id = 1 AND m.title = '$1'"; }

# open_northwind SESSION ROLE [lead]: that person's console on Northwind
# Health (a lead's console opens on the queue: q goes back to the finder)
open_northwind() {
	start "$1" 80 24 "$BATON_BIN" -d "'dbname=$db user=$2 application_name=onb_$1_${E2E_ID}'"
	wait_state live 15 || return 1
	if [ "${3:-}" = lead ]; then
		wait_row 1 "Handoff queue" 10 && keys q || return 1
	fi
	type_text "nwh" && wait_for "nwh.example" 10 && keys Enter && wait_for "Handoffs ·" 10
}

# --- 1. maja blocks a milestone; ben sees it ------------------------------------------
open_northwind onb_ben ben
check "ben's panel: the health, its age and reason, before the milestones" \
	wait_row 6 "│ On track 6d: SSO is live; th…│" 10
check "ben sees the flag 'on track but burning'" on_screen "on track but burning"
check "ben selects Data migration (in progress, overdue)" select_row "Data migration"

open_northwind onb_maja maja lead
check "maja: Data migration selected in the Onboarding panel" select_row "Data migration"
keys m
check "m opens the milestone's form" wait_row 1 "Milestone · Northwind Health · Data migration" 5
check "the form shows the milestone as it is: in progress, owner Olúwaseun Adé" \
	wait_true 10 'row 3 | grep -qF "Status:    [in progress" && row 5 | grep -qF "Owner:     [Olúwaseun Adé"'
type_text "b"
check "typing 'b' chooses blocked" wait_row 3 "[blocked" 5
keys C-x
check "blocked without a reason: the form says so and stays" \
	eval 'wait_for "NOT SAVED: a blocked milestone needs a reason" 5 && on_screen "Milestone · Northwind"'
keys Tab Tab Tab
type_text "waiting for the customer's HL7 export"
check "the reason is typed in its field" wait_row 6 "[waiting for the customer's HL7 export" 5
keys C-x
check "Ctrl-X saves it: the form closes with 'blocked'" \
	wait_for "milestone \"Data migration\": blocked" 10
check "maja's panel: Data migration BLOCKED, with its reason below it" \
	wait_true 10 'screen | grep -F "Data migration" | grep -qF "BLOCKED" && on_screen "│   blocked: waiting for the c…│"'
check "the database: blocked, by maja, with the reason" \
	test "$(sql "SELECT m.status || '|' || e.actor || '|' || e.reason FROM milestone m JOIN milestone_event e
	             ON e.milestone_id = m.id WHERE m.customer_id = 1 AND m.title = 'Data migration'")" \
	= "blocked|maja|waiting for the customer's HL7 export"

E2E_SESSION=onb_ben
check "ben's open console shows it blocked, with the reason, without a key press" \
	wait_true 10 'screen | grep -F "Data migration" | grep -qF "BLOCKED" && on_screen "│   blocked: waiting for the c…│"'

E2E_SESSION=onb_maja
keys o
check "o opens the health form, the reason field focused" \
	eval 'wait_row 1 "Onboarding health · Northwind Health" 5 && wait_for "typing goes to the reason" 5'
check "it says what the health is now" on_screen "Now: on track, set 6d ago by Olúwaseun Adé: SSO is live"
keys BTab
type_text "at"
check "typing 'at' in the health chooses at risk" wait_row 3 "Health:    [at risk" 5
keys Tab
type_text "data migration blocked; three migration tickets open"
keys C-x
check "saved: 'onboarding health of Northwind Health: at risk'" \
	wait_for "onboarding health of Northwind Health: at risk" 10

E2E_SESSION=onb_ben
check "ben's panel shows the new health and its reason" wait_row 6 "│ At risk 0m: data migration b…│" 10
check "and the header says at risk" wait_row 2 "onboarding (at risk)" 5
check "the flag 'on track but burning' is gone from ben's screen" wait_gone "on track but burning" 10
keys C-c
check "ben's console quits with status 0" exit_status_is 0 10
check "no sanitizer report (ben)" no_sanitizer_report
stop

# --- 2. Support is refused by the server ------------------------------------------------
open_northwind onb_ana ana
select_row "Training"
keys m
wait_row 1 "Milestone · Northwind Health · Training" 5
type_text "d"
keys Tab Tab Tab
type_text "trained them myself"
keys C-x
# refused_in_words: the server's whole message, wrapped in the form
refused_in_words() {
	wait_for "NOT SAVED: only the Onboarding team or the milestone's owner (olu) can change" 10 &&
		on_screen "it; ana is in support"
}
check "ana (Support): the server refuses, the form says why and stays" refused_in_words
check "what ana typed is still in the form" \
	eval 'on_screen "Milestone · Northwind Health · Training" && row 6 | grep -qF "[trained them myself" &&
	      row 3 | grep -qF "[done"'
check "nothing recorded for Training" test "$(events Training)" = 0
keys Escape
check "Esc asks before discarding the change" wait_for "Discard this change? (y/n)" 5
keys y
check "y: back on the customer screen" wait_row 1 "Baton · Northwind Health" 5
keys C-c
check "ana's console quits with status 0" exit_status_is 0 10
check "no sanitizer report (ana)" no_sanitizer_report
stop

# --- 3. saved while the database is down: exactly once -------------------------------
E2E_SESSION=onb_maja
select_row "Training"
keys m
wait_row 1 "Milestone · Northwind Health · Training" 5
keys Right
check "Right: in progress" wait_row 3 "[in progress" 5
keys Tab Tab Tab
type_text "trainer booked"
server_stop
check "server stopped: OFFLINE" wait_state OFFLINE 20
keys C-x
check "Ctrl-X offline: the form waits and says the change is sent when the database is back" \
	wait_for "OFFLINE: the change waits and is sent when the database is back" 5
server_start
check "server back: the console reconnects by itself" wait_state live 30
check "the change arrives and the form closes" wait_for "milestone \"Training\": in progress" 20
check "exactly once: one event for Training, by maja" \
	test "$(events Training)|$(sql "SELECT actor || '|' || reason FROM milestone_event e JOIN milestone m
	        ON m.id = e.milestone_id WHERE m.customer_id = 1 AND m.title = 'Training'")" = "1|maja|trainer booked"
check "the version moved once" test "$(sql "SELECT version FROM milestone WHERE customer_id = 1 AND title = 'Training'")" = 2

# --- 4. the server stops while the change is on its way: exactly once ---------------
# A transaction holds the milestone's row, so maja's change waits in the
# server (sent, no answer); then the server stops.  The console resends it
# when the server is back, and it is applied once.
ms=$(sql "SELECT id FROM milestone WHERE customer_id = 1 AND title = 'Go-live'")
select_row "Go-live"
keys m
wait_row 1 "Milestone · Northwind Health · Go-live" 5
keys Right
wait_row 3 "[in progress" 5
keys Tab Tab Tab
type_text "dress rehearsal booked"
psql -X -q -d "$db" -c "SELECT 1 FROM milestone WHERE id = $ms FOR UPDATE; SELECT pg_sleep(60)" \
	>/dev/null 2>&1 &
holder=$!
wait_true 10 'test "$(sql "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
                          WHERE c.relname = '\''milestone'\'' AND l.mode = '\''RowShareLock'\'' AND l.granted")" -ge 1'
keys C-x
check "Ctrl-X: maja's change is in the server, waiting for the row" \
	wait_true 10 'test "$(sql "SELECT count(*) FROM pg_stat_activity WHERE usename = '\''maja'\''
	                             AND wait_event_type = '\''Lock'\''")" = 1'
# (Sent as the key is read, drawn just after: the server may see it first.)
check "the form says it is saving" wait_for "saving…" 5
# At once: a fast stop ends the holder first, and maja's change, no longer
# waiting, could commit before its backend ends (the form then closes, also
# right, but not the path this part is about).
server_crash
wait "$holder" 2>/dev/null
check "server stopped mid-send: OFFLINE, the form still waiting" \
	eval 'wait_state OFFLINE 20 && on_screen "Milestone · Northwind Health · Go-live"'
server_start
check "server back: the change is sent again and the form closes" wait_for "milestone \"Go-live\": in progress" 30
check "exactly once: one event for Go-live, by maja, and one new version" \
	test "$(events Go-live)|$(sql "SELECT version FROM milestone WHERE id = $ms")" = "1|2"

keys C-c
check "maja's console quits with status 0" exit_status_is 0 10
check "no sanitizer report (maja)" no_sanitizer_report
