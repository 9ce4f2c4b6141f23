/* The draft file format (src/draft_format.c), for src/draft.c which keeps
 * the files, and the directory for src/draft_lock.c.  Private to them. */
#ifndef BATON_DRAFT_PRIV_H
#define BATON_DRAFT_PRIV_H

#include "baton/buf.h"
#include "baton/draft.h"

#include <sys/stat.h>

/* The whole file: header lines, a blank line, the text. */
void draft_format_handoff(struct buf *b, const struct handoff_new *h, const char *owner, int queued,
                          size_t not_taken);
void draft_format_note(struct buf *b, const struct note_new *n, const char *owner, int queued,
                       size_t not_taken);
void draft_format_step(struct buf *b, const struct step_new *st, const char *owner, int queued);
void draft_format_signal(struct buf *b, const struct signal_new *sg, const char *owner, int queued);
void draft_format_onboarding(struct buf *b, const struct onboarding_new *ob, const char *owner, int queued);
/* text (len bytes, NUL-terminated, changed in place) into d: 0 if it is a
 * draft Baton wrote, of any kind, complete; -1 otherwise. */
int draft_parse(struct draft *d, char *text, size_t len);

/* The drafts directory, created and verified (src/draft_dir.c):
 * its descriptor, or -1 + err naming the path and the problem. */
int draft_dir_open(char *path, size_t n, char *err, size_t errlen);
/* What makes fd, the drafts directory (dir) or a file in it, not ours to
 * use: not that kind of file, or someone else's (why: n bytes for whose,
 * or NULL when only whether matters); NULL when it is fit.  *st is what
 * fstat said. */
const char *draft_fd_problem(int fd, int dir, struct stat *st, char *why, size_t n);
/* Name, an entry of the drafts directory dfd: when it is the lock file of
 * a draft that is gone and nobody holds it, it is removed. */
void draft_lock_sweep(int dfd, const char *name);

#endif
