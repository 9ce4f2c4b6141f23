/* The values settings take, also used outside the configuration:
 * priorities by name, durations, and the acknowledgement minutes a team
 * and priority come to. */
#include "baton/config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *const prio_names[PRIO_COUNT] = {"urgent", "high", "normal", "low"};

const char *priority_name(enum priority p)
{
	return (unsigned)p < PRIO_COUNT ? prio_names[p] : "?";
}

int priority_from_name(const char *s)
{
	for (int i = 0; s && i < PRIO_COUNT; i++)
		if (strcmp(s, prio_names[i]) == 0)
			return i;
	return -1;
}

int config_parse_minutes(const char *s)
{
	if (!s || !*s)
		return -1;
	errno = 0;
	char *end;
	long v = strtol(s, &end, 10);
	if (errno || end == s || v < 0)
		return -1;
	long mult;
	if (*end == '\0' || strcmp(end, "m") == 0)
		mult = 1;
	else if (strcmp(end, "h") == 0)
		mult = 60;
	else if (strcmp(end, "d") == 0)
		mult = 24 * 60;
	else if (strcmp(end, "s") == 0) {
		if (v % 60)
			return -1;
		v /= 60;
		mult = 1;
	} else {
		return -1;
	}
	if (v > 365L * 24 * 60 / mult)
		return -1;
	return (int)(v * mult);
}

int config_ack_minutes(const struct config *cfg, const char *team, const char *priority)
{
	int p = priority_from_name(priority);
	if (p < 0)
		p = PRIO_NORMAL;
	for (size_t i = 0; team && i < cfg->nteam_sla; i++)
		if (!strcmp(cfg->team_sla[i].team, team) && cfg->team_sla[i].min[p] > 0)
			return cfg->team_sla[i].min[p];
	return cfg->ack_sla_min[p];
}
