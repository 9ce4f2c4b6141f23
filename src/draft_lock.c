/* Which console has a draft: the same person may run two consoles with one
 * home directory (two SSH sessions on a jump host), and both see the same
 * drafts.  A draft open in a form, or on its way to the database, in one
 * of them is that console's alone: the other lists it as such and may not
 * send, discard or open it, or the text typed after its send would be
 * lost.
 *
 * The mark is a lock on "<id>.lock" beside the draft (not on the draft
 * itself, which every save replaces by a rename): an open file description
 * lock, which the system releases when the process ends, however it ends,
 * so a killed console's draft is free again at once.  Lock files are
 * reached through the verified drafts directory, never through a symbolic
 * link, and must be regular files of ours.  Holds are counted per id in
 * this process (a form hands its draft to the sender, which holds it too
 * until the database answers); the lock goes with the last. */
#define _GNU_SOURCE /* F_OFD_SETLK, F_OFD_GETLK (Linux 3.15) */
#include "baton/draft.h"
#include "draft_priv.h"
#include "baton/handoff.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* This process's locks: one open lock file per draft id, and its holds. */
static struct held {
	char id[37];
	int fd;
	int holds;
} *held;
static int nheld;

static struct held *held_find(const char *id)
{
	for (int i = 0; i < nheld; i++)
		if (!strcmp(held[i].id, id))
			return &held[i];
	return NULL;
}

static void held_add(const char *id, int fd)
{
	struct held *nv = realloc(held, sizeof *held * (size_t)(nheld + 1));
	if (!nv)
		abort();
	held = nv;
	snprintf(held[nheld].id, sizeof held[nheld].id, "%s", id);
	held[nheld].fd = fd;
	held[nheld].holds = 1;
	nheld++;
}

/* Exclusive, without waiting: 0, or -1 (errno EAGAIN: someone else has it).
 * Open file description locks where the system has them: they belong to
 * the open file, not to the process, so nothing else this process opens
 * or closes can drop them, and testing for one (lock_test) takes nothing. */
static int lock_take(int fd)
{
#ifdef F_OFD_SETLK
	struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
	if (fcntl(fd, F_OFD_SETLK, &fl) == 0)
		return 0;
	if (errno == EACCES)
		errno = EAGAIN;
	return -1;
#else
	int rc = flock(fd, LOCK_EX | LOCK_NB);
	if (rc < 0 && errno == EWOULDBLOCK)
		errno = EAGAIN;
	return rc;
#endif
}

/* 1 if someone holds fd's lock, 0 if not, -1 on error. */
static int lock_test(int fd)
{
#ifdef F_OFD_GETLK
	struct flock fl = {.l_type = F_RDLCK, .l_whence = SEEK_SET};
	if (fcntl(fd, F_OFD_GETLK, &fl) < 0)
		return -1;
	return fl.l_type != F_UNLCK;
#else
	if (flock(fd, LOCK_SH | LOCK_NB) == 0) {
		flock(fd, LOCK_UN);
		return 0;
	}
	return errno == EWOULDBLOCK ? 1 : -1;
#endif
}

/* What the holder says it does ("form", "send"): a word, or "". */
static void lock_doing_read(int fd, char *out, size_t n)
{
	char b[DRAFT_DOING_MAX];
	ssize_t r = pread(fd, b, sizeof b - 1, 0);
	size_t len = 0;
	for (; r > 0 && len < (size_t)r && b[len] >= 'a' && b[len] <= 'z'; len++)
		;
	b[len] = '\0';
	if (n)
		snprintf(out, n, "%s", b);
}

static void lock_doing_write(int fd, const char *doing)
{
	/* A word for the other consoles' lists; nothing depends on it. */
	if (ftruncate(fd, 0) == 0 && pwrite(fd, doing, strlen(doing), 0) < 0)
		return;
}

static void lock_name(char *out, size_t n, const char *id, const char *ext)
{
	snprintf(out, n, "%s.%s", id, ext);
}

/* The lock file is still the one named: its last holder may have removed
 * it between our open and our lock (it does so once the draft is gone). */
static int lock_still_named(int dfd, const char *name, const struct stat *st)
{
	struct stat now;
	return fstatat(dfd, name, &now, AT_SYMLINK_NOFOLLOW) == 0 && now.st_dev == st->st_dev &&
	       now.st_ino == st->st_ino;
}

/* Open name (creating it) and lock it: 0 with *fdp, 1 held by another
 * process (its word in other), -1 + err. */
static int lock_open(int dfd, const char *dir, const char *name, int *fdp, char *other, size_t on,
                     char *err, size_t errlen)
{
	for (int tries = 0; tries < 8; tries++) {
		struct stat st;
		const char *problem;
		char why[96];
		int fd = openat(dfd, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0600);
		if (fd < 0) {
			snprintf(err, errlen, "%s/%s: %s", dir, name,
			         errno == ELOOP ? "a symbolic link" : strerror(errno));
			return -1;
		}
		/* A regular file of ours: what else is there is refused, never used. */
		if ((problem = draft_fd_problem(fd, 0, &st, why, sizeof why))) {
			snprintf(err, errlen, "%s/%s: %s", dir, name, problem);
			close(fd);
			return -1;
		}
		if (lock_take(fd) < 0) {
			int busy = errno == EAGAIN;
			if (busy)
				lock_doing_read(fd, other, on);
			else
				snprintf(err, errlen, "%s/%s: %s", dir, name, strerror(errno));
			close(fd);
			return busy ? 1 : -1;
		}
		if (lock_still_named(dfd, name, &st)) {
			*fdp = fd;
			return 0;
		}
		close(fd); /* a removed lock file: take the new one */
	}
	snprintf(err, errlen, "%s/%s: replaced again and again", dir, name);
	return -1;
}

int draft_lock(const char *id, const char *doing, char *other, size_t on, char *err, size_t errlen)
{
	char dir[4096], name[64];
	struct held *h = held_find(id);
	if (on)
		other[0] = '\0';
	if (h) {
		h->holds++;
		lock_doing_write(h->fd, doing);
		return 0;
	}
	if (!handoff_is_uuid(id)) {
		snprintf(err, errlen, "'%s' is not a draft id", id);
		return -1;
	}
	int fd = -1, dfd = draft_dir_open(dir, sizeof dir, err, errlen);
	if (dfd < 0)
		return -1;
	lock_name(name, sizeof name, id, "lock");
	int rc = lock_open(dfd, dir, name, &fd, other, on, err, errlen);
	close(dfd);
	if (rc == 0) {
		lock_doing_write(fd, doing);
		held_add(id, fd);
	}
	return rc;
}

void draft_lock_doing(const char *id, const char *doing)
{
	struct held *h = held_find(id);
	if (h)
		lock_doing_write(h->fd, doing);
}

/* The draft is gone (sent, discarded): its lock file goes too, while it is
 * still locked, so nobody holds a lock on a file without a name. */
static void lock_drop_file(const char *id)
{
	char dir[4096], name[64], err[256];
	struct stat st;
	int dfd = draft_dir_open(dir, sizeof dir, err, sizeof err);
	if (dfd < 0)
		return;
	lock_name(name, sizeof name, id, "draft");
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT) {
		lock_name(name, sizeof name, id, "lock");
		unlinkat(dfd, name, 0);
	}
	close(dfd);
}

void draft_unlock(const char *id)
{
	struct held *h = held_find(id);
	if (!h || --h->holds > 0)
		return;
	lock_drop_file(id);
	close(h->fd);
	*h = held[--nheld];
}

int draft_locked_elsewhere(const char *id, char *doing, size_t n)
{
	char dir[4096], name[64], err[256];
	struct stat st;
	if (n)
		doing[0] = '\0';
	if (held_find(id) || !handoff_is_uuid(id))
		return 0;
	int dfd = draft_dir_open(dir, sizeof dir, err, sizeof err);
	if (dfd < 0)
		return 0;
	lock_name(name, sizeof name, id, "lock");
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	int busy = fd >= 0 && !draft_fd_problem(fd, 0, &st, NULL, 0) && lock_test(fd) == 1;
	if (busy)
		lock_doing_read(fd, doing, n);
	if (fd >= 0)
		close(fd);
	close(dfd);
	return busy;
}

void draft_lock_sweep(int dfd, const char *name)
{
	char draft[64];
	struct stat st;
	size_t len = strlen(name);
	if (len != 36 + 5 || strcmp(name + 36, ".lock") != 0)
		return;
	snprintf(draft, sizeof draft, "%.36s", name);
	if (held_find(draft) || !handoff_is_uuid(draft))
		return;
	snprintf(draft, sizeof draft, "%.36s.draft", name);
	if (fstatat(dfd, draft, &st, AT_SYMLINK_NOFOLLOW) == 0 || errno != ENOENT)
		return;
	/* A draft gone while a console held it open, killed before it could
	 * tidy up: its lock file, if nobody holds it. */
	int fd = openat(dfd, name, O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (!draft_fd_problem(fd, 0, &st, NULL, 0) && lock_take(fd) == 0 && lock_still_named(dfd, name, &st))
		unlinkat(dfd, name, 0);
	close(fd);
}
