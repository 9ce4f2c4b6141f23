/* Unit tests for src/wrap.c: the note editor's rows.  Words are never
 * broken unless longer than a row, wide characters never, and the cursor's
 * row and column are the ones on screen. */
#include "baton/buf.h"
#include "baton/text.h"
#include "baton/wrap.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "check.h"

static struct buf shown = BUF_INIT;
static struct wrap w = WRAP_INIT;

/* s laid out in cols: its rows as shown, joined by '|'. */
static const char *rows(const char *s, int cols)
{
	size_t len = strlen(s);
	wrap_layout(&w, s, len, cols);
	buf_reset(&shown);
	for (int r = 0; r < w.n; r++) {
		if (r)
			buf_putc(&shown, '|');
		buf_add(&shown, s + w.from[r], wrap_end(&w, s, len, r) - w.from[r]);
	}
	return buf_str(&shown);
}

static void test_words_stay_whole(void)
{
	CHECK_STR(rows("the customer called around noon", 10), "the |customer |called |around |noon");
	CHECK_STR(rows("the customer called around noon", 12), "the customer |called |around noon");
	CHECK_STR(rows("short", 10), "short");
	CHECK_STR(rows("", 10), "");
	CHECK(w.n == 1);
}

/* A space at the break hangs in the column past the row; the cursor after
 * it, at the end of the text, goes to a row of its own. */
static void test_hanging_space(void)
{
	CHECK_STR(rows("aaaa bbbb", 4), "aaaa |bbbb");
	CHECK(wrap_col(&w, "aaaa bbbb", 9, 4) == 4);
	CHECK(wrap_row(&w, 5) == 1 && wrap_col(&w, "aaaa bbbb", 9, 5) == 0);
	CHECK_STR(rows("aaaa ", 4), "aaaa |");
	CHECK(wrap_row(&w, 5) == 1);
	CHECK_STR(rows("aaaa", 4), "aaaa");
	CHECK(wrap_row(&w, 4) == 0 && wrap_col(&w, "aaaa", 4, 4) == 4);
	/* Two spaces at a break: one hangs, the other opens the next row. */
	CHECK_STR(rows("aaaa  bb", 4), "aaaa | bb");
	/* A '\n' after a hanging space: it has a row of its own. */
	CHECK_STR(rows("aaaa \nbb", 4), "aaaa ||bb");
}

static void test_long_word(void)
{
	CHECK_STR(rows("abcdefghijkl", 5), "abcde|fghij|kl");
	CHECK_STR(rows("ab cdefghijkl", 5), "ab |cdefg|hijkl");
	/* A broken word goes on at the start of the next row. */
	CHECK(wrap_row(&w, 8) == 2 && wrap_col(&w, "ab cdefghijkl", 13, 8) == 0);
	/* The cursor after a full row's last character, at the end: in the
	 * free column. */
	CHECK_STR(rows("abcde", 5), "abcde");
	CHECK(wrap_row(&w, 5) == 0 && wrap_col(&w, "abcde", 5, 5) == 5);
}

static void test_newlines(void)
{
	const char *s = "ab\ncd\n";
	CHECK_STR(rows(s, 10), "ab|cd|");
	CHECK(wrap_row(&w, 2) == 0 && wrap_col(&w, s, 6, 2) == 2); /* on the '\n' */
	CHECK(wrap_row(&w, 3) == 1 && wrap_row(&w, 6) == 2);
	CHECK_STR(rows("\n\n", 10), "||");
}

/* Width 2 characters are never cut in two: a row of 5 holds two (4). */
static void test_wide_characters(void)
{
	const char *s = "日本語のテキスト";
	CHECK_STR(rows(s, 5), "日本|語の|テキ|スト");
	CHECK_STR(rows(s, 4), "日本|語の|テキ|スト");
	/* "日本語" is 6 columns: longer than the row, broken between two. */
	CHECK_STR(rows("a 日本語 b", 5), "a |日本|語 b");
	CHECK_STR(rows("東京 大阪 名古屋", 7), "東京 |大阪 |名古屋");
	/* Wider than the row itself: alone on its row, not lost. */
	CHECK_STR(rows("日本", 1), "日|本");
	CHECK_STR(rows("Café Lumière au café", 11), "Café |Lumière au |café");
}

static int word_len_at(const char *s, size_t i)
{
	size_t a = i, b = i;
	while (a > 0 && s[a - 1] != ' ' && s[a - 1] != '\n')
		a--;
	while (s[b] && s[b] != ' ' && s[b] != '\n')
		b++;
	return (int)(b - a);
}

/* At every width, a row breaks after a space or a '\n', or inside a word
 * longer than a row; what a row shows fits, a hanging space aside. */
static void test_every_width(void)
{
	const char *s = "Kestrel called around noon about the renewal; the invoice export failed twice "
	                "while the team reviewed the quarterly numbers.\nextraordinarily-long-word-without-"
	                "any-space-in-it-at-all-which-must-be-broken somewhere sensible. The end.";
	size_t len = strlen(s);
	int bad = 0, wide = 0;
	for (int cols = 5; cols <= 100; cols++) {
		wrap_layout(&w, s, len, cols);
		for (int r = 0; r < w.n; r++) {
			size_t from = w.from[r], end = wrap_end(&w, s, len, r);
			if (r > 0 && s[from - 1] != ' ' && s[from - 1] != '\n' && word_len_at(s, from) <= cols)
				bad++;
			int width = (int)(end - from);
			if (end > from && s[end - 1] == ' ')
				width--;
			if (width > cols)
				wide++;
		}
	}
	CHECK(bad == 0);
	CHECK(wide == 0);
}

/* Up and Down go to the row above and below, to the column they left. */
static void test_vertical_moves(void)
{
	const char *s = "one two three four five six";
	size_t len = strlen(s);
	CHECK_STR(rows(s, 10), "one two |three four |five six");
	size_t at = 24; /* the 's' of "six": row 2, column 5 */
	CHECK(wrap_row(&w, at) == 2 && wrap_col(&w, s, len, at) == 5);
	CHECK(wrap_at(&w, s, len, 1, 5) == 13); /* the space after "three" */
	CHECK(wrap_at(&w, s, len, 0, 5) == 5);  /* the 'w' of "two" */
	/* Past a row's end: its last place, not the next row's first. */
	CHECK(wrap_at(&w, s, len, 0, 9) == 7);  /* the hanging space */
	CHECK(wrap_at(&w, s, len, 2, 20) == len);
	/* Inside a wide character: on it. */
	const char *k = "日本語 abc";
	wrap_layout(&w, k, strlen(k), 20);
	CHECK(wrap_at(&w, k, strlen(k), 0, 3) == 3);
	/* A '\n' ends the row: beyond it, the cursor stays on it. */
	const char *n = "ab\ncdef";
	wrap_layout(&w, n, strlen(n), 20);
	CHECK(wrap_at(&w, n, strlen(n), 0, 3) == 2);
}

int main(void)
{
	if (!setlocale(LC_CTYPE, "C.UTF-8")) {
		printf("FAIL setlocale: no C.UTF-8 locale\n");
		return 1;
	}
	RUN(test_words_stay_whole);
	RUN(test_hanging_space);
	RUN(test_long_word);
	RUN(test_newlines);
	RUN(test_wide_characters);
	RUN(test_every_width);
	RUN(test_vertical_moves);
	wrap_free(&w);
	buf_free(&shown);
	return check_done();
}
