#!/bin/sh
# `baton queue --format csv` is safe to open in a spreadsheet and to print:
# a note or name a spreadsheet would run as a formula ("=1+1", "-2+3",
# "@SUM(...)") comes out inert with a leading "'", numbers stay numbers,
# terminal controls are cleaned as on the screen, UTF-8 is kept (also under
# LANG=C), and PostgreSQL's own CSV reader parses every record.
. "$BATON_ROOT/tests/lib/e2e.sh"

cli_files cli_csv
db=$(newdb baton_demo) || { echo "FAIL cli_csv: cannot create a test database"; exit 1; }

# Handoffs from ana to Success, written the way staff write them.
new() { # CUSTOMER NOTE: prints the new handoff's id
	as ana handoff new --customer "$1" --to-team success --reason escalation --message "$2"
}
formula=$(new nwh.example "=1+1")
minus=$(new nwh.example "-2+3+cmd|' /C calc'!A0")
at=$(new nwh.example "@SUM(1,2)")
ctl=$(new nwh.example "$(printf 'line one\nline two \033]0;pwned\007 end')")
sql "UPDATE customer SET name = '=HYPERLINK(\"http://evil.example\",\"x\")' WHERE id = 2" >/dev/null
named=$(new cafe-lumiere.example "for the renamed customer")
expect handoffs_written \
	sh -c '[ "$(printf "%s\n" "$@" | grep -c "^[0-9a-f-]\{36\}$")" -eq 5 ]' _ "$formula" "$minus" "$at" "$ctl" "$named"

run as lee queue --team success --format csv
expect queue_csv_exits_0 sh -c '[ "$1" -eq 0 ] && [ ! -s "$2" ]' _ "$rc" "$ERR"
cp "$OUT" "$T/q.csv"

# The record of handoff ID, as PostgreSQL's CSV reader parses the file.
load() {
	psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" <<EOF
CREATE TEMP TABLE q (id text, customer_id text, customer text, from_team text, to_team text,
    to_staff text, reason text, priority text, state text, age_s text, ack_left_s text,
    breached text, last_event text, version text, note text, segment text);
\copy q FROM '$T/q.csv' WITH (FORMAT csv, HEADER true)
$1
EOF
}
note_of() { load "SELECT note FROM q WHERE id = '$1'"; }

expect formula_note_is_inert test "$(note_of "$formula")" = "'=1+1"
expect minus_note_is_inert test "$(note_of "$minus")" = "'-2+3+cmd|' /C calc'!A0"
expect at_note_is_inert test "$(note_of "$at")" = "'@SUM(1,2)"
expect formula_customer_name_is_inert \
	test "$(load "SELECT DISTINCT customer FROM q WHERE id = '$named'")" = "'=HYPERLINK(\"http://evil.example\",\"x\")"
expect controls_cleaned_as_on_screen \
	test "$(note_of "$ctl")" = "line one line two ␛]0;pwned␇ end"
expect no_controls_in_the_file no_controls "$T/q.csv"
expect the_raw_file_has_the_quoted_inert_cell \
	grep -qF ",\"'@SUM(1,2)\"," "$T/q.csv"
# Whatever the data: no text cell starts a formula, every number is a number.
expect no_cell_starts_a_formula \
	test "$(load "SELECT count(*) FROM q WHERE concat_ws(E'\\n', id, customer, from_team, to_team,
	    to_staff, reason, priority, state, breached, last_event, note, segment) ~ E'(^|\\n)[-=+@\\t\\r]'
	    OR NOT (customer_id || version || age_s) ~ '^[0-9]+\$' OR NOT ack_left_s ~ '^(-?[0-9]+)?\$'")" = 0
expect some_sla_is_negative_and_stays_a_number \
	test "$(load "SELECT count(*) > 0 FROM q WHERE ack_left_s ~ '^-[0-9]+\$'")" = t

# UTF-8 is kept when the caller's locale is not UTF-8 (cron, LANG=C).
sql "UPDATE customer SET name = 'Café Lumière' WHERE id = 2" >/dev/null
run env LC_ALL=C LANG=C "$BATON_BIN" -d "dbname=$db user=lee" queue --team success --format csv
expect utf8_kept_under_lang_c \
	sh -c '[ "$1" -eq 0 ] && grep -qF ",Café Lumière," "$2" && ! grep -qF "<U+" "$2"' _ "$rc" "$OUT"
