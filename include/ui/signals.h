/* The signals screen (ui/signals.c), Marketing's scheduled sends to
 * customers in trouble (ui/suppression.c) and the writes both make, also
 * from the customer screen (ui/signal_actions.c). */
#ifndef BATON_UI_SIGNALS_H
#define BATON_UI_SIGNALS_H

#include "ui/ui.h"

struct screen *signals_new(struct app *a);
struct screen *sends_new(struct app *a);

/* ACT_SIGNALS or ACT_SENDS from any screen: nothing if that screen is on
 * top, back to it if it is just below (S and M toggle without piling
 * screens up), else a new one on top. */
void signals_show(struct app *a, enum ui_action which);

/* --- shared by the two lists (ui/signals.c) -------------------------------- */

/* The rows of a list, as the server answered (a result kept whole), with
 * the selection and the search on them. */
struct signal_rows {
	struct screen *s;       /* the screen they are shown on */
	PGresult *res;          /* NULL until the first answer */
	int ncols;              /* the columns an answer must have */
	/* What an item is, so the cursor stays on it when the rows change. */
	const char *(*key)(const void *res, int row);
	const int *find;        /* the columns / searches */
	int nfind;
	struct ui_list l;
	int height;             /* visible rows, at the last draw */
	char error[256];
	char search[128];
	/* A window of the list (migration 013): the first `window` rows are
	 * asked for, and a page more when the cursor comes within a screen of
	 * their end; grow re-reads the rows with the larger window (not the
	 * counts: the list is the same). */
	int window;
	long long total; /* rows in the whole list, from the counts; -1 unknown */
	int growing;     /* a larger window is asked for */
	void (*grow)(struct screen *s, struct app *a);
};

int signal_rows_count(const struct signal_rows *r);
/* A new answer replaces the rows (taken out of res); -1 with r->error set
 * if it is an error or not of ncols columns, the rows shown kept. */
int signal_rows_adopt(struct signal_rows *r, PGresult **res, int nres, const char *err);
/* The rows from y, each by draw_row; or what is there instead (an error,
 * loading…, the empty text). */
void signal_rows_draw(struct signal_rows *r, struct app *a, int y, const char *empty,
                      void (*draw_one)(struct screen *s, struct app *a, int row, int y));
/* Moves, / n N: 1 if act was one of them. */
int signal_rows_action(struct signal_rows *r, struct app *a, enum ui_action act);
/* The customer column's width on both lists: narrow below 80 columns,
 * wide from 110. */
int signal_rows_customer_cols(const struct app *a);
/* No rows (loading…), no selection, the first window. */
void signal_rows_free(struct signal_rows *r);
/* After a change of the signal rules, while customers are still to be
 * computed again (the counts say how many): appended to a header's right
 * part, " · recomputing… N customers left".  The list lacks their signals
 * of the changed kinds until then. */
void signal_rows_recomputing(char *right, size_t n, long long customers);

/* --- writes: asked on the bottom row, sent exactly once -------------------- */

/* Hold (held 0) or release (held 1) a scheduled send, asking why.  what:
 * the send as people say it ("upsell \"Upgrade to Pro\" to Café Lumière"),
 * for the prompt and the messages. */
void signal_hold_ask(struct app *a, long long event, int held, const char *what);
/* Acknowledge a customer's signal of kind as it was shown (fingerprint),
 * asking for the comment. */
void signal_ack_ask(struct app *a, long long customer, const char *kind, const char *fingerprint,
                    const char *what);
/* Send a kept write again (the drafts screen's), taking d (DRAFT_SIGNAL)
 * over. */
void signal_draft_send(struct app *a, struct draft *d);
/* Save again the writes on their way whose draft could not be written;
 * how many are still in memory only. */
int signal_writes_keep(struct app *a);
/* 1 if the write with this entry id is on its way. */
int signal_write_pending(const char *id);

#endif
