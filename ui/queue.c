/* The leads' handoff queue: every handoff waiting across teams, breached
 * and unacknowledged first, with counts and the median time to
 * acknowledge; saved views on digit keys; filters checked before they
 * apply; acknowledge, reassign (ui/queue_actions.c) and export
 * (ui/queue_export.c). */
#include "baton/buf.h"
#include "baton/config.h"
#include "baton/customer.h"
#include "baton/signals.h"
#include "baton/notify.h"
#include "baton/queue.h"
#include "baton/team.h"
#include "baton/text.h"
#include "ui/queue.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Request kinds (screen_request): each replaces only its own. */
enum { REQ_LIST = 1, REQ_STATS, REQ_TEAMS, REQ_MARKS, REQ_PERSON };
/* Counts and medians read every active handoff: not on every change. */
#define STATS_EVERY_MS 30000

struct queue {
	struct screen base;
	struct queue_filter f;
	struct queue_filter asked; /* a filter naming a person, until the server knows them */
	const char *view;          /* name of the saved view, NULL if edited */
	struct queue_params params;
	struct queue_list list;    /* the rows shown */
	int loaded;
	struct queue_stats stats;
	int has_stats;
	struct team_list teams;    /* for checking team= */
	int has_teams;
	char *marked;              /* per row */
	struct ui_list l;
	int height;
	char error[256];
	long long stats_at;        /* when counts and medians were last asked */
	struct queue_params stats_params;
	struct queue_export export; /* while x's prompt is open */
};

static void queue_destroy(struct screen *s)
{
	struct queue *q = (struct queue *)s;
	queue_list_free(&q->list);
	team_list_free(&q->teams);
	free(q->marked);
	free(q);
}

static const char *row_id(const void *ctx, int row)
{
	return ((const struct queue_list *)ctx)->rows[row].id;
}

/* New rows: marks stay on their handoffs, the cursor follows its own (a
 * handoff acknowledged elsewhere moves down the list, not the cursor). */
static void adopt_rows(struct queue *q, struct queue_list *fresh)
{
	char sel[37] = "";
	if (q->l.sel >= 0 && q->l.sel < q->list.n)
		snprintf(sel, sizeof sel, "%s", q->list.rows[q->l.sel].id);
	char *marked = calloc((size_t)fresh->n + 1, 1);
	if (!marked)
		abort();
	for (int i = 0; i < q->list.n; i++) {
		int j = q->marked[i] ? queue_list_find(fresh, q->list.rows[i].id) : -1;
		if (j >= 0)
			marked[j] = 1;
	}
	queue_list_keep_marks(fresh, &q->list);
	queue_list_free(&q->list);
	q->list = *fresh;
	free(q->marked);
	q->marked = marked;
	ui_list_follow(&q->l, sel, q->list.n, row_id, &q->list);
	ui_list_fit(&q->l, q->list.n, q->height > 0 ? q->height : 1);
}

static void on_marks(struct screen *s, struct app *a, PGresult **res, int nres, const char *err)
{
	struct queue *q = (struct queue *)s;
	(void)a;
	/* Without them the rows keep the marks they had: they are a hint. */
	if (!err && nres == 1)
		queue_list_mark(&q->list, res[0]);
}

static void on_loaded(struct screen *s, struct app *a, PGresult **res, int nres, const char *err)
{
	struct queue *q = (struct queue *)s;
	struct queue_list fresh = {0};
	if (err || nres != 1 || queue_list_read(&fresh, res[0], q->error, sizeof q->error) < 0) {
		if (err || nres != 1)
			snprintf(q->error, sizeof q->error, "%s", err ? err : "unexpected answer");
		return;
	}
	adopt_rows(q, &fresh);
	q->loaded = 1;
	q->error[0] = '\0';
	/* The customers' signal marks, after the rows: the rows are shown
	 * without waiting for them (baton_signal_markers may first bring
	 * stale customers' signals up to date). */
	if (q->list.n > 0) {
		struct buf ids = BUF_INIT;
		const char *param;
		struct db_stmt st;
		queue_marks_statement(&q->list, &ids, &param, &st);
		screen_request(&q->base, a, REQ_MARKS, &st, 1, 0, on_marks);
		buf_free(&ids);
	}
}

static void on_stats(struct screen *s, struct app *a, PGresult **res, int nres, const char *err)
{
	struct queue *q = (struct queue *)s;
	(void)a;
	if (!err && nres == 2 && queue_stats_read(&q->stats, res[0], res[1]) == 0)
		q->has_stats = 1;
}

static void on_teams(struct screen *s, struct app *a, PGresult **res, int nres, const char *err)
{
	struct queue *q = (struct queue *)s;
	char e[128];
	(void)a;
	if (!err && team_list_read(&q->teams, res, nres, e, sizeof e) == 0)
		q->has_teams = 1;
}

/* The list on every change; counts and medians when asked (force) or
 * when they are older than STATS_EVERY_MS; the teams that team= may name. */
static void fetch(struct queue *q, struct app *a, int force)
{
	struct db_stmt list;
	queue_list_unmarked(&q->f, &q->params, &list);
	screen_request(&q->base, a, REQ_LIST, &list, 1, 0, on_loaded);
	long long now = app_now_ms();
	if (force || now - q->stats_at >= STATS_EVERY_MS) {
		struct db_stmt ss[3];
		queue_statements(&q->f, &q->stats_params, ss);
		q->stats_at = now;
		screen_request(&q->base, a, REQ_STATS, ss + 1, 2, 0, on_stats);
	}
	if (force || !q->has_teams) {
		struct db_stmt ts[TEAM_STMTS];
		team_statements(ts);
		/* The teams and the rules: team= and reason= name the database's. */
		screen_request(&q->base, a, REQ_TEAMS, ts, 2, 0, on_teams);
	}
}

static void queue_reload(struct screen *s, struct app *a)
{
	fetch((struct queue *)s, a, 0);
}

/* Handoffs for the teams or person the filter shows (a superset when it
 * names both); every handoff when it names none. */
static int queue_concerns(struct screen *s, struct app *a, const struct notify_change *c)
{
	const struct queue_filter *f = &((struct queue *)s)->f;
	if (f->mine)
		return app_change_for_me(a, c);
	if (f->team[0] || f->person[0])
		return notify_handoff_for(c, f->team, f->person);
	return c->kind == NOTIFY_HANDOFF || c->kind == NOTIFY_OTHER;
}

/* --- drawing --------------------------------------------------------------------- */

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

static void queue_draw(struct screen *s, struct app *a)
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

/* --- views and filters ------------------------------------------------------------ */

static void use_filter(struct queue *q, struct app *a, const struct queue_filter *f, const char *view)
{
	q->f = *f;
	q->view = view;
	q->l.sel = 0;
	q->l.top = 0;
	/* The counts shown were the other view's. */
	q->has_stats = 0;
	fetch(q, a, 1);
}

static void use_view(struct queue *q, struct app *a, size_t i)
{
	struct queue_filter f;
	queue_filter_from_view(&f, &a->cfg->views[i]);
	use_filter(q, a, &f, a->cfg->views[i].name);
}

static int queue_key(struct screen *s, struct app *a, int key, int is_func)
{
	struct queue *q = (struct queue *)s;
	if (!is_func && key >= '1' && key <= '9') {
		if ((size_t)(key - '1') < a->cfg->nviews)
			use_view(q, a, (size_t)(key - '1'));
		else
			app_message(a, 1, "no view %c: queue.views in the configuration has %zu", key, a->cfg->nviews);
		return 1;
	}
	return 0;
}

static void on_person(struct screen *s, struct app *a, PGresult **res, int nres, const char *err)
{
	struct queue *q = (struct queue *)s;
	char e[256];
	if (err || nres != 1) {
		app_message(a, 1, "%s", err ? err : "unexpected answer");
	} else if (PQntuples(res[0]) == 0) {
		queue_person_unknown(q->asked.person, e, sizeof e);
		app_message(a, 1, "%s", e);
	} else {
		app_clear_message(a);
		use_filter(q, a, &q->asked, NULL);
	}
}

/* A bad word keeps the filter as it was and says what would do. */
static void on_filter(struct app *a, void *ctx, const char *answer)
{
	struct queue *q = ctx;
	if (!screen_release(&q->base) || !answer)
		return;
	struct queue_filter f;
	char err[2048];
	if (queue_filter_parse(&f, answer, q->has_teams ? &q->teams : NULL, err, sizeof err) < 0) {
		app_message(a, 1, "%s", err);
		return;
	}
	if (f.person[0]) {
		/* Applied once the server knows the person: to=nobody would
		 * show an empty queue as if nothing waited. */
		q->asked = f;
		const char *param = q->asked.person;
		struct db_stmt st = {queue_person_sql, 1, &param};
		screen_request(&q->base, a, REQ_PERSON, &st, 1, 0, on_person);
		return;
	}
	/* A refusal of an earlier try is answered. */
	app_clear_message(a);
	use_filter(q, a, &f, NULL);
}

/* --- acting on rows ------------------------------------------------------------------ */

/* The marked rows, else the selected one; malloc'd, count in *n. */
static struct queue_target *snapshot_targets(struct queue *q, int *n)
{
	struct queue_target *t = calloc((size_t)q->list.n + 1, sizeof *t);
	if (!t)
		abort();
	*n = 0;
	for (int pass = 0; pass < 2 && *n == 0; pass++) {
		for (int i = 0; i < q->list.n; i++) {
			if (pass == 0 ? !q->marked[i] : i != q->l.sel)
				continue;
			const struct queue_row *r = &q->list.rows[i];
			snprintf(t[*n].id, sizeof t[*n].id, "%s", r->id);
			t[*n].version = r->version;
			snprintf(t[*n].priority, sizeof t[*n].priority, "%s", r->priority);
			snprintf(t[*n].customer, sizeof t[*n].customer, "%s", r->customer);
			snprintf(t[*n].reason, sizeof t[*n].reason, "%s", r->reason ? r->reason : "");
			(*n)++;
		}
	}
	return t;
}

/* The marks were used: the steps are on their way. */
static void marks_spent(struct screen *s)
{
	struct queue *q = (struct queue *)s;
	memset(q->marked, 0, (size_t)q->list.n);
}

static void queue_action(struct screen *s, struct app *a, enum ui_action act)
{
	struct queue *q = (struct queue *)s;
	int n = q->list.n, r = q->l.sel, have = r >= 0 && r < n;
	int nt;
	switch (act) {
	case ACT_BACK:
		app_pop(a);
		return;
	case ACT_REFRESH:
		fetch(q, a, 1);
		return;
	case ACT_OPEN:
		if (have)
			app_push(a, customer_new(a, q->list.rows[r].customer_id));
		return;
	case ACT_MARK:
		if (have) {
			q->marked[r] = !q->marked[r];
			ui_list_move(&q->l, n, 1, ACT_DOWN);
		}
		return;
	case ACT_ACK:
		if (have) {
			const struct queue_row *w = &q->list.rows[r];
			struct handoff_ref h = {w->id, w->version, w->reason, w->from_team, w->customer};
			handoff_step_ask(a, &h, "acknowledged");
		}
		return;
	case ACT_ACK_MARKED:
	case ACT_REASSIGN: {
		struct queue_target *t = snapshot_targets(q, &nt);
		queue_actions_start(s, a, t, nt, act == ACT_ACK_MARKED, marks_spent);
		return;
	}
	case ACT_FILTER:
		screen_hold(s);
		app_prompt(a, "Filter (team= to= state= reason= priority= segment= breached mine):", 0, on_filter, q);
		return;
	case ACT_EXPORT:
		q->export.s = s;
		q->export.list = &q->list;
		queue_export_ask(a, &q->export);
		return;
	default:
		ui_list_move(&q->l, n, q->height - 1, act);
	}
}

static const struct screen_ops queue_ops = {
	.name = "queue",
	.scope = SCOPE_QUEUE,
	.draw = queue_draw,
	.key = queue_key,
	.action = queue_action,
	.reload = queue_reload,
	.concerns = queue_concerns,
	.destroy = queue_destroy,
	.hints = "Enter customer  a ack  r reassign  Space mark  A ack marked  x export  f filter  1-9 views",
};

struct screen *queue_new(struct app *a)
{
	struct queue *q = calloc(1, sizeof *q);
	if (!q)
		abort();
	q->base.ops = &queue_ops;
	q->marked = calloc(1, 1);
	if (!q->marked)
		abort();
	q->l.sel = -1;
	if (a->cfg->nviews) {
		use_view(q, a, 0);
	} else {
		struct queue_filter all = {0};
		use_filter(q, a, &all, NULL);
	}
	return &q->base;
}
