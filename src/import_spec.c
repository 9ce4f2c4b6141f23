/* A source's mapping as the server's import functions take it (JSON; see
 * baton/import.h and migration 010's baton_import_apply). */
#include "baton/import.h"
#include "baton/buf.h"
#include "baton/text.h"

#include <stdlib.h>
#include <string.h>

/* A JSON string of the n bytes at s. */
static void json_string_n(struct buf *out, const char *s, size_t n)
{
	char *copy = strndup(s, n);
	if (!copy)
		abort();
	text_json_string(out, copy);
	free(copy);
}

/* Names between dots, none empty, from s to end, as JSON strings
 * (out NULL: only checked); 0, or -1 when a name is empty. */
static int names_json(struct buf *out, const char *s, const char *end)
{
	for (int n = 0;; n++) {
		size_t len = strcspn(s, ".");
		if (s + len > end)
			len = (size_t)(end - s);
		if (len == 0)
			return -1;
		if (out) {
			if (n)
				buf_putc(out, ',');
			json_string_n(out, s, len);
		}
		s += len;
		if (s == end)
			return 0;
		s++;
	}
}

/* A JSON path, as the configuration writes it: names between dots, a name
 * maybe followed by choices of one element of the list it names, by a
 * field of the element (itself names between dots) and the string it is:
 * "via.channel", "answers[question.sub_type=customer_satisfaction].rating".
 * As migration 094's path: ["answers", {"where": ["question", "sub_type"],
 * "is": "customer_satisfaction"}, "rating"].  Writes the JSON list's
 * elements to out (NULL: only checks); returns NULL, or what is wrong. */
static const char *path_walk(struct buf *out, const char *p)
{
	for (int n = 0;; n++) {
		size_t len = strcspn(p, ".[]");
		if (len == 0 && *p == '[')
			return "a choice [field=value] comes after a name";
		if (len == 0)
			return "a name is empty";
		if (p[len] == ']')
			return "a ']' is outside a choice [field=value]";
		if (out) {
			if (n)
				buf_putc(out, ',');
			json_string_n(out, p, len);
		}
		p += len;
		while (*p == '[') {
			const char *close = strchr(p, ']'), *eq = strchr(p, '=');
			if (!close)
				return "a '[' is not closed by a ']'";
			if (!eq || eq > close)
				return "a choice has no '=': [field=value]";
			if (memchr(p + 1, '[', (size_t)(close - p - 1)))
				return "a choice holds a '['";
			if (names_json(NULL, p + 1, eq) < 0)
				return "a choice's field is no names between dots";
			if (out) {
				buf_puts(out, ",{\"where\":[");
				names_json(out, p + 1, eq);
				buf_puts(out, "],\"is\":");
				json_string_n(out, eq + 1, (size_t)(close - eq - 1));
				buf_putc(out, '}');
			}
			p = close + 1;
			if (*p == '[')
				return "a name takes one choice [field=value]";
		}
		if (!*p)
			return NULL;
		if (*p != '.')
			return "a choice is followed by neither '.', '[' nor the end";
		p++;
	}
}

const char *import_path_problem(const char *from)
{
	return path_walk(NULL, from);
}

/* A field's or rule's path as JSON: a CSV header is one name. */
static void path_json(struct buf *out, const struct import_source *src, const char *from)
{
	buf_putc(out, '[');
	if (src->format == IMPORT_CSV)
		text_json_string(out, from);
	else
		path_walk(out, from);
	buf_putc(out, ']');
}

static void field_json(struct buf *out, const struct import_source *src, const struct import_field *f,
                       const char *name)
{
	text_json_string(out, f->field);
	buf_puts(out, ":{");
	if (f->from) {
		buf_puts(out, "\"path\":");
		path_json(out, src, name ? name : f->from);
	} else {
		buf_puts(out, "\"path\":null");
	}
	if (f->dflt) {
		buf_puts(out, ",\"default\":");
		text_json_string(out, f->dflt);
	}
	if (f->format) {
		buf_puts(out, ",\"format\":");
		text_json_string(out, f->format);
	}
	if (f->nmap) {
		buf_puts(out, ",\"map\":{");
		for (size_t i = 0; i < f->nmap; i++) {
			if (i)
				buf_putc(out, ',');
			text_json_string(out, f->map[2 * i]);
			buf_putc(out, ':');
			text_json_string(out, f->map[2 * i + 1]);
		}
		buf_putc(out, '}');
	}
	buf_putc(out, '}');
}

static void opt_json(struct buf *out, const char *key, const char *value)
{
	if (!value)
		return;
	buf_printf(out, ",\"%s\":", key);
	text_json_string(out, value);
}

/* ,"only":[{"path":[...],"values":[...]},...] (migration 093); nothing without such rules. */
static void rules_json(struct buf *out, const struct import_source *src, char *const *names, int skip)
{
	int n = 0;
	for (size_t i = 0; i < src->nrules; i++) {
		const struct import_rule *u = &src->rules[i];
		if (u->skip != skip)
			continue;
		if (n++)
			buf_puts(out, ",{\"path\":");
		else
			buf_printf(out, ",\"%s\":[{\"path\":", skip ? "skip" : "only");
		path_json(out, src, names && names[src->nfields + i] ? names[src->nfields + i] : u->from);
		buf_puts(out, ",\"values\":[");
		for (size_t j = 0; j < u->nvalues; j++) {
			if (j)
				buf_putc(out, ',');
			text_json_string(out, u->values[j]);
		}
		buf_puts(out, "]}");
	}
	if (n)
		buf_putc(out, ']');
}

void import_spec_json(struct buf *out, const struct import_source *src, char *const *names)
{
	static const char *const formats[] = {"csv", "jsonl", "json"};
	char delim[2] = {src->delimiter, '\0'};
	buf_printf(out, "{\"format\":\"%s\"", formats[src->format]);
	opt_json(out, "delimiter", src->format == IMPORT_CSV ? delim : NULL);
	opt_json(out, "array", src->array);
	opt_json(out, "system", src->system);
	opt_json(out, "label", src->label);
	opt_json(out, "customer_source", src->customer_source);
	opt_json(out, "contact_source", src->contact_source);
	rules_json(out, src, names, 0);
	rules_json(out, src, names, 1);
	buf_puts(out, ",\"fields\":{");
	for (size_t i = 0; i < src->nfields; i++) {
		if (i)
			buf_putc(out, ',');
		field_json(out, src, &src->fields[i], names ? names[i] : NULL);
	}
	buf_puts(out, "}}");
}

/* {"a","b"} for text[]: every element quoted, '"' and '\' escaped. */
