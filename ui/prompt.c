/* The one-line question on the bottom row: text entry (UTF-8) or y/n. */
#include "baton/text.h"
#include "ui/ui.h"

#include <stdio.h>
#include <string.h>

void app_prompt(struct app *a, const char *label, int yesno, prompt_fn done, void *ctx)
{
	struct prompt *p = &a->prompt;
	memset(p, 0, sizeof *p);
	p->active = 1;
	p->yesno = yesno;
	text_copy(p->label, sizeof p->label, label);
	p->done = done;
	p->ctx = ctx;
	a->dirty = 1;
}

static void prompt_finish(struct app *a, const char *answer)
{
	struct prompt p = a->prompt;
	a->prompt.active = 0;
	a->dirty = 1;
	p.done(a, p.ctx, answer);
}

/* Keys while a prompt is open; UTF-8 text up to the buffer. */
void app_prompt_key(struct app *a, int key, int is_func)
{
	struct prompt *p = &a->prompt;
	if (!is_func && key == 27) {
		prompt_finish(a, NULL);
		return;
	}
	if (p->yesno) {
		if (!is_func && (key == 'y' || key == 'Y'))
			prompt_finish(a, "y");
		else if (p->yesno == PROMPT_YES_KEEP_NO && !is_func && (key == 'k' || key == 'K'))
			prompt_finish(a, "k");
		else if (!is_func && (key == 'n' || key == 'N' || key == '\r' || key == '\n'))
			prompt_finish(a, "n");
		return;
	}
	if ((!is_func && (key == '\r' || key == '\n')) || (is_func && key == KEY_ENTER)) {
		char answer[sizeof p->text];
		memcpy(answer, p->text, sizeof answer);
		prompt_finish(a, answer);
	} else {
		ui_line_key(p->text, sizeof p->text - 1, key, is_func);
	}
	a->dirty = 1;
}

int ui_line_key(char *text, size_t size, int key, int is_func)
{
	size_t len = strlen(text);
	if ((is_func && key == KEY_BACKSPACE) || (!is_func && (key == 127 || key == 8))) {
		text[text_utf8_prev(text, len)] = '\0';
	} else if (!is_func && key == 21) {
		text[0] = '\0';
	} else if (!is_func && key >= 32 && key != 127) {
		char mb[4];
		int n = text_utf8_encode((uint32_t)key, mb);
		if (n > 0 && len + (size_t)n < size) {
			memcpy(text + len, mb, (size_t)n);
			text[len + (size_t)n] = '\0';
		}
	} else {
		return 0;
	}
	return 1;
}

void app_prompt_draw(struct app *a, int y)
{
	/* The question is read first, before anything is typed: it may take
	 * all but a few columns (a step's names its handoff), and gives way
	 * to the answer as it grows, down to half the row.  A y/n question
	 * has the row to itself but for "(y/n)". */
	int answer = text_width(a->prompt.text);
	const char *choices = a->prompt.yesno == PROMPT_YES_KEEP_NO ? "(y/k/n)" : "(y/n)";
	int room = a->prompt.yesno ? a->cols - 3 - text_width(choices) - 2 : a->cols - 4 - (answer > 10 ? answer : 10);
	if (room < a->cols / 2)
		room = a->cols / 2;
	int x = 1 + ui_text(stdscr, y, 1, room, (int)A_BOLD, a->prompt.label, 0);
	if (a->prompt.yesno) {
		ui_text(stdscr, y, x + 1, 10, (int)A_NORMAL, choices, 0);
	} else {
		/* "Comment:" is followed by a space, a bare "/" (search) is not. */
		int gap = strcmp(a->prompt.label, "/") != 0;
		x += gap + ui_text(stdscr, y, x + gap, a->cols - x - 3, (int)A_NORMAL, a->prompt.text, 0);
		ui_text(stdscr, y, x, 1, (int)A_REVERSE, " ", 0);
	}
}
