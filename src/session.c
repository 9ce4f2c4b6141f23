/* Who is signed in, from the server's answer. */
#include "baton/finder.h"
#include "baton/session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int session_me_from_result(struct session_me *m, const PGresult *r, char *err, size_t errlen)
{
	memset(m, 0, sizeof *m);
	if (!r || PQntuples(r) != 1 || PQnfields(r) != ME_SCHEMA + 1) {
		snprintf(err, errlen, "unexpected answer to who am I");
		return -1;
	}
	snprintf(m->role, sizeof m->role, "%s", PQgetvalue(r, 0, ME_ROLE));
	snprintf(m->name, sizeof m->name, "%s", PQgetvalue(r, 0, ME_NAME));
	snprintf(m->team, sizeof m->team, "%s", PQgetvalue(r, 0, ME_TEAM));
	snprintf(m->team_name, sizeof m->team_name, "%s", PQgetvalue(r, 0, ME_TEAM_NAME));
	m->lead = PQgetvalue(r, 0, ME_LEAD)[0] == 't';
	m->staff = !PQgetisnull(r, 0, ME_TEAM);
	m->schema = atoi(PQgetvalue(r, 0, ME_SCHEMA));
	return 0;
}
