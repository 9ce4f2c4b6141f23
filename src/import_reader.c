/* Reading a source file's records: CSV rows or lines, numbered by the
 * physical line they start on, a byte order mark skipped, and what would
 * stop a COPY noted (import_stream.c keeps such a record out of it).
 * Finding the end of a CSV record needs only the quotes: a line end inside
 * quotes belongs to the field (RFC 4180 doubles a quote inside quotes,
 * which toggles twice). */
#include "baton/import.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define READ_CHUNK 65536

void import_reader_init(struct import_reader *r, FILE *f)
{
	memset(r, 0, sizeof *r);
	r->f = f;
	r->line = 1;
	r->buf = malloc(READ_CHUNK);
	if (!r->buf)
		abort();
}

void import_reader_watch(struct import_reader *r, import_progress_fn progress, void *ctx,
                         enum import_phase phase)
{
	r->progress = progress;
	r->progress_ctx = ctx;
	r->phase = phase;
}

void import_reader_free(struct import_reader *r)
{
	free(r->buf);
	r->buf = NULL;
}

static int fill(struct import_reader *r)
{
	if (r->eof)
		return 0;
	errno = 0;
	r->len = fread(r->buf, 1, READ_CHUNK, r->f);
	r->pos = 0;
	/* A failed read ends the file here, with its own errno (a later call,
	 * libpq's or the progress's, could change errno meanwhile). */
	if (ferror(r->f)) {
		r->error = errno ? errno : EIO;
		r->eof = 1;
		r->len = 0;
		return 0;
	}
	/* A file saved as "CSV UTF-8" (Excel and others) begins with a byte
	 * order mark, which would be part of the first column's name (or of
	 * the first JSON value): it is not text of the file.  fread returns
	 * fewer bytes than asked only at the end of the file or on an error. */
	if (!r->begun) {
		r->begun = 1;
		if (r->len >= 3 && memcmp(r->buf, "\xEF\xBB\xBF", 3) == 0)
			r->pos = 3, r->bom = 1;
	}
	if (r->len == 0) {
		r->eof = 1;
	} else if (r->progress) {
		r->progress(r->progress_ctx, r->phase, r->line - 1);
	}
	return r->len > r->pos;
}

/* What makes a CSV record no CSV that COPY could read as its rows are:
 * COPY takes a quote anywhere as opening quoted text, so a bare inch mark
 * (Acme 27" Displays) would run its field on over the lines after it, and
 * it stops the whole file at a carriage return outside quotes. */
static const char stray_quote[] =
	"a quote inside a field that is not quoted: quote the field and double its quotes";
static const char bare_cr[] = "a carriage return inside a field that is not quoted";

const char *import_reader_why(const struct import_reader *r, char *buf, size_t n)
{
	if (r->too_long)
		snprintf(buf, n, "line %lld starts a %s of more than %zu MiB, where reading stopped: is it the file"
		         " you meant?", r->too_long, r->too_long_what, r->too_long_max >> 20);
	else
		snprintf(buf, n, "cannot read the file: %s", strerror(r->error ? r->error : EIO));
	return buf;
}

/* Stop at a record (what) longer than max. */
static int too_long(struct import_reader *r, const struct buf *rec, const char *what, size_t max,
                    long long start)
{
	if (rec->len <= max)
		return 0;
	r->error = EFBIG;
	r->eof = 1;
	r->len = r->pos = 0;
	r->too_long = start;
	r->too_long_what = what;
	r->too_long_max = max;
	return 1;
}

int import_reader_next(struct import_reader *r, int csv, char delim, struct buf *rec,
                       long long *start, int *fields)
{
	/* CSV: in a quoted part; at a field's start; just after a quoted
	 * part (where a quote is a doubled one); after a carriage return. */
	int quoted = 0, any = 0, at_start = 1, closed = 0, cr = 0;
	buf_reset(rec);
	*start = r->line;
	*fields = 1;
	r->fault = NULL;
	for (;;) {
		if (r->pos == r->len && !fill(r))
			break;
		any = 1;
		size_t from = r->pos;
		if (!csv) {
			/* A line ends at its newline: memchr finds it. */
			const char *nl = memchr(r->buf + r->pos, '\n', r->len - r->pos);
			if (!nl) {
				buf_add(rec, r->buf + from, r->len - from);
				r->pos = r->len;
				if (too_long(r, rec, "record", IMPORT_RECORD_MAX, *start))
					return -1;
				continue;
			}
			r->pos = (size_t)(nl - r->buf) + 1;
			r->line++;
			buf_add(rec, r->buf + from, r->pos - 1 - from);
			if (rec->len && rec->data[rec->len - 1] == '\r')
				rec->data[--rec->len] = '\0';
			return 1;
		}
		while (r->pos < r->len) {
			char ch = r->buf[r->pos++];
			if (ch == '\n')
				r->line++;
			if (quoted) {
				if (ch == '"')
					quoted = 0, closed = 1;
				continue;
			}
			if (cr && ch != '\n' && !r->fault)
				r->fault = bare_cr;
			cr = ch == '\r';
			if (ch == '\n') {
				buf_add(rec, r->buf + from, r->pos - 1 - from);
				if (rec->len && rec->data[rec->len - 1] == '\r')
					rec->data[--rec->len] = '\0';
				return 1;
			}
			if (ch == '"' && (at_start || closed))
				quoted = 1;
			else if (ch == '"' && !r->fault)
				r->fault = stray_quote;
			else if (ch == delim)
				(*fields)++;
			at_start = ch == delim;
			closed = 0;
		}
		buf_add(rec, r->buf + from, r->pos - from);
		if (too_long(r, rec, "record", IMPORT_RECORD_MAX, *start))
			return -1;
	}
	if (r->error)
		return -1;
	if (quoted)
		return -2;
	if (rec->len && rec->data[rec->len - 1] == '\r')
		rec->data[--rec->len] = '\0';
	return any && rec->len ? 1 : 0;
}

int import_reader_rest(struct import_reader *r, struct buf *doc, size_t max)
{
	while (r->pos < r->len || fill(r)) {
		buf_add(doc, r->buf + r->pos, r->len - r->pos);
		r->pos = r->len;
		if (too_long(r, doc, "document", max, 1))
			break;
	}
	return r->error ? -1 : 0;
}
