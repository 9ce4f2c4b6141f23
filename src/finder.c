#include "baton/finder.h"
#include "baton/buf.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* What every match shows besides its name: open tickets, the hot ones among
 * them, and handoffs left unacknowledged past their deadline. */
#define FINDER_COLS                                                          \
	" SELECT top.id, top.name, top.domain, top.lifecycle,"                   \
	"  (SELECT count(*) FROM ticket t WHERE t.customer_id = top.id"          \
	"     AND t.status NOT IN ('solved', 'closed')),"                        \
	"  (SELECT count(*) FROM ticket t WHERE t.customer_id = top.id"          \
	"     AND t.status NOT IN ('solved', 'closed') AND t.priority IN ('urgent', 'high')),"  \
	"  (SELECT count(*) FROM handoff h WHERE h.customer_id = top.id AND h.state = 'open'"    \
	"     AND h.ack_due_at < now()),"                                        \
	"  CASE top.how WHEN 1 THEN 'name' WHEN 2 THEN 'domain' WHEN 3 THEN 'e-mail'"            \
	"   ELSE 'external id' END"

/* Every branch is limited and index-backed, so that a common fragment
 * ("c", "nor") costs what a rare one does.  Names match anywhere (trigram
 * index) and, first, by their start; domains, e-mails and external ids
 * match by their start, as people type them (text_pattern_ops indexes,
 * whose order USING ~<~ follows).  $1 text, $2 %text%, $3 text%. */
#define FINDER_PREFIX_BRANCHES                                                             \
	"  UNION ALL (SELECT id, 2 FROM customer WHERE lower(domain) LIKE lower($3)"            \
	"    ORDER BY lower(domain) USING ~<~ LIMIT 50)"                                        \
	"  UNION ALL (SELECT customer_id, 3 FROM contact WHERE lower(email) LIKE lower($3)"     \
	"    ORDER BY lower(email) USING ~<~ LIMIT 50)"                                         \
	"  UNION ALL (SELECT customer_id, 4 FROM customer_external_id"                          \
	"    WHERE lower(external_id) LIKE lower($3) ORDER BY lower(external_id) USING ~<~ LIMIT 50)"

static const char sql_contains[] =
	"WITH m AS ("
	"  (SELECT id AS cid, 0 AS how FROM customer WHERE lower(name) LIKE lower($3)"
	"    ORDER BY lower(name) USING ~<~ LIMIT 50)"
	"  UNION ALL (SELECT id, 1 FROM customer WHERE name ILIKE $2 LIMIT 100)"
	FINDER_PREFIX_BRANCHES
	"), best AS (SELECT cid, min(how) AS how FROM m GROUP BY cid),"
	" top AS (SELECT c.*, greatest(best.how, 1) AS how, best.how AS rank FROM best"
	"  JOIN customer c ON c.id = best.cid"
	"  ORDER BY best.how, similarity(c.name, $1) DESC, c.name, c.id LIMIT 50)"
	FINDER_COLS
	" FROM top ORDER BY top.rank, similarity(top.name, $1) DESC, top.name, top.id";

/* Texts too short for trigrams match as prefixes only. */
static const char sql_prefix[] =
	"WITH m AS ("
	"  (SELECT id AS cid, 1 AS how FROM customer WHERE lower(name) LIKE lower($3)"
	"    ORDER BY lower(name) USING ~<~ LIMIT 50)"
	FINDER_PREFIX_BRANCHES
	"), best AS (SELECT cid, min(how) AS how FROM m GROUP BY cid),"
	" top AS (SELECT c.*, best.how FROM best JOIN customer c ON c.id = best.cid"
	"  ORDER BY best.how, c.name, c.id LIMIT 50)"
	FINDER_COLS
	/* $1 and $2 unused here, but every statement must give them a type. */
	" FROM top WHERE $1::text IS NOT NULL AND $2::text IS NOT NULL ORDER BY top.how, top.name, top.id";

const char finder_waiting_sql[] =
	"SELECT h.id, h.customer_id, c.name, h.from_team, h.to_team, h.to_staff, h.reason,"
	" h.priority, h.state, extract(epoch FROM now() - h.created_at)::bigint,"
	" extract(epoch FROM h.ack_due_at - now())::bigint, h.note, h.version"
	" FROM handoff h JOIN customer c ON c.id = h.customer_id"
	" WHERE h.state IN ('open', 'acknowledged')"
	"   AND (h.to_staff = session_user"
	"        OR h.to_team = (SELECT team_id FROM staff WHERE role_name = session_user))"
	" ORDER BY h.state = 'acknowledged', h.created_at LIMIT 100";

const char finder_me_sql[] =
	"SELECT session_user, coalesce(s.display_name, session_user::text), s.team_id,"
	" coalesce(t.name, ''), coalesce(s.is_lead, false),"
	" (SELECT coalesce(max(version), 0) FROM baton_schema_migrations)"
	" FROM (SELECT 1) one"
	" LEFT JOIN staff s ON s.role_name = session_user"
	" LEFT JOIN team t ON t.id = s.team_id";

static char *escape_like(const char *s, const char *before, const char *after)
{
	struct buf b = BUF_INIT;
	buf_puts(&b, before);
	for (; *s; s++) {
		if (*s == '%' || *s == '_' || *s == '\\')
			buf_putc(&b, '\\');
		buf_putc(&b, *s);
	}
	buf_puts(&b, after);
	return buf_steal(&b);
}

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
	f->contains = escape_like(f->text, "%", "%");
	f->prefix = escape_like(f->text, "", "%");
	f->params[0] = f->text;
	f->params[1] = f->contains;
	f->params[2] = f->prefix;
	return 0;
}

void finder_query_free(struct finder_query *f)
{
	free(f->text);
	free(f->contains);
	free(f->prefix);
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
	out->nparams = 3;
	out->params = f->params;
}
