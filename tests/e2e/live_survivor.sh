#!/bin/sh
# A survivor's screen shows what stays on the customers it absorbed (their
# handoffs and notes, read through its group), and follows their writes by
# itself (migration 063), without a key pressed: ana has Northwind Health
# open; a merge by hand in psql brings Quantum Bakery's handoff on screen,
# sam acknowledges it with `baton`, ben writes a note on Quantum Bakery,
# and an un-merge by hand takes both away again.
. "$BATON_ROOT/tests/lib/e2e.sh"

db=$(newdb baton_demo) || { echo "FAIL live_survivor: cannot create a test database"; exit 1; }
trap stop EXIT
b=$(sql "SELECT id FROM customer WHERE domain = 'quantum-bakery.example'")
id=$(as ben handoff new --customer quantum-bakery.example --to-team support --reason question \
	--priority normal --message "survivor: the bakery's handoff")
check "a handoff for Quantum Bakery, written by ben" eval '[ -n "$b" ] && [ -n "$id" ]'

start live_survivor 140 40 "$BATON_BIN" -d "'dbname=$db user=ana'"
wait_state live 15
type_text "nwh"
wait_for "Northwind Health" 10
keys Enter
check "Northwind's screen is open, without the bakery's handoff" \
	eval 'wait_for "Handoffs ·" 10 && off_screen "the bakery"'
check "and with its own notes" on_screen "Ben: Kickoff with Dana"

sql "UPDATE customer SET merged_into = 1 WHERE id = $b" >/dev/null
check "merged into Northwind by hand in psql: the bakery's handoff shows" \
	wait_for "survivor: the bakery's handoff" 10

as sam handoff ack "$id" --comment "sam has it" >/dev/null
check "acknowledged by sam with baton: it shows acknowledged" \
	wait_true 10 'screen | grep -B1 -F "survivor: the bakery" | head -n 1 | grep -qF "  acknowledged"'

# On the bakery's own row, by its id (the command line would resolve the
# bakery to its survivor while it is merged).
psql -X -q -d "dbname=$db user=ben" \
	-c "SELECT 1 FROM baton_note_add(gen_random_uuid(), $b, 'note', 'survivor: a note on the bakery')" \
	>/dev/null
check "a note written on the bakery by ben shows" wait_for "survivor: a note on the bakery" 10

sql "UPDATE customer SET merged_into = NULL WHERE id = $b" >/dev/null
check "un-merged by hand: the bakery's handoff goes" wait_gone "survivor: the bakery's handoff" 10
check "and its note" wait_gone "survivor: a note on the bakery" 5
keys Q
check "quits with exit status 0" exit_status_is 0 10
check "no sanitizer report" no_sanitizer_report
