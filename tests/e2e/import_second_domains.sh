#!/bin/sh
# A customer's other domains (migration 062): a Zendesk organization with
# two domain_names is found by the second as by the first.  A user at the
# second domain without an organization joins it, a milestone naming it is
# accepted, `baton show` of it opens the customer; so does an other domain
# of a customer absorbed by a merge, for the survivor.  A domain that two
# customers' records list (a merge split) names neither: the record stays
# rejected and says so, `baton show` lists both.  A free-mail domain that
# a record lists never finds its customer this way.
. "$BATON_ROOT/tests/lib/e2e.sh"
. "$BATON_ROOT/tests/lib/import.sh"

cli_files import_second_domains
db=$(newdb baton_schema) || { echo "FAIL import_second_domains: cannot create a test database"; exit 1; }
importer_role "$db"
CFG="$BATON_ROOT/etc/baton-import.cfg"
imp() { "$BATON_BIN" -c "$CFG" -d "dbname=$db user=importer" "$@"; }
# customer_of SOURCE ID: the name of the customer a contact or milestone is on
customer_of() {
	sql "SELECT c.name FROM import_record r JOIN customer c ON c.id = r.customer_id
	     WHERE r.source = '$1' AND r.source_id = '$2'"
}
id_of() { sql "SELECT id FROM customer WHERE name = '$1'"; }

# Bolt and Crane share a domain: one customer at first, split below.  Eel
# absorbs Fin when a contact of Eel's has Fin's first domain.
cat >"$T/orgs.json" <<'EOF'
{"organizations": [
  {"id": 1, "name": "Acme", "domain_names": ["acme.example", "acme.io"], "updated_at": "2026-03-01T10:00:00Z"},
  {"id": 2, "name": "Bolt", "domain_names": ["bolt.example", "shared-two.example"], "updated_at": "2026-03-01T10:00:00Z"},
  {"id": 3, "name": "Crane", "domain_names": ["crane.example", "shared-two.example"], "updated_at": "2026-03-01T10:00:00Z"},
  {"id": 4, "name": "Dune", "domain_names": ["dune.example", "gmail.com"], "updated_at": "2026-03-01T10:00:00Z"},
  {"id": 5, "name": "Eel", "domain_names": ["eel.example"], "updated_at": "2026-03-01T10:00:00Z"},
  {"id": 6, "name": "Fin", "domain_names": ["fin.example", "fin.io"], "updated_at": "2026-03-01T10:00:00Z"}
], "end_of_stream": true}
EOF
imported orgs_imported zendesk-organizations "$T/orgs.json" "6 read, 6 inserted, .*1 customer merged"
merge=$(sql "SELECT id FROM customer_merge WHERE joined_source_id IN ('2', '3')")
run imp split "$merge"
expect bolt_and_crane_split sh -c '[ "$1" -eq 0 ] && grep -q "separate customers" "$2"' _ "$rc" "$OUT"
cat >"$T/eel.json" <<'EOF'
{"users": [{"id": 50, "name": "Eva", "email": "eva@fin.example", "organization_id": 5,
            "updated_at": "2026-03-01T10:00:00Z"}], "end_of_stream": true}
EOF
imported eel_absorbs_fin zendesk-users "$T/eel.json" "1 inserted, .*1 customer merged"
check "Fin is Eel's now" [ "$(sql "SELECT s.name FROM customer c JOIN customer s ON s.id = c.merged_into
                                    WHERE c.name = 'Fin'")" = Eel ]

cat >"$T/users.json" <<'EOF'
{"users": [
  {"id": 11, "name": "Ivo", "email": "ivo@acme.io", "updated_at": "2026-03-01T10:00:00Z"},
  {"id": 12, "name": "Sam", "email": "sam@shared-two.example", "updated_at": "2026-03-01T10:00:00Z"},
  {"id": 13, "name": "Gil", "email": "gil@gmail.com", "updated_at": "2026-03-01T10:00:00Z"},
  {"id": 14, "name": "Fay", "email": "fay@fin.io", "updated_at": "2026-03-01T10:00:00Z"}
], "end_of_stream": true}
EOF
run imp import --source zendesk-users --rejects "$T/users.rej" "$T/users.json"
expect users_two_joined_two_rejected \
	sh -c '[ "$1" -eq 0 ] && grep -q "4 read, 2 inserted, 0 updated, 0 unchanged, 2 rejected" "$2"' _ "$rc" "$OUT"
check "a user at the second domain joins that customer" [ "$(customer_of zendesk-users 11)" = Acme ]
check "a user at an absorbed customer's second domain joins the survivor" \
	[ "$(customer_of zendesk-users 14)" = Eel ]
bolt=$(id_of Bolt) crane=$(id_of Crane)
check "a domain of two customers is rejected, naming both" \
	grep -qF "no contact has the address \"\"sam@shared-two.example\"\", and its domain shared-two.example is a domain of more than one customer (#$bolt, #$crane)" \
	"$T/users.rej"
check "a free-mail domain a record lists is no customer's, and the reason says so" \
	grep -qF "no contact has the address \"\"gil@gmail.com\"\", and its domain gmail.com is a free-mail or shared domain, which names no customer" "$T/users.rej"

printf 'id,customer_domain,step,title,status,due,completed\nm1,acme.io,1,Kickoff,todo,2026-04-01,\nm2,shared-two.example,1,Kickoff,todo,2026-04-01,\nm3,gmail.com,1,Kickoff,todo,2026-04-01,\n' \
	>"$T/milestones.csv"
run imp import --source onboarding-milestones --rejects "$T/milestones.rej" "$T/milestones.csv"
expect milestones_one_accepted \
	sh -c '[ "$1" -eq 0 ] && grep -q "3 read, 1 inserted, 0 updated, 0 unchanged, 2 rejected" "$2"' _ "$rc" "$OUT"
check "a milestone by the second domain is the customer's" \
	[ "$(customer_of onboarding-milestones m1)" = Acme ]
check "a milestone by a domain of two customers says so" \
	grep -q ',3,email,.*is a domain of more than one customer' "$T/milestones.rej"

run "$BATON_BIN" -d "dbname=$db" show acme.io
expect show_second_domain_opens_it \
	sh -c '[ "$1" -eq 0 ] && head -n 1 "$2" | grep -q "^Acme (acme.example)"' _ "$rc" "$OUT"
run "$BATON_BIN" -d "dbname=$db" show FIN.IO
expect show_absorbed_second_domain_opens_the_survivor \
	sh -c '[ "$1" -eq 0 ] && head -n 1 "$2" | grep -q "^Eel (eel.example)"' _ "$rc" "$OUT"
run "$BATON_BIN" -d "dbname=$db" show shared-two.example
expect show_domain_of_two_lists_both \
	sh -c '[ "$1" -ne 0 ] && grep -q "matches 2 customers" "$2" && grep -q "Bolt" "$2" && grep -q "Crane" "$2"' \
	_ "$rc" "$ERR"
run "$BATON_BIN" -d "dbname=$db" show gmail.com
expect show_free_mail_domain_finds_none \
	sh -c '[ "$1" -ne 0 ] && grep -q "no customer matches" "$2"' _ "$rc" "$ERR"
