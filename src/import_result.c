/* What the server made of a file, into struct import_result: its counts
 * (baton_import_apply), the records that moved to another customer (153),
 * the rejects and the records whose characters were replaced; and that
 * result's release.  The file's transaction is import.c's. */
#include "baton/db.h"
#include "baton/import.h"
#include "import_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char apply_sql[] =
	"SELECT entity, read_rows, inserted, updated, unchanged, rejected, merged, unused, skipped, unmerged"
	" FROM baton_import_apply($1, $2::jsonb, $3::text[], $4::integer)";
/* The rejects, then the records whose characters PostgreSQL cannot store
 * were replaced (migration 068). */
static const char rejects_sql[] =
	"SELECT false, line, field, reason, coalesce(raw, ''), 0, false FROM pg_temp.baton_import_reject"
	" UNION ALL SELECT true, line, '', '', '', n, false FROM baton_import_replaced() ORDER BY 1, 2";
/* The records of other entities, linked to their customer (migration 070's
 * baton_import_link), also name those imported without their contact, with
 * their raw row when notes_raw_sql made them (149). */
static const char rejects_notes_sql[] =
	"SELECT false, line, field, reason, coalesce(raw, ''), 0, false FROM pg_temp.baton_import_reject"
	" UNION ALL SELECT false, n.line, n.field, n.reason, coalesce(w.raw, ''), 0, true"
	" FROM pg_temp.baton_import_note n LEFT JOIN pg_temp.baton_import_raw_row w ON w.line = n.line"
	" UNION ALL SELECT true, line, '', '', '', n, false FROM baton_import_replaced() ORDER BY 1, 2";
static const char notes_raw_sql[] = "SELECT baton_import_raw_rows($1::jsonb, true)";

void import_result_free(struct import_result *r)
{
	for (size_t i = 0; i < r->nrejects; i++) {
		free(r->rejects[i].field);
		free(r->rejects[i].reason);
		free(r->rejects[i].raw);
	}
	free(r->rejects);
	free(r->replaced);
	free(r->unused);
	free(r->unmerged);
	for (size_t i = 0; i < r->nmoves; i++) {
		free(r->moves[i].record);
		free(r->moves[i].from_name);
		free(r->moves[i].to_name);
		free(r->moves[i].why);
	}
	free(r->moves);
	for (size_t i = 0; i < 2 * r->nmissing; i++)
		free(r->missing[i]);
	free(r->missing);
	memset(r, 0, sizeof *r);
}

void import_text_array(struct buf *out, char **v, size_t n)
{
	buf_putc(out, '{');
	for (size_t i = 0; i < n; i++) {
		buf_puts(out, i ? ",\"" : "\"");
		for (const char *p = v[i]; *p; p++) {
			if (*p == '"' || *p == '\\')
				buf_putc(out, '\\');
			buf_putc(out, *p);
		}
		buf_putc(out, '"');
	}
	buf_putc(out, '}');
}

/* The records of the file that moved to another customer (153), read
 * before a dry run is rolled back. */
static const char moves_sql[] =
	"SELECT count(*) OVER (), coalesce(m.label, m.source) || ' ' || m.source_id,"
	" m.from_customer, f.name, m.customer_id, t.name, m.identifiers"
	" FROM import_record_move m JOIN customer f ON f.id = m.from_customer"
	" JOIN customer t ON t.id = m.customer_id"
	" WHERE m.run_id = $1::uuid ORDER BY length(m.source_id), m.source_id LIMIT $2::integer";

static int read_moves(PGconn *c, const char *run, struct import_result *res, char *err, size_t errlen)
{
	char limit[16];
	snprintf(limit, sizeof limit, "%d", IMPORT_MOVES_LISTED);
	const char *p[] = {run, limit};
	PGresult *r = db_exec(c, moves_sql, 2, p, err, errlen);
	if (!r)
		return -1;
	int n = PQntuples(r);
	res->moved = n ? db_value_ll(r, 0, 0) : 0;
	res->moves = n ? calloc((size_t)n, sizeof *res->moves) : NULL;
	if (n && !res->moves)
		abort();
	for (int i = 0; i < n; i++, res->nmoves++) {
		struct import_move *m = &res->moves[i];
		m->record = db_value_dup(r, i, 1);
		m->from = db_value_ll(r, i, 2);
		m->from_name = db_value_dup(r, i, 3);
		m->to = db_value_ll(r, i, 4);
		m->to_name = db_value_dup(r, i, 5);
		m->why = db_value_dup(r, i, 6);
	}
	PQclear(r);
	return 0;
}

int import_apply(PGconn *c, const char *run, const char *spec, const struct import_config *ic, int notes_raw,
                 struct import_result *res, char *err, size_t errlen)
{
	struct buf shared = BUF_INIT;
	char crej[24];
	import_text_array(&shared, ic ? ic->shared_domains : NULL, ic ? ic->nshared : 0);
	snprintf(crej, sizeof crej, "%zu", res->nrejects);
	const char *p[] = {run, spec, buf_str(&shared), crej};
	PGresult *r = db_exec(c, apply_sql, 4, p, err, errlen);
	buf_free(&shared);
	if (!r)
		return -1;
	snprintf(res->entity, sizeof res->entity, "%s", PQgetvalue(r, 0, 0));
	res->read = db_value_ll(r, 0, 1);
	res->inserted = db_value_ll(r, 0, 2);
	res->updated = db_value_ll(r, 0, 3);
	res->unchanged = db_value_ll(r, 0, 4);
	res->rejected = db_value_ll(r, 0, 5);
	res->merged = db_value_ll(r, 0, 6);
	res->unused = db_value_dup_or_null(r, 0, 7);
	res->skipped = db_value_ll(r, 0, 8);
	res->unmerged = db_value_dup_or_null(r, 0, 9);
	PQclear(r);
	int notes = strcmp(res->entity, "customers") != 0;
	if (!notes && read_moves(c, run, res, err, errlen) < 0)
		return -1;
	if (notes && notes_raw) {
		r = db_exec(c, notes_raw_sql, 1, &spec, err, errlen);
		if (!r)
			return -1;
		PQclear(r);
	}
	r = db_exec(c, notes ? rejects_notes_sql : rejects_sql, 0, NULL, err, errlen);
	if (!r)
		return -1;
	int i = 0, n = PQntuples(r);
	for (; i < n && PQgetvalue(r, i, 0)[0] == 'f'; i++) {
		import_result_reject(res, db_value_ll(r, i, 1), PQgetvalue(r, i, 2), PQgetvalue(r, i, 3),
		                     PQgetvalue(r, i, 4), (size_t)PQgetlength(r, i, 4));
		if (PQgetvalue(r, i, 6)[0] == 't') {
			res->rejects[res->nrejects - 1].imported = 1;
			res->without_contact++;
		}
	}
	if (i < n) {
		res->replaced = malloc(2 * (size_t)(n - i) * sizeof *res->replaced);
		if (!res->replaced)
			abort();
		for (; i < n; i++, res->nreplaced++) {
			res->replaced[2 * res->nreplaced] = db_value_ll(r, i, 1);
			res->replaced[2 * res->nreplaced + 1] = db_value_ll(r, i, 5);
		}
	}
	PQclear(r);
	return 0;
}
