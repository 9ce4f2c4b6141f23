#!/bin/sh
# A step on a handoff (acknowledge, resolve, cancel, reassign) taken while
# the database is down is not lost, is recorded exactly once, and never
# lands on top of someone else's change:
#  1. sam (Support's lead) acknowledges Alpine Consulting in his queue while
#     the server is stopped: the console says the acknowledgement is saved
#     and sent when the database is back, the draft on disk says so; when
#     the server is back the console reconnects, sends it once and removes
#     the draft.
#  2. he marks Birch Textiles and Łódź Logistics and acknowledges both (A)
#     while offline, and the console is killed.  Nothing is sent behind his
#     back.  Meanwhile ana acknowledges Łódź herself.  Started again, the
#     console offers both steps; Birch's is sent, Łódź's is refused
#     ("changed meanwhile: acknowledged by ana"), not applied over ana's;
#     its comment is offered again when he presses a on Łódź.
#  3. Birch's step put back as if the answer had been lost: sent again,
#     the database recognises it ("already recorded"), one event.
# The server is ALWAYS started again, even when a check fails.
. "$BATON_ROOT/tests/lib/e2e.sh"

server_guard handoff_step_db_down

db=$(newdb baton_demo) || { echo "FAIL handoff_step_db_down: cannot create a test database"; exit 1; }
ALPINE=a4e97971-016e-cc04-b142-67a2f07dfd8c # success -> support:ana, open
BIRCH=a5720137-7656-a0b6-8478-f5d416f300f6  # success -> support, open
LODZ=97246d53-2a00-b2b1-83dd-31716eac04f0   # success -> support:ana, open
ndrafts() { find "$1" -name '*.draft' 2>/dev/null | wc -l | tr -d ' '; }
# draft_of DIR HANDOFF: the step draft about HANDOFF in DIR
draft_of() { grep -lx "handoff: $2" "$1"/baton/drafts/*.draft 2>/dev/null; }
state_of() { sql "SELECT state FROM handoff WHERE id = '$1'"; }
# acks HANDOFF: its acknowledgements, "actor:comment" each
acks() { sql "SELECT string_agg(actor || ':' || coalesce(comment, ''), ',') FROM handoff_event WHERE handoff_id = '$1' AND kind = 'acknowledged'"; }

# queue SESSION STATE_DIR TAG: sam's console, on his queue.  TAG makes the
# -d string unique (pgrep).
queue() {
	start "$1" 80 24 env XDG_STATE_HOME="$2" "$BATON_BIN" -d "'dbname=$db user=sam application_name=$3'"
	wait_state live 15
	wait_row 1 "Handoff queue" 10
}

# --- 1. acknowledged while offline, sent when the database is back ----------------------
s1="$BATON_TEST_TMP/handoff_step_db_down.1"
mkdir -p "$s1"
queue step_down1 "$s1" "step_down1_${E2E_ID}"
# (Its rows come after its title: a Down pressed before they came would
# land on them after, one row too far.)
check "sam's queue lists Alpine Consulting" eval 'wait_for "Alpine Consult" 10 && select_row "Alpine Consult"'
server_stop
check "server stopped: OFFLINE" wait_state OFFLINE 20
keys a
wait_true 5 'row 24 | grep -qE "^ Acknowledge .+\? comment:"'
type_text "on it, calling them"
keys Enter
check "a while offline: 'database unreachable: the acknowledgement is saved and sent when it is back'" \
	wait_for "database unreachable: the acknowledgement is saved and sent when it is back" 5
f=$(draft_of "$s1" "$ALPINE")
check "the step is on disk, queued: kind step, acknowledged, the comment" \
	eval '[ -n "$f" ] && grep -qx "kind: step" "$f" && grep -qx "step: acknowledged" "$f" &&
	      grep -qx "state: queued" "$f" && grep -qx "version: 1" "$f" && grep -qxF "on it, calling them" "$f"'
check "the drafts directory stays private (0700), the draft 0600" \
	eval '[ "$(stat -c %a "$s1/baton/drafts")" = 700 ] && [ "$(stat -c %a "$f")" = 600 ]'
server_start
check "server started again: the console reconnects by itself" wait_state live 30
check "the handoff is acknowledged by sam, once, with his comment" \
	wait_true 20 '[ "$(acks "$ALPINE")" = "sam:on it, calling them" ]'
check "Alpine Consulting is acknowledged" test "$(state_of "$ALPINE")" = acknowledged
check "the draft file is removed" wait_true 10 '[ "$(ndrafts "$s1")" = 0 ]'
keys q
wait_for "Find:" 5
keys Escape q
check "q, Esc, q quits with exit status 0" exit_status_is 0 10
check "no sanitizer report" no_sanitizer_report
stop

# --- 2. two acknowledged while offline, killed; one meets ana's change ---------------------
s2="$BATON_TEST_TMP/handoff_step_db_down.2"
mkdir -p "$s2"
tag2="step_down2_${E2E_ID}"
queue step_down2 "$s2" "$tag2"
# Each mark is waited for: Space also moves the cursor, and a Down pressed
# before it shows would go one row too far.
marked() { screen | grep -E "^.\*"; }
wait_for "Birch Textiles" 10
select_row "Birch Textiles"
keys Space
wait_true 5 'marked | grep -qF "Birch Textiles"'
select_row "Łódź Logistics"
keys Space
check "Birch Textiles and Łódź Logistics are marked" \
	wait_true 5 'marked | grep -qF "Birch Textiles" && marked | grep -qF "Łódź Logistics"'
server_stop
check "offline again" wait_state OFFLINE 20
keys A
check "A names them, as fit: 'Acknowledge 2 handoffs (Birch Textiles…, Łódź Logistics)? comment:'" \
	wait_row 24 "Acknowledge 2 handoffs (Birch Textiles…, Łódź Logistics)? comment:" 5
type_text "both taken"
keys Enter
check "A while offline: 'database unreachable: 2 acknowledgements saved, sent when it is back'" \
	wait_for "database unreachable: 2 acknowledgements saved, sent when it is back" 5
check "two step drafts on disk, one per handoff" \
	eval '[ "$(ndrafts "$s2")" = 2 ] && [ -n "$(draft_of "$s2" "$BIRCH")" ] && [ -n "$(draft_of "$s2" "$LODZ")" ]'
pid=$(console_pid "$tag2")
check "the console is running" test -n "$pid"
[ -n "$pid" ] && kill -TERM "$pid"
check "SIGTERM: it exits with status 143" exit_status_is 143 10
check "no sanitizer report" no_sanitizer_report
stop
check "both steps survive the console" test "$(ndrafts "$s2")" = 2
server_start
check "nothing was sent behind sam's back: both still open" \
	eval '[ "$(state_of "$BIRCH")" = open ] && [ "$(state_of "$LODZ")" = open ]'
cp "$(draft_of "$s2" "$BIRCH")" "$BATON_TEST_TMP/handoff_step_db_down.copy"
out=$("$BATON_BIN" -d "dbname=$db user=ana" handoff ack "$LODZ" --comment "mine, done" 2>&1)
check "meanwhile ana acknowledges Łódź Logistics herself ($out)" test "$(acks "$LODZ")" = "ana:mine, done"

queue step_down2b "$s2" "$tag2"
check "started again: the saved drafts are offered" wait_for "Saved drafts" 15
check "both steps are listed QUEUED, with their customer, what they do and the comment" \
	eval 'screen | grep -F QUEUED | grep -F "Birch Textiles" | grep -F acknowledge | grep -qF "\"both taken\"" &&
	      screen | grep -F QUEUED | grep -F "Łódź Logistics" | grep -F acknowledge | grep -qF "\"both taken\""'
select_row "Birch Textiles" 3
keys s
check "s sends Birch's: 'handoff acknowledged'" wait_for "handoff acknowledged" 15
check "Birch Textiles is acknowledged by sam, once" wait_true 10 '[ "$(acks "$BIRCH")" = "sam:both taken" ]'
check "its draft is removed, the drafts screen no longer lists it" \
	eval 'wait_true 10 "[ -z \"\$(draft_of \"$s2\" \"$BIRCH\")\" ]" && wait_gone "Birch Textiles" 5'
select_row "Łódź Logistics" 3
keys s
check "s sends Łódź's: refused, 'not acknowledged: changed meanwhile: acknowledged by ana'" \
	wait_for "not acknowledged: changed meanwhile: acknowledged by ana" 15
check "ana's acknowledgement stands alone: sam's is not applied over it" \
	eval '[ "$(acks "$LODZ")" = "ana:mine, done" ] && [ "$(state_of "$LODZ")" = acknowledged ]'
check "the refused step is not kept to be sent again" wait_true 10 '[ "$(ndrafts "$s2")" = 0 ]'
keys q
wait_row 1 "Handoff queue" 5
select_row "Łódź Logistics"
keys a
check "a on Łódź Logistics again: the refused comment is offered in the prompt" \
	wait_true 5 'row 24 | grep -qE "^ Acknowledge .+\? comment: both taken"'
keys Escape
wait_gone "? comment:" 5
keys q
wait_for "Find:" 5
keys Escape q
check "q, Esc, q quits with exit status 0" exit_status_is 0 10
check "no sanitizer report" no_sanitizer_report
stop

# --- 3. the answer was lost: the same step is sent again ---------------------------------
cp "$BATON_TEST_TMP/handoff_step_db_down.copy" "$s2/baton/drafts/$(sed -n 's/^id: //p' "$BATON_TEST_TMP/handoff_step_db_down.copy").draft"
queue step_down3 "$s2" "$tag2"
check "the stale step is offered again" \
	eval 'wait_for "Saved drafts" 15 && wait_for "Birch Textiles" 5'
keys s
check "s: 'handoff acknowledged (already recorded)'" wait_for "handoff acknowledged (already recorded)" 15
check "still one acknowledgement of Birch Textiles" test "$(acks "$BIRCH")" = "sam:both taken"
check "the draft file is removed" wait_true 10 '[ "$(ndrafts "$s2")" = 0 ]'
keys q
wait_row 1 "Handoff queue" 5
keys q
wait_for "Find:" 5
keys Escape q
check "q, q, Esc, q quits with exit status 0" exit_status_is 0 10
check "no sanitizer report" no_sanitizer_report
stop
