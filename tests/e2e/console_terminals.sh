#!/bin/sh
# The same find-and-open path on the terminals people really have: TERM
# screen, linux and vt100, a monochrome run with NO_COLOR, and a non-UTF-8
# locale (LANG=C) that must get ASCII fallbacks and no garbage.
. "$BATON_ROOT/tests/lib/e2e.sh"

db=$(newdb baton_demo) || { echo "FAIL terminals: cannot create a test database"; exit 1; }
trap stop EXIT

# open_northwind: start screen -> "north" -> Enter -> the customer screen
open_northwind() {
	wait_state live 15 || return 1
	type_text "north"
	wait_for "North Star Logistics" 10 || return 1
	keys Enter
	wait_for "Handoffs" 10
}

# customer_ok: what one glance at Northwind must show, on any terminal
customer_ok() {
	s=$(screen)
	for t in "Northwind Health" "Onboarding" "Tickets" "Success notes" "Marketing" "Handoffs" \
		"4812 Patient data missing" "SLA!" "!!" "NOT ACKNOWLEDGED" "dropped baton"; do
		printf '%s\n' "$s" | grep -qF -- "$t" || { echo "missing: $t"; return 1; }
	done
}

for term in screen linux vt100; do
	E2E_TERM=$term start "terminals_$term" 80 24 "$BATON_BIN" -d "'dbname=$db user=ana'"
	check "TERM=$term: finds and opens Northwind Health" open_northwind
	check "TERM=$term: header, five panels, 4812 SLA!, NOT ACKNOWLEDGED, flags" customer_ok
	if [ "$term" = vt100 ]; then
		check "TERM=vt100: no colour escape sequences (vt100 has none)" no_colour
	fi
	keys Q
	check "TERM=$term: Q quits with exit status 0" exit_status_is 0 10
	check "TERM=$term: no sanitizer report" no_sanitizer_report
	stop
done

# Colour by default on xterm-256color: shows the colour detector works.
start terminals_colour 80 24 "$BATON_BIN" -d "'dbname=$db user=ana'"
open_northwind
check "xterm-256color: colours are used by default (control for the NO_COLOR check)" \
	eval 'colour_sgr >/dev/null'
keys Q
wait_exit 10 >/dev/null
stop

# NO_COLOR: monochrome, and state still carried by symbols and words.
start terminals_nocolor 80 24 env NO_COLOR=1 "$BATON_BIN" -d "'dbname=$db user=ana'"
wait_state live 15
check "NO_COLOR=1: start screen has no colour escape sequences" no_colour
check "NO_COLOR=1: finds and opens Northwind Health" open_northwind
check "NO_COLOR=1: header, five panels, 4812 SLA!, NOT ACKNOWLEDGED, flags" customer_ok
check "NO_COLOR=1: customer screen has no colour escape sequences" no_colour
keys Q
check "NO_COLOR=1: Q quits with exit status 0" exit_status_is 0 10
stop

# LANG=C: not UTF-8.  Symbols fall back to ASCII, names with non-ASCII
# letters must not turn into stray bytes, and nothing may spill out of its
# cell (a UTF-8 "…" in a C locale is drawn as several cells).
E2E_LANG=C start terminals_lang_c 80 24 "$BATON_BIN" -d "'dbname=$db user=ana'"
check "LANG=C: ASCII status '* live' and 'ana - Support'" \
	eval 'wait_state live 15 && row 1 | grep -qF "ana - Support  * live"'
# ascii_only: every character on the screen is printable ASCII, and none
# of ncurses' renderings of stray 8-bit bytes shows up: "M-x" for a byte
# 0xA0-0xFF, "~@" .. "~_" for 0x80-0x9F (a UTF-8 "…" is E2 80 A6)
ascii_only() {
	s=$(screen)
	if printf '%s\n' "$s" | LC_ALL=C grep -n '[^ -~]'; then
		echo "non-ASCII bytes on the screen (above)"
		return 1
	fi
	if printf '%s\n' "$s" | grep -nE 'M-.|~[]@[\^_]'; then
		echo "stray 8-bit bytes drawn as ~X or M-X (above)"
		return 1
	fi
}
# The waiting list has Łódź, Kraków, Café, São Paulo and a Japanese name.
check "LANG=C: start screen is plain ASCII, no garbage" \
	eval 'wait_for "Waiting for you and Support" 10 && ascii_only'
# Each waiting row starts with its age, not with a cell spilled from the row
# above (and there are rows to look at).
waiting_rows() { screen | sed -n "/Waiting for you/,\$p" | sed "1d;\$d"; }
check "LANG=C: waiting list rows start in column 1 with blanks (nothing spilled)" \
	eval 'waiting_rows | grep -qE "^ {3}[0-9]" && ! waiting_rows | grep -vE "^ {3}[0-9]"'
check "LANG=C: finds and opens Northwind Health" open_northwind
check "LANG=C: header, five panels, 4812 SLA!, NOT ACKNOWLEDGED, flags" customer_ok
check "LANG=C: ASCII symbols ('Tickets - 3 open', '! dropped baton', '->')" \
	eval 'on_screen "Tickets - 3 open" && on_screen "! dropped baton" && on_screen "Support -> Success"'
check "LANG=C: customer screen is plain ASCII, no garbage" ascii_only
# The panel rows keep their borders in the first and last column: ASCII
# '|', or the terminal's line-drawing set (which tmux shows as x or │).
framed() {
	bad=$(screen | sed -n '6,10p;13,16p;19,22p' | grep -vE '^[x│|].*[x│|]$')
	[ -z "$bad" ] || { echo "rows without their borders:"; echo "$bad"; return 1; }
	row 3 | grep -q '^ NPS'
}
check "LANG=C: panel rows keep both borders, the survey line starts with ' NPS'" framed
keys Q
check "LANG=C: Q quits with exit status 0" exit_status_is 0 10
check "LANG=C: no sanitizer report" no_sanitizer_report
stop

# A customer of more open tickets than the panel lists (the most urgent
# 200) says how many it has, not how many are listed.
psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c "INSERT INTO ticket (customer_id, subject, status, priority)
	SELECT 1, 'bulk ' || g, 'open', 'low' FROM generate_series(1, 230) g" >/dev/null
open1=$(psql -X -At -d "$db" -c "SELECT count(*) FROM ticket WHERE customer_id = 1 AND status NOT IN ('solved', 'closed')")
start terminals_many_tickets 160 40 "$BATON_BIN" -d "'dbname=$db user=ana'"
check "more open tickets than listed: finds and opens Northwind Health" open_northwind
check "more open tickets than listed: the panel says $open1 open, the 200 most urgent listed" \
	eval 'on_screen "Tickets · $open1 open, the 200 most urgent listed"'
keys Q
check "more open tickets than listed: Q quits with exit status 0" exit_status_is 0 10
stop
