/*
 * Text from the database made safe and measurable for a terminal.
 *
 * Every string that comes from PostgreSQL (names, notes, subjects...) is
 * untrusted: it may carry escape sequences (CSI, OSC window-title or clipboard
 * writes), other C0/C1 controls, invalid UTF-8 or bidirectional overrides.
 * ncurses does not protect us (waddstr lets \r, \b, tabs and U+202E move or
 * reorder what is drawn), so text is cleaned here, in one place, before it is
 * drawn or printed to a terminal; nothing that can act as a control survives,
 * it is shown visibly instead.
 *
 * UTF-8 is decoded here, independently of the locale, but widths come from
 * wcwidth(), so the process must have set a UTF-8 LC_CTYPE (setlocale) before
 * calling text_clean, text_width or text_fit. In any other locale wcwidth()
 * knows no non-ASCII character, so each is shown as its ASCII reading
 * ("Cafe Lumiere") where it has one (text_ascii_for), else as "<U+XXXX>".
 *
 * Not handled, because no C library table can: terminals disagree with
 * wcwidth() about some emoji sequences (U+FE0F presentation selectors, ZWJ
 * sequences), which may still shift a row by a column on some terminals.
 */
#ifndef BATON_TEXT_H
#define BATON_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "baton/buf.h"

enum text_flags {
	TEXT_ONELINE = 0,   /* for one screen row: no '\n' in the result */
	TEXT_MULTILINE = 1, /* for note bodies: '\n' kept, tabs expanded */
};

/*
 * Append a cleaned copy of s[0..n) (which may contain NUL bytes) to out.
 * The result is valid UTF-8 made only of printable characters, plus '\n'
 * in TEXT_MULTILINE mode:
 *
 *  - C0 controls (0x00-0x1F) and DEL become their Unicode control picture
 *    (U+2400 + c, DEL -> U+2421): ESC -> "␛", BEL -> "␇", BS -> "␈". Except:
 *      TAB: one space in ONELINE mode; in MULTILINE mode spaces up to the
 *           next multiple of 8 columns, counted in display width since the
 *           last newline;
 *      "\r\n", lone "\r" and "\n": one "\n" in MULTILINE mode; one space in
 *           ONELINE mode, so a subject or note shown on one row reads as a
 *           sentence rather than a run of symbols.
 *  - C1 controls (U+0080-U+009F), bidi controls (U+061C, U+200E, U+200F,
 *    U+202A-U+202E, U+2066-U+2069), U+2028, U+2029, and every code point
 *    wcwidth() calls non-printable (unassigned, non-characters) become the
 *    ASCII text "<U+XXXX>" (4 to 6 upper-case hex digits) -- except that
 *    those the terminal cannot show but that have an ASCII reading
 *    (text_ascii_for) are shown so: every non-ASCII character after
 *    text_set_ascii(1), and what the locale does not know.
 *  - Invalid UTF-8 (bad lead or stray continuation byte, truncated sequence,
 *    overlong encoding, surrogate, beyond U+10FFFF): each offending byte
 *    becomes U+FFFD "�"; decoding resumes at the next byte.
 *  - Everything else (printable ASCII, letters, CJK, emoji, combining marks)
 *    is copied unchanged.
 */
void text_clean(struct buf *out, const char *s, size_t n, int flags);

/* text_clean of a NUL-terminated s into a new string; NULL s gives "".
 * The caller frees the result. */
char *text_clean_dup(const char *s, int flags);

/*
 * Display width in terminal columns of clean ONELINE text: wcwidth() per code
 * point, so combining marks count 0 and CJK and most emoji 2. Never negative:
 * should anything unclean slip in, each invalid byte or code point text_clean
 * would have changed (controls, '\n' included) counts 1, as text_fit would
 * draw it as "�". A NULL s has width 0.
 */
int text_width(const char *s);

/*
 * Append to out as much of the clean ONELINE text s as fits in cols columns.
 * If s is wider than cols, the kept prefix is followed by "…" (U+2026, one
 * column) and the whole stays within cols; a wide character is never split,
 * one that does not fit is dropped (so the result may be one column short).
 * With pad, spaces are added up to exactly cols columns. Combining marks
 * stay with the character they follow. Returns the width appended; cols <= 0
 * appends nothing and returns 0. Like text_width, anything unclean in s is
 * drawn as "�" rather than passed through; a NULL s is taken as "".
 */
int text_fit(struct buf *out, const char *s, int cols, int pad);

/*
 * Append s as a JSON string literal, quotes included (RFC 8259): '"' and '\\'
 * escaped; C0 controls as \b \f \n \r \t or \u00XX; and, so that JSON shown
 * on a terminal or embedded in JavaScript stays harmless, DEL, C1 controls,
 * bidi controls and U+2028/U+2029 as \uXXXX. Invalid UTF-8 bytes become
 * \ufffd. The result is pure ASCII plus valid UTF-8 and does not depend on
 * the locale. A NULL s (an SQL NULL) appends the JSON literal null.
 */
void text_json_string(struct buf *out, const char *s);
/* JSON text as it is (a jsonb value the server wrote), but its non-ASCII
 * characters that could act on a terminal (C1, bidi, U+2028/U+2029) as
 * \u escapes, as text_json_string writes them inside its strings; outside
 * strings JSON holds none of them. */
void text_json_raw(struct buf *out, const char *json);

/* c, in lower case if it is one of A-Z (other bytes as they are). */
static inline unsigned char text_ascii_lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

/* 1 if needle occurs in hay, ASCII letters compared without case. */
int text_contains_ci(const char *hay, const char *needle);

/* Terminals that are not UTF-8: cut text with "~" instead of U+2026, and
 * show every non-ASCII character as text_ascii_for() reads it.  The
 * console sets it from its terminal and its ascii setting; without it,
 * text is so shown where the locale's character set is not UTF-8. */
void text_set_ascii(int ascii);
/* 1 if text is shown as ASCII now: text_set_ascii(1), or a locale whose
 * character set is not UTF-8 (LANG=C, a cron job's empty environment). */
int text_is_ascii(void);
/* One of Baton's own glyphs (a separator, an arrow) as the output can show
 * it: utf8, or ascii where text is shown as ASCII (text_is_ascii). */
const char *text_glyph(const char *utf8, const char *ascii);

/* The ASCII reading of a code point ("e" for U+00E9, "ss" for U+00DF, "'"
 * for U+2019, "..." for U+2026, "" for a combining accent), or NULL when it
 * has none (it stays "<U+XXXX>").  Covers Latin-1 Supplement, Latin
 * Extended-A and typographic punctuation.  text_clean uses it for what the
 * terminal cannot show: everything non-ASCII after text_set_ascii(1), and
 * what the locale does not know (a CLI run with LANG=C). */
const char *text_ascii_for(uint32_t cp);

/* 1 if s[0..n) is valid UTF-8 as RFC 3629 and PostgreSQL define it: also
 * without a NUL byte, which no PostgreSQL text can hold. */
int text_valid_utf8(const char *s, size_t n);
/* How many bytes of s[0..n) are valid UTF-8 by that measure, from the
 * start: n, or where the first byte that is not (or a NUL) is. */
size_t text_utf8_valid_len(const char *s, size_t n);

/* 1 if s (NUL-terminated, NULL is "") shows nothing: only white space
 * (ASCII and Unicode: tabs, newlines, NBSP, U+2000-U+200A, U+3000...) and
 * invisible characters (zero-width space, joiners U+200B-U+200D, word
 * joiner U+2060, BOM U+FEFF...).  Such a note says nothing to its reader.
 * Invalid UTF-8 is not blank. */
int text_is_blank(const char *s);

/* s (NULL is "") into dst[n] as a C string: all of it if it fits, else as
 * many whole characters as fit in n - 1 bytes, never a character's first
 * bytes without its last (a name of 240 bytes of kanji kept to 198, not
 * 200 that end inside one). */
void text_copy(char *dst, size_t n, const char *s);

/* A whole decimal number in [min, max]: digits only (no sign, spaces or
 * other text), no overflow.  0 with *out; -1 if s is not such a number;
 * -2 if it is one but outside [min, max]. */
int text_to_ll(const char *s, long long min, long long max, long long *out);

/* Typed text, edited in place: the UTF-8 bytes of a code point (0 for a
 * surrogate or beyond U+10FFFF), and the start of the previous / next
 * character from byte offset i. */
int text_utf8_encode(uint32_t cp, char out[4]);
size_t text_utf8_prev(const char *s, size_t i);
size_t text_utf8_next(const char *s, size_t n, size_t i);

#endif
