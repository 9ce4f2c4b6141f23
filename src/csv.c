#include "baton/csv.h"
#include "baton/text.h"

#include <string.h>

void csv_init(struct csv *w, struct buf *out)
{
	w->out = out;
	w->cells = 0;
	/* text_clean measures with wcwidth(), which knows no non-ASCII
	 * character outside a UTF-8 locale: a cron job under LANG=C would
	 * otherwise export every accented name as "<U+00E9>". */
	w->utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
}

void csv_free(struct csv *w)
{
	if (w->utf8)
		freelocale(w->utf8);
	w->utf8 = (locale_t)0;
}

static void csv_separate(struct csv *w)
{
	if (w->cells++)
		buf_putc(w->out, ',');
}

/* RFC 4180: quoted, with '"' doubled, when a field holds a separator, a
 * quote or a line end; also when it starts or ends with a space, which some
 * readers would otherwise trim. */
static void csv_put_field(struct buf *out, const char *s, size_t n)
{
	int quote = n > 0 && (s[0] == ' ' || s[n - 1] == ' ' || strpbrk(s, ",\"\r\n"));
	if (!quote) {
		buf_add(out, s, n);
		return;
	}
	buf_putc(out, '"');
	for (const char *q; n && (q = memchr(s, '"', n));) {
		buf_add(out, s, (size_t)(q - s) + 1); /* up to the quote, which is doubled */
		buf_putc(out, '"');
		n -= (size_t)(q - s) + 1;
		s = q + 1;
	}
	buf_add(out, s, n);
	buf_putc(out, '"');
}

void csv_cell(struct csv *w, const char *s)
{
	csv_cell_n(w, s, s ? strlen(s) : 0);
}

void csv_cell_n(struct csv *w, const char *s, size_t n)
{
	struct buf cell = BUF_INIT;
	csv_separate(w);
	if (!s || !n)
		return;
	/* Judged on the raw text: a leading tab or CR is cleaned into a space,
	 * but some spreadsheets trim it and run what follows. */
	if (s[0] && strchr("=+-@\t\r", s[0]))
		buf_putc(&cell, '\'');
	locale_t old = w->utf8 ? uselocale(w->utf8) : (locale_t)0;
	text_clean(&cell, s, n, TEXT_ONELINE);
	if (w->utf8)
		uselocale(old);
	csv_put_field(w->out, buf_str(&cell), cell.len);
	buf_free(&cell);
}

static int csv_is_number(const char *s)
{
	size_t i = s[0] == '-', digits = strspn(s + i, "0123456789");
	if (!digits)
		return 0;
	i += digits;
	if (s[i] == '.') {
		digits = strspn(s + i + 1, "0123456789");
		if (!digits)
			return 0;
		i += 1 + digits;
	}
	return s[i] == '\0';
}

void csv_number(struct csv *w, const char *s)
{
	if (!s || !csv_is_number(s)) {
		csv_cell(w, s);
		return;
	}
	csv_separate(w);
	buf_puts(w->out, s);
}

void csv_end_row(struct csv *w)
{
	buf_puts(w->out, "\r\n");
	w->cells = 0;
}

void csv_row(struct csv *w, const char *const *cells, size_t n)
{
	for (size_t i = 0; i < n; i++)
		csv_cell(w, cells[i]);
	csv_end_row(w);
}
