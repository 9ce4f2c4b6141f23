/* The drafts directory: $XDG_STATE_HOME/baton/drafts (or
 * ~/.local/state/baton/drafts), created 0700 and verified at every use.
 * It is opened anew each time and what was opened is checked (fstat on the
 * descriptor, so a swap between check and use changes nothing): a real
 * directory, not a symbolic link, owned by the effective user, writable by
 * nobody else.  The draft files are then reached through that descriptor
 * (src/draft.c, src/draft_lock.c). */
#include "baton/draft.h"
#include "draft_priv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int mkdir_p(const char *path, mode_t mode)
{
	char tmp[4096];
	snprintf(tmp, sizeof tmp, "%s", path);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, mode) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(tmp, mode) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

static int dir_path(char *out, size_t n, char *err, size_t errlen)
{
	const char *xdg = getenv("XDG_STATE_HOME");
	const char *home = getenv("HOME");
	if (xdg && xdg[0] == '/')
		snprintf(out, n, "%s/baton/drafts", xdg);
	else if (home && home[0] == '/')
		snprintf(out, n, "%s/.local/state/baton/drafts", home);
	else {
		snprintf(err, errlen, "neither XDG_STATE_HOME nor HOME is set: nowhere to keep drafts");
		return -1;
	}
	return 0;
}

const char *draft_fd_problem(int fd, int dir, struct stat *st, char *why, size_t n)
{
	if (fstat(fd, st) < 0)
		return strerror(errno);
	if (dir ? !S_ISDIR(st->st_mode) : !S_ISREG(st->st_mode))
		return dir ? "it is not a directory" : "not a regular file";
	if (st->st_uid != geteuid()) {
		if (!why)
			return "it belongs to another user";
		snprintf(why, n, "it belongs to uid %ld, not to you (uid %ld)", (long)st->st_uid,
		         (long)geteuid());
		return why;
	}
	return NULL;
}

/* What makes the opened directory unfit for drafts, or NULL. */
static const char *dir_problem(int fd, char *why, size_t n)
{
	struct stat st;
	const char *problem = draft_fd_problem(fd, 1, &st, why, n);
	if (problem)
		return problem;
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		/* Someone else may have put files there already: refuse
		 * rather than trust or silently repair it. */
		snprintf(why, n, "it is writable by others (mode %04o; chmod 700 it)",
		         (unsigned)(st.st_mode & 07777));
		return why;
	}
	/* Readable by others is ours to fix: drafts are private. */
	if ((st.st_mode & 077) && fchmod(fd, 0700) < 0)
		return strerror(errno);
	return NULL;
}

/* Create (0700) and open the drafts directory, verified: its descriptor,
 * or -1 + err naming the path and the problem. */
int draft_dir_open(char *path, size_t n, char *err, size_t errlen)
{
	char why[128];
	const char *problem = NULL;
	if (dir_path(path, n, err, errlen) < 0)
		return -1;
	if (mkdir_p(path, 0700) < 0) {
		snprintf(err, errlen, "cannot create the drafts directory %s: %s", path, strerror(errno));
		return -1;
	}
	struct stat st;
	int fd = -1;
	if (lstat(path, &st) < 0)
		problem = strerror(errno);
	else if (S_ISLNK(st.st_mode))
		problem = "it is a symbolic link";
	else if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		problem = errno == ELOOP ? "it is a symbolic link" : strerror(errno);
	else
		problem = dir_problem(fd, why, sizeof why);
	if (problem) {
		snprintf(err, errlen, "drafts are not kept in %s: %s", path, problem);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

int draft_dir(char *out, size_t n, char *err, size_t errlen)
{
	int fd = draft_dir_open(out, n, err, errlen);
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}
