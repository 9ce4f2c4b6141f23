/* The waiting list kept live by notifications (migration 017,
 * src/waiting.c), as the console keeps it: a console session LISTENs,
 * another session writes handoffs (new ones anywhere in the order,
 * acknowledgements, resolutions, cancellations, reassignments in and out,
 * removals, comments, several in one transaction, bulk writes), and after every few
 * writes the patched list must be what a fresh read of the same session
 * says, row for row.  Also that it gets there mostly without reading the
 * whole list: the point of it. */
#include "baton/db.h"
#include "baton/finder.h"
#include "baton/notify.h"
#include "baton/waiting.h"

#include <libpq-fe.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "itest.h"

static const char *db;
static PGconn *su;

/* A console: its session, its list, and what catching up cost. */
struct console {
	PGconn *c;
	const char *team, *me;
	struct waiting_live w;
	int reads, fetches, kept, full_seen, partial_seen;
};

/* Hand the notifications received so far to the list; with `until`, wait
 * for that payload first (the writer's marker after its writes). */
static void take_notifications(struct console *k, const char *until)
{
	for (int waited = 0; waited < 50; waited++) {
		PQconsumeInput(k->c);
		PGnotify *n;
		int seen = 0;
		while ((n = PQnotifies(k->c)) != NULL) {
			if (until && !strcmp(n->extra, until))
				seen = 1;
			else if (strncmp(n->extra, "sync:", 5) != 0) {
				struct notify_change c;
				notify_parse(n->extra, &c);
				waiting_note(&k->w, &c, k->team, k->me);
			}
			PQfreemem(n);
		}
		if (!until || seen)
			return;
		struct pollfd p = {PQsocket(k->c), POLLIN, 0};
		poll(&p, 1, 100);
	}
	printf("    %s never arrived\n", until);
}

/* What the console does at its next re-read, until nothing is left. */
static int catch_up(struct console *k)
{
	char err[512];
	for (int round = 0; round < 10; round++) {
		struct db_stmt st;
		PGresult *r;
		struct waiting_list fresh;
		switch (waiting_catch_up(&k->w, &st)) {
		case WAITING_NOTHING:
			k->kept++;
			return 0;
		case WAITING_READ:
			k->reads++;
			r = db_exec(k->c, finder_waiting_sql, 0, NULL, err, sizeof err);
			if (!r || finder_waiting_read(r, &fresh) < 0) {
				printf("    whole read: %s\n", err);
				PQclear(r);
				return -1;
			}
			waiting_adopt(&k->w, &fresh);
			PQclear(r);
			break;
		case WAITING_FETCH:
			k->fetches++;
			r = db_exec(k->c, st.sql, st.nparams, st.params, err, sizeof err);
			if (!r) {
				printf("    read by key: %s\n", err);
				return -1;
			}
			waiting_fetched(&k->w, r);
			PQclear(r);
			break;
		}
	}
	printf("    catching up does not end\n");
	return -1;
}

/* The list against a fresh read: same rows, same order, same contents. */
static int equals_fresh(struct console *k)
{
	char err[512];
	PGresult *r = db_exec(k->c, finder_waiting_sql, 0, NULL, err, sizeof err);
	struct waiting_list fresh;
	if (!r || finder_waiting_read(r, &fresh) < 0) {
		PQclear(r);
		return 0;
	}
	PQclear(r);
	const struct waiting_list *l = &k->w.list;
	int same = l->n == fresh.n;
	for (int i = 0; same && i < l->n; i++) {
		const struct waiting_handoff *x = &l->v[i], *y = &fresh.v[i];
		same = !strcmp(x->id, y->id) && x->open == y->open && x->version == y->version &&
		       x->created_us == y->created_us && !strcmp(x->to_team, y->to_team) &&
		       !x->to_staff == !y->to_staff && (!x->to_staff || !strcmp(x->to_staff, y->to_staff)) &&
		       !strcmp(x->customer, y->customer) && !strcmp(x->note, y->note);
		if (!same)
			printf("    row %d: %s (%s) where a fresh read has %s (%s)\n", i, x->id,
			       x->open ? "open" : "acknowledged", y->id, y->open ? "open" : "acknowledged");
	}
	if (l->n != fresh.n)
		printf("    %d rows where a fresh read has %d\n", l->n, fresh.n);
	k->full_seen += fresh.n == WAITING_LIMIT;
	k->partial_seen += fresh.n < WAITING_LIMIT;
	finder_waiting_free(&fresh);
	return same;
}

/* A small deterministic generator: the same writes on every run. */
static unsigned long long rng = 88172645463325252ULL;
static int pick(int n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (int)(rng % (unsigned long long)n);
}

/* 1 if an itest_value answer is the 1 a write returns, else 0 (said). */
static int said(const char *v)
{
	if (v[0] == '1')
		return 1;
	printf("    %s\n", v);
	return 0;
}

/* Someone to hand off to: the console's team or person, or others'. */
static void receiver(char *team, char *staff, size_t n)
{
	static const char *const to[][2] = {
		{"success", ""}, {"success", "ben"}, {"success", "lukasz"}, {"support", ""},
		{"support", "ana"}, {"onboarding", ""}, {"success", "ben"}, {"success", ""}};
	int i = pick(8);
	snprintf(team, n, "%s", to[i][0]);
	snprintf(staff, n, "%s", to[i][1]);
}

/* An active handoff (open or acknowledged) chosen by the server's seeded
 * random(); "" when there is none of that state. */
static const char *some_handoff(const char *states)
{
	return itest_valuef(su, "SELECT id FROM handoff WHERE state = ANY ('%s'::text[])"
	                        " AND to_team IN ('success', 'support', 'onboarding')"
	                        " ORDER BY random() LIMIT 1", states);
}

/* One write by another session, in the ways Baton's functions and an
 * import write them (as the superuser: the triggers speak, whoever
 * writes). */
static int write_one(int k)
{
	char team[33], staff[64], id[40];
	switch (pick(10)) {
	case 0:
	case 1:
	case 2:
		receiver(team, staff, sizeof team);
		/* Anywhere in the order: older than much of the list, or new. */
		/* Urgent ones come first, wherever their time puts them (085). */
		return itest_valuef(su, "INSERT INTO handoff (id, customer_id, from_team, to_team, to_staff,"
		                        " reason, priority, note, created_at, ack_due_at) VALUES (gen_random_uuid(),"
		                        " %d, 'marketing', '%s', nullif('%s', '')::name, 'question', '%s', 'live %d',"
		                        " now() - make_interval(mins => %d), now() + interval '1 day')"
		                        " RETURNING 1", 1 + pick(5), team, staff, pick(4) ? "normal" : "urgent", k,
		                        pick(3) ? pick(60 * 24 * 60) : 0)[0] == '1';
	case 3:
		snprintf(id, sizeof id, "%.36s", some_handoff("{open}"));
		return !id[0] || itest_valuef(su, "UPDATE handoff SET state = 'acknowledged',"
		                                  " acknowledged_at = now(), acknowledged_by = 'ben',"
		                                  " version = version + 1 WHERE id = '%s' RETURNING 1", id)[0] == '1';
	case 4:
		snprintf(id, sizeof id, "%.36s", some_handoff("{acknowledged}"));
		return !id[0] || itest_valuef(su, "UPDATE handoff SET state = 'resolved', closed_at = now(),"
		                                  " closed_by = 'ben', version = version + 1"
		                                  " WHERE id = '%s' RETURNING 1", id)[0] == '1';
	case 5:
		snprintf(id, sizeof id, "%.36s", some_handoff("{open,acknowledged}"));
		return !id[0] || itest_valuef(su, "UPDATE handoff SET state = 'cancelled', closed_at = now(),"
		                                  " closed_by = 'ben', version = version + 1"
		                                  " WHERE id = '%s' RETURNING 1", id)[0] == '1';
	case 6:
		snprintf(id, sizeof id, "%.36s", some_handoff("{open,acknowledged}"));
		receiver(team, staff, sizeof team);
		return !id[0] || itest_valuef(su, "UPDATE handoff SET to_team = '%s',"
		                                  " to_staff = nullif('%s', '')::name, state = 'open',"
		                                  " acknowledged_at = NULL, acknowledged_by = NULL,"
		                                  " version = version + 1 WHERE id = '%s' RETURNING 1",
		                              team, staff, id)[0] == '1';
	case 7:
		snprintf(id, sizeof id, "%.36s", some_handoff("{open,acknowledged}"));
		return !id[0] || itest_valuef(su, "INSERT INTO handoff_event (id, handoff_id, kind, comment, actor)"
		                                  " VALUES (gen_random_uuid(), '%s', 'commented', 'seen', 'ben')"
		                                  " RETURNING 1", id)[0] == '1';
	case 8:
		/* Gone with its customer (ON DELETE CASCADE), or by hand: one
		 * without events (their history is append-only). */
		snprintf(id, sizeof id, "%.36s",
		         itest_value(su, "SELECT id FROM handoff h WHERE state IN ('open', 'acknowledged')"
		                         " AND to_team IN ('success', 'support') AND NOT EXISTS (SELECT 1"
		                         " FROM handoff_event e WHERE e.handoff_id = h.id)"
		                         " ORDER BY random() LIMIT 1"));
		return !id[0] || said(itest_valuef(su, "DELETE FROM handoff WHERE id = '%s' RETURNING 1", id));
	default:
		/* Several steps in one transaction: their notifications arrive
		 * together at its commit, in order. */
		snprintf(id, sizeof id, "%.36s", some_handoff("{open}"));
		receiver(team, staff, sizeof team);
		return !id[0] ||
		       (itest_ok(su, "BEGIN") &&
		        itest_valuef(su, "UPDATE handoff SET state = 'acknowledged', acknowledged_at = now(),"
		                         " acknowledged_by = 'ben', version = version + 1 WHERE id = '%s'"
		                         " RETURNING 1", id)[0] == '1' &&
		        itest_valuef(su, "UPDATE handoff SET to_team = '%s', to_staff = nullif('%s', '')::name,"
		                         " state = 'open', acknowledged_at = NULL, acknowledged_by = NULL,"
		                         " version = version + 1 WHERE id = '%s' RETURNING 1",
		                     team, staff, id)[0] == '1' &&
		        itest_ok(su, "COMMIT"));
	}
}

/* Writes in rounds; now and then the console catches up on what has come
 * so far (its reads by key then see later writes than the notifications
 * it has handled), and at the end of each round with everything, and
 * then its list must equal a fresh read. */
static int run_rounds(struct console *k, int rounds, int *written)
{
	int unequal = 0;
	for (int r = 0; r < rounds; r++) {
		for (int i = 0; i < 8; i++) {
			if (!write_one((*written)++))
				return -1;
			if (pick(3) == 0) {
				take_notifications(k, NULL);
				if (catch_up(k) < 0)
					return -1;
			}
		}
		char sync[32];
		snprintf(sync, sizeof sync, "sync:%d", *written);
		const char *p[1] = {sync};
		PQclear(PQexecParams(su, "SELECT pg_notify('baton', $1)", 1, NULL, p, NULL, NULL, 0));
		take_notifications(k, sync);
		if (catch_up(k) < 0)
			return -1;
		unequal += !equals_fresh(k);
	}
	return unequal;
}

static void test_patched_list_equals_a_fresh_read(void)
{
	struct console k = {.c = itest_connect(db, "ben"), .team = "success", .me = "ben"};
	waiting_live_init(&k.w);
	CHECK(itest_ok(k.c, "LISTEN baton"));
	CHECK(itest_ok(su, "SELECT setseed(0.25)"));
	int written = 0;
	CHECK(catch_up(&k) == 0 && equals_fresh(&k));
	/* A short list first: every change for Success shows. */
	CHECK(run_rounds(&k, 12, &written) == 0);
	int reads_short = k.reads;
	/* Then a full one: 150 older handoffs for Success, one bulk insert
	 * (whose notifications name no handoff: a whole read). */
	CHECK(itest_ok(su, "INSERT INTO handoff (id, customer_id, from_team, to_team, reason, priority,"
	                   " note, created_at, ack_due_at) SELECT gen_random_uuid(), 1 + g % 5, 'support',"
	                   " 'success', 'question', CASE WHEN g % 10 = 0 THEN 'urgent' ELSE 'normal' END,"
	                   " 'old ' || g, now() - interval '30 days'"
	                   " - make_interval(mins => g), now() + interval '1 day'"
	                   " FROM generate_series(1, 150) g"));
	CHECK(run_rounds(&k, 30, &written) == 0);
	printf("    %d writes: %d whole reads, %d reads by key, %d catch-ups without a read;"
	       " compared %d times full, %d times not\n", written, k.reads, k.fetches, k.kept,
	       k.full_seen, k.partial_seen);
	/* Both shapes were compared, and each way of catching up was taken. */
	CHECK(k.full_seen > 0 && k.partial_seen > 0);
	CHECK(k.fetches > 0 && k.kept > 0);
	/* The short list needs only the first whole read; the full one reads
	 * whole only after the bulk write and when a row leaves it. */
	CHECK(reads_short == 1);
	CHECK(k.reads < k.fetches);
	waiting_live_free(&k.w);
	PQfinish(k.c);
}

/* A console that was away (a reconnect) re-reads whole: what it missed is
 * in no notification it will get. */
static void test_missed_notifications_read_whole(void)
{
	struct console k = {.c = itest_connect(db, "ben"), .team = "success", .me = "ben"};
	waiting_live_init(&k.w);
	CHECK(catch_up(&k) == 0 && k.reads == 1);
	CHECK(itest_ok(su, "INSERT INTO handoff (id, customer_id, from_team, to_team, to_staff, reason,"
	                   " note, created_at) VALUES (gen_random_uuid(), 2, 'support', 'success', 'ben',"
	                   " 'question', 'while away', now() - interval '400 days')"));
	/* Not listening: nothing noted, nothing to do, and the list is stale... */
	CHECK(!waiting_due(&k.w));
	CHECK(!equals_fresh(&k));
	/* ...until the reconnect's whole read. */
	waiting_reading(&k.w);
	char err[512];
	PGresult *r = db_exec(k.c, finder_waiting_sql, 0, NULL, err, sizeof err);
	struct waiting_list fresh;
	CHECK(r && finder_waiting_read(r, &fresh) == 0);
	PQclear(r);
	waiting_adopt(&k.w, &fresh);
	CHECK(equals_fresh(&k));
	waiting_live_free(&k.w);
	PQfinish(k.c);
}

/* A burst of more changes than are worth reading one by one (a bulk
 * acknowledge of 70, each its own statement): one whole read. */
static void test_burst_reads_whole(void)
{
	struct console k = {.c = itest_connect(db, "ben"), .team = "success", .me = "ben"};
	waiting_live_init(&k.w);
	CHECK(itest_ok(k.c, "LISTEN baton"));
	CHECK(catch_up(&k) == 0 && k.reads == 1);
	CHECK(itest_ok(su, "DO $$ DECLARE i int; BEGIN FOR i IN 1..70 LOOP"
	                   " INSERT INTO handoff (id, customer_id, from_team, to_team, reason, note,"
	                   " created_at) VALUES (gen_random_uuid(), 3, 'support', 'success', 'question',"
	                   " 'burst ' || i, now() - interval '500 days'); END LOOP; END $$"));
	CHECK(itest_ok(su, "SELECT pg_notify('baton', 'sync:burst')"));
	take_notifications(&k, "sync:burst");
	CHECK(k.w.reread && k.w.npending == WAITING_PENDING_MAX);
	CHECK(catch_up(&k) == 0 && k.reads == 2 && k.fetches == 0);
	CHECK(equals_fresh(&k));
	waiting_live_free(&k.w);
	PQfinish(k.c);
}

int main(void)
{
	db = itest_newdb("baton_demo");
	su = itest_connect(db, NULL);
	RUN(test_patched_list_equals_a_fresh_read);
	RUN(test_missed_notifications_read_whole);
	RUN(test_burst_reads_whole);
	PQfinish(su);
	return check_done();
}
