/* hs_catalog: the facts about the dataset itself that pickers and /api/meta show:
 * which units exist, and which periods hold data.
 *
 * Part of the data stage: route handlers get plain structs, never SQL or PGresult
 * (docs/architecture.md). */
#ifndef HS_CATALOG_H
#define HS_CATALOG_H

#include <libpq-fe.h>
#include <stddef.h>

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

#endif
