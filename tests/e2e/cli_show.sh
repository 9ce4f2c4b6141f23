#!/bin/sh
# `baton show` and `baton find`: the customer screen and the finder as text
# and JSON, and database text that must never drive the terminal.
. "$BATON_ROOT/tests/lib/e2e.sh"

cli_files cli_show
demo=$(newdb baton_demo)
AS_ANA="dbname=$demo user=ana"

# pgjson FILE EXPR: evaluate EXPR over the JSON in FILE (as jsonb "j") with
# the server's own JSON parser; prints the value, or an error.
pgjson() {
	{
		printf '%s\n' "SELECT $2 FROM (SELECT :'j'::jsonb AS j) x;"
	} | psql -X -At -v ON_ERROR_STOP=1 -d "$demo" -v j="$(cat "$1")" 2>&1
}

# json_is FILE EXPR WANT
json_is() {
	_got=$(pgjson "$1" "$2")
	[ "$_got" = "$3" ] || { echo "    $2 = '$_got', want '$3'"; return 1; }
}

# --- the customer screen as text ------------------------------------------------
run "$BATON_BIN" -d "$AS_ANA" show nwh.example
expect show_text_header \
	sh -c '[ "$1" -eq 0 ] && [ ! -s "$3" ] && head -n 1 "$2" | grep -qx "Northwind Health (nwh.example)  #1" &&
	       grep -q "owner Ben Okafor" "$2"' _ "$rc" "$OUT" "$ERR"
expect show_text_flags \
	grep -qx "Flags: \[on track but burning\] \[campaign during complaint\] \[dropped baton\] \[voice falling\]" "$OUT"
# Each signal says why, with the records, computed by the database.
expect show_text_signals_explained \
	sh -c 'grep -q "^  high   campaign during complaint: newsletter \".*\" scheduled .* while urgent #4812 \"Patient data missing after migration\" is open" "$1" &&
	       grep -q "^  high   dropped baton: handoff support → success (ben) \"escalation\" (high) not acknowledged, 1d 2.h past its SLA" "$1" &&
	       grep -q "^         since .*, for onboarding: milestone:3 ticket:4809 ticket:4812 ticket:4815$" "$1"' _ "$OUT"
expect show_text_three_open_tickets_urgent_first \
	sh -c 'grep -qx "Tickets 3 open" "$1" &&
	       awk "/^  #4812 urgent/{a=NR} /^  #4809 high/{b=NR} /^  #4815 normal/{c=NR}
	            END{exit !(a && a < b && b < c)}" "$1"' _ "$OUT"
expect show_text_ticket_subjects \
	sh -c 'grep -q "#4812 .*Patient data missing after migration" "$1" &&
	       grep -q "#4809 .*Import fails at 20k rows" "$1" &&
	       grep -q "#4815 .*Date fields shifted by one day after import" "$1"' _ "$OUT"
expect show_text_unacknowledged_handoff \
	sh -c 'grep -q "support → success (Ben Okafor) escalation high .* by Ana Lima  NOT ACKNOWLEDGED" "$1" &&
	       grep -q "^Handoffs 1 active" "$1" && grep -q "^Onboarding 2/7" "$1"' _ "$OUT"
cp "$OUT" "$T/by_domain"

for who in 1 "#1" CRM-00123 crm:CRM-00123 crm-00123 HD-4417 NWH.example dana.whitfield@nwh.example \
	Dana.Whitfield@NWH.example "Northwind Health" "northwind HEALTH" northwind; do
	run "$BATON_BIN" -d "$AS_ANA" show "$who"
	expect "show_by_$(echo "$who" | tr -c 'a-zA-Z0-9\n' _)" \
		sh -c '[ "$1" -eq 0 ] && head -n 1 "$2" | grep -qx "Northwind Health (nwh.example)  #1"' _ "$rc" "$OUT"
done

run "$BATON_BIN" -d "$AS_ANA" show 2
expect show_cafe_lumiere_campaign_during_complaint \
	sh -c '[ "$1" -eq 0 ] && head -n 1 "$2" | grep -qx "Café Lumière (cafe-lumiere.example)  #2" &&
	       grep -qx "Flags: \[campaign during complaint\] \[outreach during escalation\]" "$2" &&
	       grep -q "campaign during complaint: upsell \"Upgrade to Pro\" scheduled .* while complaint #4805 \"Charged twice and no answer for two days\" is open (+1 more)" "$2" &&
	       grep -q "scheduled upsell .*\"Upgrade to Pro\"" "$2"' _ "$rc" "$OUT"

# São Paulo Saúde raised the login loop again: no longer "Flags: none".
run "$BATON_BIN" -d "$AS_ANA" show 8
expect show_sao_paulo_repeating_themselves \
	sh -c '[ "$1" -eq 0 ] && grep -qx "Flags: \[repeating themselves\]" "$2" &&
	       grep -q "repeating themselves: #4817 \"Login loop after SSO change — again\" opened .*, 2[0-9] days after the same problem #4744 was solved" "$2"' _ "$rc" "$OUT"

# --- the customer screen as JSON ----------------------------------------------------
run "$BATON_BIN" -d "$AS_ANA" show --format json 1
expect show_json_one_object_one_line \
	sh -c '[ "$1" -eq 0 ] && [ "$(wc -l <"$2")" -eq 1 ] && head -c 1 "$2" | grep -q "{" &&
	       grep -qF "\"name\":\"Northwind Health\"" "$2" && grep -qF "\"tickets\":[" "$2"' _ "$rc" "$OUT"
expect show_json_parses json_is "$OUT" "jsonb_typeof(j)" object
show_json_customer() {
	json_is "$OUT" "j->'customer'->>'name'" "Northwind Health" &&
		json_is "$OUT" "jsonb_typeof(j->'customer'->'id')" number &&
		json_is "$OUT" "j->'customer'->>'owner_name'" "Ben Okafor"
}
expect show_json_customer show_json_customer
show_json_tickets() {
	json_is "$OUT" "(SELECT count(*) FROM jsonb_array_elements(j->'tickets') t WHERE (t->'open')::boolean)" 3 &&
		json_is "$OUT" "j->'tickets'->0->'id'" 4812
}
expect show_json_tickets show_json_tickets
show_json_flags() {
	json_is "$OUT" "j->'flags' = '[\"on track but burning\", \"campaign during complaint\", \"dropped baton\", \"voice falling\"]'::jsonb" t &&
		json_is "$OUT" "j->'signals'->0->>'refs'" "milestone:3 ticket:4809 ticket:4812 ticket:4815" &&
		json_is "$OUT" "jsonb_array_length(j->'milestones')" 7 &&
		json_is "$OUT" "j->'handoffs'->0->>'state'" open
}
expect show_json_flags show_json_flags
# Each handoff keeps its "events", oldest first (the console reads them only
# when a handoff is opened; the JSON reads them for its handoffs at once).
show_json_events() {
	json_is "$OUT" "j->'handoffs'->0->>'events' LIKE '% created by ana%'" t &&
		json_is "$OUT" "position('created by maja' IN j->'handoffs'->1->>'events') BETWEEN 1 AND position('resolved by sam' IN j->'handoffs'->1->>'events')" t &&
		json_is "$OUT" "jsonb_typeof(j->'handoffs'->0->'version')" number
}
expect show_json_events show_json_events
show_json_open_count() {
	json_is "$OUT" "j->'open_tickets'" 3 &&
		json_is "$OUT" "(SELECT count(*) FROM jsonb_array_elements(j->'tickets') t WHERE t ? 'open_total')" 0
}
expect show_json_open_tickets_counted show_json_open_count

# A customer of more open tickets than the screen lists (the most urgent
# 200) says how many there are, in text and in JSON.
psql -X -q -v ON_ERROR_STOP=1 -d "$demo" -c "INSERT INTO ticket (customer_id, subject, status, priority)
	SELECT 4, 'bulk ' || g, 'open', 'low' FROM generate_series(1, 230) g" >/dev/null
run "$BATON_BIN" -d "$AS_ANA" show 4
expect show_text_more_open_tickets_than_listed \
	sh -c '[ "$1" -eq 0 ] && grep -Eqx "Tickets 23[0-9] open, the 200 most urgent listed" "$2" &&
	       [ "$(grep -c "^  #.* low .* bulk " "$2")" -le 200 ]' _ "$rc" "$OUT"
open4=$(psql -X -At -d "$demo" -c "SELECT count(*) FROM ticket WHERE customer_id = 4 AND status NOT IN ('solved', 'closed')")
run "$BATON_BIN" -d "$AS_ANA" show --format json 4
show_json_more_open() {
	json_is "$OUT" "j->'open_tickets'" "$open4" &&
		json_is "$OUT" "(SELECT count(*) FROM jsonb_array_elements(j->'tickets') t WHERE (t->'open')::boolean)" 200
}
expect show_json_more_open_tickets_than_listed show_json_more_open
psql -X -q -v ON_ERROR_STOP=1 -d "$demo" -c "DELETE FROM ticket WHERE customer_id = 4 AND subject LIKE 'bulk %'" >/dev/null

# --- not found, ambiguous ----------------------------------------------------------
run "$BATON_BIN" -d "$AS_ANA" show north
expect show_ambiguous_lists_candidates \
	sh -c '[ "$1" -eq 1 ] && [ ! -s "$2" ] && grep -q "matches 2 customers" "$3" &&
	       grep -q "^1 .*Northwind Health .*nwh.example" "$3" &&
	       grep -q "^4 .*North Star Logistics .*nsl.example" "$3"' _ "$rc" "$OUT" "$ERR"

run "$BATON_BIN" -d "$AS_ANA" show nothing-like-this
expect show_not_found_exits_1 \
	sh -c '[ "$1" -eq 1 ] && [ ! -s "$2" ] && [ "$(wc -l <"$3")" -eq 1 ] &&
	       grep -qF "no customer matches '"'"'nothing-like-this'"'"'" "$3"' _ "$rc" "$OUT" "$ERR"

# --- find ----------------------------------------------------------------------------
TAB=$(printf '\t')
run "$BATON_BIN" -d "$AS_ANA" find north
expect find_text \
	sh -c '[ "$1" -eq 0 ] && grep -qxF "1${3}Northwind Health${3}nwh.example${3}onboarding${3}3 open tickets${3}name" "$2" &&
	       grep -qF "4${3}North Star Logistics${3}nsl.example" "$2"' _ "$rc" "$OUT" "$TAB"

run "$BATON_BIN" -d "$AS_ANA" find north --format json
find_json() {
	[ "$rc" -eq 0 ] && [ "$(wc -l <"$OUT")" -eq 1 ] &&
		json_is "$OUT" "jsonb_typeof(j)" array &&
		json_is "$OUT" "(SELECT count(*) FROM jsonb_array_elements(j) e WHERE e->>'name' IN ('Northwind Health', 'North Star Logistics'))" 2 &&
		json_is "$OUT" "(SELECT e->'open_tickets' FROM jsonb_array_elements(j) e WHERE e->'id' = '1')" 3 &&
		json_is "$OUT" "(SELECT e->>'matched' FROM jsonb_array_elements(j) e WHERE e->'id' = '1')" name
}
expect find_json find_json

run "$BATON_BIN" -d "$AS_ANA" find --format json zzzz-none-qq
expect find_nothing_exits_1 sh -c '[ "$1" -eq 1 ] && [ "$(cat "$2")" = "[]" ]' _ "$rc" "$OUT"

run "$BATON_BIN" -d "$AS_ANA" find "   "
expect find_blank_is_a_usage_error sh -c '[ "$1" -eq 2 ]' _ "$rc"

run "$BATON_BIN" -d "$AS_ANA" find HD-9020
expect find_by_external_id \
	sh -c '[ "$1" -eq 0 ] && [ "$(wc -l <"$2")" -eq 1 ] && grep -q "Northwind Health.*external id$" "$2"' _ "$rc" "$OUT"

# Two characters: the prefix search.
run "$BATON_BIN" -d "$AS_ANA" find No
expect find_two_characters \
	sh -c '[ "$1" -eq 0 ] && grep -q "Northwind Health" "$2" && grep -q "Nordic Pharma Oy" "$2"' _ "$rc" "$OUT"

# --- hostile text from the database -----------------------------------------------
psql -X -q -v ON_ERROR_STOP=1 -d "$demo" >/dev/null <<'EOF'
INSERT INTO ticket (id, customer_id, subject, body, status, priority, category)
VALUES (9901, 1, E'evil \x1b]0;pwned\x07 \x1b[2J subject \u202e', E'body \x1b[31m red', 'open', 'low', 'question');
INSERT INTO success_note (customer_id, kind, body)
VALUES (1, 'note', E'note \x1b]52;c;cGF5bG9hZA==\x07 with\rcarriage \x08return');
INSERT INTO customer (name, domain) VALUES (E'Evil\x1b[31mRed Corp', 'evil-red.example');
INSERT INTO customer (name) VALUES (E'Twin\x1b[2J One'), (E'Twin\x1b[2J Two');
EOF
[ $? -eq 0 ] || echo "FAIL hostile_rows_inserted: could not insert the hostile rows"

run "$BATON_BIN" -d "$AS_ANA" show 1
expect hostile_show_text_runs sh -c '[ "$1" -eq 0 ] && grep -q "#9901" "$2"' _ "$rc" "$OUT"
expect hostile_show_text_has_no_controls no_controls "$OUT" "$ERR"
expect hostile_show_text_is_visible \
	grep -qF "evil ␛]0;pwned␇ ␛[2J subject <U+202E>" "$OUT"
expect hostile_note_is_visible \
	grep -qF "note ␛]52;c;cGF5bG9hZA==␇ with carriage ␈return" "$OUT"

run "$BATON_BIN" -d "$AS_ANA" show --format json 1
expect hostile_show_json_has_no_controls \
	sh -c '[ "$1" -eq 0 ] && [ "$(wc -l <"$2")" -eq 1 ]' _ "$rc" "$OUT"
expect hostile_show_json_no_raw_bytes no_controls "$OUT"
expect hostile_show_json_escapes \
	grep -qF 'evil \u001b]0;pwned\u0007 \u001b[2J subject \u202' "$OUT"
# ... and loses nothing: the server reads back exactly what was stored.
expect hostile_show_json_round_trips \
	json_is "$OUT" "(SELECT t->>'subject' FROM jsonb_array_elements(j->'tickets') t WHERE t->'id' = '9901') = E'evil \\x1b]0;pwned\\x07 \\x1b[2J subject \\u202e'" t

run "$BATON_BIN" -d "$AS_ANA" find evil
expect hostile_find_text \
	sh -c '[ "$1" -eq 0 ] && grep -qF "Evil␛[31mRed Corp" "$2"' _ "$rc" "$OUT"
expect hostile_find_text_has_no_controls no_controls "$OUT"
run "$BATON_BIN" -d "$AS_ANA" find --format json evil
expect hostile_find_json grep -qF 'Evil\u001b[31mRed Corp' "$OUT"
expect hostile_find_json_has_no_controls no_controls "$OUT"

# What the user typed is echoed back cleaned too, and so are candidates.
run "$BATON_BIN" -d "$AS_ANA" show "$(printf 'zz\033[2Jzz')"
expect hostile_argument_not_found \
	sh -c '[ "$1" -eq 1 ] && grep -qF "zz␛[2Jzz" "$2"' _ "$rc" "$ERR"
expect hostile_argument_not_found_no_controls no_controls "$ERR"
run "$BATON_BIN" -d "$AS_ANA" show twin
expect hostile_candidates \
	sh -c '[ "$1" -eq 1 ] && grep -qF "Twin␛[2J One" "$2" && grep -qF "Twin␛[2J Two" "$2"' _ "$rc" "$ERR"
expect hostile_candidates_no_controls no_controls "$ERR"
run "$BATON_BIN" -d "$AS_ANA" show "$(printf 'Twin\033[2J')"
expect hostile_argument_ambiguous \
	sh -c '[ "$1" -eq 1 ] && grep -q "matches 2 customers" "$2" && grep -qF "Twin␛[2J One" "$2"' _ "$rc" "$ERR"
expect hostile_argument_ambiguous_no_controls no_controls "$ERR"

dropdb --if-exists "$demo" >/dev/null 2>&1
rm -rf "$T"
