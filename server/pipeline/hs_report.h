/* hs_report: one analysis command's answer as a table, for the CLI and the HTTP API.
 *
 * analyze, priorities, scan and emerging each run the pipeline and shape the result
 * with hs_results; with `geometry` set, each row also gets its unit's boundary so
 * GeoJSON and GeoPackage outputs are maps, not just tables. */
#ifndef HS_REPORT_H
#define HS_REPORT_H

#include <libpq-fe.h>

#include "hs_params.h"
#include "hs_table.h"

typedef enum {
    HS_REPORT_ANALYZE = 0,
    HS_REPORT_PRIORITIES,
    HS_REPORT_SCAN,
    HS_REPORT_EMERGING
} hs_report_kind;

const char *hs_report_name(hs_report_kind k);

/* Builds the table; caller frees with hs_table_free(). */
int hs_report_build(PGconn *c, hs_report_kind kind, const hs_params *p, int geometry,
                    hs_table **out, hs_err *err);

#endif
