/* Importing one file: one transaction, its round trips after the COPY
 * (begin, then import_result.c's apply, moves and rejects; the mapping as
 * import_spec.c writes it); for JSON Lines and CSV the source has records
 * of, the records' hashes go first (send_known).  See baton/import.h and
 * migration 010. */
#include "baton/import.h"
#include "baton/db.h"
#include "import_priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

static const char begin_sql[] = "SELECT baton_import_begin($1, $2, $3, $4, $5::integer)";

int import_timezone_known(PGconn *c, const char *tz, char *err, size_t errlen)
{
	/* As each file sets it (import_file): for this statement alone. */
	const char *p[] = {tz};
	PGresult *r = PQexecParams(c, "SELECT set_config('TimeZone', $1, true)", 1, NULL, p, NULL, NULL, 0);
	int rc = 1;
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
		if (state && !strcmp(state, "22023")) /* invalid_parameter_value */
			rc = 0;
		else {
			db_result_error(r, c, err, errlen);
			rc = -1;
		}
	}
	PQclear(r);
	return rc;
}

static int exec_ok(PGconn *c, const char *sql, char *err, size_t errlen)
{
	PGresult *r = db_exec(c, sql, 0, NULL, err, errlen);
	PQclear(r);
	return r ? 0 : -1;
}

/* The results after a COPY's data (rc < 0: an error is already said). */
static int copy_results(PGconn *c, int rc, char *err, size_t errlen)
{
	PGresult *r;
	while ((r = PQgetResult(c))) {
		if (PQresultStatus(r) != PGRES_COMMAND_OK && rc == 0) {
			db_result_error(r, c, err, errlen);
			rc = -1;
		}
		PQclear(r);
	}
	return rc;
}

/* The end of a COPY in (rc < 0: the client gave up), and its result. */
static int copy_end(PGconn *c, int rc, char *err, size_t errlen)
{
	if (PQputCopyEnd(c, rc < 0 ? "the client gave up" : NULL) != 1) {
		db_explain_error(PQerrorMessage(c), err, errlen);
		return -1;
	}
	return copy_results(c, rc, err, errlen);
}

/* COPY into the staging table, then the end of it. */
static int copy_file(PGconn *c, const struct import_source *src, struct import_reader *rd,
                     const struct buf *header, int ncols, const struct import_known *known,
                     struct import_result *res, char *err, size_t errlen)
{
	char sql[160];
	/* The delimiter as a hex escape: no configuration text in the statement. */
	if (src->format == IMPORT_CSV)
		snprintf(sql, sizeof sql, "COPY pg_temp.baton_import_raw FROM STDIN (FORMAT csv, DELIMITER E'\\x%02x')",
		         (unsigned char)src->delimiter);
	else
		snprintf(sql, sizeof sql, "COPY pg_temp.baton_import_raw FROM STDIN");
	PGresult *r = PQexec(c, sql);
	if (PQresultStatus(r) != PGRES_COPY_IN) {
		db_result_error(r, c, err, errlen);
		PQclear(r);
		return -1;
	}
	PQclear(r);
	int rc = import_stream(c, src, rd, header, ncols, known, res, err, errlen);
	return copy_end(c, rc, err, errlen);
}

/* The probes: the first 0 to 25 characters of this (ASCII, which every
 * server encoding has): every tail of the hash's 12-byte blocks, one and
 * two blocks.  A server whose hashes differ shows it. */
static const char probe_text[] = "{\"id\": 1234567, \"s\": \"x\"}";
#define NPROBES 26

/* Whether the server's hashes of the probes ("{h1,h2,...}") are ours. */
static int probes_agree(const char *got, int64_t seed)
{
	const char *p = got;
	if (*p++ != '{')
		return 0;
	for (size_t i = 0; i < NPROBES; i++) {
		char *end;
		long long h = strtoll(p, &end, 10);
		if (end == p || *end != (i + 1 < NPROBES ? ',' : '}') ||
		    h != (long long)import_line_hash(probe_text, i, seed))
			return 0;
		p = end + 1;
	}
	return *p == '\0';
}

/* The lines the source has and their hashes, from COPY: below nlines. */
static int read_known(PGconn *c, struct import_known *known, long long nlines, char *err, size_t errlen)
{
	PGresult *r = PQexec(c, "COPY pg_temp.baton_import_known (line, h) TO STDOUT");
	if (PQresultStatus(r) != PGRES_COPY_OUT) {
		db_result_error(r, c, err, errlen);
		PQclear(r);
		return -1;
	}
	PQclear(r);
	/* A bit and a number a line (8 MB for a million), of which only the
	 * known lines' are touched. */
	known->nlines = nlines;
	known->bits = calloc((size_t)(nlines / 8 + 1), 1);
	known->hash = malloc((size_t)nlines * sizeof *known->hash);
	int rc = 0, n;
	if (!known->bits || !known->hash) {
		snprintf(err, errlen, "not enough memory to read the file twice");
		rc = -1;
	}
	char *row;
	while ((n = PQgetCopyData(c, &row, 0)) > 0) {
		char *end, *end2 = NULL;
		long long line = strtoll(row, &end, 10);
		long long h = *end == '\t' ? strtoll(end + 1, &end2, 10) : 0;
		if (rc == 0 && (end == row || *end != '\t' || end2 == end + 1 || *end2 != '\n' ||
		                import_known_add(known, line, h) < 0)) {
			snprintf(err, errlen, "the server named a line the file does not have");
			rc = -1;
		}
		PQfreemem(row);
	}
	if (n == -2 && rc == 0) {
		db_explain_error(PQerrorMessage(c), err, errlen);
		rc = -1;
	}
	return copy_results(c, rc, err, errlen);
}

/* JSON Lines or CSV from a regular file (seekable: start is where it
 * begins) the source has records of: the records' hashes go first, and
 * the server says which it has (migration 045); those stay home.  The file
 * is then read again from start (a CSV header again, which must be the
 * same).  known stays empty when nothing was asked (a JSON document, a
 * pipe, a new source, a server that hashes otherwise); *asked says. */
static int send_known(PGconn *c, const struct import_source *src, const char *spec, FILE *f, off_t start,
                      struct import_reader *rd, struct buf *header, int ncols, struct import_known *known,
                      int *asked, char *err, size_t errlen)
{
	struct buf arr = BUF_INIT, htext = BUF_INIT;
	*asked = 0;
	if (src->format == IMPORT_JSON || start < 0)
		return 0;
	if (src->format == IMPORT_CSV && import_csv_text(&htext, header->data, header->len, src->delimiter) < 0) {
		buf_free(&htext);
		return 0;
	}
	char prefix[NPROBES][sizeof probe_text], *probe[NPROBES];
	for (size_t i = 0; i < NPROBES; i++) {
		memcpy(prefix[i], probe_text, i);
		prefix[i][i] = '\0';
		probe[i] = prefix[i];
	}
	import_text_array(&arr, probe, NPROBES);
	const char *p[] = {spec, src->format == IMPORT_CSV ? buf_str(&htext) : NULL, buf_str(&arr)};
	PGresult *r = db_exec(c, "SELECT seed, probes FROM baton_import_hashes_begin($1::jsonb, $2, $3::text[])",
	                      3, p, err, errlen);
	buf_free(&arr);
	buf_free(&htext);
	if (!r)
		return -1;
	int64_t seed = PQntuples(r) == 1 ? (int64_t)strtoll(PQgetvalue(r, 0, 0), NULL, 10) : 0;
	known->seed = seed;
	int go = PQntuples(r) == 1 && probes_agree(PQgetvalue(r, 0, 1), seed);
	PQclear(r);
	if (!go)
		return 0;
	r = PQexec(c, "COPY pg_temp.baton_import_hashes FROM STDIN");
	if (PQresultStatus(r) != PGRES_COPY_IN) {
		db_result_error(r, c, err, errlen);
		PQclear(r);
		return -1;
	}
	PQclear(r);
	long long passed = 0;
	if (copy_end(c, import_stream_hashes(c, src, rd, ncols, seed, &passed, err, errlen), err, errlen) < 0)
		return -1;
	/* How many lines hashed the source does not have (migration 114). */
	if (rd->progress)
		rd->progress(rd->progress_ctx, IMPORT_MATCHING, rd->line - 1);
	r = db_exec(c, "SELECT baton_import_lines_known()", 0, NULL, err, errlen);
	if (!r)
		return -1;
	int all_known = PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 0), "0") == 0 && passed == 0;
	PQclear(r);
	*asked = 1;
	/* The source has every line, and none is to be rejected: nothing to
	 * read back, nor to send but a CSV file's header (the reader is at the
	 * end of the file, where the second reading would end). */
	if (all_known)
		return 0;
	if (read_known(c, known, rd->line + 1, err, errlen) < 0)
		return -1;
	import_progress_fn progress = rd->progress;
	void *ctx = rd->progress_ctx;
	import_reader_free(rd);
	if (fseeko(f, start, SEEK_SET) < 0) {
		snprintf(err, errlen, "cannot read the file again: %s", strerror(errno));
		return -1;
	}
	import_reader_init(rd, f);
	import_reader_watch(rd, progress, ctx, IMPORT_SENDING);
	if (src->format != IMPORT_CSV)
		return 0;
	struct buf again = BUF_INIT;
	int cols = 0, rc = import_header_read(src, rd, &again, &cols, err, errlen);
	if (rc == 0 && (again.len != header->len || memcmp(again.data, header->data, header->len) != 0)) {
		snprintf(err, errlen, "the file changed while it was read");
		rc = -1;
	}
	buf_free(&again);
	rd->header = header;
	return rc;
}

/* The file read twice is the same file, as it was before it was first
 * read (a record rewritten in place is also found by its hash: a record
 * kept home hashed the same both times). */
static int file_same(FILE *f, const struct stat *was, char *err, size_t errlen)
{
	struct stat now;
	if (fstat(fileno(f), &now) == 0 && now.st_dev == was->st_dev && now.st_ino == was->st_ino &&
	    now.st_size == was->st_size && now.st_mtim.tv_sec == was->st_mtim.tv_sec &&
	    now.st_mtim.tv_nsec == was->st_mtim.tv_nsec && now.st_ctim.tv_sec == was->st_ctim.tv_sec &&
	    now.st_ctim.tv_nsec == was->st_ctim.tv_nsec)
		return 0;
	snprintf(err, errlen, "the file changed while it was read");
	return -1;
}

static int reject_cmp(const void *a, const void *b)
{
	const struct import_reject *x = a, *y = b;
	return (x->line > y->line) - (x->line < y->line);
}

int import_file(PGconn *c, const struct import_source *src, const struct import_config *ic,
                const char *path, FILE *f, int dry_run, int notes_raw, import_progress_fn progress,
                void *ctx, struct import_result *res, char *err, size_t errlen)
{
	struct import_reader rd;
	struct import_known known = {0};
	struct stat st;
	struct buf header = BUF_INIT, spec = BUF_INIT;
	char run[37], cols[16];
	int ncols = 0, rc = -1, asked = 0;
	/* Inside the caller's transaction (a dry run of several files, which
	 * the caller rolls back at the end), the file is a savepoint of it. */
	int nested = PQtransactionStatus(c) == PQTRANS_INTRANS;
	/* Where a regular file begins and how it is, before it is first read:
	 * it is read twice (send_known), and must not change meanwhile. */
	off_t start = ftello(f);
	if (start >= 0 && (fstat(fileno(f), &st) < 0 || !S_ISREG(st.st_mode)))
		start = -1;
	memset(res, 0, sizeof *res);
	/* A CSV header's own spelling of the columns mapped (case, blanks). */
	char **names = calloc(src->nfields + src->nrules + 1, sizeof *names);
	if (!names)
		abort();
	import_reader_init(&rd, f);
	if (src->format == IMPORT_CSV && (import_header_read(src, &rd, &header, &ncols, err, errlen) < 0 ||
	                                  import_header_columns(src, &header, res, names, err, errlen) < 0))
		goto out;
	/* The mapping as the server takes it: its seed is the lines' too. */
	import_spec_json(&spec, src, names);
	rd.header = src->format == IMPORT_CSV ? &header : NULL;
	if (db_uuid(run) < 0 || PQsetClientEncoding(c, "UTF8") != 0) {
		snprintf(err, errlen, "cannot start: %s", PQerrorMessage(c));
		goto out;
	}
	snprintf(cols, sizeof cols, "%d", ncols);
	const char *p[] = {run, src->name, src->entity, path, cols};
	/* A file takes as long as it takes: not the console's statement timeout.
	 * But a run whose client is gone (killed, its SSH session dropped) is
	 * cancelled within seconds instead of working on, or waiting for the
	 * import lock, until its statement ends (PostgreSQL 14 and later). */
	if (exec_ok(c, nested ? "SAVEPOINT baton_import_file" : "BEGIN", err, errlen) < 0)
		goto out;
	/* A time written without an offset is in the source's time zone (UTC
	 * unless it says), not in the importer's: the same file means the same
	 * times whoever imports it. */
	const char *tz[] = {src->timezone ? src->timezone : "UTC"};
	PGresult *set = db_exec(c, "SELECT " DB_UNTIMED_SET("true") ", set_config('TimeZone', $1, true)",
	                        1, tz, err, errlen);
	PQclear(set);
	if (!set)
		goto rollback;
	/* Told from when the run has begun: past its wait for another import. */
	PGresult *r = db_exec(c, begin_sql, 5, p, err, errlen);
	PQclear(r);
	import_reader_watch(&rd, progress, ctx, IMPORT_READING);
	if (!r || send_known(c, src, buf_str(&spec), f, start, &rd, &header, ncols, &known, &asked, err, errlen) < 0 ||
	    copy_file(c, src, &rd, &header, ncols, &known, res, err, errlen) < 0 ||
	    (asked && file_same(f, &st, err, errlen) < 0))
		goto rollback;
	if (progress)
		progress(ctx, IMPORT_MERGING, rd.line - 1);
	if (import_apply(c, run, buf_str(&spec), ic, notes_raw, res, err, errlen) < 0)
		goto rollback;
	if (progress)
		progress(ctx, IMPORT_COMMITTING, rd.line - 1);
	/* Nested, what the file wrote stays for the files after it; its
	 * temporary tables, which would go at the end of its own transaction
	 * (ON COMMIT DROP), go now: the next file makes them again. */
	if (nested ? exec_ok(c, "RELEASE SAVEPOINT baton_import_file", err, errlen) < 0 ||
	                 exec_ok(c, "DISCARD TEMP", err, errlen) < 0
	           : exec_ok(c, dry_run ? "ROLLBACK" : "COMMIT", err, errlen) < 0)
		goto out;
	/* The client's and the server's, in the order of the file. */
	if (res->nrejects > 1)
		qsort(res->rejects, res->nrejects, sizeof *res->rejects, reject_cmp);
	memcpy(res->run, run, sizeof res->run);
	rc = 0;
	goto out;
rollback:
	/* A JSON document's bytes that are not UTF-8 may be why (one outside
	 * any value makes it no JSON). */
	if (res->bad_line) {
		size_t n = strlen(err);
		snprintf(err + n, errlen - n, "; the file is not valid UTF-8 text either (byte %lld of line %lld)",
		         res->bad_byte, res->bad_line);
	}
	if (PQstatus(c) == CONNECTION_OK)
		PQclear(PQexec(c, nested ? "ROLLBACK TO SAVEPOINT baton_import_file" : "ROLLBACK"));
out:
	if (rc < 0 && PQstatus(c) != CONNECTION_OK)
		rc = -2;
	buf_free(&header);
	buf_free(&spec);
	for (size_t i = 0; i < src->nfields + src->nrules; i++)
		free(names[i]);
	free(names);
	import_known_free(&known);
	import_reader_free(&rd);
	return rc;
}
