# The README's key table and the help screen come from the same bindings as
# the console: the README section must be exactly what `baton keys` prints.
. "$BATON_ROOT/tests/lib/e2e.sh"

readme_keys() {
	sed -n '/<!-- keys:start -->/,/<!-- keys:end -->/p' "$BATON_ROOT/README.md" |
		sed '1s/.*<!-- keys:start -->//; $d'
}

"$BATON_BIN" keys >"$BATON_TEST_TMP/keys.md" 2>&1
readme_keys >"$BATON_TEST_TMP/readme-keys.md"
if cmp -s "$BATON_TEST_TMP/keys.md" "$BATON_TEST_TMP/readme-keys.md"; then
	pass "README key table matches the bindings (baton keys)"
else
	echo "FAIL README key table differs from 'baton keys'; regenerate it:"
	diff "$BATON_TEST_TMP/readme-keys.md" "$BATON_TEST_TMP/keys.md" | head -20
fi

check "every action bound in the console appears in the key table" \
	grep -q "acknowledge the selected handoff" "$BATON_TEST_TMP/keys.md"
