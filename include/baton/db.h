/* Database access: connection parameters, synchronous helpers for the
 * command line, and an asynchronous request queue for the console. */
#ifndef BATON_DB_H
#define BATON_DB_H

#include <libpq-fe.h>
#include <stddef.h>

struct config;

/* libpq keyword/value arrays: the -d CONNINFO (or database.conninfo) is
 * passed as an expandable dbname, so a conninfo string or URI works as in
 * psql and everything unset falls back to PG* variables, ~/.pgpass and
 * pg_service.conf.  fallback_application_name=baton. */
struct db_params {
	const char *keywords[6];
	const char *values[6];
	char timeout[16];
};
void db_params_init(struct db_params *p, const struct config *cfg, const char *conninfo);

/* Check a conninfo string without connecting; 0 or -1 with a message that
 * never echoes the string itself (it may hold a password). */
int db_conninfo_check(const char *conninfo, char *err, size_t errlen);

/* Connect synchronously (command line).  NULL on failure with a one-line
 * explanation and what to do in err. */
PGconn *db_connect(const struct config *cfg, const char *conninfo, char *err, size_t errlen);

/* A select-list item: a session whose client is gone (killed, Ctrl-C, its
 * SSH session dropped) has its statement cancelled within seconds, not
 * carried out once the lock it waits for is free (PostgreSQL 14 and later;
 * the check costs a poll every 2 s of a running statement).  IS_LOCAL:
 * "true" for the transaction, "false" for the session. */
#define DB_CLIENT_CHECK(IS_LOCAL)                                                               \
	"CASE WHEN current_setting('server_version_num')::integer >= 140000"                    \
	" THEN set_config('client_connection_check_interval', '2s', " IS_LOCAL ") END"

/* What every Baton session sets first ($1: the statement timeout in ms).
 * No JIT: Baton's statements are short, and the planner's cost estimates
 * of the branches a statement does not run (the queue's, the lookup's)
 * passed jit_above_cost, so compiling took 20-600 ms of statements that
 * run in 1-30 ms (make bench, 100,000 customers).  A command killed while
 * it waits (a change behind another's lock) changes nothing later. */
#define DB_SESSION_SET                                                                          \
	"set_config('statement_timeout', $1, false), set_config('jit', 'off', false), "          \
	DB_CLIENT_CHECK("false")

int db_session_setup(PGconn *c, const struct config *cfg, char *err, size_t errlen);
/* Select-list items for work that takes as long as it takes (an import's
 * file, a split): no statement timeout, whose cancel would undo it; and
 * the client's check again, with the same IS_LOCAL ("true" for the
 * transaction, "false" for the session): an import's transaction keeps
 * both behind a transaction pooler, which may have run the session's
 * setup on another server connection. */
#define DB_UNTIMED_SET(IS_LOCAL) "set_config('statement_timeout', '0', " IS_LOCAL "), " DB_CLIENT_CHECK(IS_LOCAL)

/* Turn libpq's (possibly multi-line) message into one line with a hint. */
void db_explain_error(const char *libpq_msg, char *err, size_t errlen);

/* Whether a failed result is the statement timeout's cancel, as the
 * server says it in English (SQLSTATE 57014 is a cancel's too; in another
 * lc_messages, 0: the caller tells them apart, or the server's words
 * stand). */
int db_timed_out(const PGresult *r);

/* The message of a failed result: the server's primary message and hint,
 * one line; falls back to the connection's message. */
void db_result_error(const PGresult *r, const PGconn *c, char *err, size_t errlen);

/* Run a parameterised statement synchronously and check its status.  Returns
 * the result (caller PQclear()s) or NULL with err filled. */
PGresult *db_exec(PGconn *c, const char *sql, int nparams, const char *const *params,
                  char *err, size_t errlen);

/* Several parameterised statements in one round trip (pipeline mode); res[i]
 * receives each result.  0 on success; -1 and err on failure (all res[] NULL). */
struct db_stmt {
	const char *sql;
	int nparams;
	const char *const *params;
};
int db_pipeline(PGconn *c, const struct db_stmt *stmts, int n, PGresult **res,
                char *err, size_t errlen);

/* The rows of a read (sql, n parameters p) through a cursor, `batch` rows
 * per FETCH, in a transaction of its own: each(arg, r, last) for every
 * batch (the first even when empty; last: no more follow), which returns
 * -1 to stop.  The next batch is asked for before `each` sees this one,
 * so the server reads it while the caller formats and writes.  0, or -1
 * with err (some batches may have been seen). */
#define DB_STREAM_ROWS 1000 /* rows per FETCH: a few hundred kB of output at a time */
int db_stream(PGconn *c, const char *sql, int n, const char *const *p, int batch,
              int (*each)(void *arg, const PGresult *r, int last), void *arg, char *err, size_t errlen);

/* Values of a result, for the core's readers that turn results into typed
 * structs: a copy of the text ("" for NULL; aborts without memory), the
 * same but NULL for NULL, and a whole number (0 for NULL). */
char *db_value_dup(const PGresult *r, int row, int col);
char *db_value_dup_or_null(const PGresult *r, int row, int col);
long long db_value_ll(const PGresult *r, int row, int col);

/* Generate a random (version 4) UUID as 36 characters + NUL. */
int db_uuid(char out[37]);

/* --- asynchronous queue, one connection, for the console ------------------ */

enum dbq_state { DBQ_DOWN, DBQ_CONNECTING, DBQ_READY };

struct dbq;

/* Called exactly once per request: with results (nres of them, freed by the
 * queue after the callback returns) or with err != NULL.  A request
 * replaced or cancelled before its answer is used gets err == dbq_cancelled,
 * so whoever holds resources for it can let go. */
extern const char dbq_cancelled[];
/* A statement the server cancelled (SQLSTATE 57014): err is one of these,
 * plain words whatever the server's language.  dbq_timed_out when it ran
 * as long as the session's statement timeout (database.statement_timeout_ms),
 * dbq_stopped otherwise (pg_cancel_backend, an administrator). */
extern const char dbq_timed_out[];
extern const char dbq_stopped[];
typedef void (*dbq_done_fn)(void *ctx, PGresult **res, int nres, const char *err);
/* A notification; 1 if it tells of a commit that reads on a standby must
 * see (they wait for the primary's position after it), 0 if not
 * (presence, which no read on a standby shows). */
typedef int (*dbq_notify_fn)(void *ctx, const char *channel, const char *payload);
typedef void (*dbq_state_fn)(void *ctx, enum dbq_state st, const char *msg);

struct dbq *dbq_new(const struct config *cfg, const char *conninfo);
void dbq_free(struct dbq *q);
void dbq_set_callbacks(struct dbq *q, dbq_state_fn on_state, dbq_notify_fn on_notify, void *ctx);

/* Start (or restart) connecting; non-blocking. */
void dbq_connect(struct dbq *q);
enum dbq_state dbq_state(const struct dbq *q);
const char *dbq_user(const struct dbq *q); /* session user once ready */
/* The connection, for what it says about itself (PQdb, PQhost, PQport);
 * NULL when there is none.  Not for sending: everything goes through
 * the queue. */
const PGconn *dbq_conn(const struct dbq *q);

/* poll(): the descriptor (-1 if none) and the events wanted. */
int dbq_fd(const struct dbq *q);
short dbq_events(const struct dbq *q);
/* Call after poll() with the revents for dbq_fd (0 for a timer tick). */
void dbq_handle(struct dbq *q, short revents);
/* Milliseconds until dbq wants a tick (reconnect back-off), -1 if none. */
int dbq_timeout_ms(const struct dbq *q);

/* Queue statements to run in one pipeline.  `tag` != 0 replaces a queued,
 * not yet sent request with the same tag (typing in the finder).  The
 * statements and parameters are copied.  retry: re-run after a reconnect
 * instead of failing (reads). */
void dbq_submit(struct dbq *q, int tag, const struct db_stmt *stmts, int n, int retry,
                dbq_done_fn done, void *ctx);
/* The same with named prepared statements, parsed and planned once per
 * connection: for statements sent again and again with other parameters
 * (the customer screen).  Not for texts whose best plan depends on the
 * parameters' values (LIKE patterns). */
void dbq_submit_prepared(struct dbq *q, int tag, const struct db_stmt *stmts, int n, int retry,
                         dbq_done_fn done, void *ctx);
/* The same as dbq_submit, for statements whose effects no read on a
 * standby shows (presence: an unlogged table, neither replicated nor
 * readable there): reads on the standby do not wait for them. */
void dbq_submit_unreplicated(struct dbq *q, int tag, const struct db_stmt *stmts, int n, int retry,
                             dbq_done_fn done, void *ctx);
/* --- reads on a streaming standby (database.read_conninfo) --------------
 * A second connection, to read_conninfo, serves the reads; writes,
 * LISTEN and everything submitted above stay on the primary.  A read
 * waits on the standby until it has replayed the primary's WAL position
 * as of the console's last write or notification, so nobody sees their
 * own write vanish; one the standby cannot serve (gone, lagging, an
 * error, no longer a standby) runs on the primary, and reads come back
 * to the standby when it is back.  Without set_reads, everything is on
 * the primary as before. */
void dbq_set_reads(struct dbq *q, const struct config *cfg, const char *read_conninfo);
/* A read: on the standby when there is a usable one, else like
 * dbq_submit (or dbq_submit_prepared) with retry. */
void dbq_submit_read(struct dbq *q, int tag, const struct db_stmt *stmts, int n, int prepare,
                     dbq_done_fn done, void *ctx);
/* poll() for the standby's connection (-1 / 0 without one). */
int dbq_read_fd(const struct dbq *q);
short dbq_read_events(const struct dbq *q);
void dbq_read_handle(struct dbq *q, short revents);

/* Drop queued requests with this tag and mute an in-flight one. */
void dbq_cancel_tag(struct dbq *q, int tag);
int dbq_busy(const struct dbq *q);

#endif
