/* Text pages: an item's full detail, and the base of the timeline and help
 * screens.  Lines are wrapped to the terminal's width when drawn, searched
 * with / n N, and optionally selectable (the timeline opens an entry). */
#include "baton/buf.h"
#include "baton/text.h"
#include "ui/pager.h"
#include "ui/ui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>


static void free_rows(struct pager *p)
{
	for (int i = 0; i < p->nrows; i++)
		free(p->rows[i]);
	free(p->rows);
	free(p->row_src);
	p->rows = NULL;
	p->row_src = NULL;
	p->nrows = 0;
}

void pager_free_details(struct pager *p)
{
	if (!p->details)
		return;
	for (int i = 0; i < p->ndetails; i++) {
		free(p->details[i]);
		free(p->keys ? p->keys[i] : NULL);
	}
	free(p->details);
	free(p->keys);
	p->details = NULL;
	p->keys = NULL;
	p->ndetails = 0;
}

void pager_destroy(struct screen *s)
{
	struct pager *p = (struct pager *)s;
	free_rows(p);
	pager_free_details(p);
	free(p->title);
	free(p->text);
	free(p->prefix);
	buf_free(&p->search);
	free(p);
}

static void add_row(struct pager *p, const char *s, size_t n, int src)
{
	p->rows = realloc(p->rows, sizeof *p->rows * (size_t)(p->nrows + 1));
	p->row_src = realloc(p->row_src, sizeof *p->row_src * (size_t)(p->nrows + 1));
	if (!p->rows || !p->row_src)
		abort();
	p->rows[p->nrows] = strndup(s, n);
	if (!p->rows[p->nrows])
		abort();
	p->row_src[p->nrows++] = src;
}

/* Length in bytes of the UTF-8 sequence starting at s (clean text). */
static size_t seq_len(const unsigned char *s)
{
	if (*s < 0x80)
		return 1;
	if ((*s & 0xE0) == 0xC0)
		return 2;
	if ((*s & 0xF0) == 0xE0)
		return 3;
	return 4;
}

/* Break one clean line into rows of at most `cols` columns, at spaces when
 * possible. */
static void wrap_line(struct pager *p, const char *line, int cols, int src)
{
	if (!*line || p->selectable) {
		add_row(p, line, strlen(line), src);
		return;
	}
	const char *start = line;
	while (*start) {
		const char *s = start, *last_space = NULL;
		int w = 0;
		while (*s) {
			size_t n = seq_len((const unsigned char *)s);
			char tmp[8] = {0};
			memcpy(tmp, s, n);
			int cw = text_width(tmp);
			if (w + cw > cols)
				break;
			if (*s == ' ')
				last_space = s;
			w += cw;
			s += n;
		}
		if (!*s) {
			add_row(p, start, (size_t)(s - start), src);
			break;
		}
		const char *end = (last_space && last_space > start) ? last_space : s;
		if (end == start) /* a character wider than the page */
			end = s + seq_len((const unsigned char *)s);
		add_row(p, start, (size_t)(end - start), src);
		start = end;
		while (*start == ' ')
			start++;
	}
}

static void rewrap(struct pager *p, int cols)
{
	free_rows(p);
	p->wrapped_cols = cols;
	char *clean = text_clean_dup(p->text ? p->text : "", TEXT_MULTILINE);
	/* A final newline ends the last line; it starts no empty row that
	 * G could land on. */
	size_t len = strlen(clean);
	if (len && clean[len - 1] == '\n')
		clean[len - 1] = '\0';
	int src = 0;
	for (char *line = clean, *next; line; line = next, src++) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		wrap_line(p, line, cols, src);
	}
	free(clean);
}

void pager_draw(struct screen *s, struct app *a)
{
	struct pager *p = (struct pager *)s;
	int cols = a->cols - 3;
	if (p->wrapped_cols != cols)
		rewrap(p, cols);
	ui_textf(stdscr, 0, 1, app_title_cols(a, 1), term_attr(UA_HEADER), 0, "Baton %s %s",
	         term_sym(SYM_DOT), p->title);
	p->height = a->rows - 3;
	if (p->loading) {
		ui_text(stdscr, 2, 2, cols, term_attr(UA_DIM), "loading…", 0);
		return;
	}
	if (p->selectable)
		ui_list_fit(&p->l, p->nrows, p->height);
	for (int i = 0; i < p->height && p->l.top + i < p->nrows; i++) {
		int r = p->l.top + i;
		int sel = p->selectable && r == p->l.sel;
		if (sel)
			ui_text(stdscr, 1 + i, 0, 1, term_attr(UA_SEL), term_sym(SYM_SEL), 0);
		/* Rows are already clean; ui_text cleans again, harmlessly. */
		ui_text(stdscr, 1 + i, 2, cols, (int)A_NORMAL, p->rows[r], 0);
	}
	if (p->nrows > p->height) {
		int pct = (int)(100LL * (p->l.top + p->height) / p->nrows);
		ui_textf(stdscr, a->rows - 2, a->cols - 8, 7, term_attr(UA_DIM), 0, "%3d%%",
		         pct > 100 ? 100 : pct);
	}
}

static void find_match(struct pager *p, struct app *a, int dir)
{
	if (!p->search.len)
		return;
	int cur = p->selectable ? p->l.sel : p->l.top;
	for (int k = 1; k <= p->nrows; k++) {
		int r = ((cur + dir * k) % p->nrows + p->nrows) % p->nrows;
		if (text_contains_ci(p->rows[r], buf_str(&p->search))) {
			if (p->selectable)
				p->l.sel = r;
			else
				p->l.top = r;
			return;
		}
	}
	app_message(a, 1, "not found: %s", buf_str(&p->search));
}

static void on_search(struct app *a, void *ctx, const char *answer)
{
	struct pager *p = ctx;
	if (!screen_release(&p->base) || !answer || !*answer)
		return;
	buf_reset(&p->search);
	buf_puts(&p->search, answer);
	find_match(p, a, 1);
}

void pager_action(struct screen *s, struct app *a, enum ui_action act)
{
	struct pager *p = (struct pager *)s;
	switch (act) {
	case ACT_BACK:
		app_pop(a);
		return;
	case ACT_REFRESH:
		if (s->ops->reload)
			s->ops->reload(s, a);
		return;
	case ACT_SEARCH:
		screen_hold(s);
		app_prompt(a, "/", 0, on_search, p);
		return;
	case ACT_SEARCH_NEXT:
		find_match(p, a, 1);
		return;
	case ACT_SEARCH_PREV:
		find_match(p, a, -1);
		return;
	case ACT_OPEN:
		if (p->selectable && p->details && p->l.sel >= 0 && p->l.sel < p->nrows &&
		    p->row_src[p->l.sel] < p->ndetails) {
			const char *d = p->details[p->row_src[p->l.sel]];
			if (d)
				app_push(a, pager_new(a, p->title, d));
		}
		return;
	default:
		break;
	}
	if (p->selectable) {
		ui_list_move(&p->l, p->nrows, p->height - 1, act);
		return;
	}
	/* A plain page scrolls. */
	int maxtop = p->nrows - p->height;
	if (maxtop < 0)
		maxtop = 0;
	struct ui_list l = {p->l.top, 0};
	switch (act) {
	case ACT_DOWN: l.sel++; break;
	case ACT_UP: l.sel--; break;
	case ACT_TOP: l.sel = 0; break;
	case ACT_BOTTOM: l.sel = maxtop; break;
	case ACT_PAGE_DOWN: l.sel += p->height - 1; break;
	case ACT_PAGE_UP: l.sel -= p->height - 1; break;
	default: return;
	}
	p->l.top = l.sel < 0 ? 0 : (l.sel > maxtop ? maxtop : l.sel);
}

static const struct screen_ops pager_ops = {
	.name = "pager",
	.scope = SCOPE_PAGER,
	.draw = pager_draw,
	.action = pager_action,
	.destroy = pager_destroy,
	.hints = "j/k scroll  Space/PgDn page  / search  n/N next/prev  q back  ? help",
};

void pager_init(struct pager *p, const char *title, const char *text)
{
	p->base.ops = &pager_ops;
	p->title = strdup(title ? title : "");
	p->text = strdup(text ? text : "");
	if (!p->title || !p->text)
		abort();
	p->l.sel = 0;
}

struct pager *pager_alloc(const char *title, const char *text)
{
	struct pager *p = calloc(1, sizeof *p);
	if (!p)
		abort();
	pager_init(p, title, text);
	return p;
}

struct screen *pager_new(struct app *a, const char *title, const char *text)
{
	(void)a;
	return &pager_alloc(title, text)->base;
}

