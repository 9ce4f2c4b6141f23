/* Versioned schema migrations compiled into the binary (sql/migrations). */
#ifndef BATON_MIGRATE_H
#define BATON_MIGRATE_H

#include <libpq-fe.h>
#include <stddef.h>

struct migration {
	int version;
	const char *name;
	const char *sql;
};

extern const struct migration migrations[];
extern const size_t migrations_count;

/* Highest version this binary knows. */
int migrate_latest(void);

/* The database's schema version: 0 when never migrated, -1 on error. */
int migrate_current(PGconn *c, char *err, size_t errlen);

/* Apply every missing migration, each in its own transaction, recorded in
 * baton_schema_migrations; serialised against concurrent runs with an
 * advisory lock.  Refuses a database newer than the binary.  Returns the
 * number applied, or -1 with err. progress(version, name) is called before
 * each one (may be NULL). */
int migrate_run(PGconn *c, void (*progress)(int version, const char *name),
                char *err, size_t errlen);

/* migrate_run, but only the migrations up to version upto: a database as
 * an older release left it (the upgrade tests). */
int migrate_run_upto(PGconn *c, int upto, void (*progress)(int version, const char *name),
                     char *err, size_t errlen);

#endif
