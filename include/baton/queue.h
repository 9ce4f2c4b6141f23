/* The leads' handoff queue: filtered; breached first by severity (priority,
 * then how far past the SLA), then the other unacknowledged and the
 * acknowledged ones, oldest first; counts per team and state; median time
 * to acknowledge. */
#ifndef BATON_QUEUE_H
#define BATON_QUEUE_H

#include "baton/db.h"
#include "baton/team.h"

struct config;

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
       Q_NOTE, Q_SEGMENT, Q_SIGNAL_KIND, Q_SIGNALS, Q_COLS };
/* Columns of the counts statement (one row per receiving team). */
enum { QC_TEAM, QC_OPEN, QC_UNACK, QC_BREACHED };
/* Columns of the medians statement (seconds, NULL when none). */
enum { QM_MEDIAN_7D, QM_MEDIAN_30D };

/* Rows per group (breached, open, acknowledged, closed). */
#define QUEUE_LIMIT 100

struct queue_params {
	char limit[16];
	const char *p[9];
	const char *unmarked; /* the list's text without the marks */
};

/* The three statements of a queue fetch: the list, the counts and the
 * medians.  The list is cheap and index-only; the counts and medians read
 * every active (or recently acknowledged) handoff, so the console fetches
 * them apart and less often.  f and store must outlive the statements. */
void queue_statements(const struct queue_filter *f, struct queue_params *store,
                      struct db_stmt out[3]);

/* The list statement without the customers' signal marks (Q_SIGNAL_KIND
 * NULL, Q_SIGNALS 0): the console shows the rows first and asks for the
 * marks apart (queue_marks_statement), so that the rows never wait for
 * them; `baton queue` keeps them in one answer (queue_statements). */
void queue_list_unmarked(const struct queue_filter *f, struct queue_params *store, struct db_stmt *out);

/* The marks of the customers of l's rows: one row per customer, QK_*
 * columns.  The parameter is written to ids and *param points into it:
 * both must outlive out. */
struct queue_list;
struct buf;
enum { QK_CUSTOMER_ID, QK_KIND, QK_SIGNALS, QK_COLS };
void queue_marks_statement(const struct queue_list *l, struct buf *ids, const char **param,
                           struct db_stmt *out);

/* Fill f from a saved view of the configuration. */
struct queue_view;
void queue_filter_from_view(struct queue_filter *f, const struct queue_view *v);

/* "team=support state=open breached" for the screen. */
void queue_filter_describe(const struct queue_filter *f, char *out, size_t n);

/* --- filter values: one check for the console, the command line and the
 * configuration's views ------------------------------------------------------ */

/* Check value for the filter field key (team, to, state, reason, priority,
 * segment) and write the value to filter on into canon: states and
 * priorities are fixed, segments the schema's, teams and reasons the
 * database's: teams by id or name, any case; reasons as listed
 * ("renewal_risk" may stand for "renewal risk").  Without the lists (teams
 * NULL, or its rules not read) only the form of a team id or a reason is
 * checked.  -1 with a message naming the valid values in err:
 * unknown priority "hgh": use low, normal, high or urgent */
int queue_value_check(const char *key, const char *value, const struct team_list *teams, char *canon, size_t canon_n,
                      char *err, size_t errlen);

/* Set one field of f after queue_value_check.  -1 with err, f unchanged. */
int queue_filter_set(struct queue_filter *f, const char *key, const char *value,
                     const struct team_list *teams, char *err, size_t errlen);

/* The console's filter text, "team=support priority=high breached", into a
 * fresh f.  -1 with err at the first bad word. */
int queue_filter_parse(struct queue_filter *f, const char *text, const struct team_list *teams,
                       char *err, size_t errlen);

/* to= names someone on the staff, active or not (a person who left may
 * still hold handoffs): a row if $1, a role name, is one.  Checked once
 * connected, by the console and `baton queue --to` alike; the refusal is
 * queue_person_unknown's. */
extern const char queue_person_sql[];
void queue_person_unknown(const char *person, char *err, size_t errlen);

/* Filter text as words, "key=value" or a bare "key" (value "", bare 1),
 * each to word() until one fails: -1 with its err.  The queue's filter
 * and the signals screen's read their text with it. */
typedef int (*queue_word_fn)(void *ctx, const char *key, const char *value, int bare, char *err,
                             size_t errlen);
int queue_filter_words(const char *text, queue_word_fn word, void *ctx, char *err, size_t errlen);

/* --- rows, as the console shows them ------------------------------------------ */

struct signal_kind; /* baton/signals.h */
struct queue_row {
	char id[37];
	long long customer_id;
	char *customer;
	char from_team[33];
	char to_team[33];
	char to_staff[64];   /* "" : anyone in the team */
	char *reason;
	char priority[8];
	char state[16];
	long long age_s;
	int has_ack_left;    /* open with a deadline */
	long long ack_left_s; /* negative: over the SLA by that much */
	int breached;
	char *last_event;    /* "acknowledged by ben 2026-11-29 10:12" */
	int version;
	char *note;
	char *segment;
	const struct signal_kind *signal; /* the customer's most severe active signal, NULL none */
	int signals;                      /* how many it has */
};

/* The rows of the list statement; strings are malloc'd, queue_list_free()
 * frees them all. */
struct queue_list {
	struct queue_row *rows;
	int n;
};
int queue_list_read(struct queue_list *l, const PGresult *r, char *err, size_t errlen);
void queue_list_free(struct queue_list *l);
/* The rows as CSV (header first), for every export of the queue. */
struct buf;
void queue_list_csv(struct buf *out, const struct queue_list *l);
/* The marks of an answer to queue_marks_statement on the rows of their
 * customers; other rows keep theirs.  -1 for an answer of another shape. */
int queue_list_mark(struct queue_list *l, const PGresult *r);
/* Rows of fresh take the marks their customers had in old, until their
 * own arrive. */
void queue_list_keep_marks(struct queue_list *fresh, const struct queue_list *old);
/* Index of the row of handoff id, -1 if none. */
int queue_list_find(const struct queue_list *l, const char *id);

/* The counts (summed over the teams shown) and the medians. */
struct queue_stats {
	long long active, unack, breached;
	int has_median_7d, has_median_30d;
	long long median_7d_s, median_30d_s;
};
int queue_stats_read(struct queue_stats *s, const PGresult *counts, const PGresult *medians);

#endif
