#!/bin/sh
# make demo: a private throwaway PostgreSQL with the demo data, and the
# console opened on it as a demo staff member.  BATON_DEMO_USER picks who you
# are (default ana, Support; try lee, the Success lead).  BATON_DEMO_DIR keeps
# the server's files.
#
# Several demos share one server: a second `make demo` (say as ben while ana's
# runs) joins the running server, and the server stops when the last demo
# console exits.  Two locks in the demo directory make that safe:
#   demo.users  every running demo holds it shared for its whole life;
#   demo.gate   held exclusively while a demo starts the server or leaves,
#               so a start never overlaps a stop and two demos leaving at
#               once cannot both believe the other is still there.
# A demo that leaves drops its shared lock and, still holding the gate, tries
# the users lock exclusively without waiting: only the last one gets it, and
# it stops the server.  Locks die with their holders, so a killed demo does
# not keep the server up (nor stop it under the others).
set -eu
bin=${1:?usage: demo.sh path/to/baton}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
user=${BATON_DEMO_USER:-ana}
dir=${BATON_DEMO_DIR:-/tmp/baton-demo-$(id -u)}

if [ ! -t 0 ] || [ ! -t 1 ]; then
	echo "make demo: run it in a terminal" >&2
	exit 2
fi

# /tmp is world-writable: whoever made the directory first controls what we
# run against, so use it only if it is ours (or, as root, the server's OS
# user's, as pgctl.sh leaves it) and a real directory, not a symlink.
demo_check_dir() {
	mkdir -m 0755 "$dir" 2>/dev/null || true
	if [ -L "$dir" ] || [ ! -d "$dir" ]; then
		echo "make demo: $dir is not a directory of ours (a symlink or a file); set BATON_DEMO_DIR" >&2
		exit 1
	fi
	_owner=$(stat -c %u "$dir")
	if [ "$_owner" != "$(id -u)" ] &&
		{ [ "$(id -u)" != 0 ] || [ "$_owner" != "$(id -u "${BATON_PG_OSUSER:-postgres}")" ]; }; then
		echo "make demo: $dir belongs to another user (uid $_owner); set BATON_DEMO_DIR" >&2
		exit 1
	fi
	# Nobody else may add files (our lock files) to it.
	chmod 0755 "$dir"
}

# The server must not inherit the lock descriptors: a lock belongs to the
# open file, so the server would keep the shared lock of a demo that was
# killed outright, and no demo could ever be the last one.
pgctl() { sh "$here/pgctl.sh" "$@" 8>&- 9>&-; }

demo_leave() {
	flock -w 120 8 || return 0
	flock -u 9
	if flock -xn 9; then
		pgctl stop "$dir"
	fi
	flock -u 8
}

demo_check_dir
exec 8>>"$dir/demo.gate" 9>>"$dir/demo.users"
flock -w 120 8 || { echo "make demo: another demo is still starting or stopping in $dir" >&2; exit 1; }
flock -s 9
trap demo_leave EXIT
trap 'exit 130' INT TERM HUP

if pgctl status "$dir"; then
	echo "joining the demo server running in $dir" >&2
else
	pgctl start "$dir"
fi
export PGHOST="$dir" PGUSER=postgres
if ! psql -d postgres -XAtqc "SELECT 1 FROM pg_database WHERE datname = 'baton'" | grep -q 1; then
	createdb baton
fi
"$bin" -d "dbname=baton" migrate >/dev/null
if [ "$(psql -d baton -XAtqc 'SELECT count(*) FROM customer')" = 0 ]; then
	echo "loading the demo data..." >&2
	psql -d baton -X -v ON_ERROR_STOP=1 -q -1 -f "$root/sql/demo.sql" >/dev/null
fi
flock -u 8
unset PGUSER
"$bin" -d "host=$dir dbname=baton user=$user"
