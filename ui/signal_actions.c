/* The writes of the signals screens, from any screen: a scheduled send
 * held or released, a signal acknowledged, each with a comment asked on
 * the bottom row.  The entry's id is made once, before the first attempt,
 * so that a resend after a lost connection is recognised by the server and
 * recorded once.  From the moment it is sent a write is kept on disk as a
 * queued draft, as a handoff's step is: a database outage, a dropped SSH
 * session or quitting does not lose it, and the drafts screen offers it at
 * the next start.  A comment stays kept until the server has it: refused
 * (or cut off), it is offered again in the prompt, never lost. */
#include "baton/draft.h"
#include "baton/signals.h"
#include "baton/text.h"
#include "ui/signals.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Comments not yet recorded, by what they are for ("send" and the send,
 * or a signal's kind and its customer).  One prompt at a time: a few
 * suffice, and the oldest makes room. */
enum { KEPT_MAX = 8 };
static struct kept {
	char key[40];
	long long target;
	char text[512];
} kept[KEPT_MAX];
static unsigned kept_next;

static struct kept *kept_find(const char *key, long long target)
{
	for (int i = 0; i < KEPT_MAX; i++)
		if (kept[i].target == target && !strcmp(kept[i].key, key))
			return &kept[i];
	return NULL;
}

static void kept_put(const char *key, long long target, const char *text)
{
	struct kept *k = kept_find(key, target);
	if (!k)
		k = &kept[kept_next++ % KEPT_MAX];
	snprintf(k->key, sizeof k->key, "%s", key);
	k->target = target;
	snprintf(k->text, sizeof k->text, "%s", text);
}

static void kept_drop(const char *key, long long target)
{
	struct kept *k = kept_find(key, target);
	if (k)
		memset(k, 0, sizeof *k);
}

/* A write asked for (the prompt is open) or on its way. */
struct write_job {
	struct write_job *next; /* on their way: jobs */
	struct app *app;
	char key[40];           /* what a kept comment is for */
	char action[40];        /* hold, release, or the signal's kind */
	struct draft d;         /* d.sg: what is sent, kept as a queued draft */
	int unsaved;            /* its draft could not be written: memory only */
	char why[256];
	struct signal_params p;
};

static struct write_job *jobs;

static const char *done_word(const struct signal_new *sg)
{
	return sg->ack ? "acknowledged" : !strcmp(sg->w.what, "hold") ? "held" : "released";
}

static const char *write_noun(const struct signal_new *sg)
{
	return sg->ack ? "acknowledgement" : !strcmp(sg->w.what, "hold") ? "hold" : "release";
}

static void job_free(struct write_job *j)
{
	draft_clear(&j->d);
	free(j);
}

static void jobs_unlink(struct write_job *j)
{
	for (struct write_job **p = &jobs; *p; p = &(*p)->next)
		if (*p == j) {
			*p = j->next;
			return;
		}
}

/* The key of a kept comment: "send" for holds, the signal's kind. */
static const char *kept_key(const struct signal_new *sg)
{
	return sg->ack ? sg->w.what : "send";
}

static void on_written(void *ctx, PGresult **res, int nres, const char *err)
{
	struct write_job *j = ctx;
	struct app *a = j->app;
	struct signal_new *sg = &j->d.sg;
	jobs_unlink(j);
	if (err == dbq_cancelled) {
		/* Leaving with it unanswered: the draft stays queued on disk
		 * and is offered at the next start. */
		job_free(j);
		return;
	}
	/* Answered, either way: a refused write is not sent again (the facts
	 * it was made on are gone); its comment is offered at the next try. */
	draft_remove(sg->w.id);
	int ok = !err && nres == 1 && PQntuples(res[0]) == 1 && PQnfields(res[0]) == SW_MESSAGE + 1;
	if (ok && PQgetvalue(res[0], 0, SW_DONE)[0] == 't') {
		int already = PQgetvalue(res[0], 0, SW_ALREADY)[0] == 't';
		kept_drop(kept_key(sg), sg->w.target);
		app_message(a, 0, "%s: %s%s", done_word(sg), sg->about, already ? " (already recorded)" : "");
		/* A change comes back as a notification; a resend changed nothing. */
		if (already)
			app_reload_all(a);
	} else {
		kept_put(kept_key(sg), sg->w.target, sg->comment);
		app_message(a, 1, "not %s: %s", done_word(sg),
		            err ? err : ok ? PQgetvalue(res[0], 0, SW_MESSAGE) : "unexpected answer");
		/* The refusal's point is the fresh state. */
		app_reload_all(a);
	}
	job_free(j);
}

/* On disk first (queued, synced), then to the database. */
static void write_start(struct app *a, struct write_job *j)
{
	struct signal_new *sg = &j->d.sg;
	struct db_stmt st;
	j->app = a;
	j->d.kind = DRAFT_SIGNAL;
	j->d.queued = 1;
	sg->w.comment = sg->comment;
	j->unsaved = draft_save_any(&j->d, a->draft_owner, 1, 1, j->why, sizeof j->why) < 0;
	j->next = jobs;
	jobs = j;
	if (sg->ack)
		signal_ack_stmt(&sg->w, &j->p, &st);
	else
		signal_hold_stmt(&sg->w, &j->p, &st);
	/* Retried after a reconnect: the id makes the resend harmless. */
	dbq_submit(a->db, 0, &st, 1, 1, on_written, j);
	if (j->unsaved)
		app_message(a, APP_MSG_WHOLE, "NOT SAVED — the %s waits, in memory only (quitting loses it): %s",
		            write_noun(sg), j->why);
	else if (a->db_state != DBQ_READY)
		app_message(a, 1, "database unreachable: the %s is saved and sent when it is back", write_noun(sg));
}

static void on_comment(struct app *a, void *ctx, const char *answer)
{
	struct write_job *j = ctx;
	struct signal_new *sg = &j->d.sg;
	if (!answer) {
		job_free(j);
		return;
	}
	if (text_is_blank(answer)) {
		app_message(a, 1, "not %s: say why in the comment, for everyone who sees it", done_word(sg));
		job_free(j);
		return;
	}
	if (!(sg->comment = strdup(answer)))
		abort();
	kept_put(j->key, sg->w.target, sg->comment);
	char fingerprint[sizeof sg->w.fingerprint];
	snprintf(fingerprint, sizeof fingerprint, "%s", sg->w.fingerprint);
	if (signal_write_init(&sg->w, sg->w.target, j->action, sg->comment) < 0) {
		app_message(a, 1, "no randomness for the entry's id");
		job_free(j);
		return;
	}
	snprintf(sg->w.fingerprint, sizeof sg->w.fingerprint, "%s", fingerprint);
	write_start(a, j);
}

static void ask(struct app *a, struct write_job *j, const char *label)
{
	j->app = a;
	app_prompt(a, label, 0, on_comment, j);
	const struct kept *k = kept_find(j->key, j->d.sg.w.target);
	if (k)
		snprintf(a->prompt.text, sizeof a->prompt.text, "%s", k->text);
}

static struct write_job *job_new(long long target, const char *key, const char *action, const char *what)
{
	struct write_job *j = calloc(1, sizeof *j);
	if (!j)
		abort();
	j->d.kind = DRAFT_SIGNAL;
	j->d.sg.w.target = target;
	snprintf(j->key, sizeof j->key, "%s", key);
	snprintf(j->action, sizeof j->action, "%s", action);
	snprintf(j->d.sg.about, sizeof j->d.sg.about, "%s", what);
	return j;
}

void signal_hold_ask(struct app *a, long long event, int held, const char *what)
{
	struct write_job *j = job_new(event, "send", held ? "release" : "hold", what);
	char label[320];
	snprintf(label, sizeof label, "Why %s %s?", held ? "release" : "hold", what);
	ask(a, j, label);
}

void signal_ack_ask(struct app *a, long long customer, const char *kind, const char *fingerprint,
                    const char *what)
{
	struct write_job *j = job_new(customer, kind, kind, what);
	j->d.sg.ack = 1;
	snprintf(j->d.sg.w.fingerprint, sizeof j->d.sg.w.fingerprint, "%s", fingerprint);
	char label[320];
	snprintf(label, sizeof label, "Handled how? %s:", what);
	ask(a, j, label);
}

void signal_draft_send(struct app *a, struct draft *d)
{
	struct write_job *j = calloc(1, sizeof *j);
	if (!j)
		abort();
	j->d = *d;
	memset(d, 0, sizeof *d);
	snprintf(j->key, sizeof j->key, "%s", kept_key(&j->d.sg));
	snprintf(j->action, sizeof j->action, "%s", j->d.sg.w.what);
	write_start(a, j);
	if (a->db_state == DBQ_READY && !j->unsaved)
		app_message(a, 0, "sending the %s…", write_noun(&j->d.sg));
}

int signal_writes_keep(struct app *a)
{
	int n = 0;
	for (struct write_job *j = jobs; j; j = j->next) {
		if (j->unsaved && draft_save_any(&j->d, a->draft_owner, 1, 1, j->why, sizeof j->why) == 0)
			j->unsaved = 0;
		n += j->unsaved;
	}
	return n;
}

int signal_write_pending(const char *id)
{
	for (const struct write_job *j = jobs; j; j = j->next)
		if (!strcmp(j->d.sg.w.id, id))
			return 1;
	return 0;
}
