/* baton milestone set, baton health set: onboarding written back. */
#include "baton/cli.h"
#include "baton/db.h"
#include "baton/fmt.h"
#include "baton/handoff.h"
#include "baton/onboarding.h"
#include "baton/text.h"

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
	"Usage: baton milestone set ID [--status not-started|in-progress|blocked|done]\n"
	"                          [--due YYYY-MM-DD|none] [--owner ROLE|none]\n"
	"                          [--reason TEXT] [--version N | --force] [--id UUID]\n"
	"       baton health set --customer C --health on-track|at-risk|off-track|done\n"
	"                        --reason TEXT [--id UUID]\n"
	"\n"
	"ID is a milestone's number, as 'baton show' prints it (#12 or 12); what\n"
	"is not given stays as it is. A blocked milestone needs --reason, which is\n"
	"one line. The onboarding team (the setting onboarding_team) may change\n"
	"any milestone, its owner that one; the health, the onboarding team or\n"
	"an owner of one of the customer's milestones. A change acts on the\n"
	"version you saw: --version N, else the one read when the command starts;\n"
	"--force on whatever it is now. Refused because someone else changed it\n"
	"first, it exits 1 and says who, when and the version now. --id names the\n"
	"change (a UUID): sent again with the same id, it is recorded once.\n";

struct opts {
	const char *status, *due, *owner, *reason, *customer, *health, *id;
	int version, force;
};

static int parse(int argc, char **argv, struct opts *o, int *optind_out)
{
	static const struct option lo[] = {
		{"status", required_argument, NULL, 's'},   {"due", required_argument, NULL, 'd'},
		{"owner", required_argument, NULL, 'o'},    {"reason", required_argument, NULL, 'r'},
		{"customer", required_argument, NULL, 'C'}, {"health", required_argument, NULL, 'H'},
		{"id", required_argument, NULL, 'i'},       {"version", required_argument, NULL, 'v'},
		{"force", no_argument, NULL, 'F'},          {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	memset(o, 0, sizeof *o);
	optind = 0; /* GNU getopt: reinitialise, main() parsed with "+" */
	int c;
	long long v;
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 's': o->status = optarg; break;
		case 'd': o->due = optarg; break;
		case 'o': o->owner = optarg; break;
		case 'r': o->reason = optarg; break;
		case 'C': o->customer = optarg; break;
		case 'H': o->health = optarg; break;
		case 'i': o->id = optarg; break;
		case 'F': o->force = 1; break;
		case 'v':
			if (cli_number("--version", "a version number", optarg, 1, INT_MAX, &v) < 0)
				return -1;
			o->version = (int)v;
			break;
		case 'h': fputs(usage_text, stdout); return 1;
		default: fputs("Try 'baton milestone --help'.\n", stderr); return -1;
		}
	}
	*optind_out = optind;
	return 0;
}

/* "set" and nothing else after it but options; the positionals left.  An
 * exit status, -1 to go on. */
static int parse_set(const char *command, int argc, char **argv, struct opts *o, char ***pos,
                     int *npos)
{
	static const char *const subs[] = {"set", NULL};
	int rc;
	if (cli_subcommand(argc, argv, command, usage_text, subs, &rc) < 0)
		return rc;
	int first;
	int p = parse(argc - 1, argv + 1, o, &first);
	if (p)
		return p > 0 ? EXIT_OK : EXIT_USAGE;
	*npos = argc - 1 - first;
	*pos = argv + 1 + first;
	if (cli_check_id(o->id) < 0)
		return EXIT_USAGE;
	return -1;
}

/* The answer of either function: printed, and its exit status. */
static int report(PGresult *r, const char *what, int milestone)
{
	struct handoff_step_result res;
	if (handoff_step_read(r, &res) < 0) {
		cli_error("unexpected answer from the database");
		return EXIT_DB;
	}
	const char *state = milestone ? onboarding_status_label(res.state) : res.state;
	char words[32];
	fmt_words(words, sizeof words, state);
	if (!res.done) {
		cli_error("not changed: %s", res.message);
		return EXIT_FAIL;
	}
	const char *note = res.already ? ", already recorded" : strcmp(res.message, "unchanged") ? "" : ", unchanged";
	if (milestone)
		printf("%s: %s (version %d%s)\n", what, words, res.version, note);
	else if (*note)
		printf("%s: %s (%s)\n", what, words, note + 2);
	else
		printf("%s: %s\n", what, words);
	return EXIT_OK;
}

/* Send the change, again while the connection is lost (its id makes that
 * safe); print the answer.  An exit status. */
static int send_change(const struct cli *cli, PGconn **c, const struct db_stmt *st, const char *what,
                       int milestone)
{
	int rc;
	PGresult *r = cli_exec_retrying(cli, c, st, &rc);
	if (!r)
		return rc;
	rc = report(r, what, milestone);
	PQclear(r);
	return rc;
}

/* The options over what the milestone is now.  An exit status. */
static int milestone_apply(const struct opts *o, struct milestone_change *m)
{
	/* Without --status the status read stays (copying it onto itself
	 * was an overlapping snprintf, which emptied it). */
	if (o->status) {
		const char *status = onboarding_status_db(o->status);
		if (!status) {
			cli_error("--status must be not-started, in-progress, blocked or done, not '%s'", o->status);
			return EXIT_USAGE;
		}
		snprintf(m->status, sizeof m->status, "%s", status);
	}
	if (o->due)
		snprintf(m->due, sizeof m->due, "%s", strcmp(o->due, "none") ? o->due : "");
	if (o->due && strcmp(o->due, "none") && !onboarding_date_valid(o->due)) {
		cli_error("--due must be a date YYYY-MM-DD or none, not '%s'", o->due);
		return EXIT_USAGE;
	}
	if (o->owner)
		snprintf(m->owner, sizeof m->owner, "%s", strcmp(o->owner, "none") ? o->owner : "");
	/* The blocked reason read goes along only while it stays blocked. */
	if (o->reason || strcmp(m->status, "blocked"))
		snprintf(m->reason, sizeof m->reason, "%s", o->reason ? o->reason : "");
	if (o->force)
		m->version = 0;
	else if (o->version)
		m->version = o->version;
	return EXIT_OK;
}

/* The milestone as it is now, into m.  An exit status. */
static int milestone_read(PGconn *c, long long id, struct milestone_change *m)
{
	char err[1024], idtxt[24];
	snprintf(idtxt, sizeof idtxt, "%lld", id);
	const char *p[] = {idtxt};
	PGresult *r = db_exec(c, onboarding_milestone_sql, 1, p, err, sizeof err);
	int rc = !r ? EXIT_DB : PQntuples(r) != 1 || PQnfields(r) != OM_COLS ? EXIT_FAIL : EXIT_OK;
	if (rc == EXIT_OK) {
		const char *v[OM_COLS];
		for (int i = 0; i < OM_COLS; i++)
			v[i] = PQgetvalue(r, 0, i);
		onboarding_milestone_from(m, v);
	} else if (r) {
		cli_error("no milestone #%lld", id);
	} else {
		cli_error("%s", err);
	}
	PQclear(r);
	return rc;
}

static int milestone_set(const struct cli *cli, const struct opts *o, const char *given)
{
	long long id;
	if (cli_ref_number("the milestone", "a milestone number (as 'baton show' prints it)", given, &id) < 0)
		return EXIT_USAGE;
	if (!o->status && !o->due && !o->owner && !o->reason) {
		cli_error("nothing to change: give --status, --due, --owner or --reason");
		return EXIT_USAGE;
	}
	if (o->force && o->version) {
		cli_error("--force acts on the milestone as it is now: not with --version");
		return EXIT_USAGE;
	}
	struct milestone_change m;
	if (onboarding_milestone_init(&m) < 0) {
		cli_error("no randomness for the change's id");
		return EXIT_FAIL;
	}
	if (o->id)
		snprintf(m.id, sizeof m.id, "%s", o->id);
	int rc = EXIT_OK;
	PGconn *c = cli_connect(cli, &rc);
	if (!c)
		return rc;
	char err[1024], what[720];
	if ((rc = milestone_read(c, id, &m)) == EXIT_OK && (rc = milestone_apply(o, &m)) == EXIT_OK &&
	    onboarding_milestone_validate(&m, err, sizeof err) < 0) {
		cli_error("%s", err);
		rc = EXIT_USAGE;
	}
	if (rc == EXIT_OK) {
		struct handoff_params st;
		struct db_stmt s;
		onboarding_milestone_stmt(&m, &st, &s);
		/* Printed: the title comes from the database. */
		char *title = text_clean_dup(m.title, TEXT_ONELINE);
		snprintf(what, sizeof what, "#%lld %s", id, title);
		free(title);
		rc = send_change(cli, &c, &s, what, 1);
	}
	PQfinish(c);
	return rc;
}

int cli_milestone(const struct cli *cli, int argc, char **argv)
{
	struct opts o;
	char **pos;
	int npos, rc = parse_set("milestone", argc, argv, &o, &pos, &npos);
	if (rc >= 0)
		return rc;
	if (npos != 1 || o.customer || o.health) {
		cli_error(npos != 1 ? "milestone set takes one milestone number. Try 'baton milestone --help'."
		                    : "--customer and --health are for 'baton health set'");
		return EXIT_USAGE;
	}
	return milestone_set(cli, &o, pos[0]);
}

int cli_health(const struct cli *cli, int argc, char **argv)
{
	struct opts o;
	char **pos, err[1024];
	int npos, rc = parse_set("health", argc, argv, &o, &pos, &npos);
	if (rc >= 0)
		return rc;
	if (npos) {
		cli_error("unexpected argument '%s'. Try 'baton health --help'.", pos[0]);
		return EXIT_USAGE;
	}
	if (!o.customer || !o.health || !o.reason) {
		cli_error("health set needs --customer, --health and --reason");
		return EXIT_USAGE;
	}
	struct health_change h;
	if (onboarding_health_init(&h) < 0) {
		cli_error("no randomness for the change's id");
		return EXIT_FAIL;
	}
	if (o.id)
		snprintf(h.id, sizeof h.id, "%s", o.id);
	const char *health = onboarding_health_db(o.health);
	snprintf(h.health, sizeof h.health, "%s", health ? health : o.health);
	snprintf(h.reason, sizeof h.reason, "%s", o.reason);
	if (!health || onboarding_health_validate(&h, err, sizeof err) < 0) {
		if (!health)
			cli_error("--health must be on-track, at-risk, off-track or done, not '%s'", o.health);
		else
			cli_error("%s", err);
		return EXIT_USAGE;
	}
	PGconn *c = cli_connect(cli, &rc);
	if (!c)
		return rc;
	if ((rc = cli_resolve_customer(c, o.customer, &h.customer_id)) == EXIT_OK) {
		struct handoff_params st;
		struct db_stmt s;
		char what[64];
		onboarding_health_stmt(&h, &st, &s);
		snprintf(what, sizeof what, "customer #%lld onboarding health", h.customer_id);
		rc = send_change(cli, &c, &s, what, 0);
	}
	PQfinish(c);
	return rc;
}
