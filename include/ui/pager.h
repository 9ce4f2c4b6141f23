/* The text page that item details, the timeline and help are made of
 * (ui/pager.c); only ui/ includes this. */
#ifndef BATON_UI_PAGER_H
#define BATON_UI_PAGER_H

#include "baton/buf.h"
#include "ui/ui.h"

struct pager {
	struct screen base;
	char *title;
	char *text;          /* raw, multi-line; cleaned when wrapped */
	char **details;      /* per source line: what Enter opens, or NULL */
	char **keys;         /* per source line: the item it shows, to follow */
	int ndetails;
	int selectable;
	/* wrapped for `wrapped_cols` */
	int wrapped_cols;
	char **rows;
	int *row_src;        /* source line of each row */
	int nrows;
	struct ui_list l;
	int height;
	struct buf search;
	int loading;
	long long customer_id;
	char idtxt[64];      /* what the page reads by: a customer's or a handoff's id */
	char *prefix;        /* shown above what the page reads (an item before a handoff's history) */
};

/* A page with a copy of title and text (raw: cleaned when wrapped). */
struct pager *pager_alloc(const char *title, const char *text);
/* The same in a zeroed struct that begins with the page (pager_destroy
 * frees it as a whole). */
void pager_init(struct pager *p, const char *title, const char *text);
void pager_free_details(struct pager *p);
/* The ops a page-based screen reuses. */
void pager_draw(struct screen *s, struct app *a);
void pager_action(struct screen *s, struct app *a, enum ui_action act);
void pager_destroy(struct screen *s);

#endif
