/* Connecting, for every command: the database, the schema this binary
 * speaks, and (cli_connect) the session user's staff access. */
#include "baton/buf.h"
#include "baton/cli.h"
#include "baton/db.h"
#include "baton/migrate.h"
#include "baton/staff.h"
#include "baton/text.h"

#include <stdlib.h>
#include <string.h>

/* A role with no grant of Baton's is refused (status 1), not told the
 * schema is unusable: what it needs is an administrator.  Asked only when
 * reading the schema's version failed, so that a command run by staff
 * costs no round trip for it. */
static int no_access(PGconn *c)
{
	char err[256];
	PGresult *r = db_exec(c, "SELECT CASE WHEN to_regclass('baton_schema_migrations') IS NOT NULL"
	                         " THEN NOT has_table_privilege(to_regclass('baton_schema_migrations'), 'SELECT')"
	                         " ELSE false END",
	                      0, NULL, err, sizeof err);
	int no = r && PQgetvalue(r, 0, 0)[0] == 't';
	PQclear(r);
	if (no) {
		const char *who = PQuser(c);
		struct buf b = BUF_INIT;
		text_clean(&b, who, strlen(who), TEXT_ONELINE);
		cli_error("role %s has no access to Baton: an administrator adds the person with"
		          " 'baton staff add %s --name NAME --team TEAM' (or grants baton_admin, or"
		          " baton_importer for imports)", buf_str(&b), buf_str(&b));
		buf_free(&b);
	}
	return no;
}

/* Connect and make sure the schema is the one this binary speaks. */
PGconn *cli_connect_schema(const struct cli *cli, int *rc)
{
	char err[1024];
	PGconn *c = db_connect(cli->cfg, cli->conninfo, err, sizeof err);
	if (!c) {
		cli_error("cannot connect to the database: %s", err);
		*rc = EXIT_DB;
		return NULL;
	}
	int v = migrate_current(c, err, sizeof err);
	if (v < 0 && no_access(c)) {
		PQfinish(c);
		*rc = EXIT_FAIL;
		return NULL;
	}
	if (v != migrate_latest()) {
		if (v < 0)
			cli_error("%s", err);
		else if (v < migrate_latest())
			cli_error("the database schema is version %d, this baton needs %d: run 'baton migrate'",
			          v, migrate_latest());
		else
			cli_error("the database schema is version %d, newer than this baton (%d): upgrade baton",
			          v, migrate_latest());
		PQfinish(c);
		*rc = EXIT_DB;
		return NULL;
	}
	return c;
}

PGconn *cli_connect(const struct cli *cli, int *rc)
{
	char why[512];
	PGconn *c = cli_connect_schema(cli, rc);
	int ok = c ? staff_check_access(c, why, sizeof why) : 1;
	if (ok < 1) {
		cli_error("%s", why);
		PQfinish(c);
		*rc = ok < 0 ? EXIT_DB : EXIT_FAIL;
		return NULL;
	}
	return c;
}

char *cli_conninfo_arg(char *arg)
{
	static char *copy; /* the last -d's */
	free(copy);
	copy = strdup(arg);
	if (!copy)
		abort();
	PQconninfoOption *opts = PQconninfoParse(arg, NULL);
	for (PQconninfoOption *o = opts; o && o->keyword; o++) {
		if (strcmp(o->keyword, "password") != 0 || !o->val || !*o->val)
			continue;
		size_t n = strlen(o->val);
		int hidden = 0;
		for (char *at = strstr(arg, o->val); at; at = strstr(at + n, o->val), hidden = 1)
			memset(at, '*', n);
		/* Written another way (quoted, %-encoded): all of it goes. */
		if (!hidden)
			memset(arg, '*', strlen(arg));
	}
	PQconninfoFree(opts);
	return copy;
}
