/*
 * The lead's queue: the statements that read a filtered list, its counts
 * and medians and its customers' signal marks, and the rows they return
 * (CSV for `baton queue`).  The filters themselves are in queue_filter.c.
 */
#include "baton/queue.h"
#include "baton/buf.h"
#include "baton/csv.h"
#include "baton/signals.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The list picks ids first, each branch index-only on a covering partial
 * index and limited, then fetches the rows it shows: breached first (open
 * handoffs past their deadline) by severity, then open ones within their
 * SLA, then acknowledged ones, each oldest first, then closed ones when
 * asked for, newest first.
 * Parameters: $1 team, $2 person, $3 state, $4 reason, $5 priority,
 * $6 segment, $7 breached only ('t'/'f'), $8 mine ('t'/'f'), $9 limit per
 * branch.  The segment lives on the customer: filtering on it needs a join,
 * so there is a second text for that case rather than a join for all. */
#define QUEUE_COLS(MARKS)                                                                \
	"h.id, h.customer_id, c.name, h.from_team, h.to_team, h.to_staff, h.reason,"         \
	" h.priority, h.state, extract(epoch FROM now() - h.created_at)::bigint,"            \
	" extract(epoch FROM h.ack_due_at - now())::bigint,"                                 \
	" h.state = 'open' AND h.ack_due_at < now(),"                                        \
	" (SELECT e.kind || ' by ' || e.actor || ' ' || to_char(e.at, 'YYYY-MM-DD HH24:MI')" \
	"    FROM handoff_event e WHERE e.handoff_id = h.id ORDER BY e.at DESC, e.id DESC LIMIT 1)," \
	" h.version, h.note, c.segment, " MARKS
/* The customers' signal marks (migration 013), in the list's answer or
 * not: the console asks for them apart, after the rows (sql_marks). */
#define QUEUE_MARKS_COLS "mk.kind, coalesce(mk.signals, 0)"
#define QUEUE_MARKS_JOIN                                                                 \
	" LEFT JOIN baton_signal_markers(ARRAY(SELECT DISTINCT h2.customer_id FROM k"        \
	"  JOIN handoff h2 ON h2.id = k.id)) mk ON mk.customer_id = h.customer_id"
#define QUEUE_NO_MARKS_COLS "NULL::text, 0"
/* Filters on the handoff itself. */
#define QUEUE_WHERE                                                                      \
	" AND ($1 = '' OR h.to_team = $1) AND ($2 = '' OR h.to_staff = $2)"                  \
	" AND ($4 = '' OR h.reason = $4) AND ($5 = '' OR h.priority = $5)"                   \
	" AND ($8 <> 't' OR h.to_staff = session_user"                                       \
	"      OR h.to_team = (SELECT team_id FROM staff WHERE role_name = session_user))"
/* A customer absorbed by a merge has its survivor's segment (migration
 * 099).  Written out rather than baton_customer_segment(...) = $6 alone:
 * that function is not inlined (a sub-select), and the filter runs on
 * every customer a branch probes, some 700 each at bench scale; so only
 * the few absorbed ones call it. */
#define QUEUE_SEGMENT                                                                    \
	" AND (c.segment = $6 AND c.merged_into IS NULL"                                     \
	"      OR c.merged_into IS NOT NULL AND baton_customer_segment(c.merged_into, c.segment) = $6)"
#define QUEUE_NO_SEGMENT " AND $6 = ''"

/* A breached handoff's severity, the one definition of it: the most urgent
 * priority first (baton_priority_rank, migration 007: urgent 1 .. low 4),
 * and within a priority the one furthest past its deadline first.  So an
 * urgent blocker breached 8 hours ago comes before a low question breached
 * two months ago; age alone decides nothing.  Its index is
 * handoff_open_severity_idx.  The help screen explains it (ui/help.c). */
#define QUEUE_SEVERITY_RANK "baton_priority_rank(h.priority)"
#define QUEUE_SEVERITY_DUE "h.ack_due_at"

/* The open handoffs still within their deadline, oldest first, are read in
 * creation order from the longest time any open handoff was given
 * (deadline - creation, handoff_open_span_idx, migration 027) before now:
 * one within its deadline was created no earlier than that.  So the
 * branch stops at the rows it shows instead of reading every handoff
 * within its deadline (43,000 at full scale) to sort them; the deadline is
 * written as a difference so that the planner does not read it from the
 * deadline index instead (it cannot know that open handoffs are the ones
 * with deadlines ahead, and expected 1,173 of the 43,000). */
#define QUEUE_OPEN_SPAN                                                                  \
	"(SELECT max(s.ack_due_at - s.created_at) FROM handoff s WHERE s.state = 'open')"

/* Each branch gives its ids with the keys they are shown in: the group,
 * a rank within it (severity's for the breached, else 0) and a time.
 * The breached branch says priority= also as its rank, so that it reads
 * only that priority's range of the index (migration 016). */
#define QUEUE_BRANCHES(FROM, SEG)                                                        \
	"(SELECT h.id, 1 AS branch, " QUEUE_SEVERITY_RANK " AS rank, " QUEUE_SEVERITY_DUE " AS at" \
	FROM " WHERE h.state = 'open' AND h.ack_due_at < now() AND $3 IN ('', 'open')"       \
	" AND ($5 = '' OR " QUEUE_SEVERITY_RANK " = baton_priority_rank($5))"                \
	QUEUE_WHERE SEG " ORDER BY " QUEUE_SEVERITY_RANK ", " QUEUE_SEVERITY_DUE ", h.id LIMIT $9::int)" \
	" UNION ALL (SELECT h.id, 2, 0, h.created_at" FROM                                   \
	" WHERE h.state = 'open' AND h.ack_due_at - now() >= interval '0'"                    \
	" AND h.created_at >= now() - " QUEUE_OPEN_SPAN                                      \
	" AND $3 IN ('', 'open') AND $7 <> 't'"                                              \
	QUEUE_WHERE SEG " ORDER BY h.created_at, h.id LIMIT $9::int)"                              \
	" UNION ALL (SELECT h.id, 3, 0, h.created_at" FROM                                   \
	" WHERE h.state = 'acknowledged' AND $3 IN ('', 'acknowledged') AND $7 <> 't'"       \
	QUEUE_WHERE SEG " ORDER BY h.created_at, h.id LIMIT $9::int)"                              \
	" UNION ALL (SELECT h.id, 4, 0, h.created_at" FROM                                   \
	" WHERE h.state IN ('resolved', 'cancelled') AND h.state = $3 AND $7 <> 't'"         \
	QUEUE_WHERE SEG " ORDER BY h.created_at DESC, h.id LIMIT $9::int)"

/* A row shows its customer's profile by name and segment: the survivor's
 * when the customer it was written about was absorbed by a merge (its id
 * opens the survivor), as the finder and the screen show it, and as the
 * segment filter and the counts go by.  The survivor is joined on a CASE,
 * not coalesce(): under row-level security a join qual must be leakproof
 * to be an index condition, and coalesce() is not taken for one, so the
 * join read every customer into a hash (20-30 ms of the list at 100,000
 * customers, where the rest takes 7). */
#define QUEUE_LIST(FROM, SEG, MARKS_COLS, MARKS_JOIN)                                  \
	"WITH k AS MATERIALIZED (" QUEUE_BRANCHES(FROM, SEG) ")"                             \
	" SELECT " QUEUE_COLS(MARKS_COLS) " FROM k JOIN handoff h ON h.id = k.id"            \
	" JOIN customer a ON a.id = h.customer_id"                                           \
	" JOIN customer c ON c.id = CASE WHEN a.merged_into IS NULL THEN a.id"                \
	"  ELSE a.merged_into END" MARKS_JOIN                                                \
	" ORDER BY k.branch, k.rank, CASE WHEN k.branch < 4 THEN k.at END, k.at DESC, h.id"
#define QUEUE_FROM_SEGMENT " FROM handoff h JOIN customer c ON c.id = h.customer_id"

static const char sql_list[] =
	QUEUE_LIST(" FROM handoff h", QUEUE_NO_SEGMENT, QUEUE_MARKS_COLS, QUEUE_MARKS_JOIN);
static const char sql_list_segment[] =
	QUEUE_LIST(QUEUE_FROM_SEGMENT, QUEUE_SEGMENT, QUEUE_MARKS_COLS, QUEUE_MARKS_JOIN);
static const char sql_list_unmarked[] = QUEUE_LIST(" FROM handoff h", QUEUE_NO_SEGMENT, QUEUE_NO_MARKS_COLS, "");
static const char sql_list_unmarked_segment[] =
	QUEUE_LIST(QUEUE_FROM_SEGMENT, QUEUE_SEGMENT, QUEUE_NO_MARKS_COLS, "");

/* The marks of customers $1 (an array of ids): a row for each, with no
 * kind when the customer has no active signal.  QK_* columns. */
static const char sql_marks[] =
	"SELECT x.id, mk.kind, coalesce(mk.signals, 0) FROM unnest($1::bigint[]) x (id)"
	" LEFT JOIN baton_signal_markers($1::bigint[]) mk ON mk.customer_id = x.id";

/* Counts over the active handoffs, per receiving team, and the median
 * times to acknowledge: from the totals of migration 014 when the person
 * sees every customer (baton_queue_counts, baton_queue_medians: a sum over
 * few rows), else counted directly under the row-level policies, so that a
 * scope never counts what it hides.  Both branches are in one statement; an
 * uncorrelated condition (a one-time filter) runs only one of them.  The
 * medians come from the totals only for views with at most two filters
 * (baton_queue_medians_fast; pairs since migration 016).  A median is the
 * lower middle value, floored to what fmt_age prints (baton_age_bucket),
 * over whole UTC days, by either branch.
 * The statements of one fetch share one parameter list; "$3 = $3" marks the
 * ones a statement does not filter on, so the server still knows their
 * types. */
#define QUEUE_TOTALS_ARGS "($1, $2, $4, $5, $6, $8 = 't')"
#define QUEUE_UNUSED " AND $3 = $3 AND $7 = $7 AND $9 = $9"
#define QUEUE_COUNTS(FROM, SEG)                                                          \
	"SELECT * FROM baton_queue_counts" QUEUE_TOTALS_ARGS                                 \
	" WHERE (SELECT baton_me_sees_totals())"                                             \
	" UNION ALL (SELECT h.to_team, count(*), count(*) FILTER (WHERE h.state = 'open'),"  \
	" count(*) FILTER (WHERE h.state = 'open' AND h.ack_due_at < now())" FROM            \
	" WHERE h.state IN ('open', 'acknowledged')" QUEUE_WHERE SEG QUEUE_UNUSED            \
	" AND NOT (SELECT baton_me_sees_totals())"                                           \
	" GROUP BY h.to_team) ORDER BY 1"

static const char sql_counts[] = QUEUE_COUNTS(" FROM handoff h", QUEUE_NO_SEGMENT);
static const char sql_counts_segment[] = QUEUE_COUNTS(QUEUE_FROM_SEGMENT, QUEUE_SEGMENT);

#define QUEUE_ACK_S "baton_ack_seconds(h.created_at, h.acknowledged_at)"
/* The windows are whole UTC days, as the totals count them: today and the
 * 6 (the 29) days before it. */
#define QUEUE_SINCE(DAYS) "((now() AT TIME ZONE 'UTC')::date - " DAYS ")::timestamp AT TIME ZONE 'UTC'"
#define QUEUE_MEDIANS_FAST "(SELECT baton_queue_medians_fast" QUEUE_TOTALS_ARGS ")"
#define QUEUE_MEDIANS(FROM, SEG)                                                         \
	"SELECT * FROM baton_queue_medians" QUEUE_TOTALS_ARGS " WHERE " QUEUE_MEDIANS_FAST   \
	" UNION ALL SELECT baton_age_bucket(percentile_disc(0.5) WITHIN GROUP"               \
	"   (ORDER BY " QUEUE_ACK_S ") FILTER (WHERE h.acknowledged_at >= " QUEUE_SINCE("6") ")),"  \
	" baton_age_bucket(percentile_disc(0.5) WITHIN GROUP (ORDER BY " QUEUE_ACK_S "))" FROM \
	" WHERE h.acknowledged_at >= " QUEUE_SINCE("29") QUEUE_WHERE SEG QUEUE_UNUSED \
	" AND NOT " QUEUE_MEDIANS_FAST " HAVING NOT " QUEUE_MEDIANS_FAST

static const char sql_medians[] = QUEUE_MEDIANS(" FROM handoff h", QUEUE_NO_SEGMENT);
static const char sql_medians_segment[] = QUEUE_MEDIANS(QUEUE_FROM_SEGMENT, QUEUE_SEGMENT);

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
	st->unmarked = seg ? sql_list_unmarked_segment : sql_list_unmarked;
	out[1].sql = seg ? sql_counts_segment : sql_counts;
	out[2].sql = seg ? sql_medians_segment : sql_medians;
	for (int i = 0; i < 3; i++) {
		out[i].nparams = 9;
		out[i].params = st->p;
	}
}

void queue_list_unmarked(const struct queue_filter *f, struct queue_params *store, struct db_stmt *out)
{
	struct db_stmt st[3];
	queue_statements(f, store, st);
	*out = st[0];
	out->sql = store->unmarked;
}

void queue_marks_statement(const struct queue_list *l, struct buf *ids, const char **param,
                           struct db_stmt *out)
{
	buf_reset(ids);
	buf_putc(ids, '{');
	for (int i = 0; i < l->n; i++)
		buf_printf(ids, "%s%lld", i ? "," : "", l->rows[i].customer_id);
	buf_putc(ids, '}');
	*param = buf_str(ids);
	out->sql = sql_marks;
	out->nparams = 1;
	out->params = param;
}

int queue_list_mark(struct queue_list *l, const PGresult *r)
{
	if (PQnfields(r) != QK_COLS)
		return -1;
	for (int k = 0; k < PQntuples(r); k++) {
		long long id = atoll(PQgetvalue(r, k, QK_CUSTOMER_ID));
		const struct signal_kind *kind = signal_kind_find(PQgetvalue(r, k, QK_KIND));
		int n = atoi(PQgetvalue(r, k, QK_SIGNALS));
		for (int i = 0; i < l->n; i++)
			if (l->rows[i].customer_id == id) {
				l->rows[i].signal = kind;
				l->rows[i].signals = n;
			}
	}
	return 0;
}

void queue_list_keep_marks(struct queue_list *fresh, const struct queue_list *old)
{
	for (int i = 0; i < fresh->n; i++)
		for (int j = 0; j < old->n; j++)
			if (old->rows[j].customer_id == fresh->rows[i].customer_id) {
				fresh->rows[i].signal = old->rows[j].signal;
				fresh->rows[i].signals = old->rows[j].signals;
				break;
			}
}

/* --- rows ---------------------------------------------------------------------- */

static void read_row(struct queue_row *q, const PGresult *r, int i)
{
	snprintf(q->id, sizeof q->id, "%s", PQgetvalue(r, i, Q_ID));
	q->customer_id = atoll(PQgetvalue(r, i, Q_CUSTOMER_ID));
	q->customer = db_value_dup(r, i, Q_CUSTOMER);
	snprintf(q->from_team, sizeof q->from_team, "%s", PQgetvalue(r, i, Q_FROM_TEAM));
	snprintf(q->to_team, sizeof q->to_team, "%s", PQgetvalue(r, i, Q_TO_TEAM));
	snprintf(q->to_staff, sizeof q->to_staff, "%s", PQgetvalue(r, i, Q_TO_STAFF));
	q->reason = db_value_dup(r, i, Q_REASON);
	snprintf(q->priority, sizeof q->priority, "%s", PQgetvalue(r, i, Q_PRIORITY));
	snprintf(q->state, sizeof q->state, "%s", PQgetvalue(r, i, Q_STATE));
	q->age_s = atoll(PQgetvalue(r, i, Q_AGE_S));
	q->has_ack_left = !strcmp(q->state, "open") && !PQgetisnull(r, i, Q_ACK_LEFT_S);
	q->ack_left_s = atoll(PQgetvalue(r, i, Q_ACK_LEFT_S));
	q->breached = PQgetvalue(r, i, Q_BREACHED)[0] == 't';
	q->last_event = db_value_dup(r, i, Q_LAST_EVENT);
	q->version = atoi(PQgetvalue(r, i, Q_VERSION));
	q->note = db_value_dup(r, i, Q_NOTE);
	q->segment = db_value_dup(r, i, Q_SEGMENT);
	q->signal = signal_kind_find(PQgetvalue(r, i, Q_SIGNAL_KIND));
	q->signals = atoi(PQgetvalue(r, i, Q_SIGNALS));
}

int queue_list_read(struct queue_list *l, const PGresult *r, char *err, size_t errlen)
{
	if (PQnfields(r) != Q_COLS) {
		snprintf(err, errlen, "unexpected answer for the queue");
		return -1;
	}
	queue_list_free(l);
	l->n = PQntuples(r);
	l->rows = calloc((size_t)l->n + 1, sizeof *l->rows);
	if (!l->rows)
		abort();
	for (int i = 0; i < l->n; i++)
		read_row(&l->rows[i], r, i);
	return 0;
}

void queue_list_free(struct queue_list *l)
{
	for (int i = 0; i < l->n; i++) {
		struct queue_row *q = &l->rows[i];
		free(q->customer);
		free(q->reason);
		free(q->last_event);
		free(q->note);
		free(q->segment);
	}
	free(l->rows);
	l->rows = NULL;
	l->n = 0;
}

int queue_list_find(const struct queue_list *l, const char *id)
{
	for (int i = 0; i < l->n; i++)
		if (!strcmp(l->rows[i].id, id))
			return i;
	return -1;
}

int queue_stats_read(struct queue_stats *s, const PGresult *counts, const PGresult *medians)
{
	if (PQnfields(counts) != 4 || PQnfields(medians) != 2 || PQntuples(medians) != 1)
		return -1;
	memset(s, 0, sizeof *s);
	for (int i = 0; i < PQntuples(counts); i++) {
		s->active += atoll(PQgetvalue(counts, i, QC_OPEN));
		s->unack += atoll(PQgetvalue(counts, i, QC_UNACK));
		s->breached += atoll(PQgetvalue(counts, i, QC_BREACHED));
	}
	s->has_median_7d = !PQgetisnull(medians, 0, QM_MEDIAN_7D);
	s->median_7d_s = atoll(PQgetvalue(medians, 0, QM_MEDIAN_7D));
	s->has_median_30d = !PQgetisnull(medians, 0, QM_MEDIAN_30D);
	s->median_30d_s = atoll(PQgetvalue(medians, 0, QM_MEDIAN_30D));
	return 0;
}

/* The queue as CSV, the same for `baton queue --format csv` and the
 * console's export: a header row, then one row per handoff; numbers stay
 * numbers, text is cleaned and made inert by the CSV writer. */
void queue_list_csv(struct buf *out, const struct queue_list *l)
{
	static const char *const head[] = {"id", "customer_id", "customer", "from_team", "to_team",
		"to_staff", "reason", "priority", "state", "age_s", "ack_left_s", "breached",
		"last_event", "version", "note", "segment"};
	struct csv w;
	char num[32];
	csv_init(&w, out);
	csv_row(&w, head, sizeof head / sizeof *head);
	for (int i = 0; i < l->n; i++) {
		const struct queue_row *r = &l->rows[i];
		csv_cell(&w, r->id);
		snprintf(num, sizeof num, "%lld", r->customer_id);
		csv_number(&w, num);
		csv_cell(&w, r->customer);
		csv_cell(&w, r->from_team);
		csv_cell(&w, r->to_team);
		csv_cell(&w, r->to_staff);
		csv_cell(&w, r->reason);
		csv_cell(&w, r->priority);
		csv_cell(&w, r->state);
		snprintf(num, sizeof num, "%lld", r->age_s);
		csv_number(&w, num);
		snprintf(num, sizeof num, "%lld", r->ack_left_s);
		csv_number(&w, r->has_ack_left ? num : "");
		csv_cell(&w, r->breached ? "true" : "false");
		csv_cell(&w, r->last_event);
		snprintf(num, sizeof num, "%d", r->version);
		csv_number(&w, num);
		csv_cell(&w, r->note);
		csv_cell(&w, r->segment);
		csv_end_row(&w);
	}
	csv_free(&w);
}
