/* hs_monthly: validation of a monthly aggregate CSV (cases or outreach) held in memory.
 * No I/O and no database: it turns the bytes into rows plus a list of every error
 * with its line and column, so the importer (hs_import_monthly), the unit tests and the
 * fuzzer drive the same code. The one check it cannot do -- whether a unit code
 * exists -- is done by the caller, who passes the unknown codes back in with
 * hs_monthly_report_unknown() so those errors join the list in line order.
 *
 *     hs_monthly m;
 *     hs_monthly_init(&m, HS_MONTHLY_CASES);
 *     if (hs_monthly_parse(&m, buf, len, &err) < 0) ... fatal (size cap, memory)
 *     ... ask the database which of m.codes are unknown, then report them
 *     if (m.errors.total) ... print m.errors, write nothing
 *     hs_monthly_free(&m);
 */
#ifndef HS_MONTHLY_H
#define HS_MONTHLY_H

#include "hs_unitcode.h"

#include <stddef.h>
#include <stdint.h>

#include "hs_err.h"
#include "hs_errlist.h"

typedef enum hs_monthly_kind { HS_MONTHLY_CASES, HS_MONTHLY_OUTREACH } hs_monthly_kind;

#define HS_MONTHLY_NCOLS 5
#define HS_MONTHLY_MAX_ROWS 20000000UL /* ~6,000 years of 3,300 communes: a hard cap */
#define HS_MONTHLY_MAX_CODES 1000000UL /* distinct unit codes in one file */
#define HS_MONTHLY_MAX_CODE_LEN HS_UNIT_CODE_MAX
#define HS_MONTHLY_ERRORS_KEPT 100     /* messages stored (all are counted) */

/* The CSV columns of a kind, in file order (also the table's column names). */
const char *const *hs_monthly_columns(hs_monthly_kind kind);
/* "hs.case_month" / "hs.outreach_month". */
const char *hs_monthly_table(hs_monthly_kind kind);
/* "cases" / "outreach", as in `hotspot import cases`. */
const char *hs_monthly_kind_name(hs_monthly_kind kind);

typedef struct hs_monthly_row {
    uint32_t unit;   /* index into codes[] */
    uint32_t line;   /* line the record starts on */
    uint16_t period; /* months since 1900-01: (year - 1900) * 12 + month - 1 */
    int32_t v[3];    /* the three counts, in column order */
} hs_monthly_row;

typedef struct hs_monthly {
    hs_monthly_kind kind;
    hs_monthly_row *rows; /* rows whose unit code is well-formed (others only err) */
    size_t nrows, rows_cap;
    char **codes; /* distinct unit codes, in order of first appearance; owned */
    size_t ncodes, codes_cap;
    uint32_t *code_hash; /* open addressing: code index + 1, 0 = empty */
    size_t code_hash_cap;
    uint32_t *key_hash; /* (unit, period) -> row index + 1, for duplicates */
    size_t key_hash_cap, nkeys;
    unsigned long records; /* data records read (with or without errors) */
    uint16_t period_min, period_max;
    size_t nperiods; /* distinct periods */
    unsigned char period_seen[(2200 - 1900 + 1) * 12];
    hs_errlist errors; /* every error, "line L, column C: ..." */
} hs_monthly;

void hs_monthly_init(hs_monthly *m, hs_monthly_kind kind);
void hs_monthly_free(hs_monthly *m);

/* Parses and validates the whole buffer (borrowed). Problems in the data go to
 * m->errors and the function still returns 0; it returns < 0 only when it cannot go
 * on: HS_ELIMIT past HS_MONTHLY_MAX_ROWS / _MAX_CODES, HS_ENOMEM. */
int hs_monthly_parse(hs_monthly *m, const void *buf, size_t len, hs_err *err);

/* Adds an "unknown unit" error for every row whose code is one of unknown[0..n). */
void hs_monthly_report_unknown(hs_monthly *m, const char *const *unknown, size_t n);

/* "2024-07" for a period index; out must hold 8 bytes. */
const char *hs_monthly_period_str(uint16_t period, char out[8]);

#endif
