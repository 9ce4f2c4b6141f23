#!/bin/sh
# A text cut to fit says so with its mark (…), at 80x24 and 60x16:
#  - titles on the top line are cut before the identity at its right
#    ("ana · Support  ● live"), which drew over them (the customer
#    screen's, the handoff form's, an item page's, the milestone form's);
#  - the milestone form's Reason, longer than its field: while typed, its
#    end after a mark; left, its start and a mark;
#  - a text reaching the screen's edge is cut there with its mark (curses
#    carried it onto the next row: "3 ti" / "ckets");
#  - why a draft is NOT SAVED is read whole: in the form, wrapped over the
#    rows it needs above the bottom line (it was cut at 80 columns); on the
#    bottom line, over up to 4 rows above it.
. "$BATON_ROOT/tests/lib/e2e.sh"

db=$(newdb baton_demo) || { echo "FAIL texts_cut_marked: cannot create a test database"; exit 1; }
trap stop EXIT
T="$BATON_TEST_TMP/texts_cut_marked"
mkdir -p "$T"
long_name="Northwind Health Regional Hospitals and Clinics Consortium of the Pacific Northwest"
sql "UPDATE customer SET name = '$long_name' WHERE id = 1" >/dev/null
sql "UPDATE staff SET display_name = 'Ben Okafor-Whitfield, Regional Success Lead for the Northwest' WHERE role_name = 'ben'" >/dev/null
reason="waiting for the customer's HL7 export and the regional laboratory's own sign-off on the data mapping"

# title_cut: the top line is a title cut with its mark, then the identity
# whole
title_cut() { row 1 | grep -qE "… +(ana|maja) · (Support|Onboarding)  ● live *\$"; }

for size in "80 24" "60 16"; do
	set -- $size
	c=$1
	start "cut_ana_$c" "$1" "$2" "$BATON_BIN" -d "'dbname=$db user=ana'"
	check "$c: live" wait_state live 15
	type_text "nwh"
	check "$c: the finder's row is cut at the edge with its mark, not carried onto the next row" \
		eval 'wait_for "nwh.example" 10 && ! row 4 | grep -q "^[a-z]" && row 3 | grep -qE "(tickets.*|…)\$"'
	keys Enter
	check "$c: the customer screen's title is cut before the identity, with its mark" \
		eval 'wait_for "Handoffs ·" 10 && row 1 | grep -qF "Baton · Northwind Health" && title_cut'
	keys h
	check "$c: the handoff form's title too" eval 'wait_row 1 "New handoff · Northwind Health" 5 && title_cut'
	keys Escape
	wait_for "Handoffs ·" 5
	press_until Tab 6 screen 'screen | grep -F "›" | grep -qE "(Maja|Ben):"'
	select_row "Ben:"
	keys Enter
	check "$c: an item page's title (a note by Ben Okafor-Whitfield, …) too" \
		eval 'wait_row 1 "Baton · Note " 5 && title_cut'
	keys q
	check "$c: q back to the customer" wait_for "Handoffs ·" 5
	stop

	start "cut_maja_$c" "$1" "$2" "$BATON_BIN" -d "'dbname=$db user=maja'"
	wait_state live 15
	wait_row 1 "Handoff queue" 10 && keys q
	type_text "nwh"
	wait_for "nwh.example" 10 && keys Enter && wait_for "Handoffs ·" 10
	check "$c: maja selects Data migration" select_row "Data migration"
	keys m
	check "$c: the milestone form's title is cut before the identity, with its mark" \
		eval 'wait_row 1 "Milestone · Northwind Health" 5 && title_cut'
	type_text "b"
	keys Tab Tab Tab
	type_text "$reason"
	check "$c: the long reason, typed: its end after a mark, the cursor after it" \
		wait_true 5 'row 6 | grep -qE "Reason: +\[….*data mapping \]\$"'
	keys Tab
	check "$c: the field left: its start, cut with its mark" \
		wait_true 5 'row 6 | grep -qE "Reason: +\[waiting for the customer.*…\]\$"'
	keys Escape
	stop
done

# --- NOT SAVED, whole, at 80x24: the drafts directory is refused -------------------
s1="$T/state"
d1="$s1/baton/drafts"
mkdir -p "$s1"
start cut_not_saved 80 24 env XDG_STATE_HOME="$s1" "$BATON_BIN" -d "'dbname=$db user=ana'"
form_to_success
type_text "First line."
# ("draft saved" shows from the team's choice on; the text on screen is saved.)
check "the draft is saved" eval 'wait_row 7 "First line." 5 && wait_row 23 "draft saved" 5'
chmod 0770 "$d1"
type_text " Then refused."
check "the form: NOT SAVED, its start on the rows above the bottom line" \
	wait_true 5 'screen | grep -qF "NOT SAVED (the note is kept in memory): drafts are not kept in"'
check "…and its end on row 23: '(mode 0770; chmod 700 it)'" \
	wait_true 5 'row 23 | grep -qE "\(mode 0770; chmod 700 it\) *\$"'
check "…the whole path on screen" eval 'screen | grep -qF "$d1"'
check "the note still shows what was typed" on_screen "First line. Then refused."

# Sent while its insert waits for a lock on the handoffs (held by another
# session): the bottom line's NOT SAVED stays while it is on its way.
PGAPPNAME=texts_cut_lock psql -X -q -d "$db" \
	-c "BEGIN; LOCK TABLE handoff IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(600)" >/dev/null 2>&1 &
locker=$!
unlock() {
	sql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
	     WHERE datname = current_database() AND application_name = 'texts_cut_lock'" >/dev/null
	wait "$locker" 2>/dev/null
}
trap 'unlock; stop' EXIT
check "the handoffs are locked by another session" \
	wait_true 10 '[ "$(sql "SELECT count(*) FROM pg_locks WHERE relation = '"'handoff'"'::regclass
	                         AND mode = '"'AccessExclusiveLock'"' AND granted")" = 1 ]'
keys C-x
check "Ctrl-X: 'NOT SAVED — the handoff is being sent, in memory only (quitting loses it)'" \
	wait_for "NOT SAVED — the handoff is being sent, in memory only (quitting loses it):" 10
check "…wrapped above the bottom line, its end on it: '(mode 0770; chmod 700 it)'" \
	eval 'row 24 | grep -qE "\(mode 0770; chmod 700 it\) *\$" && ! row 24 | grep -qF "NOT SAVED"'
chmod 0700 "$d1"
unlock
check "the lock gone, the handoff is sent" wait_for "handoff sent" 15
keys q
wait_for "Find:" 5
keys Escape Escape q
check "q quits, status 0" exit_status_is 0 10
check "no sanitizer report" no_sanitizer_report
