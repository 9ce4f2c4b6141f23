/* The leads' handoff queue: filtered, breached and unacknowledged first,
 * then oldest first; counts per team and state; median time to acknowledge. */
#ifndef BATON_QUEUE_H
#define BATON_QUEUE_H

#include "baton/db.h"

struct queue_filter {
	char team[33];      /* receiving team, "" any */
	char person[64];    /* receiving person, "" any */
	char state[16];     /* "" active (open + acknowledged) */
	char reason[41];
	char priority[8];
	char segment[16];
	int breached;       /* only unacknowledged past their SLA */
	int mine;           /* to the signed-in person or their team */
};

/* Row columns of the list statement. */
enum { Q_ID, Q_CUSTOMER_ID, Q_CUSTOMER, Q_FROM_TEAM, Q_TO_TEAM, Q_TO_STAFF, Q_REASON,
       Q_PRIORITY, Q_STATE, Q_AGE_S, Q_ACK_LEFT_S, Q_BREACHED, Q_LAST_EVENT, Q_VERSION,
       Q_NOTE, Q_SEGMENT, Q_COLS };
/* Columns of the counts statement (one row per receiving team). */
enum { QC_TEAM, QC_OPEN, QC_UNACK, QC_BREACHED };
/* Columns of the medians statement (seconds, NULL when none). */
enum { QM_MEDIAN_7D, QM_MEDIAN_30D };

/* Rows per group (breached, open, acknowledged, closed). */
#define QUEUE_LIMIT 100

struct queue_params {
	char limit[16];
	const char *p[9];
};

/* The three statements of a queue fetch: the list, the counts and the
 * medians.  The list is cheap and index-only; the counts and medians read
 * every active (or recently acknowledged) handoff, so the console fetches
 * them apart and less often.  f and store must outlive the statements. */
void queue_statements(const struct queue_filter *f, struct queue_params *store,
                      struct db_stmt out[3]);

/* Fill f from a saved view of the configuration. */
struct queue_view;
void queue_filter_from_view(struct queue_filter *f, const struct queue_view *v);

/* "team=support state=open breached" for the screen. */
void queue_filter_describe(const struct queue_filter *f, char *out, size_t n);

#endif
