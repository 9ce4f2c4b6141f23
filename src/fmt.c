/* Values as people read them: ages, time left, days and database words. */
#include "baton/fmt.h"

#include <stdio.h>
#include <string.h>

void fmt_age(char *out, size_t n, long long s)
{
	if (s < 0)
		snprintf(out, n, "-");
	else if (s < 3600)
		snprintf(out, n, "%lldm", s / 60);
	else if (s < 86400)
		snprintf(out, n, "%lldh", s / 3600);
	else if (s < 14 * 86400)
		snprintf(out, n, "%lldd", s / 86400);
	else if (s < 60 * 86400)
		snprintf(out, n, "%lldw", s / (7 * 86400));
	else if (s < 730 * 86400)
		snprintf(out, n, "%lldmo", s / (30 * 86400));
	else
		snprintf(out, n, "%lldy", s / (365 * 86400));
}

void fmt_left(char *out, size_t n, long long s)
{
	char a[16];
	fmt_age(a, sizeof a, s < 0 ? -s : s);
	if (s < 0)
		snprintf(out, n, "%s over", a);
	else
		snprintf(out, n, "in %s", a);
}

static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

void fmt_day(char *out, size_t n, const char *iso)
{
	int y, m, d;
	if (iso && sscanf(iso, "%d-%d-%d", &y, &m, &d) == 3 && m >= 1 && m <= 12)
		snprintf(out, n, "%s %02d", months[m - 1], d);
	else
		snprintf(out, n, "%s", iso ? iso : "");
}

void fmt_day_year(char *out, size_t n, const char *iso)
{
	int y, m, d;
	if (iso && sscanf(iso, "%d-%d-%d", &y, &m, &d) == 3 && m >= 1 && m <= 12)
		snprintf(out, n, "%d %s %d", d, months[m - 1], y);
	else
		snprintf(out, n, "%s", iso ? iso : "");
}

void fmt_when(char *out, size_t n, const char *iso)
{
	int y, m, d, hh, mm;
	if (iso && sscanf(iso, "%d-%d-%d %d:%d", &y, &m, &d, &hh, &mm) == 5 && m >= 1 && m <= 12)
		snprintf(out, n, "%d %s %d %02d:%02d", d, months[m - 1], y, hh, mm);
	else
		fmt_day_year(out, n, iso);
}

void fmt_words(char *out, size_t n, const char *word)
{
	snprintf(out, n, "%s", word ? word : "");
	for (char *p = out; *p; p++)
		if (*p == '_')
			*p = ' ';
}

void fmt_capital(char *out, size_t n, const char *id)
{
	snprintf(out, n, "%s", id ? id : "");
	if (out[0] >= 'a' && out[0] <= 'z')
		out[0] = (char)(out[0] - 'a' + 'A');
}

const char *fmt_list_sep(size_t i, size_t n)
{
	return i == 0 ? "" : i + 1 == n ? " or " : ", ";
}
