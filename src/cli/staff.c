/* baton staff add|disable|enable|set|list: people and their access.  The
 * server decides who may change staff (roles granted baton_admin) and does
 * each change in one transaction; no password ever passes through here. */
#include "baton/buf.h"
#include "baton/cli.h"
#include "baton/db.h"
#include "baton/staff.h"
#include "baton/text.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
	"Usage: baton staff add ROLE --name NAME --team TEAM [--lead] [--email ADDRESS]\n"
	"       baton staff disable ROLE\n"
	"       baton staff enable ROLE\n"
	"       baton staff set ROLE [--team TEAM] [--lead | --no-lead] [--name NAME]\n"
	"                            [--email ADDRESS] [--scope SEGMENT,... | --no-scope]\n"
	"       baton staff list [--format text|json|csv]\n"
	"\n"
	"Changes are made by a role granted baton_admin; plain staff are refused.\n"
	"add creates the PostgreSQL login role ROLE (or adopts an existing one, which\n"
	"keeps its password), its staff entry and its grant of baton_staff at once.\n"
	"Baton never takes a password: set one in psql with \\password ROLE, or use\n"
	"peer or certificate authentication.\n"
	"disable stops the role logging in and, from its open sessions' next query,\n"
	"reading or writing anything; enable gives it back.\n"
	"--scope limits what the person sees to customers of those segments (smb,\n"
	"mid-market, enterprise, strategic); --no-scope lifts the limit.\n"
	"--email \"\" removes the address.\n";

struct opts {
	struct staff_change ch;
	const char *format;
	int scope_given;
};

static int parse(int argc, char **argv, struct opts *o, int *first)
{
	static const struct option lo[] = {
		{"name", required_argument, NULL, 'n'},  {"team", required_argument, NULL, 't'},
		{"email", required_argument, NULL, 'e'}, {"lead", no_argument, NULL, 'l'},
		{"no-lead", no_argument, NULL, 'L'},     {"scope", required_argument, NULL, 's'},
		{"no-scope", no_argument, NULL, 'S'},    {"format", required_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},        {NULL, 0, NULL, 0},
	};
	memset(o, 0, sizeof *o);
	o->ch.lead = -1;
	optind = 0; /* GNU getopt: reinitialise, main() parsed with "+" */
	int c;
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'n': o->ch.name = optarg; break;
		case 't': o->ch.team = optarg; break;
		case 'e': o->ch.email = optarg; break;
		case 'l': o->ch.lead = 1; break;
		case 'L': o->ch.lead = 0; break;
		case 's':
			/* An empty list (an unset variable in a script) is no
			 * scope to set: lifting the limit is --no-scope's, said. */
			if (!optarg[strspn(optarg, ", \t")]) {
				cli_error("--scope needs one or more segments (smb, mid-market, enterprise, strategic);"
				          " --no-scope lifts the limit");
				return -1;
			}
			o->ch.scope = optarg;
			o->scope_given++;
			break;
		case 'S': o->ch.scope = ""; o->scope_given++; break;
		case 'f': o->format = optarg; break;
		case 'h': fputs(usage_text, stdout); return 1;
		default: fputs("Try 'baton staff --help'.\n", stderr); return -1;
		}
	}
	*first = optind;
	return 0;
}

/* The options each command takes: a usage error for the others. */
static int check_opts(const char *sub, const struct opts *o)
{
	int is_add = !strcmp(sub, "add"), is_set = !strcmp(sub, "set");
	int is_list = !strcmp(sub, "list");
	if (o->scope_given > 1) {
		cli_error("give --scope or --no-scope once");
		return -1;
	}
	if ((o->ch.name || o->ch.team || o->ch.email || o->ch.lead >= 0) && !is_add && !is_set) {
		cli_error("staff %s takes no --name, --team, --email or --lead", sub);
		return -1;
	}
	if (o->scope_given && !is_set) {
		cli_error("a scope is set with 'baton staff set ROLE --scope ...'");
		return -1;
	}
	if (is_add && (!o->ch.name || !o->ch.team)) {
		cli_error("staff add needs --name and --team. Try 'baton staff --help'.");
		return -1;
	}
	if (o->format && !is_list) {
		cli_error("--format is for 'baton staff list'");
		return -1;
	}
	if (is_list && cli_format(o->format, 1) < 0)
		return -1;
	if (is_set && !o->ch.name && !o->ch.team && !o->ch.email && o->ch.lead < 0 && !o->scope_given) {
		cli_error("staff set needs something to change. Try 'baton staff --help'.");
		return -1;
	}
	return 0;
}

static void print_text(struct buf *b, const PGresult *r)
{
	for (int i = 0; i < PQntuples(r); i++) {
		const char *scope = PQgetvalue(r, i, SL_SCOPE);
		buf_printf(b, "%s\t", PQgetvalue(r, i, SL_ROLE));
		text_clean(b, PQgetvalue(r, i, SL_NAME), strlen(PQgetvalue(r, i, SL_NAME)), TEXT_ONELINE);
		buf_printf(b, "\t%s%s\t%s\t%s\t", PQgetvalue(r, i, SL_TEAM),
		           PQgetvalue(r, i, SL_LEAD)[0] == 't' ? " (lead)" : "",
		           PQgetvalue(r, i, SL_ACTIVE)[0] == 't' ? "active" : "disabled",
		           PQgetvalue(r, i, SL_LOGIN)[0] == 't' ? "login" : "no login");
		buf_puts(b, *scope ? "sees " : "sees all");
		buf_puts(b, scope);
		buf_putc(b, '\t');
		text_clean(b, PQgetvalue(r, i, SL_EMAIL), strlen(PQgetvalue(r, i, SL_EMAIL)), TEXT_ONELINE);
		buf_putc(b, '\n');
	}
}

static int cmd_list(PGconn *c, const char *format)
{
	static const char *const names[SL_COLS] = {"role", "name", "team", "lead", "active",
	                                           "can_login", "scope", "email"};
	char err[1024];
	PGresult *r = db_exec(c, staff_list_sql, 0, NULL, err, sizeof err);
	if (!r) {
		cli_error("%s", err);
		return EXIT_DB;
	}
	cli_print_rows(r, format, names, print_text);
	PQclear(r);
	return EXIT_OK;
}

static int cmd_change(PGconn *c, const char *sub, struct opts *o)
{
	char err[1024];
	int created = 0, rc;
	const char *role = o->ch.role;
	if (!strcmp(sub, "add"))
		rc = staff_add(c, &o->ch, &created, err, sizeof err);
	else if (!strcmp(sub, "set"))
		rc = staff_set(c, &o->ch, err, sizeof err);
	else
		rc = staff_set_active(c, role, !strcmp(sub, "enable"), err, sizeof err);
	if (rc < 0) {
		cli_error("%s", err);
		return PQstatus(c) == CONNECTION_BAD ? EXIT_DB : EXIT_FAIL;
	}
	if (!strcmp(sub, "add") && created)
		printf("added %s with a new login role; it has no password: set one in psql with"
		       " \\password %s, or use peer or certificate authentication\n", role, role);
	else if (!strcmp(sub, "add"))
		printf("added %s; the existing role was adopted and keeps its password\n", role);
	else if (!strcmp(sub, "disable"))
		printf("disabled %s: it can no longer log in, and its open sessions read and write"
		       " nothing from their next query\n", role);
	else
		printf("%s %s\n", !strcmp(sub, "enable") ? "enabled" : "updated", role);
	return EXIT_OK;
}

int cli_staff(const struct cli *cli, int argc, char **argv)
{
	static const char *const subs[] = {"add", "disable", "enable", "set", "list", NULL};
	int rc, k = cli_subcommand(argc, argv, "staff", usage_text, subs, &rc);
	if (k < 0)
		return rc;
	const char *sub = subs[k];
	struct opts o;
	int first;
	int p = parse(argc - 1, argv + 1, &o, &first);
	if (p)
		return p > 0 ? EXIT_OK : EXIT_USAGE;
	int npos = argc - 1 - first, is_list = !strcmp(sub, "list");
	if (npos != !is_list) {
		if (is_list)
			cli_error("staff list takes no arguments");
		else
			cli_error("staff %s takes one role name. Try 'baton staff --help'.", sub);
		return EXIT_USAGE;
	}
	o.ch.role = is_list ? NULL : argv[1 + first];
	if (check_opts(sub, &o) < 0)
		return EXIT_USAGE;
	/* Administrators need not be on the staff themselves. */
	PGconn *c = cli_connect_schema(cli, &rc);
	if (!c)
		return rc;
	rc = is_list ? cmd_list(c, o.format) : cmd_change(c, sub, &o);
	PQfinish(c);
	return rc;
}
