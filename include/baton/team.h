/* Teams and staff as the handoff form and the queue's filter need them:
 * who a handoff can go to, by id and by the name people know. */
#ifndef BATON_TEAM_H
#define BATON_TEAM_H

#include <libpq-fe.h>
#include <stddef.h>

#include "baton/db.h"

struct team {
	char id[33];    /* as the team table has it: lower-case */
	char name[324]; /* up to 80 characters */
};

struct staff {
	char role[64];  /* PostgreSQL role name */
	char name[484]; /* display name, up to 120 characters */
	char team[33];
};

/* Every team (by name) and every active person (by display name).  Both
 * arrays are malloc'd; team_list_free() frees them. */
struct team_list {
	struct team *teams;
	int nteams;
	struct staff *staff;
	int nstaff;
};

/* The statements: out[0] the teams, out[1] the active staff.  A caller
 * that needs only the teams sends out[0] alone. */
void team_statements(struct db_stmt out[2]);

/* Read the answer to team_statements (1 result: teams only; 2: teams and
 * staff) into l, replacing what it held.  -1 with err if malformed. */
int team_list_read(struct team_list *l, PGresult *const *res, int nres, char *err, size_t errlen);
void team_list_free(struct team_list *l);

/* Index of the team whose id is id, -1 if none. */
int team_find(const struct team_list *l, const char *id);
/* Index of the team named by what (its id or its name, any case), -1. */
int team_lookup(const struct team_list *l, const char *what);
/* Display name of a role, the role itself if unknown. */
const char *team_staff_name(const struct team_list *l, const char *role);

/* Whether s has the form of a team id (lower-case letters, digits, '_'
 * and '-', starting with a letter, at most 32): what the schema allows. */
int team_id_valid(const char *s);

#endif
