#!/bin/sh
# baton doctor checks live updates the way the console gets them: a
# notification sent from a second connection comes back on the first.
# Directly and through pgbouncer in session mode it does ("ok live");
# through pgbouncer in transaction mode, which Baton does not support, it
# does not: a FAIL line that names session mode, and a non-zero exit.
. "$BATON_ROOT/tests/lib/e2e.sh"

db=$(newdb baton_demo) || { echo "FAIL doctor_live: cannot create a test database"; exit 1; }
PGBCTL="$BATON_ROOT/tests/lib/pgbouncer.sh"
ses="$BATON_TEST_TMP/doctor_pgb_session"
txn="$BATON_TEST_TMP/doctor_pgb_transaction"
trap 'sh "$PGBCTL" stop "$ses"; sh "$PGBCTL" stop "$txn"' EXIT
trap 'exit 1' INT TERM HUP
sh "$PGBCTL" start "$PGHOST" "$ses" ana || { echo "FAIL doctor_live: cannot start pgbouncer"; exit 1; }
BATON_PGBOUNCER_MODE=transaction sh "$PGBCTL" start "$PGHOST" "$txn" ana ||
	{ echo "FAIL doctor_live: cannot start pgbouncer in transaction mode"; exit 1; }
cli_files doctor_live
live_line() { grep '^[a-zA-Z]* *live ' "$OUT"; }

run as ana doctor
expect "directly: live updates ok, exit status 0" \
	eval '[ "$rc" = 0 ] && live_line | grep -Eq "^ok +live +a notification sent from a second connection came back in [0-9]+ ms$"'

run "$BATON_BIN" -d "host=$ses port=6432 dbname=$db user=ana" doctor
expect "through pgbouncer in session mode: live updates ok, exit status 0" \
	eval '[ "$rc" = 0 ] && live_line | grep -Eq "^ok +live +a notification sent from a second connection came back"'

run "$BATON_BIN" -d "host=$txn port=6432 dbname=$db user=ana" doctor
expect "through pgbouncer in transaction mode: FAIL live, naming session mode, non-zero exit" \
	eval '[ "$rc" = 1 ] && live_line | grep -Eq "^FAIL +live +a notification sent from a second connection did not come back within 3 s: .*transaction pooling\? Baton needs pool_mode = session\)$" &&
		grep -q "^ok *schema" "$OUT" && [ ! -s "$ERR" ]'
