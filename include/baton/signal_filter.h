/* The signals screen's filter, "kind=dropped team=support segment=smb
 * owner=ben": each value checked before it applies, teams and segments by
 * the queue's own check (queue_value_check), so a value means the same on
 * both screens. */
#ifndef BATON_SIGNAL_FILTER_H
#define BATON_SIGNAL_FILTER_H

#include <stddef.h>

#include "baton/db.h"
#include "baton/team.h"

struct signal_filter {
	char kind[40];    /* a kind's name (signals.h), "" any */
	char team[33];    /* the team that must act, "" any */
	char segment[16]; /* the customer's segment, "" any */
	char owner[64];   /* the customer's owner (role), "" any */
};

/* The filter text into a fresh f.  A kind may be named by the start of its
 * name ("dropped", "voice"), '_' for '-'; an owner by role, checked against
 * the staff of teams when they were read.  -1 with err naming the valid
 * values at the first bad word, f then cleared. */
int signal_filter_parse(struct signal_filter *f, const char *text, const struct team_list *teams,
                        char *err, size_t errlen);

/* "kind=dropped-baton team=support", or "any" for no filter. */
void signal_filter_describe(const struct signal_filter *f, char *out, size_t n);

/* The list statement (signals_list_sql) for f: the active signals of every
 * customer the reader may see.  store must outlive the statement. */
struct signal_filter_params {
	const char *p[6];
	char limit[16];
};
void signal_filter_stmt(const struct signal_filter *f, struct signal_filter_params *store,
                        struct db_stmt *out);

/* What the signals screen sends (one round trip): the first window rows
 * of f's list (signals_page_sql) into out[0] and the counts per kind for
 * f's team, segment and owner (signals_counts_sql) into out[1]. */
void signal_filter_page_stmts(const struct signal_filter *f, int window,
                              struct signal_filter_params *store, struct db_stmt out[2]);

#endif
