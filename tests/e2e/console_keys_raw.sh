#!/bin/sh
# Keys whose sequences the terminfo entry does not know.  Terminals (tmux
# here) send ESC [ 6 ~ for PgDn and ESC [ 1 ~ for Home whatever TERM says;
# TERM=vt100 knows neither, xterm-256color's Home is ESC O H.  Such a
# sequence is read as one key: the usual forms of arrows, Home, End, PgUp,
# PgDn, Delete and Shift-Tab act as those keys, any other complete one is
# dropped, and none acts as Esc (which went back to the finder) or types
# its tail ("Find: [6~").  A lone Esc is still Esc.  Bytes are sent raw
# with send-keys -H, as a terminal writes them.
. "$BATON_ROOT/tests/lib/e2e.sh"

db=$(newdb baton_demo) || { echo "FAIL keys_raw: cannot create a test database"; exit 1; }
trap stop EXIT

# raw HEX...: these bytes, as the terminal would send them
raw() { tm send-keys -t "$E2E_SESSION" -H "$@"; }
# field_is TEXT: the Find field holds exactly TEXT
field_is() { [ "$(row 2 | sed 's/ *$//')" = "$(printf ' Find: %s' "$1" | sed 's/ *$//')" ]; }
# sel_has TEXT: the selected row (›) contains TEXT
sel_has() { screen | grep -F "›" | grep -qF -- "$1"; }
# The waiting list's rows (the start screen with an empty field), by name.
waiting_names() {
	screen | sed -n '/Waiting for you/,$p' | sed '1d;$d' |
		sed -E 's/^ +[0-9]+[a-z]+ +(!!? +)?//; s/ +[a-z]+ (→|->) .*$//'
}

open_northwind() {
	type_text "north"
	wait_for "North Star Logistics" 10 || return 1
	keys Enter
	wait_row 1 "Baton · Northwind Health" 10
}
on_northwind() { row 1 | grep -qF "Baton · Northwind Health" && ! on_screen "Find:"; }

# --- TERM=vt100: the keys tmux sends on the customer screen ------------------
E2E_TERM=vt100 start keys_vt100 80 24 "$BATON_BIN" -d "'dbname=$db user=ana'"
wait_state live 15
check "vt100: Northwind Health open" open_northwind
keys NPage
check "vt100: PgDn pages the Onboarding panel down (cursor on Training)" wait_true 5 'sel_has Training'
check "vt100: PgDn stayed on the customer screen, nothing typed" eval 'on_northwind && ! on_screen "[6~"'
keys End
check "vt100: End goes to the panel's last row" wait_true 5 'on_northwind && ! sel_has Training && ! sel_has Kickoff'
keys Home
check "vt100: Home goes to the first milestone (Kickoff)" wait_true 5 'sel_has Kickoff'
check "vt100: End and Home stayed on the customer screen, nothing typed" \
	eval 'on_northwind && ! on_screen "[1~" && ! on_screen "[4~"'
keys q
wait_for "Find:" 5

# --- raw sequences in the Find field ------------------------------------------
keys C-u
wait_true 5 'field_is ""'
type_text "nor"
wait_true 5 'field_is nor'
# PgDn, Ctrl-Up (ESC [ 1 ; 5 A), an empty bracketed paste (ESC [ 200 ~
# ESC [ 201 ~: the console asks for them, console_paste), a device
# attributes answer (ESC [ ? 1 ; 2 c), focus in (ESC [ I), an application
# keypad key vt100 does not name (ESC O j); then "th".
raw 1b 5b 36 7e
raw 1b 5b 31 3b 35 41
raw 1b 5b 32 30 30 7e 1b 5b 32 30 31 7e
raw 1b 5b 3f 31 3b 32 63
raw 1b 5b 49
raw 1b 4f 6a
type_text "th"
check "field: sequences it does not bind are dropped: no Esc (which empties it), nothing typed" \
	wait_true 5 'field_is north'
check "field: the matches are still those of 'north'" wait_for "North Star Logistics" 5
# Esc, then x (as Alt-x sends it): Esc empties the field, x is typed.
raw 1b 78
check "field: Esc followed by a letter is Esc, then the letter" wait_true 5 'field_is x'
keys Escape
check "field: a lone Esc is still Esc (it empties the field)" wait_true 5 'field_is ""'

# --- raw sequences in the waiting list ----------------------------------------
wait_for "Waiting for you and Support (" 10
first=$(waiting_names | head -n 1)
second=$(waiting_names | sed -n 2p)
last=$(waiting_names | tail -n 1)
check "the waiting list has rows to move over ($first .. $last)" \
	eval '[ -n "$first" ] && [ -n "$second" ] && [ "$first" != "$last" ]'
raw 1b 5b 42
check "ESC [ B is Down: from the field to the waiting list's first row" wait_true 5 'sel_has "$first"'
raw 1b 5b 42
check "ESC [ B again: the second row" wait_true 5 'sel_has "$second"'
raw 1b 5b 41
check "ESC [ A is Up" wait_true 5 'sel_has "$first"'
raw 1b 5b 34 7e
check "ESC [ 4 ~ is End" wait_true 5 'sel_has "$last"'
raw 1b 5b 31 7e
check "ESC [ 1 ~ is Home" wait_true 5 'sel_has "$first"'
raw 1b 5b 46
check "ESC [ F is End" wait_true 5 'sel_has "$last"'
raw 1b 4f 48
check "ESC O H is Home" wait_true 5 'sel_has "$first"'
raw 1b 5b 38 7e
check "ESC [ 8 ~ is End" wait_true 5 'sel_has "$last"'
raw 1b 5b 37 7e
check "ESC [ 7 ~ is Home" wait_true 5 'sel_has "$first"'
raw 1b 4f 46
check "ESC O F is End" wait_true 5 'sel_has "$last"'
raw 1b 5b 48
check "ESC [ H is Home" wait_true 5 'sel_has "$first"'
raw 1b 5b 36 7e
check "ESC [ 6 ~ is PgDn" wait_true 5 '! sel_has "$first"'
raw 1b 5b 35 7e
check "ESC [ 5 ~ is PgUp" wait_true 5 'sel_has "$first"'
raw 1b 4f 42
check "ESC O B is Down" wait_true 5 'sel_has "$second"'
raw 1b 5b 5a
type_text "q"
check "ESC [ Z is Shift-Tab: back to the field, where q is text" wait_true 5 'field_is q'
keys C-c
check "vt100: Ctrl-C quits with exit status 0" exit_status_is 0 10
check "vt100: no sanitizer report" no_sanitizer_report
stop

# --- TERM=xterm-256color in tmux: End then Home on the customer screen -------
start keys_xterm 80 24 "$BATON_BIN" -d "'dbname=$db user=ana'"
wait_state live 15
check "xterm: Northwind Health open" open_northwind
keys End
check "xterm: End goes to the Onboarding panel's last row" \
	wait_true 5 'on_northwind && ! sel_has Training && ! sel_has Kickoff'
keys Home
check "xterm: Home goes to Kickoff" wait_true 5 'sel_has Kickoff'
check "xterm: End and Home stayed on the customer screen, nothing typed" \
	eval 'on_northwind && ! on_screen "[1~" && ! on_screen "[4~"'
keys Q
check "xterm: Q quits with exit status 0" exit_status_is 0 10
check "xterm: no sanitizer report" no_sanitizer_report
stop

# --- Delete in the handoff note (TERM=vt100 has no kdch1) ---------------------
E2E_TERM=vt100 start keys_vt100_note 80 24 "$BATON_BIN" -d "'dbname=$db user=ana'"
form_to_success
type_text "Xzebra"
wait_for "Xzebra" 5
raw 1b 5b 31 7e
raw 1b 5b 33 7e
# ("zebra" is in "Xzebra": what is waited for is Xzebra gone, zebra left.)
check "note: ESC [ 1 ~ (Home) and ESC [ 3 ~ (Delete) delete the first character" \
	wait_true 5 'on_screen zebra && ! on_screen Xzebra'
check "note: no sanitizer report" no_sanitizer_report
