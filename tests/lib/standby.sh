#!/bin/sh
# A streaming standby of a tests/lib/pgctl.sh server, made the way an
# administrator would: pg_basebackup -R (streaming, standby.signal), then
# started like the primary, on a Unix socket inside its own directory and
# as the same OS user.  Stop it with 'pgctl.sh stop DIR' like any other.
#
#   standby.sh start PRIMARY_DIR DIR   base backup (if needed) and start
#   standby.sh promote DIR             pg_ctl promote, waiting until done
#   standby.sh caught_up PRIMARY_DIR DIR
#                                      exit status 0 once DIR has replayed
#                                      everything the primary has written
set -eu
cmd=${1:?usage: standby.sh start PRIMARY_DIR DIR | promote DIR | caught_up PRIMARY_DIR DIR}
here=$(cd "$(dirname "$0")" && pwd)
bindir=$(sh "$here/pgbin.sh") || { echo "standby: PostgreSQL server binaries not found" >&2; exit 1; }
port=${BATON_PG_PORT:-5432}

. "$here/pgowner.sh"

case $cmd in
start)
	primary=${2:?primary directory}
	dir=${3:?standby directory}
	mkdir -p "$dir"
	chmod 0755 "$dir"
	[ "$(id -u)" = 0 ] && chown "${BATON_PG_OSUSER:-postgres}" "$dir"
	if [ ! -f "$dir/data/PG_VERSION" ]; then
		# -R writes primary_conninfo and standby.signal: a hot standby
		# streaming from the primary's socket.
		as_owner "$bindir/pg_basebackup" -h "$primary" -p "$port" -U postgres \
			-D "$dir/data" -R -X stream -c fast --no-sync >"$dir/basebackup.log" 2>&1 ||
			{ cat "$dir/basebackup.log" >&2; exit 1; }
	fi
	sh "$here/pgctl.sh" start "$dir"
	;;
promote)
	dir=${2:?standby directory}
	as_owner "$bindir/pg_ctl" -D "$dir/data" -w -t 30 promote >/dev/null
	;;
caught_up)
	primary=${2:?primary directory}
	dir=${3:?standby directory}
	want=$(psql -X -At -h "$primary" -p "$port" -U postgres -d postgres -c 'select pg_current_wal_insert_lsn()')
	[ "$(psql -X -At -h "$dir" -p "$port" -U postgres -d postgres \
		-c "select pg_last_wal_replay_lsn() >= '$want'")" = t ]
	;;
*)
	echo "usage: standby.sh start PRIMARY_DIR DIR | promote DIR | caught_up PRIMARY_DIR DIR" >&2; exit 2 ;;
esac
