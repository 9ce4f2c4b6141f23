/* Who the console is connected as, checked on every (re)connect, and what
 * the database's notifications make the screens re-read. */
#include "baton/cli.h"
#include "baton/db.h"
#include "baton/draft.h"
#include "baton/finder.h"
#include "baton/migrate.h"
#include "baton/notify.h"
#include "baton/session.h"
#include "ui/ui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void on_me(void *ctx, PGresult **res, int nres, const char *err);

/* A screen re-reads at most once per RELOAD_INTERVAL_MS however many
 * notifications concern it: the first change after a quiet spell is read
 * at once, the rest of a burst (an import, a bulk acknowledge) once at the
 * end of each interval.  250 ms: a single change still shows "at once" to
 * a person, and a burst costs each console at most four re-reads a
 * second per screen, not one per write. */
#define RELOAD_INTERVAL_MS 250

int app_change_for_me(const struct app *a, const struct notify_change *c)
{
	return notify_handoff_for(c, a->me.team, a->me.role);
}

/* The screen's own judgement, else: a screen of one customer re-reads
 * for changes about it, a screen of no one customer for any write. */
static int screen_concerned(struct screen *s, struct app *a, const struct notify_change *c)
{
	if (!s->ops->reload || c->kind == NOTIFY_PRESENCE)
		return 0;
	if (s->ops->concerns)
		return s->ops->concerns(s, a, c);
	if (c->kind == NOTIFY_OTHER || !s->customer_id)
		return 1;
	return (c->kind == NOTIFY_CUSTOMER || c->kind == NOTIFY_HANDOFF) &&
	       c->customer_id == s->customer_id;
}

/* Someone wrote: mark what shows it, and re-read what is due.  Presence
 * is not on a standby: reads there need not wait for it. */
int app_on_notify(void *ctx, const char *channel, const char *payload)
{
	struct app *a = ctx;
	struct notify_change c;
	(void)channel;
	notify_parse(payload, &c);
	/* Someone's staff entry changed: if it is ours, who am I again. */
	if (c.kind == NOTIFY_STAFF && !strcmp(c.role, a->me.role)) {
		static const char *const none[1] = {NULL};
		struct db_stmt s = {finder_me_sql, 0, none};
		dbq_submit(a->db, 0, &s, 1, 1, on_me, a);
	}
	if (c.kind == NOTIFY_PRESENCE)
		app_presence_changed(a, c.customer_id);
	for (struct screen *s = a->top; s; s = s->below)
		if (screen_concerned(s, a, &c))
			s->reload_pending = 1;
	app_changes_tick(a);
	return c.kind != NOTIFY_PRESENCE;
}

void app_changes_tick(struct app *a)
{
	long long now = app_now_ms();
	if (now < a->reload_at_ms)
		return;
	int any = 0;
	for (struct screen *s = a->top; s; s = s->below)
		if (s->reload_pending) {
			s->reload_pending = 0;
			(s->ops->update ? s->ops->update : s->ops->reload)(s, a);
			any = 1;
		}
	any |= app_presence_flush(a);
	if (any) {
		a->reload_at_ms = now + RELOAD_INTERVAL_MS;
		a->dirty = 1;
	}
}

int app_changes_timeout(const struct app *a)
{
	int pending = a->presence.pending;
	for (const struct screen *s = a->top; s && !pending; s = s->below)
		pending = s->reload_pending;
	long long due = pending ? a->reload_at_ms : -1, p = app_presence_due_ms(a);
	if (p >= 0 && (due < 0 || p < due))
		due = p;
	if (due < 0)
		return -1;
	/* Nothing is re-read before the interval is over (app_changes_tick). */
	if (due < a->reload_at_ms)
		due = a->reload_at_ms;
	long long d = due - app_now_ms();
	return d < 0 ? 0 : (int)d;
}

/* --- identity check, once per connection --------------------------------- */

/* This database and role's drafts, once, at the first connection; what
 * keeps drafts from being kept or offered is said, not hidden. */
static void offer_drafts(struct app *a)
{
	struct draft_list l;
	char err[600];
	if (draft_list(a->draft_owner, &l, err, sizeof err) < 0) {
		app_message(a, 1, "%s", err);
		return;
	}
	if (l.n > 0)
		app_push(a, drafts_new(a));
	else if (l.refused)
		app_message(a, 1, "%d draft file%s refused, not offered: %s", l.refused,
		            l.refused > 1 ? "s" : "", l.problem);
	draft_list_free(&l);
}

static void on_me(void *ctx, PGresult **res, int nres, const char *err)
{
	struct app *a = ctx;
	/* Dropped unanswered (the console is quitting): nothing to learn,
	 * and no reason to fail the exit. */
	if (err == dbq_cancelled)
		return;
	if (err || nres != 1) {
		if (err && strstr(err, "relation \"") && strstr(err, "does not exist"))
			app_fail(a, EXIT_DB, "no Baton schema in this database: run 'baton migrate'");
		else
			app_fail(a, EXIT_DB, "%s", err ? err : "unexpected answer");
		return;
	}
	char e[128];
	struct session_me m;
	if (session_me_from_result(&m, res[0], e, sizeof e) < 0) {
		app_fail(a, EXIT_DB, "%s", e);
		return;
	}
	int v = m.schema;
	if (v != migrate_latest()) {
		app_fail(a, EXIT_DB, v < migrate_latest()
		         ? "the database schema is version %d, this baton needs %d: run 'baton migrate'"
		         : "the database schema is version %d, newer than this baton (%d): upgrade baton",
		         v, migrate_latest());
		return;
	}
	/* Reads are the server's to allow (row-level security, migration 005):
	 * without an active staff entry nothing about customers shows. */
	int withdrawn = a->ready && a->me.staff && !m.staff;
	a->me = m;
	draft_identity(dbq_conn(a->db), m.role, a->draft_owner, sizeof a->draft_owner);
	if (withdrawn)
		app_message(a, 1, "access withdrawn: role %s is no longer an active staff member,"
		            " so Baton shows no customers", m.role);
	else if (!m.staff)
		app_message(a, 1, "role %s is not an active staff member: Baton shows no customers;"
		            " 'baton doctor' says what an administrator runs", m.role);
	a->ready = 1;
	/* Everything on screen may be stale after a reconnect, and this
	 * session has not said which customer it shows. */
	app_reload_all(a);
	a->presence.announced = -1;
	app_presence_follow(a);
	static const char *const none[1] = {NULL};
	struct db_stmt listen = {"LISTEN baton", 0, none};
	dbq_submit(a->db, 0, &listen, 1, 1, NULL, NULL);
	if (!a->drafts_offered) {
		a->drafts_offered = 1;
		offer_drafts(a);
	}
}

void app_on_db_state(void *ctx, enum dbq_state st, const char *msg)
{
	struct app *a = ctx;
	enum dbq_state was = a->db_state;
	a->db_state = st;
	a->dirty = 1;
	if (st == DBQ_DOWN) {
		snprintf(a->db_error, sizeof a->db_error, "%s", msg ? msg : "");
		if (!a->ready && was != DBQ_READY) {
			/* Never connected: a wrong address or password will not
			 * fix itself, so say it and stop. */
			app_fail(a, EXIT_DB, "cannot connect to the database: %s", a->db_error);
		}
		return;
	}
	if (st == DBQ_READY) {
		a->db_error[0] = '\0';
		static const char *const none[1] = {NULL};
		struct db_stmt s = {finder_me_sql, 0, none};
		dbq_submit(a->db, 0, &s, 1, 1, on_me, a);
	}
}
