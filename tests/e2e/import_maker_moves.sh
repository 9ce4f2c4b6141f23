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
#    other, in the same file with a new name, makes it from then on (and,
#    mapping the lifecycle without a value, gives the default);
#  - a field only the maker mapped comes from a record that stays (Zeta);
#  - a maker moves when its customer's other record, in the same file with
#    a domain nobody has, stays (Eta);
#  - a record that is its customer's only one still merges the two;
#  - one tied to its customer by an id (the organization names it) stays;
#  - the join of a record that makes its customer now is no merge to undo:
#    baton merges marks it, baton split refuses it, split --run leaves it;
#  - baton doctor no longer names a merge whose record moved on.
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
9890,Zeta (CRM),zeta.example,Customer,2026-03-02 09:00
5559,Target Two (CRM),t2.example,Lead,2026-03-02 09:00
9900,Eta (CRM),eta.example,Customer,2026-03-02 09:00
9901,Eta Two (CRM),eta.example,Lead,2026-03-02 09:00
5560,Theta (CRM),theta.example,Lead,2026-03-02 09:00
CSV
printf 'Record ID,First Name,Last Name,Email,Associated Company IDs (Primary),Job Title\n504,Eve,E,eve@gmail.com,9876,\n' \
	>"$T/contacts.csv"
imported companies_imported_first hubspot-companies "$T/c1.csv" "14 read, 14 inserted"
imported contact_of_9876_imported hubspot-contacts "$T/contacts.csv" "1 read, 1 inserted"
cat >"$T/orgs.json" <<'JSON'
{"organizations": [
  {"id": 360001, "name": "Northwind Health", "domain_names": ["nwh.example"], "updated_at": "2026-03-03T10:00:00Z"},
  {"id": 360003, "name": "Globex", "domain_names": ["globex-old.example"], "external_id": "9881",
   "updated_at": "2026-03-03T10:00:00Z"},
  {"id": 360005, "name": "Zeta", "domain_names": ["zeta.example"], "updated_at": "2026-03-03T10:00:00Z"}
], "end_of_stream": true}
JSON
imported orgs_join_the_crms_customers zendesk-organizations "$T/orgs.json" "3 customers merged"
orgs_run=$(sql "SELECT run_id FROM import_record WHERE source = 'zendesk-organizations' AND source_id = '360001'")
# A HubSpot company that joins Zeta after its organization: it maps the
# lifecycle, which its maker gave.
companies >"$T/c1b.csv" <<'CSV'
9891,Zeta Labs (CRM),zeta.example,Lead,2026-03-03 12:00
CSV
imported zeta_labs_joins hubspot-companies "$T/c1b.csv" "1 customer merged"
nw=$(customer_of hubspot-companies 9876)
ini=$(customer_of hubspot-companies 5555)
lon=$(customer_of hubspot-companies 9880)
glo=$(customer_of hubspot-companies 9881)
hoo=$(customer_of hubspot-companies 9882)
acme=$(customer_of hubspot-companies 5556)
umb=$(customer_of hubspot-companies 5557)
pied=$(customer_of hubspot-companies 5558)
zeta=$(customer_of hubspot-companies 9890)
t2=$(customer_of hubspot-companies 5559)
eta=$(customer_of hubspot-companies 9900)
theta=$(customer_of hubspot-companies 5560)
check made_as_expected [ "$(customer_of zendesk-organizations 360001) $(owner_of "$nw") $(customer_of hubspot-contacts 504)" = "$nw 9876 $nw" ]
check hooli_two_records [ "$(customer_of hubspot-companies 9883) $(owner_of "$hoo")" = "$hoo 9882" ]
check northwind_named_by_its_maker [ "$(sql "SELECT name || ':' || lifecycle FROM customer WHERE id = $nw")" = "Northwind (CRM):established" ]

companies >"$T/c2.csv" <<'CSV'
9876,Northwind (CRM),initech.example,Customer,2026-03-04 09:00
9880,Lonely (CRM),acme.example,Customer,2026-03-04 09:00
9881,Globex (CRM),umbrella.example,Customer,2026-03-04 09:00
9882,Hooli (CRM),pied.example,Customer,2026-03-04 09:00
9883,Hooli Europe,hooli.example,,2026-03-04 09:00
9890,Zeta (CRM),t2.example,Customer,2026-03-04 09:00
9900,Eta (CRM),theta.example,Customer,2026-03-04 09:00
9901,Eta Two (CRM),eta-new.example,Lead,2026-03-04 09:00
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
check hooli_lifecycle_as_its_new_maker_has_none [ "$(sql "SELECT lifecycle FROM customer WHERE id = $hoo")" = onboarding ]
check zeta_is_its_org_s [ "$(customer_of hubspot-companies 9890) $(owner_of "$zeta")" = "$t2 360005" ]
# Zeta Labs maps the lifecycle, its organization does not: Zeta takes
# Zeta Labs' (the maker's no longer)
check zeta_takes_the_lifecycle_of_the_record_that_stays [ "$(sql "SELECT name || ':' || lifecycle FROM customer WHERE id = $zeta")" = "Zeta:prospect" ]
# Eta Two, in the same file, stays with Eta (its new domain is nobody's),
# so Eta moves and the two customers stay two
check eta_maker_moves_as_its_other_record_stays [ "$(customer_of hubspot-companies 9900) $(customer_of hubspot-companies 9901) $(owner_of "$eta")" = "$theta $eta 9901" ]
check eta_and_theta_stay_two [ "$(sql "SELECT count(*) FROM customer WHERE id IN ($eta, $theta) AND merged_into IS NULL")" = 2 ]
check moves_written [ "$(sql "SELECT string_agg(source_id || ':' || from_customer || '>' || customer_id, ' ' ORDER BY source_id)
	FROM import_record_move")" = "9876:$nw>$ini 9882:$hoo>$pied 9890:$zeta>$t2 9900:$eta>$theta" ]

run "$BATON_BIN" -d "dbname=$db" show "$nw"
expect northwind_no_longer_lists_the_record sh -c '[ "$1" -eq 0 ] && ! grep -q "9876" "$2" && grep -q "Northwind Health" "$2"' _ "$rc" "$OUT"
# nor the evidence of the organization's join: it makes Northwind now
expect northwind_also_is_its_org_only grep -qx "Also: Zendesk org 360001" "$OUT"
run "$BATON_BIN" -c "$CFG" -d "dbname=$db user=importer" merges --customer "$nw"
expect merges_say_the_org_makes_northwind_now \
	sh -c '[ "$1" -eq 0 ] && grep -q "← Zendesk org 360001 — same domain nwh.example  \[makes #$3 now\]" "$2"' \
	_ "$rc" "$OUT" "$nw"
org_merge=$(sql "SELECT id FROM customer_merge WHERE joined_source = 'zendesk-organizations' AND joined_source_id = '360001'")
run "$BATON_BIN" -c "$CFG" -d "dbname=$db user=importer" split "$org_merge"
expect split_of_the_org_s_join_refused sh -c '[ "$1" -ne 0 ] &&
	grep -q "Zendesk org 360001 makes customer $3 now (the record it joined moved to another customer): nothing to split" "$2"' \
	_ "$rc" "$ERR" "$nw"
run "$BATON_BIN" -c "$CFG" -d "dbname=$db user=importer" merges --customer "$ini"
expect merges_say_the_record_came_from \
	sh -c '[ "$1" -eq 0 ] && grep -q "← HubSpot 9876 — same domain initech.example  \[moved from #$3\]" "$2"' \
	_ "$rc" "$OUT" "$nw"

imported same_file_again_changes_nothing hubspot-companies "$T/c2.csv" "0 updated, 8 unchanged, 0 rejected, 0 customers merged (no changes)"
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

# split --run of the organisations' run splits its other merge (Globex's)
# and leaves the two whose record makes its customer now
run "$BATON_BIN" -c "$CFG" -d "dbname=$db user=importer" split --run "$orgs_run"
expect split_run_leaves_the_org_that_makes_northwind sh -c '[ "$1" -eq 0 ] && grep -q "^1 merge of run .* split" "$2"' \
	_ "$rc" "$OUT"
check northwind_and_zeta_still_the_orgs [ "$(customer_of zendesk-organizations 360001) $(owner_of "$nw") $(customer_of zendesk-organizations 360005) $(owner_of "$zeta")" = "$nw 360001 $zeta 360005" ]
check globex_org_split_off [ "$(customer_of zendesk-organizations 360003)" != "$umb" ]

# --- a second review's cases ------------------------------------------------------
# org FILE DATE ID:NAME:DOMAIN[,DOMAIN]...: a Zendesk organizations page
org() {
	_f=$1 _d=$2
	shift 2
	{ printf '{"organizations": ['; _sep=
	  for _o in "$@"; do
		printf '%s{"id": %s, "name": "%s", "domain_names": ["%s"], "updated_at": "%s"}' "$_sep" \
			"${_o%%:*}" "$(echo "$_o" | cut -d: -f2)" "$(echo "$_o" | cut -d: -f3 | sed 's/,/", "/g')" "$_d"
		_sep=", "
	  done
	  printf '], "end_of_stream": true}\n'; } >"$_f"
}
# The heir is the record that joined this customer first, not one whose
# earlier join elsewhere it moved on from: org 370010 joined Bravo first,
# then Alpha after org 370011 had.
companies >"$T/f1.csv" <<'CSV'
7300,Alpha (CRM),a8.example,Customer,2026-03-02 09:00
7301,Bravo (CRM),b8.example,Customer,2026-03-02 09:00
7302,Charlie (CRM),c8.example,Customer,2026-03-02 09:00
CSV
imported f1_companies hubspot-companies "$T/f1.csv" "3 inserted"
org "$T/f1o1.json" 2026-03-03T10:00:00Z 370010:Ten:b8.example
imported f1_ten_joins_bravo zendesk-organizations "$T/f1o1.json" "1 customer merged"
org "$T/f1o2.json" 2026-03-03T11:00:00Z 370011:Eleven:a8.example
imported f1_eleven_joins_alpha zendesk-organizations "$T/f1o2.json" "1 customer merged"
org "$T/f1o3.json" 2026-03-03T12:00:00Z 370010:Ten:a8.example
imported f1_ten_moves_to_alpha zendesk-organizations "$T/f1o3.json" "Zendesk org 370010, from #"
alpha=$(customer_of hubspot-companies 7300)
companies >"$T/f1b.csv" <<'CSV'
7300,Alpha (CRM),c8.example,Customer,2026-03-04 09:00
CSV
imported f1_alpha_maker_moves hubspot-companies "$T/f1b.csv" "HubSpot 7300, from #$alpha"
check f1_heir_joined_alpha_first [ "$(owner_of "$alpha") $(sql "SELECT name FROM customer WHERE id = $alpha")" = "370011 Eleven" ]

# Records leaving with a maker that stays (its customer keeps none): they
# go with their customer, merged as before, and no move is said.
companies >"$T/f3.csv" <<'CSV'
7100,Delta (CRM),a7.example,Customer,2026-03-02 09:00
7101,Delta Two (CRM),a7.example,Customer,2026-03-02 09:00
7200,Echo (CRM),b7.example,Customer,2026-03-02 09:00
CSV
imported f3_companies hubspot-companies "$T/f3.csv" "3 inserted"
companies >"$T/f3b.csv" <<'CSV'
7100,Delta (CRM),b7.example,Customer,2026-03-04 09:00
7101,Delta Two (CRM),b7.example,Customer,2026-03-04 09:00
CSV
run "$BATON_BIN" -c "$CFG" -d "dbname=$db user=importer" import --source hubspot-companies "$T/f3b.csv"
expect f3_both_leave_merged_no_move sh -c '[ "$1" -eq 0 ] && grep -q "1 customer merged" "$2" && ! grep -q "moved to another customer" "$2"' \
	_ "$rc" "$OUT"
check f3_no_move_written [ "$(sql "SELECT count(*) FROM import_record_move WHERE source_id IN ('7100', '7101')")" = 0 ]
check f3_one_customer [ "$(sql "SELECT count(DISTINCT coalesce(c.merged_into, c.id)) FROM import_record r JOIN customer c ON c.id = r.customer_id
	WHERE r.source = 'hubspot-companies' AND r.source_id IN ('7100', '7101', '7200')")" = 1 ]

# A heir that came with its customer, absorbed: the absorption is no merge
# to undo either (a split of it left the customer without any record).
org "$T/f4o1.json" 2026-03-03T10:00:00Z 370020:Papa:a9.example
imported f4_org_makes_papa zendesk-organizations "$T/f4o1.json" "1 inserted"
companies >"$T/f4.csv" <<'CSV'
7400,Quebec (CRM),d9.example,Customer,2026-03-02 09:00
7401,Romeo (CRM),b9.example,Customer,2026-03-02 09:00
CSV
imported f4_companies hubspot-companies "$T/f4.csv" "2 inserted"
papa=$(customer_of zendesk-organizations 370020)
org "$T/f4o2.json" 2026-03-03T11:00:00Z 370020:Papa:a9.example,d9.example
imported f4_papa_absorbs_quebec zendesk-organizations "$T/f4o2.json" "1 customer merged"
absorb=$(sql "SELECT id FROM customer_merge WHERE customer_id = $papa AND absorbed IS NOT NULL")
org "$T/f4o3.json" 2026-03-03T12:00:00Z 370020:Papa:b9.example
imported f4_org_moves_to_romeo zendesk-organizations "$T/f4o3.json" "Zendesk org 370020, from #$papa"
check f4_quebec_record_makes_papa [ "$(owner_of "$papa") $(sql "SELECT name FROM customer WHERE id = $papa")" = "7400 Quebec (CRM)" ]
run "$BATON_BIN" -c "$CFG" -d "dbname=$db user=importer" split "$absorb"
expect f4_split_of_the_absorption_refused sh -c '[ "$1" -ne 0 ] &&
	grep -q "HubSpot 7400 makes customer $3 now .*: nothing to split" "$2"' _ "$rc" "$ERR" "$papa"
run "$BATON_BIN" -c "$CFG" -d "dbname=$db user=importer" merges --customer "$papa"
expect f4_merges_mark_the_absorption sh -c '[ "$1" -eq 0 ] && grep -q "\[makes #$3 now\]" "$2"' _ "$rc" "$OUT" "$papa"

# A merge whose record moved on is not also one that makes the customer:
# org 370030 joined Sierra, moved to Tango, came back, and makes Sierra.
companies >"$T/f2.csv" <<'CSV'
7500,Sierra (CRM),a10.example,Customer,2026-03-02 09:00
7501,Tango (CRM),b10.example,Customer,2026-03-02 09:00
7502,Uniform (CRM),c10.example,Customer,2026-03-02 09:00
CSV
imported f2_companies hubspot-companies "$T/f2.csv" "3 inserted"
org "$T/f2o1.json" 2026-03-03T10:00:00Z 370030:Thirty:a10.example
imported f2_joins_sierra zendesk-organizations "$T/f2o1.json" "1 customer merged"
org "$T/f2o2.json" 2026-03-03T11:00:00Z 370030:Thirty:b10.example
imported f2_moves_to_tango zendesk-organizations "$T/f2o2.json" "Zendesk org 370030, from #"
org "$T/f2o3.json" 2026-03-03T12:00:00Z 370030:Thirty:a10.example
imported f2_back_to_sierra zendesk-organizations "$T/f2o3.json" "Zendesk org 370030, from #"
sierra=$(customer_of hubspot-companies 7500)
companies >"$T/f2b.csv" <<'CSV'
7500,Sierra (CRM),c10.example,Customer,2026-03-04 09:00
CSV
imported f2_sierra_maker_moves hubspot-companies "$T/f2b.csv" "HubSpot 7500, from #$sierra"
run "$BATON_BIN" -c "$CFG" -d "dbname=$db user=importer" merges --customer "$sierra"
expect f2_only_the_last_join_makes_sierra sh -c '[ "$1" -eq 0 ] && [ "$(grep -c "\[makes #$3 now\]" "$2")" = 1 ] &&
	! grep "\[moved to" "$2" | grep -q "\[makes"' _ "$rc" "$OUT" "$sierra"
