/* baton import: the sources of the configuration (import.sources), and
 * loading one file of a source into the database.
 *
 * The client only streams: a file goes to the server with COPY, one
 * transaction per file, into a staging table made by baton_import_begin();
 * baton_import_apply() (migration 010) parses it (PostgreSQL's CSV, jsonb),
 * checks every value, merges the rows and resolves identities, all in SQL.
 * What the client checks itself is what would stop a COPY: text that is not
 * UTF-8, and CSV rows with another number of fields than the header. */
#ifndef BATON_IMPORT_H
#define BATON_IMPORT_H

#include <libpq-fe.h>
#include <stdint.h>
#include <stdio.h>

#include "baton/buf.h"

enum import_format { IMPORT_CSV, IMPORT_JSONL, IMPORT_JSON };

/* One Baton field of a source: where its value is, and how it is read. */
struct import_field {
	char *field;   /* Baton's name: "status" */
	char *from;    /* the source's field ("Company Domain Name", JSON "via.channel"); NULL: default only */
	char *dflt;    /* value when the source has none, or NULL */
	char *format;  /* times: "iso", "epoch" or a to_timestamp() pattern; NULL: iso */
	char **map;    /* pairs: source value, Baton value */
	size_t nmap;   /* pairs */
};

/* A rule of a source saying which rows are records of its entity (a users
 * export that lists the account's agents too): only the rows whose field
 * from has one of values, or (skip) not those.  A row is imported when it
 * meets every only rule and no skip rule.  Compared as a map's source
 * values are, in lower case without the spaces around; a missing value is
 * "" (migration 093). */
struct import_rule {
	int skip;      /* 1: skip = {...}; 0: only = {...} */
	char *from;    /* the source's field, as a field's from */
	char **values;
	size_t nvalues;
};

struct import_source {
	char *name;             /* the key of its records: never rename a source */
	char *entity;           /* customers, contacts, tickets, milestones, notes, marketing, surveys */
	enum import_format format;
	char delimiter;         /* CSV */
	char *array;            /* JSON: the key of the array of records ("tickets") */
	char *system;           /* customers: its customer_external_id system (crm, helpdesk...) */
	char *label;            /* customers: "Zendesk org", shown as "also: Zendesk org 360001" */
	char *customer_source;  /* the source of the customers its "customer" field names */
	char *contact_source;   /* the source of the contacts its "contact" field names */
	char *timezone;         /* of its times written without an offset; NULL: UTC */
	char *timezone_at;      /* "FILE:LINE" of that setting, which the server checks */
	struct import_rule *rules;     /* the rows it imports; the rest are skipped */
	size_t nrules;
	struct import_field *fields;
	size_t nfields;
	char *at;               /* "file:line" where it is declared */
};

struct import_config {
	struct import_source *sources;
	size_t nsources;
	char **shared_domains;  /* import.shared_domains: more domains that never join customers */
	size_t nshared;
};

void import_config_free(struct import_config *ic);
/* Whether the server's time zone database has tz (as a source's timezone
 * setting names it): 1 yes, 0 no, -1 with err when it could not say. */
int import_timezone_known(PGconn *c, const char *tz, char *err, size_t errlen);
const struct import_source *import_source_find(const struct import_config *ic, const char *name);

/* The fields Baton knows per entity (the database's import_field holds the
 * same; test_import compares them). */
struct import_field_def {
	const char *entity, *field, *kind;
	const char *allowed; /* comma-separated, or NULL */
};
extern const struct import_field_def import_field_defs[];
extern const size_t import_field_defs_count;

/* The mapping as baton_import_apply() takes it (JSON, appended to out);
 * names: NULL, or a CSV header's spellings of the columns it reads, as
 * import_header_columns gives them. */
void import_spec_json(struct buf *out, const struct import_source *src, char *const *names);

/* NULL when from is a JSON path as a source of a JSON format names its
 * fields ("via.channel", "answers[type=open_ended].value": a name may be
 * followed by choices [field=value] of one element of the list it names);
 * else what is wrong with it. */
const char *import_path_problem(const char *from);

/* A row that could not be imported, or (imported set) one imported
 * without the contact its reference names, which is not there yet. */
struct import_reject {
	long long line;  /* line (CSV, JSON Lines) or record number (JSON) */
	char *field;     /* "" when the row as a whole */
	char *reason;
	char *raw;       /* the row as read (may hold invalid UTF-8); "" for an imported one */
	size_t rawlen;
	int imported;    /* not rejected: imported without its contact (migration 070) */
};

/* A record of a customers file that moved to another customer: its
 * domains now name that one and no longer its own (migration 153). */
struct import_move {
	char *record;            /* "HubSpot 9876" */
	long long from, to;      /* customer ids */
	char *from_name, *to_name;
	char *why;               /* "same domain initech.example" */
};
/* The moves a file's summary lists; more are counted (baton merges --run). */
#define IMPORT_MOVES_LISTED 100

struct import_result {
	char entity[32];
	long long read, inserted, updated, unchanged, rejected, merged;
	long long skipped;         /* rows its rules (only, skip) left out */
	long long without_contact; /* rows imported without their contact: rejects[] with imported set */
	char *unused;    /* identifiers not followed, or NULL */
	char *unmerged;  /* groups over import_max_merge, not merged (migration 139), or NULL */
	long long moved;             /* records moved to another customer (migration 153) */
	struct import_move *moves;   /* the first IMPORT_MOVES_LISTED of them */
	size_t nmoves;
	/* The run's id, as baton merges --run and baton split --run name it; a
	 * dry run's is rolled back at its end (its merges are read before). */
	char run[37];
	char **missing;  /* CSV: pairs, a mapped column the header lacks and its field */
	size_t nmissing; /* pairs */
	struct import_reject *rejects; /* and the rows imported without their contact */
	size_t nrejects, caprejects;
	/* Records in which characters PostgreSQL cannot store (\u0000, half a
	 * surrogate pair) were replaced by U+FFFD: pairs, line and how many. */
	long long *replaced;
	size_t nreplaced; /* pairs */
	/* A JSON document: where its first byte that is not UTF-8 is (line,
	 * and byte of that line, from 1), or 0. */
	long long bad_line, bad_byte;
};
void import_result_free(struct import_result *r);

/* Where an import of a file is, for a person watching: called as the file
 * is read (each 64 kB, with the lines read so far; a file the server may
 * already have records of is read twice: checked, then sent), once as the
 * server begins to match the lines' hashes with the source's records (a
 * second or two a million lines, with nothing read meanwhile) and once as
 * it begins to merge what it was sent. */
/* IMPORT_COMMITTING is told just before the file's COMMIT (or its
 * savepoint's release): past it the file may be in, so a caller that would
 * say a stopped file is not defers its stop until import_file returns. */
enum import_phase { IMPORT_READING, IMPORT_MATCHING, IMPORT_SENDING, IMPORT_MERGING, IMPORT_COMMITTING };
typedef void (*import_progress_fn)(void *ctx, enum import_phase phase, long long lines);

/* Import one file (path for messages; f open for reading) in its own
 * transaction; with dry_run everything happens and is rolled back.  When
 * c is already in a transaction (a dry run of several files, begun and
 * rolled back by the caller), the file is a savepoint of it instead, and
 * what it wrote stays for the files after it.  progress (or NULL) is
 * told how far it is, with ctx.  With notes_raw, the records imported
 * without their contact have their raw rows too (the rejects always do):
 * for a rejects file.
 * Returns 0; -1 with err (nothing of the file stays); -2 with err when the
 * connection was lost (nothing of the file stays either). */
int import_file(PGconn *c, const struct import_source *src, const struct import_config *ic,
                const char *path, FILE *f, int dry_run, int notes_raw, import_progress_fn progress,
                void *ctx, struct import_result *res, char *err, size_t errlen);

/* --- reading records (src/import_reader.c) ----------------------------------------- */

/* Reads records: CSV rows (newlines inside quotes included) or lines. */
struct import_reader {
	FILE *f;
	char *buf;
	size_t len, pos;
	int eof, error;  /* error: the errno of a failed read, or 0 */
	int begun;       /* the first bytes were read (and a BOM skipped) */
	int bom;         /* a byte order mark was skipped */
	long long line;  /* physical line of the next byte */
	import_progress_fn progress; /* told as each chunk is read, or NULL */
	void *progress_ctx;
	enum import_phase phase;
	/* CSV: what makes the record read last no CSV COPY reads as it is
	 * (a quote inside a field not quoted, a carriage return outside
	 * quotes), or NULL; its fields are counted with the quote as text. */
	const char *fault;
	/* CSV: the file's header row, once read: a row that is the header
	 * again (two exports joined with cat) is rejected, not imported. */
	const struct buf *header;
	/* A record longer than IMPORT_RECORD_MAX, or a JSON document longer
	 * than IMPORT_DOCUMENT_MAX, stopped the reading (error EFBIG): the line
	 * it starts on, which it is ("record", "document") and that most. */
	long long too_long;
	const char *too_long_what;
	size_t too_long_max;
};
/* The most bytes of one CSV or JSON Lines record, and of a JSON document,
 * which is read whole (PostgreSQL's jsonb holds less than 256 MiB): a file
 * without line ends (/dev/zero, a binary) ends there, not in all memory. */
#define IMPORT_RECORD_MAX (64u << 20)
#define IMPORT_DOCUMENT_MAX (255u << 20)
void import_reader_init(struct import_reader *r, FILE *f);
/* From now on, tell progress (with ctx) of each chunk read, as phase. */
void import_reader_watch(struct import_reader *r, import_progress_fn progress, void *ctx,
                         enum import_phase phase);
void import_reader_free(struct import_reader *r);
/* The next record into rec (without its line end); *start its first line;
 * *fields its number of fields (CSV: delimiters outside quotes + 1).
 * 1 a record, 0 end of file, -1 read error, -2 an unterminated quoted
 * field runs to the end of the file (rec holds it). */
int import_reader_next(struct import_reader *r, int csv, char delim, struct buf *rec,
                       long long *start, int *fields);

/* The rest of the file, appended to doc (a JSON document, read whole):
 * 0, or -1 when reading stopped (a read error, or more than max bytes,
 * said as a "document" starting on line 1). */
int import_reader_rest(struct import_reader *r, struct buf *doc, size_t max);

/* Why reading stopped (r->error set): into buf, which it returns. */
const char *import_reader_why(const struct import_reader *r, char *buf, size_t n);

/* --- a CSV file's header (src/import_header.c) ------------------------------------- */

/* The header row into header, its number of fields into *ncols: 0, or -1
 * with err (an empty file, a header not UTF-8 or not closed, a fault). */
int import_header_read(const struct import_source *src, struct import_reader *rd, struct buf *header,
                       int *ncols, char *err, size_t errlen);
/* The mapped columns header lacks (named in res->missing) or has twice,
 * and the key's or a rule's column missing: 0, or -1 with err.  names
 * (src->nfields + src->nrules of them, NULL to start with): the header's
 * spelling of a column it has only in another case of A-Z or with blanks
 * around (fields first, then rules), to free; NULL where it is as mapped. */
int import_header_columns(const struct import_source *src, const struct buf *header,
                          struct import_result *res, char **names, char *err, size_t errlen);

/* --- streaming (src/import_stream.c) ------------------------------------------------ */

/* Append a value in COPY text format (backslash, tab, CR, LF escaped). */
void import_copy_text(struct buf *out, const char *s, size_t n);

/* The records of a JSON Lines or CSV file the source already has
 * (migration 045), by the line they start on (below nlines): a bit, and
 * the hash they were found by.  A record is kept home only if it hashes
 * the same when it is read again. */
struct import_known {
	unsigned char *bits;
	int64_t *hash;
	long long nlines;
	int64_t seed;
};
void import_known_free(struct import_known *k);
/* Record line's hash; -1 when the file has no such line. */
int import_known_add(struct import_known *k, long long line, int64_t hash);

/* Stream the file to the staging table the run made: the COPY data of
 * every good record but the known lines (NULL: none); bad ones go to
 * res->rejects.  ncols: CSV header's fields (the header goes first, as
 * line 0).  A JSON document goes whole as line 1; if it has bytes that
 * are not UTF-8 (res->bad_line says where the first is), each is sent as
 * a noncharacter it does not have, named on line 0 (migration 068: the
 * records holding it are rejected).  0, or -1 with err. */
int import_stream(PGconn *c, const struct import_source *src, struct import_reader *r,
                  const struct buf *header, int ncols, const struct import_known *known,
                  struct import_result *res, char *err, size_t errlen);

/* The COPY data "line<tab>hash" of every record of a JSON Lines or CSV
 * file that import_stream() would send (its text; a CSV row's fields as
 * import_csv_text writes them), hashed with seed; *passed: how many lines
 * it passed over that import_stream() would reject or send (not hashed).
 * 0, or -1 with err. */
int import_stream_hashes(PGconn *c, const struct import_source *src, struct import_reader *r, int ncols,
                         int64_t seed, long long *passed, char *err, size_t errlen);
void import_result_reject(struct import_result *res, long long line, const char *field,
                          const char *reason, const char *raw, size_t rawlen);

/* PostgreSQL's hashtextextended(text, seed) of len bytes, as a little-endian
 * server computes it (src/import_hash.c). */
int64_t import_line_hash(const char *text, size_t len, int64_t seed);
/* A CSV record's fields as the server writes them out to hash them (all
 * quoted, NULL as nothing, commas), into out; -1 when the record has a
 * carriage return outside quotes, which COPY refuses (it is not hashed). */
int import_csv_text(struct buf *out, const char *rec, size_t n, char delim);
/* How many of a CSV record's fields, read as import_csv_text reads them,
 * are name (a header's columns). */
int import_csv_count(const char *rec, size_t n, char delim, const char *name);
/* How many are name but for the case of the letters A-Z and blanks around
 * them ("Company domain name" for "Company Domain Name"); found: the first
 * one's text, or with more, their texts joined by '", "'. */
int import_csv_count_loosely(const char *rec, size_t n, char delim, const char *name, struct buf *found);
/* The hash a record is matched by: a JSON line's text, a CSV row's fields
 * as import_csv_text writes them (scratch: its buffer); 0 with *h, or -1
 * when the record is not hashed. */
int import_record_hash(const char *rec, size_t n, int csv, char delim, int64_t seed, struct buf *scratch,
                       int64_t *h);

#endif
