/* Integration tests for migrations 014 and 025 on copies of the demo: the queue's
 * counts and medians read from totals kept by triggers must say what a
 * direct count says, after every kind of write, under parallel writers, as
 * the clock passes deadlines, and never count a scoped person's hidden
 * customers. */
#include "baton/queue.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "itest.h"

static const char *db;
static PGconn *su;
/* Roles are the cluster's: named after this process.  all_role sees every
 * customer (the totals); scope_role is on the same team with a scope of
 * every segment (the same customers, counted directly); smb_role sees smb
 * customers only.  None has handoffs of their own, so "mine" is the same. */
static char all_role[32], scope_role[32], smb_role[32];

/* Keys where the totals (the sum of a key's rows) and a direct count of
 * the handoffs disagree (a handoff under the segment of its customer's
 * survivor, migration 099): the active counts, the acknowledgement buckets of
 * the days a window reads, per dimension and per pair of dimensions
 * (migration 016), and the open handoffs with a deadline per hour of it,
 * the hours past as one (migration 025).  "0" when they agree. */
static const char drift_sql[] =
	"WITH d AS (SELECT h.to_team, coalesce(h.to_staff, '') AS to_staff, h.reason, h.priority,"
	"                  c.segment, h.state, h.ack_due_at IS NOT NULL AS dated, count(*) AS n"
	"           FROM handoff h JOIN customer a ON a.id = h.customer_id"
	"             JOIN customer c ON c.id = coalesce(a.merged_into, a.id)"
	"           WHERE h.state IN ('open', 'acknowledged') GROUP BY 1, 2, 3, 4, 5, 6, 7),"
	" t AS (SELECT to_team, to_staff::text, reason, priority, segment, state, dated, sum(n)"
	"       FROM queue_total GROUP BY 1, 2, 3, 4, 5, 6, 7 HAVING sum(n) <> 0),"
	" hd AS (SELECT k.dim, k.val, k.val2, k.team, (h.acknowledged_at AT TIME ZONE 'UTC')::date AS day,"
	"               baton_age_bucket(baton_ack_seconds(h.created_at, h.acknowledged_at)) AS bucket,"
	"               count(*) AS n"
	"        FROM handoff h JOIN customer a ON a.id = h.customer_id"
	"             JOIN customer c ON c.id = coalesce(a.merged_into, a.id)"
	"        CROSS JOIN LATERAL (VALUES ('*'::\"char\", ''::text, ''::text, ''::text), ('t', h.to_team, '', ''),"
	"             ('s', h.to_staff::text, '', h.to_team), ('r', h.reason, '', ''), ('p', h.priority, '', ''),"
	"             ('g', c.segment, '', ''), ('a', h.to_team, h.reason, ''), ('b', h.to_team, h.priority, ''),"
	"             ('c', h.to_team, c.segment, ''), ('d', h.to_staff::text, h.reason, h.to_team),"
	"             ('e', h.to_staff::text, h.priority, h.to_team), ('f', h.to_staff::text, c.segment, h.to_team),"
	"             ('h', h.reason, h.priority, ''), ('i', h.reason, c.segment, ''),"
	"             ('j', h.priority, c.segment, '')) k (dim, val, val2, team)"
	"        WHERE h.acknowledged_at >= now() - interval '30 days' AND k.val IS NOT NULL"
	"        GROUP BY 1, 2, 3, 4, 5, 6),"
	" ht AS (SELECT dim, val, val2, team, day, bucket, sum(n) FROM queue_ack_hist"
	"        WHERE day > ((now() - interval '30 days') AT TIME ZONE 'UTC')::date"
	"        GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(n) <> 0),"
	" dd AS (SELECT h.to_team, coalesce(h.to_staff, '') AS to_staff, h.reason, h.priority, c.segment,"
	"               CASE WHEN h.ack_due_at < baton_due_hour(now()) THEN '-infinity'"
	"                    ELSE baton_due_hour(h.ack_due_at) END AS due_hour, count(*) AS n"
	"        FROM handoff h JOIN customer a ON a.id = h.customer_id"
	"             JOIN customer c ON c.id = coalesce(a.merged_into, a.id)"
	"        WHERE h.state = 'open' AND h.ack_due_at IS NOT NULL GROUP BY 1, 2, 3, 4, 5, 6),"
	" td AS (SELECT to_team, to_staff::text, reason, priority, segment,"
	"               CASE WHEN due_hour < baton_due_hour(now()) THEN '-infinity' ELSE due_hour END, sum(n)"
	"        FROM queue_due GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(n) <> 0)"
	" SELECT (SELECT count(*) FROM ((SELECT * FROM d EXCEPT SELECT * FROM t)"
	"                              UNION ALL (SELECT * FROM t EXCEPT SELECT * FROM d)) x)"
	"      + (SELECT count(*) FROM ((SELECT * FROM hd WHERE day > ((now() - interval '30 days')"
	"                                   AT TIME ZONE 'UTC')::date EXCEPT SELECT * FROM ht)"
	"                              UNION ALL (SELECT * FROM ht EXCEPT SELECT * FROM hd)) x)"
	"      + (SELECT count(*) FROM ((SELECT * FROM dd EXCEPT SELECT * FROM td)"
	"                              UNION ALL (SELECT * FROM td EXCEPT SELECT * FROM dd)) x)";

static const char *drift(void)
{
	return itest_value(su, drift_sql);
}

/* n handoffs with attributes spread by a seed, acknowledged ones over the
 * last 35 days (so the windows' first, partial days have some). */
static int add_handoffs(PGconn *c, int n, int seed)
{
	char sql[2048];
	snprintf(sql, sizeof sql,
	         "INSERT INTO handoff (id, customer_id, from_team, to_team, to_staff, reason, priority, note,"
	         "  state, created_at, ack_due_at, acknowledged_at, acknowledged_by)"
	         " SELECT gen_random_uuid(), (SELECT id FROM customer ORDER BY id OFFSET (g * 7 + %d) %%"
	         "   (SELECT count(*) FROM customer) LIMIT 1),"
	         "  'onboarding', (ARRAY['support', 'success'])[1 + g %% 2],"
	         "  CASE WHEN g %% 3 = 0 THEN (ARRAY['ana', 'ben'])[1 + g %% 2] END,"
	         "  (ARRAY['escalation', 'bug report', 'renewal risk'])[1 + (g + %d) %% 3],"
	         "  (ARRAY['urgent', 'high', 'normal', 'low'])[1 + (g * 3 + %d) %% 4], 'x',"
	         "  CASE WHEN g %% 4 < 2 THEN 'open' ELSE 'acknowledged' END,"
	         "  now() - make_interval(hours => (g * 37 + %d) %% 840 + 1),"
	         "  CASE WHEN g %% 5 <> 0 THEN now() - make_interval(hours => (g * 37 + %d) %% 840)"
	         "       + make_interval(hours => g %% 48) END,"
	         "  CASE WHEN g %% 4 >= 2 THEN now() - make_interval(mins => (g * 37 + %d) %% 840 * 59) END,"
	         "  CASE WHEN g %% 4 >= 2 THEN 'ana' END"
	         " FROM generate_series(1, %d) g",
	         seed, seed, seed, seed, seed, seed, n);
	return itest_ok(c, sql);
}

/* The counts and medians a person's queue view shows, as text. */
static void stats_of(PGconn *c, const struct queue_filter *f, char *out, size_t n)
{
	struct queue_params qp;
	struct db_stmt st[3];
	size_t len = 0;
	queue_statements(f, &qp, st);
	out[0] = '\0';
	for (int s = 1; s < 3; s++) {
		PGresult *r = PQexecParams(c, st[s].sql, st[s].nparams, NULL, st[s].params, NULL, NULL, 0);
		if (PQresultStatus(r) != PGRES_TUPLES_OK)
			len += (size_t)snprintf(out + len, n - len, "ERROR %s", PQresultErrorMessage(r));
		for (int i = 0; PQresultStatus(r) == PGRES_TUPLES_OK && i < PQntuples(r); i++)
			for (int k = 0; k < PQnfields(r) && len < n; k++)
				len += (size_t)snprintf(out + len, n - len, "%s%c",
				                        PQgetisnull(r, i, k) ? "null" : PQgetvalue(r, i, k),
				                        k + 1 == PQnfields(r) ? '\n' : ' ');
		PQclear(r);
		if (len >= n)
			len = n - 1;
	}
}

/* Views to compare: every single filter, mine, every pair of filters
 * (migration 016 reads them from the buckets), three filters. */
static int view_filter(int v, struct queue_filter *f)
{
	memset(f, 0, sizeof *f);
	switch (v) {
	case 0: break;
	case 1: f->mine = 1; break;
	case 2: snprintf(f->team, sizeof f->team, "support"); break;
	case 3: snprintf(f->person, sizeof f->person, "ana"); break;
	case 4: snprintf(f->reason, sizeof f->reason, "escalation"); break;
	case 5: snprintf(f->priority, sizeof f->priority, "urgent"); break;
	case 6: snprintf(f->segment, sizeof f->segment, "smb"); break;
	case 7: snprintf(f->segment, sizeof f->segment, "enterprise"); break;
	case 8: f->breached = 1; break;
	case 9: snprintf(f->team, sizeof f->team, "success"); snprintf(f->priority, sizeof f->priority, "low"); break;
	case 10: f->mine = 1; snprintf(f->segment, sizeof f->segment, "smb"); break;
	case 11: snprintf(f->team, sizeof f->team, "support"); snprintf(f->person, sizeof f->person, "ana"); break;
	case 12: snprintf(f->team, sizeof f->team, "success"); snprintf(f->reason, sizeof f->reason, "escalation"); break;
	case 13: snprintf(f->team, sizeof f->team, "support"); snprintf(f->segment, sizeof f->segment, "smb"); break;
	case 14: snprintf(f->person, sizeof f->person, "ben"); snprintf(f->reason, sizeof f->reason, "bug report"); break;
	case 15: snprintf(f->person, sizeof f->person, "ana"); snprintf(f->priority, sizeof f->priority, "high"); break;
	case 16: snprintf(f->person, sizeof f->person, "ben"); snprintf(f->segment, sizeof f->segment, "enterprise"); break;
	case 17: snprintf(f->reason, sizeof f->reason, "escalation"); snprintf(f->priority, sizeof f->priority, "urgent"); break;
	case 18: snprintf(f->reason, sizeof f->reason, "renewal risk"); snprintf(f->segment, sizeof f->segment, "smb"); break;
	case 19: snprintf(f->priority, sizeof f->priority, "normal"); snprintf(f->segment, sizeof f->segment, "smb"); break;
	case 20: f->mine = 1; snprintf(f->team, sizeof f->team, "support"); break;
	case 21: f->mine = 1; snprintf(f->team, sizeof f->team, "success"); break;
	case 22: f->mine = 1; snprintf(f->person, sizeof f->person, "ben"); break;
	case 23: f->mine = 1; snprintf(f->reason, sizeof f->reason, "escalation"); break;
	case 24: f->mine = 1; snprintf(f->priority, sizeof f->priority, "urgent"); break;
	case 25: f->mine = 1; f->breached = 1; snprintf(f->state, sizeof f->state, "open"); break;
	case 26:
		snprintf(f->team, sizeof f->team, "success");
		snprintf(f->reason, sizeof f->reason, "escalation");
		snprintf(f->priority, sizeof f->priority, "high");
		break;
	default: return 0;
	}
	return 1;
}

/* all_role and scope_role must see the same counts and medians for every
 * view. */
static int totals_match_direct(void)
{
	PGconn *all = itest_connect(db, all_role), *direct = itest_connect(db, scope_role);
	struct queue_filter f;
	int same = 1;
	for (int v = 0; view_filter(v, &f); v++) {
		char a[4096], b[4096];
		stats_of(all, &f, a, sizeof a);
		stats_of(direct, &f, b, sizeof b);
		if (strcmp(a, b) != 0 || strstr(a, "ERROR")) {
			printf("    view %d: totals\n%s    direct\n%s", v, a, b);
			same = 0;
		}
	}
	PQfinish(all);
	PQfinish(direct);
	return same;
}

static void test_totals_follow_every_kind_of_write(void)
{
	CHECK_STR(drift(), "0");
	CHECK(add_handoffs(su, 400, 1));
	CHECK_STR(drift(), "0");
	/* The paths the console's writes take: acknowledge, resolve, reassign,
	 * and what psql or an import may do besides. */
	CHECK(itest_ok(su, "UPDATE handoff SET state = 'acknowledged', acknowledged_at = now(), acknowledged_by = 'ana',"
	             " version = version + 1 WHERE id IN (SELECT id FROM handoff WHERE state = 'open' LIMIT 30)"));
	CHECK(itest_ok(su, "UPDATE handoff SET state = 'resolved', closed_at = now(), closed_by = 'ana'"
	             " WHERE id IN (SELECT id FROM handoff WHERE state = 'acknowledged' LIMIT 30)"));
	CHECK(itest_ok(su, "UPDATE handoff SET to_team = 'success', to_staff = 'ben'"
	             " WHERE id IN (SELECT id FROM handoff WHERE to_team = 'support' AND state = 'open' LIMIT 10)"));
	CHECK(itest_ok(su, "UPDATE handoff SET priority = 'urgent', ack_due_at = NULL"
	             " WHERE id IN (SELECT id FROM handoff WHERE state = 'open' LIMIT 10)"));
	CHECK(itest_ok(su, "UPDATE handoff SET acknowledged_at = acknowledged_at - interval '3 hours'"
	             " WHERE id IN (SELECT id FROM handoff WHERE acknowledged_at > now() - interval '20 days' LIMIT 10)"));
	CHECK_STR(drift(), "0");
	/* The customer's segment moves its handoffs' counts. */
	CHECK(itest_ok(su, "UPDATE customer SET segment = CASE segment WHEN 'smb' THEN 'enterprise' ELSE 'smb' END"
	             " WHERE id IN (SELECT customer_id FROM handoff WHERE state IN ('open', 'acknowledged')"
	             "              ORDER BY customer_id LIMIT 5)"));
	CHECK_STR(drift(), "0");
	/* Deleting a customer deletes its handoffs and their counts. */
	CHECK(itest_ok(su, "INSERT INTO customer (id, name, segment) VALUES (990001, 'Gone Ltd', 'strategic')"));
	/* (Handoffs with events cannot be deleted: their history is kept.) */
	CHECK(itest_ok(su, "INSERT INTO handoff (id, customer_id, from_team, to_team, reason, note, state,"
	             "  created_at, ack_due_at, acknowledged_at)"
	             " SELECT gen_random_uuid(), 990001, 'support', 'success', 'escalation', 'x',"
	             "  (ARRAY['open', 'acknowledged'])[1 + g % 2], now() - interval '2 days',"
	             "  now() - interval '1 day', CASE WHEN g % 2 = 1 THEN now() - interval '1 hour' END"
	             " FROM generate_series(1, 4) g"));
	CHECK_STR(drift(), "0");
	CHECK(itest_ok(su, "DELETE FROM customer WHERE id = 990001"));
	CHECK_STR(itest_value(su, "SELECT count(*) FROM handoff WHERE customer_id = 990001"), "0");
	CHECK(itest_ok(su, "DELETE FROM handoff WHERE id IN (SELECT id FROM handoff WHERE state = 'acknowledged' LIMIT 5)"));
	CHECK_STR(drift(), "0");
	CHECK(totals_match_direct());
}

/* Writers on their own connections, all on the same few keys at once. */
static void test_parallel_writers_lose_no_count(void)
{
	enum { WRITERS = 6, ROUNDS = 25 };
	pid_t pid[WRITERS];
	fflush(stdout);
	for (int w = 0; w < WRITERS; w++) {
		pid[w] = fork();
		if (pid[w] == 0) {
			PGconn *c = itest_connect(db, NULL);
			int good = 1;
			for (int r = 0; r < ROUNDS && good; r++) {
				good = itest_ok(c, "BEGIN") && add_handoffs(c, 3, r) &&
				       itest_ok(c, "UPDATE handoff SET state = 'acknowledged', acknowledged_at = now(),"
				             " acknowledged_by = 'ana' WHERE id IN (SELECT id FROM handoff"
				             " WHERE state = 'open' ORDER BY random() LIMIT 2 FOR UPDATE SKIP LOCKED)") &&
				       itest_ok(c, "COMMIT");
			}
			PQfinish(c);
			fflush(stdout);
			_exit(good ? 0 : 1);
		}
	}
	int failed = 0;
	for (int w = 0; w < WRITERS; w++) {
		int status = 0;
		waitpid(pid[w], &status, 0);
		failed += !WIFEXITED(status) || WEXITSTATUS(status) != 0;
	}
	CHECK(failed == 0); /* no deadlock, no error */
	CHECK_STR(drift(), "0");
	CHECK(totals_match_direct());
}

/* Views of two filters read the buckets (one or two ranges of them) and
 * say what the handoffs say, "mine" included: what was handed to me on
 * another team than mine counts, once.  all_role and scope_role get the
 * same handoffs of their own on another team (success), so that their
 * "mine" views hold the same and can be compared. */
static void test_combined_medians_from_buckets(void)
{
	for (int k = 0; k < 2; k++)
		CHECK(!itest_is_error(itest_valuef(su,
			"INSERT INTO handoff (id, customer_id, from_team, to_team, to_staff, reason, priority, note,"
			"  state, created_at, ack_due_at, acknowledged_at, acknowledged_by)"
			" SELECT gen_random_uuid(), (SELECT id FROM customer ORDER BY id OFFSET g %% 5 LIMIT 1),"
			"  'onboarding', (ARRAY['success', 'support'])[1 + g %% 2], '%s',"
			"  (ARRAY['escalation', 'bug report'])[1 + g / 2 %% 2],"
			"  (ARRAY['urgent', 'high', 'low'])[1 + g %% 3], 'x', 'acknowledged',"
			"  now() - make_interval(days => g %% 20, hours => 3 * g),"
			"  now() - make_interval(days => g %% 20), now() - make_interval(days => g %% 20, mins => g),"
			"  'ana' FROM generate_series(1, 40) g", k ? scope_role : all_role), ""));
	CHECK_STR(drift(), "0");
	CHECK(totals_match_direct());
	/* The two filters came from the buckets, three from the handoffs. */
	PGconn *all = itest_connect(db, all_role);
	CHECK_STR(itest_value(all, "SELECT count(*) FROM baton_queue_medians('support', '', '', 'high', '', false)"), "1");
	CHECK_STR(itest_value(all, "SELECT count(*) FROM baton_queue_medians('', '', 'escalation', '', '', true)"), "1");
	CHECK_STR(itest_value(all, "SELECT count(*) FROM baton_queue_medians('support', '', 'escalation', 'high', '', false)"),
	          "0");
	PQfinish(all);
}

/* Breached is open past the deadline now: it changes with no write. */
static void test_breached_follows_the_clock(void)
{
	struct queue_filter f;
	char before[4096], after[4096];
	memset(&f, 0, sizeof f);
	snprintf(f.team, sizeof f.team, "clock");
	/* Connected first; the deadline far enough ahead that a loaded
	 * machine still reads "not breached yet" before it passes. */
	PGconn *c = itest_connect(db, all_role);
	CHECK(itest_ok(su, "INSERT INTO team (id, name) VALUES ('clock', 'Clock')"));
	CHECK(itest_ok(su, "INSERT INTO handoff (id, customer_id, from_team, to_team, reason, note, ack_due_at)"
	             " VALUES (gen_random_uuid(), 1, 'support', 'clock', 'escalation', 'x',"
	             "         clock_timestamp() + interval '4 seconds')"));
	stats_of(c, &f, before, sizeof before);
	CHECK(strncmp(before, "clock 1 1 0\n", 12) == 0);
	/* Wait for the deadline to pass (a condition, not a duration). */
	for (int i = 0; i < 150 && strcmp(itest_value(su, "SELECT bool_and(ack_due_at < clock_timestamp())"
	                                                  " FROM handoff WHERE to_team = 'clock'"), "t"); i++)
		usleep(100 * 1000);
	stats_of(c, &f, after, sizeof after);
	CHECK(strncmp(after, "clock 1 1 1\n", 12) == 0);
	PQfinish(c);
}

/* Rows of hours past not folded yet (migration 025). */
static const char unfolded_sql[] =
	"SELECT count(*) FROM queue_due WHERE due_hour > '-infinity' AND due_hour < baton_due_hour(now())";

/* Deadlines in hours past are counted whether or not they were folded into
 * one row per key yet, and the next write folds them.  A transaction that
 * is not READ COMMITTED leaves the folding to the next writer (as a
 * deadline passing by the clock does). */
static void test_hours_past_fold(void)
{
	CHECK(itest_ok(su, "BEGIN ISOLATION LEVEL REPEATABLE READ") && add_handoffs(su, 60, 7) && itest_ok(su, "COMMIT"));
	CHECK(atoi(itest_value(su, unfolded_sql)) > 0);
	CHECK_STR(drift(), "0");
	CHECK(totals_match_direct());
	CHECK(itest_ok(su, "UPDATE handoff SET state = 'acknowledged', acknowledged_at = now(), acknowledged_by = 'ana',"
	             " version = version + 1 WHERE id IN (SELECT id FROM handoff WHERE state = 'open'"
	             "   AND ack_due_at < now() - interval '2 hours' LIMIT 3)"));
	CHECK_STR(itest_value(su, unfolded_sql), "0");
	/* One row per key for all the hours past. */
	CHECK_STR(itest_value(su, "SELECT count(*) FROM (SELECT 1 FROM queue_due WHERE due_hour < baton_due_hour(now())"
	                          " GROUP BY to_team, to_staff, reason, priority, segment HAVING count(*) > 1) x"), "0");
	CHECK(strcmp(itest_value(su, "SELECT count(*) FROM queue_due WHERE due_hour = '-infinity'"), "0") != 0);
	CHECK_STR(drift(), "0");
	CHECK(totals_match_direct());
}

/* The handoffs a list of segment SEG shows whose note is NOTE, as ROLE sees
 * them. */
static const char *listed(PGconn *c, const char *seg, const char *note)
{
	static char out[32];
	struct queue_filter f;
	struct queue_params qp;
	struct db_stmt st[3];
	memset(&f, 0, sizeof f);
	snprintf(f.segment, sizeof f.segment, "%s", seg);
	queue_statements(&f, &qp, st);
	PGresult *r = PQexecParams(c, st[0].sql, st[0].nparams, NULL, st[0].params, NULL, NULL, 0);
	int n = 0, ok = PQresultStatus(r) == PGRES_TUPLES_OK;
	for (int i = 0; ok && i < PQntuples(r); i++)
		n += strcmp(PQgetvalue(r, i, Q_NOTE), note) == 0 && strcmp(PQgetvalue(r, i, Q_SEGMENT), seg) == 0;
	if (ok)
		snprintf(out, sizeof out, "%d", n);
	else
		snprintf(out, sizeof out, "ERROR %.20s", PQresultErrorMessage(r));
	PQclear(r);
	return out;
}

/* A customer absorbed by a merge is its survivor's segment (migration
 * 099): its handoffs' counts move when it is absorbed, when its survivor's
 * segment changes, when both change in one statement, when its survivor is
 * absorbed in turn and when it is split off; the segment filter lists them
 * under the survivor's segment, as the counts do. */
static void test_absorbed_counted_as_survivor(void)
{
	PGconn *all = itest_connect(db, all_role);
	CHECK(itest_ok(su, "INSERT INTO customer (id, name, segment) VALUES (990101, 'Big Corp', 'enterprise'),"
	                   " (990102, 'Big Corp (helpdesk)', 'smb'), (990103, 'Bigger Group', 'strategic')"));
	CHECK(itest_ok(su, "INSERT INTO handoff (id, customer_id, from_team, to_team, to_staff, reason, priority, note,"
	                   "  state, created_at, ack_due_at, acknowledged_at, acknowledged_by)"
	                   " SELECT gen_random_uuid(), 990102, 'support', (ARRAY['success', 'support'])[1 + g % 2],"
	                   "  CASE WHEN g % 3 = 0 THEN 'ben' END, 'escalation', 'urgent', 'absorbed',"
	                   "  (ARRAY['open', 'acknowledged'])[1 + g % 2], now() - interval '40 days',"
	                   "  CASE WHEN g % 3 = 0 THEN now() + interval '5 hours' ELSE now() - interval '39 days' END,"
	                   "  CASE WHEN g % 2 = 1 THEN now() - interval '2 days' END, CASE WHEN g % 2 = 1 THEN 'ana' END"
	                   " FROM generate_series(1, 6) g"));
	/* (Created long ago, urgent and breached: the first of each branch
	 * of the list, whatever else is in it.) */
	CHECK_STR(drift(), "0");
	CHECK_STR(listed(all, "smb", "absorbed"), "6");
	CHECK_STR(listed(all, "enterprise", "absorbed"), "0");
	/* Absorbed. */
	CHECK(itest_ok(su, "UPDATE customer SET merged_into = 990101 WHERE id = 990102"));
	CHECK_STR(drift(), "0");
	CHECK_STR(listed(all, "smb", "absorbed"), "0");
	CHECK_STR(listed(all, "enterprise", "absorbed"), "6");
	CHECK(totals_match_direct());
	/* The survivor's segment changes. */
	CHECK(itest_ok(su, "UPDATE customer SET segment = 'mid-market' WHERE id = 990101"));
	CHECK_STR(drift(), "0");
	CHECK_STR(listed(all, "mid-market", "absorbed"), "6");
	/* Split off and absorbed again with the survivor's segment changed, in
	 * one statement each. */
	CHECK(itest_ok(su, "UPDATE customer SET merged_into = NULL, segment = CASE id WHEN 990101 THEN 'smb'"
	                   " ELSE 'enterprise' END WHERE id IN (990101, 990102)"));
	CHECK_STR(drift(), "0");
	CHECK_STR(listed(all, "enterprise", "absorbed"), "6");
	CHECK(itest_ok(su, "UPDATE customer SET merged_into = CASE id WHEN 990102 THEN 990101 END,"
	                   " segment = CASE id WHEN 990101 THEN 'enterprise' ELSE 'smb' END WHERE id IN (990101, 990102)"));
	CHECK_STR(drift(), "0");
	CHECK_STR(listed(all, "enterprise", "absorbed"), "6");
	/* The survivor absorbed in turn: its absorbed customers go with it, as
	 * an import's merge writes it. */
	CHECK(itest_ok(su, "UPDATE customer SET merged_into = 990103 WHERE id = 990101 OR merged_into = 990101"));
	CHECK_STR(drift(), "0");
	CHECK_STR(listed(all, "strategic", "absorbed"), "6");
	CHECK(totals_match_direct());
	/* Split off: its own segment again. */
	CHECK(itest_ok(su, "UPDATE customer SET merged_into = NULL WHERE id = 990102"));
	CHECK_STR(drift(), "0");
	CHECK_STR(listed(all, "smb", "absorbed"), "6");
	CHECK_STR(listed(all, "strategic", "absorbed"), "0");
	/* Left absorbed for the scope test after this one: an smb customer in
	 * a strategic one. */
	CHECK(itest_ok(su, "UPDATE customer SET merged_into = 990103 WHERE id = 990102"));
	CHECK_STR(drift(), "0");
	CHECK(totals_match_direct());
	PQfinish(all);
}

/* A merge into a customer, or a handoff of a customer absorbed into it,
 * and a change of that customer's segment, in two transactions at once:
 * the second waits for the first (099 locks the survivor's row) and counts
 * under the segment the first left. */
static void test_survivor_changes_one_after_the_other(void)
{
	PGconn *one = itest_connect(db, NULL), *two = itest_connect(db, NULL);
	CHECK(itest_ok(su, "INSERT INTO customer (id, name, segment) VALUES (990111, 'Race Corp', 'enterprise'),"
	                   " (990112, 'Race Corp (billing)', 'smb')"));
	CHECK(itest_ok(su, "INSERT INTO handoff (id, customer_id, from_team, to_team, reason, priority, note, state)"
	                   " SELECT gen_random_uuid(), 990112, 'support', 'success', 'escalation', 'high', 'race', 'open'"
	                   " FROM generate_series(1, 3)"));
	CHECK_STR(drift(), "0");
	/* A merge, then a change of the survivor's segment. */
	CHECK(itest_ok(one, "BEGIN"));
	CHECK(itest_ok(one, "UPDATE customer SET merged_into = 990111 WHERE id = 990112"));
	CHECK(PQsendQuery(two, "UPDATE customer SET segment = 'strategic' WHERE id = 990111") == 1);
	CHECK(itest_waits_for_lock(su, two));
	CHECK(itest_ok(one, "COMMIT"));
	CHECK(itest_sent_ok(two));
	CHECK_STR(drift(), "0");
	/* A handoff of the absorbed customer, then a change of the survivor's
	 * segment. */
	CHECK(itest_ok(one, "BEGIN"));
	CHECK(itest_ok(one, "INSERT INTO handoff (id, customer_id, from_team, to_team, reason, priority, note, state)"
	                    " VALUES (gen_random_uuid(), 990112, 'support', 'success', 'escalation', 'low', 'race', 'open')"));
	CHECK(PQsendQuery(two, "UPDATE customer SET segment = 'mid-market' WHERE id = 990111") == 1);
	CHECK(itest_waits_for_lock(su, two));
	CHECK(itest_ok(one, "COMMIT"));
	CHECK(itest_sent_ok(two));
	CHECK_STR(drift(), "0");
	/* The survivor and the customer it absorbed deleted in one statement. */
	CHECK(itest_ok(su, "DELETE FROM customer WHERE id IN (990111, 990112)"));
	CHECK_STR(drift(), "0");
	PQfinish(one);
	PQfinish(two);
}

/* A person limited to smb counts only smb customers' handoffs, and cannot
 * read the totals (which count every customer) around the queue. */
static void test_scope_counts_only_what_it_sees(void)
{
	struct queue_filter f;
	char got[4096], want[4096];
	CHECK(!itest_is_error(itest_valuef(su, "CREATE ROLE %s LOGIN IN ROLE baton_staff", smb_role), ""));
	CHECK(!itest_is_error(itest_valuef(su, "INSERT INTO staff (role_name, display_name, team_id, scope)"
	                                       " VALUES ('%s', 'Smb', 'support', ARRAY['smb'])", smb_role), ""));
	/* There is something to hide. */
	CHECK(strcmp(itest_value(su, "SELECT count(*) FROM handoff h JOIN customer c ON c.id = h.customer_id"
	                             " WHERE h.state IN ('open', 'acknowledged') AND c.segment <> 'smb'"), "0") != 0);
	PGconn *scoped = itest_connect(db, smb_role), *all = itest_connect(db, all_role);
	memset(&f, 0, sizeof f);
	stats_of(scoped, &f, got, sizeof got);
	snprintf(f.segment, sizeof f.segment, "smb");
	stats_of(all, &f, want, sizeof want);
	CHECK(strcmp(got, want) == 0);
	if (strcmp(got, want) != 0)
		printf("    scoped\n%s    smb view of an unscoped person\n%s", got, want);
	/* Two filters too: never the buckets, which count every customer. */
	memset(&f, 0, sizeof f);
	snprintf(f.team, sizeof f.team, "support");
	snprintf(f.priority, sizeof f.priority, "high");
	stats_of(scoped, &f, got, sizeof got);
	snprintf(f.segment, sizeof f.segment, "smb");
	stats_of(all, &f, want, sizeof want);
	CHECK(strcmp(got, want) == 0);
	if (strcmp(got, want) != 0)
		printf("    scoped, team and priority\n%s    the same and smb, unscoped\n%s", got, want);
	CHECK_STR(itest_value(scoped, "SELECT count(*) FROM baton_queue_medians('support', '', '', 'high', '', false)"), "0");
	CHECK(itest_is_error(itest_value(scoped, "SELECT count(*) FROM queue_total"), "permission denied"));
	CHECK_STR(itest_value(scoped, "SELECT count(*) FROM baton_queue_counts('', '', '', '', '', false)"), "0");
	CHECK_STR(itest_value(scoped, "SELECT count(*) FROM baton_queue_medians('', '', '', '', '', false)"), "0");
	PQfinish(scoped);
	PQfinish(all);
}

int main(void)
{
	db = itest_newdb("baton_demo");
	su = itest_connect(db, NULL);
	snprintf(all_role, sizeof all_role, "qt_all_%s", itest_id());
	snprintf(scope_role, sizeof scope_role, "qt_scope_%s", itest_id());
	snprintf(smb_role, sizeof smb_role, "qt_smb_%s", itest_id());
	itest_valuef(su, "CREATE ROLE %s LOGIN IN ROLE baton_staff; CREATE ROLE %s LOGIN IN ROLE baton_staff;"
	             " INSERT INTO staff (role_name, display_name, team_id, scope) VALUES"
	             " ('%s', 'All', 'support', NULL),"
	             " ('%s', 'Scope', 'support', ARRAY['smb', 'mid-market', 'enterprise', 'strategic'])",
	             all_role, scope_role, all_role, scope_role);
	RUN(test_totals_follow_every_kind_of_write);
	RUN(test_parallel_writers_lose_no_count);
	RUN(test_combined_medians_from_buckets);
	RUN(test_breached_follows_the_clock);
	RUN(test_hours_past_fold);
	RUN(test_absorbed_counted_as_survivor);
	RUN(test_survivor_changes_one_after_the_other);
	RUN(test_scope_counts_only_what_it_sees);
	itest_valuef(su, "DROP OWNED BY %s, %s, %s; DROP ROLE %s, %s, %s", all_role, scope_role, smb_role,
	             all_role, scope_role, smb_role);
	PQfinish(su);
	return check_done();
}
