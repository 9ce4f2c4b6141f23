#!/bin/sh
# An imported ticket is known by its helpdesk's number (migration 082): a
# Zendesk page's ticket 4812 is #4812 in `baton show` (text and JSON), in
# a signal's line and on the console's screen, whatever Baton's own id for
# it; `--ticket 4812` (note add, handoff new) finds it among the customer's
# tickets, a number before an id, and id:N is Baton's ticket N.  Two of
# the customer's tickets of one number (a second helpdesk's) make
# `--ticket` refuse, naming both.  (The demo's tickets have ids equal to
# their numbers, which hid this.)
. "$BATON_ROOT/tests/lib/e2e.sh"
. "$BATON_ROOT/tests/lib/import.sh"

cli_files ticket_numbers
db=$(newdb baton_demo) || { echo "FAIL ticket_numbers: cannot create a test database"; exit 1; }
importer_role "$db"
trap stop EXIT
CFG="$BATON_ROOT/etc/baton-import.cfg"
# bid SOURCE ID: Baton's id of a source's ticket
bid() { sql "SELECT target_id FROM import_record WHERE source = '$1' AND source_id = '$2'"; }
ana() { "$BATON_BIN" -d "dbname=$db user=ana" "$@"; }
# wrote_on TABLE ID: the last command succeeded, and the note or handoff it
# printed the id of links Baton's ticket ID
wrote_on() {
	[ "$rc" -eq 0 ] && [ "$(sql "SELECT ticket_id FROM $1 WHERE id = '$(cat "$OUT")'")" = "$2" ]
}

cat >"$T/orgs.json" <<'EOF'
{"organizations": [{"id": 9001, "name": "Quill & Ink Ltd", "domain_names": ["quill.example"],
  "updated_at": "2026-03-01T10:00:00Z"}], "end_of_stream": true}
EOF
imported orgs_imported zendesk-organizations "$T/orgs.json" "1 read, 1 inserted"
cat >"$T/tickets.json" <<'EOF'
{"tickets": [
  {"id": 4812, "organization_id": 9001, "subject": "Export to CSV times out", "description": "Since Monday.",
   "status": "open", "priority": "urgent", "tags": ["bug"], "created_at": "2026-03-02T09:00:00Z",
   "updated_at": "2026-03-02T09:00:00Z"},
  {"id": 4813, "organization_id": 9001, "subject": "Invoice address", "description": "New HQ.",
   "status": "open", "priority": "low", "tags": ["billing"], "created_at": "2026-03-02T10:00:00Z",
   "updated_at": "2026-03-02T10:00:00Z"}
], "end_of_stream": true}
EOF
imported tickets_imported zendesk-tickets "$T/tickets.json" "2 read, 2 inserted"
b4812=$(bid zendesk-tickets 4812)
b4813=$(bid zendesk-tickets 4813)
check "Baton's ids of the imported tickets are not their numbers" \
	eval '[ -n "$b4812" ] && [ "$b4812" != 4812 ] && [ -n "$b4813" ] && [ "$b4813" != 4813 ]'

# --- baton show -------------------------------------------------------------------
run ana show quill.example
expect "show: the ticket is #4812, not Baton's #$b4812" \
	sh -c '[ "$1" -eq 0 ] && grep -q "^  #4812 urgent open .*Export to CSV times out" "$2" &&
	       ! grep -q "^  #$3 " "$2"' _ "$rc" "$OUT" "$b4812"
run ana show --format json quill.example
expect "show --format json: the ticket has its id and its number" \
	sh -c '[ "$1" -eq 0 ] && grep -qF "\"id\":$3,\"subject\":\"Export to CSV times out\"" "$2" &&
	       grep -qF "\"number\":\"4812\"" "$2"' _ "$rc" "$OUT" "$b4812"
# A send scheduled while the urgent ticket is open: the signal's line names it.
sql "INSERT INTO marketing_event (customer_id, campaign, kind, channel, status, scheduled_at)
     SELECT customer_id, 'Spring upsell', 'upsell', 'email', 'scheduled', now() + interval '3 days'
     FROM ticket WHERE id = $b4812" >/dev/null
run ana show quill.example
expect "show: the signal's line names the ticket #4812" \
	sh -c '[ "$1" -eq 0 ] && grep -q "campaign during complaint: .* while urgent #4812 \"Export to CSV times out\" is open" "$2"' \
	_ "$rc" "$OUT"

# --- --ticket: the number first, then the id, id:N ------------------------------
run ana note add --customer quill.example --ticket 4812 --message "Logs attached"
expect "note add --ticket 4812 links the note to Zendesk's 4812" \
	wrote_on success_note "$b4812"
run ana show --format json quill.example
expect "show --format json: the note's ticket_number is 4812" \
	sh -c '[ "$1" -eq 0 ] && grep -qF "\"ticket_id\":$3,\"handoff_id\":null,\"supersedes\":null,\"ticket_number\":\"4812\"" "$2"' \
	_ "$rc" "$OUT" "$b4812"
run ana handoff new --customer quill.example --to-team success --reason escalation --ticket '#4813' \
	--message "Billing asks"
expect "handoff new --ticket #4813 links the handoff to Zendesk's 4813" \
	wrote_on handoff "$b4813"
# Zendesk's ticket numbered as Baton's id of 4812: the number wins.
cat >"$T/tickets2.json" <<EOF
{"tickets": [
  {"id": $b4812, "organization_id": 9001, "subject": "SSO login loop", "status": "new",
   "created_at": "2026-03-03T09:00:00Z", "updated_at": "2026-03-03T09:00:00Z"}
], "end_of_stream": true}
EOF
imported tickets2_imported zendesk-tickets "$T/tickets2.json" "1 read, 1 inserted"
bsso=$(bid zendesk-tickets "$b4812")
run ana note add --customer quill.example --ticket "$b4812" --message "Which browser?"
expect "note add --ticket $b4812: the ticket of that number, not the one of that id" \
	wrote_on success_note "$bsso"
run ana note add --customer quill.example --ticket "id:$b4812" --message "More logs"
expect "note add --ticket id:$b4812: Baton's ticket $b4812 (Zendesk's 4812)" \
	wrote_on success_note "$b4812"
run ana note add --customer quill.example --ticket "$b4813" --message "By its id"
expect "note add --ticket $b4813 (no ticket of that number): the ticket of that id" \
	wrote_on success_note "$b4813"
run ana note add --customer quill.example --ticket "id:x" --message "Not an id"
expect "note add --ticket id:x: not a Baton ticket id (exit 2)" \
	sh -c '[ "$1" -eq 2 ] && grep -qF -- "--ticket id: must be a Baton ticket id, not '"'"'x'"'"'" "$2"' _ "$rc" "$ERR"
run ana note add --customer quill.example --ticket 4790 --message "Another customer's"
expect "note add --ticket 4790 (Northwind's): not one of this customer's tickets" \
	sh -c '[ "$1" -ne 0 ] && grep -qF "ticket 4790 is not one of this customer'"'"'s tickets" "$2"' _ "$rc" "$ERR"

# --- two helpdesks, one number ----------------------------------------------------
cat >"$T/second.cfg" <<'EOF'
import: {
  sources = (
    { name = "freshdesk-tickets"; entity = "tickets"; format = "csv";
      fields = { source_id = "Ticket ID"; email = "Requester"; subject = "Subject"; }; }
  );
};
EOF
printf 'Ticket ID,Requester,Subject\n4812,kim@quill.example,Refund for March\n' >"$T/fd.csv"
run "$BATON_BIN" -c "$T/second.cfg" -d "dbname=$db user=importer" import --source freshdesk-tickets "$T/fd.csv"
expect second_helpdesk_imported sh -c '[ "$1" -eq 0 ] && grep -q "1 read, 1 inserted" "$2"' _ "$rc" "$OUT"
bfd=$(bid freshdesk-tickets 4812)
run ana note add --customer quill.example --ticket 4812 --message "Which one?"
expect "note add --ticket 4812 with two tickets #4812: refused, naming both and how to pick" \
	sh -c '[ "$1" -ne 0 ] && grep -qF "ticket 4812 is ambiguous: 2 of this customer'"'"'s tickets have that number (id:$3 \"Export to CSV times out\", id:$4 \"Refund for March\")" "$2" &&
	       grep -qF "name one by its Baton id, as id:$3" "$2"' _ "$rc" "$ERR" "$b4812" "$bfd"
run ana handoff new --customer quill.example --to-team success --reason escalation --ticket 4812 --message "x"
expect "handoff new --ticket 4812: refused the same way" \
	sh -c '[ "$1" -ne 0 ] && grep -qF "ticket 4812 is ambiguous" "$2"' _ "$rc" "$ERR"
run ana note add --customer quill.example --ticket "id:$bfd" --message "The refund"
expect "note add --ticket id:$bfd picks the second helpdesk's" \
	wrote_on success_note "$bfd"

# --- the console ------------------------------------------------------------------
start ticket_numbers 100 30 "$BATON_BIN" -d "'dbname=$db user=ana'"
wait_state live 15
type_text "quill"
wait_for "Quill & Ink Ltd" 10
keys Enter
check "customer screen: the ticket is 4812, not Baton's $b4812" \
	eval 'wait_for "4812 Export to CSV times out" 10 && ! on_screen "$b4812 Export to CSV"'
keys Tab
wait_true 5 'screen | grep -F "4812 Export" | grep -qF "›"'
keys Enter
check "Enter opens the detail page 'Ticket 4812'" \
	eval 'wait_row 1 "Ticket 4812" 5 && on_screen "#4812 Export to CSV times out"'
keys q
wait_for "Tickets" 5
keys t
check "the timeline says 'ticket opened' #4812" wait_for "#4812 urgent Export to CSV times out" 10
keys q
wait_for "Tickets" 5
keys n
check "a new note about the selected ticket says 'ticket #4812'" \
	wait_for "ticket #4812 Export to CSV times out" 5
keys Escape
keys Q
check "quits with exit status 0" exit_status_is 0 10
check "no sanitizer report" no_sanitizer_report
