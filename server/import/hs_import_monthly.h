/* hs_import_monthly: `hotspot import cases|outreach FILE.csv` -- monthly aggregates into
 * hs.case_month / hs.outreach_month.
 *
 * The file is validated completely first (hs_monthly; then one query for unknown unit
 * codes). With any error nothing is written and every error is returned. Otherwise,
 * in one transaction, the rows of every (unit, period) pair in the file are replaced:
 * existing rows for those pairs are deleted and the file's rows inserted via COPY, so
 * re-importing a period replaces it and a failure anywhere leaves the database as it
 * was.
 */
#ifndef HS_IMPORT_MONTHLY_H
#define HS_IMPORT_MONTHLY_H

#include <libpq-fe.h>
#include <stddef.h>

#include "hs_err.h"
#include "hs_errlist.h"
#include "hs_monthly.h"

#define HS_IMPORT_MONTHLY_MAX_BYTES ((size_t)2 << 30) /* 2 GiB: far above any real file */

typedef struct hs_import_monthly_result {
    hs_errlist errors;      /* data errors, "line L, column C: ..."; owned */
    unsigned long rows;     /* rows written */
    unsigned long units;    /* distinct units in the file */
    unsigned long periods;  /* distinct periods in the file */
    char first[8], last[8]; /* period range, "YYYY-MM" */
    unsigned long replaced; /* existing rows the file replaced */
} hs_import_monthly_result;

/* Imports `path` into the table for `kind`. Returns 0 on success; HS_EINVAL when the
 * file has errors (res->errors lists them, err summarises); other HS_E* for I/O,
 * limits and database failures. The database is unchanged unless it returns 0.
 * Free res with hs_import_monthly_result_free() in every case. */
int hs_import_monthly(PGconn *c, hs_monthly_kind kind, const char *path, hs_import_monthly_result *res,
                  hs_err *err);

void hs_import_monthly_result_free(hs_import_monthly_result *res);

#endif
