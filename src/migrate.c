#include "baton/migrate.h"
#include "baton/db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Any constant will do as long as it is Baton's own. */
#define MIGRATE_LOCK_KEY "7405139021"

int migrate_latest(void)
{
	int v = 0;
	for (size_t i = 0; i < migrations_count; i++)
		if (migrations[i].version > v)
			v = migrations[i].version;
	return v;
}

int migrate_current(PGconn *c, char *err, size_t errlen)
{
	PGresult *r = db_exec(c, "SELECT to_regclass('baton_schema_migrations') IS NOT NULL", 0,
	                      NULL, err, errlen);
	if (!r)
		return -1;
	int exists = PQgetvalue(r, 0, 0)[0] == 't';
	PQclear(r);
	if (!exists)
		return 0;
	r = db_exec(c, "SELECT coalesce(max(version), 0) FROM baton_schema_migrations", 0, NULL,
	            err, errlen);
	if (!r)
		return -1;
	int v = atoi(PQgetvalue(r, 0, 0));
	PQclear(r);
	return v;
}

static int exec_simple(PGconn *c, const char *sql, char *err, size_t errlen)
{
	/* PQexec: a migration file is several statements, which only the
	 * simple query protocol accepts.  Its text is ours, compiled in. */
	PGresult *r = PQexec(c, sql);
	ExecStatusType s = PQresultStatus(r);
	int ok = s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK || s == PGRES_EMPTY_QUERY;
	if (!ok)
		db_explain_error(r ? PQresultErrorMessage(r) : PQerrorMessage(c), err, errlen);
	PQclear(r);
	return ok ? 0 : -1;
}

/* Each version the database has must be the migration this binary has
 * under that number: a build that numbered them otherwise (an unreleased
 * one) left a schema this binary's later migrations do not apply to. */
static int check_names(PGconn *c, char *err, size_t errlen)
{
	PGresult *r = db_exec(c, "SELECT version, name FROM baton_schema_migrations ORDER BY version",
	                      0, NULL, err, errlen);
	if (!r)
		return -1;
	int rc = 0;
	for (int i = 0; i < PQntuples(r) && rc == 0; i++) {
		int v = atoi(PQgetvalue(r, i, 0));
		for (size_t k = 0; k < migrations_count; k++) {
			if (migrations[k].version != v || strcmp(migrations[k].name, PQgetvalue(r, i, 1)) == 0)
				continue;
			/* Not the database's name: it is text anyone could have written. */
			snprintf(err, errlen,
			         "the database's migration %d is not this baton's (%s): it was migrated by "
			         "a build that numbers its migrations otherwise; use that build, or a new database",
			         v, migrations[k].name);
			rc = -1;
		}
	}
	PQclear(r);
	return rc;
}

static int apply_one(PGconn *c, const struct migration *m, char *err, size_t errlen)
{
	char ver[16];
	snprintf(ver, sizeof ver, "%d", m->version);
	const char *params[] = {ver, m->name};
	if (exec_simple(c, "BEGIN", err, errlen) < 0)
		return -1;
	/* Re-check inside the transaction: another run may have applied it
	 * between our read and the lock. */
	PGresult *r = db_exec(c, "SELECT 1 FROM baton_schema_migrations WHERE version = $1", 1,
	                      params, err, errlen);
	if (!r)
		goto rollback;
	int done = PQntuples(r) > 0;
	PQclear(r);
	if (done)
		return exec_simple(c, "ROLLBACK", err, errlen) < 0 ? -1 : 0;
	if (exec_simple(c, m->sql, err, errlen) < 0)
		goto rollback;
	r = db_exec(c, "INSERT INTO baton_schema_migrations (version, name) VALUES ($1, $2)", 2,
	            params, err, errlen);
	if (!r)
		goto rollback;
	PQclear(r);
	if (exec_simple(c, "COMMIT", err, errlen) < 0)
		return -1;
	return 1;
rollback:
	PQclear(PQexec(c, "ROLLBACK"));
	return -1;
}

int migrate_run(PGconn *c, void (*progress)(int version, const char *name),
                char *err, size_t errlen)
{
	return migrate_run_upto(c, migrate_latest(), progress, err, errlen);
}

int migrate_run_upto(PGconn *c, int upto, void (*progress)(int version, const char *name),
                     char *err, size_t errlen)
{
	int applied = 0;
	char inner[512];
	if (exec_simple(c, "SELECT pg_advisory_lock(" MIGRATE_LOCK_KEY ")", err, errlen) < 0)
		return -1;
	/* Made only where it is missing: a role that may not create in the
	 * schema (a staff member checking that all is up to date) is told so
	 * instead of "permission denied for schema public". */
	PGresult *missing = db_exec(c, "SELECT to_regclass('baton_schema_migrations') IS NULL", 0, NULL, err,
	                            errlen);
	if (!missing) {
		applied = -1;
		goto out;
	}
	int create = PQgetvalue(missing, 0, 0)[0] == 't';
	PQclear(missing);
	if (create && exec_simple(c, "CREATE TABLE IF NOT EXISTS baton_schema_migrations ("
	                   " version integer PRIMARY KEY,"
	                   " name text NOT NULL,"
	                   " applied_at timestamptz NOT NULL DEFAULT now(),"
	                   " applied_by name NOT NULL DEFAULT session_user)",
	                err, errlen) < 0) {
		applied = -1;
		goto out;
	}
	int cur = migrate_current(c, err, errlen);
	if (cur < 0) {
		applied = -1;
		goto out;
	}
	if (cur > migrate_latest()) {
		snprintf(err, errlen,
		         "the database schema is version %d but this baton knows only up to %d: "
		         "upgrade baton before using this database",
		         cur, migrate_latest());
		applied = -1;
		goto out;
	}
	if (check_names(c, err, errlen) < 0) {
		applied = -1;
		goto out;
	}
	for (size_t i = 0; i < migrations_count; i++) {
		if (migrations[i].version <= cur || migrations[i].version > upto)
			continue;
		if (progress)
			progress(migrations[i].version, migrations[i].name);
		int rc = apply_one(c, &migrations[i], inner, sizeof inner);
		if (rc < 0) {
			snprintf(err, errlen, "migration %d (%s) failed and was rolled back: %s",
			         migrations[i].version, migrations[i].name, inner);
			applied = -1;
			goto out;
		}
		applied += rc;
	}
out:
	PQclear(PQexec(c, "SELECT pg_advisory_unlock(" MIGRATE_LOCK_KEY ")"));
	return applied;
}
