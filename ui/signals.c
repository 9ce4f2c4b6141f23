/* The signals screen: every customer's active crossed signals, most severe
 * first, one line each with its explanation and the selected one in full
 * below; filtered by kind, team, segment and owner; live (re-read on every
 * change notification); Enter opens the customer on the signal, a
 * acknowledges it.  Also what the two lists of ui/signals.h share. */
#include "baton/buf.h"
#include "baton/signal_filter.h"
#include "baton/signals.h"
#include "baton/text.h"
#include "ui/customer.h"
#include "ui/signals.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Request kinds (screen_request): each replaces only its own. */
enum { REQ_LIST = 1, REQ_TEAMS };

struct signals {
	struct screen base;
	struct signal_filter f;
	PGresult *rows;          /* SI_* columns; NULL until the first answer */
	int customers;           /* distinct customers among the rows */
	struct team_list teams;  /* for checking team= and owner= */
	int has_teams;
	struct ui_list l;
	int height;
	char error[256];
	char search[128];
};

static void signals_destroy(struct screen *s)
{
	struct signals *g = (struct signals *)s;
	PQclear(g->rows);
	team_list_free(&g->teams);
	free(g);
}

#define SV(row, col) PQgetvalue(g->rows, row, col)

static int nrows(const struct signals *g)
{
	return g->rows ? PQntuples(g->rows) : 0;
}

/* A signal is its customer and kind: the cursor stays on it when a live
 * change reorders the list. */
static const char *row_key(const void *ctx, int row)
{
	static char key[96];
	const PGresult *r = ctx;
	snprintf(key, sizeof key, "%s:%s", PQgetvalue(r, row, SI_CUSTOMER_ID), PQgetvalue(r, row, SI_KIND));
	return key;
}

static void on_loaded(struct screen *s, struct app *a, PGresult **res, int nres, const char *err)
{
	struct signals *g = (struct signals *)s;
	(void)a;
	if (err || nres != 1 || PQnfields(res[0]) != SI_COLS) {
		snprintf(g->error, sizeof g->error, "%s", err ? err : "unexpected answer");
		return;
	}
	char was[96] = "";
	if (g->l.sel >= 0 && g->l.sel < nrows(g))
		snprintf(was, sizeof was, "%s", row_key(g->rows, g->l.sel));
	PQclear(g->rows);
	g->rows = res[0];
	res[0] = NULL;
	g->error[0] = '\0';
	g->customers = 0;
	/* Rows come by severity, not by customer: count each id once. */
	for (int i = 0; i < nrows(g); i++) {
		int seen = 0;
		for (int j = 0; j < i && !seen; j++)
			seen = !strcmp(SV(i, SI_CUSTOMER_ID), SV(j, SI_CUSTOMER_ID));
		g->customers += !seen;
	}
	ui_list_follow(&g->l, was, nrows(g), row_key, g->rows);
	ui_list_fit(&g->l, nrows(g), g->height > 0 ? g->height : 1);
}

static void on_teams(struct screen *s, struct app *a, PGresult **res, int nres, const char *err)
{
	struct signals *g = (struct signals *)s;
	char e[128];
	(void)a;
	if (!err && team_list_read(&g->teams, res, nres, e, sizeof e) == 0)
		g->has_teams = 1;
}

static void fetch(struct signals *g, struct app *a)
{
	struct signal_filter_params p;
	struct db_stmt st;
	signal_filter_stmt(&g->f, &p, &st);
	screen_request(&g->base, a, REQ_LIST, &st, 1, 0, on_loaded);
	if (!g->has_teams) {
		struct db_stmt ts[TEAM_STMTS];
		team_statements(ts);
		screen_request(&g->base, a, REQ_TEAMS, ts, TEAM_STMTS, 0, on_teams);
	}
}

static void signals_reload(struct screen *s, struct app *a)
{
	fetch((struct signals *)s, a);
}

/* --- drawing ---------------------------------------------------------------------- */

static int severity_attr(const char *sev)
{
	return !strcmp(sev, "high") ? term_attr(UA_BAD) : !strcmp(sev, "medium") ? term_attr(UA_WARN) : (int)A_NORMAL;
}

static void draw_row(struct signals *g, struct app *a, int i, int y)
{
	int sel = i == g->l.sel, wide = a->cols >= 110, narrow = a->cols < 80;
	const char *sev = SV(i, SI_SEVERITY);
	ui_text(stdscr, y, 0, 1, sel ? term_attr(UA_SEL) : (int)A_NORMAL, sel ? term_sym(SYM_SEL) : " ", 0);
	/* Severity in a word, never colour alone. */
	const char *word = !strcmp(sev, "high") ? "HIGH" : !strcmp(sev, "medium") ? "MED" : "LOW";
	int x = 2 + ui_text(stdscr, y, 2, 4, severity_attr(sev), word, 1) + 1;
	x += ui_text(stdscr, y, x, wide ? 26 : narrow ? 12 : 16, sel ? (int)A_BOLD : (int)A_NORMAL,
	             SV(i, SI_CUSTOMER), 1) + 1;
	x += ui_text(stdscr, y, x, wide ? 26 : narrow ? 14 : 20, term_attr(UA_FLAG), SV(i, SI_TITLE), 1) + 1;
	if (x < a->cols - 4)
		ui_text(stdscr, y, x, a->cols - x - 1, (int)A_NORMAL, SV(i, SI_EXPLANATION), 0);
}

/* The selected signal in full: its explanation, since when, for whom, and
 * the records behind it. */
static void draw_detail(struct signals *g, struct app *a, int y, int h)
{
	int r = g->l.sel;
	ui_hline(stdscr, y, 0, a->cols);
	if (r < 0 || r >= nrows(g) || h < 2)
		return;
	int used = signals_draw_wrapped(y + 1, 1, a->cols - 2, h - 2 > 0 ? h - 2 : 1, (int)A_NORMAL,
	                                SV(r, SI_EXPLANATION));
	if (1 + used < h)
		ui_textf(stdscr, y + 1 + used, 1, a->cols - 2, term_attr(UA_DIM), 0, "since %s %s for %s %s %s",
		         SV(r, SI_SINCE), term_sym(SYM_DOT), SV(r, SI_TEAMS), term_sym(SYM_DOT), SV(r, SI_REFS));
}

static void signals_draw(struct screen *s, struct app *a)
{
	struct signals *g = (struct signals *)s;
	int n = nrows(g);
	char desc[256], right[64];
	ui_textf(stdscr, 0, 1, a->cols / 2, term_attr(UA_HEADER), 0, "Baton %s Crossed signals", term_sym(SYM_DOT));
	signal_filter_describe(&g->f, desc, sizeof desc);
	snprintf(right, sizeof right, "%d signal%s %s %d customer%s", n, n == 1 ? "" : "s", term_sym(SYM_DOT),
	         g->customers, g->customers == 1 ? "" : "s");
	int rw = text_width(right);
	ui_textf(stdscr, 1, 1, a->cols - rw - 4, term_attr(UA_DIM), 0, "filter: %s", desc);
	ui_text(stdscr, 1, a->cols - rw - 1, rw, (int)A_NORMAL, right, 0);
	int wide = a->cols >= 110, narrow = a->cols < 80;
	int x = 2;
	x += ui_text(stdscr, 2, x, 4, (int)A_BOLD, "Sev", 1) + 1;
	x += ui_text(stdscr, 2, x, wide ? 26 : narrow ? 12 : 16, (int)A_BOLD, "Customer", 1) + 1;
	x += ui_text(stdscr, 2, x, wide ? 26 : narrow ? 14 : 20, (int)A_BOLD, "Signal", 1) + 1;
	ui_text(stdscr, 2, x, a->cols - x - 1, (int)A_BOLD, "What, since when, the records", 0);
	/* The detail takes 4 rows when there is room, 2 at the smallest. */
	int detail = a->rows >= 20 ? 4 : 2;
	g->height = a->rows - 4 - detail;
	if (g->error[0])
		ui_text(stdscr, 3, 2, a->cols - 4, term_attr(UA_BAD), g->error, 0);
	else if (!g->rows)
		ui_text(stdscr, 3, 2, a->cols - 4, term_attr(UA_DIM), "loading…", 0);
	else if (n == 0)
		ui_text(stdscr, 3, 2, a->cols - 4, term_attr(UA_DIM), "No active signal in this view.", 0);
	ui_list_fit(&g->l, n, g->height);
	for (int i = 0; i < g->height && g->l.top + i < n; i++)
		draw_row(g, a, g->l.top + i, 3 + i);
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
	g->l.sel = 0;
	g->l.top = 0;
	fetch(g, a);
}

static void ask_filter(struct signals *g, struct app *a)
{
	char desc[256];
	screen_hold(&g->base);
	app_prompt(a, "Filter (kind= team= segment= owner=):", 0, on_filter, g);
	signal_filter_describe(&g->f, desc, sizeof desc);
	if (strcmp(desc, "any") != 0) {
		snprintf(a->prompt.text, sizeof a->prompt.text, "%s", desc);
		a->prompt.len = strlen(a->prompt.text);
	}
}

static void search_step(struct signals *g, struct app *a, int dir)
{
	static const int cols[] = {SI_CUSTOMER, SI_TITLE, SI_EXPLANATION};
	if (!g->search[0] || !g->rows)
		return;
	int r = signals_find_row(g->rows, cols, 3, g->l.sel, dir, g->search);
	if (r < 0)
		app_message(a, 1, "not found: %s", g->search);
	else
		g->l.sel = r;
}

static void on_search(struct app *a, void *ctx, const char *answer)
{
	struct signals *g = ctx;
	if (!screen_release(&g->base) || !answer || !*answer)
		return;
	snprintf(g->search, sizeof g->search, "%s", answer);
	search_step(g, a, 1);
}

static void acknowledge(struct signals *g, struct app *a, int r)
{
	char what[256];
	snprintf(what, sizeof what, "%s, %s", SV(r, SI_TITLE), SV(r, SI_CUSTOMER));
	signal_ack_ask(a, strtoll(SV(r, SI_CUSTOMER_ID), NULL, 10), SV(r, SI_KIND), SV(r, SI_FINGERPRINT), what);
}

static void signals_action(struct screen *s, struct app *a, enum ui_action act)
{
	struct signals *g = (struct signals *)s;
	int r = g->l.sel, have = r >= 0 && r < nrows(g);
	switch (act) {
	case ACT_BACK:
		app_pop(a);
		return;
	case ACT_REFRESH:
		g->has_teams = 0;
		fetch(g, a);
		return;
	case ACT_OPEN:
		if (have)
			app_push(a, customer_new_at(a, strtoll(SV(r, SI_CUSTOMER_ID), NULL, 10), P_FLAGS, SV(r, SI_KIND)));
		return;
	case ACT_ACK_SIGNAL:
		if (have)
			acknowledge(g, a, r);
		return;
	case ACT_SIGNAL_FILTER:
		ask_filter(g, a);
		return;
	case ACT_SEARCH:
		screen_hold(s);
		app_prompt(a, "/", 0, on_search, g);
		return;
	case ACT_SEARCH_NEXT:
	case ACT_SEARCH_PREV:
		search_step(g, a, act == ACT_SEARCH_NEXT ? 1 : -1);
		return;
	default:
		ui_list_move(&g->l, nrows(g), g->height - 1, act);
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
	struct signals *g = calloc(1, sizeof *g);
	if (!g)
		abort();
	g->base.ops = &signals_ops;
	g->l.sel = -1;
	fetch(g, a);
	return &g->base;
}

/* --- shared by the two lists ------------------------------------------------------ */

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

int signals_find_row(const PGresult *r, const int *cols, int ncols, int from, int dir,
                     const char *needle)
{
	int n = PQntuples(r);
	for (int k = 1; k <= n; k++) {
		int i = ((from + dir * k) % n + n) % n;
		for (int c = 0; c < ncols; c++)
			if (text_contains_ci(PQgetvalue(r, i, cols[c]), needle))
				return i;
	}
	return -1;
}

/* Where a row of at most cols columns ends in s: at its last space if
 * the text goes on, else where the columns run out. */
static size_t row_end(const char *s, int cols)
{
	size_t len = strlen(s), i = 0, space = 0;
	int w = 0;
	while (i < len) {
		size_t next = text_utf8_next(s, len, i);
		char ch[8] = "";
		memcpy(ch, s + i, next - i < sizeof ch - 1 ? next - i : sizeof ch - 1);
		int cw = text_width(ch);
		if (w + cw > cols)
			return space ? space : i;
		w += cw;
		if (s[i] == ' ')
			space = i;
		i = next;
	}
	return len;
}

int signals_draw_wrapped(int y, int x, int cols, int lines, int attr, const char *s)
{
	struct buf clean = BUF_INIT, part = BUF_INIT;
	text_clean(&clean, s, strlen(s), TEXT_ONELINE);
	const char *p = buf_str(&clean);
	int used = 0;
	while (*p && used < lines && cols > 0) {
		/* The last row takes the rest, cut with an ellipsis. */
		size_t end = used + 1 == lines ? strlen(p) : row_end(p, cols);
		if (end == 0)
			end = text_utf8_next(p, strlen(p), 0);
		buf_reset(&part);
		buf_add(&part, p, end);
		ui_text(stdscr, y + used++, x, cols, attr, buf_str(&part), 0);
		p += end;
		while (*p == ' ')
			p++;
	}
	buf_free(&clean);
	buf_free(&part);
	return used;
}
