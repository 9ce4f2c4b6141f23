# Helpers for end-to-end tests: drive the real console in a pinned tmux
# terminal (size, TERM, LANG, TZ) and assert on what the screen shows.
# Sourced by tests/e2e/*.sh, which tests/run.sh runs with BATON_BIN,
# BATON_TMUX, BATON_TEST_TMP and PG* set.  Each check prints PASS/FAIL.

E2E_SESSION=""
E2E_N=0

tm() { tmux -L "$BATON_TMUX" "$@"; }

# newdb TEMPLATE: print the name of a fresh database cloned from TEMPLATE
newdb() {
	E2E_N=$((E2E_N + 1))
	_db="e2e_$$_$E2E_N"
	createdb -T "$1" "$_db" || return 1
	echo "$_db"
}

# start NAME COLS ROWS COMMAND...: run COMMAND in a fresh tmux session; its
# exit status lands in $BATON_TEST_TMP/NAME.rc and stderr in NAME.err.
start() {
	E2E_SESSION=$1
	_cols=$2
	_rows=$3
	shift 3
	rm -f "$BATON_TEST_TMP/$E2E_SESSION.rc" "$BATON_TEST_TMP/$E2E_SESSION.err"
	tm kill-session -t "$E2E_SESSION" >/dev/null 2>&1
	tm -f /dev/null new-session -d -s "$E2E_SESSION" -x "$_cols" -y "$_rows" \
		"env TERM=${E2E_TERM:-xterm-256color} LANG=${E2E_LANG:-C.UTF-8} LC_ALL=${E2E_LANG:-C.UTF-8} TZ=UTC $* 2>$BATON_TEST_TMP/$E2E_SESSION.err; echo \$? >$BATON_TEST_TMP/$E2E_SESSION.rc; sleep 600"
	tm set-option -t "$E2E_SESSION" status off >/dev/null
}

screen() { tm capture-pane -p -t "$E2E_SESSION"; }

keys() { tm send-keys -t "$E2E_SESSION" "$@"; }

# type TEXT: send literal text
type_text() { tm send-keys -t "$E2E_SESSION" -l "$1"; }

# wait_for TEXT [SECONDS]: until the screen contains TEXT (fixed string)
wait_for() {
	_t=${2:-10}
	_i=0
	while [ "$_i" -lt $((_t * 10)) ]; do
		screen | grep -qF -- "$1" && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}

# wait_gone TEXT [SECONDS]
wait_gone() {
	_t=${2:-10}
	_i=0
	while [ "$_i" -lt $((_t * 10)) ]; do
		screen | grep -qF -- "$1" || return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}

# wait_exit [SECONDS]: until the program has exited; prints its status
wait_exit() {
	_t=${1:-10}
	_i=0
	while [ "$_i" -lt $((_t * 10)) ]; do
		if [ -s "$BATON_TEST_TMP/$E2E_SESSION.rc" ]; then
			cat "$BATON_TEST_TMP/$E2E_SESSION.rc"
			return 0
		fi
		sleep 0.1
		_i=$((_i + 1))
	done
	echo timeout
	return 1
}

stop() { tm kill-session -t "$E2E_SESSION" >/dev/null 2>&1; }

pass() { echo "PASS $1"; }
fail() {
	echo "FAIL $1"
	echo "--- screen ---"
	screen 2>/dev/null
	if [ -s "$BATON_TEST_TMP/$E2E_SESSION.err" ]; then
		echo "--- stderr ---"
		cat "$BATON_TEST_TMP/$E2E_SESSION.err"
	fi
}
# check NAME COMMAND...: PASS if COMMAND succeeds
check() {
	_name=$1
	shift
	if "$@"; then pass "$_name"; else fail "$_name"; fi
}

# no_sanitizer_report: stderr of the session has no ASan/UBSan report
no_sanitizer_report() {
	! grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$BATON_TEST_TMP/$E2E_SESSION.err" 2>/dev/null
}
