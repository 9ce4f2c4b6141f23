/* Marketing's start screen: scheduled sends to customers in trouble, every
 * scheduled campaign whose recipient has an active signal (with the
 * reasons) and every held one (who, when, why), soonest first, live.
 * h holds or releases the selected send with a comment; Enter opens the
 * customer on it. */
#include "baton/signals.h"
#include "baton/text.h"
#include "ui/customer.h"
#include "ui/signals.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { REQ_LIST = 1 };

struct sends {
	struct screen base;
	PGresult *rows; /* SU_* columns; NULL until the first answer */
	int held;       /* how many of the rows are held */
	struct ui_list l;
	int height;
	char error[256];
	char search[128];
};

static void sends_destroy(struct screen *s)
{
	struct sends *m = (struct sends *)s;
	PQclear(m->rows);
	free(m);
}

#define MV(row, col) PQgetvalue(m->rows, row, col)

static int nrows(const struct sends *m)
{
	return m->rows ? PQntuples(m->rows) : 0;
}

static const char *row_key(const void *ctx, int row)
{
	return PQgetvalue(ctx, row, SU_EVENT_ID);
}

static int is_held(const struct sends *m, int r)
{
	return MV(r, SU_HELD)[0] == 't';
}

static void on_loaded(struct screen *s, struct app *a, PGresult **res, int nres, const char *err)
{
	struct sends *m = (struct sends *)s;
	(void)a;
	if (err || nres != 1 || PQnfields(res[0]) != SU_COLS) {
		snprintf(m->error, sizeof m->error, "%s", err ? err : "unexpected answer");
		return;
	}
	char was[32] = "";
	if (m->l.sel >= 0 && m->l.sel < nrows(m))
		snprintf(was, sizeof was, "%s", MV(m->l.sel, SU_EVENT_ID));
	PQclear(m->rows);
	m->rows = res[0];
	res[0] = NULL;
	m->error[0] = '\0';
	m->held = 0;
	for (int i = 0; i < nrows(m); i++)
		m->held += is_held(m, i);
	ui_list_follow(&m->l, was, nrows(m), row_key, m->rows);
	ui_list_fit(&m->l, nrows(m), m->height > 0 ? m->height : 1);
}

static void sends_reload(struct screen *s, struct app *a)
{
	static const char *const every[1] = {NULL}; /* every customer's sends */
	struct db_stmt st = {signals_suppression_sql, 1, every};
	screen_request(s, a, REQ_LIST, &st, 1, 0, on_loaded);
}

/* --- drawing ---------------------------------------------------------------------- */

/* "upsell "Upgrade to Pro"": the kind of send and its campaign. */
static void send_words(const struct sends *m, int r, char *out, size_t n)
{
	char kind[32];
	fmt_words(kind, sizeof kind, MV(r, SU_KIND));
	snprintf(out, n, "%s \"%s\"", kind, MV(r, SU_CAMPAIGN));
}

static void draw_row(struct sends *m, struct app *a, int i, int y)
{
	int sel = i == m->l.sel, wide = a->cols >= 110, narrow = a->cols < 80, held = is_held(m, i);
	char day[16], send[256];
	fmt_day(day, sizeof day, MV(i, SU_SCHEDULED));
	send_words(m, i, send, sizeof send);
	ui_text(stdscr, y, 0, 1, sel ? term_attr(UA_SEL) : (int)A_NORMAL, sel ? term_sym(SYM_SEL) : " ", 0);
	int x = 2 + ui_text(stdscr, y, 2, 6, term_attr(UA_DIM), day, 1) + 1;
	x += ui_text(stdscr, y, x, wide ? 26 : narrow ? 14 : 18, sel ? (int)A_BOLD : (int)A_NORMAL,
	             MV(i, SU_CUSTOMER), 1) + 1;
	x += ui_text(stdscr, y, x, wide ? 30 : narrow ? 16 : 22, (int)A_NORMAL, send, 1) + 1;
	/* Held in a word where the state goes; else the first reason. */
	x += ui_text(stdscr, y, x, 4, held ? term_attr(UA_BAD) : (int)A_NORMAL, held ? "HELD" : "", 1) + 1;
	if (x < a->cols - 4)
		ui_text(stdscr, y, x, a->cols - x - 1, held ? term_attr(UA_DIM) : term_attr(UA_FLAG),
		        held ? MV(i, SU_HOLD_COMMENT) : MV(i, SU_REASONS), 0);
}

/* The selected send in full: the hold, then the reasons. */
static void draw_detail(struct sends *m, struct app *a, int y, int h)
{
	int r = m->l.sel, used = 0;
	ui_hline(stdscr, y, 0, a->cols);
	if (r < 0 || r >= nrows(m) || h < 2)
		return;
	if (is_held(m, r)) {
		char line[768];
		snprintf(line, sizeof line, "HELD by %s at %s: %s", MV(r, SU_HELD_BY), MV(r, SU_HELD_AT),
		         MV(r, SU_HOLD_COMMENT));
		used = signals_draw_wrapped(y + 1, 1, a->cols - 2, h > 2 ? 1 : h - 1, term_attr(UA_BAD), line);
	}
	if (1 + used < h)
		used += signals_draw_wrapped(y + 1 + used, 1, a->cols - 2, h - 1 - used, (int)A_NORMAL,
		                             PQgetisnull(m->rows, r, SU_REASONS) ? "no active signal" : MV(r, SU_REASONS));
}

static void sends_draw(struct screen *s, struct app *a)
{
	struct sends *m = (struct sends *)s;
	int n = nrows(m);
	char right[64];
	ui_textf(stdscr, 0, 1, a->cols / 2, term_attr(UA_HEADER), 0, "Baton %s Sends to customers in trouble",
	         term_sym(SYM_DOT));
	snprintf(right, sizeof right, "%d scheduled %s %d held", n, term_sym(SYM_DOT), m->held);
	int rw = text_width(right);
	ui_text(stdscr, 1, 1, a->cols - rw - 4, term_attr(UA_DIM),
	        "Scheduled sends whose customer has an active signal, and held ones", 0);
	ui_text(stdscr, 1, a->cols - rw - 1, rw, (int)A_NORMAL, right, 0);
	int wide = a->cols >= 110, narrow = a->cols < 80, x = 2;
	x += ui_text(stdscr, 2, x, 6, (int)A_BOLD, "When", 1) + 1;
	x += ui_text(stdscr, 2, x, wide ? 26 : narrow ? 14 : 18, (int)A_BOLD, "Customer", 1) + 1;
	x += ui_text(stdscr, 2, x, wide ? 30 : narrow ? 16 : 22, (int)A_BOLD, "Send", 1) + 1;
	ui_text(stdscr, 2, x + 5, a->cols - x - 6, (int)A_BOLD, "Why", 0);
	int detail = a->rows >= 20 ? 4 : 2;
	m->height = a->rows - 4 - detail;
	if (m->error[0])
		ui_text(stdscr, 3, 2, a->cols - 4, term_attr(UA_BAD), m->error, 0);
	else if (!m->rows)
		ui_text(stdscr, 3, 2, a->cols - 4, term_attr(UA_DIM), "loading…", 0);
	else if (n == 0)
		ui_text(stdscr, 3, 2, a->cols - 4, term_attr(UA_DIM),
		        "No scheduled send goes to a customer in trouble.", 0);
	ui_list_fit(&m->l, n, m->height);
	for (int i = 0; i < m->height && m->l.top + i < n; i++)
		draw_row(m, a, m->l.top + i, 3 + i);
	draw_detail(m, a, a->rows - 1 - detail, detail);
}

/* --- acting --------------------------------------------------------------------- */

static void search_step(struct sends *m, struct app *a, int dir)
{
	static const int cols[] = {SU_CUSTOMER, SU_CAMPAIGN, SU_REASONS};
	if (!m->search[0] || !m->rows)
		return;
	int r = signals_find_row(m->rows, cols, 3, m->l.sel, dir, m->search);
	if (r < 0)
		app_message(a, 1, "not found: %s", m->search);
	else
		m->l.sel = r;
}

static void on_search(struct app *a, void *ctx, const char *answer)
{
	struct sends *m = ctx;
	if (!screen_release(&m->base) || !answer || !*answer)
		return;
	snprintf(m->search, sizeof m->search, "%s", answer);
	search_step(m, a, 1);
}

static void hold(struct sends *m, struct app *a, int r)
{
	char send[256], what[384];
	send_words(m, r, send, sizeof send);
	snprintf(what, sizeof what, "%s to %s", send, MV(r, SU_CUSTOMER));
	signal_hold_ask(a, strtoll(MV(r, SU_EVENT_ID), NULL, 10), is_held(m, r), what);
}

static void sends_action(struct screen *s, struct app *a, enum ui_action act)
{
	struct sends *m = (struct sends *)s;
	int r = m->l.sel, have = r >= 0 && r < nrows(m);
	switch (act) {
	case ACT_BACK:
		app_pop(a);
		return;
	case ACT_REFRESH:
		sends_reload(s, a);
		return;
	case ACT_OPEN:
		if (have)
			app_push(a, customer_new_at(a, strtoll(MV(r, SU_CUSTOMER_ID), NULL, 10), P_MARKETING,
			                            MV(r, SU_EVENT_ID)));
		return;
	case ACT_HOLD:
		if (have)
			hold(m, a, r);
		return;
	case ACT_SEARCH:
		screen_hold(s);
		app_prompt(a, "/", 0, on_search, m);
		return;
	case ACT_SEARCH_NEXT:
	case ACT_SEARCH_PREV:
		search_step(m, a, act == ACT_SEARCH_NEXT ? 1 : -1);
		return;
	default:
		ui_list_move(&m->l, nrows(m), m->height - 1, act);
	}
}

static const struct screen_ops sends_ops = {
	.name = "sends",
	.scope = SCOPE_SENDS,
	.draw = sends_draw,
	.action = sends_action,
	.reload = sends_reload,
	.destroy = sends_destroy,
	.hints = "Enter customer  h hold/release  / search  S signals  ? help  q back",
};

struct screen *sends_new(struct app *a)
{
	struct sends *m = calloc(1, sizeof *m);
	if (!m)
		abort();
	m->base.ops = &sends_ops;
	m->l.sel = -1;
	sends_reload(&m->base, a);
	return &m->base;
}
