/* Integration tests for the handoff lifecycle (migration 002 through the
 * statements of src/handoff.c) and the leads' queue (src/queue.c), as the
 * demo's staff roles on copies of the demo database:
 *   ana (Support agent, author), ben / chloe (Success), lee (Success lead),
 *   sam (Support lead), bjorn (inactive Support staff). */
#include "baton/config.h"
#include "baton/db.h"
#include "baton/draft.h"
#include "baton/handoff.h"
#include "baton/queue.h"

#include <libpq-fe.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "itest.h"

#define NORTHWIND_HANDOFF "6293c178-ae4a-339c-418f-a402dd44efe3"

static const char *db;      /* lifecycle tests */
static const char *qdb;     /* queue tests: the demo untouched */
static PGconn *su, *ana, *ben, *chloe, *lee, *sam;

/* --- helpers ---------------------------------------------------------------- */

static long long num(PGconn *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static const char *val(PGconn *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The first value of a query (printf-style), as a number; -1 on error. */
static long long num(PGconn *c, const char *fmt, ...)
{
	char sql[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(sql, sizeof sql, fmt, ap);
	va_end(ap);
	const char *v = itest_value(c, sql);
	if (strncmp(v, "ERROR", 5) == 0) {
		printf("    %s\n", v);
		return -1;
	}
	return strtoll(v, NULL, 10);
}

static const char *val(PGconn *c, const char *fmt, ...)
{
	char sql[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(sql, sizeof sql, fmt, ap);
	va_end(ap);
	return itest_value(c, sql);
}

static long long events(const char *id)
{
	return num(su, "SELECT count(*) FROM handoff_event WHERE handoff_id = '%s'", id);
}

static long long events_of(const char *id, const char *kind)
{
	char sql[512];
	snprintf(sql, sizeof sql, "SELECT count(*) FROM handoff_event WHERE handoff_id = '%s' AND kind = '%s'",
	         id, kind);
	return strtoll(itest_value(su, sql), NULL, 10);
}

/* A handoff from whoever sends it to Northwind's `team`[:`person`]. */
static void draft(struct handoff_new *h, const char *team, const char *person, const char *note)
{
	if (handoff_init(h) < 0)
		printf("    handoff_init failed\n");
	h->customer_id = 1;
	snprintf(h->customer_name, sizeof h->customer_name, "Northwind Health");
	snprintf(h->to_team, sizeof h->to_team, "%s", team);
	snprintf(h->to_staff, sizeof h->to_staff, "%s", person ? person : "");
	snprintf(h->reason, sizeof h->reason, "escalation");
	snprintf(h->priority, sizeof h->priority, "high");
	h->note = strdup(note);
}

/* Send the create statement; NULL and err on an error. */
static PGresult *create(PGconn *c, const struct handoff_new *h, char *err, size_t n)
{
	struct handoff_params p;
	struct db_stmt s;
	handoff_create_stmt(h, &p, &s);
	err[0] = '\0';
	return db_exec(c, s.sql, s.nparams, s.params, err, n);
}

/* Create, expecting it to work; returns 1 if created = t. */
static int create_ok(PGconn *c, const struct handoff_new *h)
{
	char err[1024];
	PGresult *r = create(c, h, err, sizeof err);
	if (!r) {
		printf("    create failed: %s\n", err);
		return 0;
	}
	int ok = PQntuples(r) == 1 && PQgetvalue(r, 0, 0)[0] == 't';
	PQclear(r);
	return ok;
}

struct answer {
	int ok;          /* the statement ran */
	int done, already;
	char state[32];
	int version;
	char message[512];
	char err[1024];
};

static struct answer answer_of(PGresult *r, const char *err)
{
	struct answer a;
	memset(&a, 0, sizeof a);
	if (!r || PQntuples(r) != 1) {
		snprintf(a.err, sizeof a.err, "%s", r ? "not one row" : err);
		PQclear(r);
		return a;
	}
	a.ok = 1;
	a.done = PQgetvalue(r, 0, HS_DONE)[0] == 't';
	a.already = PQgetvalue(r, 0, HS_ALREADY)[0] == 't';
	snprintf(a.state, sizeof a.state, "%s", PQgetvalue(r, 0, HS_STATE));
	a.version = atoi(PQgetvalue(r, 0, HS_VERSION));
	snprintf(a.message, sizeof a.message, "%s", PQgetvalue(r, 0, HS_MESSAGE));
	PQclear(r);
	return a;
}

static struct answer run_step(PGconn *c, const struct handoff_step *s)
{
	struct handoff_params p;
	struct db_stmt st;
	char err[1024] = "";
	handoff_step_stmt(s, &p, &st);
	PGresult *r = db_exec(c, st.sql, st.nparams, st.params, err, sizeof err);
	struct answer a = answer_of(r, err);
	if (!a.ok)
		printf("    step %s failed: %s\n", s->kind, a.err);
	return a;
}

/* One step with a fresh event id. */
static struct answer step(PGconn *c, const char *id, const char *kind, int version,
                          const char *comment, const char *team, const char *person)
{
	struct handoff_step s;
	if (handoff_step_init(&s, id, kind) < 0)
		printf("    handoff_step_init failed\n");
	s.version = version;
	s.comment = comment ? strdup(comment) : NULL;
	snprintf(s.to_team, sizeof s.to_team, "%s", team ? team : "");
	snprintf(s.to_staff, sizeof s.to_staff, "%s", person ? person : "");
	struct answer a = run_step(c, &s);
	handoff_step_clear(&s);
	return a;
}

static void show_refusal(const struct answer *a)
{
	if (a->ok && !a->done)
		printf("    refused: %s\n", a->message);
}

/* --- creating -------------------------------------------------------------------- */

static void test_create_is_idempotent_on_its_id(void)
{
	struct handoff_new h;
	char err[1024];
	draft(&h, "success", "ben", "Sponsor wants a call.\nSee ticket 4812.");
	h.ticket_id = 4812;
	PGresult *r = create(ana, &h, err, sizeof err);
	CHECK(r != NULL);
	if (r) {
		CHECK_STR(PQgetvalue(r, 0, 0), "t");
		CHECK_STR(PQgetvalue(r, 0, 1), "open");
		CHECK_STR(PQgetvalue(r, 0, 2), "1");
		PQclear(r);
	} else {
		printf("    %s\n", err);
	}
	/* The same call again, as after a connection lost during COMMIT. */
	r = create(ana, &h, err, sizeof err);
	CHECK(r != NULL);
	if (r) {
		CHECK_STR(PQgetvalue(r, 0, 0), "f");
		CHECK_STR(PQgetvalue(r, 0, 1), "open");
		CHECK_STR(PQgetvalue(r, 0, 2), "1");
		PQclear(r);
	}
	CHECK(num(su, "SELECT count(*) FROM handoff WHERE id = '%s'", h.id) == 1);
	CHECK(events(h.id) == 1);
	CHECK(events_of(h.id, "created") == 1);
	/* Even a retry that lost its event id creates nothing new. */
	CHECK(db_uuid(h.event_id) == 0);
	r = create(ana, &h, err, sizeof err);
	CHECK(r && strcmp(PQgetvalue(r, 0, 0), "f") == 0);
	PQclear(r);
	CHECK(events(h.id) == 1);
	CHECK(num(su, "SELECT count(*) FROM handoff WHERE note = 'Sponsor wants a call.\nSee ticket 4812.'") == 1);
	/* Everything the client sent arrived as sent. */
	CHECK_STR(val(su, "SELECT concat_ws('|', customer_id, to_team, to_staff, reason, priority, ticket_id, state, version)"
	                  " FROM handoff WHERE id = '%s'", h.id),
	          "1|success|ben|escalation|high|4812|open|1");
	/* The server computed the deadline: the database's SLA for "high". */
	CHECK(num(su, "SELECT round(extract(epoch FROM ack_due_at - created_at) / 60) FROM handoff WHERE id = '%s'",
	          h.id) == 240);
	handoff_clear(&h);
}

/* 087: a second call with the id is a resend only when it is the same
 * handoff.  The same person's other console sent the draft this one was
 * still typing: what this one sends, with the text typed since, is
 * refused (the console keeps it as a new draft), never taken for a resend
 * and dropped. */
static void test_create_again_with_other_text_refused(void)
{
	struct handoff_new h;
	char err[1024];
	draft(&h, "success", "ben", "First part.");
	CHECK(create_ok(ana, &h));
	free(h.note);
	h.note = strdup("First part. And what was typed after it was sent.");
	PGresult *r = create(ana, &h, err, sizeof err);
	CHECK(r == NULL);
	PQclear(r);
	CHECK(strstr(err, "was already sent with a different text or choices") != NULL);
	CHECK(draft_sent_otherwise(err));
	CHECK_STR(val(su, "SELECT note FROM handoff WHERE id = '%s'", h.id), "First part.");
	CHECK(events(h.id) == 1);
	/* Another choice, the same text: refused too. */
	free(h.note);
	h.note = strdup("First part.");
	snprintf(h.priority, sizeof h.priority, "urgent");
	r = create(ana, &h, err, sizeof err);
	CHECK(r == NULL && strstr(err, "already sent with a different") != NULL);
	PQclear(r);
	snprintf(h.priority, sizeof h.priority, "high");
	/* The very same handoff is a resend, also after a reassignment moved
	 * it to another team and person. */
	CHECK(!create_ok(ana, &h));
	struct answer a = step(lee, h.id, "reassigned", 1, "chloe has it", "success", "chloe");
	CHECK(a.ok && a.done);
	r = create(ana, &h, err, sizeof err);
	CHECK(r && strcmp(PQgetvalue(r, 0, 0), "f") == 0);
	if (!r)
		printf("    %s\n", err);
	PQclear(r);
	handoff_clear(&h);
}

static void test_create_author_is_the_session_user(void)
{
	struct handoff_new h;
	char err[1024];
	draft(&h, "success", NULL, "written by ana");
	/* Whatever role ana sets, the session user is still ana. */
	CHECK(strncmp(itest_value(ana, "SET ROLE baton_staff"), "ERROR", 5) != 0);
	CHECK(create_ok(ana, &h));
	CHECK(strncmp(itest_value(ana, "RESET ROLE"), "ERROR", 5) != 0);
	CHECK_STR(val(su, "SELECT author || '|' || from_team FROM handoff WHERE id = '%s'", h.id), "ana|support");
	CHECK_STR(val(su, "SELECT actor FROM handoff_event WHERE handoff_id = '%s'", h.id), "ana");
	/* Ben sending ana's id is an error, not a silent success, and does
	 * not make him the author. */
	PGresult *r = create(ben, &h, err, sizeof err);
	CHECK(r == NULL);
	PQclear(r);
	CHECK(strstr(err, "someone else") != NULL);
	CHECK_STR(val(su, "SELECT author FROM handoff WHERE id = '%s'", h.id), "ana");
	CHECK(events(h.id) == 1);
	handoff_clear(&h);
}

static void test_create_needs_active_staff(void)
{
	struct handoff_new h;
	char err[1024];
	/* bjorn is a staff login, but no longer active. */
	PGconn *bjorn = itest_connect(db, "bjorn");
	draft(&h, "success", NULL, "from an inactive account");
	PGresult *r = create(bjorn, &h, err, sizeof err);
	CHECK(r == NULL);
	PQclear(r);
	CHECK(strstr(err, "not an active staff member") != NULL);
	CHECK(num(su, "SELECT count(*) FROM handoff WHERE id = '%s'", h.id) == 0);
	PQfinish(bjorn);

	/* A login role that is not staff at all may not even call it. */
	char role[64], sql[256];
	snprintf(role, sizeof role, "t_outsider_%s", itest_id());
	snprintf(sql, sizeof sql, "CREATE ROLE %s LOGIN", role);
	CHECK(strncmp(itest_value(su, sql), "ERROR", 5) != 0);
	PGconn *out = itest_connect(db, role);
	r = create(out, &h, err, sizeof err);
	CHECK(r == NULL);
	PQclear(r);
	CHECK(strstr(err, "permission denied") != NULL);
	CHECK(num(su, "SELECT count(*) FROM handoff WHERE id = '%s'", h.id) == 0);
	PQfinish(out);
	snprintf(sql, sizeof sql, "DROP ROLE %s", role);
	itest_value(su, sql);
	handoff_clear(&h);
}

static void test_create_refuses_bad_targets(void)
{
	struct handoff_new h;
	char err[1024];
	PGresult *r;
	long long before = num(su, "SELECT count(*) FROM handoff");

	draft(&h, "legal", NULL, "no such team");
	r = create(ana, &h, err, sizeof err);
	CHECK(r == NULL && strstr(err, "unknown team") != NULL);
	PQclear(r);
	handoff_clear(&h);

	/* ana is in Support, not Success. */
	draft(&h, "success", "ana", "wrong person for the team");
	r = create(ana, &h, err, sizeof err);
	CHECK(r == NULL && strstr(err, "not an active member of team success") != NULL);
	PQclear(r);
	handoff_clear(&h);

	/* bjorn is in Support but inactive. */
	draft(&h, "support", "bjorn", "inactive person");
	r = create(ana, &h, err, sizeof err);
	CHECK(r == NULL && strstr(err, "not an active member") != NULL);
	PQclear(r);
	handoff_clear(&h);

	/* Ticket 4801 is Café Lumière's, not Northwind's. */
	draft(&h, "success", NULL, "someone else's ticket");
	h.ticket_id = 4801;
	r = create(ana, &h, err, sizeof err);
	CHECK(r == NULL && strstr(err, "not one of this customer's tickets") != NULL);
	PQclear(r);
	handoff_clear(&h);

	draft(&h, "success", NULL, "no such customer");
	h.customer_id = 987654321;
	r = create(ana, &h, err, sizeof err);
	CHECK(r == NULL && strstr(err, "unknown customer") != NULL);
	PQclear(r);
	handoff_clear(&h);

	CHECK(num(su, "SELECT count(*) FROM handoff") == before);
	/* The failed calls left the connection usable. */
	CHECK_STR(itest_value(ana, "SELECT 1"), "1");
}

/* --- steps ----------------------------------------------------------------------- */

static void test_ack_by_the_receiver_once(void)
{
	struct handoff_new h;
	draft(&h, "success", "ben", "please acknowledge");
	CHECK(create_ok(ana, &h));

	/* The author's team is not the receiver. */
	struct answer a = step(ana, h.id, "acknowledged", 0, NULL, NULL, NULL);
	CHECK(a.ok && !a.done && strstr(a.message, "receiving team") != NULL);
	CHECK(events(h.id) == 1);

	struct handoff_step s;
	CHECK(handoff_step_init(&s, h.id, "acknowledged") == 0);
	s.version = 1;
	s.comment = strdup("on it");
	a = run_step(ben, &s);
	CHECK(a.ok && a.done && !a.already);
	show_refusal(&a);
	CHECK_STR(a.state, "acknowledged");
	CHECK(a.version == 2);
	CHECK_STR(val(su, "SELECT concat_ws('|', state, acknowledged_by, acknowledged_at IS NOT NULL, version)"
	                  " FROM handoff WHERE id = '%s'", h.id),
	          "acknowledged|ben|t|2");
	CHECK(events(h.id) == 2);
	CHECK_STR(val(su, "SELECT actor || '|' || comment FROM handoff_event WHERE handoff_id = '%s'"
	                  " AND kind = 'acknowledged'", h.id),
	          "ben|on it");

	/* Someone else in the team, a moment later: told who was first. */
	a = step(lee, h.id, "acknowledged", 0, NULL, NULL, NULL);
	CHECK(a.ok && !a.done && !a.already);
	CHECK(strstr(a.message, "acknowledged by ben") != NULL);
	CHECK(events(h.id) == 2);

	/* Ben's own retry (same event id, lost answer): already done. */
	a = run_step(ben, &s);
	CHECK(a.ok && a.done && a.already);
	CHECK_STR(a.state, "acknowledged");
	CHECK(a.version == 2);
	CHECK(events(h.id) == 2);
	CHECK(events_of(h.id, "acknowledged") == 1);
	handoff_step_clear(&s);
	handoff_clear(&h);
}

static void test_resolve_needs_ack_first(void)
{
	struct handoff_new h;
	draft(&h, "success", NULL, "to resolve");
	CHECK(create_ok(ana, &h));
	struct answer a = step(ben, h.id, "resolved", 0, NULL, NULL, NULL);
	CHECK(a.ok && !a.done);
	CHECK(strstr(a.message, "acknowledge it before resolving") != NULL);
	CHECK_STR(a.state, "open");
	CHECK(events(h.id) == 1);
	/* Someone outside the receiving team is told that it is not theirs to
	 * resolve, not to acknowledge it first (migration 074). */
	a = step(ana, h.id, "resolved", 0, NULL, NULL, NULL);
	CHECK(a.ok && !a.done);
	CHECK(strstr(a.message, "only success (the receiving team) can resolve it") != NULL);
	/* A version it never had is said so, not taken for a colleague's step. */
	a = step(chloe, h.id, "acknowledged", 99, NULL, NULL, NULL);
	CHECK(a.ok && !a.done);
	CHECK_STR(a.message, "it has no version 99: it is open at version 1");
	CHECK(events(h.id) == 1);

	a = step(chloe, h.id, "acknowledged", 1, NULL, NULL, NULL);
	CHECK(a.ok && a.done);
	a = step(ben, h.id, "resolved", 2, "called the sponsor", NULL, NULL);
	CHECK(a.ok && a.done && strcmp(a.state, "resolved") == 0 && a.version == 3);
	show_refusal(&a);
	CHECK_STR(val(su, "SELECT concat_ws('|', state, acknowledged_by, closed_by, closed_at IS NOT NULL)"
	                  " FROM handoff WHERE id = '%s'", h.id),
	          "resolved|chloe|ben|t");
	CHECK(events(h.id) == 3);
	/* Resolving again: refused, saying by whom. */
	a = step(chloe, h.id, "resolved", 0, NULL, NULL, NULL);
	CHECK(a.ok && !a.done && strstr(a.message, "resolved by ben") != NULL);
	/* Nothing moves a closed handoff. */
	a = step(ana, h.id, "cancelled", 0, NULL, NULL, NULL);
	CHECK(a.ok && !a.done);
	a = step(lee, h.id, "reassigned", 0, "back", "support", NULL);
	CHECK(a.ok && !a.done);
	CHECK(events(h.id) == 3);
	CHECK_STR(val(su, "SELECT state FROM handoff WHERE id = '%s'", h.id), "resolved");
	handoff_clear(&h);
}

static void test_cancel_only_by_author(void)
{
	struct handoff_new h;
	draft(&h, "success", "ben", "to cancel");
	CHECK(create_ok(ana, &h));
	struct answer a = step(ben, h.id, "cancelled", 0, NULL, NULL, NULL);
	CHECK(a.ok && !a.done && strstr(a.message, "only its author (ana)") != NULL);
	a = step(lee, h.id, "cancelled", 0, NULL, NULL, NULL);
	CHECK(a.ok && !a.done);
	a = step(sam, h.id, "cancelled", 0, NULL, NULL, NULL); /* ana's lead */
	CHECK(a.ok && !a.done);
	CHECK(events(h.id) == 1);
	a = step(ana, h.id, "cancelled", 1, "handled in the weekly call", NULL, NULL);
	CHECK(a.ok && a.done && strcmp(a.state, "cancelled") == 0);
	show_refusal(&a);
	CHECK_STR(val(su, "SELECT concat_ws('|', state, closed_by, closed_at IS NOT NULL, version)"
	                  " FROM handoff WHERE id = '%s'", h.id),
	          "cancelled|ana|t|2");
	CHECK(events(h.id) == 2);
	CHECK_STR(val(su, "SELECT actor || '|' || comment FROM handoff_event WHERE handoff_id = '%s'"
	                  " AND kind = 'cancelled'", h.id),
	          "ana|handled in the weekly call");
	handoff_clear(&h);
}

static void test_reassign_with_stale_version(void)
{
	struct handoff_new h;
	draft(&h, "success", "ben", "to reassign");
	CHECK(create_ok(ana, &h));
	struct answer a = step(ben, h.id, "acknowledged", 1, NULL, NULL, NULL);
	CHECK(a.ok && a.done && a.version == 2);

	/* Lee still sees version 1 on the screen. */
	a = step(lee, h.id, "reassigned", 1, "ana knows", "support", "ana");
	CHECK(a.ok && !a.done);
	CHECK(strstr(a.message, "changed meanwhile") != NULL);
	CHECK(strstr(a.message, "acknowledged by ben") != NULL);
	CHECK_STR(a.state, "acknowledged");
	CHECK(a.version == 2);
	CHECK(events(h.id) == 2);
	CHECK_STR(val(su, "SELECT concat_ws('|', to_team, to_staff, state) FROM handoff WHERE id = '%s'", h.id),
	          "success|ben|acknowledged");

	/* With the fresh version it goes through, and must be acknowledged
	 * afresh by the new receiver. */
	a = step(lee, h.id, "reassigned", 2, "ana knows", "support", "ana");
	CHECK(a.ok && a.done && strcmp(a.state, "open") == 0 && a.version == 3);
	show_refusal(&a);
	CHECK_STR(val(su, "SELECT concat_ws('|', to_team, to_staff, state, acknowledged_by IS NULL, version)"
	                  " FROM handoff WHERE id = '%s'", h.id),
	          "support|ana|open|t|3");
	CHECK_STR(val(su, "SELECT concat_ws('|', actor, comment, to_team, to_staff) FROM handoff_event"
	                  " WHERE handoff_id = '%s' AND kind = 'reassigned'", h.id),
	          "lee|ana knows|support|ana");
	CHECK(events(h.id) == 3);

	/* Ben neither leads nor receives it any more. */
	a = step(ben, h.id, "reassigned", 0, "mine again", "success", "ben");
	CHECK(a.ok && !a.done && strstr(a.message, "only a lead of the sending or receiving team") != NULL);
	/* Reassigning to where it already is, or to a person outside the team. */
	a = step(sam, h.id, "reassigned", 0, "same", "support", "ana");
	CHECK(a.ok && !a.done && strstr(a.message, "already assigned there") != NULL);
	a = step(sam, h.id, "reassigned", 0, "wrong team", "billing", "ben");
	CHECK(a.ok && !a.done && strstr(a.message, "not an active member") != NULL);
	CHECK(events(h.id) == 3);

	/* A comment is a step too: one event, but the same version, so that
	 * it invalidates nobody's pending step. */
	a = step(sam, h.id, "commented", 3, "ana is on leave until Monday", NULL, NULL);
	CHECK(a.ok && a.done && a.version == 3 && strcmp(a.state, "open") == 0);
	CHECK(events(h.id) == 4);
	CHECK(events_of(h.id, "commented") == 1);
	handoff_clear(&h);
}

/* Two people press "acknowledge" at the same moment: both statements are
 * on the wire before either answer is read.  Exactly one wins; the other
 * is told, and there is one event. */
static void test_two_connections_race_to_ack(void)
{
	for (int round = 0; round < 6; round++) {
		struct handoff_new h;
		draft(&h, "success", NULL, "race");
		CHECK(create_ok(ana, &h));
		PGconn *who[2] = {ben, chloe};
		struct handoff_step s[2];
		struct handoff_params p[2];
		struct db_stmt st[2];
		for (int i = 0; i < 2; i++) {
			CHECK(handoff_step_init(&s[i], h.id, "acknowledged") == 0);
			/* Half the rounds with the version seen on screen. */
			s[i].version = round % 2 ? 1 : 0;
			handoff_step_stmt(&s[i], &p[i], &st[i]);
		}
		for (int i = 0; i < 2; i++)
			CHECK(PQsendQueryParams(who[i], st[i].sql, st[i].nparams, NULL, st[i].params, NULL, NULL, 0) == 1);
		struct answer a[2];
		for (int i = 0; i < 2; i++) {
			PGresult *r = PQgetResult(who[i]), *extra;
			if (PQresultStatus(r) != PGRES_TUPLES_OK) {
				printf("    %s\n", PQresultErrorMessage(r));
				PQclear(r);
				r = NULL;
			}
			a[i] = answer_of(r, "error");
			while ((extra = PQgetResult(who[i])))
				PQclear(extra);
		}
		CHECK(a[0].ok && a[1].ok);
		CHECK(a[0].done + a[1].done == 1);
		int w = a[0].done ? 0 : 1;
		const char *winner = w == 0 ? "ben" : "chloe";
		char want[64];
		snprintf(want, sizeof want, "acknowledged by %s", winner);
		if (!strstr(a[1 - w].message, want))
			printf("    loser told: %s\n", a[1 - w].message);
		CHECK(strstr(a[1 - w].message, want) != NULL);
		CHECK(!a[1 - w].already);
		CHECK(events(h.id) == 2);
		CHECK(events_of(h.id, "acknowledged") == 1);
		CHECK_STR(val(su, "SELECT acknowledged_by FROM handoff WHERE id = '%s'", h.id), winner);
		for (int i = 0; i < 2; i++)
			handoff_step_clear(&s[i]);
		handoff_clear(&h);
	}
}

static void test_unknown_handoff_and_step(void)
{
	char id[37];
	CHECK(db_uuid(id) == 0);
	struct handoff_step s;
	struct handoff_params p;
	struct db_stmt st;
	char err[1024] = "";
	CHECK(handoff_step_init(&s, id, "acknowledged") == 0);
	handoff_step_stmt(&s, &p, &st);
	PGresult *r = db_exec(ben, st.sql, st.nparams, st.params, err, sizeof err);
	CHECK(r == NULL && strstr(err, "no handoff") != NULL);
	PQclear(r);
	handoff_step_clear(&s);

	struct handoff_new h;
	draft(&h, "success", NULL, "odd step");
	CHECK(create_ok(ana, &h));
	struct answer a = step(ben, h.id, "deleted", 0, NULL, NULL, NULL);
	CHECK(a.ok && !a.done && strstr(a.message, "unknown step") != NULL);
	CHECK(events(h.id) == 1);
	handoff_clear(&h);
}

/* Only through the functions: no direct writes, even by the author. */
static void test_staff_cannot_write_directly(void)
{
	struct handoff_new h;
	char sql[512];
	draft(&h, "success", NULL, "direct writes");
	CHECK(create_ok(ana, &h));
	const char *v;

	snprintf(sql, sizeof sql, "UPDATE handoff SET state = 'resolved', closed_at = now() WHERE id = '%s'", h.id);
	v = itest_value(ana, sql);
	CHECK(strstr(v, "permission denied") != NULL);
	snprintf(sql, sizeof sql, "UPDATE handoff SET acknowledged_by = 'ben' WHERE id = '%s'", h.id);
	v = itest_value(ben, sql);
	CHECK(strstr(v, "permission denied") != NULL);
	snprintf(sql, sizeof sql,
	         "INSERT INTO handoff_event (id, handoff_id, kind) VALUES (gen_random_uuid(), '%s', 'acknowledged')",
	         h.id);
	v = itest_value(ben, sql);
	CHECK(strstr(v, "permission denied") != NULL);
	v = itest_value(ana, "INSERT INTO handoff (id, customer_id, from_team, to_team, reason, note)"
	                     " VALUES (gen_random_uuid(), 1, 'support', 'success', 'question', 'x')");
	CHECK(strstr(v, "permission denied") != NULL);
	snprintf(sql, sizeof sql, "DELETE FROM handoff_event WHERE handoff_id = '%s'", h.id);
	v = itest_value(ana, sql);
	CHECK(strncmp(v, "ERROR", 5) == 0);
	CHECK_STR(val(su, "SELECT state || '|' || version FROM handoff WHERE id = '%s'", h.id), "open|1");
	CHECK(events(h.id) == 1);
	handoff_clear(&h);
}

/* --- the queue ------------------------------------------------------------------- */

static PGresult *qres[3];

static void queue_free(void)
{
	for (int i = 0; i < 3; i++) {
		PQclear(qres[i]);
		qres[i] = NULL;
	}
}

static int queue_fetch(PGconn *c, const struct queue_filter *f)
{
	struct queue_params p;
	struct db_stmt st[3];
	char err[1024];
	queue_free();
	queue_statements(f, &p, st);
	if (db_pipeline(c, st, 3, qres, err, sizeof err) < 0) {
		printf("    queue: %s\n", err);
		return -1;
	}
	return PQntuples(qres[0]);
}

static const char *q(int row, int col)
{
	return PQgetvalue(qres[0], row, col);
}

static void test_queue_lee_my_teams(void)
{
	PGconn *qlee = itest_connect(qdb, "lee");
	struct queue_filter f;
	memset(&f, 0, sizeof f);
	f.mine = 1;
	int n = queue_fetch(qlee, &f);
	CHECK(n > 1);
	if (n > 1) {
		CHECK_STR(q(0, Q_ID), NORTHWIND_HANDOFF);
		CHECK_STR(q(0, Q_CUSTOMER), "Northwind Health");
		CHECK_STR(q(0, Q_BREACHED), "t");
		CHECK_STR(q(0, Q_STATE), "open");
		CHECK_STR(q(0, Q_TO_STAFF), "ben");
		CHECK(atoll(q(0, Q_ACK_LEFT_S)) < 0);
		CHECK(strncmp(q(0, Q_LAST_EVENT), "created by ana", 14) == 0);
		CHECK_STR(q(0, Q_VERSION), "1");
	}
	/* Only to Success or to lee; breached first, then open, then
	 * acknowledged; oldest first within each group. */
	int rank_prev = 0;
	long long age_prev = -1;
	for (int i = 0; i < n; i++) {
		CHECK(!strcmp(q(i, Q_TO_TEAM), "success") || !strcmp(q(i, Q_TO_STAFF), "lee"));
		int rank = q(i, Q_BREACHED)[0] == 't' ? 0 : !strcmp(q(i, Q_STATE), "open") ? 1 : 2;
		CHECK(rank >= rank_prev);
		long long age = atoll(q(i, Q_AGE_S));
		if (rank != rank_prev)
			age_prev = -1;
		CHECK(age_prev < 0 || age <= age_prev);
		rank_prev = rank;
		age_prev = age;
	}
	queue_free();
	PQfinish(qlee);
}

/* The rows of the unfiltered active queue matching pred, counted, against
 * the filtered fetch: exactly those rows, and only matching ones. */
struct filter_case {
	const char *text;   /* the filter as the console's filter line takes it */
	int col;            /* column that must equal want */
	const char *want;
	int col2;           /* and this one want2, when want2 is set */
	const char *want2;
};

static const struct filter_case filter_cases[] = {
	{"team=support", Q_TO_TEAM, "support", 0, NULL},
	{"to=ana", Q_TO_STAFF, "ana", 0, NULL},
	{"state=acknowledged", Q_STATE, "acknowledged", 0, NULL},
	{"state=open", Q_STATE, "open", 0, NULL},
	{"breached", Q_BREACHED, "t", 0, NULL},
	{"priority=urgent", Q_PRIORITY, "urgent", 0, NULL},
	{"reason=escalation", Q_REASON, "escalation", 0, NULL},
	{"segment=mid-market", Q_SEGMENT, "mid-market", 0, NULL},
	/* A priority, alone and with a segment, read through its own index
	 * for the open handoffs within their deadline (migration 033). */
	{"priority=normal", Q_PRIORITY, "normal", 0, NULL},
	{"priority=high", Q_PRIORITY, "high", 0, NULL},
	{"segment=mid-market priority=normal", Q_SEGMENT, "mid-market", Q_PRIORITY, "normal"},
};

static void test_queue_filters(void)
{
	PGconn *qsam = itest_connect(qdb, "sam");
	struct queue_filter all;
	memset(&all, 0, sizeof all);
	int nall = queue_fetch(qsam, &all);
	CHECK(nall > 10);
	/* The unfiltered queue: every active handoff, nothing closed. */
	CHECK(nall == num(su, "SELECT count(*) FROM handoff WHERE state IN ('open', 'acknowledged')"));
	char *ids[QUEUE_LIMIT];
	char *cols[QUEUE_LIMIT][Q_COLS];
	for (int i = 0; i < nall && i < QUEUE_LIMIT; i++) {
		CHECK(!strcmp(q(i, Q_STATE), "open") || !strcmp(q(i, Q_STATE), "acknowledged"));
		ids[i] = strdup(q(i, Q_ID));
		for (int c = 0; c < Q_COLS; c++)
			cols[i][c] = strdup(q(i, c));
	}
	queue_free();

	for (size_t k = 0; k < sizeof filter_cases / sizeof *filter_cases; k++) {
		const struct filter_case *fc = &filter_cases[k];
		struct queue_filter cf;
		char err[256] = "";
		if (queue_filter_parse(&cf, fc->text, NULL, err, sizeof err) < 0)
			printf("    filter %s: %s\n", fc->text, err);
		CHECK(err[0] == '\0');
		int expect = 0;
		for (int i = 0; i < nall; i++)
			expect += !strcmp(cols[i][fc->col], fc->want) &&
			          (!fc->want2 || !strcmp(cols[i][fc->col2], fc->want2));
		int n = queue_fetch(qsam, &cf);
		int matching = 0;
		for (int i = 0; i < n; i++)
			matching += !strcmp(q(i, fc->col), fc->want) &&
			            (!fc->want2 || !strcmp(q(i, fc->col2), fc->want2));
		/* Normal priority's cases read open handoffs within their deadline
		 * too (the demo's urgent and high ones are all past it). */
		int within = 0;
		for (int i = 0; i < n; i++)
			within += !strcmp(q(i, Q_STATE), "open") && q(i, Q_BREACHED)[0] == 'f';
		if (!within && !strcmp(cf.priority, "normal"))
			printf("    filter %s: no open handoff within its deadline\n", fc->text);
		CHECK(within > 0 || strcmp(cf.priority, "normal"));
		if (n != expect || matching != n || n == 0)
			printf("    filter %s: %d rows, %d matching, %d expected\n", fc->text, n, matching, expect);
		CHECK(n > 0);
		CHECK(matching == n);
		CHECK(n == expect);
		queue_free();
	}

	/* Breached means open and past its deadline. */
	struct queue_filter f;
	memset(&f, 0, sizeof f);
	f.breached = 1;
	int n = queue_fetch(qsam, &f);
	CHECK(n > 0);
	for (int i = 0; i < n; i++)
		CHECK(!strcmp(q(i, Q_STATE), "open") && atoll(q(i, Q_ACK_LEFT_S)) < 0);
	/* Combined: Success's breached handoffs start with Northwind. */
	memset(&f, 0, sizeof f);
	f.breached = 1;
	snprintf(f.team, sizeof f.team, "success");
	n = queue_fetch(qsam, &f);
	CHECK(n >= 1 && !strcmp(q(0, Q_ID), NORTHWIND_HANDOFF));
	/* Closed ones only when asked for, newest first. */
	memset(&f, 0, sizeof f);
	snprintf(f.state, sizeof f.state, "resolved");
	n = queue_fetch(qsam, &f);
	CHECK(n > 0);
	CHECK(n == num(su, "SELECT least(count(*), %d) FROM handoff WHERE state = 'resolved'", QUEUE_LIMIT));
	for (int i = 0; i < n; i++) {
		CHECK_STR(q(i, Q_STATE), "resolved");
		CHECK(i == 0 || atoll(q(i, Q_AGE_S)) >= atoll(q(i - 1, Q_AGE_S)));
	}
	/* A filter that matches nothing is an empty answer, not an error. */
	memset(&f, 0, sizeof f);
	snprintf(f.team, sizeof f.team, "nobody");
	CHECK(queue_fetch(qsam, &f) == 0);
	queue_free();

	for (int i = 0; i < nall && i < QUEUE_LIMIT; i++) {
		free(ids[i]);
		for (int c = 0; c < Q_COLS; c++)
			free(cols[i][c]);
	}
	PQfinish(qsam);
}

static void test_queue_counts_and_medians(void)
{
	PGconn *qlee = itest_connect(qdb, "lee");
	struct queue_filter f;
	memset(&f, 0, sizeof f);
	int n = queue_fetch(qlee, &f);
	CHECK(n > 0);
	CHECK(qres[1] && qres[2]);
	if (!qres[1] || !qres[2]) {
		queue_free();
		PQfinish(qlee);
		return;
	}
	/* Per team: active, not acknowledged and breached agree with the rows. */
	long long total = 0;
	for (int t = 0; t < PQntuples(qres[1]); t++) {
		const char *team = PQgetvalue(qres[1], t, QC_TEAM);
		long long act = 0, unack = 0, br = 0;
		for (int i = 0; i < n; i++) {
			if (strcmp(q(i, Q_TO_TEAM), team))
				continue;
			act++;
			unack += !strcmp(q(i, Q_STATE), "open");
			br += q(i, Q_BREACHED)[0] == 't';
		}
		if (act != atoll(PQgetvalue(qres[1], t, QC_OPEN)) || unack != atoll(PQgetvalue(qres[1], t, QC_UNACK)) ||
		    br != atoll(PQgetvalue(qres[1], t, QC_BREACHED)))
			printf("    counts for %s: %s/%s/%s, rows say %lld/%lld/%lld\n", team,
			       PQgetvalue(qres[1], t, QC_OPEN), PQgetvalue(qres[1], t, QC_UNACK),
			       PQgetvalue(qres[1], t, QC_BREACHED), act, unack, br);
		CHECK(act == atoll(PQgetvalue(qres[1], t, QC_OPEN)));
		CHECK(unack == atoll(PQgetvalue(qres[1], t, QC_UNACK)));
		CHECK(br == atoll(PQgetvalue(qres[1], t, QC_BREACHED)));
		total += act;
	}
	CHECK(total == n);
	/* Medians: one row; the demo has acknowledgements in the last 30 days. */
	CHECK(PQntuples(qres[2]) == 1);
	CHECK(!PQgetisnull(qres[2], 0, QM_MEDIAN_30D) && atoll(PQgetvalue(qres[2], 0, QM_MEDIAN_30D)) > 0);
	CHECK(PQgetisnull(qres[2], 0, QM_MEDIAN_7D) || atoll(PQgetvalue(qres[2], 0, QM_MEDIAN_7D)) > 0);
	/* Filtered counts follow the filter. */
	snprintf(f.team, sizeof f.team, "success");
	n = queue_fetch(qlee, &f);
	CHECK(PQntuples(qres[1]) == 1 && !strcmp(PQgetvalue(qres[1], 0, QC_TEAM), "success"));
	CHECK(PQntuples(qres[1]) == 1 && atoll(PQgetvalue(qres[1], 0, QC_OPEN)) == n);
	CHECK(PQntuples(qres[2]) == 1);
	queue_free();
	PQfinish(qlee);
}

/* Acknowledging Northwind's handoff takes it off the breached list and
 * puts it with the acknowledged ones. */
static void test_queue_follows_a_step(void)
{
	PGconn *qben = itest_connect(qdb, "ben");
	struct answer a = step(qben, NORTHWIND_HANDOFF, "acknowledged", 1, "calling the sponsor now", NULL, NULL);
	CHECK(a.ok && a.done);
	struct queue_filter f;
	memset(&f, 0, sizeof f);
	f.breached = 1;
	int n = queue_fetch(qben, &f);
	CHECK(n >= 0); /* an answer, so the loop below looked at it */
	for (int i = 0; i < n; i++)
		CHECK(strcmp(q(i, Q_ID), NORTHWIND_HANDOFF) != 0);
	memset(&f, 0, sizeof f);
	snprintf(f.state, sizeof f.state, "acknowledged");
	n = queue_fetch(qben, &f);
	int found = 0;
	for (int i = 0; i < n; i++)
		if (!strcmp(q(i, Q_ID), NORTHWIND_HANDOFF)) {
			found = 1;
			CHECK_STR(q(i, Q_BREACHED), "f");
			CHECK_STR(q(i, Q_VERSION), "2");
			CHECK(strncmp(q(i, Q_LAST_EVENT), "acknowledged by ben", 19) == 0);
		}
	CHECK(found);
	queue_free();
	PQfinish(qben);
}

/* A handoff written long ago whose deadline is still ahead (given a long
 * one, or reassigned late) is within its deadline: it heads the open
 * ones, oldest first, although nothing else open is that old. */
/* 150 handoffs written in one transaction share their time: the queue's
 * hundred within their deadline are the first by time, then id, not the
 * first its index holds (written in the opposite order here). */
static void test_queue_ties_at_the_limit(void)
{
	CHECK(itest_ok(su, "INSERT INTO handoff (id, customer_id, from_team, to_team, reason, note, ack_due_at,"
	                   " created_at) SELECT g.id, 1, 'support', 'onboarding', 'question', 'tied',"
	                   " now() + interval '1 day', now() - interval '1 hour'"
	                   " FROM (SELECT gen_random_uuid() AS id FROM generate_series(1, 150)) g ORDER BY g.id DESC"));
	PGconn *qsam = itest_connect(qdb, "sam");
	struct queue_filter f;
	memset(&f, 0, sizeof f);
	snprintf(f.state, sizeof f.state, "open");
	snprintf(f.team, sizeof f.team, "onboarding");
	int n = queue_fetch(qsam, &f);
	PGresult *want = PQexec(su, "SELECT id FROM handoff WHERE state = 'open' AND to_team = 'onboarding'"
	                            " AND ack_due_at >= now() ORDER BY created_at, id LIMIT 100");
	CHECK(PQresultStatus(want) == PGRES_TUPLES_OK && PQntuples(want) == 100);
	int k = 0, same = 1;
	for (int i = 0; i < n; i++) {
		if (q(i, Q_BREACHED)[0] != 'f')
			continue;
		same = same && k < PQntuples(want) && !strcmp(q(i, Q_ID), PQgetvalue(want, k, 0));
		k++;
	}
	CHECK(k == 100);
	CHECK(same);
	PQclear(want);
	queue_free();
	PQfinish(qsam);
	CHECK(itest_ok(su, "DELETE FROM handoff WHERE note = 'tied'"));
}

static void test_queue_old_handoff_within_its_deadline(void)
{
	const char *id = "8e0c6f7a-5b1d-4c2e-9f3a-0d4b6c8e1f27";
	char sql[512];
	snprintf(sql, sizeof sql,
	         "INSERT INTO handoff (id, customer_id, from_team, to_team, reason, note, created_at, ack_due_at)"
	         " VALUES ('%s', 1, 'support', 'success', 'escalation', 'long deadline',"
	         "         now() - interval '40 days', now() + interval '1 hour')", id);
	CHECK(itest_ok(su, sql));
	/* Older than every other open handoff within its deadline. */
	CHECK_STR(itest_value(su, "SELECT count(*) FROM handoff WHERE state = 'open' AND ack_due_at >= now()"
	                          " AND created_at <= now() - interval '40 days'"), "1");
	PGconn *qsam = itest_connect(qdb, "sam");
	struct queue_filter f;
	memset(&f, 0, sizeof f);
	snprintf(f.state, sizeof f.state, "open");
	int n = queue_fetch(qsam, &f), at = -1, first_within = -1;
	for (int i = 0; i < n; i++) {
		if (first_within < 0 && q(i, Q_BREACHED)[0] == 'f')
			first_within = i;
		if (!strcmp(q(i, Q_ID), id))
			at = i;
	}
	CHECK(at >= 0);
	CHECK(at == first_within);
	CHECK(at >= 0 && !strcmp(q(at, Q_BREACHED), "f"));
	queue_free();
	PQfinish(qsam);
	snprintf(sql, sizeof sql, "DELETE FROM handoff WHERE id = '%s'", id);
	CHECK(itest_ok(su, sql));
}

int main(void)
{
	qdb = strdup(itest_newdb("baton_demo"));
	db = strdup(itest_newdb("baton_demo"));
	su = itest_connect(db, NULL);
	ana = itest_connect(db, "ana");
	ben = itest_connect(db, "ben");
	chloe = itest_connect(db, "chloe");
	lee = itest_connect(db, "lee");
	sam = itest_connect(db, "sam");

	RUN(test_create_is_idempotent_on_its_id);
	RUN(test_create_again_with_other_text_refused);
	RUN(test_create_author_is_the_session_user);
	RUN(test_create_needs_active_staff);
	RUN(test_create_refuses_bad_targets);
	RUN(test_ack_by_the_receiver_once);
	RUN(test_resolve_needs_ack_first);
	RUN(test_cancel_only_by_author);
	RUN(test_reassign_with_stale_version);
	RUN(test_two_connections_race_to_ack);
	RUN(test_unknown_handoff_and_step);
	RUN(test_staff_cannot_write_directly);

	/* The queue reads a separate, untouched copy of the demo; su reads it
	 * too for the expected counts. */
	PQfinish(su);
	su = itest_connect(qdb, NULL);
	RUN(test_queue_lee_my_teams);
	RUN(test_queue_filters);
	RUN(test_queue_counts_and_medians);
	RUN(test_queue_old_handoff_within_its_deadline);
	RUN(test_queue_ties_at_the_limit);
	RUN(test_queue_follows_a_step);

	PQfinish(su);
	PQfinish(ana);
	PQfinish(ben);
	PQfinish(chloe);
	PQfinish(lee);
	PQfinish(sam);
	free((void *)qdb);
	free((void *)db);
	return check_done();
}
