/* The queue's steps on one or many handoffs: acknowledge the marked ones,
 * reassign the selected or marked ones, each step with optimistic
 * concurrency (the version the lead saw), kept on disk until the database
 * has it (ui/handoff_actions.c), and one report for the lot. */
#include "baton/buf.h"
#include "baton/config.h"
#include "baton/handoff.h"
#include "baton/text.h"
#include "ui/queue.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct bulk {
	struct app *app;
	int pending, done, refused;
	char first_refusal[256];
	const char *verb;
};

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

/* Once every step has answered (and the loop sending them is over): one
 * report for the lot. */
static void bulk_settle(struct bulk *b)
{
	if (b->pending > 0)
		return;
	if (b->done + b->refused > 0)
		bulk_report(b);
	free(b);
}

/* One step answered (or dropped unanswered: quitting, its draft kept). */
static void on_bulk_step(struct app *a, void *ctx, int done, const char *why)
{
	struct bulk *b = ctx;
	(void)a;
	b->pending--;
	if (done > 0) {
		b->done++;
	} else if (done == 0) {
		b->refused++;
		if (!b->first_refusal[0])
			snprintf(b->first_refusal, sizeof b->first_refusal, "%s", why);
	}
	bulk_settle(b);
}

/* One step per target, each kept as a queued draft like a single one;
 * the steps outlive the screen (they are writes). */
static void run_bulk(struct app *a, const struct queue_target *t, int n, const char *kind,
                     const char *team, const char *person, const char *comment)
{
	struct bulk *b = calloc(1, sizeof *b);
	if (!b)
		abort();
	b->app = a;
	b->verb = kind;
	b->pending = 1; /* the loop's own, so that no early answer ends the lot */
	int unsaved = 0, made = 0;
	for (int i = 0; i < n; i++) {
		struct step_new st;
		memset(&st, 0, sizeof st);
		if (handoff_step_init(&st.s, t[i].id, kind) < 0)
			continue;
		st.s.version = t[i].version;
		if (comment && *comment && !(st.s.comment = strdup(comment)))
			abort();
		snprintf(st.s.to_team, sizeof st.s.to_team, "%s", team ? team : "");
		snprintf(st.s.to_staff, sizeof st.s.to_staff, "%s", person ? person : "");
		text_copy(st.customer_name, sizeof st.customer_name, t[i].customer);
		made++;
		b->pending++;
		unsaved += handoff_step_send(a, &st, on_bulk_step, b);
	}
	const char *noun = strcmp(kind, "acknowledged") ? "reassignment" : "acknowledgement";
	if (made < n)
		app_message(a, 1, "no randomness for the event ids: %d of %d not sent", n - made, n);
	else if (unsaved)
		app_message(a, APP_MSG_WHOLE, "NOT SAVED — %d %s%s in memory only (quitting loses %s)", unsaved,
		            noun, unsaved == 1 ? "" : "s", unsaved == 1 ? "it" : "them");
	else if (a->db_state != DBQ_READY)
		app_message(a, 1, "database unreachable: %d %s%s saved, sent when it is back", made, noun,
		            made == 1 ? "" : "s");
	b->pending--;
	bulk_settle(b);
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

static void ask_destination(struct app *a, struct ask *c);

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

/* The server's answer for someone who is not a lead: when it would refuse
 * every target whatever the destination, it says so now, as it would
 * after the prompts; otherwise (or with no answer) the prompts go on, and
 * the server decides on what is sent. */
static void on_refusals(void *ctx, PGresult **res, int nres, const char *err)
{
	struct ask *c = ctx;
	struct app *a = c->s->app;
	int refused = !err && nres == 1 && PQnfields(res[0]) == 1 ? PQntuples(res[0]) : 0;
	/* Gone meanwhile, or the person went on elsewhere: nothing to ask. */
	if (err == dbq_cancelled || !c->s->alive || a->top != c->s || a->prompt.active) {
		screen_release(c->s);
		ask_free(c);
		return;
	}
	if (refused > 0 && refused == c->n) {
		if (c->n == 1)
			app_message(a, 1, "not reassigned: %s", PQgetvalue(res[0], 0, 0));
		else
			app_message(a, 1, "reassigned 0, refused %d: %s", refused, PQgetvalue(res[0], 0, 0));
		screen_release(c->s);
		ask_free(c);
		return;
	}
	ask_destination(a, c);
}

/* Who may reassign is the server's rule (reassign_by: leads, or also the
 * receiving team), which the console does not keep: for someone who is
 * not a lead, it asks the server first, rather than asking for a
 * destination and a comment it would refuse. */
static void ask_refusals(struct app *a, struct ask *c)
{
	struct buf ids = BUF_INIT;
	buf_putc(&ids, '{');
	for (int i = 0; i < c->n; i++)
		buf_printf(&ids, "%s%s", i ? "," : "", c->t[i].id);
	buf_putc(&ids, '}');
	const char *params[] = {buf_str(&ids)};
	struct db_stmt st = {handoff_reassign_refusals_sql, 1, params};
	dbq_submit(a->db, 0, &st, 1, 0, on_refusals, c);
	buf_free(&ids);
}

/* --- the prompts: how many, and which ------------------------------------------ */

/* How a target is named: its customer, with the reason when another
 * target has the same customer ("Northwind Health · escalation"). */
static void target_name(struct buf *b, const struct queue_target *t, int n, int i)
{
	int twin = 0;
	for (int j = 0; j < n && !twin; j++)
		twin = j != i && !strcmp(t[j].customer, t[i].customer);
	buf_puts(b, t[i].customer);
	if (twin && t[i].reason[0])
		buf_printf(b, " %s %s", term_sym(SYM_DOT), t[i].reason);
}

/* Widths of the names as they would be cut to cap columns, plus the
 * separators and the "+N more" of those left out: k names shown. */
static int names_width(const int *w, int n, int k, int cap)
{
	int total = 0;
	for (int i = 0; i < k; i++)
		total += (w[i] < cap ? w[i] : cap) + (i ? 2 : 0);
	if (k < n) {
		char more[32];
		snprintf(more, sizeof more, ", +%d more", n - k);
		total += text_width(more);
	}
	return total;
}

enum { NAME_COLS_MAX = 32, NAME_COLS_MIN = 12 };

/* "Acknowledge 3 handoffs (Northwind Health, Café Lumière, +1 more)? comment:":
 * head, the count, the targets named in as many as fit of cols columns
 * (each cut to 12-32 with its mark, the rest counted), tail.  With no
 * room for one name, the count alone. */
static void targets_label(char *out, size_t size, const char *head, const struct queue_target *t,
                          int n, const char *tail, int cols)
{
	struct buf b = BUF_INIT, name = BUF_INIT;
	int *w = calloc((size_t)n + 1, sizeof *w);
	if (!w)
		abort();
	for (int i = 0; i < n; i++) {
		buf_reset(&name);
		target_name(&name, t, n, i);
		char *clean = text_clean_dup(buf_str(&name), TEXT_ONELINE);
		w[i] = text_width(clean);
		free(clean);
	}
	buf_printf(&b, "%s %d handoff%s", head, n, n == 1 ? "" : "s");
	int room = cols - text_width(buf_str(&b)) - 3 - text_width(tail); /* " (" ")" */
	int k = n, cap = NAME_COLS_MAX;
	for (; k > 0; k--) {
		for (cap = NAME_COLS_MAX; cap >= NAME_COLS_MIN && names_width(w, n, k, cap) > room; cap--)
			;
		if (cap >= NAME_COLS_MIN)
			break;
	}
	if (k > 0) {
		buf_puts(&b, " (");
		struct buf fit = BUF_INIT;
		int shown = 0;
		for (int i = 0; i < k; i++) {
			buf_reset(&name);
			buf_reset(&fit);
			target_name(&name, t, n, i);
			ui_put_fit(&fit, buf_str(&name), cap);
			/* A wide terminal's many names in the label's bytes:
			 * the rest counted, the tail whole. */
			if (b.len + fit.len + strlen(tail) + 24 >= size)
				break;
			buf_printf(&b, "%s%s", i ? ", " : "", buf_str(&fit));
			shown++;
		}
		buf_free(&fit);
		if (shown < n)
			buf_printf(&b, "%s+%d more", shown ? ", " : "", n - shown);
		buf_puts(&b, ")");
	}
	buf_puts(&b, tail);
	text_copy(out, size, buf_str(&b));
	free(w);
	buf_free(&name);
	buf_free(&b);
}

/* The label's columns: those the prompt gives a question before anything
 * is typed (app_prompt_draw). */
static int label_cols(const struct app *a)
{
	return a->cols - 14;
}

static void ask_destination(struct app *a, struct ask *c)
{
	char label[320];
	targets_label(label, sizeof label, "Reassign", c->t, c->n, " to team[:person]:", label_cols(a));
	app_prompt(a, label, 0, on_destination, c);
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
	if (acking) {
		char label[320];
		targets_label(label, sizeof label, "Acknowledge", t, n, "? comment:", label_cols(a));
		app_prompt(a, label, 0, on_comment, c);
	} else if (!a->me.lead && a->db_state == DBQ_READY) {
		ask_refusals(a, c);
	} else {
		ask_destination(a, c);
	}
}
