/* Integration tests for src/finder.c on a copy of the demo: finding
 * customers by name, domain, e-mail and external id; the handoffs waiting
 * for the signed-in person; who is signed in. */
#include "baton/buf.h"
#include "baton/customer.h"
#include "baton/db.h"
#include "baton/finder.h"

#include <libpq-fe.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "check.h"
#include "itest.h"

static const char *db;
static PGconn *ana;

/* Run the finder for text; NULL (and a message) on error. */
static PGresult *find(PGconn *c, const char *text)
{
	struct finder_query f;
	if (finder_query_init(&f, text) < 0) {
		printf("    finder_query_init('%s') refused\n", text);
		return NULL;
	}
	struct db_stmt st;
	char err[512] = "";
	finder_statement(&f, &st);
	PGresult *r = db_exec(c, st.sql, st.nparams, st.params, err, sizeof err);
	if (!r)
		printf("    find '%s': %s\n", text, err);
	finder_query_free(&f);
	return r;
}

/* Row of the customer named name, -1 if absent. */
static int row_of(const PGresult *r, const char *name)
{
	for (int i = 0; r && i < PQntuples(r); i++)
		if (strcmp(PQgetvalue(r, i, F_NAME), name) == 0)
			return i;
	return -1;
}

static void test_find_by_name(void)
{
	PGresult *r = find(ana, "north");
	CHECK(r != NULL);
	int nw = row_of(r, "Northwind Health"), ns = row_of(r, "North Star Logistics");
	CHECK(nw >= 0 && ns >= 0);
	if (nw >= 0) {
		CHECK_STR(PQgetvalue(r, nw, F_MATCHED), "name");
		CHECK_STR(PQgetvalue(r, nw, F_ID), "1");
		CHECK_STR(PQgetvalue(r, nw, F_DOMAIN), "nwh.example");
		CHECK_STR(PQgetvalue(r, nw, F_LIFECYCLE), "onboarding");
		CHECK_STR(PQgetvalue(r, nw, F_OPEN_TICKETS), "3");
		CHECK_STR(PQgetvalue(r, nw, F_HOT_TICKETS), "2");
		CHECK_STR(PQgetvalue(r, nw, F_LATE_HANDOFFS), "1");
	}
	if (ns >= 0)
		CHECK_STR(PQgetvalue(r, ns, F_OPEN_TICKETS), "0");
	/* Case does not matter. */
	PGresult *r2 = find(ana, "NORTHWIND");
	CHECK(r2 && PQntuples(r2) == 1 && row_of(r2, "Northwind Health") == 0);
	PQclear(r2);
	PQclear(r);
}

static void test_find_by_domain(void)
{
	PGresult *r = find(ana, "nwh");
	CHECK(r != NULL);
	int i = row_of(r, "Northwind Health");
	CHECK(i >= 0);
	if (i >= 0)
		CHECK_STR(PQgetvalue(r, i, F_MATCHED), "domain");
	PQclear(r);
	r = find(ana, "cafe-lum");
	CHECK(r && row_of(r, "Café Lumière") == 0);
	if (r && PQntuples(r) > 0)
		CHECK_STR(PQgetvalue(r, 0, F_MATCHED), "domain");
	PQclear(r);
}

static void test_find_by_email(void)
{
	PGresult *r = find(ana, "dana.whit");
	CHECK(r && PQntuples(r) == 1);
	if (r && PQntuples(r) == 1) {
		CHECK_STR(PQgetvalue(r, 0, F_NAME), "Northwind Health");
		CHECK_STR(PQgetvalue(r, 0, F_MATCHED), "e-mail");
	}
	PQclear(r);
}

static void test_find_by_external_id(void)
{
	PGresult *r = find(ana, "HD-9020");
	CHECK(r && PQntuples(r) == 1);
	if (r && PQntuples(r) == 1) {
		CHECK_STR(PQgetvalue(r, 0, F_NAME), "Northwind Health");
		CHECK_STR(PQgetvalue(r, 0, F_MATCHED), "external id");
	}
	PQclear(r);
	r = find(ana, "cus_CafeLum");
	CHECK(r && row_of(r, "Café Lumière") >= 0);
	PQclear(r);
}

static void test_find_name_match_ranks_first(void)
{
	/* "nor" is in names (Northwind, North Star, Nordic) and starts the
	 * domain of a customer whose name does not have it and sorts first (the
	 * demo has no such customer, and without one the order is not put to
	 * the test): name matches come first. */
	PGconn *su = itest_connect(db, NULL);
	const char *v = itest_value(su, "INSERT INTO customer (name, domain)"
	                                " VALUES ('Aalto Rank Test', 'noraalto.example') RETURNING id");
	CHECK(strncmp(v, "ERROR", 5) != 0);
	PQfinish(su);
	PGresult *r = find(ana, "nor");
	CHECK(r && PQntuples(r) >= 3);
	int seen_other = 0, misordered = 0;
	for (int i = 0; r && i < PQntuples(r); i++) {
		int is_name = strcmp(PQgetvalue(r, i, F_MATCHED), "name") == 0;
		if (!is_name)
			seen_other = 1;
		else if (seen_other)
			misordered = 1;
	}
	CHECK(seen_other);
	CHECK(!misordered);
	CHECK(row_of(r, "Nordic Pharma Oy") >= 0);
	CHECK(row_of(r, "Aalto Rank Test") >= 0);
	PQclear(r);
}

static void test_short_text_matches_prefixes(void)
{
	PGresult *r = find(ana, "No");
	CHECK(r != NULL);
	CHECK(row_of(r, "Northwind Health") >= 0);
	CHECK(row_of(r, "North Star Logistics") >= 0);
	CHECK(row_of(r, "Nordic Pharma Oy") >= 0);
	/* Only prefixes: every name or domain match starts with "no", nothing
	 * matched only because "no" occurs inside it. */
	for (int i = 0; r && i < PQntuples(r); i++) {
		const char *m = PQgetvalue(r, i, F_MATCHED);
		const char *name = PQgetvalue(r, i, F_NAME);
		const char *dom = PQgetvalue(r, i, F_DOMAIN);
		if (!strcmp(m, "name"))
			CHECK(strncasecmp(name, "no", 2) == 0);
		if (!strcmp(m, "domain"))
			CHECK(strncasecmp(dom, "no", 2) == 0);
	}
	PQclear(r);

	/* A customer with "no" inside its name but not at the start. */
	PGconn *su = itest_connect(db, NULL);
	const char *v = itest_value(su, "INSERT INTO customer (name) VALUES ('Casino Royale') RETURNING id");
	CHECK(strncmp(v, "ERROR", 5) != 0);
	PQfinish(su);
	r = find(ana, "no");
	CHECK(r && row_of(r, "Casino Royale") < 0);
	PQclear(r);
	r = find(ana, "sino");
	CHECK(r && row_of(r, "Casino Royale") >= 0);
	PQclear(r);
}

/* Sixty customers of one name: the fifty shown are the first fifty by id,
 * whatever order the index holds their rows in (rows written again go to
 * the end of the table, and of the index's equal keys). */
static void test_same_name_first_by_id(void)
{
	PGconn *su = itest_connect(db, NULL);
	const char *v = itest_value(su, "WITH x AS (INSERT INTO customer (name)"
	                                " SELECT 'Twin Peaks Dairy' FROM generate_series(1, 60) RETURNING id)"
	                                " SELECT min(id) FROM x");
	CHECK(strncmp(v, "ERROR", 5) != 0);
	long long first = strtoll(v, NULL, 10);
	/* A change of an indexed column writes new index entries: the first
	 * ten rows now come last in the name index. */
	char sql[256];
	snprintf(sql, sizeof sql, "UPDATE customer SET domain = 'twin' || id || '.example'"
	         " WHERE name = 'Twin Peaks Dairy' AND id < %lld", first + 10);
	CHECK_STR(itest_value(su, sql), "");
	PQfinish(su);
	for (int k = 0; k < 2; k++) {
		PGresult *r = find(ana, k ? "Twin Peaks" : "Tw");
		CHECK(r && PQntuples(r) == 50);
		for (int i = 0; r && i < PQntuples(r) && i < 50; i++)
			CHECK(strtoll(PQgetvalue(r, i, F_ID), NULL, 10) == first + i);
		PQclear(r);
	}
}

static void test_wildcards_match_literally(void)
{
	PGresult *r = find(ana, "%");
	CHECK(r && PQntuples(r) == 0);
	PQclear(r);
	r = find(ana, "_");
	CHECK(r && PQntuples(r) == 0);
	PQclear(r);
	r = find(ana, "%%%");
	CHECK(r && PQntuples(r) == 0);
	PQclear(r);
	r = find(ana, "a_b");
	CHECK(r && PQntuples(r) == 0);
	PQclear(r);
	r = find(ana, "\\");
	CHECK(r && PQntuples(r) == 0);
	PQclear(r);
}

static void test_non_ascii(void)
{
	PGresult *r = find(ana, "Café");
	CHECK(r && row_of(r, "Café Lumière") >= 0);
	PQclear(r);
	r = find(ana, "Lumière");
	CHECK(r && row_of(r, "Café Lumière") >= 0);
	PQclear(r);
	r = find(ana, "Łódź");
	CHECK(r && row_of(r, "Łódź Logistics") >= 0);
	PQclear(r);
	/* Two characters (four bytes): the prefix search. */
	r = find(ana, "Łó");
	CHECK(r && row_of(r, "Łódź Logistics") >= 0);
	PQclear(r);
	r = find(ana, "東京");
	CHECK(r && row_of(r, "東京デザイン株式会社") >= 0);
	PQclear(r);
	r = find(ana, "Söhne");
	CHECK(r && row_of(r, "Müller & Söhne GmbH") >= 0);
	PQclear(r);
}

static void test_accents_and_case_do_not_matter(void)
{
	/* Typed on a keyboard without the letters: the accented name. */
	static const struct {
		const char *text, *name;
	} cases[] = {
		{"lumiere", "Café Lumière"},  {"LUMIERE", "Café Lumière"},
		{"cafe lumiere", "Café Lumière"}, {"muller", "Müller & Söhne GmbH"},
		{"Muller & Sohne", "Müller & Söhne GmbH"}, {"sao paulo", "São Paulo Saúde"},
		{"saude", "São Paulo Saúde"}, {"lodz", "Łódź Logistics"},
		{"sa", "São Paulo Saúde"},    /* short: the prefix statement */
		{"lo", "Łódź Logistics"},
		{"Lumière", "Café Lumière"},  /* and still with them */
		{"CAFÉ", "Café Lumière"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		PGresult *r = find(ana, cases[i].text);
		int row = row_of(r, cases[i].name);
		if (row < 0)
			printf("    '%s' did not find %s\n", cases[i].text, cases[i].name);
		CHECK(row >= 0);
		CHECK(r && row >= 0 && strcmp(PQgetvalue(r, row, F_MATCHED), "name") == 0);
		PQclear(r);
	}
	/* A renamed customer is found by its new name's plain spelling. */
	PGconn *su = itest_connect(db, NULL);
	CHECK_STR(itest_value(su, "UPDATE customer SET name = 'Ærøskøbing Ålesund' WHERE id = 7"), "");
	PQfinish(su);
	PGresult *rn = find(ana, "aeroskobing alesund");
	CHECK(rn && row_of(rn, "Ærøskøbing Ålesund") == 0);
	PQclear(rn);
	rn = find(ana, "lodz");
	CHECK(rn && row_of(rn, "Łódź Logistics") < 0);
	PQclear(rn);
	/* The whole name typed plainly ranks it first. */
	PGresult *r = find(ana, "cafe lumiere");
	CHECK(r && row_of(r, "Café Lumière") == 0);
	PQclear(r);
}

/* The rows of a finder result that are matches, not close names offered
 * when nothing matched (migration 084: "Caf％" is close to "Café"). */
static int matches_of(const PGresult *r)
{
	int n = 0;
	for (int i = 0; r && i < PQntuples(r); i++)
		n += strcmp(PQgetvalue(r, i, F_MATCHED), FINDER_SIMILAR) != 0;
	return n;
}

static void test_fullwidth_wildcards_match_literally(void)
{
	/* Folding turns the full-width ％ ＿ ＼ into % _ \: escaping comes after
	 * it, or "％" would match every name. */
	static const char *const texts[] = {"％", "＿", "＼", "％％％", "a＿b", "Caf％"};
	for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
		PGresult *r = find(ana, texts[i]);
		CHECK(r && matches_of(r) == 0);
		PQclear(r);
	}
	/* A name that has one is found by it, typed either way. */
	PGconn *su = itest_connect(db, NULL);
	CHECK_STR(itest_value(su, "INSERT INTO customer (name) VALUES ('Sale 50% Ltd')"), "");
	PQfinish(su);
	PGresult *r = find(ana, "50％");
	CHECK(r && PQntuples(r) == 1 && row_of(r, "Sale 50% Ltd") == 0);
	PQclear(r);
	r = find(ana, "50%");
	CHECK(r && PQntuples(r) == 1 && row_of(r, "Sale 50% Ltd") == 0);
	PQclear(r);
}

/* The plans of the finder statement for text as ana sees it, the searches
 * inside baton_find included (auto_explain, nested statements, sent back
 * as notices), with sequential scans discouraged so that what an index can
 * do, it does (the demo is small). */
static char *plan_of(const char *text)
{
	struct finder_query f;
	struct db_stmt st;
	struct buf plan = BUF_INIT;
	char err[512] = "";
	if (finder_query_init(&f, text) < 0)
		return NULL;
	finder_statement(&f, &st);
	PGconn *c = itest_connect(db, NULL);
	PQsetNoticeProcessor(c, itest_notice_to_buf, &plan);
	PQclear(PQexec(c, "LOAD 'auto_explain'; SET auto_explain.log_min_duration = 0;"
	                  " SET auto_explain.log_nested_statements = on;"
	                  " SET auto_explain.log_level = notice; SET client_min_messages = notice;"
	                  " SET enable_seqscan = off; SET SESSION AUTHORIZATION ana"));
	PGresult *r = db_exec(c, st.sql, st.nparams, st.params, err, sizeof err);
	if (!r)
		printf("    plan of '%s': %s\n", text, err);
	PQclear(r);
	PQfinish(c);
	finder_query_free(&f);
	return buf_steal(&plan);
}

static void test_name_branches_use_the_folded_indexes(void)
{
	char *p = plan_of("lumiere");
	CHECK(p && strstr(p, "customer_name_fold_prefix_idx") != NULL);
	CHECK(p && strstr(p, "customer_name_fold_trgm") != NULL);
	CHECK(p && strstr(p, "Seq Scan on customer") == NULL);
	free(p);
	p = plan_of("lu");
	CHECK(p && strstr(p, "customer_name_fold_prefix_idx") != NULL);
	CHECK(p && strstr(p, "Seq Scan on customer") == NULL);
	free(p);
}

/* A customer's other domains (migration 062), as its customer records list
 * them: the whole domain finds it, case aside, through the records' index;
 * a free-mail domain a record lists finds nobody. */
static void test_find_by_other_domain(void)
{
	PGconn *su = itest_connect(db, NULL);
	CHECK(itest_ok(su, "INSERT INTO import_run (id, source, entity, file) VALUES"
	                   " ('00000000-0000-0000-0000-000000000060', 'zendesk-organizations',"
	                   "  'customers', 'orgs.json')"));
	CHECK(itest_ok(su, "INSERT INTO import_record (source, source_id, entity, target_id, customer_id,"
	                   " digest, run_id, domains) VALUES ('zendesk-organizations', '1', 'customers', 1, 1,"
	                   " 'x', '00000000-0000-0000-0000-000000000060',"
	                   " '{nwh.example,northwind.io,gmail.com}')"));
	PQfinish(su);
	PGresult *r = find(ana, "Northwind.IO");
	CHECK(r && PQntuples(r) == 1);
	if (r && PQntuples(r) == 1) {
		CHECK_STR(PQgetvalue(r, 0, F_NAME), "Northwind Health");
		CHECK_STR(PQgetvalue(r, 0, F_MATCHED), "domain");
	}
	PQclear(r);
	r = find(ana, "gmail.com");
	CHECK(r && row_of(r, "Northwind Health") < 0);
	PQclear(r);
	char *p = plan_of("northwind.io");
	CHECK(p && strstr(p, "import_record_domains_idx") != NULL);
	CHECK(p && strstr(p, "Seq Scan on import_record") == NULL);
	free(p);
}

/* What `baton show TEXT` opens (cv_resolve): its id, 0 for none, -1 for
 * several. */
static long long shown(PGconn *c, const char *text)
{
	char err[512] = "", *cand = NULL;
	long long id = 0;
	int n = cv_resolve(c, text, &id, &cand, err, sizeof err);
	if (n < 0)
		printf("    resolve '%s': %s\n", text, err);
	free(cand);
	return n == 1 ? id : n == 0 ? 0 : -1;
}

/* The finder's first match for text, if it matched as an external id: its
 * id, else 0. */
static long long found_first(PGconn *c, const char *text)
{
	PGresult *r = find(c, text);
	long long id = 0;
	if (r && PQntuples(r) > 0 && !strcmp(PQgetvalue(r, 0, F_MATCHED), "external id"))
		id = strtoll(PQgetvalue(r, 0, F_ID), NULL, 10);
	PQclear(r);
	return id;
}

/* SYSTEM:ID (migration 069), as the screen lists a customer's external ids
 * and `baton show` takes them: the customer holding that id, matched as an
 * external id and listed first, before a customer whose name starts with
 * the text; the same value in another system is not it. */
static void test_find_by_system_id(void)
{
	PGconn *su = itest_connect(db, NULL);
	CHECK(itest_ok(su, "INSERT INTO customer (name) VALUES ('crm:CRM-00123 Resellers')"));
	PQfinish(su);
	PGresult *r = find(ana, "crm:CRM-00123");
	CHECK(r && PQntuples(r) == 2);
	CHECK(r && row_of(r, "Northwind Health") == 0);
	if (r && row_of(r, "Northwind Health") == 0) {
		CHECK_STR(PQgetvalue(r, 0, F_ID), "1");
		CHECK_STR(PQgetvalue(r, 0, F_MATCHED), "external id");
	}
	CHECK(r && row_of(r, "crm:CRM-00123 Resellers") == 1);
	PQclear(r);
	r = find(ana, "helpdesk:HD-9020");
	CHECK(r && PQntuples(r) == 1 && row_of(r, "Northwind Health") == 0);
	PQclear(r);
	r = find(ana, "billing:cus_CafeLum13r3Fr");
	CHECK(r && PQntuples(r) == 1 && row_of(r, "Café Lumière") == 0);
	PQclear(r);
	/* Northwind's CRM id is not its helpdesk id. */
	r = find(ana, "helpdesk:CRM-00123");
	CHECK(r && row_of(r, "Northwind Health") < 0);
	PQclear(r);
	/* The finder and `baton show` agree on each. */
	static const char *const texts[] = {"crm:CRM-00123", "helpdesk:HD-9020",
	                                    "billing:cus_CafeLum13r3Fr", "marketing:MKT-77310"};
	for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
		long long f = found_first(ana, texts[i]), s = shown(ana, texts[i]);
		if (f != s || f <= 0)
			printf("    '%s': the finder lists #%lld first, baton show opens #%lld\n", texts[i], f, s);
		CHECK(f == s && f > 0);
	}
	/* Someone limited to SMB customers finds Café Lumière by its id, and
	 * not Northwind. */
	su = itest_connect(db, NULL);
	CHECK(itest_ok(su, "CREATE ROLE finder_smb LOGIN IN ROLE baton_staff"));
	CHECK(itest_ok(su, "INSERT INTO staff (role_name, display_name, team_id, scope)"
	                   " VALUES ('finder_smb', 'Scoped', 'support', '{smb}')"));
	PQfinish(su);
	PGconn *smb = itest_connect(db, "finder_smb");
	r = find(smb, "crm:CRM-00123");
	CHECK(r && row_of(r, "Northwind Health") < 0);
	PQclear(r);
	r = find(smb, "crm:CRM-00188");
	CHECK(r && PQntuples(r) == 1 && row_of(r, "Café Lumière") == 0);
	PQclear(r);
	PQfinish(smb);
}

/* SYSTEM:ID names the customer record of that system with that id (an
 * import's), before another record's claim to the id in
 * customer_external_id (a Zendesk organization's external_id, which stayed
 * with it when a split took it from the customer the CRM's record joined):
 * the finder lists the record's customer alone, and `baton show` opens it.
 * An absorbed holder is its survivor.  The lookups are index probes. */
static void test_find_system_id_record_and_survivor(void)
{
	PGconn *su = itest_connect(db, NULL);
	const char *y = itest_value(su, "INSERT INTO customer (name) VALUES ('Yonder Record Holder') RETURNING id");
	long long yid = strtoll(y, NULL, 10);
	CHECK(yid > 0);
	CHECK(itest_ok(su, "INSERT INTO customer (name) VALUES ('Zen Claim Holder')"));
	CHECK(itest_ok(su, "INSERT INTO import_run (id, source, entity, file) VALUES"
	                   " ('00000000-0000-0000-0000-000000000067', 'hubspot-companies',"
	                   "  'customers', 'companies.csv')"));
	char sql[512];
	snprintf(sql, sizeof sql,
	         "INSERT INTO import_record (source, source_id, entity, target_id, customer_id,"
	         " digest, run_id, external) VALUES ('hubspot-companies', '77', 'customers', %lld, %lld,"
	         " 'x', '00000000-0000-0000-0000-000000000067', 'crm:77')", yid, yid);
	CHECK(itest_ok(su, sql));
	CHECK(itest_ok(su, "INSERT INTO customer_external_id (system, external_id, customer_id)"
	                   " SELECT 'crm', '77', id FROM customer WHERE name = 'Zen Claim Holder'"));
	/* Other records of the source, so that the planner tells the indexes
	 * apart by their costs, as on a real database. */
	CHECK(itest_ok(su, "INSERT INTO import_record (source, source_id, entity, target_id, customer_id,"
	                   " digest, run_id, external) SELECT 'hubspot-companies', 'g' || i, 'customers', 1, 1,"
	                   " 'x', '00000000-0000-0000-0000-000000000067', 'crm:g' || i"
	                   " FROM generate_series(1, 2000) i"));
	CHECK(itest_ok(su, "ANALYZE import_record"));
	/* Merged by hand: the id stays on the absorbed row. */
	CHECK(itest_ok(su, "WITH b AS (INSERT INTO customer (name, merged_into)"
	                   " VALUES ('Absorbed Holder', 1) RETURNING id)"
	                   " INSERT INTO customer_external_id (system, external_id, customer_id)"
	                   " SELECT 'billing', 'cus_ABSORBED', id FROM b"));
	PQfinish(su);

	PGresult *r = find(ana, "crm:77");
	CHECK(r && PQntuples(r) == 1 && row_of(r, "Yonder Record Holder") == 0);
	if (r && PQntuples(r) == 1)
		CHECK_STR(PQgetvalue(r, 0, F_MATCHED), "external id");
	PQclear(r);
	CHECK(shown(ana, "crm:77") == yid);
	r = find(ana, "billing:cus_ABSORBED");
	CHECK(r && PQntuples(r) == 1 && row_of(r, "Northwind Health") == 0);
	PQclear(r);
	CHECK(shown(ana, "billing:cus_ABSORBED") == 1);

	char *p = plan_of("crm:77");
	CHECK(p && strstr(p, "import_record_external_idx") != NULL);
	CHECK(p && strstr(p, "Seq Scan on import_record") == NULL);
	free(p);
	p = plan_of("billing:cus_ABSORBED");
	CHECK(p && strstr(p, "customer_external_id_pkey") != NULL);
	CHECK(p && strstr(p, "Seq Scan on customer_external_id") == NULL);
	CHECK(p && strstr(p, "Seq Scan on customer ") == NULL);
	free(p);
	/* A name typed looks up no id. */
	p = plan_of("lumiere");
	CHECK(p && strstr(p, "import_record_external_idx") == NULL);
	CHECK(p && strstr(p, "customer_external_id_pkey") == NULL);
	free(p);
}

static void test_matches_read(void)
{
	PGresult *r = find(ana, "northwind");
	struct finder_matches m;
	CHECK(r && finder_matches_read(r, &m) == 0);
	CHECK(m.n == 1);
	if (m.n == 1) {
		CHECK(m.v[0].id == 1);
		CHECK_STR(m.v[0].name, "Northwind Health");
		CHECK_STR(m.v[0].domain, "nwh.example");
		CHECK_STR(m.v[0].lifecycle, "onboarding");
		CHECK(m.v[0].open_tickets == 3 && m.v[0].hot_tickets == 2 && m.v[0].late_handoffs == 1);
		CHECK_STR(m.v[0].matched, "name");
	}
	finder_matches_free(&m);
	CHECK(m.n == 0 && m.v == NULL);
	PQclear(r);
	/* A customer without a domain reads as "", not NULL. */
	r = find(ana, "Sale 50");
	CHECK(r && finder_matches_read(r, &m) == 0 && m.n == 1);
	CHECK(m.n == 1 && m.v[0].domain && m.v[0].domain[0] == '\0');
	finder_matches_free(&m);
	PQclear(r);
	/* Anything else is refused, not misread. */
	char err[256];
	r = db_exec(ana, "SELECT 1, 'x'", 0, NULL, err, sizeof err);
	CHECK(r && finder_matches_read(r, &m) == -1 && m.n == 0 && m.v == NULL);
	struct waiting_list w;
	CHECK(r && finder_waiting_read(r, &w) == -1 && w.n == 0 && w.v == NULL);
	PQclear(r);
}

static void test_waiting_for_me_and_my_team(void)
{
	char err[512] = "";
	PGresult *r = db_exec(ana, finder_waiting_sql, 0, NULL, err, sizeof err);
	CHECK(r != NULL);
	if (!r) {
		printf("    %s\n", err);
		return;
	}
	int n = PQntuples(r);
	CHECK(n > 0);
	int foreign = 0, inactive = 0, misordered = 0, seen_ack = 0, to_ana = 0, to_team = 0;
	int nopen = 0;
	int cafe = -1, blue = -1;
	for (int i = 0; i < n; i++) {
		const char *to_staff = PQgetvalue(r, i, W_TO_STAFF);
		const char *team = PQgetvalue(r, i, W_TO_TEAM);
		const char *state = PQgetvalue(r, i, W_STATE);
		if (strcmp(to_staff, "ana") != 0 && strcmp(team, "support") != 0)
			foreign++;
		if (strcmp(state, "open") && strcmp(state, "acknowledged"))
			inactive++;
		if (!strcmp(state, "acknowledged"))
			seen_ack = 1;
		else if (seen_ack)
			misordered = 1;
		nopen += !strcmp(state, "open");
		to_ana += !strcmp(to_staff, "ana");
		to_team += PQgetisnull(r, i, W_TO_STAFF) && !strcmp(team, "support");
		if (!strcmp(PQgetvalue(r, i, W_CUSTOMER), "Café Lumière") && !strcmp(state, "open"))
			cafe = i;
		if (!strcmp(PQgetvalue(r, i, W_CUSTOMER), "Blue Fjord AB"))
			blue = i;
	}
	CHECK(foreign == 0);
	CHECK(inactive == 0);
	CHECK(nopen > 0 && seen_ack); /* both kinds, so the order is tested */
	CHECK(misordered == 0);       /* open ones first */
	CHECK(to_ana > 0);
	CHECK(to_team > 0);
	/* Marketing asked ana about Café Lumière's refund; Onboarding asked
	 * Support about Blue Fjord's SSO. */
	CHECK(cafe >= 0 && blue >= 0);
	if (cafe >= 0) {
		CHECK_STR(PQgetvalue(r, cafe, W_FROM_TEAM), "marketing");
		CHECK_STR(PQgetvalue(r, cafe, W_CUSTOMER_ID), "2");
	}

	/* Exactly what the database holds for ana and Support. */
	PGconn *su = itest_connect(db, NULL);
	const char *want = itest_value(su,
		"SELECT count(*) FROM handoff WHERE state IN ('open', 'acknowledged')"
		" AND (to_staff = 'ana' OR to_team = 'support')");
	char got[16];
	snprintf(got, sizeof got, "%d", n);
	CHECK(n < 100);
	CHECK_STR(got, want);
	PQfinish(su);

	/* What the start screen reads: the same rows, typed. */
	struct waiting_list w;
	CHECK(finder_waiting_read(r, &w) == 0);
	CHECK(w.n == n);
	int mismatched = 0, late = 0;
	for (int i = 0; i < w.n && i < n; i++) {
		const struct waiting_handoff *h = &w.v[i];
		mismatched += strcmp(h->id, PQgetvalue(r, i, W_ID)) != 0;
		mismatched += strcmp(h->customer, PQgetvalue(r, i, W_CUSTOMER)) != 0;
		mismatched += h->open != !strcmp(PQgetvalue(r, i, W_STATE), "open");
		mismatched += (h->to_staff == NULL) != PQgetisnull(r, i, W_TO_STAFF);
		mismatched += h->version != atoi(PQgetvalue(r, i, W_VERSION));
		/* Late as read: open past its deadline (finder_waiting_now at the
		 * moment of the read). */
		long long age_s;
		int is_late;
		finder_waiting_now(h, h->read_ms, &age_s, &is_late);
		mismatched += is_late != (h->open && strtoll(PQgetvalue(r, i, W_ACK_LEFT_S), NULL, 10) < 0);
		mismatched += age_s != h->age_s;
		late += is_late;
	}
	CHECK(mismatched == 0);
	CHECK(late > 0); /* the demo has handoffs past their deadline */
	if (cafe >= 0 && cafe < w.n) {
		CHECK(w.v[cafe].customer_id == 2);
		CHECK_STR(w.v[cafe].from_team, "marketing");
	}
	finder_waiting_free(&w);
	PQclear(r);

	/* Ben (Success) sees the Northwind escalation from ana, ana does not. */
	PGconn *ben = itest_connect(db, "ben");
	r = db_exec(ben, finder_waiting_sql, 0, NULL, err, sizeof err);
	CHECK(r != NULL);
	int nw = 0;
	for (int i = 0; r && i < PQntuples(r); i++) {
		if (!strcmp(PQgetvalue(r, i, W_CUSTOMER_ID), "1") &&
		    !strcmp(PQgetvalue(r, i, W_TO_STAFF), "ben")) {
			nw++;
			CHECK_STR(PQgetvalue(r, i, W_STATE), "open");
			CHECK(strtoll(PQgetvalue(r, i, W_ACK_LEFT_S), NULL, 10) < 0);
			CHECK(strtoll(PQgetvalue(r, i, W_AGE_S), NULL, 10) >= 2 * 86400);
		}
		CHECK(strcmp(PQgetvalue(r, i, W_TO_STAFF), "ben") == 0 ||
		      strcmp(PQgetvalue(r, i, W_TO_TEAM), "success") == 0);
	}
	CHECK(nw == 1);
	PQclear(r);
	PQfinish(ben);
}

/* 150 handoffs for Support written in one transaction share their time:
 * the list's hundred are the first by time, then id, as src/waiting.c
 * keeps them, not the first the team's index holds (written in the
 * opposite order here, so that the index holds the last ids first). */
static void test_waiting_ties_at_the_limit(void)
{
	PGconn *su = itest_connect(db, NULL);
	const char *v = itest_value(su,
		"INSERT INTO handoff (id, customer_id, from_team, to_team, reason, note, ack_due_at, created_at)"
		" SELECT g.id, 1, 'success', 'support', 'question', 'tied', now() + interval '1 day',"
		" now() - interval '1 hour' FROM (SELECT gen_random_uuid() AS id FROM generate_series(1, 150)) g"
		" ORDER BY g.id DESC");
	CHECK_STR(v, "");
	char err[512] = "";
	PGresult *r = db_exec(ana, finder_waiting_sql, 0, NULL, err, sizeof err);
	CHECK(r && PQntuples(r) == 100);
	/* What the list must be, read directly in its order. */
	PGresult *want = PQexec(su, "SELECT id FROM handoff WHERE state IN ('open', 'acknowledged')"
	                            " AND (to_staff = 'ana' OR to_team = 'support')"
	                            " ORDER BY state = 'acknowledged', priority <> 'urgent', created_at, id"
	                            " LIMIT 100");
	CHECK(PQresultStatus(want) == PGRES_TUPLES_OK && PQntuples(want) == 100);
	int same = r && PQntuples(r) == PQntuples(want);
	for (int i = 0; same && i < PQntuples(r); i++)
		same = !strcmp(PQgetvalue(r, i, W_ID), PQgetvalue(want, i, 0));
	CHECK(same);
	PQclear(want);
	PQclear(r);
	CHECK_STR(itest_value(su, "DELETE FROM handoff WHERE note = 'tied'"), "");
	PQfinish(su);
}

/* Urgent handoffs come first in each state (085), however many older
 * ones wait: an urgent one for the team written after 150 older ones, and
 * one acknowledged by ana, written last of all, are in the list of 100,
 * each first of its state, and the rest is the order a direct read
 * gives. */
static void test_waiting_urgent_first(void)
{
	PGconn *su = itest_connect(db, NULL);
	CHECK_STR(itest_value(su,
		"INSERT INTO handoff (id, customer_id, from_team, to_team, reason, note, ack_due_at, created_at)"
		" SELECT gen_random_uuid(), 1, 'success', 'support', 'question', 'older', now() + interval '1 day',"
		" now() - interval '2 days' - make_interval(mins => g) FROM generate_series(1, 150) g"), "");
	const char *urgent = itest_value(su,
		"INSERT INTO handoff (id, customer_id, from_team, to_team, reason, priority, note, ack_due_at)"
		" VALUES (gen_random_uuid(), 2, 'success', 'support', 'escalation', 'urgent', 'older',"
		" now() + interval '1 hour') RETURNING id");
	char open_id[40], ack_id[40];
	snprintf(open_id, sizeof open_id, "%s", urgent);
	snprintf(ack_id, sizeof ack_id, "%s", itest_value(su,
		"INSERT INTO handoff (id, customer_id, from_team, to_team, to_staff, reason, priority, note,"
		" ack_due_at, state, acknowledged_at, acknowledged_by)"
		" VALUES (gen_random_uuid(), 3, 'success', 'support', 'ana', 'escalation', 'urgent', 'older',"
		" now() + interval '1 hour', 'acknowledged', now(), 'ana') RETURNING id"));
	CHECK(strlen(open_id) == 36 && strlen(ack_id) == 36);
	char err[512] = "";
	PGresult *r = db_exec(ana, finder_waiting_sql, 0, NULL, err, sizeof err);
	CHECK(r && PQntuples(r) == 100);
	PGresult *want = PQexec(su, "SELECT id FROM handoff WHERE state IN ('open', 'acknowledged')"
	                            " AND (to_staff = 'ana' OR to_team = 'support')"
	                            " ORDER BY state = 'acknowledged', priority <> 'urgent', created_at, id"
	                            " LIMIT 100");
	CHECK(PQresultStatus(want) == PGRES_TUPLES_OK && PQntuples(want) == 100);
	int same = r && PQntuples(r) == PQntuples(want), first_open = -1, first_ack = -1, at_open = -1,
	    at_ack = -1;
	for (int i = 0; same && i < PQntuples(r); i++) {
		same = !strcmp(PQgetvalue(r, i, W_ID), PQgetvalue(want, i, 0));
		const char *state = PQgetvalue(r, i, W_STATE);
		if (!strcmp(state, "open") && first_open < 0)
			first_open = i;
		if (!strcmp(state, "acknowledged") && first_ack < 0)
			first_ack = i;
		if (!strcmp(PQgetvalue(r, i, W_ID), open_id))
			at_open = i;
		if (!strcmp(PQgetvalue(r, i, W_ID), ack_id))
			at_ack = i;
	}
	CHECK(same);
	/* The urgent ones are the first of their states. */
	int urgent_before = r ? atoi(itest_value(su, "SELECT count(*) FROM handoff WHERE state = 'open'"
	                                             " AND priority = 'urgent' AND (to_staff = 'ana'"
	                                             " OR to_team = 'support') AND created_at <"
	                                             " (SELECT created_at FROM handoff WHERE note = 'older'"
	                                             " AND priority = 'urgent' AND state = 'open')")) : -1;
	CHECK(at_open == first_open + urgent_before);
	CHECK(at_open >= 0 && at_open < 10);
	/* 150 open ones: the list is full before the acknowledged ones,
	 * which are past it, urgent or not. */
	CHECK(first_ack == -1 && at_ack == -1);
	PQclear(want);
	PQclear(r);
	/* With fewer open ones, the urgent acknowledged one heads its state. */
	CHECK_STR(itest_value(su, "DELETE FROM handoff WHERE note = 'older' AND priority = 'normal'"), "");
	r = db_exec(ana, finder_waiting_sql, 0, NULL, err, sizeof err);
	first_ack = at_ack = -1;
	for (int i = 0; r && i < PQntuples(r); i++) {
		if (!strcmp(PQgetvalue(r, i, W_STATE), "acknowledged") && first_ack < 0)
			first_ack = i;
		if (!strcmp(PQgetvalue(r, i, W_ID), ack_id))
			at_ack = i;
	}
	CHECK(first_ack >= 0 && at_ack == first_ack);
	PQclear(r);
	CHECK_STR(itest_value(su, "DELETE FROM handoff WHERE note = 'older'"), "");
	PQfinish(su);
}

static void test_me(void)
{
	char err[512] = "";
	PGresult *r = db_exec(ana, finder_me_sql, 0, NULL, err, sizeof err);
	CHECK(r && PQntuples(r) == 1);
	if (r && PQntuples(r) == 1) {
		CHECK_STR(PQgetvalue(r, 0, ME_ROLE), "ana");
		CHECK_STR(PQgetvalue(r, 0, ME_NAME), "Ana Lima");
		CHECK_STR(PQgetvalue(r, 0, ME_TEAM), "support");
		CHECK_STR(PQgetvalue(r, 0, ME_TEAM_NAME), "Support");
		CHECK_STR(PQgetvalue(r, 0, ME_LEAD), "f");
		CHECK(atoi(PQgetvalue(r, 0, ME_SCHEMA)) >= 1);
	}
	PQclear(r);

	PGconn *lee = itest_connect(db, "lee");
	r = db_exec(lee, finder_me_sql, 0, NULL, err, sizeof err);
	CHECK(r && PQntuples(r) == 1);
	if (r && PQntuples(r) == 1) {
		CHECK_STR(PQgetvalue(r, 0, ME_NAME), "Lee Chen");
		CHECK_STR(PQgetvalue(r, 0, ME_TEAM), "success");
		CHECK_STR(PQgetvalue(r, 0, ME_LEAD), "t");
	}
	PQclear(r);
	PQfinish(lee);

	/* A role that is not staff still gets one row, without a team. */
	PGconn *su = itest_connect(db, NULL);
	r = db_exec(su, finder_me_sql, 0, NULL, err, sizeof err);
	CHECK(r && PQntuples(r) == 1);
	if (r && PQntuples(r) == 1) {
		CHECK_STR(PQgetvalue(r, 0, ME_ROLE), PQuser(su));
		CHECK(PQgetisnull(r, 0, ME_TEAM));
		CHECK_STR(PQgetvalue(r, 0, ME_LEAD), "f");
	}
	PQclear(r);
	PQfinish(su);
}

int main(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	db = itest_newdb("baton_demo");
	ana = itest_connect(db, "ana");
	RUN(test_find_by_name);
	RUN(test_find_by_domain);
	RUN(test_find_by_email);
	RUN(test_find_by_external_id);
	RUN(test_find_name_match_ranks_first);
	RUN(test_short_text_matches_prefixes);
	RUN(test_same_name_first_by_id);
	RUN(test_wildcards_match_literally);
	RUN(test_non_ascii);
	RUN(test_accents_and_case_do_not_matter);
	RUN(test_fullwidth_wildcards_match_literally);
	RUN(test_name_branches_use_the_folded_indexes);
	RUN(test_find_by_other_domain);
	RUN(test_find_by_system_id);
	RUN(test_find_system_id_record_and_survivor);
	RUN(test_matches_read);
	RUN(test_waiting_for_me_and_my_team);
	RUN(test_me);
	RUN(test_waiting_ties_at_the_limit);
	RUN(test_waiting_urgent_first);
	PQfinish(ana);
	return check_done();
}
