/* The signals screen's filter: words checked one by one, each value
 * canonical before it reaches the statement's parameters. */
#include "baton/signal_filter.h"
#include "baton/buf.h"
#include "baton/fmt.h"
#include "baton/queue.h"
#include "baton/signals.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Whether kind begins with name, '_' in name standing for '-'. */
static int kind_starts_with(const char *kind, const char *name)
{
	for (; *name; kind++, name++)
		if (*kind != (*name == '_' ? '-' : *name))
			return 0;
	return 1;
}

/* The kind named by name or the start of one ('_' for '-'); NULL with err
 * if none or several. */
static const struct signal_kind *kind_named(const char *name, char *err, size_t errlen)
{
	const struct signal_kind *found = signal_kind_find(name), *start = NULL;
	int starts = 0;
	for (int i = 0; !found && *name && signal_kind_at(i); i++)
		if (kind_starts_with(signal_kind_at(i)->name, name)) {
			start = signal_kind_at(i);
			starts++;
		}
	if (!found && starts == 1)
		found = start;
	if (found)
		return found;
	struct buf b = BUF_INIT;
	for (int i = 0; signal_kind_at(i); i++)
		buf_printf(&b, "%s%s", fmt_list_sep((size_t)i, SIGNAL_KINDS), signal_kind_at(i)->name);
	snprintf(err, errlen, "%s kind \"%s\": use %s", starts > 1 ? "ambiguous" : "unknown", name,
	         buf_str(&b));
	buf_free(&b);
	return NULL;
}

/* An owner by role, any case, when the staff was read. */
static int owner_check(const char *v, const struct team_list *teams, char *out, size_t n,
                       char *err, size_t errlen)
{
	if (!*v) {
		snprintf(err, errlen, "owner= needs a value: a person's role name, e.g. owner=ben");
		return -1;
	}
	for (int i = 0; teams && i < teams->nstaff; i++)
		if (!strcasecmp(teams->staff[i].role, v)) {
			snprintf(out, n, "%s", teams->staff[i].role);
			return 0;
		}
	if (teams && teams->nstaff) {
		snprintf(err, errlen, "unknown owner \"%s\": use a person's role name, e.g. owner=%s", v,
		         teams->staff[0].role);
		return -1;
	}
	if (strlen(v) >= n) {
		snprintf(err, errlen, "owner \"%s\" is too long", v);
		return -1;
	}
	snprintf(out, n, "%s", v);
	return 0;
}

struct parse_ctx {
	struct signal_filter *f;
	const struct team_list *teams;
};

static int set_word(void *ctx, const char *key, const char *v, int bare, char *err, size_t errlen)
{
	struct parse_ctx *c = ctx;
	struct signal_filter *f = c->f;
	(void)bare; /* a bare key is one without its value: refused below */
	if (!strcmp(key, "kind")) {
		const struct signal_kind *k = kind_named(v, err, errlen);
		if (!k)
			return -1;
		snprintf(f->kind, sizeof f->kind, "%s", k->name);
		return 0;
	}
	if (!strcmp(key, "team"))
		return queue_value_check(key, v, c->teams, f->team, sizeof f->team, err, errlen);
	if (!strcmp(key, "segment"))
		return queue_value_check(key, v, c->teams, f->segment, sizeof f->segment, err, errlen);
	if (!strcmp(key, "owner"))
		return owner_check(v, c->teams, f->owner, sizeof f->owner, err, errlen);
	snprintf(err, errlen, "unknown filter \"%s\": use kind=, team=, segment= or owner=", key);
	return -1;
}

int signal_filter_parse(struct signal_filter *f, const char *text, const struct team_list *teams,
                        char *err, size_t errlen)
{
	struct parse_ctx c = {f, teams};
	memset(f, 0, sizeof *f);
	if (queue_filter_words(text, set_word, &c, err, errlen) < 0) {
		memset(f, 0, sizeof *f);
		return -1;
	}
	return 0;
}

void signal_filter_describe(const struct signal_filter *f, char *out, size_t n)
{
	snprintf(out, n, "%s%s%s%s%s%s%s%s", f->kind[0] ? " kind=" : "", f->kind,
	         f->team[0] ? " team=" : "", f->team, f->segment[0] ? " segment=" : "", f->segment,
	         f->owner[0] ? " owner=" : "", f->owner);
	if (!out[0])
		snprintf(out, n, "any");
	else
		memmove(out, out + 1, strlen(out));
}

void signal_filter_stmt(const struct signal_filter *f, struct signal_filter_params *st,
                        struct db_stmt *out)
{
	st->p[0] = f->kind[0] ? f->kind : NULL;
	st->p[1] = f->team[0] ? f->team : NULL;
	st->p[2] = f->segment[0] ? f->segment : NULL;
	st->p[3] = f->owner[0] ? f->owner : NULL;
	st->p[4] = NULL; /* every customer */
	st->p[5] = "f";  /* the active ones */
	out->sql = signals_list_sql;
	out->nparams = 6;
	out->params = st->p;
}

void signal_filter_page_stmts(const struct signal_filter *f, int window,
                              struct signal_filter_params *st, struct db_stmt out[2])
{
	signal_filter_stmt(f, st, &out[0]);
	snprintf(st->limit, sizeof st->limit, "%d", window);
	st->p[4] = st->limit; /* the page's $5; the list's customer is not asked */
	out[0].sql = signals_page_sql;
	out[0].nparams = 5;
	out[1].sql = signals_counts_sql;
	out[1].nparams = 3;
	out[1].params = st->p + 1; /* team, segment, owner */
}
