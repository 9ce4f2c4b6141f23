/* Unit tests for which console has a draft (src/draft_lock.c): the same
 * person runs two consoles on one home directory, and a draft open in a
 * form in one may not be sent, discarded or opened by the other.  The
 * other console is a child process driven through a pipe; this process
 * holds no lock when it forks one, so the child starts as a console of
 * its own.  And what a console does when the database already has its
 * draft's id with another text (draft_new_id, draft_sent_otherwise).
 * XDG_STATE_HOME points at a fresh directory of our own. */
#include "baton/db.h"
#include "baton/draft.h"
#include "baton/handoff.h"
#include "baton/note.h"

#include <dirent.h>
#include <errno.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

static char state_home[4096]; /* our XDG_STATE_HOME */
static char drafts[4200];     /* state_home/baton/drafts */
static const char OWNER[] = "user=\"ana\" dbname=\"baton\" host=\"/run/pg\" port=\"5432\"";

/* --- the other console ------------------------------------------------------ */

struct other {
	pid_t pid;
	int to, from; /* commands to it, its answers */
};

/* The other console's loop: one command byte, one answer byte.
 * l: draft_lock ('0', '1' held by someone else, 'e' error); u: draft_unlock;
 * s: draft_lock_doing "send"; q: exit. */
static void other_loop(const char *id, int in, int out)
{
	char c, other[DRAFT_DOING_MAX], err[256];
	while (read(in, &c, 1) == 1) {
		char ans = 'k';
		if (c == 'l') {
			int rc = draft_lock(id, "form", other, sizeof other, err, sizeof err);
			ans = rc == 0 ? '0' : rc == 1 ? '1' : 'e';
		} else if (c == 'u') {
			draft_unlock(id);
		} else if (c == 's') {
			draft_lock_doing(id, "send");
		} else if (c == 'q') {
			_exit(0);
		}
		if (write(out, &ans, 1) != 1)
			_exit(1);
	}
	_exit(0);
}

static int other_start(struct other *o, const char *id)
{
	int to[2], from[2];
	if (pipe(to) < 0 || pipe(from) < 0)
		return -1;
	fflush(stdout);
	o->pid = fork();
	if (o->pid < 0)
		return -1;
	if (o->pid == 0) {
		close(to[1]);
		close(from[0]);
		other_loop(id, to[0], from[1]);
	}
	close(to[0]);
	close(from[1]);
	o->to = to[1];
	o->from = from[0];
	return 0;
}

/* A command to the other console; its answer, or 'x' if it is gone. */
static char other_do(struct other *o, char cmd)
{
	char ans;
	if (write(o->to, &cmd, 1) != 1 || read(o->from, &ans, 1) != 1)
		return 'x';
	return ans;
}

/* The other console killed, as a dropped SSH session or kill -9 leaves it. */
static void other_kill(struct other *o)
{
	kill(o->pid, SIGKILL);
	waitpid(o->pid, NULL, 0);
	close(o->to);
	close(o->from);
}

static void other_quit(struct other *o)
{
	other_do(o, 'q');
	waitpid(o->pid, NULL, 0);
	close(o->to);
	close(o->from);
}

/* --- helpers --------------------------------------------------------------- */

static void new_id(char id[37])
{
	if (db_uuid(id) < 0)
		id[0] = '\0';
}

static int exists(const char *id, const char *ext)
{
	char p[4400];
	struct stat st;
	snprintf(p, sizeof p, "%s/%s.%s", drafts, id, ext);
	return lstat(p, &st) == 0;
}

static void empty_dir(void)
{
	DIR *d = opendir(drafts);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		char p[4500];
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(p, sizeof p, "%s/%.255s", drafts, e->d_name);
		unlink(p);
	}
	if (d)
		closedir(d);
}

/* A handoff draft of id on disk, as a form saves it. */
static void save_handoff(const char *id, const char *note)
{
	struct handoff_new h;
	char err[256];
	CHECK(handoff_init(&h) == 0);
	snprintf(h.id, sizeof h.id, "%s", id);
	h.customer_id = 1;
	snprintf(h.to_team, sizeof h.to_team, "success");
	h.note = strdup(note);
	CHECK(draft_save(&h, OWNER, 0, 0, err, sizeof err) == 0);
	handoff_clear(&h);
}

/* --- tests --------------------------------------------------------------- */

static void test_lock_held_by_one_console_at_a_time(void)
{
	char id[37], doing[DRAFT_DOING_MAX], err[256];
	struct other o;
	empty_dir();
	new_id(id);
	save_handoff(id, "first part");
	CHECK(other_start(&o, id) == 0);
	CHECK(other_do(&o, 'l') == '0');
	/* Here, the other console's draft is in a form: not to be taken. */
	CHECK(draft_locked_elsewhere(id, doing, sizeof doing) == 1);
	CHECK_STR(doing, "form");
	CHECK(draft_lock(id, "form", doing, sizeof doing, err, sizeof err) == 1);
	CHECK_STR(doing, "form");
	/* It sends it: still its own, now on its way. */
	CHECK(other_do(&o, 's') == 'k');
	CHECK(draft_locked_elsewhere(id, doing, sizeof doing) == 1);
	CHECK_STR(doing, "send");
	/* It lets go: free here, and ours once taken. */
	CHECK(other_do(&o, 'u') == 'k');
	CHECK(draft_locked_elsewhere(id, doing, sizeof doing) == 0);
	CHECK(draft_lock(id, "form", doing, sizeof doing, err, sizeof err) == 0);
	CHECK(other_do(&o, 'l') == '1');
	/* This console's own holds are not "elsewhere". */
	CHECK(draft_locked_elsewhere(id, doing, sizeof doing) == 0);
	draft_unlock(id);
	CHECK(other_do(&o, 'l') == '0');
	other_quit(&o);
	CHECK(exists(id, "draft"));
}

static void test_lock_released_when_its_console_dies(void)
{
	char id[37], doing[DRAFT_DOING_MAX], err[256];
	struct other o;
	empty_dir();
	new_id(id);
	save_handoff(id, "typed in a console that is then killed");
	CHECK(other_start(&o, id) == 0);
	CHECK(other_do(&o, 'l') == '0');
	CHECK(draft_locked_elsewhere(id, doing, sizeof doing) == 1);
	CHECK(draft_lock(id, "form", doing, sizeof doing, err, sizeof err) == 1);
	other_kill(&o);
	/* At once: no waiting for a timeout, no stale lock to clear. */
	CHECK(draft_locked_elsewhere(id, doing, sizeof doing) == 0);
	CHECK(draft_lock(id, "form", doing, sizeof doing, err, sizeof err) == 0);
	CHECK(exists(id, "draft"));
	draft_unlock(id);
}

static void test_lock_holds_are_counted(void)
{
	char id[37], doing[DRAFT_DOING_MAX];
	struct other o;
	empty_dir();
	new_id(id);
	save_handoff(id, "a form hands its draft to the sender");
	CHECK(other_start(&o, id) == 0);
	CHECK(other_do(&o, 'l') == '0'); /* the form */
	CHECK(other_do(&o, 'l') == '0'); /* the sender, before the form closes */
	CHECK(other_do(&o, 'u') == 'k'); /* the form closes */
	CHECK(draft_locked_elsewhere(id, doing, sizeof doing) == 1);
	CHECK(other_do(&o, 'u') == 'k'); /* the database answered */
	CHECK(draft_locked_elsewhere(id, doing, sizeof doing) == 0);
	other_quit(&o);
}

static void test_lock_file_goes_with_its_draft(void)
{
	char id[37], doing[DRAFT_DOING_MAX], err[256];
	empty_dir();
	new_id(id);
	save_handoff(id, "kept");
	CHECK(draft_lock(id, "form", doing, sizeof doing, err, sizeof err) == 0);
	CHECK(exists(id, "lock"));
	draft_unlock(id);
	CHECK(exists(id, "draft"));
	/* Sent or discarded while held: nothing of it is left. */
	CHECK(draft_lock(id, "form", doing, sizeof doing, err, sizeof err) == 0);
	CHECK(draft_remove(id) == 0);
	draft_unlock(id);
	CHECK(!exists(id, "draft") && !exists(id, "lock"));
	/* A new form's draft, never saved, leaves nothing either. */
	new_id(id);
	CHECK(draft_lock(id, "form", doing, sizeof doing, err, sizeof err) == 0);
	draft_unlock(id);
	CHECK(!exists(id, "lock"));
}

static void test_lock_of_a_killed_console_swept(void)
{
	char id[37], kept[37], doing[DRAFT_DOING_MAX], err[600];
	struct draft_list l;
	struct other o;
	empty_dir();
	new_id(id);
	new_id(kept);
	save_handoff(kept, "still a draft");
	/* A console opened a new form (nothing saved yet) and was killed. */
	CHECK(other_start(&o, id) == 0);
	CHECK(other_do(&o, 'l') == '0');
	CHECK(draft_list(OWNER, &l, err, sizeof err) == 1);
	draft_list_free(&l);
	CHECK(exists(id, "lock")); /* held: not touched */
	other_kill(&o);
	CHECK(draft_lock(kept, "form", doing, sizeof doing, err, sizeof err) == 0);
	draft_unlock(kept);
	CHECK(draft_list(OWNER, &l, err, sizeof err) == 1);
	draft_list_free(&l);
	CHECK(!exists(id, "lock")); /* its draft never was: swept */
	CHECK(exists(kept, "lock") && exists(kept, "draft"));
}

static void test_lock_never_follows_a_symlink(void)
{
	char id[37], doing[DRAFT_DOING_MAX], err[600] = "", path[4400], target[4400];
	struct stat st;
	empty_dir();
	new_id(id);
	save_handoff(id, "a planted lock file");
	snprintf(target, sizeof target, "%s/elsewhere", state_home);
	snprintf(path, sizeof path, "%s/%s.lock", drafts, id);
	CHECK(symlink(target, path) == 0);
	CHECK(draft_lock(id, "form", doing, sizeof doing, err, sizeof err) == -1);
	CHECK(strstr(err, "symbolic link") != NULL);
	CHECK(lstat(target, &st) < 0 && errno == ENOENT); /* nothing created through it */
	CHECK(draft_locked_elsewhere(id, doing, sizeof doing) == 0);
	unlink(path);
	/* Nor a directory or a FIFO in its place. */
	CHECK(mkdir(path, 0700) == 0);
	CHECK(draft_lock(id, "form", doing, sizeof doing, err, sizeof err) == -1);
	CHECK(strstr(err, path) != NULL); /* named, with why */
	rmdir(path);
	CHECK(mkfifo(path, 0600) == 0);
	CHECK(draft_lock(id, "form", doing, sizeof doing, err, sizeof err) == -1);
	CHECK(strstr(err, "not a regular file") != NULL);
	unlink(path);
	/* Nor another user's file (root in the tests gives it to nobody):
	 * refused, with whose it is; and it says nobody has the draft. */
	struct passwd *pw = getpwnam("nobody");
	uid_t nobody = pw ? pw->pw_uid : 65534;
	char uid[48];
	snprintf(uid, sizeof uid, "it belongs to uid %ld, not to you", (long)nobody);
	FILE *f = fopen(path, "w");
	CHECK(f != NULL && fputs("form", f) >= 0 && fclose(f) == 0);
	CHECK(chown(path, nobody, (gid_t)-1) == 0);
	CHECK(draft_lock(id, "form", doing, sizeof doing, err, sizeof err) == -1);
	CHECK(strstr(err, path) != NULL && strstr(err, uid) != NULL);
	CHECK(draft_locked_elsewhere(id, doing, sizeof doing) == 0);
	unlink(path);
	CHECK(draft_lock(id, "form", doing, sizeof doing, err, sizeof err) == 0);
	draft_unlock(id);
}

static void test_kept_anew_under_a_new_id(void)
{
	struct draft d;
	char old[37], oldev[37];
	memset(&d, 0, sizeof d);
	d.kind = DRAFT_HANDOFF;
	CHECK(handoff_init(&d.h) == 0);
	d.h.note = strdup("the text typed after the other console sent it");
	snprintf(old, sizeof old, "%s", d.h.id);
	snprintf(oldev, sizeof oldev, "%s", d.h.event_id);
	CHECK(draft_new_id(&d) == 0);
	CHECK(handoff_is_uuid(d.h.id) && strcmp(d.h.id, old) != 0);
	CHECK(handoff_is_uuid(d.h.event_id) && strcmp(d.h.event_id, oldev) != 0);
	CHECK_STR(d.h.note, "the text typed after the other console sent it");
	draft_clear(&d);
	d.kind = DRAFT_NOTE;
	CHECK(db_uuid(d.n.id) == 0);
	snprintf(old, sizeof old, "%s", d.n.id);
	CHECK(draft_new_id(&d) == 0 && handoff_is_uuid(d.n.id) && strcmp(d.n.id, old) != 0);
	d.kind = DRAFT_STEP; /* recorded once, whoever sends it: never renamed */
	CHECK(draft_new_id(&d) == -1);
	/* The server's words for "this id, with another text" (007, 087). */
	CHECK(draft_sent_otherwise("handoff 6293c178-ae4a-339c-418f-a402dd44efe3 was already sent with a "
	                           "different text or choices: this one was not sent"));
	CHECK(draft_sent_otherwise("note 6293c178-ae4a-339c-418f-a402dd44efe3 was already sent with a "
	                           "different text or link: write a new note"));
	CHECK(!draft_sent_otherwise("handoff 6293c178-ae4a-339c-418f-a402dd44efe3 already exists and was "
	                            "written by someone else"));
	CHECK(!draft_sent_otherwise("note 12 was already corrected by note 13: correct that one"));
	CHECK(!draft_sent_otherwise(NULL));
}

int main(void)
{
	snprintf(state_home, sizeof state_home, "%s/baton-draft-lock-XXXXXX",
	         getenv("BATON_TEST_TMP") ? getenv("BATON_TEST_TMP") : "/tmp");
	if (!mkdtemp(state_home)) {
		printf("FAIL mkdtemp %s\n", state_home);
		return 1;
	}
	setenv("XDG_STATE_HOME", state_home, 1);
	snprintf(drafts, sizeof drafts, "%s/baton/drafts", state_home);
	char dir[4096], err[256];
	if (draft_dir(dir, sizeof dir, err, sizeof err) < 0) {
		printf("FAIL draft_dir: %s\n", err);
		return 1;
	}

	RUN(test_lock_held_by_one_console_at_a_time);
	RUN(test_lock_released_when_its_console_dies);
	RUN(test_lock_holds_are_counted);
	RUN(test_lock_file_goes_with_its_draft);
	RUN(test_lock_of_a_killed_console_swept);
	RUN(test_lock_never_follows_a_symlink);
	RUN(test_kept_anew_under_a_new_id);

	empty_dir();
	rmdir(drafts);
	char p[4200];
	snprintf(p, sizeof p, "%s/baton", state_home);
	rmdir(p);
	rmdir(state_home);
	return check_done();
}
