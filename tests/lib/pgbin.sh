#!/bin/sh
# Print the directory holding the PostgreSQL server binaries (initdb, pg_ctl).
if [ -n "${PG_BINDIR:-}" ] && [ -x "$PG_BINDIR/initdb" ]; then echo "$PG_BINDIR"; exit 0; fi
if command -v pg_config >/dev/null 2>&1; then
	d=$(pg_config --bindir 2>/dev/null)
	if [ -x "$d/initdb" ]; then echo "$d"; exit 0; fi
fi
for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -n -r); do
	if [ -x "$d/initdb" ]; then echo "$d"; exit 0; fi
done
if command -v initdb >/dev/null 2>&1; then dirname "$(command -v initdb)"; exit 0; fi
exit 1
