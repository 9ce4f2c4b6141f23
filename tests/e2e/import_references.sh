#!/bin/sh
# A record's references (migration 070).  A customer reference decides the
# record's customer: one that names no record of its customer_source
# (HubSpot's "101;102", a company or organization not imported yet) is
# rejected, saying so, and never falls through to the customer of the
# e-mail's domain, which is for records without a reference; an import of
# the record after the record it names takes it.
. "$BATON_ROOT/tests/lib/e2e.sh"
. "$BATON_ROOT/tests/lib/import.sh"

cli_files import_references
db=$(newdb baton_schema) || { echo "FAIL import_references: cannot create a test database"; exit 1; }
importer_role "$db"
CFG="$BATON_ROOT/etc/baton-import.cfg"
imp() { "$BATON_BIN" -c "$CFG" -d "dbname=$db user=importer" "$@"; }
# customer_of SOURCE ID: the name of the customer a record is on (none: not imported)
customer_of() {
	sql "SELECT c.name FROM import_record r JOIN customer c ON c.id = r.customer_id
	     WHERE r.source = '$1' AND r.source_id = '$2'"
}

# --- HubSpot: a contact's "Associated Company IDs" ---------------------------
printf 'Record ID,Company name,Company Domain Name,Lifecycle Stage,Last Modified Date
101,Acme,acme.example,Customer,2026-03-01 09:00
102,Globex,globex.example,Customer,2026-03-01 09:00
103,BigConsult,bigconsult.example,Customer,2026-03-01 09:00
' >"$T/companies.csv"
imported companies_imported hubspot-companies "$T/companies.csv" "3 read, 3 inserted"
# Kim and Lou work at BigConsult's domain for other companies; Nia names
# none; Pat (free mail) names Globex; Max names a company not imported yet.
printf 'Record ID,First Name,Last Name,Email,Job Title,Associated Company IDs,Last Modified Date
301,Kim,Consultant,kim@bigconsult.example,Advisor,101;102,2026-03-01 09:00
302,Lou,Unknown,lou@bigconsult.example,Advisor,999,2026-03-01 09:00
303,Nia,Partner,nia@bigconsult.example,Partner,,2026-03-01 09:00
304,Pat,Buyer,pat@gmail.com,Buyer,102,2026-03-01 09:00
305,Max,Later,max@gmail.com,CFO,998,2026-03-01 09:00
' >"$T/contacts.csv"
run imp import --source hubspot-contacts --rejects "$T/contacts.rej" "$T/contacts.csv"
expect contacts_two_in_three_rejected \
	sh -c '[ "$1" -eq 0 ] && grep -q "5 read, 2 inserted, 0 updated, 0 unchanged, 3 rejected" "$2"' _ "$rc" "$OUT"
check "a contact of several companies is not its e-mail domain's customer's" \
	[ -z "$(customer_of hubspot-contacts 301)" ]
check "the reject says the reference lists several ids" \
	grep -qF ',2,customer,"customer reference ""101;102"" lists several ids (no hubspot-companies record has that id)' \
	"$T/contacts.rej"
check "a contact of a company not imported is not its e-mail domain's customer's" \
	[ -z "$(customer_of hubspot-contacts 302)" ]
check "the reject names the unknown reference" \
	grep -qF ',3,customer,"unknown customer reference ""999"" (no hubspot-companies record)"' "$T/contacts.rej"
check "a contact without a company is its e-mail domain's customer's" \
	[ "$(customer_of hubspot-contacts 303)" = BigConsult ]
check "a contact with a company is that company's" [ "$(customer_of hubspot-contacts 304)" = Globex ]
check "BigConsult has the contact without a company alone" \
	[ "$(sql "SELECT string_agg(t.name, ',') FROM contact t JOIN customer c ON c.id = t.customer_id
	          WHERE c.name = 'BigConsult'")" = "Nia Partner" ]
# The company comes: the same file again takes the contact that names it.
printf 'Record ID,Company name,Company Domain Name,Lifecycle Stage,Last Modified Date
998,Initech,initech.example,Customer,2026-03-01 09:00
' >"$T/companies2.csv"
imported company_998_imported hubspot-companies "$T/companies2.csv" "1 read, 1 inserted"
imported contacts_again_take_the_one_named \
	hubspot-contacts "$T/contacts.csv" "5 read, 1 inserted, 0 updated, 2 unchanged, 2 rejected"
check "the contact of the company imported since is that company's" \
	[ "$(customer_of hubspot-contacts 305)" = Initech ]

# --- Zendesk: an organization_id of an organization not imported yet ---------
cat >"$T/orgs.json" <<'EOF'
{"organizations": [{"id": 1, "name": "Zeta", "domain_names": ["zeta.example"],
                    "updated_at": "2026-03-01T10:00:00Z"}], "end_of_stream": true}
EOF
imported orgs_imported zendesk-organizations "$T/orgs.json" "1 read, 1 inserted"
cat >"$T/users.json" <<'EOF'
{"users": [
  {"id": 12, "name": "Una", "email": "una@zeta.example", "organization_id": 1, "updated_at": "2026-03-01T10:00:00Z"},
  {"id": 13, "name": "Vic", "email": "vic@zeta.example", "organization_id": 2, "updated_at": "2026-03-01T10:00:00Z"}
], "end_of_stream": true}
EOF
run imp import --source zendesk-users --rejects "$T/users.rej" "$T/users.json"
expect users_one_in_one_rejected \
	sh -c '[ "$1" -eq 0 ] && grep -q "2 read, 1 inserted, 0 updated, 0 unchanged, 1 rejected" "$2"' _ "$rc" "$OUT"
check "a user of an organization not imported is not its e-mail domain's customer's" \
	[ -z "$(customer_of zendesk-users 13)" ]
check "the user's reject names the organization" \
	grep -qF ',2,customer,"unknown customer reference ""2"" (no zendesk-organizations record)"' "$T/users.rej"
# A ticket of an organization not imported, whose requester is known: not
# the requester's customer's either.
cat >"$T/tickets-org2.json" <<'EOF'
{"tickets": [{"id": 200, "created_at": "2026-03-01T08:00:00Z", "updated_at": "2026-03-02T08:00:00Z",
              "subject": "Invoice", "status": "open", "requester_id": 12, "organization_id": 2, "tags": []}],
 "end_of_stream": true}
EOF
run imp import --source zendesk-tickets --rejects "$T/tickets-org2.rej" "$T/tickets-org2.json"
expect ticket_of_unknown_organization_rejected \
	sh -c '[ "$1" -eq 0 ] && grep -q "1 read, 0 inserted, 0 updated, 0 unchanged, 1 rejected" "$2"' _ "$rc" "$OUT"
check "the ticket's reject names the organization" \
	grep -qF ',1,customer,"unknown customer reference ""2"" (no zendesk-organizations record)"' "$T/tickets-org2.rej"

