#!/bin/sh
# The configuration's shared domains count however they are written
# (Group-Mail.Example, www.holding.example.: 095); as written, they matched
# no address and joined the customers of everyone there.
. "$BATON_ROOT/tests/lib/e2e.sh"
. "$BATON_ROOT/tests/lib/import.sh"

cli_files import_shared_domains
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
	newdb baton_schema >"$T/db" || { echo "FAIL import_shared_domains: cannot create a test database"; exit 1; }
	db=$(cat "$T/db")
	importer_role "$db"
}

# Shared domains as a person writes them.
fresh
companies "$T/companies.csv"
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
