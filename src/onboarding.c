#include "baton/onboarding.h"
#include "baton/customer.h"
#include "baton/fmt.h"
#include "baton/text.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Database word, then what people say; "not started" is the enum's
 * "pending" (migration 001 keeps its words). */
static const char *const status_words[][2] = {
	{"pending", "not started"}, {"in_progress", "in progress"}, {"blocked", "blocked"},
	{"done", "done"},
};
const char *const onboarding_statuses[ONBOARDING_STATUSES] = {"pending", "in_progress", "blocked",
                                                              "done"};
const char *const onboarding_healths[ONBOARDING_HEALTHS] = {"on_track", "at_risk", "off_track",
                                                            "done"};

/* word as typed equals db, in any case, with '-', ' ' and '_' as one:
 * "not-started" is "not started", "in-progress" "in_progress". */
static int same_word(const char *word, const char *db)
{
	size_t i;
	for (i = 0; word[i] && db[i]; i++) {
		char w = (char)tolower((unsigned char)word[i]), d = db[i];
		if (w != d && !(strchr("- _", w) && strchr(" _", d)))
			return 0;
	}
	return word[i] == '\0' && db[i] == '\0';
}

const char *onboarding_status_db(const char *word)
{
	for (size_t i = 0; i < sizeof status_words / sizeof *status_words; i++)
		if (same_word(word, status_words[i][0]) || same_word(word, status_words[i][1]))
			return status_words[i][0];
	return NULL;
}

const char *onboarding_status_label(const char *db)
{
	for (size_t i = 0; i < sizeof status_words / sizeof *status_words; i++)
		if (!strcmp(db, status_words[i][0]))
			return status_words[i][1];
	return db;
}

const char *onboarding_health_db(const char *word)
{
	for (int i = 0; i < ONBOARDING_HEALTHS; i++)
		if (same_word(word, onboarding_healths[i]))
			return onboarding_healths[i];
	return NULL;
}

int onboarding_date_valid(const char *s)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
			return 0;
	int y = atoi(s), m = atoi(s + 5), d = atoi(s + 8);
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return y >= 1 && m >= 1 && m <= 12 && d >= 1 && d <= days[m - 1] + (m == 2 && leap);
}

int onboarding_milestone_init(struct milestone_change *m)
{
	memset(m, 0, sizeof *m);
	return db_uuid(m->id);
}

int onboarding_health_init(struct health_change *h)
{
	memset(h, 0, sizeof *h);
	return db_uuid(h->id);
}

/* One line of valid UTF-8 within the largest; -1 + err. */
static int reason_check(const char *reason, char *err, size_t errlen)
{
	size_t n = strlen(reason), chars = 0;
	if (!text_valid_utf8(reason, n)) {
		snprintf(err, errlen, "the reason is not valid UTF-8");
		return -1;
	}
	for (size_t i = 0; i < n; i = text_utf8_next(reason, n, i)) {
		if ((unsigned char)reason[i] < 32 || reason[i] == 127) {
			snprintf(err, errlen, "the reason is one line, without control characters");
			return -1;
		}
		chars++;
	}
	if (chars > ONBOARDING_REASON_MAX) {
		snprintf(err, errlen, "the reason is %zu characters; the largest is %d", chars,
		         ONBOARDING_REASON_MAX);
		return -1;
	}
	return 0;
}

int onboarding_milestone_validate(const struct milestone_change *m, char *err, size_t errlen)
{
	if (!onboarding_status_db(m->status) || strcmp(onboarding_status_db(m->status), m->status)) {
		snprintf(err, errlen, "unknown status '%s' (not started, in progress, blocked, done)", m->status);
		return -1;
	}
	if (m->due[0] && !onboarding_date_valid(m->due)) {
		snprintf(err, errlen, "the due date '%s' is not a date YYYY-MM-DD", m->due);
		return -1;
	}
	if (!strcmp(m->status, "blocked") && text_is_blank(m->reason)) {
		snprintf(err, errlen, "a blocked milestone needs a reason: say what it waits for");
		return -1;
	}
	return reason_check(m->reason, err, errlen);
}

int onboarding_health_validate(const struct health_change *h, char *err, size_t errlen)
{
	if (!onboarding_health_db(h->health) || strcmp(onboarding_health_db(h->health), h->health)) {
		snprintf(err, errlen, "unknown health '%s' (on track, at risk, off track, done)", h->health);
		return -1;
	}
	if (text_is_blank(h->reason)) {
		snprintf(err, errlen, "the onboarding health needs a reason: say why");
		return -1;
	}
	return reason_check(h->reason, err, errlen);
}

void onboarding_milestone_stmt(const struct milestone_change *m, struct handoff_params *st,
                               struct db_stmt *out)
{
	snprintf(st->num[0], sizeof st->num[0], "%lld", m->milestone_id);
	snprintf(st->num[1], sizeof st->num[1], "%d", m->version);
	st->p[0] = m->id;
	st->p[1] = st->num[0];
	st->p[2] = m->status;
	st->p[3] = m->due[0] ? m->due : NULL;
	st->p[4] = m->owner[0] ? m->owner : NULL;
	st->p[5] = m->reason[0] ? m->reason : NULL;
	st->p[6] = m->version > 0 ? st->num[1] : NULL;
	out->sql = "SELECT done, already, status, version, message FROM baton_milestone_set("
	           "$1::uuid, $2::bigint, $3, $4::date, $5, $6, $7::integer)";
	out->nparams = 7;
	out->params = st->p;
}

void onboarding_health_stmt(const struct health_change *h, struct handoff_params *st,
                            struct db_stmt *out)
{
	snprintf(st->num[0], sizeof st->num[0], "%lld", h->customer_id);
	st->p[0] = h->id;
	st->p[1] = st->num[0];
	st->p[2] = h->health;
	st->p[3] = h->reason;
	out->sql = "SELECT done, already, health, 0, message FROM baton_health_set("
	           "$1::uuid, $2::bigint, $3, $4)";
	out->nparams = 4;
	out->params = st->p;
}

const char onboarding_milestone_sql[] =
	"SELECT m.id, m.customer_id, m.title, m.status, to_char(m.due_date, 'YYYY-MM-DD'), m.owner,"
	" m.blocked_reason, m.version"
	" FROM milestone m WHERE m.id = $1::bigint";

void onboarding_milestone_from(struct milestone_change *m, const char *const v[OM_COLS])
{
	m->milestone_id = strtoll(v[OM_ID], NULL, 10);
	text_copy(m->title, sizeof m->title, v[OM_TITLE]);
	snprintf(m->status, sizeof m->status, "%s", v[OM_STATUS]);
	snprintf(m->due, sizeof m->due, "%s", v[OM_DUE]);
	snprintf(m->owner, sizeof m->owner, "%s", v[OM_OWNER]);
	snprintf(m->reason, sizeof m->reason, "%s", v[OM_REASON]);
	m->version = atoi(v[OM_VERSION]);
}

void onboarding_health_describe(struct buf *b, const struct customer_view *cv, int compact)
{
	char health[32], age[16];
	const char *h = cv_get(cv, CV_HEADER, 0, H_ONB_HEALTH);
	int stale = cv_get(cv, CV_HEADER, 0, H_HEALTH_STALE)[0] == 't';
	int known = !cv_isnull(cv, CV_HEADER, 0, H_HEALTH_AT);
	if (!*h) {
		buf_puts(b, compact ? "health not set" : "not set");
		return;
	}
	fmt_words(health, sizeof health, h);
	fmt_age(age, sizeof age, cv_num(cv, CV_HEADER, 0, H_HEALTH_AGE_S));
	if (compact) {
		health[0] = (char)toupper((unsigned char)health[0]);
		buf_printf(b, "%s %s%s", health, known ? age : "", stale ? (known ? " STALE" : "STALE") : "");
		if (known)
			buf_printf(b, ": %s", cv_get(cv, CV_HEADER, 0, H_HEALTH_REASON));
		return;
	}
	buf_printf(b, "%s%s", health, stale ? " (stale)" : "");
	if (!known) {
		buf_puts(b, ", never set with a reason");
		return;
	}
	buf_printf(b, ", set %s ago by %s: %s", age, cv_get(cv, CV_HEADER, 0, H_HEALTH_BY),
	           cv_get(cv, CV_HEADER, 0, H_HEALTH_REASON));
}
