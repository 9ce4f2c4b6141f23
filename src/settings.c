#include "baton/settings.h"
#include "baton/buf.h"
#include "baton/config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void settings_statements(struct db_stmt out[SETTINGS_STMTS])
{
	static const char *const none[1] = {NULL};
	out[0] = (struct db_stmt){"SELECT key, value, accepts, about FROM baton_setting ORDER BY key", 0, none};
	out[1] = (struct db_stmt){"SELECT name FROM handoff_reason ORDER BY position, name", 0, none};
	out[2] = (struct db_stmt){
		"SELECT priority, team, minutes FROM ("
		" SELECT s.priority, NULL::text AS team, s.minutes FROM ack_sla s"
		" UNION ALL SELECT t.priority, t.team_id, t.minutes FROM ack_sla_team t) x"
		" ORDER BY baton_priority_rank(priority),"
		" team NULLS FIRST", 0, none};
	out[3] = (struct db_stmt){
		"SELECT count(*) FILTER (WHERE builtin), string_agg(domain, ', ' ORDER BY domain) FILTER (WHERE NOT builtin),"
		" coalesce(json_agg(domain ORDER BY domain) FILTER (WHERE NOT builtin), '[]')"
		" FROM baton_shared_domain", 0, none};
}

const char settings_set_sql[] = "SELECT baton_setting_set($1, $2)";
const char settings_reason_add_sql[] = "SELECT baton_reason_add($1)";
const char settings_reason_remove_sql[] = "SELECT baton_reason_remove($1)";
const char settings_shared_domain_add_sql[] = "SELECT baton_shared_domain_add($1)";
const char settings_shared_domain_remove_sql[] = "SELECT baton_shared_domain_remove($1)";
const char settings_sla_sql[] = "SELECT baton_sla_set($1, $2::integer, $3)";

/* --- importing an old configuration ---------------------------------------------- */

/* Never changed: no audit row for the tables ($1, comma-separated) or,
 * with $2, for that row of them.  The defaults of migration 006 were
 * written before its audit triggers. */
static const char pristine_sql[] =
	"SELECT NOT EXISTS (SELECT 1 FROM baton_audit a WHERE a.entity = ANY (string_to_array($1, ','))"
	" AND ($2 = '' OR a.entity_id = $2))";

/* Reasons travel as one parameter, one per line (a reason has no newline). */
static const char reasons_same_sql[] =
	"SELECT coalesce(string_agg(name, E'\\n' ORDER BY position), '') = $1 FROM handoff_reason";
static const char reasons_clear_sql[] = "DELETE FROM handoff_reason";
static const char reasons_insert_sql[] =
	"INSERT INTO handoff_reason (name, position)"
	" SELECT r, i FROM unnest(string_to_array($1, E'\\n')) WITH ORDINALITY AS u(r, i)";

static const char max_note_same_sql[] =
	"SELECT value = $1 FROM baton_setting WHERE key = 'max_note_bytes'";
static const char max_note_set_sql[] =
	"UPDATE baton_setting SET value = $1 WHERE key = 'max_note_bytes'";

/* $1 team ('' : the priority's own), $2 priority, $3 minutes.  A team the
 * database does not have has nothing to import. */
static const char sla_same_sql[] =
	"SELECT CASE WHEN $1 = '' THEN (SELECT minutes FROM ack_sla WHERE priority = $2)"
	" ELSE (SELECT minutes FROM ack_sla_team WHERE team_id = $1 AND priority = $2) END"
	" IS NOT DISTINCT FROM $3::integer OR ($1 <> '' AND NOT EXISTS (SELECT 1 FROM team WHERE id = $1))";
static const char sla_set_sql[] =
	"UPDATE ack_sla SET minutes = $3::integer WHERE priority = $2 AND $1 = ''";
static const char sla_team_set_sql[] =
	"INSERT INTO ack_sla_team (team_id, priority, minutes)"
	" SELECT $1, $2, $3::integer WHERE EXISTS (SELECT 1 FROM team WHERE id = $1)"
	" ON CONFLICT (team_id, priority) DO UPDATE SET minutes = EXCLUDED.minutes";

/* The first value of a one-row answer is true: 1, 0, or -1 with err. */
static int query_true(PGconn *c, const char *sql, int n, const char *const *p, char *err, size_t errlen)
{
	PGresult *r = db_exec(c, sql, n, p, err, errlen);
	if (!r)
		return -1;
	int yes = PQntuples(r) == 1 && PQgetvalue(r, 0, 0)[0] == 't';
	PQclear(r);
	return yes;
}

/* Rows a write changed, -1 with err. */
static int write_rows(PGconn *c, const char *sql, int n, const char *const *p, char *err, size_t errlen)
{
	PGresult *r = db_exec(c, sql, n, p, err, errlen);
	if (!r)
		return -1;
	int rows = atoi(PQcmdTuples(r));
	PQclear(r);
	return rows;
}

/* The SLAs of the moved setting `which` (handoff.ack_sla: the general
 * ones, or handoff.ack_sla_team: the teams'): with write, set each and
 * count them; without, count those that differ from the database's.  -1
 * with err. */
static int slas_apply(PGconn *c, const struct config_moved *m, int which, int write, char *err,
                      size_t errlen)
{
	int n = 0;
	size_t first = which == MOVED_ACK_SLA ? 0 : 1, last = which == MOVED_ACK_SLA ? 0 : m->nteam_sla;
	for (size_t t = first; t <= last; t++) {
		const char *team = t == 0 ? "" : m->team_sla[t - 1].team;
		const int *min = t == 0 ? m->ack_sla_min : m->team_sla[t - 1].min;
		for (int p = 0; p < PRIO_COUNT; p++) {
			char mins[16];
			if (min[p] <= 0)
				continue;
			snprintf(mins, sizeof mins, "%d", min[p]);
			const char *params[] = {team, priority_name((enum priority)p), mins};
			int rc = write ? write_rows(c, t ? sla_team_set_sql : sla_set_sql, 3, params, err, errlen)
			               : query_true(c, sla_same_sql, 3, params, err, errlen);
			if (rc < 0)
				return -1;
			n += write ? rc : !rc;
		}
	}
	return n;
}

/* One moved setting to import: its name, where a file set it, and whether
 * its tables still hold the defaults. */
struct area {
	const char *name, *at;
	const char *tables, *row; /* for pristine_sql */
	int pristine;
};

/* Whether the database already has the file's values: 1, 0, -1 with err. */
static int area_same(PGconn *c, const struct config_moved *m, int which, const char *reasons,
                     char *err, size_t errlen)
{
	char bytes[16];
	snprintf(bytes, sizeof bytes, "%d", m->max_note_bytes);
	const char *p[] = {which == MOVED_REASONS ? reasons : bytes};
	if (which == MOVED_REASONS)
		return query_true(c, reasons_same_sql, 1, p, err, errlen);
	if (which == MOVED_MAX_NOTE)
		return query_true(c, max_note_same_sql, 1, p, err, errlen);
	int differ = slas_apply(c, m, which, 0, err, errlen);
	return differ < 0 ? -1 : differ == 0;
}

/* Write them: the rows written, -1 with err. */
static int area_import(PGconn *c, const struct config_moved *m, int which, const char *reasons,
                       char *err, size_t errlen)
{
	char bytes[16];
	snprintf(bytes, sizeof bytes, "%d", m->max_note_bytes);
	if (which == MOVED_REASONS) {
		const char *p[] = {reasons};
		if (write_rows(c, reasons_clear_sql, 0, NULL, err, errlen) < 0)
			return -1;
		return write_rows(c, reasons_insert_sql, 1, p, err, errlen);
	}
	if (which == MOVED_MAX_NOTE) {
		const char *p[] = {bytes};
		return write_rows(c, max_note_set_sql, 1, p, err, errlen);
	}
	return slas_apply(c, m, which, 1, err, errlen);
}

/* Look at and import each area found in a file; the count imported. */
static int import_areas(PGconn *c, const struct config_moved *m, struct area *areas,
                        void (*say)(const char *), char *err, size_t errlen)
{
	struct buf reasons = BUF_INIT, line = BUF_INIT;
	int imported = 0;
	for (size_t i = 0; i < m->nreasons; i++)
		buf_printf(&reasons, "%s%s", i ? "\n" : "", m->reasons[i]);
	for (int a = 0; a < MOVED_COUNT && imported >= 0; a++) {
		if (!areas[a].at)
			continue;
		int same = area_same(c, m, a, buf_str(&reasons), err, errlen);
		buf_reset(&line);
		if (same < 0) {
			imported = -1;
		} else if (same) {
			buf_printf(&line, "%s (%s): the database already has it; nothing to import",
			           areas[a].name, areas[a].at);
		} else if (!areas[a].pristine) {
			buf_printf(&line, "%s (%s) not imported: the database's has been changed since "
			           "('baton settings' shows it)", areas[a].name, areas[a].at);
		} else if (area_import(c, m, a, buf_str(&reasons), err, errlen) < 0) {
			imported = -1;
		} else {
			buf_printf(&line, "%s (%s) imported into the database", areas[a].name, areas[a].at);
			imported++;
		}
		if (imported >= 0)
			say(buf_str(&line));
	}
	buf_free(&reasons);
	buf_free(&line);
	return imported;
}

int settings_import(PGconn *c, const struct config *cfg, void (*say)(const char *line),
                    char *err, size_t errlen)
{
	const struct config_moved *m = &cfg->moved;
	struct area areas[MOVED_COUNT] = {
		[MOVED_REASONS] = {NULL, NULL, "handoff_reason", "", 0},
		[MOVED_MAX_NOTE] = {NULL, NULL, "baton_setting", "max_note_bytes", 0},
		[MOVED_ACK_SLA] = {NULL, NULL, "ack_sla,ack_sla_team", "", 0},
		[MOVED_ACK_SLA_TEAM] = {NULL, NULL, "ack_sla,ack_sla_team", "", 0},
	};
	int any = 0;
	for (int a = 0; a < MOVED_COUNT; a++) {
		areas[a].name = config_moved_name((enum moved_setting)a);
		areas[a].at = m->at[a];
		any |= m->at[a] != NULL;
	}
	if (!any)
		return 0;
	if (write_rows(c, "BEGIN", 0, NULL, err, errlen) < 0)
		return -1;
	/* Before any write: importing the priorities' SLAs must not make the
	 * teams' look changed. */
	int imported = 0;
	for (int a = 0; a < MOVED_COUNT && imported == 0; a++) {
		const char *p[] = {areas[a].tables, areas[a].row};
		areas[a].pristine = query_true(c, pristine_sql, 2, p, err, errlen);
		if (areas[a].pristine < 0)
			imported = -1;
	}
	if (imported == 0)
		imported = import_areas(c, m, areas, say, err, errlen);
	if (imported < 0 || write_rows(c, "COMMIT", 0, NULL, err, errlen) < 0) {
		PQclear(PQexec(c, "ROLLBACK"));
		return -1;
	}
	return imported;
}
