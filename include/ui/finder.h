/* The start screen's state, shared by its files (ui/finder*.c): the
 * field, its searches and the waiting list; the drawing. */
#ifndef BATON_UI_FINDER_H
#define BATON_UI_FINDER_H

#include "baton/buf.h"
#include "baton/finder.h"
#include "baton/waiting.h"
#include "ui/ui.h"

enum focus { FOCUS_FIELD, FOCUS_RESULTS, FOCUS_WAITING };

struct finder {
	struct screen base;
	struct buf text;          /* the Find field, UTF-8 */
	enum focus focus;
	int has_results;          /* 0: nothing searched (or the field emptied) */
	struct finder_matches results;
	struct waiting_live live; /* the waiting list, kept by notifications */
	int wait_failed;          /* its last whole read failed */
	int search_due;           /* a change concerns a match: search again */
	struct ui_list rl, wl;
	int searching;
	int open_when_found;      /* Enter pressed before the text's matches came */
	int replace;              /* back from a customer: the text is shown selected,
	                           * and what is typed first starts a new search */
	int res_rows, wait_rows;  /* visible heights, from the last draw */
};

void finder_draw_screen(struct finder *f, struct app *a);

#endif
