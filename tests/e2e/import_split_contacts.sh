#!/bin/sh
# A record's join split off takes with it what came through its contacts
# (096): a Zendesk organization joined a HubSpot company by its domain; its
# user's ticket without an organization and the user's satisfaction rating
# reached the customer through the user.  Split, the organization's new
# customer has the user, its ticket with an organization, and those two;
# the company keeps none of them, also after the same files again.
. "$BATON_ROOT/tests/lib/e2e.sh"
. "$BATON_ROOT/tests/lib/import.sh"

cli_files import_split_contacts
# Databases made by newdb in this shell (not in $(...)), so that its count
# goes on for the second.
newdb baton_schema >"$T/db1" || { echo "FAIL import_split_contacts: cannot create a test database"; exit 1; }
db=$(cat "$T/db1")
importer_role "$db"
CFG="$BATON_ROOT/etc/baton-import.cfg"

printf 'Record ID,Company name,Company Domain Name,Lifecycle Stage,Last Modified Date\n500,Hub X,x.example,Customer,2026-03-02 09:00\n' \
	>"$T/companies.csv"
imported company_imported hubspot-companies "$T/companies.csv" "1 read, 1 inserted"
cat >"$T/orgs.json" <<'JSON'
{"organizations": [{"id": 1, "name": "Zen X", "domain_names": ["x.example"], "updated_at": "2026-03-01T10:00:00Z"}],
 "end_of_stream": true}
JSON
imported org_joins_company zendesk-organizations "$T/orgs.json" "1 customer merged"
cat >"$T/users.json" <<'JSON'
{"users": [{"id": 71, "name": "Dag", "email": "dag@x.example", "organization_id": 1, "role": "end-user",
  "updated_at": "2026-03-01T10:00:00Z"}], "end_of_stream": true}
JSON
imported user_imported zendesk-users "$T/users.json" "1 read, 1 inserted"
cat >"$T/tickets.json" <<'JSON'
{"tickets": [
  {"id": 4812, "subject": "Through the requester", "status": "open", "priority": "normal", "requester_id": 71,
   "organization_id": null, "created_at": "2026-03-02T08:00:00Z", "updated_at": "2026-03-02T08:00:00Z", "tags": []},
  {"id": 4813, "subject": "Through the organization", "status": "open", "priority": "normal", "requester_id": 71,
   "organization_id": 1, "created_at": "2026-03-02T08:00:00Z", "updated_at": "2026-03-02T08:00:00Z", "tags": []}
], "end_of_stream": true}
JSON
imported tickets_imported zendesk-tickets "$T/tickets.json" "2 read, 2 inserted"
cat >"$T/ratings.json" <<'JSON'
{"satisfaction_ratings": [{"id": 9, "requester_id": 71, "score": "good", "comment": "fine",
  "updated_at": "2026-03-03T08:00:00Z"}]}
JSON
imported rating_imported zendesk-satisfaction "$T/ratings.json" "1 read, 1 inserted"
company=$(sql "SELECT customer_id FROM import_record WHERE source = 'hubspot-companies' AND source_id = '500'")
expect all_on_one_customer test "$(sql "SELECT count(DISTINCT customer_id) FROM import_record")" = 1

run "$BATON_BIN" -c "$CFG" -d "dbname=$db user=importer" split \
	"$(sql "SELECT id FROM customer_merge WHERE joined_source = 'zendesk-organizations'")"
expect split_done sh -c '[ "$1" -eq 0 ]' _ "$rc"
org=$(sql "SELECT customer_id FROM import_record WHERE source = 'zendesk-organizations' AND source_id = '1'")
expect org_apart test -n "$org" -a "$org" != "$company"
where() { # the customers of the user, the two tickets and the rating, in that order
	sql "SELECT string_agg(CASE customer_id WHEN $company THEN 'company' WHEN $org THEN 'org' ELSE 'other' END, ' '
	            ORDER BY source, source_id) FROM import_record
	     WHERE source IN ('zendesk-users', 'zendesk-tickets', 'zendesk-satisfaction')"
}
expect records_of_its_contact_go_with_it test "$(where)" = "org org org org"
expect tables_agree test "$(sql "SELECT string_agg(x, ' ' ORDER BY x) FROM (
	SELECT 'c' || (customer_id = $org)::text AS x FROM contact
	UNION ALL SELECT 't' || number || (customer_id = $org)::text FROM ticket
	UNION ALL SELECT 's' || (customer_id = $org)::text FROM survey_response) y")" = "ctrue strue t4812true t4813true"
for f in users:users tickets:tickets satisfaction:ratings; do
	imported "again_${f%%:*}" "zendesk-${f%%:*}" "$T/${f#*:}.json" "0 inserted, 0 updated"
done
expect still_with_it_after_the_files_again test "$(where)" = "org org org org"

# An absorption split gives back what the absorbed customer's records
# brought in after the merge: Beta's organization's ticket, and one of its
# user's naming no organization, imported while Beta was part of Alpha.
newdb baton_schema >"$T/db2" || { echo "FAIL import_split_contacts: cannot create a second test database"; exit 1; }
db=$(cat "$T/db2")
importer_role "$db"
cat >"$T/orgs2.json" <<'JSON'
{"organizations": [
  {"id": 1, "name": "Alpha", "domain_names": ["a.example"], "updated_at": "2026-03-01T10:00:00Z"},
  {"id": 2, "name": "Beta", "domain_names": ["b.example"], "updated_at": "2026-03-01T10:00:00Z"}
], "end_of_stream": true}
JSON
imported two_orgs zendesk-organizations "$T/orgs2.json" "2 read, 2 inserted"
cat >"$T/users2.json" <<'JSON'
{"users": [{"id": 71, "name": "Xavi", "email": "x@a.example", "organization_id": 2, "role": "end-user",
  "updated_at": "2026-03-01T10:00:00Z"}], "end_of_stream": true}
JSON
imported beta_absorbed zendesk-users "$T/users2.json" "1 customer merged"
cat >"$T/tickets2.json" <<'JSON'
{"tickets": [
  {"id": 4820, "subject": "Beta's, after the merge", "status": "open", "priority": "normal", "requester_id": null,
   "organization_id": 2, "created_at": "2026-03-04T08:00:00Z", "updated_at": "2026-03-04T08:00:00Z", "tags": []},
  {"id": 4821, "subject": "Xavi's, no organization", "status": "open", "priority": "normal", "requester_id": 71,
   "organization_id": null, "created_at": "2026-03-04T08:00:00Z", "updated_at": "2026-03-04T08:00:00Z", "tags": []}
], "end_of_stream": true}
JSON
imported tickets_after_merge zendesk-tickets "$T/tickets2.json" "2 read, 2 inserted"
alpha=$(sql "SELECT id FROM customer WHERE name = 'Alpha'")
beta=$(sql "SELECT id FROM customer WHERE name = 'Beta'")
expect tickets_on_alpha_before test "$(sql "SELECT string_agg((customer_id = $alpha)::text, ' ' ORDER BY id) FROM ticket")" = "true true"
run "$BATON_BIN" -c "$CFG" -d "dbname=$db user=importer" split "$(sql "SELECT id FROM customer_merge WHERE absorbed = $beta")"
expect absorption_split sh -c '[ "$1" -eq 0 ]' _ "$rc"
expect brought_in_after_merge_go_back test "$(sql "SELECT string_agg(number || ':' || (customer_id = $beta)::text, ' ' ORDER BY number)
	FROM ticket")" = "4820:true 4821:true"
expect records_agree_with_tickets test "$(sql "SELECT string_agg(source_id || ':' || (customer_id = $beta)::text, ' ' ORDER BY source_id)
	FROM import_record WHERE source IN ('zendesk-tickets', 'zendesk-users')")" = "4820:true 4821:true 71:true"
imported tickets_again_stay zendesk-tickets "$T/tickets2.json" "0 inserted, 0 updated"
expect tickets_stay_with_beta test "$(sql "SELECT count(*) FROM ticket WHERE customer_id = $beta")" = 2
