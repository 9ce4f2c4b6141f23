#!/bin/sh
# What the console opens on: a lead's console on their queue ("my teams":
# their team's handoffs, breached first), with the finder and the waiting
# list of their team below it (q goes back to it, q again quits); everyone
# else's on the finder.  The choice is made as soon as the server says who
# is signed in, before the team's name is first drawn: a screen that names
# the team has already chosen.  ui.start_screen = "queue" | "finder" changes it;
# another value is a configuration error (exit 3, file and line).  Saved
# drafts are still offered first, above the queue.
. "$BATON_ROOT/tests/lib/e2e.sh"

db=$(newdb baton_demo) || { echo "FAIL start_screen: cannot create a test database"; exit 1; }
T="$BATON_TEST_TMP/start_screen"
mkdir -p "$T"
trap stop EXIT

start lead 80 24 "$BATON_BIN" -d "'dbname=$db user=lee'"
wait_state live 15
check "lee (Success lead) opens on the queue, view 'my teams'" \
	wait_row 1 "Baton · Handoff queue · my teams" 10
check "it lists Northwind's breached handoff to Success" wait_for "Northwind Health" 10
keys q
check "q: the finder below it, with the waiting list of lee's team" \
	eval 'wait_for "Find:" 5 && wait_for "Waiting for you and Success" 5'
keys Escape q
check "Esc, q quits, status 0" exit_status_is 0 10
check "no sanitizer report" no_sanitizer_report
stop

start agent 80 24 "$BATON_BIN" -d "'dbname=$db user=ana'"
wait_state live 15
check "ana (not a lead) opens on the finder" \
	eval 'wait_for "Waiting for you and Support" 10 && off_screen "Handoff queue"'
keys Escape q
check "Esc, q quits, status 0" exit_status_is 0 10
stop

printf 'ui: { start_screen = "finder"; };\n' >"$T/finder.cfg"
start lead_finder 80 24 env BATON_CONFIG="$T/finder.cfg" "$BATON_BIN" -d "'dbname=$db user=lee'"
wait_state live 15
check "ui.start_screen = \"finder\": lee opens on the finder" \
	eval 'wait_for "Waiting for you and Success" 10 && off_screen "Handoff queue"'
stop

printf 'ui: { start_screen = "queue"; };\n' >"$T/queue.cfg"
start agent_queue 80 24 env BATON_CONFIG="$T/queue.cfg" "$BATON_BIN" -d "'dbname=$db user=ana'"
wait_state live 15
check "ui.start_screen = \"queue\": ana opens on the queue" wait_row 1 "Baton · Handoff queue" 10
stop

printf 'ui:\n{\n  start_screen = "inbox";\n};\n' >"$T/bad.cfg"
BATON_CONFIG="$T/bad.cfg" "$BATON_BIN" -d "dbname=$db user=lee" >"$T/out" 2>"$T/err"
rc=$?
check "another value: exit 3, the file and line named" \
	eval '[ "$rc" -eq 3 ] && grep -qF "$T/bad.cfg:3: setting '"'"'ui.start_screen'"'"' must be \"finder\", \"queue\", \"signals\" or \"marketing\"" "$T/err"'

# A saved draft is offered first; the queue is under it, the finder under both.
state="$T/state"
mkdir -p "$state/baton/drafts"
chmod 700 "$state" "$state/baton" "$state/baton/drafts"
owner="user=\"lee\" dbname=\"$db\" host=\"$PGHOST\" port=\"$PGPORT\""
printf 'baton-draft: 2\nkind: note\nowner: %s\nid: 0f8fad5b-d9cb-469f-a165-70867728950e\ncustomer: 1\ncustomer-name: Northwind Health\nnote-kind: note\nstate: editing\n\nHeron: a draft left behind.' \
	"$owner" >"$state/baton/drafts/0f8fad5b-d9cb-469f-a165-70867728950e.draft"
chmod 600 "$state"/baton/drafts/*.draft
start lead_drafts 80 24 env XDG_STATE_HOME="$state" "$BATON_BIN" -d "'dbname=$db user=lee'"
wait_state live 15
check "lee's saved note draft is offered first" \
	eval 'wait_for "Saved drafts" 10 && wait_for "Heron: a draft left behind." 5'
keys q
check "q: the queue under it" wait_row 1 "Baton · Handoff queue" 5
keys q
check "q: the finder under the queue" wait_for "Waiting for you and Success" 5
keys Escape q
check "Esc, q quits, status 0" exit_status_is 0 10
check "no sanitizer report" no_sanitizer_report
