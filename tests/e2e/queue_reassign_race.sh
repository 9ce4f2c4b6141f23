#!/bin/sh
# Two leads reassign the same handoff: lee selects Northwind's breached
# escalation in the queue and presses r (what he acts on is captured now);
# before he answers, sam reassigns it from the command line.  Lee's
# reassignment is refused and he is told who changed it; the history has
# only sam's step.  Then a reassignment nobody races goes through, with its
# comment in the history.
. "$BATON_ROOT/tests/lib/e2e.sh"

H=6293c178-ae4a-339c-418f-a402dd44efe3 # Northwind Health, support -> success:ben
db=$(newdb baton_demo) || { echo "FAIL queue_reassign_race: cannot create a test database"; exit 1; }
state="$BATON_TEST_TMP/queue_reassign_race.state"
mkdir -p "$state"
trap stop EXIT



start queue_race 80 24 env XDG_STATE_HOME="$state" "$BATON_BIN" -d "'dbname=$db user=lee'"
wait_state live 15
# A lead's console opens on the queue (start_screen.sh).
check "lee's queue, view 'my teams', Northwind selected on top" \
	eval 'wait_row 1 "Handoff queue · my teams" 10 && wait_row 6 "Northwind Health" 10 && row 6 | grep -qE "^›"'
keys r
check "r asks 'Reassign 1 handoff (Northwind Health) to team[:person]:'" \
	wait_row 24 "Reassign 1 handoff (Northwind Health) to team[:person]:" 5

# Sam is faster.
out=$("$BATON_BIN" -d "dbname=$db user=sam" handoff reassign "$H" --to-team support --comment "support keeps it" 2>&1)
rc=$?
check "sam reassigns it from the command line: exit 0, 'open (version 2)'" \
	test "$rc|$out" = "0|$H: open (version 2)"

type_text "support:ana"
keys Enter
check "lee's destination accepted, 'Why (comment)?'" wait_row 24 "Why (comment)?" 5
type_text "ana knows"
keys Enter
check "lee is told: 'not reassigned: changed meanwhile: reassigned by sam …'" \
	wait_row 24 "not reassigned: changed meanwhile: reassigned by sam" 10
check "the history has exactly one reassignment: sam's, to support, with his comment" \
	test "$(sql "SELECT count(*) || '|' || min(actor) || '|' || min(to_team) || '|' || coalesce(min(to_staff), '-') || '|' || min(comment)
	             FROM handoff_event WHERE handoff_id = '$H' AND kind = 'reassigned'")" = "1|sam|support|-|support keeps it"
check "the handoff is where sam put it (support, anyone), version 2" \
	test "$(sql "SELECT to_team || '|' || coalesce(to_staff, '-') || '|' || state || '|' || version FROM handoff WHERE id = '$H'")" = "support|-|open|2"
check "lee's 'my teams' view no longer lists it (it left Success)" \
	eval 'wait_gone "Northwind Health" 10 && wait_row 1 "Handoff queue · my teams" 5'

# A reassignment nobody races: Müller & Söhne's escalation (to lee) goes to
# Onboarding's Maja, with a comment.
M=$(sql "SELECT id FROM handoff WHERE customer_id = 6 AND state = 'acknowledged' AND to_staff = 'lee'")
mv=$(sql "SELECT version FROM handoff WHERE id = '$M'")
check "select Müller & Söhne in the queue" select_row "Müller & Söhne"
keys r
wait_row 24 "to team[:person]:" 5
type_text "Onboarding:maja"
keys Enter
wait_row 24 "Why (comment)?" 5
type_text "Maja runs the re-onboarding — she knows their SSO"
keys Enter
check "'reassigned 1 handoff'" wait_row 24 "reassigned 1 handoff" 10
check "the handoff: to onboarding:maja, open again (to be acknowledged afresh), one version later" \
	test "$(sql "SELECT to_team || '|' || to_staff || '|' || state || '|' || (acknowledged_by IS NULL) || '|' || version FROM handoff WHERE id = '$M'")" = \
	     "onboarding|maja|open|true|$((mv + 1))"
check "its history ends with lee's reassignment and his comment" \
	test "$(sql "SELECT kind || '|' || actor || '|' || to_team || '|' || to_staff || '|' || comment FROM handoff_event
	             WHERE handoff_id = '$M' ORDER BY at DESC, id DESC LIMIT 1")" = \
	     "reassigned|lee|onboarding|maja|Maja runs the re-onboarding — she knows their SSO"
check "exactly one reassignment of it" \
	test "$(sql "SELECT count(*) FROM handoff_event WHERE handoff_id = '$M' AND kind = 'reassigned'")" = 1
check "it leaves lee's view" eval 'wait_gone "Müller & Söhne" 10 && wait_row 1 "Handoff queue" 5'

# A reassignment without a comment is not sent.
keys r
wait_row 24 "to team[:person]:" 5
type_text "support"
keys Enter
wait_row 24 "Why (comment)?" 5
keys Enter
check "no comment: 'a reassignment needs a comment'" wait_row 24 "a reassignment needs a comment" 5
check "still exactly two reassignments in the database (sam's and lee's)" \
	test "$(sql "SELECT count(*) FROM handoff_event WHERE kind = 'reassigned' AND at > now() - interval '1 hour'")" = 2

keys q
wait_for "Find:" 5
keys Escape q
check "q, Esc, q quits with exit status 0" exit_status_is 0 10
check "no sanitizer report" no_sanitizer_report
stop
