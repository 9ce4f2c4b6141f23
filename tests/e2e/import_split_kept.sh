#!/bin/sh
# A split stays split (migration 060), through what the helpers found:
#  - a record split off is a customer with the record's fields, as its
#    last import gave them (091), and its next import updates it;
#  - a third record sharing a domain with both customers of a split joins
#    the oldest of them and never makes them one again;
#  - so does a record naming the domains of both sides of a split absorption,
#    and a record at one side's own domain joins that side, not the other
#    with a contact there;
#  - each absorption's evidence is what tied that customer in, not the
#    whole component's identifiers;
#  - an absorption can be split after its survivor was absorbed in turn
#    (B into A, then A into Z): B is itself again, with what came with it,
#    and the next import keeps B apart from Z;
#  - a record's join can be split after its customer was absorbed, and it is
#    listed, with its evidence, among the profile's merges.
. "$BATON_ROOT/tests/lib/e2e.sh"
. "$BATON_ROOT/tests/lib/import.sh"

cli_files import_split_kept
db=$(newdb baton_schema) || { echo "FAIL import_split_kept: cannot create a test database"; exit 1; }
importer_role "$db"
CFG="$BATON_ROOT/etc/baton-import.cfg"
as_importer() { "$BATON_BIN" -c "$CFG" -d "dbname=$db user=importer" "$@"; }
# merge_of WHERE: the id of the one merge WHERE says
merge_of() { sql "SELECT id FROM customer_merge WHERE $1"; }
# home SOURCE ID: the customer of a source's record
home() { sql "SELECT customer_id FROM import_record WHERE source = '$1' AND source_id = '$2'"; }
# into NAME: where the customer NAME points (empty: it is its own)
into() { sql "SELECT merged_into FROM customer WHERE name = '$1'"; }
# both A B C D: A is B and C is D
both() { [ "$1" = "$2" ] && [ "$3" = "$4" ]; }
csv_head='Record ID,Company name,Company Domain Name,Lifecycle Stage,Last Modified Date'

# 1. Acme (Zendesk) and Acme Consulting (HubSpot) share acme.example, are
# merged by it, then split.  A third company at acme.example comes.
cat >"$T/acme.json" <<'EOF'
{"organizations": [{"id": 1, "name": "Acme Inc", "domain_names": ["acme.example"],
  "updated_at": "2026-03-01T10:00:00Z"}], "end_of_stream": true}
EOF
printf '%s\r\n9,Acme Consulting,acme.example,Customer,2026-03-02 09:00\r\n' "$csv_head" >"$T/consulting.csv"
printf '%s\r\n10,Acme Third,acme.example,Customer,2026-03-03 09:00\r\n' "$csv_head" >"$T/third.csv"
imported acme_org zendesk-organizations "$T/acme.json" "1 inserted"
imported consulting_joins hubspot-companies "$T/consulting.csv" "1 inserted.*1 customer merged"
run as_importer split "$(merge_of "joined_source_id = '9'")"
expect consulting_split sh -c '[ "$1" -eq 0 ]' _ "$rc"
acme=$(home zendesk-organizations 1)
consulting=$(home hubspot-companies 9)
run as_importer import --dry-run --source hubspot-companies "$T/third.csv"
expect "the dry run of the third company says it joins one customer" \
	sh -c '[ "$1" -eq 0 ] && grep -q "1 inserted.*1 customer merged" "$2"' _ "$rc" "$OUT"
imported third_company hubspot-companies "$T/third.csv" "1 read, 1 inserted, 0 updated, 0 unchanged, 0 rejected, 1 customer merged"
check "the split pair is still two customers" \
	[ "$(sql "SELECT count(*) FROM customer WHERE id IN ($acme, $consulting) AND merged_into IS NULL")" = 2 ]
check "the third company joins the oldest of them" [ "$(home hubspot-companies 10)" = "$acme" ]
check "its merge's evidence is the domain" \
	[ "$(sql "SELECT identifiers FROM customer_merge WHERE joined_source_id = '10'")" = "same domain acme.example" ]
imported third_again hubspot-companies "$T/third.csv" "1 unchanged"
check "the customer split off has the record's fields before its next import (091)" \
	[ "$(sql "SELECT lifecycle FROM customer WHERE id = $consulting")" = established ]
imported consulting_again hubspot-companies "$T/consulting.csv" "1 updated, 0 unchanged, 0 rejected, 0 customers merged"
check "and the record's fields after it" \
	[ "$(sql "SELECT lifecycle FROM customer WHERE id = $consulting")" = established ]
imported consulting_once_more hubspot-companies "$T/consulting.csv" "1 unchanged"
check "and again: still two" \
	[ "$(sql "SELECT count(*) FROM customer WHERE id IN ($acme, $consulting) AND merged_into IS NULL")" = 2 ]

# 2. Alpha absorbs Beta and Gamma through its users' addresses; Beta is
# split off; then a company names both beta.example and alpha.example.
cat >"$T/abg.json" <<'EOF'
{"organizations": [
 {"id": 11, "name": "Alpha Ltd", "domain_names": ["alpha.example"], "updated_at": "2026-03-01T10:00:00Z"},
 {"id": 12, "name": "Beta GmbH", "domain_names": ["beta.example"], "updated_at": "2026-03-01T10:00:00Z"},
 {"id": 13, "name": "Gamma SA", "domain_names": ["gamma.example"], "updated_at": "2026-03-01T10:00:00Z"}],
 "end_of_stream": true}
EOF
cat >"$T/abg-users.json" <<'EOF'
{"users": [
 {"id": 71, "name": "Bo", "email": "bo@beta.example", "organization_id": 11, "updated_at": "2026-03-01T10:00:00Z"},
 {"id": 72, "name": "Ga", "email": "ga@gamma.example", "organization_id": 11, "updated_at": "2026-03-01T10:00:00Z"}],
 "end_of_stream": true}
EOF
printf '%s\r\n40,Beta EU,"beta.example;alpha.example",Customer,2026-03-05 09:00\r\n' "$csv_head" >"$T/link.csv"
imported abg_orgs zendesk-organizations "$T/abg.json" "3 inserted"
imported abg_users zendesk-users "$T/abg-users.json" "2 customers merged"
check "Beta's absorption names beta.example alone, Gamma's gamma.example" \
	both "$(sql "SELECT identifiers FROM customer_merge m JOIN customer c ON c.id = m.absorbed
	             WHERE c.name = 'Beta GmbH'")" "same domain beta.example" \
	     "$(sql "SELECT identifiers FROM customer_merge m JOIN customer c ON c.id = m.absorbed
	             WHERE c.name = 'Gamma SA'")" "same domain gamma.example"
run as_importer split "$(merge_of "absorbed = (SELECT id FROM customer WHERE name = 'Beta GmbH')")"
expect beta_split sh -c '[ "$1" -eq 0 ]' _ "$rc"
imported link_company hubspot-companies "$T/link.csv" "1 inserted.*1 customer merged"
check "Beta stays apart from Alpha" [ -z "$(into 'Beta GmbH')" ]
check "the company naming both joins Alpha, the older" \
	[ "$(home hubspot-companies 40)" = "$(sql "SELECT id FROM customer WHERE name = 'Alpha Ltd'")" ]
# A company at Beta's own domain, where Alpha has only a contact, joins Beta.
printf '%s\r\n41,Beta Labs,beta.example,Customer,2026-03-05 09:00\r\n' "$csv_head" >"$T/beta-labs.csv"
imported beta_labs hubspot-companies "$T/beta-labs.csv" "1 inserted.*1 customer merged"
check "a company at Beta's own domain joins Beta, not Alpha and its contact there" \
	[ "$(home hubspot-companies 41)" = "$(sql "SELECT id FROM customer WHERE name = 'Beta GmbH'")" ]

# 3. Beta is absorbed into Alpha (a contact of Beta's at alpha.example),
# then Alpha into Zeta (a user of Alpha's at zeta.example).  The first merge
# is split after the second.
cat >"$T/za.json" <<'EOF'
{"organizations": [
 {"id": 21, "name": "Zeta Group", "domain_names": ["zeta.example"], "updated_at": "2026-03-01T10:00:00Z"},
 {"id": 22, "name": "Alfa Ltd", "domain_names": ["alfa.example"], "updated_at": "2026-03-01T10:00:00Z"}],
 "end_of_stream": true}
EOF
printf '%s\r\n30,Beth GmbH,beth.example,Customer,2026-03-02 09:00\r\n' "$csv_head" >"$T/beth.csv"
{
	printf 'Record ID,First Name,Last Name,Email,Associated Company IDs (Primary),Job Title\r\n'
	printf '501,Bea,B,bea@alfa.example,30,CTO\r\n'
} >"$T/beth-contacts.csv"
cat >"$T/za-users.json" <<'EOF'
{"users": [{"id": 81, "name": "Al", "email": "al@zeta.example", "organization_id": 22,
  "updated_at": "2026-03-01T10:00:00Z"}], "end_of_stream": true}
EOF
imported za_orgs zendesk-organizations "$T/za.json" "2 inserted"
imported beth_company hubspot-companies "$T/beth.csv" "1 inserted"
imported beth_contact hubspot-contacts "$T/beth-contacts.csv" "1 customer merged"
zeta=$(sql "SELECT id FROM customer WHERE name = 'Zeta Group'")
alfa=$(sql "SELECT id FROM customer WHERE name = 'Alfa Ltd'")
beth=$(sql "SELECT id FROM customer WHERE name = 'Beth GmbH'")
check "Beth is absorbed into Alfa" [ "$(into 'Beth GmbH')" = "$alfa" ]
imported za_user zendesk-users "$T/za-users.json" "1 customer merged"
check "then Alfa into Zeta, and Beth points at Zeta" \
	both "$(into 'Alfa Ltd')" "$zeta" "$(into 'Beth GmbH')" "$zeta"
run as_importer merges --customer zeta.example
expect "Zeta's merges list Beth's absorption into Alfa" \
	sh -c 'grep -q "#$2 Alfa Ltd ← #$3 Beth GmbH" "$1"' _ "$OUT" "$alfa" "$beth"
run as_importer split "$(merge_of "absorbed = $beth")"
expect "Beth's absorption is split after Alfa's" sh -c '[ "$1" -eq 0 ]' _ "$rc"
check "Beth is its own customer again" [ -z "$(into 'Beth GmbH')" ]
check "with its company record" [ "$(home hubspot-companies 30)" = "$beth" ]
check "and Alfa is still Zeta's" [ "$(into 'Alfa Ltd')" = "$zeta" ]
imported beth_again hubspot-companies "$T/beth.csv" "1 unchanged"
printf '%s\r\n31,Beth Holding,beth.example,Customer,2026-03-04 09:00\r\n' "$csv_head" >"$T/beth-holding.csv"
{
	printf 'Record ID,First Name,Last Name,Email,Associated Company IDs (Primary),Job Title\r\n'
	printf '502,Ben,B,ben@alfa.example,31,CFO\r\n'
} >"$T/holding-contacts.csv"
imported beth_holding hubspot-companies "$T/beth-holding.csv" "1 customer merged"
imported holding_contact hubspot-contacts "$T/holding-contacts.csv" "1 inserted"
check "a record of Beth's with a contact at Alfa's domain leaves Beth apart from Zeta" \
	both "$(into 'Beth GmbH')" "" "$(home hubspot-companies 31)" "$beth"
run as_importer split "$(merge_of "absorbed = $beth")"
expect "a split merge is not split twice" \
	sh -c '[ "$1" -ne 0 ] && grep -q "was already split" "$2"' _ "$rc" "$ERR"

# 4. A record joins Psi by its domain, and Psi is then absorbed into Omega:
# the join is listed under Omega, its evidence is on Omega's screen, and it
# can be split.
cat >"$T/op.json" <<'EOF'
{"organizations": [
 {"id": 31, "name": "Omega Group", "domain_names": ["omega.example"], "updated_at": "2026-03-01T10:00:00Z"},
 {"id": 32, "name": "Psi Ltd", "domain_names": ["psi.example"], "updated_at": "2026-03-01T10:00:00Z"}],
 "end_of_stream": true}
EOF
printf '%s\r\n33,Psi Consulting,psi.example,Customer,2026-03-06 09:00\r\n' "$csv_head" >"$T/psi-consulting.csv"
cat >"$T/op-users.json" <<'EOF'
{"users": [{"id": 91, "name": "Om", "email": "om@omega.example", "organization_id": 32,
  "updated_at": "2026-03-01T10:00:00Z"}], "end_of_stream": true}
EOF
imported op_orgs zendesk-organizations "$T/op.json" "2 inserted"
imported psi_consulting hubspot-companies "$T/psi-consulting.csv" "1 customer merged"
imported op_user zendesk-users "$T/op-users.json" "1 customer merged"
omega=$(sql "SELECT id FROM customer WHERE name = 'Omega Group'")
psi=$(sql "SELECT id FROM customer WHERE name = 'Psi Ltd'")
check "Psi is Omega's, and so is the record that joined Psi" \
	both "$(into 'Psi Ltd')" "$omega" "$(home hubspot-companies 33)" "$omega"
run as_importer merges --customer omega.example
expect "Omega's merges list the record's join to Psi" \
	sh -c 'grep -q "#$2 Psi Ltd ← HubSpot 33" "$1"' _ "$OUT" "$psi"
run "$BATON_BIN" -d "dbname=$db" show omega.example
expect "Omega's screen names the domain that joined the record" \
	sh -c 'grep -q "same domain psi.example" "$1"' _ "$OUT"
run as_importer split "$(merge_of "joined_source_id = '33'")"
expect "the record's join is split" sh -c '[ "$1" -eq 0 ]' _ "$rc"
check "the record has a customer of its own" \
	[ "$(sql "SELECT count(*) FROM customer c JOIN import_record r ON r.customer_id = c.id
	         WHERE r.source_id = '33' AND c.id NOT IN ($omega, $psi) AND c.merged_into IS NULL")" = 1 ]
check "and Psi is still Omega's" [ "$(into 'Psi Ltd')" = "$omega" ]

# 5. An absorbed customer taken out of its profile by hand is not split
# again: the split is refused, and nothing is recorded.
gamma=$(sql "SELECT id FROM customer WHERE name = 'Gamma SA'")
sql "UPDATE customer SET merged_into = NULL WHERE id = $gamma" >/dev/null
run as_importer split "$(merge_of "absorbed = $gamma")"
expect "a split of a customer no longer in the profile is refused" \
	sh -c '[ "$1" -ne 0 ] && grep -q "is no longer part of customer" "$2"' _ "$rc" "$ERR"
check "and not recorded" [ "$(sql "SELECT count(*) FROM customer_split s JOIN customer_merge m
	ON m.id = s.merge_id WHERE m.absorbed = $gamma")" = 0 ]

# 6. More merges than one batch of rows: `baton merges` streams every one
# (it stopped at 1000 without a word).
{
	printf '{"organizations": [\n'
	seq 1 1001 | sed 's/.*/{"id": 10&, "name": "Org &", "domain_names": ["d&.example"], "updated_at": "2026-03-01T10:00:00Z"}/' |
		paste -sd, -
	printf '], "end_of_stream": true}\n'
} >"$T/many.json"
{
	printf '%s\r\n' "$csv_head"
	seq 1 1001 | sed 's/.*/20&,Company &,d&.example,Customer,2026-03-02 09:00\r/'
} >"$T/many.csv"
imported many_orgs zendesk-organizations "$T/many.json" "1001 inserted"
imported many_companies hubspot-companies "$T/many.csv" "1001 customers merged"
total=$(sql "SELECT count(*) FROM customer_merge")
run as_importer merges
expect "merges lists every merge" \
	sh -c '[ "$1" -eq 0 ] && [ "$(grep -c "^ *merge " "$2")" -eq "$4" ] && [ ! -s "$3" ]' \
	_ "$rc" "$OUT" "$ERR" "$total"
run as_importer merges --format json
expect "and so does its JSON" \
	sh -c '[ "$1" -eq 0 ] && [ "$(grep -o "\"split_at\":" "$2" | wc -l)" -eq "$3" ]' _ "$rc" "$OUT" "$total"
run as_importer merges --customer d7.example
expect "one customer's merges: its one" \
	sh -c '[ "$1" -eq 0 ] && [ "$(grep -c "^ *merge " "$2")" -eq 1 ] && [ ! -s "$3" ]' _ "$rc" "$OUT" "$ERR"
