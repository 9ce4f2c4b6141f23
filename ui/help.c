/* The help screen, generated from the key table so that it cannot drift
 * from the bindings, with the legend of every symbol and flag. */
#include "baton/buf.h"
#include "baton/customer.h"
#include "baton/signals.h"
#include "baton/text.h"
#include "ui/pager.h"
#include "ui/ui.h"

#include <stdio.h>

/* What every symbol and marker on the screens means. */
static void help_legend(struct buf *b, enum ui_scope scope)
{
	static const enum ui_sym shown[] = {SYM_SEL, SYM_DONE, SYM_CURRENT, SYM_BLOCKED, SYM_LIVE,
	                                    SYM_SENT, SYM_SCHEDULED, SYM_FLAG, SYM_ARROW,
	                                    SYM_ELLIPSIS, SYM_MORE, SYM_NEW_ABOVE};
	buf_puts(b, "\nSymbols\n\n");
	for (size_t i = 0; i < sizeof shown / sizeof *shown; i++)
		buf_printf(b, "  %-6s %s\n", term_sym(shown[i]), term_sym_meaning(shown[i]));
	int lists = scope == SCOPE_SIGNALS || scope == SCOPE_SENDS;
	int queue = scope == SCOPE_QUEUE; /* its rows carry the signals' marks */
	if (scope != SCOPE_CUSTOMER && scope != SCOPE_FINDER && !lists && !queue)
		return;
	if (!lists && !queue) {
		const char *to = term_sym(SYM_ARROW);
		buf_printf(b, "\nMarkers\n\n"
		              "  !!     urgent ticket or handoff        !      high-priority one\n"
		              "  %s you%swaiting for you in person; %s NAME for them, %s TEAM the team\n",
		           to, text_width(to) == 1 ? "  " : " ", to, to);
		buf_puts(b, "  SLA!   ticket past its SLA    overdue 4d  milestone past its due date\n"
		            "  NEW    handoff not yet acknowledged       ACK  acknowledged\n"
		            "  LATE / NOT ACKNOWLEDGED (4h over)  past its acknowledgement SLA\n");
	}
	buf_puts(b, "\nCrossed signals (flags).  The finder's rows and the queue's (its Sig\n"
	            "column, or below 110 columns the letter before the age) show the most\n"
	            "severe one's mark, +N for the others: DB+1\n\n");
	for (int i = 0; i < CV_FLAG_COUNT; i++)
		buf_printf(b, "  %s%s %s: %s\n", term_sym(SYM_FLAG), signal_kind_at(i)->mark, cv_flag_title(i),
		           cv_flag_explain(i));
}

struct screen *help_new(struct app *a, enum ui_scope scope)
{
	struct buf b = BUF_INIT;
	char keys[128];
	buf_puts(&b, "Keys on this screen\n\n");
	/* First, where it shows without paging: the start screen's letters act
	 * in its lists only, since the Find field takes them as text. */
	if (scope == SCOPE_FINDER)
		buf_puts(&b, "The Find field takes every printable key as text, capitals too (names\n"
		             "start with Q, L or R): there only Enter, Tab, Down, Esc, ?, the F keys\n"
		             "and Ctrl-C, Ctrl-L, Ctrl-Z act (Ctrl-U and Ctrl-W erase).  Tab, Down,\n"
		             "or Esc on an empty field move to the lists, where every key below\n"
		             "works; / or f goes back to the field.  Back from a customer, the\n"
		             "field has the focus again, its text selected: what you type starts\n"
		             "a new search, Backspace edits it, Down goes back to the matches.\n\n");
	for (int act = 1; act < ACT_COUNT; act++) {
		keys_labels(scope, (enum ui_action)act, keys, sizeof keys);
		if (!keys[0])
			continue;
		buf_printf(&b, "  %-22s %s\n", keys, keys_action_help((enum ui_action)act));
	}
	if (scope == SCOPE_SIGNALS)
		buf_puts(&b, "\nEvery customer's active crossed signals, most severe first (HIGH,\n"
		             "MED, LOW), then the oldest; the selected one in full below.  f\n"
		             "filters, e.g. kind=dropped team=support segment=smb owner=ben (a kind\n"
		             "by the start of its name).  a acknowledges the selected signal with a\n"
		             "comment: it leaves the list for everyone until its records change.\n");
	if (scope == SCOPE_SENDS)
		buf_puts(&b, "\nEvery scheduled send whose customer has an active signal, with the\n"
		             "reasons, and every held send (HELD, who, when and why), soonest first.\n"
		             "h holds the selected send with a comment, or releases a held one;\n"
		             "who may is the database's rule (campaign_hold_teams).\n");
	if (scope == SCOPE_QUEUE)
		buf_puts(&b, "\nThe queue lists breached handoffs first (! and BREACHED) by severity:\n"
		             "the most urgent priority first, and within a priority the one furthest\n"
		             "past its SLA first (an urgent one breached for hours comes before a\n"
		             "low one breached for months).  Then the other unacknowledged ones,\n"
		             "then acknowledged ones, each oldest first.\n"
		             "SLA is the time to acknowledge: +1d means over the SLA by a day,\n"
		             "-23h within the SLA by 23 hours (that long is left).  The bottom\n"
		             "line has the median time to acknowledge over the last 7 and the\n"
		             "last 30 days.  f filters, e.g. team=support priority=high breached\n"
		             "(reason=\"renewal risk\", in quotes for a reason with spaces); a value\n"
		             "that is not valid is refused with the valid ones.  1-9 switch to the\n"
		             "saved views (queue.views in the configuration).\n");
	help_legend(&b, scope);
	buf_puts(&b, "\nThe top line shows who you are connected as and the connection\n"
	             "state: live, connecting or OFFLINE (Baton reconnects by itself).\n");
	struct pager *p = pager_alloc("Help", buf_str(&b));
	buf_free(&b);
	(void)a;
	return &p->base;
}
