/* baton import stopped by a signal (Ctrl-C, a kill from cron or systemd, a
 * closed terminal): the file being imported is rolled back by the server
 * when the connection goes, as before (from its COMMIT on, the stop waits
 * until the file is in and said: IMPORT_COMMITTING); what the run owes its outputs is
 * written first, so that standard output in JSON stays one array (the
 * file interrupted and those not tried, each with its error) and standard
 * error says which file.  The handler only write()s what was prepared
 * beforehand, then dies of the signal as it would have. */
#include "import_priv.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *owed_out, *owed_err;
static size_t owed_out_len, owed_err_len;

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

static void on_stop(int sig)
{
	if (owed_out)
		write_all(STDOUT_FILENO, owed_out, owed_out_len);
	if (owed_err)
		write_all(STDERR_FILENO, owed_err, owed_err_len);
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

void import_stop_install(void)
{
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

void import_stop_owe(const char *out, size_t out_len, const char *err, size_t err_len)
{
	/* Held while they change: the handler never reads half of one. */
	import_stop_hold();
	free(owed_out);
	free(owed_err);
	owed_out = out ? malloc(out_len) : NULL;
	owed_err = err ? malloc(err_len) : NULL;
	if (owed_out)
		memcpy(owed_out, out, out_len);
	if (owed_err)
		memcpy(owed_err, err, err_len);
	owed_out_len = owed_out ? out_len : 0;
	owed_err_len = owed_err ? err_len : 0;
}

void import_stop_release(void)
{
	mask(SIG_UNBLOCK);
}
