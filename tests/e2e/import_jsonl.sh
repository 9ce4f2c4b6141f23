#!/bin/sh
# JSON Lines again (migration 030): a line the source has with the same text
# is set aside before it is parsed, and counts as read and unchanged; a
# key whose last line is such a line stays as it is, one whose last line
# changed is updated; digests of the record's JSON (before 030) are renewed
# by the next file, after which its lines are set aside too.
. "$BATON_ROOT/tests/lib/e2e.sh"
. "$BATON_ROOT/tests/lib/import.sh"

cli_files import_jsonl
db=$(newdb baton_schema) || { echo "FAIL import_jsonl: cannot create a test database"; exit 1; }
importer_role "$db"
cat >"$T/jsonl.cfg" <<'EOF'
import: { sources = (
  { name = "t-orgs"; entity = "customers"; format = "csv"; system = "crm"; label = "T org";
    fields = { source_id = "id"; name = "name"; domains = "domain"; }; },
  { name = "t-tickets"; entity = "tickets"; format = "jsonl"; customer_source = "t-orgs";
    fields = { source_id = "id"; customer = "org"; subject = "subject"; status = "status";
      updated_at = "updated_at"; }; }
); };
EOF
imp() { "$BATON_BIN" -c "$T/jsonl.cfg" -d "dbname=$db user=importer" "$@"; }
printf 'id,name,domain\n1,One,one.example\n' >"$T/orgs.csv"
run imp import --source t-orgs "$T/orgs.csv"
expect orgs_imported sh -c '[ "$1" -eq 0 ] && grep -q "1 read, 1 inserted" "$2"' _ "$rc" "$OUT"

cat >"$T/t.jsonl" <<'EOF'
{"id": 1, "org": 1, "subject": "First", "status": "open", "updated_at": "2026-03-01T08:00:00Z"}
{"id": 2, "org": 1, "subject": "Second", "status": "new", "updated_at": "2026-03-01T08:00:00Z"}
{"id": 3, "org": 1, "subject": "Third", "status": "pending", "updated_at": "2026-03-01T08:00:00Z"}
EOF
run imp import --source t-tickets "$T/t.jsonl"
expect tickets_imported sh -c '[ "$1" -eq 0 ] && grep -q "3 read, 3 inserted" "$2"' _ "$rc" "$OUT"
audit_tickets=$(sql "SELECT count(*) FROM baton_audit WHERE entity = 'ticket'")
check digests_of_line_text \
	[ "$(sql "SELECT count(*) FROM import_record WHERE source = 't-tickets' AND length(digest) = 48")" = 3 ]

run imp import --source t-tickets "$T/t.jsonl"
expect same_lines_read_and_unchanged \
	sh -c '[ "$1" -eq 0 ] && grep -q "3 read, 0 inserted, 0 updated, 3 unchanged, 0 rejected, 0 customers merged (no changes)" "$2"' \
	_ "$rc" "$OUT"
check same_lines_no_audit [ "$(sql "SELECT count(*) FROM baton_audit WHERE entity = 'ticket'")" = "$audit_tickets" ]

# Key 1 changed (as new), then as Baton has it (of lines as new, the last
# counts: unchanged; of lines not as new, the newest: import_duplicates);
# key 2 as Baton has it, then changed (updated).
cat >"$T/twice.jsonl" <<'EOF'
{"id": 1, "org": 1, "subject": "First", "status": "solved", "updated_at": "2026-03-01T08:00:00Z"}
{"id": 1, "org": 1, "subject": "First", "status": "open", "updated_at": "2026-03-01T08:00:00Z"}
{"id": 2, "org": 1, "subject": "Second", "status": "new", "updated_at": "2026-03-01T08:00:00Z"}
{"id": 2, "org": 1, "subject": "Second", "status": "open", "updated_at": "2026-03-02T08:00:00Z"}
EOF
run imp import --source t-tickets "$T/twice.jsonl"
expect twice_last_line_counts \
	sh -c '[ "$1" -eq 0 ] && grep -q "4 read, 0 inserted, 1 updated" "$2"' _ "$rc" "$OUT"
check twice_kept_and_updated \
	[ "$(sql "SELECT string_agg(subject || ':' || status, ' ' ORDER BY subject) FROM ticket")" = \
	  "First:open Second:open Third:pending" ]

# Digests of the record's JSON, as 019 wrote them: unchanged by their
# values, renewed, and the next run sets the lines aside.
sql "UPDATE import_record SET digest = left(digest, 32) || lpad(to_hex(jsonb_hash_extended('{}', 1)), 16, '0')
     WHERE source = 't-tickets'" >/dev/null
printf '%s\n' '{"id": 3, "org": 1, "subject": "Third", "status": "pending", "updated_at": "2026-03-01T08:00:00Z"}' >"$T/three.jsonl"
run imp import --source t-tickets "$T/three.jsonl"
expect older_digest_unchanged sh -c '[ "$1" -eq 0 ] && grep -q "1 read, 0 inserted, 0 updated, 1 unchanged" "$2"' _ "$rc" "$OUT"
check older_digest_renewed \
	[ "$(sql "SELECT count(*) FROM import_record WHERE source = 't-tickets' AND source_id = '3'
	          AND substr(digest, 33) = lpad(to_hex(jsonb_hash_extended('{}', 1)), 16, '0')")" = 0 ]
run imp import --source t-tickets "$T/three.jsonl"
expect renewed_digest_unchanged sh -c '[ "$1" -eq 0 ] && grep -q "1 read, 0 inserted, 0 updated, 1 unchanged" "$2"' _ "$rc" "$OUT"
check ticket_audit_rows [ "$(sql "SELECT count(*) FILTER (WHERE action = 'update') || ' ' || count(*)
	                                 FROM baton_audit WHERE entity = 'ticket'")" = "1 $((audit_tickets + 1))" ]
# The line's text, not its JSON: the same record written with other
# spacing is unchanged by its values, and its digest now that text's.
before=$(sql "SELECT digest FROM import_record WHERE source = 't-tickets' AND source_id = '3'")
printf '%s\n' '{"id":3,"org":1,"subject":"Third","status":"pending","updated_at":"2026-03-01T08:00:00Z"}' >"$T/three-tight.jsonl"
run imp import --source t-tickets "$T/three-tight.jsonl"
expect other_spacing_unchanged sh -c '[ "$1" -eq 0 ] && grep -q "1 read, 0 inserted, 0 updated, 1 unchanged" "$2"' _ "$rc" "$OUT"
check digest_of_the_text \
	[ "$(sql "SELECT substr(digest, 33) <> substr('$before', 33) FROM import_record
	          WHERE source = 't-tickets' AND source_id = '3'")" = t ]
# Set aside by its text alone: a record whose values' half no longer
# matches is still unchanged when its line is the same.
sql "UPDATE import_record SET digest = md5('other values') || substr(digest, 33)
     WHERE source = 't-tickets' AND source_id = '3'" >/dev/null
run imp import --source t-tickets "$T/three-tight.jsonl"
expect set_aside_by_text sh -c '[ "$1" -eq 0 ] && grep -q "1 read, 0 inserted, 0 updated, 1 unchanged" "$2"' _ "$rc" "$OUT"

# A file's new rows are numbered customer by customer, then in the file's
# order (migration 051): a customer's rows lie together in the table and in
# its indexes, wherever they were in the file.
printf 'id,name,domain\n2,Two,two.example\n' >"$T/orgs2.csv"
run imp import --source t-orgs "$T/orgs2.csv"
expect second_org_imported sh -c '[ "$1" -eq 0 ] && grep -q "1 read, 1 inserted" "$2"' _ "$rc" "$OUT"
# Ten tickets of each, alternating, so that an order by customer alone (not
# then by line) would not keep the file's order within a customer.
for i in 0 1 2 3 4 5 6 7 8 9; do
	printf '{"id": %d, "org": 2, "subject": "Two %d", "status": "open", "updated_at": "2026-03-01T08:00:00Z"}\n' $((20 + 2 * i)) "$i"
	printf '{"id": %d, "org": 1, "subject": "One %d", "status": "open", "updated_at": "2026-03-01T08:00:00Z"}\n' $((21 + 2 * i)) "$i"
done >"$T/mixed.jsonl"
run imp import --source t-tickets "$T/mixed.jsonl"
expect mixed_imported sh -c '[ "$1" -eq 0 ] && grep -q "20 read, 20 inserted" "$2"' _ "$rc" "$OUT"
check new_rows_numbered_by_customer_then_line \
	[ "$(sql "SELECT string_agg(t.subject, ',' ORDER BY t.id) FROM ticket t
	          WHERE t.subject LIKE 'One _' OR t.subject LIKE 'Two _'")" = \
	  "One 0,One 1,One 2,One 3,One 4,One 5,One 6,One 7,One 8,One 9,Two 0,Two 1,Two 2,Two 3,Two 4,Two 5,Two 6,Two 7,Two 8,Two 9" ]

# A file with a line jsonb refuses is read line by line: its other lines'
# records still end their digests with their text's hash (110), the one a
# file read at once gives, so that the same lines again without the bad
# one are set aside as they are and their digests are left as they were.
cat >"$T/good.jsonl" <<'EOF2'
{"id": 60, "org": 1, "subject": "Sixty", "status": "open", "updated_at": "2026-03-01T08:00:00Z"}
{"id": 61, "org": 1, "subject": "Sixty-one", "status": "new", "updated_at": "2026-03-01T08:00:00Z"}
EOF2
{ head -n 1 "$T/good.jsonl"; echo '{"id": 62, "org": 1, "subject": not JSON}'; tail -n 1 "$T/good.jsonl"; } >"$T/bad.jsonl"
run imp import --source t-tickets "$T/bad.jsonl"
expect slow_lines_imported sh -c '[ "$1" -eq 0 ] && grep -q "3 read, 2 inserted, 0 updated, 0 unchanged, 1 rejected" "$2"' _ "$rc" "$OUT"
slow=$(sql "SELECT string_agg(digest, ' ' ORDER BY source_id) FROM import_record
            WHERE source = 't-tickets' AND source_id IN ('60', '61') AND length(digest) = 48")
check slow_lines_digests_of_their_text [ "$(echo "$slow" | wc -w)" = 2 ]
run imp import --source t-tickets "$T/good.jsonl"
expect slow_lines_known_again \
	sh -c '[ "$1" -eq 0 ] && grep -q "2 read, 0 inserted, 0 updated, 2 unchanged, 0 rejected, 0 customers merged (no changes)" "$2"' \
	_ "$rc" "$OUT"
check slow_lines_digests_kept [ "$(sql "SELECT string_agg(digest, ' ' ORDER BY source_id) FROM import_record
                                         WHERE source = 't-tickets' AND source_id IN ('60', '61')")" = "$slow" ]

# A line of JSON's white space alone (spaces, a tab, a CR of a CRLF file)
# is a blank line, as an empty one is: skipped, neither a record nor a
# reject; a line with one character more is a record (rejected here).
# From a file the source has records of, and from standard input (read
# once).  (In the first, the hashes' pass skips them too; that spares a
# second reading of a file whose other lines the source all has, which
# the counts do not show.)
printf '{"id": 70, "org": 1, "subject": "Seventy", "status": "open"}\n   \n\t \r\n\n{"id": 71, "org": 1, "subject": "Seventy-one", "status": "new"}\n  x\n' \
	>"$T/blanks.jsonl"
run imp import --source t-tickets --rejects "$T/blanks.csv" "$T/blanks.jsonl"
expect blank_lines_skipped sh -c '[ "$1" -eq 0 ] && grep -q "3 read, 2 inserted, 0 updated, 0 unchanged, 1 rejected" "$2" &&
	[ "$(tail -n +2 "$3" | cut -d, -f2 | tr "\n" " ")" = "6 " ]' _ "$rc" "$OUT" "$T/blanks.csv"
sed 's/Seventy/Seventy again/' "$T/blanks.jsonl" >"$T/blanks2.jsonl"
run sh -c '"$1" -c "$2" -d "dbname=$3 user=importer" import --source t-tickets - <"$4"' \
	_ "$BATON_BIN" "$T/jsonl.cfg" "$db" "$T/blanks2.jsonl"
expect blank_lines_skipped_from_stdin \
	sh -c '[ "$1" -eq 0 ] && grep -q "3 read, 0 inserted, 2 updated, 0 unchanged, 1 rejected" "$2"' _ "$rc" "$OUT"
