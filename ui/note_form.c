/* The success note form: what kind of note, what it is about (one of the
 * customer's open tickets or active handoffs, or nothing) and the text,
 * in the same editor as handoff notes (ui/note_edit.c) or $EDITOR.  A
 * correction names the note it replaces.  The draft is saved on every
 * change (ui/draft_form.c, as the handoff form's); Ctrl-X hands it to the
 * sender (ui/handoff_actions.c), which survives the form and database
 * outages. */
#include "baton/customer.h"
#include "baton/note.h"
#include "baton/team.h"
#include "ui/draft_form.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Request kinds (screen_request). */
enum { REQ_RULES = 1, REQ_LINKS };

enum field { NF_KIND, NF_LINK, NF_TEXT, NF_COUNT };

struct note_form {
	struct draft_form df;    /* first: the draft (df.d.n), its text, the focus */
	struct note_links links;
	int links_known;         /* links holds them: given, or read (a draft's form) */
};

static void form_destroy(struct screen *s)
{
	struct note_form *f = (struct note_form *)s;
	draft_form_free(&f->df);
	note_links_free(&f->links);
	free(f);
}

/* Left/Right: the next kind, or the next link (none, then each offered). */
static void cycle(struct draft_form *df, struct app *a, int dir)
{
	struct note_form *f = (struct note_form *)df;
	struct note_new *n = &df->d.n;
	if (df->focus == NF_KIND) {
		int k = 0;
		while (k < NOTE_KINDS && strcmp(note_kinds[k], n->kind) != 0)
			k++;
		k = (k + dir + NOTE_KINDS) % NOTE_KINDS;
		snprintf(n->kind, sizeof n->kind, "%s", note_kinds[k]);
	} else if (df->focus == NF_LINK) {
		int count = f->links.n + 1, cur = note_links_find(&f->links, n) + 1;
		int i = (cur + dir + count) % count - 1;
		n->ticket_id = i >= 0 ? f->links.v[i].ticket_id : 0;
		snprintf(n->handoff_id, sizeof n->handoff_id, "%s", i >= 0 ? f->links.v[i].handoff_id : "");
	} else {
		return;
	}
	draft_form_save(df, a);
}

static void on_rules(struct screen *s, struct app *a, PGresult **res, int nres, const char *err)
{
	struct note_form *f = (struct note_form *)s;
	struct team_list l = {0};
	char e[128];
	(void)a;
	/* Typing stops at the database's largest note once it is known. */
	if (!err && team_list_read(&l, res, nres, e, sizeof e) == 0 && l.max_note_bytes > 0)
		f->df.text.max_bytes = l.max_note_bytes;
	team_list_free(&l);
}

/* A draft's form (taken up again from the drafts, or sent back by the
 * server) is given no links: it reads its customer as the customer
 * screen does, once, so that what the note is about is named as there
 * (a ticket by its number and subject) and can be chosen again. */
static void on_links(struct screen *s, struct app *a, PGresult **res, int nres, const char *err)
{
	struct note_form *f = (struct note_form *)s;
	struct customer_view cv;
	char e[256];
	(void)a;
	if (err || cv_adopt(&cv, res, nres, e, sizeof e) < 0)
		return; /* shown as the draft names it: a ticket by its id */
	note_links_free(&f->links);
	customer_note_links(&cv, &f->links);
	f->links_known = 1;
	cv_free(&cv);
}

static void form_reload(struct screen *s, struct app *a)
{
	struct note_form *f = (struct note_form *)s;
	struct db_stmt st[TEAM_STMTS];
	team_statements(st);
	screen_request(s, a, REQ_RULES, st, 2, 0, on_rules);
	if (!f->links_known) {
		struct cv_args args;
		struct db_stmt cv[CV_PARTS];
		cv_statements(cv, &args, f->df.d.n.customer_id, NULL);
		screen_request(s, a, REQ_LINKS, cv, CV_PARTS, REQ_PREPARED, on_links);
	}
}

/* --- drawing -------------------------------------------------------------------- */

static void draw_field(struct note_form *f, int y, enum field fd, const char *label, const char *value,
                       int w)
{
	ui_text(stdscr, y, 1, 8, (int)A_BOLD, label, 1);
	ui_text(stdscr, y, 9, 1, (int)A_NORMAL, "[", 0);
	ui_text(stdscr, y, 10, w, f->df.focus == (int)fd ? term_attr(UA_SEL) : (int)A_NORMAL, value, 1);
	ui_text(stdscr, y, 10 + w, 1, (int)A_NORMAL, "]", 0);
}

static void form_draw(struct screen *s, struct app *a)
{
	struct note_form *f = (struct note_form *)s;
	const struct note_new *n = &f->df.d.n;
	char link[300] = "none";
	int li = note_links_find(&f->links, n);
	if (li >= 0)
		snprintf(link, sizeof link, "%s", f->links.v[li].label);
	else if (n->ticket_id)
		snprintf(link, sizeof link, "ticket id:%lld", n->ticket_id); /* not on the screen: its Baton id */
	else if (n->handoff_id[0])
		snprintf(link, sizeof link, "handoff %.8s", n->handoff_id);
	if (n->supersedes)
		ui_textf(stdscr, 0, 1, app_title_cols(a, 1), term_attr(UA_HEADER), 0, "Correct note %lld %s %s",
		         n->supersedes, term_sym(SYM_DOT), n->customer_name);
	else
		ui_textf(stdscr, 0, 1, app_title_cols(a, 1), term_attr(UA_HEADER), 0, "New success note %s %s",
		         term_sym(SYM_DOT), n->customer_name);
	draw_field(f, 2, NF_KIND, "Kind:", n->kind, 9);
	draw_field(f, 3, NF_LINK, "About:", link, a->cols - 13);
	draft_form_draw(&f->df, a, "Left/Right/Space change the choice");
}

/* --- keys and actions ---------------------------------------------------------- */

static int form_key(struct screen *s, struct app *a, int key, int is_func)
{
	return draft_form_key((struct draft_form *)s, a, key, is_func);
}

static void send(struct note_form *f, struct app *a)
{
	char err[256];
	draft_form_save(&f->df, a);
	if (note_validate(&f->df.d.n, f->df.text.max_bytes, err, sizeof err) < 0) {
		app_message(a, 1, "%s", err);
		return;
	}
	if (!draft_form_may_send(&f->df, a))
		return;
	draft_form_send(&f->df, a);
}

static void form_action(struct screen *s, struct app *a, enum ui_action act)
{
	struct note_form *f = (struct note_form *)s;
	if (act == ACT_SEND)
		send(f, a);
	else
		draft_form_action(&f->df, a, act);
}

static const struct screen_ops note_form_ops = {
	.name = "note form",
	.scope = SCOPE_FORM,
	.draw = form_draw,
	.key = form_key,
	.takes_paste = draft_form_takes_paste,
	.action = form_action,
	.reload = form_reload,
	.destroy = form_destroy,
	.keep = draft_form_keep,
	.settle = draft_form_settle,
	.hints = "Ctrl-X send  Ctrl-E $EDITOR  Tab next field  Esc cancel (asks)  F1 help",
};

struct screen *note_form_new(struct app *a, struct note_new *n, struct note_links *links)
{
	struct note_form *f = calloc(1, sizeof *f);
	if (!f)
		abort();
	f->df.d.kind = DRAFT_NOTE;
	f->df.d.n = *n;
	memset(n, 0, sizeof *n);
	if (links) {
		f->links = *links;
		f->links_known = 1;
		memset(links, 0, sizeof *links);
	}
	draft_form_init(&f->df, &note_form_ops, NF_COUNT, cycle);
	f->df.focus = NF_TEXT;
	form_reload(&f->df.base, a);
	return &f->df.base;
}
