#!/bin/sh
# pgbouncer in session mode in front of the test server: ana's console and
# lee's command line connect through it.  ana's customer screen (named
# prepared statements) opens, lee's note written through the pooler is by
# lee (session_user, not a pool's user), and ana's open screen shows it
# without a key press: LISTEN works in session mode.
. "$BATON_ROOT/tests/lib/e2e.sh"

db=$(newdb baton_demo) || { echo "FAIL pgbouncer_live: cannot create a test database"; exit 1; }
pgb="$BATON_TEST_TMP/pgbouncer"
PGBCTL="$BATON_ROOT/tests/lib/pgbouncer.sh"
trap 'stop; sh "$PGBCTL" stop "$pgb"' EXIT
trap 'exit 1' INT TERM HUP
sh "$PGBCTL" start "$PGHOST" "$pgb" ana lee || { echo "FAIL pgbouncer_live: cannot start pgbouncer"; exit 1; }
via() { echo "host=$pgb port=6432 dbname=$db user=$1"; }
clients() { psql -X -At -h "$pgb" -p 6432 -U postgres -d pgbouncer -c "SHOW CLIENTS" | cut -d'|' -f2,3 | grep -c "^$1|$db$"; }

cli_files pgbouncer_live
run "$BATON_BIN" -d "$(via lee)" show nwh.example
expect the_cli_shows_a_customer_through_pgbouncer \
	sh -c '[ "$1" -eq 0 ] && grep -q "Northwind Health" "$2"' _ "$rc" "$OUT"

start pgb_ana 80 24 "$BATON_BIN" -d "'$(via ana)'"
wait_state live 15
type_text "nwh"
wait_for "nwh.example" 10
keys Enter
check "ana's console opens Northwind Health through pgbouncer" wait_for "Handoffs ·" 10
check "pgbouncer has ana's console as a client" wait_true 10 '[ "$(clients ana)" = 1 ]'
keys Tab Tab

run "$BATON_BIN" -d "$(via lee)" note add --customer nwh.example --message "Pooled: lee via pgbouncer."
expect the_cli_writes_a_note_through_pgbouncer test "$rc" -eq 0
check "the note's author is lee, the session user behind the pooler" \
	test "$(sql "SELECT author FROM success_note WHERE body = 'Pooled: lee via pgbouncer.'")" = lee
check "ana's open screen shows lee's note without a key press (LISTEN through the pooler)" \
	wait_true 15 'keys g; on_screen "Lee: Pooled: lee via"'
keys R
check "R re-reads through the pooler (prepared statements kept in session mode)" \
	eval 'wait_state live 5 && wait_true 10 "on_screen \"Lee: Pooled: lee via\""'
