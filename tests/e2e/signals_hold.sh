#!/bin/sh
# Support holds the upsell to a customer it just refunded, from the command
# line, once an administrator allows it (campaign_hold_teams): an open
# console on Café Lumière shows the send held in its Marketing panel and
# its flags change at once (notification), and the suppression list a
# marketing tool reads has it held.
. "$BATON_ROOT/tests/lib/e2e.sh"

cli_files signals_hold
db=$(newdb baton_demo) || { echo "FAIL signals_hold: cannot create a test database"; exit 1; }
trap stop EXIT
admin="t_admin_${E2E_ID}"
sql "CREATE ROLE $admin LOGIN; GRANT baton_admin TO $admin" >/dev/null
UPSELL=$(sql "SELECT id FROM marketing_event WHERE customer_id = 2 AND campaign = 'Upgrade to Pro'")

start signals_hold 80 24 "$BATON_BIN" -d "'dbname=$db user=mia'"
wait_state live 15
type_text "lumiere"
wait_for "Café Lumière" 10
keys Enter
check "Café Lumière's flags: campaign during complaint, outreach during escalation" \
	eval 'wait_row 4 "campaign during complaint" 10 && row 4 | grep -qF "outreach during escalation"'
check "the Marketing panel names the kind: scheduled upsell \"Upgrade to Pro\"" \
	eval 'screen | grep -qF "▷ scheduled upsell \"Upgrade to Pro\""'

# Support may not, until an administrator says so.
run as ana campaign hold "$UPSELL" --comment "Refunded a duplicate charge; no upsell now"
expect support_refused_by_the_server_by_default \
	sh -c '[ "$1" -eq 1 ] && [ ! -s "$2" ] &&
	       grep -q "^baton: only marketing may hold or release a campaign send, not ana (team support)" "$3"' \
	_ "$rc" "$OUT" "$ERR"
check "refused: the console still shows it scheduled" on_screen '▷ scheduled upsell "Upgrade to Pro"'

run as "$admin" settings set campaign_hold_teams marketing,support
expect admin_allows_support sh -c '[ "$1" -eq 0 ]' _ "$rc"
run as ana campaign hold "#$UPSELL" --comment "Refunded a duplicate charge; no upsell now"
expect support_holds_the_upsell \
	sh -c '[ "$1" -eq 0 ] && grep -qx "campaign $2: held" "$3"' _ "$rc" "$UPSELL" "$OUT"
check "the open console shows it held, without a key pressed" \
	wait_true 10 'screen | grep -qF "▷ held upsell \"Upgrade to Pro\""'
check "and its flags changed: no crossed signal left" wait_row 4 "no crossed signals" 10

run as mia signals suppression --customer 2
expect suppression_list_has_it_held \
	sh -c '[ "$1" -eq 0 ] && grep -q "campaign $2  upsell \"Upgrade to Pro\" to Café Lumière #2  HELD by ana at .*: Refunded a duplicate charge; no upsell now$" "$3"' \
	_ "$rc" "$UPSELL" "$OUT"
run as mia campaign release "$UPSELL" --comment "Refund settled; go ahead"
expect marketing_releases_it sh -c '[ "$1" -eq 0 ] && grep -qx "campaign $2: released" "$3"' _ "$rc" "$UPSELL" "$OUT"
check "released: the console shows it scheduled and flagged again" \
	eval 'wait_true 10 "screen | grep -qF \"▷ scheduled upsell\"" && wait_row 4 "campaign during complaint" 10'
expect the_history_keeps_both \
	test "$(sql "SELECT string_agg(action || ':' || actor, ',' ORDER BY at) FROM campaign_hold")" = "hold:ana,release:mia"

keys C-c
check "Ctrl-C quits with exit status 0" exit_status_is 0 10
check "no sanitizer report" no_sanitizer_report
stop
