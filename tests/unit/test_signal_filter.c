/* Unit tests for the signals screen's filter (src/signal_filter.c): the
 * kinds by the start of their name, teams and segments checked as the
 * queue checks them, owners against the staff, one clear message for a bad
 * word, and the statement's parameters. */
#include "baton/signal_filter.h"
#include "baton/team.h"

#include <stdio.h>
#include <string.h>

#include "check.h"

static struct team teams_v[] = {{"support", "Support"}, {"marketing", "Marketing"}};
static struct staff staff_v[] = {{"ben", "Ben Okafor", "success"}, {"mia", "Mia Jørgensen", "marketing"}};
static const struct team_list lists = {teams_v, 2, staff_v, 2, NULL, 0, 0};

static void test_kind_by_the_start_of_its_name(void)
{
	struct signal_filter f;
	char err[512] = "";
	CHECK(signal_filter_parse(&f, "kind=dropped", NULL, err, sizeof err) == 0);
	CHECK_STR(f.kind, "dropped-baton");
	CHECK(signal_filter_parse(&f, "kind=voice_falling", NULL, err, sizeof err) == 0);
	CHECK_STR(f.kind, "voice-falling");
	CHECK(signal_filter_parse(&f, "kind=on_track", NULL, err, sizeof err) == 0);
	CHECK_STR(f.kind, "on-track-but-burning");
	CHECK(signal_filter_parse(&f, "kind=campaign-during-complaint", NULL, err, sizeof err) == 0);
	CHECK_STR(f.kind, "campaign-during-complaint");
	/* outreach-… and on-track-… both start with "o". */
	CHECK(signal_filter_parse(&f, "kind=o", NULL, err, sizeof err) == -1);
	CHECK(strncmp(err, "ambiguous kind \"o\": use campaign-during-complaint, ", 51) == 0);
	CHECK(signal_filter_parse(&f, "kind=late", NULL, err, sizeof err) == -1);
	CHECK(strstr(err, "unknown kind \"late\"") == err);
	CHECK(strstr(err, " or voice-falling") != NULL);
	CHECK_STR(f.kind, "");
}

static void test_team_segment_owner_checked(void)
{
	struct signal_filter f;
	char err[512] = "";
	CHECK(signal_filter_parse(&f, "team=Marketing segment=smb owner=BEN", &lists, err, sizeof err) == 0);
	CHECK_STR(f.team, "marketing");
	CHECK_STR(f.segment, "smb");
	CHECK_STR(f.owner, "ben");
	CHECK(signal_filter_parse(&f, "team=sales", &lists, err, sizeof err) == -1);
	CHECK_STR(err, "unknown team \"sales\": use support or marketing");
	CHECK(signal_filter_parse(&f, "segment=huge", &lists, err, sizeof err) == -1);
	CHECK_STR(err, "unknown segment \"huge\": use smb, mid-market, enterprise or strategic");
	CHECK(signal_filter_parse(&f, "owner=zed", &lists, err, sizeof err) == -1);
	CHECK_STR(err, "unknown owner \"zed\": use a person's role name, e.g. owner=ben");
	CHECK(signal_filter_parse(&f, "owner", &lists, err, sizeof err) == -1);
	CHECK(strncmp(err, "owner= needs a value", 20) == 0);
	CHECK(signal_filter_parse(&f, "state=open", &lists, err, sizeof err) == -1);
	CHECK_STR(err, "unknown filter \"state\": use kind=, team=, segment= or owner=");
	/* A bad word leaves nothing half-set. */
	CHECK(signal_filter_parse(&f, "team=support owner=zed", &lists, err, sizeof err) == -1);
	CHECK_STR(f.team, "");
}

static void test_describe_and_parameters(void)
{
	struct signal_filter f;
	struct signal_filter_params p;
	struct db_stmt st;
	char err[512] = "", desc[256];
	CHECK(signal_filter_parse(&f, "", NULL, err, sizeof err) == 0);
	signal_filter_describe(&f, desc, sizeof desc);
	CHECK_STR(desc, "any");
	signal_filter_stmt(&f, &p, &st);
	CHECK(st.nparams == 6 && !st.params[0] && !st.params[1] && !st.params[2] && !st.params[3] && !st.params[4]);
	CHECK_STR(st.params[5], "f");
	CHECK(signal_filter_parse(&f, "owner=mia  kind=repeat", &lists, err, sizeof err) == 0);
	signal_filter_describe(&f, desc, sizeof desc);
	CHECK_STR(desc, "kind=repeating-themselves owner=mia");
	signal_filter_stmt(&f, &p, &st);
	CHECK_STR(st.params[0], "repeating-themselves");
	CHECK_STR(st.params[3], "mia");
	CHECK(!st.params[1] && !st.params[2]);
}

int main(void)
{
	RUN(test_kind_by_the_start_of_its_name);
	RUN(test_team_segment_owner_checked);
	RUN(test_describe_and_parameters);
	return check_done();
}
