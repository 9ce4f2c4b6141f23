#!/bin/sh
# A handoff form opened while the database is down offers the teams as the
# console read them earlier in the session (the form opened before the
# outage), says so, and lets the handoff be written and kept: it is sent
# exactly once, by the person, when the server is back.  (A console that
# never read them says they are not loaded: handoff_offline_form.sh.)
# The server is ALWAYS started again, even when a check fails.
. "$BATON_ROOT/tests/lib/e2e.sh"

server_guard handoff_offline_teams

db=$(newdb baton_demo) || { echo "FAIL handoff_offline_teams: cannot create a test database"; exit 1; }
state="$BATON_TEST_TMP/handoff_offline_teams.state"
drafts="$state/baton/drafts"
mkdir -p "$state"
note="Written offline to Success: the sponsor wants a call."
ndrafts() { find "$drafts" -name '*.draft' 2>/dev/null | wc -l | tr -d ' '; }

start offline_teams 80 24 env XDG_STATE_HOME="$state" "$BATON_BIN" -d "'dbname=$db user=ana'"
# Online, a first form reads the teams; it is left without writing.
form_to_success
keys Escape
check "the first form, untouched, closes at Esc" wait_for "Handoffs ·" 5

server_stop
check "server stopped: OFFLINE" wait_state OFFLINE 20
keys h
check "h while offline: 'offline: teams as read earlier; a handoff is kept and sent when back'" \
	eval 'wait_row 1 "New handoff · Northwind Health" 5 &&
	      wait_row 2 "offline: teams as read earlier; a handoff is kept and sent when back" 5'
type_text "suc"
check "typing 'suc' offline picks Success" wait_row 3 "[Success" 5
keys Tab Tab Tab Tab Tab
wait_row 23 "typing goes to the note" 5
type_text "$note"
check "the note is typed offline" wait_row 7 "$note" 5
keys C-x
check "Ctrl-X while offline: 'database unreachable: the handoff is saved and will be sent…'" \
	wait_for "the handoff is saved and will be sent" 5
check "the draft on disk is queued, to success, with the note" \
	eval '[ "$(ndrafts)" = 1 ] && grep -qx "state: queued" "$drafts"/*.draft &&
	      grep -qx "to-team: success" "$drafts"/*.draft && grep -qxF "$note" "$drafts"/*.draft'

server_start
check "server back: the console reconnects by itself ('live')" wait_state live 30
check "the handoff arrives exactly once, by ana, to success" \
	wait_true 20 'test "$(sql "SELECT count(*) || '"'|'"' || min(author) || '"'|'"' || min(to_team) FROM handoff WHERE note = '"'$note'"'")" = "1|ana|success"'
check "the draft file is removed" wait_true 10 'test "$(ndrafts)" = 0'
keys q
wait_for "Find:" 5
keys C-c
check "q, Ctrl-C quits with exit status 0" exit_status_is 0 10
check "no sanitizer report" no_sanitizer_report
stop
