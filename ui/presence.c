/* Presence: the console tells the server which customer it shows, and
 * shows who else has it open ("also here: ben (Success)").  The server ties
 * each entry to the session's backend (migration 011): a console that dies
 * disappears by itself.  Nothing here runs per keystroke: the server hears
 * when the customer on screen changes, and the list is read again on a
 * presence notification about it, or every PRESENCE_RECHECK_MS while
 * others are listed (a console that died sends no notification). */
#include "baton/presence.h"
#include "baton/text.h"
#include "ui/ui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* dbq tags of the app's own requests: below the first screen's (64). */
enum { TAG_PRESENCE_SET = 1, TAG_PRESENCE_READ = 2 };
/* How stale a departed console may look: one small read per interval, and
 * only while someone else is listed. */
#define PRESENCE_RECHECK_MS 10000

struct presence_req {
	struct app *a;
	long long customer_id;
};

/* The customer this console has open: the nearest customer screen (or
 * timeline) with only detail pages, help or a handoff form over it. */
static long long presence_wanted(const struct app *a)
{
	for (const struct screen *s = a->top; s; s = s->below) {
		if (s->customer_id)
			return s->customer_id;
		if (s->ops->scope != SCOPE_PAGER && s->ops->scope != SCOPE_FORM)
			return 0;
	}
	return 0;
}

static void on_presence(void *ctx, PGresult **res, int nres, const char *err)
{
	struct presence_req r = *(struct presence_req *)ctx;
	struct app_presence *p = &r.a->presence;
	free(ctx);
	if (err == dbq_cancelled || r.customer_id != p->announced)
		return;
	/* Presence is a courtesy: when it cannot be read (a scope that hides
	 * the customer, a withdrawn staff entry) it is simply not shown. */
	int n = !err && nres == 1 ? presence_text(res[0], p->who, sizeof p->who) : -1;
	p->shown = r.customer_id;
	p->others = n > 0 ? n : 0;
	p->recheck_at_ms = app_now_ms() + PRESENCE_RECHECK_MS;
	r.a->dirty = 1;
}

static void presence_submit(struct app *a, int tag, long long customer_id)
{
	char id[32];
	const char *params[1] = {NULL};
	if (customer_id) {
		snprintf(id, sizeof id, "%lld", customer_id);
		params[0] = id;
	}
	struct db_stmt st;
	if (tag == TAG_PRESENCE_SET)
		presence_set_statement(&st, params);
	else
		presence_here_statement(&st, params);
	struct presence_req *r = malloc(sizeof *r);
	if (!r)
		abort();
	r->a = a;
	r->customer_id = customer_id;
	/* A new connection is announced afresh (app_presence_follow after
	 * every connect), so a set is not retried; a read is.  Both on the
	 * primary: a standby has no unlogged table, and its reads of the
	 * screens need not wait for presence. */
	dbq_submit_unreplicated(a->db, tag, &st, 1, tag == TAG_PRESENCE_READ, on_presence, r);
}

void app_presence_follow(struct app *a)
{
	struct app_presence *p = &a->presence;
	long long want = presence_wanted(a);
	if (want != p->shown) {
		p->others = 0;
		p->who[0] = '\0';
		p->shown = 0;
	}
	if (!a->ready || !a->me.staff || want == p->announced)
		return;
	/* A fresh session shows nothing yet: only a customer needs saying. */
	if (p->announced == -1 && !want) {
		p->announced = 0;
		return;
	}
	p->announced = want;
	p->pending = 0;
	presence_submit(a, TAG_PRESENCE_SET, want);
}

void app_presence_changed(struct app *a, long long customer_id)
{
	if (customer_id && customer_id == a->presence.announced)
		a->presence.pending = 1;
}

int app_presence_flush(struct app *a)
{
	struct app_presence *p = &a->presence;
	if (p->others && p->shown == p->announced && app_now_ms() >= p->recheck_at_ms)
		p->pending = 1;
	if (!p->pending)
		return 0;
	p->pending = 0;
	if (p->announced <= 0)
		return 0;
	p->recheck_at_ms = app_now_ms() + PRESENCE_RECHECK_MS;
	presence_submit(a, TAG_PRESENCE_READ, p->announced);
	return 1;
}

long long app_presence_due_ms(const struct app *a)
{
	const struct app_presence *p = &a->presence;
	return p->others && p->shown == p->announced ? p->recheck_at_ms : -1;
}

int presence_draw(struct app *a, long long customer_id, int y, int xr, int maxw)
{
	const struct app_presence *p = &a->presence;
	if (!p->others || p->shown != customer_id || maxw < 12)
		return 0;
	char line[300];
	snprintf(line, sizeof line, "also here: %s", p->who);
	int w = text_width(line);
	if (w > maxw)
		w = maxw;
	ui_text(stdscr, y, xr - w, w, term_attr(UA_WARN), line, 0);
	return w + 2;
}
