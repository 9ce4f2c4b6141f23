# Helpers for the import tests (sourced after tests/lib/e2e.sh).

# importer_role DB: the login role "importer", granted baton_importer
# (roles are the cluster's: made once, granted in every test database).
importer_role() {
	psql -X -q -d "$1" -c "DO \$\$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'importer')
		THEN CREATE ROLE importer LOGIN; END IF; END \$\$; GRANT baton_importer TO importer;" >/dev/null
}

# imported NAME SOURCE FILE SUMMARY: FILE's import by "importer", with the
# configuration $CFG into the database $db, succeeds and its summary says
# SUMMARY (a grep pattern)
imported() { imported_with "$CFG" "$@"; }

# imported_with CONFIG NAME SOURCE FILE SUMMARY: the same with the
# configuration CONFIG (one a test derived from $CFG, or its own)
imported_with() {
	run "$BATON_BIN" -c "$1" -d "dbname=$db user=importer" import --source "$3" "$4"
	expect "$2" sh -c '[ "$1" -eq 0 ] && grep -q "$2" "$3"' _ "$rc" "$5" "$OUT"
}
