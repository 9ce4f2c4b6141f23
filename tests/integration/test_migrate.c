/* Integration tests for src/migrate.c and the schema it installs: versions,
 * idempotence, refusal of newer schemas, rollback, constraints, author
 * stamping and append-only history. */
#include "baton/config.h"
#include "baton/migrate.h"
#include "baton/settings.h"

#include <libpq-fe.h>
#include <locale.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "itest.h"

/* Run sql; "" when it succeeded, else the SQLSTATE (static). */
static const char *sqlstate(PGconn *c, const char *sql)
{
	static char out[8];
	PGresult *r = PQexec(c, sql);
	ExecStatusType s = PQresultStatus(r);
	out[0] = '\0';
	if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
		const char *st = PQresultErrorField(r, PG_DIAG_SQLSTATE);
		snprintf(out, sizeof out, "%s", st ? st : "?????");
	}
	PQclear(r);
	return out;
}

/* Everything a migration could change, as one string. */
static char *fingerprint(PGconn *c)
{
	const char *v = itest_value(c,
		"SELECT (SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace)"
		" || '/' || (SELECT count(*) FROM pg_proc WHERE pronamespace = 'public'::regnamespace)"
		" || '/' || (SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal)"
		" || '/' || (SELECT count(*) FROM pg_constraint WHERE connamespace = 'public'::regnamespace)"
		" || '/' || (SELECT count(*) FROM pg_extension)"
		" || '/' || (SELECT string_agg(version || ':' || name || ':' || applied_at, ','"
		"                              ORDER BY version) FROM baton_schema_migrations)");
	char *s = strdup(v);
	if (!s)
		abort();
	return s;
}

static int progress_calls;
static int progress_versions[256];  /* more than there are migrations: test_migrations_are_numbered */
static char progress_first_name[64];

static void progress(int version, const char *name)
{
	if (progress_calls == 0)
		snprintf(progress_first_name, sizeof progress_first_name, "%s", name);
	if (progress_calls < (int)(sizeof progress_versions / sizeof *progress_versions))
		progress_versions[progress_calls] = version;
	progress_calls++;
}

/* How many of this binary's migrations are numbered above v. */
static int migrations_after(int v)
{
	int n = 0;
	for (size_t i = 0; i < migrations_count; i++)
		n += migrations[i].version > v;
	return n;
}

static void test_migrations_are_numbered(void)
{
	CHECK(migrations_count >= 1);
	CHECK(migrations[0].version == 1);
	CHECK(migrations_count <= sizeof progress_versions / sizeof *progress_versions);
	for (size_t i = 0; i < migrations_count; i++) {
		/* Applied in order, no gaps: migrate applies only the versions
		 * above the highest applied, so a gap filled later would never
		 * run on a database already past it. */
		CHECK(migrations[i].version == (int)i + 1);
		CHECK(migrations[i].name && migrations[i].name[0]);
		CHECK(migrations[i].sql && strlen(migrations[i].sql) > 0);
	}
	CHECK(migrate_latest() == migrations[migrations_count - 1].version);
	CHECK_STR(migrations[0].name, "initial");
}

static void test_fresh_database_then_idempotent(void)
{
	const char *db = itest_newdb("template1");
	PGconn *c = itest_connect(db, NULL);
	char err[1024] = "";

	CHECK(migrate_current(c, err, sizeof err) == 0);
	progress_calls = 0;
	int n = migrate_run(c, progress, err, sizeof err);
	CHECK(n == migrations_after(0));
	if (n < 0)
		printf("    %s\n", err);
	CHECK(progress_calls == migrations_after(0));
	CHECK(progress_versions[0] == 1);
	CHECK_STR(progress_first_name, "initial");
	CHECK(migrate_current(c, err, sizeof err) == migrate_latest());
	char latest[16], count[16];
	snprintf(latest, sizeof latest, "%d", migrate_latest());
	snprintf(count, sizeof count, "%d", migrations_after(0));
	CHECK_STR(itest_value(c, "SELECT count(*) FROM baton_schema_migrations"), count);
	CHECK_STR(itest_value(c, "SELECT max(version) FROM baton_schema_migrations"), latest);
	CHECK_STR(itest_value(c, "SELECT applied_by FROM baton_schema_migrations WHERE version = 1"),
	          PQuser(c));
	CHECK_STR(itest_value(c, "SELECT name FROM baton_schema_migrations WHERE version = 1"), "initial");

	char *before = fingerprint(c);
	CHECK(strstr(before, "1:initial:") != NULL);

	/* Second run, also from another connection: nothing to do. */
	PGconn *c2 = itest_connect(db, NULL);
	progress_calls = 0;
	CHECK(migrate_run(c2, progress, err, sizeof err) == 0);
	CHECK(progress_calls == 0);
	CHECK(migrate_run(c, NULL, err, sizeof err) == 0);
	char *after = fingerprint(c);
	CHECK_STR(after, before);
	free(before);
	free(after);

	/* The advisory lock is released after each run. */
	CHECK_STR(itest_value(c2, "SELECT pg_try_advisory_lock(7405139021)"), "t");
	PQfinish(c2);
	PQfinish(c);
}

static void test_newer_schema_is_refused(void)
{
	const char *db = itest_newdb("baton_schema");
	PGconn *c = itest_connect(db, NULL);
	char err[1024] = "";
	CHECK(migrate_current(c, err, sizeof err) == migrate_latest());
	/* (A version far ahead: 99 was "the future" until it was written.) */
	CHECK_STR(sqlstate(c, "INSERT INTO baton_schema_migrations (version, name) VALUES (9999, 'future')"), "");
	CHECK(migrate_current(c, err, sizeof err) == 9999);
	char *before = fingerprint(c);
	CHECK(migrate_run(c, NULL, err, sizeof err) == -1);
	CHECK(strstr(err, "9999") != NULL);
	CHECK(strstr(err, "upgrade") != NULL);
	char *after = fingerprint(c);
	CHECK_STR(after, before);
	free(before);
	free(after);

	/* Refusing did not keep the lock. */
	PGconn *c2 = itest_connect(db, NULL);
	CHECK_STR(itest_value(c2, "SELECT pg_try_advisory_lock(7405139021)"), "t");
	PQfinish(c2);
	PQfinish(c);
}

static void test_failed_migration_is_rolled_back(void)
{
	const char *db = itest_newdb("template1");
	PGconn *c = itest_connect(db, NULL);
	char err[1024] = "";
	/* Something in the way of migration 1, half-way through it. */
	CHECK_STR(sqlstate(c, "CREATE TABLE ticket (id integer)"), "");
	CHECK(migrate_run(c, NULL, err, sizeof err) == -1);
	CHECK(strstr(err, "migration 1") != NULL);
	CHECK(strstr(err, "rolled back") != NULL);
	CHECK(strstr(err, "ticket") != NULL);      /* the server's reason */
	CHECK(strchr(err, '\n') == NULL);
	/* Nothing of it stayed: no tables, no extension, no version. */
	CHECK_STR(itest_value(c, "SELECT to_regclass('customer') IS NULL"), "t");
	CHECK_STR(itest_value(c, "SELECT to_regclass('team') IS NULL"), "t");
	CHECK_STR(itest_value(c, "SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'"), "0");
	CHECK(migrate_current(c, err, sizeof err) == 0);
	/* The connection is usable again (not stuck in an aborted transaction). */
	CHECK_STR(itest_value(c, "SELECT 42"), "42");
	CHECK_STR(itest_value(c, "SELECT pg_try_advisory_lock(7405139021)"), "t");

	/* Once the obstacle is gone, it applies. */
	CHECK_STR(sqlstate(c, "SELECT pg_advisory_unlock(7405139021)"), "");
	CHECK_STR(sqlstate(c, "DROP TABLE ticket"), "");
	CHECK(migrate_run(c, NULL, err, sizeof err) == migrations_after(0));
	PQfinish(c);
}

struct racer {
	const char *db;
	int applied;
	char err[512];
};

static void *race(void *arg)
{
	struct racer *r = arg;
	const char *k[] = {"dbname", NULL};
	const char *v[] = {r->db, NULL};
	PGconn *c = PQconnectdbParams(k, v, 0);
	if (PQstatus(c) != CONNECTION_OK) {
		snprintf(r->err, sizeof r->err, "%s", PQerrorMessage(c));
		r->applied = -2;
	} else {
		r->applied = migrate_run(c, NULL, r->err, sizeof r->err);
	}
	PQfinish(c);
	return NULL;
}

static void test_concurrent_runs_apply_once(void)
{
	const char *db = itest_newdb("template1");
	struct racer a = {db, 0, ""}, b = {db, 0, ""};
	pthread_t ta, tb;
	CHECK(pthread_create(&ta, NULL, race, &a) == 0);
	CHECK(pthread_create(&tb, NULL, race, &b) == 0);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	CHECK(a.applied >= 0 && b.applied >= 0);
	CHECK(a.applied + b.applied == migrations_after(0));
	if (a.applied < 0 || b.applied < 0)
		printf("    %s | %s\n", a.err, b.err);
	PGconn *c = itest_connect(db, NULL);
	char cnt[16];
	snprintf(cnt, sizeof cnt, "%d", migrations_after(0));
	CHECK_STR(itest_value(c, "SELECT count(*) FROM baton_schema_migrations"), cnt);
	PQfinish(c);
}

static void test_schema_objects_exist(void)
{
	const char *db = itest_newdb("baton_schema");
	PGconn *c = itest_connect(db, NULL);
	static const char *const tables[] = {
		"team", "staff", "customer", "customer_external_id", "contact", "milestone", "ticket",
		"success_note", "marketing_event", "survey_response", "handoff", "handoff_event",
		"baton_schema_migrations",
	};
	for (size_t i = 0; i < sizeof tables / sizeof *tables; i++) {
		char sql[128];
		snprintf(sql, sizeof sql, "SELECT to_regclass('public.%s') IS NOT NULL", tables[i]);
		CHECK_STR(itest_value(c, sql), "t");
	}
	CHECK_STR(itest_value(c, "SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'"), "1");
	CHECK_STR(itest_value(c, "SELECT count(*) FROM pg_roles WHERE rolname = 'baton_staff'"), "1");
	/* The finder's indexes on folded names are there (`baton show NAME`
	 * uses them too); 001's on the name itself, which nothing read, are
	 * gone (048). */
	CHECK_STR(itest_value(c, "SELECT count(*) FROM pg_extension WHERE extname = 'unaccent'"), "1");
	CHECK_STR(itest_value(c, "SELECT to_regclass('customer_name_fold_trgm') IS NOT NULL"), "t");
	CHECK_STR(itest_value(c, "SELECT to_regclass('customer_name_fold_prefix_idx') IS NOT NULL"), "t");
	CHECK_STR(itest_value(c, "SELECT to_regclass('customer_name_trgm') IS NULL"), "t");
	/* 048: the open tickets' two indexes are one, import records have no
	 * parent index (a split reads the table once), and what nothing read
	 * is gone. */
	CHECK_STR(itest_value(c, "SELECT string_agg(coalesce(to_regclass(i)::text, '-'), ' ' ORDER BY n)"
	                         " FROM unnest(ARRAY['ticket_open_idx', 'ticket_assignee_idx', 'ticket_open_cover_idx',"
	                         " 'ticket_customer_open_idx', 'ticket_assignee_open_idx', 'import_record_parent_idx',"
	                         " 'customer_name_prefix_idx', 'contact_email_lower_idx']) WITH ORDINALITY u(i, n)"),
	          "ticket_open_idx ticket_assignee_idx - - - - - -");
	/* 049: the marketing panel's indexes carry what it shows (index-only
	 * scans), and the handoffs panel walks its active and its closed ones
	 * in the panel's orders. */
	CHECK_STR(itest_value(c, "SELECT string_agg(pg_get_indexdef(i), ' | ' ORDER BY i::text) FROM unnest(ARRAY["
	                         "'handoff_customer_active_idx', 'handoff_customer_closed_idx',"
	                         " 'marketing_event_customer_ahead_idx', 'marketing_event_customer_past_idx']::regclass[]) i"),
	          "CREATE INDEX handoff_customer_active_idx ON public.handoff USING btree (customer_id, created_at, id)"
	          " WHERE (state = ANY (ARRAY['open'::text, 'acknowledged'::text])) | "
	          "CREATE INDEX handoff_customer_closed_idx ON public.handoff USING btree (customer_id, created_at DESC, id)"
	          " WHERE (state <> ALL (ARRAY['open'::text, 'acknowledged'::text])) | "
	          "CREATE INDEX marketing_event_customer_ahead_idx ON public.marketing_event USING btree"
	          " (customer_id, scheduled_at, id) INCLUDE (campaign, kind, channel, status, held_by)"
	          " WHERE (status = 'scheduled'::text) | "
	          "CREATE INDEX marketing_event_customer_past_idx ON public.marketing_event USING btree"
	          " (customer_id, COALESCE(sent_at, scheduled_at) DESC NULLS LAST, id DESC)"
	          " INCLUDE (campaign, kind, channel, status, scheduled_at, sent_at, held_by)"
	          " WHERE (status <> 'scheduled'::text)");
	CHECK_STR(itest_value(c, "SELECT baton_fold('Café Lumière, MÜLLER, Łódź, São')"),
	          "cafe lumiere, muller, lodz, sao");
	CHECK_STR(itest_value(c, "SELECT baton_like_escape('a%b_c\\d')"), "a\\%b\\_c\\\\d");
	PQfinish(c);
}

static void test_check_constraints_reject_bad_values(void)
{
	const char *db = itest_newdb("baton_demo");
	PGconn *c = itest_connect(db, NULL);
	/* The same row with a valid value goes in: the refusals below are
	 * about the one bad value. */
	CHECK_STR(sqlstate(c, "INSERT INTO ticket (customer_id, subject, status) VALUES (1, 'ok', 'open')"), "");
	CHECK_STR(sqlstate(c, "INSERT INTO ticket (customer_id, subject, status) VALUES (1, 'x', 'bogus')"), "23514");
	CHECK_STR(sqlstate(c, "INSERT INTO ticket (customer_id, subject, priority) VALUES (1, 'x', 'critical')"), "23514");
	CHECK_STR(sqlstate(c, "INSERT INTO ticket (customer_id, subject, status) VALUES (1, 'x', 'solved')"), "23514");
	CHECK_STR(sqlstate(c, "INSERT INTO ticket (customer_id, subject) VALUES (1, '')"), "23514");
	CHECK_STR(sqlstate(c, "INSERT INTO customer (name, domain) VALUES ('ok', 'ok.example')"), "");
	CHECK_STR(sqlstate(c, "INSERT INTO customer (name, domain) VALUES ('x', 'has space.example')"), "23514");
	CHECK_STR(sqlstate(c, "INSERT INTO customer (name, domain) VALUES ('x', 'OK.example')"), "23505");
	CHECK_STR(sqlstate(c, "INSERT INTO customer (name, lifecycle) VALUES ('x', 'zombie')"), "23514");
	CHECK_STR(sqlstate(c, "INSERT INTO survey_response (customer_id, kind, score) VALUES (1, 'nps', 10)"), "");
	CHECK_STR(sqlstate(c, "INSERT INTO survey_response (customer_id, kind, score) VALUES (1, 'nps', 11)"), "23514");
	CHECK_STR(sqlstate(c, "INSERT INTO survey_response (customer_id, kind, score) VALUES (1, 'csat', 0)"), "23514");
	CHECK_STR(sqlstate(c, "INSERT INTO handoff (id, customer_id, from_team, to_team, reason, note)"
	                      " VALUES (gen_random_uuid(), 1, 'support', 'success', 'question', 'ok')"), "");
	CHECK_STR(sqlstate(c, "INSERT INTO handoff (id, customer_id, from_team, to_team, reason, note)"
	                      " VALUES (gen_random_uuid(), 1, 'support', 'success', 'Bad!', 'x')"), "23514");
	CHECK_STR(sqlstate(c, "INSERT INTO handoff (id, customer_id, from_team, to_team, reason, note, state)"
	                      " VALUES (gen_random_uuid(), 1, 'support', 'success', 'question', 'x', 'resolved')"), "23514");
	CHECK_STR(sqlstate(c, "INSERT INTO handoff (id, customer_id, from_team, to_team, reason, note)"
	                      " VALUES (gen_random_uuid(), 1, 'support', 'nowhere', 'question', 'x')"), "23503");
	PQfinish(c);
}

static void test_author_is_the_session_user(void)
{
	const char *db = itest_newdb("baton_demo");
	PGconn *su = itest_connect(db, NULL);
	/* Whether or not staff may write these tables directly (later
	 * migrations route handoffs through functions), the triggers must stamp
	 * the author: grant the rights in this throwaway copy to test them. */
	CHECK_STR(sqlstate(su, "GRANT INSERT ON handoff, handoff_event, success_note TO ana"), "");
	PGconn *ana = itest_connect(db, "ana");
	CHECK_STR(itest_value(ana, "SELECT session_user"), "ana");

	CHECK_STR(itest_value(ana,
		"INSERT INTO handoff (id, customer_id, from_team, to_team, reason, note, author)"
		" VALUES ('00000000-0000-4000-8000-000000000001', 1, 'support', 'success', 'question',"
		"         'claimed to be mallory', 'mallory') RETURNING author"), "ana");
	CHECK_STR(itest_value(su,
		"SELECT author FROM handoff WHERE id = '00000000-0000-4000-8000-000000000001'"), "ana");

	CHECK_STR(itest_value(ana,
		"INSERT INTO handoff_event (id, handoff_id, kind, actor)"
		" VALUES ('00000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000001',"
		"         'commented', 'sam') RETURNING actor"), "ana");

	CHECK_STR(itest_value(ana,
		"INSERT INTO success_note (customer_id, body, author) VALUES (1, 'pretending', 'ben')"
		" RETURNING author"), "ana");
	CHECK_STR(itest_value(ana,
		"INSERT INTO success_note (customer_id, body) VALUES (1, 'plain') RETURNING author"), "ana");

	/* SET ROLE does not change who wrote it. */
	CHECK_STR(sqlstate(ana, "SET ROLE baton_staff"), "");
	CHECK_STR(sqlstate(su, "GRANT INSERT ON success_note TO baton_staff"), "");
	CHECK_STR(itest_value(ana,
		"INSERT INTO success_note (customer_id, body, author) VALUES (1, 'via set role', 'lee')"
		" RETURNING author"), "ana");
	CHECK_STR(sqlstate(ana, "RESET ROLE"), "");

	/* Not even a superuser can sign as someone else. */
	CHECK_STR(itest_value(su,
		"INSERT INTO success_note (customer_id, body, author) VALUES (1, 'forged', 'ben')"
		" RETURNING author = session_user"), "t");
	PQfinish(ana);
	PQfinish(su);
}

static void test_history_is_append_only(void)
{
	const char *db = itest_newdb("baton_demo");
	PGconn *su = itest_connect(db, NULL);
	const char *events_before = strdup(itest_value(su, "SELECT count(*) FROM handoff_event"));
	const char *notes_before = strdup(itest_value(su, "SELECT count(*) FROM success_note"));
	CHECK(atoi(events_before) > 0 && atoi(notes_before) > 0);

	/* Even the superuser: the triggers refuse. */
	CHECK_STR(sqlstate(su, "UPDATE handoff_event SET comment = 'rewritten'"), "42501");
	CHECK_STR(sqlstate(su, "DELETE FROM handoff_event"), "42501");
	CHECK_STR(sqlstate(su, "UPDATE success_note SET body = 'rewritten'"), "42501");
	CHECK_STR(sqlstate(su, "DELETE FROM success_note WHERE customer_id = 1"), "42501");
	const char *msg = itest_value(su, "UPDATE handoff_event SET actor = 'mallory'");
	CHECK(strstr(msg, "append-only") != NULL);

	/* Staff cannot either. */
	PGconn *ana = itest_connect(db, "ana");
	CHECK_STR(sqlstate(ana, "UPDATE handoff_event SET comment = 'x'"), "42501");
	CHECK_STR(sqlstate(ana, "DELETE FROM success_note"), "42501");
	CHECK_STR(sqlstate(ana, "UPDATE handoff SET note = 'rewritten'"), "42501");
	CHECK_STR(sqlstate(ana, "UPDATE customer SET name = 'x' WHERE id = 1"), "42501");
	PQfinish(ana);

	CHECK_STR(itest_value(su, "SELECT count(*) FROM handoff_event"), events_before);
	CHECK_STR(itest_value(su, "SELECT count(*) FROM success_note"), notes_before);
	CHECK_STR(itest_value(su, "SELECT count(*) FROM handoff_event WHERE comment = 'rewritten'"), "0");
	free((void *)events_before);
	free((void *)notes_before);
	PQfinish(su);
}

/* unaccent installed in a schema of its own before Baton came (as some
 * hosted databases do): the fold still works, for staff too, and whatever
 * the search_path, because it names that schema. */
static void test_unaccent_in_another_schema(void)
{
	const char *db = itest_newdb("template1");
	PGconn *c = itest_connect(db, NULL);
	char err[1024] = "";
	CHECK_STR(itest_value(c, "CREATE SCHEMA ext"), "");
	CHECK_STR(itest_value(c, "CREATE EXTENSION unaccent SCHEMA ext"), "");
	int n = migrate_run(c, NULL, err, sizeof err);
	if (n < 0)
		printf("    %s\n", err);
	CHECK(n == migrations_after(0));
	CHECK_STR(itest_value(c, "SELECT count(*) FROM pg_extension WHERE extname = 'unaccent'"), "1");
	CHECK_STR(itest_value(c, "SELECT baton_fold('São Paulo')"), "sao paulo");
	PQfinish(c);
	/* A staff role (not the owner), with a search_path without ext. */
	PGconn *ana = itest_connect(db, "ana");
	CHECK_STR(itest_value(ana, "SET search_path = public"), "");
	CHECK_STR(itest_value(ana, "SELECT baton_fold('Müller')"), "muller");
	PQfinish(ana);
}

/* --- importing an older configuration's handoff settings ------------------------ */

static char said[4][512];
static int nsaid;

static void say(const char *line)
{
	if (nsaid < 4)
		snprintf(said[nsaid], sizeof said[0], "%s", line);
	nsaid++;
}

/* A configuration read from text, as `baton -c FILE migrate` has it. */
static void old_config(struct config *cfg, const char *text)
{
	const char *base = getenv("BATON_TEST_TMP");
	char path[512], err[1024];
	snprintf(path, sizeof path, "%s/old-%d.cfg", base && *base ? base : "/tmp", (int)getpid());
	FILE *f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
	if (!f || config_load(cfg, path, err, sizeof err) < 0)
		printf("    old config: %s\n", f ? err : "cannot write it");
	remove(path);
}

static const char old_handoff_group[] =
	"handoff: {\n"
	"  reasons = [ \"refund\", \"churn risk\" ];\n"
	"  max_note_bytes = 2048;\n"
	"  ack_sla: { urgent = \"2h\"; };\n"
	"  ack_sla_team: { support: { high = \"30m\"; }; legal: { low = \"1d\"; }; };\n"
	"};\n";

static const char *rules_now(PGconn *c)
{
	return itest_value(c,
		"SELECT (SELECT string_agg(name, ',' ORDER BY position) FROM handoff_reason)"
		" || '|' || (SELECT value FROM baton_setting WHERE key = 'max_note_bytes')"
		" || '|' || (SELECT string_agg(priority || '=' || minutes, ',' ORDER BY minutes) FROM ack_sla)"
		" || '|' || (SELECT coalesce(string_agg(team_id || ':' || priority || '=' || minutes, ','), '')"
		"            FROM ack_sla_team)");
}

/* Once: into a database still holding the defaults, audited as the
 * migrating role; a second run changes nothing and says so. */
static void test_config_imported_once(void)
{
	const char *db = itest_newdb("baton_demo");
	PGconn *c = itest_connect(db, NULL);
	struct config cfg;
	char err[1024] = "";
	old_config(&cfg, old_handoff_group);
	nsaid = 0;
	int n = settings_import(c, &cfg, say, err, sizeof err);
	if (n < 0)
		printf("    %s\n", err);
	CHECK(n == 4);
	CHECK(nsaid == 4 && strstr(said[0], "handoff.reasons (") == said[0] &&
	      strstr(said[0], "old-") && strstr(said[0], ":2) imported into the database"));
	CHECK_STR(rules_now(c), "refund,churn risk|2048|urgent=120,high=240,normal=1440,low=4320|support:high=30");
	CHECK_STR(itest_value(c, "SELECT string_agg(DISTINCT actor, ',') FROM baton_audit WHERE entity IN"
	                         " ('baton_setting', 'handoff_reason', 'ack_sla', 'ack_sla_team')"), PQuser(c));
	const char *audit = strdup(itest_value(c, "SELECT count(*) FROM baton_audit"));

	nsaid = 0;
	CHECK(settings_import(c, &cfg, say, err, sizeof err) == 0);
	CHECK(nsaid == 4 && strstr(said[0], "the database already has it; nothing to import"));
	CHECK(nsaid == 4 && strstr(said[3], "handoff.ack_sla_team (") && strstr(said[3], "already has it"));
	CHECK_STR(itest_value(c, "SELECT count(*) FROM baton_audit"), audit);
	config_free(&cfg);

	/* A later file with other values: the database's were changed (by the
	 * import) since the defaults, so they stay. */
	old_config(&cfg, "handoff: { reasons = [ \"other\" ]; };\n");
	nsaid = 0;
	CHECK(settings_import(c, &cfg, say, err, sizeof err) == 0);
	CHECK(nsaid == 1 && strstr(said[0], "handoff.reasons (") && strstr(said[0], "not imported"));
	CHECK(strncmp(rules_now(c), "refund,churn risk|", 18) == 0);
	CHECK_STR(itest_value(c, "SELECT count(*) FROM baton_audit"), audit);
	config_free(&cfg);
	free((void *)audit);

	/* Without a handoff group there is nothing to say. */
	config_defaults(&cfg);
	nsaid = 0;
	CHECK(settings_import(c, &cfg, say, err, sizeof err) == 0 && nsaid == 0);
	config_free(&cfg);
	PQfinish(c);
}

/* What an administrator changed is never overwritten by someone's old
 * file; what nobody changed still is imported. */
static void test_config_import_keeps_admin_changes(void)
{
	const char *db = itest_newdb("baton_demo");
	PGconn *c = itest_connect(db, NULL);
	struct config cfg;
	char err[1024] = "";
	CHECK_STR(itest_value(c, "SELECT baton_reason_add('upsell')"), "t");
	CHECK_STR(itest_value(c, "SELECT baton_sla_set('low', 600, NULL)"), "t");
	old_config(&cfg, old_handoff_group);
	nsaid = 0;
	CHECK(settings_import(c, &cfg, say, err, sizeof err) == 1);
	CHECK(nsaid == 4 && strstr(said[0], "not imported: the database's has been changed since"));
	CHECK(nsaid == 4 && strstr(said[1], "handoff.max_note_bytes (") && strstr(said[1], "imported into"));
	CHECK_STR(rules_now(c), "escalation,renewal risk,onboarding blocker,billing,feature request,question,upsell"
	                        "|2048|urgent=60,high=240,low=600,normal=1440|");
	config_free(&cfg);
	PQfinish(c);
}

/* --- released migrations and upgrades ----------------------------------------------- */

/* A database migrated by a released binary never runs that release's
 * migrations again: changing one changes nothing there, and only fresh
 * databases would get it.  What a release applied stays byte for byte
 * (md5 of the file); a change goes into a new migration.  Add each
 * release's new versions here. */
static const struct {
	int version;
	const char *md5;
} released[] = {
	/* ebe6eac */
	{1, "abe83ab09bb10e9cbac6394866ee8296"}, {2, "00dfd1098fb48fbbab788eb9a289cc3e"},
	{3, "02c3f003fdaecf830078450b74257206"}, {4, "71753f7ca3bc5348232d27dbc8434350"},
	{5, "b131fa70275b57ea84c44c84512e9e2a"}, {6, "00e3fdc1919cbfd09b388e2c92423915"},
	{7, "8252c6f54625cf15a1c7723574ff2ec4"}, {8, "bd72975a1ab81b9f55848ec6339e4897"},
	{9, "60a36231b394c4c024f711f55fb9c6fe"}, {10, "54387d66b7a9ecf5c08656925d64a11f"},
	{11, "ed2b65a83390d6194f65e9c952acacf1"},
	/* 4304cd7 (stop 16) */
	{12, "3675302f35e33d8b47fb005e0678b1e1"}, {13, "24cdfc1bf2d5938327a1182afc83be4c"},
	{14, "53dc348729e7dc03ecbf67d968740d8e"}, {15, "f812518c0a5376cad67036201d2d8aa4"},
	/* cacd0ec (stop 17) */
	{16, "6e69d43366b05f9e304d5f1d1541c13c"}, {17, "cbfcf3c0d617c95c8a0bef510e01e547"},
	{18, "f2aebb10f486d94f61c923b21d57704e"}, {19, "856e9b9581938be8a7c6ff14d5f615a6"},
	{20, "afb2920e3333e89211384ec7f167fd72"}, {21, "f78f05847eeba972da01c0badbb2cc74"},
	{22, "c23cf158f0c7f4aa6840b7a2132410e5"}, {23, "152af459c927a81ae6efe4f35f0e547b"},
	/* b655ff1 (stop 18) */
	{24, "393bc00f11e6ea5fcdc6daa189a6a6ae"}, {25, "039decfb444db70366164162a6c808f2"},
	{26, "9a4bc7a3b1ff8ae75e6c7e6d8f5bf4ce"}, {27, "aa0c1a6b2cc79c99af486317a9ee0235"},
	/* 03dab83 (stop 19) */
	{28, "d4feeefe5b35dd480ec76447632e583d"}, {29, "78ef07a2356b227b57e43a871d0e34bb"},
	{30, "8c385e68800b3f8c572ff7fa0fa4c0c9"}, {31, "67a641994bac2a777a4324c87b6b7712"},
	/* dc45420 (stop 20) */
	{32, "8ca72cb45d8ccc204ca11e14dd717199"}, {33, "c0903ef9b0307320c5d2b8a08b331363"},
	{34, "34e63b9c4ffc56be37657f0e4906106f"},
	/* 6c42148 (stop 21) */
	{35, "089aff8160b051182c6f861ddee017c1"}, {36, "9da5ceabd79ad8e7f4c970fa46fd6a43"},
	{37, "7d635b65120aedce288a40865c59f150"},
	/* fe5c289 (stop 22) */
	{38, "e8886361ed3cac68ed48ce8620202eb9"}, {39, "a397560ef2b9056dbebf01f7af064f55"},
	/* 6f1ce0c (stop 23) */
	{40, "dcb8d12d288d82d0cd1d38279362cac3"},
	/* 2ae5f1e (stop 24) */
	{41, "f0ba38f193a43d6ac90a5e460830e1d0"}, {42, "f0b96d7de5a8ab4afad0405b55f88f8e"},
	{43, "4f9b8472d6752d6dcd0151b62550c437"}, {44, "efff6cef40e5efeed3d30f40d6093386"},
	/* 17a1b9d (stop 25) */
	{45, "0094b33517163879f682f6908751b149"}, {46, "7ebc97cc85c37af984fa5a97334439f5"},
	{47, "e6ba0845046b885325c8ba05fef7aa12"},
	/* ab59034 (stop 26) */
	{48, "b68433331b78c45bce73ba23fba01c97"},
	/* fb68f88 (stop 27) */
	{49, "fcba0159a87ce3b3769b95c5835afec8"},
	{50, "34c99e40d5483ef340e1eed8444f672e"},
	/* ac20eb4 (stop 28) */
	{51, "8f4b50efa0bf295df69e9b94e04616b9"},
	/* f0b4b07 (stop 29) */
	{52, "c0eab1081d88a4c7ca2d76e214cfb16d"},
	/* 5c7cb67 (stop 30) */
	{53, "ae1fe7df7ca5d6a605f80657c4765a02"},
	{54, "7b49bc259abbc06b78bea76b94cecc7e"},
	{55, "febe98349aa546091ac4051cbf6d4e4a"},
	/* 5e0eacd (stop 31) */
	{56, "ca7cbdc61261fc50336346e6ab573d48"},
	{57, "c4a95cb154942b391e63c44661cfdb15"},
	{58, "31cf362322bd79542ccf929b1fbf4688"},
	{59, "a4ea016e78db4aca33e239f5bcbe56ac"},
	/* ebf0440 (stop 32) */
	{60, "c68b98c88628a197133ae86ce3e1aaca"},
	{61, "c4c19cccfeb73c58ca9823131e0dd41b"},
	{62, "f5c25287e789fec46f1cfd1af3a67482"},
	{63, "e5eb4d6ee88638a98ed2a478a8d38390"},
	/* 797831e (stop 33) */
	{64, "040488129c4769f91a08523189c0e409"},
	{65, "345a915cbf79ab27bb699a85fcf934cd"},
	{66, "15c5ac3d05a544afbdbaae29bbdaaed3"},
	{67, "939d6177bc2cc3eecc09a24adda156ce"},
	{68, "8e0f4eebb62cef1dc84117380cfd52a5"},
	{69, "78835f843c263c0c75beda71de41df2c"},
	/* ee79876 (stop 34) */
	{70, "5c6b4dc834319456d89d0003ee34f2c4"},
	{71, "6b83cabdbed59921bce9cfb195ab1884"},
	{72, "b31f3b802a0131ba3add163f1b3d7a64"},
	{73, "71fa6e39e4134e010ea53369f5ea2c4e"},
	{74, "4ca76c7b95ac9d852d98d32e7f7d335d"},
	{75, "109500e595c863be37d4a309330e367f"},
	{76, "314e16af706a5a2584925fe9ece63294"},
	{77, "fec2f12954bd2a2a27cfff8c869eecd9"},
	{78, "656ef7a2990022d58b74c4b9a0290647"},
	{79, "9f7158466b7b4b2623d9246278ce09e4"},
	{80, "e98f72ee741941ca0cd493f325c3c129"},
	/* ff932e2 (stop 35) */
	{81, "8a9deee6b72687430f53abf5f72ec422"},
	{82, "83e23ae038c603f30e0a54f2905924cd"},
	{83, "6365495f3a504df93ef90c9e00988818"},
	{84, "e22ffc2ff1e228ab76082f18702fed85"},
	/* 65243b9 (stop 36) */
	{85, "e4a527b763a81107d1f82c1d822e0f14"},
	{86, "20e8e4f27525277eeea31238577abe87"},
	{87, "9c43a2a2dac0f0f31328a70bacb7af7e"},
	/* dcc050c (stop 37) */
	{88, "7eb1f7aaf4431dbf17ea78d67ff4a3a4"},
	{89, "621294684cbdd20f9784112a6c3053e5"},
	{90, "57615295768a205dec13be19ed6ea26c"},
	/* f8dc3e8 (stop 39) */
	{91, "0f416e6bab92a7027f0582c9467616dc"},
	/* 4b12eb1 (stop 40) */
	{92, "88f0e88ea51d8418c1fc4ea95ff7e2bb"},
	/* a8248b8 (stop 41) */
	{93, "a01a5be54e6c306f1446750ab0db924d"},
	/* 5a8183b (stop 42) */
	{94, "ee1cb38c16cbbf7740d24f4417ef8f94"},
	{95, "064f21bf5d0473668a4b7641303eb997"},
	{96, "576a38e63226babdbdba4ebae4e3f18c"},
	/* f1880d7 (stop 43) */
	{97, "130eb6fdc3eee93afb7d17a7740a2ba8"},
	{98, "4b51fd68b26ec6dd87bcd809cf05ec77"},
	/* stop 44's, which did not land, and this session's head (stop 45) */
	{99, "dd8c31df60365d105256e82e45a3068e"},
	{100, "1c61b80a76960a5567e77786a8b9299c"},
	{101, "9a43e4de3b42c3064e80854213608c38"},
	{102, "bb8f49d178e4bfec5a8c1f07747198b5"},
	{103, "67f28f1d2757e0e82017cfa036558449"},
	{104, "dfd1f77e03e0a4a663e1508235d34a89"},
	{105, "2eb0e2bf382c1366cd90d2af5f8ba635"},
	/* session 40 */
	{106, "afc72972183032239bb17f393f606ad2"},
	{107, "2d9ee4b2407f50a7ce562d162e55b7f7"},
	{108, "a214af45f7c3c6044452d85f727b9246"},
	{109, "3b3905b15b5279d0b83c9971cd03da11"},
	{110, "37aba9a8c7479db42068c38e36e6d266"},
	/* session 41 */
	{111, "76ddc3a0af16aca2921a9ad13136c69c"},
	{112, "8a6cc736cd3cd1986e4e2e6c13548aae"},
	{113, "623bf80f006f87358339bee6abd58c62"},
	{114, "4fd9c0b731472c26e7e708d386c7bcf0"},
	{115, "b24ec8d82eff653407f48cb7cebe7f32"},
	/* session 42 */
	{116, "2962d3e720e7cb04a3043d9d7142f832"},
	{117, "114eb2adc4095b26edb010723ac7aed7"},
	/* session 43 */
	{118, "8b5fef151621642ffc509bf9f393f3dc"},
	/* session 44 */
	{119, "9112f245312fb97af3a238a2ef43c8dd"},
	/* session 45 */
	{120, "74522271bbcd384df9fa17fc60c2dafd"},
	/* session 46 */
	{121, "f3739d1bba02baff3cd3923e4eb87135"},
	{122, "6682082421dc8f6a37e0519ec02017fa"},
	{123, "96c5ed9506d7c21d867721cc29e86ea0"},
	{124, "ae79a73baf134352428403268f6c0e59"},
	{125, "868e0b9151f44f1e4bda23c85cf2d1e1"},
	/* session 47 */
	{126, "383b8674a21f3c58eea7257f8b3b19b3"},
	{127, "52f88c564ba74f12d89b60a917b6ec44"},
	/* session 48 */
	{128, "80b9fd43daab26bfe64ef1668592b26d"},
	{129, "f16b0b702c8e02fddf0f36cd2dfab86b"},
	/* session 49 */
	{130, "1b6b9c8ab8d0663fae1ac83584238eb5"},
	{131, "577035dec3ea07bf03527fcc2e16e253"},
	/* session 51 */
	{132, "f8d36a4eedc88688ac1f89c4f0148daa"},
	{133, "b42c525604c2bcf632605f5b98370dfe"},
	{134, "e78349c6158a0602fef794e736f79f6b"},
	{135, "35b0488f448031130c32c3a90d1e2c2c"},
	{136, "774623be4e62beecc55b86bde062b731"},
	/* session 52 */
	{137, "6ef55c914381309390156f41a5680d6a"},
	{138, "1220249321aaf656ad4d7d74a00285ba"},
	/* session 53 */
	{139, "1575cdb222caffae80f933fc63bc1b9e"},
	/* session 54 */
	{140, "699a25b03410719e4266074b8fb22c4e"},
	{141, "7d805c97d35b1d517875f3738f19dc04"},
	/* session 55 */
	{142, "13096a62d8aca66c8ecb9aea0dea054b"},
	{143, "756c40a7676f16105766464143c07434"},
	/* session 56 */
	{144, "947e1a65cb6f6977d45a2316a64cf8fc"},
	{145, "f2b8627396bc54b5f908f99ddb618679"},
	/* session 57 */
	{146, "47dcb10e24b26b31d04892eab3924ef0"},
	/* session 58 */
	{147, "24639360acd85acaf15c293e19e564df"},
	{148, "33a0bc7a111448fa2b47b55dec2af31e"},
	/* session 59 */
	{149, "398ef9c403ff1ba974910f3ff23439dc"},
	{150, "e1c170433beb736898fa06b374b9c2d8"},
	{151, "adeaf23b657c0195cb7781e01560c91a"},
	/* session 60 */
	{152, "410a05dfcb3589c9452dd09a59cc3fb8"},
	/* session 61 */
	{153, "736533bafebd69a9bc1557b8a720b5be"},
	/* session 62 */
	{154, "e4abe9cd5612cd49f1c13eae3062130e"},
};

static void test_released_migrations_unchanged(void)
{
	PGconn *c = itest_connect("postgres", NULL);
	for (size_t i = 0; i < sizeof released / sizeof *released; i++) {
		int v = released[i].version;
		CHECK(v >= 1 && (size_t)v <= migrations_count);
		if (v < 1 || (size_t)v > migrations_count)
			continue;
		const char *params[] = {migrations[v - 1].sql};
		PGresult *r = PQexecParams(c, "SELECT md5($1)", 1, NULL, params, NULL, NULL, 0);
		CHECK(PQresultStatus(r) == PGRES_TUPLES_OK);
		const char *got = PQresultStatus(r) == PGRES_TUPLES_OK ? PQgetvalue(r, 0, 0) : "";
		if (strcmp(got, released[i].md5) != 0)
			printf("    migration %d (%s) differs from its release: put the change in a new one\n",
			       v, migrations[v - 1].name);
		CHECK_STR(got, released[i].md5);
		PQclear(r);
	}
	PQfinish(c);
}

/* The schema as the console and the functions see it, one md5 per part:
 * functions (body, settings, grants, language), constraints, indexes,
 * triggers, policies, columns, relations' grants, the settings' rows. */
static const char *const schema_parts[] = {
	"SELECT md5(string_agg(p.oid::regprocedure::text || '|' || md5(p.prosrc) || '|'"
	"  || coalesce(p.proconfig::text, '') || '|' || coalesce(p.proacl::text, '') || '|' || l.lanname"
	"  || '|' || p.provolatile::text || p.prosecdef::text || p.proparallel::text || '|' || pg_get_function_result(p.oid),"
	"  ',' ORDER BY p.oid::regprocedure::text))"
	" FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang WHERE p.pronamespace = 'public'::regnamespace",
	"SELECT md5(string_agg(conrelid::regclass::text || '|' || conname || '|' || pg_get_constraintdef(oid),"
	"  ',' ORDER BY conrelid::regclass::text, conname))"
	" FROM pg_constraint WHERE connamespace = 'public'::regnamespace",
	"SELECT md5(string_agg(indexdef, ',' ORDER BY indexname)) FROM pg_indexes WHERE schemaname = 'public'",
	"SELECT md5(string_agg(tgrelid::regclass::text || '|' || pg_get_triggerdef(oid), ','"
	"  ORDER BY tgrelid::regclass::text, tgname)) FROM pg_trigger WHERE NOT tgisinternal",
	"SELECT md5(string_agg(tablename || '|' || policyname || '|' || cmd || '|' || roles::text || '|'"
	"  || coalesce(qual, '') || '|' || coalesce(with_check, ''), ',' ORDER BY tablename, policyname))"
	" FROM pg_policies WHERE schemaname = 'public'",
	"SELECT md5(string_agg(attrelid::regclass::text || '|' || attname || '|' || format_type(atttypid, atttypmod)"
	"  || '|' || attnotnull::text || '|' || coalesce(pg_get_expr(d.adbin, d.adrelid), ''), ','"
	"  ORDER BY attrelid::regclass::text, attnum))"
	" FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
	" LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
	" WHERE c.relnamespace = 'public'::regnamespace AND a.attnum > 0 AND NOT a.attisdropped",
	"SELECT md5(string_agg(relname || '|' || relkind::text || '|' || coalesce(relacl::text, ''), ','"
	"  ORDER BY relname)) FROM pg_class WHERE relnamespace = 'public'::regnamespace",
	"SELECT md5(string_agg(key || '|' || value || '|' || accepts || '|' || about, ',' ORDER BY key))"
	" FROM baton_setting",
};

/* A database that a release left at its last version, migrated by this
 * binary, is the same as a new one: nothing a later migration does depends
 * on being applied together with the earlier ones. */
/* 041 rewrites import_record's raw hash: the records an older schema has
 * keep their hashes, and the planner has statistics for the new column at
 * once (without them an unchanged re-import's join with the records was
 * planned as a nested loop of index probes). */
static void test_raw_hash_upgrade_analyzed(void)
{
	const char *db = itest_newdb("template1");
	PGconn *c = itest_connect(db, NULL);
	char err[1024] = "";
	CHECK(migrate_run_upto(c, 40, NULL, err, sizeof err) == 40);
	CHECK(itest_ok(c, "INSERT INTO import_run (id, source, entity, file)"
	                  " VALUES ('00000000-0000-4000-8000-0000000000d1', 'up', 'customers', 'f')"));
	CHECK(itest_ok(c, "INSERT INTO customer (id, name) VALUES (1, 'Up')"));
	CHECK(itest_ok(c, "INSERT INTO import_record (source, source_id, entity, target_id, customer_id, digest, run_id)"
	                  " SELECT 'up', i::text, 'customers', 1, 1,"
	                  "  md5(i::text) || lpad(to_hex(i), 16, '0'), '00000000-0000-4000-8000-0000000000d1'"
	                  " FROM generate_series(1, 200) i"));
	/* (Up to 101: 102 has every customer record taken again, its hash
	 * with it; test_punycode_upgrade.) */
	CHECK(migrate_run_upto(c, 101, NULL, err, sizeof err) == 101 - 40);
	CHECK_STR(itest_value(c, "SELECT count(*) FROM import_record WHERE raw_hash = source_id::bigint"), "200");
	CHECK_STR(itest_value(c, "SELECT count(*) FROM pg_stats WHERE schemaname = 'public'"
	                         " AND tablename = 'import_record' AND attname = 'raw_hash'"), "1");
	PQfinish(c);
}

/* 073: contacts imported with an address as mail clients write it keep
 * only the address after the upgrade, audited; others are untouched. */
static void test_email_address_upgrade(void)
{
	const char *db = itest_newdb("template1");
	PGconn *c = itest_connect(db, NULL);
	char err[1024] = "";
	CHECK(migrate_run_upto(c, 72, NULL, err, sizeof err) == 72);
	CHECK(itest_ok(c, "INSERT INTO customer (id, name) VALUES (1, 'Acme')"));
	CHECK(itest_ok(c, "INSERT INTO contact (customer_id, name, email) VALUES"
	                  " (1, 'Ann Lee', '\"Ann Lee\" <ann@acme.example>'), (1, 'Bo', 'bo@acme.example'),"
	                  " (1, 'Two', 'Ann <a@acme.example>, Bob <b@acme.example>'), (1, 'None', NULL)"));
	long long audit = atoll(itest_value(c, "SELECT count(*) FROM baton_audit"));
	CHECK(migrate_run(c, NULL, err, sizeof err) == migrations_after(72));
	CHECK_STR(itest_value(c, "SELECT string_agg(name || '=' || coalesce(email, 'null'), ', ' ORDER BY name) FROM contact"),
	          "Ann Lee=ann@acme.example, Bo=bo@acme.example, None=null,"
	          " Two=Ann <a@acme.example>, Bob <b@acme.example>");
	CHECK(atoll(itest_value(c, "SELECT count(*) FROM baton_audit")) == audit + 1);
	PQfinish(c);
}

/* 082: tickets imported before get their record's id as their number
 * (a ticket written without one keeps none), without an audit row or a
 * notice each; their customer's signals are marked to be said again. */
static void test_ticket_number_upgrade(void)
{
	const char *db = itest_newdb("template1");
	PGconn *c = itest_connect(db, NULL);
	char err[1024] = "";
	CHECK(migrate_run_upto(c, 81, NULL, err, sizeof err) == 81);
	CHECK(itest_ok(c, "INSERT INTO import_run (id, source, entity, file)"
	                  " VALUES ('00000000-0000-4000-8000-0000000000d3', 'zd', 'tickets', 'f')"));
	CHECK(itest_ok(c, "INSERT INTO customer (id, name) VALUES (1, 'Acme')"));
	CHECK(itest_ok(c, "INSERT INTO ticket (id, customer_id, subject) VALUES (1, 1, 'Imported'), (2, 1, 'Typed in')"));
	CHECK(itest_ok(c, "INSERT INTO import_record (source, source_id, entity, target_id, customer_id, digest, run_id)"
	                  " VALUES ('zd', '4812', 'tickets', 1, 1, 'x', '00000000-0000-4000-8000-0000000000d3')"));
	CHECK(itest_ok(c, "DELETE FROM signal_dirty"));
	long long audit = atoll(itest_value(c, "SELECT count(*) FROM baton_audit"));
	CHECK(itest_ok(c, "LISTEN baton"));
	CHECK(migrate_run(c, NULL, err, sizeof err) == migrations_after(81));
	CHECK_STR(itest_value(c, "SELECT string_agg(id || '=' || coalesce(number, 'null'), ', ' ORDER BY id) FROM ticket"),
	          "1=4812, 2=null");
	CHECK(atoll(itest_value(c, "SELECT count(*) FROM baton_audit")) == audit);
	PQconsumeInput(c);
	PGnotify *n = PQnotifies(c);
	CHECK(n == NULL);
	PQfreemem(n);
	CHECK_STR(itest_value(c, "SELECT string_agg(DISTINCT customer_id::text, ',') FROM signal_dirty"), "1");
	/* The triggers the backfill went without are back. */
	CHECK_STR(itest_value(c, "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'ticket'::regclass"
	                         " AND NOT tgisinternal AND tgenabled <> 'O'"), "0");
	PQfinish(c);
}

/* 142: a contact imported with no reference to its customer was found by
 * its address, which its record keeps after the upgrade (lower case, as a
 * split compares it); a contact found by reference, and other records,
 * keep none. */
static void test_via_upgrade(void)
{
	const char *db = itest_newdb("template1");
	PGconn *c = itest_connect(db, NULL);
	char err[1024] = "";
	CHECK(migrate_run_upto(c, 141, NULL, err, sizeof err) == 141);
	CHECK(itest_ok(c, "INSERT INTO import_run (id, source, entity, file)"
	                  " VALUES ('00000000-0000-4000-8000-0000000000e2', 'zd', 'contacts', 'f')"));
	CHECK(itest_ok(c, "INSERT INTO customer (id, name) VALUES (1, 'Acme')"));
	CHECK(itest_ok(c, "INSERT INTO contact (id, customer_id, name, email) VALUES"
	                  " (1, 1, 'Ann', ' Ann@Acme.example'), (2, 1, 'Bo', 'bo@acme.example'), (3, 1, 'Cy', NULL)"));
	CHECK(itest_ok(c, "INSERT INTO ticket (id, customer_id, subject) VALUES (1, 1, 'Help')"));
	CHECK(itest_ok(c, "INSERT INTO import_record (source, source_id, entity, target_id, customer_id, digest, run_id, parent)"
	                  " VALUES ('zd', 'u1', 'contacts', 1, 1, 'x', '00000000-0000-4000-8000-0000000000e2', NULL),"
	                  " ('zd', 'u2', 'contacts', 2, 1, 'x', '00000000-0000-4000-8000-0000000000e2', 'zo:7'),"
	                  " ('zd', 'u3', 'contacts', 3, 1, 'x', '00000000-0000-4000-8000-0000000000e2', NULL),"
	                  " ('zd', 't1', 'tickets', 1, 1, 'x', '00000000-0000-4000-8000-0000000000e2', NULL)"));
	CHECK(migrate_run(c, NULL, err, sizeof err) == migrations_after(141));
	CHECK_STR(itest_value(c, "SELECT string_agg(source_id || '=' || coalesce(via, 'null'), ', ' ORDER BY source_id)"
	                         " FROM import_record"),
	          "t1=null, u1=ann@acme.example, u2=null, u3=null");
	PQfinish(c);
}

/* 066 changes what baton_norm_domain says: what holds its results from
 * before is made again.  The index on contacts' domains finds an address in
 * angle brackets by its domain; a customer record's stored domains and a
 * customer's own domain are normalised again (acme.example> was what
 * Ann <ann@acme.example> gave), and no longer hold what is no domain. */
static void test_norm_domain_upgrade(void)
{
	const char *db = itest_newdb("template1");
	PGconn *c = itest_connect(db, NULL);
	char err[1024] = "";
	CHECK(migrate_run_upto(c, 63, NULL, err, sizeof err) == 63);
	CHECK(itest_ok(c, "INSERT INTO import_run (id, source, entity, file)"
	                  " VALUES ('00000000-0000-4000-8000-0000000000d2', 'up', 'customers', 'f')"));
	CHECK(itest_ok(c, "INSERT INTO customer (id, name, domain) VALUES (1, 'Acme', 'acme.example>'),"
	                  " (2, 'Beta', 'beta.example'), (3, 'Beta too', 'beta.example>'), (4, 'Ctl', E'c\\x01tl.example'),"
	                  " (5, 'Mixed', 'Mixed.Example')"));
	CHECK(itest_ok(c, "INSERT INTO import_record (source, source_id, entity, target_id, customer_id, digest, run_id,"
	                  " domains) VALUES"
	                  " ('up', '1', 'customers', 1, 1, 'x', '00000000-0000-4000-8000-0000000000d2',"
	                  "  '{acme.example>,acme.io,acme.example}'),"
	                  " ('up', '2', 'customers', 2, 2, 'x', '00000000-0000-4000-8000-0000000000d2', '{beta.example}'),"
	                  " ('up', '4', 'customers', 4, 4, 'x', '00000000-0000-4000-8000-0000000000d2',"
	                  "  ARRAY[E'c\\x01tl.example', '<ctl.example>', 'ctl.example', 'x\"y.example'])"));
	CHECK(itest_ok(c, "INSERT INTO contact (customer_id, name, email) VALUES"
	                  " (1, 'Ann Lee', '\"Ann Lee\" <ann@acme.example>'), (2, 'Bo', 'bo@beta.example')"));
	CHECK(migrate_run(c, NULL, err, sizeof err) == migrations_after(63));
	CHECK_STR(itest_value(c, "SELECT string_agg(source_id || ':' || array_to_string(domains, ' '), ', '"
	                         " ORDER BY source_id) FROM import_record"),
	          "1:acme.example acme.io, 2:beta.example, 4:ctl.example");
	/* Beta keeps beta.example; what is no domain stays as it was shown. */
	CHECK_STR(itest_value(c, "SELECT string_agg(id || ':' || replace(domain, E'\\x01', '^A'), ', ' ORDER BY id)"
	                         " FROM customer"),
	          "1:acme.example, 2:beta.example, 3:beta.example>, 4:c^Atl.example, 5:Mixed.Example");
	CHECK_STR(itest_value(c, "SET enable_seqscan = off; SELECT string_agg(name, ' ') FROM contact"
	                         " WHERE baton_norm_domain(email) = 'acme.example' AND email IS NOT NULL"), "Ann Lee");
	/* (found through the index, which 066 rebuilt) */
	CHECK_STR(itest_value(c, "EXPLAIN (COSTS off) SELECT name FROM contact"
	                         " WHERE baton_norm_domain(email) = 'acme.example' AND email IS NOT NULL"),
	          "Index Scan using contact_email_domain_idx on contact");
	PQfinish(c);
}

/* 102 decodes labels in Punycode: what holds baton_norm_domain's results
 * from before is made again, as 066's were.  A customer keeps its domain
 * when another customer has the decoded one. */
static void test_punycode_upgrade(void)
{
	const char *db = itest_newdb("template1");
	PGconn *c = itest_connect(db, NULL);
	char err[1024] = "";
	CHECK(migrate_run_upto(c, 101, NULL, err, sizeof err) == 101);
	CHECK(itest_ok(c, "INSERT INTO import_run (id, source, entity, file)"
	                  " VALUES ('00000000-0000-4000-8000-0000000000d3', 'up', 'customers', 'f')"));
	CHECK(itest_ok(c, "INSERT INTO customer (id, name, domain) VALUES (1, 'Buch', 'XN--BCHER-KVA.example'),"
	                  " (2, 'Zwei', 'xn--mnchen-3ya.example'), (3, 'Drei', 'münchen.example'),"
	                  " (4, 'Odd', 'xn--99999999999.example'), (5, 'Pasted', E'past\\u200bed.example')"));
	CHECK(itest_ok(c, "INSERT INTO import_record (source, source_id, entity, target_id, customer_id, digest, run_id,"
	                  " domains) VALUES"
	                  " ('up', '1', 'customers', 1, 1, 'x', '00000000-0000-4000-8000-0000000000d3',"
	                  "  '{xn--bcher-kva.example,acme.example,bücher.example}'),"
	                  " ('up', '2', 'customers', 2, 2, 'x', '00000000-0000-4000-8000-0000000000d3',"
	                  "  '{xn--mnchen-3ya.example}')"));
	CHECK(itest_ok(c, "INSERT INTO contact (customer_id, name, email) VALUES (1, 'Ida', 'ida@XN--BCHER-KVA.example')"));
	CHECK(itest_ok(c, "INSERT INTO import_record (source, source_id, entity, target_id, customer_id, digest, run_id)"
	                  " VALUES ('up', 'k1', 'contacts', 1, 1, 'abc', '00000000-0000-4000-8000-0000000000d3'),"
	                  " ('up', 't1', 'tickets', 1, 1, 'abc', '00000000-0000-4000-8000-0000000000d3')"));
	CHECK(migrate_run(c, NULL, err, sizeof err) == migrations_after(101));
	CHECK_STR(itest_value(c, "SELECT string_agg(source_id || ':' || array_to_string(domains, ' '), ', '"
	                         " ORDER BY source_id) FROM import_record"),
	          "1:bücher.example acme.example, 2:münchen.example");
	/* Customer and contact records are taken again at their next import
	 * (what 066's v took from them cannot be read back); others are not. */
	CHECK_STR(itest_value(c, "SELECT string_agg(source_id || ':' || digest, ' ' ORDER BY source_id) FROM import_record"),
	          "1:v102:x 2:v102:x k1:v102:abc t1:abc");
	CHECK_STR(itest_value(c, "SELECT string_agg(id || ':' || domain, ', ' ORDER BY id) FROM customer"),
	          "1:bücher.example, 2:xn--mnchen-3ya.example, 3:münchen.example, 4:xn--99999999999.example,"
	          " 5:pasted.example");
	CHECK_STR(itest_value(c, "SET enable_seqscan = off; SELECT string_agg(name, ' ') FROM contact"
	                         " WHERE baton_norm_domain(email) = 'bücher.example' AND email IS NOT NULL"), "Ida");
	PQfinish(c);
}

static void test_upgrade_equals_fresh(void)
{
	int at = released[sizeof released / sizeof *released - 1].version;
	const char *db = itest_newdb("template1");
	PGconn *c = itest_connect(db, NULL);
	char err[1024] = "";
	progress_calls = 0;
	CHECK(migrate_run_upto(c, at, progress, err, sizeof err) == at);
	CHECK(progress_calls == at && at <= (int)(sizeof progress_versions / sizeof *progress_versions)
	      && progress_versions[at - 1] == at);
	CHECK(migrate_current(c, err, sizeof err) == at);
	int n = migrate_run(c, NULL, err, sizeof err);
	if (n < 0)
		printf("    %s\n", err);
	CHECK(n == migrations_after(at));
	CHECK(migrate_current(c, err, sizeof err) == migrate_latest());

	PGconn *fresh = itest_connect(itest_newdb("baton_schema"), NULL);
	for (size_t i = 0; i < sizeof schema_parts / sizeof *schema_parts; i++) {
		char *want = strdup(itest_value(fresh, schema_parts[i]));
		if (!want)
			abort();
		CHECK(strlen(want) == 32);
		const char *got = itest_value(c, schema_parts[i]);
		if (strcmp(got, want) != 0)
			printf("    part %zu differs: %.60s...\n", i, schema_parts[i]);
		CHECK_STR(got, want);
		free(want);
	}
	PQfinish(fresh);
	PQfinish(c);
}

/* A database migrated by a build whose version 12 was another migration
 * (before 007-011's changes became 012, 012-014 were 013-015): this
 * binary's 13 and later were written on top of its 12, so nothing is
 * applied and it says which version is not its own. */
static void test_other_numbering_refused(void)
{
	const char *db = itest_newdb("template1");
	PGconn *c = itest_connect(db, NULL);
	char err[1024] = "";
	CHECK(migrations_count >= 13);
	CHECK(migrate_run_upto(c, 12, NULL, err, sizeof err) == 12);
	CHECK_STR(itest_value(c, "UPDATE baton_schema_migrations SET name = 'signal_speed' WHERE version = 12"), "");
	char *before = fingerprint(c);
	progress_calls = 0;
	CHECK(migrate_run(c, progress, err, sizeof err) == -1);
	CHECK(progress_calls == 0);
	CHECK(strstr(err, "migration 12 is not this baton's (") != NULL);
	CHECK(strstr(err, migrations[11].name) != NULL);
	CHECK(strstr(err, "signal_speed") == NULL);  /* the database's text is not repeated */
	char *after = fingerprint(c);
	CHECK_STR(after, before);
	free(before);
	free(after);
	CHECK(migrate_current(c, err, sizeof err) == 12);
	PGconn *c2 = itest_connect(db, NULL);
	CHECK_STR(itest_value(c2, "SELECT pg_try_advisory_lock(7405139021)"), "t");
	PQfinish(c2);

	/* With the name it had, it upgrades. */
	char sql[200];
	snprintf(sql, sizeof sql, "UPDATE baton_schema_migrations SET name = '%s' WHERE version = 12",
	         migrations[11].name);
	CHECK_STR(itest_value(c, sql), "");
	CHECK(migrate_run(c, NULL, err, sizeof err) == migrations_after(12));
	PQfinish(c);
}

int main(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	RUN(test_migrations_are_numbered);
	RUN(test_fresh_database_then_idempotent);
	RUN(test_newer_schema_is_refused);
	RUN(test_failed_migration_is_rolled_back);
	RUN(test_concurrent_runs_apply_once);
	RUN(test_released_migrations_unchanged);
	RUN(test_upgrade_equals_fresh);
	RUN(test_raw_hash_upgrade_analyzed);
	RUN(test_norm_domain_upgrade);
	RUN(test_punycode_upgrade);
	RUN(test_email_address_upgrade);
	RUN(test_ticket_number_upgrade);
	RUN(test_via_upgrade);
	RUN(test_other_numbering_refused);
	RUN(test_schema_objects_exist);
	RUN(test_unaccent_in_another_schema);
	RUN(test_check_constraints_reject_bad_values);
	RUN(test_author_is_the_session_user);
	RUN(test_history_is_append_only);
	RUN(test_config_imported_once);
	RUN(test_config_import_keeps_admin_changes);
	return check_done();
}
