/* The onboarding forms, opened on the customer screen: a milestone's
 * status, due date, owner and reason (m), or the customer's onboarding
 * health and its reason (o).  Ctrl-X saves through the server's functions
 * (src/onboarding.c) and the form stays until the database answers:
 * refused, it keeps everything typed and says why.  From Ctrl-X on the
 * change is kept on disk as a queued draft, as a handoff's step is
 * (ui/handoff_actions.c): offline, it goes when the connection returns;
 * leaving the form, quitting or losing the console does not lose it (the
 * drafts screen offers it at the next start), and its client-generated id
 * makes a resend after a lost answer harmless.  A reason is one line:
 * typed here, never more than the form holds. */
#include "baton/customer.h"
#include "baton/draft.h"
#include "baton/fmt.h"
#include "baton/handoff.h"
#include "baton/onboarding.h"
#include "baton/team.h"
#include "baton/text.h"
#include "ui/ui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { REQ_LISTS = 1 };
enum field { FD_STATE, FD_DUE, FD_OWNER, FD_REASON };

static const enum field milestone_fields[] = {FD_STATE, FD_DUE, FD_OWNER, FD_REASON};
static const enum field health_fields[] = {FD_STATE, FD_REASON};

struct mform {
	struct screen base;
	int health;                 /* the health form; else a milestone's */
	struct milestone_change m;
	struct health_change h;
	char customer[201];
	char now[600];              /* the health now (the health form) */
	char blocked[ONBOARDING_REASON_BYTES]; /* the blocked reason as read */
	const enum field *fields;   /* shown, in Tab order */
	int nfields, focus;
	char typed[64];             /* typed in a choice: its first match is chosen */
	struct team_list lists;     /* the active staff, for the owner */
	int lists_loaded;
	int changed;                /* edited since opened or saved */
	int sending;                /* saved, the answer not yet here */
	int unsaved;                /* ...and not on disk: the drafts directory refused it */
	char why[700];              /* why the last save was refused */
};

static void form_destroy(struct screen *s)
{
	struct mform *f = (struct mform *)s;
	team_list_free(&f->lists);
	free(f);
}

/* The text a field edits, and its size. */
static char *field_text(struct mform *f, enum field fd, size_t *size)
{
	switch (fd) {
	case FD_STATE:
		*size = sizeof f->m.status;
		return f->health ? f->h.health : f->m.status;
	case FD_DUE: *size = sizeof f->m.due; return f->m.due;
	case FD_OWNER: *size = sizeof f->m.owner; return f->m.owner;
	default:
		*size = sizeof f->m.reason;
		return f->health ? f->h.reason : f->m.reason;
	}
}

/* --- choices: the status (or health) and the owner ------------------------------- */

static int choice_count(const struct mform *f, enum field fd)
{
	if (fd == FD_OWNER)
		return f->lists.nstaff + 1; /* none, then everyone active */
	return f->health ? ONBOARDING_HEALTHS : ONBOARDING_STATUSES;
}

static const char *choice_value(const struct mform *f, enum field fd, int i)
{
	if (fd == FD_OWNER)
		return i ? f->lists.staff[i - 1].role : "";
	return f->health ? onboarding_healths[i] : onboarding_statuses[i];
}

static void choice_label(const struct mform *f, enum field fd, int i, char *out, size_t n)
{
	if (fd == FD_OWNER)
		snprintf(out, n, "%s", i ? f->lists.staff[i - 1].name : "none");
	else
		fmt_words(out, n, f->health ? choice_value(f, fd, i) : onboarding_status_label(choice_value(f, fd, i)));
}

static void choice_pick(struct mform *f, enum field fd, int i)
{
	size_t size;
	char *v = field_text(f, fd, &size);
	int was_blocked = !f->health && !strcmp(f->m.status, "blocked");
	snprintf(v, size, "%s", choice_value(f, fd, i));
	f->changed = 1;
	if (f->health || fd != FD_STATE)
		return;
	/* The blocked reason read belongs to "blocked": it goes when the
	 * status leaves it, and comes back with it. */
	int blocked = !strcmp(f->m.status, "blocked");
	if (was_blocked && !blocked && !strcmp(f->m.reason, f->blocked))
		f->m.reason[0] = '\0';
	else if (!was_blocked && blocked && !f->m.reason[0])
		snprintf(f->m.reason, sizeof f->m.reason, "%s", f->blocked);
}

static void cycle(struct mform *f, enum field fd, int dir)
{
	size_t size;
	const char *v = field_text(f, fd, &size);
	int n = choice_count(f, fd), cur = -1;
	for (int i = 0; i < n && cur < 0; i++)
		if (!strcmp(choice_value(f, fd, i), v))
			cur = i;
	f->typed[0] = '\0';
	choice_pick(f, fd, cur < 0 ? (dir > 0 ? 0 : n - 1) : (cur + dir + n) % n);
}

/* The first choice whose label (or role) starts with what was typed. */
static void typed_pick(struct mform *f, enum field fd, struct app *a)
{
	char label[600];
	for (int i = 0; f->typed[0] && i < choice_count(f, fd); i++) {
		choice_label(f, fd, i, label, sizeof label);
		if (handoff_choice_matches(label, f->typed) ||
		    (fd == FD_OWNER && handoff_choice_matches(choice_value(f, fd, i), f->typed))) {
			choice_pick(f, fd, i);
			return;
		}
	}
	if (f->typed[0])
		app_message(a, 1, "no %s starts with \"%s\"", fd == FD_OWNER ? "person" : f->health ? "health" : "status",
		            f->typed);
}

static void on_lists(struct screen *s, struct app *a, PGresult **res, int nres, const char *err)
{
	struct mform *f = (struct mform *)s;
	char e[128];
	(void)a;
	f->lists_loaded = !err && team_list_read(&f->lists, res, nres, e, sizeof e) == 0;
}

/* The people an owner may be.  Offline, the request waits for the
 * connection; what was typed is the form's, never touched. */
static void form_reload(struct screen *s, struct app *a)
{
	struct mform *f = (struct mform *)s;
	struct db_stmt st[TEAM_STMTS];
	if (f->health)
		return;
	team_statements(st);
	screen_request(s, a, REQ_LISTS, st, TEAM_STMTS, 0, on_lists);
}

/* --- drawing ------------------------------------------------------------------ */

/* The end of s that fits in w columns: a long reason shows where it is
 * typed, after a mark saying that it starts further left. */
static const char *tail(const char *s, int w)
{
	size_t n = strlen(s), i = 0;
	while (i < n && text_width(s + i) > w)
		i = text_utf8_next(s, n, i);
	return s + i;
}

static void draw_field(struct mform *f, struct app *a, int y, int k)
{
	static const char *const labels[] = {"Status:", "Due:", "Owner:", "Reason:"};
	enum field fd = f->fields[k];
	int focused = f->focus == k, w = fd == FD_REASON ? a->cols - 16 : 24;
	char buf[600];
	size_t size;
	const char *v = field_text(f, fd, &size), *value = buf;
	if (fd == FD_STATE)
		fmt_words(buf, sizeof buf, f->health ? v : onboarding_status_label(v));
	else if (fd == FD_OWNER)
		snprintf(buf, sizeof buf, "%s", *v ? team_staff_name(&f->lists, v) : "none");
	else if (focused && text_width(v) > w - 1) /* the cursor after it */
		snprintf(buf, sizeof buf, "%s%s", term_sym(SYM_ELLIPSIS), tail(v, w - 2));
	else /* its start, cut with its mark by ui_text */
		value = v;
	ui_text(stdscr, y, 1, 11, (int)A_BOLD, fd == FD_STATE && f->health ? "Health:" : labels[fd], 1);
	ui_text(stdscr, y, 12, 1, (int)A_NORMAL, "[", 0);
	int x = 13 + ui_text(stdscr, y, 13, w, focused ? term_attr(UA_SEL) : (int)A_NORMAL, value,
	                     fd == FD_STATE || fd == FD_OWNER);
	if (focused && (fd == FD_DUE || fd == FD_REASON))
		ui_text(stdscr, y, x++, 1, (int)A_REVERSE, " ", 0);
	ui_text(stdscr, y, fd == FD_DUE || fd == FD_REASON ? x : 13 + w, 1, (int)A_NORMAL, "]", 0);
	if (fd == FD_DUE)
		ui_text(stdscr, y, x + 3, a->cols - x - 4, term_attr(UA_DIM), "YYYY-MM-DD, empty: none", 0);
}

static void form_draw(struct screen *s, struct app *a)
{
	struct mform *f = (struct mform *)s;
	ui_textf(stdscr, 0, 1, app_title_cols(a, 1), term_attr(UA_HEADER), 0, "%s %s %s%s%s",
	         f->health ? "Onboarding health" : "Milestone", term_sym(SYM_DOT), f->customer,
	         f->health ? "" : " · ", f->health ? "" : f->m.title);
	for (int k = 0; k < f->nfields; k++)
		draw_field(f, a, 2 + k, k);
	int y = 3 + f->nfields;
	if (f->health)
		ui_textf(stdscr, y++, 1, a->cols - 2, term_attr(UA_DIM), 0, "Now: %s", f->now);
	if (f->sending) {
		ui_text(stdscr, y, 1, a->cols - 2, term_attr(UA_WARN), a->db_state == DBQ_READY
		        ? "saving…" : "OFFLINE: the change waits and is sent when the database is back", 0);
		ui_text(stdscr, y + 1, 1, a->cols - 2, f->unsaved ? term_attr(UA_BAD) : term_attr(UA_DIM),
		        f->unsaved ? "NOT SAVED on disk (the drafts directory refused it): quitting loses it"
		                   : "It is kept on disk: Esc leaves the form and the change still goes.", 0);
	} else if (f->why[0]) {
		ui_text(stdscr, y, 1, 11, term_attr(UA_BAD), "NOT SAVED:", 0);
		ui_text_wrapped(stdscr, y, 12, a->cols - 13, a->rows - 3 - y, term_attr(UA_BAD), f->why);
	}
	enum field fd = f->fields[f->focus];
	ui_text(stdscr, a->rows - 2, 1, a->cols - 2, term_attr(UA_DIM),
	        fd == FD_REASON ? "typing goes to the reason (one line)"
	        : fd == FD_DUE ? "type the date, Backspace to erase"
	        : "Left/Right/Space change the choice, or type its name", 0);
}

/* --- keys and actions ------------------------------------------------------------ */

/* Pasted text goes to the date and the reason, never to a choice. */
static int form_takes_paste(const struct screen *s)
{
	const struct mform *f = (const struct mform *)s;
	enum field fd = f->fields[f->focus];
	return fd == FD_DUE || fd == FD_REASON;
}

static int form_key(struct screen *s, struct app *a, int key, int is_func)
{
	struct mform *f = (struct mform *)s;
	enum field fd = f->fields[f->focus];
	/* A line's end pasted: a space in the one-line reason, nothing else. */
	if (term_pasted() && (key == '\r' || key == '\n')) {
		if (fd != FD_REASON)
			return 1;
		key = ' ';
	}
	if ((is_func && (key == KEY_DOWN || key == KEY_ENTER)) || (!is_func && (key == '\r' || key == '\n')) ||
	    (is_func && key == KEY_UP)) {
		f->focus += key == KEY_UP ? (f->focus > 0 ? -1 : 0) : (f->focus + 1 < f->nfields);
		f->typed[0] = '\0';
		return 1;
	}
	size_t size;
	char *v = field_text(f, fd, &size);
	if (f->sending && (is_func || key >= 32)) {
		/* What is on its way is what the answer will be about. */
		app_message(a, 0, "saving: wait for the database's answer");
		return 1;
	}
	if (fd == FD_DUE || fd == FD_REASON) {
		if (!ui_line_key(v, size, key, is_func))
			return 0;
		f->changed = 1;
		return 1;
	}
	if ((is_func && key == KEY_RIGHT) || (!is_func && key == ' ' && !f->typed[0])) {
		cycle(f, fd, 1);
		return 1;
	}
	if (is_func && key == KEY_LEFT) {
		cycle(f, fd, -1);
		return 1;
	}
	if (!ui_line_key(f->typed, sizeof f->typed, key, is_func))
		return 0;
	typed_pick(f, fd, a);
	return 1;
}

/* The answer to the change this form sent, while it is open: recorded,
 * it closes (on top) and the message line says so; refused, it stays with
 * everything typed and says why.  Left, the message line says it. */
static int on_answer(struct app *a, void *ctx, const struct onboarding_new *ob,
                     const struct handoff_step_result *r, const char *err)
{
	struct mform *f = ctx;
	char msg[1200];
	if (!screen_release(&f->base))
		return 0;
	if (!r && !err)
		return 1; /* the console is quitting: the draft stays queued */
	int done = onboarding_outcome(ob, r, err, msg, sizeof msg);
	f->sending = 0;
	f->unsaved = 0;
	f->changed = !done;
	if (!done)
		snprintf(f->why, sizeof f->why, "%s", r ? r->message : err);
	/* Changed meanwhile: the next save acts on what is there now. */
	if (r && !done && !f->health)
		f->m.version = r->version;
	/* A change comes back as a notification; a refusal and a resend do
	 * not, and the point of either is the state now. */
	if (!done || r->already)
		app_reload_all(a);
	if (done && a->top == &f->base)
		app_pop(a);
	app_message(a, !done, "%s", msg);
	return 1;
}

static void save(struct mform *f, struct app *a)
{
	char err[256];
	struct onboarding_new ob;
	if (f->sending) {
		app_message(a, 0, "saving: wait for the database's answer");
		return;
	}
	if (f->health ? onboarding_health_validate(&f->h, err, sizeof err) < 0
	              : onboarding_milestone_validate(&f->m, err, sizeof err) < 0) {
		snprintf(f->why, sizeof f->why, "%s", err);
		app_message(a, 1, "%s", err);
		return;
	}
	memset(&ob, 0, sizeof ob);
	ob.health = f->health;
	if (f->health)
		ob.h = f->h;
	else
		ob.m = f->m;
	text_copy(ob.customer_name, sizeof ob.customer_name, f->customer);
	f->sending = 1;
	f->why[0] = '\0';
	screen_hold(&f->base);
	/* On disk first, then sent, again after a reconnect: the change's id
	 * makes a second arrival a no-op. */
	f->unsaved = onboarding_send(a, &ob, on_answer, f);
}

static void on_leave(struct app *a, void *ctx, const char *answer)
{
	struct mform *f = ctx;
	if (screen_release(&f->base) && answer && answer[0] == 'y' && a->top == &f->base)
		app_pop(a);
}

static void form_action(struct screen *s, struct app *a, enum ui_action act)
{
	struct mform *f = (struct mform *)s;
	f->typed[0] = '\0';
	switch (act) {
	case ACT_NEXT_FIELD:
		f->focus = (f->focus + 1) % f->nfields;
		return;
	case ACT_PREV_FIELD:
		f->focus = (f->focus + f->nfields - 1) % f->nfields;
		return;
	case ACT_BACK:
		if (f->sending) {
			/* The change goes without the form (its answer then on
			 * the message line), and is kept until it has. */
			int offline = a->db_state != DBQ_READY, unsaved = f->unsaved;
			app_pop(a);
			if (unsaved)
				app_message(a, 1, "the change waits in memory only (quitting loses it): its answer shows here");
			else
				app_message(a, 0, offline ? "the change is kept and sent when the database is back (D lists it)"
				                          : "the change is on its way: its answer shows here");
			return;
		}
		if (!f->changed) {
			app_pop(a);
			return;
		}
		screen_hold(s);
		app_prompt(a, "Discard this change?", 1, on_leave, f);
		return;
	case ACT_SAVE:
		save(f, a);
		return;
	default:
		return;
	}
}

/* What only the form holds: a change typed and not saved.  One saved is
 * the sender's, on disk (ui/handoff_actions.c keeps it). */
static int form_keep(struct screen *s, struct app *a)
{
	struct mform *f = (struct mform *)s;
	(void)a;
	return f->changed && !f->sending;
}

static const struct screen_ops form_ops = {
	.name = "onboarding form",
	.scope = SCOPE_ONBOARDING,
	.draw = form_draw,
	.key = form_key,
	.takes_paste = form_takes_paste,
	.action = form_action,
	.reload = form_reload,
	.destroy = form_destroy,
	.keep = form_keep,
	.hints = "Ctrl-X save  Tab next field  Esc cancel  F1 help",
};

static struct mform *form_alloc(const struct customer_view *cv)
{
	struct mform *f = calloc(1, sizeof *f);
	if (!f)
		abort();
	f->base.ops = &form_ops;
	text_copy(f->customer, sizeof f->customer, cv_get(cv, CV_HEADER, 0, H_NAME));
	return f;
}

void milestone_form_open(struct app *a, const struct customer_view *cv, int row)
{
	static const int cols[OM_COLS] = {M_ID, -1, M_TITLE, M_STATUS, M_DUE, M_OWNER, M_BLOCKED_REASON,
	                                  M_VERSION};
	const char *v[OM_COLS];
	struct mform *f = form_alloc(cv);
	for (int i = 0; i < OM_COLS; i++)
		v[i] = cols[i] < 0 ? cv_get(cv, CV_HEADER, 0, H_ID) : cv_get(cv, CV_MILESTONES, row, cols[i]);
	if (onboarding_milestone_init(&f->m) < 0) {
		free(f);
		app_message(a, 1, "no randomness for the change's id");
		return;
	}
	onboarding_milestone_from(&f->m, v);
	snprintf(f->blocked, sizeof f->blocked, "%s", f->m.reason);
	struct onboarding_new kept;
	if (onboarding_refused_take(0, f->m.milestone_id, &kept, f->why, sizeof f->why)) {
		/* Refused after its form was left: what was typed, again, on
		 * the milestone as it is now. */
		snprintf(f->m.status, sizeof f->m.status, "%s", kept.m.status);
		snprintf(f->m.due, sizeof f->m.due, "%s", kept.m.due);
		snprintf(f->m.owner, sizeof f->m.owner, "%s", kept.m.owner);
		snprintf(f->m.reason, sizeof f->m.reason, "%s", kept.m.reason);
		f->changed = 1;
	}
	f->fields = milestone_fields;
	f->nfields = (int)(sizeof milestone_fields / sizeof *milestone_fields);
	app_push(a, &f->base);
	form_reload(&f->base, a);
}

void health_form_open(struct app *a, const struct customer_view *cv)
{
	struct mform *f = form_alloc(cv);
	struct buf b = BUF_INIT;
	if (onboarding_health_init(&f->h) < 0) {
		free(f);
		app_message(a, 1, "no randomness for the change's id");
		return;
	}
	f->health = 1;
	f->h.customer_id = cv_num(cv, CV_HEADER, 0, H_ID);
	snprintf(f->h.health, sizeof f->h.health, "%s", cv_get(cv, CV_HEADER, 0, H_ONB_HEALTH));
	struct onboarding_new kept;
	if (onboarding_refused_take(1, f->h.customer_id, &kept, f->why, sizeof f->why)) {
		snprintf(f->h.health, sizeof f->h.health, "%s", kept.h.health);
		snprintf(f->h.reason, sizeof f->h.reason, "%s", kept.h.reason);
		f->changed = 1;
	}
	onboarding_health_describe(&b, cv, 0);
	snprintf(f->now, sizeof f->now, "%s", buf_str(&b));
	buf_free(&b);
	f->fields = health_fields;
	f->nfields = (int)(sizeof health_fields / sizeof *health_fields);
	/* The reason is what is asked for: the health is usually right. */
	f->focus = 1;
	app_push(a, &f->base);
}
