#!/bin/sh
# Drafts on a hostile shared host, in the real console:
#  1. the drafts directory turns unusable (writable by others) while ana
#     types and the database goes down: the form says NOT SAVED instead of
#     "draft saved", the note stays in memory, Ctrl-C (in the form, where Q
#     is text), Q and q on the start screen ask before losing it; once the directory is fixed, quitting
#     saves it (queued) and asks nothing.
#  2. SIGTERM cannot ask: the console tries once more and the draft is on
#     disk.
#  3. at start, only ana's drafts for this database are offered: a draft
#     of ben's in the same directory is not, a file of another user and a
#     FIFO are reported (and the console does not hang on the FIFO); ben
#     sees his own and not ana's.
#  4. the drafts directory replaced by a symbolic link: said at start and
#     in the form, and nothing is written where the link points.
# The server is ALWAYS started again, even when a check fails.
. "$BATON_ROOT/tests/lib/e2e.sh"

server_guard drafts_hostile

db=$(newdb baton_demo) || { echo "FAIL drafts_hostile: cannot create a test database"; exit 1; }
tag="drafts_hostile_${E2E_ID}"
ndrafts() { find "$1" -name '*.draft' 2>/dev/null | wc -l | tr -d ' '; }
# the note of the one draft file in $1: everything after the first blank line
draft_note() { sed '1,/^$/d' "$1"/*.draft; }

# console SESSION STATE ROLE: the console, 160 columns so that messages
# with their paths fit
console() {
	start "$1" 160 24 env XDG_STATE_HOME="$2" "$BATON_BIN" -d "'dbname=$db user=$3 application_name=$tag'"
}
asks() { wait_row 24 "unsent text will be lost: quit? (y/n)" 5; }

# --- 1. NOT SAVED, kept in memory, quitting asks ---------------------------------
s1="$BATON_TEST_TMP/drafts_hostile.1"
d1="$s1/baton/drafts"
mkdir -p "$s1"
console hostile1 "$s1" ana
form_to_success
type_text "First line, saved."
# Every key is saved before the screen shows it: once the whole line is
# on screen, the disk has it.
check "with a sound directory: 'draft saved'" \
	eval 'wait_row 7 "First line, saved." 5 && wait_row 23 "draft saved" 5'
chmod 0770 "$d1"
type_text " Then refused."
# (Why is said whole, over as many rows as it needs above the bottom line.)
check "directory writable by others: the form says NOT SAVED, the note is kept in memory" \
	wait_for "NOT SAVED (the note is kept in memory): drafts are not kept in $d1: it is writable by others" 5
check "…in place of 'draft saved'" eval '! on_screen "draft saved"'

server_stop
check "server stopped: OFFLINE" wait_state OFFLINE 20
type_text " Typed offline."
check "still NOT SAVED offline, the note on screen" \
	eval 'wait_for "NOT SAVED (the note is kept in memory)" 5 && wait_for "Then refused. Typed offline." 5'
keys C-c
check "Ctrl-C asks: 'unsent text will be lost: quit? (y/n)'" asks
keys n
type_text " More."
check "n: the console stays, typing goes on in the note" wait_for "Typed offline. More." 5
keys C-x
check "Ctrl-X offline: NOT SAVED — the handoff waits for the database, in memory only" \
	wait_for "NOT SAVED — the handoff waits for the database, in memory only (quitting loses it)" 5
check "…back on the customer screen" wait_for "Baton · Northwind Health" 5
keys Q
check "Q asks" asks
keys n
keys q
check "q leaves the customer screen for the start screen" wait_for "Find:" 5
# (The Find field has the focus there, where q is text.)
keys C-c
check "Ctrl-C on the start screen asks" asks
keys n
check "n: the start screen stays" eval 'wait_gone "quit? (y/n)" 5 && on_screen "Find:"'
check "on disk: only what was typed before the directory was refused" \
	eval '[ "$(ndrafts "$d1")" = 1 ] && [ "$(draft_note "$d1")" = "First line, saved." ]'
chmod 0700 "$d1"
keys C-c
check "directory fixed: Ctrl-C quits without asking, status 0" exit_status_is 0 10
check "no sanitizer report" no_sanitizer_report
check "the handoff is on disk, queued, with every word typed" \
	eval '[ "$(ndrafts "$d1")" = 1 ] && grep -qx "state: queued" "$d1"/*.draft &&
	      [ "$(draft_note "$d1")" = "First line, saved. Then refused. Typed offline. More." ]'
stop
server_start
check "nothing reached the database" \
	test "$(sql "SELECT count(*) FROM handoff WHERE note LIKE 'First line, saved.%'")" = 0

# --- 2. SIGTERM: one more try -------------------------------------------------------
s2="$BATON_TEST_TMP/drafts_hostile.2"
d2="$s2/baton/drafts"
mkdir -p "$s2"
console hostile2 "$s2" ana
form_to_success
chmod 0770 "$d2"
type_text "Written while refused."
check "NOT SAVED, the whole note on screen" \
	eval 'wait_row 7 "Written while refused." 5 && wait_for "NOT SAVED (the note is kept in memory)" 5'
chmod 0700 "$d2"
pid=$(console_pid "$tag")
check "the console is running" test -n "$pid"
[ -n "$pid" ] && kill -TERM "$pid"
check "SIGTERM: status 143, the terminal restored" eval 'exit_status_is 143 10 && alternate_off'
check "the last try saved the draft with the note" \
	eval '[ "$(ndrafts "$d2")" = 1 ] && [ "$(draft_note "$d2")" = "Written while refused." ]'
stop

# --- 3. only this database and role's drafts; planted files reported -------------------
s3="$BATON_TEST_TMP/drafts_hostile.3"
d3="$s3/baton/drafts"
mkdir -p "$d3"
chmod 0700 "$d3"
cp "$d1"/*.draft "$d3/"
# ben's draft on the same database: another owner and id, his own note
ben_id=0f8fad5b-d9cb-469f-a165-70867728950e
sed -e 's/^owner: user="ana"/owner: user="ben"/' -e "s/^id: .*/id: $ben_id/" \
	-e 's/^First line, saved.*/Ben wrote this one./' "$d1"/*.draft >"$d3/$ben_id.draft"
# a draft of ana's, but a file another user wrote
nob_id=7c9e6679-7425-40de-944b-e07fc1f90ae7
sed -e "s/^id: .*/id: $nob_id/" -e 's/^First line, saved.*/Planted by nobody./' "$d1"/*.draft >"$d3/$nob_id.draft"
chown nobody "$d3/$nob_id.draft"
mkfifo "$d3/0b7e2f5a-1c3d-4e5f-8a9b-0c1d2e3f4a5b.draft"

console hostile3 "$s3" ana
check "ana: 'Saved drafts' offered" wait_for "Saved drafts" 30
check "…with her one draft, not ben's nor the planted one" \
	eval 'wait_for "\"First line, saved." 5 && [ "$(screen | grep -c "Northwind Health")" = 1 ] &&
	      ! on_screen "Ben wrote" && ! on_screen "Planted by nobody"'
check "…and the two planted files reported (the FIFO did not block the start)" \
	wait_row 23 "2 files refused, not offered:" 5
keys q
wait_for "Find:" 5
keys Escape q
check "q quits, status 0" exit_status_is 0 10
stop

console hostile3b "$s3" ben
check "ben: his own draft only" \
	eval 'wait_for "Saved drafts" 30 && wait_for "\"Ben wrote this one." 5 && ! on_screen "First line, saved"'
keys q
wait_for "Find:" 5
keys Escape q
check "q quits, status 0" exit_status_is 0 10
stop
check "nothing was sent" \
	test "$(sql "SELECT count(*) FROM handoff WHERE note LIKE 'Ben wrote%' OR note LIKE 'Planted%'")" = 0

# --- 4. a symbolic link in place of the drafts directory ------------------------------
s4="$BATON_TEST_TMP/drafts_hostile.4"
mkdir -p "$s4/baton" "$s4/elsewhere"
ln -s "$s4/elsewhere" "$s4/baton/drafts"
console hostile4 "$s4" ana
check "said at start: the drafts directory is a symbolic link" \
	wait_row 24 "drafts are not kept in $s4/baton/drafts: it is a symbolic link" 30
form_to_success
type_text "Through the link?"
check "the form says NOT SAVED: a symbolic link" \
	wait_row 23 "NOT SAVED (the note is kept in memory): drafts are not kept in $s4/baton/drafts: it is a symbolic link" 5
keys Escape
check "Esc asks to discard" wait_for "Discard this handoff draft?" 5
keys y
check "y: back on the customer screen" wait_for "Baton · Northwind Health" 5
keys Q
check "discarded: Q quits without asking" exit_status_is 0 10
check "nothing was written where the link points" test -z "$(ls -A "$s4/elsewhere")"
stop
