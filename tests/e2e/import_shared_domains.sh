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
