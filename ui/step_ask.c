/* Asking for a step on a handoff (acknowledge, resolve, cancel): a prompt
 * that names the handoff and takes an optional comment, which goes to
 * handoff_step_send (ui/handoff_actions.c); and the comments of steps the
 * server refused, offered again in that prompt. */
#include "baton/buf.h"
#include "baton/fmt.h"
#include "baton/handoff.h"
#include "baton/text.h"
#include "ui/ui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- comments of refused steps ------------------------------------------------------ */

/* A step's comment that did not make it (refused: the handoff changed
 * meanwhile), by handoff and step: offered again in the prompt when the
 * person tries again.  A few suffice; the oldest makes room. */
enum { KEPT_MAX = 8 };
static struct kept_comment {
	char id[37];
	char kind[16];
	char text[512];
} kept[KEPT_MAX];
static unsigned kept_next;

static struct kept_comment *kept_find(const char *id, const char *kind)
{
	for (int i = 0; i < KEPT_MAX; i++)
		if (!strcmp(kept[i].id, id) && !strcmp(kept[i].kind, kind))
			return &kept[i];
	return NULL;
}

void step_comment_answered(const struct handoff_step *s, int done)
{
	struct kept_comment *k = kept_find(s->id, s->kind);
	if (done || !s->comment || !*s->comment) {
		if (k)
			memset(k, 0, sizeof *k);
		return;
	}
	if (!k)
		k = &kept[kept_next++ % KEPT_MAX];
	snprintf(k->id, sizeof k->id, "%s", s->id);
	snprintf(k->kind, sizeof k->kind, "%s", s->kind);
	snprintf(k->text, sizeof k->text, "%s", s->comment);
}

/* --- steps ------------------------------------------------------------------------ */

static void on_comment(struct app *a, void *ctx, const char *answer)
{
	struct step_new *st = ctx;
	if (answer) {
		if (*answer && !(st->s.comment = strdup(answer)))
			abort();
		handoff_step_send(a, st, NULL, NULL);
	}
	handoff_step_clear(&st->s);
	free(st);
}

/* "Acknowledge escalation from Support (Northwind Health)? comment:": the
 * handoff the step acts on, named as its row shows it, each part cleaned
 * and cut; the customer's name only where the question still fits on an
 * 80-column prompt line (app_prompt_draw) with it. */
enum { STEP_LABEL_COLS = 66 };

static void step_label(char *out, size_t n, const struct handoff_ref *h, const char *kind, int customer)
{
	struct buf b = BUF_INIT;
	char reason[128];
	fmt_words(reason, sizeof reason, h->reason && *h->reason ? h->reason : "the handoff");
	char verb[16], team[64];
	fmt_capital(verb, sizeof verb, handoff_step_verb(kind));
	buf_printf(&b, "%s ", verb);
	ui_put_fit(&b, reason, 20);
	if (h->from_team && *h->from_team) {
		buf_puts(&b, " from ");
		fmt_capital(team, sizeof team, h->from_team);
		ui_put_fit(&b, team, 12);
	}
	if (customer && h->customer && *h->customer) {
		buf_puts(&b, " (");
		ui_put_fit(&b, h->customer, 24);
		buf_puts(&b, ")");
	}
	buf_puts(&b, "? comment:");
	if (customer && text_width(buf_str(&b)) > STEP_LABEL_COLS)
		step_label(out, n, h, kind, 0);
	else
		text_copy(out, n, buf_str(&b));
	buf_free(&b);
}

void handoff_step_ask(struct app *a, const struct handoff_ref *h, const char *kind)
{
	struct step_new *st = calloc(1, sizeof *st);
	if (!st)
		abort();
	if (handoff_step_init(&st->s, h->id, kind) < 0) {
		free(st);
		app_message(a, 1, "no randomness for the event id");
		return;
	}
	st->s.version = h->version;
	text_copy(st->customer_name, sizeof st->customer_name, h->customer);
	char label[sizeof a->prompt.label];
	step_label(label, sizeof label, h, kind, 1);
	app_prompt(a, label, 0, on_comment, st);
	const struct kept_comment *k = kept_find(h->id, kind);
	if (k)
		snprintf(a->prompt.text, sizeof a->prompt.text, "%s", k->text);
}
