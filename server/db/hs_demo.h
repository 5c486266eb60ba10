/* hs_demo: loads the synthetic demo dataset (docs/data.md) into an empty database.
 *
 * Reads data/vn_provinces_34.geojson, data/ne_10m_countries_region.geojson and
 * data/ne_10m_vn_land_border.geojson under `source_dir`, hands them to the SQL
 * scripts sql/demo/NN_*.sql (run in name order) and commits once: on any error the
 * database is left exactly as it was. Refuses a database that already holds units,
 * counts or reference layers, and one whose migrations were not applied.
 */
#ifndef HS_DEMO_H
#define HS_DEMO_H

#include <stdio.h>

#include <libpq-fe.h>

#include "hs_err.h"

#define HS_DEMO_DEFAULT_SEED 138

/* Progress and a summary go to `log` (may be NULL). */
int hs_demo_load(PGconn *c, const char *source_dir, int seed, FILE *log, hs_err *err);

#endif
