#!/bin/sh
# pgbouncer in session mode in front of a tests/lib/pgctl.sh server, on a
# Unix socket inside its own directory (no TCP), as the server's OS user
# (pgbouncer refuses to run as root).  BATON_PGBOUNCER_MODE=transaction
# starts it in transaction mode instead, which Baton does not support (for
# the tests that show it is noticed).
#
#   pgbouncer.sh start PRIMARY_DIR DIR ROLE...  start; ROLEs may log in
#   pgbouncer.sh stop DIR                      stop it (its pid file)
#   pgbouncer.sh env DIR                       the PGHOST/PGPORT to use it
set -eu
cmd=${1:?usage: pgbouncer.sh start PRIMARY_DIR DIR ROLE... | stop DIR | env DIR}
port=${BATON_PG_PORT:-5432}
bport=6432

here=$(cd "$(dirname "$0")" && pwd)
. "$here/pgowner.sh"

case $cmd in
start)
	primary=${2:?primary directory}
	dir=${3:?pgbouncer directory}
	shift 3
	bin=$(command -v pgbouncer || echo /usr/sbin/pgbouncer)
	[ -x "$bin" ] || { echo "pgbouncer: not installed (apt-get install pgbouncer)" >&2; exit 1; }
	mkdir -p "$dir"
	chmod 0755 "$dir"
	# trust as the test server itself: who may log in is still listed.
	: >"$dir/userlist.txt"
	for role in postgres "$@"; do
		printf '"%s" ""\n' "$role" >>"$dir/userlist.txt"
	done
	cat >"$dir/pgbouncer.ini" <<INI
[databases]
* = host=$primary port=$port

[pgbouncer]
; session mode: a client keeps its server connection, so LISTEN,
; prepared statements and session_user work as without a pooler.
pool_mode = ${BATON_PGBOUNCER_MODE:-session}
listen_addr =
unix_socket_dir = $dir
listen_port = $bport
auth_type = trust
auth_file = $dir/userlist.txt
admin_users = postgres
max_client_conn = 200
default_pool_size = 50
logfile = $dir/pgbouncer.log
pidfile = $dir/pgbouncer.pid
INI
	[ "$(id -u)" = 0 ] && chown -R "${BATON_PG_OSUSER:-postgres}" "$dir"
	as_owner "$bin" -d "$dir/pgbouncer.ini" >/dev/null 2>"$dir/start.err" ||
		{ cat "$dir/start.err" "$dir/pgbouncer.log" >&2 2>/dev/null; exit 1; }
	i=0
	while [ ! -S "$dir/.s.PGSQL.$bport" ] && [ "$i" -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -S "$dir/.s.PGSQL.$bport" ] || { cat "$dir/pgbouncer.log" >&2; exit 1; }
	;;
stop)
	dir=${2:?pgbouncer directory}
	[ -f "$dir/pgbouncer.pid" ] || exit 0
	pid=$(cat "$dir/pgbouncer.pid")
	kill "$pid" 2>/dev/null || exit 0
	i=0
	while kill -0 "$pid" 2>/dev/null && [ "$i" -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	;;
env)
	dir=${2:?pgbouncer directory}
	echo "export PGHOST='$dir' PGPORT='$bport'"
	;;
*)
	echo "usage: pgbouncer.sh start PRIMARY_DIR DIR ROLE... | stop DIR | env DIR" >&2; exit 2 ;;
esac
