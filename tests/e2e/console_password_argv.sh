#!/bin/sh
# A password given with -d is not left in the program's arguments, which ps
# and /proc/PID/cmdline show every local user for as long as the console
# runs (security review): it is overwritten with '*' once copied, and the
# console still connects with it.  Key=value and URI forms.
. "$BATON_ROOT/tests/lib/e2e.sh"

db=$(newdb baton_demo) || { echo "FAIL console_password_argv: cannot create a test database"; exit 1; }
trap stop EXIT

# cmdline PATTERN: the arguments of the console started with PATTERN in them
cmdline() { tr '\0' ' ' <"/proc/$(console_pid "$1")/cmdline"; }

start password_kv 80 24 "$BATON_BIN" -d "'dbname=$db user=ana password=S3CRETPW'"
wait_state live 15
check "-d 'password=...': connected (the copy keeps the password)" on_screen "ana · Support"
check "-d 'password=...': the console's arguments no longer hold it" \
	eval 'args=$(cmdline "user=ana password=") && ! printf "%s" "$args" | grep -q S3CRETPW &&
	      printf "%s" "$args" | grep -qF "password=********"'
keys C-c
check "quits with status 0" exit_status_is 0 10
stop

start password_uri 80 24 "$BATON_BIN" -d "'postgresql://ana:S3CRET2@/$db'"
wait_state live 15
check "-d postgresql://ana:PASSWORD@/db: connected" on_screen "ana · Support"
check "-d postgresql://ana:PASSWORD@/db: the arguments show postgresql://ana:*******@/db" \
	eval 'args=$(cmdline "postgresql://ana:") && ! printf "%s" "$args" | grep -q S3CRET2 &&
	      printf "%s" "$args" | grep -qF "postgresql://ana:*******@/$db"'
keys C-c
check "no sanitizer report" no_sanitizer_report
stop
