#include "baton/waiting.h"
#include "baton/handoff.h"
#include "baton/notify.h"

#include <stdlib.h>
#include <string.h>

void waiting_live_init(struct waiting_live *w)
{
	memset(w, 0, sizeof *w);
	w->reread = 1;
}

void waiting_live_free(struct waiting_live *w)
{
	finder_waiting_free(&w->list);
	memset(w, 0, sizeof *w);
}

int waiting_find(const struct waiting_list *l, const char *id)
{
	for (int i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].id, id))
			return i;
	return -1;
}

/* The list's order (finder_waiting_sql): open first, urgent first within
 * each state (085), then by created_at, then by id (a uuid's order is its
 * text's). */
struct key {
	int ack, urgent;
	long long us;
	const char *id;
};

static int key_cmp(struct key a, struct key b)
{
	if (a.ack != b.ack)
		return a.ack < b.ack ? -1 : 1;
	if (a.urgent != b.urgent)
		return a.urgent ? -1 : 1;
	if (a.us != b.us)
		return a.us < b.us ? -1 : 1;
	return strcmp(a.id, b.id);
}

static struct key row_key(const struct waiting_handoff *h)
{
	return (struct key){!h->open, h->priority && !strcmp(h->priority, "urgent"), h->created_us, h->id};
}

static int row_cmp(const void *a, const void *b)
{
	return key_cmp(row_key(a), row_key(b));
}

int waiting_note(struct waiting_live *w, const struct notify_change *c, const char *team,
                 const char *me)
{
	if (c->kind == NOTIFY_OTHER) {
		w->reread = 1;
		return 1;
	}
	/* Nobody's list shows comments. */
	if (!notify_handoff_for(c, team, me) || !c->row_changed)
		return 0;
	if (!c->handoff[0]) {
		w->reread = 1;
		return 1;
	}
	struct waiting_change *p = NULL;
	for (int i = 0; i < w->npending && !p; i++)
		if (!strcmp(w->pending[i].id, c->handoff))
			p = &w->pending[i];
	if (!p && w->npending == WAITING_PENDING_MAX) {
		/* A burst (a bulk acknowledge): one whole read is cheaper. */
		w->reread = 1;
		return 1;
	}
	if (!p)
		p = &w->pending[w->npending++];
	/* The last word about a handoff is what it is now. */
	memcpy(p->id, c->handoff, sizeof p->id);
	p->ack = !strcmp(c->state, "acknowledged");
	p->belongs = handoff_state_active(c->state) &&
	             ((team && *team && !strcmp(c->team[0], team)) ||
	              (me && *me && !strcmp(c->staff[0], me)));
	p->urgent = c->urgent != 0;
	p->created_us = c->created_us;
	return 1;
}

int waiting_due(const struct waiting_live *w)
{
	return !w->busy && (w->reread || w->npending > 0);
}

void waiting_reading(struct waiting_live *w)
{
	w->reread = 0;
	w->npending = 0;
	w->nasked = 0;
	w->busy = 1;
}

/* Drop the rows of the handoffs asked about. */
static void drop_asked(struct waiting_live *w)
{
	struct waiting_list *l = &w->list;
	int k = 0;
	for (int i = 0; i < l->n; i++) {
		int asked = 0;
		for (int j = 0; j < w->nasked && !asked; j++)
			asked = !strcmp(l->v[i].id, w->asked[j]);
		if (asked)
			finder_waiting_row_free(&l->v[i]);
		else
			l->v[k++] = l->v[i];
	}
	l->n = k;
}

enum waiting_next waiting_catch_up(struct waiting_live *w, struct db_stmt *st)
{
	if (w->busy)
		return WAITING_NOTHING;
	if (w->reread) {
		waiting_reading(w);
		return WAITING_READ;
	}
	const struct waiting_handoff *last = w->full && w->list.n ? &w->list.v[w->list.n - 1] : NULL;
	int fetch = 0;
	w->nasked = 0;
	for (int i = 0; i < w->npending; i++) {
		const struct waiting_change *p = &w->pending[i];
		int shown = waiting_find(&w->list, p->id) >= 0;
		/* Not shown, and not to be: a full list's rows all come first. */
		if (!shown && (!p->belongs ||
		               (last && key_cmp((struct key){p->ack, p->urgent, p->created_us, p->id},
		                                row_key(last)) > 0)))
			continue;
		memcpy(w->asked[w->nasked++], p->id, sizeof *w->asked);
		fetch |= p->belongs;
	}
	w->npending = 0;
	if (!w->nasked)
		return WAITING_NOTHING;
	if (!fetch) {
		/* Rows that left: what follows a full list is not known. */
		drop_asked(w);
		w->nasked = 0;
		if (w->full) {
			waiting_reading(w);
			return WAITING_READ;
		}
		return WAITING_NOTHING;
	}
	/* Ask for every one of them: what they are now, if they belong. */
	char *o = w->param;
	*o++ = '{';
	for (int i = 0; i < w->nasked; i++) {
		if (i)
			*o++ = ',';
		memcpy(o, w->asked[i], 36);
		o += 36;
	}
	*o++ = '}';
	*o = '\0';
	w->params[0] = w->param;
	*st = (struct db_stmt){finder_waiting_rows_sql, 1, w->params};
	w->busy = 1;
	return WAITING_FETCH;
}

void waiting_adopt(struct waiting_live *w, struct waiting_list *fresh)
{
	finder_waiting_free(&w->list);
	w->list = *fresh;
	memset(fresh, 0, sizeof *fresh);
	w->full = w->list.n >= WAITING_LIMIT;
	w->busy = 0;
	w->known = 1;
}

void waiting_failed(struct waiting_live *w)
{
	w->busy = 0;
	w->nasked = 0;
	w->reread = 1;
}

int waiting_fetched(struct waiting_live *w, const PGresult *r)
{
	struct waiting_list got;
	if (finder_waiting_read(r, &got) < 0) {
		waiting_failed(w);
		return -1;
	}
	w->busy = 0;
	struct waiting_list *l = &w->list;
	/* The last row of a full list bounds what is known. */
	int was_full = w->full && l->n > 0;
	char last_id[37] = "";
	struct key last = {0, 0, 0, last_id};
	if (was_full) {
		last = row_key(&l->v[l->n - 1]);
		memcpy(last_id, last.id, sizeof last_id);
		last.id = last_id;
	}
	drop_asked(w);
	w->nasked = 0;
	struct waiting_handoff *v = realloc(l->v, (size_t)(l->n + got.n + 1) * sizeof *v);
	if (!v)
		abort();
	l->v = v;
	memcpy(l->v + l->n, got.v, (size_t)got.n * sizeof *got.v);
	l->n += got.n;
	free(got.v);
	qsort(l->v, (size_t)l->n, sizeof *l->v, row_cmp);
	if (was_full) {
		const struct waiting_handoff *e = l->n >= WAITING_LIMIT ? &l->v[WAITING_LIMIT - 1] : NULL;
		if (!e || key_cmp(row_key(e), last) > 0) {
			w->reread = 1;
			return -1;
		}
	}
	/* Those pushed past the end are no longer shown. */
	while (l->n > WAITING_LIMIT)
		finder_waiting_row_free(&l->v[--l->n]);
	w->full = l->n >= WAITING_LIMIT;
	return 0;
}
