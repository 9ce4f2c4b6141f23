#!/bin/sh
# A customer absorbed by a merge is part of its survivor: the handoff and
# the note written about it before the merge show on the survivor's screen
# (console and baton show), the finder lists the survivor alone, `baton
# show` of the absorbed customer's domain opens the survivor; after `baton
# split` both go back to the customer they were written about.  The
# lead's queue lists the handoff under the survivor's segment while the
# two are one (schema version 99).
. "$BATON_ROOT/tests/lib/e2e.sh"
. "$BATON_ROOT/tests/lib/import.sh"

db=$(newdb baton_demo) || { echo "FAIL import_absorbed: cannot create a test database"; exit 1; }
cli_files import_absorbed
importer_role "$db"
trap stop EXIT
CFG="$BATON_ROOT/etc/baton-import.cfg"
imp() { "$BATON_BIN" -c "$CFG" -d "dbname=$db user=importer" "$@"; }

cat >"$T/orgs.json" <<'EOF'
{"organizations": [
  {"id": 880001, "name": "Keel Survivor", "domain_names": ["keel-one.example"], "updated_at": "2026-03-01T10:00:00Z"},
  {"id": 880002, "name": "Keel Absorbed", "domain_names": ["keel-two.example"], "updated_at": "2026-03-01T10:00:00Z"}
], "end_of_stream": true}
EOF
run imp import --source zendesk-organizations "$T/orgs.json"
expect two_customers_imported sh -c '[ "$1" -eq 0 ] && grep -q "2 read, 2 inserted" "$2"' _ "$rc" "$OUT"
run as ana handoff new --customer keel-two.example --to-team success --reason escalation \
	--message "Keel handoff before the merge"
expect handoff_on_the_later_customer sh -c '[ "$1" -eq 0 ]' _ "$rc"
run as ana note add --customer keel-two.example --message "Keel note before the merge"
expect note_on_the_later_customer sh -c '[ "$1" -eq 0 ]' _ "$rc"
# The survivor-to-be is an enterprise account, the later record not.
sql "UPDATE customer SET segment = 'enterprise' WHERE name = 'Keel Survivor'" >/dev/null
run as ana queue --segment enterprise --format csv
expect queue_enterprise_before_the_merge_without_it \
	sh -c '[ "$1" -eq 0 ] && ! grep -q "Keel handoff before the merge" "$2"' _ "$rc" "$OUT"

# A contact of the first at the second's domain: the same customer.
cat >"$T/users.json" <<'EOF'
{"users": [{"id": 9901, "name": "Kim", "email": "kim@keel-two.example", "organization_id": 880001,
            "updated_at": "2026-03-01T10:00:00Z"}], "end_of_stream": true}
EOF
run imp import --source zendesk-users "$T/users.json"
expect contact_merges_them sh -c '[ "$1" -eq 0 ] && grep -q "1 customer merged" "$2"' _ "$rc" "$OUT"
absorbed=$(sql "SELECT id FROM customer WHERE name = 'Keel Absorbed'")
check later_customer_absorbed \
	[ "$(sql "SELECT s.name FROM customer c JOIN customer s ON s.id = c.merged_into WHERE c.id = $absorbed")" = "Keel Survivor" ]

run as ana queue --team success --format csv
expect queue_names_the_survivor \
	sh -c '[ "$1" -eq 0 ] && grep "Keel handoff before the merge" "$2" | grep -q "Keel Survivor" &&
	       ! grep -q "Keel Absorbed" "$2"' _ "$rc" "$OUT"
run as ana queue --segment enterprise --format csv
expect queue_segment_is_the_survivors \
	sh -c '[ "$1" -eq 0 ] && grep "Keel handoff before the merge" "$2" | tr -d "\\r" | grep -q ",enterprise$"' _ "$rc" "$OUT"
run as ana queue --segment smb --format csv
expect queue_segment_not_the_absorbed_ones \
	sh -c '[ "$1" -eq 0 ] && ! grep -q "Keel handoff before the merge" "$2"' _ "$rc" "$OUT"
run as ana show keel-one.example
expect show_survivor_has_absorbed_handoff_and_note \
	sh -c '[ "$1" -eq 0 ] && grep -q "Keel handoff before the merge" "$2" && grep -q "Keel note before the merge" "$2"' \
	_ "$rc" "$OUT"
run as ana show keel-two.example
expect show_absorbed_domain_opens_survivor \
	sh -c '[ "$1" -eq 0 ] && head -n 1 "$2" | grep -q "^Keel Survivor (keel-one.example)"' _ "$rc" "$OUT"

start import_absorbed 120 40 "$BATON_BIN" -d "'dbname=$db user=ana'"
wait_state live 15
type_text "Keel"
check "finder lists the survivor" wait_for "Keel Survivor" 10
check "finder leaves the absorbed customer out" eval '! on_screen "Keel Absorbed"'
# Narrowed to the survivor alone, so that Enter opens it whatever the
# finder lists first.
type_text " Surv"
keys Enter
check "console: the absorbed customer's note on the survivor's screen" \
	wait_for "Keel note before the merge" 10
check "console: the absorbed customer's handoff on the survivor's screen" \
	wait_for "Keel handoff before the merge" 10
check "console: that screen is the survivor's" eval 'on_screen "t timeline" && on_screen "Keel Survivor"'
keys Q
check "console quits with exit status 0" exit_status_is 0 10

# Split: each thing goes back to the customer it was written about.
merge=$(sql "SELECT id FROM customer_merge WHERE absorbed = $absorbed")
run imp split "$merge"
expect split_separates sh -c '[ "$1" -eq 0 ]' _ "$rc"
run as ana show keel-one.example
expect split_survivor_without_them \
	sh -c '[ "$1" -eq 0 ] && ! grep -q "Keel handoff before the merge" "$2" && ! grep -q "Keel note before the merge" "$2"' \
	_ "$rc" "$OUT"
run as ana show keel-two.example
expect split_absorbed_has_them_again \
	sh -c '[ "$1" -eq 0 ] && head -n 1 "$2" | grep -q "^Keel Absorbed (keel-two.example)" &&
	       grep -q "Keel handoff before the merge" "$2" &&
	       grep -q "Keel note before the merge" "$2"' _ "$rc" "$OUT"
run as ana queue --team success --format csv
expect split_queue_names_the_absorbed_again \
	sh -c '[ "$1" -eq 0 ] && grep "Keel handoff before the merge" "$2" | grep -q "Keel Absorbed"' _ "$rc" "$OUT"
run as ana queue --segment enterprise --format csv
expect split_queue_segment_its_own_again \
	sh -c '[ "$1" -eq 0 ] && ! grep -q "Keel handoff before the merge" "$2"' _ "$rc" "$OUT"
check "no sanitizer report" no_sanitizer_report
