/*
 * Reads on a streaming standby: a second queue (database.read_conninfo)
 * beside the primary's.  PostgreSQL's own replication does the copying;
 * this only decides where a read runs and makes sure it sees what the
 * console already knows was committed:
 *  - after a write of its own, or a notification (a colleague's commit),
 *    the primary's queue is marked stale; the next read bound for the
 *    standby first asks the primary for its WAL insert position (one
 *    trivial statement, only when a read follows);
 *  - every read on the standby starts with a statement that waits, on
 *    the standby, until it has replayed that position (bounded), and says
 *    whether it is still a standby;
 *  - a read the standby could not serve in time, or with an error, runs
 *    again on the primary, and reads keep off the standby for a while;
 *    when that pause is over the standby is asked again by itself (the
 *    wait alone), so an idle console also learns that it caught up or
 *    was promoted; a standby that went away hands its queued reads to
 *    the primary and is tried again with back-off.
 */
#include "baton/config.h"
#include "baton/db.h"
#include "dbq_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Waits on the standby until it has replayed $1 (5 ms steps, at most
 * 400: 2 s, longer than the primary's WAL writer takes to ship an
 * asynchronous commit), then says whether it is in recovery and caught
 * up.  A server not in recovery stops at once (its replay position is
 * NULL or frozen since a promotion).  The sleep mentions n so that it
 * runs at every step, not once as an uncorrelated subquery would. */
static const char wait_sql[] =
	"WITH RECURSIVE w(n, caught) AS ("
	" SELECT 0, pg_last_wal_replay_lsn() >= $1::pg_lsn"
	" UNION ALL"
	" SELECT n + 1, pg_last_wal_replay_lsn() >= $1::pg_lsn FROM w"
	" WHERE NOT caught AND n < 400 AND (SELECT true FROM pg_sleep(0.005 + 0 * n)))"
	" SELECT pg_is_in_recovery(), coalesce(bool_or(caught), false) FROM w";

static const char lsn_sql[] = "SELECT pg_current_wal_insert_lsn()::text";

/* A standby that lags past the wait is left alone this long; one that is
 * not a standby any more is reconnected to after this long (the list in
 * read_conninfo may name a new standby by then). */
#define LAG_PAUSE_MS 10000 /* or until the standby's connection is new */
#define NOT_STANDBY_RETRY_MS 30000

/* The reads queued on the standby go to the primary instead. */
static void reads_hand_over(struct dbq *r)
{
	while (r->head) {
		struct req *req = r->head;
		r->head = req->next;
		if (!r->head)
			r->tail = NULL;
		dbq_route_to_primary(r, req);
	}
}

/* The standby's connection is gone: its queued reads go to the primary.
 * A new connection starts afresh, whatever the old one lagged. */
static void on_reads_state(void *ctx, enum dbq_state st, const char *msg)
{
	struct dbq *r = ctx;
	(void)msg;
	if (st == DBQ_DOWN)
		reads_hand_over(r);
	else if (st == DBQ_READY)
		r->primary->skip_until_ms = 0;
}

void dbq_set_reads(struct dbq *q, const struct config *cfg, const char *read_conninfo)
{
	if (!read_conninfo || !*read_conninfo || q->reads)
		return;
	q->reads = dbq_new(cfg, read_conninfo);
	q->reads->primary = q;
	dbq_set_callbacks(q->reads, on_reads_state, NULL, q->reads);
	dbq_connect(q->reads);
}

/* Usable: connected, as the same role as the primary (row-level security
 * must judge the same person), and not lagging. */
static int reads_usable(const struct dbq *q)
{
	const struct dbq *r = q->reads;
	return r && r->st == DBQ_READY && q->st == DBQ_READY && r->user[0] &&
	       strcmp(r->user, q->user) == 0 && dbq_now_ms() >= q->skip_until_ms;
}

void dbq_submit_read(struct dbq *q, int tag, const struct db_stmt *stmts, int n, int prepare,
                     dbq_done_fn done, void *ctx)
{
	if (tag)
		dbq_cancel_tag(q, tag);
	struct req *r;
	if (reads_usable(q)) {
		struct db_stmt *all = dbq_xcalloc((size_t)n + 1, sizeof *all);
		static const char *const none[1] = {"0/0"};
		all[0] = (struct db_stmt){wait_sql, 1, none};
		memcpy(all + 1, stmts, (size_t)n * sizeof *stmts);
		r = dbq_req_new(all, n + 1);
		free(all);
		r->waits = 1;
	} else {
		r = dbq_req_new(stmts, n);
	}
	r->read = 1;
	r->retry = 1;
	r->prepare = prepare;
	r->tag = tag;
	r->done = done;
	r->ctx = ctx;
	dbq_enqueue(r->waits ? q->reads : q, r, 0);
}

static void on_lsn(void *ctx, PGresult **res, int nres, const char *err)
{
	struct dbq *q = ctx;
	q->lsn_asked--;
	if (!err && nres == 1 && PQntuples(res[0]) == 1)
		snprintf(q->horizon, sizeof q->horizon, "%s", PQgetvalue(res[0], 0, 0));
	if (q->reads)
		dbq_send_next(q->reads);
}

int dbq_route_may_send(struct dbq *r)
{
	struct dbq *q = r->primary;
	if (!q)
		return 1;
	/* With the primary away nobody can say what to wait for; the
	 * reconnect re-reads every screen anyway. */
	if (q->st == DBQ_READY && q->stale) {
		static const char *const none[1] = {NULL};
		struct db_stmt s = {lsn_sql, 0, none};
		struct req *ask = dbq_req_new(&s, 1);
		ask->read = 1;
		ask->done = on_lsn;
		ask->ctx = q;
		q->stale = 0;
		q->lsn_asked++;
		dbq_enqueue(q, ask, 1);
	}
	if (q->st == DBQ_READY && q->lsn_asked > 0)
		return 0;
	struct req *h = r->head;
	free(h->params[0][0]);
	h->params[0][0] = dbq_strdup(q->horizon[0] ? q->horizon : "0/0");
	return 1;
}

int dbq_route_unusable(struct dbq *r, const char *err)
{
	struct dbq *q = r->primary;
	if (err || !q)
		return 1;
	PGresult *w = r->res[0];
	if (!w || PQntuples(w) != 1)
		return 1;
	if (strcmp(PQgetvalue(w, 0, 0), "t") != 0) {
		r->not_standby = 1;
		return 1;
	}
	if (strcmp(PQgetvalue(w, 0, 1), "t") != 0) {
		/* The reads queued behind this one would wait as long. */
		q->skip_until_ms = dbq_now_ms() + LAG_PAUSE_MS;
		reads_hand_over(r);
		return 1;
	}
	return 0;
}

/* A lag pause is over: the wait alone, on the standby, so that the
 * console learns whether the standby caught up (reads go there again),
 * still lags (another pause) or is no standby any more (promoted: its
 * session is left) without a read having to find out, however long the
 * screen stays idle. */
static void pause_over(struct dbq *q)
{
	struct dbq *r = q->reads;
	if (!r || !q->skip_until_ms || dbq_now_ms() < q->skip_until_ms)
		return;
	q->skip_until_ms = 0;
	if (r->st != DBQ_READY)
		return;
	static const char *const none[1] = {"0/0"};
	struct db_stmt s = {wait_sql, 1, none};
	struct req *probe = dbq_req_new(&s, 1);
	probe->waits = 1;
	probe->read = 1;
	dbq_enqueue(r, probe, 0);
}

int dbq_route_timeout_ms(const struct dbq *q)
{
	if (!q->reads || !q->skip_until_ms)
		return -1;
	long long d = q->skip_until_ms - dbq_now_ms();
	return d < 0 ? 0 : (int)d;
}

/* The read without its wait, queued on the primary; a probe (the wait
 * alone) has nothing left to run there. */
void dbq_route_to_primary(struct dbq *r, struct req *req)
{
	struct dbq *q = r->primary;
	if (req->waits && req->n == 1) {
		dbq_req_free(req);
		return;
	}
	if (req->waits) {
		free(req->sql[0]);
		free(req->params[0][0]);
		free(req->params[0]);
		req->n--;
		memmove(req->sql, req->sql + 1, (size_t)req->n * sizeof *req->sql);
		memmove(req->nparams, req->nparams + 1, (size_t)req->n * sizeof *req->nparams);
		memmove(req->params, req->params + 1, (size_t)req->n * sizeof *req->params);
		req->waits = 0;
	}
	dbq_enqueue(q, req, 0);
}

int dbq_read_fd(const struct dbq *q)
{
	return q->reads ? dbq_fd(q->reads) : -1;
}

short dbq_read_events(const struct dbq *q)
{
	return q->reads ? dbq_events(q->reads) : 0;
}

void dbq_read_handle(struct dbq *q, short revents)
{
	struct dbq *r = q->reads;
	if (!r)
		return;
	pause_over(q);
	dbq_handle(r, revents);
	if (r->not_standby) {
		/* Promoted, or read_conninfo fell through to a primary: the
		 * primary's own connection serves reads until a retry. */
		r->not_standby = 0;
		dbq_connection_lost(r, "the read server is not a standby");
		r->retry_at_ms = dbq_now_ms() + NOT_STANDBY_RETRY_MS;
	}
}
