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

/* --- shared by the two lists --------------------------------------------- */

/* The next row after from (dir 1) or before it (-1), wrapping, whose
 * columns cols[0..ncols) contain needle (any case); -1 if none. */
int signals_find_row(const PGresult *r, const int *cols, int ncols, int from, int dir,
                     const char *needle);
/* Untrusted text over up to `lines` rows from y, broken at spaces to fit
 * `cols` columns; the last row cut with an ellipsis.  Rows used. */
int signals_draw_wrapped(int y, int x, int cols, int lines, int attr, const char *s);

/* --- writes: asked on the bottom row, sent exactly once -------------------- */

/* Hold (held 0) or release (held 1) a scheduled send, asking why.  what:
 * the send as people say it ("upsell \"Upgrade to Pro\" to Café Lumière"),
 * for the prompt and the messages. */
void signal_hold_ask(struct app *a, long long event, int held, const char *what);
/* Acknowledge a customer's signal of kind as it was shown (fingerprint),
 * asking for the comment. */
void signal_ack_ask(struct app *a, long long customer, const char *kind, const char *fingerprint,
                    const char *what);

#endif
