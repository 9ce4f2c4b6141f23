/* Integration tests for migration 024 on a copy of the demo: a change of a
 * signal rule commits without computing anyone, and then every read (the
 * customer screen, baton signals with and without --customer, the signals
 * and sends screens' pages and counts, the suppression lists, the finder's
 * and queue's marks) follows the new rule: a list never shows a row the
 * old rule raised, and says how many customers are still to compute while
 * one is; a write or another change of the rules racing the catching up
 * is not lost. */
#include <libpq-fe.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "itest.h"

static PGconn *su;    /* superuser: the facts, and the administrator */
static PGconn *admin; /* a second administrator's session */
static PGconn *hold;  /* a transaction holding a customer (a slow reader) */
static PGconn *ana;   /* Support */

#define CC "campaign-during-complaint"

static const char *sql(PGconn *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static const char *sql(PGconn *c, const char *fmt, ...)
{
	char q[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(q, sizeof q, fmt, ap);
	va_end(ap);
	const char *v = itest_value(c, q);
	if (!strncmp(v, "ERROR", 5))
		printf("    %s\n    in: %.200s\n", v, q);
	return v;
}

static long long num(const char *v)
{
	return strtoll(v, NULL, 10);
}

/* A customer whose refund was solved 20 days before a send scheduled in 5
 * days: 25 days, raised while signal_complaint_days is over 25. */
static long long refunded(const char *name)
{
	long long c = num(sql(su, "INSERT INTO customer (name, onboarding_health) VALUES ('%s', 'done') RETURNING id", name));
	sql(su, "INSERT INTO ticket (customer_id, subject, status, priority, category, opened_at, solved_at)"
	        " VALUES (%lld, 'Refund for a duplicate charge', 'solved', 'normal', 'billing',"
	        " now() - interval '21 days', now() - interval '20 days')", c);
	sql(su, "INSERT INTO marketing_event (customer_id, campaign, kind, status, scheduled_at)"
	        " VALUES (%lld, 'Go Pro', 'upsell', 'scheduled', now() + interval '5 days')", c);
	return c;
}

/* Whether each reader shows customer c's active "campaign during
 * complaint", as ana: S the customer screen (baton_signals(c)), L the list
 * of everyone (baton signals), C the list of c (--customer), P the signals
 * screen's page, A baton_signals(NULL), U the suppression list of everyone,
 * V that of c, Q the sends screen's page, M the finder's and queue's mark. */
static const char *reads(long long c)
{
	static char out[160];
	struct buf_s {
		char s[16];
	} p[9];
#define READ(i, fmt) snprintf(p[i].s, sizeof p[i].s, "%s", sql(ana, fmt, c))
	READ(0, "SELECT 'S' || count(*) FROM baton_signals(%lld) WHERE kind = '" CC "' AND acked_at IS NULL");
	READ(1, "SELECT 'L' || count(*) FROM baton_signal_list('" CC "', NULL, NULL, NULL, NULL, false) WHERE customer_id = %lld");
	READ(2, "SELECT 'C' || count(*) FROM baton_signal_list('" CC "', NULL, NULL, NULL, %lld, false)");
	READ(3, "SELECT 'P' || count(*) FROM baton_signal_page('" CC "', NULL, NULL, NULL, 100000) WHERE customer_id = %lld");
	READ(4, "SELECT 'A' || count(*) FROM baton_signals(NULL) WHERE customer_id = %lld AND kind = '" CC "' AND acked_at IS NULL");
	READ(5, "SELECT 'U' || count(*) FROM baton_suppression(NULL) WHERE customer_id = %lld");
	READ(6, "SELECT 'V' || count(*) FROM baton_suppression(%lld)");
	READ(7, "SELECT 'Q' || count(*) FROM baton_suppression_page(100000) WHERE customer_id = %lld");
	READ(8, "SELECT 'M' || count(*) FROM baton_signal_markers(ARRAY[%lld]::bigint[]) WHERE kind = '" CC "'");
#undef READ
	snprintf(out, sizeof out, "%s %s %s %s %s %s %s %s %s", p[0].s, p[1].s, p[2].s, p[3].s, p[4].s, p[5].s,
	         p[6].s, p[7].s, p[8].s);
	return out;
}

#define ALL1 "S1 L1 C1 P1 A1 U1 V1 Q1 M1"
#define ALL0 "S0 L0 C0 P0 A0 U0 V0 Q0 M0"

/* The headers: customers still to compute by the counts ("" when the
 * counts have no such row) and by the sends' count; and whether the counts
 * agree with the page and the sends' count with the whole list. */
static const char *recomputing(void)
{
	static char out[64];
	char a[32], b[32];
	snprintf(a, sizeof a, "%s", sql(ana, "SELECT customers FROM baton_signal_counts(NULL, NULL, NULL) WHERE kind = 'recomputing'"));
	snprintf(b, sizeof b, "%s", sql(ana, "SELECT recomputing FROM baton_suppression_count()"));
	snprintf(out, sizeof out, "%s/%s", a, b);
	return out;
}

static int headers_agree(void)
{
	const char *a = sql(ana, "SELECT (SELECT signals FROM baton_signal_counts(NULL, NULL, NULL) WHERE kind = '" CC "')"
	                         " = (SELECT count(*) FROM baton_signal_page('" CC "', NULL, NULL, NULL, 100000))"
	                         " AND (SELECT sends FROM baton_suppression_count())"
	                         " = (SELECT count(*) FROM baton_suppression(NULL))");
	return !strcmp(a, "t");
}

static const char *cached(long long c)
{
	return sql(su, "SELECT count(*) FROM customer_signal WHERE customer_id = %lld AND kind = '" CC "'", c);
}

/* Customer c held FOR UPDATE by another transaction, as a reader computing
 * it would: nobody else can compute it into the cache meanwhile. */
static void hold_customer(long long c)
{
	CHECK_STR(sql(hold, "BEGIN"), "");
	CHECK_STR(sql(hold, "SELECT customer_id FROM customer_signal_state WHERE customer_id = %lld FOR UPDATE", c),
	          sql(su, "SELECT %lld", c));
}

/* baton_signal_catch_up until nobody is left, as `baton settings set` and
 * `baton signals` call it: one call computes one batch of the customers
 * furthest behind, and the reads' own catching up (a time budget each) can
 * leave the customers behind at two generations when the machine is busy.
 * The last answer ("0", or what is still left after 20 calls). */
static const char *catch_up_all(PGconn *c)
{
	const char *v = "";
	for (int i = 0; i < 20 && strcmp(v, "0") != 0; i++)
		v = sql(c, "SELECT baton_signal_catch_up(100000)");
	return v;
}

static void set_rule(PGconn *who, const char *key, const char *value)
{
	CHECK_STR(sql(who, "SELECT baton_setting_set('%s', '%s')", key, value), "t");
}

static void test_every_read_follows_a_change(void)
{
	long long c = refunded("Threshold GmbH");
	CHECK_STR(reads(c), ALL1);
	CHECK_STR(recomputing(), "/0");

	/* 20 days: the send comes 25 days after the refund, outside.  The
	 * writer computed nobody: everyone is behind the rules, and the cache
	 * still holds what the old rule raised. */
	set_rule(su, "signal_complaint_days", "20");
	CHECK_STR(sql(su, "SELECT baton_signal_pending() = (SELECT count(*) FROM customer_signal_state)"
	                  " AND baton_signal_pending() > 1"), "t");
	CHECK_STR(cached(c), "1");
	/* While c cannot be computed (another transaction holds it), no list
	 * shows its old signal; the reads of c alone compute it for
	 * themselves; the headers say one customer is still to compute. */
	hold_customer(c);
	CHECK_STR(reads(c), ALL0);
	CHECK_STR(recomputing(), "1/1");
	CHECK(headers_agree());
	CHECK_STR(cached(c), "1");
	CHECK_STR(sql(hold, "COMMIT"), "");
	CHECK_STR(reads(c), ALL0);
	CHECK_STR(recomputing(), "/0");
	CHECK_STR(cached(c), "0");
	CHECK_STR(sql(su, "SELECT baton_signal_pending()"), "0");

	/* Back to 30: raised again.  While c is held, the lists of everyone
	 * cannot know it yet and say so; the reads of c show it. */
	set_rule(su, "signal_complaint_days", "30");
	hold_customer(c);
	CHECK_STR(reads(c), "S1 L0 C1 P0 A0 U0 V1 Q0 M1");
	CHECK_STR(recomputing(), "1/1");
	CHECK(headers_agree());
	CHECK_STR(sql(hold, "COMMIT"), "");
	CHECK_STR(reads(c), ALL1);
	CHECK_STR(recomputing(), "/0");
	CHECK_STR(cached(c), "1");
	CHECK(headers_agree());

	/* A rule of another kind: c's signal is current and stays listed while
	 * c waits to be computed again. */
	set_rule(su, "signal_repeat_days", "20");
	hold_customer(c);
	CHECK_STR(reads(c), ALL1);
	CHECK_STR(recomputing(), "1/1");
	CHECK_STR(sql(hold, "COMMIT"), "");
	set_rule(su, "signal_repeat_days", "30");
	CHECK_STR(reads(c), ALL1);
	CHECK_STR(recomputing(), "/0");
}

/* Catching up in batches: each call computes at most its batch and says
 * how many are left; the readers then find nothing to do. */
static void test_catch_up_in_batches(void)
{
	long long total = num(sql(su, "SELECT count(*) FROM customer_signal_state"));
	set_rule(su, "signal_nps_drop", "2");
	CHECK(num(sql(su, "SELECT baton_signal_pending()")) == total);
	CHECK(num(sql(ana, "SELECT baton_signal_catch_up(2)")) == total - 2);
	CHECK(num(sql(ana, "SELECT baton_signal_catch_up(3)")) == total - 5);
	long long left = total - 5, calls = 0;
	while (left > 0 && calls++ < total)
		left = num(sql(ana, "SELECT baton_signal_catch_up(4)"));
	CHECK(left == 0);
	CHECK(calls == (total - 5 + 3) / 4);
	/* A read-only transaction cannot: it says how many are left. */
	set_rule(su, "signal_nps_drop", "3");
	CHECK_STR(sql(ana, "BEGIN READ ONLY"), "");
	CHECK(num(sql(ana, "SELECT baton_signal_catch_up(1000)")) == total);
	CHECK_STR(sql(ana, "COMMIT"), "");
	CHECK_STR(sql(ana, "SELECT baton_signal_catch_up(1000)"), "0");
}

/* A write committed while a batch that computed its customer is still
 * open, or still uncommitted when the batch commits, is not lost. */
static void test_write_racing_the_catch_up(void)
{
	long long c = num(sql(su, "INSERT INTO customer (name) VALUES ('Race One AB') RETURNING id"));
	sql(su, "INSERT INTO marketing_event (customer_id, campaign, kind, status, scheduled_at)"
	        " VALUES (%lld, 'Go Pro', 'upsell', 'scheduled', now() + interval '5 days')", c);
	CHECK_STR(reads(c), ALL0);
	set_rule(su, "signal_repeat_tickets", "4");
	CHECK_STR(sql(ana, "BEGIN"), "");
	CHECK_STR(catch_up_all(ana), "0");
	/* The batch holds c, computed without the ticket; the write does not
	 * wait for it. */
	CHECK(num(sql(su, "INSERT INTO ticket (customer_id, subject, status, priority, category)"
	                  " VALUES (%lld, 'Checkout is down', 'open', 'urgent', 'bug') RETURNING id", c)) > 0);
	CHECK_STR(sql(ana, "COMMIT"), "");
	CHECK_STR(reads(c), ALL1);

	long long d = num(sql(su, "INSERT INTO customer (name) VALUES ('Race Two AB') RETURNING id"));
	sql(su, "INSERT INTO marketing_event (customer_id, campaign, kind, status, scheduled_at)"
	        " VALUES (%lld, 'Go Pro', 'upsell', 'scheduled', now() + interval '5 days')", d);
	set_rule(su, "signal_repeat_tickets", "3");
	CHECK_STR(sql(su, "BEGIN"), "");
	CHECK(num(sql(su, "INSERT INTO ticket (customer_id, subject, status, priority, category)"
	                  " VALUES (%lld, 'Checkout is down', 'open', 'urgent', 'bug') RETURNING id", d)) > 0);
	CHECK_STR(catch_up_all(ana), "0");
	CHECK_STR(sql(su, "COMMIT"), "");
	CHECK_STR(reads(d), ALL1);
}

/* Another change of the rules while a batch computed under the previous
 * ones is still open: that batch's customers are behind the newer rules. */
static void test_rules_racing_the_catch_up(void)
{
	long long c = refunded("Race Three AB");
	CHECK_STR(reads(c), ALL1);
	set_rule(su, "signal_complaint_days", "40");
	CHECK_STR(sql(ana, "BEGIN"), "");
	CHECK_STR(catch_up_all(ana), "0");
	set_rule(admin, "signal_complaint_days", "20");
	CHECK_STR(sql(ana, "COMMIT"), "");
	CHECK_STR(cached(c), "1");
	CHECK(num(sql(su, "SELECT baton_signal_pending()")) > 0);
	hold_customer(c);
	CHECK_STR(reads(c), ALL0);
	CHECK_STR(sql(hold, "COMMIT"), "");
	CHECK_STR(reads(c), ALL0);
	CHECK_STR(cached(c), "0");
	set_rule(su, "signal_complaint_days", "30");
	CHECK_STR(reads(c), ALL1);
}

/* The backend of c waits for a lock (another session's row), as seen by
 * the server; 0 after 10 s of looking. */
static int waits_for_lock(PGconn *c)
{
	char q[256];
	snprintf(q, sizeof q, "SELECT count(*) FROM pg_stat_activity WHERE pid = %d AND wait_event_type = 'Lock'",
	         PQbackendPID(c));
	for (int i = 0; i < 1000; i++) {
		if (!strcmp(sql(su, "%s", q), "1"))
			return 1;
		sql(su, "SELECT pg_sleep(0.01)");
	}
	return 0;
}

/* The answer of c to a query sent with PQsendQuery: its one value. */
static const char *answer(PGconn *c)
{
	static char out[128];
	snprintf(out, sizeof out, "no answer");
	for (PGresult *r; (r = PQgetResult(c)) != NULL; PQclear(r)) {
		if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
			snprintf(out, sizeof out, "%s", PQgetvalue(r, 0, 0));
		else
			snprintf(out, sizeof out, "%s", PQresultErrorMessage(r));
	}
	return out;
}

/* A write tells every console showing its customer at once, and the first
 * to read computes the customer into the cache, holding it meanwhile (088).
 * The others wait for that computation and read what it kept, rather than
 * computing the same signals again each for itself; a holder that takes
 * longer than 2 s is not waited for. */
static void test_readers_wait_for_the_computation(void)
{
	long long c = refunded("Wait For It AB");
	CHECK_STR(reads(c), ALL1);
#define READ_C "SELECT count(*) FROM baton_signals(%lld) WHERE kind = '" CC "' AND acked_at IS NULL"
	char q[256];
	snprintf(q, sizeof q, READ_C, c);

	/* A write marks c; hold reads c first and computes it, and what it
	 * keeps is not what a computation of ana's would find (no signal):
	 * ana's answer says whose computation she read. */
	/* (ana reads in a transaction she keeps open: what her read kept
	 * locked shows after it.) */
	sql(su, "INSERT INTO signal_dirty (customer_id) VALUES (%lld)", c);
	hold_customer(c);
	CHECK_STR(sql(ana, "BEGIN"), "");
	CHECK(PQsendQuery(ana, q) == 1);
	CHECK(waits_for_lock(ana));
	sql(hold, "DELETE FROM customer_signal WHERE customer_id = %lld", c);
	sql(hold, "UPDATE customer_signal_state SET valid_until = 'infinity', computed_at = now(),"
	          " rules_gen = baton_signal_gen() WHERE customer_id = %lld", c);
	sql(hold, "DELETE FROM signal_dirty WHERE customer_id = %lld", c);
	CHECK_STR(sql(hold, "COMMIT"), "");
	CHECK_STR(answer(ana), "0");
	CHECK_STR(sql(su, "SELECT count(*) FROM signal_dirty WHERE customer_id = %lld", c), "0");
	/* Her wait kept nothing: a batch of the catching up that comes now
	 * finds c free, as it would have without her. */
	CHECK_STR(sql(su, "SELECT count(*) FROM (SELECT 1 FROM customer_signal_state WHERE customer_id = %lld"
	                  " FOR UPDATE SKIP LOCKED) x", c), "1");
	CHECK_STR(sql(ana, "COMMIT"), "");

	/* The holder gives up (rolls back): c is still marked, and ana
	 * computes it for her read (the next reader keeps it). */
	sql(su, "INSERT INTO signal_dirty (customer_id) VALUES (%lld)", c);
	hold_customer(c);
	CHECK(PQsendQuery(ana, q) == 1);
	CHECK(waits_for_lock(ana));
	CHECK_STR(sql(hold, "ROLLBACK"), "");
	CHECK_STR(answer(ana), "1");
	CHECK_STR(cached(c), "0");
	CHECK_STR(reads(c), ALL1);
	CHECK_STR(cached(c), "1");

	/* A holder that does not end: ana waits 2 s, then computes
	 * for her read alone (the cache is the holder's to write). */
	sql(su, "INSERT INTO signal_dirty (customer_id) VALUES (%lld)", c);
	hold_customer(c);
	sql(su, "DELETE FROM customer_signal WHERE customer_id = %lld", c);
	/* (Her own lock timeout is not the one: waiting it out would end the
	 * read in an error.) */
	CHECK_STR(sql(ana, "SET lock_timeout = '60s'"), "");
	CHECK_STR(sql(ana, READ_C, c), "1");
	CHECK_STR(sql(ana, "RESET lock_timeout"), "");
	CHECK_STR(cached(c), "0");
	CHECK_STR(sql(hold, "COMMIT"), "");
	CHECK_STR(reads(c), ALL1);
	CHECK_STR(cached(c), "1");

	/* Two transactions, each holding a customer it computed, each reading
	 * the other's: one wait gives way (the deadlock is broken in the
	 * wait), and both read, with no error. */
	long long d = refunded("Wait Crossed AB");
	CHECK_STR(reads(d), ALL1);
	sql(su, "INSERT INTO signal_dirty (customer_id) VALUES (%lld), (%lld)", c, d);
	CHECK_STR(sql(hold, "BEGIN"), "");
	CHECK_STR(sql(hold, READ_C, c), "1");
	CHECK_STR(sql(ana, "BEGIN"), "");
	CHECK_STR(sql(ana, READ_C, d), "1");
	snprintf(q, sizeof q, READ_C, d);
	CHECK(PQsendQuery(hold, q) == 1);
	CHECK(waits_for_lock(hold));
	CHECK_STR(sql(ana, READ_C, c), "1");
	CHECK_STR(answer(hold), "1");
	CHECK_STR(sql(ana, "COMMIT"), "");
	CHECK_STR(sql(hold, "COMMIT"), "");
	CHECK_STR(reads(c), ALL1);
	CHECK_STR(reads(d), ALL1);
#undef READ_C
}

/* The finder's and the queue's mark names the signal the customer screen
 * and `baton show` list first: of those as severe, the oldest (by kind
 * only when they are as old). */
static void test_mark_leads_as_the_screen(void)
{
	long long c = refunded("Lead Signal AB"); /* high: an upsell 20 days after a refund */
	sql(su, "INSERT INTO handoff (id, customer_id, from_team, to_team, reason, priority, note, created_at, ack_due_at)"
	        " VALUES ('00000000-0000-4000-8000-0000000f1a91', %lld, 'support', 'success', 'question', 'high',"
	        " 'nobody took it', now() - interval '31 days', now() - interval '30 days')", c);
	const char *first = sql(ana, "SELECT string_agg(kind, ' ' ORDER BY acked_at IS NOT NULL, severity_rank DESC, since, kind)"
	                             " FROM baton_signals(%lld)", c);
	CHECK_STR(first, "dropped-baton " CC);
	CHECK_STR(sql(ana, "SELECT kind || ' ' || signals FROM baton_signal_markers(ARRAY[%lld]::bigint[])", c),
	          "dropped-baton 2");
}

/* Whether ana was told "signals:rules" since she last looked. */
static int told(void)
{
	int yes = 0;
	CHECK_STR(sql(ana, "SELECT 1"), "1");
	PQconsumeInput(ana);
	for (PGnotify *n; (n = PQnotifies(ana)) != NULL; PQfreemem(n))
		yes |= !strcmp(n->extra, "signals:rules");
	return yes;
}

/* The change tells the consoles, and so does the batch that ends it. */
static void test_consoles_told(void)
{
	CHECK_STR(sql(ana, "LISTEN baton"), "");
	CHECK(!told());
	set_rule(su, "signal_voice_days", "60");
	CHECK(told());
	CHECK(num(sql(su, "SELECT baton_signal_catch_up(1)")) > 0);
	CHECK(!told());
	CHECK_STR(catch_up_all(su), "0");
	CHECK(told());
	CHECK_STR(sql(ana, "UNLISTEN baton"), "");
	set_rule(su, "signal_voice_days", "90");
}

/* A new customer has nothing to signal under the rules of its time: its
 * state has the rules' latest generation, which the rules changed above
 * moved on (129 reads it once a statement; 024's default read it a row). */
static void test_new_customers_current(void)
{
	CHECK(num(sql(su, "SELECT baton_signal_gen()")) > 0);
	CHECK_STR(sql(su, "WITH n AS (INSERT INTO customer (name) VALUES ('Gen One'), ('Gen Two') RETURNING id)"
	                  " SELECT count(*) FROM n"),
	          "2");
	CHECK_STR(sql(su, "SELECT count(*) FROM customer_signal_state st JOIN customer c ON c.id = st.customer_id"
	                  " WHERE c.name IN ('Gen One', 'Gen Two') AND st.rules_gen = baton_signal_gen()"),
	          "2");
}

int main(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	const char *db = itest_newdb("baton_demo");
	su = itest_connect(db, NULL);
	admin = itest_connect(db, NULL);
	hold = itest_connect(db, NULL);
	ana = itest_connect(db, "ana");
	RUN(test_every_read_follows_a_change);
	RUN(test_catch_up_in_batches);
	RUN(test_write_racing_the_catch_up);
	RUN(test_rules_racing_the_catch_up);
	RUN(test_readers_wait_for_the_computation);
	RUN(test_mark_leads_as_the_screen);
	RUN(test_consoles_told);
	RUN(test_new_customers_current);
	PQfinish(ana);
	PQfinish(hold);
	PQfinish(admin);
	PQfinish(su);
	return check_done();
}
