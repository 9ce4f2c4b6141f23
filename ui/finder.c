/* The start screen: a Find field that searches as you type, the matches,
 * and the handoffs waiting for the signed-in person and their team. */
#include "baton/buf.h"
#include "baton/customer.h"
#include "baton/finder.h"
#include "baton/notify.h"
#include "baton/text.h"
#include "baton/waiting.h"
#include "ui/finder.h"
#include "ui/ui.h"

#include <stdlib.h>
#include <string.h>
#include <wctype.h>

/* This screen's request kinds (screen_request). */
enum { REQ_FIND = 1, REQ_WAITING };

static void finder_destroy(struct screen *s)
{
	struct finder *f = (struct finder *)s;
	finder_matches_free(&f->results);
	waiting_live_free(&f->live);
	buf_free(&f->text);
	free(f);
}

static void forget_results(struct finder *f)
{
	finder_matches_free(&f->results);
	f->has_results = 0;
	f->searching = 0;
}

static void open_selected(struct finder *f, struct app *a);

/* Enter in the Find field: the best match opens.  A close name offered
 * when nothing matched is no match: it is selected, for a second Enter. */
static void open_best(struct finder *f, struct app *a)
{
	if (!f->results.n) {
		app_message(a, 1, "no customer matches \"%s\"", buf_str(&f->text));
		return;
	}
	f->focus = FOCUS_RESULTS;
	if (f->results.v[0].similar)
		app_message(a, 0, "no customer matches \"%s\": Enter opens the close name selected",
		            buf_str(&f->text));
	else
		open_selected(f, a);
}

static void on_results(struct screen *s, struct app *a, PGresult **res, int nres, const char *err)
{
	struct finder *f = (struct finder *)s;
	forget_results(f);
	if (err || nres != 1 || finder_matches_read(res[0], &f->results) < 0) {
		f->open_when_found = 0;
		app_message(a, 1, "cannot search: %s", err ? err : "unexpected answer");
		return;
	}
	f->has_results = 1;
	f->rl.sel = f->results.n ? 0 : -1;
	f->rl.top = 0;
	/* Enter opened the best match of what was typed, not of the list
	 * that was on the screen while these were on their way; unless the
	 * person has gone on meanwhile (another screen, the lists). */
	int open = f->open_when_found && a->top == &f->base && f->focus == FOCUS_FIELD;
	f->open_when_found = 0;
	if (open)
		open_best(f, a);
}

static void search(struct finder *f, struct app *a)
{
	struct finder_query q;
	if (finder_query_init(&q, buf_str(&f->text)) < 0) {
		/* Empty field: forget the matches, show what is waiting. */
		screen_cancel(&f->base, a, REQ_FIND);
		forget_results(f);
		return;
	}
	struct db_stmt st;
	finder_statement(&q, &st);
	f->searching = 1;
	/* The queue copies the parameters: q may go at once. */
	screen_request(&f->base, a, REQ_FIND, &st, 1, 0, on_results);
	finder_query_free(&q);
}

static const char *waiting_key(const void *ctx, int row)
{
	return ((const struct waiting_list *)ctx)->v[row].id;
}

/* The handoff under the cursor (to strdup'd key, NULL for none), so that
 * it stays on it when the list changes (someone acknowledged one). */
static char *waiting_cursor(const struct finder *f)
{
	const struct waiting_list *l = &f->live.list;
	if (f->wl.sel < 0 || f->wl.sel >= l->n)
		return NULL;
	char *key = strdup(l->v[f->wl.sel].id);
	if (!key)
		abort();
	return key;
}

static void waiting_follow(struct finder *f, char *key)
{
	ui_list_follow(&f->wl, key, f->live.list.n, waiting_key, &f->live.list);
	free(key);
}

static void waiting_catch_up_now(struct finder *f, struct app *a);

static void on_waiting(struct screen *s, struct app *a, PGresult **res, int nres, const char *err)
{
	struct finder *f = (struct finder *)s;
	struct waiting_list fresh;
	if (err || nres != 1 || finder_waiting_read(res[0], &fresh) < 0) {
		waiting_failed(&f->live);
		f->wait_failed = 1;
		/* Stopped in the server: said as what happened, with what to do
		 * (as the list's own "not read: F5 reads it again"). */
		if (err == dbq_timed_out)
			app_message(a, 1, "the waiting list took too long: F5 reads it again");
		else if (err == dbq_stopped)
			app_message(a, 1, "the waiting list was stopped in the server: F5 reads it again");
		else
			app_message(a, 1, "cannot read the waiting handoffs: %s", err ? err : "unexpected answer");
		return;
	}
	f->wait_failed = 0;
	char *key = waiting_cursor(f);
	waiting_adopt(&f->live, &fresh);
	waiting_follow(f, key);
	/* What was noted meanwhile, at the next re-read. */
	s->reload_pending |= waiting_due(&f->live);
}

/* Only the handoffs that changed, read by key: patched in, or a whole read
 * at once when they cannot be. */
static void on_waiting_rows(struct screen *s, struct app *a, PGresult **res, int nres,
                            const char *err)
{
	struct finder *f = (struct finder *)s;
	char *key = waiting_cursor(f);
	if (err || nres != 1)
		waiting_failed(&f->live);
	else
		waiting_fetched(&f->live, res[0]);
	waiting_follow(f, key);
	if (f->live.reread)
		waiting_catch_up_now(f, a);
	else
		s->reload_pending |= waiting_due(&f->live);
}

static void waiting_read(struct finder *f, struct app *a)
{
	struct db_stmt st;
	f->wait_failed = 0;
	finder_waiting_statement(&st);
	/* Prepared: re-run after every reconnect and refresh, and its plan
	 * (four branches under the row-level policies) costs more than it. */
	screen_request(&f->base, a, REQ_WAITING, &st, 1, REQ_PREPARED, on_waiting);
}

static void waiting_catch_up_now(struct finder *f, struct app *a)
{
	struct db_stmt st;
	char *key = waiting_cursor(f);
	switch (waiting_catch_up(&f->live, &st)) {
	case WAITING_READ:
		waiting_read(f, a);
		break;
	case WAITING_FETCH:
		screen_request(&f->base, a, REQ_WAITING, &st, 1, REQ_PREPARED, on_waiting_rows);
		break;
	case WAITING_NOTHING:
		break;
	}
	waiting_follow(f, key);
}

/* Everything again: a refresh, a reconnect (notifications may have been
 * missed), the console's own write. */
static void finder_reload(struct screen *s, struct app *a)
{
	struct finder *f = (struct finder *)s;
	waiting_reading(&f->live);
	waiting_read(f, a);
	f->search_due = 0;
	if (f->text.len)
		search(f, a);
}

/* What the notifications since the last re-read concern. */
static void finder_update(struct screen *s, struct app *a)
{
	struct finder *f = (struct finder *)s;
	waiting_catch_up_now(f, a);
	if (f->search_due) {
		f->search_due = 0;
		if (f->text.len)
			search(f, a);
	}
}

/* The waiting list changes with some handoffs for me or my team
 * (waiting_note says which); a match's counts with its customer. */
static int finder_concerns(struct screen *s, struct app *a, const struct notify_change *c)
{
	struct finder *f = (struct finder *)s;
	int mine = waiting_note(&f->live, c, a->me.team, a->me.role);
	f->search_due |= c->kind == NOTIFY_OTHER;
	for (int i = 0; i < f->results.n && !f->search_due; i++)
		f->search_due = f->results.v[i].id == c->customer_id;
	return mine || f->search_due;
}

static void finder_draw(struct screen *s, struct app *a)
{
	finder_draw_screen((struct finder *)s, a);
}

static void open_selected(struct finder *f, struct app *a)
{
	if (f->focus == FOCUS_RESULTS && f->rl.sel >= 0 && f->rl.sel < f->results.n)
		app_push(a, customer_new(a, f->results.v[f->rl.sel].id));
	else if (f->focus == FOCUS_WAITING && f->wl.sel >= 0 && f->wl.sel < f->live.list.n)
		app_push(a, customer_new(a, f->live.list.v[f->wl.sel].customer_id));
	else
		return;
	/* Back from the customer, the next thing typed is most often the
	 * next name: it goes to the field, as the hint line says, never to
	 * the lists' letters (q quits, n and M act).  The text stays,
	 * selected: typing starts a new search, Down goes back to the row. */
	f->focus = FOCUS_FIELD;
	f->replace = f->text.len > 0;
}

static void delete_last_char(struct buf *b)
{
	if (!b->len)
		return;
	b->len = text_utf8_prev(b->data, b->len);
	b->data[b->len] = '\0';
}

static void delete_word(struct buf *b)
{
	while (b->len && b->data[b->len - 1] == ' ')
		b->len--;
	while (b->len && b->data[b->len - 1] != ' ')
		b->len--;
	if (b->data)
		b->data[b->len] = '\0';
}

static void append_wchar(struct buf *b, wint_t ch)
{
	char mb[4];
	int n = text_utf8_encode((uint32_t)ch, mb);
	if (n > 0 && b->len + (size_t)n < 200)
		buf_add(b, mb, (size_t)n);
}

/* replace: the text is selected, and a character typed replaces it. */
static int field_key(struct finder *f, struct app *a, int key, int is_func, int replace)
{
	int enter = (!is_func && (key == '\r' || key == '\n')) || (is_func && key == KEY_ENTER);
	if (enter && term_pasted())
		return 1; /* a name copied with its line's end opens nothing */
	/* Any other key after an Enter still waiting: the person went on. */
	if (!enter)
		f->open_when_found = 0;
	if (!is_func && key == '?')
		return 0; /* help, as the hint line promises; names have no '?' */
	if (!is_func && key == 27) { /* Esc */
		if (f->text.len) {
			buf_reset(&f->text);
			search(f, a);
		} else {
			f->focus = f->results.n ? FOCUS_RESULTS : FOCUS_WAITING;
		}
		return 1;
	}
	if ((is_func && key == KEY_BACKSPACE) || (!is_func && (key == 127 || key == 8))) {
		delete_last_char(&f->text);
		search(f, a);
		return 1;
	}
	if (!is_func && key == 21) { /* Ctrl-U */
		buf_reset(&f->text);
		search(f, a);
		return 1;
	}
	if (!is_func && key == 23) { /* Ctrl-W */
		delete_word(&f->text);
		search(f, a);
		return 1;
	}
	if ((is_func && key == KEY_DOWN) || (!is_func && key == '\t')) {
		f->focus = f->results.n ? FOCUS_RESULTS : FOCUS_WAITING;
		return 1;
	}
	if (enter) {
		if (f->searching)
			f->open_when_found = 1;
		else if (f->results.n)
			open_best(f, a);
		return 1;
	}
	if (!is_func && key >= 32 && key != 127 && iswprint((wint_t)key)) {
		if (replace)
			buf_reset(&f->text);
		append_wchar(&f->text, (wint_t)key);
		search(f, a);
		return 1;
	}
	return 0;
}

static int finder_key(struct screen *s, struct app *a, int key, int is_func)
{
	struct finder *f = (struct finder *)s;
	if (f->focus == FOCUS_FIELD) {
		/* The selected text goes with the first character typed; a key
		 * that edits it (Backspace) or moves (Tab) keeps it.  One that
		 * is not the field's (?, F2) leaves it selected. */
		int replace = f->replace;
		f->replace = 0;
		int used = field_key(f, a, key, is_func, replace);
		if (!used)
			f->replace = replace;
		return used;
	}
	/* In the lists, a letter that is not a command starts a new search;
	 * pasted, any letter does. */
	if (!is_func && key > 32 && key != 127 && iswprint((wint_t)key) &&
	    (term_pasted() || keys_lookup(SCOPE_FINDER, key) == ACT_NONE)) {
		f->focus = FOCUS_FIELD;
		buf_reset(&f->text);
		return field_key(f, a, key, is_func, 0);
	}
	if (f->focus == FOCUS_RESULTS && is_func && key == KEY_UP && f->rl.sel <= 0) {
		f->focus = FOCUS_FIELD;
		return 1;
	}
	return 0;
}

static void finder_action(struct screen *s, struct app *a, enum ui_action act)
{
	struct finder *f = (struct finder *)s;
	switch (act) {
	case ACT_FIND:
		f->focus = FOCUS_FIELD;
		return;
	case ACT_BACK:
		app_quit(a);
		return;
	case ACT_OPEN:
		open_selected(f, a);
		return;
	case ACT_REFRESH:
		finder_reload(s, a);
		return;
	case ACT_QUEUE:
		app_push(a, queue_new(a));
		return;
	case ACT_ACK:
	case ACT_RESOLVE: {
		if (f->focus != FOCUS_WAITING || f->wl.sel < 0 || f->wl.sel >= f->live.list.n) {
			app_message(a, 1, "select a waiting handoff first (Tab)");
			return;
		}
		const struct waiting_handoff *w = &f->live.list.v[f->wl.sel];
		struct handoff_ref h = {w->id, w->version, w->reason, w->from_team, w->customer};
		handoff_step_ask(a, &h, act == ACT_ACK ? "acknowledged" : "resolved");
		return;
	}
	case ACT_NEXT_PANEL:
		f->focus = f->focus == FOCUS_RESULTS ? FOCUS_WAITING : FOCUS_FIELD;
		if (f->focus == FOCUS_WAITING && !f->live.list.n)
			f->focus = FOCUS_FIELD;
		return;
	case ACT_PREV_PANEL:
		f->focus = f->focus == FOCUS_WAITING && f->results.n ? FOCUS_RESULTS : FOCUS_FIELD;
		return;
	default:
		break;
	}
	if (f->focus == FOCUS_RESULTS)
		ui_list_move(&f->rl, f->results.n, f->res_rows - 1, act);
	else if (f->focus == FOCUS_WAITING)
		ui_list_move(&f->wl, f->live.list.n, f->wait_rows - 1, act);
}

/* The Find field takes pasted text, also from the lists (a paste there
 * starts a new search, as typing does). */
static int finder_takes_paste(const struct screen *s)
{
	(void)s;
	return 1;
}

static const struct screen_ops finder_ops = {
	.name = "finder",
	.scope = SCOPE_FINDER,
	.draw = finder_draw,
	.key = finder_key,
	.takes_paste = finder_takes_paste,
	.action = finder_action,
	.reload = finder_reload,
	.update = finder_update,
	.concerns = finder_concerns,
	.destroy = finder_destroy,
	/* True in the field and in the lists: the letters act in the lists only. */
	.hints = "type to find  Enter open  Tab/Down lists (a ack  L queue  q quit)  ? help",
};

struct screen *finder_new(struct app *a)
{
	(void)a;
	struct finder *f = calloc(1, sizeof *f);
	if (!f)
		abort();
	f->base.ops = &finder_ops;
	f->rl.sel = f->wl.sel = -1;
	waiting_live_init(&f->live);
	return &f->base;
}
