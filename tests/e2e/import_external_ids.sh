#!/bin/sh
# A customer record's ids in other systems (migration 057): Zendesk's
# organization external_id, mapped in etc/baton-import.cfg as the CRM's id,
# joins the organization and the HubSpot company of that Record ID although
# they share no domain, whichever file comes first; the merge says "same id
# crm:ID"; the finder and `baton show crm:ID` find the customer; an id too
# long to keep rejects its record, naming the field, and a blank one is none;
# the same files again change nothing; a split of such a merge survives the
# next import; and a crosswalk (a billing system's customers with their CRM
# ids) gives the customer its billing id.
. "$BATON_ROOT/tests/lib/e2e.sh"
. "$BATON_ROOT/tests/lib/import.sh"

cli_files import_external_ids
db=$(newdb baton_schema) || { echo "FAIL import_external_ids: cannot create a test database"; exit 1; }
importer_role "$db"
CFG="$BATON_ROOT/etc/baton-import.cfg"
imp() { "$BATON_BIN" -c "$CFG" -d "dbname=$db user=importer" import "$@"; }
# ids_of WHERE: the customer's external ids, "system:id" sorted
ids_of() {
	sql "SELECT string_agg(system || ':' || external_id, ' ' ORDER BY system, external_id)
	     FROM customer_external_id WHERE customer_id = (SELECT id FROM customer WHERE $1)"
}
long=$(printf '%0201d' 7)

# Harbor: the organization first (no domain), then the company.  Quay: the
# company first, then the organization naming it by a JSON number.
cat >"$T/orgs.json" <<EOF
{"organizations": [
  {"id": 360010, "name": "Harbor Labs", "domain_names": [], "external_id": "9880",
   "updated_at": "2026-03-01T10:00:00Z"},
  {"id": 360011, "name": "Quay Support", "domain_names": ["quay-help.example"], "external_id": 9881,
   "updated_at": "2026-03-01T10:00:00Z"},
  {"id": 360012, "name": "Long Id Org", "domain_names": [], "external_id": "$long",
   "updated_at": "2026-03-01T10:00:00Z"},
  {"id": 360013, "name": "Blank Id Org", "domain_names": [], "external_id": "  ",
   "updated_at": "2026-03-01T10:00:00Z"}
], "end_of_stream": true}
EOF
{
	printf 'Record ID,Company name,Company Domain Name,Lifecycle Stage,Last Modified Date\r\n'
	printf '9881,Quay Co,quay.example,Customer,2026-03-02 09:00\r\n'
} >"$T/quay.csv"
{
	printf 'Record ID,Company name,Company Domain Name,Lifecycle Stage,Last Modified Date\r\n'
	printf '9880,Harbor Labs Inc,harbor.example,Customer,2026-03-02 09:00\r\n'
} >"$T/harbor.csv"

imported quay_company_first hubspot-companies "$T/quay.csv" "1 read, 1 inserted"
run imp --source zendesk-organizations --rejects "$T/rejects.csv" "$T/orgs.json"
expect orgs_imported_one_rejected \
	sh -c '[ "$1" -eq 0 ] && grep -q "4 read, 3 inserted, 0 updated, 0 unchanged, 1 rejected, 1 customer merged" "$2"' \
	_ "$rc" "$OUT"
check "the too long id is rejected, naming its field" \
	grep -q ',crm_id,longer than 200 characters,' "$T/rejects.csv"
check "the organization joins the company it names by id (a JSON number)" \
	[ "$(ids_of "domain = 'quay.example'")" = "crm:9881 helpdesk:360011" ]
check "a blank id is none" [ "$(ids_of "name = 'Blank Id Org'")" = "helpdesk:360013" ]
check "the organization first: it holds the company's id meanwhile" \
	[ "$(ids_of "name = 'Harbor Labs'")" = "crm:9880 helpdesk:360010" ]

imported harbor_company_joins hubspot-companies "$T/harbor.csv" "1 read, 1 inserted, 0 updated, 0 unchanged, 0 rejected, 1 customer merged"
check "one customer for Harbor, with both ids" \
	[ "$(sql "SELECT count(DISTINCT customer_id) FROM import_record WHERE source_id IN ('9880', '360010')")" = 1 ]
check "customers: Quay, Harbor, Blank Id Org" [ "$(sql "SELECT count(*) FROM customer")" = 3 ]
run "$BATON_BIN" -c "$CFG" -d "dbname=$db user=importer" merges --customer crm:9880
expect "the merge says: same id crm:9880" sh -c 'grep -q "same id crm:9880" "$1"' _ "$OUT"
run "$BATON_BIN" -d "dbname=$db" show crm:9880
expect "baton show crm:9880 opens Harbor" sh -c '[ "$1" -eq 0 ] && grep -q "Harbor Labs" "$2"' _ "$rc" "$OUT"

imported orgs_again zendesk-organizations "$T/orgs.json" "3 unchanged, 1 rejected, 0 customers merged"
imported harbor_again hubspot-companies "$T/harbor.csv" "1 unchanged, 0 rejected, 0 customers merged"

# A crosswalk: the billing system's customers with their CRM ids.
cat >"$T/billing.cfg" <<'EOF'
import: {
  sources = (
    { name = "billing-customers"; entity = "customers"; format = "csv"; system = "billing";
      label = "Billing"; fields = { source_id = "Customer"; name = "Name"; crm_id = "CRM ID"; }; }
  );
};
EOF
printf 'Customer,Name,CRM ID\ncus_H1,Harbor Labs,9880\n' >"$T/billing.csv"
run "$BATON_BIN" -c "$T/billing.cfg" -d "dbname=$db user=importer" import --source billing-customers "$T/billing.csv"
expect crosswalk_joins sh -c '[ "$1" -eq 0 ] && grep -q "1 read, 1 inserted, .*1 customer merged" "$2"' _ "$rc" "$OUT"
check "the crosswalk gives Harbor its billing id" \
	[ "$(ids_of "name = 'Harbor Labs' AND merged_into IS NULL")" = \
	  "billing:cus_H1 crm:9880 helpdesk:360010" ]

# Harbor's company was not the organization's after all: split, and it
# stays split when both export again.
merge=$(sql "SELECT id FROM customer_merge WHERE joined_source = 'hubspot-companies' AND joined_source_id = '9880'")
run "$BATON_BIN" -d "dbname=$db user=importer" split "$merge"
expect split_separates sh -c '[ "$1" -eq 0 ] && grep -q "separate customers" "$2"' _ "$rc" "$OUT"
check "the company takes its own id along" \
	[ "$(sql "SELECT r.customer_id = e.customer_id FROM import_record r, customer_external_id e
	          WHERE r.source = 'hubspot-companies' AND r.source_id = '9880'
	          AND (e.system, e.external_id) = ('crm', '9880')")" = t ]
sed 's/2026-03-01T10:00:00Z/2026-03-03T10:00:00Z/' "$T/orgs.json" >"$T/orgs2.json"
sed 's/2026-03-02 09:00/2026-03-03 09:00/; s/Harbor Labs Inc/Harbor Labs Incorporated/' "$T/harbor.csv" >"$T/harbor2.csv"
imported orgs_newer_after_split zendesk-organizations "$T/orgs2.json" "3 updated, 0 unchanged, 1 rejected, 0 customers merged"
imported harbor_newer_after_split hubspot-companies "$T/harbor2.csv" "1 updated, 0 unchanged, 0 rejected, 0 customers merged"
check "the split survives both exports" \
	[ "$(sql "SELECT count(DISTINCT customer_id) FROM import_record WHERE source_id IN ('9880', '360010')")" = 2 ]
