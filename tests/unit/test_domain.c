/* Unit tests for the database-free parts of the core: ages, finder
 * patterns, priorities, connection strings, UUIDs and error messages. */
#include "baton/config.h"
#include "baton/customer.h"
#include "baton/db.h"
#include "baton/finder.h"

#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

static const char *age(long long s)
{
	static char out[32];
	fmt_age(out, sizeof out, s);
	return out;
}

static const char *left(long long s)
{
	static char out[32];
	fmt_left(out, sizeof out, s);
	return out;
}

#define MIN 60LL
#define HOUR 3600LL
#define DAY 86400LL

static void test_fmt_age(void)
{
	CHECK_STR(age(-1), "-");
	CHECK_STR(age(0), "0m");
	CHECK_STR(age(59), "0m");
	CHECK_STR(age(MIN), "1m");
	CHECK_STR(age(HOUR - 1), "59m");
	CHECK_STR(age(HOUR), "1h");
	CHECK_STR(age(5 * HOUR + 59 * MIN), "5h");
	CHECK_STR(age(DAY - 1), "23h");
	CHECK_STR(age(DAY), "1d");
	CHECK_STR(age(2 * DAY + 3 * HOUR), "2d");
	CHECK_STR(age(14 * DAY - 1), "13d");
	CHECK_STR(age(14 * DAY), "2w");
	CHECK_STR(age(60 * DAY - 1), "8w");
	CHECK_STR(age(60 * DAY), "2mo");
	CHECK_STR(age(729 * DAY), "24mo");
	CHECK_STR(age(730 * DAY), "2y");
	CHECK_STR(age(3650 * DAY), "10y");

	/* A short buffer is truncated, never overrun. */
	char tiny[3] = "zz";
	fmt_age(tiny, sizeof tiny, 20 * HOUR);
	CHECK_STR(tiny, "20");
}

static void test_fmt_left(void)
{
	CHECK_STR(left(4 * HOUR), "in 4h");
	CHECK_STR(left(0), "in 0m");
	CHECK_STR(left(-1), "0m over");
	CHECK_STR(left(-2 * HOUR), "2h over");
	CHECK_STR(left(-3 * DAY), "3d over");
	CHECK_STR(left(20 * DAY), "in 2w");
}

static void test_finder_query_trims_and_escapes(void)
{
	/* Only trimmed: the statement makes its patterns from the text, after
	 * folding it (tests/integration/test_finder.c matches % _ \ literally). */
	struct finder_query f;
	CHECK(finder_query_init(&f, "  north \t\n") == 0);
	CHECK_STR(f.text, "north");
	CHECK(f.params[0] == f.text);
	finder_query_free(&f);
	CHECK(f.text == NULL);

	/* Inner spaces stay; LIKE metacharacters and UTF-8 pass untouched. */
	CHECK(finder_query_init(&f, " North Star ") == 0);
	CHECK_STR(f.text, "North Star");
	finder_query_free(&f);
	CHECK(finder_query_init(&f, "50%_off\\x") == 0);
	CHECK_STR(f.text, "50%_off\\x");
	finder_query_free(&f);
	CHECK(finder_query_init(&f, " Łódź ") == 0);
	CHECK_STR(f.text, "Łódź");
	finder_query_free(&f);
}

static void test_finder_query_empty(void)
{
	struct finder_query f;
	CHECK(finder_query_init(&f, "") == -1);
	CHECK(f.text == NULL);
	finder_query_free(&f);
	CHECK(finder_query_init(&f, " \t\r\n ") == -1);
	CHECK(f.text == NULL);
	finder_query_free(&f);
}

static void test_finder_statement_short_texts_use_prefixes(void)
{
	struct finder_query a, b, c, d;
	struct db_stmt sa, sb, sc, sd;
	CHECK(finder_query_init(&a, "No") == 0);
	CHECK(finder_query_init(&b, "Nor") == 0);
	CHECK(finder_query_init(&c, "東京") == 0);   /* 2 characters, 6 bytes */
	CHECK(finder_query_init(&d, "Łód") == 0);    /* 3 characters, 5 bytes */
	finder_statement(&a, &sa);
	finder_statement(&b, &sb);
	finder_statement(&c, &sc);
	finder_statement(&d, &sd);
	CHECK(sa.sql != NULL && sb.sql != NULL);
	CHECK(sa.sql != sb.sql && strcmp(sa.sql, sb.sql) != 0);
	CHECK(sc.sql == sa.sql);  /* characters, not bytes, are counted */
	CHECK(sd.sql == sb.sql);
	/* Both take the text alone; only the longer one matches inside names. */
	CHECK(strstr(sa.sql, "baton_find($1, false)") != NULL);
	CHECK(strstr(sb.sql, "baton_find($1, true)") != NULL);
	CHECK(sa.nparams == 1 && sa.params == a.params);
	CHECK(sb.nparams == 1 && sb.params == b.params);
	finder_query_free(&a);
	finder_query_free(&b);
	finder_query_free(&c);
	finder_query_free(&d);
}

static void test_priority_names(void)
{
	CHECK(priority_from_name("urgent") == PRIO_URGENT);
	CHECK(priority_from_name("high") == PRIO_HIGH);
	CHECK(priority_from_name("normal") == PRIO_NORMAL);
	CHECK(priority_from_name("low") == PRIO_LOW);
	CHECK(priority_from_name("Urgent") == -1);
	CHECK(priority_from_name("critical") == -1);
	CHECK(priority_from_name("") == -1);
	CHECK(priority_from_name(" low") == -1);
	CHECK(priority_from_name(NULL) == -1);
	for (int p = 0; p < PRIO_COUNT; p++)
		CHECK(priority_from_name(priority_name((enum priority)p)) == p);
	CHECK_STR(priority_name(PRIO_COUNT), "?");
	CHECK_STR(priority_name((enum priority)-1), "?");
}

static void test_conninfo_check_accepts_valid(void)
{
	char err[512] = "untouched";
	CHECK(db_conninfo_check(NULL, err, sizeof err) == 0);
	CHECK(db_conninfo_check("", err, sizeof err) == 0);
	CHECK(db_conninfo_check("baton", err, sizeof err) == 0);
	CHECK(db_conninfo_check("dbname=baton user=ana", err, sizeof err) == 0);
	CHECK(db_conninfo_check("host=db1,db2 dbname=baton target_session_attrs=read-write", err,
	                        sizeof err) == 0);
	CHECK(db_conninfo_check("dbname='my db' password='x y'", err, sizeof err) == 0);
	CHECK(db_conninfo_check("postgresql://ana@localhost:5432/baton?sslmode=require", err,
	                        sizeof err) == 0);
	CHECK(db_conninfo_check("postgres:///baton", err, sizeof err) == 0);
	CHECK(db_conninfo_check("service=baton", err, sizeof err) == 0);
	CHECK_STR(err, "untouched");
}

static void test_conninfo_check_never_echoes_a_password(void)
{
	static const char *const bad[] = {
		"dbname=baton password=secret port",       /* missing '=' */
		"host=db password=secret dbname='unterminated",
		"password=sec ret dbname=baton",             /* libpq would quote "ret" */
		"password=secret bogus_option=1",
		"postgresql://ana:secret@[::1/baton",         /* broken IPv6 literal */
		"postgresql://ana:secret@db/baton?bogus=secret",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		char err[512] = "";
		int rc = db_conninfo_check(bad[i], err, sizeof err);
		CHECK(rc == -1);
		CHECK(strstr(err, "invalid connection string") != NULL);
		CHECK(strstr(err, "secret") == NULL);
		CHECK(strstr(err, "\"ret\"") == NULL);
		CHECK(strchr(err, '\n') == NULL);
		if (rc != -1 || strstr(err, "secret"))
			printf("    case %zu: rc %d \"%s\"\n", i, rc, err);
	}
}

static void test_conninfo_check_explains_without_secrets(void)
{
	/* Without a password in it, libpq's reason is worth showing. */
	char err[512] = "";
	CHECK(db_conninfo_check("dbname=baton bogus_option=1", err, sizeof err) == -1);
	CHECK(strstr(err, "invalid connection string") != NULL);
	CHECK(strstr(err, "bogus_option") != NULL);
	CHECK(strchr(err, '\n') == NULL);

	/* Beside a password, an unknown option is still named (its name is no
	 * secret), unless it is the unquoted rest of the password itself. */
	CHECK(db_conninfo_check("user=ana bogus_option=1 password=secret", err, sizeof err) == -1);
	CHECK(strstr(err, "invalid connection option \"bogus_option\"") != NULL);
	CHECK(strstr(err, "secret") == NULL);
	CHECK(db_conninfo_check("user=ana password=abc def=1", err, sizeof err) == -1);
	CHECK(strstr(err, "right after the password") != NULL);
	CHECK(strstr(err, "def") == NULL);
	CHECK(strstr(err, "abc") == NULL);

	/* A tiny buffer is filled and terminated, not overrun. */
	char tiny[8];
	memset(tiny, 'x', sizeof tiny);
	CHECK(db_conninfo_check("dbname=baton bogus_option=1", tiny, sizeof tiny) == -1);
	CHECK(memchr(tiny, '\0', sizeof tiny) != NULL);
}

static int is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

static void test_uuid_format_and_uniqueness(void)
{
	enum { N = 2000 };
	static char ids[N][37];
	int bad_format = 0;
	for (int i = 0; i < N; i++) {
		memset(ids[i], '!', sizeof ids[i]);
		CHECK(db_uuid(ids[i]) == 0);
		const char *u = ids[i];
		int ok = strlen(u) == 36;
		for (int j = 0; ok && j < 36; j++) {
			if (j == 8 || j == 13 || j == 18 || j == 23)
				ok = u[j] == '-';
			else
				ok = is_hex(u[j]);
		}
		/* Version 4, RFC 4122 variant (10xx). */
		ok = ok && u[14] == '4' && strchr("89ab", u[19]) != NULL;
		bad_format += !ok;
		if (!ok && bad_format == 1)
			printf("    bad uuid: %.37s\n", u);
	}
	CHECK(bad_format == 0);
	qsort(ids, N, sizeof ids[0], cmp_str);
	int dup = 0;
	for (int i = 1; i < N; i++)
		dup += strcmp(ids[i - 1], ids[i]) == 0;
	CHECK(dup == 0);

	/* The random bits do vary: each of the 30 free hex positions takes
	 * more than one value across the sample. */
	int constant = 0;
	for (int j = 0; j < 36; j++) {
		if (j == 8 || j == 13 || j == 14 || j == 18 || j == 23)
			continue;
		int varies = 0;
		for (int i = 1; i < N && !varies; i++)
			varies = ids[i][j] != ids[0][j];
		constant += !varies;
	}
	CHECK(constant == 0);
}

static const char *explain(const char *msg)
{
	static char out[1024];
	memset(out, 'x', sizeof out);
	db_explain_error(msg, out, sizeof out);
	return out;
}

static void test_explain_error_one_line(void)
{
	const char *e = explain(
		"connection to server on socket \"/run/pg/.s.PGSQL.5432\" failed: FATAL:  database \"nope\" does not exist\n");
	CHECK(strchr(e, '\n') == NULL);
	CHECK(strstr(e, "  ") == NULL);
	const char *start = "connection to server on socket \"/run/pg/.s.PGSQL.5432\" failed: ";
	CHECK(strncmp(e, start, strlen(start)) == 0);
	CHECK(strstr(e, "failed: FATAL: database \"nope\" does not exist (") != NULL);
	CHECK(strstr(e, "(create it, or name another: -d, the configuration's conninfo or PGDATABASE)") != NULL);

	/* Several lines (DETAIL, HINT) join into one with single spaces. */
	e = explain("ERROR:  permission denied for table handoff\nDETAIL:\tsomething\r\n"
	            "HINT:  ask\n\n");
	CHECK_STR(e, "ERROR: permission denied for table handoff DETAIL: something HINT: ask");

	CHECK_STR(explain(""), "unknown database error");
	CHECK_STR(explain("\n  \n"), "unknown database error");
	CHECK_STR(explain(NULL), "unknown database error");

	/* A short buffer still gets a terminated prefix. */
	char tiny[10];
	memset(tiny, 'x', sizeof tiny);
	db_explain_error("FATAL:  role \"bob\" does not exist\n", tiny, sizeof tiny);
	CHECK_STR(tiny, "FATAL: ro");
}

static void test_explain_error_hints(void)
{
	const char *e;
	e = explain("connection to server at \"10.0.0.5\", port 5432 failed: FATAL:  password authentication failed for user \"ana\"\n");
	CHECK(strstr(e, "password authentication failed for user \"ana\"") != NULL);
	CHECK(strstr(e, "~/.pgpass") != NULL);

	e = explain("connection to server at \"10.0.0.5\", port 5432 failed: fe_sendauth: no password supplied\n");
	CHECK(strstr(e, "~/.pgpass") != NULL);

	e = explain("connection to server on socket \"/tmp/.s.PGSQL.5432\" failed: FATAL:  role \"bob\" does not exist\n");
	CHECK(strstr(e, "role \"bob\" does not exist") != NULL);
	CHECK(strstr(e, "login role") != NULL);
	CHECK(strstr(e, "PGDATABASE") == NULL);

	e = explain("connection to server on socket \"/tmp/.s.PGSQL.5432\" failed: No such file or directory\n\tIs the server running locally and accepting connections on that socket?\n");
	CHECK(strchr(e, '\n') == NULL && strchr(e, '\t') == NULL);
	CHECK(strstr(e, "is the server running? check -d, the configuration's conninfo, PGHOST and PGPORT") != NULL);

	e = explain("connection to server at \"db.example\" (10.1.1.1), port 5432 failed: Connection refused\n");
	CHECK(strstr(e, "PGHOST") != NULL);
	e = explain("could not translate host name \"dbx\" to address: Name or service not known\n");
	CHECK(strstr(e, "PGHOST") != NULL);
	e = explain("connection to server at \"10.9.9.9\", port 5432 failed: timeout expired\n");
	CHECK(strstr(e, "PGHOST") != NULL);

	/* An unknown message is passed on without a made-up hint. */
	e = explain("ERROR:  relation \"customer\" does not exist\n");
	CHECK_STR(e, "ERROR: relation \"customer\" does not exist");
}

static void test_explain_error_hint_follows_the_server_message(void)
{
	/* The hint must come from what the server said, not from a host or
	 * socket name that happens to contain "database". */
	const char *e = explain(
		"connection to server at \"database.example.com\" (10.0.0.7), port 5432 failed: FATAL:  role \"bob\" does not exist\n");
	CHECK(strstr(e, "login role") != NULL);
	CHECK(strstr(e, "PGDATABASE") == NULL);
}

int main(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	RUN(test_fmt_age);
	RUN(test_fmt_left);
	RUN(test_finder_query_trims_and_escapes);
	RUN(test_finder_query_empty);
	RUN(test_finder_statement_short_texts_use_prefixes);
	RUN(test_priority_names);
	RUN(test_conninfo_check_accepts_valid);
	RUN(test_conninfo_check_never_echoes_a_password);
	RUN(test_conninfo_check_explains_without_secrets);
	RUN(test_uuid_format_and_uniqueness);
	RUN(test_explain_error_one_line);
	RUN(test_explain_error_hints);
	RUN(test_explain_error_hint_follows_the_server_message);
	return check_done();
}
