#!/bin/sh
# A throwaway PostgreSQL server that listens only on a Unix socket inside its
# own directory.  PostgreSQL refuses to run as root, so as root the server
# runs as the 'postgres' OS user (or $BATON_PG_OSUSER) in a directory it owns.
#
#   pgctl.sh start DIR   initdb (if needed) and start; prints nothing
#   pgctl.sh stop DIR    stop fast, then immediate if it lingers
#   pgctl.sh crash DIR   stop immediately, as a crash would (then start
#                        recovers)
#   pgctl.sh status DIR  exit status 0 if the server of DIR is running
#   pgctl.sh env DIR     print PGHOST/PGPORT/PGUSER/PGDATABASE exports
#   pgctl.sh watch DIR PID  stop the server of DIR once process PID is gone:
#                        the harness's traps stop it, but a harness killed
#                        outright (SIGKILL, its process group killed) runs
#                        none, and its server would run on.  The watchdog is
#                        a session of its own, so it outlives that group.
#
# DIR must not exist yet or be a previous pgctl.sh directory; every parent must
# be searchable by the server's OS user (use /tmp, not /root).
# BATON_PG_MAX_CONNECTIONS: max_connections (200; the bench's load phase
# needs more).  BATON_PG_SHARED_BUFFERS: shared_buffers (128MB, PostgreSQL's
# default; e.g. 6GB to measure a server sized as README.md says).
# BATON_PG_HUGE_PAGES: huge_pages (try, PostgreSQL's default: used when the
# kernel has enough reserved, vm.nr_hugepages; on: refuse to start without).
set -eu
cmd=${1:?usage: pgctl.sh start|stop|crash|status|env DIR}
dir=${2:?usage: pgctl.sh start|stop|crash|status|env DIR}
here=$(cd "$(dirname "$0")" && pwd)
bindir=$(sh "$here/pgbin.sh") || { echo "pgctl: PostgreSQL server binaries not found (apt-get install postgresql)" >&2; exit 1; }
port=${BATON_PG_PORT:-5432}

. "$here/pgowner.sh"

case $cmd in
start)
	mkdir -p "$dir"
	chmod 0755 "$dir"
	if [ "$(id -u)" = 0 ]; then
		chown "${BATON_PG_OSUSER:-postgres}" "$dir"
	fi
	if [ ! -f "$dir/data/PG_VERSION" ]; then
		as_owner "$bindir/initdb" -D "$dir/data" -U postgres -A trust \
			-E UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 ||
			{ cat "$dir/initdb.log" >&2; exit 1; }
	fi
	buffers=${BATON_PG_SHARED_BUFFERS:-128MB}
	huge=${BATON_PG_HUGE_PAGES:-try}
	case $huge in
	try | on | off) ;;
	*) echo "pgctl.sh: BATON_PG_HUGE_PAGES: try, on or off, not '$huge'" >&2; exit 2 ;;
	esac
	case $buffers in
	*[!0-9A-Za-z]* | '') echo "pgctl.sh: BATON_PG_SHARED_BUFFERS: a size such as 6GB, not '$buffers'" >&2; exit 2 ;;
	esac
	# No TCP at all: listen_addresses='' and the socket inside DIR.
	as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
		-o "-c listen_addresses='' -k $dir -p $port -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=${BATON_PG_MAX_CONNECTIONS:-200} -c shared_buffers=$buffers -c huge_pages=$huge -c log_line_prefix='%m [%p] db=%d app=%a '" \
		start >/dev/null ||
		{ cat "$dir/server.log" >&2; exit 1; }
	;;
stop)
	[ -f "$dir/data/postmaster.pid" ] || exit 0
	as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w -t 20 stop >/dev/null 2>&1 ||
		as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate -w -t 20 stop >/dev/null 2>&1 || true
	;;
crash)
	# As if the machine lost power: every backend ends at once, none
	# finishes what it was doing (a fast stop lets a waiting one commit).
	# With synchronous_commit off, commits of the last moment may be lost
	# too, and unlogged tables (baton_presence) come back empty.
	[ -f "$dir/data/postmaster.pid" ] || { echo "pgctl.sh: no server running in $dir" >&2; exit 1; }
	as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate -w -t 20 stop >/dev/null ||
		{ echo "pgctl.sh: could not stop the server in $dir at once" >&2; exit 1; }
	;;
status)
	[ -f "$dir/data/postmaster.pid" ] &&
		as_owner "$bindir/pg_ctl" -D "$dir/data" status >/dev/null 2>&1
	;;
env)
	echo "export PGHOST='$dir' PGPORT='$port' PGUSER=postgres PGDATABASE=postgres"
	;;
watch)
	pid=${3:?usage: pgctl.sh watch DIR PID}
	# Prints the watcher's PID: the caller that stops the server itself
	# ends its watcher too, which would otherwise stop the next server a
	# run keeping DIR (make bench's BATON_BENCH_PGDATA) starts there.
	setsid sh -c 'while kill -0 "$1" 2>/dev/null; do sleep 2; done; sh "$2" stop "$3"' \
		pgctl-watch "$pid" "$here/pgctl.sh" "$dir" </dev/null >/dev/null 2>&1 &
	echo $!
	;;
*)
	echo "usage: pgctl.sh start|stop|crash|status|env|watch DIR" >&2; exit 2 ;;
esac
