/* baton merges, baton split: the customers identity resolution made one,
 * with the evidence, and undoing a wrong merge (it stays undone: later
 * imports do not join the two again). */
#include "baton/buf.h"
#include "baton/cli.h"
#include "baton/customer.h"
#include "baton/db.h"
#include "baton/handoff.h"
#include "baton/text.h"

#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* $1: a customer id, or NULL for all merges; $2: a run, or NULL for any
 * (schema 141: the merges one file made).  A customer's merges, as
 * survivor or absorbed, are its profile's: those of every customer absorbed
 * into it as well (an import that merged a record into B, before B was
 * absorbed into A, is one of A's: CV_GROUP); a customer a split made has
 * the merge it undid.  All of them, streamed
 * (cli_stream_rows). */
static const char merges_sql[] =
	"SELECT m.id, to_char(m.at, 'YYYY-MM-DD HH24:MI') AS at, m.customer_id, c.name AS customer,"
	" CASE WHEN m.absorbed IS NOT NULL THEN '#' || m.absorbed || ' ' || a.name"
	"      ELSE coalesce(m.evidence -> 'record' ->> 'label', m.joined_source) || ' ' || m.joined_source_id"
	" END AS joined, m.identifiers, m.by_role::text AS by_role,"
	" to_char(s.at, 'YYYY-MM-DD HH24:MI') AS split_at, m.evidence, m.via, m.run_id,"
	" o.customer_id AS moved_to, to_char(o.at, 'YYYY-MM-DD HH24:MI') AS moved_at,"
	" v.from_customer AS moved_from,"
	/* A merge, not split, that brought in the record that makes the
	 * customer now, the record it joined having moved on: nothing to
	 * split (the server's rule, 154). */
	" CASE WHEN s.merge_id IS NULL THEN (SELECT x.customer_id FROM baton_merge_maker_now(m.id) x) END AS makes"
	" FROM customer_merge m JOIN customer c ON c.id = m.customer_id"
	" LEFT JOIN customer a ON a.id = m.absorbed"
	" LEFT JOIN customer_split s ON s.merge_id = m.id"
	/* A joined record that moved on since, to another customer (153). */
	" LEFT JOIN import_record_move o ON o.merge_id = m.id"
	/* ... or that joined this one by moving from another. */
	" LEFT JOIN import_record_move v ON v.run_id = m.run_id AND v.source = m.joined_source"
	"  AND v.source_id = m.joined_source_id"
	" WHERE ($1::bigint IS NULL"
	"    OR m.customer_id = " CV_GROUP
	"    OR m.absorbed = $1::bigint"
	"    OR s.apart = $1::bigint)"
	"   AND ($2::uuid IS NULL OR m.run_id = $2::uuid)"
	/* One run's merges have one time: then by name, as a dry run lists
	 * them (would_sql). */
	" ORDER BY m.at, customer, joined, m.id";
enum { MG_ID, MG_AT, MG_CUSTOMER_ID, MG_CUSTOMER, MG_JOINED, MG_IDENTIFIERS, MG_BY, MG_SPLIT,
       MG_EVIDENCE, MG_VIA, MG_RUN, MG_MOVED_TO, MG_MOVED_AT, MG_MOVED_FROM, MG_MAKES, MG_COLS };

static const char merges_usage[] =
	"Usage: baton merges [--customer C] [--run RUN] [--format text|json]\n"
	"The customers identity resolution made one: when, which customer, what\n"
	"joined it (a source's record or another customer) and the evidence (the\n"
	"identifier they share).  'baton split ID' undoes one.  --run lists those\n"
	"of one file's import, as 'baton import' names it.\n";

/* A merge or run id (checked to be one: 36 characters) as baton import
 * and baton merges write it. */
static void uuid_lower(char low[37], const char *id)
{
	for (size_t i = 0; i < 37; i++)
		low[i] = (char)tolower((unsigned char)id[i]);
}

/* Said when nothing is listed: of which customer, in which run (a run
 * that made no merge and one that does not exist are alike here: whether
 * a run exists is not every reader's to know, 141). */
static char merges_none[160] = "no merges\n";

static void merges_text(struct buf *b, const PGresult *r)
{
	for (int i = 0; i < PQntuples(r); i++) {
		buf_printf(b, "%s  #%s ", PQgetvalue(r, i, MG_AT), PQgetvalue(r, i, MG_CUSTOMER_ID));
		text_clean(b, PQgetvalue(r, i, MG_CUSTOMER), (size_t)PQgetlength(r, i, MG_CUSTOMER), TEXT_ONELINE);
		buf_puts(b, CLI_FROM);
		text_clean(b, PQgetvalue(r, i, MG_JOINED), (size_t)PQgetlength(r, i, MG_JOINED), TEXT_ONELINE);
		buf_puts(b, CLI_DASH);
		text_clean(b, PQgetvalue(r, i, MG_IDENTIFIERS), (size_t)PQgetlength(r, i, MG_IDENTIFIERS),
		           TEXT_ONELINE);
		/* The file's records the identifiers came from (schema 134). */
		if (!PQgetisnull(r, i, MG_VIA)) {
			buf_puts(b, ", from ");
			text_clean(b, PQgetvalue(r, i, MG_VIA), (size_t)PQgetlength(r, i, MG_VIA), TEXT_ONELINE);
		}
		if (!PQgetisnull(r, i, MG_SPLIT))
			buf_printf(b, "  [split %s]", PQgetvalue(r, i, MG_SPLIT));
		if (!PQgetisnull(r, i, MG_MOVED_TO))
			buf_printf(b, "  [moved to #%s %s]", PQgetvalue(r, i, MG_MOVED_TO), PQgetvalue(r, i, MG_MOVED_AT));
		if (!PQgetisnull(r, i, MG_MOVED_FROM))
			buf_printf(b, "  [moved from #%s]", PQgetvalue(r, i, MG_MOVED_FROM));
		if (!PQgetisnull(r, i, MG_MAKES))
			buf_printf(b, "  [makes #%s now]", PQgetvalue(r, i, MG_MAKES));
		buf_printf(b, "\n    merge %s by ", PQgetvalue(r, i, MG_ID));
		text_clean(b, PQgetvalue(r, i, MG_BY), (size_t)PQgetlength(r, i, MG_BY), TEXT_ONELINE);
		/* The import that made it, for merges --run and split --run (141). */
		if (!PQgetisnull(r, i, MG_RUN))
			buf_printf(b, ", import run %s", PQgetvalue(r, i, MG_RUN));
		buf_putc(b, '\n');
	}
	if (PQntuples(r) == 0)
		buf_puts(b, merges_none);
}

/* A dry run's merges, by name on both sides: a customer the dry run made
 * has an id the real run will not give it (a sequence is not rolled
 * back).  By customer and what joined it, as merges_sql orders one run's
 * (where an absorbed customer's id leads its name). */
static const char would_sql[] =
	"SELECT c.name,"
	" CASE WHEN m.absorbed IS NOT NULL THEN a.name"
	"      ELSE coalesce(m.evidence -> 'record' ->> 'label', m.joined_source) || ' ' || m.joined_source_id"
	" END AS joined, m.identifiers, m.via"
	" FROM customer_merge m JOIN customer c ON c.id = m.customer_id"
	" LEFT JOIN customer a ON a.id = m.absorbed"
	" WHERE m.run_id = $1::uuid"
	/* A record's move (153) is said as that, not as a merge. */
	"   AND NOT EXISTS (SELECT 1 FROM import_record_move v WHERE v.run_id = m.run_id"
	"                   AND v.source = m.joined_source AND v.source_id = m.joined_source_id)"
	" ORDER BY 1, 2, m.id";

int cli_merges_would(PGconn *c, const char *run, struct buf *b, char *err, size_t errlen)
{
	const char *p[] = {run};
	PGresult *r = db_exec(c, would_sql, 1, p, err, errlen);
	if (!r)
		return -1;
	for (int i = 0; i < PQntuples(r); i++) {
		buf_puts(b, "    ");
		for (int k = 0; k < 4; k++) {
			if (PQgetisnull(r, i, k))
				continue;
			buf_puts(b, k == 1 ? CLI_FROM : k == 2 ? CLI_DASH : k == 3 ? ", from " : "");
			text_clean(b, PQgetvalue(r, i, k), (size_t)PQgetlength(r, i, k), TEXT_ONELINE);
		}
		buf_putc(b, '\n');
	}
	PQclear(r);
	return 0;
}

int cli_merges(const struct cli *cli, int argc, char **argv)
{
	static const struct option lo[] = {
		{"customer", required_argument, NULL, 'C'}, {"format", required_argument, NULL, 'f'},
		{"run", required_argument, NULL, 'r'},      {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *customer = NULL, *format = "text", *run = NULL;
	int c;
	optind = 0; /* GNU getopt: reinitialise, main() parsed with "+" */
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		if (c == 'h') {
			fputs(merges_usage, stdout);
			return EXIT_OK;
		}
		if (c == 'C')
			customer = optarg;
		else if (c == 'r' && handoff_is_uuid(optarg))
			run = optarg;
		else if (c == 'r') {
			cli_error("'%s' is not a run id (baton import names each file's)", optarg);
			return EXIT_USAGE;
		} else if (c == 'f' && cli_format(optarg, 0) >= 0)
			format = optarg;
		else {
			fputs(merges_usage, stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		fputs(merges_usage, stderr);
		return EXIT_USAGE;
	}
	int rc = EXIT_OK;
	PGconn *conn = cli_connect_schema(cli, &rc);
	if (!conn)
		return rc;
	char err[1024], idtxt[32];
	const char *p[] = {NULL, run};
	if (customer) {
		long long id = 0;
		if ((rc = cli_resolve_customer(conn, customer, &id)) != EXIT_OK) {
			PQfinish(conn);
			return rc;
		}
		snprintf(idtxt, sizeof idtxt, "%lld", id);
		p[0] = idtxt;
	}
	char low[37] = "";
	if (run)
		uuid_lower(low, run);
	snprintf(merges_none, sizeof merges_none, "no merges%s%s%s%s\n", customer ? " of #" : "",
	         customer ? idtxt : "", run ? " in run " : "", low);
	static const char *const names[MG_COLS] = {"id", "at", "customer_id", "customer", "joined",
		"identifiers", "by", "split_at", "evidence", "via", "run", "moved_to", "moved_at", "moved_from",
		"makes"};
	if (cli_stream_rows(conn, merges_sql, 2, p, format, names, merges_text, err, sizeof err) < 0) {
		cli_error("%s", err);
		rc = EXIT_DB;
	}
	PQfinish(conn);
	return rc;
}

int cli_split(const struct cli *cli, int argc, char **argv)
{
	static const char usage[] =
		"Usage: baton split MERGE_ID\n"
		"       baton split --run RUN\n"
		"Undo a merge that 'baton merges' lists: the customer or record that joined\n"
		"is a customer of its own again, with what came with it, and later imports\n"
		"keep them apart.  --run undoes every merge of one file's import not split\n"
		"yet, as 'baton import' names it: all of them, or none.  Needs\n"
		"baton_importer or baton_admin.\n";
	static const struct option lo[] = {
		{"run", required_argument, NULL, 'r'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0},
	};
	const char *run = NULL;
	int c;
	optind = 0; /* GNU getopt: reinitialise, main() parsed with "+" */
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		if (c == 'h') {
			fputs(usage, stdout);
			return EXIT_OK;
		}
		if (c != 'r') {
			fputs(usage, stderr);
			return EXIT_USAGE;
		}
		run = optarg;
	}
	/* A merge, or a run's: one of them. */
	int by_run = run != NULL;
	if (optind != argc - !by_run) {
		fputs(usage, stderr);
		return EXIT_USAGE;
	}
	const char *id = by_run ? run : argv[optind];
	if (!handoff_is_uuid(id)) {
		cli_error(by_run ? "'%s' is not a run id (baton import names each file's)"
		                 : "'%s' is not a merge id (baton merges lists them)", id);
		return EXIT_USAGE;
	}
	char low[37];
	uuid_lower(low, id);
	int rc = EXIT_OK;
	PGconn *conn = cli_connect_schema(cli, &rc);
	if (!conn)
		return rc;
	char err[1024];
	const char *p[] = {id};
	cli_show_import_waits(conn);
	/* A split takes as long as it takes (a run's thousands of merges: a
	 * minute; one merge of a customer with tens of thousands of contacts:
	 * seconds), as an import's file does: not the console's statement
	 * timeout, whose cancel would undo it and leave the wrong merge; but
	 * not carried out, once an import it waits for ends, by a session
	 * whose client is gone. */
	PQclear(db_exec(conn, "SELECT " DB_UNTIMED_SET("false"), 0, NULL, err, sizeof err));
	PGresult *r = db_exec(conn, by_run ? "SELECT customer_id, apart, repeats FROM baton_split_run($1::uuid)"
	                                   : "SELECT customer_id, apart, 0 FROM baton_split($1::uuid)",
	                      1, p, err, sizeof err);
	if (!r) {
		cli_error("%s", err);
		rc = PQstatus(conn) == CONNECTION_OK ? EXIT_FAIL : EXIT_DB;
	} else {
		/* Merges written twice before schema 140 went with their absorption. */
		long long reps = 0;
		for (int i = 0; i < PQntuples(r); i++) {
			printf("split: #%s and #%s are separate customers%s\n", PQgetvalue(r, i, 0),
			       PQgetvalue(r, i, 1), by_run ? "" : "; later imports keep them apart");
			reps += atoll(PQgetvalue(r, i, 2));
		}
		if (by_run && PQntuples(r)) {
			printf("%d merge%s of run %s split", PQntuples(r), PQntuples(r) == 1 ? "" : "s", low);
			if (reps)
				printf(" (and %lld repeat%s of %s written before schema version 140)", reps,
				       reps == 1 ? "" : "s", PQntuples(r) == 1 ? "it" : "them");
			puts("; later imports keep each pair apart");
		} else if (by_run)
			printf("run %s has no merges left to split\n", low);
	}
	PQclear(r);
	PQfinish(conn);
	return rc;
}
