/*
 * Helpers for integration tests: run by tests/run.sh with PG* variables
 * pointing at a throwaway server that has the databases baton_schema (bare
 * schema) and baton_demo (schema + sql/demo.sql) to clone.
 */
#ifndef BATON_TESTS_ITEST_H
#define BATON_TESTS_ITEST_H

#include <libpq-fe.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "baton/buf.h"

/* What makes this test's names in the server (databases, roles) its own:
 * tests/run.sh's BATON_TEST_ID (why not the PID: there), or the PID when
 * run alone. */
static inline const char *itest_id(void)
{
	static char id[32];
	const char *e = getenv("BATON_TEST_ID");
	if (e && *e && strspn(e, "0123456789_") == strlen(e) && strlen(e) < 24)
		snprintf(id, sizeof id, "%s", e);
	else
		snprintf(id, sizeof id, "%d", (int)getpid());
	return id;
}

/* A notice processor (PQsetNoticeProcessor) that appends each notice to
 * the struct buf at arg: auto_explain's plans, sent back as notices. */
static inline void itest_notice_to_buf(void *arg, const char *msg)
{
	buf_puts(arg, msg);
}

/* Create a fresh database cloned from `template`; returns its name in a
 * static buffer.  Exits the test program when the server refuses.  The
 * PID is in the name too, for a test whose forked children make some. */
static inline const char *itest_newdb(const char *template)
{
	static char name[64];
	static int n;
	snprintf(name, sizeof name, "t_%s_%d_%d", itest_id(), (int)getpid(), ++n);
	PGconn *c = PQconnectdb("dbname=postgres");
	if (PQstatus(c) != CONNECTION_OK) {
		printf("FAIL itest_newdb: %s", PQerrorMessage(c));
		exit(1);
	}
	char sql[256];
	snprintf(sql, sizeof sql, "CREATE DATABASE %s TEMPLATE %s", name, template);
	PGresult *r = PQexec(c, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		printf("FAIL itest_newdb: %s", PQresultErrorMessage(r));
		exit(1);
	}
	PQclear(r);
	PQfinish(c);
	return name;
}

/* Connect to db as user (NULL: the harness's superuser). */
static inline PGconn *itest_connect(const char *db, const char *user)
{
	const char *k[] = {"dbname", "user", NULL};
	const char *v[] = {db, user, NULL};
	PGconn *c = PQconnectdbParams(k, v, 0);
	if (PQstatus(c) != CONNECTION_OK) {
		printf("FAIL itest_connect: %s", PQerrorMessage(c));
		exit(1);
	}
	return c;
}

/* Run SQL: 1 if it succeeded, else 0 after printing the error and the SQL. */
static inline int itest_ok(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);
	int good = PQresultStatus(r) == PGRES_TUPLES_OK || PQresultStatus(r) == PGRES_COMMAND_OK;
	if (!good)
		printf("    %s\n    in: %.200s\n", PQresultErrorMessage(r), sql);
	PQclear(r);
	return good;
}

/* Run SQL, return the first value of the first row (static, "" if none). */
static inline const char *itest_value(PGconn *c, const char *sql)
{
	static char out[1024];
	PGresult *r = PQexec(c, sql);
	out[0] = '\0';
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0)
		snprintf(out, sizeof out, "%s", PQgetvalue(r, 0, 0));
	else if (PQresultStatus(r) != PGRES_TUPLES_OK && PQresultStatus(r) != PGRES_COMMAND_OK)
		snprintf(out, sizeof out, "ERROR: %s", PQresultErrorMessage(r));
	PQclear(r);
	return out;
}

/* itest_value of a query written printf-style (values the test itself
 * chose, never outside text): "ERROR: ..." on an error. */
static inline const char *itest_valuef(PGconn *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static inline const char *itest_valuef(PGconn *c, const char *fmt, ...)
{
	char sql[70000];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(sql, sizeof sql, fmt, ap);
	va_end(ap);
	return itest_value(c, sql);
}

/* Whether v is an itest_value error whose message contains with. */
static inline int itest_is_error(const char *v, const char *with)
{
	return strncmp(v, "ERROR", 5) == 0 && strstr(v, with) != NULL;
}

/* Whether connection c's backend is waiting for a lock, within 10 s, as
 * watcher sees it. */
static inline int itest_waits_for_lock(PGconn *watcher, PGconn *c)
{
	for (int i = 0; i < 200; i++) {
		if (!strcmp(itest_valuef(watcher, "SELECT count(*) FROM pg_stat_activity WHERE pid = %d"
		                                  " AND wait_event_type = 'Lock'", PQbackendPID(c)), "1"))
			return 1;
		usleep(50000);
	}
	return 0;
}

/* Whether the statement c sent (PQsendQuery) ended without an error. */
static inline int itest_sent_ok(PGconn *c)
{
	int ok = 1;
	PGresult *r;
	while ((r = PQgetResult(c)) != NULL) {
		if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) {
			printf("    %s", PQresultErrorMessage(r));
			ok = 0;
		}
		PQclear(r);
	}
	return ok;
}

#endif
