/* baton team add|set|list: the teams handoffs go to and staff belong to.
 * The server decides who may change them (roles granted baton_admin) and
 * checks what they may be called (migration 064). */
#include "baton/buf.h"
#include "baton/cli.h"
#include "baton/db.h"
#include "baton/text.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static const char usage_text[] =
	"Usage: baton team add ID --name NAME\n"
	"       baton team set ID --name NAME\n"
	"       baton team list [--format text|json|csv]\n"
	"\n"
	"A team is what handoffs go to and what each person on the staff belongs\n"
	"to (baton staff add ROLE --team ID). ID (a lower-case letter, then\n"
	"letters, digits, _ and -) never changes; NAME is what screens show, and\n"
	"set changes it. Changes are made by a role granted baton_admin.\n";

static const char list_sql[] =
	"SELECT t.id, t.name,"
	" (SELECT count(*) FROM staff s WHERE s.team_id = t.id AND s.active),"
	" (SELECT count(*) FROM staff s WHERE s.team_id = t.id AND s.active AND s.is_lead)"
	" FROM team t ORDER BY t.id";
enum { TL_ID, TL_NAME, TL_PEOPLE, TL_LEADS, TL_COLS };

static void print_text(struct buf *b, const PGresult *r)
{
	for (int i = 0; i < PQntuples(r); i++) {
		const char *id = PQgetvalue(r, i, TL_ID), *name = PQgetvalue(r, i, TL_NAME);
		text_clean(b, id, strlen(id), TEXT_ONELINE);
		buf_putc(b, '\t');
		text_clean(b, name, strlen(name), TEXT_ONELINE);
		buf_printf(b, "\t%s active, %s lead%s\n", PQgetvalue(r, i, TL_PEOPLE), PQgetvalue(r, i, TL_LEADS),
		           strcmp(PQgetvalue(r, i, TL_LEADS), "1") ? "s" : "");
	}
}

int cli_team(const struct cli *cli, int argc, char **argv)
{
	static const char *const subs[] = {"add", "set", "list", NULL};
	static const struct option lo[] = {
		{"name", required_argument, NULL, 'n'},
		{"format", required_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int rc, c, k = cli_subcommand(argc, argv, "team", usage_text, subs, &rc);
	if (k < 0)
		return rc;
	const char *sub = subs[k], *name = NULL, *format = NULL;
	int is_list = !strcmp(sub, "list");
	optind = 0; /* GNU getopt: reinitialise, main() parsed with "+" */
	while ((c = getopt_long(argc - 1, argv + 1, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'n': name = optarg; break;
		case 'f': format = optarg; break;
		case 'h': fputs(usage_text, stdout); return EXIT_OK;
		default: fputs("Try 'baton team --help'.\n", stderr); return EXIT_USAGE;
		}
	}
	int npos = argc - 1 - optind;
	if (npos != !is_list) {
		cli_error(is_list ? "team list takes no arguments" : "team %s takes one team id. Try 'baton team --help'.",
		          sub);
		return EXIT_USAGE;
	}
	if (is_list ? name != NULL : format != NULL) {
		cli_error(is_list ? "--name is for 'baton team add' and 'baton team set'" : "--format is for 'baton team list'");
		return EXIT_USAGE;
	}
	if (!is_list && !name) {
		cli_error("team %s needs --name NAME. Try 'baton team --help'.", sub);
		return EXIT_USAGE;
	}
	if (is_list && cli_format(format, 1) < 0)
		return EXIT_USAGE;
	PGconn *conn = cli_connect_schema(cli, &rc);
	if (!conn)
		return rc;
	char err[1024];
	const char *id = is_list ? NULL : argv[1 + optind];
	const char *p[] = {id, name};
	PGresult *r = db_exec(conn, is_list ? list_sql
	                                    : !strcmp(sub, "add") ? "SELECT baton_team_add($1, $2)"
	                                                          : "SELECT baton_team_set($1, $2)",
	                      is_list ? 0 : 2, p, err, sizeof err);
	if (!r) {
		cli_error("%s", err);
		rc = PQstatus(conn) == CONNECTION_BAD ? EXIT_DB : EXIT_FAIL;
	} else if (is_list) {
		static const char *const names[TL_COLS] = {"id", "name", "active_staff", "leads"};
		cli_print_rows(r, format, names, print_text);
		rc = EXIT_OK;
	} else {
		struct buf b = BUF_INIT;
		text_clean(&b, id, strlen(id), TEXT_ONELINE);
		printf("%s team %s\n", !strcmp(sub, "add") ? "added" : "renamed", buf_str(&b));
		buf_free(&b);
		rc = EXIT_OK;
	}
	PQclear(r);
	PQfinish(conn);
	return rc;
}
