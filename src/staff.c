#include "baton/staff.h"
#include "baton/db.h"

#include <stdio.h>
#include <string.h>

/* The server decides who may do this (baton_admin), validates and writes
 * the role, the staff row and the grant in one transaction. */
int staff_add(PGconn *c, const struct staff_change *s, int *created, char *err, size_t errlen)
{
	const char *p[] = {s->role, s->name, s->team, s->lead > 0 ? "t" : "f", s->email};
	PGresult *r = db_exec(c, "SELECT baton_staff_add($1, $2, $3, $4, $5)", 5, p, err, errlen);
	if (!r)
		return -1;
	*created = PQgetvalue(r, 0, 0)[0] == 't';
	PQclear(r);
	return 0;
}

int staff_set(PGconn *c, const struct staff_change *s, char *err, size_t errlen)
{
	const char *p[] = {s->role, s->team, s->lead < 0 ? NULL : s->lead ? "t" : "f", s->name,
	                   s->email, s->scope};
	/* The scope as the server takes it: an array, empty for none. */
	PGresult *r = db_exec(c,
		"SELECT baton_staff_set($1, $2, $3, $4, $5,"
		" CASE WHEN $6::text IS NOT NULL THEN coalesce(ARRAY(SELECT btrim(x)"
		"   FROM unnest(string_to_array($6, ',')) x WHERE btrim(x) <> ''), '{}') END)",
		6, p, err, errlen);
	PQclear(r);
	return r ? 0 : -1;
}

int staff_set_active(PGconn *c, const char *role, int active, char *err, size_t errlen)
{
	const char *p[] = {role, active ? "t" : "f"};
	PGresult *r = db_exec(c, "SELECT baton_staff_set_active($1, $2)", 2, p, err, errlen);
	PQclear(r);
	return r ? 0 : -1;
}

const char staff_list_sql[] =
	"SELECT s.role_name, s.display_name, s.team_id, s.is_lead, s.active,"
	" coalesce(r.rolcanlogin, false), array_to_string(s.scope, ','), s.email"
	" FROM staff s LEFT JOIN pg_roles r ON r.rolname = s.role_name"
	" ORDER BY s.team_id, s.role_name";

int staff_check_access(PGconn *c, char *why, size_t whylen)
{
	static const char sql[] =
		"SELECT r.rolsuper OR r.rolbypassrls, s.active"
		" FROM pg_roles r LEFT JOIN staff s ON s.role_name = r.rolname"
		" WHERE r.rolname = session_user";
	PGresult *r = db_exec(c, sql, 0, NULL, why, whylen);
	if (!r)
		return -1;
	const char *role = PQuser(c);
	int ok = PQntuples(r) == 1 && (PQgetvalue(r, 0, 0)[0] == 't' || PQgetvalue(r, 0, 1)[0] == 't');
	int disabled = PQntuples(r) == 1 && PQgetvalue(r, 0, 1)[0] == 'f';
	if (ok)
		why[0] = '\0';
	else if (disabled)
		snprintf(why, whylen, "role %s is disabled in Baton and may not read customers:"
		         " an administrator can run 'baton staff enable %s'", role, role);
	else
		snprintf(why, whylen, "role %s has no staff entry and may not read customers:"
		         " an administrator can run 'baton staff add %s --name NAME --team TEAM'",
		         role, role);
	PQclear(r);
	return ok;
}
