/* The console's one place of drawing: the top screen, the identity at the
 * right of the top line, the bottom line (a prompt, a message, or the
 * screen's key hints), or "Terminal too small". */
#include "baton/text.h"
#include "ui/ui.h"

#include <stdio.h>

/* The most rows a message read whole (APP_MSG_WHOLE) takes. */
#define STATUS_ROWS_MAX 4

static void draw_status(struct app *a)
{
	int y = a->rows - 1;
	ui_clear(stdscr, y, 0, 1, a->cols);
	if (a->prompt.active) {
		app_prompt_draw(a, y);
		return;
	}
	if (a->status[0] && app_now_ms() < a->status_until_ms && a->status_error == APP_MSG_WHOLE) {
		/* "NOT SAVED … (quitting loses it): why" is read whole: a
		 * longer one takes rows above the bottom line, over the
		 * screen, for as long as it is shown. */
		int rows = ui_text_rows(a->status, a->cols - 2);
		rows = rows < 1 ? 1 : rows > STATUS_ROWS_MAX ? STATUS_ROWS_MAX : rows;
		ui_clear(stdscr, y - rows + 1, 0, rows, a->cols);
		ui_text_wrapped(stdscr, y - rows + 1, 1, a->cols - 2, rows, term_attr(UA_BAD), a->status);
	} else if (a->status[0] && app_now_ms() < a->status_until_ms)
		ui_text(stdscr, y, 1, a->cols - 2,
		        a->status_error ? term_attr(UA_BAD) : term_attr(UA_TITLE), a->status, 0);
	else if (a->top && a->top->ops->hints)
		ui_text(stdscr, y, 1, a->cols - 2, term_attr(UA_DIM), a->top->ops->hints, 0);
}

/* The identity at the right of the top line: "ana · Support  ● live",
 * without the person when that would take more than half of it.  Where
 * it starts; its parts in right (n bytes), *wr and *ws their widths. */
static const char *identity(const struct app *a, char *right, size_t n, int *wr, int *ws, int *at,
                            int *x)
{
	const char *state;
	switch (a->db_state) {
	case DBQ_READY:
		state = "live";
		*at = term_attr(UA_GOOD);
		break;
	case DBQ_CONNECTING:
		state = "connecting";
		*at = term_attr(UA_WARN);
		break;
	default:
		state = "OFFLINE";
		*at = term_attr(UA_BAD);
	}
	if (a->me.role[0])
		snprintf(right, n, "%s %s %s  ", a->me.role, term_sym(SYM_DOT),
		         a->me.team_name[0] ? a->me.team_name : "no team");
	else
		right[0] = '\0';
	*wr = text_width(right);
	*ws = text_width(state);
	*x = a->cols - *wr - *ws - 3;
	if (*x < a->cols / 2) {
		*wr = 0;
		*x = a->cols - *ws - 3;
	}
	return state;
}

int app_title_cols(const struct app *a, int x)
{
	char right[256];
	int wr, ws, at, start;
	identity(a, right, sizeof right, &wr, &ws, &at, &start);
	return start - 1 - x > 0 ? start - 1 - x : 0;
}

static void draw_identity(struct app *a)
{
	char right[256];
	int wr, ws, at, x;
	const char *state = identity(a, right, sizeof right, &wr, &ws, &at, &x);
	ui_clear(stdscr, 0, x - 1, 1, a->cols - x + 1);
	x += ui_text(stdscr, 0, x, wr, term_attr(UA_DIM), right, 0);
	x += ui_text(stdscr, 0, x, 1, at, term_sym(SYM_LIVE), 0);
	ui_text(stdscr, 0, x + 1, ws, at, state, 0);
}

int app_too_small(const struct app *a)
{
	return a->cols < APP_MIN_COLS || a->rows < APP_MIN_ROWS;
}

void app_draw(struct app *a)
{
	getmaxyx(stdscr, a->rows, a->cols);
	werase(stdscr);
	if (app_too_small(a)) {
		ui_textf(stdscr, 0, 0, a->cols, term_attr(UA_BAD), 0, "Terminal too small (%dx%d)",
		         a->cols, a->rows);
		ui_textf(stdscr, 1, 0, a->cols, (int)A_NORMAL, 0, "Baton needs %dx%d; q quits",
		         APP_MIN_COLS, APP_MIN_ROWS);
		if (a->small_dropped)
			ui_textf(stdscr, 2, 0, a->cols, term_attr(UA_WARN), 0, "%d key%s not taken", a->small_dropped,
			         a->small_dropped == 1 ? "" : "s");
		if (a->prompt.active)
			app_prompt_draw(a, 2);
	} else {
		if (a->top)
			a->top->ops->draw(a->top, a);
		draw_identity(a);
		draw_status(a);
	}
	wnoutrefresh(stdscr);
	doupdate();
	a->dirty = 0;
}

