/* A growable, always NUL-terminated byte buffer. */
#ifndef BATON_BUF_H
#define BATON_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *data;  /* NUL-terminated; NULL until the first append */
	size_t len;
	size_t cap;
};

#define BUF_INIT {NULL, 0, 0}

/* All appenders abort() on out-of-memory: there is no sane recovery in a
 * console that must keep the terminal consistent, and die paths restore it. */
void buf_add(struct buf *b, const char *s, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
void buf_reset(struct buf *b);          /* len = 0, keeps memory */
void buf_free(struct buf *b);           /* frees and re-initialises */
char *buf_steal(struct buf *b);         /* caller frees; b re-initialised */
const char *buf_str(const struct buf *b); /* "" when empty */

#endif
