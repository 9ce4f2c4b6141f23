/* The handoff form: receiving team and person, reason, priority, linked
 * ticket and the note, edited here or in $VISUAL/$EDITOR.  The draft is
 * saved to disk on every change, so a dropped SSH session or a killed
 * terminal loses nothing; Ctrl-X queues it for sending, which survives the
 * form, database outages and reconnects (the client-generated id makes the
 * resend safe). */
#include "baton/buf.h"
#include "baton/config.h"
#include "baton/customer.h"
#include "baton/draft.h"
#include "baton/handoff.h"
#include "baton/text.h"
#include "ui/ui.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <wctype.h>

#define TAG_FORM_LISTS 401

enum field { FD_TEAM, FD_PERSON, FD_REASON, FD_PRIORITY, FD_TICKET, FD_NOTE, FD_COUNT };

static const char *const prio_values[] = {"urgent", "high", "normal", "low"};

struct form {
	struct screen base;
	struct handoff_new h;
	enum field focus;
	PGresult *teams;   /* id, name */
	PGresult *staff;   /* role, display name, team */
	PGresult *tickets; /* the customer's tickets (customer view columns) */
	struct buf note;
	size_t cur;        /* byte offset of the cursor in note */
	int top;           /* first visible note row */
	int goal_col;      /* column kept when moving up/down */
	char saved[64];    /* "draft saved" / error */
};

static void form_destroy(struct screen *s)
{
	struct form *f = (struct form *)s;
	handoff_clear(&f->h);
	PQclear(f->teams);
	PQclear(f->staff);
	PQclear(f->tickets);
	buf_free(&f->note);
	free(f);
}

static void save_draft(struct form *f)
{
	char err[256];
	free(f->h.note);
	f->h.note = strdup(buf_str(&f->note));
	if (!f->h.note)
		abort();
	if (draft_save(&f->h, 0, 0, err, sizeof err) < 0)
		snprintf(f->saved, sizeof f->saved, "DRAFT NOT SAVED");
	else
		snprintf(f->saved, sizeof f->saved, "draft saved");
}

/* --- choices --------------------------------------------------------------- */

static int nrows(PGresult *r)
{
	return r ? PQntuples(r) : 0;
}

static int team_index(struct form *f)
{
	for (int i = 0; i < nrows(f->teams); i++)
		if (!strcmp(PQgetvalue(f->teams, i, 0), f->h.to_team))
			return i;
	return -1;
}

/* Staff of the chosen team, in display order; -1 = anyone. */
static int person_next(struct form *f, int dir)
{
	int n = nrows(f->staff), cur = -1;
	for (int i = 0; i < n; i++)
		if (!strcmp(PQgetvalue(f->staff, i, 0), f->h.to_staff))
			cur = i;
	for (int step = 0; step <= n; step++) {
		cur += dir;
		if (cur < -1)
			cur = n - 1;
		if (cur >= n)
			cur = -1;
		if (cur == -1 || !strcmp(PQgetvalue(f->staff, cur, 2), f->h.to_team))
			return cur;
	}
	return -1;
}

static void cycle(struct form *f, struct app *a, int dir)
{
	switch (f->focus) {
	case FD_TEAM: {
		int n = nrows(f->teams);
		if (!n)
			return;
		int i = (team_index(f) + dir + n) % n;
		snprintf(f->h.to_team, sizeof f->h.to_team, "%s", PQgetvalue(f->teams, i, 0));
		f->h.to_staff[0] = '\0';
		break;
	}
	case FD_PERSON: {
		int i = person_next(f, dir);
		snprintf(f->h.to_staff, sizeof f->h.to_staff, "%s", i < 0 ? "" : PQgetvalue(f->staff, i, 0));
		break;
	}
	case FD_REASON: {
		size_t n = a->cfg->nreasons, i = 0;
		while (i < n && strcmp(a->cfg->reasons[i], f->h.reason) != 0)
			i++;
		i = (i + n + (size_t)(dir > 0 ? 1 : n - 1)) % n;
		snprintf(f->h.reason, sizeof f->h.reason, "%s", a->cfg->reasons[i]);
		break;
	}
	case FD_PRIORITY: {
		int i = priority_from_name(f->h.priority);
		i = (i + dir + PRIO_COUNT) % PRIO_COUNT;
		snprintf(f->h.priority, sizeof f->h.priority, "%s", prio_values[i]);
		break;
	}
	case FD_TICKET: {
		/* Open tickets only; -1 = none. */
		int n = nrows(f->tickets), cur = -1;
		for (int i = 0; i < n; i++)
			if (atoll(PQgetvalue(f->tickets, i, T_ID)) == f->h.ticket_id)
				cur = i;
		for (int step = 0; step <= n; step++) {
			cur += dir;
			if (cur < -1)
				cur = n - 1;
			if (cur >= n)
				cur = -1;
			if (cur == -1 || PQgetvalue(f->tickets, cur, T_OPEN)[0] == 't')
				break;
		}
		f->h.ticket_id = cur < 0 ? 0 : atoll(PQgetvalue(f->tickets, cur, T_ID));
		break;
	}
	default:
		return;
	}
	save_draft(f);
}

static void on_lists(void *ctx, PGresult **res, int nres, const char *err)
{
	struct form *f = ctx;
	if (!screen_release(&f->base))
		return;
	if (err == dbq_cancelled)
		return;
	if (err || nres != 2) {
		app_message(f->base.app, 1, "cannot read teams and staff: %s", err ? err : "?");
		return;
	}
	PQclear(f->teams);
	PQclear(f->staff);
	f->teams = res[0];
	f->staff = res[1];
	res[0] = res[1] = NULL;
}

static void form_reload(struct screen *s, struct app *a)
{
	static const char *const none[1] = {NULL};
	struct db_stmt st[2] = {
		{"SELECT id, name FROM team ORDER BY name", 0, none},
		{"SELECT role_name, display_name, team_id FROM staff WHERE active ORDER BY display_name", 0, none},
	};
	screen_hold(s);
	dbq_submit(a->db, TAG_FORM_LISTS, st, 2, 1, on_lists, s);
}

/* --- the note editor ----------------------------------------------------------- */

static void note_insert(struct form *f, const char *s, size_t n)
{
	struct buf *b = &f->note;
	if (b->len + n > (size_t)f->base.app->cfg->max_note_bytes) {
		app_message(f->base.app, 1, "the note is at the configured maximum (%d bytes)",
		            f->base.app->cfg->max_note_bytes);
		return;
	}
	buf_add(b, s, n); /* grow, then open the gap */
	memmove(b->data + f->cur + n, b->data + f->cur, b->len - n - f->cur);
	memcpy(b->data + f->cur, s, n);
	f->cur += n;
}

static void note_delete(struct form *f, size_t from, size_t to)
{
	struct buf *b = &f->note;
	if (to <= from || to > b->len)
		return;
	memmove(b->data + from, b->data + to, b->len - to);
	b->len -= to - from;
	b->data[b->len] = '\0';
	f->cur = from;
}

static size_t line_start(struct form *f, size_t i)
{
	while (i > 0 && f->note.data[i - 1] != '\n')
		i--;
	return i;
}

static size_t line_end(struct form *f, size_t i)
{
	while (i < f->note.len && f->note.data[i] != '\n')
		i++;
	return i;
}

static int col_of(struct form *f, size_t i)
{
	size_t s = line_start(f, i);
	char *tmp = strndup(f->note.data + s, i - s);
	int w = text_width(tmp);
	free(tmp);
	return w;
}

static size_t at_col(struct form *f, size_t start, int col)
{
	size_t end = line_end(f, start), i = start;
	while (i < end) {
		size_t n = text_utf8_next(f->note.data, f->note.len, i);
		char tmp[8] = {0};
		memcpy(tmp, f->note.data + i, n - i);
		col -= text_width(tmp);
		if (col < 0)
			break;
		i = n;
	}
	return i;
}

static int note_key(struct form *f, int key, int is_func)
{
	const char *d = f->note.data;
	size_t len = f->note.len;
	int vertical = 0;
	if (!is_func && (key == '\r' || key == '\n')) {
		note_insert(f, "\n", 1);
	} else if ((is_func && key == KEY_BACKSPACE) || (!is_func && (key == 127 || key == 8))) {
		if (f->cur > 0)
			note_delete(f, text_utf8_prev(d, f->cur), f->cur);
	} else if (is_func && key == KEY_DC) {
		note_delete(f, f->cur, text_utf8_next(d, len, f->cur));
	} else if (is_func && key == KEY_LEFT) {
		f->cur = text_utf8_prev(d ? d : "", f->cur);
	} else if (is_func && key == KEY_RIGHT) {
		f->cur = text_utf8_next(d, len, f->cur);
	} else if ((is_func && key == KEY_HOME) || (!is_func && key == 1)) { /* Ctrl-A */
		f->cur = line_start(f, f->cur);
	} else if (is_func && key == KEY_END) {
		f->cur = line_end(f, f->cur);
	} else if (!is_func && key == 11) { /* Ctrl-K */
		note_delete(f, f->cur, line_end(f, f->cur) == f->cur && f->cur < len ? f->cur + 1 : line_end(f, f->cur));
	} else if (!is_func && key == 21) { /* Ctrl-U */
		note_delete(f, line_start(f, f->cur), f->cur);
	} else if (!is_func && key == 23) { /* Ctrl-W */
		size_t i = f->cur;
		while (i > 0 && (d[i - 1] == ' ' || d[i - 1] == '\n'))
			i--;
		while (i > 0 && d[i - 1] != ' ' && d[i - 1] != '\n')
			i--;
		note_delete(f, i, f->cur);
	} else if (is_func && (key == KEY_UP || key == KEY_DOWN)) {
		vertical = 1;
		if (f->goal_col < 0)
			f->goal_col = col_of(f, f->cur);
		size_t s = line_start(f, f->cur);
		if (key == KEY_UP && s > 0)
			f->cur = at_col(f, line_start(f, s - 1), f->goal_col);
		else if (key == KEY_DOWN && line_end(f, f->cur) < len)
			f->cur = at_col(f, line_end(f, f->cur) + 1, f->goal_col);
	} else if (!is_func && key == '\t') {
		return 0;
	} else if (!is_func && key >= 32 && key != 127 && iswprint((wint_t)key)) {
		char mb[4];
		int n = text_utf8_encode((uint32_t)key, mb);
		if (n > 0)
			note_insert(f, mb, (size_t)n);
	} else {
		return 0;
	}
	if (!vertical)
		f->goal_col = -1;
	save_draft(f);
	return 1;
}

/* --- drawing -------------------------------------------------------------------- */

static int draw_choice(struct form *f, int y, int x, enum field fd, const char *label, const char *value, int w)
{
	x += ui_text(stdscr, y, x, 11, (int)A_BOLD, label, 1);
	int at = f->focus == fd ? term_attr(UA_SEL) : (int)A_NORMAL;
	ui_text(stdscr, y, x, 1, (int)A_NORMAL, "[", 0);
	ui_text(stdscr, y, x + 1, w, at, value, 1);
	ui_text(stdscr, y, x + 1 + w, 2, (int)A_NORMAL, "]", 0);
	return x + w + 4;
}

static const char *staff_name(struct form *f, const char *role)
{
	for (int i = 0; i < nrows(f->staff); i++)
		if (!strcmp(PQgetvalue(f->staff, i, 0), role))
			return PQgetvalue(f->staff, i, 1);
	return role;
}

static void draw_note(struct form *f, struct app *a, int y, int h)
{
	int w = a->cols - 4;
	ui_box(stdscr, y, 1, h, a->cols - 2, "Note", f->focus == FD_NOTE);
	/* Lay the note out in rows of w columns, finding the cursor's row. */
	const char *d = buf_str(&f->note);
	size_t len = f->note.len;
	int row = 0, col = 0, cur_row = 0, cur_col = 0;
	struct { size_t from, to; } rows[2048];
	int nr = 0;
	size_t i = 0, rs = 0;
	for (;;) {
		if (i == f->cur) {
			cur_row = row;
			cur_col = col;
		}
		if (i >= len || d[i] == '\n' || col >= w) {
			if (nr < 2048)
				rows[nr].from = rs, rows[nr].to = i, nr++;
			if (i >= len)
				break;
			if (d[i] == '\n')
				i++;
			rs = i;
			row++;
			col = 0;
			continue;
		}
		size_t n = text_utf8_next(d, len, i);
		char tmp[8] = {0};
		memcpy(tmp, d + i, n - i);
		int cw = text_width(tmp);
		if (col + cw > w) {
			col = w; /* wrap before a wide character */
			continue;
		}
		col += cw;
		i = n;
	}
	int vis = h - 2;
	if (cur_row < f->top)
		f->top = cur_row;
	if (cur_row >= f->top + vis)
		f->top = cur_row - vis + 1;
	for (int r = 0; r < vis && f->top + r < nr; r++) {
		char *line = strndup(d + rows[f->top + r].from, rows[f->top + r].to - rows[f->top + r].from);
		ui_text(stdscr, y + 1 + r, 2, w, (int)A_NORMAL, line, 0);
		free(line);
	}
	if (f->focus == FD_NOTE && cur_row - f->top < vis) {
		/* The cursor: the character under it in reverse video. */
		size_t n = text_utf8_next(d, len, f->cur);
		char tmp[8] = " ";
		if (f->cur < len && d[f->cur] != '\n')
			memcpy(tmp, d + f->cur, n - f->cur), tmp[n - f->cur] = '\0';
		ui_text(stdscr, y + 1 + cur_row - f->top, 2 + cur_col, 2, (int)A_REVERSE, tmp, 0);
	}
	if (len == 0 && f->focus != FD_NOTE)
		ui_text(stdscr, y + 1, 2, w, term_attr(UA_DIM), "(what does the receiver need to know?)", 0);
}

static void form_draw(struct screen *s, struct app *a)
{
	struct form *f = (struct form *)s;
	ui_textf(stdscr, 0, 1, a->cols / 2 + 10, term_attr(UA_HEADER), 0, "New handoff %s %s",
	         term_sym(SYM_DOT), f->h.customer_name);
	int ti = team_index(f);
	char tk[64];
	if (f->h.ticket_id)
		snprintf(tk, sizeof tk, "#%lld", f->h.ticket_id);
	else
		snprintf(tk, sizeof tk, "none");
	int x = draw_choice(f, 2, 1, FD_TEAM, "To team:", ti >= 0 ? PQgetvalue(f->teams, ti, 1) : "(choose)", 14);
	draw_choice(f, 2, x, FD_PERSON, "Person:", f->h.to_staff[0] ? staff_name(f, f->h.to_staff) : "anyone", 18);
	x = draw_choice(f, 3, 1, FD_REASON, "Reason:", f->h.reason, 14);
	draw_choice(f, 3, x, FD_PRIORITY, "Priority:", f->h.priority, 7);
	draw_choice(f, 4, 1, FD_TICKET, "Ticket:", tk, 8);
	if (f->h.ticket_id) {
		for (int i = 0; i < nrows(f->tickets); i++)
			if (atoll(PQgetvalue(f->tickets, i, T_ID)) == f->h.ticket_id)
				ui_text(stdscr, 4, 26, a->cols - 28, term_attr(UA_DIM), PQgetvalue(f->tickets, i, T_SUBJECT), 0);
	}
	draw_note(f, a, 5, a->rows - 7);
	ui_textf(stdscr, a->rows - 2, 1, a->cols - 2, term_attr(UA_DIM), 0, "%s  %s",
	         f->focus == FD_NOTE ? "typing goes to the note" : "Left/Right/Space change the choice",
	         f->saved);
}

/* --- actions ------------------------------------------------------------------- */

static int form_key(struct screen *s, struct app *a, int key, int is_func)
{
	struct form *f = (struct form *)s;
	if (f->focus == FD_NOTE)
		return note_key(f, key, is_func);
	if ((is_func && key == KEY_RIGHT) || (!is_func && key == ' ')) {
		cycle(f, a, 1);
		return 1;
	}
	if (is_func && key == KEY_LEFT) {
		cycle(f, a, -1);
		return 1;
	}
	if ((is_func && (key == KEY_DOWN || key == KEY_ENTER)) || (!is_func && (key == '\r' || key == '\n'))) {
		f->focus = (enum field)(f->focus + 1);
		return 1;
	}
	if (is_func && key == KEY_UP) {
		if (f->focus > 0)
			f->focus = (enum field)(f->focus - 1);
		return 1;
	}
	return 0;
}

static void on_discard(struct app *a, void *ctx, const char *answer)
{
	struct form *f = ctx;
	if (!screen_release(&f->base) || !answer || answer[0] != 'y')
		return;
	draft_remove(f->h.id);
	app_message(a, 0, "draft discarded");
	if (a->top == &f->base)
		app_pop(a);
}

static int note_blank(struct form *f)
{
	for (size_t i = 0; i < f->note.len; i++)
		if (!iswspace((wint_t)(unsigned char)f->note.data[i]))
			return 0;
	return 1;
}

/* Run $VISUAL/$EDITOR on the note, as git and mutt do. */
static void run_editor(struct form *f, struct app *a)
{
	char dir[4096], path[4200], err[256];
	if (draft_dir(dir, sizeof dir, err, sizeof err) < 0) {
		app_message(a, 1, "%s", err);
		return;
	}
	snprintf(path, sizeof path, "%s/%s.edit.txt", dir, f->h.id);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, buf_str(&f->note), f->note.len) != (ssize_t)f->note.len) {
		if (fd >= 0)
			close(fd);
		app_message(a, 1, "cannot write %s: %s", path, strerror(errno));
		return;
	}
	close(fd);
	const char *ed = getenv("VISUAL");
	if (!ed || !*ed)
		ed = getenv("EDITOR");
	if (!ed || !*ed)
		ed = "vi";
	def_prog_mode();
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
	clearok(curscr, TRUE);
	if (pid < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		app_message(a, 1, "the editor (%s) failed; the note is unchanged", ed);
		unlink(path);
		return;
	}
	FILE *in = fopen(path, "r");
	if (in) {
		struct buf nb = BUF_INIT;
		char chunk[4096];
		size_t n;
		while ((n = fread(chunk, 1, sizeof chunk, in)) > 0)
			buf_add(&nb, chunk, n);
		fclose(in);
		if (nb.len > (size_t)a->cfg->max_note_bytes) {
			app_message(a, 1, "the note is longer than %d bytes; cut it down", a->cfg->max_note_bytes);
			buf_free(&nb);
		} else {
			buf_free(&f->note);
			f->note = nb;
			f->cur = f->note.len;
			save_draft(f);
		}
	}
	unlink(path);
}

static void form_action(struct screen *s, struct app *a, enum ui_action act)
{
	struct form *f = (struct form *)s;
	switch (act) {
	case ACT_NEXT_PANEL:
		f->focus = (enum field)((f->focus + 1) % FD_COUNT);
		return;
	case ACT_PREV_PANEL:
		f->focus = (enum field)((f->focus + FD_COUNT - 1) % FD_COUNT);
		return;
	case ACT_BACK:
		if (note_blank(f)) {
			draft_remove(f->h.id);
			app_pop(a);
			return;
		}
		screen_hold(s);
		app_prompt(a, "Discard this handoff draft?", 1, on_discard, f);
		return;
	case ACT_EDITOR:
		run_editor(f, a);
		return;
	case ACT_SEND: {
		char err[256];
		save_draft(f);
		if (handoff_validate(&f->h, a->cfg, err, sizeof err) < 0) {
			app_message(a, 1, "%s", err);
			return;
		}
		struct handoff_new h = f->h;
		f->h.note = NULL; /* moves to the sender */
		app_pop(a);
		handoff_send(a, &h);
		return;
	}
	default:
		return;
	}
}

static const struct screen_ops form_ops = {
	.name = "handoff form",
	.scope = SCOPE_FORM,
	.draw = form_draw,
	.key = form_key,
	.action = form_action,
	.reload = form_reload,
	.destroy = form_destroy,
	.hints = "Ctrl-X send  Ctrl-E $EDITOR  Tab next field  Esc cancel (asks)  F1 help",
};

struct screen *handoff_form_new(struct app *a, struct handoff_new *h, PGresult *tickets)
{
	struct form *f = calloc(1, sizeof *f);
	if (!f)
		abort();
	f->base.ops = &form_ops;
	f->h = *h;
	memset(h, 0, sizeof *h);
	f->tickets = tickets;
	f->goal_col = -1;
	if (f->h.note)
		buf_puts(&f->note, f->h.note);
	f->cur = f->note.len;
	if (!f->h.reason[0] && a->cfg->nreasons)
		snprintf(f->h.reason, sizeof f->h.reason, "%s", a->cfg->reasons[0]);
	f->focus = f->h.to_team[0] ? FD_NOTE : FD_TEAM;
	form_reload(&f->base, a);
	return &f->base;
}

/* --- sending, independent of any screen --------------------------------------- */

struct send_job {
	struct app *app;
	struct handoff_new h;
	struct handoff_params params;
	int reported_offline;
};

static void on_sent(void *ctx, PGresult **res, int nres, const char *err)
{
	struct send_job *j = ctx;
	struct app *a = j->app;
	if (err == dbq_cancelled) {
		/* Leaving with the send still queued: the draft stays queued on
		 * disk and is offered at the next start. */
	} else if (err || nres != 1) {
		/* Refused by the database (not a lost connection: those are
		 * retried).  Keep the draft for editing. */
		char e[256];
		draft_save(&j->h, 0, 1, e, sizeof e);
		app_message(a, 1, "handoff not sent: %s (the draft is kept)", err ? err : "?");
	} else {
		draft_remove(j->h.id);
		int created = PQgetvalue(res[0], 0, 0)[0] == 't';
		app_message(a, 0, created ? "handoff sent to %s" : "handoff to %s was already delivered",
		            j->h.to_team);
		/* A new handoff comes back as a change notification, which
		 * re-reads the screens; a resend changed nothing in the database,
		 * only the drafts on disk. */
		if (!created)
			app_reload_all(a);
	}
	handoff_clear(&j->h);
	free(j);
}

void handoff_send(struct app *a, struct handoff_new *h)
{
	char err[256];
	struct send_job *j = calloc(1, sizeof *j);
	if (!j)
		abort();
	j->app = a;
	j->h = *h;
	memset(h, 0, sizeof *h);
	/* On disk first, synced: from here on nothing loses it. */
	if (draft_save(&j->h, 1, 1, err, sizeof err) < 0)
		app_message(a, 1, "%s", err);
	struct db_stmt st;
	handoff_create_stmt(&j->h, a->cfg, &j->params, &st);
	dbq_submit(a->db, 0, &st, 1, 1, on_sent, j);
	if (a->db_state != DBQ_READY)
		app_message(a, 1, "database unreachable: the handoff is saved and will be sent when it is back");
	else
		app_message(a, 0, "sending the handoff…");
}

/* --- steps ------------------------------------------------------------------------ */

struct step_job {
	struct app *app;
	struct handoff_step s;
	struct handoff_params params;
};

static void on_step(void *ctx, PGresult **res, int nres, const char *err)
{
	struct step_job *j = ctx;
	struct app *a = j->app;
	if (err == dbq_cancelled) {
		handoff_step_clear(&j->s);
		free(j);
		return;
	}
	int changed = !err && nres == 1 && PQgetvalue(res[0], 0, HS_DONE)[0] == 't' &&
	              PQgetvalue(res[0], 0, HS_ALREADY)[0] != 't';
	if (err || nres != 1)
		app_message(a, 1, "not %s: %s", j->s.kind, err ? err : "?");
	else if (PQgetvalue(res[0], 0, HS_DONE)[0] == 't')
		app_message(a, 0, "handoff %s", PQgetvalue(res[0], 0, HS_STATE));
	else
		app_message(a, 1, "not %s: %s", j->s.kind, PQgetvalue(res[0], 0, HS_MESSAGE));
	/* A change comes back as a notification; a refusal does not, and its
	 * point is the fresh state: re-read now. */
	if (!changed)
		app_reload_all(a);
	handoff_step_clear(&j->s);
	free(j);
}

static void on_comment(struct app *a, void *ctx, const char *answer)
{
	struct step_job *j = ctx;
	if (!answer) {
		handoff_step_clear(&j->s);
		free(j);
		return;
	}
	if (*answer && !(j->s.comment = strdup(answer)))
		abort();
	struct db_stmt st;
	handoff_step_stmt(&j->s, a->cfg, &j->params, &st);
	/* The event id makes a resend after a lost connection harmless. */
	dbq_submit(a->db, 0, &st, 1, 1, on_step, j);
}

void handoff_step_ask(struct app *a, const char *id, int version, const char *kind)
{
	struct step_job *j = calloc(1, sizeof *j);
	if (!j)
		abort();
	j->app = a;
	if (handoff_step_init(&j->s, id, kind) < 0) {
		free(j);
		app_message(a, 1, "no randomness for the event id");
		return;
	}
	j->s.version = version;
	char label[64];
	snprintf(label, sizeof label, "%s; comment (optional):",
	         !strcmp(kind, "acknowledged") ? "Acknowledge" : !strcmp(kind, "resolved") ? "Resolve" : "Cancel");
	app_prompt(a, label, 0, on_comment, j);
}
