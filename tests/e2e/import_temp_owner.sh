#!/bin/sh
# The import functions run as the schema's owner and keep a file's state in
# the session's temporary tables.  A session that makes its own temporary
# view under one of their names, over a function of its own, must not get
# that function run as the owner (migration 081; security review):
#  - ana, ordinary staff, through baton_import_lines_known;
#  - an importer, through baton_import_unused, which baton_import_apply
#    reads when it exists;
# and the import lock cannot be held by someone who may not import.  A real
# import still works afterwards.  The database's owner here is the
# superuser, as `make demo` makes it: what runs as the owner may do anything.
. "$BATON_ROOT/tests/lib/e2e.sh"
. "$BATON_ROOT/tests/lib/import.sh"

cli_files import_temp_owner
db=$(newdb baton_demo) || { echo "FAIL import_temp_owner: cannot create a test database"; exit 1; }
importer_role "$db"

# psql_as ROLE: the statements on stdin as ROLE, stopping at the first
# error; output and errors in $OUT, the exit status in $rc
psql_as() {
	psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" -U "$1" >"$OUT" 2>&1
	rc=$?
}
# granted ROLE: whether ROLE is now a member of baton_admin
granted() { [ "$(sql "SELECT pg_has_role('$1', 'baton_admin', 'MEMBER')")" = t ]; }
audit_rows=$(sql "SELECT count(*) FROM baton_audit")
note_max=$(sql "SELECT value FROM baton_setting WHERE key = 'max_note_bytes'")

# The function every attempt plants: as whoever runs it, it grants
# baton_admin and baton_importer to the session's role (so the import
# check later in the same call passes) and changes a shared setting.
pwn="CREATE FUNCTION pg_temp.pwn() RETURNS text LANGUAGE plpgsql AS \$\$
BEGIN
    EXECUTE format('GRANT baton_admin, baton_importer TO %I', session_user);
    UPDATE baton_setting SET value = '64' WHERE key = 'max_note_bytes';
    RETURN current_user;
END \$\$;"

psql_as ana <<EOF
BEGIN;
$pwn
CREATE TEMP TABLE baton_import_hashes (line bigint, h bigint);
GRANT ALL ON baton_import_hashes TO PUBLIC;
CREATE TEMP VIEW baton_import_ctx AS SELECT pg_temp.pwn() AS source;
GRANT SELECT ON baton_import_ctx TO PUBLIC;
SELECT baton_import_lines_known();
COMMIT;
EOF
expect "ana (staff): baton_import_lines_known is refused, she may not import" \
	sh -c '[ "$1" -ne 0 ] && grep -q "role ana may not import" "$2"' _ "$rc" "$OUT"
expect "ana is not made an administrator" sh -c '! [ "$(psql -X -At -d "$1" -c "SELECT pg_has_role('"'ana'"', '"'baton_admin'"', '"'MEMBER'"')")" = t ]' _ "$db"

spec='{"fields": {"kind": {"path": ["kind"]}, "email": {"path": ["recipient"]}, "status": {"path": null, "default": "scheduled"}, "campaign": {"path": ["campaign"]}, "source_id": {"path": ["id"]}, "scheduled_at": {"path": ["scheduled"], "format": "DD/MM/YYYY HH24:MI"}}, "format": "csv", "delimiter": ";"}'
psql_as importer <<EOF
BEGIN;
SELECT baton_import_begin('11111111-2222-3333-4444-555555555558', 'scheduled-campaigns', 'marketing', 'x.csv', 5);
SELECT seed FROM baton_import_hashes_begin('$spec', '"id","recipient","campaign","kind","scheduled"', '{}');
INSERT INTO pg_temp.baton_import_raw VALUES (1, 'id', 'recipient', 'campaign', 'kind', 'scheduled'),
    (2, 'x9', 'nwh.example', 'T2', 'upsell', '01/01/2027 10:00');
$pwn
CREATE TEMP VIEW baton_import_unused AS SELECT 'domain'::text AS kind, pg_temp.pwn() AS value, 1 AS n;
GRANT SELECT ON baton_import_unused TO PUBLIC;
SELECT entity, unused FROM baton_import_apply('11111111-2222-3333-4444-555555555558', '$spec', '{}', 0);
COMMIT;
EOF
expect "importer: baton_import_apply refuses the session's own view baton_import_unused" \
	sh -c '[ "$1" -ne 0 ] && grep -q "temporary view named baton_import_unused that Baton did not make" "$2"' _ "$rc" "$OUT"
expect "the importer is not made an administrator" sh -c '! [ "$(psql -X -At -d "$1" -c "SELECT pg_has_role('"'importer'"', '"'baton_admin'"', '"'MEMBER'"')")" = t ]' _ "$db"

# A temporary table of the session's own under a name the import makes
# (with a trigger, say) is refused at the start.
psql_as importer <<EOF
BEGIN;
CREATE TEMP TABLE baton_import_ctx (run uuid, source text);
SELECT baton_import_hashes_begin('$spec', NULL, '{}');
COMMIT;
EOF
expect "importer: a temporary table baton_import_ctx of the session's own is refused" \
	sh -c '[ "$1" -ne 0 ] && grep -q "temporary table named baton_import_ctx that Baton did not make" "$2"' _ "$rc" "$OUT"

expect "nothing ran as the owner: the shared setting and the audit are as they were" \
	test "$(sql "SELECT value FROM baton_setting WHERE key = 'max_note_bytes'")|$(sql "SELECT count(*) >= $audit_rows FROM baton_audit")" = "$note_max|t"

# The import lock: ana may not take it (no right to lock the row), and an
# import does not wait for a lock anyone may hold.
psql_as ana <<'EOF'
SELECT 1 FROM baton_import_gate FOR UPDATE;
EOF
expect "ana cannot lock baton_import_gate" sh -c '[ "$1" -ne 0 ] && grep -q "permission denied" "$2"' _ "$rc" "$OUT"
psql -X -q -d "$db" -U ana -c "SELECT pg_advisory_lock(9010), pg_sleep(60)" >/dev/null 2>&1 &
squatter=$!
wait_true 10 '[ "$(sql "SELECT count(*) FROM pg_locks WHERE locktype = '"'advisory'"' AND objid = 9010 AND granted")" = 1 ]' ||
	fail "ana's session never took advisory lock 9010"
cat >"$T/sends.csv" <<'EOF'
id;recipient;campaign;kind;scheduled
s1;nwh.example;Spring upsell;upsell;01/01/2027 10:00
EOF
run timeout 30 "$BATON_BIN" -c "$BATON_ROOT/etc/baton-import.cfg" -d "dbname=$db user=importer" \
	import --source scheduled-campaigns "$T/sends.csv"
expect "an import runs while ana holds advisory lock 9010 (it no longer waits for it)" \
	sh -c '[ "$1" -eq 0 ] && grep -q "1 inserted" "$2" && ! grep -q "another import is running" "$3"' _ "$rc" "$OUT" "$ERR"
kill "$squatter" 2>/dev/null
wait "$squatter" 2>/dev/null

# Nor for the marks that say what holds the lock (144), which anyone may
# take too: ana holding all three exclusively, an import runs; and one
# that waits behind another is told of "an import, a split or a raise",
# the holder's mark being ana's.
psql -X -q -d "$db" -U ana -c "SELECT pg_advisory_lock(9144, 1), pg_advisory_lock(9144, 2),
	pg_advisory_lock(9144, 3), pg_sleep(60)" >/dev/null 2>&1 &
squatter=$!
wait_true 10 '[ "$(sql "SELECT count(*) FROM pg_locks WHERE locktype = '"'advisory'"' AND classid = 9144 AND granted")" = 3 ]' ||
	fail "ana's session never took the advisory locks (9144, 1-3)"
sed 's/^s1;/s2;/' "$T/sends.csv" >"$T/sends2.csv"
run timeout 30 "$BATON_BIN" -c "$BATON_ROOT/etc/baton-import.cfg" -d "dbname=$db user=importer" \
	import --source scheduled-campaigns "$T/sends2.csv"
expect "an import runs while ana holds the marks (9144, 1-3)" \
	sh -c '[ "$1" -eq 0 ] && grep -q "1 inserted" "$2" && [ ! -s "$3" ]' _ "$rc" "$OUT" "$ERR"
psql -X -q -d "$db" -c "BEGIN; SELECT baton_import_lock(); SELECT pg_sleep(3); COMMIT;" >/dev/null 2>&1 &
holder=$!
wait_true 10 '[ "$(sql "SELECT count(*) FROM pg_locks WHERE relation = '"'baton_import_gate'"'::regclass AND granted")" -ge 1 ]' ||
	fail "the first session never took the gate"
run timeout 30 "$BATON_BIN" -c "$BATON_ROOT/etc/baton-import.cfg" -d "dbname=$db user=importer" \
	import --source scheduled-campaigns "$T/sends.csv"
expect "behind a holder without its mark, an import is told of any of the three, then runs" sh -c '[ "$1" -eq 0 ] &&
	grep -q "^baton: an import, a split or a raise of import_max_merge is running (role postgres, since [0-9-]* [0-9:]*): waiting for it to finish$" "$2"' \
	_ "$rc" "$ERR"
wait "$holder" || :
# Its server session ends too: the marks are free for what follows.
sql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'ana' AND query LIKE '%9144%'" >/dev/null
wait "$squatter" 2>/dev/null
wait_true 10 '[ "$(sql "SELECT count(*) FROM pg_locks WHERE locktype = '"'advisory'"' AND classid = 9144")" = 0 ]' ||
	fail "ana's advisory locks (9144, 1-3) outlived her session"

# Two imports (the first here the superuser's, holding the lock 3 s): the
# second waits for the first and says who holds the lock.
psql -X -q -d "$db" -c "BEGIN; SELECT baton_import_lock(); SELECT pg_sleep(3); COMMIT;" >/dev/null 2>&1 &
holder=$!
wait_true 10 '[ "$(sql "SELECT count(*) FROM pg_locks WHERE relation = '"'baton_import_gate'"'::regclass AND granted")" -ge 1 ]' ||
	fail "the first session never took the gate"
run timeout 30 "$BATON_BIN" -c "$BATON_ROOT/etc/baton-import.cfg" -d "dbname=$db user=importer" \
	import --source scheduled-campaigns "$T/sends.csv"
expect "a second import waits for the first, naming its role, then runs" \
	sh -c '[ "$1" -eq 0 ] && grep -q "another import is running (role postgres, since" "$2"' _ "$rc" "$ERR"
wait "$holder" || :
