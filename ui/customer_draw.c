/* Drawing the customer screen: header, flags and the five panels.  Values
 * are never cut to make room for labels: labels shorten first. */
#include "baton/buf.h"
#include "baton/customer.h"
#include "baton/handoff.h"
#include "baton/onboarding.h"
#include "baton/text.h"
#include "ui/customer.h"
#include "ui/ui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int marker(struct customer *c, enum panel p, int row, int y, int x)
{
	int sel = c->focus == p && c->list[p].sel == row;
	ui_text(stdscr, y, x, 1, sel ? term_attr(UA_SEL) : (int)A_NORMAL, sel ? term_sym(SYM_SEL) : " ", 0);
	return sel;
}

/* "Growth · Pro · onboarding (on track) · renews 1 Mar 2027 · owner Ben
 * Okafor": when it does not fit, labels and the owner's surname go before
 * any value does. */
static void header_facts(struct customer *c, struct buf *b, int w)
{
	char life[64], health[64], renew[32], owner[128];
	fmt_words(life, sizeof life, V(CV_HEADER, 0, H_LIFECYCLE));
	fmt_words(health, sizeof health, V(CV_HEADER, 0, H_ONB_HEALTH));
	if (V(CV_HEADER, 0, H_HEALTH_STALE)[0] == 't')
		snprintf(health + strlen(health), sizeof health - strlen(health), ", stale");
	fmt_day_year(renew, sizeof renew, V(CV_HEADER, 0, H_RENEWAL));
	snprintf(owner, sizeof owner, "%s", V(CV_HEADER, 0, H_OWNER_NAME));
	const char *dot = term_sym(SYM_DOT);
	/* Shorter and shorter: the owner's first name, then no "owner". */
	for (int step = 0; step < 3; step++) {
		buf_reset(b);
		buf_printf(b, "%s %s %s %s %s", V(CV_HEADER, 0, H_PLAN), dot, V(CV_HEADER, 0, H_SEGMENT),
		           dot, life);
		if (health[0])
			buf_printf(b, " (%s)", health);
		if (*V(CV_HEADER, 0, H_RENEWAL))
			buf_printf(b, " %s renews %s", dot, renew);
		if (*V(CV_HEADER, 0, H_OWNER))
			buf_printf(b, " %s %s%s", dot, step == 2 ? "" : "owner ", owner);
		if (text_width(buf_str(b)) <= w)
			return;
		owner[strcspn(owner, " ")] = '\0';
	}
}

/* The flags: each signal's title, most severe first; a lone one says
 * why too.  What does not fit is counted ("+2"), never cut silently. */
static void draw_flags(struct customer *c, int w)
{
	char buf[256], more[16];
	int x = 1;
	if (c->nflags == 0)
		ui_text(stdscr, 3, 1, w, term_attr(UA_DIM), "no crossed signals", 0);
	for (int i = 0; i < c->nflags; i++) {
		int r = c->flag_idx[i];
		snprintf(buf, sizeof buf, "%s %s%s", term_sym(SYM_FLAG), V(CV_SIGNALS, r, SG_TITLE),
		         c->nflags == 1 ? ":" : "");
		snprintf(more, sizeof more, "+%d", c->nflags - i);
		int room = w - x - (i + 1 < c->nflags ? text_width(more) + 1 : 0);
		if (text_width(buf) + 1 > room) {
			ui_text(stdscr, 3, x + 1, w - x, term_attr(UA_FLAG), more, 0);
			return;
		}
		int sel = marker(c, P_FLAGS, i, 3, x);
		x += 1 + ui_text(stdscr, 3, x + 1, w - x, sel ? (term_attr(UA_FLAG) | (int)A_REVERSE) : term_attr(UA_FLAG),
		                 buf, 0) + 2;
	}
	if (c->nflags == 1 && x < w)
		ui_text(stdscr, 3, x - 1, w - x + 1, (int)A_NORMAL, V(CV_SIGNALS, c->flag_idx[0], SG_EXPLANATION), 0);
}

static void draw_header(struct customer *c, struct app *a)
{
	char date[16];
	int w = a->cols - 2;
	const char *dom = V(CV_HEADER, 0, H_DOMAIN);
	int x = 1 + ui_textf(stdscr, 0, 1, 8, term_attr(UA_HEADER), 0, "Baton %s ", term_sym(SYM_DOT));
	/* Both cut before the identity at the right, not overdrawn by it. */
	int tw = app_title_cols(a, x);
	x += ui_text(stdscr, 0, x, w / 2 < tw ? w / 2 : tw, term_attr(UA_HEADER), V(CV_HEADER, 0, H_NAME), 0);
	tw = app_title_cols(a, x + 1);
	if (*dom)
		ui_textf(stdscr, 0, x + 1, a->cols / 2 - x + 8 < tw ? a->cols / 2 - x + 8 : tw,
		         term_attr(UA_DIM), 0, "(%s)", dom);

	struct buf b = BUF_INIT;
	/* Who else has it open, at the end of the line; the facts fit the rest. */
	int pw = presence_draw(a, c->id, 1, a->cols - 1, w / 2);
	header_facts(c, &b, w - pw);
	ui_text(stdscr, 1, 1, w - pw, (int)A_NORMAL, buf_str(&b), 0);
	buf_reset(&b);
	struct { int score, at; const char *label, *max; } s[] = {
		{H_NPS, H_NPS_AT, "NPS", ""}, {H_CSAT, H_CSAT_AT, "CSAT", "/5"}, {H_CES, H_CES_AT, "CES", "/7"}};
	for (int i = 0; i < 3; i++) {
		if (!*V(CV_HEADER, 0, s[i].score))
			continue;
		fmt_day(date, sizeof date, V(CV_HEADER, 0, s[i].at));
		buf_printf(&b, "%s %s%s (%s)   ", s[i].label, V(CV_HEADER, 0, s[i].score), s[i].max, date);
	}
	if (!b.len)
		buf_puts(&b, "no survey answers yet");
	/* The records identity resolution made this customer (baton import). */
	if (*V(CV_HEADER, 0, H_ALSO))
		buf_printf(&b, "%s also: %s", b.data[b.len - 1] == ' ' ? "" : "  ", V(CV_HEADER, 0, H_ALSO));
	ui_text(stdscr, 2, 1, w, (int)A_NORMAL, buf_str(&b), 0);
	buf_free(&b);

	draw_flags(c, w);
}

/* Right-aligned short text, returns its x. */
static int right(int y, int xr, int maxw, int attr, const char *s)
{
	int w = text_width(s);
	if (w > maxw)
		w = maxw;
	ui_text(stdscr, y, xr - w, w, attr, s, 0);
	return xr - w;
}

/* The panel's first row: the health, how old, STALE, why. */
static void draw_health(struct customer *c, int y, int x, int w)
{
	const char *h = V(CV_HEADER, 0, H_ONB_HEALTH);
	struct buf b = BUF_INIT;
	onboarding_health_describe(&b, &c->cv, 1);
	int attr = V(CV_HEADER, 0, H_HEALTH_STALE)[0] == 't' || !strcmp(h, "at_risk") ? term_attr(UA_WARN)
	         : !strcmp(h, "off_track") ? term_attr(UA_BAD) : !*h ? term_attr(UA_DIM) : (int)A_NORMAL;
	ui_text(stdscr, y, x + 1, w - 1, attr, buf_str(&b), 0);
	buf_free(&b);
}

static void draw_milestone(struct customer *c, int r, int y, int x, int w)
{
	const char *st = V(CV_MILESTONES, r, M_STATUS);
	char when[32], d[16];
	int attr = (int)A_NORMAL;
	const char *sym = " ";
	if (!strcmp(st, "done")) {
		sym = term_sym(SYM_DONE);
		fmt_day(when, sizeof when, V(CV_MILESTONES, r, M_COMPLETED));
		attr = term_attr(UA_DIM);
	} else if (*V(CV_MILESTONES, r, M_OVERDUE_DAYS)) {
		snprintf(when, sizeof when, "overdue %sd", V(CV_MILESTONES, r, M_OVERDUE_DAYS));
		attr = term_attr(UA_BAD);
	} else {
		fmt_day(d, sizeof d, V(CV_MILESTONES, r, M_DUE));
		snprintf(when, sizeof when, "%s", d);
	}
	if (!strcmp(st, "in_progress"))
		sym = term_sym(SYM_CURRENT);
	if (!strcmp(st, "blocked")) {
		sym = term_sym(SYM_BLOCKED);
		snprintf(when, sizeof when, "BLOCKED");
		attr = term_attr(UA_BAD);
	}
	marker(c, P_ONBOARDING, r, y, x);
	ui_text(stdscr, y, x + 1, 1, attr, sym, 0);
	int xr = right(y, x + w, 12, attr, when);
	ui_text(stdscr, y, x + 3, xr - x - 4, (int)A_NORMAL, V(CV_MILESTONES, r, M_TITLE), 0);
}

/* The health on the first row, then the milestones; the selected one, if
 * blocked, with what it waits for on the row below it. */
static int draw_milestones(struct customer *c, int y, int x, int h, int w)
{
	int n = cv_rows(&c->cv, CV_MILESTONES), sel = c->list[P_ONBOARDING].sel;
	draw_health(c, y++, x, w);
	c->height[P_ONBOARDING] = --h;
	int why = h > 1 && sel >= 0 && sel < n && *V(CV_MILESTONES, sel, M_BLOCKED_REASON);
	ui_list_fit(&c->list[P_ONBOARDING], n, h - why);
	if (n == 0)
		ui_text(stdscr, y, x + 1, w - 1, term_attr(UA_DIM), "no onboarding plan", 0);
	int i, yy = y;
	for (i = 0; yy < y + h && c->list[P_ONBOARDING].top + i < n; i++, yy++) {
		int r = c->list[P_ONBOARDING].top + i;
		draw_milestone(c, r, yy, x, w);
		if (r == sel && why && yy + 1 < y + h)
			ui_textf(stdscr, ++yy, x + 3, w - 3, term_attr(UA_BAD), 0, "blocked: %s",
			         V(CV_MILESTONES, r, M_BLOCKED_REASON));
	}
	return i;
}

static int draw_tickets(struct customer *c, int y, int x, int h, int w)
{
	int n = cv_rows(&c->cv, CV_TICKETS);
	ui_list_fit(&c->list[P_TICKETS], n, h);
	if (n == 0)
		ui_text(stdscr, y, x + 1, w - 1, term_attr(UA_DIM), "no tickets", 0);
	/* Numbers right-aligned in one column, subjects in the next: a row
	 * scrolled in rewrites what differs, not a line shifted by its id. */
	int idw = 1;
	for (int k = 0; k < n; k++) {
		int l = text_width(V(CV_TICKETS, k, T_NUMBER));
		idw = l > idw ? l : idw;
	}
	idw = idw > 8 ? 8 : idw;
	int i;
	for (i = 0; i < h && c->list[P_TICKETS].top + i < n; i++) {
		int r = c->list[P_TICKETS].top + i;
		int open = V(CV_TICKETS, r, T_OPEN)[0] == 't';
		const char *prio = V(CV_TICKETS, r, T_PRIORITY);
		int marks = !open ? 0 : !strcmp(prio, "urgent") ? 2 : !strcmp(prio, "high") ? 1 : 0;
		char age[16], tail[32];
		if (open) {
			fmt_age(age, sizeof age, cv_num(&c->cv, CV_TICKETS, r, T_AGE_S));
			snprintf(tail, sizeof tail, "%4s ", age);
		} else {
			fmt_words(tail, sizeof tail, V(CV_TICKETS, r, T_STATUS));
		}
		marker(c, P_TICKETS, r, y + i, x);
		/* No colour on a blank: it shows nothing and costs bytes on every redraw. */
		if (marks)
			ui_text(stdscr, y + i, x + 1, 2, term_attr(UA_WARN), marks == 2 ? "!!" : "!", 0);
		int xr;
		if (open) {
			/* Only the flag in colour: a row scrolled in rewrites its age, not the flag's colour. */
			int breached = *V(CV_TICKETS, r, T_SLA_LEFT_S) && cv_num(&c->cv, CV_TICKETS, r, T_SLA_LEFT_S) < 0;
			xr = right(y + i, x + w, 4, breached ? term_attr(UA_BAD) : (int)A_NORMAL, breached ? "SLA!" : "    ");
			xr = right(y + i, xr, 6, (int)A_NORMAL, tail);
		} else {
			xr = right(y + i, x + w, 10, term_attr(UA_DIM), tail);
		}
		/* The screen is erased before it is drawn: the blanks before an id need no drawing. */
		int xs = x + 4 + idw;
		right(y + i, xs, idw, open ? (int)A_NORMAL : term_attr(UA_DIM), V(CV_TICKETS, r, T_NUMBER));
		ui_text(stdscr, y + i, xs + 1, xr - xs - 2, (open ? (int)A_NORMAL : term_attr(UA_DIM)),
		        V(CV_TICKETS, r, T_SUBJECT), 0);
	}
	return i;
}

static int draw_notes(struct customer *c, int y, int x, int h, int w)
{
	int n = cv_rows(&c->cv, CV_NOTES);
	ui_list_fit(&c->list[P_NOTES], n, h);
	if (n == 0)
		ui_text(stdscr, y, x + 1, w - 1, term_attr(UA_DIM), "no notes yet", 0);
	int i;
	for (i = 0; i < h && c->list[P_NOTES].top + i < n; i++) {
		int r = c->list[P_NOTES].top + i;
		char d[16], who[64];
		fmt_day(d, sizeof d, V(CV_NOTES, r, N_CREATED));
		/* First name only: the panel is narrow. */
		snprintf(who, sizeof who, "%s", V(CV_NOTES, r, N_AUTHOR_NAME));
		who[strcspn(who, " ")] = '\0';
		marker(c, P_NOTES, r, y + i, x);
		int xx = x + 1 + ui_text(stdscr, y + i, x + 1, 7, term_attr(UA_DIM), d, 0) + 1;
		xx += ui_textf(stdscr, y + i, xx, 14, (int)A_BOLD, 0, "%s:", who) + 1;
		ui_text(stdscr, y + i, xx, x + w - xx, (int)A_NORMAL, V(CV_NOTES, r, N_BODY), 0);
	}
	return i;
}

static int draw_marketing(struct customer *c, int y, int x, int h, int w)
{
	int n = cv_rows(&c->cv, CV_MARKETING);
	ui_list_fit(&c->list[P_MARKETING], n, h);
	if (n == 0)
		ui_text(stdscr, y, x + 1, w - 1, term_attr(UA_DIM), "no campaigns", 0);
	int i;
	for (i = 0; i < h && c->list[P_MARKETING].top + i < n; i++) {
		int r = c->list[P_MARKETING].top + i;
		char d[16];
		const char *st = V(CV_MARKETING, r, K_STATUS);
		int sched = !strcmp(st, "scheduled");
		fmt_day(d, sizeof d, V(CV_MARKETING, r, K_AT));
		marker(c, P_MARKETING, r, y + i, x);
		int xx = x + 1 + ui_text(stdscr, y + i, x + 1, 7, term_attr(UA_DIM), d, 0) + 1;
		char status[32], kind[32];
		int held = V(CV_MARKETING, r, K_HELD)[0] == 't';
		/* A held send says so where its status is: nobody may take it
		 * for one about to go out. */
		fmt_words(status, sizeof status, held ? "held" : st);
		fmt_words(kind, sizeof kind, V(CV_MARKETING, r, K_KIND));
		xx += ui_textf(stdscr, y + i, xx, 12, held ? term_attr(UA_BAD) : sched ? term_attr(UA_WARN) : (int)A_NORMAL,
		               0, "%s %s", term_sym(sched ? SYM_SCHEDULED : SYM_SENT), status) + 1;
		ui_textf(stdscr, y + i, xx, x + w - xx, (int)A_NORMAL, 0, "%s \"%s\"", kind,
		         V(CV_MARKETING, r, K_CAMPAIGN));
	}
	return i;
}

static int draw_handoffs(struct customer *c, int y, int x, int h, int w)
{
	int n = cv_rows(&c->cv, CV_HANDOFFS);
	/* Two rows per handoff (line + note) when there is room. */
	int per = (h >= 2 * n || h >= 4) ? 2 : 1;
	int fit = h / per;
	ui_list_fit(&c->list[P_HANDOFFS], n, fit);
	if (n == 0)
		ui_text(stdscr, y, x + 1, w - 1, term_attr(UA_DIM), "no handoffs", 0);
	int i;
	for (i = 0; i < fit && c->list[P_HANDOFFS].top + i < n; i++) {
		int r = c->list[P_HANDOFFS].top + i, yy = y + i * per;
		const char *st = V(CV_HANDOFFS, r, HO_STATE);
		int open = !strcmp(st, "open"), active = handoff_state_active(st);
		char from[32], to[32], age[16], left[32], state[64];
		fmt_capital(from, sizeof from, V(CV_HANDOFFS, r, HO_FROM_TEAM));
		fmt_capital(to, sizeof to, V(CV_HANDOFFS, r, HO_TO_TEAM));
		fmt_age(age, sizeof age, cv_num(&c->cv, CV_HANDOFFS, r, HO_AGE_S));
		int sattr = active ? (int)A_NORMAL : term_attr(UA_DIM);
		if (open) {
			long long l = cv_num(&c->cv, CV_HANDOFFS, r, HO_ACK_LEFT_S);
			fmt_left(left, sizeof left, l);
			snprintf(state, sizeof state, "NOT ACKNOWLEDGED (%s%s)", l < 0 ? "" : "due ", left);
			sattr = l < 0 ? term_attr(UA_BAD) : term_attr(UA_WARN);
		} else {
			fmt_words(state, sizeof state, st);
		}
		marker(c, P_HANDOFFS, r, yy, x);
		int xx = x + 1;
		xx += ui_text(stdscr, yy, xx, 1, sattr, active ? term_sym(SYM_LIVE) : " ", 0) + 1;
		xx += ui_textf(stdscr, yy, xx, x + w - xx, (int)A_NORMAL, 0, "%s %s %s", from,
		               term_sym(SYM_ARROW), to) + 2;
		/* The state is the fact the row is for: before the person,
		 * which is cut first. */
		char reason[64], prio[16];
		fmt_words(reason, sizeof reason, V(CV_HANDOFFS, r, HO_REASON));
		fmt_words(prio, sizeof prio, V(CV_HANDOFFS, r, HO_PRIORITY));
		xx += ui_textf(stdscr, yy, xx, x + w - xx, (int)A_NORMAL, 0, "%s  %s  %s  ", reason, prio, age);
		xx += ui_text(stdscr, yy, xx, x + w - xx, sattr, state, 0);
		if (*V(CV_HANDOFFS, r, HO_TO_STAFF) && xx + 8 < x + w)
			ui_textf(stdscr, yy, xx + 2, x + w - xx - 2, (int)A_NORMAL, 0, "for %s",
			         V(CV_HANDOFFS, r, HO_TO_STAFF_NAME));
		if (per == 2)
			ui_textf(stdscr, yy + 1, x + 3, w - 3, term_attr(UA_DIM), 0, "\"%s\"",
			         V(CV_HANDOFFS, r, HO_NOTE));
	}
	return i;
}

static void panel_title(char *out, size_t n, struct customer *c, enum panel p)
{
	int rows = cv_rows(&c->cv, panel_part[p]), cnt = 0;
	switch (p) {
	case P_ONBOARDING:
		for (int i = 0; i < rows; i++)
			cnt += !strcmp(V(CV_MILESTONES, i, M_STATUS), "done");
		snprintf(out, n, "Onboarding %d/%d", cnt, rows);
		break;
	case P_TICKETS: {
		char open[64];
		cv_open_tickets_said(&c->cv, open, sizeof open);
		snprintf(out, n, "Tickets %s %s", term_sym(SYM_DOT), open);
		break;
	}
	case P_NOTES:
		snprintf(out, n, "Success notes");
		break;
	case P_MARKETING:
		snprintf(out, n, "Marketing");
		break;
	case P_HANDOFFS:
		for (int i = 0; i < rows; i++)
			cnt += handoff_state_active(V(CV_HANDOFFS, i, HO_STATE));
		/* Every active one is read, on any page (cv_statements). */
		snprintf(out, n, "Handoffs %s %d open", term_sym(SYM_DOT), cnt);
		break;
	default:
		out[0] = '\0';
	}
}

/* Rows new since the last read that the window does not show: *above*
 * it and below it.  Those it shows are seen if the person looked. */
static int count_unseen(struct customer *c, enum panel p, int shown, int looked, int *above)
{
	int n = cv_rows(&c->cv, panel_part[p]), top = c->list[p].top, below = 0;
	unsigned char *u = c->unseen[p];
	*above = 0;
	for (int r = 0; u && r < n; r++) {
		if (r >= top && r < top + shown)
			u[r] = looked ? 0 : u[r];
		else if (u[r] && r < top)
			++*above;
		else if (u[r])
			below++;
	}
	return below;
}

/* On the bottom border, when not every row fits: " 3 more ↓ " before
 * scrolling, " 4-6 of 9 ↓ " after, so a panel never hides that it has
 * more than it shows; and how many of those are new since the last read
 * (" 3 more, 1 new ↓ ").  New rows above the window, which a colleague's
 * writes put there while the cursor stayed on its item, are counted on
 * the top border (" 2 new ↑ "). */
static void draw_more(struct customer *c, enum panel p, int shown, int looked, int y, int h, int xr)
{
	int n = cv_rows(&c->cv, panel_part[p]), top = c->list[p].top, above;
	int below = count_unseen(c, p, shown, looked, &above);
	/* Read a page at a time: there may be more than it has read. */
	const char *plus = customer_partial(c, p) ? "+" : "";
	char more[64], fresh[24] = "";
	if (above) {
		snprintf(more, sizeof more, " %d new %s ", above, term_sym(SYM_NEW_ABOVE));
		int w = text_width(more);
		ui_text(stdscr, y, xr - w - 1, w, term_attr(UA_WARN), more, 0);
	}
	if (top + shown >= n && top == 0 && !*plus)
		return;
	if (below)
		snprintf(fresh, sizeof fresh, ", %d new", below);
	if (top == 0 && n == shown) /* all it read shows: more may follow */
		snprintf(more, sizeof more, " more %s ", term_sym(SYM_MORE));
	else if (top == 0)
		snprintf(more, sizeof more, " %d%s more%s %s ", n - shown, plus, fresh, term_sym(SYM_MORE));
	else
		snprintf(more, sizeof more, " %d-%d of %d%s%s%s%s ", top + 1, top + shown, n, plus, fresh,
		         top + shown < n || *plus ? " " : "", top + shown < n || *plus ? term_sym(SYM_MORE) : "");
	int w = text_width(more);
	ui_text(stdscr, y + h - 1, xr - w - 1, w, term_attr(UA_DIM), more, 0);
}

/* The boxes' heights, borders included, on a terminal of `rows` rows (the
 * panels take rows 4 to rows-2): handoffs get a third, the grid the
 * rest; each box keeps at least one row inside at the smallest size the
 * console accepts. */
static void layout(int rows, int *up_h, int *low_h, int *hand_h)
{
	int avail = rows - 1 - 4;
	*hand_h = avail / 3 < 3 ? 3 : avail / 3;
	int grid_h = avail - *hand_h;
	*up_h = (grid_h + 1) / 2;
	*low_h = grid_h - *up_h;
}

int customer_fit(const struct app *a, enum panel p)
{
	int up_h, low_h, hand_h;
	layout(a->rows, &up_h, &low_h, &hand_h);
	int h = (p == P_HANDOFFS ? hand_h : p == P_ONBOARDING || p == P_TICKETS ? up_h : low_h) - 2;
	if (p == P_HANDOFFS && h >= 4) /* two rows a handoff (draw_handoffs) */
		h /= 2;
	return h > 1 ? h : 1;
}

static void draw_panel(struct customer *c, enum panel p, int looked, int y, int x, int h, int w)
{
	char title[96];
	panel_title(title, sizeof title, c, p);
	ui_box(stdscr, y, x, h, w, title, c->focus == p);
	c->height[p] = h - 2;
	int shown = 0;
	switch (p) {
	case P_ONBOARDING: shown = draw_milestones(c, y + 1, x + 1, h - 2, w - 2); break;
	case P_TICKETS: shown = draw_tickets(c, y + 1, x + 1, h - 2, w - 2); break;
	case P_NOTES: shown = draw_notes(c, y + 1, x + 1, h - 2, w - 2); break;
	case P_MARKETING: shown = draw_marketing(c, y + 1, x + 1, h - 2, w - 2); break;
	case P_HANDOFFS: shown = draw_handoffs(c, y + 1, x + 1, h - 2, w - 2); break;
	default: break;
	}
	draw_more(c, p, shown, looked, y, h, x + w - 1);
}

void customer_draw_screen(struct customer *c, struct app *a)
{
	if (!c->loaded) {
		ui_textf(stdscr, 0, 1, a->cols / 2, term_attr(UA_HEADER), 0, "Baton %s customer %s",
		         term_sym(SYM_DOT), c->idtxt);
		ui_text(stdscr, 2, 2, a->cols - 4, c->error[0] ? term_attr(UA_BAD) : term_attr(UA_DIM),
		        c->error[0] ? c->error : "loading…", 0);
		return;
	}
	draw_header(c, a);
	int top = 4, up_h, low_h, hand_h;
	layout(a->rows, &up_h, &low_h, &hand_h);
	int grid_h = up_h + low_h;
	int lw = (a->cols * 2) / 5, rw = a->cols - lw;
	if (lw < 30)
		lw = 30, rw = a->cols - 30;
	/* A key since the last draw: the person is looking at what it shows. */
	int looked = c->drawn_keyseq != a->keyseq;
	c->drawn_keyseq = a->keyseq;
	draw_panel(c, P_ONBOARDING, looked, top, 0, up_h, lw);
	draw_panel(c, P_TICKETS, looked, top, lw, up_h, rw);
	draw_panel(c, P_NOTES, looked, top + up_h, 0, low_h, lw);
	draw_panel(c, P_MARKETING, looked, top + up_h, lw, low_h, rw);
	draw_panel(c, P_HANDOFFS, looked, top + grid_h, 0, hand_h, a->cols);
	if (c->focus == P_FLAGS && c->nflags && c->list[P_FLAGS].sel >= 0)
		app_message(a, 0, "%s", V(CV_SIGNALS, c->flag_idx[c->list[P_FLAGS].sel], SG_EXPLANATION));
}
