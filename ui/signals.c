/* The signals screen: every customer's active crossed signals, most severe
 * first, one line each with its explanation and the selected one in full
 * below; filtered by kind, team, segment and owner; live (re-read on every
 * change notification); Enter opens the customer on the signal, a
 * acknowledges it.  Also the rows both lists of ui/signals.h share. */
#include "baton/signal_filter.h"
#include "baton/signals.h"
#include "baton/text.h"
#include "ui/customer.h"
#include "ui/signals.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Request kinds (screen_request): each replaces only its own. */
enum { REQ_LIST = 1, REQ_TEAMS, REQ_COUNTS };

struct signals {
	struct screen base;
	struct signal_filter f;
	struct signal_rows rows; /* SI_* columns */
	int customers;           /* distinct customers among the rows */
	long long recomputing;   /* customers still to compute after a rules change */
	struct team_list teams;  /* for checking team= and owner= */
	int has_teams;
};

static void signals_destroy(struct screen *s)
{
	struct signals *g = (struct signals *)s;
	signal_rows_free(&g->rows);
	team_list_free(&g->teams);
	free(g);
}

#define SV(row, col) PQgetvalue(g->rows.res, row, col)

/* A signal is its customer and kind. */
static const char *row_key(const void *res, int row)
{
	static char key[96];
	snprintf(key, sizeof key, "%s:%s", PQgetvalue(res, row, SI_CUSTOMER_ID), PQgetvalue(res, row, SI_KIND));
	return key;
}

/* The counts of the filter's kind (NULL: of all kinds), from the answer
 * to signals_counts_sql; 0 when that kind has none, -1 unknown. */
static void read_counts(struct signals *g, const PGresult *r)
{
	g->rows.total = -1;
	g->customers = 0;
	g->recomputing = 0;
	if (!r || PQresultStatus(r) != PGRES_TUPLES_OK || PQnfields(r) != SC_COLS)
		return;
	g->rows.total = 0;
	for (int i = 0; i < PQntuples(r); i++) {
		int all = PQgetisnull(r, i, SC_KIND);
		if (!all && !strcmp(PQgetvalue(r, i, SC_KIND), SIGNALS_RECOMPUTING)) {
			g->recomputing = strtoll(PQgetvalue(r, i, SC_CUSTOMERS), NULL, 10);
			continue;
		}
		if (g->f.kind[0] ? !all && !strcmp(PQgetvalue(r, i, SC_KIND), g->f.kind) : all) {
			g->rows.total = strtoll(PQgetvalue(r, i, SC_SIGNALS), NULL, 10);
			g->customers = (int)strtol(PQgetvalue(r, i, SC_CUSTOMERS), NULL, 10);
		}
	}
}

static void on_loaded(struct screen *s, struct app *a, PGresult **res, int nres, const char *err)
{
	struct signals *g = (struct signals *)s;
	(void)a;
	signal_rows_adopt(&g->rows, res, nres, err);
}

static void on_counts(struct screen *s, struct app *a, PGresult **res, int nres, const char *err)
{
	(void)a;
	read_counts((struct signals *)s, !err && nres == 1 ? res[0] : NULL);
}

static void on_teams(struct screen *s, struct app *a, PGresult **res, int nres, const char *err)
{
	struct signals *g = (struct signals *)s;
	char e[128];
	(void)a;
	if (!err && team_list_read(&g->teams, res, nres, e, sizeof e) == 0)
		g->has_teams = 1;
}

/* The window of rows, and unless only the window grew, the counts. */
static void fetch(struct signals *g, struct app *a, int counts)
{
	struct signal_filter_params p;
	struct db_stmt st[2];
	signal_filter_page_stmts(&g->f, g->rows.window, &p, st);
	/* The page first, alone: the counts pass over every signal, and the
	 * rows must not wait for them. */
	screen_request(&g->base, a, REQ_LIST, &st[0], 1, 0, on_loaded);
	if (counts)
		screen_request(&g->base, a, REQ_COUNTS, &st[1], 1, 0, on_counts);
	if (!g->has_teams) {
		struct db_stmt ts[TEAM_STMTS];
		team_statements(ts);
		screen_request(&g->base, a, REQ_TEAMS, ts, TEAM_STMTS, 0, on_teams);
	}
}

static void signals_reload(struct screen *s, struct app *a)
{
	fetch((struct signals *)s, a, 1);
}

/* A page more of the same list: its counts have not changed. */
static void signals_grow(struct screen *s, struct app *a)
{
	fetch((struct signals *)s, a, 0);
}

/* --- drawing ---------------------------------------------------------------------- */

/* Column widths: narrow below 80 columns, wide from 110. */
int signal_rows_customer_cols(const struct app *a)
{
	return a->cols >= 110 ? 26 : a->cols < 80 ? 12 : 16;
}

static int col_signal(const struct app *a)
{
	return a->cols >= 110 ? 26 : a->cols < 80 ? 14 : 20;
}

static void draw_row(struct screen *s, struct app *a, int i, int y)
{
	struct signals *g = (struct signals *)s;
	int sel = i == g->rows.l.sel;
	const char *sev = SV(i, SI_SEVERITY);
	int high = !strcmp(sev, "high"), medium = !strcmp(sev, "medium");
	ui_text(stdscr, y, 0, 1, sel ? term_attr(UA_SEL) : (int)A_NORMAL, sel ? term_sym(SYM_SEL) : " ", 0);
	/* Severity in a word, never colour alone. */
	int x = 2 + ui_text(stdscr, y, 2, 4, high ? term_attr(UA_BAD) : medium ? term_attr(UA_WARN) : (int)A_NORMAL,
	                    high ? "HIGH" : medium ? "MED" : "LOW", 1) + 1;
	x += ui_text(stdscr, y, x, signal_rows_customer_cols(a), sel ? (int)A_BOLD : (int)A_NORMAL,
	             SV(i, SI_CUSTOMER), 1) + 1;
	x += ui_text(stdscr, y, x, col_signal(a), term_attr(UA_FLAG), SV(i, SI_TITLE), 1) + 1;
	if (x < a->cols - 4)
		ui_text(stdscr, y, x, a->cols - x - 1, (int)A_NORMAL, SV(i, SI_EXPLANATION), 0);
}

/* The selected signal in full: its explanation, since when, for whom, and
 * the records behind it. */
static void draw_detail(struct signals *g, struct app *a, int y, int h)
{
	int r = g->rows.l.sel;
	ui_hline(stdscr, y, 0, a->cols);
	if (r < 0 || r >= signal_rows_count(&g->rows) || h < 2)
		return;
	int used = ui_text_wrapped(stdscr, y + 1, 1, a->cols - 2, h > 2 ? h - 2 : 1, (int)A_NORMAL,
	                                SV(r, SI_EXPLANATION));
	if (1 + used < h)
		ui_textf(stdscr, y + 1 + used, 1, a->cols - 2, term_attr(UA_DIM), 0, "since %s %s for %s %s %s",
		         SV(r, SI_SINCE), term_sym(SYM_DOT), SV(r, SI_TEAMS), term_sym(SYM_DOT), SV(r, SI_REFS));
}

static void signals_draw(struct screen *s, struct app *a)
{
	struct signals *g = (struct signals *)s;
	long long n = g->rows.total;
	char desc[256], right[128];
	ui_textf(stdscr, 0, 1, a->cols / 2, term_attr(UA_HEADER), 0, "Baton %s Crossed signals", term_sym(SYM_DOT));
	signal_filter_describe(&g->f, desc, sizeof desc);
	if (n < 0)
		snprintf(right, sizeof right, "counting…");
	else
		snprintf(right, sizeof right, "%lld signal%s %s %d customer%s", n, n == 1 ? "" : "s",
		         term_sym(SYM_DOT), g->customers, g->customers == 1 ? "" : "s");
	signal_rows_recomputing(right, sizeof right, g->recomputing);
	int rw = text_width(right);
	ui_textf(stdscr, 1, 1, a->cols - rw - 4, term_attr(UA_DIM), 0, "filter: %s", desc);
	ui_text(stdscr, 1, a->cols - rw - 1, rw, (int)A_NORMAL, right, 0);
	int x = 2;
	x += ui_text(stdscr, 2, x, 4, (int)A_BOLD, "Sev", 1) + 1;
	x += ui_text(stdscr, 2, x, signal_rows_customer_cols(a), (int)A_BOLD, "Customer", 1) + 1;
	x += ui_text(stdscr, 2, x, col_signal(a), (int)A_BOLD, "Signal", 1) + 1;
	ui_text(stdscr, 2, x, a->cols - x - 1, (int)A_BOLD, "What, since when, the records", 0);
	/* The detail takes 4 rows when there is room, 2 at the smallest. */
	int detail = a->rows >= 20 ? 4 : 2;
	g->rows.height = a->rows - 4 - detail;
	signal_rows_draw(&g->rows, a, 3, "No active signal in this view.", draw_row);
	draw_detail(g, a, a->rows - 1 - detail, detail);
}

/* --- acting --------------------------------------------------------------------- */

static void on_filter(struct app *a, void *ctx, const char *answer)
{
	struct signals *g = ctx;
	if (!screen_release(&g->base) || !answer)
		return;
	struct signal_filter f;
	char err[1024];
	if (signal_filter_parse(&f, answer, g->has_teams ? &g->teams : NULL, err, sizeof err) < 0) {
		app_message(a, 1, "%s", err);
		return;
	}
	g->f = f;
	/* Another list: from its first row, not from the old one's item. */
	signal_rows_free(&g->rows);
	fetch(g, a, 1);
}

static void ask_filter(struct signals *g, struct app *a)
{
	char desc[256];
	screen_hold(&g->base);
	app_prompt(a, "Filter (kind= team= segment= owner=):", 0, on_filter, g);
	signal_filter_describe(&g->f, desc, sizeof desc);
	if (strcmp(desc, "any") != 0)
		snprintf(a->prompt.text, sizeof a->prompt.text, "%s", desc);
}

static void signals_action(struct screen *s, struct app *a, enum ui_action act)
{
	struct signals *g = (struct signals *)s;
	int r = g->rows.l.sel;
	if (signal_rows_action(&g->rows, a, act))
		return;
	int have = r >= 0 && r < signal_rows_count(&g->rows);
	char what[256];
	switch (act) {
	case ACT_BACK:
		app_pop(a);
		return;
	case ACT_REFRESH:
		g->has_teams = 0;
		fetch(g, a, 1);
		return;
	case ACT_OPEN:
		if (have)
			app_push(a, customer_new_at(a, strtoll(SV(r, SI_CUSTOMER_ID), NULL, 10), P_FLAGS, SV(r, SI_KIND)));
		return;
	case ACT_ACK_SIGNAL:
		if (!have)
			return;
		snprintf(what, sizeof what, "%s, %s", SV(r, SI_TITLE), SV(r, SI_CUSTOMER));
		signal_ack_ask(a, strtoll(SV(r, SI_CUSTOMER_ID), NULL, 10), SV(r, SI_KIND), SV(r, SI_FINGERPRINT), what);
		return;
	case ACT_SIGNAL_FILTER:
		ask_filter(g, a);
		return;
	default:
		return;
	}
}

static const struct screen_ops signals_ops = {
	.name = "signals",
	.scope = SCOPE_SIGNALS,
	.draw = signals_draw,
	.action = signals_action,
	.reload = signals_reload,
	.destroy = signals_destroy,
	.hints = "Enter customer  a acknowledge  f filter  / search  M sends  ? help  q back",
};

struct screen *signals_new(struct app *a)
{
	static const int find[] = {SI_CUSTOMER, SI_TITLE, SI_EXPLANATION};
	struct signals *g = calloc(1, sizeof *g);
	if (!g)
		abort();
	g->base.ops = &signals_ops;
	g->rows = (struct signal_rows){.s = &g->base, .ncols = SI_COLS, .key = row_key, .find = find, .nfind = 3,
	                               .window = SIGNAL_PAGE, .total = -1, .grow = signals_grow};
	g->rows.l.sel = -1;
	fetch(g, a, 1);
	return &g->base;
}

void signals_show(struct app *a, enum ui_action which)
{
	enum ui_scope want = which == ACT_SENDS ? SCOPE_SENDS : SCOPE_SIGNALS;
	if (a->top && a->top->ops->scope == want)
		return;
	if (a->top && a->top->below && a->top->below->ops->scope == want) {
		app_pop(a);
		return;
	}
	app_push(a, which == ACT_SENDS ? sends_new(a) : signals_new(a));
}

/* --- the rows both lists share ------------------------------------------------------ */

void signal_rows_recomputing(char *right, size_t n, long long customers)
{
	size_t len = strlen(right);
	if (customers > 0 && len < n)
		snprintf(right + len, n - len, " %s recomputing… %lld customer%s left", term_sym(SYM_DOT),
		         customers, customers == 1 ? "" : "s");
}

int signal_rows_count(const struct signal_rows *r)
{
	return r->res ? PQntuples(r->res) : 0;
}

int signal_rows_adopt(struct signal_rows *r, PGresult **res, int nres, const char *err)
{
	r->growing = 0;
	if (err || nres != 1 || PQnfields(res[0]) != r->ncols) {
		snprintf(r->error, sizeof r->error, "%s", err ? err : "unexpected answer");
		return -1;
	}
	/* The cursor stays on its item when a live change reorders the rows. */
	char was[128] = "";
	if (r->l.sel >= 0 && r->l.sel < signal_rows_count(r))
		snprintf(was, sizeof was, "%s", r->key(r->res, r->l.sel));
	PQclear(r->res);
	r->res = res[0];
	res[0] = NULL;
	r->error[0] = '\0';
	ui_list_follow(&r->l, was, signal_rows_count(r), r->key, r->res);
	ui_list_fit(&r->l, signal_rows_count(r), r->height > 0 ? r->height : 1);
	return 0;
}

void signal_rows_draw(struct signal_rows *r, struct app *a, int y, const char *empty,
                      void (*draw_one)(struct screen *s, struct app *a, int row, int y))
{
	int n = signal_rows_count(r);
	if (r->error[0])
		ui_text(stdscr, y, 2, a->cols - 4, term_attr(UA_BAD), r->error, 0);
	else if (!r->res)
		ui_text(stdscr, y, 2, a->cols - 4, term_attr(UA_DIM), "loading…", 0);
	else if (n == 0)
		ui_text(stdscr, y, 2, a->cols - 4, term_attr(UA_DIM), empty, 0);
	ui_list_fit(&r->l, n, r->height);
	for (int i = 0; i < r->height && r->l.top + i < n; i++)
		draw_one(r->s, a, r->l.top + i, y + i);
}

/* The next row after the selection (dir 1) or before it (-1), wrapping,
 * whose searched columns hold the search; -1 if none. */
static int find_row(const struct signal_rows *r, int dir)
{
	int n = signal_rows_count(r);
	for (int k = 1; k <= n; k++) {
		int i = ((r->l.sel + dir * k) % n + n) % n;
		for (int c = 0; c < r->nfind; c++)
			if (text_contains_ci(PQgetvalue(r->res, i, r->find[c]), r->search))
				return i;
	}
	return -1;
}

static void search_step(struct signal_rows *r, struct app *a, int dir)
{
	if (!r->search[0] || !r->res)
		return;
	int i = find_row(r, dir);
	if (i < 0 && signal_rows_count(r) >= r->window)
		app_message(a, 1, "not found in the first %d rows: %s", signal_rows_count(r), r->search);
	else if (i < 0)
		app_message(a, 1, "not found: %s", r->search);
	else
		r->l.sel = i;
}

static void on_search(struct app *a, void *ctx, const char *answer)
{
	struct signal_rows *r = ctx;
	if (!screen_release(r->s) || !answer || !*answer)
		return;
	snprintf(r->search, sizeof r->search, "%s", answer);
	search_step(r, a, 1);
}

int signal_rows_action(struct signal_rows *r, struct app *a, enum ui_action act)
{
	switch (act) {
	case ACT_SEARCH:
		screen_hold(r->s);
		app_prompt(a, "/", 0, on_search, r);
		return 1;
	case ACT_SEARCH_NEXT:
	case ACT_SEARCH_PREV:
		search_step(r, a, act == ACT_SEARCH_NEXT ? 1 : -1);
		return 1;
	default:
		break;
	}
	int n = signal_rows_count(r);
	if (!ui_list_move(&r->l, n, r->height - 1, act))
		return 0;
	/* Within a screen of the window's end, and the list goes on: a page more. */
	if (!r->growing && r->res && n >= r->window && (r->total < 0 || n < r->total) &&
	    r->l.sel >= n - r->height) {
		r->window += SIGNAL_PAGE;
		r->growing = 1;
		r->grow(r->s, a);
	}
	return 1;
}

void signal_rows_free(struct signal_rows *r)
{
	PQclear(r->res);
	r->res = NULL;
	r->l.sel = -1;
	r->l.top = 0;
	r->window = SIGNAL_PAGE;
	r->total = -1;
	r->growing = 0;
}
