#!/bin/sh
# Resizing: too small says so instead of crashing, growing redraws the
# layout with more room, and detail pages survive resizes too.
. "$BATON_ROOT/tests/lib/e2e.sh"

db=$(newdb baton_demo) || { echo "FAIL resize: cannot create a test database"; exit 1; }
trap stop EXIT
app="resize_app_${E2E_ID}"

start resize 80 24 "$BATON_BIN" -d "'dbname=$db user=ana application_name=$app'"
wait_state live 15
type_text "north"
wait_for "North Star Logistics" 10
keys Enter
check "80x24: Northwind Health opens" eval 'wait_for "Handoffs" 10 && on_screen "Success notes"'

panels_drawn() {
	for t in "Onboarding" "Tickets" "Success notes" "Marketing" "Handoffs"; do
		screen | grep -qE -- "[┌├] $t" || { echo "missing panel: $t"; return 1; }
	done
}
size_is() { [ "$(tm display -p -t resize '#{pane_width}x#{pane_height}')" = "$1" ]; }

tm resize-window -t resize -x 40 -y 10
check "40x10: says 'Terminal too small (40x10)'" wait_for "Terminal too small (40x10)" 5
check "40x10: says what it needs" on_screen "Baton needs"
check "40x10: still running" eval 'console_pid "$app" >/dev/null'

type_text "abc"
check "40x10: keys typed are counted, not silently lost: '3 keys not taken'" wait_row 3 "3 keys not taken" 5

tm resize-window -t resize -x 20 -y 5
check "20x5: still says it is too small, still running" \
	eval 'wait_for "Terminal too small" 5 && wait_gone "(40x10)" 5 && console_pid "$app" >/dev/null'

tm resize-window -t resize -x 120 -y 40
check "120x40: layout redrawn with the five panels" \
	eval 'wait_gone "Terminal too small" 5 && wait_for "Handoffs" 5 && panels_drawn'
check "120x40: the bottom line says the keys typed meanwhile were not taken" \
	wait_row 40 "3 keys typed while the terminal was too small were not taken" 5
check "120x40: wider panels show the whole subject and more milestones" \
	eval 'wait_for "4812 Patient data missing after migration " 5 && on_screen "Handover to Success" && size_is 120x40'
check "120x40: the key hints on the last row (after that message)" wait_row 40 "Tab panel" 10

tm resize-window -t resize -x 200 -y 60
check "200x60: layout redrawn, handoff state in full" \
	eval 'wait_row 60 "Tab panel" 5 && panels_drawn && screen | grep -F "Support → Success" | grep -qE "NOT ACKNOWLEDGED \\((due|[0-9])"'

# The smallest size it accepts (below it says "too small") still answers
# the one-glance question: the urgent ticket and the open handoff.
tm resize-window -t resize -x 59 -y 16
check "59x16 (one column under the minimum): says it is too small" \
	eval 'wait_for "Terminal too small" 5 && console_pid "$app" >/dev/null'
tm resize-window -t resize -x 60 -y 16
check "60x16 (the minimum it accepts): ticket 4812 and the open handoff are visible, all five panels drawn" \
	eval 'wait_row 16 "Tab panel" 5 && wait_for "4812" 3 && on_screen "Support → Success" && panels_drawn'
tm resize-window -t resize -x 200 -y 60
wait_row 60 "Tab panel" 5

# A detail page through a shrink to the minimum and back.  (tmux keeps the
# bottom rows of the old screen until the console redraws: wait for the
# title on the top row, which only the redraw puts there.)
keys Tab Enter
wait_row 1 "Ticket 4812" 5
tm resize-window -t resize -x 60 -y 16
check "60x16 (the minimum): the ticket page is still drawn" \
	eval 'wait_row 1 "Ticket 4812" 5 && wait_row 16 "n/N next" 5 && ! on_screen "Terminal too small"'
tm resize-window -t resize -x 80 -y 24
check "back to 80x24: ticket page rewrapped, body visible" \
	eval 'wait_row 24 "q back" 5 && on_screen "Clinicians cannot see allergy information"'
keys q
check "q: back on the customer screen at 80x24" \
	eval 'wait_for "Success notes" 5 && panels_drawn && wait_row 24 "Tab panel" 5'

# Too small, then q quits from there.
tm resize-window -t resize -x 30 -y 8
wait_for "Terminal too small" 5
keys Q
check "Q quits while too small, exit status 0" exit_status_is 0 10
check "no sanitizer report" no_sanitizer_report
stop
