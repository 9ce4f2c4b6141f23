/* Drafts on local disk, kept from the first keystroke until the database
 * has what was written: handoffs, success notes, the steps of a handoff's
 * lifecycle (acknowledge, resolve, cancel, reassign), the signals' writes
 * (a send held or released, a signal acknowledged) and onboarding changes
 * (a milestone's, the health), the last three kept from the moment they
 * are sent; each a kind of draft with the same guarantees.
 *
 * The host is shared and may be hostile: other local users can write to
 * shared directories, and $XDG_STATE_HOME may sit on shared storage.  So the
 * drafts directory is verified before every use (a real directory, not a
 * symbolic link, owned by the effective user, writable by nobody else) or
 * drafts are refused with a message naming the path and the problem; files
 * are reached through the verified directory's descriptor, never through a
 * symbolic link, and anything that is not a regular file of ours in the
 * draft format is reported, never offered or sent.
 *
 * A draft belongs to the database and role that wrote it (its owner, see
 * draft_identity): another staff member on the same OS account, or the same
 * person on another database, never sees or sends it. */
#ifndef BATON_DRAFT_H
#define BATON_DRAFT_H

#include <libpq-fe.h>
#include <stddef.h>
#include <time.h>

#include "baton/handoff.h"
#include "baton/note.h"
#include "baton/onboarding.h"
#include "baton/signals.h"

/* The largest draft file read: a note is at most 64 KiB, so anything
 * bigger was not written by Baton. */
#define DRAFT_MAX_BYTES (1024 * 1024)
#define DRAFT_OWNER_MAX 512

/* The kinds kept only once sent (always queued) come after DRAFT_STEP. */
enum draft_kind { DRAFT_HANDOFF, DRAFT_NOTE, DRAFT_STEP, DRAFT_SIGNAL, DRAFT_ONBOARDING };

/* A lifecycle step on its way: kept as soon as it is sent, so that a
 * database outage or a closed console does not lose it.  Its event id is
 * the draft's id (a resend is recorded once) and its version the one the
 * sender saw (a step that meets someone else's change is refused, never
 * applied over it). */
struct step_new {
	struct handoff_step s;   /* s.kind: one of handoff_step_kind's; s.comment malloc'd or NULL */
	char customer_name[201]; /* whose handoff, for people; "" unknown */
};

/* A signal's write on its way, kept like a step: a scheduled send held or
 * released (w.target the send, w.what "hold" or "release"), or a signal
 * acknowledged (ack; w.target the customer, w.what the signal's kind,
 * w.fingerprint the facts as they were shown, so an acknowledgement of
 * facts that changed meanwhile is refused).  Its id is w.id: a resend is
 * recorded once. */
struct signal_new {
	struct signal_write w;  /* w.comment points at comment */
	int ack;
	char *comment;          /* malloc'd, not blank */
	char about[256];        /* the send or the signal, for people */
};

/* An onboarding change on its way, kept like a step from the moment it
 * is saved (Ctrl-X): a milestone's new state (m: its status, due date,
 * owner, reason and the version it was read at, so that a change that
 * meets someone else's is refused, never applied over it) or the
 * customer's health with its reason (h).  Its id is the change's: a
 * resend is recorded once. */
struct onboarding_new {
	int health;                /* h: the health; else m: a milestone */
	struct milestone_change m;
	struct health_change h;
	char customer_name[201];   /* whose, for people; "" unknown */
};

struct draft {
	enum draft_kind kind;
	struct handoff_new h;  /* kind DRAFT_HANDOFF; h.note is malloc'd */
	struct note_new n;     /* kind DRAFT_NOTE; n.body is malloc'd */
	struct step_new st;    /* kind DRAFT_STEP; always queued */
	struct signal_new sg;  /* kind DRAFT_SIGNAL; always queued */
	struct onboarding_new ob; /* kind DRAFT_ONBOARDING; always queued */
	char owner[DRAFT_OWNER_MAX];
	/* DRAFT_HANDOFF, DRAFT_NOTE: bytes typed or pasted that the form did
	 * not take (over the note's maximum), said again when the draft is
	 * opened; 0 none. */
	size_t not_taken;
	int queued;            /* submitted, waiting for the database */
	time_t mtime;
};

struct draft_list {
	struct draft *v;       /* the owner's drafts, newest first */
	int n;
	int refused;           /* files that are not drafts of ours */
	char problem[768];     /* the first of them: its path and what is wrong */
};

/* Directory for drafts: $XDG_STATE_HOME/baton/drafts or
 * ~/.local/state/baton/drafts, created 0700 and verified.  -1 + err naming
 * the path and the problem. */
int draft_dir(char *out, size_t n, char *err, size_t errlen);

/* The owner key of a connection: the session user (as the server says),
 * the database, host and port.  "" if c is NULL. */
void draft_identity(const PGconn *c, const char *session_user, char *out, size_t n);

/* Write atomically (a new temporary file, mode 0600, then rename) for
 * owner (not empty).  queued: submitted and waiting for the database;
 * sync: fsync before returning.  -1 + err. */
int draft_save(const struct handoff_new *h, const char *owner, int queued, int sync, char *err,
               size_t errlen);
/* The same for a success note. */
int draft_save_note(const struct note_new *n, const char *owner, int queued, int sync, char *err,
                    size_t errlen);
/* The same for a lifecycle step. */
int draft_save_step(const struct step_new *st, const char *owner, int queued, int sync, char *err,
                    size_t errlen);
/* The same for a signal's write. */
int draft_save_signal(const struct signal_new *sg, const char *owner, int queued, int sync, char *err,
                      size_t errlen);
/* The same for an onboarding change. */
int draft_save_onboarding(const struct onboarding_new *ob, const char *owner, int queued, int sync,
                          char *err, size_t errlen);
/* Whichever d holds (d->kind). */
int draft_save_any(const struct draft *d, const char *owner, int queued, int sync, char *err,
                   size_t errlen);
/* Read the draft file `name` (no '/') of the drafts directory.  -1 + err
 * (its path and why: not a regular file, not ours, too big, bad format),
 * errno ENOENT when there is no such file; d is then empty. */
int draft_load(const char *name, struct draft *d, char *err, size_t errlen);
void draft_clear(struct draft *d);
/* The id of what the draft holds (a handoff's or a note's; a step's event,
 * a signal write's entry, an onboarding change's). */
const char *draft_id(const struct draft *d);
/* New ids for what d holds (a handoff's and its created event's, a
 * note's): the same text becomes another draft, to be sent as another
 * handoff or note.  -1 without randomness. */
int draft_new_id(struct draft *d);
/* Whether the database's refusal err of a handoff or note says that its
 * id was already sent, by the same person, with another text or other
 * choices (baton_handoff_create, baton_note_add: "... was already sent
 * with a different ..."). */
int draft_sent_otherwise(const char *err);
/* Remove the draft with this id; 0 also if there was none. */
int draft_remove(const char *id);

/* Which console has a draft (src/draft_lock.c).  The same person may run
 * two consoles on one home directory: a draft open in a form or on its
 * way in one is that console's until it lets go, and the others may not
 * send, discard or open it.  A lock the system releases when the process
 * ends, however it ends; holds are counted per id in a process. */
#define DRAFT_DOING_MAX 16
/* Hold the draft id for this console, saying what it does with it
 * ("form", "send"): 0 held (one more hold when this console held it
 * already); 1 another console holds it (what it does into other, "" if it
 * did not say); -1 + err (the directory refused, a lock file that is not
 * a regular file of ours). */
int draft_lock(const char *id, const char *doing, char *other, size_t on, char *err, size_t errlen);
/* What this console now does with the draft id it holds. */
void draft_lock_doing(const char *id, const char *doing);
/* One hold let go; with the last, the lock, and its file once the draft
 * is gone. */
void draft_unlock(const char *id);
/* 1 if another console holds the draft id (what it does into doing),
 * else 0. */
int draft_locked_elsewhere(const char *id, char *doing, size_t n);
/* The drafts of owner, newest first, and what was refused.  -1 + err if
 * the directory cannot be used. */
int draft_list(const char *owner, struct draft_list *l, char *err, size_t errlen);
void draft_list_free(struct draft_list *l);

#endif
