/* Finding customers by name, domain, contact e-mail or external id, and the
 * handoffs waiting for the signed-in person and their team. */
#ifndef BATON_FINDER_H
#define BATON_FINDER_H

#include "baton/db.h"

/* Result columns of the finder statement. */
enum { F_ID, F_NAME, F_DOMAIN, F_LIFECYCLE, F_OPEN_TICKETS, F_HOT_TICKETS, F_LATE_HANDOFFS,
       F_MATCHED };

/* Parameters for finder_sql: the text as typed, and the derived LIKE
 * patterns.  The caller keeps `f` alive while the statement runs. */
struct finder_query {
	char *text;      /* trimmed */
	char *contains;  /* %text% with LIKE metacharacters escaped */
	char *prefix;    /* text% escaped */
	const char *params[3];
};
/* Returns 0, or -1 when the text is empty after trimming. */
int finder_query_init(struct finder_query *f, const char *text);
void finder_query_free(struct finder_query *f);
/* The statement: short texts (under 3 characters) match prefixes only so
 * that every search stays index-backed. */
void finder_statement(const struct finder_query *f, struct db_stmt *out);

/* Handoffs waiting for session_user and their team, open first. */
enum { W_ID, W_CUSTOMER_ID, W_CUSTOMER, W_FROM_TEAM, W_TO_TEAM, W_TO_STAFF, W_REASON,
       W_PRIORITY, W_STATE, W_AGE_S, W_ACK_LEFT_S, W_NOTE, W_VERSION };
extern const char finder_waiting_sql[];

/* Who is signed in: role, display name, team id, team name, is_lead. */
enum { ME_ROLE, ME_NAME, ME_TEAM, ME_TEAM_NAME, ME_LEAD, ME_SCHEMA };
extern const char finder_me_sql[];

#endif
