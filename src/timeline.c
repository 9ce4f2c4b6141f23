/* A customer's timeline as typed entries. */
#include "baton/customer.h"
#include "baton/timeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void timeline_statement(struct db_stmt *out, const char *const *params)
{
	out->sql = cv_timeline_sql;
	out->nparams = 1;
	out->params = params;
}

int timeline_from_result(struct timeline *t, const PGresult *r, char *err, size_t errlen)
{
	memset(t, 0, sizeof *t);
	if (!r || PQnfields(r) != TL_REF + 1) {
		snprintf(err, errlen, "unexpected timeline result");
		return -1;
	}
	int n = PQntuples(r);
	t->e = calloc((size_t)n + 1, sizeof *t->e);
	if (!t->e)
		abort();
	for (int i = 0; i < n; i++) {
		struct timeline_entry *e = &t->e[i];
		e->at = db_value_dup(r, i, TL_AT);
		e->age_s = strtoll(PQgetvalue(r, i, TL_AGE_S), NULL, 10);
		e->kind = db_value_dup(r, i, TL_KIND);
		e->who = db_value_dup(r, i, TL_WHO);
		e->text = db_value_dup(r, i, TL_TEXT);
		e->ref = db_value_dup(r, i, TL_REF);
	}
	t->n = n;
	return 0;
}

void timeline_free(struct timeline *t)
{
	for (int i = 0; i < t->n; i++) {
		struct timeline_entry *e = &t->e[i];
		free(e->at);
		free(e->kind);
		free(e->who);
		free(e->text);
		free(e->ref);
	}
	free(t->e);
	t->e = NULL;
	t->n = 0;
}
