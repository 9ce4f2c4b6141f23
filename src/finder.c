#include "baton/finder.h"
#include "baton/signals.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* What every match shows besides its name: open tickets, the hot ones among
 * them, handoffs left unacknowledged past their deadline, and its active
 * crossed signals (migration 013: the most severe one's kind, how many;
 * one call for the whole list, outside baton_find). */
#define FINDER_COLS                                                          \
	" SELECT top.id, top.name, top.domain, top.lifecycle,"                   \
	"  (SELECT count(*) FROM ticket t WHERE t.customer_id = top.id"          \
	"     AND t.status NOT IN ('solved', 'closed')),"                        \
	"  (SELECT count(*) FROM ticket t WHERE t.customer_id = top.id"          \
	"     AND t.status NOT IN ('solved', 'closed') AND t.priority IN ('urgent', 'high')),"  \
	"  (SELECT count(*) FROM handoff h WHERE h.customer_id = top.id AND h.state = 'open'"    \
	"     AND h.ack_due_at < now()),"                                        \
	"  CASE top.how WHEN 1 THEN 'name' WHEN 2 THEN 'domain' WHEN 3 THEN 'e-mail'"            \
	"   WHEN -2 THEN 'id' WHEN 5 THEN '" FINDER_SIMILAR "' ELSE 'external id' END,"             \
	"  mk.kind, coalesce(mk.signals, 0)"                                                      \
	" FROM top LEFT JOIN baton_signal_markers(ARRAY(SELECT top.id FROM top)) mk"             \
	"  ON mk.customer_id = top.id"

/* The candidates come from baton_find (migration 005): index-backed
 * branches, each limited, so that a common fragment ("c", "nor") costs what
 * a rare one does, run by the server within what the person may see (under
 * row-level security no index could serve LIKE).  $1 is the text as typed.
 * Texts of three characters or more also match inside names; a match at the
 * start ranks first.  how: -2 the customer's id, typed as 42 or #42
 * (migration 083), before anything else; -1 an external id typed as
 * SYSTEM:ID (migration 069); 0 a name that starts with the text (shown as
 * a name match, 1), 1 a name, 2 a domain, 3 an e-mail, 4 an external id.
 * Only when none of those is found: 5, a name close to the text, a slip
 * of the keys away ("nortwind"; migration 084), the closest first, shown
 * as "similar name" and offered, not taken, as a match
 * (finder_match.similar).  Its branch runs only then, so a real match
 * costs nothing more. */
static const char sql_contains[] =
	"WITH m AS (SELECT cid, how FROM baton_find($1, true)),"
	" s AS (SELECT cid, 5 AS how FROM baton_find_similar($1)"
	"  WHERE NOT EXISTS (SELECT 1 FROM m)),"
	" best AS (SELECT cid, min(how) AS how FROM (SELECT * FROM m UNION ALL SELECT * FROM s) u"
	"  GROUP BY cid),"
	" top AS (SELECT c.*, CASE best.how WHEN 0 THEN 1 ELSE best.how END AS how,"
	"   best.how AS rank,"
	"   CASE best.how WHEN 5 THEN word_similarity(baton_fold($1), c.name_folded)"
	"    ELSE similarity(c.name_folded, baton_fold($1)) END AS sim FROM best"
	"  JOIN customer c ON c.id = best.cid"
	"  ORDER BY best.how, sim DESC, c.name, c.id LIMIT 50)"
	FINDER_COLS
	" ORDER BY top.rank, top.sim DESC, top.name, top.id";

/* Texts too short for trigrams match as prefixes only. */
static const char sql_prefix[] =
	"WITH m AS (SELECT cid, how FROM baton_find($1, false)),"
	" best AS (SELECT cid, min(how) AS how FROM m GROUP BY cid),"
	" top AS (SELECT c.*, best.how FROM best JOIN customer c ON c.id = best.cid"
	"  ORDER BY best.how, c.name, c.id LIMIT 50)"
	FINDER_COLS
	" ORDER BY top.how, top.name, top.id";

/* Open ones first, then acknowledged; within each, urgent ones first
 * (085), then oldest first: eight branches (per state, for my team and for
 * me, all and urgent alone), each a range of an index in the order shown,
 * cut at the list's length (migrations 011, 085), merged; a handoff that
 * comes from several counts once, as urgent if an urgent branch gave it.
 * (The branches of all handoffs read no priority, so that they stay
 * index-only: one that gives an urgent handoff the urgent branch did not
 * is behind a full list's worth of urgent ones.)  Cheap however many
 * handoffs the team has, so every change notification may re-run it. */
#define WAITING_TEXT(n) #n
#define WAITING_NUMBER(n) WAITING_TEXT(n)
#define WAITING_LIMIT_TEXT WAITING_NUMBER(WAITING_LIMIT)
#define WAITING_BRANCH(STATE, WHO, URGENT, ONLY)                                        \
	"(SELECT h.id, h.created_at, " URGENT " AS urgent FROM handoff h"                    \
	" WHERE h.state = '" STATE "' AND " WHO ONLY                                        \
	" ORDER BY h.created_at, h.id LIMIT " WAITING_LIMIT_TEXT ")"
#define WAITING_ALL ""
#define WAITING_URGENT " AND h.priority = 'urgent'"
#define WAITING_STATE(STATE)                                                         \
	WAITING_BRANCH(STATE, WAITING_TEAM, "1", WAITING_ALL)                              \
	" UNION ALL " WAITING_BRANCH(STATE, WAITING_ME, "1", WAITING_ALL)                  \
	" UNION ALL " WAITING_BRANCH(STATE, WAITING_TEAM, "0", WAITING_URGENT)             \
	" UNION ALL " WAITING_BRANCH(STATE, WAITING_ME, "0", WAITING_URGENT)
#define WAITING_TEAM "h.to_team = (SELECT team_id FROM staff WHERE role_name = session_user)"
#define WAITING_ME "h.to_staff = session_user"
/* A row of the list; its last column is the order's key as migration
 * 017's notifications say it (created_at in microseconds). */
#define WAITING_COLS                                                                       \
	" SELECT h.id, h.customer_id, c.name, h.from_team, h.to_team, h.to_staff, h.reason,"     \
	" h.priority, h.state, extract(epoch FROM now() - h.created_at)::bigint,"               \
	" extract(epoch FROM h.ack_due_at - now())::bigint, h.note, h.version,"                 \
	" (extract(epoch FROM h.created_at) * 1000000)::bigint"
const char finder_waiting_sql[] =
	"WITH k AS MATERIALIZED ("
	" SELECT id, min(ack) AS ack, min(urgent) AS urgent, min(created_at) AS created_at FROM ("
	"  SELECT x.*, 0 AS ack FROM (" WAITING_STATE("open") ") x"
	"  UNION ALL SELECT y.*, 1 FROM (" WAITING_STATE("acknowledged") ") y) b"
	" GROUP BY id ORDER BY 2, 3, 4, 1 LIMIT " WAITING_LIMIT_TEXT ")"
	WAITING_COLS
	" FROM k JOIN handoff h ON h.id = k.id JOIN customer c ON c.id = h.customer_id"
	" ORDER BY k.ack, k.urgent, k.created_at, k.id";

/* The handoffs of $1 (a uuid[]) that belong in the list, whatever their
 * place in it: by primary key, under the same policies and conditions. */
const char finder_waiting_rows_sql[] =
	WAITING_COLS
	" FROM handoff h JOIN customer c ON c.id = h.customer_id"
	" WHERE h.id = ANY ($1::uuid[]) AND h.state IN ('open', 'acknowledged')"
	"  AND (" WAITING_TEAM " OR " WAITING_ME ")";

const char finder_me_sql[] =
	"SELECT session_user, coalesce(s.display_name, session_user::text), s.team_id,"
	" coalesce(t.name, ''), coalesce(s.is_lead, false),"
	" (SELECT coalesce(max(version), 0) FROM baton_schema_migrations)"
	" FROM (SELECT 1) one"
	" LEFT JOIN staff s ON s.role_name = session_user AND s.active"
	" LEFT JOIN team t ON t.id = s.team_id";

int finder_query_init(struct finder_query *f, const char *text)
{
	memset(f, 0, sizeof *f);
	while (*text && isspace((unsigned char)*text))
		text++;
	size_t n = strlen(text);
	while (n && isspace((unsigned char)text[n - 1]))
		n--;
	if (n == 0)
		return -1;
	f->text = strndup(text, n);
	if (!f->text)
		abort();
	f->params[0] = f->text;
	return 0;
}

void finder_query_free(struct finder_query *f)
{
	free(f->text);
	memset(f, 0, sizeof *f);
}

/* Characters, not bytes: "日本" is two characters. */
static size_t utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

void finder_statement(const struct finder_query *f, struct db_stmt *out)
{
	out->sql = utf8_chars(f->text) < 3 ? sql_prefix : sql_contains;
	out->nparams = 1;
	out->params = f->params;
}

/* Room for n rows (at least one, so an empty answer is not NULL). */
static void *alloc_rows(int n, size_t size)
{
	void *v = calloc(n > 0 ? (size_t)n : 1, size);
	if (!v)
		abort();
	return v;
}

int finder_matches_read(const PGresult *r, struct finder_matches *out)
{
	memset(out, 0, sizeof *out);
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQnfields(r) != F_COLS)
		return -1;
	out->n = PQntuples(r);
	out->v = alloc_rows(out->n, sizeof *out->v);
	for (int i = 0; i < out->n; i++) {
		struct finder_match *m = &out->v[i];
		m->id = db_value_ll(r, i, F_ID);
		m->name = db_value_dup(r, i, F_NAME);
		m->domain = db_value_dup(r, i, F_DOMAIN);
		m->lifecycle = db_value_dup(r, i, F_LIFECYCLE);
		m->open_tickets = db_value_ll(r, i, F_OPEN_TICKETS);
		m->hot_tickets = db_value_ll(r, i, F_HOT_TICKETS);
		m->late_handoffs = db_value_ll(r, i, F_LATE_HANDOFFS);
		m->matched = db_value_dup(r, i, F_MATCHED);
		m->similar = strcmp(m->matched, FINDER_SIMILAR) == 0;
		m->signal = signal_kind_find(PQgetvalue(r, i, F_SIGNAL_KIND));
		m->signals = (int)db_value_ll(r, i, F_SIGNALS);
	}
	return 0;
}

void finder_matches_free(struct finder_matches *m)
{
	for (int i = 0; i < m->n; i++) {
		free(m->v[i].name);
		free(m->v[i].domain);
		free(m->v[i].lifecycle);
		free(m->v[i].matched);
	}
	free(m->v);
	memset(m, 0, sizeof *m);
}

void finder_waiting_statement(struct db_stmt *out)
{
	out->sql = finder_waiting_sql;
	out->nparams = 0;
	out->params = NULL;
}

int finder_waiting_read(const PGresult *r, struct waiting_list *out)
{
	memset(out, 0, sizeof *out);
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQnfields(r) != W_COLS)
		return -1;
	long long read_ms = finder_clock_ms();
	out->n = PQntuples(r);
	out->v = alloc_rows(out->n, sizeof *out->v);
	for (int i = 0; i < out->n; i++) {
		struct waiting_handoff *w = &out->v[i];
		w->id = db_value_dup(r, i, W_ID);
		w->customer_id = db_value_ll(r, i, W_CUSTOMER_ID);
		w->customer = db_value_dup(r, i, W_CUSTOMER);
		w->from_team = db_value_dup(r, i, W_FROM_TEAM);
		w->to_team = db_value_dup(r, i, W_TO_TEAM);
		w->to_staff = db_value_dup_or_null(r, i, W_TO_STAFF);
		w->reason = db_value_dup(r, i, W_REASON);
		w->priority = db_value_dup(r, i, W_PRIORITY);
		w->open = strcmp(PQgetvalue(r, i, W_STATE), "open") == 0;
		w->age_s = db_value_ll(r, i, W_AGE_S);
		w->note = db_value_dup(r, i, W_NOTE);
		w->version = (int)db_value_ll(r, i, W_VERSION);
		w->created_us = db_value_ll(r, i, W_CREATED_US);
		w->has_ack_left = !PQgetisnull(r, i, W_ACK_LEFT_S);
		w->ack_left_s = w->has_ack_left ? db_value_ll(r, i, W_ACK_LEFT_S) : 0;
		w->read_ms = read_ms;
	}
	return 0;
}

long long finder_clock_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

void finder_waiting_now(const struct waiting_handoff *h, long long now_ms, long long *age_s,
                        int *late)
{
	long long gone = now_ms > h->read_ms ? (now_ms - h->read_ms) / 1000 : 0;
	*age_s = h->age_s + gone;
	*late = h->open && h->has_ack_left && h->ack_left_s - gone < 0;
}

void finder_waiting_row_free(struct waiting_handoff *h)
{
	free(h->id);
	free(h->customer);
	free(h->from_team);
	free(h->to_team);
	free(h->to_staff);
	free(h->reason);
	free(h->priority);
	free(h->note);
	memset(h, 0, sizeof *h);
}

void finder_waiting_free(struct waiting_list *w)
{
	for (int i = 0; i < w->n; i++)
		finder_waiting_row_free(&w->v[i]);
	free(w->v);
	memset(w, 0, sizeof *w);
}
