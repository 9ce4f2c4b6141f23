#!/bin/sh
# baton doctor says when imports would stage a large file on one core: the
# role that owns Baton's functions may not create the copy parallel
# workers read in schema baton_import_work (migration 120), or the schema
# is gone.  A warning (exit status 0) with the statement that mends it;
# nothing when all is well.
. "$BATON_ROOT/tests/lib/e2e.sh"

db=$(newdb baton_demo) || { echo "FAIL doctor_import: cannot create a test database"; exit 1; }
cli_files doctor_import
import_line() { grep '^[a-zA-Z]* *import ' "$OUT"; }
# A role name that needs quoting in the statement the doctor gives.
owner="Doctor-Owner_$$"

run as ana doctor
expect "the functions' owner may create in baton_import_work: no import line, exit status 0" \
	eval '[ "$rc" = 0 ] && ! import_line && grep -q "^ok *schema" "$OUT"'

sql "CREATE ROLE \"$owner\" NOLOGIN; ALTER FUNCTION baton_import_apply(uuid, jsonb, text[], integer) OWNER TO \"$owner\"" >/dev/null
run as ana doctor
expect "an owner without CREATE there: a warning naming it and the GRANT, exit status 0" \
	eval '[ "$rc" = 0 ] && import_line | grep -Fxq "warn import      role \"$owner\", which owns Baton'"'"'s functions, may not create tables in schema baton_import_work: imports stage a large file on one core; GRANT CREATE ON SCHEMA baton_import_work TO \"$owner\""'

sql "GRANT CREATE ON SCHEMA baton_import_work TO \"$owner\"" >/dev/null
run as ana doctor
expect "granted: no import line" eval '[ "$rc" = 0 ] && ! import_line'

sql "DROP SCHEMA baton_import_work" >/dev/null
run as ana doctor
expect "the schema dropped: a warning with the statements that make it again, exit status 0" \
	eval '[ "$rc" = 0 ] && import_line | grep -Fxq "warn import      schema baton_import_work is missing: imports stage a large file on one core; as \"$owner\": CREATE SCHEMA baton_import_work; REVOKE ALL ON SCHEMA baton_import_work FROM PUBLIC"'
