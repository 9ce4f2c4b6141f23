#!/bin/sh
# The command line where the locale is not UTF-8 (LANG=C: a cron job, a jump
# host without UTF-8 locales) prints ASCII only: Baton's own separators and
# arrows as the console draws them there (" - ", "->", "<-", "--"), the
# data's letters by their ASCII reading ("Cafe Lumiere"), a control as
# "^[".  Under C.UTF-8 the same commands keep "·", "→", "←" and "—".
. "$BATON_ROOT/tests/lib/e2e.sh"
. "$BATON_ROOT/tests/lib/import.sh"

cli_files cli_ascii
db=$(newdb baton_demo) || { echo "FAIL cli_ascii: cannot create a test database"; exit 1; }
importer_role "$db"
CFG="$BATON_ROOT/etc/baton-import.cfg"

# ascii_ok: the last run exited 0 and printed something, every byte of it
# printable ASCII, a tab or a newline
ascii_ok() { [ "$rc" -eq 0 ] && [ -s "$OUT" ] && ! LC_ALL=C grep -q "$(printf '[^\t -~]')" "$OUT"; }
c() { run env LC_ALL=C LANG=C "$BATON_BIN" -d "dbname=$db user=${who:-ana}" "$@"; }
u() { run env LC_ALL=C.UTF-8 LANG=C.UTF-8 "$BATON_BIN" -d "dbname=$db user=${who:-ana}" "$@"; }

as ana handoff new --customer cafe-lumiere.example --to-team success --reason escalation \
	--message "call back" >/dev/null
sql "UPDATE customer SET name = E'Café Lumière \\033]0;owned\\007' WHERE id = 2" >/dev/null
cat >"$T/orgs.json" <<'JSON'
{"organizations": [{"id": 360001, "name": "Northwind Health", "domain_names": ["nwh.example"],
  "updated_at": "2026-03-01T10:00:00Z"}], "end_of_stream": true}
JSON
imported zendesk_org_joins_northwind zendesk-organizations "$T/orgs.json" "1 customer merged"

c show 2
expect show_is_ascii_under_lang_c ascii_ok
expect show_reads_the_name_in_ascii grep -qF 'Cafe Lumiere ^[]0;owned^G (cafe-lumiere.example)' "$OUT"
expect show_parts_said_with_dashes grep -qE '^[a-z]+ - [a-z-]+ - [a-z]+' "$OUT"
expect show_handoff_arrow_in_ascii grep -qE '^  [0-9a-f-]{36} +[a-z]+ +support -> success' "$OUT"
u show 2
expect show_keeps_utf8_where_the_locale_is grep -qF 'Café Lumière ␛]0;owned␇ (cafe-lumiere.example)' "$OUT"
expect show_parts_said_with_dots_in_utf8 grep -qE '^[a-z]+ · [a-z-]+ · [a-z]+' "$OUT"
expect show_handoff_arrow_in_utf8 grep -qE '^  [0-9a-f-]{36} +[a-z]+ +support → success' "$OUT"

c show nwh.example
expect show_also_is_ascii ascii_ok
expect show_also_said_in_ascii grep -qx "Also: Zendesk org 360001 -- same domain nwh.example" "$OUT"

c signals
expect signals_are_ascii ascii_ok
expect signals_parts_said_with_dashes grep -qE "^[A-Z]+ +[a-z ]+ - Northwind Health #1 - since [0-9-]+ [0-9:]+ - for " "$OUT"
u signals
expect signals_keep_dots_in_utf8 grep -qE "^[A-Z]+ +[a-z ]+ · Northwind Health #1 · since " "$OUT"

who=importer c merges --customer nwh.example
expect merges_are_ascii ascii_ok
expect merges_arrow_in_ascii grep -qF "Northwind Health <- Zendesk org 360001 -- same domain nwh.example" "$OUT"
who=importer u merges --customer nwh.example
expect merges_keep_arrows_in_utf8 grep -qF "Northwind Health ← Zendesk org 360001 — same domain nwh.example" "$OUT"

# A dry run's merges, said the same way.
cat >"$T/orgs2.json" <<'JSON'
{"organizations": [{"id": 360002, "name": "Blue Fjord", "domain_names": ["bluefjord.example"],
  "updated_at": "2026-03-01T10:00:00Z"}], "end_of_stream": true}
JSON
run env LC_ALL=C LANG=C "$BATON_BIN" -c "$CFG" -d "dbname=$db user=importer" import --dry-run \
	--source zendesk-organizations "$T/orgs2.json"
expect dry_run_is_ascii ascii_ok
expect dry_run_arrow_in_ascii grep -qF "Blue Fjord AB <- Zendesk org 360002 -- same domain bluefjord.example" "$OUT"

# The leads' queue, whose handoffs are "support -> success" there.
who=lee c queue --team success
expect queue_text_is_ascii ascii_ok
expect queue_reads_the_name_in_ascii grep -qF "Cafe Lumiere ^[]0;owned^G" "$OUT"
