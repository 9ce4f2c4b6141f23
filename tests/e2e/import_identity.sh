#!/bin/sh
# baton import's identity resolution, with the ready mappings of
# etc/baton-import.cfg and small files made here:
#  - a Zendesk organization and a HubSpot company with the same domain (as a
#    URL, in capitals) become one customer that has both ids, and the
#    evidence is shown by baton show and baton merges;
#  - two contacts at a free-mail provider never merge their companies, not
#    even with one address (a freelancer working for both), while
#    two at the same company domain do;
#  - an address written "Name" <address> is at its address's domain, as a
#    plain one is (and one at free mail still joins no one);
#  - an identifier that more customers share than import_max_join is not
#    followed, and the run says so;
#  - a split survives the next import of the same files;
#  - a customer that joins another by a newer export of its record is one
#    merge, counted and listed once, and its split leaves none unsplit;
#  - ordinary staff cannot import.
. "$BATON_ROOT/tests/lib/e2e.sh"
. "$BATON_ROOT/tests/lib/import.sh"

cli_files import_identity
db=$(newdb baton_schema) || { echo "FAIL import_identity: cannot create a test database"; exit 1; }
importer_role "$db"
CFG="$BATON_ROOT/etc/baton-import.cfg"
imp() { "$BATON_BIN" -c "$CFG" -d "dbname=$db user=importer" "$@"; }

cat >"$T/orgs.json" <<'EOF'
{"organizations": [
  {"id": 360001, "name": "Northwind Health", "domain_names": ["nwh.example"], "external_id": null,
   "updated_at": "2026-03-01T10:00:00Z"},
  {"id": 360002, "name": "Blue Fjord AB", "domain_names": [], "updated_at": "2026-03-01T10:00:00Z"}
], "after_cursor": "xyz", "end_of_stream": true}
EOF
{
	printf 'Record ID,Company name,Company Domain Name,Lifecycle Stage,Last Modified Date\r\n'
	printf '9876,Northwind (CRM),https://WWW.NWH.example./about,Customer,2026-03-02 09:00\r\n'
	printf '9877,Freelancer A,,Lead,2026-03-02 09:00\r\n'
	printf '9878,Freelancer B,,Lead,2026-03-02 09:00\r\n'
	printf '9879,Fjord CRM,,Customer,2026-03-02 09:00\r\n'
} >"$T/companies.csv"

run imp import --source zendesk-organizations "$T/orgs.json"
expect zendesk_orgs_imported sh -c '[ "$1" -eq 0 ] && grep -q "2 read, 2 inserted" "$2"' _ "$rc" "$OUT"
run imp import --source hubspot-companies "$T/companies.csv"
expect hubspot_company_joins_by_domain \
	sh -c '[ "$1" -eq 0 ] && grep -q "4 read, 4 inserted, 0 updated, 0 unchanged, 0 rejected, 1 customer merged" "$2"' \
	_ "$rc" "$OUT"
check one_customer_with_both_ids \
	[ "$(sql "SELECT string_agg(system || ':' || external_id, ' ' ORDER BY system) FROM customer_external_id
	          WHERE customer_id = (SELECT id FROM customer WHERE domain = 'nwh.example')")" = "crm:9876 helpdesk:360001" ]
check five_customers_not_six [ "$(sql "SELECT count(*) FROM customer")" = 5 ]

run "$BATON_BIN" -d "dbname=$db" show nwh.example
expect show_says_also_with_evidence \
	grep -qx "Also: HubSpot 9876, Zendesk org 360001 — same domain nwh.example" "$OUT"
run imp merges --customer nwh.example
expect merges_lists_the_evidence \
	sh -c '[ "$1" -eq 0 ] && grep -q "Northwind Health ← HubSpot 9876 — same domain nwh.example" "$2"' _ "$rc" "$OUT"

# --- contacts: free mail never joins, a company domain does ---------------------
{
	printf 'Record ID,First Name,Last Name,Email,Associated Company IDs (Primary),Job Title\n'
	printf '501,Ann,A,ann.a@gmail.com,9877,\n'
	printf '502,Bob,B,bob.b@gmail.com,9878,\n'
	printf '503,Cia,C,cia@fjord.example,9879,CTO\n'
	printf '504,Eve,E,eve@gmail.com,9876,\n'
	printf '505,Ann,A,Ann.A@gmail.com,9878,Bookkeeper\n'
} >"$T/contacts.csv"
cat >"$T/users.json" <<'EOF'
{"users": [{"id": 71, "name": "Dag", "email": "dag@fjord.example", "organization_id": 360002,
            "updated_at": "2026-03-01T10:00:00Z"}], "end_of_stream": true}
EOF
run imp import --source hubspot-contacts "$T/contacts.csv"
expect hubspot_contacts_imported sh -c '[ "$1" -eq 0 ] && grep -q "5 read, 5 inserted" "$2"' _ "$rc" "$OUT"
check free_mail_never_merges_companies \
	[ "$(sql "SELECT count(*) FROM customer WHERE name LIKE 'Freelancer%' AND merged_into IS NULL")" = 2 ]
run imp import --source zendesk-users "$T/users.json"
expect same_company_domain_merges_customers \
	sh -c '[ "$1" -eq 0 ] && grep -q "1 customer merged" "$2"' _ "$rc" "$OUT"
fjord=$(sql "SELECT id FROM customer WHERE name = 'Blue Fjord AB'")
check oldest_customer_survives_with_both_contacts \
	[ "$(sql "SELECT string_agg(email, ' ' ORDER BY email) FROM contact WHERE customer_id = $fjord")" = \
	  "cia@fjord.example dag@fjord.example" ]
check absorbed_customer_points_at_survivor \
	[ "$(sql "SELECT merged_into FROM customer WHERE name = 'Fjord CRM'")" = "$fjord" ]
# The merge names the file's record its identifier came from: Zendesk user
# 71 (the organisations' records, which the evidence lists, have no domain).
run imp merges --customer "$fjord"
expect merge_names_the_record_that_joined_them \
	sh -c '[ "$1" -eq 0 ] && grep -q "Blue Fjord AB ← #[0-9]* Fjord CRM — same domain fjord.example, from zendesk-users 71$" "$2"' \
	_ "$rc" "$OUT"

# --- split, and it stays split -----------------------------------------------------
# The HubSpot company gave Northwind the lifecycle Zendesk does not map.
check joined_record_fills_lifecycle \
	[ "$(sql "SELECT lifecycle FROM customer WHERE domain = 'nwh.example'")" = established ]
merge=$(sql "SELECT id FROM customer_merge WHERE joined_source_id = '9876'")
run imp split "$merge"
expect split_separates sh -c '[ "$1" -eq 0 ] && grep -q "separate customers" "$2"' _ "$rc" "$OUT"
check split_gives_the_record_its_own_customer \
	[ "$(sql "SELECT count(DISTINCT customer_id) FROM import_record WHERE source_id IN ('9876', '360001')")" = 2 ]
# What came through the record (HubSpot 9876's contact) goes with it.
check split_takes_the_records_contact_along \
	[ "$(sql "SELECT c.customer_id = r.customer_id AND c.customer_id = i.customer_id FROM contact c,
	          import_record r, import_record i WHERE c.email = 'eve@gmail.com' AND r.source = 'hubspot-companies'
	          AND r.source_id = '9876' AND i.source = 'hubspot-contacts' AND i.source_id = '504'")" = t ]
# The customer it left has the lifecycle it had before the record joined
# (no source of its own maps one).
check split_gives_back_the_fields_the_record_filled \
	[ "$(sql "SELECT c.name || ' / ' || c.lifecycle FROM customer c JOIN import_record r ON r.customer_id = c.id
	          WHERE r.source = 'zendesk-organizations' AND r.source_id = '360001'")" = "Northwind Health / onboarding" ]
# Its customer has the fields the record gave ("Customer": established),
# not the table's defaults (onboarding) until its source's next file.
check split_off_customer_has_the_records_fields \
	[ "$(sql "SELECT c.name || ' / ' || c.lifecycle FROM customer c JOIN import_record r ON r.customer_id = c.id
	          WHERE r.source = 'hubspot-companies' AND r.source_id = '9876'")" = "Northwind (CRM) / established" ]
printf 'Record ID,Company name,Company Domain Name,Lifecycle Stage,Last Modified Date\n9876,Northwind (CRM) renamed,nwh.example,Customer,2026-03-05 09:00\n' \
	>"$T/companies2.csv"
run imp import --source hubspot-companies "$T/companies2.csv"
expect reimport_after_split_updates_without_merging \
	sh -c '[ "$1" -eq 0 ] && grep -q "1 read, 0 inserted, 1 updated, 0 unchanged, 0 rejected, 0 customers merged" "$2"' \
	_ "$rc" "$OUT"
check split_survives_reimport \
	[ "$(sql "SELECT count(DISTINCT customer_id) FROM import_record WHERE source_id IN ('9876', '360001')")" = 2 ]
run imp merges --customer nwh.example
expect merges_marks_the_split sh -c 'grep -q "\[split " "$1"' _ "$OUT"
apart=$(sql "SELECT customer_id FROM import_record WHERE source = 'hubspot-companies' AND source_id = '9876'")
run imp merges --customer "$apart"
expect split_off_customer_lists_the_split_merge \
	sh -c '[ "$1" -eq 0 ] && grep -q "\[split " "$2" && grep -q "9876" "$2"' _ "$rc" "$OUT"

# --- an identifier too many customers share is not followed -----------------------
{
	printf 'Record ID,Company name,Company Domain Name,Lifecycle Stage,Last Modified Date\n'
	for i in 1 2 3 4; do printf '70%s,Reseller client %s,reseller.example,Customer,\n' "$i" "$i"; done
} >"$T/resold.csv"
run imp import --source hubspot-companies "$T/resold.csv"
expect too_shared_identifier_reported \
	sh -c '[ "$1" -eq 0 ] && grep -q "0 customers merged" "$2" &&
	       grep -q "not used to merge .*domain reseller.example (joins 4)" "$2"' _ "$rc" "$OUT"
check too_shared_identifier_not_followed \
	[ "$(sql "SELECT count(*) FROM customer WHERE name LIKE 'Reseller client%'")" = 4 ]
# The same, a record a file (daily incremental exports): the first three
# join (import_max_join is 3), the fourth and fifth are not joined by it,
# although the three are one customer by then (060).
for i in 1 2 3 4 5; do
	printf 'Record ID,Company name,Company Domain Name,Lifecycle Stage,Last Modified Date\n71%s,Hosted client %s,hosting.example,Customer,\n' \
		"$i" "$i" >"$T/hosted$i.csv"
	run imp import --source hubspot-companies "$T/hosted$i.csv"
	expect "hosted_client_${i}_imported" sh -c '[ "$1" -eq 0 ]' _ "$rc"
done
expect too_shared_identifier_reported_file_by_file \
	sh -c '[ "$1" -eq 0 ] && grep -q "0 customers merged" "$2" &&
	       grep -q "not used to merge .*domain hosting.example (joins 5)" "$2" &&
	       grep -q "what these joined in earlier files, if anything, stays joined: baton merges lists it, baton split undoes it" "$2"' \
	_ "$rc" "$OUT"
check too_shared_identifier_not_followed_file_by_file \
	[ "$(sql "SELECT count(*) FROM customer WHERE name LIKE 'Hosted client%' AND merged_into IS NULL")" = 3 ]

# One company in four systems is one holder of its domain, not four: a
# fourth system's record of it still joins (import_max_join is 3).
cat >"$T/four.cfg" <<'EOF'
import: { sources = (
  { name = "sys-a"; entity = "customers"; format = "csv"; system = "crm"; fields = { source_id = "id"; name = "name"; domains = "domain"; }; },
  { name = "sys-b"; entity = "customers"; format = "csv"; system = "helpdesk"; fields = { source_id = "id"; name = "name"; domains = "domain"; }; },
  { name = "sys-c"; entity = "customers"; format = "csv"; system = "billing"; fields = { source_id = "id"; name = "name"; domains = "domain"; }; },
  { name = "sys-d"; entity = "customers"; format = "csv"; system = "marketing"; fields = { source_id = "id"; name = "name"; domains = "domain"; }; }
); };
EOF
printf 'id,name,domain\n1,Acme Four,acme-four.example\n' >"$T/acme-four.csv"
for s in a b c d; do
	run "$BATON_BIN" -c "$T/four.cfg" -d "dbname=$db user=importer" import --source "sys-$s" "$T/acme-four.csv"
	expect "acme_four_in_sys_$s" sh -c '[ "$1" -eq 0 ] && ! grep -q "not used" "$2"' _ "$rc" "$OUT"
done
check one_company_in_four_systems_is_one_customer \
	[ "$(sql "SELECT count(*) FROM customer WHERE name = 'Acme Four' AND merged_into IS NULL")" = 1 ]

# --- an address as mail clients export it: "Name" <address> -------------------------
# It is at its address's domain (066): it finds the customer at acme.example
# and joins another company to it as the plain address does, and one at a
# free-mail domain still joins no one.
{
	printf 'Record ID,Company name,Company Domain Name,Lifecycle Stage,Last Modified Date\n'
	printf '9890,Acme Corp,acme.example,Customer,\n'
	printf '9891,Acme (old CRM entry),,Customer,\n'
	printf '9892,Acme (another entry),,Customer,\n'
} >"$T/acme.csv"
imported acme_companies_imported hubspot-companies "$T/acme.csv" "3 read, 3 inserted"
acme=$(sql "SELECT id FROM customer WHERE domain = 'acme.example'")
{
	printf 'Record ID,First Name,Last Name,Email,Associated Company IDs (Primary),Job Title\n'
	printf '601,Ann,Lee,"""Ann Lee"" <ann@acme.example>",,\n'
	printf '602,Ben,Plain,ben@acme.example,,\n'
	printf '603,Cy,Lee,Cy Lee <cy@Acme.Example>,9891,\n'
	printf '604,Di,Plain,di@acme.example,9892,\n'
	printf '605,Bo,Keeper,"""Bo Keeper"" <bo.keeper@gmail.com>",9877,\n'
	printf '606,Bo,Keeper,"""Bo Keeper"" <bo.keeper@gmail.com>",9878,\n'
} >"$T/acme-contacts.csv"
imported bracketed_contacts_imported hubspot-contacts "$T/acme-contacts.csv" \
	"6 read, 6 inserted, 0 updated, 0 unchanged, 0 rejected, 2 customers merged"
check bracketed_address_finds_the_customer_at_its_domain \
	[ "$(sql "SELECT string_agg(name, ', ' ORDER BY name) FROM contact WHERE customer_id = $acme")" = \
	  "Ann Lee, Ben Plain, Cy Lee, Di Plain" ]
check bracketed_address_stored_as_the_address \
	[ "$(sql "SELECT string_agg(email, ' ' ORDER BY name) FROM contact WHERE customer_id = $acme")" = \
	  "ann@acme.example ben@acme.example cy@Acme.Example di@acme.example" ]
check bracketed_address_joins_as_a_plain_one_does \
	[ "$(sql "SELECT string_agg(name || ':' || (merged_into = $acme)::text, ' ' ORDER BY name)
	          FROM customer WHERE name LIKE 'Acme (%'")" = "Acme (another entry):true Acme (old CRM entry):true" ]
check bracketed_free_mail_address_joins_no_one \
	[ "$(sql "SELECT count(*) FROM customer WHERE name LIKE 'Freelancer%' AND merged_into IS NULL")" = 2 ]
printf 'Record ID,First Name,Last Name,Email,Associated Company IDs (Primary),Job Title\n607,Ed,Ctl,"ed@acme.example>",,\n' \
	>"$T/acme-bad.csv"
run imp import --source hubspot-contacts --rejects "$T/acme-bad.rej" "$T/acme-bad.csv"
expect address_with_a_stray_bracket_is_no_address \
	sh -c '[ "$1" -eq 1 ] && grep -q "1 read, 0 inserted.*1 rejected" "$2" &&
	       grep -q "is not an e-mail address or a domain" "$3"' _ "$rc" "$OUT" "$T/acme-bad.rej"

# --- an internationalised domain, spelt both ways (102) -------------------------------
# The helpdesk has the domain as DNS carries it (Punycode), the CRM as people
# type it: one customer, shown as people read it, found by either spelling;
# a contact at the Punycode spelling, in capitals, is at that customer too.
cat >"$T/orgs-idn.json" <<'EOF2'
{"organizations": [
  {"id": 360010, "name": "Bücher & Co", "domain_names": ["xn--bcher-kva.example"],
   "updated_at": "2026-03-01T10:00:00Z"}
], "end_of_stream": true}
EOF2
imported idn_org_imported zendesk-organizations "$T/orgs-idn.json" "1 read, 1 inserted"
{
	printf 'Record ID,Company name,Company Domain Name,Lifecycle Stage,Last Modified Date\n'
	printf '9895,Bücher (CRM),https://www.Bücher.example/,Customer,\n'
	printf '9896,Bücher (old entry),,Customer,\n'
} >"$T/idn.csv"
imported idn_company_joins_the_org hubspot-companies "$T/idn.csv" \
	"2 read, 2 inserted, 0 updated, 0 unchanged, 0 rejected, 1 customer merged"
check idn_one_customer_with_both_ids \
	[ "$(sql "SELECT string_agg(system || ':' || external_id, ' ' ORDER BY system) FROM customer_external_id
	          WHERE customer_id = (SELECT id FROM customer WHERE domain = 'bücher.example')")" = "crm:9895 helpdesk:360010" ]
run "$BATON_BIN" -d "dbname=$db" show XN--BCHER-KVA.example
expect idn_show_finds_it_by_the_punycode_spelling \
	sh -c '[ "$1" -eq 0 ] && grep -q "^Bücher & Co (bücher.example)" "$2" &&
	       grep -qx "Also: HubSpot 9895, Zendesk org 360010 — same domain bücher.example" "$2"' _ "$rc" "$OUT"
run "$BATON_BIN" -d "dbname=$db" find xn--bcher-kva.exa
expect idn_find_finds_it_by_the_punycode_spelling_begun \
	sh -c '[ "$1" -eq 0 ] && grep -q "Bücher & Co" "$2"' _ "$rc" "$OUT"
printf 'Record ID,First Name,Last Name,Email,Associated Company IDs (Primary),Job Title\n608,Ida,Buch,ida@XN--BCHER-KVA.EXAMPLE,9896,\n' \
	>"$T/idn-contacts.csv"
imported idn_contact_joins_by_the_punycode_spelling hubspot-contacts "$T/idn-contacts.csv" \
	"1 read, 1 inserted, 0 updated, 0 unchanged, 0 rejected, 1 customer merged"
check idn_contact_at_the_customer \
	[ "$(sql "SELECT c.domain || ':' || (o.merged_into = c.id)::text FROM contact x JOIN customer c ON c.id = x.customer_id
	          JOIN customer o ON o.name = 'Bücher (old entry)' WHERE x.name = 'Ida Buch'")" = "bücher.example:true" ]

# --- a rebrand: the newer export's domain is shown, the old one still finds ---
# The customer keeps the domain it was made with (its contacts' mail may
# still come from there); the screen names the record's new one.
cat >"$T/brand1.json" <<'EOF'
{"organizations": [{"id": 360030, "name": "Oldbrand Ltd", "domain_names": ["oldbrand.example"],
  "updated_at": "2026-03-01T10:00:00Z"}], "end_of_stream": true}
EOF
cat >"$T/brand2.json" <<'EOF'
{"organizations": [{"id": 360030, "name": "Newbrand Ltd", "domain_names": ["NewBrand.example"],
  "updated_at": "2026-05-01T10:00:00Z"}], "end_of_stream": true}
EOF
imported rebrand_first_export zendesk-organizations "$T/brand1.json" "1 read, 1 inserted"
imported rebrand_newer_export zendesk-organizations "$T/brand2.json" "1 read, 0 inserted, 1 updated"
run "$BATON_BIN" -d "dbname=$db" show newbrand.example
expect rebrand_show_names_the_new_domain_beside_the_old \
	sh -c '[ "$1" -eq 0 ] && grep -qx "Newbrand Ltd (oldbrand.example)  #[0-9]*" "$2" &&
	       grep -qx "Also: Zendesk org 360030 — domain newbrand.example" "$2"' _ "$rc" "$OUT"
cat >"$T/brand-users.json" <<'EOF'
{"users": [
  {"id": 91, "name": "Old Mail", "email": "o@oldbrand.example", "organization_id": null,
   "updated_at": "2026-05-02T10:00:00Z"},
  {"id": 92, "name": "New Mail", "email": "n@newbrand.example", "organization_id": null,
   "updated_at": "2026-05-02T10:00:00Z"}], "end_of_stream": true}
EOF
imported rebrand_contacts_at_both_domains zendesk-users "$T/brand-users.json" "2 read, 2 inserted"
check rebrand_contacts_at_both_domains_reach_the_customer \
	[ "$(sql "SELECT string_agg(DISTINCT c.name, ',') FROM contact x JOIN customer c ON c.id = x.customer_id
	          WHERE x.email IN ('o@oldbrand.example', 'n@newbrand.example')")" = "Newbrand Ltd" ]
run "$BATON_BIN" -d "dbname=$db" show nwh.example
expect also_names_no_domain_the_customer_has_itself \
	sh -c '[ "$1" -eq 0 ] && grep -q "^Also: " "$2" && ! grep -q "— domains* " "$2"' _ "$rc" "$OUT"

# --- a merge names what made it, not where the identifier already was ------------
cat >"$T/via-orgs.json" <<'EOF'
{"organizations": [
  {"id": 360040, "name": "Holder Co", "domain_names": ["holder.example"], "updated_at": "2026-03-01T10:00:00Z"},
  {"id": 360041, "name": "Other Co", "domain_names": ["other.example"], "updated_at": "2026-03-01T10:00:00Z"}],
 "end_of_stream": true}
EOF
cat >"$T/via-users.json" <<'EOF'
{"users": [
  {"id": 96, "name": "Own", "email": "own@holder.example", "organization_id": 360040, "updated_at": "2026-03-01T10:00:00Z"},
  {"id": 97, "name": "Bridge", "email": "b@holder.example", "organization_id": 360041, "updated_at": "2026-03-01T10:00:00Z"}],
 "end_of_stream": true}
EOF
imported via_orgs zendesk-organizations "$T/via-orgs.json" "2 read, 2 inserted"
imported via_users_merge zendesk-users "$T/via-users.json" "2 read, 2 inserted.* 1 customer merged"
run imp merges --customer holder.example --format json
expect merge_via_is_the_bridging_user_alone sh -c '[ "$1" -eq 0 ] && python3 -c "
import json, sys
r = json.load(open(sys.argv[1]))
assert [(m[\"identifiers\"], m[\"via\"]) for m in r] == [(\"same domain holder.example\", \"zendesk-users 97\")], r
" "$2"' _ "$rc" "$OUT"

# --- a customer that joins another by a newer export: one merge (140) ------------
# The record had made its own customer; absorbing that customer moves the
# record with it, and is the one merge the run counts and lists.  Its
# split leaves no merge saying the record still belongs to the other.
cat >"$T/rejoin1.json" <<'EOF'
{"organizations": [
  {"id": 360060, "name": "Rejoin Alpha", "domain_names": ["rejoin-a.example"], "updated_at": "2026-03-01T10:00:00Z"},
  {"id": 360061, "name": "Rejoin Beta", "domain_names": ["rejoin-b.example"], "updated_at": "2026-03-01T10:00:00Z"}],
 "end_of_stream": true}
EOF
cat >"$T/rejoin2.json" <<'EOF'
{"organizations": [
  {"id": 360061, "name": "Rejoin Beta", "domain_names": ["rejoin-b.example", "rejoin-a.example"],
   "updated_at": "2026-04-01T10:00:00Z"}], "end_of_stream": true}
EOF
imported rejoin_first_export zendesk-organizations "$T/rejoin1.json" "2 read, 2 inserted.* 0 customers merged"
imported rejoin_newer_export_one_merge zendesk-organizations "$T/rejoin2.json" \
	"1 read, 0 inserted, 1 updated, 0 unchanged, 0 rejected, 1 customer merged$"
run imp merges --customer rejoin-a.example --format json
expect rejoin_listed_once_as_the_absorption sh -c '[ "$1" -eq 0 ] && python3 -c "
import json, sys
r = json.load(open(sys.argv[1]))
assert [(m[\"joined\"], m[\"identifiers\"], m[\"via\"]) for m in r] == \
    [(\"#%s Rejoin Beta\" % sys.argv[2], \"same domain rejoin-a.example\", \"zendesk-organizations 360061\")], r
" "$2" "$3"' _ "$rc" "$OUT" "$(sql "SELECT id FROM customer WHERE name = 'Rejoin Beta'")"
run imp split "$(sql "SELECT m.id FROM customer_merge m JOIN customer c ON c.id = m.absorbed WHERE c.name = 'Rejoin Beta'")"
expect rejoin_split sh -c '[ "$1" -eq 0 ]' _ "$rc"
check rejoin_no_merge_left_unsplit \
	[ "$(sql "SELECT count(*) FROM customer_merge m JOIN customer c ON c.id = m.customer_id
	          WHERE c.name = 'Rejoin Alpha' AND NOT EXISTS (SELECT 1 FROM customer_split s WHERE s.merge_id = m.id)")" = 0 ]
check rejoin_record_home_again \
	[ "$(sql "SELECT c.name FROM import_record r JOIN customer c ON c.id = r.customer_id
	          WHERE r.source = 'zendesk-organizations' AND r.source_id = '360061'")" = "Rejoin Beta" ]

# Before 140 the record's join was written too, a repeat of the absorption
# (made here as those runs wrote it): split alone it is refused, naming
# the absorption, and the absorption's split takes it along.
sed -e 's/360060/360062/; s/360061/360063/; s/Rejoin Alpha/Rejoin Gamma/; s/Rejoin Beta/Rejoin Delta/' \
	-e 's/rejoin-a/rejoin-g/; s/rejoin-b/rejoin-d/' "$T/rejoin1.json" >"$T/rejoin3.json"
sed -e 's/360061/360063/; s/Rejoin Beta/Rejoin Delta/; s/rejoin-b/rejoin-d/; s/rejoin-a/rejoin-g/' \
	"$T/rejoin2.json" >"$T/rejoin4.json"
imported rejoin_again_first zendesk-organizations "$T/rejoin3.json" "2 read, 2 inserted"
imported rejoin_again_newer zendesk-organizations "$T/rejoin4.json" "1 customer merged$"
absorption=$(sql "SELECT m.id FROM customer_merge m JOIN customer c ON c.id = m.absorbed WHERE c.name = 'Rejoin Delta'")
repeat=$(sql "INSERT INTO customer_merge (run_id, at, by_role, customer_id, joined_source, joined_source_id, identifiers, evidence)
	SELECT run_id, at, by_role, customer_id, 'zendesk-organizations', '360063', identifiers, '{}' FROM customer_merge
	WHERE id = '$absorption' RETURNING id" | head -n 1)
run imp split "$repeat"
expect rejoin_repeat_alone_refused sh -c '[ "$1" -eq 1 ] && grep -q "merge $3 repeats merge $4, the absorption that brought its record" "$2"' \
	_ "$rc" "$ERR" "$repeat" "$absorption"
check rejoin_repeat_refused_moved_nothing \
	[ "$(sql "SELECT count(*) FROM customer_split WHERE merge_id IN ('$repeat', '$absorption')")/$(sql "SELECT count(*) FROM customer WHERE name LIKE 'Rejoin Delta%'")" = 0/1 ]
run imp split "$absorption"
expect rejoin_absorption_split_with_its_repeat sh -c '[ "$1" -eq 0 ] && [ "$3" = 2 ]' _ "$rc" "$OUT" \
	"$(sql "SELECT count(*) FROM customer_split WHERE merge_id IN ('$repeat', '$absorption')")"
check rejoin_delta_home_again \
	[ "$(sql "SELECT c.name FROM import_record r JOIN customer c ON c.id = r.customer_id
	          WHERE r.source = 'zendesk-organizations' AND r.source_id = '360063'")" = "Rejoin Delta" ]

# --- a customer made without a domain takes the one a newer export brings -----
cat >"$T/nodomain1.json" <<'EOF'
{"organizations": [{"id": 360050, "name": "Initech", "domain_names": [], "updated_at": "2026-03-01T10:00:00Z"}],
 "end_of_stream": true}
EOF
cat >"$T/nodomain2.json" <<'EOF'
{"organizations": [{"id": 360050, "name": "Initech", "domain_names": ["gmail.com", "Initech.example"],
   "updated_at": "2026-04-01T10:00:00Z"}], "end_of_stream": true}
EOF
imported nodomain_first_export zendesk-organizations "$T/nodomain1.json" "1 read, 1 inserted"
check nodomain_customer_made_without_one \
	[ "$(sql "SELECT count(*) FROM customer WHERE name = 'Initech' AND domain IS NULL")" = 1 ]
imported nodomain_newer_export zendesk-organizations "$T/nodomain2.json" "1 read, 0 inserted, 1 updated"
# The first of its domains that is not a shared one; the Also: line names
# no free-mail domain either.
run "$BATON_BIN" -d "dbname=$db" show initech.example
expect nodomain_customer_takes_the_first_domain_not_shared \
	sh -c '[ "$1" -eq 0 ] && grep -qx "Initech (initech.example)  #[0-9]*" "$2" && grep -q "^Also: Zendesk org 360050$" "$2"' \
	_ "$rc" "$OUT"

# --- a chain of records, each naming the next, is one customer ---------------------
# Forty HubSpot companies, then forty Zendesk organizations, each at one
# company's domain with the next company's id as its external_id: each
# record joins two customers (under the join limit), and the chain joins
# them all, import_max_merge raised to let it (below: what it stops).
# The survivor is the oldest; each merge's evidence names at most 25
# records, then how many more (the last organization's: the 40 companies'
# records the survivor has when its merge is written).
run "$BATON_BIN" -d "dbname=$db" settings set import_max_merge 100
expect merge_limit_raised sh -c '[ "$1" -eq 0 ] && grep -qx "import_max_merge is now 100" "$2"' _ "$rc" "$OUT"
# chain NAME BASE N COMPANIES ORGS: N HubSpot companies NAME 1..N (ids
# BASE+n, at NAMEn.example, lower case) and N-1 Zendesk organizations
# NAME Org n (ids 10*BASE+n) at company n's domain naming company n+1.
chain() {
	lc=$(echo "$1" | tr A-Z a-z)
	{
		echo "Record ID,Company name,Company Domain Name,Lifecycle Stage,Last Modified Date"
		for n in $(seq 1 "$3"); do echo "$(($2 + n)),$1 $n,$lc$n.example,Customer,2026-03-02 09:00"; done
	} >"$4"
	python3 -c '
import json, sys
name, lc, base, n, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
orgs = [{"id": 10 * base + k, "name": "%s Org %d" % (name, k), "domain_names": ["%s%d.example" % (lc, k)],
         "external_id": str(base + k + 1), "updated_at": "2026-03-03T10:00:00Z"} for k in range(1, n)]
json.dump({"organizations": orgs, "end_of_stream": True}, open(out, "w"))' "$1" "$lc" "$2" "$3" "$5"
}
chain Link 52000 40 "$T/links.csv" "$T/chain.json"
imported chain_companies hubspot-companies "$T/links.csv" "40 read, 40 inserted"
first_link=$(sql "SELECT id FROM customer WHERE name = 'Link 1'")
imported chain_organizations zendesk-organizations "$T/chain.json" "39 read, 39 inserted"
check chain_is_one_customer_the_oldest \
	[ "$(sql "SELECT count(DISTINCT coalesce(c.merged_into, c.id)) || ' ' || min(coalesce(c.merged_into, c.id))
	          FROM customer c WHERE c.name LIKE 'Link %'")" = "1 $first_link" ]
check chain_records_all_on_the_survivor \
	[ "$(sql "SELECT count(*) FROM import_record WHERE entity = 'customers' AND customer_id = $first_link")" = 79 ]
check chain_evidence_names_25_records_then_how_many_more \
	[ "$(sql "SELECT jsonb_array_length(m.evidence -> 'records') || ' ' || (m.evidence -> 'records' -> 25 ->> 'more')
	          FROM customer_merge m JOIN import_run r ON r.id = m.run_id
	          WHERE m.joined_source_id = '520039'")" = "26 15" ]

# --- ... but not past import_max_merge (10) ----------------------------------------
# The same chain of 11 companies (and 10 organizations) makes one customer
# of 11 companies of one source: a file that would merges none of it, says
# which, and each record stays its own customer (a new one makes its own).
run "$BATON_BIN" -d "dbname=$db" settings set import_max_merge 10
expect merge_limit_back sh -c '[ "$1" -eq 0 ] && grep -qx "import_max_merge is now 10" "$2"' _ "$rc" "$OUT"
chain Ring 53000 11 "$T/rings.csv" "$T/ring.json"
imported ring_companies hubspot-companies "$T/rings.csv" "11 read, 11 inserted"
first_ring=$(sql "SELECT id FROM customer WHERE name = 'Ring 1'")
# The first three customers whose names match a pattern, as a run names them.
first3() {
	sql "SELECT string_agg('#' || id, ', ' ORDER BY id) FROM (SELECT id FROM customer
	     WHERE name ~ '$1' ORDER BY id LIMIT 3) x"
}
rings=$(first3 '^Ring [0-9]+$')
run imp import --source zendesk-organizations "$T/ring.json"
expect chain_over_the_merge_limit_merges_nothing_and_says_which sh -c '[ "$1" -eq 0 ] &&
	grep -q "10 read, 10 inserted, 0 updated, 0 unchanged, 0 rejected, 0 customers merged$" "$2" &&
	grep -qx "  not merged (one customer of more companies of one source than import_max_merge): 11 companies of hubspot-companies: records 530001, 530002, 530003 and 7 more of this file, customers $3 and 8 more" "$2"' \
	_ "$rc" "$OUT" "$rings"
check chain_over_the_limit_each_its_own_customer \
	[ "$(sql "SELECT count(*) FILTER (WHERE merged_into IS NULL) || ' ' || count(*) FROM customer WHERE name LIKE 'Ring %'")" = "21 21" ]
check chain_over_the_limit_no_merge_recorded \
	[ "$(sql "SELECT count(*) FROM customer_merge m JOIN customer c ON c.id = m.customer_id WHERE c.name LIKE 'Ring %'")" = 0 ]
run imp import --source zendesk-organizations --format json "$T/ring.json"
expect chain_over_the_limit_again_unchanged sh -c '[ "$1" -eq 0 ] && grep -q "\"unchanged\":10," "$2" && grep -q "\"unmerged\":null" "$2"' _ "$rc" "$OUT"
# The limit raised, the records it kept apart are taken again at the next
# import (once, as updated), and merge.
run "$BATON_BIN" -d "dbname=$db" settings set import_max_merge 11
run imp import --source zendesk-organizations --format json "$T/ring.json"
expect limit_raised_the_same_file_merges_the_chain sh -c '[ "$1" -eq 0 ] &&
	grep -q "\"inserted\":0,\"updated\":10,\"unchanged\":0,.*\"unmerged\":null" "$2"' _ "$rc" "$OUT"
check limit_raised_chain_is_one_customer_the_oldest \
	[ "$(sql "SELECT count(DISTINCT coalesce(c.merged_into, c.id)) || ' ' || min(coalesce(c.merged_into, c.id))
	          FROM customer c WHERE c.name LIKE 'Ring %'")" = "1 $first_ring" ]
imported limit_raised_then_unchanged zendesk-organizations "$T/ring.json" "10 read, 0 inserted, 0 updated, 10 unchanged"
run "$BATON_BIN" -d "dbname=$db" settings set import_max_merge 10

# A customer a chain made counts as all it holds: a record that would join
# it (the forty Link companies' customer, 40 of them, and another
# organization at link40.example) is not merged, not one more a file.
cat >"$T/link41.json" <<'EOF'
{"organizations": [{"id": 520041, "name": "Link Org 41", "domain_names": ["link40.example"],
  "updated_at": "2026-03-03T10:00:00Z"}], "end_of_stream": true}
EOF
run imp import --source zendesk-organizations "$T/link41.json"
expect chain_customer_counts_all_it_holds sh -c '[ "$1" -eq 0 ] &&
	grep -qx "  not merged (one customer of more companies of one source than import_max_merge): 40 companies of hubspot-companies: records 520041 of this file, customers #$3" "$2"' \
	_ "$rc" "$OUT" "$first_link"
check chain_customer_not_grown \
	[ "$(sql "SELECT count(*) FROM import_record WHERE entity = 'customers' AND customer_id = $first_link")" = 79 ]

# Contacts chain companies too: each of 11 Sky companies has a contact at
# the next one's domain (and the first five more at its own).  The file's
# customers are named; a raise takes again the contacts that chained them,
# not the others.
{
	echo "Record ID,Company name,Company Domain Name,Lifecycle Stage,Last Modified Date"
	for n in $(seq 1 11); do echo "$((54000 + n)),Sky $n,sky$n.example,Customer,2026-03-02 09:00"; done
} >"$T/skies.csv"
{
	printf 'Record ID,First Name,Last Name,Email,Associated Company IDs (Primary),Job Title\n'
	for n in $(seq 1 10); do echo "$((5400 + n)),P,$n,p$n@sky$((n + 1)).example,$((54000 + n)),"; done
	for n in $(seq 1 5); do echo "$((5500 + n)),Q,$n,q$n@sky1.example,54001,"; done
} >"$T/skyfolk.csv"
imported sky_companies hubspot-companies "$T/skies.csv" "11 read, 11 inserted"
first_sky=$(sql "SELECT id FROM customer WHERE name = 'Sky 1'")
skies=$(first3 '^Sky ')
run imp import --source hubspot-contacts "$T/skyfolk.csv"
expect contacts_chain_over_the_limit_merges_nothing sh -c '[ "$1" -eq 0 ] &&
	grep -q "15 read, 15 inserted, 0 updated, 0 unchanged, 0 rejected, 0 customers merged$" "$2" &&
	grep -qx "  not merged (one customer of more companies of one source than import_max_merge): 11 companies of hubspot-companies: customers $3 and 8 more" "$2"' \
	_ "$rc" "$OUT" "$skies"
check contacts_chain_each_its_own_customer \
	[ "$(sql "SELECT count(*) FROM customer WHERE name LIKE 'Sky %' AND merged_into IS NULL")" = 11 ]
run "$BATON_BIN" -d "dbname=$db" settings set import_max_merge 11
imported contacts_limit_raised_merge hubspot-contacts "$T/skyfolk.csv" "15 read, 0 inserted, 10 updated, 5 unchanged, 0 rejected, 10 customers merged"
check contacts_limit_raised_one_customer \
	[ "$(sql "SELECT count(DISTINCT coalesce(merged_into, id)) || ' ' || min(coalesce(merged_into, id))
	          FROM customer WHERE name LIKE 'Sky %'")" = "1 $first_sky" ]
run "$BATON_BIN" -d "dbname=$db" settings set import_max_merge 10

# A raise waits for a running import, and says so: one that counted its
# groups under the old limit writes the records it kept apart as it
# commits, and the raise takes them again after.  (The import is held
# where it writes them, holding the import lock; waiting so, it is named
# as the holder by the mark it took with the lock, 144.)
chain Gate 55000 11 "$T/gates.csv" "$T/gate.json"
imported gate_companies hubspot-companies "$T/gates.csv" "11 read, 11 inserted"
psql -X -q -d "$db" -c "BEGIN; LOCK TABLE import_unmerged IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(600); COMMIT" \
	>/dev/null 2>&1 &
wait_true 10 "test \"\$(sql \"SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(600)%' AND state = 'active' AND pid <> pg_backend_pid()\")\" = 1"
imp import --source zendesk-organizations "$T/gate.json" >"$T/gate.out" 2>&1 &
gate_import=$!
expect gate_import_held_before_it_writes_what_it_kept_apart \
	wait_true 30 "test \"\$(sql \"SELECT count(*) FROM pg_stat_activity WHERE usename = 'importer' AND wait_event_type = 'Lock'\")\" = 1"
"$BATON_BIN" -d "dbname=$db" settings set import_max_merge 11 >"$T/gate.set" 2>&1 &
gate_raise=$!
expect raise_waits_for_the_running_import \
	wait_true 30 "test \"\$(sql \"SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%baton_setting_set%'\")\" = 1"
sql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(600)%' AND pid <> pg_backend_pid()" >/dev/null
wait $gate_import
gate_i=$?
wait $gate_raise
gate_r=$?
expect gate_import_and_raise_both_done sh -c '[ "$1" -eq 0 ] && [ "$2" -eq 0 ] &&
	grep -q "not merged (one customer of more companies" "$3" && grep -qx "import_max_merge is now 11" "$4" &&
	grep -q "^baton: an import is running (role importer, since .*): waiting for it to finish$" "$4"' \
	_ "$gate_i" "$gate_r" "$T/gate.out" "$T/gate.set"
imported raise_after_a_running_import_takes_its_records_again zendesk-organizations "$T/gate.json" \
	"10 read, 0 inserted, 10 updated, 0 unchanged"
check raise_after_a_running_import_merges_its_chain \
	[ "$(sql "SELECT count(DISTINCT coalesce(merged_into, id)) FROM customer WHERE name LIKE 'Gate %'")" = 1 ]
run "$BATON_BIN" -d "dbname=$db" settings set import_max_merge 10

# A raise takes again only what it lets merge: a group of 13 companies
# stays apart at 12, and its records wait (not taken again for nothing).
chain Knot 56000 13 "$T/knots.csv" "$T/knot.json"
imported knot_companies hubspot-companies "$T/knots.csv" "13 read, 13 inserted"
first_knot=$(sql "SELECT id FROM customer WHERE name = 'Knot 1'")
imported knot_refused zendesk-organizations "$T/knot.json" "12 read, 12 inserted"
run "$BATON_BIN" -d "dbname=$db" settings set import_max_merge 12
imported raise_under_a_group_takes_none_of_it_again zendesk-organizations "$T/knot.json" \
	"12 read, 0 inserted, 0 updated, 12 unchanged"
run "$BATON_BIN" -d "dbname=$db" settings set import_max_merge 13
imported raise_to_a_group_takes_it_again zendesk-organizations "$T/knot.json" "12 read, 0 inserted, 12 updated"
check raise_to_a_group_merges_it \
	[ "$(sql "SELECT count(DISTINCT coalesce(merged_into, id)) FROM customer WHERE name LIKE 'Knot %'")" = 1 ]
run "$BATON_BIN" -d "dbname=$db" settings set import_max_merge 10

# The merges a raise lets a file make name the file's records that made
# them, as a first import of the same records names them (145), though
# the write apart gave their customers what they carry: Tor Beta, which
# had no domain, took torx.example (136), where Tor Gamma has a user; and
# Tor Delta and Tor Epsilon, both naming the CRM's company 777, each took
# that id.
cat >"$T/tor1.json" <<'EOF'
{"organizations": [
  {"id": 600001, "name": "Tor Alpha", "domain_names": ["tora.example"], "updated_at": "2026-03-01T10:00:00Z"},
  {"id": 600002, "name": "Tor Beta", "domain_names": [], "updated_at": "2026-03-01T10:00:00Z"},
  {"id": 600003, "name": "Tor Gamma", "domain_names": ["torc.example"], "updated_at": "2026-03-01T10:00:00Z"},
  {"id": 600004, "name": "Tor Delta", "domain_names": ["tord.example"], "updated_at": "2026-03-01T10:00:00Z"},
  {"id": 600005, "name": "Tor Epsilon", "domain_names": ["tore.example"], "updated_at": "2026-03-01T10:00:00Z"}],
 "end_of_stream": true}
EOF
cat >"$T/toru.json" <<'EOF'
{"users": [{"id": 700001, "organization_id": 600003, "name": "Gina", "email": "gina@torx.example",
            "role": "end-user", "updated_at": "2026-03-01T10:00:00Z"}], "end_of_stream": true}
EOF
cat >"$T/tor2.json" <<'EOF'
{"organizations": [
  {"id": 600002, "name": "Tor Beta", "domain_names": ["torx.example", "tora.example"], "updated_at": "2026-04-01T10:00:00Z"},
  {"id": 600004, "name": "Tor Delta", "domain_names": ["tord.example", "tora.example"], "external_id": "777", "updated_at": "2026-04-01T10:00:00Z"},
  {"id": 600005, "name": "Tor Epsilon", "domain_names": ["tore.example"], "external_id": "777", "updated_at": "2026-04-01T10:00:00Z"}],
 "end_of_stream": true}
EOF
run "$BATON_BIN" -d "dbname=$db" settings set import_max_merge 2
imported tor_companies zendesk-organizations "$T/tor1.json" "5 read, 5 inserted"
imported tor_users zendesk-users "$T/toru.json" "1 read, 1 inserted"
imported tor_kept_apart zendesk-organizations "$T/tor2.json" "3 read, 0 inserted, 3 updated, 0 unchanged, 0 rejected, 0 customers merged"
run "$BATON_BIN" -d "dbname=$db" settings set import_max_merge 5
imported tor_raised_merges zendesk-organizations "$T/tor2.json" "3 read, 0 inserted, 3 updated, 0 unchanged, 0 rejected, 4 customers merged"
run imp merges --customer tora.example
cp "$OUT" "$T/tor.capped"
# The same files in a database of their own, without the cap: the merges
# read alike but for their times, ids and customer numbers.
tor_db=$(newdb baton_schema) || fail "cannot create a second test database"
importer_role "$tor_db"
for f in tor1 toru tor2; do
	"$BATON_BIN" -c "$CFG" -d "dbname=$tor_db user=importer" import \
		--source "zendesk-$([ $f = toru ] && echo users || echo organizations)" "$T/$f.json" >/dev/null
done
"$BATON_BIN" -d "dbname=$tor_db user=importer" merges --customer tora.example >"$T/tor.fresh"
tor_lines() { # the merges of FILE, a line each, without what differs between databases
	sed -E 's/^[0-9-]+ [0-9:]+  //; s/#[0-9]+/#N/g; s/merge [0-9a-f-]+ by .*/merge/' "$1" | paste -d' ' - - | sort
}
expect tor_merges_name_the_records_that_made_them sh -c '[ "$1" -eq 0 ] && [ "$(grep -c " ← " "$2")" = 4 ] &&
	grep -q "Tor Alpha ← #[0-9]* Tor Gamma — same domain torx.example, from zendesk-organizations 600002$" "$2" &&
	grep -q "Tor Alpha ← #[0-9]* Tor Epsilon — same id crm:777, from zendesk-organizations 600004, zendesk-organizations 600005$" "$2"' \
	_ "$rc" "$T/tor.capped"
check tor_merges_read_as_a_first_import_of_the_files_reads_them \
	[ "$(tor_lines "$T/tor.capped")" = "$(tor_lines "$T/tor.fresh")" ]
check tor_first_import_has_the_four_merges [ "$(grep -c " ← " "$T/tor.fresh")" = 4 ]
run "$BATON_BIN" -d "dbname=$db" settings set import_max_merge 10

# Twelve such groups in one file: the ten largest are said, then how
# many more.
python3 -c '
import json, sys
t = sys.argv[1]
with open(t + "/hoops.csv", "w") as f:
    f.write("Record ID,Company name,Company Domain Name,Lifecycle Stage,Last Modified Date\n")
    for g in range(12):
        for k in range(1, 12 + (g == 0)):
            f.write("%d,Hoop %d-%d,hoop%d-%d.example,Customer,2026-03-02 09:00\n" % (57000 + 100 * g + k, g, k, g, k))
orgs = [{"id": 570000 + 1000 * g + k, "name": "Hoop Org %d-%d" % (g, k), "domain_names": ["hoop%d-%d.example" % (g, k)],
         "external_id": str(57000 + 100 * g + k + 1), "updated_at": "2026-03-03T10:00:00Z"}
        for g in range(12) for k in range(1, 11 + (g == 0))]
json.dump({"organizations": orgs, "end_of_stream": True}, open(t + "/hoop.json", "w"))' "$T"
imported hoop_companies hubspot-companies "$T/hoops.csv" "133 read, 133 inserted"
run imp import --source zendesk-organizations "$T/hoop.json"
expect ten_groups_said_then_how_many_more sh -c '[ "$1" -eq 0 ] &&
	[ "$(grep "^  not merged" "$2" | grep -o "companies of hubspot-companies" | wc -l)" = 10 ] &&
	grep -q "^  not merged (one customer of more companies of one source than import_max_merge): 12 companies of hubspot-companies: records 570001, .*; 11 companies .*; and 2 more groups$" "$2"' \
	_ "$rc" "$OUT"
run "$BATON_BIN" -d "dbname=$db" settings set import_max_merge 010
expect merge_limit_written_as_a_number_only \
	sh -c '[ "$1" -ne 0 ] && grep -q "import_max_merge takes a number from 2 to 100000, not \"010\"" "$2"' _ "$rc" "$ERR"
# baton doctor names the customers over the limit now (the chains merged
# while it was higher: Link's 40 companies, Knot's 13, and Ring's, Sky's
# and Gate's 11 each), largest first.
run "$BATON_BIN" -d "dbname=$db" doctor
expect doctor_names_the_customers_over_the_merge_limit sh -c '
	grep -q "^warn import .*5 customers hold more companies of one source than import_max_merge (10): #$2 (40 of hubspot-companies), #$3 (13 of hubspot-companies), #$4 (11 of hubspot-companies) and more; a record that would join one is not merged" "$1"' \
	_ "$OUT" "$first_link" "$first_knot" "$first_ring"

# A customer that absorbed another by that one's domain says the domain
# once on its "Also:" line: as the merge's evidence.
cat >"$T/also-orgs.json" <<'EOF'
{"organizations": [
  {"id": 380001, "name": "Alder Corp", "domain_names": ["alder.example"], "updated_at": "2026-03-01T10:00:00Z"},
  {"id": 380002, "name": "Alder Europe", "domain_names": ["alder.eu.example"], "updated_at": "2026-03-01T10:00:00Z"}
], "end_of_stream": true}
EOF
cat >"$T/also-users.json" <<'EOF'
{"users": [{"id": 9201, "name": "Eve Stone", "email": "eve@alder.eu.example", "organization_id": 380001}],
 "end_of_stream": true}
EOF
imported also_orgs zendesk-organizations "$T/also-orgs.json" "2 read, 2 inserted"
imported also_user_merges zendesk-users "$T/also-users.json" "1 read, 1 inserted, 0 updated, 0 unchanged, 0 rejected, 1 customer merged"
alder_eu=$(sql "SELECT id FROM customer WHERE name = 'Alder Europe'")
run "$BATON_BIN" -d "dbname=$db" show alder.example
expect also_names_a_domain_once \
	grep -qx "Also: #$alder_eu Alder Europe, Zendesk org 380001, Zendesk org 380002 — same domain alder.eu.example" "$OUT"

# --- only importers import ------------------------------------------------------------
psql -X -q -d "$db" -c "DO \$\$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'plainstaff')
	THEN CREATE ROLE plainstaff LOGIN; END IF; END \$\$; GRANT baton_staff TO plainstaff;" >/dev/null
# Said once for the run, with how to mend it, before the rejects file is
# made: the last run's stays as it was.
echo "the last run's rejects" >"$T/staff.rej"
run "$BATON_BIN" -c "$CFG" -d "dbname=$db user=plainstaff" import --source zendesk-organizations \
	--rejects "$T/staff.rej" "$T/orgs.json" "$T/orgs.json"
expect staff_cannot_import \
	sh -c '[ "$1" -eq 1 ] && grep -q "may not import: importing takes a role granted baton_importer" "$2" &&
	       [ "$(grep -c "may not import" "$2")" = 1 ] && grep -q "GRANT baton_importer TO plainstaff" "$2" &&
	       [ ! -s "$3" ] && [ "$(cat "$4")" = "the last run'"'"'s rejects" ]' \
	_ "$rc" "$ERR" "$OUT" "$T/staff.rej"
# --format json says it of each file on standard output, for a script.
run "$BATON_BIN" -c "$CFG" -d "dbname=$db user=plainstaff" import --format json --source zendesk-organizations \
	"$T/orgs.json" "$T/orgs.json"
told=$(psql -X -At -d "$db" -v j="$(cat "$OUT")" <<'SQL'
SELECT count(*) FILTER (WHERE e->>'error' LIKE 'not tried: %may not import%' AND e->>'file' LIKE '%/orgs.json')
       || ' of ' || count(*)
FROM jsonb_array_elements(:'j'::jsonb) e;
SQL
)
expect staff_cannot_import_in_json sh -c '[ "$1" -eq 1 ] && [ "$2" = "2 of 2" ]' _ "$rc" "$told"
# An importer, who is not on the staff, is told what reading or changing
# the settings takes, not a table's or a function's permission.
run "$BATON_BIN" -d "dbname=$db user=importer" settings
expect importer_settings_read_refused_saying_why \
	sh -c '[ "$1" -eq 1 ] && [ ! -s "$3" ] && grep -qx "baton: role importer may not read the settings: they are shown to the staff and to administrators (an administrator can run .baton staff add importer --name NAME --team TEAM.)" "$2"' \
	_ "$rc" "$ERR" "$OUT"
run "$BATON_BIN" -d "dbname=$db user=importer" settings set import_max_merge 12
expect importer_settings_change_refused_saying_why \
	sh -c '[ "$1" -eq 1 ] && grep -qx "baton: only an administrator can change the settings: role importer is not a member of baton_admin" "$2"' \
	_ "$rc" "$ERR"
