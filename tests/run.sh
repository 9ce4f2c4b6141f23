#!/bin/sh
# Run every test against a throwaway PostgreSQL and print "N passed, M failed".
#   tests/run.sh BUILD_DIR [FILTER]
# FILTER (a substring of a test file name) runs only matching test files.
# The server, tmux and temporary files are always cleaned up, also when a
# test fails or the run is interrupted.
set -u
build=${1:?usage: tests/run.sh BUILD_DIR [FILTER]}
filter=${2:-}
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "$build" && pwd -P)

# World-searchable parent: PostgreSQL runs as another OS user when we are root.
tmp=$(mktemp -d /tmp/baton-test.XXXXXX)
chmod 0755 "$tmp"
export BATON_TEST_TMP="$tmp"
export BATON_TMUX="baton-test-$$"
# Every console a test started ends with its test file, whichever of its
# sessions the test stopped itself: a console whose terminal hung up can
# spin in LeakSanitizer's exit-time check for hours, long after the run
# and its tmux panes are gone.  So each pane's process group is killed,
# and then every process of this run's binary that still carries this
# run's BATON_TEST_TMP (tmux panes inherit it), whoever its parent is now.
tmux_running() { pgrep -f -- "^tmux -L $BATON_TMUX " >/dev/null; }
reap_consoles() {
	for p in $(tmux -L "$BATON_TMUX" list-panes -a -F '#{pane_pid}' 2>/dev/null); do
		kill -KILL -- "-$p" 2>/dev/null
	done
	tmux -L "$BATON_TMUX" kill-server >/dev/null 2>&1
	# kill-server returns before the server has gone: the next file's first
	# session (tests/lib/e2e.sh start) must not meet it on its way out.
	# Its processes are the ones started as "tmux -L $BATON_TMUX ...".
	_w=0
	while [ "$_w" -lt 50 ] && tmux_running; do
		sleep 0.1
		_w=$((_w + 1))
	done
	for d in /proc/[0-9]*; do
		[ "$(readlink "$d/exe" 2>/dev/null)" = "$build/baton" ] || continue
		tr '\0' '\n' 2>/dev/null <"$d/environ" | grep -qxF "BATON_TEST_TMP=$tmp" &&
			kill -KILL "${d#/proc/}" 2>/dev/null
	done
}
cleanup() {
	# A second Ctrl-C (or TERM) while it cleans up must not leave it half done.
	trap '' INT TERM HUP
	reap_consoles
	sh "$root/tests/lib/pgctl.sh" stop "$tmp/pg" >/dev/null 2>&1
	# Stopped here: its watcher has nothing left to do.
	[ -z "$watcher" ] || kill "$watcher" 2>/dev/null
	rm -rf "$tmp"
}
watcher=
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

echo "starting a throwaway PostgreSQL in $tmp/pg"
if ! sh "$root/tests/lib/pgctl.sh" start "$tmp/pg"; then
	echo "0 passed, 1 failed"
	exit 1
fi
# Killed outright, this shell runs no trap: the server still goes.
watcher=$(sh "$root/tests/lib/pgctl.sh" watch "$tmp/pg" $$)
export PGHOST="$tmp/pg" PGPORT=5432 PGUSER=postgres PGDATABASE=postgres
unset PGSERVICE PGPASSWORD PGOPTIONS
export BATON_BIN="$build/baton" BATON_ROOT="$root"
export LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC
# Tests must not read the developer's own configuration.
export HOME="$tmp/home" XDG_CONFIG_HOME="$tmp/home/.config" XDG_STATE_HOME="$tmp/home/.local/state"
mkdir -p "$HOME"
unset BATON_CONFIG
export ASAN_OPTIONS="abort_on_error=0:detect_leaks=1:exitcode=99"
export LSAN_OPTIONS="suppressions=$root/tests/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:exitcode=99"

# Templates: the bare schema (migrated by the binary under test) and the demo.
createdb baton_schema && "$BATON_BIN" -d dbname=baton_schema migrate >/dev/null &&
	createdb -T baton_schema baton_demo &&
	psql -X -q -v ON_ERROR_STOP=1 -1 -d baton_demo -f "$root/sql/demo.sql" >/dev/null
if [ $? -ne 0 ]; then
	echo "FAIL setup: could not create the test databases"
	echo "0 passed, 1 failed"
	exit 1
fi

passed=0
failed=0
# What failed is said again at the end, where a CI log's tail shows it.
failures="$tmp/failures.txt"
: >"$failures"
seq=0
run_one() { # name, command...
	name=$1
	shift
	# Names in the server (databases, roles) carry this number, unique in
	# the run, where a test's PID could come round again: PIDs wrap
	# (pid_max 32768), no test drops what it made, and createdb found an
	# earlier test's name taken (CI, stop 39).  And this run's PID, so that
	# the names of two runs at once (application names that tests look
	# consoles up by) differ too.  Read by tests/itest.h and e2e.sh.
	seq=$((seq + 1))
	export BATON_TEST_ID="$$_$seq"
	out="$tmp/out.txt"
	# A test that hangs (a FIFO nobody opens, a wait for a process that
	# never ends) fails after this long instead of holding the run, and CI,
	# until it is killed; its traps still run (TERM first).  No test comes
	# near it: the slowest take a few minutes.
	timeout -k 10 "${BATON_TEST_TIMEOUT:-900}" "$@" >"$out" 2>&1
	rc=$?
	[ "$rc" -eq 124 ] && echo "FAIL $name did not end within ${BATON_TEST_TIMEOUT:-900} s: stopped" >>"$out"
	p=$(grep -c '^PASS ' "$out")
	f=$(grep -c '^FAIL ' "$out")
	grep -E '^(PASS|FAIL) ' "$out" | sed "s|^|[$name] |"
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "[$name] FAIL $name exited with status $rc:"
		tail -n 30 "$out" | sed 's/^/    /'
		f=1
	elif [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
		# Nothing checked is not a pass: an early exit or a skipped block.
		echo "[$name] FAIL $name ran no check:"
		tail -n 30 "$out" | sed 's/^/    /'
		f=1
	elif [ "$f" -ne 0 ]; then
		grep -vE '^(PASS|FAIL) ' "$out" | tail -n 30 | sed 's/^/    /'
	fi
	if [ "$f" -ne 0 ]; then
		{
			grep -E '^FAIL ' "$out" | sed "s|^|[$name] |"
			[ "$rc" -ne 0 ] && echo "[$name] exited with status $rc"
			[ "$p" -eq 0 ] && [ "$(grep -c '^FAIL ' "$out")" -eq 0 ] && echo "[$name] ran no check"
			grep -vE '^(PASS|FAIL) ' "$out" | tail -n 30 | sed 's/^/    /'
		} >>"$failures"
	fi
	passed=$((passed + p))
	failed=$((failed + f))
}

# Every test source runs: one that was not built is a failure, not a skip.
for src in "$root"/tests/unit/*.c "$root"/tests/integration/*.c; do
	[ -f "$src" ] || continue
	kind=$(basename "$(dirname "$src")")
	t="$build/tests/$kind/$(basename "$src" .c)"
	case $t in *"$filter"*) ;; *) continue ;; esac
	if [ -x "$t" ] && [ -f "$t" ]; then
		run_one "$(basename "$t")" "$t"
	else
		echo "[$(basename "$t")] FAIL $t is not built (make BUILD=... tests)" |
			tee -a "$failures"
		failed=$((failed + 1))
	fi
done
for t in "$root"/tests/e2e/*.sh; do
	[ -f "$t" ] || continue
	case $t in *"$filter"*) ;; *) continue ;; esac
	run_one "$(basename "$t" .sh)" sh "$t"
	reap_consoles
done

if [ -s "$failures" ]; then
	echo "--- what failed, again:"
	cat "$failures"
	# A CI page may show only the last lines: the names go last, a line
	# each, after the screens and logs above.
	echo "--- failed checks:"
	grep -E '^\[[^]]*\] (FAIL |exited with|ran no check)' "$failures"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
