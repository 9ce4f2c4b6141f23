#!/bin/sh
# baton team on a database made by `baton migrate` alone, as a team setting
# Baton up meets it: there is no team yet, and `baton staff add` says how to
# make one instead of failing inside PL/pgSQL; only an administrator adds or
# renames a team; ids and names are checked by the server; the README's
# first steps (a team, then a person in it) then work, and every change is
# in the audit.
. "$BATON_ROOT/tests/lib/e2e.sh"

cli_files team_cli
db=$(newdb baton_schema) || { echo "FAIL team_cli: cannot create a test database"; exit 1; }
adm="tm_${E2E_ID}_admin"
plain="tm_${E2E_ID}_plain"
person="tm_${E2E_ID}_ana"
psql -X -q -d "$db" -c "CREATE ROLE $adm LOGIN IN ROLE baton_admin; CREATE ROLE $plain LOGIN" ||
	{ echo "FAIL team_cli: cannot create the roles"; exit 1; }

check no_team_yet [ "$(sql "SELECT count(*) FROM team")" = 0 ]
run as "$adm" staff add "$person" --name "Ana Lima" --team support
expect staff_add_without_teams_says_what_to_do \
	sh -c '[ "$1" -eq 1 ] && grep -qx "baton: unknown team \"support\" (there is no team yet: an administrator adds one with baton team add ID --name NAME)" "$2"' \
	_ "$rc" "$ERR"
run as "$adm" team list
expect empty_list sh -c '[ "$1" -eq 0 ] && [ ! -s "$2" ]' _ "$rc" "$OUT"

# --- who may, and what ------------------------------------------------------
run as "$plain" team add support --name Support
expect role_without_grant_refused \
	sh -c '[ "$1" -eq 1 ] && grep -q "^baton: role $3 has no access to Baton: an administrator adds the person with .baton staff add $3 " "$2"' \
	_ "$rc" "$ERR" "$plain"
psql -X -q -d "$db" -c "GRANT baton_staff TO $plain"
run as "$plain" team add support --name Support
expect plain_staff_cannot_add sh -c '[ "$1" -eq 1 ] && grep -q "only an administrator" "$2"' _ "$rc" "$ERR"
run as "$adm" team add Support --name Support
expect id_checked sh -c '[ "$1" -eq 1 ] && grep -q "team id \"Support\" is not usable" "$2"' _ "$rc" "$ERR"
run as "$adm" team add support --name "$(printf 'Sup\033[2Jport')"
expect name_checked sh -c '[ "$1" -eq 1 ] && grep -q "no control characters" "$2"' _ "$rc" "$ERR"
run as "$adm" team add support
expect add_needs_a_name sh -c '[ "$1" -eq 2 ] && grep -q -- "--name NAME" "$2"' _ "$rc" "$ERR"
check nothing_added_yet [ "$(sql "SELECT count(*) FROM team")" = 0 ]

# --- add, rename, list -------------------------------------------------------
run as "$adm" team add support --name Support
expect admin_adds sh -c '[ "$1" -eq 0 ] && grep -qx "added team support" "$2"' _ "$rc" "$OUT"
run as "$adm" team add success --name " Customer Success "
expect second_team sh -c '[ "$1" -eq 0 ]' _ "$rc"
run as "$adm" team add helpdesk --name SUPPORT
expect names_differ_without_case \
	sh -c '[ "$1" -eq 1 ] && grep -q "team support is already called \"Support\"" "$2"' _ "$rc" "$ERR"
# A name that is another team's id says so (not "already called").
run as "$adm" team add sales --name success
expect name_is_another_teams_id \
	sh -c '[ "$1" -eq 1 ] && grep -q "the name \"success\" is the id of team success (\"Customer Success\"): a name may not be another team.s id" "$2"' \
	_ "$rc" "$ERR"
run as "$adm" team add support --name Other
expect id_taken sh -c '[ "$1" -eq 1 ] && grep -q "team support already exists" "$2"' _ "$rc" "$ERR"
run as "$adm" team set success --name Success
expect admin_renames sh -c '[ "$1" -eq 0 ] && grep -qx "renamed team success" "$2"' _ "$rc" "$OUT"
run as "$adm" team set nosuch --name X
expect rename_unknown sh -c '[ "$1" -eq 1 ] && grep -q "unknown team \"nosuch\" (the teams are: success, support)" "$2"' \
	_ "$rc" "$ERR"

# The README's step: a person in a team, found by its name.
run as "$adm" staff add "$person" --name "Ana Lima" --team "success" --lead
expect staff_add_works_now sh -c '[ "$1" -eq 0 ]' _ "$rc"
run as "$adm" team list
expect list_text sh -c '[ "$1" -eq 0 ] && [ "$(cat "$2")" = "$(printf "success\tSuccess\t1 active, 1 lead\nsupport\tSupport\t0 active, 0 leads")" ]' \
	_ "$rc" "$OUT"
run as "$adm" team list --format json
expect list_json sh -c '[ "$1" -eq 0 ] && python3 -c "
import json, sys
r = json.load(open(sys.argv[1]))
assert r == [{\"id\": \"success\", \"name\": \"Success\", \"active_staff\": 1, \"leads\": 1},
             {\"id\": \"support\", \"name\": \"Support\", \"active_staff\": 0, \"leads\": 0}], r
" "$2"' _ "$rc" "$OUT"
run as "$adm" team list --format csv
expect list_csv sh -c '[ "$1" -eq 0 ] && head -n 1 "$2" | tr -d "\r" | grep -qx "id,name,active_staff,leads"' _ "$rc" "$OUT"
check changes_audited [ "$(sql "SELECT count(*) FROM baton_audit WHERE entity = 'team' AND actor = '$adm'")" = 3 ]
