/* The customer screen's state, shared by its files (ui/customer*.c):
 * the screen and its actions, the drawing, the detail pages. */
#ifndef BATON_UI_CUSTOMER_H
#define BATON_UI_CUSTOMER_H

#include "baton/buf.h"
#include "baton/customer.h"
#include "ui/ui.h"

enum panel { P_FLAGS, P_ONBOARDING, P_TICKETS, P_NOTES, P_MARKETING, P_HANDOFFS, P_COUNT };

extern const enum cv_part panel_part[P_COUNT]; /* the data behind each panel */

struct customer {
	struct screen base;
	long long id;
	char idtxt[32];
	struct customer_view cv;
	int loaded;
	char error[512];
	enum panel focus;
	struct ui_list list[P_COUNT];
	int height[P_COUNT];   /* content rows of each panel at the last draw */
	/* Per row of each panel: 1 while the row is new since the read before
	 * and the person has not had it on screen (a colleague's note that a
	 * read scrolled past), so the panel can say "2 new" where they are
	 * hidden.  Replaced at each read.  Rows count as seen when drawn after
	 * a key (keyseq): a row shown for a moment between two reads is not. */
	unsigned char *unseen[P_COUNT];
	unsigned drawn_keyseq;
	int flag_idx[CV_FLAG_COUNT];
	int nflags;
	/* The rows each part's last read asked for (cv_statements): a page
	 * of each long panel, growing as the person scrolls towards its end
	 * (customer_more); 0 once it is read whole. */
	int asked[CV_PARTS];
	int read[CV_PARTS]; /* those the read on screen asked for */
	int more_read; /* the read last asked for reads more pages, nothing else */
	char search[128];
	int search_waits; /* the search runs once the panels are read whole */
	/* End in a panel read in part: the panel whose last row to select once
	 * it is read whole (P_FLAGS: none; the flags are read whole). */
	enum panel bottom_waits;
	char want[64]; /* the row to select in the focused panel at the first load */
	int generation; /* reads adopted: an item's page above redraws when it changes */
};

#define V(part, row, col) cv_get(&c->cv, part, row, col)

/* A customer screen with the focus on panel p and, once read, the row whose
 * id is key selected (in the flags: the signal of that kind). */
struct screen *customer_new_at(struct app *a, long long id, enum panel p, const char *key);

void customer_draw_screen(struct customer *c, struct app *a);
/* The next match of c->search after the selection (dir 1) or before it
 * (-1), across panels in Tab order, said on the bottom line; and the
 * answer to the / prompt (ctx: the screen), which searches it. */
void customer_search_step(struct customer *c, struct app *a, int dir);
void customer_search_answer(struct app *a, void *ctx, const char *answer);
/* Read the screen again with the rows asked[] says; more: to read more
 * pages (the person moved, End, a search), not what a colleague changed. */
void customer_read_pages(struct customer *c, struct app *a, int more);
/* Reading the long panels a page at a time (ui/customer_pages.c). */
/* Whether panel p may have rows the screen has not read (its first pages
 * only). */
int customer_partial(const struct customer *c, enum panel p);
/* The rows a new screen asks for: a page of each long panel, enough to
 * fill a tall terminal's window and the two after it; whole: a panel to
 * read whole (opened on an item in it), P_FLAGS for none. */
void customer_first_pages(struct customer *c, const struct app *a, enum panel whole);
/* Reading more of a panel when its window comes near the end of what it
 * has (within two windows: they are there before it gets there). */
void customer_more(struct customer *c, struct app *a);
/* Every panel read in part read whole (for a search): 1 if a read went. */
int customer_read_whole(struct customer *c, struct app *a);
/* Whether fresh, a page of the focused panel, lost its row key (a burst
 * of writes pushed it past the page): then a page more is asked for. */
int customer_row_lost(struct customer *c, const struct customer_view *fresh, const char *key);
/* How many rows panel p shows at the terminal's size (a handoff is two). */
int customer_fit(const struct app *a, enum panel p);
/* The page of the item at row r of panel p (a flag's: its index in the
 * flags), kept up to date from c's reads, which R on it asks for too; a
 * handoff's with its history, read when it opens and when its customer
 * changes.  c stays below it on the stack. */
struct screen *customer_item_page(struct customer *c, struct app *a, enum panel p, int r);
/* a, r, c on the handoff at row r of the Handoffs panel (kind:
 * acknowledged, resolved, cancelled): ask for a comment, naming it. */
void customer_handoff_step(struct customer *c, struct app *a, int r, const char *kind);
/* The full item behind a panel's row, as text for a detail page (a
 * handoff's without its history). */
void customer_item_text(struct customer *c, enum panel p, int r, struct buf *b, char *title,
                        size_t tn);

#endif
