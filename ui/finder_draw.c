/* The start screen drawn: the Find field, the matches, and the handoffs
 * waiting below them. */
#include "baton/finder.h"
#include "baton/fmt.h"
#include "baton/signals.h"
#include "baton/text.h"
#include "ui/finder.h"
#include "ui/ui.h"

#include <stdio.h>
#include <string.h>

static void draw_match(const struct finder_match *m, int y, int w, int sel)
{
	int x = 1;
	int namew = w >= 100 ? 34 : 22, domw = w >= 100 ? 24 : 17;
	ui_text(stdscr, y, x, 1, sel ? term_attr(UA_SEL) : (int)A_NORMAL, sel ? term_sym(SYM_SEL) : " ", 0);
	x += 2;
	x += ui_text(stdscr, y, x, namew, (int)A_NORMAL, m->name, 1) + 1;
	x += ui_text(stdscr, y, x, domw, term_attr(UA_DIM), m->domain, 1) + 1;
	x += ui_text(stdscr, y, x, 11, (int)A_NORMAL, m->lifecycle, 1) + 1;
	x += ui_textf(stdscr, y, x, 10, m->hot_tickets ? term_attr(UA_WARN) : (int)A_NORMAL, 1,
	              "%lld ticket%s", m->open_tickets, m->open_tickets == 1 ? "" : "s") + 1;
	/* Its crossed signals, the most severe one's mark (help: the legend). */
	char mark[16];
	signal_marker(mark, sizeof mark, m->signal, m->signals);
	if (mark[0] && x + 8 < w)
		x += ui_textf(stdscr, y, x, 8, term_attr(UA_FLAG), 0, "%s%s", term_sym(SYM_FLAG), mark) + 1;
	if (m->late_handoffs && x + 12 < w)
		x += ui_textf(stdscr, y, x, w - x - 1, term_attr(UA_BAD), 0, "%s late handoff",
		              term_sym(SYM_FLAG)) + 1;
	/* (A close name's rows have the line above them say so.) */
	if (strcmp(m->matched, "name") != 0 && !m->similar && x + 10 < w)
		ui_textf(stdscr, y, x, w - x - 1, term_attr(UA_DIM), 0, "(%s)", m->matched);
}

static void draw_results(struct finder *f, struct app *a, int y, int h)
{
	int w = a->cols;
	int n = f->results.n;
	f->res_rows = h;
	if (!f->has_results) {
		if (f->text.len == 0)
			ui_text(stdscr, y, 3, w - 4, term_attr(UA_DIM),
			        "Type a name, id, domain, e-mail or external id.", 0);
		else if (f->searching)
			ui_text(stdscr, y, 3, w - 4, term_attr(UA_DIM), "searching…", 0);
		return;
	}
	if (n == 0) {
		ui_text(stdscr, y, 3, w - 4, term_attr(UA_DIM), "No customer matches.", 0);
		return;
	}
	/* Close names, when nothing matched: said as such above them. */
	if (f->results.v[0].similar && h > 1) {
		ui_text(stdscr, y, 3, w - 4, term_attr(UA_DIM), "No customer matches. Did you mean:", 0);
		y++;
		h--;
		f->res_rows = h;
	}
	ui_list_fit(&f->rl, n, h);
	for (int i = 0; i < h && f->rl.top + i < n; i++) {
		int r = f->rl.top + i;
		draw_match(&f->results.v[r], y + i, w, r == f->rl.sel && f->focus == FOCUS_RESULTS);
	}
}

/* Who it is for: "you", another person of the team, or the team itself
 * (the title's "Waiting for you and Support"). */
static void draw_route(const struct waiting_handoff *h, const char *me, int y, int x, int cols)
{
	int mine = h->to_staff && me && *me && !strcmp(h->to_staff, me);
	const char *to = mine ? "you" : h->to_staff ? h->to_staff : h->to_team;
	int used = ui_textf(stdscr, y, x, cols, (int)A_NORMAL, 0, "%s %s ", h->from_team, term_sym(SYM_ARROW));
	ui_text(stdscr, y, x + used, cols - used, mine ? term_attr(UA_TITLE) : (int)A_NORMAL, to, 1);
}

static void draw_handoff(const struct waiting_handoff *h, const char *me, int y, int w, int sel,
                         long long now)
{
	char age[16];
	long long age_s;
	int late, x = 1;
	/* A row kept since an earlier read ages as a fresh read would say. */
	finder_waiting_now(h, now, &age_s, &late);
	ui_text(stdscr, y, x, 1, sel ? term_attr(UA_SEL) : (int)A_NORMAL, sel ? term_sym(SYM_SEL) : " ", 0);
	x += 2;
	fmt_age(age, sizeof age, age_s);
	x += ui_text(stdscr, y, x, 4, late ? term_attr(UA_BAD) : (int)A_NORMAL, age, 1) + 1;
	/* Urgent and high as the tickets mark them: the mark, not the colour
	 * alone, says it (NO_COLOR, monochrome terminals). */
	int urgent = !strcmp(h->priority, "urgent"), high = !strcmp(h->priority, "high");
	x += ui_text(stdscr, y, x, 2, urgent ? term_attr(UA_BAD) : term_attr(UA_WARN),
	             urgent ? "!!" : high ? "!" : "", 1) + 1;
	x += ui_text(stdscr, y, x, 20, (int)A_NORMAL, h->customer, 1) + 1;
	draw_route(h, me, y, x, 22);
	x += 23;
	x += ui_text(stdscr, y, x, 4, late ? term_attr(UA_BAD) : term_attr(UA_WARN),
	             late ? "LATE" : (h->open ? "NEW" : "ACK"), 1) + 1;
	if (x < w - 4)
		ui_textf(stdscr, y, x, w - x - 1, term_attr(UA_DIM), 0, "\"%s\"", h->note);
}

/* What stands for the list before its first answer: it is not known yet,
 * which is not "nothing is waiting". */
static const char *waiting_unknown(const struct finder *f, const struct app *a)
{
	switch (a->db_state) {
	case DBQ_CONNECTING: return "connecting…";
	case DBQ_DOWN: return "not read yet: offline (Baton reconnects by itself)";
	default: return f->wait_failed ? "not read: F5 reads it again" : "loading…";
	}
}

static void draw_waiting(struct finder *f, struct app *a, int y, int h)
{
	int w = a->cols, n = f->live.list.n;
	char title[256], count[32] = "";
	if (f->live.known)
		snprintf(count, sizeof count, " (%d)", n);
	snprintf(title, sizeof title, " Waiting for you and %s%s ",
	         a->me.team_name[0] ? a->me.team_name : "your team", count);
	ui_hline(stdscr, y, 0, w);
	ui_text(stdscr, y, 2, w - 4, f->focus == FOCUS_WAITING ? term_attr(UA_SEL) : term_attr(UA_TITLE),
	        title, 0);
	y++;
	h--;
	f->wait_rows = h;
	if (n == 0) {
		ui_text(stdscr, y, 3, w - 4, term_attr(UA_DIM),
		        f->live.known ? "Nothing is waiting." : waiting_unknown(f, a), 0);
		return;
	}
	ui_list_fit(&f->wl, n, h);
	long long now = finder_clock_ms();
	for (int i = 0; i < h && f->wl.top + i < n; i++) {
		int r = f->wl.top + i;
		draw_handoff(&f->live.list.v[r], a->me.role, y + i, w,
		             r == f->wl.sel && f->focus == FOCUS_WAITING, now);
	}
}

void finder_draw_screen(struct finder *f, struct app *a)
{
	ui_text(stdscr, 0, 1, 20, term_attr(UA_HEADER), "Baton", 0);
	int x = 1;
	x += ui_text(stdscr, 1, x, 6, (int)A_BOLD, "Find: ", 0);
	/* Selected (reverse) when the next letter typed replaces it. */
	x += ui_text(stdscr, 1, x, a->cols - x - 2, f->replace ? (int)A_REVERSE : (int)A_NORMAL,
	             buf_str(&f->text), 0);
	if (f->focus == FOCUS_FIELD && !f->replace)
		ui_text(stdscr, 1, x, 1, (int)A_REVERSE, " ", 0);
	int avail = a->rows - 3; /* rows 2 .. rows-2 */
	int wait_h = f->live.list.n + 1;
	if (wait_h < 3)
		wait_h = 3;
	if (f->has_results || f->text.len) {
		if (wait_h > avail / 2)
			wait_h = avail / 2;
	} else if (wait_h > avail - 2) {
		wait_h = avail - 2;
	}
	draw_results(f, a, 2, avail - wait_h);
	draw_waiting(f, a, 2 + avail - wait_h, wait_h);
}
