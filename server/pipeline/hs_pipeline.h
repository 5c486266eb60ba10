/* hs_pipeline: runs one analysis end to end for the CLI and the HTTP API:
 * data (hs_data) -> weights -> rates -> Gi* and LISA -> trend -> outreach -> risk.
 *
 * Everything a result table or a map needs is kept in one hs_run, so a map of
 * Gi* bins and the CSV of the same request come from the same numbers.
 */
#ifndef HS_PIPELINE_H
#define HS_PIPELINE_H

#include <libpq-fe.h>

#include "hs_data.h"
#include "hs_emerging.h"
#include "hs_gistar.h"
#include "hs_lisa.h"
#include "hs_moran.h"
#include "hs_params.h"
#include "hs_risk.h"
#include "hs_scan.h"
#include "hs_weights.h"

typedef struct hs_moran_task hs_moran_task; /* private to hs_pipeline.c */

typedef struct hs_run {
    hs_params prm;
    hs_unitset *u;
    hs_series *series; /* the indicator, monthly over the window */
    hs_weights *w;     /* the requested scheme (binary; statistics standardise as needed) */
    double *count, *rate, *eb_rate, *eb_local, *eb_z;
    const double *x; /* what Gi* and LISA used: one of count, rate, eb_rate, eb_z */
    hs_gistar_result *gi;
    hs_lisa_result *lisa;
    hs_moran_global moran;     /* with HS_RUN_MORAN, valid after hs_run_wait_moran */
    hs_moran_task *moran_task; /* the test while it runs */
    int moran_rc;
    double *trend_z, *trend_p; /* Mann-Kendall of each unit's monthly series */
    hs_outreach *outreach;
    hs_risk_result *risk;
    int synthetic;
    long long data_version;
} hs_run;

/* What hs_run_analysis computes beyond rates, Gi*, LISA, trend and risk. */
enum {
    /* The global Moran test, whose only reader is the analyze table's summary (maps,
     * tiles and priorities do not use it, so they do not pay for it). It runs on a
     * thread of its own, past the return of hs_run_analysis, beside whatever the
     * caller does next; r->moran is valid once hs_run_wait_moran returned HS_OK. */
    HS_RUN_MORAN = 1u << 0,
};

/* Runs the local statistics and risk for p. Caller frees with hs_run_free(), which
 * also waits for a global test still running. */
int hs_run_analysis(PGconn *c, const hs_params *p, unsigned extras, hs_run **out, hs_err *err);
/* Waits for the global Moran test (HS_RUN_MORAN); its result code (HS_OK when it was
 * not asked for). Safe to call more than once; err may be NULL. */
int hs_run_wait_moran(hs_run *r, hs_err *err);
void hs_run_free(hs_run *r);

/* Kulldorff scan of the indicator's counts over the window (own data load). */
int hs_run_scan(PGconn *c, const hs_params *p, hs_unitset **units, hs_scan_result **out,
                int *synthetic, hs_err *err);

/* Emerging hot spots: Gi* on the indicator per month or quarter over the window. */
int hs_run_emerging(PGconn *c, const hs_params *p, hs_unitset **units, hs_emerging_result **out,
                    int *synthetic, hs_err *err);

/* Which analysis a consumer (a map type, a tile layer) needs: the main run (Gi*,
 * LISA, rates, risk), the Kulldorff scan or the emerging hot spots. */
typedef enum { HS_ANALYSIS_MAIN = 0, HS_ANALYSIS_SCAN, HS_ANALYSIS_EMERGING } hs_analysis_kind;

/* The owned outcome of one hs_pipeline_run_kind: `run` for HS_ANALYSIS_MAIN, `units`
 * with `scan` or `emerging` for the others; the rest NULL. */
typedef struct hs_analysis_result {
    hs_analysis_kind kind;
    hs_run *run;
    hs_unitset *units;
    hs_scan_result *scan;
    hs_emerging_result *emerging;
    int synthetic;
} hs_analysis_result;

/* Fetches the data and runs the analysis of `kind` for p (hs_run_analysis,
 * hs_run_scan or hs_run_emerging). *out is zeroed first; release it with
 * hs_analysis_result_clear, also after a failure. */
int hs_pipeline_run_kind(PGconn *c, hs_analysis_kind kind, const hs_params *p,
                         hs_analysis_result *out, hs_err *err);
void hs_analysis_result_clear(hs_analysis_result *r);

/* The newest month holding data, the default end of every window. */
int hs_pipeline_last_period(PGconn *c, int *last, hs_err *err);

#endif
