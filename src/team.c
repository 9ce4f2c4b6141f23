#include "baton/team.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { TM_ID, TM_NAME };
enum { RU_REASON, RU_MAX_NOTE };
enum { ST_ROLE, ST_NAME, ST_TEAM };

void team_statements(struct db_stmt out[TEAM_STMTS])
{
	static const char *const none[1] = {NULL};
	out[0] = (struct db_stmt){"SELECT id, name FROM team ORDER BY name, id", 0, none};
	/* At least one row, for the largest note, even with no reasons. */
	out[1] = (struct db_stmt){"SELECT r.name, s.value::integer FROM baton_setting s"
	                          " LEFT JOIN handoff_reason r ON true WHERE s.key = 'max_note_bytes'"
	                          " ORDER BY r.position, r.name", 0, none};
	out[2] = (struct db_stmt){"SELECT role_name, display_name, team_id FROM staff"
	                          " WHERE active ORDER BY display_name, role_name", 0, none};
}

static void copy(char *dst, size_t n, const PGresult *r, int row, int col)
{
	snprintf(dst, n, "%s", PQgetvalue(r, row, col));
}

static void read_rules(struct team_list *l, const PGresult *r)
{
	int n = PQntuples(r);
	l->reasons = calloc((size_t)n + 1, sizeof *l->reasons);
	if (!l->reasons)
		abort();
	for (int i = 0; i < n; i++)
		if (!PQgetisnull(r, i, RU_REASON))
			copy(l->reasons[l->nreasons++], sizeof *l->reasons, r, i, RU_REASON);
	l->max_note_bytes = n ? atoi(PQgetvalue(r, 0, RU_MAX_NOTE)) : 0;
}

int team_list_read(struct team_list *l, PGresult *const *res, int nres, char *err, size_t errlen)
{
	if (nres < 1 || nres > TEAM_STMTS || PQnfields(res[0]) != 2 ||
	    (nres >= 2 && (PQnfields(res[1]) != 2 || PQntuples(res[1]) < 1)) ||
	    (nres == 3 && PQnfields(res[2]) != 3)) {
		snprintf(err, errlen, "unexpected answer for the teams");
		return -1;
	}
	team_list_free(l);
	if (nres >= 2)
		read_rules(l, res[1]);
	l->nteams = PQntuples(res[0]);
	l->teams = calloc((size_t)l->nteams + 1, sizeof *l->teams);
	if (!l->teams)
		abort();
	for (int i = 0; i < l->nteams; i++) {
		copy(l->teams[i].id, sizeof l->teams[i].id, res[0], i, TM_ID);
		copy(l->teams[i].name, sizeof l->teams[i].name, res[0], i, TM_NAME);
	}
	l->nstaff = nres == 3 ? PQntuples(res[2]) : 0;
	l->staff = calloc((size_t)l->nstaff + 1, sizeof *l->staff);
	if (!l->staff)
		abort();
	for (int i = 0; i < l->nstaff; i++) {
		copy(l->staff[i].role, sizeof l->staff[i].role, res[2], i, ST_ROLE);
		copy(l->staff[i].name, sizeof l->staff[i].name, res[2], i, ST_NAME);
		copy(l->staff[i].team, sizeof l->staff[i].team, res[2], i, ST_TEAM);
	}
	return 0;
}

int team_list_fetch(PGconn *c, struct team_list *l, int n, char *err, size_t errlen)
{
	struct db_stmt st[TEAM_STMTS];
	PGresult *r[TEAM_STMTS] = {NULL};
	team_statements(st);
	int rc = db_pipeline(c, st, n, r, err, errlen) < 0 ? -1 : team_list_read(l, r, n, err, errlen);
	for (int i = 0; i < n; i++)
		PQclear(r[i]);
	return rc;
}

/* n items of size each, copied (NULL when there are none). */
static void *dup_items(const void *v, int n, size_t size)
{
	if (n <= 0 || !v)
		return NULL;
	void *p = malloc((size_t)n * size);
	if (!p)
		abort();
	memcpy(p, v, (size_t)n * size);
	return p;
}

void team_list_copy(struct team_list *dst, const struct team_list *src)
{
	if (dst == src)
		return;
	team_list_free(dst);
	*dst = *src;
	dst->teams = dup_items(src->teams, src->nteams, sizeof *src->teams);
	dst->staff = dup_items(src->staff, src->nstaff, sizeof *src->staff);
	dst->reasons = dup_items(src->reasons, src->nreasons, sizeof *src->reasons);
}

void team_list_free(struct team_list *l)
{
	free(l->teams);
	free(l->staff);
	free(l->reasons);
	memset(l, 0, sizeof *l);
}

int team_reason_known(const struct team_list *l, const char *reason)
{
	for (int i = 0; i < l->nreasons; i++)
		if (!strcmp(l->reasons[i], reason))
			return 1;
	return 0;
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
