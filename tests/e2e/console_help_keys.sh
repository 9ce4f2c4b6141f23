#!/bin/sh
# Keys: the help screen lists every binding of ui/keys.c for the screen it
# is called from; the start screen's lists move with j/k; the timeline
# searches with / n N; what the screen advertises is what the keys do.
. "$BATON_ROOT/tests/lib/e2e.sh"

db=$(newdb baton_demo) || { echo "FAIL help_keys: cannot create a test database"; exit 1; }
trap stop EXIT

start help_keys 80 24 "$BATON_BIN" -d "'dbname=$db user=ana'"
wait_state live 15
wait_for "Waiting for you and Support" 10

# The hint line of the start screen offers "? help", and '?' shows it.
check "start screen: the hint line offers '? help'" wait_row 24 "? help" 5
keys '?'
check "start screen: '?' opens the help" wait_for "Keys on this screen" 3
# Leave the help, or clear a '?' typed into the find field.
if on_screen "Keys on this screen"; then keys q; else keys C-u; fi
wait_gone "Keys on this screen" 5
wait_row 2 "Find:" 5

# marked_line: the line number of the row with the selection marker
marked_line() { screen | grep -n '›' | head -n 1 | cut -d: -f1; }
# marked_name: the customer name on the marked waiting-list row
marked_name() {
	screen | grep '›' | head -n 1 | sed -E 's/^ › [^ ]+ +(!!? +)?//; s/ +[a-z]+ (→|->) .*//; s/…$//'
}

wait_title=$(screen | grep -n "Waiting for you and Support" | cut -d: -f1)
keys Escape
check "start screen: Esc with an empty field moves to the waiting list (marker on its first row)" \
	wait_true 5 '[ "$(marked_line)" = $((wait_title + 1)) ]'
keys j
check "waiting list: j moves the marker one row down" \
	wait_true 5 '[ "$(marked_line)" = $((wait_title + 2)) ]'
keys k
check "waiting list: k moves it back up" \
	wait_true 5 '[ "$(marked_line)" = $((wait_title + 1)) ]'
keys j
wait_true 5 '[ "$(marked_line)" = $((wait_title + 2)) ]'
name=$(marked_name)
echo "selected in the waiting list: $name"
keys Enter
check "waiting list: Enter opens the marked customer ($name)" \
	eval '[ -n "$name" ] && wait_row 1 "Baton · $name" 10 && wait_for "Handoffs" 10'
keys q
wait_for "Waiting for you and Support" 5

# Open Northwind for the help, search and timeline (back from a customer,
# the Find field has the focus).
type_text "north"
wait_for "North Star Logistics" 10
keys Enter
wait_for "Handoffs" 10

# expected_help SCOPE...: "label|help text" for every binding that the help
# of a screen with this scope chain (most specific first) must list.
expected_help() {
	{
		sed -n 's/^[[:space:]]*X(\([A-Z_]*\), "[^"]*", "\([^"]*\)").*/H|\1|\2/p' "$BATON_ROOT/include/ui/ui.h"
		sed -n 's/^[[:space:]]*{\(SCOPE_[A-Z]*\), \(.*\), "\([^"]*\)", ACT_\([A-Z_]*\)},.*/B|\1|\2|\3|\4/p' "$BATON_ROOT/ui/keys.c"
	} | awk -F'|' -v chain="$*" '
		BEGIN { n = split(chain, c, " "); for (i = 1; i <= n; i++) rank[c[i]] = i }
		$1 == "H" { help[$2] = $3; next }
		$1 == "B" && ($2 in rank) {
			nb++; bs[nb] = $2; bk[nb] = $3; bl[nb] = $4; ba[nb] = $5
			r = rank[$2]
			if (!($3 in best) || r < best[$3]) { best[$3] = r; bact[$3] = $5 }
		}
		END {
			for (i = 1; i <= nb; i++) {
				# A key bound more specifically to another action hides this one.
				if (best[bk[i]] < rank[bs[i]] && bact[bk[i]] != ba[i]) continue
				print bl[i] "|" help[ba[i]]
			}
		}'
}

# help_text: every line of the help page, paging down to its end
help_text() {
	keys g
	sleep 0.2
	_prev=""
	_ht_i=0
	while [ "$_ht_i" -lt 10 ]; do
		_s=$(screen)
		printf '%s\n' "$_s"
		[ "$_s" = "$_prev" ] && break
		_prev=$_s
		# the last page does not change: a page drawn late is waited for
		press_and_wait PageDown screen
		_ht_i=$((_ht_i + 1))
	done
}

# help_lists_all SCOPE...: the help on screen lists every expected binding
help_lists_all() {
	text=$(help_text | sed 's/ *$//')
	exp=$(expected_help "$@")
	[ -n "$exp" ] || { echo "could not read the key table"; return 1; }
	missing=$(printf '%s\n' "$exp" | while IFS='|' read -r label help; do
		printf '%s\n' "$text" | grep -F -- " $help" | awk -v h="$help" -v l="$label" '
			{ k = substr($0, 1, length($0) - length(h)); n = split(k, w, " ");
			  for (i = 1; i <= n; i++) if (w[i] == l) found = 1 }
			END { exit !found }' || echo "  $label  ($help)"
	done)
	[ -z "$missing" ] || { echo "bindings missing from the help:"; echo "$missing"; return 1; }
}

keys '?'
check "customer screen: '?' opens the help" wait_row 2 "Keys on this screen" 5
check "customer help: e.g. 'Tab', 'j Down', 'timeline', 'q' are listed" \
	eval 'on_screen "Tab" && on_screen "j Down" && on_screen "timeline of everything about the customer"'
check "customer help: every binding of ui/keys.c for the customer screen is listed" \
	help_lists_all SCOPE_CUSTOMER SCOPE_LIST SCOPE_GLOBAL
keys q
check "q closes the help, back on the customer screen" \
	eval 'wait_gone "Keys on this screen" 5 && wait_for "Success notes" 5'

# '/' is listed in that help ("search the text on this screen"): it must
# do something on the customer screen (a prompt, a message, a selection).
check "customer screen: '/' is bound to 'search the text on this screen'" \
	eval 'expected_help SCOPE_CUSTOMER SCOPE_LIST SCOPE_GLOBAL | grep -q "^/|search"'
before=$(screen | sed 1d)
keys '/'
check "customer screen: '/' reacts (a prompt, a message or a selection)" \
	wait_true 3 '[ "$(screen | sed 1d)" != "$before" ]'
keys Escape
sleep 0.3 # so that the next key is not read as Alt-<key>
wait_for "Success notes" 5

# The timeline and its search.
keys t
check "t opens the timeline of Northwind Health" wait_row 1 "Timeline · Northwind Health" 5
check "timeline: entries are listed with a selection marker" \
	eval 'wait_for "ticket opened" 5 && screen | grep -q "^› "'
keys '/'
type_text "QBR"
check "timeline: '/' shows the search prompt" wait_for "/QBR" 3
keys Enter
check "timeline: '/QBR' Enter selects the QBR note" \
	wait_true 5 'screen | grep "^›" | grep -qF "QBR"'
keys '/'
type_text "ticket opened"
keys Enter
check "timeline: '/ticket opened' selects a 'ticket opened' row" \
	wait_true 5 'screen | grep "^›" | grep -qF "ticket opened"'
first=$(marked_line)
keys n
check "timeline: n selects the next 'ticket opened' row" \
	wait_true 5 '[ "$(marked_line)" != "$first" ] && screen | grep "^›" | grep -qF "ticket opened"'
keys N
check "timeline: N goes back to the previous match" \
	wait_true 5 '[ "$(marked_line)" = "$first" ]'
keys '/'
type_text "zzz-no-such-thing"
keys Enter
check "timeline: a search without a match says 'not found'" \
	wait_for "not found: zzz-no-such-thing" 3
keys Enter
check "timeline: Enter opens the selected entry in full" \
	eval 'wait_gone "›" 5 && row 2 | grep -qF "ticket opened"'
keys q
wait_for "›" 5
keys q
check "q, q: back on the customer screen" wait_for "Success notes" 5

keys C-c
check "Ctrl-C quits with exit status 0" exit_status_is 0 10
check "no sanitizer report" no_sanitizer_report
stop

# The start screen's help, every page of it: / finds customers there, so
# nothing offers to go to a match.
start help_keys_finder 80 24 "$BATON_BIN" -d "'dbname=$db user=ana'"
wait_state live 15
keys '?'
wait_for "Keys on this screen" 5
# help_pages: the help's text, every page of it from the top
help_pages() {
	keys g
	wait_for "Keys on this screen" 3
	screen
	for _hp in 1 2 3 4 5; do
		press_and_wait PageDown screen || break
		screen
	done
}
help_pages >"$BATON_TEST_TMP/finder_help.txt"
check "start screen's help: no 'next match', 'previous match' (/ finds customers there, no match to go to)" \
	eval 'grep -q "type to find a customer" "$BATON_TEST_TMP/finder_help.txt" &&
	      ! grep -q "next match\|previous match" "$BATON_TEST_TMP/finder_help.txt"'
stop
