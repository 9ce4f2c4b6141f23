#include "baton/notify.h"
#include "baton/text.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Copy field [s, s+n) into out if it fits; 0 if it does not. */
static int field(char *out, size_t size, const char *s, size_t n)
{
	if (n >= size)
		return 0;
	memcpy(out, s, n);
	out[n] = '\0';
	return 1;
}

/* A customer id: digits only, at most 18 of them (the room), and not 0
 * (which means "none" here); 0 for anything else. */
static long long parse_id(const char *s, size_t n)
{
	char digits[19];
	long long v;
	return field(digits, sizeof digits, s, n) && text_to_ll(digits, 1, LLONG_MAX, &v) == 0 ? v : 0;
}

/* A handoff id as the server prints a uuid: 36 characters, lower-case hex
 * and dashes at 8, 13, 18, 23. */
static int parse_uuid(char *out, const char *s, size_t n)
{
	if (n != 36)
		return 0;
	for (size_t i = 0; i < n; i++) {
		int dash = i == 8 || i == 13 || i == 18 || i == 23;
		if (dash ? s[i] != '-' : !strchr("0123456789abcdef", s[i]) || !s[i])
			return 0;
	}
	return field(out, 37, s, n);
}

/* "ID:STATE:CREATED_US:WHAT", the handoff itself (migration 017). */
static int parse_handoff_row(const char *const *f, const size_t *len, struct notify_change *c)
{
	char us[24];
	/* Microseconds since 1970: before it (an imported date), negative. */
	int minus = len[2] > 0 && f[2][0] == '-';
	if (!parse_uuid(c->handoff, f[0], len[0]) || !field(c->state, sizeof c->state, f[1], len[1]) ||
	    !c->state[0] || !field(us, sizeof us, f[2] + minus, len[2] - (size_t)minus) ||
	    text_to_ll(us, 0, LLONG_MAX, &c->created_us) != 0)
		return 0;
	if (minus)
		c->created_us = -c->created_us;
	if (len[3] == 3 && !strncmp(f[3], "row", 3))
		c->row_changed = 1;
	else if (!(len[3] == 7 && !strncmp(f[3], "comment", 7)))
		return 0;
	return 1;
}

/* "CUSTOMER:TEAM:STAFF[:TEAM:STAFF[:ID:STATE:CREATED_US:WHAT[:PRIORITY]]]":
 * team ids and role names of Baton's own have no ':' (migrations 001,
 * 005); a payload that does not split into 3, 5, 9 or 10 fields is not
 * trusted and stays NOTIFY_OTHER. */
static void parse_handoff(const char *p, struct notify_change *c)
{
	const char *f[11];
	size_t len[11];
	int n = 0;
	for (const char *s = p;; s++) {
		const char *e = strchr(s, ':');
		if (n == 11)
			return;
		f[n] = s;
		len[n++] = e ? (size_t)(e - s) : strlen(s);
		if (!e)
			break;
		s = e;
	}
	if (n != 3 && n != 5 && n != 9 && n != 10)
		return;
	long long id = parse_id(f[0], len[0]);
	if (!id)
		return;
	for (int k = 0; k < (n > 5 ? 2 : (n - 1) / 2); k++)
		if (!field(c->team[k], sizeof c->team[k], f[1 + 2 * k], len[1 + 2 * k]) ||
		    !field(c->staff[k], sizeof c->staff[k], f[2 + 2 * k], len[2 + 2 * k]))
			return;
	if (n >= 9 && !parse_handoff_row(f + 5, len + 5, c)) {
		memset(c, 0, sizeof *c);
		return;
	}
	/* The priority (085); before it, not said. */
	c->urgent = -1;
	if (n == 10) {
		static const char *const prios[] = {"urgent", "high", "normal", "low"};
		int k = 0;
		while (k < 4 && !(strlen(prios[k]) == len[9] && !strncmp(prios[k], f[9], len[9])))
			k++;
		if (k == 4) {
			memset(c, 0, sizeof *c);
			return;
		}
		c->urgent = k == 0;
	}
	/* Before 017 a comment was not told apart: say "may have changed". */
	if (n < 9)
		c->row_changed = 1;
	c->customer_id = id;
	c->kind = NOTIFY_HANDOFF;
}

void notify_parse(const char *payload, struct notify_change *c)
{
	memset(c, 0, sizeof *c);
	if (!payload)
		return;
	static const struct {
		const char *prefix;
		enum notify_kind kind;
	} ids[] = {{"customer:", NOTIFY_CUSTOMER}, {"presence:", NOTIFY_PRESENCE}};
	for (size_t i = 0; i < sizeof ids / sizeof *ids; i++) {
		size_t n = strlen(ids[i].prefix);
		if (strncmp(payload, ids[i].prefix, n) == 0) {
			c->customer_id = parse_id(payload + n, strlen(payload + n));
			if (c->customer_id)
				c->kind = ids[i].kind;
			return;
		}
	}
	if (strncmp(payload, "handoff:", 8) == 0)
		parse_handoff(payload + 8, c);
	else if (strncmp(payload, "staff:", 6) == 0 && field(c->role, sizeof c->role, payload + 6,
	                                                     strlen(payload + 6)))
		c->kind = NOTIFY_STAFF;
}

int notify_handoff_for(const struct notify_change *c, const char *team, const char *person)
{
	if (c->kind == NOTIFY_OTHER)
		return 1;
	if (c->kind != NOTIFY_HANDOFF)
		return 0;
	for (int k = 0; k < 2; k++) {
		if (team && *team && !strcmp(c->team[k], team))
			return 1;
		if (person && *person && !strcmp(c->staff[k], person))
			return 1;
	}
	return 0;
}
