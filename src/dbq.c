/*
 * The console's database connection: a queue of requests, each a pipeline of
 * parameterised statements, driven from the console's poll() loop.  Nothing
 * here blocks on the network: connecting uses PQconnectStart/PQconnectPoll,
 * sending uses a non-blocking socket with PQflush, receiving uses
 * PQconsumeInput/PQisBusy/PQgetResult.
 */
#include "baton/config.h"
#include "baton/db.h"
#include "dbq_priv.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char dbq_cancelled[] = "cancelled";
const char dbq_timed_out[] = "took longer than the statement timeout (database.statement_timeout_ms)";
const char dbq_stopped[] = "cancelled in the server (pg_cancel_backend or an administrator)";

long long dbq_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

char *dbq_strdup(const char *s)
{
	if (!s)
		return NULL;
	char *p = strdup(s);
	if (!p)
		abort();
	return p;
}

void *dbq_xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz);
	if (!p)
		abort();
	return p;
}

void dbq_req_free(struct req *r)
{
	if (!r)
		return;
	for (int i = 0; i < r->n; i++) {
		free(r->sql[i]);
		for (int j = 0; j < r->nparams[i]; j++)
			free(r->params[i][j]);
		free(r->params[i]);
	}
	free(r->sql);
	free(r->nparams);
	free(r->params);
	free(r->expect);
	free(r->expect_id);
	free(r);
}

struct dbq *dbq_new(const struct config *cfg, const char *conninfo)
{
	struct dbq *q = dbq_xcalloc(1, sizeof *q);
	q->conninfo = dbq_strdup(conninfo ? conninfo : (cfg ? cfg->conninfo : NULL));
	q->timeout_s = cfg ? cfg->connect_timeout_s : 0;
	q->statement_timeout_ms = cfg ? cfg->statement_timeout_ms : 15000;
	q->st = DBQ_DOWN;
	q->backoff_ms = 250;
	return q;
}

void dbq_set_callbacks(struct dbq *q, dbq_state_fn on_state, dbq_notify_fn on_notify, void *ctx)
{
	q->on_state = on_state;
	q->on_notify = on_notify;
	q->cb_ctx = ctx;
}

void dbq_set_state(struct dbq *q, enum dbq_state st, const char *msg)
{
	q->st = st;
	if (q->on_state)
		q->on_state(q->cb_ctx, st, msg);
}

static void free_results(struct dbq *q)
{
	if (q->res && q->inflight)
		for (int i = 0; i < q->inflight->n; i++)
			PQclear(q->res[i]);
	free(q->res);
	q->res = NULL;
	q->got = 0;
}

void dbq_finish_request(struct dbq *q, const char *err)
{
	struct req *r = q->inflight;
	if (r && r->waits && !r->muted && dbq_route_unusable(q, err)) {
		free_results(q);
		q->inflight = NULL;
		dbq_route_to_primary(q, r);
		return;
	}
	/* On the standby, the replay wait's result is not the caller's. */
	int skip = r && r->waits ? 1 : 0;
	if (r && r->done) {
		if (r->muted)
			r->done(r->ctx, NULL, 0, dbq_cancelled);
		else if (err)
			r->done(r->ctx, NULL, 0, err);
		else
			r->done(r->ctx, q->res + skip, r->n - skip, NULL);
	}
	free_results(q);
	q->inflight = NULL;
	dbq_req_free(r);
}

static void push_front(struct dbq *q, struct req *r)
{
	r->next = q->head;
	q->head = r;
	if (!q->tail)
		q->tail = r;
}

void dbq_enqueue(struct dbq *q, struct req *r, int front)
{
	if (front) {
		push_front(q, r);
	} else {
		r->next = NULL;
		if (q->tail)
			q->tail->next = r;
		else
			q->head = r;
		q->tail = r;
	}
	dbq_send_next(q);
}

/* The connection is gone: requeue what can be retried, fail the rest, and
 * schedule a new attempt with back-off. */
void dbq_connection_lost(struct dbq *q, const char *why)
{
	char msg[512];
	db_explain_error(why, msg, sizeof msg);
	if (q->inflight) {
		struct req *r = q->inflight;
		if (r->retry && !r->muted && !r->internal) {
			free_results(q);
			q->inflight = NULL;
			push_front(q, r);
		} else {
			dbq_finish_request(q, "connection to the database lost; the outcome is unknown");
		}
	}
	if (q->conn)
		PQfinish(q->conn);
	q->conn = NULL;
	q->want_write = 0;
	dbq_forget_prepared(q);
	q->retry_at_ms = dbq_now_ms() + q->backoff_ms;
	if (q->backoff_ms < 5000)
		q->backoff_ms *= 2;
	dbq_set_state(q, DBQ_DOWN, msg);
}

static void quiet_notice(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

void dbq_connect(struct dbq *q)
{
	if (q->conn)
		PQfinish(q->conn);
	q->conn = NULL;
	dbq_forget_prepared(q);
	q->retry_at_ms = 0;
	struct config tmp;
	memset(&tmp, 0, sizeof tmp);
	tmp.connect_timeout_s = q->timeout_s;
	struct db_params p;
	db_params_init(&p, &tmp, q->conninfo);
	q->conn = PQconnectStartParams(p.keywords, p.values, 1);
	if (!q->conn || PQstatus(q->conn) == CONNECTION_BAD) {
		dbq_connection_lost(q, q->conn ? PQerrorMessage(q->conn) : "out of memory");
		return;
	}
	/* libpq would print server notices on stderr: over the console. */
	PQsetNoticeProcessor(q->conn, quiet_notice, NULL);
	q->poll = PGRES_POLLING_WRITING;
	dbq_set_state(q, DBQ_CONNECTING, NULL);
}

void dbq_free(struct dbq *q)
{
	if (!q)
		return;
	/* The standby's queue first: its answers may feed this one. */
	struct dbq *reads = q->reads;
	q->reads = NULL;
	dbq_free(reads);
	/* Whoever waits for an answer hears that none will come, and lets go
	 * of what it holds (drafts stay on disk for the next start). */
	if (q->inflight) {
		q->inflight->muted = 1;
		dbq_finish_request(q, NULL);
	}
	while (q->head) {
		struct req *r = q->head;
		q->head = r->next;
		if (r->done)
			r->done(r->ctx, NULL, 0, dbq_cancelled);
		dbq_req_free(r);
	}
	q->tail = NULL;
	if (q->conn)
		PQfinish(q->conn);
	dbq_forget_prepared(q);
	free(q->conninfo);
	free(q);
}

enum dbq_state dbq_state(const struct dbq *q)
{
	return q->st;
}

const char *dbq_user(const struct dbq *q)
{
	return q->user;
}

const PGconn *dbq_conn(const struct dbq *q)
{
	return q->conn;
}

int dbq_fd(const struct dbq *q)
{
	return q->conn ? PQsocket(q->conn) : -1;
}

short dbq_events(const struct dbq *q)
{
	if (!q->conn)
		return 0;
	if (q->st == DBQ_CONNECTING)
		return q->poll == PGRES_POLLING_READING ? POLLIN : POLLOUT;
	return (short)(POLLIN | (q->want_write ? POLLOUT : 0));
}

int dbq_timeout_ms(const struct dbq *q)
{
	int t = -1;
	if (q->st == DBQ_DOWN && q->retry_at_ms) {
		long long d = q->retry_at_ms - dbq_now_ms();
		t = d < 0 ? 0 : (int)d;
	}
	int r = q->reads ? dbq_timeout_ms(q->reads) : -1;
	if (r < 0 || (t >= 0 && t < r))
		r = t;
	int p = dbq_route_timeout_ms(q);
	return p >= 0 && (r < 0 || p < r) ? p : r;
}

int dbq_busy(const struct dbq *q)
{
	return q->inflight != NULL || q->head != NULL || (q->reads && dbq_busy(q->reads));
}

struct req *dbq_req_new(const struct db_stmt *stmts, int n)
{
	struct req *r = dbq_xcalloc(1, sizeof *r);
	r->n = n;
	r->sql = dbq_xcalloc((size_t)n, sizeof *r->sql);
	r->nparams = dbq_xcalloc((size_t)n, sizeof *r->nparams);
	r->params = dbq_xcalloc((size_t)n, sizeof *r->params);
	for (int i = 0; i < n; i++) {
		r->sql[i] = dbq_strdup(stmts[i].sql);
		r->nparams[i] = stmts[i].nparams;
		r->params[i] = dbq_xcalloc((size_t)stmts[i].nparams, sizeof(char *));
		for (int j = 0; j < stmts[i].nparams; j++)
			r->params[i][j] = dbq_strdup(stmts[i].params[j]);
	}
	return r;
}

/* How submit() sends: named prepared statements; for nothing a read on
 * the standby shows, so that reads need not wait for it. */
enum { SUBMIT_PREPARE = 1, SUBMIT_UNSEEN = 2 };

static void submit(struct dbq *q, int tag, const struct db_stmt *stmts, int n, int retry,
                   dbq_done_fn done, void *ctx, int how)
{
	if (tag)
		dbq_cancel_tag(q, tag);
	struct req *r = dbq_req_new(stmts, n);
	r->prepare = (how & SUBMIT_PREPARE) != 0;
	r->read = (how & SUBMIT_UNSEEN) != 0;
	r->tag = tag;
	r->retry = retry;
	r->done = done;
	r->ctx = ctx;
	dbq_enqueue(q, r, 0);
}

void dbq_submit(struct dbq *q, int tag, const struct db_stmt *stmts, int n, int retry,
                dbq_done_fn done, void *ctx)
{
	submit(q, tag, stmts, n, retry, done, ctx, 0);
}

void dbq_submit_prepared(struct dbq *q, int tag, const struct db_stmt *stmts, int n, int retry,
                         dbq_done_fn done, void *ctx)
{
	submit(q, tag, stmts, n, retry, done, ctx, SUBMIT_PREPARE);
}

void dbq_submit_unreplicated(struct dbq *q, int tag, const struct db_stmt *stmts, int n, int retry,
                             dbq_done_fn done, void *ctx)
{
	submit(q, tag, stmts, n, retry, done, ctx, SUBMIT_UNSEEN);
}

void dbq_cancel_tag(struct dbq *q, int tag)
{
	struct req **pp = &q->head;
	q->tail = NULL;
	while (*pp) {
		struct req *r = *pp;
		if (r->tag == tag) {
			*pp = r->next;
			if (r->done)
				r->done(r->ctx, NULL, 0, dbq_cancelled);
			dbq_req_free(r);
		} else {
			q->tail = r;
			pp = &r->next;
		}
	}
	if (q->inflight && q->inflight->tag == tag)
		q->inflight->muted = 1;
	if (q->reads)
		dbq_cancel_tag(q->reads, tag);
}

static void became_ready(struct dbq *q)
{
	PQsetnonblocking(q->conn, 1);
	q->backoff_ms = 250;
	q->st = DBQ_READY;
	/* Session setup goes first, ahead of anything queued meanwhile. */
	char ms[32];
	snprintf(ms, sizeof ms, "%d", q->statement_timeout_ms);
	const char *params[] = {ms};
	struct db_stmt s = {"SELECT session_user, " DB_SESSION_SET, 1, params};
	struct req *r = dbq_req_new(&s, 1);
	r->internal = 1;
	push_front(q, r);
	dbq_send_next(q);
}

void dbq_handle(struct dbq *q, short revents)
{
	if (!revents && q->reads)
		dbq_read_handle(q, 0);
	if (q->st == DBQ_DOWN) {
		if (q->retry_at_ms && dbq_now_ms() >= q->retry_at_ms)
			dbq_connect(q);
		return;
	}
	if (!q->conn)
		return;
	if (q->st == DBQ_CONNECTING) {
		if (!revents)
			return;
		q->poll = PQconnectPoll(q->conn);
		if (q->poll == PGRES_POLLING_FAILED)
			dbq_connection_lost(q, PQerrorMessage(q->conn));
		else if (q->poll == PGRES_POLLING_OK)
			became_ready(q);
		return;
	}
	if (revents & (POLLERR | POLLHUP | POLLNVAL) && !(revents & POLLIN)) {
		dbq_connection_lost(q, "server closed the connection");
		return;
	}
	if (revents & POLLOUT)
		dbq_flush(q);
	if (q->conn && (revents & POLLIN)) {
		if (!PQconsumeInput(q->conn)) {
			dbq_connection_lost(q, PQerrorMessage(q->conn));
			return;
		}
		dbq_read_results(q);
		dbq_drain_notifies(q);
		if (q->conn && PQstatus(q->conn) == CONNECTION_BAD)
			dbq_connection_lost(q, PQerrorMessage(q->conn));
	}
}
