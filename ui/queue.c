/* The leads' handoff queue: every handoff waiting across teams, breached
 * and unacknowledged first, with counts and the median time to
 * acknowledge; saved views on digit keys; acknowledge, reassign (one or
 * many, with optimistic concurrency) and export. */
#include "baton/buf.h"
#include "baton/config.h"
#include "baton/csv.h"
#include "baton/customer.h"
#include "baton/handoff.h"
#include "baton/queue.h"
#include "baton/text.h"
#include "ui/ui.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define TAG_QUEUE 501
#define TAG_QUEUE_STATS 502
/* Counts and medians read every active handoff: not on every change. */
#define STATS_EVERY_MS 30000

struct queue {
	struct screen base;
	struct queue_filter f;
	const char *view;          /* name of the saved view, NULL if edited */
	struct queue_params params;
	PGresult *rows, *counts, *medians;
	char *marked;              /* per row */
	struct ui_list l;
	int height;
	char error[256];
	long long stats_at;        /* when counts and medians were last asked */
	struct queue_params stats_params;
};

static int nrows(PGresult *r)
{
	return r ? PQntuples(r) : 0;
}

static void queue_destroy(struct screen *s)
{
	struct queue *q = (struct queue *)s;
	PQclear(q->rows);
	PQclear(q->counts);
	PQclear(q->medians);
	free(q->marked);
	free(q);
}

static void on_loaded(void *ctx, PGresult **res, int nres, const char *err)
{
	struct queue *q = ctx;
	if (!screen_release(&q->base))
		return;
	if (err == dbq_cancelled)
		return;
	if (err || nres != 1) {
		snprintf(q->error, sizeof q->error, "%s", err ? err : "unexpected answer");
		return;
	}
	/* Keep marks on the same handoffs across a reload. */
	char *marked = calloc((size_t)PQntuples(res[0]) + 1, 1);
	if (!marked)
		abort();
	for (int i = 0; i < PQntuples(res[0]); i++)
		for (int j = 0; j < nrows(q->rows); j++)
			if (q->marked[j] && !strcmp(PQgetvalue(q->rows, j, Q_ID), PQgetvalue(res[0], i, Q_ID)))
				marked[i] = 1;
	PQclear(q->rows);
	free(q->marked);
	q->rows = res[0];
	res[0] = NULL;
	q->marked = marked;
	q->error[0] = '\0';
	ui_list_fit(&q->l, nrows(q->rows), q->height > 0 ? q->height : 1);
}

static void on_stats(void *ctx, PGresult **res, int nres, const char *err)
{
	struct queue *q = ctx;
	if (!screen_release(&q->base) || err || nres != 2)
		return;
	PQclear(q->counts);
	PQclear(q->medians);
	q->counts = res[0];
	q->medians = res[1];
	res[0] = res[1] = NULL;
}

/* The list on every change; counts and medians when asked (force) or
 * when they are older than STATS_EVERY_MS. */
static void fetch(struct queue *q, struct app *a, int force)
{
	struct db_stmt st[3];
	queue_statements(&q->f, &q->params, st);
	screen_hold(&q->base);
	dbq_submit(a->db, TAG_QUEUE, st, 1, 1, on_loaded, q);
	long long now = app_now_ms();
	if (force || now - q->stats_at >= STATS_EVERY_MS) {
		struct db_stmt ss[3];
		queue_statements(&q->f, &q->stats_params, ss);
		q->stats_at = now;
		screen_hold(&q->base);
		dbq_submit(a->db, TAG_QUEUE_STATS, ss + 1, 2, 1, on_stats, q);
	}
}

static void queue_reload(struct screen *s, struct app *a)
{
	fetch((struct queue *)s, a, 0);
}

static void draw_counts(struct queue *q, struct app *a)
{
	long long active = 0, unack = 0, breached = 0;
	for (int i = 0; i < nrows(q->counts); i++) {
		active += atoll(PQgetvalue(q->counts, i, QC_OPEN));
		unack += atoll(PQgetvalue(q->counts, i, QC_UNACK));
		breached += atoll(PQgetvalue(q->counts, i, QC_BREACHED));
	}
	char right[128];
	snprintf(right, sizeof right, "open %lld %s not ack %lld %s breached %lld", active,
	         term_sym(SYM_DOT), unack, term_sym(SYM_DOT), breached);
	int w = text_width(right);
	ui_text(stdscr, 1, a->cols - w - 1, w, breached ? term_attr(UA_BAD) : (int)A_NORMAL, right, 0);
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
	char desc[256];
	queue_filter_describe(&q->f, desc, sizeof desc);
	ui_textf(stdscr, 3, 1, a->cols - 2, term_attr(UA_DIM), 0, "filter: %s", desc);
}

static void draw_row(struct queue *q, struct app *a, int r, int y)
{
	PGresult *R = q->rows;
	int breached = PQgetvalue(R, r, Q_BREACHED)[0] == 't';
	int open = !strcmp(PQgetvalue(R, r, Q_STATE), "open");
	int sel = r == q->l.sel;
	char age[16], sla[32], route[256], to[96];
	fmt_age(age, sizeof age, atoll(PQgetvalue(R, r, Q_AGE_S)));
	if (open && !PQgetisnull(R, r, Q_ACK_LEFT_S)) {
		long long left = atoll(PQgetvalue(R, r, Q_ACK_LEFT_S));
		char t[16];
		fmt_age(t, sizeof t, left < 0 ? -left : left);
		snprintf(sla, sizeof sla, "%s%s", left < 0 ? "+" : "-", t);
	} else {
		snprintf(sla, sizeof sla, " ");
	}
	snprintf(to, sizeof to, "%s%s%s", PQgetvalue(R, r, Q_TO_TEAM), *PQgetvalue(R, r, Q_TO_STAFF) ? ":" : "",
	         PQgetvalue(R, r, Q_TO_STAFF));
	snprintf(route, sizeof route, "%s %s %s", PQgetvalue(R, r, Q_FROM_TEAM), term_sym(SYM_ARROW), to);
	int x = 0;
	ui_text(stdscr, y, x, 1, sel ? term_attr(UA_SEL) : (int)A_NORMAL, sel ? term_sym(SYM_SEL) : " ", 0);
	ui_text(stdscr, y, x + 1, 1, (int)A_BOLD, q->marked[r] ? "*" : " ", 0);
	/* Breached: "!" and the word, never colour alone. */
	ui_text(stdscr, y, x + 2, 1, term_attr(UA_BAD), breached ? "!" : " ", 0);
	x = 4;
	x += ui_text(stdscr, y, x, 4, breached ? term_attr(UA_BAD) : (int)A_NORMAL, age, 1) + 1;
	int wide = a->cols >= 110;
	x += ui_text(stdscr, y, x, wide ? 26 : 16, (int)A_NORMAL, PQgetvalue(R, r, Q_CUSTOMER), 1) + 1;
	x += ui_text(stdscr, y, x, wide ? 30 : 20, (int)A_NORMAL, route, 1) + 1;
	x += ui_text(stdscr, y, x, wide ? 18 : 11, (int)A_NORMAL, PQgetvalue(R, r, Q_REASON), 1) + 1;
	const char *prio = PQgetvalue(R, r, Q_PRIORITY);
	/* As the sketch has them: urg, high, norm, low. */
	const char *pshort = !strcmp(prio, "urgent") ? "urg" : !strcmp(prio, "normal") ? "norm" : prio;
	x += ui_text(stdscr, y, x, wide ? 6 : 4, !strcmp(prio, "urgent") ? term_attr(UA_WARN) : (int)A_NORMAL,
	             wide ? prio : pshort, 1) + 1;
	const char *state = breached ? "BREACHED" : open ? "NEW" : !strcmp(PQgetvalue(R, r, Q_STATE), "acknowledged") ? "ACK" : PQgetvalue(R, r, Q_STATE);
	x += ui_text(stdscr, y, x, 8, breached ? term_attr(UA_BAD) : (int)A_NORMAL, state, 1) + 1;
	x += ui_text(stdscr, y, x, 6, breached ? term_attr(UA_BAD) : (int)A_NORMAL, sla, 1) + 1;
	if (wide && x < a->cols - 10)
		ui_text(stdscr, y, x, a->cols - x - 1, term_attr(UA_DIM), PQgetvalue(R, r, Q_LAST_EVENT), 0);
}

static void queue_draw(struct screen *s, struct app *a)
{
	struct queue *q = (struct queue *)s;
	ui_textf(stdscr, 0, 1, a->cols / 2, term_attr(UA_HEADER), 0, "Baton %s Handoff queue%s%s",
	         term_sym(SYM_DOT), q->view ? " · " : "", q->view ? q->view : "");
	draw_counts(q, a);
	draw_views(q, a);
	int wide = a->cols >= 110, x = 4;
	static const char *const head[] = {"Age", "Customer", "From → To", "Reason", "Pri", "State", "SLA", "Last event"};
	/* At 80 columns the SLA column ends in the last one. */
	const int widths[] = {4, wide ? 26 : 16, wide ? 30 : 20, wide ? 18 : 11, wide ? 6 : 4, 8, 6, wide ? a->cols - 120 : 0};
	for (int i = 0; i < 8 && widths[i] > 0; i++)
		x += ui_text(stdscr, 4, x, widths[i], (int)A_BOLD, head[i], 1) + 1;
	q->height = a->rows - 7;
	int n = nrows(q->rows);
	if (q->error[0])
		ui_text(stdscr, 5, 2, a->cols - 4, term_attr(UA_BAD), q->error, 0);
	else if (!q->rows)
		ui_text(stdscr, 5, 2, a->cols - 4, term_attr(UA_DIM), "loading…", 0);
	else if (n == 0)
		ui_text(stdscr, 5, 2, a->cols - 4, term_attr(UA_DIM), "Nothing in this view.", 0);
	ui_list_fit(&q->l, n, q->height);
	for (int i = 0; i < q->height && q->l.top + i < n; i++)
		draw_row(q, a, q->l.top + i, 5 + i);
	if (nrows(q->medians) == 1) {
		char m7[16] = "-", m30[16] = "-";
		if (!PQgetisnull(q->medians, 0, QM_MEDIAN_7D))
			fmt_age(m7, sizeof m7, atoll(PQgetvalue(q->medians, 0, QM_MEDIAN_7D)));
		if (!PQgetisnull(q->medians, 0, QM_MEDIAN_30D))
			fmt_age(m30, sizeof m30, atoll(PQgetvalue(q->medians, 0, QM_MEDIAN_30D)));
		ui_textf(stdscr, a->rows - 2, 1, a->cols - 2, term_attr(UA_DIM), 0,
		         "Median time to acknowledge: 7 days %s %s 30 days %s   %d shown%s", m7,
		         term_sym(SYM_DOT), m30, n, n >= QUEUE_LIMIT ? " (first of each group)" : "");
	}
}

static void use_view(struct queue *q, struct app *a, size_t i)
{
	if (i >= a->cfg->nviews)
		return;
	queue_filter_from_view(&q->f, &a->cfg->views[i]);
	q->view = a->cfg->views[i].name;
	q->l.sel = 0;
	q->l.top = 0;
	fetch(q, a, 1);
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

/* --- filter ------------------------------------------------------------------ */

static void on_filter(struct app *a, void *ctx, const char *answer)
{
	struct queue *q = ctx;
	if (!screen_release(&q->base) || !answer)
		return;
	struct queue_filter f;
	memset(&f, 0, sizeof f);
	char text[512];
	snprintf(text, sizeof text, "%s", answer);
	for (char *save = NULL, *tok = strtok_r(text, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(tok, '=');
		const char *v = eq ? eq + 1 : "";
		if (eq)
			*eq = '\0';
		char *dst = NULL;
		size_t n = 0;
		if (!strcmp(tok, "team")) dst = f.team, n = sizeof f.team;
		else if (!strcmp(tok, "to")) dst = f.person, n = sizeof f.person;
		else if (!strcmp(tok, "state")) dst = f.state, n = sizeof f.state;
		else if (!strcmp(tok, "reason")) dst = f.reason, n = sizeof f.reason;
		else if (!strcmp(tok, "priority")) dst = f.priority, n = sizeof f.priority;
		else if (!strcmp(tok, "segment")) dst = f.segment, n = sizeof f.segment;
		else if (!strcmp(tok, "breached")) f.breached = 1;
		else if (!strcmp(tok, "mine")) f.mine = 1;
		else {
			app_message(a, 1, "unknown filter '%s' (team= to= state= reason= priority= segment= breached mine)", tok);
			return;
		}
		if (dst)
			snprintf(dst, n, "%s", v);
	}
	/* Reasons may have spaces: "reason=renewal_risk" means "renewal risk". */
	for (char *p = f.reason; *p; p++)
		if (*p == '_')
			*p = ' ';
	q->f = f;
	q->view = NULL;
	q->l.sel = q->l.top = 0;
	fetch(q, a, 1);
}

/* --- steps on one or many ------------------------------------------------------- */

struct bulk {
	struct app *app;
	int n, pending, done, refused;
	char first_refusal[256];
	const char *verb;
	char to_team[33], to_staff[64];
	char *comment;
	struct handoff_params *params;
	struct handoff_step *steps;
};

static void bulk_free(struct bulk *b)
{
	for (int i = 0; i < b->n; i++)
		handoff_step_clear(&b->steps[i]);
	free(b->steps);
	free(b->params);
	free(b->comment);
	free(b);
}

static void on_bulk_step(void *ctx, PGresult **res, int nres, const char *err)
{
	struct bulk *b = ctx;
	b->pending--;
	if (err == dbq_cancelled) {
		if (b->pending == 0)
			bulk_free(b);
		return;
	}
	if (!err && nres == 1 && PQgetvalue(res[0], 0, HS_DONE)[0] == 't') {
		b->done++;
	} else {
		b->refused++;
		if (!b->first_refusal[0])
			snprintf(b->first_refusal, sizeof b->first_refusal, "%s",
			         err ? err : nres == 1 ? PQgetvalue(res[0], 0, HS_MESSAGE) : "?");
	}
	if (b->pending > 0)
		return;
	struct app *a = b->app;
	if (b->refused && b->done + b->refused == 1)
		app_message(a, 1, "not %s: %s", b->verb, b->first_refusal);
	else if (b->refused)
		app_message(a, 1, "%s %d, refused %d: %s", b->verb, b->done, b->refused, b->first_refusal);
	else
		app_message(a, 0, "%s %d handoff%s", b->verb, b->done, b->done == 1 ? "" : "s");
	/* Changes come back as notifications; refusals need the fresh state. */
	if (b->refused)
		app_reload_all(a);
	bulk_free(b);
}

/* What the lead acted on, as it was on screen when the key was pressed:
 * if someone changes a handoff meanwhile, its version no longer matches
 * and the database refuses, saying who did what. */
struct target {
	char id[37];
	int version;
	char priority[8];
};

/* The marked rows, else the selected one; malloc'd, count in *n. */
static struct target *snapshot_targets(struct queue *q, int *n)
{
	int rows = nrows(q->rows);
	struct target *t = calloc((size_t)rows + 1, sizeof *t);
	if (!t)
		abort();
	*n = 0;
	for (int pass = 0; pass < 2 && *n == 0; pass++) {
		for (int i = 0; i < rows; i++) {
			if (pass == 0 ? !q->marked[i] : i != q->l.sel)
				continue;
			snprintf(t[*n].id, sizeof t[*n].id, "%s", PQgetvalue(q->rows, i, Q_ID));
			t[*n].version = atoi(PQgetvalue(q->rows, i, Q_VERSION));
			snprintf(t[*n].priority, sizeof t[*n].priority, "%s", PQgetvalue(q->rows, i, Q_PRIORITY));
			(*n)++;
		}
	}
	return t;
}

static void run_bulk(struct queue *q, struct app *a, const struct target *t, int n,
                     const char *kind, const char *verb, const char *team, const char *person,
                     const char *comment)
{
	if (n == 0) {
		app_message(a, 1, "nothing selected");
		return;
	}
	struct bulk *b = calloc(1, sizeof *b);
	if (!b)
		abort();
	b->app = a;
	b->verb = verb;
	b->steps = calloc((size_t)n, sizeof *b->steps);
	b->params = calloc((size_t)n, sizeof *b->params);
	if (!b->steps || !b->params)
		abort();
	b->n = b->pending = n;
	for (int i = 0; i < n; i++) {
		struct handoff_step *st = &b->steps[i];
		handoff_step_init(st, t[i].id, kind);
		st->version = t[i].version;
		st->priority = NULL;
		if (comment && *comment && !(st->comment = strdup(comment)))
			abort();
		snprintf(st->to_team, sizeof st->to_team, "%s", team ? team : "");
		snprintf(st->to_staff, sizeof st->to_staff, "%s", person ? person : "");
		static const char *const prios[] = {"urgent", "high", "normal", "low"};
		for (int k = 0; k < 4; k++)
			if (!strcmp(t[i].priority, prios[k]))
				st->priority = prios[k];
		struct db_stmt s;
		handoff_step_stmt(st, a->cfg, &b->params[i], &s);
		dbq_submit(a->db, 0, &s, 1, 1, on_bulk_step, b);
	}
	memset(q->marked, 0, (size_t)nrows(q->rows));
}

struct reassign_ctx {
	struct queue *q;
	char team[33], person[64];
	int acking;
	struct target *t;
	int n;
};

static void reassign_free(struct reassign_ctx *c)
{
	free(c->t);
	free(c);
}

static void on_comment(struct app *a, void *ctx, const char *answer)
{
	struct reassign_ctx *c = ctx;
	struct queue *q = c->q;
	if (screen_release(&q->base) && answer) {
		if (c->acking)
			run_bulk(q, a, c->t, c->n, "acknowledged", "acknowledged", NULL, NULL, answer);
		else if (!*answer)
			app_message(a, 1, "a reassignment needs a comment: say why");
		else
			run_bulk(q, a, c->t, c->n, "reassigned", "reassigned", c->team, c->person, answer);
	}
	reassign_free(c);
}

static void on_destination(struct app *a, void *ctx, const char *answer)
{
	struct reassign_ctx *c = ctx;
	if (!answer || !*answer || !c->q->base.alive) {
		screen_release(&c->q->base);
		reassign_free(c);
		return;
	}
	const char *colon = strchr(answer, ':');
	size_t tl = colon ? (size_t)(colon - answer) : strlen(answer);
	snprintf(c->team, sizeof c->team, "%.*s", (int)(tl < sizeof c->team ? tl : sizeof c->team - 1), answer);
	snprintf(c->person, sizeof c->person, "%s", colon ? colon + 1 : "");
	for (char *p = c->team; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	app_prompt(a, "Why (comment)?", 0, on_comment, c);
}

/* --- export -------------------------------------------------------------------- */

static void on_export(struct app *a, void *ctx, const char *answer)
{
	struct queue *q = ctx;
	if (!screen_release(&q->base) || !answer || !*answer)
		return;
	struct buf b = BUF_INIT;
	static const char *const head[] = {"id", "customer", "from_team", "to_team", "to_staff", "reason",
	                                   "priority", "state", "breached", "age_hours", "ack_left_hours",
	                                   "last_event", "note"};
	struct csv w;
	csv_init(&w, &b);
	csv_row(&w, head, sizeof head / sizeof *head);
	static const int cols[] = {Q_ID, Q_CUSTOMER, Q_FROM_TEAM, Q_TO_TEAM, Q_TO_STAFF, Q_REASON,
	                           Q_PRIORITY, Q_STATE, Q_BREACHED, Q_AGE_S, Q_ACK_LEFT_S, Q_LAST_EVENT, Q_NOTE};
	for (int r = 0; r < nrows(q->rows); r++) {
		for (size_t i = 0; i < sizeof cols / sizeof *cols; i++) {
			const char *v = PQgetvalue(q->rows, r, cols[i]);
			char num[32];
			if (cols[i] == Q_AGE_S || cols[i] == Q_ACK_LEFT_S) {
				snprintf(num, sizeof num, "%.1f", atoll(v) / 3600.0);
				csv_number(&w, PQgetisnull(q->rows, r, cols[i]) ? "" : num);
			} else if (cols[i] == Q_BREACHED) {
				csv_cell(&w, v[0] == 't' ? "true" : "false");
			} else {
				csv_cell(&w, v);
			}
		}
		csv_end_row(&w);
	}
	csv_free(&w);
	int fd = open(answer, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, b.data, b.len) != (ssize_t)b.len)
		app_message(a, 1, "cannot write %s: %s", answer, strerror(errno));
	else
		app_message(a, 0, "%d rows written to %s", nrows(q->rows), answer);
	if (fd >= 0)
		close(fd);
	buf_free(&b);
}

static void queue_action(struct screen *s, struct app *a, enum ui_action act)
{
	struct queue *q = (struct queue *)s;
	int n = nrows(q->rows), r = q->l.sel;
	switch (act) {
	case ACT_BACK:
		app_pop(a);
		return;
	case ACT_REFRESH:
		fetch(q, a, 1);
		return;
	case ACT_OPEN:
		if (r >= 0 && r < n)
			app_push(a, customer_new(a, atoll(PQgetvalue(q->rows, r, Q_CUSTOMER_ID))));
		return;
	case ACT_MARK:
		if (r >= 0 && r < n) {
			q->marked[r] = !q->marked[r];
			ui_list_move(&q->l, n, 1, ACT_DOWN);
		}
		return;
	case ACT_ACK:
		if (r >= 0 && r < n)
			handoff_step_ask(a, PQgetvalue(q->rows, r, Q_ID), atoi(PQgetvalue(q->rows, r, Q_VERSION)),
			                 "acknowledged");
		return;
	case ACT_ACK_MARKED:
	case ACT_REASSIGN: {
		struct reassign_ctx *c = calloc(1, sizeof *c);
		if (!c)
			abort();
		c->q = q;
		c->acking = act == ACT_ACK_MARKED;
		c->t = snapshot_targets(q, &c->n);
		if (c->n == 0) {
			reassign_free(c);
			app_message(a, 1, "nothing selected");
			return;
		}
		screen_hold(s);
		if (c->acking)
			app_prompt(a, "Acknowledge the marked handoffs; comment (optional):", 0, on_comment, c);
		else
			app_prompt(a, "Reassign to team[:person]:", 0, on_destination, c);
		return;
	}
	case ACT_FILTER:
		screen_hold(s);
		app_prompt(a, "Filter (team= to= state= reason= priority= segment= breached mine):", 0, on_filter, q);
		return;
	case ACT_EXPORT: {
		screen_hold(s);
		app_prompt(a, "Export CSV to file:", 0, on_export, q);
		/* Offer a name in the current directory. */
		char name[64];
		time_t t = time(NULL);
		strftime(name, sizeof name, "baton-queue-%Y%m%d-%H%M.csv", localtime(&t));
		snprintf(a->prompt.text, sizeof a->prompt.text, "%s", name);
		a->prompt.len = strlen(a->prompt.text);
		return;
	}
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
	if (a->cfg->nviews)
		use_view(q, a, 0);
	else
		fetch(q, a, 1);
	return &q->base;
}
