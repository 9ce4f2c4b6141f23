/* Shared by the command-line subcommands. */
#include "baton/buf.h"
#include "baton/cli.h"
#include "baton/text.h"

#include <stdarg.h>
#include <stdio.h>

/* Messages often quote what came from the database or the command line:
 * cleaned in one place, so none of it reaches the terminal as a control. */
void cli_error(const char *fmt, ...)
{
	struct buf raw = BUF_INIT, clean = BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&raw, fmt, ap);
	va_end(ap);
	text_clean(&clean, buf_str(&raw), raw.len, TEXT_MULTILINE);
	fprintf(stderr, "baton: %s\n", buf_str(&clean));
	buf_free(&raw);
	buf_free(&clean);
}
