/* Text laid out in the rows of an editor's box, as editors wrap it: a row
 * breaks after its last space that fits, so words stay whole; only a word
 * longer than the row is broken, between two characters, and a wide
 * character (CJK, width 2) never is.  '\n' ends a row.
 *
 * Rows hold at most cols columns of text.  One more column, cols itself,
 * takes what shows no text there: a space at a break (it "hangs" there
 * rather than opening the next row), and the cursor after the last
 * character of a full row.  The box keeps that column free.
 *
 * Every byte offset of the text belongs to one row, the end of the text
 * to the last; a character's column is where it starts in its row. */
#ifndef BATON_WRAP_H
#define BATON_WRAP_H

#include <stddef.h>

struct wrap {
	size_t *from; /* where each row starts, increasing: row r ends where
	                 row r + 1 starts, the last at the end of the text */
	int n;        /* rows, at least 1 */
	int cap;
};

#define WRAP_INIT {NULL, 0, 0}

/* s[0..len) in rows of cols columns (at least 1), replacing w's rows. */
void wrap_layout(struct wrap *w, const char *s, size_t len, int cols);
void wrap_free(struct wrap *w);
/* The row of offset at (at <= len). */
int wrap_row(const struct wrap *w, size_t at);
/* The column of offset at in its row. */
int wrap_col(const struct wrap *w, const char *s, size_t len, size_t at);
/* The offset in row that is nearest to col without passing it: the
 * character under col (the one it falls inside, for a wide one), else the
 * row's last place (its '\n', its hanging space, the end of the text). */
size_t wrap_at(const struct wrap *w, const char *s, size_t len, int row, int col);
/* Where what row shows ends: its start is w->from[row]; its '\n', if it
 * has one, is not shown. */
size_t wrap_end(const struct wrap *w, const char *s, size_t len, int row);

#endif
