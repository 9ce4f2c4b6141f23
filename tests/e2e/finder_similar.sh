#!/bin/sh
# A slip of the keys in the Find field (migration 084): when nothing
# matches, the console offers the names close to the text, under a line
# that says so ("No customer matches. Did you mean:"), the closest first.
# Enter from the field selects the first of them without opening it (it is
# no match); a second Enter opens it.  A text that matches shows its
# matches and no close names; a limited scope offers none outside it.
. "$BATON_ROOT/tests/lib/e2e.sh"

db=$(newdb baton_demo) || { echo "FAIL finder_similar: cannot create a test database"; exit 1; }
trap stop EXIT

start finder_similar 80 24 "$BATON_BIN" -d "'dbname=$db user=ana'"
wait_state live 15
wait_for "Waiting for you and Support" 10
type_text "nortwind"
check "'nortwind': no match, said so, Northwind Health offered below" \
	eval 'wait_row 3 "No customer matches. Did you mean:" 10 && wait_row 4 "Northwind Health" 5'
keys Enter
check "Enter selects the close name and says it is no match, opening nothing" \
	eval 'wait_row 24 "no customer matches \"nortwind\"" 5 && row 4 | grep -q "› Northwind Health" &&
	      row 1 | grep -qv "nwh.example"'
keys Enter
check "a second Enter opens Northwind Health" wait_row 1 "Northwind Health (nwh.example)" 10
keys q
check "back on the finder" wait_row 2 "Find: nortwind" 10
keys C-u
# (The screen of "nortwind" is the one expected of "northwind healht": the
# field emptied is waited for, its hint on row 3 where the matches were.)
wait_row 3 "Type a name" 5
type_text "northwind healht"
check "'northwind healht': Northwind Health offered" \
	eval 'wait_row 3 "Did you mean:" 10 && wait_row 4 "Northwind Health" 5'
keys C-u
type_text "north"
check "'north': its matches, with no close names offered" \
	eval 'wait_row 3 "Northwind Health" 10 && wait_row 4 "North Star Logistics" 5 && ! on_screen "Did you mean"'
stop

sql "UPDATE staff SET scope = '{smb}' WHERE role_name = 'ana'" >/dev/null
start finder_similar_scoped 80 24 "$BATON_BIN" -d "'dbname=$db user=ana'"
wait_state live 15
type_text "nortwind"
check "scoped to smb: 'nortwind' offers no Northwind Health" \
	eval 'wait_for "No customer matches." 10 && ! on_screen "Northwind"'
keys C-u
type_text "cafe lumire"
check "scoped to smb: 'cafe lumire' offers Café Lumière" \
	eval 'wait_row 3 "Did you mean:" 10 && wait_row 4 "Café Lumière" 5'
stop
