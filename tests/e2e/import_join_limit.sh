#!/bin/sh
# The limit on how many customers an identifier joins (import_max_join, 3)
# holds across files as within one (095): six companies' consultant at
# consult.example, one contacts file each, joins the first three (under
# the limit, as three in one file would) and no more, saying so; the same
# for a placeholder CRM id ("0") in Zendesk organizations' external_id,
# one page each.  Six in one file join none (097).  What joined a customer
# by another identifier does not count: three duplicate CRM companies, one
# customer by their domain, are still joined by an exact CRM id, and one
# CRM id named in four systems makes one customer.
. "$BATON_ROOT/tests/lib/e2e.sh"
. "$BATON_ROOT/tests/lib/import.sh"

cli_files import_join_limit
CFG="$BATON_ROOT/etc/baton-import.cfg"
companies() { # FILE: HubSpot companies 1..6 at clientN.example
	{
		echo "Record ID,Company name,Company Domain Name,Lifecycle Stage,Last Modified Date"
		for n in 1 2 3 4 5 6; do echo "$n,Client $n,client$n.example,Customer,2026-03-02 09:00"; done
	} >"$1"
}
contact() { # N DOMAIN: the contacts file of one person at DOMAIN, of company N
	printf 'Record ID,First Name,Last Name,Email,Associated Company IDs (Primary),Job Title,Last Modified Date\n10%s,Con,Sultant%s,c%s@%s,%s,,2026-03-03 09:00\n' \
		"$1" "$1" "$1" "$2" "$1" >"$T/c$1.csv"
}
customers() { sql "SELECT count(*) FROM customer WHERE merged_into IS NULL"; }
# fresh: a database of its own in $db (newdb in this shell: its count goes on)
fresh() {
	newdb baton_schema >"$T/db" || { echo "FAIL import_join_limit: cannot create a test database"; exit 1; }
	db=$(cat "$T/db")
	importer_role "$db"
}

fresh
companies "$T/companies.csv"
imported companies_imported hubspot-companies "$T/companies.csv" "6 read, 6 inserted"
for n in 1 2 3 4 5 6; do contact "$n" consult.example; done
imported first_contact_joins_nothing hubspot-contacts "$T/c1.csv" "1 inserted.* 0 customers merged"
imported second_file_joins hubspot-contacts "$T/c2.csv" "1 inserted.* 1 customer merged"
imported third_file_joins hubspot-contacts "$T/c3.csv" "1 inserted.* 1 customer merged"
imported fourth_file_over_the_limit hubspot-contacts "$T/c4.csv" "1 inserted.* 0 customers merged"
expect fourth_file_says_why grep -qF "not used to merge (shared by too many customers): domain consult.example (joins 4)" "$OUT"
imported fifth_file_over_the_limit hubspot-contacts "$T/c5.csv" "1 inserted.* 0 customers merged"
imported sixth_file_over_the_limit hubspot-contacts "$T/c6.csv" "1 inserted.* 0 customers merged"
expect first_three_one_customer test "$(customers)" = 4
expect merges_keep_their_keys test "$(sql "SELECT string_agg(array_to_string(keys, ' '), '|' ORDER BY at, id) FROM customer_merge")" = "domain:consult.example|domain:consult.example"
expect the_three_are_the_oldest test "$(sql "SELECT string_agg(c.name, ',' ORDER BY c.name) FROM customer c
	WHERE c.merged_into IS NULL AND c.id <> (SELECT min(id) FROM customer)")" = "Client 4,Client 5,Client 6"

# The same six in one file: none joined.
fresh
imported companies_again hubspot-companies "$T/companies.csv" "6 read, 6 inserted"
{ head -n 1 "$T/c1.csv"; for n in 1 2 3 4 5 6; do tail -n 1 "$T/c$n.csv"; done; } >"$T/all.csv"
imported one_file_joins_none hubspot-contacts "$T/all.csv" "6 inserted.* 0 customers merged"
expect one_file_says_joins_6 grep -qF "domain consult.example (joins 6)" "$OUT"
expect one_file_six_customers test "$(customers)" = 6

# A placeholder CRM id in Zendesk organizations' external_id, a page each.
fresh
for n in 1 2 3 4 5; do
	printf '{"organizations": [{"id": %s, "name": "Org %s", "domain_names": ["org%s.example"], "external_id": "0",\n "updated_at": "2026-03-01T10:00:00Z"}], "end_of_stream": true}\n' \
		"$n" "$n" "$n" >"$T/org$n.json"
done
imported org1_alone zendesk-organizations "$T/org1.json" "1 inserted.* 0 customers merged"
imported org2_joined_by_id zendesk-organizations "$T/org2.json" "1 customer merged"
imported org3_joined_by_id zendesk-organizations "$T/org3.json" "1 customer merged"
imported org4_over_the_limit zendesk-organizations "$T/org4.json" "1 inserted.* 0 customers merged"
expect org4_says_why grep -qF "ext crm:0 (joins 4)" "$OUT"
imported org5_over_the_limit zendesk-organizations "$T/org5.json" "1 inserted.* 0 customers merged"
expect orgs_three_customers test "$(customers)" = 3

# Three duplicate CRM records of one company, one customer by their domain:
# a Zendesk organization naming one of their ids still joins it.
fresh
printf 'Record ID,Company name,Company Domain Name,Lifecycle Stage,Last Modified Date\n' >"$T/dup.csv"
for n in 1 2 3; do echo "$n,Acme $n,acme.example,Customer,2026-03-02 09:00" >>"$T/dup.csv"; done
imported duplicates_one_customer hubspot-companies "$T/dup.csv" "3 inserted.* 2 customers merged"
printf '{"organizations": [{"id": 7, "name": "Acme Support", "domain_names": [], "external_id": "1",\n "updated_at": "2026-03-01T10:00:00Z"}], "end_of_stream": true}\n' >"$T/acme.json"
imported exact_id_joins_duplicates zendesk-organizations "$T/acme.json" "1 inserted.* 1 customer merged"
expect exact_id_not_reported sh -c '! grep -q "not used to merge" "$1"' _ "$OUT"
expect duplicates_and_org_one test "$(customers)" = 1

# One CRM id named by the helpdesk, billing and the marketing tool: the
# same company in four systems, one customer.
fresh
cat >"$T/four.cfg" <<'CFG'
import:
{
  sources = (
    { name = "crm"; entity = "customers"; format = "csv"; system = "crm";
      fields = { source_id = "id"; name = "name"; }; },
    { name = "desk"; entity = "customers"; format = "csv"; system = "helpdesk";
      fields = { source_id = "id"; name = "name"; crm_id = "crm"; }; },
    { name = "bills"; entity = "customers"; format = "csv"; system = "billing";
      fields = { source_id = "id"; name = "name"; crm_id = "crm"; }; },
    { name = "mail"; entity = "customers"; format = "csv"; system = "marketing";
      fields = { source_id = "id"; name = "name"; crm_id = "crm"; }; }
  );
};
CFG
printf 'id,name\n9,Acme\n' >"$T/crm.csv"
printf 'id,name,crm\n41,Acme Inc,9\n' >"$T/named.csv"
imported_with "$T/four.cfg" crm_record crm "$T/crm.csv" "1 inserted.* 0 customers merged"
imported_with "$T/four.cfg" helpdesk_names_it desk "$T/named.csv" "1 inserted.* 1 customer merged"
imported_with "$T/four.cfg" billing_names_it bills "$T/named.csv" "1 inserted.* 1 customer merged"
imported_with "$T/four.cfg" marketing_names_it mail "$T/named.csv" "1 inserted.* 1 customer merged"
expect four_systems_one_customer test "$(customers)" = 1

# The keys of merges recorded before 097, read back from their text.
expect keys_from_text test "$(sql "SELECT baton_merge_keys_of('same domain a.example, same id crm:1, same e-mail x@y.example')")" = "{domain:a.example,email:x@y.example,ext:crm:1}"
expect keys_from_empty_text test "$(sql "SELECT baton_merge_keys_of('')")" = "{}"
