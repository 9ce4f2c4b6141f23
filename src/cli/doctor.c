/* baton doctor */
#include "baton/buf.h"
#include "baton/cli.h"
#include "baton/config.h"
#include "baton/db.h"
#include "baton/import.h"
#include "baton/migrate.h"
#include "baton/text.h"
#include "baton/settings.h"

#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* One line of the doctor's: its status, what it is about, then the text,
 * cleaned as every message is (it quotes the server and libpq). */
static void doctor_line(const char *status, const char *what, const char *fmt, va_list ap)
{
	struct buf raw = BUF_INIT, clean = BUF_INIT;
	buf_vprintf(&raw, fmt, ap);
	text_clean(&clean, buf_str(&raw), raw.len, TEXT_ONELINE);
	printf("%-4s %-11s %s\n", status, what, buf_str(&clean));
	buf_free(&raw);
	buf_free(&clean);
}

static int report(int ok, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int report(int ok, const char *what, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	doctor_line(ok ? "ok" : "FAIL", what, fmt, ap);
	va_end(ap);
	return ok ? 0 : 1;
}

/* Worth knowing, not failing: the exit status stays 0. */
static void warn(const char *what, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void warn(const char *what, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	doctor_line("warn", what, fmt, ap);
	va_end(ap);
}

/* "FILE:LINE: ...": the error names a line to fix. */
static int names_a_line(const char *e)
{
	for (const char *p = strchr(e, ':'); p; p = strchr(p + 1, ':')) {
		size_t d = strspn(p + 1, "0123456789");
		if (d && p[1 + d] == ':')
			return 1;
	}
	return 0;
}

static int doctor_config(const struct cli *cli)
{
	if (cli->cfg_error)
		return report(0, "config", "%s%s", cli->cfg_error,
		              names_a_line(cli->cfg_error) ? ": fix that line" : "");
	if (cli->cfg->nfiles == 0)
		return report(1, "config", "no configuration file; using built-in defaults");
	char files[1024] = "";
	for (size_t i = 0; i < cli->cfg->nfiles; i++) {
		size_t len = strlen(files);
		snprintf(files + len, sizeof files - len, "%s%s", i ? ", " : "", cli->cfg->files[i]);
	}
	return report(1, "config", "read %s", files);
}

/* The signed-in role's staff entry; when it has none, or a disabled one,
 * the exact command an administrator runs. */
static int doctor_staff(PGconn *c)
{
	char err[1024];
	int bad = 0;
	char *role = text_clean_dup(PQuser(c), TEXT_ONELINE);
	PGresult *r = db_exec(c,
		"SELECT s.display_name, t.name, s.is_lead, s.active FROM staff s JOIN team t ON t.id = s.team_id"
		" WHERE s.role_name = session_user", 0, NULL, err, sizeof err);
	/* An administrator or importer needs no staff entry for that work
	 * (the README says so): worth knowing, not a failure. */
	PGresult *k = r && PQntuples(r) == 0
		? db_exec(c, "SELECT CASE WHEN r.rolsuper THEN ''"
		             " WHEN pg_has_role(session_user, (SELECT c.relowner FROM pg_class c"
		             "  WHERE c.oid = to_regclass('customer')), 'MEMBER') THEN 'owner'"
		             " WHEN pg_has_role(session_user, 'baton_admin', 'MEMBER') THEN 'an administrator'"
		             " WHEN pg_has_role(session_user, 'baton_importer', 'MEMBER') THEN 'an importer' ELSE '' END"
		             " FROM pg_roles r WHERE r.rolname = session_user",
		          0, NULL, err, sizeof err)
		: NULL;
	if (!r)
		bad = report(0, "staff", "%s", err);
	else if (PQntuples(r) == 0 && k && PQntuples(k) == 1 && !strcmp(PQgetvalue(k, 0, 0), "owner"))
		warn("staff", "role %s owns Baton's tables: it runs migrate and administers, and is no staff member"
		     " (row-level security does not apply to an owner); people, you too, use login roles of"
		     " their own ('baton staff add NAME --name NAME --team TEAM')", role);
	else if (PQntuples(r) == 0 && k && PQntuples(k) == 1 && PQgetvalue(k, 0, 0)[0])
		warn("staff", "role %s is %s without a staff entry: the commands of that work need none; the console"
		     " shows no customers until an administrator runs 'baton staff add %s --name NAME --team TEAM'",
		     role, PQgetvalue(k, 0, 0), role);
	else if (PQntuples(r) == 0)
		bad = report(0, "staff", "role %s has no active staff entry: an administrator can add it"
		             " with 'baton staff add %s --name NAME --team TEAM'", role, role);
	else if (PQgetvalue(r, 0, 3)[0] != 't')
		bad = report(0, "staff", "role %s has no active staff entry (disabled): an administrator"
		             " can run 'baton staff enable %s'", role, role);
	else
		report(1, "staff", "%s, %s%s", PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 1),
		       PQgetvalue(r, 0, 2)[0] == 't' ? " (lead)" : "");
	PQclear(r);
	PQclear(k);
	free(role);
	return bad;
}

/* Behind by more than one WAL segment: worth a warning. */
#define DOCTOR_LAG_WARN_BYTES (16LL * 1024 * 1024)

/* The standby of database.read_conninfo: reachable, a standby, how far
 * behind the primary (c, NULL if that is down).  The console's reads fall
 * back to the primary by themselves, so each problem is a warning; the
 * conninfo itself is never printed (it may hold a password). */
static void doctor_reads(const struct cli *cli, PGconn *c)
{
	char err[1024];
	const char *ri = cli->cfg ? cli->cfg->read_conninfo : NULL;
	if (!ri || !*ri) {
		report(1, "reads", "no database.read_conninfo: the console reads from the primary");
		return;
	}
	PGconn *s = db_connect(cli->cfg, ri, err, sizeof err);
	if (!s) {
		warn("reads", "cannot reach read_conninfo (%s): the console reads from the primary", err);
		return;
	}
	char *host = text_clean_dup(PQhost(s) ? PQhost(s) : "?", TEXT_ONELINE);
	const char *where = host[0] == '/' ? "a local socket" : host;
	PGresult *r = db_exec(s, "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text,"
	                         " extract(epoch FROM now() - pg_last_xact_replay_timestamp())::bigint",
	                      0, NULL, err, sizeof err);
	PGresult *lag = NULL;
	if (r && PQgetvalue(r, 0, 0)[0] == 't' && c && !PQgetisnull(r, 0, 1)) {
		const char *p[1] = {PQgetvalue(r, 0, 1)};
		lag = db_exec(c, "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1::pg_lsn)::bigint", 1, p,
		              err, sizeof err);
	}
	long long behind = lag ? atoll(PQgetvalue(lag, 0, 0)) : -1;
	if (!r)
		warn("reads", "read_conninfo: %s: the console reads from the primary", err);
	else if (PQgetvalue(r, 0, 0)[0] != 't')
		warn("reads", "read_conninfo reaches a primary on %s, not a standby (pg_is_in_recovery is"
		     " false): reads go to a primary", where);
	else if (behind > DOCTOR_LAG_WARN_BYTES)
		warn("reads", "standby on %s is %lld bytes behind the primary: the console waits for it"
		     " after its own writes, then reads from the primary", where, behind);
	else {
		char lagtxt[64] = "";
		if (!PQgetisnull(r, 0, 2))
			snprintf(lagtxt, sizeof lagtxt, "; last transaction replayed %s s ago", PQgetvalue(r, 0, 2));
		if (behind < 0)
			report(1, "reads", "standby on %s%s", where, lagtxt);
		else
			report(1, "reads", "standby on %s, %lld bytes behind the primary%s", where, behind, lagtxt);
	}
	PQclear(lag);
	PQclear(r);
	free(host);
	PQfinish(s);
}

/* How long a notification may take to come back: a healthy server
 * delivers it in milliseconds. */
#define DOCTOR_NOTIFY_WAIT_MS 3000

static long long doctor_now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Live updates, as the console gets them: it LISTENs on its connection
 * and hears the others' writes there.  So this connection listens on a
 * channel of its own, a second one sends it a notification, and it must
 * come back.  Through a pooler in transaction mode it does not: the
 * LISTEN ran on whichever server session that transaction got, and
 * nothing is delivered to a client between its transactions. */
static int doctor_live(const struct cli *cli, PGconn *c)
{
	char err[1024], chan[64], listen[96];
	snprintf(chan, sizeof chan, "baton_doctor_%ld", (long)getpid());
	snprintf(listen, sizeof listen, "LISTEN %s", chan);
	PGresult *r = db_exec(c, listen, 0, NULL, err, sizeof err);
	if (!r)
		return report(0, "live", "LISTEN: %s", err);
	PQclear(r);
	PGconn *o = db_connect(cli->cfg, cli->conninfo, err, sizeof err);
	if (!o)
		return report(0, "live", "cannot open a second connection to send a notification: %s", err);
	/* Not waited for: behind a pooler it may wait for a server. */
	const char *p[1] = {chan};
	int sent = PQsendQueryParams(o, "SELECT pg_notify($1, 'doctor')", 1, NULL, p, NULL, NULL, 0);
	if (!sent)
		db_explain_error(PQerrorMessage(o), err, sizeof err);
	long long t0 = doctor_now_ms(), waited = 0;
	int got = 0;
	while (sent && !got && (waited = doctor_now_ms() - t0) < DOCTOR_NOTIFY_WAIT_MS) {
		struct pollfd pfd = {PQsocket(c), POLLIN, 0};
		if (poll(&pfd, 1, (int)(DOCTOR_NOTIFY_WAIT_MS - waited)) < 0 || !PQconsumeInput(c))
			break;
		PGnotify *n;
		while ((n = PQnotifies(c)) != NULL) {
			got |= !strcmp(n->relname, chan);
			PQfreemem(n);
		}
	}
	waited = doctor_now_ms() - t0;
	PQfinish(o);
	if (!sent)
		return report(0, "live", "cannot send a notification: %s", err);
	if (got)
		return report(1, "live", "a notification sent from a second connection came back in %lld ms",
		              waited);
	return report(0, "live", "a notification sent from a second connection did not come back within"
	              " %d s: the console would not hear colleagues' changes (pgbouncer in transaction"
	              " pooling? Baton needs pool_mode = session)", DOCTOR_NOTIFY_WAIT_MS / 1000);
}

/* The schema version whose imports stage a large file from a copy in
 * baton_import_work (migration 120). */
#define DOCTOR_IMPORT_WORK_VERSION 120

/* A large file is staged by parallel workers from a copy that the
 * functions' owner makes in its schema baton_import_work; when it may not
 * (the schema gone, someone else's, or the rights revoked), imports still
 * work, on one core: worth knowing, with what to run, not a failure. */
static void doctor_import(PGconn *c)
{
	char err[1024];
	PGresult *r = db_exec(c,
		"SELECT quote_ident(pg_get_userbyid(p.proowner)), quote_ident(pg_get_userbyid(n.nspowner)),"
		" coalesce(public.baton_import_work_unusable(pg_get_userbyid(p.proowner)), '')"
		" FROM pg_proc p LEFT JOIN pg_namespace n ON n.nspname = 'baton_import_work'"
		" WHERE p.oid = to_regprocedure('public.baton_import_apply(uuid, jsonb, text[], integer)')",
		0, NULL, err, sizeof err);
	if (!r || PQntuples(r) != 1) {
		warn("import", "cannot check the schema imports stage large files in: %s",
		     r ? "function public.baton_import_apply is missing" : err);
		PQclear(r);
		return;
	}
	/* Why not, as the stage decides it (baton_import_work_unusable). */
	const char *owner = PQgetvalue(r, 0, 0), *why = PQgetvalue(r, 0, 2);
	if (!strcmp(why, "missing"))
		warn("import", "schema baton_import_work is missing: imports stage a large file on one core;"
		     " as %s or a superuser: CREATE SCHEMA baton_import_work AUTHORIZATION %s", owner, owner);
	else if (!strcmp(why, "owner"))
		warn("import", "schema baton_import_work is owned by %s, not by %s, which owns Baton's functions:"
		     " imports stage a large file on one core; as a superuser: DROP SCHEMA baton_import_work CASCADE;"
		     " CREATE SCHEMA baton_import_work AUTHORIZATION %s", PQgetvalue(r, 0, 1), owner, owner);
	else if (*why)
		warn("import", "role %s, which owns Baton's functions and schema baton_import_work, may not create"
		     " or look up tables there: imports stage a large file on one core;"
		     " GRANT CREATE, USAGE ON SCHEMA baton_import_work TO %s", owner, owner);
	PQclear(r);
}

/* The schema version whose shared domains are the common providers' in
 * every country (migration 133). */
#define DOCTOR_SHARED_DOMAINS_VERSION 133

/* The schema version where a record that joined may move on (migration
 * 153): its merge no longer joins anything. */
#define DOCTOR_MOVES_VERSION 153

/* Merges that only a shared domain, or addresses at one, made: made before
 * the domain was on the list (a free-mail domain missing from it, or one
 * an administrator added since), not split, and whose record has not moved
 * on since.  Each is most likely two companies on one screen; baton merges
 * shows them, baton split undoes. */
#define SHARED_MERGES_HEAD \
	"SELECT count(*), coalesce(string_agg(DISTINCT d, ', '), '') FROM (" \
	" SELECT m.id, min(x.d) AS d FROM public.customer_merge m," \
	" regexp_split_to_table(m.identifiers, ', ') i," \
	" LATERAL (SELECT CASE WHEN i LIKE 'same domain %' THEN substr(i, 13)" \
	"  WHEN i LIKE 'same e-mail %' THEN public.baton_norm_domain(substr(i, 13)) END AS d) x" \
	" WHERE NOT EXISTS (SELECT 1 FROM public.customer_split s WHERE s.merge_id = m.id)"
#define SHARED_MERGES_MOVED \
	" AND NOT EXISTS (SELECT 1 FROM public.import_record_move o WHERE o.merge_id = m.id)"
#define SHARED_MERGES_TAIL \
	" GROUP BY m.id" \
	" HAVING bool_and(coalesce(x.d IN (SELECT s.domain FROM public.baton_shared_domain s), false))) y"

static void doctor_shared_merges(PGconn *c, int version)
{
	char err[1024];
	PGresult *r = db_exec(c, version >= DOCTOR_MOVES_VERSION
		? SHARED_MERGES_HEAD SHARED_MERGES_MOVED SHARED_MERGES_TAIL
		: SHARED_MERGES_HEAD SHARED_MERGES_TAIL,
		0, NULL, err, sizeof err);
	if (!r || PQntuples(r) != 1)
		warn("import", "cannot check the merges made by shared domains: %s", err);
	else if (strcmp(PQgetvalue(r, 0, 0), "0") != 0)
		warn("import", "%s merge%s made only by a shared domain (%s), not split: most likely"
		     " companies whose people use the same free mail; see them with baton merges and undo"
		     " each with baton split", PQgetvalue(r, 0, 0), strcmp(PQgetvalue(r, 0, 0), "1") ? "s were" : " was",
		     PQgetvalue(r, 0, 1));
	PQclear(r);
}

/* The schema version of import_max_merge (migration 139). */
#define DOCTOR_MERGE_LIMIT_VERSION 139

/* Customers holding more companies of one source than import_max_merge:
 * made so before the limit (or while it was higher), most likely by a
 * chain of records a mapping's mistake made; a record of a file that
 * would join one is not merged but makes a customer of its own. */
static void doctor_merge_limit(PGconn *c)
{
	char err[1024];
	PGresult *r = db_exec(c,
		"SELECT count(*), coalesce(public.baton_import_some(array_agg(format('#%s (%s of %s)',"
		"  x.customer_id, x.n, x.source) ORDER BY x.n DESC, x.customer_id), 3, ', ', ' and more'), ''), min(x.lim)"
		" FROM (SELECT DISTINCT ON (r.customer_id) r.customer_id, r.source, count(*) AS n, l.lim"
		"  FROM public.import_record r,"
		"   (SELECT s.value::integer AS lim FROM public.baton_setting s WHERE s.key = 'import_max_merge') l"
		"  WHERE r.entity = 'customers' GROUP BY r.customer_id, r.source, l.lim HAVING count(*) > l.lim"
		"  ORDER BY r.customer_id, count(*) DESC, r.source) x",
		0, NULL, err, sizeof err);
	if (!r || PQntuples(r) != 1)
		warn("import", "cannot check the customers over import_max_merge: %s", err);
	else if (db_value_ll(r, 0, 0) > 0) {
		long long n = db_value_ll(r, 0, 0);
		warn("import", "%lld customer%s more companies of one source than import_max_merge (%s): %s;"
		     " a record that would join one is not merged but makes a customer of its own: baton merges"
		     " --customer shows how each was made (baton split undoes a merge), or an administrator"
		     " raises the limit", n, n == 1 ? " holds" : "s hold", PQgetvalue(r, 0, 2), PQgetvalue(r, 0, 1));
	}
	PQclear(r);
}

/* Each import source's time zone, which every file of it sets: one the
 * server's time zone database lacks fails every import of the source. */
static int doctor_timezones(const struct cli *cli, PGconn *c)
{
	char err[1024];
	int bad = 0;
	for (size_t i = 0; cli->cfg->import && i < cli->cfg->import->nsources; i++) {
		const struct import_source *s = &cli->cfg->import->sources[i];
		int known = s->timezone ? import_timezone_known(c, s->timezone, err, sizeof err) : 1;
		if (known < 0)
			warn("import", "cannot check source %s's time zone: %s", s->name, err);
		else if (!known)
			bad |= report(0, "import", "source %s: timezone \"%s\" (%s) is not a time zone the server knows:"
			              " its imports fail", s->name, s->timezone, s->timezone_at ? s->timezone_at : "?");
	}
	return bad;
}

/* *config: a check found the configuration wrong (exit status 3). */
static int doctor_database(const struct cli *cli, int *config)
{
	char err[1024];
	int bad = 0;
	PGconn *c = db_connect(cli->cfg, cli->conninfo, err, sizeof err);
	if (!c) {
		report(0, "connection", "%s", err);
		doctor_reads(cli, NULL);
		return 1;
	}
	const char *host = PQhost(c);
	int sv = PQserverVersion(c);
	report(1, "connection", "database %s as %s on %s (PostgreSQL %d.%d)", PQdb(c), PQuser(c),
	       host && host[0] == '/' ? "local socket" : (host ? host : "?"), sv / 10000, sv % 100);

	int cur = migrate_current(c, err, sizeof err);
	int latest = migrate_latest();
	if (cur < 0)
		bad |= report(0, "schema", "%s", err);
	else if (cur == 0)
		bad |= report(0, "schema", "no Baton schema in this database: run 'baton migrate'");
	else if (cur < latest)
		bad |= report(0, "schema", "version %d, this baton expects %d: run 'baton migrate'", cur,
		              latest);
	else if (cur > latest)
		bad |= report(0, "schema", "version %d is newer than this baton (%d): upgrade baton", cur,
		              latest);
	else
		report(1, "schema", "version %d, up to date", cur);

	if (cur > 0)
		bad |= doctor_staff(c);
	if (cur >= DOCTOR_IMPORT_WORK_VERSION)
		doctor_import(c);
	if (cur >= DOCTOR_SHARED_DOMAINS_VERSION)
		doctor_shared_merges(c, cur);
	if (cur >= DOCTOR_MERGE_LIMIT_VERSION)
		doctor_merge_limit(c);
	/* A setting to mend, as baton import says it (status 3). */
	*config |= doctor_timezones(cli, c);
	bad |= doctor_live(cli, c);
	doctor_reads(cli, c);
	PQfinish(c);
	return bad;
}

int cli_doctor(const struct cli *cli, int argc, char **argv)
{
	static const char usage[] =
		"Usage: baton [-c FILE] [-d CONNINFO] doctor\n"
		"Check the configuration, the database connection, the schema version,\n"
		"your staff entry, live updates (a notification sent from a second\n"
		"connection comes back: not through transaction pooling) and the standby\n"
		"of database.read_conninfo (reachable, a standby, how far behind); one line\n"
		"each, with what to do when something is wrong. A standby problem is a\n"
		"warning: reads fall back to the primary; so is an import that would\n"
		"stage a large file on one core (schema baton_import_work), a merge\n"
		"that only a shared domain made (baton split undoes it), and customers\n"
		"over import_max_merge (merged while it was higher). An import\n"
		"source's time zone the server does not know is a configuration error.\n"
		"Exit status 3 when the configuration is wrong, else 1 when another\n"
		"check fails.\n";
	if (cli_wants_help(argc, argv, usage))
		return EXIT_OK;
	if (argc > 1) {
		cli_error("doctor takes no arguments. Try 'baton doctor --help'.");
		return EXIT_USAGE;
	}
	/* Every check runs; the status is the worst kind of failure, as the
	 * other commands give it: the configuration's 3 before any other 1. */
	int bad_config = doctor_config(cli);
	int bad = doctor_database(cli, &bad_config);
	return bad_config ? EXIT_CONFIG : bad ? EXIT_FAIL : EXIT_OK;
}
