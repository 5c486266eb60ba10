/* hs_catalog: the facts about the dataset itself that pickers and /api/meta show:
 * which units exist, and which periods hold data.
 *
 * Part of the data stage: route handlers get plain structs, never SQL or PGresult
 * (docs/architecture.md). */
#ifndef HS_CATALOG_H
#define HS_CATALOG_H

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

#include "hs_err.h"

typedef struct hs_catalog_unit {
    char *code, *name, *parent_code; /* parent_code "" for provinces */
    int border_province, key_commune;
} hs_catalog_unit;

typedef struct hs_catalog_units {
    size_t n;
    hs_catalog_unit *u; /* ascending code, COLLATE "C" (the order of hs_data) */
} hs_catalog_units;

/* Units of `level` ("province" or "commune"), only those whose parent is `parent`
 * unless it is "". Free with hs_catalog_units_free (also after a failure). */
int hs_catalog_units_list(PGconn *c, const char *level, const char *parent,
                          hs_catalog_units *out, hs_err *err);
void hs_catalog_units_free(hs_catalog_units *u);

typedef struct hs_catalog_meta {
    int synthetic;                 /* dataset_meta synthetic = true/1 */
    long long provinces, communes; /* unit counts */
    /* "YYYY-MM" of the first and last month with rows; "" when the table is empty. */
    char case_min[8], case_max[8], outreach_min[8], outreach_max[8];
} hs_catalog_meta;

int hs_catalog_meta_get(PGconn *c, hs_catalog_meta *out, hs_err *err);

/* The newest month with data (the default end of every window) remembered per data
 * version, so that a request can build its cache key, and be answered from the
 * cache, without the database: with the database down, cached tiles, maps and
 * analyses keep being served. A version the memo has not seen (new data announced
 * by NOTIFY hs_data_changed moves the version) is read once from the database and
 * kept; older versions are never stored over newer ones.
 *
 * Threads: one mutex (`lock`), never held during the query. */
typedef struct hs_catalog_periods hs_catalog_periods;
/* Hands out a connection only when the memo must read (e.g. hs_req_db). */
typedef int (*hs_catalog_conn_fn)(void *arg, PGconn **c, hs_err *err);

int hs_catalog_periods_create(hs_catalog_periods **out, hs_err *err);
void hs_catalog_periods_destroy(hs_catalog_periods *m);
/* *last for data `version`: from memory when known, else read on conn(arg). */
int hs_catalog_last_period(hs_catalog_periods *m, uint64_t version, hs_catalog_conn_fn conn,
                           void *arg, int *last, hs_err *err);

#endif
