/* Handoffs from the client's side: the statements that create and move
 * them (through the database functions of migration 006, which check
 * every write against the rules in the database).  Drafts on local disk
 * are in draft.h. */
#ifndef BATON_HANDOFF_H
#define BATON_HANDOFF_H

#include <stddef.h>

#include "baton/db.h"

struct team_list;

/* The schema's bounds: a reason's length, the largest note whatever the
 * database's rules say. */
#define HANDOFF_REASON_MAX 40
#define HANDOFF_NOTE_MAX 65536

struct handoff_new {
	char id[37];          /* client-generated: retries are recognised */
	char event_id[37];
	long long customer_id;
	char customer_name[201];
	char to_team[33];
	char to_staff[64];    /* "" : anyone in the team */
	char reason[41];
	char priority[8];
	long long ticket_id;  /* 0: none */
	const char *ticket_ref; /* or a ticket as a person names it (not owned): see below */
	char *note;           /* malloc'd UTF-8 */
};

/* A ticket as a person names it (`--ticket`): its number, with or without
 * '#', or its Baton id as id:N.  The server's baton_ticket_ref (migration
 * 081) finds it among the customer's tickets, in the statement that
 * writes.  The parameter for a ticket given by ref, else by id ("id:N"
 * in buf), else NULL (none). */
const char *ticket_ref_param(const char *ref, long long id, char *buf, size_t n);

/* A ticket a handoff may link to: the customer's open tickets, as the
 * customer screen hands them to the form. */
struct handoff_ticket {
	long long id;
	char *number;         /* malloc'd: as shown (its source's number, else its id) */
	char *subject;        /* malloc'd */
};
struct handoff_tickets {
	struct handoff_ticket *v; /* malloc'd */
	int n;
};
void handoff_tickets_add(struct handoff_tickets *t, long long id, const char *number,
                         const char *subject);
void handoff_tickets_free(struct handoff_tickets *t);

/* Type-ahead in a list of choices: 1 if label starts with typed, ignoring
 * case and accents ("mu" matches "Müller", "e" matches "Émile"). */
int handoff_choice_matches(const char *label, const char *typed);

/* Fresh ids, priority "normal", everything else empty. -1 if no randomness. */
int handoff_init(struct handoff_new *h);
void handoff_clear(struct handoff_new *h); /* frees note */

/* Check before sending, to tell the writer at once: a team chosen, the
 * priority, a note present and valid UTF-8; and, when the rules have been
 * read from the database (rules->max_note_bytes > 0; rules may be NULL),
 * the reason among them and the note within their largest.  The server
 * checks all of it again, whatever a client sends.  -1 + err. */
int handoff_validate(const struct handoff_new *h, const struct team_list *rules, char *err,
                     size_t errlen);

/* Whether s has the form of a reason: 1-40 lower-case letters, digits,
 * spaces, '-' or '_', starting with a letter (what the schema allows). */
int handoff_reason_valid(const char *s);

/* Statement for creating h; `store` keeps the parameters and must live as
 * long as the statement.  The server computes the acknowledgement
 * deadline.  Result columns: created, state, version. */
struct handoff_params {
	char num[2][24];
	const char *p[9];
};
void handoff_create_stmt(const struct handoff_new *h, struct handoff_params *store,
                         struct db_stmt *out);

/* One lifecycle step. kind: acknowledged, resolved, cancelled, reassigned,
 * commented.  version <= 0: no optimistic check (a comment is never
 * checked, and does not change the version).  Result columns: done,
 * already, state, version, message. */
enum { HS_DONE, HS_ALREADY, HS_STATE, HS_VERSION, HS_MESSAGE };
struct handoff_step {
	char id[37];
	char event_id[37];
	const char *kind;
	char *comment;     /* malloc'd or NULL */
	int version;
	char to_team[33];
	char to_staff[64];
};
int handoff_step_init(struct handoff_step *s, const char *id, const char *kind);
/* The steps a person takes on a handoff (acknowledged, resolved,
 * cancelled, reassigned): the static string of that name, NULL for any
 * other. */
const char *handoff_step_kind(const char *name);
/* The answer to a step statement. -1 if malformed. */
struct handoff_step_result {
	int done;          /* the step happened (now or before) */
	int already;       /* it had happened before: nothing changed */
	char state[16];    /* the handoff's state after it */
	int version;
	char message[256]; /* why not, when not done */
};
int handoff_step_read(const PGresult *r, struct handoff_step_result *out);
/* The answer to handoff_create_stmt: 1 created, 0 already there, -1
 * malformed. */
int handoff_create_read(const PGresult *r);
void handoff_step_clear(struct handoff_step *s);
void handoff_step_stmt(const struct handoff_step *s, struct handoff_params *store,
                       struct db_stmt *out);
/* Of the handoffs $1 (a uuid[], "{ID,ID}"), those that the server would
 * refuse session_user to reassign whatever the destination (who may
 * reassign, by the reassign_by setting; a handoff already closed): one
 * row each, the server's reason, in $1's order.  Asked before the
 * destination is. */
extern const char handoff_reassign_refusals_sql[];

/* 1 if s looks like a UUID. */
int handoff_is_uuid(const char *s);
/* 1 for a state in which a handoff waits for someone (open, acknowledged):
 * what lists of work show first and count. */
int handoff_state_active(const char *state);
/* What a step does, as a verb: "acknowledge", "resolve", "cancel",
 * "reassign" for the kinds acknowledged, resolved, cancelled, reassigned. */
const char *handoff_step_verb(const char *kind);

/* A handoff id as people type it: the whole UUID or, like a git short
 * hash, a prefix of at least HANDOFF_PREFIX_MIN hex digits (the console
 * shows the first 8), with or without the UUID's dashes, any case.  The
 * first and last UUID the prefix covers, so the server finds it by a range
 * on the primary key. */
#define HANDOFF_PREFIX_MIN 4
struct handoff_id_range {
	char lo[37];
	char hi[37];
};
/* 0, or -1 if s is not such an id (not hex, too short, too long). */
int handoff_id_range(const char *s, struct handoff_id_range *r);

/* The handoffs in the range: returns how many (up to HANDOFF_MATCHES_MAX,
 * or HANDOFF_MATCHES_MAX + 1 for more), with id set when exactly one; when
 * several, *candidates (malloc'd, the caller frees) holds up to
 * HANDOFF_MATCHES_MAX lines "  id  customer (state)", no newline after
 * the last (customer names as in the database: clean them before showing).
 * -1 + err on a database error. */
#define HANDOFF_MATCHES_MAX 5
int handoff_find_range(PGconn *c, const struct handoff_id_range *r, char id[37],
                       char **candidates, char *err, size_t errlen);
/* Its statement: $1 lo, $2 hi (uuid), $3 row limit. */
extern const char handoff_range_sql[];

/* Lists of handoffs (CLI and queue).  Columns: */
enum { HL_ID, HL_CUSTOMER_ID, HL_CUSTOMER, HL_FROM_TEAM, HL_TO_TEAM, HL_TO_STAFF, HL_REASON,
       HL_PRIORITY, HL_STATE, HL_AUTHOR, HL_CREATED, HL_AGE_S, HL_ACK_LEFT_S, HL_VERSION,
       HL_NOTE, HL_COLS };
/* $1 team ('' any), $2 person ('' any), $3 state ('' active), $4 'mine'
 * ('t': to me or my team).  Oldest first. */
extern const char handoff_list_sql[];

#endif
