/* A multi-line UTF-8 text editor in a box: the text of the handoff and
 * note forms (ui/note_edit.c), edited in place or in $VISUAL/$EDITOR. */
#ifndef BATON_UI_NOTE_EDIT_H
#define BATON_UI_NOTE_EDIT_H

#include "baton/buf.h"
#include "baton/wrap.h"
#include "ui/ui.h"

struct note_edit {
	struct buf text;
	size_t cur;      /* byte offset of the cursor in text */
	int top;         /* first visible row */
	int goal_col;    /* column kept when moving up/down, -1 none */
	int max_bytes;   /* the configured largest note */
	size_t refused;  /* bytes typed or pasted and not taken, the note
	                    being at max_bytes: said in the box until it closes */
	int full;        /* refusing what is typed until a deletion or a move */
	struct wrap wrap; /* the text's rows on screen */
	int wrap_cols;   /* their width; 0: to lay out again */
};

void note_edit_init(struct note_edit *e, const char *text, int max_bytes);
void note_edit_free(struct note_edit *e);
/* A key: 1 if it was the editor's (the text or the cursor may have
 * changed), 0 if not (Tab and other keys for the form).  What would make
 * the note longer than max_bytes is not taken, and counted in refused. */
int note_edit_key(struct note_edit *e, const struct app *a, int key, int is_func);
/* The box at y with h rows across the screen, the text word-wrapped; the
 * cursor shows if focused.  Its bottom line says how many bytes were not
 * taken, and from 90% of max_bytes on, how many the note has. */
void note_edit_draw(struct note_edit *e, struct app *a, int y, int h, int focused);
/* Only white space. */
int note_edit_blank(const struct note_edit *e);
/* Run $VISUAL/$EDITOR (as git and mutt do) on the text, through a file
 * named after draft_id in the drafts directory; 1 if the text was
 * replaced, 0 if not (the reason is on screen). */
int note_edit_external(struct note_edit *e, struct app *a, const char *draft_id);

#endif
