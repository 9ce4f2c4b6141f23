/* Unit tests for src/config.c: layered configuration files, their error
 * messages (path:line: what) and the duration parser. */
#include "baton/config.h"
#include "baton/import.h"

#include <ftw.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

static char tmpdir[512];
static char home[600], xdg[600], xdg_file[700], home_file[700];

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f) {
		printf("FAIL setup: cannot write %s\n", path);
		exit(1);
	}
	fputs(text, f);
	fclose(f);
}

/* A file in the scratch directory; the name is returned in a static slot
 * (a few in rotation so that two can be alive at once). */
static const char *tmpfile_with(const char *name, const char *text)
{
	static char paths[4][700];
	static int slot;
	char *p = paths[slot++ % 4];
	snprintf(p, sizeof paths[0], "%s/%s", tmpdir, name);
	write_file(p, text);
	return p;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* A clean environment: no user file, no $BATON_CONFIG. */
static void env_reset(void)
{
	remove(xdg_file);
	remove(home_file);
	setenv("HOME", home, 1);
	setenv("XDG_CONFIG_HOME", xdg, 1);
	unsetenv("BATON_CONFIG");
}

static int load(struct config *cfg, const char *file, char *err, size_t n)
{
	err[0] = '\0';
	return config_load(cfg, file, err, n);
}

/* err starts with "path:line: " */
static int err_at(const char *err, const char *path, int line)
{
	char want[800];
	snprintf(want, sizeof want, "%s:%d: ", path, line);
	return strncmp(err, want, strlen(want)) == 0;
}

static void check_defaults(const struct config *c)
{
	CHECK(c->conninfo == NULL);
	CHECK(c->statement_timeout_ms == 15000);
	CHECK(c->connect_timeout_s == 0);
	CHECK(c->color == 1);
	CHECK(c->ascii == 0);
	CHECK(c->escdelay_ms == 25);
	/* The shared rules are the database's: nothing moved, nothing to say. */
	CHECK(c->moved.nreasons == 0 && c->moved.max_note_bytes == 0 && c->moved.nteam_sla == 0);
	for (int i = 0; i < MOVED_COUNT; i++)
		CHECK(c->moved.at[i] == NULL);
	CHECK(c->nwarnings == 0);
}

static void test_defaults_without_any_file(void)
{
	env_reset();
	struct config c;
	char err[1024];
	CHECK(load(&c, NULL, err, sizeof err) == 0);
	check_defaults(&c);
	/* Some queue views are built in (etc/baton.cfg lists them), each named. */
	CHECK(c.nviews >= 1 && c.nviews <= CONFIG_MAX_VIEWS);
	for (size_t i = 0; i < c.nviews; i++)
		CHECK(c.views[i].name && c.views[i].name[0]);
	CHECK(c.nfiles == 0);
	config_free(&c);

	/* config_defaults alone gives the same, and config_free leaves a
	 * zeroed struct that may be freed again. */
	config_defaults(&c);
	check_defaults(&c);
	config_free(&c);
	CHECK(c.nviews == 0 && c.conninfo == NULL);
	config_free(&c);
}

static int same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* Every setting of a equals b's (not the list of files read). */
static int same_settings(const struct config *a, const struct config *b)
{
	int same = same_str(a->conninfo, b->conninfo) && same_str(a->read_conninfo, b->read_conninfo) &&
	           a->statement_timeout_ms == b->statement_timeout_ms &&
	           a->connect_timeout_s == b->connect_timeout_s && a->color == b->color &&
	           a->escdelay_ms == b->escdelay_ms && a->ascii == b->ascii &&
	           a->nviews == b->nviews;
	for (size_t i = 0; same && i < a->nviews; i++) {
		const struct queue_view *x = &a->views[i], *y = &b->views[i];
		same = same_str(x->name, y->name) && same_str(x->team, y->team) &&
		       same_str(x->state, y->state) && same_str(x->reason, y->reason) &&
		       same_str(x->priority, y->priority) && x->breached == y->breached &&
		       x->mine == y->mine;
		if (!same)
			printf("    view %zu differs: '%s' vs '%s'\n", i, x->name ? x->name : "(null)",
			       y->name ? y->name : "(null)");
	}
	return same;
}

static void test_sample_file_documents_the_defaults(void)
{
	/* etc/baton.cfg says "the values shown are the built-in defaults". */
	env_reset();
	const char *root = getenv("BATON_ROOT");
	char path[1024];
	snprintf(path, sizeof path, "%s/etc/baton.cfg", root && *root ? root : ".");
	struct config c, d;
	char err[1024];
	int rc = load(&c, path, err, sizeof err);
	CHECK(rc == 0);
	if (rc != 0)
		printf("    %s\n", err);
	check_defaults(&c);
	config_defaults(&d);
	CHECK(same_settings(&c, &d));
	CHECK(c.nfiles == 1 && strcmp(c.files[0], path) == 0);
	config_free(&d);
	config_free(&c);
}

static void test_valid_file_sets_every_setting(void)
{
	env_reset();
	const char *p = tmpfile_with("all.cfg",
		"database:\n"
		"{\n"
		"  conninfo = \"host=db1,db2 dbname=baton\";\n"
		"  statement_timeout_ms = 5000;\n"
		"  connect_timeout_s = 7;\n"
		"};\n"
		"ui: { color = false; ascii = true; escdelay_ms = 100; };\n"
		"queue:\n"
		"{\n"
		"  views = (\n"
		"    { name = \"mine\"; mine = true; },\n"
		"    { name = \"late billing\"; team = \"billing\"; state = \"open\"; reason = \"beta two\";\n"
		"      priority = \"high\"; breached = true; }\n"
		"  );\n"
		"};\n");
	struct config c;
	char err[1024];
	int rc = load(&c, p, err, sizeof err);
	CHECK(rc == 0);
	if (rc != 0)
		printf("    %s\n", err);
	CHECK_STR(c.conninfo, "host=db1,db2 dbname=baton");
	CHECK(c.statement_timeout_ms == 5000);
	CHECK(c.connect_timeout_s == 7);
	CHECK(c.color == 0);
	CHECK(c.ascii == 1);
	CHECK(c.escdelay_ms == 100);
	CHECK(c.nwarnings == 0);
	CHECK(c.nviews == 2);
	if (c.nviews == 2) {
		CHECK_STR(c.views[0].name, "mine");
		CHECK(c.views[0].mine == 1 && c.views[0].breached == 0);
		CHECK(c.views[0].team == NULL && c.views[0].state == NULL);
		CHECK_STR(c.views[1].name, "late billing");
		CHECK_STR(c.views[1].team, "billing");
		CHECK_STR(c.views[1].state, "open");
		CHECK_STR(c.views[1].reason, "beta two");
		CHECK_STR(c.views[1].priority, "high");
		CHECK(c.views[1].breached == 1 && c.views[1].mine == 0);
	}
	CHECK(c.nfiles == 1 && strcmp(c.files[0], p) == 0);
	config_free(&c);
}

static void test_syntax_error_names_file_and_line(void)
{
	env_reset();
	const char *p = tmpfile_with("syntax.cfg",
		"ui:\n"
		"{\n"
		"  color = true;\n"
		"  ascii = ;\n"
		"};\n");
	struct config c;
	char err[1024];
	CHECK(load(&c, p, err, sizeof err) == -1);
	CHECK(err_at(err, p, 4));
	CHECK(strchr(err, '\n') == NULL);
	config_free(&c);

	/* A missing ';' is reported where the parser notices it. */
	p = tmpfile_with("syntax2.cfg",
		"# comment\n"
		"database: { statement_timeout_ms = 10 };\n"
		"ui: { color = true }\n"
		"oops\n");
	CHECK(load(&c, p, err, sizeof err) == -1);
	CHECK(strncmp(err, p, strlen(p)) == 0 && err[strlen(p)] == ':');
	CHECK(atoi(err + strlen(p) + 1) >= 3);
	config_free(&c);
}

static void test_unknown_setting_is_named(void)
{
	env_reset();
	const char *p = tmpfile_with("unknown.cfg",
		"ui:\n"
		"{\n"
		"  ascii = false;\n"
		"  colour = true;\n"
		"};\n");
	struct config c;
	char err[1024];
	CHECK(load(&c, p, err, sizeof err) == -1);
	CHECK(err_at(err, p, 4));
	CHECK(strstr(err, ": unknown setting 'ui.colour'") != NULL);
	config_free(&c);

	p = tmpfile_with("unknown2.cfg", "database: { };\n\ndisplay: { color = true; };\n");
	CHECK(load(&c, p, err, sizeof err) == -1);
	CHECK(err_at(err, p, 3));
	CHECK(strstr(err, "unknown setting 'display'") != NULL);
	config_free(&c);

	p = tmpfile_with("unknown3.cfg",
		"handoff:\n{\n  ack_sla:\n  {\n    urgent = \"1h\";\n    critical = \"5m\";\n  };\n};\n");
	CHECK(load(&c, p, err, sizeof err) == -1);
	CHECK(err_at(err, p, 6));
	CHECK(strstr(err, "unknown setting 'handoff.ack_sla.critical'") != NULL);
	config_free(&c);

	p = tmpfile_with("unknown4.cfg",
		"queue: { views = ( { name = \"a\"; },\n { name = \"b\"; colour = 1; } ); };\n");
	CHECK(load(&c, p, err, sizeof err) == -1);
	CHECK(err_at(err, p, 2));
	CHECK(strstr(err, "unknown setting 'queue.views.[1].colour'") != NULL ||
	      strstr(err, "unknown setting 'queue.views[1].colour'") != NULL);
	config_free(&c);
}

/* database.read_conninfo: a standby for reads, checked when the file is
 * read (a typo would otherwise leave the standby unused, silently), and a
 * later file's "" turns an earlier one's off. */
static void test_read_conninfo(void)
{
	struct config c;
	char err[1024];
	env_reset();
	const char *p = tmpfile_with("read1.cfg",
		"database: {\n  read_conninfo = \"host=r1,r2 target_session_attrs=prefer-standby\";\n};\n");
	CHECK(load(&c, p, err, sizeof err) == 0);
	CHECK_STR(c.read_conninfo, "host=r1,r2 target_session_attrs=prefer-standby");
	config_free(&c);

	p = tmpfile_with("read2.cfg", "database: {\n\n  read_conninfo = \"host=r1 nosuchkey=1\";\n};\n");
	CHECK(load(&c, p, err, sizeof err) == -1);
	CHECK(err_at(err, p, 3));
	CHECK(strstr(err, "'database.read_conninfo'") != NULL);
	CHECK(strstr(err, "invalid connection string") != NULL);
	config_free(&c);

	/* database.conninfo too, naming its line (it was left to the
	 * connection, whose error names no file). */
	p = tmpfile_with("conn2.cfg", "database: {\n  conninfo = \"user=ana bogus=1\";\n};\n");
	CHECK(load(&c, p, err, sizeof err) == -1);
	CHECK(err_at(err, p, 2));
	CHECK(strstr(err, "'database.conninfo'") != NULL);
	CHECK(strstr(err, "invalid connection option \"bogus\"") != NULL);
	config_free(&c);

	p = tmpfile_with("read3.cfg", "database: { read_conninfo = \"\"; };\n");
	CHECK(load(&c, p, err, sizeof err) == 0);
	CHECK(c.read_conninfo == NULL);
	config_free(&c);
}

static void test_wrong_type_names_the_setting(void)
{
	struct config c;
	char err[1024];
	env_reset();
	const char *p = tmpfile_with("type1.cfg", "ui:\n{\n  color = 1;\n};\n");
	CHECK(load(&c, p, err, sizeof err) == -1);
	CHECK(err_at(err, p, 3));
	CHECK(strstr(err, "'ui.color'") != NULL);
	CHECK(strstr(err, "true or false") != NULL);
	config_free(&c);

	p = tmpfile_with("type2.cfg", "database: {\n  statement_timeout_ms = \"15s\";\n};\n");
	CHECK(load(&c, p, err, sizeof err) == -1);
	CHECK(err_at(err, p, 2));
	CHECK(strstr(err, "'database.statement_timeout_ms'") != NULL);
	CHECK(strstr(err, "integer") != NULL);
	config_free(&c);

	p = tmpfile_with("type3.cfg", "database: { conninfo = 5; };\n");
	CHECK(load(&c, p, err, sizeof err) == -1);
	CHECK(err_at(err, p, 1));
	CHECK(strstr(err, "'database.conninfo'") != NULL);
	CHECK(c.conninfo == NULL);
	config_free(&c);

	p = tmpfile_with("type3r.cfg", "database: {\n  read_conninfo = 5;\n};\n");
	CHECK(load(&c, p, err, sizeof err) == -1);
	CHECK(err_at(err, p, 2));
	CHECK(strstr(err, "setting 'database.read_conninfo' must be a string in double quotes") != NULL);
	CHECK(c.read_conninfo == NULL);
	config_free(&c);

	/* The import group's strings are read the same way. */
	p = tmpfile_with("type3i.cfg", "import: { sources = ( {\n  name = \"crm\";\n  entity = 7;\n} ); };\n");
	CHECK(load(&c, p, err, sizeof err) == -1);
	CHECK(err_at(err, p, 3));
	CHECK(strstr(err, "'import.sources[0].entity' must be a string in double quotes") != NULL);
	config_free(&c);

	p = tmpfile_with("type4.cfg", "# a group is expected\nui = true;\n");
	CHECK(load(&c, p, err, sizeof err) == -1);
	CHECK(err_at(err, p, 2));
	CHECK(strstr(err, "'ui'") != NULL && strstr(err, "group") != NULL);
	config_free(&c);

	p = tmpfile_with("type5.cfg", "ui: { escdelay_ms = 2.5; };\n");
	CHECK(load(&c, p, err, sizeof err) == -1);
	CHECK(strstr(err, "'ui.escdelay_ms'") != NULL);
	config_free(&c);

	p = tmpfile_with("type6.cfg", "handoff: { ack_sla: { high = true; }; };\n");
	CHECK(load(&c, p, err, sizeof err) == -1);
	CHECK(err_at(err, p, 1));
	CHECK(strstr(err, "'handoff.ack_sla.high'") != NULL);
	config_free(&c);
}

static void test_out_of_range_values(void)
{
	struct config c;
	char err[1024];
	env_reset();
	const char *p = tmpfile_with("range1.cfg", "ui: {\n  escdelay_ms = 1001;\n};\n");
	CHECK(load(&c, p, err, sizeof err) == -1);
	CHECK(err_at(err, p, 2));
	CHECK(strstr(err, "'ui.escdelay_ms'") != NULL);
	CHECK(strstr(err, "between 0 and 1000") != NULL);
	config_free(&c);

	p = tmpfile_with("range2.cfg", "handoff: { max_note_bytes = 63; };\n");
	CHECK(load(&c, p, err, sizeof err) == -1);
	CHECK(strstr(err, "'handoff.max_note_bytes'") != NULL);
	config_free(&c);

	p = tmpfile_with("range3.cfg", "database: { statement_timeout_ms = -1; };\n");
	CHECK(load(&c, p, err, sizeof err) == -1);
	CHECK(strstr(err, "'database.statement_timeout_ms'") != NULL);
	config_free(&c);

	/* A 64-bit value must not wrap into the range. */
	p = tmpfile_with("range4.cfg", "database: { connect_timeout_s = 4294967306L; };\n");
	CHECK(load(&c, p, err, sizeof err) == -1);
	CHECK(strstr(err, "'database.connect_timeout_s'") != NULL);
	config_free(&c);

	/* The limits themselves are accepted. */
	p = tmpfile_with("range5.cfg",
		"ui: { escdelay_ms = 1000; };\n"
		"handoff: { max_note_bytes = 65536; };\n"
		"database: { statement_timeout_ms = 0; connect_timeout_s = 3600; };\n");
	CHECK(load(&c, p, err, sizeof err) == 0);
	CHECK(c.escdelay_ms == 1000 && c.moved.max_note_bytes == 65536);
	CHECK(c.statement_timeout_ms == 0 && c.connect_timeout_s == 3600);
	config_free(&c);

	/* Durations: zero, a year and a day, and nonsense are refused. */
	const char *bad[] = {"urgent = \"0m\";", "urgent = 0;", "low = \"366d\";",
	                     "normal = \"soon\";", "high = -5;", "high = \"4 h\";"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		char text[256];
		snprintf(text, sizeof text, "handoff:\n{\n  ack_sla:\n  {\n    %s\n  };\n};\n", bad[i]);
		p = tmpfile_with("range6.cfg", text);
		CHECK(load(&c, p, err, sizeof err) == -1);
		CHECK(err_at(err, p, 5));
		CHECK(strstr(err, "'handoff.ack_sla.") != NULL);
		CHECK(strstr(err, "duration") != NULL);
		config_free(&c);
	}
}

/* A directory or a FIFO at a configuration's name is refused, naming it:
 * libconfig's scanner would end the program with "input in flex scanner
 * failed" and no file, and a FIFO nobody writes to would block it. */
static void test_config_not_a_file(void)
{
	struct config c;
	char err[1024], fifo[700];
	env_reset();
	CHECK(load(&c, tmpdir, err, sizeof err) == -1);
	CHECK(strncmp(err, tmpdir, strlen(tmpdir)) == 0);
	CHECK(strstr(err, "not a regular file (a directory)") != NULL);
	config_free(&c);
	snprintf(fifo, sizeof fifo, "%s/fifo.cfg", tmpdir);
	unlink(fifo);
	CHECK(mkfifo(fifo, 0600) == 0);
	alarm(10); /* a blocked open ends the test, failed, instead of hanging it */
	CHECK(load(&c, fifo, err, sizeof err) == -1);
	alarm(0);
	CHECK(strstr(err, "not a regular file (a FIFO)") != NULL);
	config_free(&c);
	/* In the user's directory too. */
	CHECK(mkfifo(xdg_file, 0600) == 0);
	alarm(10);
	CHECK(load(&c, NULL, err, sizeof err) == -1);
	alarm(0);
	CHECK(strncmp(err, xdg_file, strlen(xdg_file)) == 0);
	CHECK(strstr(err, "not a regular file (a FIFO)") != NULL);
	config_free(&c);
	unlink(fifo);
	env_reset();
}

/* A configuration another user wrote is not read: it names the server a
 * .pgpass password goes to.  Theirs (planted at a name, or reached by a
 * link of theirs) or writable by others is refused, saying why; the
 * user's own and root's are read. */
static void test_config_others_file(void)
{
	struct config c;
	char err[1024], path[700], link[700];
	env_reset();
	snprintf(path, sizeof path, "%s/planted.cfg", tmpdir);
	snprintf(link, sizeof link, "%s/link.cfg", tmpdir);
	write_file(path, "database: { conninfo = \"host=/tmp/x dbname=baton\"; };\n");
	CHECK(chmod(path, 0644) == 0);
	/* (The tests run as root, whose files count as trusted: the file is
	 * given to another user to be someone else's.) */
	CHECK(chown(path, 65534, 65534) == 0);
	CHECK(load(&c, path, err, sizeof err) == -1);
	CHECK(strncmp(err, path, strlen(path)) == 0);
	CHECK(strstr(err, "owned by another user (uid 65534): a configuration must be yours or root's") != NULL);
	config_free(&c);
	unlink(link);
	CHECK(symlink(path, link) == 0);
	CHECK(load(&c, link, err, sizeof err) == -1);
	CHECK(strstr(err, "owned by another user") != NULL);
	config_free(&c);
	CHECK(chown(path, geteuid(), getegid()) == 0);
	CHECK(chmod(path, 0666) == 0);
	CHECK(load(&c, path, err, sizeof err) == -1);
	CHECK(strstr(err, "others may write to it (mode 0666): chmod go-w it") != NULL);
	config_free(&c);
	CHECK(chmod(path, 0664) == 0);
	CHECK(load(&c, path, err, sizeof err) == -1);
	config_free(&c);
	CHECK(chmod(path, 0644) == 0);
	CHECK(load(&c, path, err, sizeof err) == 0);
	CHECK_STR(c.conninfo, "host=/tmp/x dbname=baton");
	config_free(&c);
	unlink(link);
	unlink(path);
	env_reset();
}

static void test_named_file_must_exist(void)
{
	struct config c;
	char err[1024];
	char missing[700];
	env_reset();
	snprintf(missing, sizeof missing, "%s/no-such-file.cfg", tmpdir);
	CHECK(load(&c, missing, err, sizeof err) == -1);
	CHECK(strncmp(err, missing, strlen(missing)) == 0);
	CHECK(strstr(err, "cannot open") != NULL);
	config_free(&c);

	/* The same for $BATON_CONFIG: a typo must not fall back to defaults. */
	setenv("BATON_CONFIG", missing, 1);
	CHECK(load(&c, NULL, err, sizeof err) == -1);
	CHECK(strncmp(err, missing, strlen(missing)) == 0);
	config_free(&c);
	unsetenv("BATON_CONFIG");

	/* A missing user file is fine: it is optional. */
	CHECK(load(&c, NULL, err, sizeof err) == 0);
	CHECK(c.nfiles == 0);
	config_free(&c);
}

static void test_layering_later_files_override(void)
{
	struct config c;
	char err[1024];
	env_reset();
	write_file(xdg_file,
		"database: { statement_timeout_ms = 1000; conninfo = \"dbname=user\"; };\n"
		"ui: { escdelay_ms = 50; };\n"
		"handoff: { reasons = [ \"from user\" ]; ack_sla: { high = \"3h\"; }; };\n"
		"queue: { views = ( { name = \"user view\"; } ); };\n");
	const char *p = tmpfile_with("explicit.cfg",
		"ui: { escdelay_ms = 75; };\n"
		"database: { connect_timeout_s = 9; conninfo = \"dbname=explicit\"; };\n"
		"handoff: { ack_sla: { low = \"1d\"; }; };\n"
		"queue: { views = ( { name = \"explicit 1\"; }, { name = \"explicit 2\"; } ); };\n");

	/* The user file alone. */
	CHECK(load(&c, NULL, err, sizeof err) == 0);
	CHECK(c.escdelay_ms == 50 && c.statement_timeout_ms == 1000);
	CHECK(c.nfiles == 1 && strcmp(c.files[0], xdg_file) == 0);
	config_free(&c);

	/* Then -c FILE on top. */
	int rc = load(&c, p, err, sizeof err);
	CHECK(rc == 0);
	if (rc)
		printf("    %s\n", err);
	CHECK(c.escdelay_ms == 75);           /* overridden */
	CHECK_STR(c.conninfo, "dbname=explicit");
	CHECK(c.statement_timeout_ms == 1000); /* survives from the user file */
	CHECK(c.connect_timeout_s == 9);
	/* The moved settings layer as they did, for `baton migrate`. */
	CHECK(c.moved.nreasons == 1 && strcmp(c.moved.reasons[0], "from user") == 0);
	CHECK(c.moved.ack_sla_min[PRIO_HIGH] == 180);
	CHECK(c.moved.ack_sla_min[PRIO_LOW] == 1440);
	CHECK(c.moved.ack_sla_min[PRIO_URGENT] == 0); /* not set: the database keeps its own */
	CHECK(c.color == 1);
	CHECK(c.nviews == 2 && strcmp(c.views[0].name, "explicit 1") == 0);
	CHECK(c.nfiles == 2);
	if (c.nfiles == 2) {
		CHECK_STR(c.files[0], xdg_file);
		CHECK_STR(c.files[1], p);
	}
	config_free(&c);

	/* $BATON_CONFIG works like -c, and -c wins over it. */
	const char *envf = tmpfile_with("env.cfg", "ui: { ascii = true; escdelay_ms = 5; };\n");
	setenv("BATON_CONFIG", envf, 1);
	CHECK(load(&c, NULL, err, sizeof err) == 0);
	CHECK(c.ascii == 1 && c.escdelay_ms == 5);
	CHECK(c.nfiles == 2 && strcmp(c.files[1], envf) == 0);
	config_free(&c);
	CHECK(load(&c, p, err, sizeof err) == 0);
	CHECK(c.ascii == 0 && c.escdelay_ms == 75);
	config_free(&c);
	unsetenv("BATON_CONFIG");

	/* An error in the user file is reported with the user file's path even
	 * when the -c file is fine. */
	write_file(xdg_file, "ui: { escdelay_ms = \"x\"; };\n");
	CHECK(load(&c, p, err, sizeof err) == -1);
	CHECK(err_at(err, xdg_file, 1));
	config_free(&c);
	remove(xdg_file);
}

static void test_user_file_location(void)
{
	struct config c;
	char err[1024];
	env_reset();
	/* Without XDG_CONFIG_HOME, ~/.config/baton/baton.cfg. */
	unsetenv("XDG_CONFIG_HOME");
	write_file(home_file, "ui: { escdelay_ms = 42; };\n");
	CHECK(load(&c, NULL, err, sizeof err) == 0);
	CHECK(c.escdelay_ms == 42);
	CHECK(c.nfiles == 1 && strcmp(c.files[0], home_file) == 0);
	config_free(&c);

	/* A relative XDG_CONFIG_HOME is ignored (XDG base directory spec). */
	setenv("XDG_CONFIG_HOME", "relative/dir", 1);
	CHECK(load(&c, NULL, err, sizeof err) == 0);
	CHECK(c.escdelay_ms == 42);
	config_free(&c);

	/* An absolute XDG_CONFIG_HOME replaces ~/.config. */
	setenv("XDG_CONFIG_HOME", xdg, 1);
	write_file(xdg_file, "ui: { escdelay_ms = 43; };\n");
	CHECK(load(&c, NULL, err, sizeof err) == 0);
	CHECK(c.escdelay_ms == 43);
	CHECK(c.nfiles == 1);
	config_free(&c);
	env_reset();
}

static void test_parse_minutes(void)
{
	CHECK(config_parse_minutes("30") == 30);
	CHECK(config_parse_minutes("0") == 0);
	CHECK(config_parse_minutes("30m") == 30);
	CHECK(config_parse_minutes("4h") == 240);
	CHECK(config_parse_minutes("2d") == 2880);
	CHECK(config_parse_minutes("120s") == 2);
	CHECK(config_parse_minutes("60s") == 1);
	CHECK(config_parse_minutes("365d") == 525600);
	CHECK(config_parse_minutes("8760h") == 525600);
	CHECK(config_parse_minutes("525600") == 525600);

	CHECK(config_parse_minutes(NULL) == -1);
	CHECK(config_parse_minutes("") == -1);
	CHECK(config_parse_minutes("m") == -1);
	CHECK(config_parse_minutes("abc") == -1);
	CHECK(config_parse_minutes("-5") == -1);
	CHECK(config_parse_minutes("-5m") == -1);
	CHECK(config_parse_minutes("5x") == -1);
	CHECK(config_parse_minutes("5 m") == -1);
	CHECK(config_parse_minutes("5mm") == -1);
	CHECK(config_parse_minutes("1.5h") == -1);
	CHECK(config_parse_minutes("30M") == -1);
	CHECK(config_parse_minutes("366d") == -1);
	CHECK(config_parse_minutes("8761h") == -1);
	CHECK(config_parse_minutes("525601") == -1);
	CHECK(config_parse_minutes("99999999999999999999") == -1);
}

static void test_parse_minutes_seconds_have_the_same_limit(void)
{
	/* Every unit is capped at a year; seconds too.  Without the cap a huge
	 * number of seconds wraps around in the conversion to int:
	 * 257698038060s = (2^32 + 5) minutes would become a 5-minute SLA. */
	CHECK(config_parse_minutes("31536000s") == 525600);
	CHECK(config_parse_minutes("31536060s") == -1);
	CHECK(config_parse_minutes("257698038060s") == -1);
}

/* "handoff: { reasons = [ "r0", ... ]; };" with n entries */
static const char *reasons_file(int n)
{
	static char text[2048];
	snprintf(text, sizeof text, "handoff: { reasons = [ ");
	for (int i = 0; i < n; i++) {
		size_t len = strlen(text);
		snprintf(text + len, sizeof text - len, "%s\"r%d\"", i ? ", " : "", i);
	}
	strcat(text, " ]; };\n");
	return text;
}

static void test_reasons_validation(void)
{
	struct config c;
	char err[1024];
	env_reset();
	struct {
		const char *value;
		const char *want; /* in the message */
	} bad[] = {
		{"[]", "1 to 32 entries"},
		{"\"escalation\"", "list"},
		{"[ \"Escalation\" ]", "handoff.reasons[0]"},
		{"[ \"ok\", \"bad!\" ]", "handoff.reasons[1]"},
		{"[ \"ok\", \"\" ]", "handoff.reasons[1]"},
		{"[ \"1st\" ]", "handoff.reasons[0]"},
		{"[ \" leading\" ]", "handoff.reasons[0]"},
		{"[ \"caf\xc3\xa9\" ]", "handoff.reasons[0]"},
		{"( \"ok\", 5 )", "handoff.reasons[1]"},
		{"[ \"abcdefghijabcdefghijabcdefghijabcdefghijk\" ]", "handoff.reasons[0]"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		char text[256];
		snprintf(text, sizeof text, "handoff:\n{\n  reasons = %s;\n};\n", bad[i].value);
		const char *p = tmpfile_with("reasons.cfg", text);
		int rc = load(&c, p, err, sizeof err);
		CHECK(rc == -1);
		CHECK(rc == -1 && strncmp(err, p, strlen(p)) == 0);
		CHECK(strstr(err, bad[i].want) != NULL);
		if (rc != -1 || !strstr(err, bad[i].want))
			printf("    case %s: rc %d, \"%s\"\n", bad[i].value, rc, err);
		config_free(&c);
	}

	/* The line of the offending entry, not of the list. */
	const char *pl = tmpfile_with("reasons_lines.cfg",
		"handoff:\n{\n  reasons = [ \"ok\",\n    \"Not OK\" ];\n};\n");
	CHECK(load(&c, pl, err, sizeof err) == -1);
	CHECK(err_at(err, pl, 4));
	CHECK(strstr(err, "handoff.reasons[1]") != NULL);
	config_free(&c);

	/* 32 reasons are accepted, 33 are not; 40 characters are accepted. */
	const char *p = tmpfile_with("r32.cfg", reasons_file(32));
	CHECK(load(&c, p, err, sizeof err) == 0);
	CHECK(c.moved.nreasons == 32 && strcmp(c.moved.reasons[31], "r31") == 0);
	config_free(&c);
	p = tmpfile_with("r33.cfg", reasons_file(33));
	CHECK(load(&c, p, err, sizeof err) == -1);
	CHECK(strstr(err, "1 to 32") != NULL);
	config_free(&c);

	p = tmpfile_with("r40.cfg",
		"handoff: { reasons = [ \"abcdefghijabcdefghijabcdefghijabcdefghij\", \"a-b_c d9\" ]; };\n");
	CHECK(load(&c, p, err, sizeof err) == 0);
	CHECK(c.moved.nreasons == 2 && strlen(c.moved.reasons[0]) == 40);
	config_free(&c);
}

static void test_queue_view_validation(void)
{
	struct config c;
	char err[1024];
	env_reset();
	const char *p = tmpfile_with("v1.cfg", "queue: { views = ( { team = \"support\"; } ); };\n");
	CHECK(load(&c, p, err, sizeof err) == -1);
	CHECK(strstr(err, "name") != NULL);
	config_free(&c);

	p = tmpfile_with("v2.cfg",
		"queue: { views = ( { name = \"x\";\n priority = \"critical\"; } ); };\n");
	CHECK(load(&c, p, err, sizeof err) == -1);
	CHECK(err_at(err, p, 2));
	CHECK(strstr(err, ": unknown priority \"critical\": use low, normal, high or urgent") != NULL);
	config_free(&c);

	/* Every filter value is checked as the console checks it, at its line. */
	p = tmpfile_with("v3.cfg",
		"queue: { views = ( { name = \"x\"; },\n { name = \"y\";\n state = \"bogus\"; } ); };\n");
	CHECK(load(&c, p, err, sizeof err) == -1);
	CHECK(err_at(err, p, 3));
	CHECK(strstr(err, ": unknown state \"bogus\": use active, open, acknowledged, resolved or cancelled") != NULL);
	config_free(&c);

	/* Teams are rows of the database: here only their form is known. */
	p = tmpfile_with("v4.cfg", "queue: { views = ( { name = \"x\"; team = \"Support Team\"; } ); };\n");
	CHECK(load(&c, p, err, sizeof err) == -1);
	CHECK(err_at(err, p, 1));
	CHECK(strstr(err, "unknown team \"Support Team\": use a team id") != NULL);
	config_free(&c);
	p = tmpfile_with("v5.cfg", "queue: { views = ( { name = \"x\"; team = \"\"; } ); };\n");
	CHECK(load(&c, p, err, sizeof err) == -1);
	CHECK(strstr(err, "team= needs a value") != NULL);
	config_free(&c);
}

/* A view's reason names one of the database's: here only its form is
 * known, as for a team; the queue checks it against the list. */
static void test_queue_view_reason(void)
{
	struct config c;
	char err[2048];
	env_reset();
	const char *p = tmpfile_with("vr1.cfg",
		"queue: { views = ( { name = \"x\";\n reason = \"refund\"; } ); };\n");
	CHECK(load(&c, p, err, sizeof err) == 0);
	CHECK(c.nviews == 1 && c.views[0].reason && strcmp(c.views[0].reason, "refund") == 0);
	config_free(&c);

	p = tmpfile_with("vr2.cfg",
		"queue: { views = ( { name = \"x\";\n reason = \"Refund!\"; } ); };\n");
	CHECK(load(&c, p, err, sizeof err) == -1);
	CHECK(err_at(err, p, 2));
	CHECK(strstr(err, ": unknown reason \"Refund!\": use a reason (lower-case letters") != NULL);
	config_free(&c);

	char text[1024] = "queue: { views = ( ";
	for (int i = 0; i < 10; i++) {
		size_t len = strlen(text);
		snprintf(text + len, sizeof text - len, "%s{ name = \"v%d\"; }", i ? ", " : "", i);
	}
	strcat(text, " ); };\n");
	p = tmpfile_with("v10.cfg", text);
	CHECK(load(&c, p, err, sizeof err) == -1);
	CHECK(strstr(err, "at most 9") != NULL);
	config_free(&c);
}

/* A reference names a source of its entity: a customer reference the
 * customers source whose ids it holds, a contact reference a contacts
 * source.  Checked once every file is read: a later file may declare it. */
static void test_import_references_checked(void)
{
	struct config c;
	char err[1024];
	env_reset();
#define SRC_CRM "{ name = \"crm\"; entity = \"customers\"; format = \"csv\"; fields = { source_id = \"id\"; name = \"n\"; }; }\n"
#define SRC_PEOPLE "{ name = \"people\"; entity = \"contacts\"; format = \"csv\"; customer_source = \"crm\";\n" \
	"  fields = { source_id = \"id\"; customer = \"company\"; }; }\n"
	const char *p = tmpfile_with("ref1.cfg", "import: { sources = (\n" SRC_CRM "," SRC_PEOPLE
	                                         ",{ name = \"desk\"; entity = \"tickets\"; format = \"csv\";\n"
	                                         "  customer_source = \"crm\"; contact_source = \"crm\";\n"
	                                         "  fields = { source_id = \"id\"; customer = \"c\"; contact = \"r\"; }; }\n"
	                                         "); };\n");
	CHECK(load(&c, p, err, sizeof err) == -1);
	CHECK(err_at(err, p, 5));
	CHECK(strstr(err, "contact_source \"crm\" feeds customers, not contacts") != NULL);
	config_free(&c);

	p = tmpfile_with("ref2.cfg", "import: { sources = (\n" SRC_CRM
	                             ",{ name = \"people\"; entity = \"contacts\"; format = \"csv\"; customer_source = \"cmr\";\n"
	                             "  fields = { source_id = \"id\"; customer = \"company\"; }; }\n); };\n");
	CHECK(load(&c, p, err, sizeof err) == -1);
	CHECK(err_at(err, p, 3));
	CHECK(strstr(err, "customer_source \"cmr\" is not a source of import.sources") != NULL);
	config_free(&c);

	p = tmpfile_with("ref3.cfg", "import: { sources = (\n" SRC_CRM
	                             ",{ name = \"people\"; entity = \"contacts\"; format = \"csv\";\n"
	                             "  fields = { source_id = \"id\"; customer = \"company\"; }; }\n); };\n");
	CHECK(load(&c, p, err, sizeof err) == -1);
	CHECK(err_at(err, p, 3));
	CHECK(strstr(err, "source people maps customer, so it needs customer_source") != NULL);
	config_free(&c);

	/* The customers source in the user's file, the contacts in -c's. */
	write_file(xdg_file, "import: { sources = (\n" SRC_CRM "); };\n");
	p = tmpfile_with("ref4.cfg", "import: { sources = (\n" SRC_PEOPLE "); };\n");
	CHECK(load(&c, p, err, sizeof err) == 0);
	config_free(&c);
	env_reset();
#undef SRC_CRM
#undef SRC_PEOPLE
}

/* A survey answer's date says which is a customer's latest: a surveys source
 * maps it.  A source's time zone is a name, which the server checks. */
static void test_import_source_dates(void)
{
	struct config c;
	char err[1024];
	env_reset();
	const char *p = tmpfile_with("nps1.cfg", "import: { sources = (\n"
	                                         "{ name = \"nps\"; entity = \"surveys\"; format = \"csv\";\n"
	                                         "  fields = { source_id = \"id\"; email = \"from\"; score = \"score\"; }; }\n"
	                                         "); };\n");
	CHECK(load(&c, p, err, sizeof err) == -1);
	CHECK(err_at(err, p, 2));
	CHECK(strstr(err, "source nps maps no responded_at") != NULL);
	config_free(&c);

	/* A customers source of ids alone (a crosswalk) rejected every row:
	 * refused here instead, naming the file and line. */
	p = tmpfile_with("ids.cfg", "import: { sources = (\n"
	                            "{ name = \"billing\"; entity = \"customers\"; format = \"csv\"; system = \"billing\";\n"
	                            "  fields = { source_id = \"account\"; crm_id = \"crm\"; }; }\n"
	                            "); };\n");
	CHECK(load(&c, p, err, sizeof err) == -1);
	CHECK(err_at(err, p, 2));
	CHECK(strstr(err, "source billing maps neither name nor domains") != NULL);
	config_free(&c);
	p = tmpfile_with("dom.cfg", "import: { sources = (\n"
	                            "{ name = \"billing\"; entity = \"customers\"; format = \"csv\"; system = \"billing\";\n"
	                            "  fields = { source_id = \"account\"; domains = \"site\"; }; }\n"
	                            "); };\n");
	CHECK(load(&c, p, err, sizeof err) == 0);
	config_free(&c);

	p = tmpfile_with("nps2.cfg", "import: { sources = (\n"
	                             "{ name = \"nps\"; entity = \"surveys\"; format = \"csv\";\n"
	                             "  timezone = \"Europe/Berlin\";\n"
	                             "  fields = { source_id = \"id\"; email = \"from\"; responded_at = \"at\"; }; }\n"
	                             "); };\n");
	CHECK(load(&c, p, err, sizeof err) == 0);
	const struct import_source *src = c.import ? import_source_find(c.import, "nps") : NULL;
	CHECK(src != NULL);
	CHECK_STR(src ? src->timezone : NULL, "Europe/Berlin");
	config_free(&c);

	p = tmpfile_with("nps3.cfg", "import: { sources = (\n"
	                             "{ name = \"nps\"; entity = \"surveys\"; format = \"csv\";\n"
	                             "  timezone = \"Europe/Berlin'; --\";\n"
	                             "  fields = { source_id = \"id\"; email = \"from\"; responded_at = \"at\"; }; }\n"
	                             "); };\n");
	CHECK(load(&c, p, err, sizeof err) == -1);
	CHECK(err_at(err, p, 3));
	CHECK(strstr(err, "timezone must name a time zone") != NULL);
	config_free(&c);

	/* A customers source's system is one of the schema's, said at its
	 * line; the zone's file and line are kept for the server's check. */
	p = tmpfile_with("sys1.cfg", "import: { sources = (\n"
	                             "{ name = \"sf\"; entity = \"customers\"; format = \"csv\";\n"
	                             "  system = \"salesforce\";\n"
	                             "  fields = { source_id = \"id\"; name = \"name\"; }; }\n"
	                             "); };\n");
	CHECK(load(&c, p, err, sizeof err) == -1);
	CHECK(err_at(err, p, 3));
	CHECK(strstr(err, "system must be one of crm, helpdesk, onboarding, marketing, billing") != NULL);
	config_free(&c);
	p = tmpfile_with("sys2.cfg", "import: { sources = (\n"
	                             "{ name = \"sf\"; entity = \"customers\"; format = \"csv\";\n"
	                             "  system = \"billing\";\n"
	                             "  timezone = \"Europe/Berlin\";\n"
	                             "  fields = { source_id = \"id\"; name = \"name\"; }; }\n"
	                             "); };\n");
	CHECK(load(&c, p, err, sizeof err) == 0);
	src = c.import ? import_source_find(c.import, "sf") : NULL;
	CHECK_STR(src ? src->system : NULL, "billing");
	char at[4200];
	snprintf(at, sizeof at, "%s:4", p);
	CHECK_STR(src ? src->timezone_at : NULL, at);
	config_free(&c);
	/* Only a customers source reads it: another's is no error (a
	 * configuration that loaded before still does). */
	p = tmpfile_with("sys3.cfg", "import: { sources = (\n"
	                             "{ name = \"zt\"; entity = \"tickets\"; format = \"jsonl\";\n"
	                             "  system = \"zendesk\";\n"
	                             "  fields = { source_id = \"id\"; subject = \"subject\"; }; }\n"
	                             "); };\n");
	CHECK(load(&c, p, err, sizeof err) == 0);
	config_free(&c);
	env_reset();
}

/* A source's rules say which rows are its records: only and skip, each a
 * rule or a list of rules, need the field they read and a list of strings,
 * said at the rule's line; the mapping sent to the server carries them, a
 * JSON path split as a field's. */
static void test_import_rules(void)
{
	struct config c;
	char err[1024];
	env_reset();
#define USERS(rule) "import: { sources = (\n" \
	"{ name = \"users\"; entity = \"contacts\"; format = \"json\"; array = \"users\";\n" \
	"  " rule "\n" \
	"  fields = { source_id = \"id\"; email = \"email\"; }; }\n); };\n"
	const char *p = tmpfile_with("rule1.cfg", USERS("skip = ( { from = \"who.role\"; values = [\"agent\", \"admin\"]; },"
	                                                " { from = \"suspended\"; values = [\"true\"]; } );"
	                                                " only = { from = \"active\"; values = [\"true\"]; };"));
	CHECK(load(&c, p, err, sizeof err) == 0);
	const struct import_source *src = c.import ? import_source_find(c.import, "users") : NULL;
	CHECK(src != NULL);
	struct buf j = BUF_INIT;
	if (src)
		import_spec_json(&j, src, NULL);
	CHECK(strstr(buf_str(&j), ",\"only\":[{\"path\":[\"active\"],\"values\":[\"true\"]}],"
	                          "\"skip\":[{\"path\":[\"who\",\"role\"],\"values\":[\"agent\",\"admin\"]},"
	                          "{\"path\":[\"suspended\"],\"values\":[\"true\"]}],") != NULL);
	buf_free(&j);
	config_free(&c);

	static const struct {
		const char *rule, *says;
	} bad[] = {
		{"skip = { values = [\"agent\"]; };", "skip needs from = \"...\" and values"},
		{"only = { from = \"role\"; };", "only needs from = \"...\" and values"},
		{"only = { from = \"role\"; values = []; };", "only: values must be a list of strings"},
		{"skip = { from = \"role\"; values = [1, 2]; };", "skip: values must be a list of strings"},
		{"skip = { from = \"\"; values = [\"a\"]; };", "skip: from names the source's field"},
		{"skip = { from = \"role\"; value = [\"a\"]; };", "unknown setting 'import.sources[0].skip.value'"},
		{"skip = \"agent\";", "must be a group"},
		{"skip = ();", "skip must be a group { from = \"...\"; values = [...]; } or a list of them"},
		{"only = ( { from = \"role\"; values = [\"a\"]; }, { from = \"kind\"; } );", "only needs from"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		char text[1024];
		snprintf(text, sizeof text, USERS("%s"), bad[i].rule);
		p = tmpfile_with("rule2.cfg", text);
		CHECK(load(&c, p, err, sizeof err) == -1);
		CHECK(err_at(err, p, 3));
		if (!strstr(err, bad[i].says))
			fprintf(stderr, "  rule %s: %s\n", bad[i].rule, err);
		CHECK(strstr(err, bad[i].says) != NULL);
		config_free(&c);
	}
	p = tmpfile_with("rule3.cfg", USERS("skip = { from = \"who..role\"; values = [\"agent\"]; };"));
	CHECK(load(&c, p, err, sizeof err) == -1);
	CHECK(err_at(err, p, 2));
	CHECK(strstr(err, "a rule's from = \"who..role\" is no JSON path") != NULL);
	config_free(&c);
#undef USERS
	env_reset();
}

/* A JSON path's choices [field=value] (migration 094) as the server takes
 * them; a CSV header with brackets is a header as written. */
static void test_import_path_choice(void)
{
	struct config c;
	char err[1024];
	env_reset();
	const char *p = tmpfile_with("choice.cfg",
		"import: { sources = (\n"
		"{ name = \"answers\"; entity = \"surveys\"; format = \"json\"; array = \"r\";\n"
		"  only = { from = \"answers[question.sub_type=csat].type\"; values = [\"rating_scale\"]; };\n"
		"  fields = { source_id = \"id\"; email = \"who.email\"; score = \"answers[type=x=y].rating\";\n"
		"    comment = \"answers[label=a\\\"b\\\\c. d].value\"; responded_at = \"at\"; }; },\n"
		"{ name = \"sheet\"; entity = \"contacts\"; format = \"csv\";\n"
		"  fields = { source_id = \"Id [x=y]\"; email = \"E-mail\"; }; }\n); };\n");
	CHECK(load(&c, p, err, sizeof err) == 0);
	const struct import_source *src = c.import ? import_source_find(c.import, "answers") : NULL;
	const struct import_source *csv = c.import ? import_source_find(c.import, "sheet") : NULL;
	CHECK(src != NULL && csv != NULL);
	struct buf j = BUF_INIT;
	if (src)
		import_spec_json(&j, src, NULL);
	CHECK(strstr(buf_str(&j), "\"only\":[{\"path\":[\"answers\",{\"where\":[\"question\",\"sub_type\"],"
	                          "\"is\":\"csat\"},\"type\"],") != NULL);
	/* The first '=' ends the field. */
	CHECK(strstr(buf_str(&j), "\"score\":{\"path\":[\"answers\",{\"where\":[\"type\"],\"is\":\"x=y\"},"
	                          "\"rating\"]") != NULL);
	CHECK(strstr(buf_str(&j), "\"comment\":{\"path\":[\"answers\",{\"where\":[\"label\"],"
	                          "\"is\":\"a\\\"b\\\\c. d\"},\"value\"]") != NULL);
	CHECK(strstr(buf_str(&j), "\"email\":{\"path\":[\"who\",\"email\"]") != NULL);
	buf_free(&j);
	if (csv)
		import_spec_json(&j, csv, NULL);
	CHECK(strstr(buf_str(&j), "\"source_id\":{\"path\":[\"Id [x=y]\"]") != NULL);
	buf_free(&j);
	config_free(&c);
	env_reset();
}

/* An old file's handoff group still loads: each moved setting is kept for
 * `baton migrate` and earns a warning naming its file and line, never an
 * error, so nobody is locked out by it. */
static void test_moved_settings_warn(void)
{
	struct config c;
	char err[512];
	env_reset();
	const char *f = tmpfile_with("moved.cfg",
		"ui: { ascii = true; };\n"
		"handoff: {\n"
		"  reasons = [ \"refund\", \"churn risk\" ];\n"
		"  max_note_bytes = 2048;\n"
		"  ack_sla: { urgent = \"2h\"; low = 90; };\n"
		"  ack_sla_team: { support: { urgent = \"30m\"; }; billing: { low = \"5d\"; }; };\n"
		"};\n");
	int rc = load(&c, f, err, sizeof err);
	CHECK(rc == 0);
	if (rc)
		printf("    %s\n", err);
	CHECK(c.ascii == 1);
	CHECK(c.nwarnings == 4);
	static const char *const names[] = {"handoff.reasons", "handoff.max_note_bytes",
	                                    "handoff.ack_sla", "handoff.ack_sla_team"};
	for (size_t i = 0; i < 4 && i < c.nwarnings; i++) {
		CHECK(err_at(c.warnings[i], f, (int)i + 3));
		CHECK(strstr(c.warnings[i], names[i]) != NULL);
		CHECK(strstr(c.warnings[i], "moved to the database") != NULL);
		CHECK(strstr(c.warnings[i], "baton migrate") != NULL);
		char at[800];
		snprintf(at, sizeof at, "%s:%d", f, (int)i + 3);
		CHECK_STR(c.moved.at[i], at);
	}
	CHECK(c.moved.nreasons == 2 && !strcmp(c.moved.reasons[1], "churn risk"));
	CHECK(c.moved.max_note_bytes == 2048);
	CHECK(c.moved.ack_sla_min[PRIO_URGENT] == 120 && c.moved.ack_sla_min[PRIO_LOW] == 90);
	CHECK(c.moved.ack_sla_min[PRIO_HIGH] == 0);
	CHECK(c.moved.nteam_sla == 2);
	CHECK(!strcmp(c.moved.team_sla[0].team, "support") && c.moved.team_sla[0].min[PRIO_URGENT] == 30);
	CHECK(!strcmp(c.moved.team_sla[1].team, "billing") && c.moved.team_sla[1].min[PRIO_LOW] == 5 * 24 * 60);
	config_free(&c);

	f = tmpfile_with("team-sla-bad.cfg", "handoff: { ack_sla_team: { Support: { urgent = \"30m\"; }; }; };\n");
	CHECK(load(&c, f, err, sizeof err) < 0);
	CHECK(strstr(err, "team-sla-bad.cfg:1:") != NULL);
	CHECK(strstr(err, "Support") != NULL);
	config_free(&c);
}

/* The SLAs as `baton settings` shows them read back as durations. */
static void test_format_minutes(void)
{
	char out[16];
	int cases[] = {1, 30, 60, 90, 240, 1440, 4320, 2 * 1440 + 60};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		config_format_minutes(out, sizeof out, cases[i]);
		CHECK(config_parse_minutes(out) == cases[i]);
	}
	config_format_minutes(out, sizeof out, 4320);
	CHECK_STR(out, "3d");
	config_format_minutes(out, sizeof out, 90);
	CHECK_STR(out, "90m");
}

int main(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	const char *base = getenv("BATON_TEST_TMP");
	snprintf(tmpdir, sizeof tmpdir, "%s/test_config.XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(tmpdir)) {
		printf("FAIL setup: mkdtemp %s\n", tmpdir);
		return 1;
	}
	snprintf(home, sizeof home, "%s/home", tmpdir);
	snprintf(xdg, sizeof xdg, "%s/xdg", tmpdir);
	snprintf(xdg_file, sizeof xdg_file, "%s/baton/baton.cfg", xdg);
	snprintf(home_file, sizeof home_file, "%s/.config/baton/baton.cfg", home);
	char d[800];
	mkdir(home, 0755);
	snprintf(d, sizeof d, "%s/.config", home);
	mkdir(d, 0755);
	snprintf(d, sizeof d, "%s/.config/baton", home);
	mkdir(d, 0755);
	mkdir(xdg, 0755);
	snprintf(d, sizeof d, "%s/baton", xdg);
	mkdir(d, 0755);

	char sys[512];
	snprintf(sys, sizeof sys, "%s/baton/baton.cfg", BATON_SYSCONFDIR);
	if (access(sys, F_OK) == 0)
		printf("note: %s exists and is read before every test file\n", sys);

	RUN(test_defaults_without_any_file);
	RUN(test_sample_file_documents_the_defaults);
	RUN(test_valid_file_sets_every_setting);
	RUN(test_syntax_error_names_file_and_line);
	RUN(test_unknown_setting_is_named);
	RUN(test_wrong_type_names_the_setting);
	RUN(test_read_conninfo);
	RUN(test_out_of_range_values);
	RUN(test_config_others_file);
	RUN(test_named_file_must_exist);
	RUN(test_config_not_a_file);
	RUN(test_layering_later_files_override);
	RUN(test_user_file_location);
	RUN(test_parse_minutes);
	RUN(test_parse_minutes_seconds_have_the_same_limit);
	RUN(test_reasons_validation);
	RUN(test_queue_view_validation);
	RUN(test_queue_view_reason);
	RUN(test_import_references_checked);
	RUN(test_import_source_dates);
	RUN(test_import_rules);
	RUN(test_import_path_choice);
	RUN(test_moved_settings_warn);
	RUN(test_format_minutes);

	nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return check_done();
}
