/* Terminal care in one place: start and restore, colours (NO_COLOR and
 * monochrome terminals), symbols with ASCII fallbacks, and drawing of
 * untrusted text, which is always cleaned here before it reaches curses.
 * Keys are read in ui/term_keys.c. */
#include "baton/buf.h"
#include "baton/config.h"
#include "baton/text.h"
#include "ui/ui.h"

#include <langinfo.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

static int attrs[UA_COUNT];
static int use_utf8;
static int started;

/* The selection marker has a glyph of its own: no status shares it. */
static const char *const sym_utf8[SYM_COUNT] = {"✔", "▶", "⚑", "●", "✉", "▷", "→", "›", "■", "·", "…", "↓", "↑"};
static const char *const sym_ascii[SYM_COUNT] = {"+", "~", "!", "*", "@", "o", "->", ">", "#", "-", "~", "v", "^"};
static const char *const sym_meaning[SYM_COUNT] = {
	"done", "in progress", "crossed signal: a contradiction worth a look",
	"open handoff; in the top line, the connection state", "campaign sent", "campaign scheduled",
	"from team to team", "the selected row", "blocked", "separator", "text cut to fit",
	"more rows below: move into the panel to see them",
	"new rows above, written since you moved there: move up to see them",
};

const char *term_sym(enum ui_sym s)
{
	return (use_utf8 ? sym_utf8 : sym_ascii)[s];
}

const char *term_sym_meaning(enum ui_sym s)
{
	return sym_meaning[s];
}

int term_attr(enum ui_attr at)
{
	return attrs[at];
}

static void setup_attrs(struct app *a)
{
	/* Monochrome first: state must read without colour. */
	attrs[UA_NORMAL] = (int)A_NORMAL;
	attrs[UA_TITLE] = (int)A_BOLD;
	attrs[UA_DIM] = (int)A_DIM;
	attrs[UA_SEL] = (int)A_REVERSE;
	attrs[UA_GOOD] = (int)A_NORMAL;
	attrs[UA_WARN] = (int)A_BOLD;
	attrs[UA_BAD] = (int)A_BOLD;
	attrs[UA_FLAG] = (int)A_BOLD;
	attrs[UA_HEADER] = (int)A_BOLD;
	const char *nc = getenv("NO_COLOR");
	a->color = a->cfg->color && !(nc && *nc) && has_colors();
	if (!a->color)
		return;
	start_color();
	use_default_colors();
	/* -1: the terminal's own background, whatever the user's theme. */
	init_pair(1, COLOR_GREEN, -1);
	init_pair(2, COLOR_YELLOW, -1);
	init_pair(3, COLOR_RED, -1);
	init_pair(4, COLOR_CYAN, -1);
	init_pair(5, COLOR_MAGENTA, -1);
	attrs[UA_GOOD] = (int)COLOR_PAIR(1);
	attrs[UA_WARN] = (int)(COLOR_PAIR(2) | A_BOLD);
	attrs[UA_BAD] = (int)(COLOR_PAIR(3) | A_BOLD);
	attrs[UA_TITLE] = (int)(COLOR_PAIR(4) | A_BOLD);
	attrs[UA_FLAG] = (int)(COLOR_PAIR(5) | A_BOLD);
}

int term_init(struct app *a)
{
	const char *cs = nl_langinfo(CODESET);
	use_utf8 = cs && strcmp(cs, "UTF-8") == 0 && !a->cfg->ascii;
	a->utf8 = use_utf8;
	text_set_ascii(!use_utf8);
	set_escdelay(a->cfg->escdelay_ms);
	if (!newterm(NULL, stdout, stdin)) {
		snprintf(a->fatal, sizeof a->fatal,
		         "cannot start the console on this terminal (TERM=%s): set TERM to a known type",
		         getenv("TERM") ? getenv("TERM") : "unset");
		return -1;
	}
	started = 1;
	/* raw: Ctrl-S/Ctrl-Q/Ctrl-C/Ctrl-Z reach us instead of the tty driver. */
	raw();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	curs_set(0);
	leaveok(stdscr, TRUE);
	/* Full-width lists may scroll with the terminal's own line operations. */
	idlok(stdscr, TRUE);
	setup_attrs(a);
	getmaxyx(stdscr, a->rows, a->cols);
	term_paste_mode(1);
	return 0;
}

/* DEC private mode 2004 (xterm, tmux, screen, VTE, kitty, iTerm2, the
 * Windows terminal; others ignore it).  Written straight to the terminal:
 * a mode, not a picture for curses to keep. */
void term_paste_mode(int on)
{
	static const char set[] = "\033[?2004h", reset[] = "\033[?2004l";
	if (!started)
		return;
	ssize_t n = write(STDOUT_FILENO, on ? set : reset, sizeof set - 1);
	(void)n; /* a terminal that is gone is not ours to report here */
}

void term_end(void)
{
	if (!started)
		return;
	term_paste_mode(0);
	started = 0;
	curs_set(1);
	endwin();
}

void ui_clear(WINDOW *w, int y, int x, int h, int wdt)
{
	for (int i = 0; i < h; i++) {
		wmove(w, y + i, x);
		for (int j = 0; j < wdt; j++)
			waddch(w, ' ');
	}
}

int ui_text(WINDOW *w, int y, int x, int cols, int attr, const char *s, int pad)
{
	/* Never past the window's edge, where curses would carry the rest
	 * onto the next row: cut there, with its mark. */
	if (cols > getmaxx(w) - x)
		cols = getmaxx(w) - x;
	if (cols <= 0)
		return 0;
	struct buf clean = BUF_INIT, fit = BUF_INIT;
	text_clean(&clean, s ? s : "", s ? strlen(s) : 0, TEXT_ONELINE);
	int used = text_fit(&fit, buf_str(&clean), cols, pad);
	wattrset(w, attr);
	mvwaddstr(w, y, x, buf_str(&fit));
	wattrset(w, A_NORMAL);
	buf_free(&clean);
	buf_free(&fit);
	return used;
}

void ui_put_fit(struct buf *b, const char *s, int cols)
{
	char *clean = text_clean_dup(s ? s : "", TEXT_ONELINE);
	text_fit(b, clean, cols, 0);
	free(clean);
}

int ui_textf(WINDOW *w, int y, int x, int cols, int attr, int pad, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	int used = ui_text(w, y, x, cols, attr, buf_str(&b), pad);
	buf_free(&b);
	return used;
}

/* Where a row of at most cols columns ends in s: at its last space if
 * the text goes on, else where the columns run out. */
static size_t row_end(const char *s, int cols)
{
	size_t len = strlen(s), i = 0, space = 0;
	int w = 0;
	while (i < len) {
		size_t next = text_utf8_next(s, len, i);
		char ch[8] = "";
		memcpy(ch, s + i, next - i < sizeof ch - 1 ? next - i : sizeof ch - 1);
		int cw = text_width(ch);
		if (w + cw > cols)
			return space ? space : i;
		w += cw;
		if (s[i] == ' ')
			space = i;
		i = next;
	}
	return len;
}

int ui_text_rows(const char *s, int cols)
{
	char *clean = text_clean_dup(s, TEXT_ONELINE);
	const char *p = clean;
	int rows = 0;
	while (*p && cols > 0) {
		size_t end = row_end(p, cols);
		if (end == 0)
			end = text_utf8_next(p, strlen(p), 0);
		rows++;
		p += end;
		while (*p == ' ')
			p++;
	}
	free(clean);
	return rows;
}

int ui_text_wrapped(WINDOW *w, int y, int x, int cols, int lines, int attr, const char *s)
{
	struct buf clean = BUF_INIT, part = BUF_INIT;
	text_clean(&clean, s, strlen(s), TEXT_ONELINE);
	const char *p = buf_str(&clean);
	int used = 0;
	while (*p && used < lines && cols > 0) {
		/* The last row takes the rest, cut with an ellipsis. */
		size_t end = used + 1 == lines ? strlen(p) : row_end(p, cols);
		if (end == 0)
			end = text_utf8_next(p, strlen(p), 0);
		buf_reset(&part);
		buf_add(&part, p, end);
		ui_text(w, y + used++, x, cols, attr, buf_str(&part), 0);
		p += end;
		while (*p == ' ')
			p++;
	}
	buf_free(&clean);
	buf_free(&part);
	return used;
}

/* Lines: the wide-character forms draw Unicode box characters on UTF-8
 * terminals and fall back to the terminal's line-drawing set elsewhere. */
void ui_hline(WINDOW *w, int y, int x, int n)
{
	if (n <= 0)
		return;
	if (use_utf8)
		mvwhline_set(w, y, x, WACS_HLINE, n);
	else
		mvwhline(w, y, x, '-', n);
}

/* Unicode box characters on UTF-8 terminals; plain ASCII elsewhere, which
 * every terminal, font and capture shows the same way. */
void ui_box(WINDOW *w, int y, int x, int h, int wdt, const char *title, int focused)
{
	if (h < 2 || wdt < 2)
		return;
	if (use_utf8) {
		mvwadd_wch(w, y, x, WACS_ULCORNER);
		mvwhline_set(w, y, x + 1, WACS_HLINE, wdt - 2);
		mvwadd_wch(w, y, x + wdt - 1, WACS_URCORNER);
		mvwvline_set(w, y + 1, x, WACS_VLINE, h - 2);
		mvwvline_set(w, y + 1, x + wdt - 1, WACS_VLINE, h - 2);
		mvwadd_wch(w, y + h - 1, x, WACS_LLCORNER);
		mvwhline_set(w, y + h - 1, x + 1, WACS_HLINE, wdt - 2);
		mvwadd_wch(w, y + h - 1, x + wdt - 1, WACS_LRCORNER);
	} else {
		mvwaddch(w, y, x, '+');
		mvwhline(w, y, x + 1, '-', wdt - 2);
		mvwaddch(w, y, x + wdt - 1, '+');
		mvwvline(w, y + 1, x, '|', h - 2);
		mvwvline(w, y + 1, x + wdt - 1, '|', h - 2);
		mvwaddch(w, y + h - 1, x, '+');
		mvwhline(w, y + h - 1, x + 1, '-', wdt - 2);
		mvwaddch(w, y + h - 1, x + wdt - 1, '+');
	}
	if (title && wdt > 6) {
		int at = focused ? (term_attr(UA_SEL) | (int)A_BOLD) : term_attr(UA_TITLE);
		mvwaddch(w, y, x + 1, ' ');
		int used = ui_text(w, y, x + 2, wdt - 5, at, title, 0);
		mvwaddch(w, y, x + 2 + used, ' ');
	}
}
