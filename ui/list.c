/* A selection in a scrolled list: moves, keeping the selection visible,
 * and following the selected item when the rows change under it. */
#include "ui/ui.h"

#include <string.h>

int ui_list_move(struct ui_list *l, int nrows, int page, enum ui_action act)
{
	if (page < 1)
		page = 1;
	int sel = l->sel;
	switch (act) {
	case ACT_DOWN: sel++; break;
	case ACT_UP: sel--; break;
	case ACT_TOP: sel = 0; break;
	case ACT_BOTTOM: sel = nrows - 1; break;
	case ACT_PAGE_DOWN: sel += page; break;
	case ACT_PAGE_UP: sel -= page; break;
	default: return 0;
	}
	if (sel >= nrows)
		sel = nrows - 1;
	if (sel < 0)
		sel = nrows ? 0 : -1;
	l->sel = sel;
	return 1;
}

void ui_list_fit(struct ui_list *l, int nrows, int height)
{
	if (nrows <= 0) {
		l->sel = -1;
		l->top = 0;
		return;
	}
	if (l->sel < 0)
		l->sel = 0;
	if (l->sel >= nrows)
		l->sel = nrows - 1;
	if (height < 1)
		height = 1;
	/* Leaving the window turns a whole page: the next moves only move the
	 * marker, a few bytes each, instead of redrawing every row per move,
	 * which a slow SSH link feels. */
	if (l->sel < l->top)
		l->top = l->sel - height + 1;
	if (l->sel >= l->top + height)
		l->top = l->sel;
	if (l->top > nrows - height)
		l->top = nrows - height;
	if (l->top < 0)
		l->top = 0;
}

void ui_list_follow(struct ui_list *l, const char *key, int nrows,
                    const char *(*key_of)(const void *ctx, int row), const void *ctx)
{
	if (key && *key)
		for (int r = 0; r < nrows; r++)
			if (strcmp(key_of(ctx, r), key) == 0) {
				l->sel = r;
				return;
			}
	if (l->sel >= nrows)
		l->sel = nrows - 1;
	if (l->sel < 0 && nrows > 0)
		l->sel = 0;
}
