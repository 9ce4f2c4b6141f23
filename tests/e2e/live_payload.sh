#!/bin/sh
# The waiting list kept by what notifications say (migration 017,
# src/waiting.c), on the real console, counted in the server's statement
# log: another session acknowledges one of ana's handoffs (it shows ACK,
# read by its key alone), reassigns one away (it goes, nothing read), a
# bulk write of 101 fills her list (one whole read), a new handoff behind
# the full list reads nothing, an older one enters it by key.
. "$BATON_ROOT/tests/lib/e2e.sh"

db=$(newdb baton_demo) || { echo "FAIL live_payload: cannot create a test database"; exit 1; }
log="$BATON_TEST_TMP/pg/server.log"
trap stop EXIT
psql -X -q -d postgres -c "ALTER DATABASE $db SET log_statement = 'all'" >/dev/null

whole_reads() { grep -cF "WITH k AS MATERIALIZED ( SELECT id, min(ack)" "$log"; }
key_reads() { grep -cF 'WHERE h.id = ANY ($1::uuid[])' "$log"; }
counts() { echo "$(whole_reads) $(key_reads)"; }
handoff_to_support() { # NOTE: prints the id
	"$BATON_BIN" -d "dbname=$db user=ben" handoff new --customer nsl.example \
		--to-team support --reason question --priority normal --message "$1"
}

start live_payload 120 40 "$BATON_BIN" -d "'dbname=$db user=ana'"
wait_state live 15
wait_for "Waiting for you and Support" 10
id=$(handoff_to_support "payload: one")
check "a handoff to Support shows NEW in ana's list" \
	wait_true 10 'screen | grep -F "payload: one" | grep -qF NEW'
settled counts

before=$(counts)
as ana handoff ack "$id" --comment "from another session" >/dev/null
check "acknowledged in another session: the row shows ACK" \
	wait_true 10 'screen | grep -F "payload: one" | grep -qF ACK'
settled counts
after=$(counts)
check "read by its key alone, once (whole, by key: $before -> $after)" \
	eval '[ "$after" = "${before% *} $((${before#* } + 1))" ]'

before=$after
as sam handoff reassign "$id" --to-team success --comment "theirs" >/dev/null
check "reassigned to Success by Support's lead: the row goes" wait_gone "payload: one" 10
settled counts
after=$(counts)
check "nothing read for it ($before -> $after)" eval '[ "$after" = "$before" ]'

before=$after
psql -X -q -d "$db" -c "INSERT INTO handoff (id, customer_id, from_team, to_team, reason, note,
	created_at) SELECT gen_random_uuid(), 1, 'success', 'support', 'question', 'bulk ' || g,
	now() - interval '90 days' + make_interval(mins => g) FROM generate_series(1, 101) g" >/dev/null
check "a bulk write of 101 for Support: the list is full" wait_for "Waiting for you and Support (100)" 10
settled counts
after=$(counts)
check "read whole, once: its notifications name no handoff ($before -> $after)" \
	eval '[ "$after" = "$((${before% *} + 1)) ${before#* }" ]'

# Notifications arrive in order: once the older one shows, the new one
# before it was handled.
before=$after
handoff_to_support "payload: behind the list" >/dev/null
psql -X -q -d "$db" -c "INSERT INTO handoff (id, customer_id, from_team, to_team, reason, note,
	created_at) VALUES (gen_random_uuid(), 4, 'success', 'support', 'question',
	'payload: oldest', now() - interval '400 days')" >/dev/null
check "an older handoff enters the full list at its top" wait_for "payload: oldest" 10
settled counts
after=$(counts)
check "only it was read, by its key; the new one behind the list cost nothing ($before -> $after)" \
	eval '[ "$after" = "${before% *} $((${before#* } + 1))" ]'
check "the list still shows 100" on_screen "Waiting for you and Support (100)"
