/* Onboarding from the client's side: a milestone's status, due date and
 * owner, and a customer's onboarding health with its reason, written
 * through the database functions of migration 008 (which decide who may,
 * check everything again and keep the history).  Each change carries a
 * client-generated id, so a resend after a lost connection is recognised
 * instead of applied twice. */
#ifndef BATON_ONBOARDING_H
#define BATON_ONBOARDING_H

#include <stddef.h>

#include "baton/db.h"
#include "baton/handoff.h"

/* The server's bounds: a reason is one line of at most this many
 * characters (UTF-8: four bytes each at most). */
#define ONBOARDING_REASON_MAX 1000
#define ONBOARDING_REASON_BYTES (4 * ONBOARDING_REASON_MAX + 1)

/* A milestone's status as people say and type it ("not started",
 * "not-started", "in progress"...) and as the database stores it
 * ("pending", "in_progress"...).  NULL when the word is none of the four a
 * person may set: not started, in progress, blocked, done. */
const char *onboarding_status_db(const char *word);
/* "pending" -> "not started", "in_progress" -> "in progress"; other words
 * as they are. */
const char *onboarding_status_label(const char *db);
/* The statuses a person sets, in the order a form offers them. */
#define ONBOARDING_STATUSES 4
extern const char *const onboarding_statuses[ONBOARDING_STATUSES];

/* The same for the health: on track, at risk, off track, done. */
const char *onboarding_health_db(const char *word);
#define ONBOARDING_HEALTHS 4
extern const char *const onboarding_healths[ONBOARDING_HEALTHS];

/* 1 if s is a real calendar date written YYYY-MM-DD. */
int onboarding_date_valid(const char *s);

/* Set a milestone to exactly this (the server's function takes the whole
 * state: what is not changed is sent as it was read). */
struct milestone_change {
	char id[37];          /* client-generated: retries are recognised */
	long long milestone_id;
	char title[201];      /* for messages */
	char status[16];      /* the database's word */
	char due[11];         /* YYYY-MM-DD, "" none */
	char owner[64];       /* a role, "" none */
	char reason[ONBOARDING_REASON_BYTES];
	int version;          /* the version it was read at; 0: no check */
};

struct health_change {
	char id[37];
	long long customer_id;
	char health[16];      /* the database's word */
	char reason[ONBOARDING_REASON_BYTES];
};

/* Fresh ids, everything else empty.  -1 if no randomness. */
int onboarding_milestone_init(struct milestone_change *m);
int onboarding_health_init(struct health_change *h);

/* Check before sending, to say at once what is wrong: a status (a reason
 * when blocked), a due date, a reason of one line within the largest.  The
 * server checks it all again.  -1 + err. */
int onboarding_milestone_validate(const struct milestone_change *m, char *err, size_t errlen);
int onboarding_health_validate(const struct health_change *h, char *err, size_t errlen);

/* The statements; `store` keeps the parameters and must live as long as
 * the statement.  Both answer with the columns of a handoff step (enum
 * HS_*: done, already, state, version, message; the health has version
 * 0), read with handoff_step_read(). */
void onboarding_milestone_stmt(const struct milestone_change *m, struct handoff_params *store,
                               struct db_stmt *out);
void onboarding_health_stmt(const struct health_change *h, struct handoff_params *store,
                            struct db_stmt *out);

/* One milestone as it is now, $1 its id.  Columns: */
enum { OM_ID, OM_CUSTOMER, OM_TITLE, OM_STATUS, OM_DUE, OM_OWNER, OM_REASON, OM_VERSION, OM_COLS };
extern const char onboarding_milestone_sql[];
/* The change that keeps a milestone as row r of such a result is: the
 * status, due date, owner, blocked reason, title and version read there
 * (the ids are left alone). */
void onboarding_milestone_from(struct milestone_change *m, const char *const v[OM_COLS]);

/* The onboarding health of a customer view (customer.h), as words, from
 * the database as it is (clean it before it reaches a terminal).  Whole:
 * "on track (stale), set 3w ago by Maja Kowalczyk: reason" ("not set";
 * "..., never set with a reason" when the health has no history).
 * compact (a narrow panel): "On track 3w STALE: reason". */
struct buf;
struct customer_view;
void onboarding_health_describe(struct buf *b, const struct customer_view *cv, int compact);

#endif
