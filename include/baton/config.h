/* Layered configuration: built-in defaults, then the system file, the user
 * file ($XDG_CONFIG_HOME/baton/baton.cfg) and $BATON_CONFIG or -c FILE, each
 * later file overriding the settings it names.  No file is required.  It
 * holds only what is personal (connection, colours, views): the rules every
 * client shares live in the database (migration 006, `baton settings`). */
#ifndef BATON_CONFIG_H
#define BATON_CONFIG_H

#include <stddef.h>

struct import_config;

enum priority { PRIO_URGENT, PRIO_HIGH, PRIO_NORMAL, PRIO_LOW, PRIO_COUNT };

#define CONFIG_MAX_FILES 4
#define CONFIG_MAX_REASONS 32
#define CONFIG_MAX_VIEWS 9
#define CONFIG_MAX_TEAM_SLAS 16
#define CONFIG_MAX_WARNINGS 8

struct queue_view {
	char *name;      /* shown on the queue screen */
	char *team;      /* NULL: any */
	char *state;     /* NULL: active (open + acknowledged) */
	char *reason;    /* NULL: any */
	char *priority;  /* NULL: any */
	int breached;    /* only breached */
	int mine;        /* only handoffs to the signed-in person or their team */
};

/* The handoff group of an older file: reasons, the largest note and the
 * acknowledgement SLAs moved to the database, where every client obeys the
 * same ones.  Read only so that `baton migrate` can import them once; at[]
 * is where each was set ("file:line", NULL: not set by any file). */
enum moved_setting { MOVED_REASONS, MOVED_MAX_NOTE, MOVED_ACK_SLA, MOVED_ACK_SLA_TEAM, MOVED_COUNT };
struct config_moved {
	char *reasons[CONFIG_MAX_REASONS]; /* handoff.reasons */
	size_t nreasons;
	int max_note_bytes;          /* handoff.max_note_bytes */
	int ack_sla_min[PRIO_COUNT]; /* handoff.ack_sla.<priority>, minutes; 0: not set */
	struct team_sla {
		char team[33];
		int min[PRIO_COUNT];  /* 0: not set */
	} team_sla[CONFIG_MAX_TEAM_SLAS]; /* handoff.ack_sla_team.<team>.<priority> */
	size_t nteam_sla;
	char *at[MOVED_COUNT];
};

/* Its setting's name: "handoff.reasons"... */
const char *config_moved_name(enum moved_setting m);

/* ui.start_screen: what the console opens on. */
enum start_screen { START_BY_ROLE, START_FINDER, START_QUEUE, START_SIGNALS, START_MARKETING };

struct config {
	char *conninfo;              /* database.conninfo, NULL: libpq defaults */
	/* database.read_conninfo: where the console reads screens, finder and
	 * queues (a streaming standby); NULL: everything on conninfo. */
	char *read_conninfo;
	int statement_timeout_ms;    /* database.statement_timeout_ms */
	int connect_timeout_s;       /* database.connect_timeout_s, 0: libpq's */
	int color;                   /* ui.color: 1 use colours if the terminal has them */
	int escdelay_ms;             /* ui.escdelay_ms */
	int ascii;                   /* ui.ascii: draw with ASCII only */
	enum start_screen start_screen; /* ui.start_screen: by role (leads: the queue; Marketing: its sends) */
	struct config_moved moved;   /* handoff.*: now in the database */
	struct queue_view views[CONFIG_MAX_VIEWS]; /* queue.views */
	size_t nviews;
	struct import_config *import; /* import.*, NULL until a file has it (baton/import.h) */
	char *files[CONFIG_MAX_FILES]; /* files read, in order */
	size_t nfiles;
	/* "file:line: ..." about settings that still work or are ignored but
	 * should change (a moved setting); the caller shows them. */
	char *warnings[CONFIG_MAX_WARNINGS];
	size_t nwarnings;
};

/* Fill cfg with defaults and read the files.  explicit_file is -c FILE or
 * NULL.  On error writes "path:line: message" into err and returns -1; cfg
 * is then still safe to config_free(). */
int config_load(struct config *cfg, const char *explicit_file, char *err, size_t errlen);
void config_defaults(struct config *cfg);
void config_free(struct config *cfg);

/* Parse "90s", "30m", "4h", "2d" or a bare number of minutes; -1 if invalid. */
int config_parse_minutes(const char *s);
/* Minutes as config_parse_minutes reads them back: "2d", "4h", "90m". */
void config_format_minutes(char *out, size_t n, int minutes);

const char *priority_name(enum priority p);
int priority_from_name(const char *s); /* -1 if unknown */

#endif
