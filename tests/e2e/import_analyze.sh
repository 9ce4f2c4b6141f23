#!/bin/sh
# Statistics for an import's plans (migration 039): a file analyzes the
# tables it plans with when an earlier file made them grow, and leaves
# them alone when their size is what their last ANALYZE saw (an unchanged
# re-import).  (The customers' own import analyzes customer after adding
# more than a tenth, 128, so the checks read the import's records and the
# external ids; the end of this file checks customer's.)
# pg_class.reltuples is what ANALYZE writes, in the
# transaction of the file, so the checks read it as committed.
. "$BATON_ROOT/tests/lib/e2e.sh"
. "$BATON_ROOT/tests/lib/import.sh"

cli_files import_analyze
db=$(newdb baton_schema) || { echo "FAIL import_analyze: cannot create a test database"; exit 1; }
importer_role "$db"
cat >"$T/analyze.cfg" <<'EOF'
import: { sources = (
  { name = "a-orgs"; entity = "customers"; format = "csv"; system = "crm"; label = "A org";
    fields = { source_id = "id"; name = "name"; domains = "domain"; }; }
); };
EOF
imp() { "$BATON_BIN" -c "$T/analyze.cfg" -d "dbname=$db user=importer" import --source a-orgs "$@"; }
tuples() { sql "SELECT reltuples::bigint FROM pg_class WHERE oid = '$1'::regclass"; }

printf 'id,name,domain\n1,One,one.example\n' >"$T/one.csv"
awk 'BEGIN { print "id,name,domain"; for (i = 1; i <= 3000; i++) printf "%d,Org %d,org%d.example\n", i, i, i }' \
	>"$T/many.csv"

run imp "$T/one.csv"
expect one_imported sh -c '[ "$1" -eq 0 ] && grep -q "1 read, 1 inserted" "$2"' _ "$rc" "$OUT"
run imp "$T/many.csv"
expect many_imported sh -c '[ "$1" -eq 0 ] && grep -q "3000 read, 2999 inserted" "$2"' _ "$rc" "$OUT"
# The file after the one that filled the tables plans with their sizes.
run imp "$T/many.csv"
expect many_again_unchanged sh -c '[ "$1" -eq 0 ] && grep -q "3000 read, 0 inserted, 0 updated, 3000 unchanged" "$2"' _ "$rc" "$OUT"
check grown_import_record_analyzed [ "$(tuples import_record)" = 3000 ]
check grown_external_ids_analyzed [ "$(tuples customer_external_id)" = 3000 ]

# Statistics that no ANALYZE could write: an unchanged re-import keeps them,
# a file that grows the table replaces them.
sql "UPDATE pg_class SET reltuples = 12345 WHERE oid IN ('import_record'::regclass, 'customer_external_id'::regclass)" >/dev/null
run imp "$T/many.csv"
expect unchanged_again sh -c '[ "$1" -eq 0 ] && grep -q "3000 read, 0 inserted, 0 updated, 3000 unchanged" "$2"' _ "$rc" "$OUT"
check same_size_records_not_analyzed [ "$(tuples import_record)" = 12345 ]
check same_size_external_ids_not_analyzed [ "$(tuples customer_external_id)" = 12345 ]
awk 'BEGIN { print "id,name,domain"; for (i = 3001; i <= 6000; i++) printf "%d,Org %d,org%d.example\n", i, i, i }' \
	>"$T/more.csv"
run imp "$T/more.csv"
run imp "$T/many.csv"
expect many_after_more_unchanged sh -c '[ "$1" -eq 0 ] && grep -q "3000 read, 0 inserted, 0 updated, 3000 unchanged" "$2"' _ "$rc" "$OUT"
check regrown_import_record_analyzed [ "$(tuples import_record)" = 6000 ]
check regrown_external_ids_analyzed [ "$(tuples customer_external_id)" = 6000 ]

# New customers have the customer table analyzed in their file (for its
# later statements) only when they are more than a tenth of what the
# statistics know (128): a page of one leaves statistics no ANALYZE could
# write (12,345 rows); 2,000, more than a tenth of those, replace them.
sql "UPDATE pg_class SET reltuples = 12345 WHERE oid = 'customer'::regclass" >/dev/null
printf 'id,name,domain\n9001,Page,page9001.example\n' >"$T/page.csv"
run imp "$T/page.csv"
expect page_imported sh -c '[ "$1" -eq 0 ] && grep -q "1 read, 1 inserted" "$2"' _ "$rc" "$OUT"
check page_customer_not_analyzed [ "$(tuples customer)" = 12345 ]
awk 'BEGIN { print "id,name,domain"; for (i = 7001; i <= 9000; i++) printf "%d,Org %d,org%d.example\n", i, i, i }' \
	>"$T/tenth.csv"
run imp "$T/tenth.csv"
expect tenth_imported sh -c '[ "$1" -eq 0 ] && grep -q "2000 read, 2000 inserted" "$2"' _ "$rc" "$OUT"
check tenth_customer_analyzed [ "$(tuples customer)" = "$(sql 'SELECT count(*) FROM customer')" ]
