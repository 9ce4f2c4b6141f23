#!/bin/sh
# A record's values are hashed by jsonb_hash_extended (migration 111), where
# they were hashed by md5 of their JSON text: a record whose digest has the
# old hash is still known by its values, also one imported without its
# contact (its digest begins with "?"), so that the first import after an
# upgrade rewrites nothing; a record whose values changed is updated.
. "$BATON_ROOT/tests/lib/e2e.sh"
. "$BATON_ROOT/tests/lib/import.sh"

cli_files import_digest_upgrade
db=$(newdb baton_schema) || { echo "FAIL import_digest_upgrade: cannot create a test database"; exit 1; }
importer_role "$db"
CFG="$T/digest.cfg"
cat >"$CFG" <<'EOF'
import: { sources = (
  { name = "t-orgs"; entity = "customers"; format = "csv"; system = "crm"; label = "T org";
    fields = { source_id = "id"; name = "name"; domains = "domain"; }; },
  { name = "t-people"; entity = "contacts"; format = "csv"; customer_source = "t-orgs";
    fields = { source_id = "id"; customer = "org"; name = "name"; email = "email"; }; },
  { name = "t-tickets"; entity = "tickets"; format = "jsonl"; customer_source = "t-orgs"; contact_source = "t-people";
    fields = { source_id = "id"; customer = "org"; contact = "who"; subject = "subject"; status = "status";
      updated_at = "updated_at"; }; }
); };
EOF
printf 'id,name,domain\n1,One,one.example\n' >"$T/orgs.csv"
imported orgs_imported t-orgs "$T/orgs.csv" "1 read, 1 inserted"
# Ticket 4 names a contact not imported yet: it is imported without it.
cat >"$T/t.jsonl" <<'EOF'
{"id": 3, "org": 1, "subject": "Third", "status": "pending", "updated_at": "2026-03-01T08:00:00Z"}
{"id": 4, "org": 1, "who": 9, "subject": "Fourth", "status": "open", "updated_at": "2026-03-01T09:00:00+02:00"}
EOF
imported tickets_imported t-tickets "$T/t.jsonl" "2 read, 2 inserted"

# The md5 of each record's values as migrations before 111 wrote it (the
# values: the mapped fields, typed; 110's digests of these very lines, read
# from a database it imported them into, are these).
old3="md5(jsonb_build_object('customer', '1', 'source_id', '3', 'status', 'pending', 'subject', 'Third',
                             'updated_at', '2026-03-01T08:00:00Z'::timestamptz)::text)"
old4="md5(jsonb_build_object('contact', '9', 'customer', '1', 'source_id', '4', 'status', 'open', 'subject', 'Fourth',
                             'updated_at', '2026-03-01T09:00:00+02:00'::timestamptz)::text)"
check values_hashed_anew [ "$(sql "SELECT string_agg(source_id || ':' || (left(ltrim(digest, '?'), 32) <> CASE source_id
	WHEN '3' THEN $old3 ELSE $old4 END), ' ' ORDER BY source_id)
	FROM import_record WHERE source = 't-tickets'")" = "3:true 4:true" ]
check waiting_digest_marked [ "$(sql "SELECT string_agg(source_id || ':' || (digest LIKE '?%'), ' ' ORDER BY source_id)
	FROM import_record WHERE source = 't-tickets' AND length(digest) IN (48, 49)")" = "3:false 4:true" ]
now=$(sql "SELECT digest FROM import_record WHERE source = 't-tickets' AND source_id = '3'")
audit=$(sql "SELECT count(*) FROM baton_audit WHERE entity = 'ticket'")

# Digests as an older Baton left them: ticket 3's with a line hash its line
# has not (a field not mapped changed: the line is not set aside by its
# text, its values are compared); ticket 4's as it was (a record imported
# without its contact is never set aside by its text: its contact may have
# come since).
old_digests() {
	sql "UPDATE import_record SET digest = CASE source_id WHEN '3' THEN $old3 || '0000000000000001'
	     ELSE '?' || $old4 || substr(digest, 34) END WHERE source = 't-tickets'" >/dev/null
}
old_digests
imported old_digests_unchanged t-tickets "$T/t.jsonl" \
	"2 read, 0 inserted, 0 updated, 2 unchanged, 0 rejected, 0 customers merged (no changes)"
check old_digests_no_audit [ "$(sql "SELECT count(*) FROM baton_audit WHERE entity = 'ticket'")" = "$audit" ]
# Ticket 3's digest is renewed (its values' hash and its line's, as a first
# import writes them), so that the next file sets its line aside.
check old_digest_renewed [ "$(sql "SELECT digest FROM import_record WHERE source = 't-tickets' AND source_id = '3'")" = "$now" ]
imported renewed_digest_unchanged t-tickets "$T/t.jsonl" \
	"2 read, 0 inserted, 0 updated, 2 unchanged, 0 rejected, 0 customers merged (no changes)"

# Changed values under an old digest are a change.
old_digests
sed 's/"Third"/"Third, again"/; s/"Fourth"/"Fourth, again"/' "$T/t.jsonl" >"$T/t2.jsonl"
imported old_digests_changed t-tickets "$T/t2.jsonl" "2 read, 0 inserted, 2 updated, 0 unchanged"
check changed_subjects [ "$(sql "SELECT string_agg(subject, ' | ' ORDER BY subject) FROM ticket")" = \
	"Fourth, again | Third, again" ]

# Values whose order changed are a change, wherever the items are: a
# customer with 40 domains whose 1st and 33rd trade places, a line not
# set aside by its text (jsonb's own hash, which folds a value's items by
# rotating one bit and XOR-ing, sees no change there).
doms() { for i in "$@"; do printf 'd%s.many.example ' "$i"; done; }
printf 'id,name,domain\n9,Many,%s\n' "$(doms $(seq 1 40))" >"$T/many.csv"
imported many_domains t-orgs "$T/many.csv" "1 read, 1 inserted"
printf 'id,name,domain\n9,Many,%s\n' "$(doms 33 $(seq 2 32) 1 $(seq 34 40))" >"$T/many2.csv"
imported many_domains_reordered t-orgs "$T/many2.csv" "1 read, 0 inserted, 1 updated"
check many_domains_in_their_order [ "$(sql "SELECT domains[1] || ' ' || domains[33] FROM import_record
                                             WHERE source = 't-orgs' AND source_id = '9'")" = \
	"d33.many.example d1.many.example" ]
