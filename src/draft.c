/* Drafts on local disk: written from the first keystroke and kept until
 * the database has what they hold, so a dropped SSH session or a database
 * outage loses nothing.  Saved, read, listed and removed here, always
 * through the verified drafts directory's descriptor (src/draft_dir.c)
 * with *at() calls, never by a path someone else could redirect. */
#include "baton/draft.h"
#include "draft_priv.h"
#include "baton/buf.h"
#include "baton/db.h"
#include "baton/text.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* key="value" with '"', '\' and controls escaped: one unambiguous line. */
static void put_quoted(struct buf *b, const char *key, const char *v)
{
	buf_printf(b, "%s%s=\"", b->len ? " " : "", key);
	for (; v && *v; v++) {
		unsigned char c = (unsigned char)*v;
		if (c == '"' || c == '\\')
			buf_printf(b, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			buf_printf(b, "\\x%02x", c);
		else
			buf_putc(b, (char)c);
	}
	buf_putc(b, '"');
}

void draft_identity(const PGconn *c, const char *session_user, char *out, size_t n)
{
	if (!c || !session_user || !*session_user) {
		if (n)
			out[0] = '\0';
		return;
	}
	struct buf b = BUF_INIT;
	put_quoted(&b, "user", session_user);
	put_quoted(&b, "dbname", PQdb(c));
	put_quoted(&b, "host", PQhost(c));
	put_quoted(&b, "port", PQport(c));
	snprintf(out, n, "%s", buf_str(&b));
	buf_free(&b);
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Into a temporary file of our own (O_EXCL: nothing planted is reused,
 * nothing is followed), then renamed over the draft: readers see the old
 * draft or the new one, never half of one. */
static int save_at(int dfd, const char *name, const struct buf *b, int sync)
{
	char rnd[37], tmp[128];
	if (db_uuid(rnd) < 0)
		return -1;
	snprintf(tmp, sizeof tmp, ".%s.%s.tmp", name, rnd);
	int fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	int rc = write_all(fd, b->data, b->len);
	if (rc == 0 && sync)
		rc = fsync(fd);
	if (close(fd) < 0)
		rc = -1;
	if (rc == 0)
		rc = renameat(dfd, tmp, dfd, name);
	if (rc == 0 && sync)
		rc = fsync(dfd); /* the rename itself survives a crash */
	if (rc < 0) {
		int saved = errno;
		unlinkat(dfd, tmp, 0);
		errno = saved;
	}
	return rc;
}

/* b as the draft file of id, in the verified directory; b is freed. */
static int save_named(const char *id, struct buf *b, int sync, char *err, size_t errlen)
{
	char dir[4096], name[64];
	int rc = -1, dfd = draft_dir_open(dir, sizeof dir, err, errlen);
	if (dfd >= 0) {
		snprintf(name, sizeof name, "%s.draft", id);
		rc = save_at(dfd, name, b, sync);
		if (rc < 0)
			snprintf(err, errlen, "cannot save the draft in %s: %s", dir, strerror(errno));
		close(dfd);
	}
	buf_free(b);
	return rc;
}

/* Nothing is saved without an id (the file's name) and an owner. */
static int can_save(const char *id, const char *owner, char *err, size_t errlen)
{
	if (!handoff_is_uuid(id)) {
		snprintf(err, errlen, "not a draft id: the draft is not saved");
		return -1;
	}
	if (!owner || !*owner) {
		snprintf(err, errlen, "no database identity yet: the draft is not saved");
		return -1;
	}
	return 0;
}

static int save_handoff(const struct handoff_new *h, size_t not_taken, const char *owner, int queued,
                        int sync, char *err, size_t errlen)
{
	if (can_save(h->id, owner, err, errlen) < 0)
		return -1;
	struct buf b = BUF_INIT;
	draft_format_handoff(&b, h, owner, queued, not_taken);
	return save_named(h->id, &b, sync, err, errlen);
}

static int save_note(const struct note_new *n, size_t not_taken, const char *owner, int queued,
                     int sync, char *err, size_t errlen)
{
	if (can_save(n->id, owner, err, errlen) < 0)
		return -1;
	struct buf b = BUF_INIT;
	draft_format_note(&b, n, owner, queued, not_taken);
	return save_named(n->id, &b, sync, err, errlen);
}

int draft_save(const struct handoff_new *h, const char *owner, int queued, int sync, char *err,
               size_t errlen)
{
	return save_handoff(h, 0, owner, queued, sync, err, errlen);
}

int draft_save_note(const struct note_new *n, const char *owner, int queued, int sync, char *err,
                    size_t errlen)
{
	return save_note(n, 0, owner, queued, sync, err, errlen);
}

int draft_save_step(const struct step_new *st, const char *owner, int queued, int sync, char *err,
                    size_t errlen)
{
	if (can_save(st->s.event_id, owner, err, errlen) < 0)
		return -1;
	struct buf b = BUF_INIT;
	draft_format_step(&b, st, owner, queued);
	return save_named(st->s.event_id, &b, sync, err, errlen);
}

int draft_save_signal(const struct signal_new *sg, const char *owner, int queued, int sync, char *err,
                      size_t errlen)
{
	if (can_save(sg->w.id, owner, err, errlen) < 0)
		return -1;
	struct buf b = BUF_INIT;
	draft_format_signal(&b, sg, owner, queued);
	return save_named(sg->w.id, &b, sync, err, errlen);
}

int draft_save_onboarding(const struct onboarding_new *ob, const char *owner, int queued, int sync,
                          char *err, size_t errlen)
{
	const char *id = ob->health ? ob->h.id : ob->m.id;
	if (can_save(id, owner, err, errlen) < 0)
		return -1;
	struct buf b = BUF_INIT;
	draft_format_onboarding(&b, ob, owner, queued);
	return save_named(id, &b, sync, err, errlen);
}

/* Up to DRAFT_MAX_BYTES + 1 bytes of fd into b. */
static int read_all(int fd, struct buf *b)
{
	char chunk[8192];
	while (b->len <= DRAFT_MAX_BYTES) {
		ssize_t r = read(fd, chunk, sizeof chunk);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		buf_add(b, chunk, (size_t)r);
	}
	return 0;
}

/* What makes the opened file unfit to be read as a draft, or NULL. */
static const char *file_problem(int fd, struct draft *d, char *why, size_t n)
{
	struct stat st;
	const char *problem = draft_fd_problem(fd, 0, &st, why, n);
	if (problem)
		return problem;
	if (st.st_size > DRAFT_MAX_BYTES) {
		snprintf(why, n, "%lld bytes, more than any draft", (long long)st.st_size);
		return why;
	}
	d->mtime = st.st_mtime;
	return NULL;
}

/* O_NONBLOCK: a FIFO or a device planted in place of a draft cannot make
 * the open (or the console) wait; fstat then refuses it. */
static int load_at(int dfd, const char *dir, const char *name, struct draft *d, char *err,
                   size_t errlen)
{
	char why[96];
	const char *problem = NULL;
	struct buf b = BUF_INIT;
	int open_errno = 0;
	memset(d, 0, sizeof *d);
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		problem = (open_errno = errno) == ELOOP ? "a symbolic link" : strerror(errno);
	else
		problem = file_problem(fd, d, why, sizeof why);
	if (!problem && read_all(fd, &b) < 0)
		problem = strerror(errno);
	if (!problem && b.len > DRAFT_MAX_BYTES)
		problem = "bigger than any draft";
	buf_putc(&b, '\0'); /* text to parse in place, also when empty */
	if (!problem && draft_parse(d, b.data, b.len - 1) < 0)
		problem = "not a draft Baton wrote (bad format)";
	if (fd >= 0)
		close(fd);
	buf_free(&b);
	if (problem) {
		snprintf(err, errlen, "%s/%s: %s", dir, name, problem);
		draft_clear(d);
		errno = open_errno; /* ENOENT: there is no such draft (any more) */
		return -1;
	}
	return 0;
}

int draft_load(const char *name, struct draft *d, char *err, size_t errlen)
{
	char dir[4096];
	memset(d, 0, sizeof *d);
	if (strchr(name, '/') || name[0] == '.' || !name[0]) {
		snprintf(err, errlen, "'%s' is not a draft name", name);
		return -1;
	}
	int dfd = draft_dir_open(dir, sizeof dir, err, errlen);
	if (dfd < 0)
		return -1;
	int rc = load_at(dfd, dir, name, d, err, errlen);
	close(dfd);
	return rc;
}

int draft_save_any(const struct draft *d, const char *owner, int queued, int sync, char *err,
                   size_t errlen)
{
	if (d->kind == DRAFT_NOTE)
		return save_note(&d->n, d->not_taken, owner, queued, sync, err, errlen);
	if (d->kind == DRAFT_STEP)
		return draft_save_step(&d->st, owner, queued, sync, err, errlen);
	if (d->kind == DRAFT_SIGNAL)
		return draft_save_signal(&d->sg, owner, queued, sync, err, errlen);
	if (d->kind == DRAFT_ONBOARDING)
		return draft_save_onboarding(&d->ob, owner, queued, sync, err, errlen);
	return save_handoff(&d->h, d->not_taken, owner, queued, sync, err, errlen);
}

void draft_clear(struct draft *d)
{
	handoff_clear(&d->h);
	note_clear(&d->n);
	handoff_step_clear(&d->st.s);
	free(d->sg.comment);
	memset(d, 0, sizeof *d);
}

const char *draft_id(const struct draft *d)
{
	switch (d->kind) {
	case DRAFT_NOTE: return d->n.id;
	case DRAFT_STEP: return d->st.s.event_id;
	case DRAFT_SIGNAL: return d->sg.w.id;
	case DRAFT_ONBOARDING: return d->ob.health ? d->ob.h.id : d->ob.m.id;
	default: return d->h.id;
	}
}

int draft_new_id(struct draft *d)
{
	if (d->kind == DRAFT_NOTE)
		return db_uuid(d->n.id);
	if (d->kind == DRAFT_HANDOFF)
		return db_uuid(d->h.id) < 0 || db_uuid(d->h.event_id) < 0 ? -1 : 0;
	return -1; /* a step or a signal's write is recorded once, whoever sends it */
}

int draft_sent_otherwise(const char *err)
{
	return err && strstr(err, " was already sent with a different ") != NULL;
}

int draft_remove(const char *id)
{
	char dir[4096], name[64], err[256];
	if (!handoff_is_uuid(id))
		return -1;
	int dfd = draft_dir_open(dir, sizeof dir, err, sizeof err);
	if (dfd < 0)
		return -1;
	snprintf(name, sizeof name, "%s.draft", id);
	int rc = unlinkat(dfd, name, 0) < 0 && errno != ENOENT ? -1 : 0;
	close(dfd);
	return rc;
}

static int by_mtime_desc(const void *a, const void *b)
{
	const struct draft *x = a, *y = b;
	if (x->mtime != y->mtime)
		return (y->mtime > x->mtime) - (y->mtime < x->mtime);
	return strcmp(draft_id(x), draft_id(y));
}

static int is_draft_name(const char *s)
{
	size_t len = strlen(s);
	return s[0] != '.' && len > 6 && strcmp(s + len - 6, ".draft") == 0;
}

static void list_add(struct draft_list *l, struct draft *d)
{
	struct draft *nv = realloc(l->v, sizeof *l->v * (size_t)(l->n + 1));
	if (!nv)
		abort();
	l->v = nv;
	l->v[l->n++] = *d;
}

int draft_list(const char *owner, struct draft_list *l, char *err, size_t errlen)
{
	char dir[4096], why[sizeof l->problem];
	memset(l, 0, sizeof *l);
	int dfd = draft_dir_open(dir, sizeof dir, err, errlen);
	if (dfd < 0)
		return -1;
	int lfd = dup(dfd);
	DIR *d = lfd >= 0 ? fdopendir(lfd) : NULL;
	if (!d) {
		snprintf(err, errlen, "cannot read the drafts directory %s: %s", dir, strerror(errno));
		if (lfd >= 0)
			close(lfd);
		close(dfd);
		return -1;
	}
	struct dirent *e;
	while ((e = readdir(d))) {
		struct draft one;
		draft_lock_sweep(dfd, e->d_name);
		if (!is_draft_name(e->d_name))
			continue;
		if (load_at(dfd, dir, e->d_name, &one, why, sizeof why) < 0) {
			if (l->refused++ == 0)
				snprintf(l->problem, sizeof l->problem, "%s", why);
		} else if (strcmp(one.owner, owner ? owner : "") != 0) {
			draft_clear(&one); /* another database or role's: not ours to show */
		} else {
			list_add(l, &one);
		}
	}
	closedir(d);
	close(dfd);
	if (l->n > 1)
		qsort(l->v, (size_t)l->n, sizeof *l->v, by_mtime_desc);
	return l->n;
}

void draft_list_free(struct draft_list *l)
{
	for (int i = 0; i < l->n; i++)
		draft_clear(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof *l);
}
