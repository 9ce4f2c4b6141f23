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
	int read;     /* a read, or nothing a read on the standby shows:
	               * no write to wait for after it */
	int waits;    /* on the standby: statement 0 waits for the replay, its
	               * result is the queue's own (src/dbq_route.c) */
	char *expect; /* per result to come: 'p' a Prepare's, 'q' a statement's */
	int *expect_id; /* for 'p': the id of the statement being prepared */
	int seen;
	long long sent_ms; /* when it went out (the statement timeout's cancels) */
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
	/* Reads on a standby (src/dbq_route.c).  On the primary's queue:
	 * reads is the standby's queue (NULL: none); stale says something was
	 * written or notified since horizon, the primary's WAL position every
	 * read must see, was asked (lsn_asked: asks on their way);
	 * skip_until_ms keeps reads off a lagging standby for a while.  On
	 * the standby's queue: primary, and not_standby once it said it is
	 * not in recovery (promoted, or the list fell through to a primary). */
	struct dbq *reads, *primary;
	int stale;
	int lsn_asked;
	char horizon[32];
	long long skip_until_ms;
	int not_standby;
};

void *dbq_xcalloc(size_t n, size_t sz);
long long dbq_now_ms(void);
struct req *dbq_req_new(const struct db_stmt *stmts, int n);
void dbq_req_free(struct req *r);
/* Queue r first (front) or last, and send what is next. */
void dbq_enqueue(struct dbq *q, struct req *r, int front);
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

/* src/dbq_route.c: may the standby's queue send its head now (it first
 * learns the primary's WAL position after a write or a notification);
 * is a finished read's answer from the standby unusable (an error, not
 * a standby, replay too far behind), so that it goes to the primary. */
int dbq_route_may_send(struct dbq *q);
int dbq_route_unusable(struct dbq *q, const char *err);
void dbq_route_to_primary(struct dbq *q, struct req *r);
/* How long until a lag pause ends and the standby is asked again (-1:
 * no pause). */
int dbq_route_timeout_ms(const struct dbq *q);

#endif
