#!/bin/sh
# baton staff through the command line: only an administrator changes
# staff; add creates a login that works; list in its three formats; a
# disabled person's baton show fails and says why; doctor names the command
# to run; a contractor scoped to SMB customers reaches no other customer by
# find, show, queue --format csv or handoff new, and reaches SMB ones.
#
# Login roles are cluster-wide: the roles added here have names of their
# own (st_PID_...), and no demo role is disabled.
. "$BATON_ROOT/tests/lib/e2e.sh"

cli_files staff_cli
db=$(newdb baton_demo) || { echo "FAIL staff_cli: cannot create a test database"; exit 1; }
adm="st_${E2E_ID}_admin"
new="st_${E2E_ID}_new"
con="st_${E2E_ID}_con"
psql -X -q -d "$db" -c "CREATE ROLE $adm LOGIN IN ROLE baton_admin" ||
	{ echo "FAIL staff_cli: cannot create the admin role"; exit 1; }

has() { grep -qF -- "$1" "$2"; }
one_line() { [ "$(wc -l <"$1" | tr -d ' ')" -eq 1 ]; }

# --- who may ---------------------------------------------------------------
run as ana staff add "$new" --name "New Person" --team support
expect plain_staff_cannot_add \
	sh -c '[ "$1" -eq 1 ] && [ ! -s "$2" ] && grep -q "only an administrator" "$3" &&
	       [ "$(wc -l <"$3")" -eq 1 ]' _ "$rc" "$OUT" "$ERR"
expect refused_add_created_nothing \
	test "$(sql "SELECT count(*) FROM pg_roles WHERE rolname = '$new'")" = 0
run as ana staff disable ben
expect plain_staff_cannot_disable sh -c '[ "$1" -eq 1 ] && grep -q "only an administrator" "$2"' _ "$rc" "$ERR"

# --- usage errors ------------------------------------------------------------
run as "$adm" staff add "$new" --team support
expect add_needs_a_name sh -c '[ "$1" -eq 2 ] && grep -q -- "--name and --team" "$2"' _ "$rc" "$ERR"
run as "$adm" staff add "$new" --name X --team support --scope smb
expect add_takes_no_scope sh -c '[ "$1" -eq 2 ]' _ "$rc"
run as "$adm" staff set "$new"
expect set_needs_a_change sh -c '[ "$1" -eq 2 ]' _ "$rc"
run as "$adm" staff list --format xml
expect list_format_checked sh -c '[ "$1" -eq 2 ] && grep -q "text, json or csv" "$2"' _ "$rc" "$ERR"
run as "$adm" staff frobnicate
expect unknown_staff_command sh -c '[ "$1" -eq 2 ]' _ "$rc"

# --- add, and the login works ------------------------------------------------
run as "$adm" staff add "$new" --name "New Person" --team Support --email new@baton.example
expect admin_adds \
	sh -c '[ "$1" -eq 0 ] && grep -q "added $3 with a new login role" "$2" &&
	       grep -qF "\\password $3" "$2"' _ "$rc" "$OUT" "$new"
run as "$new" doctor
expect new_login_works_and_is_staff \
	sh -c '[ "$1" -eq 0 ] && grep -q "^ok *staff *New Person, Support" "$2"' _ "$rc" "$OUT"
run as "$new" show "Northwind Health"
expect new_person_reads sh -c '[ "$1" -eq 0 ] && grep -q "Northwind Health" "$2"' _ "$rc" "$OUT"
run as "$adm" staff add "$new" --name "Again" --team support
expect add_twice_refused sh -c '[ "$1" -eq 1 ] && grep -q "already on the staff" "$2"' _ "$rc" "$ERR"
run as "$adm" staff add "$con" --name "Carla Contractor" --team nowhere
expect unknown_team_refused sh -c '[ "$1" -eq 1 ] && grep -q "unknown team" "$2"' _ "$rc" "$ERR"

# --- list formats --------------------------------------------------------------
psql -X -q -d "$db" -c "UPDATE staff SET display_name = '=HYPERLINK(\"x\") ' || chr(27) || '[31m'
	WHERE role_name = '$new'"
run as "$adm" staff list
expect list_text \
	sh -c '[ "$1" -eq 0 ] && grep -qP "^sam\tSam Rivera\tsupport \(lead\)\tactive\tlogin\tsees all\tsam@baton.example$" "$2" &&
	       grep -qP "^bjorn\t.*\tdisabled\t" "$2" && [ "$(wc -l <"$2")" -eq 22 ]' _ "$rc" "$OUT"
expect list_text_no_controls no_controls "$OUT"
run as "$adm" staff list --format json
expect list_json \
	sh -c '[ "$1" -eq 0 ] && grep -qF "{\"role\":\"sam\",\"name\":\"Sam Rivera\",\"team\":\"support\",\"lead\":true,\"active\":true,\"can_login\":true,\"scope\":null,\"email\":\"sam@baton.example\"}" "$2"' \
	_ "$rc" "$OUT"
run as "$adm" staff list --format csv
expect list_csv \
	sh -c '[ "$1" -eq 0 ] && head -n 1 "$2" | grep -q "^role,name,team,lead,active,can_login,scope,email" &&
	       grep -q "^sam,Sam Rivera,support,true,true,true,,sam@baton.example" "$2" &&
	       grep -qF "'"'"'=HYPERLINK" "$2"' _ "$rc" "$OUT"
expect list_csv_no_controls no_controls "$OUT"

# --- disable: no login, no reads, a clear message; enable -----------------------
run as "$adm" staff disable "$new"
expect admin_disables sh -c '[ "$1" -eq 0 ] && grep -q "disabled" "$2"' _ "$rc" "$OUT"
expect disabled_reads_0_rows_from_psql \
	test "$(psql -X -q -At -d "$db" -c "SET SESSION AUTHORIZATION $new" -c "SELECT count(*) FROM customer")" = 0
run as "$new" show "Northwind Health"
expect disabled_cannot_log_in \
	sh -c '[ "$1" -eq 4 ] && grep -q "not permitted to log in" "$2" && [ "$(wc -l <"$2")" -eq 1 ]' _ "$rc" "$ERR"
# A role that may still log in but is disabled in this database (the
# same role in another Baton database, say): refused with the way back.
psql -X -q -d "$db" -c "ALTER ROLE $new LOGIN"
run as "$new" show "Northwind Health"
expect disabled_show_says_why \
	sh -c '[ "$1" -eq 1 ] && [ ! -s "$2" ] && grep -q "is disabled in Baton" "$3" &&
	       grep -qF "baton staff enable $4" "$3" && [ "$(wc -l <"$3")" -eq 1 ]' _ "$rc" "$OUT" "$ERR" "$new"
run as "$new" doctor
expect doctor_names_enable \
	sh -c '[ "$1" -eq 1 ] && grep -qF "FAIL staff       role $3 has no active staff entry (disabled): an administrator can run '"'"'baton staff enable $3'"'"'" "$2"' \
	_ "$rc" "$OUT" "$new"
run as "$adm" staff enable "$new"
run as "$new" find north
expect enabled_reads_again sh -c '[ "$1" -eq 0 ] && grep -q "Northwind Health" "$2"' _ "$rc" "$OUT"

# An administrator needs no staff entry for that work: a warning (exit 0)
# that still names the command that would let the console show customers.
run as "$adm" doctor
expect doctor_names_add \
	sh -c '[ "$1" -eq 0 ] && grep -q "^warn staff .* is an administrator without a staff entry" "$2" &&
	       grep -qF "baton staff add $3 --name NAME --team TEAM" "$2"' _ "$rc" "$OUT" "$adm"
run as "$adm" show "Northwind Health"
expect no_staff_entry_show_says_why \
	sh -c '[ "$1" -eq 1 ] && grep -q "has no staff entry" "$2"' _ "$rc" "$ERR"

# --- a contractor who sees SMB customers only -----------------------------------
run as "$adm" staff add "$con" --name "Carla Contractor" --team support --lead
run as "$adm" staff set "$con" --scope smb
expect scope_set sh -c '[ "$1" -eq 0 ] && [ "$(psql -X -At -d "$2" -c "SELECT scope FROM staff WHERE role_name = '"'"'$3'"'"'")" = "{smb}" ]' \
	_ "$rc" "$db" "$con"
run as "$con" find northwind
expect scoped_find_out_of_scope sh -c '[ "$1" -eq 1 ] && ! grep -q "Northwind" "$2"' _ "$rc" "$OUT"
run as "$con" find nwh.example
expect scoped_find_by_domain_out_of_scope sh -c '[ "$1" -eq 1 ] && [ ! -s "$2" ]' _ "$rc" "$OUT"
run as "$con" find lumiere
expect scoped_find_in_scope sh -c '[ "$1" -eq 0 ] && grep -q "Café Lumière" "$2"' _ "$rc" "$OUT"
run as "$con" show 1
expect scoped_show_out_of_scope \
	sh -c '[ "$1" -eq 1 ] && [ ! -s "$2" ] && grep -q "no customer matches" "$3"' _ "$rc" "$OUT" "$ERR"
run as "$con" show 2
expect scoped_show_in_scope sh -c '[ "$1" -eq 0 ] && grep -q "Café Lumière" "$2"' _ "$rc" "$OUT"
run as "$con" queue --state resolved --format csv
smb_resolved=$(sql "SELECT count(*) FROM handoff h JOIN customer c ON c.id = h.customer_id
	WHERE h.state = 'resolved' AND c.segment = 'smb'")
expect scoped_queue_csv_in_scope_only \
	sh -c '[ "$1" -eq 0 ] && [ "$3" -gt 0 ] && [ "$(sed 1d "$2" | wc -l)" -eq "$3" ] &&
	       ! grep -q "Northwind Health" "$2"' _ "$rc" "$OUT" "$smb_resolved"
run as ana queue --state resolved --format csv
expect unscoped_queue_csv_has_northwind sh -c '[ "$1" -eq 0 ] && grep -q "Northwind Health" "$2"' _ "$rc" "$OUT"
expect scoped_psql_reads_no_other_segment \
	test "$(psql -X -q -At -d "$db" -c "SET SESSION AUTHORIZATION $con" -c "SELECT count(*) FROM customer WHERE segment <> 'smb'")" = 0
run as "$con" handoff new --customer nwh.example --to-team success --reason escalation --message "out of scope"
expect scoped_handoff_out_of_scope \
	sh -c '[ "$1" -eq 1 ] && grep -q "no customer matches" "$2"' _ "$rc" "$ERR"
run as "$con" handoff new --customer 2 --to-team success --reason escalation --message "in scope"
expect scoped_handoff_in_scope sh -c '[ "$1" -eq 0 ] && grep -qE "^[0-9a-f-]{36}$" "$2"' _ "$rc" "$OUT"
expect handoffs_written_only_in_scope \
	test "$(sql "SELECT string_agg(customer_id::text, ',') FROM handoff WHERE note IN ('in scope', 'out of scope')")" = 2
# An empty list (an unset shell variable) is a usage error, not --no-scope.
for empty in "" "," " , "; do
	run as "$adm" staff set "$con" --scope "$empty"
	expect "scope_empty_list_refused_[$empty]" \
		sh -c '[ "$1" -eq 2 ] && grep -q "^baton: --scope needs one or more segments" "$2"' _ "$rc" "$ERR"
done
expect scope_kept_after_empty_lists \
	test "$(sql "SELECT array_to_string(scope, ',') FROM staff WHERE role_name = '$con'")" = smb
run as "$adm" staff set "$con" --no-scope
run as "$con" find northwind
expect scope_lifted sh -c '[ "$1" -eq 0 ] && grep -q "Northwind Health" "$2"' _ "$rc" "$OUT"

# --- names and addresses are checked by the server, in words ------------------------
no_constraint() { ! grep -q "constraint" "$1"; }
run as "$adm" staff set "$new" --email nope
expect bad_email_said_in_words \
	sh -c '[ "$1" -eq 1 ] && grep -qF "an e-mail address is like name@example.com (one @, no spaces), not \"nope\"" "$2" &&
	       [ "$(wc -l <"$2")" -eq 1 ]' _ "$rc" "$ERR"
expect bad_email_no_constraint_name no_constraint "$ERR"
run as "$adm" staff set "$new" --name ''
expect empty_name_said_in_words \
	sh -c '[ "$1" -eq 1 ] && grep -qF "a person'"'"'s name has 1 to 120 characters, no control characters" "$2"' _ "$rc" "$ERR"
expect empty_name_no_constraint_name no_constraint "$ERR"
for c in esc:'\033[31m' bel:'\007' cr:'\r' lf:'\n'; do
	run as "$adm" staff set "$new" --name "$(printf "Evil${c#*:}Name")"
	expect "name_with_${c%%:*}_refused" \
		sh -c '[ "$1" -eq 1 ] && grep -qF "no control characters" "$2"' _ "$rc" "$ERR"
done
run as "$adm" staff add "st_${E2E_ID}_ctl" --name "$(printf 'Two\nLines')" --team support
expect add_with_a_control_character_refused_creating_nothing \
	sh -c '[ "$1" -eq 1 ] && grep -qF "no control characters" "$2" &&
	       [ "$(psql -X -At -d "$3" -c "SELECT count(*) FROM pg_roles WHERE rolname = '"'"'$4'"'"'")" = 0 ]' \
	_ "$rc" "$ERR" "$db" "st_${E2E_ID}_ctl"
run as "$adm" staff add "st_${E2E_ID}_ctl" --name "Plain Name" --team support --email "a b@example.com"
expect add_with_a_bad_email_refused sh -c '[ "$1" -eq 1 ] && grep -qF "an e-mail address is like" "$2"' _ "$rc" "$ERR"
run as "$adm" staff set "$new" --name "  Renamed Person  " --email renamed@baton.example
expect good_name_and_email_taken_trimmed \
	sh -c '[ "$1" -eq 0 ] && [ "$(psql -X -At -d "$2" -c "SELECT display_name || '"'"'|'"'"'|| email FROM staff WHERE role_name = '"'"'$3'"'"'")" = "Renamed Person|renamed@baton.example" ]' \
	_ "$rc" "$db" "$new"

# --- two administrators add the same person at once -------------------------------------
race="st_${E2E_ID}_race"
PGAPPNAME="staff_race_${E2E_ID}" psql -X -q -d "dbname=$db user=$adm" >/dev/null 2>&1 <<SQL &
BEGIN;
SELECT baton_staff_add('$race', 'Race One', 'support', false, NULL);
SELECT pg_sleep(2);
COMMIT;
SQL
first=$!
# The second once the first has added the person and holds it, uncommitted
# (in its pg_sleep), not after a fixed pause a loaded host may outlast.
wait_true 10 '[ "$(sql "SELECT count(*) FROM pg_stat_activity WHERE application_name = '"'staff_race_${E2E_ID}'"'
                       AND query LIKE '"'SELECT pg_sleep%'"' AND state = '"'active'"'")" = 1 ]'
run as "$adm" staff add "$race" --name "Race Two" --team support
wait "$first"
expect the_second_of_two_at_once_is_told_it_is_on_the_staff \
	sh -c '[ "$1" -eq 1 ] && grep -qF "$3 is already on the staff" "$2" && ! grep -qi "duplicate key" "$2"' \
	_ "$rc" "$ERR" "$race"
expect the_first_one_is_kept \
	test "$(sql "SELECT display_name FROM staff WHERE role_name = '$race'")" = "Race One"

dropdb --if-exists "$db" >/dev/null 2>&1
rm -rf "$T"
