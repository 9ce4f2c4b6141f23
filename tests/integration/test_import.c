/* Integration tests for import (migration 010) that need no file: the
 * catalogue of fields the configuration is checked against is the one the
 * server checks against; domains are normalised as identity resolution
 * compares them; a mapping the server is sent is checked again there (psql
 * gets no way around the configuration's checks); a run id is used once. */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "baton/import.h"
#include "check.h"
#include "itest.h"

static PGconn *su;

static void test_catalogue_matches_server(void)
{
	PGresult *r = PQexec(su, "SELECT entity || '.' || field || ':' || kind || ':'"
	                         " || coalesce(array_to_string(allowed, ','), '') FROM import_field");
	CHECK(PQresultStatus(r) == PGRES_TUPLES_OK);
	CHECK((size_t)PQntuples(r) == import_field_defs_count);
	for (size_t i = 0; i < import_field_defs_count; i++) {
		const struct import_field_def *d = &import_field_defs[i];
		char line[512];
		int found = 0;
		snprintf(line, sizeof line, "%s.%s:%s:%s", d->entity, d->field, d->kind, d->allowed ? d->allowed : "");
		for (int j = 0; j < PQntuples(r); j++)
			found |= !strcmp(PQgetvalue(r, j, 0), line);
		if (!found)
			printf("    not on the server: %s\n", line);
		CHECK(found);
	}
	PQclear(r);
}

static void test_domains_normalised(void)
{
	CHECK_STR(itest_value(su, "SELECT baton_norm_domain('https://WWW.Nwh.Example./about?x=1')"), "nwh.example");
	CHECK_STR(itest_value(su, "SELECT baton_norm_domain('Dana@NWH.example')"), "nwh.example");
	CHECK_STR(itest_value(su, "SELECT baton_norm_domain('nwh.example:8443')"), "nwh.example");
	CHECK_STR(itest_value(su, "SELECT coalesce(baton_norm_domain('not a domain'), 'null')"), "null");
	CHECK_STR(itest_value(su, "SELECT array_to_string(baton_import_domains('[\"a.example\", \"www.A.example\", \"b.example\"]'), ' ')"),
	          "a.example b.example");
	CHECK_STR(itest_value(su, "SELECT array_to_string(baton_import_domains('\"a.example; https://b.example/\"'), ' ')"),
	          "a.example b.example");
}

static void test_times(void)
{
	CHECK_STR(itest_value(su, "SELECT baton_import_time('2026-03-05T14:22:01Z', 'iso') AT TIME ZONE 'UTC'"),
	          "2026-03-05 14:22:01");
	CHECK_STR(itest_value(su, "SELECT coalesce(baton_import_time('2026-02-29', 'iso')::text, 'null')"), "null");
	CHECK_STR(itest_value(su, "SELECT coalesce(baton_import_time('2024-02-29', 'iso')::date::text, 'null')"), "2024-02-29");
	CHECK_STR(itest_value(su, "SELECT coalesce(baton_import_time('2026-13-01', 'iso')::text, 'null')"), "null");
	CHECK_STR(itest_value(su, "SELECT baton_import_time('1700000000', 'epoch') AT TIME ZONE 'UTC'"), "2023-11-14 22:13:20");
	CHECK_STR(itest_value(su, "SELECT coalesce(baton_import_time('31/02/2026', 'DD/MM/YYYY')::text, 'null')"), "null");
}

/* The server refuses what the configuration would: an unknown field, a
 * map onto a value Baton does not have; and a run id twice. */
static void test_server_checks_mapping(void)
{
	PQclear(PQexec(su, "BEGIN"));
	PQclear(PQexec(su, "SELECT baton_import_begin('00000000-0000-4000-8000-0000000000a1', 'x', 'tickets', 'f', 0)"));
	const char *v = itest_value(su, "SELECT * FROM baton_import_apply('00000000-0000-4000-8000-0000000000a1',"
	                                " '{\"format\":\"jsonl\",\"fields\":{\"source_id\":{\"path\":[\"id\"]},"
	                                "\"status\":{\"path\":[\"s\"],\"map\":{\"hold\":\"onhold\"}}}}', '{}', 0)");
	CHECK(strstr(v, "the map of status gives \"onhold\"") != NULL);
	PQclear(PQexec(su, "ROLLBACK"));
	PQclear(PQexec(su, "BEGIN"));
	PQclear(PQexec(su, "SELECT baton_import_begin('00000000-0000-4000-8000-0000000000a2', 'x', 'tickets', 'f', 0)"));
	v = itest_value(su, "SELECT * FROM baton_import_apply('00000000-0000-4000-8000-0000000000a2',"
	                    " '{\"format\":\"jsonl\",\"fields\":{\"source_id\":{\"path\":[\"id\"]},\"colour\":{\"path\":[\"c\"]}}}', '{}', 0)");
	CHECK(strstr(v, "unknown field colour for tickets") != NULL);
	PQclear(PQexec(su, "ROLLBACK"));
	PQclear(PQexec(su, "BEGIN"));
	PQclear(PQexec(su, "SELECT baton_import_begin('00000000-0000-4000-8000-0000000000a3', 'x', 'tickets', 'f', 0)"));
	PQclear(PQexec(su, "COMMIT"));
	v = itest_value(su, "SELECT baton_import_begin('00000000-0000-4000-8000-0000000000a3', 'x', 'tickets', 'f', 0)");
	CHECK(strstr(v, "was already recorded") != NULL);
}

int main(void)
{
	const char *db = itest_newdb("baton_schema");
	su = itest_connect(db, NULL);
	RUN(test_catalogue_matches_server);
	RUN(test_domains_normalised);
	RUN(test_times);
	RUN(test_server_checks_mapping);
	PQfinish(su);
	return check_done();
}
