/* What a change notification on channel "baton" says changed (migrations
 * 002, 005 and 011): a customer ("customer:ID"), a handoff and whom it is
 * for ("handoff:CUSTOMER:TO_TEAM:TO_STAFF", with ":PREV_TEAM:PREV_STAFF"
 * after a reassignment), someone opening or leaving a customer
 * ("presence:ID"), a person's staff entry ("staff:ROLE").  Anything else is
 * NOTIFY_OTHER: the console treats it as "anything may have changed". */
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
};

/* Parse a payload (NULL is NOTIFY_OTHER).  Always fills c. */
void notify_parse(const char *payload, struct notify_change *c);

/* Whether the handoff change concerns team or person (either may be NULL
 * or ""): the handoff is, or was until this change, for them.  A change
 * that is not about a handoff concerns nobody's handoffs; NOTIFY_OTHER
 * concerns everyone. */
int notify_handoff_for(const struct notify_change *c, const char *team, const char *person);

#endif
