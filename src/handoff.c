#include "baton/handoff.h"
#include "baton/buf.h"
#include "baton/config.h"
#include "baton/note.h"
#include "baton/team.h"
#include "baton/text.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>

static char *dup_or_die(const char *s)
{
	char *d = strdup(s ? s : "");
	if (!d)
		abort();
	return d;
}

void handoff_tickets_add(struct handoff_tickets *t, long long id, const char *number,
                         const char *subject)
{
	struct handoff_ticket *v = realloc(t->v, sizeof *v * (size_t)(t->n + 1));
	if (!v)
		abort();
	t->v = v;
	v[t->n].id = id;
	v[t->n].number = dup_or_die(number);
	v[t->n].subject = dup_or_die(subject);
	t->n++;
}

void handoff_tickets_free(struct handoff_tickets *t)
{
	for (int i = 0; i < t->n; i++) {
		free(t->v[i].number);
		free(t->v[i].subject);
	}
	free(t->v);
	t->v = NULL;
	t->n = 0;
}

/* The next character of s, lower-cased, accents off the Latin letters
 * people's and teams' names have; advances *i. */
static uint32_t fold_next(const char *s, size_t *i)
{
	/* U+00C0..U+00FF as base letters ('\0': keep the character). */
	static const char latin1[] = "AAAAAAACEEEEIIIIDNOOOOO\0OUUUUYTsaaaaaaaceeeeiiiidnooooo\0ouuuuyty";
	size_t n = strlen(s), j = text_utf8_next(s, n, *i);
	uint32_t cp = (unsigned char)s[*i];
	if (j - *i > 1) {
		static const unsigned char lead_mask[] = {0, 0, 0x1f, 0x0f, 0x07};
		cp = (unsigned char)s[*i] & lead_mask[j - *i < 5 ? j - *i : 0];
		for (size_t k = *i + 1; k < j; k++)
			cp = cp << 6 | ((unsigned char)s[k] & 0x3f);
	}
	*i = j;
	if (cp >= 0xc0 && cp <= 0xff && latin1[cp - 0xc0])
		cp = (unsigned char)latin1[cp - 0xc0];
	else if (cp >= 0x100 && cp <= 0x17f) /* Latin Extended-A: pairs of one letter */
		cp = (uint32_t)"AaAaAaCcCcCcCcDdDdEeEeEeEeEeGgGgGgGgHhHhIiIiIiIiIiJjJjKkkLlLlLlLlLlNnNnNnnNnOoOoOoOoRrRrRrSsSsSsSsTtTtTtUuUuUuUuUuUuWwYyYZzZzZzs"[cp - 0x100];
	return (uint32_t)towlower((wint_t)cp);
}

int handoff_choice_matches(const char *label, const char *typed)
{
	size_t i = 0, j = 0;
	while (typed[j]) {
		if (!label[i] || fold_next(label, &i) != fold_next(typed, &j))
			return 0;
	}
	return 1;
}

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

int handoff_reason_valid(const char *s)
{
	size_t n = strlen(s);
	if (n < 1 || n > HANDOFF_REASON_MAX || s[0] < 'a' || s[0] > 'z')
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == ' ' || c == '-'))
			return 0;
	}
	return 1;
}

int handoff_validate(const struct handoff_new *h, const struct team_list *rules, char *err,
                     size_t errlen)
{
	int have_rules = rules && rules->max_note_bytes > 0;
	size_t max_note = have_rules ? (size_t)rules->max_note_bytes : HANDOFF_NOTE_MAX;
	if (!h->to_team[0]) {
		snprintf(err, errlen, "choose the receiving team");
		return -1;
	}
	if (have_rules ? !team_reason_known(rules, h->reason) : !handoff_reason_valid(h->reason)) {
		struct buf b = BUF_INIT;
		for (int i = 0; have_rules && i < rules->nreasons; i++)
			buf_printf(&b, "%s%s", i ? ", " : "", rules->reasons[i]);
		snprintf(err, errlen, "unknown reason '%s' (%s%s)", h->reason,
		         have_rules ? "the reasons are: " : "", have_rules ? buf_str(&b) : "lower-case letters");
		buf_free(&b);
		return -1;
	}
	if (priority_from_name(h->priority) < 0) {
		snprintf(err, errlen, "unknown priority '%s' (urgent, high, normal, low)", h->priority);
		return -1;
	}
	return note_text_check("note", h->note, max_note, ": say what the receiver needs to know", err,
	                       errlen);
}

const char *ticket_ref_param(const char *ref, long long id, char *buf, size_t n)
{
	if (ref)
		return ref;
	snprintf(buf, n, "id:%lld", id);
	return id > 0 ? buf : NULL;
}

void handoff_create_stmt(const struct handoff_new *h, struct handoff_params *st, struct db_stmt *out)
{
	snprintf(st->num[0], sizeof st->num[0], "%lld", h->customer_id);
	st->p[0] = h->id;
	st->p[1] = h->event_id;
	st->p[2] = st->num[0];
	st->p[3] = h->to_team;
	st->p[4] = h->to_staff[0] ? h->to_staff : NULL;
	st->p[5] = h->reason;
	st->p[6] = h->priority;
	st->p[7] = ticket_ref_param(h->ticket_ref, h->ticket_id, st->num[1], sizeof st->num[1]);
	st->p[8] = h->note ? h->note : "";
	out->sql = "SELECT created, state, version FROM baton_handoff_create("
	           "$1::uuid, $2::uuid, $3::bigint, $4, $5, $6, $7, baton_ticket_ref($3::bigint, $8), $9)";
	out->nparams = 9;
	out->params = st->p;
}

int handoff_step_init(struct handoff_step *s, const char *id, const char *kind)
{
	memset(s, 0, sizeof *s);
	snprintf(s->id, sizeof s->id, "%s", id);
	s->kind = kind;
	return db_uuid(s->event_id);
}

const char *handoff_step_kind(const char *name)
{
	static const char *const kinds[] = {"acknowledged", "resolved", "cancelled", "reassigned"};
	for (size_t i = 0; name && i < sizeof kinds / sizeof *kinds; i++)
		if (!strcmp(name, kinds[i]))
			return kinds[i];
	return NULL;
}

int handoff_step_read(const PGresult *r, struct handoff_step_result *out)
{
	memset(out, 0, sizeof *out);
	if (PQnfields(r) != 5 || PQntuples(r) != 1)
		return -1;
	out->done = PQgetvalue(r, 0, HS_DONE)[0] == 't';
	out->already = PQgetvalue(r, 0, HS_ALREADY)[0] == 't';
	snprintf(out->state, sizeof out->state, "%s", PQgetvalue(r, 0, HS_STATE));
	out->version = atoi(PQgetvalue(r, 0, HS_VERSION));
	snprintf(out->message, sizeof out->message, "%s", PQgetvalue(r, 0, HS_MESSAGE));
	return 0;
}

int handoff_create_read(const PGresult *r)
{
	if (PQnfields(r) < 1 || PQntuples(r) != 1)
		return -1;
	return PQgetvalue(r, 0, 0)[0] == 't';
}

void handoff_step_clear(struct handoff_step *s)
{
	free(s->comment);
	s->comment = NULL;
}

void handoff_step_stmt(const struct handoff_step *s, struct handoff_params *st, struct db_stmt *out)
{
	snprintf(st->num[0], sizeof st->num[0], "%d", s->version);
	st->p[0] = s->id;
	st->p[1] = s->event_id;
	st->p[2] = s->kind;
	st->p[3] = s->comment;
	st->p[4] = s->version > 0 ? st->num[0] : NULL;
	st->p[5] = s->to_team[0] ? s->to_team : NULL;
	st->p[6] = s->to_staff[0] ? s->to_staff : NULL;
	out->sql = "SELECT done, already, state, version, message FROM baton_handoff_step("
	           "$1::uuid, $2::uuid, $3, $4, $5::integer, $6, $7)";
	out->nparams = 7;
	out->params = st->p;
}

/* Refused whatever the destination: refused alike for two that differ,
 * none (NULL) and '-' (no team id starts with one), which would otherwise
 * be refused each as an unknown team. */
const char handoff_reassign_refusals_sql[] =
	"SELECT r FROM (SELECT u.ord, baton_step_refusal(h, 'reassigned', NULL, NULL, NULL) AS r,"
	" baton_step_refusal(h, 'reassigned', NULL, '-', NULL) AS other"
	" FROM unnest($1::uuid[]) WITH ORDINALITY AS u(id, ord) JOIN handoff h ON h.id = u.id) x"
	" WHERE r = other ORDER BY ord";

int handoff_state_active(const char *state)
{
	return !strcmp(state, "open") || !strcmp(state, "acknowledged");
}

const char *handoff_step_verb(const char *kind)
{
	return !strcmp(kind, "acknowledged") ? "acknowledge"
	       : !strcmp(kind, "resolved")   ? "resolve"
	       : !strcmp(kind, "cancelled")  ? "cancel"
	                                     : "reassign";
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

int handoff_id_range(const char *s, struct handoff_id_range *r)
{
	char hex[33];
	size_t n = 0;
	for (const char *p = s; *p; p++) {
		/* A dash only where a UUID has one. */
		if (*p == '-' && (n == 8 || n == 12 || n == 16 || n == 20) && p[-1] != '-')
			continue;
		if (!isxdigit((unsigned char)*p) || n == 32)
			return -1;
		hex[n++] = (char)tolower((unsigned char)*p);
	}
	if (n < HANDOFF_PREFIX_MIN)
		return -1;
	for (size_t i = 0, o = 0; i < 32; i++) {
		if (i == 8 || i == 12 || i == 16 || i == 20) {
			r->lo[o] = r->hi[o] = '-';
			o++;
		}
		r->lo[o] = i < n ? hex[i] : '0';
		r->hi[o] = i < n ? hex[i] : 'f';
		o++;
	}
	r->lo[36] = r->hi[36] = '\0';
	return 0;
}

/* A range on the primary key: an index scan however many handoffs there
 * are (id::text LIKE 'prefix%' would read them all). */
const char handoff_range_sql[] =
	"SELECT h.id, c.name, h.state FROM handoff h JOIN customer c ON c.id = h.customer_id"
	" WHERE h.id BETWEEN $1::uuid AND $2::uuid ORDER BY h.id LIMIT $3::integer";

int handoff_find_range(PGconn *c, const struct handoff_id_range *r, char id[37],
                       char **candidates, char *err, size_t errlen)
{
	char limit[16];
	snprintf(limit, sizeof limit, "%d", HANDOFF_MATCHES_MAX + 1);
	const char *p[] = {r->lo, r->hi, limit};
	*candidates = NULL;
	PGresult *res = db_exec(c, handoff_range_sql, 3, p, err, errlen);
	if (!res)
		return -1;
	int n = PQntuples(res);
	if (n == 1)
		snprintf(id, 37, "%s", PQgetvalue(res, 0, 0));
	if (n > 1) {
		struct buf b = BUF_INIT;
		for (int i = 0; i < n && i < HANDOFF_MATCHES_MAX; i++)
			buf_printf(&b, "%s  %s  %s (%s)", i ? "\n" : "", PQgetvalue(res, i, 0), PQgetvalue(res, i, 1),
			           PQgetvalue(res, i, 2));
		*candidates = buf_steal(&b);
	}
	PQclear(res);
	return n;
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
