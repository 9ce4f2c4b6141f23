#!/bin/sh
# Whole screens, where the layout is the point: the customer screen of
# Northwind Health and its help, at 80x24, compared line by line with
# tests/e2e/screens/*.txt (see screen_is in tests/lib/e2e.sh; after a
# deliberate layout change: BATON_UPDATE_SCREENS=1 sh tests/run.sh build screens).
. "$BATON_ROOT/tests/lib/e2e.sh"

db=$(newdb baton_demo) || { echo "FAIL screens: cannot create a test database"; exit 1; }
trap stop EXIT

# Three things on Northwind's screen would change: the newsletter is named
# after the month it goes out in ("Newsletter · December 2025") and the
# renewal date is shown whole ("renews 1 Mar 2027", the day without a
# leading zero), both of a width that varies, which screen_mask cannot mask
# without losing the columns behind them; and the overdue milestone is due
# four days before the day the demo was loaded, which says "overdue 5d"
# once midnight has passed since (the templates are loaded when the run
# starts).  Pin them in this test's own copy of the data, just before it is
# shown.
pinned=$(psql -X -At -q -d "$db" -c "
	UPDATE marketing_event SET campaign = 'Newsletter · next month'
	 WHERE campaign LIKE 'Newsletter · %' AND customer_id = 1 RETURNING 1;
	UPDATE customer SET renewal_date = '2030-03-01' WHERE id = 1 RETURNING 1;
	UPDATE milestone SET due_date = current_date - 4 WHERE customer_id = 1 AND position = 3 RETURNING 1")
[ "$pinned" = "$(printf '1\n1\n1')" ] ||
	echo "FAIL screens: could not pin Northwind's newsletter name, renewal and overdue dates"

start screens 80 24 "$BATON_BIN" -d "'dbname=$db user=ana'"
wait_state live 15
type_text "nwh"
wait_for "nwh.example" 10
keys Enter
check "the customer screen of Northwind Health, whole" screen_is customer_northwind 10

keys '?'
check "its help ('?'), whole" screen_is help_customer 10
keys q
check "q closes the help: the customer screen again, unchanged" screen_is customer_northwind 10

keys C-c
check "Ctrl-C quits with exit status 0" exit_status_is 0 10
check "no sanitizer report" no_sanitizer_report
stop
