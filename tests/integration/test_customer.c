/* Integration tests for src/customer.c on a copy of the demo: the customer
 * screen's data in one pipeline, the crossed-signal flags, resolving what a
 * user typed to a customer, and the timeline. */
#include "baton/customer.h"
#include "baton/db.h"
#include "baton/signals.h"

#include <libpq-fe.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "itest.h"
#include "itest_cv.h"

static PGconn *su;  /* superuser: prepares data */
static PGconn *ana; /* a support agent: reads like the console does */

/* Load or fail the test (returns 0 then). */
static int must_load(long long id, struct customer_view *cv)
{
	char err[1024] = "";
	if (itest_cv_load(ana, id, cv, err, sizeof err) < 0) {
		printf("    load %lld: %s\n", id, err);
		return 0;
	}
	return 1;
}

/* A handoff's history as its page reads it, as ana; "" when none, an
 * "ERROR ..." text when the statement fails.  Static: valid until the next
 * call. */
static const char *history(const char *handoff_id)
{
	static char out[8192];
	char ids[80];
	snprintf(ids, sizeof ids, "{%s}", handoff_id);
	const char *params[] = {ids};
	PGresult *r = PQexecParams(ana, cv_handoff_histories_sql, 1, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) > 1)
		snprintf(out, sizeof out, "ERROR %s", PQresultErrorMessage(r));
	else
		snprintf(out, sizeof out, "%s", PQntuples(r) ? PQgetvalue(r, 0, 1) : "");
	PQclear(r);
	return out;
}

/* Run SQL as the superuser; return the first value as a number. */
static long long su_num(const char *sql)
{
	const char *v = itest_value(su, sql);
	if (strncmp(v, "ERROR", 5) == 0)
		printf("    %s\n", v);
	return strtoll(v, NULL, 10);
}

/* Setup as the superuser, written printf-style (values the test chose). */
static void su_exec(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void su_exec(const char *fmt, ...)
{
	char sql[8192];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(sql, sizeof sql, fmt, ap);
	va_end(ap);
	const char *v = itest_value(su, sql);
	if (strncmp(v, "ERROR", 5) == 0)
		printf("    setup failed: %s\n", v);
	CHECK(strncmp(v, "ERROR", 5) != 0);
}

static void test_header_northwind(void)
{
	struct customer_view cv;
	if (!must_load(1, &cv)) {
		CHECK(!"loaded");
		return;
	}
	CHECK(cv_rows(&cv, CV_HEADER) == 1);
	CHECK_STR(cv_get(&cv, CV_HEADER, 0, H_ID), "1");
	CHECK_STR(cv_get(&cv, CV_HEADER, 0, H_NAME), "Northwind Health");
	CHECK_STR(cv_get(&cv, CV_HEADER, 0, H_DOMAIN), "nwh.example");
	CHECK_STR(cv_get(&cv, CV_HEADER, 0, H_PLAN), "growth");
	CHECK_STR(cv_get(&cv, CV_HEADER, 0, H_LIFECYCLE), "onboarding");
	CHECK_STR(cv_get(&cv, CV_HEADER, 0, H_ONB_HEALTH), "on_track");
	CHECK_STR(cv_get(&cv, CV_HEADER, 0, H_OWNER), "ben");
	CHECK_STR(cv_get(&cv, CV_HEADER, 0, H_OWNER_NAME), "Ben Okafor");
	CHECK(!cv_isnull(&cv, CV_HEADER, 0, H_RENEWAL));
	/* The latest survey answer of each kind. */
	CHECK_STR(cv_get(&cv, CV_HEADER, 0, H_NPS), "6");
	CHECK_STR(cv_get(&cv, CV_HEADER, 0, H_CSAT), "3");
	CHECK_STR(cv_get(&cv, CV_HEADER, 0, H_CES), "5");
	const char *ext = cv_get(&cv, CV_HEADER, 0, H_EXTERNAL_IDS);
	CHECK(strstr(ext, "crm:CRM-00123") != NULL);
	CHECK(strstr(ext, "helpdesk:HD-4417") != NULL);
	CHECK(strstr(ext, "helpdesk:HD-9020") != NULL);
	/* The primary contact first. */
	CHECK(strncmp(cv_get(&cv, CV_HEADER, 0, H_CONTACTS),
	              "Dana Whitfield <dana.whitfield@nwh.example>", 43) == 0);
	cv_free(&cv);
}

/* One person in two systems (a helpdesk user and a CRM contact of one
 * address, as two imports make them) is listed once, by the name of the
 * primary (or first) contact; people without an address each appear. */
static void test_header_lists_a_person_once(void)
{
	CHECK(itest_ok(su, "INSERT INTO contact (customer_id, name, email) VALUES"
	                   " (1, 'D. Whitfield (CRM)', ' DANA.Whitfield@nwh.example'),"
	                   " (1, 'Front desk', NULL), (1, 'Front desk', NULL)"));
	struct customer_view cv;
	if (must_load(1, &cv)) {
		const char *s = cv_get(&cv, CV_HEADER, 0, H_CONTACTS);
		CHECK(strncmp(s, "Dana Whitfield <dana.whitfield@nwh.example>", 43) == 0);
		CHECK(strstr(s, "DANA.Whitfield") == NULL);
		CHECK(strstr(s, "D. Whitfield") == NULL);
		CHECK(strstr(s, "Front desk, Front desk") != NULL);
		cv_free(&cv);
	} else
		CHECK(!"loaded");
	CHECK(itest_ok(su, "DELETE FROM contact WHERE customer_id = 1"
	                   " AND name IN ('D. Whitfield (CRM)', 'Front desk')"));
}

static void test_tickets_open_first_most_urgent_first(void)
{
	struct customer_view cv;
	if (!must_load(1, &cv)) {
		CHECK(!"loaded");
		return;
	}
	int open = 0, n = cv_rows(&cv, CV_TICKETS);
	for (int i = 0; i < n; i++)
		open += strcmp(cv_get(&cv, CV_TICKETS, i, T_OPEN), "t") == 0;
	CHECK(open == 3);
	CHECK(n == 4);
	CHECK_STR(cv_get(&cv, CV_TICKETS, 0, T_ID), "4812");
	CHECK_STR(cv_get(&cv, CV_TICKETS, 0, T_PRIORITY), "urgent");
	CHECK_STR(cv_get(&cv, CV_TICKETS, 0, T_SUBJECT), "Patient data missing after migration");
	CHECK_STR(cv_get(&cv, CV_TICKETS, 0, T_ASSIGNEE), "ana");
	CHECK(cv_num(&cv, CV_TICKETS, 0, T_SLA_LEFT_S) < 0); /* breached */
	CHECK(cv_num(&cv, CV_TICKETS, 0, T_AGE_S) > 2 * 86400);
	CHECK_STR(cv_get(&cv, CV_TICKETS, 1, T_ID), "4809");
	CHECK_STR(cv_get(&cv, CV_TICKETS, 2, T_ID), "4815");
	CHECK(cv_isnull(&cv, CV_TICKETS, 2, T_ASSIGNEE));
	/* The solved one comes after the open ones. */
	CHECK_STR(cv_get(&cv, CV_TICKETS, 3, T_ID), "4790");
	CHECK_STR(cv_get(&cv, CV_TICKETS, 3, T_OPEN), "f");
	CHECK(cv_isnull(&cv, CV_TICKETS, 3, T_SLA_LEFT_S));
	cv_free(&cv);
}

static void test_panels_northwind(void)
{
	struct customer_view cv;
	if (!must_load(1, &cv)) {
		CHECK(!"loaded");
		return;
	}
	/* Milestones in order, the overdue one counted in days. */
	CHECK(cv_rows(&cv, CV_MILESTONES) == 7);
	for (int i = 0; i < cv_rows(&cv, CV_MILESTONES); i++)
		CHECK(cv_num(&cv, CV_MILESTONES, i, M_POSITION) == i + 1);
	CHECK_STR(cv_get(&cv, CV_MILESTONES, 0, M_STATUS), "done");
	CHECK(!cv_isnull(&cv, CV_MILESTONES, 0, M_COMPLETED));
	CHECK_STR(cv_get(&cv, CV_MILESTONES, 2, M_TITLE), "Data migration");
	/* Due four days before the demo was loaded: compare with the server's
	 * own count so that a run just after midnight is not a failure. */
	char overdue[32];
	snprintf(overdue, sizeof overdue, "%s", itest_value(su,
		"SELECT current_date - due_date FROM milestone WHERE customer_id = 1 AND position = 3"));
	CHECK(atoi(overdue) >= 4);
	CHECK_STR(cv_get(&cv, CV_MILESTONES, 2, M_OVERDUE_DAYS), overdue);
	CHECK(cv_isnull(&cv, CV_MILESTONES, 3, M_OVERDUE_DAYS)); /* due next week */

	/* Notes newest first, with the author's name. */
	CHECK(cv_rows(&cv, CV_NOTES) == 4);
	CHECK_STR(cv_get(&cv, CV_NOTES, 0, N_AUTHOR), "maja");
	CHECK_STR(cv_get(&cv, CV_NOTES, 0, N_AUTHOR_NAME), "Maja Kowalczyk");
	for (int i = 1; i < cv_rows(&cv, CV_NOTES); i++)
		CHECK(cv_num(&cv, CV_NOTES, i, N_AGE_S) >= cv_num(&cv, CV_NOTES, i - 1, N_AGE_S));

	/* Marketing: the scheduled newsletter first, then what was sent. */
	CHECK(cv_rows(&cv, CV_MARKETING) == 3);
	CHECK_STR(cv_get(&cv, CV_MARKETING, 0, K_STATUS), "scheduled");
	CHECK(cv_num(&cv, CV_MARKETING, 0, K_IN_S) > 0);
	CHECK_STR(cv_get(&cv, CV_MARKETING, 1, K_CAMPAIGN), "Analytics webinar");
	CHECK_STR(cv_get(&cv, CV_MARKETING, 2, K_CAMPAIGN), "Welcome series");

	/* Handoffs: the open one first; its history, read apart, oldest event first. */
	CHECK(cv_rows(&cv, CV_HANDOFFS) == 2);
	CHECK_STR(cv_get(&cv, CV_HANDOFFS, 0, HO_STATE), "open");
	CHECK_STR(cv_get(&cv, CV_HANDOFFS, 0, HO_FROM_TEAM), "support");
	CHECK_STR(cv_get(&cv, CV_HANDOFFS, 0, HO_TO_TEAM), "success");
	CHECK_STR(cv_get(&cv, CV_HANDOFFS, 0, HO_TO_STAFF), "ben");
	CHECK_STR(cv_get(&cv, CV_HANDOFFS, 0, HO_TO_STAFF_NAME), "Ben Okafor");
	CHECK_STR(cv_get(&cv, CV_HANDOFFS, 0, HO_AUTHOR), "ana");
	CHECK_STR(cv_get(&cv, CV_HANDOFFS, 0, HO_AUTHOR_NAME), "Ana Lima");
	CHECK_STR(cv_get(&cv, CV_HANDOFFS, 0, HO_TICKET), "4812");
	CHECK(cv_num(&cv, CV_HANDOFFS, 0, HO_ACK_LEFT_S) < 0);
	CHECK(strstr(history(cv_get(&cv, CV_HANDOFFS, 0, HO_ID)), " created by ana") != NULL);
	CHECK_STR(cv_get(&cv, CV_HANDOFFS, 1, HO_STATE), "resolved");
	const char *ev = history(cv_get(&cv, CV_HANDOFFS, 1, HO_ID));
	const char *created = strstr(ev, "created by maja");
	const char *resolved = strstr(ev, "resolved by sam");
	CHECK(created && resolved && created < resolved); /* oldest event first */
	cv_free(&cv);
}

/* The active signals of a loaded screen as bits: 1 << the kind's index
 * (signal_kind_at). */
enum { COMPLAINT = 1, OUTREACH = 2, BURNING = 4, DROPPED = 8, REPEATING = 16, VOICE = 32 };
static int flag_bits(const struct customer_view *cv)
{
	int bits = 0;
	for (int r = 0; r < cv_flags(cv); r++)
		for (int k = 0; signal_kind_at(k); k++)
			if (!strcmp(cv_get(cv, CV_SIGNALS, r, SG_KIND), signal_kind_at(k)->name))
				bits |= 1 << k;
	return bits;
}

static void test_flags_story_customers(void)
{
	struct customer_view cv;
	/* Northwind: the newsletter scheduled during an urgent migration
	 * ticket, on track while migration burns, the escalation unseen, and
	 * a detractor's NPS with that newsletter coming. */
	if (must_load(1, &cv)) {
		CHECK(flag_bits(&cv) == (COMPLAINT | BURNING | DROPPED | VOICE));
		cv_free(&cv);
	} else {
		CHECK(!"loaded 1");
	}
	/* Café Lumière: an upsell scheduled while a complaint is open, and
	 * while Success holds a renewal-risk handoff. */
	if (must_load(2, &cv)) {
		CHECK(flag_bits(&cv) == (COMPLAINT | OUTREACH));
		CHECK(strstr(cv_get(&cv, CV_SIGNALS, 0, SG_EXPLANATION), "upsell \"Upgrade to Pro\" scheduled") != NULL);
		cv_free(&cv);
	} else {
		CHECK(!"loaded 2");
	}
	/* Müller & Söhne: a renewal e-mail yesterday during an urgent outage. */
	if (must_load(6, &cv)) {
		CHECK(flag_bits(&cv) == (COMPLAINT | OUTREACH));
		cv_free(&cv);
	} else {
		CHECK(!"loaded 6");
	}
	/* São Paulo Saúde: the login loop again, weeks after it was solved. */
	if (must_load(8, &cv)) {
		CHECK(flag_bits(&cv) == REPEATING);
		CHECK(strstr(cv_get(&cv, CV_SIGNALS, 0, SG_EXPLANATION), "#4817") != NULL);
		CHECK(strstr(cv_get(&cv, CV_SIGNALS, 0, SG_REFS), "ticket:4744") != NULL);
		cv_free(&cv);
	} else {
		CHECK(!"loaded 8");
	}
	/* North Star: nothing wrong, nothing flagged. */
	if (must_load(4, &cv)) {
		CHECK(flag_bits(&cv) == 0);
		cv_free(&cv);
	} else {
		CHECK(!"loaded 4");
	}
	for (int i = 0; i < CV_FLAG_COUNT; i++) {
		CHECK(cv_flag_title(i)[0] != '\0');
		CHECK(cv_flag_explain(i)[0] != '\0');
	}
	CHECK_STR(cv_flag_title(0), "campaign during complaint");
	CHECK_STR(cv_flag_title(CV_FLAG_COUNT), "");
	CHECK_STR(cv_flag_title(-1), "");
}

static long long new_customer(const char *name, const char *health)
{
	char sql[512];
	snprintf(sql, sizeof sql,
	         "INSERT INTO customer (name, onboarding_health) VALUES ('%s', %s%s%s) RETURNING id",
	         name, health ? "'" : "", health ? health : "NULL", health ? "'" : "");
	return su_num(sql);
}

static int flags_of(long long id)
{
	struct customer_view cv;
	if (!must_load(id, &cv))
		return -1;
	int f = flag_bits(&cv);
	cv_free(&cv);
	return f;
}

static void test_flags_follow_the_data(void)
{
	char sql[1024];
	long long id = new_customer("Flag Test One", "on_track");
	CHECK(id > 0);
	CHECK(flags_of(id) == 0);

	/* On track, but an onboarding ticket is open. */
	snprintf(sql, sizeof sql, "INSERT INTO ticket (customer_id, subject, status, priority, category)"
	         " VALUES (%lld, 'SSO broken', 'open', 'normal', 'onboarding') RETURNING id", id);
	long long t1 = su_num(sql);
	CHECK(flags_of(id) == BURNING);
	su_exec("UPDATE ticket SET status = 'solved', solved_at = now() WHERE id = %lld", t1);
	CHECK(flags_of(id) == 0);

	/* A newsletter sent eight days ago is history; six days ago it is live. */
	su_exec("INSERT INTO ticket (customer_id, subject, status, priority, category)"
	         " VALUES (%lld, 'Unhappy', 'open', 'low', 'complaint')", id);
	su_exec("INSERT INTO marketing_event (customer_id, campaign, kind, status, sent_at)"
	         " VALUES (%lld, 'Old news', 'newsletter', 'sent', now() - interval '8 days')", id);
	su_exec("INSERT INTO marketing_event (customer_id, campaign, kind, status, scheduled_at)"
	         " VALUES (%lld, 'Called off', 'upsell', 'cancelled', now() + interval '1 day')", id);
	CHECK(flags_of(id) == 0);
	su_exec("INSERT INTO marketing_event (customer_id, campaign, kind, status, sent_at)"
	         " VALUES (%lld, 'Fresh news', 'newsletter', 'sent', now() - interval '6 days')", id);
	CHECK(flags_of(id) == COMPLAINT);

	/* An upsell scheduled while an urgent ticket is open: a campaign
	 * during a complaint (high); outreach during escalation is the
	 * escalation handoff's (test_signals.c). */
	long long id2 = new_customer("Flag Test Two", "done");
	su_exec("INSERT INTO ticket (customer_id, subject, status, priority, category)"
	         " VALUES (%lld, 'Down', 'open', 'urgent', 'bug')", id2);
	su_exec("INSERT INTO marketing_event (customer_id, campaign, kind, status, scheduled_at)"
	         " VALUES (%lld, 'Go Pro', 'upsell', 'scheduled', now() + interval '3 days')", id2);
	CHECK(flags_of(id2) == COMPLAINT);

	/* Handoffs: late and open drops the baton; late but acknowledged, or
	 * open and not yet due, does not. */
	long long id3 = new_customer("Flag Test Three", NULL);
	su_exec("INSERT INTO handoff (id, customer_id, from_team, to_team, reason, note, ack_due_at)"
	         " VALUES ('00000000-0000-4000-8000-0000000000a1', %lld, 'support', 'success', 'question',"
	         " 'not due yet', now() + interval '1 hour')", id3);
	su_exec("INSERT INTO handoff (id, customer_id, from_team, to_team, reason, note, ack_due_at,"
	         " state, acknowledged_at, acknowledged_by)"
	         " VALUES ('00000000-0000-4000-8000-0000000000a2', %lld, 'support', 'success', 'question',"
	         " 'late but seen', now() - interval '1 hour', 'acknowledged', now(), 'ben')", id3);
	CHECK(flags_of(id3) == 0);
	su_exec("INSERT INTO handoff (id, customer_id, from_team, to_team, reason, note, ack_due_at)"
	         " VALUES ('00000000-0000-4000-8000-0000000000a3', %lld, 'support', 'success', 'question',"
	         " 'late and unseen', now() - interval '1 minute')", id3);
	CHECK(flags_of(id3) == DROPPED);
}

/* A customer with more handoffs than the panel holds: the 50 shown are
 * every active one, oldest first, then the most recently created closed
 * ones, newest first; and each comes with its own names, and its own
 * events when it is opened. */
static void test_handoffs_fifty_active_first(void)
{
	long long id = new_customer("Many Handoffs", NULL);
	/* 60 resolved (created 1..60 days ago), 5 open or acknowledged
	 * (created 70..74 days ago: older than every closed one). */
	su_exec("INSERT INTO handoff (id, customer_id, from_team, to_team, to_staff, reason,"
	         " note, ack_due_at, state, acknowledged_at, acknowledged_by, closed_at, closed_by, created_at)"
	         " SELECT gen_random_uuid(), %lld, 'support', 'success', 'ben', 'question', 'closed ' || g,"
	         " now(), 'resolved', now(), 'ben', now(), 'ben', now() - g * interval '1 day'"
	         " FROM generate_series(1, 60) g", id);
	su_exec("INSERT INTO handoff (id, customer_id, from_team, to_team, reason, note,"
	         " ack_due_at, state, acknowledged_at, acknowledged_by, created_at)"
	         " SELECT gen_random_uuid(), %lld, 'support', 'success', 'question', 'active ' || g, now(),"
	         " CASE WHEN g %% 2 = 0 THEN 'acknowledged' ELSE 'open' END,"
	         " CASE WHEN g %% 2 = 0 THEN now() END, CASE WHEN g %% 2 = 0 THEN 'ben' END,"
	         " now() - (69 + g) * interval '1 day' FROM generate_series(1, 5) g", id);
	su_exec("INSERT INTO handoff_event (id, handoff_id, kind, comment)"
	         " SELECT gen_random_uuid(), h.id, 'commented', 'about ' || h.note FROM handoff h WHERE h.customer_id = %lld",
	         id);
	struct customer_view cv;
	if (!must_load(id, &cv)) {
		CHECK(!"loaded");
		return;
	}
	CHECK(cv_rows(&cv, CV_HANDOFFS) == 50);
	for (int i = 0; i < cv_rows(&cv, CV_HANDOFFS) && i < 50; i++) {
		char want[32];
		if (i < 5)
			snprintf(want, sizeof want, "active %d", 5 - i);
		else
			snprintf(want, sizeof want, "closed %d", i - 4);
		CHECK_STR(cv_get(&cv, CV_HANDOFFS, i, HO_NOTE), want);
		char about[64];
		snprintf(about, sizeof about, "about %s", want);
		CHECK(strstr(history(cv_get(&cv, CV_HANDOFFS, i, HO_ID)), about) != NULL);
		CHECK_STR(cv_get(&cv, CV_HANDOFFS, i, HO_AUTHOR_NAME), itest_value(su, "SELECT current_user"));
	}
	CHECK_STR(cv_get(&cv, CV_HANDOFFS, 5, HO_TO_STAFF_NAME),
	          itest_value(su, "SELECT display_name FROM staff WHERE role_name = 'ben'"));
	cv_free(&cv);
}

/* A customer with another absorbed into it (a merge): its handoffs and the
 * absorbed one's are one panel, in the same order, the closed ones taken
 * newest first from both (049 walks each member's own); closed handoffs of
 * one moment go by id, whatever order they were written in. */
static void test_handoffs_of_a_group(void)
{
	long long id = new_customer("Survivor Handoffs", NULL);
	long long absorbed = new_customer("Absorbed Handoffs", NULL);
	su_exec("UPDATE customer SET merged_into = %lld WHERE id = %lld", id, absorbed);
	/* Closed 1..60 days ago, the odd ones the survivor's, the even ones
	 * the absorbed customer's. */
	su_exec("INSERT INTO handoff (id, customer_id, from_team, to_team, reason, note, ack_due_at,"
	        " state, closed_at, closed_by, created_at)"
	        " SELECT gen_random_uuid(), CASE WHEN g %% 2 = 1 THEN %lld ELSE %lld END, 'support', 'success',"
	        " 'question', 'closed ' || g, now(), CASE WHEN g %% 3 = 0 THEN 'cancelled' ELSE 'resolved' END,"
	        " now(), 'ben', now() - g * interval '1 day' FROM generate_series(1, 60) g",
	        id, absorbed);
	/* Four closed twelve hours ago, written in another order than their ids. */
	su_exec("INSERT INTO handoff (id, customer_id, from_team, to_team, reason, note, ack_due_at,"
	        " state, closed_at, closed_by, created_at)"
	        " SELECT ('00000000-0000-4000-8000-00000000a00' || g)::uuid, %lld, 'support', 'success',"
	        " 'question', 'tie ' || g, now(), 'resolved', now(), 'ben', date_trunc('hour', now()) - interval '12 hours'"
	        " FROM unnest(ARRAY[4, 1, 3, 2]) g",
	        id);
	/* Active: two of the absorbed customer's, older than the survivor's one. */
	su_exec("INSERT INTO handoff (id, customer_id, from_team, to_team, reason, note, ack_due_at,"
	        " state, acknowledged_at, acknowledged_by, created_at)"
	        " SELECT gen_random_uuid(), CASE WHEN g < 3 THEN %lld ELSE %lld END, 'support', 'success',"
	        " 'question', 'active ' || g, now(), CASE WHEN g = 1 THEN 'acknowledged' ELSE 'open' END,"
	        " CASE WHEN g = 1 THEN now() END, CASE WHEN g = 1 THEN 'ben' END,"
	        " now() - (85 - 5 * g) * interval '1 day' FROM generate_series(1, 3) g",
	        absorbed, id);
	struct customer_view cv;
	if (!must_load(id, &cv)) {
		CHECK(!"loaded");
		return;
	}
	CHECK(cv_rows(&cv, CV_HANDOFFS) == 50);
	for (int i = 0; i < 50; i++) {
		char want[32];
		if (i < 3)
			snprintf(want, sizeof want, "active %d", i + 1);
		else if (i < 7)
			snprintf(want, sizeof want, "tie %d", i - 2);
		else
			snprintf(want, sizeof want, "closed %d", i - 6);
		CHECK_STR(cv_get(&cv, CV_HANDOFFS, i, HO_NOTE), want);
	}
	cv_free(&cv);
}

/* The customer's handoffs panel shows 50, whose notes are "WHAT 1" to
 * "WHAT 50" in order. */
static void first_fifty_notes(long long id, const char *what)
{
	struct customer_view cv;
	if (!must_load(id, &cv)) {
		CHECK(!"loaded");
		return;
	}
	CHECK(cv_rows(&cv, CV_HANDOFFS) == 50);
	for (int i = 0; i < 50 && i < cv_rows(&cv, CV_HANDOFFS); i++) {
		char want[32];
		snprintf(want, sizeof want, "%s %d", what, i + 1);
		CHECK_STR(cv_get(&cv, CV_HANDOFFS, i, HO_NOTE), want);
	}
	cv_free(&cv);
}

/* Past the panel's 50, each walk has to stop at the right row: a customer
 * with 60 active handoffs shows the 50 oldest, oldest first; one with 70
 * closed ones, the newest 50; in both, 10 of one moment straddle the 50th
 * row and go by id. */
static void test_handoffs_past_fifty(void)
{
	long long active = new_customer("Sixty Active", NULL);
	long long closed = new_customer("Seventy Closed", NULL);
	/* Active g = 1..60 created 100 - g days ago, but 46..55 all at one
	 * moment (50 days ago), written in the opposite order of their ids. */
	su_exec("INSERT INTO handoff (id, customer_id, from_team, to_team, reason, note, ack_due_at, state,"
	        " created_at) SELECT ('00000000-0000-4000-8000-0000000b' || lpad(g::text, 4, '0'))::uuid, %lld,"
	        " 'support', 'success', 'question', 'active ' || g, now(), 'open',"
	        " CASE WHEN g BETWEEN 46 AND 55 THEN date_trunc('hour', now()) - interval '50 days'"
	        " ELSE now() - (100 - g) * interval '1 day' END FROM generate_series(60, 1, -1) g",
	        active);
	/* Closed g = 1..70 created g days ago, but 46..55 all at one moment
	 * (46 days ago), written in the opposite order of their ids. */
	su_exec("INSERT INTO handoff (id, customer_id, from_team, to_team, reason, note, ack_due_at, state,"
	        " closed_at, closed_by, created_at)"
	        " SELECT ('00000000-0000-4000-8000-0000000c' || lpad(g::text, 4, '0'))::uuid, %lld,"
	        " 'support', 'success', 'question', 'closed ' || g, now(), 'resolved', now(), 'ben',"
	        " CASE WHEN g BETWEEN 46 AND 55 THEN date_trunc('hour', now()) - interval '46 days'"
	        " ELSE now() - g * interval '1 day' END FROM generate_series(70, 1, -1) g",
	        closed);
	first_fifty_notes(active, "active");
	first_fifty_notes(closed, "closed");
}

/* The long panels read a page at a time (the console asks for its first
 * rows, more as the person scrolls): a page is the whole panel's first
 * rows, in its order, for a customer with another absorbed into it and
 * notes and handoffs of one moment straddling the page's end; the
 * handoffs' page holds every active one however small it is; a read that
 * filled its page may have left rows, one that asked for all did not. */
static void test_pages_are_the_panels_first_rows(void)
{
	long long id = new_customer("Paged Survivor", NULL);
	long long absorbed = new_customer("Paged Absorbed", NULL);
	su_exec("UPDATE customer SET merged_into = %lld WHERE id = %lld", id, absorbed);
	/* Notes g = 1..70 g hours old, odd ones the survivor's, even the
	 * absorbed one's; 15..24 all of one moment, written against their ids. */
	su_exec("INSERT INTO success_note (customer_id, body, author, created_at)"
	        " SELECT CASE WHEN g %% 2 = 1 THEN %lld ELSE %lld END, 'paged note ' || g, 'maja',"
	        " CASE WHEN g BETWEEN 15 AND 24 THEN date_trunc('hour', now()) - interval '15 hours'"
	        " ELSE now() - g * interval '1 hour' END FROM generate_series(70, 1, -1) g",
	        id, absorbed);
	/* The newest note corrected: the correction is shown, not the note. */
	su_exec("INSERT INTO success_note (customer_id, body, author, supersedes)"
	        " SELECT %lld, 'paged correction', 'maja', n.id FROM success_note n"
	        " WHERE n.body = 'paged note 1'", id);
	/* Handoffs: 12 active (6 each), then 60 closed, of both. */
	su_exec("INSERT INTO handoff (id, customer_id, from_team, to_team, reason, note, ack_due_at,"
	        " state, closed_at, closed_by, created_at)"
	        " SELECT gen_random_uuid(), CASE WHEN g %% 2 = 1 THEN %lld ELSE %lld END, 'support', 'success',"
	        " 'question', 'paged closed ' || g, now(), 'resolved', now(), 'ben',"
	        " CASE WHEN g BETWEEN 5 AND 14 THEN date_trunc('hour', now()) - interval '5 days'"
	        " ELSE now() - g * interval '1 day' END FROM generate_series(60, 1, -1) g",
	        id, absorbed);
	su_exec("INSERT INTO handoff (id, customer_id, from_team, to_team, reason, note, ack_due_at, created_at)"
	        " SELECT gen_random_uuid(), CASE WHEN g %% 2 = 1 THEN %lld ELSE %lld END, 'support', 'success',"
	        " 'question', 'paged active ' || g, now(), now() - (70 + g) * interval '1 day'"
	        " FROM generate_series(1, 12) g",
	        id, absorbed);
	struct customer_view whole;
	if (!must_load(id, &whole)) {
		CHECK(!"loaded");
		return;
	}
	CHECK(cv_rows(&whole, CV_NOTES) == 70);
	CHECK_STR(cv_get(&whole, CV_NOTES, 0, N_BODY), "paged correction");
	CHECK(cv_rows(&whole, CV_HANDOFFS) == CV_HANDOFFS_MAX);
	CHECK(!cv_partial(&whole, CV_NOTES, NULL) && !cv_partial(&whole, CV_HANDOFFS, NULL));
	static const int sizes[] = {1, 7, CV_PAGE, 33, 69, 70, 71, CV_HANDOFFS_MAX + 1};
	for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
		int rows[CV_PARTS];
		cv_first_rows(rows);
		CHECK(rows[CV_NOTES] == CV_PAGE && rows[CV_HANDOFFS] == CV_PAGE && rows[CV_TICKETS] == 0);
		rows[CV_NOTES] = rows[CV_HANDOFFS] = sizes[k];
		struct customer_view page;
		char err[512] = "";
		if (itest_cv_load_rows(ana, id, rows, &page, err, sizeof err) < 0) {
			printf("    page of %d: %s\n", sizes[k], err);
			CHECK(!"page loaded");
			continue;
		}
		static const enum cv_part parts[] = {CV_NOTES, CV_HANDOFFS};
		for (int j = 0; j < 2; j++) {
			enum cv_part p = parts[j];
			/* The 12 active handoffs are on every page. */
			int all = cv_rows(&whole, p), least = p == CV_HANDOFFS && sizes[k] < 12 ? 12 : sizes[k];
			int want = least < all ? least : all;
			if (cv_rows(&page, p) != want)
				printf("    part %d, page of %d: %d rows, want %d\n", p, sizes[k], cv_rows(&page, p), want);
			CHECK(cv_rows(&page, p) == want);
			for (int r = 0; r < want && r < cv_rows(&page, p); r++)
				CHECK_STR(cv_get(&page, p, r, 0), cv_get(&whole, p, r, 0));
			/* Rows may be left while it read as many as it asked, and a
			 * panel's whole size is never partial. */
			int max = p == CV_NOTES ? CV_NOTES_MAX : CV_HANDOFFS_MAX;
			CHECK(cv_partial(&page, p, rows) == (sizes[k] < max && want >= sizes[k]));
		}
		/* The other panels are the same however the long ones are read. */
		CHECK(cv_rows(&page, CV_TICKETS) == cv_rows(&whole, CV_TICKETS));
		CHECK_STR(cv_get(&page, CV_HEADER, 0, H_NAME), "Paged Survivor");
		cv_free(&page);
	}
	cv_free(&whole);
}

/* The marketing panel: the 20 soonest scheduled sends, held ones in their
 * place, then the 30 newest others, one without any time last; the same
 * whichever way the server joins the holds (a hash join does not keep
 * the rows' order). */
static void test_marketing_order_with_holds(void)
{
	long long id = new_customer("Many Sends", NULL);
	/* Scheduled in 1..25 days, inserted out of order (g * 7 mod 26). */
	su_exec("INSERT INTO marketing_event (customer_id, campaign, kind, status, scheduled_at)"
	         " SELECT %lld, 'ahead ' || (g * 7 %% 26), 'newsletter', 'scheduled',"
	         " now() + (g * 7 %% 26) * interval '1 day' FROM generate_series(1, 25) g", id);
	/* Sent 1..34 days ago, out of order; one cancelled with no time. */
	su_exec("INSERT INTO marketing_event (customer_id, campaign, kind, status, sent_at)"
	         " SELECT %lld, 'past ' || (g * 11 %% 35), 'upsell', 'sent',"
	         " now() - (g * 11 %% 35) * interval '1 day' FROM generate_series(1, 34) g", id);
	su_exec("INSERT INTO marketing_event (customer_id, campaign, kind, status)"
	         " VALUES (%lld, 'never', 'renewal', 'cancelled')", id);
	/* Holds on three of the scheduled ones (days 2, 9 and 16). */
	su_exec("WITH h AS (INSERT INTO campaign_hold (id, event_id, customer_id, action, comment)"
	         " SELECT gen_random_uuid(), e.id, e.customer_id, 'hold', 'held ' || e.campaign"
	         " FROM marketing_event e WHERE e.customer_id = %lld"
	         " AND e.campaign IN ('ahead 2', 'ahead 9', 'ahead 16') RETURNING id, event_id)"
	         " UPDATE marketing_event e SET held_by = h.id FROM h WHERE e.id = h.event_id", id);
	for (int join = 0; join < 2; join++) {
		if (join)
			itest_value(ana, "SET enable_nestloop = off");
		struct customer_view cv;
		if (!must_load(id, &cv)) {
			CHECK(!"loaded");
			break;
		}
		CHECK(cv_rows(&cv, CV_MARKETING) == 50);
		for (int i = 0; i < cv_rows(&cv, CV_MARKETING) && i < 50; i++) {
			char want[32];
			/* Scheduled: days 1..20; then sent: 1..30 days ago. */
			snprintf(want, sizeof want, i < 20 ? "ahead %d" : "past %d", i < 20 ? i + 1 : i - 19);
			CHECK_STR(cv_get(&cv, CV_MARKETING, i, K_CAMPAIGN), want);
			int held = i == 1 || i == 8 || i == 15;
			CHECK_STR(cv_get(&cv, CV_MARKETING, i, K_HELD), held ? "t" : "f");
			if (held) {
				char why[48];
				snprintf(why, sizeof why, "held %s", want);
				CHECK(strstr(cv_get(&cv, CV_MARKETING, i, K_HOLD), why) != NULL);
			}
		}
		cv_free(&cv);
	}
	itest_value(ana, "RESET enable_nestloop");
	/* With fewer sends the one without a time comes last. */
	su_exec("DELETE FROM marketing_event WHERE customer_id = %lld AND status = 'sent'"
	         " AND sent_at < now() - interval '3 days'", id);
	struct customer_view cv;
	if (must_load(id, &cv)) {
		CHECK(cv_rows(&cv, CV_MARKETING) == 23);
		CHECK_STR(cv_get(&cv, CV_MARKETING, 22, K_CAMPAIGN), "never");
		CHECK_STR(cv_get(&cv, CV_MARKETING, 22, K_AT), "");
		cv_free(&cv);
	} else {
		CHECK(!"loaded");
	}
}

/* Rows of one moment (one import's transaction, one now()) in an order
 * that does not depend on the plan: the last written first among notes,
 * the timeline and solved tickets, by id among open tickets and scheduled
 * sends; of two survey answers at the same time the later written is the
 * latest, for the header and the "voice falling" signal alike, however
 * the rows are updated afterwards. */
static void test_ties_in_one_moment(void)
{
	long long id = new_customer("One Moment", NULL);
	su_exec("INSERT INTO success_note (customer_id, body, author)"
	         " SELECT %lld, 'batch ' || g, 'maja' FROM generate_series(1, 150) g ORDER BY g", id);
	su_exec("INSERT INTO ticket (customer_id, subject, status, priority, category, opened_at)"
	         " SELECT %lld, 'open ' || g, 'open', 'normal', 'question', now() - interval '1 day'"
	         " FROM generate_series(1, 6) g ORDER BY g", id);
	su_exec("INSERT INTO ticket (customer_id, subject, status, priority, category, opened_at,"
	         " solved_at) SELECT %lld, 'solved ' || g, 'solved', 'normal', 'question',"
	         " now() - interval '3 days', now() - interval '2 days' FROM generate_series(1, 12) g ORDER BY g", id);
	su_exec("INSERT INTO marketing_event (customer_id, campaign, kind, status, scheduled_at)"
	         " SELECT %lld, 'send ' || g, 'newsletter', 'scheduled', now() + interval '2 days'"
	         " FROM generate_series(1, 25) g ORDER BY g", id);
	/* Two comments on one handoff at one time, written in the opposite
	 * order of their ids: the timeline lists them by id. */
	su_exec("INSERT INTO handoff (id, customer_id, from_team, to_team, reason, note, ack_due_at,"
	         " created_at) VALUES ('00000000-0000-4000-8000-00000000c0de', %lld, 'support', 'success',"
	         " 'question', 'tied events', now(), now() - interval '5 hours')", id);
	su_exec("INSERT INTO handoff_event (id, handoff_id, kind, comment, at)"
	        " SELECT ('00000000-0000-4000-8000-0000000000e' || g)::uuid, '00000000-0000-4000-8000-00000000c0de',"
	        " 'commented', 'comment ' || g, date_trunc('hour', now()) - interval '4 hours'"
	        " FROM generate_series(9, 1, -1) g");
	/* NPS 9 twenty days ago, then 2 and 10 answered at the same time. */
	su_exec("INSERT INTO survey_response (customer_id, kind, score, responded_at)"
	         " VALUES (%lld, 'nps', 9, now() - interval '20 days')", id);
	su_exec("INSERT INTO survey_response (customer_id, kind, score, responded_at)"
	         " SELECT %lld, 'nps', v, date_trunc('day', now()) - interval '1 day'"
	         " FROM unnest(ARRAY[2, 10]) WITH ORDINALITY u(v, o) ORDER BY o", id);
	for (int round = 0; round < 2; round++) {
		struct customer_view cv;
		if (!must_load(id, &cv)) {
			CHECK(!"loaded");
			return;
		}
		CHECK(cv_rows(&cv, CV_NOTES) == 100);
		CHECK_STR(cv_get(&cv, CV_NOTES, 0, N_BODY), "batch 150");
		CHECK_STR(cv_get(&cv, CV_NOTES, 99, N_BODY), "batch 51");
		for (int i = 1; i < cv_rows(&cv, CV_NOTES); i++)
			CHECK(cv_num(&cv, CV_NOTES, i, N_ID) < cv_num(&cv, CV_NOTES, i - 1, N_ID));
		CHECK(cv_rows(&cv, CV_TICKETS) == 16);
		for (int i = 0; i < 6 && i < cv_rows(&cv, CV_TICKETS); i++) {
			char want[32];
			snprintf(want, sizeof want, "open %d", i + 1);
			CHECK_STR(cv_get(&cv, CV_TICKETS, i, T_SUBJECT), want);
		}
		for (int i = 6; i < 16 && i < cv_rows(&cv, CV_TICKETS); i++) {
			char want[32];
			snprintf(want, sizeof want, "solved %d", 18 - i);
			CHECK_STR(cv_get(&cv, CV_TICKETS, i, T_SUBJECT), want);
		}
		CHECK(cv_rows(&cv, CV_MARKETING) == 20);
		for (int i = 0; i < 20 && i < cv_rows(&cv, CV_MARKETING); i++) {
			char want[32];
			snprintf(want, sizeof want, "send %d", i + 1);
			CHECK_STR(cv_get(&cv, CV_MARKETING, i, K_CAMPAIGN), want);
		}
		CHECK_STR(cv_get(&cv, CV_HEADER, 0, H_NPS), "10");
		CHECK((flag_bits(&cv) & VOICE) == 0);
		cv_free(&cv);
		/* The timeline: the last note written first. */
		char idt[32], err[512] = "";
		snprintf(idt, sizeof idt, "%lld", id);
		const char *params[] = {idt};
		PGresult *r = db_exec(ana, cv_timeline_sql, 1, params, err, sizeof err);
		CHECK(r != NULL);
		int first = -1;
		for (int i = 0; r && i < PQntuples(r) && first < 0; i++)
			if (!strcmp(PQgetvalue(r, i, TL_KIND), "note"))
				first = i;
		CHECK(first >= 0);
		if (first >= 0)
			CHECK_STR(PQgetvalue(r, first, TL_TEXT), "batch 150");
		int seen = 0, in_order = 1;
		for (int i = 0; r && i < PQntuples(r); i++) {
			const char *t = strstr(PQgetvalue(r, i, TL_TEXT), "comment ");
			if (!t || strcmp(PQgetvalue(r, i, TL_KIND), "handoff commented"))
				continue;
			in_order = in_order && atoi(t + 8) == seen + 1;
			seen++;
		}
		CHECK(seen == 9 && in_order);
		PQclear(r);
		/* Rows rewritten in another order must not change any of it. */
		su_exec("UPDATE survey_response SET comment = 'called back'"
		         " WHERE customer_id = %lld AND score = 2", id);
		su_exec("UPDATE ticket SET priority = priority WHERE customer_id = %lld"
		         " AND subject IN ('open 1', 'solved 1')", id);
	}
}

static void test_customer_without_data(void)
{
	long long id = new_customer("Quiet Customer", NULL);
	struct customer_view cv;
	if (!must_load(id, &cv)) {
		CHECK(!"loaded");
		return;
	}
	CHECK(cv_flags(&cv) == 0);
	CHECK(cv_rows(&cv, CV_HEADER) == 1);
	CHECK_STR(cv_get(&cv, CV_HEADER, 0, H_NAME), "Quiet Customer");
	CHECK(cv_isnull(&cv, CV_HEADER, 0, H_DOMAIN));
	CHECK_STR(cv_get(&cv, CV_HEADER, 0, H_DOMAIN), "");
	CHECK(cv_isnull(&cv, CV_HEADER, 0, H_OWNER_NAME));
	CHECK(cv_isnull(&cv, CV_HEADER, 0, H_NPS));
	CHECK(cv_isnull(&cv, CV_HEADER, 0, H_EXTERNAL_IDS));
	CHECK(cv_isnull(&cv, CV_HEADER, 0, H_CONTACTS));
	for (int p = CV_MILESTONES; p < CV_PARTS; p++)
		CHECK(cv_rows(&cv, (enum cv_part)p) == 0);
	/* Out of range reads are safe. */
	CHECK_STR(cv_get(&cv, CV_TICKETS, 0, T_ID), "");
	CHECK(cv_isnull(&cv, CV_TICKETS, 0, T_ID));
	CHECK(cv_num(&cv, CV_TICKETS, 0, T_AGE_S) == 0);
	CHECK_STR(cv_get(&cv, CV_HEADER, 0, 99), "");
	CHECK_STR(cv_get(&cv, CV_HEADER, -1, H_NAME), "");
	cv_free(&cv);
	CHECK(cv_rows(&cv, CV_HEADER) == 0);
	cv_free(&cv); /* twice is harmless */
}

static void test_unknown_customer(void)
{
	char err[256] = "";
	struct cv_args args;
	struct db_stmt st[CV_PARTS];
	PGresult *res[CV_PARTS];
	struct customer_view cv;
	cv_statements(st, &args, 987654321, NULL);
	CHECK(db_pipeline(ana, st, CV_PARTS, res, err, sizeof err) == 0);
	CHECK(cv_adopt(&cv, res, CV_PARTS, err, sizeof err) == -1);
	CHECK_STR(err, "no such customer");
	/* The results stay with the caller, the view is empty. */
	int kept = 0;
	for (int i = 0; i < CV_PARTS; i++) {
		kept += res[i] != NULL;
		PQclear(res[i]);
	}
	CHECK(kept == CV_PARTS);
	CHECK(cv_rows(&cv, CV_HEADER) == 0);
	cv_free(&cv);

	/* Wrong number or shape of results is refused, not read. */
	err[0] = '\0';
	CHECK(cv_adopt(&cv, res, CV_PARTS - 1, err, sizeof err) == -1);
	CHECK(err[0] != '\0');
	PGresult *odd[CV_PARTS];
	for (int i = 0; i < CV_PARTS; i++)
		odd[i] = PQexec(ana, "SELECT 1");
	err[0] = '\0';
	CHECK(cv_adopt(&cv, odd, CV_PARTS, err, sizeof err) == -1);
	CHECK(strstr(err, "shape") != NULL);
	for (int i = 0; i < CV_PARTS; i++)
		PQclear(odd[i]);
}

static void test_column_names_match_the_statements(void)
{
	struct customer_view cv;
	if (!must_load(1, &cv)) {
		CHECK(!"loaded");
		return;
	}
	for (int p = 0; p < CV_PARTS; p++) {
		int nf = PQnfields(cv.res[p]);
		for (int col = 0; col < nf; col++)
			CHECK(strcmp(cv_column_name((enum cv_part)p, col), "?") != 0);
		CHECK_STR(cv_column_name((enum cv_part)p, nf), "?");
	}
	CHECK_STR(cv_column_name(CV_HEADER, H_OWNER_NAME), "owner_name");
	CHECK_STR(cv_column_name(CV_TICKETS, T_SUBJECT), "subject");
	CHECK_STR(cv_column_name(CV_HANDOFFS, HO_ACK_LEFT_S), "ack_left_s");
	/* The signals' names are the signals list's, as `baton signals` says them. */
	CHECK_STR(cv_column_name(CV_SIGNALS, SG_KIND), "kind");
	CHECK_STR(cv_column_name(CV_SIGNALS, SG_ACK_COMMENT), "ack_comment");
	CHECK_STR(cv_column_name(CV_PARTS, 0), "?");
	CHECK_STR(cv_column_name(CV_HEADER, -1), "?");
	cv_free(&cv);
}

/* cv_resolve: returns the count; *id when 1; candidates freed here. */
static int resolve(const char *what, long long *id, char **cand_out)
{
	char err[512] = "";
	char *cand = NULL;
	*id = -1;
	int n = cv_resolve(ana, what, id, &cand, err, sizeof err);
	if (n < 0)
		printf("    resolve '%s': %s\n", what, err);
	if (cand_out)
		*cand_out = cand;
	else
		free(cand);
	return n;
}

static void test_resolve_exact(void)
{
	long long id;
	CHECK(resolve("1", &id, NULL) == 1 && id == 1);
	CHECK(resolve("4", &id, NULL) == 1 && id == 4);
	CHECK(resolve("CRM-00123", &id, NULL) == 1 && id == 1);
	CHECK(resolve("HD-9020", &id, NULL) == 1 && id == 1);
	CHECK(resolve("nwh.example", &id, NULL) == 1 && id == 1);
	CHECK(resolve("NWH.example", &id, NULL) == 1 && id == 1);
	CHECK(resolve("dana.whitfield@nwh.example", &id, NULL) == 1 && id == 1);
	CHECK(resolve("Dana.Whitfield@NWH.example", &id, NULL) == 1 && id == 1);
	CHECK(resolve("Northwind Health", &id, NULL) == 1 && id == 1);
	CHECK(resolve("northwind health", &id, NULL) == 1 && id == 1);
	CHECK(resolve("cafe-lumiere.example", &id, NULL) == 1 && id == 2);
	CHECK(resolve("Café Lumière", &id, NULL) == 1 && id == 2);
	CHECK(resolve("東京デザイン株式会社", &id, NULL) == 1 && id == 9);
}

static void test_resolve_partial_and_ambiguous(void)
{
	long long id;
	char *cand = NULL;
	CHECK(resolve("northwind", &id, NULL) == 1 && id == 1);
	CHECK(resolve("lumière", &id, NULL) == 1 && id == 2);
	CHECK(resolve("Łódź", &id, NULL) == 1 && id == 7);

	int n = resolve("north", &id, &cand);
	CHECK(n == 2);
	CHECK(cand != NULL);
	if (cand) {
		CHECK(strstr(cand, "1\tNorthwind Health\tnwh.example\n") != NULL);
		CHECK(strstr(cand, "4\tNorth Star Logistics\tnsl.example\n") != NULL);
		int lines = 0;
		for (const char *p = cand; *p; p++)
			lines += *p == '\n';
		CHECK(lines == n);
	}
	free(cand);

	/* An exact name wins over partial matches. */
	su_exec("INSERT INTO customer (name) VALUES ('Acme'), ('Acme Logistics'), ('Acme Foods')");
	long long acme = su_num("SELECT id FROM customer WHERE name = 'Acme'");
	CHECK(resolve("acme", &id, NULL) == 1 && id == acme);
	CHECK(resolve("acme l", &id, NULL) == 1);
	CHECK(resolve("acme ", &id, NULL) == 2);
}

static void test_resolve_not_found(void)
{
	long long id = 77;
	char *cand = NULL;
	char err[256] = "";
	CHECK(cv_resolve(ana, "nothing-like-this", &id, &cand, err, sizeof err) == 0);
	CHECK(cand == NULL);
	CHECK(id == 77);
	CHECK(resolve("987654321", &id, NULL) == 0);
	/* Too long to be an id: no cast error, simply not found. */
	CHECK(resolve("999999999999999999", &id, NULL) == 0);
	CHECK(resolve("12345678901234567890", &id, NULL) == 0);
	CHECK(resolve("-1", &id, NULL) == 0);
}

static void test_resolve_wildcards_are_literal(void)
{
	long long id;
	/* Without escaping, '%' and '_' would match every customer. */
	CHECK(resolve("%", &id, NULL) == 0);
	CHECK(resolve("_", &id, NULL) == 0);
	CHECK(resolve("\\", &id, NULL) == 0);
	su_exec("INSERT INTO customer (name) VALUES ('100%% Organic'), ('Under_score Ltd'),"
	        " ('Back\\slash Co')");
	long long organic = su_num("SELECT id FROM customer WHERE name = '100% Organic'");
	long long under = su_num("SELECT id FROM customer WHERE name = 'Under_score Ltd'");
	long long back = su_num("SELECT id FROM customer WHERE name = 'Back\\slash Co'");
	CHECK(resolve("%", &id, NULL) == 1 && id == organic);
	CHECK(resolve("0% o", &id, NULL) == 1 && id == organic);
	CHECK(resolve("_", &id, NULL) == 1 && id == under);
	CHECK(resolve("r_s", &id, NULL) == 1 && id == under);
	CHECK(resolve("\\", &id, NULL) == 1 && id == back);
	CHECK(resolve("k\\s", &id, NULL) == 1 && id == back);
	CHECK(resolve("%_", &id, NULL) == 0);
}

static void test_resolve_database_error(void)
{
	const char *db = itest_newdb("template1");
	PGconn *c = itest_connect(db, NULL);
	char err[512] = "";
	char *cand = NULL;
	long long id = 0;
	CHECK(cv_resolve(c, "1", &id, &cand, err, sizeof err) == -1);
	CHECK(strstr(err, "customer") != NULL);
	CHECK(cand == NULL);
	PQfinish(c);
}

static void test_timeline_newest_first(void)
{
	char err[512] = "";
	const char *params[] = {"1"};
	PGresult *r = db_exec(ana, cv_timeline_sql, 1, params, err, sizeof err);
	CHECK(r != NULL);
	if (!r) {
		printf("    %s\n", err);
		return;
	}
	int n = PQntuples(r);
	CHECK(n > 15);
	CHECK(PQnfields(r) == TL_REF + 1);
	int ordered = 1;
	for (int i = 1; i < n; i++)
		if (strtoll(PQgetvalue(r, i, TL_AGE_S), NULL, 10) <
		    strtoll(PQgetvalue(r, i - 1, TL_AGE_S), NULL, 10))
			ordered = 0;
	CHECK(ordered);
	/* The newsletter scheduled for next week is the newest entry. */
	CHECK_STR(PQgetvalue(r, 0, TL_KIND), "campaign scheduled");
	CHECK(strtoll(PQgetvalue(r, 0, TL_AGE_S), NULL, 10) < 0);
	static const char *const kinds[] = {"ticket opened", "ticket solved", "note", "campaign sent",
		"milestone done", "NPS", "CSAT", "CES", "handoff created", "handoff resolved"};
	for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++) {
		int found = 0;
		for (int i = 0; i < n && !found; i++)
			found = strcmp(PQgetvalue(r, i, TL_KIND), kinds[k]) == 0;
		CHECK(found);
		if (!found)
			printf("    no '%s' in the timeline\n", kinds[k]);
	}
	int created = 0;
	for (int i = 0; i < n; i++)
		if (!strcmp(PQgetvalue(r, i, TL_KIND), "handoff created") &&
		    !strcmp(PQgetvalue(r, i, TL_WHO), "ana")) {
			created++;
			CHECK(strstr(PQgetvalue(r, i, TL_TEXT), "support → success escalation: Missing patient records") != NULL);
			CHECK(strncmp(PQgetvalue(r, i, TL_REF), "handoff:", 8) == 0);
		}
	CHECK(created == 1);
	PQclear(r);

	/* Nobody else's events. */
	long long id = new_customer("Timeline Empty", NULL);
	char idt[32];
	snprintf(idt, sizeof idt, "%lld", id);
	const char *p2[] = {idt};
	r = db_exec(ana, cv_timeline_sql, 1, p2, err, sizeof err);
	CHECK(r != NULL && PQntuples(r) == 0);
	PQclear(r);
}

static void test_timeline_undated_entries_not_first(void)
{
	/* The schema allows a cancelled campaign that was never scheduled: it
	 * has no time, so it is not the newest thing that happened. */
	long long id = new_customer("Timeline Undated", NULL);
	su_exec("INSERT INTO marketing_event (customer_id, campaign, kind, status, sent_at)"
	         " VALUES (%lld, 'Spring promo', 'newsletter', 'sent', now() - interval '2 days'),"
	         "        (%lld, 'Never scheduled', 'upsell', 'cancelled', NULL)", id, id);
	su_exec("INSERT INTO ticket (customer_id, subject, opened_at) VALUES (%lld, 'Recent', now() - interval '1 hour')",
	         id);
	char idt[32], err[512] = "";
	snprintf(idt, sizeof idt, "%lld", id);
	const char *params[] = {idt};
	PGresult *r = db_exec(ana, cv_timeline_sql, 1, params, err, sizeof err);
	CHECK(r != NULL && PQntuples(r) >= 2);
	if (r && PQntuples(r) >= 2) {
		CHECK(!PQgetisnull(r, 0, TL_AT));
		CHECK_STR(PQgetvalue(r, 0, TL_KIND), "ticket opened");
		int seen_undated = 0, dated_after_undated = 0;
		for (int i = 0; i < PQntuples(r); i++) {
			if (PQgetisnull(r, i, TL_AT))
				seen_undated = 1;
			else if (seen_undated)
				dated_after_undated = 1;
		}
		CHECK(seen_undated); /* listed, so its place is tested */
		CHECK(!dated_after_undated);
	}
	PQclear(r);
}

static void test_pipeline_error_leaves_connection_usable(void)
{
	struct db_stmt st[3] = {
		{"SELECT $1::int + 1", 1, NULL},
		{"SELECT 1 / $1::int", 1, NULL},
		{"SELECT $1::int + 2", 1, NULL},
	};
	const char *zero[] = {"0"};
	for (int i = 0; i < 3; i++)
		st[i].params = zero;
	PGresult *res[3];
	char err[512] = "";
	CHECK(db_pipeline(ana, st, 3, res, err, sizeof err) == -1);
	CHECK(strstr(err, "division by zero") != NULL);
	CHECK(res[0] == NULL && res[1] == NULL && res[2] == NULL);
	CHECK(PQpipelineStatus(ana) == PQ_PIPELINE_OFF);
	CHECK_STR(itest_value(ana, "SELECT 42"), "42");

	/* The same statements with a good value: results in order. */
	const char *two[] = {"2"};
	for (int i = 0; i < 3; i++)
		st[i].params = two;
	CHECK(db_pipeline(ana, st, 3, res, err, sizeof err) == 0);
	CHECK(res[0] && res[1] && res[2]);
	if (res[0] && res[1] && res[2]) {
		CHECK_STR(PQgetvalue(res[0], 0, 0), "3");
		CHECK_STR(PQgetvalue(res[1], 0, 0), "0");
		CHECK_STR(PQgetvalue(res[2], 0, 0), "4");
	}
	for (int i = 0; i < 3; i++)
		PQclear(res[i]);
	CHECK(PQpipelineStatus(ana) == PQ_PIPELINE_OFF);

	/* db_exec: NULL and the server's message on error. */
	PGresult *r = db_exec(ana, "SELECT * FROM no_such_table", 0, NULL, err, sizeof err);
	CHECK(r == NULL);
	CHECK(strstr(err, "no_such_table") != NULL && strchr(err, '\n') == NULL);
}

int main(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	const char *db = itest_newdb("baton_demo");
	su = itest_connect(db, NULL);
	ana = itest_connect(db, "ana");
	RUN(test_header_northwind);
	RUN(test_header_lists_a_person_once);
	RUN(test_tickets_open_first_most_urgent_first);
	RUN(test_panels_northwind);
	RUN(test_pages_are_the_panels_first_rows);
	RUN(test_flags_story_customers);
	RUN(test_flags_follow_the_data);
	RUN(test_handoffs_fifty_active_first);
	RUN(test_handoffs_of_a_group);
	RUN(test_handoffs_past_fifty);
	RUN(test_marketing_order_with_holds);
	RUN(test_ties_in_one_moment);
	RUN(test_customer_without_data);
	RUN(test_unknown_customer);
	RUN(test_column_names_match_the_statements);
	RUN(test_resolve_exact);
	RUN(test_resolve_partial_and_ambiguous);
	RUN(test_resolve_not_found);
	RUN(test_resolve_wildcards_are_literal);
	RUN(test_resolve_database_error);
	RUN(test_timeline_newest_first);
	RUN(test_timeline_undated_entries_not_first);
	RUN(test_pipeline_error_leaves_connection_usable);
	PQfinish(ana);
	PQfinish(su);
	return check_done();
}
