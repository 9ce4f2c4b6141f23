/* baton campaign hold|release: stop (or let go) one scheduled marketing
 * send, with a reason, through the server's rules (migration 009). */
#include "baton/cli.h"
#include "baton/db.h"
#include "baton/signals.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
	"Usage: baton campaign hold|release ID --comment TEXT [--id UUID]\n"
	"\n"
	"Hold a scheduled marketing send for its customer, or release it again.\n"
	"ID is the send's number as 'baton show' and 'baton signals suppression'\n"
	"print it (6 or #6). A held send shows as held everywhere and in the\n"
	"suppression list a marketing tool reads before sending. Who may hold is\n"
	"the database's rule (campaign_hold_teams in 'baton settings'); the\n"
	"comment says why, for everyone. --id gives the entry's id, so that a\n"
	"script retrying after a lost answer is recognised instead of refused.\n";

struct opts {
	const char *comment, *id;
};

static int parse(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{"comment", required_argument, NULL, 'c'}, {"id", required_argument, NULL, 'i'},
		{"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0},
	};
	memset(o, 0, sizeof *o);
	optind = 0; /* GNU getopt: reinitialise, main() parsed with "+" */
	int c;
	while ((c = getopt_long(argc, argv, "c:h", lo, NULL)) != -1) {
		switch (c) {
		case 'c': o->comment = optarg; break;
		case 'i': o->id = optarg; break;
		case 'h': fputs(usage_text, stdout); return 1;
		default: fputs("Try 'baton campaign --help'.\n", stderr); return -1;
		}
	}
	return 0;
}

/* The command line into w: an exit status. */
static int prepare(const struct opts *o, const char *action, const char *given,
                   struct signal_write *w)
{
	long long event;
	if (cli_ref_number("the send", "a send's number (as 'baton show' prints it)", given, &event) < 0)
		return EXIT_USAGE;
	if (!o->comment || !o->comment[0]) {
		cli_error("campaign %s needs --comment: say why, for everyone who sees the send", action);
		return EXIT_USAGE;
	}
	if (cli_check_id(o->id) < 0)
		return EXIT_USAGE;
	if (signal_write_init(w, event, action, o->comment) < 0) {
		cli_error("no randomness for the entry's id");
		return EXIT_FAIL;
	}
	if (o->id)
		snprintf(w->id, sizeof w->id, "%s", o->id);
	return EXIT_OK;
}

static int cmd_hold(const struct cli *cli, const struct opts *o, const char *action, const char *given)
{
	struct signal_write w;
	int rc = prepare(o, action, given, &w);
	if (rc != EXIT_OK)
		return rc;
	PGconn *c = cli_connect(cli, &rc);
	if (!c)
		return rc;
	struct signal_params sp;
	struct db_stmt st;
	signal_hold_stmt(&w, &sp, &st);
	PGresult *r = cli_exec_retrying(cli, &c, &st, &rc);
	if (r && PQgetvalue(r, 0, SW_DONE)[0] == 't') {
		printf("campaign %lld: %s%s\n", w.target, PQgetvalue(r, 0, SW_STATE)[0] == 't' ? "held" : "released",
		       PQgetvalue(r, 0, SW_ALREADY)[0] == 't' ? " (already recorded)" : "");
	} else if (r) {
		cli_error("campaign %lld not %s: %s", w.target, !strcmp(action, "hold") ? "held" : "released",
		          PQgetvalue(r, 0, SW_MESSAGE));
		rc = EXIT_FAIL;
	}
	PQclear(r);
	PQfinish(c);
	return rc;
}

int cli_campaign(const struct cli *cli, int argc, char **argv)
{
	static const char *const subs[] = {"hold", "release", NULL};
	int rc, k = cli_subcommand(argc, argv, "campaign", usage_text, subs, &rc);
	if (k < 0)
		return rc;
	const char *sub = subs[k];
	struct opts o;
	int p = parse(argc - 1, argv + 1, &o);
	if (p)
		return p > 0 ? EXIT_OK : EXIT_USAGE;
	if (optind + 1 != argc - 1) {
		cli_error("campaign %s takes one send's number. Try 'baton campaign --help'.", sub);
		return EXIT_USAGE;
	}
	return cmd_hold(cli, &o, sub, argv[1 + optind]);
}
