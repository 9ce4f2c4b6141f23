/* baton import's rejects: the rows a file could not import, into the
 * rejects file (made by this run alone, never through a link or into
 * another's file) or, without one, the first of them on standard error. */
#include "baton/buf.h"
#include "baton/cli.h"
#include "baton/csv.h"
#include "baton/import.h"
#include "baton/text.h"
#include "import_priv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void rejects_write(struct csv *w, const char *file, const struct import_result *res)
{
	for (size_t i = 0; i < res->nrejects; i++) {
		const struct import_reject *j = &res->rejects[i];
		char line[24];
		snprintf(line, sizeof line, "%lld", j->line);
		csv_cell(w, file);
		csv_number(w, line);
		csv_cell(w, j->field);
		csv_cell(w, j->reason);
		csv_cell_n(w, j->raw, j->rawlen);
		csv_end_row(w);
	}
}

/* 1 if the open file st is one of the files to import ("-": standard input). */
static int is_an_input(const struct stat *st, char *const *files, int nfiles)
{
	for (int i = 0; i < nfiles; i++) {
		struct stat in;
		int ok = strcmp(files[i], "-") ? stat(files[i], &in) : fstat(STDIN_FILENO, &in);
		if (ok == 0 && in.st_dev == st->st_dev && in.st_ino == st->st_ino)
			return 1;
	}
	return 0;
}

/* The rejects file holds customers' rows, and it is often named in a
 * shared directory (/tmp) on a shared host, where anyone may have put
 * something at that name first.  So it is never reached through a symbolic
 * link, never a file of someone else's (they could read it), one with
 * other names (a hard link to a file of the user's elsewhere) nor a FIFO
 * (opened without blocking); it is the user's alone (0600, and an old one
 * loses its group and other bits).  A character device (/dev/null), which
 * no other user can make, will do.  Nor is it one of the files to import,
 * which it would empty before they are read. */
FILE *rejects_open(const char *path, char *const *files, int nfiles)
{
	const char *why = NULL;
	int fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0600);
	struct stat st;
	if (fd < 0)
		why = errno == ELOOP ? "it is a symbolic link, which is not followed"
		    : errno == ENXIO ? "it is not a regular file"
		                     : strerror(errno);
	else if (fstat(fd, &st) < 0)
		why = strerror(errno);
	else if (S_ISCHR(st.st_mode))
		;
	else if (!S_ISREG(st.st_mode))
		why = "it is not a regular file";
	else if (st.st_uid != geteuid())
		why = "it belongs to another user";
	else if (st.st_nlink != 1)
		why = "it has other names (hard links)";
	else if (is_an_input(&st, files, nfiles))
		why = "it is one of the files to import";
	else if ((st.st_mode & 077) && fchmod(fd, st.st_mode & 0700) < 0)
		why = strerror(errno);
	else if (ftruncate(fd, 0) < 0)
		why = strerror(errno);
	int fl = why ? 0 : fcntl(fd, F_GETFL);
	if (!why && (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0))
		why = strerror(errno);
	FILE *f = why ? NULL : fdopen(fd, "w");
	if (!f) {
		cli_error("%s: cannot write the rejects file: %s", path, why ? why : strerror(errno));
		if (fd >= 0)
			close(fd);
	}
	return f;
}

/* Without a rejects file, the first few on stderr (and of the rows
 * imported without their contact, listed with them). */
/* What rb holds, into the rejects file (if any) now; rb emptied.  -1
 * after saying it could not be written. */
int rejects_flush(FILE *rf, struct buf *rb, const char *path)
{
	int bad = rf && rb->len && (fwrite(buf_str(rb), 1, rb->len, rf) != rb->len || fflush(rf) != 0);
	if (bad)
		cli_error("%s: cannot write the rejects file: %s", path, strerror(errno));
	buf_reset(rb);
	return bad ? -1 : 0;
}

void rejects_tell(const char *file, const struct import_result *res)
{
	size_t more = 0, more_kept = 0;
	for (size_t i = 0; i < res->nrejects; i++) {
		const struct import_reject *j = &res->rejects[i];
		if (i < 5)
			cli_error("%s:%lld: %s%s%s", file, j->line, j->field, j->field[0] ? ": " : "", j->reason);
		else if (j->imported)
			more_kept++;
		else
			more++;
	}
	if (more)
		cli_error("%s: %zu more rejected rows (--rejects FILE lists them all)", file, more);
	if (more_kept)
		cli_error("%s: %zu more rows imported without their contact (--rejects FILE lists them all)", file,
		          more_kept);
}
