/* baton handoff new|ack|resolve|cancel|reassign|comment|list */
#include "baton/buf.h"
#include "baton/cli.h"
#include "baton/config.h"
#include "baton/customer.h"
#include "baton/db.h"
#include "baton/handoff.h"
#include "baton/migrate.h"
#include "baton/team.h"
#include "baton/text.h"

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage_text[] =
	"Usage: baton handoff new --customer C --to-team T [--to PERSON] --reason R\n"
	"                         [--priority P] [--ticket N] [--id UUID] [--message TEXT]\n"
	"       baton handoff ack|resolve|cancel ID [--comment TEXT] [--version N | --force]\n"
	"                                        [--id UUID]\n"
	"       baton handoff reassign ID --to-team T [--to PERSON] --comment TEXT\n"
	"                              [--version N | --force] [--id UUID]\n"
	"       baton handoff comment ID --comment TEXT [--id UUID]\n"
	"       baton handoff list [--mine | --team T] [--state S] [--format text|json]\n"
	"\n"
	"ID is a handoff's id or, as the console shows it, its first 4 or more hex\n"
	"digits (unique among all handoffs). A ticket N is its number as the\n"
	"console shows it, 4812 or #4812 (the helpdesk's, else Baton's id): the\n"
	"customer's ticket of that number, else of that id; id:17 is Baton's\n"
	"ticket 17, for two tickets of one number (from two helpdesks).\n"
	"new reads the note from standard input unless --message is given and\n"
	"prints the new handoff's id. You act as your database role: the author of\n"
	"every step is the session user. A step acts on the version you saw:\n"
	"--version N (as 'baton handoff list' shows it), else the one read when\n"
	"the command starts; --force acts on whatever it is now. A step refused\n"
	"because someone else got there first exits 1 and says who, when, and the\n"
	"handoff's state and version now. Reasons, priorities and the largest note\n"
	"are the database's ('baton settings').\n"
	"--id gives the new handoff's id, or the step's: a script that runs the\n"
	"same command again with the same id (after a timeout or a lost\n"
	"connection) gets what the first run wrote, never a second handoff or\n"
	"step, and is told so on standard error; a new UUID for each new one\n"
	"(uuidgen). The same id with other contents is not checked: it stays\n"
	"what the first run wrote.\n";

struct opts {
	const char *customer, *to_team, *to, *reason, *priority, *ticket, *message, *comment;
	const char *team, *state, *format, *id;
	int version, mine, force;
};

static int parse(int argc, char **argv, struct opts *o, int *optind_out)
{
	static const struct option lo[] = {
		{"customer", required_argument, NULL, 'C'}, {"to-team", required_argument, NULL, 'T'},
		{"to", required_argument, NULL, 'p'},       {"reason", required_argument, NULL, 'r'},
		{"priority", required_argument, NULL, 'P'}, {"ticket", required_argument, NULL, 't'},
		{"message", required_argument, NULL, 'm'},  {"comment", required_argument, NULL, 'c'},
		{"team", required_argument, NULL, 'e'},     {"state", required_argument, NULL, 's'},
		{"format", required_argument, NULL, 'f'},   {"version", required_argument, NULL, 'v'},
		{"mine", no_argument, NULL, 'M'},           {"help", no_argument, NULL, 'h'},
		{"force", no_argument, NULL, 'F'},          {"id", required_argument, NULL, 'i'},
		{NULL, 0, NULL, 0},
	};
	memset(o, 0, sizeof *o);
	optind = 0; /* GNU getopt: reinitialise, main() parsed with "+" */
	int c;
	while ((c = getopt_long(argc, argv, "m:c:h", lo, NULL)) != -1) {
		switch (c) {
		case 'C': o->customer = optarg; break;
		case 'T': o->to_team = optarg; break;
		case 'p': o->to = optarg; break;
		case 'r': o->reason = optarg; break;
		case 'P': o->priority = optarg; break;
		case 't': o->ticket = optarg; break;
		case 'm': o->message = optarg; break;
		case 'c': o->comment = optarg; break;
		case 'e': o->team = optarg; break;
		case 's': o->state = optarg; break;
		case 'f': o->format = optarg; break;
		case 'M': o->mine = 1; break;
		case 'F': o->force = 1; break;
		case 'i': o->id = optarg; break;
		case 'v': {
			long long v;
			if (cli_number("--version", "a version number", optarg, 1, INT_MAX, &v) < 0)
				return -1;
			o->version = (int)v;
			break;
		}
		case 'h': fputs(usage_text, stdout); return 1;
		default: fputs("Try 'baton handoff --help'.\n", stderr); return -1;
		}
	}
	*optind_out = optind;
	return cli_check_id(o->id) < 0 ? -1 : 0;
}

/* The new handoff the options describe, but for its note.  An exit status. */
static int new_from_opts(const struct opts *o, struct handoff_new *h)
{
	if (!o->customer || !o->to_team || !o->reason) {
		cli_error("handoff new needs --customer, --to-team and --reason. Try 'baton handoff --help'.");
		return EXIT_USAGE;
	}
	if (handoff_init(h) < 0) {
		cli_error("no randomness for the handoff id");
		return EXIT_FAIL;
	}
	if (o->id)
		snprintf(h->id, sizeof h->id, "%s", o->id);
	snprintf(h->reason, sizeof h->reason, "%s", o->reason);
	if (o->priority)
		snprintf(h->priority, sizeof h->priority, "%s", o->priority);
	if (o->to)
		snprintf(h->to_staff, sizeof h->to_staff, "%s", o->to);
	snprintf(h->to_team, sizeof h->to_team, "%s", o->to_team);
	if (o->ticket && cli_ticket_ref(o->ticket) < 0)
		return EXIT_USAGE;
	h->ticket_ref = o->ticket;
	return EXIT_OK;
}

static int cmd_new(const struct cli *cli, const struct opts *o)
{
	struct handoff_new h;
	char err[1024];
	int rc = new_from_opts(o, &h);
	if (rc != EXIT_OK)
		return rc;
	size_t size = o->message ? strlen(o->message) : 0;
	h.note = o->message ? strdup(o->message) : cli_read_note(HANDOFF_NOTE_MAX, &size);
	if (!h.note)
		abort();
	struct team_list rules = {0};
	if (size <= HANDOFF_NOTE_MAX && handoff_validate(&h, NULL, err, sizeof err) < 0) {
		cli_error("%s", err);
		handoff_clear(&h);
		return EXIT_FAIL;
	}
	PGconn *c = cli_connect(cli, &rc);
	if (!c) {
		handoff_clear(&h);
		return rc;
	}
	/* The database's reasons and largest note, to say at once what is
	 * wrong (the server refuses it anyway). */
	if (team_list_fetch(c, &rules, 2, err, sizeof err) == 0 &&
	    cli_note_too_big(size, (size_t)rules.max_note_bytes)) {
		rc = EXIT_FAIL;
		goto out;
	}
	if (rules.max_note_bytes == 0 || handoff_validate(&h, &rules, err, sizeof err) < 0) {
		cli_error("%s", err);
		rc = rules.max_note_bytes ? EXIT_FAIL : EXIT_DB;
		goto out;
	}
	if ((rc = cli_resolve_customer(c, o->customer, &h.customer_id)) != EXIT_OK)
		goto out;
	if (cli_resolve_team(c, o->to_team, h.to_team, sizeof h.to_team) < 0) {
		rc = EXIT_FAIL;
		goto out;
	}
	struct handoff_params st;
	struct db_stmt s;
	handoff_create_stmt(&h, &st, &s);
	PGresult *r = cli_exec_retrying(cli, &c, &s, &rc);
	if (r) {
		printf("%s\n", h.id);
		/* Written by an earlier run with this --id (the server checks it
		 * was the same person's). */
		if (PQgetvalue(r, 0, 0)[0] != 't')
			fprintf(stderr, "baton: handoff %s was already written (the same --id): not written again\n",
			        h.id);
	}
	PQclear(r);
out:
	team_list_free(&rules);
	handoff_clear(&h);
	PQfinish(c);
	return rc;
}

static int check_step(const struct opts *o, const char *kind, const char *given,
                      struct handoff_id_range *range)
{
	if (handoff_id_range(given, range) < 0) {
		cli_error("'%s' is not a handoff id: give it whole or its first %d or more hex digits,"
		          " as the console and 'baton handoff list' show it", given, HANDOFF_PREFIX_MIN);
		return -1;
	}
	if (!strcmp(kind, "reassigned") && (!o->to_team || !o->comment)) {
		cli_error("reassign needs --to-team and --comment");
		return -1;
	}
	if (!strcmp(kind, "commented") && !o->comment) {
		cli_error("comment needs --comment");
		return -1;
	}
	if (o->force && o->version) {
		cli_error("--force acts on the handoff as it is now: not with --version");
		return -1;
	}
	return 0;
}

/* The version the step acts on: --version, else the handoff's now (what
 * the person saw when they ran the command), 0 with --force and for a
 * comment (which no version guards).  An exit status. */
static int step_version(PGconn *c, const struct opts *o, const char *kind, const char *id,
                        int *version)
{
	*version = o->force || !strcmp(kind, "commented") ? 0 : o->version;
	if (*version || o->force || !strcmp(kind, "commented"))
		return EXIT_OK;
	char err[1024];
	const char *p[] = {id};
	PGresult *r = db_exec(c, "SELECT version FROM handoff WHERE id = $1::uuid", 1, p, err, sizeof err);
	int rc = !r ? EXIT_DB : PQntuples(r) != 1 ? EXIT_FAIL : EXIT_OK;
	if (rc == EXIT_OK)
		*version = atoi(PQgetvalue(r, 0, 0));
	else if (r)
		cli_error("no handoff %s", id);
	else
		cli_error("%s", err);
	PQclear(r);
	return rc;
}

static int cmd_step(const struct cli *cli, const struct opts *o, const char *kind, const char *given)
{
	struct handoff_id_range range;
	if (check_step(o, kind, given, &range) < 0)
		return EXIT_USAGE;
	struct handoff_step s;
	char id[37];
	int rc = EXIT_OK;
	PGconn *c = cli_connect(cli, &rc);
	if (!c)
		return rc;
	rc = cli_resolve_handoff(c, given, &range, id);
	if (rc != EXIT_OK) {
		PQfinish(c);
		return rc;
	}
	if (handoff_step_init(&s, id, kind) < 0) {
		cli_error("no randomness for the event id");
		PQfinish(c);
		return EXIT_FAIL;
	}
	if (o->id)
		snprintf(s.event_id, sizeof s.event_id, "%s", o->id);
	if (o->comment && !(s.comment = strdup(o->comment)))
		abort();
	if (o->to)
		snprintf(s.to_staff, sizeof s.to_staff, "%s", o->to);
	if (o->to_team && cli_resolve_team(c, o->to_team, s.to_team, sizeof s.to_team) < 0) {
		rc = EXIT_FAIL;
		goto out;
	}
	if ((rc = step_version(c, o, kind, id, &s.version)) != EXIT_OK)
		goto out;
	struct handoff_params st;
	struct db_stmt stmt;
	handoff_step_stmt(&s, &st, &stmt);
	PGresult *r = cli_exec_retrying(cli, &c, &stmt, &rc);
	if (r && PQgetvalue(r, 0, HS_DONE)[0] == 't') {
		printf("%s: %s (version %s)\n", id, PQgetvalue(r, 0, HS_STATE), PQgetvalue(r, 0, HS_VERSION));
		if (PQgetvalue(r, 0, HS_ALREADY)[0] == 't')
			fprintf(stderr, "baton: that step was already recorded (the same --id): not recorded again\n");
	} else if (r) {
		/* The version to act on now, should the person still want to. */
		cli_error("not %s: %s (%s, now version %s)", kind, PQgetvalue(r, 0, HS_MESSAGE),
		          PQgetvalue(r, 0, HS_STATE), PQgetvalue(r, 0, HS_VERSION));
		rc = EXIT_FAIL;
	}
	PQclear(r);
out:
	handoff_step_clear(&s);
	PQfinish(c);
	return rc;
}

static int cmd_list(const struct cli *cli, const struct opts *o)
{
	int json = cli_format(o->format, 0);
	if (json < 0)
		return EXIT_USAGE;
	static const char *const states[] = {"open", "acknowledged", "resolved", "cancelled"};
	int known = !o->state;
	for (int i = 0; i < 4 && !known; i++)
		known = !strcmp(o->state, states[i]);
	if (!known) {
		cli_error("--state must be open, acknowledged, resolved or cancelled");
		return EXIT_USAGE;
	}
	int rc = EXIT_OK;
	PGconn *c = cli_connect(cli, &rc);
	if (!c)
		return rc;
	char err[1024], team[64] = "";
	if (o->team && cli_resolve_team(c, o->team, team, sizeof team) < 0) {
		PQfinish(c);
		return EXIT_FAIL;
	}
	const char *me = PQuser(c);
	const char *p[] = {team, o->mine ? me : "", o->state ? o->state : "",
	                   (!o->team && !o->mine) ? "t" : "f"};
	PGresult *r = db_exec(c, handoff_list_sql, 4, p, err, sizeof err);
	if (!r) {
		cli_error("%s", err);
		PQfinish(c);
		return EXIT_DB;
	}
	static const char *const names[HL_COLS] = {"id", "customer_id", "customer", "from_team",
		"to_team", "to_staff", "reason", "priority", "state", "author", "created", "age_s",
		"ack_left_s", "version", "note"};
	struct buf b = BUF_INIT;
	if (json)
		cli_json_rows(&b, r, names);
	for (int i = 0; !json && i < PQntuples(r); i++) {
		char age[16], left[32] = "";
		fmt_age(age, sizeof age, atoll(PQgetvalue(r, i, HL_AGE_S)));
		if (!strcmp(PQgetvalue(r, i, HL_STATE), "open") && !PQgetisnull(r, i, HL_ACK_LEFT_S))
			fmt_left(left, sizeof left, atoll(PQgetvalue(r, i, HL_ACK_LEFT_S)));
		char *to = text_clean_dup(PQgetvalue(r, i, HL_TO_STAFF), TEXT_ONELINE);
		/* The version, as --version takes it. */
		buf_printf(&b, "%s\t%s v%s\t%s\t%s -> %s%s%s\t%s\t%s\t%s\t", PQgetvalue(r, i, HL_ID),
		           PQgetvalue(r, i, HL_STATE), PQgetvalue(r, i, HL_VERSION), age, PQgetvalue(r, i, HL_FROM_TEAM),
		           PQgetvalue(r, i, HL_TO_TEAM), *to ? ":" : "", to, PQgetvalue(r, i, HL_PRIORITY),
		           PQgetvalue(r, i, HL_REASON), left[0] ? left : "-");
		free(to);
		text_clean(&b, PQgetvalue(r, i, HL_CUSTOMER), strlen(PQgetvalue(r, i, HL_CUSTOMER)), TEXT_ONELINE);
		buf_putc(&b, '\n');
	}
	fwrite(buf_str(&b), 1, b.len, stdout);
	buf_free(&b);
	PQclear(r);
	PQfinish(c);
	return EXIT_OK;
}

int cli_handoff(const struct cli *cli, int argc, char **argv)
{
	/* new and list, then the steps: each with the event kind it writes. */
	static const char *const subs[] = {"new", "list", "ack", "acknowledge", "resolve", "cancel",
	                                   "reassign", "comment", NULL};
	static const char *const kinds[] = {NULL, NULL, "acknowledged", "acknowledged", "resolved",
	                                    "cancelled", "reassigned", "commented"};
	int rc, k = cli_subcommand(argc, argv, "handoff", usage_text, subs, &rc);
	if (k < 0)
		return rc;
	struct opts o;
	int first;
	int p = parse(argc - 1, argv + 1, &o, &first);
	if (p)
		return p > 0 ? EXIT_OK : EXIT_USAGE;
	int npos = argc - 1 - first;
	char **pos = argv + 1 + first;
	if (!kinds[k] && npos) {
		cli_error("unexpected argument '%s'. Try 'baton handoff --help'.", pos[0]);
		return EXIT_USAGE;
	}
	if (!kinds[k])
		return k == 0 ? cmd_new(cli, &o) : cmd_list(cli, &o);
	if (npos != 1) {
		cli_error("handoff %s takes one handoff id. Try 'baton handoff --help'.", subs[k]);
		return EXIT_USAGE;
	}
	return cmd_step(cli, &o, kinds[k], pos[0]);
}
