#include "baton/customer.h"
#include "baton/buf.h"
#include "baton/signals.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Every statement takes the customer id as $1; the long panels take as
 * $2 how many rows to read at most, NULL for all they hold (least()
 * ignores a NULL).  Ages and time left are
 * computed by the server so that the client's clock does not matter. */

static const char sql_header[] =
	"SELECT c.id, c.name, c.domain, c.plan, c.segment, c.lifecycle, c.onboarding_health,"
	" c.owner, coalesce(o.display_name, c.owner::text), c.renewal_date,"
	" nps.score, to_char(nps.responded_at, 'YYYY-MM-DD'),"
	" csat.score, to_char(csat.responded_at, 'YYYY-MM-DD'),"
	" ces.score, to_char(ces.responded_at, 'YYYY-MM-DD'),"
	" (SELECT string_agg(x.system || ':' || x.external_id, ' ' ORDER BY x.system, x.external_id)"
	"    FROM customer_external_id x WHERE x.customer_id = c.id),"
	/* A person is listed once: the helpdesk's user and the CRM's contact
	 * of one address are two rows (one per source), but one person. */
	" (SELECT string_agg(ct.name || coalesce(' <' || ct.email || '>', ''), ', '"
	"                    ORDER BY ct.is_primary DESC, ct.id)"
	"    FROM (SELECT DISTINCT ON (coalesce(lower(btrim(x.email)), x.id::text))"
	"            x.name, x.email, x.is_primary, x.id FROM contact x WHERE x.customer_id = c.id"
	"          ORDER BY coalesce(lower(btrim(x.email)), x.id::text), x.is_primary DESC, x.id) ct),"
	" hl.reason, coalesce(hb.display_name, hl.actor::text), to_char(hl.at, 'YYYY-MM-DD HH24:MI'),"
	" extract(epoch FROM now() - hl.at)::bigint,"
	" c.onboarding_health IN ('on_track', 'at_risk', 'off_track') AND (hl.at IS NULL OR hl.at <"
	"   now() - make_interval(days => baton_setting_value('onboarding_health_stale_days')::integer)),"
	" baton_customer_also(c.id)"
	" FROM customer c"
	" LEFT JOIN staff o ON o.role_name = c.owner"
	/* The latest setting of the health, if it is the health now. */
	" LEFT JOIN LATERAL (SELECT e.health, e.reason, e.actor, e.at FROM onboarding_health_event e"
	"   WHERE e.customer_id = c.id ORDER BY e.at DESC, e.id DESC LIMIT 1) hl"
	"   ON hl.health = c.onboarding_health"
	" LEFT JOIN staff hb ON hb.role_name = hl.actor"
	" LEFT JOIN LATERAL (SELECT score, responded_at FROM survey_response"
	"   WHERE customer_id = c.id AND kind = 'nps' ORDER BY responded_at DESC, id DESC LIMIT 1) nps ON true"
	" LEFT JOIN LATERAL (SELECT score, responded_at FROM survey_response"
	"   WHERE customer_id = c.id AND kind = 'csat' ORDER BY responded_at DESC, id DESC LIMIT 1) csat ON true"
	" LEFT JOIN LATERAL (SELECT score, responded_at FROM survey_response"
	"   WHERE customer_id = c.id AND kind = 'ces' ORDER BY responded_at DESC, id DESC LIMIT 1) ces ON true"
	" WHERE c.id = $1";

static const char sql_milestones[] =
	"SELECT m.id, m.position, m.title, m.status, m.owner, m.due_date,"
	" to_char(m.completed_at, 'YYYY-MM-DD'),"
	" CASE WHEN m.status NOT IN ('done', 'skipped') AND m.due_date < current_date"
	"      THEN current_date - m.due_date END,"
	" m.blocked_reason, m.version"
	" FROM milestone m WHERE m.customer_id = $1 ORDER BY m.position";

/* Open tickets (most urgent, then oldest first), then the ten most recently
 * solved so that "what just happened" stays reachable; with each, how many
 * are open (T_OPEN_TOTAL: more than are listed past the first 200).  Ties (one import's
 * tickets share their times) go by id, and the order is said again over
 * both branches: a plain Append keeps them in order, a join would not.  A
 * ticket is shown by its number (its source's, migration 082), else by
 * its id (T_NUMBER); writes name it by its id. */
static const char sql_tickets[] =
	"SELECT x.id, x.subject, x.status, x.priority, x.category, x.assignee,"
	" to_char(x.opened_at, 'YYYY-MM-DD HH24:MI'), extract(epoch FROM now() - x.opened_at)::bigint,"
	" to_char(x.sla_due_at, 'YYYY-MM-DD HH24:MI'),"
	" CASE WHEN x.open THEN extract(epoch FROM x.sla_due_at - now())::bigint END,"
	" to_char(x.solved_at, 'YYYY-MM-DD HH24:MI'), x.body, x.open, coalesce(x.number, x.id::text),"
	" (SELECT count(*) FROM ticket t WHERE t.customer_id = $1 AND t.status NOT IN ('solved', 'closed'))"
	" FROM ("
	" (SELECT t.id, t.subject, t.status, t.priority, t.category, t.assignee, t.opened_at,"
	"   t.sla_due_at, t.solved_at, t.body, t.number, true AS open,"
	"   baton_priority_rank(t.priority) AS rank"
	"  FROM ticket t WHERE t.customer_id = $1 AND t.status NOT IN ('solved', 'closed')"
	"  ORDER BY rank, t.opened_at, t.id LIMIT 200)"
	" UNION ALL"
	" (SELECT t.id, t.subject, t.status, t.priority, t.category, t.assignee, t.opened_at,"
	"   t.sla_due_at, t.solved_at, t.body, t.number, false, NULL"
	"  FROM ticket t WHERE t.customer_id = $1 AND t.status IN ('solved', 'closed')"
	"  ORDER BY t.solved_at DESC, t.id DESC LIMIT 10)) x"
	" ORDER BY x.open DESC, x.rank, CASE WHEN x.open THEN x.opened_at END,"
	"  CASE WHEN x.open THEN x.id END, x.solved_at DESC, x.id DESC";

#define CV_STR_(x) #x
#define CV_STR(x) CV_STR_(x)
#define CV_LIMIT(max) "least($2::integer, " CV_STR(max) ")"

/* A linked ticket as a person knows it: its number, else its id. */
#define CV_TICKET_NUMBER(id) \
	"coalesce((SELECT t.number FROM ticket t WHERE t.id = " id "), " id "::text)"

/* The current notes, newest first (one import's share their time: then
 * the last written first); a note corrected by another (migration 007)
 * stays in the timeline, not here.  As many as $2 asks (a page, on the
 * console: see cv_statements), each member of the group walking its own
 * newest first and stopping there (its index on the time): a key
 * account's fifty notes, each a page of its own, are not all read to show
 * the first twenty. */
static const char sql_notes[] =
	"SELECT n.id, n.kind, n.author, coalesce(s.display_name, n.author::text),"
	" to_char(n.created_at, 'YYYY-MM-DD HH24:MI'),"
	" extract(epoch FROM now() - n.created_at)::bigint, n.body,"
	" n.ticket_id, n.handoff_id, n.supersedes, " CV_TICKET_NUMBER("n.ticket_id")
	" FROM (SELECT n.* FROM unnest(" CV_GROUP_IDS ") m (id) CROSS JOIN LATERAL ("
	"  SELECT * FROM success_note n WHERE n.customer_id = m.id"
	"   AND NOT EXISTS (SELECT 1 FROM success_note x WHERE x.supersedes = n.id)"
	"  ORDER BY n.created_at DESC, n.id DESC LIMIT " CV_LIMIT(CV_NOTES_MAX) ") n"
	"  ORDER BY n.created_at DESC, n.id DESC LIMIT " CV_LIMIT(CV_NOTES_MAX) ") n"
	" LEFT JOIN staff s ON s.role_name = n.author"
	" ORDER BY n.created_at DESC, n.id DESC";

/* Scheduled first (soonest first), then what was sent, newest first; a
 * hold in force says who, when and why.  Times are formatted after each
 * branch's LIMIT (a key account's 100 sends are sorted, 30 shown), and
 * the order is said once more at the end: a hash join with the holds
 * would not keep the branches' order. */
static const char sql_marketing[] =
	"SELECT x.id, x.campaign, x.kind, x.channel, x.status, to_char(x.t, 'YYYY-MM-DD HH24:MI'),"
	" extract(epoch FROM x.t - now())::bigint, x.held_by IS NOT NULL,"
	" h.actor || ' ' || to_char(h.at, 'YYYY-MM-DD HH24:MI') || ': ' || h.comment FROM ("
	" (SELECT e.id, e.campaign, e.kind, e.channel, e.status, e.scheduled_at, e.held_by, true"
	"  FROM marketing_event e WHERE e.customer_id = $1 AND e.status = 'scheduled'"
	"  ORDER BY e.scheduled_at, e.id LIMIT 20)"
	" UNION ALL"
	" (SELECT e.id, e.campaign, e.kind, e.channel, e.status, coalesce(e.sent_at, e.scheduled_at),"
	"   e.held_by, false"
	"  FROM marketing_event e WHERE e.customer_id = $1 AND e.status <> 'scheduled'"
	"  ORDER BY coalesce(e.sent_at, e.scheduled_at) DESC NULLS LAST, e.id DESC LIMIT 30)) x (id, campaign, kind,"
	"   channel, status, t, held_by, ahead)"
	" LEFT JOIN campaign_hold h ON h.id = x.held_by"
	" ORDER BY x.ahead DESC, CASE WHEN x.ahead THEN x.t END, CASE WHEN x.ahead THEN x.id END,"
	" x.t DESC NULLS LAST, x.id DESC";

/* Active handoffs first, oldest first; then the recently closed ones.  The
 * rows are chosen before the names are joined: a key account has a
 * hundred and more handoffs, and joining them all cost a quarter of the
 * statement.  Each member of the group walks its active ones oldest first
 * and its closed ones newest first (migration 049's indexes), each walk
 * stopping early: a generic plan otherwise reads every handoff of a key
 * account to sort them.  A page ($2) holds every active handoff (up to
 * the panel's 50: the baton in hand is never on a page not read, and a
 * new one shows as new) and the newest closed ones up to its size; the
 * closed walk stops at what the active ones leave of it (counted from
 * the active index, on the pages the first walk read): each handoff read
 * is a page of its own, and a key account's closed walk read 50 where its
 * eleven or so active ones left room for 39.  Their histories are read
 * when one is opened (cv_handoff_histories_sql). */
#define HO_ACTIVE "h.state IN ('open', 'acknowledged')"
#define HO_ORDER "h.state NOT IN ('open', 'acknowledged')," \
	" CASE WHEN h.state IN ('open', 'acknowledged') THEN h.created_at END, h.created_at DESC, h.id"
static const char sql_handoffs[] =
	"SELECT h.id, h.from_team, h.to_team, h.to_staff, coalesce(ts.display_name, h.to_staff::text),"
	" h.reason, h.priority, h.ticket_id, h.note, h.state, h.author,"
	" coalesce(au.display_name, h.author::text),"
	" to_char(h.created_at, 'YYYY-MM-DD HH24:MI'),"
	" extract(epoch FROM now() - h.created_at)::bigint,"
	" to_char(h.ack_due_at, 'YYYY-MM-DD HH24:MI'),"
	" extract(epoch FROM h.ack_due_at - now())::bigint,"
	" to_char(h.acknowledged_at, 'YYYY-MM-DD HH24:MI'), h.acknowledged_by,"
	" to_char(h.closed_at, 'YYYY-MM-DD HH24:MI'), h.closed_by, h.version, " CV_TICKET_NUMBER("h.ticket_id")
	" FROM (SELECT * FROM (SELECT h.*, row_number() OVER (ORDER BY " HO_ORDER ") AS rn,"
	"   count(*) FILTER (WHERE " HO_ACTIVE ") OVER () AS active"
	"  FROM unnest(" CV_GROUP_IDS ") m (id) CROSS JOIN LATERAL ("
	"  (SELECT * FROM handoff h WHERE h.customer_id = m.id AND " HO_ACTIVE
	"   ORDER BY h.created_at, h.id LIMIT " CV_STR(CV_HANDOFFS_MAX) ")"
	"  UNION ALL"
	"  (SELECT * FROM handoff h WHERE h.customer_id = m.id AND h.state NOT IN ('open', 'acknowledged')"
	"   ORDER BY h.created_at DESC, h.id LIMIT greatest(0, " CV_LIMIT(CV_HANDOFFS_MAX) " - (SELECT count(*)"
	"    FROM (SELECT FROM handoff a WHERE a.customer_id = m.id AND a.state IN ('open', 'acknowledged')"
	"    LIMIT " CV_STR(CV_HANDOFFS_MAX) ") n)))) h) h"
	"  WHERE h.rn <= least(" CV_STR(CV_HANDOFFS_MAX) ", greatest(" CV_LIMIT(CV_HANDOFFS_MAX) ", h.active))) h"
	" LEFT JOIN staff ts ON ts.role_name = h.to_staff"
	" LEFT JOIN staff au ON au.role_name = h.author"
	" ORDER BY " HO_ORDER;

/* The signals, as the database computes them for everyone; the active
 * (unacknowledged) ones first, then by severity and age. */
static const char sql_signals[] =
	"SELECT " SIGNALS_COLS " FROM baton_signal_rows($1, false)"
	" ORDER BY acked_at IS NOT NULL, severity_rank DESC, since, kind";

#define CV_HISTORY                                                                       \
	"string_agg(to_char(e.at, 'YYYY-MM-DD HH24:MI') || ' ' || e.kind || ' by ' || e.actor" \
	" || coalesce(' to ' || e.to_team, '') || coalesce(' (' || e.to_staff || ')', '')"     \
	" || coalesce(': ' || e.comment, ''), E'\\n' ORDER BY e.at, e.id)"
const char cv_handoff_histories_sql[] =
	"SELECT e.handoff_id::text, " CV_HISTORY " FROM handoff_event e"
	" WHERE e.handoff_id = ANY ($1::uuid[]) GROUP BY e.handoff_id";

const char cv_timeline_sql[] =
	"SELECT at, extract(epoch FROM now() - at)::bigint, kind, who, text, ref FROM ("
	" SELECT t.opened_at AS at, 'ticket opened' AS kind, coalesce(t.assignee::text, '') AS who,"
	"   '#' || coalesce(t.number, t.id::text) || ' ' || t.priority || ' ' || t.subject AS text,"
	"   'ticket:' || t.id AS ref,"
	"   1 AS src, t.id AS oid, '' AS eid"
	"   FROM ticket t WHERE t.customer_id = $1"
	" UNION ALL SELECT t.solved_at, 'ticket solved', coalesce(t.assignee::text, ''),"
	"   '#' || coalesce(t.number, t.id::text) || ' ' || t.subject, 'ticket:' || t.id, 2, t.id, ''"
	"   FROM ticket t WHERE t.customer_id = $1 AND t.solved_at IS NOT NULL"
	" UNION ALL SELECT n.created_at, CASE WHEN n.supersedes IS NULL THEN 'note' ELSE 'note corrected' END,"
	"   n.author::text, coalesce('(replaces note ' || n.supersedes || ') ', '') || n.body, 'note:' || n.id,"
	"   3, n.id, ''"
	"   FROM success_note n WHERE n.customer_id = " CV_GROUP
	" UNION ALL SELECT coalesce(e.sent_at, e.scheduled_at),"
	"   'campaign ' || e.status, '', e.kind || ' \"' || e.campaign || '\"', 'campaign:' || e.id, 4, e.id, ''"
	"   FROM marketing_event e WHERE e.customer_id = $1"
	" UNION ALL SELECT m.completed_at, 'milestone done', coalesce(m.owner::text, ''), m.title,"
	"   'milestone:' || m.id, 5, m.id, ''"
	"   FROM milestone m WHERE m.customer_id = $1 AND m.completed_at IS NOT NULL"
	/* Told once: not where an event below tells it (one of this timeline's
	 * customers); a milestone moved here keeps its events where it was. */
	"   AND NOT EXISTS (SELECT 1 FROM milestone_event e WHERE e.milestone_id = m.id"
	"                   AND e.status = 'done' AND e.at = m.completed_at"
	"                   AND e.customer_id = " CV_GROUP ")"
	" UNION ALL SELECT s.responded_at, upper(s.kind), '', s.score || coalesce(' ' || s.comment, ''),"
	"   'survey:' || s.id, 6, s.id, ''"
	"   FROM survey_response s WHERE s.customer_id = $1"
	" UNION ALL SELECT e.at, 'handoff ' || e.kind, e.actor::text,"
	"   h.from_team || ' → ' || h.to_team || ' ' || h.reason"
	"   || coalesce(': ' || CASE WHEN e.kind = 'created' THEN h.note ELSE e.comment END, ''),"
	"   'handoff:' || h.id, 7, 0, e.id::text"
	"   FROM handoff_event e JOIN handoff h ON h.id = e.handoff_id WHERE h.customer_id = " CV_GROUP
	" UNION ALL SELECT e.at, 'milestone ' || replace(e.status, '_', ' '), e.actor::text,"
	"   m.title || coalesce(': ' || e.reason, ''), 'milestone:' || m.id, 8, 0, e.id::text"
	"   FROM milestone_event e JOIN milestone m ON m.id = e.milestone_id"
	"   WHERE e.customer_id = " CV_GROUP
	" UNION ALL SELECT e.at, 'health ' || replace(e.health, '_', ' '), e.actor::text, e.reason,"
	"   'health:' || e.id, 9, 0, e.id::text"
	"   FROM onboarding_health_event e WHERE e.customer_id = " CV_GROUP
	/* Entries of one moment (one import's, one transaction's) by kind,
	 * then the last written first where ids are numbers, else by id. */
	") x ORDER BY at DESC NULLS LAST, src, oid DESC, ref, eid LIMIT 1000";

static int part_max(enum cv_part p)
{
	return p == CV_NOTES ? CV_NOTES_MAX : p == CV_HANDOFFS ? CV_HANDOFFS_MAX : 0;
}

void cv_statements(struct db_stmt out[CV_PARTS], struct cv_args *args, long long id, const int *rows)
{
	static const char *const sql[CV_PARTS] = {sql_header, sql_milestones, sql_tickets,
	                                          sql_notes, sql_marketing, sql_handoffs, sql_signals};
	snprintf(args->id, sizeof args->id, "%lld", id);
	for (int i = 0; i < CV_PARTS; i++) {
		int max = part_max((enum cv_part)i), n = rows ? rows[i] : 0;
		snprintf(args->rows[i], sizeof args->rows[i], "%d", n);
		args->params[i][0] = args->id;
		args->params[i][1] = n > 0 && n < max ? args->rows[i] : NULL;
		out[i].sql = sql[i];
		out[i].nparams = max ? 2 : 1;
		out[i].params = args->params[i];
	}
}

void cv_first_rows(int rows[CV_PARTS])
{
	for (int i = 0; i < CV_PARTS; i++)
		rows[i] = part_max((enum cv_part)i) ? CV_PAGE : 0;
}

int cv_partial(const struct customer_view *cv, enum cv_part p, const int *rows)
{
	int max = part_max(p), n = rows ? rows[p] : 0;
	return n > 0 && n < max && cv_rows(cv, p) >= n;
}

static const int expected_cols[CV_PARTS] = {H_ALSO + 1, M_VERSION + 1, T_OPEN_TOTAL + 1,
                                            N_TICKET_NUMBER + 1, K_HOLD + 1, HO_TICKET_NUMBER + 1,
                                            SG_ACK_COMMENT + 1};

int cv_adopt(struct customer_view *cv, PGresult **res, int nres, char *err, size_t errlen)
{
	memset(cv, 0, sizeof *cv);
	if (nres != CV_PARTS) {
		snprintf(err, errlen, "unexpected number of results (%d)", nres);
		return -1;
	}
	for (int i = 0; i < CV_PARTS; i++) {
		if (!res[i] || PQresultStatus(res[i]) != PGRES_TUPLES_OK ||
		    PQnfields(res[i]) != expected_cols[i]) {
			snprintf(err, errlen, "unexpected result shape for part %d", i);
			return -1;
		}
	}
	if (PQntuples(res[CV_HEADER]) != 1) {
		snprintf(err, errlen, "no such customer");
		return -1;
	}
	for (int i = 0; i < CV_PARTS; i++) {
		cv->res[i] = res[i];
		res[i] = NULL;
	}
	return 0;
}

void cv_free(struct customer_view *cv)
{
	for (int i = 0; i < CV_PARTS; i++)
		PQclear(cv->res[i]);
	memset(cv, 0, sizeof *cv);
}

int cv_rows(const struct customer_view *cv, enum cv_part p)
{
	return cv->res[p] ? PQntuples(cv->res[p]) : 0;
}

const char *cv_get(const struct customer_view *cv, enum cv_part p, int row, int col)
{
	if (!cv->res[p] || row < 0 || row >= PQntuples(cv->res[p]) || col < 0 ||
	    col >= PQnfields(cv->res[p]))
		return "";
	return PQgetvalue(cv->res[p], row, col);
}

int cv_isnull(const struct customer_view *cv, enum cv_part p, int row, int col)
{
	if (!cv->res[p] || row < 0 || row >= PQntuples(cv->res[p]) || col < 0 ||
	    col >= PQnfields(cv->res[p]))
		return 1;
	return PQgetisnull(cv->res[p], row, col);
}

long long cv_num(const struct customer_view *cv, enum cv_part p, int row, int col)
{
	return strtoll(cv_get(cv, p, row, col), NULL, 10);
}

const char *cv_flag_title(int i)
{
	const struct signal_kind *k = signal_kind_at(i);
	return k ? k->title : "";
}

const char *cv_flag_explain(int i)
{
	const struct signal_kind *k = signal_kind_at(i);
	return k ? k->about : "";
}

int cv_flags(const struct customer_view *cv)
{
	int n = 0;
	while (n < cv_rows(cv, CV_SIGNALS) && cv_isnull(cv, CV_SIGNALS, n, SG_ACKED_BY))
		n++;
	return n;
}

long long cv_open_tickets(const struct customer_view *cv)
{
	return cv_rows(cv, CV_TICKETS) ? cv_num(cv, CV_TICKETS, 0, T_OPEN_TOTAL) : 0;
}

void cv_open_tickets_said(const struct customer_view *cv, char *out, size_t n)
{
	int listed = 0;
	for (int i = 0; i < cv_rows(cv, CV_TICKETS); i++)
		listed += cv_get(cv, CV_TICKETS, i, T_OPEN)[0] == 't';
	if (cv_open_tickets(cv) > listed)
		snprintf(out, n, "%lld open, the %d most urgent listed", cv_open_tickets(cv), listed);
	else
		snprintf(out, n, "%d open", listed);
}

/* sql_exact's rows (id, name, domain), else sql_partial's (if any), as
 * cv_resolve returns them. */
static int resolve_with(PGconn *c, const char *sql_exact, const char *sql_partial,
                        const char *what, long long *id, char **candidates, char *err, size_t errlen)
{
	const char *params[] = {what};
	*candidates = NULL;
	PGresult *r = db_exec(c, sql_exact, 1, params, err, errlen);
	if (!r)
		return -1;
	if (PQntuples(r) == 0 && sql_partial) {
		PQclear(r);
		r = db_exec(c, sql_partial, 1, params, err, errlen);
		if (!r)
			return -1;
	}
	int n = PQntuples(r);
	if (n == 1)
		*id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	if (n > 1) {
		struct buf b = BUF_INIT;
		for (int i = 0; i < n && i < 20; i++)
			buf_printf(&b, "%s\t%s\t%s\n", PQgetvalue(r, i, 0), PQgetvalue(r, i, 1),
			           PQgetvalue(r, i, 2));
		*candidates = buf_steal(&b);
	}
	PQclear(r);
	return n;
}

int cv_resolve(PGconn *c, const char *what, long long *id, char **candidates,
               char *err, size_t errlen)
{
	/* Exact matches first: baton_resolve (migration 011) tries the id
	 * ("42", "#42"), an external id ("CRM-00123", "crm:CRM-00123"), a
	 * domain, a contact e-mail and the whole folded name, one indexed
	 * lookup after another, and stops at the first kind that finds any.
	 * Only if none, a partial name: baton_find's name branches alone
	 * (baton_find_names: folded, anywhere in the name).  Both run within
	 * what the session user may see; customer is named first so that a
	 * database without Baton's schema is said to lack it. */
	static const char sql_exact[] =
		"SELECT s.id, s.name, coalesce(s.domain, '') FROM customer s"
		/* An absorbed customer's id or domain names its survivor.  An
		 * array of ids, not a join on coalesce(): under row-level
		 * security that join qual is not leakproof, could not use the
		 * primary key and read every customer (20 ms at 100,000). */
		" WHERE s.id = ANY (ARRAY(SELECT coalesce(c.merged_into, c.id)"
		"  FROM customer c JOIN baton_resolve($1) r ON r.cid = c.id))"
		" ORDER BY s.id LIMIT 21";
	static const char sql_partial[] =
		"SELECT DISTINCT c.id, c.name, coalesce(c.domain, '')"
		" FROM customer c JOIN baton_find_names($1) f ON f.cid = c.id"
		" ORDER BY c.name, c.id LIMIT 21";
	return resolve_with(c, sql_exact, sql_partial, what, id, candidates, err, errlen);
}

int cv_resolve_audit(PGconn *c, const char *what, long long *id, char **candidates,
                     char *err, size_t errlen)
{
	return resolve_with(c, "SELECT cid, cname, cdomain FROM baton_audit_customers($1)", NULL,
	                    what, id, candidates, err, errlen);
}

/* Names for the columns above, as used by the JSON output. */
static const char *const names_header[] = {"id", "name", "domain", "plan", "segment",
	"lifecycle", "onboarding_health", "owner", "owner_name", "renewal_date", "nps",
	"nps_date", "csat", "csat_date", "ces", "ces_date", "external_ids", "contacts",
	"health_reason", "health_by", "health_at", "health_age_s", "health_stale", "also"};
static const char *const names_milestones[] = {"id", "position", "title", "status", "owner",
	"due_date", "completed", "overdue_days", "blocked_reason", "version"};
static const char *const names_tickets[] = {"id", "subject", "status", "priority", "category",
	"assignee", "opened", "age_s", "sla_due", "sla_left_s", "solved", "body", "open", "number", "open_total"};
static const char *const names_notes[] = {"id", "kind", "author", "author_name", "created",
	"age_s", "body", "ticket_id", "handoff_id", "supersedes", "ticket_number"};
static const char *const names_marketing[] = {"id", "campaign", "kind", "channel", "status",
	"at", "in_s", "held", "hold"};
static const char *const names_handoffs[] = {"id", "from_team", "to_team", "to_staff",
	"to_staff_name", "reason", "priority", "ticket_id", "note", "state", "author",
	"author_name", "created", "age_s", "ack_due", "ack_left_s", "acknowledged",
	"acknowledged_by", "closed", "closed_by", "version", "ticket_number"};
/* The signals' are the list's (the same SIGNALS_COLS). */
_Static_assert(SG_ACK_COMMENT - SG_KIND == SI_ACK_COMMENT - SI_KIND, "SG_* are SIGNALS_COLS");

const char *cv_column_name(enum cv_part p, int col)
{
	static const char *const *const names[CV_PARTS] = {names_header, names_milestones,
		names_tickets, names_notes, names_marketing, names_handoffs, signals_list_names + SI_KIND};
	if ((unsigned)p >= CV_PARTS || col < 0 || col >= expected_cols[p])
		return "?";
	return names[p][col];
}
