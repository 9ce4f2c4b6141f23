/* Between import.c (a file's transaction) and import_result.c (what the
 * server made of it). */
#ifndef BATON_IMPORT_PRIV_H
#define BATON_IMPORT_PRIV_H

#include <libpq-fe.h>
#include <stddef.h>

#include "baton/buf.h"
#include "baton/import.h"

/* v[0..n) as a PostgreSQL text[] literal ({"a","b\"c"}) into out. */
void import_text_array(struct buf *out, char **v, size_t n);

/* The file staged under run: baton_import_apply with the mapping spec and
 * the configuration's shared domains, then what it made of the file into
 * res (counts, moves, rejects; with notes_raw, the raw rows of the records
 * imported without their contact).  0, or -1 with err. */
int import_apply(PGconn *c, const char *run, const char *spec, const struct import_config *ic, int notes_raw,
                 struct import_result *res, char *err, size_t errlen);

#endif
