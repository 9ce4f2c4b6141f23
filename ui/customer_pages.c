/* The customer screen's long panels (success notes, handoffs) a page at a
 * time (cv_statements): how many rows each read asks for, when the person
 * nears the end of what was read, and what reads them whole. */
#include "baton/customer.h"
#include "ui/customer.h"

#include <string.h>

int customer_partial(const struct customer *c, enum panel p)
{
	return c->loaded && p != P_FLAGS && cv_partial(&c->cv, panel_part[p], c->read);
}

/* Whole pages of at least need rows. */
static int pages_of(int need)
{
	return need <= CV_PAGE ? CV_PAGE : (need + CV_PAGE - 1) / CV_PAGE * CV_PAGE;
}

/* The rows panel p must have read for its window and the next two. */
static int rows_needed(const struct customer *c, const struct app *a, enum panel p)
{
	const struct ui_list *l = &c->list[p];
	return (l->sel > l->top ? l->sel : l->top) + 2 * customer_fit(a, p) + 1;
}

void customer_first_pages(struct customer *c, const struct app *a, enum panel whole)
{
	cv_first_rows(c->asked);
	for (int p = P_ONBOARDING; p < P_COUNT; p++)
		if (c->asked[panel_part[p]])
			c->asked[panel_part[p]] = pages_of(rows_needed(c, a, (enum panel)p));
	if (whole != P_FLAGS)
		c->asked[panel_part[whole]] = 0;
}

void customer_more(struct customer *c, struct app *a)
{
	int more = 0;
	for (int p = P_ONBOARDING; p < P_COUNT; p++) {
		enum cv_part part = panel_part[p];
		if (!customer_partial(c, (enum panel)p))
			continue;
		int need = rows_needed(c, a, (enum panel)p);
		/* 0: asked for whole (End, a search) and on its way. */
		if (need <= cv_rows(&c->cv, part) || c->asked[part] == 0 || c->asked[part] >= need)
			continue;
		c->asked[part] = pages_of(need);
		more = 1;
	}
	if (more)
		customer_read_pages(c, a, 1);
}

int customer_read_whole(struct customer *c, struct app *a)
{
	int partial = 0;
	for (int p = P_ONBOARDING; p < P_COUNT; p++)
		partial |= customer_partial(c, (enum panel)p);
	if (!partial)
		return 0;
	memset(c->asked, 0, sizeof c->asked);
	customer_read_pages(c, a, 1);
	return 1;
}

int customer_row_lost(struct customer *c, const struct customer_view *fresh, const char *key)
{
	enum cv_part part = panel_part[c->focus];
	if (!key[0] || !cv_partial(fresh, part, c->asked))
		return 0;
	int n = cv_rows(fresh, part);
	for (int r = 0; r < n; r++)
		if (strcmp(cv_get(fresh, part, r, 0), key) == 0)
			return 0;
	c->asked[part] = pages_of(n + 1);
	return 1;
}
