/* Values as people read them.  Nothing raw reaches a screen: no enum
 * spelling (on_track), no ISO timestamp. */
#ifndef BATON_FMT_H
#define BATON_FMT_H

#include <stddef.h>

/* Human age "3m", "5h", "2d", "3w", "4mo", "2y" for seconds (negative: "-"). */
void fmt_age(char *out, size_t n, long long secs);
/* "in 4h" / "4h over" style for a time left (negative: over). */
void fmt_left(char *out, size_t n, long long secs);
/* "2026-11-19..." -> "Nov 19" (panels: the year is implied). */
void fmt_day(char *out, size_t n, const char *iso);
/* "2026-11-19..." -> "19 Nov 2026" (details, renewal dates). */
void fmt_day_year(char *out, size_t n, const char *iso);
/* "2026-11-19 10:31:07+00" -> "19 Nov 2026 10:31". */
void fmt_when(char *out, size_t n, const char *iso);
/* A database word as words: "on_track" -> "on track". */
void fmt_words(char *out, size_t n, const char *word);
/* A word with a capital first letter (ASCII): a team id as the panels
 * show it, "support" -> "Support". */
void fmt_capital(char *out, size_t n, const char *id);
/* What goes before item i (from 0) of n in a list said in words, "a, b or
 * c": "", ", " or " or ". */
const char *fmt_list_sep(size_t i, size_t n);

#endif
