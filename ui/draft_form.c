/* What the handoff and success note forms share: the draft, its text saved
 * at every change (a dropped SSH session or a killed terminal loses
 * nothing), moving between fields, and leaving.  Typing is saved once the
 * keys waiting are read, not per key: a paste of 16 KB was 16,000 saves of
 * a growing file, half a minute of a frozen console. */
#include "ui/draft_form.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The draft's text: a handoff's note or a success note's body. */
static char **draft_body(struct draft_form *f)
{
	return f->d.kind == DRAFT_NOTE ? &f->d.n.body : &f->d.h.note;
}

void draft_form_init(struct draft_form *f, const struct screen_ops *ops, int nfields,
                     void (*cycle)(struct draft_form *f, struct app *a, int dir))
{
	f->base.ops = ops;
	f->nfields = nfields;
	f->cycle = cycle;
	/* The schema's largest until the database's own is read. */
	note_edit_init(&f->text, *draft_body(f), HANDOFF_NOTE_MAX);
	/* A new draft's id is new: nobody else has it.  A saved one was taken
	 * by whoever opens it (the drafts screen, the sender), so this is one
	 * more hold.  Without a drafts directory there is nothing to hold, and
	 * nothing saved: the form says so when it saves. */
	char other[DRAFT_DOING_MAX], err[256];
	f->locked = draft_lock(draft_id(&f->d), "form", other, sizeof other, err, sizeof err) == 0;
}

struct screen *draft_form_new(struct app *a, struct draft *d)
{
	size_t not_taken = d->not_taken;
	struct screen *s = d->kind == DRAFT_NOTE ? note_form_new(a, &d->n, NULL) : handoff_form_new(a, &d->h, NULL);
	/* What was not taken when the draft was written is still not in it:
	 * the box says so again, and sending asks again. */
	((struct draft_form *)s)->text.refused = not_taken;
	return s;
}

void draft_form_free(struct draft_form *f)
{
	if (f->locked)
		draft_unlock(draft_id(&f->d));
	draft_clear(&f->d);
	note_edit_free(&f->text);
}

void draft_form_send(struct draft_form *f, struct app *a)
{
	f->d.not_taken = f->text.refused;
	struct draft d = f->d;
	int held = f->locked;
	*draft_body(f) = NULL; /* the text moves to the sender, */
	f->locked = 0;         /* and the hold with it */
	app_pop(a);            /* may free f */
	draft_send(a, &d, held);
}

void draft_form_save(struct draft_form *f, const struct app *a)
{
	char err[512], **body = draft_body(f);
	f->unsaved = 0;
	free(*body);
	if (!(*body = strdup(buf_str(&f->text.text))))
		abort();
	f->d.not_taken = f->text.refused;
	f->on_disk = draft_save_any(&f->d, a->draft_owner, 0, 0, err, sizeof err) == 0;
	if (f->on_disk)
		snprintf(f->saved, sizeof f->saved, "draft saved");
	else
		snprintf(f->saved, sizeof f->saved, "NOT SAVED (the note is kept in memory): %s", err);
}

int draft_form_keep(struct screen *s, struct app *a)
{
	struct draft_form *f = (struct draft_form *)s;
	if (f->unsaved || (!f->on_disk && !note_edit_blank(&f->text)))
		draft_form_save(f, a);
	return !f->on_disk && !note_edit_blank(&f->text);
}

void draft_form_settle(struct screen *s, struct app *a)
{
	struct draft_form *f = (struct draft_form *)s;
	if (f->unsaved)
		draft_form_save(f, a);
}

static void on_send_answer(struct app *a, void *ctx, const char *answer)
{
	struct draft_form *f = ctx;
	if (!screen_release(&f->base) || !answer || answer[0] != 'y' || a->top != &f->base)
		return;
	f->send_confirmed = 1;
	f->base.ops->action(&f->base, a, ACT_SEND); /* may free f */
}

void draft_form_cut_question(char *out, size_t size, size_t not_taken)
{
	snprintf(out, size, "%zu byte%s not taken. Send what is shown?", not_taken,
	         not_taken == 1 ? " was" : "s were");
}

int draft_form_may_send(struct draft_form *f, struct app *a)
{
	char question[128];
	size_t n = f->text.refused;
	if (!n || f->send_confirmed) {
		f->send_confirmed = 0;
		return 1;
	}
	draft_form_cut_question(question, sizeof question, n);
	screen_hold(&f->base);
	app_prompt(a, question, 1, on_send_answer, f);
	return 0;
}

const struct draft_form *draft_form_of(const struct screen *s)
{
	return s->ops->keep == draft_form_keep ? (const struct draft_form *)s : NULL;
}

int draft_form_takes_paste(const struct screen *s)
{
	const struct draft_form *f = (const struct draft_form *)s;
	return f->focus == f->nfields - 1;
}

int draft_form_key(struct draft_form *f, struct app *a, int key, int is_func)
{
	if (f->focus == f->nfields - 1) {
		if (!note_edit_key(&f->text, a, key, is_func))
			return 0;
		f->unsaved = 1; /* saved when the keys waiting are read (settle) */
		return 1;
	}
	if ((is_func && (key == KEY_RIGHT || key == KEY_LEFT)) || (!is_func && key == ' ')) {
		f->cycle(f, a, is_func && key == KEY_LEFT ? -1 : 1);
		return 1;
	}
	if ((is_func && (key == KEY_DOWN || key == KEY_ENTER)) || (!is_func && (key == '\r' || key == '\n'))) {
		f->focus++;
		return 1;
	}
	if (is_func && key == KEY_UP) {
		if (f->focus > 0)
			f->focus--;
		return 1;
	}
	return 0;
}

static void on_discard(struct app *a, void *ctx, const char *answer)
{
	struct draft_form *f = ctx;
	if (!screen_release(&f->base) || !answer || (answer[0] != 'y' && answer[0] != 'k'))
		return;
	if (answer[0] == 'k') {
		/* Left for later: on disk as typed, offered by D and at the next
		 * start. */
		draft_form_save(f, a);
		if (!f->on_disk) {
			/* NOT SAVED: the form stays, and its text with it. */
			app_message(a, 1, "not kept: the draft cannot be saved (see below the note)");
			return;
		}
		app_message(a, 0, "draft kept: D (or F4) lists it");
	} else {
		draft_remove(draft_id(&f->d));
		app_message(a, 0, "draft discarded");
	}
	if (a->top == &f->base)
		app_pop(a);
}

void draft_form_action(struct draft_form *f, struct app *a, enum ui_action act)
{
	char question[64];
	switch (act) {
	case ACT_NEXT_FIELD:
		f->focus = (f->focus + 1) % f->nfields;
		return;
	case ACT_PREV_FIELD:
		f->focus = (f->focus + f->nfields - 1) % f->nfields;
		return;
	case ACT_BACK:
		if (note_edit_blank(&f->text)) {
			draft_remove(draft_id(&f->d));
			app_pop(a);
			return;
		}
		screen_hold(&f->base);
		snprintf(question, sizeof question, "Discard this %s draft? k keeps it for later",
		         f->d.kind == DRAFT_NOTE ? "note" : "handoff");
		app_prompt(a, question, PROMPT_YES_KEEP_NO, on_discard, f);
		return;
	case ACT_EDITOR:
		if (note_edit_external(&f->text, a, draft_id(&f->d)))
			draft_form_save(f, a);
		return;
	default:
		return;
	}
}

void draft_form_draw(struct draft_form *f, struct app *a, const char *choice_hint)
{
	int in_text = f->focus == f->nfields - 1;
	if (!f->on_disk && f->saved[0]) {
		/* Why it is not saved is read whole: wrapped over as many rows
		 * as it needs above the bottom line, the note's box shorter by
		 * as many (it keeps a row of text at least). */
		int rows = ui_text_rows(f->saved, a->cols - 2), most = a->rows - 10;
		if (rows > most)
			rows = most;
		if (rows < 1)
			rows = 1;
		note_edit_draw(&f->text, a, 5, a->rows - 6 - rows, in_text);
		ui_text_wrapped(stdscr, a->rows - 1 - rows, 1, a->cols - 2, rows, term_attr(UA_BAD), f->saved);
		return;
	}
	note_edit_draw(&f->text, a, 5, a->rows - 7, in_text);
	ui_textf(stdscr, a->rows - 2, 1, a->cols - 2, term_attr(UA_DIM), 0, "%s  %s",
	         in_text ? "typing goes to the note" : choice_hint, f->saved);
}
