#!/bin/sh
# JSON escapes PostgreSQL cannot store (migration 068): a \u0000 (a NUL
# pasted into a ticket) or half a surrogate pair (an emoji cut by a
# truncation) in a Zendesk page is imported as U+FFFD with the rest of its
# record, the summary says how many and in which records, and the page's
# other tickets go in; the same page again changes nothing and says
# nothing of them.  Escaped backslashes are not escapes; a surrogate pair
# stays its character; \U is no JSON escape.  JSON Lines likewise.
. "$BATON_ROOT/tests/lib/e2e.sh"
. "$BATON_ROOT/tests/lib/import.sh"

cli_files import_json_escapes
db=$(newdb baton_schema) || { echo "FAIL import_json_escapes: cannot create a test database"; exit 1; }
importer_role "$db"
CFG="$BATON_ROOT/etc/baton-import.cfg"
imp() { "$BATON_BIN" -c "$CFG" -d "dbname=$db user=importer" "$@"; }
# body ID: the description of ticket ID, U+FFFD written as "<?>"
body() { sql "SELECT replace(t.body, U&'\\FFFD', '<?>') FROM ticket t JOIN import_record r ON r.target_id = t.id
              AND r.source = 'zendesk-tickets' AND r.source_id = '$1'"; }

cat >"$T/orgs.json" <<'EOF'
{"organizations": [{"id": 1, "name": "Acme Corp", "domain_names": ["acme.example"],
  "updated_at": "2026-03-01T10:00:00Z"}], "end_of_stream": true}
EOF
imported orgs_imported zendesk-organizations "$T/orgs.json" "1 read, 1 inserted"

# --- the reviewer's page: one ticket fine, one with NULs, one with an emoji cut ---
cat >"$T/tickets.json" <<'EOF'
{"tickets": [
  {"id": 1, "subject": "fine", "description": "ok", "status": "open", "organization_id": 1,
   "created_at": "2026-03-01T08:00:00Z", "updated_at": "2026-03-01T08:00:00Z", "tags": []},
  {"id": 2, "subject": "pasted \u0000 log", "description": "log: \u0000\u0000 end", "status": "open",
   "organization_id": 1, "created_at": "2026-03-01T08:00:00Z", "updated_at": "2026-03-01T08:00:00Z", "tags": []},
  {"id": 3, "subject": "emoji cut", "description": "half \ud83d emoji", "status": "open", "organization_id": 1,
   "created_at": "2026-03-01T08:00:00Z", "updated_at": "2026-03-01T08:00:00Z", "tags": []}
], "end_of_stream": true}
EOF
run imp import --source zendesk-tickets --rejects "$T/tickets.rej" "$T/tickets.json"
expect page_imported_whole \
	sh -c '[ "$1" -eq 0 ] && grep -qx ".*tickets.json: tickets: 3 read, 3 inserted, 0 updated, 0 unchanged, 0 rejected, 0 customers merged" "$2" &&
	       [ "$(wc -l <"$3")" -eq 1 ] && [ ! -s "$4" ]' _ "$rc" "$OUT" "$T/tickets.rej" "$ERR"
expect summary_says_replaced \
	grep -qxF '  4 characters PostgreSQL cannot store (\u0000, half a surrogate pair) replaced by U+FFFD: lines 2, 3' "$OUT"
check bodies_with_replacement \
	[ "$(body 1)|$(body 2)|$(body 3)" = "ok|log: <?><?> end|half <?> emoji" ]
run "$BATON_BIN" -d "dbname=$db" show acme.example
expect show_has_the_replacement sh -c '[ "$1" -eq 0 ] && grep -qF "pasted � log" "$2" && grep -qF "emoji cut" "$2" &&
                                       grep -qF " fine" "$2"' _ "$rc" "$OUT"

run imp import --source zendesk-tickets "$T/tickets.json"
expect same_page_unchanged_quiet \
	sh -c '[ "$1" -eq 0 ] && grep -q "3 read, 0 inserted, 0 updated, 3 unchanged, 0 rejected, 0 customers merged (no changes)" "$2" &&
	       ! grep -q "U+FFFD" "$2"' _ "$rc" "$OUT"

# A newer export of the same tickets updates them, and says it again; in JSON too.
sed 's/"updated_at": "2026-03-01T08:00:00Z"/"updated_at": "2026-03-02T08:00:00Z"/' "$T/tickets.json" >"$T/newer.json"
run imp import --format json --source zendesk-tickets "$T/newer.json"
expect json_summary_says_replaced sh -c '[ "$1" -eq 0 ] && python3 -c "
import json, sys
r = json.load(open(sys.argv[1]))[0]
assert (r[\"updated\"], r[\"replaced_characters\"], r[\"replaced_lines\"]) == (3, 4, [2, 3]), r
" "$2"' _ "$rc" "$OUT"
run imp import --format json --source zendesk-tickets "$T/newer.json"
expect json_summary_unchanged_quiet sh -c '[ "$1" -eq 0 ] && python3 -c "
import json, sys
r = json.load(open(sys.argv[1]))[0]
assert (r[\"unchanged\"], r[\"replaced_characters\"], r[\"replaced_lines\"]) == (3, 0, []), r
" "$2"' _ "$rc" "$OUT"

# --- which backslashes are escapes ------------------------------------------------
# (in the file as written: \\u0000 is a backslash and "u0000", \\\u0000 a
# backslash and a NUL; hex digits in either case; \U is no escape)
cat >"$T/edges.json" <<'EOF'
{"tickets": [
  {"id": 11, "subject": "e", "status": "open", "organization_id": 1, "description": "a\\u0000b"},
  {"id": 12, "subject": "e", "status": "open", "organization_id": 1, "description": "a\\\u0000b"},
  {"id": 13, "subject": "e", "status": "open", "organization_id": 1, "description": "a\\\\u0000b"},
  {"id": 14, "subject": "e", "status": "open", "organization_id": 1, "description": "\ud83d\ude00 and \uD83D\uDE00"},
  {"id": 15, "subject": "e", "status": "open", "organization_id": 1, "description": "x\ud83dy"},
  {"id": 16, "subject": "e", "status": "open", "organization_id": 1, "description": "x\uDC00y"},
  {"id": 17, "subject": "e", "status": "open", "organization_id": 1, "description": "\ud83d\ud83d\ude00"},
  {"id": 18, "subject": "e", "status": "open", "organization_id": 1, "description": "\\ud83d\udc00"},
  {"id": 19, "subject": "e", "status": "open", "organization_id": 1, "description": "x\ufffdy\u0000"},
  {"id": 20, "subject": "e", "status": "open", "organization_id": 1, "description": "\ud83d\u0041"}
], "end_of_stream": true}
EOF
run imp import --source zendesk-tickets "$T/edges.json"
expect edges_imported \
	sh -c '[ "$1" -eq 0 ] && grep -q "10 read, 10 inserted, 0 updated, 0 unchanged, 0 rejected" "$2" &&
	       grep -qxF "  7 characters PostgreSQL cannot store (\\u0000, half a surrogate pair) replaced by U+FFFD: lines 2, 5, 6, 7, 8, 9, 10" "$2"' \
	_ "$rc" "$OUT"
check escaped_backslash_is_no_escape [ "$(body 11)" = 'a\u0000b' ]
check odd_backslashes_escape [ "$(body 12)" = 'a\<?>b' ]
check even_backslashes_no_escape [ "$(body 13)" = 'a\\u0000b' ]
check surrogate_pairs_kept [ "$(body 14)" = '😀 and 😀' ]
check lone_high_replaced [ "$(body 15)" = 'x<?>y' ]
check lone_low_upper_case_replaced [ "$(body 16)" = 'x<?>y' ]
check high_before_pair_replaced [ "$(body 17)" = '<?>😀' ]
check low_after_text_replaced [ "$(body 18)" = '\ud83d<?>' ]
check own_replacement_char_kept [ "$(body 19)" = 'x<?>y<?>' ]
check high_before_other_escape [ "$(body 20)" = '<?>A' ]

# \U is not JSON: the page is refused, saying why and where, once.
printf '{"tickets": [\n  {"id": 30, "subject": "e", "status": "open", "organization_id": 1, "description": "x\\U0000"}\n]}\n' \
	>"$T/upper.json"
run imp import --source zendesk-tickets "$T/upper.json"
expect upper_u_is_no_escape \
	sh -c '[ "$1" -eq 1 ] && grep -qF "upper.json: the file is not a JSON document: Escape sequence \"\\U\" is invalid (line 2: " "$2" &&
	       [ "$(grep -c "nothing of it was imported" "$2")" -eq 1 ]' _ "$rc" "$ERR"
check upper_u_imported_nothing [ "$(sql "SELECT count(*) FROM import_record WHERE source_id = '30'")" = 0 ]
# An empty page (a second "-" after the first read standard input whole, a
# download that wrote nothing) says so, as an empty CSV file does.
printf ' \r\n\n' >"$T/blank.json"
run imp import --source zendesk-tickets "$T/blank.json" - </dev/null
expect empty_document_said \
	sh -c '[ "$1" -eq 1 ] && [ "$(grep -c ": the file is empty: a JSON document holds an object or an array of records$" "$2")" -eq 2 ] &&
	       grep -qF "blank.json: the file is empty" "$2"' _ "$rc" "$ERR"

# --- JSON Lines: the line imported with the replacement; a line that is not
# JSON still rejected as such ------------------------------------------------------
cat >"$T/jsonl.cfg" <<'EOF'
import: { sources = (
  { name = "t-orgs"; entity = "customers"; format = "csv"; system = "crm"; label = "T org";
    fields = { source_id = "id"; name = "name"; domains = "domain"; }; },
  { name = "t-tickets"; entity = "tickets"; format = "jsonl"; customer_source = "t-orgs";
    fields = { source_id = "id"; customer = "org"; subject = "subject"; body = "body"; status = "status"; }; }
); };
EOF
limp() { "$BATON_BIN" -c "$T/jsonl.cfg" -d "dbname=$db user=importer" "$@"; }
printf 'id,name,domain\n1,One,one.example\n' >"$T/orgs.csv"
run limp import --source t-orgs "$T/orgs.csv"
expect jsonl_orgs_imported sh -c '[ "$1" -eq 0 ] && grep -q "1 read, 1 inserted" "$2"' _ "$rc" "$OUT"
cat >"$T/t.jsonl" <<'EOF'
{"id": 1, "org": 1, "subject": "l-fine", "body": "ok", "status": "open"}
{"id": 2, "org": 1, "subject": "l-nul", "body": "log: \u0000 end", "status": "open"}
{"id": 3, "org": 1, "subject": "l-cut", "body": "half \ud83d", "status": "open"}
{"id": 4, "org": 1, "subject": "l-literal", "body": "a\\u0000b", "status": "open"}
{"id": 5, "org": 1, "subject": "l-upper", "body": "x\U0000y", "status": "open"}
{"id": 6, "org": 1, "subject": "l-broken", "body": x, "status": "open"}
EOF
run limp import --source t-tickets --rejects "$T/t.rej" "$T/t.jsonl"
expect jsonl_lines_imported_with_replacement \
	sh -c '[ "$1" -eq 0 ] && grep -q "6 read, 4 inserted, 0 updated, 0 unchanged, 2 rejected" "$2" &&
	       grep -qxF "  2 characters PostgreSQL cannot store (\\u0000, half a surrogate pair) replaced by U+FFFD: lines 2, 3" "$2"' \
	_ "$rc" "$OUT"
expect jsonl_not_json_still_rejected \
	sh -c 'grep -qF "t.jsonl,5,,\"not valid JSON: invalid input syntax for type json (Escape sequence \"\"\\U\"\" is invalid)\"," "$1" &&
	       grep -qF "t.jsonl,6,,\"not valid JSON: invalid input syntax for type json (Token \"\"x\"\" is invalid)\"," "$1" &&
	       [ "$(wc -l <"$1")" -eq 3 ]' _ "$T/t.rej"
check jsonl_bodies [ "$(sql "SELECT string_agg(replace(body, U&'\\FFFD', '<?>'), '|' ORDER BY subject) FROM ticket
                             WHERE subject LIKE 'l-%'")" = 'half <?>|ok|a\u0000b|log: <?> end' ]
run limp import --source t-tickets --rejects "$T/t.rej" "$T/t.jsonl"
expect jsonl_again_unchanged_quiet \
	sh -c '[ "$1" -eq 0 ] && grep -q "6 read, 0 inserted, 0 updated, 4 unchanged, 2 rejected, 0 customers merged (no changes)" "$2" &&
	       ! grep -q "U+FFFD" "$2"' _ "$rc" "$OUT"
# From a pipe every line is sent: the server finds them unchanged by their text.
run sh -c '"$1" -c "$2" -d "dbname=$3 user=importer" import --source t-tickets - <"$4"' _ "$BATON_BIN" "$T/jsonl.cfg" "$db" "$T/t.jsonl"
expect jsonl_piped_unchanged_quiet \
	sh -c '[ "$1" -eq 0 ] && grep -q "6 read, 0 inserted, 0 updated, 4 unchanged, 2 rejected" "$2" && ! grep -q "U+FFFD" "$2"' \
	_ "$rc" "$OUT"

# --- bytes that are not UTF-8 in a page: their records rejected as a JSON
# line's or a CSV row's are, the rest imported; a noncharacter the page
# has (U+FDD0, \ufdd1) is its text, imported as it is ------------------------------
t='"status": "open", "organization_id": 1'
{
	printf '{"tickets": [\n'
	printf '  {"id": 40, "subject": "bytes fine", %s},\n' "$t"
	printf '  {"id": 41, "subject": "caf\351", %s},\n' "$t"
	printf '  {"id": 42, "subject": "nul \000 byte", %s},\n' "$t"
	printf '  {"id": 43, "subject": "non\357\267\220char \\ufdd1", %s}\n' "$t"
	printf '], "end_of_stream": true}\n'
} >"$T/bytes.json"
run imp import --source zendesk-tickets --rejects "$T/bytes.rej" "$T/bytes.json"
expect bytes_records_rejected_page_imported \
	sh -c '[ "$1" -eq 0 ] && grep -q "4 read, 2 inserted, 0 updated, 0 unchanged, 2 rejected" "$2" && [ ! -s "$3" ]' \
	_ "$rc" "$OUT" "$ERR"
expect bytes_rejects_name_record_and_reason \
	sh -c 'sed -n 2p "$1" | grep -qF "bytes.json,2,,not valid UTF-8 text,\"{\"\"id\"\": 41, " &&
	       sed -n 2p "$1" | grep -qF "\"\"subject\"\": \"\"caf�\"\"" &&
	       sed -n 3p "$1" | grep -qF "bytes.json,3,,not valid UTF-8 text," && [ "$(wc -l <"$1")" -eq 3 ]' _ "$T/bytes.rej"
check noncharacters_of_the_page_kept \
	[ "$(sql "SELECT subject = U&'non\\FDD0char \\FDD1' FROM ticket t JOIN import_record r ON r.target_id = t.id
	          AND r.source = 'zendesk-tickets' AND r.source_id = '43'")" = t ]
# Outside any value the page is no JSON: refused, saying where, once.
{
	printf '{"tickets": [\n  {"id": 44, "subject": "outside", %s}\n' "$t"
	printf '],\377 "end_of_stream": true}\n'
} >"$T/outside.json"
run imp import --source zendesk-tickets "$T/outside.json"
expect bytes_outside_values_refused_once \
	sh -c '[ "$1" -eq 1 ] && grep -qxF "baton: $3: the file is not a JSON document: Token \"�\" is invalid (line 3: ],�...); the file is not valid UTF-8 text either (byte 3 of line 3)" "$2" &&
	       grep -qxF "baton: $3: nothing of it was imported" "$2" && [ "$(wc -l <"$2")" -eq 2 ]' _ "$rc" "$ERR" "$T/outside.json"
