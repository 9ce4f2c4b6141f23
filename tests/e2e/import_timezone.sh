#!/bin/sh
# A time written without an offset is in its source's time zone (timezone =
# "..." in the source; UTC when it says none), never in the importer's own
# (PGTZ, the server's default): the same file means the same times whoever
# imports it.  A time with an offset is that time wherever.  A timezone that
# is no name is a configuration error naming file and line; one the server
# does not know too, said before any file is read.
. "$BATON_ROOT/tests/lib/e2e.sh"
. "$BATON_ROOT/tests/lib/import.sh"

cli_files import_timezone
db=$(newdb baton_schema) || { echo "FAIL import_timezone: cannot create a test database"; exit 1; }
importer_role "$db"
CFG="$T/tz.cfg"
cat >"$CFG" <<'EOF'
import: {
  sources = (
    { name = "orgs"; entity = "customers"; format = "csv";
      fields = { source_id = "id"; name = "name"; domains = "domain"; }; },
    { name = "tickets-utc"; entity = "tickets"; format = "csv"; customer_source = "orgs";
      fields = { source_id = "id"; customer = "org"; subject = "subject"; opened_at = "opened";
                 updated_at = { from = "changed"; format = "DD/MM/YYYY HH24:MI"; }; }; },
    { name = "tickets-ny"; entity = "tickets"; format = "csv"; customer_source = "orgs";
      timezone = "America/New_York";
      fields = { source_id = "id"; customer = "org"; subject = "subject"; opened_at = "opened";
                 updated_at = { from = "changed"; format = "DD/MM/YYYY HH24:MI"; }; }; },
    { name = "tickets-mars"; entity = "tickets"; format = "csv"; customer_source = "orgs";
      timezone = "Mars/Olympus_Mons";
      fields = { source_id = "id"; customer = "org"; subject = "subject"; opened_at = "opened"; }; }
  );
};
EOF
imp() { "$BATON_BIN" -c "$CFG" -d "dbname=$db user=importer" "$@"; }
# opened_at and updated_at of a source's ticket, in UTC
ticket_times() {
	sql "SELECT to_char(t.opened_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') || ' ' ||
	            to_char(t.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI')
	     FROM import_record r JOIN ticket t ON t.id = r.target_id
	     WHERE r.source = '$1' AND r.source_id = '$2'"
}

printf 'id,name,domain\n1,Acme,acme.example\n' >"$T/orgs.csv"
imported orgs_imported orgs "$T/orgs.csv" "1 inserted"
printf 'id,org,subject,opened,changed\n7,1,Plain,2026-03-01 09:00,01/03/2026 10:30\n8,1,Offset,2026-03-01T09:00:00+02:00,01/03/2026 10:30\n' >"$T/tickets.csv"

# The importer's own zone (Tokyo, +9) is not the file's.
PGTZ=Asia/Tokyo run imp import --source tickets-utc "$T/tickets.csv"
expect utc_source_imported sh -c '[ "$1" -eq 0 ] && grep -q "2 inserted" "$2"' _ "$rc" "$OUT"
check plain_time_is_utc_by_default test "$(ticket_times tickets-utc 7)" = "2026-03-01 09:00 2026-03-01 10:30"
check time_with_offset_is_that_time test "$(ticket_times tickets-utc 8)" = "2026-03-01 07:00 2026-03-01 10:30"

PGTZ=Asia/Tokyo run imp import --source tickets-ny "$T/tickets.csv"
expect ny_source_imported sh -c '[ "$1" -eq 0 ] && grep -q "2 inserted" "$2"' _ "$rc" "$OUT"
check plain_time_in_the_source_zone test "$(ticket_times tickets-ny 7)" = "2026-03-01 14:00 2026-03-01 15:30"
check time_with_offset_whatever_the_zone test "$(ticket_times tickets-ny 8)" = "2026-03-01 07:00 2026-03-01 15:30"

# A zone the server does not know: a setting to mend, said once with its
# file and line before any file is read (exit status 3, as for any
# configuration error), not a failure of each file; the last run's rejects
# file stays as it was.
echo "the last run's rejects" >"$T/mars-rejects.csv"
mars_line=$(grep -n '"Mars/Olympus_Mons"' "$CFG" | cut -d: -f1)
run imp import --source tickets-mars --rejects "$T/mars-rejects.csv" "$T/tickets.csv" "$T/tickets.csv"
expect unknown_zone_is_a_config_error sh -c '[ "$1" -eq 3 ] && [ "$(wc -l <"$2")" -eq 1 ] &&
	grep -q "tz.cfg:$4: timezone \"Mars/Olympus_Mons\" is not a time zone the server knows" "$2" && [ ! -s "$3" ]' \
	_ "$rc" "$ERR" "$OUT" "$mars_line"
check unknown_zone_imports_nothing test "$(sql "SELECT count(*) FROM import_record WHERE source = 'tickets-mars'")" = 0
check unknown_zone_keeps_the_last_rejects test "$(cat "$T/mars-rejects.csv")" = "the last run's rejects"
# baton doctor says it of the source, where the cron job would not: a
# configuration error (3), as baton import's.
run imp doctor
expect doctor_fails_the_unknown_zone sh -c '[ "$1" -eq 3 ] &&
	[ "$(grep -c "^FAIL *import *source" "$2")" -eq 1 ] &&
	grep -q "^FAIL *import *source tickets-mars: timezone \"Mars/Olympus_Mons\" (.*tz.cfg:$3) is not a time zone the server knows" "$2"' \
	_ "$rc" "$OUT" "$mars_line"

sed 's|"Mars/Olympus_Mons"|"New York; DROP"|' "$CFG" >"$T/bad.cfg"
run "$BATON_BIN" -c "$T/bad.cfg" -d "dbname=$db user=importer" import --source tickets-mars "$T/tickets.csv"
expect zone_not_a_name_is_a_config_error sh -c '[ "$1" -eq 3 ] && grep -q "bad.cfg:[0-9]*: .*timezone must name a time zone" "$2"' \
	_ "$rc" "$ERR"
