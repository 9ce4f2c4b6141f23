/* Unit tests for the queue filter's one check (src/queue.c), shared by the
 * console's f prompt, `baton queue` and the configuration's views, for the
 * console's list and its signal marks asked for apart, and for the form's
 * type-ahead matching (src/handoff.c). */
#include "baton/buf.h"
#include "baton/config.h"
#include "baton/handoff.h"
#include "baton/queue.h"
#include "baton/signals.h"
#include "baton/team.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "check.h"

static int parse(struct queue_filter *f, const char *text, const struct team_list *teams, char *err,
                 size_t n)
{
	err[0] = '\0';
	return queue_filter_parse(f, text, teams, err, n);
}

static void test_fixed_values_refused_with_the_valid_list(void)
{
	struct queue_filter f;
	char err[1024];
	CHECK(parse(&f, "priority=hgh", NULL, err, sizeof err) == -1);
	CHECK_STR(err, "unknown priority \"hgh\": use low, normal, high or urgent");
	CHECK(parse(&f, "state=bogus", NULL, err, sizeof err) == -1);
	CHECK_STR(err, "unknown state \"bogus\": use active, open, acknowledged, resolved or cancelled");
	CHECK(parse(&f, "segment=huge", NULL, err, sizeof err) == -1);
	CHECK_STR(err, "unknown segment \"huge\": use smb, mid-market, enterprise or strategic");
	CHECK(parse(&f, "state=", NULL, err, sizeof err) == -1);
	CHECK_STR(err, "state= needs a value: use active, open, acknowledged, resolved or cancelled");
	CHECK(parse(&f, "colour=red", NULL, err, sizeof err) == -1);
	CHECK(strncmp(err, "unknown filter \"colour\": use team=, to=", 39) == 0);
	CHECK(parse(&f, "breached=yes", NULL, err, sizeof err) == -1);
	CHECK(strstr(err, "breached takes no value") != NULL);
}

/* Reasons are the database's (migration 006), read with the teams; the
 * message lists them.  Without the list only their form is checked. */
static void test_reasons_are_the_databases(void)
{
	char reasons[][41] = {"escalation", "renewal risk", "billing"};
	struct team_list l = {.reasons = reasons, .nreasons = 3, .max_note_bytes = 16384};
	struct queue_filter f;
	char err[1024];
	CHECK(parse(&f, "reason=refund", &l, err, sizeof err) == -1);
	CHECK_STR(err, "unknown reason \"refund\": use escalation, \"renewal risk\" or billing");
	/* The filter text splits on spaces: '_' stands for a reason's, or the
	 * value is quoted; the filter written back reads the same. */
	CHECK(parse(&f, "reason=renewal_risk", &l, err, sizeof err) == 0);
	CHECK_STR(f.reason, "renewal risk");
	memset(&f, 0, sizeof f);
	CHECK(parse(&f, "state=open reason=\"renewal risk\" breached", &l, err, sizeof err) == 0);
	CHECK_STR(f.reason, "renewal risk");
	CHECK(f.breached == 1);
	CHECK(parse(&f, "reason='renewal risk'", &l, err, sizeof err) == 0);
	CHECK_STR(f.reason, "renewal risk");
	char text[256];
	queue_filter_describe(&f, text, sizeof text);
	CHECK(strstr(text, "reason=\"renewal risk\"") != NULL);
	struct queue_filter again;
	CHECK(parse(&again, text, &l, err, sizeof err) == 0);
	CHECK_STR(again.reason, "renewal risk");
	CHECK(parse(&f, "reason=\"renewal risk", &l, err, sizeof err) == -1);
	CHECK(strstr(err, "not closed") != NULL);
	/* Priorities also as the queue's Pri column shows them. */
	CHECK(parse(&f, "priority=urg", &l, err, sizeof err) == 0);
	CHECK_STR(f.priority, "urgent");
	CHECK(parse(&f, "priority=norm", &l, err, sizeof err) == 0);
	CHECK_STR(f.priority, "normal");
	/* The teams alone (rules not read): the form only. */
	l.max_note_bytes = 0;
	CHECK(parse(&f, "reason=refund", &l, err, sizeof err) == 0);
	CHECK(parse(&f, "reason=refund", NULL, err, sizeof err) == 0);
	CHECK_STR(f.reason, "refund");
	CHECK(parse(&f, "reason=Refund!", NULL, err, sizeof err) == -1);
	CHECK(strstr(err, "unknown reason \"Refund!\": use a reason") != NULL);
}

static void test_valid_filter_sets_every_field(void)
{
	struct queue_filter f;
	char err[1024];
	CHECK(parse(&f, "team=support to=ana state=open reason=billing priority=high segment=smb breached mine",
	            NULL, err, sizeof err) == 0);
	CHECK_STR(f.team, "support");
	CHECK_STR(f.person, "ana");
	CHECK_STR(f.state, "open");
	CHECK_STR(f.reason, "billing");
	CHECK_STR(f.priority, "high");
	CHECK_STR(f.segment, "smb");
	CHECK(f.breached == 1 && f.mine == 1);
	/* What the filter line shows for the default is accepted back. */
	CHECK(parse(&f, "state=active", NULL, err, sizeof err) == 0);
	CHECK_STR(f.state, "");
}

/* Teams are the database's: by id or name, any case; the message lists
 * them.  Without the list (the configuration) only the form is checked. */
static void test_teams(void)
{
	struct team teams[] = {{"billing", "Billing"}, {"success", "Success"}, {"support", "Support"}};
	struct team_list l = {.teams = teams, .nteams = 3};
	struct queue_filter f;
	char err[1024];
	CHECK(parse(&f, "team=nosuch", &l, err, sizeof err) == -1);
	CHECK_STR(err, "unknown team \"nosuch\": use billing, success or support");
	CHECK(parse(&f, "team=", &l, err, sizeof err) == -1);
	CHECK_STR(err, "team= needs a value: use billing, success or support");
	CHECK(parse(&f, "team=Support", &l, err, sizeof err) == 0);
	CHECK_STR(f.team, "support");
	CHECK(parse(&f, "team=nosuch", NULL, err, sizeof err) == 0);
	CHECK(parse(&f, "team=No_Such!", NULL, err, sizeof err) == -1);
	CHECK(strstr(err, "unknown team \"No_Such!\"") != NULL);
}

/* A refused filter leaves nothing half-set for the caller to apply. */
static void test_set_leaves_filter_unchanged_on_error(void)
{
	struct queue_filter f;
	char err[256];
	memset(&f, 0, sizeof f);
	snprintf(f.priority, sizeof f.priority, "low");
	CHECK(queue_filter_set(&f, "priority", "hgh", NULL, err, sizeof err) == -1);
	CHECK_STR(f.priority, "low");
	CHECK(queue_filter_set(&f, "priority", "urgent", NULL, err, sizeof err) == 0);
	CHECK_STR(f.priority, "urgent");
}

static void test_typeahead_matching(void)
{
	CHECK(handoff_choice_matches("Success", "su"));
	CHECK(handoff_choice_matches("Success", "SUC"));
	CHECK(!handoff_choice_matches("Success", "sup"));
	CHECK(handoff_choice_matches("Jürgen Groß", "jur"));
	CHECK(handoff_choice_matches("Łukasz Wiśniewski", "lu"));
	CHECK(handoff_choice_matches("Chloé Dubois", "CHLOE"));
	CHECK(handoff_choice_matches("Émile", "em"));
	CHECK(handoff_choice_matches("anything", ""));
	CHECK(!handoff_choice_matches("Ben", "Benjamin"));
	CHECK(handoff_choice_matches("佐藤 由紀", "佐藤"));
	CHECK(!handoff_choice_matches("佐藤 由紀", "由"));
}

/* The console's list leaves the marks to their own statement, whose
 * answer marks the rows of its customers; new rows keep their customer's
 * marks until then. */
static void test_marks_apart(void)
{
	struct queue_filter f = {0};
	struct queue_params qp;
	struct db_stmt st[3], list, marks;
	queue_statements(&f, &qp, st);
	queue_list_unmarked(&f, &qp, &list);
	CHECK(strstr(st[0].sql, "baton_signal_markers") != NULL);
	CHECK(strstr(list.sql, "baton_signal_markers") == NULL);
	CHECK(list.nparams == st[0].nparams && list.params == st[0].params);

	struct queue_row rows[3] = {{.customer_id = 7}, {.customer_id = 42}, {.customer_id = 7}};
	struct queue_list l = {rows, 3};
	struct buf ids = BUF_INIT;
	const char *param;
	queue_marks_statement(&l, &ids, &param, &marks);
	CHECK(marks.nparams == 1);
	CHECK_STR(marks.params[0], "{7,42,7}");
	CHECK(strstr(marks.sql, "baton_signal_markers") != NULL);
	buf_free(&ids);

	/* An answer: 7 has a dropped baton and one more, 42 nothing. */
	PGresult *r = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
	PGresAttDesc cols[QK_COLS] = {{.name = (char *)"id"}, {.name = (char *)"kind"}, {.name = (char *)"signals"}};
	CHECK(PQsetResultAttrs(r, QK_COLS, cols));
	const char *v[2][QK_COLS] = {{"7", "dropped-baton", "2"}, {"42", NULL, "0"}};
	for (int i = 0; i < 2; i++)
		for (int k = 0; k < QK_COLS; k++)
			CHECK(PQsetvalue(r, i, k, (char *)v[i][k], v[i][k] ? (int)strlen(v[i][k]) : -1));
	rows[1].signal = signal_kind_find("voice-falling");
	rows[1].signals = 1;
	CHECK(queue_list_mark(&l, r) == 0);
	PQclear(r);
	CHECK(rows[0].signal == signal_kind_find("dropped-baton") && rows[0].signals == 2);
	CHECK(rows[2].signal == rows[0].signal && rows[2].signals == 2);
	CHECK(rows[1].signal == NULL && rows[1].signals == 0);

	struct queue_row next[2] = {{.customer_id = 42}, {.customer_id = 7}};
	struct queue_list fresh = {next, 2};
	queue_list_keep_marks(&fresh, &l);
	CHECK(next[1].signal == rows[0].signal && next[1].signals == 2);
	CHECK(next[0].signal == NULL);
}

int main(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	RUN(test_fixed_values_refused_with_the_valid_list);
	RUN(test_reasons_are_the_databases);
	RUN(test_valid_filter_sets_every_field);
	RUN(test_teams);
	RUN(test_set_leaves_filter_unchanged_on_error);
	RUN(test_typeahead_matching);
	RUN(test_marks_apart);
	return check_done();
}
