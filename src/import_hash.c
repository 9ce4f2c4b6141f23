/* The hash PostgreSQL gives a text: hashtextextended(text, seed) for a
 * deterministic collation is Bob Jenkins' lookup3 (2006) over the text's
 * bytes, the 64-bit seed mixed in first, the result b << 32 | c.  The
 * server reads its words in its own byte order; this reads them
 * little-endian, as the servers Baton meets do.  A server that hashes
 * otherwise (big-endian, another algorithm one day) is found by the probes
 * import_file() sends first, and its files are then streamed whole.
 *
 * Why the client hashes at all: an unchanged JSON line or CSV row is one
 * whose hash a record of the source already has (migrations 040, 045).
 * Sending the hashes first (a number a record instead of the record) lets
 * the server say which records it has, and only the others are sent. */
#include "baton/import.h"
#include "baton/text.h"

#include <stdint.h>
#include <string.h>

#define ROT(x, k) (((x) << (k)) | ((x) >> (32 - (k))))

#define MIX(a, b, c) do { \
	a -= c; a ^= ROT(c, 4);  c += b; \
	b -= a; b ^= ROT(a, 6);  a += c; \
	c -= b; c ^= ROT(b, 8);  b += a; \
	a -= c; a ^= ROT(c, 16); c += b; \
	b -= a; b ^= ROT(a, 19); a += c; \
	c -= b; c ^= ROT(b, 4);  b += a; \
} while (0)

#define FINAL(a, b, c) do { \
	c ^= b; c -= ROT(b, 14); \
	a ^= c; a -= ROT(c, 11); \
	b ^= a; b -= ROT(a, 25); \
	c ^= b; c -= ROT(b, 16); \
	a ^= c; a -= ROT(c, 4);  \
	b ^= a; b -= ROT(a, 14); \
	c ^= b; c -= ROT(b, 24); \
} while (0)

/* Four bytes as a little-endian word (compilers make it one load). */
static uint32_t le32(const unsigned char *k)
{
	return (uint32_t)k[0] | (uint32_t)k[1] << 8 | (uint32_t)k[2] << 16 | (uint32_t)k[3] << 24;
}

/* Up to four bytes as a little-endian word. */
static uint32_t word(const unsigned char *k, size_t n)
{
	uint32_t w = 0;
	for (size_t i = n; i > 0; i--)
		w = (w << 8) | k[i - 1];
	return w;
}

int64_t import_line_hash(const char *text, size_t len, int64_t seed)
{
	const unsigned char *k = (const unsigned char *)text;
	uint64_t s = (uint64_t)seed;
	uint32_t a, b, c;
	a = b = c = 0x9e3779b9u + (uint32_t)len + 3923095u;
	if (s != 0) {
		a += (uint32_t)(s >> 32);
		b += (uint32_t)s;
		MIX(a, b, c);
	}
	size_t n = len;
	while (n >= 12) {
		a += le32(k);
		b += le32(k + 4);
		c += le32(k + 8);
		MIX(a, b, c);
		k += 12;
		n -= 12;
	}
	/* The last 0-11 bytes: a, b, then c from its second byte up (lookup3
	 * keeps c's lowest byte for the length; PostgreSQL adds nothing there). */
	a += word(k, n < 4 ? n : 4);
	if (n > 4)
		b += word(k + 4, n < 8 ? n - 4 : 4);
	if (n > 8)
		c += word(k + 8, n - 8) << 8;
	FINAL(a, b, c);
	return (int64_t)(((uint64_t)b << 32) | c);
}

/* One field of a CSV record from rec[*i], read as COPY reads it: a quote
 * anywhere opens a quoted part, two quotes in one are a quote, the
 * delimiter outside quotes ends the field.  Its text is appended to out (a
 * quote as two with dq); *i is left on the delimiter, or at n; *saw says
 * whether it had a quoted part.  -1 at a carriage return outside quotes. */
static int csv_field(const char *rec, size_t n, size_t *i, char delim, int dq, struct buf *out, int *saw)
{
	int quoted = 0;
	*saw = 0;
	for (; *i < n; (*i)++) {
		char ch = rec[*i];
		if (quoted) {
			if (ch != '"') {
				buf_putc(out, ch);
			} else if (*i + 1 < n && rec[*i + 1] == '"') {
				buf_puts(out, dq ? "\"\"" : "\"");
				(*i)++;
			} else {
				quoted = 0;
			}
		} else if (ch == delim) {
			break;
		} else if (ch == '"') {
			quoted = *saw = 1;
		} else if (ch == '\r') {
			return -1;
		} else {
			buf_putc(out, ch);
		}
	}
	return 0;
}

/* A CSV record's fields written out again as the server writes the staged
 * columns (baton_import_csv_text_sql, migration 045): each quoted, its
 * quotes doubled, an empty unquoted field (COPY's NULL) as nothing, joined
 * by commas.  A record read otherwise than the server reads it only hashes
 * otherwise: it is sent. */
int import_csv_text(struct buf *out, const char *rec, size_t n, char delim)
{
	size_t i = 0;
	buf_reset(out);
	for (;;) {
		size_t mark = out->len;
		int saw;
		buf_putc(out, '"');
		if (csv_field(rec, n, &i, delim, 1, out, &saw) < 0)
			return -1;
		if (!saw && out->len == mark + 1) {
			out->len = mark;
			out->data[mark] = '\0';
		} else {
			buf_putc(out, '"');
		}
		if (i >= n)
			return 0;
		i++;
		buf_putc(out, ',');
	}
}

/* The n bytes at *s without the blanks (spaces, tabs) before and after. */
static size_t unblanked(const char **s, size_t n)
{
	while (n && (**s == ' ' || **s == '\t'))
		(*s)++, n--;
	while (n && ((*s)[n - 1] == ' ' || (*s)[n - 1] == '\t'))
		n--;
	return n;
}

/* Whether a and b differ at most in the case of the letters A-Z, and in
 * blanks before or after them. */
static int same_loosely(const char *a, size_t an, const char *b)
{
	size_t bn = unblanked(&b, strlen(b));
	an = unblanked(&a, an);
	if (an != bn)
		return 0;
	for (size_t k = 0; k < an; k++)
		if (text_ascii_lower((unsigned char)a[k]) != text_ascii_lower((unsigned char)b[k]))
			return 0;
	return 1;
}

/* How many of a CSV record's fields are name: exactly, or loosely
 * (same_loosely); found (when loosely) takes their texts, '", "' between. */
static int count_named(const char *rec, size_t n, char delim, const char *name, int loosely, struct buf *found)
{
	struct buf f = BUF_INIT;
	int count = 0, saw;
	size_t i = 0;
	for (;;) {
		buf_reset(&f);
		if (csv_field(rec, n, &i, delim, 0, &f, &saw) < 0)
			break;
		if (loosely ? same_loosely(buf_str(&f), f.len, name) : !strcmp(buf_str(&f), name)) {
			if (found && count)
				buf_puts(found, "\", \"");
			if (found)
				buf_add(found, buf_str(&f), f.len);
			count++;
		}
		if (i >= n)
			break;
		i++;
	}
	buf_free(&f);
	return count;
}

int import_csv_count(const char *rec, size_t n, char delim, const char *name)
{
	return count_named(rec, n, delim, name, 0, NULL);
}

int import_csv_count_loosely(const char *rec, size_t n, char delim, const char *name, struct buf *found)
{
	buf_reset(found);
	return count_named(rec, n, delim, name, 1, found);
}

int import_record_hash(const char *rec, size_t n, int csv, char delim, int64_t seed, struct buf *scratch,
                       int64_t *h)
{
	if (!csv) {
		*h = import_line_hash(rec, n, seed);
		return 0;
	}
	if (import_csv_text(scratch, rec, n, delim) < 0)
		return -1;
	*h = import_line_hash(scratch->data, scratch->len, seed);
	return 0;
}
