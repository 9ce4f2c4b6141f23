/* What the handoff and success note forms share (ui/draft_form.c): the
 * draft they write, its text in the editor (ui/note_edit.c) saved to disk
 * at every change, the focus moving through the fields (the text is the
 * last), the bottom line saying whether the draft is on disk, and leaving,
 * which asks before a written text is discarded.  Each form has its own
 * fields, header and sending. */
#ifndef BATON_UI_DRAFT_FORM_H
#define BATON_UI_DRAFT_FORM_H

#include "baton/draft.h"
#include "ui/note_edit.h"
#include "ui/ui.h"

struct draft_form {
	struct screen base;   /* first: a form is a screen */
	struct draft d;       /* what is written: d.h or d.n, by d.kind */
	struct note_edit text;
	int nfields;          /* the fields in Tab order; the last is the text */
	int focus;
	/* Left (-1) and Right, Space (1) in a field other than the text. */
	void (*cycle)(struct draft_form *f, struct app *a, int dir);
	char saved[600];      /* "draft saved" / NOT SAVED and why */
	int on_disk;          /* the last save worked */
	int unsaved;          /* typed since the last save (draft_form_settle) */
	int send_confirmed;   /* Ctrl-X was answered y: send despite refused text */
	int locked;           /* this form holds the draft (draft_lock): no other console of
	                       * the same person sends, discards or opens it meanwhile */
};

/* After f->d is filled in: the screen's ops, the fields, the text from
 * the draft's, the draft held for this console; the focus stays where the
 * caller puts it. */
void draft_form_init(struct draft_form *f, const struct screen_ops *ops, int nfields,
                     void (*cycle)(struct draft_form *f, struct app *a, int dir));
/* The draft let go (unless it went to the sender) and freed. */
void draft_form_free(struct draft_form *f);
/* Ctrl-X, once the form's checks passed: the draft, with the form's hold
 * on it, to the sender (draft_send), and the form closed. */
void draft_form_send(struct draft_form *f, struct app *a);
/* The text into the draft, and the draft onto disk.  When the disk
 * refuses (full, a refused directory), the form says so instead of "draft
 * saved" and the text stays here, in memory. */
void draft_form_save(struct draft_form *f, const struct app *a);
/* The screen_ops keep of both forms: one more try to save; 1 if the text
 * is still in memory only. */
int draft_form_keep(struct screen *s, struct app *a);
/* The question before sending a text cut at the note's maximum ("616
 * bytes were not taken. Send what is shown?"): the form's Ctrl-X and the
 * drafts list's s ask the same. */
void draft_form_cut_question(char *out, size_t size, size_t not_taken);
/* screen_ops.takes_paste of both forms: the text has the focus. */
int draft_form_takes_paste(const struct screen *s);
/* The screen_ops settle of both forms: the draft saved, if typing changed
 * it, once per burst of keys. */
void draft_form_settle(struct screen *s, struct app *a);
/* Ctrl-X, after the form's own checks: 1 if sending may go on; 0 when
 * text typed or pasted was not taken (the note at its largest), and the
 * form asks first "N bytes were not taken. Send what is shown?"; y sends
 * (the form's ACT_SEND again), anything else leaves the form as it is. */
int draft_form_may_send(struct draft_form *f, struct app *a);
/* The draft form s is (a handoff's or a note's), NULL if s is another
 * screen: both forms, and only they, keep with draft_form_keep. */
const struct draft_form *draft_form_of(const struct screen *s);
/* A key: typed into the text when it has the focus, else Left/Right/Space
 * for the field's choices and Up/Down/Enter between fields.  1 if it was
 * the form's. */
int draft_form_key(struct draft_form *f, struct app *a, int key, int is_func);
/* Tab, Shift-Tab, Esc (asks before discarding a written text) and Ctrl-E
 * ($EDITOR); the rest (sending) is the form's. */
void draft_form_action(struct draft_form *f, struct app *a, enum ui_action act);
/* The text's box below the fields, and the line under it: NOT SAVED and
 * why, or what typing does (choice_hint outside the text) and "draft
 * saved". */
void draft_form_draw(struct draft_form *f, struct app *a, const char *choice_hint);

#endif
