#!/bin/sh
# A customer's id, as the screens show it ("#1") or bare ("1"), finds that
# customer (migration 083), listed first and said to match by its id, in
# the console's finder and in `baton find` (text and JSON); an absorbed
# customer's id finds its survivor, as `baton show` opens it; and a
# person limited to a scope finds no customer outside it by its id.
. "$BATON_ROOT/tests/lib/e2e.sh"

cli_files finder_id
db=$(newdb baton_demo) || { echo "FAIL finder_id: cannot create a test database"; exit 1; }
trap stop EXIT
# pgjson FILE EXPR: EXPR over the JSON in FILE (as jsonb "j"), by the server
pgjson() {
	printf '%s\n' "SELECT $2 FROM (SELECT :'j'::jsonb AS j) x;" |
		psql -X -At -v ON_ERROR_STOP=1 -d "$db" -v j="$(cat "$1")" 2>&1
}

run as ana find 1
expect "baton find 1 lists Northwind Health (#1) first, as an id match" \
	sh -c '[ "$1" -eq 0 ] && head -n 1 "$2" | grep -q "^1	Northwind Health	nwh.example	.*	id\$"' _ "$rc" "$OUT"
run as ana find '#2'
expect "baton find '#2' lists Café Lumière first, as an id match" \
	sh -c '[ "$1" -eq 0 ] && head -n 1 "$2" | grep -q "^2	Café Lumière	.*	id\$"' _ "$rc" "$OUT"
run as ana find --format json 4
find_json() {
	[ "$rc" -eq 0 ] &&
		[ "$(pgjson "$OUT" "j->0->>'id'")" = 4 ] &&
		[ "$(pgjson "$OUT" "j->0->>'name'")" = "North Star Logistics" ] &&
		[ "$(pgjson "$OUT" "j->0->>'matched'")" = "id" ]
}
expect "baton find --format json 4: North Star Logistics first, matched \"id\"" find_json

# An absorbed customer's id: its survivor, once.
gone=$(sql "INSERT INTO customer (name, merged_into) VALUES ('Blue Fjord Old', 3) RETURNING id" | head -n 1)
run as ana find "#$gone"
expect "an absorbed customer's id lists its survivor, Blue Fjord AB" \
	sh -c '[ "$1" -eq 0 ] && head -n 1 "$2" | grep -q "^3	Blue Fjord AB	.*	id\$" && ! grep -q "Blue Fjord Old" "$2"' \
	_ "$rc" "$OUT"
run as ana find 999999
expect "an id no customer has finds nothing" sh -c '[ "$1" -eq 1 ] && [ ! -s "$2" ]' _ "$rc" "$OUT"

# The console's finder (wide enough for the "(id)" after a signal's mark).
start finder_id 120 24 "$BATON_BIN" -d "'dbname=$db user=ana'"
wait_state live 15
wait_for "Waiting for you and Support" 10
type_text "#1"
check "console: '#1' lists Northwind Health first, marked (id)" \
	eval 'wait_row 3 "Northwind Health" 10 && row 3 | grep -qF "(id)"'
keys C-u
type_text "5"
check "console: '5' lists Nordic Pharma Oy first, marked (id)" \
	eval 'wait_row 3 "Nordic Pharma Oy" 10 && row 3 | grep -qF "(id)"'
keys Enter
check "console: Enter opens customer 5" wait_for "Baton · Nordic Pharma Oy (nordicph.example)" 10
stop

# Limited to SMB: Northwind (mid-market) is not found by its id, Café
# Lumière (smb) is.
sql "UPDATE staff SET scope = '{smb}' WHERE role_name = 'ana'" >/dev/null
run as ana find 1
expect "scoped to smb: baton find 1 does not list Northwind Health" \
	sh -c '[ "$1" -eq 1 ] && ! grep -q "Northwind" "$2"' _ "$rc" "$OUT"
run as ana find '#2'
expect "scoped to smb: baton find '#2' lists Café Lumière" \
	sh -c '[ "$1" -eq 0 ] && head -n 1 "$2" | grep -q "^2	Café Lumière	.*	id\$"' _ "$rc" "$OUT"
start finder_id_scoped 80 24 "$BATON_BIN" -d "'dbname=$db user=ana'"
wait_state live 15
type_text "#1"
check "console, scoped to smb: '#1' lists no Northwind Health" \
	eval 'wait_for "No customer matches." 10 && ! on_screen "Northwind"'
stop
