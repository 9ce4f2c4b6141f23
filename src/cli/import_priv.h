/* baton import's own pieces, for the files of src/cli/import*.c. */
#ifndef BATON_CLI_IMPORT_PRIV_H
#define BATON_CLI_IMPORT_PRIV_H

#include "baton/import.h"

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

/* Stopped by SIGINT, SIGTERM or SIGHUP, the run writes what it owes (set
 * by import_stop_owe: standard output's rest, standard error's line; NULL
 * for none) and dies of the signal.  hold() defers the signals (a summary
 * written whole, what is owed changed with it); release() lets them in,
 * a deferred one first.  owe() holds them and leaves them held. */
void import_stop_install(void);
void import_stop_hold(void);
void import_stop_owe(const char *out, size_t out_len, const char *err, size_t err_len);
void import_stop_release(void);

#endif
