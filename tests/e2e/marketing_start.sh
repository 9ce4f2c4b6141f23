#!/bin/sh
# Marketing's console opens on "scheduled sends to customers in trouble":
# Café Lumière's upsell listed with its reason.  Holding from the console:
#  1. ana (Support) holds it from the customer screen's Marketing panel (h):
#     the server refuses (only marketing may, by default), the message says
#     so, and her comment is offered again on the next h, not lost;
#  2. mia (Marketing) holds it from her start screen with a comment: ben's
#     open customer screen of Café Lumière shows it held at once; recorded
#     once, by mia; h again releases it;
#  3. an administrator allows Support: ana's kept comment goes through.
# q goes back from the start screen to the finder; ui.start_screen
# changes the start screen, a wrong value is one message and status 3.
. "$BATON_ROOT/tests/lib/e2e.sh"

cli_files marketing_start
db=$(newdb baton_demo) || { echo "FAIL marketing_start: cannot create a test database"; exit 1; }
trap 'for s in mk_ben mk_mia mk_ana mk_cfg; do E2E_SESSION=$s; stop; done' EXIT
admin="t_admin_${E2E_ID}"
sql "CREATE ROLE $admin LOGIN; GRANT baton_admin TO $admin" >/dev/null
UPSELL=$(sql "SELECT id FROM marketing_event WHERE customer_id = 2 AND campaign = 'Upgrade to Pro'")
holds() { sql "SELECT string_agg(action || ':' || actor || ':' || comment, ',' ORDER BY at) FROM campaign_hold"; }
selected() { screen | grep -F "›"; }

# open_lumiere: from the finder, Café Lumière's screen, focus on Marketing
open_lumiere() {
	wait_state live 15
	type_text "lumiere"
	wait_for "cafe-lumiere.example" 10
	keys Enter
	wait_row 1 "Café Lumière" 10
	keys Tab Tab Tab
}

# 1. Support is refused by the server; the comment is kept.
start mk_ana 160 30 "$BATON_BIN" -d "'dbname=$db user=ana'"
open_lumiere
check "ana: the Marketing panel has the scheduled upsell" wait_for '▷ scheduled upsell "Upgrade to Pro"' 10
keys h
check "h in the Marketing panel asks why" wait_for 'Why hold upsell "Upgrade to Pro" to Café Lumière?' 5
type_text "Refunded a duplicate charge; no upsell now"
keys Enter
check "refused by the server, in one message" \
	wait_for 'not held: only marketing may hold or release a campaign send, not ana (team support)' 10
check "nothing recorded" test -z "$(holds)"
keys h
check "h again: her comment is offered again" \
	wait_for 'Why hold upsell "Upgrade to Pro" to Café Lumière? Refunded a duplicate charge; no upsell now' 5
keys Escape

# 2. Marketing's start screen.
start mk_ben 100 30 "$BATON_BIN" -d "'dbname=$db user=ben'"
open_lumiere
wait_for '▷ scheduled upsell "Upgrade to Pro"' 10
start mk_mia 100 30 "$BATON_BIN" -d "'dbname=$db user=mia'"
check "mia's console opens on the sends to customers in trouble" \
	eval 'wait_state live 15 && wait_row 1 "Sends to customers in trouble" 10 && wait_row 4 "›" 10'
keys /
type_text "Lumi"
keys Enter
check "Café Lumière's upsell, with its reason" \
	eval 'wait_true 5 "selected | grep -qF \"Café Lumière\"" && selected | grep -qF "upsell \"Upgrade to Pro\"" && selected | grep -qF "campaign during complaint"'
keys h
check "h asks why" wait_for 'Why hold upsell "Upgrade to Pro" to Caf' 5
type_text "Refund pending; no upsell until it is settled"
keys Enter
check "held: the row says HELD, the detail who and why" \
	eval 'wait_for "held: upsell \"Upgrade to Pro\" to Café Lumière" 10 && wait_true 5 "selected | grep -qF HELD" && wait_for "HELD by mia at " 5'
check "recorded once, by mia" test "$(holds)" = "hold:mia:Refund pending; no upsell until it is settled"
E2E_SESSION=mk_ben
check "ben's open screen of Café Lumière shows it held, without a key pressed" \
	wait_for '▷ held upsell "Upgrade to Pro"' 10
E2E_SESSION=mk_mia
keys h
check "h on a held send asks why it is released" wait_for 'Why release upsell "Upgrade to Pro" to Caf' 5
type_text "Refund settled"
keys Enter
E2E_SESSION=mk_ben
check "released: ben's screen shows it scheduled again" wait_for '▷ scheduled upsell "Upgrade to Pro"' 10
E2E_SESSION=mk_mia
check "and mia's row is no longer HELD" wait_true 10 '! selected | grep -qF HELD'
keys q
check "q goes back to the finder below" wait_row 2 "Find:" 5

# 3. Allowed, Support's kept comment goes through.
run as "$admin" settings set campaign_hold_teams marketing,support
expect admin_allows_support sh -c '[ "$1" -eq 0 ]' _ "$rc"
E2E_SESSION=mk_ana
keys h
wait_for 'Why hold upsell "Upgrade to Pro" to Café Lumière? Refunded a duplicate charge' 5
keys Enter
check "allowed: ana's hold goes through with her kept comment" \
	eval 'wait_for "held: upsell \"Upgrade to Pro\" to Café Lumière" 10 && wait_for "▷ held upsell \"Upgrade to Pro\"" 10'
check "the history: mia's hold and release, then ana's hold, each once" \
	test "$(holds)" = "hold:mia:Refund pending; no upsell until it is settled,release:mia:Refund settled,hold:ana:Refunded a duplicate charge; no upsell now"

for s in mk_ana mk_ben mk_mia; do
	E2E_SESSION=$s
	keys C-c
	check "$s: Ctrl-C quits with exit status 0" exit_status_is 0 10
	check "$s: no sanitizer report" no_sanitizer_report
done

# ui.start_screen
printf 'ui: { start_screen = "signals"; };\n' >"$T/signals.cfg"
start mk_cfg 80 24 env BATON_CONFIG="$T/signals.cfg" "$BATON_BIN" -d "'dbname=$db user=ana'"
check "ui.start_screen = \"signals\": ana's console opens on the signals" \
	eval 'wait_state live 15 && wait_row 1 "Crossed signals" 10'
keys q
check "q: the finder below" wait_row 2 "Find:" 5
keys C-c
exit_status_is 0 10 >/dev/null
printf 'ui:\n{\n  start_screen = "sends";\n};\n' >"$T/bad.cfg"
run "$BATON_BIN" -c "$T/bad.cfg" -d "dbname=$db user=ana" show 2
expect start_screen_wrong_value_exits_3 \
	sh -c '[ "$1" -eq 3 ] && [ "$(wc -l <"$2")" -eq 1 ] &&
	       grep -qF "$3:3: setting '"'"'ui.start_screen'"'"' must be \"finder\", \"queue\", \"signals\" or \"marketing\"" "$2"' \
	_ "$rc" "$ERR" "$T/bad.cfg"
