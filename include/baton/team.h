/* Teams and staff as the handoff form and the queue's filter need them:
 * who a handoff can go to, by id and by the name people know; and the
 * handoff rules they are written under (migration 006), which every
 * client reads from the database instead of its own configuration. */
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

/* Every team (by name), every active person (by display name), the
 * handoff reasons (in the order offered) and the largest note.  The arrays
 * are malloc'd; team_list_free() frees them. */
struct team_list {
	struct team *teams;
	int nteams;
	struct staff *staff;
	int nstaff;
	char (*reasons)[41];
	int nreasons;
	int max_note_bytes;  /* 0: the rules were not read */
};

/* The statements: out[0] the teams, out[1] the handoff rules, out[2] the
 * active staff.  A caller sends the first 1, 2 or 3 it needs. */
enum { TEAM_STMTS = 3 };
void team_statements(struct db_stmt out[TEAM_STMTS]);

/* Read the answer to team_statements (1, 2 or 3 results, as sent) into l,
 * replacing what it held.  -1 with err if malformed. */
int team_list_read(struct team_list *l, PGresult *const *res, int nres, char *err, size_t errlen);

/* Run the first n (1-3) statements synchronously and read them into l (the
 * command line).  -1 with err. */
int team_list_fetch(PGconn *c, struct team_list *l, int n, char *err, size_t errlen);

/* Whether reason is one of the list's (the rules were read). */
int team_reason_known(const struct team_list *l, const char *reason);
void team_list_free(struct team_list *l);

/* A copy of src in dst, replacing what dst held. */
void team_list_copy(struct team_list *dst, const struct team_list *src);

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
