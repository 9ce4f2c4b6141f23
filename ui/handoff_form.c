/* The handoff form: receiving team and person, reason, priority, linked
 * ticket and the note (ui/note_edit.c).  Choices cycle with Left/Right or
 * follow what is typed.  The draft is saved to disk on every change
 * (ui/draft_form.c, as the note form's); Ctrl-X hands it to the sender
 * (ui/handoff_actions.c), which survives the form, database outages and
 * reconnects. */
#include "baton/config.h"
#include "baton/customer.h"
#include "baton/draft.h"
#include "baton/handoff.h"
#include "baton/notify.h"
#include "baton/team.h"
#include "baton/text.h"
#include "ui/draft_form.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>

/* Request kinds (screen_request). */
enum { REQ_LISTS = 1, REQ_TICKETS };
/* Typing after this pause starts a new name. */
#define TYPEAHEAD_PAUSE_MS 1000

enum field { FD_TEAM, FD_PERSON, FD_REASON, FD_PRIORITY, FD_TICKET, FD_NOTE, FD_COUNT };

static const char *const field_names[FD_COUNT] = {"team", "person", "reason", "priority", "ticket", "note"};

struct form {
	struct draft_form df;            /* first: the draft (df.d.h), its note, the focus */
	struct team_list lists;          /* teams, handoff rules, active staff */
	int lists_loaded;
	int lists_earlier;               /* as read earlier this session (offline) */
	char lists_error[128];
	struct handoff_tickets tickets;  /* the customer's open tickets */
	int tickets_known;               /* tickets holds them: given, or read (a draft's form) */
	char typed[64];                  /* type-ahead in a choice */
	long long typed_at;
};

static void form_destroy(struct screen *s)
{
	struct form *f = (struct form *)s;
	draft_form_free(&f->df);
	team_list_free(&f->lists);
	handoff_tickets_free(&f->tickets);
	free(f);
}

/* --- choices: each field's list, in the order Left/Right go -------------------- */

/* The staff index of the person-th member of the chosen team. */
static int member(const struct form *f, int person)
{
	for (int i = 0; i < f->lists.nstaff; i++)
		if (!strcmp(f->lists.staff[i].team, f->df.d.h.to_team) && person-- == 0)
			return i;
	return -1;
}

static int choice_count(const struct form *f)
{
	int n = 0;
	switch (f->df.focus) {
	case FD_TEAM: return f->lists.nteams;
	case FD_PERSON:
		while (member(f, n) >= 0)
			n++;
		return n + 1; /* anyone, then the team's people */
	case FD_REASON: return f->lists.nreasons;
	case FD_PRIORITY: return PRIO_COUNT;
	case FD_TICKET: return f->tickets.n + 1; /* none, then the open tickets */
	default: return 0;
	}
}

/* Priorities go low, normal, high, urgent: the order of their weight. */
static const char *priority_at(int i)
{
	return priority_name((enum priority)(PRIO_LOW - i));
}

static void choice_label(const struct form *f, int i, char *out, size_t n)
{
	switch (f->df.focus) {
	case FD_TEAM: snprintf(out, n, "%s", f->lists.teams[i].name); break;
	case FD_PERSON: snprintf(out, n, "%s", i ? f->lists.staff[member(f, i - 1)].name : "anyone"); break;
	case FD_REASON: snprintf(out, n, "%s", f->lists.reasons[i]); break;
	case FD_PRIORITY: snprintf(out, n, "%s", priority_at(i)); break;
	case FD_TICKET:
		if (i)
			snprintf(out, n, "#%s %s", f->tickets.v[i - 1].number, f->tickets.v[i - 1].subject);
		else
			snprintf(out, n, "none");
		break;
	default: out[0] = '\0';
	}
}

/* The index of what is chosen now, -1 if nothing is. */
static int choice_current(const struct form *f)
{
	int n = choice_count(f);
	for (int i = 0; i < n; i++) {
		switch (f->df.focus) {
		case FD_TEAM: if (!strcmp(f->lists.teams[i].id, f->df.d.h.to_team)) return i; break;
		case FD_PERSON:
			if (!strcmp(i ? f->lists.staff[member(f, i - 1)].role : "", f->df.d.h.to_staff))
				return i;
			break;
		case FD_REASON: if (!strcmp(f->lists.reasons[i], f->df.d.h.reason)) return i; break;
		case FD_PRIORITY: if (!strcmp(priority_at(i), f->df.d.h.priority)) return i; break;
		case FD_TICKET: if ((i ? f->tickets.v[i - 1].id : 0) == f->df.d.h.ticket_id) return i; break;
		default: return -1;
		}
	}
	return -1;
}

static void choice_pick(struct form *f, int i)
{
	struct handoff_new *h = &f->df.d.h;
	switch (f->df.focus) {
	case FD_TEAM:
		snprintf(h->to_team, sizeof h->to_team, "%s", f->lists.teams[i].id);
		h->to_staff[0] = '\0';
		break;
	case FD_PERSON:
		snprintf(h->to_staff, sizeof h->to_staff, "%s", i ? f->lists.staff[member(f, i - 1)].role : "");
		break;
	case FD_REASON: snprintf(h->reason, sizeof h->reason, "%s", f->lists.reasons[i]); break;
	case FD_PRIORITY: snprintf(h->priority, sizeof h->priority, "%s", priority_at(i)); break;
	case FD_TICKET: h->ticket_id = i ? f->tickets.v[i - 1].id : 0; break;
	default: return;
	}
	draft_form_save(&f->df, f->df.base.app);
}

static void cycle(struct draft_form *df, struct app *a, int dir)
{
	struct form *f = (struct form *)df;
	(void)a;
	int n = choice_count(f), cur = choice_current(f);
	if (n == 0)
		return;
	choice_pick(f, cur < 0 ? (dir > 0 ? 0 : n - 1) : (cur + dir + n) % n);
}

/* Type-ahead: the first choice whose label starts with what was typed;
 * a ticket also by its number without '#' or by its subject. */
static int choice_matches(const struct form *f, int i)
{
	char label[600];
	choice_label(f, i, label, sizeof label);
	if (handoff_choice_matches(label, f->typed))
		return 1;
	return f->df.focus == FD_TICKET && i > 0 &&
	       (handoff_choice_matches(label + 1, f->typed) ||
	        handoff_choice_matches(f->tickets.v[i - 1].subject, f->typed));
}

/* What was typed matches nothing: the choice stays, except a ticket's.
 * A handoff linked to the ticket chosen before (the one selected on the
 * customer screen, or picked earlier) would point its receiver at a
 * ticket the writer did not mean; none is linked instead, and said. */
static void typeahead_apply(struct form *f, struct app *a)
{
	int n = choice_count(f);
	if (!f->typed[0])
		return;
	for (int i = 0; i < n; i++)
		if (choice_matches(f, i)) {
			choice_pick(f, i);
			return;
		}
	if (f->df.focus == FD_TICKET) {
		choice_pick(f, 0);
		if (f->tickets_known)
			app_message(a, 1, "no open ticket starts with \"%s\": no ticket linked", f->typed);
		else
			app_message(a, 1, "the open tickets are not read yet: no ticket linked");
	} else if (f->df.focus == FD_TEAM && !f->lists_loaded)
		app_message(a, 1, "no teams to choose from yet");
	else
		app_message(a, 1, "no %s starts with \"%s\"", field_names[f->df.focus], f->typed);
}

/* A key in a choice field as typing: 1 if it was. */
static int typeahead_key(struct form *f, struct app *a, int key, int is_func)
{
	long long now = app_now_ms();
	if (now - f->typed_at > TYPEAHEAD_PAUSE_MS)
		f->typed[0] = '\0';
	size_t len = strlen(f->typed);
	if ((is_func && key == KEY_BACKSPACE) || (!is_func && (key == 127 || key == 8))) {
		if (len)
			f->typed[text_utf8_prev(f->typed, len)] = '\0';
	} else if (!is_func && iswprint((wint_t)key) && (key != ' ' || len > 0)) {
		char mb[4];
		int n = text_utf8_encode((uint32_t)key, mb);
		if (n <= 0 || len + (size_t)n >= sizeof f->typed)
			return 1;
		memcpy(f->typed + len, mb, (size_t)n);
		f->typed[len + (size_t)n] = '\0';
	} else {
		f->typed[0] = '\0';
		return 0;
	}
	f->typed_at = now;
	typeahead_apply(f, a);
	return 1;
}

/* The lists are in f->lists: what follows from them. */
static void lists_adopted(struct form *f)
{
	f->lists_loaded = 1;
	/* Typing stops at the database's largest note from now on. */
	if (f->lists.max_note_bytes > 0)
		f->df.text.max_bytes = f->lists.max_note_bytes;
	/* A reason the database no longer lists (an old draft) is kept: the
	 * writer sees it refused on sending, and chooses another. */
	if (!f->df.d.h.reason[0] && f->lists.nreasons)
		snprintf(f->df.d.h.reason, sizeof f->df.d.h.reason, "%s", f->lists.reasons[0]);
}

static void on_lists(struct screen *s, struct app *a, PGresult **res, int nres, const char *err)
{
	struct form *f = (struct form *)s;
	char e[128];
	if (err || team_list_read(&f->lists, res, nres, e, sizeof e) < 0) {
		snprintf(f->lists_error, sizeof f->lists_error, "%s", err ? err : e);
		return;
	}
	f->lists_earlier = 0;
	f->lists_error[0] = '\0';
	lists_adopted(f);
	team_list_copy(&a->teams_seen, &f->lists);
}

/* A draft's form (taken up again from the drafts, or sent back by the
 * server) is given no tickets: it reads its customer as the customer
 * screen does, once, and offers the open tickets from it. */
static void on_tickets(struct screen *s, struct app *a, PGresult **res, int nres, const char *err)
{
	struct form *f = (struct form *)s;
	struct customer_view cv;
	char e[256];
	(void)a;
	if (err || cv_adopt(&cv, res, nres, e, sizeof e) < 0)
		return; /* the ticket stays as the draft has it, shown by its id */
	handoff_tickets_free(&f->tickets);
	customer_open_tickets(&cv, &f->tickets);
	f->tickets_known = 1;
	cv_free(&cv);
}

/* Offline, the request waits for the connection; the reload after a
 * reconnect replaces it.  What was typed is the form's, never touched. */
static void form_reload(struct screen *s, struct app *a)
{
	struct form *f = (struct form *)s;
	struct db_stmt st[TEAM_STMTS];
	team_statements(st);
	screen_request(s, a, REQ_LISTS, st, TEAM_STMTS, 0, on_lists);
	if (!f->tickets_known) {
		struct cv_args args;
		struct db_stmt cv[CV_PARTS];
		cv_statements(cv, &args, f->df.d.h.customer_id, NULL);
		screen_request(s, a, REQ_TICKETS, cv, CV_PARTS, REQ_PREPARED, on_tickets);
	}
}

/* Its teams and people change with staff entries, not with writes. */
static int form_concerns(struct screen *s, struct app *a, const struct notify_change *c)
{
	(void)s;
	(void)a;
	return c->kind == NOTIFY_STAFF || c->kind == NOTIFY_OTHER;
}

/* --- drawing -------------------------------------------------------------------- */

static int draw_choice(struct form *f, int y, int x, enum field fd, const char *label, const char *value, int w)
{
	x += ui_text(stdscr, y, x, 11, (int)A_BOLD, label, 1);
	int at = f->df.focus == (int)fd ? term_attr(UA_SEL) : (int)A_NORMAL;
	ui_text(stdscr, y, x, 1, (int)A_NORMAL, "[", 0);
	ui_text(stdscr, y, x + 1, w, at, value, 1);
	ui_text(stdscr, y, x + 1 + w, 2, (int)A_NORMAL, "]", 0);
	return x + w + 4;
}

/* Why the team list is empty, on the line above the choices. */
static void draw_lists_state(struct form *f, struct app *a)
{
	if (f->lists_loaded && f->lists_earlier && a->db_state != DBQ_READY)
		ui_text(stdscr, 1, 1, a->cols - 2, term_attr(UA_WARN),
		        "offline: teams as read earlier; a handoff is kept and sent when back", 0);
	if (f->lists_loaded)
		return;
	if (a->db_state != DBQ_READY)
		ui_text(stdscr, 1, 1, a->cols - 2, term_attr(UA_WARN),
		        "teams not loaded: offline — they load when the connection returns", 0);
	else
		ui_textf(stdscr, 1, 1, a->cols - 2, term_attr(f->lists_error[0] ? UA_BAD : UA_DIM), 0,
		         "%s%s", f->lists_error[0] ? "teams not loaded: " : "loading teams…", f->lists_error);
}

/* The linked ticket's place in the form's list, -1 if none or not there. */
static int ticket_index(const struct form *f)
{
	for (int i = 0; f->df.d.h.ticket_id && i < f->tickets.n; i++)
		if (f->tickets.v[i].id == f->df.d.h.ticket_id)
			return i;
	return -1;
}

static void draw_choices(struct form *f, struct app *a)
{
	int ti = team_find(&f->lists, f->df.d.h.to_team);
	const char *team = ti >= 0 ? f->lists.teams[ti].name : f->df.d.h.to_team[0] ? f->df.d.h.to_team : "(choose)";
	const char *person = f->df.d.h.to_staff[0] ? team_staff_name(&f->lists, f->df.d.h.to_staff) : "anyone";
	/* A ticket by its number; one the form was not given (a draft's,
	 * written offline) by its Baton id, as --ticket takes it. */
	char tk[216];
	int t = ticket_index(f);
	if (t >= 0)
		snprintf(tk, sizeof tk, "#%s", f->tickets.v[t].number);
	else if (f->df.d.h.ticket_id)
		snprintf(tk, sizeof tk, "id:%lld", f->df.d.h.ticket_id);
	else
		snprintf(tk, sizeof tk, "none");
	int x = draw_choice(f, 2, 1, FD_TEAM, "To team:", team, 14);
	draw_choice(f, 2, x, FD_PERSON, "Person:", person, 18);
	x = draw_choice(f, 3, 1, FD_REASON, "Reason:", f->df.d.h.reason, 14);
	draw_choice(f, 3, x, FD_PRIORITY, "Priority:", f->df.d.h.priority, 7);
	draw_choice(f, 4, 1, FD_TICKET, "Ticket:", tk, 8);
	if (t >= 0)
		ui_text(stdscr, 4, 26, a->cols - 28, term_attr(UA_DIM), f->tickets.v[t].subject, 0);
}

static void form_draw(struct screen *s, struct app *a)
{
	struct form *f = (struct form *)s;
	ui_textf(stdscr, 0, 1, app_title_cols(a, 1), term_attr(UA_HEADER), 0, "New handoff %s %s",
	         term_sym(SYM_DOT), f->df.d.h.customer_name);
	draw_lists_state(f, a);
	draw_choices(f, a);
	const char *typing = app_now_ms() - f->typed_at <= TYPEAHEAD_PAUSE_MS ? f->typed : "";
	char hint[160];
	snprintf(hint, sizeof hint, "Left/Right/Space change the choice, or type its name%s%s%s",
	         typing[0] ? " \"" : "", typing, typing[0] ? "\"" : "");
	draft_form_draw(&f->df, a, hint);
}

/* --- keys and actions ---------------------------------------------------------- */

static int form_key(struct screen *s, struct app *a, int key, int is_func)
{
	struct form *f = (struct form *)s;
	if (f->df.focus != FD_NOTE && typeahead_key(f, a, key, is_func))
		return 1;
	return draft_form_key(&f->df, a, key, is_func);
}

static void send(struct form *f, struct app *a)
{
	char err[256];
	draft_form_save(&f->df, a);
	if (handoff_validate(&f->df.d.h, &f->lists, err, sizeof err) < 0) {
		app_message(a, 1, "%s", err);
		return;
	}
	if (!draft_form_may_send(&f->df, a))
		return;
	draft_form_send(&f->df, a);
}

static void form_action(struct screen *s, struct app *a, enum ui_action act)
{
	struct form *f = (struct form *)s;
	f->typed[0] = '\0';
	if (act == ACT_SEND)
		send(f, a);
	else
		draft_form_action(&f->df, a, act);
}

static const struct screen_ops form_ops = {
	.name = "handoff form",
	.scope = SCOPE_FORM,
	.draw = form_draw,
	.key = form_key,
	.takes_paste = draft_form_takes_paste,
	.action = form_action,
	.reload = form_reload,
	.concerns = form_concerns,
	.destroy = form_destroy,
	.keep = draft_form_keep,
	.settle = draft_form_settle,
	.hints = "Ctrl-X send  Ctrl-E $EDITOR  Tab next field  Esc cancel (asks)  F1 help",
};

struct screen *handoff_form_new(struct app *a, struct handoff_new *h, struct handoff_tickets *tickets)
{
	struct form *f = calloc(1, sizeof *f);
	if (!f)
		abort();
	f->df.d.kind = DRAFT_HANDOFF;
	f->df.d.h = *h;
	memset(h, 0, sizeof *h);
	if (tickets) {
		f->tickets = *tickets;
		f->tickets_known = 1;
		memset(tickets, 0, sizeof *tickets);
	}
	draft_form_init(&f->df, &form_ops, FD_COUNT, cycle);
	f->df.focus = f->df.d.h.to_team[0] ? FD_NOTE : FD_TEAM;
	/* Offline, the lists read earlier this session, until the server's
	 * come (the server checks the handoff when it is sent, whatever the
	 * form offered). */
	if (a->teams_seen.nteams > 0 && a->db_state != DBQ_READY) {
		team_list_copy(&f->lists, &a->teams_seen);
		f->lists_earlier = 1;
		lists_adopted(f);
	}
	form_reload(&f->df.base, a);
	return &f->df.base;
}
