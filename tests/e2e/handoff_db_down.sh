#!/bin/sh
# A handoff written while the database is down is not lost:
#  1. ana sends it (Ctrl-X) while the server is stopped: the console says it
#     is saved and will be sent, the draft on disk says "state: queued";
#     when the server is back the console reconnects by itself, sends it
#     exactly once and removes the draft.
#  2. the same, but the console is killed (SIGTERM) while offline; started
#     again with the server up, it offers the queued draft, s sends it,
#     exactly one row.
#  3. that draft put back as if the answer had been lost: sent again, the
#     database recognises it ("already delivered"), still one row.
# The server is ALWAYS started again, even when a check fails: the tests
# after this one need it.
. "$BATON_ROOT/tests/lib/e2e.sh"

server_guard db_down

db=$(newdb baton_demo) || { echo "FAIL handoff_db_down: cannot create a test database"; exit 1; }
ndrafts() { find "$1" -name '*.draft' 2>/dev/null | wc -l | tr -d ' '; }

# rows_with NOTE: handoffs in the database with exactly this note
rows_with() { sql "SELECT count(*) FROM handoff WHERE note = '$1'"; }

# until_true SECONDS COMMAND...: poll COMMAND every 0.2 s
until_true() {
	_t=$1
	shift
	_i=0
	while [ "$_i" -lt $((_t * 5)) ]; do
		"$@" && return 0
		sleep 0.2
		_i=$((_i + 1))
	done
	return 1
}

# open_form SESSION STATE_DIR TAG: ana's console, Northwind, h, team
# Success, focus on the note.  TAG makes the -d string unique (pgrep).
open_form() {
	start "$1" 80 24 env XDG_STATE_HOME="$2" "$BATON_BIN" -d "'dbname=$db user=ana application_name=$3'"
	form_to_success
}

# --- 1. sent when the database is back -------------------------------------
s1="$BATON_TEST_TMP/handoff_db_down.1"
mkdir -p "$s1"
note1="Sent while the database was down: call Dana."
open_form db_down1 "$s1" "db_down1_${E2E_ID}"
type_text "$note1"
check "the note is typed (and saved as a draft)" \
	eval 'wait_row 7 "$note1" 5 && wait_for "draft saved" 5'

server_stop
check "server stopped: the status line says OFFLINE" wait_state OFFLINE 20
keys C-x
check "Ctrl-X while offline: 'database unreachable: the handoff is saved and will be sent…'" \
	wait_for "the handoff is saved and will be sent" 5
check "the draft file on disk says 'state: queued', with the note" \
	eval '[ "$(ndrafts "$s1")" = 1 ] && grep -qx "state: queued" "$s1"/baton/drafts/*.draft && grep -qxF "$note1" "$s1"/baton/drafts/*.draft'
check "still OFFLINE, back on the customer screen" \
	eval 'wait_state OFFLINE 5 && on_screen "Baton · Northwind Health"'

server_start
check "server started again: the console reconnects by itself ('live')" wait_state live 30
check "the handoff arrives exactly once" wait_true 20 'test "$(rows_with "$note1")" = 1'
check "the Handoffs panel shows it without a key press" wait_for "\"$note1\"" 10
check "the draft file is removed" wait_true 10 'test "$(ndrafts "$s1")" = 0'
check "one 'created' event, by ana" \
	test "$(sql "SELECT string_agg(e.kind || ':' || e.actor, ',') FROM handoff_event e JOIN handoff h ON h.id = e.handoff_id
	             WHERE h.note = '$note1'")" = "created:ana"
keys q
wait_for "Find:" 5
keys C-c
check "q, Ctrl-C quits with exit status 0" exit_status_is 0 10
check "no sanitizer report" no_sanitizer_report
stop

# --- 2. killed while offline, sent from the drafts screen ----------------------
s2="$BATON_TEST_TMP/handoff_db_down.2"
mkdir -p "$s2"
note2="Killed while offline: the renewal is at risk."
tag2="db_down2_${E2E_ID}"
open_form db_down2 "$s2" "$tag2"
type_text "$note2"
wait_row 7 "$note2" 5
server_stop
check "offline again" wait_state OFFLINE 20
keys C-x
check "Ctrl-X: saved, will be sent when the database is back" \
	wait_for "the handoff is saved and will be sent" 5
pid=$(console_pid "$tag2")
check "the console is running (pgrep on its -d string)" test -n "$pid"
[ -n "$pid" ] && kill -TERM "$pid"
check "SIGTERM: it exits with status 143, the terminal restored" \
	eval 'exit_status_is 143 10 && alternate_off'
check "no sanitizer report" no_sanitizer_report
check "the queued draft survives the console" \
	eval '[ "$(ndrafts "$s2")" = 1 ] && grep -qx "state: queued" "$s2"/baton/drafts/*.draft'
server_start
check "nothing was sent behind the user's back" test "$(rows_with "$note2")" = 0
# Kept for part 3: the same draft, as if the answer to the send were lost.
cp "$s2"/baton/drafts/*.draft "$BATON_TEST_TMP/handoff_db_down.copy"

start db_down2b 80 24 env XDG_STATE_HOME="$s2" "$BATON_BIN" -d "'dbname=$db user=ana application_name=$tag2'"
check "started again: 'Saved drafts' is offered" wait_for "Saved drafts" 15
check "the draft is listed as QUEUED for Northwind Health, to success, with its note" \
	until_true 10 eval 'screen | grep -F "QUEUED" | grep -F "Northwind Health" | grep -F "to success" | grep -qF "\"Killed while offline"'
keys s
check "s sends it: 'handoff sent to success'" wait_for "handoff sent to success" 15
check "exactly one row in the database" wait_true 10 'test "$(rows_with "$note2")" = 1'
check "the draft file is removed" wait_true 10 'test "$(ndrafts "$s2")" = 0'
check "the drafts screen no longer offers the handoff it sent" \
	eval 'wait_for "No drafts left." 5 && ! on_screen "Killed while offline"'
keys q
check "q leaves the drafts for the start screen" wait_for "Find:" 5
keys Escape q
check "Esc, q quits with exit status 0" exit_status_is 0 10
check "no sanitizer report" no_sanitizer_report
check "no draft left behind" test "$(ndrafts "$s2")" = 0
stop

# --- 3. the answer was lost: the same draft is sent again ------------------------
# The database has the handoff, but the console died before it removed the
# draft (e.g. the connection dropped during COMMIT).  Sending it again must
# not make a second handoff.
cp "$BATON_TEST_TMP/handoff_db_down.copy" "$s2/baton/drafts/$(sed -n 's/^id: //p' "$BATON_TEST_TMP/handoff_db_down.copy").draft"
start db_down3 80 24 env XDG_STATE_HOME="$s2" "$BATON_BIN" -d "'dbname=$db user=ana application_name=$tag2'"
check "the stale queued draft is offered again" \
	eval 'wait_for "Saved drafts" 15 && wait_for "\"Killed while offline" 5'
keys s
check "s: 'handoff to success was already delivered'" wait_for "handoff to success was already delivered" 15
check "still exactly one row, one 'created' event" \
	test "$(sql "SELECT count(*) || '|' || (SELECT count(*) FROM handoff_event e WHERE e.handoff_id = min(h.id::text)::uuid)
	             FROM handoff h WHERE note = '$note2'")" = "1|1"
check "the draft file is removed" wait_true 10 'test "$(ndrafts "$s2")" = 0'
keys q
wait_for "Find:" 5
keys Escape q
check "Esc, q quits with exit status 0" exit_status_is 0 10
check "no sanitizer report" no_sanitizer_report
stop
