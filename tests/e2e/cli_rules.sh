#!/bin/sh
# The rules every client shares, from the command line: optimistic
# concurrency on every step (two reassignments from the same read version:
# one wins, the other exits 1 with the fresh state; a comment in between
# does not spoil an acknowledgement), `baton settings` (anyone reads, only
# an administrator changes, the next write obeys at once), and `baton
# migrate` importing an older configuration's handoff settings once.
. "$BATON_ROOT/tests/lib/e2e.sh"

cli_files cli_rules
db=$(newdb baton_demo) || { echo "FAIL cli_rules: cannot create a test database"; exit 1; }
hsql() { sql "SELECT $2 FROM handoff WHERE id = '$1'"; }
admin="t_admin_${E2E_ID}"
sql "CREATE ROLE $admin LOGIN; GRANT baton_admin TO $admin" >/dev/null

NWH=6293c178-ae4a-339c-418f-a402dd44efe3 # ana (Support) -> ben (Success), high, open, version 1

# --- a reassignment race: both read version 1 ---------------------------------------
run as sam handoff reassign $NWH --to-team support --to ana --comment "ana has the history" --version 1
expect sam_reassigns_from_version_1 \
	sh -c '[ "$1" -eq 0 ] && grep -qx "$2: open (version 2)" "$3"' _ "$rc" "$NWH" "$OUT"
run as lee handoff reassign $NWH --to-team onboarding --comment "onboarding should" --version 1
expect lee_from_the_same_version_exits_1_with_the_fresh_state \
	sh -c '[ "$1" -eq 1 ] && [ ! -s "$2" ] &&
	       grep -q "^baton: not reassigned: changed meanwhile: reassigned by sam at .*(open, now version 2)$" "$3"' \
	_ "$rc" "$OUT" "$ERR"
expect only_sams_reassignment_is_recorded \
	test "$(sql "SELECT string_agg(actor || ':' || to_team, ',') FROM handoff_event
	             WHERE handoff_id = '$NWH' AND kind = 'reassigned'")" = "sam:support"
expect the_handoff_is_where_sam_put_it test "$(hsql $NWH "to_team || '|' || to_staff || '|' || version")" = "support|ana|2"

# Without --version the command acts on what it reads when it starts;
# --force on whatever it is; not both.
run as lee handoff reassign $NWH --to-team onboarding --comment "x" --force --version 2
expect force_and_version_together_exit_2 sh -c '[ "$1" -eq 2 ]' _ "$rc"

# --- a comment does not spoil a pending acknowledgement ---------------------------
run as ana handoff list --mine
SEEN=$(hsql $NWH version)
expect handoff_list_shows_the_version_to_act_on \
	sh -c '[ "$1" -eq 0 ] && grep -q "^$2	[a-z]* v$3	" "$4"' _ "$rc" "$NWH" "$SEEN" "$OUT"
run as lee handoff comment $NWH --comment "ana, call Dana first"
expect lee_comments sh -c '[ "$1" -eq 0 ]' _ "$rc"
run as ana handoff ack $NWH --version "$SEEN"
expect ana_acknowledges_with_the_version_read_before_the_comment \
	sh -c '[ "$1" -eq 0 ] && grep -qx "$2: acknowledged (version 3)" "$3"' _ "$rc" "$NWH" "$OUT"

# --- settings: read by staff, changed by an administrator only ---------------------
run as ana settings show
expect staff_read_the_settings \
	sh -c '[ "$1" -eq 0 ] && grep -q "^max_note_bytes  *16384 " "$2" &&
	       grep -qx "reasons  *escalation, renewal risk, onboarding blocker, billing, feature request, question" "$2" &&
	       grep -qx "sla urgent  *1h  *every team" "$2"' _ "$rc" "$OUT"
run as ana settings show --format json
# psql interpolates :'j' in what it reads, not in -c.
expect settings_as_json \
	test "$(echo "SELECT (:'j'::jsonb -> 'reasons' ->> 1) || '|' ||
	       (SELECT x ->> 'minutes' FROM jsonb_array_elements(:'j'::jsonb -> 'ack_sla') x
	        WHERE x ->> 'priority' = 'high')" | psql -X -At -d "$db" -v j="$(cat "$OUT")")" = "renewal risk|240"
run as lee settings set max_note_bytes 100
expect a_lead_cannot_change_them \
	sh -c '[ "$1" -eq 1 ] && grep -q "only an administrator can change the settings" "$2"' _ "$rc" "$ERR"
expect unchanged test "$(sql "SELECT value FROM baton_setting WHERE key = 'max_note_bytes'")" = 16384
run as "$admin" settings sla high soon
expect a_bad_duration_is_a_usage_error sh -c '[ "$1" -eq 2 ] && grep -q "not a duration" "$2"' _ "$rc" "$ERR"
run as "$admin" settings sla bogus 1h
expect a_bad_priority_is_a_usage_error_too \
	sh -c '[ "$1" -eq 2 ] && grep -qx "baton: .bogus. is not a priority: use urgent, high, normal or low" "$2"' _ "$rc" "$ERR"
# The text's columns as wide as the longest key: every value starts in one column.
run as "$admin" settings
expect settings_values_in_one_column \
	sh -c '[ "$1" -eq 0 ] && [ "$(grep -v "^sla " "$2" | awk "{ match(\$0, /^[^ ]+ +/); print RLENGTH }" | sort -u | wc -l)" -eq 1 ]' _ "$rc" "$OUT"
run as "$admin" settings frobnicate
expect an_unknown_command_is_a_usage_error sh -c '[ "$1" -eq 2 ]' _ "$rc"

# The next write obeys an administrator's change, in a client started before it.
run as ana handoff new --customer nwh.example --to-team success --reason refund --message "money back"
expect refund_is_no_reason_yet \
	sh -c '[ "$1" -eq 1 ] && grep -q "unknown reason .refund. (the reasons are: escalation" "$2"' _ "$rc" "$ERR"
run as "$admin" settings reason add refund
expect the_admin_adds_a_reason sh -c '[ "$1" -eq 0 ] && grep -qx "reason .refund. added" "$2"' _ "$rc" "$OUT"
run as ana handoff new --customer nwh.example --to-team success --reason refund --priority high --message "money back"
expect then_it_is_one sh -c '[ "$1" -eq 0 ]' _ "$rc"
H=$(cat "$OUT")
expect with_the_high_sla test "$(hsql "$H" "round(extract(epoch FROM ack_due_at - created_at) / 60)")" = 240
run as "$admin" settings sla high 30m --team success
expect the_admin_shortens_successs_high_sla sh -c '[ "$1" -eq 0 ]' _ "$rc"
run as ana handoff new --customer nwh.example --to-team success --reason refund --priority high --message "faster"
H=$(cat "$OUT")
expect the_next_handoff_has_30_minutes test "$(hsql "$H" "round(extract(epoch FROM ack_due_at - created_at) / 60)")" = 30
run as "$admin" settings set max_note_bytes 100
expect the_admin_sets_the_largest_note sh -c '[ "$1" -eq 0 ] && grep -qx "max_note_bytes is now 100" "$2"' _ "$rc" "$OUT"
before=$(sql "SELECT count(*) FROM handoff")
run as ana handoff new --customer nwh.example --to-team success --reason refund \
	--message "$(printf '%0150d' 0)"
expect a_longer_note_is_refused_by_the_database_limit \
	sh -c '[ "$1" -eq 1 ] && grep -q "the note is 150 bytes; the largest is 100" "$2"' _ "$rc" "$ERR"
expect nothing_was_written test "$(sql "SELECT count(*) FROM handoff")" = "$before"
expect the_audit_log_has_the_admins_changes \
	test "$(sql "SELECT count(*) FROM baton_audit WHERE actor = '$admin'")" = 3

# --- settings that name teams name teams that exist ---------------------------------
setting() { sql "SELECT value FROM baton_setting WHERE key = '$1'"; }
run as "$admin" settings set onboarding_team onbaording
expect an_unknown_onboarding_team_is_refused_naming_it_and_team_list \
	sh -c '[ "$1" -eq 1 ] && grep -qF "unknown team \"onbaording\" for onboarding_team" "$2" &&
	       grep -qF "baton team list" "$2"' _ "$rc" "$ERR"
expect the_onboarding_team_is_unchanged test "$(setting onboarding_team)" = onboarding
run as "$admin" settings set campaign_hold_teams marketing,marketting,supprt
expect unknown_hold_teams_are_refused_naming_each \
	sh -c '[ "$1" -eq 1 ] && grep -qF "unknown teams \"marketting\", \"supprt\" for campaign_hold_teams" "$2"' \
	_ "$rc" "$ERR"
expect the_hold_teams_are_unchanged test "$(setting campaign_hold_teams)" = marketing
run as "$admin" team add ops --name Operations
run as "$admin" settings set campaign_hold_teams marketing,ops
expect existing_teams_are_taken sh -c '[ "$1" -eq 0 ] && grep -qx "campaign_hold_teams is now marketing,ops" "$2"' _ "$rc" "$OUT"
run as "$admin" team set ops --name "Ops desk"
expect a_named_team_can_be_renamed_and_the_setting_keeps_its_id \
	sh -c '[ "$1" -eq 0 ] && [ "$(psql -X -At -d "$2" -c "SELECT value FROM baton_setting WHERE key = '"'"'campaign_hold_teams'"'"'")" = marketing,ops ]' \
	_ "$rc" "$db"
expect a_named_team_cannot_be_removed_even_by_the_owner \
	sh -c '! psql -X -q -d "$1" -c "DELETE FROM team WHERE id = '"'"'ops'"'"'" 2>"$2" &&
	       grep -qF "team ops is named by the setting campaign_hold_teams" "$2"' _ "$db" "$T/del.err"
expect nor_its_id_changed \
	sh -c '! psql -X -q -d "$1" -c "UPDATE team SET id = '"'"'ops2'"'"' WHERE id = '"'"'ops'"'"'" 2>/dev/null' _ "$db"
run as "$admin" settings set campaign_hold_teams '*'
expect anyone_is_still_star sh -c '[ "$1" -eq 0 ]' _ "$rc"
expect once_no_setting_names_it_it_can_go \
	sh -c 'psql -X -q -d "$1" -c "DELETE FROM team WHERE id = '"'"'ops'"'"'" >/dev/null' _ "$db"

# --- an older configuration: a warning, and migrate imports it once ----------------
old="$T/old.cfg"
printf 'ui: { ascii = false; };\nhandoff: {\n  reasons = [ "refund", "churn risk" ];\n  ack_sla: { urgent = "2h"; };\n};\n' >"$old"
db2="${db}_old"
createdb -T baton_demo "$db2"
run "$BATON_BIN" -c "$old" -d "dbname=$db2 user=ana" settings show
expect an_old_file_still_works_with_a_warning_naming_file_and_line \
	sh -c '[ "$1" -eq 0 ] && grep -qF "baton: warning: $2:3: handoff.reasons has moved to the database" "$3" &&
	       grep -qF "$2:4: handoff.ack_sla has moved" "$3" && grep -q "baton migrate" "$3"' _ "$rc" "$old" "$ERR"
run "$BATON_BIN" -c "$old" -d "dbname=$db2" migrate
expect migrate_imports_it \
	sh -c '[ "$1" -eq 0 ] && grep -qxF "handoff.reasons ($2:3) imported into the database" "$3" &&
	       grep -qxF "handoff.ack_sla ($2:4) imported into the database" "$3"' _ "$rc" "$old" "$OUT"
expect the_database_has_them \
	test "$(psql -X -At -d "$db2" -c "SELECT string_agg(name, ',' ORDER BY position) || '|' ||
	       (SELECT minutes FROM ack_sla WHERE priority = 'urgent') FROM handoff_reason")" = "refund,churn risk|120"
run "$BATON_BIN" -c "$old" -d "dbname=$db2" migrate
expect a_second_run_changes_nothing \
	sh -c '[ "$1" -eq 0 ] && grep -qxF "handoff.reasons ($2:3): the database already has it; nothing to import" "$3"' \
	_ "$rc" "$old" "$OUT"

dropdb "$db2" >/dev/null 2>&1
dropdb "$db" >/dev/null 2>&1
psql -X -q -d postgres -c "DROP ROLE $admin" >/dev/null 2>&1
