/* baton note add: a success note (or a correction of one) about a
 * customer, through the server's baton_note_add. */
#include "baton/cli.h"
#include "baton/db.h"
#include "baton/handoff.h"
#include "baton/note.h"
#include "baton/team.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
	"Usage: baton note add --customer C [--kind K] [--ticket N | --handoff ID]\n"
	"                      [--supersedes NOTE] [--id UUID] [--message TEXT]\n"
	"\n"
	"Writes a success note about a customer and prints its id. The note is\n"
	"read from standard input unless --message is given. K is note (the\n"
	"default), call, meeting, qbr or email. --ticket or --handoff link it to\n"
	"one of the customer's: a ticket by its number as the console shows it\n"
	"(4812 or #4812: the helpdesk's, else Baton's id; id:17 is Baton's ticket\n"
	"17, for two tickets of one number), a handoff by its id or its first 4\n"
	"or more hex digits. --supersedes NOTE writes a correction: the new note\n"
	"is the current one and the old stays in the history. --id gives the\n"
	"note's client id: a script that sends the same note again with the same\n"
	"id (after a lost connection) gets the same note, never a second one.\n"
	"You write as your database role; the largest note is the database's\n"
	"('baton settings').\n";

struct opts {
	const char *customer, *handoff, *message, *id, *ticket;
	long long supersedes;
	char kind[8];
};

static int parse(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{"customer", required_argument, NULL, 'C'}, {"kind", required_argument, NULL, 'k'},
		{"ticket", required_argument, NULL, 't'},   {"handoff", required_argument, NULL, 'H'},
		{"supersedes", required_argument, NULL, 's'}, {"id", required_argument, NULL, 'i'},
		{"message", required_argument, NULL, 'm'},  {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	memset(o, 0, sizeof *o);
	snprintf(o->kind, sizeof o->kind, "note");
	optind = 0; /* GNU getopt: reinitialise, main() parsed with "+" */
	int c;
	while ((c = getopt_long(argc, argv, "m:h", lo, NULL)) != -1) {
		switch (c) {
		case 'C': o->customer = optarg; break;
		case 'H': o->handoff = optarg; break;
		case 'm': o->message = optarg; break;
		case 'i': o->id = optarg; break;
		case 'k':
			if (!note_kind_valid(optarg)) {
				cli_error("--kind must be note, call, meeting, qbr or email, not '%s'", optarg);
				return -1;
			}
			snprintf(o->kind, sizeof o->kind, "%s", optarg);
			break;
		case 't':
			if (cli_ticket_ref(optarg) < 0)
				return -1;
			o->ticket = optarg;
			break;
		case 's':
			if (cli_ref_number("--supersedes", "a note id", optarg, &o->supersedes) < 0)
				return -1;
			break;
		case 'h': fputs(usage_text, stdout); return 1;
		default: fputs("Try 'baton note --help'.\n", stderr); return -1;
		}
	}
	if (optind < argc) {
		cli_error("unexpected argument '%s'. Try 'baton note --help'.", argv[optind]);
		return -1;
	}
	return 0;
}

/* What the options say, checked before anything is read: an exit status. */
static int check_opts(const struct opts *o, struct handoff_id_range *range)
{
	if (!o->customer) {
		cli_error("note add needs --customer. Try 'baton note --help'.");
		return EXIT_USAGE;
	}
	if (o->ticket && o->handoff) {
		cli_error("link the note to a ticket or to a handoff, not both");
		return EXIT_USAGE;
	}
	if (o->handoff && handoff_id_range(o->handoff, range) < 0) {
		cli_error("--handoff '%s' is not a handoff id: give it whole or its first %d or more hex digits",
		          o->handoff, HANDOFF_PREFIX_MIN);
		return EXIT_USAGE;
	}
	if (cli_check_id(o->id) < 0)
		return EXIT_USAGE;
	return EXIT_OK;
}

/* The note from the options and standard input, checked as far as it can
 * be without the database: an exit status. */
static int note_from_opts(const struct opts *o, struct note_new *n, size_t *size)
{
	if (note_init(n) < 0) {
		cli_error("no randomness for the note id");
		return EXIT_FAIL;
	}
	if (o->id)
		snprintf(n->id, sizeof n->id, "%s", o->id);
	snprintf(n->kind, sizeof n->kind, "%s", o->kind);
	n->ticket_ref = o->ticket;
	n->supersedes = o->supersedes;
	*size = o->message ? strlen(o->message) : 0;
	n->body = o->message ? strdup(o->message) : cli_read_note(HANDOFF_NOTE_MAX, size);
	if (!n->body)
		abort();
	char err[256];
	if (!cli_note_too_big(*size, HANDOFF_NOTE_MAX) && note_validate(n, 0, err, sizeof err) == 0)
		return EXIT_OK;
	if (*size <= HANDOFF_NOTE_MAX)
		cli_error("%s", err);
	return EXIT_FAIL;
}

static int cmd_add(const struct cli *cli, const struct opts *o)
{
	struct handoff_id_range range;
	struct note_new n;
	struct team_list rules = {0};
	char err[1024];
	size_t size;
	int rc = check_opts(o, &range);
	if (rc != EXIT_OK)
		return rc;
	if ((rc = note_from_opts(o, &n, &size)) != EXIT_OK) {
		note_clear(&n);
		return rc;
	}
	PGconn *c = cli_connect(cli, &rc);
	if (!c) {
		note_clear(&n);
		return rc;
	}
	/* The database's largest note, to say at once (the server refuses it
	 * anyway); then what the note is about. */
	if (team_list_fetch(c, &rules, 2, err, sizeof err) < 0) {
		cli_error("%s", err);
		rc = EXIT_DB;
		goto out;
	}
	if (cli_note_too_big(size, (size_t)rules.max_note_bytes)) {
		rc = EXIT_FAIL;
		goto out;
	}
	if ((rc = cli_resolve_customer(c, o->customer, &n.customer_id)) != EXIT_OK ||
	    (o->handoff && (rc = cli_resolve_handoff(c, o->handoff, &range, n.handoff_id)) != EXIT_OK))
		goto out;
	struct note_params st;
	struct db_stmt s;
	note_add_stmt(&n, &st, &s);
	PGresult *r = cli_exec_retrying(cli, &c, &s, &rc);
	long long id = 0;
	if (r && note_add_read(r, &id) < 0) {
		cli_error("unexpected answer from baton_note_add");
		rc = EXIT_FAIL;
	} else if (r) {
		printf("%lld\n", id);
	}
	PQclear(r);
out:
	team_list_free(&rules);
	note_clear(&n);
	PQfinish(c);
	return rc;
}

int cli_note(const struct cli *cli, int argc, char **argv)
{
	static const char *const subs[] = {"add", NULL};
	int rc;
	if (cli_subcommand(argc, argv, "note", usage_text, subs, &rc) < 0)
		return rc;
	struct opts o;
	int p = parse(argc - 1, argv + 1, &o);
	if (p)
		return p > 0 ? EXIT_OK : EXIT_USAGE;
	return cmd_add(cli, &o);
}
