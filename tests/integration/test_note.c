/* Integration tests for success notes written back (migration 007,
 * src/note.c): baton_note_add is the only way in for staff, validates
 * every write, is idempotent on the client's id, and history stays
 * append-only (a correction supersedes, the old note stays). */
#include "baton/db.h"
#include "baton/draft.h"
#include "baton/note.h"

#include <libpq-fe.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "itest.h"

#define NORTHWIND 1
#define CAFE 2
/* A Northwind handoff and a ticket of Café Lumière's, from the demo. */
#define NORTHWIND_HANDOFF "6293c178-ae4a-339c-418f-a402dd44efe3"

static PGconn *su, *ana, *ben;

static const char *val(PGconn *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static const char *val(PGconn *c, const char *fmt, ...)
{
	char sql[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(sql, sizeof sql, fmt, ap);
	va_end(ap);
	return itest_value(c, sql);
}

static int is_error(const char *v, const char *words)
{
	int ok = strncmp(v, "ERROR:", 6) == 0 && strstr(v, words) != NULL;
	if (!ok)
		printf("    got: %s\n    want an error with: %s\n", v, words);
	return ok;
}

/* Write n as c through the core's statement: 1 written, 0 a retry, -1
 * refused (err has the server's words). */
static int add(PGconn *c, const struct note_new *n, long long *id, char *err, size_t errlen)
{
	struct note_params st;
	struct db_stmt s;
	note_add_stmt(n, &st, &s);
	PGresult *r = db_exec(c, s.sql, s.nparams, s.params, err, errlen);
	int rc = r ? note_add_read(r, id) : -1;
	PQclear(r);
	return rc;
}

static void fresh(struct note_new *n, long long customer, const char *body)
{
	note_init(n);
	n->customer_id = customer;
	n->body = strdup(body);
}

static void test_written_once_whatever_the_retries(void)
{
	struct note_new n;
	long long id = 0, again = 0;
	char err[512] = "";
	fresh(&n, NORTHWIND, "Sponsor worried about the migration.");
	snprintf(n.kind, sizeof n.kind, "call");
	CHECK(add(ana, &n, &id, err, sizeof err) == 1);
	CHECK(id > 0);
	CHECK(add(ana, &n, &again, err, sizeof err) == 0);
	CHECK(again == id);
	CHECK_STR(val(su, "SELECT count(*) || '|' || min(author) || '|' || min(kind) FROM success_note"
	                  " WHERE client_id = '%s'", n.id), "1|ana|call");
	/* The same id with another text is not the same note. */
	free(n.body);
	n.body = strdup("Sponsor is fine after all.");
	CHECK(add(ana, &n, &again, err, sizeof err) < 0);
	CHECK(strstr(err, "already sent with a different text") != NULL);
	/* The console knows these words: it keeps its text as a new draft. */
	CHECK(draft_sent_otherwise(err));
	/* Nor is it anyone else's to claim. */
	CHECK(add(ben, &n, &again, err, sizeof err) < 0);
	CHECK(strstr(err, "written by someone else") != NULL);
	CHECK(!draft_sent_otherwise(err));
	CHECK_STR(val(su, "SELECT count(*) FROM success_note WHERE client_id = '%s'", n.id), "1");
	note_clear(&n);
}

static void test_links_must_be_the_customers(void)
{
	struct note_new n;
	long long id = 0;
	char err[512] = "";
	const char *cafe_ticket = val(su, "SELECT min(id) FROM ticket WHERE customer_id = %d", CAFE);
	fresh(&n, NORTHWIND, "About the wrong ticket.");
	n.ticket_id = atoll(cafe_ticket);
	CHECK(add(ana, &n, &id, err, sizeof err) < 0);
	CHECK(strstr(err, "is not one of this customer's tickets") != NULL);
	/* Another customer's handoff. */
	note_clear(&n);
	fresh(&n, CAFE, "About the wrong handoff.");
	snprintf(n.handoff_id, sizeof n.handoff_id, "%s", NORTHWIND_HANDOFF);
	CHECK(add(ana, &n, &id, err, sizeof err) < 0);
	CHECK(strstr(err, "is not one of this customer's handoffs") != NULL);
	CHECK_STR(val(su, "SELECT count(*) FROM success_note WHERE body LIKE 'About the wrong%%'"), "0");
	/* The right ones are linked. */
	note_clear(&n);
	fresh(&n, NORTHWIND, "About the handoff.");
	snprintf(n.handoff_id, sizeof n.handoff_id, "%s", NORTHWIND_HANDOFF);
	CHECK(add(ana, &n, &id, err, sizeof err) == 1);
	CHECK_STR(val(su, "SELECT handoff_id FROM success_note WHERE id = %lld", id), NORTHWIND_HANDOFF);
	note_clear(&n);
}

static void test_bad_input_refused_by_the_server(void)
{
	const char *v = val(ana, "SELECT * FROM baton_note_add(gen_random_uuid(), 1, 'tweet', 'hello')");
	CHECK(is_error(v, "unknown kind \"tweet\""));
	v = val(ana, "SELECT * FROM baton_note_add(gen_random_uuid(), 1, 'note', E' \\n ')");
	CHECK(is_error(v, "the note is empty"));
	CHECK_STR(val(su, "SELECT baton_setting_set('max_note_bytes', '64')"), "t");
	v = val(ana, "SELECT * FROM baton_note_add(gen_random_uuid(), 1, 'note', repeat('x', 65))");
	CHECK(is_error(v, "the note is 65 bytes, more than the largest of 64 bytes"));
	CHECK_STR(val(su, "SELECT baton_setting_set('max_note_bytes', '16384')"), "t");
	v = val(ana, "SELECT * FROM baton_note_add(gen_random_uuid(), 999999, 'note', 'nobody')");
	CHECK(is_error(v, "unknown customer 999999"));
}

/* A person limited to some segments writes about those only, in the same
 * words as for a customer that does not exist. */
static void test_out_of_scope_customer_refused(void)
{
	CHECK_STR(val(su, "UPDATE staff SET scope = '{smb}' WHERE role_name = 'ben'"), "");
	const char *v = val(ben, "SELECT * FROM baton_note_add(gen_random_uuid(), %d, 'note', 'peek')",
	                    NORTHWIND);
	CHECK(is_error(v, "unknown customer 1"));
	v = val(ben, "SELECT created FROM baton_note_add(gen_random_uuid(), %d, 'note', 'in scope')", CAFE);
	CHECK_STR(v, "t");
	CHECK_STR(val(su, "UPDATE staff SET scope = NULL, active = false WHERE role_name = 'ben'"), "");
	v = val(ben, "SELECT * FROM baton_note_add(gen_random_uuid(), %d, 'note', 'gone')", CAFE);
	CHECK(is_error(v, "not an active staff member"));
	CHECK_STR(val(su, "UPDATE staff SET active = true WHERE role_name = 'ben'"), "");
	CHECK_STR(val(su, "SELECT count(*) FROM success_note WHERE body IN ('peek', 'gone')"), "0");
}

/* Only through the function; and nobody edits or removes a note. */
static void test_append_only(void)
{
	CHECK(is_error(val(ana, "INSERT INTO success_note (customer_id, body) VALUES (1, 'direct')"),
	               "permission denied"));
	const char *before = val(su, "SELECT count(*) || '|' || sum(length(body)) FROM success_note");
	char was[64];
	snprintf(was, sizeof was, "%s", before);
	CHECK(strncmp(val(ana, "UPDATE success_note SET body = 'rewritten'"), "ERROR:", 6) == 0);
	CHECK(strncmp(val(ana, "DELETE FROM success_note"), "ERROR:", 6) == 0);
	CHECK(is_error(val(su, "UPDATE success_note SET body = 'rewritten'"), "append-only"));
	CHECK(is_error(val(su, "DELETE FROM success_note WHERE customer_id = 1"), "append-only"));
	CHECK_STR(val(su, "SELECT count(*) || '|' || sum(length(body)) FROM success_note"), was);
}

/* A correction is a new note superseding the old, which stays; a note is
 * corrected once (then its correction is), and only by the same customer's. */
static void test_correction_supersedes(void)
{
	struct note_new n, fix;
	long long id = 0, fid = 0;
	char err[512] = "";
	fresh(&n, NORTHWIND, "QBR moved to Dec 3.");
	CHECK(add(ana, &n, &id, err, sizeof err) == 1);
	fresh(&fix, NORTHWIND, "QBR moved to Dec 4 (not 3).");
	fix.supersedes = id;
	CHECK(add(ben, &fix, &fid, err, sizeof err) == 1);
	/* Both are there: the old one as it was, the new one naming it. */
	CHECK_STR(val(su, "SELECT string_agg(coalesce((supersedes = %lld)::text, '-') || ':' || body, ','"
	                  " ORDER BY id) FROM success_note WHERE id IN (%lld, %lld)", id, id, fid),
	          "-:QBR moved to Dec 3.,true:QBR moved to Dec 4 (not 3).");
	note_clear(&fix);
	fresh(&fix, NORTHWIND, "QBR moved to Dec 5.");
	fix.supersedes = id;
	CHECK(add(ana, &fix, &fid, err, sizeof err) < 0);
	CHECK(strstr(err, "was already corrected by note") != NULL);
	note_clear(&fix);
	fresh(&fix, CAFE, "Not Café's note.");
	fix.supersedes = id;
	CHECK(add(ana, &fix, &fid, err, sizeof err) < 0);
	CHECK(strstr(err, "is not one of this customer's notes") != NULL);
	note_clear(&fix);
	note_clear(&n);
}

/* Every open screen of the customer hears of it (channel baton). */
static void test_notifies_the_customers_screens(void)
{
	PGconn *l = itest_connect(PQdb(su), NULL);
	PQclear(PQexec(l, "LISTEN baton"));
	CHECK_STR(val(ana, "SELECT created FROM baton_note_add(gen_random_uuid(), 1, 'note', 'heard')"), "t");
	PQclear(PQexec(l, "SELECT 1")); /* the notification arrives with an answer */
	PQconsumeInput(l);
	PGnotify *nt;
	int heard = 0;
	while ((nt = PQnotifies(l))) {
		heard += !strcmp(nt->relname, "baton") && !strcmp(nt->extra, "customer:1");
		PQfreemem(nt);
	}
	CHECK(heard == 1);
	PQfinish(l);
}

int main(void)
{
	const char *db = itest_newdb("baton_demo");
	su = itest_connect(db, NULL);
	ana = itest_connect(db, "ana");
	ben = itest_connect(db, "ben");
	RUN(test_written_once_whatever_the_retries);
	RUN(test_links_must_be_the_customers);
	RUN(test_bad_input_refused_by_the_server);
	RUN(test_out_of_scope_customer_refused);
	RUN(test_append_only);
	RUN(test_correction_supersedes);
	RUN(test_notifies_the_customers_screens);
	PQfinish(ben);
	PQfinish(ana);
	PQfinish(su);
	return check_done();
}
