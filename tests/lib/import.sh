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

# hubspot_companies FILE: a HubSpot companies export of Client 1..6 at
# clientN.example
hubspot_companies() {
	{
		echo "Record ID,Company name,Company Domain Name,Lifecycle Stage,Last Modified Date"
		for n in 1 2 3 4 5 6; do echo "$n,Client $n,client$n.example,Customer,2026-03-02 09:00"; done
	} >"$1"
}

# hubspot_contact N DOMAIN: $T/cN.csv, a HubSpot contacts export of one
# person at DOMAIN, of company N
hubspot_contact() {
	printf 'Record ID,First Name,Last Name,Email,Associated Company IDs (Primary),Job Title,Last Modified Date\n10%s,Con,Sultant%s,c%s@%s,%s,,2026-03-03 09:00\n' \
		"$1" "$1" "$1" "$2" "$1" >"$T/c$1.csv"
}

# live_customers: how many customers are not absorbed
live_customers() { sql "SELECT count(*) FROM customer WHERE merged_into IS NULL"; }

# fresh_db TEST: a database of its own in $db, with the importer role
# (newdb in this shell, so that its count goes on)
fresh_db() {
	newdb baton_schema >"$T/db" || { echo "FAIL $1: cannot create a test database"; exit 1; }
	db=$(cat "$T/db")
	importer_role "$db"
}
