#include "baton/text.h"

#include <langinfo.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

/* What text_decode reports for an invalid byte; no code point is this big. */
#define TEXT_BAD UINT32_MAX

static const char text_replacement[] = "\xef\xbf\xbd"; /* U+FFFD */
/* Terminals that are not UTF-8 get ASCII stand-ins: "^[" for a control,
 * "?" for a bad byte, "~" for text cut (as tig and less do); everything
 * else they cannot show is "<U+XXXX>".  The console says so (its terminal,
 * its ascii setting); the command line's output is as its locale is. */
static int text_ascii;

void text_set_ascii(int ascii)
{
	text_ascii = ascii;
}

/* Shown as ASCII: so set, or the locale's character set (the thread's:
 * csv.c cleans a spreadsheet's cells under C.UTF-8) is not UTF-8 (a
 * command run under LANG=C, from cron, on an ISO-8859-1 terminal). */
int text_is_ascii(void)
{
	const char *cs;
	if (text_ascii)
		return 1;
	cs = nl_langinfo(CODESET);
	return !cs || strcmp(cs, "UTF-8") != 0;
}

const char *text_glyph(const char *utf8, const char *ascii)
{
	return text_is_ascii() ? ascii : utf8;
}

/*
 * Decode one UTF-8 sequence from p[0..n), n >= 1, into *cp; returns the bytes
 * used. Decoded by hand, strictly (no overlongs, surrogates or values past
 * U+10FFFF), so that the result cannot depend on the locale or on a C
 * library's leniency. On error one byte is consumed and *cp is TEXT_BAD, so
 * each offending byte is replaced and the next one gets its own chance.
 */
static size_t text_decode(const unsigned char *p, size_t n, uint32_t *cp)
{
	unsigned char c = p[0];
	size_t len;
	unsigned char lo = 0x80, hi = 0xbf; /* allowed range of the 2nd byte */

	*cp = TEXT_BAD;
	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		*cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		*cp = c & 0x0f;
		if (c == 0xe0)
			lo = 0xa0; /* overlong below */
		else if (c == 0xed)
			hi = 0x9f; /* surrogates above */
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		*cp = c & 0x07;
		if (c == 0xf0)
			lo = 0x90; /* overlong below */
		else if (c == 0xf4)
			hi = 0x8f; /* beyond U+10FFFF above */
	} else {
		return 1; /* continuation byte, C0/C1 overlong lead, F5..FF */
	}
	if (n < len || p[1] < lo || p[1] > hi) {
		*cp = TEXT_BAD;
		return 1;
	}
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80) {
			*cp = TEXT_BAD;
			return 1;
		}
		*cp = (*cp << 6) | (p[i] & 0x3f);
	}
	return len;
}

/* Code points that wcwidth() may well call printable (bidi controls are
 * width 0 in glibc) but that can make a terminal move, reorder or act. */
static int text_is_hazard(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || cp == 0x061c || cp == 0x200e ||
	       cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069) || cp == 0x2028 || cp == 0x2029;
}

/* Columns taken by a code point that may be drawn as it is, or -1 when it
 * must not be drawn (controls, hazards, what the C library does not know). */
static int text_cp_width(uint32_t cp)
{
	if (cp < 0x20 || cp == 0x7f || cp == TEXT_BAD)
		return -1;
	if (cp < 0x7f)
		return 1;
	if (text_is_hazard(cp))
		return -1;
	return wcwidth((wchar_t)cp);
}

/* Where text_clean is: the output, its mode and, for tab stops, the display
 * column since the last newline. */
struct text_cleaner {
	struct buf *out;
	int flags;
	int col;
	int ascii;
};

static void text_emit(struct text_cleaner *tc, const char *p, size_t len,
		      int width)
{
	buf_add(tc->out, p, len);
	tc->col += width;
}

static void text_emit_newline(struct text_cleaner *tc)
{
	if (tc->flags & TEXT_MULTILINE) {
		buf_putc(tc->out, '\n');
		tc->col = 0;
	} else {
		text_emit(tc, " ", 1, 1);
	}
}

static void text_emit_tab(struct text_cleaner *tc)
{
	int spaces = (tc->flags & TEXT_MULTILINE) ? 8 - tc->col % 8 : 1;
	for (int i = 0; i < spaces; i++)
		text_emit(tc, " ", 1, 1);
}

/* U+2400 + c (U+2421 for DEL) is always three bytes: E2 90 xx. */
static void text_emit_picture(struct text_cleaner *tc, unsigned char c)
{
	if (tc->ascii) {
		char caret[2] = {'^', (char)(c ^ 0x40)};
		text_emit(tc, caret, sizeof caret, 2);
		return;
	}
	char pic[3] = {'\xe2', '\x90', (char)(0x80 + (c == 0x7f ? 0x21 : c))};
	text_emit(tc, pic, sizeof pic, 1);
}

static void text_emit_escape(struct text_cleaner *tc, uint32_t cp)
{
	size_t before = tc->out->len;
	buf_printf(tc->out, "<U+%04X>", (unsigned)cp);
	tc->col += (int)(tc->out->len - before);
}

/* A character the terminal cannot show (not UTF-8, or a locale that does
 * not know it): its ASCII reading if it has one, else "<U+XXXX>". */
static void text_emit_stand_in(struct text_cleaner *tc, uint32_t cp)
{
	const char *ascii = text_ascii_for(cp);
	if (ascii)
		text_emit(tc, ascii, strlen(ascii), (int)strlen(ascii));
	else
		text_emit_escape(tc, cp);
}

/* A C0 control or DEL at p[0]; returns the bytes consumed (2 for "\r\n"). */
static size_t text_clean_control(struct text_cleaner *tc,
				 const unsigned char *p, size_t n)
{
	switch (p[0]) {
	case '\t':
		text_emit_tab(tc);
		return 1;
	case '\n':
		text_emit_newline(tc);
		return 1;
	case '\r':
		text_emit_newline(tc);
		return (n > 1 && p[1] == '\n') ? 2 : 1;
	default:
		text_emit_picture(tc, p[0]);
		return 1;
	}
}

void text_clean(struct buf *out, const char *s, size_t n, int flags)
{
	struct text_cleaner tc = {out, flags, 0, text_is_ascii()};
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	buf_add(out, "", 0); /* a clean empty string is "", not NULL data */
	while (i < n) {
		uint32_t cp;
		size_t len;
		int width;

		if (p[i] < 0x20 || p[i] == 0x7f) {
			i += text_clean_control(&tc, p + i, n - i);
			continue;
		}
		/* Printable ASCII, one column each, as it is: most text, copied
		 * in runs (a list of 100,000 signals goes through here). */
		if (p[i] < 0x7f) {
			size_t run = 1;
			while (i + run < n && p[i + run] >= 0x20 && p[i + run] < 0x7f)
				run++;
			text_emit(&tc, (const char *)p + i, run, (int)run);
			i += run;
			continue;
		}
		len = text_decode(p + i, n - i, &cp);
		width = text_cp_width(cp);
		if (cp == TEXT_BAD)
			text_emit(&tc, tc.ascii ? "?" : text_replacement, tc.ascii ? 1 : 3, 1);
		else if ((width < 0 || (tc.ascii && cp >= 0x80)) && !text_is_hazard(cp))
			text_emit_stand_in(&tc, cp);
		else if (width < 0)
			text_emit_escape(&tc, cp);
		else
			text_emit(&tc, (const char *)p + i, len, width);
		i += len;
	}
}

char *text_clean_dup(const char *s, int flags)
{
	struct buf b = BUF_INIT;

	if (s)
		text_clean(&b, s, strlen(s), flags);
	return buf_steal(&b);
}

/* One drawable unit of supposedly clean text: what to draw and its width.
 * Anything unclean is drawn as U+FFFD, so a caller that skipped text_clean
 * gets a wrong character, never a control. */
struct text_unit {
	const char *draw;
	size_t draw_len;
	size_t src_len;
	int width;
};

static struct text_unit text_next_unit(const char *s, size_t n)
{
	uint32_t cp;
	struct text_unit u;

	u.src_len = text_decode((const unsigned char *)s, n, &cp);
	u.width = text_cp_width(cp);
	if (u.width < 0) {
		int ascii = text_is_ascii();
		u.draw = ascii ? "?" : text_replacement;
		u.draw_len = ascii ? 1 : 3;
		u.width = 1;
	} else {
		u.draw = s;
		u.draw_len = u.src_len;
	}
	return u;
}

int text_width(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	int width = 0;

	for (size_t i = 0; i < n;) {
		struct text_unit u = text_next_unit(s + i, n - i);
		width += u.width;
		i += u.src_len;
	}
	return width;
}

/* Append units of s while they fit in budget columns; returns the width.
 * Zero-width units (combining marks) after the last one that fits are kept,
 * so an accent is not cut off its letter. */
static int text_put_prefix(struct buf *out, const char *s, int budget)
{
	size_t n = strlen(s);
	int used = 0;

	for (size_t i = 0; i < n;) {
		struct text_unit u = text_next_unit(s + i, n - i);
		if (used + u.width > budget)
			break;
		buf_add(out, u.draw, u.draw_len);
		used += u.width;
		i += u.src_len;
	}
	return used;
}

int text_fit(struct buf *out, const char *s, int cols, int pad)
{
	int used;

	if (cols <= 0)
		return 0;
	if (!s)
		s = "";
	if (text_width(s) <= cols) {
		used = text_put_prefix(out, s, cols);
	} else {
		used = text_put_prefix(out, s, cols - 1);
		buf_puts(out, text_glyph("\xe2\x80\xa6", "~"));
		used++;
	}
	for (; pad && used < cols; used++)
		buf_putc(out, ' ');
	return used;
}

/* JSON escapes for what a JSON parser would reject (C0) and what could act
 * on a terminal or break JavaScript (DEL, C1, bidi, U+2028/U+2029); fixed,
 * not from wcwidth(), so JSON output does not depend on the locale. */
static void text_json_cp(struct buf *out, uint32_t cp, const char *src,
			 size_t len)
{
	switch (cp) {
	case '"':  buf_puts(out, "\\\""); return;
	case '\\': buf_puts(out, "\\\\"); return;
	case '\b': buf_puts(out, "\\b"); return;
	case '\f': buf_puts(out, "\\f"); return;
	case '\n': buf_puts(out, "\\n"); return;
	case '\r': buf_puts(out, "\\r"); return;
	case '\t': buf_puts(out, "\\t"); return;
	case TEXT_BAD: buf_puts(out, "\\ufffd"); return;
	}
	if (cp < 0x20 || cp == 0x7f || text_is_hazard(cp))
		buf_printf(out, "\\u%04x", (unsigned)cp);
	else
		buf_add(out, src, len);
}

static int json_plain(unsigned char c)
{
	return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
}

void text_json_string(struct buf *out, const char *s)
{
	size_t n;

	if (!s) {
		buf_puts(out, "null");
		return;
	}
	n = strlen(s);
	buf_putc(out, '"');
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		/* Printable ASCII that needs no escape, copied in runs. */
		size_t run = 0;
		while (i + run < n && json_plain((unsigned char)s[i + run]))
			run++;
		if (run) {
			buf_add(out, s + i, run);
			i += run;
			continue;
		}
		size_t len = text_decode((const unsigned char *)s + i, n - i, &cp);
		text_json_cp(out, cp, s + i, len);
		i += len;
	}
	buf_putc(out, '"');
}

void text_json_raw(struct buf *out, const char *json)
{
	size_t n = strlen(json);
	for (size_t i = 0; i < n;) {
		/* ASCII is the JSON's own (a server's jsonb has its controls
		 * escaped already): copied, quotes and backslashes included. */
		size_t run = 0;
		while (i + run < n && (unsigned char)json[i + run] < 0x80)
			run++;
		if (run) {
			buf_add(out, json + i, run);
			i += run;
			continue;
		}
		uint32_t cp;
		size_t len = text_decode((const unsigned char *)json + i, n - i, &cp);
		text_json_cp(out, cp, json + i, len);
		i += len;
	}
}

int text_contains_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	if (!hay)
		return 0;
	for (; *hay; hay++) {
		size_t i = 0;
		while (i < n && hay[i]) {
			if (text_ascii_lower((unsigned char)hay[i]) != text_ascii_lower((unsigned char)needle[i]))
				break;
			i++;
		}
		if (i == n)
			return 1;
	}
	return n == 0;
}

int text_valid_utf8(const char *s, size_t n)
{
	return text_utf8_valid_len(s, n) == n;
}

size_t text_utf8_valid_len(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		/* Eight ASCII bytes, none NUL, at a time (an import's files are
		 * mostly ASCII: decoding each byte was a third of its client's time). */
		uint64_t w;
		if (n - i >= 8 && (memcpy(&w, s + i, 8), (w & 0x8080808080808080ULL) == 0) &&
		    ((w - 0x0101010101010101ULL) & ~w & 0x8080808080808080ULL) == 0) {
			i += 8;
			continue;
		}
		uint32_t cp;
		size_t len = text_decode((const unsigned char *)s + i, n - i, &cp);
		if (cp == TEXT_BAD || cp == 0)
			return i;
		i += len;
	}
	return n;
}

/* White_Space in Unicode, and the format characters that draw nothing. */
static int text_is_invisible(uint32_t cp)
{
	return cp == ' ' || (cp >= 0x09 && cp <= 0x0d) || cp == 0x85 || cp == 0xa0 ||
	       cp == 0x1680 || cp == 0x180e || (cp >= 0x2000 && cp <= 0x200d) ||
	       cp == 0x2028 || cp == 0x2029 || cp == 0x202f || cp == 0x205f || cp == 0x2060 ||
	       cp == 0x3000 || cp == 0xfeff;
}

int text_is_blank(const char *s)
{
	size_t n = s ? strlen(s) : 0, i = 0;
	while (i < n) {
		uint32_t cp;
		i += text_decode((const unsigned char *)s + i, n - i, &cp);
		if (cp == TEXT_BAD || !text_is_invisible(cp))
			return 0;
	}
	return 1;
}
