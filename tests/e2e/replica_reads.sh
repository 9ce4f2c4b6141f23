#!/bin/sh
# Reads on a streaming standby (database.read_conninfo): a standby made by
# pg_basebackup -R streams from the test server.  ana's and ben's consoles
# write and LISTEN on the primary and read their screens on the standby.
# ana sees her own note at once, also while the standby's replay is paused
# (her console waits for the standby, then reads from the primary); ben
# sees a colleague's note through the primary's notification, also with
# replay paused.  The standby stops mid-session: reads go to the primary by
# themselves and come back when it is up again.  It is promoted: the
# console leaves it (it is no longer a copy of the primary it writes to)
# and keeps showing what is written on the primary.
. "$BATON_ROOT/tests/lib/e2e.sh"

db=$(newdb baton_demo) || { echo "FAIL replica_reads: cannot create a test database"; exit 1; }
sb="$BATON_TEST_TMP/replica_sb"
SBCTL="$BATON_ROOT/tests/lib/standby.sh"
cleanup() {
	E2E_SESSION=rep_ben; stop
	E2E_SESSION=rep_ana; stop
	sh "$PGCTL" stop "$sb"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
sh "$SBCTL" start "$PGHOST" "$sb" || { echo "FAIL replica_reads: cannot start a standby"; exit 1; }

# sbsql QUERY: on the standby's copy of the test's database
sbsql() { psql -X -At -h "$sb" -d "$db" -c "$1"; }
# conf ROLE: a configuration file for ROLE, primary and standby
conf() {
	cat >"$BATON_TEST_TMP/replica_$1.cfg" <<CFG
database: {
  conninfo = "host=$PGHOST dbname=$db user=$1";
  read_conninfo = "host=$sb dbname=$db user=$1 target_session_attrs=prefer-standby";
};
CFG
	echo "$BATON_TEST_TMP/replica_$1.cfg"
}
# on_standby ROLE: the console of ROLE has a session on the standby that
# has run a screen's read (not only the session setup)
on_standby() {
	[ "$(sbsql "SELECT count(*) FROM pg_stat_activity WHERE usename = '$1'
	            AND application_name = 'baton' AND query <> ''
	            AND query NOT LIKE '%statement_timeout%'")" = 1 ]
}
standby_sessions() { sbsql "SELECT count(*) FROM pg_stat_activity WHERE usename = '$1'"; }
# note ROLE TEXT: a success note about Northwind Health, on the primary
note() { "$BATON_BIN" -d "dbname=$db user=$1" note add --customer nwh.example --message "$2" >/dev/null; }
# sees TEXT: the Success notes panel (focused), at its top, shows TEXT
sees() { wait_true 15 "keys g; on_screen \"$1\""; }
open_northwind() {
	wait_state live 15
	type_text "nwh"
	wait_for "nwh.example" 10
	keys Enter
	wait_for "Handoffs ·" 10
}

check "the standby streams from the test server" \
	eval '[ "$(sbsql "SELECT pg_is_in_recovery()")" = t ] && wait_true 30 "sh \"$SBCTL\" caught_up \"$PGHOST\" \"$sb\""'

start rep_ana 80 24 "$BATON_BIN" -c "$(conf ana)"
open_northwind
check "ana's customer screen is read on the standby" wait_true 10 'on_standby ana'

# --- presence is not replicated: reads do not wait for it ---------------------
# primary_last ROLE: the statement the console of ROLE last ran on the primary
primary_last() {
	sql "SELECT query FROM pg_stat_activity WHERE usename = '$1' AND application_name = 'baton'
	     AND state = 'idle'"
}
# Opening the customer told the primary (presence, an unlogged table) and
# read who else is here after its own notification; nothing on the
# standby shows either, so the next read asks the primary for nothing.
wait_true 10 'primary_last ana | grep -q "baton_presence_here("'
keys t
wait_row 1 "Timeline · Northwind Health" 5
wait_gone "loading…" 10
# (Or her console's presence refresh, every 30 s, came last: not replicated
# either.)
check "ana's next read (the timeline) did not first ask the primary for its WAL position" \
	eval '! primary_last ana | grep -q pg_current_wal_insert_lsn && primary_last ana | grep -Eq "baton_presence_(here|set)\("'
keys q
wait_for "Handoffs ·" 5

# --- her own write, at once ----------------------------------------------------
keys n
wait_for "typing goes to the note" 5
type_text "Replica one: standby streaming."
keys C-x
check "ana's own note shows on her screen at once" wait_true 15 'on_screen "Ana: Replica one"'

sbsql "SELECT pg_wal_replay_pause()" >/dev/null
keys n
wait_for "typing goes to the note" 5
type_text "Replica two: replay paused."
keys C-x
check "replay paused: the standby has not got ana's second note" \
	wait_true 10 '[ "$(sql "SELECT count(*) FROM success_note WHERE body LIKE '"'"'Replica two%'"'"'")" = 1 ] &&
	              [ "$(sbsql "SELECT count(*) FROM success_note WHERE body LIKE '"'"'Replica two%'"'"'")" = 0 ]'
check "and yet ana's screen shows it: she never sees her own note vanish" \
	wait_true 15 'on_screen "Ana: Replica two"'

# --- a colleague's write, through the primary's notification -----------------
start rep_ben 80 24 "$BATON_BIN" -c "$(conf ben)"
open_northwind
keys Tab Tab
check "ben's screen shows ana's notes" sees "Ana: Replica two"
note lee "Replica three: lee, replay paused."
check "replay still paused: ben's console shows lee's note all the same" \
	sees "Lee: Replica three"
sbsql "SELECT pg_wal_replay_resume()" >/dev/null
wait_true 10 'sh "$SBCTL" caught_up "$PGHOST" "$sb"'
note lee "Replica four: lee, streaming."
check "with replay running ben sees lee's next note, read on the standby" \
	eval 'sees "Lee: Replica four" && wait_true 15 "on_standby ben"'
# ben's last read ran on the standby, after his own writes: the next
# notification's read waits there for the position of the write it tells
# of, not an older one (it waited for the last it had asked, read the
# screen without the note, and stayed one note behind until the next).
t0=$(sbsql "SELECT now()")
read_on_standby_since() {
	[ "$(sbsql "SELECT count(*) FROM pg_stat_activity WHERE usename = 'ben' AND query_start > '$t0'
	            AND query LIKE 'SELECT kind, title, severity%'")" = 1 ]
}
check "ben's screen read again (R) on the standby, past any pause of its reads there" \
	wait_true 30 'keys R; sleep 1; read_on_standby_since'
sbsql "SELECT pg_wal_replay_pause()" >/dev/null
note lee "Replica 4b: replay paused after a read on the standby."
check "a colleague's note after a read on the standby shows all the same (replay paused)" \
	sees "Lee: Replica 4b"
sbsql "SELECT pg_wal_replay_resume()" >/dev/null
wait_true 10 'sh "$SBCTL" caught_up "$PGHOST" "$sb"'

# --- the standby goes away, and comes back -------------------------------------
sh "$PGCTL" stop "$sb"
note lee "Replica five: standby stopped."
check "standby stopped: ben's screen still follows, read on the primary" \
	sees "Lee: Replica five"
E2E_SESSION=rep_ana
keys Tab Tab
check "and so does ana's" sees "Lee: Replica five"
sh "$PGCTL" start "$sb"
check "the standby is back: ana's console reconnects to it by itself" \
	wait_true 30 '[ "$(standby_sessions ana)" = 1 ]'
wait_true 20 'sh "$SBCTL" caught_up "$PGHOST" "$sb"'
note lee "Replica six: standby back."
check "and reads her screen there again" \
	eval 'sees "Lee: Replica six" && wait_true 15 "on_standby ana"'

# --- the standby is promoted ------------------------------------------------------
# While ana's console keeps off a standby that lagged behind her own
# write, it asks the standby again when that pause is over, read or no
# read: promoted meanwhile, it is left although ana touches nothing.
sbsql "SELECT pg_wal_replay_pause()" >/dev/null
keys Tab n  # from the notes panel to Marketing: n writes a new note
wait_for "typing goes to the note" 5
type_text "Replica seven: ana, replay paused."
keys C-x
check "replay paused again: ana's own note shows, read on the primary" \
	wait_true 15 'on_screen "Ana: Replica seven"'
sh "$SBCTL" promote "$sb"
check "promoted while ana's console kept off it: the console leaves it with no key pressed" \
	wait_true 30 '[ "$(standby_sessions ana)" = 0 ]'
note lee "Replica eight: after the promotion."
check "promoted: ana's screen shows what is written on the primary" \
	sees "Lee: Replica eight"
check "the promoted server has no copy of it, and ana's console has not gone back to it" \
	eval '[ "$(sbsql "SELECT count(*) FROM success_note WHERE body LIKE '"'"'Replica eight%'"'"'")" = 0 ] &&
	      [ "$(standby_sessions ana)" = 0 ]'
check "ana's console is still live" wait_state live 5
E2E_SESSION=rep_ben
check "so is ben's, which follows too" eval 'wait_state live 5 && sees "Lee: Replica eight"'
