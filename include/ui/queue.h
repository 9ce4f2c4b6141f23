/* The leads' queue screen (ui/queue.c) and its steps on one or many
 * handoffs (ui/queue_actions.c). */
#ifndef BATON_UI_QUEUE_H
#define BATON_UI_QUEUE_H

#include "baton/queue.h"
#include "baton/team.h"
#include "ui/ui.h"


/* What the lead acted on, as it was on screen when the key was pressed:
 * if someone changes a handoff meanwhile, its version no longer matches
 * and the database refuses, saying who did what. */
struct queue_target {
	char id[37];
	int version;
	char priority[8];
	char customer[201]; /* its name, for the drafts list and the prompts */
	char reason[41];    /* beside the name in the prompts, when two share it */
};

/* Acknowledge (acking) or reassign the targets: ask for the destination
 * (reassign) and a comment, then send one step per handoff and report the
 * outcome once all have answered.  Takes over t (malloc'd).  s is held
 * while asking; sent(s) runs when the steps go out (the marks are spent). */
void queue_actions_start(struct screen *s, struct app *a, struct queue_target *t, int n, int acking,
                         void (*sent)(struct screen *s));

/* Export (x): ask for a file name, offering one in the current directory,
 * and write the rows `list` then holds as CSV to a new file.  s is held
 * while asking; x must live as long as s does. */
struct queue_list;
struct queue_export {
	struct screen *s;
	const struct queue_list *list;
};
void queue_export_ask(struct app *a, struct queue_export *x);

/* The queue screen's state, shared by its reading and acting (ui/queue.c)
 * and its drawing (ui/queue_draw.c). */
struct queue {
	struct screen base;
	struct queue_filter f;
	struct queue_filter asked; /* a filter naming a person, until the server knows them */
	const char *view;          /* name of the saved view, NULL if edited */
	struct queue_params params;
	struct queue_list list;    /* the rows shown */
	int loaded;
	struct queue_stats stats;
	int has_stats;
	struct team_list teams;    /* for checking team= */
	int has_teams;
	char *marked;              /* per row */
	struct ui_list l;
	int height;
	char error[256];
	long long stats_at;        /* when counts and medians were last asked */
	struct queue_params stats_params;
	struct queue_export export; /* while x's prompt is open */
};

/* Draw the queue screen (ui/queue_draw.c). */
void queue_draw(struct screen *s, struct app *a);

#endif
