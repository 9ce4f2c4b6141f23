/* Unit tests for src/text.c: database text made safe for the terminal. */
#include "baton/text.h"

#include <limits.h>
#include <locale.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

/* One scratch buffer for results; each helper call overwrites it, so use
 * one helper call per CHECK. */
static struct buf scratch = BUF_INIT;

static const char *clean_n(const char *s, size_t n, int flags)
{
	buf_reset(&scratch);
	text_clean(&scratch, s, n, flags);
	return buf_str(&scratch);
}

static const char *clean1(const char *s)
{
	return clean_n(s, strlen(s), TEXT_ONELINE);
}

static const char *cleanm(const char *s)
{
	return clean_n(s, strlen(s), TEXT_MULTILINE);
}

static const char *fit(const char *s, int cols, int pad, int *width)
{
	buf_reset(&scratch);
	*width = text_fit(&scratch, s, cols, pad);
	return buf_str(&scratch);
}

static const char *json(const char *s)
{
	buf_reset(&scratch);
	text_json_string(&scratch, s);
	return buf_str(&scratch);
}

/*
 * An independent strict UTF-8 check (Unicode table 3-7), so the property
 * tests do not trust the decoder they are testing. Also rejects what must
 * never reach a terminal: C0 (but '\n' when allowed), DEL, C1, bidi
 * controls and U+2028/U+2029.
 */
static uint32_t next_cp(const unsigned char *p, size_t n, size_t *len)
{
	unsigned char c = p[0];
	*len = 0;
	if (c < 0x80) {
		*len = 1;
		return c;
	}
	if (c >= 0xc2 && c <= 0xdf && n >= 2 && p[1] >= 0x80 && p[1] <= 0xbf) {
		*len = 2;
		return (uint32_t)(c & 0x1f) << 6 | (p[1] & 0x3f);
	}
	if (c >= 0xe0 && c <= 0xef && n >= 3) {
		unsigned char lo = c == 0xe0 ? 0xa0 : 0x80;
		unsigned char hi = c == 0xed ? 0x9f : 0xbf;
		if (p[1] >= lo && p[1] <= hi && p[2] >= 0x80 && p[2] <= 0xbf) {
			*len = 3;
			return (uint32_t)(c & 0x0f) << 12 |
			       (uint32_t)(p[1] & 0x3f) << 6 | (p[2] & 0x3f);
		}
	}
	if (c >= 0xf0 && c <= 0xf4 && n >= 4) {
		unsigned char lo = c == 0xf0 ? 0x90 : 0x80;
		unsigned char hi = c == 0xf4 ? 0x8f : 0xbf;
		if (p[1] >= lo && p[1] <= hi && p[2] >= 0x80 && p[2] <= 0xbf &&
		    p[3] >= 0x80 && p[3] <= 0xbf) {
			*len = 4;
			return (uint32_t)(c & 0x07) << 18 |
			       (uint32_t)(p[1] & 0x3f) << 12 |
			       (uint32_t)(p[2] & 0x3f) << 6 | (p[3] & 0x3f);
		}
	}
	return 0;
}

static int is_forbidden(uint32_t cp, int newline_ok)
{
	if (cp == '\n')
		return !newline_ok;
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x061c ||
	       cp == 0x200e || cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069) || cp == 0x2028 || cp == 0x2029;
}

/* 1 when s[0..n) is valid UTF-8 with nothing that can drive a terminal. */
static int is_terminal_safe(const char *s, size_t n, int newline_ok)
{
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0; i < n;) {
		size_t len;
		uint32_t cp = next_cp(p + i, n - i, &len);
		if (len == 0 || is_forbidden(cp, newline_ok))
			return 0;
		i += len;
	}
	return 1;
}

static void test_clean_csi_clear_screen(void)
{
	const char *got = clean1("a\x1b[2Jb");
	CHECK_STR(got, "a\xe2\x90\x9b[2Jb"); /* ␛ */
	CHECK(strchr(got, 0x1b) == NULL);
	CHECK_STR(clean1("\x1b[31mred\x1b[0m"), "␛[31mred␛[0m");
}

static void test_clean_osc52_clipboard(void)
{
	const char *got = clean1("x\x1b]52;c;cm0gLXJmIH4=\x07y");
	CHECK_STR(got, "x␛]52;c;cm0gLXJmIH4=␇y");
	CHECK(strchr(got, 0x1b) == NULL);
	CHECK(strchr(got, 0x07) == NULL);
}

static void test_clean_osc0_title(void)
{
	const char *got = clean1("\x1b]0;owned\x07");
	CHECK_STR(got, "␛]0;owned␇");
	CHECK(strchr(got, 0x1b) == NULL && strchr(got, 0x07) == NULL);
	/* terminated by ST (ESC \) instead of BEL */
	got = cleanm("\x1b]0;owned\x1b\\");
	CHECK_STR(got, "␛]0;owned␛\\");
	CHECK(strchr(got, 0x1b) == NULL);
}

static void test_clean_c1_code_points(void)
{
	CHECK_STR(clean1("\xc2\x9b" "2J"), "<U+009B>2J");  /* C1 CSI */
	CHECK_STR(clean1("\xc2\x9d" "0;t"), "<U+009D>0;t"); /* C1 OSC */
	CHECK_STR(clean1("a\xc2\x85" "b"), "a<U+0085>b");   /* NEL */
	CHECK_STR(clean1("\xc2\x80\xc2\x9f"), "<U+0080><U+009F>");
	CHECK_STR(clean1("\xc2\xa0"), "\xc2\xa0"); /* NBSP is printable */
}

static void test_clean_raw_c1_byte(void)
{
	const char *got = clean1("\x9b" "2J");
	CHECK_STR(got, "\xef\xbf\xbd" "2J"); /* � */
	CHECK(strchr(got, (char)0x9b) == NULL);
	CHECK_STR(clean1("\x9d\x90\x8d"), "���");
}

static void test_clean_oneline_controls(void)
{
	CHECK_STR(clean1("abc\rX"), "abc X");
	CHECK_STR(clean1("a\r\nb"), "a b");
	CHECK_STR(clean1("a\nb"), "a b");
	CHECK_STR(clean1("a\n\rb"), "a  b");
	CHECK_STR(clean1("ab\bc"), "ab␈c");
	CHECK_STR(clean1("a\tb"), "a b");
	CHECK_STR(clean1("a\t\tb"), "a  b");
	CHECK_STR(clean1("\x01\x1f\x7f"), "␁␟␡");
	CHECK_STR(clean1("\x0b\x0c"), "␋␌");
}

static void test_clean_multiline_controls(void)
{
	CHECK_STR(cleanm("a\r\nb\rc\nd"), "a\nb\nc\nd");
	CHECK_STR(cleanm("a\n\rb"), "a\n\nb");
	CHECK_STR(cleanm("a\r\r\nb"), "a\n\nb");
	CHECK_STR(cleanm("a\r"), "a\n");
	CHECK_STR(cleanm("ab\bc"), "ab␈c");
	CHECK_STR(cleanm("\x1b[1A"), "␛[1A");
}

static void test_clean_multiline_tabs(void)
{
	CHECK_STR(cleanm("\tx"), "        x");
	CHECK_STR(cleanm("a\tb"), "a       b");
	CHECK_STR(cleanm("1234567\tx"), "1234567 x");
	CHECK_STR(cleanm("12345678\tx"), "12345678        x");
	CHECK_STR(cleanm("a\tb\tc"), "a       b       c");
	/* columns are display width, not bytes or code points */
	CHECK_STR(cleanm("日本\tx"), "日本    x");
	CHECK_STR(cleanm("e\xcc\x81\tx"), "e\xcc\x81       x");
	/* what replaced a control counts at its shown width */
	CHECK_STR(cleanm("\x1b\tx"), "␛       x");
	CHECK_STR(cleanm("\xe2\x80\xae\tx"), "<U+202E>        x");
	/* tab stops restart after every kind of newline */
	CHECK_STR(cleanm("abc\n\tx"), "abc\n        x");
	CHECK_STR(cleanm("abc\r\tx"), "abc\n        x");
	CHECK_STR(cleanm("abc\r\n\tx"), "abc\n        x");
}

static void test_clean_nul_and_length(void)
{
	CHECK_STR(clean_n("a\0b", 3, TEXT_ONELINE), "a␀b");
	CHECK_STR(clean_n("abc", 2, TEXT_ONELINE), "ab");
	CHECK_STR(clean_n("", 0, TEXT_ONELINE), "");
	/* a multi-byte sequence cut by n is truncated, not read past n */
	CHECK_STR(clean_n("\xe6\x97\xa5", 2, TEXT_ONELINE), "��");
}

static void test_clean_appends(void)
{
	struct buf b = BUF_INIT;
	buf_puts(&b, "name: ");
	text_clean(&b, "\x1b" "x", 2, TEXT_ONELINE);
	CHECK_STR(buf_str(&b), "name: ␛x");
	buf_free(&b);

	text_clean(&b, "", 0, TEXT_ONELINE);
	CHECK(b.data != NULL && b.data[0] == '\0');
	buf_free(&b);
}

static void test_clean_bidi(void)
{
	CHECK_STR(clean1("abc\xe2\x80\xae" "fdp.exe"), "abc<U+202E>fdp.exe");
	CHECK_STR(clean1("\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad"),
		  "<U+202A><U+202B><U+202C><U+202D>");
	CHECK_STR(clean1("\xe2\x81\xa6\xe2\x81\xa7\xe2\x81\xa8\xe2\x81\xa9"),
		  "<U+2066><U+2067><U+2068><U+2069>");
	CHECK_STR(clean1("\xd8\x9c"), "<U+061C>");
	CHECK_STR(clean1("\xe2\x80\x8e\xe2\x80\x8f"), "<U+200E><U+200F>");
	CHECK_STR(clean1("a\xe2\x80\xa8" "b\xe2\x80\xa9"), "a<U+2028>b<U+2029>");
	/* hazards stay visible in multi-line text too */
	CHECK_STR(cleanm("\xe2\x80\xae"), "<U+202E>");
}

static void test_clean_nonprintable_code_points(void)
{
	CHECK_STR(clean1("\xcd\xb8"), "<U+0378>");          /* unassigned */
	CHECK_STR(clean1("\xf4\x8f\xbf\xbf"), "<U+10FFFF>"); /* non-character */
}

static void test_clean_invalid_utf8(void)
{
	CHECK_STR(clean1("\xc0\xaf"), "��");           /* overlong '/' */
	CHECK_STR(clean1("\xe0\x80\xaf"), "���");      /* overlong, 3 bytes */
	CHECK_STR(clean1("\xf0\x80\x80\xaf"), "����"); /* overlong, 4 bytes */
	CHECK_STR(clean1("\xed\xa0\x80"), "���");      /* surrogate U+D800 */
	CHECK_STR(clean1("\xed\xbf\xbf"), "���");      /* surrogate U+DFFF */
	CHECK_STR(clean1("\xf4\x90\x80\x80"), "����"); /* U+110000 */
	CHECK_STR(clean1("\xf5\x80\x80\x80"), "����");
	CHECK_STR(clean1("\xfe\xff"), "��");
	CHECK_STR(clean1("a\x80" "b"), "a�b"); /* stray continuation */
	/* truncated: at the end, and followed by something else */
	CHECK_STR(clean1("ab\xe6\x97"), "ab��");
	CHECK_STR(clean1("ab\xf0\x9f\x98"), "ab���");
	CHECK_STR(clean1("\xe6\x97x"), "��x");
	CHECK_STR(clean1("\xe6\x1b[2J"), "�␛[2J");
	/* the byte after a bad lead is decoded afresh */
	CHECK_STR(clean1("\xe6\xe6\x97\xa5"), "�日");
}

static void test_clean_keeps_printable(void)
{
	const char *s = "Zoë Ångström 日本語 😀 e\xcc\x81 ① ½ → €";
	CHECK_STR(clean1(s), s);
	CHECK_STR(cleanm("line one\nline two"), "line one\nline two");
	CHECK_STR(clean1("\xc2\xad\xef\xbb\xbf"), "\xc2\xad\xef\xbb\xbf");
	CHECK_STR(clean1("\xef\xbf\xbd"), "\xef\xbf\xbd"); /* U+FFFD itself */
}

static void test_clean_dup(void)
{
	char *s = text_clean_dup(NULL, TEXT_ONELINE);
	CHECK_STR(s, "");
	free(s);
	s = text_clean_dup("", TEXT_MULTILINE);
	CHECK_STR(s, "");
	free(s);
	s = text_clean_dup("hi\x1b[2J\r\nthere", TEXT_MULTILINE);
	CHECK_STR(s, "hi␛[2J\nthere");
	free(s);
}

static void test_width(void)
{
	CHECK(text_width("abc") == 3);
	CHECK(text_width("日本") == 4);
	CHECK(text_width("e\xcc\x81") == 1);
	CHECK(text_width("") == 0);
	CHECK(text_width(NULL) == 0);
	CHECK(text_width("😀") == 2); /* glibc 2.36 C.UTF-8 */
	CHECK(text_width("Zoë") == 3);
	CHECK(text_width("…") == 1);
	CHECK(text_width("␛") == 1);
	CHECK(text_width("<U+202E>") == 8);
	/* unclean input is never negative: each bad unit counts one column */
	CHECK(text_width("a\x1b" "b") == 3);
	CHECK(text_width("a\nb") == 3);
	CHECK(text_width("\xff\xe2\x80\xae") == 2);
}

static void test_fit_ascii(void)
{
	int w;
	CHECK_STR(fit("abcdef", 4, 0, &w), "abc…");
	CHECK(w == 4);
	CHECK_STR(fit("abcdef", 4, 1, &w), "abc…");
	CHECK(w == 4);
	CHECK_STR(fit("abcd", 4, 0, &w), "abcd");
	CHECK(w == 4);
	CHECK_STR(fit("abcde", 1, 0, &w), "…");
	CHECK(w == 1);
	CHECK_STR(fit("a", 1, 0, &w), "a");
	CHECK(w == 1);
}

static void test_fit_padding(void)
{
	int w;
	CHECK_STR(fit("ab", 5, 1, &w), "ab   ");
	CHECK(w == 5);
	CHECK_STR(fit("ab", 5, 0, &w), "ab");
	CHECK(w == 2);
	CHECK_STR(fit("", 3, 1, &w), "   ");
	CHECK(w == 3);
	CHECK_STR(fit(NULL, 2, 1, &w), "  ");
	CHECK(w == 2);
	CHECK_STR(fit("日本", 5, 1, &w), "日本 ");
	CHECK(w == 5);
}

static void test_fit_wide(void)
{
	int w;
	/* fits exactly: no ellipsis */
	CHECK_STR(fit("日本", 4, 0, &w), "日本");
	CHECK(w == 4);
	/* 3 columns left for text at an odd boundary: 本 would be split */
	CHECK_STR(fit("日本語", 4, 0, &w), "日…");
	CHECK(w == 3);
	CHECK_STR(fit("日本語", 4, 1, &w), "日… ");
	CHECK(w == 4);
	CHECK_STR(fit("a日本", 4, 0, &w), "a日…");
	CHECK(w == 4);
	CHECK_STR(fit("a日本", 3, 1, &w), "a… ");
	CHECK(w == 3);
	CHECK_STR(fit("日本", 2, 1, &w), "… ");
	CHECK(w == 2);
	CHECK_STR(fit("😀😀", 3, 0, &w), "😀…");
	CHECK(w == 3);
	const char *got = fit("日本語日本語", 7, 0, &w);
	CHECK(text_width(got) == w && w <= 7);
}

static void test_fit_combining(void)
{
	int w;
	/* the accent stays with its letter */
	CHECK_STR(fit("e\xcc\x81xyz", 2, 0, &w), "e\xcc\x81…");
	CHECK(w == 2);
	CHECK_STR(fit("e\xcc\x81", 1, 1, &w), "e\xcc\x81");
	CHECK(w == 1);
}

static void test_fit_edges(void)
{
	int w;
	buf_reset(&scratch);
	CHECK(text_fit(&scratch, "abc", 0, 1) == 0);
	CHECK(text_fit(&scratch, "abc", -3, 1) == 0);
	CHECK(scratch.len == 0);
	/* text that skipped text_clean still cannot drive the terminal */
	CHECK_STR(fit("a\x1b[2J", 10, 0, &w), "a�[2J");
	CHECK(w == 5);
	CHECK_STR(fit("a\nb", 5, 0, &w), "a�b");
	CHECK_STR(fit("\xe2\x80\xae" "ab", 5, 0, &w), "�ab");
}

static void test_json(void)
{
	CHECK_STR(json("plain"), "\"plain\"");
	CHECK_STR(json(""), "\"\"");
	CHECK_STR(json(NULL), "null");
	CHECK_STR(json("say \"hi\""), "\"say \\\"hi\\\"\"");
	CHECK_STR(json("C:\\tmp"), "\"C:\\\\tmp\"");
	/* Runs of plain ASCII around what is escaped or multibyte. */
	CHECK_STR(json("ab\"cd\\ef\xc3\xa9gh\x01ij"), "\"ab\\\"cd\\\\ef\xc3\xa9gh\\u0001ij\"");
	CHECK_STR(json("a\nb\tc\rd\be\ff"), "\"a\\nb\\tc\\rd\\be\\ff\"");
	CHECK_STR(json("\x01\x1b[2J\x1f\x7f"), "\"\\u0001\\u001b[2J\\u001f\\u007f\"");
	CHECK_STR(json("a\xe2\x80\xa8" "b\xe2\x80\xa9"), "\"a\\u2028b\\u2029\"");
	CHECK_STR(json("\xc2\x9b\xe2\x80\xae"), "\"\\u009b\\u202e\"");
	CHECK_STR(json("bad\xff\xc0\xaf"), "\"bad\\ufffd\\ufffd\\ufffd\"");
	CHECK_STR(json("日本 😀 /"), "\"日本 😀 /\"");
	const char *got = json("\x1b]52;c;x\x07\xed\xa0\x80");
	CHECK(is_terminal_safe(got, strlen(got), 0));
}

/* A server's jsonb text whole, its structure untouched, but the characters
 * that could act on a terminal escaped inside its strings. */
static void test_json_raw(void)
{
	struct buf b = BUF_INIT;
	text_json_raw(&b, "{\"a\": \"x\\\"y\", \"b\": [1, \"caf\xc3\xa9 \xe2\x80\xae" "txt\xc2\x9b\"]}");
	CHECK_STR(buf_str(&b), "{\"a\": \"x\\\"y\", \"b\": [1, \"caf\xc3\xa9 \\u202etxt\\u009b\"]}");
	buf_free(&b);
}

/* The property tests below are only as good as their oracle: it must
 * refuse what may drive a terminal, or they would pass on any output. */
static void test_oracle_refuses_unsafe_text(void)
{
	CHECK(is_terminal_safe("caf\xc3\xa9 \xe6\x97\xa5", 9, 0));
	CHECK(is_terminal_safe("a\nb", 3, 1));
	CHECK(!is_terminal_safe("a\nb", 3, 0));
	CHECK(!is_terminal_safe("\x1b[2J", 4, 1));
	CHECK(!is_terminal_safe("\x7f", 1, 1));
	CHECK(!is_terminal_safe("\xc2\x9b", 2, 1));     /* C1 CSI */
	CHECK(!is_terminal_safe("\xe2\x80\xae", 3, 1)); /* U+202E */
	CHECK(!is_terminal_safe("\xe2\x80\xa8", 3, 1)); /* U+2028 */
	CHECK(!is_terminal_safe("\xc0\xaf", 2, 1));     /* overlong */
	CHECK(!is_terminal_safe("\xed\xa0\x80", 3, 1)); /* surrogate */
	CHECK(!is_terminal_safe("\xe2\x82", 2, 1));     /* cut short */
}

/* Every pair of bytes, in both modes: the output is always safe. */
static void test_property_all_byte_pairs(void)
{
	struct buf b = BUF_INIT;
	int bad = 0;

	for (int flags = TEXT_ONELINE; flags <= TEXT_MULTILINE; flags++) {
		for (unsigned v = 0; v < 0x10000 && bad < 5; v++) {
			char in[2] = {(char)(v >> 8), (char)(v & 0xff)};
			buf_reset(&b);
			text_clean(&b, in, 2, flags);
			if (!is_terminal_safe(b.data, b.len, flags) ||
			    strlen(b.data) != b.len) {
				printf("  unsafe: %02x %02x flags %d\n", v >> 8,
				       v & 0xff, flags);
				bad++;
			}
		}
	}
	CHECK(bad == 0);
	buf_free(&b);
}

/* Longer random byte strings, biased towards the interesting bytes. */
static void test_property_random_strings(void)
{
	static const unsigned char pool[] = {
		0x00, 0x07, 0x08, 0x09, 0x0a, 0x0d, 0x1b, 0x7f, 0x80, 0x85,
		0x9b, 0x9f, 0xa0, 0xa8, 0xae, 0xbf, 0xc0, 0xc2, 0xd8, 0xe0,
		0xe2, 0xe6, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff, 'a', ' ',
	};
	struct buf b = BUF_INIT, f = BUF_INIT;
	uint32_t seed = 12345;
	int bad = 0;

	for (int round = 0; round < 20000 && !bad; round++) {
		unsigned char in[16];
		size_t n = 1 + round % sizeof in;
		int flags = round & 1;
		for (size_t i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			in[i] = (seed >> 16) & 1 ? pool[(seed >> 17) % sizeof pool]
						 : (unsigned char)(seed >> 24);
		}
		buf_reset(&b);
		text_clean(&b, (const char *)in, n, flags);
		if (!is_terminal_safe(b.data, b.len, flags))
			bad = 1;
		if (flags == TEXT_ONELINE) {
			int cols = round % 9, w;
			buf_reset(&f);
			w = text_fit(&f, b.data, cols, round & 2);
			if (w > (cols > 0 ? cols : 0) || text_width(buf_str(&f)) != w ||
			    !is_terminal_safe(f.data ? f.data : "", f.len, 0))
				bad = 1;
		}
		if (bad)
			printf("  failed at round %d\n", round);
	}
	CHECK(bad == 0);
	buf_free(&b);
	buf_free(&f);
}

/* Editing typed text: encode what the keyboard gives, step over whole
 * characters when deleting or moving. */
static void test_utf8_editing_helpers(void)
{
	char mb[4];
	CHECK(text_utf8_encode('a', mb) == 1 && mb[0] == 'a');
	CHECK(text_utf8_encode(0xE9, mb) == 2 && memcmp(mb, "\xc3\xa9", 2) == 0);
	CHECK(text_utf8_encode(0x65E5, mb) == 3 && memcmp(mb, "\xe6\x97\xa5", 3) == 0);
	CHECK(text_utf8_encode(0x1F600, mb) == 4 && memcmp(mb, "\xf0\x9f\x98\x80", 4) == 0);
	CHECK(text_utf8_encode(0xD800, mb) == 0);
	CHECK(text_utf8_encode(0x110000, mb) == 0);
	const char *s = "a\xc3\xa9\xe6\x97\xa5" "b"; /* a é 日 b */
	size_t n = strlen(s);
	CHECK(text_utf8_prev(s, n) == 6);
	CHECK(text_utf8_prev(s, 6) == 3);
	CHECK(text_utf8_prev(s, 3) == 1);
	CHECK(text_utf8_prev(s, 0) == 0);
	CHECK(text_utf8_next(s, n, 1) == 3);
	CHECK(text_utf8_next(s, n, 3) == 6);
	CHECK(text_utf8_next(s, n, n) == n);
}

/* Terminals that are not UTF-8: names read as their plain Latin letters
 * and typographic punctuation as its ASCII twin. */
static void test_ascii_readings(void)
{
	CHECK_STR(text_ascii_for(0xE9), "e");    /* é */
	CHECK_STR(text_ascii_for(0xC9), "E");    /* É */
	CHECK_STR(text_ascii_for(0xDF), "ss");   /* ß */
	CHECK_STR(text_ascii_for(0xE6), "ae");   /* æ */
	CHECK_STR(text_ascii_for(0xC6), "AE");   /* Æ */
	CHECK_STR(text_ascii_for(0xF8), "o");    /* ø */
	CHECK_STR(text_ascii_for(0xD8), "O");    /* Ø */
	CHECK_STR(text_ascii_for(0xFC), "u");    /* ü */
	CHECK_STR(text_ascii_for(0xE3), "a");    /* ã */
	CHECK_STR(text_ascii_for(0xE7), "c");    /* ç */
	CHECK_STR(text_ascii_for(0xF1), "n");    /* ñ */
	CHECK_STR(text_ascii_for(0xFE), "th");   /* þ */
	CHECK_STR(text_ascii_for(0xFF), "y");    /* ÿ */
	CHECK_STR(text_ascii_for(0xD7), "x");    /* × */
	CHECK_STR(text_ascii_for(0x100), "A");   /* Ā, first of Latin Extended-A */
	CHECK_STR(text_ascii_for(0x141), "L");   /* Ł */
	CHECK_STR(text_ascii_for(0x142), "l");   /* ł */
	CHECK_STR(text_ascii_for(0x151), "o");   /* ő */
	CHECK_STR(text_ascii_for(0x152), "OE");  /* Œ */
	CHECK_STR(text_ascii_for(0x15F), "s");   /* ş */
	CHECK_STR(text_ascii_for(0x161), "s");   /* š */
	CHECK_STR(text_ascii_for(0x17E), "z");   /* ž */
	CHECK_STR(text_ascii_for(0x17F), "s");   /* ſ, last of Latin Extended-A */
	CHECK_STR(text_ascii_for(0x219), "s");   /* ș (Romanian) */
	CHECK_STR(text_ascii_for(0x2019), "'");  /* ’ */
	CHECK_STR(text_ascii_for(0x2018), "'");  /* ‘ */
	CHECK_STR(text_ascii_for(0x201C), "\""); /* “ */
	CHECK_STR(text_ascii_for(0x2013), "-");  /* – */
	CHECK_STR(text_ascii_for(0x2014), "--"); /* — */
	CHECK_STR(text_ascii_for(0x2026), "..."); /* … */
	CHECK_STR(text_ascii_for(0xA0), " ");    /* no-break space */
	CHECK_STR(text_ascii_for(0x20AC), "EUR"); /* € */
	CHECK_STR(text_ascii_for(0x301), "");    /* combining acute: its letter stays */
	/* No readable form: they keep their escape. */
	CHECK(text_ascii_for(0x6771) == NULL);   /* 東 */
	CHECK(text_ascii_for(0x3B1) == NULL);    /* α */
	CHECK(text_ascii_for(0x1F600) == NULL);
	CHECK(text_ascii_for(0xBF) != NULL && text_ascii_for(0xB0) == NULL);
	/* Never a reading for what must stay visible as a control. */
	CHECK(text_ascii_for(0x85) == NULL);
	CHECK(text_ascii_for(0x202E) == NULL);
	CHECK(text_ascii_for(0x2028) == NULL);
	/* Every letter of both blocks has one, made of ASCII letters (and the
	 * apostrophe of U+0149), and nothing outside printable ASCII. */
	int bad = 0;
	for (uint32_t cp = 0xC0; cp <= 0x17F; cp++) {
		const char *a = text_ascii_for(cp);
		if (!a || !*a) {
			bad++;
			continue;
		}
		for (; *a; a++)
			bad += !((*a >= 'a' && *a <= 'z') || (*a >= 'A' && *a <= 'Z') || *a == '\'' ||
			         (cp == 0xD7 && *a == 'x') || (cp == 0xF7 && *a == '/'));
	}
	CHECK(bad == 0);
}

/* 1 if s is printable ASCII only. */
static int printable_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return 0;
	return 1;
}

static void test_clean_ascii_terminal(void)
{
	text_set_ascii(1);
	CHECK_STR(clean1("Café Lumière"), "Cafe Lumiere");
	CHECK_STR(clean1("São Paulo Saúde"), "Sao Paulo Saude");
	CHECK_STR(clean1("Müller & Söhne GmbH"), "Muller & Sohne GmbH");
	CHECK_STR(clean1("Łódź Logistics"), "Lodz Logistics");
	CHECK_STR(clean1("Straße Ærø"), "Strasse AEro");
	CHECK_STR(clean1("O’Connor – “quoted”…"), "O'Connor - \"quoted\"...");
	CHECK_STR(clean1("Cafe\xcc\x81"), "Cafe");            /* decomposed é */
	CHECK_STR(clean1("東京"), "<U+6771><U+4EAC>");         /* no reading: escaped */
	/* Still safe: controls, bidi overrides, C1 and bad bytes stay visible. */
	CHECK_STR(clean1("a\x1b[2J"), "a^[[2J");
	CHECK_STR(clean1("x\xe2\x80\xaey"), "x<U+202E>y");
	CHECK_STR(clean1("x\xc2\x85y"), "x<U+0085>y");
	CHECK_STR(clean1("x\xffy"), "x?y");
	/* Every code point of the first planes comes out as printable ASCII. */
	int bad = 0;
	for (uint32_t cp = 0x80; cp < 0x3000; cp++) {
		char mb[4];
		int n = text_utf8_encode(cp, mb);
		bad += n > 0 && !printable_ascii(clean_n(mb, (size_t)n, TEXT_ONELINE));
	}
	CHECK(bad == 0);
	text_set_ascii(0);
	CHECK_STR(clean1("Café"), "Café"); /* a UTF-8 terminal shows it as it is */
}

/* The command line does not switch to ASCII; with LANG=C the C library
 * knows no non-ASCII character, and the same readings apply. */
static void test_clean_c_locale(void)
{
	int w;
	CHECK(setlocale(LC_CTYPE, "C") != NULL);
	CHECK_STR(clean1("Café Lumière"), "Cafe Lumiere");
	CHECK_STR(clean1("Müller ’n’ 東"), "Muller 'n' <U+6771>");
	/* Nothing but ASCII where the locale is not UTF-8 (a command run
	 * under LANG=C): a control's caret, "?" for a bad byte, "~" for text
	 * cut, Baton's own glyphs' readings, arrows' too. */
	CHECK(text_is_ascii() == 1);
	CHECK_STR(clean1("a\033]0;x\007b"), "a^[]0;x^Gb");
	CHECK_STR(clean1("bad \xff byte"), "bad ? byte");
	CHECK_STR(clean1("Support → Success ← — −1"), "Support -> Success <- -- -1");
	CHECK_STR(fit("abcdef", 4, 0, &w), "abc~");
	CHECK_STR(text_glyph(" · ", " - "), " - ");
	/* The thread's locale counts (csv.c cleans under C.UTF-8). */
	locale_t utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	CHECK(utf8 != (locale_t)0);
	if (utf8) {
		locale_t old = uselocale(utf8);
		CHECK(text_is_ascii() == 0);
		CHECK_STR(clean1("a\033b"), "a␛b");
		uselocale(old);
		freelocale(utf8);
	}
	CHECK(text_is_ascii() == 1);
	CHECK(setlocale(LC_CTYPE, "C.UTF-8") != NULL);
	CHECK(text_is_ascii() == 0);
	CHECK_STR(clean1("Café Lumière"), "Café Lumière");
	CHECK_STR(clean1("a\033b \xff → "), "a␛b � → ");
	CHECK_STR(fit("abcdef", 4, 0, &w), "abc…");
	CHECK_STR(text_glyph(" · ", " - "), " · ");
	/* The console's word (its ascii setting) holds in any locale. */
	text_set_ascii(1);
	CHECK(text_is_ascii() == 1);
	CHECK_STR(text_glyph(" · ", " - "), " - ");
	text_set_ascii(0);
}

/* A note of nothing visible says nothing: refused as empty however it was
 * typed or pasted; one visible character anywhere makes it a note. */
static void test_is_blank(void)
{
	static const char *const blank[] = {
		"", " \t\r\n\v\f",
		"\xc2\xa0",                 /* NBSP */
		"\xe2\x80\x8b\xe2\x80\x8c\xe2\x80\x8d", /* zero-width space, non-joiner, joiner */
		"\xe2\x81\xa0",             /* word joiner */
		"\xef\xbb\xbf",             /* BOM */
		"\xe3\x80\x80 \xe2\x80\x83\n", /* ideographic space, em space */
	};
	for (size_t i = 0; i < sizeof blank / sizeof *blank; i++)
		CHECK(text_is_blank(blank[i]) == 1);
	CHECK(text_is_blank(NULL) == 1);
	static const char *const visible[] = {
		"x", " \xe2\x80\x8b.", "\xc2\xa0" "é", "\xe2\x80\x8b" "日",
		"\xc2",                     /* invalid UTF-8: not blank, refused as such */
		"\xe2\x80\x8b\xff",
	};
	for (size_t i = 0; i < sizeof visible / sizeof *visible; i++)
		CHECK(text_is_blank(visible[i]) == 0);
}

static void test_to_ll(void)
{
	long long v = -1;
	CHECK(text_to_ll("4812", 1, 9999, &v) == 0 && v == 4812);
	CHECK(text_to_ll("9223372036854775807", 1, LLONG_MAX, &v) == 0 && v == LLONG_MAX);
	CHECK(text_to_ll("9223372036854775808", 1, LLONG_MAX, &v) == -2);
	CHECK(text_to_ll("99999999999999999999999", 1, LLONG_MAX, &v) == -2);
	CHECK(text_to_ll("0", 1, 10, &v) == -2);
	CHECK(text_to_ll("11", 1, 10, &v) == -2);
	CHECK(text_to_ll("2147483648", 1, 2147483647, &v) == -2);
	static const char *const bad[] = {"", "-1", "+1", " 1", "1 ", "1x", "0x10", "1e3", "١٢"};
	v = 7;
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		CHECK(text_to_ll(bad[i], 0, LLONG_MAX, &v) == -1);
	CHECK(text_to_ll(NULL, 0, 1, &v) == -1);
	CHECK(v == 7); /* untouched when refused */
}

/* What PostgreSQL's text takes: the importer and the drafts keep out of
 * the database (and out of a COPY, which would fail whole) what it would
 * refuse, a NUL byte included. */
/* text_copy keeps whole characters: never the first bytes of one. */
static void test_copy_whole_characters(void)
{
	char d[6];
	text_copy(d, sizeof d, "abc");
	CHECK_STR(d, "abc");
	text_copy(d, sizeof d, "abcdefgh");
	CHECK_STR(d, "abcde");
	text_copy(d, sizeof d, "ab\xe6\x9d\xb1\xe4\xba\xac"); /* ab東京: 東 fits, 京 does not */
	CHECK_STR(d, "ab\xe6\x9d\xb1");
	text_copy(d, sizeof d, "abc\xe6\x9d\xb1"); /* 6 bytes: 東 cut after its first two */
	CHECK_STR(d, "abc");
	text_copy(d, sizeof d, "ab\xe6\x9d\xb1"); /* 5 bytes: all of it */
	CHECK_STR(d, "ab\xe6\x9d\xb1");
	text_copy(d, sizeof d, "\xf0\x9f\x98\x80\xf0\x9f\x98\x80"); /* two emoji: one fits */
	CHECK_STR(d, "\xf0\x9f\x98\x80");
	text_copy(d, 1, "abc");
	CHECK_STR(d, "");
	text_copy(d, sizeof d, NULL);
	CHECK_STR(d, "");
}

static void test_valid_utf8(void)
{
	CHECK(text_valid_utf8("", 0) == 1);
	const char *good = "caf\xc3\xa9 \xe2\x80\xa6 \xf0\x9f\x98\x80";
	CHECK(text_valid_utf8(good, strlen(good)) == 1);
	CHECK(text_valid_utf8("caf\xe9", 4) == 0);
	CHECK(text_valid_utf8("\xed\xa0\x80", 3) == 0); /* a surrogate */
	CHECK(text_valid_utf8("a\0b", 3) == 0);
	CHECK(text_valid_utf8("ab\0", 3) == 0);
	CHECK(text_valid_utf8("ab\0", 2) == 1); /* the terminator is not counted */
	/* Where the first bad byte is: a character cut is bad from its lead. */
	CHECK(text_utf8_valid_len("caf\xc3\xa9", 5) == 5);
	CHECK(text_utf8_valid_len("caf\xc3\xa9", 4) == 3);
	CHECK(text_utf8_valid_len("caf\xe9 ok", 7) == 3);
	/* Eight bytes at a time when they are ASCII: a NUL, a bad byte or a
	 * cut sequence is found at every place of a 20-byte text, and a
	 * character across two words is whole. */
	for (size_t at = 0; at < 20; at++) {
		char t[21];
		memset(t, 'x', 20);
		t[20] = '\0';
		CHECK(text_valid_utf8(t, 20) == 1);
		CHECK(text_utf8_valid_len(t, 20) == 20);
		t[at] = '\0';
		CHECK(text_valid_utf8(t, 20) == 0);
		CHECK(text_utf8_valid_len(t, 20) == at);
		t[at] = '\xff';
		CHECK(text_valid_utf8(t, 20) == 0);
		CHECK(text_utf8_valid_len(t, 20) == at);
		t[at] = '\xc3';
		CHECK(text_valid_utf8(t, 20) == 0);
		CHECK(text_utf8_valid_len(t, 20) == at);
		if (at < 19) {
			t[at + 1] = '\xa9';
			CHECK(text_valid_utf8(t, 20) == 1);
		}
	}
}

int main(void)
{
	if (!setlocale(LC_CTYPE, "C.UTF-8")) {
		printf("FAIL setlocale: no C.UTF-8 locale\n");
		return 1;
	}
	RUN(test_clean_csi_clear_screen);
	RUN(test_clean_osc52_clipboard);
	RUN(test_clean_osc0_title);
	RUN(test_clean_c1_code_points);
	RUN(test_clean_raw_c1_byte);
	RUN(test_clean_oneline_controls);
	RUN(test_clean_multiline_controls);
	RUN(test_clean_multiline_tabs);
	RUN(test_clean_nul_and_length);
	RUN(test_clean_appends);
	RUN(test_clean_bidi);
	RUN(test_clean_nonprintable_code_points);
	RUN(test_clean_invalid_utf8);
	RUN(test_clean_keeps_printable);
	RUN(test_clean_dup);
	RUN(test_width);
	RUN(test_fit_ascii);
	RUN(test_fit_padding);
	RUN(test_fit_wide);
	RUN(test_fit_combining);
	RUN(test_fit_edges);
	RUN(test_json);
	RUN(test_json_raw);
	RUN(test_oracle_refuses_unsafe_text);
	RUN(test_property_all_byte_pairs);
	RUN(test_property_random_strings);
	RUN(test_ascii_readings);
	RUN(test_clean_ascii_terminal);
	RUN(test_clean_c_locale);
	buf_free(&scratch);
	RUN(test_utf8_editing_helpers);
	RUN(test_is_blank);
	RUN(test_to_ll);
	RUN(test_valid_utf8);
	RUN(test_copy_whole_characters);
	return check_done();
}
