/* Saved drafts, offered at start and opened by D (F4) at any time:
 * handoffs and success notes written before a dropped SSH session, a
 * closed terminal or a database outage, those the server refused, and
 * handoff steps, holds, signal acknowledgements and onboarding changes
 * made while the database was unreachable.  Enter resumes editing (sends
 * what was already sent once: a step, a hold, an onboarding change, a
 * queued handoff or note), s sends, d discards (asks), q leaves them for
 * later.  What is on its way or open in a form, in this session or in
 * another console of the same person (one drafts directory, two SSH
 * sessions), is shown as such and left alone; the others are held while
 * they are used, and read again first. */
#include "baton/draft.h"
#include "baton/handoff.h"
#include "baton/fmt.h"
#include "baton/note.h"
#include "baton/onboarding.h"
#include "baton/text.h"
#include "ui/draft_form.h"
#include "ui/signals.h"
#include "ui/ui.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct drafts {
	struct screen base;
	struct draft_list list; /* this database and role's drafts only */
	char error[600];        /* the drafts directory refused */
	struct ui_list l;
	int height;
};

static void drafts_load(struct drafts *d, const struct app *a)
{
	draft_list_free(&d->list);
	if (draft_list(a->draft_owner, &d->list, d->error, sizeof d->error) >= 0)
		d->error[0] = '\0';
	ui_list_fit(&d->l, d->list.n, 1);
}

/* Where the draft is: on its way (sent, not yet answered) or open in a
 * form on the stack, in this session; open in a form or on its way in
 * another console of the same person (the same drafts directory: two SSH
 * sessions on one jump host); or neither. */
enum { DR_FREE, DR_SENDING, DR_OPEN, DR_OTHER_FORM, DR_OTHER_SENDING };
static int draft_busy(const struct app *a, const struct draft *dr)
{
	const char *id = draft_id(dr);
	char doing[DRAFT_DOING_MAX];
	if (handoff_send_pending(a, id) || signal_write_pending(id))
		return DR_SENDING;
	for (const struct screen *s = a->top; s; s = s->below) {
		const struct draft_form *f = draft_form_of(s);
		if (f && !strcmp(draft_id(&f->d), id))
			return DR_OPEN;
	}
	if (draft_locked_elsewhere(id, doing, sizeof doing))
		return strcmp(doing, "send") ? DR_OTHER_FORM : DR_OTHER_SENDING;
	return DR_FREE;
}

/* Why busy keeps Enter, s and d off the draft. */
static void busy_say(struct app *a, int busy)
{
	if (busy == DR_OPEN)
		app_message(a, 1, "it is open in a form: q goes back to it");
	else if (busy == DR_OTHER_FORM)
		app_message(a, 1, "open in a form in your other console: send or close it there");
	else if (busy == DR_OTHER_SENDING)
		app_message(a, 1, "your other console is sending it: its answer comes there");
	else
		app_message(a, 1, "already on its way: %s", a->db_state == DBQ_READY
		            ? "the database has not answered yet" : "sent when the database is back");
}

/* What a step does, in the kind column: "acknowledge", "reassign success". */
static void step_words(const struct step_new *st, char *out, size_t n)
{
	const char *k = st->s.kind ? st->s.kind : "";
	if (!strcmp(k, "reassigned"))
		snprintf(out, n, "reassign %s", st->s.to_team);
	else
		snprintf(out, n, "%s", handoff_step_verb(k));
}

/* The customer column, a step's its handoff's when the name is unknown;
 * a signal write's what it is about (the send and its customer). */
static void draft_whose(const struct draft *dr, char *out, size_t n)
{
	if (dr->kind == DRAFT_SIGNAL)
		snprintf(out, n, "%s", dr->sg.about);
	else if (dr->kind == DRAFT_ONBOARDING)
		snprintf(out, n, "%s", dr->ob.customer_name);
	else if (dr->kind == DRAFT_STEP && !dr->st.customer_name[0])
		snprintf(out, n, "handoff %.8s", dr->st.s.id);
	else
		snprintf(out, n, "%s", dr->kind == DRAFT_STEP ? dr->st.customer_name
		                       : dr->kind == DRAFT_NOTE ? dr->n.customer_name
		                                                : dr->h.customer_name);
}

/* The kind column: a note's kind or "correction", a handoff's team, a step. */
static void draft_what(const struct draft *dr, char *out, size_t n)
{
	if (dr->kind == DRAFT_ONBOARDING)
		snprintf(out, n, "%s", dr->ob.health ? "health" : "milestone");
	else if (dr->kind == DRAFT_SIGNAL)
		snprintf(out, n, "%s", dr->sg.ack ? "ack signal" : !strcmp(dr->sg.w.what, "hold") ? "hold send"
		                                                                                  : "release send");
	else if (dr->kind == DRAFT_STEP)
		step_words(&dr->st, out, n);
	else if (dr->kind == DRAFT_NOTE)
		snprintf(out, n, "%s %s", dr->n.supersedes ? "correction" : "note", dr->n.supersedes ? "" : dr->n.kind);
	else
		snprintf(out, n, "to %s", dr->h.to_team[0] ? dr->h.to_team : "?");
}

static const char *draft_text(const struct draft *dr)
{
	const char *t = dr->kind == DRAFT_SIGNAL ? dr->sg.comment
	                : dr->kind == DRAFT_STEP ? dr->st.s.comment
	                : dr->kind == DRAFT_NOTE ? dr->n.body
	                                         : dr->h.note;
	return t ? t : "";
}

/* The text column: what was written, in quotes; an onboarding change's
 * what it sets before its reason ("Training: in progress "trainer booked""). */
static void draft_line(const struct draft *dr, struct buf *b)
{
	char state[32];
	const char *reason = dr->ob.health ? dr->ob.h.reason : dr->ob.m.reason;
	if (dr->kind != DRAFT_ONBOARDING) {
		buf_printf(b, "\"%s\"", draft_text(dr));
		return;
	}
	fmt_words(state, sizeof state, dr->ob.health ? dr->ob.h.health : onboarding_status_label(dr->ob.m.status));
	if (!dr->ob.health)
		buf_printf(b, "%s: ", dr->ob.m.title);
	buf_puts(b, state);
	if (*reason)
		buf_printf(b, " \"%s\"", reason);
}

static void drafts_destroy(struct screen *s)
{
	struct drafts *d = (struct drafts *)s;
	draft_list_free(&d->list);
	free(d);
}

/* Why drafts are missing: the directory refused, or files in it that
 * are not drafts of ours (reported, never offered or sent). */
static void draw_problem(struct drafts *d, struct app *a)
{
	int r = d->l.sel;
	const char *why = r >= 0 && r < d->list.n ? handoff_send_refusal(draft_id(&d->list.v[r])) : NULL;
	if (d->error[0])
		ui_text(stdscr, a->rows - 2, 1, a->cols - 2, term_attr(UA_BAD), d->error, 0);
	else if (d->list.refused)
		ui_textf(stdscr, a->rows - 2, 1, a->cols - 2, term_attr(UA_WARN), 0,
		         "%d file%s refused, not offered: %s", d->list.refused, d->list.refused > 1 ? "s" : "",
		         d->list.problem);
	else if (why) { /* the selected one was refused: why, in full */
		char line[300];
		snprintf(line, sizeof line, "refused: %s", why);
		ui_text_wrapped(stdscr, a->rows - 3, 1, a->cols - 2, 2, term_attr(UA_BAD), line);
	}
}

static void drafts_draw(struct screen *s, struct app *a)
{
	struct drafts *d = (struct drafts *)s;
	ui_textf(stdscr, 0, 1, a->cols / 2, term_attr(UA_HEADER), 0, "Baton %s Saved drafts",
	         term_sym(SYM_DOT));
	ui_text(stdscr, 1, 1, a->cols - 2, (int)A_NORMAL,
	        "These were not sent yet. Enter resume  s send  d discard  q later", 0);
	d->height = a->rows - 6;
	ui_list_fit(&d->l, d->list.n, d->height);
	if (d->list.n == 0)
		ui_text(stdscr, 3, 3, a->cols - 4, term_attr(UA_DIM), "No drafts left.", 0);
	for (int i = 0; i < d->height && d->l.top + i < d->list.n; i++) {
		int r = d->l.top + i, y = 3 + i, x = 1;
		int sel = r == d->l.sel;
		const struct draft *dr = &d->list.v[r];
		int busy = draft_busy(a, dr);
		char whose[256], what[64];
		draft_whose(dr, whose, sizeof whose);
		draft_what(dr, what, sizeof what);
		ui_text(stdscr, y, x, 1, sel ? term_attr(UA_SEL) : (int)A_NORMAL, sel ? term_sym(SYM_SEL) : " ", 0);
		x += 2;
		int other = busy == DR_OTHER_FORM || busy == DR_OTHER_SENDING;
		x += ui_text(stdscr, y, x, 8, dr->queued || busy ? term_attr(UA_WARN) : (int)A_NORMAL,
		             busy == DR_SENDING || busy == DR_OTHER_SENDING ? "SENDING"
		             : busy == DR_OPEN || busy == DR_OTHER_FORM    ? "IN FORM"
		             : dr->queued                                  ? "QUEUED"
		                                                           : "draft",
		             1) + 1;
		x += ui_text(stdscr, y, x, 22, (int)A_NORMAL, whose, 1) + 1;
		x += ui_text(stdscr, y, x, 14, (int)A_NORMAL, what, 1) + 1;
		if (other) /* its text as it was when the list was read */
			x += ui_text(stdscr, y, x, a->cols - x - 1, term_attr(UA_WARN), "(other console)", 0) + 1;
		else if (dr->not_taken) /* s asks about it: the row says it first */
			x += ui_textf(stdscr, y, x, a->cols - x - 1, term_attr(UA_WARN), 0, "(%zu byte%s not taken)",
			              dr->not_taken, dr->not_taken == 1 ? "" : "s") + 1;
		struct buf line = BUF_INIT;
		draft_line(dr, &line);
		ui_text(stdscr, y, x, a->cols - x - 1, term_attr(UA_DIM), buf_str(&line), 0);
		buf_free(&line);
	}
	draw_problem(d, a);
}

/* The selected draft dr, held for this console and read again: another
 * console of the same person may have changed, sent or discarded it since
 * the list was read.  0 with *fresh, held (draft_unlock); -1 when it is
 * not to be had, said why (the list read again when it is gone). */
static int draft_take(struct drafts *d, struct app *a, const struct draft *dr, struct draft *fresh)
{
	char id[37], name[64], other[DRAFT_DOING_MAX], err[600];
	snprintf(id, sizeof id, "%s", draft_id(dr));
	int rc = draft_lock(id, "form", other, sizeof other, err, sizeof err);
	if (rc != 0) {
		if (rc > 0)
			busy_say(a, strcmp(other, "send") ? DR_OTHER_FORM : DR_OTHER_SENDING);
		else
			app_message(a, 1, "%s", err);
		return -1;
	}
	snprintf(name, sizeof name, "%s.draft", id);
	rc = draft_load(name, fresh, err, sizeof err);
	if (rc == 0 && !strcmp(fresh->owner, a->draft_owner))
		return 0;
	if (rc < 0 && errno == ENOENT)
		app_message(a, 1, "no longer here: sent or discarded in your other console");
	else
		app_message(a, 1, "%s", rc < 0 ? err : "no longer a draft of this database and role");
	draft_clear(fresh);
	draft_unlock(id);
	drafts_load(d, a);
	return -1;
}

struct discard_ctx {
	struct drafts *d;
	char id[37];
};

static void on_discard(struct app *a, void *ctx, const char *answer)
{
	struct discard_ctx *c = ctx;
	struct drafts *d = c->d;
	int alive = screen_release(&d->base);
	if (alive && answer && answer[0] == 'y')
		draft_remove(c->id);
	draft_unlock(c->id); /* held while asking; its lock file goes with the draft */
	if (alive && answer && answer[0] == 'y') {
		drafts_load(d, a);
		app_message(a, 0, "draft discarded");
	}
	free(c);
}

/* A handoff or note taken up again is written about its customer, as if
 * from its screen: sent or left, the form gives way to that screen (where
 * the new note or handoff shows), not to whatever D was pressed on (the
 * start screen, when the drafts were offered at start).  A screen of that
 * customer already there (its page, its timeline) is kept. */
static void open_customer_below(struct app *a, const struct draft *dr)
{
	long long id = dr->kind == DRAFT_NOTE ? dr->n.customer_id : dr->h.customer_id;
	if (id > 0 && (!a->top || a->top->customer_id != id))
		app_push(a, customer_new(a, id));
}

/* Enter: a queued draft is sent again, another opens in its form. */
static void open_selected(struct drafts *d, struct app *a, struct draft *dr)
{
	struct draft fresh;
	char id[37];
	if (draft_take(d, a, dr, &fresh) < 0)
		return;
	if (fresh.queued) {
		draft_send(a, &fresh, 1);
		drafts_load(d, a);
		return;
	}
	snprintf(id, sizeof id, "%s", draft_id(&fresh));
	app_pop(a); /* the list is stale once a draft is taken */
	open_customer_below(a, &fresh);
	app_push(a, draft_form_new(a, &fresh)); /* the form holds it too */
	draft_unlock(id);
}

struct send_ctx {
	struct drafts *d;
	struct draft fresh; /* taken (held) while asking */
};

static void on_send_cut(struct app *a, void *ctx, const char *answer)
{
	struct send_ctx *c = ctx;
	struct drafts *d = c->d;
	if (screen_release(&d->base) && answer && answer[0] == 'y') {
		draft_send(a, &c->fresh, 1);
		drafts_load(d, a);
	} else {
		draft_unlock(draft_id(&c->fresh));
		draft_clear(&c->fresh);
	}
	free(c);
}

static void send_selected(struct drafts *d, struct app *a, struct draft *dr)
{
	struct draft fresh;
	char err[256];
	if (draft_take(d, a, dr, &fresh) < 0)
		return;
	/* The reasons and the largest note: the server checks them. */
	if ((fresh.kind == DRAFT_NOTE   ? note_validate(&fresh.n, 0, err, sizeof err)
	     : fresh.kind >= DRAFT_STEP ? 0 /* kept once sent: the server checks it */
	                                : handoff_validate(&fresh.h, NULL, err, sizeof err)) < 0) {
		app_message(a, 1, "cannot send it yet: %s (Enter to edit)", err);
		draft_unlock(draft_id(&fresh));
		draft_clear(dr);
		*dr = fresh; /* shown as it is now */
		return;
	}
	/* What its form did not take is not in it: asked as Ctrl-X asks. */
	if (fresh.not_taken && !fresh.queued) {
		struct send_ctx *c = calloc(1, sizeof *c);
		char question[128];
		if (!c)
			abort();
		c->d = d;
		c->fresh = fresh;
		draft_form_cut_question(question, sizeof question, fresh.not_taken);
		screen_hold(&d->base);
		app_prompt(a, question, 1, on_send_cut, c);
		return;
	}
	draft_send(a, &fresh, 1);
	drafts_load(d, a);
}

static void discard_selected(struct drafts *d, struct app *a, struct draft *dr)
{
	struct draft fresh;
	if (draft_take(d, a, dr, &fresh) < 0)
		return;
	struct discard_ctx *c = calloc(1, sizeof *c);
	if (!c)
		abort();
	c->d = d;
	snprintf(c->id, sizeof c->id, "%s", draft_id(&fresh));
	draft_clear(dr);
	*dr = fresh; /* what is discarded is what the list shows */
	screen_hold(&d->base);
	app_prompt(a, "Discard this draft for good?", 1, on_discard, c);
}

static void drafts_action(struct screen *s, struct app *a, enum ui_action act)
{
	struct drafts *d = (struct drafts *)s;
	int r = d->l.sel;
	int have = r >= 0 && r < d->list.n;
	struct draft *dr = have ? &d->list.v[r] : NULL;
	int busy = have ? draft_busy(a, dr) : DR_FREE;
	if (busy && (act == ACT_OPEN || act == ACT_SEND || act == ACT_DISCARD)) {
		busy_say(a, busy);
		return;
	}
	switch (act) {
	case ACT_BACK:
		app_pop(a);
		return;
	case ACT_OPEN:
		if (have)
			open_selected(d, a, dr);
		return;
	case ACT_SEND:
		if (have)
			send_selected(d, a, dr);
		return;
	case ACT_DISCARD:
		if (have)
			discard_selected(d, a, dr);
		return;
	default:
		ui_list_move(&d->l, d->list.n, d->height - 1, act);
	}
}

/* After a send completes the draft file is gone: show what is left. */
static void drafts_reload(struct screen *s, struct app *a)
{
	drafts_load((struct drafts *)s, a);
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
	struct drafts *d = calloc(1, sizeof *d);
	if (!d)
		abort();
	d->base.ops = &drafts_ops;
	d->l.sel = -1;
	drafts_load(d, a);
	return &d->base;
}
