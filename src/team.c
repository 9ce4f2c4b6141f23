#include "baton/team.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { TM_ID, TM_NAME };
enum { ST_ROLE, ST_NAME, ST_TEAM };

void team_statements(struct db_stmt out[2])
{
	static const char *const none[1] = {NULL};
	out[0] = (struct db_stmt){"SELECT id, name FROM team ORDER BY name", 0, none};
	out[1] = (struct db_stmt){"SELECT role_name, display_name, team_id FROM staff"
	                          " WHERE active ORDER BY display_name", 0, none};
}

static void copy(char *dst, size_t n, const PGresult *r, int row, int col)
{
	snprintf(dst, n, "%s", PQgetvalue(r, row, col));
}

int team_list_read(struct team_list *l, PGresult *const *res, int nres, char *err, size_t errlen)
{
	if (nres < 1 || nres > 2 || PQnfields(res[0]) != 2 || (nres == 2 && PQnfields(res[1]) != 3)) {
		snprintf(err, errlen, "unexpected answer for the teams");
		return -1;
	}
	team_list_free(l);
	l->nteams = PQntuples(res[0]);
	l->teams = calloc((size_t)l->nteams + 1, sizeof *l->teams);
	if (!l->teams)
		abort();
	for (int i = 0; i < l->nteams; i++) {
		copy(l->teams[i].id, sizeof l->teams[i].id, res[0], i, TM_ID);
		copy(l->teams[i].name, sizeof l->teams[i].name, res[0], i, TM_NAME);
	}
	l->nstaff = nres == 2 ? PQntuples(res[1]) : 0;
	l->staff = calloc((size_t)l->nstaff + 1, sizeof *l->staff);
	if (!l->staff)
		abort();
	for (int i = 0; i < l->nstaff; i++) {
		copy(l->staff[i].role, sizeof l->staff[i].role, res[1], i, ST_ROLE);
		copy(l->staff[i].name, sizeof l->staff[i].name, res[1], i, ST_NAME);
		copy(l->staff[i].team, sizeof l->staff[i].team, res[1], i, ST_TEAM);
	}
	return 0;
}

void team_list_free(struct team_list *l)
{
	free(l->teams);
	free(l->staff);
	memset(l, 0, sizeof *l);
}

int team_find(const struct team_list *l, const char *id)
{
	for (int i = 0; i < l->nteams; i++)
		if (!strcmp(l->teams[i].id, id))
			return i;
	return -1;
}

int team_lookup(const struct team_list *l, const char *what)
{
	for (int i = 0; i < l->nteams; i++)
		if (!strcasecmp(l->teams[i].id, what) || !strcasecmp(l->teams[i].name, what))
			return i;
	return -1;
}

const char *team_staff_name(const struct team_list *l, const char *role)
{
	for (int i = 0; i < l->nstaff; i++)
		if (!strcmp(l->staff[i].role, role))
			return l->staff[i].name;
	return role;
}

int team_id_valid(const char *s)
{
	size_t n = strlen(s);
	if (n < 1 || n > 32 || s[0] < 'a' || s[0] > 'z')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '-'))
			return 0;
	return 1;
}
