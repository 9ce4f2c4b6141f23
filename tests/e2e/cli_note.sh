#!/bin/sh
# baton note add: a success note from the command line, through the
# server's baton_note_add.  The note comes from standard input (or
# --message), is linked to a ticket or handoff of the customer, a
# correction supersedes an older note (which stays in the history), and
# --id makes a script's retry deliver the note once.  Bad input: one
# message and the right exit status (2 usage, 1 refused).
. "$BATON_ROOT/tests/lib/e2e.sh"

cli_files cli_note
db=$(newdb baton_demo) || { echo "FAIL cli_note: cannot create a test database"; exit 1; }
NWH_HANDOFF=6293c178-ae4a-339c-418f-a402dd44efe3
nsql() { sql "SELECT $2 FROM success_note WHERE id = '$1'"; }

# --- writing -------------------------------------------------------------------
printf 'Kestrel: the sponsor\nmoved the QBR to Dec 3.\n' >"$T/note.txt"
run as ana note add --customer nwh.example <"$T/note.txt"
id1=$(cat "$OUT")
expect from_stdin_prints_the_new_notes_id \
	sh -c '[ "$1" -eq 0 ] && grep -qxE "[0-9]+" "$2" && [ ! -s "$3" ]' _ "$rc" "$OUT" "$ERR"
expect the_database_has_it_as_written_by_ana \
	test "$(nsql "$id1" "author || '|' || kind || '|' || customer_id || '|' || (body = E'Kestrel: the sponsor\\nmoved the QBR to Dec 3.\\n')")" = "ana|note|1|true"

run as ben note add --customer "Northwind Health" --kind call --ticket '#4812' --message "Called Dana about 4812."
expect a_call_linked_to_a_ticket \
	sh -c '[ "$1" -eq 0 ] && [ "$(psql -X -At -d "$2" -c "SELECT kind || ticket_id || author FROM success_note WHERE id = $(cat "$3")")" = call4812ben ]' \
	_ "$rc" "$db" "$OUT"
run as ben note add --customer 1 --handoff 6293c178 --message "Took the handoff's call."
expect linked_to_a_handoff_by_its_short_id \
	sh -c '[ "$1" -eq 0 ] && [ "$(psql -X -At -d "$2" -c "SELECT handoff_id FROM success_note WHERE id = $(cat "$3")")" = "$4" ]' \
	_ "$rc" "$db" "$OUT" "$NWH_HANDOFF"

# --- a script's retry: the same --id is the same note ------------------------------
uuid=0b5f3c1e-7a2d-4c1b-9e8f-2d6a4b1c3e5f
run as ana note add --customer nwh.example --id $uuid --message "Sent twice, kept once."
first=$(cat "$OUT")
run as ana note add --customer nwh.example --id $uuid --message "Sent twice, kept once."
expect the_same_id_again_prints_the_same_note \
	sh -c '[ "$1" -eq 0 ] && [ "$(cat "$2")" = "$3" ]' _ "$rc" "$OUT" "$first"
expect one_row_for_it test "$(sql "SELECT count(*) FROM success_note WHERE client_id = '$uuid'")" = 1
run as ana note add --customer nwh.example --id $uuid --message "Another text."
expect the_same_id_with_another_text_is_refused \
	sh -c '[ "$1" -eq 1 ] && grep -q "already sent with a different text" "$2"' _ "$rc" "$ERR"

# --- a correction ------------------------------------------------------------------
run as ben note add --customer nwh.example --supersedes "$id1" --message "QBR moved to Dec 4, not Dec 3."
fix=$(cat "$OUT")
expect a_correction_is_a_new_note \
	sh -c '[ "$1" -eq 0 ] && [ "$(cat "$2")" != "$3" ]' _ "$rc" "$OUT" "$id1"
run as ana show nwh.example
expect baton_show_lists_the_correction_not_the_old_note \
	sh -c 'grep -qF "QBR moved to Dec 4, not Dec 3." "$1" && ! grep -qF "Kestrel" "$1"' _ "$OUT"
expect the_old_note_stays_unchanged \
	test "$(nsql "$id1" "body LIKE 'Kestrel:%'")|$(nsql "$fix" supersedes)" = "t|$id1"
run as ana note add --customer nwh.example --supersedes "$id1" --message "A second correction."
expect a_note_is_corrected_once \
	sh -c '[ "$1" -eq 1 ] && grep -q "was already corrected by note" "$2"' _ "$rc" "$ERR"

# --- refused ---------------------------------------------------------------------
n_before=$(sql "SELECT count(*) FROM success_note")
run as ana note add --message "no customer"
expect without_customer_exit_2 sh -c '[ "$1" -eq 2 ] && grep -q "needs --customer" "$2"' _ "$rc" "$ERR"
run as ana note add --customer nwh.example --kind tweet --message x
expect unknown_kind_exit_2 sh -c '[ "$1" -eq 2 ] && grep -q "kind must be note, call, meeting, qbr or email" "$2"' _ "$rc" "$ERR"
run as ana note add --customer nwh.example --ticket 48x --message x
expect bad_ticket_number_exit_2 sh -c '[ "$1" -eq 2 ] && grep -q "ticket must be a ticket number" "$2"' _ "$rc" "$ERR"
run as ana note add --customer nwh.example --ticket 4812 --handoff 6293c178 --message x
expect ticket_and_handoff_exit_2 sh -c '[ "$1" -eq 2 ] && grep -q "not both" "$2"' _ "$rc" "$ERR"
run as ana note add --customer nwh.example --id not-a-uuid --message x
expect bad_id_exit_2 sh -c '[ "$1" -eq 2 ] && grep -q "id must be a UUID" "$2"' _ "$rc" "$ERR"
run as ana note add --customer "no such customer" --message x
expect unknown_customer_exit_1 sh -c '[ "$1" -eq 1 ] && grep -q "no customer matches" "$2"' _ "$rc" "$ERR"
other=$(sql "SELECT min(id) FROM ticket WHERE customer_id <> 1")
run as ana note add --customer nwh.example --ticket "$other" --message x
expect another_customers_ticket_refused_by_the_server \
	sh -c '[ "$1" -eq 1 ] && grep -q "is not one of this customer.s tickets" "$2"' _ "$rc" "$ERR"
run as ana note add --customer nwh.example </dev/null
expect empty_stdin_exit_1 sh -c '[ "$1" -eq 1 ] && grep -q "the note is empty" "$2"' _ "$rc" "$ERR"
admin="t_admin_${E2E_ID}"
sql "CREATE ROLE $admin LOGIN; GRANT baton_admin TO $admin" >/dev/null
as $admin settings set max_note_bytes 64 >/dev/null 2>&1
head -c 100 /dev/zero | tr '\0' x >"$T/long.txt"
run as ana note add --customer nwh.example <"$T/long.txt"
expect over_the_databases_largest_exit_1_with_its_size \
	sh -c '[ "$1" -eq 1 ] && grep -q "the note is 100 bytes; the largest is 64" "$2"' _ "$rc" "$ERR"
expect nothing_refused_was_written test "$(sql "SELECT count(*) FROM success_note")" = "$n_before"
run "$BATON_BIN" -d "host=/nonexistent dbname=$db user=ana" note add --customer 1 --message x
expect database_unreachable_exit_4 sh -c '[ "$1" -eq 4 ]' _ "$rc"
run as ana note add --customer 1 --message "$(printf 'evil \033]0;x\007')" --kind nope
expect messages_are_clean no_controls "$ERR"
