/* ASCII readings of non-ASCII characters, for terminals that are not UTF-8
 * (text_clean): a table, not iconv's //TRANSLIT, so that the result does not
 * depend on the C library or the locale. */
#include "baton/text.h"

#include <stddef.h>

/* Readable ASCII for the Latin letters with diacritics (Latin-1 Supplement
 * and Latin Extended-A, U+00C0..U+017F, one entry per code point), so that a
 * terminal that is not UTF-8 shows "Cafe Lumiere", not "Caf<U+00E9>". */
static const char *const text_latin[] = {
	/* U+00C0 */ "A", "A", "A", "A", "A", "A", "AE", "C", "E", "E", "E", "E", "I", "I", "I", "I",
	/* U+00D0 */ "D", "N", "O", "O", "O", "O", "O", "x", "O", "U", "U", "U", "U", "Y", "TH", "ss",
	/* U+00E0 */ "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
	/* U+00F0 */ "d", "n", "o", "o", "o", "o", "o", "/", "o", "u", "u", "u", "u", "y", "th", "y",
	/* U+0100 */ "A", "a", "A", "a", "A", "a", "C", "c", "C", "c", "C", "c", "C", "c", "D", "d",
	/* U+0110 */ "D", "d", "E", "e", "E", "e", "E", "e", "E", "e", "E", "e", "G", "g", "G", "g",
	/* U+0120 */ "G", "g", "G", "g", "H", "h", "H", "h", "I", "i", "I", "i", "I", "i", "I", "i",
	/* U+0130 */ "I", "i", "IJ", "ij", "J", "j", "K", "k", "k", "L", "l", "L", "l", "L", "l", "L",
	/* U+0140 */ "l", "L", "l", "N", "n", "N", "n", "N", "n", "'n", "N", "n", "O", "o", "O", "o",
	/* U+0150 */ "O", "o", "OE", "oe", "R", "r", "R", "r", "R", "r", "S", "s", "S", "s", "S", "s",
	/* U+0160 */ "S", "s", "T", "t", "T", "t", "T", "t", "U", "u", "U", "u", "U", "u", "U", "u",
	/* U+0170 */ "U", "u", "U", "u", "W", "w", "Y", "y", "Y", "Z", "z", "Z", "z", "Z", "z", "s",
};

/* Other characters with a common ASCII reading, in code point order:
 * Latin-1 signs, the Romanian comma-below letters, typographic
 * punctuation and spaces, arrows (a handoff's "Support → Success", which
 * a query writes) and the minus sign. */
static const struct {
	uint32_t cp;
	const char *ascii;
} text_other[] = {
	{0x00A0, " "}, {0x00A1, "!"}, {0x00A9, "(C)"}, {0x00AB, "<<"}, {0x00AD, ""},
	{0x00AE, "(R)"}, {0x00B1, "+/-"}, {0x00B4, "'"}, {0x00B7, "."}, {0x00BB, ">>"},
	{0x00BC, "1/4"}, {0x00BD, "1/2"}, {0x00BE, "3/4"}, {0x00BF, "?"},
	{0x0218, "S"}, {0x0219, "s"}, {0x021A, "T"}, {0x021B, "t"},
	{0x2002, " "}, {0x2003, " "}, {0x2009, " "}, {0x200B, ""},
	{0x2010, "-"}, {0x2011, "-"}, {0x2012, "-"}, {0x2013, "-"}, {0x2014, "--"}, {0x2015, "--"},
	{0x2018, "'"}, {0x2019, "'"}, {0x201A, ","}, {0x201B, "'"},
	{0x201C, "\""}, {0x201D, "\""}, {0x201E, "\""}, {0x2022, "*"}, {0x2026, "..."},
	{0x2032, "'"}, {0x2033, "\""}, {0x2039, "<"}, {0x203A, ">"}, {0x20AC, "EUR"},
	{0x2122, "(TM)"}, {0x2190, "<-"}, {0x2191, "^"}, {0x2192, "->"}, {0x2193, "v"}, {0x2212, "-"},
};

const char *text_ascii_for(uint32_t cp)
{
	if (cp >= 0xC0 && cp <= 0x17F)
		return text_latin[cp - 0xC0];
	if (cp >= 0x300 && cp <= 0x36F)
		return "";
	size_t lo = 0, hi = sizeof text_other / sizeof *text_other;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (text_other[mid].cp == cp)
			return text_other[mid].ascii;
		if (text_other[mid].cp < cp)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

