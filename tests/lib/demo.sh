#!/bin/sh
# make demo: a private throwaway PostgreSQL with the demo data, and the
# console opened on it as a demo staff member.  The server stops when the
# console exits.  BATON_DEMO_USER picks who you are (default ana, Support;
# try lee, the Success lead).  BATON_DEMO_DIR keeps the server's files.
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

stop() { sh "$here/pgctl.sh" stop "$dir"; }
trap stop EXIT
trap 'exit 130' INT TERM HUP

sh "$here/pgctl.sh" start "$dir"
export PGHOST="$dir" PGUSER=postgres
if ! psql -d postgres -XAtqc "SELECT 1 FROM pg_database WHERE datname = 'baton'" | grep -q 1; then
	createdb baton
fi
"$bin" -d "dbname=baton" migrate >/dev/null
if [ "$(psql -d baton -XAtqc 'SELECT count(*) FROM customer')" = 0 ]; then
	echo "loading the demo data..."
	psql -d baton -X -v ON_ERROR_STOP=1 -q -1 -f "$root/sql/demo.sql" >/dev/null
fi
unset PGUSER
"$bin" -d "host=$dir dbname=baton user=$user"
