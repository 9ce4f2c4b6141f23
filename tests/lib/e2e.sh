# Helpers for end-to-end tests: drive the real console in a pinned tmux
# terminal (size, TERM, LANG, TZ) and assert on what the screen shows.
# Sourced by tests/e2e/*.sh, which tests/run.sh runs with BATON_BIN,
# BATON_TMUX, BATON_TEST_TMP and PG* set.  Each check prints PASS/FAIL.

E2E_SESSION=""
E2E_N=0
# The session that keeps the run's tmux server up (start, below); no
# test names a session with a leading _, so no target finds it by prefix.
E2E_KEEP=_e2e_server_
# What makes this test's databases, roles and application names its own:
# tests/run.sh's BATON_TEST_ID (why not $$: there).  It goes into SQL
# names unquoted.
E2E_ID=${BATON_TEST_ID:-$$}
case $E2E_ID in
'' | *[!0-9_]*) echo "FAIL BATON_TEST_ID is not digits and _: $E2E_ID"; exit 1 ;;
esac

tm() { tmux -L "$BATON_TMUX" "$@"; }

# newdb TEMPLATE: print the name of a fresh database cloned from TEMPLATE
# (counted in a file, not a variable: called as $(newdb ...), in a subshell,
# a second call would otherwise make the first one's name again)
newdb() {
	E2E_N=$(($(cat "$BATON_TEST_TMP/newdb.$E2E_ID" 2>/dev/null || echo 0) + 1))
	echo "$E2E_N" >"$BATON_TEST_TMP/newdb.$E2E_ID"
	_db="e2e_${E2E_ID}_$E2E_N"
	createdb -T "$1" "$_db" || return 1
	echo "$_db"
}

# start NAME COLS ROWS COMMAND...: run COMMAND in a fresh tmux session; its
# exit status lands in $BATON_TEST_TMP/NAME.rc and stderr in NAME.err.
# COMMAND is joined into one shell command line: quote arguments with spaces
# twice, e.g. start s 80 24 "$BATON_BIN" -d "'dbname=$db user=ana'".
# E2E_TERM (xterm-256color) and E2E_LANG (C.UTF-8) set TERM and the locale.
start() {
	E2E_SESSION=$1
	_cols=$2
	_rows=$3
	shift 3
	rm -f "$BATON_TEST_TMP/$E2E_SESSION.rc" "$BATON_TEST_TMP/$E2E_SESSION.err"
	: >"$BATON_TEST_TMP/$E2E_SESSION.err"
	# E2E_STDERR=tty leaves stderr on the terminal, as for a real user.
	_err="2>$BATON_TEST_TMP/$E2E_SESSION.err"
	[ "${E2E_STDERR:-}" = tty ] && _err=""
	# "=NAME": exactly this session (a bare name also matches a prefix).
	tm kill-session -t "=$E2E_SESSION" >/dev/null 2>&1
	# E2E_CWD: the directory the program starts in (default the test's).
	# The run's tmux server ends with its last session, and a session
	# started just as the last one was killed can meet it on its way out
	# ("no server running" for every command after; seen once under
	# AddressSanitizer).  So one idle session keeps it up for as long as
	# this test file runs; it ends by itself within 2 s of the file's
	# shell, also when that is killed outright, and tests/run.sh kills
	# the server after each file (and waits until it has gone).  The server keeps every descriptor of
	# the shell that started it, and lives now until the file ends: it is
	# started without the test's own (3 to 9), or a test's EXIT trap that
	# closes a FIFO and waits for its reader (import_live.sh) waits for
	# ever.
	if ! tm has-session -t "=$E2E_KEEP" 2>/dev/null; then
		(
			exec 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&-
			tm -f /dev/null new-session -d -s "$E2E_KEEP" "while kill -0 $$ 2>/dev/null; do sleep 2; done"
		)
	fi
	tm -f /dev/null new-session -d -s "$E2E_SESSION" -x "$_cols" -y "$_rows" -c "${E2E_CWD:-$PWD}" \
		"env TERM=${E2E_TERM:-xterm-256color} LANG=${E2E_LANG:-C.UTF-8} LC_ALL=${E2E_LANG:-C.UTF-8} TZ=UTC $* $_err; echo \$? >$BATON_TEST_TMP/$E2E_SESSION.rc; sleep 600"
	tm set-option -t "$E2E_SESSION" status off >/dev/null
}

screen() { tm capture-pane -p -t "$E2E_SESSION"; }

keys() { tm send-keys -t "$E2E_SESSION" "$@"; }

# type TEXT: send literal text
type_text() { tm send-keys -t "$E2E_SESSION" -l "$1"; }

# exited: the program of the session has ended (its status was written);
# waits give up early then, since the screen will not change any more
exited() { [ -s "$BATON_TEST_TMP/$E2E_SESSION.rc" ]; }

# wait_for TEXT [SECONDS]: until the screen contains TEXT (fixed string)
wait_for() {
	_t=${2:-10}
	_i=0
	while [ "$_i" -lt $((_t * 10)) ]; do
		screen | grep -qF -- "$1" && return 0
		exited && { sleep 0.2; screen | grep -qF -- "$1"; return; }
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}

# off_screen TEXT: the screen, captured, does not show TEXT (a screen that
# cannot be captured, a session gone, shows nothing yet proves nothing)
off_screen() {
	_s=$(screen) || return 1
	! printf '%s\n' "$_s" | grep -qF -- "$1"
}

# wait_gone TEXT [SECONDS]: until the screen no longer shows TEXT
wait_gone() {
	_t=${2:-10}
	_i=0
	while [ "$_i" -lt $((_t * 10)) ]; do
		off_screen "$1" && return 0
		exited && { sleep 0.2; off_screen "$1"; return; }
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

# pane_pid [SESSION]: the pid of the session's pane (the shell start runs),
# or nothing.  (A target of "=NAME" alone names no pane here: display
# prints nothing for it.)
pane_pid() { tm list-panes -t "=${1:-$E2E_SESSION}" -F '#{pane_pid}' 2>/dev/null | head -n 1; }

# pane_console_pid [SESSION]: the pid of the baton running in the session's
# pane (console_pid, below, finds one by its command line)
pane_console_pid() { pgrep -P "$(pane_pid "${1:-$E2E_SESSION}")" -x baton | head -n 1; }

# stop: end the session and whatever still runs in it.  Its console is
# killed first: under LeakSanitizer a console whose terminal hangs up can
# spin in the exit-time leak check forever, outliving the test (and a
# console still running after its test is a leak of its own).
stop() {
	_pp=$(pane_pid)
	# The pane's process group: its shell, the console, LeakSanitizer's tracer.
	[ -n "$_pp" ] && kill -KILL -- "-$_pp" >/dev/null 2>&1
	tm kill-session -t "=$E2E_SESSION" >/dev/null 2>&1
}

pass() { echo "PASS $1"; }
fail() {
	echo "FAIL $1"
	echo "--- screen ---"
	screen 2>/dev/null
	if [ -s "$BATON_TEST_TMP/$E2E_SESSION.err" ]; then
		echo "--- stderr ---"
		cat "$BATON_TEST_TMP/$E2E_SESSION.err"
	fi
	# Whether the program still runs, waits or spins: a screen that did
	# not change says nothing of why.
	_fp=$(pane_pid)
	if [ -n "$_fp" ]; then
		echo "--- processes of the pane (state, kernel wait, CPU time, age) ---"
		ps -o pid=,stat=,wchan:24=,time=,etime=,args= --ppid "$_fp" 2>/dev/null | cut -c1-160
	fi
	# What the server said last to this test's sessions (newdb's
	# databases, named in each line by pgctl.sh's log_line_prefix): a
	# statement timeout and a cancel have one SQLSTATE but not one message.
	if [ -f "$BATON_TEST_TMP/pg/server.log" ]; then
		echo "--- the server's last words to this test's databases ---"
		grep -F " db=e2e_${E2E_ID}_" "$BATON_TEST_TMP/pg/server.log" | tail -n 8 | cut -c1-200
	fi
}
# check NAME COMMAND...: PASS if COMMAND succeeds
check() {
	_name=$1
	shift
	if "$@"; then pass "$_name"; else fail "$_name"; fi
}

# no_sanitizer_report: stderr of the session (in its file: not for
# E2E_STDERR=tty sessions) has no ASan/UBSan report
no_sanitizer_report() {
	[ -f "$BATON_TEST_TMP/$E2E_SESSION.err" ] &&
		! grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$BATON_TEST_TMP/$E2E_SESSION.err"
}

# --- more helpers for the console tests -----------------------------------

# screen_e: the screen with its attributes as escape sequences
screen_e() { tm capture-pane -p -e -t "$E2E_SESSION"; }

# row N: line N (1-based) of the screen
row() { screen | sed -n "${1}p"; }

# on_screen TEXT: the screen shows TEXT now (fixed string)
on_screen() { screen | grep -qF -- "$1"; }

# wait_row N TEXT [SECONDS]: until line N of the screen contains TEXT
wait_row() {
	_t=${3:-10}
	_i=0
	while [ "$_i" -lt $((_t * 10)) ]; do
		row "$1" | grep -qF -- "$2" && return 0
		exited && return 1
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}

# wait_state STATE [SECONDS]: until the top line ends with the connection
# state (live, connecting, OFFLINE) after its symbol, UTF-8 or ASCII
wait_state() {
	_t=${2:-10}
	_i=0
	while [ "$_i" -lt $((_t * 10)) ]; do
		row 1 | grep -qE -- "(●|\*) $1 *\$" && return 0
		exited && return 1
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}

# exit_status_is N [SECONDS]: the program exits within SECONDS with status N
exit_status_is() { [ "$(wait_exit "${2:-10}")" = "$1" ]; }

# alternate_off: the pane is back on the normal screen (the program left
# the alternate screen it drew on)
alternate_off() { [ "$(tm display -p -t "$E2E_SESSION" '#{alternate_on}')" = 0 ]; }

# console_pid PATTERN: the pid of the running baton of this test run
# (its BATON_TEST_TMP) whose command line contains PATTERN (not the shell
# around it); fails if there is none
console_pid() {
	for _p in $(pgrep -f -- "$1"); do
		if [ "$(cat "/proc/$_p/comm" 2>/dev/null)" = baton ] &&
			tr '\0' '\n' <"/proc/$_p/environ" 2>/dev/null | grep -qxF "BATON_TEST_TMP=$BATON_TEST_TMP"; then
			echo "$_p"
			return 0
		fi
	done
	return 1
}

# colour_sgr: prints the SGR sequences of the screen that set a foreground
# or background colour (30-38, 40-48, 90-97, 100-107; not 39/49 = default);
# status 0 if there are some, 1 if none, 2 if the screen cannot be captured
colour_sgr() {
	_s=$(screen_e) || return 2
	printf '%s\n' "$_s" | grep -oE "$(printf '\033')\[[0-9;:]*m" | tr -d '\033' |
		grep -E '\[((.*;)?(3[0-8]|4[0-8]|9[0-7]|10[0-7])([;:].*)?)m'
}

# no_colour: the screen, captured, sets no colour (prints the first that it
# sets otherwise)
no_colour() {
	_c=$(colour_sgr)
	case $? in
	1) return 0 ;;
	2) echo "the screen cannot be captured" ;;
	*) printf '%s\n' "$_c" | sort -u | head -n 5 ;;
	esac
	return 1
}

# sql QUERY: one value (or rows) from the test's database $db
sql() { psql -X -At -d "$db" -c "$1"; }

# wait_true SECONDS CODE: until the shell CODE succeeds (polled every 0.1 s)
wait_true() {
	_t=$1
	_i=0
	while [ "$_i" -lt $((_t * 10)) ]; do
		eval "$2" && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}

# settled CODE: until the output of the shell CODE is the same twice, 0.5 s
# apart (up to 10 s): reads still on their way are counted before a
# baseline is taken from it
settled() {
	_st_prev=$(eval "$1")
	_st_i=0
	while [ "$_st_i" -lt 20 ]; do
		sleep 0.5
		_st_now=$(eval "$1")
		[ "$_st_now" = "$_st_prev" ] && return 0
		_st_prev=$_st_now
		_st_i=$((_st_i + 1))
	done
	return 1
}

# press_and_wait KEY CODE: press KEY, then wait up to 3 s for the output
# of the shell CODE to change, so that a late redraw on a loaded machine
# is not taken for "nothing moved" (and the key pressed again)
press_and_wait() {
	_pw_shown=$2
	_pw_before=$(eval "$_pw_shown")
	keys "$1"
	wait_true 3 '[ "$(eval "$_pw_shown")" != "$_pw_before" ]'
}

# press_until KEY TRIES SHOWN GOAL: KEY until the shell GOAL succeeds, at
# most TRIES presses, each waited for by the output of SHOWN (press_and_wait)
press_until() {
	_pu_i=0
	while ! eval "$4"; do
		[ "$_pu_i" -lt "$2" ] || return 1
		press_and_wait "$1" "$3"
		_pu_i=$((_pu_i + 1))
	done
}

# select_row TEXT [TRIES]: Down until the selected line (›) contains TEXT.
# Keys sent just before (a Tab to a list that selects its first row) are
# let through first: read before they were, the row they select would be
# taken for "not there yet" and passed by the first Down.
select_row() {
	_sr_text=$1
	settled 'screen | grep -F "›"' || :
	press_until Down "${2:-20}" 'screen | grep -F "›"' 'screen | grep -F "›" | grep -qF -- "$_sr_text"'
}

# to_northwind: from the start screen, Northwind Health's screen
to_northwind() {
	type_text "nwh"
	wait_for "nwh.example" 10
	keys Enter
	wait_for "Handoffs ·" 10
}

# northwind_handoff_form: in a console just started (or on the start
# screen) as ana, a new handoff on Northwind Health
northwind_handoff_form() {
	wait_state live 15
	to_northwind
	keys h
	wait_row 1 "New handoff" 5
}

# form_to_success: in a console just started as ana, open Northwind Health,
# start a handoff, choose team Success and put the cursor in the note.
form_to_success() {
	northwind_handoff_form
	press_until Right 8 'row 3' 'row 3 | grep -qF "[Success"' ||
		fail "form_to_success: the team Success could not be chosen"
	keys Tab Tab Tab Tab Tab
	wait_row 23 "typing goes to the note" 5
}

# --- helpers for the command-line tests -------------------------------------

# cli_files NAME: a fresh directory $T for the test's files, and $OUT and
# $ERR in it for run
cli_files() {
	T=$(mktemp -d "$BATON_TEST_TMP/$1.XXXXXX")
	OUT="$T/out"
	ERR="$T/err"
}

# as ROLE ARGS...: baton ARGS as the PostgreSQL role ROLE on the test's $db
as() {
	_role=$1
	shift
	"$BATON_BIN" -d "dbname=$db user=$_role" "$@"
}

# run COMMAND...: stdout in $OUT, stderr in $ERR (see cli_files), the exit
# status in $rc
run() {
	"$@" >"$OUT" 2>"$ERR"
	rc=$?
}

# expect NAME CONDITION...: PASS, or FAIL with the last run's status and output
expect() {
	_name=$1
	shift
	if "$@"; then
		pass "$_name"
	else
		echo "FAIL $_name"
		echo "--- status $rc, stdout ---"
		head -n 40 "$OUT"
		echo "--- stderr ---"
		head -n 20 "$ERR"
	fi
}

# no_controls FILE...: no ESC, no BEL, no U+202E (RIGHT-TO-LEFT OVERRIDE):
# nothing from the database that could drive a terminal
count_byte() { tr -dc "$1" <"$2" | wc -c | tr -d ' '; }
no_controls() {
	for _f; do
		[ "$(count_byte '\033' "$_f")" -eq 0 ] || return 1
		[ "$(count_byte '\007' "$_f")" -eq 0 ] || return 1
		! LC_ALL=C grep -qF "$(printf '\342\200\256')" "$_f" || return 1
	done
}

# --- whole screens ---------------------------------------------------------
# Where the layout is the point, a test compares the whole screen with an
# expected text file, tests/e2e/screens/NAME.txt (as tig's tests do).  The
# expected files are for an 80x24 pane with the default E2E_TERM and
# E2E_LANG.  After a deliberate layout change, rewrite them and review the
# diff in git:
#     BATON_UPDATE_SCREENS=1 sh tests/run.sh build screens

# screen_mask: the screen (on stdin) with its calendar dates made constant,
# since the demo data is relative to now(): "Nov 08" becomes "Mmm DD", and the
# digits of an ISO date, also one cut short ("2027-03-14", "2027-…"), become
# '#'.  Both keep their width, so columns still compare.  Nothing else is
# masked: ages ("2d", "5w") are relative to now() like the data, so stable,
# and a screen with ages in minutes or hours is not one to compare whole.
# A date whose width varies ("1 Mar 2027") cannot be masked without shifting
# what follows it: pin it in the test's copy of the data instead.
screen_mask() {
	sed -E 's/ +$//; s/\<(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [0-3][0-9]\>/Mmm DD/g' |
		awk '{
			out = ""; s = $0
			while (match(s, /[12][0-9][0-9][0-9]-[0-9-]*/)) {
				tok = substr(s, RSTART, RLENGTH)
				gsub(/[0-9]/, "#", tok)
				out = out substr(s, 1, RSTART - 1) tok
				s = substr(s, RSTART + RLENGTH)
			}
			print out s
		}'
}

# screen_is NAME [SECONDS]: until the masked screen equals
# tests/e2e/screens/NAME.txt (so a screen still being drawn is not compared);
# on a timeout prints the unified diff, expected -> actual.  With
# BATON_UPDATE_SCREENS=1 it writes the screen to the file instead, once two
# captures a moment apart agree.
screen_is() {
	_exp="$BATON_ROOT/tests/e2e/screens/$1.txt"
	_act="$BATON_TEST_TMP/screen-$1.txt"
	_size=$(tm display -p -t "$E2E_SESSION" '#{pane_width}x#{pane_height}')
	if [ "$_size" != 80x24 ] || [ "${E2E_TERM:-xterm-256color}" != xterm-256color ] ||
		[ "${E2E_LANG:-C.UTF-8}" != C.UTF-8 ]; then
		echo "screen_is $1: expected screens are 80x24, xterm-256color, C.UTF-8 (pane $_size)"
		return 1
	fi
	if [ "${BATON_UPDATE_SCREENS:-}" = 1 ]; then
		mkdir -p "$(dirname "$_exp")"
		wait_true "${2:-10}" 'screen | screen_mask >"$_act.1"; sleep 0.3;
			screen | screen_mask >"$_act"; cmp -s "$_act.1" "$_act"' || return 1
		cp "$_act" "$_exp"
		echo "updated $_exp"
		return 0
	fi
	[ -f "$_exp" ] || { echo "no $_exp (BATON_UPDATE_SCREENS=1 writes it)"; return 1; }
	wait_true "${2:-10}" 'screen | screen_mask >"$_act"; cmp -s "$_exp" "$_act"' && return 0
	diff -u --label "expected $1" --label "actual $1" "$_exp" "$_act"
	return 1
}

# --- tests that stop the test server ------------------------------------------
# server_guard NAME: from now on the server is ALWAYS started again when the
# test ends, even when a check fails (the tests after it need it).
# server_stop / server_start: stop and start the test's PostgreSQL;
# server_crash: stop it at once (immediate), no backend finishing its work.
PGCTL="$BATON_ROOT/tests/lib/pgctl.sh"
server_down=0
server_stop() {
	server_down=1
	sh "$PGCTL" stop "$PGHOST"
}
server_crash() {
	server_down=1
	sh "$PGCTL" crash "$PGHOST"
}
server_start() {
	sh "$PGCTL" start "$PGHOST" && server_down=0
}
server_finish() {
	stop
	if [ "$server_down" = 1 ]; then
		server_start || echo "FAIL $_guard_name: could not start the server again"
	fi
}
server_guard() {
	_guard_name=$1
	trap server_finish EXIT
	trap 'exit 1' INT TERM HUP
}
