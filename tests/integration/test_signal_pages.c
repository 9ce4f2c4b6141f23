/* Integration tests for migration 013 on a copy of the demo: the window
 * the signals and sends screens read is exactly the start of the full
 * list (each filter, each reader's rights), its counts are the list's,
 * the cache's copy of the customer's name, segment and owner follows the
 * customer, and a write shows in the next window without anything else
 * being asked. */
#include "baton/db.h"
#include "baton/signals.h"

#include <libpq-fe.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "itest.h"

static PGconn *su;  /* superuser: writes the facts */
static PGconn *ana; /* Support */
static PGconn *lee; /* a lead */

/* The (customer:kind, ...) keys of the signal list's first n rows as c
 * sees them, filters as SQL literals; and of the window of n rows. */
static char *list_keys(PGconn *c, const char *filters, int n)
{
	return strdup(itest_valuef(c, "SELECT coalesce(string_agg(customer_id || ':' || kind, ',' ORDER BY ordinality), '')"
	                              " FROM baton_signal_list(%s, NULL, false) WITH ORDINALITY t WHERE ordinality <= %d",
	                           filters, n));
}

static char *page_keys(PGconn *c, const char *filters, int n)
{
	return strdup(itest_valuef(c, "SELECT coalesce(string_agg(customer_id || ':' || kind, ',' ORDER BY ordinality), '')"
	                              " FROM baton_signal_page(%s, %d) WITH ORDINALITY t", filters, n));
}

/* Whether the window of n rows is the list's start, for c and filters. */
static int same_start(PGconn *c, const char *filters, int n)
{
	char *l = list_keys(c, filters, n), *p = page_keys(c, filters, n);
	int same = !strcmp(l, p) && strncmp(p, "ERROR", 5) != 0;
	if (!same)
		printf("    %s, %d rows:\n      list %s\n      page %s\n", filters, n, l, p);
	free(l);
	free(p);
	return same;
}

static void test_window_is_the_list_start(void)
{
	static const char *const filters[] = {
		"NULL, NULL, NULL, NULL", "'dropped-baton', NULL, NULL, NULL",
		"'repeating-themselves', NULL, NULL, NULL", "NULL, 'marketing', NULL, NULL",
		"NULL, NULL, 'enterprise', NULL", "NULL, NULL, NULL, 'ana'",
	};
	/* The demo has active signals, more than a window of 2. */
	CHECK(atoi(itest_value(ana, "SELECT count(*) FROM baton_signal_list(NULL, NULL, NULL, NULL, NULL, false)")) > 2);
	for (size_t i = 0; i < sizeof filters / sizeof *filters; i++) {
		CHECK(same_start(ana, filters[i], 2));
		CHECK(same_start(ana, filters[i], 1000));
		CHECK(same_start(lee, filters[i], 1000));
	}
	/* The filters filter: only that kind, that segment. */
	CHECK_STR(itest_value(ana, "SELECT count(*) FROM baton_signal_page('dropped-baton', NULL, NULL, NULL, 1000)"
	                           " WHERE kind <> 'dropped-baton'"), "0");
	CHECK(atoi(itest_value(ana, "SELECT count(*) FROM baton_signal_page('dropped-baton', NULL, NULL, NULL, 1000)")) > 0);
	CHECK_STR(itest_value(ana, "SELECT count(*) FROM baton_signal_page(NULL, NULL, 'enterprise', NULL, 1000)"
	                           " WHERE segment IS DISTINCT FROM 'enterprise'"), "0");
}

/* The counts of kind k ('' all kinds) as c sees them: "signals/customers". */
static char *counts(PGconn *c, const char *k)
{
	return strdup(itest_valuef(c, "SELECT signals || '/' || customers FROM baton_signal_counts(NULL, NULL, NULL)"
	                              " WHERE kind IS NOT DISTINCT FROM nullif('%s', '')", k));
}

static char *list_counts(PGconn *c, const char *k)
{
	return strdup(itest_valuef(c, "SELECT count(*) || '/' || count(DISTINCT customer_id)"
	                              " FROM baton_signal_list(nullif('%s', ''), NULL, NULL, NULL, NULL, false)", k));
}

static void test_counts_are_the_lists(void)
{
	const char *kinds[] = {"", "dropped-baton", "campaign-during-complaint", "repeating-themselves"};
	PGconn *who[] = {ana, lee};
	for (int w = 0; w < 2; w++)
		for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++) {
			char *a = counts(who[w], kinds[i]), *b = list_counts(who[w], kinds[i]);
			CHECK_STR(a, b);
			free(a);
			free(b);
		}
}

static void test_cache_follows_the_customer(void)
{
	const char *id = itest_value(ana, "SELECT customer_id FROM baton_signal_page(NULL, NULL, NULL, NULL, 1)");
	long long c = strtoll(id, NULL, 10);
	CHECK(c > 0);
	itest_valuef(su, "UPDATE customer SET name = 'Renamed Signals SA', segment = 'enterprise' WHERE id = %lld", c);
	CHECK_STR(itest_value(ana, "SELECT customer || ' ' || segment FROM baton_signal_page(NULL, NULL, NULL, NULL, 1)"),
	          "Renamed Signals SA enterprise");
	CHECK_STR(itest_valuef(su, "SELECT count(*) FROM customer_signal WHERE customer_id = %lld"
	                           " AND customer IS DISTINCT FROM 'Renamed Signals SA'", c), "0");
}

/* The customer and segment of the first dropped baton of segment SEG. */
#define TOP(seg) itest_value(ana, "SELECT customer || ' ' || segment FROM baton_signal_page('dropped-baton',"\
                                  " NULL, '" seg "', NULL, 1)")

/* The signals of a customer absorbed by a merge are listed under its
 * survivor's name and segment (migration 101): when absorbed, when the
 * survivor's segment changes, and their own again when split off. */
static void test_cache_follows_the_survivor(void)
{
	long long s = strtoll(itest_value(su, "INSERT INTO customer (name, segment) VALUES ('Aab Survivor Corp',"
	                                      " 'enterprise') RETURNING id"), NULL, 10);
	long long b = strtoll(itest_value(su, "INSERT INTO customer (name, segment) VALUES ('Aab Billing',"
	                                      " 'smb') RETURNING id"), NULL, 10);
	CHECK(s > 0 && b > 0);
	/* Its handoff the most overdue of all: the top of its segment's list. */
	itest_valuef(su, "INSERT INTO handoff (id, customer_id, from_team, to_team, reason, priority, note,"
	                 " created_at, ack_due_at) VALUES (gen_random_uuid(), %lld, 'support', 'success',"
	                 " 'question', 'urgent', 'a test', now() - interval '900 days',"
	                 " now() - interval '899 days')", b);
	CHECK_STR(TOP("smb"), "Aab Billing smb");
	itest_valuef(su, "UPDATE customer SET merged_into = %lld WHERE id = %lld", s, b);
	CHECK_STR(TOP("enterprise"), "Aab Survivor Corp enterprise");
	CHECK(strcmp(TOP("smb"), "Aab Billing smb") != 0);
	itest_valuef(su, "UPDATE customer SET segment = 'strategic', name = 'Aab Group' WHERE id = %lld", s);
	CHECK_STR(TOP("strategic"), "Aab Group strategic");
	/* Computed again (a new handoff), still the survivor's. */
	itest_valuef(su, "INSERT INTO handoff (id, customer_id, from_team, to_team, reason, priority, note,"
	                 " created_at, ack_due_at) VALUES (gen_random_uuid(), %lld, 'support', 'success',"
	                 " 'question', 'low', 'another', now() - interval '2 days', now() - interval '1 day')", b);
	CHECK_STR(TOP("strategic"), "Aab Group strategic");
	itest_valuef(su, "UPDATE customer SET merged_into = NULL WHERE id = %lld", b);
	CHECK_STR(TOP("smb"), "Aab Billing smb");
	CHECK_STR(itest_valuef(su, "SELECT count(*) FROM customer_signal WHERE customer_id = %lld"
	                           " AND (customer, segment) IS DISTINCT FROM ('Aab Billing', 'smb')", b), "0");
	/* Not at the top of the tests after this one. */
	itest_valuef(su, "UPDATE handoff SET state = 'acknowledged', acknowledged_at = now(), acknowledged_by = 'ben'"
	                 " WHERE customer_id = %lld", b);
}

static void test_write_shows_in_the_next_window(void)
{
	/* A handoff three days past its SLA, urgent: the most severe and oldest
	 * of its kind, so at the top of a window of one. */
	const char *c = itest_value(su, "INSERT INTO customer (name) VALUES ('Aaa Dropped Now') RETURNING id");
	long long id = strtoll(c, NULL, 10);
	CHECK(id > 0);
	itest_valuef(su, "INSERT INTO handoff (id, customer_id, from_team, to_team, reason, priority, note,"
	                 " created_at, ack_due_at) VALUES (gen_random_uuid(), %lld, 'support', 'success',"
	                 " 'question', 'urgent', 'a test', now() - interval '400 days',"
	                 " now() - interval '399 days')", id);
	CHECK_STR(itest_value(ana, "SELECT customer FROM baton_signal_page('dropped-baton', NULL, NULL, NULL, 1)"),
	          "Aaa Dropped Now");
	char *a = counts(ana, "dropped-baton"), *b = list_counts(ana, "dropped-baton");
	CHECK_STR(a, b);
	free(a);
	free(b);
}

static void test_sends_window(void)
{
	const char *all = "SELECT coalesce(string_agg(event_id::text, ',' ORDER BY ordinality), '')";
	char *l = strdup(itest_valuef(ana, "%s FROM baton_suppression(NULL) WITH ORDINALITY t"
	                                           " WHERE ordinality <= 2", all));
	char *p = strdup(itest_valuef(ana, "%s FROM baton_suppression_page(2) WITH ORDINALITY t", all));
	CHECK(l[0] != '\0');
	CHECK_STR(p, l);
	free(l);
	free(p);
	/* The same rows and reasons over the whole list, and its counts. */
	CHECK_STR(itest_value(ana, "SELECT count(*) FROM (SELECT * FROM baton_suppression(NULL)"
	                           " EXCEPT SELECT * FROM baton_suppression_page(100000)) x"), "0");
	CHECK_STR(itest_value(ana, "SELECT count(*) FROM (SELECT * FROM baton_suppression_page(100000)"
	                           " EXCEPT SELECT * FROM baton_suppression(NULL)) x"), "0");
	l = strdup(itest_value(ana, "SELECT count(*) || '/' || count(*) FILTER (WHERE held) FROM baton_suppression(NULL)"));
	p = strdup(itest_value(ana, "SELECT sends || '/' || held FROM baton_suppression_count()"));
	CHECK_STR(p, l);
	free(l);
	free(p);
}

int main(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	const char *db = itest_newdb("baton_demo");
	su = itest_connect(db, NULL);
	ana = itest_connect(db, "ana");
	lee = itest_connect(db, "lee");
	RUN(test_window_is_the_list_start);
	RUN(test_counts_are_the_lists);
	RUN(test_cache_follows_the_customer);
	RUN(test_cache_follows_the_survivor);
	RUN(test_write_shows_in_the_next_window);
	RUN(test_sends_window);
	PQfinish(lee);
	PQfinish(ana);
	PQfinish(su);
	return check_done();
}
