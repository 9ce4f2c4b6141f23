/* What a change notification on channel "baton" says changed (migrations
 * 002, 005, 011 and 017): a customer ("customer:ID"), a handoff, whom it is
 * for and what it is now (below), someone opening or leaving a customer
 * ("presence:ID"), a person's staff entry ("staff:ROLE").  Anything else is
 * NOTIFY_OTHER: the console treats it as "anything may have changed".
 *
 * A handoff (017), one notification per handoff a statement changed:
 *     handoff:CUSTOMER:TO_TEAM:TO_STAFF:PREV_TEAM:PREV_STAFF:ID:STATE:CREATED_US:WHAT
 * PREV_* only after a reassignment (else empty), TO_STAFF empty for a whole
 * team, CREATED_US its created_at in microseconds since 1970 (the waiting
 * list's order), WHAT "row" (the row was written) or "comment" (an event
 * that changes no row).  A statement that wrote many handoffs (an import)
 * says only whom it concerned, as 011 did:
 *     handoff:CUSTOMER:TO_TEAM:TO_STAFF[:PREV_TEAM:PREV_STAFF]
 * and then no handoff id is known (handoff[0] == '\0'): re-read. */
#ifndef BATON_NOTIFY_H
#define BATON_NOTIFY_H

#include <stddef.h>

enum notify_kind { NOTIFY_OTHER, NOTIFY_CUSTOMER, NOTIFY_HANDOFF, NOTIFY_PRESENCE, NOTIFY_STAFF };

struct notify_change {
	enum notify_kind kind;
	long long customer_id;  /* customer, handoff, presence; 0 otherwise */
	/* A handoff: whom it is for now [0] and, after a reassignment, before
	 * [1]; "" for none (a team-wide handoff has no person). */
	char team[2][33];
	char staff[2][64];
	char role[64];          /* staff: whose entry */
	/* A handoff the notification names one by one (017); "" when it
	 * says only whom (a bulk write) and the rest is not known. */
	char handoff[37];       /* its id */
	char state[16];         /* what it is now: open, acknowledged, ... */
	long long created_us;   /* its created_at, microseconds since 1970 */
	int urgent;             /* its priority is urgent (085); -1 not said */
	int row_changed;        /* 0: an event that changed no row (a comment) */
};

/* Parse a payload (NULL is NOTIFY_OTHER).  Always fills c. */
void notify_parse(const char *payload, struct notify_change *c);

/* Whether the handoff change concerns team or person (either may be NULL
 * or ""): the handoff is, or was until this change, for them.  A change
 * that is not about a handoff concerns nobody's handoffs; NOTIFY_OTHER
 * concerns everyone. */
int notify_handoff_for(const struct notify_change *c, const char *team, const char *person);

#endif
