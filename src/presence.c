#include "baton/presence.h"

#include <stdio.h>
#include <string.h>

static const char sql_set[] = "SELECT role_name, display_name, team_name FROM baton_presence_set($1::bigint)";
static const char sql_here[] = "SELECT role_name, display_name, team_name FROM baton_presence_here($1::bigint)";

void presence_set_statement(struct db_stmt *out, const char *const *params)
{
	out->sql = sql_set;
	out->nparams = 1;
	out->params = params;
}

void presence_here_statement(struct db_stmt *out, const char *const *params)
{
	out->sql = sql_here;
	out->nparams = 1;
	out->params = params;
}

int presence_text(const PGresult *r, char *out, size_t n)
{
	if (n)
		out[0] = '\0';
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQnfields(r) != PR_TEAM + 1)
		return -1;
	int rows = PQntuples(r);
	size_t len = 0;
	for (int i = 0; i < rows; i++) {
		char one[200], more[16];
		snprintf(one, sizeof one, "%s%s (%s)", i ? ", " : "", PQgetvalue(r, i, PR_ROLE),
		         PQgetvalue(r, i, PR_TEAM));
		/* Room for this one and, if others follow, for "+N". */
		snprintf(more, sizeof more, " +%d", rows - i - 1);
		size_t need = strlen(one) + (i + 1 < rows ? strlen(more) : 0);
		if (len + need >= n) {
			snprintf(more, sizeof more, "%s+%d", i ? " " : "", rows - i);
			if (len + strlen(more) < n)
				memcpy(out + len, more, strlen(more) + 1);
			break;
		}
		memcpy(out + len, one, strlen(one) + 1);
		len += strlen(one);
	}
	return rows;
}
