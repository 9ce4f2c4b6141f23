#!/bin/sh
# Onboarding from the command line: `baton milestone set` and `baton health
# set` (maja and olu are Onboarding, ana Support), what `baton show` says
# about them (the health with its reason, author and age, "stale" by the
# database's setting; each milestone's status and blocked reason), a change
# sent twice with the same --id recorded once, a stale version refused.
. "$BATON_ROOT/tests/lib/e2e.sh"

cli_files cli_onboarding
db=$(newdb baton_demo) || { echo "FAIL cli_onboarding: cannot create a test database"; exit 1; }
admin="t_onb_admin_${E2E_ID}"
sql "CREATE ROLE $admin LOGIN; GRANT baton_admin TO $admin" >/dev/null
MS3=$(sql "SELECT id FROM milestone WHERE customer_id = 1 AND position = 3") # Data migration, olu's
events() { sql "SELECT count(*) FROM milestone_event WHERE milestone_id = $MS3"; }
# The demo's Data migration is due four days before the day its template was
# loaded (when the run started): after midnight since, that reads "overdue
# 5d". Pin it to four days before today in this test's own copy.
[ "$(sql "WITH u AS (UPDATE milestone SET due_date = current_date - 4 WHERE id = $MS3 RETURNING 1) SELECT count(*) FROM u")" = 1 ] ||
	echo "FAIL cli_onboarding: could not pin the Data migration's due date"

# --- the health as the demo has it, and stale by the setting ----------------------------
run as ana show nwh.example
expect show_says_the_health_its_reason_author_and_age \
	sh -c '[ "$1" -eq 0 ] && grep -q "· onboarding (on track) ·" "$2" &&
	       grep -qx "  Health: on track, set 6d ago by Olúwaseun Adé: SSO is live; the data migration is under way and the go-live date holds" "$2"' \
	_ "$rc" "$OUT"
expect show_lists_milestones_by_number_and_status \
	sh -c 'grep -q "^  #$2 *in progress *Data migration  overdue 4d" "$1" && grep -q "^  #[0-9]* *not started *Training" "$1"' \
	_ "$OUT" "$MS3"
run as "$admin" settings set onboarding_health_stale_days 5
run as ana show nwh.example
expect a_health_older_than_the_setting_is_stale \
	sh -c 'grep -q "· onboarding (on track, stale) ·" "$1" && grep -q "^  Health: on track (stale), set 6d ago" "$1"' _ "$OUT"
run as ana show --format json nwh.example
expect json_says_stale_with_the_reason \
	sh -c 'grep -qF "\"health_stale\":true" "$1" && grep -qF "\"health_by\":\"Olúwaseun Adé\"" "$1"' _ "$OUT"
run as "$admin" settings set onboarding_health_stale_days 14

# --- a milestone blocked, with its reason -----------------------------------------------
run as maja milestone set "#$MS3" --status blocked
expect blocked_without_a_reason_exits_2 \
	sh -c '[ "$1" -eq 2 ] && grep -qx "baton: a blocked milestone needs a reason: say what it waits for" "$2"' _ "$rc" "$ERR"
run as maja milestone set "#$MS3" --status blocked --reason "waiting for the customer's HL7 export"
expect maja_blocks_it \
	sh -c '[ "$1" -eq 0 ] && grep -qx "#$3 Data migration: blocked (version 2)" "$2"' _ "$rc" "$OUT" "$MS3"
run as ana show nwh.example
expect show_says_blocked_and_why \
	grep -q "^  #$MS3 *blocked *Data migration .*olu  because: waiting for the customer's HL7 export$" "$OUT"
expect recorded_as_maja \
	test "$(sql "SELECT actor || '|' || status || '|' || reason FROM milestone_event WHERE milestone_id = $MS3")" \
	= "maja|blocked|waiting for the customer's HL7 export"

# --- refused: another team, a stale version, bad input -------------------------------------
run as ana milestone set "$MS3" --status done
expect support_is_refused_by_the_server \
	sh -c '[ "$1" -eq 1 ] && [ ! -s "$2" ] &&
	       grep -qx "baton: only the Onboarding team or the milestone'\''s owner (olu) can change it; ana is in support" "$3"' \
	_ "$rc" "$OUT" "$ERR"
run as olu milestone set "$MS3" --status in-progress --version 1
expect a_stale_version_exits_1_with_who_and_the_version_now \
	sh -c '[ "$1" -eq 1 ] && grep -q "^baton: not changed: changed meanwhile by maja at .*; it is now blocked (version 2)$" "$2"' \
	_ "$rc" "$ERR"
run as olu milestone set "$MS3" --due 2026-02-30
expect a_date_that_is_none_exits_2 \
	sh -c '[ "$1" -eq 2 ] && grep -qx "baton: --due must be a date YYYY-MM-DD or none, not '\''2026-02-30'\''" "$2"' _ "$rc" "$ERR"
run as olu milestone set "$MS3" --status started
expect an_unknown_status_exits_2 sh -c '[ "$1" -eq 2 ] && grep -q "^baton: --status must be not-started" "$2"' _ "$rc" "$ERR"
run as olu milestone set 999999 --status done
expect an_unknown_milestone_exits_1 sh -c '[ "$1" -eq 1 ] && grep -qx "baton: no milestone #999999" "$2"' _ "$rc" "$ERR"
expect nothing_recorded_by_the_refusals test "$(events)" = 1

# --- the same change twice (a script that lost the answer) ---------------------------------
ID=$(sql "SELECT gen_random_uuid()")
run as olu milestone set "$MS3" --status in-progress --due none --id "$ID"
expect olu_unblocks_it sh -c '[ "$1" -eq 0 ] && grep -qx "#$3 Data migration: in progress (version 3)" "$2"' _ "$rc" "$OUT" "$MS3"
run as olu milestone set "$MS3" --status in-progress --due none --id "$ID"
expect sent_again_it_is_already_recorded \
	sh -c '[ "$1" -eq 0 ] && grep -qx "#$3 Data migration: in progress (version 3, already recorded)" "$2"' _ "$rc" "$OUT" "$MS3"
expect recorded_once test "$(events)|$(sql "SELECT coalesce(due_date::text, 'none') || '|' || coalesce(blocked_reason, 'none') FROM milestone WHERE id = $MS3")" = "2|none|none"
run as maja milestone set "$MS3" --status done --id "$ID"
expect anothers_id_is_refused sh -c '[ "$1" -eq 1 ] && grep -q "recorded by someone else" "$2"' _ "$rc" "$ERR"
# Every status as --help and baton(1) write it: not-started too (the stored
# label has a space, the typed word a hyphen).
run as olu milestone set "$MS3" --status not-started
expect the_documented_not_started_is_taken \
	sh -c '[ "$1" -eq 0 ] && grep -qx "#$3 Data migration: not started (version 4)" "$2"' _ "$rc" "$OUT" "$MS3"
# What is not given stays as it is: without --status too.
run as olu milestone set "$MS3" --due 2027-01-15
expect without_status_the_status_stays \
	sh -c '[ "$1" -eq 0 ] && grep -qx "#$3 Data migration: not started (version 5)" "$2"' _ "$rc" "$OUT" "$MS3"
expect the_due_date_changed test "$(sql "SELECT status || ' ' || due_date FROM milestone WHERE id = $MS3")" = "pending 2027-01-15"

# --- the health ------------------------------------------------------------------------
run as maja health set --customer nwh.example --health at-risk
expect health_needs_a_reason sh -c '[ "$1" -eq 2 ] && grep -qx "baton: health set needs --customer, --health and --reason" "$2"' _ "$rc" "$ERR"
run as ana health set --customer nwh.example --health off-track --reason "three migration tickets"
expect support_cannot_set_the_health \
	sh -c '[ "$1" -eq 1 ] && grep -q "^baton: only the Onboarding team or the owner of one of the customer.s milestones can set its onboarding health; ana is in support$" "$2"' \
	_ "$rc" "$ERR"
HID=$(sql "SELECT gen_random_uuid()")
run as maja health set --customer nwh.example --health at-risk --reason "three migration tickets open, migration overdue" --id "$HID"
expect maja_sets_it_at_risk sh -c '[ "$1" -eq 0 ] && grep -qx "customer #1 onboarding health: at risk" "$2"' _ "$rc" "$OUT"
run as maja health set --customer nwh.example --health at-risk --reason "three migration tickets open, migration overdue" --id "$HID"
expect the_health_sent_again_is_recorded_once \
	sh -c '[ "$1" -eq 0 ] && grep -qx "customer #1 onboarding health: at risk (already recorded)" "$2" &&
	       [ "$(psql -X -At -d "$3" -c "SELECT count(*) FROM onboarding_health_event WHERE id = '\''$4'\''")" = 1 ]' \
	_ "$rc" "$OUT" "$db" "$HID"
run as ana show nwh.example
expect show_has_the_new_health \
	sh -c 'grep -q "· onboarding (at risk) ·" "$1" &&
	       grep -qx "  Health: at risk, set 0m ago by Maja Kowalczyk: three migration tickets open, migration overdue" "$1"' _ "$OUT"
run as maja health set --customer nwh.example --health great --reason "x"
expect an_unknown_health_exits_2 sh -c '[ "$1" -eq 2 ] && grep -q "^baton: --health must be on-track, at-risk, off-track or done" "$2"' _ "$rc" "$ERR"
# --customer as 'baton show' takes it: an ambiguous one lists the candidates.
run as maja health set --customer north --health at-risk --reason "x"
expect an_ambiguous_customer_lists_the_candidates \
	sh -c '[ "$1" -eq 1 ] && grep -q "^baton: '"'"'north'"'"' matches 2 customers; name one by id" "$2" &&
	       grep -q "^1 .*Northwind Health" "$2" && grep -q "^4 .*North Star Logistics" "$2"' _ "$rc" "$ERR"

sql "REVOKE baton_admin FROM $admin" >/dev/null
