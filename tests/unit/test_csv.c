/* Unit tests for src/csv.c: the one CSV writer behind every export.  What a
 * user relies on: the file opens in a spreadsheet with one record per line,
 * nothing in it runs as a formula, and nothing in it is a terminal control
 * when it is printed. */
#include "baton/csv.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "check.h"

static struct buf scratch = BUF_INIT;

/* One cell (or one number) as a whole row, without the row end. */
static const char *cell(const char *s)
{
	struct csv w;
	buf_reset(&scratch);
	csv_init(&w, &scratch);
	csv_cell(&w, s);
	csv_free(&w);
	return buf_str(&scratch);
}

static const char *number(const char *s)
{
	struct csv w;
	buf_reset(&scratch);
	csv_init(&w, &scratch);
	csv_number(&w, s);
	csv_free(&w);
	return buf_str(&scratch);
}

static void test_plain_and_empty(void)
{
	CHECK_STR(cell("plain"), "plain");
	CHECK_STR(cell("in side"), "in side");
	CHECK_STR(cell(""), "");
	CHECK_STR(cell(NULL), "");
}

static void test_rfc4180_quoting(void)
{
	CHECK_STR(cell("a,b"), "\"a,b\"");
	CHECK_STR(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
	CHECK_STR(cell("\""), "\"\"\"\"");
	CHECK_STR(cell("a\"\"b,\"c"), "\"a\"\"\"\"b,\"\"c\"");
	CHECK_STR(cell(" lead"), "\" lead\"");
	CHECK_STR(cell("trail "), "\"trail \"");
}

/* A note's line breaks are shown on one row, as on the screen: every record
 * stays one line of the file. */
static void test_newlines_inside_cells(void)
{
	CHECK_STR(cell("line one\nline two"), "line one line two");
	CHECK_STR(cell("a\r\nb"), "a b");
	CHECK_STR(cell("a\rb"), "a b");
	CHECK_STR(cell("x,\n\"y\""), "\"x, \"\"y\"\"\"");
	CHECK_STR(cell("tab\there"), "tab here");
}

static void test_formulas_inert(void)
{
	CHECK_STR(cell("=1+1"), "'=1+1");
	CHECK_STR(cell("-5"), "'-5");
	CHECK_STR(cell("+1"), "'+1");
	CHECK_STR(cell("@SUM(A1:A9)"), "'@SUM(A1:A9)");
	CHECK_STR(cell("=HYPERLINK(\"http://x\",\"y\")"), "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
	CHECK_STR(cell("\t=1+1"), "' =1+1");
	CHECK_STR(cell("\r=1+1"), "' =1+1");
	/* Only the first character makes a formula. */
	CHECK_STR(cell("a=1+1"), "a=1+1");
	CHECK_STR(cell("5-3"), "5-3");
}

static void test_controls_cleaned(void)
{
	CHECK_STR(cell("\x1b]52;c;aGk=\x07"), "␛]52;c;aGk=␇");
	CHECK_STR(cell("\x1b[2Jx"), "␛[2Jx");
	CHECK_STR(cell("a\x7f" "b"), "a␡b");
	CHECK_STR(cell("evil\xe2\x80\xae" "txt"), "evil<U+202E>txt");
	CHECK_STR(cell("c1\xc2\x9b" "x"), "c1<U+009B>x");
	CHECK_STR(cell("bad\xff"), "bad�");
}

/* A cell of bytes holding a NUL (a rejected row as read) is whole, the NUL
 * shown as a symbol like the other controls. */
static void test_cell_with_nul(void)
{
	struct csv w;
	buf_reset(&scratch);
	csv_init(&w, &scratch);
	csv_cell_n(&w, "5,Nul\0Co", 8);
	csv_free(&w);
	CHECK_STR(buf_str(&scratch), "\"5,Nul\xe2\x90\x80" "Co\"");
	/* A row that starts with its NUL is no formula: no apostrophe. */
	buf_reset(&scratch);
	csv_init(&w, &scratch);
	csv_cell_n(&w, "\0Co", 3);
	csv_free(&w);
	CHECK_STR(buf_str(&scratch), "\xe2\x90\x80" "Co");
}

static void test_utf8_kept(void)
{
	CHECK_STR(cell("Zoë Müller, 日本 🎉"), "\"Zoë Müller, 日本 🎉\"");
	/* Also when the caller's locale is not UTF-8 (cron, LANG=C). */
	char *saved = setlocale(LC_CTYPE, NULL);
	char keep[64];
	snprintf(keep, sizeof keep, "%s", saved ? saved : "C.UTF-8");
	CHECK(setlocale(LC_CTYPE, "C") != NULL);
	CHECK_STR(cell("Zoë 日本"), "Zoë 日本");
	setlocale(LC_CTYPE, keep);
}

static void test_numbers_stay_numbers(void)
{
	CHECK_STR(number("-5"), "-5");
	CHECK_STR(number("42"), "42");
	CHECK_STR(number("-1.5"), "-1.5");
	CHECK_STR(number(""), "");
	CHECK_STR(number(NULL), "");
	/* Not a plain number: written as text, so still inert. */
	CHECK_STR(number("-"), "'-");
	CHECK_STR(number("-1+1"), "'-1+1");
	CHECK_STR(number("=5"), "'=5");
	CHECK_STR(number("1."), "1.");
	CHECK_STR(number("-.5"), "'-.5");
}

static void test_rows(void)
{
	static const char *const head[] = {"id", "note", "age"};
	struct buf b = BUF_INIT;
	struct csv w;
	csv_init(&w, &b);
	csv_row(&w, head, 3);
	csv_cell(&w, "1a2b");
	csv_cell(&w, "=1+1");
	csv_number(&w, "-3600");
	csv_end_row(&w);
	csv_cell(&w, NULL);
	csv_cell(&w, "two\nlines");
	csv_number(&w, "7");
	csv_end_row(&w);
	csv_free(&w);
	CHECK_STR(buf_str(&b), "id,note,age\r\n1a2b,'=1+1,-3600\r\n,two lines,7\r\n");
	buf_free(&b);
}

int main(void)
{
	if (!setlocale(LC_ALL, "C.UTF-8")) {
		printf("FAIL setlocale: no C.UTF-8 locale\n");
		return 1;
	}
	RUN(test_plain_and_empty);
	RUN(test_rfc4180_quoting);
	RUN(test_newlines_inside_cells);
	RUN(test_formulas_inert);
	RUN(test_controls_cleaned);
	RUN(test_cell_with_nul);
	RUN(test_utf8_kept);
	RUN(test_numbers_stay_numbers);
	RUN(test_rows);
	buf_free(&scratch);
	return check_done();
}
