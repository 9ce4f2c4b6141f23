#!/bin/sh
# An onboarding change saved while the database is down is kept on disk and
# arrives exactly once, by the person who made it:
#  1. olu changes Training (m) while the server is stopped: Ctrl-X says it is
#     saved, the draft on disk is a queued milestone change; Esc leaves the
#     form at once (nothing to lose) and D lists it as on its way.  He sets
#     the health (o) offline too and stays in its form.  The server back, the
#     console reconnects and both arrive once; the health form closes.
#  2. the change made offline, the form left and the console quit (Q): Q
#     does not ask, the change is on disk; nothing is written behind olu's
#     back; started again, the console offers it and s sends it, once.
#     The same draft put back, as if the answer had been lost: sent again,
#     the server knows its id ("already recorded"), still one event.
#  3. a milestone change and a health change made offline, then the console
#     killed (kill -9) with the health form still waiting: both on disk;
#     started again, both offered, each sent once.
#  4. the drafts directory refused (writable by others): the form says the
#     change is NOT SAVED on disk, and quitting asks; the directory fixed,
#     quitting puts the change on disk and does not ask.
#  5. a change kept offline meets someone else's: maja changes the milestone
#     before olu's console is back; his change, sent from the drafts, is
#     refused (never applied over hers), and m on the milestone opens his
#     change again with the server's reason; Ctrl-X then saves it, once.
# The server is ALWAYS started again, even when a check fails.
. "$BATON_ROOT/tests/lib/e2e.sh"
# bottom_text: the bottom line's message as one line (a NOT SAVED message
# is read whole: wrapped over up to 4 rows above the last)
bottom_text() { screen | tail -n 4 | sed 's/^ *//; s/ *$//' | tr '\n' ' '; }

server_guard onboarding_db_down
db=$(newdb baton_demo) || { echo "FAIL onboarding_db_down: cannot create a test database"; exit 1; }
ndrafts() { find "$1" -name '*.draft' 2>/dev/null | wc -l | tr -d ' '; }
drafts_say() { cat "$1"/baton/drafts/*.draft 2>/dev/null; }
# events REASON: "count:author" of the milestone changes with this reason
events() { sql "SELECT count(*) || ':' || coalesce(min(actor), '') FROM milestone_event WHERE reason = '$1'"; }
healths() { sql "SELECT count(*) || ':' || coalesce(min(actor), '') || ':' || coalesce(min(health), '')
                 FROM onboarding_health_event WHERE reason = '$1'"; }
status_of() { sql "SELECT status || ':' || version FROM milestone WHERE customer_id = 1 AND title = '$1'"; }

# olu_console SESSION STATE_DIR: olu's console on Northwind Health
olu_console() {
	start "$1" 80 24 env XDG_STATE_HOME="$2" "$BATON_BIN" \
		-d "'dbname=$db user=olu application_name=onboarding_db_down_$1_${E2E_ID}'"
	wait_state live 15 && type_text "nwh" && wait_for "nwh.example" 10 && keys Enter &&
		wait_for "Handoffs ·" 10
}

# milestone_change TITLE REASON [ROW [STATUS]]: its form (the panel's row
# ROW, TITLE by default), Right (the next status, STATUS: in progress for a
# milestone not started), the reason typed
milestone_change() {
	select_row "${3:-$1}" || return 1
	keys m
	wait_row 1 "Milestone · Northwind Health · ${3:-$1}" 5 || return 1
	keys Right
	wait_row 3 "[${4:-in progress}" 5 || return 1
	keys Tab Tab Tab
	type_text "$2"
	wait_row 6 "[$2" 5
}

# health_change REASON: the health form, at risk, the reason typed
health_change() {
	keys o
	wait_for "typing goes to the reason" 5 || return 1
	keys BTab
	type_text "at"
	wait_row 3 "Health:    [at risk" 5 || return 1
	keys Tab
	type_text "$1"
	wait_row 4 "[$1" 5
}

# --- 1. offline, sent when the database is back ---------------------------------
s1="$BATON_TEST_TMP/onboarding_db_down.1"
mkdir -p "$s1"
why1="trainer booked while offline"
hwhy1="migration slipping; said while offline"
olu_console onb_down1 "$s1"
check "Training's form, in progress, with a reason" milestone_change Training "$why1"
server_stop
check "server stopped: OFFLINE" wait_state OFFLINE 20
keys C-x
check "Ctrl-X offline: 'database unreachable: the milestone change is saved and sent when it is back'" \
	wait_for "the milestone change is saved and sent when it is back" 5
check "the form waits and says the change is kept" \
	eval 'on_screen "OFFLINE: the change waits and is sent when the database is back" &&
	      on_screen "It is kept on disk: Esc leaves the form and the change still goes."'
check "on disk: a queued milestone change, with the status and the reason" \
	eval '[ "$(ndrafts "$s1")" = 1 ] && drafts_say "$s1" | grep -qx "kind: milestone" &&
	      drafts_say "$s1" | grep -qx "status: in_progress" && drafts_say "$s1" | grep -qx "state: queued" &&
	      drafts_say "$s1" | grep -qxF "$why1"'
keys Escape
check "Esc leaves the form at once: the change is kept and sent when the database is back" \
	eval 'wait_row 1 "Baton · Northwind Health" 5 && wait_for "the change is kept and sent when the database is back" 5'
keys D
check "D lists it: on its way, olu's milestone change to Training, with its reason" \
	eval 'wait_for "Saved drafts" 5 &&
	      screen | grep -F SENDING | grep -F "Northwind Health" | grep -F milestone | grep -qF "Training: in progress \"tr"'
keys q
wait_row 1 "Baton · Northwind Health" 5
check "the health form, at risk, with a reason" health_change "$hwhy1"
keys C-x
check "Ctrl-X offline: the health change is saved, the form waits" \
	eval 'wait_for "the health change is saved and sent when it is back" 5 &&
	      wait_for "OFFLINE: the change waits" 5 && [ "$(ndrafts "$s1")" = 2 ]'
server_start
check "server back: the console reconnects by itself" wait_state live 30
check "the health form closes with the answer" wait_for "onboarding health of Northwind Health: at risk" 20
check "the milestone change arrives exactly once, by olu" wait_true 20 '[ "$(events "$why1")" = 1:olu ]'
check "Training is in progress, one version on" test "$(status_of Training)" = in_progress:2
check "the health change arrives exactly once, by olu" test "$(healths "$hwhy1")" = 1:olu:at_risk
check "both drafts are removed" wait_true 10 '[ "$(ndrafts "$s1")" = 0 ]'
check "the Onboarding panel shows Training in progress (▶)" \
	wait_true 10 'screen | grep -qF "▶ Training"'
keys C-c
check "Ctrl-C quits with exit status 0" exit_status_is 0 10
check "no sanitizer report" no_sanitizer_report
stop

# --- 2. offline, the form left, Q: offered at the next start ----------------------
s2="$BATON_TEST_TMP/onboarding_db_down.2"
mkdir -p "$s2"
why2="rehearsal booked, console quit offline"
olu_console onb_down2 "$s2"
milestone_change Go-live "$why2"
server_stop
check "offline again" wait_state OFFLINE 20
keys C-x
check "Ctrl-X: the milestone change is saved" wait_for "the milestone change is saved and sent when it is back" 5
keys Escape
wait_row 1 "Baton · Northwind Health" 5
keys Q
check "Q quits at once (no question): the change is on disk" exit_status_is 0 10
check "no sanitizer report" no_sanitizer_report
stop
check "the queued milestone change survives the console" \
	eval '[ "$(ndrafts "$s2")" = 1 ] && drafts_say "$s2" | grep -qx "state: queued" && drafts_say "$s2" | grep -qxF "$why2"'
server_start
check "nothing was written behind olu's back" test "$(events "$why2")" = 0:
cp "$s2"/baton/drafts/*.draft "$BATON_TEST_TMP/onboarding_db_down.copy"
start onb_down2b 80 24 env XDG_STATE_HOME="$s2" "$BATON_BIN" \
	-d "'dbname=$db user=olu application_name=onboarding_db_down_2b_${E2E_ID}'"
check "started again: the drafts are offered, the change QUEUED with what it sets and why" \
	eval 'wait_for "Saved drafts" 15 &&
	      screen | grep -F QUEUED | grep -F "Northwind Health" | grep -F milestone | grep -qF "Go-live: in progress \"reh"'
keys s
check "s sends it: 'milestone \"Go-live\": in progress'" wait_for 'milestone "Go-live": in progress' 15
check "exactly once, by olu" wait_true 10 '[ "$(events "$why2")" = 1:olu ]'
check "the draft is removed, the list empty" \
	eval 'wait_true 10 "[ \"\$(ndrafts "$s2")\" = 0 ]" && wait_for "No drafts left." 5'
keys q
wait_for "Find:" 5
keys C-c
check "Ctrl-C quits with exit status 0" exit_status_is 0 10
check "no sanitizer report" no_sanitizer_report
stop

# The answer was lost: the same draft again.
cp "$BATON_TEST_TMP/onboarding_db_down.copy" "$s2/baton/drafts/$(sed -n 's/^id: //p' "$BATON_TEST_TMP/onboarding_db_down.copy").draft"
start onb_down2c 80 24 env XDG_STATE_HOME="$s2" "$BATON_BIN" \
	-d "'dbname=$db user=olu application_name=onboarding_db_down_2c_${E2E_ID}'"
check "the stale queued change is offered again" \
	eval 'wait_for "Saved drafts" 15 && wait_for "Go-live: in progress" 5'
keys s
check "s: 'already recorded'" wait_for 'milestone "Go-live": in progress (already recorded)' 15
check "still one event, and Go-live one version on" \
	test "$(events "$why2")|$(status_of Go-live)" = "1:olu|in_progress:2"
check "the draft is removed" wait_true 10 '[ "$(ndrafts "$s2")" = 0 ]'
keys q
wait_for "Find:" 5
keys C-c
check "Ctrl-C quits with exit status 0" exit_status_is 0 10
stop

# --- 3. killed (kill -9) while offline: both offered at the next start -------------
s3="$BATON_TEST_TMP/onboarding_db_down.3"
mkdir -p "$s3"
why3="HL7 feed tested, console killed offline"
hwhy3="feed late; said before the console was killed"
olu_console onb_down3 "$s3"
check "the form of Integrations (HL7 feed), in progress, with a reason" \
	milestone_change "Integrations (HL7 feed)" "$why3" Integrations
server_stop
check "offline once more" wait_state OFFLINE 20
keys C-x
wait_for "the milestone change is saved and sent when it is back" 5
keys Escape
wait_row 1 "Baton · Northwind Health" 5
health_change "$hwhy3"
keys C-x
check "both changes saved, the health form waiting" \
	eval 'wait_for "OFFLINE: the change waits" 5 && [ "$(ndrafts "$s3")" = 2 ]'
pid=$(console_pid "onboarding_db_down_onb_down3_${E2E_ID}")
check "the console is running" test -n "$pid"
[ -n "$pid" ] && kill -KILL "$pid"
check "kill -9: it is gone" exit_status_is 137 10
stop
check "both changes survive it, queued: a milestone change and a health change" \
	eval '[ "$(ndrafts "$s3")" = 2 ] && [ "$(drafts_say "$s3" | grep -cx "state: queued")" = 2 ] &&
	      drafts_say "$s3" | grep -qx "kind: milestone" && drafts_say "$s3" | grep -qx "kind: health"'
server_start
check "nothing was written behind olu's back" \
	test "$(events "$why3")|$(healths "$hwhy3")" = "0:|0::"
start onb_down3b 80 24 env XDG_STATE_HOME="$s3" "$BATON_BIN" \
	-d "'dbname=$db user=olu application_name=onboarding_db_down_3b_${E2E_ID}'"
check "started again: both are offered, QUEUED" \
	eval 'wait_for "Saved drafts" 15 &&
	      screen | grep -F QUEUED | grep -F milestone | grep -qF "Integrations (HL7 feed): in" &&
	      screen | grep -F QUEUED | grep -F health | grep -qF "at risk \"feed late"'
keys s
check "s sends the first: one left, QUEUED" \
	wait_true 15 '[ "$(ndrafts "$s3")" = 1 ] && [ "$(screen | grep -c QUEUED)" = 1 ] && ! on_screen SENDING'
keys s
check "s sends the second: the list is empty" \
	eval 'wait_true 15 "[ \"\$(ndrafts "$s3")\" = 0 ]" && wait_for "No drafts left." 5'
check "the milestone change arrived exactly once, by olu" wait_true 10 '[ "$(events "$why3")" = 1:olu ]'
check "the health change arrived exactly once, by olu" wait_true 10 '[ "$(healths "$hwhy3")" = 1:olu:at_risk ]'
keys q
wait_for "Find:" 5
keys C-c
check "Ctrl-C quits with exit status 0" exit_status_is 0 10
check "no sanitizer report" no_sanitizer_report
stop

# --- 4. the drafts directory refused: in memory only, quitting asks ---------------------
s4="$BATON_TEST_TMP/onboarding_db_down.4"
d4="$s4/baton/drafts"
mkdir -p "$s4"
why4="handover planned; drafts refused"
olu_console onb_down4 "$s4"
chmod 0770 "$d4"
check "the form of Handover to Success, in progress, with a reason" \
	milestone_change "Handover to Success" "$why4" Handover
server_stop
check "offline a last time" wait_state OFFLINE 20
keys C-x
check "Ctrl-X: NOT SAVED — the milestone change waits, in memory only" \
	eval 'wait_true 5 "bottom_text | grep -qF \"NOT SAVED — the milestone change waits for the database, in memory only\"" &&
	      on_screen "NOT SAVED on disk (the drafts directory refused it): quitting loses it"'
keys Escape
check "Esc leaves the form: the change waits in memory only" \
	wait_for "the change waits in memory only (quitting loses it)" 5
keys Q
check "Q asks: 'unsent text will be lost: quit? (y/n)'" wait_row 24 "unsent text will be lost: quit? (y/n)" 5
keys n
check "nothing on disk yet" test "$(ndrafts "$s4")" = 0
chmod 0700 "$d4"
keys Q
check "the directory fixed: Q puts the change on disk and quits without asking" exit_status_is 0 10
check "no sanitizer report" no_sanitizer_report
check "the change is on disk, queued, with its reason" \
	eval '[ "$(ndrafts "$s4")" = 1 ] && drafts_say "$s4" | grep -qx "state: queued" && drafts_say "$s4" | grep -qxF "$why4"'
server_start
check "nothing was written behind olu's back" test "$(events "$why4")" = 0:

# --- 5. kept offline, refused when sent: back in the form, never applied over -----------
s5="$BATON_TEST_TMP/onboarding_db_down.5"
mkdir -p "$s5"
why5="Data migration blocked on the export; said offline"
olu_console onb_down5 "$s5"
check "Data migration's form, blocked, with a reason" milestone_change "Data migration" "$why5" "Data migration" blocked
server_stop
check "offline for the last time" wait_state OFFLINE 20
keys C-x
wait_for "the milestone change is saved and sent when it is back" 5
keys Escape
wait_row 1 "Baton · Northwind Health" 5
keys Q
check "Q quits at once" exit_status_is 0 10
stop
server_start
ms=$(sql "SELECT id FROM milestone WHERE customer_id = 1 AND title = 'Data migration'")
check "meanwhile maja marks Data migration done" \
	eval 'as maja milestone set "$ms" --status done >/dev/null && [ "$(status_of "Data migration")" = done:2 ]'
start onb_down5b 80 24 env XDG_STATE_HOME="$s5" "$BATON_BIN" \
	-d "'dbname=$db user=olu application_name=onboarding_db_down_5b_${E2E_ID}'"
wait_for "Saved drafts" 15
wait_for "Data migration: blocked" 5
keys s
check "s: refused, the milestone changed meanwhile by maja" \
	wait_for 'milestone "Data migration" not saved: changed meanwhile by maja' 15
check "never applied over maja's change: done, no event by olu, the draft gone" \
	eval '[ "$(status_of "Data migration")|$(events "$why5")" = "done:2|0:" ] && [ "$(ndrafts "$s5")" = 0 ]'
keys q
wait_for "Find:" 5
type_text "nwh"
wait_for "nwh.example" 10
keys Enter
wait_for "Handoffs ·" 10
select_row "Data migration"
keys m
check "m: olu's change is back in the form, with the server's reason" \
	eval 'wait_row 1 "Milestone · Northwind Health · Data migration" 5 && wait_row 3 "[blocked" 5 &&
	      wait_row 6 "[$why5" 5 && on_screen "NOT SAVED: changed meanwhile by maja"'
keys C-x
check "Ctrl-X saves it on the milestone as it is now: blocked, once, by olu" \
	eval 'wait_for "milestone \"Data migration\": blocked" 10 &&
	      [ "$(status_of "Data migration")|$(events "$why5")" = "blocked:3|1:olu" ]'
keys C-c
check "Ctrl-C quits with exit status 0" exit_status_is 0 10
check "no sanitizer report" no_sanitizer_report
