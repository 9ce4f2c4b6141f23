#include "baton/db.h"
#include "baton/config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

void db_params_init(struct db_params *p, const struct config *cfg, const char *conninfo)
{
	memset(p, 0, sizeof *p);
	int i = 0;
	if (!conninfo && cfg)
		conninfo = cfg->conninfo;
	/* dbname first: with expand_dbname its contents are parsed as a full
	 * conninfo, and later keywords override it, so ours go before it. */
	p->keywords[i] = "fallback_application_name";
	p->values[i++] = "baton";
	if (cfg && cfg->connect_timeout_s > 0) {
		snprintf(p->timeout, sizeof p->timeout, "%d", cfg->connect_timeout_s);
		p->keywords[i] = "connect_timeout";
		p->values[i++] = p->timeout;
	}
	if (conninfo && *conninfo) {
		p->keywords[i] = "dbname";
		p->values[i++] = conninfo;
	}
	p->keywords[i] = NULL;
	p->values[i] = NULL;
}

/* libpq's 'invalid connection option "x"' quotes only an option's name,
 * worth showing beside a password: 1.  Unless x follows the password, when
 * it may be the unquoted rest of it ("password=abc def=1"): -1.  0: another
 * message. */
static int option_named_alone(const char *conninfo, const char *msg)
{
	static const char head[] = "invalid connection option \"";
	if (strncmp(msg, head, sizeof head - 1) != 0)
		return 0;
	const char *name = msg + sizeof head - 1;
	size_t n = strcspn(name, "\"");
	for (const char *p = conninfo; (p = strstr(p, "=")) != NULL; p++) {
		const char *k = p;
		while (k > conninfo && k[-1] != ' ' && k[-1] != '\t')
			k--;
		if ((size_t)(p - k) != n || strncmp(k, name, n) != 0)
			continue;
		/* The word before it. */
		const char *w = k;
		while (w > conninfo && (w[-1] == ' ' || w[-1] == '\t'))
			w--;
		const char *e = w;
		while (w > conninfo && w[-1] != ' ' && w[-1] != '\t')
			w--;
		return e == conninfo || strncmp(w, "password", 8) != 0 ? 1 : -1;
	}
	return -1;
}

int db_conninfo_check(const char *conninfo, char *err, size_t errlen)
{
	if (!conninfo || !*conninfo)
		return 0;
	/* A plain database name is valid as it is. */
	if (!strchr(conninfo, '=') && strncmp(conninfo, "postgres://", 11) != 0 &&
	    strncmp(conninfo, "postgresql://", 13) != 0)
		return 0;
	char *msg = NULL;
	PQconninfoOption *o = PQconninfoParse(conninfo, &msg);
	if (o) {
		PQconninfoFree(o);
		return 0;
	}
	/* libpq may quote part of the string, which can hold a password. */
	int secret = strstr(conninfo, "password") || strchr(conninfo, '@');
	char detail[256] = "";
	int named = msg && secret ? option_named_alone(conninfo, msg) : 0;
	if (named < 0)
		snprintf(detail, sizeof detail, ": an option libpq does not know, right after the password (not"
		                                " named: it may be part of it; quote a password with spaces,"
		                                " password='...')");
	else if (msg && (!secret || named > 0)) {
		snprintf(detail, sizeof detail, ": %s", msg);
		detail[strcspn(detail, "\n")] = '\0';
	}
	snprintf(err, errlen, "invalid connection string%s (use key=value pairs or a postgresql:// URI, as psql -d does)", detail);
	PQfreemem(msg);
	return -1;
}

void db_explain_error(const char *msg, char *err, size_t errlen)
{
	char line[768];
	size_t j = 0;
	/* One line: libpq separates details with newlines and double spaces. */
	for (size_t i = 0; msg && msg[i] && j + 1 < sizeof line; i++) {
		char c = msg[i];
		if (c == '\n' || c == '\t' || c == '\r')
			c = ' ';
		if (c == ' ' && (j == 0 || line[j - 1] == ' '))
			continue;
		line[j++] = c;
	}
	while (j && line[j - 1] == ' ')
		j--;
	line[j] = '\0';
	const char *hint = "";
	if (strstr(line, "password authentication failed") || strstr(line, "no password supplied"))
		hint = " (check the password in ~/.pgpass, PGPASSWORD or the connection string)";
	else if (strstr(line, "role \"") && strstr(line, "does not exist"))
		hint = " (ask an administrator for a login role, or set PGUSER)";
	else if (strstr(line, "database \"") && strstr(line, "does not exist"))
		hint = " (create it, or name another: -d, the configuration's conninfo or PGDATABASE)";
	else if (strstr(line, "No such file or directory") || strstr(line, "Connection refused") ||
	         strstr(line, "could not translate host name") || strstr(line, "timeout expired"))
		hint = " (is the server running? check -d, the configuration's conninfo, PGHOST and PGPORT)";
	snprintf(err, errlen, "%s%s", line[0] ? line : "unknown database error", hint);
}

int db_timed_out(const PGresult *r)
{
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	const char *said = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	return state && said && !strcmp(state, "57014") && !strcmp(said, "canceling statement due to statement timeout");
}

void db_result_error(const PGresult *r, const PGconn *c, char *err, size_t errlen)
{
	const char *primary = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	if (!primary) {
		db_explain_error(r ? PQresultErrorMessage(r) : PQerrorMessage(c), err, errlen);
		return;
	}
	/* The statement timeout in the console's words. */
	if (db_timed_out(r)) {
		snprintf(err, errlen, "%s", dbq_timed_out);
		return;
	}
	/* The server's own words, without "ERROR:" and PL/pgSQL context. */
	const char *hint = PQresultErrorField(r, PG_DIAG_MESSAGE_HINT);
	char line[768];
	snprintf(line, sizeof line, "%s%s%s", primary, hint ? " (" : "", hint ? hint : "");
	if (hint)
		strncat(line, ")", sizeof line - strlen(line) - 1);
	db_explain_error(line, err, errlen);
}

int db_session_setup(PGconn *c, const struct config *cfg, char *err, size_t errlen)
{
	char ms[32];
	snprintf(ms, sizeof ms, "%d", cfg ? cfg->statement_timeout_ms : 15000);
	const char *params[] = {ms};
	PGresult *r = db_exec(c, "SELECT " DB_SESSION_SET, 1, params, err, errlen);
	if (!r)
		return -1;
	PQclear(r);
	return 0;
}

static void quiet_notice(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

PGconn *db_connect(const struct config *cfg, const char *conninfo, char *err, size_t errlen)
{
	struct db_params p;
	if (!conninfo && cfg)
		conninfo = cfg->conninfo;
	if (db_conninfo_check(conninfo, err, errlen) < 0)
		return NULL;
	db_params_init(&p, cfg, conninfo);
	PGconn *c = PQconnectdbParams(p.keywords, p.values, 1);
	if (!c) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (PQstatus(c) != CONNECTION_OK) {
		db_explain_error(PQerrorMessage(c), err, errlen);
		PQfinish(c);
		return NULL;
	}
	/* Server notices (e.g. "already exists, skipping") are not for users. */
	PQsetNoticeProcessor(c, quiet_notice, NULL);
	if (db_session_setup(c, cfg, err, errlen) < 0) {
		PQfinish(c);
		return NULL;
	}
	return c;
}

static int result_ok(const PGresult *r)
{
	ExecStatusType s = PQresultStatus(r);
	return s == PGRES_TUPLES_OK || s == PGRES_COMMAND_OK;
}

PGresult *db_exec(PGconn *c, const char *sql, int nparams, const char *const *params,
                  char *err, size_t errlen)
{
	PGresult *r = PQexecParams(c, sql, nparams, NULL, params, NULL, NULL, 0);
	if (r && result_ok(r))
		return r;
	db_result_error(r, c, err, errlen);
	PQclear(r);
	return NULL;
}

int db_pipeline(PGconn *c, const struct db_stmt *stmts, int n, PGresult **res,
                char *err, size_t errlen)
{
	for (int i = 0; i < n; i++)
		res[i] = NULL;
	if (!PQenterPipelineMode(c))
		goto conn_error;
	for (int i = 0; i < n; i++)
		if (!PQsendQueryParams(c, stmts[i].sql, stmts[i].nparams, NULL, stmts[i].params,
		                       NULL, NULL, 0))
			goto conn_error;
	if (!PQpipelineSync(c))
		goto conn_error;
	int got = 0, failed = 0;
	for (;;) {
		PGresult *r = PQgetResult(c);
		if (!r) {
			if (PQstatus(c) == CONNECTION_BAD)
				goto conn_error;
			continue; /* end of one statement's results */
		}
		ExecStatusType s = PQresultStatus(r);
		if (s == PGRES_PIPELINE_SYNC) {
			PQclear(r);
			break;
		}
		if (!failed && s == PGRES_FATAL_ERROR) {
			db_result_error(r, c, err, errlen);
			failed = 1;
		}
		if (got < n)
			res[got++] = r;
		else
			PQclear(r);
	}
	PQexitPipelineMode(c);
	if (failed || got != n) {
		if (!failed)
			snprintf(err, errlen, "unexpected number of results from the server");
		for (int i = 0; i < n; i++) {
			PQclear(res[i]);
			res[i] = NULL;
		}
		return -1;
	}
	return 0;
conn_error:
	db_explain_error(PQerrorMessage(c), err, errlen);
	for (int i = 0; i < n; i++) {
		PQclear(res[i]);
		res[i] = NULL;
	}
	if (PQpipelineStatus(c) != PQ_PIPELINE_OFF)
		PQexitPipelineMode(c);
	return -1;
}

int db_uuid(char out[37])
{
	unsigned char b[16];
	size_t got = 0;
	while (got < sizeof b) {
		ssize_t r = getrandom(b + got, sizeof b - got, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		got += (size_t)r;
	}
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(out, 37,
	         "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
	         b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11],
	         b[12], b[13], b[14], b[15]);
	return 0;
}

char *db_value_dup(const PGresult *r, int row, int col)
{
	char *s = strdup(PQgetvalue(r, row, col));
	if (!s)
		abort();
	return s;
}

char *db_value_dup_or_null(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? NULL : db_value_dup(r, row, col);
}

long long db_value_ll(const PGresult *r, int row, int col)
{
	return strtoll(PQgetvalue(r, row, col), NULL, 10);
}

/* The next batch is asked for before this one is seen (db_stream): sent,
 * then taken with fetch_take. */
static int fetch_send(PGconn *c, const char *fetch, char *err, size_t errlen)
{
	if (PQsendQueryParams(c, fetch, 0, NULL, NULL, NULL, NULL, 0))
		return 0;
	db_result_error(NULL, c, err, errlen);
	return -1;
}

static PGresult *fetch_take(PGconn *c, char *err, size_t errlen)
{
	PGresult *r = PQgetResult(c), *more;
	while ((more = PQgetResult(c)))
		PQclear(more);
	if (r && PQresultStatus(r) == PGRES_TUPLES_OK)
		return r;
	db_result_error(r, c, err, errlen);
	PQclear(r);
	return NULL;
}

int db_stream(PGconn *c, const char *sql, int n, const char *const *p, int batch,
              int (*each)(void *arg, const PGresult *r, int last), void *arg, char *err, size_t errlen)
{
	char fetch[64];
	int rc = -1, begun = 0, asked = 0;
	size_t len = strlen(sql) + 64;
	char *q = malloc(len);
	PGresult *r = NULL;
	if (!q) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	snprintf(q, len, "DECLARE baton_rows NO SCROLL CURSOR FOR %s", sql);
	snprintf(fetch, sizeof fetch, "FETCH FORWARD %d FROM baton_rows", batch);
	if (!(r = db_exec(c, "BEGIN", 0, NULL, err, errlen)))
		goto out;
	PQclear(r);
	begun = 1;
	if (!(r = db_exec(c, q, n, p, err, errlen)))
		goto out;
	PQclear(r);
	if (fetch_send(c, fetch, err, errlen) < 0)
		goto out;
	asked = 1;
	for (;;) {
		r = fetch_take(c, err, errlen);
		asked = 0;
		if (!r)
			goto out;
		int got = PQntuples(r);
		if (got == batch && fetch_send(c, fetch, err, errlen) < 0) {
			PQclear(r);
			goto out;
		}
		asked = got == batch;
		int stop = each(arg, r, got < batch);
		PQclear(r);
		if (stop < 0) {
			snprintf(err, errlen, "stopped");
			goto out;
		}
		if (got < batch)
			break;
	}
	if (!(r = db_exec(c, "COMMIT", 0, NULL, err, errlen)))
		goto out;
	PQclear(r);
	begun = 0;
	rc = 0;
out:
	if (asked) { /* a batch asked for and not taken: the connection is busy until it is */
		char ignored[256];
		PQclear(fetch_take(c, ignored, sizeof ignored));
	}
	if (begun)
		PQclear(PQexec(c, "ROLLBACK"));
	free(q);
	return rc;
}
