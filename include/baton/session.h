/* Who is signed in, as the server says (session_user and their staff
 * row), and which schema version the database has. */
#ifndef BATON_SESSION_H
#define BATON_SESSION_H

#include <libpq-fe.h>
#include <stddef.h>

struct session_me {
	char role[64];
	char name[128];
	char team[64];       /* "" : no staff entry */
	char team_name[128];
	int lead;
	int staff;           /* has a staff entry */
	int schema;          /* the database's schema version */
};

/* From a result of finder_me_sql (finder.h).  -1 + err if malformed. */
int session_me_from_result(struct session_me *m, const PGresult *r, char *err, size_t errlen);

#endif
