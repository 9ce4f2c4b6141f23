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
imported() {
	run "$BATON_BIN" -c "$CFG" -d "dbname=$db user=importer" import --source "$2" "$3"
	expect "$1" sh -c '[ "$1" -eq 0 ] && grep -q "$2" "$3"' _ "$rc" "$4" "$OUT"
}
