/* Saved drafts, offered at start: handoffs written before a dropped SSH
 * session, a closed terminal or a database outage.  Enter resumes editing,
 * s sends, d discards (asks), q leaves them for later. */
#include "baton/draft.h"
#include "baton/handoff.h"
#include "baton/text.h"
#include "ui/ui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct drafts {
	struct screen base;
	char **paths;
	int n;
	struct handoff_new *h;
	int *queued;
	struct ui_list l;
	int height;
};

static void drafts_free_items(struct drafts *d)
{
	for (int i = 0; i < d->n; i++)
		handoff_clear(&d->h[i]);
	free(d->h);
	free(d->queued);
	if (d->paths)
		draft_list_free(d->paths, d->n);
	d->h = NULL;
	d->queued = NULL;
	d->paths = NULL;
	d->n = 0;
}

static void drafts_load(struct drafts *d)
{
	drafts_free_items(d);
	char **paths;
	int n = draft_list(&paths);
	if (n < 0)
		return;
	d->h = calloc((size_t)n + 1, sizeof *d->h);
	d->queued = calloc((size_t)n + 1, sizeof *d->queued);
	d->paths = calloc((size_t)n + 1, sizeof *d->paths);
	if (!d->h || !d->queued || !d->paths)
		abort();
	for (int i = 0; i < n; i++) {
		if (draft_load(paths[i], &d->h[d->n], &d->queued[d->n]) == 0)
			d->paths[d->n++] = paths[i];
		else
			free(paths[i]); /* unreadable: left on disk, not offered */
	}
	free(paths);
	ui_list_fit(&d->l, d->n, 1);
}

static void drafts_destroy(struct screen *s)
{
	struct drafts *d = (struct drafts *)s;
	drafts_free_items(d);
	free(d);
}

static void drafts_draw(struct screen *s, struct app *a)
{
	struct drafts *d = (struct drafts *)s;
	ui_textf(stdscr, 0, 1, a->cols / 2, term_attr(UA_HEADER), 0, "Baton %s Saved handoff drafts",
	         term_sym(SYM_DOT));
	ui_text(stdscr, 1, 1, a->cols - 2, (int)A_NORMAL,
	        "These were not sent yet. Enter resume  s send  d discard  q later", 0);
	d->height = a->rows - 4;
	ui_list_fit(&d->l, d->n, d->height);
	if (d->n == 0)
		ui_text(stdscr, 3, 3, a->cols - 4, term_attr(UA_DIM), "No drafts left.", 0);
	for (int i = 0; i < d->height && d->l.top + i < d->n; i++) {
		int r = d->l.top + i, y = 3 + i, x = 1;
		int sel = r == d->l.sel;
		ui_text(stdscr, y, x, 1, sel ? term_attr(UA_SEL) : (int)A_NORMAL, sel ? term_sym(SYM_SEL) : " ", 0);
		x += 2;
		x += ui_text(stdscr, y, x, 8, d->queued[r] ? term_attr(UA_WARN) : (int)A_NORMAL,
		             d->queued[r] ? "QUEUED" : "draft", 1) + 1;
		x += ui_text(stdscr, y, x, 22, (int)A_NORMAL, d->h[r].customer_name, 1) + 1;
		x += ui_textf(stdscr, y, x, 14, (int)A_NORMAL, 1, "to %s", d->h[r].to_team[0] ? d->h[r].to_team : "?") + 1;
		ui_textf(stdscr, y, x, a->cols - x - 1, term_attr(UA_DIM), 0, "\"%s\"", d->h[r].note ? d->h[r].note : "");
	}
}

struct discard_ctx {
	struct drafts *d;
	char id[37];
};

static void on_discard(struct app *a, void *ctx, const char *answer)
{
	struct discard_ctx *c = ctx;
	struct drafts *d = c->d;
	if (screen_release(&d->base) && answer && answer[0] == 'y') {
		draft_remove(c->id);
		drafts_load(d);
		app_message(a, 0, "draft discarded");
	}
	free(c);
}

static void drafts_action(struct screen *s, struct app *a, enum ui_action act)
{
	struct drafts *d = (struct drafts *)s;
	int r = d->l.sel;
	int have = r >= 0 && r < d->n;
	switch (act) {
	case ACT_BACK:
		app_pop(a);
		return;
	case ACT_OPEN:
		if (!have)
			return;
		if (d->queued[r]) {
			handoff_send(a, &d->h[r]);
		} else {
			struct handoff_new h = d->h[r];
			memset(&d->h[r], 0, sizeof d->h[r]);
			app_pop(a); /* the list is stale once a draft is taken */
			app_push(a, handoff_form_new(a, &h, NULL));
			return;
		}
		drafts_load(d);
		return;
	case ACT_SEND: {
		if (!have)
			return;
		char err[256];
		/* The reasons and the largest note: the server checks them. */
		if (handoff_validate(&d->h[r], NULL, err, sizeof err) < 0) {
			app_message(a, 1, "cannot send it yet: %s (Enter to edit)", err);
			return;
		}
		handoff_send(a, &d->h[r]);
		drafts_load(d);
		return;
	}
	case ACT_DISCARD: {
		if (!have)
			return;
		struct discard_ctx *c = calloc(1, sizeof *c);
		if (!c)
			abort();
		c->d = d;
		snprintf(c->id, sizeof c->id, "%s", d->h[r].id);
		screen_hold(s);
		app_prompt(a, "Discard this draft for good?", 1, on_discard, c);
		return;
	}
	default:
		ui_list_move(&d->l, d->n, d->height - 1, act);
	}
}

/* After a send completes the draft file is gone: show what is left. */
static void drafts_reload(struct screen *s, struct app *a)
{
	(void)a;
	drafts_load((struct drafts *)s);
}

static const struct screen_ops drafts_ops = {
	.name = "drafts",
	.scope = SCOPE_DRAFTS,
	.draw = drafts_draw,
	.action = drafts_action,
	.reload = drafts_reload,
	.destroy = drafts_destroy,
	.hints = "Enter resume  s send  d discard  q later  ? help",
};

struct screen *drafts_new(struct app *a)
{
	(void)a;
	struct drafts *d = calloc(1, sizeof *d);
	if (!d)
		abort();
	d->base.ops = &drafts_ops;
	d->l.sel = -1;
	drafts_load(d);
	return &d->base;
}
