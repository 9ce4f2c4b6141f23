#!/bin/sh
# The limit on how many customers an identifier joins (import_max_join, 3)
# holds across files as within one (095): six companies' consultant at
# consult.example, one contacts file each, joins the first three (under
# the limit, as three in one file would) and no more, saying so; the same
# for a placeholder CRM id ("0") in Zendesk organizations' external_id,
# one page each.  Six in one file join none.  The configuration's shared
# domains count however they are written (Group-Mail.Example,
# www.holding.example).
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

# Shared domains as a person writes them.
fresh
sed 's/^  shared_domains = \[ \];/  shared_domains = [ "Group-Mail.Example", "www.holding.example." ];/' "$CFG" >"$T/shared.cfg"
expect shared_config_derived grep -q 'Group-Mail.Example' "$T/shared.cfg"
imported_with "$T/shared.cfg" companies_shared hubspot-companies "$T/companies.csv" "6 read, 6 inserted"
contact 1 group-mail.example
contact 2 group-mail.example
contact 3 holding.example
contact 4 holding.example
{ head -n 1 "$T/c1.csv"; for n in 1 2 3 4; do tail -n 1 "$T/c$n.csv"; done; } >"$T/shared.csv"
imported_with "$T/shared.cfg" shared_domains_join_nobody hubspot-contacts "$T/shared.csv" "4 inserted.* 0 customers merged"
expect shared_six_customers test "$(customers)" = 6
