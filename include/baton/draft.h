/* Handoff drafts on local disk, kept from the first keystroke until the
 * database has the handoff. */
#ifndef BATON_DRAFT_H
#define BATON_DRAFT_H

#include <stddef.h>

#include "baton/handoff.h"

/* Directory for drafts: $XDG_STATE_HOME/baton/drafts or
 * ~/.local/state/baton/drafts, created 0700.  -1 + err. */
int draft_dir(char *out, size_t n, char *err, size_t errlen);
/* Write atomically (temp file + rename), mode 0600.  queued: submitted and
 * waiting for the database; sync: fsync before returning. */
int draft_save(const struct handoff_new *h, int queued, int sync, char *err, size_t errlen);
/* Read one draft file; h->note is malloc'd. -1 if unreadable/invalid. */
int draft_load(const char *path, struct handoff_new *h, int *queued);
int draft_remove(const char *id);
/* Paths of every draft, newest first; returns the count (-1 on error). */
int draft_list(char ***paths);
void draft_list_free(char **paths, int n);

#endif
