/* The writes of the signals screens, from any screen: a scheduled send
 * held or released, a signal acknowledged, each with a comment asked on
 * the bottom row.  The entry's id is made once, before the first attempt,
 * so that a resend after a lost connection is recognised by the server and
 * recorded once.  A comment stays kept until the server has it: refused
 * (or cut off), it is offered again in the prompt, never lost. */
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

struct write_job {
	struct app *app;
	int ack;               /* 1: acknowledge a signal; 0: hold or release */
	long long target;      /* the send, or the signal's customer */
	char key[40];          /* what a kept comment is for */
	char action[40];       /* hold, release, or the signal's kind */
	char fingerprint[33];  /* ack: the signal as it was shown */
	char what[256];        /* for people */
	char comment[512];
	struct signal_write w;
	struct signal_params p;
};

static const char *done_word(const struct write_job *j)
{
	return j->ack ? "acknowledged" : !strcmp(j->action, "hold") ? "held" : "released";
}

static void on_written(void *ctx, PGresult **res, int nres, const char *err)
{
	struct write_job *j = ctx;
	struct app *a = j->app;
	if (err == dbq_cancelled) {
		free(j);
		return;
	}
	int ok = !err && nres == 1 && PQntuples(res[0]) == 1 && PQnfields(res[0]) == SW_MESSAGE + 1;
	if (ok && PQgetvalue(res[0], 0, SW_DONE)[0] == 't') {
		int already = PQgetvalue(res[0], 0, SW_ALREADY)[0] == 't';
		kept_drop(j->key, j->target);
		app_message(a, 0, "%s: %s%s", done_word(j), j->what, already ? " (already recorded)" : "");
		/* A change comes back as a notification; a resend changed nothing. */
		if (already)
			app_reload_all(a);
	} else {
		app_message(a, 1, "not %s: %s", done_word(j),
		            err ? err : ok ? PQgetvalue(res[0], 0, SW_MESSAGE) : "unexpected answer");
		/* The refusal's point is the fresh state. */
		app_reload_all(a);
	}
	free(j);
}

static void on_comment(struct app *a, void *ctx, const char *answer)
{
	struct write_job *j = ctx;
	if (!answer) {
		free(j);
		return;
	}
	if (text_is_blank(answer)) {
		app_message(a, 1, "not %s: say why in the comment, for everyone who sees it", done_word(j));
		free(j);
		return;
	}
	snprintf(j->comment, sizeof j->comment, "%s", answer);
	kept_put(j->key, j->target, j->comment);
	if (signal_write_init(&j->w, j->target, j->action, j->comment) < 0) {
		app_message(a, 1, "no randomness for the entry's id");
		free(j);
		return;
	}
	snprintf(j->w.fingerprint, sizeof j->w.fingerprint, "%s", j->fingerprint);
	struct db_stmt st;
	if (j->ack)
		signal_ack_stmt(&j->w, &j->p, &st);
	else
		signal_hold_stmt(&j->w, &j->p, &st);
	/* Retried after a reconnect: the id makes the resend harmless. */
	dbq_submit(a->db, 0, &st, 1, 1, on_written, j);
	if (a->db_state != DBQ_READY)
		app_message(a, 1, "database unreachable: it is sent when the database is back");
}

static void ask(struct app *a, struct write_job *j, const char *label)
{
	j->app = a;
	app_prompt(a, label, 0, on_comment, j);
	const struct kept *k = kept_find(j->key, j->target);
	if (k)
		snprintf(a->prompt.text, sizeof a->prompt.text, "%s", k->text);
}

static struct write_job *job_new(long long target, const char *key, const char *action, const char *what)
{
	struct write_job *j = calloc(1, sizeof *j);
	if (!j)
		abort();
	j->target = target;
	snprintf(j->key, sizeof j->key, "%s", key);
	snprintf(j->action, sizeof j->action, "%s", action);
	snprintf(j->what, sizeof j->what, "%s", what);
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
	j->ack = 1;
	snprintf(j->fingerprint, sizeof j->fingerprint, "%s", fingerprint);
	char label[320];
	snprintf(label, sizeof label, "Handled how? %s:", what);
	ask(a, j, label);
}
