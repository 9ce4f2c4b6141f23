/* Unit tests for handoff drafts on disk (src/draft.c) and for
 * handoff_validate: what a user relies on when an SSH session drops in the
 * middle of a note, and what is refused before anything reaches the
 * database.  XDG_STATE_HOME points at a fresh directory of our own. */
#include "baton/config.h"
#include "baton/team.h"
#include "baton/draft.h"
#include "baton/handoff.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static char state_home[4096]; /* our XDG_STATE_HOME */
static char drafts[4200];     /* state_home/baton/drafts */

/* A handoff with every field set; the note is multi-line UTF-8 with lines
 * that look like draft headers, a blank line and no final newline. */
static const char NOTE[] =
	"Müller & Söhne: order sync down — CTO Klaus Müller escalating.\n"
	"\n"
	"state: queued\n"
	"to-team: billing\n"
	"日本語の請求書 ✔\n"
	"last line without newline";

static void fill(struct handoff_new *h)
{
	CHECK(handoff_init(h) == 0);
	h->customer_id = 6;
	snprintf(h->customer_name, sizeof h->customer_name, "Müller & Söhne GmbH");
	snprintf(h->to_team, sizeof h->to_team, "success");
	snprintf(h->to_staff, sizeof h->to_staff, "lee");
	snprintf(h->reason, sizeof h->reason, "renewal risk");
	snprintf(h->priority, sizeof h->priority, "urgent");
	h->ticket_id = 4816;
	h->note = strdup(NOTE);
}

static void path_of(char *out, size_t n, const char *id)
{
	snprintf(out, n, "%s/%s.draft", drafts, id);
}

/* Names in the drafts directory, one per line, sorted by readdir order. */
static int dir_entries(char names[][256], int max)
{
	DIR *d = opendir(drafts);
	int n = 0;
	if (!d)
		return -1;
	struct dirent *e;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && n < max)
			snprintf(names[n++], 256, "%s", e->d_name);
	closedir(d);
	return n;
}

/* Remove every file in the drafts directory (between tests). */
static void empty_dir(void)
{
	char names[64][256];
	int n = dir_entries(names, 64);
	for (int i = 0; i < n; i++) {
		char p[4500];
		snprintf(p, sizeof p, "%s/%.255s", drafts, names[i]);
		unlink(p);
	}
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f) {
		printf("    cannot write %s\n", path);
		return;
	}
	fputs(text, f);
	fclose(f);
}

/* --- drafts ------------------------------------------------------------- */

static void test_draft_dir_created_private(void)
{
	char dir[4096], err[256] = "";
	CHECK(draft_dir(dir, sizeof dir, err, sizeof err) == 0);
	CHECK_STR(dir, drafts);
	struct stat st;
	CHECK(stat(drafts, &st) == 0 && S_ISDIR(st.st_mode));
	CHECK((st.st_mode & 0777) == 0700);
	/* A directory someone made world-readable is made private again. */
	CHECK(chmod(drafts, 0755) == 0);
	CHECK(draft_dir(dir, sizeof dir, err, sizeof err) == 0);
	CHECK(stat(drafts, &st) == 0 && (st.st_mode & 0777) == 0700);
}

static void test_draft_round_trip_all_fields(void)
{
	struct handoff_new h, back;
	char err[256] = "", path[4400];
	int queued = -1;
	empty_dir();
	fill(&h);
	CHECK(draft_save(&h, 0, 1, err, sizeof err) == 0);
	CHECK_STR(err, "");
	path_of(path, sizeof path, h.id);
	CHECK(draft_load(path, &back, &queued) == 0);
	CHECK_STR(back.id, h.id);
	CHECK_STR(back.event_id, h.event_id);
	CHECK(back.customer_id == 6);
	CHECK_STR(back.customer_name, "Müller & Söhne GmbH");
	CHECK_STR(back.to_team, "success");
	CHECK_STR(back.to_staff, "lee");
	CHECK_STR(back.reason, "renewal risk");
	CHECK_STR(back.priority, "urgent");
	CHECK(back.ticket_id == 4816);
	CHECK_STR(back.note, NOTE); /* byte for byte, header-like lines included */
	CHECK(queued == 0);
	handoff_clear(&back);
	handoff_clear(&h);
}

static void test_draft_queued_flag_round_trip(void)
{
	struct handoff_new h, back;
	char err[256], path[4400];
	int queued = -1;
	empty_dir();
	fill(&h);
	path_of(path, sizeof path, h.id);
	CHECK(draft_save(&h, 1, 0, err, sizeof err) == 0);
	CHECK(draft_load(path, &back, &queued) == 0 && queued == 1);
	handoff_clear(&back);
	/* Saved again while editing: no longer queued. */
	CHECK(draft_save(&h, 0, 0, err, sizeof err) == 0);
	CHECK(draft_load(path, &back, &queued) == 0 && queued == 0);
	handoff_clear(&back);
	handoff_clear(&h);
}

static void test_draft_empty_optional_fields(void)
{
	struct handoff_new h, back;
	char err[256], path[4400];
	int queued;
	empty_dir();
	CHECK(handoff_init(&h) == 0);
	h.customer_id = 1;
	h.note = NULL; /* nothing typed yet */
	CHECK(draft_save(&h, 0, 0, err, sizeof err) == 0);
	path_of(path, sizeof path, h.id);
	CHECK(draft_load(path, &back, &queued) == 0);
	CHECK_STR(back.to_team, "");
	CHECK_STR(back.to_staff, "");
	CHECK(back.ticket_id == 0);
	CHECK_STR(back.priority, "normal");
	CHECK(back.note != NULL && back.note[0] == '\0');
	handoff_clear(&back);
	handoff_clear(&h);
}

static void test_draft_file_mode_0600(void)
{
	struct handoff_new h;
	char err[256], path[4400];
	empty_dir();
	fill(&h);
	mode_t old = umask(0); /* a permissive umask must not matter */
	CHECK(draft_save(&h, 0, 0, err, sizeof err) == 0);
	umask(old);
	path_of(path, sizeof path, h.id);
	struct stat st;
	CHECK(stat(path, &st) == 0 && S_ISREG(st.st_mode));
	CHECK((st.st_mode & 0777) == 0600);
	handoff_clear(&h);
}

static void test_draft_atomic_replace(void)
{
	struct handoff_new h, back;
	char err[256], path[4400], names[16][256];
	int queued;
	empty_dir();
	fill(&h);
	CHECK(draft_save(&h, 0, 1, err, sizeof err) == 0);
	path_of(path, sizeof path, h.id);
	struct stat before, after;
	CHECK(stat(path, &before) == 0);
	free(h.note);
	h.note = strdup("second version");
	CHECK(draft_save(&h, 0, 1, err, sizeof err) == 0);
	CHECK(stat(path, &after) == 0);
	/* Replaced by rename: a new inode, never rewritten in place. */
	CHECK(before.st_ino != after.st_ino);
	CHECK(draft_load(path, &back, &queued) == 0);
	CHECK_STR(back.note, "second version");
	handoff_clear(&back);
	/* Exactly one file: no temporary left behind. */
	int n = dir_entries(names, 16);
	CHECK(n == 1);
	char want[128];
	snprintf(want, sizeof want, "%s.draft", h.id);
	CHECK(n >= 1 && strcmp(names[0], want) == 0);
	handoff_clear(&h);
}

static void test_draft_list_newest_first(void)
{
	struct handoff_new a, b, c;
	char err[256], pa[4400], pb[4400], pc[4400];
	empty_dir();
	fill(&a);
	fill(&b);
	fill(&c);
	CHECK(draft_save(&a, 0, 0, err, sizeof err) == 0);
	CHECK(draft_save(&b, 1, 0, err, sizeof err) == 0);
	CHECK(draft_save(&c, 0, 0, err, sizeof err) == 0);
	path_of(pa, sizeof pa, a.id);
	path_of(pb, sizeof pb, b.id);
	path_of(pc, sizeof pc, c.id);
	/* Modification times an hour apart: b newest, then a, then c. */
	time_t now = time(NULL);
	struct timespec ta[2] = {{now - 3600, 0}, {now - 3600, 0}};
	struct timespec tb[2] = {{now, 0}, {now, 0}};
	struct timespec tc[2] = {{now - 7200, 0}, {now - 7200, 0}};
	CHECK(utimensat(AT_FDCWD, pa, ta, 0) == 0);
	CHECK(utimensat(AT_FDCWD, pb, tb, 0) == 0);
	CHECK(utimensat(AT_FDCWD, pc, tc, 0) == 0);
	/* Files that are not drafts are not listed. */
	char other[4400];
	snprintf(other, sizeof other, "%s/.%s.tmp", drafts, a.id);
	write_file(other, "half-written");
	snprintf(other, sizeof other, "%s/notes.txt", drafts);
	write_file(other, "not a draft");
	char **paths = NULL;
	int n = draft_list(&paths);
	CHECK(n == 3);
	if (n == 3) {
		CHECK_STR(paths[0], pb);
		CHECK_STR(paths[1], pa);
		CHECK_STR(paths[2], pc);
	}
	if (n >= 0)
		draft_list_free(paths, n);
	handoff_clear(&a);
	handoff_clear(&b);
	handoff_clear(&c);
	empty_dir();
	n = draft_list(&paths);
	CHECK(n == 0);
	if (n >= 0)
		draft_list_free(paths, n);
}

static void test_draft_remove(void)
{
	struct handoff_new h;
	char err[256], path[4400];
	empty_dir();
	fill(&h);
	CHECK(draft_save(&h, 1, 0, err, sizeof err) == 0);
	path_of(path, sizeof path, h.id);
	CHECK(access(path, F_OK) == 0);
	CHECK(draft_remove(h.id) == 0);
	CHECK(access(path, F_OK) != 0);
	/* Removing again (sent twice) is not an error. */
	CHECK(draft_remove(h.id) == 0);
	/* Only draft ids: never a path that leaves the directory. */
	CHECK(draft_remove("../../etc/passwd") == -1);
	char **paths;
	int n = draft_list(&paths);
	CHECK(n == 0);
	if (n >= 0)
		draft_list_free(paths, n);
	handoff_clear(&h);
}

static void test_draft_load_rejects_invalid_files(void)
{
	struct handoff_new h;
	int queued = 7;
	char p[4400];
	const char *good_id = "0f8fad5b-d9cb-469f-a165-70867728950e";
	const char *good_ev = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
	char text[2048];
	empty_dir();
	snprintf(p, sizeof p, "%s/x.draft", drafts);

	CHECK(draft_load("/nonexistent/baton/x.draft", &h, &queued) == -1);
	write_file(p, "");
	CHECK(draft_load(p, &h, &queued) == -1);
	/* No magic first line. */
	snprintf(text, sizeof text, "id: %s\nevent: %s\ncustomer: 1\n\nnote\n", good_id, good_ev);
	write_file(p, text);
	CHECK(draft_load(p, &h, &queued) == -1);
	/* Unknown format version. */
	snprintf(text, sizeof text, "baton-draft: 2\nid: %s\nevent: %s\ncustomer: 1\n\nnote\n", good_id, good_ev);
	write_file(p, text);
	CHECK(draft_load(p, &h, &queued) == -1);
	/* Id that is not a UUID. */
	snprintf(text, sizeof text, "baton-draft: 1\nid: not-a-uuid\nevent: %s\ncustomer: 1\n\nnote\n", good_ev);
	write_file(p, text);
	CHECK(draft_load(p, &h, &queued) == -1);
	/* Missing event id. */
	snprintf(text, sizeof text, "baton-draft: 1\nid: %s\ncustomer: 1\n\nnote\n", good_id);
	write_file(p, text);
	CHECK(draft_load(p, &h, &queued) == -1);
	/* No customer, or not a positive one. */
	snprintf(text, sizeof text, "baton-draft: 1\nid: %s\nevent: %s\n\nnote\n", good_id, good_ev);
	write_file(p, text);
	CHECK(draft_load(p, &h, &queued) == -1);
	snprintf(text, sizeof text, "baton-draft: 1\nid: %s\nevent: %s\ncustomer: -4\n\nnote\n", good_id, good_ev);
	write_file(p, text);
	CHECK(draft_load(p, &h, &queued) == -1);
	/* A directory is not a draft. */
	CHECK(draft_load(drafts, &h, &queued) == -1);
	/* The same file made valid is accepted (the checks above are not
	 * rejecting everything). */
	snprintf(text, sizeof text,
	         "baton-draft: 1\nid: %s\nevent: %s\ncustomer: 3\nto-team: support\nstate: queued\n\nhello\n",
	         good_id, good_ev);
	write_file(p, text);
	CHECK(draft_load(p, &h, &queued) == 0);
	CHECK(h.customer_id == 3 && queued == 1);
	CHECK_STR(h.to_team, "support");
	CHECK_STR(h.note, "hello\n");
	handoff_clear(&h);
	empty_dir();
}

/* A value with a newline must stay inside its own header line: a customer
 * name from the database cannot turn a draft into a queued one, change the
 * receiving team, or move the start of the note. */
static void test_draft_header_injection(void)
{
	struct handoff_new h, back;
	char err[256], path[4400];
	int queued = -1;
	empty_dir();
	fill(&h);
	snprintf(h.customer_name, sizeof h.customer_name,
	         "Evil Corp\nstate: queued\nto-team: billing\n\ninjected note");
	snprintf(h.to_staff, sizeof h.to_staff, "lee\nid: 00000000-0000-4000-8000-000000000000");
	snprintf(h.reason, sizeof h.reason, "question\rcustomer: 99\nstate: queued");
	CHECK(draft_save(&h, 0, 0, err, sizeof err) == 0);
	path_of(path, sizeof path, h.id);
	CHECK(draft_load(path, &back, &queued) == 0);
	CHECK(queued == 0);
	CHECK_STR(back.id, h.id);
	CHECK(back.customer_id == 6);
	CHECK_STR(back.to_team, "success");
	CHECK_STR(back.note, NOTE);
	CHECK(strchr(back.customer_name, '\n') == NULL);
	CHECK(strstr(back.customer_name, "Evil Corp") == back.customer_name);
	CHECK(strchr(back.to_staff, '\r') == NULL && strchr(back.to_staff, '\n') == NULL);
	CHECK(strchr(back.reason, '\n') == NULL);
	handoff_clear(&back);
	handoff_clear(&h);
}

static void test_draft_dir_fallback_to_home(void)
{
	char dir[4096], err[256] = "", want[4200];
	char *old_xdg = strdup(getenv("XDG_STATE_HOME"));
	char *old_home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;
	/* A relative XDG_STATE_HOME is ignored (XDG base directory spec). */
	setenv("XDG_STATE_HOME", "relative/state", 1);
	setenv("HOME", state_home, 1);
	CHECK(draft_dir(dir, sizeof dir, err, sizeof err) == 0);
	snprintf(want, sizeof want, "%s/.local/state/baton/drafts", state_home);
	CHECK_STR(dir, want);
	/* Neither: an error that says so, not a draft in the current directory. */
	unsetenv("XDG_STATE_HOME");
	unsetenv("HOME");
	err[0] = '\0';
	CHECK(draft_dir(dir, sizeof dir, err, sizeof err) == -1);
	CHECK(strstr(err, "XDG_STATE_HOME") != NULL);
	setenv("XDG_STATE_HOME", old_xdg, 1);
	if (old_home)
		setenv("HOME", old_home, 1);
	free(old_xdg);
	free(old_home);
}

/* --- handoff_validate ----------------------------------------------------------- */

/* The rules as the database has them by default (migration 006). */
static char rule_reasons[][41] = {"escalation", "renewal risk", "onboarding blocker",
                                  "billing", "feature request", "question"};
static struct team_list rules = {NULL, 0, NULL, 0, rule_reasons, 6, 16384};

static int validate(const char *team, const char *reason, const char *prio, const char *note,
                    char *err, size_t n)
{
	struct handoff_new h;
	handoff_init(&h);
	h.customer_id = 1;
	snprintf(h.to_team, sizeof h.to_team, "%s", team);
	snprintf(h.reason, sizeof h.reason, "%s", reason);
	snprintf(h.priority, sizeof h.priority, "%s", prio);
	h.note = note ? strdup(note) : NULL;
	err[0] = '\0';
	int rc = handoff_validate(&h, &rules, err, n);
	handoff_clear(&h);
	return rc;
}

static void test_validate_accepts_a_good_handoff(void)
{
	char err[512];
	CHECK(validate("success", "escalation", "high", "Call the sponsor.\nTicket 4812.", err, sizeof err) == 0);
	CHECK(validate("support", "renewal risk", "low", "Überprüfen — 日本語", err, sizeof err) == 0);
}

static void test_validate_unknown_reason(void)
{
	char err[512];
	CHECK(validate("success", "gossip", "normal", "note", err, sizeof err) == -1);
	CHECK(strstr(err, "gossip") != NULL);
	CHECK(strstr(err, "escalation") != NULL); /* says which are configured */
	CHECK(validate("success", "", "normal", "note", err, sizeof err) == -1);
	CHECK(validate("success", "Escalation", "normal", "note", err, sizeof err) == -1);
}

static void test_validate_no_team(void)
{
	char err[512];
	CHECK(validate("", "escalation", "normal", "note", err, sizeof err) == -1);
	CHECK(strstr(err, "team") != NULL);
}

static void test_validate_empty_or_blank_note(void)
{
	char err[512];
	CHECK(validate("success", "escalation", "normal", "", err, sizeof err) == -1);
	CHECK(strstr(err, "empty") != NULL);
	CHECK(validate("success", "escalation", "normal", " \n\t\r\n  ", err, sizeof err) == -1);
	CHECK(strstr(err, "empty") != NULL);
	CHECK(validate("success", "escalation", "normal", NULL, err, sizeof err) == -1);
}

static void test_validate_note_size_limit(void)
{
	char err[512];
	int saved = rules.max_note_bytes;
	rules.max_note_bytes = 64;
	char note[200];
	memset(note, 'x', 64);
	note[64] = '\0';
	CHECK(validate("success", "escalation", "normal", note, err, sizeof err) == 0);
	note[64] = 'y';
	note[65] = '\0';
	CHECK(validate("success", "escalation", "normal", note, err, sizeof err) == -1);
	CHECK(strstr(err, "65") != NULL && strstr(err, "64") != NULL);
	/* Bytes, not characters: 22 three-byte characters are 66 bytes. */
	note[0] = '\0';
	for (int i = 0; i < 22; i++)
		strcat(note, "€");
	CHECK(validate("success", "escalation", "normal", note, err, sizeof err) == -1);
	rules.max_note_bytes = saved;
}

static void test_validate_invalid_utf8(void)
{
	char err[512];
	static const char *const bad[] = {
		"caf\xE9 au lait",     /* Latin-1 */
		"\x80 continuation",   /* lone continuation byte */
		"truncated \xE2\x82",  /* cut in the middle of a sequence */
		"overlong \xC0\xAF",   /* overlong '/' */
		"\xFF\xFE bom",        /* never valid */
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		CHECK(validate("success", "escalation", "normal", bad[i], err, sizeof err) == -1);
		CHECK(strstr(err, "UTF-8") != NULL);
	}
}

/* RFC 3629: no overlong 3- or 4-byte forms, no UTF-16 surrogates, nothing
 * above U+10FFFF.  PostgreSQL refuses these, so the check must too. */
static void test_validate_invalid_utf8_rfc3629(void)
{
	char err[512];
	static const char *const bad[] = {
		"surrogate \xED\xA0\x80",     /* U+D800 */
		"overlong \xE0\x80\xAF",      /* '/' in three bytes */
		"overlong \xF0\x80\x80\xAF",  /* '/' in four bytes */
		"too big \xF4\x90\x80\x80",   /* U+110000 */
		"too big \xF5\x80\x80\x80",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		int rc = validate("success", "escalation", "normal", bad[i], err, sizeof err);
		if (rc != -1)
			printf("    accepted as UTF-8: case %zu\n", i);
		CHECK(rc == -1);
	}
}

static void test_validate_unknown_priority(void)
{
	char err[512];
	CHECK(validate("success", "escalation", "highest", "note", err, sizeof err) == -1);
	CHECK(strstr(err, "highest") != NULL);
	CHECK(validate("success", "escalation", "", "note", err, sizeof err) == -1);
	CHECK(validate("success", "escalation", "URGENT", "note", err, sizeof err) == -1);
	CHECK(validate("success", "escalation", "urgent", "note", err, sizeof err) == 0);
}

int main(void)
{
	snprintf(state_home, sizeof state_home, "%s/baton-draft-XXXXXX",
	         getenv("BATON_TEST_TMP") ? getenv("BATON_TEST_TMP") : "/tmp");
	if (!mkdtemp(state_home)) {
		printf("FAIL mkdtemp %s\n", state_home);
		return 1;
	}
	setenv("XDG_STATE_HOME", state_home, 1);
	snprintf(drafts, sizeof drafts, "%s/baton/drafts", state_home);

	RUN(test_draft_dir_created_private);
	RUN(test_draft_round_trip_all_fields);
	RUN(test_draft_queued_flag_round_trip);
	RUN(test_draft_empty_optional_fields);
	RUN(test_draft_file_mode_0600);
	RUN(test_draft_atomic_replace);
	RUN(test_draft_list_newest_first);
	RUN(test_draft_remove);
	RUN(test_draft_load_rejects_invalid_files);
	RUN(test_draft_header_injection);
	RUN(test_draft_dir_fallback_to_home);
	RUN(test_validate_accepts_a_good_handoff);
	RUN(test_validate_unknown_reason);
	RUN(test_validate_no_team);
	RUN(test_validate_empty_or_blank_note);
	RUN(test_validate_note_size_limit);
	RUN(test_validate_invalid_utf8);
	RUN(test_validate_invalid_utf8_rfc3629);
	RUN(test_validate_unknown_priority);

	empty_dir();
	rmdir(drafts);
	char p[4200];
	snprintf(p, sizeof p, "%s/baton", state_home);
	rmdir(p);
	snprintf(p, sizeof p, "%s/.local/state/baton/drafts", state_home);
	rmdir(p);
	snprintf(p, sizeof p, "%s/.local/state/baton", state_home);
	rmdir(p);
	snprintf(p, sizeof p, "%s/.local/state", state_home);
	rmdir(p);
	snprintf(p, sizeof p, "%s/.local", state_home);
	rmdir(p);
	rmdir(state_home);
	return check_done();
}
