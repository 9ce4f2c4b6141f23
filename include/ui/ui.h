/* The console's internals: screens, actions, the application state and the
 * drawing helpers shared by every screen.  Only ui/ includes this. */
#ifndef BATON_UI_UI_H
#define BATON_UI_UI_H

#define NCURSES_WIDECHAR 1
#include <curses.h>
#include <stddef.h>

#include "baton/db.h"
#include "baton/draft.h"
#include "baton/session.h"
#include "baton/team.h"

struct config;
struct notify_change;
struct app;

/* Every action the console knows: name, help text.  Keys are bound to
 * actions per screen in ui/keys.c; the help screen is generated from there. */
#define UI_ACTIONS(X)                                                  \
	X(NONE, "", "")                                                    \
	X(DOWN, "down", "move down")                                       \
	X(UP, "up", "move up")                                             \
	X(TOP, "top", "go to the first row")                               \
	X(BOTTOM, "bottom", "go to the last row")                          \
	X(PAGE_DOWN, "page-down", "one page down")                         \
	X(PAGE_UP, "page-up", "one page up")                               \
	X(NEXT_PANEL, "next-panel", "next panel")                          \
	X(PREV_PANEL, "prev-panel", "previous panel")                      \
	X(NEXT_FIELD, "next-field", "next field")                          \
	X(PREV_FIELD, "prev-field", "previous field")                      \
	X(OPEN, "open", "open the selected item")                          \
	X(BACK, "back", "go back; quit on the start screen")               \
	X(QUIT, "quit", "quit Baton")                                      \
	X(HELP, "help", "show this help")                                  \
	X(FIND, "find", "type to find a customer")                         \
	X(SEARCH, "search", "search the text on this screen")              \
	X(SEARCH_NEXT, "search-next", "next match")                        \
	X(SEARCH_PREV, "search-prev", "previous match")                    \
	X(TIMELINE, "timeline", "timeline of everything about the customer") \
	X(REFRESH, "refresh", "re-read from the database")                 \
	X(REDRAW, "redraw", "redraw the terminal")                         \
	X(SUSPEND, "suspend", "suspend to the shell")                      \
	X(HANDOFF, "handoff", "write a handoff (Marketing: hold or release a send)") \
	X(ACK, "acknowledge", "acknowledge the selected handoff")          \
	X(RESOLVE, "resolve", "resolve the selected handoff")              \
	X(CANCEL, "cancel", "cancel the selected handoff (its author)")    \
	X(NOTE, "note", "write a success note (the selected note: correct it)") \
	X(SEND, "send", "send the handoff or note")                        \
	X(EDITOR, "editor", "edit the note in $VISUAL / $EDITOR")          \
	X(DISCARD, "discard", "discard the selected draft")                \
	X(DRAFTS, "drafts", "the saved drafts: resume, send or discard them") \
	X(QUEUE, "queue", "the handoff queue (leads)")                     \
	X(REASSIGN, "reassign", "reassign the selected or marked handoffs") \
	X(MARK, "mark", "mark or unmark the selected handoff")             \
	X(ACK_MARKED, "ack-marked", "acknowledge every marked handoff")    \
	X(EXPORT, "export", "export the rows to a new CSV file (never over a file already there)")               \
	X(FILTER, "filter", "filter: team= to= state= reason= priority= segment= breached mine") \
	X(VIEW, "view", "switch to a saved view")                          \
	X(MILESTONE, "milestone", "change the selected onboarding milestone") \
	X(HEALTH, "health", "set the onboarding health, with a reason")    \
	X(SAVE, "save", "save the change")                             \
	X(SIGNALS, "signals", "the crossed signals of every customer")     \
	X(SENDS, "sends", "scheduled sends to customers in trouble")       \
	X(HOLD, "hold", "hold or release the selected send, with a comment") \
	X(ACK_SIGNAL, "ack-signal", "acknowledge the selected signal, with a comment") \
	X(SIGNAL_FILTER, "signal-filter", "filter: kind= team= segment= owner=")

enum ui_action {
#define UI_ACTION_ENUM(id, name, help) ACT_##id,
	UI_ACTIONS(UI_ACTION_ENUM)
#undef UI_ACTION_ENUM
	ACT_COUNT
};

/* Key scopes: a screen's keymap is its own scope, then SCOPE_GLOBAL. */
enum ui_scope { SCOPE_GLOBAL, SCOPE_LIST, SCOPE_FINDER, SCOPE_CUSTOMER, SCOPE_HANDOFF, SCOPE_PAGER,
                SCOPE_FORM, SCOPE_DRAFTS, SCOPE_QUEUE, SCOPE_ONBOARDING, SCOPE_SIGNALS, SCOPE_SENDS,
                SCOPE_COUNT };

struct ui_binding {
	enum ui_scope scope;
	int key;          /* curses key code or character */
	const char *label; /* as shown in help: "j", "Down", "Ctrl-L" */
	enum ui_action action;
};

enum ui_action keys_lookup(enum ui_scope scope, int key);
const char *keys_action_name(enum ui_action a);
const char *keys_action_help(enum ui_action a);
/* "j Down" : every key bound to a in the scope (or global), for help. */
void keys_labels(enum ui_scope scope, enum ui_action a, char *out, size_t n);
#include <stdio.h>
void keys_print_markdown(FILE *out);
extern const struct ui_binding keys_bindings[];
extern const size_t keys_bindings_count;

/* --- screens ------------------------------------------------------------- */

struct screen;
struct screen_ops {
	const char *name;
	enum ui_scope scope;
	void (*draw)(struct screen *s, struct app *a);
	/* Raw key first (text entry); return 1 if consumed. May be NULL. */
	int (*key)(struct screen *s, struct app *a, int key, int is_func);
	/* Whether pasted text goes to key() now: a text field has the focus.
	 * Elsewhere (lists, choices) app.c drops it: pasted text is no
	 * command and chooses nothing.  NULL: never. */
	int (*takes_paste)(const struct screen *s);
	void (*action)(struct screen *s, struct app *a, enum ui_action act);
	/* Re-read data (after reconnect or a change notification). May be NULL. */
	void (*reload)(struct screen *s, struct app *a);
	/* Whether a change notification concerns what the screen shows, so
	 * that it re-reads (ui/session.c).  NULL: changes about its customer
	 * (customer_id), or every change when it shows no one customer. */
	int (*concerns)(struct screen *s, struct app *a, const struct notify_change *c);
	/* Catch up with the changes concerns() noted, when the interval
	 * allows (ui/session.c).  NULL: reload. */
	void (*update)(struct screen *s, struct app *a);
	void (*destroy)(struct screen *s);
	/* Try once more to put on disk what only this screen holds (a note
	 * the drafts directory refused); 1 if something is still in memory
	 * only, and quitting would lose it.  May be NULL. */
	int (*keep)(struct screen *s, struct app *a);
	/* The keys waiting were all handled: do once what they asked for
	 * (the forms save their draft once per burst of typing or per paste,
	 * not once per key).  May be NULL. */
	void (*settle)(struct screen *s, struct app *a);
	/* The key hint line at the bottom. */
	const char *hints;
};

struct screen {
	const struct screen_ops *ops;
	struct screen *below;
	int alive; /* cleared when popped: late database answers check it */
	int refs;  /* pending database requests holding the screen */
	struct app *app;
	long long customer_id; /* the one customer shown, 0: many or none */
	int serial;            /* tells this screen's requests from others' */
	int reload_pending;    /* a change concerns it: re-read when the interval allows */
};


/* A one-line question on the bottom row: text entry, or y/n. */
typedef void (*prompt_fn)(struct app *a, void *ctx, const char *answer); /* NULL: cancelled */
/* A prompt's kind of answer: text, y/n, or y/k/n ("k": keep, as a draft). */
enum { PROMPT_TEXT, PROMPT_YES_NO, PROMPT_YES_KEEP_NO };

struct prompt {
	int active;
	int yesno;        /* PROMPT_TEXT, PROMPT_YES_NO or PROMPT_YES_KEEP_NO */
	char label[320];
	char text[512];   /* what is typed; a caller may put a first answer here */
	prompt_fn done;
	void *ctx;
};

struct app {
	const struct config *cfg;
	struct dbq *db;
	struct screen *top;
	int dirty;
	int quit;
	int rc;
	int rows, cols;
	int utf8;        /* the terminal speaks UTF-8 */
	int color;       /* colours in use */
	char status[256];
	int status_error;
	unsigned keyseq;         /* keys dispatched so far */
	unsigned status_keyseq;  /* keyseq when the status was said */
	long long status_until_ms;
	enum dbq_state db_state;
	char db_error[512];
	int ready;       /* identity and schema checked */
	struct session_me me;
	char fatal[768]; /* message printed after the terminal is restored */
	struct prompt prompt;
	int drafts_offered;
	int small_dropped;       /* keys not taken while the terminal was too small */
	int started;     /* the start screen was chosen (ui/app.c) */
	char draft_owner[DRAFT_OWNER_MAX]; /* draft_identity of the connection */
	/* Handoffs, notes, steps and onboarding changes on their way
	 * (ui/handoff_actions.c). */
	struct send_job *sends;
	/* The teams, people and handoff rules as last read this session (the
	 * handoff form): a form opened while the database is unreachable
	 * offers them, so that a handoff can still be written and kept. */
	struct team_list teams_seen;
	long long reload_at_ms;  /* no change re-read before then (ui/session.c) */
	struct app_presence {    /* who else has my customer open (ui/presence.c) */
		long long announced; /* what the server was told; -1: unknown */
		long long shown;     /* the customer `who` is about */
		int others;          /* people in `who` */
		char who[256];       /* "ben (Success), mia (Marketing)" */
		int pending;         /* a notification asks for a re-read */
		long long recheck_at_ms;
		long long refresh_at_ms; /* when to say it again */
	} presence;
};

/* Ask on the bottom row; done() is called with the answer ("y"/"n", and
 * "k" for PROMPT_YES_KEEP_NO; the text for PROMPT_TEXT) or NULL on Esc. */
void app_prompt(struct app *a, const char *label, int yesno, prompt_fn done, void *ctx);
/* A key while the prompt is open; drawing it on the bottom row. */
void app_prompt_key(struct app *a, int key, int is_func);
void app_prompt_draw(struct app *a, int y);
/* A key typed into one line of UTF-8 text (the prompt, a form's text
 * field): Backspace, Ctrl-U (erase all) and printable characters, kept
 * within size bytes with the NUL.  1 if it was such a key. */
int ui_line_key(char *text, size_t size, int key, int is_func);
/* The database queue's callbacks (ui/session.c): the connection's state,
 * checked identity and schema on every connect, and notifications. */
void app_on_db_state(void *ctx, enum dbq_state st, const char *msg);
int app_on_notify(void *ctx, const char *channel, const char *payload);
/* Re-read every screen (after a write or a change notification). */
void app_reload_all(struct app *a);
/* Change re-reads that notifications asked for, at most once per interval
 * per screen: run those that are due (call from the loop), and the
 * milliseconds until the next is (-1: none waiting). */
void app_changes_tick(struct app *a);
int app_changes_timeout(const struct app *a);
/* The change is a handoff for me or my team (or was, before it was
 * reassigned), or may be anything. */
int app_change_for_me(const struct app *a, const struct notify_change *c);

/* Presence (ui/presence.c): tell the server which customer is on screen
 * after the stack changed or the connection came back; a presence
 * notification about it; the re-read it asks for (1 if one was sent, from
 * app_changes_tick); when the next periodic check is due (app_now_ms
 * time, -1: none). */
void app_presence_follow(struct app *a);
void app_presence_changed(struct app *a, long long customer_id);
int app_presence_flush(struct app *a);
long long app_presence_due_ms(const struct app *a);
/* Quitting: tell the server this console shows nothing any more, so that
 * the others drop it at once; waits a moment at most for the answer. */
void app_presence_leave(struct app *a);
/* "also here: ben (Success)" right-aligned to column xr on row y when
 * others have customer_id open, in at most maxw columns; the columns
 * taken (with a gap before), 0 when nothing is shown. */
int presence_draw(struct app *a, long long customer_id, int y, int xr, int maxw);

/* Quit, asking first if handoff text would be lost (on no disk, in no
 * database). */
void app_quit(struct app *a);
void app_push(struct app *a, struct screen *s);
void app_pop(struct app *a);
/* error: 0 news, 1 an error, APP_MSG_WHOLE an error to be read whole (NOT
 * SAVED: what quitting loses, and why), wrapped over up to 4 rows above
 * the bottom line while shown rather than cut. */
#define APP_MSG_WHOLE 2
void app_message(struct app *a, int error, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The bottom line's message goes (a refusal the next step set right). */
void app_clear_message(struct app *a);
/* Changing screens drops a message said before the key that changes them
 * ("not found: zzz" does not follow you back); one said while handling
 * that key ("draft discarded") stays. */
void app_forget_stale_message(struct app *a);
void app_fail(struct app *a, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Hold/release a screen across an asynchronous request. */
void screen_hold(struct screen *s);
int screen_release(struct screen *s); /* returns 1 if still alive, frees if dead */

/* A screen's own database requests (ui/screen.c).  A request belongs to the
 * screen that made it: a new one of the same kind replaces only this
 * screen's queued one, never another screen's (two customer screens on the
 * stack reload independently).  The screen is held until the answer; done
 * runs only if the screen is still shown and the request was not replaced,
 * with the results (freed after done returns) or err.  kind 0: never
 * replaced.  Reads are retried after a reconnect. */
typedef void (*screen_done_fn)(struct screen *s, struct app *a, PGresult **res, int nres,
                               const char *err);
enum { REQ_WRITE = 1, REQ_PREPARED = 2 };
void screen_request(struct screen *s, struct app *a, int kind, const struct db_stmt *st, int n,
                    int flags, screen_done_fn done);
void screen_cancel(struct screen *s, struct app *a, int kind);
long long app_now_ms(void);
/* The columns of the top line from x up to the identity at its right
 * ("ana · Support  ● live"), a blank kept between: a screen's title cut
 * there keeps its mark instead of being overdrawn. */
int app_title_cols(const struct app *a, int x);
/* The smallest terminal the screens are drawn in; below it the console
 * says so, and takes no key but q. */
#define APP_MIN_COLS 60
#define APP_MIN_ROWS 16
int app_too_small(const struct app *a);
/* Draw everything (ui/app_draw.c), when the screen is dirty. */
void app_draw(struct app *a);

/* Screens. */
struct screen *finder_new(struct app *a);
struct screen *customer_new(struct app *a, long long id);
struct screen *pager_new(struct app *a, const char *title, const char *text);
struct screen *timeline_new(struct app *a, long long customer_id, const char *name);
struct screen *help_new(struct app *a, enum ui_scope scope);
struct handoff_new;
struct handoff_tickets;
/* Takes over h (and its note) and tickets (the ones it may link; NULL:
 * the form reads them itself, as for a draft taken up again). */
struct screen *handoff_form_new(struct app *a, struct handoff_new *h, struct handoff_tickets *tickets);
struct screen *drafts_new(struct app *a);
struct note_new;
struct note_links;
/* Takes over n (and its body) and links (what it may be about; NULL:
 * the form reads them itself, as for a draft taken up again). */
struct screen *note_form_new(struct app *a, struct note_new *n, struct note_links *links);
/* The one of the two for what d holds (d.kind), taking it over. */
struct screen *draft_form_new(struct app *a, struct draft *d);
/* The onboarding forms (ui/milestone_form.c) over a customer screen's
 * data: a milestone's status, due date, owner and reason (row of its
 * milestones), or the customer's health with a reason. */
struct customer_view;
void milestone_form_open(struct app *a, const struct customer_view *cv, int row);
void health_form_open(struct app *a, const struct customer_view *cv);
/* From a customer's read (ui/customer.c), for the forms: the open tickets
 * a handoff may link, and what a note may be about (the tickets and
 * handoffs its screen shows), each added to what t or l holds. */
void customer_open_tickets(const struct customer_view *cv, struct handoff_tickets *t);
void customer_note_links(const struct customer_view *cv, struct note_links *l);
struct screen *queue_new(struct app *a);

/* Handoff actions any screen may start (ui/handoff_actions.c). */
/* Save as queued and send what d holds, a handoff, a success note, a
 * step or an onboarding change (d.kind), taking it over (d is left
 * empty); survives the form and reconnects.  held: the caller holds d
 * (draft_lock), and the hold goes with it, let go when the database has
 * answered. */
void draft_send(struct app *a, struct draft *d, int held);
/* Save again the handoffs, notes, steps and onboarding changes on their
 * way whose draft could not be written; how many are still in memory only. */
int handoff_send_keep(struct app *a);
/* Why the server refused the draft with this id this session, NULL if it
 * did not. */
const char *handoff_send_refusal(const char *id);
/* 1 if the draft with this id is on its way (sent, not yet answered). */
int handoff_send_pending(const struct app *a, const char *id);
/* A handoff as a screen shows it, for a step on it: which one, the
 * version shown, and what names it to the person (its reason, sending
 * team and customer, as read; any may be NULL). */
struct handoff_ref {
	const char *id;
	int version;
	const char *reason, *from_team, *customer;
};
/* Acknowledge/resolve/cancel (kind) the handoff h, asking for an optional
 * comment in a prompt that names it; the customer's name also goes to the
 * drafts list.  The step is kept and sent like a handoff. */
void handoff_step_ask(struct app *a, const struct handoff_ref *h, const char *kind);
/* A step answered (ui/step_ask.c): a refused one's comment is offered again
 * the next time the person asks for that step on that handoff; a recorded
 * one's is forgotten. */
void step_comment_answered(const struct handoff_step *s, int done);
/* A step's outcome for its sender: 1 recorded, 0 refused (why), -1
 * dropped unanswered when the console quits (its draft stays queued). */
typedef void (*handoff_step_done_fn)(struct app *a, void *ctx, int done, const char *why);
/* Send a step (its event id made, its version the one seen), kept first
 * as a queued draft, taking st over; done (NULL: the message line says
 * what happened) gets the outcome.  1 if it is in memory only (the
 * drafts directory refused it), 0 if it is on disk. */
struct step_new;
int handoff_step_send(struct app *a, struct step_new *st, handoff_step_done_fn done, void *ctx);
/* An onboarding change's answer for the form that sent it: r the
 * server's, or NULL with err why there is none; both NULL: dropped
 * unanswered, the console is quitting (its draft stays queued).  1 if the
 * form took it (it is still open); 0 and the message line says it. */
struct onboarding_new;
struct handoff_step_result;
typedef int (*onboarding_done_fn)(struct app *a, void *ctx, const struct onboarding_new *ob,
                                  const struct handoff_step_result *r, const char *err);
/* Send an onboarding change (ob->health: the health, else a milestone's),
 * kept first as a queued draft, as a step is: it survives its form, an
 * outage and the console, and goes once.  done (NULL: the message line)
 * gets the answer.  1 if it is in memory only (the drafts directory
 * refused it), 0 if it is on disk. */
int onboarding_send(struct app *a, const struct onboarding_new *ob, onboarding_done_fn done, void *ctx);
/* The answer in words: "milestone "Go-live": in progress (already
 * recorded)", "onboarding health of X not saved: why"; 1 if recorded. */
int onboarding_outcome(const struct onboarding_new *ob, const struct handoff_step_result *r, const char *err,
                       char *out, size_t n);
/* A change to this milestone (health: this customer's health) that the
 * server refused with no form open to show it: into out with the
 * server's reason, and forgotten; 0 if there is none. */
int onboarding_refused_take(int health, long long id, struct onboarding_new *out, char *why, size_t n);

/* --- terminal (ui/term.c) ------------------------------------------------ */

enum ui_attr { UA_NORMAL, UA_TITLE, UA_DIM, UA_SEL, UA_GOOD, UA_WARN, UA_BAD, UA_FLAG,
               UA_HEADER, UA_COUNT };

int term_init(struct app *a);
void term_end(void);
/* The next key, without waiting: OK with *key (a character, or a curses
 * key code with *is_func) or ERR when none is there.  Bytes the locale
 * cannot read as a character are dropped, never what follows them. */
int term_key(int *key, int *is_func);
/* How many bytes term_key dropped since the last call, with a line for
 * the person when some were. */
int term_dropped(char *why, size_t n);
/* Whether the key term_key gave last came in pasted text (the terminal's
 * bracketed paste, which term_init asks for): text to put where the
 * person pastes it, never a command, a Tab to the next field or an
 * answer to a question. */
int term_pasted(void);
/* Ask the terminal to mark pasted text (on) or stop it (off: before the
 * terminal goes to another program, and at the end). */
void term_paste_mode(int on);
int term_attr(enum ui_attr at);
/* Symbols with ASCII fallbacks: "✔"/"+" etc. */
enum ui_sym { SYM_DONE, SYM_CURRENT, SYM_FLAG, SYM_LIVE, SYM_SENT, SYM_SCHEDULED, SYM_ARROW,
              SYM_SEL, SYM_BLOCKED, SYM_DOT, SYM_ELLIPSIS, SYM_MORE, SYM_NEW_ABOVE, SYM_COUNT };
const char *term_sym(enum ui_sym s);
const char *term_sym_meaning(enum ui_sym s); /* for the help screen's legend */

/* Draw untrusted text cleaned, cut to `cols` columns (padded if pad).
 * Returns columns used. */
int ui_text(WINDOW *w, int y, int x, int cols, int attr, const char *s, int pad);
/* printf, then like ui_text. */
int ui_textf(WINDOW *w, int y, int x, int cols, int attr, int pad, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));
/* Untrusted text over up to `lines` rows from y, broken at spaces to fit
 * `cols` columns; the last row cut with an ellipsis.  Rows used. */
int ui_text_wrapped(WINDOW *w, int y, int x, int cols, int lines, int attr, const char *s);
/* Untrusted text s cleaned and cut to at most cols columns (with its
 * mark), appended to b: for a label put together from several. */
struct buf;
void ui_put_fit(struct buf *b, const char *s, int cols);
/* How many rows ui_text_wrapped needs for all of s in `cols` columns. */
int ui_text_rows(const char *s, int cols);
/* A box with a title; panel focus draws the title highlighted. */
void ui_box(WINDOW *w, int y, int x, int h, int wdt, const char *title, int focused);
/* A horizontal line. */
void ui_hline(WINDOW *w, int y, int x, int n);
/* Clear a rectangle. */
void ui_clear(WINDOW *w, int y, int x, int h, int wdt);

/* --- list helper: a selection in a scrolled list ------------------------- */

struct ui_list {
	int sel;   /* selected row, -1 when empty */
	int top;   /* first visible row */
};
/* Apply a movement action; returns 1 if it was one. */
int ui_list_move(struct ui_list *l, int nrows, int page, enum ui_action act);
/* Keep sel visible in `height` rows. */
void ui_list_fit(struct ui_list *l, int nrows, int height);
/* After the rows changed (a reload): put the selection back on the row
 * whose key_of() equals key (what was selected before), so a live reorder
 * does not move the cursor to another item; else keep the index in range. */
void ui_list_follow(struct ui_list *l, const char *key, int nrows,
                    const char *(*key_of)(const void *ctx, int row), const void *ctx);

#endif
