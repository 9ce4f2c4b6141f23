/* The handoff group of older configuration files.  Its reasons, largest
 * note and acknowledgement SLAs moved to the database (migration 006):
 * one client's file cannot decide rules every client must share.  A file
 * that still has them keeps working: each one is read (so that `baton
 * migrate` can import it once) and earns a warning naming its file and
 * line, never an error, so nobody is locked out by an old file. */
#include "baton/config.h"
#include "baton/handoff.h"
#include "baton/team.h"
#include "config_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const moved_names[MOVED_COUNT] = {
	"handoff.reasons", "handoff.max_note_bytes", "handoff.ack_sla", "handoff.ack_sla_team",
};

const char *config_moved_name(enum moved_setting m)
{
	return (unsigned)m < MOVED_COUNT ? moved_names[m] : "?";
}

void config_moved_free(struct config_moved *m)
{
	for (size_t i = 0; i < m->nreasons; i++)
		free(m->reasons[i]);
	for (int i = 0; i < MOVED_COUNT; i++)
		free(m->at[i]);
	memset(m, 0, sizeof *m);
}

/* Remember where m was set, and say that it moved. */
static void moved_here(struct reader *r, const config_setting_t *s, struct config *cfg,
                       enum moved_setting m)
{
	char at[4200], msg[4600];
	snprintf(at, sizeof at, "%s:%u", r->path, config_setting_source_line(s));
	free(cfg->moved.at[m]);
	cfg->moved.at[m] = config_strdup(at);
	if (cfg->nwarnings == CONFIG_MAX_WARNINGS)
		return;
	snprintf(msg, sizeof msg, "%s: %s has moved to the database, where every client obeys the same "
	         "rules: 'baton migrate' imports it once, 'baton settings' shows and changes it; "
	         "remove it from this file", at, moved_names[m]);
	cfg->warnings[cfg->nwarnings++] = config_strdup(msg);
}

static int read_reasons(struct reader *r, const config_setting_t *s, struct config_moved *m)
{
	if (config_setting_type(s) != CONFIG_TYPE_ARRAY && config_setting_type(s) != CONFIG_TYPE_LIST)
		return config_fail(r, s, "setting 'handoff.reasons' must be a list of strings [\"a\", \"b\"]");
	int n = config_setting_length(s);
	if (n < 1 || n > CONFIG_MAX_REASONS)
		return config_fail(r, s, "setting 'handoff.reasons' must have 1 to %d entries", CONFIG_MAX_REASONS);
	for (size_t i = 0; i < m->nreasons; i++)
		free(m->reasons[i]);
	m->nreasons = 0;
	for (int i = 0; i < n; i++) {
		config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		const char *v = config_setting_get_string(e);
		if (!v || !handoff_reason_valid(v))
			return config_fail(r, e, "handoff.reasons[%d] must be 1-40 lower-case letters, digits, spaces, '-' or '_'", i);
		m->reasons[m->nreasons++] = config_strdup(v);
	}
	return 0;
}

static int read_minutes(struct reader *r, const config_setting_t *s, int *out)
{
	char path[128];
	config_setting_path(s, path, sizeof path);
	int t = config_setting_type(s);
	int v = -1;
	if (t == CONFIG_TYPE_STRING)
		v = config_parse_minutes(config_setting_get_string(s));
	else if (t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64) {
		long long m = config_setting_get_int64(s);
		v = (m >= 0 && m <= 365LL * 24 * 60) ? (int)m : -1;
	}
	if (v <= 0)
		return config_fail(r, s, "setting '%s' must be a duration such as \"30m\", \"4h\" or \"2d\"", path);
	*out = v;
	return 0;
}

/* { urgent = "30m"; high = "2h"; }: the priorities it names into min[]. */
static int read_priorities(struct reader *r, const config_setting_t *g, int min[PRIO_COUNT])
{
	if (config_want_group(r, g) < 0)
		return -1;
	for (int j = 0; j < config_setting_length(g); j++) {
		config_setting_t *e = config_setting_get_elem(g, (unsigned)j);
		int p = priority_from_name(config_setting_name(e));
		if (p < 0 ? config_unknown(r, e) : read_minutes(r, e, &min[p]))
			return -1;
	}
	return 0;
}

/* handoff.ack_sla_team: { support: { urgent = "30m"; }; ... } */
static int read_team_slas(struct reader *r, const config_setting_t *g, struct config_moved *m)
{
	if (config_want_group(r, g) < 0)
		return -1;
	m->nteam_sla = 0;
	for (int i = 0; i < config_setting_length(g); i++) {
		config_setting_t *t = config_setting_get_elem(g, (unsigned)i);
		const char *team = config_setting_name(t);
		if (!team_id_valid(team))
			return config_fail(r, t, "handoff.ack_sla_team: '%s' is not a team id (lower-case, as in the team table)", team);
		if (m->nteam_sla == CONFIG_MAX_TEAM_SLAS)
			return config_fail(r, t, "handoff.ack_sla_team: at most %d teams", CONFIG_MAX_TEAM_SLAS);
		struct team_sla *ts = &m->team_sla[m->nteam_sla++];
		memset(ts, 0, sizeof *ts);
		snprintf(ts->team, sizeof ts->team, "%s", team);
		if (read_priorities(r, t, ts->min) < 0)
			return -1;
	}
	return 0;
}

int config_read_moved(struct reader *r, const config_setting_t *g, struct config *cfg)
{
	struct config_moved *m = &cfg->moved;
	for (int i = 0; i < config_setting_length(g); i++) {
		config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
		const char *n = config_setting_name(s);
		int rc, which = -1;
		for (int k = 0; k < MOVED_COUNT && which < 0; k++)
			if (!strcmp(n, moved_names[k] + strlen("handoff.")))
				which = k;
		if (which == MOVED_REASONS)
			rc = read_reasons(r, s, m);
		else if (which == MOVED_MAX_NOTE)
			rc = config_read_int(r, s, 64, 65536, &m->max_note_bytes);
		else if (which == MOVED_ACK_SLA)
			rc = read_priorities(r, s, m->ack_sla_min);
		else if (which == MOVED_ACK_SLA_TEAM)
			rc = read_team_slas(r, s, m);
		else
			rc = config_unknown(r, s);
		if (rc < 0)
			return -1;
		moved_here(r, s, cfg, (enum moved_setting)which);
	}
	return 0;
}
