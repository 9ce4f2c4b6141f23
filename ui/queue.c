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
