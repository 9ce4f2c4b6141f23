/* People and their access: staff administration through the server's
 * functions (migration 005: run by roles granted baton_admin, checked by the
 * server), the staff list, and whether the signed-in role may use Baton. */
#ifndef BATON_STAFF_H
#define BATON_STAFF_H

#include <libpq-fe.h>
#include <stddef.h>

/* What to write; NULL (lead: -1) leaves a field as it is.  email "" removes
 * the address; scope is "smb,mid-market" ("" removes the scope). */
struct staff_change {
	const char *role, *name, *team, *email, *scope;
	int lead;
};

/* Each returns 0, or -1 with the server's message (and hint) in err.
 * staff_add sets *created: 1 if the login role was created, 0 if an
 * existing role was adopted. */
int staff_add(PGconn *c, const struct staff_change *s, int *created, char *err, size_t errlen);
int staff_set(PGconn *c, const struct staff_change *s, char *err, size_t errlen);
int staff_set_active(PGconn *c, const char *role, int active, char *err, size_t errlen);

/* Everyone on the staff, by team then role: the columns below. */
extern const char staff_list_sql[];
enum { SL_ROLE, SL_NAME, SL_TEAM, SL_LEAD, SL_ACTIVE, SL_LOGIN, SL_SCOPE, SL_EMAIL, SL_COLS };

/* Whether the session user may read customers: an active staff member, or
 * a role that bypasses row-level security.  1 yes; 0 no, with why and
 * what to do in why; -1 on a database error (in why). */
int staff_check_access(PGconn *c, char *why, size_t whylen);

#endif
