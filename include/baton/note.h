/* Success notes from the client's side: a new note or a correction of one,
 * written through the database function baton_note_add (migration 007),
 * which checks every write.  Drafts on disk are in draft.h. */
#ifndef BATON_NOTE_H
#define BATON_NOTE_H

#include <stddef.h>

#include "baton/db.h"

/* What a note records, as the schema has them: note, call, meeting, qbr,
 * email.  note_kind_valid: 1 if k is one of them. */
#define NOTE_KINDS 5
extern const char *const note_kinds[NOTE_KINDS];
int note_kind_valid(const char *k);

struct note_new {
	char id[37];            /* client-generated: retries are recognised */
	long long customer_id;
	char customer_name[201];
	char kind[8];
	long long ticket_id;    /* 0: not linked to a ticket */
	const char *ticket_ref; /* or a ticket as a person names it (handoff.h) */
	char handoff_id[37];    /* "": not linked to a handoff */
	long long supersedes;   /* 0: a new note; else the note it corrects */
	char *body;             /* malloc'd UTF-8 */
};

/* What a note may be about, as the customer screen offers it: one of the
 * customer's tickets or handoffs. */
struct note_link {
	long long ticket_id;    /* 0: a handoff */
	char handoff_id[37];
	char *label;            /* malloc'd, as the database has it: clean it */
};
struct note_links {
	struct note_link *v;    /* malloc'd */
	int n;
};
void note_links_add(struct note_links *l, long long ticket_id, const char *handoff_id,
                    const char *label);
void note_links_free(struct note_links *l);
/* The index of n's link in l, -1 for none (or one l does not have). */
int note_links_find(const struct note_links *l, const struct note_new *n);

/* A fresh id, kind "note", everything else empty.  -1 if no randomness. */
int note_init(struct note_new *n);
void note_clear(struct note_new *n); /* frees body */

/* The text of a note, a handoff's or a comment (what, e.g. "note"): not
 * blank, at most max bytes, valid UTF-8.  empty_hint follows "the note is
 * empty" (may be "").  -1 + err. */
int note_text_check(const char *what, const char *text, size_t max, const char *empty_hint,
                    char *err, size_t errlen);

/* Check before sending, to tell the writer at once: the kind, the text
 * (max_bytes: the database's largest note, 0 if not read yet: the
 * schema's), one link at most.  The server checks all of it again. */
int note_validate(const struct note_new *n, int max_bytes, char *err, size_t errlen);

/* The statement writing n; `store` keeps its parameters and must live as
 * long as the statement.  Result columns: created, note_id. */
struct note_params {
	char num[3][24];
	const char *p[7];
};
void note_add_stmt(const struct note_new *n, struct note_params *store, struct db_stmt *out);
/* Its answer: 1 written now, 0 written before (a retry), -1 malformed;
 * the note's id in *note_id. */
int note_add_read(const PGresult *r, long long *note_id);

#endif
