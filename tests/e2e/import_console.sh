#!/bin/sh
# Imported text is stored as it came and cleaned only on display: a Zendesk
# organization and a HubSpot company whose names carry escape sequences
# join Northwind Health (same domain), and the console shows the customer
# with "also: ..." while nothing of the names drives the terminal.
. "$BATON_ROOT/tests/lib/e2e.sh"

db=$(newdb baton_demo) || { echo "FAIL import_console: cannot create a test database"; exit 1; }
cli_files import_console
raw="$T/console.raw"
trap stop EXIT
CFG="$BATON_ROOT/etc/baton-import.cfg"

cat >"$T/orgs.json" <<'EOF'
{"organizations": [{"id": 777, "name": "Evil\u001b]0;pwned\u0007 Org\u202e", "domain_names": ["NWH.example."],
  "updated_at": "2026-03-01T10:00:00Z"}], "end_of_stream": true}
EOF
printf 'Record ID,Company name,Company Domain Name\n"9\033]0;pwned\007x",Northwind,https://www.nwh.example/\n' >"$T/companies.csv"
run "$BATON_BIN" -c "$CFG" -d "dbname=$db" import --source zendesk-organizations "$T/orgs.json"
expect org_joins_demo_customer sh -c '[ "$1" -eq 0 ] && grep -q "1 customer merged" "$2"' _ "$rc" "$OUT"
run "$BATON_BIN" -c "$CFG" -d "dbname=$db" import --source hubspot-companies "$T/companies.csv"
expect company_joins_demo_customer sh -c '[ "$1" -eq 0 ] && grep -q "1 customer merged" "$2"' _ "$rc" "$OUT"
check stored_as_it_came \
	[ "$(sql "SELECT count(*) FROM import_record WHERE name LIKE E'Evil\\x1b]0;pwned\\x07 Org%'")" = 1 ]

start import_console 100 24 "$BATON_BIN" -d "'dbname=$db user=ana'"
rm -f "$raw"
tm pipe-pane -O -t import_console "cat >>'$raw'"
wait_state live 15
type_text "nwh"
wait_for "Northwind Health" 10
keys Enter
check "customer screen: 'also' names both records, the escape shown as ␛" \
	wait_for "also: HubSpot 9␛]0;pwned␇x, Zendesk org" 10
check "terminal: window title not set by the data" \
	eval 't=$(tm display -p -t import_console "#{pane_title}") && ! printf "%s\n" "$t" | grep -q pwned'
check "terminal: the raw output has no ESC ]0;pwned from the data" \
	eval '[ -s "$raw" ] && ! grep -qaF "$(printf "\033]0;pwned")" "$raw"'
keys Q
check "quits with exit status 0" exit_status_is 0 10
check "no sanitizer report" no_sanitizer_report
