/*
 * The console's database connection: a queue of requests, each a pipeline of
 * parameterised statements, driven from the console's poll() loop.  Nothing
 * here blocks on the network: connecting uses PQconnectStart/PQconnectPoll,
 * sending uses a non-blocking socket with PQflush, receiving uses
 * PQconsumeInput/PQisBusy/PQgetResult.
 */
#include "baton/config.h"
#include "baton/db.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char dbq_cancelled[] = "cancelled";

#define DBQ_MAX_PREPARED 32

struct req {
	struct req *next;
	int tag;
	int retry;
	int muted;
	int internal; /* session setup: result feeds dbq itself */
	int prepare;  /* use named prepared statements */
	char *expect; /* per result to come: 'p' a Prepare's, 'q' a statement's */
	int *expect_id; /* for 'p': the id of the statement being prepared */
	int seen;
	int n;
	char **sql;
	int *nparams;
	char ***params;
	dbq_done_fn done;
	void *ctx;
};

struct dbq {
	char *conninfo;
	int timeout_s;
	int statement_timeout_ms;
	PGconn *conn;
	enum dbq_state st;
	PostgresPollingStatusType poll;
	struct req *head, *tail;  /* queued, not sent */
	struct req *inflight;
	PGresult **res;
	int got;
	int want_write;
	long long retry_at_ms;    /* when DOWN: next attempt, 0 none */
	int backoff_ms;
	char user[128];
	/* Statements prepared on this connection, by text, named
	 * "baton_<id>" with ids never reused on a connection. */
	char *prepared[DBQ_MAX_PREPARED];
	int prepared_id[DBQ_MAX_PREPARED];
	int nprepared;
	int next_id;
	dbq_state_fn on_state;
	dbq_notify_fn on_notify;
	void *cb_ctx;
};

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static char *dup_or_null(const char *s)
{
	if (!s)
		return NULL;
	char *p = strdup(s);
	if (!p)
		abort();
	return p;
}

static void *xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz);
	if (!p)
		abort();
	return p;
}

static void req_free(struct req *r)
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

static void forget_prepared(struct dbq *q)
{
	for (int i = 0; i < q->nprepared; i++)
		free(q->prepared[i]);
	q->nprepared = 0;
	q->next_id = 0;
}

/* A Prepare that did not succeed created nothing: drop its entry. */
static void forget_one(struct dbq *q, int id)
{
	for (int i = 0; i < q->nprepared; i++) {
		if (q->prepared_id[i] != id)
			continue;
		free(q->prepared[i]);
		q->prepared[i] = q->prepared[q->nprepared - 1];
		q->prepared_id[i] = q->prepared_id[q->nprepared - 1];
		q->nprepared--;
		return;
	}
}

struct dbq *dbq_new(const struct config *cfg, const char *conninfo)
{
	struct dbq *q = xcalloc(1, sizeof *q);
	q->conninfo = dup_or_null(conninfo ? conninfo : (cfg ? cfg->conninfo : NULL));
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

static void set_state(struct dbq *q, enum dbq_state st, const char *msg)
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

static void finish_request(struct dbq *q, const char *err)
{
	struct req *r = q->inflight;
	if (r && r->done) {
		if (r->muted)
			r->done(r->ctx, NULL, 0, dbq_cancelled);
		else if (err)
			r->done(r->ctx, NULL, 0, err);
		else
			r->done(r->ctx, q->res, r->n, NULL);
	}
	free_results(q);
	q->inflight = NULL;
	req_free(r);
}

static void push_front(struct dbq *q, struct req *r)
{
	r->next = q->head;
	q->head = r;
	if (!q->tail)
		q->tail = r;
}

/* The connection is gone: requeue what can be retried, fail the rest, and
 * schedule a new attempt with back-off. */
static void connection_lost(struct dbq *q, const char *why)
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
			finish_request(q, "connection to the database lost; the outcome is unknown");
		}
	}
	if (q->conn)
		PQfinish(q->conn);
	q->conn = NULL;
	q->want_write = 0;
	forget_prepared(q);
	q->retry_at_ms = now_ms() + q->backoff_ms;
	if (q->backoff_ms < 5000)
		q->backoff_ms *= 2;
	set_state(q, DBQ_DOWN, msg);
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
	forget_prepared(q);
	q->retry_at_ms = 0;
	struct config tmp;
	memset(&tmp, 0, sizeof tmp);
	tmp.connect_timeout_s = q->timeout_s;
	struct db_params p;
	db_params_init(&p, &tmp, q->conninfo);
	q->conn = PQconnectStartParams(p.keywords, p.values, 1);
	if (!q->conn || PQstatus(q->conn) == CONNECTION_BAD) {
		connection_lost(q, q->conn ? PQerrorMessage(q->conn) : "out of memory");
		return;
	}
	/* libpq would print server notices on stderr: over the console. */
	PQsetNoticeProcessor(q->conn, quiet_notice, NULL);
	q->poll = PGRES_POLLING_WRITING;
	set_state(q, DBQ_CONNECTING, NULL);
}

void dbq_free(struct dbq *q)
{
	if (!q)
		return;
	/* Whoever waits for an answer hears that none will come, and lets go
	 * of what it holds (drafts stay on disk for the next start). */
	if (q->inflight) {
		q->inflight->muted = 1;
		finish_request(q, NULL);
	}
	while (q->head) {
		struct req *r = q->head;
		q->head = r->next;
		if (r->done)
			r->done(r->ctx, NULL, 0, dbq_cancelled);
		req_free(r);
	}
	q->tail = NULL;
	if (q->conn)
		PQfinish(q->conn);
	forget_prepared(q);
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
	if (q->st != DBQ_DOWN || !q->retry_at_ms)
		return -1;
	long long d = q->retry_at_ms - now_ms();
	return d < 0 ? 0 : (int)d;
}

int dbq_busy(const struct dbq *q)
{
	return q->inflight != NULL || q->head != NULL;
}

static struct req *req_new(const struct db_stmt *stmts, int n)
{
	struct req *r = xcalloc(1, sizeof *r);
	r->n = n;
	r->sql = xcalloc((size_t)n, sizeof *r->sql);
	r->nparams = xcalloc((size_t)n, sizeof *r->nparams);
	r->params = xcalloc((size_t)n, sizeof *r->params);
	for (int i = 0; i < n; i++) {
		r->sql[i] = dup_or_null(stmts[i].sql);
		r->nparams[i] = stmts[i].nparams;
		r->params[i] = xcalloc((size_t)stmts[i].nparams, sizeof(char *));
		for (int j = 0; j < stmts[i].nparams; j++)
			r->params[i][j] = dup_or_null(stmts[i].params[j]);
	}
	return r;
}

static void send_next(struct dbq *q);

static void submit(struct dbq *q, int tag, const struct db_stmt *stmts, int n, int retry,
                   dbq_done_fn done, void *ctx, int prepare)
{
	if (tag)
		dbq_cancel_tag(q, tag);
	struct req *r = req_new(stmts, n);
	r->prepare = prepare;
	r->tag = tag;
	r->retry = retry;
	r->done = done;
	r->ctx = ctx;
	if (q->tail)
		q->tail->next = r;
	else
		q->head = r;
	q->tail = r;
	send_next(q);
}

void dbq_submit(struct dbq *q, int tag, const struct db_stmt *stmts, int n, int retry,
                dbq_done_fn done, void *ctx)
{
	submit(q, tag, stmts, n, retry, done, ctx, 0);
}

void dbq_submit_prepared(struct dbq *q, int tag, const struct db_stmt *stmts, int n, int retry,
                         dbq_done_fn done, void *ctx)
{
	submit(q, tag, stmts, n, retry, done, ctx, 1);
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
			req_free(r);
		} else {
			q->tail = r;
			pp = &r->next;
		}
	}
	if (q->inflight && q->inflight->tag == tag)
		q->inflight->muted = 1;
}

static void flush(struct dbq *q)
{
	int rc = PQflush(q->conn);
	if (rc < 0)
		connection_lost(q, PQerrorMessage(q->conn));
	else
		q->want_write = rc == 1;
}

static void send_next(struct dbq *q)
{
	if (q->st != DBQ_READY || q->inflight || !q->head)
		return;
	struct req *r = q->head;
	q->head = r->next;
	if (!q->head)
		q->tail = NULL;
	r->next = NULL;
	q->inflight = r;
	q->res = xcalloc((size_t)r->n, sizeof *q->res);
	q->got = 0;
	free(r->expect);
	free(r->expect_id);
	r->expect = xcalloc((size_t)(2 * r->n + 1), 1);
	r->expect_id = xcalloc((size_t)(2 * r->n + 1), sizeof *r->expect_id);
	r->seen = 0;
	int ne = 0;
	if (!PQenterPipelineMode(q->conn))
		goto fail;
	for (int i = 0; i < r->n; i++) {
		const char *const *params = (const char *const *)r->params[i];
		if (!r->prepare) {
			r->expect[ne++] = 'q';
			if (!PQsendQueryParams(q->conn, r->sql[i], r->nparams[i], NULL, params, NULL, NULL, 0))
				goto fail;
			continue;
		}
		/* Parse and plan once per connection: the screen's statements
		 * are sent again on every refresh. */
		int k = 0;
		while (k < q->nprepared && strcmp(q->prepared[k], r->sql[i]) != 0)
			k++;
		if (k == q->nprepared && k == DBQ_MAX_PREPARED) {
			r->expect[ne++] = 'q';
			if (!PQsendQueryParams(q->conn, r->sql[i], r->nparams[i], NULL, params, NULL, NULL, 0))
				goto fail;
			continue;
		}
		char name[32];
		if (k == q->nprepared) {
			q->prepared[k] = dup_or_null(r->sql[i]);
			q->prepared_id[k] = q->next_id++;
			q->nprepared++;
			snprintf(name, sizeof name, "baton_%d", q->prepared_id[k]);
			r->expect_id[ne] = q->prepared_id[k];
			r->expect[ne++] = 'p';
			if (!PQsendPrepare(q->conn, name, r->sql[i], r->nparams[i], NULL))
				goto fail;
		} else {
			snprintf(name, sizeof name, "baton_%d", q->prepared_id[k]);
		}
		r->expect[ne++] = 'q';
		if (!PQsendQueryPrepared(q->conn, name, r->nparams[i], params, NULL, NULL, 0))
			goto fail;
	}
	if (!PQpipelineSync(q->conn))
		goto fail;
	flush(q);
	return;
fail:
	connection_lost(q, PQerrorMessage(q->conn));
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
	struct db_stmt s = {"SELECT set_config('statement_timeout', $1, false), session_user", 1, params};
	struct req *r = req_new(&s, 1);
	r->internal = 1;
	push_front(q, r);
	send_next(q);
}

static void read_results(struct dbq *q)
{
	int nulls = 0;
	while (q->inflight && !PQisBusy(q->conn)) {
		PGresult *res = PQgetResult(q->conn);
		if (!res) {
			/* One NULL marks the boundary between two statements of the
			 * pipeline; two in a row mean nothing more has arrived. */
			if (++nulls > 1)
				break;
			continue;
		}
		nulls = 0;
		if (PQresultStatus(res) == PGRES_PIPELINE_SYNC) {
			PQclear(res);
			PQexitPipelineMode(q->conn);
			struct req *r = q->inflight;
			const char *err = NULL;
			char msg[512];
			for (int i = 0; i < r->n && !err; i++) {
				ExecStatusType s = q->res[i] ? PQresultStatus(q->res[i]) : PGRES_FATAL_ERROR;
				if (s != PGRES_TUPLES_OK && s != PGRES_COMMAND_OK) {
					db_result_error(q->res[i], q->conn, msg, sizeof msg);
					err = msg;
				}
			}
			if (r->internal && !err && q->res[0] && PQntuples(q->res[0]) == 1)
				snprintf(q->user, sizeof q->user, "%s", PQgetvalue(q->res[0], 0, 1));
			int was_internal = r->internal;
			finish_request(q, err ? msg : NULL);
			if (was_internal)
				set_state(q, DBQ_READY, NULL);
			send_next(q);
			continue;
		}
		struct req *r = q->inflight;
		int at = r->seen++;
		if (r->expect && r->expect[at] == 'p') {
			/* A failed Prepare fails the statement after it too; the
			 * next request prepares it afresh. */
			if (PQresultStatus(res) != PGRES_COMMAND_OK)
				forget_one(q, r->expect_id[at]);
			PQclear(res);
			continue;
		}
		if (q->got < r->n)
			q->res[q->got++] = res;
		else
			PQclear(res);
	}
}

static void drain_notifies(struct dbq *q)
{
	PGnotify *n;
	while (q->conn && (n = PQnotifies(q->conn))) {
		if (q->on_notify)
			q->on_notify(q->cb_ctx, n->relname, n->extra);
		PQfreemem(n);
	}
}

void dbq_handle(struct dbq *q, short revents)
{
	if (q->st == DBQ_DOWN) {
		if (q->retry_at_ms && now_ms() >= q->retry_at_ms)
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
			connection_lost(q, PQerrorMessage(q->conn));
		else if (q->poll == PGRES_POLLING_OK)
			became_ready(q);
		return;
	}
	if (revents & (POLLERR | POLLHUP | POLLNVAL) && !(revents & POLLIN)) {
		connection_lost(q, "server closed the connection");
		return;
	}
	if (revents & POLLOUT)
		flush(q);
	if (q->conn && (revents & POLLIN)) {
		if (!PQconsumeInput(q->conn)) {
			connection_lost(q, PQerrorMessage(q->conn));
			return;
		}
		read_results(q);
		drain_notifies(q);
		if (q->conn && PQstatus(q->conn) == CONNECTION_BAD)
			connection_lost(q, PQerrorMessage(q->conn));
	}
}
