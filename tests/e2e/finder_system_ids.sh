#!/bin/sh
# A customer's ids in other systems typed as SYSTEM:ID (migration 069), the
# form the screen lists them in and `baton show` takes: `baton find crm:ID`
# and `baton find helpdesk:ID` list the customer an import gave them, first
# (before a customer whose name starts with the text), as text and as JSON,
# and so does the console's finder; the same value in another system is no
# match, for the finder and `baton show` alike.  And SYSTEM:ID is the
# customer record of that system: after a split gave a Zendesk
# organization's claim to crm:77 back to it while HubSpot's record 77 stayed
# with the customer it had joined by that id, `baton show crm:77` and
# `baton find crm:77` both name the customer of record 77.
. "$BATON_ROOT/tests/lib/e2e.sh"
. "$BATON_ROOT/tests/lib/import.sh"

cli_files finder_system_ids
db=$(newdb baton_demo) || { echo "FAIL finder_system_ids: cannot create a test database"; exit 1; }
trap stop EXIT
importer_role "$db"
CFG="$BATON_ROOT/etc/baton-import.cfg"
AS_ANA="dbname=$db user=ana"
# home SOURCE ID: the customer of a source's record
home() { sql "SELECT customer_id FROM import_record WHERE source = '$1' AND source_id = '$2'"; }
# pgjson FILE EXPR: EXPR over the JSON in FILE (as jsonb "j"), by the server
pgjson() {
	printf '%s\n' "SELECT $2 FROM (SELECT :'j'::jsonb AS j) x;" |
		psql -X -At -v ON_ERROR_STOP=1 -d "$db" -v j="$(cat "$1")" 2>&1
}

# A Zendesk organization whose external_id is its CRM id (etc/baton-import.cfg).
cat >"$T/orgs.json" <<'EOF'
{"organizations": [{"id": 360001, "name": "Riverside Clinics", "domain_names": ["riverside.example"],
  "external_id": "9876", "updated_at": "2026-03-01T10:00:00Z"}], "end_of_stream": true}
EOF
imported riverside_imported zendesk-organizations "$T/orgs.json" "1 read, 1 inserted"
rv=$(home zendesk-organizations 360001)
sql "INSERT INTO customer (name) VALUES ('crm:9876 Partners')" >/dev/null

run "$BATON_BIN" -d "$AS_ANA" find crm:9876
expect "baton find crm:9876 lists Riverside first, as an external id" \
	sh -c '[ "$1" -eq 0 ] && head -n 1 "$2" | grep -q "^$3	Riverside Clinics	riverside.example	.*	external id\$"' \
	_ "$rc" "$OUT" "$rv"
expect "then the customer whose name starts with crm:9876" \
	sh -c '[ "$(wc -l <"$1")" -eq 2 ] && sed -n 2p "$1" | grep -q "	crm:9876 Partners	.*	name\$"' _ "$OUT"
run "$BATON_BIN" -d "$AS_ANA" find helpdesk:360001
expect "baton find helpdesk:360001 lists Riverside alone" \
	sh -c '[ "$1" -eq 0 ] && [ "$(wc -l <"$2")" -eq 1 ] && grep -q "^$3	Riverside Clinics	" "$2"' _ "$rc" "$OUT" "$rv"
run "$BATON_BIN" -d "$AS_ANA" find --format json crm:9876
find_json() {
	[ "$rc" -eq 0 ] &&
		[ "$(pgjson "$OUT" "j->0->>'id'")" = "$rv" ] &&
		[ "$(pgjson "$OUT" "j->0->>'name'")" = "Riverside Clinics" ] &&
		[ "$(pgjson "$OUT" "j->0->>'matched'")" = "external id" ] &&
		[ "$(pgjson "$OUT" "jsonb_array_length(j)")" = 2 ]
}
expect "baton find --format json crm:9876: Riverside first, matched \"external id\"" find_json

# 9876 is Riverside's CRM id, not its helpdesk id: neither finds it so.
run "$BATON_BIN" -d "$AS_ANA" find helpdesk:9876
expect "baton find helpdesk:9876 finds nothing" sh -c '[ "$1" -eq 1 ] && [ ! -s "$2" ]' _ "$rc" "$OUT"
run "$BATON_BIN" -d "$AS_ANA" show helpdesk:9876
expect "baton show helpdesk:9876 opens nothing either" \
	sh -c '[ "$1" -eq 1 ] && grep -q "no customer matches" "$2"' _ "$rc" "$ERR"

# The console's finder.
# field_empty: the Find field holds nothing
field_empty() { row 2 | grep -qE '^ *Find: *$'; }
start finder_system_ids 80 24 "$BATON_BIN" -d "'$AS_ANA'"
wait_state live 15
wait_for "Waiting for you and Support" 10
# (No part of either text, as it is typed, finds Riverside otherwise.)
type_text "helpdesk:360001"
check "console: 'helpdesk:360001' lists Riverside Clinics first" wait_row 3 "Riverside Clinics" 10
keys C-u
check "console: Ctrl-U empties the field and the list of matches" \
	eval 'wait_true 5 field_empty && wait_gone "Riverside Clinics" 10'
type_text "crm:9876"
check "console: 'crm:9876' lists Riverside Clinics first, then crm:9876 Partners" \
	eval 'wait_row 3 "Riverside Clinics" 10 && wait_row 4 "crm:9876 Partners" 10'
stop

# Yonder, then Zen, whose external_id says CRM 77.  A user of Zen's at
# yonder.example: Zen is absorbed into Yonder.  HubSpot's company 77 then
# joins Yonder by crm:77.  The absorption is split.
cat >"$T/yonder.json" <<'EOF'
{"organizations": [{"id": 360101, "name": "Yonder Freight", "domain_names": ["yonder.example"],
  "updated_at": "2026-03-01T10:00:00Z"}], "end_of_stream": true}
EOF
cat >"$T/zen.json" <<'EOF'
{"organizations": [{"id": 360102, "name": "Zen Parcel", "domain_names": ["zen-parcel.example"],
  "external_id": "77", "updated_at": "2026-03-01T10:00:00Z"}], "end_of_stream": true}
EOF
cat >"$T/users.json" <<'EOF'
{"users": [{"id": 71, "name": "Bo", "email": "bo@yonder.example", "organization_id": 360102,
  "updated_at": "2026-03-01T10:00:00Z"}], "end_of_stream": true}
EOF
printf 'Record ID,Company name,Company Domain Name,Lifecycle Stage,Last Modified Date\r\n77,Hub Seventy,h77.example,Customer,2026-03-02 09:00\r\n' >"$T/hub.csv"
imported yonder_imported zendesk-organizations "$T/yonder.json" "1 inserted"
imported zen_imported zendesk-organizations "$T/zen.json" "1 inserted"
imported zen_absorbed zendesk-users "$T/users.json" "1 customer merged"
imported company_joins_by_crm_77 hubspot-companies "$T/hub.csv" "1 inserted.*1 customer merged"
yonder=$(home zendesk-organizations 360101)
check "HubSpot's company 77 joined Yonder" [ "$(home hubspot-companies 77)" = "$yonder" ]
run "$BATON_BIN" -c "$CFG" -d "dbname=$db user=importer" split \
	"$(sql "SELECT id FROM customer_merge WHERE absorbed IS NOT NULL AND run_id IN
	        (SELECT id FROM import_run WHERE source = 'zendesk-users')")"
expect zen_split_off sh -c '[ "$1" -eq 0 ] && grep -q "separate customers" "$2"' _ "$rc" "$OUT"
zen=$(home zendesk-organizations 360102)
claim=$(sql "SELECT customer_id FROM customer_external_id WHERE (system, external_id) = ('crm', '77')")
check "the split gave Zen its claim to crm:77, record 77 stayed with Yonder" \
	sh -c '[ "$1" != "$2" ] && [ "$3" = "$2" ] && [ "$4" = "$1" ]' _ "$zen" "$yonder" \
	"$(home hubspot-companies 77)" "$claim"

run "$BATON_BIN" -d "$AS_ANA" show crm:77
expect "baton show crm:77 opens Yonder, the customer of HubSpot's record 77" \
	sh -c '[ "$1" -eq 0 ] && head -n 1 "$2" | grep -q "^Yonder Freight (yonder.example)  #$3\$"' _ "$rc" "$OUT" "$yonder"
run "$BATON_BIN" -d "$AS_ANA" find crm:77
expect "baton find crm:77 lists Yonder alone" \
	sh -c '[ "$1" -eq 0 ] && [ "$(wc -l <"$2")" -eq 1 ] && head -n 1 "$2" | grep -q "^$3	Yonder Freight	.*	external id\$"' \
	_ "$rc" "$OUT" "$yonder"
run "$BATON_BIN" -d "$AS_ANA" find helpdesk:360102
expect "baton find helpdesk:360102 lists Zen" sh -c '[ "$1" -eq 0 ] && grep -q "^$2	Zen Parcel	" "$3"' _ "$rc" "$zen" "$OUT"
