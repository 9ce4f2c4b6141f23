#!/bin/sh
# The command line's contract: help, version, exit statuses, migrate,
# doctor, and error messages that name the file, line or database (and
# never echo a password).
. "$BATON_ROOT/tests/lib/e2e.sh"

cli_files cli_basics

has() { grep -qF -- "$1" "$2"; }
lines() { wc -l <"$1" | tr -d ' '; }
no_secret() { ! grep -q hunter2 "$OUT" "$ERR"; }

# --- help and version ------------------------------------------------------
run "$BATON_BIN" --help
expect help_exits_0_and_lists_commands \
	sh -c '[ "$1" -eq 0 ] && grep -q "migrate" "$2" && grep -q "doctor" "$2" &&
	       grep -q "show" "$2" && grep -q "find" "$2" && grep -q -- "--version" "$2" &&
	       [ ! -s "$3" ]' _ "$rc" "$OUT" "$ERR"

run "$BATON_BIN" -h
expect short_help_is_the_same sh -c '[ "$1" -eq 0 ] && grep -q "Usage: baton" "$2"' _ "$rc" "$OUT"

run "$BATON_BIN" --version
expect version_one_line \
	sh -c '[ "$1" -eq 0 ] && [ "$(wc -l <"$2")" -eq 1 ] &&
	       grep -qE "^baton [0-9]+\.[0-9]+\.[0-9]+$" "$2"' _ "$rc" "$OUT"

# What standard output cannot take is a failure, said on standard error.
run sh -c '"$1" --version >/dev/full' _ "$BATON_BIN"
expect full_stdout_is_a_failure \
	sh -c '[ "$1" -eq 1 ] && grep -qx "baton: cannot write to standard output: No space left on device" "$2"' _ "$rc" "$ERR"
run sh -c '"$1" --version >&-' _ "$BATON_BIN"
expect closed_stdout_is_a_failure \
	sh -c '[ "$1" -eq 1 ] && grep -qx "baton: cannot write to standard output: Bad file descriptor" "$2"' _ "$rc" "$ERR"

# --- usage errors: status 2 --------------------------------------------------
run "$BATON_BIN" --bogus
expect unknown_option_exits_2 \
	sh -c '[ "$1" -eq 2 ] && [ ! -s "$2" ] && grep -q "baton --help" "$3" &&
	       grep -qx "baton: unrecognized option .--bogus." "$3"' _ "$rc" "$OUT" "$ERR"

run "$BATON_BIN" frobnicate
expect unknown_command_exits_2_one_line \
	sh -c '[ "$1" -eq 2 ] && [ ! -s "$2" ] && [ "$(wc -l <"$3")" -eq 1 ] &&
	       grep -q "frobnicate" "$3"' _ "$rc" "$OUT" "$ERR"

# Every command with subcommands: help on stdout (0); none, usage on stderr
# (2); an unknown one, one line naming it and its --help (2).
for cmd in handoff note milestone health campaign staff; do
	run "$BATON_BIN" -d "dbname=nowhere" $cmd help
	expect ${cmd}_help_exits_0_on_stdout \
		sh -c '[ "$1" -eq 0 ] && grep -q "^Usage: baton" "$2" && [ ! -s "$3" ]' _ "$rc" "$OUT" "$ERR"
	run "$BATON_BIN" -d "dbname=nowhere" $cmd
	expect ${cmd}_without_subcommand_usage_exits_2 \
		sh -c '[ "$1" -eq 2 ] && [ ! -s "$2" ] && grep -q "^Usage: baton" "$3"' _ "$rc" "$OUT" "$ERR"
	run "$BATON_BIN" -d "dbname=nowhere" $cmd frobnicate --format json
	expect ${cmd}_unknown_subcommand_exits_2_one_line \
		sh -c '[ "$1" -eq 2 ] && [ ! -s "$2" ] && [ "$(wc -l <"$3")" -eq 1 ] &&
		       grep -qxF "baton: unknown $4 command '"'"'frobnicate'"'"'. Try '"'"'baton $4 --help'"'"'." "$3"' \
		_ "$rc" "$OUT" "$ERR" "$cmd"
done

# An option a subcommand does not know is said by "baton CMD SUB", as every
# other message, not by the bare subcommand.
for w in "team add" "staff list" "campaign hold" "handoff new" "note add" "milestone set" \
	"health set" "signals list"; do
	run "$BATON_BIN" -d "dbname=nowhere" $w --bogus
	expect "$(echo "$w" | tr ' ' _)_unknown_option_said_by_baton_and_command" \
		sh -c '[ "$1" -eq 2 ] && [ ! -s "$2" ] &&
		       grep -qxF "baton $4: unrecognized option '"'"'--bogus'"'"'" "$3"' _ "$rc" "$OUT" "$ERR" "$w"
done

# Every write that takes --id refuses one that is not a UUID the same way,
# before it connects.
for w in "note add --customer 1 --message x" "campaign hold 6 --comment x" \
	"signals ack --customer 1 --kind campaign-during-complaint --comment x" \
	"milestone set 1 --status done" "health set --customer 1 --health at-risk --reason x"; do
	run "$BATON_BIN" -d "dbname=nowhere" $w --id 1234
	expect "$(echo "$w" | cut -d' ' -f1)_refuses_an_id_not_a_uuid" \
		sh -c '[ "$1" -eq 2 ] && [ "$(wc -l <"$2")" -eq 1 ] &&
		       grep -qxF "baton: --id must be a UUID (like 0b5f3c1e-7a2d-4c1b-9e8f-2d6a4b1c3e5f), not '"'"'1234'"'"'" "$2"' \
		_ "$rc" "$ERR"
done

# A merge id is a UUID, hyphens in their places, checked before connecting.
run "$BATON_BIN" -d "dbname=nowhere" split 0b5f3c1e7a2d-4c1b-9e8f-2d6a4b1c3e5f-
expect split_refuses_what_is_not_a_uuid \
	sh -c '[ "$1" -eq 2 ] && grep -q "is not a merge id" "$2"' _ "$rc" "$ERR"

run "$BATON_BIN" -d "dbname=nowhere" migrate extra
expect migrate_takes_no_arguments sh -c '[ "$1" -eq 2 ]' _ "$rc"

run "$BATON_BIN" -d "dbname=nowhere" show
expect show_needs_a_customer sh -c '[ "$1" -eq 2 ] && grep -q "Usage: baton show" "$2"' _ "$rc" "$ERR"

run "$BATON_BIN" -d "dbname=nowhere" show 1 2
expect show_takes_one_customer sh -c '[ "$1" -eq 2 ]' _ "$rc"

run "$BATON_BIN" -d "dbname=nowhere" show --format xml 1
expect show_format_must_be_text_or_json \
	sh -c '[ "$1" -eq 2 ] && grep -q "text or json" "$2"' _ "$rc" "$ERR"

# --- migrate -------------------------------------------------------------------
fresh="e2e_fresh_${E2E_ID}"
createdb "$fresh"
run "$BATON_BIN" -d "dbname=$fresh" migrate
expect migrate_fresh_database \
	sh -c '[ "$1" -eq 0 ] && grep -q "^applying migration 001 initial" "$2" &&
	       grep -q "^applied [0-9]* migration" "$2"' _ "$rc" "$OUT"
run "$BATON_BIN" -d "dbname=$fresh" migrate
expect migrate_again_is_up_to_date \
	sh -c '[ "$1" -eq 0 ] && [ "$(wc -l <"$2")" -eq 1 ] && grep -q "up to date" "$2" &&
	       ! grep -q "applying" "$2"' _ "$rc" "$OUT"
# A database from a newer baton is refused.
psql -X -q -d "$fresh" -c "INSERT INTO baton_schema_migrations (version, name) VALUES (9999, 'future')"
run "$BATON_BIN" -d "dbname=$fresh" migrate
expect migrate_refuses_newer_schema \
	sh -c '[ "$1" -eq 4 ] && grep -q "upgrade baton" "$2"' _ "$rc" "$ERR"
run "$BATON_BIN" -d "dbname=$fresh" show 1
expect show_refuses_newer_schema \
	sh -c '[ "$1" -eq 4 ] && grep -q "upgrade baton" "$2"' _ "$rc" "$ERR"

# --- doctor ----------------------------------------------------------------------
demo=$(newdb baton_demo)
run "$BATON_BIN" -d "dbname=$demo user=ana" doctor
expect doctor_as_staff_all_ok \
	sh -c '[ "$1" -eq 0 ] && [ "$(grep -c "^ok " "$2")" -eq 6 ] && ! grep -qv "^ok " "$2" &&
	       grep -q "^ok *config" "$2" && grep -q "^ok *connection.*as ana" "$2" &&
	       grep -q "^ok *schema .*up to date" "$2" && grep -q "^ok *staff .*Ana Lima, Support" "$2" &&
	       grep -q "^ok *live .*came back" "$2" &&
	       grep -q "^ok *reads .*no database.read_conninfo" "$2"' \
	_ "$rc" "$OUT"

run "$BATON_BIN" -d "dbname=$demo user=sam" doctor
expect doctor_shows_a_lead sh -c '[ "$1" -eq 0 ] && grep -q "Sam Rivera, Support (lead)" "$2"' _ "$rc" "$OUT"

# A role that is not in the staff table.
run "$BATON_BIN" -d "dbname=$demo" doctor
expect doctor_role_without_staff_entry \
	sh -c '[ "$1" -eq 1 ] && grep -q "^FAIL staff .*no active staff entry" "$2"' _ "$rc" "$OUT"

# An administrator needs no staff entry (README): a warning, exit 0.
psql -X -q -d "$demo" -c "DO \$\$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'doc_admin')
	THEN CREATE ROLE doc_admin LOGIN; END IF; END \$\$; GRANT baton_admin TO doc_admin" >/dev/null
run "$BATON_BIN" -d "dbname=$demo user=doc_admin" doctor
expect doctor_admin_without_staff_entry_warns \
	sh -c '[ "$1" -eq 0 ] && grep -q "^warn staff .*doc_admin is an administrator without a staff entry" "$2" &&
	       ! grep -q "^FAIL" "$2"' _ "$rc" "$OUT"

# The tables' owner (here a role that may act as it) is told it is no
# staff member, and why, not to add itself (staff add refuses it).
owner=$(psql -X -At -d "$demo" -c "SELECT quote_ident(pg_get_userbyid(relowner)) FROM pg_class WHERE oid = 'customer'::regclass")
psql -X -q -d "$demo" -c "DO \$\$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'doc_owner')
	THEN CREATE ROLE doc_owner LOGIN; END IF; END \$\$; GRANT $owner TO doc_owner" >/dev/null
run "$BATON_BIN" -d "dbname=$demo user=doc_owner" doctor
expect doctor_owner_is_no_staff_member \
	sh -c '[ "$1" -eq 0 ] && grep -q "^warn staff .*doc_owner owns Baton.s tables: .*is no staff member" "$2"' _ "$rc" "$OUT"

empty="e2e_empty_${E2E_ID}"
createdb "$empty"
run "$BATON_BIN" -d "dbname=$empty" doctor
expect doctor_without_schema \
	sh -c '[ "$1" -ne 0 ] && grep -q "^FAIL schema" "$2" && grep -qF "run '"'"'baton migrate'"'"'" "$2"' \
	_ "$rc" "$OUT"
# migrate by a role that is not the owner: nothing to do is said so (it
# tried to create its bookkeeping table first: "permission denied for
# schema public"); something to do needs the owner, said so.
run "$BATON_BIN" -d "dbname=$demo user=ana" migrate
expect migrate_by_staff_up_to_date sh -c '[ "$1" -eq 0 ] && grep -q "^schema is up to date" "$2"' _ "$rc" "$OUT"
# (As from PostgreSQL 15 on, whatever the server's version.)
psql -X -q -d "$empty" -c "REVOKE CREATE ON SCHEMA public FROM PUBLIC"
run "$BATON_BIN" -d "dbname=$empty user=ana" migrate
expect migrate_by_staff_needs_the_owner \
	sh -c '[ "$1" -eq 4 ] && grep -q "permission denied.*run .baton migrate. as the database.s owner" "$2"' _ "$rc" "$ERR"
run "$BATON_BIN" -d "dbname=$empty" show 1
expect show_without_schema_exits_4 \
	sh -c '[ "$1" -eq 4 ] && grep -qF "run '"'"'baton migrate'"'"'" "$2"' _ "$rc" "$ERR"

# --- connection errors: status 4, one line, no secrets ---------------------------
run "$BATON_BIN" -d "dbname=nope_${E2E_ID}" show 1
expect unknown_database_exits_4 \
	sh -c '[ "$1" -eq 4 ] && [ ! -s "$2" ] && [ "$(wc -l <"$3")" -eq 1 ] &&
	       grep -q "nope_$4" "$3" && grep -q "does not exist" "$3"' _ "$rc" "$OUT" "$ERR" "${E2E_ID}"
run "$BATON_BIN" -d "dbname=nope_${E2E_ID}" migrate
expect unknown_database_migrate_exits_4 \
	sh -c '[ "$1" -eq 4 ] && [ "$(wc -l <"$2")" -eq 1 ] && grep -q "nope_$3" "$2"' _ "$rc" "$ERR" "${E2E_ID}"

run "$BATON_BIN" -d "host=/nonexistent/dir dbname=x" show 1
expect unreachable_server_exits_4_with_hint \
	sh -c '[ "$1" -eq 4 ] && [ "$(wc -l <"$2")" -eq 1 ] && grep -q "PGHOST" "$2"' _ "$rc" "$ERR"

run "$BATON_BIN" -d "dbname=$demo password=hunter2 port" show 1
expect bad_conninfo_hides_password \
	sh -c '[ "$1" -eq 4 ] && [ "$(wc -l <"$2")" -eq 1 ] &&
	       grep -q "invalid connection string" "$2"' _ "$rc" "$ERR"
expect bad_conninfo_no_hunter2 no_secret

run "$BATON_BIN" -d "postgresql://ana:hunter2@[::1/$demo" migrate
expect bad_uri_hides_password sh -c '[ "$1" -eq 4 ]' _ "$rc"
expect bad_uri_no_hunter2 no_secret

run "$BATON_BIN" -d "dbname=nope_${E2E_ID} password=hunter2" doctor
expect failed_connect_hides_password sh -c '[ "$1" -ne 0 ] && grep -q "nope_" "$2"' _ "$rc" "$OUT"
expect failed_connect_no_hunter2 no_secret

# --- configuration errors: status 3, "file:line: message" ------------------------
cfg="$T/bad.cfg"
printf 'ui:\n{\n  color = ;\n};\n' >"$cfg"
run "$BATON_BIN" -c "$cfg" -d "dbname=$demo" show 1
expect config_syntax_error_exits_3 \
	sh -c '[ "$1" -eq 3 ] && [ ! -s "$2" ] && [ "$(wc -l <"$3")" -eq 1 ] &&
	       grep -qF "baton: $4:3: " "$3"' _ "$rc" "$OUT" "$ERR" "$cfg"

run env BATON_CONFIG="$cfg" "$BATON_BIN" -d "dbname=$demo" find north
expect config_error_from_environment_exits_3 \
	sh -c '[ "$1" -eq 3 ] && grep -qF "$3:3: " "$2"' _ "$rc" "$ERR" "$cfg"

printf 'ui: { ascii = false; };\nui2: { };\n' >"$T/unknown.cfg"
run "$BATON_BIN" -c "$T/unknown.cfg" migrate
expect config_unknown_setting_exits_3 \
	sh -c '[ "$1" -eq 3 ] && grep -qF "$3:2: unknown setting '"'"'ui2'"'"'" "$2"' _ "$rc" "$ERR" "$T/unknown.cfg"

run "$BATON_BIN" -c "$T/missing.cfg" show 1
expect config_missing_file_exits_3 \
	sh -c '[ "$1" -eq 3 ] && grep -qF "$3" "$2"' _ "$rc" "$ERR" "$T/missing.cfg"

# doctor reports a configuration error with everything else, and exits 3
# as every command does for one.
run "$BATON_BIN" -c "$cfg" -d "dbname=$demo user=ana" doctor
expect doctor_reports_config_error \
	sh -c '[ "$1" -eq 3 ] && grep -qF "FAIL config      $3:3: " "$2" &&
	       grep -q "^ok *connection" "$2"' _ "$rc" "$OUT" "$cfg"

# A valid file is used: database.conninfo from the file.
printf 'database: { conninfo = "dbname=%s user=ana"; };\n' "$demo" >"$T/good.cfg"
run "$BATON_BIN" -c "$T/good.cfg" doctor
expect doctor_reads_conninfo_from_config \
	sh -c '[ "$1" -eq 0 ] && grep -qF "ok   config      read $3" "$2" &&
	       grep -q "as ana" "$2"' _ "$rc" "$OUT" "$T/good.cfg"

dropdb --if-exists "$fresh" >/dev/null 2>&1
dropdb --if-exists "$empty" >/dev/null 2>&1
dropdb --if-exists "$demo" >/dev/null 2>&1
rm -rf "$T"
