#!/bin/sh
# Live updates that cost in proportion to what changed (migration 011,
# 017, ui/session.c), counted in the server's statement log: a handoff to
# another team reads nothing for ana's waiting list, one to her team reads
# that handoff by its key, not the whole list again;
# a burst of 50 notes about the customer on screen re-reads it at most
# once per interval (250 ms), not 50 times.  Presence: a second console on
# the same customer shows in the first, and goes when it is killed.
. "$BATON_ROOT/tests/lib/e2e.sh"

db=$(newdb baton_demo) || { echo "FAIL live_scale: cannot create a test database"; exit 1; }
log="$BATON_TEST_TMP/pg/server.log"
trap 'E2E_SESSION=live_ben; stop; E2E_SESSION=live_ana; stop' EXIT
psql -X -q -d postgres -c "ALTER DATABASE $db SET log_statement = 'all'" >/dev/null

# Statements in the log (tests run one at a time), by a fragment of their
# text: the waiting list, the customer screen's notes.
waiting_reads() { grep -cF "WITH k AS MATERIALIZED ( SELECT id, min(ack)" "$log"; }
key_reads() { grep -cF 'WHERE h.id = ANY ($1::uuid[])' "$log"; }
screen_reads() { grep -cF "SELECT * FROM success_note n WHERE n.customer_id = m.id" "$log"; }

handoff_to() { # TEAM NOTE
	printf '%s\n' "$2" | "$BATON_BIN" -d "dbname=$db user=ben" handoff new --customer nsl.example \
		--to-team "$1" --reason question --priority normal >/dev/null
}

start live_ana 100 30 "$BATON_BIN" -d "'dbname=$db user=ana'"
wait_state live 15
wait_for "Waiting for you and Support" 10
check "the waiting list was read" wait_true 10 '[ "$(waiting_reads)" -ge 1 ]'
settled 'waiting_reads; key_reads'
before=$(waiting_reads)
kbefore=$(key_reads)
# Notifications arrive in order: once the second shows, the first was handled.
handoff_to marketing "live-scale: for marketing"
handoff_to support "live-scale: for support"
check "a handoff to Support appears in ana's waiting list" wait_for "live-scale: for support" 10
after=$(waiting_reads)
kafter=$(key_reads)
check "Support's handoff was read by its key, once, Marketing's not, the whole list not again (whole $before -> $after, by key $kbefore -> $kafter)" \
	eval '[ "$after" -eq "$before" ] && [ "$kafter" -eq $((kbefore + 1)) ]'

# --- a burst of notes about the customer on screen ---------------------------
type_text "nwh"
wait_for "Northwind Health" 10
keys Enter
wait_for "Handoffs ·" 10
settled screen_reads
before=$(screen_reads)
t0=$(date +%s%N)
psql -X -q -d "$db" -c "DO \$\$ BEGIN FOR i IN 1..50 LOOP
	INSERT INTO success_note (customer_id, body) VALUES (1, 'burst note ' || i); COMMIT;
	PERFORM pg_sleep(0.02); END LOOP; END \$\$" >/dev/null
elapsed=$((($(date +%s%N) - t0) / 1000000))
# The notes panel keeps its row as notes arrive above it: to its top
# (again, until the last re-read has come).
keys Tab Tab
check "the last note of the burst shows" wait_true 10 'keys g; sleep 0.2; on_screen "burst note 50"'
settled screen_reads
n=$(($(screen_reads) - before))
# One re-read at the first note, then at most one per 250 ms interval and
# one for the last.
bound=$((elapsed / 250 + 3))
check "50 notes in ${elapsed} ms: $n re-reads of the screen (at most $bound, one per 250 ms)" \
	eval '[ "$n" -ge 1 ] && [ "$n" -le "$bound" ] && [ "$n" -lt 25 ]'

# --- presence ----------------------------------------------------------------
start live_ben 100 30 "$BATON_BIN" -d "'dbname=$db user=ben application_name=live_ben_${E2E_ID}'"
wait_state live 15
type_text "nwh"
# (Northwind is on ben's waiting list already: wait for the match.)
wait_for "nwh.example" 10
keys Enter
check "ben's screen says ana is here" wait_for "also here: ana (Support)" 10
E2E_SESSION=live_ana
check "ana's screen says ben came, without a key" wait_for "also here: ben (Success)" 10
pid=$(console_pid "application_name=live_ben_${E2E_ID}")
check "ben's console is running ($pid)" eval '[ -n "$pid" ]'
kill -9 "$pid"
check "ben's console killed: ana's screen drops him by itself" wait_gone "also here" 30
check "ana's console is still live" wait_state live 5
