#!/bin/sh
# Presence through pgbouncer in session mode (README.md), where a server
# session outlives the console that used it (migration 067): ana and ben
# open Northwind Health through the pooler.  Ben quits: ana's screen drops
# him, told at once (his entry is removed, not left to lapse).  Ben again,
# killed this time: ana's screen drops him by itself, and the client the
# pooler gives his server session next (the same backend) neither shows
# as here nor listens.  Ana's console says it again every 30 s: an entry
# that lapsed (a console silent for 90 s) comes back by itself.
. "$BATON_ROOT/tests/lib/e2e.sh"

db=$(newdb baton_demo) || { echo "FAIL pgbouncer_presence: cannot create a test database"; exit 1; }
pgb="$BATON_TEST_TMP/pgbouncer_presence"
PGBCTL="$BATON_ROOT/tests/lib/pgbouncer.sh"
trap 'E2E_SESSION=pp_ben; stop; E2E_SESSION=pp_ana; stop; sh "$PGBCTL" stop "$pgb"' EXIT
trap 'exit 1' INT TERM HUP
sh "$PGBCTL" start "$PGHOST" "$pgb" ana ben || { echo "FAIL pgbouncer_presence: cannot start pgbouncer"; exit 1; }
via() { echo "host=$pgb port=6432 dbname=$db user=$1 application_name=pp_$1_${E2E_ID}"; }
# ben's rows, and those that count (his session there and still saying it)
ben_rows() { sql "SELECT count(*) FROM baton_presence WHERE role_name = 'ben'"; }
ben_live() { sql "SELECT count(*) FROM baton_presence_live() WHERE role_name = 'ben'"; }

open_northwind() {
	wait_state live 15
	type_text "nwh"
	wait_for "nwh.example" 10
	keys Enter
	wait_for "Handoffs ·" 10
}

start pp_ana 100 30 "$BATON_BIN" -d "'$(via ana)'"
open_northwind
start pp_ben 100 30 "$BATON_BIN" -d "'$(via ben)'"
open_northwind
E2E_SESSION=pp_ana
check "ana's screen, through pgbouncer, says ben is here" wait_for "also here: ben (Success)" 15
bpid=$(sql "SELECT pid FROM baton_presence WHERE role_name = 'ben'")

# --- ben quits -------------------------------------------------------------------
E2E_SESSION=pp_ben
keys Q
check "ben's console quits with status 0" exit_status_is 0
E2E_SESSION=pp_ana
check "ben quit: his entry is removed as he leaves, not left to lapse (his server session $bpid kept by the pooler)" \
	wait_true 10 '[ "$(ben_rows)" = 0 ] && [ "$(sql "SELECT count(*) FROM pg_stat_activity WHERE pid = $bpid")" = 1 ]'
check "ben quit: ana's screen drops him" wait_gone "also here" 10

# --- ben killed --------------------------------------------------------------------
start pp_ben 100 30 "$BATON_BIN" -d "'$(via ben)'"
open_northwind
E2E_SESSION=pp_ana
check "ben is back on ana's screen" wait_for "also here: ben (Success)" 15
bpid=$(sql "SELECT pid FROM baton_presence WHERE role_name = 'ben'")
cpid=$(console_pid "application_name=pp_ben_${E2E_ID}")
check "ben's console is running ($cpid)" eval '[ -n "$cpid" ]'
kill -9 "$cpid"
check "ben's console killed: ana's screen drops him by itself" wait_gone "also here" 30
check "ana's console is still live" wait_state live 5
# The pooler's next client for ben gets the same backend, reset.
next=$(psql -X -At -d "$(via ben)" -c "SELECT pg_backend_pid() || ':' || count(c) FROM pg_backend_pid(),
	LATERAL (SELECT pg_listening_channels()) c(c)")
check "the pooler's next client on ben's server session ($next, was $bpid) is not here and listens to nothing" \
	eval '[ "$next" = "$bpid:0" ] && [ "$(ben_live)" = 0 ]'

# --- a lapsed entry comes back by the console's refresh ------------------------------
start pp_ben 100 30 "$BATON_BIN" -d "'$(via ben)'"
open_northwind
check "ben's screen says ana is here" wait_for "also here: ana (Support)" 15
# As if ana's console had been silent for 90 s: she is not here any more,
# until her console says it again (every 30 s) by itself.
ana_live() { sql "SELECT count(*) FROM baton_presence_live() WHERE role_name = 'ana' AND seen > now() - interval '60 seconds'"; }
sql "UPDATE baton_presence SET seen = now() - interval '91 seconds' WHERE role_name = 'ana'" >/dev/null
check "ana's entry lapsed" test "$(ana_live)" = 0
check "ana's console says it again by itself: her entry counts again, and ben's screen shows her" \
	eval 'wait_true 60 "[ \"\$(ana_live)\" = 1 ]" && wait_for "also here: ana (Support)" 15'
