/* Integration tests for the shared rules in the database (migration 006)
 * and for writes that cannot lie, as psql would show them: the server
 * functions called directly by the demo's staff roles, whatever a client
 * sends.  ana (Support), ben (Success), lee (Success lead), sam (Support
 * lead), maja (Onboarding lead), mia (Marketing); an administrator role
 * made here, a member of baton_admin but not on the staff. */
#include <libpq-fe.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "itest.h"

static const char *db;
static PGconn *su, *admin, *ana, *ben, *lee, *sam, *maja, *mia;
static char admin_role[64];

/* Short names for itest.h's helpers. */
#define val itest_valuef
#define is_error itest_is_error

/* A handoff by c to Northwind's team with reason, priority and note, as a
 * client would call the function; its id (static) or the error text. */
static const char *create(PGconn *c, const char *team, const char *reason, const char *priority,
                          const char *note)
{
	static char out[1100];
	char id[64];
	snprintf(id, sizeof id, "%s", val(su, "SELECT gen_random_uuid()"));
	const char *v = val(c, "SELECT created FROM baton_handoff_create('%s', gen_random_uuid(), 1, '%s',"
	                       " NULL, '%s', '%s', NULL, '%s')", id, team, reason, priority, note);
	snprintf(out, sizeof out, "%s", strcmp(v, "t") == 0 ? id : v);
	return out;
}

/* A step as the client sends it: "done|already|state|version|message". */
static const char *step(PGconn *c, const char *id, const char *event, const char *kind,
                        const char *version, const char *comment, const char *team)
{
	return val(c, "SELECT concat_ws('|', done, already, state, version, message) FROM baton_handoff_step("
	              "'%s', %s, '%s', %s, %s, %s)", id, event, kind, comment, version, team);
}

static long long handoffs(void)
{
	return atoll(val(su, "SELECT count(*) FROM handoff"));
}

/* --- the server refuses what the rules forbid -------------------------------- */

static void test_server_refuses_unknown_reason_priority_and_long_note(void)
{
	long long before = handoffs();
	const char *v = create(ana, "success", "gossip", "high", "a note");
	CHECK(is_error(v, "unknown reason \"gossip\": the reasons are escalation, renewal risk"));
	v = create(ana, "success", "escalation", "critical", "a note");
	CHECK(is_error(v, "unknown priority \"critical\""));
	v = create(ana, "success", "escalation", "high", " \t ");
	CHECK(is_error(v, "the note is empty"));
	/* The largest note is the table's: 16384 bytes by default. */
	char note[16386];
	memset(note, 'x', sizeof note - 1);
	note[sizeof note - 1] = '\0';
	v = create(ana, "success", "escalation", "high", note);
	CHECK(is_error(v, "the note is 16385 bytes, more than the largest of 16384 bytes"));
	CHECK(handoffs() == before);
	note[16384] = '\0';
	v = create(ana, "success", "escalation", "high", note);
	CHECK(strncmp(v, "ERROR", 5) != 0);
	CHECK(handoffs() == before + 1);
}

/* The client cannot send its own deadline: the signature that took one is
 * gone, and the deadline is the server's. */
static void test_client_cannot_set_the_deadline(void)
{
	long long before = handoffs();
	const char *v = val(ana, "SELECT * FROM baton_handoff_create(gen_random_uuid(), gen_random_uuid(), 1,"
	                         " 'success', NULL, 'escalation', 'urgent', NULL, 'mine in a year', 525600)");
	CHECK(is_error(v, "does not exist"));
	v = val(ana, "SELECT * FROM baton_handoff_step(gen_random_uuid(), gen_random_uuid(), 'commented',"
	             " 'x', NULL, NULL, NULL, 525600)");
	CHECK(is_error(v, "does not exist"));
	CHECK(handoffs() == before);
	const char *id = create(ana, "success", "escalation", "urgent", "deadline check");
	CHECK_STR(val(su, "SELECT round(extract(epoch FROM ack_due_at - created_at) / 60) FROM handoff"
	                  " WHERE id = '%s'", id), "60");
}

static void test_settings_changes_need_an_admin(void)
{
	const char *calls[] = {
		"SELECT baton_setting_set('max_note_bytes', '100')",
		"SELECT baton_reason_add('refund')",
		"SELECT baton_reason_remove('escalation')",
		"SELECT baton_sla_set('urgent', 1, NULL)",
		"SELECT baton_sla_set('urgent', 1, 'support')",
	};
	PGconn *who[] = {ana, lee};
	for (size_t w = 0; w < 2; w++)
		for (size_t i = 0; i < sizeof calls / sizeof *calls; i++)
			CHECK(is_error(val(who[w], "%s", calls[i]), "only an administrator can change the settings"));
	/* Nor around the functions. */
	CHECK(is_error(val(lee, "UPDATE baton_setting SET value = '100' WHERE key = 'max_note_bytes'"),
	               "permission denied"));
	CHECK(is_error(val(lee, "INSERT INTO handoff_reason VALUES ('refund', 9)"), "permission denied"));
	CHECK(is_error(val(lee, "DELETE FROM ack_sla_team"), "permission denied"));
	/* Staff read them; nothing changed. */
	CHECK_STR(val(ana, "SELECT value FROM baton_setting WHERE key = 'max_note_bytes'"), "16384");
	CHECK_STR(val(ana, "SELECT count(*) FROM handoff_reason"), "6");
	CHECK_STR(val(ana, "SELECT minutes FROM ack_sla WHERE priority = 'urgent'"), "60");
	CHECK_STR(val(su, "SELECT count(*) FROM ack_sla_team"), "0");
	CHECK_STR(val(su, "SELECT count(*) FROM baton_audit WHERE entity IN"
	                  " ('baton_setting', 'handoff_reason', 'ack_sla', 'ack_sla_team')"), "0");
}

/* An administrator's change applies to the very next write, on
 * connections that were open before it; and the audit log has it. */
static void test_admin_changes_apply_to_the_next_write(void)
{
	CHECK(is_error(create(ana, "success", "refund", "high", "money back"), "unknown reason"));
	CHECK_STR(val(admin, "SELECT baton_reason_add('refund')"), "t");
	CHECK_STR(val(admin, "SELECT baton_reason_add('refund')"), "f");
	const char *id = create(ana, "success", "refund", "high", "money back");
	CHECK(strncmp(id, "ERROR", 5) != 0);

	CHECK_STR(val(admin, "SELECT baton_sla_set('high', 30, 'success')"), "t");
	id = create(ana, "success", "escalation", "high", "fast team");
	CHECK_STR(val(su, "SELECT round(extract(epoch FROM ack_due_at - created_at) / 60) FROM handoff"
	                  " WHERE id = '%s'", id), "30");
	id = create(ben, "support", "escalation", "high", "other team");
	CHECK_STR(val(su, "SELECT round(extract(epoch FROM ack_due_at - created_at) / 60) FROM handoff"
	                  " WHERE id = '%s'", id), "240");

	CHECK_STR(val(admin, "SELECT baton_setting_set('max_note_bytes', '100')"), "t");
	char note[102];
	memset(note, 'y', 101);
	note[101] = '\0';
	CHECK(is_error(create(ana, "success", "escalation", "high", note), "more than the largest of 100 bytes"));
	CHECK(is_error(val(admin, "SELECT baton_setting_set('max_note_bytes', '63')"),
	               "max_note_bytes takes a number of bytes from 64 to 65536, not \"63\""));
	CHECK(is_error(val(admin, "SELECT baton_setting_set('colour', 'red')"), "unknown setting \"colour\""));
	CHECK(is_error(val(admin, "SELECT baton_reason_add('Bad!')"), "a reason is 1-40 lower-case"));
	CHECK_STR(val(admin, "SELECT baton_setting_set('max_note_bytes', '16384')"), "t");

	/* A reassignment restarts the clock by the new team's SLA, computed by
	 * the server from the handoff's own priority. */
	CHECK_STR(val(admin, "SELECT baton_sla_set('high', 45, 'support')"), "t");
	id = create(ana, "success", "escalation", "high", "to move");
	char moved[64];
	snprintf(moved, sizeof moved, "%s", id);
	CHECK(strncmp(step(lee, moved, "gen_random_uuid()", "reassigned", "1", "'back to you'", "'support'"),
	              "t|f|open|2", 10) == 0);
	CHECK_STR(val(su, "SELECT round(extract(epoch FROM ack_due_at - now()) / 60) FROM handoff"
	                  " WHERE id = '%s'", moved), "45");

	/* Who changed what, from the audit log of 004. */
	CHECK_STR(val(su, "SELECT string_agg(DISTINCT actor, ',') FROM baton_audit WHERE entity IN"
	                  " ('baton_setting', 'handoff_reason', 'ack_sla', 'ack_sla_team')"), admin_role);
	CHECK_STR(val(su, "SELECT count(*) FROM baton_audit WHERE entity = 'ack_sla_team'"), "2");
	CHECK_STR(val(admin, "SELECT baton_sla_set('high', NULL, 'support')"), "t");
	CHECK_STR(val(admin, "SELECT baton_sla_set('high', NULL, 'success')"), "t");
	CHECK_STR(val(admin, "SELECT baton_reason_remove('refund')"), "t");
	CHECK(is_error(create(ana, "success", "refund", "high", "again"), "unknown reason"));
}

/* Every setting, whichever migration brought it, has its rule: nonsense
 * is refused in words, and a key nobody gave a rule cannot be written,
 * not even by the tables' owner. */
static void test_every_setting_has_its_rule(void)
{
	char keys[2048];
	snprintf(keys, sizeof keys, "%s", val(su, "SELECT string_agg(key, ',' ORDER BY key) FROM baton_setting"));
	CHECK(strstr(keys, "max_note_bytes") && strstr(keys, "onboarding_team") &&
	      strstr(keys, "campaign_hold_teams") && strstr(keys, "signal_voice_days") &&
	      strstr(keys, "import_max_join"));
	int n = 0;
	for (char *k = strtok(keys, ","); k; k = strtok(NULL, ","), n++)
		CHECK(is_error(val(admin, "SELECT baton_setting_set('%s', 'NOT VALID!')", k), "takes"));
	CHECK(n >= 20);
	CHECK(is_error(val(su, "INSERT INTO baton_setting (key, value, accepts, about)"
	                       " VALUES ('no_such_rule', 'x', 'anything', 'nothing')"),
	               "violates check constraint \"baton_setting_value\""));
	CHECK_STR(val(su, "SELECT count(*) FROM baton_setting WHERE key = 'no_such_rule'"), "0");
}

/* --- who may do what ------------------------------------------------------------- */

static void test_reassign_only_by_leads_of_either_team(void)
{
	char id[64];
	snprintf(id, sizeof id, "%s", create(ana, "success", "escalation", "normal", "who moves it"));
	const char *v = step(maja, id, "gen_random_uuid()", "reassigned", "NULL", "'x'", "'onboarding'");
	CHECK(strstr(v, "f|f|open|1|only a lead of the sending or receiving team (support, success)") == v);
	v = step(ben, id, "gen_random_uuid()", "reassigned", "NULL", "'x'", "'onboarding'");
	CHECK(strstr(v, "f|f|open|1|only a lead of the sending or receiving team") == v);
	v = step(ana, id, "gen_random_uuid()", "reassigned", "NULL", "'x'", "'onboarding'");
	CHECK(strstr(v, "f|f|open|1|") == v);
	/* The receiving team too, when the administrator says so. */
	CHECK_STR(val(admin, "SELECT baton_setting_set('reassign_by', 'leads-and-receivers')"), "t");
	v = step(ben, id, "gen_random_uuid()", "reassigned", "NULL", "'Onboarding knows'", "'onboarding'");
	CHECK(strncmp(v, "t|f|open|2", 10) == 0);
	CHECK_STR(val(admin, "SELECT baton_setting_set('reassign_by', 'leads')"), "t");
	/* Now from Support to Onboarding: sam leads the sending team. */
	v = step(sam, id, "gen_random_uuid()", "reassigned", "2", "'back to success'", "'success'");
	CHECK(strncmp(v, "t|f|open|3", 10) == 0);
}

static void test_comment_rules(void)
{
	char id[64];
	snprintf(id, sizeof id, "%s", create(ana, "success", "question", "low", "comments"));
	CHECK(strncmp(step(mia, id, "gen_random_uuid()", "commented", "NULL", "'from marketing'", "NULL"),
	              "t|f|open|1", 10) == 0);
	CHECK_STR(val(admin, "SELECT baton_setting_set('comment_by', 'teams')"), "t");
	const char *v = step(mia, id, "gen_random_uuid()", "commented", "NULL", "'again'", "NULL");
	CHECK(strstr(v, "f|f|open|1|only the sending or receiving team (support, success) can comment") == v);
	CHECK(strncmp(step(ben, id, "gen_random_uuid()", "commented", "NULL", "'receiver'", "NULL"),
	              "t|f|open|1", 10) == 0);
	CHECK(strncmp(step(ana, id, "gen_random_uuid()", "commented", "NULL", "'author'", "NULL"),
	              "t|f|open|1", 10) == 0);
	CHECK_STR(val(admin, "SELECT baton_setting_set('comment_by', 'staff')"), "t");
	CHECK_STR(val(su, "SELECT count(*) FROM handoff_event WHERE handoff_id = '%s' AND kind = 'commented'", id), "3");
}

/* Ben saw version 1 and goes to acknowledge; meanwhile lee comments.  The
 * comment does not make ben's acknowledgement stale. */
static void test_comment_keeps_a_pending_ack_valid(void)
{
	char id[64];
	snprintf(id, sizeof id, "%s", create(ana, "success", "escalation", "high", "ack after comment"));
	const char *seen = strdup(val(ben, "SELECT version FROM handoff WHERE id = '%s'", id));
	CHECK(strncmp(step(lee, id, "gen_random_uuid()", "commented", "NULL", "'ben, call them'", "NULL"),
	              "t|f|open|1", 10) == 0);
	const char *v = step(ben, id, "gen_random_uuid()", "acknowledged", seen, "NULL", "NULL");
	CHECK(strncmp(v, "t|f|acknowledged|2", 18) == 0);
	if (strncmp(v, "t|f|acknowledged|2", 18))
		printf("    %s\n", v);
	/* A real change still makes it stale, and says by whom: not the comment. */
	CHECK(strncmp(step(lee, id, "gen_random_uuid()", "commented", "1", "'thanks'", "NULL"), "t|f|acknowledged|2", 18) == 0);
	v = step(ben, id, "gen_random_uuid()", "resolved", seen, "NULL", "NULL");
	CHECK(strstr(v, "f|f|acknowledged|2|changed meanwhile: acknowledged by ben") == v);
	free((void *)seen);
}

/* A retried step with someone else's event id is theirs, never "already
 * recorded" for the retrier. */
static void test_event_id_of_someone_else_is_refused(void)
{
	char id[64], event[64], other[64];
	snprintf(id, sizeof id, "%s", create(ana, "success", "escalation", "high", "event ids"));
	snprintf(other, sizeof other, "%s", create(ana, "success", "question", "low", "another"));
	snprintf(event, sizeof event, "'%s'", val(su, "SELECT gen_random_uuid()"));
	CHECK(strncmp(step(ben, id, event, "acknowledged", "1", "NULL", "NULL"), "t|f|acknowledged|2", 18) == 0);
	/* Ben's own retry: already recorded. */
	CHECK(strncmp(step(ben, id, event, "acknowledged", "1", "NULL", "NULL"), "t|t|acknowledged|2", 18) == 0);
	const char *v = step(lee, id, event, "acknowledged", "1", "NULL", "NULL");
	CHECK(is_error(v, "already exists and was recorded by someone else"));
	v = step(lee, id, event, "resolved", "NULL", "NULL", "NULL");
	CHECK(is_error(v, "recorded by someone else"));
	/* Ben's event id on another handoff is not that one's either. */
	v = step(ben, other, event, "acknowledged", "1", "NULL", "NULL");
	CHECK(is_error(v, "recorded by someone else"));
	CHECK_STR(val(su, "SELECT state FROM handoff WHERE id = '%s'", other), "open");
	CHECK_STR(val(su, "SELECT count(*) FROM handoff_event WHERE handoff_id = '%s'", id), "2");
}

/* --- append-only tables: the server's ids and times ------------------------------ */

static void test_note_id_and_time_from_the_server(void)
{
	/* Staff write notes through baton_note_add (migration 007); a role
	 * given the right to insert them directly, as an import may be, still
	 * gets the server's id and time. */
	CHECK_STR(val(su, "GRANT INSERT ON success_note TO ana"), "");
	const char *v = val(ana, "INSERT INTO success_note (customer_id, body, created_at)"
	                         " VALUES (1, 'backdated', '2001-01-01') RETURNING created_at > now() - interval '1 minute'");
	CHECK_STR(v, "t");
	CHECK(is_error(val(ana, "INSERT INTO success_note (id, customer_id, body) VALUES (999999, 1, 'my id')"),
	               "non-DEFAULT"));
	CHECK(is_error(val(ana, "INSERT INTO success_note (id, customer_id, body) OVERRIDING SYSTEM VALUE"
	                        " VALUES (999999, 1, 'my id')"), "a success note gets its id from the server"));
	CHECK_STR(val(su, "SELECT count(*) FROM success_note WHERE id = 999999 OR created_at < '2002-01-01'"), "0");
	/* Several at once keep working. */
	CHECK_STR(val(ana, "WITH n AS (INSERT INTO success_note (customer_id, body)"
	                   " SELECT 1, 'bulk ' || g FROM generate_series(1, 3) g RETURNING id)"
	                   " SELECT count(DISTINCT id) FROM n"), "3");
	/* An event's time is the server's too, even for one written directly
	 * (by whoever may: here the superuser). */
	char id[64];
	snprintf(id, sizeof id, "%s", create(ana, "success", "question", "low", "event time"));
	CHECK_STR(val(su, "INSERT INTO handoff_event (id, handoff_id, kind, at) VALUES (gen_random_uuid(),"
	                  " '%s', 'commented', '2001-01-01') RETURNING at > now() - interval '1 minute'", id), "t");
}

int main(void)
{
	db = strdup(itest_newdb("baton_demo"));
	su = itest_connect(db, NULL);
	snprintf(admin_role, sizeof admin_role, "t_admin_%s", itest_id());
	val(su, "CREATE ROLE %s LOGIN", admin_role);
	val(su, "GRANT baton_admin TO %s", admin_role);
	admin = itest_connect(db, admin_role);
	ana = itest_connect(db, "ana");
	ben = itest_connect(db, "ben");
	lee = itest_connect(db, "lee");
	sam = itest_connect(db, "sam");
	maja = itest_connect(db, "maja");
	mia = itest_connect(db, "mia");

	RUN(test_server_refuses_unknown_reason_priority_and_long_note);
	RUN(test_client_cannot_set_the_deadline);
	RUN(test_settings_changes_need_an_admin);
	RUN(test_admin_changes_apply_to_the_next_write);
	RUN(test_every_setting_has_its_rule);
	RUN(test_reassign_only_by_leads_of_either_team);
	RUN(test_comment_rules);
	RUN(test_comment_keeps_a_pending_ack_valid);
	RUN(test_event_id_of_someone_else_is_refused);
	RUN(test_note_id_and_time_from_the_server);

	PGconn *all[] = {admin, ana, ben, lee, sam, maja, mia};
	for (size_t i = 0; i < sizeof all / sizeof *all; i++)
		PQfinish(all[i]);
	val(su, "REVOKE baton_admin FROM %s", admin_role);
	PQfinish(su);
	/* The role owns nothing; it stays listed in the audit rows by name. */
	PGconn *pg = itest_connect("postgres", NULL);
	val(pg, "DROP DATABASE %s", db);
	val(pg, "DROP ROLE %s", admin_role);
	PQfinish(pg);
	free((void *)db);
	return check_done();
}
