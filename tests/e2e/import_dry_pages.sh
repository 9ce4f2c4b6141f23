#!/bin/sh
# baton import --dry-run of several pages of one export: each page is tried
# after the pages before it, as the real run will import it, so the second
# page's counts say it updates what the first inserted and joins its
# customers; a page that fails is left out and the next still sees the
# pages before it; nothing of the dry run stays; the real run then prints
# the same counts.  JSON documents (Zendesk pages) and CSV files (HubSpot
# exports, whose records the server matches by hash) both.
. "$BATON_ROOT/tests/lib/e2e.sh"
. "$BATON_ROOT/tests/lib/import.sh"

cli_files import_dry_pages
db=$(newdb baton_schema) || { echo "FAIL import_dry_pages: cannot create a test database"; exit 1; }
importer_role "$db"
CFG="$BATON_ROOT/etc/baton-import.cfg"
imp() { "$BATON_BIN" -c "$CFG" -d "dbname=$db user=importer" "$@"; }
# What the database holds that an import writes, as one line.
state() {
	sql "SELECT (SELECT count(*) FROM customer) || ' ' || (SELECT count(*) FROM import_record) || ' ' ||
	        (SELECT count(*) FROM import_run) || ' ' || (SELECT count(*) FROM customer_merge) || ' ' ||
	        (SELECT count(*) FROM baton_audit)"
}

# Page 1 inserts two organizations; page 2 is a later page of the same
# export: Acme again, renamed, and a new organization at Acme's domain.
cat >"$T/page1.json" <<'EOF'
{"organizations": [
  {"id": 1, "name": "Acme", "domain_names": ["acme.example"], "updated_at": "2026-03-01T10:00:00Z"},
  {"id": 2, "name": "Beta", "domain_names": ["beta.example"], "updated_at": "2026-03-01T10:00:00Z"}
], "next_page": "page2", "end_of_stream": false}
EOF
printf '{"organizations": [ {"id": 5, "name": \n' >"$T/broken.json"
cat >"$T/page2.json" <<'EOF'
{"organizations": [
  {"id": 1, "name": "Acme Corp", "domain_names": ["acme.example"], "updated_at": "2026-03-02T10:00:00Z"},
  {"id": 3, "name": "Acme EU", "domain_names": ["acme.example", "acme-eu.example"],
   "updated_at": "2026-03-02T10:00:00Z"}
], "end_of_stream": true}
EOF
before=$(state)
run imp import --dry-run --source zendesk-organizations "$T/page1.json" "$T/broken.json" "$T/page2.json"
cp "$OUT" "$T/dry.out"
expect dry_run_first_page sh -c '[ "$1" -eq 1 ] && grep -qx "would import $2: customers: 2 read, 2 inserted, 0 updated, 0 unchanged, 0 rejected, 0 customers merged" "$3"' \
	_ "$rc" "$T/page1.json" "$OUT"
expect dry_run_later_page_after_the_first \
	grep -qx "would import $T/page2.json: customers: 2 read, 1 inserted, 1 updated, 0 unchanged, 0 rejected, 1 customer merged" "$OUT"
expect dry_run_failed_page_said grep -q "broken.json: nothing of it was imported" "$ERR"
# Which customers it would merge, and by what: what a person checks before
# the real run (the counts alone said 1).
expect dry_run_says_what_it_would_merge sh -c 'grep -A1 -x "would import $1: customers: .* 1 customer merged" "$2" |
	tail -n 1 | grep -qx "  it would merge:" &&
	grep -qx "    Acme Corp ← Zendesk org 3 — same domain acme.example" "$2"' \
	_ "$T/page2.json" "$OUT"
check dry_run_leaves_nothing [ "$(state)" = "$before" ]

run imp import --dry-run --format json --source zendesk-organizations "$T/page1.json" "$T/page2.json"
expect dry_run_json_later_page sh -c '[ "$1" -eq 0 ] && python3 -c "
import json, sys
r = json.load(open(sys.argv[1]))
assert [(x[\"inserted\"], x[\"updated\"], x[\"merged\"]) for x in r] == [(2, 0, 0), (1, 1, 1)], r
assert [x[\"dry_run\"] for x in r] == [True, True], r
" "$2"' _ "$rc" "$OUT"
# A file the dry run could not import says it of a dry run too.
run imp import --dry-run --format json --source zendesk-organizations "$T/broken.json" "$T/page1.json"
expect dry_run_json_failed_page_is_of_the_dry_run sh -c '[ "$1" -eq 1 ] && python3 -c "
import json, sys
r = json.load(open(sys.argv[1]))
assert [(x[\"dry_run\"], \"error\" in x) for x in r] == [(True, True), (True, False)], r
" "$2"' _ "$rc" "$OUT"

# The real run of the same pages says what the dry run said, and names
# the run of the page that merged (141), which a dry run has none of.
run imp import --source zendesk-organizations "$T/page1.json" "$T/broken.json" "$T/page2.json"
sed 's/--run [0-9a-f-]\{36\} /--run RUN /g' "$OUT" >"$T/real.out"
sed -e 's/^would import //' -e '/^  it would merge:$/d' -e '/^    /d' -e '/page2.json: /a\
  its merges: baton merges --run RUN lists them, baton split --run RUN undoes them' "$T/dry.out" >"$T/dry.real"
expect real_run_as_the_dry_run_said sh -c '[ "$1" -eq 1 ] && cmp -s "$2" "$3"' _ "$rc" "$T/dry.real" "$T/real.out"
check real_run_wrote [ "$(sql "SELECT string_agg(name, ',' ORDER BY id) FROM customer WHERE merged_into IS NULL")" = \
	"Acme Corp,Beta" ]
run imp import --format json --source zendesk-organizations "$T/page1.json"
expect real_run_json_says_it_is_no_dry_run sh -c '[ "$1" -eq 0 ] && python3 -c "
import json, sys
r = json.load(open(sys.argv[1]))
assert [(x[\"dry_run\"], x[\"unchanged\"]) for x in r] == [(False, 2)], r
" "$2"' _ "$rc" "$OUT"

# CSV pages: the server matches a page's records by hash with those the
# source has, which, in a dry run, include the pages before it.
{
	printf 'Record ID,Company name,Company Domain Name,Lifecycle Stage,Last Modified Date\r\n'
	printf '701,Gamma,gamma.example,Customer,2026-03-02 09:00\r\n'
	printf '702,Delta,delta.example,Lead,2026-03-02 09:00\r\n'
} >"$T/companies1.csv"
{
	printf 'Record ID,Company name,Company Domain Name,Lifecycle Stage,Last Modified Date\r\n'
	printf '701,Gamma,gamma.example,Customer,2026-03-02 09:00\r\n'
	printf '702,Delta Inc,delta.example,Customer,2026-03-03 09:00\r\n'
	printf '703,Gamma Labs,https://www.gamma.example/,Lead,2026-03-03 09:00\r\n'
} >"$T/companies2.csv"
before=$(state)
run imp import --dry-run --source hubspot-companies "$T/companies1.csv" - <"$T/companies2.csv"
expect dry_run_csv_pages sh -c '[ "$1" -eq 0 ] &&
	grep -qx "would import $2: customers: 2 read, 2 inserted, 0 updated, 0 unchanged, 0 rejected, 0 customers merged" "$3" &&
	grep -qx "would import -: customers: 3 read, 1 inserted, 1 updated, 1 unchanged, 0 rejected, 1 customer merged" "$3"' \
	_ "$rc" "$T/companies1.csv" "$OUT"
check dry_run_csv_leaves_nothing [ "$(state)" = "$before" ]

# A contact of Beta at Acme Corp's domain makes the two one customer, Beta
# absorbed: listed by name (Beta's id is a real one here, but a customer
# the dry run made has none the real run will give it).  Its escape
# sequence is cleaned.
cat >"$T/bridge.json" <<'EOF2'
{"users": [{"id": 30, "name": "Lee", "email": "lee@acme.example", "organization_id": 2,
            "updated_at": "2026-03-01T10:00:00Z"}], "end_of_stream": true}
EOF2
sql "UPDATE customer SET name = 'Beta' || chr(27) || '[31m' WHERE name = 'Beta'" >/dev/null
before=$(state)
run imp import --dry-run --source zendesk-users "$T/bridge.json"
expect dry_run_lists_an_absorbed_customer_by_name sh -c '[ "$1" -eq 0 ] &&
	grep -qx "would import $2: contacts: 1 read, 1 inserted, 0 updated, 0 unchanged, 0 rejected, 1 customer merged" "$3" &&
	grep -qx "    Acme Corp ← Beta␛\[31m — same domain acme.example, from zendesk-users 30" "$3"' \
	_ "$rc" "$T/bridge.json" "$OUT"
check dry_run_absorption_leaves_nothing [ "$(state)" = "$before" ]
