#!/bin/sh
# A file the source has line for line is read once (migration 114): the
# client sends its lines' hashes, the server says it has them all, and the
# client neither reads the known lines back nor reads the file again.  A
# file with a line the source has not, or a line to reject, is read back
# and sent as before: the changed line is imported, the bad one rejected.
. "$BATON_ROOT/tests/lib/e2e.sh"
. "$BATON_ROOT/tests/lib/import.sh"

cli_files import_read_once
db=$(newdb baton_schema) || { echo "FAIL import_read_once: cannot create a test database"; exit 1; }
importer_role "$db"
CFG="$T/once.cfg"
cat >"$CFG" <<'EOF'
import: { sources = (
  { name = "o-orgs"; entity = "customers"; format = "csv"; system = "crm"; label = "O org";
    fields = { source_id = "id"; name = "name"; domains = "domain"; }; },
  { name = "o-tickets"; entity = "tickets"; format = "jsonl"; customer_source = "o-orgs";
    fields = { source_id = "id"; customer = "org"; subject = "subject"; status = "status"; }; }
); };
EOF
printf 'id,name,domain\n1,One,one.example\n2,Two,two.example\n' >"$T/orgs.csv"
for i in 1 2 3 4 5 6; do
	printf '{"id": %d, "org": %d, "subject": "Ticket %d", "status": "open"}\n' "$i" $((i % 2 + 1)) "$i"
done >"$T/t.jsonl"
imported orgs_imported o-orgs "$T/orgs.csv" "2 read, 2 inserted"
imported tickets_imported o-tickets "$T/t.jsonl" "6 read, 6 inserted"

# Every statement of this database's sessions from here, in the server's
# log: what the client asked for after the match.
log="$BATON_TEST_TMP/pg/server.log"
psql -X -q -d postgres -c "ALTER DATABASE $db SET log_statement = 'all'" >/dev/null
mark() { wc -l <"$log"; }
# statements SINCE PATTERN: how many of this database's statements since
# line SINCE of the log match PATTERN
statements() { tail -n +"$(($1 + 1))" "$log" | grep -F " db=$db " | grep -c -F "$2"; }

at=$(mark)
imported unchanged_tickets o-tickets "$T/t.jsonl" \
	"6 read, 0 inserted, 0 updated, 6 unchanged, 0 rejected, 0 customers merged (no changes)"
check unchanged_matched_by_hashes [ "$(statements "$at" 'SELECT baton_import_lines_known()')" = 1 ]
check unchanged_known_not_read_back [ "$(statements "$at" 'COPY pg_temp.baton_import_known')" = 0 ]
at=$(mark)
imported unchanged_orgs o-orgs "$T/orgs.csv" \
	"2 read, 0 inserted, 0 updated, 2 unchanged, 0 rejected, 0 customers merged (no changes)"
check unchanged_csv_known_not_read_back [ "$(statements "$at" 'COPY pg_temp.baton_import_known')" = 0 ]

# One line changed: the others are read back, the changed one sent.
sed 's/"Ticket 4"/"Ticket 4, again"/' "$T/t.jsonl" >"$T/t2.jsonl"
at=$(mark)
imported one_changed o-tickets "$T/t2.jsonl" "6 read, 0 inserted, 1 updated, 5 unchanged"
check one_changed_known_read_back [ "$(statements "$at" 'COPY pg_temp.baton_import_known')" = 1 ]
check one_changed_imported [ "$(sql "SELECT string_agg(subject, ',' ORDER BY subject) FROM ticket
                                     WHERE subject LIKE 'Ticket 4%'")" = "Ticket 4, again" ]

# Every line known but one the client rejects (a CSV row of three fields
# where the header has three, and one of two): still rejected, by line.
{ cat "$T/orgs.csv"; echo "3,Three"; } >"$T/orgs-bad.csv"
run "$BATON_BIN" -c "$CFG" -d "dbname=$db user=importer" import --source o-orgs --rejects "$T/rej.csv" "$T/orgs-bad.csv"
expect known_and_rejected sh -c '[ "$1" -eq 0 ] && grep -q "3 read, 0 inserted, 0 updated, 2 unchanged, 1 rejected" "$2"' \
	_ "$rc" "$OUT"
check rejected_line_named grep -q '2 fields, the header has 3' "$T/rej.csv"
# ... or a last row whose quoted field the file ends in.
{ cat "$T/orgs.csv"; printf '3,"Three,three.example\n'; } >"$T/orgs-open.csv"
run "$BATON_BIN" -c "$CFG" -d "dbname=$db user=importer" import --source o-orgs --rejects "$T/rej2.csv" "$T/orgs-open.csv"
expect known_and_unclosed sh -c '[ "$1" -eq 0 ] && grep -q "3 read, 0 inserted, 0 updated, 2 unchanged, 1 rejected" "$2"' \
	_ "$rc" "$OUT"
check unclosed_line_named grep -q 'a quoted field is not closed before the end of the file' "$T/rej2.csv"
psql -X -q -d postgres -c "ALTER DATABASE $db RESET log_statement" >/dev/null
