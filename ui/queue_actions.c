/* The queue's steps on one or many handoffs: acknowledge the marked ones,
 * reassign the selected or marked ones, each step with optimistic
 * concurrency (the version the lead saw) and one report for the lot. */
#include "baton/config.h"
#include "baton/handoff.h"
#include "ui/queue.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct bulk {
	struct app *app;
	int n, pending, done, refused;
	char first_refusal[256];
	const char *verb;
	struct handoff_params *params;
	struct handoff_step *steps;
};

static void bulk_free(struct bulk *b)
{
	for (int i = 0; i < b->n; i++)
		handoff_step_clear(&b->steps[i]);
	free(b->steps);
	free(b->params);
	free(b);
}

static void bulk_report(struct bulk *b)
{
	struct app *a = b->app;
	if (b->refused && b->done + b->refused == 1)
		app_message(a, 1, "not %s: %s", b->verb, b->first_refusal);
	else if (b->refused)
		app_message(a, 1, "%s %d, refused %d: %s", b->verb, b->done, b->refused, b->first_refusal);
	else
		app_message(a, 0, "%s %d handoff%s", b->verb, b->done, b->done == 1 ? "" : "s");
	/* Changes come back as notifications; refusals need the fresh state. */
	if (b->refused)
		app_reload_all(a);
}

static void on_bulk_step(void *ctx, PGresult **res, int nres, const char *err)
{
	struct bulk *b = ctx;
	struct handoff_step_result r;
	b->pending--;
	if (err == dbq_cancelled) {
		if (b->pending == 0)
			bulk_free(b);
		return;
	}
	int ok = !err && nres == 1 && handoff_step_read(res[0], &r) == 0;
	if (ok && r.done) {
		b->done++;
	} else {
		b->refused++;
		if (!b->first_refusal[0])
			snprintf(b->first_refusal, sizeof b->first_refusal, "%s",
			         err ? err : ok ? r.message : "unexpected answer");
	}
	if (b->pending > 0)
		return;
	bulk_report(b);
	bulk_free(b);
}

/* One step per target; the steps outlive the screen (they are writes). */
static void run_bulk(struct app *a, const struct queue_target *t, int n, const char *kind,
                     const char *team, const char *person, const char *comment)
{
	struct bulk *b = calloc(1, sizeof *b);
	if (!b)
		abort();
	b->app = a;
	b->verb = kind;
	b->steps = calloc((size_t)n, sizeof *b->steps);
	b->params = calloc((size_t)n, sizeof *b->params);
	if (!b->steps || !b->params)
		abort();
	b->n = b->pending = n;
	for (int i = 0; i < n; i++) {
		struct handoff_step *st = &b->steps[i];
		handoff_step_init(st, t[i].id, kind);
		st->version = t[i].version;
		if (comment && *comment && !(st->comment = strdup(comment)))
			abort();
		snprintf(st->to_team, sizeof st->to_team, "%s", team ? team : "");
		snprintf(st->to_staff, sizeof st->to_staff, "%s", person ? person : "");
		struct db_stmt s;
		handoff_step_stmt(st, &b->params[i], &s);
		dbq_submit(a->db, 0, &s, 1, 1, on_bulk_step, b);
	}
}

struct ask {
	struct screen *s;
	void (*sent)(struct screen *s);
	char team[33], person[64];
	int acking;
	struct queue_target *t;
	int n;
};

static void ask_free(struct ask *c)
{
	free(c->t);
	free(c);
}

static void on_comment(struct app *a, void *ctx, const char *answer)
{
	struct ask *c = ctx;
	if (screen_release(c->s) && answer) {
		if (!c->acking && !*answer) {
			app_message(a, 1, "a reassignment needs a comment: say why");
		} else {
			run_bulk(a, c->t, c->n, c->acking ? "acknowledged" : "reassigned",
			         c->acking ? NULL : c->team, c->acking ? NULL : c->person, answer);
			c->sent(c->s);
		}
	}
	ask_free(c);
}

static void on_destination(struct app *a, void *ctx, const char *answer)
{
	struct ask *c = ctx;
	if (!answer || !*answer || !c->s->alive) {
		screen_release(c->s);
		ask_free(c);
		return;
	}
	const char *colon = strchr(answer, ':');
	size_t tl = colon ? (size_t)(colon - answer) : strlen(answer);
	snprintf(c->team, sizeof c->team, "%.*s", (int)(tl < sizeof c->team ? tl : sizeof c->team - 1), answer);
	snprintf(c->person, sizeof c->person, "%s", colon ? colon + 1 : "");
	for (char *p = c->team; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	app_prompt(a, "Why (comment)?", 0, on_comment, c);
}

void queue_actions_start(struct screen *s, struct app *a, struct queue_target *t, int n, int acking,
                         void (*sent)(struct screen *s))
{
	if (n == 0) {
		free(t);
		app_message(a, 1, "nothing selected");
		return;
	}
	struct ask *c = calloc(1, sizeof *c);
	if (!c)
		abort();
	c->s = s;
	c->sent = sent;
	c->acking = acking;
	c->t = t;
	c->n = n;
	screen_hold(s);
	if (acking)
		app_prompt(a, "Acknowledge the marked handoffs; comment (optional):", 0, on_comment, c);
	else
		app_prompt(a, "Reassign to team[:person]:", 0, on_destination, c);
}
