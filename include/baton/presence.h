/* Presence: who else has a customer open now (migration 011).  A session
 * says which customer it shows (baton_presence_set, which answers with who
 * else is there); a 'presence:ID' notification or a periodic check reads
 * them again (baton_presence_here).  Both answer rows of: */
#ifndef BATON_PRESENCE_H
#define BATON_PRESENCE_H

#include <libpq-fe.h>
#include <stddef.h>

#include "baton/db.h"

enum { PR_ROLE, PR_NAME, PR_TEAM };

/* params[0]: the customer id as text, or NULL for none (leaving); it must
 * outlive the statement. */
void presence_set_statement(struct db_stmt *out, const char *const *params);
void presence_here_statement(struct db_stmt *out, const char *const *params);

/* The others in a result of either, as "ben (Success), mia (Marketing)"
 * (role names: short, and what people call each other in Baton), cut at
 * a whole entry with "+N" when out is too small.  Returns how many there
 * are, -1 if r is not such a result. */
int presence_text(const PGresult *r, char *out, size_t n);

#endif
