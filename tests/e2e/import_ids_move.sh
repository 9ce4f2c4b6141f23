#!/bin/sh
# Identity over several days of files (migration 155):
#  - a Zendesk organization that joined a HubSpot company by its
#    external_id moves when a newer export names another company's id, as
#    it does when its domain is corrected; the two companies stay two;
#  - an organization moved away with its user at its first domain, then
#    back, moves back with the user and the send found by her address:
#    the customer it had moved to holds
#    nothing by that user against it;
#  - after `baton split --run` of a run that merged three organizations at
#    one domain, the same file again merges none of them;
#  - a user filed under another organization by a newer export takes her
#    tickets and answers that name no organization, and the sends found by
#    her address, with her;
#  - an id a record no longer names leaves its customer (or goes with the
#    record): a new company with it is a customer of its own;
#  - a record's own users still count for its customer where another
#    customer holds its new domain by contacts only (a split kept them
#    apart): it stays;
#  - a merge whose record moved on since is not split (refused, naming the
#    record's merge where it is now);
#  - an id with no letter or digit ("-", a CRM's placeholder) is no id
#    (migration 157): two organizations naming it stay two.
. "$BATON_ROOT/tests/lib/e2e.sh"
. "$BATON_ROOT/tests/lib/import.sh"

cli_files import_ids_move
db=$(newdb baton_schema) || { echo "FAIL import_ids_move: cannot create a test database"; exit 1; }
importer_role "$db"
CFG="$BATON_ROOT/etc/baton-import.cfg"
customer_of() { sql "SELECT customer_id FROM import_record WHERE source = '$1' AND source_id = '$2'"; }
live() { sql "SELECT count(*) FROM customer WHERE id IN ($1) AND merged_into IS NULL"; }
companies() { printf 'Record ID,Company name,Company Domain Name,Lifecycle Stage,Last Modified Date\r\n'; cat; }
# orgs FILE JSON...: a Zendesk organizations page of these objects
orgs() { _f=$1; shift; { printf '{"organizations": ['; _sep=
	for _o in "$@"; do printf '%s%s' "$_sep" "$_o"; _sep=", "; done
	printf '], "end_of_stream": true}\n'; } >"$_f"; }

# 1. The external_id corrected to another company's id.
companies >"$T/hs.csv" <<'CSV'
9001,Northwind,nwh.example,Customer,2026-03-01 09:00
9002,Contoso,contoso.example,Lead,2026-03-01 09:00
9003,Fabrikam,fabrikam.example,Lead,2026-03-01 09:00
CSV
imported companies hubspot-companies "$T/hs.csv" "3 inserted"
nw=$(customer_of hubspot-companies 9001)
co=$(customer_of hubspot-companies 9002)
fa=$(customer_of hubspot-companies 9003)
orgs "$T/o1.json" '{"id": 301, "name": "Northwind Health", "domain_names": [], "external_id": "9001", "updated_at": "2026-03-02T10:00:00Z"}' \
	'{"id": 302, "name": "Fabrikam Support", "domain_names": ["fabrikam.example"], "external_id": "9003", "updated_at": "2026-03-02T10:00:00Z"}'
imported org_joins_by_its_id zendesk-organizations "$T/o1.json" "2 customers merged"
check org_is_northwinds [ "$(customer_of zendesk-organizations 301)" = "$nw" ]
orgs "$T/o2.json" '{"id": 301, "name": "Northwind Health", "domain_names": [], "external_id": "9002", "updated_at": "2026-03-03T10:00:00Z"}' \
	'{"id": 302, "name": "Fabrikam Support", "domain_names": ["fabrikam.example"], "external_id": "9002", "updated_at": "2026-03-03T10:00:00Z"}'
run "$BATON_BIN" -c "$CFG" -d "dbname=$db user=importer" import --source zendesk-organizations "$T/o2.json"
expect org_moves_by_its_new_id sh -c '[ "$1" -eq 0 ] && grep -q "Zendesk org 301, from #$3 .* to #$4 Contoso: same id crm:9002" "$2" &&
	grep -q "1 customer merged" "$2"' _ "$rc" "$OUT" "$nw" "$co"
check org_is_contosos_now [ "$(customer_of zendesk-organizations 301)" = "$co" ]
check northwind_and_contoso_stay_two [ "$(live "$nw, $co")" = 2 ]
check its_zendesk_id_goes_with_it [ "$(sql "SELECT customer_id FROM customer_external_id WHERE system = 'helpdesk' AND external_id = '301'")" = "$co" ]
# Fabrikam's organization keeps its domain, which still reaches Fabrikam:
# it stays, and its new id joins Fabrikam and Contoso (the merge the
# summary counts), as a record that says both is one company (only a
# record none of whose identifiers stays moves).
check org_with_a_domain_kept_joins_the_two [ "$(sql "SELECT coalesce(merged_into, id) FROM customer WHERE id = $fa") $(customer_of zendesk-organizations 302)" = "$co $co" ]

# 2. Away and back, with a user at the first domain.
companies >"$T/hx.csv" <<'CSV'
9100,Xeno Inc,x.example,Customer,2026-03-01 09:00
9200,Yotta Inc,y.example,Customer,2026-03-01 09:00
CSV
imported xy_companies hubspot-companies "$T/hx.csv" "2 inserted"
xe=$(customer_of hubspot-companies 9100)
yo=$(customer_of hubspot-companies 9200)
orgs "$T/x1.json" '{"id": 501, "name": "Xeno", "domain_names": ["x.example"], "updated_at": "2026-03-01T10:00:00Z"}'
imported org_joins_xeno zendesk-organizations "$T/x1.json" "1 customer merged"
cat >"$T/u.json" <<'JSON'
{"users": [{"id": 601, "name": "Xa", "email": "xa@x.example", "organization_id": 501, "role": "end-user",
            "updated_at": "2026-03-01T11:00:00Z"}], "end_of_stream": true}
JSON
imported user_imported zendesk-users "$T/u.json" "1 inserted"
printf 'Event ID,Recipient,Email Name,Email Type,Sent At\nE2,xa@x.example,Xeno news,Newsletter,2026-03-01 12:00\n' >"$T/xsend.csv"
imported send_to_the_user hubspot-email-sends "$T/xsend.csv" "1 inserted"
send_of() { sql "SELECT customer_id FROM marketing_event WHERE campaign = '$1'"; }
orgs "$T/x2.json" '{"id": 501, "name": "Xeno", "domain_names": ["y.example"], "updated_at": "2026-03-02T10:00:00Z"}'
imported org_moves_to_yotta zendesk-organizations "$T/x2.json" "Zendesk org 501, from #$xe"
check user_goes_with_it [ "$(customer_of zendesk-organizations 501) $(customer_of zendesk-users 601)" = "$yo $yo" ]
# (and the send found by her address, with her)
check users_send_goes_with_it [ "$(send_of 'Xeno news') $(customer_of hubspot-email-sends E2)" = "$yo $yo" ]
orgs "$T/x3.json" '{"id": 501, "name": "Xeno", "domain_names": ["x.example"], "updated_at": "2026-03-05T10:00:00Z"}'
run "$BATON_BIN" -c "$CFG" -d "dbname=$db user=importer" import --dry-run --source zendesk-organizations "$T/x3.json"
expect dry_run_moves_it_back sh -c '[ "$1" -eq 0 ] && grep -q "Zendesk org 501, from #$3 .* to #$4 Xeno Inc" "$2" &&
	grep -q "0 customers merged" "$2"' _ "$rc" "$OUT" "$yo" "$xe"
imported org_moves_back zendesk-organizations "$T/x3.json" "0 customers merged"
check org_and_user_back_with_xeno [ "$(customer_of zendesk-organizations 501) $(customer_of zendesk-users 601) $(sql "SELECT customer_id FROM contact WHERE email = 'xa@x.example'") $(send_of 'Xeno news')" = "$xe $xe $xe $xe" ]
check xeno_and_yotta_stay_two [ "$(live "$xe, $yo")" = 2 ]
# Its first join, which it moved on from, is no merge to split: refused,
# naming its merge where it is now (its join back), which splits.
first=$(sql "SELECT merge_id FROM import_record_move WHERE source = 'zendesk-organizations' AND source_id = '501' ORDER BY at LIMIT 1")
live_merge=$(sql "SELECT m.id FROM customer_merge m WHERE m.joined_source = 'zendesk-organizations' AND m.joined_source_id = '501'
	AND NOT EXISTS (SELECT 1 FROM import_record_move o WHERE o.merge_id = m.id) ORDER BY m.at DESC LIMIT 1")
run "$BATON_BIN" -c "$CFG" -d "dbname=$db user=importer" split "$first"
expect moved_merge_split_refused sh -c '[ "$1" -ne 0 ] &&
	grep -q "Zendesk org 501 left customer $3 since this merge (it is customer $3.s now): nothing to split; its merge there is $4" "$2"' \
	_ "$rc" "$ERR" "$xe" "$live_merge"
check refused_split_changed_nothing [ "$(customer_of zendesk-organizations 501) $(sql "SELECT count(*) FROM customer_split")" = "$xe 0" ]

# 3. A run's three merges split, then the same file again.
orgs "$T/f.json" '{"id": 701, "name": "Franchise North", "domain_names": ["franchise.example"], "updated_at": "2026-03-01T10:00:00Z"}' \
	'{"id": 702, "name": "Franchise East", "domain_names": ["franchise.example"], "updated_at": "2026-03-01T10:00:00Z"}' \
	'{"id": 703, "name": "Franchise South", "domain_names": ["franchise.example"], "updated_at": "2026-03-01T10:00:00Z"}'
imported franchises_merge zendesk-organizations "$T/f.json" "2 customers merged"
frun=$(sql "SELECT run_id FROM import_record WHERE source = 'zendesk-organizations' AND source_id = '701'")
run "$BATON_BIN" -c "$CFG" -d "dbname=$db user=importer" split --run "$frun"
expect run_split sh -c '[ "$1" -eq 0 ]' _ "$rc"
f1=$(customer_of zendesk-organizations 701)
f2=$(customer_of zendesk-organizations 702)
f3=$(customer_of zendesk-organizations 703)
check three_after_the_split [ "$(live "$f1, $f2, $f3")" = 3 ]
run "$BATON_BIN" -c "$CFG" -d "dbname=$db user=importer" import --source zendesk-organizations "$T/f.json"
expect same_file_merges_nothing sh -c '[ "$1" -eq 0 ] && grep -q "0 customers merged" "$2"' _ "$rc" "$OUT"
check still_three [ "$(live "$f1, $f2, $f3") $(customer_of zendesk-organizations 702) $(customer_of zendesk-organizations 703)" = "3 $f2 $f3" ]

# 4. A user moving organization takes her tickets that name none.
orgs "$T/ag.json" '{"id": 801, "name": "Acme", "domain_names": ["acme.example"], "updated_at": "2026-03-01T10:00:00Z"}' \
	'{"id": 802, "name": "Globex", "domain_names": ["globex.example"], "updated_at": "2026-03-01T10:00:00Z"}'
imported acme_globex zendesk-organizations "$T/ag.json" "2 inserted"
acme=$(customer_of zendesk-organizations 801)
globex=$(customer_of zendesk-organizations 802)
cat >"$T/u1.json" <<'JSON'
{"users": [{"id": 901, "name": "Free", "email": "free@gmail.com", "organization_id": 801, "role": "end-user",
            "updated_at": "2026-03-01T11:00:00Z"}], "end_of_stream": true}
JSON
imported free_user zendesk-users "$T/u1.json" "1 inserted"
cat >"$T/t1.json" <<'JSON'
{"tickets": [
  {"id": 5001, "subject": "Via her", "status": "open", "organization_id": null, "requester_id": 901,
   "created_at": "2026-03-02T08:00:00Z", "updated_at": "2026-03-02T08:00:00Z"},
  {"id": 5002, "subject": "Acme's own", "status": "open", "organization_id": 801, "requester_id": 901,
   "created_at": "2026-03-02T08:00:00Z", "updated_at": "2026-03-02T08:00:00Z"}
], "end_of_stream": true}
JSON
imported her_tickets zendesk-tickets "$T/t1.json" "2 inserted"
check her_ticket_is_acmes [ "$(customer_of zendesk-tickets 5001)" = "$acme" ]
sed 's/"organization_id": 801/"organization_id": 802/; s/2026-03-01T11/2026-03-04T11/' "$T/u1.json" >"$T/u2.json"
imported she_moves zendesk-users "$T/u2.json" "1 updated"
check her_orgless_ticket_goes_with_her \
	[ "$(sql "SELECT customer_id FROM ticket WHERE number = '5001'") $(customer_of zendesk-tickets 5001)" = "$globex $globex" ]
check acmes_own_ticket_stays [ "$(sql "SELECT customer_id FROM ticket WHERE number = '5002'")" = "$acme" ]
imported same_tickets_again_unchanged zendesk-tickets "$T/t1.json" "0 updated, 2 unchanged"

# 5. A placeholder for no id joins nothing.
orgs "$T/dash.json" '{"id": 811, "name": "Dash One", "domain_names": [], "external_id": "-", "updated_at": "2026-03-01T10:00:00Z"}' \
	'{"id": 812, "name": "Dash Two", "domain_names": [], "external_id": " - ", "updated_at": "2026-03-01T10:00:00Z"}'
imported placeholder_ids_merge_nothing zendesk-organizations "$T/dash.json" "2 inserted, .*0 customers merged"
check placeholder_is_no_id [ "$(sql "SELECT count(*) FROM customer_external_id WHERE system = 'crm'
	AND customer_id IN (SELECT customer_id FROM import_record WHERE source = 'zendesk-organizations' AND source_id IN ('811', '812'))") $(live "$(customer_of zendesk-organizations 811), $(customer_of zendesk-organizations 812)")" = "0 2" ]

# A file of which one row is left out by a rule and the other rejected
# says so, not that every row was rejected.
cat >"$T/agents.json" <<'JSON'
{"users": [{"id": 951, "name": "Agent", "email": "agent@acme.example", "organization_id": 801, "role": "agent"},
           {"id": 952, "name": "Lost", "email": "lost@nowhere.example", "organization_id": 999, "role": "end-user"}],
 "end_of_stream": true}
JSON
run "$BATON_BIN" -c "$CFG" -d "dbname=$db user=importer" import --source zendesk-users "$T/agents.json"
expect rejected_and_skipped_said_so sh -c '[ "$1" -eq 1 ] &&
	grep -qx "baton: $3: every row was rejected or left out by the source.s rules: nothing of it was imported" "$2"' \
	_ "$rc" "$ERR" "$T/agents.json"

# 6. An id the record named and names no more is nobody's: HubSpot 9999
# comes later and is a customer of its own (155, 5.).
orgs "$T/i1.json" '{"id": 321, "name": "Ids", "domain_names": [], "external_id": "9001", "updated_at": "2026-03-10T10:00:00Z"}'
imported ids_org_joins_northwind zendesk-organizations "$T/i1.json" "1 customer merged"
orgs "$T/i2.json" '{"id": 321, "name": "Ids", "domain_names": [], "external_id": "9999", "updated_at": "2026-03-11T10:00:00Z"}'
imported ids_org_names_another zendesk-organizations "$T/i2.json" "1 updated"
check northwind_holds_the_named_id [ "$(sql "SELECT customer_id FROM customer_external_id WHERE system = 'crm' AND external_id = '9999'")" = "$nw" ]
companies >"$T/h9010.csv" <<'CSV'
9010,Umbrella,umbrella.example,Lead,2026-03-11 09:00
CSV
imported umbrella hubspot-companies "$T/h9010.csv" "1 inserted"
orgs "$T/i3.json" '{"id": 321, "name": "Ids", "domain_names": [], "external_id": "9010", "updated_at": "2026-03-12T10:00:00Z"}'
imported ids_org_moves zendesk-organizations "$T/i3.json" "Zendesk org 321, from #$nw"
check dropped_id_is_nobodys [ "$(sql "SELECT count(*) FROM customer_external_id WHERE system = 'crm' AND external_id = '9999'") $(sql "SELECT customer_id FROM customer_external_id WHERE system = 'crm' AND external_id = '9001'")" = "0 $nw" ]
companies >"$T/h9999.csv" <<'CSV'
9999,Initech,initech.example,Lead,2026-03-13 09:00
CSV
imported new_company_with_the_dropped_id hubspot-companies "$T/h9999.csv" "1 inserted, .*0 customers merged"

# 7. Its own users count for its customer against contacts elsewhere.
companies >"$T/hz.csv" <<'CSV'
9500,Xenia,xenia.example,Customer,2026-03-01 09:00
9600,Zed,zed.example,Customer,2026-03-01 09:00
CSV
imported xenia_zed hubspot-companies "$T/hz.csv" "2 inserted"
xa=$(customer_of hubspot-companies 9500)
ze=$(customer_of hubspot-companies 9600)
orgs "$T/z1.json" '{"id": 551, "name": "Xenia", "domain_names": ["xenia.example"], "updated_at": "2026-03-01T10:00:00Z"}'
imported z_org_joins_xenia zendesk-organizations "$T/z1.json" "1 customer merged"
cat >"$T/zu.json" <<'JSON'
{"users": [{"id": 651, "name": "Xa", "email": "xa@xenia-mail.example", "organization_id": 551, "role": "end-user",
            "updated_at": "2026-03-01T11:00:00Z"},
           {"id": 652, "name": "Xb", "email": "xb@xenia-mail.example", "organization_id": 551, "role": "end-user",
            "updated_at": "2026-03-01T11:00:00Z"}], "end_of_stream": true}
JSON
imported z_users zendesk-users "$T/zu.json" "2 inserted"
printf 'Record ID,First Name,Last Name,Email,Associated Company IDs (Primary),Job Title,Last Modified Date\n1,Con,Sultant,con@xenia-mail.example,9600,,2026-03-02 09:00\n' >"$T/zc.csv"
imported consultant_bridges hubspot-contacts "$T/zc.csv" "1 customer merged"
bridge=$(sql "SELECT id FROM customer_merge WHERE run_id = (SELECT run_id FROM import_record WHERE source = 'hubspot-contacts' AND source_id = '1') LIMIT 1")
run "$BATON_BIN" -c "$CFG" -d "dbname=$db user=importer" split "$bridge"
expect consultant_bridge_split sh -c '[ "$1" -eq 0 ]' _ "$rc"
orgs "$T/z2.json" '{"id": 551, "name": "Xenia", "domain_names": ["xenia-mail.example"], "updated_at": "2026-03-05T10:00:00Z"}'
run "$BATON_BIN" -c "$CFG" -d "dbname=$db user=importer" import --source zendesk-organizations "$T/z2.json"
expect org_with_its_users_stays sh -c '[ "$1" -eq 0 ] && ! grep -q "moved to another customer" "$2"' _ "$rc" "$OUT"
check org_and_users_still_xenias [ "$(customer_of zendesk-organizations 551) $(customer_of zendesk-users 651) $(live "$xa, $ze")" = "$xa $xa 2" ]

# 8. The sends found by a moving contact's address go with her.
printf 'Event ID,Recipient,Email Name,Email Type,Sent At\nE1,free@gmail.com,March news,Newsletter,2026-03-02 09:00\n' >"$T/sends.csv"
imported send_found_by_her_address hubspot-email-sends "$T/sends.csv" "1 inserted"
check send_is_with_her [ "$(sql "SELECT customer_id FROM marketing_event WHERE campaign = 'March news'")" = "$globex" ]
sed 's/"organization_id": 802/"organization_id": 801/; s/2026-03-04T11/2026-03-06T11/' "$T/u2.json" >"$T/u3.json"
imported she_moves_back zendesk-users "$T/u3.json" "1 updated"
check send_goes_with_her [ "$(sql "SELECT customer_id FROM marketing_event WHERE campaign = 'March news'") $(customer_of hubspot-email-sends E1)" = "$acme $acme" ]
check her_ticket_back_too [ "$(sql "SELECT customer_id FROM ticket WHERE number = '5001'")" = "$acme" ]

# `baton merges` marks with the server's rule (baton_merge_maker_now),
# which a staff member listing merges runs: ana, in support, sees Xeno's.
sql "INSERT INTO team (id, name) VALUES ('support', 'Support') ON CONFLICT DO NOTHING;
     INSERT INTO staff (role_name, display_name, team_id) VALUES ('ana', 'Ana Lima', 'support')" >/dev/null
run as ana merges --customer "$xe"
expect staff_lists_merges sh -c '[ "$1" -eq 0 ] && grep -q "\[moved to #" "$2"' _ "$rc" "$OUT"
