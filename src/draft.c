/* Handoff drafts on local disk: written from the first keystroke and kept
 * until the database has the handoff, so a dropped SSH session or a
 * database outage loses nothing. */
#include "baton/draft.h"
#include "baton/buf.h"

#include <dirent.h>
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

int draft_dir(char *out, size_t n, char *err, size_t errlen)
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
	if (mkdir_p(out, 0700) < 0) {
		snprintf(err, errlen, "cannot create %s: %s", out, strerror(errno));
		return -1;
	}
	/* Drafts are private even when the directory already existed. */
	chmod(out, 0700);
	return 0;
}

/* Header values are one line each; the note follows a blank line. */
static void put_field(struct buf *b, const char *key, const char *v)
{
	buf_printf(b, "%s: ", key);
	for (; *v; v++)
		buf_putc(b, (*v == '\n' || *v == '\r') ? ' ' : *v);
	buf_putc(b, '\n');
}

int draft_save(const struct handoff_new *h, int queued, int sync, char *err, size_t errlen)
{
	char dir[4096], path[4200], tmp[4300];
	if (draft_dir(dir, sizeof dir, err, errlen) < 0)
		return -1;
	snprintf(path, sizeof path, "%s/%s.draft", dir, h->id);
	snprintf(tmp, sizeof tmp, "%s/.%s.tmp", dir, h->id);
	struct buf b = BUF_INIT;
	char num[32];
	buf_puts(&b, "baton-draft: 1\n");
	put_field(&b, "id", h->id);
	put_field(&b, "event", h->event_id);
	snprintf(num, sizeof num, "%lld", h->customer_id);
	put_field(&b, "customer", num);
	put_field(&b, "customer-name", h->customer_name);
	put_field(&b, "to-team", h->to_team);
	put_field(&b, "to", h->to_staff);
	put_field(&b, "reason", h->reason);
	put_field(&b, "priority", h->priority);
	snprintf(num, sizeof num, "%lld", h->ticket_id);
	put_field(&b, "ticket", num);
	put_field(&b, "state", queued ? "queued" : "editing");
	buf_putc(&b, '\n');
	buf_puts(&b, h->note ? h->note : "");
	int rc = -1;
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		goto out;
	size_t off = 0;
	while (off < b.len) {
		ssize_t w = write(fd, b.data + off, b.len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			close(fd);
			goto out;
		}
		off += (size_t)w;
	}
	if ((sync && fsync(fd) < 0) || close(fd) < 0)
		goto out;
	if (rename(tmp, path) < 0)
		goto out;
	rc = 0;
out:
	if (rc < 0) {
		snprintf(err, errlen, "cannot save the draft in %s: %s", dir, strerror(errno));
		unlink(tmp);
	}
	buf_free(&b);
	return rc;
}

static void copy_field(char *dst, size_t n, const char *v)
{
	snprintf(dst, n, "%s", v);
}

int draft_load(const char *path, struct handoff_new *h, int *queued)
{
	memset(h, 0, sizeof *h);
	*queued = 0;
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	char line[1024];
	int ok = fgets(line, sizeof line, f) && strcmp(line, "baton-draft: 1\n") == 0;
	while (ok && fgets(line, sizeof line, f)) {
		if (strcmp(line, "\n") == 0)
			break;
		line[strcspn(line, "\n")] = '\0';
		char *colon = strstr(line, ": ");
		if (!colon)
			continue;
		*colon = '\0';
		const char *k = line, *v = colon + 2;
		if (!strcmp(k, "id"))
			copy_field(h->id, sizeof h->id, v);
		else if (!strcmp(k, "event"))
			copy_field(h->event_id, sizeof h->event_id, v);
		else if (!strcmp(k, "customer"))
			h->customer_id = strtoll(v, NULL, 10);
		else if (!strcmp(k, "customer-name"))
			copy_field(h->customer_name, sizeof h->customer_name, v);
		else if (!strcmp(k, "to-team"))
			copy_field(h->to_team, sizeof h->to_team, v);
		else if (!strcmp(k, "to"))
			copy_field(h->to_staff, sizeof h->to_staff, v);
		else if (!strcmp(k, "reason"))
			copy_field(h->reason, sizeof h->reason, v);
		else if (!strcmp(k, "priority"))
			copy_field(h->priority, sizeof h->priority, v);
		else if (!strcmp(k, "ticket"))
			h->ticket_id = strtoll(v, NULL, 10);
		else if (!strcmp(k, "state"))
			*queued = strcmp(v, "queued") == 0;
	}
	struct buf note = BUF_INIT;
	size_t n;
	char chunk[4096];
	while (ok && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&note, chunk, n);
	fclose(f);
	h->note = buf_steal(&note);
	if (!ok || !handoff_is_uuid(h->id) || !handoff_is_uuid(h->event_id) || h->customer_id <= 0) {
		handoff_clear(h);
		return -1;
	}
	return 0;
}

int draft_remove(const char *id)
{
	char dir[4096], path[4200], err[256];
	if (!handoff_is_uuid(id) || draft_dir(dir, sizeof dir, err, sizeof err) < 0)
		return -1;
	snprintf(path, sizeof path, "%s/%s.draft", dir, id);
	return unlink(path) < 0 && errno != ENOENT ? -1 : 0;
}

struct dent {
	char *path;
	time_t mtime;
};

static int by_mtime_desc(const void *a, const void *b)
{
	const struct dent *x = a, *y = b;
	return (y->mtime > x->mtime) - (y->mtime < x->mtime);
}

int draft_list(char ***paths)
{
	char dir[4096], err[256];
	*paths = NULL;
	if (draft_dir(dir, sizeof dir, err, sizeof err) < 0)
		return -1;
	DIR *d = opendir(dir);
	if (!d)
		return -1;
	struct dent *v = NULL;
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (e->d_name[0] == '.' || len < 7 || strcmp(e->d_name + len - 6, ".draft") != 0)
			continue;
		struct dent *nv = realloc(v, sizeof *v * (size_t)(n + 1));
		if (!nv)
			abort();
		v = nv;
		struct buf p = BUF_INIT;
		buf_printf(&p, "%s/%s", dir, e->d_name);
		struct stat st;
		v[n].mtime = stat(p.data, &st) == 0 ? st.st_mtime : 0;
		v[n].path = buf_steal(&p);
		n++;
	}
	closedir(d);
	if (n > 1)
		qsort(v, (size_t)n, sizeof *v, by_mtime_desc);
	*paths = calloc((size_t)n + 1, sizeof **paths);
	if (!*paths)
		abort();
	for (int i = 0; i < n; i++)
		(*paths)[i] = v[i].path;
	free(v);
	return n;
}

void draft_list_free(char **paths, int n)
{
	for (int i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
}
