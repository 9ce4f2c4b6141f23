/* One customer's screen: the data of every panel and its crossed signals
 * (computed by the database, migration 009), fetched in one round trip (a
 * pipeline of parameterised statements).  Rows are kept as libpq results;
 * the enums name their columns. */
#ifndef BATON_CUSTOMER_H
#define BATON_CUSTOMER_H

#include <libpq-fe.h>
#include <stddef.h>

#include "baton/db.h"
#include "baton/fmt.h"
#include "baton/signals.h"

/* The customer $1 and those absorbed into it (merged_into, migration 010):
 * an import moves their tickets, contacts, milestones and campaigns, but
 * handoffs, notes and events stay on the row they were written about, so
 * that `baton split` gives them back by clearing merged_into alone.  The
 * survivor reads them through this group (merges are flattened: every
 * absorbed row points at the survivor itself).  Each id once (UNION): the
 * handoffs panel walks the group member by member. */
#define CV_GROUP_IDS "ARRAY(SELECT $1::bigint UNION" \
	" SELECT g.id FROM customer g WHERE g.merged_into = $1)"
#define CV_GROUP "ANY (" CV_GROUP_IDS ")"

enum cv_part { CV_HEADER, CV_MILESTONES, CV_TICKETS, CV_NOTES, CV_MARKETING, CV_HANDOFFS, CV_SIGNALS,
               CV_PARTS };

enum { H_ID, H_NAME, H_DOMAIN, H_PLAN, H_SEGMENT, H_LIFECYCLE, H_ONB_HEALTH, H_OWNER,
       H_OWNER_NAME, H_RENEWAL, H_NPS, H_NPS_AT, H_CSAT, H_CSAT_AT, H_CES, H_CES_AT,
       H_EXTERNAL_IDS, H_CONTACTS,
       /* The onboarding health's last setting (migration 008), if it set
        * the health there is now: why, by whom, when; and whether it is
        * stale (older than the setting onboarding_health_stale_days, or of
        * no known age), as the server reckons. */
       H_HEALTH_REASON, H_HEALTH_BY, H_HEALTH_AT, H_HEALTH_AGE_S, H_HEALTH_STALE,
       /* What else this customer is, from identity resolution (migration 010). */
       H_ALSO };
enum { M_ID, M_POSITION, M_TITLE, M_STATUS, M_OWNER, M_DUE, M_COMPLETED, M_OVERDUE_DAYS,
       M_BLOCKED_REASON, M_VERSION };
/* A ticket is shown to people by T_NUMBER: its source's number (the
 * helpdesk's, migration 081), else its id.  T_ID is what writes name.  A
 * note's or handoff's linked ticket likewise: N_TICKET and HO_TICKET are
 * its id, N_TICKET_NUMBER and HO_TICKET_NUMBER what to show. */
enum { T_ID, T_SUBJECT, T_STATUS, T_PRIORITY, T_CATEGORY, T_ASSIGNEE, T_OPENED, T_AGE_S,
       T_SLA_DUE, T_SLA_LEFT_S, T_SOLVED, T_BODY, T_OPEN, T_NUMBER,
       /* How many of the customer's tickets are open, listed or not (the
        * same in every row). */
       T_OPEN_TOTAL };
enum { N_ID, N_KIND, N_AUTHOR, N_AUTHOR_NAME, N_CREATED, N_AGE_S, N_BODY, N_TICKET, N_HANDOFF,
       N_SUPERSEDES, N_TICKET_NUMBER };
/* K_HELD: 't' while a hold is in force; K_HOLD: who held it, when, why. */
enum { K_ID, K_CAMPAIGN, K_KIND, K_CHANNEL, K_STATUS, K_AT, K_IN_S, K_HELD, K_HOLD };
enum { HO_ID, HO_FROM_TEAM, HO_TO_TEAM, HO_TO_STAFF, HO_TO_STAFF_NAME, HO_REASON, HO_PRIORITY,
       HO_TICKET, HO_NOTE, HO_STATE, HO_AUTHOR, HO_AUTHOR_NAME, HO_CREATED, HO_AGE_S,
       HO_ACK_DUE, HO_ACK_LEFT_S, HO_ACK_AT, HO_ACK_BY, HO_CLOSED_AT, HO_CLOSED_BY,
       HO_VERSION, HO_TICKET_NUMBER };

/* The customer's signals (baton_signals): the active ones first, most
 * severe first; then the acknowledged ones (SG_ACKED_BY set).  refs are
 * space-separated ("ticket:4805 campaign:6"), teams comma-separated. */
enum { SG_KIND, SG_TITLE, SG_SEVERITY, SG_SINCE, SG_EXPLANATION, SG_REFS, SG_TEAMS,
       SG_FINGERPRINT, SG_ACKED_BY, SG_ACKED_AT, SG_ACK_COMMENT };

/* The kinds of crossed signal (PRODUCT.md piece 6), for the help screen:
 * at most one flag of each per customer. */
#define CV_FLAG_COUNT SIGNAL_KINDS
const char *cv_flag_title(int kind_index);   /* "campaign during complaint" */
const char *cv_flag_explain(int kind_index); /* when it is raised, one line */

struct customer_view {
	PGresult *res[CV_PARTS];
};

/* The long panels hold at most this many rows: the newest notes, and the
 * active handoffs then the recently closed ones. */
#define CV_NOTES_MAX 100
#define CV_HANDOFFS_MAX 50
/* The console reads a long panel a page at a time: its first page with
 * the screen, more as the person scrolls towards the end of what it has
 * (ui/customer.c).  A key account has fifty notes and fifty handoffs,
 * each row a page of its own on disk; a screen shows a dozen of each. */
#define CV_PAGE 20

/* The parameters of one fetch (cv_statements points the statements at
 * them): keep it until they are sent (db_pipeline, dbq_submit copy). */
struct cv_args {
	char id[24];
	char rows[CV_PARTS][16];
	const char *params[CV_PARTS][2];
};

/* The statements of one fetch of customer id, the panel of part p reading
 * at most rows[p] rows (CV_NOTES and CV_HANDOFFS: the long panels; the
 * others are read whole), or all it holds when rows is NULL or rows[p] is
 * 0 or more than it holds. */
void cv_statements(struct db_stmt out[CV_PARTS], struct cv_args *args, long long id, const int *rows);
/* The rows the console asks for when it opens a screen: a page of each
 * long panel, the others whole. */
void cv_first_rows(int rows[CV_PARTS]);
/* Whether the fetch that asked for rows[p] may have left rows of panel p
 * unread: it read as many as it asked, and fewer than the panel holds. */
int cv_partial(const struct customer_view *cv, enum cv_part p, const int *rows);

/* Take ownership of the pipeline's results (res[] is set to NULL).  Returns
 * -1 with err when the customer does not exist or a result is malformed. */
int cv_adopt(struct customer_view *cv, PGresult **res, int nres, char *err, size_t errlen);
void cv_free(struct customer_view *cv);

int cv_rows(const struct customer_view *cv, enum cv_part p);
/* Value of a column ("" for NULL). */
const char *cv_get(const struct customer_view *cv, enum cv_part p, int row, int col);
int cv_isnull(const struct customer_view *cv, enum cv_part p, int row, int col);
long long cv_num(const struct customer_view *cv, enum cv_part p, int row, int col);

/* JSON name of a column. */
const char *cv_column_name(enum cv_part p, int col);

/* How many of the signals are active (not acknowledged): the flags. */
int cv_flags(const struct customer_view *cv);
/* How many of its tickets are open: more than CV_TICKETS lists (the most
 * urgent 200) when it has more. */
long long cv_open_tickets(const struct customer_view *cv);
/* "3 open", or with more open than are listed "4210 open, the 200 most
 * urgent listed": the ticket panel's title, as the console and baton show
 * say it. */
void cv_open_tickets_said(const struct customer_view *cv, char *out, size_t n);

/* Resolve CUSTOMER (id or #id, external id or system:external id, domain,
 * contact e-mail, exact or unambiguous partial name) to an id.  Returns 1 with id set, 0 when not
 * found, or the number of candidates (>1) with their "id\tname\tdomain"
 * lines in *candidates (malloc'd); -1 on database error. */
int cv_resolve(PGconn *c, const char *what, long long *id, char **candidates,
               char *err, size_t errlen);
/* The same for `baton audit --customer`, as an administrator who need
 * not be on the staff: baton_audit_customers (migration 075) resolves it
 * the same way, past the policies, for members of baton_admin only. */
int cv_resolve_audit(PGconn *c, const char *what, long long *id, char **candidates,
                     char *err, size_t errlen);

/* Timeline: every event of a customer, newest first.  Columns: */
enum { TL_AT, TL_AGE_S, TL_KIND, TL_WHO, TL_TEXT, TL_REF };
extern const char cv_timeline_sql[];
/* Handoffs' histories, one line per event ("YYYY-MM-DD HH24:MI kind by
 * actor[ to team][ (person)][: comment]"), oldest first, as one text: a
 * row (id, history) for each of handoffs $1 (an array of ids) that has
 * events.  Read when a handoff is opened (and by `baton show --format
 * json`), not with the screen: a key account's 50 histories were half of
 * its handoffs statement. */
extern const char cv_handoff_histories_sql[];


#endif
