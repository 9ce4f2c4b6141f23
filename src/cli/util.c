/* Shared by the command-line subcommands. */
#include "baton/buf.h"
#include "baton/cli.h"
#include "baton/csv.h"
#include "baton/customer.h"
#include "baton/db.h"
#include "baton/handoff.h"
#include "baton/signals.h"
#include "baton/text.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Messages often quote what came from the database or the command line:
 * cleaned in one place, so none of it reaches the terminal as a control. */
static char last_error[1024];

void cli_error(const char *fmt, ...)
{
	struct buf raw = BUF_INIT, clean = BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&raw, fmt, ap);
	va_end(ap);
	text_clean(&clean, buf_str(&raw), raw.len, TEXT_MULTILINE);
	fprintf(stderr, "baton: %s\n", buf_str(&clean));
	/* Cut, if it must be, before a character, not inside one. */
	size_t n = clean.len < sizeof last_error - 1 ? clean.len : sizeof last_error - 1;
	if (n < clean.len)
		while (n > 0 && ((unsigned char)buf_str(&clean)[n] & 0xC0) == 0x80)
			n--;
	memcpy(last_error, buf_str(&clean), n);
	last_error[n] = '\0';
	buf_free(&raw);
	buf_free(&clean);
}

const char *cli_last_error(void)
{
	return last_error;
}

/* The server's notice that a statement waits for another import (migration
 * 042: SQLSTATE BI001), or how far a split of a run's merges is (141:
 * BI002), said as the client's own; every other notice stays quiet, as
 * db_connect has them. */
static void show_import_wait(void *arg, const PGresult *r)
{
	(void)arg;
	const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
	const char *msg = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
	if (state && msg && (!strcmp(state, "BI001") || !strcmp(state, "BI002")))
		cli_error("%s", msg);
}

void cli_show_import_waits(PGconn *c)
{
	PQsetNoticeReceiver(c, show_import_wait, NULL);
}

int cli_format(const char *value, int csv_too)
{
	if (!value || !strcmp(value, "text"))
		return 0;
	if (!strcmp(value, "json"))
		return 1;
	if (csv_too && !strcmp(value, "csv"))
		return 2;
	cli_error("--format must be %s", csv_too ? "text, json or csv" : "text or json");
	return -1;
}

int cli_wants_help(int argc, char **argv, const char *usage)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			fputs(usage, stdout);
			return 1;
		}
	}
	return 0;
}

int cli_subcommand(int argc, char **argv, const char *command, const char *usage,
                   const char *const *subs, int *rc)
{
	const char *sub = argc > 1 ? argv[1] : NULL;
	*rc = EXIT_USAGE;
	if (!sub) {
		fputs(usage, stderr);
		return -1;
	}
	if (!strcmp(sub, "-h") || !strcmp(sub, "--help") || !strcmp(sub, "help")) {
		fputs(usage, stdout);
		*rc = EXIT_OK;
		return -1;
	}
	for (int i = 0; subs[i]; i++)
		if (!strcmp(sub, subs[i])) {
			/* The subcommand's getopt reads argv + 1: its messages
			 * then begin "baton team add:", not "add:". */
			static char name[96];
			snprintf(name, sizeof name, "baton %s %s", command, subs[i]);
			argv[1] = name;
			*rc = EXIT_OK;
			return i;
		}
	cli_error("unknown %s command '%s'. Try 'baton %s --help'.", command, sub, command);
	return -1;
}

int cli_number(const char *option, const char *noun, const char *arg, long long min, long long max,
               long long *out)
{
	int rc = text_to_ll(arg, min, max, out);
	if (rc == -1)
		cli_error("%s must be %s, not '%s'", option, noun, arg);
	else if (rc == -2)
		cli_error("%s %s is out of range: from %lld to %lld", option, arg, min, max);
	return rc < 0 ? -1 : 0;
}

int cli_ref_number(const char *option, const char *noun, const char *arg, long long *out)
{
	return cli_number(option, noun, arg + (arg[0] == '#'), 1, LLONG_MAX, out);
}

int cli_ticket_ref(const char *arg)
{
	long long n;
	if (!strncmp(arg, "id:", 3))
		return cli_number("--ticket id:", "a Baton ticket id", arg + 3, 1, LLONG_MAX, &n);
	return cli_ref_number("--ticket", "a ticket number", arg, &n);
}

int cli_check_id(const char *id)
{
	if (!id || handoff_is_uuid(id))
		return 0;
	cli_error("--id must be a UUID (like 0b5f3c1e-7a2d-4c1b-9e8f-2d6a4b1c3e5f), not '%s'", id);
	return -1;
}

int cli_column_is_int(const PGresult *r, int col)
{
	switch (PQftype(r, col)) {
	case 20: /* int8 */
	case 21: /* int2 */
	case 23: /* int4 */
		return 1;
	default:
		return 0;
	}
}

void cli_json_row(struct buf *b, const PGresult *r, int row, const char *const *names)
{
	int n = 0;
	buf_putc(b, '{');
	for (int col = 0; col < PQnfields(r); col++) {
		if (!names[col])
			continue;
		if (n++)
			buf_putc(b, ',');
		text_json_string(b, names[col]);
		buf_putc(b, ':');
		const char *v = PQgetvalue(r, row, col);
		if (PQgetisnull(r, row, col)) {
			buf_puts(b, "null");
			continue;
		}
		/* Numbers and booleans as JSON's own, by the column's type. */
		if (cli_column_is_int(r, col))
			buf_puts(b, v);
		else if (PQftype(r, col) == 16) /* bool */
			buf_puts(b, v[0] == 't' ? "true" : "false");
		else if (PQftype(r, col) == 3802) /* jsonb: the server wrote it, escapes included */
			text_json_raw(b, v);
		else
			text_json_string(b, v);
	}
	buf_putc(b, '}');
}

/* One answer, whole, in a format (cli_rows for one answer). */
static void rows_once(struct buf *b, const PGresult *r, const char *format, const char *const *names,
                      void (*text)(struct buf *, const PGresult *))
{
	struct cli_rows o;
	cli_rows_begin(&o, b, format, names, text);
	cli_rows_add(&o, r);
	cli_rows_end(&o);
}

void cli_json_rows(struct buf *b, const PGresult *r, const char *const *names)
{
	rows_once(b, r, "json", names, NULL);
}

void cli_csv_rows(struct buf *b, const PGresult *r, const char *const *names)
{
	rows_once(b, r, "csv", names, NULL);
}

void cli_rows_begin(struct cli_rows *o, struct buf *b, const char *format, const char *const *names,
                    void (*text)(struct buf *, const PGresult *))
{
	memset(o, 0, sizeof *o);
	o->b = b;
	o->format = format && !strcmp(format, "json") ? 1 : format && !strcmp(format, "csv") ? 2 : 0;
	o->names = names;
	o->text = text;
	if (o->format == 1)
		buf_putc(b, '[');
	else if (o->format == 2)
		csv_init(&o->csv, b);
}

void cli_rows_add(struct cli_rows *o, const PGresult *r)
{
	if (o->format == 1) {
		for (int i = 0; i < PQntuples(r); i++, o->rows++) {
			if (o->rows)
				buf_putc(o->b, ',');
			cli_json_row(o->b, r, i, o->names);
		}
		return;
	}
	if (o->format != 2) {
		o->text(o->b, r);
		o->rows += PQntuples(r);
		return;
	}
	/* The header once, from the first answer's columns. */
	if (!o->header) {
		csv_row(&o->csv, o->names, (size_t)PQnfields(r));
		o->header = 1;
	}
	for (int i = 0; i < PQntuples(r); i++, o->rows++) {
		for (int col = 0; col < PQnfields(r); col++) {
			const char *v = PQgetisnull(r, i, col) ? NULL : PQgetvalue(r, i, col);
			if (v && cli_column_is_int(r, col))
				csv_number(&o->csv, v);
			else if (v && PQftype(r, col) == 16) /* bool */
				csv_cell(&o->csv, v[0] == 't' ? "true" : "false");
			else
				csv_cell(&o->csv, v);
		}
		csv_end_row(&o->csv);
	}
}

void cli_rows_end(struct cli_rows *o)
{
	if (o->format == 1)
		buf_puts(o->b, "]\n");
	else if (o->format == 2)
		csv_free(&o->csv);
	o->b = NULL;
}

void cli_print_rows(const PGresult *r, const char *format, const char *const *names,
                    void (*text)(struct buf *, const PGresult *))
{
	struct buf b = BUF_INIT;
	rows_once(&b, r, format, names, text);
	fwrite(buf_str(&b), 1, b.len, stdout);
	buf_free(&b);
}

/* BATON_CLI_FETCH_ROWS: another batch size (the tests use 1 and 2, so that
 * every row is a batch's first or last). */
static int stream_rows(void)
{
	const char *e = getenv("BATON_CLI_FETCH_ROWS");
	long long n;
	return e && text_to_ll(e, 1, 1000000, &n) == 0 ? (int)n : DB_STREAM_ROWS;
}

/* One batch into the format asked for; written out as it comes, so memory
 * stays one batch. */
struct stream_out {
	struct cli_rows o;
	struct buf out;
};

static int stream_batch(void *arg, const PGresult *r, int last)
{
	struct stream_out *so = arg;
	if (PQntuples(r) > 0 || so->o.rows == 0)
		cli_rows_add(&so->o, r);
	if (last)
		cli_rows_end(&so->o);
	fwrite(buf_str(&so->out), 1, so->out.len, stdout);
	buf_reset(&so->out);
	return 0;
}

int cli_stream_rows(PGconn *c, const char *sql, int n, const char *const *p, const char *format,
                    const char *const *names, void (*text)(struct buf *, const PGresult *),
                    char *err, size_t errlen)
{
	struct stream_out so = {.out = BUF_INIT};
	cli_rows_begin(&so.o, &so.out, format, names, text);
	int rc = db_stream(c, sql, n, p, stream_rows(), stream_batch, &so, err, errlen);
	if (so.o.b && so.o.format == 2) /* begun and not ended: an error */
		csv_free(&so.o.csv);
	fflush(stdout);
	buf_free(&so.out);
	return rc;
}

/* What cli_signal_catch_up shows while it waits: how many are left, on
 * one line of standard error. */
struct catch_up_shown {
	int progress;
	long long first; /* -1 before the first batch */
};

static void catch_up_progress(void *ctx, long long left)
{
	struct catch_up_shown *s = ctx;
	if (s->first < 0)
		s->first = left;
	if (s->progress && left > 0)
		fprintf(stderr, "\rbaton: computing the signals again: %lld customers left ", left);
}

int cli_signal_catch_up(PGconn *c, int progress)
{
	char err[1024];
	struct catch_up_shown shown = {progress, -1};
	long long left = signals_catch_up(c, catch_up_progress, &shown, err, sizeof err);
	if (left < 0) {
		cli_error("%s", err);
		return -1;
	}
	if (progress && shown.first > 0)
		fputc('\n', stderr);
	if (left > 0)
		cli_error("the signals of %lld customers are still being computed again after a change"
		          " of the rules (by others): until then no list has their signals of the"
		          " kinds it changed", left);
	return 0;
}

/* --- shared by the commands that write ------------------------------------------ */

/* Retry window for a lost connection: the ids make resending safe. */
#define RETRY_SECONDS 30

PGresult *cli_exec_retrying(const struct cli *cli, PGconn **c, const struct db_stmt *st, int *rc)
{
	char err[1024];
	for (int waited = 0;; waited++) {
		PGresult *r = db_exec(*c, st->sql, st->nparams, st->params, err, sizeof err);
		if (r)
			return r;
		if (PQstatus(*c) != CONNECTION_BAD || waited >= RETRY_SECONDS) {
			cli_error("%s", err);
			*rc = PQstatus(*c) == CONNECTION_BAD ? EXIT_DB : EXIT_FAIL;
			return NULL;
		}
		if (waited == 0)
			fprintf(stderr, "baton: connection lost (%s); retrying for up to %d s\n", err,
			        RETRY_SECONDS);
		sleep(1);
		PGconn *n = db_connect(cli->cfg, cli->conninfo, err, sizeof err);
		if (n) {
			PQfinish(*c);
			*c = n;
		}
	}
}

char *cli_read_note(size_t limit, size_t *size)
{
	struct buf b = BUF_INIT;
	char chunk[4096];
	size_t n;
	if (isatty(STDIN_FILENO))
		fputs("Write the note; end it with Ctrl-D on a line of its own.\n", stderr);
	*size = 0;
	while (*size <= CLI_NOTE_COUNT_MAX && (n = fread(chunk, 1, sizeof chunk, stdin)) > 0) {
		if (b.len <= limit)
			buf_add(&b, chunk, n);
		*size += n;
	}
	return buf_steal(&b);
}

int cli_note_too_big(size_t size, size_t max)
{
	if (size <= max)
		return 0;
	cli_error("the note is %s%zu bytes; the largest is %zu", size > CLI_NOTE_COUNT_MAX ? "more than " : "",
	          size > CLI_NOTE_COUNT_MAX ? CLI_NOTE_COUNT_MAX : size, max);
	return 1;
}

int cli_resolve_team(PGconn *c, const char *name, char *out, size_t n)
{
	char err[512];
	const char *p[] = {name};
	PGresult *r = db_exec(c, "SELECT id FROM team WHERE id = lower($1) OR lower(name) = lower($1)",
	                      1, p, err, sizeof err);
	int ok = r && PQntuples(r) == 1;
	if (ok)
		snprintf(out, n, "%s", PQgetvalue(r, 0, 0));
	else
		cli_error("unknown team '%s'", name);
	PQclear(r);
	return ok ? 0 : -1;
}

/* What a customer's resolution came to (n as cv_resolve returns it), said;
 * frees cand.  An exit status. */
static int resolved(int n, const char *what, char *cand, const char *err)
{
	if (n < 0)
		cli_error("%s", err);
	else if (n == 0)
		cli_error("no customer matches '%s'", what);
	else if (n > 1)
		cli_error("'%s' matches %s%d customers; name one by id:\n%s", what, n > 20 ? "more than " : "",
		          n > 20 ? 20 : n, cand);
	free(cand);
	return n == 1 ? EXIT_OK : n < 0 ? EXIT_DB : EXIT_FAIL;
}

int cli_resolve_customer(PGconn *c, const char *what, long long *id)
{
	char err[1024], *cand = NULL;
	int n = cv_resolve(c, what, id, &cand, err, sizeof err);
	return resolved(n, what, cand, err);
}

int cli_resolve_audit_customer(PGconn *c, const char *what, long long *id)
{
	char err[1024], *cand = NULL;
	int n = cv_resolve_audit(c, what, id, &cand, err, sizeof err);
	/* Refused (not an administrator): a refusal, not a database that is
	 * unreachable or unusable. */
	if (n < 0 && strstr(err, "needs the baton_admin role")) {
		cli_error("%s", err);
		return EXIT_FAIL;
	}
	return resolved(n, what, cand, err);
}

int cli_resolve_handoff(PGconn *c, const char *given, const struct handoff_id_range *range, char id[37])
{
	if (handoff_is_uuid(given)) {
		snprintf(id, 37, "%s", given);
		return EXIT_OK;
	}
	char err[1024], *cand = NULL;
	int n = handoff_find_range(c, range, id, &cand, err, sizeof err), rc = EXIT_FAIL;
	if (n < 0) {
		cli_error("%s", err);
		rc = EXIT_DB;
	} else if (n == 0) {
		cli_error("no handoff id starts with '%s'", given);
	} else if (n > 1) {
		cli_error("'%s' matches %s%d handoffs; give more of the id:\n%s", given,
		          n > HANDOFF_MATCHES_MAX ? "more than " : "",
		          n > HANDOFF_MATCHES_MAX ? HANDOFF_MATCHES_MAX : n, cand);
	} else {
		rc = EXIT_OK;
	}
	free(cand);
	return rc;
}
