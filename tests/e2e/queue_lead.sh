#!/bin/sh
# The leads' queue at 80x24, as lee (Success lead): the console opens on it, on the
# "my teams" view with Northwind's breached escalation on top; 4 switches to
# "all teams", f "team=support" filters; x exports CSV.  The command-line
# twin, `baton queue --team support`, gives the same rows as RFC 4180 CSV
# (header, CRLF) and as a JSON array.
. "$BATON_ROOT/tests/lib/e2e.sh"

db=$(newdb baton_demo) || { echo "FAIL queue_lead: cannot create a test database"; exit 1; }
state="$BATON_TEST_TMP/queue_lead.state"
T="$BATON_TEST_TMP/queue_lead.out"
mkdir -p "$state" "$T"
trap stop EXIT


# data_rows: the queue's rows on screen (lines 6 .. 22 with an age column)
# (the fourth column holds the letter of the customer's crossed signals)
data_rows() { screen | sed -n '6,22p' | grep -E '^.{4}[0-9]+(m|h|d|w|mo|y) '; }

# csv_shape FILE: "records|records not ending in CRLF|open quote at end",
# counting records, not lines: a quoted field may hold a line break.
csv_shape() {
	awk 'BEGIN { q = 0; recs = 0; bad = 0 }
	{
		line = $0
		n = gsub(/"/, "", line)
		if (n % 2 == 1)
			q = !q
		if (!q) {
			recs++
			if (substr($0, length($0)) != "\r")
				bad++
		}
	}
	END { print recs "|" bad "|" q }' "$1"
}

# Expected numbers, from the database.
support_active=$(sql "SELECT count(*) FROM handoff WHERE to_team = 'support' AND state IN ('open', 'acknowledged')")
lee_counts=$(sql "SELECT 'open ' || count(*) || ' · not ack ' || count(*) FILTER (WHERE state = 'open')
                  || ' · breached ' || count(*) FILTER (WHERE state = 'open' AND ack_due_at < now())
                  FROM handoff WHERE state IN ('open', 'acknowledged') AND (to_team = 'success' OR to_staff = 'lee')")

check "the demo has active handoffs to Support (the counts below compare with them)" \
	eval '[ "$support_active" -gt 0 ]'

E2E_CWD=$T start queue_lead 80 24 env XDG_STATE_HOME="$state" "$BATON_BIN" -d "'dbname=$db user=lee'"
check "lee's console is live" wait_state live 15
check "lee's console opens on 'Handoff queue · my teams'" wait_row 1 "Baton · Handoff queue · my teams" 10
check "the filter line says 'state=active mine' and the views are listed" \
	eval 'wait_row 4 "filter: state=active mine" 5 && wait_row 3 "1 my teams  2 breached  3 escalations  4 all teams" 5'
check "first row: Northwind Health, selected, with '!' and BREACHED" \
	eval 'wait_row 6 "Northwind Health" 10 && row 6 | grep -qE "^› ![ A-Z]" && row 6 | grep -qF "BREACHED" && row 6 | grep -qF "support → success:b"'
check "the counts for lee's teams: '$lee_counts'" wait_row 2 "$lee_counts" 5
check "no other row is breached in this view" \
	test "$(data_rows | grep -c 'BREACHED')" = 1
check "the bottom line has the median time to acknowledge, labelled by period" \
	eval 'wait_row 23 "median time to acknowledge: last 7 days " 5 && row 23 | grep -qF " · last 30 days "'
check "the SLA column is explained: '+' over the SLA by, '-' within it by" \
	eval 'row 4 | grep -qF "SLA: +over by · -within by"'
# The SLA column is what a lead acts on: at 80 columns it must fit.
check "at 80 columns the SLA column is whole: header 'SLA', Northwind overdue '+1d'" \
	eval 'row 5 | grep -qF "SLA" && row 6 | grep -qE "BREACHED +\+1d"'

keys 4
check "4: the 'all teams' view" \
	eval 'wait_row 1 "Handoff queue · all teams" 5 && wait_row 4 "filter: state=active" 5 && ! row 4 | grep -qF mine'
check "all teams: rows to Support and to Success" \
	wait_true 10 'data_rows | grep -qF "→ support" && data_rows | grep -qF "→ success"'

keys f
check "f asks for a filter" wait_row 24 "Filter (" 5
type_text "team=support"
keys Enter
check "team=support: the filter line says so" wait_row 4 "filter: state=active team=support" 5
check "team=support: no row goes to success any more" \
	wait_true 10 '[ -n "$(data_rows)" ] && ! data_rows | grep -qF "→ success"'
check "team=support: every row goes to support" \
	eval '[ -n "$(data_rows)" ] && [ "$(data_rows | grep -c "→ support")" = "$(data_rows | wc -l | tr -d " ")" ]'
check "team=support: '$support_active shown', as in the database" \
	wait_row 23 "  $support_active shown" 5
check "the header is no longer a saved view's name" \
	eval 'row 1 | grep -qF "Handoff queue" && ! row 1 | grep -qF "· all teams"'

# x: export what is shown.
keys x
check "x asks 'Export CSV to file:' with a file name filled in" \
	eval 'wait_row 24 "Export CSV to file:" 5 && row 24 | grep -qE "baton-queue-[0-9]{8}-[0-9]{6}\.csv"'
keys C-u
type_text "$T/export.csv"
keys Enter
check "Enter: '$support_active rows written to …'" wait_for "$support_active rows written to" 5
check "the export: the same header as baton queue --format csv, one record per row, CRLF endings" \
	eval '[ "$(head -n 1 "$T/export.csv")" = "$(printf "id,customer_id,customer,from_team,to_team,to_staff,reason,priority,state,age_s,ack_left_s,breached,last_event,version,note,segment\r")" ] &&
	      [ "$(csv_shape "$T/export.csv")" = "$((support_active + 1))|0|0" ]'
check "the export is private (mode 0600)" test "$(stat -c %a "$T/export.csv")" = 600
# Never over a file already there, nor through a symbolic link planted at
# the name (a shared jump host): nothing written, said so.
echo precious >"$T/precious"
ln -s "$T/precious" "$T/planted.csv"
for name in "$T/export.csv" "$T/planted.csv"; do
	keys x
	wait_row 24 "Export CSV to file:" 5
	keys C-u
	type_text "$name"
	keys Enter
	check "x to $(basename "$name"), which exists: 'not written, a file is there already'" \
		wait_for "not written, a file is there already" 5
done
# A name without a directory is in the one Baton started in: said in full.
keys x
wait_row 24 "Export CSV to file:" 5
keys C-u
type_text "relative.csv"
keys Enter
check "x to relative.csv: written where Baton started, the message names it in full" \
	eval 'wait_for "rows written to $T/relative.csv" 5 && [ -s "$T/relative.csv" ]'
check "the earlier export and the link's target are as they were" \
	eval '[ "$(cat "$T/precious")" = precious ] && [ "$(csv_shape "$T/export.csv")" = "$((support_active + 1))|0|0" ]'

keys q
check "q leaves the queue for the start screen" wait_for "Waiting for you and Success" 5
keys Escape q
check "Esc, q quits with exit status 0" exit_status_is 0 10
check "no sanitizer report" no_sanitizer_report
stop

# --- the command line ---------------------------------------------------------
"$BATON_BIN" -d "dbname=$db user=lee" queue --team support --format csv >"$T/q.csv" 2>"$T/q.err"
rc=$?
check "baton queue --team support --format csv: exit 0, nothing on stderr" \
	eval '[ "$rc" = 0 ] && [ ! -s "$T/q.err" ]'
check "csv: the header line names the columns" \
	test "$(head -n 1 "$T/q.csv")" = "$(printf 'id,customer_id,customer,from_team,to_team,to_staff,reason,priority,state,age_s,ack_left_s,breached,last_event,version,note,segment\r')"
check "csv: header + one record per active support handoff, every record ends in CRLF" \
	test "$(csv_shape "$T/q.csv")" = "$((support_active + 1))|0|0"
check "csv: no bare LF outside quoted fields, the file ends in CRLF" \
	test "$(tail -c 2 "$T/q.csv" | od -An -c | tr -d ' ')" = '\r\n'
# PostgreSQL's own CSV reader agrees: every record parses, all to support.
parsed=$(psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" <<EOF
CREATE TEMP TABLE q (id uuid, customer_id bigint, customer text, from_team text, to_team text,
    to_staff text, reason text, priority text, state text, age_s bigint, ack_left_s bigint,
    breached boolean, last_event text, version int, note text, segment text);
\copy q FROM '$T/q.csv' WITH (FORMAT csv, HEADER true)
SELECT count(*) || '|' || count(*) FILTER (WHERE q.to_team = 'support')
       || '|' || count(*) FILTER (WHERE q.note = regexp_replace(h.note, E'\r\n|[\r\n\t]', ' ', 'g'))
       || '|' || count(*) FILTER (WHERE h.note ~ E'\n')
  FROM q JOIN handoff h USING (id);
EOF
)
# Notes read as on the screen: line breaks as spaces, one record a line.
check "csv: parses as CSV with the right types; notes whole, their line breaks as spaces" \
	eval '[ "${parsed%|*}" = "$support_active|$support_active|$support_active" ] && [ "${parsed##*|}" -gt 0 ]'
check "csv: one line per record" test "$(wc -l <"$T/q.csv")" = "$((support_active + 1))"

"$BATON_BIN" -d "dbname=$db user=lee" queue --team support --format json >"$T/q.json" 2>"$T/q.err"
rc=$?
json=$(cat "$T/q.json")
shape=$(psql -X -q -At -v ON_ERROR_STOP=1 -v j="$json" -d "$db" <<'EOF'
SELECT json_typeof(:'j'::json) || '|' || json_array_length(:'j'::json) || '|'
       || (SELECT count(*) FROM json_array_elements(:'j'::json) e
            WHERE e->>'to_team' = 'support' AND json_typeof(e->'breached') = 'boolean'
              AND json_typeof(e->'version') = 'number');
EOF
)
check "baton queue --team support --format json: exit 0, a JSON array of the same rows" \
	test "$rc|$shape" = "0|array|$support_active|$support_active"
