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

# Baton's own list has the providers' domains in every country (133): people
# at hotmail.de, yahoo.es and live.co.uk, two companies each, join none of
# them (010's list had gmail.com but none of these, and a review saw two
# Zendesk organisations become one customer by hotmail.de).
fresh_db import_shared_domains
hubspot_companies "$T/companies.csv"
imported companies_country_free_mail hubspot-companies "$T/companies.csv" "6 read, 6 inserted"
n=0
for d in hotmail.de hotmail.de yahoo.es yahoo.es live.co.uk live.co.uk; do
	n=$((n + 1))
	hubspot_contact $n $d
done
{ head -n 1 "$T/c1.csv"; for n in 1 2 3 4 5 6; do tail -n 1 "$T/c$n.csv"; done; } >"$T/country.csv"
imported country_free_mail_joins_nobody hubspot-contacts "$T/country.csv" "6 inserted.* 0 customers merged"
expect country_free_mail_six_customers test "$(live_customers)" = 6

# A group's common mail domain is added by an administrator, for every
# client, in the database: merges it made before stay, and baton doctor
# names them until they are split; the next import joins nobody by it.
fresh_db import_shared_domains
hubspot_companies "$T/companies.csv"
imported companies_admin_shared hubspot-companies "$T/companies.csv" "6 read, 6 inserted"
hubspot_contact 1 group-mail.example
hubspot_contact 2 group-mail.example
{ head -n 1 "$T/c1.csv"; tail -n 1 "$T/c2.csv"; } >"$T/g12.csv"
imported group_domain_joins_before_it_is_shared hubspot-contacts "$T/c1.csv" "1 inserted"
imported group_domain_merge_before_it_is_shared hubspot-contacts "$T/g12.csv" "1 customer merged"
run "$BATON_BIN" -c "$CFG" -d "dbname=$db" doctor
expect doctor_silent_while_the_domain_is_not_shared \
	sh -c '! grep -q "made only by a shared domain" "$1"' _ "$OUT"
run "$BATON_BIN" -d "dbname=$db user=importer" settings shared-domain add group-mail.example
expect shared_domain_add_needs_an_administrator \
	sh -c '[ "$1" -eq 1 ] && [ "$2" = 0 ]' _ "$rc" \
	"$(sql "SELECT count(*) FROM baton_shared_domain WHERE domain = 'group-mail.example'")"
run "$BATON_BIN" -d "dbname=$db" settings shared-domain add "https://www.Group-Mail.Example/"
expect admin_adds_a_shared_domain_in_any_spelling \
	sh -c '[ "$1" -eq 0 ] && grep -q "added" "$2" && [ "$3" = "group-mail.example:false" ]' _ "$rc" "$OUT" \
	"$(sql "SELECT string_agg(domain || ':' || builtin, ' ') FROM baton_shared_domain WHERE domain LIKE 'group%'")"
run "$BATON_BIN" -d "dbname=$db" settings shared-domain add group-mail.example
expect shared_domain_added_twice_changes_nothing sh -c '[ "$1" -eq 0 ] && grep -q "was already there" "$2"' _ "$rc" "$OUT"
run "$BATON_BIN" -d "dbname=$db" settings shared-domain add localhost
expect shared_domain_must_be_a_domain \
	sh -c '[ "$1" -eq 1 ] && grep -q "a shared domain is a domain name like mail.example" "$2"' _ "$rc" "$ERR"
run "$BATON_BIN" -d "dbname=$db" settings show
expect settings_show_lists_the_added_domain \
	sh -c 'grep -qE "^shared_domains +[0-9]{3} built in; added: group-mail.example$" "$1"' _ "$OUT"
run "$BATON_BIN" -d "dbname=$db" settings show --format json
expect settings_json_lists_the_added_domain sh -c '[ "$1" -eq 0 ] && python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))[\"shared_domains\"]
assert d[\"added\"] == [\"group-mail.example\"] and d[\"built_in\"] > 300, d
" "$2"' _ "$rc" "$OUT"
run "$BATON_BIN" -c "$CFG" -d "dbname=$db" doctor
expect doctor_names_the_merge_a_shared_domain_made \
	sh -c '[ "$(grep -c "made only by a shared domain" "$1")" = 1 ] &&
	       grep -q "^warn import .*1 merge was made only by a shared domain (group-mail.example)" "$1"' _ "$OUT"
hubspot_contact 3 group-mail.example
hubspot_contact 4 group-mail.example
{ head -n 1 "$T/c3.csv"; tail -n 1 "$T/c3.csv"; tail -n 1 "$T/c4.csv"; } >"$T/g34.csv"
imported admin_shared_domain_joins_nobody hubspot-contacts "$T/g34.csv" "2 inserted.* 0 customers merged"
run "$BATON_BIN" -c "$CFG" -d "dbname=$db user=importer" split "$(sql "SELECT id FROM customer_merge")"
expect group_merge_split sh -c '[ "$1" -eq 0 ]' _ "$rc"
run "$BATON_BIN" -c "$CFG" -d "dbname=$db" doctor
expect doctor_silent_once_the_merge_is_split \
	sh -c '! grep -q "made only by a shared domain" "$1"' _ "$OUT"
run "$BATON_BIN" -d "dbname=$db" settings shared-domain remove group-mail.example
expect admin_removes_a_shared_domain sh -c '[ "$1" -eq 0 ] && grep -q "removed" "$2"' _ "$rc" "$OUT"
# A merge that an id made too is not one only a shared domain made: doctor
# counts only those whose every identifier is shared.
cid=$(sql "SELECT min(id) FROM customer WHERE merged_into IS NULL")
sql "INSERT INTO customer_merge (customer_id, joined_source, joined_source_id, identifiers, evidence)
     VALUES ($cid, 'hubspot-companies', 'x1', 'same domain gmail.com, same id crm:77', '{}')" >/dev/null
run "$BATON_BIN" -c "$CFG" -d "dbname=$db" doctor
expect doctor_counts_no_merge_an_id_made_too \
	sh -c '! grep -q "made only by a shared domain" "$1"' _ "$OUT"
sql "INSERT INTO customer_merge (customer_id, joined_source, joined_source_id, identifiers, evidence)
     VALUES ($cid, 'hubspot-companies', 'x2', 'same domain gmail.com, same e-mail ann@yahoo.es', '{}')" >/dev/null
run "$BATON_BIN" -c "$CFG" -d "dbname=$db" doctor
expect doctor_counts_a_merge_of_shared_domain_and_address \
	sh -c 'grep -q "^warn import .*1 merge was made only by a shared domain (gmail.com" "$1"' _ "$OUT"
