/* What the screens write, independent of any screen: send a new handoff
 * or success note (saved as queued first, so nothing loses it; the
 * client-generated id makes a resend after a reconnect safe), and
 * acknowledge, resolve or cancel a handoff with an optional comment. */
#include "baton/draft.h"
#include "baton/handoff.h"
#include "baton/note.h"
#include "ui/ui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- sending: handoffs and success notes alike ---------------------------------------- */

struct send_job {
	struct send_job *next; /* app->sends */
	struct app *app;
	struct draft d;        /* what is on its way: a handoff or a note (d.kind) */
	struct handoff_params hp;
	struct note_params np;
	int unsaved;           /* its draft could not be written: memory only */
	char why[256];
};

static const char *job_noun(const struct send_job *j)
{
	return j->d.kind == DRAFT_NOTE ? "note" : "handoff";
}

static void sends_unlink(struct app *a, struct send_job *j)
{
	for (struct send_job **p = &a->sends; *p; p = &(*p)->next)
		if (*p == j) {
			*p = j->next;
			return;
		}
}

/* Refused by the database (not a lost connection: those are retried).
 * Keep the draft for editing; with nowhere on disk to keep it, the text
 * goes back into a form, in memory, rather than being lost. */
static void sent_refused(struct app *a, struct send_job *j, const char *why)
{
	char e[256];
	if (draft_save_any(&j->d, a->draft_owner, 0, 1, e, sizeof e) == 0) {
		app_message(a, 1, "%s not sent: %s (the draft is kept)", job_noun(j), why);
		return;
	}
	app_push(a, draft_form_new(a, &j->d));
	a->top->ops->keep(a->top, a);
	app_message(a, 1, "%s not sent: %s; NOT SAVED (%s): the text is back in the form", job_noun(j),
	            why, e);
}

static int job_read(const struct send_job *j, PGresult **res, int nres, const char *err, long long *note_id)
{
	if (err || nres != 1)
		return -1;
	return j->d.kind == DRAFT_NOTE ? note_add_read(res[0], note_id) : handoff_create_read(res[0]);
}

static void on_sent(void *ctx, PGresult **res, int nres, const char *err)
{
	struct send_job *j = ctx;
	struct app *a = j->app;
	long long note_id = 0;
	int created = job_read(j, res, nres, err, &note_id);
	sends_unlink(a, j);
	if (err == dbq_cancelled) {
		/* Leaving with the send still queued: the draft stays queued on
		 * disk and is offered at the next start. */
	} else if (created < 0) {
		sent_refused(a, j, err ? err : "unexpected answer");
	} else {
		draft_remove(draft_id(&j->d));
		if (j->d.kind == DRAFT_NOTE)
			app_message(a, 0, created ? "note %lld written" : "note %lld was already written", note_id);
		else
			app_message(a, 0, created ? "handoff sent to %s" : "handoff to %s was already delivered",
			            j->d.h.to_team);
		/* What is new comes back as a change notification, which
		 * re-reads the screens; a resend changed nothing in the database,
		 * only the drafts on disk. */
		if (!created)
			app_reload_all(a);
	}
	draft_clear(&j->d);
	free(j);
}

/* On disk first (queued, synced), then to the database: from here on
 * nothing loses it, and the client's id makes a resend harmless. */
static void send_start(struct app *a, struct send_job *j)
{
	struct db_stmt st;
	j->app = a;
	j->unsaved = draft_save_any(&j->d, a->draft_owner, 1, 1, j->why, sizeof j->why) < 0;
	j->next = a->sends;
	a->sends = j;
	if (j->d.kind == DRAFT_NOTE)
		note_add_stmt(&j->d.n, &j->np, &st);
	else
		handoff_create_stmt(&j->d.h, &j->hp, &st);
	dbq_submit(a->db, 0, &st, 1, 1, on_sent, j);
	if (j->unsaved)
		app_message(a, 1, "NOT SAVED — the %s %s, in memory only (quitting loses it): %s", job_noun(j),
		            a->db_state != DBQ_READY ? "waits for the database" : "is being sent", j->why);
	else if (a->db_state != DBQ_READY)
		app_message(a, 1, "database unreachable: the %s is saved and will be sent when it is back",
		            job_noun(j));
	else
		app_message(a, 0, "sending the %s…", job_noun(j));
}

void draft_send(struct app *a, struct draft *d)
{
	struct send_job *j = calloc(1, sizeof *j);
	if (!j)
		abort();
	j->d = *d;
	memset(d, 0, sizeof *d);
	send_start(a, j);
}

int handoff_send_keep(struct app *a)
{
	int n = 0;
	for (struct send_job *j = a->sends; j; j = j->next) {
		if (j->unsaved && draft_save_any(&j->d, a->draft_owner, 1, 1, j->why, sizeof j->why) == 0)
			j->unsaved = 0;
		n += j->unsaved;
	}
	return n;
}

/* --- steps ------------------------------------------------------------------------ */

struct step_job {
	struct app *app;
	struct handoff_step s;
	struct handoff_params params;
};

static void step_free(struct step_job *j)
{
	handoff_step_clear(&j->s);
	free(j);
}

static void on_step(void *ctx, PGresult **res, int nres, const char *err)
{
	struct step_job *j = ctx;
	struct app *a = j->app;
	struct handoff_step_result r;
	if (err == dbq_cancelled) {
		step_free(j);
		return;
	}
	int ok = !err && nres == 1 && handoff_step_read(res[0], &r) == 0;
	if (!ok)
		app_message(a, 1, "not %s: %s", j->s.kind, err ? err : "unexpected answer");
	else if (r.done)
		app_message(a, 0, "handoff %s", r.state);
	else
		app_message(a, 1, "not %s: %s", j->s.kind, r.message);
	/* A change comes back as a notification; a refusal does not, and its
	 * point is the fresh state: re-read now. */
	if (!ok || !r.done || r.already)
		app_reload_all(a);
	step_free(j);
}

static void on_comment(struct app *a, void *ctx, const char *answer)
{
	struct step_job *j = ctx;
	if (!answer) {
		step_free(j);
		return;
	}
	if (*answer && !(j->s.comment = strdup(answer)))
		abort();
	struct db_stmt st;
	handoff_step_stmt(&j->s, &j->params, &st);
	/* The event id makes a resend after a lost connection harmless. */
	dbq_submit(a->db, 0, &st, 1, 1, on_step, j);
}

void handoff_step_ask(struct app *a, const char *id, int version, const char *kind)
{
	struct step_job *j = calloc(1, sizeof *j);
	if (!j)
		abort();
	j->app = a;
	if (handoff_step_init(&j->s, id, kind) < 0) {
		free(j);
		app_message(a, 1, "no randomness for the event id");
		return;
	}
	j->s.version = version;
	char label[64];
	snprintf(label, sizeof label, "%s; comment (optional):",
	         !strcmp(kind, "acknowledged") ? "Acknowledge" : !strcmp(kind, "resolved") ? "Resolve" : "Cancel");
	app_prompt(a, label, 0, on_comment, j);
}
