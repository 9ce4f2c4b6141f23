#!/bin/sh
# A customer screen left open shows colleagues' writes: a panel ben is not
# in shows its top (the newest notes) after a live change, however many
# arrive, and counts new rows it cannot show on its border; the panel he is
# in keeps his item under the cursor and says how many new rows came in
# above it, until he moves up to them.
. "$BATON_ROOT/tests/lib/e2e.sh"

db=$(newdb baton_demo) || { echo "FAIL live_panels: cannot create a test database"; exit 1; }
trap stop EXIT

note_by_lee() { echo "$1" | as lee note add --customer nwh.example >/dev/null; }
# notes_show TEXT...: every TEXT is on the screen at once
notes_show() {
	_s=$(screen)
	for _ns in "$@"; do
		printf '%s\n' "$_s" | grep -qF -- "Lee: $_ns" || return 1
	done
}
selected() { screen | grep -F "›" | grep -qF -- "$1"; }

start live_panels 80 24 "$BATON_BIN" -d "'dbname=$db user=ben'"
wait_state live 15
type_text "nwh"
wait_for "Northwind Health" 10
keys Enter
wait_for "Handoffs ·" 10
wait_for "Success notes" 5

# The Notes panel (4 rows at 80x24) holds its 4 notes; 4 more arrive.
for i in 1 2 3 4; do note_by_lee "lee live $i"; done
check "a panel ben is not in shows all four new notes at its top" \
	wait_true 10 'notes_show "lee live 1" "lee live 2" "lee live 3" "lee live 4"'
check "its border counts the older ones below, not '5-8 of 8'" \
	eval 'row 17 | grep -qF "─ 4 more ↓ ─┘" && ! on_screen "5-8 of 8"'

# The Handoffs panel (two handoffs at 80x24): a second new open one sorts
# below the window, where the border counts it as new.
echo "first for support" | as lee handoff new --customer nwh.example --to-team support \
	--reason question >/dev/null
echo "second for support" | as lee handoff new --customer nwh.example --to-team support \
	--reason question >/dev/null
check "a new handoff below the window is counted on the border ('2 more, 1 new')" \
	wait_for "2 more, 1 new ↓" 10

# In the Notes panel, on the newest note; four more arrive above it.
keys Tab Tab
check "Tab Tab: ben is in the Notes panel, on its newest note" wait_true 5 'selected "lee live 4"'
for i in 1 2 3 4; do note_by_lee "lee more $i"; done
check "the panel he is in says 4 new rows came in above" wait_for "4 new ↑" 10
check "...and keeps his note under the cursor" selected "lee live 4"
keys g
check "g: the new notes show, the newest selected" \
	wait_true 5 'selected "lee more 4" && notes_show "lee more 1" "lee more 2" "lee more 3"'
check "...and the mark is gone" wait_gone "new ↑" 5
check "no sanitizer report" no_sanitizer_report
stop
