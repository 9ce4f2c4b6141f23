/* The editor of a handoff's or a success note's text: insert and delete by UTF-8 character, move by
 * character and by row on screen, word-wrap to the box (src/wrap.c), or hand the text to
 * $VISUAL/$EDITOR and take back what it wrote.  Nothing typed or pasted beyond the largest note is
 * dropped unsaid: the box says how much was not taken until the form is closed. */
#include "baton/draft.h"
#include "baton/text.h"
#include "baton/wrap.h"
#include "ui/note_edit.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <wctype.h>

#define CTRL(c) ((c) & 0x1f)

void note_edit_init(struct note_edit *e, const char *text, int max_bytes)
{
	memset(e, 0, sizeof *e);
	if (text)
		buf_puts(&e->text, text);
	e->cur = e->text.len;
	e->goal_col = -1;
	e->max_bytes = max_bytes;
}

void note_edit_free(struct note_edit *e)
{
	buf_free(&e->text);
	wrap_free(&e->wrap);
}

/* Once one character is refused, so is what follows it until the writer
 * deletes or moves: what the box shows stays the beginning of a paste,
 * never the beginning with holes in it. */
static void insert(struct note_edit *e, const char *s, size_t n)
{
	struct buf *b = &e->text;
	if (e->full || b->len + n > (size_t)e->max_bytes) {
		e->full = 1;
		e->refused += n;
		return;
	}
	buf_add(b, s, n); /* grow, then open the gap */
	memmove(b->data + e->cur + n, b->data + e->cur, b->len - n - e->cur);
	memcpy(b->data + e->cur, s, n);
	e->cur += n;
	e->wrap_cols = 0;
}

static void delete(struct note_edit *e, size_t from, size_t to)
{
	struct buf *b = &e->text;
	if (to <= from || to > b->len)
		return;
	memmove(b->data + from, b->data + to, b->len - to);
	b->len -= to - from;
	b->data[b->len] = '\0';
	e->cur = from;
	e->wrap_cols = 0;
}

static size_t line_start(const struct note_edit *e, size_t i)
{
	while (i > 0 && e->text.data[i - 1] != '\n')
		i--;
	return i;
}

static size_t line_end(const struct note_edit *e, size_t i)
{
	while (i < e->text.len && e->text.data[i] != '\n')
		i++;
	return i;
}

/* The text in rows of the box (note_edit_draw): laid out again after a
 * change or at another width, else as it was. */
static const struct wrap *rows(struct note_edit *e, const struct app *a)
{
	int cols = a->cols - 5;
	if (cols < 1)
		cols = 1;
	if (e->wrap_cols != cols) {
		wrap_layout(&e->wrap, buf_str(&e->text), e->text.len, cols);
		e->wrap_cols = cols;
	}
	return &e->wrap;
}

/* Up and Down by row on screen, keeping the column the move started at. */
static void move_vertical(struct note_edit *e, const struct app *a, int key)
{
	const struct wrap *w = rows(e, a);
	const char *d = buf_str(&e->text);
	int r = wrap_row(w, e->cur);
	if (e->goal_col < 0)
		e->goal_col = wrap_col(w, d, e->text.len, e->cur);
	if (key == KEY_UP && r > 0)
		e->cur = wrap_at(w, d, e->text.len, r - 1, e->goal_col);
	else if (key == KEY_DOWN && r + 1 < w->n)
		e->cur = wrap_at(w, d, e->text.len, r + 1, e->goal_col);
}

/* Ctrl-K, Ctrl-U, Ctrl-W as in a shell; 0 if key is none of them. */
static int control_key(struct note_edit *e, int key)
{
	const char *d = e->text.data;
	size_t i = e->cur, end = line_end(e, e->cur);
	if (key == CTRL('k')) {
		delete(e, e->cur, end == e->cur && e->cur < e->text.len ? e->cur + 1 : end);
	} else if (key == CTRL('u')) {
		delete(e, line_start(e, e->cur), e->cur);
	} else if (key == CTRL('w')) {
		while (i > 0 && (d[i - 1] == ' ' || d[i - 1] == '\n'))
			i--;
		while (i > 0 && d[i - 1] != ' ' && d[i - 1] != '\n')
			i--;
		delete(e, i, e->cur);
	} else if (key == CTRL('a')) {
		e->cur = line_start(e, e->cur);
	} else {
		return 0;
	}
	return 1;
}

static int func_key(struct note_edit *e, int key)
{
	const char *d = e->text.data ? e->text.data : "";
	size_t len = e->text.len;
	switch (key) {
	case KEY_BACKSPACE:
		if (e->cur > 0)
			delete(e, text_utf8_prev(d, e->cur), e->cur);
		return 1;
	case KEY_DC: delete(e, e->cur, text_utf8_next(d, len, e->cur)); return 1;
	case KEY_LEFT: e->cur = text_utf8_prev(d, e->cur); return 1;
	case KEY_RIGHT: e->cur = text_utf8_next(d, len, e->cur); return 1;
	case KEY_HOME: e->cur = line_start(e, e->cur); return 1;
	case KEY_END: e->cur = line_end(e, e->cur); return 1;
	default: return 0;
	}
}

int note_edit_key(struct note_edit *e, const struct app *a, int key, int is_func)
{
	int vertical = is_func && (key == KEY_UP || key == KEY_DOWN), typed = 0;
	if (vertical) {
		move_vertical(e, a, key);
	} else if (is_func) {
		if (!func_key(e, key))
			return 0;
	} else if (key == '\r' || key == '\n') {
		insert(e, "\n", 1);
		typed = 1;
	} else if (key == 127 || key == 8) {
		func_key(e, KEY_BACKSPACE);
	} else if (key >= 32 && iswprint((wint_t)key)) {
		char mb[4];
		int n = text_utf8_encode((uint32_t)key, mb);
		if (n > 0)
			insert(e, mb, (size_t)n);
		typed = 1;
	} else if (!control_key(e, key)) {
		return 0;
	}
	if (!vertical)
		e->goal_col = -1;
	if (!typed)
		e->full = 0;
	/* A note emptied is a note begun again: what an earlier paste did not
	 * bring is no longer missing from it, and nothing asks about it (the
	 * count is kept with the draft, so it would come back every time). */
	if (e->refused && !typed && note_edit_blank(e))
		e->refused = 0;
	return 1;
}

int note_edit_blank(const struct note_edit *e)
{
	return text_is_blank(buf_str(&e->text));
}

/* --- drawing ------------------------------------------------------------------ */

/* On the box's bottom line: how much was not taken, and from 90% of the
 * largest note on, how much the note holds. */
static void draw_size(const struct note_edit *e, struct app *a, int y)
{
	char cut[160] = "", size[80] = "";
	size_t max = (size_t)e->max_bytes;
	int x = 3, right = a->cols - 3;
	if (e->refused)
		snprintf(cut, sizeof cut, " %zu byte%s not taken: the note's maximum is %d bytes ", e->refused,
		         e->refused == 1 ? "" : "s", e->max_bytes);
	if (e->text.len * 10 >= max * 9)
		snprintf(size, sizeof size, " %zu of %d bytes ", e->text.len, e->max_bytes);
	if (cut[0])
		x += ui_text(stdscr, y, x, right - x, term_attr(UA_BAD), cut, 0);
	int sw = text_width(size);
	if (size[0] && right - sw > x + 1)
		ui_text(stdscr, y, right - sw, sw, e->text.len >= max ? term_attr(UA_WARN) : (int)A_NORMAL,
		        size, 0);
}

void note_edit_draw(struct note_edit *e, struct app *a, int y, int h, int focused)
{
	int w = a->cols - 4, vis = h - 2;
	ui_box(stdscr, y, 1, h, a->cols - 2, "Note", focused);
	const char *d = buf_str(&e->text);
	const struct wrap *wr = rows(e, a);
	int cur_row = wrap_row(wr, e->cur), cur_col = wrap_col(wr, d, e->text.len, e->cur);
	if (cur_row < e->top)
		e->top = cur_row;
	if (cur_row >= e->top + vis)
		e->top = cur_row - vis + 1;
	/* Room below the last row (the box grew, text went): show the rows
	 * above instead, as far as there are. */
	if (e->top > 0 && e->top + vis > wr->n)
		e->top = wr->n > vis ? wr->n - vis : 0;
	for (int r = 0; r < vis && e->top + r < wr->n; r++) {
		size_t from = wr->from[e->top + r];
		char *line = strndup(d + from, wrap_end(wr, d, e->text.len, e->top + r) - from);
		if (!line)
			abort();
		ui_text(stdscr, y + 1 + r, 2, w, (int)A_NORMAL, line, 0);
		free(line);
	}
	if (focused && cur_row - e->top < vis) {
		/* The cursor: the character under it in reverse video. */
		size_t n = text_utf8_next(d, e->text.len, e->cur);
		char tmp[8] = " ";
		if (e->cur < e->text.len && d[e->cur] != '\n')
			memcpy(tmp, d + e->cur, n - e->cur), tmp[n - e->cur] = '\0';
		ui_text(stdscr, y + 1 + cur_row - e->top, 2 + cur_col, 2, (int)A_REVERSE, tmp, 0);
	}
	if (e->text.len == 0 && !focused)
		ui_text(stdscr, y + 1, 2, w, term_attr(UA_DIM), "(what does the receiver need to know?)", 0);
	draw_size(e, a, y + h - 1);
}

/* --- $VISUAL / $EDITOR ------------------------------------------------------------ */

/* Run the editor on path; 0 if it exited with status 0. */
static int run_editor(const char *ed, const char *path)
{
	def_prog_mode();
	term_paste_mode(0);
	endwin();
	pid_t pid = fork();
	if (pid == 0) {
		/* The editor command may carry arguments ("vim -u NONE"): the
		 * shell splits it; the file name goes as $1, never re-parsed. */
		signal(SIGINT, SIG_DFL);
		setenv("BATON_EDITOR", ed, 1);
		execl("/bin/sh", "sh", "-c", "$BATON_EDITOR \"$1\"", "sh", path, (char *)NULL);
		_exit(127);
	}
	int status = 0;
	if (pid > 0) {
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	}
	reset_prog_mode();
	term_paste_mode(1);
	clearok(curscr, TRUE);
	return pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* The file the editor wrote: 1 if taken whole, 2 if only its beginning
 * fitted (the box then says how many bytes were not taken, as after a
 * paste, and the caller keeps the file), 0 if it could not be read. */
static int take_back(struct note_edit *e, const char *path)
{
	FILE *in = fopen(path, "r");
	if (!in)
		return 0;
	struct buf nb = BUF_INIT;
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, in)) > 0)
		buf_add(&nb, chunk, n);
	fclose(in);
	size_t whole = nb.len;
	if (whole > (size_t)e->max_bytes) {
		/* Cut between characters, never inside one. */
		size_t keep = (size_t)e->max_bytes;
		while (keep > 0 && ((unsigned char)nb.data[keep] & 0xC0) == 0x80)
			keep--;
		nb.len = keep;
		nb.data[keep] = '\0';
	}
	buf_free(&e->text);
	e->text = nb;
	e->cur = e->text.len;
	e->full = whole > nb.len;
	e->refused = whole - nb.len;
	e->wrap_cols = 0;
	return e->full ? 2 : 1;
}

int note_edit_external(struct note_edit *e, struct app *a, const char *draft_id)
{
	char dir[4096], path[4200], err[256];
	/* Beside the drafts: a private directory, verified before use. */
	if (draft_dir(dir, sizeof dir, err, sizeof err) < 0) {
		app_message(a, 1, "%s", err);
		return 0;
	}
	snprintf(path, sizeof path, "%s/%s.edit.txt", dir, draft_id);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, buf_str(&e->text), e->text.len) != (ssize_t)e->text.len) {
		if (fd >= 0)
			close(fd);
		app_message(a, 1, "cannot write %s: %s", path, strerror(errno));
		return 0;
	}
	close(fd);
	const char *ed = getenv("VISUAL");
	if (!ed || !*ed)
		ed = getenv("EDITOR");
	if (!ed || !*ed)
		ed = "vi";
	int taken = 0;
	if (run_editor(ed, path) < 0)
		app_message(a, 1, "the editor (%s) failed; the note is unchanged", ed);
	else
		taken = take_back(e, path);
	if (taken == 2) {
		/* What was written beyond the largest note is not lost (the box
		 * says how much): the whole text stays beside the drafts, under a
		 * name the next Ctrl-E does not write over, short enough for the
		 * bottom line (the draft's id is a uuid: its first 8 digits). */
		char whole[4300], home[4300];
		snprintf(whole, sizeof whole, "%s/%.8s.whole.txt", dir, draft_id);
		const char *h = getenv("HOME");
		size_t hn = h ? strlen(h) : 0;
		if (hn > 1 && !strncmp(whole, h, hn) && whole[hn] == '/')
			snprintf(home, sizeof home, "~%s", whole + hn);
		else
			snprintf(home, sizeof home, "%s", whole);
		if (rename(path, whole) == 0)
			app_message(a, 1, "whole text kept in %s", home);
		else
			app_message(a, 1, "cannot keep the whole text in %s: %s", home, strerror(errno));
	}
	unlink(path);
	return taken != 0;
}
