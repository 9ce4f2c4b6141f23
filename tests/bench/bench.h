/* The benchmark's shared helpers (tests/bench/bench.c) and its sections in
 * other files: load.c (many consoles at once), budgets.c (the statements a
 * person waits on, each beside its budget). */
#ifndef BATON_BENCH_H
#define BATON_BENCH_H

#include <libpq-fe.h>
#include <stddef.h>

#include "baton/db.h"
#include "baton/queue.h"

void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
double now_ms(void); /* CLOCK_MONOTONIC */
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

/* Samples, and their nearest-rank percentiles (sorting them). */
struct stats {
	double *v;
	size_t n, cap;
};
void st_add(struct stats *s, double x);
void st_free(struct stats *s);
double st_pct(struct stats *s, double p);
double st_max(struct stats *s);
const char *verdict(double p99, double target); /* "ok" or "MISSES" */

/* One line per target for the report's summary (BATON_BENCH_SUMMARY). */
void summary(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void print_stats_head(void);
void print_stats(const char *label, struct stats *s, double target);
void print_load(const char *when);

PGconn *connect_or_die(const char *conninfo);
PGresult *query(PGconn *c, const char *sql, int n, const char *const *params); /* dies */
long long query_ll(PGconn *c, const char *sql);
double timed_pipeline(PGconn *c, const struct db_stmt *st, int n, int *rows);
void explain(PGconn *c, const char *title, const char *sql, int n, const char *const *params);

/* The console's path: a dbq driven until *until is set; on_dbq_state's
 * ctx is an int set when the connection is ready (dies when it fails). */
void dbq_pump(struct dbq *q, int *until);
void on_dbq_state(void *ctx, enum dbq_state st, const char *msg);
extern const char *g_conninfo; /* -d */

/* load.c: N consoles at once while writers write (BATON_BENCH_CONSOLES,
 * BATON_BENCH_LOAD_SECONDS, BATON_BENCH_WRITE_RATE). */
void bench_load(PGconn *c, const char *pgdata);
/* The queue's filters the bench measures (bench.c), as connection c sees
 * them (its team, a person of it): at most max, returns how many. */
struct queue_case {
	const char *label;
	struct queue_filter f;
};
int queue_cases(PGconn *c, struct queue_case *out, int max, char *person, size_t person_n);

/* budgets.c: the customer lookup, the waiting list, the queue's counts
 * and medians. */
void bench_lookup(PGconn *c);
void bench_waiting(PGconn *c);

#endif
