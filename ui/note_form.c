/* The success note form: what kind of note, what it is about (one of the
 * customer's open tickets or active handoffs, or nothing) and the text,
 * in the same editor as handoff notes (ui/note_edit.c) or $EDITOR.  A
 * correction names the note it replaces.  The draft is saved on every
 * change (src/draft.c, a note draft); Ctrl-X hands it to the sender
 * (ui/handoff_actions.c), which survives the form and database outages. */
#include "baton/draft.h"
#include "baton/handoff.h"
#include "baton/note.h"
#include "baton/team.h"
#include "ui/note_edit.h"
#include "ui/ui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Request kinds (screen_request). */
enum { REQ_RULES = 1 };

enum field { NF_KIND, NF_LINK, NF_TEXT, NF_COUNT };

struct note_form {
	struct screen base;
	struct note_new n;
	enum field focus;
	struct note_links links;
	struct note_edit text;   /* its max_bytes: the database's largest note once read */
	char saved[600];         /* "draft saved" / NOT SAVED and why */
	int on_disk;
};

static void form_destroy(struct screen *s)
{
	struct note_form *f = (struct note_form *)s;
	note_clear(&f->n);
	note_links_free(&f->links);
	note_edit_free(&f->text);
	free(f);
}

/* On disk at every change; when the disk refuses, the form says so and
 * the text stays in memory: quitting asks first (form_keep). */
static void save_draft(struct note_form *f, const struct app *a)
{
	char err[512];
	free(f->n.body);
	if (!(f->n.body = strdup(buf_str(&f->text.text))))
		abort();
	f->on_disk = draft_save_note(&f->n, a->draft_owner, 0, 0, err, sizeof err) == 0;
	if (f->on_disk)
		snprintf(f->saved, sizeof f->saved, "draft saved");
	else
		snprintf(f->saved, sizeof f->saved, "NOT SAVED (the note is kept in memory): %s", err);
}

static int form_keep(struct screen *s, struct app *a)
{
	struct note_form *f = (struct note_form *)s;
	if (!f->on_disk && !note_edit_blank(&f->text))
		save_draft(f, a);
	return !f->on_disk && !note_edit_blank(&f->text);
}

/* Left/Right: the next kind, or the next link (none, then each offered). */
static void cycle(struct note_form *f, struct app *a, int dir)
{
	if (f->focus == NF_KIND) {
		int k = 0;
		while (k < NOTE_KINDS && strcmp(note_kinds[k], f->n.kind) != 0)
			k++;
		k = (k + dir + NOTE_KINDS) % NOTE_KINDS;
		snprintf(f->n.kind, sizeof f->n.kind, "%s", note_kinds[k]);
	} else if (f->focus == NF_LINK) {
		int n = f->links.n + 1, cur = note_links_find(&f->links, &f->n) + 1;
		int i = (cur + dir + n) % n - 1;
		f->n.ticket_id = i >= 0 ? f->links.v[i].ticket_id : 0;
		snprintf(f->n.handoff_id, sizeof f->n.handoff_id, "%s", i >= 0 ? f->links.v[i].handoff_id : "");
	} else {
		return;
	}
	save_draft(f, a);
}

static void on_rules(struct screen *s, struct app *a, PGresult **res, int nres, const char *err)
{
	struct note_form *f = (struct note_form *)s;
	struct team_list l = {0};
	char e[128];
	(void)a;
	/* Typing stops at the database's largest note once it is known. */
	if (!err && team_list_read(&l, res, nres, e, sizeof e) == 0 && l.max_note_bytes > 0)
		f->text.max_bytes = l.max_note_bytes;
	team_list_free(&l);
}

static void form_reload(struct screen *s, struct app *a)
{
	struct db_stmt st[TEAM_STMTS];
	team_statements(st);
	screen_request(s, a, REQ_RULES, st, 2, 0, on_rules);
}

/* --- drawing -------------------------------------------------------------------- */

static void draw_field(struct note_form *f, int y, enum field fd, const char *label, const char *value,
                       int w)
{
	ui_text(stdscr, y, 1, 8, (int)A_BOLD, label, 1);
	ui_text(stdscr, y, 9, 1, (int)A_NORMAL, "[", 0);
	ui_text(stdscr, y, 10, w, f->focus == fd ? term_attr(UA_SEL) : (int)A_NORMAL, value, 1);
	ui_text(stdscr, y, 10 + w, 1, (int)A_NORMAL, "]", 0);
}

static void form_draw(struct screen *s, struct app *a)
{
	struct note_form *f = (struct note_form *)s;
	char link[300] = "none";
	int li = note_links_find(&f->links, &f->n);
	if (li >= 0)
		snprintf(link, sizeof link, "%s", f->links.v[li].label);
	else if (f->n.ticket_id)
		snprintf(link, sizeof link, "ticket #%lld", f->n.ticket_id);
	else if (f->n.handoff_id[0])
		snprintf(link, sizeof link, "handoff %.8s", f->n.handoff_id);
	if (f->n.supersedes)
		ui_textf(stdscr, 0, 1, a->cols / 2 + 10, term_attr(UA_HEADER), 0, "Correct note %lld %s %s",
		         f->n.supersedes, term_sym(SYM_DOT), f->n.customer_name);
	else
		ui_textf(stdscr, 0, 1, a->cols / 2 + 10, term_attr(UA_HEADER), 0, "New success note %s %s",
		         term_sym(SYM_DOT), f->n.customer_name);
	draw_field(f, 2, NF_KIND, "Kind:", f->n.kind, 9);
	draw_field(f, 3, NF_LINK, "About:", link, a->cols - 13);
	note_edit_draw(&f->text, a, 5, a->rows - 7, f->focus == NF_TEXT);
	if (!f->on_disk && f->saved[0])
		ui_text(stdscr, a->rows - 2, 1, a->cols - 2, term_attr(UA_BAD), f->saved, 0);
	else
		ui_textf(stdscr, a->rows - 2, 1, a->cols - 2, term_attr(UA_DIM), 0, "%s  %s",
		         f->focus == NF_TEXT ? "typing goes to the note" : "Left/Right/Space change the choice",
		         f->saved);
}

/* --- keys and actions ---------------------------------------------------------- */

static int form_key(struct screen *s, struct app *a, int key, int is_func)
{
	struct note_form *f = (struct note_form *)s;
	if (f->focus == NF_TEXT) {
		if (!note_edit_key(&f->text, a, key, is_func))
			return 0;
		save_draft(f, a);
		return 1;
	}
	if ((is_func && (key == KEY_RIGHT || key == KEY_LEFT)) || (!is_func && key == ' ')) {
		cycle(f, a, is_func && key == KEY_LEFT ? -1 : 1);
		return 1;
	}
	if ((is_func && (key == KEY_DOWN || key == KEY_ENTER)) || (!is_func && (key == '\r' || key == '\n'))) {
		f->focus = (enum field)(f->focus + 1);
		return 1;
	}
	if (is_func && key == KEY_UP) {
		if (f->focus > 0)
			f->focus = (enum field)(f->focus - 1);
		return 1;
	}
	return 0;
}

static void on_discard(struct app *a, void *ctx, const char *answer)
{
	struct note_form *f = ctx;
	if (!screen_release(&f->base) || !answer || answer[0] != 'y')
		return;
	draft_remove(f->n.id);
	app_message(a, 0, "draft discarded");
	if (a->top == &f->base)
		app_pop(a);
}

static void send(struct note_form *f, struct app *a)
{
	char err[256];
	save_draft(f, a);
	if (note_validate(&f->n, f->text.max_bytes, err, sizeof err) < 0) {
		app_message(a, 1, "%s", err);
		return;
	}
	struct note_new n = f->n;
	f->n.body = NULL; /* moves to the sender */
	app_pop(a);
	note_send(a, &n);
}

static void form_action(struct screen *s, struct app *a, enum ui_action act)
{
	struct note_form *f = (struct note_form *)s;
	switch (act) {
	case ACT_NEXT_PANEL:
		f->focus = (enum field)((f->focus + 1) % NF_COUNT);
		return;
	case ACT_PREV_PANEL:
		f->focus = (enum field)((f->focus + NF_COUNT - 1) % NF_COUNT);
		return;
	case ACT_BACK:
		if (note_edit_blank(&f->text)) {
			draft_remove(f->n.id);
			app_pop(a);
			return;
		}
		screen_hold(s);
		app_prompt(a, "Discard this note draft?", 1, on_discard, f);
		return;
	case ACT_EDITOR:
		if (note_edit_external(&f->text, a, f->n.id))
			save_draft(f, a);
		return;
	case ACT_SEND:
		send(f, a);
		return;
	default:
		return;
	}
}

static const struct screen_ops note_form_ops = {
	.name = "note form",
	.scope = SCOPE_FORM,
	.draw = form_draw,
	.key = form_key,
	.action = form_action,
	.reload = form_reload,
	.destroy = form_destroy,
	.keep = form_keep,
	.hints = "Ctrl-X send  Ctrl-E $EDITOR  Tab next field  Esc cancel (asks)  F1 help",
};

struct screen *note_form_new(struct app *a, struct note_new *n, struct note_links *links)
{
	struct note_form *f = calloc(1, sizeof *f);
	if (!f)
		abort();
	f->base.ops = &note_form_ops;
	f->n = *n;
	memset(n, 0, sizeof *n);
	if (links) {
		f->links = *links;
		memset(links, 0, sizeof *links);
	}
	/* The schema's largest until the database's own is read. */
	note_edit_init(&f->text, f->n.body, HANDOFF_NOTE_MAX);
	f->focus = NF_TEXT;
	form_reload(&f->base, a);
	return &f->base;
}
