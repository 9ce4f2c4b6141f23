/* The ncurses console.  The core never includes curses; this is its door. */
#ifndef BATON_UI_H
#define BATON_UI_H

struct config;

/* Run the console until the user quits; returns an exit status. */
int ui_run(const struct config *cfg, const char *conninfo);

/* Print the console's key bindings as Markdown tables (baton keys). */
void ui_print_keys(void);

#endif
