#!/bin/sh
# The signals screen, from every screen (F2 where letters are text, S
# elsewhere): each of the demo's stories listed with its explanation and
# found by a kind filter (the refund and the upsell, on track but burning,
# the dropped baton, São Paulo's repeated login loop, the falling NPS); a
# bad filter word refused with the valid ones; Enter opens the customer on
# the signal and its records; acknowledging one (a, with a comment) takes
# it off every open console's list; at the smallest size it keeps working.
. "$BATON_ROOT/tests/lib/e2e.sh"

db=$(newdb baton_demo) || { echo "FAIL signals_screen: cannot create a test database"; exit 1; }
trap 'E2E_SESSION=sig_ana; stop; E2E_SESSION=sig_lee; stop' EXIT

selected() { screen | grep -F "›"; }
# rows: the list's rows (severity first), not the header or the detail
rows() { screen | sed -n "4,\$p" | grep -E "^(› |  )(HIGH|MED|LOW) "; }

# filter TEXT: the f prompt, answered
filter() {
	keys f
	wait_for "Filter (kind=" 5
	keys C-u
	type_text "$1"
	keys Enter
}

# only KIND_TITLE: the list has rows, every one of this kind (the title's
# start: at 100 columns the column cuts it)
only() {
	_r=$(rows)
	[ -n "$_r" ] && ! printf '%s\n' "$_r" | grep -vqF -- "$1"
}

# find_row TEXT: / search, the selected row then shows TEXT
find_row() {
	_find=$1
	keys /
	type_text "$_find"
	keys Enter
	wait_true 5 'selected | grep -qF -- "$_find"'
}

start sig_lee 100 30 "$BATON_BIN" -d "'dbname=$db user=lee'"
wait_state live 15
keys F2
check "F2 from the Find field opens the signals screen, most severe first" \
	eval 'wait_row 1 "Crossed signals" 10 && wait_row 4 "HIGH" 10 && row 2 | grep -qF "filter: any"'
# counts: "N signals · M customers" as lee's own session counts them
counts() {
	psql -X -At -d "dbname=$db user=lee" -c "SELECT count(*) || ' signals · ' || count(DISTINCT customer_id)
	  || ' customers' FROM baton_signal_list(NULL, NULL, NULL, NULL, NULL::bigint, false)"
}
want=$(counts)
echo "signals_screen: the server counts $want"
# The counts are a request of their own after the rows ("counting…" until then).
check "the header counts the signals and, each once, the customers they are about" \
	wait_row 2 "$want" 10

filter "kind=campaign"
check "kind=campaign: only campaigns during a complaint, the filter said" \
	eval 'wait_row 2 "filter: kind=campaign-during-complaint" 5 && wait_true 5 "only \"campaign during\""'
check "Café Lumière: the upsell scheduled while its refund complaint #4805 is open" \
	eval 'find_row "Café Lumière" && selected | grep -qF "upsell \"Upgrade to Pro\" scheduled" && screen | grep -qF "#4805"'

filter "kind=on-track"
check "kind=on-track: Northwind Health, on track while a milestone is overdue" \
	eval 'wait_true 5 "only \"on track but\"" && find_row "Northwind Health" && selected | grep -qF "onboarding \"on track\" while"'

filter "kind=dropped"
check "kind=dropped: Northwind's handoff to ben, not acknowledged past its SLA" \
	eval 'wait_true 5 "only \"dropped baton\"" && find_row "Northwind Health" && selected | grep -qF "support → success (ben)" && screen | grep -qF "not acknowledged"'

filter "kind=voice"
check "kind=voice: Nordic Pharma's NPS fell from 8 to 4" \
	eval 'wait_true 5 "only \"voice falling\"" && find_row "Nordic Pharma" && selected | grep -qF "NPS fell from 8 to 4"'

filter "kind=late"
check "a bad word: one message with the valid kinds, the filter kept" \
	eval 'wait_for "unknown kind \"late\": use campaign-during-complaint" 5 && row 2 | grep -qF "filter: kind=voice-falling"'

filter "kind=repeat"
check "kind=repeat: São Paulo Saúde's login loop, again after it was solved" \
	eval 'wait_true 5 "only \"repeating them\"" && find_row "São Paulo Saúde" && selected | grep -qF "\"Login loop after SSO change — again\"" && screen | grep -qF "after the same problem #4744"'

keys Enter
check "Enter opens São Paulo Saúde on its signal" \
	eval 'wait_row 1 "São Paulo Saúde" 10 && wait_row 4 "›⚑ repeating themselves" 10'
keys Enter
check "and Enter again its records" wait_for "Records:   ticket:4744 ticket:4817" 5
keys q q
wait_row 1 "Crossed signals" 5

# ana watches the same list in a console of her own.
start sig_ana 100 30 "$BATON_BIN" -d "'dbname=$db user=ana'"
wait_state live 15
type_text "saopaulo"
wait_for "saopaulo-saude.example" 10
keys Enter
wait_row 1 "São Paulo Saúde" 10
keys S
check "S from the customer screen opens the signals screen" wait_row 1 "Crossed signals" 10
filter "kind=repeat"
check "ana's list has São Paulo Saúde's repeat" eval 'wait_row 2 "kind=repeating-themselves" 5 && wait_for "São Paulo Saúde" 5'

E2E_SESSION=sig_lee
keys a
check "a asks what was done about the selected signal" wait_for "Handled how? repeating themselves, São Paulo" 5
type_text "Called them back; the SSO fix is deployed"
keys Enter
check "acknowledged: it leaves lee's list" \
	eval 'wait_for "acknowledged: repeating themselves, São Paulo Saúde" 5 && wait_true 10 "! rows | grep -qF \"São Paulo\""'
E2E_SESSION=sig_ana
check "and ana's, without a key pressed" wait_true 10 '! rows | grep -qF "São Paulo"'
check "recorded once, by lee, with the comment" \
	test "$(sql "SELECT count(*) || ' ' || actor || ' ' || kind || ': ' || comment FROM signal_ack GROUP BY actor, kind, comment")" \
	= "1 lee repeating-themselves: Called them back; the SSO fix is deployed"

E2E_SESSION=sig_lee
filter ""
wait_row 2 "filter: any" 5
tm resize-window -t sig_lee -x 60 -y 16
check "at 60x16 the list keeps working: header, rows, the selected one in full below" \
	eval 'wait_row 1 "Crossed signals" 5 && wait_true 5 "rows | grep -q HIGH" && row 15 | grep -q "[a-z]"'
keys j
check "and moves" wait_true 5 'screen | sed -n 5p | grep -qE "^›"'
tm resize-window -t sig_lee -x 60 -y 15
check "at 60x15 the console says the terminal is too small" wait_for "Terminal too small (60x15)" 5
tm resize-window -t sig_lee -x 100 -y 30
check "grown again, the list is back with the same row selected" \
	eval 'wait_row 1 "Crossed signals" 5 && wait_true 5 "screen | sed -n 5p | grep -qE \"^›\""'

# A change of a signal rule while another transaction holds a customer (as
# a slow reader computing it would): the screen is told, re-reads, and says
# it is recomputing until every customer is computed again.
held=$(sql "SELECT id FROM customer WHERE name = 'Café Lumière'")
mkfifo "$BATON_TEST_TMP/holder.${E2E_ID}"
psql -X -q -d "$db" <"$BATON_TEST_TMP/holder.${E2E_ID}" >/dev/null 2>&1 &
holder=$!
exec 3>"$BATON_TEST_TMP/holder.${E2E_ID}"
echo "BEGIN; SELECT 1 FROM customer_signal_state WHERE customer_id = $held FOR UPDATE;" >&3
wait_true 10 "[ \"\$(sql 'SELECT count(*) FROM customer_signal_state WHERE customer_id = $held FOR UPDATE SKIP LOCKED')\" = 0 ]"
sql "SELECT baton_setting_set('signal_voice_days', '60')" >/dev/null
check "a rule changed: the header says the list is being computed again" \
	wait_true 10 'row 2 | grep -qE "recomputing… [0-9]+ customers? left"'
echo "COMMIT;" >&3
exec 3>&-
wait "$holder"
sql "SELECT baton_signal_catch_up(100000)" >/dev/null
check "and no more once everyone is, without a key pressed" \
	wait_true 10 'row 2 | grep -qF "customers" && ! row 2 | grep -qF "recomputing"'

keys C-c
check "Ctrl-C quits with exit status 0" exit_status_is 0 10
check "no sanitizer report" no_sanitizer_report
E2E_SESSION=sig_ana
keys C-c
check "ana's console quits with exit status 0" exit_status_is 0 10
check "no sanitizer report (ana)" no_sanitizer_report
