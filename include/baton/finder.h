/* Finding customers by id, name, domain, contact e-mail or external id, and the
 * handoffs waiting for the signed-in person and their team. */
#ifndef BATON_FINDER_H
#define BATON_FINDER_H

#include "baton/db.h"

/* Result columns of the finder statement. */
enum { F_ID, F_NAME, F_DOMAIN, F_LIFECYCLE, F_OPEN_TICKETS, F_HOT_TICKETS, F_LATE_HANDOFFS,
       F_MATCHED, F_SIGNAL_KIND, F_SIGNALS, F_COLS };

/* The statement's one parameter: the text as typed, trimmed.  The caller
 * keeps `f` alive while the statement runs. */
struct finder_query {
	char *text;
	const char *params[1];
};
/* Returns 0, or -1 when the text is empty after trimming. */
int finder_query_init(struct finder_query *f, const char *text);
void finder_query_free(struct finder_query *f);
/* The statement: names match without regard to accents or case ("lumiere"
 * finds Café Lumière); short texts (under 3 characters) match prefixes only
 * so that every search stays index-backed.  When nothing matches a longer
 * text, its rows are the names close to it (FINDER_SIMILAR). */
void finder_statement(const struct finder_query *f, struct db_stmt *out);

/* F_MATCHED of a close name offered when nothing matched. */
#define FINDER_SIMILAR "similar name"

struct signal_kind; /* baton/signals.h */

/* One customer the finder found. */
struct finder_match {
	long long id;
	char *name;
	char *domain;       /* "" when none */
	char *lifecycle;
	long long open_tickets, hot_tickets, late_handoffs;
	char *matched;      /* what matched: id, name, domain, e-mail, external id,
	                     * or FINDER_SIMILAR */
	int similar;        /* no match: a name close to the text, offered when
	                     * nothing matched (then every row is one) */
	const struct signal_kind *signal; /* its most severe active signal, NULL none */
	int signals;                      /* how many active signals */
};
struct finder_matches {
	struct finder_match *v;
	int n;
};
/* The rows of the finder statement's result as matches, owned by `out`
 * (finder_matches_free).  -1 (and nothing to free) if r is not such a
 * result. */
int finder_matches_read(const PGresult *r, struct finder_matches *out);
void finder_matches_free(struct finder_matches *m);

/* Handoffs waiting for session_user and their team, open first, then
 * acknowledged; within each, urgent first, then oldest first (then by
 * id): the first WAITING_LIMIT. */
#define WAITING_LIMIT 100
enum { W_ID, W_CUSTOMER_ID, W_CUSTOMER, W_FROM_TEAM, W_TO_TEAM, W_TO_STAFF, W_REASON,
       W_PRIORITY, W_STATE, W_AGE_S, W_ACK_LEFT_S, W_NOTE, W_VERSION, W_CREATED_US, W_COLS };
extern const char finder_waiting_sql[];
/* The same columns for the handoffs of $1, a uuid[] ("{ID,ID}"), that are
 * for session_user or their team and open or acknowledged (src/waiting.c
 * reads only what changed). */
extern const char finder_waiting_rows_sql[];
void finder_waiting_statement(struct db_stmt *out);

struct waiting_handoff {
	char *id;           /* uuid */
	long long customer_id;
	char *customer;     /* its name */
	char *from_team, *to_team;
	char *to_staff;     /* NULL: for the whole team */
	char *reason, *priority;
	int open;           /* else acknowledged */
	long long age_s;    /* when read (finder_waiting_now: now) */
	char *note;
	int version;        /* for the next step's optimistic check */
	long long created_us; /* created_at, microseconds: the order after the state */
	long long ack_left_s; /* to its deadline, when read (has_ack_left) */
	int has_ack_left;
	long long read_ms;  /* finder_clock_ms() when it was read */
};
struct waiting_list {
	struct waiting_handoff *v;
	int n;
};
/* Like finder_matches_read, for finder_waiting_sql's result. */
int finder_waiting_read(const PGresult *r, struct waiting_list *out);
void finder_waiting_free(struct waiting_list *w);
/* The strings of one row (the row itself is the list's). */
void finder_waiting_row_free(struct waiting_handoff *h);
/* A monotonic clock in milliseconds, and a row's age and lateness at
 * now_ms of it: a row kept since an earlier read ages on screen. */
long long finder_clock_ms(void);
void finder_waiting_now(const struct waiting_handoff *h, long long now_ms, long long *age_s,
                        int *late);

/* Who is signed in: role, display name, team id, team name, is_lead. */
enum { ME_ROLE, ME_NAME, ME_TEAM, ME_TEAM_NAME, ME_LEAD, ME_SCHEMA };
extern const char finder_me_sql[];

#endif
