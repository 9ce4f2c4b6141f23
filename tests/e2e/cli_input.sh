#!/bin/sh
# Command-line input that cannot attack: an argument that is not UTF-8 is a
# usage error (exit 2) for every command, said without echoing it; numbers
# out of range (--ticket, --version, --limit) exit 2 naming the option; a note of
# only spaces and invisible characters is empty; an over-long note reports
# its real size.  None of them writes anything.
. "$BATON_ROOT/tests/lib/e2e.sh"

cli_files cli_input
db=$(newdb baton_demo) || { echo "FAIL cli_input: cannot create a test database"; exit 1; }
handoffs() { sql "SELECT count(*) FROM handoff"; }
before=$(handoffs)
# new ARGS...: a handoff for Northwind Health to Success, as ana
new() { as ana handoff new --customer nwh.example --to-team success --reason escalation "$@"; }
# said PATTERN: exit 2, nothing on stdout, stderr has PATTERN (fixed string)
said() { [ "$rc" -eq 2 ] && [ ! -s "$OUT" ] && grep -qF -- "$1" "$ERR"; }
latin1=$(printf 'caf\351')
raw_byte_echoed() { LC_ALL=C grep -q "$(printf '\351')" "$ERR"; }

# --- arguments that are not UTF-8 ---------------------------------------------------
# baton -d CONNINFO show ARG: ARG is argument 4
run as ana show "$latin1"
expect show_latin1_is_a_usage_error said "argument 4 is not valid UTF-8"
expect the_bad_argument_is_not_echoed eval '! raw_byte_echoed'
run as ana find "$latin1"
expect find_latin1_is_a_usage_error said "argument 4 is not valid UTF-8"
run new --message "$latin1"
expect message_latin1_names_the_option said "(after --message) is not valid UTF-8"
run as ben handoff ack "$latin1"
expect ack_latin1_is_a_usage_error said "is not valid UTF-8"
# before anything else: a broken -d is not even parsed, nor echoed (it may
# hold a password)
run "$BATON_BIN" -d "dbname=x password=$latin1" doctor
expect conninfo_latin1_is_a_usage_error said "argument 2 (after -d) is not valid UTF-8"
expect the_conninfo_is_not_echoed eval '! grep -q password "$ERR" && ! raw_byte_echoed'
run "$BATON_BIN" "$(printf '\355\240\200')" # a UTF-16 surrogate in UTF-8 form
expect a_surrogate_is_not_utf8 said "argument 1 is not valid UTF-8"

# --- numbers ------------------------------------------------------------------------
run new --ticket 99999999999999999999 --message "call Dana"
expect ticket_past_bigint_is_refused said "--ticket 99999999999999999999 is out of range"
run new --ticket 0 --message "call Dana"
expect ticket_0_is_refused said "--ticket 0 is out of range"
run new --ticket '#-5' --message "call Dana"
expect negative_ticket_is_not_a_number said "--ticket must be a ticket number, not '-5'"
run new --ticket '4812 ' --message "call Dana"
expect ticket_with_a_space_is_not_a_number said "--ticket must be a ticket number, not '4812 '"
run as ben handoff ack 6293c178 --version 2147483648
expect version_past_int_is_refused said "--version 2147483648 is out of range"
run as ben handoff ack 6293c178 --version 1e3
expect version_1e3_is_not_a_number said "--version must be a version number, not '1e3'"
run as ana audit --limit 100001
expect limit_past_its_range_is_refused said "--limit 100001 is out of range: from 1 to 100000"
run as ana audit --limit ' 5'
expect limit_with_a_space_is_not_a_number said "--limit must be a number of rows, not ' 5'"
expect the_handoff_was_not_acknowledged \
	test "$(sql "SELECT state FROM handoff WHERE id = '6293c178-ae4a-339c-418f-a402dd44efe3'")" = open

# --- notes --------------------------------------------------------------------------
# spaces, a tab, a newline, NBSP, zero-width space/joiners, word joiner, BOM
invisible=$(printf ' \t\302\240\342\200\213\342\200\214\342\200\215\342\201\240\357\273\277\n ')
run new --message "$invisible"
expect invisible_message_is_empty sh -c '[ "$1" -eq 1 ] && grep -qF "the note is empty" "$2"' _ "$rc" "$ERR"
printf '%s' "$invisible" >"$T/invisible"
run new <"$T/invisible"
expect invisible_stdin_is_empty sh -c '[ "$1" -eq 1 ] && grep -qF "the note is empty" "$2"' _ "$rc" "$ERR"
head -c 70123 /dev/zero | tr '\0' x >"$T/long"
run new <"$T/long"
expect long_stdin_note_reports_its_real_size \
	sh -c '[ "$1" -eq 1 ] && grep -qF "the note is 70123 bytes; the largest is 16384" "$2"' _ "$rc" "$ERR"
run new --message "$(head -c 16385 "$T/long")"
expect long_message_reports_its_real_size \
	sh -c '[ "$1" -eq 1 ] && grep -qF "the note is 16385 bytes; the largest is 16384" "$2"' _ "$rc" "$ERR"
expect nothing_was_written test "$(handoffs)" = "$before"

# The checks refuse only what they should: the largest note, a '#' ticket.
run new --ticket '#4812' --message "$(head -c 16384 "$T/long")"
expect the_largest_note_and_a_ticket_are_accepted sh -c '[ "$1" -eq 0 ]' _ "$rc"
expect one_handoff_more test "$(handoffs)" = "$((before + 1))"
