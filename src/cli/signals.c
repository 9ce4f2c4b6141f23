/* baton signals: the crossed signals the database computes, for leads and
 * scripts; the suppression list a marketing tool reads before a send; and
 * acknowledging a signal. */
#include "baton/buf.h"
#include "baton/cli.h"
#include "baton/db.h"
#include "baton/queue.h"
#include "baton/signals.h"
#include "baton/text.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_head[] =
	"Usage: baton signals [list] [--kind K] [--team T] [--customer C] [--segment S]\n"
	"                     [--owner ROLE] [--all] [--format text|json|csv]\n"
	"       baton signals suppression [--customer C] [--format text|json|csv]\n"
	"       baton signals ack --customer C --kind K --comment TEXT [--id UUID]\n"
	"\n"
	"list: the customers' crossed signals, most severe first, each with the\n"
	"line that explains it and the records involved. --team: the signals that\n"
	"team must act on; --all: acknowledged ones too. The kinds:\n";
static const char usage_tail[] =
	"suppression: every scheduled send that is held, or whose customer has an\n"
	"active signal, with the reasons; what a marketing tool reads before a\n"
	"send. ack: 'handled' with a comment; the signal leaves the lists until\n"
	"its records change (a new ticket, a new send). The thresholds and\n"
	"keywords are the database's ('baton settings', signal_*).\n";

static void usage(FILE *f)
{
	fputs(usage_head, f);
	for (int i = 0; signal_kind_at(i); i++)
		fprintf(f, "  %-27s %s\n", signal_kind_at(i)->name, signal_kind_at(i)->title);
	fputs(usage_tail, f);
}

struct opts {
	const char *kind, *team, *customer, *segment, *owner, *format, *comment, *id;
	int all;
};

static int parse(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{"kind", required_argument, NULL, 'k'},    {"team", required_argument, NULL, 'T'},
		{"customer", required_argument, NULL, 'C'}, {"segment", required_argument, NULL, 'S'},
		{"owner", required_argument, NULL, 'o'},   {"format", required_argument, NULL, 'f'},
		{"comment", required_argument, NULL, 'c'}, {"id", required_argument, NULL, 'i'},
		{"all", no_argument, NULL, 'a'},           {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	memset(o, 0, sizeof *o);
	o->format = "text";
	optind = 0; /* GNU getopt: reinitialise, main() parsed with "+" */
	int c;
	while ((c = getopt_long(argc, argv, "c:h", lo, NULL)) != -1) {
		switch (c) {
		case 'k': o->kind = optarg; break;
		case 'T': o->team = optarg; break;
		case 'C': o->customer = optarg; break;
		case 'S': o->segment = optarg; break;
		case 'o': o->owner = optarg; break;
		case 'f': o->format = optarg; break;
		case 'c': o->comment = optarg; break;
		case 'i': o->id = optarg; break;
		case 'a': o->all = 1; break;
		case 'h': usage(stdout); return 1;
		default: fputs("Try 'baton signals --help'.\n", stderr); return -1;
		}
	}
	if (cli_format(o->format, 1) < 0)
		return -1;
	if (o->kind && !signal_kind_find(o->kind)) {
		cli_error("unknown kind of signal '%s'; see 'baton signals --help'", o->kind);
		return -1;
	}
	/* Segments as the queue's filter knows them. */
	char canon[32], err[256];
	if (o->segment && queue_value_check("segment", o->segment, NULL, canon, sizeof canon, err, sizeof err) < 0) {
		cli_error("%s", err);
		return -1;
	}
	return 0;
}

/* Text from the database, cleaned, on one line. */
static void put(struct buf *b, const char *s)
{
	text_clean(b, s, strlen(s), TEXT_ONELINE);
}

static void list_text(struct buf *b, const PGresult *r)
{
	for (int i = 0; i < PQntuples(r); i++) {
#define LV(col) PQgetvalue(r, i, col)
		char sev[16];
		snprintf(sev, sizeof sev, "%s", LV(SI_SEVERITY));
		for (char *p = sev; *p; p++)
			*p = (char)(*p - 'a' + 'A');
		buf_printf(b, "%-6s %s%s", sev, LV(SI_TITLE), CLI_DOT);
		put(b, LV(SI_CUSTOMER));
		buf_printf(b, " #%s%ssince %s%sfor %s\n       ", LV(SI_CUSTOMER_ID), CLI_DOT, LV(SI_SINCE), CLI_DOT, LV(SI_TEAMS));
		put(b, LV(SI_EXPLANATION));
		buf_printf(b, "\n       %s\n", LV(SI_REFS));
		if (!PQgetisnull(r, i, SI_ACKED_BY)) {
			buf_puts(b, "       acknowledged by ");
			put(b, LV(SI_ACKED_BY));
			buf_printf(b, " at %s: ", LV(SI_ACKED_AT));
			put(b, LV(SI_ACK_COMMENT));
			buf_putc(b, '\n');
		}
#undef LV
	}
}

static void suppression_text(struct buf *b, const PGresult *r)
{
	for (int i = 0; i < PQntuples(r); i++) {
#define UV(col) PQgetvalue(r, i, col)
		buf_printf(b, "%s  campaign %s  %s \"", UV(SU_SCHEDULED), UV(SU_EVENT_ID), UV(SU_KIND));
		put(b, UV(SU_CAMPAIGN));
		buf_puts(b, "\" to ");
		put(b, UV(SU_CUSTOMER));
		buf_printf(b, " #%s", UV(SU_CUSTOMER_ID));
		if (UV(SU_HELD)[0] == 't') {
			buf_puts(b, "  HELD by ");
			put(b, UV(SU_HELD_BY));
			buf_printf(b, " at %s: ", UV(SU_HELD_AT));
			put(b, UV(SU_HOLD_COMMENT));
		}
		buf_putc(b, '\n');
		if (!PQgetisnull(r, i, SU_REASONS)) {
			buf_puts(b, "       ");
			put(b, UV(SU_REASONS));
			buf_putc(b, '\n');
		}
#undef UV
	}
}

/* Stream a read (sql, n parameters p) in the format asked for: an exit status. */
static int print_read(PGconn *c, const struct opts *o, const char *sql, int n, const char *const *p,
                      const char *const *names, void (*text)(struct buf *, const PGresult *))
{
	char err[1024];
	if (cli_stream_rows(c, sql, n, p, o->format, names, text, err, sizeof err) < 0) {
		cli_error("%s", err);
		return EXIT_DB;
	}
	return EXIT_OK;
}

/* The list: brought up to date (the customer's, or every customer's that
 * changed), then streamed. */
static int print_list(PGconn *c, const struct opts *o, const char *const *p)
{
	char err[1024];
	PGresult *r = p[4] ? db_exec(c, signals_refresh_one_sql, 1, p + 4, err, sizeof err)
	                   : db_exec(c, signals_refresh_all_sql, 0, NULL, err, sizeof err);
	if (!r) {
		cli_error("%s", err);
		return EXIT_DB;
	}
	const char *lp[8] = {p[0], p[1], p[2], p[3], p[4], p[5], PQgetvalue(r, 0, 0),
	                     PQgetisnull(r, 0, 1) ? NULL : PQgetvalue(r, 0, 1)};
	int rc = print_read(c, o, signals_list_stream_sql, 8, lp, signals_list_names, list_text);
	PQclear(r);
	return rc;
}

static int cmd_read(const struct cli *cli, const struct opts *o, int suppression)
{
	int rc = EXIT_OK;
	PGconn *c = cli_connect(cli, &rc);
	if (!c)
		return rc;
	char team[64] = "", id[32] = "";
	long long cid = 0;
	if (o->team && cli_resolve_team(c, o->team, team, sizeof team) < 0)
		rc = EXIT_FAIL;
	if (rc == EXIT_OK && o->customer && (rc = cli_resolve_customer(c, o->customer, &cid)) == EXIT_OK)
		snprintf(id, sizeof id, "%lld", cid);
	const struct signal_kind *k = o->kind ? signal_kind_find(o->kind) : NULL;
	const char *p[] = {k ? k->name : NULL, team[0] ? team : NULL, o->segment, o->owner,
	                   id[0] ? id : NULL, o->all ? "t" : "f"};
	/* One customer's read computes that customer itself. */
	if (rc == EXIT_OK && !id[0] && cli_signal_catch_up(c, 0) < 0)
		rc = EXIT_DB;
	if (rc == EXIT_OK && suppression)
		rc = print_read(c, o, signals_suppression_sql, 1, p + 4, signals_suppression_names,
		                suppression_text);
	else if (rc == EXIT_OK)
		rc = print_list(c, o, p);
	PQfinish(c);
	return rc;
}

static int cmd_ack(const struct cli *cli, const struct opts *o)
{
	const struct signal_kind *k = o->kind ? signal_kind_find(o->kind) : NULL;
	if (!o->customer || !k || !o->comment || !o->comment[0]) {
		cli_error("signals ack needs --customer, --kind and --comment. Try 'baton signals --help'.");
		return EXIT_USAGE;
	}
	if (cli_check_id(o->id) < 0)
		return EXIT_USAGE;
	int rc = EXIT_OK;
	PGconn *c = cli_connect(cli, &rc);
	if (!c)
		return rc;
	struct signal_write w;
	long long cid = 0;
	if ((rc = cli_resolve_customer(c, o->customer, &cid)) != EXIT_OK)
		goto out;
	if (signal_write_init(&w, cid, k->name, o->comment) < 0) {
		cli_error("no randomness for the entry's id");
		rc = EXIT_FAIL;
		goto out;
	}
	if (o->id)
		snprintf(w.id, sizeof w.id, "%s", o->id);
	struct signal_params sp;
	struct db_stmt st;
	signal_ack_stmt(&w, &sp, &st);
	PGresult *r = cli_exec_retrying(cli, &c, &st, &rc);
	if (r && PQgetvalue(r, 0, SW_DONE)[0] == 't') {
		printf("customer %lld: %s acknowledged%s\n", cid, k->title,
		       PQgetvalue(r, 0, SW_ALREADY)[0] == 't' ? " (already recorded)" : "");
	} else if (r) {
		cli_error("not acknowledged: %s", PQgetvalue(r, 0, SW_MESSAGE));
		rc = EXIT_FAIL;
	}
	PQclear(r);
out:
	PQfinish(c);
	return rc;
}

int cli_signals(const struct cli *cli, int argc, char **argv)
{
	const char *sub = argc > 1 && argv[1][0] != '-' ? argv[1] : "list";
	int skip = argc > 1 && argv[1][0] != '-';
	if (!strcmp(sub, "help")) {
		usage(stdout);
		return EXIT_OK;
	}
	/* getopt's messages say "baton signals list:" (main made argv[0]
	 * "baton signals"). */
	char name[64];
	if (skip && strlen(sub) < sizeof name - sizeof "baton signals ") {
		snprintf(name, sizeof name, "baton signals %s", sub);
		argv[1] = name;
	}
	struct opts o;
	int p = parse(argc - skip, argv + skip, &o);
	if (p)
		return p > 0 ? EXIT_OK : EXIT_USAGE;
	if (optind != argc - skip) {
		cli_error("unexpected argument '%s'. Try 'baton signals --help'.", argv[skip + optind]);
		return EXIT_USAGE;
	}
	if (!strcmp(sub, "list"))
		return cmd_read(cli, &o, 0);
	if (!strcmp(sub, "suppression"))
		return cmd_read(cli, &o, 1);
	if (!strcmp(sub, "ack"))
		return cmd_ack(cli, &o);
	cli_error("unknown signals command '%s'. Try 'baton signals --help'.", sub);
	return EXIT_USAGE;
}
