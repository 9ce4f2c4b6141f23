/* A customer's timeline: every event about them, newest first, as typed
 * entries (the statement is cv_timeline_sql in customer.h). */
#ifndef BATON_TIMELINE_H
#define BATON_TIMELINE_H

#include <libpq-fe.h>
#include <stddef.h>

#include "baton/db.h"

struct timeline_entry {
	char *at;      /* ISO timestamp as the server wrote it; "" undated */
	long long age_s;
	char *kind;    /* "ticket opened", "note", "handoff acknowledged", ... */
	char *who;     /* staff role or "" */
	char *text;    /* untrusted: clean before showing */
	char *ref;     /* "ticket:4812", "handoff:<uuid>", ... */
};

struct timeline {
	struct timeline_entry *e;
	int n;
};

/* The statement for one customer; params[0] is the id as text and must
 * outlive the statement. */
void timeline_statement(struct db_stmt *out, const char *const *params);
/* Copy the rows of the statement's result; -1 + err if malformed. */
int timeline_from_result(struct timeline *t, const PGresult *r, char *err, size_t errlen);
void timeline_free(struct timeline *t);

#endif
