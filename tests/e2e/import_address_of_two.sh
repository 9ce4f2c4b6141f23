#!/bin/sh
# An address that contacts of two customers hold finds neither (migration
# 147): a marketing send to it, a user with it and no organization, are
# rejected, naming both customers, where the oldest contact's customer took
# them.  Contacts of one customer sharing an address still find it, in any
# case of the address.
. "$BATON_ROOT/tests/lib/e2e.sh"
. "$BATON_ROOT/tests/lib/import.sh"

cli_files import_address_of_two
db=$(newdb baton_schema) || { echo "FAIL import_address_of_two: cannot create a test database"; exit 1; }
importer_role "$db"
CFG="$BATON_ROOT/etc/baton-import.cfg"
imp() { "$BATON_BIN" -c "$CFG" -d "dbname=$db user=importer" "$@"; }
id_of() { sql "SELECT id FROM customer WHERE name = '$1'"; }

cat >"$T/orgs.json" <<'EOF2'
{"organizations": [
  {"id": 1, "name": "Acme", "domain_names": ["acme.example"], "updated_at": "2026-03-01T10:00:00Z"},
  {"id": 2, "name": "Bolt", "domain_names": ["bolt.example"], "updated_at": "2026-03-01T10:00:00Z"}
], "end_of_stream": true}
EOF2
imported orgs_imported zendesk-organizations "$T/orgs.json" "2 read, 2 inserted"
# Sam, a consultant, is a contact of both; Kim twice of Bolt's.
cat >"$T/users.json" <<'EOF2'
{"users": [
  {"id": 10, "name": "Sam", "email": "sam@outlook.com", "organization_id": 2, "updated_at": "2026-03-01T10:00:00Z"},
  {"id": 11, "name": "Sam", "email": "SAM@outlook.com", "organization_id": 1, "updated_at": "2026-03-01T10:00:00Z"},
  {"id": 12, "name": "Kim", "email": "kim@outlook.com", "organization_id": 2, "updated_at": "2026-03-01T10:00:00Z"},
  {"id": 13, "name": "Kim B.", "email": "kim@outlook.com", "organization_id": 2, "updated_at": "2026-03-01T10:00:00Z"}
], "end_of_stream": true}
EOF2
imported users_imported zendesk-users "$T/users.json" "4 read, 4 inserted"
acme=$(id_of Acme) bolt=$(id_of Bolt)

printf 'Event ID,Recipient,Email Name,Email Type,Sent At\ne1,sam@outlook.com,Spring,Upsell,2026-03-02 09:00\ne2,Kim@Outlook.com,Spring,Upsell,2026-03-02 09:00\n' \
	>"$T/sends.csv"
run imp import --source hubspot-email-sends --rejects "$T/sends.rej" "$T/sends.csv"
expect sends_one_in_one_rejected \
	sh -c '[ "$1" -eq 0 ] && grep -q "2 read, 1 inserted, 0 updated, 0 unchanged, 1 rejected" "$2"' _ "$rc" "$OUT"
check "a send to an address of two customers' contacts is rejected, naming both" \
	grep -qF "sends.csv,2,email,\"the address \"\"sam@outlook.com\"\" is a contact's at more than one customer (#$acme, #$bolt)\"" \
	"$T/sends.rej"
check "no send went to either customer for that address" \
	[ "$(sql "SELECT count(*) FROM marketing_event e JOIN import_record r ON r.target_id = e.id
	          WHERE r.source = 'hubspot-email-sends' AND r.source_id = 'e1'")" = 0 ]
check "a send to an address of one customer's two contacts is that customer's" \
	[ "$(sql "SELECT r.customer_id FROM import_record r WHERE r.source = 'hubspot-email-sends' AND r.source_id = 'e2'")" = "$bolt" ]

cat >"$T/loose.json" <<'EOF2'
{"users": [{"id": 20, "name": "Sam again", "email": "sam@outlook.com", "updated_at": "2026-03-01T10:00:00Z"},
           {"id": 21, "name": "Ann", "email": "ann@acme.example", "updated_at": "2026-03-01T10:00:00Z"}],
 "end_of_stream": true}
EOF2
run imp import --source zendesk-users --rejects "$T/loose.rej" "$T/loose.json"
expect loose_user_rejected \
	sh -c '[ "$1" -eq 0 ] && grep -q "2 read, 1 inserted, 0 updated, 0 unchanged, 1 rejected" "$2"' _ "$rc" "$OUT"
check "a user without an organization at that address is rejected, naming both" \
	grep -qF "is a contact's at more than one customer (#$acme, #$bolt)" "$T/loose.rej"
