/*
 * The queue's filters as people type them ("team=support breached mine")
 * and as saved views hold them: words, the values each key takes (teams
 * from the database, the rest fixed), their canonical spelling, and the
 * one-line description the header and `baton queue` print.  The statements
 * that read a filtered queue are in queue.c.
 */
#include "baton/queue.h"
#include "baton/buf.h"
#include "baton/config.h"
#include "baton/fmt.h"
#include "baton/handoff.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void queue_filter_from_view(struct queue_filter *f, const struct queue_view *v)
{
	memset(f, 0, sizeof *f);
	snprintf(f->team, sizeof f->team, "%s", v->team ? v->team : "");
	snprintf(f->state, sizeof f->state, "%s", v->state ? v->state : "");
	snprintf(f->reason, sizeof f->reason, "%s", v->reason ? v->reason : "");
	snprintf(f->priority, sizeof f->priority, "%s", v->priority ? v->priority : "");
	f->breached = v->breached;
	f->mine = v->mine;
}

void queue_filter_describe(const struct queue_filter *f, char *out, size_t n)
{
	size_t len = 0;
	out[0] = '\0';
#define ADD(...)                                                             \
	do {                                                                     \
		int w_ = snprintf(out + len, n - len, __VA_ARGS__);                  \
		if (w_ > 0 && (size_t)w_ < n - len)                                  \
			len += (size_t)w_;                                               \
	} while (0)
	ADD("state=%s", f->state[0] ? f->state : "active");
	if (f->team[0])
		ADD(" team=%s", f->team);
	if (f->person[0])
		ADD(" to=%s", f->person);
	if (f->reason[0])
		ADD(strchr(f->reason, ' ') ? " reason=\"%s\"" : " reason=%s", f->reason);
	if (f->priority[0])
		ADD(" priority=%s", f->priority);
	if (f->segment[0])
		ADD(" segment=%s", f->segment);
	if (f->breached)
		ADD(" breached");
	if (f->mine)
		ADD(" mine");
#undef ADD
}

/* --- filter values ------------------------------------------------------------- */

static const char *const states[] = {"active", "open", "acknowledged", "resolved", "cancelled"};
/* As the schema's CHECK on customer.segment has them. */
static const char *const segments[] = {"smb", "mid-market", "enterprise", "strategic"};

/* "a, b, c or d" */
static void join_or(struct buf *b, const char *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		buf_printf(b, "%s%s", fmt_list_sep(i, n), v[i]);
}

/* The valid values of a field, for messages; -1 if key is no field. */
static int valid_values(const char *key, const struct team_list *teams, struct buf *out)
{
	const char *v[PRIO_COUNT];
	size_t n = 0;
	if (!strcmp(key, "state")) {
		join_or(out, states, sizeof states / sizeof *states);
	} else if (!strcmp(key, "segment")) {
		join_or(out, segments, sizeof segments / sizeof *segments);
	} else if (!strcmp(key, "priority")) {
		/* In their order, lowest first, as the form cycles them. */
		for (int p = PRIO_COUNT - 1; p >= 0; p--)
			v[n++] = priority_name((enum priority)p);
		join_or(out, v, n);
	} else if (!strcmp(key, "reason")) {
		if (!teams || !teams->max_note_bytes)
			buf_puts(out, "a reason (lower-case letters, digits, spaces, '-' and '_')");
		for (int i = 0; teams && teams->max_note_bytes && i < teams->nreasons; i++)
			buf_printf(out, strchr(teams->reasons[i], ' ') ? "%s\"%s\"" : "%s%s",
			           fmt_list_sep((size_t)i, (size_t)teams->nreasons), teams->reasons[i]);
	} else if (!strcmp(key, "team")) {
		if (!teams)
			buf_puts(out, "a team id (lower-case letters, digits, '-' and '_')");
		for (int i = 0; teams && i < teams->nteams; i++)
			buf_printf(out, "%s%s", fmt_list_sep((size_t)i, (size_t)teams->nteams),
			           teams->teams[i].id);
		if (teams && teams->nteams == 0)
			buf_puts(out, "a team (the database has none)");
	} else if (!strcmp(key, "to")) {
		buf_puts(out, "a person's role name");
	} else {
		return -1;
	}
	return 0;
}

static int in_list(const char *v, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v, list[i]))
			return 1;
	return 0;
}

/* The value to filter on, or NULL if value is not one of key's. */
static const char *canonical(const char *key, const char *value, const struct team_list *teams,
                             char *tmp, size_t n)
{
	if (!strcmp(key, "state"))
		return in_list(value, states, sizeof states / sizeof *states)
		       ? (strcmp(value, "active") ? value : "") : NULL;
	if (!strcmp(key, "segment"))
		return in_list(value, segments, sizeof segments / sizeof *segments) ? value : NULL;
	if (!strcmp(key, "priority")) {
		/* Also as the queue's Pri column shows them. */
		if (!strcmp(value, "urg"))
			return "urgent";
		if (!strcmp(value, "norm"))
			return "normal";
		return priority_from_name(value) >= 0 ? value : NULL;
	}
	if (!strcmp(key, "to"))
		return value;
	if (!strcmp(key, "team")) {
		if (!teams)
			return team_id_valid(value) ? value : NULL;
		int t = team_lookup(teams, value);
		return t < 0 ? NULL : teams->teams[t].id;
	}
	/* A reason as the database lists it, or with '_' for its spaces (the
	 * filter text splits on spaces). */
	if (!teams || !teams->max_note_bytes)
		return handoff_reason_valid(value) ? value : NULL;
	snprintf(tmp, n, "%s", value);
	for (char *p = tmp; *p; p++)
		if (*p == '_')
			*p = ' ';
	for (int i = 0; i < teams->nreasons; i++)
		if (!strcmp(teams->reasons[i], value) || !strcmp(teams->reasons[i], tmp))
			return teams->reasons[i];
	return NULL;
}

int queue_value_check(const char *key, const char *value, const struct team_list *teams, char *canon, size_t canon_n,
                      char *err, size_t errlen)
{
	struct buf valid = BUF_INIT;
	char tmp[128];
	int rc = -1;
	if (valid_values(key, teams, &valid) < 0) {
		snprintf(err, errlen, "unknown filter \"%s\": use team=, to=, state=, reason=, priority=, "
		         "segment=, breached or mine", key);
		goto out;
	}
	const char *c = value[0] ? canonical(key, value, teams, tmp, sizeof tmp) : NULL;
	if (!value[0])
		snprintf(err, errlen, "%s= needs a value: use %s", key, buf_str(&valid));
	else if (!c)
		snprintf(err, errlen, "unknown %s \"%s\": use %s", key, value, buf_str(&valid));
	else if (strlen(c) >= canon_n)
		snprintf(err, errlen, "%s \"%s\" is too long", key, value);
	else {
		snprintf(canon, canon_n, "%s", c);
		rc = 0;
	}
out:
	buf_free(&valid);
	return rc;
}

int queue_filter_set(struct queue_filter *f, const char *key, const char *value,
                     const struct team_list *teams, char *err, size_t errlen)
{
	struct { const char *key; char *dst; size_t n; } fields[] = {
		{"team", f->team, sizeof f->team},         {"to", f->person, sizeof f->person},
		{"state", f->state, sizeof f->state},      {"reason", f->reason, sizeof f->reason},
		{"priority", f->priority, sizeof f->priority}, {"segment", f->segment, sizeof f->segment},
	};
	size_t i = 0;
	while (i < sizeof fields / sizeof *fields && strcmp(fields[i].key, key) != 0)
		i++;
	char canon[64];
	if (queue_value_check(key, value, teams, canon, sizeof canon, err, errlen) < 0)
		return -1;
	if (i == sizeof fields / sizeof *fields || strlen(canon) >= fields[i].n) {
		snprintf(err, errlen, "%s \"%s\" is too long", key, value);
		return -1;
	}
	snprintf(fields[i].dst, fields[i].n, "%s", canon);
	return 0;
}

/* Words split on spaces; a value in quotes keeps its spaces:
 * reason="renewal risk" (or 'renewal risk'). */
int queue_filter_words(const char *text, queue_word_fn word, void *ctx, char *err, size_t errlen)
{
	char buf[512];
	snprintf(buf, sizeof buf, "%s", text);
	char *p = buf;
	for (;;) {
		while (*p == ' ')
			p++;
		if (!*p)
			return 0;
		char *tok = p, *eq = NULL, *out = p;
		while (*p && *p != ' ') {
			if (*p == '=' && !eq) {
				eq = out;
				*out++ = *p++;
				continue;
			}
			if (eq && (*p == '"' || *p == '\'')) {
				char q = *p++;
				while (*p && *p != q)
					*out++ = *p++;
				if (!*p) {
					snprintf(err, errlen, "a quote %c is not closed", q);
					return -1;
				}
				p++;
				continue;
			}
			*out++ = *p++;
		}
		int more = *p != '\0';
		if (more)
			p++;
		*out = '\0';
		if (eq)
			*eq = '\0';
		if (word(ctx, tok, eq ? eq + 1 : "", !eq, err, errlen) < 0)
			return -1;
		if (!more)
			return 0;
	}
}

struct parse_ctx {
	struct queue_filter *f;
	const struct team_list *teams;
};

static int parse_word(void *ctx, const char *key, const char *value, int bare, char *err, size_t errlen)
{
	struct parse_ctx *c = ctx;
	int *flag = !strcmp(key, "breached") ? &c->f->breached : !strcmp(key, "mine") ? &c->f->mine : NULL;
	if (flag && bare) {
		*flag = 1;
		return 0;
	}
	if (flag) {
		snprintf(err, errlen, "%s takes no value: write just \"%s\"", key, key);
		return -1;
	}
	return queue_filter_set(c->f, key, value, c->teams, err, errlen);
}

int queue_filter_parse(struct queue_filter *f, const char *text, const struct team_list *teams,
                       char *err, size_t errlen)
{
	struct parse_ctx c = {f, teams};
	memset(f, 0, sizeof *f);
	return queue_filter_words(text, parse_word, &c, err, errlen);
}

const char queue_person_sql[] = "SELECT 1 FROM staff WHERE role_name = $1::text";

void queue_person_unknown(const char *person, char *err, size_t errlen)
{
	snprintf(err, errlen, "unknown person \"%s\": use a person's role name (baton staff list shows them)",
	         person);
}
