/* A source's mapping as the server's import functions take it (JSON; see
 * baton/import.h and migration 010's baton_import_apply). */
#include "baton/import.h"
#include "baton/buf.h"
#include "baton/text.h"

#include <stdlib.h>
#include <string.h>

/* A JSON path: "via.channel" for JSON; a CSV header is one name. */
static void path_json(struct buf *out, const struct import_source *src, const char *from)
{
	buf_putc(out, '[');
	if (src->format == IMPORT_CSV) {
		text_json_string(out, from);
	} else {
		char *copy = strdup(from), *save = NULL;
		if (!copy)
			abort();
		int n = 0;
		for (char *p = strtok_r(copy, ".", &save); p; p = strtok_r(NULL, ".", &save), n++) {
			if (n)
				buf_putc(out, ',');
			text_json_string(out, p);
		}
		free(copy);
	}
	buf_putc(out, ']');
}

static void field_json(struct buf *out, const struct import_source *src, const struct import_field *f)
{
	text_json_string(out, f->field);
	buf_puts(out, ":{");
	if (f->from) {
		buf_puts(out, "\"path\":");
		path_json(out, src, f->from);
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
static void rules_json(struct buf *out, const struct import_source *src, int skip)
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
		path_json(out, src, u->from);
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

void import_spec_json(struct buf *out, const struct import_source *src)
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
	rules_json(out, src, 0);
	rules_json(out, src, 1);
	buf_puts(out, ",\"fields\":{");
	for (size_t i = 0; i < src->nfields; i++) {
		if (i)
			buf_putc(out, ',');
		field_json(out, src, &src->fields[i]);
	}
	buf_puts(out, "}}");
}

/* {"a","b"} for text[]: every element quoted, '"' and '\' escaped. */
