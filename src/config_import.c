/* The import group of the configuration: import.sources, each a file
 * shape and a mapping onto Baton's fields, and import.shared_domains.
 * Checked here against Baton's catalogue of fields, so that a wrong field,
 * entity or value is an error naming file and line before any database is
 * reached (the server checks the mapping again). */
#include "baton/import.h"
#include "config_priv.h"

#include <stdlib.h>
#include <string.h>

/* The same as migrations 010's and 057's import_field. */
const struct import_field_def import_field_defs[] = {
	{"customers", "source_id", "key", NULL}, {"customers", "name", "text", NULL},
	{"customers", "domains", "domains", NULL},
	{"customers", "plan", "enum", "free,starter,growth,pro,enterprise"},
	{"customers", "segment", "enum", "smb,mid-market,enterprise,strategic"},
	{"customers", "lifecycle", "enum", "prospect,onboarding,adopting,established,renewing,at-risk,churned"},
	{"customers", "owner", "staff", NULL}, {"customers", "renewal_date", "date", NULL},
	{"customers", "updated_at", "time", NULL},
	{"customers", "crm_id", "text", NULL}, {"customers", "helpdesk_id", "text", NULL},
	{"customers", "onboarding_id", "text", NULL}, {"customers", "marketing_id", "text", NULL},
	{"customers", "billing_id", "text", NULL},
	{"contacts", "source_id", "key", NULL}, {"contacts", "customer", "ref", NULL},
	{"contacts", "name", "text", NULL}, {"contacts", "first_name", "text", NULL},
	{"contacts", "last_name", "text", NULL}, {"contacts", "email", "email", NULL},
	{"contacts", "title", "text", NULL}, {"contacts", "updated_at", "time", NULL},
	{"tickets", "source_id", "key", NULL}, {"tickets", "customer", "ref", NULL},
	{"tickets", "contact", "ref", NULL}, {"tickets", "email", "email", NULL},
	{"tickets", "subject", "text", NULL}, {"tickets", "body", "text", NULL},
	{"tickets", "status", "enum", "new,open,pending,on_hold,solved,closed"},
	{"tickets", "priority", "enum", "urgent,high,normal,low"},
	{"tickets", "category", "first", "question,bug,billing,migration,onboarding,complaint,feature_request,other"},
	{"tickets", "opened_at", "time", NULL}, {"tickets", "updated_at", "time", NULL},
	{"tickets", "solved_at", "time", NULL},
	{"milestones", "source_id", "key", NULL}, {"milestones", "customer", "ref", NULL},
	{"milestones", "email", "email", NULL}, {"milestones", "position", "int", NULL},
	{"milestones", "title", "text", NULL},
	{"milestones", "status", "enum", "pending,in_progress,blocked,done,skipped"},
	{"milestones", "owner", "staff", NULL}, {"milestones", "due_date", "date", NULL},
	{"milestones", "completed_at", "time", NULL}, {"milestones", "blocked_reason", "text", NULL},
	{"milestones", "updated_at", "time", NULL},
	{"notes", "source_id", "key", NULL}, {"notes", "customer", "ref", NULL},
	{"notes", "email", "email", NULL}, {"notes", "kind", "enum", "note,call,meeting,qbr,email"},
	{"notes", "body", "text", NULL},
	{"marketing", "source_id", "key", NULL}, {"marketing", "customer", "ref", NULL},
	{"marketing", "contact", "ref", NULL}, {"marketing", "email", "email", NULL},
	{"marketing", "campaign", "text", NULL},
	{"marketing", "kind", "enum", "upsell,renewal,newsletter,webinar,nurture,announcement,survey"},
	{"marketing", "channel", "enum", "email,webinar,event,in_app,sms"},
	{"marketing", "status", "enum", "scheduled,sent,cancelled"},
	{"marketing", "scheduled_at", "time", NULL}, {"marketing", "sent_at", "time", NULL},
	{"marketing", "updated_at", "time", NULL},
	{"surveys", "source_id", "key", NULL}, {"surveys", "customer", "ref", NULL},
	{"surveys", "contact", "ref", NULL}, {"surveys", "email", "email", NULL},
	{"surveys", "kind", "enum", "nps,csat,ces"}, {"surveys", "score", "int", NULL},
	{"surveys", "comment", "text", NULL}, {"surveys", "responded_at", "time", NULL},
	{"surveys", "updated_at", "time", NULL},
};
const size_t import_field_defs_count = sizeof import_field_defs / sizeof *import_field_defs;

static const char entities[] = "customers, contacts, tickets, milestones, notes, marketing, surveys";

static void field_free(struct import_field *f)
{
	free(f->field);
	free(f->from);
	free(f->dflt);
	free(f->format);
	for (size_t i = 0; i < 2 * f->nmap; i++)
		free(f->map[i]);
	free(f->map);
}

static void rule_free(struct import_rule *u)
{
	free(u->from);
	for (size_t i = 0; i < u->nvalues; i++)
		free(u->values[i]);
	free(u->values);
}

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
	for (size_t i = 0; i < s->nrules; i++)
		rule_free(&s->rules[i]);
	free(s->rules);
	for (size_t i = 0; i < s->nfields; i++)
		field_free(&s->fields[i]);
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

static const struct import_field_def *field_def(const char *entity, const char *field)
{
	for (size_t i = 0; i < import_field_defs_count; i++)
		if (!strcmp(import_field_defs[i].entity, entity) && !strcmp(import_field_defs[i].field, field))
			return &import_field_defs[i];
	return NULL;
}

static int allowed(const struct import_field_def *d, const char *v)
{
	size_t n = strlen(v);
	for (const char *p = d->allowed; p && *p;) {
		size_t len = strcspn(p, ",");
		if (len == n && !strncmp(p, v, n))
			return 1;
		p += len + (p[len] == ',');
	}
	return 0;
}

/* map = ( ["source value", "baton value"], ... ) */
static int read_map(struct reader *r, const config_setting_t *s, const struct import_field_def *d,
                    struct import_field *f)
{
	int n = config_setting_length(s);
	if (config_setting_type(s) != CONFIG_TYPE_LIST || n < 1)
		return config_fail(r, s, "the map of %s must be a list of pairs ( [\"source value\", \"%s value\"], ... )",
		                   f->field, "Baton");
	if (!d->allowed && strcmp(d->kind, "int") && strcmp(d->kind, "staff"))
		return config_fail(r, s, "%s takes no map: its values are stored as they are", f->field);
	f->map = calloc(2 * (size_t)n, sizeof *f->map);
	if (!f->map)
		abort();
	for (int i = 0; i < n; i++) {
		config_setting_t *p = config_setting_get_elem(s, (unsigned)i);
		const char *from = config_setting_get_string_elem(p, 0);
		const char *to = config_setting_get_string_elem(p, 1);
		if (config_setting_length(p) != 2 || !from || !to)
			return config_fail(r, p, "each entry of the map of %s is a pair [\"source value\", \"Baton value\"]",
			                   f->field);
		if (d->allowed && !allowed(d, to))
			return config_fail(r, p, "the map of %s gives '%s', which is not one of %s", f->field, to,
			                   d->allowed);
		f->map[2 * f->nmap] = config_strdup(from);
		f->map[2 * f->nmap + 1] = config_strdup(to);
		f->nmap++;
	}
	return 0;
}

/* name = "source field";  or  name = { from = "..."; map = (...); default = "..."; format = "..."; } */
static int read_field(struct reader *r, const config_setting_t *s, const char *entity,
                      struct import_field *f)
{
	const char *name = config_setting_name(s);
	const struct import_field_def *d = field_def(entity, name);
	if (!d) {
		struct buf known = BUF_INIT;
		for (size_t i = 0; i < import_field_defs_count; i++)
			if (!strcmp(import_field_defs[i].entity, entity))
				buf_printf(&known, "%s%s", known.len ? ", " : "", import_field_defs[i].field);
		config_fail(r, s, "unknown field '%s' for %s (the fields are %s)", name, entity, buf_str(&known));
		buf_free(&known);
		return -1;
	}
	f->field = config_strdup(name);
	if (config_setting_type(s) == CONFIG_TYPE_STRING)
		return config_take_string(r, s, &f->from);
	if (config_want_group(r, s) < 0)
		return -1;
	for (int i = 0; i < config_setting_length(s); i++) {
		config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		const char *n = config_setting_name(e);
		int rc;
		if (!strcmp(n, "from"))
			rc = config_take_string(r, e, &f->from);
		else if (!strcmp(n, "default"))
			rc = config_take_string(r, e, &f->dflt);
		else if (!strcmp(n, "format") && (!strcmp(d->kind, "time") || !strcmp(d->kind, "date")))
			rc = config_take_string(r, e, &f->format);
		else if (!strcmp(n, "map"))
			rc = read_map(r, e, d, f);
		else
			rc = config_unknown(r, e);
		if (rc < 0)
			return -1;
	}
	if (f->dflt && d->allowed && strcmp(d->kind, "first") && !allowed(d, f->dflt))
		return config_fail(r, s, "the default of %s, '%s', is not one of %s", name, f->dflt, d->allowed);
	if (!f->from && !f->dflt)
		return config_fail(r, s, "field %s needs from = \"...\" or default = \"...\"", name);
	return 0;
}

static int read_fields(struct reader *r, const config_setting_t *g, struct import_source *src)
{
	if (!src->entity)
		return config_fail(r, g, "give the entity = \"...\" before the fields");
	if (config_want_group(r, g) < 0)
		return -1;
	int n = config_setting_length(g);
	src->fields = calloc((size_t)n + 1, sizeof *src->fields);
	if (!src->fields)
		abort();
	for (int i = 0; i < n; i++)
		if (read_field(r, config_setting_get_elem(g, (unsigned)i), src->entity,
		               &src->fields[src->nfields++]) < 0)
			return -1;
	return 0;
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
	if (!field_def(src->entity, "source_id"))
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
	return 0;
}

/* only = { from = "role"; values = ["end-user"]; };  skip likewise, or
 * either as a list of such groups ( {...}, {...} ): which rows are the
 * entity's records (baton/import.h). */
static int read_rule(struct reader *r, const config_setting_t *s, const char *name, struct import_rule *u)
{
	if (config_want_group(r, s) < 0)
		return -1;
	for (int i = 0; i < config_setting_length(s); i++) {
		config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		const char *n = config_setting_name(e);
		if (!strcmp(n, "from")) {
			if (config_take_string(r, e, &u->from) < 0)
				return -1;
			if (!*u->from)
				return config_fail(r, e, "%s: from names the source's field the rule reads", name);
			continue;
		}
		if (strcmp(n, "values"))
			return config_unknown(r, e);
		int nv = config_setting_length(e);
		if ((config_setting_type(e) != CONFIG_TYPE_ARRAY && config_setting_type(e) != CONFIG_TYPE_LIST) || nv < 1)
			return config_fail(r, e, "%s: values must be a list of strings [\"a\", \"b\"]", name);
		u->values = calloc((size_t)nv, sizeof *u->values);
		if (!u->values)
			abort();
		for (int j = 0; j < nv; j++) {
			const char *v = config_setting_get_string_elem(e, (unsigned)j);
			if (!v)
				return config_fail(r, e, "%s: values must be a list of strings [\"a\", \"b\"]", name);
			u->values[u->nvalues++] = config_strdup(v);
		}
	}
	if (!u->from || !u->nvalues)
		return config_fail(r, s, "%s needs from = \"...\" and values = [\"...\"]: the rows %s", name,
		                   u->skip ? "whose field has one of the values are skipped"
		                           : "whose field has none of the values are skipped");
	return 0;
}

static int read_rules(struct reader *r, const config_setting_t *s, struct import_source *src)
{
	const char *name = config_setting_name(s);
	int list = config_setting_type(s) == CONFIG_TYPE_LIST;
	int n = list ? config_setting_length(s) : 1;
	if (list && n < 1)
		return config_fail(r, s, "%s must be a group { from = \"...\"; values = [...]; } or a list of them", name);
	struct import_rule *grown = realloc(src->rules, (src->nrules + (size_t)n) * sizeof *grown);
	if (!grown)
		abort();
	src->rules = grown;
	for (int i = 0; i < n; i++) {
		struct import_rule *u = &src->rules[src->nrules++];
		memset(u, 0, sizeof *u);
		u->skip = !strcmp(name, "skip");
		if (read_rule(r, list ? config_setting_get_elem(s, (unsigned)i) : s, name, u) < 0)
			return -1;
	}
	return 0;
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
		return read_fields(r, e, src);
	if (!strcmp(n, "only") || !strcmp(n, "skip"))
		return read_rules(r, e, src);
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
	if (!src->fields || !field_def(src->entity, "source_id"))
		return config_fail(r, g, "source %s needs fields = { source_id = \"...\"; ... }", src->name);
	int key = 0, when = 0;
	for (size_t i = 0; i < src->nfields; i++) {
		key |= !strcmp(src->fields[i].field, "source_id");
		when |= !strcmp(src->fields[i].field, "responded_at");
	}
	if (!key)
		return config_fail(r, g, "source %s maps no source_id: each record needs its id", src->name);
	/* A JSON path is names between dots. */
	for (size_t i = 0; i < src->nrules && src->format != IMPORT_CSV; i++) {
		const char *f = src->rules[i].from;
		if (*f == '.' || f[strlen(f) - 1] == '.' || strstr(f, ".."))
			return config_fail(r, g, "source %s: a rule's from = \"%s\" is no JSON path (\"role\", \"via.channel\")",
			                   src->name, f);
	}
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
