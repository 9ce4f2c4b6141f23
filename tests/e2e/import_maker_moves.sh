#!/bin/sh
# A CRM record that made its customer (the CRM's export went in first)
# moves, as one that joined it does, when a newer export corrects its
# domain to another customer's and its customer keeps another record
# (migration 154):
#  - HubSpot 9876 made Northwind, Zendesk organization 360001 joined it by
#    nwh.example; 9876's domain is now initech.example, Initech's: it moves
#    there with its id and contact; Northwind and Initech stay two;
#    Northwind is 360001's now (its name; the lifecycle 9876 gave it back
#    to the default), and the next organizations export changes nothing;
#  - two HubSpot companies of one customer: the one that made it moves, the
#    other, in the same file with a new name, makes it from then on;
#  - a record that is its customer's only one still merges the two;
#  - one tied to its customer by an id (the organization names it) stays.
. "$BATON_ROOT/tests/lib/e2e.sh"
. "$BATON_ROOT/tests/lib/import.sh"

cli_files import_maker_moves
db=$(newdb baton_schema) || { echo "FAIL import_maker_moves: cannot create a test database"; exit 1; }
importer_role "$db"
CFG="$BATON_ROOT/etc/baton-import.cfg"
# customer_of SOURCE ID: the customer of that record
customer_of() { sql "SELECT customer_id FROM import_record WHERE source = '$1' AND source_id = '$2'"; }
# owner_of CUSTOMER: the records that make it
owner_of() { sql "SELECT string_agg(source_id, ' ' ORDER BY source_id) FROM import_record
                  WHERE customer_id = $1 AND entity = 'customers' AND owns"; }
companies() { printf 'Record ID,Company name,Company Domain Name,Lifecycle Stage,Last Modified Date\r\n'; cat; }

companies >"$T/c1.csv" <<'CSV'
9876,Northwind (CRM),nwh.example,Customer,2026-03-02 09:00
5555,Initech (CRM),initech.example,Lead,2026-03-02 09:00
9880,Lonely (CRM),lonely-old.example,Customer,2026-03-02 09:00
9881,Globex (CRM),globex-old.example,Customer,2026-03-02 09:00
9882,Hooli (CRM),hooli.example,Customer,2026-03-02 09:00
9883,Hooli Europe (CRM),hooli.example,,2026-03-02 09:00
5556,Acme (CRM),acme.example,Lead,2026-03-02 09:00
5557,Umbrella (CRM),umbrella.example,Lead,2026-03-02 09:00
5558,Pied Piper (CRM),pied.example,Lead,2026-03-02 09:00
CSV
printf 'Record ID,First Name,Last Name,Email,Associated Company IDs (Primary),Job Title\n504,Eve,E,eve@gmail.com,9876,\n' \
	>"$T/contacts.csv"
imported companies_imported_first hubspot-companies "$T/c1.csv" "9 read, 9 inserted"
imported contact_of_9876_imported hubspot-contacts "$T/contacts.csv" "1 read, 1 inserted"
cat >"$T/orgs.json" <<'JSON'
{"organizations": [
  {"id": 360001, "name": "Northwind Health", "domain_names": ["nwh.example"], "updated_at": "2026-03-03T10:00:00Z"},
  {"id": 360003, "name": "Globex", "domain_names": ["globex-old.example"], "external_id": "9881",
   "updated_at": "2026-03-03T10:00:00Z"}
], "end_of_stream": true}
JSON
imported orgs_join_the_crms_customers zendesk-organizations "$T/orgs.json" "2 customers merged"
nw=$(customer_of hubspot-companies 9876)
ini=$(customer_of hubspot-companies 5555)
lon=$(customer_of hubspot-companies 9880)
glo=$(customer_of hubspot-companies 9881)
hoo=$(customer_of hubspot-companies 9882)
acme=$(customer_of hubspot-companies 5556)
umb=$(customer_of hubspot-companies 5557)
pied=$(customer_of hubspot-companies 5558)
check made_as_expected [ "$(customer_of zendesk-organizations 360001) $(owner_of "$nw") $(customer_of hubspot-contacts 504)" = "$nw 9876 $nw" ]
check hooli_two_records [ "$(customer_of hubspot-companies 9883) $(owner_of "$hoo")" = "$hoo 9882" ]
check northwind_named_by_its_maker [ "$(sql "SELECT name || ':' || lifecycle FROM customer WHERE id = $nw")" = "Northwind (CRM):established" ]

companies >"$T/c2.csv" <<'CSV'
9876,Northwind (CRM),initech.example,Customer,2026-03-04 09:00
9880,Lonely (CRM),acme.example,Customer,2026-03-04 09:00
9881,Globex (CRM),umbrella.example,Customer,2026-03-04 09:00
9882,Hooli (CRM),pied.example,Customer,2026-03-04 09:00
9883,Hooli Europe,hooli.example,,2026-03-04 09:00
CSV
before=$(sql "SELECT string_agg(id || ':' || name || ':' || coalesce(merged_into::text, '-'), ' ' ORDER BY id) FROM customer")
run "$BATON_BIN" -c "$CFG" -d "dbname=$db user=importer" import --dry-run --source hubspot-companies "$T/c2.csv"
expect dry_run_says_the_move sh -c '[ "$1" -eq 0 ] &&
	grep -q "^    HubSpot 9876, from #$3 .* to #$4 Initech (CRM): same domain initech.example$" "$2"' \
	_ "$rc" "$OUT" "$nw" "$ini"
check dry_run_changes_nothing [ "$(sql "SELECT string_agg(id || ':' || name || ':' || coalesce(merged_into::text, '-'), ' ' ORDER BY id) FROM customer")" = "$before" ]

imported maker_moves hubspot-companies "$T/c2.csv" "HubSpot 9876, from #$nw Northwind Health to #$ini Initech (CRM): same domain initech.example"
check maker_is_initechs [ "$(customer_of hubspot-companies 9876)" = "$ini" ]
check northwind_and_initech_stay_two \
	[ "$(sql "SELECT count(*) FROM customer WHERE id IN ($nw, $ini) AND merged_into IS NULL")" = 2 ]
check zendesk_org_stays_with_northwind [ "$(customer_of zendesk-organizations 360001)" = "$nw" ]
check northwind_is_the_orgs_now [ "$(owner_of "$nw")" = 360001 ]
check moved_maker_makes_nothing [ "$(sql "SELECT owns FROM import_record WHERE source = 'hubspot-companies' AND source_id = '9876'")" = f ]
check initech_keeps_its_maker [ "$(owner_of "$ini")" = 5555 ]
check northwind_takes_the_orgs_name [ "$(sql "SELECT name FROM customer WHERE id = $nw")" = "Northwind Health" ]
check northwind_gets_back_its_lifecycle [ "$(sql "SELECT lifecycle FROM customer WHERE id = $nw")" = onboarding ]
check initech_keeps_its_own_fields [ "$(sql "SELECT name || ':' || lifecycle FROM customer WHERE id = $ini")" = "Initech (CRM):prospect" ]
check its_id_goes_with_it [ "$(sql "SELECT customer_id FROM customer_external_id WHERE system = 'crm' AND external_id = '9876'")" = "$ini" ]
check its_contact_goes_with_it [ "$(customer_of hubspot-contacts 504) $(sql "SELECT customer_id FROM contact WHERE email = 'eve@gmail.com'")" = "$ini $ini" ]
check only_record_still_merges [ "$(sql "SELECT coalesce(merged_into, id) FROM customer WHERE id = $lon") $(customer_of hubspot-companies 9880)" = "$acme $acme" ]
check tied_by_id_stays_and_merges_as_before \
	[ "$(customer_of hubspot-companies 9881) $(sql "SELECT coalesce(merged_into, id) FROM customer WHERE id = $glo")" = "$umb $umb" ]
check hooli_maker_moves [ "$(customer_of hubspot-companies 9882)" = "$pied" ]
check hooli_other_record_makes_it_now [ "$(owner_of "$hoo") $(customer_of hubspot-companies 9883)" = "9883 $hoo" ]
check hooli_takes_its_new_name [ "$(sql "SELECT name || ':' || coalesce(merged_into::text, '-') FROM customer WHERE id = $hoo")" = "Hooli Europe:-" ]
check moves_written [ "$(sql "SELECT string_agg(source_id || ':' || from_customer || '>' || customer_id, ' ' ORDER BY source_id)
	FROM import_record_move")" = "9876:$nw>$ini 9882:$hoo>$pied" ]

run "$BATON_BIN" -d "dbname=$db" show "$nw"
expect northwind_no_longer_lists_the_record sh -c '[ "$1" -eq 0 ] && ! grep -q "9876" "$2" && grep -q "Northwind Health" "$2"' _ "$rc" "$OUT"
run "$BATON_BIN" -c "$CFG" -d "dbname=$db user=importer" merges --customer "$ini"
expect merges_say_the_record_came_from \
	sh -c '[ "$1" -eq 0 ] && grep -q "← HubSpot 9876 — same domain initech.example  \[moved from #$3\]" "$2"' \
	_ "$rc" "$OUT" "$nw"

imported same_file_again_changes_nothing hubspot-companies "$T/c2.csv" "0 updated, 5 unchanged, 0 rejected, 0 customers merged (no changes)"
cat >"$T/orgs2.json" <<'JSON'
{"organizations": [
  {"id": 360001, "name": "Northwind Health plc", "domain_names": ["nwh.example"], "updated_at": "2026-03-05T10:00:00Z"}
], "end_of_stream": true}
JSON
imported orgs_again_merge_nothing zendesk-organizations "$T/orgs2.json" "1 updated, 0 unchanged, 0 rejected, 0 customers merged"
check northwind_follows_its_maker_now [ "$(sql "SELECT name || ':' || coalesce(merged_into::text, '-') FROM customer WHERE id = $nw")" = "Northwind Health plc:-" ]

companies >"$T/c3.csv" <<'CSV'
9876,Northwind (CRM),nwh.example,Customer,2026-03-06 09:00
CSV
imported corrected_back_moves_back hubspot-companies "$T/c3.csv" "HubSpot 9876, from #$ini Initech (CRM) to #$nw Northwind Health plc: same domain nwh.example"
check back_as_a_joined_record [ "$(customer_of hubspot-companies 9876) $(owner_of "$nw")" = "$nw 360001" ]
check name_stays_the_orgs [ "$(sql "SELECT name FROM customer WHERE id = $nw")" = "Northwind Health plc" ]

# A merge a domain made before it was shared, whose record has moved on
# since: it joins nothing now, and baton doctor no longer names it.
companies >"$T/g1.csv" <<'CSV'
7001,Group A,grp.example,,2026-03-02 09:00
7002,Group B,grp.example,,2026-03-02 09:00
7003,Target,target.example,,2026-03-02 09:00
CSV
imported group_companies_merge hubspot-companies "$T/g1.csv" "1 customer merged"
run "$BATON_BIN" -d "dbname=$db" settings shared-domain add grp.example
expect group_domain_shared sh -c '[ "$1" -eq 0 ]' _ "$rc"
run "$BATON_BIN" -c "$CFG" -d "dbname=$db" doctor
expect doctor_names_the_group_merge \
	grep -q "^warn import .*1 merge was made only by a shared domain (grp.example)" "$OUT"
companies >"$T/g2.csv" <<'CSV'
7002,Group B,target.example,,2026-03-03 09:00
CSV
imported group_b_moves hubspot-companies "$T/g2.csv" "HubSpot 7002, from #.* Group A to #.* Target: same domain target.example"
run "$BATON_BIN" -c "$CFG" -d "dbname=$db" doctor
expect doctor_leaves_a_merge_whose_record_moved_on \
	sh -c '! grep -q "made only by a shared domain" "$1"' _ "$OUT"
