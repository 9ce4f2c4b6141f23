/* The customer screen: header, crossed-signal flags and five panels
 * (onboarding, tickets, success notes, marketing, handoffs), all from one
 * round trip.  Tab moves between panels, Enter opens the selected item. */
#include "baton/buf.h"
#include "baton/customer.h"
#include "baton/handoff.h"
#include "baton/note.h"
#include "baton/text.h"
#include "ui/customer.h"
#include "ui/signals.h"
#include "ui/ui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { REQ_LOAD = 1 };

const enum cv_part panel_part[P_COUNT] = {CV_HEADER, CV_MILESTONES, CV_TICKETS, CV_NOTES,
                                          CV_MARKETING, CV_HANDOFFS};

static void customer_destroy(struct screen *s)
{
	struct customer *c = (struct customer *)s;
	cv_free(&c->cv);
	for (int p = 0; p < P_COUNT; p++)
		free(c->unseen[p]);
	free(c);
}

struct panel_rows {
	const struct customer_view *cv;
	enum cv_part part;
};

/* Every part's first column is its row's id. */
static const char *row_id(const void *ctx, int row)
{
	const struct panel_rows *pr = ctx;
	return cv_get(pr->cv, pr->part, row, 0);
}

/* A flag's row is a signal's; its kind names it. */
static const char *flag_kind(const void *ctx, int row)
{
	const struct panel_rows *pr = ctx;
	return cv_get(pr->cv, CV_SIGNALS, row, SG_KIND);
}

/* Which rows of panel p in fresh were not in the last read (by id), or
 * were and are still undrawn: a new array, all 0 at the first read.  When
 * the last read was a page, the rows fresh has after that page's last row
 * are the next page, not new; but an open handoff is on every page
 * (cv_statements), so one the last read had not is new. */
static unsigned char *unseen_rows(const struct customer *c, const struct customer_view *fresh, enum panel p)
{
	enum cv_part part = panel_part[p];
	int n = cv_rows(fresh, part), old = c->loaded ? cv_rows(&c->cv, part) : 0;
	unsigned char *u = calloc(n > 0 ? (size_t)n : 1, 1);
	if (!u)
		abort();
	int end = n; /* rows from end on are past the last read's page */
	if (old > 0 && customer_partial(c, p)) {
		const char *last = V(part, old - 1, 0);
		for (end = 0; end < n && strcmp(cv_get(fresh, part, end, 0), last) != 0; end++)
			;
		end = end < n ? end + 1 : old;
	}
	for (int r = 0; r < n && c->loaded; r++) {
		if (r >= end && !(part == CV_HANDOFFS && handoff_state_active(cv_get(fresh, part, r, HO_STATE))))
			continue;
		const char *id = cv_get(fresh, part, r, 0);
		int k = 0;
		while (k < old && strcmp(V(part, k, 0), id) != 0)
			k++;
		u[r] = k == old || (c->unseen[p] && c->unseen[p][k]);
	}
	return u;
}

static void on_loaded(struct screen *s, struct app *a, PGresult **res, int nres, const char *err)
{
	struct customer *c = (struct customer *)s;
	/* End and a search wait for this read, not for one minutes later. */
	enum panel bottom = c->bottom_waits;
	int search = c->search_waits;
	c->bottom_waits = P_FLAGS;
	c->search_waits = 0;
	if (err) {
		snprintf(c->error, sizeof c->error, "%s", err);
		return;
	}
	struct customer_view cv;
	char e[256];
	if (cv_adopt(&cv, res, nres, e, sizeof e) < 0) {
		snprintf(c->error, sizeof c->error, "%s", e);
		/* Gone, or no longer ours to see: what was read goes too. */
		if (nres == CV_PARTS && res[CV_HEADER] && PQntuples(res[CV_HEADER]) == 0) {
			cv_free(&c->cv);
			c->loaded = 0;
			c->generation++;
		}
		return;
	}
	/* The focused panel's cursor stays on its item (by id) when a live
	 * change reorders the rows, e.g. a handoff acknowledged meanwhile. */
	char was[P_COUNT][64];
	for (int p = P_ONBOARDING; p < P_COUNT; p++) {
		int r = c->list[p].sel;
		snprintf(was[p], sizeof was[p], "%s",
		         c->loaded && r >= 0 && r < cv_rows(&c->cv, panel_part[p]) ? V(panel_part[p], r, 0) : "");
	}
	/* The selected flag stays on its kind of signal. */
	char was_flag[64];
	int fs = c->list[P_FLAGS].sel;
	snprintf(was_flag, sizeof was_flag, "%s",
	         c->loaded && fs >= 0 && fs < c->nflags ? V(CV_SIGNALS, c->flag_idx[fs], SG_KIND) : "");
	/* Opened on an item (a signal, a send): select it once it is read. */
	if (!c->loaded && c->want[0])
		snprintf(c->focus == P_FLAGS ? was_flag : was[c->focus], sizeof was_flag, "%s", c->want);
	if (c->focus != P_FLAGS && customer_row_lost(c, &cv, was[c->focus])) {
		cv_free(&cv);
		c->bottom_waits = bottom;
		c->search_waits = search;
		customer_read_pages(c, a, c->more_read);
		return;
	}
	for (int p = P_ONBOARDING; p < P_COUNT; p++) {
		unsigned char *u = unseen_rows(c, &cv, (enum panel)p);
		free(c->unseen[p]);
		c->unseen[p] = u;
	}
	cv_free(&c->cv);
	c->cv = cv;
	memcpy(c->read, c->asked, sizeof c->read);
	c->loaded = 1;
	c->generation++;
	c->error[0] = '\0';
	c->nflags = 0;
	for (int i = 0; i < cv_flags(&cv) && c->nflags < CV_FLAG_COUNT; i++)
		c->flag_idx[c->nflags++] = i;
	struct panel_rows flags = {&c->cv, CV_SIGNALS};
	ui_list_follow(&c->list[P_FLAGS], was_flag, c->nflags, flag_kind, &flags);
	/* The panel the person is in keeps its item under the cursor (its
	 * border counts what came in above it); the others show their top,
	 * the newest or most urgent rows, which a colleague's writes join;
	 * but a read of more pages leaves them where the person left them. */
	for (int p = P_ONBOARDING; p < P_COUNT; p++) {
		int n = cv_rows(&c->cv, panel_part[p]);
		struct panel_rows pr = {&c->cv, panel_part[p]};
		if (p == (int)c->focus || c->more_read) {
			ui_list_follow(&c->list[p], was[p], n, row_id, &pr);
		} else {
			c->list[p].sel = n ? 0 : -1;
			c->list[p].top = 0;
		}
	}
	/* A signal acknowledged meanwhile leaves no flag to stand on. */
	if (c->focus == P_FLAGS && c->nflags == 0)
		c->focus = P_ONBOARDING;
	if (bottom != P_FLAGS)
		c->list[bottom].sel = cv_rows(&c->cv, panel_part[bottom]) - 1;
	if (search)
		customer_search_step(c, a, search);
}

/* A panel drawn taller (a resize) may show past what was read. */
static void customer_draw(struct screen *s, struct app *a)
{
	customer_draw_screen((struct customer *)s, a);
	customer_more((struct customer *)s, a);
}

/* A read replaces the one still on its way (its tag), so what is adopted
 * answers the rows last asked for; more: it reads more pages (the person
 * moved, End, a search), not what a colleague changed. */
void customer_read_pages(struct customer *c, struct app *a, int more)
{
	struct cv_args args;
	struct db_stmt st[CV_PARTS];
	c->more_read = more;
	cv_statements(st, &args, c->id, c->asked);
	screen_request(&c->base, a, REQ_LOAD, st, CV_PARTS, REQ_PREPARED, on_loaded);
}

static void customer_reload(struct screen *s, struct app *a)
{
	customer_read_pages((struct customer *)s, a, 0);
}

static void open_item(struct customer *c, struct app *a)
{
	enum panel p = c->focus;
	int r = c->list[p].sel;
	int n = p == P_FLAGS ? c->nflags : cv_rows(&c->cv, panel_part[p]);
	if (r < 0 || r >= n)
		return;
	app_push(a, customer_item_page(c, a, p, r));
}

static void start_handoff(struct customer *c, struct app *a)
{
	struct handoff_new h;
	if (handoff_init(&h) < 0) {
		app_message(a, 1, "no randomness for the handoff id");
		return;
	}
	h.customer_id = c->id;
	text_copy(h.customer_name, sizeof h.customer_name, V(CV_HEADER, 0, H_NAME));
	int t = c->list[P_TICKETS].sel;
	if (c->focus == P_TICKETS && t >= 0 && V(CV_TICKETS, t, T_OPEN)[0] == 't')
		h.ticket_id = cv_num(&c->cv, CV_TICKETS, t, T_ID);
	struct handoff_tickets tickets = {0};
	customer_open_tickets(&c->cv, &tickets);
	app_push(a, handoff_form_new(a, &h, &tickets));
}

/* The open tickets are the ones a handoff may link. */
void customer_open_tickets(const struct customer_view *cv, struct handoff_tickets *t)
{
	for (int i = 0; i < cv_rows(cv, CV_TICKETS); i++)
		if (cv_get(cv, CV_TICKETS, i, T_OPEN)[0] == 't')
			handoff_tickets_add(t, cv_num(cv, CV_TICKETS, i, T_ID), cv_get(cv, CV_TICKETS, i, T_NUMBER),
			                    cv_get(cv, CV_TICKETS, i, T_SUBJECT));
}

/* What a note may be about: the tickets and handoffs the screen shows. */
void customer_note_links(const struct customer_view *cv, struct note_links *l)
{
	char label[300];
	for (int i = 0; i < cv_rows(cv, CV_TICKETS); i++) {
		snprintf(label, sizeof label, "ticket #%s %s", cv_get(cv, CV_TICKETS, i, T_NUMBER),
		         cv_get(cv, CV_TICKETS, i, T_SUBJECT));
		note_links_add(l, cv_num(cv, CV_TICKETS, i, T_ID), NULL, label);
	}
	for (int i = 0; i < cv_rows(cv, CV_HANDOFFS); i++) {
		snprintf(label, sizeof label, "handoff %.8s %s → %s %s", cv_get(cv, CV_HANDOFFS, i, HO_ID),
		         cv_get(cv, CV_HANDOFFS, i, HO_FROM_TEAM), cv_get(cv, CV_HANDOFFS, i, HO_TO_TEAM),
		         cv_get(cv, CV_HANDOFFS, i, HO_REASON));
		note_links_add(l, 0, cv_get(cv, CV_HANDOFFS, i, HO_ID), label);
	}
}

/* n: a new success note about the selected ticket or handoff, if one is;
 * on a selected note, a correction of it, starting from its text. */
static void start_note(struct customer *c, struct app *a)
{
	struct note_new n;
	if (note_init(&n) < 0) {
		app_message(a, 1, "no randomness for the note id");
		return;
	}
	n.customer_id = c->id;
	text_copy(n.customer_name, sizeof n.customer_name, V(CV_HEADER, 0, H_NAME));
	int r = c->list[c->focus].sel;
	int have = r >= 0 && r < cv_rows(&c->cv, panel_part[c->focus]);
	if (have && c->focus == P_TICKETS)
		n.ticket_id = cv_num(&c->cv, CV_TICKETS, r, T_ID);
	if (have && c->focus == P_HANDOFFS)
		snprintf(n.handoff_id, sizeof n.handoff_id, "%s", V(CV_HANDOFFS, r, HO_ID));
	if (have && c->focus == P_NOTES) {
		n.supersedes = cv_num(&c->cv, CV_NOTES, r, N_ID);
		n.ticket_id = cv_num(&c->cv, CV_NOTES, r, N_TICKET);
		snprintf(n.handoff_id, sizeof n.handoff_id, "%s", V(CV_NOTES, r, N_HANDOFF));
		snprintf(n.kind, sizeof n.kind, "%s", V(CV_NOTES, r, N_KIND));
		if (!(n.body = strdup(V(CV_NOTES, r, N_BODY))))
			abort();
	}
	/* With handoffs the screen has not read, the form reads them all. */
	struct note_links links = {0};
	if (customer_partial(c, P_HANDOFFS)) {
		app_push(a, note_form_new(a, &n, NULL));
		return;
	}
	customer_note_links(&c->cv, &links);
	app_push(a, note_form_new(a, &n, &links));
}

/* h in the Marketing panel: hold the selected scheduled send, or release
 * it; the server says who may. */
static void hold_send(struct customer *c, struct app *a)
{
	int r = c->list[P_MARKETING].sel;
	if (r < 0 || r >= cv_rows(&c->cv, CV_MARKETING) || strcmp(V(CV_MARKETING, r, K_STATUS), "scheduled")) {
		app_message(a, 1, "only a scheduled send can be held: select one in the Marketing panel");
		return;
	}
	char kind[32], what[384];
	fmt_words(kind, sizeof kind, V(CV_MARKETING, r, K_KIND));
	snprintf(what, sizeof what, "%s \"%s\" to %s", kind, V(CV_MARKETING, r, K_CAMPAIGN), V(CV_HEADER, 0, H_NAME));
	signal_hold_ask(a, cv_num(&c->cv, CV_MARKETING, r, K_ID), V(CV_MARKETING, r, K_HELD)[0] == 't', what);
}

void customer_handoff_step(struct customer *c, struct app *a, int r, const char *kind)
{
	struct handoff_ref h = {V(CV_HANDOFFS, r, HO_ID), (int)cv_num(&c->cv, CV_HANDOFFS, r, HO_VERSION),
	                        V(CV_HANDOFFS, r, HO_REASON), V(CV_HANDOFFS, r, HO_FROM_TEAM),
	                        V(CV_HEADER, 0, H_NAME)};
	handoff_step_ask(a, &h, kind);
}

/* a, r, c: on the handoff selected in the Handoffs panel, and on no
 * other; elsewhere the cursor is on something else (a ticket, a
 * milestone) and the person has chosen no handoff, as in the start
 * screen's waiting list. */
static void step(struct customer *c, struct app *a, const char *kind)
{
	int r = c->list[P_HANDOFFS].sel;
	if (cv_rows(&c->cv, CV_HANDOFFS) == 0)
		app_message(a, 1, "no handoffs here to %s", handoff_step_verb(kind));
	else if (c->focus != P_HANDOFFS || r < 0 || r >= cv_rows(&c->cv, CV_HANDOFFS))
		app_message(a, 1, "select a handoff first: Tab to Handoffs");
	else
		customer_handoff_step(c, a, r, kind);
}

/* The milestone selected in the Onboarding panel, in its form. */
static void edit_milestone(struct customer *c, struct app *a)
{
	int r = c->list[P_ONBOARDING].sel;
	if (r < 0 || r >= cv_rows(&c->cv, CV_MILESTONES)) {
		app_message(a, 1, "no milestone to change here");
		return;
	}
	milestone_form_open(a, &c->cv, r);
}

static void customer_action(struct screen *s, struct app *a, enum ui_action act)
{
	struct customer *c = (struct customer *)s;
	/* Another key after End: the last row is no longer wanted. */
	if (act != ACT_BOTTOM)
		c->bottom_waits = P_FLAGS;
	switch (act) {
	case ACT_SEARCH:
		screen_hold(s);
		app_prompt(a, "/", 0, customer_search_answer, c);
		return;
	case ACT_SEARCH_NEXT:
	case ACT_SEARCH_PREV:
		customer_search_step(c, a, act == ACT_SEARCH_NEXT ? 1 : -1);
		return;
	case ACT_QUEUE:
		app_push(a, queue_new(a));
		return;
	case ACT_HANDOFF:
		if (c->loaded && c->focus == P_MARKETING)
			hold_send(c, a);
		else if (c->loaded)
			start_handoff(c, a);
		return;
	case ACT_NOTE:
		if (c->loaded)
			start_note(c, a);
		return;
	case ACT_ACK:
	case ACT_RESOLVE:
	case ACT_CANCEL:
		if (c->loaded)
			step(c, a, act == ACT_ACK ? "acknowledged" : act == ACT_RESOLVE ? "resolved" : "cancelled");
		return;
	case ACT_MILESTONE:
		if (c->loaded)
			edit_milestone(c, a);
		return;
	case ACT_HEALTH:
		if (c->loaded)
			health_form_open(a, &c->cv);
		return;
	case ACT_BACK:
		app_pop(a);
		return;
	case ACT_FIND:
		while (a->top && a->top->below)
			app_pop(a);
		return;
	case ACT_REFRESH:
		customer_reload(s, a);
		return;
	case ACT_NEXT_PANEL:
	case ACT_PREV_PANEL: {
		int d = act == ACT_NEXT_PANEL ? 1 : P_COUNT - 1;
		c->focus = (enum panel)((c->focus + d) % P_COUNT);
		if (c->focus == P_FLAGS && c->nflags == 0)
			c->focus = (enum panel)((c->focus + d) % P_COUNT);
		a->status[0] = '\0';
		return;
	}
	case ACT_OPEN:
		if (c->loaded)
			open_item(c, a);
		return;
	case ACT_TIMELINE:
		if (c->loaded)
			app_push(a, timeline_new(a, c->id, V(CV_HEADER, 0, H_NAME)));
		return;
	default:
		break;
	}
	if (!c->loaded)
		return;
	int n = c->focus == P_FLAGS ? c->nflags : cv_rows(&c->cv, panel_part[c->focus]);
	ui_list_move(&c->list[c->focus], n, c->height[c->focus] - 1, act);
	/* The end of a panel read in part is its last row once read whole. */
	if (act == ACT_BOTTOM && customer_partial(c, c->focus)) {
		c->asked[panel_part[c->focus]] = 0;
		c->bottom_waits = c->focus;
		customer_read_pages(c, a, 1);
		return;
	}
	customer_more(c, a);
}

static const struct screen_ops customer_ops = {
	.name = "customer",
	.scope = SCOPE_CUSTOMER,
	.draw = customer_draw,
	.action = customer_action,
	.reload = customer_reload,
	.destroy = customer_destroy,
	.hints = "Tab panel  Enter open  h handoff  n note  a ack  t timeline  ? help  q back",
};

struct screen *customer_new(struct app *a, long long id)
{
	return customer_new_at(a, id, P_ONBOARDING, "");
}

struct screen *customer_new_at(struct app *a, long long id, enum panel p, const char *key)
{
	struct customer *c = calloc(1, sizeof *c);
	if (!c)
		abort();
	c->base.ops = &customer_ops;
	c->id = id;
	c->base.customer_id = id;
	snprintf(c->idtxt, sizeof c->idtxt, "%lld", id);
	c->focus = p;
	snprintf(c->want, sizeof c->want, "%s", key);
	for (int i = 0; i < P_COUNT; i++)
		c->list[i].sel = -1;
	customer_first_pages(c, a, key[0] ? p : P_FLAGS);
	customer_reload(&c->base, a);
	return &c->base;
}
