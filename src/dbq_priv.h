/* The console's database queue, shared by src/dbq.c (connection and
 * requests) and src/dbq_pipe.c (pipelines on the wire).  Private to them. */
#ifndef BATON_DBQ_PRIV_H
#define BATON_DBQ_PRIV_H

#include "baton/db.h"

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

void *dbq_xcalloc(size_t n, size_t sz);
char *dbq_strdup(const char *s);
void dbq_set_state(struct dbq *q, enum dbq_state st, const char *msg);
/* Hand the in-flight request its results (or err) and free it. */
void dbq_finish_request(struct dbq *q, const char *err);
void dbq_connection_lost(struct dbq *q, const char *why);
void dbq_forget_prepared(struct dbq *q);
void dbq_flush(struct dbq *q);
void dbq_send_next(struct dbq *q);
void dbq_read_results(struct dbq *q);
void dbq_drain_notifies(struct dbq *q);

#endif
