#!/bin/sh
# A handoff form opened while the database is down says its team list is
# missing and why; the note can be written meanwhile.  When the server is
# back the console reconnects by itself, the form's teams load, and what
# was typed is still there: the team is chosen and the handoff sent.
# The server is ALWAYS started again, even when a check fails.
. "$BATON_ROOT/tests/lib/e2e.sh"

server_guard handoff_offline_form

db=$(newdb baton_demo) || { echo "FAIL handoff_offline_form: cannot create a test database"; exit 1; }
state="$BATON_TEST_TMP/handoff_offline_form.state"
mkdir -p "$state"
note="Written offline: the sponsor wants a call."

start offline_form 80 24 env XDG_STATE_HOME="$state" "$BATON_BIN" -d "'dbname=$db user=ana'"
wait_state live 15
type_text "nwh"
wait_for "Northwind Health" 10
keys Enter
check "Northwind Health is open" wait_for "Handoffs ·" 10

server_stop
check "server stopped: OFFLINE" wait_state OFFLINE 20
keys h
check "h while offline: 'teams not loaded: offline — they load when the connection returns'" \
	eval 'wait_row 1 "New handoff · Northwind Health" 5 &&
	      wait_row 2 "teams not loaded: offline — they load when the connection returns" 5'
check "the team is still to choose" on_screen "[(choose)"
type_text "su"
check "typing a team offline: 'no teams to choose from yet'" wait_row 24 "no teams to choose from yet" 5
keys Tab Tab Tab Tab Tab
wait_row 23 "typing goes to the note" 5
type_text "$note"
check "the note is typed while offline" wait_row 7 "$note" 5

server_start
check "server back: the console reconnects by itself ('live')" wait_state live 30
check "the form's teams load: the offline line goes" wait_gone "teams not loaded" 10
check "the note typed offline is still there" eval 'row 7 | grep -qF "$note"'
keys BTab BTab BTab BTab BTab
type_text "suc"
check "the teams are there now: 'suc' picks Success" wait_row 3 "[Success" 5
check "the note is still there after choosing" eval 'row 7 | grep -qF "$note"'
keys C-x
check "Ctrl-X: 'handoff sent to success'" wait_for "handoff sent to success" 10
check "the database has it, by ana, to success, with the note" \
	wait_true 10 'test "$(sql "SELECT count(*) || '"'|'"' || min(author) || '"'|'"' || min(to_team) FROM handoff WHERE note = '"'$note'"'")" = "1|ana|success"'
keys q
wait_for "Find:" 5
keys C-c
check "q, Ctrl-C quits with exit status 0" exit_status_is 0 10
check "no sanitizer report" no_sanitizer_report
stop
