/* Searching the customer screen (/, F3, N): the rows of every panel, in
 * Tab order; panels read in part are read whole first. */
#include "baton/customer.h"
#include "baton/text.h"
#include "ui/customer.h"
#include "ui/ui.h"

#include <stdio.h>
#include <string.h>

/* Text of a row as searched: the columns a person reads. */
static int row_matches(struct customer *c, enum panel p, int r, const char *needle)
{
	static const int cols[P_COUNT][3] = {
		{-1, -1, -1}, {M_TITLE, M_STATUS, M_OWNER}, {T_SUBJECT, T_NUMBER, T_BODY},
		{N_BODY, N_AUTHOR_NAME, -1}, {K_CAMPAIGN, K_KIND, -1}, {HO_NOTE, HO_REASON, HO_TO_TEAM}};
	for (int i = 0; i < 3; i++)
		if (cols[p][i] >= 0 && text_contains_ci(V(panel_part[p], r, cols[p][i]), needle))
			return 1;
	return 0;
}

/* Which match is selected, and the keys to the others: n is the note
 * here, so the keys are said, as the key table has them. */
static void search_said(struct customer *c, struct app *a)
{
	int k = 0, n = 0;
	for (int p = P_ONBOARDING; p < P_COUNT; p++)
		for (int r = 0; r < cv_rows(&c->cv, panel_part[p]); r++)
			if (row_matches(c, (enum panel)p, r, c->search)) {
				n++;
				k += p < (int)c->focus || (p == (int)c->focus && r <= c->list[p].sel);
			}
	char next[64], prev[64];
	keys_labels(SCOPE_CUSTOMER, ACT_SEARCH_NEXT, next, sizeof next);
	keys_labels(SCOPE_CUSTOMER, ACT_SEARCH_PREV, prev, sizeof prev);
	app_message(a, 0, "/%s: match %d of %d  %s next  %s previous", c->search, k, n, next, prev);
}

/* Next match after the selection, across panels in Tab order. */
void customer_search_step(struct customer *c, struct app *a, int dir)
{
	if (!c->search[0] || !c->loaded)
		return;
	/* Any panel read in part is read whole; the search waits for it. */
	if (customer_read_whole(c, a)) {
		c->search_waits = dir;
		app_message(a, 0, "/%s: reading the rest of the panels…", c->search);
		return;
	}
	int total = 0, pos = 0;
	int start[P_COUNT];
	for (int p = P_ONBOARDING; p < P_COUNT; p++) {
		start[p] = total;
		total += cv_rows(&c->cv, panel_part[p]);
	}
	if (c->focus >= P_ONBOARDING && c->list[c->focus].sel >= 0)
		pos = start[c->focus] + c->list[c->focus].sel;
	for (int k = 1; k <= total; k++) {
		int g = ((pos + dir * k) % total + total) % total;
		for (int p = P_COUNT - 1; p >= P_ONBOARDING; p--) {
			if (g < start[p])
				continue;
			if (row_matches(c, (enum panel)p, g - start[p], c->search)) {
				c->focus = (enum panel)p;
				c->list[p].sel = g - start[p];
				search_said(c, a);
				return;
			}
			break;
		}
	}
	app_message(a, 1, "not found: %s", c->search);
}

void customer_search_answer(struct app *a, void *ctx, const char *answer)
{
	struct customer *c = ctx;
	if (!screen_release(&c->base) || !answer || !*answer)
		return;
	snprintf(c->search, sizeof c->search, "%s", answer);
	customer_search_step(c, a, 1);
}

