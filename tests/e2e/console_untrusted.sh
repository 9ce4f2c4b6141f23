#!/bin/sh
# Text from the database must never drive the terminal: escape sequences,
# carriage returns, backspaces, tabs and bidi controls in a ticket subject, a
# note and a customer name are shown as visible replacements, the layout
# stays intact, and no title, clipboard or screen-clearing sequence reaches
# the terminal.
. "$BATON_ROOT/tests/lib/e2e.sh"

db=$(newdb baton_demo) || { echo "FAIL untrusted: cannot create a test database"; exit 1; }
raw="$BATON_TEST_TMP/untrusted.raw"
old_clip=$(tm show-options -sv set-clipboard 2>/dev/null)
cleanup() {
	stop
	[ -n "$old_clip" ] && tm set-option -s set-clipboard "$old_clip" >/dev/null 2>&1
}
trap cleanup EXIT

# Urgent and oldest, so the ticket is the first row of the Tickets panel.
psql -X -q -v ON_ERROR_STOP=1 -d "$db" <<'EOF' || echo "FAIL untrusted: could not insert the hostile rows"
INSERT INTO ticket (id, customer_id, subject, body, status, priority, category, opened_at)
VALUES (9901, 1,
        E'Evil\x1b]0;pwned\x07 one\x1b[2J two\r three\b four\tfive \u202Esix',
        E'Body\x1b]0;pwned\x07 text \u202E end\x1b[31m red',
        'open', 'urgent', 'bug', now() - interval '40 days');
INSERT INTO success_note (customer_id, body) VALUES (1, E'Clip\x1b]52;c;ZXZpbA==\x07board');
UPDATE customer SET name = E'North Star\x1b]2;pwned2\x07 Logistics' WHERE domain = 'nsl.example';
EOF

start untrusted 80 24 "$BATON_BIN" -d "'dbname=$db user=ana'"
# Everything the program writes to the terminal, byte for byte.
rm -f "$raw"
tm pipe-pane -O -t untrusted "cat >>'$raw'"
# Let applications set tmux's clipboard, so an OSC 52 that got through shows.
tm set-option -s set-clipboard on >/dev/null 2>&1
tm delete-buffer >/dev/null 2>&1
check "tmux takes clipboard sequences from applications (control for the OSC 52 check)" \
	eval '[ "$(tm show-options -sv set-clipboard)" = on ]'

wait_state live 15
type_text "north"
check "finder: a customer name with an OSC title sequence shows as 'North Star␛]2;pwned2␇…'" \
	wait_for "North Star␛]2;pwned2␇" 10
keys Enter
wait_for "Handoffs" 10

check "customer screen: the subject shows ESC and BEL as ␛ and ␇" \
	eval 'screen | grep -F "9901" | grep -qF "Evil␛]0;pwned␇ one␛[2J"'
check "customer screen: the OSC 52 note shows as 'Clip␛]52;c;'" \
	on_screen "Clip␛]52;c;"
layout_intact() {
	s=$(screen)
	bad=$(printf '%s\n' "$s" | sed -n '5,23p' | grep -vnE '^[┌│└].*[┐│┘]$')
	[ -z "$bad" ] || { echo "rows 5-23 not framed by box borders:"; echo "$bad"; }
	[ -z "$bad" ] &&
		printf '%s\n' "$s" | sed -n 1p | grep -qF "Baton · Northwind Health" &&
		printf '%s\n' "$s" | sed -n 5p | grep -qE "^┌ Onboarding .*┐┌ Tickets · 4 open .*┐$" &&
		printf '%s\n' "$s" | sed -n 12p | grep -qE "^┌ Success notes .*┐┌ Marketing .*┐$" &&
		printf '%s\n' "$s" | sed -n 18p | grep -qE "^┌ Handoffs · 1 open .*┐$" &&
		printf '%s\n' "$s" | sed -n 24p | grep -qF "Tab panel"
}
check "customer screen: layout intact (header row 1, boxes on rows 5-23, Handoffs title on row 18, hints on row 24)" \
	layout_intact

keys Tab Enter
check "ticket detail: CR became a line break, BS ␈, U+202E shown as <U+202E>" \
	eval 'wait_row 1 "Ticket 9901" 5 && on_screen "#9901 Evil␛]0;pwned␇ one␛[2J two" && on_screen "three␈ four" && on_screen "five <U+202E>six"'
check "ticket detail: the body's escape sequences are visible, not obeyed" \
	on_screen "Body␛]0;pwned␇ text <U+202E> end␛[31m red"
keys q
wait_for "Success notes" 5
keys t
check "timeline: the hostile subject is one visible row" \
	eval 'wait_row 1 "Timeline" 5 && wait_for "#9901 urgent Evil␛]0;p" 5'
keys q
wait_for "Success notes" 5

# What reached the terminal.
# (Each looks at what it captured first: a failed capture shows nothing.)
check "terminal: window title not set by the data (pane_title is not 'pwned')" \
	eval 't=$(tm display -p -t untrusted "#{pane_title}") && ! printf "%s\n" "$t" | grep -q pwned'
check "terminal: no clipboard buffer was set by OSC 52" \
	eval 'b=$(tm list-buffers -F "#{buffer_sample}") && ! printf "%s\n" "$b" | grep -q evil'
check "terminal: capture-pane -e has no ESC ]0;pwned" \
	eval 's=$(screen_e) && ! printf "%s\n" "$s" | grep -qF "$(printf "\033]0;pwned")"'
check "terminal: the raw output has no ESC ] (title/clipboard) sequence from the data" \
	eval '[ -s "$raw" ] && ! grep -qaE "$(printf "\033")\\](0;pwned|2;pwned2|52;)" "$raw"'
check "terminal: the raw output has no U+202E (bidi override) bytes" \
	eval '[ -s "$raw" ] && ! grep -qaF "$(printf "\342\200\256")" "$raw"'

keys Q
check "quits with exit status 0" exit_status_is 0 10
check "no sanitizer report" no_sanitizer_report
stop

# The same rows in a non-UTF-8 locale: the replacements must be ASCII too,
# one cell each, so nothing spills over the next column or the border.
E2E_LANG=C start untrusted_c 80 24 "$BATON_BIN" -d "'dbname=$db user=ana'"
wait_state live 15
type_text "north"
wait_for "Northwind Health" 10
keys Enter
wait_for "Handoffs" 10
check "LANG=C: the hostile subject is drawn in ASCII, ESC as a visible mark (not a blank)" \
	eval 'screen | grep -F "9901" | LC_ALL=C grep -v "[^ -~]" | grep -q "Evil[!-~]"'
# At 80 columns the left boxes end in column 32 and the right ones start in
# column 33.
framed_c() {
	bad=$(screen | sed -n '6,10p;13,16p' | grep -vE '^[x|].{30}[x|][x|].*[x|]$')
	[ -z "$bad" ] || { echo "rows without their four borders:"; echo "$bad"; return 1; }
	screen | grep -F "9901" | grep -qE " 5w +[x|]\$" || { echo "ticket 9901 lost its age column"; return 1; }
}
check "LANG=C: nothing spills: every panel row keeps its four borders, ticket 9901 its age '5w'" framed_c
keys Q
check "LANG=C: quits with exit status 0" exit_status_is 0 10
