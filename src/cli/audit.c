/* baton audit: the append-only log of every write, newest first, for the
 * administrators (members of baton_admin). */
#include "baton/buf.h"
#include "baton/cli.h"
#include "baton/db.h"
#include "baton/text.h"

#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
	"Usage: baton audit [--customer C] [--staff ROLE] [--since WHEN] [--limit N]\n"
	"                   [--format text|json|csv]\n"
	"Every write to the shared database, newest first: who (the session user),\n"
	"when, from which application and address, what changed.  WHEN is a date or\n"
	"time (2026-11-01, '2026-11-01 09:00') or an age (30m, 12h, 7d, 2w).\n"
	"Needs the baton_admin role.\n";

/* $1 customer id or NULL, $2 actor or NULL, $3 since (timestamptz) or
 * NULL, $4 age (interval) or NULL, $5 limit, $6 true for the text view:
 * an import's row (migration 047: one per customer and file) says its run,
 * source and how many rows, not the ids of all of them (a key account's
 * thousands); JSON and CSV keep the ids. */
static const char audit_sql[] =
	"SELECT a.id, to_char(a.at, 'YYYY-MM-DD HH24:MI:SS') AS at, a.actor, a.application,"
	" coalesce(host(a.client_addr), 'local') AS client, a.action, a.entity, a.entity_id,"
	" a.customer_id,"
	" CASE WHEN $6::boolean AND a.action = 'import' AND jsonb_typeof(a.change -> 'ids') = 'array'"
	"  THEN (a.change - 'ids') || jsonb_build_object('rows', jsonb_array_length(a.change -> 'ids'))"
	"  ELSE a.change END"
	" FROM baton_audit a"
	" WHERE ($1::bigint IS NULL OR a.customer_id = $1::bigint)"
	"   AND ($2::name IS NULL OR a.actor = $2::name)"
	"   AND ($3::timestamptz IS NULL OR a.at >= $3::timestamptz)"
	"   AND ($4::interval IS NULL OR a.at >= now() - $4::interval)"
	" ORDER BY a.at DESC, a.id DESC LIMIT $5::int";

enum { A_ID, A_AT, A_ACTOR, A_APP, A_CLIENT, A_ACTION, A_ENTITY, A_ENTITY_ID, A_CUSTOMER,
       A_CHANGE, A_COLS };
static const char *const col_names[A_COLS] = {"id", "at", "actor", "application", "client",
	"action", "entity", "entity_id", "customer_id", "change"};

struct audit_opts {
	const char *customer, *staff, *since, *format;
	char since_ts[64], since_age[32], limit[16];
};

/* "7d" -> "7 days"; 0 if s is not an age. */
static int parse_age(const char *s, char *out, size_t n)
{
	static const struct { char c; const char *unit; } units[] = {
		{'m', "minutes"}, {'h', "hours"}, {'d', "days"}, {'w', "weeks"}};
	char *end;
	if (!isdigit((unsigned char)s[0]))
		return 0;
	long v = strtol(s, &end, 10);
	if (v < 0 || v > 100000 || end[0] == '\0' || end[1] != '\0')
		return 0;
	for (size_t i = 0; i < sizeof units / sizeof *units; i++)
		if (end[0] == units[i].c) {
			snprintf(out, n, "%ld %s", v, units[i].unit);
			return 1;
		}
	return 0;
}

/* n digits at *p into *v, advancing *p; 0 if they are not there. */
static int digits(const char **p, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++, (*p)++) {
		if (!isdigit((unsigned char)**p))
			return 0;
		*v = *v * 10 + (**p - '0');
	}
	return 1;
}

/* Whether s is a date or time as --since takes it: YYYY-MM-DD, then
 * optionally ' ' or 'T' and HH:MM[:SS[.FFF]], then optionally Z or an offset
 * (+HH[:MM]).  Checked here, so that a typo is a usage error naming the
 * forms rather than PostgreSQL's words about its input syntax. */
static int is_when(const char *s)
{
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y, mo, d, h, mi, sec;
	const char *p = s;
	if (!digits(&p, 4, &y) || *p++ != '-' || !digits(&p, 2, &mo) || *p++ != '-' ||
	    !digits(&p, 2, &d))
		return 0;
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || (mo == 2 && d == 29 && !leap))
		return 0;
	if (*p == '\0')
		return 1;
	if (*p != ' ' && *p != 'T')
		return 0;
	p++;
	if (!digits(&p, 2, &h) || *p++ != ':' || !digits(&p, 2, &mi) || h > 23 || mi > 59)
		return 0;
	if (*p == ':') {
		p++;
		if (!digits(&p, 2, &sec) || sec > 59)
			return 0;
		/* Fractions of a second, as now()::text has them. */
		if (*p == '.' && !isdigit((unsigned char)*++p))
			return 0;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (*p == 'Z')
		return p[1] == '\0';
	if (*p == '+' || *p == '-') {
		p++;
		if (!digits(&p, 2, &h) || h > 14)
			return 0;
		int colon = *p == ':';
		p += colon;
		if ((colon || *p) && (!digits(&p, 2, &mi) || mi > 59))
			return 0;
	}
	return *p == '\0';
}

static int parse(int argc, char **argv, struct audit_opts *o)
{
	static const struct option lo[] = {
		{"customer", required_argument, NULL, 'C'}, {"staff", required_argument, NULL, 's'},
		{"since", required_argument, NULL, 'S'},    {"limit", required_argument, NULL, 'l'},
		{"format", required_argument, NULL, 'f'},   {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	memset(o, 0, sizeof *o);
	o->format = "text";
	snprintf(o->limit, sizeof o->limit, "100");
	int c;
	optind = 0;
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'C': o->customer = optarg; break;
		case 's': o->staff = optarg; break;
		case 'S': o->since = optarg; break;
		case 'f': o->format = optarg; break;
		case 'l': {
			long long v;
			if (cli_number("--limit", "a number of rows", optarg, 1, 100000, &v) < 0)
				return -1;
			snprintf(o->limit, sizeof o->limit, "%lld", v);
			break;
		}
		case 'h': fputs(usage, stdout); return 1;
		default: fputs(usage, stderr); return -1;
		}
	}
	if (optind != argc) {
		cli_error("unexpected argument '%s'", argv[optind]);
		return -1;
	}
	if (cli_format(o->format, 1) < 0)
		return -1;
	if (o->since && !parse_age(o->since, o->since_age, sizeof o->since_age)) {
		if (!is_when(o->since)) {
			cli_error("--since takes a date or time (2026-11-01, '2026-11-01 09:00') or an age "
			          "(30m, 12h, 7d, 2w), not '%s'", o->since);
			return -1;
		}
		snprintf(o->since_ts, sizeof o->since_ts, "%s", o->since);
	}
	return 0;
}

static void print_text(struct buf *b, const PGresult *r)
{
	for (int i = 0; i < PQntuples(r); i++) {
		struct buf line = BUF_INIT;
		buf_printf(&line, "%s  %-10s %-6s %-14s %-36s", PQgetvalue(r, i, A_AT),
		           PQgetvalue(r, i, A_ACTOR), PQgetvalue(r, i, A_ACTION),
		           PQgetvalue(r, i, A_ENTITY), PQgetvalue(r, i, A_ENTITY_ID));
		if (!PQgetisnull(r, i, A_CUSTOMER))
			buf_printf(&line, "  customer %s", PQgetvalue(r, i, A_CUSTOMER));
		buf_printf(&line, "  via %s from %s  %s", PQgetvalue(r, i, A_APP),
		           PQgetvalue(r, i, A_CLIENT), PQgetvalue(r, i, A_CHANGE));
		/* Everything here came from the database: clean it. */
		text_clean(b, line.data, line.len, TEXT_ONELINE);
		buf_putc(b, '\n');
		buf_free(&line);
	}
}

static int run(PGconn *conn, const struct audit_opts *o)
{
	char idtxt[32] = "";
	long long id;
	int rc;
	if (o->customer && (rc = cli_resolve_audit_customer(conn, o->customer, &id)) != EXIT_OK)
		return rc;
	if (o->customer)
		snprintf(idtxt, sizeof idtxt, "%lld", id);
	const char *params[6] = {idtxt[0] ? idtxt : NULL, o->staff, o->since_ts[0] ? o->since_ts : NULL,
	                         o->since_age[0] ? o->since_age : NULL, o->limit,
	                         strcmp(o->format, "text") ? "false" : "true"};
	char err[1024];
	PGresult *r = db_exec(conn, audit_sql, 6, params, err, sizeof err);
	if (!r) {
		if (strstr(err, "permission denied"))
			cli_error("baton audit needs the baton_admin role (GRANT baton_admin TO %s)",
			          PQuser(conn));
		else
			cli_error("%s", err);
		return EXIT_FAIL;
	}
	cli_print_rows(r, o->format, col_names, print_text);
	PQclear(r);
	return EXIT_OK;
}

int cli_audit(const struct cli *cli, int argc, char **argv)
{
	struct audit_opts o;
	int p = parse(argc, argv, &o);
	if (p)
		return p > 0 ? EXIT_OK : EXIT_USAGE;
	int rc = EXIT_OK;
	/* Administrators need not be on the staff; the grant decides. */
	PGconn *conn = cli_connect_schema(cli, &rc);
	if (!conn)
		return rc;
	rc = run(conn, &o);
	PQfinish(conn);
	return rc;
}
