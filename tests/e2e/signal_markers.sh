#!/bin/sh
# The finder's rows and the lead's queue show a customer's crossed signals
# (migration 013's markers): Northwind Health (a campaign during its
# complaint, and more) carries the mark of the signal its screen lists
# first (the most severe, the oldest of those: on track but burning, 090), Meridian
# Media (none) carries nothing; a write that raises one shows on the next
# read.  The legend is in ? help.
. "$BATON_ROOT/tests/lib/e2e.sh"

db=$(newdb baton_demo) || { echo "FAIL signal_markers: cannot create a test database"; exit 1; }
trap stop EXIT

check "the demo: Northwind Health has active signals, Meridian Media none" \
	eval '[ "$(sql "SELECT count(*) > 0 FROM baton_signals((SELECT id FROM customer WHERE name = '"'Northwind Health'"'))
	             WHERE acked_at IS NULL")" = t ] &&
	      [ "$(sql "SELECT count(*) FROM baton_signals((SELECT id FROM customer WHERE name = '"'Meridian Media'"'))
	             WHERE acked_at IS NULL")" = 0 ]'

# --- the finder ------------------------------------------------------------------
start signal_markers 80 24 "$BATON_BIN" -d "'dbname=$db user=ana'"
wait_state live 15
wait_for "Waiting for you and Support" 10
# match NAME: the finder's result row of that customer
match() { screen | grep -F -- "$1" | grep -F "ticket" | head -n 1; }
type_text "Northwind"
check "the demo: Northwind Health's screen lists on track but burning first (high, and older than its campaign)" \
	test "$(sql "SELECT kind FROM baton_signals((SELECT id FROM customer WHERE name = 'Northwind Health'))
	             ORDER BY acked_at IS NOT NULL, severity_rank DESC, since, kind LIMIT 1")" = on-track-but-burning
check "finder: Northwind Health's row carries ⚑TB, the mark of the signal its screen lists first" \
	wait_true 10 'match "Northwind Health" | grep -qE "⚑TB(\+[0-9]+)?( |$)"'
keys C-u
type_text "Meridian"
check "finder: Meridian Media's row carries no mark" \
	eval 'wait_true 10 "match \"Meridian Media\" | grep -q ." && ! match "Meridian Media" | grep -qF "⚑"'
# A handoff to Meridian two days past its SLA: a dropped baton, on the
# finder's row without a key pressed (the row's customer changed).
sql "INSERT INTO handoff (id, customer_id, from_team, to_team, reason, priority, note, created_at, ack_due_at)
     SELECT gen_random_uuid(), id, 'support', 'success', 'question', 'high', 'markers test',
            now() - interval '3 days', now() - interval '2 days' FROM customer WHERE name = 'Meridian Media'" >/dev/null
check "finder: a late handoff to Meridian Media and its row shows ⚑DB by itself" \
	wait_true 10 'match "Meridian Media" | grep -qE "⚑DB( |$)"'
keys C-u
wait_true 5 'row 2 | grep -qE "^ *Find: *$"'
keys '?'
wait_for "Keys on this screen" 5
keys G
check "? help: the legend names each mark (⚑DB dropped baton)" wait_true 5 'on_screen "⚑DB dropped baton"'
keys q
stop

# --- the lead's queue ------------------------------------------------------------
start signal_markers_queue 120 30 "$BATON_BIN" -d "'dbname=$db user=lee'"
wait_state live 15
wait_for "Handoff queue" 10
qrow() { screen | grep -F -- "$1" | head -n 1; }
check "queue (120 columns): a Sig column" wait_true 10 'screen | grep -qE "SLA +Sig( |$)"'
check "queue: Northwind Health's row has TB in its Sig column" \
	wait_true 10 'qrow "Northwind Health" | grep -qE " TB(\+[0-9]+)?( |$)"'
check "queue: Meridian Media's row now has DB (the late handoff), one without signals has none" \
	eval 'qrow "Meridian Media" | grep -qE " DB(\+[0-9]+)?( |$)" && ! qrow "Tromsø Travel" | grep -qE " (CC|OE|TB|DB|RT|VF)(\+[0-9]+)?( |$)"'
stop

start signal_markers_narrow 80 24 "$BATON_BIN" -d "'dbname=$db user=lee'"
wait_state live 15
wait_for "Handoff queue" 10
check "queue (80 columns): Northwind's row has T before its age, Tromsø Travel's a space" \
	eval 'wait_true 10 "qrow \"Northwind Health\" | grep -qE \"^.{3}T[0-9]\"" &&
	      qrow "Tromsø Travel" | grep -qE "^.{3} [0-9]"'
keys q Escape q
check "q, Esc, q quits with exit status 0" exit_status_is 0
check "no sanitizer report" no_sanitizer_report
