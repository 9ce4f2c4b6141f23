/* Integration tests for import (migration 010) that need no file: the
 * catalogue of fields the configuration is checked against is the one the
 * server checks against; domains are normalised as identity resolution
 * compares them; a mapping the server is sent is checked again there (psql
 * gets no way around the configuration's checks); a run id is used once;
 * an import record names a customer and a run that exist (migration 030
 * checks it a statement at a time, as its foreign keys did a row at a time). */
#include <libpq-fe.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "baton/buf.h"
#include "baton/import.h"
#include "baton/migrate.h"
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
	/* 102: an address keeps a v at either end (066 and 073 took E'\\v' for
	 * a vertical tab; it is the letter v) */
	CHECK_STR(itest_value(su, "SELECT baton_import_addr(E' vic@acme.dev\\x0b')"), "vic@acme.dev");
	CHECK_STR(itest_value(su, "SELECT baton_import_addr('Vera <vera@v.example>')"), "vera@v.example");
	/* A label longer than DNS carries is not decoded: the value is kept,
	 * with no error and without decoding 100,000 characters. */
	CHECK_STR(itest_value(su, "SELECT length(baton_norm_domain('x@xn--' || repeat('ba', 50000) || '.example'))"),
	          "100012");
	CHECK_STR(itest_value(su, "SELECT array_to_string(baton_import_domains('[\"a.example\", \"www.A.example\", \"b.example\"]'), ' ')"),
	          "a.example b.example");
	CHECK_STR(itest_value(su, "SELECT array_to_string(baton_import_domains('\"a.example; https://b.example/\"'), ' ')"),
	          "a.example b.example");
}

/* 102: Punycode decoded as RFC 3492 says, its sample strings (7.1); what is
 * not Punycode is NULL. */
static void test_punycode_decoded(void)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{"egbpdaj6bu4bxfgehfvwxn", /* (A) Arabic (Egyptian) */
		 "\xd9\x84\xd9\x8a\xd9\x87\xd9\x85\xd8\xa7\xd8\xa8\xd8\xaa\xd9\x83\xd9\x84"
		 "\xd9\x85\xd9\x88\xd8\xb4\xd8\xb9\xd8\xb1\xd8\xa8\xd9\x8a\xd8\x9f"},
		{"ihqwcrb4cv8a8dqg056pqjye", /* (B) Chinese (simplified) */
		 "\xe4\xbb\x96\xe4\xbb\xac\xe4\xb8\xba\xe4\xbb\x80\xe4\xb9\x88\xe4\xb8\x8d"
		 "\xe8\xaf\xb4\xe4\xb8\xad\xe6\x96\x87"},
		{"3B-ww4c5e180e575a65lsy2b", /* (L) 3<nen>B<gumi><kinpachi><sensei> */
		 "3\xe5\xb9\xb4" "B\xe7\xb5\x84\xe9\x87\x91\xe5\x85\xab\xe5\x85\x88\xe7\x94\x9f"},
		{"-> $1.00 <--", "-> $1.00 <-"}, /* (S) ASCII only */
		{"bcher-kva", "b\xc3\xbc" "cher"},
		{"", ""},
		{"99999999999", NULL},    /* overflows */
		{"kva-9", NULL},          /* ends inside a number */
		{"b\xc3\xbc" "cher", NULL}, /* not ASCII */
		{"a-!", NULL},            /* not a digit */
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		const char *params[] = {cases[i].in};
		PGresult *r = PQexecParams(su, "SELECT baton_punycode_decode($1)", 1, NULL, params, NULL, NULL, 0);
		CHECK(PQresultStatus(r) == PGRES_TUPLES_OK);
		const char *got = PQresultStatus(r) == PGRES_TUPLES_OK && !PQgetisnull(r, 0, 0) ? PQgetvalue(r, 0, 0) : NULL;
		int ok = cases[i].want ? got && !strcmp(got, cases[i].want) : !got;
		if (!ok)
			printf("    baton_punycode_decode(%s): %s, not %s\n", cases[i].in, got ? got : "NULL",
			       cases[i].want ? cases[i].want : "NULL");
		CHECK(ok);
		PQclear(r);
	}
}

/* 066: a domain is made of DNS labels (letters, marks, digits, hyphens
 * inside), and one address in angle brackets is its address; whatever
 * else is no domain.  Each input goes as a parameter, byte for byte. */
static void test_domains_are_labels(void)
{
	static const struct {
		const char *in, *want; /* want NULL: no domain */
	} cases[] = {
		/* as mail clients and CRMs export an address */
		{"\"Ann Lee\" <ann@acme.example>", "acme.example"},
		{"Ann Lee <ann@acme.example>", "acme.example"},
		{"<ann@acme.example>", "acme.example"},
		{"<acme.example>", "acme.example"},
		{" Ann <ANN@Acme.Example.> ", "acme.example"},
		{"\"ann@acme.example\" <ann@acme.example>", "acme.example"},
		{"\"Lee, Ann\" <ann@acme.example>", "acme.example"},
		{"<https://www.acme.example/about>", "acme.example"},
		{"Ann <a@x.example>, Bob <b@y.example>", NULL},
		/* what no host name has */
		{"ann@acme.example>", NULL},
		{"acme.example>", NULL},
		{"ann@acme.example<", NULL},
		{"\"ann@acme.example\"", NULL},
		{"ann@acme.example\"", NULL},
		{"'acme.example'", NULL},
		{"acme.example,", NULL},
		{"ann@acme,example.com", NULL},
		{"acme;example.com", NULL},
		{"a(b).example", NULL},
		{"[acme].example", NULL},
		{"acme\\x.example", NULL},
		{"ann@acme\001.example", NULL},
		{"ann@acme.example\177", NULL},
		{"ann@acme.\033example", NULL},
		{"ann@acme.example\xc2\x85", NULL}, /* U+0085, a C1 control */
		{"acme.example\xef\xbc\x9e", NULL}, /* a full-width > */
		{"acme_corp.example", NULL},
		{"-acme.example", NULL},
		{"acme-.example", NULL},
		{"acme..example", NULL},
		/* kept: URLs, ports, users, www., trailing dots, case */
		{"https://WWW.Nwh.Example./about?x=1", "nwh.example"},
		{"http://user:pw@acme.example:8080/path?q=1#top", "acme.example"},
		{"acme.example:8443", "acme.example"},
		{"mailto:Ann@Acme.example", "acme.example"},
		{"www.www.acme.example", "acme.example"},
		{"a-b.example", "a-b.example"},
		/* 102: a label in Punycode is the one people type */
		{"xn--bcher-kva.example", "b\xc3\xbc" "cher.example"},
		{"Ann@XN--BCHER-KVA.Example.", "b\xc3\xbc" "cher.example"},
		{"https://www.xn--mnchen-3ya.xn--p1ai/x", "m\xc3\xbc" "nchen.\xd1\x80\xd1\x84"},
		{"shop.xn--bcher-kva.example", "shop.b\xc3\xbc" "cher.example"},
		/* the letter v is no blank (102: 066 took it for \v) */
		{"ann@acme.dev", "acme.dev"},
		{"vodafone.de", "vodafone.de"},
		{"agency.gov\x0b", "agency.gov"},
		{"<vic@v.example>", "v.example"},
		/* a URL without its scheme; what IDNA's mapping ignores (102) */
		{"//Acme.example/about", "acme.example"},
		{"//acme.example:8080", "acme.example"},
		{"ac\xe2\x80\x8b" "me.example", "acme.example"},   /* a zero-width space */
		{"\xef\xbb\xbf" "acme.example", "acme.example"},    /* a byte order mark */
		{"ac\xc2\xad" "me.example", "acme.example"},        /* a soft hyphen */
		{"ann@acme.exam\xe2\x81\xa0" "ple", "acme.example"}, /* a word joiner */
		{"ac\xe2\x80\x8c" "me.example", NULL},             /* a zero-width non-joiner: not ignored */
		{"bu\xc2\xad\xcc\x88" "cher.example", "b\xc3\xbc" "cher.example"}, /* u, soft hyphen, U+0308 */
		/* a decoded label NFKC makes punctuation of (a full-width @): as it came */
		{"ann@xn--victim-2q68a.example", "xn--victim-2q68a.example"},
		{"///acme.example", NULL},
		/* not Punycode (overflows), or decoded to what no domain has: as it came */
		{"xn--99999999999.example", "xn--99999999999.example"},
		{"xn--ls8h.example", "xn--ls8h.example"}, /* a pile of poo, U+1F4A9 */
		{"xn--abc-.example", NULL},
		{"192.0.2.1", "192.0.2.1"},
		{"acme.example\t", "acme.example"},
		{"ann@acme.example\r\n", "acme.example"},
		/* internationalised names: letters and marks, NFKC */
		{"ann@B\xc3\x9c" "cher.Example", "b\xc3\xbc" "cher.example"},          /* BÜcher */
		{"bu\xcc\x88" "cher.example", "b\xc3\xbc" "cher.example"},             /* u + U+0308 */
		{"\xef\xbd\x81\xef\xbd\x83\xef\xbd\x8d\xef\xbd\x85.example", "acme.example"}, /* full-width */
		{"\xe0\xa4\xae\xe0\xa4\xb0\xe0\xa4\xbe\xe0\xa4\xa0\xe0\xa5\x80.\xe0\xa4\xad\xe0\xa4\xbe\xe0\xa4\xb0\xe0\xa4\xa4",
		 "\xe0\xa4\xae\xe0\xa4\xb0\xe0\xa4\xbe\xe0\xa4\xa0\xe0\xa5\x80.\xe0\xa4\xad\xe0\xa4\xbe\xe0\xa4\xb0\xe0\xa4\xa4"},
		{"\xe0\xa4\xb8\xe0\xa4\x82\xe0\xa4\x97\xe0\xa4\xa0\xe0\xa4\xa8.example", /* an anusvara, a mark */
		 "\xe0\xa4\xb8\xe0\xa4\x82\xe0\xa4\x97\xe0\xa4\xa0\xe0\xa4\xa8.example"},
		{"\xe0\xa4\x95\xe0\xa5\x8d\xe0\xa4\xb7.example", "\xe0\xa4\x95\xe0\xa5\x8d\xe0\xa4\xb7.example"}, /* a virama */
		{"\xe4\xbe\x8b\xe5\xad\x90.\xe6\xb5\x8b\xe8\xaf\x95", "\xe4\xbe\x8b\xe5\xad\x90.\xe6\xb5\x8b\xe8\xaf\x95"},
		/* garbage, as before */
		{"not a domain", NULL},
		{"example", NULL},
		{"www.example", NULL},
		{"", NULL},
		{"   ", NULL},
		{"@", NULL},
		{"..", NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		const char *params[] = {cases[i].in};
		PGresult *r = PQexecParams(su, "SELECT baton_norm_domain($1), baton_norm_domain(baton_norm_domain($1))",
		                           1, NULL, params, NULL, NULL, 0);
		CHECK(PQresultStatus(r) == PGRES_TUPLES_OK);
		if (PQresultStatus(r) != PGRES_TUPLES_OK) {
			printf("    %s", PQresultErrorMessage(r));
			PQclear(r);
			continue;
		}
		const char *got = PQgetisnull(r, 0, 0) ? NULL : PQgetvalue(r, 0, 0);
		int ok = cases[i].want ? got && !strcmp(got, cases[i].want) : !got;
		if (!ok)
			printf("    baton_norm_domain(%s): %s, not %s\n", cases[i].in, got ? got : "NULL",
			       cases[i].want ? cases[i].want : "NULL");
		CHECK(ok);
		/* A result normalises to itself. */
		CHECK(PQgetisnull(r, 0, 1) == PQgetisnull(r, 0, 0));
		CHECK(!got || !strcmp(PQgetvalue(r, 0, 1), got));
		PQclear(r);
	}
	/* As it is declared, for its index and its callers: immutable and
	 * parallel safe; NULL for NULL (121: by its expression, not by being
	 * STRICT, which would keep it from being inlined). */
	CHECK_STR(itest_value(su, "SELECT provolatile::text || proparallel::text FROM pg_proc"
	                          " WHERE oid = 'baton_norm_domain(text)'::regprocedure"), "is");
	CHECK_STR(itest_value(su, "SELECT provolatile::text || proparallel::text || proisstrict::text FROM pg_proc"
	                          " WHERE oid = 'baton_norm_domain_full(text)'::regprocedure"), "istrue");
	CHECK_STR(itest_value(su, "SELECT coalesce(baton_norm_domain(NULL), 'null')"), "null");
	/* The index on contacts' domains has them as the function says now. */
	CHECK(itest_ok(su, "INSERT INTO customer (id, name) VALUES (906401, 'Norm Co')"));
	CHECK(itest_ok(su, "INSERT INTO contact (customer_id, name, email) VALUES"
	                   " (906401, 'Ann Lee', '\"Ann Lee\" <ann@norm-co.example>')"));
	CHECK_STR(itest_value(su, "SET enable_seqscan = off; SELECT count(*) FROM contact"
	                          " WHERE baton_norm_domain(email) = 'norm-co.example' AND email IS NOT NULL"), "1");
	CHECK(itest_ok(su, "RESET enable_seqscan"));
}

/* 121: a plain address or domain in ASCII is its part after the @ (and
 * after a www. in front of two labels) without a call to
 * baton_norm_domain_full; that function says the same of it.  Both
 * compared over every value made of a prefix, a mailbox, an @, a domain
 * and a suffix below (blanks, brackets, URLs' parts, upper case, www.,
 * Punycode, hyphens and dots at each edge of a label, one label): 69,264
 * values, a hundred or so of them plain.  baton_import_addr likewise
 * against 102's expression, which it keeps for a value holding a >. */
static void test_plain_addresses_inline(void)
{
	static const char values[] =
		"WITH pre(x) AS (VALUES (''), (' '), ('<'), ('\"Ann\" <'), ('mailto:'), ('//')),"
		" box(x) AS (VALUES (''), ('ann'), ('Ann.Lee+x'), ('a_b-c'), ('a b'), ('a:b'), ('XN--q'), ('a/b'), ('a>b'),"
		"   ('first.last'), ('x+tag'), ('_'), ('.')),"
		" sep(x) AS (VALUES (''), ('@'), ('@@'), (' @')),"
		" dom(x) AS (VALUES ('acme.example'), ('ACME.example'), ('acme.Example'), ('www.acme.example'),"
		"   ('www.www.acme.example'), ('www.example'), ('wwww.acme.example'), ('www.a-b.example'), ('www.x.y.z'),"
		"   ('www.wwwx.example'), ('www.www'), ('www.xn--bcher-kva.example'), ('www.Acme.example'),"
		"   ('a-b.example'), ('a--b.example'), ('-a.example'), ('a-.example'), ('a..b'), ('.acme.example'),"
		"   ('acme.example.'), ('acme'), ('xn--bcher-kva.example'), ('shop.xn--bcher-kva.example'),"
		"   ('acme_x.example'), ('192.0.2.1'), ('a.b'), ('1.2'), ('acme.example-'), ('acme.ex-ample'),"
		"   ('acme.-example'), ('x.y.z.w'), ('acme.example:80'), ('acme.example/x'), ('acme.exa mple'),"
		"   ('ac+me.example'), (''), ('b\u00fccher.example')),"
		" suf(x) AS (VALUES (''), (' '), ('.'), ('>'), (E'\t'), ('?q=1')),"
		" v(p) AS (SELECT pre.x || box.x || sep.x || dom.x || suf.x FROM pre, box, sep, dom, suf)";
	char sql[4096];
	/* The two functions agree on every value; the line between them is
	 * crossed both ways. */
	snprintf(sql, sizeof sql,
	         "%s, f(p, d) AS (SELECT p, split_part(p, '@', -1) FROM v"
	         "  WHERE p ~ '^(?:[-A-Za-z0-9._+]*@)?[a-z0-9]+(?:-+[a-z0-9]+)*(?:[.][a-z0-9]+(?:-+[a-z0-9]+)*)+$'"
	         "    AND p NOT LIKE '%%xn--%%')"
	         " SELECT (SELECT count(*) FROM v WHERE baton_norm_domain(p) IS DISTINCT FROM baton_norm_domain_full(p))"
	         " || ' ' || ((SELECT count(*) FROM f WHERE d NOT LIKE 'www.%%') > 80)::text"
	         " || ' ' || ((SELECT count(*) FROM f WHERE d LIKE 'www.%%.%%' AND d NOT LIKE 'www.www.%%') > 20)::text"
	         " || ' ' || ((SELECT count(*) FROM v WHERE baton_norm_domain_full(p) IS NOT NULL) > 4000)::text"
	         " || ' ' || ((SELECT count(*) FROM v) > 60000)::text",
	         values);
	CHECK_STR(itest_value(su, sql), "0 true true true true");
	snprintf(sql, sizeof sql,
	         "%s SELECT count(*) FILTER (WHERE baton_import_addr(p) IS DISTINCT FROM"
	         " coalesce(substring(btrim(p, E' \\t\\n\\r\\f\\x0b') FROM"
	         " '^[^<>]*<([^<>@[:space:]]+@[^<>[:space:]]+)>$'), btrim(p, E' \\t\\n\\r\\f\\x0b')))"
	         " || ' ' || count(*) FILTER (WHERE p LIKE '%%>' AND baton_import_addr(p) NOT LIKE '%%>') FROM v",
	         values);
	const char *addr = itest_value(su, sql);
	CHECK(!strncmp(addr, "0 ", 2) && strcmp(addr, "0 0") != 0);
	if (strncmp(addr, "0 ", 2) != 0)
		printf("    baton_import_addr differs from 102's on %s values\n", addr);
	/* The index on contacts' domains serves the function callers call. */
	CHECK_STR(itest_value(su, "SELECT pg_get_indexdef('contact_email_domain_idx'::regclass)"
	                          " LIKE '%(baton_norm_domain(email))'"), "t");
	/* ... also when the query does not say that the address is there. */
	CHECK(itest_ok(su, "SET enable_seqscan = off"));
	PGresult *plan = PQexec(su, "EXPLAIN (COSTS OFF) SELECT count(*) FROM contact"
	                            " WHERE baton_norm_domain(email) = 'norm-co.example'");
	int indexed = 0;
	for (int i = 0; PQresultStatus(plan) == PGRES_TUPLES_OK && i < PQntuples(plan); i++)
		indexed |= strstr(PQgetvalue(plan, i, 0), "contact_email_domain_idx") != NULL;
	PQclear(plan);
	CHECK(indexed);
	CHECK(itest_ok(su, "RESET enable_seqscan"));
	/* The full function finds what it calls under any search path (as
	 * PostgreSQL 17 builds indexes, with pg_catalog's alone). */
	CHECK(itest_ok(su, "SET search_path = pg_catalog, pg_temp"));
	CHECK_STR(itest_value(su, "SELECT public.baton_norm_domain('Ann@XN--BCHER-KVA.Example.')"), "b\xc3\xbc" "cher.example");
	CHECK(itest_ok(su, "RESET search_path"));
}

/* 073: an e-mail field's value is stored as its address: the one in angle
 * brackets at the end, else the value without its blanks; a list, or
 * brackets holding no address, stay as written. */
static void test_email_addresses(void)
{
	CHECK_STR(itest_value(su, "SELECT string_agg(coalesce(baton_import_addr(x), 'null'), ' | ' ORDER BY i) FROM (VALUES"
	                          " (1, '\"Ann Lee\" <ann@acme.example>'), (2, 'Ann Lee <ann@acme.example>  '),"
	                          " (3, '<ann@acme.example>'), (4, ' ann@acme.example\t'), (5, '\"Lee, Ann\" <Ann@Acme.Example>'),"
	                          " (6, 'Ann <a@x.example>, Bob <b@y.example>'), (7, 'Ann <not an address>'),"
	                          " (8, NULL)) v(i, x)"),
	          "ann@acme.example | ann@acme.example | ann@acme.example | ann@acme.example | Ann@Acme.Example"
	          " | Ann <a@x.example>, Bob <b@y.example> | Ann <not an address> | null");
}

/* A map's lookup (092): the value as written, else in lower case without
 * the blanks around it, unless the map's values of that spelling differ. */
static void test_map_folds(void)
{
	char expr[1024], sql[1400];
	snprintf(expr, sizeof expr, "%s",
	         itest_value(su, "SELECT baton_import_map_sql('x.v', '{\"Done\": \"done\", \"DONE\": \"skipped\","
	                         " \"Doing\": \"in_progress\", \" doing\": \"in_progress\", \"todo\": \"pending\"}')"));
	snprintf(sql, sizeof sql,
	         "SELECT string_agg(coalesce(%s, '-'), ' ' ORDER BY x.i) FROM (VALUES (1, 'Done'), (2, 'DONE'), (3, 'done'),"
	         " (4, ' DOING '), (5, 'TODO'), (6, ' todo'), (7, 'to do'), (8, NULL)) x (i, v)",
	         expr);
	CHECK_STR(itest_value(su, sql), "done skipped - in_progress pending pending - -");
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
	/* A pattern's time says its text back (migration 058): not a year of
	 * two digits under YYYY, nor seconds or a zone the pattern does not
	 * read; case, spacing and leading zeros aside. */
	CHECK_STR(itest_value(su, "SELECT string_agg(coalesce(to_char(baton_import_time(x, f), 'YYYY-MM-DD HH24:MI'),"
	                          " 'null'), ' | ' ORDER BY i) FROM (VALUES"
	                          " (1, '15/04/2027 10:30', 'DD/MM/YYYY HH24:MI'), (2, '15/04/27 10:30', 'DD/MM/YYYY HH24:MI'),"
	                          " (3, '15/04/2027 10:30:15', 'DD/MM/YYYY HH24:MI'), (4, '15/04/2027 10:30 CET', 'DD/MM/YYYY HH24:MI'),"
	                          " (5, ' 5/4/2027  9:05 ', 'DD/MM/YYYY HH24:MI'), (6, 'april 15, 2027', 'Month DD, YYYY'),"
	                          " (7, '15.04.27', 'DD.MM.YY'), (8, '15/04/1899', 'DD/MM/YYYY'),"
	                          " (9, '04/15/2027 10:30 PM', 'MM/DD/YYYY HH12:MI AM'),"
	                          " (10, '2027-04-15 10:30 +02', 'YYYY-MM-DD HH24:MI TZH'),"
	                          " (11, '27-04-15 10:30 +02', 'YYYY-MM-DD HH24:MI TZH')) v(i, x, f)"),
	          "2027-04-15 10:30 | null | null | null | 2027-04-05 09:05 | 2027-04-15 00:00 | 2027-04-15 00:00"
	          " | null | 2027-04-15 22:30 | 2027-04-15 08:30 | null");
	/* A time expression as the server generates it (over $1), applied to
	 * x: its value in UTC, or null. */
	CHECK(itest_ok(su, "CREATE FUNCTION pg_temp.conv(expr text, x text) RETURNS text LANGUAGE plpgsql AS $$"
	                   " DECLARE r timestamptz; BEGIN"
	                   " EXECUTE 'SELECT ' || expr INTO r USING x;"
	                   " RETURN coalesce((r AT TIME ZONE 'UTC')::text, 'null'); END $$"));
	/* What staging converts with (migration 030: the plainly valid at once,
	 * the rest checked): the same answers on either side of the line. */
	CHECK(itest_ok(su, "CREATE FUNCTION pg_temp.iso(x text) RETURNS text LANGUAGE sql AS $$"
	                   " SELECT pg_temp.conv(baton_import_iso_sql('btrim($1)'), x) $$"));
	CHECK_STR(itest_value(su, "SELECT string_agg(pg_temp.iso(x), ' | ' ORDER BY i) FROM unnest(ARRAY["
	                          "'2026-02-28T23:59:59Z', '2026-02-29T08:00:00Z', '2024-02-29 10:00', '0000-01-01',"
	                          " '2026-04-31', '2026-01-28T24:00', '2026-01-28T23:60', '2026-01-28T23:59:60Z',"
	                          " ' 2026-01-28 10:00 UTC ', '2026-01-28T23:59:59.5+02:00', '2026-1-28', 'x'])"
	                          " WITH ORDINALITY u(x, i)"),
	          "2026-02-28 23:59:59 | null | 2024-02-29 10:00:00 | null | null | null | null | null"
	          " | 2026-01-28 10:00:00 | 2026-01-28 21:59:59.5 | null | null");
	/* An offset PostgreSQL cannot take, or a negative one straight after a
	 * date, is a bad value (migration 048), not an error that stops the
	 * file; the offsets it takes still count. */
	CHECK_STR(itest_value(su, "SELECT string_agg(pg_temp.iso(x), ' | ' ORDER BY i) FROM unnest(ARRAY["
	                          "'2026-01-28T10:00-57', '2026-01-28 10:00:00+05:60', '2026-01-28T10:00-16:00',"
	                          " '2026-01-28-05', '2026-01-28-05:30', '2026-01-28T10:00+15:59', '2026-01-28 -05',"
	                          " '2026-01-28+0530', '2026-01-28T10:00:00 -05'])"
	                          " WITH ORDINALITY u(x, i)"),
	          "null | null | null | null | null | 2026-01-27 18:01:00 | 2026-01-28 05:00:00"
	          " | 2026-01-27 18:30:00 | 2026-01-28 15:00:00");
	CHECK_STR(itest_value(su, "SELECT coalesce(baton_import_time('2026-01-28T10:00-57', 'iso')::text, 'null')"), "null");
	/* What staging converts an ISO time with (048: the plain shapes by LIKE,
	 * the rest as above): the same answers as the whole check, and a plain
	 * shape with anything out of place is not taken for one. */
	CHECK(itest_ok(su, "CREATE FUNCTION pg_temp.staged(x text) RETURNS text LANGUAGE sql AS $$"
	                   " SELECT pg_temp.conv(baton_import_time_sql('$1', 'iso'), x) $$"));
	CHECK_STR(itest_value(su, "SELECT string_agg(pg_temp.staged(x), ' | ' ORDER BY i) FROM unnest(ARRAY["
	                          "'2026-01-28', '2026-01-28 10:05', '2026-01-28T10:05', '2026-01-28 10:05:07',"
	                          " '2026-01-28T10:05:07', '2026-01-28T10:05:07Z', '2026-01-31T10:05:07Z',"
	                          " '2026-02-29T10:05:07Z', '2024-02-29', '0000-01-28', '2026-13-28', '2026-00-28',"
	                          " '2026-01-00', '2026-01-28T24:00:00Z', '2026-01-28T23:60:00Z', '2026-01-28T23:59:60Z',"
	                          " '2026-0:-28', '2026-01-2T', '2026-01-28T1Z:00:00Z', '2026-01-28T10:0 :00Z',"
	                          " '2026-01-28T10-00-00Z', ' 2026-01-28T10:05:07Z', '2026-01-28T10:05:07ZZ', NULL,"
	                          " '2026-01-28 10:-5', '2026-01-2-', '2026-01-28 10:05:0x', '2026-01-28T1T:05'])"
	                          " WITH ORDINALITY u(x, i)"),
	          "2026-01-28 00:00:00 | 2026-01-28 10:05:00 | 2026-01-28 10:05:00 | 2026-01-28 10:05:07"
	          " | 2026-01-28 10:05:07 | 2026-01-28 10:05:07 | 2026-01-31 10:05:07"
	          " | null | 2024-02-29 00:00:00 | null | null | null"
	          " | null | null | null | null"
	          " | null | null | null | null"
	          " | null | 2026-01-28 10:05:07 | null | null"
	          " | null | null | null | null");
	CHECK_STR(itest_value(su, "SELECT count(*) FROM generate_series(0, 4000) g,"
	                          " LATERAL (SELECT to_char(timestamp '2023-12-01' + g * interval '9 hours 7 minutes 13 seconds',"
	                          "  f) AS x FROM unnest(ARRAY['YYYY-MM-DD', 'YYYY-MM-DD HH24:MI', 'YYYY-MM-DD\"T\"HH24:MI',"
	                          "  'YYYY-MM-DD HH24:MI:SS', 'YYYY-MM-DD\"T\"HH24:MI:SS', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'])"
	                          "  f) v WHERE pg_temp.staged(x) IS DISTINCT FROM pg_temp.iso(x)"),
	          "0");
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
	/* A rule without a path, with values that are not strings, or none; rules not in a list; no rule (093). */
	static const char *const rules[] = {"\"skip\":[{\"path\":[],\"values\":[\"agent\"]}]",
	                                    "\"only\":[{\"path\":[\"role\"],\"values\":[1]}]",
	                                    "\"only\":[{\"path\":[\"role\"],\"values\":[\"a\"]},{\"path\":[\"role\"]}]",
	                                    "\"skip\":{\"path\":[\"role\"],\"values\":[\"a\"]}",
	                                    "\"skip\":[]"};
	for (size_t i = 0; i < sizeof rules / sizeof *rules; i++) {
		char sql[512];
		PQclear(PQexec(su, "BEGIN"));
		PQclear(PQexec(su, "SELECT baton_import_begin('00000000-0000-4000-8000-0000000000a4', 'x', 'tickets', 'f', 0)"));
		snprintf(sql, sizeof sql, "SELECT * FROM baton_import_apply('00000000-0000-4000-8000-0000000000a4',"
		                          " '{\"format\":\"jsonl\",%s,\"fields\":{\"source_id\":{\"path\":[\"id\"]}}}', '{}', 0)",
		         rules[i]);
		v = itest_value(su, sql);
		CHECK(strstr(v, "are a list of rules, each with a path and a list of values, all strings") != NULL);
		PQclear(PQexec(su, "ROLLBACK"));
	}
	/* Paths (094): a choice whose string is a number, with an empty field,
	 * another key, first; a rule's choice in CSV; a path not a list. */
	static const struct {
		const char *format, *subject, *says;
	} paths[] = {
		{"jsonl", "[\"a\",{\"where\":[\"t\"],\"is\":1}]", "the path of subject is not"},
		{"jsonl", "[\"a\",{\"where\":[],\"is\":\"x\"}]", "the path of subject is not"},
		{"jsonl", "[\"a\",{\"where\":[\"t\"],\"is\":\"x\",\"or\":\"y\"}]", "the path of subject is not"},
		{"jsonl", "[{\"where\":[\"t\"],\"is\":\"x\"},\"a\"]", "the path of subject is not"},
		{"csv", "[\"a\",{\"where\":[\"t\"],\"is\":\"x\"}]", "the path of subject is not"},
		{"csv", "[\"a\",\"b\"]", "the path of subject is not"},
		{"jsonl", "\"a\"", "the path of subject is not"},
	};
	for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
		char sql[512];
		PQclear(PQexec(su, "BEGIN"));
		PQclear(PQexec(su, "SELECT baton_import_begin('00000000-0000-4000-8000-0000000000a5', 'x', 'tickets', 'f', 0)"));
		snprintf(sql, sizeof sql, "SELECT * FROM baton_import_apply('00000000-0000-4000-8000-0000000000a5',"
		                          " '{\"format\":\"%s\",\"fields\":{\"source_id\":{\"path\":[\"id\"]},"
		                          "\"subject\":{\"path\":%s}}}', '{}', 0)",
		         paths[i].format, paths[i].subject);
		v = itest_value(su, sql);
		CHECK(strstr(v, paths[i].says) != NULL);
		PQclear(PQexec(su, "ROLLBACK"));
	}
	PQclear(PQexec(su, "BEGIN"));
	PQclear(PQexec(su, "SELECT baton_import_begin('00000000-0000-4000-8000-0000000000a6', 'x', 'tickets', 'f', 0)"));
	v = itest_value(su, "SELECT * FROM baton_import_apply('00000000-0000-4000-8000-0000000000a6',"
	                    " '{\"format\":\"csv\",\"skip\":[{\"path\":[\"a\",{\"where\":[\"t\"],\"is\":\"x\"}],"
	                    "\"values\":[\"v\"]}],\"fields\":{\"source_id\":{\"path\":[\"id\"]}}}', '{}', 0)");
	CHECK(strstr(v, "are a list of rules, each with a path and a list of values, all strings") != NULL);
	PQclear(PQexec(su, "ROLLBACK"));
	PQclear(PQexec(su, "BEGIN"));
	PQclear(PQexec(su, "SELECT baton_import_begin('00000000-0000-4000-8000-0000000000a3', 'x', 'tickets', 'f', 0)"));
	PQclear(PQexec(su, "COMMIT"));
	v = itest_value(su, "SELECT baton_import_begin('00000000-0000-4000-8000-0000000000a3', 'x', 'tickets', 'f', 0)");
	CHECK(strstr(v, "was already recorded") != NULL);
}

/* The SQLSTATE of a statement's error, "" when it succeeds. */
static const char *sqlstate_of(PGconn *c, const char *sql)
{
	static char out[8];
	PGresult *r = PQexec(c, sql);
	const char *s = PQresultErrorField(r, PG_DIAG_SQLSTATE);
	snprintf(out, sizeof out, "%s", s ? s : "");
	PQclear(r);
	return out;
}

#define RECORD_SQL "INSERT INTO import_record (source, source_id, entity, target_id, customer_id, digest, run_id)" \
	" VALUES ('refs', '%s', 'customers', %s, %s, 'd', %s)"

/* import_record's references: what its foreign keys refused is refused
 * with their SQLSTATE, a referenced customer is locked as they locked it,
 * and TRUNCATE ... CASCADE empties import_record as it did. */
static void test_record_references(void)
{
	const char *run = "'00000000-0000-4000-8000-0000000000b1'";
	CHECK(itest_ok(su, "INSERT INTO import_run (id, source, entity, file)"
	                   " VALUES ('00000000-0000-4000-8000-0000000000b1', 'refs', 'customers', 'f')"));
	char cust[32], sql[512];
	snprintf(cust, sizeof cust, "%s", itest_value(su, "INSERT INTO customer (name) VALUES ('Refs') RETURNING id"));
	CHECK(atoi(cust) > 0);
	snprintf(sql, sizeof sql, RECORD_SQL, "1", cust, "-1", run);
	CHECK_STR(sqlstate_of(su, sql), "23503");
	CHECK(itest_is_error(itest_value(su, sql), "customer"));
	snprintf(sql, sizeof sql, RECORD_SQL, "1", cust, cust, "'00000000-0000-4000-8000-0000000000b2'");
	CHECK_STR(sqlstate_of(su, sql), "23503");
	CHECK(itest_is_error(itest_value(su, sql), "import_run"));
	snprintf(sql, sizeof sql, RECORD_SQL, "1", cust, cust, run);
	CHECK(itest_ok(su, sql));
	CHECK_STR(sqlstate_of(su, "UPDATE import_record SET customer_id = -1 WHERE source = 'refs'"), "23503");
	snprintf(sql, sizeof sql, "DELETE FROM customer WHERE id = %s", cust);
	CHECK_STR(sqlstate_of(su, sql), "23503");
	snprintf(sql, sizeof sql, "UPDATE customer SET id = -%s WHERE id = %s", cust, cust);
	CHECK_STR(sqlstate_of(su, sql), "23503");
	CHECK_STR(sqlstate_of(su, "DELETE FROM import_run WHERE id = '00000000-0000-4000-8000-0000000000b1'"), "23503");
	CHECK_STR(sqlstate_of(su, "UPDATE import_run SET id = '00000000-0000-4000-8000-0000000000b3'"
	                          " WHERE id = '00000000-0000-4000-8000-0000000000b1'"), "23503");

	/* A record being written locks its customer: a deletion waits. */
	char other[32];
	snprintf(other, sizeof other, "%s", itest_value(su, "INSERT INTO customer (name) VALUES ('Refs 2') RETURNING id"));
	PGconn *c2 = itest_connect(PQdb(su), NULL);
	CHECK(itest_ok(su, "BEGIN"));
	snprintf(sql, sizeof sql, RECORD_SQL, "2", other, other, run);
	CHECK(itest_ok(su, sql));
	CHECK(itest_ok(c2, "SET lock_timeout = '200ms'"));
	snprintf(sql, sizeof sql, "DELETE FROM customer WHERE id = %s", other);
	CHECK_STR(sqlstate_of(c2, sql), "55P03");
	CHECK(itest_ok(su, "COMMIT"));
	CHECK_STR(sqlstate_of(c2, sql), "23503");

	/* An UPDATE that keeps a record's references (a digest renewed) does
	 * not lock its customer, as a foreign key would not: it goes on while
	 * another transaction holds the customer FOR UPDATE. */
	CHECK(itest_ok(c2, "BEGIN"));
	snprintf(sql, sizeof sql, "SELECT 1 FROM customer WHERE id = %s FOR UPDATE", other);
	CHECK(itest_ok(c2, sql));
	CHECK(itest_ok(su, "SET lock_timeout = '2s'"));
	snprintf(sql, sizeof sql, "UPDATE import_record SET digest = 'd2' WHERE source = 'refs' AND customer_id = %s", other);
	CHECK(itest_ok(su, sql));
	CHECK(itest_ok(su, "RESET lock_timeout"));
	CHECK(itest_ok(c2, "ROLLBACK"));

	/* One that moves a record onto a customer its statement did not name
	 * before locks that customer, as a foreign key would: it waits for
	 * the transaction holding it FOR UPDATE. */
	char third[32];
	snprintf(third, sizeof third, "%s", itest_value(su, "INSERT INTO customer (name) VALUES ('Refs 4') RETURNING id"));
	CHECK(itest_ok(c2, "BEGIN"));
	snprintf(sql, sizeof sql, "SELECT 1 FROM customer WHERE id = %s FOR UPDATE", third);
	CHECK(itest_ok(c2, sql));
	CHECK(itest_ok(su, "SET lock_timeout = '200ms'"));
	snprintf(sql, sizeof sql, "UPDATE import_record SET customer_id = %s WHERE source = 'refs' AND customer_id = %s",
	         third, other);
	CHECK_STR(sqlstate_of(su, sql), "55P03");
	CHECK(itest_ok(su, "RESET lock_timeout"));
	CHECK(itest_ok(c2, "ROLLBACK"));

	/* Under REPEATABLE READ a delete could not see an import committed
	 * after its snapshot: refused outright, as is a renumbering. */
	char lone[32];
	snprintf(lone, sizeof lone, "%s", itest_value(su, "INSERT INTO customer (name) VALUES ('Refs 3') RETURNING id"));
	CHECK(itest_ok(c2, "BEGIN ISOLATION LEVEL REPEATABLE READ"));
	snprintf(sql, sizeof sql, "DELETE FROM customer WHERE id = %s", lone);
	CHECK_STR(sqlstate_of(c2, sql), "40001");
	CHECK(itest_ok(c2, "ROLLBACK"));
	CHECK(itest_ok(c2, "BEGIN ISOLATION LEVEL SERIALIZABLE"));
	snprintf(sql, sizeof sql, "UPDATE customer SET id = -%s WHERE id = %s", lone, lone);
	CHECK_STR(sqlstate_of(c2, sql), "40001");
	CHECK(itest_ok(c2, "ROLLBACK"));
	snprintf(sql, sizeof sql, "DELETE FROM customer WHERE id = %s", lone);
	CHECK(itest_ok(c2, sql)); /* read committed: nothing names it */
	PQfinish(c2);

	CHECK(itest_ok(su, "BEGIN"));
	CHECK(itest_ok(su, "TRUNCATE customer CASCADE"));
	CHECK_STR(itest_value(su, "SELECT count(*) FROM import_record"), "0");
	CHECK(itest_ok(su, "ROLLBACK"));
	CHECK_STR(itest_value(su, "SELECT count(*) FROM import_record WHERE source = 'refs'"), "2");
}

/* The SQLSTATE of sql run by c in a REPEATABLE READ transaction, then
 * rolled back. */
static const char *repeatable_read(PGconn *c, const char *sql)
{
	static char st[8];
	CHECK(itest_ok(c, "BEGIN ISOLATION LEVEL REPEATABLE READ"));
	snprintf(st, sizeof st, "%s", sqlstate_of(c, sql));
	CHECK(itest_ok(c, "ROLLBACK"));
	return st;
}

/* Whether del, sent by c while su's transaction runs update, waited for
 * it and then went through once it committed. */
static int delete_waits_for(PGconn *c, const char *update, const char *del)
{
	int ok = itest_ok(su, "BEGIN") && itest_ok(su, update) && PQsendQuery(c, del) == 1;
	ok = itest_waits_for_lock(su, c) && ok;
	ok = itest_ok(su, "COMMIT") && ok;
	return itest_sent_ok(c) && ok;
}

/* A ticket's customer and requester, and a contact's customer (104):
 * checked once a statement as their foreign keys checked them once a row.
 * What they refused is refused with their SQLSTATE, a customer or contact
 * being named is locked as they locked it, and their ON DELETE actions
 * (cascade; set null) and TRUNCATE ... CASCADE happen as before. */
static void test_ticket_contact_references(void)
{
	char cust[32], other[32], kont[32], sql[512];
	snprintf(cust, sizeof cust, "%s", itest_value(su, "INSERT INTO customer (name) VALUES ('Refs T1') RETURNING id"));
	snprintf(other, sizeof other, "%s", itest_value(su, "INSERT INTO customer (name) VALUES ('Refs T2') RETURNING id"));
	CHECK(atoi(cust) > 0 && atoi(other) > 0);
	snprintf(sql, sizeof sql, "INSERT INTO contact (customer_id, name) VALUES (%s, 'Refs K') RETURNING id", cust);
	snprintf(kont, sizeof kont, "%s", itest_value(su, sql));
	CHECK(atoi(kont) > 0);

	/* Refused: a missing customer or requester, alone or among many. */
	CHECK_STR(sqlstate_of(su, "INSERT INTO ticket (customer_id, subject) VALUES (-1, 'x')"), "23503");
	CHECK(itest_is_error(itest_value(su, "INSERT INTO ticket (customer_id, subject) VALUES (-1, 'x') RETURNING id"),
	                     "customer"));
	snprintf(sql, sizeof sql, "INSERT INTO ticket (customer_id, subject, requester_id) VALUES (%s, 'x', -1)", cust);
	CHECK_STR(sqlstate_of(su, sql), "23503");
	CHECK(itest_is_error(itest_value(su, sql), "contact"));
	CHECK_STR(sqlstate_of(su, "INSERT INTO contact (customer_id, name) VALUES (-1, 'x')"), "23503");
	snprintf(sql, sizeof sql, "INSERT INTO ticket (customer_id, subject, requester_id)"
	                          " SELECT CASE WHEN g = 500 THEN -7 ELSE %s END, 'bulk', %s FROM generate_series(1, 1000) g",
	         cust, kont);
	CHECK_STR(sqlstate_of(su, sql), "23503");
	snprintf(sql, sizeof sql, "INSERT INTO ticket (customer_id, subject, requester_id)"
	                          " SELECT %s, 'bulk', CASE WHEN g = 500 THEN -7 ELSE %s END FROM generate_series(1, 1000) g",
	         cust, kont);
	CHECK_STR(sqlstate_of(su, sql), "23503");
	CHECK_STR(itest_value(su, "SELECT count(*) FROM ticket WHERE subject = 'bulk'"), "0");
	snprintf(sql, sizeof sql, "INSERT INTO ticket (customer_id, subject, requester_id)"
	                          " SELECT %s, 'bulk', %s FROM generate_series(1, 1000) g", cust, kont);
	CHECK(itest_ok(su, sql));
	CHECK_STR(sqlstate_of(su, "UPDATE ticket SET customer_id = -1 WHERE subject = 'bulk'"), "23503");
	CHECK_STR(sqlstate_of(su, "UPDATE ticket SET requester_id = -1 WHERE subject = 'bulk'"), "23503");
	snprintf(sql, sizeof sql, "UPDATE contact SET customer_id = -1 WHERE id = %s", kont);
	CHECK_STR(sqlstate_of(su, sql), "23503");
	snprintf(sql, sizeof sql, "UPDATE ticket SET customer_id = %s WHERE subject = 'bulk'", other);
	CHECK(itest_ok(su, sql));

	/* Renumbering what is named is refused. */
	snprintf(sql, sizeof sql, "UPDATE customer SET id = -%s WHERE id = %s", other, other);
	CHECK_STR(sqlstate_of(su, sql), "23503");
	snprintf(sql, sizeof sql, "UPDATE contact SET id = -%s WHERE id = %s", kont, kont);
	CHECK_STR(sqlstate_of(su, sql), "23503");

	snprintf(sql, sizeof sql, "INSERT INTO ticket (customer_id, subject) VALUES (%s, 'mover')", cust);
	CHECK(itest_ok(su, sql));

	/* A ticket being written locks its customer and requester: their
	 * deletion waits, then does what ON DELETE said. */
	PGconn *c2 = itest_connect(PQdb(su), NULL);
	CHECK(itest_ok(su, "BEGIN"));
	snprintf(sql, sizeof sql, "INSERT INTO ticket (customer_id, subject, requester_id) VALUES (%s, 'late', %s)",
	         other, kont);
	CHECK(itest_ok(su, sql));
	CHECK(itest_ok(c2, "SET lock_timeout = '200ms'"));
	snprintf(sql, sizeof sql, "DELETE FROM contact WHERE id = %s", kont);
	CHECK_STR(sqlstate_of(c2, sql), "55P03");
	snprintf(sql, sizeof sql, "DELETE FROM customer WHERE id = %s", other);
	CHECK_STR(sqlstate_of(c2, sql), "55P03");
	CHECK(itest_ok(su, "COMMIT"));
	CHECK(itest_ok(c2, "RESET lock_timeout"));

	/* An UPDATE that keeps a ticket's references does not lock its
	 * customer: it goes on while another transaction holds it. */
	CHECK(itest_ok(c2, "BEGIN"));
	snprintf(sql, sizeof sql, "SELECT 1 FROM customer WHERE id = %s FOR UPDATE", other);
	CHECK(itest_ok(c2, sql));
	CHECK(itest_ok(su, "SET lock_timeout = '2s'"));
	CHECK(itest_ok(su, "UPDATE ticket SET status = 'open' WHERE subject = 'late'"));
	/* One that moves tickets onto it waits. */
	CHECK(itest_ok(su, "SET lock_timeout = '200ms'"));
	snprintf(sql, sizeof sql, "UPDATE ticket SET customer_id = %s WHERE subject = 'mover'", other);
	CHECK_STR(sqlstate_of(su, sql), "55P03");
	CHECK(itest_ok(su, "RESET lock_timeout"));
	CHECK(itest_ok(c2, "ROLLBACK"));

	/* Under REPEATABLE READ a delete could miss a ticket committed since
	 * its snapshot: refused outright, as are a contact's and a TRUNCATE. */
	snprintf(sql, sizeof sql, "DELETE FROM customer WHERE id = %s", other);
	CHECK_STR(repeatable_read(c2, sql), "40001");
	snprintf(sql, sizeof sql, "DELETE FROM contact WHERE id = %s", kont);
	CHECK_STR(repeatable_read(c2, sql), "40001");
	CHECK_STR(repeatable_read(c2, "TRUNCATE customer CASCADE"), "40001");

	/* A statement that moves a ticket onto a customer (a contact) that
	 * another of its rows named already locks that one too: a delete waits
	 * for it, then takes the moved ticket (clears its requester) rather
	 * than leave it naming what is gone. */
	char a[32], b[32], ka[32], kb[32], ta[32], tb[32];
	snprintf(a, sizeof a, "%s", itest_value(su, "INSERT INTO customer (name) VALUES ('Refs Ta') RETURNING id"));
	snprintf(b, sizeof b, "%s", itest_value(su, "INSERT INTO customer (name) VALUES ('Refs Tb') RETURNING id"));
	snprintf(ka, sizeof ka, "%s", itest_valuef(su, "INSERT INTO contact (customer_id, name) VALUES (%s, 'Ka') RETURNING id", a));
	snprintf(kb, sizeof kb, "%s", itest_valuef(su, "INSERT INTO contact (customer_id, name) VALUES (%s, 'Kb') RETURNING id", a));
	snprintf(ta, sizeof ta, "%s", itest_valuef(su, "INSERT INTO ticket (customer_id, subject, requester_id)"
	                                               " VALUES (%s, 'ta', %s) RETURNING id", a, ka));
	snprintf(tb, sizeof tb, "%s", itest_valuef(su, "INSERT INTO ticket (customer_id, subject, requester_id)"
	                                               " VALUES (%s, 'tb', %s) RETURNING id", b, kb));
	CHECK(atoi(ta) > 0 && atoi(tb) > 0);
	char del[128];
	snprintf(sql, sizeof sql, "UPDATE ticket SET requester_id = %s WHERE id IN (%s, %s)", kb, ta, tb);
	snprintf(del, sizeof del, "DELETE FROM contact WHERE id = %s", kb);
	CHECK(delete_waits_for(c2, sql, del));
	CHECK_STR(itest_valuef(su, "SELECT count(*) FROM ticket WHERE id IN (%s, %s) AND requester_id IS NULL", ta, tb), "2");
	snprintf(sql, sizeof sql, "UPDATE ticket SET customer_id = %s WHERE id IN (%s, %s)", b, ta, tb);
	snprintf(del, sizeof del, "DELETE FROM customer WHERE id = %s", b);
	CHECK(delete_waits_for(c2, sql, del));
	CHECK_STR(itest_valuef(su, "SELECT count(*) FROM ticket WHERE id IN (%s, %s)", ta, tb), "0");
	PQfinish(c2);

	/* TRUNCATE ... CASCADE: the customer's empties both, the contact's
	 * leaves tickets without their requester. */
	CHECK(itest_ok(su, "BEGIN"));
	CHECK(itest_ok(su, "TRUNCATE contact CASCADE"));
	CHECK_STR(itest_value(su, "SELECT count(*) FROM ticket WHERE requester_id IS NOT NULL"), "0");
	CHECK(strcmp(itest_value(su, "SELECT count(*) FROM ticket"), "0") != 0);
	CHECK(itest_ok(su, "TRUNCATE customer CASCADE"));
	CHECK_STR(itest_value(su, "SELECT (SELECT count(*) FROM ticket) || '/' || (SELECT count(*) FROM contact)"), "0/0");
	CHECK(itest_ok(su, "ROLLBACK"));

	/* The contact's delete leaves its tickets, at both customers, without
	 * a requester; the customer's takes its tickets and contacts. */
	snprintf(sql, sizeof sql, "SELECT count(*) FROM ticket WHERE requester_id = %s AND customer_id IN (%s, %s)",
	         kont, cust, other);
	CHECK_STR(itest_value(su, sql), "1001");
	snprintf(sql, sizeof sql, "DELETE FROM contact WHERE id = %s", kont);
	CHECK(itest_ok(su, sql));
	snprintf(sql, sizeof sql, "SELECT count(*) FILTER (WHERE requester_id IS NULL) || '/' || count(*) FROM ticket"
	                          " WHERE customer_id IN (%s, %s)", cust, other);
	CHECK_STR(itest_value(su, sql), "1002/1002");
	snprintf(sql, sizeof sql, "INSERT INTO contact (customer_id, name) VALUES (%s, 'Refs K2')", other);
	CHECK(itest_ok(su, sql));
	snprintf(sql, sizeof sql, "DELETE FROM customer WHERE id = %s", other);
	CHECK(itest_ok(su, sql));
	snprintf(sql, sizeof sql, "SELECT (SELECT count(*) FROM ticket WHERE customer_id = %s) || '/'"
	                          " || (SELECT count(*) FROM contact WHERE customer_id = %s) || '/'"
	                          " || (SELECT count(*) FROM ticket WHERE customer_id = %s)", other, other, cust);
	CHECK_STR(itest_value(su, sql), "0/0/1");
}

/* A record's raw hash, the number the unchanged lines are matched by: the
 * digest's last 16 hex digits as a signed 64-bit number when the digest is
 * 48 lower-case hex digits, and nothing otherwise. */
static void test_record_raw_hash(void)
{
	CHECK(itest_ok(su, "INSERT INTO import_run (id, source, entity, file)"
	                   " VALUES ('00000000-0000-4000-8000-0000000000c1', 'hash', 'customers', 'f')"));
	char cust[32], sql[640];
	snprintf(cust, sizeof cust, "%s", itest_value(su, "INSERT INTO customer (name) VALUES ('Hash') RETURNING id"));
	CHECK(atoi(cust) > 0);
	static const char *const cases[][2] = {
		{"0123456789abcdef0123456789abcdef0000000000000001", "1"},
		{"0123456789abcdef0123456789abcdefffffffffffffffff", "-1"},
		{"0123456789abcdef0123456789abcdef7fffffffffffffff", "9223372036854775807"},
		{"0123456789abcdef0123456789abcdef8000000000000000", "-9223372036854775808"},
		{"0123456789abcdef0123456789abcdef00000000000000a0", "160"},
		{"0123456789ABCDEF0123456789abcdef0000000000000001", "null"}, /* upper case */
		{"0123456789abcdef0123456789abcdef000000000000001", "null"},  /* 47 digits */
		{"0123456789abcdef0123456789abcdef00000000000000010", "null"}, /* 49 digits */
		{"0123456789abcdef0123456789abcdeg0000000000000001", "null"}, /* not hex */
		{"0123456789abcdef0123456789abcdef000000000000000\n", "null"},
		{"d", "null"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		snprintf(sql, sizeof sql,
		         "INSERT INTO import_record (source, source_id, entity, target_id, customer_id, digest, run_id)"
		         " VALUES ('hash', '%zu', 'customers', %s, %s, E'%s', '00000000-0000-4000-8000-0000000000c1')"
		         " RETURNING coalesce(raw_hash::text, 'null')",
		         i, cust, cust, cases[i][0]);
		const char *got = itest_value(su, sql);
		if (strcmp(got, cases[i][1]) != 0)
			fprintf(stderr, "raw hash of %s: %s, expected %s\n", cases[i][0], got, cases[i][1]);
		CHECK_STR(got, cases[i][1]);
	}
	/* Kept as the digest changes, by every writer. */
	CHECK(itest_ok(su, "UPDATE import_record SET digest = '0123456789abcdef0123456789abcdef0000000000000002'"
	                   " WHERE source = 'hash' AND source_id = '10'"));
	CHECK_STR(itest_value(su, "SELECT raw_hash FROM import_record WHERE source = 'hash' AND source_id = '10'"), "2");
}

/* The client's hash of a line is the server's hashtextextended(): every
 * tail length (0-11 bytes after the 12-byte blocks), multi-byte UTF-8, and
 * seeds with either half zero or negative.  A line whose hash differed
 * would only be sent whole (import_file() probes the server first), so
 * this is what makes the unchanged lines of a JSON Lines file stay home. */
static void test_line_hash_matches_server(void)
{
	static const char *const pieces[] = {"a", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\t",
	                                     "\\", "\"", "{\"id\": 7}", " ", "Z"};
	static const long long seeds[] = {0, 1, -1, (long long)INT64_MIN, INT64_MAX, 0x100000000LL,
	                                  0x5bd1e9955bd1e995LL, -0x3c6ef372fe94f82bLL};
	char text[4200], seed[32], want[32];
	unsigned r = 12345;
	int bad = 0, n = 0;
	for (size_t len = 0; len <= 4100; len = len < 64 ? len + 1 : len * 2 + 3) {
		size_t used = 0;
		while (used < len) {
			r = r * 1103515245u + 12345u;
			const char *p = pieces[(r >> 16) % (sizeof pieces / sizeof *pieces)];
			size_t pl = strlen(p);
			if (used + pl > len)
				p = "x", pl = 1;
			memcpy(text + used, p, pl);
			used += pl;
		}
		text[used] = '\0';
		for (size_t i = 0; i < sizeof seeds / sizeof *seeds; i++) {
			snprintf(seed, sizeof seed, "%lld", seeds[i]);
			const char *p[] = {text, seed};
			PGresult *res = PQexecParams(su, "SELECT hashtextextended($1, $2::bigint)", 2, NULL, p, NULL, NULL, 0);
			CHECK(PQresultStatus(res) == PGRES_TUPLES_OK);
			snprintf(want, sizeof want, "%lld", (long long)import_line_hash(text, used, seeds[i]));
			const char *got = PQresultStatus(res) == PGRES_TUPLES_OK ? PQgetvalue(res, 0, 0) : "";
			if (strcmp(got, want) != 0 && bad++ < 5)
				fprintf(stderr, "hash of %zu bytes, seed %s: server %s, client %s\n", used, seed, got, want);
			n++;
			PQclear(res);
		}
	}
	CHECK(n > 500);
	CHECK(bad == 0);
}

/* A CSV row's text as the client writes it (import_csv_text) is the text
 * the server writes from the fields COPY read (baton_import_csv_text_sql):
 * the same hash, whatever the quoting; NULL (empty, unquoted) and an empty
 * quoted field stay apart.  Rows the client reads otherwise would only be
 * sent again, so the hashes are compared with the server's directly. */
static void test_csv_text_matches_server(void)
{
	static const struct { char delim; const char *row; } rows[] = {
		{',', "a,b,c"}, {',', "\"a\",\"b\",\"c\""}, {',', "a,,c"}, {',', "a,\"\",c"},
		{',', "\"x\"\"y\",z,\"multi\nline\""}, {',', "a\"b,c\"d,e,f"}, {',', "\"\",,\"\""},
		{',', ",,"}, {',', "caf\xc3\xa9,\"\xe2\x82\xac, \"\"q\"\"\",\" \""}, {';', "1;\"a;b\";c,d"},
		{'\t', "tab\t\"t\tb\"\t"},
	};
	CHECK(itest_ok(su, "BEGIN"));
	CHECK(itest_ok(su, "CREATE TEMP TABLE baton_import_raw (line bigint, c1 text, c2 text, c3 text) ON COMMIT DROP"));
	char sql[512], want[32];
	const char *text_sql = itest_value(su, "SELECT baton_import_csv_text_sql(3, 'r')");
	CHECK(strstr(text_sql, "r.c3") != NULL);
	char *expr = strdup(text_sql);
	for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
		CHECK(itest_ok(su, "TRUNCATE baton_import_raw"));
		snprintf(sql, sizeof sql, "COPY baton_import_raw FROM STDIN (FORMAT csv, DELIMITER E'\\x%02x')",
		         (unsigned char)rows[i].delim);
		PGresult *r = PQexec(su, sql);
		CHECK(PQresultStatus(r) == PGRES_COPY_IN);
		PQclear(r);
		char data[256];
		snprintf(data, sizeof data, "%zu%c%s\n", i + 1, rows[i].delim, rows[i].row);
		CHECK(PQputCopyData(su, data, (int)strlen(data)) == 1);
		CHECK(PQputCopyEnd(su, NULL) == 1);
		while ((r = PQgetResult(su))) {
			CHECK(PQresultStatus(r) == PGRES_COMMAND_OK);
			PQclear(r);
		}
		struct buf t = BUF_INIT;
		import_csv_text(&t, rows[i].row, strlen(rows[i].row), rows[i].delim);
		snprintf(want, sizeof want, "%lld", (long long)import_line_hash(t.data, t.len, 77));
		snprintf(sql, sizeof sql, "SELECT hashtextextended(%s, 77) FROM baton_import_raw r", expr);
		const char *got = itest_value(su, sql);
		if (strcmp(got, want) != 0)
			fprintf(stderr, "row %zu: client text [%s], server %s, client %s\n", i, buf_str(&t), got, want);
		CHECK_STR(got, want);
		buf_free(&t);
	}
	/* NULL and an empty quoted field are two texts. */
	struct buf a = BUF_INIT, b = BUF_INIT;
	import_csv_text(&a, "a,,c", 4, ',');
	import_csv_text(&b, "a,\"\",c", 6, ',');
	CHECK(strcmp(buf_str(&a), buf_str(&b)) != 0);
	buf_free(&a);
	buf_free(&b);
	free(expr);
	CHECK(itest_ok(su, "ROLLBACK"));
}

/* The header's columns as the client counts them (import_csv_count, for
 * the mapped columns a header lacks) are the server's, as COPY reads them:
 * each column a row has is found as often as the server has it, and a
 * name none of them is, not at all. */
static void test_csv_count_matches_server(void)
{
	static const struct { char delim; const char *row; } rows[] = {
		{',', "Record ID,Company name,Record ID"}, {',', "\"Record ID\",\"a,b\",c"},
		{',', "\"x\"\"y\",z,\"multi\nline\""}, {',', "a\"b,c\"d,e,f"}, {',', "\"\",,x"},
		{';', "1;\"a;b\";c,d"}, {'\t', "tab\t\"t\tb\"\t"}, {',', "caf\xc3\xa9,\" sp \",\xe2\x82\xac"},
	};
	CHECK(itest_ok(su, "BEGIN"));
	CHECK(itest_ok(su, "CREATE TEMP TABLE h (c1 text, c2 text, c3 text) ON COMMIT DROP"));
	char sql[256];
	for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
		CHECK(itest_ok(su, "TRUNCATE h"));
		snprintf(sql, sizeof sql, "COPY h FROM STDIN (FORMAT csv, DELIMITER E'\\x%02x')",
		         (unsigned char)rows[i].delim);
		PGresult *r = PQexec(su, sql);
		CHECK(PQresultStatus(r) == PGRES_COPY_IN);
		PQclear(r);
		char data[256];
		snprintf(data, sizeof data, "%s\n", rows[i].row);
		CHECK(PQputCopyData(su, data, (int)strlen(data)) == 1);
		CHECK(PQputCopyEnd(su, NULL) == 1);
		while ((r = PQgetResult(su))) {
			CHECK(PQresultStatus(r) == PGRES_COMMAND_OK);
			PQclear(r);
		}
		r = PQexec(su, "SELECT coalesce(u.n, ''), count(*) OVER (PARTITION BY coalesce(u.n, ''))"
		               " FROM h, unnest(ARRAY[c1, c2, c3]) u(n)");
		CHECK(PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 3);
		for (int k = 0; k < PQntuples(r); k++) {
			int want = atoi(PQgetvalue(r, k, 1));
			int got = import_csv_count(rows[i].row, strlen(rows[i].row), rows[i].delim, PQgetvalue(r, k, 0));
			if (got != want)
				fprintf(stderr, "row %zu: column [%s]: server %d, client %d\n", i, PQgetvalue(r, k, 0), want, got);
			CHECK(got == want);
		}
		PQclear(r);
		CHECK(import_csv_count(rows[i].row, strlen(rows[i].row), rows[i].delim, "no such column") == 0);
	}
	CHECK(itest_ok(su, "ROLLBACK"));
}

/* A split takes what came through its record along, with whichever
 * customer it is (migration 048 finds it without the parent index): here a
 * contact imported through record R while R's customer A was absorbed into
 * an older C, so the contact is C's; splitting the absorption gives A back
 * its own (not the contact); splitting R off A then moves R, the contact
 * and the contact's record to R's new customer. */
static void test_split_takes_what_came_through(void)
{
	char c[32], a[32], sql[1024];
	const char *run = "'00000000-0000-4000-8000-0000000000e1'";
	snprintf(c, sizeof c, "%s", itest_value(su, "INSERT INTO customer (name) VALUES ('Older C') RETURNING id"));
	snprintf(a, sizeof a, "%s", itest_value(su, "INSERT INTO customer (name) VALUES ('Joined A') RETURNING id"));
	CHECK(atoi(c) > 0 && atoi(a) > atoi(c));
	snprintf(sql, sizeof sql, "INSERT INTO import_run (id, source, entity, file) VALUES (%s, 'split-co', 'customers', 'f')",
	         run);
	CHECK(itest_ok(su, sql));
	snprintf(sql, sizeof sql,
	         "INSERT INTO import_record (source, source_id, entity, target_id, customer_id, digest, run_id, name, vals)"
	         " VALUES ('split-co', 'R', 'customers', %s, %s, 'd', %s, 'Record R',"
	         " '{\"plan\": \"pro\", \"segment\": \"enterprise\", \"owner\": \"no_longer_staff\","
	         " \"renewal_date\": \"2027-01-31\"}')", a, a, run);
	CHECK(itest_ok(su, sql));
	snprintf(sql, sizeof sql, "INSERT INTO customer_merge (customer_id, joined_source, joined_source_id, identifiers,"
	         " evidence) VALUES (%s, 'split-co', 'R', 'same domain', '{}')", a);
	CHECK(itest_ok(su, sql));
	snprintf(sql, sizeof sql, "SELECT baton_import_absorb(NULL, %s, %s, 'same domain')", c, a);
	CHECK(itest_ok(su, sql));
	snprintf(sql, sizeof sql, "INSERT INTO contact (customer_id, name, email) VALUES (%s, 'Eve', 'eve@split.example')", c);
	CHECK(itest_ok(su, sql));
	snprintf(sql, sizeof sql,
	         "INSERT INTO import_record (source, source_id, entity, target_id, customer_id, digest, run_id, parent)"
	         " SELECT 'split-co', 'eve', 'contacts', id, %s, 'd', %s, 'split-co:R' FROM contact"
	         " WHERE email = 'eve@split.example'", c, run);
	CHECK(itest_ok(su, sql));
	snprintf(sql, sizeof sql, "SELECT count(*) FROM baton_split_merge((SELECT id FROM customer_merge WHERE absorbed = %s))",
	         a);
	CHECK_STR(itest_value(su, sql), "1");
	CHECK_STR(itest_value(su, "SELECT count(*) FROM baton_split_merge((SELECT id FROM customer_merge"
	                          " WHERE joined_source = 'split-co' AND joined_source_id = 'R'))"), "1");
	snprintf(sql, sizeof sql,
	         "SELECT r.customer_id NOT IN (%s, %s) AND t.customer_id = r.customer_id AND e.customer_id = r.customer_id"
	         " FROM import_record r, contact t, import_record e WHERE r.source = 'split-co' AND r.source_id = 'R'"
	         " AND t.email = 'eve@split.example' AND e.source = 'split-co' AND e.source_id = 'eve'", a, c);
	CHECK_STR(itest_value(su, sql), "t");
	/* R's customer has the values R's last import gave (091), the default
	 * where it gave none (lifecycle), and no owner who is not staff. */
	CHECK_STR(itest_value(su, "SELECT concat_ws(' ', c.name, c.plan, c.segment, c.lifecycle,"
	                          " coalesce(c.owner, '-'), c.renewal_date) FROM customer c JOIN import_record r"
	                          " ON r.customer_id = c.id WHERE r.source = 'split-co' AND r.source_id = 'R'"),
	          "Record R pro enterprise onboarding - 2027-01-31");
}

/* Split the merge of the record source:id into its customer: how many
 * rows baton_split_merge returned, or the error. */
static const char *split_joined(const char *source, const char *id)
{
	return itest_valuef(su, "SELECT count(*) FROM baton_split_merge((SELECT id FROM customer_merge"
	                        " WHERE joined_source = '%s' AND joined_source_id = '%s'))", source, id);
}

static const char *lifecycle_plan_segment(const char *customer)
{
	return itest_valuef(su, "SELECT concat_ws(' ', lifecycle, plan, segment) FROM customer WHERE id = %s", customer);
}

/* A split gives the customer a record leaves the defaults of the fields
 * whose values only that record gave it (091), each condition alone:
 * H was made by M, whose source maps the name and plan.  J1 and J2 joined
 * it with the same lifecycle (H's); J3 maps the plan (as H has it: M's);
 * J5 maps the segment and owner, with values H does not have.
 *  - Split J1: J2 gives the lifecycle too: it stays.
 *  - Split J3: the plan is M's field: it stays.
 *  - Split J5: H's segment is not J5's: it stays; J5 keeps its owner, still staff.
 *  - Split J2: its lifecycle, nobody else's: back to the default. */
static void test_split_gives_back_filled_fields(void)
{
	char h[32];
	const char *run = "'00000000-0000-4000-8000-0000000000e2'";
	snprintf(h, sizeof h, "%s",
	         itest_value(su, "INSERT INTO customer (name, lifecycle, plan, segment)"
	                         " VALUES ('Held H', 'adopting', 'pro', 'enterprise') RETURNING id"));
	CHECK(atoi(h) > 0);
	CHECK(itest_ok(su, "INSERT INTO import_run (id, source, entity, file) VALUES"
	                   " ('00000000-0000-4000-8000-0000000000e2', 'fill-co', 'customers', 'f')"));
	CHECK_STR(itest_valuef(su,
	                       "INSERT INTO import_record (source, source_id, entity, target_id, customer_id, digest,"
	                       " run_id, name, owns, fields, vals) SELECT 'fill-co', x.id, 'customers', %s, %s, 'd', %s,"
	                       " x.name, x.owns, x.fields, x.vals FROM (VALUES"
	                       " ('M', 'Held H', true, '{name,plan}'::text[], '{\"plan\": \"pro\"}'::jsonb),"
	                       " ('J1', 'J one', false, '{lifecycle}', '{\"lifecycle\": \"adopting\"}'),"
	                       " ('J2', 'J two', false, '{lifecycle}', '{\"lifecycle\": \"adopting\"}'),"
	                       " ('J3', 'J three', false, '{plan}', '{\"plan\": \"pro\"}'),"
	                       " ('J5', 'J five', false, '{segment,owner}',"
	                       " '{\"segment\": \"mid-market\", \"owner\": \"fill_owner\"}'))"
	                       " x (id, name, owns, fields, vals)",
	                       h, h, run),
	          "");
	CHECK(itest_ok(su, "INSERT INTO team (id, name) VALUES ('fill', 'Fill')"));
	CHECK(itest_ok(su, "INSERT INTO staff (role_name, display_name, team_id) VALUES ('fill_owner', 'Fill Owner', 'fill')"));
	CHECK_STR(itest_valuef(su, "INSERT INTO customer_merge (customer_id, joined_source, joined_source_id, identifiers,"
	                           " evidence) SELECT %s, 'fill-co', j, 'same domain', '{}'"
	                           " FROM unnest(ARRAY['J1', 'J2', 'J3', 'J5']) j", h),
	          "");
	CHECK_STR(split_joined("fill-co", "J1"), "1");
	CHECK_STR(lifecycle_plan_segment(h), "adopting pro enterprise");
	CHECK_STR(split_joined("fill-co", "J3"), "1");
	CHECK_STR(lifecycle_plan_segment(h), "adopting pro enterprise");
	CHECK_STR(split_joined("fill-co", "J5"), "1");
	CHECK_STR(lifecycle_plan_segment(h), "adopting pro enterprise");
	CHECK_STR(split_joined("fill-co", "J2"), "1");
	CHECK_STR(lifecycle_plan_segment(h), "onboarding pro enterprise");
	/* The records' own customers have their values, J5's owner too: still staff. */
	CHECK_STR(itest_value(su, "SELECT string_agg(concat_ws(' ', r.source_id, c.lifecycle, c.plan, c.segment,"
	                          " coalesce(c.owner, '-')), ', '"
	                          " ORDER BY r.source_id) FROM customer c JOIN import_record r ON r.customer_id = c.id"
	                          " WHERE r.source = 'fill-co' AND r.source_id LIKE 'J%'"),
	          "J1 adopting starter smb -, J2 adopting starter smb -, J3 onboarding pro smb -,"
	          " J5 onboarding starter mid-market fill_owner");
}

/* n records of source for the customer cust, the record g with the line
 * hash g * mult, committed with their WAL flushed: until it is, no hint bit
 * says they are committed, and VACUUM marks no page of them all-visible
 * (the test servers commit asynchronously). */
static void known_records(const char *source, int n, int mult, const char *cust)
{
	char sql[640];
	CHECK(itest_ok(su, "SET synchronous_commit = on"));
	snprintf(sql, sizeof sql,
	         "INSERT INTO import_record (source, source_id, entity, target_id, customer_id, digest, run_id)"
	         " SELECT '%s', g::text, 'tickets', g, %s, md5(g::text) || lpad(to_hex(g * %d), 16, '0'),"
	         " '00000000-0000-4000-8000-0000000000f0' FROM generate_series(1, %d) g",
	         source, cust, mult, n);
	CHECK(itest_ok(su, sql));
	CHECK(itest_ok(su, "RESET synchronous_commit"));
}

/* Rows a table's sequential scans have read in this session and not yet
 * reported (PostgreSQL 15 keeps a backend's counts until it reports
 * them, at most once a second: they can span transactions, so a check
 * reads the difference). */
static long seq_read(const char *table)
{
	char sql[160];
	snprintf(sql, sizeof sql, "SELECT pg_stat_get_xact_tuples_returned('%s'::regclass)", table);
	const char *v = itest_value(su, sql);
	CHECK(v[0] >= '0' && v[0] <= '9');
	return atol(v);
}

/* What a file read of a table in sequential scans since BEFORE (seq_read)
 * is less than ALL, the rows it has; and the planner's joins are the
 * session's again after it (128 turns them off for a statement). */
static void read_few(const char *table, long before, long all, const char *what)
{
	long read = seq_read(table) - before;
	CHECK(read < all);
	if (read >= all)
		printf("    %s: %ld of %s's %ld rows read in sequential scans\n", what, read, table, all);
	CHECK_STR(itest_value(su, "SELECT current_setting('enable_hashjoin') || ' ' || current_setting('enable_mergejoin')"),
	          "on on");
}

/* The lines a source already has (045's match; 106's hash index, in which
 * the planner looks a few lines up and beside which it hashes many): the
 * same answer whether the table is only analyzed or vacuumed, a file of a
 * few lines as of many, and the planner settings of the function end with
 * it. */
static void test_lines_known_either_way(void)
{
	char cust[32], sql[1024];
	snprintf(cust, sizeof cust, "%s", itest_value(su, "INSERT INTO customer (name) VALUES ('Known') RETURNING id"));
	CHECK(atoi(cust) > 0);
	CHECK(itest_ok(su, "INSERT INTO import_run (id, source, entity, file)"
	                   " VALUES ('00000000-0000-4000-8000-0000000000f0', 'known-t', 'tickets', 'f')"));
	/* No autovacuum to mark the pages or take statistics before the test. */
	CHECK(itest_ok(su, "ALTER TABLE import_record SET (autovacuum_enabled = off)"));
	known_records("known-t", 60000, 7919, cust);
	for (int pass = 0; pass < 2; pass++) {
		/* Analyzed first (the statistics know the source, but no page is
		 * marked all-visible), then vacuumed. */
		CHECK(itest_ok(su, pass ? "VACUUM import_record" : "ANALYZE import_record"));
		CHECK(itest_ok(su, "BEGIN"));
		snprintf(sql, sizeof sql, "SELECT baton_import_begin('00000000-0000-4000-8000-0000000000f%d', 'known-t',"
		         " 'tickets', 'f', 0)", pass + 1);
		CHECK(itest_ok(su, sql));
		CHECK_STR(itest_value(su, "SELECT count(*) FROM baton_import_hashes_begin('{\"format\": \"jsonl\"}',"
		                          " NULL, ARRAY['x'])"),
		          "1");
		/* 30,000 lines: 20,000 of them with a record's hash (every other
		 * record of the first 40,000), then 10,000 with none. */
		CHECK(itest_ok(su, "INSERT INTO pg_temp.baton_import_hashes (line, h)"
		                   " SELECT n, CASE WHEN n <= 20000 THEN 2 * n * 7919 ELSE -n END"
		                   " FROM generate_series(1, 30000) n"));
		/* What it says: the lines the source does not have (114). */
		CHECK_STR(itest_value(su, "SELECT baton_import_lines_known()"), "10000");
		CHECK_STR(itest_value(su, "SELECT count(*) FILTER (WHERE sid = (2 * line)::text) || ' '"
		                          " || count(DISTINCT line) FROM pg_temp.baton_import_known"),
		          "20000 20000");
		/* As the client runs it: the defaults, and the same after. */
		CHECK_STR(itest_value(su, "SELECT current_setting('enable_mergejoin') || ' '"
		                          " || current_setting('enable_hashjoin') || ' ' || current_setting('enable_nestloop')"),
		          "on on on");
		CHECK(itest_ok(su, "ROLLBACK"));
	}
	/* A few lines of that source, looked up one by one in the hash index
	 * (the planner's choice once it knows they are few): 3 of 5 known. */
	CHECK(itest_ok(su, "BEGIN"));
	CHECK(itest_ok(su, "SELECT baton_import_begin('00000000-0000-4000-8000-0000000000f3', 'known-t',"
	                   " 'tickets', 'f', 0)"));
	CHECK_STR(itest_value(su, "SELECT count(*) FROM baton_import_hashes_begin('{\"format\": \"jsonl\"}',"
	                          " NULL, ARRAY['x'])"),
	          "1");
	CHECK(itest_ok(su, "INSERT INTO pg_temp.baton_import_hashes (line, h)"
	                   " SELECT n, CASE WHEN n <= 3 THEN 2 * n * 7919 ELSE -n END FROM generate_series(1, 5) n"));
	CHECK(itest_ok(su, "ANALYZE pg_temp.baton_import_hashes"));
	CHECK_STR(itest_value(su, "SELECT baton_import_lines_known()"), "2");
	CHECK_STR(itest_value(su, "SELECT string_agg(line || ':' || sid, ' ' ORDER BY line) FROM pg_temp.baton_import_known"),
	          "1:2 2:4 3:6");
	CHECK_STR(itest_value(su, "SELECT pg_stat_get_xact_numscans('import_record_raw_hash_idx'::regclass) > 0"), "t");
	CHECK(itest_ok(su, "ROLLBACK"));
	/* 3,000 lines, fewer than a ninth of the source's 60,000 records: each
	 * looked up in the index too (128), where the planner hashes every
	 * record of the source; the planner's settings are the session's after. */
	CHECK(itest_ok(su, "BEGIN"));
	long read0 = seq_read("import_record");
	CHECK(itest_ok(su, "SELECT baton_import_begin('00000000-0000-4000-8000-0000000000f8', 'known-t',"
	                   " 'tickets', 'f', 0)"));
	CHECK_STR(itest_value(su, "SELECT count(*) FROM baton_import_hashes_begin('{\"format\": \"jsonl\"}',"
	                          " NULL, ARRAY['x'])"),
	          "1");
	CHECK(itest_ok(su, "INSERT INTO pg_temp.baton_import_hashes (line, h)"
	                   " SELECT n, CASE WHEN n <= 2000 THEN 2 * n * 7919 ELSE -n END FROM generate_series(1, 3000) n"));
	CHECK(itest_ok(su, "ANALYZE pg_temp.baton_import_hashes"));
	CHECK_STR(itest_value(su, "SELECT baton_import_lines_known()"), "1000");
	CHECK_STR(itest_value(su, "SELECT count(*) FILTER (WHERE sid = (2 * line)::text) FROM pg_temp.baton_import_known"),
	          "2000");
	read_few("import_record", read0, 60000, "3,000 lines' hashes");
	CHECK(itest_ok(su, "ROLLBACK"));
	/* The same 3,000 lines' file through the import, 1,000 of them new
	 * and 2,000 of the source's records under another text: the records
	 * with the lines' values (baton_import_stage) and each line's record
	 * (baton_import_link) are looked up too. */
	CHECK(itest_ok(su, "BEGIN"));
	read0 = seq_read("import_record");
	CHECK(itest_ok(su, "SELECT baton_import_begin('00000000-0000-4000-8000-0000000000f9', 'known-t',"
	                   " 'tickets', 'f', 0)"));
	CHECK(itest_ok(su, "INSERT INTO pg_temp.baton_import_raw (line, raw)"
	                   " SELECT n, format('{\"id\": \"%s\", \"s\": \"subject %s\"}', n * CASE WHEN n <= 2000 THEN 1 ELSE 100 END, n)"
	                   " FROM generate_series(1, 3000) n"));
	CHECK_STR(itest_value(su, "SELECT read_rows FROM baton_import_apply('00000000-0000-4000-8000-0000000000f9',"
	                          " '{\"format\": \"jsonl\", \"fields\": {\"source_id\": {\"path\": [\"id\"]},"
	                          " \"subject\": {\"path\": [\"s\"]}}}', '{}', 0)"),
	          "3000");
	read_few("import_record", read0, 60000, "a file of 3,000 lines");
	CHECK(itest_ok(su, "ROLLBACK"));
	/* Every line known: none to send. */
	CHECK(itest_ok(su, "BEGIN"));
	CHECK(itest_ok(su, "SELECT baton_import_begin('00000000-0000-4000-8000-0000000000f4', 'known-t',"
	                   " 'tickets', 'f', 0)"));
	CHECK_STR(itest_value(su, "SELECT count(*) FROM baton_import_hashes_begin('{\"format\": \"jsonl\"}',"
	                          " NULL, ARRAY['x'])"),
	          "1");
	CHECK(itest_ok(su, "INSERT INTO pg_temp.baton_import_hashes (line, h) SELECT n, 2 * n * 7919 FROM generate_series(1, 4) n"));
	CHECK_STR(itest_value(su, "SELECT baton_import_lines_known()"), "0");
	CHECK_STR(itest_value(su, "SELECT count(*) FROM pg_temp.baton_import_known"), "4");
	CHECK(itest_ok(su, "ROLLBACK"));
	CHECK(itest_ok(su, "ALTER TABLE import_record RESET (autovacuum_enabled)"));
}

/* The planner's estimate of one source's records in import_record. */
static long source_estimate(const char *source)
{
	char sql[320];
	snprintf(sql, sizeof sql,
	         "SELECT (pg_temp.baton_plan_json('SELECT 1 FROM import_record WHERE source = ''%s''')"
	         " -> 0 -> 'Plan' ->> 'Plan Rows')::numeric::bigint",
	         source);
	return atol(itest_value(su, sql));
}

/* Migration 127: a source whose records the statistics do not know (its
 * first pages, less than a tenth of the table) has import_record analyzed
 * before the next file is planned; known, not again for one more record.
 * Migration 126: an import's index lookups are priced as cached in the
 * function that runs a file (a setting a restatement would drop). */
static void test_unknown_source_analyzed(void)
{
	char cust[32], was[32];
	snprintf(cust, sizeof cust, "%s", itest_value(su, "INSERT INTO customer (name) VALUES ('Pages') RETURNING id"));
	CHECK(atoi(cust) > 0);
	CHECK(itest_ok(su, "INSERT INTO import_run (id, source, entity, file)"
	                   " VALUES ('00000000-0000-4000-8000-0000000000f0', 'pages-t', 'tickets', 'f')"
	                   " ON CONFLICT DO NOTHING"));
	CHECK(itest_ok(su, "ALTER TABLE import_record SET (autovacuum_enabled = off)"));
	CHECK(itest_ok(su, "CREATE FUNCTION pg_temp.baton_plan_json(q text) RETURNS json LANGUAGE plpgsql AS"
	                   " $$ DECLARE j json; BEGIN EXECUTE 'EXPLAIN (FORMAT JSON) ' || q INTO j; RETURN j; END $$"));
	known_records("pages-other", 15000, 1, cust);
	CHECK(itest_ok(su, "ANALYZE import_record"));
	/* A first file's 1,200 records of a new source: less than a tenth of
	 * the table, which 039's test of its size leaves as it is. */
	known_records("pages-new", 1200, 3, cust);
	long before = source_estimate("pages-new");
	CHECK(before < 100);
	/* The next file's check finds more than the estimate says. */
	CHECK(itest_ok(su, "SELECT baton_import_analyze()"));
	long after = source_estimate("pages-new");
	CHECK(after > 600);
	if (before >= 100 || after <= 600)
		printf("    the estimate of the new source's 1,200 records: %ld, then %ld\n", before, after);
	/* Known now: one more record is no reason to analyze again (an ANALYZE
	 * of a table this small reads every page: its count would move). */
	snprintf(was, sizeof was, "%s", itest_value(su, "SELECT reltuples::bigint FROM pg_class WHERE relname = 'import_record'"));
	CHECK(itest_ok(su, "INSERT INTO import_record (source, source_id, entity, target_id, customer_id, digest, run_id)"
	                   " SELECT source, '1201', entity, 1201, customer_id, digest, run_id FROM import_record"
	                   " WHERE source = 'pages-new' AND source_id = '1'"));
	CHECK(itest_ok(su, "SELECT baton_import_analyze()"));
	CHECK_STR(itest_value(su, "SELECT reltuples::bigint FROM pg_class WHERE relname = 'import_record'"), was);
	CHECK_STR(itest_value(su, "SELECT 'random_page_cost=1.1' = ANY (proconfig) FROM pg_proc"
	                          " WHERE oid = 'baton_import_apply(uuid, jsonb, text[], integer)'::regprocedure"),
	          "t");
	CHECK(itest_ok(su, "DELETE FROM import_record WHERE source IN ('pages-other', 'pages-new')"));
	CHECK(itest_ok(su, "ALTER TABLE import_record RESET (autovacuum_enabled)"));
}

/* Migration 148: the functions that run a file's statements run them with
 * 64 MB of work_mem.  A subquery PostgreSQL runs from a hash table when it
 * fits in work_mem scans its table again for each row when it does not:
 * with the server's 4 MB, a customers file of 400,000 new records
 * (baton_import_customers: whether each record made its customer) had not
 * ended after 13 minutes; with 64 MB it took 45 s.  A migration that
 * restates one of these functions without its SET would bring that back:
 * CREATE OR REPLACE FUNCTION replaces the function's settings. */
static void test_file_functions_have_work_mem(void)
{
	static const char *const fns[] = {
		"baton_import_stage(jsonb, text)",
		"baton_import_customers(uuid, text, jsonb, text[])",
		"baton_import_link(text, text, jsonb, text[])",
		"baton_import_rows_of(uuid, text, text, jsonb, text[])",
	};
	for (size_t i = 0; i < sizeof fns / sizeof *fns; i++) {
		char sql[300];
		snprintf(sql, sizeof sql,
		         "SELECT coalesce('work_mem=64MB' = ANY (proconfig), false) FROM pg_proc WHERE oid = '%s'::regprocedure",
		         fns[i]);
		const char *v = itest_value(su, sql);
		if (strcmp(v, "t") != 0)
			printf("    %s runs without work_mem=64MB\n", fns[i]);
		CHECK_STR(v, "t");
	}
}

/* Migration 128: a page of organisations reads import_record by its
 * indexes, in proportion to the page: the customer records holding its
 * domains (one GIN lookup each; 122 unnested every customer record's) and
 * whether its source has records (the primary key; the planner scanned
 * the table for a source that is most of it).  After 20,000 customer
 * records of another source, a page of five reads fewer than 20,000 in a
 * sequential scan, and the one whose domain a record holds joins that
 * record's customer.  A page of contacts reads the contacts holding its
 * addresses and domains by their indexes too. */
static void test_page_reads_its_own(void)
{
	char cust[32], sql[900];
	snprintf(cust, sizeof cust, "%s", itest_value(su, "INSERT INTO customer (name) VALUES ('Held') RETURNING id"));
	CHECK(atoi(cust) > 0);
	CHECK(itest_ok(su, "INSERT INTO import_run (id, source, entity, file)"
	                   " VALUES ('00000000-0000-4000-8000-0000000000f5', 'held-old', 'customers', 'f')"));
	CHECK(itest_ok(su, "ALTER TABLE import_record SET (autovacuum_enabled = off)"));
	/* The page's source has one record, written after the others. */
	snprintf(sql, sizeof sql,
	         "INSERT INTO import_record (source, source_id, entity, target_id, customer_id, digest, run_id, domains)"
	         " SELECT CASE WHEN g <= 20000 THEN 'held-old' ELSE 'held-page' END, g::text, 'customers', %s, %s,"
	         " md5(g::text) || lpad(to_hex(g), 16, '0'), '00000000-0000-4000-8000-0000000000f5',"
	         " ARRAY['held' || g || '.example'] FROM generate_series(1, 20001) g",
	         cust, cust);
	CHECK(itest_ok(su, sql));
	CHECK(itest_ok(su, "ANALYZE import_record"));
	CHECK(itest_ok(su, "BEGIN"));
	/* (A customer of 20,001 records: over import_max_merge, 139, which
	 * is not what this looks at.) */
	CHECK(itest_ok(su, "UPDATE baton_setting SET value = '100000' WHERE key = 'import_max_merge'"));
	long read0 = seq_read("import_record");
	CHECK(itest_ok(su, "SELECT baton_import_begin('00000000-0000-4000-8000-0000000000f6', 'held-page',"
	                   " 'customers', 'f', 0)"));
	CHECK(itest_ok(su, "INSERT INTO pg_temp.baton_import_raw (line, raw)"
	                   " SELECT i, format('{\"id\": \"p%s\", \"name\": \"Page %s\", \"domain\": \"%s\"}', i, i,"
	                   " CASE WHEN i = 1 THEN 'www.held7.example' ELSE 'page' || i || '.example' END)"
	                   " FROM generate_series(1, 5) i"));
	CHECK_STR(itest_value(su, "SELECT inserted FROM baton_import_apply('00000000-0000-4000-8000-0000000000f6',"
	                          " '{\"format\": \"jsonl\", \"system\": \"crm\", \"label\": \"Page org\","
	                          " \"fields\": {\"source_id\": {\"path\": [\"id\"]}, \"name\": {\"path\": [\"name\"]},"
	                          " \"domains\": {\"path\": [\"domain\"]}}}', '{}', 0)"),
	          "5");
	read_few("import_record", read0, 20000, "a page of five organisations");
	snprintf(sql, sizeof sql, "SELECT count(*) FILTER (WHERE customer_id = %s) || ' ' || count(*)"
	         " FROM import_record WHERE source = 'held-page' AND source_id LIKE 'p%%'", cust);
	CHECK_STR(itest_value(su, sql), "1 5");
	CHECK(itest_ok(su, "ROLLBACK"));
	/* Who holds a page's addresses and domains: with 60,000 contacts, a
	 * page of 3,000 (6,000 identifiers, fewer than a ninth of them) looks
	 * each up in the contacts' indexes, where the planner hashes them all
	 * (63,003 read without 128's switch). */
	CHECK(itest_ok(su, "SET synchronous_commit = on"));
	snprintf(sql, sizeof sql, "INSERT INTO contact (customer_id, name, email)"
	         " SELECT %s, 'Held ' || g, 'x' || g || '@held' || g || '.example' FROM generate_series(1, 60000) g", cust);
	CHECK(itest_ok(su, sql));
	CHECK(itest_ok(su, "RESET synchronous_commit"));
	CHECK(itest_ok(su, "ANALYZE contact"));
	CHECK(itest_ok(su, "BEGIN"));
	read0 = seq_read("contact");
	CHECK(itest_ok(su, "SELECT baton_import_begin('00000000-0000-4000-8000-0000000000f7', 'held-people',"
	                   " 'contacts', 'f', 0)"));
	CHECK(itest_ok(su, "INSERT INTO pg_temp.baton_import_raw (line, raw)"
	                   " SELECT i, format('{\"id\": \"k%s\", \"org\": \"7\", \"email\": \"new%s@page%s.example\"}',"
	                   " i, i, i) FROM generate_series(1, 3000) i"));
	CHECK_STR(itest_value(su, "SELECT inserted FROM baton_import_apply('00000000-0000-4000-8000-0000000000f7',"
	                          " '{\"format\": \"jsonl\", \"customer_source\": \"held-old\","
	                          " \"fields\": {\"source_id\": {\"path\": [\"id\"]}, \"customer\": {\"path\": [\"org\"]},"
	                          " \"email\": {\"path\": [\"email\"]}}}', '{}', 0)"),
	          "3000");
	read_few("contact", read0, 60000, "a page of 3,000 contacts");
	snprintf(sql, sizeof sql, "SELECT count(*) FROM contact WHERE customer_id = %s AND email LIKE 'new%%'", cust);
	CHECK_STR(itest_value(su, sql), "3000");
	CHECK(itest_ok(su, "ROLLBACK"));
	snprintf(sql, sizeof sql, "DELETE FROM contact WHERE customer_id = %s", cust);
	CHECK(itest_ok(su, sql));
	CHECK(itest_ok(su, "DELETE FROM import_record WHERE source IN ('held-old', 'held-page')"));
	CHECK(itest_ok(su, "ALTER TABLE import_record RESET (autovacuum_enabled)"));
}

/* Migration 068's fix of JSON text jsonb refuses: every string of up to
 * four pieces (escaped and lone backslashes, "u0000" after a backslash,
 * NULs, surrogates of both halves and cases, U+FFFD's escape) is fixed as
 * a tokeniser of one token per escape, plainly right, would fix it; every
 * JSON string json takes, jsonb takes fixed; one jsonb already took is
 * left as it was; the replacements are found again in the fixed text. */
static void test_json_escapes_fixed(void)
{
	CHECK(itest_ok(su, "CREATE FUNCTION pg_temp.plain_fix(p text) RETURNS text LANGUAGE sql AS $$"
	                   " SELECT coalesce(string_agg(CASE WHEN t ~ '^\\\\u(0000|[dD][89a-fA-F][0-9a-fA-F]{2})$' THEN '\\uFFFD'"
	                   "  WHEN t ~ '^\\\\u[fF][fF][fF][dD]$' THEN '\\ufffd' ELSE t END, '' ORDER BY i), '')"
	                   " FROM regexp_matches(p, '\\\\u[dD][89abAB][0-9a-fA-F]{2}\\\\u[dD][c-fC-F][0-9a-fA-F]{2}"
	                   "|\\\\u[0-9a-fA-F]{4}|\\\\.|\\\\|[^\\\\]+', 'g') WITH ORDINALITY x(m, i), LATERAL (SELECT m[1] AS t) y $$"));
	CHECK(itest_ok(su, "CREATE FUNCTION pg_temp.takes(p text, t text) RETURNS boolean LANGUAGE plpgsql AS $$"
	                   " BEGIN IF t = 'json' THEN PERFORM p::json; ELSE PERFORM p::jsonb; END IF; RETURN true;"
	                   " EXCEPTION WHEN OTHERS THEN RETURN false; END $$"));
	CHECK(itest_ok(su, "CREATE TEMP TABLE j AS"
	                   " WITH RECURSIVE p(s) AS (SELECT unnest(ARRAY['\\', '\\\\', 'u0000', '\\u0000', '\\ud83d',"
	                   "  '\\udc00', '\\uDE00', '\\uD83D', '\\ufffd', 'x'])),"
	                   " w(s, n) AS (SELECT '', 0 UNION ALL SELECT w.s || p.s, w.n + 1 FROM w, p WHERE w.n < 4)"
	                   " SELECT w.s, f.fixed, f.replaced FROM w, baton_import_json_fix(w.s) f WHERE w.n > 0"));
	CHECK_STR(itest_value(su, "SELECT count(*) FROM j"), "11110");
	CHECK_STR(itest_value(su, "SELECT count(*) FILTER (WHERE fixed IS DISTINCT FROM pg_temp.plain_fix(s))"
	                          " + count(*) FILTER (WHERE replaced IS DISTINCT FROM baton_import_json_replaced(fixed))"
	                          " || ' ' || (count(*) FILTER (WHERE replaced > 0) > 5000) FROM j"),
	          "0 true");
	CHECK_STR(itest_value(su, "SELECT count(*) FILTER (WHERE NOT pg_temp.takes('\"' || fixed || '\"', 'jsonb'))"
	                          " || ' ' || count(*) FILTER (WHERE CASE WHEN pg_temp.takes('\"' || s || '\"', 'jsonb')"
	                          "  THEN replaced <> 0 OR ('\"' || fixed || '\"')::jsonb <> ('\"' || s || '\"')::jsonb END)"
	                          " || ' ' || (count(*) > 1000)"
	                          " FROM j WHERE pg_temp.takes('\"' || s || '\"', 'json')"),
	          "0 0 true");
}

/* Migration 117: a JSON Lines file's records are read in the stage, with
 * no table of their own.  A line jsonb refuses makes them read one by one
 * (an object: in the stage; no object: before it), and a rule reads them
 * first, from a table, as every file was read before 117.  Each file is
 * read with no rule and again with a rule that leaves nothing out: the
 * same lines are staged with the same values and hashes, the same ones
 * rejected with the same reasons and raw text, the same characters
 * replaced. */
static void test_jsonl_records_in_stage(void)
{
	static const char *const specs[] = {
		"{\"format\": \"jsonl\", \"fields\": {\"source_id\": {\"path\": [\"id\"]},"
		" \"subject\": {\"path\": [\"s\"]}}}",
		"{\"format\": \"jsonl\", \"skip\": [{\"path\": [\"zz\"], \"values\": [\"never\"]}],"
		" \"fields\": {\"source_id\": {\"path\": [\"id\"]}, \"subject\": {\"path\": [\"s\"]}}}",
	};
	static const char lines[] = "(1, '{\"id\": 1, \"s\": \"one\"}'), (2, ' [1, 2]'),"
		" (3, E'\\t {\"id\": 3, \"s\": \"three\"}'), (6, '{\"id\": \"6\", \"s\": \"six \\\"quoted\\\"\"}')";
	/* The files: every line JSON, two of them no object; then an object
	 * with a NUL jsonb refuses (fixed, as 068 does) and one no JSON; then
	 * a line no object that jsonb refuses. */
	static const char *const more[] = {
		", (5, '\"five\"')",
		", (5, '\"five\"'), (4, '{\"id\": 4, \"s\": \"nul \\u0000\"}'), (7, '{\"id\": 7, \"s\": \"cut')",
		", (5, '\"nul \\u0000\"')",
	};
	static const struct {
		const char *staged, *rejects;
	} files[] = {
		{"1 3 6", "2:not a JSON object 5:not a JSON object"},
		{"1 3 4 6", "2:not a JSON object 5:not a JSON object 7:not valid JSON"},
		{"1 3 6", "2:not a JSON object 5:not a JSON object"},
	};
	for (int f = 0; f < 3; f++) {
		char got[2][4][1024];
		for (int rule = 0; rule < 2; rule++) {
			char sql[2048];
			CHECK(itest_ok(su, "BEGIN"));
			snprintf(sql, sizeof sql, "SELECT baton_import_begin('00000000-0000-4000-8000-0000000001%d%d', 'lazy-t',"
			         " 'tickets', 'f', 0)", f, rule);
			CHECK(itest_ok(su, sql));
			snprintf(sql, sizeof sql, "INSERT INTO pg_temp.baton_import_raw (line, raw) VALUES %s%s", lines, more[f]);
			CHECK(itest_ok(su, sql));
			snprintf(sql, sizeof sql, "SELECT read_rows FROM baton_import_apply('00000000-0000-4000-8000-0000000001%d%d',"
			         " '%s', '{}', 0)", f, rule, specs[rule]);
			CHECK_STR(itest_value(su, sql), f == 1 ? "7" : "5");
			/* No table of records only when no rule read them and every
			 * line was one jsonb takes. */
			CHECK_STR(itest_value(su, "SELECT coalesce((SELECT c.relkind::text FROM pg_class c"
			                          " WHERE c.oid = to_regclass('pg_temp.baton_import_rows')), '')"),
			          rule == 0 && f == 0 ? "" : "r");
			CHECK_STR(itest_value(su, "SELECT string_agg(line::text, ' ' ORDER BY line) FROM pg_temp.baton_import_s"),
			          files[f].staged);
			CHECK_STR(itest_value(su, "SELECT string_agg(line || ':' || split_part(reason, ':', 1), ' ' ORDER BY line)"
			                          " FROM pg_temp.baton_import_reject WHERE reason NOT LIKE '%customer%'"),
			          files[f].rejects);
			/* Each staged line's digest ends with its line's hash, as read. */
			snprintf(sql, sizeof sql, "SELECT count(*) FILTER (WHERE substr(s.digest, 33)"
			         " = lpad(to_hex(hashtextextended(q.raw, baton_import_line_seed('%s', NULL))), 16, '0'))"
			         " || ' ' || count(*) FROM pg_temp.baton_import_s s JOIN pg_temp.baton_import_raw q USING (line)",
			         specs[rule]);
			CHECK_STR(itest_value(su, sql), f == 1 ? "4 4" : "3 3");
			snprintf(got[rule][0], sizeof got[rule][0], "%s",
			         itest_value(su, "SELECT string_agg(line || v::text || left(digest, 32), ' ' ORDER BY line)"
			                         " FROM pg_temp.baton_import_s"));
			snprintf(got[rule][1], sizeof got[rule][1], "%s",
			         itest_value(su, "SELECT string_agg(line || '|' || field || '|' || reason || '|' || raw, ' ' ORDER BY line)"
			                         " FROM pg_temp.baton_import_reject"));
			/* The characters replaced, line by line (068's table: the
			 * lines are rejected later, as these tickets name no customer). */
			const char *has = itest_value(su, "SELECT to_regclass('pg_temp.baton_import_replaced') IS NOT NULL");
			snprintf(got[rule][2], sizeof got[rule][2], "%s",
			         strcmp(has, "t") == 0
			             ? itest_value(su, "SELECT coalesce(string_agg(line || ':' || n, ' ' ORDER BY line), '')"
			                               " FROM pg_temp.baton_import_replaced")
			             : "-");
			snprintf(sql, sizeof sql, "SELECT read_rows || ' ' || rejected || ' ' || unchanged FROM import_run"
			         " WHERE id = '00000000-0000-4000-8000-0000000001%d%d'", f, rule);
			snprintf(got[rule][3], sizeof got[rule][3], "%s", itest_value(su, sql));
			CHECK(strstr(got[rule][0], "six \\\"quoted\\\"") != NULL);
			CHECK(itest_ok(su, "ROLLBACK"));
		}
		CHECK_STR(got[0][2], f == 1 ? "4:1" : f == 2 ? "5:1" : "-");
		for (int k = 0; k < 4; k++)
			CHECK_STR(got[0][k], got[1][k]);
	}
}

/* 118: the stage's tests of a value by bytes answer as the text functions
 * did.  A field's text is missing when blank (nothing but spaces); a line
 * is a record when it begins with { after JSON's blanks; an enum field
 * takes its value in any case and with blanks around; a plain ISO time's
 * fields are in range.  And the plain shapes are taken at once: a time
 * whose fields are in range, and only those, passes the plain test (were
 * it never to, the slow path would still give every value). */
static void test_stage_tests_bytewise(void)
{
	/* Each generated test made into a table by the server (the SQL is
	 * longer than a value the test reads back): bw_make(table, columns,
	 * source). */
	CHECK(itest_ok(su, "CREATE FUNCTION pg_temp.bw_make(t text, cols text, src text) RETURNS void LANGUAGE plpgsql AS $$"
	                   " BEGIN EXECUTE 'CREATE TEMP TABLE ' || t || ' AS SELECT ' || cols || ' FROM ' || src; END $$"));
	CHECK(itest_ok(su, "CREATE TEMP TABLE bw_x (i integer, v text)"));
	CHECK(itest_ok(su, "INSERT INTO bw_x VALUES (1, ''), (2, ' '), (3, '   '), (4, ' a'), (5, 'a'), (6, 'a '),"
	                   " (7, E'\\t'), (8, E' \\t'), (9, NULL), (10, U&'\\00a0'), (11, ' {'), (12, '{'),"
	                   " (13, E'\\t\\r\\n {'), (14, '['), (15, 'x{'), (16, E'\\r{'), (17, U&'\\00a0{'), (18, 'urgent'),"
	                   " (19, 'Urgent'), (20, ' urgent '), (21, 'URGENT'), (22, 'urgentx'), (23, ' low'), (24, E'\\tlow'),"
	                   " (25, E'\\f{'), (26, E'\\t\\r\\n {\"a\": 1}')"));
	CHECK(itest_ok(su, "SELECT pg_temp.bw_make('bw_t', 'x.i, x.v, '"
	                   " || baton_import_given_sql('x.v', 'd', true) || ' AS given, '"
	                   " || baton_import_given_sql('x.v', 'd', false) || ' AS given_read, '"
	                   " || baton_import_enum_sql('x.v', NULL, '{urgent,high,normal,low}') || ' AS enum', 'bw_x x')"));
	/* (A column's value, and an expression's, which is trimmed as before.) */
	CHECK_STR(itest_value(su, "SELECT count(*) FILTER (WHERE given IS DISTINCT FROM"
	                          " coalesce(CASE WHEN btrim(v) <> '' THEN v END, 'd') OR given_read IS DISTINCT FROM given) || ' '"
	                          " || string_agg(i::text, ',' ORDER BY i) FILTER (WHERE given = 'd') FROM bw_t"),
	          "0 1,2,3,9");
	CHECK_STR(itest_value(su, "SELECT count(*) FILTER (WHERE enum IS DISTINCT FROM CASE WHEN lower(btrim(v)) = ANY"
	                          " ('{urgent,high,normal,low}') THEN lower(btrim(v)) END) || ' '"
	                          " || string_agg(i || '=' || enum, ',' ORDER BY i) FROM bw_t"),
	          "0 18=urgent,19=urgent,20=urgent,21=urgent,23=low");
	CHECK_STR(itest_value(su, "SELECT count(*) FILTER (WHERE baton_import_object_line(v) IS DISTINCT FROM"
	                          " (v IS NULL OR ltrim(v, E' \\t\\r\\n') LIKE '{%')) || ' '"
	                          " || string_agg(i::text, ',' ORDER BY i) FILTER (WHERE baton_import_object_line(v)) FROM bw_x"),
	          "0 9,11,12,13,16,26");
	/* A path of one key reads what the path did, for every kind of value
	 * and none; a deeper path is read as one. */
	CHECK(itest_ok(su, "CREATE TEMP TABLE bw_r (i integer, rec jsonb)"));
	CHECK(itest_ok(su, "INSERT INTO bw_r VALUES (1, '{\"k\": \"a\"}'), (2, '{\"k\": 5.10}'), (3, '{\"k\": null}'),"
	                   " (4, '{\"k\": {\"x\": [1]}}'), (5, '{\"k\": [\"t\", 2]}'), (6, '{}'), (7, '{\"k\": true}'),"
	                   " (8, '{\"k\": \"\\u00e9 \\\"q\\\"\"}')"));
	CHECK(itest_ok(su, "SELECT pg_temp.bw_make('bw_k', 'r.i, '"
	                   " || baton_import_read_sql('r.rec', '{\"fields\": {\"s\": {\"path\": [\"k\"]}}}', 's', false)"
	                   " || ' AS t, ' || baton_import_read_sql('r.rec', '{\"fields\": {\"s\": {\"path\": [\"k\"]}}}', 's', true)"
	                   " || ' AS j, ' || baton_import_read_sql('r.rec', '{\"fields\": {\"s\": {\"path\": [\"k\", \"x\"]}}}', 's', false)"
	                   " || ' AS d', 'bw_r r')"));
	CHECK_STR(itest_value(su, "SELECT count(*) FILTER (WHERE k.t IS DISTINCT FROM r.rec #>> '{k}'"
	                          " OR k.j IS DISTINCT FROM r.rec #> '{k}' OR k.d IS DISTINCT FROM r.rec #>> '{k,x}')"
	                          " || ' ' || count(k.t) || ' ' || count(k.d) FROM bw_k k JOIN bw_r r USING (i)"),
	          "0 6 1");
	/* The first value of a list that maps, in the list's order: lists of
	 * none to six, with nulls, numbers, objects, lists and blanks (short
	 * ones read by place, longer ones as a set, or by
	 * baton_import_first_mapped in a statement for parallel workers, 119);
	 * a string of them; no list.  With a map, without one, and with a map
	 * whose keys are not as Baton writes them. */
	CHECK(itest_ok(su, "CREATE TEMP TABLE bw_w (i integer, j_category jsonb)"));
	CHECK(itest_ok(su, "INSERT INTO bw_w VALUES (1, '[]'), (2, '[\"Bug\"]'), (3, '[\"x\", \" MIGRATION \"]'),"
	                   " (4, '[null, 3, \"bug\"]'), (5, '[\"x\", \"y\", \"z\", \"bug\"]'), (6, '[\"x\", \"y\", \"z\", \"w\", \"v\"]'),"
	                   " (7, '[{\"a\": 1}, [\"bug\"], \"migration\", \"bug\"]'), (8, '\"x; bug, migration\"'), (9, '7'),"
	                   " (10, NULL), (11, '[\"migration\", \"bug\"]'), (12, '[\"\", \" \", \"bug\"]'),"
	                   " (13, '[{\"bug\": 1}, [\"bug\"], \"migration\"]'), (14, '[{\"bug\": \"bug\"}, 1.5, true]'),"
	                   " (15, '[\"x\", \"y\", \"z\", \"w\", \" Bug \"]'), (16, '[\"a\", \"b\", \"c\", \"d\", \"MIGRATION\", \"bug\"]'),"
	                   " (17, '\"a b c d Bug\"'), (18, '[null, null, null, null, \"bug\"]')"));
	CHECK(itest_ok(su, "CREATE TEMP TABLE bw_d (d jsonb)"));
	CHECK(itest_ok(su, "INSERT INTO bw_d VALUES ('{\"default\": \"question\", \"map\": {\"bug\": \"bug\", \"migration\": \"migration\"}}'),"
	                   " ('{\"default\": \"question\"}'), ('{\"default\": \"question\", \"map\": {\"Bug\": \"bug\", \"MIGRATION\": \"migration\"}}')"));
	CHECK(itest_ok(su, "SELECT pg_temp.bw_make('bw_c', 'w.i, ' || string_agg(format('%s AS %I, %s AS %I',"
	                   " (baton_import_field_sql('category', 'first', '{question,bug,migration}', d.d)).val, 'c' || d.n,"
	                   " (baton_import_field_sql('category', 'first', '{question,bug,migration}', d.d, true)).val, 'p' || d.n),"
	                   " ', ' ORDER BY d.n), 'bw_w w') FROM (SELECT d, row_number() OVER () AS n FROM bw_d) d"));
	CHECK_STR(itest_value(su, "SELECT count(*) FILTER (WHERE c1 IS DISTINCT FROM p1 OR c2 IS DISTINCT FROM p2"
	                          " OR c3 IS DISTINCT FROM p3) || ' ' || string_agg(i || '=' || c3, ' ' ORDER BY i)"
	                          " FILTER (WHERE i >= 15) FROM bw_c"),
	          "0 15=bug 16=migration 17=bug 18=bug");
	CHECK_STR(itest_value(su, "SELECT string_agg(i || '=' || c1 || '/' || c2, ' ' ORDER BY i) FROM bw_c"),
	          "1=question/question 2=bug/bug 3=migration/migration 4=bug/bug 5=bug/bug 6=question/question"
	          " 7=migration/migration 8=bug/bug 9=question/question 10=question/question 11=migration/migration"
	          " 12=bug/bug 13=migration/migration 14=question/question 15=bug/bug 16=migration/migration"
	          " 17=bug/bug 18=bug/bug");
	/* Every shape, each two-digit field from 00 to 99 (the others in
	 * range), and each place given a character that is no digit. */
	CHECK(itest_ok(su, "CREATE TEMP TABLE iso_x AS SELECT DISTINCT x FROM ("
	                   " SELECT overlay(b PLACING lpad(v::text, 2, '0') FROM p FOR 2) AS x"
	                   " FROM unnest(ARRAY['2026-01-15', '2026-01-15 10:20', '2026-01-15T10:20', '2026-01-15 10:20:30',"
	                   "  '2026-01-15T10:20:30', '2026-01-15T10:20:30Z']) b,"
	                   "  unnest(ARRAY[1, 3, 6, 9, 12, 15, 18]) p, generate_series(0, 99) v WHERE p < length(b)"
	                   " UNION ALL SELECT overlay(b PLACING c FROM p FOR 1)"
	                   " FROM unnest(ARRAY['2026-01-15', '2026-01-15 10:20', '2026-01-15T10:20:30Z']) b,"
	                   "  generate_series(1, 20) p, unnest(ARRAY['-', 'T', ':', ' ', 'Z', 'a', U&'\\00e9', '']) c"
	                   " WHERE p <= length(b)) z"));
	CHECK(itest_ok(su, "SELECT pg_temp.bw_make('iso_t', 'x, ' || baton_import_iso_plain_sql('x') || ' AS taken', 'iso_x')"));
	/* In range, said another way: the shape by a regular expression, the
	 * fields as numbers. */
	CHECK_STR(itest_value(su, "SELECT count(*) || ' ' || count(*) FILTER (WHERE taken IS DISTINCT FROM CASE"
	                          " WHEN x ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}([ T][0-9]{2}:[0-9]{2}(:[0-9]{2}Z?)?)?$'"
	                          "  AND x !~ ' .*Z' THEN substr(x, 1, 4) <> '0000'"
	                          "  AND substr(x, 6, 2)::int BETWEEN 1 AND 12 AND substr(x, 9, 2)::int BETWEEN 1 AND 28"
	                          "  AND (length(x) = 10 OR substr(x, 12, 2)::int <= 23 AND substr(x, 15, 2)::int <= 59)"
	                          "  AND (length(x) < 19 OR substr(x, 18, 2)::int <= 59) ELSE false END)"
	                          " || ' ' || count(*) FILTER (WHERE taken) FROM iso_t"),
	          "4023 0 2009");
	/* Each converted as staging converts it, and by the whole check. */
	CHECK(itest_ok(su, "SELECT pg_temp.bw_make('iso_v', 'x, ' || baton_import_time_sql('x', 'iso') || ' AS staged, '"
	                   " || baton_import_iso_sql('btrim(x)') || ' AS whole', 'iso_x')"));
	CHECK_STR(itest_value(su, "SELECT count(*) FILTER (WHERE staged IS DISTINCT FROM whole) || ' ' || count(staged)"
	                          " FROM iso_v"),
	          "0 2029");
	CHECK(itest_ok(su, "DROP TABLE bw_x, bw_t, bw_r, bw_k, bw_w, bw_d, bw_c, iso_x, iso_t, iso_v"));
	CHECK(itest_ok(su, "DROP FUNCTION pg_temp.bw_make(text, text, text)"));
}

/* 118: a staged record holds the fields that have a value and no others,
 * whether every field has one (built at once) or some do not (stripped of
 * their nulls); blank is no value, a value in another case is Baton's. */
static void test_staged_values_without_nulls(void)
{
	CHECK(itest_ok(su, "BEGIN"));
	CHECK(itest_ok(su, "SELECT baton_import_begin('00000000-0000-4000-8000-000000000201', 'nulls-t', 'tickets', 'f', 0)"));
	CHECK(itest_ok(su, "INSERT INTO pg_temp.baton_import_raw (line, raw) VALUES"
	                   " (1, '{\"id\": 1, \"s\": \"one\", \"p\": \"high\", \"st\": \"open\", \"t\": [\"bug\"]}'),"
	                   " (2, '{\"id\": 2, \"p\": \"low\", \"st\": \"open\", \"t\": []}'),"
	                   " (3, '{\"id\": 3, \"s\": \"three\", \"p\": \"  \", \"st\": null, \"t\": [\"x\"]}'),"
	                   " (4, '{\"id\": 4, \"s\": \" four\", \"p\": \" Urgent\", \"st\": \"open\", \"t\": \"bug\"}')"));
	CHECK_STR(itest_value(su, "SELECT read_rows FROM baton_import_apply('00000000-0000-4000-8000-000000000201',"
	                          " '{\"format\": \"jsonl\", \"fields\": {\"source_id\": {\"path\": [\"id\"]},"
	                          " \"subject\": {\"path\": [\"s\"]}, \"priority\": {\"path\": [\"p\"]},"
	                          " \"status\": {\"path\": [\"st\"]}, \"category\": {\"path\": [\"t\"], \"default\": \"question\","
	                          " \"map\": {\"bug\": \"bug\"}}}}', '{}', 0)"),
	          "4");
	CHECK_STR(itest_value(su, "SELECT string_agg(line || v::text, ' ' ORDER BY line) FROM pg_temp.baton_import_s"),
	          "1{\"status\": \"open\", \"subject\": \"one\", \"category\": \"bug\", \"priority\": \"high\", \"source_id\": \"1\"}"
	          " 2{\"status\": \"open\", \"category\": \"question\", \"priority\": \"low\", \"source_id\": \"2\"}"
	          " 3{\"subject\": \"three\", \"category\": \"question\", \"source_id\": \"3\"}"
	          " 4{\"status\": \"open\", \"subject\": \" four\", \"category\": \"bug\", \"priority\": \"urgent\", \"source_id\": \"4\"}");
	CHECK(itest_ok(su, "ROLLBACK"));
}

/* For the rest of the transaction, every statement's plan (with ANALYZE,
 * so that workers launched are counted), the nested ones too, is sent
 * back as a notice. */
static const char explain_to_notices[] =
	"LOAD 'auto_explain'; SET LOCAL auto_explain.log_min_duration = 0;"
	" SET LOCAL auto_explain.log_analyze = on; SET LOCAL auto_explain.log_timing = off;"
	" SET LOCAL auto_explain.log_nested_statements = on; SET LOCAL auto_explain.log_level = notice;"
	" SET LOCAL client_min_messages = notice";
/* and no more of them. */
static const char explain_off[] = "SET LOCAL client_min_messages = warning; SET LOCAL auto_explain.log_min_duration = -1";

/* For the rest of the transaction, workers cost the planner nothing, so
 * that a small file gets them, and the leader leaves the rows to them. */
static const char workers_forced[] =
	"SET LOCAL max_parallel_workers_per_gather = 2; SET LOCAL min_parallel_table_scan_size = 0;"
	" SET LOCAL parallel_setup_cost = 0; SET LOCAL parallel_tuple_cost = 0;"
	" SET LOCAL parallel_leader_participation = off";

/* Whether parallel workers ran the stage's statement, as auto_explain
 * (with ANALYZE) sent its plan back: workers launched, between its Query
 * Text and the next one (the statements it runs are explained before it,
 * their context naming it).  1 or 0, -1 when there is no such plan. */
static int stage_plan_parallel(const char *notices)
{
	const char *q = notices ? strstr(notices, "Query Text: CREATE TEMP TABLE baton_import_s ON COMMIT DROP") : NULL;
	if (!q)
		return -1;
	const char *next = strstr(q + 1, "Query Text:");
	const char *w = strstr(q, "Workers Launched: ");
	return w && (!next || w < next) && w[strlen("Workers Launched: ")] > '0';
}

/* 119: a file past the size PostgreSQL scans in parallel is staged by
 * parallel workers, from a copy of its lines (or of its records, read
 * first when a rule reads them) that is gone after the stage, and stages
 * exactly what one process stages: the same values, digests and rejects,
 * the newest of a key's lines, the first tag of a long list that maps,
 * the lines a rule leaves out; a file with a line jsonb refuses as well
 * (the workers' error, then the lines one by one).  The planner is told
 * that workers cost nothing, so that a small file gets them. */
static void test_stage_in_parallel(void)
{
	static const char fields[] =
		"\"fields\": {\"source_id\": {\"path\": [\"id\"]}, \"subject\": {\"path\": [\"s\"]},"
		" \"priority\": {\"path\": [\"p\"]}, \"status\": {\"path\": [\"st\"], \"map\": {\"open\": \"open\","
		" \"hold\": \"on_hold\", \"solved\": \"solved\"}}, \"category\": {\"path\": [\"t\"], \"default\": \"question\","
		" \"map\": {\"bug\": \"bug\", \"migration\": \"migration\"}}, \"opened_at\": {\"path\": [\"o\"]},"
		" \"updated_at\": {\"path\": [\"u\"]}}";
	/* Twelve kinds of line, 40 of each. */
	static const char lines[] =
		"INSERT INTO pg_temp.baton_import_raw (line, raw) SELECT i, CASE i % 12"
		" WHEN 0 THEN format('{\"id\": \"d%s\", \"s\": \"dup %s\", \"u\": \"2026-01-%sT10:00:00Z\"}',"
		"  i % 5, i, lpad((i % 28 + 1)::text, 2, '0'))"
		" WHEN 1 THEN ' [1, 2]' WHEN 2 THEN '{\"s\": \"no key\"}'"
		" WHEN 3 THEN format('{\"id\": %s, \"p\": \" Urgent\", \"t\": [\"a\", \"b\", \"c\", \"d\", \"Bug\"]}', i)"
		" WHEN 4 THEN format('{\"id\": %s, \"st\": \"weird\"}', i)"
		" WHEN 5 THEN format('{\"id\": %s, \"u\": \"2026-13-01\"}', i)"
		" WHEN 6 THEN format('{\"id\": %s, \"t\": \"x; migration, bug\", \"st\": \"HOLD\"}', i)"
		" WHEN 7 THEN format('{\"id\": %s, \"s\": \"  \", \"p\": \"low\", \"o\": \"2026-02-03 04:05\"}', i)"
		" WHEN 8 THEN format('{\"id\": %s, \"s\": \"\\u00e9 \\\"q\\\"\", \"t\": [], \"o\": \"2026-02-30T10:00:00Z\"}', i)"
		" WHEN 9 THEN '{\"id\": {\"x\": 1}}'"
		" WHEN 10 THEN format('{\"id\": %s, \"s\": \"ok\", \"p\": \"normal\", \"st\": \"solved\","
		"  \"t\": [\"x\", \"y\", \"z\", \"w\", \"migration\"], \"o\": \"2026-01-05T10:20:30+02:00\", \"u\": \"2026-01-06\"}', i)"
		" ELSE format(E'\\t {\"id\": %s, \"s\": \"tabbed\"}', i) END FROM generate_series(1, 480) i";
	/* The files: as made; with a line cut short, which jsonb refuses; with
	 * a rule that leaves the tabbed lines out (the records are read
	 * before the stage then, into a temporary table). */
	static const struct {
		const char *rule, *line, *read;
	} files[] = {
		{"", "", "480"},
		{"", "INSERT INTO pg_temp.baton_import_raw (line, raw) VALUES (481, '{\"id\": 481, \"s\": \"cut')", "481"},
		{"\"skip\": [{\"path\": [\"s\"], \"values\": [\"tabbed\"]}], ", "", "480"},
	};
	char got[3][2][3][1024];
	struct buf notices = BUF_INIT;
	PQnoticeProcessor old = PQsetNoticeProcessor(su, itest_notice_to_buf, &notices);
	for (int f = 0; f < 3; f++) {
		for (int par = 0; par < 2; par++) {
			char sql[4096];
			CHECK(itest_ok(su, "BEGIN"));
			CHECK(itest_ok(su, "SELECT baton_import_begin('00000000-0000-4000-8000-000000000301', 'par-t', 'tickets', 'f', 0)"));
			CHECK(itest_ok(su, lines));
			if (*files[f].line)
				CHECK(itest_ok(su, files[f].line));
			CHECK(itest_ok(su, par ? workers_forced : "SET LOCAL max_parallel_workers_per_gather = 0"));
			CHECK(itest_ok(su, explain_to_notices));
			buf_reset(&notices);
			snprintf(sql, sizeof sql, "SELECT read_rows FROM baton_import_apply('00000000-0000-4000-8000-000000000301',"
			         " '{\"format\": \"jsonl\", %s%s}', '{}', 0)", files[f].rule, fields);
			CHECK_STR(itest_value(su, sql), files[f].read);
			CHECK(itest_ok(su, explain_off));
			/* Workers ran the stage exactly when asked to; a file with a
			 * line jsonb refuses is staged again from its records, a
			 * temporary table, by one process (the workers' statement
			 * failed: auto_explain says nothing of it). */
			CHECK(stage_plan_parallel(notices.data) == (par && f != 1));
			/* The copy is gone (made and dropped in this transaction, no
			 * other session could see it). */
			CHECK_STR(itest_value(su, "SELECT count(*) FROM pg_class WHERE relname LIKE 'baton\\_import\\_par\\_%'"), "0");
			snprintf(got[f][par][0], sizeof got[f][par][0], "%s",
			         itest_value(su, "SELECT count(*) || ' ' || md5(string_agg(line || v::text || digest, ' ' ORDER BY line))"
			                         " FROM pg_temp.baton_import_s"));
			snprintf(got[f][par][1], sizeof got[f][par][1], "%s",
			         itest_value(su, "SELECT count(*) || ' ' || md5(string_agg(line || '|' || field || '|' || reason, ' '"
			                         " ORDER BY line, field, reason)) FROM pg_temp.baton_import_reject"));
			snprintf(got[f][par][2], sizeof got[f][par][2], "%s",
			         itest_value(su, "SELECT string_agg(v ->> 'source_id' || '=' || coalesce(v ->> 'category', '-') || '/'"
			                         " || coalesce(v ->> 'status', '-') || '/' || coalesce(v ->> 'priority', '-'), ' ' ORDER BY line)"
			                         " FROM pg_temp.baton_import_s WHERE line BETWEEN 1 AND 12 OR v ->> 'source_id' LIKE 'd%'"));
			CHECK(itest_ok(su, "ROLLBACK"));
		}
		for (int k = 0; k < 3; k++)
			CHECK_STR(got[f][1][k], got[f][0][k]);
	}
	/* What was staged (lines 1 to 12, and the keys given five times): the
	 * first tag that maps, in any case, of a long list and of a string of
	 * tags; the status by the folded map; a priority in another case; no
	 * February 30th; of the keys d0 to d4 (line % 5), the line with the
	 * latest updated_at: a line that is a multiple of 12 has the day
	 * line % 28 + 1, at most the 25th, which lines 108, 192, 276, 360 and
	 * 444 have, one of each key (d3, d2, d1, d0, d4), in line order.  The
	 * rule leaves line 11's kind out. */
	static const char keys[] = " d3=question/-/- d2=question/-/- d1=question/-/- d0=question/-/- d4=question/-/-";
	CHECK(strstr(got[0][0][2], keys) != NULL);
	CHECK(strstr(got[2][0][2], keys) != NULL);
	CHECK_STR(got[0][0][2], got[1][0][2]);
	CHECK(strncmp(got[0][0][2], "3=bug/-/urgent 6=migration/on_hold/- 7=question/-/low 10=migration/solved/normal"
	                            " 11=question/-/- d3", 99) == 0);
	CHECK(strncmp(got[2][0][2], "3=bug/-/urgent 6=migration/on_hold/- 7=question/-/low 10=migration/solved/normal"
	                            " d3", 83) == 0);
	/* Five kinds of line staged, 40 each, and the five keys (four kinds
	 * when the rule leaves one out); six kinds rejected, and every staged
	 * one later, as none names a customer; the line cut short rejected
	 * too. */
	CHECK(strncmp(got[0][0][0], "205 ", 4) == 0);
	CHECK(strncmp(got[0][0][1], "445 ", 4) == 0);
	CHECK(strncmp(got[1][0][1], "446 ", 4) == 0);
	CHECK(strncmp(got[2][0][0], "165 ", 4) == 0);
	CHECK(strncmp(got[2][0][1], "405 ", 4) == 0);
	PQsetNoticeProcessor(su, old, NULL);
	buf_free(&notices);
}

/* 120: the documented setup, a database owner that is no superuser (with
 * CREATEROLE), runs baton migrate; then CREATE on public is taken from it
 * (the usual hardening of PostgreSQL 13 and 14 revokes it from PUBLIC,
 * through which an owner had it; on 15 an owner may revoke its own).  A
 * file past the size scanned in parallel is still staged by parallel
 * workers: the copy is made in baton_import_work, which the owner owns
 * (119 made it in public and failed the file: "permission denied for
 * schema public").  When the owner may not create or look up tables
 * there, no worker is allowed at all, the schema is another role's or is
 * gone, one process stages it, without a copy and without an error. */
static void test_stage_copy_owner_not_superuser(void)
{
	char owner[64], dbn[96], sql[512], err[512] = "";
	snprintf(owner, sizeof owner, "t_owner_%s_%d", itest_id(), (int)getpid());
	snprintf(dbn, sizeof dbn, "t_%s_%d_owned", itest_id(), (int)getpid());
	snprintf(sql, sizeof sql, "CREATE ROLE %s LOGIN CREATEROLE", owner);
	CHECK(itest_ok(su, sql));
	snprintf(sql, sizeof sql, "CREATE DATABASE %s OWNER %s TEMPLATE template0", dbn, owner);
	CHECK(itest_ok(su, sql));
	/* The owner migrates up to 119; a superuser then runs 120, which
	 * gives the schema to the functions' owner all the same. */
	PGconn *oc = itest_connect(dbn, owner);
	CHECK(migrate_run_upto(oc, 119, NULL, err, sizeof err) > 0);
	CHECK_STR(err, "");
	PQfinish(oc);
	PGconn *c = itest_connect(dbn, NULL);
	CHECK(migrate_run(c, NULL, err, sizeof err) > 0);
	CHECK_STR(err, "");
	CHECK(migrate_current(c, err, sizeof err) == migrate_latest());
	/* What the superuser's migrations made is the owner's to use: the
	 * import's and the split's functions run as the owner, and call these
	 * and write every table (134's absorption and 153's moves were the
	 * superuser's, and an importer's file that merged or moved customers
	 * failed: permission denied). */
	char osql[1024];
	snprintf(osql, sizeof osql,
	         "SELECT coalesce(string_agg(x, ' ' ORDER BY x), '') FROM ("
	         " SELECT p.oid::regprocedure::text AS x FROM pg_proc p"
	         " WHERE p.pronamespace = 'public'::regnamespace AND NOT has_function_privilege('%s', p.oid, 'EXECUTE')"
	         " AND (p.proname LIKE 'baton\\_import\\_%%' OR p.proname LIKE 'baton\\_split%%')"
	         " UNION ALL SELECT c.oid::regclass::text FROM pg_class c"
	         " WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'"
	         " AND NOT has_table_privilege('%s', c.oid, 'SELECT, INSERT')) y",
	         owner, owner);
	const char *others = itest_value(c, osql);
	if (*others)
		printf("    not the owner's: %s\n", others);
	CHECK_STR(others, "");
	/* (pg_database_owner is PostgreSQL 14's.) */
	CHECK(itest_ok(c, "REVOKE CREATE ON SCHEMA public FROM PUBLIC; DO $$ BEGIN IF to_regrole('pg_database_owner')"
	                  " IS NOT NULL THEN REVOKE CREATE ON SCHEMA public FROM pg_database_owner; END IF; END $$"));
	snprintf(sql, sizeof sql, "SELECT has_schema_privilege('%s', 'public', 'CREATE')"
	         " || ' ' || has_schema_privilege('%s', 'baton_import_work', 'CREATE')"
	         " || ' ' || (SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = 'baton_import_work')",
	         owner, owner);
	char expect[128];
	snprintf(expect, sizeof expect, "false true %s", owner);
	CHECK_STR(itest_value(c, sql), expect);
	struct buf notices = BUF_INIT;
	PQsetNoticeProcessor(c, itest_notice_to_buf, &notices);
	/* Before each file: nothing (as migrated); CREATE on baton_import_work
	 * taken from its owner; given back, USAGE taken; given back, and no
	 * worker allowed; the schema made again by another role, which lets
	 * the owner create there (it could have made the copy's table first);
	 * the schema dropped. */
	char other[64];
	snprintf(other, sizeof other, "t_other_%s_%d", itest_id(), (int)getpid());
	char before[6][512];
	snprintf(before[0], sizeof before[0], "SELECT 1");
	snprintf(before[1], sizeof before[1], "REVOKE CREATE ON SCHEMA baton_import_work FROM %s", owner);
	snprintf(before[2], sizeof before[2], "GRANT CREATE ON SCHEMA baton_import_work TO %s;"
	         " REVOKE USAGE ON SCHEMA baton_import_work FROM %s", owner, owner);
	snprintf(before[3], sizeof before[3], "GRANT USAGE ON SCHEMA baton_import_work TO %s", owner);
	snprintf(before[4], sizeof before[4], "DROP SCHEMA baton_import_work; CREATE ROLE %s;"
	         " CREATE SCHEMA baton_import_work AUTHORIZATION %s;"
	         " GRANT CREATE, USAGE ON SCHEMA baton_import_work TO %s", other, other, owner);
	snprintf(before[5], sizeof before[5], "DROP SCHEMA baton_import_work");
	for (int k = 0; k < 6; k++) {
		CHECK(itest_ok(c, before[k]));
		CHECK(itest_ok(c, "BEGIN"));
		CHECK(itest_ok(c, "SELECT baton_import_begin('00000000-0000-4000-8000-000000000302', 'own-t', 'tickets', 'f', 0)"));
		CHECK(itest_ok(c, "INSERT INTO pg_temp.baton_import_raw (line, raw)"
		                  " SELECT i, format('{\"id\": %s, \"s\": \"subject %s\"}', i, i) FROM generate_series(1, 300) i"));
		CHECK(itest_ok(c, workers_forced));
		if (k == 3)
			CHECK(itest_ok(c, "SET LOCAL max_parallel_workers = 0"));
		CHECK(itest_ok(c, explain_to_notices));
		buf_reset(&notices);
		CHECK_STR(itest_value(c, "SELECT read_rows FROM baton_import_apply('00000000-0000-4000-8000-000000000302',"
		                         " '{\"format\": \"jsonl\", \"fields\": {\"source_id\": {\"path\": [\"id\"]},"
		                         " \"subject\": {\"path\": [\"s\"]}}}', '{}', 0)"),
		          "300");
		CHECK(itest_ok(c, explain_off));
		CHECK(stage_plan_parallel(notices.data) == (k == 0));
		/* Made (in the owner's schema) only when workers may read it. */
		CHECK((strstr(notices.data ? notices.data : "", "CREATE UNLOGGED TABLE baton_import_work.baton_import_par_") != NULL)
		      == (k == 0));
		CHECK_STR(itest_value(c, "SELECT count(*) || ' ' || count(DISTINCT v ->> 'subject')"
		                         " FROM pg_temp.baton_import_s WHERE v ->> 'subject' LIKE 'subject %'"),
		          "300 300");
		CHECK_STR(itest_value(c, "SELECT count(*) FROM pg_class WHERE relname LIKE 'baton\\_import\\_par\\_%'"), "0");
		CHECK(itest_ok(c, "ROLLBACK"));
	}
	/* An importer's customers files there (inserted, customers merged,
	 * join merges): a record joins another's customer, then moves to
	 * a third's (153: moved, so no customers merged), then one joins two
	 * customers, absorbing one (134). */
	char imp[64];
	snprintf(imp, sizeof imp, "t_imp_%s_%d", itest_id(), (int)getpid());
	snprintf(sql, sizeof sql, "CREATE ROLE %s LOGIN; GRANT baton_importer TO %s", imp, imp);
	CHECK(itest_ok(c, sql));
	PGconn *ic = itest_connect(dbn, imp);
	static const char *const files[][4] = {
		{"{\"id\": \"1\", \"n\": \"A\", \"d\": \"a.example\"}", "{\"id\": \"2\", \"n\": \"B\", \"d\": \"b.example\"}",
		 "2 0", "0"},
		{"{\"id\": \"3\", \"n\": \"A2\", \"d\": \"a.example\"}", NULL, "1 1", "1"},
		{"{\"id\": \"3\", \"n\": \"A2\", \"d\": \"b.example\"}", NULL, "0 0", "1"},
		{"{\"id\": \"4\", \"n\": \"AB\", \"d\": \"a.example; b.example\"}", NULL, "1 2", "1"},
	};
	for (int k = 0; k < 4; k++) {
		CHECK(itest_ok(ic, "BEGIN"));
		snprintf(sql, sizeof sql, "SELECT baton_import_begin('00000000-0000-4000-8000-00000000031%d', 'own-co',"
		         " 'customers', 'f', 0)", k);
		CHECK(itest_ok(ic, sql));
		for (int l = 0; l < 2 && files[k][l]; l++) {
			snprintf(sql, sizeof sql, "INSERT INTO pg_temp.baton_import_raw (line, raw) VALUES (%d, '%s')",
			         l + 1, files[k][l]);
			CHECK(itest_ok(ic, sql));
		}
		snprintf(sql, sizeof sql, "SELECT inserted || ' ' || merged FROM baton_import_apply("
		         "'00000000-0000-4000-8000-00000000031%d',"
		         " '{\"format\": \"jsonl\", \"system\": \"crm\", \"fields\": {\"source_id\": {\"path\": [\"id\"]},"
		         " \"name\": {\"path\": [\"n\"]}, \"domains\": {\"path\": [\"d\"]}}}', '{}', 0)", k);
		CHECK_STR(itest_value(ic, sql), files[k][2]);
		snprintf(sql, sizeof sql, "SELECT count(*) FROM customer_merge"
		         " WHERE run_id = '00000000-0000-4000-8000-00000000031%d' AND joined_source IS NOT NULL", k);
		CHECK_STR(itest_value(ic, sql), files[k][3]);
		CHECK(itest_ok(ic, "COMMIT"));
	}
	CHECK_STR(itest_value(c, "SELECT count(*) || ' ' || (SELECT count(*) FROM customer WHERE merged_into IS NOT NULL)"
	                         " FROM import_record_move"), "1 1");
	PQfinish(ic);
	PQfinish(c);
	buf_free(&notices);
	snprintf(sql, sizeof sql, "DROP DATABASE %s", dbn);
	CHECK(itest_ok(su, sql));
	snprintf(sql, sizeof sql, "DROP ROLE %s, %s, %s", other, owner, imp);
	CHECK(itest_ok(su, sql));
}

/* 124: a record's values (v, whose text the digest hashes) are made with
 * jsonb_object where 123 used jsonb_build_object.  The same file of each
 * kind of field staged under 123 and under the latest, in a time zone
 * with a half-hour offset: the same values, text and digests, so that a
 * record imported before stays unchanged.  Three files, four lines each:
 * customers (text, domains, enums, staff, a date, a time), tickets (the
 * first of a list, an address, references, times with fractions and
 * offsets) and survey answers (a whole number); lines with every field
 * and lines missing some (whose nulls are stripped). */
static const struct staged_file {
	const char *entity, *spec, *lines[4];
} staged_files[] = {
	{"customers",
	 "{\"format\": \"jsonl\", \"fields\": {\"source_id\": {\"path\": [\"id\"]}, \"name\": {\"path\": [\"n\"]},"
	 " \"domains\": {\"path\": [\"d\"]}, \"plan\": {\"path\": [\"p\"]}, \"segment\": {\"path\": [\"s\"]},"
	 " \"lifecycle\": {\"path\": [\"l\"]}, \"owner\": {\"path\": [\"o\"]}, \"renewal_date\": {\"path\": [\"r\"]},"
	 " \"updated_at\": {\"path\": [\"u\"]}}}",
	 {"{\"id\": \"c1\", \"n\": \"Acme \\\"Q\\\" \\u00e9\\t\", \"d\": [\"www.Acme.example\", \"acme.example\"],"
	  " \"p\": \"Pro\", \"s\": \"smb\", \"l\": \"adopting\", \"o\": \"nobody\", \"r\": \"2027-01-31\","
	  " \"u\": \"2026-03-01T08:00:00.123456+05:30\"}",
	  "{\"id\": \"c2\", \"n\": \"B\", \"d\": \"b.example\", \"p\": \"free\", \"s\": \"mid-market\","
	  " \"l\": \"churned\", \"r\": \"2026-12-31\", \"u\": \"2026-03-01 10:00\"}",
	  "{\"id\": \"c3\", \"n\": \"C\"}",
	  "{\"id\": 4, \"d\": [\"D.example.\"], \"u\": \"2026-07-01T23:59:59Z\", \"s\": \"Enterprise\"}"}},
	{"tickets",
	 "{\"format\": \"jsonl\", \"fields\": {\"source_id\": {\"path\": [\"id\"]}, \"subject\": {\"path\": [\"s\"]},"
	 " \"body\": {\"path\": [\"b\"]}, \"status\": {\"path\": [\"st\"]}, \"priority\": {\"path\": [\"pr\"]},"
	 " \"category\": {\"path\": [\"tags\"], \"default\": \"question\"}, \"customer\": {\"path\": [\"c\"]},"
	 " \"contact\": {\"path\": [\"rq\"]}, \"email\": {\"path\": [\"e\"]}, \"opened_at\": {\"path\": [\"o\"]},"
	 " \"updated_at\": {\"path\": [\"u\"]}, \"solved_at\": {\"path\": [\"sv\"]}}}",
	 {"{\"id\": 1, \"s\": \"Subject\", \"b\": \"body\\nline\", \"st\": \"open\", \"pr\": \"high\","
	  " \"tags\": [\"x\", \"bug\"], \"c\": \"c1\", \"rq\": \"u1\", \"e\": \"Ann <ann@acme.example>\","
	  " \"o\": \"2026-02-01T08:00:00Z\", \"u\": \"2026-02-02\", \"sv\": \"2026-02-03T01:02:03.5-03\"}",
	  "{\"id\": 2, \"s\": \"Two\", \"st\": \"solved\", \"pr\": \"low\", \"tags\": \"migration\", \"c\": \"c2\","
	  " \"o\": \"1999-12-31 23:59\"}",
	  "{\"id\": 3, \"s\": \"\\u2028\\u001b[31m\", \"c\": \"c1\", \"o\": \"2026-02-01T08:00:00.000001+14:00\"}",
	  "{\"id\": \"4\", \"s\": \"Four\", \"c\": \"c3\", \"tags\": [], \"e\": \"bo@b.example\"}"}},
	{"surveys",
	 "{\"format\": \"jsonl\", \"fields\": {\"source_id\": {\"path\": [\"id\"]}, \"kind\": {\"path\": [\"k\"]},"
	 " \"score\": {\"path\": [\"sc\"]}, \"responded_at\": {\"path\": [\"ra\"]}, \"comment\": {\"path\": [\"cm\"]},"
	 " \"customer\": {\"path\": [\"c\"]}}}",
	 {"{\"id\": 1, \"k\": \"nps\", \"sc\": \"9\", \"ra\": \"2026-01-05T10:00:00+01:00\", \"cm\": \"ok\", \"c\": \"c1\"}",
	  "{\"id\": 2, \"k\": \"csat\", \"sc\": 5, \"ra\": \"2026-01-05\", \"c\": \"c2\"}",
	  "{\"id\": 3, \"k\": \"ces\", \"sc\": -1, \"ra\": \"2026-01-06T00:00:00Z\", \"c\": \"c1\"}",
	  "{\"id\": 4, \"k\": \"nps\", \"c\": \"c3\"}"}},
};

/* Each file staged, then rolled back: "ENTITY:ROWS:MD5" of its staged
 * lines, values' text and digests, one after the other. */
static void staged_values(PGconn *c, char *out, size_t size)
{
	out[0] = '\0';
	for (size_t f = 0; f < sizeof staged_files / sizeof *staged_files; f++) {
		const struct staged_file *sf = &staged_files[f];
		char sql[4096];
		CHECK(itest_ok(c, "BEGIN"));
		CHECK(itest_ok(c, "SET LOCAL TimeZone = 'America/St_Johns'"));
		snprintf(sql, sizeof sql, "SELECT baton_import_begin('00000000-0000-4000-8000-%012zu', 'vals-%s', '%s', 'f', 0)",
		         900 + f, sf->entity, sf->entity);
		CHECK(itest_ok(c, sql));
		for (int l = 0; l < 4; l++) {
			const char *params[] = {sf->lines[l]};
			snprintf(sql, sizeof sql, "INSERT INTO pg_temp.baton_import_raw (line, raw) VALUES (%d, $1)", l + 1);
			PGresult *r = PQexecParams(c, sql, 1, NULL, params, NULL, NULL, 0);
			CHECK(PQresultStatus(r) == PGRES_COMMAND_OK);
			PQclear(r);
		}
		const char *params[] = {sf->spec};
		snprintf(sql, sizeof sql, "SELECT read_rows FROM baton_import_apply('00000000-0000-4000-8000-%012zu',"
		         " $1::jsonb, '{}', 0)", 900 + f);
		PGresult *r = PQexecParams(c, sql, 1, NULL, params, NULL, NULL, 0);
		CHECK(PQresultStatus(r) == PGRES_TUPLES_OK);
		if (PQresultStatus(r) != PGRES_TUPLES_OK)
			printf("    %s", PQresultErrorMessage(r));
		PQclear(r);
		snprintf(sql, sizeof sql, "SELECT '%s:' || count(*) || ':' || md5(string_agg(line || ' ' || v::text || ' ' || digest,"
		         " ',' ORDER BY line)) FROM pg_temp.baton_import_s", sf->entity);
		size_t n = strlen(out);
		snprintf(out + n, size - n, "%s ", itest_value(c, sql));
		CHECK(itest_ok(c, "ROLLBACK"));
	}
}

static void test_values_made_as_before(void)
{
	char dbn[96], sql[256], err[512] = "", before[512], after[512];
	snprintf(dbn, sizeof dbn, "t_%s_%d_values", itest_id(), (int)getpid());
	snprintf(sql, sizeof sql, "CREATE DATABASE %s TEMPLATE template0", dbn);
	CHECK(itest_ok(su, sql));
	PGconn *c = itest_connect(dbn, NULL);
	CHECK(migrate_run_upto(c, 123, NULL, err, sizeof err) > 0);
	CHECK_STR(err, "");
	staged_values(c, before, sizeof before);
	CHECK(migrate_run(c, NULL, err, sizeof err) > 0);
	CHECK_STR(err, "");
	CHECK(migrate_current(c, err, sizeof err) == migrate_latest());
	staged_values(c, after, sizeof after);
	/* Every line staged (none rejected), each entity's the same. */
	int all = strstr(before, "customers:4:") && strstr(before, "tickets:4:") && strstr(before, "surveys:4:");
	if (!all)
		printf("    staged under 123: %s\n", before);
	CHECK(all);
	CHECK_STR(after, before);
	PQfinish(c);
	snprintf(sql, sizeof sql, "DROP DATABASE %s", dbn);
	CHECK(itest_ok(su, sql));
}

int main(void)
{
	const char *db = itest_newdb("baton_schema");
	su = itest_connect(db, NULL);
	RUN(test_catalogue_matches_server);
	RUN(test_domains_normalised);
	RUN(test_domains_are_labels);
	RUN(test_punycode_decoded);
	RUN(test_email_addresses);
	RUN(test_plain_addresses_inline);
	RUN(test_times);
	RUN(test_map_folds);
	RUN(test_server_checks_mapping);
	RUN(test_record_references);
	RUN(test_ticket_contact_references);
	RUN(test_record_raw_hash);
	RUN(test_line_hash_matches_server);
	RUN(test_csv_text_matches_server);
	RUN(test_csv_count_matches_server);
	RUN(test_split_takes_what_came_through);
	RUN(test_split_gives_back_filled_fields);
	RUN(test_lines_known_either_way);
	RUN(test_json_escapes_fixed);
	RUN(test_jsonl_records_in_stage);
	RUN(test_stage_tests_bytewise);
	RUN(test_staged_values_without_nulls);
	RUN(test_stage_in_parallel);
	RUN(test_stage_copy_owner_not_superuser);
	RUN(test_values_made_as_before);
	RUN(test_unknown_source_analyzed);
	RUN(test_page_reads_its_own);
	RUN(test_file_functions_have_work_mem);
	PQfinish(su);
	return check_done();
}
