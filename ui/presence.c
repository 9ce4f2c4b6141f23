/* Presence: the console tells the server which customer it shows, and
 * shows who else has it open ("also here: ben (Success)").  The server ties
 * each entry to the session (migration 067: a lock the session holds,
 * which its end or a pooler's reset releases) and to its last word: a
 * console that dies disappears by itself, also behind a pooler.  Nothing
 * here runs per keystroke: the server hears when the customer on screen
 * changes, again every PRESENCE_REFRESH_MS while it shows one, and when
 * the console quits; the list is read again on a presence notification
 * about it, or every PRESENCE_RECHECK_MS while others are listed (a
 * console that died sends no notification). */
#include "baton/presence.h"
#include "baton/text.h"
#include "ui/ui.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* dbq tags of the app's own requests: below the first screen's (64). */
enum { TAG_PRESENCE_SET = 1, TAG_PRESENCE_READ = 2 };
/* How stale a departed console may look: one small read per interval, and
 * only while someone else is listed. */
#define PRESENCE_RECHECK_MS 10000
/* The server forgets an entry not said again within 90 s (migration 067,
 * baton_presence_live): say it every 30 s, one call that tells nobody.
 * Bounds a console gone where its session stays (behind a pooler that
 * has not noticed yet). */
#define PRESENCE_REFRESH_MS 30000
/* Quitting waits this long at most for the server to hear it; after
 * that, the session's end (or the refresh lapsing) removes the entry. */
#define PRESENCE_LEAVE_MS 2000

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
	if (tag == TAG_PRESENCE_SET)
		a->presence.refresh_at_ms = app_now_ms() + PRESENCE_REFRESH_MS;
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
	/* Quitting: app_presence_leave has the last word. */
	if (!a->ready || !a->me.staff || a->quit || want == p->announced)
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
	long long now = app_now_ms();
	if (p->announced > 0 && now >= p->refresh_at_ms && !a->quit) {
		/* Said again: it answers who is here, so no read besides. */
		p->pending = 0;
		p->recheck_at_ms = now + PRESENCE_RECHECK_MS;
		presence_submit(a, TAG_PRESENCE_SET, p->announced);
		return 1;
	}
	if (p->others && p->shown == p->announced && now >= p->recheck_at_ms)
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
	long long due = p->others && p->shown == p->announced ? p->recheck_at_ms : -1;
	if (p->announced > 0 && (due < 0 || p->refresh_at_ms < due))
		due = p->refresh_at_ms;
	return due;
}

/* The answer to the last word, or that none will come. */
struct presence_leave {
	int answered;
	int abandoned; /* app_presence_leave stopped waiting: free it here */
};

static void on_left(void *ctx, PGresult **res, int nres, const char *err)
{
	struct presence_leave *l = ctx;
	(void)res;
	(void)nres;
	(void)err;
	if (l->abandoned)
		free(l);
	else
		l->answered = 1;
}

void app_presence_leave(struct app *a)
{
	struct app_presence *p = &a->presence;
	if (p->announced <= 0 || dbq_state(a->db) != DBQ_READY)
		return;
	const char *params[1] = {NULL};
	struct db_stmt st;
	presence_set_statement(&st, params);
	struct presence_leave *l = calloc(1, sizeof *l);
	if (!l)
		abort();
	p->announced = 0;
	dbq_submit_unreplicated(a->db, TAG_PRESENCE_SET, &st, 1, 0, on_left, l);
	/* What was queued before it goes first; nothing new is asked. */
	long long until = app_now_ms() + PRESENCE_LEAVE_MS;
	while (!l->answered && dbq_state(a->db) == DBQ_READY) {
		long long left = until - app_now_ms();
		if (left <= 0)
			break;
		struct pollfd pfd = {dbq_fd(a->db), dbq_events(a->db), 0};
		int rc = poll(&pfd, 1, (int)left);
		if (rc < 0 && errno != EINTR)
			break;
		dbq_handle(a->db, rc > 0 ? pfd.revents : 0);
	}
	/* Unanswered, it is answered later (dbq_free cancels it). */
	if (l->answered)
		free(l);
	else
		l->abandoned = 1;
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
