#!/bin/sh
# A text cut to fit says so with its mark (…), at 80x24 and 60x16:
#  - titles on the top line are cut before the identity at its right
#    ("ana · Support  ● live"), which drew over them (the customer
#    screen's, the handoff form's, an item page's, the milestone form's);
#  - the milestone form's Reason, longer than its field: while typed, its
#    end after a mark; left, its start and a mark;
#  - a text reaching the screen's edge is cut there with its mark (curses
#    carried it onto the next row: "3 ti" / "ckets");
#  - why a draft is NOT SAVED is read whole: wrapped over the rows it
#    needs above the bottom line (it was cut at 80 columns), and so is a
#    long error on the bottom line.
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
check "the draft is saved" wait_row 23 "draft saved" 5
chmod 0770 "$d1"
type_text " Then refused."
check "NOT SAVED: the message starts on the rows above the bottom line" \
	wait_true 5 'screen | grep -qF "NOT SAVED (the note is kept in memory): drafts are not kept in"'
check "…and ends whole on row 23: '(mode 0770; chmod 700 it)'" \
	wait_true 5 'row 23 | grep -qE "\(mode 0770; chmod 700 it\) *\$"'
check "…the whole path on screen" eval 'screen | tr -d "\n " | grep -qF "$(printf %s "$d1" | tr -d " ")"'
check "the note still shows what was typed" on_screen "First line. Then refused."
chmod 0700 "$d1"
keys Escape
wait_for "Discard this handoff draft?" 5 && keys y
stop

# --- a long error on the bottom line, whole, at 80x24 --------------------------------
start cut_status 80 24 "$BATON_BIN" -d "'dbname=$db user=ana'"
wait_state live 15
long_query="zzqx no such customer anywhere in this database, however long this search goes on"
type_text "$long_query"
keys Enter
check "a long 'no customer matches' is wrapped above the bottom line, its end shown" \
	eval 'wait_for "no customer matches" 10 && row 24 | grep -qF "goes on\""'
check "…not cut with a mark" eval '! row 24 | grep -qF "…"'
keys Escape Escape q
check "q quits, status 0" exit_status_is 0 10
check "no sanitizer report" no_sanitizer_report
