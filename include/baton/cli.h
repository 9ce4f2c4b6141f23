/* Command-line subcommands.  Each returns a process exit status. */
#ifndef BATON_CLI_H
#define BATON_CLI_H

#include <libpq-fe.h>
#include <stddef.h>

#include "baton/csv.h"

struct config;

/* The command line's own glyphs, as the console draws them: ASCII where the
 * output is (text_glyph: LANG=C, cron).  The separator of a line's parts
 * ("growth · mid-market"), from team to team, what joined a customer, and
 * the evidence after it ("Acme ← HubSpot 9876 — same domain acme.example"). */
#define CLI_DOT text_glyph(" · ", " - ")
#define CLI_TO text_glyph(" → ", " -> ")
#define CLI_FROM text_glyph(" ← ", " <- ")
#define CLI_DASH text_glyph(" — ", " -- ")

enum exit_code {
	EXIT_OK = 0,
	EXIT_FAIL = 1,     /* not found, refused, not allowed */
	EXIT_USAGE = 2,    /* bad command line */
	EXIT_CONFIG = 3,   /* configuration file error */
	EXIT_DB = 4,       /* cannot connect, or schema missing/too new */
};

struct cli {
	const struct config *cfg;
	const char *conninfo;   /* -d, or NULL */
	const char *cfg_error;  /* config error (only doctor runs with one) */
};

int cli_migrate(const struct cli *cli, int argc, char **argv);
int cli_doctor(const struct cli *cli, int argc, char **argv);
int cli_show(const struct cli *cli, int argc, char **argv);
int cli_find(const struct cli *cli, int argc, char **argv);
int cli_handoff(const struct cli *cli, int argc, char **argv);
int cli_queue(const struct cli *cli, int argc, char **argv);
int cli_staff(const struct cli *cli, int argc, char **argv);
int cli_team(const struct cli *cli, int argc, char **argv);
int cli_audit(const struct cli *cli, int argc, char **argv);
int cli_settings(const struct cli *cli, int argc, char **argv);
int cli_note(const struct cli *cli, int argc, char **argv);
int cli_milestone(const struct cli *cli, int argc, char **argv);
int cli_health(const struct cli *cli, int argc, char **argv);
int cli_campaign(const struct cli *cli, int argc, char **argv);
int cli_signals(const struct cli *cli, int argc, char **argv);
int cli_import(const struct cli *cli, int argc, char **argv);
int cli_merges(const struct cli *cli, int argc, char **argv);
int cli_split(const struct cli *cli, int argc, char **argv);
/* A dry run's merges (RUN, not rolled back yet), a line each, indented, into
 * B: which customer (by name), what would join it, by what.  -1 with ERR. */
int cli_merges_would(PGconn *c, const char *run, struct buf *b, char *err, size_t errlen);

/* -d's conninfo, copied for the connection: a password in it is then
 * overwritten with '*' in arg itself, which ps and /proc/PID/cmdline show
 * every local user while the program runs.  The copy lives until exit. */
char *cli_conninfo_arg(char *arg);

/* Connect and check the schema version; NULL with the message printed
 * and *rc set to the exit status. */
PGconn *cli_connect_schema(const struct cli *cli, int *rc);
/* The same, and the signed-in role must be allowed to read customers (an
 * active staff member): otherwise it says why and what to do, exit 1. */
PGconn *cli_connect(const struct cli *cli, int *rc);

/* A whole number option in [min, max] (text_to_ll): 0, or -1 with one
 * message naming the option and what is wrong ("--ticket must be a ticket
 * number, not 'x'": noun says what it should be). */
int cli_number(const char *option, const char *noun, const char *arg, long long min, long long max,
               long long *out);

/* A record's number as the console and 'baton show' print it, 12 or #12:
 * cli_number from 1 up. */
int cli_ref_number(const char *option, const char *noun, const char *arg, long long *out);
/* --ticket: a ticket's number (4812, #4812: the helpdesk's, else its id)
 * or id:N, a number from 1 up either way, checked as far as it can be
 * without the database (the server's baton_ticket_ref finds it; a number
 * a helpdesk writes with letters is named by id:N).  0, or -1 with the
 * message said. */
int cli_ticket_ref(const char *arg);
/* --id, a client-generated id a script gives to make a retry safe: 0 if
 * absent or a UUID, else -1 with the message said. */
int cli_check_id(const char *id);

/* 1 if the column is an integer type (int2, int4, int8). */
int cli_column_is_int(const PGresult *r, int col);

/* A result row as a JSON object named by names[col] (one per column; a
 * column named NULL is left out):
 * integers and booleans by their column type, NULL as null, text escaped. */
struct buf;
void cli_json_row(struct buf *b, const PGresult *r, int row, const char *const *names);
/* Every row, as an array, and a newline. */
void cli_json_rows(struct buf *b, const PGresult *r, const char *const *names);
/* Every row as CSV (csv.h: cleaned, formulas neutralised) after a header of
 * names; integer columns as numbers, booleans as true/false. */
void cli_csv_rows(struct buf *b, const PGresult *r, const char *const *names);

/* The rows on standard output as format asks: "json", "csv" (names
 * naming the columns), else text (NULL: text) as text() writes it. */
void cli_print_rows(const PGresult *r, const char *format, const char *const *names,
                    void (*text)(struct buf *, const PGresult *));

/* The same output made of several answers in turn (a cursor's batches):
 * begin, add each answer's rows, end; what b holds may be written and
 * reset between adds.  The CSV header comes from the first answer added. */
struct cli_rows {
	struct buf *b;    /* not owned; NULL once ended */
	int format;       /* 0 text, 1 json, 2 csv */
	const char *const *names;
	void (*text)(struct buf *, const PGresult *);
	long long rows;   /* rows added so far */
	int header;       /* the CSV header is written */
	struct csv csv;
};
void cli_rows_begin(struct cli_rows *o, struct buf *b, const char *format, const char *const *names,
                    void (*text)(struct buf *, const PGresult *));
void cli_rows_add(struct cli_rows *o, const PGresult *r);
void cli_rows_end(struct cli_rows *o);

/* The rows of a read (sql, n parameters p) printed as cli_print_rows
 * prints them, but fetched through a cursor a batch at a time and written
 * as they come: the first rows are out at once and memory stays one batch,
 * however long the list.  In a transaction of its own.  0, or -1 with err
 * (some rows may have been printed). */
int cli_stream_rows(PGconn *c, const char *sql, int n, const char *const *p, const char *format,
                    const char *const *names, void (*text)(struct buf *, const PGresult *),
                    char *err, size_t errlen);

/* After a change of the signal rules: compute the customers behind them
 * again, in committed batches, until none is left or the rest is held by
 * others (said).  progress: a count on standard error as it goes.  0, or
 * -1 after saying the database's error. */
int cli_signal_catch_up(PGconn *c, int progress);

/* --- for the commands that write (src/cli/util.c) --- */

/* Run a write, reconnecting and resending while the connection is lost
 * (up to 30 s): safe only because every write carries its client-generated
 * id.  NULL when it failed or the database refused it: the message said,
 * *rc its exit status (EXIT_DB the connection is lost, else EXIT_FAIL). */
struct db_stmt;
PGresult *cli_exec_retrying(const struct cli *cli, PGconn **c, const struct db_stmt *st, int *rc);
/* Counting stops here: a note from /dev/zero is "more than" this. */
#define CLI_NOTE_COUNT_MAX ((size_t)64 << 20)
/* A note from standard input (malloc'd): no more than limit + 1 bytes
 * kept, but every byte counted (up to CLI_NOTE_COUNT_MAX) into *size, so
 * that an over-long note is refused with its real size. */
char *cli_read_note(size_t limit, size_t *size);
/* 1 (and the message, with the real size) if size is over max. */
int cli_note_too_big(size_t size, size_t max);
/* --customer as 'baton show' takes it: an exit status, the message said. */
int cli_resolve_customer(PGconn *c, const char *what, long long *id);
/* The same for baton audit, as an administrator who need not be on the
 * staff (refused, EXIT_FAIL, for anyone else). */
int cli_resolve_audit_customer(PGconn *c, const char *what, long long *id);
/* A handoff as people name it: a whole UUID as it is, a prefix (as the
 * console shows ids) by the server.  An exit status, the message said. */
struct handoff_id_range;
int cli_resolve_handoff(PGconn *c, const char *given, const struct handoff_id_range *range, char id[37]);
/* A team by id or name into out; -1 after saying it is unknown. */
int cli_resolve_team(PGconn *c, const char *name, char *out, size_t n);

/* -h or --help among a command's arguments: its usage printed on standard
 * output, and 1 (the command then exits 0). */
int cli_wants_help(int argc, char **argv, const char *usage);

/* The subcommand in argv[1], one of subs (NULL-terminated): its index,
 * *rc EXIT_OK, and argv[1] made "baton COMMAND SUB" for the messages of a
 * getopt over argv + 1 (read the subcommand from subs, not argv[1]).  Else -1 and *rc the exit status, what to say said: -h, --help or help
 * print usage (EXIT_OK); none prints it to stderr, an unknown one says so
 * naming 'baton command --help' (EXIT_USAGE). */
int cli_subcommand(int argc, char **argv, const char *command, const char *usage,
                   const char *const *subs, int *rc);

/* --format's value (NULL: the default, text): 1 json, 2 csv (only when
 * csv_too), 0 text; -1 after saying which ones the command takes. */
int cli_format(const char *value, int csv_too);

/* Print "baton: message" to stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The last message cli_error printed, cleaned ("" before any; it may be
 * cut, as the terminal never sees). */
const char *cli_last_error(void);
/* Show on stderr that an import or split waits for another import. */
void cli_show_import_waits(PGconn *c);

#endif
