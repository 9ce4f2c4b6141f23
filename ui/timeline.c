/* The customer timeline: every event, newest first, one row each; Enter
 * opens an entry in full.  It re-reads on changes to its own customer. */
#include "baton/buf.h"
#include "baton/customer.h"
#include "baton/text.h"
#include "baton/timeline.h"
#include "ui/pager.h"
#include "ui/ui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { REQ_TIMELINE = 1 };

/* One row per entry: "19 Nov 2026 10:31   2d  note  ana  text..." */
static const char *entry_ref(const void *ctx, int row)
{
	return ((const struct timeline *)ctx)->e[row].ref;
}

static void timeline_show(struct pager *p, const struct timeline *t)
{
	struct buf b = BUF_INIT;
	/* New entries come in at the top: the cursor stays on its entry. */
	char *was = NULL;
	if (p->keys && p->l.sel >= 0 && p->l.sel < p->ndetails)
		was = strdup(p->keys[p->l.sel]);
	pager_free_details(p);
	p->details = calloc((size_t)t->n + 1, sizeof *p->details);
	p->keys = calloc((size_t)t->n + 1, sizeof *p->keys);
	if (!p->details || !p->keys)
		abort();
	p->ndetails = t->n;
	for (int i = 0; i < t->n; i++) {
		const struct timeline_entry *e = &t->e[i];
		char when[32], age[16];
		fmt_when(when, sizeof when, e->at);
		if (e->at[0])
			fmt_age(age, sizeof age, e->age_s);
		else
			snprintf(age, sizeof age, "%s", "");
		struct buf line = BUF_INIT;
		/* One entry per row: flatten newlines of notes. */
		text_clean(&line, e->text, strlen(e->text), TEXT_ONELINE);
		buf_printf(&b, "%-17s %4s  %-20s %-8s %s\n", e->at[0] ? when : "undated", age, e->kind,
		           e->who, buf_str(&line));
		buf_free(&line);
		struct buf d = BUF_INIT;
		buf_printf(&d, "%s  %s  %s\n\n%s\n", e->at[0] ? when : "undated", e->kind, e->who, e->text);
		p->details[i] = buf_steal(&d);
		p->keys[i] = strdup(e->ref);
		if (!p->keys[i])
			abort();
	}
	ui_list_follow(&p->l, was, t->n, entry_ref, t);
	free(was);
	if (t->n == 0)
		buf_puts(&b, "Nothing has happened yet.");
	free(p->text);
	p->text = buf_steal(&b);
	p->wrapped_cols = 0;
}

static void on_timeline(struct screen *s, struct app *a, PGresult **res, int nres, const char *err)
{
	struct pager *p = (struct pager *)s;
	char e[256];
	struct timeline t;
	(void)a;
	p->loading = 0;
	if (!err && nres == 1 && timeline_from_result(&t, res[0], e, sizeof e) == 0) {
		timeline_show(p, &t);
		timeline_free(&t);
		return;
	}
	free(p->text);
	struct buf b = BUF_INIT;
	buf_printf(&b, "Could not read the timeline: %s", err ? err : e);
	p->text = buf_steal(&b);
	p->wrapped_cols = 0;
}

static void timeline_reload(struct screen *s, struct app *a)
{
	struct pager *p = (struct pager *)s;
	const char *params[] = {p->idtxt};
	struct db_stmt st;
	timeline_statement(&st, params);
	screen_request(s, a, REQ_TIMELINE, &st, 1, 0, on_timeline);
}

static const struct screen_ops timeline_ops = {
	.name = "timeline",
	.scope = SCOPE_PAGER,
	.draw = pager_draw,
	.action = pager_action,
	.reload = timeline_reload,
	.destroy = pager_destroy,
	.hints = "j/k move  Enter open  / search  n/N next/prev  R refresh  q back  ? help",
};

struct screen *timeline_new(struct app *a, long long customer_id, const char *name)
{
	char title[256];
	snprintf(title, sizeof title, "Timeline %s %s", term_sym(SYM_DOT), name);
	struct pager *p = pager_alloc(title, "");
	p->base.ops = &timeline_ops;
	p->selectable = 1;
	p->loading = 1;
	p->customer_id = customer_id;
	/* Change notifications about other customers leave it alone. */
	p->base.customer_id = customer_id;
	snprintf(p->idtxt, sizeof p->idtxt, "%lld", customer_id);
	timeline_reload(&p->base, a);
	return &p->base;
}

