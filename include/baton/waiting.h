/* The waiting list ("handoffs waiting for me and my team") kept live:
 * equal to a fresh read of finder_waiting_sql, by what the notifications
 * say (migration 017 names each handoff, its state and place in the
 * order) instead of a whole read per change.  A change to a handoff that
 * is not in the list and would come after its last row, when the list is
 * full, changes nothing shown and costs nothing; a handoff that left the
 * list is dropped; only the handoffs that entered or changed are read, by
 * primary key (finder_waiting_rows_sql).  A whole read when that cannot
 * work: a notification without an id (a bulk write), too many changes at
 * once, a row leaving a full list (the one after it is not known), a
 * failed read, and every reconnect (notifications may have been missed).
 *
 * Used by the start screen (ui/finder.c) and the bench's simulated
 * consoles (tests/bench/load.c); no curses, no clock.  The caller sends
 * the statements and hands back their answers:
 *
 *     waiting_note()      for each notification (1: catch up soon)
 *     waiting_catch_up()  when the console re-reads: NOTHING, READ or FETCH
 *     waiting_reading()   when it sends a whole read for any other reason
 *     waiting_adopt()     with a whole read's answer
 *     waiting_fetched()   with a fetch's answer (-1: now READ)
 *     waiting_failed()    when either failed or was dropped
 */
#ifndef BATON_WAITING_H
#define BATON_WAITING_H

#include "baton/db.h"
#include "baton/finder.h"

struct notify_change;

/* What a notification says a handoff is now, as far as the list goes. */
struct waiting_change {
	char id[37];
	int belongs;          /* open or acknowledged, for me or my team */
	int ack;              /* acknowledged (else open) */
	int urgent;           /* urgent, or not said: it may come first */
	long long created_us;
};

/* Changes noted at most between two catch-ups; more: a whole read. */
#define WAITING_PENDING_MAX 64

struct waiting_live {
	struct waiting_list list; /* what is shown */
	int known;                /* a whole read has come: until then the list
	                           * is not known (not "nothing waits") */
	int full;                 /* WAITING_LIMIT rows: others may follow */
	int reread;               /* only a whole read can catch up */
	int busy;                 /* a read or fetch is on its way */
	struct waiting_change pending[WAITING_PENDING_MAX];
	int npending;
	/* The fetch on its way: the handoffs it replaces in the list, and its
	 * parameter ("{ID,ID}") and statement. */
	char asked[WAITING_PENDING_MAX][37];
	int nasked;
	char param[WAITING_PENDING_MAX * 37 + 3];
	const char *params[1];
};

enum waiting_next { WAITING_NOTHING, WAITING_READ, WAITING_FETCH };

/* An empty list that wants its whole read. */
void waiting_live_init(struct waiting_live *w);
void waiting_live_free(struct waiting_live *w);

/* A notification, for the person `me` of team `team` (either may be "" or
 * NULL): 1 if it may change the list, so that the caller catches up at its
 * next re-read; 0 if it cannot (about no handoff of theirs, a comment). */
int waiting_note(struct waiting_live *w, const struct notify_change *c, const char *team,
                 const char *me);

/* Whether noted changes wait for a catch-up that can go now (nothing on
 * its way). */
int waiting_due(const struct waiting_live *w);

/* Catch up with what was noted: NOTHING (done here, or something is on
 * its way: call again after its answer), READ (send finder_waiting_sql;
 * then waiting_adopt) or FETCH (send *st, which points into w; then
 * waiting_fetched).  The list may change here (rows that left it). */
enum waiting_next waiting_catch_up(struct waiting_live *w, struct db_stmt *st);

/* The caller sends a whole read of its own accord (a refresh, a
 * reconnect, its own write): what was noted until now is in it. */
void waiting_reading(struct waiting_live *w);

/* A whole read's answer; fresh is taken over (and left empty). */
void waiting_adopt(struct waiting_live *w, struct waiting_list *fresh);

/* A fetch's answer: 0, the list is caught up; -1, it cannot be (a row
 * left a full list, or r is not the answer): waiting_catch_up says READ. */
int waiting_fetched(struct waiting_live *w, const PGresult *r);

/* The read or fetch on its way failed or was dropped. */
void waiting_failed(struct waiting_live *w);

/* Index of the handoff id in the list, -1 if not there. */
int waiting_find(const struct waiting_list *l, const char *id);

#endif
