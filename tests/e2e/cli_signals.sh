#!/bin/sh
# baton signals: the list as text, JSON and CSV (most severe first, each
# with its explanation and records), its filters, acknowledging a signal
# (it leaves the list until its records change), and database text that
# must never drive the terminal.
. "$BATON_ROOT/tests/lib/e2e.sh"

cli_files cli_signals
db=$(newdb baton_demo) || { echo "FAIL cli_signals: cannot create a test database"; exit 1; }

# pgjson EXPR: EXPR over $OUT's JSON (as jsonb "j"), by the server's parser
# (psql interpolates variables only in what it reads, not in -c)
pgjson() {
	printf '%s\n' "SELECT $1 FROM (SELECT :'j'::jsonb AS j) x;" |
		psql -X -At -v ON_ERROR_STOP=1 -d "$db" -v j="$(cat "$OUT")" 2>&1
}

# --- text -----------------------------------------------------------------------------
run as ana signals
expect list_text_most_severe_first \
	sh -c '[ "$1" -eq 0 ] && head -n 1 "$2" | grep -q "^HIGH " &&
	       ! awk "/^(HIGH|MEDIUM|LOW) /{print \$1}" "$2" | uniq | tr "\n" " " | grep -qv "^HIGH MEDIUM LOW $"' _ "$rc" "$OUT"
expect list_text_explains_sao_paulo \
	sh -c 'grep -A2 "^HIGH   repeating themselves · São Paulo Saúde #8 · since .* · for support$" "$1" |
	       grep -q "^       #4817 \"Login loop after SSO change — again\" opened .* days after the same problem #4744 was solved$"' _ "$OUT"
expect list_text_cafe_lumiere_records \
	grep -q "^       campaign:6 ticket:4801 ticket:4805$" "$OUT"

run as ben signals --team success --kind dropped_baton
expect team_and_kind_filter \
	sh -c '[ "$1" -eq 0 ] && [ "$(grep -c "^[A-Z]" "$2")" -ge 1 ] &&
	       ! grep "^[A-Z]" "$2" | grep -qv "dropped baton .* for success$" &&
	       grep -q "dropped baton · Northwind Health #1" "$2"' _ "$rc" "$OUT"
run as ana signals --customer nwh.example --segment mid-market
expect customer_filter_by_what_show_takes \
	sh -c '[ "$1" -eq 0 ] && [ "$(grep -c "^[A-Z]" "$2")" = 4 ] && ! grep "^[A-Z]" "$2" | grep -qv "Northwind Health #1"' _ "$rc" "$OUT"

# --- JSON and CSV ---------------------------------------------------------------------------
run as ana signals --kind voice-falling --format json
expect list_json_parses_with_every_field \
	test "$(pgjson "jsonb_typeof(j) || ' ' || (SELECT bool_and(e ? 'explanation' AND e ? 'refs' AND e ? 'fingerprint'
	                AND e->>'kind' = 'voice-falling') FROM jsonb_array_elements(j) e)")" = "array true"
expect list_json_nordic_pharma_nps_fell \
	test "$(pgjson "(SELECT e->>'explanation' FROM jsonb_array_elements(j) e WHERE (e->'customer_id')::int = 5)
	                LIKE 'NPS fell from 8 to 4 on %'")" = t
run as ana signals --format csv --kind repeating-themselves
expect list_csv_header_and_rows \
	sh -c '[ "$1" -eq 0 ] && head -n 1 "$2" | grep -q "^customer_id,customer,segment,owner,kind,title,severity,since,explanation,refs," &&
	       grep -q "^8,São Paulo Saúde,mid-market,chloe,repeating-themselves," "$2"' _ "$rc" "$OUT"

# --- acknowledging ---------------------------------------------------------------------------
run as ana signals ack --customer 8 --kind repeating-themselves --comment "Called Beatriz; fix ships Friday"
expect ack_done sh -c '[ "$1" -eq 0 ] && grep -qx "customer 8: repeating themselves acknowledged" "$2"' _ "$rc" "$OUT"
run as ana signals --customer 8
expect acknowledged_leaves_the_list sh -c '[ "$1" -eq 0 ] && [ ! -s "$2" ]' _ "$rc" "$OUT"
run as ana signals --customer 8 --all
expect all_shows_who_acknowledged \
	grep -q "^       acknowledged by ana at .*: Called Beatriz; fix ships Friday$" "$OUT"
sql "INSERT INTO ticket (customer_id, subject, status, priority, category)
     VALUES (8, 'Login loop after SSO change (third time)', 'open', 'urgent', 'bug')" >/dev/null
run as ana signals --customer 8
expect a_new_ticket_raises_it_again \
	sh -c '[ "$1" -eq 0 ] && grep -q "^HIGH   repeating themselves · São Paulo Saúde #8" "$2"' _ "$rc" "$OUT"

# --- bad input ------------------------------------------------------------------------------
run as ana signals --kind nonsense
expect unknown_kind_exit_2 sh -c '[ "$1" -eq 2 ] && grep -q "unknown kind of signal .nonsense." "$2"' _ "$rc" "$ERR"
run as ana signals --segment huge
expect unknown_segment_exit_2_as_the_queue_says_it \
	sh -c '[ "$1" -eq 2 ] && grep -qxF "baton: unknown segment \"huge\": use smb, mid-market, enterprise or strategic" "$2"' _ "$rc" "$ERR"
run as ana signals --format xml
expect bad_format_exit_2 sh -c '[ "$1" -eq 2 ] && grep -q "format must be text, json or csv" "$2"' _ "$rc" "$ERR"
run as ana signals ack --customer 8 --kind dropped-baton
expect ack_without_comment_exit_2 sh -c '[ "$1" -eq 2 ]' _ "$rc"
run as ana signals ack --customer 2 --kind dropped-baton --comment "nothing to see"
expect ack_of_no_signal_exit_1 \
	sh -c '[ "$1" -eq 1 ] && grep -q "not acknowledged: customer 2 has no \"dropped baton\" signal now" "$2"' _ "$rc" "$ERR"
run as ana campaign hold 999999 --comment "x"
expect hold_unknown_send_exit_1 \
	sh -c '[ "$1" -eq 1 ] && grep -q "no campaign send 999999" "$2"' _ "$rc" "$ERR"
run as ana campaign hold abc --comment "x"
expect hold_bad_number_exit_2 sh -c '[ "$1" -eq 2 ]' _ "$rc"

# --- hostile text from the database ----------------------------------------------------------
sql "UPDATE ticket SET subject = E'Login loop after SSO change \\033]0;pwned\\007\\033[2J again' WHERE id = 4817" >/dev/null
sql "DELETE FROM ticket WHERE customer_id = 8 AND subject LIKE '%third time%'" >/dev/null
run as ana signals --customer 8 --all
expect no_control_from_the_database sh -c '[ "$1" -eq 0 ] && grep -q "Login loop" "$2"' _ "$rc" "$OUT"
expect no_controls_in_the_output no_controls "$OUT"
# Who acknowledged is a role name: cleaned too, in the list and on 'baton show'.
sql "ALTER TABLE signal_ack DISABLE TRIGGER signal_ack_append_only;
     UPDATE signal_ack SET actor = E'an\\033[2Ja' WHERE actor = 'ana';
     ALTER TABLE signal_ack ENABLE TRIGGER signal_ack_append_only;
     UPDATE customer_signal SET acked_by = E'an\\033[2Ja' WHERE acked_by = 'ana'" >/dev/null
run as ana signals --customer 8 --all
expect the_acknowledger_cleaned_in_the_list \
	sh -c '[ "$1" -eq 0 ] && grep -q "acknowledged by an.*a at" "$2"' _ "$rc" "$OUT"
expect no_controls_in_the_list no_controls "$OUT"
run as ana show 8
expect the_acknowledger_cleaned_on_show \
	sh -c '[ "$1" -eq 0 ] && grep -q "acknowledged by an.*a at" "$2"' _ "$rc" "$OUT"
expect no_controls_on_show no_controls "$OUT"
