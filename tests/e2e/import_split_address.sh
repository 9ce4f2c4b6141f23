#!/bin/sh
# A split takes back what came by address (schema 142): a record with no
# reference to its customer (a user without an organization, a contact
# without a company, a marketing send, a tracker's milestone) finds it by
# an address or a domain.  What found the survivor through the customer
# split off goes with it, by either kind of split:
#  - an absorption's: users and a HubSpot contact at the absorbed
#    customer's domain, a ticket of one of them, the sends to one of them
#    and to the domain, a milestone of the domain; what came by the
#    survivor's own domain stays, and so does what came by reference;
#  - a record's join: a user at a domain only the record had;
#  - a milestone whose step the customer already has goes after its own,
#    one whose step is free keeps it;
#  - a record's split makes a customer without a domain the customer it
#    leaves lists too, and what came by that domain stays; of two records
#    split off at one domain, one takes it, with what came by it;
#  - the same files again change nothing, and each thing stays where the
#    split put it.
. "$BATON_ROOT/tests/lib/e2e.sh"
. "$BATON_ROOT/tests/lib/import.sh"

cli_files import_split_address
db=$(newdb baton_schema) || { echo "FAIL import_split_address: cannot create a test database"; exit 1; }
importer_role "$db"
CFG="$BATON_ROOT/etc/baton-import.cfg"
as_importer() { "$BATON_BIN" -c "$CFG" -d "dbname=$db user=importer" "$@"; }
# homes SOURCE ID...: the names of the customers holding each record, and
# of the customer of the row it made, "/" between them
homes() {
	_src=$1
	shift
	for _id in "$@"; do
		sql "SELECT c.name || '=' || w.name FROM import_record r JOIN customer c ON c.id = r.customer_id
		     JOIN customer w ON w.id = (SELECT x.customer_id FROM contact x WHERE r.entity = 'contacts' AND x.id = r.target_id
		                                UNION ALL SELECT x.customer_id FROM ticket x WHERE r.entity = 'tickets' AND x.id = r.target_id
		                                UNION ALL SELECT x.customer_id FROM marketing_event x WHERE r.entity = 'marketing' AND x.id = r.target_id
		                                UNION ALL SELECT x.customer_id FROM milestone x WHERE r.entity = 'milestones' AND x.id = r.target_id)
		     WHERE r.source = '$_src' AND r.source_id = '$_id'"
	done | paste -sd/ -
}

cat >"$T/orgs.json" <<'EOF'
{"organizations": [
  {"id": 1, "name": "Alder", "domain_names": ["alder.example"], "updated_at": "2026-03-01T10:00:00Z"},
  {"id": 2, "name": "Birch", "domain_names": ["birch.example"], "updated_at": "2026-03-01T10:00:00Z"},
  {"id": 3, "name": "Cedar", "domain_names": ["cedar.example"], "updated_at": "2026-03-01T10:00:00Z"}],
 "end_of_stream": true}
EOF
imported orgs zendesk-organizations "$T/orgs.json" "3 read, 3 inserted"
# The wrong run: Alder's newer export lists Birch's domain.
cat >"$T/wrong.json" <<'EOF'
{"organizations": [
  {"id": 1, "name": "Alder", "domain_names": ["alder.example", "birch.example"], "updated_at": "2026-03-02T10:00:00Z"}],
 "end_of_stream": true}
EOF
imported wrong_absorbs_birch zendesk-organizations "$T/wrong.json" "1 customer merged\$"

# While Birch is part of Alder, what has no reference and names Birch's
# domain finds Alder.
cat >"$T/users.json" <<'EOF'
{"users": [
  {"id": 101, "name": "Al", "email": "al@alder.example", "organization_id": 1, "updated_at": "2026-03-03T10:00:00Z"},
  {"id": 102, "name": "Bo", "email": "bo@birch.example", "organization_id": 1, "updated_at": "2026-03-03T10:00:00Z"},
  {"id": 106, "name": "Fi", "email": "Fi@Birch.example", "updated_at": "2026-03-03T10:00:00Z"},
  {"id": 107, "name": "Gus", "email": "gus@birch.example", "updated_at": "2026-03-03T10:00:00Z"},
  {"id": 108, "name": "Hal", "email": "hal@alder.example", "updated_at": "2026-03-03T10:00:00Z"}],
 "end_of_stream": true}
EOF
imported users_while_merged zendesk-users "$T/users.json" "5 read, 5 inserted"
printf 'Record ID,First Name,Last Name,Email,Associated Company IDs (Primary),Job Title,Last Modified Date\n501,Fi,Fern,fi@birch.example,,CTO,2026-03-03 10:00\n' \
	>"$T/contacts.csv"
imported contact_while_merged hubspot-contacts "$T/contacts.csv" "1 read, 1 inserted"
cat >"$T/tickets.json" <<'EOF'
{"tickets": [
  {"id": 206, "requester_id": 106, "subject": "Fi asks", "description": "x", "status": "open", "priority": "normal", "tags": [], "created_at": "2026-03-03T10:00:00Z", "updated_at": "2026-03-03T10:00:00Z"},
  {"id": 208, "requester_id": 108, "subject": "Hal asks", "description": "x", "status": "open", "priority": "normal", "tags": [], "created_at": "2026-03-03T10:00:00Z", "updated_at": "2026-03-03T10:00:00Z"}],
 "end_of_stream": true}
EOF
imported tickets_while_merged zendesk-tickets "$T/tickets.json" "2 read, 2 inserted"
printf 'id;recipient;campaign;kind;scheduled\ns1;fi@birch.example;Spring;upsell;01/05/2026 09:00\ns2;nobody@birch.example;Spring;upsell;01/05/2026 09:00\ns3;hal@alder.example;Spring;upsell;01/05/2026 09:00\n' \
	>"$T/sends.csv"
imported sends_while_merged scheduled-campaigns "$T/sends.csv" "3 read, 3 inserted"
printf 'id,customer_domain,step,title,status,due,completed\nm1,birch.example,3,Training,todo,2026-04-02,\nm2,alder.example,1,Kickoff,todo,2026-04-02,\nm4,birch.example,7,Review,todo,2026-05-02,\n' \
	>"$T/steps.csv"
imported steps_while_merged onboarding-milestones "$T/steps.csv" "3 read, 3 inserted"
check all_with_alder_while_merged [ "$(homes zendesk-users 101 102 106 107 108)/$(homes hubspot-contacts 501)/$(homes zendesk-tickets 206 208)/$(homes scheduled-campaigns s1 s2 s3)/$(homes onboarding-milestones m1 m2 m4)" = \
	"Alder=Alder/Alder=Alder/Alder=Alder/Alder=Alder/Alder=Alder/Alder=Alder/Alder=Alder/Alder=Alder/Alder=Alder/Alder=Alder/Alder=Alder/Alder=Alder/Alder=Alder/Alder=Alder" ]
# Birch has a step 3 of its own by the time of the split (made here by
# hand: no import can put one there while Birch is part of Alder).
sql "INSERT INTO milestone (customer_id, position, title) SELECT id, 3, 'Birch step three' FROM customer WHERE name = 'Birch'" >/dev/null

run as_importer split "$(sql "SELECT id FROM customer_merge WHERE absorbed IS NOT NULL")"
expect absorption_split sh -c '[ "$1" -eq 0 ] && grep -q "^split: #1 and #2 are separate customers" "$2"' _ "$rc" "$OUT"
check users_by_birch_domain_go_back [ "$(homes zendesk-users 106 107)" = "Birch=Birch/Birch=Birch" ]
check contact_by_address_goes_back [ "$(homes hubspot-contacts 501)" = "Birch=Birch" ]
check ticket_of_one_goes_back [ "$(homes zendesk-tickets 206)" = "Birch=Birch" ]
check sends_go_back [ "$(homes scheduled-campaigns s1 s2)" = "Birch=Birch/Birch=Birch" ]
# Step 7 is free at Birch and keeps its place; step 3 is taken and goes
# after Birch's own and the step that kept its place.
check steps_go_back [ "$(homes onboarding-milestones m1 m4)/$(sql "SELECT string_agg(position || ' ' || title, ', ' ORDER BY position)
	FROM milestone WHERE customer_id = (SELECT id FROM customer WHERE name = 'Birch')")" = \
	"Birch=Birch/Birch=Birch/3 Birch step three, 7 Review, 8 Training" ]
check by_alder_domain_stays [ "$(homes zendesk-users 108)/$(homes zendesk-tickets 208)/$(homes scheduled-campaigns s3)/$(homes onboarding-milestones m2)" = \
	"Alder=Alder/Alder=Alder/Alder=Alder/Alder=Alder" ]
# Bo names Alder's organization: a reference, not an address.
check by_reference_stays [ "$(homes zendesk-users 101 102)" = "Alder=Alder/Alder=Alder" ]

# The same files again: nothing changes, nothing moves.
for f in users.json:zendesk-users contacts.csv:hubspot-contacts tickets.json:zendesk-tickets sends.csv:scheduled-campaigns; do
	imported "again_${f%%.*}_unchanged" "${f#*:}" "$T/${f%%:*}" "0 inserted, 0 updated, [0-9]* unchanged, 0 rejected, 0 customers merged (no changes)"
done
check again_where_the_split_put_them [ "$(homes zendesk-users 102 106 107 108)/$(homes hubspot-contacts 501)/$(homes scheduled-campaigns s1 s2 s3)" = \
	"Alder=Alder/Birch=Birch/Birch=Birch/Alder=Alder/Birch=Birch/Birch=Birch/Birch=Birch/Alder=Alder" ]

# A record's join: Cedar EU's organization joins Cedar by cedar.example;
# a user at cedar-eu.example, which only that record has, finds Cedar.
cat >"$T/eu.json" <<'EOF'
{"organizations": [
  {"id": 4, "name": "Cedar EU", "domain_names": ["cedar.example", "cedar-eu.example"], "updated_at": "2026-03-02T10:00:00Z"}],
 "end_of_stream": true}
EOF
imported eu_joins_cedar zendesk-organizations "$T/eu.json" "1 customer merged\$"
cat >"$T/eu_users.json" <<'EOF'
{"users": [
  {"id": 110, "name": "Xa", "email": "xa@cedar-eu.example", "updated_at": "2026-03-03T10:00:00Z"},
  {"id": 111, "name": "Yo", "email": "yo@cedar.example", "updated_at": "2026-03-03T10:00:00Z"}],
 "end_of_stream": true}
EOF
imported eu_users zendesk-users "$T/eu_users.json" "2 read, 2 inserted"
check eu_users_with_cedar [ "$(homes zendesk-users 110 111)" = "Cedar=Cedar/Cedar=Cedar" ]
run as_importer split "$(sql "SELECT id FROM customer_merge WHERE joined_source_id = '4'")"
expect join_split sh -c '[ "$1" -eq 0 ] && grep -q "^split: " "$2"' _ "$rc" "$OUT"
check user_of_the_record_domain_goes [ "$(homes zendesk-users 110 111)" = "Cedar EU=Cedar EU/Cedar=Cedar" ]

# A record's join at a domain the customer's own organization lists too:
# the users who found Dogwood by it, before the CRM's company came and
# after, were Dogwood's before the join and stay.
cat >"$T/dogwood.json" <<'EOF'
{"organizations": [
  {"id": 5, "name": "Dogwood", "domain_names": ["dogwood.example", "dogwood.io"], "updated_at": "2026-03-01T10:00:00Z"}],
 "end_of_stream": true}
EOF
imported dogwood zendesk-organizations "$T/dogwood.json" "1 inserted"
printf '{"users": [{"id": 120, "name": "Dee", "email": "dee@dogwood.io", "updated_at": "2026-03-03T10:00:00Z"}], "end_of_stream": true}\n' \
	>"$T/dee.json"
imported dee_finds_dogwood zendesk-users "$T/dee.json" "1 inserted"
printf 'Record ID,Company name,Company Domain Name,Lifecycle Stage,Last Modified Date\n9005,Dogwood Inc,dogwood.io,Customer,2026-03-04 09:00\n' \
	>"$T/dogwood.csv"
imported dogwood_inc_joins hubspot-companies "$T/dogwood.csv" "1 customer merged\$"
printf '{"users": [{"id": 121, "name": "Eve", "email": "eve@dogwood.io", "updated_at": "2026-03-05T10:00:00Z"}], "end_of_stream": true}\n' \
	>"$T/eve.json"
imported eve_finds_dogwood zendesk-users "$T/eve.json" "1 inserted"
run as_importer split "$(sql "SELECT id FROM customer_merge WHERE joined_source_id = '9005'")"
expect dogwood_inc_split sh -c '[ "$1" -eq 0 ] && grep -q "^split: " "$2"' _ "$rc" "$OUT"
check shared_domain_not_taken [ "$(sql "SELECT coalesce(domain, 'none') FROM customer WHERE name = 'Dogwood Inc'")" = none ]
check users_of_dogwood_stay [ "$(homes zendesk-users 120 121)" = "Dogwood=Dogwood/Dogwood=Dogwood" ]

# Two records that joined Fir in one run, both at gum.example: split
# together, one of them takes the domain, and the user who found Fir by it
# goes with it.
cat >"$T/fir.json" <<'EOF'
{"organizations": [
  {"id": 30, "name": "Fir", "domain_names": ["fir.example"], "updated_at": "2026-03-01T10:00:00Z"}],
 "end_of_stream": true}
EOF
imported fir zendesk-organizations "$T/fir.json" "1 inserted"
cat >"$T/gum.json" <<'EOF'
{"organizations": [
  {"id": 31, "name": "Gum", "domain_names": ["fir.example", "gum.example"], "updated_at": "2026-03-02T10:00:00Z"},
  {"id": 32, "name": "Gum EU", "domain_names": ["gum.example", "gum.eu"], "updated_at": "2026-03-02T10:00:00Z"}],
 "end_of_stream": true}
EOF
run as_importer import --source zendesk-organizations "$T/gum.json"
gum=$(sed -n 's/^  its merges: baton merges --run \([0-9a-f-]*\) lists them.*/\1/p' "$OUT")
expect gums_join_fir sh -c '[ "$1" -eq 0 ] && grep -q "2 customers merged$" "$2" && [ -n "$3" ]' _ "$rc" "$OUT" "$gum"
printf '{"users": [{"id": 130, "name": "Gil", "email": "gil@gum.example", "updated_at": "2026-03-03T10:00:00Z"}], "end_of_stream": true}\n' \
	>"$T/gil.json"
imported gil_finds_fir zendesk-users "$T/gil.json" "1 inserted"
check gil_with_fir [ "$(homes zendesk-users 130)" = "Fir=Fir" ]
run as_importer split --run "$gum"
expect gums_split sh -c '[ "$1" -eq 0 ] && grep -q "^2 merges of run" "$2"' _ "$rc" "$OUT"
# Which one takes it follows the order the run's merges are split in.
gum_home=$(sql "SELECT string_agg(name, ',') FROM customer WHERE domain = 'gum.example'")
check gum_domain_taken_by_one sh -c '[ "$1" = Gum ] || [ "$1" = "Gum EU" ]' _ "$gum_home"
check gil_goes_with_it [ "$(homes zendesk-users 130)" = "$gum_home=$gum_home" ]
