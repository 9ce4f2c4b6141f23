#!/bin/sh
# The waiting list ("Waiting for you and Support") says what matters about
# each handoff at a glance: an urgent one is marked !!, a high one !, in
# colour where there is colour and by the mark itself without (NO_COLOR);
# and it says whom it is for: "→ you" (emphasised) for the signed-in
# person, another person's name, or the team.  (The order is the server's:
# unacknowledged first, urgent first (085), oldest first.)
. "$BATON_ROOT/tests/lib/e2e.sh"

db=$(newdb baton_demo) || { echo "FAIL finder_waiting_marks: cannot create a test database"; exit 1; }
trap stop EXIT

send() { # CUSTOMER PRIORITY [--to PERSON]: ben (Success) hands off to Support
	_c=$1
	_p=$2
	shift 2
	as ben handoff new --customer "$_c" --to-team support --reason escalation --priority "$_p" \
		--message "marks test $_p" "$@" >/dev/null
}
check "ben sends Support an urgent handoff for ana" send nwh.example urgent --to ana
check "ben sends Support a high one for the team" send nsl.example high
check "ben sends Support a normal one for jose" send nordicph.example normal --to jose

# wrow TEXT: the waiting list's row with TEXT
wrow() { screen | sed -n '/Waiting for you/,$p' | grep -F -- "$1" | head -n 1; }
wrow_e() { screen_e | sed -n '/Waiting for you/,$p' | grep -F -- "$1" | head -n 1; }
ESC=$(printf '\033')

start marks 80 24 "$BATON_BIN" -d "'dbname=$db user=ana'"
wait_state live 15
wait_for "Waiting for you and Support (13)" 10
check "urgent, for ana: '!!', 'success → you', NEW" \
	eval 'wrow "Northwind Health" | grep -qE "^ +0m +!! Northwind Health +success → you +NEW"'
check "high, for the team: '!', 'success → support'" \
	eval 'wrow "North Star Logistics" | grep -qE "^ +0m +! +North Star Logistics +success → support +NEW"'
check "normal, for jose: no mark, 'success → jose'" \
	eval 'wrow "marks test normal" | grep -qE "^ +0m +Nordic Pharma Oy +success → jose +NEW"'
check "the demo's: Blue Fjord's urgent one '!!' for the team, Café Lumière's for ana" \
	eval 'wrow "Blue Fjord AB" | grep -qE "^ +[0-9]+h +!! Blue Fjord AB +onboarding → support +LATE" &&
	      wrow "Café Lumière" | grep -qE "^ +[0-9]+h +Café Lumière +marketing → you +NEW"'
# wline TEXT: the line of the waiting list's first row with TEXT
wline() { screen | sed -n '/Waiting for you/,$p' | sed 1d | grep -n -F -- "$1" | head -n 1 | cut -d: -f1; }
check "urgent first: the list starts with '!!' rows, the newest urgent above older normal ones" \
	eval 'screen | sed -n "/Waiting for you/,\$p" | sed -n 2p | grep -qE "^ +[0-9]+[mhd] +!! " &&
	      [ "$(wline "Northwind Health")" -lt "$(wline "Café Lumière")" ] &&
	      [ "$(wline "Blue Fjord AB")" -lt "$(wline "North Star Logistics")" ]'
check "colour: !! is red, ! yellow" \
	eval 'wrow_e "Northwind Health" | grep -qE "$ESC\[[0-9;]*31[0-9;]*m!!" &&
	      wrow_e "North Star Logistics" | grep -qE "$ESC\[[0-9;]*33[0-9;]*m!"'
check "'you' is emphasised (bold)" \
	eval 'wrow_e "Northwind Health" | grep -qE "$ESC\[([0-9;]*;)?1(;[0-9;]*)?m([^$ESC]*$ESC\[[0-9;]*m)*you"'
keys Escape '?'
wait_row 2 "Keys on this screen" 5
keys /
type_text "urgent ticket or handoff"
keys Enter
check "help: the legend says what !! and → you mean" \
	eval 'wait_for "→ you  waiting for you in person; → NAME for them, → TEAM the team" 5 &&
	      on_screen "!!     urgent ticket or handoff"'
keys q
wait_for "Find:" 5
keys q
check "q quits, status 0" exit_status_is 0 10
check "no sanitizer report" no_sanitizer_report
stop

start marks_nocolor 80 24 env NO_COLOR=1 "$BATON_BIN" -d "'dbname=$db user=ana'"
wait_state live 15
wait_for "Waiting for you and Support (13)" 10
check "NO_COLOR: no colour on the start screen" no_colour
check "NO_COLOR: the marks say it: '!!' urgent, '!' high, '→ you'" \
	eval 'wrow "Northwind Health" | grep -qE "!! Northwind Health +success → you" &&
	      wrow "North Star Logistics" | grep -qE "! +North Star Logistics +success → support"'
check "NO_COLOR: 'you' is bold" \
	eval 'wrow_e "Northwind Health" | grep -qE "$ESC\[([0-9;]*;)?1(;[0-9;]*)?m([^$ESC]*$ESC\[[0-9;]*m)*you"'
keys Escape q
check "NO_COLOR: Esc, q quits, status 0" exit_status_is 0 10
stop

E2E_LANG=C start marks_ascii 80 24 "$BATON_BIN" -d "'dbname=$db user=ana'"
wait_state live 15
wait_for "Waiting for you and Support (13)" 10
check "LANG=C: '!!' and 'success -> you' in ASCII" \
	eval 'wrow "Northwind Health" | grep -qE "!! Northwind Health +success -> you +NEW"'
keys Escape q
check "LANG=C: Esc, q quits, status 0" exit_status_is 0 10
