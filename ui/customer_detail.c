/* The detail page of the item selected in a customer screen panel. */
#include "baton/buf.h"
#include "baton/customer.h"
#include "baton/onboarding.h"
#include "ui/customer.h"
#include "ui/pager.h"
#include "ui/ui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "Label:     value" lines; empty values are left out. */
enum how { AS_IS, AS_WORDS, AS_DAY, AS_WHEN };

static void field(struct buf *b, const char *label, const char *v, enum how how)
{
	char out[128];
	if (!v || !*v)
		return;
	switch (how) {
	case AS_WORDS: fmt_words(out, sizeof out, v); break;
	case AS_DAY: fmt_day_year(out, sizeof out, v); break;
	case AS_WHEN: fmt_when(out, sizeof out, v); break;
	default: buf_printf(b, "%-10s %s\n", label, v); return;
	}
	buf_printf(b, "%-10s %s\n", label, out);
}

#define F(label, part, col, how) field(b, label, V(part, r, col), how)

static void milestone_text(struct customer *c, int r, struct buf *b)
{
	buf_printf(b, "%s\n\n", V(CV_MILESTONES, r, M_TITLE));
	buf_printf(b, "%-10s %s\n", "Status:", onboarding_status_label(V(CV_MILESTONES, r, M_STATUS)));
	F("Owner:", CV_MILESTONES, M_OWNER, AS_IS);
	F("Due:", CV_MILESTONES, M_DUE, AS_DAY);
	F("Completed:", CV_MILESTONES, M_COMPLETED, AS_WHEN);
	if (*V(CV_MILESTONES, r, M_OVERDUE_DAYS))
		buf_printf(b, "%-10s %s days\n", "Overdue:", V(CV_MILESTONES, r, M_OVERDUE_DAYS));
	if (*V(CV_MILESTONES, r, M_BLOCKED_REASON))
		buf_printf(b, "\nBlocked because:\n%s\n", V(CV_MILESTONES, r, M_BLOCKED_REASON));
}

static void ticket_text(struct customer *c, int r, struct buf *b)
{
	buf_printf(b, "#%s %s\n\n", V(CV_TICKETS, r, T_NUMBER), V(CV_TICKETS, r, T_SUBJECT));
	F("Status:", CV_TICKETS, T_STATUS, AS_WORDS);
	F("Priority:", CV_TICKETS, T_PRIORITY, AS_WORDS);
	F("Category:", CV_TICKETS, T_CATEGORY, AS_WORDS);
	F("Assignee:", CV_TICKETS, T_ASSIGNEE, AS_IS);
	F("Opened:", CV_TICKETS, T_OPENED, AS_WHEN);
	F("SLA due:", CV_TICKETS, T_SLA_DUE, AS_WHEN);
	if (*V(CV_TICKETS, r, T_SLA_LEFT_S) && V(CV_TICKETS, r, T_OPEN)[0] == 't') {
		char left[32];
		fmt_left(left, sizeof left, cv_num(&c->cv, CV_TICKETS, r, T_SLA_LEFT_S));
		buf_printf(b, "%-10s %s\n", "SLA:", left);
	}
	F("Solved:", CV_TICKETS, T_SOLVED, AS_WHEN);
	buf_printf(b, "\n%s\n", V(CV_TICKETS, r, T_BODY));
}

static void handoff_text(struct customer *c, int r, struct buf *b)
{
	buf_printf(b, "%s → %s", V(CV_HANDOFFS, r, HO_FROM_TEAM), V(CV_HANDOFFS, r, HO_TO_TEAM));
	if (*V(CV_HANDOFFS, r, HO_TO_STAFF))
		buf_printf(b, " (%s)", V(CV_HANDOFFS, r, HO_TO_STAFF_NAME));
	buf_puts(b, "\n");
	F("Reason:", CV_HANDOFFS, HO_REASON, AS_WORDS);
	F("Priority:", CV_HANDOFFS, HO_PRIORITY, AS_WORDS);
	F("State:", CV_HANDOFFS, HO_STATE, AS_WORDS);
	F("Written:", CV_HANDOFFS, HO_CREATED, AS_WHEN);
	buf_printf(b, "%-10s %s (%s)\n", "By:", V(CV_HANDOFFS, r, HO_AUTHOR_NAME), V(CV_HANDOFFS, r, HO_AUTHOR));
	F("Ack due:", CV_HANDOFFS, HO_ACK_DUE, AS_WHEN);
	if (*V(CV_HANDOFFS, r, HO_TICKET))
		buf_printf(b, "%-10s #%s\n", "Ticket:", V(CV_HANDOFFS, r, HO_TICKET_NUMBER));
	buf_printf(b, "%-10s %s\n\n%s\n\nHistory:\n", "Id:", V(CV_HANDOFFS, r, HO_ID),
	           V(CV_HANDOFFS, r, HO_NOTE));
}

/* An item's page: what the customer screen below has of it, made again
 * whenever that screen has read anew (a colleague's change, R), so that
 * it never shows a state the screen has left; a handoff's with its
 * history below, which the page reads itself (cv_handoff_histories_sql)
 * when it opens and when its customer changes. */
enum { REQ_HISTORY = 1 };

struct item_page {
	struct pager pg;     /* first: pager_destroy frees the whole */
	struct customer *c;  /* below on the stack while the page is shown */
	enum panel panel;
	char key[64];        /* the item's id; a flag's: its kind of signal */
	int generation;      /* of c's reads, when the text was made */
	char *history;       /* a handoff's, as read; NULL until then */
};

/* The item's row in c now (a flag's index in the flags), -1: gone. */
static int item_row(const struct item_page *d)
{
	const struct customer *c = d->c;
	if (!c->loaded)
		return -1;
	if (d->panel == P_FLAGS) {
		for (int i = 0; i < c->nflags; i++)
			if (!strcmp(V(CV_SIGNALS, c->flag_idx[i], SG_KIND), d->key))
				return i;
		return -1;
	}
	for (int r = 0; r < cv_rows(&c->cv, panel_part[d->panel]); r++)
		if (!strcmp(V(panel_part[d->panel], r, 0), d->key))
			return r;
	return -1;
}

/* The text again from c's last read, and the history as read. */
static void item_compose(struct item_page *d)
{
	struct pager *p = &d->pg;
	int r = item_row(d);
	d->generation = d->c->generation;
	struct buf b = BUF_INIT;
	if (r >= 0) {
		char title[128];
		customer_item_text(d->c, d->panel, r, &b, title, sizeof title);
		free(p->prefix);
		free(p->title);
		p->prefix = buf_steal(&b);
		if (!(p->title = strdup(title)))
			abort();
	} else {
		/* Left as it was last read, saying so. */
		buf_puts(&b, "No longer on the customer's screen; as it was last read:\n\n");
	}
	buf_puts(&b, p->prefix ? p->prefix : "");
	if (d->panel == P_HANDOFFS)
		buf_puts(&b, d->history ? d->history : "loading…\n");
	free(p->text);
	p->text = buf_steal(&b);
	p->wrapped_cols = 0;
}

static void item_draw(struct screen *s, struct app *a)
{
	struct item_page *d = (struct item_page *)s;
	if (d->generation != d->c->generation)
		item_compose(d);
	pager_draw(s, a);
}

static void on_history(struct screen *s, struct app *a, PGresult **res, int nres, const char *err)
{
	struct item_page *d = (struct item_page *)s;
	(void)a;
	struct buf b = BUF_INIT;
	if (err || nres != 1 || PQnfields(res[0]) != 2 || PQntuples(res[0]) > 1)
		buf_printf(&b, "Could not read the history: %s\n", err ? err : "unexpected answer");
	else /* no row: no events */
		buf_printf(&b, "%s\n", PQntuples(res[0]) ? PQgetvalue(res[0], 0, 1) : "");
	free(d->history);
	d->history = buf_steal(&b);
	item_compose(d);
}

static void history_reload(struct screen *s, struct app *a)
{
	struct pager *p = (struct pager *)s;
	char ids[80];
	snprintf(ids, sizeof ids, "{%s}", p->idtxt);
	const char *params[] = {ids};
	struct db_stmt st = {cv_handoff_histories_sql, 1, params};
	screen_request(s, a, REQ_HISTORY, &st, 1, 0, on_history);
}

/* R: the customer screen reads anew, and the page follows it.  On a
 * handoff's page a, r and c act on that handoff, as in the panel, at the
 * version the screen below last read. */
static void item_action(struct screen *s, struct app *a, enum ui_action act)
{
	struct item_page *d = (struct item_page *)s;
	if (act == ACT_REFRESH) {
		d->c->base.ops->reload(&d->c->base, a);
		if (s->ops->reload)
			s->ops->reload(s, a);
		return;
	}
	if (d->panel == P_HANDOFFS && (act == ACT_ACK || act == ACT_RESOLVE || act == ACT_CANCEL)) {
		int r = item_row(d);
		if (r < 0)
			app_message(a, 1, "this handoff is no longer on the customer's screen: nothing to act on");
		else
			customer_handoff_step(d->c, a, r,
			                      act == ACT_ACK ? "acknowledged" : act == ACT_RESOLVE ? "resolved" : "cancelled");
		return;
	}
	pager_action(s, a, act);
}

static void item_destroy(struct screen *s)
{
	free(((struct item_page *)s)->history);
	pager_destroy(s);
}

/* Without a reload: change notifications reach the customer screen below,
 * and the page is made again from it. */
static const struct screen_ops item_page_ops = {
	.name = "item",
	.scope = SCOPE_PAGER,
	.draw = item_draw,
	.action = item_action,
	.destroy = item_destroy,
	.hints = "j/k scroll  Space/PgDn page  / search  n/N next/prev  R refresh  q back  ? help",
};

static const struct screen_ops handoff_page_ops = {
	.name = "handoff",
	.scope = SCOPE_HANDOFF,
	.draw = item_draw,
	.action = item_action,
	.reload = history_reload,
	.destroy = item_destroy,
	.hints = "j/k scroll  / search  a ack  r resolve  c cancel  R refresh  q back  ? help",
};

struct screen *customer_item_page(struct customer *c, struct app *a, enum panel p, int r)
{
	struct item_page *d = calloc(1, sizeof *d);
	if (!d)
		abort();
	pager_init(&d->pg, "", "");
	d->c = c;
	d->panel = p;
	snprintf(d->key, sizeof d->key, "%s",
	         p == P_FLAGS ? V(CV_SIGNALS, c->flag_idx[r], SG_KIND) : V(panel_part[p], r, 0));
	d->pg.base.ops = p == P_HANDOFFS ? &handoff_page_ops : &item_page_ops;
	/* Change notifications about other customers leave it alone. */
	d->pg.customer_id = c->id;
	d->pg.base.customer_id = c->id;
	/* What the screen has shows at once; a history says it is loading. */
	item_compose(d);
	if (p == P_HANDOFFS) {
		snprintf(d->pg.idtxt, sizeof d->pg.idtxt, "%s", d->key);
		history_reload(&d->pg.base, a);
	}
	return &d->pg.base;
}

static void signal_text(struct customer *c, int r, struct buf *b)
{
	buf_printf(b, "%s\n\n%s\n\n", V(CV_SIGNALS, r, SG_TITLE), V(CV_SIGNALS, r, SG_EXPLANATION));
	F("Severity:", CV_SIGNALS, SG_SEVERITY, AS_IS);
	F("Since:", CV_SIGNALS, SG_SINCE, AS_WHEN);
	F("For:", CV_SIGNALS, SG_TEAMS, AS_IS);
	F("Records:", CV_SIGNALS, SG_REFS, AS_IS);
}

/* The full item behind the selection, as text for a detail page. */
void customer_item_text(struct customer *c, enum panel p, int r, struct buf *b, char *title, size_t tn)
{
	switch (p) {
	case P_ONBOARDING:
		snprintf(title, tn, "Milestone %s", V(CV_MILESTONES, r, M_POSITION));
		milestone_text(c, r, b);
		break;
	case P_TICKETS:
		snprintf(title, tn, "Ticket %s", V(CV_TICKETS, r, T_NUMBER));
		ticket_text(c, r, b);
		break;
	case P_NOTES: {
		char when[32], kind[32];
		fmt_when(when, sizeof when, V(CV_NOTES, r, N_CREATED));
		fmt_words(kind, sizeof kind, V(CV_NOTES, r, N_KIND));
		snprintf(title, tn, "Note %s by %s", V(CV_NOTES, r, N_ID), V(CV_NOTES, r, N_AUTHOR_NAME));
		buf_printf(b, "%s  %s  %s (%s)\n", when, kind, V(CV_NOTES, r, N_AUTHOR_NAME),
		           V(CV_NOTES, r, N_AUTHOR));
		if (!cv_isnull(&c->cv, CV_NOTES, r, N_TICKET))
			buf_printf(b, "About ticket #%s\n", V(CV_NOTES, r, N_TICKET_NUMBER));
		if (!cv_isnull(&c->cv, CV_NOTES, r, N_HANDOFF))
			buf_printf(b, "About handoff %.8s\n", V(CV_NOTES, r, N_HANDOFF));
		if (!cv_isnull(&c->cv, CV_NOTES, r, N_SUPERSEDES))
			buf_printf(b, "Corrects note %s (its text stays in the timeline)\n", V(CV_NOTES, r, N_SUPERSEDES));
		buf_printf(b, "\n%s\n", V(CV_NOTES, r, N_BODY));
		break;
	}
	case P_MARKETING:
		snprintf(title, tn, "Campaign");
		buf_printf(b, "\"%s\"\n\n", V(CV_MARKETING, r, K_CAMPAIGN));
		F("Status:", CV_MARKETING, K_STATUS, AS_WORDS);
		F("Held by:", CV_MARKETING, K_HOLD, AS_IS);
		F("When:", CV_MARKETING, K_AT, AS_WHEN);
		F("Kind:", CV_MARKETING, K_KIND, AS_WORDS);
		F("Channel:", CV_MARKETING, K_CHANNEL, AS_WORDS);
		break;
	case P_HANDOFFS:
		snprintf(title, tn, "Handoff %.8s", V(CV_HANDOFFS, r, HO_ID));
		handoff_text(c, r, b);
		break;
	default:
		snprintf(title, tn, "Signal");
		signal_text(c, c->flag_idx[r], b);
	}
}
