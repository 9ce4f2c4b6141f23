/* What the screens write, independent of any screen: send a new handoff
 * or success note, a step on a handoff (acknowledge, resolve, cancel,
 * reassign) or an onboarding change (a milestone's, the health), each
 * saved as a queued draft first, so that nothing loses it (the
 * client-generated id makes a resend after a reconnect safe, and a step or
 * a milestone's change carries the version its sender saw, so it never
 * lands on top of someone else's change). */
#include "baton/buf.h"
#include "baton/draft.h"
#include "baton/fmt.h"
#include "baton/handoff.h"
#include "baton/note.h"
#include "baton/onboarding.h"
#include "baton/text.h"
#include "ui/signals.h"
#include "ui/ui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- sending: handoffs, success notes and steps alike ------------------------------------ */

struct send_job {
	struct send_job *next; /* app->sends */
	struct app *app;
	struct draft d;        /* what is on its way: a handoff, a note, a step or an onboarding change (d.kind) */
	struct handoff_params hp; /* a handoff's, a step's or an onboarding change's */
	struct note_params np;
	int unsaved;           /* its draft could not be written: memory only */
	int held;              /* holds the draft (draft_lock) until the database answers, */
	char held_id[37];      /* by its first id (a draft kept anew has another) */
	char why[256];
	handoff_step_done_fn done; /* a step's outcome to its sender; NULL: the message line */
	onboarding_done_fn ob_done; /* an onboarding change's answer to its form; NULL: the same */
	void *ctx;
};

/* The word for a step, as in "the acknowledgement is saved". */
static const char *step_noun(const char *kind)
{
	return !strcmp(kind, "acknowledged") ? "acknowledgement"
	       : !strcmp(kind, "resolved")   ? "resolution"
	       : !strcmp(kind, "cancelled")  ? "cancellation"
	                                     : "reassignment";
}

static const char *job_noun(const struct send_job *j)
{
	if (j->d.kind == DRAFT_STEP)
		return step_noun(j->d.st.s.kind);
	if (j->d.kind == DRAFT_ONBOARDING)
		return j->d.ob.health ? "health change" : "milestone change";
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

/* Why the server refused a draft this session, by its id, for the drafts
 * screen: the message line has room for the start of it only.  A few
 * suffice; the oldest makes room. */
enum { REFUSALS_MAX = 8 };
static struct refusal {
	char id[37];
	char why[256];
} refusals[REFUSALS_MAX];
static unsigned refusals_next;

static struct refusal *refusal_find(const char *id)
{
	for (int i = 0; i < REFUSALS_MAX; i++)
		if (refusals[i].id[0] && !strcmp(refusals[i].id, id))
			return &refusals[i];
	return NULL;
}

const char *handoff_send_refusal(const char *id)
{
	const struct refusal *r = refusal_find(id);
	return r ? r->why : NULL;
}

/* Refused by the database (not a lost connection: those are retried).
 * Keep the draft for editing, where D (the drafts screen) finds it; with
 * nowhere on disk to keep it, the text goes back into a form, in memory,
 * rather than being lost.  What to do comes first in the message: at 80
 * columns the server's reason may be cut, and the drafts screen shows it
 * whole. */
static void sent_refused(struct app *a, struct send_job *j, const char *why)
{
	char e[256];
	struct refusal *r = refusal_find(draft_id(&j->d));
	if (!r)
		r = &refusals[refusals_next++ % REFUSALS_MAX];
	snprintf(r->id, sizeof r->id, "%s", draft_id(&j->d));
	snprintf(r->why, sizeof r->why, "%s", why);
	if (draft_save_any(&j->d, a->draft_owner, 0, 1, e, sizeof e) == 0) {
		app_message(a, 1, "%s not sent, draft kept (D opens it): %s", job_noun(j), why);
		return;
	}
	app_push(a, draft_form_new(a, &j->d));
	a->top->ops->keep(a->top, a);
	app_message(a, APP_MSG_WHOLE, "%s not sent: %s; NOT SAVED (%s): the text is back in the form",
	            job_noun(j), why, e);
}

/* The server had this handoff or note already, with another text or other
 * choices: sent from another console of the same person (one that does
 * not hold drafts, or a send that raced this one).  The text here is not
 * the one the server kept, so it is not thrown away: it becomes a new
 * draft of its own (new id), D opens it, and the drafts screen says why.
 * The old id's draft goes: the database has that one. */
static void sent_elsewhere(struct app *a, struct send_job *j)
{
	char e[256], old[37];
	const char *noun = job_noun(j);
	snprintf(old, sizeof old, "%s", draft_id(&j->d));
	if (draft_new_id(&j->d) < 0) {
		sent_refused(a, j, "no randomness for a new draft id");
		return;
	}
	struct refusal *r = &refusals[refusals_next++ % REFUSALS_MAX];
	snprintf(r->id, sizeof r->id, "%s", draft_id(&j->d));
	snprintf(r->why, sizeof r->why,
	         "this %s was already sent from another console with other text; yours is kept here "
	         "as a new draft: s sends it as another %s",
	         noun, noun);
	if (draft_save_any(&j->d, a->draft_owner, 0, 1, e, sizeof e) == 0) {
		draft_remove(old);
		app_message(a, 1, "%s already sent elsewhere, other text: yours kept as a new draft (D)", noun);
		return;
	}
	/* Nowhere on disk: the text goes back into a form, in memory (the
	 * old draft, if it was written, still holds it too). */
	app_push(a, draft_form_new(a, &j->d));
	a->top->ops->keep(a->top, a);
	app_message(a, 1, "%s already sent elsewhere with other text; NOT SAVED (%s): yours is back in the form",
	            noun, e);
}

static int job_read(const struct send_job *j, PGresult **res, int nres, const char *err, long long *note_id)
{
	if (err || nres != 1)
		return -1;
	return j->d.kind == DRAFT_NOTE ? note_add_read(res[0], note_id) : handoff_create_read(res[0]);
}

/* A step answered: recorded, or refused for good (its version is spent,
 * or the server said no), so its draft goes either way; the person is
 * told, or the sender (the queue's bulk) counts it. */
static void step_answered(struct app *a, struct send_job *j, PGresult **res, int nres, const char *err)
{
	struct handoff_step_result r;
	const struct handoff_step *s = &j->d.st.s;
	int ok = !err && nres == 1 && handoff_step_read(res[0], &r) == 0;
	int done = ok && r.done;
	const char *why = err ? err : ok ? r.message : "unexpected answer";
	draft_remove(draft_id(&j->d));
	step_comment_answered(s, done);
	if (j->done) {
		j->done(a, j->ctx, done, why);
		return;
	}
	if (done)
		app_message(a, 0, r.already ? "handoff %s (already recorded)" : "handoff %s", r.state);
	else
		app_message(a, 1, "not %s: %s", s->kind, why);
	/* A change comes back as a notification; a refusal does not, and its
	 * point is the fresh state: re-read now. */
	if (!done || r.already)
		app_reload_all(a);
}

/* --- onboarding changes ------------------------------------------------------------ */

/* Changes the server refused after their form was left (or sent from the
 * drafts screen), by milestone or customer: the next form opened on it
 * starts from the change, with the reason, as if it had stayed open.  A
 * few suffice; the oldest makes room. */
enum { REFUSED_MAX = 4 };
static struct refused_change {
	struct onboarding_new ob; /* ob.m.id / ob.h.id "": a free slot */
	char why[256];
} refused_changes[REFUSED_MAX];
static unsigned refused_next;

static long long change_key(const struct onboarding_new *ob)
{
	return ob->health ? ob->h.customer_id : ob->m.milestone_id;
}

static const char *change_id(const struct onboarding_new *ob)
{
	return ob->health ? ob->h.id : ob->m.id;
}

static struct refused_change *refused_find(int health, long long id)
{
	for (int i = 0; i < REFUSED_MAX; i++) {
		struct refused_change *r = &refused_changes[i];
		if (change_id(&r->ob)[0] && r->ob.health == health && change_key(&r->ob) == id)
			return r;
	}
	return NULL;
}

int onboarding_refused_take(int health, long long id, struct onboarding_new *out, char *why, size_t n)
{
	struct refused_change *r = refused_find(health, id);
	if (!r)
		return 0;
	*out = r->ob;
	snprintf(why, n, "%s", r->why);
	memset(r, 0, sizeof *r);
	return 1;
}

static void refused_put(const struct onboarding_new *ob, const char *why)
{
	struct refused_change *r = refused_find(ob->health, change_key(ob));
	if (!r)
		r = &refused_changes[refused_next++ % REFUSED_MAX];
	r->ob = *ob;
	snprintf(r->why, sizeof r->why, "%s", why);
}

/* "milestone "Data migration"" / "onboarding health of Northwind Health". */
static void change_what(const struct onboarding_new *ob, char *out, size_t n)
{
	if (ob->health)
		snprintf(out, n, "onboarding health of %s", ob->customer_name);
	else
		snprintf(out, n, "milestone \"%s\"", ob->m.title);
}

int onboarding_outcome(const struct onboarding_new *ob, const struct handoff_step_result *r, const char *err,
                       char *out, size_t n)
{
	char thing[300], state[32];
	change_what(ob, thing, sizeof thing);
	if (r && r->done) {
		fmt_words(state, sizeof state, ob->health ? r->state : onboarding_status_label(r->state));
		snprintf(out, n, "%s: %s%s", thing, state, r->already ? " (already recorded)" : "");
		return 1;
	}
	snprintf(out, n, "%s not saved: %s", thing, r ? r->message : err ? err : "unexpected answer");
	return 0;
}

/* A change answered: recorded, or refused for good (its version is spent,
 * or the server said no), so its draft goes either way.  Its form, if it
 * is still open, shows the answer; else the message line does, and a
 * refused change waits for the next form on the same milestone. */
static void onboarding_answered(struct app *a, struct send_job *j, PGresult **res, int nres, const char *err)
{
	struct handoff_step_result r;
	char msg[1200];
	memset(&r, 0, sizeof r);
	int ok = !err && nres == 1 && handoff_step_read(res[0], &r) == 0;
	if (!ok && !err)
		err = "unexpected answer";
	draft_remove(draft_id(&j->d));
	if (j->ob_done && j->ob_done(a, j->ctx, &j->d.ob, ok ? &r : NULL, err))
		return;
	int done = onboarding_outcome(&j->d.ob, ok ? &r : NULL, err, msg, sizeof msg);
	if (!done)
		refused_put(&j->d.ob, ok ? r.message : err);
	app_message(a, !done, "%s", msg);
	/* A change comes back as a notification; a refusal and a resend do
	 * not, and the point of either is the state now. */
	if (!done || r.already)
		app_reload_all(a);
}

static void on_sent(void *ctx, PGresult **res, int nres, const char *err)
{
	struct send_job *j = ctx;
	struct app *a = j->app;
	long long note_id = 0;
	int created = 0;
	sends_unlink(a, j);
	if (err == dbq_cancelled) {
		/* Leaving with the send still queued: the draft stays queued on
		 * disk and is offered at the next start. */
		if (j->done)
			j->done(a, j->ctx, -1, NULL);
		if (j->ob_done)
			j->ob_done(a, j->ctx, &j->d.ob, NULL, NULL);
	} else if (j->d.kind == DRAFT_STEP) {
		step_answered(a, j, res, nres, err);
	} else if (j->d.kind == DRAFT_ONBOARDING) {
		onboarding_answered(a, j, res, nres, err);
	} else if ((created = job_read(j, res, nres, err, &note_id)) < 0) {
		if (err && draft_sent_otherwise(err))
			sent_elsewhere(a, j);
		else
			sent_refused(a, j, err ? err : "unexpected answer");
	} else {
		struct refusal *r = refusal_find(draft_id(&j->d));
		if (r)
			memset(r, 0, sizeof *r);
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
	if (j->held)
		draft_unlock(j->held_id);
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
	else if (j->d.kind == DRAFT_STEP)
		handoff_step_stmt(&j->d.st.s, &j->hp, &st);
	else if (j->d.kind == DRAFT_ONBOARDING && j->d.ob.health)
		onboarding_health_stmt(&j->d.ob.h, &j->hp, &st);
	else if (j->d.kind == DRAFT_ONBOARDING)
		onboarding_milestone_stmt(&j->d.ob.m, &j->hp, &st);
	else
		handoff_create_stmt(&j->d.h, &j->hp, &st);
	dbq_submit(a->db, 0, &st, 1, 1, on_sent, j);
	if (j->done)
		return; /* its sender says what happened to the lot */
	if (j->unsaved)
		app_message(a, APP_MSG_WHOLE, "NOT SAVED — the %s %s, in memory only (quitting loses it): %s",
		            job_noun(j), a->db_state != DBQ_READY ? "waits for the database" : "is being sent",
		            j->why);
	else if (a->db_state != DBQ_READY)
		app_message(a, 1, "database unreachable: the %s is saved and %s when it is back", job_noun(j),
		            j->d.kind == DRAFT_STEP || j->d.kind == DRAFT_ONBOARDING ? "sent" : "will be sent");
	else
		app_message(a, 0, "sending the %s…", job_noun(j));
}

static struct send_job *job_new(void)
{
	struct send_job *j = calloc(1, sizeof *j);
	if (!j)
		abort();
	return j;
}

void draft_send(struct app *a, struct draft *d, int held)
{
	struct send_job *j;
	if (d->kind == DRAFT_SIGNAL) { /* the signals' own sender: a write sent again is recorded once */
		char id[37];
		snprintf(id, sizeof id, "%s", draft_id(d));
		signal_draft_send(a, d);
		if (held)
			draft_unlock(id);
		return;
	}
	j = job_new();
	j->d = *d;
	memset(d, 0, sizeof *d);
	j->held = held;
	snprintf(j->held_id, sizeof j->held_id, "%s", draft_id(&j->d));
	if (held) /* for the other consoles' lists: on its way */
		draft_lock_doing(j->held_id, "send");
	send_start(a, j);
}

int handoff_step_send(struct app *a, struct step_new *st, handoff_step_done_fn done, void *ctx)
{
	struct send_job *j = job_new();
	j->d.kind = DRAFT_STEP;
	j->d.st = *st;
	j->d.queued = 1;
	memset(st, 0, sizeof *st);
	j->done = done;
	j->ctx = ctx;
	send_start(a, j);
	return j->unsaved;
}

int onboarding_send(struct app *a, const struct onboarding_new *ob, onboarding_done_fn done, void *ctx)
{
	struct send_job *j = job_new();
	j->d.kind = DRAFT_ONBOARDING;
	j->d.ob = *ob;
	j->d.queued = 1;
	j->ob_done = done;
	j->ctx = ctx;
	send_start(a, j);
	return j->unsaved;
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

int handoff_send_pending(const struct app *a, const char *id)
{
	for (const struct send_job *j = a->sends; j; j = j->next)
		if (!strcmp(draft_id(&j->d), id))
			return 1;
	return 0;
}
