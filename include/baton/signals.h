/* Crossed signals and campaign holds from the client's side: the kinds of
 * signal, and the statements that read and write them.  The database
 * computes every signal (migration 009: baton_signals, baton_signal_list,
 * baton_suppression), so every client agrees; writes go through its
 * functions (baton_campaign_hold, baton_signal_ack), idempotent on a
 * client-generated id. */
#ifndef BATON_SIGNALS_H
#define BATON_SIGNALS_H

#include <stddef.h>

#include "baton/db.h"

/* The kinds, in the order of PRODUCT.md piece 6. */
#define SIGNAL_KINDS 6
struct signal_kind {
	const char *name;  /* "campaign-during-complaint": the database's and the CLI's */
	const char *title; /* "campaign during complaint" */
	const char *about; /* one line: when it is raised */
	const char *mark;  /* "DB": two letters for other lists' rows (help's legend) */
};
/* The i-th kind, NULL past the last. */
const struct signal_kind *signal_kind_at(int i);
/* A kind by its name (or with '_' for '-': campaign_during_complaint), NULL
 * if none. */
const struct signal_kind *signal_kind_find(const char *name);

/* A customer's marker on other lists (finder, queue): the most severe
 * signal's mark, "+N" for the others ("DB+2"); "" for none (k NULL). */
void signal_marker(char *out, size_t n, const struct signal_kind *k, int count);

/* A signal's columns as every reader shows them (the list below, the
 * customer screen's part: customer.h SG_*), times as the other lists. */
#define SIGNALS_COLS                                                                       \
	"kind, title, severity, to_char(since, 'YYYY-MM-DD HH24:MI'), explanation,"            \
	" array_to_string(refs, ' '), array_to_string(teams, ','), fingerprint, acked_by,"     \
	" to_char(acked_at, 'YYYY-MM-DD HH24:MI'), ack_comment"

/* The list (baton signals): $1 kind, $2 team, $3 segment, $4 owner, $5
 * customer id, each NULL for any; $6 't' to include acknowledged ones.
 * Most severe first.  refs and teams are space- and comma-separated. */
enum { SI_CUSTOMER_ID, SI_CUSTOMER, SI_SEGMENT, SI_OWNER, SI_KIND, SI_TITLE, SI_SEVERITY,
       SI_SINCE, SI_EXPLANATION, SI_REFS, SI_TEAMS, SI_FINGERPRINT, SI_ACKED_BY, SI_ACKED_AT,
       SI_ACK_COMMENT, SI_COLS };
extern const char signals_list_sql[];
extern const char *const signals_list_names[SI_COLS]; /* JSON and CSV names */
/* The same list for a cursor (baton signals streams it): first
 * signals_refresh_all_sql (no customer; one row: the customers to compute
 * live, the kinds' generations) or signals_refresh_one_sql ($1 customer
 * id; the same row), then signals_list_stream_sql with $1..$6 as above, $7
 * and $8 that row's values.  Plain SQL, so the rows come as the list's
 * index gives them, not after the whole list. */
extern const char signals_refresh_all_sql[];
extern const char signals_refresh_one_sql[];
extern const char signals_list_stream_sql[];

/* After a change of the signal rules (migration 024): compute again up to
 * $1 customers behind them, committed with the statement; one value, how
 * many are still behind.  Those customers' rows of the changed kinds are
 * in no list until then (the counts say so: kind SIGNALS_RECOMPUTING, its
 * customers how many). */
extern const char signals_catch_up_sql[];
#define SIGNALS_CATCH_UP_BATCH "1000"
/* signals_catch_up_sql batch after batch until none is left, or a batch
 * gets no further (others are computing the same customers).  progress,
 * if not NULL, hears how many are left after each batch.  The number
 * still left (0: all caught up), or -1 with err. */
long long signals_catch_up(PGconn *c, void (*progress)(void *ctx, long long left), void *ctx,
                           char *err, size_t errlen);
#define SIGNALS_RECOMPUTING "recomputing"
/* From SI_KIND on, the SIGNALS_COLS. */
/* What a person waits on reads a window (migration 013): $1..$4 as the
 * list's filters, $5 how many rows, the list's first ones, same columns.
 * signals_counts_sql: $1 team, $2 segment, $3 owner; rows (kind, signals,
 * customers) per kind and, kind NULL first, for all kinds. */
#define SIGNAL_PAGE 100 /* rows a window grows by: a few screenfuls */
extern const char signals_page_sql[];
enum { SC_KIND, SC_SIGNALS, SC_CUSTOMERS, SC_COLS };
extern const char signals_counts_sql[];

/* Scheduled sends to customers in trouble, or held: $1 customer id or
 * NULL.  Soonest first.  kinds: comma-separated. */
enum { SU_EVENT_ID, SU_CUSTOMER_ID, SU_CUSTOMER, SU_CAMPAIGN, SU_KIND, SU_CHANNEL,
       SU_SCHEDULED, SU_HELD, SU_HELD_BY, SU_HELD_AT, SU_HOLD_COMMENT, SU_SIGNAL_KINDS,
       SU_REASONS, SU_COLS };
extern const char signals_suppression_sql[];
extern const char *const signals_suppression_names[SU_COLS];
/* The sends screen's window: $1 how many rows, the SU_* columns; and
 * (sends, held, customers still to compute after a change of the rules)
 * of the whole list. */
extern const char signals_suppression_page_sql[];
extern const char signals_suppression_count_sql[];

/* A write: hold or release a scheduled send, or acknowledge a signal.
 * The id is generated once, before the first attempt, so that a retry
 * after a lost connection is recognised.  Answer columns: done, already,
 * then the hold's held (boolean) or the ack's fingerprint, then message. */
enum { SW_DONE, SW_ALREADY, SW_STATE, SW_MESSAGE };
struct signal_write {
	char id[37];
	long long target;     /* the send (hold) or the customer (ack) */
	char what[40];        /* "hold", "release", or the signal's kind */
	const char *comment;  /* not owned */
	char fingerprint[33]; /* ack: the facts the person saw, "" for now's */
};
/* A fresh id; -1 if no randomness. */
int signal_write_init(struct signal_write *w, long long target, const char *what,
                      const char *comment);
struct signal_params {
	char num[24];
	const char *p[5];
};
void signal_hold_stmt(const struct signal_write *w, struct signal_params *store,
                      struct db_stmt *out);
void signal_ack_stmt(const struct signal_write *w, struct signal_params *store,
                     struct db_stmt *out);

#endif
