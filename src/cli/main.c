/* baton: command line entry point.  Parses global options, loads the
 * configuration, then runs a subcommand or the console. */
#include "baton/cli.h"
#include "baton/config.h"
#include "baton/text.h"
#include "baton/ui.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage_text[] =
	"Usage: baton [OPTIONS] [COMMAND [ARGS]]\n"
	"\n"
	"The shared customer console. Without a command it opens the console.\n"
	"\n"
	"Options:\n"
	"  -c, --config FILE     read this configuration file (also $BATON_CONFIG)\n"
	"  -d, --dbname CONNINFO database to use: a name, key=value conninfo or\n"
	"                        postgresql:// URI, as psql -d; otherwise the PG*\n"
	"                        variables, ~/.pgpass and pg_service.conf apply\n"
	"  -h, --help            show this help and exit\n"
	"  -V, --version         show the version and exit\n"
	"\n"
	"Commands:\n"
	"  migrate               bring the database schema up to date\n"
	"  doctor                check configuration, connection and schema\n"
	"  show CUSTOMER         print a customer screen (--format text|json)\n"
	"  find TEXT             find customers (--format text|json)\n"
	"  queue                 the leads' handoff queue (--format text|json|csv)\n"
	"  audit                 the log of every write (baton_admin; baton audit --help)\n"
	"  keys                  print the console's key bindings (Markdown)\n"
	"  handoff ...           write, acknowledge, resolve, cancel, reassign and\n"
	"                        list handoffs (baton handoff --help)\n"
	"  note add ...          write a success note about a customer\n"
	"                        (baton note --help)\n"
	"  milestone set ID ...  change an onboarding milestone's status, due date or\n"
	"                        owner (baton milestone --help)\n"
	"  health set ...        set a customer's onboarding health with a reason\n"
	"  staff ...             add, disable, enable, change and list people\n"
	"                        (administrators; baton staff --help)\n"
	"  team ...              add, rename and list the teams (administrators)\n"
	"  settings ...          the rules every client shares: reasons, SLAs, the\n"
	"                        largest note (baton settings --help)\n"
	"  signals ...           crossed signals, the suppression list, acknowledging\n"
	"                        (baton signals --help)\n"
	"  campaign hold|release ID --comment TEXT\n"
	"                        hold or release a scheduled marketing send\n"
	"  import --source NAME FILE...  bring in files of a configured source\n"
	"                        (importers; baton import --help)\n"
	"  merges [--customer C] customers made one by identity resolution\n"
	"  split MERGE_ID | --run RUN\n"
	"                        undo a merge, or every merge of one file's import\n"
	"                        (importers, administrators)\n"
	"\n"
	"Exit status: 0 ok, 1 failure, 2 usage error, 3 configuration error,\n"
	"4 database unreachable or schema not usable.\n"
	"See baton(1) for the console's keys and the configuration file.\n";

/* Every argument is text the database will store or compare: one that
 * is not UTF-8 is a usage error for every command, said once here.  The
 * argument itself is not echoed (it may be a password in a conninfo). */
static int check_arguments(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (text_valid_utf8(argv[i], strlen(argv[i])))
			continue;
		int after = i > 1 && argv[i - 1][0] == '-' && text_valid_utf8(argv[i - 1], strlen(argv[i - 1]));
		cli_error("argument %d%s%s%s is not valid UTF-8: check the terminal's or the script's"
		          " character set", i, after ? " (after " : "", after ? argv[i - 1] : "", after ? ")" : "");
		return -1;
	}
	return 0;
}

static const struct option opts[] = {
	{"config", required_argument, NULL, 'c'},
	{"dbname", required_argument, NULL, 'd'},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0},
};

/* The subcommands that take the command line as it is. */
static const struct command {
	const char *name;
	int (*run)(const struct cli *cli, int argc, char **argv);
} commands[] = {
	{"migrate", cli_migrate}, {"doctor", cli_doctor},   {"show", cli_show},
	{"find", cli_find},       {"handoff", cli_handoff}, {"queue", cli_queue},
	{"settings", cli_settings}, {"staff", cli_staff},    {"team", cli_team},
	{"audit", cli_audit},
	{"note", cli_note},
	{"milestone", cli_milestone}, {"health", cli_health},
	{"signals", cli_signals},   {"campaign", cli_campaign},
	{"import", cli_import},     {"merges", cli_merges},  {"split", cli_split},
};

static int run_command(const struct cli *cli, const char *cmd, int argc, char **argv)
{
	for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
		if (strcmp(cmd, commands[i].name) == 0)
			return commands[i].run(cli, argc, argv);
	if (strcmp(cmd, "keys") == 0) {
		ui_print_keys();
		return EXIT_OK;
	}
	if (strcmp(cmd, "help") == 0) {
		fputs(usage_text, stdout);
		return EXIT_OK;
	}
	cli_error("unknown command '%s'. Try 'baton --help'.", cmd);
	return EXIT_USAGE;
}

/* A standard descriptor that is closed (cron's, a script's "baton ... >&-")
 * would be the next file opened, the database's socket: the summary
 * written into the connection, standard input read from it.  Each closed
 * one is taken by /dev/null opened the other way, so that using it fails
 * as on a closed descriptor (EBADF) and nothing else lands there.  -1 if
 * one cannot be taken. */
static int reserve_std_fds(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
			continue;
		int n = open("/dev/null", (fd == 0 ? O_WRONLY : O_RDONLY) | O_CLOEXEC);
		if (n != fd) {
			if (n >= 0)
				close(n);
			return -1;
		}
	}
	return 0;
}

/* Standard output written out: -1 after saying why not (closed, a full
 * disk), so that a summary lost is not status 0. */
static int finish_stdout(void)
{
	int failed = ferror(stdout);
	errno = 0;
	if (fflush(stdout) == 0 && !failed)
		return 0;
	/* A write that failed earlier (each file's summary is flushed as it
	 * is printed) left the flag and not its errno: a write of nothing
	 * tells a closed descriptor (EBADF) or a full device again. */
	if (!errno && write(STDOUT_FILENO, "", 0) == 0)
		errno = 0;
	if (errno)
		cli_error("cannot write to standard output: %s", strerror(errno));
	else
		cli_error("cannot write to standard output");
	return -1;
}

static int run(int argc, char **argv)
{
	const char *cfg_file = NULL, *conninfo = NULL;
	int c;

	setlocale(LC_ALL, "");
	/* getopt's messages begin with argv[0]: "baton: unrecognized option",
	 * as every other message, not the path it was started by. */
	static char name[] = "baton";
	if (argc > 0)
		argv[0] = name;
	if (check_arguments(argc, argv) < 0)
		return EXIT_USAGE;
	/* '+': options after the command belong to the command. */
	while ((c = getopt_long(argc, argv, "+c:d:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			cfg_file = optarg;
			break;
		case 'd':
			conninfo = cli_conninfo_arg(optarg);
			break;
		case 'h':
			fputs(usage_text, stdout);
			return EXIT_OK;
		case 'V':
			printf("baton %s\n", BATON_VERSION);
			return EXIT_OK;
		default:
			fputs("Try 'baton --help' for more information.\n", stderr);
			return EXIT_USAGE;
		}
	}
	const char *cmd = optind < argc ? argv[optind] : NULL;
	int cargc = argc - optind;
	char **cargv = argv + optind;
	/* The command's own getopt says "baton import: unrecognized option",
	 * not "import: ...", which reads as if from another program. */
	char cmd_name[64];
	if (cmd && strlen(cmd) < sizeof cmd_name - sizeof "baton ") {
		snprintf(cmd_name, sizeof cmd_name, "baton %s", cmd);
		cargv[0] = cmd_name;
	}

	struct config cfg;
	char err[1024];
	int rc;
	struct cli cli = {&cfg, conninfo, NULL};
	if (config_load(&cfg, cfg_file, err, sizeof err) < 0) {
		if (!cmd || strcmp(cmd, "doctor") != 0) {
			cli_error("%s", err);
			config_free(&cfg);
			return EXIT_CONFIG;
		}
		/* doctor reports it with everything else it finds. */
		cli.cfg_error = err;
	}
	/* migrate says what it does with the moved settings instead. */
	for (size_t i = 0; (!cmd || strcmp(cmd, "migrate") != 0) && i < cfg.nwarnings; i++)
		cli_error("warning: %s", cfg.warnings[i]);

	rc = cmd ? run_command(&cli, cmd, cargc, cargv) : ui_run(&cfg, conninfo);
	config_free(&cfg);
	return rc;
}

int main(int argc, char **argv)
{
	if (reserve_std_fds() < 0)
		return EXIT_FAIL;
	int rc = run(argc, argv);
	if (finish_stdout() < 0 && rc == EXIT_OK)
		rc = EXIT_FAIL;
	return rc;
}
