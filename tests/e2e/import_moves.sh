#!/bin/sh
# A record of a customers file whose domains a newer export corrects to
# another customer's moves to that customer; the two are not merged
# (migration 153):
#  - HubSpot company 9876 joined Northwind by nwh.example; its domain is
#    now initech.example, Initech's (another Zendesk organization): it
#    moves to Initech with its id and its contact, Northwind keeps its own
#    and gets back the lifecycle the record had given it, the run and
#    baton merges say so; a dry run says it and changes nothing;
#  - one tied to its customer by an id (the organization's external_id
#    names it) stays, and what it names joins as before;
#  - one whose new domain nobody has stays where it is;
#  - the same file again changes nothing; an export naming nwh.example
#    again moves it back;
#  - baton split --run of the run that joined it still undoes the others.
. "$BATON_ROOT/tests/lib/e2e.sh"
. "$BATON_ROOT/tests/lib/import.sh"

cli_files import_moves
db=$(newdb baton_schema) || { echo "FAIL import_moves: cannot create a test database"; exit 1; }
importer_role "$db"
CFG="$BATON_ROOT/etc/baton-import.cfg"
imp() { "$BATON_BIN" -c "$CFG" -d "dbname=$db user=importer" "$@"; }
# customer_of SOURCE ID: the customer of that record
customer_of() { sql "SELECT customer_id FROM import_record WHERE source = '$1' AND source_id = '$2'"; }
companies() { printf 'Record ID,Company name,Company Domain Name,Lifecycle Stage,Last Modified Date\r\n'; cat; }

cat >"$T/orgs.json" <<'JSON'
{"organizations": [
  {"id": 360001, "name": "Northwind Health", "domain_names": ["nwh.example"], "updated_at": "2026-03-01T10:00:00Z"},
  {"id": 360002, "name": "Initech", "domain_names": ["initech.example"], "updated_at": "2026-03-01T10:00:00Z"},
  {"id": 360003, "name": "Globex", "domain_names": ["globex.example"], "external_id": "9877",
   "updated_at": "2026-03-01T10:00:00Z"},
  {"id": 360004, "name": "Blue Fjord", "domain_names": ["bluefjord.example"], "updated_at": "2026-03-01T10:00:00Z"}
], "end_of_stream": true}
JSON
companies >"$T/c1.csv" <<'CSV'
9876,Northwind (CRM),nwh.example,Customer,2026-03-02 09:00
9877,Globex (CRM),globex-old.example,Customer,2026-03-02 09:00
9879,Fjord (CRM),bluefjord.example,Customer,2026-03-02 09:00
CSV
printf 'Record ID,First Name,Last Name,Email,Associated Company IDs (Primary),Job Title\n504,Eve,E,eve@gmail.com,9876,\n' \
	>"$T/contacts.csv"
imported orgs_imported zendesk-organizations "$T/orgs.json" "4 read, 4 inserted"
imported companies_join_their_organizations hubspot-companies "$T/c1.csv" "3 customers merged"
imported contact_of_9876_imported hubspot-contacts "$T/contacts.csv" "1 read, 1 inserted"
run1=$(sql "SELECT run_id FROM import_record WHERE source = 'hubspot-companies' AND source_id = '9876'")
nw=$(customer_of zendesk-organizations 360001)
ini=$(customer_of zendesk-organizations 360002)
glo=$(customer_of zendesk-organizations 360003)
fj=$(customer_of zendesk-organizations 360004)
check joined_as_expected [ "$(customer_of hubspot-companies 9876) $(customer_of hubspot-contacts 504)" = "$nw $nw" ]
check record_gave_northwind_its_lifecycle [ "$(sql "SELECT lifecycle FROM customer WHERE id = $nw")" = established ]

companies >"$T/c2.csv" <<'CSV'
9876,Northwind (CRM),initech.example,Customer,2026-03-03 09:00
9877,Globex (CRM),initech.example,Customer,2026-03-03 09:00
9879,Fjord (CRM),fjord-new.example,Customer,2026-03-03 09:00
CSV
state() { sql "SELECT string_agg(id || ':' || coalesce(merged_into::text, '-') || ':' || lifecycle, ' ' ORDER BY id)
               FROM customer"; }
before=$(state)
run imp import --dry-run --source hubspot-companies "$T/c2.csv"
expect dry_run_says_the_move sh -c '[ "$1" -eq 0 ] &&
	grep -q "^  would move to another customer (its domains or ids now name that one, not its own): 1$" "$2" &&
	grep -q "^    HubSpot 9876, from #$3 Northwind Health to #$4 Initech: same domain initech.example$" "$2"' \
	_ "$rc" "$OUT" "$nw" "$ini"
check dry_run_changes_nothing [ "$(state)" = "$before" ]
check dry_run_moves_nothing [ "$(sql "SELECT count(*) FROM import_record_move")" = 0 ]

run imp import --format json --source hubspot-companies "$T/c2.csv"
cp "$OUT" "$T/moves.json"
# json_move: the run's count of moves, and its first move's record, from and to
json_move() {
	echo "SELECT (j -> 0 ->> 'moved') || ' ' || (j -> 0 -> 'moves' -> 0 ->> 'record') || ' '
	             || (j -> 0 -> 'moves' -> 0 ->> 'from') || ' ' || (j -> 0 -> 'moves' -> 0 ->> 'to')
	      FROM (SELECT :'j'::jsonb AS j) x" | psql -X -At -d "$db" -v j="$(cat "$T/moves.json")"
}
expect json_lists_the_move sh -c '[ "$1" -eq 0 ] && [ "$2" = "1 HubSpot 9876 $3 $4" ]' _ "$rc" "$(json_move)" "$nw" "$ini"
check moved_record_is_initechs [ "$(customer_of hubspot-companies 9876)" = "$ini" ]
check northwind_and_initech_stay_two \
	[ "$(sql "SELECT count(*) FROM customer WHERE id IN ($nw, $ini) AND merged_into IS NULL")" = 2 ]
check its_id_goes_with_it [ "$(sql "SELECT customer_id FROM customer_external_id WHERE system = 'crm' AND external_id = '9876'")" = "$ini" ]
check its_contact_goes_with_it [ "$(customer_of hubspot-contacts 504)" = "$ini" ]
check contact_row_goes_with_it [ "$(sql "SELECT customer_id FROM contact WHERE email = 'eve@gmail.com'")" = "$ini" ]
check northwind_gets_back_its_lifecycle [ "$(sql "SELECT lifecycle FROM customer WHERE id = $nw")" = onboarding ]
check tied_by_id_stays_and_joins_as_before \
	[ "$(customer_of hubspot-companies 9877) $(sql "SELECT merged_into FROM customer WHERE id = $glo")" = "$ini $ini" ]
check new_domain_of_nobody_stays [ "$(customer_of hubspot-companies 9879)" = "$fj" ]
check one_move_written [ "$(sql "SELECT string_agg(source_id || ':' || from_customer || '>' || customer_id, ' ')
	FROM import_record_move")" = "9876:$nw>$ini" ]

run "$BATON_BIN" -d "dbname=$db" show "$nw"
expect northwind_no_longer_lists_the_record sh -c '[ "$1" -eq 0 ] && ! grep -q "9876" "$2"' _ "$rc" "$OUT"
# nor the evidence of the merge that had joined it
expect northwind_also_is_its_own_only grep -qx "Also: Zendesk org 360001" "$OUT"
run "$BATON_BIN" -d "dbname=$db" show "$ini"
expect initech_lists_it sh -c '[ "$1" -eq 0 ] && grep -q "^Also: .*HubSpot 9876" "$2"' _ "$rc" "$OUT"
run imp merges --customer "$nw"
expect merges_say_the_join_moved \
	sh -c '[ "$1" -eq 0 ] && grep -q "Northwind Health ← HubSpot 9876 — same domain nwh.example  \[moved to #$3 " "$2"' \
	_ "$rc" "$OUT" "$ini"
run imp merges --customer "$ini"
expect merges_say_the_record_came_from \
	sh -c '[ "$1" -eq 0 ] && grep -q "Initech ← HubSpot 9876 — same domain initech.example  \[moved from #$3\]" "$2"' \
	_ "$rc" "$OUT" "$nw"

imported same_file_again_changes_nothing hubspot-companies "$T/c2.csv" "0 updated, 3 unchanged, 0 rejected, 0 customers merged (no changes)"
check no_second_move [ "$(sql "SELECT count(*) FROM import_record_move")" = 1 ]

companies >"$T/c3.csv" <<'CSV'
9876,Northwind (CRM),nwh.example,Customer,2026-03-04 09:00
CSV
imported corrected_back_moves_back hubspot-companies "$T/c3.csv" "HubSpot 9876, from #$ini Initech to #$nw Northwind Health: same domain nwh.example"
check back_with_northwind [ "$(customer_of hubspot-companies 9876) $(customer_of hubspot-contacts 504)" = "$nw $nw" ]
check still_two [ "$(sql "SELECT count(*) FROM customer WHERE id IN ($nw, $ini) AND merged_into IS NULL")" = 2 ]

run imp split --run "$run1"
expect split_run_undoes_the_others \
	sh -c '[ "$1" -eq 0 ] && grep -q "^2 merges of run .* split" "$2"' _ "$rc" "$OUT"
check fjord_record_split_off [ "$(customer_of hubspot-companies 9879)" != "$fj" ]

# --- two records swapping customers in one file -----------------------------------
cat >"$T/orgs2.json" <<'JSON'
{"organizations": [
  {"id": 360010, "name": "Acme", "domain_names": ["acme.example"], "updated_at": "2026-03-01T10:00:00Z"},
  {"id": 360011, "name": "Umbrella", "domain_names": ["umbrella.example"], "updated_at": "2026-03-01T10:00:00Z"},
  {"id": 360012, "name": "Hooli", "domain_names": ["hooli.example"], "updated_at": "2026-03-01T10:00:00Z"},
  {"id": 360013, "name": "Pied Piper", "domain_names": ["pied.example"], "updated_at": "2026-03-01T10:00:00Z"}
], "end_of_stream": true}
JSON
companies >"$T/c4.csv" <<'CSV'
9890,Acme (CRM),acme.example,Customer,2026-03-02 09:00
9891,Umbrella (CRM),umbrella.example,Customer,2026-03-02 09:00
9892,Hooli (CRM),hooli.example,Customer,2026-03-02 09:00
9893,Hooli Europe (CRM),hooli.example,Customer,2026-03-02 09:00
9894,Pied Piper (CRM),pied.example,Customer,2026-03-02 09:00
CSV
imported more_orgs_imported zendesk-organizations "$T/orgs2.json" "4 read, 4 inserted"
run "$BATON_BIN" -d "dbname=$db" settings set import_max_join 100
expect max_join_raised [ "$rc" -eq 0 ]
imported more_companies_join hubspot-companies "$T/c4.csv" "5 customers merged"
acme=$(customer_of zendesk-organizations 360010)
umb=$(customer_of zendesk-organizations 360011)
hooli=$(customer_of zendesk-organizations 360012)
pied=$(customer_of zendesk-organizations 360013)
companies >"$T/c5.csv" <<'CSV'
9890,Acme (CRM),umbrella.example,Customer,2026-03-03 09:00
9891,Umbrella (CRM),acme.example,Customer,2026-03-03 09:00
CSV
imported swapped_records_both_move hubspot-companies "$T/c5.csv" "moved to another customer .*: 2$"
check each_is_the_others_now \
	[ "$(customer_of hubspot-companies 9890) $(customer_of hubspot-companies 9891)" = "$umb $acme" ]
check swapped_customers_stay_two \
	[ "$(sql "SELECT count(*) FROM customer WHERE id IN ($acme, $umb) AND merged_into IS NULL")" = 2 ]

# --- a move that would make a group over import_max_merge is not made --------------
run "$BATON_BIN" -d "dbname=$db" settings set import_max_merge 2
expect max_merge_lowered [ "$rc" -eq 0 ]
companies >"$T/c6.csv" <<'CSV'
9894,Pied Piper (CRM),hooli.example,Customer,2026-03-03 09:00
CSV
run imp import --source hubspot-companies "$T/c6.csv"
expect over_the_limit_reported_not_moved sh -c '[ "$1" -eq 0 ] && grep -q "^  not merged " "$2" &&
	! grep -q "moved to another customer" "$2"' _ "$rc" "$OUT"
check over_the_limit_record_stays [ "$(customer_of hubspot-companies 9894)" = "$pied" ]
check over_the_limit_its_id_stays \
	[ "$(sql "SELECT customer_id FROM customer_external_id WHERE system = 'crm' AND external_id = '9894'")" = "$pied" ]
check hooli_keeps_its_two [ "$(sql "SELECT count(*) FROM import_record WHERE customer_id = $hooli AND source = 'hubspot-companies'")" = 2 ]
run "$BATON_BIN" -d "dbname=$db" settings set import_max_merge 10
expect max_merge_back [ "$rc" -eq 0 ]

# --- its identifiers reach its customer and one kept apart from it ------------------
# HubSpot 31 and 32 make A and B; Zendesk organizations 601 (a, x) and 602
# (a) join A; 604 (a, b) merged B into A, which a split undid.  602 now
# names b and x: x is still A's (601's), so it stays with A, and A and B
# stay apart.
companies >"$T/ab.csv" <<'CSV'
31,Acrm,a.example,Customer,2026-03-02 09:00
32,Bcrm,b.example,Customer,2026-03-02 09:00
CSV
imported makers_imported hubspot-companies "$T/ab.csv" "2 inserted"
cat >"$T/ab-orgs.json" <<'JSON'
{"organizations": [
  {"id": 601, "name": "A one", "domain_names": ["a.example", "x.example"], "updated_at": "2026-03-01T10:00:00Z"},
  {"id": 602, "name": "A two", "domain_names": ["a.example"], "updated_at": "2026-03-01T10:00:00Z"},
  {"id": 604, "name": "A and B", "domain_names": ["a.example", "b.example"], "updated_at": "2026-03-01T10:00:00Z"}
], "end_of_stream": true}
JSON
imported orgs_join_and_bridge zendesk-organizations "$T/ab-orgs.json" "3 inserted"
ca=$(customer_of hubspot-companies 31)
cb=$(sql "SELECT id FROM customer WHERE name = 'Bcrm'")
bridge=$(sql "SELECT id FROM customer_merge WHERE absorbed = $cb")
run "$BATON_BIN" -d "dbname=$db" split "$bridge"
expect a_and_b_split_apart sh -c '[ "$1" -eq 0 ] && grep -q "separate customers" "$2"' _ "$rc" "$OUT"
cat >"$T/ab-orgs2.json" <<'JSON'
{"organizations": [
  {"id": 602, "name": "A two", "domain_names": ["b.example", "x.example"], "updated_at": "2026-03-02T10:00:00Z"}
], "end_of_stream": true}
JSON
run imp import --source zendesk-organizations "$T/ab-orgs2.json"
expect reaching_its_own_and_one_apart_it_stays sh -c '[ "$1" -eq 0 ] && ! grep -q "moved to another customer" "$2"' _ "$rc" "$OUT"
check it_is_still_as [ "$(customer_of zendesk-organizations 602)" = "$ca" ]
check a_and_b_still_apart \
	[ "$(sql "SELECT count(*) FROM customer WHERE id IN ($ca, $cb) AND merged_into IS NULL")" = 2 ]

# --- its id named by another record of its customer ----------------------------------
# HubSpot 9876 is Northwind's again; Northwind's organization now names it
# as its CRM id.  Its domain corrected to Initech's again: the
# organization's word ties it to Northwind, so it stays, and its id too.
cat >"$T/orgs3.json" <<'JSON'
{"organizations": [{"id": 360001, "name": "Northwind Health", "domain_names": ["nwh.example"], "external_id": "9876",
  "updated_at": "2026-03-05T10:00:00Z"}], "end_of_stream": true}
JSON
imported organization_names_the_crm_id zendesk-organizations "$T/orgs3.json" "1 updated"
companies >"$T/c7.csv" <<'CSV'
9876,Northwind (CRM),initech.example,Customer,2026-03-06 09:00
CSV
run imp import --source hubspot-companies "$T/c7.csv"
expect named_by_its_customer_it_stays sh -c '[ "$1" -eq 0 ] && ! grep -q "moved to another customer" "$2"' _ "$rc" "$OUT"
check named_by_its_customer_its_id_stays \
	[ "$(sql "SELECT coalesce(c.merged_into, c.id) FROM customer_external_id e JOIN customer c ON c.id = e.customer_id
	          WHERE e.system = 'crm' AND e.external_id = '9876'")" = \
	  "$(sql "SELECT coalesce(c.merged_into, c.id) FROM customer c WHERE c.id = $nw")" ]
check named_by_its_customer_record_with_it \
	[ "$(customer_of hubspot-companies 9876)" = "$(sql "SELECT coalesce(merged_into, id) FROM customer WHERE id = $nw")" ]

# --- two leave one customer together; back and forth ---------------------------------
# HubSpot 9900 and 9901 joined Kappa, each giving it its lifecycle; both
# move to Lambda in one file, and Kappa's lifecycle is its own again.  9900
# moves back and then to Lambda again: each time, whatever it joined before
# and left is no holder of the domain (import_max_join back at 3).
run "$BATON_BIN" -d "dbname=$db" settings set import_max_join 3
expect max_join_back [ "$rc" -eq 0 ]
cat >"$T/kl.json" <<'JSON'
{"organizations": [
  {"id": 360020, "name": "Kappa", "domain_names": ["kappa.example"], "updated_at": "2026-03-01T10:00:00Z"},
  {"id": 360021, "name": "Lambda", "domain_names": ["lambda.example"], "updated_at": "2026-03-01T10:00:00Z"}
], "end_of_stream": true}
JSON
imported kappa_and_lambda zendesk-organizations "$T/kl.json" "2 inserted"
kap=$(customer_of zendesk-organizations 360020)
lam=$(customer_of zendesk-organizations 360021)
companies >"$T/k1.csv" <<'CSV'
9900,Kappa (CRM),kappa.example,Customer,2026-03-02 09:00
9901,Kappa Two (CRM),kappa.example,Customer,2026-03-02 09:00
CSV
imported both_join_kappa hubspot-companies "$T/k1.csv" "2 customers merged"
check kappa_has_their_lifecycle [ "$(sql "SELECT lifecycle FROM customer WHERE id = $kap")" = established ]
companies >"$T/k2.csv" <<'CSV'
9900,Kappa (CRM),lambda.example,Customer,2026-03-03 09:00
9901,Kappa Two (CRM),lambda.example,Customer,2026-03-03 09:00
CSV
imported both_move_to_lambda hubspot-companies "$T/k2.csv" "moved to another customer .*: 2$"
check kappa_gets_back_its_lifecycle_when_both_leave [ "$(sql "SELECT lifecycle FROM customer WHERE id = $kap")" = onboarding ]
companies >"$T/k3.csv" <<'CSV'
9900,Kappa (CRM),kappa.example,Customer,2026-03-04 09:00
CSV
imported one_moves_back hubspot-companies "$T/k3.csv" "from #$lam Lambda to #$kap Kappa"
companies >"$T/k4.csv" <<'CSV'
9900,Kappa (CRM),lambda.example,Customer,2026-03-05 09:00
CSV
run imp import --source hubspot-companies "$T/k4.csv"
expect and_again_to_lambda sh -c '[ "$1" -eq 0 ] && grep -q "from #$3 Kappa to #$4 Lambda" "$2" &&
	! grep -q "not used to merge" "$2"' _ "$rc" "$OUT" "$kap" "$lam"
check with_lambda_again [ "$(customer_of hubspot-companies 9900)" = "$lam" ]
