/* What a run of baton import says of each file: its summary as text or as
 * one JSON object, or the JSON object of a file not imported. */
#include "baton/buf.h"
#include "baton/import.h"
#include "baton/text.h"
#include "import_priv.h"

#include <string.h>

void import_summary_text(struct buf *b, const char *file, const struct import_result *r, int dry_run)
{
	struct buf name = BUF_INIT;
	text_clean(&name, file, strlen(file), TEXT_ONELINE);
	buf_printf(b, "%s%s: %s: %lld read, %lld inserted, %lld updated, %lld unchanged,", dry_run ? "would import " : "",
	           buf_str(&name), r->entity, r->read, r->inserted, r->updated, r->unchanged);
	if (r->skipped)
		buf_printf(b, " %lld skipped,", r->skipped);
	buf_printf(b, " %lld rejected, %lld customer%s merged", r->rejected, r->merged, r->merged == 1 ? "" : "s");
	if (r->inserted + r->updated + r->merged == 0)
		buf_puts(b, " (no changes)");
	buf_putc(b, '\n');
	/* A wrong mapping's merges are undone together (schema 141). */
	if (r->merged && !dry_run)
		buf_printf(b, "  its merges: baton merges --run %s lists them, baton split --run %s undoes them\n",
		           r->run, r->run);
	for (size_t i = 0; i < r->nmissing; i++) {
		buf_puts(b, i ? ", \"" : "  not in the header, so read as absent: \"");
		text_clean(b, r->missing[2 * i], strlen(r->missing[2 * i]), TEXT_ONELINE);
		buf_printf(b, "\" (%s)", r->missing[2 * i + 1]);
		if (i + 1 == r->nmissing)
			buf_putc(b, '\n');
	}
	if (r->without_contact)
		buf_printf(b, "  imported without their contact, which is not imported (listed with the"
		           " rejects, saying why; an import of them after their contact links it): %lld\n",
		           r->without_contact);
	if (r->unused) {
		buf_puts(b, "  not used to merge (shared by too many customers): ");
		text_clean(b, r->unused, strlen(r->unused), TEXT_ONELINE);
		/* A domain reaches the limit as its records arrive: what it joined
		 * in earlier files, while under it, is not undone by itself. */
		buf_puts(b, "\n  what these joined in earlier files, if anything, stays joined: baton merges lists it,"
		            " baton split undoes it\n");
	}
	if (r->unmerged) {
		buf_puts(b, "  not merged (one customer of more companies of one source than import_max_merge): ");
		text_clean(b, r->unmerged, strlen(r->unmerged), TEXT_ONELINE);
		buf_puts(b, "\n  each stays its own customer: identifiers that chain companies together are mostly a"
		            " mapping's mistake; if they are one, an administrator runs baton settings set"
		            " import_max_merge N, and the file is imported again\n");
	}
	if (r->moved) {
		/* A record whose domains or ids now name another customer, and none of
		 * its own (migration 153): the two are not merged. */
		buf_printf(b, "  %s to another customer (its domains or ids now name that one, not its own): %lld\n",
		           dry_run ? "would move" : "moved", r->moved);
		for (size_t i = 0; i < r->nmoves && i < 10; i++) {
			const struct import_move *m = &r->moves[i];
			buf_puts(b, "    ");
			text_clean(b, m->record, strlen(m->record), TEXT_ONELINE);
			buf_printf(b, ", from #%lld ", m->from);
			text_clean(b, m->from_name, strlen(m->from_name), TEXT_ONELINE);
			buf_printf(b, " to #%lld ", m->to);
			text_clean(b, m->to_name, strlen(m->to_name), TEXT_ONELINE);
			buf_puts(b, ": ");
			text_clean(b, m->why, strlen(m->why), TEXT_ONELINE);
			buf_putc(b, '\n');
		}
		if (r->moved > 10)
			buf_printf(b, "    and %lld more%s\n", r->moved - 10,
			           dry_run ? "" : ": baton merges --run lists them");
	}
	if (r->nreplaced) {
		long long chars = 0;
		for (size_t i = 0; i < r->nreplaced; i++)
			chars += r->replaced[2 * i + 1];
		buf_printf(b, "  %lld character%s PostgreSQL cannot store (\\u0000, half a surrogate pair)"
		           " replaced by U+FFFD: line%s", chars, chars == 1 ? "" : "s", r->nreplaced == 1 ? "" : "s");
		for (size_t i = 0; i < r->nreplaced && i < 10; i++)
			buf_printf(b, "%s %lld", i ? "," : "", r->replaced[2 * i]);
		if (r->nreplaced > 10)
			buf_printf(b, " and %zu more (--format json lists them all)", r->nreplaced - 10);
		buf_putc(b, '\n');
	}
	buf_free(&name);
}

void import_summary_json(struct buf *b, const char *file, const struct import_result *r, int first,
                         int dry_run)
{
	buf_puts(b, first ? "{\"file\":" : ",{\"file\":");
	text_json_string(b, file);
	/* A dry run's counts are what the run would do: a script tells them
	 * from the output alone. */
	buf_printf(b, ",\"dry_run\":%s", dry_run ? "true" : "false");
	buf_puts(b, ",\"entity\":");
	text_json_string(b, r->entity);
	buf_printf(b, ",\"read\":%lld,\"inserted\":%lld,\"updated\":%lld,\"unchanged\":%lld,\"skipped\":%lld,"
	           "\"rejected\":%lld,\"merged\":%lld,\"without_contact\":%lld,\"unused\":", r->read,
	           r->inserted, r->updated, r->unchanged, r->skipped, r->rejected, r->merged, r->without_contact);
	text_json_string(b, r->unused);
	buf_puts(b, ",\"unmerged\":");
	text_json_string(b, r->unmerged);
	buf_printf(b, ",\"moved\":%lld,\"moves\":[", r->moved);
	for (size_t i = 0; i < r->nmoves; i++) {
		const struct import_move *m = &r->moves[i];
		buf_puts(b, i ? ",{\"record\":" : "{\"record\":");
		text_json_string(b, m->record);
		buf_printf(b, ",\"from\":%lld,\"from_name\":", m->from);
		text_json_string(b, m->from_name);
		buf_printf(b, ",\"to\":%lld,\"to_name\":", m->to);
		text_json_string(b, m->to_name);
		buf_puts(b, ",\"identifiers\":");
		text_json_string(b, m->why);
		buf_putc(b, '}');
	}
	buf_puts(b, "],\"run\":");
	text_json_string(b, dry_run ? NULL : r->run);
	buf_puts(b, ",\"missing_columns\":[");
	for (size_t i = 0; i < r->nmissing; i++) {
		if (i)
			buf_putc(b, ',');
		text_json_string(b, r->missing[2 * i]);
	}
	long long chars = 0;
	for (size_t i = 0; i < r->nreplaced; i++)
		chars += r->replaced[2 * i + 1];
	buf_printf(b, "],\"replaced_characters\":%lld,\"replaced_lines\":[", chars);
	for (size_t i = 0; i < r->nreplaced; i++)
		buf_printf(b, "%s%lld", i ? "," : "", r->replaced[2 * i]);
	/* One object a line: a progress line drawn on the terminal after it
	 * begins on a line of its own. */
	buf_puts(b, "]}\n");
}

/* A file that was not imported, in the JSON array too: a script reading
 * standard output alone learns of it (the message is also on standard
 * error, as in text). */
void import_failed_json(struct buf *b, const char *file, const char *error, int first, int dry_run)
{
	buf_puts(b, first ? "{\"file\":" : ",{\"file\":");
	text_json_string(b, file);
	buf_printf(b, ",\"dry_run\":%s,\"error\":", dry_run ? "true" : "false");
	text_json_string(b, error);
	buf_puts(b, "}\n");
}
