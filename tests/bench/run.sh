#!/bin/sh
# Baton benchmark: a throwaway PostgreSQL, generated data, then a report.
#
#   tests/bench/run.sh BUILD_DIR        (make bench runs it)
#
# BATON_BENCH_SCALE   customers to generate (default 100000: ~2M tickets,
#                     ~1M handoffs; 2000 is a quick run)
# BATON_BENCH_RUNS    queue runs per filter (default 200)
# BATON_BENCH_QUEUE_SECONDS  time budget per queue filter (default 30; slow
#                     filters get fewer runs, at least 20; 0: no budget)
# BATON_BENCH_SIGNALS_SECONDS  time budget for each signals list (default
#                     120; at least 3 runs)
# BATON_BENCH_CONSOLES  consoles of the load phase, one run each (default
#                     "100 500"); the server gets max_connections for the
#                     largest plus 60
# BATON_BENCH_LOAD_SECONDS  writing time per load run (default 30)
# BATON_BENCH_WRITE_RATE    writes per second in the load phase (default 5)
# BATON_BENCH_LOAD_WARMUP   screens of other customers each simulated console
#                     reads before the writes (default 6; 0: none)
# BATON_BENCH_PHASES  which phases run, of "statements show console load
#                     import" (default all of them)
# BATON_BENCH_SECTIONS  the statement phase's sections, of "customer finder
#                     queue signals lookup waiting" (default all)
# BATON_BENCH_IMPORT_SCALE  organisations of the import phase (default
#                     BATON_BENCH_SCALE: 3 contacts and 10 tickets each)
# BATON_BENCH_PGDATA  keep the server in this directory (under /tmp) between
#                     runs: the first run generates the data, later runs
#                     reuse it and apply only the migrations it lacks (their
#                     time is reported), which is how a new migration is
#                     measured on existing data.  It is never removed.
# BATON_PG_SHARED_BUFFERS  the server's shared_buffers (default 128MB, as
#                     PostgreSQL's; README.md's sizing suggests a quarter of
#                     the memory, e.g. 6GB here)
# BATON_BENCH_CLUSTER 1: before measuring, rewrite the tables a customer's
#                     screen reads in customer order (CLUSTER, as README.md's
#                     Sizing says to keep them, e.g. with pg_repack); the
#                     report says it and how long it took.  With
#                     BATON_BENCH_PGDATA the kept data stays clustered.
# BATON_BENCH_PREWARM 1: before measuring, read every table and index into
#                     shared_buffers (pg_prewarm), the state of a server up
#                     all day whose shared_buffers hold the data; the report
#                     says it and whether the database fit.  With the
#                     default 128MB most of it does not: use it with
#                     BATON_PG_SHARED_BUFFERS.
# BATON_PG_HUGE_PAGES the server's huge_pages (default try: used when the
#                     kernel has reserved enough, sysctl vm.nr_hugepages; on:
#                     the bench stops if it has not).  The report says which.
#
# Measures the statements the console sends (tests/bench/bench.c: customer
# screen, finder, queue, with EXPLAIN of the slowest; budgets.c: the
# customer lookup, the waiting list, the queue's counts and medians), the
# wall time of `baton show` beside psql's, then drives the real console in
# tmux for its peak memory and the bytes it writes per cursor move, and
# last the load phase (load.c: hundreds of consoles while others write).  The report goes to stdout and BUILD_DIR/bench-report.txt.  It is a
# report, not a test: the exit status is 0 unless something broke.  The
# server, tmux and temporary files are removed on exit and on interrupt.
set -u
build=${1:?usage: tests/bench/run.sh BUILD_DIR}
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "$build" && pwd)
scale=${BATON_BENCH_SCALE:-100000}
baton="$build/baton"
bench="$build/tests/bench/bench"
report="$build/bench-report.txt"
for f in "$baton" "$bench"; do
	[ -x "$f" ] || { echo "bench: $f is missing (make all tests $build/tests/bench/bench)" >&2; exit 1; }
done
case $scale in '' | *[!0-9]*) echo "bench: BATON_BENCH_SCALE must be a number" >&2; exit 2 ;; esac
phases=${BATON_BENCH_PHASES:-statements show console load import}
sections=${BATON_BENCH_SECTIONS:-customer finder queue signals lookup waiting}
keep=${BATON_BENCH_PGDATA:-}
case $keep in '' | /tmp/?*) ;; *) echo "bench: BATON_BENCH_PGDATA must be a directory under /tmp" >&2; exit 2 ;; esac
# phase NAME: is this phase asked for?
phase() { case " $phases " in *" $1 "*) return 0 ;; esac; return 1; }
consoles=${BATON_BENCH_CONSOLES:-100 500}
most=0
for n in $consoles; do
	case $n in '' | *[!0-9]*) echo "bench: BATON_BENCH_CONSOLES must be numbers" >&2; exit 2 ;; esac
	[ "$n" -gt "$most" ] && most=$n
done

t_start=$(date +%s)
# World-searchable parent: PostgreSQL runs as another OS user when we are root.
tmp=$(mktemp -d /tmp/baton-bench.XXXXXX)
chmod 0755 "$tmp"
sock="baton-bench-$$"
pg=${keep:-$tmp/pg}
cleanup() {
	tmux -L "$sock" kill-server >/dev/null 2>&1
	sh "$root/tests/lib/pgctl.sh" stop "$pg" >/dev/null 2>&1
	# Stopped here: its watcher has nothing left to do.
	[ -z "$watcher" ] || kill "$watcher" 2>/dev/null
	rm -rf "$tmp"
}
watcher=
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

log() { echo "bench: $*" >&2; }
# broke: stop with status 1; also from inside a { ... } | out block, whose
# subshell leaves a mark that the main shell checks with check_broke.
broke() {
	echo "bench: FAILED: $*" >&2
	echo "$*" >>"$tmp/broken"
	exit 1
}
check_broke() { [ ! -s "$tmp/broken" ] || exit 1; }

: >"$report" || broke "cannot write $report"
# out: append stdin to the report and show it
out() { tee -a "$report"; }
say() { printf '%s\n' "$*" | out; }

log "starting a throwaway PostgreSQL in $pg"
# Every console holds a session (LISTEN): room for the load phase's.
BATON_PG_MAX_CONNECTIONS=$((most + 60)) sh "$root/tests/lib/pgctl.sh" start "$pg" ||
	broke "could not start PostgreSQL"
# Killed outright, this shell runs no trap: the server still goes.
watcher=$(sh "$root/tests/lib/pgctl.sh" watch "$pg" $$)
export PGHOST="$pg" PGPORT="${BATON_PG_PORT:-5432}" PGUSER=postgres PGDATABASE=postgres
unset PGSERVICE PGPASSWORD PGOPTIONS
export LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC
# The console must not read the developer's own configuration or drafts.
export HOME="$tmp/home" XDG_CONFIG_HOME="$tmp/home/.config" XDG_STATE_HOME="$tmp/home/.local/state"
mkdir -p "$HOME"
# The console phase is a lead's console walking finder -> customer -> queue;
# a lead opens on the queue unless told otherwise.
mkdir -p "$XDG_CONFIG_HOME/baton"
printf 'ui:\n{\n  start_screen = "finder";\n};\n' >"$XDG_CONFIG_HOME/baton/baton.cfg"
unset BATON_CONFIG

reused=
if [ -n "$keep" ] && [ -s "$keep/generated" ]; then
	reused=$(cat "$keep/generated")
	[ "$reused" = "$scale" ] || broke "$keep holds scale $reused, not $scale (remove it to generate again)"
	log "reusing the data of $keep; applying the migrations it lacks"
	t0=$(date +%s)
	"$baton" -d dbname=bench migrate >"$tmp/migrate.log" 2>&1 || { cat "$tmp/migrate.log" >&2; broke "baton migrate"; }
	mig_s=$(($(date +%s) - t0))
	gen_s=0
	: >"$tmp/generate.log"
else
	[ -z "$keep" ] || { psql -X -q -d postgres -c 'DROP DATABASE IF EXISTS bench' >/dev/null 2>&1; rm -f "$keep/clustered"; }
	createdb bench || broke "createdb"
	"$baton" -d dbname=bench migrate >/dev/null || broke "baton migrate"
	log "generating data for $scale customers (about 2 minutes at 100000)"
	t0=$(date +%s)
	psql -X -q -v ON_ERROR_STOP=1 -v scale="$scale" -d bench -f "$root/sql/bench/generate.sql" \
		>"$tmp/generate.log" 2>&1 || { cat "$tmp/generate.log" >&2; broke "sql/bench/generate.sql"; }
	gen_s=$(($(date +%s) - t0))
	[ -z "$keep" ] || echo "$scale" >"$keep/generated"
fi

q() { psql -X -At -v ON_ERROR_STOP=1 -d bench -c "$1"; }

# A customer's screen reads its rows of these tables (by these indexes,
# customer first): generated, like rows written over months, each
# customer's are spread over the table, a page each.
clustered=
if [ "${BATON_BENCH_CLUSTER:-0}" = 1 ]; then
	log "rewriting the screen's tables in customer order (BATON_BENCH_CLUSTER)"
	t0=$(date +%s)
	for ti in handoff:handoff_customer_idx success_note:success_note_customer_idx \
		marketing_event:marketing_event_customer_idx ticket:ticket_customer_topic_idx \
		milestone:milestone_customer_id_position_key survey_response:survey_response_customer_idx \
		contact:contact_customer_idx; do
		psql -X -q -v ON_ERROR_STOP=1 -d bench -c "SET maintenance_work_mem = '1GB'" \
			-c "CLUSTER ${ti%%:*} USING ${ti#*:}" -c "VACUUM (ANALYZE) ${ti%%:*}" >/dev/null || broke "CLUSTER ${ti%%:*}"
	done
	clustered=$(($(date +%s) - t0))
	# Kept data stays so: later runs say when it was.
	[ -z "$keep" ] || date -u '+%Y-%m-%d %H:%M UTC' >"$keep/clustered"
fi
# Every page of the database in the server's cache, as on a server up all
# day whose shared_buffers hold the data (README.md, Sizing; pg_prewarm's
# autoprewarm keeps it so across restarts): the statements then read no
# page from the kernel's cache.
prewarmed=
if [ "${BATON_BENCH_PREWARM:-0}" = 1 ]; then
	log "reading every table and index into shared_buffers (BATON_BENCH_PREWARM)"
	t0=$(date +%s)
	q "SET client_min_messages = warning; CREATE EXTENSION IF NOT EXISTS pg_prewarm" >/dev/null || broke "CREATE EXTENSION pg_prewarm"
	pages=$(q "SELECT sum(pg_prewarm(c.oid)) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
	           WHERE n.nspname IN ('public', 'pg_toast') AND c.relkind IN ('r', 'i', 't', 'm')
	             AND c.relpersistence = 'p'") || broke "pg_prewarm"
	fits=$(q "SELECT CASE WHEN pg_database_size('bench') <= pg_size_bytes(current_setting('shared_buffers'))
	             THEN 'the whole database fits in shared_buffers'
	             ELSE 'the database is larger than shared_buffers: the pages read last pushed out the first' END")
	prewarmed="$pages pages read into shared_buffers in $(($(date +%s) - t0)) s (BATON_BENCH_PREWARM): $fits"
fi
# The median of 5 runs of a statement in one psql session (after a first,
# which loads the session's caches), in ms.
median_ms() {
	printf '\\timing on\n%s;\n%s;\n%s;\n%s;\n%s;\n%s;\n' "$1" "$1" "$1" "$1" "$1" "$1" |
		psql -X -q -d bench | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | sed 1d | sort -n | sed -n 3p
}
# Whether the server's shared memory is in huge pages (huge_pages=try, the
# default, falls back to 4 kB pages without a word when the kernel has too
# few reserved): the postmaster's hugetlb pages, which it touched at start.
huge_pages() {
	pid=$(sed -n 1p "$pg/data/postmaster.pid" 2>/dev/null)
	kb=$(sed -n 's/^HugetlbPages:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$pid/status" 2>/dev/null)
	need=$(q 'SHOW shared_memory_size_in_huge_pages')
	if [ "${kb:-0}" -gt 0 ]; then
		echo "yes ($need of $(cat /proc/sys/vm/nr_hugepages) reserved pages; README.md, Sizing)"
	else
		free=$(awk '/^HugePages_Free:/ { f = $2 } /^HugePages_Rsvd:/ { r = $2 } END { print f - r }' /proc/meminfo)
		echo "no: the server needs $need, the kernel has $free free (vm.nr_hugepages" \
			"$(cat /proc/sys/vm/nr_hugepages)); README.md, Sizing: CPU per write and screen times are much worse without"
	fi
}
calibrate() {
	echo "CPU $(median_ms 'SELECT sum(hashint8(i)) FROM generate_series(1, 2000000) i') ms," \
		"select 1 $(median_ms 'SELECT 1') ms"
}

{
	echo "Baton benchmark report"
	echo "======================"
	echo "date:      $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "machine:   $(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)), $(awk '/MemTotal/ {printf "%d MB RAM", $2/1024}' /proc/meminfo)"
	echo "server:    $(q 'SHOW server_version') on a Unix socket (fsync off, as tests/lib/pgctl.sh starts it);" \
		"shared_buffers $(q 'SHOW shared_buffers'), work_mem $(q 'SHOW work_mem'), jit $(q 'SHOW jit')," \
		"max_parallel_workers_per_gather $(q 'SHOW max_parallel_workers_per_gather')"
	echo "           huge pages: $(huge_pages)"
	if [ -n "$reused" ]; then
		echo "data:      scale $scale, reused from $keep; its new migrations took ${mig_s} s:"
		sed 's/^/           /' "$tmp/migrate.log"
	else
		echo "data:      scale $scale (sql/bench/generate.sql), generated in ${gen_s} s"
	fi
	if [ -n "$clustered" ]; then
		echo "           the screen's tables rewritten in customer order (CLUSTER, BATON_BENCH_CLUSTER) in ${clustered} s"
	elif [ -n "$reused" ] && [ -s "$keep/clustered" ]; then
		echo "           the screen's tables rewritten in customer order by an earlier run (BATON_BENCH_CLUSTER," \
			"$(cat "$keep/clustered")), kept since"
	fi
	[ -z "$prewarmed" ] || echo "           $prewarmed"
	echo "           size of the database" \
		"$(q "SELECT pg_size_pretty(pg_database_size('bench'))")"
	echo "           $(sed -n 's/^baton bench: \(signals cache filled: .*\)/\1/p' "$tmp/generate.log")"
	echo "rows:      $(q "SELECT string_agg(relname || ' ' || n_live_tup, ', ' ORDER BY n_live_tup DESC)
		FROM pg_stat_user_tables WHERE n_live_tup > 0")"
	# The same machine runs 1.5-3x slower from one hour to the next (other
	# guests on its cores): a fixed statement's time, to compare runs by.
	echo "calibration: $(calibrate) (median of 5: the sum of 2,000,000 hashes in one statement,"
	echo "           and one round trip of select 1: two runs whose calibrations differ ran on a"
	echo "           machine that differed, and their other figures say less about Baton)"
	echo "client:    $bench (the core's own statements and db_pipeline), on the same machine;"
	echo "           times are wall clock (CLOCK_MONOTONIC) per round trip, in ms, including"
	echo "           planning (the console sends unnamed, unprepared statements)"
} | out

# Who the benchmark is: a Support member for the screen and the finder, the
# Support lead for the queue (generate.sql: bench_staff_01, 11, 21, 31 lead
# support, success, onboarding, marketing; the others are members).
member=bench_staff_02
lead=bench_staff_01
[ "$(q "SELECT is_lead FROM staff WHERE role_name = '$lead'")" = t ] || broke "$lead is not a lead in the generated data"

export BATON_BENCH_SUMMARY="$tmp/summary.txt"
: >"$BATON_BENCH_SUMMARY"
if phase statements; then
log "measuring the customer screen, the finder and the queue"
{
	# shellcheck disable=SC2086 # the sections are words
	"$bench" -d "dbname=bench user=$member" -l "dbname=bench user=$lead" -a "dbname=bench user=postgres" $sections
	echo $? >"$tmp/bench.rc"
} | out
[ "$(cat "$tmp/bench.rc")" = 0 ] || broke "the bench program failed"
fi

# `baton show DOMAIN` from start to exit, beside `psql -c 'select 1'` on the
# same server: 20 runs each, other customers than the warm-up's.
wall_ms() { _t0=$(date +%s%N); "$@" >/dev/null 2>&1 || echo "failed: $*" >>"$tmp/broken"; echo $((($(date +%s%N) - _t0) / 1000000)); }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# `baton signals` whole, streamed: process start to exit, to its first
# byte out, and its peak memory (/usr/bin/time's maximum resident set).
if phase statements && case " $sections " in *" signals "*) true ;; *) false ;; esac; then
log "timing the baton signals dumps"
{
	echo
	echo "== baton signals (CLI, $member): the whole list and the suppression list, 3 runs each"
	for what in list suppression; do
		for f in text json csv; do
			: >"$tmp/cli.ms"
			: >"$tmp/cli.first"
			: >"$tmp/cli.rss"
			for i in 1 2 3; do
				t0=$(date +%s%N)
				/usr/bin/time -f '%M' -o "$tmp/cli.rss1" "$baton" -d "dbname=bench user=$member" signals "$what" \
					--format "$f" 2>"$tmp/cli.err" |
					{ head -c 1 >/dev/null; echo $((($(date +%s%N) - t0) / 1000000)) >>"$tmp/cli.first"; cat >/dev/null; }
				echo $((($(date +%s%N) - t0) / 1000000)) >>"$tmp/cli.ms"
				tail -n 1 "$tmp/cli.rss1" >>"$tmp/cli.rss"
			done
			printf '  signals %-11s --format %-4s  wall median %5d ms, first byte median %5d ms, peak memory %6d kB\n' \
				"$what" "$f" "$(median <"$tmp/cli.ms")" "$(median <"$tmp/cli.first")" \
				"$(sort -n "$tmp/cli.rss" | tail -n 1)"
		done
	done
} | out
fi

if phase show; then
log "timing baton show beside psql"
{
	echo
	echo "== 9. baton show wall time (process start to exit, $member, by domain) beside psql -c 'select 1'"
	doms=$(q "SELECT domain FROM customer WHERE domain IS NOT NULL ORDER BY (id * 7919) % 100003 LIMIT 25")
	i=0
	for d in $doms; do
		i=$((i + 1))
		if [ "$i" -le 5 ]; then
			wall_ms "$baton" -d "dbname=bench user=$member" show "$d" >/dev/null
			wall_ms psql -X -q -d "dbname=bench user=$member" -c 'select 1' >/dev/null
			continue
		fi
		wall_ms "$baton" -d "dbname=bench user=$member" show "$d" >>"$tmp/show.ms"
		wall_ms psql -X -q -d "dbname=bench user=$member" -c 'select 1' >>"$tmp/psql.ms"
	done
	s=$(median <"$tmp/show.ms")
	p=$(median <"$tmp/psql.ms")
	_v=ok
	[ $((s * 2)) -le $((p * 3)) ] || _v=MISSES
	printf '  baton show median %d ms, psql select 1 median %d ms (%d runs each): ratio %s   target <= 1.5: %s\n' \
		"$s" "$p" "$(wc -l <"$tmp/show.ms")" "$(awk -v a="$s" -v b="$p" 'BEGIN { printf "%.2f", b ? a / b : 0 }')" "$_v"
	printf 'baton show wall           median %d ms vs psql select 1 %d ms                        target <= 1.5x: %s\n' \
		"$s" "$p" "$_v" >>"$BATON_BENCH_SUMMARY"
} | out
check_broke
fi

if phase console; then
# --- the console in tmux ----------------------------------------------------------

tm() { tmux -L "$sock" "$@"; }
screen() { tm capture-pane -p -t "$S"; }
# wait_for TEXT [SECONDS]: until the screen shows TEXT
wait_for() {
	_i=0
	while [ "$_i" -lt $((${2:-20} * 10)) ]; do
		screen | grep -qF -- "$1" && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	echo "bench: timed out waiting for '$1' on the screen:" >&2
	screen >&2
	[ -s "$tmp/$S.err" ] && cat "$tmp/$S.err" >&2
	return 1
}
keys() { tm send-keys -t "$S" "$@"; }
# settle FILE: wait until FILE has stopped growing (60 ms without output)
settle() {
	_last=-1
	_same=0
	_i=0
	while [ "$_same" -lt 3 ] && [ "$_i" -lt 100 ]; do
		_now=$(stat -c %s "$1" 2>/dev/null || echo 0)
		if [ "$_now" = "$_last" ]; then _same=$((_same + 1)); else _same=0; fi
		_last=$_now
		sleep 0.02
		_i=$((_i + 1))
	done
	echo "$_last"
}

# start NAME COLS ROWS: the console as the Support lead, with a unique
# application_name to find its pid
start_console() {
	S=$1
	app="baton_bench_$1_$$"
	: >"$tmp/$S.err"
	tm -f /dev/null new-session -d -s "$S" -x "$2" -y "$3" \
		"env TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC '$baton' -d 'dbname=bench user=$lead application_name=$app' 2>'$tmp/$S.err'; sleep 600" ||
		broke "tmux"
	tm set-option -t "$S" status off >/dev/null
	wait_for "live" && wait_for "Waiting for you" || broke "the console did not start"
	pid=""
	_i=0
	while [ -z "$pid" ] && [ "$_i" -lt 50 ]; do
		pid=$(pgrep -n -f "^$baton -d dbname=bench user=$lead application_name=$app\$")
		[ -n "$pid" ] || sleep 0.1
		_i=$((_i + 1))
	done
	[ -n "$pid" ] || broke "cannot find the console's pid"
}
kb() { sed -n "s/^$1:[[:space:]]*\([0-9]*\) kB/\1/p" "/proc/$pid/status"; }
pss() { sed -n 's/^Pss:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$pid/smaps_rollup"; }
# The shared libraries with the most resident pages: "libcrypto 2904, ..."
top_libs() {
	awk '/^[0-9a-f]+-[0-9a-f]+ / { lib = ($6 ~ /\.so/) ? $6 : "" }
	     /^Rss:/ && lib != "" { n = lib; sub(/.*\//, "", n); sub(/\.so.*/, "", n); rss[n] += $2 }
	     END { for (l in rss) print rss[l], l }' "/proc/$pid/smaps" |
		sort -rn | head -n 6 | awk '{ printf "%s%s %d", (NR > 1 ? ", " : ""), $2, $1 }'
}

# A key account (10x the data), opened from the finder by its full name.
key_name=$(q "SELECT name FROM customer WHERE id = (SELECT max(id) FROM customer WHERE id % 100 = 1 AND id <= 101)")
key_dom=$(q "SELECT left(domain, 12) FROM customer WHERE name = \$\$$key_name\$\$")
notes_rows=$(q "SELECT least(100, count(*)) FROM success_note n JOIN customer c ON c.id = n.customer_id WHERE c.name = \$\$$key_name\$\$")
open_key_account() {
	# In a list, '/' moves to the Find field; in the field it is text that
	# the second Ctrl-U clears.
	keys C-u
	keys /
	keys C-u
	keys -l "$key_name"
	wait_for "$key_dom" || broke "the finder did not find '$key_name'"
	keys Enter
	wait_for "Handoffs" || broke "the customer screen did not load"
	sleep 0.3
}

# Peak memory: finder, a search, a key account's screen, Tab through its
# panels, back, the queue.
memory_run() { # COLS ROWS
	start_console "mem$1" "$1" "$2"
	rss_start=$(kb VmRSS)
	open_key_account
	for _t in 1 2 3 4 5 6; do keys Tab; sleep 0.1; done
	rss_customer=$(kb VmRSS)
	keys q
	wait_for "Find:" || broke "back to the finder"
	# Back on the start screen the Find field has the focus (L would be
	# typed there): Tab moves to the lists, where L opens the queue.
	keys Tab
	keys L
	wait_for "not ack" || broke "the queue did not load"
	sleep 0.5
	rss_queue=$(kb VmRSS)
	hwm=$(kb VmHWM)
	_v="ok (< 8 MB)"
	[ "$hwm" -ge 8192 ] && _v="MISSES (< 8 MB)"
	printf '  %-8s %10s %12s %10s %8s %8s %8s %6s  %s\n' "$1x$2" "$rss_start" "$rss_customer" "$rss_queue" \
		"$hwm" "$(kb RssAnon)" "$(kb RssFile)" "$(pss)" "$_v"
	libs=$(top_libs)
	printf 'console peak memory %-6s VmHWM %d KB (RssAnon %s KB, RssFile %s KB, Pss %s KB)     target < 8192 KB: %s\n' \
		"$1x$2" "$hwm" "$(kb RssAnon)" "$(kb RssFile)" "$(pss)" "${_v%% *}" >>"$BATON_BENCH_SUMMARY"
	keys Q
}

log "measuring the console's memory (tmux, 120x40 and 80x24)"
{
	echo
	echo "== 4. Console memory (the real console in tmux, as $lead, VmRSS/VmHWM from /proc, KB)"
	echo "  scenario: start, type the name of key account \"$key_name\", Enter, Tab x6,"
	echo "  q, L (queue, default view \"my teams\")"
	echo "  (RssAnon: the process's own memory; RssFile: mapped files, mostly shared libraries whose"
	echo "  pages every baton and psql on the host share; Pss: RSS with shared pages divided among"
	echo "  the processes that map them)"
	printf '  %-8s %10s %12s %10s %8s %8s %8s %6s  %s\n' size "RSS start" "RSS customer" "RSS queue" \
		"VmHWM" RssAnon RssFile Pss "target (VmHWM)"
	memory_run 120 40
	memory_run 80 24
	echo "  resident pages per shared library at 80x24 (KB): $libs"
	# What the libraries cost before Baton does anything: the same binary
	# printing its version, and psql running one statement.
	/usr/bin/time -f '%M' -o "$tmp/base.rss" "$baton" --version >/dev/null 2>&1 || broke "baton --version"
	/usr/bin/time -f '%M' -o "$tmp/psql.rss" psql -X -q -d "dbname=bench user=$lead" -c 'select 1' >/dev/null 2>&1 ||
		broke "psql -c 'select 1'"
	echo "  for comparison, peak memory (KB) of baton --version $(tail -n 1 "$tmp/base.rss")" \
		"and of psql -c 'select 1' $(tail -n 1 "$tmp/psql.rss"): the libraries' share"
} | out
check_broke

# Bytes per cursor move at 80x24: every byte the console writes, captured by
# pipe-pane, for 50 presses of KEY ('j', or NPage for page-down), each given
# time to be drawn.  A press at the end of a list writes nothing: it is
# counted apart (nop), not as a free move in the average.
moves() { # LABEL [KEY]
	_f="$tmp/$S.pipe"
	_before=$(settle "$_f")
	_min=999999
	_max=0
	_zero=0
	_list=""
	_prev=$_before
	for _k in $(seq 1 50); do
		keys "${2:-j}"
		_now=$(settle "$_f")
		_d=$((_now - _prev))
		_prev=$_now
		[ "$_d" -lt "$_min" ] && _min=$_d
		[ "$_d" -gt "$_max" ] && _max=$_d
		[ "$_d" -eq 0 ] && _zero=$((_zero + 1))
		_list="$_list $_d"
	done
	_total=$((_prev - _before))
	_med=$(echo "$_list" | tr ' ' '\n' | sed '/^$/d' | sort -n | sed -n 25p)
	# Moves that only move the marker (within 1.5x the cheapest move that
	# wrote anything) and those that scroll or redraw rows.
	_split=$(echo "$_list" | tr ' ' '\n' | sed '/^$/d' | awk '
		$1 > 0 { v[++n] = $1; if (min == "" || $1 < min) min = $1 }
		END { for (i = 1; i <= n; i++) if (v[i] <= 1.5 * min) { a++; sa += v[i] } else { b++; sb += v[i] }
		      printf "%d at %d, %d at %d", a, a ? sa / a : 0, b, b ? sb / b : 0 }')
	_moved=$((50 - _zero))
	[ "$_moved" -gt 0 ] || _moved=1
	_per=$((_total / _moved))
	_v="ok (< 100)"
	[ "$_per" -ge 100 ] && _v="MISSES (< 100)"
	[ "${2:-j}" = j ] || _v="(reported)"
	printf '  %-44s %6d %6d %6d %4d %4d %3d  %-22s %s\n' "$1" "$_total" "$_per" "$_med" "$_min" "$_max" "$_zero" "$_split" "$_v"
	printf 'bytes per move 80x24      %-44s %4d (marker-only moves: %s)   target < 100: %s\n' \
		"${1%% (*}" "$_per" "${_split%%,*}" "${_v%% *}" >>"$BATON_BENCH_SUMMARY"
}

log "measuring bytes per cursor move at 80x24"
{
	echo
	echo "== 5. Bytes written to the terminal per cursor move ('j'), 80x24, TERM=xterm-256color"
	echo "  (tmux pipe-pane capture of everything the console writes; 50 presses, each drawn"
	echo "  before the next; 'nop' counts presses at the end of a list that wrote nothing, which"
	echo "  '/move' leaves out: it is total bytes per press that moved something)"
	echo "  'marker / scroll' splits the moves that wrote something into those that only moved"
	echo "  the marker (within 1.5x the cheapest) and those that scrolled or redrew: count at mean bytes"
	printf '  %-44s %6s %6s %6s %4s %4s %3s  %-22s %s\n' screen total "/move" median min max nop "marker / scroll" target
	start_console bytes 80 24
	tm pipe-pane -o -t "$S" "cat >> '$tmp/$S.pipe'"
	sleep 0.3
	# The finder's waiting list (focus moves there with Esc on an empty field).
	keys Escape
	settle "$tmp/$S.pipe" >/dev/null
	n_wait=$(q "SELECT count(*) FROM (SELECT 1 FROM handoff h WHERE h.state IN ('open', 'acknowledged') AND (h.to_staff = '$lead' OR h.to_team = 'support') LIMIT 100) x")
	moves "finder: waiting list ($n_wait rows)"
	moves "finder: waiting list, page-down" NPage
	# Opening a screen: the bytes from Enter to the key account's screen drawn.
	_f="$tmp/$S.pipe"
	_b0=$(settle "$_f")
	open_key_account
	_b1=$(settle "$_f")
	printf '  %-44s %6d\n' "opening the key account's customer screen" $((_b1 - _b0))
	printf 'opening a screen 80x24    %d bytes (find the key account, Enter, drawn)\n' $((_b1 - _b0)) >>"$BATON_BENCH_SUMMARY"
	# A key account's screen: the tickets panel (Tab once), then the notes.
	keys Tab
	n_tickets=$(q "SELECT count(*) FROM ticket t JOIN customer c ON c.id = t.customer_id WHERE c.name = \$\$$key_name\$\$ AND t.status NOT IN ('solved', 'closed')")
	moves "customer: tickets panel ($n_tickets open + 10 solved)"
	keys Tab
	moves "customer: success notes panel ($notes_rows rows)"
	keys g
	moves "customer: success notes panel, page-down" NPage
	keys q
	wait_for "Find:" >/dev/null
	keys Tab
	keys L
	wait_for "not ack" || broke "the queue did not load"
	moves "queue: default view (up to 4x500 rows)"
	tm pipe-pane -t "$S"
} | out
check_broke
fi

if phase load; then
log "the load phase: $consoles consoles"
{
	"$bench" -d "dbname=bench user=$member" -D "$pg/data" load
	echo $? >"$tmp/bench.rc"
} | out
[ "$(cat "$tmp/bench.rc")" = 0 ] || broke "the load phase failed"
fi

# --- the import phase (tests/bench/import.sh: its own database, generated files) ---
if phase import; then
log "the import phase: generated files through baton import, beside psql \\copy"
# Does the console stay responsive?  The customer screen fetch, measured
# again and again (on the bench database) while the import runs.
rm -f "$tmp/import.done"
(
	while [ ! -e "$tmp/import.done" ]; do
		BATON_BENCH_SUMMARY= "$bench" -d "dbname=bench user=$member" customer || break
	done
) >"$tmp/during.txt" 2>&1 &
during=$!
{
	sh "$root/tests/bench/import.sh" "$baton" "$tmp/import"
	echo $? >"$tmp/import.rc"
} | out
: >"$tmp/import.done"
wait "$during"
{
	echo "  the customer screen fetch while the import ran (tests/bench/bench customer, repeated;"
	echo "  target: p99 within 2x of the statements phase's, which the summary shows):"
	grep -E '^ +(all sampled|regular|key accounts)|median|load' "$tmp/during.txt" | sed 's/^/  /'
	# The worst pass beside the statements phase's p99 (the report's first
	# two "all sampled customers" lines: the statements' own path, then
	# the console's; each pass above prints the two in that order).
	quiet=$(grep -m 2 '^  all sampled customers ' "$report" | awk '{ printf "%s ", $7 }')
	if [ -z "$quiet" ]; then
		echo "  no statements phase's screen fetch p99 to compare with (BATON_BENCH_PHASES, BATON_BENCH_SECTIONS)"
	elif ! grep -q '^ *all sampled customers ' "$tmp/during.txt"; then
		echo "  no pass of the screen fetch ended while the import ran"
	fi >"$tmp/during_worst.txt"
	[ -z "$quiet" ] || grep '^ *all sampled customers ' "$tmp/during.txt" | awk -v quiet="$quiet" '
		{ k = (NR - 1) % 2; if ($7 + 0 > w[k]) w[k] = $7 + 0; n[k]++ }
		END {
			split(quiet, q, " ")
			for (k = 0; k < 2; k++)
				if (n[k] && q[k + 1] + 0 > 0)
					printf "  worst p99 while importing, %s: %.2f ms, %.2fx the statements phase'"'"'s %.2f ms (%d %s)  target within 2x: %s\n",
					       k ? "the console'"'"'s path" : "all sampled customers", w[k], w[k] / q[k + 1], q[k + 1], n[k],
					       n[k] == 1 ? "pass" : "passes", w[k] <= 2 * q[k + 1] ? "ok" : "MISSES"
		}' >>"$tmp/during_worst.txt"
	cat "$tmp/during_worst.txt"
} | out
sed 's/^  worst p99 while importing, /screen fetch while importing, /; s/^  no /screen fetch while importing: no /' \
	"$tmp/during_worst.txt" >>"$BATON_BENCH_SUMMARY"
[ "$(cat "$tmp/import.rc")" = 0 ] || broke "the import phase failed"
fi

elapsed=$(($(date +%s) - t_start))
{
	echo
	echo "== Summary (targets: screen fetch p99 < 2 ms, finder p99 < 10 ms, queue p99 < 20 ms,"
	echo "   customer lookup and waiting list p99 < 5 ms, baton show within 1.5x of psql,"
	echo "   console RSS < 8 MB, < 100 bytes per cursor move at 80x24; load: every console connected,"
	echo "   p99 write-to-all-affected < 1 s, server CPU < 50%, no failures; a report, nothing fails on them)"
	sed 's/^/  /' "$BATON_BENCH_SUMMARY"
	echo
	echo "whole run (server, data, measurements): ${elapsed} s; report also in $report"
} | out
exit 0
