#!/bin/sh
# What an import tells the open consoles (migration 056): each customer whose
# screen a file changes, once per file however many rows it wrote, the
# customer a row left as well as the one it joined, and nobody for a file
# that changes nothing.  Heard by a session LISTENing as a console does, and
# seen on the real console: Northwind's screen drops a ticket the helpdesk
# moved to another organization, by itself.
. "$BATON_ROOT/tests/lib/e2e.sh"
. "$BATON_ROOT/tests/lib/import.sh"

db=$(newdb baton_demo) || { echo "FAIL import_live: cannot create a test database"; exit 1; }
cli_files import_live
importer_role "$db"
CFG="$BATON_ROOT/etc/baton-import.cfg"

# A listener: psql prints what it heard after the result of its next
# statement, so what an import said follows the mark asked for after it.
rm -f "$T/listen" "$T/listen.out"
mkfifo "$T/listen"
psql -X -q -At -d "$db" <"$T/listen" >"$T/listen.out" 2>&1 &
listener=$!
exec 4>"$T/listen"
trap 'stop; exec 4>&-; wait "$listener"' EXIT
marks=0
mark() {
	marks=$((marks + 1))
	echo "SELECT 'mark:$marks';" >&4
	wait_true 10 "grep -qx mark:$marks '$T/listen.out'"
}
echo "LISTEN baton;" >&4
mark
# heard: the customers said since the last mark but one, sorted, one a line
heard() {
	awk -v m="mark:$((marks - 1))" -v e="mark:$marks" '$0 == m { f = 1; next } $0 == e { f = 2; next }
		f == 2 && /^Asynchronous notification "baton"/' "$T/listen.out" |
		sed -n 's/.* with payload "customer:\([0-9]*\)" .*/\1/p' | sort -n | tr '\n' ' '
}
# heard_import NAME SOURCE FILE SUMMARY: imported (lib/import.sh), and the
# listener has heard it
heard_import() {
	imported "$@"
	mark
}
# told NAME CUSTOMERS: what the last file said is exactly CUSTOMERS ("1 2 ")
told() { check "$1 (heard: $(heard))" [ "$(heard)" = "$2" ]; }

# Zendesk's organizations 1 and 2 are Northwind Health (1) and Café Lumière
# (2) by their domains.
cat >"$T/orgs.json" <<'EOF'
{"organizations": [
  {"id": 1, "name": "Northwind Health", "domain_names": ["nwh.example"], "updated_at": "2026-03-01T10:00:00Z"},
  {"id": 2, "name": "Cafe Lumiere", "domain_names": ["cafe-lumiere.example"], "updated_at": "2026-03-01T10:00:00Z"}
], "end_of_stream": true}
EOF
heard_import orgs_imported zendesk-organizations "$T/orgs.json" "2 read"

# 40 users of each organization: each customer said once.
{
	echo '{"users": ['
	i=0
	while [ $i -lt 80 ]; do
		[ $i -gt 0 ] && echo ','
		printf '{"id": %d, "name": "User %d", "email": "user%d@%s", "organization_id": %d,' \
			$((100 + i)) $i $i "$([ $((i % 2)) = 0 ] && echo nwh.example || echo cafe-lumiere.example)" \
			$((1 + i % 2))
		printf ' "updated_at": "2026-03-01T10:00:00Z"}'
		i=$((i + 1))
	done
	echo '], "end_of_stream": true}'
} >"$T/users1.json"
heard_import users_imported zendesk-users "$T/users1.json" "80 read, 80 inserted"
told "80 contacts of two customers: each said once" "1 2 "

heard_import users_again zendesk-users "$T/users1.json" "80 unchanged"
told "the same file again: nobody said" ""

# User 0 moves from Northwind to Café Lumière: both are told.
sed 's/"id": 100, "name": "User 0", "email": "user0@nwh.example", "organization_id": 1, "updated_at": "2026-03-01T10:00:00Z"/"id": 100, "name": "User 0", "email": "user0@cafe-lumiere.example", "organization_id": 2, "updated_at": "2026-03-02T10:00:00Z"/' \
	"$T/users1.json" >"$T/users2.json"
heard_import user_moved zendesk-users "$T/users2.json" "1 updated"
told "a contact moved: the customer it left and the one it joined" "1 2 "

cat >"$T/tickets1.json" <<'EOF'
{"tickets": [
  {"id": 9001, "subject": "Imported printer fault", "status": "open", "priority": "urgent",
   "requester_id": 101, "organization_id": 1, "created_at": "2020-01-01T09:00:00Z",
   "updated_at": "2026-03-01T10:00:00Z"},
  {"id": 9002, "subject": "Imported login trouble", "status": "open", "priority": "low",
   "requester_id": 103, "organization_id": 1, "created_at": "2026-03-01T09:00:00Z",
   "updated_at": "2026-03-01T10:00:00Z"}
], "end_of_stream": true}
EOF
heard_import tickets_imported zendesk-tickets "$T/tickets1.json" "2 read, 2 inserted"
told "two tickets of Northwind: Northwind said once" "1 "

start import_live 140 40 "$BATON_BIN" -d "'dbname=$db user=ana'"
wait_state live 15
type_text "nwh"
wait_for "Northwind Health" 10
keys Enter
check "Northwind's screen shows the imported urgent ticket" wait_for "Imported printer fault" 10

# The helpdesk moves ticket 9001 to Café Lumière.
cat >"$T/tickets2.json" <<'EOF'
{"tickets": [
  {"id": 9001, "subject": "Imported printer fault", "status": "open", "priority": "urgent",
   "requester_id": 101, "organization_id": 2, "created_at": "2020-01-01T09:00:00Z",
   "updated_at": "2026-03-02T10:00:00Z"},
  {"id": 9002, "subject": "Imported login trouble", "status": "open", "priority": "low",
   "requester_id": 103, "organization_id": 1, "created_at": "2026-03-01T09:00:00Z",
   "updated_at": "2026-03-01T10:00:00Z"}
], "end_of_stream": true}
EOF
heard_import ticket_moved zendesk-tickets "$T/tickets2.json" "1 updated, 1 unchanged"
told "a ticket moved: the customer it left and the one it joined" "1 2 "
check "the console on Northwind drops the moved ticket by itself" wait_gone "Imported printer fault" 10
check "and keeps the one still Northwind's" wait_for "Imported login trouble" 5

# A CRM company that joined Northwind moves to Café Lumière by a newer
# export (migration 153; no field of its own, so nothing else of
# Northwind's changes): both are told, and Northwind's screen drops it
# from its Also: line by itself.
printf 'Record ID,Company name,Company Domain Name,Lifecycle Stage,Last Modified Date\n%s\n' \
	'9876,Northwind (CRM),nwh.example,,2026-03-02 09:00' >"$T/co1.csv"
heard_import company_joined hubspot-companies "$T/co1.csv" "1 customer merged"
told "a company joined Northwind: Northwind said" "1 "
check "Northwind's screen lists the company" wait_for "HubSpot 9876" 10
printf 'Record ID,Company name,Company Domain Name,Lifecycle Stage,Last Modified Date\n%s\n' \
	'9876,Northwind (CRM),cafe-lumiere.example,,2026-03-03 09:00' >"$T/co2.csv"
heard_import company_moved hubspot-companies "$T/co2.csv" "moved to another customer"
told "a company moved: the customer it left and the one it joined" "1 2 "
check "Northwind's screen drops the moved company by itself" wait_gone "HubSpot 9876" 10
keys Q
check "quits with exit status 0" exit_status_is 0 10
