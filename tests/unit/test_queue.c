/* Unit tests for the queue filter's one check (src/queue.c), shared by the
 * console's f prompt, `baton queue` and the configuration's views, and for
 * the form's type-ahead matching (src/handoff.c). */
#include "baton/config.h"
#include "baton/handoff.h"
#include "baton/queue.h"
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
	CHECK_STR(err, "unknown reason \"refund\": use escalation, renewal risk or billing");
	/* The filter text splits on spaces: '_' stands for a reason's. */
	CHECK(parse(&f, "reason=renewal_risk", &l, err, sizeof err) == 0);
	CHECK_STR(f.reason, "renewal risk");
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

int main(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	RUN(test_fixed_values_refused_with_the_valid_list);
	RUN(test_reasons_are_the_databases);
	RUN(test_valid_filter_sets_every_field);
	RUN(test_teams);
	RUN(test_set_leaves_filter_unchanged_on_error);
	RUN(test_typeahead_matching);
	return check_done();
}
