#include "baton/signals.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct signal_kind kinds[SIGNAL_KINDS] = {
	{"campaign-during-complaint", "campaign during complaint",
	 "a campaign scheduled or just sent while an urgent/high ticket or a complaint is open,"
	 " or within days after a refund or complaint", "CC"},
	{"outreach-during-escalation", "outreach during escalation",
	 "an upsell or renewal scheduled or just sent while an escalation handoff is open", "OE"},
	{"on-track-but-burning", "on track but burning",
	 "onboarding says on track while onboarding, migration or data tickets are open or a"
	 " milestone is overdue", "TB"},
	{"dropped-baton", "dropped baton", "a handoff not acknowledged within its SLA", "DB"},
	{"repeating-themselves", "repeating themselves",
	 "a reopened ticket, a ticket like one solved days before, or several alike in a few days", "RT"},
	{"voice-falling", "voice falling",
	 "NPS, CSAT or CES fell since the previous answer, or a detractor while a campaign is"
	 " scheduled", "VF"},
};

const struct signal_kind *signal_kind_at(int i)
{
	return i >= 0 && i < SIGNAL_KINDS ? &kinds[i] : NULL;
}

const struct signal_kind *signal_kind_find(const char *name)
{
	char n[64];
	size_t len = strlen(name);
	if (len >= sizeof n)
		return NULL;
	for (size_t i = 0; i <= len; i++)
		n[i] = name[i] == '_' ? '-' : name[i];
	for (int i = 0; i < SIGNAL_KINDS; i++)
		if (!strcmp(kinds[i].name, n))
			return &kinds[i];
	return NULL;
}

void signal_marker(char *out, size_t n, const struct signal_kind *k, int count)
{
	if (!k)
		snprintf(out, n, "%s", "");
	else if (count > 1)
		snprintf(out, n, "%s+%d", k->mark, count - 1);
	else
		snprintf(out, n, "%s", k->mark);
}

const char signals_list_sql[] =
	"SELECT customer_id, customer, segment, owner, " SIGNALS_COLS
	" FROM baton_signal_list($1, $2, $3, $4, $5::bigint, $6::boolean)";

const char signals_refresh_all_sql[] = "SELECT live, gens FROM baton_signal_refresh_all(0)";

const char signals_refresh_one_sql[] = "SELECT baton_signal_refresh($1::bigint, false), NULL::jsonb";

/* baton_signal_list's own query, its order included. */
const char signals_list_stream_sql[] =
	"SELECT customer_id, customer, segment, owner, " SIGNALS_COLS
	" FROM baton_signal_listed($1, $2, $3, $4, $5::bigint, $6::boolean, $7::bigint[], $8::jsonb)"
	" ORDER BY severity_rank DESC, since, customer, customer_id, kind";

const char signals_catch_up_sql[] = "SELECT baton_signal_catch_up($1::integer)";

long long signals_catch_up(PGconn *c, void (*progress)(void *ctx, long long left), void *ctx,
                           char *err, size_t errlen)
{
	const char *p[] = {SIGNALS_CATCH_UP_BATCH};
	for (long long left = -1;;) {
		PGresult *r = db_exec(c, signals_catch_up_sql, 1, p, err, errlen);
		if (!r)
			return -1;
		long long now = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
		PQclear(r);
		if (progress)
			progress(ctx, now);
		if (now == 0 || (left >= 0 && now >= left))
			return now;
		left = now;
	}
}

const char signals_page_sql[] =
	"SELECT customer_id, customer, segment, owner, " SIGNALS_COLS
	" FROM baton_signal_page($1, $2, $3, $4, $5::integer)";

const char signals_counts_sql[] = "SELECT kind, signals, customers FROM baton_signal_counts($1, $2, $3)";

const char *const signals_list_names[SI_COLS] = {"customer_id", "customer", "segment", "owner",
	"kind", "title", "severity", "since", "explanation", "refs", "teams", "fingerprint",
	"acked_by", "acked_at", "ack_comment"};

#define SUPPRESSION_COLS                                                                   \
	"event_id, customer_id, customer, campaign, kind, channel,"                            \
	" to_char(scheduled_at, 'YYYY-MM-DD HH24:MI'), held, held_by,"                         \
	" to_char(held_at, 'YYYY-MM-DD HH24:MI'), hold_comment, array_to_string(signal_kinds, ','),"\
	" reasons"

const char signals_suppression_sql[] = "SELECT " SUPPRESSION_COLS " FROM baton_suppression($1::bigint)";

const char signals_suppression_page_sql[] =
	"SELECT " SUPPRESSION_COLS " FROM baton_suppression_page($1::integer)";

const char signals_suppression_count_sql[] = "SELECT sends, held, recomputing FROM baton_suppression_count()";

const char *const signals_suppression_names[SU_COLS] = {"event_id", "customer_id", "customer",
	"campaign", "kind", "channel", "scheduled_at", "held", "held_by", "held_at", "hold_comment",
	"signal_kinds", "reasons"};

int signal_write_init(struct signal_write *w, long long target, const char *what,
                      const char *comment)
{
	memset(w, 0, sizeof *w);
	w->target = target;
	snprintf(w->what, sizeof w->what, "%s", what);
	w->comment = comment;
	return db_uuid(w->id);
}

static void params(const struct signal_write *w, struct signal_params *st)
{
	snprintf(st->num, sizeof st->num, "%lld", w->target);
	st->p[0] = w->id;
	st->p[1] = st->num;
	st->p[2] = w->what;
	st->p[3] = w->comment ? w->comment : "";
	st->p[4] = w->fingerprint[0] ? w->fingerprint : NULL;
}

void signal_hold_stmt(const struct signal_write *w, struct signal_params *st, struct db_stmt *out)
{
	params(w, st);
	out->sql = "SELECT done, already, held, message FROM baton_campaign_hold($1::uuid, $2::bigint, $3, $4)";
	out->nparams = 4;
	out->params = st->p;
}

void signal_ack_stmt(const struct signal_write *w, struct signal_params *st, struct db_stmt *out)
{
	params(w, st);
	out->sql = "SELECT done, already, fingerprint, message"
	           " FROM baton_signal_ack($1::uuid, $2::bigint, $3, $4, $5)";
	out->nparams = 5;
	out->params = st->p;
}
