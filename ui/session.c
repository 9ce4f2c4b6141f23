/* Who the console is connected as, checked on every (re)connect, and what
 * the database's notifications make the screens re-read. */
#include "baton/cli.h"
#include "baton/db.h"
#include "baton/draft.h"
#include "baton/finder.h"
#include "baton/migrate.h"
#include "baton/session.h"
#include "ui/ui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void on_me(void *ctx, PGresult **res, int nres, const char *err);

/* Someone wrote: re-read what is on screen.  Bursts coalesce because each
 * screen's reload replaces its own queued request. */
void app_on_notify(void *ctx, const char *channel, const char *payload)
{
	struct app *a = ctx;
	long long id = 0;
	(void)channel;
	if (payload && strncmp(payload, "customer:", 9) == 0)
		id = atoll(payload + 9);
	/* Someone's staff entry changed: if it is ours, who am I again. */
	if (payload && strncmp(payload, "staff:", 6) == 0) {
		if (!strcmp(payload + 6, a->me.role)) {
			static const char *const none[1] = {NULL};
			struct db_stmt s = {finder_me_sql, 0, none};
			dbq_submit(a->db, 0, &s, 1, 1, on_me, a);
		}
		return;
	}
	for (struct screen *s = a->top; s; s = s->below)
		if (s->ops->reload && (!s->customer_id || !id || s->customer_id == id))
			s->ops->reload(s, a);
	a->dirty = 1;
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
	/* Everything on screen may be stale after a reconnect. */
	app_reload_all(a);
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
