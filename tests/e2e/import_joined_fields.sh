#!/bin/sh
# A record that joins a customer it did not make gives the fields no source
# of the customer's makers maps (migration 065): the helpdesk's organization
# made the customer, with a name and nothing of its stage; the CRM's company
# that joins it gives the lifecycle stage and the plan, and a later export of
# the company changes them; the name stays the maker's.  What a maker's
# source maps stays the maker's, and a maker whose mapping is not known
# (its record written before 065) lets nothing be filled.
. "$BATON_ROOT/tests/lib/e2e.sh"
. "$BATON_ROOT/tests/lib/import.sh"

cli_files import_joined_fields
db=$(newdb baton_schema) || { echo "FAIL import_joined_fields: cannot create a test database"; exit 1; }
importer_role "$db"
CFG="$T/joined.cfg"
cat >"$CFG" <<'EOF'
import: { sources = (
  { name = "desk"; entity = "customers"; format = "csv"; system = "helpdesk";
    fields = { source_id = "id"; name = "name"; domains = "domain"; updated_at = "at"; }; },
  { name = "crm"; entity = "customers"; format = "csv"; system = "crm";
    fields = { source_id = "id"; name = "name"; domains = "domain"; lifecycle = "stage"; plan = "plan";
               updated_at = "at"; }; },
  { name = "billing"; entity = "customers"; format = "csv"; system = "billing";
    fields = { source_id = "id"; name = "name"; domains = "domain"; lifecycle = "stage"; segment = "segment";
               updated_at = "at"; }; }
); };
EOF
fields() { sql "SELECT name || '|' || lifecycle || '|' || plan || '|' || segment FROM customer WHERE domain = '$1'"; }

printf 'id,name,domain,at\nD1,Northwind Health,nwh.example,2026-03-01 10:00\n' >"$T/desk.csv"
imported desk_makes_the_customer desk "$T/desk.csv" "1 inserted"
check maker_defaults [ "$(fields nwh.example)" = "Northwind Health|onboarding|starter|smb" ]

printf 'id,name,domain,stage,plan,at\nC1,Northwind (CRM),www.nwh.example,established,pro,2026-03-02 09:00\n' >"$T/crm1.csv"
imported crm_joins crm "$T/crm1.csv" "1 customer merged"
check joined_record_fills_what_the_maker_does_not_map \
	[ "$(fields nwh.example)" = "Northwind Health|established|pro|smb" ]

printf 'id,name,domain,stage,plan,at\nC1,Northwind (CRM),www.nwh.example,renewing,pro,2026-03-09 09:00\n' >"$T/crm2.csv"
imported crm_newer_export crm "$T/crm2.csv" "1 updated"
check newer_export_of_the_joined_record_changes_the_customer \
	[ "$(fields nwh.example)" = "Northwind Health|renewing|pro|smb" ]

# billing joins too: it maps lifecycle, which crm (not a maker) gave, and
# segment; the maker (desk) maps neither, so billing's are written, the
# newest record's in its file.
printf 'id,name,domain,stage,segment,at\nB1,NWH billing,nwh.example,at-risk,enterprise,2026-03-10 09:00\n' >"$T/billing.csv"
imported billing_joins billing "$T/billing.csv" "1 customer merged"
check second_joined_record_fills_too [ "$(fields nwh.example)" = "Northwind Health|at-risk|pro|enterprise" ]

# What the maker maps stays the maker's: crm makes Beta with its stage;
# billing's record of Beta joins with another stage and a segment.
printf 'id,name,domain,stage,plan,at\nC2,Beta Ltd,beta.example,prospect,growth,2026-03-02 09:00\n' >"$T/crm3.csv"
imported crm_makes_beta crm "$T/crm3.csv" "1 inserted"
printf 'id,name,domain,stage,segment,at\nB2,Beta billing,beta.example,established,mid-market,2026-03-10 09:00\n' >"$T/billing2.csv"
imported billing_joins_beta billing "$T/billing2.csv" "1 customer merged"
check makers_fields_stay_the_makers [ "$(fields beta.example)" = "Beta Ltd|prospect|growth|mid-market" ]

# A maker whose mapping is not known (written before 065): nothing filled.
sql "UPDATE import_record SET fields = NULL WHERE source = 'desk'" >/dev/null
printf 'id,name,domain,stage,plan,at\nC1,Northwind (CRM),www.nwh.example,churned,free,2026-03-11 09:00\n' >"$T/crm4.csv"
imported crm_after_unknown_maker crm "$T/crm4.csv" "1 updated"
check unknown_maker_mapping_fills_nothing [ "$(fields nwh.example)" = "Northwind Health|at-risk|pro|enterprise" ]
