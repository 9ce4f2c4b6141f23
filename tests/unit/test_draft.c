/* Unit tests for handoff drafts on disk (src/draft.c) and for
 * handoff_validate: what a user relies on when an SSH session drops in the
 * middle of a note, and what is refused before anything reaches the
 * database.  XDG_STATE_HOME points at a fresh directory of our own. */
#include "baton/buf.h"
#include "baton/config.h"
#include "baton/team.h"
#include "baton/draft.h"
#include "baton/handoff.h"
#include "baton/note.h"
#include "baton/text.h"

#include <dirent.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
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

/* A file the test needs: not writing it fails the test, or the refusals
 * checked after it would be refusals of a missing file. */
static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	CHECK(f != NULL);
	if (!f) {
		printf("    cannot write %s\n", path);
		return;
	}
	fputs(text, f);
	fclose(f);
}

/* Owner keys of two database identities (draft_identity's form). */
static const char OWNER[] = "user=\"ana\" dbname=\"baton\" host=\"/run/pg\" port=\"5432\"";
static const char OTHER[] = "user=\"ben\" dbname=\"baton\" host=\"/run/pg\" port=\"5432\"";

static void name_of(char *out, size_t n, const char *id)
{
	snprintf(out, n, "%s.draft", id);
}

/* Load the draft of handoff id: 0, or -1 with err. */
static int load_id(const char *id, struct draft *d, char *err, size_t errlen)
{
	char name[64];
	name_of(name, sizeof name, id);
	return draft_load(name, d, err, errlen);
}

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
	struct handoff_new h;
	struct draft back;
	char err[256] = "";
	empty_dir();
	fill(&h);
	CHECK(draft_save(&h, OWNER, 0, 1, err, sizeof err) == 0);
	CHECK_STR(err, "");
	CHECK(load_id(h.id, &back, err, sizeof err) == 0);
	CHECK_STR(back.owner, OWNER);
	CHECK_STR(back.h.id, h.id);
	CHECK_STR(back.h.event_id, h.event_id);
	CHECK(back.h.customer_id == 6);
	CHECK_STR(back.h.customer_name, "Müller & Söhne GmbH");
	CHECK_STR(back.h.to_team, "success");
	CHECK_STR(back.h.to_staff, "lee");
	CHECK_STR(back.h.reason, "renewal risk");
	CHECK_STR(back.h.priority, "urgent");
	CHECK(back.h.ticket_id == 4816);
	CHECK_STR(back.h.note, NOTE); /* byte for byte, header-like lines included */
	CHECK(back.queued == 0);
	draft_clear(&back);
	handoff_clear(&h);
}

static void test_draft_queued_flag_round_trip(void)
{
	struct handoff_new h;
	struct draft back;
	char err[256];
	empty_dir();
	fill(&h);
	CHECK(draft_save(&h, OWNER, 1, 0, err, sizeof err) == 0);
	CHECK(load_id(h.id, &back, err, sizeof err) == 0 && back.queued == 1);
	draft_clear(&back);
	/* Saved again while editing: no longer queued. */
	CHECK(draft_save(&h, OWNER, 0, 0, err, sizeof err) == 0);
	CHECK(load_id(h.id, &back, err, sizeof err) == 0 && back.queued == 0);
	draft_clear(&back);
	handoff_clear(&h);
}

static void test_draft_empty_optional_fields(void)
{
	struct handoff_new h;
	struct draft back;
	char err[256];
	empty_dir();
	CHECK(handoff_init(&h) == 0);
	h.customer_id = 1;
	h.note = NULL; /* nothing typed yet */
	CHECK(draft_save(&h, OWNER, 0, 0, err, sizeof err) == 0);
	CHECK(load_id(h.id, &back, err, sizeof err) == 0);
	CHECK_STR(back.h.to_team, "");
	CHECK_STR(back.h.to_staff, "");
	CHECK(back.h.ticket_id == 0);
	CHECK_STR(back.h.priority, "normal");
	CHECK(back.h.note != NULL && back.h.note[0] == '\0');
	draft_clear(&back);
	handoff_clear(&h);
}

static void test_draft_file_mode_0600(void)
{
	struct handoff_new h;
	char err[256], path[4400];
	empty_dir();
	fill(&h);
	mode_t old = umask(0); /* a permissive umask must not matter */
	CHECK(draft_save(&h, OWNER, 0, 0, err, sizeof err) == 0);
	umask(old);
	path_of(path, sizeof path, h.id);
	struct stat st;
	CHECK(stat(path, &st) == 0 && S_ISREG(st.st_mode));
	CHECK((st.st_mode & 0777) == 0600);
	handoff_clear(&h);
}

static void test_draft_atomic_replace(void)
{
	struct handoff_new h;
	struct draft back;
	char err[256], path[4400], names[16][256];
	empty_dir();
	fill(&h);
	CHECK(draft_save(&h, OWNER, 0, 1, err, sizeof err) == 0);
	path_of(path, sizeof path, h.id);
	struct stat before, after;
	CHECK(stat(path, &before) == 0);
	free(h.note);
	h.note = strdup("second version");
	CHECK(draft_save(&h, OWNER, 0, 1, err, sizeof err) == 0);
	CHECK(stat(path, &after) == 0);
	/* Replaced by rename: a new inode, never rewritten in place. */
	CHECK(before.st_ino != after.st_ino);
	CHECK(load_id(h.id, &back, err, sizeof err) == 0);
	CHECK_STR(back.h.note, "second version");
	draft_clear(&back);
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
	struct draft_list l;
	char err[256], pa[4400], pb[4400], pc[4400];
	empty_dir();
	fill(&a);
	fill(&b);
	fill(&c);
	CHECK(draft_save(&a, OWNER, 0, 0, err, sizeof err) == 0);
	CHECK(draft_save(&b, OWNER, 1, 0, err, sizeof err) == 0);
	CHECK(draft_save(&c, OWNER, 0, 0, err, sizeof err) == 0);
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
	/* Files that are not drafts by their name are not even opened. */
	char other[4400];
	snprintf(other, sizeof other, "%s/.%s.tmp", drafts, a.id);
	write_file(other, "half-written");
	snprintf(other, sizeof other, "%s/notes.txt", drafts);
	write_file(other, "not a draft");
	CHECK(draft_list(OWNER, &l, err, sizeof err) == 3);
	CHECK(l.n == 3 && l.refused == 0);
	CHECK(l.n == 3 && !strcmp(l.v[0].h.id, b.id) && !strcmp(l.v[1].h.id, a.id) &&
	      !strcmp(l.v[2].h.id, c.id));
	CHECK(l.n == 3 && l.v[0].queued == 1 && l.v[1].queued == 0);
	draft_list_free(&l);
	handoff_clear(&a);
	handoff_clear(&b);
	handoff_clear(&c);
	empty_dir();
	CHECK(draft_list(OWNER, &l, err, sizeof err) == 0);
	draft_list_free(&l);
}

static void test_draft_remove(void)
{
	struct handoff_new h;
	struct draft_list l;
	char err[256], path[4400];
	empty_dir();
	fill(&h);
	CHECK(draft_save(&h, OWNER, 1, 0, err, sizeof err) == 0);
	path_of(path, sizeof path, h.id);
	CHECK(access(path, F_OK) == 0);
	CHECK(draft_remove(h.id) == 0);
	CHECK(access(path, F_OK) != 0);
	/* Removing again (sent twice) is not an error. */
	CHECK(draft_remove(h.id) == 0);
	/* Only draft ids: never a path that leaves the directory. */
	CHECK(draft_remove("../../etc/passwd") == -1);
	CHECK(draft_list(OWNER, &l, err, sizeof err) == 0);
	draft_list_free(&l);
	handoff_clear(&h);
}

/* A hand-written draft file NAME in the drafts directory. */
static void plant(const char *name, const char *text)
{
	char p[4400];
	snprintf(p, sizeof p, "%s/%s", drafts, name);
	write_file(p, text);
}

static void test_draft_load_rejects_invalid_files(void)
{
	struct draft d;
	char err[4600];
	const char *good_id = "0f8fad5b-d9cb-469f-a165-70867728950e";
	const char *good_ev = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
	char text[2048];
	empty_dir();

	CHECK(draft_load("missing.draft", &d, err, sizeof err) == -1);
	CHECK(draft_load("../x.draft", &d, err, sizeof err) == -1);
	plant("x.draft", "");
	CHECK(draft_load("x.draft", &d, err, sizeof err) == -1);
	CHECK(strstr(err, drafts) && strstr(err, "x.draft") && strstr(err, "bad format"));
	/* No magic first line. */
	snprintf(text, sizeof text, "owner: %s\nid: %s\nevent: %s\ncustomer: 1\n\nnote\n", OWNER, good_id, good_ev);
	plant("x.draft", text);
	CHECK(draft_load("x.draft", &d, err, sizeof err) == -1);
	/* Another format version (1 had no owner: nobody can say whose). */
	snprintf(text, sizeof text, "baton-draft: 1\nowner: %s\nid: %s\nevent: %s\ncustomer: 1\n\nnote\n", OWNER, good_id, good_ev);
	plant("x.draft", text);
	CHECK(draft_load("x.draft", &d, err, sizeof err) == -1);
	/* No owner. */
	snprintf(text, sizeof text, "baton-draft: 2\nid: %s\nevent: %s\ncustomer: 1\n\nnote\n", good_id, good_ev);
	plant("x.draft", text);
	CHECK(draft_load("x.draft", &d, err, sizeof err) == -1);
	/* Id that is not a UUID. */
	snprintf(text, sizeof text, "baton-draft: 2\nowner: %s\nid: not-a-uuid\nevent: %s\ncustomer: 1\n\nnote\n", OWNER, good_ev);
	plant("x.draft", text);
	CHECK(draft_load("x.draft", &d, err, sizeof err) == -1);
	/* Missing event id. */
	snprintf(text, sizeof text, "baton-draft: 2\nowner: %s\nid: %s\ncustomer: 1\n\nnote\n", OWNER, good_id);
	plant("x.draft", text);
	CHECK(draft_load("x.draft", &d, err, sizeof err) == -1);
	/* No customer, not a positive one, not a number, out of range. */
	static const char *const customers[] = {"", "customer: -4\n", "customer: 4x\n",
	                                        "customer: 99999999999999999999\n"};
	for (size_t i = 0; i < sizeof customers / sizeof *customers; i++) {
		snprintf(text, sizeof text, "baton-draft: 2\nowner: %s\nid: %s\nevent: %s\n%s\nnote\n", OWNER,
		         good_id, good_ev, customers[i]);
		plant("x.draft", text);
		CHECK(draft_load("x.draft", &d, err, sizeof err) == -1);
	}
	/* Not UTF-8. */
	snprintf(text, sizeof text, "baton-draft: 2\nowner: %s\nid: %s\nevent: %s\ncustomer: 3\n\ncaf\xe9\n", OWNER, good_id, good_ev);
	plant("x.draft", text);
	CHECK(draft_load("x.draft", &d, err, sizeof err) == -1);
	/* The same file made valid is accepted (the checks above are not
	 * rejecting everything). */
	snprintf(text, sizeof text,
	         "baton-draft: 2\nowner: %s\nid: %s\nevent: %s\ncustomer: 3\nto-team: support\nstate: queued\n\nhello\n",
	         OWNER, good_id, good_ev);
	plant("x.draft", text);
	CHECK(draft_load("x.draft", &d, err, sizeof err) == 0);
	CHECK(d.h.customer_id == 3 && d.queued == 1);
	CHECK_STR(d.owner, OWNER);
	CHECK_STR(d.h.to_team, "support");
	CHECK_STR(d.h.note, "hello\n");
	draft_clear(&d);
	empty_dir();
}

/* A value with a newline must stay inside its own header line: a customer
 * name from the database cannot turn a draft into a queued one, change the
 * receiving team or the owner, or move the start of the note. */
static void test_draft_header_injection(void)
{
	struct handoff_new h;
	struct draft back;
	char err[256];
	empty_dir();
	fill(&h);
	snprintf(h.customer_name, sizeof h.customer_name,
	         "Evil Corp\nstate: queued\nto-team: billing\nowner: %s\n\ninjected note", OTHER);
	snprintf(h.to_staff, sizeof h.to_staff, "lee\nid: 00000000-0000-4000-8000-000000000000");
	snprintf(h.reason, sizeof h.reason, "question\rcustomer: 99\nstate: queued");
	CHECK(draft_save(&h, OWNER, 0, 0, err, sizeof err) == 0);
	CHECK(load_id(h.id, &back, err, sizeof err) == 0);
	CHECK(back.queued == 0);
	CHECK_STR(back.owner, OWNER);
	CHECK_STR(back.h.id, h.id);
	CHECK(back.h.customer_id == 6);
	CHECK_STR(back.h.to_team, "success");
	CHECK_STR(back.h.note, NOTE);
	CHECK(strchr(back.h.customer_name, '\n') == NULL);
	CHECK(strstr(back.h.customer_name, "Evil Corp") == back.h.customer_name);
	CHECK(strchr(back.h.to_staff, '\r') == NULL && strchr(back.h.to_staff, '\n') == NULL);
	CHECK(strchr(back.h.reason, '\n') == NULL);
	draft_clear(&back);
	handoff_clear(&h);
}

/* A customer's name longer than a draft keeps (240 bytes of kanji) is cut
 * between characters, and the draft comes back: it was cut inside one, and
 * the file refused as not UTF-8 at the next start, its note never sent.  A
 * file an earlier Baton cut so is mended: only the cut character goes;
 * the same bytes elsewhere still make the file refused. */
static void test_draft_long_name_kept(void)
{
	struct handoff_new h;
	struct draft back;
	char err[4600], want[256] = "", text[2048];
	empty_dir();
	fill(&h);
	struct buf name = BUF_INIT;
	for (int i = 0; i < 40; i++)
		buf_puts(&name, "\xe6\x9d\xb1\xe4\xba\xac"); /* 東京 */
	text_copy(h.customer_name, sizeof h.customer_name, buf_str(&name));
	CHECK(strlen(h.customer_name) == 198);
	memcpy(want, buf_str(&name), 198);
	CHECK(draft_save(&h, OWNER, 0, 0, err, sizeof err) == 0);
	CHECK(load_id(h.id, &back, err, sizeof err) == 0);
	CHECK_STR(back.h.customer_name, want);
	CHECK_STR(back.h.note, NOTE);
	draft_clear(&back);
	handoff_clear(&h);

	const char *good_id = "0f8fad5b-d9cb-469f-a165-70867728950e";
	const char *good_ev = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
	char cut[201];
	memcpy(cut, buf_str(&name), 200); /* 66 characters and 2 bytes of the 67th */
	cut[200] = '\0';
	snprintf(text, sizeof text,
	         "baton-draft: 2\nowner: %s\nid: %s\nevent: %s\ncustomer: 3\ncustomer-name: %s\nto-team: support\n"
	         "state: queued\n\nhello\n", OWNER, good_id, good_ev, cut);
	plant("x.draft", text);
	CHECK(draft_load("x.draft", &back, err, sizeof err) == 0);
	CHECK_STR(back.h.customer_name, want);
	CHECK_STR(back.h.to_team, "support");
	CHECK(back.queued == 1);
	CHECK_STR(back.h.note, "hello\n");
	draft_clear(&back);
	/* A cut character in the note is no cut name: refused. */
	snprintf(text, sizeof text,
	         "baton-draft: 2\nowner: %s\nid: %s\nevent: %s\ncustomer: 3\ncustomer-name: Acme\n\n%s\n",
	         OWNER, good_id, good_ev, cut);
	plant("x.draft", text);
	CHECK(draft_load("x.draft", &back, err, sizeof err) == -1);
	buf_free(&name);
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

/* --- a hostile shared host -------------------------------------------------- */
/* Other local users may write where the drafts live.  Whatever they plant,
 * nothing leaks through it, nothing of theirs is overwritten, nothing
 * blocks, and nothing they wrote is offered (so nothing is sent). */

/* The whole file at path ("" if unreadable), in a static buffer. */
static const char *contents(const char *path)
{
	static char text[4096];
	text[0] = '\0';
	FILE *f = fopen(path, "r");
	if (!f)
		return text;
	size_t n = fread(text, 1, sizeof text - 1, f);
	text[n] = '\0';
	fclose(f);
	return text;
}

/* A valid draft text of owner for handoff id. */
static void draft_text(char *out, size_t n, const char *owner, const char *id)
{
	snprintf(out, n, "baton-draft: 2\nowner: %s\nid: %s\nevent: 7c9e6679-7425-40de-944b-e07fc1f90ae7\n"
	         "customer: 3\nto-team: support\nstate: queued\n\nplanted note\n", owner, id);
}

static void test_hostile_dir_symlink_refused(void)
{
	/* The drafts directory replaced by a link to another directory
	 * (one of ours, holding a real draft: only the link is wrong). */
	struct handoff_new h, other;
	struct draft_list l;
	char err[4600], dir[4096], elsewhere[4200], kept[4600], before[4096];
	empty_dir();
	fill(&h);
	fill(&other);
	CHECK(draft_save(&h, OWNER, 1, 1, err, sizeof err) == 0);
	snprintf(elsewhere, sizeof elsewhere, "%s/elsewhere", state_home);
	snprintf(kept, sizeof kept, "%s/%s.draft", elsewhere, h.id);
	CHECK(rename(drafts, elsewhere) == 0);
	CHECK(symlink(elsewhere, drafts) == 0);
	snprintf(before, sizeof before, "%s", contents(kept));
	CHECK(draft_save(&other, OWNER, 0, 1, err, sizeof err) == -1);
	CHECK(strstr(err, drafts) != NULL && strstr(err, "symbolic link") != NULL);
	CHECK(draft_list(OWNER, &l, err, sizeof err) == -1 && l.n == 0); /* nothing offered */
	CHECK(strstr(err, drafts) != NULL && strstr(err, "symbolic link") != NULL);
	CHECK(draft_dir(dir, sizeof dir, err, sizeof err) == -1);
	CHECK(draft_remove(h.id) == -1);
	/* Nothing went through the link: the one file there, unchanged. */
	char names[8][256];
	CHECK(unlink(drafts) == 0);
	CHECK(rename(elsewhere, drafts) == 0);
	CHECK(dir_entries(names, 8) == 1);
	path_of(kept, sizeof kept, h.id);
	CHECK_STR(contents(kept), before);
	handoff_clear(&h);
	handoff_clear(&other);
}

static void test_hostile_draft_symlink_not_followed(void)
{
	/* A link at a draft's path to a file of the user's (a real draft of
	 * the same owner, so that following it would offer it). */
	struct handoff_new h;
	struct draft d;
	struct draft_list l;
	char err[4600], target[4400], link[4400], text[1024];
	empty_dir();
	fill(&h);
	snprintf(target, sizeof target, "%s/precious.draft", state_home);
	draft_text(text, sizeof text, OWNER, h.id);
	write_file(target, text);
	path_of(link, sizeof link, h.id);
	CHECK(symlink(target, link) == 0);
	CHECK(draft_list(OWNER, &l, err, sizeof err) == 0);
	CHECK(l.n == 0 && l.refused == 1);
	CHECK(strstr(l.problem, link) != NULL && strstr(l.problem, "symbolic link") != NULL);
	draft_list_free(&l);
	CHECK(load_id(h.id, &d, err, sizeof err) == -1);
	CHECK(strstr(err, "symbolic link") != NULL);
	/* Saving replaces the link itself; the file behind it is untouched. */
	CHECK(draft_save(&h, OWNER, 0, 1, err, sizeof err) == 0);
	CHECK_STR(contents(target), text);
	struct stat st;
	CHECK(lstat(link, &st) == 0 && S_ISREG(st.st_mode));
	CHECK(load_id(h.id, &d, err, sizeof err) == 0);
	CHECK_STR(d.h.note, NOTE);
	draft_clear(&d);
	unlink(target);
	handoff_clear(&h);
}

static void on_alarm(int sig)
{
	static const char msg[] = "FAIL test_hostile_fifo_does_not_block: blocked on a FIFO\n";
	(void)sig;
	ssize_t w = write(STDOUT_FILENO, msg, sizeof msg - 1);
	(void)w;
	_exit(1);
}

static void test_hostile_fifo_does_not_block(void)
{
	/* A FIFO nobody writes to, in place of a draft: opening it for
	 * reading without O_NONBLOCK would wait for ever.  The alarm turns
	 * a hang into a failure. */
	struct handoff_new h;
	struct draft d;
	struct draft_list l;
	char err[4600], path[4400];
	empty_dir();
	fill(&h);
	path_of(path, sizeof path, h.id);
	CHECK(mkfifo(path, 0600) == 0);
	signal(SIGALRM, on_alarm);
	alarm(10);
	CHECK(draft_list(OWNER, &l, err, sizeof err) == 0);
	CHECK(l.n == 0 && l.refused == 1 && strstr(l.problem, "not a regular file") != NULL);
	draft_list_free(&l);
	CHECK(load_id(h.id, &d, err, sizeof err) == -1);
	CHECK(strstr(err, path) != NULL && strstr(err, "not a regular file") != NULL);
	/* Saving replaces it with the draft, without opening it. */
	CHECK(draft_save(&h, OWNER, 0, 1, err, sizeof err) == 0);
	CHECK(load_id(h.id, &d, err, sizeof err) == 0);
	alarm(0);
	signal(SIGALRM, SIG_DFL);
	draft_clear(&d);
	handoff_clear(&h);
}

static void test_hostile_dir_writable_by_others_refused(void)
{
	/* Anyone in the group (or anyone at all) could have put files here
	 * or could swap them: refused, not silently repaired. */
	static const mode_t modes[] = {0770, 0730, 0707, 01777};
	struct handoff_new h, other;
	struct draft_list l;
	char err[4600], path[4400], before[4096], names[8][256];
	empty_dir();
	fill(&h);
	fill(&other);
	CHECK(draft_save(&h, OWNER, 1, 1, err, sizeof err) == 0);
	path_of(path, sizeof path, h.id);
	snprintf(before, sizeof before, "%s", contents(path));
	for (size_t i = 0; i < sizeof modes / sizeof *modes; i++) {
		CHECK(chmod(drafts, modes[i]) == 0);
		CHECK(draft_save(&other, OWNER, 0, 1, err, sizeof err) == -1);
		CHECK(strstr(err, drafts) != NULL && strstr(err, "writable by others") != NULL);
		CHECK(draft_list(OWNER, &l, err, sizeof err) == -1 && l.n == 0);
		CHECK(draft_remove(h.id) == -1);
		struct stat st;
		CHECK(stat(drafts, &st) == 0 && (st.st_mode & 07777) == modes[i]);
	}
	CHECK(chmod(drafts, 0700) == 0);
	CHECK(dir_entries(names, 8) == 1);
	CHECK_STR(contents(path), before);
	handoff_clear(&h);
	handoff_clear(&other);
}

static void test_hostile_files_of_another_user_refused(void)
{
	/* A valid-looking draft of the same owner key, but a file another
	 * user wrote (root in the tests gives it to nobody). */
	struct passwd *pw = getpwnam("nobody");
	struct handoff_new h;
	struct draft d;
	struct draft_list l;
	char err[4600], path[4400], uid[32];
	CHECK(pw != NULL);
	uid_t nobody = pw ? pw->pw_uid : 65534;
	snprintf(uid, sizeof uid, "uid %ld", (long)nobody);
	empty_dir();
	fill(&h);
	CHECK(draft_save(&h, OWNER, 1, 1, err, sizeof err) == 0);
	path_of(path, sizeof path, h.id);
	CHECK(chown(path, nobody, (gid_t)-1) == 0);
	CHECK(draft_list(OWNER, &l, err, sizeof err) == 0);
	CHECK(l.n == 0 && l.refused == 1);
	CHECK(strstr(l.problem, path) != NULL && strstr(l.problem, uid) != NULL);
	draft_list_free(&l);
	CHECK(load_id(h.id, &d, err, sizeof err) == -1);
	/* The drafts directory itself given to someone else: refused. */
	CHECK(chown(drafts, nobody, (gid_t)-1) == 0);
	CHECK(draft_save(&h, OWNER, 0, 1, err, sizeof err) == -1);
	CHECK(strstr(err, drafts) != NULL && strstr(err, uid) != NULL);
	CHECK(draft_list(OWNER, &l, err, sizeof err) == -1);
	CHECK(chown(drafts, geteuid(), (gid_t)-1) == 0);
	empty_dir();
	handoff_clear(&h);
}

static void test_hostile_oversized_file_refused(void)
{
	/* Bigger than any draft: not read (into memory) at all. */
	struct draft_list l;
	char err[4600], path[4400], text[1024];
	const char *id = "0f8fad5b-d9cb-469f-a165-70867728950e";
	empty_dir();
	path_of(path, sizeof path, id);
	draft_text(text, sizeof text, OWNER, id);
	FILE *f = fopen(path, "w");
	CHECK(f != NULL);
	if (f) {
		fputs(text, f);
		for (int i = 0; i < DRAFT_MAX_BYTES; i++)
			fputc('x', f);
		fclose(f);
	}
	CHECK(draft_list(OWNER, &l, err, sizeof err) == 0);
	CHECK(l.n == 0 && l.refused == 1 && strstr(l.problem, "more than any draft") != NULL);
	draft_list_free(&l);
	/* The same text without the padding is a draft (the size is what
	 * made the difference). */
	write_file(path, text);
	CHECK(draft_list(OWNER, &l, err, sizeof err) == 1 && l.refused == 0);
	draft_list_free(&l);
	empty_dir();
}

static void test_hostile_other_identity_not_listed(void)
{
	/* Two staff on one OS account, or one person on two databases: each
	 * sees (and so can send) only their own drafts. */
	struct handoff_new a, b;
	struct draft_list l;
	char err[256];
	empty_dir();
	fill(&a);
	fill(&b);
	CHECK(draft_save(&a, OWNER, 1, 0, err, sizeof err) == 0);
	CHECK(draft_save(&b, OTHER, 1, 0, err, sizeof err) == 0);
	CHECK(draft_list(OWNER, &l, err, sizeof err) == 1);
	CHECK(l.n == 1 && !strcmp(l.v[0].h.id, a.id) && l.refused == 0);
	draft_list_free(&l);
	CHECK(draft_list(OTHER, &l, err, sizeof err) == 1);
	CHECK(l.n == 1 && !strcmp(l.v[0].h.id, b.id) && l.refused == 0);
	draft_list_free(&l);
	/* Not connected yet: no identity, no drafts, and none saved. */
	CHECK(draft_list("", &l, err, sizeof err) == 0);
	draft_list_free(&l);
	CHECK(draft_save(&a, "", 0, 0, err, sizeof err) == -1);
	handoff_clear(&a);
	handoff_clear(&b);
	empty_dir();
}

static void test_draft_identity_of_a_connection(void)
{
	/* Not connected: libpq still knows what the connection is for. */
	PGconn *c = PQconnectStart("host=/nonexistent/run port=5999 dbname=crm user=x");
	PGconn *c2 = PQconnectStart("host=/nonexistent/run port=5999 dbname=crm2 user=x");
	char ana[DRAFT_OWNER_MAX], ben[DRAFT_OWNER_MAX], crm2[DRAFT_OWNER_MAX], odd[DRAFT_OWNER_MAX];
	CHECK(c != NULL && c2 != NULL);
	draft_identity(c, "ana", ana, sizeof ana);
	CHECK_STR(ana, "user=\"ana\" dbname=\"crm\" host=\"/nonexistent/run\" port=\"5999\"");
	draft_identity(c, "ben", ben, sizeof ben);
	draft_identity(c2, "ana", crm2, sizeof crm2);
	CHECK(strcmp(ana, ben) != 0 && strcmp(ana, crm2) != 0);
	/* A role name cannot pass for another identity or break the line. */
	draft_identity(c, "ana\" dbname=\"crm\nx", odd, sizeof odd);
	CHECK(strchr(odd, '\n') == NULL && strcmp(odd, ana) != 0);
	CHECK(strstr(odd, "user=\"ana\\\" dbname=\\\"crm\\x0ax\"") == odd);
	draft_identity(NULL, "ana", odd, sizeof odd);
	CHECK_STR(odd, "");
	draft_identity(c, "", odd, sizeof odd);
	CHECK_STR(odd, "");
	PQfinish(c);
	PQfinish(c2);
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

/* --- success note drafts: a kind of draft, the same machinery ------------------ */

static void fill_note(struct note_new *n)
{
	CHECK(note_init(n) == 0);
	n->customer_id = 6;
	snprintf(n->customer_name, sizeof n->customer_name, "Müller & Söhne GmbH");
	snprintf(n->kind, sizeof n->kind, "qbr");
	snprintf(n->handoff_id, sizeof n->handoff_id, "6293c178-ae4a-339c-418f-a402dd44efe3");
	n->supersedes = 42;
	n->body = strdup(NOTE);
}

static void test_note_draft_round_trip(void)
{
	struct note_new n;
	struct draft back;
	char err[256] = "";
	empty_dir();
	fill_note(&n);
	CHECK(draft_save_note(&n, OWNER, 1, 1, err, sizeof err) == 0);
	CHECK(load_id(n.id, &back, err, sizeof err) == 0);
	CHECK(back.kind == DRAFT_NOTE);
	CHECK_STR(draft_id(&back), n.id);
	CHECK_STR(back.owner, OWNER);
	CHECK(back.n.customer_id == 6);
	CHECK_STR(back.n.customer_name, "Müller & Söhne GmbH");
	CHECK_STR(back.n.kind, "qbr");
	CHECK_STR(back.n.handoff_id, "6293c178-ae4a-339c-418f-a402dd44efe3");
	CHECK(back.n.supersedes == 42 && back.n.ticket_id == 0);
	CHECK_STR(back.n.body, NOTE); /* header-like lines stay text */
	CHECK(back.queued == 1);
	CHECK(back.h.note == NULL);
	draft_clear(&back);
	/* Removed by its id, like a handoff's. */
	CHECK(draft_remove(n.id) == 0);
	CHECK(load_id(n.id, &back, err, sizeof err) == -1);
	note_clear(&n);
}

static void test_note_and_handoff_drafts_listed_together(void)
{
	struct note_new n;
	struct handoff_new h;
	struct draft_list l;
	char err[256];
	empty_dir();
	fill_note(&n);
	fill(&h);
	CHECK(draft_save_note(&n, OWNER, 0, 0, err, sizeof err) == 0);
	CHECK(draft_save(&h, OWNER, 0, 0, err, sizeof err) == 0);
	CHECK(draft_list(OWNER, &l, err, sizeof err) == 2);
	int notes = 0, handoffs = 0;
	for (int i = 0; i < l.n; i++) {
		notes += l.v[i].kind == DRAFT_NOTE && !strcmp(l.v[i].n.id, n.id);
		handoffs += l.v[i].kind == DRAFT_HANDOFF && !strcmp(l.v[i].h.id, h.id);
	}
	CHECK(notes == 1 && handoffs == 1 && l.refused == 0);
	draft_list_free(&l);
	note_clear(&n);
	handoff_clear(&h);
}

static void test_note_draft_bad_fields_refused(void)
{
	struct draft d;
	char err[4600], text[2048];
	const char *id = "0f8fad5b-d9cb-469f-a165-70867728950e";
	empty_dir();
	snprintf(text, sizeof text, "baton-draft: 2\nkind: note\nowner: %s\nid: %s\ncustomer: 1\n"
	         "note-kind: note\n\nfine\n", OWNER, id);
	plant("x.draft", text);
	CHECK(draft_load("x.draft", &d, err, sizeof err) == 0 && d.kind == DRAFT_NOTE);
	draft_clear(&d);
	snprintf(text, sizeof text, "baton-draft: 2\nkind: note\nowner: %s\nid: %s\ncustomer: 1\n"
	         "note-kind: tweet\n\nx\n", OWNER, id);
	plant("x.draft", text);
	CHECK(draft_load("x.draft", &d, err, sizeof err) == -1);
	snprintf(text, sizeof text, "baton-draft: 2\nkind: note\nowner: %s\nid: %s\ncustomer: 1\n"
	         "note-kind: note\nhandoff: ../../x\n\nx\n", OWNER, id);
	plant("x.draft", text);
	CHECK(draft_load("x.draft", &d, err, sizeof err) == -1);
	snprintf(text, sizeof text, "baton-draft: 2\nkind: letter\nowner: %s\nid: %s\ncustomer: 1\n\nx\n",
	         OWNER, id);
	plant("x.draft", text);
	CHECK(draft_load("x.draft", &d, err, sizeof err) == -1);
	CHECK(strstr(err, "bad format") != NULL);
}

/* The bytes a form did not take (over the note's maximum) are kept with
 * the draft, for a handoff's note and a success note alike, so that the
 * form says so again when the draft is opened; a draft with none has no
 * such line (an older Baton reads it as before), and a count that is not
 * a number is not a draft of ours. */
static size_t file_has(const char *id, const char *needle)
{
	char path[sizeof drafts + 64], text[8192];
	snprintf(path, sizeof path, "%s/%.40s.draft", drafts, id);
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(text, 1, sizeof text - 1, f) : 0;
	if (f)
		fclose(f);
	text[n] = '\0';
	return strstr(text, needle) != NULL;
}

static void test_draft_not_taken_round_trip(void)
{
	struct draft d, back;
	char err[4600], text[2048];
	empty_dir();
	memset(&d, 0, sizeof d);
	d.kind = DRAFT_NOTE;
	fill_note(&d.n);
	d.not_taken = 617;
	CHECK(draft_save_any(&d, OWNER, 0, 1, err, sizeof err) == 0);
	CHECK(load_id(d.n.id, &back, err, sizeof err) == 0);
	CHECK(back.kind == DRAFT_NOTE && back.not_taken == 617);
	CHECK_STR(back.n.body, NOTE);
	draft_clear(&back);
	d.not_taken = 0;
	CHECK(draft_save_any(&d, OWNER, 0, 1, err, sizeof err) == 0);
	CHECK(!file_has(d.n.id, "not-taken"));
	CHECK(load_id(d.n.id, &back, err, sizeof err) == 0 && back.not_taken == 0);
	draft_clear(&back);
	draft_clear(&d);

	memset(&d, 0, sizeof d);
	d.kind = DRAFT_HANDOFF;
	fill(&d.h);
	d.not_taken = 1;
	CHECK(draft_save_any(&d, OWNER, 1, 1, err, sizeof err) == 0);
	CHECK(file_has(d.h.id, "\nnot-taken: 1\n"));
	CHECK(load_id(d.h.id, &back, err, sizeof err) == 0);
	CHECK(back.kind == DRAFT_HANDOFF && back.not_taken == 1 && back.queued == 1);
	draft_clear(&back);
	draft_clear(&d);

	const char *id = "0f8fad5b-d9cb-469f-a165-70867728950e";
	snprintf(text, sizeof text, "baton-draft: 2\nkind: note\nowner: %s\nid: %s\ncustomer: 1\n"
	         "note-kind: note\nnot-taken: many\n\nx\n", OWNER, id);
	plant("x.draft", text);
	CHECK(draft_load("x.draft", &back, err, sizeof err) == -1);
	snprintf(text, sizeof text, "baton-draft: 2\nkind: note\nowner: %s\nid: %s\ncustomer: 1\n"
	         "note-kind: note\nnot-taken: -3\n\nx\n", OWNER, id);
	plant("x.draft", text);
	CHECK(draft_load("x.draft", &back, err, sizeof err) == -1);
}

/* A step kept while the database is down: everything a resend needs,
 * the version the sender saw above all (a step that meets someone else's
 * change is refused, never applied over it). */
static void test_step_draft_round_trip(void)
{
	struct step_new st;
	struct draft back;
	char err[256] = "";
	empty_dir();
	memset(&st, 0, sizeof st);
	CHECK(handoff_step_init(&st.s, "6293c178-ae4a-339c-418f-a402dd44efe3", "reassigned") == 0);
	st.s.version = 7;
	snprintf(st.s.to_team, sizeof st.s.to_team, "success");
	snprintf(st.s.to_staff, sizeof st.s.to_staff, "ben");
	st.s.comment = strdup("she has the history\nstate: editing");
	snprintf(st.customer_name, sizeof st.customer_name, "Müller & Söhne GmbH");
	CHECK(draft_save_step(&st, OWNER, 1, 1, err, sizeof err) == 0);
	CHECK(load_id(st.s.event_id, &back, err, sizeof err) == 0);
	CHECK(back.kind == DRAFT_STEP);
	CHECK_STR(draft_id(&back), st.s.event_id);
	CHECK_STR(back.owner, OWNER);
	CHECK_STR(back.st.s.id, "6293c178-ae4a-339c-418f-a402dd44efe3");
	CHECK(back.st.s.kind && !strcmp(back.st.s.kind, "reassigned"));
	CHECK(back.st.s.version == 7);
	CHECK_STR(back.st.s.to_team, "success");
	CHECK_STR(back.st.s.to_staff, "ben");
	CHECK(back.st.s.comment && !strcmp(back.st.s.comment, "she has the history\nstate: editing"));
	CHECK_STR(back.st.customer_name, "Müller & Söhne GmbH");
	CHECK(back.queued == 1 && back.h.note == NULL && back.n.body == NULL);
	draft_clear(&back);
	/* Without a comment: none, not an empty one. */
	handoff_step_clear(&st.s);
	CHECK(handoff_step_init(&st.s, "6293c178-ae4a-339c-418f-a402dd44efe3", "acknowledged") == 0);
	st.s.version = 2;
	CHECK(draft_save_step(&st, OWNER, 1, 0, err, sizeof err) == 0);
	CHECK(load_id(st.s.event_id, &back, err, sizeof err) == 0);
	CHECK(back.kind == DRAFT_STEP && back.st.s.comment == NULL && !strcmp(back.st.s.kind, "acknowledged"));
	draft_clear(&back);
	CHECK(draft_remove(st.s.event_id) == 0);
	CHECK(load_id(st.s.event_id, &back, err, sizeof err) == -1);
	handoff_step_clear(&st.s);
}

static void test_step_draft_bad_fields_refused(void)
{
	struct draft d;
	char err[4600], text[2048];
	const char *id = "0f8fad5b-d9cb-469f-a165-70867728950e";
	const char *ho = "6293c178-ae4a-339c-418f-a402dd44efe3";
	static const char *const bad[] = {
		"step: commented\nversion: 3\n",          /* not a step a person takes here */
		"step: deleted\nversion: 3\n",
		"step: acknowledged\n",                    /* no version: no conflict check */
		"step: acknowledged\nversion: 0\n",
		"step: acknowledged\nversion: x\n",
		"step: reassigned\nversion: 3\n",         /* reassigned to nowhere */
		"step: acknowledged\nversion: 3\nto-team: success\n",
	};
	empty_dir();
	snprintf(text, sizeof text, "baton-draft: 2\nkind: step\nowner: %s\nid: %s\nhandoff: %s\n"
	         "step: resolved\nversion: 3\nstate: editing\n\nfixed\n", OWNER, id, ho);
	plant("x.draft", text);
	CHECK(draft_load("x.draft", &d, err, sizeof err) == 0 && d.kind == DRAFT_STEP);
	CHECK(d.queued == 1); /* a step is only ever kept once sent */
	draft_clear(&d);
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		snprintf(text, sizeof text, "baton-draft: 2\nkind: step\nowner: %s\nid: %s\nhandoff: %s\n%s\nx\n",
		         OWNER, id, ho, bad[i]);
		plant("x.draft", text);
		CHECK(draft_load("x.draft", &d, err, sizeof err) == -1);
	}
	snprintf(text, sizeof text, "baton-draft: 2\nkind: step\nowner: %s\nid: %s\nhandoff: ../x\n"
	         "step: resolved\nversion: 3\n\nx\n", OWNER, id);
	plant("x.draft", text);
	CHECK(draft_load("x.draft", &d, err, sizeof err) == -1);
	CHECK(strstr(err, "bad format") != NULL);
}

/* A hold and an acknowledgement kept while the database is down: what
 * the resend needs, the facts the acknowledgement was made on above all. */
static void test_signal_draft_round_trip(void)
{
	struct signal_new sg;
	struct draft back;
	char err[256] = "";
	empty_dir();
	memset(&sg, 0, sizeof sg);
	sg.comment = strdup("refund pending\nstate: editing");
	CHECK(signal_write_init(&sg.w, 4711, "campaign-during-complaint", sg.comment) == 0);
	sg.ack = 1;
	snprintf(sg.w.fingerprint, sizeof sg.w.fingerprint, "0123456789abcdef0123456789abcdef");
	snprintf(sg.about, sizeof sg.about, "campaign during complaint: Café Lumière");
	CHECK(draft_save_signal(&sg, OWNER, 1, 1, err, sizeof err) == 0);
	CHECK(load_id(sg.w.id, &back, err, sizeof err) == 0);
	CHECK(back.kind == DRAFT_SIGNAL && back.sg.ack == 1);
	CHECK_STR(draft_id(&back), sg.w.id);
	CHECK_STR(back.sg.w.what, "campaign-during-complaint");
	CHECK(back.sg.w.target == 4711);
	CHECK_STR(back.sg.w.fingerprint, "0123456789abcdef0123456789abcdef");
	CHECK_STR(back.sg.about, "campaign during complaint: Café Lumière");
	CHECK(back.sg.comment && !strcmp(back.sg.comment, "refund pending\nstate: editing"));
	CHECK(back.sg.w.comment == back.sg.comment);
	CHECK(back.queued == 1 && back.h.note == NULL);
	draft_clear(&back);
	CHECK(draft_remove(sg.w.id) == 0);
	/* A hold names no signal and no facts. */
	CHECK(signal_write_init(&sg.w, 99, "hold", sg.comment) == 0);
	sg.ack = 0;
	CHECK(draft_save_signal(&sg, OWNER, 1, 0, err, sizeof err) == 0);
	CHECK(load_id(sg.w.id, &back, err, sizeof err) == 0);
	CHECK(back.kind == DRAFT_SIGNAL && back.sg.ack == 0 && !strcmp(back.sg.w.what, "hold"));
	CHECK(back.sg.w.target == 99 && back.sg.w.fingerprint[0] == '\0');
	draft_clear(&back);
	CHECK(draft_remove(sg.w.id) == 0);
	free(sg.comment);
}

static void test_signal_draft_bad_fields_refused(void)
{
	struct draft d;
	char err[4600], text[2048];
	const char *id = "0f8fad5b-d9cb-469f-a165-70867728950e";
	static const char *const bad[] = {
		"write: hold\ntarget: 7\n\n \n",                     /* a blank comment */
		"write: delete\ntarget: 7\n\nwhy\n",
		"write: hold\ntarget: 0\n\nwhy\n",
		"write: hold\n\nwhy\n",                               /* held what? */
		"write: ack\ntarget: 7\n\nwhy\n",                    /* which signal? */
		"write: ack\nsignal: no-such-kind\ntarget: 7\n\nwhy\n",
		"write: hold\nsignal: repeating-themselves\ntarget: 7\n\nwhy\n",
		"write: ack\nsignal: repeating-themselves\ntarget: 7\nfingerprint: ../x\n\nwhy\n",
	};
	empty_dir();
	snprintf(text, sizeof text, "baton-draft: 2\nkind: signal\nowner: %s\nid: %s\nwrite: ack\n"
	         "signal: repeating-themselves\ntarget: 7\nfingerprint: 00ff\nstate: editing\n\nwhy\n", OWNER, id);
	plant("x.draft", text);
	CHECK(draft_load("x.draft", &d, err, sizeof err) == 0 && d.kind == DRAFT_SIGNAL && d.queued == 1);
	draft_clear(&d);
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		snprintf(text, sizeof text, "baton-draft: 2\nkind: signal\nowner: %s\nid: %s\n%s", OWNER, id, bad[i]);
		plant("x.draft", text);
		CHECK(draft_load("x.draft", &d, err, sizeof err) == -1);
	}
}

/* A milestone change made while the database is down: everything its
 * resend needs, the version it was read at above all (a change that meets
 * someone else's is refused, never applied over it), and what names it to
 * people; the reason is its text. */
static void fill_milestone(struct onboarding_new *ob)
{
	memset(ob, 0, sizeof *ob);
	CHECK(onboarding_milestone_init(&ob->m) == 0);
	ob->m.milestone_id = 31;
	snprintf(ob->m.title, sizeof ob->m.title, "Data migration — phase 2");
	snprintf(ob->m.status, sizeof ob->m.status, "blocked");
	snprintf(ob->m.due, sizeof ob->m.due, "2027-02-28");
	snprintf(ob->m.owner, sizeof ob->m.owner, "olu");
	snprintf(ob->m.reason, sizeof ob->m.reason, "waiting for the HL7 export; state: editing");
	ob->m.version = 4;
	snprintf(ob->customer_name, sizeof ob->customer_name, "Müller & Söhne GmbH");
}

static void test_onboarding_draft_round_trip(void)
{
	struct onboarding_new ob;
	struct draft back;
	char err[256] = "", path[4300];
	empty_dir();
	fill_milestone(&ob);
	CHECK(draft_save_onboarding(&ob, OWNER, 1, 1, err, sizeof err) == 0);
	path_of(path, sizeof path, ob.m.id);
	CHECK(strstr(contents(path), "\nkind: milestone\n") != NULL);
	CHECK(load_id(ob.m.id, &back, err, sizeof err) == 0);
	CHECK(back.kind == DRAFT_ONBOARDING && back.ob.health == 0);
	CHECK_STR(draft_id(&back), ob.m.id);
	CHECK_STR(back.owner, OWNER);
	CHECK_STR(back.ob.m.id, ob.m.id);
	CHECK(back.ob.m.milestone_id == 31);
	CHECK_STR(back.ob.m.title, "Data migration — phase 2");
	CHECK_STR(back.ob.m.status, "blocked");
	CHECK_STR(back.ob.m.due, "2027-02-28");
	CHECK_STR(back.ob.m.owner, "olu");
	CHECK_STR(back.ob.m.reason, "waiting for the HL7 export; state: editing");
	CHECK(back.ob.m.version == 4);
	CHECK_STR(back.ob.customer_name, "Müller & Söhne GmbH");
	CHECK(back.queued == 1 && back.h.note == NULL && back.st.s.version == 0);
	draft_clear(&back);
	/* No due date, no owner, no reason, no version check: none, not a
	 * word that would mean something. */
	fill_milestone(&ob);
	snprintf(ob.m.status, sizeof ob.m.status, "in_progress");
	ob.m.due[0] = ob.m.owner[0] = ob.m.reason[0] = '\0';
	ob.m.version = 0;
	CHECK(draft_save_onboarding(&ob, OWNER, 1, 0, err, sizeof err) == 0);
	CHECK(load_id(ob.m.id, &back, err, sizeof err) == 0);
	CHECK(back.kind == DRAFT_ONBOARDING && !strcmp(back.ob.m.status, "in_progress"));
	CHECK(!back.ob.m.due[0] && !back.ob.m.owner[0] && !back.ob.m.reason[0] && back.ob.m.version == 0);
	draft_clear(&back);
	CHECK(draft_remove(ob.m.id) == 0);

	/* The health: whose, which, why. */
	memset(&ob, 0, sizeof ob);
	ob.health = 1;
	CHECK(onboarding_health_init(&ob.h) == 0);
	ob.h.customer_id = 6;
	snprintf(ob.h.health, sizeof ob.h.health, "at_risk");
	snprintf(ob.h.reason, sizeof ob.h.reason, "three migration tickets open");
	snprintf(ob.customer_name, sizeof ob.customer_name, "Müller & Söhne GmbH");
	CHECK(draft_save_any(&(struct draft){.kind = DRAFT_ONBOARDING, .ob = ob}, OWNER, 1, 1, err, sizeof err) == 0);
	path_of(path, sizeof path, ob.h.id);
	CHECK(strstr(contents(path), "\nkind: health\n") != NULL);
	CHECK(load_id(ob.h.id, &back, err, sizeof err) == 0);
	CHECK(back.kind == DRAFT_ONBOARDING && back.ob.health == 1);
	CHECK_STR(draft_id(&back), ob.h.id);
	CHECK(back.ob.h.customer_id == 6);
	CHECK_STR(back.ob.h.health, "at_risk");
	CHECK_STR(back.ob.h.reason, "three migration tickets open");
	CHECK_STR(back.ob.customer_name, "Müller & Söhne GmbH");
	CHECK(back.queued == 1);
	draft_clear(&back);
	CHECK(draft_remove(ob.h.id) == 0);
}

/* A title an older Baton cut inside a character (200 bytes of kanji)
 * does not make the change's file unreadable: it is written up to the
 * cut character. */
static void test_onboarding_draft_cut_title(void)
{
	struct onboarding_new ob;
	struct draft back;
	char err[256] = "";
	empty_dir();
	fill_milestone(&ob);
	struct buf t = BUF_INIT;
	for (int i = 0; i < 40; i++)
		buf_puts(&t, "\xe6\x9d\xb1\xe4\xba\xac"); /* 東京 */
	memcpy(ob.m.title, buf_str(&t), 200);
	ob.m.title[200] = '\0';
	CHECK(draft_save_onboarding(&ob, OWNER, 1, 0, err, sizeof err) == 0);
	CHECK(load_id(ob.m.id, &back, err, sizeof err) == 0);
	CHECK(strlen(back.ob.m.title) == 198 && !memcmp(back.ob.m.title, buf_str(&t), 198));
	draft_clear(&back);
	buf_free(&t);
}

static void test_onboarding_draft_bad_fields_refused(void)
{
	struct draft d;
	char err[4600], text[2048];
	const char *id = "0f8fad5b-d9cb-469f-a165-70867728950e";
	static const char *const bad_milestone[] = {
		"status: blocked\n\n",                          /* blocked without a reason */
		"status: stalled\n\nwhy\n",                     /* not a status */
		"status: not started\n\n",                      /* people's words, not the database's */
		"status: done\ndue: 2027-02-30\n\n",            /* not a date */
		"status: done\nversion: 0\n\n",
		"status: done\n\ntwo\nlines",                   /* a reason is one line */
		"\n",                                           /* no status */
	};
	static const char *const bad_health[] = {
		"health: at_risk\n\n \n",                       /* a blank reason */
		"health: burning\n\nwhy",
		"\nwhy",                                        /* no health */
	};
	empty_dir();
	/* As written by hand, in any order, with what the kind does not use. */
	snprintf(text, sizeof text, "baton-draft: 2\nstatus: in_progress\nkind: milestone\nowner: %s\nid: %s\n"
	         "milestone: 7\nto-team: billing\nstate: editing\n\ntrainer booked", OWNER, id);
	plant("x.draft", text);
	CHECK(draft_load("x.draft", &d, err, sizeof err) == 0 && d.kind == DRAFT_ONBOARDING);
	CHECK(d.queued == 1 && d.ob.m.milestone_id == 7 && !strcmp(d.ob.m.reason, "trainer booked"));
	draft_clear(&d);
	for (size_t i = 0; i < sizeof bad_milestone / sizeof *bad_milestone; i++) {
		snprintf(text, sizeof text, "baton-draft: 2\nkind: milestone\nowner: %s\nid: %s\nmilestone: 7\n%s",
		         OWNER, id, bad_milestone[i]);
		plant("x.draft", text);
		CHECK(draft_load("x.draft", &d, err, sizeof err) == -1);
	}
	snprintf(text, sizeof text, "baton-draft: 2\nkind: milestone\nowner: %s\nid: %s\nstatus: done\n\n", OWNER, id);
	plant("x.draft", text); /* which milestone? */
	CHECK(draft_load("x.draft", &d, err, sizeof err) == -1);
	snprintf(text, sizeof text, "baton-draft: 2\nkind: milestone\nowner: %s\nid: ../x\nmilestone: 7\n"
	         "status: done\n\n", OWNER);
	plant("x.draft", text);
	CHECK(draft_load("x.draft", &d, err, sizeof err) == -1);
	/* A reason longer than a change holds is not cut (to the largest
	 * reason, which would pass): refused. */
	struct buf b = BUF_INIT;
	buf_printf(&b, "baton-draft: 2\nkind: health\nowner: %s\nid: %s\ncustomer: 3\nhealth: at_risk\n\n", OWNER, id);
	for (int i = 0; i < ONBOARDING_REASON_MAX; i++)
		buf_puts(&b, "\xf0\x9f\x98\x80"); /* U+1F600, four bytes */
	buf_putc(&b, 'x');
	plant("x.draft", buf_str(&b));
	buf_free(&b);
	CHECK(draft_load("x.draft", &d, err, sizeof err) == -1);
	snprintf(text, sizeof text, "baton-draft: 2\nkind: health\nowner: %s\nid: %s\ncustomer: 3\nhealth: off_track\n\n"
	         "no sponsor", OWNER, id);
	plant("x.draft", text);
	CHECK(draft_load("x.draft", &d, err, sizeof err) == 0 && d.kind == DRAFT_ONBOARDING && d.ob.health == 1);
	CHECK(d.ob.h.customer_id == 3 && !strcmp(d.ob.h.health, "off_track") && d.queued == 1);
	draft_clear(&d);
	for (size_t i = 0; i < sizeof bad_health / sizeof *bad_health; i++) {
		snprintf(text, sizeof text, "baton-draft: 2\nkind: health\nowner: %s\nid: %s\ncustomer: 3\n%s",
		         OWNER, id, bad_health[i]);
		plant("x.draft", text);
		CHECK(draft_load("x.draft", &d, err, sizeof err) == -1);
	}
	snprintf(text, sizeof text, "baton-draft: 2\nkind: health\nowner: %s\nid: %s\nhealth: done\n\nlive", OWNER, id);
	plant("x.draft", text); /* whose? */
	CHECK(draft_load("x.draft", &d, err, sizeof err) == -1);
	CHECK(strstr(err, "bad format") != NULL);
}

/* The files of every kind before onboarding changes read as they did,
 * listed with the new kinds. */
static void test_onboarding_drafts_listed_with_older_kinds(void)
{
	struct draft_list l;
	struct onboarding_new ob;
	char err[4600], text[1024];
	const char *hid = "0f8fad5b-d9cb-469f-a165-70867728950e";
	const char *ev = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
	empty_dir();
	/* A handoff draft of before notes: no kind. */
	snprintf(text, sizeof text, "baton-draft: 2\nowner: %s\nid: %s\nevent: %s\ncustomer: 3\n"
	         "customer-name: Acme\nto-team: support\nreason: escalation\nstate: queued\n\nhello", OWNER, hid, ev);
	plant("old.draft", text);
	fill_milestone(&ob);
	CHECK(draft_save_onboarding(&ob, OWNER, 1, 0, err, sizeof err) == 0);
	CHECK(draft_list(OWNER, &l, err, sizeof err) == 2);
	int handoffs = 0, milestones = 0;
	for (int i = 0; i < l.n; i++) {
		handoffs += l.v[i].kind == DRAFT_HANDOFF && !strcmp(l.v[i].h.id, hid) && l.v[i].queued;
		milestones += l.v[i].kind == DRAFT_ONBOARDING && !strcmp(draft_id(&l.v[i]), ob.m.id);
	}
	CHECK(handoffs == 1 && milestones == 1 && l.refused == 0);
	draft_list_free(&l);
}

static void test_note_validate(void)
{
	struct note_new n;
	char err[256];
	fill_note(&n);
	n.supersedes = 0;
	CHECK(note_validate(&n, 0, err, sizeof err) == 0);
	n.ticket_id = 4812;
	CHECK(note_validate(&n, 0, err, sizeof err) == -1 && strstr(err, "not both"));
	n.handoff_id[0] = '\0';
	CHECK(note_validate(&n, 64, err, sizeof err) == -1 && strstr(err, "the largest is 64"));
	snprintf(n.kind, sizeof n.kind, "tweet");
	CHECK(note_validate(&n, 0, err, sizeof err) == -1 && strstr(err, "unknown kind"));
	snprintf(n.kind, sizeof n.kind, "call");
	free(n.body);
	n.body = strdup(" \n\t");
	CHECK(note_validate(&n, 0, err, sizeof err) == -1 && strstr(err, "the note is empty"));
	note_clear(&n);
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
	RUN(test_note_draft_round_trip);
	RUN(test_note_and_handoff_drafts_listed_together);
	RUN(test_note_draft_bad_fields_refused);
	RUN(test_draft_not_taken_round_trip);
	RUN(test_note_validate);
	RUN(test_step_draft_round_trip);
	RUN(test_step_draft_bad_fields_refused);
	RUN(test_signal_draft_round_trip);
	RUN(test_signal_draft_bad_fields_refused);
	RUN(test_onboarding_draft_round_trip);
	RUN(test_onboarding_draft_cut_title);
	RUN(test_onboarding_draft_bad_fields_refused);
	RUN(test_onboarding_drafts_listed_with_older_kinds);
	RUN(test_draft_header_injection);
	RUN(test_draft_long_name_kept);
	RUN(test_draft_dir_fallback_to_home);
	RUN(test_hostile_dir_symlink_refused);
	RUN(test_hostile_draft_symlink_not_followed);
	RUN(test_hostile_fifo_does_not_block);
	RUN(test_hostile_dir_writable_by_others_refused);
	RUN(test_hostile_files_of_another_user_refused);
	RUN(test_hostile_oversized_file_refused);
	RUN(test_hostile_other_identity_not_listed);
	RUN(test_draft_identity_of_a_connection);
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
