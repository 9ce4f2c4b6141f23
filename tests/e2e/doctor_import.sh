#!/bin/sh
# baton doctor says when imports would stage a large file on one core: the
# schema baton_import_work (migration 120), where the role that owns
# Baton's functions makes the copy parallel workers read, is gone, is
# another role's, or that role may not create or look up tables in it.  A
# warning (exit status 0) with the statement that mends it; nothing when
# all is well.
. "$BATON_ROOT/tests/lib/e2e.sh"

db=$(newdb baton_demo) || { echo "FAIL doctor_import: cannot create a test database"; exit 1; }
cli_files doctor_import
import_line() { grep '^[a-zA-Z]* *import ' "$OUT"; }
# A role name that needs quoting in the statement the doctor gives.
owner="Doctor-Owner_$$"
said() { import_line | grep -Fxq "warn import      $1"; }

run as ana doctor
expect "the functions' owner owns baton_import_work: no import line, exit status 0" \
	eval '[ "$rc" = 0 ] && ! import_line && grep -q "^ok *schema" "$OUT"'

sql "CREATE ROLE \"$owner\" NOLOGIN; ALTER FUNCTION baton_import_apply(uuid, jsonb, text[], integer) OWNER TO \"$owner\"" >/dev/null
run as ana doctor
expect "the schema another role's: a warning naming both and the statements, exit status 0" \
	eval '[ "$rc" = 0 ] && said "schema baton_import_work is owned by postgres, not by \"$owner\", which owns Baton'"'"'s functions: imports stage a large file on one core; as a superuser: DROP SCHEMA baton_import_work CASCADE; CREATE SCHEMA baton_import_work AUTHORIZATION \"$owner\""'

sql "ALTER SCHEMA baton_import_work OWNER TO \"$owner\"; REVOKE USAGE ON SCHEMA baton_import_work FROM \"$owner\"" >/dev/null
run as ana doctor
expect "the owner's own USAGE revoked: a warning with the GRANT, exit status 0" \
	eval '[ "$rc" = 0 ] && said "role \"$owner\", which owns Baton'"'"'s functions and schema baton_import_work, may not create or look up tables there: imports stage a large file on one core; GRANT CREATE, USAGE ON SCHEMA baton_import_work TO \"$owner\""'

sql "GRANT USAGE ON SCHEMA baton_import_work TO \"$owner\"" >/dev/null
run as ana doctor
expect "granted: no import line" eval '[ "$rc" = 0 ] && ! import_line'

sql "DROP SCHEMA baton_import_work" >/dev/null
run as ana doctor
expect "the schema dropped: a warning with the statement that makes it again, exit status 0" \
	eval '[ "$rc" = 0 ] && said "schema baton_import_work is missing: imports stage a large file on one core; as \"$owner\" or a superuser: CREATE SCHEMA baton_import_work AUTHORIZATION \"$owner\""'
