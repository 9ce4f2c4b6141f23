#!/bin/sh
# One import at a time (migration 042): while another import holds the
# database, `baton import` and `baton split` say that they wait, wait, and
# go on when it ends; two runs of the same file started together import it
# once (before 042 they both found every line new: each record twice).
# The import that holds the database is a psql session in the middle of
# one (baton_import_begin called, not committed), fed through a FIFO so
# that the test decides when it ends.
. "$BATON_ROOT/tests/lib/e2e.sh"
. "$BATON_ROOT/tests/lib/import.sh"

cli_files import_overlap
db=$(newdb baton_schema) || { echo "FAIL import_overlap: cannot create a test database"; exit 1; }
importer_role "$db"
CFG="$BATON_ROOT/etc/baton-import.cfg"

companies() { # FROM TO [DOMAIN OF THE LAST]: a HubSpot companies export
	printf 'Record ID,Company name,Company Domain Name,Lifecycle Stage,Last Modified Date\n'
	awk -v a="$1" -v b="$2" -v d="${3:-}" 'BEGIN { for (i = a; i <= b; i++)
		printf "%d,Company %d,%s,Customer,2026-03-01 10:00\n", i, i, (i == b && d != "" ? d : "c" i ".example") }'
}
holder=
hold() { # [STATEMENT [ROLE]]: an import by "importer" (or STATEMENT, by ROLE)
	# that has begun and does not end until release
	# The last holder's "holding" must not answer for this one: the shell
	# truncates hold.out only once psql's side of the FIFO is open.
	rm -f "$T/hold" "$T/hold.out"
	mkfifo "$T/hold"
	psql -X -q -At -d "dbname=$db user=${2:-importer}" <"$T/hold" >"$T/hold.out" 2>&1 &
	holder=$!
	exec 4>"$T/hold"
	echo "BEGIN; ${1:-SELECT baton_import_begin(gen_random_uuid(), 'held', 'customers', 'held.csv', 5)};" \
		"SELECT 'holding';" >&4
	wait_true 30 'grep -q holding "$T/hold.out"'
}
release() {
	echo "ROLLBACK;" >&4
	exec 4>&-
	wait "$holder"
}
waiting() { # N: N sessions of importer wait for the import lock, the row
	# of baton_import_gate: the first for the transaction holding it, the
	# others for their turn at the row
	[ "$(psql -X -At -d "$db" -c "SELECT count(*) FROM pg_stat_activity
		WHERE usename = 'importer' AND wait_event_type = 'Lock' AND wait_event IN ('transactionid', 'tuple')")" = "$1" ]
}

companies 1 30 c1.example >"$T/first.csv"
hold
check holder_holds grep -qx holding "$T/hold.out"
"$BATON_BIN" -c "$CFG" -d "dbname=$db user=importer" import --source hubspot-companies "$T/first.csv" \
	>"$OUT" 2>"$ERR" &
pid=$!
check import_waits_for_the_other wait_true 30 'waiting 1'
check import_says_it_waits wait_true 5 \
	'grep -Eq "^baton: another import is running \(role importer, since 20[0-9-]+ [0-9:]+\): waiting for it to finish$" "$ERR"'
check nothing_imported_while_waiting [ "$(sql "SELECT count(*) FROM customer")" = 0 ]
release
wait "$pid"
rc=$?
expect import_goes_on_when_the_other_ends \
	sh -c '[ "$1" -eq 0 ] && grep -q "30 read, 30 inserted, 0 updated, 0 unchanged, 0 rejected, 1 customer merged" "$2"' \
	_ "$rc" "$OUT"

# A waiting run whose client dies (killed, its SSH session gone) does not
# wait on in the server: its session ends while the other still imports.
hold
"$BATON_BIN" -c "$CFG" -d "dbname=$db user=importer application_name=doomed" import \
	--source hubspot-companies "$T/first.csv" >/dev/null 2>&1 &
pid=$!
check doomed_run_waits wait_true 30 'waiting 1'
kill -9 "$pid"
wait "$pid" 2>/dev/null
check dead_clients_session_ends wait_true 20 \
	'[ "$(sql "SELECT count(*) FROM pg_stat_activity WHERE application_name = '\''doomed'\''")" = 0 ]'
check while_the_other_still_holds grep -qx holding "$T/hold.out"
release

# waited WAITS SAYS PATTERN CMD...: CMD, started while hold holds, waits for
# it and says PATTERN (a line of its standard error); rc is its status once
# released
waited() {
	_waits=$1 _says=$2 _said=$3
	shift 3
	"$@" >"$OUT" 2>"$ERR" &
	pid=$!
	check "$_waits" wait_true 30 'waiting 1'
	check "$_says" wait_true 5 'grep -q "$_said" "$ERR"'
	release
	wait "$pid"
	rc=$?
}
split_merge() { "$BATON_BIN" -d "dbname=$db user=importer" split "$@"; }
third() { "$BATON_BIN" -c "$CFG" -d "dbname=$db user=importer" import --source hubspot-companies "$T/third.csv"; }

merge=$(sql "SELECT id FROM customer_merge")
hold
waited split_waits_for_the_import split_says_an_import_holds_it \
	'^baton: an import is running (role importer, since 20[0-9-]* [0-9:]*): waiting for it to finish$' split_merge "$merge"
expect split_goes_on_when_the_import_ends sh -c '[ "$1" -eq 0 ] && grep -q "^split: " "$2"' _ "$rc" "$OUT"

# What holds the lock is said as what it is (144): a split (of the merge
# the next import makes, rolled back), to an import and to another split;
# a raise of import_max_merge.
companies 9001 9002 c9001.example >"$T/third.csv"
third >/dev/null 2>&1
merge2=$(sql "SELECT m.id FROM customer_merge m WHERE NOT EXISTS (SELECT 1 FROM customer_split s WHERE s.merge_id = m.id)")
check a_second_merge_to_split [ -n "$merge2" ]
hold "SELECT count(*) FROM baton_split('$merge2')"
waited import_waits_for_the_split import_says_a_split_holds_it \
	'^baton: a split is running (role importer, since 20[0-9-]* [0-9:]*): waiting for it to finish$' third
expect import_goes_on_when_the_split_ends \
	sh -c '[ "$1" -eq 0 ] && grep -q "2 read, 0 inserted, 0 updated, 2 unchanged" "$2"' _ "$rc" "$OUT"
hold "SELECT count(*) FROM baton_split('$merge2')"
waited split_waits_for_the_split split_says_another_split_holds_it \
	'^baton: another split is running (role importer, since .*): waiting for it to finish$' split_merge "$merge2"
expect split_goes_on_when_the_other_is_rolled_back sh -c '[ "$1" -eq 0 ] && grep -q "^split: " "$2"' _ "$rc" "$OUT"
hold "UPDATE baton_setting SET value = (value::integer + 1)::text WHERE key = 'import_max_merge'" postgres
waited import_waits_for_the_raise import_says_a_raise_holds_it \
	'^baton: import_max_merge is being raised (role postgres, since .*): waiting for it to finish$' third
expect import_goes_on_when_the_raise_ends sh -c '[ "$1" -eq 0 ]' _ "$rc"

# A raise behind another change of the setting says so, who and since
# when (146): it waits on the setting's row, before 144's lock says
# anything.  The other change: a raise in an open transaction (rolled
# back, it leaves the value as it was, and this raise changes it), then a
# raise by baton settings, itself waiting for an import (its row's xmax is
# a MultiXact: locked, then updated in a block of its own).
printf 'database: { statement_timeout_ms = 0; };\n' >"$T/no_timeout.cfg"
app_waits() { # NAME: the session of application NAME waits for a lock
	[ "$(sql "SELECT count(*) FROM pg_stat_activity WHERE application_name = '$1' AND wait_event_type = 'Lock'")" = 1 ]
}
raise_to() { # NAME VALUE: a raise of import_max_merge, as application NAME
	"$BATON_BIN" -c "$T/no_timeout.cfg" -d "dbname=$db application_name=$1" settings set import_max_merge "$2"
}
changing='baton: import_max_merge is being changed by another session \(role postgres, since 20[0-9-]+ [0-9:]+\): waiting for it to finish'
second_raise() { # VALUE WAITS SAYS: a raise to VALUE (pid) that waits for the
	# other change, and says what holds it
	raise_to second_raise "$1" >"$OUT" 2>"$ERR" &
	pid=$!
	check "$2" wait_true 30 'app_waits second_raise'
	check "$3" wait_true 5 'grep -Eqx "$changing" "$ERR"'
}
limit=$(sql "SELECT value FROM baton_setting WHERE key = 'import_max_merge'")
hold "UPDATE baton_setting SET value = '$((limit + 1))' WHERE key = 'import_max_merge'" postgres
second_raise $((limit + 2)) raise_waits_for_the_other_change raise_says_another_change_holds_it
release
wait "$pid"
rc=$?
expect raise_goes_on_when_the_other_is_rolled_back \
	sh -c '[ "$1" -eq 0 ] && grep -qx "import_max_merge is now $3" "$2"' _ "$rc" "$OUT" $((limit + 2))
hold
raise_to first_raise $((limit + 3)) >"$T/first_raise.out" 2>&1 &
first=$!
check first_raise_waits_for_the_import wait_true 30 'app_waits first_raise'
second_raise $((limit + 4)) second_raise_waits_for_the_first second_raise_names_the_first
release
wait "$first"
rc1=$?
wait "$pid"
rc=$?
expect both_raises_go_on_in_turn sh -c '[ "$1" -eq 0 ] && [ "$2" -eq 0 ] && grep -qx "import_max_merge is now $4" "$3"' \
	_ "$rc1" "$rc" "$OUT" $((limit + 4))
# A raise runs under the statement timeout: one that waits for an import
# longer gives up, says so in plain words, and changes nothing.
printf 'database: { statement_timeout_ms = 1000; };\n' >"$T/short_timeout.cfg"
hold
run "$BATON_BIN" -c "$T/short_timeout.cfg" -d "dbname=$db" settings set import_max_merge $((limit + 5))
release
expect raise_past_the_statement_timeout_says_so sh -c '[ "$1" -eq 1 ] &&
	grep -qx "baton: took longer than the statement timeout (database.statement_timeout_ms)" "$2"' _ "$rc" "$ERR"
check raise_past_the_statement_timeout_changes_nothing \
	[ "$(sql "SELECT value FROM baton_setting WHERE key = 'import_max_merge'")" = $((limit + 4)) ]
# The one named holds this setting, not an older change of another (each
# by baton_setting_set, whose rows' xmax are MultiXacts): ov_bob changes
# max_note_bytes first, then ov_alice import_max_join.
psql -X -q -d "$db" -c "DO \$\$ BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ov_alice') THEN CREATE ROLE ov_alice LOGIN; END IF;
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ov_bob') THEN CREATE ROLE ov_bob LOGIN; END IF;
	END \$\$; GRANT baton_admin TO ov_alice, ov_bob" >/dev/null
join=$(sql "SELECT value FROM baton_setting WHERE key = 'import_max_join'")
psql -X -q -d "dbname=$db user=ov_bob application_name=ov_bob" -c "BEGIN" \
	-c "SELECT baton_setting_set('max_note_bytes', '8192')" -c "SELECT pg_sleep(300)" >/dev/null 2>&1 &
bob=$!
check an_older_change_of_another_setting wait_true 30 '[ "$(sql "SELECT count(*) FROM pg_stat_activity
	WHERE application_name = '\''ov_bob'\'' AND wait_event = '\''PgSleep'\''")" = 1 ]'
hold "SELECT baton_setting_set('import_max_join', '$((join + 1))')" ov_alice
"$BATON_BIN" -c "$T/no_timeout.cfg" -d "dbname=$db application_name=third_change" \
	settings set import_max_join $((join + 2)) >"$OUT" 2>"$ERR" &
pid=$!
check change_waits_for_the_holder_of_its_setting wait_true 30 'app_waits third_change'
check change_names_the_holder_of_its_setting wait_true 5 'grep -Eqx "baton: import_max_join is being changed by another session \(role ov_alice, since .*\): waiting for it to finish" "$ERR"'
release
wait "$pid"
rc=$?
sql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'ov_bob'" >/dev/null
wait "$bob"
expect change_goes_on_when_its_holder_ends \
	sh -c '[ "$1" -eq 0 ] && grep -qx "import_max_join is now $3" "$2"' _ "$rc" "$OUT" $((join + 2))

# A role holding the mark's lock itself (any role may) is never named as
# the change: with ov_alice's change unmarked, and two sessions holding
# rows of baton_setting, the message names no one.
hold "SELECT pg_advisory_xact_lock(9146, hashtext('import_max_join') & 2147483647);
	UPDATE baton_setting SET value = '4096' WHERE key = 'max_note_bytes'" postgres
psql -X -q -d "dbname=$db user=ov_alice application_name=ov_alice" -c "BEGIN" \
	-c "SELECT baton_setting_set('import_max_join', '$((join + 1))')" -c "SELECT pg_sleep(300)" >/dev/null 2>&1 &
alice=$!
check change_behind_a_held_mark wait_true 30 '[ "$(sql "SELECT count(*) FROM pg_stat_activity
	WHERE application_name = '\''ov_alice'\'' AND wait_event = '\''PgSleep'\''")" = 1 ]'
"$BATON_BIN" -c "$T/no_timeout.cfg" -d "dbname=$db application_name=third_change" \
	settings set import_max_join $((join + 2)) >"$OUT" 2>"$ERR" &
pid=$!
check change_waits_behind_the_unmarked_change wait_true 30 'app_waits third_change'
check a_mark_held_by_another_names_no_one wait_true 5 \
	'grep -qx "baton: import_max_join is being changed by another session: waiting for it to finish" "$ERR"'
sql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'ov_alice'" >/dev/null
wait "$alice"
release
wait "$pid"
rc=$?
expect change_goes_on_after_both sh -c '[ "$1" -eq 0 ]' _ "$rc"

# A change killed while it waits changes nothing: its session ends while
# the other still holds the setting (any command's session checks for its
# client, not only an import's).
# doomed NAME CMD...: CMD (its session's application NAME), started while
# hold holds, waits; killed, its session ends while the holder still holds
doomed() {
	_app=$1
	shift
	"$@" >/dev/null 2>&1 &
	pid=$!
	check "${_app}_waits" wait_true 30 "app_waits $_app"
	kill -TERM "$pid"
	wait "$pid" 2>/dev/null
	check "${_app}s_session_ends" wait_true 20 \
		"[ \"\$(sql \"SELECT count(*) FROM pg_stat_activity WHERE application_name = '$_app'\")\" = 0 ]"
	check "while_${_app}s_holder_still_holds" grep -qx holding "$T/hold.out"
}
hold "UPDATE baton_setting SET value = '$((join + 3))' WHERE key = 'import_max_join'" postgres
doomed doomed_change "$BATON_BIN" -c "$T/no_timeout.cfg" -d "dbname=$db application_name=doomed_change" \
	settings set import_max_join $((join + 4))
release
check doomed_change_changed_nothing \
	[ "$(sql "SELECT value FROM baton_setting WHERE key = 'import_max_join'")" = $((join + 2)) ]
check a_change_that_waits_for_nothing_says_nothing \
	sh -c '"$1" -d "dbname=$2" settings set import_max_merge "$3" 2>&1 >/dev/null | grep -c . | grep -qx 0' \
	_ "$BATON_BIN" "$db" "$limit"

# A waiting split whose client is gone (killed) does not wait on in the
# server, to split once the import ends: its session ends while the
# import still holds.
companies 9101 9102 c9101.example >"$T/fourth.csv"
"$BATON_BIN" -c "$CFG" -d "dbname=$db user=importer" import --source hubspot-companies "$T/fourth.csv" >/dev/null 2>&1
merge3=$(sql "SELECT m.id FROM customer_merge m WHERE NOT EXISTS (SELECT 1 FROM customer_split s WHERE s.merge_id = m.id)")
check a_third_merge_to_split [ -n "$merge3" ]
hold
doomed doomed_split "$BATON_BIN" -d "dbname=$db user=importer application_name=doomed_split" split "$merge3"
release
check doomed_split_split_nothing [ "$(sql "SELECT count(*) FROM customer_split WHERE merge_id = '$merge3'")" = 0 ]

# Two runs of the same new file, started while another import holds the
# database: when it ends, one imports the file and the other finds it
# unchanged.
companies 101 400 >"$T/second.csv"
hold
for i in 1 2; do
	"$BATON_BIN" -c "$CFG" -d "dbname=$db user=importer" import --source hubspot-companies "$T/second.csv" \
		>"$T/out$i" 2>"$T/err$i" &
	eval "pid$i=\$!"
done
check both_runs_wait wait_true 30 'waiting 2'
release
wait "$pid1"
rc1=$?
wait "$pid2"
rc2=$?
check both_runs_succeed [ "$rc1" -eq 0 ] && [ "$rc2" -eq 0 ]
check one_run_inserts_the_other_finds_it_unchanged sh -c \
	'cat "$1" "$2" | grep -c "300 read, 300 inserted" | grep -qx 1 && cat "$1" "$2" | grep -c "300 read, 0 inserted, 0 updated, 300 unchanged" | grep -qx 1' \
	_ "$T/out1" "$T/out2"
check each_record_once [ "$(sql "SELECT count(*) FROM customer WHERE name ~ '^Company [0-9]{3}$'")" = 300 ]
