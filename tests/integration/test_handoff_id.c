/* Integration tests for short handoff ids (src/handoff.c): the console
 * shows a handoff as its first 8 hex digits, and `baton handoff ack 1a2b3c4d`
 * must find it, by an index range on the primary key, or say why not. */
#include "baton/buf.h"
#include "baton/db.h"
#include "baton/handoff.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "itest.h"

#define NORTHWIND_HANDOFF "6293c178-ae4a-339c-418f-a402dd44efe3"

static PGconn *ana;

static int range_of(const char *s, struct handoff_id_range *r)
{
	memset(r, 'x', sizeof *r);
	return handoff_id_range(s, r);
}

static void test_range_of_a_prefix(void)
{
	struct handoff_id_range r;
	CHECK(range_of("6293c178", &r) == 0);
	CHECK_STR(r.lo, "6293c178-0000-0000-0000-000000000000");
	CHECK_STR(r.hi, "6293c178-ffff-ffff-ffff-ffffffffffff");
	CHECK(range_of("6293C178-AE4a", &r) == 0);
	CHECK_STR(r.lo, "6293c178-ae4a-0000-0000-000000000000");
	CHECK_STR(r.hi, "6293c178-ae4a-ffff-ffff-ffffffffffff");
	CHECK(range_of("6293c178ae4a3", &r) == 0);
	CHECK_STR(r.lo, "6293c178-ae4a-3000-0000-000000000000");
	CHECK(range_of("abcd", &r) == 0);
	CHECK_STR(r.hi, "abcdffff-ffff-ffff-ffff-ffffffffffff");
	CHECK(range_of(NORTHWIND_HANDOFF, &r) == 0);
	CHECK_STR(r.lo, NORTHWIND_HANDOFF);
	CHECK_STR(r.hi, NORTHWIND_HANDOFF);
}

static void test_range_refuses_what_is_no_id(void)
{
	struct handoff_id_range r;
	CHECK(range_of("", &r) < 0);
	CHECK(range_of("629", &r) < 0);          /* too short */
	CHECK(range_of("6-29", &r) < 0);
	CHECK(range_of("xyz1", &r) < 0);         /* not hex */
	CHECK(range_of("#4812", &r) < 0);
	CHECK(range_of("-6293", &r) < 0);
	CHECK(range_of("6293c178--ae4a", &r) < 0);
	CHECK(range_of("6293-c178", &r) < 0);    /* a dash where a UUID has none */
	CHECK(range_of(NORTHWIND_HANDOFF "0", &r) < 0);
	CHECK(range_of("6293c178 ", &r) < 0);
}

/* A handoff by ana with this id, to Success. */
static int create_with_id(const char *id)
{
	char sql[512];
	snprintf(sql, sizeof sql,
	         "SELECT created FROM baton_handoff_create('%s', gen_random_uuid(), 2, 'success', NULL,"
	         " 'escalation', 'normal', NULL, 'short ids')", id);
	return strcmp(itest_value(ana, sql), "t") == 0;
}

static int find(const char *given, char id[37], char **cand)
{
	struct handoff_id_range r;
	char err[512];
	*cand = NULL;
	if (handoff_id_range(given, &r) < 0)
		return -2;
	int n = handoff_find_range(ana, &r, id, cand, err, sizeof err);
	if (n < 0)
		printf("    %s\n", err);
	return n;
}

static void test_find_unique_prefix(void)
{
	char id[37] = "", *cand;
	CHECK(find("6293c178", id, &cand) == 1);
	CHECK_STR(id, NORTHWIND_HANDOFF);
	CHECK(cand == NULL);
	CHECK(find("6293C17", id, &cand) == 1);
	CHECK_STR(id, NORTHWIND_HANDOFF);
	CHECK(find(NORTHWIND_HANDOFF, id, &cand) == 1);
	CHECK(find("ffff0", id, &cand) == 0);
	free(cand);
}

static void test_find_ambiguous_names_candidates(void)
{
	char id[37] = "", *cand = NULL;
	CHECK(create_with_id("abcd1234-0000-4000-8000-000000000001"));
	CHECK(create_with_id("abcd5678-0000-4000-8000-000000000002"));
	CHECK(find("abcd", id, &cand) == 2);
	CHECK_STR(cand, "  abcd1234-0000-4000-8000-000000000001  Café Lumière (open)\n"
	                "  abcd5678-0000-4000-8000-000000000002  Café Lumière (open)");
	free(cand);
	CHECK(find("abcd5", id, &cand) == 1);
	CHECK_STR(id, "abcd5678-0000-4000-8000-000000000002");
	free(cand);
}

/* More matches than are worth listing: a few, and the count says "more". */
static void test_find_many_lists_a_few(void)
{
	char id[37], *cand = NULL;
	for (int i = 0; i < HANDOFF_MATCHES_MAX + 3; i++) {
		snprintf(id, sizeof id, "beef%04u-0000-4000-8000-000000000000", (unsigned)i % 10000);
		CHECK(create_with_id(id));
	}
	CHECK(find("beef", id, &cand) == HANDOFF_MATCHES_MAX + 1);
	int lines = 1;
	for (const char *p = cand ? cand : ""; *p; p++)
		lines += *p == '\n';
	CHECK(lines == HANDOFF_MATCHES_MAX);
	free(cand);
}

/* The range is an index condition on the primary key, so a prefix costs
 * the same with a million handoffs (id::text LIKE 'prefix%' could only
 * filter every row).  Sequential scans are priced out so that the small
 * demo table does not make the planner prefer one anyway. */
static void test_range_uses_the_primary_key(void)
{
	char sql[1024];
	snprintf(sql, sizeof sql, "EXPLAIN %s", handoff_range_sql);
	const char *p[] = {"6293c178-0000-0000-0000-000000000000", "6293c178-ffff-ffff-ffff-ffffffffffff", "6"};
	PQclear(PQexec(ana, "SET enable_seqscan = off"));
	PGresult *r = PQexecParams(ana, sql, 3, NULL, p, NULL, NULL, 0);
	CHECK(PQresultStatus(r) == PGRES_TUPLES_OK);
	struct buf plan = BUF_INIT;
	for (int i = 0; i < PQntuples(r); i++) {
		buf_puts(&plan, PQgetvalue(r, i, 0));
		buf_putc(&plan, '\n');
	}
	CHECK(strstr(buf_str(&plan), "Index Cond: ((id >= '6293c178-0000-0000-0000-000000000000'::uuid)"
	             " AND (id <= '6293c178-ffff-ffff-ffff-ffffffffffff'::uuid))") != NULL);
	CHECK(strstr(buf_str(&plan), "Seq Scan") == NULL);
	if (check_failed_now)
		printf("    %s", buf_str(&plan));
	buf_free(&plan);
	PQclear(r);
	PQclear(PQexec(ana, "RESET enable_seqscan"));
}

int main(void)
{
	const char *db = itest_newdb("baton_demo");
	ana = itest_connect(db, "ana");
	RUN(test_range_of_a_prefix);
	RUN(test_range_refuses_what_is_no_id);
	RUN(test_find_unique_prefix);
	RUN(test_find_ambiguous_names_candidates);
	RUN(test_find_many_lists_a_few);
	RUN(test_range_uses_the_primary_key);
	PQfinish(ana);
	return check_done();
}
