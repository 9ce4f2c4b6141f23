/* A CSV file's header row: read and checked, and the mapped columns it
 * lacks or has twice (import_header_columns).  See baton/import.h. */
#include "baton/import.h"
#include "baton/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The header of a CSV file: its fields are the staging table's columns. */
int import_header_read(const struct import_source *src, struct import_reader *rd, struct buf *header,
                         int *ncols, char *err, size_t errlen)
{
	long long line;
	int got = import_reader_next(rd, 1, src->delimiter, header, &line, ncols);
	if (got == 1 && rd->fault) {
		/* A file whose lines end in CR alone is one "header row" of them. */
		snprintf(err, errlen, "the header row has %s%s", rd->fault,
		         strstr(rd->fault, "carriage return") ? " (lines that end in a carriage return alone, as"
		                                                " classic Mac OS wrote them, are read after"
		                                                " tr '\\r' '\\n' <FILE)"
		                                              : "");
		return -1;
	}
	if (got != 1 || !text_valid_utf8(header->data, header->len)) {
		if (got == -1)
			import_reader_why(rd, err, errlen);
		else if (got == 1 && header->len >= 2 &&
		         (((unsigned char)header->data[0] == 0xff && (unsigned char)header->data[1] == 0xfe) ||
		          ((unsigned char)header->data[0] == 0xfe && (unsigned char)header->data[1] == 0xff)))
			snprintf(err, errlen, "the file is UTF-16 text (a spreadsheet's \"Unicode text\"), not UTF-8:"
			         " save it as CSV UTF-8, or convert it (iconv -f UTF-16 -t UTF-8 FILE)");
		else if (got == 0)
			snprintf(err, errlen, "the file is empty: a CSV file starts with a header row");
		else if (got == -2)
			snprintf(err, errlen, "a quote in the header row is not closed: the rest of the file would be"
			         " one column's name");
		else {
			/* Most often a spreadsheet's CSV in its own code page: the
			 * rows would be rejected one by one after it. */
			size_t ok = text_utf8_valid_len(header->data, header->len);
			if (header->data[ok] == '\0')
				snprintf(err, errlen, "the header row has a NUL byte (byte %zu of it): not a text file", ok + 1);
			else
				snprintf(err, errlen, "the header row is not valid UTF-8 text (byte %zu of it, 0x%02X):"
				         " convert the file to UTF-8 first (a spreadsheet's CSV: iconv -f WINDOWS-1252"
				         " -t UTF-8 FILE), or save it as CSV UTF-8",
				         ok + 1, (unsigned char)header->data[ok]);
		}
		return -1;
	}
	return 0;
}

/* How the header names a mapped column: 1 with *spelling set when it is
 * in another case or with blanks around it (a spreadsheet's "Company domain
 * name" for the mapping's "Company Domain Name": which one a source system
 * writes changes with its version); 0 when the header lacks it; -1 with err
 * when which column it is would be a guess: two are it exactly, or, none
 * being, two are it loosely. */
static int header_has(const struct import_source *src, const struct buf *header, const char *from,
                      const char *what, char **spelling, char *err, size_t errlen)
{
	int n = import_csv_count(header->data, header->len, src->delimiter, from);
	if (n == 1)
		return 1;
	if (n > 1) {
		snprintf(err, errlen, "the header has more than one column \"%s\", which %s reads", from, what);
		return -1;
	}
	struct buf found = BUF_INIT;
	n = import_csv_count_loosely(header->data, header->len, src->delimiter, from, &found);
	if (n > 1)
		snprintf(err, errlen, "the header has no column \"%s\", which %s reads, but %d that differ from it"
		         " only in case or in spaces (\"%s\"): which one it means would be a guess; name it exactly"
		         " in the mapping", from, what, n, buf_str(&found));
	else if (n == 1 && !(*spelling = strdup(buf_str(&found))))
		abort();
	buf_free(&found);
	return n > 1 ? -1 : n;
}

/* The mapped columns a CSV header lacks or has twice.  Twice is an error
 * for a field as for a rule: which of the two it reads would be a guess.
 * Lacking the key's is an error (every row would be rejected for it), a
 * rule's too (every row, or none, would be skipped); the others' values
 * are absent, and the summary names them (a column renamed in the source
 * system would otherwise go unnoticed).  A column the header has only in
 * another case, or with spaces around, is the one read: names[i] (field i;
 * rule j at nfields + j) is then its spelling in the header, otherwise NULL. */
int import_header_columns(const struct import_source *src, const struct buf *header,
                            struct import_result *res, char **names, char *err, size_t errlen)
{
	char what[128];
	for (size_t i = 0; i < src->nrules; i++) {
		snprintf(what, sizeof what, "%s rule", src->rules[i].skip ? "a skip" : "an only");
		int n = header_has(src, header, src->rules[i].from, what, &names[src->nfields + i], err, errlen);
		if (n < 0)
			return -1;
		if (n == 0) {
			snprintf(err, errlen, "the header has no column \"%s\", which %s reads", src->rules[i].from, what);
			return -1;
		}
	}
	for (size_t i = 0; i < src->nfields; i++) {
		const struct import_field *f = &src->fields[i];
		if (!f->from)
			continue;
		snprintf(what, sizeof what, "field %s", f->field);
		int n = header_has(src, header, f->from, what, &names[i], err, errlen);
		if (n < 0)
			return -1;
		if (n == 1)
			continue;
		if (!strcmp(f->field, "source_id")) {
			/* A header of one column that holds another delimiter (a
			 * European spreadsheet's semicolons), or no header at all
			 * on the first line, says what to mend. */
			const char *other = NULL;
			if (!memchr(header->data, src->delimiter, header->len))
				other = memchr(header->data, ';', header->len) ? "\";\""
				        : memchr(header->data, '\t', header->len) ? "tabs" : NULL;
			int blank = header->len == 0 || strspn(header->data, " \t\r\n") == header->len;
			snprintf(err, errlen, "the header has no column \"%s\", which the key (source_id) is read from%s%s%s",
			         f->from, other ? " (the header's fields are separated by " : blank ? " (the first line is"
			         " blank: a CSV file starts with its header row)" : "", other ? other : "",
			         other ? ": set the source's delimiter)" : "");
			return -1;
		}
		char **m = realloc(res->missing, 2 * (res->nmissing + 1) * sizeof *m);
		if (!m)
			abort();
		res->missing = m;
		m[2 * res->nmissing] = strdup(f->from);
		m[2 * res->nmissing + 1] = strdup(f->field);
		if (!m[2 * res->nmissing] || !m[2 * res->nmissing + 1])
			abort();
		res->nmissing++;
	}
	return 0;
}
