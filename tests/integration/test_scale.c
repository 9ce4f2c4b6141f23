/* Integration tests for migration 011 on copies of the demo: what change
 * notifications say (whom a handoff concerns), the waiting list built from
 * index ranges, the customer lookup of `baton show`, and presence tied to
 * the database sessions. */
#include "baton/customer.h"
#include "baton/db.h"
#include "baton/finder.h"
#include "baton/notify.h"
#include "baton/presence.h"

#include <libpq-fe.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "itest.h"

static const char *db;
static PGconn *su;

/* The payloads on channel baton that c has received, one per line, in
 * order (waits up to 2 s for the first, then takes what has come). */
static const char *heard(PGconn *c)
{
	static char out[16384];
	size_t len = 0;
	out[0] = '\0';
	for (int waited = 0;; waited++) {
		PQconsumeInput(c);
		PGnotify *n;
		while ((n = PQnotifies(c)) != NULL) {
			int w = snprintf(out + len, sizeof out - len, "%s\n", n->extra);
			if (w > 0 && (size_t)w < sizeof out - len)
				len += (size_t)w;
			PQfreemem(n);
		}
		if (len || waited == 20)
			return out;
		struct pollfd p = {PQsocket(c), POLLIN, 0};
		poll(&p, 1, 100);
	}
}

static int has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	for (const char *p = text; (p = strstr(p, line)) != NULL; p++)
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return 1;
	return 0;
}

/* Takes everything c has been sent so far: a marker is notified last and
 * read back, and what came before it is dropped (notifications arrive in
 * the order their transactions committed). */
static void drain(PGconn *c)
{
	static int n;
	char sql[64], want[32];
	snprintf(want, sizeof want, "sync:%d", ++n);
	snprintf(sql, sizeof sql, "SELECT pg_notify('baton', '%s')", want);
	CHECK(itest_ok(su, sql));
	int got = 0;
	for (int i = 0; i < 10 && !got; i++)
		got = has_line(heard(c), want);
	CHECK(got);
}

/* The line of text that starts with prefix (static; "" if none). */
static const char *line_with(const char *text, const char *prefix)
{
	static char out[512];
	out[0] = '\0';
	for (const char *p = text; (p = strstr(p, prefix)) != NULL; p++)
		if (p == text || p[-1] == '\n') {
			size_t len = strcspn(p, "\n");
			snprintf(out, sizeof out, "%.*s", (int)(len < sizeof out ? len : sizeof out - 1), p);
			return out;
		}
	return out;
}

#define H1 "11111111-1111-4111-8111-111111111111"

/* Migration 017: each handoff a statement wrote, by id, with what it is
 * now and its place in the waiting list's order; whom it was for before
 * a reassignment; a comment told apart from a change of the row. */
static void test_handoff_notifications_say_whom(void)
{
	PGconn *l = itest_connect(db, NULL), *ana = itest_connect(db, "ana"),
	       *lee = itest_connect(db, "lee");
	CHECK(itest_ok(l, "LISTEN baton"));
	CHECK(itest_ok(ana, "SELECT * FROM baton_handoff_create('" H1 "',"
	              " gen_random_uuid(), 4, 'success', 'ben', 'escalation', 'high', NULL, 'n1')"));
	const char *h = heard(l);
	const char *line = line_with(h, "handoff:4:success:ben:::" H1 ":open:");
	CHECK(line[0] != '\0');
	struct notify_change c;
	notify_parse(line, &c);
	CHECK(c.kind == NOTIFY_HANDOFF && c.row_changed && !strcmp(c.handoff, H1));
	CHECK_STR(c.state, "open");
	char us[32];
	snprintf(us, sizeof us, "%lld", c.created_us);
	CHECK_STR(itest_value(su, "SELECT (extract(epoch FROM created_at) * 1000000)::bigint"
	                          " FROM handoff WHERE id = '" H1 "'"), us);
	CHECK(has_line(h, "customer:4")); /* still said, for whoever reads only that */
	/* Reassigned by Success's lead to Support as a team: whom it was for
	 * before comes along, so ben's list drops it. */
	CHECK(itest_ok(lee, "SELECT * FROM baton_handoff_step('" H1 "',"
	              " gen_random_uuid(), 'reassigned', NULL, NULL, 'support', NULL)"));
	h = heard(l);
	line = line_with(h, "handoff:4:support::success:ben:" H1 ":open:");
	CHECK(line[0] && strstr(line, ":row"));
	notify_parse(line, &c);
	CHECK(c.kind == NOTIFY_HANDOFF && notify_handoff_for(&c, NULL, "ben"));
	/* A comment changes no handoff row, and still tells its receivers. */
	CHECK(itest_ok(ana, "SELECT * FROM baton_handoff_step('" H1 "',"
	              " gen_random_uuid(), 'commented', 'on it', NULL)"));
	h = heard(l);
	line = line_with(h, "handoff:4:support::::" H1 ":open:");
	CHECK(line[0] && strstr(line, ":comment"));
	notify_parse(line, &c);
	CHECK(c.kind == NOTIFY_HANDOFF && !c.row_changed);
	/* An acknowledgement: the receivers, no previous team. */
	CHECK(itest_ok(ana, "SELECT * FROM baton_handoff_step('" H1 "',"
	              " gen_random_uuid(), 'acknowledged', NULL, NULL)"));
	h = heard(l);
	CHECK(line_with(h, "handoff:4:support::::" H1 ":acknowledged:")[0] != '\0');
	CHECK(strstr(h, "handoff:4:support::success") == NULL);
	/* A write of a few rows names each. */
	CHECK(itest_ok(su, "INSERT INTO handoff (id, customer_id, from_team, to_team, reason, note)"
	             " SELECT gen_random_uuid(), 5, 'support', 'marketing', 'question', 'few ' || g"
	             " FROM generate_series(1, 30) g"));
	h = heard(l);
	int n = 0;
	for (const char *p = h; (p = strstr(p, "handoff:5:marketing:::")) != NULL; p++)
		n++;
	CHECK(n == 30);
	/* A bulk write (an import) of more than 100 tells each target once,
	 * as 011 did: no id, so consoles re-read. */
	CHECK(itest_ok(su, "INSERT INTO handoff (id, customer_id, from_team, to_team, reason, note)"
	             " SELECT gen_random_uuid(), 5, 'support', 'marketing', 'question', 'bulk ' || g"
	             " FROM generate_series(1, 101) g"));
	h = heard(l);
	n = 0;
	for (const char *p = h; (p = strstr(p, "handoff:5:marketing:")) != NULL; p++)
		n++;
	CHECK(n == 1 && has_line(h, "handoff:5:marketing:"));
	notify_parse("handoff:5:marketing:", &c);
	CHECK(c.kind == NOTIFY_HANDOFF && c.handoff[0] == '\0');
	PQfinish(l);
	PQfinish(ana);
	PQfinish(lee);
}

static int lines_of(const char *text, const char *line)
{
	int n = 0;
	size_t len = strlen(line);
	for (const char *p = text; (p = strstr(p, line)) != NULL; p++)
		if ((p == text || p[-1] == '\n') && p[len] == '\n')
			n++;
	return n;
}

/* A write to a customer's data, by any client, tells every console
 * "customer:ID" once per customer it touched, whatever the number of rows:
 * new rows, rows moved to another customer (both customers), deleted rows,
 * the customer row itself; a statement that changes nothing says nothing. */
static void test_customer_writes_said_once_per_customer(void)
{
	PGconn *l = itest_connect(db, NULL);
	CHECK(itest_ok(l, "LISTEN baton"));
	CHECK(itest_ok(su, "INSERT INTO ticket (customer_id, subject) SELECT 1 + g % 3, 'said ' || g"
	                   " FROM generate_series(1, 30) g"));
	const char *h = heard(l);
	CHECK(lines_of(h, "customer:1") == 1 && lines_of(h, "customer:2") == 1 &&
	      lines_of(h, "customer:3") == 1);
	CHECK(lines_of(h, "customer:4") == 0);
	/* A move tells the customer left as well as the one joined (056). */
	CHECK(itest_ok(su, "UPDATE ticket SET customer_id = 4 WHERE subject = 'said 1'"));
	h = heard(l);
	CHECK(lines_of(h, "customer:4") == 1 && lines_of(h, "customer:2") == 1);
	CHECK(lines_of(h, "customer:1") == 0 && lines_of(h, "customer:3") == 0);
	CHECK(itest_ok(su, "UPDATE milestone SET customer_id = 6, position = 1000"
	                   " WHERE id = (SELECT min(id) FROM milestone WHERE customer_id = 1)"));
	h = heard(l);
	CHECK(lines_of(h, "customer:1") == 1 && lines_of(h, "customer:6") == 1);
	CHECK(itest_ok(su, "UPDATE marketing_event SET customer_id = 6"
	                   " WHERE id = (SELECT min(id) FROM marketing_event WHERE customer_id = 1)"));
	h = heard(l);
	CHECK(lines_of(h, "customer:1") == 1 && lines_of(h, "customer:6") == 1);
	/* Contacts (the header's) and survey answers, written and moved. */
	CHECK(itest_ok(su, "INSERT INTO contact (customer_id, name) VALUES (7, 'said contact')"));
	CHECK(lines_of(heard(l), "customer:7") == 1);
	CHECK(itest_ok(su, "UPDATE contact SET customer_id = 8 WHERE name = 'said contact'"));
	h = heard(l);
	CHECK(lines_of(h, "customer:7") == 1 && lines_of(h, "customer:8") == 1);
	CHECK(itest_ok(su, "UPDATE survey_response SET score = score"
	                   " WHERE id = (SELECT min(id) FROM survey_response WHERE customer_id = 1)"));
	CHECK(lines_of(heard(l), "customer:1") == 1);
	/* A delete tells the customer the row was on. */
	CHECK(itest_ok(su, "DELETE FROM contact WHERE name = 'said contact'"));
	CHECK(lines_of(heard(l), "customer:8") == 1);
	CHECK(itest_ok(su, "DELETE FROM ticket WHERE subject = 'said 1'"));
	CHECK(lines_of(heard(l), "customer:4") == 1);
	CHECK(itest_ok(su, "UPDATE customer SET plan = plan WHERE id = 5"));
	h = heard(l);
	CHECK(lines_of(h, "customer:5") == 1);
	CHECK(itest_ok(su, "UPDATE ticket SET subject = subject WHERE false"));
	CHECK_STR(heard(l), "");
	PQfinish(l);
}

#define H3 "33333333-3333-4333-8333-333333333333"
#define H4 "44444444-4444-4444-8444-444444444444"

/* Migration 063: the survivor's screen shows what stays on an absorbed
 * customer (its handoffs and notes, read through the group), so a write
 * there tells the survivor too; a merge and an un-merge by hand tell
 * both.  Customer 10 is absorbed into 11 for this test only; its handoff
 * to Success (append-only events: it stays) is open again at the end. */
static void test_absorbed_customer_writes_tell_survivor(void)
{
	PGconn *l = itest_connect(db, NULL), *ana = itest_connect(db, "ana");
	CHECK(itest_ok(l, "LISTEN baton"));
	CHECK(itest_ok(ana, "SELECT * FROM baton_handoff_create('" H3 "',"
	              " gen_random_uuid(), 10, 'success', NULL, 'question', 'normal', NULL, 'on B')"));
	drain(l);
	CHECK(itest_ok(su, "UPDATE customer SET merged_into = 11 WHERE id = 10"));
	const char *h = heard(l);
	CHECK(lines_of(h, "customer:10") == 1 && lines_of(h, "customer:11") == 1);
	/* A note, and its correction, on the absorbed customer. */
	CHECK(itest_ok(ana, "SELECT * FROM baton_note_add(gen_random_uuid(), 10, 'note', 'on B')"));
	h = heard(l);
	CHECK(lines_of(h, "customer:10") == 1 && lines_of(h, "customer:11") == 1);
	CHECK(itest_ok(ana, "SELECT * FROM baton_note_add(gen_random_uuid(), 10, 'note', 'on B, fixed',"
	                    " NULL, NULL, (SELECT max(id) FROM success_note WHERE customer_id = 10))"));
	h = heard(l);
	CHECK(lines_of(h, "customer:10") == 1 && lines_of(h, "customer:11") == 1);
	/* A comment: its handoff payload as before, and the survivor. */
	CHECK(itest_ok(ana, "SELECT * FROM baton_handoff_step('" H3 "',"
	              " gen_random_uuid(), 'commented', 'seen from A', NULL)"));
	h = heard(l);
	CHECK(line_with(h, "handoff:10:success::::" H3 ":open:")[0] != '\0');
	CHECK(lines_of(h, "customer:11") == 1);
	/* A comment written by hand, no function around it. */
	CHECK(itest_ok(su, "INSERT INTO handoff_event (id, handoff_id, kind, comment)"
	                   " VALUES (gen_random_uuid(), '" H3 "', 'commented', 'by hand')"));
	h = heard(l);
	CHECK(lines_of(h, "customer:11") == 1 && line_with(h, "handoff:10:")[0] != '\0');
	/* The handoff row itself, acknowledged by hand. */
	CHECK(itest_ok(su, "UPDATE handoff SET state = 'acknowledged', acknowledged_at = now(),"
	                   " acknowledged_by = 'ana' WHERE id = '" H3 "'"));
	CHECK(lines_of(heard(l), "customer:11") == 1);
	/* One inserted and deleted by hand (no events: it can go). */
	CHECK(itest_ok(su, "INSERT INTO handoff (id, customer_id, from_team, to_team, reason, note)"
	                   " VALUES ('" H4 "', 10, 'support', 'success', 'question', 'by hand')"));
	CHECK(lines_of(heard(l), "customer:11") == 1);
	CHECK(itest_ok(su, "DELETE FROM handoff WHERE id = '" H4 "'"));
	h = heard(l);
	CHECK(lines_of(h, "customer:11") == 1 && line_with(h, "handoff:10:")[0] != '\0');
	/* Un-merged by hand: both told, and the survivor no more after that. */
	CHECK(itest_ok(su, "UPDATE customer SET merged_into = NULL WHERE id = 10"));
	h = heard(l);
	CHECK(lines_of(h, "customer:10") == 1 && lines_of(h, "customer:11") == 1);
	CHECK(itest_ok(ana, "SELECT * FROM baton_note_add(gen_random_uuid(), 10, 'note', 'on B alone')"));
	h = heard(l);
	CHECK(lines_of(h, "customer:10") == 1 && lines_of(h, "customer:11") == 0);
	CHECK(itest_ok(su, "UPDATE handoff SET state = 'open', acknowledged_at = NULL,"
	                   " acknowledged_by = NULL WHERE id = '" H3 "'"));
	h = heard(l);
	CHECK(line_with(h, "handoff:10:")[0] != '\0' && strstr(h, "customer:11") == NULL);
	/* A customer nobody absorbed: only itself. */
	CHECK(itest_ok(su, "INSERT INTO ticket (customer_id, subject) VALUES (12, 'alone')"));
	CHECK_STR(heard(l), "customer:12\n");
	/* An absorbed customer deleted by hand: itself and its survivor. */
	CHECK(itest_ok(su, "INSERT INTO customer (id, name, merged_into) VALUES (9001, 'gone soon', 11)"));
	drain(l);
	CHECK(itest_ok(su, "DELETE FROM customer WHERE id = 9001"));
	h = heard(l);
	CHECK(lines_of(h, "customer:9001") == 1 && lines_of(h, "customer:11") == 1);
	PQfinish(ana);
	PQfinish(l);
}

/* The waiting list against the plain definition: of the handoffs open or
 * acknowledged for the person or their team, open first, urgent first,
 * oldest first, the first 100; also a handoff to the person in a team
 * they left (urgent, and the oldest: the first). */
static void test_waiting_list_is_the_first_hundred(void)
{
	PGconn *ana = itest_connect(db, "ana");
	CHECK(itest_ok(su, "INSERT INTO handoff (id, customer_id, from_team, to_team, to_staff, reason, note,"
	             " priority, state, created_at, acknowledged_at, ack_due_at)"
	             " SELECT gen_random_uuid(), 1 + g % 9, 'success', 'support',"
	             "  CASE WHEN g % 3 = 0 THEN 'ana' END, 'question', 'many ' || g,"
	             "  CASE WHEN g % 11 = 0 THEN 'urgent' ELSE 'normal' END,"
	             "  CASE WHEN g % 2 = 0 THEN 'acknowledged' ELSE 'open' END,"
	             "  now() - make_interval(mins => g),"
	             "  CASE WHEN g % 2 = 0 THEN now() END, now()"
	             " FROM generate_series(1, 260) g"));
	/* ana's own handoff from the time she was in Onboarding. */
	CHECK(itest_ok(su, "INSERT INTO handoff (id, customer_id, from_team, to_team, to_staff, reason, note,"
	             " priority, created_at) VALUES ('22222222-2222-4222-8222-222222222222', 3, 'success',"
	             " 'onboarding', 'ana', 'question', 'old team', 'urgent', now() - interval '400 days')"));
	char err[512] = "";
	PGresult *r = db_exec(ana, finder_waiting_sql, 0, NULL, err, sizeof err);
	CHECK(r != NULL);
	PGresult *want = PQexec(su, "SELECT h.id FROM handoff h WHERE h.state IN ('open', 'acknowledged')"
	                            " AND (h.to_staff = 'ana' OR h.to_team = 'support')"
	                            " ORDER BY h.state = 'acknowledged', h.priority <> 'urgent', h.created_at, h.id"
	                            " LIMIT 100");
	CHECK(PQntuples(want) == 100);
	int same = r && PQntuples(r) == PQntuples(want);
	for (int i = 0; same && i < PQntuples(want); i++)
		same = !strcmp(PQgetvalue(r, i, W_ID), PQgetvalue(want, i, 0));
	CHECK(same);
	CHECK(r && PQntuples(r) > 0 && !strcmp(PQgetvalue(r, 0, W_ID),
	                                       "22222222-2222-4222-8222-222222222222"));
	PQclear(want);
	PQclear(r);
	PQfinish(ana);
}

static int resolve(PGconn *c, const char *what, long long *id)
{
	char err[512] = "", *cand = NULL;
	*id = 0;
	int n = cv_resolve(c, what, id, &cand, err, sizeof err);
	if (n < 0)
		printf("    resolve '%s': %s\n", what, err);
	free(cand);
	return n;
}

/* Each kind of key, the first kind that matches wins, and a person limited
 * to some segments resolves none of the others' customers by any key. */
static void test_resolve_each_kind_and_scope(void)
{
	PGconn *ana = itest_connect(db, "ana");
	long long id;
	CHECK(resolve(ana, "#4", &id) == 1 && id == 4);
	CHECK(resolve(ana, "crm:CRM-00123", &id) == 1 && id == 1);
	CHECK(resolve(ana, "crm-00123", &id) == 1 && id == 1);
	CHECK(resolve(ana, "NSL.example", &id) == 1 && id == 4);
	CHECK(resolve(ana, "  ", &id) == 0);
	/* A customer named like another's id: the id comes first. */
	CHECK(itest_ok(su, "INSERT INTO customer (name, domain) VALUES ('4', 'four.example')"));
	CHECK(resolve(ana, "4", &id) == 1 && id == 4);
	/* Folded whole name: case and accents do not matter. */
	CHECK(resolve(ana, "CAFE LUMIERE", &id) == 1 && id == 2);
	/* A scope: only SMB customers (Café Lumière is one, Northwind not). */
	CHECK(itest_ok(su, "CREATE ROLE scale_smb LOGIN IN ROLE baton_staff"));
	CHECK(itest_ok(su, "INSERT INTO staff (role_name, display_name, team_id, scope)"
	             " VALUES ('scale_smb', 'Scoped', 'support', '{smb}')"));
	PGconn *smb = itest_connect(db, "scale_smb");
	static const char *const northwind[] = {"1", "#1", "CRM-00123", "nwh.example",
	                                        "dana.whitfield@nwh.example", "Northwind Health",
	                                        "northwind"};
	int seen = 0, ids = 0;
	for (size_t i = 0; i < sizeof northwind / sizeof *northwind; i++) {
		seen += resolve(smb, northwind[i], &id) != 0;
		/* Not even the id comes back from the lookup itself. */
		const char *p[1] = {northwind[i]};
		PGresult *r = PQexecParams(smb, "SELECT count(*) FROM baton_resolve($1)", 1, NULL, p,
		                           NULL, NULL, 0);
		ids += PQresultStatus(r) != PGRES_TUPLES_OK || strcmp(PQgetvalue(r, 0, 0), "0") != 0;
		PQclear(r);
	}
	CHECK(seen == 0);
	CHECK(ids == 0);
	CHECK(resolve(smb, "cafe-lumiere.example", &id) == 1 && id == 2);
	PQfinish(smb);
	PQfinish(ana);
}

/* Who else is here, as the console reads it: set, here, and the text. */
static int presence(PGconn *c, const char *sql, char *text, size_t n)
{
	PGresult *r = PQexec(c, sql);
	int k = presence_text(r, text, n);
	if (k < 0)
		printf("    %s: %s", sql, PQresultErrorMessage(r));
	PQclear(r);
	return k;
}

static void test_presence_follows_sessions(void)
{
	PGconn *l = itest_connect(db, NULL), *ana = itest_connect(db, "ana"),
	       *ben = itest_connect(db, "ben"), *mia = itest_connect(db, "mia");
	char who[256];
	CHECK(itest_ok(l, "LISTEN baton"));
	drain(l);
	CHECK(presence(ana, "SELECT * FROM baton_presence_set(1)", who, sizeof who) == 0);
	CHECK(has_line(heard(l), "presence:1"));
	CHECK(presence(ben, "SELECT * FROM baton_presence_set(1)", who, sizeof who) == 1);
	CHECK_STR(who, "ana (Support)");
	CHECK(presence(mia, "SELECT * FROM baton_presence_set(1)", who, sizeof who) == 2);
	CHECK_STR(who, "ana (Support), ben (Success)");
	CHECK(presence(ana, "SELECT * FROM baton_presence_here(1)", who, sizeof who) == 2);
	CHECK_STR(who, "ben (Success), mia (Marketing)");
	/* Too little room: whole entries, then how many more. */
	CHECK(presence(ana, "SELECT * FROM baton_presence_here(1)", who, 20) == 2);
	CHECK_STR(who, "ben (Success) +1");
	/* Saying it again changes nothing and tells nobody. */
	drain(l);
	CHECK(presence(ben, "SELECT * FROM baton_presence_set(1)", who, sizeof who) == 2);
	CHECK(heard(l)[0] == '\0');
	/* Mia moves on: both customers are told. */
	CHECK(presence(mia, "SELECT * FROM baton_presence_set(2)", who, sizeof who) == 0);
	const char *h = heard(l);
	CHECK(has_line(h, "presence:1") && has_line(h, "presence:2"));
	CHECK(presence(mia, "SELECT * FROM baton_presence_set(1)", who, sizeof who) == 2);
	/* Ben's session ends without a word: he is gone once his backend is. */
	PQfinish(ben);
	int left = -1;
	for (int i = 0; i < 50 && left != 1; i++) {
		left = presence(ana, "SELECT * FROM baton_presence_here(1)", who, sizeof who);
		if (left != 1)
			poll(NULL, 0, 100);
	}
	CHECK(left == 1);
	CHECK_STR(who, "mia (Marketing)");
	/* Someone limited to SMB learns nothing about Northwind's viewers. */
	CHECK(itest_ok(su, "CREATE ROLE scale_smb2 LOGIN IN ROLE baton_staff"));
	CHECK(itest_ok(su, "INSERT INTO staff (role_name, display_name, team_id, scope)"
	             " VALUES ('scale_smb2', 'Scoped', 'support', '{smb}')"));
	PGconn *smb = itest_connect(db, "scale_smb2");
	CHECK(presence(smb, "SELECT * FROM baton_presence_here(1)", who, sizeof who) == 0);
	CHECK(strstr(itest_value(smb, "SELECT * FROM baton_presence_set(1)"), "unknown customer 1"));
	CHECK(strstr(itest_value(smb, "SELECT count(*) FROM baton_presence"), "permission denied"));
	/* Not on the staff: no presence at all. */
	CHECK(strstr(itest_value(su, "SELECT * FROM baton_presence_set(1)"), "not an active staff"));
	PQfinish(smb);
	PQfinish(mia);
	PQfinish(ana);
	PQfinish(l);
}

/* Behind a pooler (migration 067) the backend outlives the console: an
 * entry counts while its session holds the presence lock, which the
 * pooler's reset (DISCARD ALL) releases, and while it was said in the
 * last 90 s. */
static void test_presence_ends_with_the_client(void)
{
	PGconn *l = itest_connect(db, NULL), *ana = itest_connect(db, "ana"),
	       *ben = itest_connect(db, "ben");
	char who[256];
	CHECK(itest_ok(l, "LISTEN baton"));
	CHECK(presence(ana, "SELECT * FROM baton_presence_set(3)", who, sizeof who) == 0);
	CHECK(presence(ben, "SELECT * FROM baton_presence_set(3)", who, sizeof who) == 1);
	CHECK(presence(ana, "SELECT * FROM baton_presence_here(3)", who, sizeof who) == 1);
	CHECK_STR(who, "ben (Success)");
	/* Said again: held once, not once per call. */
	CHECK(presence(ben, "SELECT * FROM baton_presence_set(3)", who, sizeof who) == 1);
	CHECK_STR(itest_value(ben, "SELECT pg_advisory_unlock(9011, pg_backend_pid())"), "t");
	CHECK(presence(ana, "SELECT * FROM baton_presence_here(3)", who, sizeof who) == 0);
	CHECK(presence(ben, "SELECT * FROM baton_presence_set(3)", who, sizeof who) == 1);
	CHECK(presence(ana, "SELECT * FROM baton_presence_here(3)", who, sizeof who) == 1);
	/* The pooler hands ben's server session to its next client: reset,
	 * the same backend, and ben is no longer here. */
	const char *pid = itest_value(ben, "SELECT pg_backend_pid()");
	char *was = strdup(pid);
	CHECK(itest_ok(ben, "DISCARD ALL"));
	CHECK_STR(itest_value(ben, "SELECT pg_backend_pid()"), was);
	free(was);
	CHECK(presence(ana, "SELECT * FROM baton_presence_here(3)", who, sizeof who) == 0);
	/* Saying it again brings him back, and the customer's viewers hear. */
	drain(l);
	CHECK(presence(ben, "SELECT * FROM baton_presence_set(3)", who, sizeof who) == 1);
	CHECK(has_line(heard(l), "presence:3"));
	CHECK(presence(ana, "SELECT * FROM baton_presence_here(3)", who, sizeof who) == 1);
	/* Silent for longer than 90 s (a console gone where its session
	 * stays): no longer here, though its session still holds the lock. */
	CHECK(itest_ok(su, "UPDATE baton_presence SET seen = now() - interval '91 seconds'"
	                   " WHERE role_name = 'ben'"));
	CHECK(presence(ana, "SELECT * FROM baton_presence_here(3)", who, sizeof who) == 0);
	/* The next word of anyone's sweeps it, telling the customer's viewers;
	 * ben's refresh brings him back. */
	drain(l);
	CHECK(presence(ana, "SELECT * FROM baton_presence_set(3)", who, sizeof who) == 0);
	CHECK(has_line(heard(l), "presence:3"));
	CHECK_STR(itest_value(su, "SELECT count(*) FROM baton_presence WHERE role_name = 'ben'"), "0");
	CHECK(presence(ben, "SELECT * FROM baton_presence_set(3)", who, sizeof who) == 1);
	CHECK(presence(ana, "SELECT * FROM baton_presence_here(3)", who, sizeof who) == 1);
	/* A refresh moves `seen`, not `since`. */
	CHECK(itest_ok(su, "UPDATE baton_presence SET seen = now() - interval '60 seconds',"
	                   " since = now() - interval '1 hour' WHERE role_name = 'ben'"));
	CHECK(presence(ben, "SELECT * FROM baton_presence_set(3)", who, sizeof who) == 1);
	CHECK_STR(itest_value(su, "SELECT seen > now() - interval '1 minute'"
	                          " AND since < now() - interval '59 minutes'"
	                          " FROM baton_presence WHERE role_name = 'ben'"), "t");
	/* Leaving says so: the row goes, the viewers hear. */
	drain(l);
	CHECK(presence(ben, "SELECT * FROM baton_presence_set(NULL)", who, sizeof who) == 0);
	CHECK(has_line(heard(l), "presence:3"));
	CHECK_STR(itest_value(su, "SELECT count(*) FROM baton_presence WHERE role_name = 'ben'"), "0");
	CHECK(presence(ana, "SELECT * FROM baton_presence_set(NULL)", who, sizeof who) == 0);
	PQfinish(ben);
	PQfinish(ana);
	PQfinish(l);
}

/* Every Baton session runs without JIT (compiling the queue's and the
 * lookup's statements cost 20-600 ms at full scale, for statements that
 * run in 1-30 ms), with its statement timeout and its client's check. */
static void test_sessions_run_without_jit(void)
{
	char conninfo[256], err[512];
	snprintf(conninfo, sizeof conninfo, "dbname=%s user=ana", db);
	PGconn *c = db_connect(NULL, conninfo, err, sizeof err);
	CHECK(c != NULL);
	if (!c)
		return;
	CHECK_STR(itest_value(c, "SHOW jit"), "off");
	CHECK_STR(itest_value(c, "SHOW statement_timeout"), "15s");
	/* And checks for its client while a statement runs or waits: a
	 * command killed while it waits changes nothing later. */
	CHECK_STR(itest_value(c, "SHOW client_connection_check_interval"), "2s");
	/* The server's default is untouched for everyone else. */
	CHECK_STR(itest_value(su, "SHOW jit"), "on");
	PQfinish(c);
}

int main(void)
{
	db = itest_newdb("baton_demo");
	su = itest_connect(db, NULL);
	RUN(test_handoff_notifications_say_whom);
	RUN(test_customer_writes_said_once_per_customer);
	RUN(test_absorbed_customer_writes_tell_survivor);
	RUN(test_waiting_list_is_the_first_hundred);
	RUN(test_resolve_each_kind_and_scope);
	RUN(test_presence_follows_sessions);
	RUN(test_presence_ends_with_the_client);
	RUN(test_sessions_run_without_jit);
	PQfinish(su);
	return check_done();
}
