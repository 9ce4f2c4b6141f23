/* The leads' queue drawn (ui/queue.c reads and acts): its counts and
 * medians, the saved views, a row per handoff (state, SLA, marks) and the
 * footer. */
#include "baton/config.h"
#include "baton/customer.h"
#include "baton/fmt.h"
#include "baton/queue.h"
#include "baton/signals.h"
#include "baton/text.h"
#include "ui/queue.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* Nothing until the counts have come: before, they are not known, and
 * 0 would say that nothing waits or is breached. */
static void draw_counts(struct queue *q, struct app *a)
{
	if (!q->has_stats)
		return;
	const struct queue_stats *st = &q->stats;
	char right[128];
	snprintf(right, sizeof right, "open %lld %s not ack %lld %s breached %lld", st->active,
	         term_sym(SYM_DOT), st->unack, term_sym(SYM_DOT), st->breached);
	int w = text_width(right);
	ui_text(stdscr, 1, a->cols - w - 1, w, st->breached ? term_attr(UA_BAD) : (int)A_NORMAL, right, 0);
}

static void draw_views(struct queue *q, struct app *a)
{
	int x = 1;
	x += ui_text(stdscr, 2, x, 8, term_attr(UA_DIM), "Views:", 0) + 1;
	for (size_t i = 0; i < a->cfg->nviews && x < a->cols - 10; i++) {
		int cur = q->view && !strcmp(q->view, a->cfg->views[i].name);
		x += ui_textf(stdscr, 2, x, a->cols - x - 1, cur ? term_attr(UA_SEL) : (int)A_NORMAL, 0,
		              "%zu %s", i + 1, a->cfg->views[i].name) + 2;
	}
	/* What the SLA column's signs mean, beside the filter. */
	char legend[64], desc[256], line[300];
	snprintf(legend, sizeof legend, "SLA: +over by %s -within by", term_sym(SYM_DOT));
	queue_filter_describe(&q->f, desc, sizeof desc);
	snprintf(line, sizeof line, "filter: %s", desc);
	int lw = text_width(legend), room = a->cols - lw - 4;
	/* The filter comes first: a long one takes the legend's place. */
	ui_text(stdscr, 3, 1, text_width(line) <= room ? room : a->cols - 2, term_attr(UA_DIM), line, 0);
	if (text_width(line) <= room)
		ui_text(stdscr, 3, a->cols - lw - 1, lw, term_attr(UA_DIM), legend, 0);
}

/* "+1d": over the SLA by a day; "-23h": within it by 23 hours. */
static void sla_text(const struct queue_row *r, char *out, size_t n)
{
	char t[16];
	if (!r->has_ack_left) {
		snprintf(out, n, " ");
		return;
	}
	fmt_age(t, sizeof t, r->ack_left_s < 0 ? -r->ack_left_s : r->ack_left_s);
	snprintf(out, n, "%s%s", r->ack_left_s < 0 ? "+" : "-", t);
}

static const char *state_word(const struct queue_row *r)
{
	if (r->breached)
		return "BREACHED";
	if (!strcmp(r->state, "open"))
		return "NEW";
	return !strcmp(r->state, "acknowledged") ? "ACK" : r->state;
}

static void draw_row(struct queue *q, struct app *a, int i, int y)
{
	const struct queue_row *r = &q->list.rows[i];
	int sel = i == q->l.sel, wide = a->cols >= 110;
	int bad = r->breached ? term_attr(UA_BAD) : (int)A_NORMAL;
	char age[16], sla[32], route[256];
	fmt_age(age, sizeof age, r->age_s);
	sla_text(r, sla, sizeof sla);
	snprintf(route, sizeof route, "%s %s %s%s%s", r->from_team, term_sym(SYM_ARROW), r->to_team,
	         r->to_staff[0] ? ":" : "", r->to_staff);
	ui_text(stdscr, y, 0, 1, sel ? term_attr(UA_SEL) : (int)A_NORMAL, sel ? term_sym(SYM_SEL) : " ", 0);
	ui_text(stdscr, y, 1, 1, (int)A_BOLD, q->marked[i] ? "*" : " ", 0);
	/* Breached: "!" and the word, never colour alone. */
	ui_text(stdscr, y, 2, 1, term_attr(UA_BAD), r->breached ? "!" : " ", 0);
	/* The customer's crossed signals (help's legend): the most severe one's
	 * mark in a column of its own when wide, else its letter before the age. */
	char mark[16];
	signal_marker(mark, sizeof mark, r->signal, r->signals);
	if (!wide)
		ui_textf(stdscr, y, 3, 1, term_attr(UA_FLAG), 0, "%.1s", mark);
	int x = 4;
	x += ui_text(stdscr, y, x, 4, bad, age, 1) + 1;
	x += ui_text(stdscr, y, x, wide ? 26 : 16, (int)A_NORMAL, r->customer, 1) + 1;
	x += ui_text(stdscr, y, x, wide ? 30 : 20, (int)A_NORMAL, route, 1) + 1;
	x += ui_text(stdscr, y, x, wide ? 18 : 11, (int)A_NORMAL, r->reason, 1) + 1;
	/* As the sketch has them: urg, high, norm, low. */
	int urgent = !strcmp(r->priority, "urgent");
	const char *pshort = urgent ? "urg" : !strcmp(r->priority, "normal") ? "norm" : r->priority;
	x += ui_text(stdscr, y, x, wide ? 6 : 4, urgent ? term_attr(UA_WARN) : (int)A_NORMAL,
	             wide ? r->priority : pshort, 1) + 1;
	x += ui_text(stdscr, y, x, 8, bad, state_word(r), 1) + 1;
	x += ui_text(stdscr, y, x, 6, bad, sla, 1) + 1;
	if (wide)
		x += ui_text(stdscr, y, x, 5, term_attr(UA_FLAG), mark, 1) + 1;
	if (wide && x < a->cols - 10)
		ui_text(stdscr, y, x, a->cols - x - 1, term_attr(UA_DIM), r->last_event, 0);
}

static void draw_footer(struct queue *q, struct app *a)
{
	if (!q->has_stats)
		return;
	const struct queue_stats *st = &q->stats;
	char m7[16] = "-", m30[16] = "-";
	if (st->has_median_7d)
		fmt_age(m7, sizeof m7, st->median_7d_s);
	if (st->has_median_30d)
		fmt_age(m30, sizeof m30, st->median_30d_s);
	int n = q->list.n;
	ui_textf(stdscr, a->rows - 2, 1, a->cols - 2, term_attr(UA_DIM), 0,
	         "median time to acknowledge: last 7 days %s %s last 30 days %s   %d shown%s", m7,
	         term_sym(SYM_DOT), m30, n, n >= QUEUE_LIMIT ? " (first of each group)" : "");
}

void queue_draw(struct screen *s, struct app *a)
{
	struct queue *q = (struct queue *)s;
	ui_textf(stdscr, 0, 1, a->cols / 2, term_attr(UA_HEADER), 0, "Baton %s Handoff queue%s%s",
	         term_sym(SYM_DOT), q->view ? " · " : "", q->view ? q->view : "");
	draw_counts(q, a);
	draw_views(q, a);
	int wide = a->cols >= 110, x = 4;
	static const char *const head[] = {"Age", "Customer", "From → To", "Reason", "Pri", "State", "SLA",
	                                   "Sig", "Last event"};
	/* At 80 columns the SLA column ends in the last one (and the signals'
	 * letter is in the fourth). */
	const int widths[] = {4, wide ? 26 : 16, wide ? 30 : 20, wide ? 18 : 11, wide ? 6 : 4, 8, 6,
	                      wide ? 5 : 0, wide ? a->cols - 126 : 0};
	for (int i = 0; i < 9 && widths[i] > 0; i++)
		x += ui_text(stdscr, 4, x, widths[i], (int)A_BOLD, head[i], 1) + 1;
	q->height = a->rows - 7;
	int n = q->list.n;
	if (q->error[0])
		ui_text(stdscr, 5, 2, a->cols - 4, term_attr(UA_BAD), q->error, 0);
	else if (!q->loaded)
		ui_text(stdscr, 5, 2, a->cols - 4, term_attr(UA_DIM), "loading…", 0);
	else if (n == 0)
		ui_text(stdscr, 5, 2, a->cols - 4, term_attr(UA_DIM), "Nothing in this view.", 0);
	ui_list_fit(&q->l, n, q->height);
	for (int i = 0; i < q->height && q->l.top + i < n; i++)
		draw_row(q, a, q->l.top + i, 5 + i);
	draw_footer(q, a);
}

