/* Reading one configuration file, shared by src/config.c (the personal
 * settings) and src/config_moved.c (the handoff settings that moved to
 * the database).  Private to them. */
#ifndef BATON_CONFIG_PRIV_H
#define BATON_CONFIG_PRIV_H

#include "baton/config.h"

#include <libconfig.h>
#include <stddef.h>

struct reader {
	const char *path;
	char *err;
	size_t errlen;
};

/* "path:line: message" into r->err; returns -1. */
int config_fail(struct reader *r, const config_setting_t *s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* "database.conninfo", for messages. */
void config_setting_path(const config_setting_t *s, char *out, size_t n);
/* A string setting into *out (freed first, malloc'd). */
int config_take_string(struct reader *r, const config_setting_t *s, char **out);
int config_read_int(struct reader *r, const config_setting_t *s, int lo, int hi, int *out);
int config_want_group(struct reader *r, const config_setting_t *s);
int config_unknown(struct reader *r, const config_setting_t *s);
char *config_strdup(const char *s);

/* ui.start_screen = "finder" | "queue" | "signals" | "marketing"
 * (src/config_values.c). */
int config_read_start_screen(struct reader *r, const config_setting_t *s, enum start_screen *out);
/* database.read_conninfo, a valid conninfo; "" for none (src/config_values.c). */
int config_read_conninfo(struct reader *r, const config_setting_t *s, char **out);

/* The handoff group: its settings go into cfg->moved, each with a warning
 * in cfg->warnings that it moved to the database. */
int config_read_moved(struct reader *r, const config_setting_t *g, struct config *cfg);
void config_moved_free(struct config_moved *m);

/* The import group (src/config_import.c): sources and shared domains into
 * cfg->import. */
int config_read_import(struct reader *r, const config_setting_t *g, struct config *cfg);
/* Once every file is read: each source's customer_source and contact_source
 * name a source of that entity (a later file may declare it); 0, or -1 with
 * "path:line: message" in err. */
int config_check_import(const struct config *cfg, char *err, size_t errlen);
/* A source's fields and rules (src/config_import_fields.c). */
struct import_field;
struct import_field_def;
struct import_rule;
struct import_source;
const struct import_field_def *config_import_field_def(const char *entity, const char *field);
int config_read_import_fields(struct reader *r, const config_setting_t *g, struct import_source *src);
int config_read_import_rules(struct reader *r, const config_setting_t *s, struct import_source *src);
void config_import_field_free(struct import_field *f);
void config_import_rule_free(struct import_rule *u);

#endif
