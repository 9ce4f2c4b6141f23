#!/bin/sh
# `baton find` that finds nothing says so on stderr ("no customer matches
# 'TEXT'", as `baton show` does) and exits 1, as text and as JSON; it said
# nothing at all.  A match says nothing on stderr and exits 0; no text is a
# usage error (2); the text said back is cleaned of terminal controls.
. "$BATON_ROOT/tests/lib/e2e.sh"

cli_files cli_find
db=$(newdb baton_demo) || { echo "FAIL cli_find: cannot create a test database"; exit 1; }

run as ana find zzqx
expect "baton find zzqx: nothing on stdout, the reason on stderr, exit 1" \
	sh -c '[ "$1" -eq 1 ] && [ ! -s "$2" ] && [ "$(cat "$3")" = "baton: no customer matches '"'zzqx'"'" ]' \
	_ "$rc" "$OUT" "$ERR"
run as ana find --format json zzqx
expect "baton find --format json zzqx: [] on stdout, the reason on stderr, exit 1" \
	sh -c '[ "$1" -eq 1 ] && [ "$(tr -d " \n" <"$2")" = "[]" ] &&
	       grep -qx "baton: no customer matches '"'zzqx'"'" "$3"' _ "$rc" "$OUT" "$ERR"
run as ana find "  zzqx  "
expect "the text said back is the text searched, trimmed" \
	sh -c '[ "$1" -eq 1 ] && grep -qx "baton: no customer matches '"'zzqx'"'" "$2"' _ "$rc" "$ERR"
run as ana find "$(printf 'zz\033]0;pwned\007qx')"
expect "a text with terminal controls is said back cleaned" \
	sh -c '[ "$1" -eq 1 ] && grep -q "no customer matches" "$2"' _ "$rc" "$ERR"
expect "no terminal controls on stderr" no_controls "$ERR"
run as ana find north
expect "baton find north: matches, exit 0, nothing on stderr" \
	sh -c '[ "$1" -eq 0 ] && grep -q "Northwind Health" "$2" && [ ! -s "$3" ]' _ "$rc" "$OUT" "$ERR"
run as ana find "   "
expect "baton find with blank text: a usage error (2)" \
	sh -c '[ "$1" -eq 2 ] && grep -q "nothing to find" "$2"' _ "$rc" "$ERR"

# A slip of the keys (migration 084): no match, so the names close to the
# text are offered on stderr, the closest first; stdout keeps to matches
# (none, "[]" as JSON) and the status is 1.  A text with a real match
# gets no close names; and close names stay within the person's scope.
for t in nortwind northwnd "Northwind Healht"; do
	run as ana find "$t"
	expect "baton find '$t': no match, Northwind Health offered first on stderr, exit 1" \
		sh -c '[ "$1" -eq 1 ] && [ ! -s "$2" ] &&
		       [ "$(sed -n 1p "$3")" = "baton: no customer matches '"'"'$4'"'"'; did you mean:" ] &&
		       sed -n 2p "$3" | grep -q "^1 .*Northwind Health .*nwh.example\$"' _ "$rc" "$OUT" "$ERR" "$t"
done
run as ana find --format json nortwind
expect "baton find --format json nortwind: [] on stdout, Northwind Health offered on stderr, exit 1" \
	sh -c '[ "$1" -eq 1 ] && [ "$(tr -d " \n" <"$2")" = "[]" ] && grep -q "Northwind Health" "$3"' \
	_ "$rc" "$OUT" "$ERR"
run as ana find healt
expect "baton find healt (part of names): matches by name, nothing offered" \
	sh -c '[ "$1" -eq 0 ] && grep -q "Northwind Health.*	name\$" "$2" && ! grep -qv "	name\$" "$2" &&
	       [ ! -s "$3" ]' _ "$rc" "$OUT" "$ERR"
sql "UPDATE staff SET scope = '{smb}' WHERE role_name = 'ana'" >/dev/null
run as ana find nortwind
expect "scoped to smb: nortwind offers no Northwind Health (mid-market)" \
	sh -c '[ "$1" -eq 1 ] && ! grep -q Northwind "$2" "$3"' _ "$rc" "$OUT" "$ERR"
run as ana find "cafe lumire"
expect "scoped to smb: 'cafe lumire' offers Café Lumière (smb)" \
	sh -c '[ "$1" -eq 1 ] && sed -n 2p "$2" | grep -q "^2 .*Café Lumière"' _ "$rc" "$ERR"
