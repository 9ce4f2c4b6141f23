#!/bin/sh
# The audit log: one row per write, whoever makes it (Baton or psql), with
# the session user, application and what changed; nobody can change or
# remove it; `baton audit` lists it for administrators only.
. "$BATON_ROOT/tests/lib/e2e.sh"

db=$(newdb baton_demo) || { echo "FAIL audit: cannot create a test database"; exit 1; }
T="$BATON_TEST_TMP/audit"
mkdir -p "$T"
cleanup() {
	psql -X -q -d postgres -c "REVOKE baton_admin FROM lee" >/dev/null 2>&1
	psql -X -q -d postgres -c "DROP ROLE IF EXISTS aud_${E2E_ID}" >/dev/null 2>&1
}
trap cleanup EXIT

as() { _u=$1; shift; "$BATON_BIN" -d "dbname=$db user=$_u" "$@"; }
audit_count() { sql "SELECT count(*) FROM baton_audit WHERE $1"; }
start_id=$(sql "SELECT coalesce(max(id), 0) FROM baton_audit")
# The demo data was written with the demo staff's own sessions too: look
# only at what this test writes.
start_at=$(sql "SELECT now()::text")
since() { echo "id > $start_id AND $1"; }

# --- writes through Baton ------------------------------------------------------
id=$(printf 'Audit me\n' | as ana handoff new --customer nwh.example --to-team success \
	--reason question --priority low 2>"$T/new.err")
check "ana writes a handoff" test -n "$id"
check "its creation is logged once: the handoff row and its 'created' event, by ana, via baton" \
	test "$(sql "SELECT string_agg(entity || ':' || action || ':' || actor || ':' || application, ',' ORDER BY entity)
	              FROM baton_audit WHERE $(since "entity_id IN ('$id') OR change ->> 'handoff_id' = '$id'")")" = \
	     "handoff:insert:ana:baton,handoff_event:insert:ana:baton"
check "the event row names the handoff's customer" \
	test "$(audit_count "$(since "entity = 'handoff_event' AND customer_id = (SELECT id FROM customer WHERE domain = 'nwh.example')")")" = 1

as ben handoff ack "$id" >/dev/null 2>&1
check "ben's acknowledgement: one update of the handoff (what changed) and one event, by ben" \
	test "$(sql "SELECT string_agg(entity || ':' || action || ':' || actor, ',' ORDER BY entity)
	              FROM baton_audit WHERE $(since "actor = 'ben'")")" = "handoff:update:ben,handoff_event:insert:ben"
check "the update records the state change, old and new" \
	test "$(sql "SELECT change -> 'state' FROM baton_audit WHERE $(since "actor = 'ben' AND entity = 'handoff'")")" = '["open", "acknowledged"]'

# --- writes from psql are logged just the same ------------------------------------
PGAPPNAME=psql psql -X -q -d "dbname=$db user=ana" \
	-c "SELECT baton_note_add(gen_random_uuid(), id, 'note', 'From psql') FROM customer WHERE domain = 'nwh.example'"
check "a note written with psql: logged as ana's, application psql" \
	test "$(audit_count "$(since "entity = 'success_note' AND actor = 'ana' AND application = 'psql' AND change ->> 'body' = 'From psql'")")" = 1
n=$(audit_count "$(since "true")")
check "five writes, five rows (nothing else logged)" test "$n" = 5

# --- nobody changes or removes it -----------------------------------------------------
check "staff cannot read it" eval '! psql -X -q -d "dbname=$db user=ana" -c "SELECT 1 FROM baton_audit" >/dev/null 2>&1'
psql -X -q -d postgres -c "GRANT baton_admin TO lee" >/dev/null
for stmt in "UPDATE baton_audit SET actor = 'nobody'" "DELETE FROM baton_audit" "TRUNCATE baton_audit"; do
	check "an admin cannot: $stmt" eval '! psql -X -q -d "dbname=$db user=lee" -c "$stmt" >/dev/null 2>&1'
	check "not even the database owner: $stmt" eval '! psql -X -q -d "$db" -c "$stmt" >/dev/null 2>&1'
done
check "after all that, still five rows" test "$(audit_count "$(since "true")")" = 5

# --- baton audit ------------------------------------------------------------------------
as ana audit >"$T/ana.out" 2>"$T/ana.err"
rc=$?
check "baton audit as plain staff: exit 1, says it needs baton_admin" \
	eval '[ $rc = 1 ] && grep -qF "needs the baton_admin role" "$T/ana.err" && [ ! -s "$T/ana.out" ]'
as lee audit --staff ben --since "$start_at" --format json >"$T/ben.json" 2>"$T/ben.err"
json_ok=$(psql -X -q -At -d "$db" -v j="$(cat "$T/ben.json")" <<'SQL'
SELECT jsonb_array_length(:'j'::jsonb) = 2
   AND jsonb_typeof(:'j'::jsonb -> 0 -> 'change') = 'object'
   AND (SELECT bool_and(e ->> 'actor' = 'ben') FROM jsonb_array_elements(:'j'::jsonb) e);
SQL
)
check "baton audit --staff ben --format json: ben's two rows, the change as a JSON object ($json_ok)" test "$json_ok" = t
as lee audit --customer nwh.example --since "$start_at" --format csv >"$T/nwh.csv" 2>&1
csv_rows=$(psql -X -q -At -d "$db" <<SQL
CREATE TEMP TABLE c (id bigint, at text, actor text, app text, client text, action text,
                     entity text, eid text, cust bigint, change text);
\copy c FROM '$T/nwh.csv' CSV HEADER
SELECT count(*) FILTER (WHERE change::jsonb IS NOT NULL) FROM c;
SQL
)
check "baton audit --customer nwh.example --since START --format csv: a header and the five rows" \
	eval 'head -n 1 "$T/nwh.csv" | grep -q "^id,at,actor,application,client,action,entity,entity_id,customer_id,change" &&
	      [ "$csv_rows" = 5 ]'
as lee audit --since 2h --limit 2 >"$T/text.out" 2>&1
check "text: one line per row, newest first (the psql note), cleaned" \
	eval '[ "$(wc -l <"$T/text.out")" = 2 ] && head -n 1 "$T/text.out" | grep -qF "insert success_note" && ! grep -q "$(printf "\033")" "$T/text.out"'
as lee audit --limit 0 >/dev/null 2>"$T/limit.err"
rc=$?
check "--limit 0: usage error" eval '[ $rc = 2 ] && grep -qF "from 1 to 100000" "$T/limit.err"'
for w in bogus 7x 2026-02-30 "2026-11-01 24:00" yesterday; do
	as lee audit --since "$w" >"$T/since.out" 2>"$T/since.err"
	rc=$?
	check "--since '$w': usage error naming the forms it takes" \
		eval '[ $rc = 2 ] && [ ! -s "$T/since.out" ] && [ "$(wc -l <"$T/since.err")" = 1 ] &&
		      grep -qF "takes a date or time (2026-11-01, '"'"'2026-11-01 09:00'"'"') or an age (30m, 12h, 7d, 2w)" "$T/since.err"'
done
as lee audit --since 2026-11-01T09:00:00Z --limit 1 >/dev/null 2>"$T/since-iso.err"
rc=$?
check "--since with T, seconds and an offset is a time" eval '[ $rc = 0 ] && [ ! -s "$T/since-iso.err" ]'
as lee audit --customer "no such customer" >/dev/null 2>"$T/nocust.err"
rc=$?
check "--customer that matches nothing: exit 1, says so" eval '[ $rc = 1 ] && grep -qF "no customer matches" "$T/nocust.err"'

# An administrator with no staff entry (README: "they need no staff entry of
# their own") names the customer as the staff do: by domain, id or name.
aud="aud_${E2E_ID}"
psql -X -q -d postgres -c "CREATE ROLE $aud LOGIN IN ROLE baton_admin" >/dev/null
as "$aud" audit --customer nwh.example --since "$start_at" --format csv >"$T/aud.csv" 2>"$T/aud.err"
rc=$?
check "an administrator without a staff entry: audit --customer nwh.example, the same five rows" \
	eval '[ $rc = 0 ] && [ "$(sed 1d "$T/aud.csv" | wc -l)" = 5 ] && [ ! -s "$T/aud.err" ]'
nwh=$(sql "SELECT id FROM customer WHERE domain = 'nwh.example'")
as "$aud" audit --customer "#$nwh" --since "$start_at" --format csv >"$T/aud-id.csv" 2>&1
as "$aud" audit --customer "northwind heal" --since "$start_at" --format csv >"$T/aud-name.csv" 2>&1
check "... and by its id, and by part of its name: the same rows" \
	eval 'cmp -s "$T/aud.csv" "$T/aud-id.csv" && cmp -s "$T/aud.csv" "$T/aud-name.csv"'
as "$aud" audit --customer "no such customer" >/dev/null 2>"$T/aud-none.err"
rc=$?
check "... a customer that matches nothing: exit 1, says so" \
	eval '[ $rc = 1 ] && grep -qF "no customer matches" "$T/aud-none.err"'
as ana audit --customer nwh.example >"$T/ana-c.out" 2>"$T/ana-c.err"
rc=$?
check "plain staff: audit --customer is refused, exit 1, says it needs baton_admin" \
	eval '[ $rc = 1 ] && grep -qF "needs the baton_admin role" "$T/ana-c.err" && [ ! -s "$T/ana-c.out" ]'
check "plain staff: the lookup for the audit does not answer them from psql either" \
	eval '! psql -X -q -d "dbname=$db user=ana" -c "SELECT * FROM baton_audit_customers('"'"'nwh.example'"'"')" >/dev/null 2>&1'
psql -X -q -d postgres -c "DROP ROLE $aud" >/dev/null

# --- a key of two columns, and a removal ------------------------------------------------
psql -X -q -d "$db" -c "INSERT INTO customer_external_id (customer_id, system, external_id)
                        SELECT id, 'crm', 'AUD-1' FROM customer WHERE domain = 'nwh.example'" \
	-c "DELETE FROM customer_external_id WHERE external_id = 'AUD-1'" >/dev/null
check "a row with a key of two columns is named by both, and its removal is logged with the row" \
	test "$(sql "SELECT string_agg(action || ':' || entity_id || ':' || (change ->> 'external_id') || ':'
	                               || (customer_id = (SELECT id FROM customer WHERE domain = 'nwh.example')),
	                               ',' ORDER BY id)
	              FROM baton_audit WHERE $(since "entity = 'customer_external_id'")")" = \
	     "insert:crm,AUD-1:AUD-1:true,delete:crm,AUD-1:AUD-1:true"

# --- one update of several rows: each row's change is what differs in it ----------------
t1=$(sql "SELECT min(id) FROM ticket")
t2=$(sql "SELECT min(id) FROM ticket WHERE id > $t1")
psql -X -q -d "$db" -c "UPDATE ticket SET assignee = NULL WHERE id IN ($t1, $t2)" >/dev/null
mark=$(sql "SELECT max(id) FROM baton_audit")
psql -X -q -d "$db" \
	-c "UPDATE ticket SET subject = subject || ' (audited)', assignee = CASE WHEN id = $t2 THEN 'ana' END
	    WHERE id IN ($t1, $t2)" \
	-c "UPDATE ticket SET subject = subject WHERE id = $t1" >/dev/null
check "an update of two tickets: a row each, with only the keys that changed in it" \
	test "$(sql "SELECT string_agg(entity_id || '=' || (SELECT string_agg(k, '+' ORDER BY k)
	                                                     FROM jsonb_object_keys(change) k),
	                               ',' ORDER BY entity_id::bigint)
	              FROM baton_audit WHERE id > $mark")" = "$t1=subject,$t2=assignee+subject"
check "... each key with its old and new value (no one, then ana; the subject as it was and is)" \
	test "$(sql "SELECT string_agg(coalesce((a.change -> 'assignee')::text, 'none') || ' ' || (a.change -> 'subject' ->> 1 = t.subject)
	                               || ' ' || (a.change -> 'subject' ->> 0 || ' (audited)' = t.subject), ','
	                               ORDER BY t.id)
	              FROM baton_audit a JOIN ticket t ON t.id::text = a.entity_id WHERE a.id > $mark")" = \
	     "none true true,[null, \"ana\"] true true"
