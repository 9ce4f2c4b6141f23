/* Keys as the console reads them: characters decoded by the locale, and
 * curses' key codes.  Terminal care (ui/term.c) starts curses in the mode
 * this reads in: nodelay, keypad, ESCDELAY from the configuration. */
#include "ui/ui.h"

#include <langinfo.h>
#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

/* Keys are decoded here, by the locale, rather than by wget_wch: that
 * gathers bytes until they make a character, so one byte the locale
 * cannot read (an "é" typed or pasted under LANG=C, where only ASCII is a
 * character) swallowed everything after it in the same burst, ASCII
 * included.  Here such a byte is dropped alone, counted for the person to
 * be told, and what follows is read on.  The bytes of a character not yet
 * complete wait for the next read. */
static unsigned char pend[MB_LEN_MAX];
static size_t npend;
static int dropped;

/* The first character of what is pending: 1 and *wc, or 0 when more
 * bytes are needed (or none are pending).  Bytes that begin no character
 * are dropped on the way. */
static int pend_take(wchar_t *wc)
{
	while (npend > 0) {
		mbstate_t st;
		memset(&st, 0, sizeof st);
		size_t r = mbrtowc(wc, (const char *)pend, npend, &st);
		if (r == (size_t)-2 && npend < sizeof pend)
			return 0;
		if (r == (size_t)-1 || r == (size_t)-2) {
			memmove(pend, pend + 1, --npend);
			dropped++;
			continue;
		}
		if (r == 0)
			r = 1; /* a NUL byte (Ctrl-Space): key 0, as wget_wch gives it */
		npend -= r;
		memmove(pend, pend + r, npend);
		return 1;
	}
	return 0;
}

int term_key(int *key, int *is_func)
{
	wchar_t wc;
	for (;;) {
		if (pend_take(&wc)) {
			*key = (int)wc;
			*is_func = 0;
			return OK;
		}
		int c = wgetch(stdscr);
		if (c == ERR)
			return ERR;
		if (c >= KEY_MIN) {
			/* A function key ends a character that never came. */
			dropped += (int)npend;
			npend = 0;
			*key = c;
			*is_func = 1;
			return OK;
		}
		pend[npend++] = (unsigned char)c;
	}
}

int term_dropped(char *why, size_t n)
{
	int d = dropped;
	dropped = 0;
	if (!d)
		return 0;
	/* Under a UTF-8 locale the terminal sent something else (Latin-1?);
	 * otherwise the locale reads no more than ASCII, or its own set. */
	const char *cs = nl_langinfo(CODESET), *loc = setlocale(LC_CTYPE, NULL);
	if (cs && !strcmp(cs, "UTF-8"))
		snprintf(why, n, "%d typed byte%s dropped: not UTF-8; is the terminal set to UTF-8?", d,
		         d == 1 ? "" : "s");
	else
		snprintf(why, n, "%d typed byte%s dropped: not text in locale \"%s\"; set a UTF-8 LANG to type them",
		         d, d == 1 ? "" : "s", loc ? loc : "?");
	return d;
}
