#!/bin/sh
# The small trips a daily user hits: requests belong to their screen (a
# reconnect re-reads every screen on the stack), the timeline re-reads only
# for its own customer, messages do not follow you to the next screen, G
# lands on the last entry, the cursor follows its item through a live
# reorder, Esc goes back, panels say when they hold more rows, no raw enum
# or ISO timestamp reaches the screen, help explains every symbol.
. "$BATON_ROOT/tests/lib/e2e.sh"

db=$(newdb baton_demo) || { echo "FAIL craft: cannot create a test database"; exit 1; }
log="$BATON_TEST_TMP/pg/server.log"
cleanup() {
	stop
	psql -X -q -d postgres -c "ALTER ROLE lee LOGIN" >/dev/null 2>&1
}
trap cleanup EXIT

# --- a reconnect re-reads the visible screen, whatever is below it ------------
# Stack: finder -> North Star Logistics -> queue -> the queue's first customer.
start craft 100 30 "$BATON_BIN" -d "'dbname=$db user=lee'"
wait_state live 15
# A lead's console opens on the queue: q goes back to the finder.
wait_row 1 "Handoff queue" 10
keys q
wait_for "Find:" 10
type_text "North Star"
wait_for "North Star Logistics" 10
keys Enter
wait_for "Handoffs ·" 10
keys L
wait_row 1 "Handoff queue" 10
wait_row 6 "›" 10
keys Enter
wait_for "Handoffs ·" 10
domain=$(row 1 | sed -n 's/.*(\([^)]*\)).*/\1/p')
check "reconnect: the queue opened a second customer screen ($domain)" \
	eval '[ -n "$domain" ] && [ "$domain" != "nsl.example" ]'

# The console loses its connection and cannot log in again until the note
# below is written: only a re-read after the reconnect can show it.
psql -X -q -d postgres -c "ALTER ROLE lee NOLOGIN" >/dev/null
psql -X -q -d postgres -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'lee'" >/dev/null
check "reconnect: the console notices it is offline" \
	eval 'wait_state OFFLINE 10 || wait_state connecting 1'
sql "INSERT INTO success_note (customer_id, author, body)
     SELECT id, 'ben', 'Written while lee was offline' FROM customer WHERE domain = '$domain'" >/dev/null
psql -X -q -d postgres -c "ALTER ROLE lee LOGIN" >/dev/null
check "reconnect: live again" wait_state live 20
check "reconnect: the visible customer screen shows the note written while it was offline" \
	wait_for "Written while lee" 10
stop

# --- the timeline re-reads only for its own customer --------------------------
psql -X -q -d postgres -c "ALTER DATABASE $db SET log_statement = 'all'" >/dev/null
timeline_reads() { grep -c "'ticket opened' AS kind" "$log"; }
start craft 100 30 "$BATON_BIN" -d "'dbname=$db user=ana'"
wait_state live 15
type_text "nwh"
wait_for "Northwind Health" 10
keys Enter
wait_for "Handoffs ·" 10
keys t
wait_row 1 "Timeline" 5
wait_for "ticket opened" 10
before=$(timeline_reads)
# A write about another customer, then one about this one: notifications
# arrive in order, so once the second shows, the first was handled.
sql "INSERT INTO success_note (customer_id, author, body)
     SELECT id, 'ben', 'About North Star' FROM customer WHERE domain = 'nsl.example'" >/dev/null
sql "INSERT INTO success_note (customer_id, author, body)
     SELECT id, 'ben', 'About Northwind, live' FROM customer WHERE domain = 'nwh.example'" >/dev/null
check "timeline: a note about its customer appears without a key" wait_for "About Northwind, live" 10
after=$(timeline_reads)
check "timeline: re-read once for its customer, not for the other ($before -> $after)" \
	eval '[ "$after" -eq $((before + 1)) ]'
psql -X -q -d postgres -c "ALTER DATABASE $db RESET log_statement" >/dev/null

# --- G lands on the last entry, not on a blank row ----------------------------
g_from=$(screen | grep -n "^›")
press_and_wait G 'screen | grep -n "^›"'
check "timeline: G moves the selection to a row with an entry on it" \
	eval '[ "$(screen | grep -n "^›")" != "$g_from" ] && screen | grep "^›" | grep -qE "^› +[0-9]+ [A-Z][a-z]{2} [0-9]{4}"'
check "timeline: no raw ISO timestamps" \
	eval 's=$(screen) && printf "%s\n" "$s" | grep -q "^›" && ! printf "%s\n" "$s" | grep -qE "[0-9]{4}-[0-9]{2}-[0-9]{2}"'

# --- Esc goes back, and a message stays with its screen ----------------------
keys Escape
check "Esc: back from the timeline to the customer screen" wait_for "Handoffs ·" 5
keys / ; type_text "zzzq"; keys Enter
check "search: 'not found' is said on the customer screen" wait_for "not found: zzzq" 5
keys q
wait_for "Find:" 5
check "the message does not follow you back to the start screen" \
	eval 'sleep 0.3; off_screen "not found: zzzq"'
stop

# --- the customer screen reads as words, and panels say they hold more -------
start craft 80 24 "$BATON_BIN" -d "'dbname=$db user=ana'"
wait_state live 15
type_text "nwh"
wait_for "Northwind Health" 10
keys Enter
wait_for "Handoffs ·" 10
check "header: onboarding health in words, the renewal date whole" \
	eval 'row 2 | grep -qF "(on track)" && row 2 | grep -qE "renews [0-9]+ [A-Z][a-z]{2} [0-9]{4}"'
check "no raw enum spelling on the screen" \
	eval 's=$(screen) && printf "%s\n" "$s" | grep -qF "Handoffs ·" && ! printf "%s\n" "$s" | grep -qE "on_track|in_progress|renewal_risk"'
check "onboarding (the health, then 7 milestones in 4 rows) says 3 more below" \
	eval 'row 11 | grep -qF "└─────────────────── 3 more ↓ ─┘"'
keys j j j j j j
check "scrolled to the end: the border says which rows are shown" wait_for "4-7 of 7" 5
keys '?'
wait_row 1 "Help" 5
keys / ; type_text "Symbols"; keys Enter
check "help: a legend of the symbols" eval 'wait_for "the selected row" 5 && on_screen "more rows below"'
keys G
check "help: every crossed-signal flag explained" \
	eval 'wait_for "dropped baton:" 5 && on_screen "on track but burning:"'
keys q
stop

# --- the cursor stays on its handoff when a live change reorders them --------
new=$(printf 'Renewal call next week\n' | "$BATON_BIN" -d "dbname=$db user=ana" handoff new \
	--customer nwh.example --to-team success --reason "renewal risk" --priority normal 2>&1)
check "a second open handoff for Northwind ($new)" eval 'sql "SELECT count(*) FROM handoff h JOIN customer c ON c.id = h.customer_id WHERE c.domain = '"'nwh.example'"' AND h.state = '"'open'"'" | grep -qx 2'
start craft 100 30 "$BATON_BIN" -d "'dbname=$db user=ana'"
wait_state live 15
type_text "nwh"
wait_for "Northwind Health" 10
keys Enter
wait_for "Handoffs · 2" 10
keys BTab BTab
# (The cursor on a handoff, "Support → Success": both Shift-Tabs were taken.)
wait_true 5 'screen | grep -F "›" | grep -qF "→"'
select_row "renewal risk" 8
check "the newer handoff is selected, below the older open one" \
	eval 'screen | grep -n "escalation" | head -1 | cut -d: -f1 | { read a; b=$(screen | grep -n "›.*renewal risk" | cut -d: -f1); [ "$a" -lt "$b" ]; }'
old=$(sql "SELECT h.id FROM handoff h JOIN customer c ON c.id = h.customer_id
           WHERE c.domain = 'nwh.example' AND h.reason = 'escalation' AND h.state = 'open'")
"$BATON_BIN" -d "dbname=$db user=ben" handoff ack "$old" >/dev/null 2>&1
"$BATON_BIN" -d "dbname=$db user=ben" handoff resolve "$old" >/dev/null 2>&1
check "ben resolved the older one: it moves below (Handoffs · 1 open)" wait_for "Handoffs · 1" 10
check "the cursor stayed on the renewal-risk handoff" \
	wait_true 5 'screen | grep -F "›" | grep -qF "renewal risk"'
stop
