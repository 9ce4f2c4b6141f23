#!/bin/sh
# The lead queue puts breached handoffs in order of severity, not age: the
# most urgent priority first, then the furthest past its SLA.  An urgent
# go-live blocker breached 8 hours ago comes before a low question breached
# two months ago, and a high one breached for a day between them; `baton
# queue` and the console's queue show the same order.
. "$BATON_ROOT/tests/lib/e2e.sh"

cli_files queue_severity
db=$(newdb baton_demo) || { echo "FAIL queue_severity: cannot create a test database"; exit 1; }
trap stop EXIT

sql "INSERT INTO customer (id, name, segment) VALUES
       (9101, 'Sev A Low Question', 'smb'), (9102, 'Sev B Urgent Blocker', 'smb'),
       (9103, 'Sev C High Billing', 'smb'), (9104, 'Sev D Low Older', 'smb');
     INSERT INTO handoff (id, customer_id, from_team, to_team, reason, priority, note,
                          created_at, ack_due_at) VALUES
       ('00000000-0000-4000-8000-00000000a001', 9101, 'support', 'success', 'question', 'low',
        'A low question, two months past its SLA', now() - interval '63 days', now() - interval '60 days'),
       ('00000000-0000-4000-8000-00000000a002', 9102, 'support', 'success', 'onboarding blocker', 'urgent',
        'Go-live blocked', now() - interval '9 hours', now() - interval '8 hours'),
       ('00000000-0000-4000-8000-00000000a003', 9103, 'support', 'success', 'billing', 'high',
        'Refund question', now() - interval '29 hours', now() - interval '25 hours'),
       ('00000000-0000-4000-8000-00000000a004', 9104, 'support', 'success', 'question', 'low',
        'Another low one, older still', now() - interval '93 days', now() - interval '90 days')" >/dev/null

# order FILE: the Sev letters in the order their lines appear
order() { grep -oE 'Sev [A-D]' "$1" | cut -c5 | tr -d '\n'; }

run as lee queue --breached --team success
expect cli_breached_by_severity_urgent_high_then_low_furthest_past_first \
	sh -c '[ "$1" -eq 0 ] && [ "$(grep -oE "Sev [A-D]" "$2" | cut -c5 | tr -d "\n")" = BCDA ]' _ "$rc" "$OUT"
run as lee queue --breached --team success --format json
expect json_in_the_same_order \
	sh -c '[ "$(grep -oE "Sev [A-D]" "$1" | cut -c5 | tr -d "\n")" = BCDA ]' _ "$OUT"
# Every priority of the breached rows, in order: never a lower one before
# a higher one (urgent=1 .. low=4).
run as lee queue --breached --format csv
expect every_breached_row_in_priority_order \
	sh -c 'awk -F, "NR > 1 { print \$8 }" "$1" | sed "s/urgent/1/; s/high/2/; s/normal/3/; s/low/4/" | sort -c' _ "$OUT"

start queue_severity 100 40 "$BATON_BIN" -d "'dbname=$db user=lee'"
wait_state live 15
check "lee's console opens on the queue" wait_for "Handoff queue" 10
keys f
type_text "team=success breached"
keys Enter
# The four are in the view before the filter too (lee's teams): its rows
# are waited for, every one of them breached.
qrows() { screen | sed -n '6,38p' | grep -E '^.{4}[0-9]+(m|h|d|w|mo|y) '; }
check "filter team=success breached: the four show" \
	wait_true 10 'row 4 | grep -qF "filter: state=active team=success breached" &&
		! qrows | grep -vqF BREACHED &&
		on_screen "Sev A" && on_screen "Sev B" && on_screen "Sev C" && on_screen "Sev D"'
check "the console shows them in the same order as baton queue (B C D A)" \
	eval 'screen >"$T/screen" && [ "$(order "$T/screen")" = BCDA ]'
check "the help explains the order" \
	eval 'keys "?" && wait_for "by severity" 5 && on_screen "furthest" && keys q'
keys Q
check "Q quits with status 0" exit_status_is 0 10
check "no sanitizer report" no_sanitizer_report
