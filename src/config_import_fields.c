/* What a source of import.sources reads from a record: its fields, each
 * checked against Baton's catalogue (the same as the server's import_field),
 * with their maps, defaults and formats; and its rules (only, skip), which
 * say which rows are records of its entity.  See src/config_import.c. */
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

void config_import_field_free(struct import_field *f)
{
	free(f->field);
	free(f->from);
	free(f->dflt);
	free(f->format);
	for (size_t i = 0; i < 2 * f->nmap; i++)
		free(f->map[i]);
	free(f->map);
}

void config_import_rule_free(struct import_rule *u)
{
	free(u->from);
	for (size_t i = 0; i < u->nvalues; i++)
		free(u->values[i]);
	free(u->values);
}

const struct import_field_def *config_import_field_def(const char *entity, const char *field)
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
	const struct import_field_def *d = config_import_field_def(entity, name);
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

int config_read_import_fields(struct reader *r, const config_setting_t *g, struct import_source *src)
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

int config_read_import_rules(struct reader *r, const config_setting_t *s, struct import_source *src)
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
