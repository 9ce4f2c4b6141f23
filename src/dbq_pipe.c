/* The console's queue on the wire: each request goes out as one pipeline
 * (named prepared statements where asked, parsed once per connection),
 * and its results and any notifications are read back without blocking. */
#include "baton/db.h"
#include "dbq_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void dbq_forget_prepared(struct dbq *q)
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

void dbq_flush(struct dbq *q)
{
	int rc = PQflush(q->conn);
	if (rc < 0)
		dbq_connection_lost(q, PQerrorMessage(q->conn));
	else
		q->want_write = rc == 1;
}

void dbq_send_next(struct dbq *q)
{
	if (q->st != DBQ_READY || q->inflight || !q->head)
		return;
	if (q->head->waits && !dbq_route_may_send(q))
		return;
	struct req *r = q->head;
	q->head = r->next;
	if (!q->head)
		q->tail = NULL;
	r->next = NULL;
	q->inflight = r;
	q->res = dbq_xcalloc((size_t)r->n, sizeof *q->res);
	q->got = 0;
	free(r->expect);
	free(r->expect_id);
	r->expect = dbq_xcalloc((size_t)(2 * r->n + 1), 1);
	r->expect_id = dbq_xcalloc((size_t)(2 * r->n + 1), sizeof *r->expect_id);
	r->seen = 0;
	r->sent_ms = dbq_now_ms();
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
			q->prepared[k] = dbq_strdup(r->sql[i]);
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
	dbq_flush(q);
	return;
fail:
	dbq_connection_lost(q, PQerrorMessage(q->conn));
}

/* What a failed statement's result says, in err (errlen bytes); returns
 * err, or one of the queue's own words for a statement the server
 * cancelled.  SQLSTATE 57014 is the statement timeout's and a cancel's
 * alike: the server's message says which when it speaks English (its
 * lc_messages); in another language, a cancel is the statement timeout's
 * only if the request ran that long (it is sent before any of its
 * statements starts). */
static const char *result_error(struct dbq *q, const PGresult *res, char *err, size_t errlen)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	if (state && !strcmp(state, "57014")) {
		const char *said = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
		if (db_timed_out(res))
			return dbq_timed_out;
		if (said && !strcmp(said, "canceling statement due to user request"))
			return dbq_stopped;
		long long ran = dbq_now_ms() - q->inflight->sent_ms;
		return q->statement_timeout_ms > 0 && ran >= q->statement_timeout_ms ? dbq_timed_out
		                                                                     : dbq_stopped;
	}
	db_result_error(res, q->conn, err, errlen);
	return err;
}

void dbq_read_results(struct dbq *q)
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
				if (s != PGRES_TUPLES_OK && s != PGRES_COMMAND_OK)
					err = result_error(q, q->res[i], msg, sizeof msg);
			}
			if (r->internal && !err && q->res[0] && PQntuples(q->res[0]) == 1)
				snprintf(q->user, sizeof q->user, "%s", PQgetvalue(q->res[0], 0, 0));
			int was_internal = r->internal;
			/* A write (or anything not a read) moved the primary's
			 * WAL: reads on a standby must wait for it. */
			if (!r->read && !r->internal)
				q->stale = 1;
			dbq_finish_request(q, err);
			if (was_internal)
				dbq_set_state(q, DBQ_READY, NULL);
			dbq_send_next(q);
			continue;
		}
		struct req *r = q->inflight;
		int at = r->seen++;
		if (r->expect && r->expect[at] == 'p') {
			/* A failed Prepare fails the statement after it too, whose
			 * own result only says the pipeline was aborted: the
			 * Prepare's error (a cancel while it waited for a lock,
			 * say) is that statement's.  The next request prepares
			 * it afresh. */
			if (PQresultStatus(res) == PGRES_COMMAND_OK) {
				PQclear(res);
				continue;
			}
			forget_one(q, r->expect_id[at]);
			if (q->got < r->n && !q->res[q->got])
				q->res[q->got] = res;
			else
				PQclear(res);
			continue;
		}
		if (q->got < r->n && q->res[q->got]) {
			PQclear(res); /* aborted, after the failed Prepare kept in its place */
			q->got++;
		} else if (q->got < r->n) {
			q->res[q->got++] = res;
		} else {
			PQclear(res);
		}
	}
}

void dbq_drain_notifies(struct dbq *q)
{
	PGnotify *n;
	while (q->conn && (n = PQnotifies(q->conn))) {
		/* What a colleague committed, a standby may not have replayed:
		 * stale before the callback, whose re-read may be sent at once
		 * (it would wait for the last position asked, before this
		 * commit, and read the screen without it).  A notification the
		 * console has no use for leaves it as it was. */
		int was = q->stale;
		q->stale = 1;
		if (q->on_notify && !q->on_notify(q->cb_ctx, n->relname, n->extra) && q->stale)
			q->stale = was;
		PQfreemem(n);
	}
}
