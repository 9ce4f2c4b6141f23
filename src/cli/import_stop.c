/* baton import stopped by a signal (Ctrl-C, a kill from cron or systemd, a
 * closed terminal): the file being imported is rolled back by the server
 * when the connection goes, as before (from its COMMIT on, the stop waits
 * until the file is in and said: IMPORT_COMMITTING); what the run owes its
 * outputs is written first, so that standard output in JSON stays one
 * array (the file interrupted and those not tried, each with its error)
 * and standard error says which file.  The handler only write()s pieces
 * prepared once for the run, then dies of the signal as it would have. */
#include "import_priv.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct import_owed *owed;
/* The file being imported (owed->n: none left); whether an object is on
 * standard output already; whether the file is begun.  at and printed are
 * changed with the signals held. */
static volatile sig_atomic_t at, printed, begun;

static void write_all(int fd, const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, s, n);
		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

static void write_span(int fd, const struct buf *b, const size_t *off, int from, int to)
{
	if (off[to] > off[from])
		write_all(fd, b->data + off[from], off[to] - off[from]);
}

static void on_stop(int sig)
{
	int i = at;
	if (owed && i < owed->n && begun) {
		if (owed->json) {
			if (printed)
				write_all(STDOUT_FILENO, ",", 1);
			write_span(STDOUT_FILENO, &owed->stopped, owed->at_stopped, i, i + 1);
			write_span(STDOUT_FILENO, &owed->not_tried, owed->at_not_tried, i + 1, owed->n);
			write_all(STDOUT_FILENO, "]\n", 2);
		}
		write_span(STDERR_FILENO, &owed->said, owed->at_said, i, i + 1);
	} else if (owed && i < owed->n) {
		/* Between two files: this one and the rest were not tried (each
		 * piece begins with its comma, the first one's not wanted
		 * when nothing is printed yet). */
		if (owed->json) {
			size_t from = owed->at_not_tried[i] + (printed ? 0 : 1);
			if (owed->at_not_tried[owed->n] > from)
				write_all(STDOUT_FILENO, owed->not_tried.data + from, owed->at_not_tried[owed->n] - from);
			write_all(STDOUT_FILENO, "]\n", 2);
		}
		write_span(STDERR_FILENO, &owed->said_before, owed->at_said_before, i, i + 1);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static const int stop_signals[] = {SIGINT, SIGTERM, SIGHUP};

static void mask(int how)
{
	sigset_t set;
	sigemptyset(&set);
	for (size_t i = 0; i < sizeof stop_signals / sizeof *stop_signals; i++)
		sigaddset(&set, stop_signals[i]);
	sigprocmask(how, &set, NULL);
}

void import_stop_install(const struct import_owed *o)
{
	owed = o;
	at = o->n;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop;
	/* One stop at a time: a second signal while the first writes what is
	 * owed would write it again, into the middle of the first. */
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof stop_signals / sizeof *stop_signals; i++)
		sigaddset(&sa.sa_mask, stop_signals[i]);
	for (size_t i = 0; i < sizeof stop_signals / sizeof *stop_signals; i++) {
		struct sigaction old;
		/* A signal ignored by whoever started us (nohup) stays ignored. */
		if (sigaction(stop_signals[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
			continue;
		sigaction(stop_signals[i], &sa, NULL);
	}
}

void import_stop_hold(void)
{
	mask(SIG_BLOCK);
}

void import_stop_at(int i, int any_printed)
{
	import_stop_hold();
	at = i;
	printed = any_printed != 0;
	begun = 0;
}

void import_stop_begin(void)
{
	begun = 1;
}

void import_stop_release(void)
{
	mask(SIG_UNBLOCK);
}
