#include "baton/queue.h"
#include "baton/config.h"

#include <stdio.h>
#include <string.h>

/* The list picks ids first, each branch index-only on a covering partial
 * index and limited, then fetches the rows it shows: breached first (open
 * handoffs past their deadline, oldest first), then open ones within their
 * SLA, then acknowledged ones, then closed ones when asked for.
 * Parameters: $1 team, $2 person, $3 state, $4 reason, $5 priority,
 * $6 segment, $7 breached only ('t'/'f'), $8 mine ('t'/'f'), $9 limit per
 * branch.  The segment lives on the customer: filtering on it needs a join,
 * so there is a second text for that case rather than a join for all. */
#define QUEUE_COLS                                                                       \
	"h.id, h.customer_id, c.name, h.from_team, h.to_team, h.to_staff, h.reason,"         \
	" h.priority, h.state, extract(epoch FROM now() - h.created_at)::bigint,"            \
	" extract(epoch FROM h.ack_due_at - now())::bigint,"                                 \
	" h.state = 'open' AND h.ack_due_at < now(),"                                        \
	" (SELECT e.kind || ' by ' || e.actor || ' ' || to_char(e.at, 'YYYY-MM-DD HH24:MI')" \
	"    FROM handoff_event e WHERE e.handoff_id = h.id ORDER BY e.at DESC, e.id DESC LIMIT 1)," \
	" h.version, h.note, c.segment"
/* Filters on the handoff itself. */
#define QUEUE_WHERE                                                                      \
	" AND ($1 = '' OR h.to_team = $1) AND ($2 = '' OR h.to_staff = $2)"                  \
	" AND ($4 = '' OR h.reason = $4) AND ($5 = '' OR h.priority = $5)"                   \
	" AND ($8 <> 't' OR h.to_staff = session_user"                                       \
	"      OR h.to_team = (SELECT team_id FROM staff WHERE role_name = session_user))"
#define QUEUE_SEGMENT " AND c.segment = $6"
#define QUEUE_NO_SEGMENT " AND $6 = ''"

#define QUEUE_BRANCHES(FROM, SEG)                                                        \
	"(SELECT h.id, h.created_at, 1 AS branch" FROM                                       \
	" WHERE h.state = 'open' AND h.ack_due_at < now() AND $3 IN ('', 'open')"            \
	QUEUE_WHERE SEG " ORDER BY h.created_at LIMIT $9::int)"                              \
	" UNION ALL (SELECT h.id, h.created_at, 2" FROM                                      \
	" WHERE h.state = 'open' AND h.ack_due_at >= now() AND $3 IN ('', 'open') AND $7 <> 't'" \
	QUEUE_WHERE SEG " ORDER BY h.created_at LIMIT $9::int)"                              \
	" UNION ALL (SELECT h.id, h.created_at, 3" FROM                                      \
	" WHERE h.state = 'acknowledged' AND $3 IN ('', 'acknowledged') AND $7 <> 't'"       \
	QUEUE_WHERE SEG " ORDER BY h.created_at LIMIT $9::int)"                              \
	" UNION ALL (SELECT h.id, h.created_at, 4" FROM                                      \
	" WHERE h.state IN ('resolved', 'cancelled') AND h.state = $3 AND $7 <> 't'"         \
	QUEUE_WHERE SEG " ORDER BY h.created_at DESC LIMIT $9::int)"

#define QUEUE_LIST(FROM, SEG)                                                            \
	"WITH k AS MATERIALIZED (" QUEUE_BRANCHES(FROM, SEG) ")"                             \
	" SELECT " QUEUE_COLS " FROM k JOIN handoff h ON h.id = k.id"                        \
	" JOIN customer c ON c.id = h.customer_id"                                           \
	" ORDER BY k.branch, CASE WHEN k.branch < 4 THEN k.created_at END,"                  \
	" k.created_at DESC, h.id"

static const char sql_list[] = QUEUE_LIST(" FROM handoff h", QUEUE_NO_SEGMENT);
static const char sql_list_segment[] =
	QUEUE_LIST(" FROM handoff h JOIN customer c ON c.id = h.customer_id", QUEUE_SEGMENT);

/* Counts over the active handoffs, per receiving team.  The statements of
 * one fetch share one parameter list; "$3 = $3" marks the ones a statement
 * does not filter on, so the server still knows their types. */
#define QUEUE_COUNTS(FROM, SEG)                                                          \
	"SELECT h.to_team, count(*), count(*) FILTER (WHERE h.state = 'open'),"              \
	" count(*) FILTER (WHERE h.state = 'open' AND h.ack_due_at < now())" FROM            \
	" WHERE h.state IN ('open', 'acknowledged')" QUEUE_WHERE SEG                         \
	" AND $3 = $3 AND $7 = $7 AND $9 = $9"                                               \
	" GROUP BY h.to_team ORDER BY h.to_team"

static const char sql_counts[] = QUEUE_COUNTS(" FROM handoff h", QUEUE_NO_SEGMENT);
static const char sql_counts_segment[] =
	QUEUE_COUNTS(" FROM handoff h JOIN customer c ON c.id = h.customer_id", QUEUE_SEGMENT);

#define QUEUE_MEDIANS(FROM, SEG)                                                         \
	"SELECT extract(epoch FROM percentile_cont(0.5) WITHIN GROUP"                        \
	"   (ORDER BY h.acknowledged_at - h.created_at)"                                     \
	"   FILTER (WHERE h.acknowledged_at > now() - interval '7 days'))::bigint,"          \
	" extract(epoch FROM percentile_cont(0.5) WITHIN GROUP"                              \
	"   (ORDER BY h.acknowledged_at - h.created_at))::bigint" FROM                       \
	" WHERE h.acknowledged_at > now() - interval '30 days'" QUEUE_WHERE SEG              \
	" AND $3 = $3 AND $7 = $7 AND $9 = $9"

static const char sql_medians[] = QUEUE_MEDIANS(" FROM handoff h", QUEUE_NO_SEGMENT);
static const char sql_medians_segment[] =
	QUEUE_MEDIANS(" FROM handoff h JOIN customer c ON c.id = h.customer_id", QUEUE_SEGMENT);

void queue_statements(const struct queue_filter *f, struct queue_params *st, struct db_stmt out[3])
{
	snprintf(st->limit, sizeof st->limit, "%d", QUEUE_LIMIT);
	st->p[0] = f->team;
	st->p[1] = f->person;
	st->p[2] = f->state;
	st->p[3] = f->reason;
	st->p[4] = f->priority;
	st->p[5] = f->segment;
	st->p[6] = f->breached ? "t" : "f";
	st->p[7] = f->mine ? "t" : "f";
	st->p[8] = st->limit;
	int seg = f->segment[0] != '\0';
	out[0].sql = seg ? sql_list_segment : sql_list;
	out[1].sql = seg ? sql_counts_segment : sql_counts;
	out[2].sql = seg ? sql_medians_segment : sql_medians;
	for (int i = 0; i < 3; i++) {
		out[i].nparams = 9;
		out[i].params = st->p;
	}
}

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
		ADD(" reason=%s", f->reason);
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
