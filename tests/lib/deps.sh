#!/bin/sh
# Check that everything Baton needs to build, test and demo is installed.
# As root on Debian, install what is missing; otherwise print the exact
# command and fail.  Usage: deps.sh [build|check|demo]
set -eu
what=${1:-build}

missing=""
need() { missing="$missing $1"; }

command -v pkg-config >/dev/null 2>&1 || need pkg-config
command -v cc >/dev/null 2>&1 || need gcc
command -v make >/dev/null 2>&1 || need make
if command -v pkg-config >/dev/null 2>&1; then
	pkg-config --exists ncursesw || need libncurses-dev
	pkg-config --exists libpq || need libpq-dev
	pkg-config --exists libconfig || need libconfig-dev
else
	need libncurses-dev; need libpq-dev; need libconfig-dev
fi

if [ "$what" = check ] || [ "$what" = demo ]; then
	bindir=$(sh "$(dirname "$0")/pgbin.sh" 2>/dev/null || true)
	[ -n "$bindir" ] || need postgresql
	# pg_trgm (finder index) lives in contrib; Debian ships it with the server
	if [ -n "$bindir" ]; then
		share=$("$bindir/pg_config" --sharedir 2>/dev/null || pg_config --sharedir 2>/dev/null || echo /nonexistent)
		[ -f "$share/extension/pg_trgm.control" ] || need postgresql-contrib
	fi
	command -v psql >/dev/null 2>&1 || need postgresql-client
	command -v tmux >/dev/null 2>&1 || need tmux
	command -v runuser >/dev/null 2>&1 || need util-linux
	# the pooler test (tests/e2e/pgbouncer_live.sh)
	command -v pgbouncer >/dev/null 2>&1 || [ -x /usr/sbin/pgbouncer ] || need pgbouncer
fi

[ -z "$missing" ] && exit 0

# shellcheck disable=SC2086
set -- $missing
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "baton: installing missing packages: $*" >&2
	export DEBIAN_FRONTEND=noninteractive
	if ! apt-get install -y --no-install-recommends "$@" >/dev/null 2>&1; then
		apt-get update -q >/dev/null
		apt-get install -y -q --no-install-recommends "$@" >&2
	fi
	exit 0
fi
echo "baton: missing packages:$missing" >&2
echo "baton: install them with:  sudo apt-get install$missing" >&2
exit 1
