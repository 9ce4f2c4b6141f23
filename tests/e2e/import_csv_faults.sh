#!/bin/sh
# CSV rows COPY would misread are rejected alone, each with its line, and
# the rows after them imported: a bare quote inside a field not quoted
# (an inch mark: Acme 27" Displays), which COPY takes as opening quoted
# text that runs on over the next lines and swallows them into one
# record; a carriage return outside quotes, which stops COPY's whole file.
# A quote doubled in a quoted field, a quoted line break and CRLF line ends
# are CSV and imported; a header with a bare quote is refused.
. "$BATON_ROOT/tests/lib/e2e.sh"
. "$BATON_ROOT/tests/lib/import.sh"

cli_files import_csv_faults
db=$(newdb baton_schema) || { echo "FAIL import_csv_faults: cannot create a test database"; exit 1; }
importer_role "$db"
cat >"$T/csv.cfg" <<'CFG'
import: { sources = (
  { name = "crm"; entity = "customers"; format = "csv"; system = "crm";
    fields = { source_id = "id"; name = "name"; domains = "domain"; }; }
); };
CFG
CFG="$T/csv.cfg"
printf 'id,name,domain\n800,Acme 27" Displays,acme800.example\n801,Bolt,bolt801.example\n802,Crane 5" Inc,crane802.example\n803,Delta,delta803.example\n804,"Echo 27"" Screens",echo804.example\n805,"Fox\nTwo Lines",fox805.example\n806,Gulf,gulf806.example\n' >"$T/quotes.csv"
run "$BATON_BIN" -c "$CFG" -d "dbname=$db user=importer" import --source crm --rejects "$T/quotes.rej" "$T/quotes.csv"
expect stray_quotes_rejected_alone \
	sh -c '[ "$1" -eq 0 ] && grep -qF "quotes.csv: customers: 7 read, 5 inserted, 0 updated, 0 unchanged, 2 rejected," "$2"' _ "$rc" "$OUT"
expect stray_quote_rows_named_by_line \
	sh -c 'grep -q "quotes.csv,2,,a quote inside a field that is not quoted" "$1" &&
	       grep -q "quotes.csv,4,,a quote inside a field that is not quoted" "$1" && [ "$(grep -c "quotes.csv,[0-9]" "$1")" -eq 2 ]' \
	_ "$T/quotes.rej"
expect rows_after_a_stray_quote_imported test "$(sql "SELECT string_agg(name || '@' || domain, ' | ' ORDER BY name) FROM customer")" = \
	"Bolt@bolt801.example | Delta@delta803.example | Echo 27\" Screens@echo804.example | Fox
Two Lines@fox805.example | Gulf@gulf806.example"
# The same file again: the rejected rows again, the others unchanged.
run "$BATON_BIN" -c "$CFG" -d "dbname=$db user=importer" import --source crm "$T/quotes.csv"
expect stray_quotes_again \
	sh -c '[ "$1" -eq 0 ] && grep -qF "7 read, 0 inserted, 0 updated, 5 unchanged, 2 rejected," "$2"' _ "$rc" "$OUT"

printf 'id,name,domain\r\n900,Ho\rtel,hotel900.example\r\n901,India,india901.example\r\n902,Juliet,juliet902.example\r\r\n903,Kilo,kilo903.example\r\n' >"$T/cr.csv"
run "$BATON_BIN" -c "$CFG" -d "dbname=$db user=importer" import --source crm --rejects "$T/cr.rej" "$T/cr.csv"
expect bare_carriage_returns_rejected_alone \
	sh -c '[ "$1" -eq 0 ] && grep -qF "cr.csv: customers: 4 read, 2 inserted, 0 updated, 0 unchanged, 2 rejected," "$2"' _ "$rc" "$OUT"
expect bare_carriage_return_rows_named \
	sh -c 'grep -q "cr.csv,2,,a carriage return inside a field that is not quoted" "$1" &&
	       grep -q "cr.csv,4,,a carriage return inside a field that is not quoted" "$1"' _ "$T/cr.rej"
expect crlf_rows_imported test "$(sql "SELECT string_agg(name, ' ' ORDER BY name) FROM customer WHERE domain LIKE '%90_.example'")" = \
	"India Kilo"

printf 'id,na"me,domain\n910,Lima,lima910.example\n' >"$T/header.csv"
run "$BATON_BIN" -c "$CFG" -d "dbname=$db user=importer" import --source crm "$T/header.csv"
expect header_with_bare_quote_refused \
	sh -c '[ "$1" -eq 1 ] && grep -qF "the header row has a quote inside a field that is not quoted" "$2"' _ "$rc" "$ERR"
expect refused_header_imports_nothing test "$(sql "SELECT count(*) FROM customer WHERE name = 'Lima'")" = 0
# A classic Mac OS file (lines end in CR alone) is one header row: refused,
# saying how to read it.
printf 'id,name,domain\r911,Mike,mike911.example\r' >"$T/mac.csv"
run "$BATON_BIN" -c "$CFG" -d "dbname=$db user=importer" import --source crm "$T/mac.csv"
expect classic_mac_file_refused_saying_how \
	sh -c '[ "$1" -eq 1 ] && grep -qF "classic Mac OS wrote them, are read after tr" "$2"' _ "$rc" "$ERR"

# A mapped column twice in the header (the key's or another's): which one
# a field reads would be a guess, so the file is refused.
printf 'id,id,name,domain\n41,42,DupId,dupid.example\n' >"$T/dupid.csv"
run "$BATON_BIN" -c "$CFG" -d "dbname=$db user=importer" import --source crm "$T/dupid.csv"
expect key_column_twice_refused \
	sh -c '[ "$1" -eq 1 ] && grep -qF "the header has more than one column \"id\", which field source_id reads" "$2"' _ "$rc" "$ERR"
printf 'id,name,name,domain\n820,First,Second,x820.example\n' >"$T/dupname.csv"
run "$BATON_BIN" -c "$CFG" -d "dbname=$db user=importer" import --source crm "$T/dupname.csv"
expect field_column_twice_refused \
	sh -c '[ "$1" -eq 1 ] && grep -qF "the header has more than one column \"name\", which field name reads" "$2"' _ "$rc" "$ERR"
expect columns_twice_import_nothing test "$(sql "SELECT count(*) FROM customer WHERE domain IN ('dupid.example', 'x820.example')")" = 0

# A NUL byte rejects its row, said so, and the rejects file holds the whole
# row, the NUL shown as a symbol (it was cut there).
printf 'id,name,domain\n50,Nul\000Co,nul.example\n51,Oscar,oscar51.example\n' >"$T/nul.csv"
run "$BATON_BIN" -c "$CFG" -d "dbname=$db user=importer" import --source crm --rejects "$T/nul.rej" "$T/nul.csv"
expect nul_row_rejected_alone \
	sh -c '[ "$1" -eq 0 ] && grep -qF "nul.csv: customers: 2 read, 1 inserted, 0 updated, 0 unchanged, 1 rejected," "$2"' _ "$rc" "$OUT"
expect nul_row_whole_in_rejects \
	sh -c 'grep -qF "nul.csv,2,,\"a NUL byte, which PostgreSQL text cannot hold\",\"50,Nul␀Co,nul.example\"" "$1"' _ "$T/nul.rej"

# Two exports joined into one file (cat a.csv b.csv, the second with a byte
# order mark): the second header row is rejected, named by its line, and
# both files' rows are imported; the same file again changes nothing.
printf 'id,name,domain\n60,Papa,papa60.example\n' >"$T/a.csv"
printf '\357\273\277id,name,domain\n61,Quebec,quebec61.example\n' >"$T/b.csv"
cat "$T/a.csv" "$T/b.csv" >"$T/joined.csv"
run "$BATON_BIN" -c "$CFG" -d "dbname=$db user=importer" import --source crm --rejects "$T/joined.rej" "$T/joined.csv"
expect header_again_rejected \
	sh -c '[ "$1" -eq 0 ] && grep -qF "joined.csv: customers: 3 read, 2 inserted, 0 updated, 0 unchanged, 1 rejected," "$2" &&
	       grep -qF "joined.csv,3,,the header row again: two files joined into one? Import each by itself" "$3"' \
	_ "$rc" "$OUT" "$T/joined.rej"
expect both_files_rows_imported test "$(sql "SELECT string_agg(name, ' ' ORDER BY name) FROM customer WHERE domain IN ('papa60.example', 'quebec61.example')")" = "Papa Quebec"
run "$BATON_BIN" -c "$CFG" -d "dbname=$db user=importer" import --source crm "$T/joined.csv"
expect header_again_unchanged \
	sh -c '[ "$1" -eq 0 ] && grep -qF "3 read, 0 inserted, 0 updated, 2 unchanged, 1 rejected," "$2"' _ "$rc" "$OUT"

# A file without line ends (/dev/zero, a binary) stops at a record of 64
# MiB with one message naming its line, not in all memory; nothing of it
# is imported.
run "$BATON_BIN" -c "$CFG" -d "dbname=$db user=importer" import --source crm /dev/zero
expect endless_header_stops \
	sh -c '[ "$1" -eq 1 ] && grep -qF "/dev/zero: line 1 starts a record of more than 64 MiB, where reading stopped" "$2"' _ "$rc" "$ERR"
run sh -c '{ printf "id,name,domain\n70,Romeo,romeo70.example\n"; cat /dev/zero; } |
	"$1" -c "$2" -d "dbname=$3 user=importer" import --source crm -' _ "$BATON_BIN" "$CFG" "$db"
expect endless_row_stops \
	sh -c '[ "$1" -eq 1 ] && grep -qF -- "-: line 3 starts a record of more than 64 MiB" "$2"' _ "$rc" "$ERR"
expect endless_row_imports_nothing test "$(sql "SELECT count(*) FROM customer WHERE name = 'Romeo'")" = 0
