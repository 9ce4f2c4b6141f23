#!/bin/sh
# The configuration's shared domains count however they are written
# (Group-Mail.Example, www.holding.example.: 095); as written, they matched
# no address and joined the customers of everyone there.
. "$BATON_ROOT/tests/lib/e2e.sh"
. "$BATON_ROOT/tests/lib/import.sh"

cli_files import_shared_domains
CFG="$BATON_ROOT/etc/baton-import.cfg"

# Shared domains as a person writes them.
fresh_db import_shared_domains
hubspot_companies "$T/companies.csv"
sed 's/^  shared_domains = \[ \];/  shared_domains = [ "Group-Mail.Example", "www.holding.example." ];/' "$CFG" >"$T/shared.cfg"
expect shared_config_derived grep -q 'Group-Mail.Example' "$T/shared.cfg"
imported_with "$T/shared.cfg" companies_shared hubspot-companies "$T/companies.csv" "6 read, 6 inserted"
hubspot_contact 1 group-mail.example
hubspot_contact 2 group-mail.example
hubspot_contact 3 holding.example
hubspot_contact 4 holding.example
{ head -n 1 "$T/c1.csv"; for n in 1 2 3 4; do tail -n 1 "$T/c$n.csv"; done; } >"$T/shared.csv"
imported_with "$T/shared.cfg" shared_domains_join_nobody hubspot-contacts "$T/shared.csv" "4 inserted.* 0 customers merged"
expect shared_six_customers test "$(live_customers)" = 6

# An address at a shared domain is nobody's, however the domain is spelled
# (109: the shortcut that drops such addresses compared the domain as
# written, and they joined the companies of their contacts): the same
# address at the Punycode spelling of a shared "bücher-mail.example", as a
# URL's host (gmail.com/), and after a second www., each a contact of two
# companies, joins none of them.
fresh_db import_shared_domains
hubspot_companies "$T/companies.csv"
sed 's/^  shared_domains = \[ \];/  shared_domains = [ "bücher-mail.example" ];/' "$CFG" >"$T/idn.cfg"
expect shared_idn_config_derived grep -q 'bücher-mail.example' "$T/idn.cfg"
imported_with "$T/idn.cfg" companies_shared_idn hubspot-companies "$T/companies.csv" "6 read, 6 inserted"
{
	echo "Record ID,First Name,Last Name,Email,Associated Company IDs (Primary),Job Title,Last Modified Date"
	echo "205,Bo,Keeper,bo@xn--bcher-mail-9db.example,5,,2026-03-03 09:00"
	echo "206,Bo,Keeper,Bo@XN--BCHER-MAIL-9DB.example,6,,2026-03-03 09:00"
	echo "203,Al,Keeper,al@gmail.com/,3,,2026-03-03 09:00"
	echo "204,Al,Keeper,al@gmail.com/,4,,2026-03-03 09:00"
	echo "201,Cy,Keeper,cy@www.www.gmail.com,1,,2026-03-03 09:00"
	echo "202,Cy,Keeper,cy@www.www.gmail.com,2,,2026-03-03 09:00"
} >"$T/idn.csv"
imported_with "$T/idn.cfg" shared_spellings_join_nobody hubspot-contacts "$T/idn.csv" "6 inserted.* 0 customers merged"
expect shared_spellings_six_customers test "$(live_customers)" = 6
