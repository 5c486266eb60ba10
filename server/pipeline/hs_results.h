/* hs_results: turns analysis results into hs_tables, the one shape every output
 * format (CSV, JSON, GeoJSON, GeoPackage) and every interface (CLI, HTTP) writes.
 * Column names are part of the public interface: see docs/cli.md. */
#ifndef HS_RESULTS_H
#define HS_RESULTS_H

#include "hs_pipeline.h"
#include "hs_table.h"

/* One row per unit: rates, Gi*, LISA, trend, outreach, risk. */
int hs_results_analyze(const hs_run *r, hs_table **out, hs_err *err);
/* The whole-map figures of the analyze table: r->moran must be valid (run with
 * HS_RUN_MORAN and hs_run_wait_moran), so the rows can be built while it runs. */
void hs_results_analyze_summary(const hs_run *r, hs_table *t);
/* The ranked outreach priority list, one row per entry, with reasons. */
int hs_results_priorities(const hs_run *r, hs_table **out, hs_err *err);
/* One row per cluster member (cluster id repeated), so clusters map and join. */
int hs_results_scan(const hs_params *p, const hs_unitset *u, const hs_scan_result *s,
                    int synthetic, hs_table **out, hs_err *err);
/* One row per unit: category, trend, hot/cold steps. */
int hs_results_emerging(const hs_params *p, const hs_unitset *u, const hs_emerging_result *e,
                        int synthetic, hs_table **out, hs_err *err);

/* "Gi* on eb_rate of cases, 2025-01..2025-12, commune level" into t->title. */
void hs_results_title(hs_table *t, const char *what, const hs_params *p);

#endif
