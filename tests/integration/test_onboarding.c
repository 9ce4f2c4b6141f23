/* Integration tests for onboarding written back (migration 008), as any
 * client would call the functions: baton_milestone_set and
 * baton_health_set as the demo's staff, on a copy of the demo.  maja
 * (Onboarding lead), olu (Onboarding, owns most of Northwind's
 * milestones), ana (Support), ben (Success). */
#include "baton/customer.h"
#include "baton/db.h"
#include "baton/onboarding.h"

#include <libpq-fe.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <unistd.h>

#include "check.h"
#include "itest.h"
#include "itest_cv.h"

static PGconn *su, *admin, *maja, *olu, *ana, *ben;
static char admin_role[64];

/* Short names for itest.h's helpers. */
#define val itest_valuef
#define is_error itest_is_error

/* Northwind's milestone at position pos (its id, as text). */
static const char *nwh_milestone(int pos)
{
	static char id[32];
	snprintf(id, sizeof id, "%s", val(su, "SELECT id FROM milestone WHERE customer_id = 1 AND position = %d", pos));
	return id;
}

static const char *new_uuid(void)
{
	static char id[40];
	snprintf(id, sizeof id, "%s", val(su, "SELECT gen_random_uuid()"));
	return id;
}

/* baton_milestone_set as c: "done|already|status|version|message" or the
 * error.  due, owner, reason, version: SQL (NULL or quoted). */
static const char *mset(PGconn *c, const char *id, const char *ms, const char *status, const char *due,
                        const char *owner, const char *reason, const char *version)
{
	return val(c, "SELECT concat_ws('|', done, already, status, version, message) FROM baton_milestone_set("
	              "'%s', %s, '%s', %s, %s, %s, %s)", id, ms, status, due, owner, reason, version);
}

static const char *hset(PGconn *c, const char *id, const char *customer, const char *health, const char *reason)
{
	return val(c, "SELECT concat_ws('|', done, already, health, message) FROM baton_health_set("
	              "'%s', %s, '%s', %s)", id, customer, health, reason);
}

static long long num(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static long long num(const char *fmt, ...)
{
	char sql[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(sql, sizeof sql, fmt, ap);
	va_end(ap);
	return atoll(itest_value(su, sql));
}

/* --- milestones ------------------------------------------------------------------ */

static void test_onboarding_marks_a_milestone_blocked_with_a_reason(void)
{
	const char *ms = nwh_milestone(3), *id = new_uuid();
	CHECK_STR(mset(maja, id, ms, "blocked", "current_date + 3", "'olu'", "'waiting for the HL7 export'", "1"),
	          "t|f|blocked|2|done");
	CHECK_STR(val(su, "SELECT concat_ws('|', status, blocked_reason, version, due_date = current_date + 3,"
	                  " completed_at IS NULL) FROM milestone WHERE id = %s", ms),
	          "blocked|waiting for the HL7 export|2|t|t");
	CHECK_STR(val(su, "SELECT concat_ws('|', actor, status, reason, owner, customer_id) FROM milestone_event"
	                  " WHERE id = '%s'", id),
	          "maja|blocked|waiting for the HL7 export|olu|1");
	/* Everyone reads it: the event with its customer, under 005's policy. */
	CHECK_STR(val(ana, "SELECT count(*) FROM milestone_event WHERE id = '%s'", id), "1");
	CHECK_STR(val(su, "SELECT count(*) FROM baton_audit WHERE entity = 'milestone_event' AND entity_id = '%s'"
	                  " AND actor = 'maja'", id), "1");
}

static void test_blocked_needs_a_reason(void)
{
	const char *ms = nwh_milestone(4);
	long long before = num("SELECT count(*) FROM milestone_event");
	const char *v = mset(maja, new_uuid(), ms, "blocked", "NULL", "'olu'", "'  '", "NULL");
	CHECK(is_error(v, "a blocked milestone needs a reason"));
	v = mset(maja, new_uuid(), ms, "blocked", "NULL", "'olu'", "NULL", "NULL");
	CHECK(is_error(v, "a blocked milestone needs a reason"));
	v = mset(maja, new_uuid(), ms, "stalled", "NULL", "'olu'", "'x'", "NULL");
	CHECK(is_error(v, "unknown status \"stalled\""));
	v = mset(maja, new_uuid(), ms, "pending", "NULL", "'bjorn'", "NULL", "NULL");
	CHECK(is_error(v, "\"bjorn\" is not an active staff member"));
	v = mset(maja, new_uuid(), ms, "blocked", "NULL", "'olu'", "E'two\\nlines'", "NULL");
	CHECK(is_error(v, "the reason is one line"));
	CHECK(num("SELECT count(*) FROM milestone_event") == before);
	CHECK_STR(val(su, "SELECT status || '|' || version FROM milestone WHERE id = %s", ms), "pending|1");
}

static void test_same_id_is_recorded_once(void)
{
	const char *ms = nwh_milestone(5);
	char id[40];
	snprintf(id, sizeof id, "%s", new_uuid());
	CHECK_STR(mset(olu, id, ms, "in_progress", "NULL", "'olu'", "NULL", "NULL"), "t|f|in_progress|2|done");
	/* The answer was lost: the same change again, even on a version now
	 * stale, is recognised, not applied twice. */
	CHECK_STR(mset(olu, id, ms, "in_progress", "NULL", "'olu'", "NULL", "1"),
	          "t|t|in_progress|2|already recorded");
	CHECK(num("SELECT count(*) FROM milestone_event WHERE milestone_id = %s", ms) == 1);
	CHECK(num("SELECT version FROM milestone WHERE id = %s", ms) == 2);
	/* Someone else's id is not theirs to replay. */
	CHECK(is_error(mset(maja, id, ms, "done", "NULL", "'olu'", "NULL", "NULL"),
	               "already exists and was recorded by someone else"));
	CHECK(num("SELECT count(*) FROM milestone_event WHERE milestone_id = %s", ms) == 1);
	/* Nor is olu's own id another milestone's change. */
	char other[32];
	snprintf(other, sizeof other, "%s", nwh_milestone(6));
	CHECK(is_error(mset(olu, id, other, "in_progress", "NULL", "'olu'", "NULL", "NULL"),
	               "recorded by someone else or for something else"));
	CHECK(num("SELECT version FROM milestone WHERE id = %s", other) == 1);
}

static void test_another_team_is_refused(void)
{
	const char *ms = nwh_milestone(6);
	long long before = num("SELECT count(*) FROM milestone_event");
	const char *v = mset(ana, new_uuid(), ms, "done", "NULL", "'maja'", "NULL", "NULL");
	CHECK(is_error(v, "only the Onboarding team or the milestone's owner (maja) can change it; ana is in support"));
	v = mset(ben, new_uuid(), ms, "done", "NULL", "'maja'", "NULL", "NULL");
	CHECK(is_error(v, "ben is in success"));
	CHECK(num("SELECT count(*) FROM milestone_event") == before);
	CHECK_STR(val(su, "SELECT status FROM milestone WHERE id = %s", ms), "pending");
	/* No way around the function: no INSERT or UPDATE right. */
	CHECK(is_error(val(ana, "UPDATE milestone SET status = 'done' WHERE id = %s", ms), "permission denied"));
	CHECK(is_error(val(ana, "INSERT INTO milestone_event (id, milestone_id, customer_id, status)"
	                        " VALUES (gen_random_uuid(), %s, 1, 'done')", ms), "permission denied"));
}

static void test_the_owner_may_and_the_team_setting_decides(void)
{
	const char *ms = nwh_milestone(7);
	val(su, "UPDATE milestone SET owner = 'ben' WHERE id = %s", ms);
	CHECK_STR(mset(ben, new_uuid(), ms, "in_progress", "current_date + 40", "'ben'", "NULL", "NULL"),
	          "t|f|in_progress|2|done");
	/* Not another milestone of the same customer. */
	CHECK(is_error(mset(ben, new_uuid(), nwh_milestone(6), "done", "NULL", "'maja'", "NULL", "NULL"),
	               "only the Onboarding team"));
	/* The team is the database's setting, which only an administrator
	 * changes: with Success as the onboarding team, ben may, maja may not. */
	CHECK(is_error(val(maja, "SELECT baton_setting_set('onboarding_team', 'success')"),
	               "only an administrator"));
	CHECK_STR(val(admin, "SELECT baton_setting_set('onboarding_team', 'success')"), "t");
	CHECK_STR(mset(ben, new_uuid(), nwh_milestone(6), "in_progress", "NULL", "'maja'", "NULL", "NULL"),
	          "t|f|in_progress|2|done");
	CHECK(is_error(mset(maja, new_uuid(), nwh_milestone(2), "in_progress", "NULL", "'olu'", "NULL", "NULL"),
	               "only the Success team or the milestone's owner (olu) can change it; maja is in onboarding"));
	CHECK(is_error(val(admin, "SELECT baton_setting_set('onboarding_team', 'Not a team!')"),
	               "onboarding_team takes a team id"));
	CHECK_STR(val(admin, "SELECT baton_setting_set('onboarding_team', 'onboarding')"), "t");
}

static void test_history_is_appended_never_updated(void)
{
	const char *ms = nwh_milestone(2); /* SSO configured: done */
	char first[40], second[40];
	snprintf(first, sizeof first, "%s", new_uuid());
	snprintf(second, sizeof second, "%s", new_uuid());
	CHECK_STR(val(su, "SELECT completed_at IS NOT NULL FROM milestone WHERE id = %s", ms), "t");
	CHECK_STR(mset(olu, first, ms, "in_progress", "NULL", "'olu'", "'SAML broke again'", "1"),
	          "t|f|in_progress|2|done");
	CHECK_STR(val(su, "SELECT completed_at IS NULL FROM milestone WHERE id = %s", ms), "t");
	CHECK_STR(mset(olu, second, ms, "done", "NULL", "'olu'", "'fixed the certificate'", "2"), "t|f|done|3|done");
	CHECK_STR(val(su, "SELECT string_agg(status || ':' || reason, ',' ORDER BY at, id) FROM milestone_event"
	                  " WHERE milestone_id = %s", ms),
	          "in_progress:SAML broke again,done:fixed the certificate");
	CHECK_STR(val(su, "SELECT completed_at > now() - interval '1 minute' FROM milestone WHERE id = %s", ms), "t");
	/* Not even the owner of the tables changes or removes history. */
	CHECK(is_error(val(su, "UPDATE milestone_event SET reason = 'x' WHERE id = '%s'", first), "append-only"));
	CHECK(is_error(val(su, "DELETE FROM milestone_event WHERE id = '%s'", first), "append-only"));
	CHECK(is_error(val(su, "DELETE FROM onboarding_health_event"), "append-only"));
}

static void test_a_stale_version_is_refused_with_the_fresh_state(void)
{
	const char *ms = nwh_milestone(1);
	CHECK_STR(mset(maja, new_uuid(), ms, "done", "current_date - 50", "'maja'", "NULL", "1"),
	          "t|f|done|2|done");
	const char *v = mset(olu, new_uuid(), ms, "in_progress", "NULL", "'maja'", "NULL", "1");
	CHECK(strncmp(v, "f|f|done|2|changed meanwhile by maja at ", 40) == 0);
	CHECK(strstr(v, "; it is now done (version 2)") != NULL);
	/* Nothing to change is no change, and no history. */
	long long n = num("SELECT count(*) FROM milestone_event WHERE milestone_id = %s", ms);
	CHECK_STR(mset(maja, new_uuid(), ms, "done", "current_date - 50", "'maja'", "NULL", "2"),
	          "t|f|done|2|unchanged");
	CHECK(num("SELECT count(*) FROM milestone_event WHERE milestone_id = %s", ms) == n);
}

static void test_out_of_scope_is_no_milestone(void)
{
	/* A scope limits olu to small customers: Northwind (mid-market) is
	 * not there for him, in the same words as a milestone that is not. */
	val(su, "UPDATE staff SET scope = '{smb}' WHERE role_name = 'olu'");
	const char *ms = nwh_milestone(4);
	char want[64];
	snprintf(want, sizeof want, "no milestone %s", ms);
	CHECK(is_error(mset(olu, new_uuid(), ms, "in_progress", "NULL", "'olu'", "NULL", "NULL"), want));
	CHECK(is_error(hset(olu, new_uuid(), "1", "at_risk", "'x'"), "unknown customer 1"));
	val(su, "UPDATE staff SET scope = NULL WHERE role_name = 'olu'");
	CHECK(is_error(mset(olu, new_uuid(), "999999", "done", "NULL", "NULL", "NULL", "NULL"), "no milestone 999999"));
}

/* The client's statement (src/onboarding.c) against the real function. */
static void test_client_statement(void)
{
	struct milestone_change m;
	char err[512] = "";
	CHECK(onboarding_milestone_init(&m) == 0);
	const char *v[OM_COLS];
	char id[32];
	snprintf(id, sizeof id, "%s", nwh_milestone(4));
	const char *p[] = {id};
	PGresult *r = db_exec(maja, onboarding_milestone_sql, 1, p, err, sizeof err);
	CHECK(r && PQntuples(r) == 1 && PQnfields(r) == OM_COLS);
	if (!r || PQntuples(r) != 1 || PQnfields(r) != OM_COLS) {
		PQclear(r);
		return;
	}
	for (int i = 0; i < OM_COLS; i++)
		v[i] = PQgetvalue(r, 0, i);
	onboarding_milestone_from(&m, v);
	PQclear(r);
	CHECK_STR(m.title, "Training");
	snprintf(m.status, sizeof m.status, "blocked");
	snprintf(m.reason, sizeof m.reason, "trainer ill; Ünïcode ok");
	m.owner[0] = '\0';
	CHECK(onboarding_milestone_validate(&m, err, sizeof err) == 0);
	struct handoff_params st;
	struct db_stmt s;
	onboarding_milestone_stmt(&m, &st, &s);
	r = db_exec(maja, s.sql, s.nparams, s.params, err, sizeof err);
	struct handoff_step_result res;
	CHECK(r && handoff_step_read(r, &res) == 0 && res.done && !res.already && res.version == m.version + 1);
	PQclear(r);
	CHECK_STR(val(su, "SELECT concat_ws('|', status, blocked_reason, owner IS NULL) FROM milestone WHERE id = %s", id),
	          "blocked|trainer ill; Ünïcode ok|t");
}

/* --- health ---------------------------------------------------------------------- */

static void test_health_set_with_a_reason(void)
{
	char id[40];
	snprintf(id, sizeof id, "%s", new_uuid());
	long long before = num("SELECT count(*) FROM onboarding_health_event WHERE customer_id = 1");
	CHECK(is_error(hset(maja, new_uuid(), "1", "at_risk", "' '"), "the onboarding health needs a reason"));
	CHECK(is_error(hset(maja, new_uuid(), "1", "great", "'x'"), "unknown health \"great\""));
	CHECK(is_error(hset(ana, new_uuid(), "1", "at_risk", "'refund'"),
	               "only the Onboarding team or the owner of one of the customer's milestones"));
	CHECK_STR(hset(maja, id, "1", "at_risk", "'migration tickets pile up'"), "t|f|at_risk|done");
	CHECK_STR(hset(maja, id, "1", "at_risk", "'migration tickets pile up'"), "t|t|at_risk|already recorded");
	CHECK(is_error(hset(olu, id, "1", "at_risk", "'x'"), "recorded by someone else"));
	CHECK_STR(val(su, "SELECT onboarding_health FROM customer WHERE id = 1"), "at_risk");
	CHECK(num("SELECT count(*) FROM onboarding_health_event WHERE customer_id = 1") == before + 1);
	CHECK_STR(val(su, "SELECT actor || '|' || reason FROM onboarding_health_event WHERE id = '%s'", id),
	          "maja|migration tickets pile up");
	/* A milestone's owner from another team may set it for that customer. */
	val(su, "UPDATE milestone SET owner = 'ben' WHERE customer_id = 3 AND position = 4");
	CHECK_STR(hset(ben, new_uuid(), "3", "off_track", "'admin training cancelled twice'"), "t|f|off_track|done");
	CHECK(is_error(hset(ben, new_uuid(), "2", "on_track", "'x'"), "only the Onboarding team"));
}

static int header(long long id, struct customer_view *cv)
{
	char err[512];
	if (itest_cv_load(ana, id, cv, err, sizeof err) < 0) {
		printf("    load %lld: %s\n", id, err);
		return 0;
	}
	return 1;
}

/* The customer fetch says how old the health is and whether it is stale,
 * by the server's clock and the database's setting. */
static void test_stale_after_the_configured_age(void)
{
	struct customer_view cv;
	/* Nordic Pharma (5): its health set 15 days ago. */
	val(su, "UPDATE customer SET onboarding_health = 'on_track' WHERE id = 5");
	val(su, "INSERT INTO onboarding_health_event (id, customer_id, health, reason, actor, at)"
	        " VALUES (gen_random_uuid(), 5, 'on_track', 'checked with the sponsor', 'maja', now() - interval '15 days')");
	if (!header(5, &cv)) {
		CHECK(0);
		return;
	}
	CHECK_STR(cv_get(&cv, CV_HEADER, 0, H_HEALTH_STALE), "t");
	CHECK_STR(cv_get(&cv, CV_HEADER, 0, H_HEALTH_REASON), "checked with the sponsor");
	CHECK_STR(cv_get(&cv, CV_HEADER, 0, H_HEALTH_BY), "Maja Kowalczyk");
	CHECK(cv_num(&cv, CV_HEADER, 0, H_HEALTH_AGE_S) / 86400 == 15);
	cv_free(&cv);
	CHECK_STR(val(admin, "SELECT baton_setting_set('onboarding_health_stale_days', '20')"), "t");
	if (!header(5, &cv)) {
		CHECK(0);
		return;
	}
	CHECK_STR(cv_get(&cv, CV_HEADER, 0, H_HEALTH_STALE), "f");
	cv_free(&cv);
	CHECK(is_error(val(admin, "SELECT baton_setting_set('onboarding_health_stale_days', '0')"),
	               "onboarding_health_stale_days takes a number of days from 1 to 365"));
	CHECK_STR(val(admin, "SELECT baton_setting_set('onboarding_health_stale_days', '14')"), "t");
	/* Set again now: fresh. */
	CHECK_STR(hset(maja, new_uuid(), "5", "on_track", "'still on plan'"), "t|f|on_track|done");
	if (!header(5, &cv)) {
		CHECK(0);
		return;
	}
	CHECK_STR(cv_get(&cv, CV_HEADER, 0, H_HEALTH_STALE), "f");
	CHECK_STR(cv_get(&cv, CV_HEADER, 0, H_HEALTH_REASON), "still on plan");
	cv_free(&cv);
	/* Changed behind Baton's back (an import): no known age, stale. */
	val(su, "UPDATE customer SET onboarding_health = 'at_risk' WHERE id = 5");
	if (!header(5, &cv)) {
		CHECK(0);
		return;
	}
	CHECK_STR(cv_get(&cv, CV_HEADER, 0, H_HEALTH_STALE), "t");
	CHECK(cv_isnull(&cv, CV_HEADER, 0, H_HEALTH_REASON));
	cv_free(&cv);
	/* Done is never stale. */
	val(su, "UPDATE customer SET onboarding_health = 'done' WHERE id = 5");
	if (!header(5, &cv)) {
		CHECK(0);
		return;
	}
	CHECK_STR(cv_get(&cv, CV_HEADER, 0, H_HEALTH_STALE), "f");
	cv_free(&cv);
}

/* The timeline tells each change once, with who and why. */
static void test_timeline_has_the_changes(void)
{
	const char *ms = nwh_milestone(6); /* Go-live */
	CHECK(strncmp(mset(maja, new_uuid(), ms, "done", "NULL", "'maja'", "'went live on Sunday'", "NULL"),
	              "t|f|done|", 9) == 0);
	CHECK_STR(hset(maja, new_uuid(), "1", "done", "'live, handed over'"), "t|f|done|done");
	char err[512];
	const char *p[] = {"1"};
	PGresult *r = db_exec(ana, cv_timeline_sql, 1, p, err, sizeof err);
	CHECK(r != NULL);
	int golive = 0, health = 0;
	for (int i = 0; r && i < PQntuples(r); i++) {
		const char *kind = PQgetvalue(r, i, TL_KIND), *text = PQgetvalue(r, i, TL_TEXT);
		if (!strcmp(kind, "milestone done") && !strncmp(text, "Go-live", 7)) {
			golive++;
			CHECK_STR(text, "Go-live: went live on Sunday");
			CHECK_STR(PQgetvalue(r, i, TL_WHO), "maja");
		}
		if (!strcmp(kind, "health done")) {
			health++;
			CHECK_STR(text, "live, handed over");
		}
	}
	CHECK(golive == 1 && health == 1);
	PQclear(r);
}

/* Go-live's "milestone done" entries in customer id's timeline: how many,
 * and the text of the last one. */
static int golive_done(const char *id, char *text, size_t len)
{
	char err[512];
	const char *p[] = {id};
	PGresult *r = db_exec(ana, cv_timeline_sql, 1, p, err, sizeof err);
	CHECK(r != NULL);
	int n = 0;
	for (int i = 0; r && i < PQntuples(r); i++)
		if (!strcmp(PQgetvalue(r, i, TL_KIND), "milestone done") &&
		    !strncmp(PQgetvalue(r, i, TL_TEXT), "Go-live", 7)) {
			n++;
			snprintf(text, len, "%s", PQgetvalue(r, i, TL_TEXT));
		}
	PQclear(r);
	return n;
}

/* A milestone done in the console and then moved to another customer (an
 * import's record corrected to it, migration 055): its "done" event stays in
 * the first customer's history, and the second customer's timeline shows the
 * milestone done all the same.  When the first customer is later merged into
 * the second, the event shows there and stands for it: the done is told once. */
static void test_timeline_of_a_moved_milestone(void)
{
	const char *ms = val(su, "SELECT id FROM milestone WHERE customer_id = 1 AND title LIKE 'Go-live%%'");
	char msid[32], to[32], text[256] = "";
	snprintf(msid, sizeof msid, "%s", ms);
	snprintf(to, sizeof to, "%s", val(su, "INSERT INTO customer (name) VALUES ('Moved To') RETURNING id"));
	val(su, "UPDATE milestone SET customer_id = %s, position = 1 WHERE id = %s", to, msid);

	CHECK(golive_done("1", text, sizeof text) == 1);
	CHECK_STR(text, "Go-live: went live on Sunday");
	CHECK(golive_done(to, text, sizeof text) == 1);
	CHECK_STR(text, "Go-live");

	val(su, "UPDATE customer SET merged_into = %s WHERE id = 1", to);
	CHECK(golive_done(to, text, sizeof text) == 1);
	CHECK_STR(text, "Go-live: went live on Sunday");
	val(su, "UPDATE customer SET merged_into = NULL WHERE id = 1");
}

/* A console showing the customer hears of it (LISTEN baton). */
static void test_change_notifies_the_customer(void)
{
	PQclear(PQexec(ben, "LISTEN baton"));
	CHECK_STR(mset(maja, new_uuid(), nwh_milestone(5), "blocked", "NULL", "'olu'", "'no test data'", "NULL"),
	          "t|f|blocked|3|done");
	int heard = 0;
	for (int i = 0; i < 50 && !heard; i++) {
		PQconsumeInput(ben);
		PGnotify *n;
		while ((n = PQnotifies(ben))) {
			heard |= !strcmp(n->relname, "baton") && !strcmp(n->extra, "customer:1");
			PQfreemem(n);
		}
		if (!heard) {
			fd_set fds;
			FD_ZERO(&fds);
			FD_SET(PQsocket(ben), &fds);
			struct timeval tv = {0, 100000};
			select(PQsocket(ben) + 1, &fds, NULL, NULL, &tv);
		}
	}
	CHECK(heard);
	PQclear(PQexec(ben, "UNLISTEN baton"));
}

int main(void)
{
	const char *db = itest_newdb("baton_demo");
	su = itest_connect(db, NULL);
	snprintf(admin_role, sizeof admin_role, "t_onb_admin_%s", itest_id());
	val(su, "CREATE ROLE %s LOGIN", admin_role);
	val(su, "GRANT baton_admin TO %s", admin_role);
	admin = itest_connect(db, admin_role);
	maja = itest_connect(db, "maja");
	olu = itest_connect(db, "olu");
	ana = itest_connect(db, "ana");
	ben = itest_connect(db, "ben");

	RUN(test_onboarding_marks_a_milestone_blocked_with_a_reason);
	RUN(test_blocked_needs_a_reason);
	RUN(test_same_id_is_recorded_once);
	RUN(test_another_team_is_refused);
	RUN(test_the_owner_may_and_the_team_setting_decides);
	RUN(test_history_is_appended_never_updated);
	RUN(test_a_stale_version_is_refused_with_the_fresh_state);
	RUN(test_out_of_scope_is_no_milestone);
	RUN(test_client_statement);
	RUN(test_health_set_with_a_reason);
	RUN(test_stale_after_the_configured_age);
	RUN(test_timeline_has_the_changes);
	RUN(test_change_notifies_the_customer);
	RUN(test_timeline_of_a_moved_milestone);

	PGconn *all[] = {admin, maja, olu, ana, ben};
	for (size_t i = 0; i < sizeof all / sizeof *all; i++)
		PQfinish(all[i]);
	val(su, "REVOKE baton_admin FROM %s", admin_role);
	PQfinish(su);
	return check_done();
}
