/* Integration tests for migration 009 on a copy of the demo: each kind of
 * crossed signal raised, and its near miss (one day outside the window, a
 * ticket that is not hot, another topic) not; campaign holds (exactly
 * once, only scheduled sends, only allowed teams, release); acknowledging
 * a signal (it leaves the list, and comes back when its records change);
 * the cache of the signals following writes, the clock and the rules, and
 * two readers refreshing it at once. */
#include "baton/db.h"
#include "baton/signals.h"

#include <libpq-fe.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "itest.h"

static PGconn *su;  /* superuser: writes the facts, as the imports would */
static PGconn *ana; /* Support */
static PGconn *mia; /* Marketing */

/* Run printf-formatted SQL on c; the first value (static, "ERROR: ..."). */
static const char *sql(PGconn *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static const char *sql(PGconn *c, const char *fmt, ...)
{
	char q[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(q, sizeof q, fmt, ap);
	va_end(ap);
	return itest_value(c, q);
}

static long long num(const char *v)
{
	if (!strncmp(v, "ERROR", 5))
		printf("    %s\n", v);
	return strtoll(v, NULL, 10);
}

static long long customer(const char *name, const char *health)
{
	return num(sql(su, "INSERT INTO customer (name, onboarding_health) VALUES ('%s', %s) RETURNING id",
	               name, health));
}

/* A ticket: opened (and, for solved ones, solved) `ago` before now. */
static long long ticket(long long cust, const char *subject, const char *status, const char *priority,
                        const char *category, const char *ago)
{
	char solved_at[64] = "NULL";
	int solved = !strcmp(status, "solved");
	if (solved)
		snprintf(solved_at, sizeof solved_at, "now() - interval '%s'", ago);
	return num(sql(su, "INSERT INTO ticket (customer_id, subject, status, priority, category, opened_at,"
	                   " solved_at) VALUES (%lld, '%s', '%s', '%s', '%s', now() - interval '%s' - interval '%s',"
	                   " %s) RETURNING id", cust, subject, status, priority, category, ago,
	               solved ? "1 hour" : "0", solved_at));
}

/* A scheduled send `in` from now. */
static long long scheduled(long long cust, const char *campaign, const char *kind, const char *in)
{
	return num(sql(su, "INSERT INTO marketing_event (customer_id, campaign, kind, status, scheduled_at)"
	                   " VALUES (%lld, '%s', '%s', 'scheduled', now() + interval '%s') RETURNING id",
	               cust, campaign, kind, in));
}

/* The customer's active signal of kind as ana sees it: its explanation, or
 * "" when there is none. */
static const char *signal(long long cust, const char *kind)
{
	return sql(ana, "SELECT explanation FROM baton_signals(%lld) WHERE kind = '%s' AND acked_at IS NULL",
	           cust, kind);
}

static int raised(long long cust, const char *kind)
{
	return signal(cust, kind)[0] != '\0' && strncmp(signal(cust, kind), "ERROR", 5) != 0;
}

static void test_campaign_during_complaint(void)
{
	/* A refund solved 20 days before a send scheduled in 5 days: 25 days,
	 * inside the 30 of signal_complaint_days. */
	long long c = customer("Refunded SARL", "'done'");
	long long t = ticket(c, "Refund for a duplicate charge", "solved", "normal", "billing", "20 days");
	scheduled(c, "Go Pro", "upsell", "5 days");
	CHECK(raised(c, "campaign-during-complaint"));
	char want[128];
	snprintf(want, sizeof want, "upsell \"Go Pro\" scheduled ");
	CHECK(strstr(signal(c, "campaign-during-complaint"), want) != NULL);
	snprintf(want, sizeof want, "25 days after refund #%lld \"Refund for a duplicate charge\"", t);
	CHECK(strstr(signal(c, "campaign-during-complaint"), want) != NULL);
	CHECK_STR(sql(ana, "SELECT severity FROM baton_signals(%lld) WHERE kind = 'campaign-during-complaint'", c),
	          "high"); /* an upsell */

	/* Just outside: solved 25 days and a half before, the send 5 days
	 * ahead (30 and a half). */
	long long d = customer("Refunded Long Ago", "'done'");
	ticket(d, "Refund for a duplicate charge", "solved", "normal", "billing", "25 days 12 hours");
	scheduled(d, "Go Pro", "upsell", "5 days");
	CHECK(!raised(d, "campaign-during-complaint"));

	/* A low-priority bug is no complaint; a high one is. */
	long long e = customer("Bug Reporter", "'done'");
	long long low = ticket(e, "Typo on the invoice page", "open", "low", "bug", "1 day");
	scheduled(e, "Monthly news", "newsletter", "2 days");
	CHECK(!raised(e, "campaign-during-complaint"));
	sql(su, "UPDATE ticket SET priority = 'high' WHERE id = %lld", low);
	CHECK(raised(e, "campaign-during-complaint"));
	CHECK_STR(sql(ana, "SELECT severity FROM baton_signals(%lld) WHERE kind = 'campaign-during-complaint'", e),
	          "medium");

	/* The window is a shared setting: 20 days and the refund is too old. */
	CHECK_STR(sql(su, "SELECT baton_setting_set('signal_complaint_days', '20')"), "t");
	CHECK(!raised(c, "campaign-during-complaint"));
	CHECK_STR(sql(su, "SELECT baton_setting_set('signal_complaint_days', '30')"), "t");
	CHECK(strncmp(sql(su, "SELECT baton_setting_set('signal_complaint_days', '0')"), "ERROR", 5) == 0);
}

static void test_outreach_during_escalation(void)
{
	long long c = customer("Escalated Oy", "'done'");
	long long r = scheduled(c, "Renew now", "renewal", "3 days");
	sql(su, "INSERT INTO handoff (id, customer_id, from_team, to_team, reason, note, ack_due_at)"
	        " VALUES ('00000000-0000-4000-8000-00000000e001', %lld, 'support', 'success', 'escalation',"
	        " 'angry', now() + interval '1 day')", c);
	CHECK(raised(c, "outreach-during-escalation"));
	CHECK(strstr(signal(c, "outreach-during-escalation"), "renewal \"Renew now\" scheduled") != NULL);
	char ref[64];
	snprintf(ref, sizeof ref, "campaign:%lld", r);
	CHECK(strstr(sql(ana, "SELECT array_to_string(refs, ' ') FROM baton_signals(%lld)"
	                      " WHERE kind = 'outreach-during-escalation'", c), ref) != NULL);

	/* A question handoff is no escalation; a newsletter is no outreach. */
	long long d = customer("Asking Oy", "'done'");
	scheduled(d, "Renew now", "renewal", "3 days");
	scheduled(d, "Monthly news", "newsletter", "3 days");
	sql(su, "INSERT INTO handoff (id, customer_id, from_team, to_team, reason, note, ack_due_at)"
	        " VALUES ('00000000-0000-4000-8000-00000000e002', %lld, 'support', 'success', 'question',"
	        " 'curious', now() + interval '1 day')", d);
	CHECK(!raised(d, "outreach-during-escalation"));
	long long e = customer("Escalated News Oy", "'done'");
	scheduled(e, "Monthly news", "newsletter", "3 days");
	sql(su, "INSERT INTO handoff (id, customer_id, from_team, to_team, reason, note, ack_due_at)"
	        " VALUES ('00000000-0000-4000-8000-00000000e003', %lld, 'support', 'success', 'escalation',"
	        " 'angry', now() + interval '1 day')", e);
	CHECK(!raised(e, "outreach-during-escalation"));
}

/* 103: the helpdesk's record escalated, the CRM's record of the same
 * company has the renewal e-mail; once they are one customer (the helpdesk's
 * absorbed), the survivor has the signal, and it follows the handoff's
 * writes and a split. */
static void test_outreach_across_a_merge(void)
{
	long long s = customer("Merged Renewal Oy", "'done'");
	long long x = customer("Merged Renewal Oy (helpdesk)", "'done'");
	scheduled(s, "Renew now", "renewal", "3 days");
	sql(su, "INSERT INTO handoff (id, customer_id, from_team, to_team, reason, note, ack_due_at)"
	        " VALUES ('00000000-0000-4000-8000-00000000e011', %lld, 'support', 'success', 'escalation',"
	        " 'angry', now() + interval '1 day')", x);
	CHECK(!raised(s, "outreach-during-escalation"));
	CHECK(!raised(x, "outreach-during-escalation"));
	/* Made one: the survivor has it, with the absorbed customer's handoff. */
	sql(su, "UPDATE customer SET merged_into = %lld WHERE id = %lld", s, x);
	CHECK(raised(s, "outreach-during-escalation"));
	CHECK(strstr(sql(ana, "SELECT array_to_string(refs, ' ') FROM baton_signals(%lld)"
	                      " WHERE kind = 'outreach-during-escalation'", s),
	             "handoff:00000000-0000-4000-8000-00000000e011") != NULL);
	/* The handoff is no escalation any more: gone; a new one: back. */
	sql(su, "UPDATE handoff SET reason = 'question' WHERE id = '00000000-0000-4000-8000-00000000e011'");
	CHECK(!raised(s, "outreach-during-escalation"));
	sql(su, "INSERT INTO handoff (id, customer_id, from_team, to_team, reason, note, ack_due_at)"
	        " VALUES ('00000000-0000-4000-8000-00000000e012', %lld, 'support', 'success', 'escalation',"
	        " 'angrier', now() + interval '1 day')", x);
	CHECK(raised(s, "outreach-during-escalation"));
	/* Split: two customers again, and no signal. */
	sql(su, "UPDATE customer SET merged_into = NULL WHERE id = %lld", x);
	CHECK(!raised(s, "outreach-during-escalation"));
	CHECK(!raised(x, "outreach-during-escalation"));
}

static void test_on_track_but_burning(void)
{
	long long c = customer("Burning GmbH", "'on_track'");
	ticket(c, "Import stops at row 20001", "open", "normal", "migration", "2 days");
	CHECK(raised(c, "on-track-but-burning"));
	CHECK(strstr(signal(c, "on-track-but-burning"), "onboarding \"on track\" while migration #") != NULL);
	/* Another topic does not contradict "on track"; at risk says it already. */
	long long d = customer("Calm GmbH", "'on_track'");
	ticket(d, "Copy of the last invoice", "open", "normal", "question", "2 days");
	CHECK(!raised(d, "on-track-but-burning"));
	long long e = customer("Honest GmbH", "'at_risk'");
	ticket(e, "Import stops at row 20001", "open", "normal", "migration", "2 days");
	CHECK(!raised(e, "on-track-but-burning"));
	/* A milestone due today is not overdue; due yesterday it is. */
	long long m = num(sql(su, "INSERT INTO milestone (customer_id, position, title, due_date)"
	                          " VALUES (%lld, 1, 'Go-live', current_date) RETURNING id", d));
	CHECK(!raised(d, "on-track-but-burning"));
	sql(su, "UPDATE milestone SET due_date = current_date - 1 WHERE id = %lld", m);
	CHECK(strstr(signal(d, "on-track-but-burning"), "milestone \"Go-live\" is 1 days overdue") != NULL);
}

static void test_dropped_baton(void)
{
	long long c = customer("Waiting AB", "NULL");
	sql(su, "INSERT INTO handoff (id, customer_id, from_team, to_team, reason, note, ack_due_at)"
	        " VALUES ('00000000-0000-4000-8000-00000000d001', %lld, 'support', 'success', 'question',"
	        " 'not due yet', now() + interval '1 hour')", c);
	CHECK(!raised(c, "dropped-baton"));
	sql(su, "UPDATE handoff SET ack_due_at = now() - interval '90 minutes'"
	        " WHERE id = '00000000-0000-4000-8000-00000000d001'");
	CHECK(strstr(signal(c, "dropped-baton"), "handoff support → success \"question\" (normal) not acknowledged,"
	                                         " 1h 30m past its SLA") != NULL);
	CHECK_STR(sql(ana, "SELECT array_to_string(teams, ',') FROM baton_signals(%lld) WHERE kind = 'dropped-baton'", c),
	          "success");
	/* Acknowledged late is no dropped baton. */
	sql(su, "UPDATE handoff SET state = 'acknowledged', acknowledged_at = now(), acknowledged_by = 'ben'"
	        " WHERE id = '00000000-0000-4000-8000-00000000d001'");
	CHECK(!raised(c, "dropped-baton"));
}

static void test_repeating_themselves(void)
{
	/* The same problem 20 days after it was solved. */
	long long c = customer("Loop Ltda", "'done'");
	long long old = ticket(c, "Login loop after SSO change", "solved", "high", "bug", "20 days");
	long long again = ticket(c, "Login loop after SSO change - again", "open", "high", "bug", "0");
	char want[160];
	snprintf(want, sizeof want, "#%lld \"Login loop after SSO change - again\" opened", again);
	CHECK(strstr(signal(c, "repeating-themselves"), want) != NULL);
	snprintf(want, sizeof want, "days after the same problem #%lld was solved", old);
	CHECK(strstr(signal(c, "repeating-themselves"), want) != NULL);

	/* Half a day outside the 30 days; another topic. */
	long long d = customer("Loop Long Ago Ltda", "'done'");
	ticket(d, "Login loop after SSO change", "solved", "high", "bug", "30 days 12 hours");
	ticket(d, "Login loop after SSO change - again", "open", "high", "bug", "0");
	CHECK(!raised(d, "repeating-themselves"));
	long long e = customer("Other Topic Ltda", "'done'");
	ticket(e, "Login loop after SSO change", "solved", "high", "bug", "5 days");
	ticket(e, "Export to CSV drops accents", "open", "high", "bug", "0");
	CHECK(!raised(e, "repeating-themselves"));

	/* Reopened: solved, then opened again. */
	long long t = ticket(e, "Webhook retries", "solved", "normal", "question", "3 days");
	CHECK(!raised(e, "repeating-themselves"));
	sql(su, "UPDATE ticket SET status = 'open', solved_at = NULL WHERE id = %lld", t);
	CHECK(strstr(signal(e, "repeating-themselves"), "\"Webhook retries\" reopened") != NULL);
	CHECK_STR(sql(su, "SELECT reopened_at > now() - interval '1 hour' FROM ticket WHERE id = %lld", t), "t");
	/* Reopened by an import of a newer export: when the helpdesk's record
	 * says (its updated_at), not when it was imported (151); not before the
	 * solve it undoes, nor after now. */
	long long u = ticket(e, "Invoice PDF blank", "solved", "normal", "question", "60 days");
	sql(su, "UPDATE ticket SET status = 'open', solved_at = NULL, updated_at = now() - interval '50 days'"
	        " WHERE id = %lld", u);
	CHECK_STR(sql(su, "SELECT reopened_at = updated_at AND reopens = 1 FROM ticket WHERE id = %lld", u), "t");
	CHECK(strstr(signal(e, "repeating-themselves"), "\"Invoice PDF blank\" reopened") != NULL);
	long long v = ticket(e, "Dashboard empty", "solved", "normal", "question", "10 days");
	const char *solved = sql(su, "SELECT solved_at FROM ticket WHERE id = %lld", v);
	char solved_at[64];
	snprintf(solved_at, sizeof solved_at, "%s", solved);
	sql(su, "UPDATE ticket SET status = 'open', solved_at = NULL, updated_at = now() - interval '20 days'"
	        " WHERE id = %lld", v);
	CHECK_STR(sql(su, "SELECT reopened_at = '%s' FROM ticket WHERE id = %lld", solved_at, v), "t");
	long long w = ticket(e, "Search slow", "solved", "normal", "question", "10 days");
	sql(su, "UPDATE ticket SET status = 'open', solved_at = NULL, updated_at = now() + interval '2 days'"
	        " WHERE id = %lld", w);
	CHECK_STR(sql(su, "SELECT reopened_at <= now() AND reopened_at > now() - interval '1 hour' FROM ticket"
	                  " WHERE id = %lld", w), "t");

	/* Three alike within the days: two are not enough. */
	long long f = customer("Three Times Ltda", "'done'");
	ticket(f, "Report export times out", "open", "normal", "bug", "9 days");
	ticket(f, "Report export times out again", "open", "normal", "bug", "5 days");
	CHECK(!raised(f, "repeating-themselves"));
	ticket(f, "Report export times out (third time)", "open", "normal", "bug", "1 day");
	CHECK(strstr(signal(f, "repeating-themselves"), "3 tickets like #") != NULL);
}

static void test_voice_falling(void)
{
	long long c = customer("Unhappy Inc", "'done'");
	sql(su, "INSERT INTO survey_response (customer_id, kind, score, responded_at) VALUES"
	        " (%lld, 'nps', 9, now() - interval '60 days'), (%lld, 'nps', 7, now() - interval '2 days')", c, c);
	CHECK(!raised(c, "voice-falling")); /* two points: under the three of signal_nps_drop */
	sql(su, "INSERT INTO survey_response (customer_id, kind, score, comment, responded_at)"
	        " VALUES (%lld, 'nps', 3, 'Nobody answers', now() - interval '1 day')", c);
	CHECK(strstr(signal(c, "voice-falling"), "NPS fell from 7 to 3 on ") != NULL);
	CHECK(strstr(signal(c, "voice-falling"), "\"Nobody answers\"") != NULL);

	/* A detractor alone is no signal, until a campaign is scheduled. */
	long long d = customer("Detractor Inc", "'done'");
	sql(su, "INSERT INTO survey_response (customer_id, kind, score, responded_at)"
	        " VALUES (%lld, 'nps', 4, now() - interval '1 day')", d);
	CHECK(!raised(d, "voice-falling"));
	scheduled(d, "Add more seats", "upsell", "4 days");
	CHECK(strstr(signal(d, "voice-falling"), "NPS 4 on ") != NULL);
	CHECK(strstr(signal(d, "voice-falling"), "while upsell \"Add more seats\" scheduled") != NULL);
}

/* baton_campaign_hold as `who`: "done already held message" or the error. */
static const char *hold(PGconn *who, const char *id, long long event, const char *action, const char *comment)
{
	static char out[1024];
	PGresult *r;
	struct signal_write w;
	struct signal_params sp;
	struct db_stmt st;
	char err[512];
	signal_write_init(&w, event, action, comment);
	snprintf(w.id, sizeof w.id, "%s", id);
	signal_hold_stmt(&w, &sp, &st);
	r = db_exec(who, st.sql, st.nparams, st.params, err, sizeof err);
	if (!r)
		snprintf(out, sizeof out, "ERROR %s", err);
	else
		snprintf(out, sizeof out, "%s %s %s %s", PQgetvalue(r, 0, SW_DONE), PQgetvalue(r, 0, SW_ALREADY),
		         PQgetvalue(r, 0, SW_STATE), PQgetvalue(r, 0, SW_MESSAGE));
	PQclear(r);
	return out;
}

static void test_holds(void)
{
	long long c = customer("Held SAS", "'done'");
	ticket(c, "Refund please", "open", "normal", "billing", "1 day");
	long long e = scheduled(c, "Go Pro", "upsell", "5 days");
	CHECK(raised(c, "campaign-during-complaint"));

	/* Marketing holds it; the retry is recognised, another hold refused. */
	const char *h1 = "00000000-0000-4000-8000-0000000000b1";
	CHECK_STR(hold(mia, h1, e, "hold", "refund first"), "t f t done");
	CHECK_STR(hold(mia, h1, e, "hold", "refund first"), "t t t already recorded");
	CHECK(strstr(hold(mia, "00000000-0000-4000-8000-0000000000b2", e, "hold", "me too"),
	             "f f t it is already held, by mia at ") != NULL);
	/* An entry id is one write: not ana's, not a release, not another send's. */
	CHECK(strstr(hold(ana, h1, e, "hold", "refund first"),
	             "ERROR entry 00000000-0000-4000-8000-0000000000b1 already exists and was recorded"
	             " by someone else") != NULL);
	CHECK(strstr(hold(mia, h1, e, "release", "refund first"), "recorded by someone else") != NULL);
	CHECK_STR(sql(su, "SELECT held_by FROM marketing_event WHERE id = %lld", e), h1);
	CHECK_STR(sql(su, "SELECT count(*) FROM campaign_hold WHERE event_id = %lld", e), "1");
	/* Held: no crossed signal any more, but in the suppression list as held. */
	CHECK(!raised(c, "campaign-during-complaint"));
	CHECK_STR(sql(mia, "SELECT held || ' ' || held_by || ' ' || hold_comment FROM baton_suppression(%lld)"
	                   " WHERE event_id = %lld", c, e), "true mia refund first");

	/* Only scheduled sends; only allowed teams, unless the setting says. */
	long long sent = num(sql(su, "INSERT INTO marketing_event (customer_id, campaign, kind, status, sent_at)"
	                             " VALUES (%lld, 'Old', 'newsletter', 'sent', now()) RETURNING id", c));
	CHECK_STR(hold(mia, "00000000-0000-4000-8000-0000000000b3", sent, "hold", "late"),
	          "f f f only a scheduled send can be held: this one is sent");
	long long e2 = scheduled(c, "Add seats", "upsell", "6 days");
	CHECK(strstr(hold(mia, h1, e2, "hold", "refund first"), "recorded by someone else") != NULL);
	CHECK_STR(sql(su, "SELECT held_by IS NULL FROM marketing_event WHERE id = %lld", e2), "t");
	const char *refused = hold(ana, "00000000-0000-4000-8000-0000000000b4", e2, "hold", "refunded");
	CHECK(strstr(refused, "only marketing may hold or release a campaign send, not ana (team support)") != NULL);
	CHECK_STR(sql(su, "SELECT baton_setting_set('campaign_hold_teams', 'marketing,support')"), "t");
	CHECK_STR(hold(ana, "00000000-0000-4000-8000-0000000000b4", e2, "hold", "refunded"), "t f t done");
	CHECK(strstr(hold(ana, "00000000-0000-4000-8000-0000000000b5", e2, "hold", ""), "ERROR the comment is empty") != NULL);

	/* Release: the history keeps both entries, unchangeable. */
	CHECK_STR(hold(mia, "00000000-0000-4000-8000-0000000000b6", e, "release", "refund done"), "t f f done");
	CHECK_STR(hold(mia, "00000000-0000-4000-8000-0000000000b7", e, "release", "again"), "f f f it is not held");
	CHECK_STR(sql(su, "SELECT string_agg(action || ':' || actor, ',' ORDER BY at) FROM campaign_hold"
	                  " WHERE event_id = %lld", e), "hold:mia,release:mia");
	CHECK_STR(sql(su, "SELECT held_by IS NULL FROM marketing_event WHERE id = %lld", e), "t");
	CHECK(raised(c, "campaign-during-complaint"));
	CHECK(!strncmp(sql(su, "DELETE FROM campaign_hold WHERE event_id = %lld", e), "ERROR", 5));
	CHECK(!strncmp(sql(ana, "INSERT INTO campaign_hold (id, event_id, customer_id, action, comment)"
	                        " VALUES (gen_random_uuid(), %lld, %lld, 'hold', 'x')", e, c), "ERROR", 5));
	CHECK_STR(sql(su, "SELECT baton_setting_set('campaign_hold_teams', 'marketing')"), "t");
}

/* baton_signal_ack as ana: "done already message". */
static const char *ack(const char *id, long long cust, const char *kind, const char *comment)
{
	static char out[1024];
	struct signal_write w;
	struct signal_params sp;
	struct db_stmt st;
	char err[512];
	signal_write_init(&w, cust, kind, comment);
	snprintf(w.id, sizeof w.id, "%s", id);
	signal_ack_stmt(&w, &sp, &st);
	PGresult *r = db_exec(ana, st.sql, st.nparams, st.params, err, sizeof err);
	if (!r)
		snprintf(out, sizeof out, "ERROR %s", err);
	else
		snprintf(out, sizeof out, "%s %s %s", PQgetvalue(r, 0, SW_DONE), PQgetvalue(r, 0, SW_ALREADY),
		         PQgetvalue(r, 0, SW_MESSAGE));
	PQclear(r);
	return out;
}

/* A send scheduled long ago and never marked sent (an import's scheduled
 * record, its send come through another source): news as a send at its
 * time would be, for signal_sent_days after it, then no more (150).  Before,
 * April's upsell raised a HIGH outreach signal in December. */
static void test_scheduled_send_past(void)
{
	long long c = customer("Stale Plans AB", "'done'");
	long long old = scheduled(c, "April upsell", "upsell", "-30 days");
	ticket(c, "Charged twice", "open", "high", "billing", "1 day");
	sql(su, "INSERT INTO handoff (id, customer_id, from_team, to_team, reason, note, ack_due_at)"
	        " VALUES ('00000000-0000-4000-8000-00000000e150', %lld, 'support', 'success', 'escalation',"
	        " 'angry', now() + interval '1 day')", c);
	CHECK(!raised(c, "outreach-during-escalation"));
	CHECK(!raised(c, "campaign-during-complaint"));
	/* Two days past its time it is news, until seven days after it. */
	long long recent = scheduled(c, "Renew early", "renewal", "-2 days");
	CHECK(strstr(signal(c, "outreach-during-escalation"), "renewal \"Renew early\" scheduled") != NULL);
	CHECK(strstr(signal(c, "campaign-during-complaint"), "renewal \"Renew early\" scheduled") != NULL);
	CHECK_STR(sql(su, "SELECT string_agg(DISTINCT (s.until = m.scheduled_at + interval '7 days')::text, ',')"
	                  " FROM customer_signal s, marketing_event m WHERE s.customer_id = %lld AND m.id = %lld"
	                  " AND s.kind IN ('outreach-during-escalation', 'campaign-during-complaint')", c, recent),
	          "true");
	CHECK(strstr(signal(c, "outreach-during-escalation"), "April upsell") == NULL);
	/* Marketing's list of sends to customers in trouble: the one still news,
	 * not April's (it led the list, which goes by the time a send goes out). */
	char want[64];
	snprintf(want, sizeof want, "%lld", recent);
	CHECK_STR(sql(mia, "SELECT string_agg(event_id::text, ',') FROM baton_suppression(%lld)", c), want);
	CHECK_STR(sql(mia, "SELECT string_agg(event_id::text, ',') FROM baton_suppression_page(100)"
	                   " WHERE customer_id = %lld", c), want);
	/* Held, it stays on the list whatever its time: a person's hold, which
	 * only a release ends. */
	CHECK_STR(hold(mia, "00000000-0000-4000-8000-0000000001b5", old, "hold", "not after the escalation"),
	          "t f t done");
	snprintf(want, sizeof want, "%lld,%lld", old, recent);
	CHECK_STR(sql(mia, "SELECT string_agg(event_id::text, ',' ORDER BY scheduled_at) FROM baton_suppression(%lld)",
	              c), want);
	CHECK_STR(sql(mia, "SELECT string_agg(event_id::text, ',' ORDER BY scheduled_at) FROM baton_suppression_page(100)"
	                   " WHERE customer_id = %lld", c), want);
	/* A detractor while a send is scheduled: not April's either. */
	long long d = customer("Stale Detractor", "'done'");
	sql(su, "INSERT INTO survey_response (customer_id, kind, score, responded_at)"
	        " VALUES (%lld, 'nps', 4, now() - interval '1 day')", d);
	scheduled(d, "April seats", "upsell", "-30 days");
	CHECK(!raised(d, "voice-falling"));
	/* signal_sent_days is the window of this kind too: 40 days, and April's
	 * send is news again; 7, and it is not, in every list that reads the
	 * cache (the change recomputes the kind). */
	CHECK_STR(sql(su, "SELECT baton_setting_set('signal_sent_days', '40')"), "t");
	CHECK(strstr(signal(d, "voice-falling"), "while upsell \"April seats\" scheduled") != NULL);
	CHECK_STR(sql(ana, "SELECT count(*) FROM baton_signal_list(NULL, NULL, NULL, NULL, NULL, false)"
	                   " WHERE customer_id = %lld AND kind = 'voice-falling'", d), "1");
	CHECK_STR(sql(su, "SELECT baton_setting_set('signal_sent_days', '7')"), "t");
	CHECK_STR(sql(ana, "SELECT count(*) FROM baton_signal_list(NULL, NULL, NULL, NULL, NULL, false)"
	                   " WHERE customer_id = %lld AND kind = 'voice-falling'", d), "0");
	CHECK(!raised(d, "voice-falling"));
	scheduled(d, "Add more seats", "upsell", "-1 day");
	CHECK(strstr(signal(d, "voice-falling"), "while upsell \"Add more seats\" scheduled") != NULL);
}

static void test_ack(void)
{
	long long c = customer("Acked BV", "'done'");
	ticket(c, "Charged twice", "open", "normal", "complaint", "1 day");
	scheduled(c, "Monthly news", "newsletter", "3 days");
#define LISTED "SELECT count(*) FROM baton_signal_list('campaign-during-complaint', NULL, NULL, NULL, %lld, false)"
	CHECK_STR(sql(ana, LISTED, c), "1");
	CHECK(strstr(ack("00000000-0000-4000-8000-0000000000c1", c, "dropped-baton", "seen"),
	             "f f customer ") != NULL); /* no such signal now */
	CHECK_STR(ack("00000000-0000-4000-8000-0000000000c2", c, "campaign-during-complaint",
	              "marketing informed, send paused"), "t f done");
	CHECK_STR(ack("00000000-0000-4000-8000-0000000000c2", c, "campaign-during-complaint",
	              "marketing informed, send paused"), "t t already recorded");
	/* An entry id is one acknowledgement: not of another kind, nor anyone else's. */
	CHECK(strstr(ack("00000000-0000-4000-8000-0000000000c2", c, "voice-falling", "seen"),
	             "ERROR entry 00000000-0000-4000-8000-0000000000c2 already exists and was recorded"
	             " by someone else") != NULL);
	CHECK(strstr(sql(mia, "SELECT message FROM baton_signal_ack('00000000-0000-4000-8000-0000000000c2',"
	                      " %lld, 'campaign-during-complaint', 'mine')", c), "recorded by someone else") != NULL);
	CHECK_STR(sql(su, "SELECT count(*) FROM signal_ack WHERE customer_id = %lld", c), "1");
	CHECK_STR(sql(ana, LISTED, c), "0");
	CHECK_STR(sql(ana, "SELECT acked_by || ': ' || ack_comment FROM baton_signals(%lld)"
	                   " WHERE kind = 'campaign-during-complaint'", c), "ana: marketing informed, send paused");
	/* New facts, a new send: the signal is back. */
	scheduled(c, "Webinar", "webinar", "4 days");
	CHECK_STR(sql(ana, LISTED, c), "1");
	CHECK(!strncmp(sql(su, "UPDATE signal_ack SET comment = 'x' WHERE customer_id = %lld", c), "ERROR", 5));
	CHECK(strstr(ack("00000000-0000-4000-8000-0000000000c3", c, "no-such-kind", "x"),
	             "ERROR unknown kind of signal") != NULL);
#undef LISTED
}

/* The cache's rows of a customer's kind, and the customer's pending marks,
 * as the owner sees them. */
static const char *cached(long long cust, const char *kind)
{
	return sql(su, "SELECT count(*) FROM customer_signal WHERE customer_id = %lld AND kind = '%s'", cust, kind);
}

static long long marks(long long cust)
{
	return num(sql(su, "SELECT count(*) FROM signal_dirty WHERE customer_id = %lld", cust));
}

static void test_cache_follows_writes(void)
{
	long long c = customer("Cached Sp. z o.o.", "'done'");
	scheduled(c, "Spring news", "newsletter", "4 days");
	CHECK(!raised(c, "campaign-during-complaint"));
	CHECK_STR(cached(c, "campaign-during-complaint"), "0");

	/* A new urgent ticket: marked by the write, computed by the next reader
	 * and kept. */
	long long t = ticket(c, "Checkout is down", "open", "urgent", "bug", "1 hour");
	CHECK(marks(c) > 0);
	CHECK(raised(c, "campaign-during-complaint"));
	CHECK(marks(c) == 0);
	CHECK_STR(cached(c, "campaign-during-complaint"), "1");

	/* Solved: gone from the screen and from the cache. */
	sql(su, "UPDATE ticket SET status = 'solved', solved_at = now() WHERE id = %lld", t);
	CHECK(!raised(c, "campaign-during-complaint"));
	CHECK_STR(cached(c, "campaign-during-complaint"), "0");

	/* One statement writing for two customers (an import) marks both; the
	 * list for everyone computes them. */
	long long d = customer("Bulk One SA", "'done'");
	long long e = customer("Bulk Two SA", "'done'");
	long long ed = scheduled(d, "Go Pro", "upsell", "5 days");
	scheduled(e, "Go Pro", "upsell", "5 days");
	sql(su, "INSERT INTO ticket (customer_id, subject, status, priority, category)"
	        " SELECT x, 'Outage', 'open', 'urgent', 'bug' FROM unnest(ARRAY[%lld, %lld]::bigint[]) x", d, e);
#define LISTED2 "SELECT count(*) FROM baton_signal_list('campaign-during-complaint', NULL, NULL, NULL, NULL, false)" \
                " WHERE customer_id IN (%lld, %lld)"
	CHECK_STR(sql(ana, LISTED2, d, e), "2");
	CHECK(marks(d) == 0 && marks(e) == 0);

	/* Held: the send is no crossed signal any more, in the list too. */
	CHECK_STR(hold(mia, "00000000-0000-4000-8000-0000000000f1", ed, "hold", "outage first"), "t f t done");
	CHECK_STR(sql(ana, LISTED2, d, e), "1");
	CHECK_STR(cached(d, "campaign-during-complaint"), "0");
#undef LISTED2
}

/* An SLA passes with nobody writing anything: the cached "not late yet"
 * holds until the handoff's deadline (valid_until), then the next reader
 * computes it again.  No sleep: ana's transaction began before the
 * deadline (now() is its start), her next one after it. */
static void test_cache_follows_the_clock(void)
{
	long long c = customer("Clockwork AB", "NULL");
	sql(ana, "BEGIN");
	sql(su, "INSERT INTO handoff (id, customer_id, from_team, to_team, reason, note, ack_due_at)"
	        " VALUES ('00000000-0000-4000-8000-00000000d101', %lld, 'support', 'success', 'question',"
	        " 'due a moment from now', clock_timestamp())", c);
	CHECK_STR(sql(ana, "SELECT count(*) FROM baton_signals(%lld) WHERE kind = 'dropped-baton'", c), "0");
	CHECK_STR(sql(ana, "COMMIT"), "");
	CHECK_STR(cached(c, "dropped-baton"), "0");
	CHECK_STR(sql(su, "SELECT valid_until = (SELECT ack_due_at FROM handoff"
	                  " WHERE id = '00000000-0000-4000-8000-00000000d101')"
	                  " FROM customer_signal_state WHERE customer_id = %lld", c), "t");
	CHECK(marks(c) == 0); /* nothing written since */
	CHECK(strstr(signal(c, "dropped-baton"), "not acknowledged, 0m past its SLA") != NULL);
	CHECK_STR(cached(c, "dropped-baton"), "1");
}

/* A rule changed by an administrator: the change only counts a generation
 * (migration 024), and the next read of the customer computes it under the
 * new rule and keeps it (test_signal_refill: every list, and the catching
 * up). */
static void test_cache_follows_the_rules(void)
{
	long long c = customer("Rules Oy", "'done'");
	ticket(c, "Refund for the March invoice", "open", "normal", "billing", "1 day");
	sql(su, "INSERT INTO marketing_event (customer_id, campaign, kind, status, sent_at)"
	        " VALUES (%lld, 'March news', 'newsletter', 'sent', now() - interval '5 days')", c);
	CHECK(raised(c, "campaign-during-complaint"));
	CHECK_STR(cached(c, "campaign-during-complaint"), "1");
	/* Sends are news for 3 days instead of 7: the one of 5 days ago is not. */
	CHECK_STR(sql(su, "SELECT baton_setting_set('signal_sent_days', '3')"), "t");
	CHECK(!raised(c, "campaign-during-complaint"));
	CHECK_STR(cached(c, "campaign-during-complaint"), "0");
	CHECK_STR(sql(su, "SELECT baton_setting_set('signal_sent_days', '7')"), "t");
	CHECK(raised(c, "campaign-during-complaint"));
	CHECK_STR(cached(c, "campaign-during-complaint"), "1");
}

static void test_cache_concurrency(void)
{
	long long c = customer("Twice Read GmbH", "'done'");
	scheduled(c, "Go Pro", "upsell", "5 days");
	ticket(c, "Site down", "open", "urgent", "bug", "1 hour");
#define COMPLAINT "SELECT explanation || ' | ' || array_to_string(refs, ' ') FROM baton_signals(%lld)" \
                  " WHERE kind = 'campaign-during-complaint'"
	/* ana computes it in a transaction she keeps open: she holds it.  mia
	 * reads it meanwhile: she waits for ana's computation at most 2 s
	 * (088; her own lock timeout would make a longer wait an error), then
	 * computes it for her read: no error, the same facts. */
	CHECK_STR(sql(ana, "BEGIN"), "");
	char seen[1024];
	snprintf(seen, sizeof seen, "%s", sql(ana, COMPLAINT, c));
	CHECK(strstr(seen, "upsell \"Go Pro\" scheduled") != NULL);
	CHECK_STR(sql(mia, "SET lock_timeout = '30s'"), "");
	CHECK_STR(sql(mia, COMPLAINT, c), seen);
	CHECK_STR(sql(mia, "SELECT count(*) FROM baton_signal_list(NULL, NULL, NULL, NULL, %lld, false)", c), "1");

	/* A write committed while ana's refresh is still open is not lost when
	 * she commits: its own mark stays for the next reader. */
	long long t2 = ticket(c, "Refund please", "open", "normal", "billing", "10 minutes");
	CHECK_STR(sql(ana, "COMMIT"), "");
	CHECK(marks(c) > 0);
	char ref[64];
	snprintf(ref, sizeof ref, "ticket:%lld", t2);
	CHECK(strstr(sql(mia, COMPLAINT, c), ref) != NULL);
	CHECK(strstr(sql(mia, COMPLAINT, c), "(+1 more)") != NULL);

	/* A read-only transaction cannot keep what it computes: it computes it
	 * for itself and leaves the mark. */
	long long t3 = ticket(c, "Unhappy with the outage", "open", "normal", "complaint", "5 minutes");
	CHECK_STR(sql(ana, "BEGIN READ ONLY"), "");
	CHECK(strstr(sql(ana, COMPLAINT, c), "(+2 more)") != NULL);
	CHECK_STR(sql(ana, "COMMIT"), "");
	CHECK(marks(c) > 0);
	snprintf(ref, sizeof ref, "ticket:%lld", t3);
	CHECK(strstr(sql(ana, COMPLAINT, c), ref) != NULL);
	CHECK(marks(c) == 0);
#undef COMPLAINT

	/* Two lists refreshing every customer at once both answer, alike. */
	sql(su, "INSERT INTO signal_dirty (customer_id) SELECT id FROM customer");
	const char *list = "SELECT count(*), md5(string_agg(customer_id || kind || explanation, ',' ORDER BY customer_id, kind))"
	                   " FROM baton_signal_list(NULL, NULL, NULL, NULL, NULL, true)";
	CHECK(PQsendQuery(ana, list) == 1);
	CHECK(PQsendQuery(mia, list) == 1);
	char got[2][128] = {"", ""};
	PGconn *who[2] = {ana, mia};
	for (int i = 0; i < 2; i++) {
		PGresult *r;
		while ((r = PQgetResult(who[i])) != NULL) {
			if (PQresultStatus(r) == PGRES_TUPLES_OK)
				snprintf(got[i], sizeof got[i], "%s %s", PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 1));
			else
				printf("    %s", PQresultErrorMessage(r));
			PQclear(r);
		}
	}
	CHECK(got[0][0] != '\0' && got[0][0] != '0');
	CHECK_STR(got[1], got[0]);
	CHECK_STR(sql(su, "SELECT count(*) FROM signal_dirty"), "0");
}

int main(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	const char *db = itest_newdb("baton_demo");
	su = itest_connect(db, NULL);
	ana = itest_connect(db, "ana");
	mia = itest_connect(db, "mia");
	RUN(test_campaign_during_complaint);
	RUN(test_outreach_during_escalation);
	RUN(test_outreach_across_a_merge);
	RUN(test_on_track_but_burning);
	RUN(test_dropped_baton);
	RUN(test_repeating_themselves);
	RUN(test_voice_falling);
	RUN(test_scheduled_send_past);
	RUN(test_holds);
	RUN(test_ack);
	RUN(test_cache_follows_writes);
	RUN(test_cache_follows_the_clock);
	RUN(test_cache_follows_the_rules);
	RUN(test_cache_concurrency);
	PQfinish(mia);
	PQfinish(ana);
	PQfinish(su);
	return check_done();
}
