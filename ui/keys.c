/* Key bindings: one table, from which both dispatch and the help screen are
 * made, so they cannot drift apart. */
#include "ui/ui.h"

#include <stdio.h>
#include <string.h>

#define CTRL(c) ((c) & 0x1f)

static const char *const action_names[ACT_COUNT] = {
#define UI_ACTION_NAME(id, name, help) name,
	UI_ACTIONS(UI_ACTION_NAME)
#undef UI_ACTION_NAME
};

static const char *const action_help[ACT_COUNT] = {
#define UI_ACTION_HELP(id, name, help) help,
	UI_ACTIONS(UI_ACTION_HELP)
#undef UI_ACTION_HELP
};

const struct ui_binding keys_bindings[] = {
	/* Everywhere. */
	{SCOPE_GLOBAL, '?', "?", ACT_HELP},
	{SCOPE_GLOBAL, KEY_F(1), "F1", ACT_HELP},
	{SCOPE_GLOBAL, CTRL('l'), "Ctrl-L", ACT_REDRAW},
	{SCOPE_GLOBAL, CTRL('c'), "Ctrl-C", ACT_QUIT},
	{SCOPE_GLOBAL, CTRL('z'), "Ctrl-Z", ACT_SUSPEND},
	{SCOPE_GLOBAL, 'q', "q", ACT_BACK},
	{SCOPE_GLOBAL, 27, "Esc", ACT_BACK},
	{SCOPE_GLOBAL, 'Q', "Q", ACT_QUIT},
	{SCOPE_GLOBAL, 'R', "R", ACT_REFRESH},
	{SCOPE_GLOBAL, KEY_F(5), "F5", ACT_REFRESH},
	/* F2 also where letters are text (the Find field, the forms). */
	{SCOPE_GLOBAL, 'S', "S", ACT_SIGNALS},
	{SCOPE_GLOBAL, KEY_F(2), "F2", ACT_SIGNALS},
	{SCOPE_GLOBAL, 'M', "M", ACT_SENDS},
	/* A refused note or handoff waits there: F4 also where letters are text. */
	{SCOPE_GLOBAL, 'D', "D", ACT_DRAFTS},
	{SCOPE_GLOBAL, KEY_F(4), "F4", ACT_DRAFTS},
	/* Lists: every screen with rows. */
	{SCOPE_LIST, 'j', "j", ACT_DOWN},
	{SCOPE_LIST, KEY_DOWN, "Down", ACT_DOWN},
	{SCOPE_LIST, 'k', "k", ACT_UP},
	{SCOPE_LIST, KEY_UP, "Up", ACT_UP},
	{SCOPE_LIST, 'g', "g", ACT_TOP},
	{SCOPE_LIST, KEY_HOME, "Home", ACT_TOP},
	{SCOPE_LIST, 'G', "G", ACT_BOTTOM},
	{SCOPE_LIST, KEY_END, "End", ACT_BOTTOM},
	{SCOPE_LIST, KEY_NPAGE, "PgDn", ACT_PAGE_DOWN},
	{SCOPE_LIST, CTRL('f'), "Ctrl-F", ACT_PAGE_DOWN},
	{SCOPE_LIST, ' ', "Space", ACT_PAGE_DOWN},
	{SCOPE_LIST, KEY_PPAGE, "PgUp", ACT_PAGE_UP},
	{SCOPE_LIST, CTRL('b'), "Ctrl-B", ACT_PAGE_UP},
	{SCOPE_LIST, '\n', "Enter", ACT_OPEN},
	{SCOPE_LIST, '\r', NULL, ACT_OPEN},
	{SCOPE_LIST, KEY_ENTER, NULL, ACT_OPEN},
	{SCOPE_LIST, '/', "/", ACT_SEARCH},
	{SCOPE_LIST, 'n', "n", ACT_SEARCH_NEXT},
	/* Also where n is taken (the customer screen's note), as F3 finds the
	 * next match in most programs. */
	{SCOPE_LIST, KEY_F(3), "F3", ACT_SEARCH_NEXT},
	{SCOPE_LIST, 'N', "N", ACT_SEARCH_PREV},
	/* The start screen: typing goes to the Find field. */
	{SCOPE_FINDER, '/', "/", ACT_FIND},
	{SCOPE_FINDER, 'f', "f", ACT_FIND},
	/* Where / finds customers, there is no match to go to: n, F3 and N
	 * do nothing, and the help does not offer them. */
	{SCOPE_FINDER, 'n', NULL, ACT_NONE},
	{SCOPE_FINDER, KEY_F(3), NULL, ACT_NONE},
	{SCOPE_FINDER, 'N', NULL, ACT_NONE},
	{SCOPE_FINDER, '\t', "Tab", ACT_NEXT_PANEL},
	{SCOPE_FINDER, KEY_BTAB, "Shift-Tab", ACT_PREV_PANEL},
	/* The customer screen. */
	{SCOPE_CUSTOMER, '\t', "Tab", ACT_NEXT_PANEL},
	{SCOPE_CUSTOMER, KEY_RIGHT, "Right", ACT_NEXT_PANEL},
	{SCOPE_CUSTOMER, KEY_BTAB, "Shift-Tab", ACT_PREV_PANEL},
	{SCOPE_CUSTOMER, KEY_LEFT, "Left", ACT_PREV_PANEL},
	{SCOPE_CUSTOMER, 't', "t", ACT_TIMELINE},
	{SCOPE_CUSTOMER, 'F', "F", ACT_FIND},
	{SCOPE_CUSTOMER, 'h', "h", ACT_HANDOFF},
	{SCOPE_CUSTOMER, 'n', "n", ACT_NOTE},
	{SCOPE_CUSTOMER, 'a', "a", ACT_ACK},
	{SCOPE_CUSTOMER, 'r', "r", ACT_RESOLVE},
	{SCOPE_CUSTOMER, 'c', "c", ACT_CANCEL},
	{SCOPE_CUSTOMER, 'm', "m", ACT_MILESTONE},
	{SCOPE_CUSTOMER, 'o', "o", ACT_HEALTH},
	{SCOPE_FINDER, 'a', "a", ACT_ACK},
	{SCOPE_FINDER, 'r', "r", ACT_RESOLVE},
	/* A handoff's page (Enter on it): the steps on that handoff. */
	{SCOPE_HANDOFF, 'a', "a", ACT_ACK},
	{SCOPE_HANDOFF, 'r', "r", ACT_RESOLVE},
	{SCOPE_HANDOFF, 'c', "c", ACT_CANCEL},
	/* The handoff form (text fields take the other keys). */
	{SCOPE_FORM, CTRL('x'), "Ctrl-X", ACT_SEND},
	{SCOPE_FORM, CTRL('e'), "Ctrl-E", ACT_EDITOR},
	{SCOPE_FORM, '\t', "Tab", ACT_NEXT_FIELD},
	{SCOPE_FORM, KEY_BTAB, "Shift-Tab", ACT_PREV_FIELD},
	{SCOPE_FINDER, 'L', "L", ACT_QUEUE},
	{SCOPE_CUSTOMER, 'L', "L", ACT_QUEUE},
	/* The leads' queue. */
	{SCOPE_QUEUE, 'a', "a", ACT_ACK},
	{SCOPE_QUEUE, 'r', "r", ACT_REASSIGN},
	{SCOPE_QUEUE, ' ', "Space", ACT_MARK},
	{SCOPE_QUEUE, 'A', "A", ACT_ACK_MARKED},
	{SCOPE_QUEUE, 'x', "x", ACT_EXPORT},
	{SCOPE_QUEUE, 'f', "f", ACT_FILTER},
	{SCOPE_QUEUE, '1', "1-9", ACT_VIEW},
	{SCOPE_QUEUE, '2', NULL, ACT_VIEW}, {SCOPE_QUEUE, '3', NULL, ACT_VIEW},
	{SCOPE_QUEUE, '4', NULL, ACT_VIEW}, {SCOPE_QUEUE, '5', NULL, ACT_VIEW},
	{SCOPE_QUEUE, '6', NULL, ACT_VIEW}, {SCOPE_QUEUE, '7', NULL, ACT_VIEW},
	{SCOPE_QUEUE, '8', NULL, ACT_VIEW}, {SCOPE_QUEUE, '9', NULL, ACT_VIEW},
	/* The signals and Marketing's sends to customers in trouble. */
	{SCOPE_SIGNALS, 'a', "a", ACT_ACK_SIGNAL},
	{SCOPE_SIGNALS, 'f', "f", ACT_SIGNAL_FILTER},
	{SCOPE_SENDS, 'h', "h", ACT_HOLD},
	/* Saved drafts. */
	{SCOPE_DRAFTS, 's', "s", ACT_SEND},
	{SCOPE_DRAFTS, 'd', "d", ACT_DISCARD},
	/* The onboarding forms: a milestone, the health. */
	{SCOPE_ONBOARDING, CTRL('x'), "Ctrl-X", ACT_SAVE},
	{SCOPE_ONBOARDING, '\t', "Tab", ACT_NEXT_FIELD},
	{SCOPE_ONBOARDING, KEY_BTAB, "Shift-Tab", ACT_PREV_FIELD},
	/* Text pages (details, timeline, help) scroll like lists. */
};
const size_t keys_bindings_count = sizeof keys_bindings / sizeof *keys_bindings;

/* Which scopes a screen's scope sees, most specific first. */
static int scope_chain(enum ui_scope scope, enum ui_scope out[3])
{
	int n = 0;
	out[n++] = scope;
	if (scope == SCOPE_FINDER || scope == SCOPE_CUSTOMER || scope == SCOPE_HANDOFF ||
	    scope == SCOPE_PAGER || scope == SCOPE_DRAFTS || scope == SCOPE_QUEUE || scope == SCOPE_SIGNALS ||
	    scope == SCOPE_SENDS)
		out[n++] = SCOPE_LIST;
	/* In the form, letters are text: only control keys are global. */
	out[n++] = SCOPE_GLOBAL;
	return n;
}

enum ui_action keys_lookup(enum ui_scope scope, int key)
{
	enum ui_scope chain[3];
	int n = scope_chain(scope, chain);
	for (int c = 0; c < n; c++)
		for (size_t i = 0; i < keys_bindings_count; i++)
			if (keys_bindings[i].scope == chain[c] && keys_bindings[i].key == key) {
				/* In a form, printable keys are text, never commands. */
				if ((scope == SCOPE_FORM || scope == SCOPE_ONBOARDING) && chain[c] == SCOPE_GLOBAL &&
				    key >= 32 && key < 127)
					continue;
				return keys_bindings[i].action;
			}
	return ACT_NONE;
}

const char *keys_action_name(enum ui_action a)
{
	return (unsigned)a < ACT_COUNT ? action_names[a] : "";
}

const char *keys_action_help(enum ui_action a)
{
	return (unsigned)a < ACT_COUNT ? action_help[a] : "";
}

void keys_labels(enum ui_scope scope, enum ui_action a, char *out, size_t n)
{
	enum ui_scope chain[3];
	int nc = scope_chain(scope, chain);
	size_t len = 0;
	out[0] = '\0';
	for (int c = 0; c < nc; c++) {
		for (size_t i = 0; i < keys_bindings_count; i++) {
			const struct ui_binding *b = &keys_bindings[i];
			if (b->scope != chain[c] || b->action != a || !b->label)
				continue;
			/* A key bound more specifically hides the global one. */
			if (keys_lookup(scope, b->key) != a)
				continue;
			int w = snprintf(out + len, n - len, "%s%s", len ? " " : "", b->label);
			if (w < 0 || (size_t)w >= n - len)
				return;
			len += (size_t)w;
		}
	}
}

static const char *const scope_titles[SCOPE_COUNT] = {
	"Everywhere", "Lists", "Start screen (finder)", "Customer screen", "Handoff page (Enter on a handoff)",
	"Pages (details, timeline, help)",
	"Handoff and note forms", "Saved drafts", "Handoff queue", "Onboarding forms (milestone, health)",
	"Signals", "Sends to customers in trouble (Marketing's start screen)",
};

/* The key table in Markdown, for the README: generated from the same
 * bindings the console uses, so the documentation cannot drift. */
void keys_print_markdown(FILE *out)
{
	char labels[128];
	for (int sc = 0; sc < SCOPE_COUNT; sc++) {
		if (sc == SCOPE_PAGER)
			continue; /* pages use the list keys plus search */
		fprintf(out, "\n**%s**\n\n| Keys | Action |\n|---|---|\n", scope_titles[sc]);
		for (int act = 1; act < ACT_COUNT; act++) {
			size_t len = 0;
			labels[0] = '\0';
			for (size_t i = 0; i < keys_bindings_count; i++) {
				const struct ui_binding *b = &keys_bindings[i];
				if ((int)b->scope != sc || (int)b->action != act || !b->label)
					continue;
				int w = snprintf(labels + len, sizeof labels - len, "%s`%s`", len ? " " : "", b->label);
				if (w > 0 && (size_t)w < sizeof labels - len)
					len += (size_t)w;
			}
			if (len)
				fprintf(out, "| %s | %s |\n", labels, keys_action_help((enum ui_action)act));
		}
	}
}
