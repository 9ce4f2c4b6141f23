#include "baton/config.h"
#include "baton/queue.h"
#include "baton/team.h"

#include <errno.h>
#include <libconfig.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *xstrdup(const char *s)
{
	char *p = strdup(s);
	if (!p)
		abort();
	return p;
}

static void set_str(char **dst, const char *s)
{
	free(*dst);
	*dst = s ? xstrdup(s) : NULL;
}

static const char *const default_reasons[] = {
	"escalation", "renewal risk", "onboarding blocker", "billing", "feature request", "question",
};

void config_defaults(struct config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->statement_timeout_ms = 15000;
	cfg->color = 1;
	cfg->escdelay_ms = 25;
	cfg->max_note_bytes = 16384;
	cfg->ack_sla_min[PRIO_URGENT] = 60;
	cfg->ack_sla_min[PRIO_HIGH] = 4 * 60;
	cfg->ack_sla_min[PRIO_NORMAL] = 24 * 60;
	cfg->ack_sla_min[PRIO_LOW] = 72 * 60;
	for (size_t i = 0; i < sizeof default_reasons / sizeof *default_reasons; i++)
		cfg->reasons[cfg->nreasons++] = xstrdup(default_reasons[i]);
	/* The queue opens on the first view: a lead's own teams. */
	cfg->views[0] = (struct queue_view){.name = xstrdup("my teams"), .mine = 1};
	cfg->views[1] = (struct queue_view){.name = xstrdup("breached"), .breached = 1};
	cfg->views[2] = (struct queue_view){.name = xstrdup("escalations"), .reason = xstrdup("escalation")};
	cfg->views[3] = (struct queue_view){.name = xstrdup("all teams")};
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
		free(v->reason_at);
	}
	cfg->nviews = 0;
}

void config_free(struct config *cfg)
{
	free(cfg->conninfo);
	for (size_t i = 0; i < cfg->nreasons; i++)
		free(cfg->reasons[i]);
	views_free(cfg);
	for (size_t i = 0; i < cfg->nfiles; i++)
		free(cfg->files[i]);
	memset(cfg, 0, sizeof *cfg);
}

/* --- reading one file ----------------------------------------------------- */

struct reader {
	const char *path;
	char *err;
	size_t errlen;
};

static int fail(struct reader *r, const config_setting_t *s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct reader *r, const config_setting_t *s, const char *fmt, ...)
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

/* "database.conninfo" for error messages */
static void setting_path(const config_setting_t *s, char *out, size_t n)
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
	setting_path(s, path, sizeof path);
	return fail(r, s, "setting '%s' must be %s", path, what);
}

static int read_int(struct reader *r, const config_setting_t *s, int lo, int hi, int *out)
{
	if (want_type(r, s, CONFIG_TYPE_INT, "an integer") < 0)
		return -1;
	long long v = config_setting_get_int64(s);
	if (v < lo || v > hi) {
		char path[128];
		setting_path(s, path, sizeof path);
		return fail(r, s, "setting '%s' must be between %d and %d", path, lo, hi);
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

static int read_string(struct reader *r, const config_setting_t *s, char **out)
{
	if (want_type(r, s, CONFIG_TYPE_STRING, "a string in double quotes") < 0)
		return -1;
	set_str(out, config_setting_get_string(s));
	return 0;
}

static int unknown(struct reader *r, const config_setting_t *s)
{
	char path[128];
	setting_path(s, path, sizeof path);
	return fail(r, s, "unknown setting '%s' (see etc/baton.cfg for every setting)", path);
}

static int want_group(struct reader *r, const config_setting_t *s)
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
			rc = read_string(r, s, &cfg->conninfo);
		else if (strcmp(n, "statement_timeout_ms") == 0)
			rc = read_int(r, s, 0, 3600000, &cfg->statement_timeout_ms);
		else if (strcmp(n, "connect_timeout_s") == 0)
			rc = read_int(r, s, 0, 3600, &cfg->connect_timeout_s);
		else
			rc = unknown(r, s);
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
			rc = read_int(r, s, 0, 1000, &cfg->escdelay_ms);
		else
			rc = unknown(r, s);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int valid_reason(const char *s)
{
	size_t n = strlen(s);
	if (n < 1 || n > 40 || s[0] < 'a' || s[0] > 'z')
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == ' ' || c == '-'))
			return 0;
	}
	return 1;
}

static int read_reasons(struct reader *r, const config_setting_t *s, struct config *cfg)
{
	if (config_setting_type(s) != CONFIG_TYPE_ARRAY && config_setting_type(s) != CONFIG_TYPE_LIST)
		return fail(r, s, "setting 'handoff.reasons' must be a list of strings [\"a\", \"b\"]");
	int n = config_setting_length(s);
	if (n < 1 || n > CONFIG_MAX_REASONS)
		return fail(r, s, "setting 'handoff.reasons' must have 1 to %d entries", CONFIG_MAX_REASONS);
	for (size_t i = 0; i < cfg->nreasons; i++)
		free(cfg->reasons[i]);
	cfg->nreasons = 0;
	for (int i = 0; i < n; i++) {
		config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		const char *v = config_setting_get_string(e);
		if (!v || !valid_reason(v))
			return fail(r, e, "handoff.reasons[%d] must be 1-40 lower-case letters, digits, spaces, '-' or '_'", i);
		cfg->reasons[cfg->nreasons++] = xstrdup(v);
	}
	return 0;
}

static int read_minutes(struct reader *r, const config_setting_t *s, int *out)
{
	char path[128];
	setting_path(s, path, sizeof path);
	int t = config_setting_type(s);
	int v = -1;
	if (t == CONFIG_TYPE_STRING)
		v = config_parse_minutes(config_setting_get_string(s));
	else if (t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64) {
		long long m = config_setting_get_int64(s);
		v = (m >= 0 && m <= 365LL * 24 * 60) ? (int)m : -1;
	}
	if (v <= 0)
		return fail(r, s, "setting '%s' must be a duration such as \"30m\", \"4h\" or \"2d\"", path);
	*out = v;
	return 0;
}

/* handoff.ack_sla_team: { support: { urgent = "30m"; }; ... } */
static int read_team_slas(struct reader *r, const config_setting_t *g, struct config *cfg)
{
	if (want_group(r, g) < 0)
		return -1;
	cfg->nteam_sla = 0;
	for (int i = 0; i < config_setting_length(g); i++) {
		config_setting_t *t = config_setting_get_elem(g, (unsigned)i);
		const char *team = config_setting_name(t);
		if (!team_id_valid(team))
			return fail(r, t, "handoff.ack_sla_team: '%s' is not a team id (lower-case, as in the team table)", team);
		if (cfg->nteam_sla == CONFIG_MAX_TEAM_SLAS)
			return fail(r, t, "handoff.ack_sla_team: at most %d teams", CONFIG_MAX_TEAM_SLAS);
		if (want_group(r, t) < 0)
			return -1;
		struct team_sla *ts = &cfg->team_sla[cfg->nteam_sla++];
		memset(ts, 0, sizeof *ts);
		snprintf(ts->team, sizeof ts->team, "%s", team);
		for (int j = 0; j < config_setting_length(t); j++) {
			config_setting_t *e = config_setting_get_elem(t, (unsigned)j);
			int p = priority_from_name(config_setting_name(e));
			if (p < 0 ? unknown(r, e) : read_minutes(r, e, &ts->min[p]))
				return -1;
		}
	}
	return 0;
}

static int read_handoff(struct reader *r, const config_setting_t *g, struct config *cfg)
{
	for (int i = 0; i < config_setting_length(g); i++) {
		config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
		const char *n = config_setting_name(s);
		int rc = 0;
		if (strcmp(n, "reasons") == 0) {
			rc = read_reasons(r, s, cfg);
		} else if (strcmp(n, "max_note_bytes") == 0) {
			rc = read_int(r, s, 64, 65536, &cfg->max_note_bytes);
		} else if (strcmp(n, "ack_sla_team") == 0) {
			rc = read_team_slas(r, s, cfg);
		} else if (strcmp(n, "ack_sla") == 0) {
			if (want_group(r, s) < 0)
				return -1;
			for (int j = 0; rc == 0 && j < config_setting_length(s); j++) {
				config_setting_t *e = config_setting_get_elem(s, (unsigned)j);
				int p = priority_from_name(config_setting_name(e));
				rc = p < 0 ? unknown(r, e) : read_minutes(r, e, &cfg->ack_sla_min[p]);
			}
		} else {
			rc = unknown(r, s);
		}
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* A view's value, checked as the queue's filter checks it (teams by their
 * form only: the configuration has no database).  A reason is checked once
 * every file is read, as a later file may set handoff.reasons: where it
 * was set is kept in *at for the message. */
static int read_view_value(struct reader *r, const config_setting_t *s, char **out, char **at)
{
	char canon[64], msg[512], where[4200];
	if (read_string(r, s, out) < 0)
		return -1;
	if (at) {
		snprintf(where, sizeof where, "%s:%u", r->path, config_setting_source_line(s));
		set_str(at, where);
		return 0;
	}
	if (queue_value_check(config_setting_name(s), *out, NULL, NULL, canon, sizeof canon, msg,
	                      sizeof msg) < 0)
		return fail(r, s, "%s", msg);
	set_str(out, canon);
	return 0;
}

static int check_view_reasons(struct config *cfg, char *err, size_t errlen)
{
	for (size_t i = 0; i < cfg->nviews; i++) {
		struct queue_view *v = &cfg->views[i];
		char canon[64], msg[1024];
		/* Built-in views (no reason_at) follow the built-in reasons. */
		if (!v->reason || !v->reason_at)
			continue;
		if (queue_value_check("reason", v->reason, cfg, NULL, canon, sizeof canon, msg, sizeof msg) < 0) {
			snprintf(err, errlen, "%s: %s", v->reason_at, msg);
			return -1;
		}
		set_str(&v->reason, canon);
	}
	return 0;
}

static int read_view(struct reader *r, const config_setting_t *g, struct queue_view *v)
{
	if (want_group(r, g) < 0)
		return -1;
	for (int i = 0; i < config_setting_length(g); i++) {
		config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
		const char *n = config_setting_name(s);
		int rc;
		if (strcmp(n, "name") == 0)
			rc = read_string(r, s, &v->name);
		else if (strcmp(n, "team") == 0)
			rc = read_view_value(r, s, &v->team, NULL);
		else if (strcmp(n, "state") == 0)
			rc = read_view_value(r, s, &v->state, NULL);
		else if (strcmp(n, "reason") == 0)
			rc = read_view_value(r, s, &v->reason, &v->reason_at);
		else if (strcmp(n, "priority") == 0)
			rc = read_view_value(r, s, &v->priority, NULL);
		else if (strcmp(n, "breached") == 0)
			rc = read_bool(r, s, &v->breached);
		else if (strcmp(n, "mine") == 0)
			rc = read_bool(r, s, &v->mine);
		else
			rc = unknown(r, s);
		if (rc < 0)
			return -1;
	}
	if (!v->name)
		return fail(r, g, "every queue view needs a name = \"...\"");
	return 0;
}

static int read_queue(struct reader *r, const config_setting_t *g, struct config *cfg)
{
	for (int i = 0; i < config_setting_length(g); i++) {
		config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
		const char *n = config_setting_name(s);
		if (strcmp(n, "views") != 0)
			return unknown(r, s);
		if (config_setting_type(s) != CONFIG_TYPE_LIST)
			return fail(r, s, "setting 'queue.views' must be a list ( {...}, {...} )");
		int len = config_setting_length(s);
		if (len > CONFIG_MAX_VIEWS)
			return fail(r, s, "at most %d queue views (one digit key each)", CONFIG_MAX_VIEWS);
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
			fn = read_handoff;
		else if (strcmp(n, "queue") == 0)
			fn = read_queue;
		if (!fn)
			return unknown(r, s);
		if (want_group(r, s) < 0 || fn(r, s, cfg) < 0)
			return -1;
	}
	return 0;
}

static int config_read_one(struct config *cfg, const char *path, char *err, size_t errlen)
{
	config_t lc;
	config_init(&lc);
	int rc = -1;
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
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
		cfg->files[cfg->nfiles++] = xstrdup(path);
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
	return check_view_reasons(cfg, err, errlen);
}
