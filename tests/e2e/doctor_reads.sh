#!/bin/sh
# baton doctor checks database.read_conninfo: the standby is reachable, is
# a standby (pg_is_in_recovery) and how far it is behind the primary; each
# problem is a warning (exit status 0), because the console's reads fall
# back to the primary by themselves.  The conninfo is never printed.
. "$BATON_ROOT/tests/lib/e2e.sh"

db=$(newdb baton_demo) || { echo "FAIL doctor_reads: cannot create a test database"; exit 1; }
sb="$BATON_TEST_TMP/doctor_sb"
SBCTL="$BATON_ROOT/tests/lib/standby.sh"
cleanup() { sh "$PGCTL" stop "$sb"; }
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
sh "$SBCTL" start "$PGHOST" "$sb" || { echo "FAIL doctor_reads: cannot start a standby"; exit 1; }
cli_files doctor_reads

# conf READ_HOST: ana's configuration, reads on READ_HOST (with a password
# that must never show)
conf() {
	cat >"$T/ana.cfg" <<CFG
database: {
  conninfo = "host=$PGHOST dbname=$db user=ana";
  read_conninfo = "host=$1 dbname=$db user=ana password=hunter2-secret target_session_attrs=prefer-standby";
};
CFG
	echo "$T/ana.cfg"
}
reads_line() { grep '^[a-z]* *reads ' "$OUT"; }
no_secret() { ! grep -q hunter2 "$OUT" "$ERR"; }

wait_true 15 "sh \"$SBCTL\" caught_up \"$PGHOST\" \"$sb\"" >/dev/null
run "$BATON_BIN" -c "$(conf "$sb")" doctor
expect "a streaming standby: ok, with how far behind the primary" \
	eval '[ "$rc" = 0 ] && reads_line | grep -Eq "^ok +reads +standby on a local socket, [0-9]+ bytes behind the primary" && no_secret'

# Replay paused while the primary writes more than a WAL segment.
psql -X -q -h "$sb" -d postgres -c 'SELECT pg_wal_replay_pause()' >/dev/null
sql "CREATE TABLE doctor_wal AS SELECT g, repeat('x', 1000) AS pad FROM generate_series(1, 30000) g" >/dev/null
run "$BATON_BIN" -c "$(conf "$sb")" doctor
expect "a standby far behind: a warning, exit status 0" \
	eval '[ "$rc" = 0 ] && reads_line | grep -Eq "^warn +reads +standby on a local socket is [0-9]+ bytes behind the primary" && no_secret'
psql -X -q -h "$sb" -d postgres -c 'SELECT pg_wal_replay_resume()' >/dev/null

run "$BATON_BIN" -c "$(conf "$PGHOST")" doctor
expect "read_conninfo reaching the primary: a warning that it is no standby" \
	eval '[ "$rc" = 0 ] && reads_line | grep -Eq "^warn +reads +read_conninfo reaches a primary on a local socket, not a standby" && no_secret'

sh "$PGCTL" stop "$sb"
run "$BATON_BIN" -c "$(conf "$sb")" doctor
expect "standby down: a warning that reads go to the primary, exit status 0" \
	eval '[ "$rc" = 0 ] && reads_line | grep -Eq "^warn +reads +cannot reach read_conninfo .*the console reads from the primary" && no_secret'

run as ana doctor
expect "no read_conninfo: said, not warned" \
	eval '[ "$rc" = 0 ] && reads_line | grep -Eq "^ok +reads +no database.read_conninfo"'
