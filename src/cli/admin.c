/* baton migrate */
#include "baton/cli.h"
#include "baton/db.h"
#include "baton/migrate.h"
#include "baton/settings.h"

#include <stdio.h>
#include <string.h>

static void print_progress(int version, const char *name)
{
	printf("applying migration %03d %s\n", version, name);
	fflush(stdout);
}

static void print_line(const char *line)
{
	printf("%s\n", line);
}

int cli_migrate(const struct cli *cli, int argc, char **argv)
{
	static const char usage[] =
		"Usage: baton [-d CONNINFO] migrate\n"
		"Apply the schema migrations this baton carries that the database lacks,\n"
		"each in its own transaction. Then the handoff settings of an older\n"
		"configuration file (reasons, SLAs, the largest note) are copied into the\n"
		"database, where they now live, if it still has the defaults. Running it\n"
		"again changes nothing.\n";
	if (cli_wants_help(argc, argv, usage))
		return EXIT_OK;
	if (argc > 1) {
		cli_error("migrate takes no arguments. Try 'baton migrate --help'.");
		return EXIT_USAGE;
	}
	char err[1024];
	PGconn *c = db_connect(cli->cfg, cli->conninfo, err, sizeof err);
	if (!c) {
		cli_error("cannot connect to the database: %s", err);
		return EXIT_DB;
	}
	int n = migrate_run(c, print_progress, err, sizeof err);
	if (n >= 0 && settings_import(c, cli->cfg, print_line, err, sizeof err) < 0)
		n = -1;
	PQfinish(c);
	if (n < 0) {
		/* Migrations change the schema: its owner's work, said so. */
		int owner = strstr(err, "permission denied") || strstr(err, "must be owner");
		cli_error("%s%s", err, owner ? " (run 'baton migrate' as the database's owner, who created Baton's schema)" : "");
		return EXIT_DB;
	}
	if (n == 0)
		printf("schema is up to date (version %d)\n", migrate_latest());
	else
		printf("applied %d migration%s; schema is at version %d\n", n, n == 1 ? "" : "s",
		       migrate_latest());
	return EXIT_OK;
}
