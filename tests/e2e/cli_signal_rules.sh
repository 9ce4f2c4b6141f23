#!/bin/sh
# baton signals streams its lists through a cursor: the output is the same
# whatever the batch (1 and 2 rows: every row is a batch's first or last,
# so the JSON commas and the CSV header cross batches), in every format,
# for the list and the suppression list, empty ones too.  And a change of
# a signal rule: `baton settings set` says it at once and computes the
# signals again; `baton signals` and `baton show` follow the new rule when
# it was changed behind their back (raised and cleared).
. "$BATON_ROOT/tests/lib/e2e.sh"

cli_files cli_signal_rules
db=$(newdb baton_demo) || { echo "FAIL cli_signal_rules: cannot create a test database"; exit 1; }
admin="t_rules_admin_${E2E_ID}"
sql "CREATE ROLE $admin LOGIN; GRANT baton_admin TO $admin" >/dev/null

# pgjson EXPR: EXPR over $OUT's JSON (as jsonb "j"), by the server's parser
pgjson() {
	printf '%s\n' "SELECT $1 FROM (SELECT :'j'::jsonb AS j) x;" |
		psql -X -At -v ON_ERROR_STOP=1 -d "$db" -v j="$(cat "$OUT")" 2>&1
}
# The minutes an SLA is past move while the runs go on.
clockless() { sed -E 's/[0-9]+[dhm]( [0-9]+[dhm])? past its SLA/T past its SLA/g; s/[0-9]+ days overdue/N days overdue/g' "$1"; }
# same_in_batches NAME ARGS...: baton ARGS as ana, fetched by 1000, 1 and 2 rows
same_in_batches() {
	_n=$1
	shift
	BATON_CLI_FETCH_ROWS=1000 as ana "$@" >"$T/big" 2>"$ERR"
	_rc=$?
	BATON_CLI_FETCH_ROWS=1 as ana "$@" >"$T/one" 2>>"$ERR" || _rc=1
	BATON_CLI_FETCH_ROWS=2 as ana "$@" >"$T/two" 2>>"$ERR" || _rc=1
	clockless "$T/big" >"$T/big.c"
	clockless "$T/one" >"$T/one.c"
	clockless "$T/two" >"$T/two.c"
	cp "$T/one" "$OUT"
	rc=$_rc
	expect "$_n" sh -c '[ "$1" -eq 0 ] && cmp -s "$2" "$3" && cmp -s "$2" "$4"' _ "$_rc" "$T/big.c" "$T/one.c" "$T/two.c"
}

# --- streaming ------------------------------------------------------------------------
for f in text json csv; do
	same_in_batches "list_${f}_the_same_in_any_batches" signals --all --format $f
	expect "list_${f}_not_empty" test -s "$OUT"
	same_in_batches "suppression_${f}_the_same_in_any_batches" signals suppression --format $f
	expect "suppression_${f}_not_empty" test -s "$OUT"
done
n=$(psql -X -At -d "dbname=$db user=ana" -c "SELECT count(*) FROM baton_signal_list(NULL, NULL, NULL, NULL, NULL, true)")
same_in_batches list_json_by_one_row signals --all --format json
expect list_json_by_one_row_is_the_whole_list test "$(pgjson "jsonb_array_length(j)")" = "$n"
same_in_batches list_csv_by_one_row signals --all --format csv
expect list_csv_by_one_row_one_header_and_every_row \
	sh -c '[ "$(grep -c "^customer_id,customer," "$1")" = 1 ] && [ "$(grep -c "^[0-9]" "$1")" -ge "$2" ]' _ "$OUT" "$n"
# Customer 2 has no dropped baton.
same_in_batches empty_json signals --customer 2 --kind dropped-baton --format json
expect empty_json_is_an_empty_array sh -c '[ "$(cat "$1")" = "[]" ]' _ "$OUT"
same_in_batches empty_csv signals --customer 2 --kind dropped-baton --format csv
expect empty_csv_is_the_header sh -c '[ "$(wc -l <"$1")" = 1 ] && grep -q "^customer_id,customer," "$1"' _ "$OUT"
same_in_batches empty_text signals --customer 2 --kind dropped-baton
expect empty_text_is_nothing test ! -s "$OUT"

# --- a change of the rules --------------------------------------------------------------
# A refund solved 20 days before an upsell scheduled in 5 days: raised while
# signal_complaint_days (30) is over 25.
c=$(sql "INSERT INTO customer (name, onboarding_health) VALUES ('Threshold SARL', 'done') RETURNING id" | head -n 1)
sql "INSERT INTO ticket (customer_id, subject, status, priority, category, opened_at, solved_at)
     VALUES ($c, 'Refund for a duplicate charge', 'solved', 'normal', 'billing',
             now() - interval '21 days', now() - interval '20 days');
     INSERT INTO marketing_event (customer_id, campaign, kind, status, scheduled_at)
     VALUES ($c, 'Go Pro', 'upsell', 'scheduled', now() + interval '5 days')" >/dev/null
pending() { sql "SELECT baton_signal_pending()"; }
run as ana signals --kind campaign-during-complaint
expect rules_raised_at_30_days grep -q "campaign during complaint · Threshold SARL #$c" "$OUT"

run as "$admin" settings set signal_complaint_days 20
expect settings_set_says_the_new_value sh -c '[ "$1" -eq 0 ] && grep -qx "signal_complaint_days is now 20" "$2"' _ "$rc" "$OUT"
expect settings_set_computed_everyone_again test "$(pending)" = 0
run as ana signals --kind campaign-during-complaint
expect cleared_in_the_list sh -c '[ "$1" -eq 0 ] && ! grep -q "Threshold SARL" "$2" && grep -q "^HIGH " "$2"' _ "$rc" "$OUT"
run as ana signals suppression
expect cleared_in_the_suppression_list sh -c '[ "$1" -eq 0 ] && ! grep -q "Threshold SARL" "$2"' _ "$rc" "$OUT"

# Changed behind the command line's back (nobody computed anything): each
# read follows the new rule all the same.
sql "SELECT baton_setting_set('signal_complaint_days', '30')" >/dev/null
expect a_change_computes_nobody test "$(pending)" -gt 1
run as ana show "$c"
expect raised_on_show grep -q "campaign during complaint" "$OUT"
run as ana signals --kind campaign-during-complaint --format json
expect raised_in_the_list \
	test "$(pgjson "(SELECT count(*) FROM jsonb_array_elements(j) e WHERE (e->'customer_id')::bigint = $c)")" = 1
expect the_list_computed_everyone_again test "$(pending)" = 0
sql "SELECT baton_setting_set('signal_complaint_days', '20')" >/dev/null
run as ana signals suppression --format csv
expect cleared_in_the_suppression_csv sh -c '[ "$1" -eq 0 ] && ! grep -q "Threshold SARL" "$2" && [ -s "$2" ]' _ "$rc" "$OUT"
sql "SELECT baton_setting_set('signal_complaint_days', '30')" >/dev/null
run as ana signals suppression
expect raised_in_the_suppression_list grep -q "to Threshold SARL #$c" "$OUT"
