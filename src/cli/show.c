/* baton show, baton find: the customer screen and the finder as text/JSON. */
#include "baton/buf.h"
#include "baton/cli.h"
#include "baton/config.h"
#include "baton/customer.h"
#include "baton/db.h"
#include "baton/finder.h"
#include "baton/handoff.h"
#include "baton/onboarding.h"
#include "baton/text.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum format { FMT_TEXT, FMT_JSON };

/* Parse "[--format text|json] ARG"; returns the positional or NULL. */
static int parse_args(int argc, char **argv, const char *usage, enum format *fmt,
                      const char **arg)
{
	static const struct option opts[] = {
		{"format", required_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;
	*fmt = FMT_TEXT;
	*arg = NULL;
	optind = 0; /* GNU getopt: reinitialise, main() parsed with "+" */
	while ((c = getopt_long(argc, argv, "f:h", opts, NULL)) != -1) {
		if (c == 'h') {
			fputs(usage, stdout);
			return 1;
		}
		int f = c == 'f' ? cli_format(optarg, 0) : -1;
		if (f < 0) {
			fputs(usage, stderr);
			return -1;
		}
		*fmt = f ? FMT_JSON : FMT_TEXT;
	}
	if (optind != argc - 1) {
		fputs(usage, stderr);
		return -1;
	}
	*arg = argv[optind];
	return 0;
}

static void json_part(struct buf *b, const struct customer_view *cv, enum cv_part p, int row)
{
	const char *names[32];
	for (int col = 0; col < PQnfields(cv->res[p]) && col < 32; col++)
		names[col] = cv_column_name(p, col);
	/* The open tickets' count is the customer's ("open_tickets"). */
	if (p == CV_TICKETS)
		names[T_OPEN_TOTAL] = NULL;
	cli_json_row(b, cv->res[p], row, names);
}

/* The handoffs' histories (cv_handoff_histories_sql) for `baton show
 * --format json`, which gives each handoff its "events" as it always did;
 * the console reads one when it is opened.  NULL and err on failure. */
static PGresult *histories(PGconn *c, const struct customer_view *cv, char *err, size_t errlen)
{
	struct buf ids = BUF_INIT;
	buf_putc(&ids, '{');
	for (int i = 0; i < cv_rows(cv, CV_HANDOFFS); i++)
		buf_printf(&ids, "%s%s", i ? "," : "", cv_get(cv, CV_HANDOFFS, i, HO_ID));
	buf_putc(&ids, '}');
	const char *params[] = {buf_str(&ids)};
	PGresult *r = PQexecParams(c, cv_handoff_histories_sql, 1, NULL, params, NULL, NULL, 0);
	buf_free(&ids);
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQnfields(r) != 2) {
		snprintf(err, errlen, "%s", PQresultErrorMessage(r));
		PQclear(r);
		return NULL;
	}
	return r;
}

/* Handoff row's object with its "events" (null when it has none). */
static void json_handoff(struct buf *b, const struct customer_view *cv, int row, const PGresult *hist)
{
	json_part(b, cv, CV_HANDOFFS, row);
	b->data[--b->len] = '\0'; /* the object's '}' */
	buf_puts(b, ",\"events\":");
	const char *id = cv_get(cv, CV_HANDOFFS, row, HO_ID);
	int found = -1;
	for (int i = 0; i < PQntuples(hist) && found < 0; i++)
		if (strcmp(PQgetvalue(hist, i, 0), id) == 0)
			found = i;
	if (found < 0 || PQgetisnull(hist, found, 1))
		buf_puts(b, "null");
	else
		text_json_string(b, PQgetvalue(hist, found, 1));
	buf_putc(b, '}');
}

static void show_json(struct buf *b, const struct customer_view *cv, const PGresult *hist)
{
	static const char *const part_names[CV_PARTS] = {"customer", "milestones", "tickets",
	                                                 "notes", "marketing", "handoffs", "signals"};
	buf_puts(b, "{\"customer\":");
	json_part(b, cv, CV_HEADER, 0);
	/* The active signals' titles; "signals" has each in full. */
	buf_puts(b, ",\"flags\":[");
	for (int i = 0; i < cv_flags(cv); i++) {
		if (i)
			buf_putc(b, ',');
		text_json_string(b, cv_get(cv, CV_SIGNALS, i, SG_TITLE));
	}
	buf_putc(b, ']');
	/* "tickets" lists the most urgent 200 of them, and ten solved. */
	buf_printf(b, ",\"open_tickets\":%lld", cv_open_tickets(cv));
	for (int p = CV_MILESTONES; p < CV_PARTS; p++) {
		buf_printf(b, ",\"%s\":[", part_names[p]);
		for (int i = 0; i < cv_rows(cv, p); i++) {
			if (i)
				buf_putc(b, ',');
			if (p == CV_HANDOFFS)
				json_handoff(b, cv, i, hist);
			else
				json_part(b, cv, p, i);
		}
		buf_putc(b, ']');
	}
	buf_puts(b, "}\n");
}

/* Text output is cleaned like the console: database text never reaches a
 * terminal (or a pager) as control sequences. */
static void put(struct buf *b, const char *s)
{
	text_clean(b, s, strlen(s), TEXT_ONELINE);
}

/* "Flags: [a] [b]", then each signal with its explanation, the records
 * and who must act; acknowledged ones after, with who said what. */
static void show_text_signals(struct buf *b, const struct customer_view *cv)
{
	buf_puts(b, "Flags:");
	if (!cv_flags(cv))
		buf_puts(b, " none");
	for (int i = 0; i < cv_flags(cv); i++)
		buf_printf(b, " [%s]", cv_get(cv, CV_SIGNALS, i, SG_TITLE));
	buf_putc(b, '\n');
	for (int i = 0; i < cv_rows(cv, CV_SIGNALS); i++) {
#define SV(col) cv_get(cv, CV_SIGNALS, i, col)
		buf_printf(b, "  %-6s %s: ", i < cv_flags(cv) ? SV(SG_SEVERITY) : "ack'd", SV(SG_TITLE));
		put(b, SV(SG_EXPLANATION));
		buf_printf(b, "\n         since %s, for %s: %s\n", SV(SG_SINCE), SV(SG_TEAMS), SV(SG_REFS));
		if (i >= cv_flags(cv)) {
			buf_puts(b, "         acknowledged by ");
			put(b, SV(SG_ACKED_BY));
			buf_printf(b, " at %s: ", SV(SG_ACKED_AT));
			put(b, SV(SG_ACK_COMMENT));
			buf_putc(b, '\n');
		}
#undef SV
	}
}

static void show_text_header(struct buf *b, const struct customer_view *cv)
{
#define HV(col) cv_get(cv, CV_HEADER, 0, col)
	put(b, HV(H_NAME));
	if (*HV(H_DOMAIN)) {
		buf_puts(b, " (");
		put(b, HV(H_DOMAIN));
		buf_putc(b, ')');
	}
	buf_printf(b, "  #%s\n", HV(H_ID));
	buf_printf(b, "%s%s%s%s%s", HV(H_PLAN), CLI_DOT, HV(H_SEGMENT), CLI_DOT, HV(H_LIFECYCLE));
	if (*HV(H_ONB_HEALTH)) {
		char health[32];
		fmt_words(health, sizeof health, HV(H_ONB_HEALTH));
		buf_printf(b, " (%s%s)", health, HV(H_HEALTH_STALE)[0] == 't' ? ", stale" : "");
	}
	if (*HV(H_OWNER)) {
		buf_printf(b, "%sowner ", CLI_DOT);
		put(b, HV(H_OWNER_NAME));
	}
	if (*HV(H_RENEWAL))
		buf_printf(b, "%srenews %s", CLI_DOT, HV(H_RENEWAL));
	buf_putc(b, '\n');
	if (*HV(H_NPS))
		buf_printf(b, "NPS %s (%s)  ", HV(H_NPS), HV(H_NPS_AT));
	if (*HV(H_CSAT))
		buf_printf(b, "CSAT %s/5 (%s)  ", HV(H_CSAT), HV(H_CSAT_AT));
	if (*HV(H_CES))
		buf_printf(b, "CES %s/7 (%s)", HV(H_CES), HV(H_CES_AT));
	if (*HV(H_NPS) || *HV(H_CSAT) || *HV(H_CES))
		buf_putc(b, '\n');
	show_text_signals(b, cv);
	if (*HV(H_EXTERNAL_IDS)) {
		buf_puts(b, "External ids: ");
		put(b, HV(H_EXTERNAL_IDS));
		buf_putc(b, '\n');
	}
	if (*HV(H_CONTACTS)) {
		buf_puts(b, "Contacts: ");
		put(b, HV(H_CONTACTS));
		buf_putc(b, '\n');
	}
	if (*HV(H_ALSO)) {
		buf_puts(b, "Also: ");
		put(b, HV(H_ALSO));
		buf_putc(b, '\n');
	}
#undef HV
}

/* "  Health: on track (stale), set 3w ago by Maja Kowalczyk: reason". */
static void show_text_health(struct buf *b, const struct customer_view *cv)
{
	struct buf h = BUF_INIT;
	onboarding_health_describe(&h, cv, 0);
	buf_puts(b, "  Health: ");
	put(b, buf_str(&h));
	buf_putc(b, '\n');
	buf_free(&h);
}

static void show_text_milestones(struct buf *b, const struct customer_view *cv)
{
	int done = 0, nm = cv_rows(cv, CV_MILESTONES);
	for (int i = 0; i < nm; i++)
		done += !strcmp(cv_get(cv, CV_MILESTONES, i, M_STATUS), "done");
	buf_printf(b, "\nOnboarding %d/%d\n", done, nm);
	show_text_health(b, cv);
	for (int i = 0; i < nm; i++) {
#define MV(col) cv_get(cv, CV_MILESTONES, i, col)
		buf_printf(b, "  #%-4s %-11s ", MV(M_ID), onboarding_status_label(MV(M_STATUS)));
		put(b, MV(M_TITLE));
		if (*MV(M_COMPLETED))
			buf_printf(b, "  done %s", MV(M_COMPLETED));
		else if (*MV(M_OVERDUE_DAYS))
			buf_printf(b, "  overdue %sd (due %s)", MV(M_OVERDUE_DAYS), MV(M_DUE));
		else if (*MV(M_DUE))
			buf_printf(b, "  due %s", MV(M_DUE));
		if (*MV(M_OWNER)) {
			buf_puts(b, "  ");
			put(b, MV(M_OWNER));
		}
		if (*MV(M_BLOCKED_REASON)) {
			buf_puts(b, "  because: ");
			put(b, MV(M_BLOCKED_REASON));
		}
		buf_putc(b, '\n');
#undef MV
	}
}

static void show_text_tickets(struct buf *b, const struct customer_view *cv)
{
	char age[32], left[32];
	char open[64];
	cv_open_tickets_said(cv, open, sizeof open);
	buf_printf(b, "\nTickets %s\n", open);
	for (int i = 0; i < cv_rows(cv, CV_TICKETS); i++) {
#define TV(col) cv_get(cv, CV_TICKETS, i, col)
		fmt_age(age, sizeof age, cv_num(cv, CV_TICKETS, i, T_AGE_S));
		buf_puts(b, "  #");
		put(b, TV(T_NUMBER));
		buf_printf(b, " %-6s %-8s %-9s %4s ", TV(T_PRIORITY), TV(T_STATUS), TV(T_CATEGORY), age);
		if (TV(T_OPEN)[0] == 't' && *TV(T_SLA_LEFT_S)) {
			long long l = cv_num(cv, CV_TICKETS, i, T_SLA_LEFT_S);
			fmt_left(left, sizeof left, l);
			buf_printf(b, "SLA %s%s ", left, l < 0 ? " (breached)" : "");
		}
		if (*TV(T_ASSIGNEE)) {
			put(b, TV(T_ASSIGNEE));
			buf_putc(b, ' ');
		}
		put(b, TV(T_SUBJECT));
		buf_putc(b, '\n');
#undef TV
	}
}

static void show_text_handoffs(struct buf *b, const struct customer_view *cv)
{
	char age[32], left[32];
	int active = 0;
	for (int i = 0; i < cv_rows(cv, CV_HANDOFFS); i++)
		active += handoff_state_active(cv_get(cv, CV_HANDOFFS, i, HO_STATE));
	buf_printf(b, "\nHandoffs %d active\n", active);
	for (int i = 0; i < cv_rows(cv, CV_HANDOFFS); i++) {
#define OV(col) cv_get(cv, CV_HANDOFFS, i, col)
		fmt_age(age, sizeof age, cv_num(cv, CV_HANDOFFS, i, HO_AGE_S));
		buf_printf(b, "  %s %-12s %s%s%s", OV(HO_ID), OV(HO_STATE), OV(HO_FROM_TEAM), CLI_TO,
		           OV(HO_TO_TEAM));
		if (*OV(HO_TO_STAFF)) {
			buf_puts(b, " (");
			put(b, OV(HO_TO_STAFF_NAME));
			buf_putc(b, ')');
		}
		buf_printf(b, " %s %s %s by ", OV(HO_REASON), OV(HO_PRIORITY), age);
		put(b, OV(HO_AUTHOR_NAME));
		if (!strcmp(OV(HO_STATE), "open") && *OV(HO_ACK_LEFT_S)) {
			long long l = cv_num(cv, CV_HANDOFFS, i, HO_ACK_LEFT_S);
			fmt_left(left, sizeof left, l);
			buf_printf(b, l < 0 ? "  NOT ACKNOWLEDGED (ack due %s)" : "  ack due %s", left);
		}
		buf_puts(b, "\n    \"");
		put(b, OV(HO_NOTE));
		buf_puts(b, "\"\n");
#undef OV
	}
}

static void show_text(struct buf *b, const struct customer_view *cv)
{
	show_text_header(b, cv);
	show_text_milestones(b, cv);
	show_text_tickets(b, cv);

	buf_puts(b, "\nSuccess notes\n");
	for (int i = 0; i < cv_rows(cv, CV_NOTES); i++) {
		buf_printf(b, "  %s ", cv_get(cv, CV_NOTES, i, N_CREATED));
		put(b, cv_get(cv, CV_NOTES, i, N_AUTHOR_NAME));
		buf_printf(b, " (%s): ", cv_get(cv, CV_NOTES, i, N_KIND));
		put(b, cv_get(cv, CV_NOTES, i, N_BODY));
		buf_putc(b, '\n');
	}

	buf_puts(b, "\nMarketing\n");
	for (int i = 0; i < cv_rows(cv, CV_MARKETING); i++) {
#define KV(col) cv_get(cv, CV_MARKETING, i, col)
		buf_printf(b, "  %s %-9s %-12s \"", KV(K_AT), KV(K_STATUS), KV(K_KIND));
		put(b, KV(K_CAMPAIGN));
		buf_printf(b, "\" (%s)", KV(K_CHANNEL));
		if (KV(K_HELD)[0] == 't') {
			buf_puts(b, "  HELD by ");
			put(b, KV(K_HOLD));
		}
		buf_putc(b, '\n');
#undef KV
	}

	show_text_handoffs(b, cv);
}

int cli_show(const struct cli *cli, int argc, char **argv)
{
	static const char usage[] =
		"Usage: baton show [--format text|json] CUSTOMER\n"
		"Print a customer's screen. CUSTOMER is an id, an external id, a domain,\n"
		"a contact e-mail or an unambiguous part of the name.\n";
	enum format fmt;
	const char *what;
	int a = parse_args(argc, argv, usage, &fmt, &what);
	if (a)
		return a > 0 ? EXIT_OK : EXIT_USAGE;
	int rc = EXIT_OK;
	PGconn *c = cli_connect(cli, &rc);
	if (!c)
		return rc;
	char err[1024];
	long long id = 0;
	if ((rc = cli_resolve_customer(c, what, &id)) != EXIT_OK) {
		PQfinish(c);
		return rc;
	}
	struct cv_args args;
	struct db_stmt st[CV_PARTS];
	PGresult *res[CV_PARTS];
	struct customer_view cv;
	cv_statements(st, &args, id, NULL);
	if (db_pipeline(c, st, CV_PARTS, res, err, sizeof err) < 0 ||
	    cv_adopt(&cv, res, CV_PARTS, err, sizeof err) < 0) {
		for (int i = 0; i < CV_PARTS; i++)
			PQclear(res[i]);
		cli_error("%s", err);
		PQfinish(c);
		return EXIT_DB;
	}
	PGresult *hist = NULL;
	if (fmt == FMT_JSON && !(hist = histories(c, &cv, err, sizeof err))) {
		cli_error("%s", err);
		cv_free(&cv);
		PQfinish(c);
		return EXIT_DB;
	}
	struct buf b = BUF_INIT;
	if (fmt == FMT_JSON)
		show_json(&b, &cv, hist);
	else
		show_text(&b, &cv);
	PQclear(hist);
	fwrite(buf_str(&b), 1, b.len, stdout);
	buf_free(&b);
	cv_free(&cv);
	PQfinish(c);
	return EXIT_OK;
}

/* No customer matched `text`; r's rows are the names close to it: say so,
 * and offer them as `baton show` lists an ambiguous name's customers. */
static void find_offer_similar(const PGresult *r, const char *text)
{
	struct buf cand = BUF_INIT;
	for (int i = 0; i < PQntuples(r); i++)
		buf_printf(&cand, "%s%s\t%s\t%s", i ? "\n" : "", PQgetvalue(r, i, F_ID),
		           PQgetvalue(r, i, F_NAME), PQgetvalue(r, i, F_DOMAIN));
	cli_error("no customer matches '%s'; did you mean:\n%s", text, buf_str(&cand));
	buf_free(&cand);
}

int cli_find(const struct cli *cli, int argc, char **argv)
{
	static const char usage[] =
		"Usage: baton find [--format text|json] TEXT\n"
		"Find customers by id (42 or #42), name, domain, contact e-mail or external id.\n";
	enum format fmt;
	const char *what;
	int a = parse_args(argc, argv, usage, &fmt, &what);
	if (a)
		return a > 0 ? EXIT_OK : EXIT_USAGE;
	struct finder_query f;
	if (finder_query_init(&f, what) < 0) {
		cli_error("nothing to find: give some text");
		return EXIT_USAGE;
	}
	int rc = EXIT_OK;
	PGconn *c = cli_connect(cli, &rc);
	if (!c) {
		finder_query_free(&f);
		return rc;
	}
	char err[1024];
	struct db_stmt st;
	finder_statement(&f, &st);
	PGresult *r = db_exec(c, st.sql, st.nparams, st.params, err, sizeof err);
	if (!r) {
		cli_error("%s", err);
		finder_query_free(&f);
		PQfinish(c);
		return EXIT_DB;
	}
	struct buf b = BUF_INIT;
	static const char *const names[] = {"id",           "name",        "domain",
	                                    "lifecycle",    "open_tickets", "hot_tickets",
	                                    "late_handoffs", "matched",    "signal",
	                                    "signals"};
	_Static_assert(sizeof names / sizeof *names == F_COLS, "a JSON name for every finder column");
	/* Close names, offered when nothing matched, are no answer: stdout
	 * keeps to the matches ("[]"), the exit status says none, and stderr
	 * offers them. */
	int n = PQntuples(r);
	int similar = n > 0 && !strcmp(PQgetvalue(r, 0, F_MATCHED), FINDER_SIMILAR);
	int found = similar ? 0 : n;
	if (fmt == FMT_JSON) {
		struct cli_rows o;
		cli_rows_begin(&o, &b, "json", names, NULL);
		if (found)
			cli_rows_add(&o, r);
		cli_rows_end(&o);
	}
	for (int i = 0; fmt == FMT_TEXT && i < found; i++) {
		buf_printf(&b, "%s\t", PQgetvalue(r, i, F_ID));
		put(&b, PQgetvalue(r, i, F_NAME));
		buf_putc(&b, '\t');
		put(&b, PQgetvalue(r, i, F_DOMAIN));
		buf_printf(&b, "\t%s\t%s open ticket%s\t%s\n", PQgetvalue(r, i, F_LIFECYCLE),
		           PQgetvalue(r, i, F_OPEN_TICKETS),
		           strcmp(PQgetvalue(r, i, F_OPEN_TICKETS), "1") ? "s" : "", PQgetvalue(r, i, F_MATCHED));
	}
	fwrite(buf_str(&b), 1, b.len, stdout);
	/* Nothing on stdout (or "[]") and a status of 1 is no answer a person
	 * reads: say it, as `baton show` does. */
	if (similar)
		find_offer_similar(r, f.text);
	else if (!found)
		cli_error("no customer matches '%s'", f.text);
	buf_free(&b);
	PQclear(r);
	finder_query_free(&f);
	PQfinish(c);
	return found ? EXIT_OK : EXIT_FAIL;
}
