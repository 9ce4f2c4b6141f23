/* Keys as the console reads them: characters decoded by the locale, and
 * curses' key codes.  Terminal care (ui/term.c) starts curses in the mode
 * this reads in: nodelay, keypad, ESCDELAY from the configuration. */
#include "ui/ui.h"

#include <langinfo.h>
#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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

/* --- pasted text ------------------------------------------------------------- */

/* A terminal in bracketed paste mode (term_paste_mode) sends ESC [ 200 ~
 * before pasted text and ESC [ 201 ~ after it.  Without them a Tab in a
 * pasted e-mail moved the form to its next field and the rest of the text
 * went there, and text pasted on a list ran its letters as commands.  An
 * end that never comes (a terminal that lost it) does not keep every key
 * pasted: a pause of PASTE_PAUSE_MS between bytes ends the paste, unless
 * what came after it is the paste going on (paste_goes_on). */
#define PASTE_PAUSE_MS 1000
/* How far past a pause the console looks to tell the rest of a paste from
 * a key: more than a key's bytes (an escape sequence with modifiers, a
 * UTF-8 character) and room for the end marker after a short rest. */
#define PASTE_LOOK 16
/* A marker's bytes may come apart over a slow link: within a paste, and
 * once a sequence begins as a marker does (ESC [ 2 0), the rest of it is
 * awaited this long rather than ESCDELAY, or its end would be typed as
 * text ("1~") and the paste kept on, taking the next keys as pasted. */
#define PASTE_SEQ_WAIT_MS 300
static int pasting;
static long long last_byte_ms;

static long long mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int term_pasted(void)
{
	return pasting;
}

/* --- escape sequences ------------------------------------------------------ */

/* Terminals send the keys of their own kind whatever TERM says: tmux sends
 * ESC [ 6 ~ for PgDn to a vt100 pane, and ESC [ 1 ~ for Home where
 * xterm's entry says ESC O H.  curses decodes only its terminfo entry's
 * sequences and hands any other over byte by byte, so PgDn acted as Esc
 * (back to the finder) and typed "[6~" there.  So a sequence curses made
 * no key of is read whole here: the usual forms of the keys the console
 * binds become those keys, and any other complete control sequence (CSI:
 * ESC [, parameters, intermediates, a final byte 0x40-0x7E; SS3: ESC O
 * and one byte) is dropped unseen.  An Esc with nothing after it is the
 * Esc key, as before (curses has waited ESCDELAY for more); one before
 * anything else (Alt-x) is Esc, and then that. */

/* What was read past the end of what a sequence turned out to be: read
 * again, first. */
static int back[4 + PASTE_LOOK];
static int nback;

static void push_back(int c)
{
	if (c == ERR || nback == (int)(sizeof back / sizeof *back))
		return;
	memmove(back + 1, back, (size_t)nback * sizeof *back);
	back[0] = c;
	nback++;
}

/* The next byte or curses key code: one pushed back, else curses', which
 * may wait up to wait_ms for it (0: only what has come). */
static int next_key(int wait_ms)
{
	if (nback) {
		int c = back[0];
		memmove(back, back + 1, (size_t)--nback * sizeof *back);
		return c;
	}
	if (wait_ms <= 0)
		return wgetch(stdscr);
	wtimeout(stdscr, wait_ms);
	int c = wgetch(stdscr);
	nodelay(stdscr, TRUE);
	return c;
}

/* A pause of PASTE_PAUSE_MS within a paste, then c: 1 when c and what has
 * come right behind it are the paste going on.  The pause was then the
 * console's, not the terminal's: a console stalled (a loaded host, a
 * stopped process) reads the rest of a paste long after it came, and ended
 * the paste there, typing the rest (its Tabs moved the form on, its
 * letters ran as commands on a list).  The rest of a paste comes in one
 * burst: as many bytes as a key can have and more, or the end marker (as
 * far as it has come, once it is more than a key's ESC [ 2: ESC [ 2 0,
 * as csi_wait tells them apart); a key typed after a paste whose end was
 * lost comes alone. */
static int paste_goes_on(int c)
{
	static const int end[] = {27, '[', '2', '0', '1', '~'};
	const int nend = (int)(sizeof end / sizeof *end);
	int look[PASTE_LOOK], n = 0, seen = 0, text = 1;
	look[n++] = c;
	while (n < PASTE_LOOK && (look[n] = next_key(0)) != ERR)
		n++;
	for (int i = 0; i < n; i++) {
		text = text && look[i] < KEY_MIN;
		int part = n - i < nend ? n - i : nend;
		seen = seen || (part >= 4 && !memcmp(look + i, end, (size_t)part * sizeof *end));
	}
	for (int i = n - 1; i > 0; i--)
		push_back(look[i]);
	return seen || (n == PASTE_LOOK && text);
}

/* ESC [ N ~ (VT220, xterm, tmux, the Linux console): its key, 0 none. */
static int tilde_key(const char *params)
{
	size_t n = strlen(params);
	if (n == 0 || n > 2 || strspn(params, "0123456789") != n)
		return 0;
	int v = atoi(params);
	switch (v) {
	case 1: case 7: return KEY_HOME;
	case 2: return KEY_IC;
	case 3: return KEY_DC;
	case 4: case 8: return KEY_END;
	case 5: return KEY_PPAGE;
	case 6: return KEY_NPAGE;
	case 11: case 12: case 13: case 14: case 15: return KEY_F(v - 10);
	case 17: case 18: case 19: case 20: case 21: return KEY_F(v - 11);
	case 23: case 24: return KEY_F(v - 12);
	default: return 0;
	}
}

/* ESC [ X and ESC O X (ss3) without parameters: the key, 0 none. */
static int letter_key(int c, int ss3)
{
	switch (c) {
	case 'A': return KEY_UP;
	case 'B': return KEY_DOWN;
	case 'C': return KEY_RIGHT;
	case 'D': return KEY_LEFT;
	case 'H': return KEY_HOME;
	case 'F': return KEY_END;
	case 'Z': return ss3 ? 0 : KEY_BTAB;
	case 'P': case 'Q': case 'R': case 'S': return ss3 ? KEY_F(c - 'P' + 1) : 0;
	default: return 0;
	}
}

/* How long to wait for the next byte of a control sequence whose
 * parameters so far are params[0..np) (np 0: none yet, params unread). */
static int csi_wait(const char *params, size_t np)
{
	if (pasting || (np >= 2 && params[0] == '2' && params[1] == '0'))
		return PASTE_SEQ_WAIT_MS;
	return get_escdelay();
}

/* The rest of a control sequence after ESC [, from its first byte c: its
 * key, or 0 when it names none the console binds (it is dropped).  One cut
 * short (a byte that cannot be in it, or a pause of ESCDELAY, of
 * PASTE_SEQ_WAIT_MS for a paste's) is dropped as far as it came; that byte
 * is read on. */
static int read_csi(int c)
{
	char params[8];
	size_t np = 0;
	int odd = 0; /* intermediates, or more parameters than a key has */
	for (;; c = next_key(csi_wait(params, np))) {
		if (c == ERR || c >= KEY_MIN || c < 0x20 || c > 0x7e) {
			push_back(c);
			return 0;
		}
		if (c >= 0x40) {
			params[np] = '\0';
			if (odd)
				return 0;
			if (c == '~' && (!strcmp(params, "200") || !strcmp(params, "201"))) {
				pasting = params[2] == '0';
				return 0;
			}
			return c == '~' ? tilde_key(params) : np ? 0 : letter_key(c, 0);
		}
		if (c < 0x30 || odd || np + 1 == sizeof params)
			odd = 1;
		else
			params[np++] = (char)c;
	}
}

/* After an Esc that curses made no key of: 1 with the key to hand on
 * (an Esc, or the key a sequence names), 0 when a sequence was dropped. */
static int read_escape(int *key, int *is_func)
{
	int c = next_key(pasting ? PASTE_SEQ_WAIT_MS : 0), k = 0;
	if (c == '[' || c == 'O') {
		int d = next_key(csi_wait(NULL, 0));
		if (d != ERR && d < KEY_MIN && d >= 0x20 && d <= 0x7e) {
			k = c == '[' ? read_csi(d) : d >= 0x40 ? letter_key(d, 1) : -1;
			if (k >= 0) {
				*key = k;
				*is_func = 1;
				return k != 0;
			}
		}
		push_back(d);
	}
	/* Not a sequence: Esc, then what came after it. */
	push_back(c);
	*key = 27;
	*is_func = 0;
	return 1;
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
		int c = next_key(0);
		if (c == ERR)
			return ERR;
		long long now = mono_ms();
		if (pasting && now - last_byte_ms > PASTE_PAUSE_MS && !paste_goes_on(c))
			pasting = 0;
		last_byte_ms = now;
		if (c >= KEY_MIN || c == 27) {
			/* A key ends a character that never came. */
			dropped += (int)npend;
			npend = 0;
			if (c == 27) {
				if (read_escape(key, is_func))
					return OK;
				continue; /* a sequence dropped: read on */
			}
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
