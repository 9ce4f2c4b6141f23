#!/bin/sh
# Pasted text is text (the terminal's bracketed paste, which tmux's
# paste-buffer -p gives a program that asked for it): a Tab in an e-mail
# pasted into a note stays in the note as a space instead of moving the
# form to its next field, a line's end stays a line's end there, and text
# pasted where nothing is typed runs none of its letters as commands nor
# answers a question.
. "$BATON_ROOT/tests/lib/e2e.sh"

db=$(newdb baton_demo) || { echo "FAIL console_paste: cannot create a test database"; exit 1; }
state="$BATON_TEST_TMP/console_paste.state"
drafts="$state/baton/drafts"
mkdir -p "$state"
trap stop EXIT
# paste TEXT: as a person pastes it (printf's escapes: \t, \n)
paste() {
	tm set-buffer -b console_paste "$(printf "$1")"
	tm paste-buffer -p -d -b console_paste -t "$E2E_SESSION"
}

start paste 80 24 env XDG_STATE_HOME="$state" "$BATON_BIN" -d "'dbname=$db user=ana'"
form_to_success
paste 'Order 4471\tshipped twice\nRefund asked by Dana'
check "the pasted Tab is a space in the note, and the rest of the text follows it there" \
	eval 'wait_for "Order 4471 shipped twice" 5 && on_screen "Refund asked by Dana"'
check "the form stays on the note (the Tab moved to no other field)" \
	eval 'wait_row 23 "typing goes to the note" 5 && row 3 | grep -qF "[Success"'
wait_for "draft saved" 5
check "the draft holds both lines as pasted" \
	eval 'grep -qxF "Order 4471 shipped twice" "$drafts"/*.draft && grep -qxF "Refund asked by Dana" "$drafts"/*.draft'

# A console stalled mid-paste (a loaded host; here stopped) reads the rest
# of the paste long after it came: that is no pause of the terminal's, and
# the paste goes on (its Tab is a space in the note, not the next field).
# stalled NAME FIRST REST [LAST]: a paste starts (its marker, a line's end,
# the text FIRST); once the console shows it, it is stopped, REST comes
# (hex bytes), and it goes on 1.5 s later; LAST (hex) comes 0.15 s after.
hex() { printf '%s' "$1" | od -An -tx1 | tr -s ' \n' '  '; }
stalled() {
	tm send-keys -t "$E2E_SESSION" -H 1b 5b 32 30 30 7e 0d $(hex "$2")
	wait_for "$2" 5
	_cpid=$(pane_console_pid)
	check "$1: the console to stop is found" [ -n "$_cpid" ]
	kill -STOP "$_cpid"
	tm send-keys -t "$E2E_SESSION" -H $3
	sleep 1.5
	kill -CONT "$_cpid"
	# LAST once the console has read REST (sent at once, it would be read
	# with it), and well within the 300 ms it awaits a marker's rest.
	[ -z "${4:-}" ] || { sleep 0.15; tm send-keys -t "$E2E_SESSION" -H $4; }
}
pend=" 1b 5b 32 30 31 7e"
# The rest and the end marker, fewer bytes than the console looks at.
stalled "short rest" "Stall A" "09 $(hex "Stall B")$pend"
check "after the stall the rest is pasted too: its Tab is a space in the note" \
	eval 'wait_for "Stall A Stall B" 5'
check "and the form stays on the note" \
	eval 'wait_row 23 "typing goes to the note" 5 && row 3 | grep -qF "[Success"'
# The end marker only begun when the console goes on (ESC [ 2 0), its end later.
stalled "split end" "Split A" "09 $(hex "Split B") 1b 5b 32 30" "31 7e"
# A key typed after the marker shows where its end would have been typed.
type_text "|"
check "a stall before the end marker's last bytes: the Tab is still a space" \
	eval 'wait_for "Split A Split B|" 5 && ! on_screen "Split A Split B1~"'
check "and the form stays on the note, after a split end too" \
	eval 'wait_row 23 "typing goes to the note" 5 && row 3 | grep -qF "[Success"'
# More than the console looks at, the end marker far behind.
stalled "long rest" "Long A" "09 $(hex "Long B, and more of it than a key")$pend"
check "a long rest after the stall is pasted, its Tab a space" \
	eval 'wait_for "Long A Long B, and more of it than a key" 5'
check "and the form stays on the note, after a long rest too" \
	eval 'wait_row 23 "typing goes to the note" 5 && row 3 | grep -qF "[Success"'

# A question is answered by keys, not by pasted text.
keys Escape
wait_row 24 "(y/k/n)" 5
paste 'yes'
# Esc after it answers n (stay): once it has, the paste was read before it,
# and had it answered y or k there would be no form to stay in.
keys Escape
check "pasted 'yes' does not answer 'Discard this handoff draft?' (Esc after it does: the form stays)" \
	eval 'wait_gone "(y/k/n)" 5 && on_screen "New handoff · Northwind Health" && on_screen "Order 4471 shipped twice"'
keys Escape
wait_row 24 "(y/k/n)" 5
keys y
wait_for "draft discarded" 5

# On the customer screen nothing is typed: pasted letters are no commands
# (h would open a handoff form, q would go back to the start screen).
check "back on the customer screen" wait_row 1 "Baton · Northwind Health" 5
paste 'hq'
# Tab after it (the cursor to ticket 4812) is the sign the paste was read.
keys Tab
check "pasted 'hq' neither opens a form nor leaves the customer" \
	eval 'wait_true 5 "screen | grep -F \"›\" | grep -qF 4812" &&
	      row 1 | grep -qF "Baton · Northwind Health" && ! on_screen "New handoff"'
keys q
wait_for "Find:" 5

# A paste whose end never comes (a terminal that lost it) does not keep
# every later key pasted: after a pause, Esc is Esc again (it empties the
# Find field), where pasted it would be dropped.
keys C-u
tm send-keys -t "$E2E_SESSION" -H 1b 5b 32 30 30 7e
type_text "Nort"
check "a paste without its end: its text is typed" wait_true 5 'row 2 | grep -qF "Find: Nort"'
sleep 1.5
keys Escape
check "after a pause its keys are keys again: Esc empties the field" \
	wait_true 5 '[ "$(row 2 | sed "s/ *\$//")" = " Find:" ]'

# A paste's end marker split by a pause (a slow link): the paste still
# ends there, its end is not typed ("1~"), and the Esc after it is a key.
keys C-u
tm send-keys -t "$E2E_SESSION" -H 1b 5b 32 30 30 7e 4e 6f 72 1b 5b 32 30
sleep 0.15
tm send-keys -t "$E2E_SESSION" -H 31 7e
check "an end marker in two pieces is no text: the field says Nor" \
	wait_true 5 '[ "$(row 2 | sed "s/ *\$//")" = " Find: Nor" ]'
keys Escape
check "and the paste is over: Esc empties the field" \
	wait_true 5 '[ "$(row 2 | sed "s/ *\$//")" = " Find:" ]'
# A start marker in two pieces is no text either ("00~").
tm send-keys -t "$E2E_SESSION" -H 1b 5b 32 30
sleep 0.15
tm send-keys -t "$E2E_SESSION" -H 30 7e 4e 6f 72 1b 5b 32 30 31 7e
check "a start marker in two pieces is no text: the field says Nor" \
	wait_true 5 '[ "$(row 2 | sed "s/ *\$//")" = " Find: Nor" ]'
keys C-u

# In a form, pasted text is no choice: Tabs (spaces) pasted on the To team
# field do not cycle it.
keys Escape
northwind_handoff_form
team=$(row 3)
paste '\t\t\t'
# The help (F1) and back after it: the sign the paste was read.
keys F1
wait_for "Keys on this screen" 5
keys q
wait_row 1 "New handoff" 5
check "pasted Tabs on the To team field leave the choice as it was" \
	eval '[ "$(row 3)" = "$team" ] || { echo "was: $team"; echo "now: $(row 3)"; false; }'
keys Escape
wait_row 24 "(y/k/n)" 5
keys y
wait_for "Handoffs ·" 5
keys q
wait_for "Find:" 5
keys C-c
check "quits with exit status 0" exit_status_is 0 10
check "no sanitizer report" no_sanitizer_report
stop

# On the queue digits choose views; pasted, they choose none.
start pasteq 80 24 env XDG_STATE_HOME="$state" "$BATON_BIN" -d "'dbname=$db user=lee'"
wait_state live 15
wait_row 1 "Handoff queue · my teams" 10
wait_row 6 "›" 10
paste 'see ticket 42 asap'
# Down after it (the cursor to the second row) is the sign the paste was read.
keys Down
check "pasted text with digits on the queue keeps its view" \
	eval 'wait_row 7 "›" 5 && row 1 | grep -qF "Handoff queue · my teams"'
keys 2
check "a typed digit still chooses a view" eval 'wait_true 5 "! row 1 | grep -qF \"my teams\""'
keys C-c
check "quits with exit status 0" exit_status_is 0 10
check "no sanitizer report" no_sanitizer_report
stop

# A milestone's status is a choice: pasted " b " neither cycles it (space)
# nor picks blocked by its name.
start pastem 80 24 env XDG_STATE_HOME="$state" "$BATON_BIN" -d "'dbname=$db user=maja'"
wait_state live 15
wait_row 1 "Handoff queue" 10
keys q
to_northwind
select_row "Data migration"
keys m
wait_row 1 "Milestone · Northwind Health · Data migration" 5
wait_true 10 'row 3 | grep -qF "Status:    [in progress"'
paste ' b '
# The help (F1) and back after it: the sign the paste was read.
keys F1
wait_for "Keys on this screen" 5
keys q
wait_row 1 "Milestone · Northwind Health · Data migration" 5
check "pasted ' b ' on the milestone's status leaves it in progress" \
	eval 'row 3 | grep -qF "Status:    [in progress" || { row 3; false; }'
keys Escape
keys C-c
check "quits with exit status 0" exit_status_is 0 10
check "no sanitizer report" no_sanitizer_report
