/* Word wrap for the note editor (include/baton/wrap.h): one pass over the
 * text, rows found greedily; a row is scanned again at most once, after a
 * break goes back to its last space, so the layout is linear in the text. */
#include "baton/wrap.h"

#include "baton/buf.h"
#include "baton/text.h"

#include <stdlib.h>

/* The columns the character at i takes as it is drawn (cleaned: a tab is
 * one space, a control its picture); its end in *next.  tmp: scratch. */
static int unit_width(const char *s, size_t len, size_t i, size_t *next, struct buf *tmp)
{
	unsigned char c = (unsigned char)s[i];
	if (c >= 0x20 && c < 0x7f) {
		*next = i + 1;
		return 1;
	}
	*next = text_utf8_next(s, len, i);
	buf_reset(tmp);
	text_clean(tmp, s + i, *next - i, TEXT_ONELINE);
	return text_width(buf_str(tmp));
}

static void push(struct wrap *w, size_t from)
{
	if (w->n == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 64;
		w->from = realloc(w->from, (size_t)w->cap * sizeof *w->from);
		if (!w->from)
			abort();
	}
	w->from[w->n++] = from;
}

/* The row starting at from, pushed; where the next row starts, or len
 * when this was the last. */
static size_t lay_row(struct wrap *w, const char *s, size_t len, size_t from, int cols, struct buf *tmp)
{
	size_t i = from, brk = 0, next;
	int col = 0;
	push(w, from);
	for (;;) {
		if (i >= len) {
			/* The cursor at the end must fit: not after a hanging space. */
			if (col > cols)
				push(w, len);
			return len;
		}
		if (s[i] == '\n') {
			if (col > cols)
				return i; /* after a hanging space: the '\n' opens a row */
			if (++i == len)
				push(w, len); /* the empty row the cursor goes on */
			return i;
		}
		int space = s[i] == ' ';
		int cw = unit_width(s, len, i, &next, tmp);
		if (space ? col <= cols : col + cw <= cols) {
			col += cw;
			i = next;
			if (space)
				brk = i;
			continue;
		}
		if (brk > from)
			return brk; /* after the last space */
		return i > from ? i : next; /* a word longer than the row; a character wider, alone */
	}
}

void wrap_layout(struct wrap *w, const char *s, size_t len, int cols)
{
	struct buf tmp = BUF_INIT;
	size_t i = 0;
	w->n = 0;
	if (cols < 1)
		cols = 1;
	do
		i = lay_row(w, s, len, i, cols, &tmp);
	while (i < len);
	buf_free(&tmp);
}

void wrap_free(struct wrap *w)
{
	free(w->from);
	w->from = NULL;
	w->n = w->cap = 0;
}

int wrap_row(const struct wrap *w, size_t at)
{
	int lo = 0, hi = w->n - 1;
	while (lo < hi) {
		int mid = lo + (hi - lo + 1) / 2;
		if (w->from[mid] <= at)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

int wrap_col(const struct wrap *w, const char *s, size_t len, size_t at)
{
	struct buf tmp = BUF_INIT;
	size_t next;
	int col = 0;
	for (size_t i = w->from[wrap_row(w, at)]; i < at && i < len; i = next)
		col += unit_width(s, len, i, &next, &tmp);
	buf_free(&tmp);
	return col;
}

size_t wrap_at(const struct wrap *w, const char *s, size_t len, int row, int col)
{
	struct buf tmp = BUF_INIT;
	size_t limit = row + 1 < w->n ? w->from[row + 1] : len, i = w->from[row], next;
	int c = 0;
	while (i < limit && s[i] != '\n') {
		int cw = unit_width(s, len, i, &next, &tmp);
		if (c + cw > col)
			break;
		c += cw;
		i = next;
	}
	buf_free(&tmp);
	/* The next row's start is the next row's: stay on the last character. */
	if (i == limit && row + 1 < w->n)
		i = text_utf8_prev(s, limit);
	return i;
}

size_t wrap_end(const struct wrap *w, const char *s, size_t len, int row)
{
	size_t end = row + 1 < w->n ? w->from[row + 1] : len;
	if (end > w->from[row] && s[end - 1] == '\n')
		end--;
	return end;
}
