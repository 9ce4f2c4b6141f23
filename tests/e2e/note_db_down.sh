#!/bin/sh
# A success note written while the database is down is not lost, and is
# written exactly once:
#  1. ana sends it (Ctrl-X) while the server is stopped: the console says it
#     is saved and will be sent, the note draft on disk says "state: queued";
#     when the server is back the console reconnects by itself, writes it
#     once and removes the draft.
#  2. the same, but the console is killed while offline; started again with
#     the server up it offers the queued note draft, s sends it: one row.
#  3. that draft put back as if the answer had been lost: sent again, the
#     database recognises its id ("already written"), still one row.
# The server is ALWAYS started again, even when a check fails.
. "$BATON_ROOT/tests/lib/e2e.sh"

server_guard note_db_down

db=$(newdb baton_demo) || { echo "FAIL note_db_down: cannot create a test database"; exit 1; }
ndrafts() { find "$1" -name '*.draft' 2>/dev/null | wc -l | tr -d ' '; }
rows_with() { sql "SELECT count(*) FROM success_note WHERE body = '$1'"; }

# note_form SESSION STATE_DIR TAG: ana's console, Northwind, n.  TAG makes
# the -d string unique (pgrep).
note_form() {
	start "$1" 80 24 env XDG_STATE_HOME="$2" "$BATON_BIN" -d "'dbname=$db user=ana application_name=$3'"
	wait_state live 15
	type_text "nwh"
	wait_for "nwh.example" 10
	keys Enter
	wait_for "Handoffs ·" 10
	keys n
	wait_for "typing goes to the note" 5
}

# --- 1. written when the database is back ---------------------------------------
s1="$BATON_TEST_TMP/note_db_down.1"
mkdir -p "$s1"
note1="Osprey: written while the database was down."
note_form note_down1 "$s1" "note_down1_${E2E_ID}"
type_text "$note1"
check "the note is typed and saved as a note draft" \
	eval 'wait_for "$note1" 5 && wait_for "draft saved" 5 && grep -qx "kind: note" "$s1"/baton/drafts/*.draft'
server_stop
check "server stopped: OFFLINE" wait_state OFFLINE 20
keys C-x
check "Ctrl-X while offline: 'database unreachable: the note is saved and will be sent…'" \
	wait_for "the note is saved and will be sent" 5
check "the draft on disk says 'state: queued', with the note" \
	eval '[ "$(ndrafts "$s1")" = 1 ] && grep -qx "state: queued" "$s1"/baton/drafts/*.draft && grep -qxF "$note1" "$s1"/baton/drafts/*.draft'
server_start
check "server started again: the console reconnects by itself" wait_state live 30
check "the note is written exactly once" wait_true 20 '[ "$(rows_with "$note1")" = 1 ]'
check "the Success notes panel shows it without a key press" wait_for "Ana: Osprey" 10
check "the draft file is removed" wait_true 10 '[ "$(ndrafts "$s1")" = 0 ]'
keys q C-c
check "q, Ctrl-C quits with exit status 0" exit_status_is 0 10
check "no sanitizer report" no_sanitizer_report
stop

# --- 2. killed while offline, sent from the drafts screen ---------------------------
s2="$BATON_TEST_TMP/note_db_down.2"
mkdir -p "$s2"
note2="Osprey: killed while offline, sent later."
tag2="note_down2_${E2E_ID}"
note_form note_down2 "$s2" "$tag2"
type_text "$note2"
wait_for "$note2" 5
server_stop
check "offline again" wait_state OFFLINE 20
keys C-x
check "Ctrl-X: saved, will be sent when the database is back" wait_for "the note is saved and will be sent" 5
pid=$(console_pid "$tag2")
check "the console is running" test -n "$pid"
[ -n "$pid" ] && kill -TERM "$pid"
check "SIGTERM: it exits with status 143" exit_status_is 143 10
check "the queued note draft survives the console" \
	eval '[ "$(ndrafts "$s2")" = 1 ] && grep -qx "state: queued" "$s2"/baton/drafts/*.draft'
server_start
check "nothing was written behind the user's back" test "$(rows_with "$note2")" = 0
cp "$s2"/baton/drafts/*.draft "$BATON_TEST_TMP/note_db_down.copy"

start note_down2b 80 24 env XDG_STATE_HOME="$s2" "$BATON_BIN" -d "'dbname=$db user=ana application_name=$tag2'"
check "started again: the saved drafts are offered" wait_for "Saved drafts" 15
check "the note draft is listed as QUEUED for Northwind Health, a note, with its text" \
	eval 'screen | grep -F "QUEUED" | grep -F "Northwind Health" | grep -F "note note" | grep -qF "\"Osprey: killed"'
keys s
check "s sends it: 'note N written'" wait_for "written" 15
check "exactly one row in the database, by ana" \
	wait_true 10 '[ "$(sql "SELECT count(*) || min(author) FROM success_note WHERE body = '"'$note2'"'")" = 1ana ]'
check "the draft file is removed" wait_true 10 '[ "$(ndrafts "$s2")" = 0 ]'
keys q
wait_for "Find:" 5
keys Escape q
check "Esc, q quits with exit status 0" exit_status_is 0 10
check "no sanitizer report" no_sanitizer_report
stop

# --- 3. the answer was lost: the same note draft is sent again ----------------------
cp "$BATON_TEST_TMP/note_db_down.copy" "$s2/baton/drafts/$(sed -n 's/^id: //p' "$BATON_TEST_TMP/note_db_down.copy").draft"
start note_down3 80 24 env XDG_STATE_HOME="$s2" "$BATON_BIN" -d "'dbname=$db user=ana application_name=$tag2'"
check "the stale queued note draft is offered again" \
	eval 'wait_for "Saved drafts" 15 && wait_for "\"Osprey: killed" 5'
keys s
check "s: 'note N was already written'" wait_for "was already written" 15
check "still exactly one row" test "$(rows_with "$note2")" = 1
check "the draft file is removed" wait_true 10 '[ "$(ndrafts "$s2")" = 0 ]'
keys q
wait_for "Find:" 5
keys Escape q
check "Esc, q quits with exit status 0" exit_status_is 0 10
check "no sanitizer report" no_sanitizer_report
stop
