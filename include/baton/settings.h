/* The rules every client shares (migration 006): the statements that show
 * and change them (administrators only, checked by the server), and the
 * one-time import of an older configuration file's handoff group. */
#ifndef BATON_SETTINGS_H
#define BATON_SETTINGS_H

#include <libpq-fe.h>
#include <stddef.h>

#include "baton/db.h"

struct config;

/* What `baton settings show` reads, in one pipeline:
 *   [0] key, value, accepts, about of each setting, by key;
 *   [1] the handoff reasons, in the order offered (name);
 *   [2] the acknowledgement SLAs: priority, team (NULL: every team
 *       without its own), minutes; by priority, the general one first;
 *   [3] the shared domains that never join customers (migration 133): how
 *       many are Baton's own, and the ones administrators added, by name:
 *       "a, b" (NULL: none) and a JSON array. */
enum { SETTINGS_STMTS = 4 };
enum { SS_KEY, SS_VALUE, SS_ACCEPTS, SS_ABOUT };
enum { SL_PRIORITY, SL_TEAM, SL_MINUTES };
void settings_statements(struct db_stmt out[SETTINGS_STMTS]);

/* The changes, each returning one boolean: whether anything changed.
 * set: $1 key, $2 value.  reason add/remove: $1 name.  sla: $1 priority,
 * $2 minutes (NULL with a team: the team follows the priority's again),
 * $3 team or NULL. */
extern const char settings_set_sql[];
extern const char settings_reason_add_sql[];
extern const char settings_reason_remove_sql[];
/* shared-domain add/remove: $1 the domain (any spelling: a URL, www.). */
extern const char settings_shared_domain_add_sql[];
extern const char settings_shared_domain_remove_sql[];
extern const char settings_sla_sql[];

/* Copy the moved handoff settings of cfg (cfg->moved) into the database,
 * in one transaction, as the connected (migrating) role: each only while
 * its table holds the built-in defaults (no audit row says it was ever
 * changed), so a second run, or a run after an administrator's change,
 * changes nothing.  say() gets one line per setting found in a file: what
 * happened to it.  Returns how many were imported, -1 with err. */
int settings_import(PGconn *c, const struct config *cfg, void (*say)(const char *line),
                    char *err, size_t errlen);

#endif
