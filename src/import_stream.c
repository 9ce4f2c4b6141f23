/* Streaming a source file to the server with COPY.  The server parses it
 * (COPY's CSV, jsonb); the client only reads where each record ends
 * (import_reader.c), so that it can number lines and keep out of the COPY
 * what would stop it: a record that is not UTF-8 (text_valid_utf8: nor
 * holds a NUL byte) or, in CSV, has another number of fields than the
 * header. */
#include "baton/import.h"
#include "baton/text.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COPY_CHUNK 262144

void import_copy_text(struct buf *out, const char *s, size_t n)
{
	size_t from = 0;
	for (size_t i = 0; i < n; i++) {
		const char *esc = s[i] == '\\' ? "\\\\" : s[i] == '\t' ? "\\t" : s[i] == '\n' ? "\\n"
		                : s[i] == '\r' ? "\\r" : NULL;
		if (!esc)
			continue;
		buf_add(out, s + from, i - from);
		buf_puts(out, esc);
		from = i + 1;
	}
	buf_add(out, s + from, n - from);
}

void import_result_reject(struct import_result *res, long long line, const char *field,
                          const char *reason, const char *raw, size_t rawlen)
{
	if (res->nrejects == res->caprejects) {
		res->caprejects = res->caprejects ? 2 * res->caprejects : 16;
		res->rejects = realloc(res->rejects, res->caprejects * sizeof *res->rejects);
		if (!res->rejects)
			abort();
	}
	struct import_reject *j = &res->rejects[res->nrejects++];
	j->line = line;
	j->field = strdup(field);
	j->reason = strdup(reason);
	j->raw = malloc(rawlen + 1);
	if (!j->field || !j->reason || !j->raw)
		abort();
	memcpy(j->raw, raw, rawlen);
	j->raw[rawlen] = '\0';
	j->rawlen = rawlen;
	j->imported = 0;
}

static int put(PGconn *c, struct buf *out, int force, char *err, size_t errlen)
{
	if (out->len < COPY_CHUNK && !(force && out->len))
		return 0;
	if (PQputCopyData(c, out->data, (int)out->len) != 1) {
		snprintf(err, errlen, "%s", PQerrorMessage(c));
		return -1;
	}
	buf_reset(out);
	return 0;
}

/* Whether a row is the header row, maybe behind a byte order mark (the
 * second file's, when two were joined). */
static int header_again(const struct buf *rec, const struct buf *header)
{
	const char *s = rec->data;
	size_t n = rec->len;
	if (n >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3)) {
		s += 3;
		n -= 3;
	}
	return n == header->len && !memcmp(s, header->data, n);
}

/* Why the COPY may not carry a record (NULL: it may): the one test of
 * both readings, so that a record hashed first is one that is sent. */
static const char *record_fault(const struct import_source *src, const struct import_reader *r,
                                const struct buf *rec, int fields, int ncols, char *why, size_t whylen)
{
	if (memchr(rec->data, '\0', rec->len))
		return "a NUL byte, which PostgreSQL text cannot hold";
	if (!text_valid_utf8(rec->data, rec->len))
		return "not valid UTF-8 text";
	if (src->format == IMPORT_CSV && r->fault)
		return r->fault;
	if (src->format == IMPORT_CSV && r->header && header_again(rec, r->header))
		return "the header row again: two files joined into one? Import each by itself";
	if (src->format == IMPORT_CSV && fields != ncols) {
		snprintf(why, whylen, "%d fields, the header has %d", fields, ncols);
		return why;
	}
	return NULL;
}

/* A record the COPY may carry; otherwise it is rejected here. */
static int record_ok(const struct import_source *src, const struct import_reader *r, const struct buf *rec,
                     long long line, int fields, int ncols, struct import_result *res)
{
	char why[96];
	const char *fault = record_fault(src, r, rec, fields, ncols, why, sizeof why);
	if (fault)
		import_result_reject(res, line, "", fault, rec->data, rec->len);
	return !fault;
}

void import_known_free(struct import_known *k)
{
	free(k->bits);
	free(k->hash);
	memset(k, 0, sizeof *k);
}

int import_known_add(struct import_known *k, long long line, int64_t hash)
{
	if (line < 0 || line >= k->nlines)
		return -1;
	k->bits[line / 8] |= (unsigned char)(1u << (line % 8));
	k->hash[line] = hash;
	return 0;
}

/* Whether the record read on line is one the source has: known, and with
 * the hash it was found by (a file rewritten between the two readings has
 * other text there, which is sent). */
static int known_record(const struct import_known *k, long long line, const struct buf *rec, int csv,
                        char delim, struct buf *scratch)
{
	int64_t h;
	return k && line >= 0 && line < k->nlines && (k->bits[line / 8] >> (line % 8) & 1) &&
	       import_record_hash(rec->data, rec->len, csv, delim, k->seed, scratch, &h) == 0 && h == k->hash[line];
}

/* A number in decimal (a million lines: printf's formatting was a third
 * of the client's time). */
static void put_ll(struct buf *out, long long v)
{
	char d[24], *p = d + sizeof d;
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	do
		*--p = (char)('0' + u % 10);
	while (u /= 10);
	if (v < 0)
		*--p = '-';
	buf_add(out, p, (size_t)(d + sizeof d - p));
}

/* Nothing to import or reject: an empty line, or in JSON Lines one of
 * JSON's white space alone (in CSV that is a row of one field). */
static int blank_record(int csv, const struct buf *rec)
{
	if (csv || rec->len == 0)
		return rec->len == 0;
	for (size_t i = 0; i < rec->len; i++)
		if (rec->data[i] != ' ' && rec->data[i] != '\t' && rec->data[i] != '\r')
			return 0;
	return 1;
}

int import_stream_hashes(PGconn *c, const struct import_source *src, struct import_reader *r, int ncols,
                         int64_t seed, long long *passed, char *err, size_t errlen)
{
	struct buf rec = BUF_INIT, out = BUF_INIT, text = BUF_INIT;
	int rc = 0, got, fields;
	long long line;
	int64_t h;
	char why[96];
	int csv = src->format == IMPORT_CSV;
	*passed = 0;
	while ((got = import_reader_next(r, csv, src->delimiter, &rec, &line, &fields)) != 0) {
		if (got == -1) {
			import_reader_why(r, err, errlen);
			rc = -1;
			break;
		}
		/* What stream_records() would reject or send is sent then (a blank
		 * line is nothing to either). */
		if (got != -2 && blank_record(csv, &rec))
			continue;
		if (got == -2 || record_fault(src, r, &rec, fields, ncols, why, sizeof why) ||
		    import_record_hash(rec.data, rec.len, csv, src->delimiter, seed, &text, &h) < 0) {
			(*passed)++;
			continue;
		}
		put_ll(&out, line);
		buf_putc(&out, '\t');
		put_ll(&out, (long long)h);
		buf_putc(&out, '\n');
		if (put(c, &out, 0, err, errlen) < 0) {
			rc = -1;
			break;
		}
	}
	if (rc == 0)
		rc = put(c, &out, 1, err, errlen);
	buf_free(&rec);
	buf_free(&out);
	buf_free(&text);
	return rc;
}

/* Every record of a CSV or JSON Lines file, as COPY rows "line<tab>text"
 * (JSON Lines) or "line<delimiter>fields" (CSV), but the known lines. */
static int stream_records(PGconn *c, const struct import_source *src, struct import_reader *r,
                          int ncols, const struct import_known *known, struct buf *out,
                          struct import_result *res, char *err, size_t errlen)
{
	struct buf rec = BUF_INIT, scratch = BUF_INIT;
	int rc = 0, got, fields;
	long long line;
	int csv = src->format == IMPORT_CSV;
	while ((got = import_reader_next(r, csv, src->delimiter, &rec, &line, &fields)) != 0) {
		if (got == -1) {
			import_reader_why(r, err, errlen);
			rc = -1;
			break;
		}
		if (got == -2) {
			import_result_reject(res, line, "", "a quoted field is not closed before the end of the file",
			                     rec.data, rec.len);
			break;
		}
		if (blank_record(csv, &rec) || known_record(known, line, &rec, csv, src->delimiter, &scratch) ||
		    !record_ok(src, r, &rec, line, fields, ncols, res))
			continue;
		buf_printf(out, "%lld%c", line, csv ? src->delimiter : '\t');
		if (csv)
			buf_add(out, rec.data, rec.len);
		else
			import_copy_text(out, rec.data, rec.len);
		buf_putc(out, '\n');
		if (put(c, out, 0, err, errlen) < 0) {
			rc = -1;
			break;
		}
	}
	buf_free(&rec);
	buf_free(&scratch);
	return rc;
}

/* The noncharacter U+FDD0 + k (k < 32) in UTF-8: EF B7 90+k. */
static void mark_utf8(char m[3], int k)
{
	m[0] = '\xEF';
	m[1] = '\xB7';
	m[2] = (char)(0x90 + k);
}

/* The first of U+FDD0..U+FDEF that doc has neither as a character nor
 * as the text of an escape (\ufdd0, in any case: it may not be one, which
 * does no harm), or -1. */
static int free_mark(const char *doc, size_t n)
{
	uint32_t used = 0;
	for (size_t i = 0; i + 2 < n; i++) {
		if (doc[i] == '\xEF' && doc[i + 1] == '\xB7' && (unsigned char)doc[i + 2] >= 0x90 &&
		    (unsigned char)doc[i + 2] <= 0xAF)
			used |= 1u << ((unsigned char)doc[i + 2] - 0x90);
		else if (doc[i] == '\\' && doc[i + 1] == 'u' && i + 5 < n && (doc[i + 2] | 0x20) == 'f' &&
		         (doc[i + 3] | 0x20) == 'd') {
			const char *hex = "0123456789abcdef";
			const char *hi = strchr(hex, doc[i + 4] | 0x20), *lo = strchr(hex, doc[i + 5] | 0x20);
			int v = hi && lo ? (int)((hi - hex) * 16 + (lo - hex)) : -1;
			if (v >= 0xD0 && v <= 0xEF)
				used |= 1u << (v - 0xD0);
		}
	}
	for (int k = 0; k < 32; k++)
		if (!(used & (1u << k)))
			return k;
	return -1;
}

/* A JSON document goes as one value: its records are its array's.  Bytes
 * that are not UTF-8 (text cannot hold them) go as a noncharacter the
 * document does not have, one each, which line 0 names: the server
 * rejects the records that hold it.  Only the records: which record a
 * byte is in is the server's JSON parser's to say. */
static int stream_document(PGconn *c, struct import_reader *r, struct buf *out, struct import_result *res,
                           char *err, size_t errlen)
{
	struct buf doc = BUF_INIT, fixed = BUF_INIT;
	const struct buf *send = &doc;
	int rc = 0;
	import_reader_rest(r, &doc, IMPORT_DOCUMENT_MAX);
	size_t ok = r->error ? 0 : text_utf8_valid_len(buf_str(&doc), doc.len);
	if (!r->error && ok < doc.len) {
		const char *nl = NULL;
		res->bad_line = 1;
		for (const char *p = doc.data; (p = memchr(p, '\n', (size_t)(doc.data + ok - p))); nl = p++)
			res->bad_line++;
		res->bad_byte = (long long)(nl ? (size_t)(doc.data + ok - nl) : ok + 1 + (r->bom ? 3 : 0));
	}
	int k = ok < doc.len ? free_mark(buf_str(&doc), doc.len) : -1;
	if (r->error) {
		import_reader_why(r, err, errlen);
		rc = -1;
	} else if (doc.len == strspn(buf_str(&doc), " \t\r\n")) {
		/* Said as a CSV file's is, not as the parser's "ended unexpectedly". */
		snprintf(err, errlen, "the file is empty: a JSON document holds an object or an array of records");
		rc = -1;
	} else if (ok < doc.len && k < 0) {
		snprintf(err, errlen, "the file is not valid UTF-8 text (byte %lld of line %lld)", res->bad_byte,
		         res->bad_line);
		res->bad_line = 0; /* said */
		rc = -1;
	} else {
		if (ok < doc.len) {
			char m[3];
			mark_utf8(m, k);
			buf_puts(out, "0\t");
			buf_add(out, m, 3);
			buf_putc(out, '\n');
			for (size_t i = 0; i < doc.len;) {
				size_t good = text_utf8_valid_len(doc.data + i, doc.len - i);
				buf_add(&fixed, doc.data + i, good);
				i += good;
				if (i < doc.len) {
					buf_add(&fixed, m, 3);
					i++;
				}
			}
			send = &fixed;
		}
		buf_puts(out, "1\t");
		import_copy_text(out, buf_str(send), send->len);
		buf_putc(out, '\n');
		rc = put(c, out, 1, err, errlen);
	}
	buf_free(&doc);
	buf_free(&fixed);
	return rc;
}

int import_stream(PGconn *c, const struct import_source *src, struct import_reader *r,
                  const struct buf *header, int ncols, const struct import_known *known,
                  struct import_result *res, char *err, size_t errlen)
{
	struct buf out = BUF_INIT;
	int rc;
	if (src->format == IMPORT_CSV) {
		buf_printf(&out, "0%c", src->delimiter);
		buf_add(&out, header->data, header->len);
		buf_putc(&out, '\n');
	}
	if (src->format == IMPORT_JSON)
		rc = stream_document(c, r, &out, res, err, errlen);
	else
		rc = stream_records(c, src, r, ncols, known, &out, res, err, errlen);
	if (rc == 0)
		rc = put(c, &out, 1, err, errlen);
	buf_free(&out);
	return rc;
}
