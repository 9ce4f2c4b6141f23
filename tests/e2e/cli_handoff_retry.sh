#!/bin/sh
# A script that runs `baton handoff new` or a step again after a timeout
# gets what the first run wrote, not a second handoff or a refusal of its
# own step: --id names the handoff (new) or the step (ack, resolve,
# cancel, reassign, comment).  Also when the retry arrives while the first
# run still waits for a lock (migration 086): both answer, one step.
. "$BATON_ROOT/tests/lib/e2e.sh"

db=$(newdb baton_demo) || { echo "FAIL cli_handoff_retry: cannot create a test database"; exit 1; }
cli_files cli_handoff_retry
trap 'kill $holder 2>/dev/null; rm -rf "$T"' EXIT

hid=7d1e2f30-4a5b-4c6d-8e9f-0a1b2c3d4e5f
new() { as ana handoff new --customer nwh.example --to-team success --reason escalation \
	--id "$1" --message "Retried by a script: call Dana."; }

run new $hid
expect new_with_id_prints_that_id sh -c '[ "$1" -eq 0 ] && [ "$(cat "$2")" = "$3" ]' - "$rc" "$OUT" "$hid"
run new $hid
expect the_same_id_again_prints_it_and_says_so \
	sh -c '[ "$1" -eq 0 ] && [ "$(cat "$2")" = "$4" ] &&
	       grep -qxF "baton: handoff $4 was already written (the same --id): not written again" "$3"' - "$rc" "$OUT" "$ERR" "$hid"
expect one_handoff_in_the_database \
	test "$(sql "SELECT count(*) || '|' || min(author) FROM handoff WHERE note = 'Retried by a script: call Dana.'")" = "1|ana"
run as ben handoff new --customer nwh.example --to-team support --reason escalation --id $hid --message "Not mine."
expect someone_elses_id_is_refused \
	sh -c '[ "$1" -ne 0 ] && grep -q "already exists and was written by someone else" "$2"' - "$rc" "$ERR"
run as ana handoff new --customer nwh.example --to-team success --reason escalation --id 42 --message x
expect an_id_that_is_not_a_uuid_is_a_usage_error \
	sh -c '[ "$1" -eq 2 ] && grep -q "must be a UUID" "$2"' - "$rc" "$ERR"

# A step, twice with one id: recorded once, and the retry succeeds too.
eid=8e2f3a41-5b6c-4d7e-9fa0-1b2c3d4e5f60
run as ben handoff ack $hid --id $eid
expect ack_with_id sh -c '[ "$1" -eq 0 ] && grep -q ": acknowledged (version 2)" "$2"' - "$rc" "$OUT"
run as ben handoff ack $hid --id $eid
expect the_same_ack_again_exits_0_and_says_so \
	sh -c '[ "$1" -eq 0 ] && grep -q ": acknowledged (version 2)" "$2" &&
	       grep -qxF "baton: that step was already recorded (the same --id): not recorded again" "$3"' - "$rc" "$OUT" "$ERR"
expect one_acknowledgement \
	test "$(sql "SELECT count(*) FROM handoff_event WHERE handoff_id = '$hid' AND kind = 'acknowledged'")" = 1
run as ben handoff ack $hid
expect without_id_a_second_ack_is_still_refused \
	sh -c '[ "$1" -eq 1 ] && grep -q "already acknowledged by ben" "$2"' - "$rc" "$ERR"

# The retry while the first run still waits: a transaction holds the
# handoff's row; both runs of one resolve (one --id) wait behind it, seen
# waiting by the server; then it ends.
rid=9f3a4b52-6c7d-4e8f-a0b1-2c3d4e5f6071
psql -X -q -d "$db" -c "BEGIN; SELECT 1 FROM handoff WHERE id = '$hid' FOR UPDATE; SELECT pg_sleep(600); COMMIT" \
	>/dev/null 2>&1 &
holder=$!
wait_true 10 "test \"\$(sql \"SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(600)%' AND state = 'active' AND pid <> pg_backend_pid()\")\" = 1"
as ben handoff resolve $hid --id $rid --comment "Called Dana." >"$T/out1" 2>"$T/err1" &
r1=$!
as ben handoff resolve $hid --id $rid --comment "Called Dana." >"$T/out2" 2>"$T/err2" &
r2=$!
expect both_runs_wait_for_the_lock \
	wait_true 20 "test \"\$(sql \"SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%baton_handoff_step%'\")\" = 2"
sql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(600)%' AND pid <> pg_backend_pid()" >/dev/null
wait $r1
s1=$?
wait $r2
s2=$?
expect both_runs_exit_0 sh -c '[ "$1" -eq 0 ] && [ "$2" -eq 0 ]' - "$s1" "$s2"
expect one_said_already_recorded \
	test "$(cat "$T/err1" "$T/err2" | grep -cxF "baton: that step was already recorded (the same --id): not recorded again")" = 1
expect one_resolution \
	test "$(sql "SELECT count(*) FROM handoff_event WHERE handoff_id = '$hid' AND kind = 'resolved'")" = 1
