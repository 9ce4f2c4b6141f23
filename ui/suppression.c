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

enum { REQ_LIST = 1, REQ_COUNTS };

struct sends {
	struct screen base;
	struct signal_rows rows; /* SU_* columns */
	long long held;          /* how many of the whole list's sends are held */
	long long recomputing;   /* customers still to compute after a rules change */
};

static void sends_destroy(struct screen *s)
{
	struct sends *m = (struct sends *)s;
	signal_rows_free(&m->rows);
	free(m);
}

#define MV(row, col) PQgetvalue(m->rows.res, row, col)

static const char *row_key(const void *res, int row)
{
	return PQgetvalue(res, row, SU_EVENT_ID);
}

static int is_held(const struct sends *m, int r)
{
	return MV(r, SU_HELD)[0] == 't';
}

static void on_loaded(struct screen *s, struct app *a, PGresult **res, int nres, const char *err)
{
	struct sends *m = (struct sends *)s;
	(void)a;
	signal_rows_adopt(&m->rows, res, nres, err);
}

/* The whole list's counts, not the window's; -1 unknown. */
static void on_counts(struct screen *s, struct app *a, PGresult **res, int nres, const char *err)
{
	struct sends *m = (struct sends *)s;
	(void)a;
	const PGresult *c = !err && nres == 1 ? res[0] : NULL;
	int ok = c && PQresultStatus(c) == PGRES_TUPLES_OK && PQntuples(c) == 1 && PQnfields(c) == 3;
	m->rows.total = ok ? strtoll(PQgetvalue(c, 0, 0), NULL, 10) : -1;
	m->held = ok ? strtoll(PQgetvalue(c, 0, 1), NULL, 10) : 0;
	m->recomputing = ok ? strtoll(PQgetvalue(c, 0, 2), NULL, 10) : 0;
}

/* The window of rows, and unless only the window grew, the counts. */
static void fetch(struct sends *m, struct app *a, int counts)
{
	char limit[16];
	const char *p[1] = {limit};
	snprintf(limit, sizeof limit, "%d", m->rows.window);
	struct db_stmt st[2] = {{signals_suppression_page_sql, 1, p}, {signals_suppression_count_sql, 0, NULL}};
	/* The page first, alone: the rows must not wait for the counting. */
	screen_request(&m->base, a, REQ_LIST, &st[0], 1, 0, on_loaded);
	if (counts)
		screen_request(&m->base, a, REQ_COUNTS, &st[1], 1, 0, on_counts);
}

static void sends_reload(struct screen *s, struct app *a)
{
	fetch((struct sends *)s, a, 1);
}

/* A page more of the same list: its counts have not changed. */
static void sends_grow(struct screen *s, struct app *a)
{
	fetch((struct sends *)s, a, 0);
}

/* --- drawing ---------------------------------------------------------------------- */

/* "upsell "Upgrade to Pro"": the kind of send and its campaign. */
static void send_words(const struct sends *m, int r, char *out, size_t n)
{
	char kind[32];
	fmt_words(kind, sizeof kind, MV(r, SU_KIND));
	snprintf(out, n, "%s \"%s\"", kind, MV(r, SU_CAMPAIGN));
}

/* Column widths: narrow below 80 columns, wide from 110 (the customer's
 * as on the signals screen). */
static int col_send(const struct app *a)
{
	return a->cols >= 110 ? 30 : a->cols < 80 ? 16 : 24;
}

static void draw_row(struct screen *s, struct app *a, int i, int y)
{
	struct sends *m = (struct sends *)s;
	int sel = i == m->rows.l.sel, held = is_held(m, i);
	char day[16], send[256];
	fmt_day(day, sizeof day, MV(i, SU_SCHEDULED));
	send_words(m, i, send, sizeof send);
	ui_text(stdscr, y, 0, 1, sel ? term_attr(UA_SEL) : (int)A_NORMAL, sel ? term_sym(SYM_SEL) : " ", 0);
	int x = 2 + ui_text(stdscr, y, 2, 6, term_attr(UA_DIM), day, 1) + 1;
	x += ui_text(stdscr, y, x, signal_rows_customer_cols(a), sel ? (int)A_BOLD : (int)A_NORMAL,
	             MV(i, SU_CUSTOMER), 1) + 1;
	x += ui_text(stdscr, y, x, col_send(a), (int)A_NORMAL, send, 1) + 1;
	/* Held in a word where the state goes; else the first reason. */
	x += ui_text(stdscr, y, x, 4, held ? term_attr(UA_BAD) : (int)A_NORMAL, held ? "HELD" : "", 1) + 1;
	if (x < a->cols - 4)
		ui_text(stdscr, y, x, a->cols - x - 1, held ? term_attr(UA_DIM) : term_attr(UA_FLAG),
		        held ? MV(i, SU_HOLD_COMMENT) : MV(i, SU_REASONS), 0);
}

/* The selected send in full: the hold, then the reasons. */
static void draw_detail(struct sends *m, struct app *a, int y, int h)
{
	int r = m->rows.l.sel, used = 0;
	ui_hline(stdscr, y, 0, a->cols);
	if (r < 0 || r >= signal_rows_count(&m->rows) || h < 2)
		return;
	if (is_held(m, r)) {
		char line[768];
		snprintf(line, sizeof line, "HELD by %s at %s: %s", MV(r, SU_HELD_BY), MV(r, SU_HELD_AT),
		         MV(r, SU_HOLD_COMMENT));
		used = ui_text_wrapped(stdscr, y + 1, 1, a->cols - 2, h > 2 ? 1 : h - 1, term_attr(UA_BAD), line);
	}
	if (1 + used < h)
		used += ui_text_wrapped(stdscr, y + 1 + used, 1, a->cols - 2, h - 1 - used, (int)A_NORMAL,
		                             PQgetisnull(m->rows.res, r, SU_REASONS) ? "no active signal" : MV(r, SU_REASONS));
}

static void sends_draw(struct screen *s, struct app *a)
{
	struct sends *m = (struct sends *)s;
	long long n = m->rows.total;
	char right[128];
	ui_textf(stdscr, 0, 1, a->cols / 2, term_attr(UA_HEADER), 0, "Baton %s Sends to customers in trouble",
	         term_sym(SYM_DOT));
	if (n < 0)
		snprintf(right, sizeof right, "counting…");
	else
		snprintf(right, sizeof right, "%lld scheduled %s %lld held", n, term_sym(SYM_DOT), m->held);
	signal_rows_recomputing(right, sizeof right, m->recomputing);
	int rw = text_width(right);
	ui_text(stdscr, 1, 1, a->cols - rw - 4, term_attr(UA_DIM),
	        "Scheduled sends whose customer has an active signal, and held ones", 0);
	ui_text(stdscr, 1, a->cols - rw - 1, rw, (int)A_NORMAL, right, 0);
	int x = 2;
	x += ui_text(stdscr, 2, x, 6, (int)A_BOLD, "When", 1) + 1;
	x += ui_text(stdscr, 2, x, signal_rows_customer_cols(a), (int)A_BOLD, "Customer", 1) + 1;
	x += ui_text(stdscr, 2, x, col_send(a), (int)A_BOLD, "Send", 1) + 1;
	ui_text(stdscr, 2, x + 5, a->cols - x - 6, (int)A_BOLD, "Why", 0);
	int detail = a->rows >= 20 ? 4 : 2;
	m->rows.height = a->rows - 4 - detail;
	signal_rows_draw(&m->rows, a, 3, "No scheduled send goes to a customer in trouble.", draw_row);
	draw_detail(m, a, a->rows - 1 - detail, detail);
}

/* --- acting --------------------------------------------------------------------- */

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
	int r = m->rows.l.sel;
	if (signal_rows_action(&m->rows, a, act))
		return;
	int have = r >= 0 && r < signal_rows_count(&m->rows);
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
	default:
		return;
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
	static const int find[] = {SU_CUSTOMER, SU_CAMPAIGN, SU_REASONS};
	m->base.ops = &sends_ops;
	m->rows = (struct signal_rows){.s = &m->base, .ncols = SU_COLS, .key = row_key, .find = find, .nfind = 3,
	                               .window = SIGNAL_PAGE, .total = -1, .grow = sends_grow};
	m->rows.l.sel = -1;
	sends_reload(&m->base, a);
	return &m->base;
}
