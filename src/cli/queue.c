/* baton queue: the leads' handoff queue as text, JSON or CSV. */
#include "baton/buf.h"
#include "baton/cli.h"
#include "baton/config.h"
#include "baton/csv.h"
#include "baton/customer.h"
#include "baton/db.h"
#include "baton/queue.h"
#include "baton/team.h"
#include "baton/text.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
	"Usage: baton queue [--team T] [--to PERSON] [--state S] [--reason R]\n"
	"                   [--priority P] [--segment S] [--breached] [--mine]\n"
	"                   [--view NAME] [--format text|json|csv]\n"
	"The handoff queue: unacknowledged handoffs past their SLA first, by\n"
	"severity (the most urgent priority first, then the furthest past its SLA),\n"
	"then the other open ones, then acknowledged ones, each oldest first. --state\n"
	"resolved or cancelled lists closed ones, newest first. --view uses a\n"
	"saved view of the configuration (queue.views).\n";

static const char *const col_names[Q_COLS] = {"id", "customer_id", "customer", "from_team",
	"to_team", "to_staff", "reason", "priority", "state", "age_s", "ack_left_s", "breached",
	"last_event", "version", "note", "segment", "signal", "signals"};

/* One filter option, checked as the console checks its filter. */
static int set(struct queue_filter *f, const char *key, const char *v)
{
	char err[2048];
	/* A team may be named by id or name: checked once connected. */
	if (!strcmp(key, "team") && v[0] && strlen(v) < sizeof f->team) {
		snprintf(f->team, sizeof f->team, "%s", v);
		return 0;
	}
	if (queue_filter_set(f, key, v, NULL, err, sizeof err) < 0) {
		cli_error("%s", err);
		return -1;
	}
	return 0;
}

/* --view NAME: the saved view's filter (its values were checked when the
 * configuration was read). */
static int use_view(const struct cli *cli, struct queue_filter *f, const char *name)
{
	for (size_t i = 0; i < cli->cfg->nviews; i++)
		if (!strcmp(cli->cfg->views[i].name, name)) {
			queue_filter_from_view(f, &cli->cfg->views[i]);
			return 0;
		}
	cli_error("no queue view named '%s' in the configuration", name);
	return -1;
}

/* --team and --reason name the database's teams and reasons: checked
 * once connected. */
static int check_lists(PGconn *conn, struct queue_filter *f)
{
	struct team_list teams = {0};
	char err[2048], team[sizeof f->team], reason[sizeof f->reason];
	snprintf(team, sizeof team, "%s", f->team);
	snprintf(reason, sizeof reason, "%s", f->reason);
	int rc = team_list_fetch(conn, &teams, 2, err, sizeof err) < 0 ? EXIT_DB : EXIT_OK;
	if (rc == EXIT_OK &&
	    ((team[0] && queue_filter_set(f, "team", team, &teams, err, sizeof err) < 0) ||
	     (reason[0] && queue_filter_set(f, "reason", reason, &teams, err, sizeof err) < 0)))
		rc = EXIT_USAGE;
	if (rc != EXIT_OK)
		cli_error("%s", err);
	team_list_free(&teams);
	return rc;
}

/* --to names someone on the staff: checked once connected, as --team is. */
static int check_person(PGconn *conn, const char *person)
{
	char err[1024];
	const char *params[] = {person};
	PGresult *r = db_exec(conn, queue_person_sql, 1, params, err, sizeof err);
	if (!r) {
		cli_error("%s", err);
		return EXIT_DB;
	}
	int known = PQntuples(r) > 0;
	PQclear(r);
	if (known)
		return EXIT_OK;
	queue_person_unknown(person, err, sizeof err);
	cli_error("%s", err);
	return EXIT_USAGE;
}

static void print_text(struct buf *b, PGresult *r, PGresult *counts, PGresult *med)
{
	char age[16], left[32];
	for (int i = 0; i < PQntuples(counts); i++)
		buf_printf(b, "# %s: %s active, %s not acknowledged, %s breached\n",
		           PQgetvalue(counts, i, QC_TEAM), PQgetvalue(counts, i, QC_OPEN),
		           PQgetvalue(counts, i, QC_UNACK), PQgetvalue(counts, i, QC_BREACHED));
	if (PQntuples(med) == 1) {
		char m7[16] = "-", m30[16] = "-";
		if (!PQgetisnull(med, 0, QM_MEDIAN_7D))
			fmt_age(m7, sizeof m7, atoll(PQgetvalue(med, 0, QM_MEDIAN_7D)));
		if (!PQgetisnull(med, 0, QM_MEDIAN_30D))
			fmt_age(m30, sizeof m30, atoll(PQgetvalue(med, 0, QM_MEDIAN_30D)));
		buf_printf(b, "# median time to acknowledge: last 7 days %s, last 30 days %s\n", m7, m30);
	}
	for (int i = 0; i < PQntuples(r); i++) {
		int breached = PQgetvalue(r, i, Q_BREACHED)[0] == 't';
		fmt_age(age, sizeof age, atoll(PQgetvalue(r, i, Q_AGE_S)));
		left[0] = '\0';
		if (!strcmp(PQgetvalue(r, i, Q_STATE), "open") && !PQgetisnull(r, i, Q_ACK_LEFT_S))
			fmt_left(left, sizeof left, atoll(PQgetvalue(r, i, Q_ACK_LEFT_S)));
		/* Role names are whatever an administrator typed: clean them
		 * like any text from the database. */
		char *to = text_clean_dup(PQgetvalue(r, i, Q_TO_STAFF), TEXT_ONELINE);
		char *last = text_clean_dup(PQgetvalue(r, i, Q_LAST_EVENT), TEXT_ONELINE);
		buf_printf(b, "%s\t%s\t%s\t%s\t%s -> %s%s%s\t%s\t%s\t%s\t", PQgetvalue(r, i, Q_ID),
		           breached ? "BREACHED" : PQgetvalue(r, i, Q_STATE), age,
		           left[0] ? left : "-", PQgetvalue(r, i, Q_FROM_TEAM), PQgetvalue(r, i, Q_TO_TEAM),
		           *to ? ":" : "", to, PQgetvalue(r, i, Q_REASON), PQgetvalue(r, i, Q_PRIORITY), last);
		free(to);
		free(last);
		text_clean(b, PQgetvalue(r, i, Q_CUSTOMER), strlen(PQgetvalue(r, i, Q_CUSTOMER)), TEXT_ONELINE);
		buf_putc(b, '\n');
	}
}

/* The same CSV as the console's export. */
static int print_csv(struct buf *b, PGresult *r)
{
	struct queue_list l = {0};
	char err[256];
	if (queue_list_read(&l, r, err, sizeof err) < 0) {
		cli_error("%s", err);
		return -1;
	}
	queue_list_csv(b, &l);
	queue_list_free(&l);
	return 0;
}

/* The options into f and *format: 0, 1 after --help, -1 on a usage error
 * (said). */
static int parse(const struct cli *cli, int argc, char **argv, struct queue_filter *f,
                 const char **format)
{
	static const struct option lo[] = {
		{"team", required_argument, NULL, 'T'},  {"to", required_argument, NULL, 'p'},
		{"state", required_argument, NULL, 's'}, {"reason", required_argument, NULL, 'r'},
		{"priority", required_argument, NULL, 'P'}, {"segment", required_argument, NULL, 'S'},
		{"breached", no_argument, NULL, 'b'},    {"mine", no_argument, NULL, 'm'},
		{"view", required_argument, NULL, 'v'},  {"format", required_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},        {NULL, 0, NULL, 0},
	};
	memset(f, 0, sizeof *f);
	*format = "text";
	int c, bad = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'T': bad |= set(f, "team", optarg); break;
		case 'p': bad |= set(f, "to", optarg); break;
		case 's': bad |= set(f, "state", optarg); break;
		case 'r': bad |= set(f, "reason", optarg); break;
		case 'P': bad |= set(f, "priority", optarg); break;
		case 'S': bad |= set(f, "segment", optarg); break;
		case 'b': f->breached = 1; break;
		case 'm': f->mine = 1; break;
		case 'f': *format = optarg; break;
		case 'v': bad |= use_view(cli, f, optarg); break;
		case 'h': fputs(usage, stdout); return 1;
		default: fputs(usage, stderr); return -1;
		}
	}
	if (optind != argc) {
		cli_error("unexpected argument '%s'", argv[optind]);
		return -1;
	}
	if (bad)
		return -1;
	if (cli_format(*format, 1) < 0)
		return -1;
	return 0;
}

int cli_queue(const struct cli *cli, int argc, char **argv)
{
	struct queue_filter f;
	const char *format;
	int p = parse(cli, argc, argv, &f, &format);
	if (p)
		return p > 0 ? EXIT_OK : EXIT_USAGE;
	int rc = EXIT_OK;
	PGconn *conn = cli_connect(cli, &rc);
	if (!conn)
		return rc;
	if (((f.team[0] || f.reason[0]) && (rc = check_lists(conn, &f)) != EXIT_OK) ||
	    (f.person[0] && (rc = check_person(conn, f.person)) != EXIT_OK)) {
		PQfinish(conn);
		return rc;
	}
	struct queue_params qp;
	struct db_stmt st[3];
	PGresult *res[3];
	char err[1024];
	queue_statements(&f, &qp, st);
	if (db_pipeline(conn, st, 3, res, err, sizeof err) < 0) {
		cli_error("%s", err);
		PQfinish(conn);
		return EXIT_DB;
	}
	struct buf b = BUF_INIT;
	rc = EXIT_OK;
	if (!strcmp(format, "json"))
		cli_json_rows(&b, res[0], col_names);
	else if (!strcmp(format, "csv"))
		rc = print_csv(&b, res[0]) < 0 ? EXIT_FAIL : EXIT_OK;
	else
		print_text(&b, res[0], res[1], res[2]);
	if (rc == EXIT_OK)
		fwrite(buf_str(&b), 1, b.len, stdout);
	buf_free(&b);
	for (int i = 0; i < 3; i++)
		PQclear(res[i]);
	PQfinish(conn);
	return rc;
}
