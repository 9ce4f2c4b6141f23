#!/bin/sh
# The limit on how many customers an identifier joins (import_max_join, 3)
# holds across files as within one (097): six companies' consultant at
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

fresh_db import_join_limit
hubspot_companies "$T/companies.csv"
imported companies_imported hubspot-companies "$T/companies.csv" "6 read, 6 inserted"
for n in 1 2 3 4 5 6; do hubspot_contact "$n" consult.example; done
imported first_contact_joins_nothing hubspot-contacts "$T/c1.csv" "1 inserted.* 0 customers merged"
imported second_file_joins hubspot-contacts "$T/c2.csv" "1 inserted.* 1 customer merged"
imported third_file_joins hubspot-contacts "$T/c3.csv" "1 inserted.* 1 customer merged"
imported fourth_file_over_the_limit hubspot-contacts "$T/c4.csv" "1 inserted.* 0 customers merged"
expect fourth_file_says_why grep -qF "not used to merge (shared by too many customers): domain consult.example (joins 4)" "$OUT"
imported fifth_file_over_the_limit hubspot-contacts "$T/c5.csv" "1 inserted.* 0 customers merged"
imported sixth_file_over_the_limit hubspot-contacts "$T/c6.csv" "1 inserted.* 0 customers merged"
expect first_three_one_customer test "$(live_customers)" = 4
expect merges_keep_their_keys test "$(sql "SELECT string_agg(array_to_string(keys, ' '), '|' ORDER BY at, id) FROM customer_merge")" = "domain:consult.example|domain:consult.example"
expect the_three_are_the_oldest test "$(sql "SELECT string_agg(c.name, ',' ORDER BY c.name) FROM customer c
	WHERE c.merged_into IS NULL AND c.id <> (SELECT min(id) FROM customer)")" = "Client 4,Client 5,Client 6"

# The same six in one file: none joined.
fresh_db import_join_limit
imported companies_again hubspot-companies "$T/companies.csv" "6 read, 6 inserted"
{ head -n 1 "$T/c1.csv"; for n in 1 2 3 4 5 6; do tail -n 1 "$T/c$n.csv"; done; } >"$T/all.csv"
imported one_file_joins_none hubspot-contacts "$T/all.csv" "6 inserted.* 0 customers merged"
expect one_file_says_joins_6 grep -qF "domain consult.example (joins 6)" "$OUT"
expect one_file_six_customers test "$(live_customers)" = 6

# A placeholder CRM id in Zendesk organizations' external_id, a page each.
fresh_db import_join_limit
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
expect orgs_three_customers test "$(live_customers)" = 3

# Three duplicate CRM records of one company, one customer by their domain:
# a Zendesk organization naming one of their ids still joins it.
fresh_db import_join_limit
printf 'Record ID,Company name,Company Domain Name,Lifecycle Stage,Last Modified Date\n' >"$T/dup.csv"
for n in 1 2 3; do echo "$n,Acme $n,acme.example,Customer,2026-03-02 09:00" >>"$T/dup.csv"; done
imported duplicates_one_customer hubspot-companies "$T/dup.csv" "3 inserted.* 2 customers merged"
printf '{"organizations": [{"id": 7, "name": "Acme Support", "domain_names": [], "external_id": "1",\n "updated_at": "2026-03-01T10:00:00Z"}], "end_of_stream": true}\n' >"$T/acme.json"
imported exact_id_joins_duplicates zendesk-organizations "$T/acme.json" "1 inserted.* 1 customer merged"
expect exact_id_not_reported sh -c '! grep -q "not used to merge" "$1"' _ "$OUT"
expect duplicates_and_org_one test "$(live_customers)" = 1

# One CRM id named by the helpdesk, billing and the marketing tool: the
# same company in four systems, one customer.
fresh_db import_join_limit
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
expect four_systems_one_customer test "$(live_customers)" = 1

# The keys of merges recorded before 097, read back from their text.
expect keys_from_text test "$(sql "SELECT baton_merge_keys_of('same domain a.example, same id crm:1, same e-mail x@y.example')")" = "{domain:a.example,email:x@y.example,ext:crm:1}"
expect keys_from_empty_text test "$(sql "SELECT baton_merge_keys_of('')")" = "{}"

# --- what a review found the first 097 counted wrong -------------------------------
# The consultancy is itself a CRM company at consult.example: its clients'
# contacts there join it, a file each, as far as one file would (three).
fresh_db import_join_limit
{ cat "$T/companies.csv"; echo "7,Consult Ltd,consult.example,Customer,2026-03-02 09:00"; } >"$T/companies7.csv"
imported consultancy_companies hubspot-companies "$T/companies7.csv" "7 read, 7 inserted"
for n in 1 2 3 4 5 6; do
	imported_with "$CFG" "consultancy_contacts_$n" hubspot-contacts "$T/c$n.csv" "1 inserted"
	cp "$OUT" "$T/consultancy$n.out"
done
expect consultancy_joins_two_clients test "$(live_customers)" = 5
expect consultancy_third_client_reported grep -qF "domain consult.example (joins 4)" "$T/consultancy3.out"

# Contacts of two sources, a file each (HubSpot contacts, Zendesk users, in
# turn), of companies in both systems: each source's merges count apart
# (one company may be in several systems), so four join, one more than in
# one file, and the fifth and sixth are reported.
fresh_db import_join_limit
imported two_sources_companies hubspot-companies "$T/companies.csv" "6 inserted"
{
	printf '{"organizations": ['
	for n in 1 2 3 4 5 6; do
		[ "$n" -gt 1 ] && printf ','
		printf '{"id": 10%s, "name": "Client %s", "domain_names": ["client%s.example"], "updated_at": "2026-03-01T10:00:00Z"}' "$n" "$n" "$n"
	done
	printf '], "end_of_stream": true}\n'
} >"$T/orgs6.json"
imported two_sources_orgs zendesk-organizations "$T/orgs6.json" "6 inserted.* 6 customers merged"
for n in 1 2 3 4 5 6; do
	if [ $((n % 2)) -eq 1 ]; then
		imported "two_sources_contacts_$n" hubspot-contacts "$T/c$n.csv" "1 inserted"
	else
		printf '{"users": [{"id": 50%s, "organization_id": 10%s, "name": "Con Sultant", "email": "z%s@consult.example", "role": "end-user", "updated_at": "2026-03-01T10:00:00Z"}]}\n' \
			"$n" "$n" "$n" >"$T/u$n.json"
		imported "two_sources_users_$n" zendesk-users "$T/u$n.json" "1 inserted"
	fi
done
expect two_sources_join_four test "$(live_customers)" = 3

# A helpdesk organization linked to its CRM company after it was imported
# (its customer absorbed, its record joined: one company), then billing
# and the marketing tool naming the same id: one customer.
fresh_db import_join_limit
printf 'id,name,crm\n41,Acme Support,\n' >"$T/desk0.csv"
imported_with "$T/four.cfg" linked_later_crm crm "$T/crm.csv" "1 inserted"
imported_with "$T/four.cfg" linked_later_unlinked desk "$T/desk0.csv" "1 inserted.* 0 customers merged"
imported_with "$T/four.cfg" linked_later_linked desk "$T/named.csv" "1 updated"
printf 'id,name,crm\n77,Acme Billing,9\n' >"$T/bills.csv"
imported_with "$T/four.cfg" linked_later_billing bills "$T/bills.csv" "1 inserted.* 1 customer merged"
imported_with "$T/four.cfg" linked_later_marketing mail "$T/named.csv" "1 inserted.* 1 customer merged"
expect linked_later_one_customer test "$(live_customers)" = 1

# The customer the merges went into does not hold the domain itself: Y's
# user is at acme.example; Z's at acme.co.uk and X's at both join them;
# W's at acme.co.uk is the third company there, and joins, as in one file.
fresh_db import_join_limit
org() { printf '{"id": %s, "name": "%s", "domain_names": [], "updated_at": "2026-03-01T10:00:00Z"}' "$1" "$2"; }
user() { printf '{"id": %s, "organization_id": %s, "name": "U%s", "email": "%s", "role": "end-user", "updated_at": "2026-03-01T10:00:00Z"}' "$1" "$2" "$1" "$3"; }
printf '{"organizations": [%s, %s, %s, %s]}\n' "$(org 1 Y)" "$(org 2 Z)" "$(org 3 X)" "$(org 4 W)" >"$T/yzxw.json"
imported survivor_orgs zendesk-organizations "$T/yzxw.json" "4 inserted"
printf '{"users": [%s, %s]}\n' "$(user 11 1 y@acme.example)" "$(user 12 2 z@acme.co.uk)" >"$T/yz.json"
imported survivor_users_apart zendesk-users "$T/yz.json" "2 inserted.* 0 customers merged"
printf '{"users": [%s, %s]}\n' "$(user 13 3 x1@acme.example)" "$(user 14 3 x2@acme.co.uk)" >"$T/x.json"
imported survivor_x_joins_both zendesk-users "$T/x.json" "2 inserted.* 2 customers merged"
printf '{"users": [%s]}\n' "$(user 15 4 w@acme.co.uk)" >"$T/w.json"
imported survivor_w_joins zendesk-users "$T/w.json" "1 inserted.* 1 customer merged"

# Three organizations with the placeholder id in one page join; a fourth on
# the next page is over the limit, as in one page of four.
fresh_db import_join_limit
printf '{"organizations": [%s, %s, %s]}\n' \
	"$(printf '{"id": 1, "name": "Org 1", "external_id": "0", "updated_at": "2026-03-01T10:00:00Z"}')" \
	"$(printf '{"id": 2, "name": "Org 2", "external_id": "0", "updated_at": "2026-03-01T10:00:00Z"}')" \
	"$(printf '{"id": 3, "name": "Org 3", "external_id": "0", "updated_at": "2026-03-01T10:00:00Z"}')" >"$T/page1.json"
imported placeholder_page_of_three zendesk-organizations "$T/page1.json" "3 inserted.* 2 customers merged"
imported placeholder_fourth_page zendesk-organizations "$T/org4.json" "1 inserted.* 0 customers merged"
expect placeholder_fourth_says_why grep -qF "ext crm:0 (joins 4)" "$OUT"

# An identifier one customer holds joins nothing and is not reported, also
# when it made that customer of more companies than the limit allows now
# (four joined under a limit of 5, which is 3 again): a contact changed
# there.  A fifth company's contact is reported.
fresh_db import_join_limit
sql "UPDATE baton_setting SET value = '5' WHERE key = 'import_max_join'" >/dev/null
imported quiet_companies hubspot-companies "$T/companies.csv" "6 inserted"
{ head -n 1 "$T/c1.csv"; for n in 1 2 3 4; do tail -n 1 "$T/c$n.csv"; done; } >"$T/four.csv"
imported quiet_four_join hubspot-contacts "$T/four.csv" "4 inserted.* 3 customers merged"
sql "UPDATE baton_setting SET value = '3' WHERE key = 'import_max_join'" >/dev/null
sed 's/Sultant2/Sultant Two/; s/2026-03-03/2026-03-04/' "$T/c2.csv" >"$T/c2b.csv"
imported quiet_changed_contact hubspot-contacts "$T/c2b.csv" "1 updated"
expect quiet_not_reported sh -c '! grep -q "not used to merge" "$1"' _ "$OUT"
imported quiet_fifth_company hubspot-contacts "$T/c5.csv" "1 inserted.* 0 customers merged"
expect quiet_fifth_reported grep -qF "domain consult.example (joins 5)" "$OUT"

# A second review's cases, with a source and its contacts for each of four
# systems.
cat >"$T/m.cfg" <<'CFG'
import:
{
  sources = (
    { name = "crm"; entity = "customers"; format = "csv"; system = "crm";
      fields = { source_id = "id"; name = "name"; domains = "domain"; }; },
    { name = "crm-contacts"; entity = "contacts"; format = "csv"; customer_source = "crm";
      fields = { source_id = "id"; customer = "org"; name = "name"; email = "email"; }; },
    { name = "desk"; entity = "customers"; format = "csv"; system = "helpdesk";
      fields = { source_id = "id"; name = "name"; domains = "domain"; crm_id = "crm"; }; },
    { name = "desk-users"; entity = "contacts"; format = "csv"; customer_source = "desk";
      fields = { source_id = "id"; customer = "org"; name = "name"; email = "email"; }; },
    { name = "bills"; entity = "customers"; format = "csv"; system = "billing";
      fields = { source_id = "id"; name = "name"; domains = "domain"; crm_id = "crm"; }; },
    { name = "bills-contacts"; entity = "contacts"; format = "csv"; customer_source = "bills";
      fields = { source_id = "id"; customer = "org"; name = "name"; email = "email"; }; },
    { name = "mail"; entity = "customers"; format = "csv"; system = "marketing";
      fields = { source_id = "id"; name = "name"; domains = "domain"; crm_id = "crm"; }; },
    { name = "mail-contacts"; entity = "contacts"; format = "csv"; customer_source = "mail";
      fields = { source_id = "id"; customer = "org"; name = "name"; email = "email"; }; }
  );
};
CFG
# Ids that are no numbers (Stripe's cus_...) in a file whose records join.
fresh_db import_join_limit
printf 'id,name,domain\n9,Acme,acme.example\n8,Beta,beta.example\n' >"$T/crm2.csv"
printf 'id,name,domain,crm\ncus_A2,Acme Billing,,9\ncus_B1,Beta Billing,,8\n' >"$T/b2.csv"
imported_with "$T/m.cfg" text_ids_crm crm "$T/crm2.csv" "2 inserted"
imported_with "$T/m.cfg" text_ids_join bills "$T/b2.csv" "2 inserted.* 2 customers merged"
# One company in four systems, the helpdesk's, billing's and the marketing
# tool's records without a domain, each joined by its contacts at the
# CRM company's domain: one customer.
fresh_db import_join_limit
printf 'id,name,domain\n9,Acme,acme.example\n' >"$T/crm1.csv"
imported_with "$T/m.cfg" by_contacts_crm crm "$T/crm1.csv" "1 inserted"
for s in desk bills mail; do
	printf 'id,name,domain,crm\n%s1,Acme %s,,\n' "$s" "$s" >"$T/$s.csv"
	imported_with "$T/m.cfg" "by_contacts_$s" "$s" "$T/$s.csv" "1 inserted"
done
printf 'id,org,name,email\n1,desk1,Ann,ann@acme.example\n' >"$T/du.csv"
printf 'id,org,name,email\n1,bills1,Bob,bob@acme.example\n' >"$T/bu.csv"
printf 'id,org,name,email\n1,mail1,Cy,cy@acme.example\n' >"$T/mu.csv"
imported_with "$T/m.cfg" by_contacts_desk_users desk-users "$T/du.csv" "1 customer merged"
imported_with "$T/m.cfg" by_contacts_bills_contacts bills-contacts "$T/bu.csv" "1 customer merged"
imported_with "$T/m.cfg" by_contacts_mail_contacts mail-contacts "$T/mu.csv" "1 customer merged"
expect by_contacts_one_customer test "$(live_customers)" = 1
# The consultancy in two systems (its CRM company and helpdesk organization
# at consult.example): its records count once, so two clients join, as
# with one system.
fresh_db import_join_limit
{ echo "id,name,domain"; for n in 1 2 3 4; do echo "$n,Client $n,client$n.example"; done; echo "7,Consult Ltd,consult.example"; } >"$T/crm7.csv"
printf 'id,name,domain,crm\n70,Consult Support,consult.example,\n' >"$T/desk7.csv"
imported_with "$T/m.cfg" two_systems_crm crm "$T/crm7.csv" "5 inserted"
imported_with "$T/m.cfg" two_systems_desk desk "$T/desk7.csv" "1 customer merged"
for n in 1 2 3 4; do
	printf 'id,org,name,email\n10%s,%s,Con,c%s@consult.example\n' "$n" "$n" "$n" >"$T/cc$n.csv"
	imported_with "$T/m.cfg" "two_systems_contacts_$n" crm-contacts "$T/cc$n.csv" "1 inserted"
done
expect two_systems_joins_two_clients test "$(live_customers)" = 3

# The merges stay append-only: their keys are written once, with them.
expect merge_keys_written_once sh -c '! psql -X -q -d "$1" -c "UPDATE customer_merge SET keys = '"'{}'"'" 2>/dev/null' _ "$db"
expect merge_rows_not_changed sh -c '! psql -X -q -d "$1" -c "UPDATE customer_merge SET identifiers = '"'x'"'" 2>/dev/null' _ "$db"
expect merge_rows_not_deleted sh -c '! psql -X -q -d "$1" -c "DELETE FROM customer_merge" 2>/dev/null' _ "$db"
expect no_merge_left_without_keys test "$(sql "SELECT count(*) FROM customer_merge WHERE keys IS NULL OR into_keys IS NULL")" = 0
