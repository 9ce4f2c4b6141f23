/* The customer screen as the console loads it, for the integration tests:
 * its seven statements in one pipeline on connection c, adopted into cv. */
#ifndef BATON_ITEST_CV_H
#define BATON_ITEST_CV_H

#include "baton/customer.h"
#include "baton/db.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <string.h>

/* 0 with cv filled (cv_free it), -1 with err set ("no such customer" when
 * the id shows nothing to c); the long panels' rows as cv_statements
 * takes them (NULL: whole). */
static inline int itest_cv_load_rows(PGconn *c, long long id, const int *rows, struct customer_view *cv,
                                     char *err, size_t n)
{
	struct cv_args args;
	struct db_stmt st[CV_PARTS];
	PGresult *res[CV_PARTS];
	cv_statements(st, &args, id, rows);
	memset(cv, 0, sizeof *cv);
	if (db_pipeline(c, st, CV_PARTS, res, err, n) < 0)
		return -1;
	int rc = cv_adopt(cv, res, CV_PARTS, err, n);
	for (int i = 0; i < CV_PARTS; i++)
		PQclear(res[i]); /* NULL once adopted */
	return rc;
}

static inline int itest_cv_load(PGconn *c, long long id, struct customer_view *cv, char *err, size_t n)
{
	return itest_cv_load_rows(c, id, NULL, cv, err, n);
}

#endif
