/* baton import on a terminal: the line of standard error that says how far
 * a file's import is.  See import_priv.h. */
#include "baton/buf.h"
#include "baton/text.h"
#include "import_priv.h"

#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static double since(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

void import_progress_show(void *ctx, enum import_phase phase, long long lines)
{
	struct import_shown *s = ctx;
	if (phase == IMPORT_COMMITTING) /* a moment: the merge's line stays */
		return;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!s->begun) {
		s->began = now;
		s->begun = 1;
	}
	/* The server's work is told once, as it begins: its merge takes about a
	 * second per 10,000 lines, shown for a file that long even if it was
	 * read in no time; its match with the source's records a second or
	 * two per million, which would otherwise go on under "reading". */
	int server = phase == IMPORT_MATCHING || phase == IMPORT_MERGING;
	if ((since(&s->began, &now) < 0.5 && !(server && lines >= 10000)) ||
	    (s->width && phase == s->phase && since(&s->last, &now) < 0.2))
		return;
	s->last = now;
	s->phase = phase;
	static const char *const what[] = {"reading", "matching with the source's records", "sending",
	                                   "merging in the server"};
	char tail[96];
	snprintf(tail, sizeof tail, server ? ": %s (%lld lines)" : ": %s, line %lld",
	         what[phase], lines);
	struct winsize ws;
	int cols = ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 ? ws.ws_col : 80;
	if (cols < 7 + (int)strlen(tail) + 8) /* no room for a line that says something */
		return;
	struct buf name = BUF_INIT, line = BUF_INIT;
	text_clean(&name, s->file, strlen(s->file), TEXT_ONELINE);
	buf_puts(&line, "baton: ");
	/* A long path keeps its end, the file's name: ".../exports/tickets.jsonl"
	 * (in ASCII, which every locale shows). */
	int room = cols - 1 - 7 - (int)strlen(tail);
	const char *n = buf_str(&name);
	if (text_width(n) > room) {
		buf_puts(&line, "...");
		while (*n && text_width(n) > room - 3)
			n += text_utf8_next(n, strlen(n), 0);
	}
	buf_puts(&line, n);
	buf_puts(&line, tail);
	int w = text_width(buf_str(&line));
	fprintf(stderr, "\r%s%*s", buf_str(&line), s->width > w ? s->width - w : 0, "");
	fflush(stderr);
	s->width = w;
	buf_free(&name);
	buf_free(&line);
}

void import_progress_erase(struct import_shown *s)
{
	if (s->width)
		fprintf(stderr, "\r%*s\r", s->width, "");
	s->width = 0;
}
