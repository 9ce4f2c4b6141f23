#!/bin/sh
# A run's merges undone at once (schema 141):
#  - baton import names the run of a file that merged, and --format json
#    gives it ("run"; null in a dry run, which writes nothing);
#  - baton merges --run lists that run's merges and no other's;
#  - baton split --run splits every one not split yet (a record's join and
#    a customer's absorption alike), leaves other runs' merges as they are,
#    and the next import of the same records keeps each pair apart;
#  - once split, again says there is nothing left; an unknown run and a
#    word that is no run id are refused;
#  - a long one says how far it is every ten seconds;
#  - a merge written twice before 140 is counted with its absorption;
#  - ordinary staff cannot, and nothing is split when they try.
. "$BATON_ROOT/tests/lib/e2e.sh"
. "$BATON_ROOT/tests/lib/import.sh"

cli_files import_split_run
db=$(newdb baton_schema) || { echo "FAIL import_split_run: cannot create a test database"; exit 1; }
importer_role "$db"
psql -X -q -d "$db" -c "DO \$\$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'plainstaff')
	THEN CREATE ROLE plainstaff LOGIN; END IF; END \$\$; GRANT baton_staff TO plainstaff;" >/dev/null
CFG="$BATON_ROOT/etc/baton-import.cfg"
as_importer() { "$BATON_BIN" -c "$CFG" -d "dbname=$db user=importer" "$@"; }
# unsplit: how many merges no split undid
unsplit() { sql "SELECT count(*) FROM customer_merge m WHERE NOT EXISTS (SELECT 1 FROM customer_split s WHERE s.merge_id = m.id)"; }
# home SOURCE ID: the name of the customer holding a source's record
home() {
	sql "SELECT c.name FROM import_record r JOIN customer c ON c.id = coalesce((SELECT merged_into FROM customer
	     WHERE id = r.customer_id), r.customer_id) WHERE r.source = '$1' AND r.source_id = '$2'"
}

cat >"$T/orgs.json" <<'EOF'
{"organizations": [
  {"id": 1, "name": "Alder", "domain_names": ["alder.example"], "updated_at": "2026-03-01T10:00:00Z"},
  {"id": 2, "name": "Birch", "domain_names": ["birch.example"], "updated_at": "2026-03-01T10:00:00Z"},
  {"id": 3, "name": "Cedar", "domain_names": ["cedar.example"], "updated_at": "2026-03-01T10:00:00Z"},
  {"id": 4, "name": "Dogwood", "domain_names": ["dogwood.example"], "updated_at": "2026-03-01T10:00:00Z"}],
 "end_of_stream": true}
EOF
imported orgs zendesk-organizations "$T/orgs.json" "4 read, 4 inserted.* 0 customers merged\$"
# A run whose merge is right, and stays.
printf 'Record ID,Company name,Company Domain Name,Lifecycle Stage,Last Modified Date\n9001,Alder CRM,alder.example,Customer,2026-03-02 09:00\n' \
	>"$T/companies.csv"
run as_importer import --source hubspot-companies "$T/companies.csv"
good=$(sed -n 's/^  its merges: baton merges --run \([0-9a-f-]*\) lists them, baton split --run \1 undoes them$/\1/p' "$OUT")
expect good_run_named sh -c '[ "$1" -eq 0 ] && grep -q "1 customer merged$" "$2" && [ -n "$3" ]' _ "$rc" "$OUT" "$good"

# The wrong run: Birch's newer export lists Cedar's domain (absorbing
# Cedar), and a new organization is at Dogwood's (joining it).
cat >"$T/wrong.json" <<'EOF'
{"organizations": [
  {"id": 2, "name": "Birch", "domain_names": ["birch.example", "cedar.example"], "updated_at": "2026-03-05T10:00:00Z"},
  {"id": 5, "name": "Dogwood again", "domain_names": ["dogwood.example"], "updated_at": "2026-03-05T10:00:00Z"}],
 "end_of_stream": true}
EOF
run as_importer import --dry-run --format json --source zendesk-organizations "$T/wrong.json"
expect dry_run_names_no_run sh -c '[ "$1" -eq 0 ] && python3 -c "
import json, sys
r = json.load(open(sys.argv[1]))
assert [(x[\"merged\"], x[\"run\"]) for x in r] == [(2, None)], r
" "$2"' _ "$rc" "$OUT"
run as_importer import --format json --source zendesk-organizations "$T/wrong.json"
wrong=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[0]["run"])' "$OUT" 2>/dev/null)
expect wrong_run_named_in_json sh -c '[ "$1" -eq 0 ] && grep -q "\"merged\":2," "$2" && [ "$3" = 1 ]' \
	_ "$rc" "$OUT" "$(sql "SELECT count(*) FROM import_run WHERE id::text = '$wrong'")"
check wrong_run_merged [ "$(home zendesk-organizations 3)/$(home zendesk-organizations 5)" = "Birch/Dogwood" ]

run as_importer merges --run "$wrong" --format json
expect merges_of_the_run_alone sh -c '[ "$1" -eq 0 ] && python3 -c "
import json, sys
r = json.load(open(sys.argv[1]))
assert sorted((m[\"customer\"], m[\"joined\"], m[\"run\"]) for m in r) == \
    [(\"Birch\", \"#%s Cedar\" % sys.argv[3], sys.argv[2]), (\"Dogwood\", \"Zendesk org 5\", sys.argv[2])], r
" "$2" "$3" "$4"' _ "$rc" "$OUT" "$wrong" "$(sql "SELECT id FROM customer WHERE name = 'Cedar'")"
run as_importer merges --run "$good"
expect merges_text_of_the_other_run sh -c '[ "$1" -eq 0 ] && [ "$(grep -c "^ *merge " "$2")" = 1 ] &&
	grep -q "Alder ← HubSpot 9001" "$2" && grep -q "^    merge [0-9a-f-]* by importer, import run $3\$" "$2"' _ "$rc" "$OUT" "$good"

# Nothing listed says of what: a run with no merges and one that does not
# exist (upper case, as a user may paste it) alike.
nomerge=$(sql "SELECT id FROM import_run r WHERE NOT EXISTS (SELECT 1 FROM customer_merge m WHERE m.run_id = r.id) LIMIT 1")
run as_importer merges --run "$nomerge"
expect merges_of_a_run_that_merged_nothing \
	sh -c '[ "$1" -eq 0 ] && [ "$(cat "$2")" = "no merges in run $3" ]' _ "$rc" "$OUT" "$nomerge"
run as_importer merges --run 0000ABCD-0000-0000-0000-000000000000
expect merges_of_an_unknown_run \
	sh -c '[ "$1" -eq 0 ] && [ "$(cat "$2")" = "no merges in run 0000abcd-0000-0000-0000-000000000000" ]' _ "$rc" "$OUT"
run as_importer merges --customer "#$(sql "SELECT id FROM customer WHERE name = 'Alder'")" --run "$wrong"
expect merges_of_a_customer_in_a_run_that_has_none sh -c '[ "$1" -eq 0 ] &&
	[ "$(cat "$2")" = "no merges of #$4 in run $3" ]' _ "$rc" "$OUT" "$wrong" "$(sql "SELECT id FROM customer WHERE name = 'Alder'")"

run "$BATON_BIN" -d "dbname=$db user=plainstaff" split --run "$wrong"
expect staff_cannot_split_a_run sh -c '[ "$1" -ne 0 ] && grep -q "may not split customers" "$2"' _ "$rc" "$ERR"
check staff_split_nothing [ "$(unsplit)" = 3 ]

run as_importer split --run "$wrong"
expect run_split sh -c '[ "$1" -eq 0 ] && grep -qx "2 merges of run $3 split; later imports keep each pair apart" "$2" &&
	[ "$(grep -c "^split: #[0-9]* and #[0-9]* are separate customers$" "$2")" = 2 ]' _ "$rc" "$OUT" "$wrong"
check run_split_both_apart \
	[ "$(home zendesk-organizations 3)/$(home zendesk-organizations 5)" = "Cedar/Dogwood again" ]
check run_split_other_run_kept [ "$(home hubspot-companies 9001)/$(unsplit)" = "Alder/1" ]

run as_importer split --run "$wrong"
expect run_split_again_nothing_left \
	sh -c '[ "$1" -eq 0 ] && grep -qx "run $3 has no merges left to split" "$2"' _ "$rc" "$OUT" "$wrong"

# The same records again, newer: each pair stays apart.
sed 's/2026-03-05/2026-03-06/' "$T/wrong.json" >"$T/wrong2.json"
imported wrong_again_merges_nothing zendesk-organizations "$T/wrong2.json" "2 read, 0 inserted, 2 updated.* 0 customers merged\$"
check wrong_again_stays_apart \
	[ "$(home zendesk-organizations 3)/$(home zendesk-organizations 5)/$(live_customers)" = "Cedar/Dogwood again/5" ]

# One merge split by itself first: the run's split takes the rest.
cat >"$T/wrong3.json" <<'EOF'
{"organizations": [
  {"id": 6, "name": "Elm", "domain_names": ["alder.example"], "updated_at": "2026-03-07T10:00:00Z"},
  {"id": 7, "name": "Fir", "domain_names": ["birch.example"], "updated_at": "2026-03-07T10:00:00Z"}],
 "end_of_stream": true}
EOF
run as_importer import --source zendesk-organizations "$T/wrong3.json"
third=$(sed -n 's/^  its merges: baton merges --run \([0-9a-f-]*\) lists them.*/\1/p' "$OUT")
expect third_run_merged sh -c '[ "$1" -eq 0 ] && grep -q "2 customers merged$" "$2" && [ -n "$3" ]' _ "$rc" "$OUT" "$third"
run as_importer split "$(sql "SELECT id FROM customer_merge WHERE joined_source_id = '6'")"
expect one_of_the_run_split_alone sh -c '[ "$1" -eq 0 ]' _ "$rc"
run as_importer split --run "$third"
expect run_split_takes_the_rest sh -c '[ "$1" -eq 0 ] && grep -qx "1 merge of run $3 split; later imports keep each pair apart" "$2"' \
	_ "$rc" "$OUT" "$third"
check third_all_apart [ "$(home zendesk-organizations 6)/$(home zendesk-organizations 7)" = "Elm/Fir" ]

# A long split says how far it is, every ten seconds: the second of three
# merges held for eleven by another session's lock on it.
cat >"$T/slow1.json" <<'EOF'
{"organizations": [
  {"id": 11, "name": "Gum", "domain_names": ["gum.example"], "updated_at": "2026-03-01T10:00:00Z"},
  {"id": 12, "name": "Hazel", "domain_names": ["hazel.example"], "updated_at": "2026-03-01T10:00:00Z"},
  {"id": 13, "name": "Ivy", "domain_names": ["ivy.example"], "updated_at": "2026-03-01T10:00:00Z"}],
 "end_of_stream": true}
EOF
sed -e 's/"id": 1\([123]\)/"id": 2\1/; s/"name": "\([A-Za-z]*\)"/"name": "\1 again"/' "$T/slow1.json" >"$T/slow2.json"
imported slow_first zendesk-organizations "$T/slow1.json" "3 read, 3 inserted"
run as_importer import --source zendesk-organizations "$T/slow2.json"
slow=$(sed -n 's/^  its merges: baton merges --run \([0-9a-f-]*\) lists them.*/\1/p' "$OUT")
expect slow_run_merged sh -c '[ "$1" -eq 0 ] && grep -q "3 customers merged$" "$2" && [ -n "$3" ]' _ "$rc" "$OUT" "$slow"
second=$(sql "SELECT id FROM customer_merge WHERE run_id::text = '$slow' ORDER BY absorbed IS NOT NULL, id OFFSET 1 LIMIT 1")
psql -X -q -d "$db" -c "BEGIN" -c "SELECT 1 FROM customer_merge WHERE id = '$second' FOR UPDATE" \
	-c "SELECT pg_sleep(11) AS held_for_the_split" -c "COMMIT" >/dev/null 2>&1 &
holder=$!
wait_true 10 '[ "$(sql "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '"'"'%held_for_the_split%'"'"' AND pid <> pg_backend_pid()")" = 1 ]'
run as_importer split --run "$slow"
wait "$holder"
expect slow_split_says_how_far sh -c '[ "$1" -eq 0 ] && grep -qx "3 merges of run $3 split; later imports keep each pair apart" "$2" &&
	[ "$(grep -c "^baton: run $3: 2 of 3 merges split so far$" "$4")" = 1 ] && [ "$(wc -l <"$4")" = 1 ]' _ "$rc" "$OUT" "$slow" "$ERR"

# A run holding a merge written twice before 140 (made here as those runs
# wrote it): the summary counts the repeat with its absorption; a run id
# typed in capitals is said as baton import writes it.
cat >"$T/rep1.json" <<'EOF'
{"organizations": [
  {"id": 31, "name": "Juniper", "domain_names": ["juniper.example"], "updated_at": "2026-03-01T10:00:00Z"},
  {"id": 32, "name": "Kauri", "domain_names": ["kauri.example"], "updated_at": "2026-03-01T10:00:00Z"}],
 "end_of_stream": true}
EOF
cat >"$T/rep2.json" <<'EOF'
{"organizations": [
  {"id": 32, "name": "Kauri", "domain_names": ["kauri.example", "juniper.example"], "updated_at": "2026-03-05T10:00:00Z"}],
 "end_of_stream": true}
EOF
imported rep_first zendesk-organizations "$T/rep1.json" "2 read, 2 inserted"
run as_importer import --source zendesk-organizations "$T/rep2.json"
rep=$(sed -n 's/^  its merges: baton merges --run \([0-9a-f-]*\) lists them.*/\1/p' "$OUT")
expect rep_absorbed sh -c '[ "$1" -eq 0 ] && grep -q "1 customer merged$" "$2" && [ -n "$3" ]' _ "$rc" "$OUT" "$rep"
sql "INSERT INTO customer_merge (run_id, at, by_role, customer_id, joined_source, joined_source_id, identifiers, evidence)
	SELECT run_id, at, by_role, customer_id, 'zendesk-organizations', '32', identifiers, '{}' FROM customer_merge
	WHERE run_id::text = '$rep'" >/dev/null
run as_importer split --run "$(echo "$rep" | tr 'a-f' 'A-F')"
expect rep_split_counts_the_repeat sh -c '[ "$1" -eq 0 ] &&
	grep -qx "1 merge of run $3 split (and 1 repeat of it written before schema version 140); later imports keep each pair apart" "$2"' \
	_ "$rc" "$OUT" "$rep"
check rep_both_split [ "$(sql "SELECT count(*) FROM customer_merge m JOIN customer_split s ON s.merge_id = m.id
                                WHERE m.run_id::text = '$rep'")" = 2 ]

run as_importer split --run 00000000-0000-4000-8000-000000000000
expect unknown_run_refused sh -c '[ "$1" -eq 1 ] && grep -q "no import run 00000000-0000-4000-8000-000000000000" "$2"' _ "$rc" "$ERR"
run as_importer split --run yesterday
expect not_a_run_id sh -c '[ "$1" -eq 2 ] && grep -q "'"'"'yesterday'"'"' is not a run id" "$2"' _ "$rc" "$ERR"
run as_importer merges --run yesterday
expect merges_not_a_run_id sh -c '[ "$1" -eq 2 ] && grep -q "'"'"'yesterday'"'"' is not a run id" "$2"' _ "$rc" "$ERR"
