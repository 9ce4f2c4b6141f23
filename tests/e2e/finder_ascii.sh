#!/bin/sh
# Terminals that are not UTF-8 (LANG=C) get names transliterated where a
# plain reading exists ("Cafe Lumiere", "Sao Paulo Saude", "Muller"), not
# "<U+00E9>" escapes; characters without one keep their escape.  The same
# in `baton find` run with LANG=C; JSON stays UTF-8 whatever the locale.
. "$BATON_ROOT/tests/lib/e2e.sh"

db=$(newdb baton_demo) || { echo "FAIL finder_ascii: cannot create a test database"; exit 1; }
trap stop EXIT

E2E_LANG=C start finder_ascii 80 24 "$BATON_BIN" -d "'dbname=$db user=ana'"
wait_state live 15
# ascii_only: every character on the screen is printable ASCII
ascii_only() {
	if screen | LC_ALL=C grep -n '[^ -~]'; then
		echo "non-ASCII bytes on the screen (above)"
		return 1
	fi
}
check "LANG=C: the waiting list shows 'Cafe Lumiere', no escapes, plain ASCII" \
	eval 'wait_for "Cafe Lumiere" 10 && ! on_screen "<U+00E9>" && ascii_only'
type_text "sao paulo"
check "LANG=C: 'sao paulo' finds 'Sao Paulo Saude'" wait_row 3 "Sao Paulo Saude" 10
keys C-u
type_text "muller"
check "LANG=C: 'muller' finds 'Muller & Sohne GmbH'" wait_row 3 "Muller & Sohne GmbH" 10
keys C-u
type_text "lodz"
check "LANG=C: 'lodz' finds 'Lodz Logistics'" wait_row 3 "Lodz Logistics" 10
keys C-u
# A name without a Latin reading keeps its escape (and stays in its cell).
type_text "tokyo-des"
# (The name is in the waiting list too: the first match is on row 3.)
check "LANG=C: a Japanese name is still shown as escapes, nothing spilled" \
	eval 'wait_row 3 "<U+6771><U+4EAC>" 10 && ascii_only'
keys C-c
check "LANG=C: Ctrl-C quits with exit status 0" exit_status_is 0 10
check "LANG=C: no sanitizer report" no_sanitizer_report
stop

# The command line: the text output follows the locale.
out="$BATON_TEST_TMP/finder_ascii.out"
find_as() { # LOCALE ARGS...
	_loc=$1
	shift
	env LANG="$_loc" LC_ALL="$_loc" "$BATON_BIN" -d "dbname=$db user=ana" find "$@" >"$out" 2>&1
}
find_as C lumiere
rc=$?
check "baton find lumiere, LANG=C: exit 0, 'Cafe Lumiere', plain ASCII" \
	eval '[ "$rc" = 0 ] && grep -qF "Cafe Lumiere" "$out" && ! LC_ALL=C grep -q "[^ -~	]" "$out"'
find_as C.UTF-8 lumiere
check "baton find lumiere, UTF-8: 'Café Lumière' as it is" grep -qF "Café Lumière" "$out"
find_as C --format json "sao paulo"
check "baton find --format json, LANG=C: the name stays UTF-8 ('São Paulo Saúde')" \
	grep -qF '"name":"São Paulo Saúde"' "$out"
