/* The leads' queue screen (ui/queue.c) and its steps on one or many
 * handoffs (ui/queue_actions.c). */
#ifndef BATON_UI_QUEUE_H
#define BATON_UI_QUEUE_H

#include "ui/ui.h"

/* What the lead acted on, as it was on screen when the key was pressed:
 * if someone changes a handoff meanwhile, its version no longer matches
 * and the database refuses, saying who did what. */
struct queue_target {
	char id[37];
	int version;
	char priority[8];
	char customer[201]; /* its name, for the drafts list */
};

/* Acknowledge (acking) or reassign the targets: ask for the destination
 * (reassign) and a comment, then send one step per handoff and report the
 * outcome once all have answered.  Takes over t (malloc'd).  s is held
 * while asking; sent(s) runs when the steps go out (the marks are spent). */
void queue_actions_start(struct screen *s, struct app *a, struct queue_target *t, int n, int acking,
                         void (*sent)(struct screen *s));

#endif
