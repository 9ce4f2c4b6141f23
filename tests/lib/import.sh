# Helpers for the import tests (sourced after tests/lib/e2e.sh).

# importer_role DB: the login role "importer", granted baton_importer
# (roles are the cluster's: made once, granted in every test database).
importer_role() {
	psql -X -q -d "$1" -c "DO \$\$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'importer')
		THEN CREATE ROLE importer LOGIN; END IF; END \$\$; GRANT baton_importer TO importer;" >/dev/null
}
