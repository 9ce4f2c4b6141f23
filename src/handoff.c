#include "baton/handoff.h"
#include "baton/buf.h"
#include "baton/config.h"
#include "baton/text.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int handoff_init(struct handoff_new *h)
{
	memset(h, 0, sizeof *h);
	snprintf(h->priority, sizeof h->priority, "normal");
	return db_uuid(h->id) < 0 || db_uuid(h->event_id) < 0 ? -1 : 0;
}

void handoff_clear(struct handoff_new *h)
{
	free(h->note);
	h->note = NULL;
}

static int blank(const char *s)
{
	for (; s && *s; s++)
		if (!isspace((unsigned char)*s))
			return 0;
	return 1;
}

int handoff_validate(const struct handoff_new *h, const struct config *cfg, char *err, size_t errlen)
{
	int known = 0;
	for (size_t i = 0; i < cfg->nreasons; i++)
		known |= strcmp(cfg->reasons[i], h->reason) == 0;
	if (!h->to_team[0]) {
		snprintf(err, errlen, "choose the receiving team");
		return -1;
	}
	if (!known) {
		struct buf b = BUF_INIT;
		for (size_t i = 0; i < cfg->nreasons; i++)
			buf_printf(&b, "%s%s", i ? ", " : "", cfg->reasons[i]);
		snprintf(err, errlen, "unknown reason '%s' (configured: %s)", h->reason, buf_str(&b));
		buf_free(&b);
		return -1;
	}
	if (priority_from_name(h->priority) < 0) {
		snprintf(err, errlen, "unknown priority '%s' (urgent, high, normal, low)", h->priority);
		return -1;
	}
	if (blank(h->note)) {
		snprintf(err, errlen, "the note is empty: say what the receiver needs to know");
		return -1;
	}
	if (strlen(h->note) > (size_t)cfg->max_note_bytes) {
		snprintf(err, errlen, "the note is %zu bytes, more than the configured maximum of %d",
		         strlen(h->note), cfg->max_note_bytes);
		return -1;
	}
	if (!text_valid_utf8(h->note, strlen(h->note))) {
		snprintf(err, errlen, "the note is not valid UTF-8");
		return -1;
	}
	return 0;
}

void handoff_create_stmt(const struct handoff_new *h, const struct config *cfg,
                         struct handoff_params *st, struct db_stmt *out)
{
	snprintf(st->num[0], sizeof st->num[0], "%lld", h->customer_id);
	snprintf(st->num[1], sizeof st->num[1], "%lld", h->ticket_id);
	snprintf(st->num[2], sizeof st->num[2], "%d", config_ack_minutes(cfg, h->to_team, h->priority));
	st->p[0] = h->id;
	st->p[1] = h->event_id;
	st->p[2] = st->num[0];
	st->p[3] = h->to_team;
	st->p[4] = h->to_staff[0] ? h->to_staff : NULL;
	st->p[5] = h->reason;
	st->p[6] = h->priority;
	st->p[7] = h->ticket_id > 0 ? st->num[1] : NULL;
	st->p[8] = h->note ? h->note : "";
	st->p[9] = st->num[2];
	out->sql = "SELECT created, state, version FROM baton_handoff_create("
	           "$1::uuid, $2::uuid, $3::bigint, $4, $5, $6, $7, $8::bigint, $9, $10::integer)";
	out->nparams = 10;
	out->params = st->p;
}

int handoff_step_init(struct handoff_step *s, const char *id, const char *kind)
{
	memset(s, 0, sizeof *s);
	snprintf(s->id, sizeof s->id, "%s", id);
	s->kind = kind;
	return db_uuid(s->event_id);
}

void handoff_step_clear(struct handoff_step *s)
{
	free(s->comment);
	s->comment = NULL;
}

void handoff_step_stmt(const struct handoff_step *s, const struct config *cfg,
                       struct handoff_params *st, struct db_stmt *out)
{
	snprintf(st->num[0], sizeof st->num[0], "%d", s->version);
	snprintf(st->num[1], sizeof st->num[1], "%d",
	         config_ack_minutes(cfg, s->to_team, s->priority ? s->priority : "normal"));
	st->p[0] = s->id;
	st->p[1] = s->event_id;
	st->p[2] = s->kind;
	st->p[3] = s->comment;
	st->p[4] = s->version > 0 ? st->num[0] : NULL;
	st->p[5] = s->to_team[0] ? s->to_team : NULL;
	st->p[6] = s->to_staff[0] ? s->to_staff : NULL;
	st->p[7] = st->num[1];
	out->sql = "SELECT done, already, state, version, message FROM baton_handoff_step("
	           "$1::uuid, $2::uuid, $3, $4, $5::integer, $6, $7, $8::integer)";
	out->nparams = 8;
	out->params = st->p;
}

int handoff_is_uuid(const char *s)
{
	if (strlen(s) != 36)
		return 0;
	for (int i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!isxdigit((unsigned char)s[i])) {
			return 0;
		}
	}
	return 1;
}

const char handoff_list_sql[] =
	"SELECT h.id, h.customer_id, c.name, h.from_team, h.to_team, h.to_staff, h.reason,"
	" h.priority, h.state, h.author, to_char(h.created_at, 'YYYY-MM-DD HH24:MI'),"
	" extract(epoch FROM now() - h.created_at)::bigint,"
	" extract(epoch FROM h.ack_due_at - now())::bigint, h.version, h.note"
	" FROM handoff h JOIN customer c ON c.id = h.customer_id"
	" WHERE ($1 = '' OR h.to_team = $1)"
	"   AND ($2 = '' OR h.to_staff = $2)"
	"   AND (CASE WHEN $3 = '' THEN h.state IN ('open', 'acknowledged') ELSE h.state = $3 END)"
	"   AND ($4 <> 't' OR h.to_staff = session_user"
	"        OR (h.to_team = (SELECT team_id FROM staff WHERE role_name = session_user)))"
	" ORDER BY h.created_at, h.id LIMIT 1000";

/* --- drafts ------------------------------------------------------------------ */

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
