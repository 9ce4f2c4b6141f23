/* baton import: files of a configured source into the shared database, one
 * transaction per file, with a summary per file and the rows that could
 * not be imported in a rejects file. */
#include "baton/buf.h"
#include "baton/cli.h"
#include "baton/config.h"
#include "baton/csv.h"
#include "baton/db.h"
#include "baton/import.h"
#include "baton/text.h"
#include "import_priv.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char usage[] =
	"Usage: baton import --source NAME [--dry-run] [--rejects FILE]\n"
	"                    [--format text|json] FILE...\n"
	"Import files of a source declared in the configuration (import.sources;\n"
	"etc/baton-import.cfg has ready ones), each in its own transaction.  FILE\n"
	"'-' is standard input.  Prints per file: read, inserted, updated,\n"
	"unchanged, skipped (by the source's rules, when any), rejected, customers\n"
	"merged.  Rows that cannot be imported go to the rejects file (CSV: file,\n"
	"line, field, reason, raw row), and so do rows imported without a contact\n"
	"they name that is not imported yet.  --dry-run does everything, each file\n"
	"after the ones before it, lists the merges it would make, and rolls it\n"
	"all back.  Needs a role granted baton_importer.\n";

struct import_opts {
	const char *source, *rejects;
	int dry_run, json;
};

static int parse(int argc, char **argv, struct import_opts *o)
{
	static const struct option lo[] = {
		{"source", required_argument, NULL, 's'}, {"rejects", required_argument, NULL, 'r'},
		{"dry-run", no_argument, NULL, 'n'},      {"format", required_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
	};
	memset(o, 0, sizeof *o);
	optind = 0; /* GNU getopt: reinitialise, main() parsed with "+" */
	int c;
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 's': o->source = optarg; break;
		case 'r': o->rejects = optarg; break;
		case 'n': o->dry_run = 1; break;
		case 'f':
			if ((o->json = cli_format(optarg, 0)) < 0)
				return -1;
			break;
		case 'h': fputs(usage, stdout); return 1;
		default: fputs("Try 'baton import --help'.\n", stderr); return -1;
		}
	}
	/* Standard output has the summary: the rejects go to a file ("-" is
	 * no file here, as it is for FILE). */
	if (o->rejects && (!*o->rejects || !strcmp(o->rejects, "-"))) {
		cli_error("--rejects names a file to write the rejected rows to%s",
		          *o->rejects ? " ('-' would mix them into the summary on standard output)" : "");
		fputs("Try 'baton import --help'.\n", stderr);
		return -1;
	}
	if (!o->source || optind >= argc) {
		cli_error("%s", !o->source ? "--source NAME is required" : "name at least one FILE ('-': standard input)");
		fputs(usage, stderr);
		return -1;
	}
	return 0;
}

/* Written whole: a stop waits until the caller has said which file is
 * next (import_stop_at, then release). */
static void print_out(struct buf *out, int *printed)
{
	import_stop_hold();
	fwrite(buf_str(out), 1, out->len, stdout);
	fflush(stdout);
	buf_reset(out);
	(*printed)++;
}

/* A file's progress: on a terminal, its line; and from its COMMIT on, a
 * stop waits (held until the caller says what is owed after the file),
 * since the file may be in. */
struct file_watch {
	struct import_shown shown;
	int tty;
};

static void file_progress(void *ctx, enum import_phase phase, long long lines)
{
	struct file_watch *w = ctx;
	if (phase == IMPORT_COMMITTING)
		import_stop_hold();
	if (w->tty)
		import_progress_show(&w->shown, phase, lines);
}

/* A file to read, opened without waiting: a named pipe in a directory
 * (one planted where a cron job reads its export) has no writer to wait
 * for, and is refused; a pipe handed over (-, /dev/stdin, a shell's
 * <(...)) is read.  NULL with errno, or with *why said. */
static FILE *input_open(const char *file, const char **why)
{
	*why = NULL;
	int fd = open(file, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	struct stat st, named;
	if (fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode) && lstat(file, &named) == 0 && S_ISFIFO(named.st_mode)) {
		close(fd);
		*why = "it is a named pipe (FIFO), which is not read: send the export to standard input (... | baton"
		       " import ... -)";
		return NULL;
	}
	int flags = fcntl(fd, F_GETFL);
	FILE *f = flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0 ? NULL : fdopen(fd, "rb");
	if (!f) {
		int e = errno;
		close(fd);
		errno = e;
	}
	return f;
}

/* One file; its exit status. */
static int one_file(PGconn *c, const struct cli *cli, const struct import_opts *o,
                    const struct import_source *src, const char *file, struct csv *rej,
                    struct buf *out, int *printed)
{
	char err[1024];
	struct import_result res;
	int is_stdin = !strcmp(file, "-");
	const char *refused = NULL;
	FILE *f = is_stdin ? stdin : input_open(file, &refused);
	if (!f) {
		const char *reason = refused ? refused : strerror(errno);
		cli_error("%s: cannot open: %s", file, reason);
		if (o->json) {
			char why[512];
			snprintf(why, sizeof why, "cannot open: %s", reason);
			import_failed_json(out, file, why, !*printed, o->dry_run);
			print_out(out, printed);
		}
		return EXIT_FAIL;
	}
	struct file_watch watch = {.shown = {.file = file}, .tty = isatty(STDERR_FILENO)};
	int rc = import_file(c, src, cli->cfg->import, is_stdin ? "(stdin)" : file, f, o->dry_run, o->rejects != NULL,
	                     file_progress, &watch, &res, err, sizeof err);
	import_progress_erase(&watch.shown);
	if (!is_stdin)
		fclose(f);
	if (rc < 0) {
		cli_error("%s: %s%s", file, err, rc == -2 ? " (the connection was lost)" : "");
		cli_error("%s: nothing of it was imported", file);
		if (o->json) {
			struct buf why = BUF_INIT;
			buf_printf(&why, "%s%s", err, rc == -2 ? " (the connection was lost)" : "");
			import_failed_json(out, file, buf_str(&why), !*printed, o->dry_run);
			buf_free(&why);
			print_out(out, printed);
		}
		import_result_free(&res);
		return rc == -2 ? EXIT_DB : EXIT_FAIL;
	}
	if (rej)
		rejects_write(rej, file, &res);
	else
		rejects_tell(file, &res);
	if (o->json)
		import_summary_json(out, file, &res, !*printed, o->dry_run);
	else
		import_summary_text(out, file, &res, o->dry_run);
	/* What a dry run would merge, which a person checks before the real
	 * run (the text's; --format json has the count): read before the dry
	 * run is rolled back. */
	if (!o->json && o->dry_run && res.merged) {
		buf_puts(out, "  it would merge:\n");
		if (cli_merges_would(c, res.run, out, err, sizeof err) < 0)
			cli_error("%s: cannot list what it would merge: %s", file, err);
	}
	print_out(out, printed);
	/* Rows read and every one refused: nothing of the file is in, which a
	 * job that runs it must hear (a wrong file for the source, a changed
	 * export).  Some rows refused is the import working: 0. */
	int none = res.rejected > 0 && !res.inserted && !res.updated && !res.unchanged;
	if (none)
		cli_error(res.skipped ? "%s: every row was rejected or left out by the source's rules:"
		                        " nothing of it was imported"
		                      : "%s: every row was rejected: nothing of it was imported", file);
	import_result_free(&res);
	return none ? EXIT_FAIL : EXIT_OK;
}

/* "baton: FILE: WHAT", as standard error says it of a file. */
static void said_line(struct buf *b, const char *file, const char *what)
{
	buf_puts(b, "baton: ");
	text_clean(b, file, strlen(file), TEXT_ONELINE);
	buf_printf(b, ": %s\n", what);
}

/* What a stop owes for each of the run's files, made once (a run of
 * many pages would otherwise make the rest of the array again at each). */
static void owed_make(struct import_owed *w, const struct import_opts *o, char *const *files, int n)
{
	*w = (struct import_owed){.n = n, .json = o->json, .stopped = BUF_INIT, .not_tried = BUF_INIT,
	                          .said = BUF_INIT, .said_before = BUF_INIT};
	w->at_stopped = calloc((size_t)n + 1, sizeof *w->at_stopped);
	w->at_not_tried = calloc((size_t)n + 1, sizeof *w->at_not_tried);
	w->at_said = calloc((size_t)n + 1, sizeof *w->at_said);
	w->at_said_before = calloc((size_t)n + 1, sizeof *w->at_said_before);
	if (!w->at_stopped || !w->at_not_tried || !w->at_said || !w->at_said_before)
		abort();
	for (int j = 0; j < n; j++) {
		if (o->json) {
			import_failed_json(&w->stopped, files[j], "interrupted", 1, o->dry_run);
			import_failed_json(&w->not_tried, files[j], "not tried (interrupted)", 0, o->dry_run);
		}
		said_line(&w->said, files[j], "interrupted");
		said_line(&w->said_before, files[j], "not tried (interrupted)");
		w->at_stopped[j + 1] = w->stopped.len;
		w->at_not_tried[j + 1] = w->not_tried.len;
		w->at_said[j + 1] = w->said.len;
		w->at_said_before[j + 1] = w->said_before.len;
	}
}

/* The source's time zone is one the server knows, before any file: a
 * name its time zone database lacks ("Europe/Berlinn") is a setting to
 * mend, said once with where it is, not a failure of every file.  0, or
 * the exit status. */
static int timezone_known(PGconn *c, const struct import_source *src)
{
	char err[1024];
	int known = src->timezone ? import_timezone_known(c, src->timezone, err, sizeof err) : 1;
	if (known < 0)
		cli_error("cannot check the source's time zone: %s", err);
	else if (!known)
		cli_error("%s: timezone \"%s\" is not a time zone the server knows (SELECT name FROM"
		          " pg_timezone_names lists them)", src->timezone_at ? src->timezone_at : "the configuration",
		          src->timezone);
	return known < 0 ? EXIT_DB : known ? 0 : EXIT_CONFIG;
}

/* Files not tried, and why: on standard error when say, and in the JSON
 * array for a script reading standard output alone. */
static void said_not_tried(struct buf *out, const struct import_opts *o, char *const *files, int n,
                           const char *why, int say, int *printed)
{
	for (int j = 0; j < n; j++) {
		if (say)
			cli_error("%s: %s", files[j], why);
		if (o->json) {
			import_failed_json(out, files[j], why, !*printed, o->dry_run);
			print_out(out, printed);
		}
	}
}

/* The run refused before any file (a role that may not import, a time
 * zone to mend, a rejects file refused): with --format json, each file is
 * named as not tried, and why (standard error has said it once). */
static void refused_json(const struct import_opts *o, char *const *files, int n)
{
	if (!o->json)
		return;
	struct buf out = BUF_INIT, why = BUF_INIT;
	int printed = 0;
	buf_printf(&why, "not tried: %s", cli_last_error());
	fputs("[", stdout);
	said_not_tried(&out, o, files, n, buf_str(&why), 0, &printed);
	fputs("]\n", stdout);
	fflush(stdout);
	buf_free(&why);
	buf_free(&out);
}

int cli_import(const struct cli *cli, int argc, char **argv)
{
	struct import_opts o;
	int a = parse(argc, argv, &o);
	if (a)
		return a > 0 ? EXIT_OK : EXIT_USAGE;
	const struct import_source *src = import_source_find(cli->cfg->import, o.source);
	if (!src) {
		if (cli->cfg->nfiles)
			cli_error("no import source '%s' in the configuration (import.sources; see etc/baton-import.cfg)",
			          o.source);
		else
			cli_error("no import source '%s': no configuration file was read (-c FILE, or BATON_CONFIG;"
			          " etc/baton-import.cfg has ready sources)", o.source);
		return EXIT_CONFIG;
	}
	FILE *rf = NULL;
	struct buf rb = BUF_INIT, out = BUF_INIT;
	struct csv rej;
	int rc = EXIT_OK;
	PGconn *c = cli_connect_schema(cli, &rc);
	/* Before the rejects file is made: a setting to mend leaves the last
	 * run's rejects as they were. */
	if (c && (rc = timezone_known(c, src)) != 0) {
		refused_json(&o, argv + optind, argc - optind);
		PQfinish(c);
		return rc;
	}
	/* A role that may not import is told once, before the rejects file
	 * is made (the last run's stays as it was), not once a file. */
	char err[1024];
	PGresult *may = c ? db_exec(c, "SELECT baton_import_allowed()", 0, NULL, err, sizeof err) : NULL;
	if (c && !may) {
		int lost = PQstatus(c) != CONNECTION_OK;
		cli_error("%s", err);
		refused_json(&o, argv + optind, argc - optind);
		PQfinish(c);
		return lost ? EXIT_DB : EXIT_FAIL;
	}
	PQclear(may);
	if (o.rejects && !(rf = rejects_open(o.rejects, argv + optind, argc - optind))) {
		refused_json(&o, argv + optind, argc - optind);
		PQfinish(c);
		return EXIT_FAIL;
	}
	/* A rejects file that cannot be written (a full disk) stops the run:
	 * no file is imported whose rejected rows would be lost. */
	int printed = 0, i = optind, rej_lost = 0;
	if (c) {
		cli_show_import_waits(c);
		static const char *const head[] = {"file", "line", "field", "reason", "raw"};
		csv_init(&rej, &rb);
		csv_row(&rej, head, 5);
		/* The header at once: a run stopped in its first file (Ctrl-C, a
		 * kill) leaves a rejects file that says what it is, empty. */
		if (rejects_flush(rf, &rb, o.rejects) < 0) {
			rc = EXIT_FAIL;
			rej_lost = 1;
		}
		/* A dry run is one transaction, rolled back at the end: each file
		 * is tried after the files before it, as the real run would try
		 * it (the second page of an export updates what the first
		 * inserted, and joins its customers). */
		PGresult *tx = o.dry_run ? db_exec(c, "BEGIN", 0, NULL, err, sizeof err) : NULL;
		if (o.dry_run && !tx) {
			cli_error("cannot begin the dry run: %s", err);
			rc = EXIT_DB;
		}
		PQclear(tx);
	}
	/* Read by the stop handler until the process ends. */
	static struct import_owed owed;
	owed_make(&owed, &o, argv + optind, argc - optind);
	if (c)
		import_stop_install(&owed);
	import_stop_hold();
	if (o.json) {
		fputs("[", stdout);
		fflush(stdout);
	}
	for (; c && i < argc && rc != EXIT_DB && !rej_lost; i++) {
		import_stop_at(i - optind, printed);
		import_stop_release();
		/* A stop held while the file before committed came in above:
		 * this file was not tried.  From here on it is being imported. */
		import_stop_begin();
		int one = one_file(c, cli, &o, src, argv[i], rf ? &rej : NULL, &out, &printed);
		rc = rc ? rc : one;
		/* A file's rejects are in the rejects file once it is done: a
		 * run stopped in a later file (Ctrl-C, a kill, a lost
		 * connection) keeps those of the files it committed. */
		if (rejects_flush(rf, &rb, o.rejects) < 0) {
			cli_error("%s: its rejected rows are not in the rejects file (they are counted above)", argv[i]);
			rc = rc ? rc : EXIT_FAIL;
			rej_lost = 1;
		}
	}
	/* The files not tried, the connection lost or never made: said of
	 * each, in the JSON array too, for a script reading standard output
	 * alone (with no connection at all, standard error has said why).  A
	 * stop meanwhile waits until the array is closed, and owes nothing. */
	import_stop_at(argc - optind, printed);
	struct buf why = BUF_INIT;
	if (rej_lost)
		buf_puts(&why, "not tried (the rejects file cannot be written)");
	else if (c)
		buf_puts(&why, "not tried (no connection to the database)");
	else
		buf_printf(&why, "not tried: %s", cli_last_error());
	said_not_tried(&out, &o, argv + i, argc - i, buf_str(&why), c != NULL, &printed);
	buf_free(&why);
	if (o.json)
		fputs("]\n", stdout);
	fflush(stdout);
	import_stop_release();
	if (c) {
		if (o.dry_run && PQstatus(c) == CONNECTION_OK)
			PQclear(PQexec(c, "ROLLBACK"));
		csv_free(&rej);
		PQfinish(c);
	}
	if (rf && fclose(rf) != 0 && !rej_lost) {
		cli_error("%s: cannot write the rejects file", o.rejects);
		rc = rc ? rc : EXIT_FAIL;
	}
	buf_free(&rb);
	buf_free(&out);
	return rc;
}
