#!/bin/sh
# The handoff form offers the database's reasons and stops the note at the
# database's largest (migration 006), not the configuration's; a reason an
# administrator removes while the form is open is refused by the server on
# sending, and the draft is kept (ana, Northwind Health, 80x24).
. "$BATON_ROOT/tests/lib/e2e.sh"

db=$(newdb baton_demo) || { echo "FAIL handoff_form_rules: cannot create a test database"; exit 1; }
state="$BATON_TEST_TMP/handoff_form_rules.state"
mkdir -p "$state"
trap stop EXIT

# As the superuser, who counts as an administrator.
sql "SELECT baton_reason_add('zebra crossing'), baton_setting_set('max_note_bytes', '64')" >/dev/null
start handoff_form_rules 80 24 env XDG_STATE_HOME="$state" "$BATON_BIN" -d "'dbname=$db user=ana'"
form_to_success
# The form's help names Tab as its hint line does: it moves between fields.
keys F1
# (The form's own hint line says "Tab next field": the help is waited for.)
check "F1 in the form: Tab is 'next field' as on the hint line, not 'next panel'" \
	eval 'wait_for "Keys on this screen" 5 && on_screen "next field" && on_screen "previous field" && ! on_screen "next panel"'
keys q
wait_row 1 "New handoff" 5
keys BTab BTab BTab
type_text "z"
check "reason: 'z' picks the database's new reason, zebra crossing" wait_row 4 "[zebra crossing" 5

keys Tab Tab Tab
wait_row 23 "typing goes to the note" 5
type_text "$(printf '%070d' 0)"
check "the note stops at the database's 64 bytes, and the box says what was not taken" \
	eval 'wait_row 22 "6 bytes not taken: the note'"'"'s maximum is 64 bytes" 5'

sql "SELECT baton_reason_remove('zebra crossing')" >/dev/null
keys C-x
check "Ctrl-X asks first: 6 bytes were not taken" wait_row 24 "6 bytes were not taken. Send what is shown? (y/n)" 5
keys y
check "sent with a reason removed meanwhile: the server refuses it, the draft is kept" \
	wait_row 24 'handoff not sent, draft kept (D opens it): unknown reason "zebra crossing"' 10
check "nothing reached the database" \
	test "$(sql "SELECT count(*) FROM handoff WHERE reason = 'zebra crossing'")" = 0
check "the draft is on disk" sh -c 'grep -rqs "zebra crossing" "$1"' _ "$state"
keys Escape
