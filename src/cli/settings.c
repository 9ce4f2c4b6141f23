/* baton settings: the rules every client shares, shown to anyone on the
 * staff, changed by administrators (the server decides who is one). */
#include "baton/buf.h"
#include "baton/cli.h"
#include "baton/config.h"
#include "baton/db.h"
#include "baton/settings.h"
#include "baton/text.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage_text[] =
	"Usage: baton settings [show] [--format text|json]\n"
	"       baton settings set KEY VALUE\n"
	"       baton settings reason add|remove NAME\n"
	"       baton settings sla PRIORITY DURATION [--team T]\n"
	"       baton settings shared-domain add|remove DOMAIN\n"
	"\n"
	"The rules every Baton client obeys, kept in the database: the handoff\n"
	"reasons, the acknowledgement SLA per priority (and per team where a team\n"
	"promises otherwise), the largest note (max_note_bytes), who may reassign\n"
	"(reassign_by) and who may comment (comment_by). Anyone on the staff can\n"
	"show them; changing them takes a member of baton_admin, and every change\n"
	"is in the audit log. A change applies to the next write, in every client.\n"
	"DURATION is like 30m, 4h or 2d; with --team, 'default' makes the team\n"
	"follow the priority's SLA again. A shared domain (free mail, a group's\n"
	"common mail domain) never joins customers in baton import; Baton knows\n"
	"the common providers', and an administrator adds the others here.\n";

struct opts {
	const char *format, *team;
};

/* Options anywhere; *first is where the words start. 1 help, -1 bad. */
static int parse(int argc, char **argv, struct opts *o, int *first)
{
	static const struct option lo[] = {
		{"format", required_argument, NULL, 'f'}, {"team", required_argument, NULL, 'T'},
		{"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
	};
	memset(o, 0, sizeof *o);
	optind = 0; /* GNU getopt: reinitialise, main() parsed with "+" */
	int c;
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'f': o->format = optarg; break;
		case 'T': o->team = optarg; break;
		case 'h': fputs(usage_text, stdout); return 1;
		default: fputs("Try 'baton settings --help'.\n", stderr); return -1;
		}
	}
	*first = optind;
	return 0;
}

static void show_text(struct buf *b, PGresult *const *r)
{
	/* Keys in a column as wide as the longest; values in one as wide as
	 * most (a long list of words runs past it). */
	int kw = 16, vw = 12;
	for (int i = 0; i < PQntuples(r[0]); i++) {
		int k = text_width(PQgetvalue(r[0], i, SS_KEY)), v = text_width(PQgetvalue(r[0], i, SS_VALUE));
		kw = k > kw ? k : kw;
		vw = v > vw && v <= 24 ? v : vw;
	}
	for (int i = 0; i < PQntuples(r[0]); i++)
		buf_printf(b, "%-*s %-*s %s (%s)\n", kw, PQgetvalue(r[0], i, SS_KEY), vw, PQgetvalue(r[0], i, SS_VALUE),
		           PQgetvalue(r[0], i, SS_ABOUT), PQgetvalue(r[0], i, SS_ACCEPTS));
	buf_printf(b, "%-*s ", kw, "reasons");
	for (int i = 0; i < PQntuples(r[1]); i++)
		buf_printf(b, "%s%s", i ? ", " : "", PQgetvalue(r[1], i, 0));
	buf_putc(b, '\n');
	for (int i = 0; i < PQntuples(r[2]); i++) {
		char d[16], what[64];
		config_format_minutes(d, sizeof d, atoi(PQgetvalue(r[2], i, SL_MINUTES)));
		snprintf(what, sizeof what, "sla %s", PQgetvalue(r[2], i, SL_PRIORITY));
		buf_printf(b, "%-*s %-*s %s%s\n", kw, what, vw, d, PQgetisnull(r[2], i, SL_TEAM) ? "every team" : "team ",
		           PQgetvalue(r[2], i, SL_TEAM));
	}
	buf_printf(b, "%-*s %s built in; ", kw, "shared_domains", PQgetvalue(r[3], 0, 0));
	buf_printf(b, "%s%s\n", PQgetisnull(r[3], 0, 1) ? "none added" : "added: ", PQgetvalue(r[3], 0, 1));
}

static void show_json(struct buf *b, PGresult *const *r)
{
	static const char *const settings[] = {"key", "value", "accepts", "about"};
	static const char *const slas[] = {"priority", "team", "minutes"};
	buf_puts(b, "{\"settings\":");
	cli_json_rows(b, r[0], settings);
	b->data[--b->len] = '\0'; /* the rows' newline */
	buf_puts(b, ",\"reasons\":[");
	for (int i = 0; i < PQntuples(r[1]); i++) {
		if (i)
			buf_putc(b, ',');
		text_json_string(b, PQgetvalue(r[1], i, 0));
	}
	buf_puts(b, "],\"ack_sla\":");
	cli_json_rows(b, r[2], slas);
	b->data[--b->len] = '\0';
	/* The added ones as the server's json_agg wrote them: escaped as
	 * every string of this output is. */
	buf_printf(b, ",\"shared_domains\":{\"built_in\":%s,\"added\":%s}}\n", PQgetvalue(r[3], 0, 0),
	           PQgetvalue(r[3], 0, 2));
}

static int cmd_show(const struct cli *cli, const struct opts *o)
{
	int json = cli_format(o->format, 0);
	if (json < 0)
		return EXIT_USAGE;
	int rc = EXIT_OK;
	PGconn *c = cli_connect_schema(cli, &rc);
	if (!c)
		return rc;
	struct db_stmt st[SETTINGS_STMTS];
	PGresult *r[SETTINGS_STMTS];
	char err[1024];
	settings_statements(st);
	if (db_pipeline(c, st, SETTINGS_STMTS, r, err, sizeof err) < 0) {
		/* A role neither on the staff nor an administrator (an importer's). */
		int refused = PQstatus(c) == CONNECTION_OK && strstr(err, "permission denied");
		if (refused)
			cli_error("role %s may not read the settings: they are shown to the staff and to administrators"
			          " (an administrator can run 'baton staff add %s --name NAME --team TEAM')",
			          PQuser(c), PQuser(c));
		else
			cli_error("%s", err);
		PQfinish(c);
		return refused ? EXIT_FAIL : EXIT_DB;
	}
	struct buf raw = BUF_INIT, out = BUF_INIT;
	(json ? show_json : show_text)(&raw, r);
	/* Whatever an administrator typed is cleaned like any text from the
	 * database (JSON is escaped already). */
	if (!json)
		text_clean(&out, buf_str(&raw), raw.len, TEXT_MULTILINE);
	fwrite(buf_str(json ? &raw : &out), 1, json ? raw.len : out.len, stdout);
	buf_free(&raw);
	buf_free(&out);
	for (int i = 0; i < SETTINGS_STMTS; i++)
		PQclear(r[i]);
	PQfinish(c);
	return EXIT_OK;
}

/* Run one change; say what happened.  A change of a signal rule has
 * committed when it is said; then the signals are computed again under it
 * here, a batch at a time (others' lists say "recomputing" until it is
 * done; an interrupted run leaves the rest to them).  An exit status. */
static int change(const struct cli *cli, const char *sql, int n, const char *const *p,
                  const char *changed, const char *unchanged, int signal_rule)
{
	int rc = EXIT_OK;
	PGconn *c = cli_connect_schema(cli, &rc);
	if (!c)
		return rc;
	/* Raising import_max_merge waits for a running import (migration
	 * 139): said, as an import's wait is. */
	cli_show_import_waits(c);
	char err[1024];
	PGresult *r = db_exec(c, sql, n, p, err, sizeof err);
	if (!r) {
		/* A role not on the staff (an importer's) may not even call the
		 * functions that tell a staff member so: told the same. */
		if (strstr(err, "permission denied for function"))
			cli_error("only an administrator can change the settings: role %s is not a member of baton_admin",
			          PQuser(c));
		else
			cli_error("%s", err);
		rc = PQstatus(c) == CONNECTION_BAD ? EXIT_DB : EXIT_FAIL;
	} else {
		int done = PQgetvalue(r, 0, 0)[0] == 't';
		char *msg = text_clean_dup(done ? changed : unchanged, TEXT_ONELINE);
		printf("%s\n", msg);
		fflush(stdout);
		free(msg);
		if (done && signal_rule)
			cli_signal_catch_up(c, isatty(STDERR_FILENO));
	}
	PQclear(r);
	PQfinish(c);
	return rc;
}

static int cmd_sla(const struct cli *cli, const struct opts *o, char **w)
{
	/* Both words are the command line's: a usage error each (the server
	 * checks them again). */
	if (priority_from_name(w[0]) < 0) {
		cli_error("'%s' is not a priority: use urgent, high, normal or low", w[0]);
		return EXIT_USAGE;
	}
	int minutes = config_parse_minutes(w[1]);
	int dflt = !strcmp(w[1], "default");
	if ((minutes <= 0 && !dflt) || (dflt && !o->team)) {
		cli_error("'%s' is not a duration: use 30m, 4h or 2d%s", w[1], o->team ? ", or default" : "");
		return EXIT_USAGE;
	}
	char mins[16], done[160], same[160];
	snprintf(mins, sizeof mins, "%d", minutes);
	const char *p[] = {w[0], dflt ? NULL : mins, o->team};
	snprintf(done, sizeof done, "%s handoffs%s%s are now to be acknowledged within %s", w[0],
	         o->team ? " to " : "", o->team ? o->team : "", dflt ? "their priority's SLA" : w[1]);
	snprintf(same, sizeof same, "nothing changed: that is the SLA already");
	return change(cli, settings_sla_sql, 3, p, done, same, 0);
}

static int dispatch(const struct cli *cli, const struct opts *o, int n, char **w)
{
	char done[200], same[200];
	if (n == 0 || (n == 1 && !strcmp(w[0], "show")))
		return cmd_show(cli, o);
	if (o->format || (o->team && strcmp(w[0], "sla") != 0)) {
		cli_error("--%s goes with %s. Try 'baton settings --help'.", o->format ? "format" : "team",
		          o->format ? "show" : "sla");
		return EXIT_USAGE;
	}
	if (!strcmp(w[0], "set") && n == 3) {
		const char *p[] = {w[1], w[2]};
		snprintf(done, sizeof done, "%s is now %s", w[1], w[2]);
		snprintf(same, sizeof same, "%s was already %s", w[1], w[2]);
		return change(cli, settings_set_sql, 2, p, done, same, !strncmp(w[1], "signal_", 7));
	}
	if (!strcmp(w[0], "reason") && n == 3 && (!strcmp(w[1], "add") || !strcmp(w[1], "remove"))) {
		int add = !strcmp(w[1], "add");
		const char *p[] = {w[2]};
		snprintf(done, sizeof done, "reason '%s' %s", w[2], add ? "added" : "removed");
		snprintf(same, sizeof same, "reason '%s' %s", w[2], add ? "was already there" : "was not there");
		return change(cli, add ? settings_reason_add_sql : settings_reason_remove_sql, 1, p, done, same, 0);
	}
	if (!strcmp(w[0], "shared-domain") && n == 3 && (!strcmp(w[1], "add") || !strcmp(w[1], "remove"))) {
		int add = !strcmp(w[1], "add");
		const char *p[] = {w[2]};
		snprintf(done, sizeof done, "shared domain '%s' %s", w[2],
		         add ? "added: it joins no customers from the next import on" : "removed");
		snprintf(same, sizeof same, "shared domain '%s' %s", w[2], add ? "was already there" : "was not there");
		return change(cli, add ? settings_shared_domain_add_sql : settings_shared_domain_remove_sql, 1, p, done,
		              same, 0);
	}
	if (!strcmp(w[0], "sla") && n == 3)
		return cmd_sla(cli, o, w + 1);
	cli_error("unknown settings command. Try 'baton settings --help'.");
	return EXIT_USAGE;
}

int cli_settings(const struct cli *cli, int argc, char **argv)
{
	struct opts o;
	int first;
	int p = parse(argc, argv, &o, &first);
	if (p)
		return p > 0 ? EXIT_OK : EXIT_USAGE;
	return dispatch(cli, &o, argc - first, argv + first);
}
