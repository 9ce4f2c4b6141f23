/*
 * Baton benchmark: latency of the exact statements the console sends, on a
 * database filled by sql/bench/generate.sql.  Run by tests/bench/run.sh:
 *
 *   bench -d CONNINFO [-l LEAD_CONNINFO] [-D PGDATA] [customer] [finder] [queue]
 *         [lookup] [waiting] [load]
 *
 * customer  the customer screen fetch (cv_statements in one db_pipeline) for
 *           ~2000 customers spread over the table, key accounts included
 * finder    finder_statement for a few hundred inputs taken from the data
 * queue     queue_statements: the list alone and the full 3-statement
 *           pipeline, default view and each filter, as a lead (-l)
 * signals   the customer screen's signals statement (up to date, and right
 *           after a write about the customer), the crossed signals of every
 *           customer (baton signals) and the scheduled sends to customers in
 *           trouble (the suppression list), each also right after 100 writes
 * lookup    cv_resolve for every kind of key (budgets.c)
 * waiting   the waiting list on the console's path, the queue's counts
 *           and medians (budgets.c)
 * load      N consoles at once while writers write; -D: the server's data
 *           directory, for its processes' CPU (load.c)
 *
 * Every figure is wall time on CLOCK_MONOTONIC around one round trip, after
 * a warm-up pass.  The slowest statements are run once more under
 * EXPLAIN (ANALYZE, BUFFERS) and the plan's key lines printed.  This is a
 * report, not a test: the exit status is 0 unless something broke (a
 * statement failed, a result had the wrong shape).
 *
 * Environment: BATON_BENCH_RUNS (queue runs per filter, default 200),
 * BATON_BENCH_QUEUE_SECONDS (time budget per queue filter, default 30, 0
 * for none: slow filters get fewer runs, at least 20), BATON_BENCH_FINDER_RUNS
 * (measured runs per finder input, default 3), BATON_BENCH_SUMMARY (file to
 * append one line per target to).
 */
#include "baton/buf.h"
#include "baton/customer.h"
#include "baton/db.h"
#include "baton/finder.h"
#include "baton/queue.h"
#include "baton/signal_filter.h"
#include "baton/signals.h"
#include "bench.h"

#include <libpq-fe.h>
#include <stdarg.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Targets from the product's performance brief, for the "target" column
 * only: nothing here fails on a number. */
#define TARGET_SCREEN_P99_MS 2.0
#define TARGET_FINDER_P99_MS 10.0
#define TARGET_QUEUE_P99_MS 20.0

void die(const char *fmt, ...)
{
	va_list ap;
	fflush(stdout);
	fprintf(stderr, "bench: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		die("out of memory");
	return q;
}

char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = xrealloc(NULL, n);
	memcpy(d, s, n);
	return d;
}

/* --- statistics ------------------------------------------------------------ */

void st_add(struct stats *s, double x)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->v = xrealloc(s->v, s->cap * sizeof *s->v);
	}
	s->v[s->n++] = x;
}

void st_free(struct stats *s)
{
	free(s->v);
	memset(s, 0, sizeof *s);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile (p in 0..1) of the samples; sorts them. */
double st_pct(struct stats *s, double p)
{
	if (!s->n)
		return 0;
	qsort(s->v, s->n, sizeof *s->v, cmp_double);
	size_t k = (size_t)(p * (double)s->n + 0.999999);
	if (k < 1)
		k = 1;
	if (k > s->n)
		k = s->n;
	return s->v[k - 1];
}

double st_max(struct stats *s)
{
	return st_pct(s, 1.0);
}

const char *verdict(double p99, double target)
{
	return p99 < target ? "ok" : "MISSES";
}

/* One line per target for the summary at the end of the report, in the
 * file named by BATON_BENCH_SUMMARY (run.sh adds the console's lines). */
void summary(const char *fmt, ...)
{
	const char *path = getenv("BATON_BENCH_SUMMARY");
	FILE *f = path && *path ? fopen(path, "a") : NULL;
	if (!f)
		return;
	va_list ap;
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
	fclose(f);
}

void print_stats_head(void)
{
	printf("  %-34s %6s %8s %8s %8s %8s  %s\n", "", "n", "median", "p95", "p99", "max", "(ms)");
}

void print_stats(const char *label, struct stats *s, double target)
{
	double med = st_pct(s, 0.5), p95 = st_pct(s, 0.95), p99 = st_pct(s, 0.99), mx = st_max(s);
	printf("  %-34s %6zu %8.2f %8.2f %8.2f %8.2f", label, s->n, med, p95, p99, mx);
	if (target > 0)
		printf("  target p99 < %.0f ms: %s", target, verdict(p99, target));
	putchar('\n');
}

/* The machine's load: other work on the same cores shows in the tails. */
void print_load(const char *when)
{
	char buf[128] = "?";
	FILE *f = fopen("/proc/loadavg", "r");
	if (f) {
		if (!fgets(buf, sizeof buf, f))
			snprintf(buf, sizeof buf, "?");
		fclose(f);
	}
	buf[strcspn(buf, "\n")] = '\0';
	printf("  load average %s: %s\n", when, buf);
}

/* --- database helpers ---------------------------------------------------------- */

PGconn *connect_or_die(const char *conninfo)
{
	char err[512];
	PGconn *c = db_connect(NULL, conninfo, err, sizeof err);
	if (!c)
		die("cannot connect (%s): %s", conninfo, err);
	return c;
}

PGresult *query(PGconn *c, const char *sql, int n, const char *const *params)
{
	char err[512];
	PGresult *r = db_exec(c, sql, n, params, err, sizeof err);
	if (!r)
		die("%s\n  in: %.200s", err, sql);
	return r;
}

long long query_ll(PGconn *c, const char *sql)
{
	PGresult *r = query(c, sql, 0, NULL);
	long long v = PQntuples(r) ? atoll(PQgetvalue(r, 0, 0)) : 0;
	PQclear(r);
	return v;
}

/* One round trip of n statements; returns the elapsed ms, dies on error.
 * rows (may be NULL) receives the row count of each statement. */
double timed_pipeline(PGconn *c, const struct db_stmt *st, int n, int *rows)
{
	PGresult *res[8];
	char err[512];
	if (n > 8)
		die("too many statements");
	double t0 = now_ms();
	int rc = db_pipeline(c, st, n, res, err, sizeof err);
	double t = now_ms() - t0;
	if (rc < 0)
		die("pipeline failed: %s\n  first statement: %.200s", err, st[0].sql);
	for (int i = 0; i < n; i++) {
		if (PQresultStatus(res[i]) != PGRES_TUPLES_OK)
			die("statement %d returned no rows result", i);
		if (rows)
			rows[i] = PQntuples(res[i]);
		PQclear(res[i]);
	}
	return t;
}

/* Print the key lines of EXPLAIN (ANALYZE, BUFFERS) for one statement:
 * every plan node (with its actual time and rows), the conditions that
 * filtered rows away, the top buffer count, planning, JIT and execution
 * time.  Long lines are cut. */
void explain(PGconn *c, const char *title, const char *sql, int n, const char *const *params)
{
	size_t len = strlen(sql) + 64;
	char *q = xrealloc(NULL, len);
	snprintf(q, len, "EXPLAIN (ANALYZE, BUFFERS) %s", sql);
	PGresult *r = query(c, q, n, params);
	free(q);
	printf("\n  EXPLAIN (ANALYZE, BUFFERS) %s\n", title);
	int shown = 0, buffers_shown = 0, in_jit = 0;
	for (int i = 0; i < PQntuples(r); i++) {
		const char *line = PQgetvalue(r, i, 0);
		const char *t = line;
		while (*t == ' ')
			t++;
		int keep = 0;
		if (i == 0 || strstr(line, "->"))
			keep = 1;
		else if (!strncmp(t, "Rows Removed by", 15) || !strncmp(t, "Index Cond", 10) ||
		         !strncmp(t, "Recheck Cond", 12) || !strncmp(t, "Sort Method", 11) ||
		         !strncmp(t, "Heap Blocks", 11))
			keep = 1;
		else if (!strncmp(t, "Buffers:", 8) && !buffers_shown)
			keep = buffers_shown = 1;
		else if (!strncmp(t, "Planning Time", 13) || !strncmp(t, "Execution Time", 14))
			keep = 1;
		else if (!strncmp(t, "JIT:", 4))
			keep = in_jit = 1;
		else if (in_jit && (!strncmp(t, "Functions", 9) || !strncmp(t, "Options", 7) ||
		                    !strncmp(t, "Timing", 6)))
			keep = 1;
		if (!keep)
			continue;
		if (shown++ >= 90) {
			printf("    … (plan cut)\n");
			break;
		}
		printf("    %.170s%s\n", line, strlen(line) > 170 ? "…" : "");
	}
	PQclear(r);
}

/* --- 1. the customer screen --------------------------------------------------------- */

struct cust_sample {
	long long id;
	int key;
	double ms;
	int rows[CV_PARTS];
};

static int cmp_sample_ms(const void *a, const void *b)
{
	const struct cust_sample *x = a, *y = b;
	return x->ms > y->ms ? -1 : x->ms < y->ms;
}

static double fetch_customer(PGconn *c, long long id, int *rows)
{
	struct cv_args args;
	struct db_stmt st[CV_PARTS];
	PGresult *res[CV_PARTS];
	char err[512];
	cv_statements(st, &args, id, NULL);
	double t0 = now_ms();
	int rc = db_pipeline(c, st, CV_PARTS, res, err, sizeof err);
	double t = now_ms() - t0;
	if (rc < 0)
		die("customer %lld: %s", id, err);
	struct customer_view cv;
	if (cv_adopt(&cv, res, CV_PARTS, err, sizeof err) < 0)
		die("customer %lld: %s", id, err);
	for (int i = 0; rows && i < CV_PARTS; i++)
		rows[i] = cv_rows(&cv, (enum cv_part)i);
	cv_free(&cv);
	return t;
}

/* The console's own path: dbq, non-blocking, with the screen's statements
 * prepared once per connection (dbq_submit_prepared). */
const char *g_conninfo;
/* -a: an administrator (a change of the signal rules), or NULL. */
static const char *g_admin;

struct dbq_wait {
	int done;
	int want; /* results */
	double ms;
	char err[256];
};

static void on_dbq_fetch(void *ctx, PGresult **res, int nres, const char *err)
{
	struct dbq_wait *w = ctx;
	w->done = 1;
	if (err || nres != w->want)
		snprintf(w->err, sizeof w->err, "%s", err ? err : "wrong number of results");
	(void)res;
}

void dbq_pump(struct dbq *q, int *until)
{
	while (!*until) {
		struct pollfd pfd = {dbq_fd(q), dbq_events(q), 0};
		if (pfd.fd < 0) {
			dbq_handle(q, 0);
			poll(NULL, 0, 10);
			continue;
		}
		if (poll(&pfd, 1, 1000) > 0)
			dbq_handle(q, pfd.revents);
	}
}

void on_dbq_state(void *ctx, enum dbq_state st, const char *msg)
{
	int *ready = ctx;
	if (st == DBQ_READY)
		*ready = 1;
	else if (st == DBQ_DOWN)
		die("console path: cannot connect: %s", msg ? msg : "?");
}

/* The screen's statements for customer id on the console's path, as it
 * opens the screen (the long panels' first page) or, with whole set, as
 * it reads them once the person has scrolled a long panel to its end:
 * all of them (part < 0), or that one alone. */
static double dbq_fetch_rows(struct dbq *q, long long id, int part, int whole)
{
	struct cv_args args;
	int rows[CV_PARTS];
	struct db_stmt st[CV_PARTS];
	struct dbq_wait w = {0, part < 0 ? CV_PARTS : 1, 0, ""};
	cv_first_rows(rows);
	cv_statements(st, &args, id, whole ? NULL : rows);
	double t0 = now_ms();
	dbq_submit_prepared(q, 1, part < 0 ? st : &st[part], w.want, 0, on_dbq_fetch, &w);
	dbq_pump(q, &w.done);
	if (w.err[0])
		die("console path, customer %lld: %s", id, w.err);
	return now_ms() - t0;
}

static double dbq_fetch_part(struct dbq *q, long long id, int part)
{
	return dbq_fetch_rows(q, id, part, 0);
}

static double dbq_fetch(struct dbq *q, long long id)
{
	return dbq_fetch_part(q, id, -1);
}

static const char *const part_names[CV_PARTS] = {"header", "milestones", "tickets", "notes",
                                                 "marketing", "handoffs", "signals"};

/* The console's path measures customers of its own: as many key accounts
 * and regular ones as the pipelined pass, none of which that pass or this
 * warm-up read (used[] marks the ids read so far). */
static long long unread_id(long long from, int key, long long ncust, unsigned char *used)
{
	/* From `from` on, round to 1 after the last id. */
	for (long long k = 0; k < ncust; k++) {
		long long id = (from - 1 + k) % ncust + 1;
		if (!used[id] && (ncust < 100 || (id % 100 == 1) == key)) {
			used[id] = 1;
			return id;
		}
	}
	return 0;
}

static void bench_customer_console(const struct cust_sample *s, size_t n, long long ncust,
                                   unsigned char *used)
{
	long long *ids = xrealloc(NULL, (n + 1) * sizeof *ids), *warm = xrealloc(NULL, (n + 1) * sizeof *warm);
	int *key = xrealloc(NULL, (n + 1) * sizeof *key);
	size_t m = 0, nw = 0;
	for (size_t i = 0; i < n; i++) {
		long long id = unread_id(s[i].id + (s[i].key ? 100 : 2), s[i].key, ncust, used);
		if (id) {
			ids[m] = id;
			key[m++] = s[i].key;
		}
	}
	/* Prepared statements run on custom plans for their first five
	 * executions: the warm-up gives each its generic plan on regular
	 * customers nobody measures. */
	for (size_t i = 0; i < n && nw < 50; i++) {
		long long id = unread_id(s[i].id + 4, 0, ncust, used);
		if (id)
			warm[nw++] = id;
	}
	int ready = 0;
	struct dbq *q = dbq_new(NULL, g_conninfo);
	dbq_set_callbacks(q, on_dbq_state, NULL, &ready);
	dbq_connect(q);
	dbq_pump(q, &ready);
	struct stats all = {0}, keys = {0}, reg = {0};
	for (size_t i = 0; i < nw; i++)
		dbq_fetch(q, warm[i]);
	for (size_t i = 0; i < m; i++) {
		double ms = dbq_fetch(q, ids[i]);
		st_add(&all, ms);
		st_add(key[i] ? &keys : &reg, ms);
	}
	/* The screen read again with its long panels whole, as End or a
	 * search asks for, on customers nobody read yet. */
	struct stats whole[2] = {{0}, {0}};
	for (int k = keys.n ? 1 : 0; k >= 0; k--)
		for (int j = 0; j < 40; j++) {
			long long id = unread_id(51 + (long long)j * 100 + (k ? 0 : 13), k, ncust, used);
			if (!id)
				break;
			st_add(&whole[k], dbq_fetch_rows(q, id, -1, 1));
		}
	printf("\n  The console's path (dbq, non-blocking, statements prepared once per connection),\n"
	       "  on other customers than the pass above (as many of each kind), after a warm-up of\n"
	       "  %zu more; the long panels (notes, handoffs) read a first page of %d rows:\n",
	       nw, CV_PAGE);
	print_stats_head();
	print_stats("all sampled customers", &all, TARGET_SCREEN_P99_MS);
	print_stats("regular customers", &reg, 0);
	if (keys.n)
		print_stats("key accounts", &keys, 0);
	printf("  the same screen with its long panels read whole (End in one, or a search), up to\n"
	       "  40 more customers of each kind:\n");
	print_stats("regular customers, whole", &whole[0], 0);
	if (whole[1].n)
		print_stats("key accounts, whole", &whole[1], 0);
	summary("customer screen, console   median %.2f ms, p99 %.2f ms, key accounts p99 %.2f ms (prepared, dbq)   target p99 < %.0f ms: %s",
	        st_pct(&all, 0.5), st_pct(&all, 0.99), keys.n ? st_pct(&keys, 0.99) : 0.0, TARGET_SCREEN_P99_MS,
	        verdict(st_pct(&all, 0.99), TARGET_SCREEN_P99_MS));
	/* Where its time goes: each statement alone, prepared as the console
	 * has it, on customers nobody read yet (up to 50 of each kind for
	 * each statement; the statements before left nothing of theirs in
	 * the caches). */
	printf("  each statement alone on the console's path, median/p95 of up to 50 customers of each\n"
	       "  kind per statement, none read before, in ms:\n");
	for (int k = keys.n ? 1 : 0; k >= 0; k--) {
		printf("    %-13s", k ? "key accounts" : "regular");
		for (int p = 0; p < CV_PARTS; p++) {
			struct stats one = {0};
			for (int j = 0; j < 50; j++) {
				long long id = unread_id(1 + (long long)(p * 50 + j) * 100 + (k ? 0 : 7), k, ncust, used);
				if (!id)
					break;
				st_add(&one, dbq_fetch_part(q, id, p));
			}
			if (one.n) /* none left unread: a small scale */
				printf("%s %s %.2f/%.2f", p ? "," : "", part_names[p], st_pct(&one, 0.5), st_pct(&one, 0.95));
			else
				printf("%s %s -", p ? "," : "", part_names[p]);
			st_free(&one);
		}
		putchar('\n');
	}
	st_free(&all);
	st_free(&keys);
	st_free(&reg);
	st_free(&whole[0]);
	st_free(&whole[1]);
	dbq_free(q);
	free(ids);
	free(warm);
	free(key);
}

static void bench_customer(PGconn *c)
{
	long long ncust = query_ll(c, "SELECT max(id) FROM customer");
	if (ncust < 1)
		die("no customers in the database");
	/* Key accounts are 1, 101, 201, ... (only when there are >= 100
	 * customers); take up to 200 of them spread evenly, and 1800 others,
	 * leaving two thirds of the key accounts at least for the warm-up and
	 * the console's path (which read customers of their own). */
	long long nkey = ncust >= 100 ? (ncust - 1) / 100 + 1 : 0;
	long long want_key = nkey / 3 < 200 ? nkey / 3 : 200;
	long long want_reg = ncust - nkey < 1800 ? ncust - nkey : 1800;
	size_t n = 0;
	struct cust_sample *s = xrealloc(NULL, (size_t)(want_key + want_reg + 1) * sizeof *s);
	for (long long i = 0; i < want_key; i++) {
		memset(&s[n], 0, sizeof s[n]);
		s[n].id = 1 + 100 * ((i * nkey) / want_key);
		s[n++].key = 1;
	}
	for (long long i = 0; i < want_reg; i++) {
		long long id = 1 + ((2 * i + 1) * ncust) / (2 * want_reg);
		if (nkey && id % 100 == 1)
			id = id < ncust ? id + 1 : id - 1;
		memset(&s[n], 0, sizeof s[n]);
		s[n++].id = id;
	}
	/* Interleave so that key accounts are spread over the run. */
	for (size_t i = 0; i < n; i++) {
		size_t j = (i * 7919) % n;
		struct cust_sample t = s[i];
		s[i] = s[j];
		s[j] = t;
	}

	printf("\n== 1. Customer screen fetch (cv_statements, %d statements in one db_pipeline round trip)\n",
	       CV_PARTS);
	printf("  %lld customers in the table; sampled %lld regular ids spread over the table and\n"
	       "  %lld key accounts (1, 101, 201, ...: ~10x the data); a warm-up pass over as many\n"
	       "  other customers of each kind, then one measured pass.\n",
	       ncust, want_reg, want_key);
	print_load("at the start");
	/* The warm-up reads other customers of the same kinds. */
	unsigned char *used = xrealloc(NULL, (size_t)ncust + 1);
	memset(used, 0, (size_t)ncust + 1);
	for (size_t i = 0; i < n; i++)
		used[s[i].id] = 1;
	for (size_t i = 0; i < n; i++) {
		long long w = unread_id(s[i].id + (s[i].key ? 100 : 1), s[i].key, ncust, used);
		if (w)
			fetch_customer(c, w, NULL);
	}
	struct stats all = {0}, key = {0}, reg = {0};
	double sum_rows[2][CV_PARTS] = {{0}};
	for (size_t i = 0; i < n; i++) {
		s[i].ms = fetch_customer(c, s[i].id, s[i].rows);
		st_add(&all, s[i].ms);
		st_add(s[i].key ? &key : &reg, s[i].ms);
		for (int p = 0; p < CV_PARTS; p++)
			sum_rows[s[i].key][p] += s[i].rows[p];
	}
	print_stats_head();
	summary("customer screen fetch     median %.2f ms, p99 %.2f ms, key accounts p99 %.2f ms   target p99 < %.0f ms: %s",
	        st_pct(&all, 0.5), st_pct(&all, 0.99), st_pct(&key, 0.99), TARGET_SCREEN_P99_MS,
	        verdict(st_pct(&all, 0.99), TARGET_SCREEN_P99_MS));
	print_stats("all sampled customers", &all, TARGET_SCREEN_P99_MS);
	print_stats("regular customers", &reg, 0);
	if (key.n)
		print_stats("key accounts", &key, 0);
	for (int k = 0; k < 2; k++) {
		size_t cnt = k ? key.n : reg.n;
		if (!cnt)
			continue;
		printf("  rows per screen, %-12s", k ? "key accounts:" : "regular:");
		for (int p = 0; p < CV_PARTS; p++)
			printf(" %s %.1f", part_names[p], sum_rows[k][p] / (double)cnt);
		putchar('\n');
	}

	bench_customer_console(s, n, ncust, used);
	free(used);

	qsort(s, n, sizeof *s, cmp_sample_ms);
	printf("  slowest fetches:");
	for (size_t i = 0; i < n && i < 5; i++)
		printf(" id %lld%s %.2f ms%s", s[i].id, s[i].key ? " (key)" : "", s[i].ms, i + 1 < 5 ? "," : "");
	putchar('\n');

	/* Where the time goes: each statement alone, for the slowest customer
	 * and for a typical regular one. */
	long long slow = s[0].id, typical = s[n / 2].id;
	long long ids[2] = {slow, typical};
	for (int w = 0; w < 2; w++) {
		struct cv_args args;
		struct db_stmt st[CV_PARTS];
		cv_statements(st, &args, ids[w], NULL);
		printf("  each statement alone (own round trip), customer %lld (%s), median of 20:",
		       ids[w], w ? "median fetch" : "slowest fetch");
		for (int p = 0; p < CV_PARTS; p++) {
			struct stats one = {0};
			for (int k = 0; k < 20; k++)
				st_add(&one, timed_pipeline(c, &st[p], 1, NULL));
			printf("%s %s %.2f", p ? "," : "", part_names[p], st_pct(&one, 0.5));
			st_free(&one);
		}
		printf(" ms\n");
	}
	{
		struct cv_args args;
		struct db_stmt st[CV_PARTS];
		cv_statements(st, &args, slow, NULL);
		for (int p = 0; p < CV_PARTS; p++) {
			char title[128];
			snprintf(title, sizeof title, "customer screen: %s, customer %lld", part_names[p], slow);
			explain(c, title, st[p].sql, st[p].nparams, st[p].params);
		}
	}
	st_free(&all);
	st_free(&key);
	st_free(&reg);
	free(s);
}

/* --- 2. the finder ------------------------------------------------------------------ */

struct finput {
	char *text;
	const char *kind;
	struct stats t;
	int rows;
	int contains; /* statement used: 1 contains (trigram), 0 prefix */
	int cold;     /* left out of the warm-up: every run is measured */
};

struct finputs {
	struct finput *v;
	size_t n, cap;
};

static void fi_add(struct finputs *fs, const char *kind, const char *text)
{
	if (!text || !*text)
		return;
	for (size_t i = 0; i < fs->n; i++)
		if (!strcmp(fs->v[i].text, text))
			return;
	if (fs->n == fs->cap) {
		fs->cap = fs->cap ? fs->cap * 2 : 256;
		fs->v = xrealloc(fs->v, fs->cap * sizeof *fs->v);
	}
	struct finput *f = &fs->v[fs->n++];
	memset(f, 0, sizeof *f);
	f->text = xstrdup(text);
	f->kind = kind;
}

/* Add every value of column 0 of sql's result as an input of kind. */
static void fi_add_sql(struct finputs *fs, PGconn *c, const char *kind, const char *sql)
{
	PGresult *r = query(c, sql, 0, NULL);
	for (int i = 0; i < PQntuples(r); i++)
		fi_add(fs, kind, PQgetvalue(r, i, 0));
	PQclear(r);
}

/* The statement finder_statement picks for a long text (the trigram one),
 * to tell which of the two an input used. */
static const char *contains_sql(void)
{
	static const char *sql;
	if (!sql) {
		struct finder_query q;
		struct db_stmt st;
		if (finder_query_init(&q, "longer text") < 0)
			die("finder_query_init refused a plain text");
		finder_statement(&q, &st);
		sql = st.sql;
		finder_query_free(&q);
	}
	return sql;
}

static double run_finder(PGconn *c, struct finput *in)
{
	struct finder_query q;
	if (finder_query_init(&q, in->text) < 0)
		die("finder_query_init refused '%s'", in->text);
	struct db_stmt st;
	finder_statement(&q, &st);
	in->contains = st.sql == contains_sql();
	int rows;
	double t = timed_pipeline(c, &st, 1, &rows);
	in->rows = rows;
	finder_query_free(&q);
	return t;
}

static int cmp_finput_worst(const void *a, const void *b)
{
	const struct finput *x = a, *y = b;
	struct stats xs = x->t, ys = y->t; /* shares the arrays: sorting in place is fine */
	double xm = st_pct(&xs, 0.5), ym = st_pct(&ys, 0.5);
	return xm > ym ? -1 : xm < ym;
}

static void explain_finder(PGconn *c, const struct finput *in, const char *why)
{
	struct finder_query q;
	if (finder_query_init(&q, in->text) < 0)
		return;
	struct db_stmt st;
	finder_statement(&q, &st);
	char title[256];
	snprintf(title, sizeof title, "finder, %s: \"%s\" (%s statement)", why, in->text,
	         in->contains ? "contains/trigram" : "prefix");
	explain(c, title, st.sql, st.nparams, st.params);
	finder_query_free(&q);
}

/* The finder's inputs, each of its kind, taken from the data. */
static void finder_inputs(PGconn *c, struct finputs *fs)
{
	long long ncust = query_ll(c, "SELECT max(id) FROM customer");
	char sql[2048];

	/* Accented names typed without their accents ("lumiere" for Lumière),
	 * added first so that no other kind claims the text, and left out of
	 * the warm-up: the folded-name indexes are measured on inputs they have
	 * not just answered.  Whole words, prefixes, and the accented word. */
	static const char *const plain[] = {"lumiere", "societe lumiere", "muller", "muller & sohne",
	                                    "sohne", "sao paulo", "sao", "lodz", "zurich", "osaka"};
	for (size_t i = 0; i < sizeof plain / sizeof *plain; i++)
		fi_add(fs, "plain spelling", plain[i]);
	snprintf(sql, sizeof sql,
	         "SELECT x FROM customer c CROSS JOIN LATERAL (VALUES"
	         "   (substr(baton_fold(c.name), 1, 2)), (substr(baton_fold(c.name), 1, 5)),"
	         "   (substr(baton_fold(c.name), 1, 12)),"
	         "   (split_part(baton_fold(c.name), ' ', 2))) v(x)"
	         " WHERE c.id IN (SELECT 31 + (g * %lld) / 240 FROM generate_series(0, 239) g)"
	         "   AND lower(c.name) <> baton_fold(c.name) AND x ~ '[a-z]'"
	         " ORDER BY c.id",
	         ncust);
	fi_add_sql(fs, c, "plain spelling", sql);
	for (size_t i = 0; i < fs->n; i++)
		fs->v[i].cold = 1;
	/* As typed, letter by letter, lower case (the finder matches
	 * case-insensitively), including a non-ASCII brand. */
	static const char *const typed[] = {"n", "no", "nor", "nort", "north", "northw", "northwind",
	                                    "a", "ac", "acm", "acme", "z", "zü", "zür", "züri",
	                                    "s", "so", "soc", "soci", "société"};
	for (size_t i = 0; i < sizeof typed / sizeof *typed; i++)
		fi_add(fs, "typed prefix", typed[i]);
	/* Name fragments of 1, 2, 3, 5 and 8 characters from real names: from
	 * the start (a prefix) and from the middle (the second word, or the
	 * customer number), in lower case as people type. */
	snprintf(sql, sizeof sql,
	         "SELECT lower(substr(c.name, s.start, l.len))"
	         " FROM customer c"
	         " CROSS JOIN (VALUES (1), (2), (3), (5), (8)) AS l(len)"
	         " CROSS JOIN LATERAL (VALUES (1), (greatest(1, strpos(c.name, ' ') + 1))) AS s(start)"
	         " WHERE c.id IN (SELECT 1 + (g * %lld) / 24 FROM generate_series(0, 23) g)"
	         " ORDER BY c.id, l.len, s.start",
	         ncust);
	fi_add_sql(fs, c, "name fragment", sql);
	/* The customer number, as people read it off an invoice. */
	snprintf(sql, sizeof sql,
	         "SELECT substring(c.name FROM '[0-9]+$') FROM customer c"
	         " WHERE c.id IN (SELECT 7 + (g * %lld) / 12 FROM generate_series(0, 11) g)",
	         ncust);
	fi_add_sql(fs, c, "customer number", sql);
	/* Domains: whole, and the first 8 characters. */
	snprintf(sql, sizeof sql,
	         "SELECT x FROM customer c CROSS JOIN LATERAL (VALUES (c.domain), (substr(c.domain, 1, 8))) v(x)"
	         " WHERE c.id IN (SELECT 13 + (g * %lld) / 20 FROM generate_series(0, 19) g)",
	         ncust);
	fi_add_sql(fs, c, "domain", sql);
	/* Contact e-mail: whole, the local part, and 8 characters around '@'. */
	snprintf(sql, sizeof sql,
	         "SELECT x FROM contact ct CROSS JOIN LATERAL (VALUES (ct.email),"
	         "   (split_part(ct.email, '@', 1)),"
	         "   (substr(ct.email, greatest(1, strpos(ct.email, '@') - 3), 8))) v(x)"
	         " WHERE ct.customer_id IN (SELECT 17 + (g * %lld) / 20 FROM generate_series(0, 19) g)"
	         "   AND ct.is_primary",
	         ncust);
	fi_add_sql(fs, c, "contact e-mail", sql);
	/* External ids of each system: whole, and the first 6 characters. */
	snprintf(sql, sizeof sql,
	         "SELECT x FROM customer_external_id e"
	         " CROSS JOIN LATERAL (VALUES (e.external_id), (substr(e.external_id, 1, 6))) v(x)"
	         " WHERE e.customer_id IN (SELECT 23 + (g * %lld) / 15 FROM generate_series(0, 14) g)",
	         ncust);
	fi_add_sql(fs, c, "external id", sql);
	/* And whole, as the customer screen lists them: SYSTEM:ID (069). */
	snprintf(sql, sizeof sql,
	         "SELECT e.system || ':' || e.external_id FROM customer_external_id e"
	         " WHERE e.customer_id IN (SELECT 29 + (g * %lld) / 15 FROM generate_series(0, 14) g)",
	         ncust);
	fi_add_sql(fs, c, "system:external id", sql);
	/* The customer's id, bare and as the screens show it (#42; 083). */
	snprintf(sql, sizeof sql,
	         "SELECT x FROM customer c CROSS JOIN LATERAL (VALUES (c.id::text), ('#' || c.id)) v(x)"
	         " WHERE c.id IN (SELECT 37 + (g * %lld) / 12 FROM generate_series(0, 11) g)",
	         ncust);
	fi_add_sql(fs, c, "customer id", sql);
	/* A slip of the keys, which matches nothing, so that the finder looks
	 * for close names (084): a letter of the first word left out, and the
	 * second word's last two swapped ("nortwind", "northwind healht"). */
	snprintf(sql, sizeof sql,
	         "SELECT x FROM (SELECT lower(split_part(c.name, ' ', 1)) AS a,"
	         "   lower(split_part(c.name, ' ', 2)) AS b FROM customer c"
	         "  WHERE c.id IN (SELECT 41 + (g * %lld) / 12 FROM generate_series(0, 11) g)) w"
	         " CROSS JOIN LATERAL (VALUES (overlay(a PLACING '' FROM 4 FOR 1)),"
	         "   (a || ' ' || left(b, -2) || right(b, 1) || substr(b, length(b) - 1, 1))) v(x)"
	         " WHERE length(a) >= 6 AND length(b) >= 4",
	         ncust);
	fi_add_sql(fs, c, "misspelt name", sql);
}

/* Timings by length of the text, in characters. */
static void finder_by_length(const struct finputs *fs)
{
	printf("  by length:");
	static const int lens[] = {1, 2, 3, 4, 5, 8};
	for (size_t l = 0; l < sizeof lens / sizeof *lens; l++) {
		struct stats s = {0};
		for (size_t i = 0; i < fs->n; i++) {
			size_t chars = 0;
			for (const char *p = fs->v[i].text; *p; p++)
				chars += ((unsigned char)*p & 0xC0) != 0x80;
			int want = lens[l];
			if (want == 5 ? (chars == 5 || chars == 6 || chars == 7)
			              : want == 8 ? chars >= 8 : (int)chars == want)
				for (size_t j = 0; j < fs->v[i].t.n; j++)
					st_add(&s, fs->v[i].t.v[j]);
		}
		if (s.n)
			printf(" %s: median %.2f p99 %.2f;",
			       lens[l] == 5 ? "5-7" : lens[l] == 8 ? ">=8" : lens[l] == 1 ? "1" : lens[l] == 2 ? "2" : lens[l] == 3 ? "3" : "4",
			       st_pct(&s, 0.5), st_pct(&s, 0.99));
		st_free(&s);
	}
	putchar('\n');

}

/* The slowest inputs, and the plans of the slowest of each statement and
 * of a plain spelling. */
static void finder_worst(PGconn *c, struct finputs *fs)
{
	qsort(fs->v, fs->n, sizeof *fs->v, cmp_finput_worst);
	printf("  worst inputs (median of runs / max, rows returned):\n");
	for (size_t i = 0; i < fs->n && i < 10; i++)
		printf("    %-28s %-15s %-9s %8.2f / %8.2f ms  %d rows\n", fs->v[i].text, fs->v[i].kind,
		       fs->v[i].contains ? "contains" : "prefix", st_pct(&fs->v[i].t, 0.5), st_max(&fs->v[i].t),
		       fs->v[i].rows);
	printf("  worst single query text: \"%s\" (%s), median %.2f ms, max %.2f ms\n", fs->v[0].text,
	       fs->v[0].kind, st_pct(&fs->v[0].t, 0.5), st_max(&fs->v[0].t));
	summary("finder worst query text   \"%s\" (%s): median %.2f ms", fs->v[0].text, fs->v[0].kind,
	        st_pct(&fs->v[0].t, 0.5));
	explain_finder(c, &fs->v[0], "worst input");
	for (size_t i = 1; i < fs->n; i++)
		if (fs->v[i].contains != fs->v[0].contains) {
			explain_finder(c, &fs->v[i], "worst input of the other statement");
			break;
		}
	for (size_t i = 0; i < fs->n; i++)
		if (!strcmp(fs->v[i].text, "lumiere"))
			explain_finder(c, &fs->v[i], "a plain spelling");
	for (size_t i = 0; i < fs->n; i++)
		if (!strcmp(fs->v[i].kind, "misspelt name")) {
			explain_finder(c, &fs->v[i], "the slowest misspelt name");
			break;
		}

}

static void bench_finder(PGconn *c)
{
	struct finputs fs = {0};
	const char *e = getenv("BATON_BENCH_FINDER_RUNS");
	int runs = e && atoi(e) > 0 ? atoi(e) : 3;
	finder_inputs(c, &fs);

	printf("\n== 2. Finder (finder_query_init + finder_statement, one statement per keystroke)\n");
	printf("  %zu distinct inputs; one warm-up run each (not the plain spellings), then %d measured"
	       " runs each\n", fs.n, runs);
	print_load("at the start");
	for (size_t i = 0; i < fs.n; i++)
		if (!fs.v[i].cold)
			run_finder(c, &fs.v[i]);
	struct stats first = {0};
	for (int k = 0; k < runs; k++)
		for (size_t i = 0; i < fs.n; i++) {
			double t = run_finder(c, &fs.v[i]);
			st_add(&fs.v[i].t, t);
			if (k == 0 && fs.v[i].cold)
				st_add(&first, t);
		}

	static const char *const kinds[] = {"plain spelling", "typed prefix", "name fragment",
	                                    "customer number", "domain", "contact e-mail", "external id",
	                                    "system:external id", "customer id", "misspelt name"};
	struct stats all = {0}, pre = {0}, con = {0};
	print_stats_head();
	for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++) {
		struct stats s = {0};
		size_t cnt = 0;
		for (size_t i = 0; i < fs.n; i++) {
			if (strcmp(fs.v[i].kind, kinds[k]) != 0)
				continue;
			cnt++;
			for (size_t j = 0; j < fs.v[i].t.n; j++)
				st_add(&s, fs.v[i].t.v[j]);
		}
		char label[64];
		snprintf(label, sizeof label, "%s (%zu inputs)", kinds[k], cnt);
		print_stats(label, &s, 0);
		st_free(&s);
	}
	for (size_t i = 0; i < fs.n; i++)
		for (size_t j = 0; j < fs.v[i].t.n; j++) {
			st_add(&all, fs.v[i].t.v[j]);
			st_add(fs.v[i].contains ? &con : &pre, fs.v[i].t.v[j]);
		}
	int unfound = 0;
	for (size_t i = 0; i < fs.n; i++)
		unfound += fs.v[i].cold && fs.v[i].rows == 0;
	printf("  plain spellings that found nothing: %d (0 expected)\n", unfound);
	print_stats("plain spelling, first run", &first, 0);
	summary("finder plain spellings    first run median %.2f ms, p99 %.2f ms (\"lumiere\" finds Lumière)",
	        st_pct(&first, 0.5), st_pct(&first, 0.99));
	print_stats("prefix statement (< 3 chars)", &pre, 0);
	print_stats("contains statement (>= 3 chars)", &con, 0);
	print_stats("all inputs", &all, TARGET_FINDER_P99_MS);
	summary("finder                    median %.2f ms, p99 %.2f ms, max %.2f ms                 target p99 < %.0f ms: %s",
	        st_pct(&all, 0.5), st_pct(&all, 0.99), st_max(&all), TARGET_FINDER_P99_MS,
	        verdict(st_pct(&all, 0.99), TARGET_FINDER_P99_MS));

	struct stats slip = {0};
	for (size_t i = 0; i < fs.n; i++)
		for (size_t j = 0; !strcmp(fs.v[i].kind, "misspelt name") && j < fs.v[i].t.n; j++)
			st_add(&slip, fs.v[i].t.v[j]);
	summary("finder misspelt names     median %.2f ms, p99 %.2f ms (close names offered)",
	        st_pct(&slip, 0.5), st_pct(&slip, 0.99));
	st_free(&slip);

	finder_by_length(&fs);
	finder_worst(c, &fs);

	for (size_t i = 0; i < fs.n; i++) {
		free(fs.v[i].text);
		st_free(&fs.v[i].t);
	}
	free(fs.v);
	st_free(&all);
	st_free(&pre);
	st_free(&con);
	st_free(&first);
}

/* --- 3. the queue ------------------------------------------------------------------ */

int queue_cases(PGconn *c, struct queue_case *cases, int max, char *person, size_t person_n)
{
	PGresult *me = query(c, finder_me_sql, 0, NULL);
	char team[40];
	snprintf(team, sizeof team, "%s", PQgetvalue(me, 0, ME_TEAM));
	PQclear(me);
	/* A person of the team to filter on: someone on the same team. */
	person[0] = '\0';
	{
		const char *p[1] = {team};
		PGresult *r = query(c, "SELECT role_name FROM staff WHERE team_id = $1 AND NOT is_lead"
		                       " ORDER BY role_name LIMIT 1", 1, p);
		if (PQntuples(r))
			snprintf(person, person_n, "%s", PQgetvalue(r, 0, 0));
		PQclear(r);
	}
	int n = 0;
#define CASE(lbl) (n < max ? (memset(&cases[n], 0, sizeof cases[n]), cases[n].label = (lbl), &cases[n++].f) \
                           : (die("too many queue cases"), (struct queue_filter *)NULL))
	CASE("default view: my teams (mine)")->mine = 1;
	CASE("all teams (no filter)");
	snprintf(CASE("team=support")->team, sizeof cases[0].f.team, "support");
	snprintf(CASE("team=marketing")->team, sizeof cases[0].f.team, "marketing");
	snprintf(CASE("person (to=team member)")->person, sizeof cases[0].f.person, "%s", person);
	snprintf(CASE("state=open")->state, sizeof cases[0].f.state, "open");
	snprintf(CASE("state=acknowledged")->state, sizeof cases[0].f.state, "acknowledged");
	snprintf(CASE("state=resolved")->state, sizeof cases[0].f.state, "resolved");
	snprintf(CASE("reason=escalation")->reason, sizeof cases[0].f.reason, "escalation");
	snprintf(CASE("priority=urgent")->priority, sizeof cases[0].f.priority, "urgent");
	CASE("breached")->breached = 1;
	snprintf(CASE("segment=strategic")->segment, sizeof cases[0].f.segment, "strategic");
	snprintf(CASE("segment=smb")->segment, sizeof cases[0].f.segment, "smb");
	{
		struct queue_filter *f = CASE("mine + state=resolved");
		f->mine = 1;
		snprintf(f->state, sizeof f->state, "resolved");
	}
	{
		struct queue_filter *f = CASE("team=support + priority=high");
		snprintf(f->team, sizeof f->team, "support");
		snprintf(f->priority, sizeof f->priority, "high");
	}
#undef CASE
	return n;
}

struct qcase {
	const char *label;
	struct queue_filter f;
	double list_p99, full_p99;
	double part_ms[5]; /* list, counts, medians, marks, baton queue's list */
};

/* The statements of one queue view as the console sends them: st[0] the
 * list without the marks, st[1] counts, st[2] medians; st[3] the marks of
 * the list's customers (asked for after the rows), st[4] the list with the
 * marks as `baton queue` sends it.  ids holds st[3]'s parameter. */
static void queue_console_statements(PGconn *c, const struct queue_filter *f, struct queue_params *qp,
                                     struct buf *ids, const char **param, struct db_stmt st[5])
{
	queue_statements(f, qp, st);
	st[4] = st[0];
	queue_list_unmarked(f, qp, &st[0]);
	PGresult *r = PQexecParams(c, st[0].sql, st[0].nparams, NULL, st[0].params, NULL, NULL, 0);
	struct queue_list l = {0};
	char err[256];
	if (PQresultStatus(r) != PGRES_TUPLES_OK || queue_list_read(&l, r, err, sizeof err) < 0)
		die("queue list: %s", PQresultErrorMessage(r));
	PQclear(r);
	queue_marks_statement(&l, ids, param, &st[3]);
	queue_list_free(&l);
}

static void bench_queue(PGconn *c)
{
	const char *e = getenv("BATON_BENCH_RUNS");
	int runs = e && atoi(e) > 0 ? atoi(e) : 200;
	e = getenv("BATON_BENCH_QUEUE_SECONDS");
	double budget_ms = (e && *e ? atof(e) : 30.0) * 1000.0;
	PGresult *me = query(c, finder_me_sql, 0, NULL);
	char role[64], team[40];
	snprintf(role, sizeof role, "%s", PQgetvalue(me, 0, ME_ROLE));
	snprintf(team, sizeof team, "%s", PQgetvalue(me, 0, ME_TEAM));
	int lead = PQgetvalue(me, 0, ME_LEAD)[0] == 't';
	PQclear(me);
	char person[64];
	struct queue_case qc[16];
	struct qcase cases[16];
	int n = queue_cases(c, qc, 16, person, sizeof person);
	for (int i = 0; i < n; i++) {
		memset(&cases[i], 0, sizeof cases[i]);
		cases[i].label = qc[i].label;
		cases[i].f = qc[i].f;
	}

	printf("\n== 3. Handoff queue (queue_statements: the list, which the console waits for on every change\n"
	       "   (without the signal marks, which it asks for after the rows), and list + counts + medians,\n"
	       "   which it fetches apart on open, R and at most every 30 s)\n");
	printf("  connected as %s (team %s%s); person filter uses %s; %d measured runs per filter\n"
	       "  after 3 warm-up runs (fewer when one run is slow, see n)\n",
	       role, team, lead ? ", lead" : "", person, runs);
	print_load("at the start");
	printf("  %-32s %5s %9s %9s %9s %9s %6s  %s\n", "", "n", "list med", "list p99", "full med",
	       "full p99", "rows", "(ms)");
	for (int i = 0; i < n; i++) {
		struct qcase *q = &cases[i];
		struct queue_params qp;
		struct db_stmt st[5];
		struct buf ids = BUF_INIT;
		const char *param;
		queue_console_statements(c, &q->f, &qp, &ids, &param, st);
		int rows[3];
		double warm = 0;
		for (int k = 0; k < 3; k++)
			warm = timed_pipeline(c, st, 3, rows);
		/* Bound the time of one filter (BATON_BENCH_QUEUE_SECONDS, 0: no
		 * bound), but never below 20 runs. */
		int r = runs;
		if (budget_ms > 0 && warm > 0 && (double)r * warm * 2 > budget_ms) {
			r = (int)(budget_ms / (warm * 2));
			if (r < 20)
				r = 20;
		}
		struct stats ls = {0}, fl = {0};
		for (int k = 0; k < r; k++)
			st_add(&ls, timed_pipeline(c, st, 1, NULL));
		for (int k = 0; k < r; k++)
			st_add(&fl, timed_pipeline(c, st, 3, rows));
		q->list_p99 = st_pct(&ls, 0.99);
		q->full_p99 = st_pct(&fl, 0.99);
		printf("  %-32s %5d %9.2f %9.2f %9.2f %9.2f %6d  %s\n", q->label, r, st_pct(&ls, 0.5), q->list_p99,
		       st_pct(&fl, 0.5), q->full_p99, rows[0],
		       q->list_p99 < TARGET_QUEUE_P99_MS ? "ok" : "MISSES p99 < 20 ms");
		/* Each statement alone, median of 5, to see which one costs. */
		for (int p = 0; p < 5; p++) {
			struct stats one = {0};
			for (int k = 0; k < 5; k++)
				st_add(&one, timed_pipeline(c, &st[p], 1, NULL));
			q->part_ms[p] = st_pct(&one, 0.5);
			st_free(&one);
		}
		st_free(&ls);
		st_free(&fl);
		buf_free(&ids);
	}
	{
		int miss = 0, worst = 0;
		for (int i = 0; i < n; i++) {
			/* The console waits for the list on every change; counts
			 * and medians come apart, on open, R and at most every 30 s. */
			miss += cases[i].list_p99 >= TARGET_QUEUE_P99_MS;
			if (cases[i].list_p99 > cases[worst].list_p99)
				worst = i;
		}
		summary("queue default view        list p99 %.2f ms (with counts + medians p99 %.2f ms)  target p99 < %.0f ms: %s",
		        cases[0].list_p99, cases[0].full_p99, TARGET_QUEUE_P99_MS,
		        verdict(cases[0].list_p99, TARGET_QUEUE_P99_MS));
		summary("queue filters             %d of %d miss; worst list p99 %.2f ms (%s)          target p99 < %.0f ms: %s",
		        miss, n, cases[worst].list_p99, cases[worst].label, TARGET_QUEUE_P99_MS,
		        miss ? "MISSES" : "ok");
	}
	printf("  each statement alone (own round trip, median of 5), ms; marks: the console's second\n"
	       "  request, after the rows; cli list: `baton queue`'s list, marks included:\n");
	printf("  %-32s %9s %9s %9s %9s %9s\n", "", "list", "counts", "medians", "marks", "cli list");
	for (int i = 0; i < n; i++)
		printf("  %-32s %9.2f %9.2f %9.2f %9.2f %9.2f\n", cases[i].label, cases[i].part_ms[0],
		       cases[i].part_ms[1], cases[i].part_ms[2], cases[i].part_ms[3], cases[i].part_ms[4]);

	/* Plans: the statements of the default view, then the slowest
	 * statement of every other filter that misses the target. */
	static const char *const names[5] = {"list", "counts", "medians", "marks", "cli list"};
	for (int i = 0; i < n; i++) {
		struct qcase *q = &cases[i];
		struct queue_params qp;
		struct db_stmt st[5];
		struct buf ids = BUF_INIT;
		const char *param;
		queue_console_statements(c, &q->f, &qp, &ids, &param, st);
		for (int p = 0; p < (i == 0 ? 4 : 3); p++) {
			int slowest = q->part_ms[p] >= q->part_ms[0] && q->part_ms[p] >= q->part_ms[1] &&
			              q->part_ms[p] >= q->part_ms[2];
			if (i == 0 || (q->list_p99 >= TARGET_QUEUE_P99_MS && slowest)) {
				char title[160];
				snprintf(title, sizeof title, "queue %s, %s statement", q->label, names[p]);
				explain(c, title, st[p].sql, st[p].nparams, st[p].params);
				if (i != 0)
					break;
			}
		}
		buf_free(&ids);
	}
}

/* --- signals: the screen's part, every customer's, the suppression list ----------------- */

#define TARGET_SIGNALS_P99_MS 200.0
#define TARGET_SUPPRESSION_P99_MS 100.0
/* Writes before each run of "after writes": customers to compute again. */
#define SIGNALS_WRITES 100

/* A write that changes what a signal reads, as a person makes it: a
 * handoff (Support to Success) for each of n customers spread over the
 * table, run `round` choosing other ones. */
static void signals_write(PGconn *c, int n, int round)
{
	long long ncust = query_ll(c, "SELECT max(id) FROM customer");
	for (int i = 0; i < n; i++) {
		char id[32];
		snprintf(id, sizeof id, "%lld", 1 + ((long long)(round * n + i) * 7919) % ncust);
		const char *p[] = {id};
		PQclear(query(c, "SELECT created FROM baton_handoff_create(gen_random_uuid(), gen_random_uuid(),"
		                 " $1::bigint, 'success', NULL, 'question', 'low', NULL, 'bench: a signals write')",
		              1, p));
	}
}

/* A summary line for what scripts read: no budget, rows per second. */
static void summary_throughput(const char *label, struct stats *s, int rows)
{
	summary("%-30s median %.1f ms, p99 %.1f ms (%d rows, %.0f rows/s; scripts: no budget)", label,
	        st_pct(s, 0.5), st_pct(s, 0.99), rows, rows * 1000.0 / st_pct(s, 0.5));
}

/* What a person waits on: `nst` round trips, round-robin over the sets of
 * statements st[0..nsets) (each of `per` statements, one pipeline), until
 * BATON_BENCH_SIGNALS_SECONDS (default 120) have passed, at least 3 runs
 * and at most `most`; before each, `writes` writes (none: the cache is up
 * to date).  target 0: information, no budget. */
static void signals_runs(PGconn *c, const char *label, const struct db_stmt *st, int per, int nsets,
                         double target, int writes, int most)
{
	const char *e = getenv("BATON_BENCH_SIGNALS_SECONDS");
	double budget = (e ? atof(e) : 120.0) * 1000.0, t0 = now_ms();
	struct stats s = {0};
	int rows[8] = {0};
	double first = 0;
	for (int i = 0; i < most && (i < 3 || now_ms() - t0 < budget); i++) {
		if (writes)
			signals_write(c, writes, i);
		double t = timed_pipeline(c, st + (i % nsets) * per, per, rows);
		st_add(&s, t);
		if (i == 0)
			first = t;
	}
	print_stats_head();
	print_stats(label, &s, target);
	printf("  %-34s first run %.2f ms\n", "", first);
	if (target > 0)
		summary("%-30s median %.1f ms, p99 %.1f ms (%d rows)   target p99 < %.0f ms: %s", label,
		        st_pct(&s, 0.5), st_pct(&s, 0.99), rows[0], target, verdict(st_pct(&s, 0.99), target));
	else
		summary_throughput(label, &s, rows[0]);
	st_free(&s);
}

/* The customer screen's signals statement alone (cv_statements), for up
 * to 1000 customers spread over the table: as they are, then each right
 * after a write about it (computed again by that read). */
static void signals_screen(PGconn *c)
{
	long long ncust = query_ll(c, "SELECT max(id) FROM customer");
	long long n = ncust < 1000 ? ncust : 1000;
	struct stats clean = {0}, dirty = {0};
	for (int pass = 0; pass < 3; pass++) {
		for (long long i = 0; i < n; i++) {
			struct cv_args args;
			struct db_stmt st[CV_PARTS];
			cv_statements(st, &args, 1 + ((2 * i + 1) * ncust) / (2 * n), NULL);
			const char *const *p = st[CV_SIGNALS].params;
			if (pass == 2)
				PQclear(query(c, "SELECT created FROM baton_handoff_create(gen_random_uuid(),"
				                 " gen_random_uuid(), $1::bigint, 'success', NULL, 'question', 'low',"
				                 " NULL, 'bench: a signals write')", 1, p));
			double t = now_ms();
			PQclear(query(c, st[CV_SIGNALS].sql, 1, p));
			if (pass)
				st_add(pass == 1 ? &clean : &dirty, now_ms() - t);
		}
	}
	printf("  the customer screen's signals statement, %lld customers (a warm-up pass first)\n", n);
	print_stats_head();
	print_stats("up to date (cache lookup)", &clean, TARGET_SCREEN_P99_MS);
	print_stats("right after a write about it", &dirty, 0);
	summary("screen's signals part      median %.2f ms, p99 %.2f ms; after a write median %.2f ms, p99 %.2f ms",
	        st_pct(&clean, 0.5), st_pct(&clean, 0.99), st_pct(&dirty, 0.5), st_pct(&dirty, 0.99));
	st_free(&clean);
	st_free(&dirty);
}

/* The filters a person changes to on the signals screen: each kind, the
 * team that must act on most, a segment and an owner of the data. */
#define SIGNAL_FILTERS (SIGNAL_KINDS + 3)
static void signals_filters(PGconn *c, struct signal_filter *f)
{
	memset(f, 0, SIGNAL_FILTERS * sizeof *f);
	for (int i = 0; i < SIGNAL_KINDS; i++)
		snprintf(f[i].kind, sizeof f[i].kind, "%s", signal_kind_at(i)->name);
	PGresult *r = query(c, "SELECT (SELECT t FROM customer_signal, unnest(teams) t GROUP BY t ORDER BY count(*)"
	                       " DESC LIMIT 1), (SELECT segment FROM customer LIMIT 1),"
	                       " (SELECT owner FROM customer WHERE owner IS NOT NULL LIMIT 1)", 0, NULL);
	snprintf(f[SIGNAL_KINDS].team, sizeof f->team, "%s", PQgetvalue(r, 0, 0));
	snprintf(f[SIGNAL_KINDS + 1].segment, sizeof f->segment, "%s", PQgetvalue(r, 0, 1));
	snprintf(f[SIGNAL_KINDS + 2].owner, sizeof f->owner, "%s", PQgetvalue(r, 0, 2));
	PQclear(r);
}

/* The signals screen's page (as ui/signals.c sends it): opened, each
 * filter, and page-down (the window grown a page, up to ten pages); the
 * sends screen's page; then, as information, the counts both headers ask
 * for after their rows (a pass over every signal: the rows do not wait). */
static void signals_lists(PGconn *c, int writes)
{
	struct signal_filter none = {0}, f[SIGNAL_FILTERS];
	struct signal_filter_params fp[SIGNAL_FILTERS + 10];
	struct db_stmt open[2], filt[SIGNAL_FILTERS * 2], down[9 * 2];
	signals_filters(c, f);
	signal_filter_page_stmts(&none, SIGNAL_PAGE, &fp[0], open);
	for (int i = 0; i < SIGNAL_FILTERS; i++)
		signal_filter_page_stmts(&f[i], SIGNAL_PAGE, &fp[1 + i], filt + 2 * i);
	for (int i = 0; i < 9; i++)
		signal_filter_page_stmts(&none, SIGNAL_PAGE * (i + 2), &fp[1 + SIGNAL_FILTERS + i], down + 2 * i);
	char limit[16];
	snprintf(limit, sizeof limit, "%d", SIGNAL_PAGE);
	const char *lp[] = {limit};
	struct db_stmt sends[2] = {{signals_suppression_page_sql, 1, lp}, {signals_suppression_count_sql, 0, NULL}};
	const char *w = writes ? " after 100 writes" : "";
	char l[6][64];
	snprintf(l[0], sizeof l[0], "signals screen opened%s", w);
	snprintf(l[1], sizeof l[1], "signals filter change%s", w);
	snprintf(l[2], sizeof l[2], "signals page-down%s", w);
	snprintf(l[3], sizeof l[3], "sends screen%s", w);
	snprintf(l[4], sizeof l[4], "signals counts (header)%s", w);
	snprintf(l[5], sizeof l[5], "sends counts (header)%s", w);
	/* A warm-up first (the session's first reads of these functions, the
	 * customers whose time came since the last pass), by a filter that no
	 * measured run uses, so that no measured statement is a repeat of it:
	 * the least busy team's signals, page then counts. */
	struct signal_filter warm = {0};
	struct signal_filter_params wp;
	struct db_stmt wst[2];
	PGresult *wr = query(c, "SELECT t FROM customer_signal, unnest(teams) t GROUP BY t ORDER BY count(*), t LIMIT 1",
	                     0, NULL);
	snprintf(warm.team, sizeof warm.team, "%s", PQntuples(wr) ? PQgetvalue(wr, 0, 0) : "");
	PQclear(wr);
	if (!strcmp(warm.team, f[SIGNAL_KINDS].team))
		warm.team[0] = '\0'; /* one team only: a segment no customer has */
	if (!warm.team[0])
		snprintf(warm.segment, sizeof warm.segment, "%s", "no-such-segment");
	signal_filter_page_stmts(&warm, SIGNAL_PAGE, &wp, wst);
	int wrows[2];
	double wt = timed_pipeline(c, &wst[0], 1, wrows);
	double wc = timed_pipeline(c, &wst[1], 1, wrows);
	printf("  warm-up (team=%s%s): signals page %.1f ms, counts %.1f ms\n", warm.team,
	       warm.segment[0] ? " segment=no-such-segment" : "", wt, wc);
	/* Every other statement of open, filt and down: the pages. */
	struct db_stmt pages[SIGNAL_FILTERS], downs[9];
	for (int i = 0; i < SIGNAL_FILTERS; i++)
		pages[i] = filt[2 * i];
	for (int i = 0; i < 9; i++)
		downs[i] = down[2 * i];
	signals_runs(c, l[0], open, 1, 1, TARGET_SIGNALS_P99_MS, writes, 50);
	signals_runs(c, l[1], pages, 1, SIGNAL_FILTERS, TARGET_SIGNALS_P99_MS, writes, 5 * SIGNAL_FILTERS);
	signals_runs(c, l[2], downs, 1, 9, TARGET_SIGNALS_P99_MS, writes, 45);
	signals_runs(c, l[3], sends, 1, 1, TARGET_SUPPRESSION_P99_MS, writes, 50);
	signals_runs(c, l[4], &open[1], 1, 1, 0, writes, 20);
	signals_runs(c, l[5], &sends[1], 1, 1, 0, writes, 20);
}

/* The batches of a catching up (signals_catch_up's progress): how many,
 * and the longest, timed from one to the next. */
struct batches {
	int n;
	double last, longest;
};

static void on_batch(void *ctx, long long left)
{
	struct batches *b = ctx;
	double t = now_ms();
	(void)left;
	if (t - b->last > b->longest)
		b->longest = t - b->last;
	b->last = t;
	b->n++;
}

/* A change of a signal rule (migration 024), as an administrator: what
 * the statement waits (the change alone), the signals screen opened right
 * after it (its page and counts: recomputing…), then the catching up in
 * committed batches of SIGNALS_CATCH_UP_BATCH as `baton settings set`
 * runs it after the change.  Each rule is changed and changed back. */
static void signals_rules(PGconn *a, PGconn *c)
{
	static const char *const rules[][2] = {{"signal_complaint_days", "20"},
	                                       {"signal_repeat_similarity", "0.5"},
	                                       {"signal_voice_days", "60"}};
	struct signal_filter none = {0};
	struct signal_filter_params fp;
	struct db_stmt open[2];
	signal_filter_page_stmts(&none, SIGNAL_PAGE, &fp, open);
	printf("\n  a change of a signal rule (baton settings set), and back: what the administrator's\n"
	       "  statement waits; the signals screen opened right after (page, then counts); the\n"
	       "  catching up after it in committed batches of %s customers, as baton settings set\n"
	       "  runs them (the lists say \"recomputing\" meanwhile)\n", SIGNALS_CATCH_UP_BATCH);
	for (size_t i = 0; i < sizeof rules / sizeof *rules; i++) {
		const char *kp[] = {rules[i][0]};
		PGresult *r = query(a, "SELECT value FROM baton_setting WHERE key = $1", 1, kp);
		char was[64];
		snprintf(was, sizeof was, "%s", PQgetvalue(r, 0, 0));
		PQclear(r);
		for (int back = 0; back < 2; back++) {
			const char *p[] = {rules[i][0], back ? was : rules[i][1]};
			double t = now_ms();
			PQclear(query(a, "SELECT baton_setting_set($1, $2)", 2, p));
			double writer = now_ms() - t;
			int rows[2];
			double page = timed_pipeline(c, &open[0], 1, rows);
			double counts = timed_pipeline(c, &open[1], 1, rows);
			long long behind = query_ll(a, "SELECT baton_signal_pending()");
			char err[512];
			struct batches bt = {0, now_ms(), 0};
			double t0 = bt.last;
			long long left = signals_catch_up(a, on_batch, &bt, err, sizeof err);
			if (left != 0)
				die("catching up after %s: %s", rules[i][0], left < 0 ? err : "stopped short");
			double total = now_ms() - t0;
			int batches = bt.n;
			double longest = bt.longest;
			printf("  %-24s %-4s -> %-4s writer %7.1f ms; screen after: page %6.1f ms, counts %6.1f ms,"
			       " %lld behind; caught up in %6.1f s (%d batches, longest %.0f ms)\n",
			       rules[i][0], back ? rules[i][1] : was, p[1], writer, page, counts, behind, total / 1000.0,
			       batches, longest);
			summary("rule change %-24s writer %.1f ms; screen after it %.1f + %.1f ms; caught up in %.1f s"
			        " (%d batches, longest %.0f ms)", rules[i][0], writer, page, counts, total / 1000.0,
			        batches, longest);
		}
	}
}

static int cli_batch(void *arg, const PGresult *r, int last)
{
	(void)last;
	*(int *)arg += PQntuples(r);
	return 0;
}

/* What `baton signals [suppression]` sends (src/cli/signals.c), timed
 * from its first statement to its last row: the catching up after a
 * change of the rules, the list's refresh, then the read through a cursor
 * (db_stream, as the CLI).  Without the process start, the connection and
 * the formatting, which run.sh's wall times of the binary include. */
static double cli_read(PGconn *c, int suppression, int *rows)
{
	char err[512];
	const char *none[] = {NULL};
	double t0 = now_ms();
	if (signals_catch_up(c, NULL, NULL, err, sizeof err) < 0)
		die("%s\n  in: %s", err, signals_catch_up_sql);
	*rows = 0;
	if (suppression) {
		if (db_stream(c, signals_suppression_sql, 1, none, DB_STREAM_ROWS, cli_batch, rows, err, sizeof err) < 0)
			die("%s\n  in: %.200s", err, signals_suppression_sql);
		return now_ms() - t0;
	}
	PGresult *r = query(c, signals_refresh_all_sql, 0, NULL);
	const char *lp[8] = {NULL, NULL, NULL, NULL, NULL, "f", PQgetvalue(r, 0, 0),
	                     PQgetisnull(r, 0, 1) ? NULL : PQgetvalue(r, 0, 1)};
	if (db_stream(c, signals_list_stream_sql, 8, lp, DB_STREAM_ROWS, cli_batch, rows, err, sizeof err) < 0)
		die("%s\n  in: %.200s", err, signals_list_stream_sql);
	PQclear(r);
	return now_ms() - t0;
}

/* The CLI's reads, as signals_runs times statements (up to 20 runs). */
static void cli_runs(PGconn *c, const char *label, int suppression)
{
	const char *e = getenv("BATON_BENCH_SIGNALS_SECONDS");
	double budget = (e ? atof(e) : 120.0) * 1000.0, t0 = now_ms();
	struct stats s = {0};
	int rows = 0;
	for (int i = 0; i < 20 && (i < 3 || now_ms() - t0 < budget); i++)
		st_add(&s, cli_read(c, suppression, &rows));
	print_stats_head();
	print_stats(label, &s, 0);
	summary_throughput(label, &s, rows);
	st_free(&s);
}

static void bench_signals(PGconn *c)
{
	const char *all[] = {NULL, NULL, NULL, NULL, NULL, "f"};
	struct db_stmt full = {signals_list_sql, 6, all};
	printf("\n== Signals (migrations 009, 013): the cache of every customer's signals (customer_signal)\n");
	printf("  kept by the writes' marks and the clock, computed again by the reader for the\n"
	       "  customers that changed; \"after %d writes\": that many handoffs, each to another\n"
	       "  customer, before each run.  The screens read a window of %d rows, then the\n"
	       "  counts for their headers; page-down: the window grown to 2..10 pages\n",
	       SIGNALS_WRITES, SIGNAL_PAGE);
	PQclear(query(c, "SET statement_timeout = 0", 0, NULL));
	signals_screen(c);
	signals_lists(c, 0);
	signals_lists(c, SIGNALS_WRITES);
	/* Issue 11's budgets are the screens' above: "the full list over
	 * 100,000 customers in under 200 ms p99" is the signals screen over
	 * everyone, "the marketing view over all scheduled sends in under 100
	 * ms" the sends screen.  A script's dump of every row is reported by
	 * its throughput: 112,000 rows of 15 columns take 0.21-0.30 s from
	 * psql's own \copy of the stored columns on this machine, before any
	 * explanation is built. */
	printf("  baton signals: the CLI's statements, every row read through its cursor (no formatting)\n");
	cli_runs(c, "baton signals (CLI, all rows)", 0);
	cli_runs(c, "signals suppression (CLI)", 1);
	signals_runs(c, "baton_signal_list() (SQL)", &full, 1, 1, 0, 0, 5);
	if (g_admin) {
		PGconn *a = connect_or_die(g_admin);
		PQclear(query(a, "SET statement_timeout = 0", 0, NULL));
		signals_rules(a, c);
		PQfinish(a);
	}
}

/* --- main ------------------------------------------------------------------------- */

int main(int argc, char **argv)
{
	const char *conninfo = NULL, *lead = NULL, *pgdata = NULL;
	int i = 1;
	for (; i < argc; i++) {
		if (!strcmp(argv[i], "-d") && i + 1 < argc)
			conninfo = argv[++i];
		else if (!strcmp(argv[i], "-l") && i + 1 < argc)
			lead = argv[++i];
		else if (!strcmp(argv[i], "-D") && i + 1 < argc)
			pgdata = argv[++i];
		else if (!strcmp(argv[i], "-a") && i + 1 < argc)
			g_admin = argv[++i];
		else
			break;
	}
	if (!conninfo || i == argc) {
		fprintf(stderr, "usage: bench -d CONNINFO [-l LEAD_CONNINFO] [-a ADMIN_CONNINFO] [-D PGDATA]"
		                " customer|finder|queue|signals|lookup|waiting|load...\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	g_conninfo = conninfo;
	PGconn *c = connect_or_die(conninfo);
	for (; i < argc; i++) {
		if (!strcmp(argv[i], "customer")) {
			bench_customer(c);
			print_load("at the end");
		} else if (!strcmp(argv[i], "finder")) {
			bench_finder(c);
			print_load("at the end");
		} else if (!strcmp(argv[i], "signals")) {
			bench_signals(c);
			print_load("at the end");
		} else if (!strcmp(argv[i], "queue")) {
			PGconn *l = lead ? connect_or_die(lead) : c;
			bench_queue(l);
			print_load("at the end");
			if (l != c)
				PQfinish(l);
		} else if (!strcmp(argv[i], "lookup")) {
			bench_lookup(c);
		} else if (!strcmp(argv[i], "waiting")) {
			bench_waiting(c);
		} else if (!strcmp(argv[i], "load")) {
			if (!pgdata)
				die("load needs -D PGDATA (the server's data directory)");
			bench_load(c, pgdata);
		} else {
			die("unknown section '%s'", argv[i]);
		}
	}
	PQfinish(c);
	return 0;
}
