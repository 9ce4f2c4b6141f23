/* Success notes: checked here to tell the writer at once, written by the
 * server's baton_note_add, which checks everything again. */
#include "baton/note.h"
#include "baton/handoff.h"
#include "baton/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const note_kinds[NOTE_KINDS] = {"note", "call", "meeting", "qbr", "email"};

int note_kind_valid(const char *k)
{
	for (int i = 0; k && i < NOTE_KINDS; i++)
		if (!strcmp(k, note_kinds[i]))
			return 1;
	return 0;
}

void note_links_add(struct note_links *l, long long ticket_id, const char *handoff_id,
                    const char *label)
{
	struct note_link *v = realloc(l->v, sizeof *v * (size_t)(l->n + 1));
	if (!v)
		abort();
	l->v = v;
	memset(&v[l->n], 0, sizeof *v);
	v[l->n].ticket_id = ticket_id;
	snprintf(v[l->n].handoff_id, sizeof v[l->n].handoff_id, "%s", handoff_id ? handoff_id : "");
	if (!(v[l->n].label = strdup(label ? label : "")))
		abort();
	l->n++;
}

void note_links_free(struct note_links *l)
{
	for (int i = 0; i < l->n; i++)
		free(l->v[i].label);
	free(l->v);
	memset(l, 0, sizeof *l);
}

int note_links_find(const struct note_links *l, const struct note_new *n)
{
	for (int i = 0; i < l->n; i++)
		if (l->v[i].ticket_id == n->ticket_id && !strcmp(l->v[i].handoff_id, n->handoff_id))
			return (n->ticket_id || n->handoff_id[0]) ? i : -1;
	return -1;
}

int note_init(struct note_new *n)
{
	memset(n, 0, sizeof *n);
	snprintf(n->kind, sizeof n->kind, "note");
	return db_uuid(n->id);
}

void note_clear(struct note_new *n)
{
	free(n->body);
	n->body = NULL;
}

int note_text_check(const char *what, const char *text, size_t max, const char *empty_hint,
                    char *err, size_t errlen)
{
	size_t len = text ? strlen(text) : 0;
	if (text_is_blank(text)) {
		snprintf(err, errlen, "the %s is empty%s", what, empty_hint);
		return -1;
	}
	if (len > max) {
		snprintf(err, errlen, "the %s is %zu bytes; the largest is %zu", what, len, max);
		return -1;
	}
	if (!text_valid_utf8(text, len)) {
		snprintf(err, errlen, "the %s is not valid UTF-8", what);
		return -1;
	}
	return 0;
}

int note_validate(const struct note_new *n, int max_bytes, char *err, size_t errlen)
{
	if (!note_kind_valid(n->kind)) {
		snprintf(err, errlen, "unknown kind '%s' (note, call, meeting, qbr or email)", n->kind);
		return -1;
	}
	if ((n->ticket_id || n->ticket_ref) && n->handoff_id[0]) {
		snprintf(err, errlen, "link the note to a ticket or to a handoff, not both");
		return -1;
	}
	return note_text_check("note", n->body, max_bytes > 0 ? (size_t)max_bytes : HANDOFF_NOTE_MAX, "",
	                       err, errlen);
}

void note_add_stmt(const struct note_new *n, struct note_params *st, struct db_stmt *out)
{
	snprintf(st->num[0], sizeof st->num[0], "%lld", n->customer_id);
	snprintf(st->num[2], sizeof st->num[2], "%lld", n->supersedes);
	st->p[0] = n->id;
	st->p[1] = st->num[0];
	st->p[2] = n->kind;
	st->p[3] = n->body ? n->body : "";
	st->p[4] = ticket_ref_param(n->ticket_ref, n->ticket_id, st->num[1], sizeof st->num[1]);
	st->p[5] = n->handoff_id[0] ? n->handoff_id : NULL;
	st->p[6] = n->supersedes > 0 ? st->num[2] : NULL;
	out->sql = "SELECT created, note_id FROM baton_note_add("
	           "$1::uuid, $2::bigint, $3, $4, baton_ticket_ref($2::bigint, $5), $6::uuid, $7::bigint)";
	out->nparams = 7;
	out->params = st->p;
}

int note_add_read(const PGresult *r, long long *note_id)
{
	if (!r || PQnfields(r) != 2 || PQntuples(r) != 1 || PQgetisnull(r, 0, 1))
		return -1;
	*note_id = strtoll(PQgetvalue(r, 0, 1), NULL, 10);
	return PQgetvalue(r, 0, 0)[0] == 't';
}
