/*
 * CSV for every export (the console's queue export, baton queue --format
 * csv): RFC 4180 fields and CRLF row ends, written cell by cell.
 *
 * A CSV file is opened in spreadsheets and printed on terminals, so a cell
 * is written the way the screen shows it: text_clean's one-line mode (no
 * controls, newlines and tabs as spaces, invalid UTF-8 as U+FFFD; UTF-8
 * kept whatever the caller's locale, where C.UTF-8 exists).  And a cell a
 * spreadsheet would run as a formula (starting with '=', '+', '-', '@',
 * tab or carriage return) gets a leading "'", as OWASP recommends against
 * CSV injection.
 */
#ifndef BATON_CSV_H
#define BATON_CSV_H

#include <locale.h>
#include <stddef.h>

#include "baton/buf.h"

struct csv {
	struct buf *out;  /* not owned */
	int cells;        /* cells written in the current row */
	locale_t utf8;    /* C.UTF-8 for cleaning, or (locale_t)0 */
};

/* Write into out (appended to).  csv_free releases what csv_init took. */
void csv_init(struct csv *w, struct buf *out);
void csv_free(struct csv *w);

/* One text cell, cleaned, neutralised and quoted as above; NULL (an SQL
 * NULL) is an empty cell. */
void csv_cell(struct csv *w, const char *s);
/* The same of the n bytes at s, which may hold a NUL (a rejected row as read). */
void csv_cell_n(struct csv *w, const char *s, size_t n);

/* A number the program itself produced (an integer column, "%.1f"): kept a
 * number, so "-5" stays -5 for the spreadsheet.  Anything that is not
 * plainly -?[0-9]+(.[0-9]+)? is written by csv_cell instead. */
void csv_number(struct csv *w, const char *s);

/* End the row ("\r\n"). */
void csv_end_row(struct csv *w);

/* A whole row of text cells, e.g. the header. */
void csv_row(struct csv *w, const char *const *cells, size_t n);

#endif
