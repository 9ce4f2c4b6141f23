#!/bin/sh
# make demo, twice: a second demo (ben, while ana's runs) joins the running
# demo server instead of restarting it, so ana's console stays live; the
# server stops only when the last demo console leaves.  And the demo refuses
# a demo directory that is not ours (a symlink, someone else's), since /tmp
# is world-writable.  The demo server is a second server, in its own
# directory, apart from the test runner's.
. "$BATON_ROOT/tests/lib/e2e.sh"

demo_dir="$BATON_TEST_TMP/demo"
pgctl() { sh "$BATON_ROOT/tests/lib/pgctl.sh" "$@"; }
cleanup() {
	tm kill-session -t "=demo_ana" >/dev/null 2>&1
	tm kill-session -t "=demo_ben" >/dev/null 2>&1
	pgctl stop "$demo_dir" >/dev/null 2>&1
}
trap cleanup EXIT

# demo NAME USER [DIR]: `make demo` as USER in tmux session NAME
demo() {
	start "$1" 80 24 BATON_DEMO_DIR="${3:-$demo_dir}" BATON_DEMO_USER="$2" \
		sh "$BATON_ROOT/tests/lib/demo.sh" "$BATON_BIN"
}
# postmaster: the pid of the demo server (empty if it has none)
postmaster() { head -n 1 "$demo_dir/data/postmaster.pid" 2>/dev/null; }
demo_sql() { psql -X -At -h "$demo_dir" -U postgres -d baton -c "$1"; }
# in_session SESSION COMMAND...: run COMMAND on tmux session SESSION
in_session() { _was=$E2E_SESSION; E2E_SESSION=$1; shift; "$@"; _rc=$?; E2E_SESSION=$_was; return $_rc; }
running() { pgctl status "$demo_dir"; }
stopped() { ! running && [ ! -e "$demo_dir/data/postmaster.pid" ]; }

demo demo_ana ana
check "ana's demo starts a server, loads the data and is live" wait_state live 120
pid=$(postmaster)
check "the demo server runs in BATON_DEMO_DIR" eval 'running && [ -n "$pid" ]'
# A mark in the data: a re-initialised or reloaded database would lose it.
demo_sql "CREATE TABLE e2e_mark (x int)" >/dev/null ||
	echo "FAIL cannot write to the demo database"
customers=$(demo_sql "SELECT count(*) FROM customer")

demo demo_ben ben
check "ben's demo joins while ana's runs, and is live" wait_state live 60
check "ben's demo says it joined the running server" \
	grep -qF "joining the demo server running in $demo_dir" "$BATON_TEST_TMP/demo_ben.err"
check "the same server process (not restarted), the data kept (not reloaded)" \
	eval '[ "$(postmaster)" = "$pid" ] &&
		[ "$(demo_sql "SELECT count(*) FROM customer")" = "$customers" ] &&
		[ "$(demo_sql "SELECT to_regclass('\''e2e_mark'\'') IS NOT NULL")" = t ]'
E2E_SESSION=demo_ana
check "ana's console is still live (not OFFLINE)" \
	eval 'wait_state live 5 && ! on_screen OFFLINE'

keys C-c
check "ana quits her demo (exit status 0)" exit_status_is 0 30
check "the server keeps running for ben (same process)" \
	eval 'running && [ "$(postmaster)" = "$pid" ]'
E2E_SESSION=demo_ben
check "ben's console is still live (not OFFLINE)" \
	eval 'wait_state live 5 && ! on_screen OFFLINE'
check "ben's console still reads the database: Northwind Health opens" \
	eval 'type_text nwh && wait_for "nwh.example" 10 && keys Enter &&
		wait_for "Handoffs ·" 10'

keys C-c
check "ben, the last one, quits (exit status 0)" exit_status_is 0 30
check "the last demo stopped the server" stopped

# Leaving together: both quit at once, the last one out stops the server.
demo demo_ana ana
wait_state live 60
demo demo_ben ben
wait_state live 60
check "two demos run again on one server" \
	eval 'running && in_session demo_ana wait_state live 5'
in_session demo_ana keys C-c
keys C-c
check "both quit at once (exit status 0 each)" \
	eval 'exit_status_is 0 30 && in_session demo_ana exit_status_is 0 30'
check "and the server is stopped" stopped

# A demo killed outright (no exit trap) does not keep the server up: its
# locks die with it, and the server must not have inherited them.
demo demo_ana ana
wait_state live 60
demo demo_ben ben
wait_state live 60
ana=$(console_pid "host=$demo_dir dbname=baton user=ana")
ana_demo=$(ps -o ppid= -p "$ana" | tr -d ' ')
check "ana's demo and console are killed with SIGKILL" \
	eval '[ -n "$ana" ] && kill -KILL "$ana_demo" "$ana"'
# kill returns before the processes are gone (and their locks with them):
# ben quits once they are, as a person would, not within the same
# millisecond.
_i=0
while { kill -0 "$ana" || kill -0 "$ana_demo"; } 2>/dev/null && [ "$_i" -lt 100 ]; do
	sleep 0.1
	_i=$((_i + 1))
done
keys C-c
check "ben quits (exit status 0)" exit_status_is 0 30
check "the server is stopped all the same" stopped

# A hostile /tmp: a directory that is a symlink or someone else's is refused.
mkdir "$BATON_TEST_TMP/elsewhere"
ln -s "$BATON_TEST_TMP/elsewhere" "$BATON_TEST_TMP/demo_link"
demo demo_ana ana "$BATON_TEST_TMP/demo_link"
check "a symlinked demo directory is refused (exit status 1)" exit_status_is 1 30
check "with a message naming it" \
	grep -qF "make demo: $BATON_TEST_TMP/demo_link is not a directory of ours" "$BATON_TEST_TMP/demo_ana.err"
check "and nothing was started through it" \
	eval '[ -z "$(ls -A "$BATON_TEST_TMP/elsewhere")" ]'

# Someone else's: as root, a directory given to nobody; otherwise / (root's).
theirs=/
if [ "$(id -u)" = 0 ]; then
	theirs="$BATON_TEST_TMP/theirs"
	mkdir "$theirs"
	chown nobody "$theirs"
fi
demo demo_ana ana "$theirs"
check "someone else's demo directory is refused (exit status 1)" exit_status_is 1 30
check "with a message saying it belongs to another user" \
	grep -qF "make demo: $theirs belongs to another user" "$BATON_TEST_TMP/demo_ana.err"
