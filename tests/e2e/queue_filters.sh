#!/bin/sh
# Unknown filter values (and people) are refused with the valid ones, and
# the filter in force stays: in the console's f prompt (lee's queue at 80x24) and in
# `baton queue`'s options (exit 2).  Teams are the database's rows; a
# valid filter by a team's name still applies.  The queue's help explains
# the SLA column.
. "$BATON_ROOT/tests/lib/e2e.sh"

db=$(newdb baton_demo) || { echo "FAIL queue_filters: cannot create a test database"; exit 1; }
state="$BATON_TEST_TMP/queue_filters.state"
mkdir -p "$state"
trap stop EXIT

teams="billing, marketing, onboarding, success or support"

# filter TEXT: f, TEXT, Enter
filter() {
	keys f
	wait_row 24 "Filter (" 5
	type_text "$1"
	keys Enter
}

start queue_filters 80 24 env XDG_STATE_HOME="$state" "$BATON_BIN" -d "'dbname=$db user=lee'"
wait_state live 15
# A lead's console opens on the queue (start_screen.sh).
check "lee's queue opens on 'my teams'" \
	eval 'wait_row 1 "Handoff queue · my teams" 10 && wait_row 4 "filter: state=active mine" 5 && wait_row 6 "Northwind Health" 10'

filter "priority=hgh"
check "priority=hgh: 'unknown priority \"hgh\": use low, normal, high or urgent'" \
	wait_row 24 'unknown priority "hgh": use low, normal, high or urgent' 5
check "priority=hgh: the filter in force stays (state=active mine, my teams)" \
	eval 'row 4 | grep -qF "filter: state=active mine " && row 1 | grep -qF "· my teams"'

filter "state=bogus"
check "state=bogus: the valid states are listed" \
	wait_row 24 'unknown state "bogus": use active, open, acknowledged, resolved or cancelled' 5

filter "team=nosuch"
check "team=nosuch: the database's teams are listed" \
	wait_row 24 "unknown team \"nosuch\": use $teams" 5
check "team=nosuch: the filter in force stays" eval 'row 4 | grep -qF "filter: state=active mine "'

filter "to=nosuch"
check "to=nosuch: refused, says how to find people (as baton queue --to does)" \
	wait_row 24 'unknown person "nosuch": use a person'"'"'s role name (baton staff list' 5
check "to=nosuch: the filter in force stays" eval 'row 4 | grep -qF "filter: state=active mine "'
# A person on the staff applies, with no refusal left below.
filter "to=ben"
check "to=ben: applied once the server knows ben" \
	eval 'wait_row 4 "filter: state=active to=ben" 5 && ! row 24 | grep -qF "unknown person"'
filter "mine"
wait_row 4 "filter: state=active mine" 5

filter "team="
check "team= (empty): refused, the teams listed" wait_row 24 "team= needs a value: use $teams" 5

filter "reason=refund"
check "reason=refund: the configured reasons are listed" \
	wait_row 24 'unknown reason "refund": use escalation, "renewal risk", "onboarding blocker"' 5
check "after every refusal the rows are those of 'my teams' still" \
	eval 'row 6 | grep -qF "Northwind Health" && row 4 | grep -qF "filter: state=active mine "'

# A team by its name, any case, filters by its id; '_' stands for a
# reason's spaces, or the value is in quotes.  A filter too long for the
# legend beside it takes its place.
filter 'team=Support reason="renewal risk"'
check "team=Support reason=\"renewal risk\": applied as team=support reason=\"renewal risk\"" \
	wait_row 4 'filter: state=active team=support reason="renewal risk"' 5
check "the refusal of the filter before is gone from the bottom line" \
	eval '! row 24 | grep -qF "unknown reason"'
filter "mine"
wait_row 4 "filter: state=active mine" 5
filter "team=Support reason=renewal_risk"
check "team=Support reason=renewal_risk: the same" \
	wait_row 4 'filter: state=active team=support reason="renewal risk"' 5
check "the header is no longer a saved view's name" \
	eval 'row 1 | grep -qF "Handoff queue" && ! row 1 | grep -qF "· my teams"'

keys '?'
wait_row 1 "Baton · Help" 5
# help_shows TEXT: the help's pages, from the top, until one shows TEXT
help_shows() {
	keys g
	for _p in 1 2 3 4 5 6; do
		wait_for "$1" 1 && return 0
		# a page drawn late is waited for, not skipped
		press_and_wait PageDown screen || break
	done
	wait_for "$1" 1
}
check "? in the queue: the help explains the SLA column's signs" \
	eval 'help_shows "+1d means over the SLA by a day," && help_shows "-23h within the SLA by 23 hours"'
keys q
keys q
wait_for "Find:" 5
keys Escape q
check "q, q, Esc, q quits with exit status 0" exit_status_is 0 10
check "no sanitizer report" no_sanitizer_report
stop

# --- the command line: the same check, exit 2 -------------------------------------
# cli_refuses NAME WANT ARGS...: exit 2, WANT on stderr, nothing on stdout
cli_refuses() {
	_name=$1
	_want=$2
	shift 2
	"$BATON_BIN" -d "dbname=$db user=lee" queue "$@" >"$BATON_TEST_TMP/qf.out" 2>"$BATON_TEST_TMP/qf.err"
	_rc=$?
	if [ "$_rc" = 2 ] && grep -qF -- "$_want" "$BATON_TEST_TMP/qf.err" && [ ! -s "$BATON_TEST_TMP/qf.out" ]; then
		pass "$_name"
	else
		fail "$_name (exit $_rc)"
		cat "$BATON_TEST_TMP/qf.err"
	fi
}
cli_refuses "baton queue --priority hgh: exit 2, the priorities listed" \
	'unknown priority "hgh": use low, normal, high or urgent' --priority hgh
cli_refuses "baton queue --state bogus: exit 2, the states listed" \
	'unknown state "bogus": use active, open, acknowledged, resolved or cancelled' --state bogus
cli_refuses "baton queue --segment huge: exit 2, the schema's segments listed" \
	'unknown segment "huge": use smb, mid-market, enterprise or strategic' --segment huge
cli_refuses "baton queue --team nosuch: exit 2, the database's teams listed" \
	"unknown team \"nosuch\": use $teams" --team nosuch
cli_refuses "baton queue --reason refund: exit 2, the reasons listed" \
	'unknown reason "refund": use escalation' --reason refund
cli_refuses "baton queue --to nosuch: exit 2, says how to find people" \
	'unknown person "nosuch": use a person'"'"'s role name (baton staff list shows them)' --to nosuch

# --to a person who has left (disabled) still lists what they hold.
sql "UPDATE staff SET active = false WHERE role_name = 'ben'" >/dev/null
out=$("$BATON_BIN" -d "dbname=$db user=lee" queue --to ben --format csv 2>&1)
rc=$?
want=$(sql "SELECT count(*) FROM handoff WHERE to_staff = 'ben' AND state IN ('open', 'acknowledged')")
check "baton queue --to ben (disabled): exit 0, ben's $want rows" \
	eval '[ $rc = 0 ] && [ "$want" -gt 0 ] && [ "$(printf "%s\n" "$out" | sed 1d | wc -l)" = "$want" ]'
sql "UPDATE staff SET active = true WHERE role_name = 'ben'" >/dev/null

out=$("$BATON_BIN" -d "dbname=$db user=lee" queue --team Support --format json 2>&1)
rc=$?
n=$(psql -X -q -At -v j="$out" -d "$db" <<'EOF2'
SELECT json_array_length(:'j'::json) || '|'
       || (SELECT count(*) FROM json_array_elements(:'j'::json) e WHERE e->>'to_team' = 'support');
EOF2
)
want=$(sql "SELECT count(*) FROM handoff WHERE to_team = 'support' AND state IN ('open', 'acknowledged')")
check "baton queue --team Support (the name): exit 0, the support rows" test "$rc|$n" = "0|$want|$want"
