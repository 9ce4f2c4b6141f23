/* The draft file format, one for every kind of draft (handoffs, success
 * notes, handoff steps, signal writes and onboarding changes): a magic
 * line, "key: value" header lines, a blank line, then the text as typed.
 * Header values are one line each; keys a kind does not use are ignored,
 * so a draft without "kind" is a handoff (the files of before notes), and
 * a new kind is a new "kind" value: the files of the kinds before it read
 * as they did. */
#include "draft_priv.h"
#include "baton/text.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DRAFT_MAGIC "baton-draft: 2\n"

static void put_field(struct buf *b, const char *key, const char *v)
{
	buf_printf(b, "%s: ", key);
	for (; *v; v++)
		buf_putc(b, (*v == '\n' || *v == '\r') ? ' ' : *v);
	buf_putc(b, '\n');
}

static void put_num(struct buf *b, const char *key, long long v)
{
	char num[32];
	snprintf(num, sizeof num, "%lld", v);
	put_field(b, key, num);
}

/* What every kind has, first: the kind, whose and which draft, the customer. */
static void put_head(struct buf *b, const char *kind, const char *owner, const char *id,
                     long long customer, const char *customer_name)
{
	buf_puts(b, DRAFT_MAGIC);
	put_field(b, "kind", kind);
	put_field(b, "owner", owner);
	put_field(b, "id", id);
	put_num(b, "customer", customer);
	put_field(b, "customer-name", customer_name);
}

static void put_tail(struct buf *b, int queued, const char *text)
{
	put_field(b, "state", queued ? "queued" : "editing");
	buf_putc(b, '\n');
	buf_puts(b, text ? text : "");
}

/* Only when something was not taken: a file without the line reads as
 * before, also in an older Baton (which ignores keys it does not know). */
static void put_not_taken(struct buf *b, size_t not_taken)
{
	if (not_taken)
		put_num(b, "not-taken", not_taken > LLONG_MAX ? LLONG_MAX : (long long)not_taken);
}

void draft_format_handoff(struct buf *b, const struct handoff_new *h, const char *owner, int queued,
                          size_t not_taken)
{
	put_head(b, "handoff", owner, h->id, h->customer_id, h->customer_name);
	put_field(b, "event", h->event_id);
	put_field(b, "to-team", h->to_team);
	put_field(b, "to", h->to_staff);
	put_field(b, "reason", h->reason);
	put_field(b, "priority", h->priority);
	put_num(b, "ticket", h->ticket_id);
	put_not_taken(b, not_taken);
	put_tail(b, queued, h->note);
}

void draft_format_note(struct buf *b, const struct note_new *n, const char *owner, int queued,
                       size_t not_taken)
{
	put_head(b, "note", owner, n->id, n->customer_id, n->customer_name);
	put_field(b, "note-kind", n->kind);
	put_num(b, "ticket", n->ticket_id);
	put_field(b, "handoff", n->handoff_id);
	put_num(b, "supersedes", n->supersedes);
	put_not_taken(b, not_taken);
	put_tail(b, queued, n->body);
}

/* A step knows its handoff, not always its customer: only the name, for
 * people, and no customer number.  Its text is the comment. */
void draft_format_step(struct buf *b, const struct step_new *st, const char *owner, int queued)
{
	buf_puts(b, DRAFT_MAGIC);
	put_field(b, "kind", "step");
	put_field(b, "owner", owner);
	put_field(b, "id", st->s.event_id);
	put_field(b, "customer-name", st->customer_name);
	put_field(b, "handoff", st->s.id);
	put_field(b, "step", st->s.kind ? st->s.kind : "");
	put_num(b, "version", st->s.version);
	put_field(b, "to-team", st->s.to_team);
	put_field(b, "to", st->s.to_staff);
	put_tail(b, queued, st->s.comment);
}

/* A signal's write: what it does ("hold", "release" or "ack"), to what,
 * the facts an acknowledgement was made on; its text is the comment. */
void draft_format_signal(struct buf *b, const struct signal_new *sg, const char *owner, int queued)
{
	buf_puts(b, DRAFT_MAGIC);
	put_field(b, "kind", "signal");
	put_field(b, "owner", owner);
	put_field(b, "id", sg->w.id);
	put_field(b, "write", sg->ack ? "ack" : sg->w.what);
	if (sg->ack)
		put_field(b, "signal", sg->w.what);
	put_num(b, "target", sg->w.target);
	put_field(b, "fingerprint", sg->w.fingerprint);
	put_field(b, "about", sg->about);
	put_tail(b, queued, sg->comment);
}

/* A value read from the database and cut to a buffer by an older Baton
 * (a title, a customer's name): only its valid UTF-8 start, so that one
 * cut character does not make the whole file unreadable. */
static void put_valid(struct buf *b, const char *key, const char *v)
{
	char cut[256];
	size_t n = text_utf8_valid_len(v, strlen(v));
	snprintf(cut, sizeof cut, "%.*s", (int)(n < sizeof cut ? n : sizeof cut - 1), v);
	put_field(b, key, cut);
}

/* An onboarding change: "kind: milestone" (which one, the state it is set
 * to, the version it was read at) or "kind: health" (whose, the health);
 * its text is the reason, one line. */
void draft_format_onboarding(struct buf *b, const struct onboarding_new *ob, const char *owner, int queued)
{
	buf_puts(b, DRAFT_MAGIC);
	put_field(b, "kind", ob->health ? "health" : "milestone");
	put_field(b, "owner", owner);
	put_field(b, "id", ob->health ? ob->h.id : ob->m.id);
	put_valid(b, "customer-name", ob->customer_name);
	if (ob->health) {
		put_num(b, "customer", ob->h.customer_id);
		put_field(b, "health", ob->h.health);
	} else {
		put_num(b, "milestone", ob->m.milestone_id);
		put_valid(b, "title", ob->m.title);
		put_field(b, "status", ob->m.status);
		put_field(b, "due", ob->m.due);
		put_field(b, "milestone-owner", ob->m.owner);
		if (ob->m.version > 0)
			put_num(b, "version", ob->m.version);
	}
	put_tail(b, queued, ob->health ? ob->h.reason : ob->m.reason);
}

static void copy_field(char *dst, size_t n, const char *v)
{
	text_copy(dst, n, v);
}

/* The fields every kind has are read into d->h, the note's own into d->n;
 * draft_parse moves them where the kind says. */
static int parse_field(struct draft *d, char *line)
{
	struct handoff_new *h = &d->h;
	char *colon = strstr(line, ": ");
	if (!colon)
		return 0;
	*colon = '\0';
	const char *k = line, *v = colon + 2;
	if (!strcmp(k, "kind")) {
		if (!strcmp(v, "handoff"))
			d->kind = DRAFT_HANDOFF;
		else if (!strcmp(v, "note"))
			d->kind = DRAFT_NOTE;
		else if (!strcmp(v, "step"))
			d->kind = DRAFT_STEP;
		else if (!strcmp(v, "signal"))
			d->kind = DRAFT_SIGNAL;
		else if (!strcmp(v, "milestone") || !strcmp(v, "health")) {
			d->kind = DRAFT_ONBOARDING;
			d->ob.health = v[0] == 'h';
		} else
			return -1;
	} else if (!strcmp(k, "owner"))
		copy_field(d->owner, sizeof d->owner, v);
	else if (!strcmp(k, "id"))
		copy_field(h->id, sizeof h->id, v);
	else if (!strcmp(k, "event"))
		copy_field(h->event_id, sizeof h->event_id, v);
	else if (!strcmp(k, "customer"))
		return text_to_ll(v, 1, LLONG_MAX, &h->customer_id) < 0 ? -1 : 0;
	else if (!strcmp(k, "customer-name"))
		copy_field(h->customer_name, sizeof h->customer_name, v);
	else if (!strcmp(k, "to-team"))
		copy_field(h->to_team, sizeof h->to_team, v);
	else if (!strcmp(k, "to"))
		copy_field(h->to_staff, sizeof h->to_staff, v);
	else if (!strcmp(k, "reason"))
		copy_field(h->reason, sizeof h->reason, v);
	else if (!strcmp(k, "priority"))
		copy_field(h->priority, sizeof h->priority, v);
	else if (!strcmp(k, "ticket"))
		return text_to_ll(v, 0, LLONG_MAX, &h->ticket_id) < 0 ? -1 : 0;
	else if (!strcmp(k, "note-kind"))
		copy_field(d->n.kind, sizeof d->n.kind, v);
	else if (!strcmp(k, "handoff"))
		copy_field(d->n.handoff_id, sizeof d->n.handoff_id, v);
	else if (!strcmp(k, "supersedes"))
		return text_to_ll(v, 0, LLONG_MAX, &d->n.supersedes) < 0 ? -1 : 0;
	else if (!strcmp(k, "step"))
		return (d->st.s.kind = handoff_step_kind(v)) ? 0 : -1;
	else if (!strcmp(k, "version")) {
		long long version;
		if (text_to_ll(v, 1, INT_MAX, &version) < 0)
			return -1;
		d->st.s.version = (int)version;
	} else if (!strcmp(k, "write")) {
		if (!strcmp(v, "ack"))
			d->sg.ack = 1;
		else if (!strcmp(v, "hold") || !strcmp(v, "release"))
			copy_field(d->sg.w.what, sizeof d->sg.w.what, v);
		else
			return -1;
	} else if (!strcmp(k, "signal")) {
		if (!signal_kind_find(v))
			return -1;
		copy_field(d->sg.w.what, sizeof d->sg.w.what, v);
	} else if (!strcmp(k, "target"))
		return text_to_ll(v, 1, LLONG_MAX, &d->sg.w.target) < 0 ? -1 : 0;
	else if (!strcmp(k, "fingerprint"))
		copy_field(d->sg.w.fingerprint, sizeof d->sg.w.fingerprint, v);
	else if (!strcmp(k, "about"))
		copy_field(d->sg.about, sizeof d->sg.about, v);
	else if (!strcmp(k, "milestone"))
		return text_to_ll(v, 1, LLONG_MAX, &d->ob.m.milestone_id) < 0 ? -1 : 0;
	else if (!strcmp(k, "title"))
		copy_field(d->ob.m.title, sizeof d->ob.m.title, v);
	else if (!strcmp(k, "status"))
		copy_field(d->ob.m.status, sizeof d->ob.m.status, v);
	else if (!strcmp(k, "due"))
		copy_field(d->ob.m.due, sizeof d->ob.m.due, v);
	else if (!strcmp(k, "milestone-owner"))
		copy_field(d->ob.m.owner, sizeof d->ob.m.owner, v);
	else if (!strcmp(k, "health"))
		copy_field(d->ob.h.health, sizeof d->ob.h.health, v);
	else if (!strcmp(k, "not-taken")) {
		long long n;
		if (text_to_ll(v, 0, LLONG_MAX, &n) < 0)
			return -1;
		d->not_taken = (size_t)n;
	} else if (!strcmp(k, "state"))
		d->queued = strcmp(v, "queued") == 0;
	return 0;
}

/* A note draft: the common fields out of d->h, checked as a note. */
static int adopt_note(struct draft *d)
{
	struct note_new *n = &d->n;
	copy_field(n->id, sizeof n->id, d->h.id);
	n->customer_id = d->h.customer_id;
	copy_field(n->customer_name, sizeof n->customer_name, d->h.customer_name);
	n->ticket_id = d->h.ticket_id;
	n->body = d->h.note;
	memset(&d->h, 0, sizeof d->h);
	if (!note_kind_valid(n->kind) || (n->handoff_id[0] && !handoff_is_uuid(n->handoff_id)))
		return -1;
	return handoff_is_uuid(n->id) && n->customer_id > 0 ? 0 : -1;
}

/* A step draft: the common fields out of d->h and d->n, checked as a
 * step.  Always queued: a step is kept only once it is sent. */
static int adopt_step(struct draft *d)
{
	struct handoff_step *s = &d->st.s;
	copy_field(s->event_id, sizeof s->event_id, d->h.id);
	copy_field(s->id, sizeof s->id, d->n.handoff_id);
	copy_field(s->to_team, sizeof s->to_team, d->h.to_team);
	copy_field(s->to_staff, sizeof s->to_staff, d->h.to_staff);
	copy_field(d->st.customer_name, sizeof d->st.customer_name, d->h.customer_name);
	s->comment = d->h.note;
	d->h.note = NULL;
	if (s->comment && !*s->comment) {
		free(s->comment);
		s->comment = NULL;
	}
	handoff_clear(&d->h);
	note_clear(&d->n);
	d->queued = 1;
	if (!s->kind || s->version <= 0 || !handoff_is_uuid(s->id) || !handoff_is_uuid(s->event_id))
		return -1;
	/* A reassignment names where to; the others name nothing. */
	return !strcmp(s->kind, "reassigned") == !!s->to_team[0] ? 0 : -1;
}

/* A signal write's draft: the id and comment out of d->h, checked.
 * Always queued, as a step. */
static int adopt_signal(struct draft *d)
{
	struct signal_new *sg = &d->sg;
	copy_field(sg->w.id, sizeof sg->w.id, d->h.id);
	sg->comment = d->h.note;
	d->h.note = NULL;
	sg->w.comment = sg->comment;
	handoff_clear(&d->h);
	note_clear(&d->n);
	d->queued = 1;
	/* An acknowledgement names its signal, a hold or release does not. */
	int holds = !strcmp(sg->w.what, "hold") || !strcmp(sg->w.what, "release");
	if (!handoff_is_uuid(sg->w.id) || sg->w.target <= 0 || !sg->w.what[0] || sg->ack == holds)
		return -1;
	for (const char *p = sg->w.fingerprint; *p; p++)
		if (!strchr("0123456789abcdef", *p))
			return -1;
	return text_is_blank(sg->comment) ? -1 : 0;
}

/* An onboarding change's draft: the id, customer, version and reason out
 * of the common fields, checked as the form checks it before sending.
 * Always queued, as a step. */
static int adopt_onboarding(struct draft *d)
{
	struct onboarding_new *ob = &d->ob;
	char err[160];
	const char *reason = d->h.note ? d->h.note : "";
	int fits = strlen(reason) < sizeof ob->m.reason, ok;
	copy_field(ob->customer_name, sizeof ob->customer_name, d->h.customer_name);
	if (ob->health) {
		copy_field(ob->h.id, sizeof ob->h.id, d->h.id);
		ob->h.customer_id = d->h.customer_id;
		copy_field(ob->h.reason, sizeof ob->h.reason, reason);
		ok = handoff_is_uuid(ob->h.id) && ob->h.customer_id > 0 &&
		     onboarding_health_validate(&ob->h, err, sizeof err) == 0;
	} else {
		copy_field(ob->m.id, sizeof ob->m.id, d->h.id);
		ob->m.version = d->st.s.version;
		copy_field(ob->m.reason, sizeof ob->m.reason, reason);
		ok = handoff_is_uuid(ob->m.id) && ob->m.milestone_id > 0 &&
		     onboarding_milestone_validate(&ob->m, err, sizeof err) == 0;
	}
	handoff_clear(&d->h);
	memset(&d->h, 0, sizeof d->h);
	note_clear(&d->n);
	d->st.s.version = 0;
	d->queued = 1;
	return fits && ok ? 0 : -1;
}

/* Baton before text_copy cut a customer's name at 200 bytes, at times
 * inside a character (a long name in kanji): the file was then refused as
 * not UTF-8 and its note never sent.  The name's cut character, and only
 * that, is dropped from such a file, which is then read as any other. */
static void mend_cut_name(char *text, size_t *len)
{
	static const char key[] = "\ncustomer-name: ";
	char *k = strstr(text, key), *end = strstr(text, "\n\n");
	if (!k || !end || k > end)
		return;
	char *v = k + strlen(key), *eol = strchr(v, '\n');
	size_t vl = (size_t)(eol - v), ok = text_utf8_valid_len(v, vl);
	if (ok == vl || vl - ok > 3 || (unsigned char)v[ok] < 0xc2)
		return;
	memmove(v + ok, eol, (size_t)(text + *len - eol) + 1);
	*len -= vl - ok;
}

int draft_parse(struct draft *d, char *text, size_t len)
{
	mend_cut_name(text, &len);
	if (!text_valid_utf8(text, len) ||
	    strncmp(text, DRAFT_MAGIC, strlen(DRAFT_MAGIC)) != 0)
		return -1;
	char *p = text + strlen(DRAFT_MAGIC), *nl;
	while ((nl = strchr(p, '\n')) && nl != p) {
		*nl = '\0';
		if (parse_field(d, p) < 0)
			return -1;
		p = nl + 1;
	}
	if (!nl)
		return -1; /* no blank line before the text */
	if (!(d->h.note = strdup(nl + 1)))
		abort();
	if (!d->owner[0])
		return -1;
	if (d->kind == DRAFT_NOTE)
		return adopt_note(d);
	if (d->kind == DRAFT_STEP)
		return adopt_step(d);
	if (d->kind == DRAFT_SIGNAL)
		return adopt_signal(d);
	if (d->kind == DRAFT_ONBOARDING)
		return adopt_onboarding(d);
	if (!handoff_is_uuid(d->h.id) || !handoff_is_uuid(d->h.event_id) || d->h.customer_id <= 0)
		return -1;
	return 0;
}
