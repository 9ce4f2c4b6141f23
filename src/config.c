#include "baton/config.h"
#include "baton/import.h"
#include "baton/queue.h"
#include "config_priv.h"

#include <errno.h>
#include <fcntl.h>
#include <libconfig.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *config_strdup(const char *s)
{
	char *p = strdup(s);
	if (!p)
		abort();
	return p;
}

static void set_str(char **dst, const char *s)
{
	free(*dst);
	*dst = s ? config_strdup(s) : NULL;
}

void config_defaults(struct config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->statement_timeout_ms = 15000;
	cfg->color = 1;
	cfg->escdelay_ms = 25;
	/* The queue opens on the first view: a lead's own teams. */
	cfg->views[0] = (struct queue_view){.name = config_strdup("my teams"), .mine = 1};
	cfg->views[1] = (struct queue_view){.name = config_strdup("breached"), .breached = 1};
	cfg->views[2] = (struct queue_view){.name = config_strdup("escalations"), .reason = config_strdup("escalation")};
	cfg->views[3] = (struct queue_view){.name = config_strdup("all teams")};
	cfg->nviews = 4;
}

static void views_free(struct config *cfg)
{
	for (size_t i = 0; i < cfg->nviews; i++) {
		struct queue_view *v = &cfg->views[i];
		free(v->name);
		free(v->team);
		free(v->state);
		free(v->reason);
		free(v->priority);
	}
	cfg->nviews = 0;
}

void config_free(struct config *cfg)
{
	free(cfg->conninfo);
	free(cfg->read_conninfo);
	config_moved_free(&cfg->moved);
	import_config_free(cfg->import);
	free(cfg->import);
	views_free(cfg);
	for (size_t i = 0; i < cfg->nfiles; i++)
		free(cfg->files[i]);
	for (size_t i = 0; i < cfg->nwarnings; i++)
		free(cfg->warnings[i]);
	memset(cfg, 0, sizeof *cfg);
}

/* --- reading one file ----------------------------------------------------- */

int config_fail(struct reader *r, const config_setting_t *s, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	snprintf(r->err, r->errlen, "%s:%u: %s", r->path,
	         s ? config_setting_source_line(s) : 0, msg);
	return -1;
}

void config_setting_path(const config_setting_t *s, char *out, size_t n)
{
	const char *parts[16];
	int depth = 0;
	char idx[16][16];
	for (const config_setting_t *p = s; p && config_setting_parent(p) && depth < 16;
	     p = config_setting_parent(p)) {
		if (config_setting_name(p)) {
			parts[depth] = config_setting_name(p);
		} else {
			snprintf(idx[depth], sizeof idx[depth], "[%d]", config_setting_index(p));
			parts[depth] = idx[depth];
		}
		depth++;
	}
	out[0] = '\0';
	size_t len = 0;
	for (int i = depth - 1; i >= 0; i--) {
		int w = snprintf(out + len, n - len, "%s%s",
		                 (len && parts[i][0] != '[') ? "." : "", parts[i]);
		if (w < 0 || (size_t)w >= n - len)
			break;
		len += (size_t)w;
	}
}

static int want_type(struct reader *r, const config_setting_t *s, int type, const char *what)
{
	int t = config_setting_type(s);
	if (t == type || (type == CONFIG_TYPE_INT && t == CONFIG_TYPE_INT64))
		return 0;
	char path[128];
	config_setting_path(s, path, sizeof path);
	return config_fail(r, s, "setting '%s' must be %s", path, what);
}

int config_read_int(struct reader *r, const config_setting_t *s, int lo, int hi, int *out)
{
	if (want_type(r, s, CONFIG_TYPE_INT, "an integer") < 0)
		return -1;
	long long v = config_setting_get_int64(s);
	if (v < lo || v > hi) {
		char path[128];
		config_setting_path(s, path, sizeof path);
		return config_fail(r, s, "setting '%s' must be between %d and %d", path, lo, hi);
	}
	*out = (int)v;
	return 0;
}

static int read_bool(struct reader *r, const config_setting_t *s, int *out)
{
	if (want_type(r, s, CONFIG_TYPE_BOOL, "true or false") < 0)
		return -1;
	*out = config_setting_get_bool(s);
	return 0;
}

int config_take_string(struct reader *r, const config_setting_t *s, char **out)
{
	if (want_type(r, s, CONFIG_TYPE_STRING, "a string in double quotes") < 0)
		return -1;
	set_str(out, config_setting_get_string(s));
	return 0;
}

int config_unknown(struct reader *r, const config_setting_t *s)
{
	char path[128];
	config_setting_path(s, path, sizeof path);
	return config_fail(r, s, "unknown setting '%s' (see etc/baton.cfg for every setting)", path);
}

int config_want_group(struct reader *r, const config_setting_t *s)
{
	return want_type(r, s, CONFIG_TYPE_GROUP, "a group { ... }");
}

static int read_database(struct reader *r, const config_setting_t *g, struct config *cfg)
{
	for (int i = 0; i < config_setting_length(g); i++) {
		config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
		const char *n = config_setting_name(s);
		int rc;
		if (strcmp(n, "conninfo") == 0)
			rc = config_read_conninfo(r, s, &cfg->conninfo);
		else if (strcmp(n, "read_conninfo") == 0)
			rc = config_read_conninfo(r, s, &cfg->read_conninfo);
		else if (strcmp(n, "statement_timeout_ms") == 0)
			rc = config_read_int(r, s, 0, 3600000, &cfg->statement_timeout_ms);
		else if (strcmp(n, "connect_timeout_s") == 0)
			rc = config_read_int(r, s, 0, 3600, &cfg->connect_timeout_s);
		else
			rc = config_unknown(r, s);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int read_ui(struct reader *r, const config_setting_t *g, struct config *cfg)
{
	for (int i = 0; i < config_setting_length(g); i++) {
		config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
		const char *n = config_setting_name(s);
		int rc;
		if (strcmp(n, "color") == 0)
			rc = read_bool(r, s, &cfg->color);
		else if (strcmp(n, "ascii") == 0)
			rc = read_bool(r, s, &cfg->ascii);
		else if (strcmp(n, "escdelay_ms") == 0)
			rc = config_read_int(r, s, 0, 1000, &cfg->escdelay_ms);
		else if (strcmp(n, "start_screen") == 0)
			rc = config_read_start_screen(r, s, &cfg->start_screen);
		else
			rc = config_unknown(r, s);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* A view's value, checked as the queue's filter checks it (teams and
 * reasons by their form only: the configuration has no database). */
static int read_view_value(struct reader *r, const config_setting_t *s, char **out)
{
	char canon[64], msg[512];
	if (config_take_string(r, s, out) < 0)
		return -1;
	if (queue_value_check(config_setting_name(s), *out, NULL, canon, sizeof canon, msg,
	                      sizeof msg) < 0)
		return config_fail(r, s, "%s", msg);
	set_str(out, canon);
	return 0;
}

static int read_view(struct reader *r, const config_setting_t *g, struct queue_view *v)
{
	if (config_want_group(r, g) < 0)
		return -1;
	for (int i = 0; i < config_setting_length(g); i++) {
		config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
		const char *n = config_setting_name(s);
		int rc;
		if (strcmp(n, "name") == 0)
			rc = config_take_string(r, s, &v->name);
		else if (strcmp(n, "team") == 0)
			rc = read_view_value(r, s, &v->team);
		else if (strcmp(n, "state") == 0)
			rc = read_view_value(r, s, &v->state);
		else if (strcmp(n, "reason") == 0)
			rc = read_view_value(r, s, &v->reason);
		else if (strcmp(n, "priority") == 0)
			rc = read_view_value(r, s, &v->priority);
		else if (strcmp(n, "breached") == 0)
			rc = read_bool(r, s, &v->breached);
		else if (strcmp(n, "mine") == 0)
			rc = read_bool(r, s, &v->mine);
		else
			rc = config_unknown(r, s);
		if (rc < 0)
			return -1;
	}
	if (!v->name)
		return config_fail(r, g, "every queue view needs a name = \"...\"");
	return 0;
}

static int read_queue(struct reader *r, const config_setting_t *g, struct config *cfg)
{
	for (int i = 0; i < config_setting_length(g); i++) {
		config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
		const char *n = config_setting_name(s);
		if (strcmp(n, "views") != 0)
			return config_unknown(r, s);
		if (config_setting_type(s) != CONFIG_TYPE_LIST)
			return config_fail(r, s, "setting 'queue.views' must be a list ( {...}, {...} )");
		int len = config_setting_length(s);
		if (len > CONFIG_MAX_VIEWS)
			return config_fail(r, s, "at most %d queue views (one digit key each)", CONFIG_MAX_VIEWS);
		views_free(cfg);
		for (int j = 0; j < len; j++) {
			struct queue_view *v = &cfg->views[cfg->nviews++];
			memset(v, 0, sizeof *v);
			if (read_view(r, config_setting_get_elem(s, (unsigned)j), v) < 0)
				return -1;
		}
	}
	return 0;
}

static int read_root(struct reader *r, const config_setting_t *root, struct config *cfg)
{
	for (int i = 0; i < config_setting_length(root); i++) {
		config_setting_t *s = config_setting_get_elem(root, (unsigned)i);
		const char *n = config_setting_name(s);
		int (*fn)(struct reader *, const config_setting_t *, struct config *) = NULL;
		if (strcmp(n, "database") == 0)
			fn = read_database;
		else if (strcmp(n, "ui") == 0)
			fn = read_ui;
		else if (strcmp(n, "handoff") == 0)
			fn = config_read_moved;
		else if (strcmp(n, "queue") == 0)
			fn = read_queue;
		else if (strcmp(n, "import") == 0)
			fn = config_read_import;
		if (!fn)
			return config_unknown(r, s);
		if (config_want_group(r, s) < 0 || fn(r, s, cfg) < 0)
			return -1;
	}
	return 0;
}

/* A configuration says where to connect and so where a password from
 * .pgpass goes: on a shared host, one that another user wrote (planted at a
 * name, or reached by a link) could send it to their own server.  Like
 * ssh's, it must be the reader's or root's and writable by no one else.
 * 1 with err set if st (the opened file's) fails that. */
static int config_file_untrusted(const char *path, const struct stat *st, char *err, size_t errlen)
{
	if (st->st_uid != geteuid() && st->st_uid != 0) {
		snprintf(err, errlen, "%s: owned by another user (uid %ld): a configuration must be yours or root's",
		         path, (long)st->st_uid);
		return 1;
	}
	if (st->st_mode & (S_IWGRP | S_IWOTH)) {
		snprintf(err, errlen, "%s: others may write to it (mode %04o): chmod go-w it", path,
		         (unsigned)(st->st_mode & 07777));
		return 1;
	}
	return 0;
}

static int config_read_one(struct config *cfg, const char *path, char *err, size_t errlen)
{
	config_t lc;
	config_init(&lc);
	int rc = -1;
	/* O_NONBLOCK: a FIFO at the name cannot make the program wait; a
	 * directory, a FIFO or a device is no configuration, said so (libconfig
	 * would report "input in flex scanner failed" and no file). */
	FILE *f = NULL;
	struct stat st;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) < 0) {
		snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
		close(fd);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file (%s): a configuration is a file", path,
		         S_ISDIR(st.st_mode) ? "a directory" : S_ISFIFO(st.st_mode) ? "a FIFO" : "a device or socket");
		close(fd);
		goto out;
	}
	if (config_file_untrusted(path, &st, err, errlen)) {
		close(fd);
		goto out;
	}
	if (!(f = fdopen(fd, "r"))) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		close(fd);
		goto out;
	}
	if (!config_read(&lc, f)) {
		snprintf(err, errlen, "%s:%d: %s", path, config_error_line(&lc),
		         config_error_text(&lc));
		goto out;
	}
	struct reader r = {path, err, errlen};
	if (read_root(&r, config_root_setting(&lc), cfg) < 0)
		goto out;
	if (cfg->nfiles < CONFIG_MAX_FILES)
		cfg->files[cfg->nfiles++] = config_strdup(path);
	rc = 0;
out:
	if (f)
		fclose(f);
	config_destroy(&lc);
	return rc;
}

static int file_exists(const char *p)
{
	return access(p, F_OK) == 0;
}

int config_load(struct config *cfg, const char *explicit_file, char *err, size_t errlen)
{
	config_defaults(cfg);
	char path[4096];

	snprintf(path, sizeof path, "%s/baton/baton.cfg", BATON_SYSCONFDIR);
	if (file_exists(path) && config_read_one(cfg, path, err, errlen) < 0)
		return -1;

	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	path[0] = '\0';
	if (xdg && xdg[0] == '/')
		snprintf(path, sizeof path, "%s/baton/baton.cfg", xdg);
	else if (home && *home)
		snprintf(path, sizeof path, "%s/.config/baton/baton.cfg", home);
	if (path[0] && file_exists(path) && config_read_one(cfg, path, err, errlen) < 0)
		return -1;

	/* An explicitly named file must exist: a typo should not silently fall
	 * back to defaults. */
	const char *named = explicit_file ? explicit_file : getenv("BATON_CONFIG");
	if (named && *named && config_read_one(cfg, named, err, errlen) < 0)
		return -1;
	return config_check_import(cfg, err, errlen);
}
