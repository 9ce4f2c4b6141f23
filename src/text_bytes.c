/* Byte-level helpers that need no decoding tables: C strings cut between
 * characters, whole decimal numbers, and the character steps of typed
 * text.  The cleaning and measuring of text is text.c's. */
#include "baton/text.h"

#include <limits.h>
#include <stdint.h>
#include <string.h>

void text_copy(char *dst, size_t n, const char *s)
{
	if (!n)
		return;
	size_t len = s ? strlen(s) : 0;
	if (len > n - 1) {
		len = n - 1;
		/* s[len], the first byte left out, continues a character: that
		 * character is left out whole. */
		while (len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80)
			len--;
	}
	if (len)
		memcpy(dst, s, len);
	dst[len] = '\0';
}

int text_to_ll(const char *s, long long min, long long max, long long *out)
{
	long long v = 0;
	int big = 0;
	if (!s || !*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		/* Past LLONG_MAX the digits still have to be digits: keep
		 * reading, remember it is too big. */
		if (!big && v > (LLONG_MAX - (*s - '0')) / 10)
			big = 1;
		else if (!big)
			v = v * 10 + (*s - '0');
	}
	if (big || v < min || v > max)
		return -2;
	*out = v;
	return 0;
}

int text_utf8_encode(uint32_t cp, char out[4])
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		if (cp >= 0xD800 && cp <= 0xDFFF)
			return 0;
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	if (cp > 0x10FFFF)
		return 0;
	out[0] = (char)(0xF0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

size_t text_utf8_prev(const char *s, size_t i)
{
	while (i > 0 && ((unsigned char)s[--i] & 0xC0) == 0x80)
		;
	return i;
}

size_t text_utf8_next(const char *s, size_t n, size_t i)
{
	if (i < n)
		i++;
	while (i < n && ((unsigned char)s[i] & 0xC0) == 0x80)
		i++;
	return i;
}
