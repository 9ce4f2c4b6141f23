#!/bin/sh
# A record's references (migration 070).  A customer reference decides the
# record's customer: one that names no record of its customer_source
# (HubSpot's "101;102", a company or organization not imported yet) is
# rejected, saying so, and never falls through to the customer of the
# e-mail's domain, which is for records without a reference; an import of
# the record after the record it names takes it.
# A ticket or survey answer whose customer is found, but whose contact is
# not imported yet, comes in without it and says so (not a reject); an
# import of it after the contact links it.
# A ticket's or survey answer's "email" finds its contact.
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
# The shipped mapping reads the primary company; an export with the list
# alone maps the list, whose several ids are rejected.
sed 's|customer = "Associated Company IDs (Primary)";|customer = "Associated Company IDs";|' "$CFG" >"$T/list.cfg"
check "the list mapping is the shipped one but for the column" \
	[ "$(diff "$CFG" "$T/list.cfg" | grep -c '^[<>]')" = 2 ]
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
run "$BATON_BIN" -c "$T/list.cfg" -d "dbname=$db user=importer" \
	import --source hubspot-contacts --rejects "$T/contacts.rej" "$T/contacts.csv"
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
imported_with "$T/list.cfg" contacts_again_take_the_one_named hubspot-contacts "$T/contacts.csv" \
	"5 read, 1 inserted, 0 updated, 2 unchanged, 2 rejected"
check "the contact of the company imported since is that company's" \
	[ "$(customer_of hubspot-contacts 305)" = Initech ]
# The shipped mapping: a contact of several companies is its primary one's.
printf 'Record ID,First Name,Last Name,Email,Job Title,Associated Company IDs,Associated Company IDs (Primary),Last Modified Date
301,Kim,Consultant,kim@bigconsult.example,Advisor,101;102,102,2026-03-02 09:00
' >"$T/contacts-primary.csv"
imported contact_of_several_with_primary hubspot-contacts "$T/contacts-primary.csv" "1 read, 1 inserted, 0 updated"
check "a contact of several companies is its primary company's" [ "$(customer_of hubspot-contacts 301)" = Globex ]

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
	sh -c '[ "$1" -eq 1 ] && grep -q "1 read, 0 inserted, 0 updated, 0 unchanged, 1 rejected" "$2"' _ "$rc" "$OUT"
check "a file whose every row is rejected says nothing of it was imported (status 1)" \
	grep -qx "baton: $T/tickets-org2.json: every row was rejected: nothing of it was imported" "$ERR"
check "the ticket's reject names the organization" \
	grep -qF ',1,customer,"unknown customer reference ""2"" (no zendesk-organizations record)"' "$T/tickets-org2.rej"

# --- A contact that a ticket names, not imported yet ------------------------
# The ticket is imported without it, and says so (a note with the rejects,
# not a reject); an import of the same ticket after the user links it.
cat >"$T/tickets.json" <<'EOF'
{"tickets": [{"id": 100, "created_at": "2026-03-01T08:00:00Z", "updated_at": "2026-03-02T08:00:00Z",
              "subject": "Login broken", "status": "open", "requester_id": 11, "organization_id": 1, "tags": []}],
 "end_of_stream": true}
EOF
requester_of() { # TICKET ID: its requester's name, or <none>
	sql "SELECT coalesce(c.name, '<none>') FROM import_record r JOIN ticket t ON t.id = r.target_id
	     LEFT JOIN contact c ON c.id = t.requester_id WHERE r.source = 'zendesk-tickets' AND r.source_id = '$1'"
}
without="imported without their contact, which is not imported (listed with the rejects, saying why; an import of them after their contact links it): 1"
run imp import --source zendesk-tickets --rejects "$T/tickets.rej" "$T/tickets.json"
expect ticket_before_its_requester_imported_and_said \
	sh -c '[ "$1" -eq 0 ] && grep -q "1 read, 1 inserted, 0 updated, 0 unchanged, 0 rejected" "$2" &&
	       grep -qxF "  $3" "$2"' _ "$rc" "$OUT" "$without"
check "the ticket is its organization's" [ "$(customer_of zendesk-tickets 100)" = Zeta ]
check "the rejects file lists the ticket as imported without its contact" \
	grep -qF ',1,contact,"imported without its contact: no zendesk-users record ""11"" yet' "$T/tickets.rej"
# With its raw row, to hand back once the contact is there (149): the
# record as PostgreSQL writes it.
check "the ticket's row in the rejects file has the record" \
	sh -c 'grep -F ",1,contact,\"imported without its contact: no zendesk-users record \"\"11\"\" yet" "$1" |
	       grep -qF "\"\"subject\"\": \"\"Login broken\"\""' _ "$T/tickets.rej"
run imp import --source zendesk-tickets "$T/tickets.json"
expect without_a_rejects_file_stderr_says_it \
	sh -c '[ "$1" -eq 0 ] && grep -q "tickets.json:1: contact: imported without its contact" "$2"' _ "$rc" "$ERR"
expect again_before_the_user_unchanged_and_said \
	sh -c '[ "$1" -eq 0 ] && grep -q "0 inserted, 0 updated, 1 unchanged, 0 rejected, 0 customers merged (no changes)" "$2" &&
	       grep -qxF "  $3" "$2"' _ "$rc" "$OUT" "$without"
run imp import --format json --source zendesk-tickets "$T/tickets.json"
expect json_counts_it sh -c '[ "$1" -eq 0 ] && grep -qF "\"rejected\":0,\"merged\":0,\"without_contact\":1," "$2"' \
	_ "$rc" "$OUT"
check "no requester yet" [ "$(requester_of 100)" = "<none>" ]
cat >"$T/users-ann.json" <<'EOF'
{"users": [{"id": 11, "name": "Ann Lee", "email": "ann@zeta.example", "organization_id": 1,
            "updated_at": "2026-03-01T10:00:00Z"}], "end_of_stream": true}
EOF
imported requester_imported zendesk-users "$T/users-ann.json" "1 read, 1 inserted"
run imp import --source zendesk-tickets "$T/tickets.json"
expect same_ticket_after_the_user_updated \
	sh -c '[ "$1" -eq 0 ] && grep -q "1 read, 0 inserted, 1 updated, 0 unchanged, 0 rejected" "$2" &&
	       ! grep -q "without their contact" "$2" && [ ! -s "$3" ]' _ "$rc" "$OUT" "$ERR"
check "the ticket's requester is linked" [ "$(requester_of 100)" = "Ann Lee" ]
imported then_unchanged zendesk-tickets "$T/tickets.json" "0 updated, 1 unchanged, 0 rejected, 0 customers merged (no changes)"
check "still its requester" [ "$(requester_of 100)" = "Ann Lee" ]
# --- A requester the users source's rules leave out (an agent) -------------
# Not "not imported yet", to come: left out by that source's rules, and said
# so (149), in the note of a ticket with its organization and in the reject
# of one without.  Once the user is imported (no longer an agent), the
# ticket imported again links it.
cat >"$T/users-agent.json" <<'EOF'
{"users": [{"id": 19, "name": "Agent Ada", "email": "ada@helpdesk.example", "role": "agent",
            "organization_id": null, "updated_at": "2026-03-01T10:00:00Z"}], "end_of_stream": true}
EOF
imported agent_skipped zendesk-users "$T/users-agent.json" "1 read, 0 inserted"
cat >"$T/tickets-agent.json" <<'EOF'
{"tickets": [{"id": 150, "created_at": "2026-03-01T08:00:00Z", "updated_at": "2026-03-02T08:00:00Z",
              "subject": "Asked for the customer", "status": "open", "requester_id": 19, "organization_id": 1, "tags": []},
             {"id": 151, "created_at": "2026-03-01T08:00:00Z", "updated_at": "2026-03-02T08:00:00Z",
              "subject": "Internal: rotate keys", "status": "open", "requester_id": 19, "organization_id": null, "tags": []}],
 "end_of_stream": true}
EOF
run imp import --source zendesk-tickets --rejects "$T/tickets-agent.rej" "$T/tickets-agent.json"
expect ticket_of_a_left_out_requester_imported \
	sh -c '[ "$1" -eq 0 ] && grep -q "2 read, 1 inserted, 0 updated, 0 unchanged, 1 rejected" "$2"' _ "$rc" "$OUT"
check "its note says the users source's rules leave the requester out" \
	grep -qF ",1,contact,\"imported without its contact: the zendesk-users record \"\"19\"\" is one that source's rules (skip, only) leave out\"" \
	"$T/tickets-agent.rej"
check "the internal ticket's reject says it has no customer, and why its requester gives none" \
	grep -qF ",2,contact,\"no customer reference, and its contact, the zendesk-users record \"\"19\"\", is one that source's rules (skip, only) leave out\"" \
	"$T/tickets-agent.rej"
cat >"$T/users-ada.json" <<'EOF'
{"users": [{"id": 19, "name": "Ada Customer", "email": "ada@zeta.example", "role": "end-user",
            "organization_id": 1, "updated_at": "2026-03-05T10:00:00Z"}], "end_of_stream": true}
EOF
imported agent_now_a_user zendesk-users "$T/users-ada.json" "1 read, 1 inserted"
check "left out no more" [ "$(sql "SELECT count(*) FROM import_left_out WHERE source = 'zendesk-users'")" = 0 ]
# The internal ticket is the user's customer's now, by its requester.
imported ticket_of_the_user_linked zendesk-tickets "$T/tickets-agent.json" "2 read, 1 inserted, 1 updated, 0 unchanged, 0 rejected"
check "the ticket's requester is the user" [ "$(requester_of 150)" = "Ada Customer" ]
check "so is the internal ticket's" [ "$(requester_of 151)" = "Ada Customer" ]

# JSON Lines, whose records the source has are not even sent (their
# hashes are): a ticket without its requester is sent again until it has it.
sed 's/format = "json";/format = "jsonl";/' "$CFG" >"$T/jsonl.cfg"
printf '%s\n' '{"id": 101, "subject": "Export", "status": "open", "requester_id": 14, "organization_id": 1, "updated_at": "2026-03-02T08:00:00Z"}' \
	>"$T/tickets.jsonl"
impl() { "$BATON_BIN" -c "$T/jsonl.cfg" -d "dbname=$db user=importer" "$@"; }
run impl import --source zendesk-tickets "$T/tickets.jsonl"
expect jsonl_ticket_before_its_requester \
	sh -c '[ "$1" -eq 0 ] && grep -q "1 read, 1 inserted" "$2" && grep -qxF "  $3" "$2"' _ "$rc" "$OUT" "$without"
run impl import --source zendesk-tickets "$T/tickets.jsonl"
expect jsonl_again_unchanged_and_said \
	sh -c '[ "$1" -eq 0 ] && grep -q "0 updated, 1 unchanged" "$2" && grep -qxF "  $3" "$2"' _ "$rc" "$OUT" "$without"
cat >"$T/users-wes.json" <<'EOF'
{"users": [{"id": 14, "name": "Wes", "email": "wes@zeta.example", "organization_id": 1,
            "updated_at": "2026-03-01T10:00:00Z"}], "end_of_stream": true}
EOF
imported requester_14_imported zendesk-users "$T/users-wes.json" "1 read, 1 inserted"
run impl import --source zendesk-tickets "$T/tickets.jsonl"
expect jsonl_after_the_user_updated \
	sh -c '[ "$1" -eq 0 ] && grep -q "1 read, 0 inserted, 1 updated, 0 unchanged" "$2" && ! grep -q "without" "$2"' \
	_ "$rc" "$OUT"
check "the JSON Lines ticket's requester is linked" [ "$(requester_of 101)" = "Wes" ]
run impl import --source zendesk-tickets "$T/tickets.jsonl"
expect jsonl_then_unchanged sh -c '[ "$1" -eq 0 ] && grep -q "0 updated, 1 unchanged, 0 rejected, 0 customers merged (no changes)" "$2"' \
	_ "$rc" "$OUT"

# --- Plain CSV: a survey answer that names its customer and respondent ----
# is as the tickets above.
cat >"$T/plain.cfg" <<'EOF'
import: { sources = (
 { name = "crm"; entity = "customers"; format = "csv"; fields = { source_id = "id"; name = "name"; domains = "domain"; }; },
 { name = "people"; entity = "contacts"; format = "csv"; customer_source = "crm";
   fields = { source_id = "id"; customer = "company"; name = "name"; email = "email"; }; },
 { name = "desk"; entity = "tickets"; format = "csv";
   fields = { source_id = "id"; email = "from"; subject = "subject"; }; },
 { name = "nps"; entity = "surveys"; format = "csv";
   fields = { source_id = "id"; email = "from"; kind = { default = "nps"; }; score = "score"; responded_at = "at"; }; },
 { name = "nps-ids"; entity = "surveys"; format = "csv"; customer_source = "crm"; contact_source = "people";
   fields = { source_id = "id"; customer = "company"; contact = "person"; kind = { default = "nps"; }; score = "score";
              responded_at = "at"; }; }
); };
EOF
pimp() { "$BATON_BIN" -c "$T/plain.cfg" -d "dbname=$db user=importer" "$@"; }
pimported() { # NAME SOURCE FILE SUMMARY
	run pimp import --source "$2" "$3"
	expect "$1" sh -c '[ "$1" -eq 0 ] && grep -q "$2" "$3"' _ "$rc" "$4" "$OUT"
}
printf 'id,name,domain\nA,Acme Plain,acme-plain.example\n' >"$T/crm.csv"
pimported crm_imported crm "$T/crm.csv" "1 read, 1 inserted"
# Bo is two contacts of Acme Plain (two spellings of one address).
printf 'id,company,name,email\np1,A,Ann Plain,ann@acme-plain.example\np2,A,Bo Plain,bo@acme-plain.example\np3,A,Bo Again,BO@Acme-Plain.example\n' \
	>"$T/people.csv"
pimported people_imported people "$T/people.csv" "3 read, 3 inserted"
survey_contact() { # SOURCE ID
	sql "SELECT coalesce(c.name, '<none>') FROM import_record r JOIN survey_response s ON s.id = r.target_id
	     LEFT JOIN contact c ON c.id = s.contact_id WHERE r.source = '$1' AND r.source_id = '$2'"
}
printf 'id,company,person,score,at\nn1,A,p9,9,2026-03-01\n' >"$T/nps-ids.csv"
run pimp import --source nps-ids --rejects "$T/nps-ids.rej" "$T/nps-ids.csv"
expect survey_before_its_respondent_imported_and_said \
	sh -c '[ "$1" -eq 0 ] && grep -q "1 read, 1 inserted, 0 updated, 0 unchanged, 0 rejected" "$2" &&
	       grep -qxF "  $3" "$2"' _ "$rc" "$OUT" "$without"
check "the rejects file lists the answer as imported without its contact" \
	grep -qF ',2,contact,"imported without its contact: no people record ""p9"" yet' "$T/nps-ids.rej"
check "the answer's row in the rejects file has the CSV row" \
	sh -c 'grep -F ",2,contact,\"imported without its contact: no people record \"\"p9\"\" yet" "$1" |
	       grep -qF ",\"n1,A,p9,9,2026-03-01\""' _ "$T/nps-ids.rej"
printf 'id,company,name,email\np9,A,Dee Plain,dee@acme-plain.example\n' >"$T/people9.csv"
pimported respondent_imported people "$T/people9.csv" "1 read, 1 inserted"
pimported survey_after_its_respondent_updated nps-ids "$T/nps-ids.csv" "1 read, 0 inserted, 1 updated"
check "the answer's respondent is linked" [ "$(survey_contact nps-ids n1)" = "Dee Plain" ]

# A ticket's or survey answer's "email" finds its contact: the one contact
# of its customer with the address (case aside, and the record's
# surrounding blanks).
printf 'id,from,subject\nt1," Ann@Acme-Plain.EXAMPLE ",Cannot log in\nt2,bo@acme-plain.example,Two of me\nt3,cy@acme-plain.example,Nobody yet\n' \
	>"$T/desk.csv"
pimported desk_imported desk "$T/desk.csv" "3 read, 3 inserted, 0 updated, 0 unchanged, 0 rejected"
desk_requester() {
	sql "SELECT coalesce(c.name, '<none>') FROM import_record r JOIN ticket t ON t.id = r.target_id
	     LEFT JOIN contact c ON c.id = t.requester_id WHERE r.source = 'desk' AND r.source_id = '$1'"
}
check "a ticket by e-mail has the contact with that address" [ "$(desk_requester t1)" = "Ann Plain" ]
check "a ticket by an address two contacts have has neither" [ "$(desk_requester t2)" = "<none>" ]
check "a ticket by an address no contact has has none" [ "$(desk_requester t3)" = "<none>" ]
check "... and its domain's customer" [ "$(customer_of desk t3)" = "Acme Plain" ]
printf 'id,from,score,at\ns1,ann@acme-plain.example,3,2026-03-01\n' >"$T/nps.csv"
pimported nps_imported nps "$T/nps.csv" "1 read, 1 inserted"
check "a survey answer by e-mail has the contact with that address" [ "$(survey_contact nps s1)" = "Ann Plain" ]
