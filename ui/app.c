/* The console: one event loop around poll() on the terminal, the database
 * socket and a self-pipe for signals.  Handlers only set flags; actions
 * change state and mark the screen dirty; drawing happens in one place. */
#include "baton/cli.h"
#include "baton/config.h"
#include "baton/db.h"
#include "baton/finder.h"
#include "baton/draft.h"
#include "baton/handoff.h"
#include "baton/migrate.h"
#include "baton/session.h"
#include "baton/text.h"
#include "baton/ui.h"
#include "ui/signals.h"
#include "ui/ui.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t got_signal;
static int sig_pipe[2] = {-1, -1};

static void on_signal(int sig)
{
	int saved = errno;
	got_signal = sig;
	if (sig_pipe[1] >= 0) {
		char c = 1;
		ssize_t r = write(sig_pipe[1], &c, 1);
		(void)r;
	}
	errno = saved;
}

long long app_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void app_message(struct app *a, int error, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(a->status, sizeof a->status, fmt, ap);
	va_end(ap);
	a->status_error = error;
	a->status_keyseq = a->keyseq;
	a->status_until_ms = app_now_ms() + (error ? 8000 : 4000);
	a->dirty = 1;
}

void app_clear_message(struct app *a)
{
	a->status[0] = '\0';
	a->dirty = 1;
}

void app_forget_stale_message(struct app *a)
{
	if (a->status_keyseq != a->keyseq)
		a->status[0] = '\0';
}

void app_fail(struct app *a, int rc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(a->fatal, sizeof a->fatal, fmt, ap);
	va_end(ap);
	a->rc = rc;
	a->quit = 1;
}

void app_reload_all(struct app *a)
{
	for (struct screen *s = a->top; s; s = s->below)
		if (s->ops->reload)
			s->ops->reload(s, a);
	a->dirty = 1;
}

/* --- quitting -------------------------------------------------------------- */

/* Handoff text on no disk and in no database, after one more try to save
 * it: what quitting now would lose. */
static int app_unsaved(struct app *a)
{
	int n = handoff_send_keep(a) + signal_writes_keep(a);
	for (struct screen *s = a->top; s; s = s->below)
		if (s->ops->keep && s->ops->keep(s, a))
			n++;
	return n;
}

static void on_quit_answer(struct app *a, void *ctx, const char *answer)
{
	(void)ctx;
	if (answer && answer[0] == 'y')
		a->quit = 1;
}

void app_quit(struct app *a)
{
	if (app_unsaved(a))
		app_prompt(a, "unsent text will be lost: quit?", 1, on_quit_answer, NULL);
	else
		a->quit = 1;
}

/* --- input ---------------------------------------------------------------- */

static void dispatch(struct app *a, int key, int is_func)
{
	struct screen *s = a->top;
	if (!s)
		return;
	a->keyseq++;
	if (key == KEY_RESIZE) {
		a->dirty = 1;
		getmaxyx(stdscr, a->rows, a->cols);
		/* Big enough again: what was typed meanwhile is not in the form. */
		if (!app_too_small(a) && a->small_dropped) {
			app_message(a, 0, "%d key%s typed while the terminal was too small %s not taken",
			            a->small_dropped, a->small_dropped == 1 ? "" : "s",
			            a->small_dropped == 1 ? "was" : "were");
			a->small_dropped = 0;
		}
		return;
	}
	/* Pasted text is text: a Tab in it is a space, other control
	 * characters and sequences are not keys, and it answers no question. */
	int pasted = term_pasted();
	if (pasted) {
		if (is_func || (key < 32 && key != '\t' && key != '\r' && key != '\n') || key == 127)
			return;
		if (key == '\t')
			key = ' ';
	}
	if (a->prompt.active) {
		if (pasted && a->prompt.yesno)
			return;
		if (pasted && (key == '\r' || key == '\n'))
			key = ' '; /* one line: the paste does not send it half way */
		app_prompt_key(a, key, is_func);
		return;
	}
	if (app_too_small(a)) {
		if (!pasted && (key == 'q' || key == 'Q' || key == 3))
			app_quit(a);
		else
			a->small_dropped++;
		a->dirty = 1;
		return;
	}
	if (pasted && !(s->ops->takes_paste && s->ops->takes_paste(s)))
		return; /* no text field: no command, no choice */
	if (s->ops->key && s->ops->key(s, a, key, is_func)) {
		a->dirty = 1;
		return;
	}
	if (pasted)
		return; /* never a command */
	enum ui_action act = keys_lookup(s->ops->scope, key);
	switch (act) {
	case ACT_NONE:
		return;
	case ACT_QUIT:
		app_quit(a);
		return;
	case ACT_HELP:
		app_push(a, help_new(a, s->ops->scope));
		return;
	case ACT_SIGNALS:
	case ACT_SENDS:
		signals_show(a, act);
		return;
	case ACT_DRAFTS:
		/* On the drafts screen: read them again. */
		if (strcmp(s->ops->name, "drafts") != 0) {
			app_push(a, drafts_new(a));
		} else {
			s->ops->reload(s, a);
			a->dirty = 1; /* what another console did meanwhile shows now */
		}
		return;
	case ACT_REDRAW:
		clearok(curscr, TRUE);
		a->dirty = 1;
		return;
	case ACT_SUSPEND:
		def_prog_mode();
		term_paste_mode(0);
		endwin();
		raise(SIGTSTP);
		reset_prog_mode();
		term_paste_mode(1);
		a->dirty = 1;
		return;
	default:
		s->ops->action(s, a, act);
		a->dirty = 1;
	}
}

/* Every key waiting, then what the burst asked the screens to do once (a
 * paste is saved once, drawn once); one line if some of it could not be
 * read as text (and was dropped, not what followed). */
static void read_keys(struct app *a)
{
	int key, is_func;
	char why[160];
	while (!a->quit && term_key(&key, &is_func) != ERR)
		dispatch(a, key, is_func);
	for (struct screen *s = a->top; s; s = s->below)
		if (s->ops->settle)
			s->ops->settle(s, a);
	if (term_dropped(why, sizeof why))
		app_message(a, 1, "%s", why);
}

/* --- the start screen -------------------------------------------------------- */

/* What ui.start_screen names, or by role: a lead opens on the queue (their
 * teams' handoffs, breached first by severity), Marketing on its scheduled
 * sends to customers in trouble.  NULL: the finder. */
static struct screen *start_screen_new(struct app *a)
{
	enum start_screen want = a->cfg->start_screen;
	if (want == START_BY_ROLE)
		want = a->me.lead                        ? START_QUEUE
		       : !strcmp(a->me.team, "marketing") ? START_MARKETING
		                                          : START_FINDER;
	switch (want) {
	case START_QUEUE: return queue_new(a);
	case START_SIGNALS: return signals_new(a);
	case START_MARKETING: return sends_new(a);
	default: return NULL;
	}
}

/* Once the server has said who is signed in.  The start screen goes above
 * the finder, which q goes back to, and below the saved drafts if they
 * were offered meanwhile. */
static void open_start_screen(struct app *a)
{
	if (a->started || !a->ready || !a->top)
		return;
	a->started = 1;
	struct screen *q = start_screen_new(a);
	if (!q)
		return;
	struct screen *above = NULL, *bottom = a->top;
	while (bottom->below) {
		above = bottom;
		bottom = bottom->below;
	}
	if (!above) {
		app_push(a, q);
		return;
	}
	q->alive = 1;
	q->app = a;
	q->below = bottom;
	above->below = q;
	a->dirty = 1;
}

/* --- the loop --------------------------------------------------------------- */

static int install_signals(void)
{
	if (pipe(sig_pipe) < 0)
		return -1;
	for (int i = 0; i < 2; i++) {
		fcntl(sig_pipe[i], F_SETFL, O_NONBLOCK);
		fcntl(sig_pipe[i], F_SETFD, FD_CLOEXEC);
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	return 0;
}

static int next_timeout(struct app *a)
{
	int t = dbq_timeout_ms(a->db);
	if (a->status[0] && a->status_until_ms) {
		long long d = a->status_until_ms - app_now_ms();
		int st = d < 0 ? 0 : (int)d + 1;
		if (t < 0 || st < t)
			t = st;
	}
	int c = app_changes_timeout(a);
	if (c >= 0 && (t < 0 || c < t))
		t = c;
	/* Ages on screen are minutes: a slow tick keeps them honest. */
	if (t < 0 || t > 30000)
		t = 30000;
	return t;
}

static void loop(struct app *a)
{
	while (!a->quit) {
		open_start_screen(a);
		app_changes_tick(a);
		if (a->dirty)
			app_draw(a);
		/* poll() skips a negative fd: a database down, no standby. */
		struct pollfd pfd[4] = {
			{STDIN_FILENO, POLLIN, 0},
			{sig_pipe[0], POLLIN, 0},
			{dbq_fd(a->db), dbq_events(a->db), 0},
			{dbq_read_fd(a->db), dbq_read_events(a->db), 0},
		};
		int rc = poll(pfd, 4, next_timeout(a));
		if (rc < 0 && errno != EINTR) {
			app_fail(a, EXIT_FAIL, "poll: %s", strerror(errno));
			break;
		}
		if (got_signal) {
			char buf[64];
			while (read(sig_pipe[0], buf, sizeof buf) > 0)
				;
			a->rc = 128 + got_signal;
			a->quit = 1;
			/* No one to ask: one more try to save what is unsaved. */
			app_unsaved(a);
			break;
		}
		if (rc <= 0) {
			/* EINTR (e.g. SIGWINCH: curses queues KEY_RESIZE) or timeout */
			read_keys(a);
			dbq_handle(a->db, 0);
			if (a->status[0] && app_now_ms() >= a->status_until_ms) {
				a->status[0] = '\0';
				a->dirty = 1;
			}
			if (rc == 0)
				a->dirty = 1;
			continue;
		}
		if (pfd[0].revents & (POLLHUP | POLLERR | POLLNVAL)) {
			/* The terminal went away (SSH dropped): leave quietly,
			 * after one more try to save what is unsaved. */
			a->rc = 129;
			a->quit = 1;
			app_unsaved(a);
			break;
		}
		if (pfd[0].revents & POLLIN)
			read_keys(a);
		if (pfd[2].revents) {
			/* Answers change what is shown; curses sends only the
			 * difference, so redrawing is cheap for the terminal. */
			dbq_handle(a->db, pfd[2].revents);
			a->dirty = 1;
		}
		if (pfd[3].revents) {
			dbq_read_handle(a->db, pfd[3].revents);
			a->dirty = 1;
		}
	}
}

int ui_run(const struct config *cfg, const char *conninfo)
{
	char err[512];
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		cli_error("the console needs a terminal; for scripts use 'baton show', 'baton find'");
		return EXIT_USAGE;
	}
	if (db_conninfo_check(conninfo ? conninfo : cfg->conninfo, err, sizeof err) < 0) {
		cli_error("%s", err);
		return EXIT_DB;
	}
	struct app a;
	memset(&a, 0, sizeof a);
	a.cfg = cfg;
	a.db_state = DBQ_CONNECTING;
	if (install_signals() < 0) {
		cli_error("cannot set up signal handling: %s", strerror(errno));
		return EXIT_FAIL;
	}
	a.db = dbq_new(cfg, conninfo);
	/* read_conninfo names a standby of database.conninfo: not of what
	 * -d names instead. */
	if (!conninfo)
		dbq_set_reads(a.db, cfg, cfg->read_conninfo);
	dbq_set_callbacks(a.db, app_on_db_state, app_on_notify, &a);
	if (term_init(&a) < 0) {
		cli_error("%s", a.fatal);
		dbq_free(a.db);
		return EXIT_FAIL;
	}
	app_push(&a, finder_new(&a));
	dbq_connect(a.db);
	loop(&a);
	app_presence_leave(&a);
	term_end();
	/* First the database queue, whose callbacks may still refer to
	 * screens, then the screens. */
	dbq_free(a.db);
	while (a.top) {
		struct screen *s = a.top;
		a.top = s->below;
		s->ops->destroy(s);
	}
	team_list_free(&a.teams_seen);
	if (a.fatal[0])
		cli_error("%s", a.fatal);
	return a.rc;
}

void ui_print_keys(void)
{
	keys_print_markdown(stdout);
}
