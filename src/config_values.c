/* The values settings take, also used outside the configuration:
 * priorities by name and durations; the start screen and the read
 * connection. */
#include "baton/config.h"
#include "baton/db.h"
#include "config_priv.h"

#include <errno.h>
#include <stdio.h>
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

void config_format_minutes(char *out, size_t n, int minutes)
{
	if (minutes > 0 && minutes % (24 * 60) == 0)
		snprintf(out, n, "%dd", minutes / (24 * 60));
	else if (minutes > 0 && minutes % 60 == 0)
		snprintf(out, n, "%dh", minutes / 60);
	else
		snprintf(out, n, "%dm", minutes);
}

int config_read_start_screen(struct reader *r, const config_setting_t *s, enum start_screen *out)
{
	static const struct { const char *name; enum start_screen v; } screens[] = {
		{"finder", START_FINDER}, {"queue", START_QUEUE}, {"signals", START_SIGNALS},
		{"marketing", START_MARKETING},
	};
	const char *v = config_setting_type(s) == CONFIG_TYPE_STRING ? config_setting_get_string(s) : NULL;
	for (size_t i = 0; v && i < sizeof screens / sizeof *screens; i++)
		if (!strcmp(v, screens[i].name)) {
			*out = screens[i].v;
			return 0;
		}
	return config_fail(r, s, "setting 'ui.start_screen' must be \"finder\", \"queue\", \"signals\" or \"marketing\"");
}

/* database.read_conninfo: checked as -d is, so a typo is an error naming
 * the line now rather than a standby that is silently never used.  An
 * empty string turns a system file's read_conninfo off. */
int config_read_conninfo(struct reader *r, const config_setting_t *s, char **out)
{
	char err[256];
	if (config_take_string(r, s, out) < 0)
		return -1;
	if (db_conninfo_check(*out, err, sizeof err) < 0)
		return config_fail(r, s, "setting 'database.%s': %s", config_setting_name(s), err);
	if (!**out) {
		free(*out);
		*out = NULL;
	}
	return 0;
}
