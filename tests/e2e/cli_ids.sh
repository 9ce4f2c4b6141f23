#!/bin/sh
# Every id the console (and `baton show`) shows is accepted by the command
# line: a handoff by the first 8 hex digits the console shows ("Handoff
# 6293c178") or any unique prefix of 4 or more, tickets as "#4812", customers
# as "#1" and "crm:CRM-00123".  An ambiguous prefix names the candidates
# (cleaned), an unknown one says so (both exit 1), a malformed id exits 2.
. "$BATON_ROOT/tests/lib/e2e.sh"

cli_files cli_ids
db=$(newdb baton_demo) || { echo "FAIL cli_ids: cannot create a test database"; exit 1; }
hsql() { sql "SELECT $2 FROM handoff WHERE id = '$1'"; }

NWH=6293c178-ae4a-339c-418f-a402dd44efe3 # ana -> ben (Success), high, open

# --- handoff ids as the console shows them -------------------------------------
run as ben handoff ack 6293c178
expect ack_by_the_8_hex_digits_the_console_shows \
	sh -c '[ "$1" -eq 0 ] && grep -qx "$2: acknowledged (version 2)" "$3" && [ ! -s "$4" ]' _ "$rc" "$NWH" "$OUT" "$ERR"
expect the_database_has_bens_acknowledgement \
	test "$(hsql $NWH "state || '|' || acknowledged_by")" = "acknowledged|ben"

run as ben handoff comment 6293C178-AE4A --comment "called Dana"
expect comment_by_an_upper_case_prefix_with_a_dash \
	sh -c '[ "$1" -eq 0 ] && grep -q "^$2: acknowledged" "$3"' _ "$rc" "$NWH" "$OUT"
expect the_comment_is_on_that_handoff \
	test "$(sql "SELECT count(*) FROM handoff_event WHERE handoff_id = '$NWH' AND comment = 'called Dana'")" = 1

run as ben handoff resolve 6293 --comment done
expect resolve_by_4_hex_digits sh -c '[ "$1" -eq 0 ]' _ "$rc"
expect the_handoff_is_resolved test "$(hsql $NWH state)" = resolved

# A reassignment restarts the SLA clock at the handoff's own priority
# (urgent: 1 hour by default), which it reads by the resolved id.
URG=3e9390cc-6ab8-da8e-70cc-cad6e8454944 # to Support, urgent, open
run as sam handoff reassign 3e93 --to-team success --comment "theirs"
expect reassign_by_a_prefix sh -c '[ "$1" -eq 0 ]' _ "$rc"
expect reassigned_with_its_urgent_sla \
	test "$(hsql $URG "to_team || '|' || (ack_due_at < now() + interval '2 hours')")" = "success|true"

# --- ambiguous, unknown, malformed ----------------------------------------------------
# Two handoffs whose ids share "abcd", for a customer whose name carries
# terminal controls.
sql "UPDATE customer SET name = E'Evil\\033]0;pwned\\007 Corp' WHERE id = 3" >/dev/null
for id in abcd1234-0000-4000-8000-000000000001 abcd5678-0000-4000-8000-000000000002; do
	psql -X -At -d "$db" -U ana -c "SELECT created FROM baton_handoff_create('$id', gen_random_uuid(), 3,
		'success', NULL, 'escalation', 'normal', NULL, 'twin')" >/dev/null
done
run as ben handoff ack abcd
expect ambiguous_prefix_exits_1_naming_both \
	sh -c '[ "$1" -eq 1 ] && [ ! -s "$2" ] && grep -q "^baton: '"'"'abcd'"'"' matches 2 handoffs" "$3" &&
	       grep -q abcd1234-0000-4000-8000-000000000001 "$3" && grep -q abcd5678-0000-4000-8000-000000000002 "$3"' \
	_ "$rc" "$OUT" "$ERR"
expect ambiguous_candidates_are_cleaned \
	sh -c 'grep -qF "Evil␛]0;pwned␇ Corp" "$1"' _ "$ERR"
expect ambiguous_candidates_no_controls no_controls "$ERR"
expect ambiguous_prefix_changes_nothing \
	test "$(sql "SELECT count(*) FROM handoff WHERE id::text LIKE 'abcd%' AND state = 'open'")" = 2
run as ben handoff ack abcd5
expect a_longer_prefix_picks_one \
	sh -c '[ "$1" -eq 0 ] && grep -q "^abcd5678-0000-4000-8000-000000000002: acknowledged" "$2"' _ "$rc" "$OUT"

run as ben handoff ack ffff0
expect unknown_prefix_exits_1 \
	sh -c '[ "$1" -eq 1 ] && grep -qx "baton: no handoff id starts with '"'"'ffff0'"'"'" "$2"' _ "$rc" "$ERR"

for bad in 629 xyz12 6293-c178 "6293c178 " "#4812" $NWH-0; do
	run as ben handoff ack "$bad"
	expect "malformed_id_exits_2 ($bad)" \
		sh -c '[ "$1" -eq 2 ] && [ "$(wc -l <"$2")" -eq 1 ] && grep -q "is not a handoff id" "$2"' \
		_ "$rc" "$ERR"
done

# --- tickets as "#4812" -------------------------------------------------------------
run as ana handoff new --customer nwh.example --to-team success --reason escalation \
	--ticket "#4812" --message "see the ticket"
expect ticket_with_hash_accepted \
	sh -c '[ "$1" -eq 0 ] && [ "$(wc -l <"$2")" -eq 1 ]' _ "$rc" "$OUT"
expect ticket_with_hash_is_linked test "$(hsql "$(cat "$OUT")" ticket_id)" = 4812
for bad in "#" "##4812" "#48x" "#-1"; do
	run as ana handoff new --customer nwh.example --to-team success --reason escalation \
		--ticket "$bad" --message "no"
	expect "bad_ticket_exits_2 ($bad)" \
		sh -c '[ "$1" -eq 2 ] && grep -q "ticket must be a ticket number" "$2"' _ "$rc" "$ERR"
done

# --- customers: every identifier `baton show` prints is taken back --------------------
run as ana show nwh.example
ids=$(sed -n 's/^.*  \(#[0-9]*\)$/\1/p' "$OUT" | head -n 1)
ids="$ids $(sed -n 's/^External ids: //p' "$OUT")"
expect show_prints_an_id_and_external_ids \
	sh -c 'case "$1" in "#1 "*crm:CRM-00123*) exit 0 ;; *) exit 1 ;; esac' _ "$ids"
for id in $ids nwh.example "Northwind Health" CRM-00123 dana.whitfield@nwh.example 1; do
	run as ana show "$id"
	expect "show_accepts ($id)" \
		sh -c '[ "$1" -eq 0 ] && head -n 1 "$2" | grep -q "^Northwind Health (nwh.example)  #1$"' _ "$rc" "$OUT"
done
run as ana show helpdesk:CRM-00123
expect show_external_id_of_another_system_is_not_it \
	sh -c '[ "$1" -eq 1 ] && grep -q "no customer matches" "$2"' _ "$rc" "$ERR"
run as ana show "#"
expect show_bare_hash_is_no_customer sh -c '[ "$1" -eq 1 ]' _ "$rc"
