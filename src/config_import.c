/* The import group of the configuration: import.sources, each a file
 * shape and a mapping onto Baton's fields (src/config_import_fields.c),
 * and import.shared_domains.  Checked against Baton's catalogue of fields,
 * so that a wrong field, entity or value is an error naming file and line
 * before any database is reached (the server checks the mapping again). */
#include "baton/import.h"
#include "config_priv.h"

#include <stdlib.h>
#include <string.h>

/* A path with a choice, as the messages show one. */
#define PATH_CHOICE_EXAMPLE "\"answers[type=open_ended].value\""

static const char entities[] = "customers, contacts, tickets, milestones, notes, marketing, surveys";

static void source_free(struct import_source *s)
{
	free(s->name);
	free(s->entity);
	free(s->array);
	free(s->system);
	free(s->label);
	free(s->customer_source);
	free(s->contact_source);
	free(s->timezone);
	free(s->timezone_at);
	for (size_t i = 0; i < s->nrules; i++)
		config_import_rule_free(&s->rules[i]);
	free(s->rules);
	for (size_t i = 0; i < s->nfields; i++)
		config_import_field_free(&s->fields[i]);
	free(s->fields);
	free(s->at);
	memset(s, 0, sizeof *s);
}

void import_config_free(struct import_config *ic)
{
	if (!ic)
		return;
	for (size_t i = 0; i < ic->nsources; i++)
		source_free(&ic->sources[i]);
	free(ic->sources);
	for (size_t i = 0; i < ic->nshared; i++)
		free(ic->shared_domains[i]);
	free(ic->shared_domains);
	memset(ic, 0, sizeof *ic);
}

const struct import_source *import_source_find(const struct import_config *ic, const char *name)
{
	for (size_t i = 0; ic && i < ic->nsources; i++)
		if (strcmp(ic->sources[i].name, name) == 0)
			return &ic->sources[i];
	return NULL;
}

static int read_format(struct reader *r, const config_setting_t *s, struct import_source *src)
{
	const char *v = config_setting_get_string(s);
	if (v && !strcmp(v, "csv"))
		src->format = IMPORT_CSV;
	else if (v && !strcmp(v, "jsonl"))
		src->format = IMPORT_JSONL;
	else if (v && !strcmp(v, "json"))
		src->format = IMPORT_JSON;
	else
		return config_fail(r, s, "format must be \"csv\", \"jsonl\" or \"json\"");
	return 0;
}

static int read_delimiter(struct reader *r, const config_setting_t *s, struct import_source *src)
{
	const char *v = config_setting_get_string(s);
	if (!v || strlen(v) != 1 || strchr("\"\r\n0123456789\\", v[0]) || (unsigned char)v[0] >= 0x80)
		return config_fail(r, s, "delimiter must be one ASCII character, not a digit, quote or backslash");
	src->delimiter = v[0];
	return 0;
}

static int read_entity(struct reader *r, const config_setting_t *s, struct import_source *src)
{
	if (config_take_string(r, s, &src->entity) < 0)
		return -1;
	if (!config_import_field_def(src->entity, "source_id"))
		return config_fail(r, s, "unknown entity '%s' (the entities are %s)", src->entity, entities);
	return 0;
}

/* A time zone's name as the server's time zone database spells them
 * ("Europe/Berlin", "UTC", "Etc/GMT+5"): which exist is the server's to
 * say, when the first file is imported. */
static int read_timezone(struct reader *r, const config_setting_t *s, struct import_source *src)
{
	if (config_take_string(r, s, &src->timezone) < 0)
		return -1;
	const char *v = src->timezone;
	if (!*v || strlen(v) > 63 || strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/_+-") != strlen(v))
		return config_fail(r, s, "timezone must name a time zone, e.g. \"UTC\" or \"America/New_York\"");
	char at[4200];
	snprintf(at, sizeof at, "%s:%u", r->path, config_setting_source_line(s));
	free(src->timezone_at);
	if (!(src->timezone_at = strdup(at)))
		abort();
	return 0;
}

/* A customers source's system, which its records' ids are written under
 * (customer_external_id, whose check names the same systems as the fields
 * crm_id ... billing_id): one of them, said at its line.  Other entities
 * do not read it. */
static int check_system(struct reader *r, const config_setting_t *g, const struct import_source *src)
{
	static const char *const systems[] = {"crm", "helpdesk", "onboarding", "marketing", "billing"};
	if (!src->system || strcmp(src->entity, "customers") != 0)
		return 0;
	for (size_t i = 0; i < sizeof systems / sizeof *systems; i++)
		if (!strcmp(src->system, systems[i]))
			return 0;
	const config_setting_t *s = config_setting_get_member(g, "system");
	return config_fail(r, s ? s : g, "system must be one of crm, helpdesk, onboarding, marketing, billing");
}

static int read_source_setting(struct reader *r, const config_setting_t *e, struct import_source *src)
{
	const char *n = config_setting_name(e);
	if (!strcmp(n, "name"))
		return config_take_string(r, e, &src->name);
	if (!strcmp(n, "entity"))
		return read_entity(r, e, src);
	if (!strcmp(n, "format"))
		return read_format(r, e, src);
	if (!strcmp(n, "delimiter"))
		return read_delimiter(r, e, src);
	if (!strcmp(n, "array"))
		return config_take_string(r, e, &src->array);
	if (!strcmp(n, "system"))
		return config_take_string(r, e, &src->system);
	if (!strcmp(n, "label"))
		return config_take_string(r, e, &src->label);
	if (!strcmp(n, "customer_source"))
		return config_take_string(r, e, &src->customer_source);
	if (!strcmp(n, "contact_source"))
		return config_take_string(r, e, &src->contact_source);
	if (!strcmp(n, "timezone"))
		return read_timezone(r, e, src);
	if (!strcmp(n, "fields"))
		return config_read_import_fields(r, e, src);
	if (!strcmp(n, "only") || !strcmp(n, "skip"))
		return config_read_import_rules(r, e, src);
	return config_unknown(r, e);
}

static int read_source(struct reader *r, const config_setting_t *g, struct import_source *src)
{
	char at[4200];
	snprintf(at, sizeof at, "%s:%u", r->path, config_setting_source_line(g));
	src->at = config_strdup(at);
	src->delimiter = ',';
	if (config_want_group(r, g) < 0)
		return -1;
	for (int i = 0; i < config_setting_length(g); i++)
		if (read_source_setting(r, config_setting_get_elem(g, (unsigned)i), src) < 0)
			return -1;
	if (!src->name || !src->entity)
		return config_fail(r, g, "every import source needs a name = \"...\" and an entity = \"...\"");
	for (const char *p = src->name; *p; p++)
		if (!strchr("abcdefghijklmnopqrstuvwxyz0123456789_.-", *p) || strlen(src->name) > 63)
			return config_fail(r, g, "source name '%s': lower-case letters, digits, '_', '.' and '-', at most 63",
			                   src->name);
	if (!src->fields || !config_import_field_def(src->entity, "source_id"))
		return config_fail(r, g, "source %s needs fields = { source_id = \"...\"; ... }", src->name);
	int key = 0, when = 0, named = 0;
	for (size_t i = 0; i < src->nfields; i++) {
		key |= !strcmp(src->fields[i].field, "source_id");
		when |= !strcmp(src->fields[i].field, "responded_at");
		named |= !strcmp(src->fields[i].field, "name") || !strcmp(src->fields[i].field, "domains");
	}
	if (!key)
		return config_fail(r, g, "source %s maps no source_id: each record needs its id", src->name);
	/* A customer record without either is rejected, every one of them
	 * (a name, else its first domain, names the customer). */
	if (!named && !strcmp(src->entity, "customers"))
		return config_fail(r, g, "source %s maps neither name nor domains: a customer record needs its name"
		                   " or a domain to be named by (a file of ids alone would be rejected row by row)",
		                   src->name);
	/* A JSON path is names between dots, with choices in lists. */
	for (size_t i = 0; i < src->nfields + src->nrules && src->format != IMPORT_CSV; i++) {
		int rule = i >= src->nfields;
		const char *f = rule ? src->rules[i - src->nfields].from : src->fields[i].from;
		const char *why = f ? import_path_problem(f) : NULL;
		if (why && rule)
			return config_fail(r, g, "source %s: a rule's from = \"%s\" is no JSON path: %s (\"role\", \"via.channel\", %s)",
			                   src->name, f, why, PATH_CHOICE_EXAMPLE);
		if (why)
			return config_fail(r, g, "source %s: field %s's from = \"%s\" is no JSON path: %s (\"role\", \"via.channel\", %s)",
			                   src->name, src->fields[i].field, f, why, PATH_CHOICE_EXAMPLE);
	}
	if (check_system(r, g, src) < 0)
		return -1;
	/* Which answer is a customer's latest is said by its date (migration 072). */
	if (!when && !strcmp(src->entity, "surveys"))
		return config_fail(r, g, "source %s maps no responded_at: each survey answer needs the date it was given",
		                   src->name);
	return 0;
}

static int read_sources(struct reader *r, const config_setting_t *s, struct import_config *ic)
{
	if (config_setting_type(s) != CONFIG_TYPE_LIST)
		return config_fail(r, s, "setting 'import.sources' must be a list ( {...}, {...} )");
	for (int i = 0; i < config_setting_length(s); i++) {
		struct import_source src;
		memset(&src, 0, sizeof src);
		if (read_source(r, config_setting_get_elem(s, (unsigned)i), &src) < 0) {
			source_free(&src);
			return -1;
		}
		/* A later file's source of the same name replaces it. */
		struct import_source *old = (struct import_source *)import_source_find(ic, src.name);
		if (old) {
			source_free(old);
			*old = src;
			continue;
		}
		struct import_source *grown = realloc(ic->sources, (ic->nsources + 1) * sizeof *grown);
		if (!grown)
			abort();
		ic->sources = grown;
		ic->sources[ic->nsources++] = src;
	}
	return 0;
}

static int read_shared(struct reader *r, const config_setting_t *s, struct import_config *ic)
{
	int n = config_setting_length(s);
	if (config_setting_type(s) != CONFIG_TYPE_ARRAY && config_setting_type(s) != CONFIG_TYPE_LIST)
		return config_fail(r, s, "setting 'import.shared_domains' must be a list of strings [\"a.example\"]");
	ic->shared_domains = realloc(ic->shared_domains, (ic->nshared + (size_t)n + 1) * sizeof (char *));
	if (!ic->shared_domains)
		abort();
	for (int i = 0; i < n; i++) {
		const char *d = config_setting_get_string_elem(s, (unsigned)i);
		if (!d || !*d || strpbrk(d, " /@"))
			return config_fail(r, s, "import.shared_domains holds domains like \"mail.example\"");
		ic->shared_domains[ic->nshared++] = config_strdup(d);
	}
	return 0;
}

/* A reference (customer, contact) is an id of another source's records: that
 * source must be named and feed that entity.  Else every record would be
 * rejected as an unknown reference, or, with a source of another entity, its
 * ids would be read as the wrong kind of record's (one customer's contact
 * shown as another's requester). */
static int check_reference(const struct import_config *ic, const struct import_source *s,
                           const char *field, const char *setting, const char *other,
                           const char *entity, char *err, size_t errlen)
{
	int mapped = 0;
	for (size_t i = 0; i < s->nfields; i++)
		mapped |= !strcmp(s->fields[i].field, field);
	if (!other) {
		if (mapped)
			snprintf(err, errlen, "%s: source %s maps %s, so it needs %s = \"...\", the %s source whose ids it names",
			         s->at, s->name, field, setting, entity);
		return mapped ? -1 : 0;
	}
	const struct import_source *o = import_source_find(ic, other);
	if (!o) {
		snprintf(err, errlen, "%s: source %s: %s \"%s\" is not a source of import.sources", s->at, s->name,
		         setting, other);
		return -1;
	}
	if (strcmp(o->entity, entity)) {
		snprintf(err, errlen, "%s: source %s: %s \"%s\" feeds %s, not %s", s->at, s->name, setting, other,
		         o->entity, entity);
		return -1;
	}
	return 0;
}

int config_check_import(const struct config *cfg, char *err, size_t errlen)
{
	const struct import_config *ic = cfg->import;
	for (size_t i = 0; ic && i < ic->nsources; i++) {
		const struct import_source *s = &ic->sources[i];
		if (check_reference(ic, s, "customer", "customer_source", s->customer_source, "customers", err,
		                    errlen) < 0 ||
		    check_reference(ic, s, "contact", "contact_source", s->contact_source, "contacts", err, errlen) < 0)
			return -1;
	}
	return 0;
}

int config_read_import(struct reader *r, const config_setting_t *g, struct config *cfg)
{
	if (!cfg->import) {
		cfg->import = calloc(1, sizeof *cfg->import);
		if (!cfg->import)
			abort();
	}
	for (int i = 0; i < config_setting_length(g); i++) {
		config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
		const char *n = config_setting_name(s);
		int rc;
		if (!strcmp(n, "sources"))
			rc = read_sources(r, s, cfg->import);
		else if (!strcmp(n, "shared_domains"))
			rc = read_shared(r, s, cfg->import);
		else
			rc = config_unknown(r, s);
		if (rc < 0)
			return -1;
	}
	return 0;
}
