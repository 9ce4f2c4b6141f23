/* baton import's own pieces, for the files of src/cli/import*.c. */
#ifndef BATON_CLI_IMPORT_PRIV_H
#define BATON_CLI_IMPORT_PRIV_H

#include "baton/buf.h"
#include "baton/csv.h"
#include "baton/import.h"

#include <stdio.h>
#include <time.h>

/* On a terminal, where the import of a file is, on one line of standard
 * error: from half a second in (a small file shows nothing), rewritten at
 * most five times a second, within the terminal's width, erased when the
 * file is done.  Spaces overwrite it: no control sequence is needed. */
struct import_shown {
	const char *file;
	int begun;      /* began is set: at the first word of the run, after any wait */
	struct timespec began, last;
	int width;      /* of the line shown now, 0: none */
	enum import_phase phase;
};

/* An import_progress_fn: ctx is a struct import_shown. */
void import_progress_show(void *ctx, enum import_phase phase, long long lines);
/* The line gone, if one is shown. */
void import_progress_erase(struct import_shown *s);

/* What a stop owes for each file of the run, made once before the first:
 * in JSON, the file's object when it is the one interrupted (no comma
 * before it) and when it is one not tried after it (with its comma);
 * standard error's line naming it.  at_*: n + 1 offsets into each. */
struct import_owed {
	int n, json;
	struct buf stopped, not_tried, said, said_before;
	size_t *at_stopped, *at_not_tried, *at_said, *at_said_before;
};

/* Stopped by SIGINT, SIGTERM or SIGHUP, the run writes what it owes for
 * the file being imported (import_stop_at; none past the last) and dies
 * of the signal.  owed is kept until the process ends.  hold() defers the
 * signals (a summary written whole, the file changed with it); release()
 * lets them in, a deferred one first.  at() holds them and leaves them
 * held, the file not begun: a stop there (one deferred while the file
 * before it committed) says it was not tried, until begin() says it is
 * being imported. */
void import_stop_install(const struct import_owed *owed);
void import_stop_hold(void);
void import_stop_at(int i, int printed);
void import_stop_begin(void);
void import_stop_release(void);

/* The rejects file (import_rejects.c): made for this run, refused when it
 * is a link, a FIFO, another user's file or one of the inputs (NULL, said);
 * a file's rejects added as CSV rows, flushed (-1 said), or, without a
 * rejects file, the first of them told on standard error. */
FILE *rejects_open(const char *path, char *const *files, int nfiles);
void rejects_write(struct csv *w, const char *file, const struct import_result *res);
int rejects_flush(FILE *rf, struct buf *rb, const char *path);
void rejects_tell(const char *file, const struct import_result *res);

/* A file's summary (import_summary.c): as text (a dry run's "would
 * import"), as an object of the JSON array (first: no comma before it), or
 * the object of a file not imported, naming why. */
void import_summary_text(struct buf *b, const char *file, const struct import_result *r, int dry_run);
void import_summary_json(struct buf *b, const char *file, const struct import_result *r, int first,
                         int dry_run);
void import_failed_json(struct buf *b, const char *file, const char *error, int first, int dry_run);

#endif
